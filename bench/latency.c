/* latency: one-way and round-trip latency of UADP NetworkMessages through
 * uagate's opc.udp and opc.eth transports, side by side in the same run with
 * a bare floor (plain sendto/recv on a UDP or AF_PACKET socket, blocking, one
 * thread each side), at 1 kHz, 10 kHz and flat out.
 *
 * Paths: udp-lo (127.0.0.1), udp-ns and eth-ns (a veth pair between two
 * network namespaces the benchmark creates and deletes; root only). The
 * measuring is gateway/latency.c, the engine of `uagate bench latency`, which
 * runs one configuration of this matrix with a user's choices.
 *
 *   latency [-s seconds] [-n flat_count] [-p fifo_prio] [-c] [-j out.json] [-o plot_dir]
 *
 * -c pins the publisher to CPU 0 and the subscriber to CPU 1. Prints a
 * table; with -j writes JSON; with -o writes percentile curves and
 * histograms and, when gnuplot is installed, SVG plots. Asserts nothing.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "latency.h"

#if !defined(UG_HAVE_TRANSPORTS) || !defined(UG_HAVE_RT)
#error "latency needs the rt and transports layers"
#endif

static void on_signal(int sig)
{
    (void)sig;
    ug_lat_interrupt();
}

int main(int argc, char **argv)
{
    double secs = 2;
    uint64_t flat = 100000;
    const char *json = NULL, *dir = NULL;
    int fifo = 0, cpu = -1, c;
    while ((c = getopt(argc, argv, "s:n:p:cj:o:")) != -1) {
        switch (c) {
        case 's': secs = atof(optarg); break;
        case 'n': flat = strtoull(optarg, NULL, 10); break;
        case 'p': fifo = atoi(optarg); break;
        case 'c': cpu = 0; break;
        case 'j': json = optarg; break;
        case 'o': dir = optarg; break;
        default:
            fprintf(stderr, "usage: %s [-s seconds] [-n flat_count] [-p fifo_prio] [-c] "
                            "[-j out.json] [-o plot_dir]\n", argv[0]);
            return 2;
        }
    }
    if (secs <= 0 || flat == 0 || fifo < 0 || fifo > 99) {
        fprintf(stderr, "latency: -s, -n must be positive, -p 1..99\n");
        return 2;
    }
    char err[256];
    static struct ug_lat_msg msg;
    if (ug_lat_msg_build(&msg, 0, err, sizeof err) != UG_STATUS_GOOD) {
        fprintf(stderr, "latency: %s\n", err);
        return 1;
    }
    struct ug_lat_net lo, ns;
    ug_lat_net_setup(&lo, false, err, sizeof err);
    bool have_ns = ug_lat_net_setup(&ns, true, err, sizeof err) == UG_STATUS_GOOD;
    if (!have_ns)
        fprintf(stderr, "latency: %s: namespace paths skipped\n", err);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);

    static const int64_t rates[] = {1000, 10000, 0};
    enum { NPATHS = 3, CAP = NPATHS * 2 * 3 * 2 };
    struct ug_lat_spec specs[CAP];
    struct ug_lat_result *res = calloc(CAP, sizeof *res);
    if (!res)
        return 1;
    printf("UADP message: %zu bytes (RawData, %s); %.1f s per paced run, %llu flat out\n",
           msg.len, "send time, sequence number, filler", secs, (unsigned long long)flat);
    ug_lat_print_header(stdout);
    size_t n = 0;
    bool stop = false;
    for (int p = 0; p < NPATHS && !stop; p++) {
        if (p > 0 && !have_ns)
            break;
        for (int rtt = 0; rtt < 2 && !stop; rtt++) {
            for (size_t k = 0; k < 3 && !stop; k++) {
                for (int impl = UG_LAT_BARE; impl <= UG_LAT_UAGATE && !stop; impl++) {
                    struct ug_lat_spec *s = &specs[n];
                    *s = (struct ug_lat_spec){
                        .msg = &msg, .net = p == 0 ? &lo : &ns,
                        .link = p == 2 ? UG_LAT_ETH : UG_LAT_UDP,
                        .impl = (enum ug_lat_impl)impl, .rtt = rtt, .rate_hz = rates[k],
                        .count = rates[k] ? (uint64_t)(secs * (double)rates[k]) : flat,
                        .fifo = fifo, .cpu = cpu};
                    if (rtt && !rates[k] && s->count > 20000)
                        s->count = 20000; /* ping-pong: one in flight */
                    ug_status st = ug_lat_measure(s, &res[n]);
                    if (st == UG_STATUS_BADREQUESTINTERRUPTED)
                        stop = true;
                    else if (st != UG_STATUS_GOOD)
                        fprintf(stderr, "latency: %s\n", res[n].err);
                    ug_lat_print_row(s, &res[n], stdout);
                    fflush(stdout);
                    n++;
                }
            }
        }
    }
    ug_lat_net_cleanup(&ns);
    if (json) {
        if (ug_lat_write_json(json, specs, res, n))
            printf("json: %s\n", json);
        else
            perror(json);
    }
    if (dir) {
        mkdir(dir, 0777); /* an existing one is fine; other failures show below */
        bool gp = ug_lat_have_gnuplot();
        if (!ug_lat_write_plots(dir, specs, res, n, gp, err, sizeof err))
            fprintf(stderr, "latency: %s\n", err);
        else
            printf(gp ? "plots: %s/*.svg\n" : "gnuplot not installed: curves and %s/plot.gp "
                                              "written, no SVG\n", dir);
    }
    free(res);
    return stop ? 130 : 0;
}
