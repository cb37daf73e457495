/* server_bridge_cmd — `uagate hash-password`: the passwordHash of a user in
 * the "server" section of the configuration. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "uagate/server.h"

void ug_cmd_hash_password_usage(FILE *f)
{
    fprintf(f, "usage: uagate hash-password PASSWORD\n"
               "Prints a PBKDF2-HMAC-SHA256 hash of PASSWORD (random salt) for the\n"
               "configuration: \"server\": {\"users\": [{\"name\": \"...\", \"passwordHash\": \"...\"}]}.\n"
               "Use \"-\" to read the password from the first line of stdin (keeps it out\n"
               "of the process list and the shell history).\n");
}

int ug_cmd_hash_password(int argc, char **argv)
{
    if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        ug_cmd_hash_password_usage(stdout);
        return UG_EXIT_OK;
    }
    if (argc != 2) {
        ug_cmd_hash_password_usage(stderr);
        return UG_EXIT_USAGE;
    }
    char line[1024];
    const char *pw = argv[1];
    if (strcmp(pw, "-") == 0) {
        if (!fgets(line, sizeof line, stdin)) {
            fprintf(stderr, "uagate hash-password: no password on stdin\n");
            return UG_EXIT_USAGE;
        }
        line[strcspn(line, "\r\n")] = '\0';
        pw = line;
    }
    if (!pw[0]) {
        fprintf(stderr, "uagate hash-password: the password is empty\n");
        return UG_EXIT_USAGE;
    }
    char hash[160];
    ug_status st = ug_server_hash_password(pw, 0, hash, sizeof hash);
    memset(line, 0, sizeof line);
    if (st != UG_STATUS_GOOD) {
        fprintf(stderr, "uagate hash-password: %s\n", ug_status_name(st));
        return UG_EXIT_BAD_INPUT;
    }
    printf("%s\n", hash);
    return UG_EXIT_OK;
}
