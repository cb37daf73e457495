/* run — `uagate run`: load a configuration, build the engine, run the loop;
 * SIGHUP reloads (applying only the difference), SIGINT/SIGTERM stop
 * cleanly; --status prints the live status periodically. Also `uagate
 * check`, which validates a configuration file and builds nothing. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "gw.h"
#include "log.h"
#include "server_bridge.h"

#define DEFAULT_CONFIG "config/default.json"

typedef struct run_ctx {
    gw *g;
    gw_srv *srv;     /* NULL: no OPC UA server */
    gw_csrc *csrc;   /* NULL: no opcua field sources */
    ug_loop *loop;
    const char *path;
    struct ug_watch sigw;
    int sigfd;
    struct ug_timer stop_timer;
    struct ug_timer status_timer;
    bool status, status_json;
    int exit_code;
} run_ctx;

static void reload(run_ctx *rc)
{
    ug_log(UG_LOG_INFO, "SIGHUP: reloading %s", rc->path);
    ug_cfg *cfg = NULL;
    int errs = ug_cfg_load(rc->path, stderr, &cfg);
    if (errs) {
        ug_log(UG_LOG_ERROR, "%s: %d error%s; keeping the running configuration", rc->path,
               errs, errs == 1 ? "" : "s");
        return;
    }
    if (!ug_cfg_server_equal(&rc->g->cfg->server, &cfg->server))
        ug_log(UG_LOG_WARN, "reload: the \"server\" section changed; restart uagate to apply it");
    ug_status st = ug_gw_apply(rc->g, cfg);
    if (st != UG_STATUS_GOOD)
        ug_log(UG_LOG_ERROR, "reload: %s", ug_status_name(st));
    else
        ug_log(UG_LOG_INFO, "reloaded %s", rc->path);
    /* Component handles may have changed: the address space follows. */
    if (rc->srv && (st = ug_gw_srv_rebuild(rc->srv)) != UG_STATUS_GOOD)
        ug_log(UG_LOG_ERROR, "reload: OPC UA nodes: %s", ug_status_name(st));
    if ((st = ug_gw_csrc_rebuild(&rc->csrc, rc->g)) != UG_STATUS_GOOD)
        ug_log(UG_LOG_ERROR, "reload: opcua sources: %s", ug_status_name(st));
}

static void on_signal(ug_loop *loop, struct ug_watch *w, uint32_t revents)
{
    (void)revents;
    run_ctx *rc = w->data;
    struct signalfd_siginfo si;
    while (read(rc->sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
        if (si.ssi_signo == SIGHUP) {
            reload(rc);
        } else {
            ug_log(UG_LOG_INFO, "%s: stopping", strsignal((int)si.ssi_signo));
            ug_loop_stop(loop);
        }
    }
}

static void on_stop_timer(ug_loop *loop, struct ug_timer *t)
{
    (void)t;
    ug_loop_stop(loop);
}

static void on_status_timer(ug_loop *loop, struct ug_timer *t)
{
    (void)loop;
    run_ctx *rc = t->data;
    /* JSON: the OPC UA lines ({"opcuaServer": ...}, {"opcuaSources": ...})
     * come first, so the engine's object stays the last line of each round. */
    if (!rc->status_json)
        ug_gw_status_print(rc->g, stdout, false);
    ug_gw_srv_status_print(rc->srv, stdout, rc->status_json);
    ug_gw_csrc_status_print(rc->csrc, stdout, rc->status_json);
    if (rc->status_json)
        ug_gw_status_print(rc->g, stdout, true);
}

void ug_cmd_run_usage(FILE *f)
{
    fprintf(f,
            "usage: uagate run [CONFIG] [options]\n"
            "Runs the gateway with CONFIG (default " DEFAULT_CONFIG ").\n"
            "Also serves OPC UA on the configuration's \"server\" url (default\n"
            "opc.tcp://0.0.0.0:4840; \"server\": {\"enabled\": false} turns it off).\n"
            "  -d, --duration D     stop after D (\"10s\", \"500ms\"); default: until a signal\n"
            "  -s, --status         print the live status every statusInterval (default 1s)\n"
            "      --status-json    the same, one JSON object per line\n"
            "  -l, --log-level L    error, warn, info (default), debug\n"
            "  -h, --help           this text\n"
            "Signals: SIGHUP reloads CONFIG and applies only what changed; SIGINT and\n"
            "SIGTERM stop cleanly.\n");
}

static int parse_common(int argc, char **argv, run_ctx *rc, int64_t *duration_ns,
                        void (*usage)(FILE *))
{
    static const struct option opts[] = {
        {"duration", required_argument, NULL, 'd'}, {"status", no_argument, NULL, 's'},
        {"status-json", no_argument, NULL, 'j'},    {"log-level", required_argument, NULL, 'l'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:sl:h", opts, NULL)) != -1) {
        enum ug_log_level lvl;
        switch (c) {
        case 'd':
            if (!ug_cfg_parse_duration(optarg, duration_ns) || *duration_ns <= 0) {
                fprintf(stderr, "uagate %s: --duration: \"%s\" is not a duration (use e.g. "
                                "\"10s\")\n", argv[0], optarg);
                return UG_EXIT_USAGE;
            }
            break;
        case 's': rc->status = true; break;
        case 'j': rc->status = rc->status_json = true; break;
        case 'l':
            if (!ug_log_parse_level(optarg, &lvl)) {
                fprintf(stderr, "uagate %s: --log-level: use error, warn, info or debug\n",
                        argv[0]);
                return UG_EXIT_USAGE;
            }
            ug_log_set_level(lvl);
            break;
        case 'h': usage(stdout); return -1;
        default: usage(stderr); return UG_EXIT_USAGE;
        }
    }
    if (argc - optind > 1) {
        usage(stderr);
        return UG_EXIT_USAGE;
    }
    rc->path = optind < argc ? argv[optind] : DEFAULT_CONFIG;
    return UG_EXIT_OK;
}

int ug_cmd_run(int argc, char **argv)
{
    run_ctx rc = {.sigfd = -1};
    int64_t duration_ns = 0;
    int pr = parse_common(argc, argv, &rc, &duration_ns, ug_cmd_run_usage);
    if (pr)
        return pr < 0 ? UG_EXIT_OK : pr;

    ug_cfg *cfg = NULL;
    int errs = ug_cfg_load(rc.path, stderr, &cfg);
    if (errs) {
        fprintf(stderr, "uagate run: %s: %d error%s, nothing started\n", rc.path, errs,
                errs == 1 ? "" : "s");
        return UG_EXIT_BAD_INPUT;
    }
    /* Signals become readable events on the loop, so a reload runs on the
     * loop thread between cycles. Blocked before any thread exists. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigprocmask(SIG_BLOCK, &set, NULL);
    rc.sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (rc.sigfd < 0) {
        fprintf(stderr, "uagate run: signalfd: %s\n", strerror(errno));
        ug_cfg_free(cfg);
        return UG_EXIT_USAGE;
    }
    ug_status st = ug_loop_new(NULL, &rc.loop);
    if (st == UG_STATUS_GOOD)
        st = ug_gw_new(rc.loop, &rc.g);
    if (st == UG_STATUS_GOOD)
        st = ug_watch_start(rc.loop, &rc.sigw, rc.sigfd, EPOLLIN, on_signal, &rc);
    if (st != UG_STATUS_GOOD) {
        fprintf(stderr, "uagate run: cannot start: %s\n", ug_status_name(st));
        ug_cfg_free(cfg);
        ug_gw_free(rc.g);
        ug_loop_close(rc.loop, -1);
        close(rc.sigfd);
        return UG_EXIT_USAGE;
    }
    int64_t status_ns = cfg->status_interval_ns;
    /* Before anything can fail: the clean-up below stops both. */
    ug_timer_init(&rc.stop_timer, on_stop_timer, &rc);
    ug_timer_init(&rc.status_timer, on_status_timer, &rc);
    st = ug_gw_apply(rc.g, cfg);
    if (st != UG_STATUS_GOOD) {
        ug_log(UG_LOG_ERROR, "%s: could not build everything: %s", rc.path, ug_status_name(st));
        rc.exit_code = UG_EXIT_BAD_INPUT;
    } else if ((st = ug_gw_srv_new(rc.g, &rc.srv)) != UG_STATUS_GOOD) {
        ug_log(UG_LOG_ERROR, "%s: OPC UA server on %s: %s%s", rc.path, rc.g->cfg->server.url,
               ug_status_name(st),
               st == UG_STATUS_BADRESOURCEUNAVAILABLE ? " (address in use? set \"server\": "
                                                        "{\"url\": ...} or \"enabled\": false)"
                                                      : "");
        rc.exit_code = UG_EXIT_BAD_INPUT;
    } else if ((st = ug_gw_csrc_new(rc.g, &rc.csrc)) != UG_STATUS_GOOD) {
        ug_log(UG_LOG_ERROR, "%s: opcua sources: %s", rc.path, ug_status_name(st));
        rc.exit_code = UG_EXIT_BAD_INPUT;
    } else {
        ug_log(UG_LOG_INFO, "running %s (loop: %s)%s", rc.path,
               ug_loop_backend_name(ug_loop_backend(rc.loop)),
               duration_ns ? "" : "; SIGHUP reloads, SIGINT/SIGTERM stop");
        if (duration_ns)
            ug_timer_start_once(rc.loop, &rc.stop_timer, ug_loop_now(rc.loop) + duration_ns);
        if (rc.status)
            ug_timer_start_cyclic(rc.loop, &rc.status_timer, status_ns, 0, UG_TIMER_CURRENT_TIME);
        st = ug_loop_run(rc.loop);
        if (st != UG_STATUS_GOOD) {
            ug_log(UG_LOG_ERROR, "event loop: %s", ug_status_name(st));
            rc.exit_code = UG_EXIT_BAD_INPUT;
        }
        if (rc.status)
            on_status_timer(rc.loop, &rc.status_timer);
    }
    ug_timer_stop(rc.loop, &rc.stop_timer);
    ug_timer_stop(rc.loop, &rc.status_timer);
    ug_watch_stop(rc.loop, &rc.sigw);
    ug_gw_csrc_free(rc.csrc);
    ug_gw_srv_free(rc.srv);
    ug_gw_free(rc.g);
    /* Transports finish closing inside the loop. */
    for (int i = 0; i < 16; i++)
        ug_loop_run_once(rc.loop, false);
    ug_loop_close(rc.loop, -1);
    close(rc.sigfd);
    ug_log(UG_LOG_INFO, "stopped");
    return rc.exit_code;
}

void ug_cmd_check_usage(FILE *f)
{
    fprintf(f, "usage: uagate check CONFIG...\n"
               "Validates configuration files and builds nothing. Each problem is printed\n"
               "as FILE: $.json.path: what is wrong. Exit 0 when every file is valid, 1 when\n"
               "one is not.\n"
               "  -q, --quiet   print nothing, only set the exit code\n");
}

int ug_cmd_check(int argc, char **argv)
{
    static const struct option opts[] = {{"quiet", no_argument, NULL, 'q'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    bool quiet = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        switch (c) {
        case 'q': quiet = true; break;
        case 'h': ug_cmd_check_usage(stdout); return UG_EXIT_OK;
        default: ug_cmd_check_usage(stderr); return UG_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        ug_cmd_check_usage(stderr);
        return UG_EXIT_USAGE;
    }
    int rc = UG_EXIT_OK;
    for (int i = optind; i < argc; i++) {
        ug_cfg *cfg = NULL;
        int errs = ug_cfg_load(argv[i], quiet ? NULL : stderr, &cfg);
        if (errs) {
            if (!quiet)
                fprintf(stderr, "%s: %d error%s\n", argv[i], errs, errs == 1 ? "" : "s");
            rc = UG_EXIT_BAD_INPUT;
            continue;
        }
        if (!quiet) {
            size_t wgs = 0, rds = 0;
            for (size_t k = 0; k < cfg->n_conns; k++) {
                wgs += cfg->conns[k].n_wgs;
                for (size_t g = 0; g < cfg->conns[k].n_rgs; g++)
                    rds += cfg->conns[k].rgs[g].n_readers;
            }
            printf("%s: OK (%zu connection%s, %zu writer group%s, %zu reader%s, %zu published "
                   "dataset%s, %zu route%s)\n",
                   argv[i], cfg->n_conns, cfg->n_conns == 1 ? "" : "s", wgs, wgs == 1 ? "" : "s",
                   rds, rds == 1 ? "" : "s", cfg->n_pds, cfg->n_pds == 1 ? "" : "s",
                   cfg->n_routes, cfg->n_routes == 1 ? "" : "s");
        }
        ug_cfg_free(cfg);
    }
    return rc;
}
