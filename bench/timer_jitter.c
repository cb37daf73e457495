/* timer_jitter: wake-up jitter (actual - scheduled) of uagate's cyclic timers
 * at 1 ms and 100 us intervals, per loop backend, as a plain SCHED_OTHER
 * thread (default 50 us timer slack, then 1 ns slack) and as a pinned
 * SCHED_FIFO thread with locked memory. Also the cost of one UDP send from the
 * loop thread: direct sendmsg(2) against ug_send (io_uring SENDMSG).
 * Prints figures; asserts nothing. Steps the system refuses (EPERM) are
 * reported and skipped.
 *
 * The floor rows run the same schedule with a bare clock_nanosleep loop, and
 * the +spin rows use the loop's spin_ns option (wake early, spin to the
 * deadline).
 *
 *   timer_jitter [-s seconds] [-c cpu] [-p fifo_prio] [-w spin_us] [-j out.json]
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "uagate/rt.h"

#ifndef UG_HAVE_RT
#error "timer_jitter needs the rt layer"
#endif

enum mode { MODE_OTHER, MODE_OTHER_SLACK1, MODE_FIFO, MODE_FIFO_SPIN, NMODES };
static const char *mode_name[] = {"other", "other+slack1ns", "fifo+pin", "fifo+pin+spin"};

/* Not a loop backend: the floor, a bare clock_nanosleep(TIMER_ABSTIME) loop. */
#define FLOOR_BACKEND ((enum ug_loop_backend)99)

struct run {
    enum ug_loop_backend backend;
    enum mode mode;
    int64_t interval_ns;
    int64_t seconds;
    int cpu, prio;
    int64_t spin_ns;
    /* results */
    struct ug_hist hist;
    uint64_t fired, missed;
    bool skipped;
    char why[256];
};

struct jctx {
    struct run *run;
    int64_t end;
    uint64_t warmup;
};

static void tick(ug_loop *loop, struct ug_timer *t)
{
    int64_t late = ug_clock_mono_ns() - t->scheduled_ns;
    struct jctx *c = t->data;
    if (t->fired > c->warmup)
        ug_hist_record(&c->run->hist, late);
    if (t->scheduled_ns >= c->end)
        ug_loop_stop(loop);
}

static const char *backend_name(enum ug_loop_backend b)
{
    return b == FLOOR_BACKEND ? "floor" : ug_loop_backend_name(b);
}

static void floor_run(struct run *r)
{
    int64_t next = ug_clock_mono_ns() + 10 * 1000000;
    int64_t end = next + r->seconds * 1000000000;
    for (uint64_t i = 0; next < end; i++) {
        struct timespec ts = {next / 1000000000, next % 1000000000};
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
        int64_t now = ug_clock_mono_ns();
        if (i > 10)
            ug_hist_record(&r->hist, now - next);
        r->fired++;
        next += r->interval_ns;
        while (next < now) { /* same base-time rule as the loop */
            next += r->interval_ns;
            r->missed++;
        }
    }
}

static void *run_main(void *arg)
{
    struct run *r = arg;
    char why[200];
    ug_hist_reset(&r->hist);
    if (r->mode != MODE_OTHER)
        ug_rt_set_timer_slack(1, why, sizeof why);
    if (r->mode == MODE_FIFO || r->mode == MODE_FIFO_SPIN) {
        struct ug_rt_config cfg;
        ug_rt_config_init(&cfg);
        cfg.cpu = r->cpu;
        cfg.fifo_priority = r->prio;
        cfg.lock_memory = true;
        cfg.prefault_stack = 256 * 1024;
        cfg.prefault_heap = 4 << 20;
        struct ug_rt_result res;
        ug_rt_apply(&cfg, &res);
        if (!ug_is_good(res.fifo)) {
            snprintf(r->why, sizeof r->why, "%s", res.why[1]);
            r->skipped = true;
            return NULL;
        }
        if (!ug_is_good(res.pin) || !ug_is_good(res.lock))
            snprintf(r->why, sizeof r->why, "%s %s", res.why[0], res.why[2]);
    }
    if (r->backend == FLOOR_BACKEND) {
        floor_run(r);
        return NULL;
    }
    struct ug_loop_options o;
    ug_loop_options_init(&o);
    o.backend = r->backend;
    if (r->mode == MODE_FIFO_SPIN)
        o.spin_ns = r->spin_ns;
    ug_loop *loop;
    if (!ug_is_good(ug_loop_new(&o, &loop))) {
        snprintf(r->why, sizeof r->why, "backend %s not available", ug_loop_backend_name(r->backend));
        r->skipped = true;
        return NULL;
    }
    struct ug_timer t;
    struct jctx c = {.run = r};
    ug_timer_init(&t, tick, &c);
    int64_t base = ug_clock_mono_ns() + 10 * 1000000;
    c.end = base + r->seconds * 1000000000;
    c.warmup = 10;
    ug_timer_start_cyclic(loop, &t, r->interval_ns, base, UG_TIMER_BASE_TIME);
    ug_loop_run(loop);
    r->fired = t.fired;
    r->missed = t.missed;
    ug_timer_stop(loop, &t);
    ug_loop_close(loop, -1);
    return NULL;
}

/* ---------------------------------------------------------- send cost -- */

struct send_bench {
    int fd;
    struct sockaddr_in to;
    struct msghdr msg;
    struct iovec iov;
    uint8_t payload[64];
    int left, done;
    struct ug_send op;
};

static void sent(ug_loop *loop, struct ug_send *s, ug_status st, size_t n)
{
    (void)st;
    (void)n;
    struct send_bench *b = s->data;
    b->done++;
    if (--b->left > 0)
        ug_send_start(loop, &b->op, b->fd, &b->msg, 0, sent, b);
    else
        ug_loop_stop(loop);
}

/* ns per send: direct sendmsg, then ug_send one at a time on io_uring. */
static void send_cost(int n, double *direct_ns, double *uring_ns)
{
    int rx = socket(AF_INET, SOCK_DGRAM, 0), tx = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bind(rx, (struct sockaddr *)&a, sizeof a);
    socklen_t len = sizeof a;
    getsockname(rx, (struct sockaddr *)&a, &len);
    /* Receiver never reads: the kernel drops on a full buffer after the
     * send path ran, which is the cost measured. */
    static struct send_bench b;
    b.fd = tx;
    b.to = a;
    b.iov = (struct iovec){b.payload, sizeof b.payload};
    b.msg = (struct msghdr){.msg_name = &b.to, .msg_namelen = sizeof b.to, .msg_iov = &b.iov,
                            .msg_iovlen = 1};
    int64_t t0 = ug_clock_mono_ns();
    for (int i = 0; i < n; i++)
        sendmsg(tx, &b.msg, MSG_DONTWAIT);
    *direct_ns = (double)(ug_clock_mono_ns() - t0) / n;

    *uring_ns = 0;
    struct ug_loop_options o;
    ug_loop_options_init(&o);
    o.backend = UG_LOOP_BACKEND_IO_URING;
    ug_loop *loop;
    if (ug_is_good(ug_loop_new(&o, &loop))) {
        b.left = n;
        b.done = 0;
        t0 = ug_clock_mono_ns();
        ug_send_start(loop, &b.op, tx, &b.msg, 0, sent, &b);
        ug_loop_run(loop);
        *uring_ns = (double)(ug_clock_mono_ns() - t0) / n;
        ug_loop_close(loop, -1);
    }
    close(rx);
    close(tx);
}

int main(int argc, char **argv)
{
    int64_t seconds = 3;
    int cpu = 1, prio = 80;
    int64_t spin_us = 30;
    const char *json = NULL;
    int opt;
    while ((opt = getopt(argc, argv, "s:c:p:j:w:")) != -1) {
        switch (opt) {
        case 's': seconds = atoll(optarg); break;
        case 'c': cpu = atoi(optarg); break;
        case 'p': prio = atoi(optarg); break;
        case 'j': json = optarg; break;
        case 'w': spin_us = atoll(optarg); break;
        default:
            fprintf(stderr, "usage: %s [-s seconds] [-c cpu] [-p fifo_prio] [-w spin_us] [-j out.json]\n",
                    argv[0]);
            return 2;
        }
    }
    if (seconds < 1)
        seconds = 1;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    if (cpu >= ncpu)
        cpu = (int)ncpu - 1;

    const enum ug_loop_backend backends[] = {FLOOR_BACKEND, UG_LOOP_BACKEND_IO_URING,
                                             UG_LOOP_BACKEND_EPOLL};
    const int64_t intervals[] = {1000000, 100000};
    enum { NRUNS = 3 * 2 * NMODES };
    static struct run runs[NRUNS];
    int n = 0;
    double load[3] = {0, 0, 0};
    getloadavg(load, 3);
    printf("timer wake-up jitter (actual - scheduled), %lld s per row, cpu %d, fifo prio %d, "
           "spin %lld us, load average %.2f on %ld cpus\n",
           (long long)seconds, cpu, prio, (long long)spin_us, load[0], ncpu);
    ug_hist_print_header(stdout);
    for (int bi = 0; bi < 3; bi++) {
        for (int ii = 0; ii < 2; ii++) {
            for (int m = 0; m < NMODES; m++) {
                if (backends[bi] == FLOOR_BACKEND && m == MODE_FIFO_SPIN)
                    continue;
                struct run *r = &runs[n++];
                *r = (struct run){.backend = backends[bi], .mode = (enum mode)m,
                                  .interval_ns = intervals[ii], .seconds = seconds, .cpu = cpu,
                                  .prio = prio, .spin_ns = spin_us * 1000};
                pthread_t th;
                pthread_create(&th, NULL, run_main, r);
                pthread_join(th, NULL);
                char label[64];
                snprintf(label, sizeof label, "%s %s %s", backend_name(r->backend),
                         r->interval_ns == 1000000 ? "1ms" : "100us", mode_name[m]);
                if (r->skipped) {
                    printf("%-28s skipped: %s\n", label, r->why);
                    continue;
                }
                ug_hist_print_row(&r->hist, label, stdout);
                if (r->missed)
                    printf("%-28s   %llu of %llu slots missed\n", "",
                           (unsigned long long)r->missed,
                           (unsigned long long)(r->missed + r->fired));
                if (r->why[0] && r->why[0] != ' ')
                    printf("%-28s   note: %s\n", "", r->why);
                fflush(stdout);
            }
        }
    }

    double direct, uring;
    send_cost(200000, &direct, &uring);
    printf("\nUDP send from the loop thread, 64-byte datagram on loopback, per send:\n"
           "  direct sendmsg(2)          %8.0f ns\n"
           "  ug_send (io_uring SENDMSG) %8.0f ns  (one in flight, submit+wait per send)\n",
           direct, uring);

    if (json) {
        FILE *f = fopen(json, "w");
        if (!f) {
            perror(json);
            return 1;
        }
        fprintf(f, "{\"seconds\":%lld,\"runs\":[", (long long)seconds);
        bool first = true;
        for (int i = 0; i < n; i++) {
            struct run *r = &runs[i];
            if (r->skipped)
                continue;
            char label[64];
            snprintf(label, sizeof label, "%s %s %s", backend_name(r->backend),
                     r->interval_ns == 1000000 ? "1ms" : "100us", mode_name[r->mode]);
            fputs(first ? "" : ",", f);
            first = false;
            fprintf(f, "{\"backend\":\"%s\",\"interval_ns\":%lld,\"mode\":\"%s\",\"missed\":%llu,"
                       "\"hist\":",
                    backend_name(r->backend), (long long)r->interval_ns,
                    mode_name[r->mode], (unsigned long long)r->missed);
            ug_hist_write_json(&r->hist, label, f);
            fputc('}', f);
        }
        fprintf(f, "],\"send_ns\":{\"direct\":%.0f,\"io_uring\":%.0f}}\n", direct, uring);
        fclose(f);
    }
    return 0;
}
