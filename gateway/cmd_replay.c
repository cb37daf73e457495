/* uagate replay FILE --to URL [-i IF] [--rate N | --speed X] [--loop N] —
 * send a capture's UADP messages again through a transport.
 *
 * Every UADP message of the capture (capture.c decides which frames carry
 * one; malformed messages are sent unchanged) goes to the one destination
 * URL, opc.udp:// or opc.eth://, so the transport kind may differ from the
 * captured one. Timing: message i is due at start + (t_i - t_0) / X (the
 * original inter-frame timing, X = --speed, default 1) or at start + i / N
 * (--rate N), each deadline absolute on CLOCK_MONOTONIC, so lateness of one
 * send never shifts the next. --loop N plays the capture N times back to
 * back, the next round one mean frame gap after the last message.
 *
 * The summary gives messages sent, errors, the achieved rate and the timing
 * error (send time - deadline) percentiles from an rt histogram.
 * Exit: 0, 1 some sends failed, 2 usage error, an unreadable capture or a
 * transport that could not be opened.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "cli.h"
#include "uagate/rt.h"
#include "uagate/transport.h"

#define START_DELAY_NS 10000000 /* first deadline: 10 ms after the transport is up */
#define NS_PER_S 1000000000LL

typedef struct rmsg {
    size_t off; /* into replay.data */
    size_t len;
    int64_t rel_ns; /* due time within one round */
} rmsg;

typedef struct replay {
    /* the capture */
    uint8_t *data;
    size_t data_len, data_cap;
    rmsg *msgs;
    size_t n, cap;
    bool have_t0;
    int64_t t0_ns;
    bool oom;
    /* the run */
    ug_loop *loop;
    ug_transport *t;
    struct ug_timer timer;
    int64_t period_ns; /* one round */
    unsigned long rounds;
    unsigned long round;
    size_t next;
    int64_t start_ns;
    int64_t first_send_ns, last_send_ns;
    unsigned long sent, errors;
    ug_status first_error;
    bool closed, interrupted;
    struct ug_hist hist;
} replay;

static ug_loop *volatile stop_loop;
static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
    (void)sig;
    got_signal = 1;
    if (stop_loop)
        ug_loop_stop(stop_loop);
}

static const char *sname(ug_status s)
{
    const char *n = ug_status_name(s);
    return n ? n : "unknown status";
}

void ug_cmd_replay_usage(FILE *f)
{
    fprintf(f,
            "usage: uagate replay FILE --to URL [-i IF] [--rate N | --speed X] [--loop N]\n"
            "                     [--spin-us U]\n"
            "  Send the UADP messages of the pcap/pcapng capture FILE again, in order, to URL\n"
            "  (opc.udp://HOST[:PORT] or opc.eth://MAC[:VID[.PCP]]), with the capture's\n"
            "  inter-frame timing on absolute deadlines.\n"
            "  --to URL    destination (required)\n"
            "  -i IF       interface (required for opc.eth, multicast interface for opc.udp)\n"
            "  --rate N    N messages per second instead of the original timing\n"
            "  --speed X   the original timing, X times faster (default 1)\n"
            "  --loop N    play the capture N times (default 1)\n"
            "  --spin-us U wake U us before each deadline and spin to it: less timing\n"
            "              error for more CPU (the rt loop's spin option)\n"
            "  Prints: sent, errors, achieved rate, timing error p50/p99/max.\n"
            "  Exit status: 0, 1 some sends failed, 2 usage error, unreadable capture or\n"
            "  transport that could not be opened.\n");
}

/* ----------------------------------------------------- load the capture -- */

static void on_frame(void *ctx, const ug_cap_pkt *p)
{
    replay *r = ctx;
    if (!p->data || r->oom)
        return;
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 64;
        rmsg *m = realloc(r->msgs, cap * sizeof *m);
        if (!m) {
            r->oom = true;
            return;
        }
        r->msgs = m;
        r->cap = cap;
    }
    if (r->data_cap - r->data_len < p->len) {
        size_t cap = r->data_cap ? r->data_cap : 65536;
        while (cap - r->data_len < p->len)
            cap *= 2;
        uint8_t *d = realloc(r->data, cap);
        if (!d) {
            r->oom = true;
            return;
        }
        r->data = d;
        r->data_cap = cap;
    }
    int64_t ts = p->ts_sec * NS_PER_S + p->ts_nsec;
    if (!r->have_t0) {
        r->t0_ns = ts;
        r->have_t0 = true;
    }
    memcpy(r->data + r->data_len, p->data, p->len);
    r->msgs[r->n++] = (rmsg){.off = r->data_len, .len = p->len, .rel_ns = ts - r->t0_ns};
    r->data_len += p->len;
}

/* Due times within a round, and the round's length. rate > 0: fixed rate;
 * else the capture's timing divided by speed. Captures out of time order
 * (merged files) keep their order; a message never precedes the one before. */
static void schedule(replay *r, double rate, double speed)
{
    int64_t prev = 0;
    for (size_t i = 0; i < r->n; i++) {
        int64_t rel = rate > 0 ? (int64_t)llround((double)i * 1e9 / rate)
                               : (int64_t)llround((double)r->msgs[i].rel_ns / speed);
        if (rel < prev)
            rel = prev;
        r->msgs[i].rel_ns = prev = rel;
    }
    int64_t gap;
    if (rate > 0)
        gap = (int64_t)llround(1e9 / rate);
    else if (r->n > 1)
        gap = prev / (int64_t)(r->n - 1);
    else
        gap = (int64_t)llround(1e6 / speed); /* one message: 1 ms apart */
    if (gap <= 0)
        gap = 1;
    r->period_ns = prev + gap;
}

/* ------------------------------------------------------------- sending -- */

static void finish(replay *r)
{
    ug_timer_stop(r->loop, &r->timer);
    if (r->t) {
        ug_transport_close(r->t);
        r->t = NULL;
    }
}

static int64_t due(const replay *r)
{
    return r->start_ns + (int64_t)r->round * r->period_ns + r->msgs[r->next].rel_ns;
}

static void on_timer(ug_loop *loop, struct ug_timer *tm)
{
    replay *r = tm->data;
    int64_t now = ug_clock_mono_ns();
    /* Everything already due goes out now: messages captured together (or
     * ones this wake-up was late for) are not held back by a timer round. */
    while (r->round < r->rounds && due(r) <= now) {
        const rmsg *m = &r->msgs[r->next];
        int64_t deadline = due(r);
        now = ug_clock_mono_ns();
        ug_status s = ug_transport_send(r->t, (ug_bytes){r->data + m->off, (int32_t)m->len}, 0);
        ug_hist_record(&r->hist, now - deadline);
        if (ug_is_bad(s)) {
            if (!r->errors)
                r->first_error = s;
            r->errors++;
        } else {
            if (!r->sent)
                r->first_send_ns = now;
            r->last_send_ns = now;
            r->sent++;
        }
        if (++r->next == r->n) {
            r->next = 0;
            r->round++;
        }
    }
    if (r->round >= r->rounds) {
        finish(r);
        return;
    }
    ug_status s = ug_timer_start_once(loop, tm, due(r));
    if (ug_is_bad(s)) {
        fprintf(stderr, "uagate replay: timer: %s\n", sname(s));
        finish(r);
    }
}

static void on_state(void *ctx, ug_transport *t, enum ug_transport_state st, ug_status s)
{
    (void)t;
    replay *r = ctx;
    if (st == UG_TRANSPORT_ERROR) {
        fprintf(stderr, "uagate replay: transport error: %s\n", sname(s));
        return;
    }
    if (st != UG_TRANSPORT_CONNECTED || ug_timer_active(&r->timer) || r->round)
        return;
    r->start_ns = ug_clock_mono_ns() + START_DELAY_NS;
    s = ug_timer_start_once(r->loop, &r->timer, due(r));
    if (ug_is_bad(s)) {
        fprintf(stderr, "uagate replay: timer: %s\n", sname(s));
        finish(r);
    }
}

static void on_closed(void *ctx, ug_transport *t)
{
    (void)t;
    replay *r = ctx;
    r->closed = true;
    ug_loop_stop(r->loop);
}

static void print_summary(const replay *r)
{
    double span_s = (double)(r->last_send_ns - r->first_send_ns) / 1e9;
    printf("replay: %lu message(s) sent, %lu error(s)", r->sent, r->errors);
    if (r->errors)
        printf(" (first: %s)", sname(r->first_error));
    if (r->sent > 1 && span_s > 0)
        printf(", %.1f msg/s over %.6f s", (double)(r->sent - 1) / span_s, span_s);
    if (r->hist.count)
        printf(", timing error p50 %.1f us p99 %.1f us max %.1f us",
               (double)ug_hist_percentile(&r->hist, 50) / 1e3,
               (double)ug_hist_percentile(&r->hist, 99) / 1e3, (double)r->hist.max / 1e3);
    printf("%s\n", r->interrupted ? " (interrupted)" : "");
}

/* ---------------------------------------------------------- arguments -- */

static int parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v > 0) || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

static int parse_ulong(const char *s, unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v == 0)
        return -1;
    *out = v;
    return 0;
}

typedef struct replay_args {
    const char *file, *url, *ifname;
    double rate, speed;
    unsigned long loops;
    double spin_us;
} replay_args;

static int parse_args(int argc, char **argv, replay_args *a)
{
    *a = (replay_args){.speed = 1, .loops = 1};
    bool speed_given = false;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        bool has_val = i + 1 < argc;
        int bad = 0;
        if (strcmp(o, "--to") == 0 && has_val) {
            a->url = argv[++i];
        } else if (strcmp(o, "-i") == 0 && has_val) {
            a->ifname = argv[++i];
        } else if (strcmp(o, "--rate") == 0 && has_val) {
            bad = parse_double(argv[++i], &a->rate);
        } else if (strcmp(o, "--speed") == 0 && has_val) {
            bad = parse_double(argv[++i], &a->speed);
            speed_given = true;
        } else if (strcmp(o, "--spin-us") == 0 && has_val) {
            bad = parse_double(argv[++i], &a->spin_us);
        } else if (strcmp(o, "--loop") == 0 && has_val) {
            bad = parse_ulong(argv[++i], &a->loops);
        } else if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0) {
            ug_cmd_replay_usage(stdout);
            return 1;
        } else if (o[0] != '-' && !a->file) {
            a->file = o;
        } else {
            fprintf(stderr, "uagate replay: unknown option, missing value or extra file '%s'\n",
                    o);
            return -1;
        }
        if (bad) {
            fprintf(stderr, "uagate replay: %s needs a positive number, not '%s'\n", o, argv[i]);
            return -1;
        }
    }
    if (!a->file || !a->url) {
        fprintf(stderr, "uagate replay: %s\n", !a->file ? "no FILE given" : "no --to URL given");
        return -1;
    }
    if (a->rate > 0 && speed_given) {
        fprintf(stderr, "uagate replay: --rate and --speed exclude each other\n");
        return -1;
    }
    return 0;
}

int ug_cmd_replay(int argc, char **argv)
{
    replay_args a;
    int prc = parse_args(argc, argv, &a);
    if (prc > 0)
        return UG_EXIT_OK;
    if (prc < 0) {
        ug_cmd_replay_usage(stderr);
        return UG_EXIT_USAGE;
    }

    replay r;
    memset(&r, 0, sizeof r);
    int exit_code = UG_EXIT_USAGE;
    char err[512];
    if (ug_capture_read(a.file, on_frame, &r, err, sizeof err)) {
        fprintf(stderr, "uagate replay: %s: %s\n", a.file, err);
        goto out;
    }
    if (r.oom) {
        fprintf(stderr, "uagate replay: %s: out of memory\n", a.file);
        goto out;
    }
    if (!r.n) {
        fprintf(stderr, "uagate replay: %s: no UADP messages\n", a.file);
        goto out;
    }
    schedule(&r, a.rate, a.speed);
    r.rounds = a.loops;
    ug_hist_reset(&r.hist);

    size_t max_len = 0;
    for (size_t i = 0; i < r.n; i++)
        if (r.msgs[i].len > max_len)
            max_len = r.msgs[i].len;
    ug_transport_url u;
    ug_status s = ug_transport_url_parse(a.url, &u, err, sizeof err);
    if (ug_is_bad(s)) {
        fprintf(stderr, "uagate replay: %s: %s\n", a.url, err);
        goto out;
    }
    struct ug_loop_options lo;
    ug_loop_options_init(&lo);
    lo.spin_ns = (int64_t)llround(a.spin_us * 1e3);
    s = ug_loop_new(&lo, &r.loop);
    if (ug_is_bad(s)) {
        fprintf(stderr, "uagate replay: event loop: %s\n", sname(s));
        goto out;
    }
    ug_timer_init(&r.timer, on_timer, &r);
    char terr[256] = "";
    ug_transport_opts o;
    memset(&o, 0, sizeof o);
    o.mode = UG_TRANSPORT_SEND;
    o.interface = a.ifname;
    o.errbuf = terr;
    o.errbuf_cap = sizeof terr;
    /* UDP: room for the largest message (the default is 4096); Ethernet: the
     * MTU decides, and a longer message fails its send, counted as an error. */
    if (u.kind == UG_TRANSPORT_UDP && max_len > 4096)
        o.max_msg = max_len > 65507 ? 65507 : (uint32_t)max_len;
    ug_transport_cbs cbs = {.ctx = &r, .on_state = on_state, .on_closed = on_closed};
    s = ug_transport_open(r.loop, a.url, &o, &cbs, &r.t);
    if (ug_is_bad(s)) {
        fprintf(stderr, "uagate replay: %s: %s%s%s\n", a.url, sname(s), terr[0] ? ": " : "",
                terr);
        goto out;
    }

    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    got_signal = 0;
    stop_loop = r.loop;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    s = ug_loop_run(r.loop);
    if (!r.closed && ug_is_good(s)) {
        /* Interrupted: close the transport and let its close finish. */
        r.interrupted = got_signal != 0;
        finish(&r);
        s = ug_loop_run(r.loop);
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    stop_loop = NULL;
    if (ug_is_bad(s)) {
        fprintf(stderr, "uagate replay: event loop: %s\n", sname(s));
        goto out;
    }
    print_summary(&r);
    exit_code = r.errors ? UG_EXIT_BAD_INPUT : UG_EXIT_OK;
out:
    fflush(stdout);
    if (r.loop) {
        ug_timer_stop(r.loop, &r.timer);
        ug_loop_close(r.loop, -1);
    }
    free(r.msgs);
    free(r.data);
    return exit_code;
}
