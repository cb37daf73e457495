/* cli — the uagate subcommands and the helpers they share.
 *
 * Each subcommand is `int ug_cmd_<name>(int argc, char **argv)` with argv[0]
 * the subcommand name; it returns the process exit code: 0 success, 1 the
 * work was done but something in the input was bad, 2 usage error or an
 * input that could not be read. Usage text goes to stderr on errors and to
 * stdout for --help.
 */
#ifndef UG_GATEWAY_CLI_H
#define UG_GATEWAY_CLI_H

#include <stdbool.h>
#include <stdio.h>

#define UG_EXIT_OK 0
#define UG_EXIT_BAD_INPUT 1
#define UG_EXIT_USAGE 2

int ug_cmd_decode(int argc, char **argv);
void ug_cmd_decode_usage(FILE *f);

/* Decodes the UADP message in p and prints it as `uagate decode` does: text,
 * or with json the model dump of `uagate decode --dump-json` (label stands in
 * for the file name). arena is reset and reused. Returns false when the
 * message was malformed (the output says why). */
struct ug_cap_pkt;
struct ug_arena;
bool ug_decode_print_pkt(const struct ug_cap_pkt *p, const char *label, bool json,
                         struct ug_arena *arena);

int ug_cmd_capture(int argc, char **argv);
void ug_cmd_capture_usage(FILE *f);
int ug_cmd_replay(int argc, char **argv);
void ug_cmd_replay_usage(FILE *f);
int ug_cmd_run(int argc, char **argv);
void ug_cmd_run_usage(FILE *f);
int ug_cmd_check(int argc, char **argv);
void ug_cmd_check_usage(FILE *f);
int ug_cmd_pub(int argc, char **argv);
void ug_cmd_pub_usage(FILE *f);
int ug_cmd_sub(int argc, char **argv);
void ug_cmd_sub_usage(FILE *f);
int ug_cmd_bench(int argc, char **argv);
void ug_cmd_bench_usage(FILE *f);
/* cmd_client.c: one-shot OPC UA client commands. */
int ug_cmd_browse(int argc, char **argv);
void ug_cmd_browse_usage(FILE *f);
int ug_cmd_read(int argc, char **argv);
void ug_cmd_read_usage(FILE *f);
int ug_cmd_write(int argc, char **argv);
void ug_cmd_write_usage(FILE *f);
int ug_cmd_call(int argc, char **argv);
void ug_cmd_call_usage(FILE *f);
int ug_cmd_hash_password(int argc, char **argv); /* server_bridge_cmd.c */
void ug_cmd_hash_password_usage(FILE *f);

#endif
