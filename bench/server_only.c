/* bench/server_only — the smallest program that serves OPC UA with uagate:
 * a ug_server on its loop and nothing else of the gateway (links
 * ug_clientserver, ug_rt and ug_types; the static libraries of the other
 * layers the bench glob adds contribute no object file). Its stripped size
 * is the "server-only binary" figure of bench/server, and bench/server runs
 * it as the server under test (so CPU and resident memory are the server's
 * alone).
 *
 *   server_only [-p PORT] [-n NVARS] [--url URL]
 *
 * Serves opc.tcp://127.0.0.1:PORT (0, the default: an ephemeral port) with,
 * in namespace 1:
 *   ns=1;s=bench/value     Double 42.5, read/write (the read benchmark's node)
 *   ns=1;s=bench/v<i>      NVARS Int64 variables (i = 0..NVARS-1, in the
 *                          folder ns=1;s=bench/vars) whose value
 *                          changes on every read (a callback returning a
 *                          per-node read counter): each sample of a monitored
 *                          item yields a data change.
 * Prints "port N" on stdout once listening; runs until SIGTERM or SIGINT,
 * then stops the server and exits 0.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uagate/nodes.h"
#include "uagate/rt.h"
#include "uagate/server.h"

static ug_loop *g_loop;

static void on_signal(int sig)
{
    (void)sig;
    ug_loop_stop(g_loop); /* async-signal-safe */
}

struct counter_var {
    int64_t reads;
};

static ug_status read_counter(void *ctx, const ug_node *n, ug_datavalue *out, ug_arena *arena)
{
    (void)n;
    (void)arena;
    struct counter_var *v = ctx;
    memset(out, 0, sizeof *out);
    out->mask = UG_DV_VALUE;
    out->value = ug_variant_scalar(UG_TYPE_INT64);
    out->value.u.v.int64 = ++v->reads;
    return UG_STATUS_GOOD;
}

static ug_nodeid str_id(const char *s)
{
    ug_nodeid id = {.ns = 1, .id_type = UG_ID_STRING};
    id.id.string = ug_string_from(s);
    return id;
}

static ug_nodeid ns0_id(uint32_t numeric)
{
    ug_nodeid id = {.ns = 0, .id_type = UG_ID_NUMERIC};
    id.id.numeric = numeric;
    return id;
}

static int usage(void)
{
    fprintf(stderr, "usage: server_only [-p PORT] [-n NVARS] [--url URL]\n");
    return 2;
}

int main(int argc, char **argv)
{
    unsigned long port = 0, nvars = 0;
    const char *url = NULL;
    for (int i = 1; i < argc; i++) {
        char *end;
        if (strcmp(argv[i], "-p") == 0 && i + 1 < argc) {
            port = strtoul(argv[++i], &end, 10);
            if (*end || port > 65535)
                return usage();
        } else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
            nvars = strtoul(argv[++i], &end, 10);
            if (*end || nvars > 1000000)
                return usage();
        } else if (strcmp(argv[i], "--url") == 0 && i + 1 < argc) {
            url = argv[++i];
        } else {
            return usage();
        }
    }
    char url_buf[64];
    if (!url) {
        snprintf(url_buf, sizeof url_buf, "opc.tcp://127.0.0.1:%lu", port);
        url = url_buf;
    }

    ug_status st = ug_loop_new(NULL, &g_loop);
    if (st != UG_STATUS_GOOD) {
        fprintf(stderr, "server_only: loop: %s\n", ug_status_name(st));
        return 1;
    }
    struct ug_server_config cfg;
    ug_server_config_init(&cfg);
    cfg.endpoint_url = url;
    cfg.application_uri = "urn:uagate:bench";
    /* The subscription benchmark puts 10,000 items in one subscription. */
    if (cfg.limits.max_monitored_items < nvars + 16)
        cfg.limits.max_monitored_items = (uint32_t)nvars + 16;
    ug_server *srv;
    st = ug_server_new(g_loop, &cfg, &srv);
    if (st != UG_STATUS_GOOD) {
        fprintf(stderr, "server_only: server: %s\n", ug_status_name(st));
        return 1;
    }

    ug_aspace *as = ug_server_aspace(srv);
    ug_datavalue dv = {.mask = UG_DV_VALUE, .value = ug_variant_scalar(UG_TYPE_DOUBLE)};
    dv.value.u.v.f64 = 42.5;
    struct ug_nodes_variable v = {
        .c = {.requested_id = str_id("bench/value"), .parent_id = ns0_id(85),
              .browse_name = {.ns = 1, .name = ug_string_from("value")}},
        .data_type = ns0_id(UG_TYPE_DOUBLE), /* built-in DataTypes: i=<type> */
        .value_rank = -1,
        .access_level = 0x03,
        .value = &dv,
    };
    st = ug_nodes_add_variable(as, &v, NULL);
    struct counter_var *vars = nvars ? calloc(nvars, sizeof *vars) : NULL;
    if (nvars && !vars)
        st = UG_STATUS_BADOUTOFMEMORY;
    if (nvars && st == UG_STATUS_GOOD) {
        /* The subscription benchmark's variables, in a folder of their own
         * (a Browse of Objects stays small). */
        struct ug_nodes_object f = {
            .c = {.requested_id = str_id("bench/vars"), .parent_id = ns0_id(85),
                  .browse_name = {.ns = 1, .name = ug_string_from("vars")}},
            .type_definition = ns0_id(61), /* FolderType */
        };
        st = ug_nodes_add_object(as, &f, NULL);
    }
    static char ids[2][48];
    for (unsigned long i = 0; i < nvars && st == UG_STATUS_GOOD; i++) {
        snprintf(ids[0], sizeof ids[0], "bench/v%lu", i);
        snprintf(ids[1], sizeof ids[1], "v%lu", i);
        struct ug_value_callbacks cb = {.read = read_counter, .ctx = &vars[i]};
        struct ug_nodes_variable cv = {
            .c = {.requested_id = str_id(ids[0]), .parent_id = str_id("bench/vars"),
                  .browse_name = {.ns = 1, .name = ug_string_from(ids[1])}},
            .data_type = ns0_id(UG_TYPE_INT64),
            .value_rank = -1,
            .minimum_sampling_interval = 0,
            .callbacks = &cb,
        };
        st = ug_nodes_add_variable(as, &cv, NULL);
    }
    if (st != UG_STATUS_GOOD) {
        fprintf(stderr, "server_only: nodes: %s\n", ug_status_name(st));
        return 1;
    }
    st = ug_server_start(srv);
    if (st != UG_STATUS_GOOD) {
        fprintf(stderr, "server_only: start %s: %s\n", url, ug_status_name(st));
        return 1;
    }
    printf("port %u\n", (unsigned)ug_server_port(srv));
    fflush(stdout);

    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    st = ug_loop_run(g_loop);
    ug_server_free(srv);
    ug_loop_close(g_loop, -1);
    free(vars);
    if (st != UG_STATUS_GOOD) {
        fprintf(stderr, "server_only: loop: %s\n", ug_status_name(st));
        return 1;
    }
    return 0;
}
