/* uagate — the OPC UA PubSub gateway program: a small table of subcommands. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#ifndef UG_VERSION
#define UG_VERSION "0.1.0"
#endif

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    void (*usage)(FILE *f);
    const char *summary;
} command;

static const command commands[] = {
    {"decode", ug_cmd_decode, ug_cmd_decode_usage,
     "print UADP messages from raw files or pcap/pcapng captures"},
    {"capture", ug_cmd_capture, ug_cmd_capture_usage, "record UADP traffic on an interface and print it"},
    {"replay", ug_cmd_replay, ug_cmd_replay_usage, "send a capture's UADP messages again through a transport"},
    {"run", ug_cmd_run, ug_cmd_run_usage, "run the gateway from a configuration file"},
    {"check", ug_cmd_check, ug_cmd_check_usage, "validate configuration files"},
    {"pub", ug_cmd_pub, ug_cmd_pub_usage, "publish a dataset (UADP or JSON) from the shell"},
    {"sub", ug_cmd_sub, ug_cmd_sub_usage, "print the PubSub messages arriving at an address"},
    {"bench", ug_cmd_bench, ug_cmd_bench_usage, "measure latency through the transports (bench latency)"},
    {"browse", ug_cmd_browse, ug_cmd_browse_usage, "list the references of a node on an OPC UA server"},
    {"read", ug_cmd_read, ug_cmd_read_usage, "read an attribute from an OPC UA server"},
    {"write", ug_cmd_write, ug_cmd_write_usage, "write a value to an OPC UA server"},
    {"call", ug_cmd_call, ug_cmd_call_usage, "call a method on an OPC UA server"},
    {"hash-password", ug_cmd_hash_password, ug_cmd_hash_password_usage,
     "print a password hash for the server's users"},
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
    fprintf(f, "usage: uagate <command> [options] [args]\n"
               "       uagate --help | --version\n"
               "       uagate <command> --help\n\ncommands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return UG_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        if (argc > 2) {
            for (size_t i = 0; i < N_COMMANDS; i++)
                if (strcmp(argv[2], commands[i].name) == 0) {
                    commands[i].usage(stdout);
                    return UG_EXIT_OK;
                }
            fprintf(stderr, "uagate: unknown command '%s'\n", argv[2]);
            usage(stderr);
            return UG_EXIT_USAGE;
        }
        usage(stdout);
        return UG_EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        printf("uagate %s\n", UG_VERSION);
        return UG_EXIT_OK;
    }
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(cmd, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "uagate: unknown command '%s'\n", cmd);
    usage(stderr);
    return UG_EXIT_USAGE;
}
