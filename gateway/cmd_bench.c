/* cmd_bench — `uagate bench latency`: the latency benchmark as a user
 * feature. A publisher sends real UADP NetworkMessages to an echoing
 * subscriber over opc.udp or opc.eth, on loopback or between two network
 * namespaces, and the table shows one-way and round-trip latency, loss and
 * reordering; --floor measures plain sockets doing the same exchange in the
 * same run. The measuring is gateway/latency.c, shared with bench/latency. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "latency.h"
#include "uagate/transport.h"

#define MAX_RUNS 4

void ug_cmd_bench_usage(FILE *f)
{
    fprintf(f,
            "usage: uagate bench latency [options]\n"
            "Measures the latency of UADP NetworkMessages from a publisher to an echoing\n"
            "subscriber through uagate's transports and prints p50/p99/p99.9/max, loss and\n"
            "reordering (microseconds). One-way latency needs both ends on one clock, so\n"
            "both run on this host: over loopback, or in two network namespaces joined by\n"
            "a veth pair that the benchmark creates and removes (root).\n"
            "  --transport udp|eth   opc.udp (default) or opc.eth (raw Ethernet, --path ns)\n"
            "  --path lo|ns          loopback (default) or two namespaces (root)\n"
            "  --mode oneway|rtt|both  one-way, round trip through the echo, or both (default)\n"
            "  --rate HZ|flat        messages per second (default 1000; \"10k\" is 10000)\n"
            "                        or flat out\n"
            "  --size BYTES          NetworkMessage size, %zu..%u (default %zu)\n"
            "  --duration D          length of each measurement (default 5s; \"500ms\")\n"
            "  --vlan VID            opc.eth: 802.1Q tag with this VLAN id (1..4094)\n"
            "  --pcp N               opc.eth: 802.1Q priority 0..7 (default 0; needs --vlan)\n"
            "  --fifo PRIO           run both ends SCHED_FIFO at PRIO 1..99 (root)\n"
            "  --cpu N               pin the publisher to CPU N, the subscriber to the next\n"
            "  --floor               also measure plain sockets (sendto/recv, AF_PACKET)\n"
            "  --json FILE           write the results and histograms as JSON\n"
            "  --plot DIR            write percentile curves and histograms (text, JSON)\n"
            "                        and, when gnuplot is installed, SVG plots into DIR\n"
            "Two machines (round trip only: they have two clocks; no --floor):\n"
            "  --role echo|pub       run one end: the echo, or the publisher that measures\n"
            "  --peer URL            where this end sends (opc.udp://HOST:PORT, opc.eth://MAC\n"
            "                        with :VID.PCP for a VLAN tag)\n"
            "  --listen URL          where this end receives (a local address, a multicast\n"
            "                        group, or this interface's MAC)\n"
            "  --interface IF        the network interface (required for opc.eth)\n"
            "  e.g. on B: uagate bench latency --role echo --listen opc.udp://0.0.0.0:48600 \\\n"
            "                 --peer opc.udp://A:48601\n"
            "       on A: uagate bench latency --role pub --peer opc.udp://B:48600 \\\n"
            "                 --listen opc.udp://0.0.0.0:48601 --duration 10s\n"
            "  The echo end runs until --duration has passed, or until Ctrl-C.\n"
            "Exit 0; 1 when a measurement could not run or lost every message; 2 usage\n"
            "errors and missing privileges; 130 when interrupted.\n",
            ug_lat_msg_min_size(), UG_LAT_MAX_MSG, ug_lat_msg_min_size() + 32);
}

static void on_signal(int sig)
{
    (void)sig;
    ug_lat_interrupt();
}

static bool parse_uint(const char *s, long long lo, long long hi, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end || errno || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

/* "1000", "10k", "flat" */
static bool parse_rate(const char *s, int64_t *hz)
{
    if (strcmp(s, "flat") == 0) {
        *hz = 0;
        return true;
    }
    char buf[32];
    size_t n = strlen(s);
    if (n == 0 || n >= sizeof buf)
        return false;
    memcpy(buf, s, n + 1);
    long long mul = 1, v;
    if (buf[n - 1] == 'k' || buf[n - 1] == 'K') {
        mul = 1000;
        buf[n - 1] = '\0';
    }
    if (!parse_uint(buf, 1, 10000000, &v) || v * mul > 10000000)
        return false;
    *hz = v * mul;
    return true;
}

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "uagate bench latency: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(see uagate bench latency --help)\n");
    return UG_EXIT_USAGE;
}

/* --role: both URLs parse, are opc.udp or both opc.eth (with --interface). */
static int check_urls(struct ug_lat_spec *base)
{
    if (!base->to_url || !base->listen_url)
        return usage_error("%s", "--role needs --peer URL (where to send) and --listen URL "
                                 "(where to receive)");
    ug_transport_url to, listen;
    char err[200];
    if (ug_transport_url_parse(base->to_url, &to, err, sizeof err) != UG_STATUS_GOOD)
        return usage_error("--peer: %s", err);
    if (ug_transport_url_parse(base->listen_url, &listen, err, sizeof err) != UG_STATUS_GOOD)
        return usage_error("--listen: %s", err);
    if ((to.kind != UG_TRANSPORT_UDP && to.kind != UG_TRANSPORT_ETH) || to.kind != listen.kind)
        return usage_error("%s", "--peer and --listen must both be opc.udp:// or both "
                                 "opc.eth:// URLs");
    base->link = to.kind == UG_TRANSPORT_ETH ? UG_LAT_ETH : UG_LAT_UDP;
    if (base->link == UG_LAT_ETH && !base->interface)
        return usage_error("%s", "opc.eth needs --interface IF");
    return UG_EXIT_OK;
}

/* Prints how far uagate is above the floor, per pair of rows. */
static void print_comparison(const struct ug_lat_spec *specs, const struct ug_lat_result *res,
                             size_t n)
{
    for (size_t i = 0; i + 1 < n; i++) {
        if (specs[i].impl != UG_LAT_BARE || specs[i + 1].impl != UG_LAT_UAGATE ||
            !res[i].h.count || !res[i + 1].h.count)
            continue;
        const struct ug_hist *b = &res[i].h, *u = &res[i + 1].h;
        char label[64];
        ug_lat_label(&specs[i + 1], label, sizeof label);
        *strrchr(label, ' ') = '\0';
        double b50 = (double)ug_hist_percentile(b, 50), u50 = (double)ug_hist_percentile(u, 50);
        double b99 = (double)ug_hist_percentile(b, 99), u99 = (double)ug_hist_percentile(u, 99);
        printf("%s: uagate p50 %.2f us (floor %.2f, x%.2f), p99 %.2f us (floor %.2f, x%.2f)\n",
               label, u50 / 1000, b50 / 1000, b50 > 0 ? u50 / b50 : 0.0, u99 / 1000, b99 / 1000,
               b99 > 0 ? u99 / b99 : 0.0);
    }
}

static void echo_ready(const struct ug_lat_spec *s)
{
    printf("echo: receiving on %s, echoing to %s; %s\n", s->listen_url, s->to_url,
           s->duration_ns ? "until --duration has passed" : "Ctrl-C to stop");
    fflush(stdout);
}

/* --role echo: echoes until the duration has passed or Ctrl-C. */
static int run_echo(struct ug_lat_spec *s, struct ug_lat_result *res)
{
    s->rtt = true;
    s->impl = UG_LAT_UAGATE;
    s->on_ready = echo_ready;
    ug_status st = ug_lat_measure(s, res);
    if (st != UG_STATUS_GOOD && st != UG_STATUS_BADREQUESTINTERRUPTED) {
        fprintf(stderr, "uagate bench latency: echo: %s\n", res->err);
        return UG_EXIT_BAD_INPUT;
    }
    printf("echoed %llu messages\n", (unsigned long long)res->echoed);
    return UG_EXIT_OK;
}

/* The measurements of one host (or the publisher end): the table, the
 * comparison with the floor, JSON and plots. */
static int run_table(const struct ug_lat_spec *base, bool oneway, bool rtt, bool floor,
                     struct ug_lat_result *res, const char *json, const char *plot)
{
    struct ug_lat_spec specs[MAX_RUNS];
    size_t n = 0;
    for (int mode = 0; mode < 2; mode++) {
        if ((mode == 0 && !oneway) || (mode == 1 && !rtt))
            continue;
        for (int impl = floor ? UG_LAT_BARE : UG_LAT_UAGATE; impl <= UG_LAT_UAGATE; impl++) {
            specs[n] = *base;
            specs[n].rtt = mode == 1;
            specs[n].impl = (enum ug_lat_impl)impl;
            n++;
        }
    }
    char rate[32], link[64] = "opc.udp", where[300];
    snprintf(rate, sizeof rate, base->rate_hz ? "%lld Hz" : "flat out", (long long)base->rate_hz);
    if (base->link == UG_LAT_ETH)
        snprintf(link, sizeof link, base->vlan ? "opc.eth (802.1Q VID %u, PCP %u)" : "opc.eth",
                 base->vid, base->pcp);
    if (base->role == UG_LAT_PUB_END)
        snprintf(where, sizeof where, " to %s, echoes on %s", base->to_url, base->listen_url);
    else
        snprintf(where, sizeof where, "%s",
                 base->net->ns ? " between two namespaces (veth)" : " on loopback");
    printf("UADP NetworkMessage: %zu bytes over %s%s, %s, %.3g s per measurement\n",
           base->msg->len, link, where, rate, (double)base->duration_ns / 1e9);
    ug_lat_print_header(stdout);
    fflush(stdout);
    int rc = UG_EXIT_OK;
    size_t done = 0;
    for (; done < n; done++) {
        ug_status st = ug_lat_measure(&specs[done], &res[done]);
        if (st == UG_STATUS_BADREQUESTINTERRUPTED) {
            ug_lat_print_row(&specs[done], &res[done], stdout); /* what it had so far */
            rc = 130;
            done++;
            break;
        }
        if (st != UG_STATUS_GOOD) {
            char label[64];
            ug_lat_label(&specs[done], label, sizeof label);
            fprintf(stderr, "uagate bench latency: %s: %s\n", label, res[done].err);
            rc = UG_EXIT_BAD_INPUT;
        } else if (res[done].received == 0) {
            fprintf(stderr, "uagate bench latency: %s\n",
                    base->role == UG_LAT_PUB_END
                        ? "no echo came back: is the echo end running (--role echo) with "
                          "--listen at this --peer and --peer at this --listen?"
                        : "no message arrived (a firewall on the path?)");
            rc = UG_EXIT_BAD_INPUT;
        }
        ug_lat_print_row(&specs[done], &res[done], stdout);
        fflush(stdout);
    }
    print_comparison(specs, res, done);
    if (json) {
        if (ug_lat_write_json(json, specs, res, done)) {
            printf("json: %s\n", json);
        } else {
            fprintf(stderr, "uagate bench latency: --json %s: %s\n", json, strerror(errno));
            rc = UG_EXIT_BAD_INPUT;
        }
    }
    if (plot) {
        char err[256];
        bool gp = ug_lat_have_gnuplot();
        if (!ug_lat_write_plots(plot, specs, res, done, gp, err, sizeof err)) {
            fprintf(stderr, "uagate bench latency: --plot: %s\n", err);
            rc = UG_EXIT_BAD_INPUT;
        } else if (gp) {
            printf("plots: %s/*.svg (histograms and percentile curves as text: *.hist, *.dat)\n",
                   plot);
        } else {
            printf("plots: gnuplot is not installed, so no SVG: wrote the histograms as text "
                   "(%s/*.hist, *.dat) and JSON (*.json) and %s/plot.gp; install gnuplot "
                   "(apt-get install gnuplot-nox) and run `gnuplot plot.gp` in %s for SVG\n",
                   plot, plot, plot);
        }
    }
    return rc;
}

int ug_cmd_bench(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        ug_cmd_bench_usage(stdout);
        return UG_EXIT_OK;
    }
    if (argc < 2 || strcmp(argv[1], "latency") != 0) {
        if (argc < 2)
            fprintf(stderr, "uagate bench: which benchmark? (latency)\n");
        else
            fprintf(stderr, "uagate bench: unknown benchmark '%s' (there is: latency)\n", argv[1]);
        ug_cmd_bench_usage(stderr);
        return UG_EXIT_USAGE;
    }
    enum { O_TRANSPORT = 256, O_PATH, O_MODE, O_RATE, O_SIZE, O_DURATION, O_VLAN, O_PCP, O_FIFO,
           O_CPU, O_FLOOR, O_JSON, O_PLOT, O_ROLE, O_PEER, O_LISTEN, O_INTERFACE };
    static const struct option opts[] = {
        {"transport", required_argument, NULL, O_TRANSPORT},
        {"path", required_argument, NULL, O_PATH},
        {"mode", required_argument, NULL, O_MODE},
        {"rate", required_argument, NULL, O_RATE},
        {"size", required_argument, NULL, O_SIZE},
        {"duration", required_argument, NULL, O_DURATION},
        {"vlan", required_argument, NULL, O_VLAN},
        {"pcp", required_argument, NULL, O_PCP},
        {"fifo", required_argument, NULL, O_FIFO},
        {"cpu", required_argument, NULL, O_CPU},
        {"floor", no_argument, NULL, O_FLOOR},
        {"json", required_argument, NULL, O_JSON},
        {"plot", required_argument, NULL, O_PLOT},
        {"role", required_argument, NULL, O_ROLE},
        {"peer", required_argument, NULL, O_PEER},
        {"listen", required_argument, NULL, O_LISTEN},
        {"interface", required_argument, NULL, O_INTERFACE},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    struct ug_lat_spec base = {.rate_hz = 1000, .duration_ns = 5000000000LL, .cpu = -1};
    bool ns = false, floor = false, oneway = true, rtt = true, have_pcp = false;
    long long size = 0, v;
    const char *json = NULL, *plot = NULL;
    int c;
    optind = 1;
    opterr = 0;
    char **av = argv + 1; /* "latency" plays the program name */
    int ac = argc - 1;
    unsigned given = 0; /* bit (option - O_TRANSPORT) per long option seen */
    while ((c = getopt_long(ac, av, "h", opts, NULL)) != -1) {
        if (c >= O_TRANSPORT)
            given |= 1u << (c - O_TRANSPORT);
        switch (c) {
        case O_TRANSPORT:
            if (strcmp(optarg, "udp") && strcmp(optarg, "eth"))
                return usage_error("--transport: \"%s\" is not udp or eth", optarg);
            base.link = optarg[0] == 'e' ? UG_LAT_ETH : UG_LAT_UDP;
            break;
        case O_PATH:
            if (strcmp(optarg, "lo") && strcmp(optarg, "ns"))
                return usage_error("--path: \"%s\" is not lo or ns", optarg);
            ns = optarg[0] == 'n';
            break;
        case O_MODE:
            if (strcmp(optarg, "oneway") && strcmp(optarg, "rtt") && strcmp(optarg, "both"))
                return usage_error("--mode: \"%s\" is not oneway, rtt or both", optarg);
            oneway = optarg[0] != 'r';
            rtt = optarg[0] != 'o';
            break;
        case O_RATE:
            if (!parse_rate(optarg, &base.rate_hz))
                return usage_error("--rate: \"%s\" is not a rate in Hz (1..10000000, \"10k\") "
                                   "or \"flat\"", optarg);
            break;
        case O_SIZE:
            if (!parse_uint(optarg, (long long)ug_lat_msg_min_size(), UG_LAT_MAX_MSG, &size))
                return usage_error("--size: \"%s\" is not a message size in bytes within the "
                                   "range --help shows", optarg);
            break;
        case O_DURATION:
            if (!ug_cfg_parse_duration(optarg, &base.duration_ns) || base.duration_ns <= 0)
                return usage_error("--duration: \"%s\" is not a positive duration (\"1s\", "
                                   "\"500ms\")", optarg);
            break;
        case O_VLAN:
            if (!parse_uint(optarg, 1, 4094, &v))
                return usage_error("--vlan: \"%s\" is not a VLAN id 1..4094", optarg);
            base.vlan = true;
            base.vid = (uint16_t)v;
            break;
        case O_PCP:
            if (!parse_uint(optarg, 0, 7, &v))
                return usage_error("--pcp: \"%s\" is not a priority 0..7", optarg);
            base.pcp = (uint8_t)v;
            have_pcp = true;
            break;
        case O_FIFO:
            if (!parse_uint(optarg, 1, 99, &v))
                return usage_error("--fifo: \"%s\" is not a SCHED_FIFO priority 1..99", optarg);
            base.fifo = (int)v;
            break;
        case O_CPU:
            if (!parse_uint(optarg, 0, sysconf(_SC_NPROCESSORS_ONLN) - 1, &v))
                return usage_error("--cpu: \"%s\" is not an online CPU number", optarg);
            base.cpu = (int)v;
            break;
        case O_FLOOR: floor = true; break;
        case O_JSON: json = optarg; break;
        case O_PLOT: plot = optarg; break;
        case O_ROLE:
            if (strcmp(optarg, "pub") && strcmp(optarg, "echo"))
                return usage_error("--role: \"%s\" is not pub or echo", optarg);
            base.role = optarg[0] == 'p' ? UG_LAT_PUB_END : UG_LAT_ECHO_END;
            break;
        case O_PEER: base.to_url = optarg; break;
        case O_LISTEN: base.listen_url = optarg; break;
        case O_INTERFACE: base.interface = optarg; break;
        case 'h': ug_cmd_bench_usage(stdout); return UG_EXIT_OK;
        default:
            return usage_error("%s: unknown option or missing value", av[optind - 1]);
        }
    }
    if (optind != ac)
        return usage_error("unexpected argument \"%s\"", av[optind]);
#define GIVEN(o) (given & 1u << ((o) - O_TRANSPORT))
    if (!base.role && (GIVEN(O_PEER) || GIVEN(O_LISTEN) || GIVEN(O_INTERFACE)))
        return usage_error("%s", "--peer, --listen and --interface are for two machines: add "
                                 "--role pub|echo");
    if (base.role) {
        if (GIVEN(O_PATH) || GIVEN(O_TRANSPORT) || GIVEN(O_FLOOR) || GIVEN(O_VLAN) || GIVEN(O_PCP))
            return usage_error("%s", "with --role the URLs say where and how (a VLAN tag as "
                                     "opc.eth://MAC:VID.PCP); --path, --transport, --floor, "
                                     "--vlan and --pcp are for one host");
        if (GIVEN(O_MODE) && (oneway || !rtt))
            return usage_error("%s", "one-way latency needs one clock: with --role only the "
                                     "round trip is measured (--mode rtt)");
        int rc = check_urls(&base);
        if (rc != UG_EXIT_OK)
            return rc;
        oneway = false;
        if (base.role == UG_LAT_ECHO_END && !GIVEN(O_DURATION))
            base.duration_ns = 0; /* until Ctrl-C */
    }
#undef GIVEN
    if (base.link == UG_LAT_ETH && !ns && !base.role)
        return usage_error("%s", "--transport eth runs over the namespaces' veth pair: "
                                 "add --path ns");
    if ((base.vlan || have_pcp) && base.link != UG_LAT_ETH)
        return usage_error("%s", "--vlan and --pcp apply to --transport eth only");
    if (have_pcp && !base.vlan)
        return usage_error("%s", "--pcp needs --vlan (the priority travels in the 802.1Q tag)");
    if (base.fifo && geteuid() != 0)
        return usage_error("%s", "--fifo needs root (SCHED_FIFO)");
    if (plot && mkdir(plot, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "uagate bench latency: --plot %s: %s\n", plot, strerror(errno));
        return UG_EXIT_USAGE;
    }

    /* from here on a signal stops the measurements, and the namespaces
     * are removed on the way out */
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    struct ug_lat_msg *msg = malloc(sizeof *msg);
    struct ug_lat_result *res = calloc(MAX_RUNS, sizeof *res);
    struct ug_lat_net net;
    char err[256];
    int rc = UG_EXIT_USAGE;
    if (!msg || !res) {
        fprintf(stderr, "uagate bench latency: out of memory\n");
        rc = UG_EXIT_BAD_INPUT;
    } else if (ug_lat_msg_build(msg, (size_t)size, err, sizeof err) != UG_STATUS_GOOD) {
        fprintf(stderr, "uagate bench latency: %s\n", err);
    } else if (ug_lat_net_setup(&net, ns, err, sizeof err) != UG_STATUS_GOOD) {
        fprintf(stderr, "uagate bench latency: %s\n", err);
    } else {
        base.msg = msg;
        base.net = &net;
        if (base.role == UG_LAT_ECHO_END)
            rc = run_echo(&base, res);
        else
            rc = run_table(&base, oneway, rtt, floor, res, json, plot);
        ug_lat_net_cleanup(&net);
    }
    free(msg);
    free(res);
    return rc;
}
