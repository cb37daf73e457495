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

#include <stdio.h>

#define UG_EXIT_OK 0
#define UG_EXIT_BAD_INPUT 1
#define UG_EXIT_USAGE 2

int ug_cmd_decode(int argc, char **argv);
void ug_cmd_decode_usage(FILE *f);

#endif
