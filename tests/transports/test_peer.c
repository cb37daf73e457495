/* A transport peer for the namespace scripts (tests/scripts/test_netns_*.sh),
 * and, run without arguments, its own self-test on loopback.
 *
 *   test_peer recv URL [-i IF] [-n COUNT] [-t MS] [-b RCVBUF] [-R READYFILE]
 *                      [-V VID] [-P PCP] [-x]
 *       receives until COUNT distinct sequence numbers arrived (exit 0) or
 *       MS passed (exit 1); -x: expect nothing (exit 0 when nothing came);
 *       -V/-P: every message must carry that VLAN id / priority.
 *   test_peer send URL [-i IF] [-n COUNT] [-s SIZE] [-r HZ] [-T TTL] [-l 0|1]
 *       sends COUNT messages of SIZE bytes (first 8: sequence number),
 *       flat out or at HZ; a full socket buffer is waited out, not skipped.
 * Both print one line of figures. */
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "uagate/transport.h"

struct peer {
    ug_loop *loop;
    ug_transport *t;
    bool recv;
    const char *ready;
    uint64_t count, got, unique, dup, foreign, bad_vlan, max_seq;
    uint8_t *seen;
    int vid, pcp;
    bool expect_none, done, closed, failed;
    /* send */
    uint64_t sent, would_block;
    size_t size;
    int64_t interval_ns;
    uint8_t buf[65536];
    struct ug_timer tick;
    struct ug_delayed pump;
    int64_t t0, t1;
};

static void on_recv(void *ctx, ug_transport *t, const ug_transport_msg *m)
{
    (void)t;
    struct peer *p = ctx;
    p->got++;
    if (m->data.len < 8) {
        p->foreign++;
        return;
    }
    uint64_t seq;
    memcpy(&seq, m->data.data, 8);
    if (p->vid >= 0 && (!m->from->u.eth.tagged || m->from->u.eth.vid != p->vid))
        p->bad_vlan++;
    if (p->pcp >= 0 && (!m->from->u.eth.tagged || m->from->u.eth.pcp != p->pcp))
        p->bad_vlan++;
    if (seq >= p->count) {
        p->foreign++;
        return;
    }
    if (p->seen[seq >> 3] & (1u << (seq & 7))) {
        p->dup++;
        return;
    }
    p->seen[seq >> 3] |= (uint8_t)(1u << (seq & 7));
    if (p->unique == 0)
        p->t0 = ug_clock_mono_ns();
    p->unique++;
    p->t1 = ug_clock_mono_ns();
    if (seq > p->max_seq)
        p->max_seq = seq;
    if (p->unique == p->count && !p->expect_none)
        p->done = true;
}

static void on_state(void *ctx, ug_transport *t, enum ug_transport_state s, ug_status st)
{
    (void)t;
    struct peer *p = ctx;
    if (s == UG_TRANSPORT_CONNECTED && p->ready) {
        FILE *f = fopen(p->ready, "w");
        if (f)
            fclose(f);
    } else if (s == UG_TRANSPORT_ERROR) {
        fprintf(stderr, "transport error: %s\n", ug_status_name(st));
    }
}

static void on_closed(void *ctx, ug_transport *t)
{
    (void)t;
    ((struct peer *)ctx)->closed = true;
}

/* Sends the next message; false when the socket is full (retry later). */
static bool send_one(struct peer *p)
{
    memcpy(p->buf, &p->sent, 8);
    ug_status st = ug_transport_send(p->t, (ug_bytes){p->buf, (int32_t)p->size}, 0);
    if (st == UG_STATUS_BADWOULDBLOCK) {
        p->would_block++;
        return false;
    }
    if (st != UG_STATUS_GOOD) {
        fprintf(stderr, "send: %s\n", ug_status_name(st));
        p->failed = p->done = true;
        return false;
    }
    p->sent++;
    if (p->sent == p->count)
        p->done = true;
    return true;
}

static void pump(ug_loop *loop, struct ug_delayed *d)
{
    struct peer *p = d->data;
    for (int i = 0; i < 256 && !p->done; i++)
        if (!send_one(p)) {
            /* A full buffer drains in microseconds; yield a little. */
            usleep(50);
            break;
        }
    if (!p->done)
        ug_loop_add_delayed(loop, &p->pump, pump, p);
}

static void tick(ug_loop *loop, struct ug_timer *tm)
{
    struct peer *p = tm->data;
    if (!p->done)
        send_one(p);
    if (p->done)
        ug_timer_stop(loop, tm);
}

static void idle(ug_loop *loop, struct ug_timer *tm)
{
    (void)loop;
    (void)tm;
}

static int run(struct peer *p, const char *url, ug_transport_opts *o, int64_t timeout_ms)
{
    struct ug_loop_options lo;
    ug_loop_options_init(&lo);
    if (ug_loop_new(&lo, &p->loop) != UG_STATUS_GOOD) {
        fprintf(stderr, "no loop\n");
        return 2;
    }
    char err[256] = "";
    o->errbuf = err;
    o->errbuf_cap = sizeof err;
    ug_transport_cbs cbs = {.ctx = p, .on_recv = on_recv, .on_state = on_state,
                            .on_closed = on_closed};
    ug_status st = ug_transport_open(p->loop, url, o, &cbs, &p->t);
    if (st != UG_STATUS_GOOD) {
        fprintf(stderr, "open %s: %s: %s\n", url, ug_status_name(st), err);
        ug_loop_close(p->loop, -1);
        return 2;
    }
    struct ug_timer guard;
    ug_timer_init(&guard, idle, NULL);
    ug_timer_init(&p->tick, tick, p);
    ug_timer_start_cyclic(p->loop, &guard, 10000000, 0, UG_TIMER_CURRENT_TIME);
    if (!p->recv) {
        if (p->interval_ns > 0) {
            ug_timer_start_cyclic(p->loop, &p->tick, p->interval_ns, 0, UG_TIMER_BASE_TIME);
        } else {
            ug_loop_add_delayed(p->loop, &p->pump, pump, p);
        }
    }
    int64_t start = ug_clock_mono_ns(), end = start + timeout_ms * 1000000;
    while (!p->done && ug_clock_mono_ns() < end)
        ug_loop_run_once(p->loop, true);
    int64_t secs_ns = ug_clock_mono_ns() - start;
    ug_timer_stop(p->loop, &p->tick);
    ug_loop_remove_delayed(p->loop, &p->pump);
    ug_transport_close(p->t);
    while (!p->closed)
        ug_loop_run_once(p->loop, true);
    ug_timer_stop(p->loop, &guard);
    ug_loop_close(p->loop, -1);

    if (p->recv) {
        double span = p->unique > 1 ? (double)(p->t1 - p->t0) / 1e9 : 0;
        printf("received=%llu unique=%llu lost=%llu dup=%llu foreign=%llu bad_vlan=%llu "
               "rate=%.0f/s\n",
               (unsigned long long)p->got, (unsigned long long)p->unique,
               (unsigned long long)(p->count - p->unique), (unsigned long long)p->dup,
               (unsigned long long)p->foreign, (unsigned long long)p->bad_vlan,
               span > 0 ? (double)p->unique / span : 0.0);
        if (p->expect_none)
            return p->got == 0 ? 0 : 1;
        return p->unique == p->count && p->bad_vlan == 0 ? 0 : 1;
    }
    printf("sent=%llu would_block=%llu rate=%.0f/s\n", (unsigned long long)p->sent,
           (unsigned long long)p->would_block, (double)p->sent / ((double)secs_ns / 1e9));
    return p->sent == p->count && !p->failed ? 0 : 1;
}

static int tool(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s recv|send URL [options]\n", argv[0]);
        return 2;
    }
    static struct peer p;
    memset(&p, 0, sizeof p);
    p.recv = strcmp(argv[1], "recv") == 0;
    p.count = 1;
    p.size = 64;
    p.vid = p.pcp = -1;
    ug_transport_opts o = {.mode = p.recv ? UG_TRANSPORT_RECV : UG_TRANSPORT_SEND};
    const char *url = argv[2];
    int64_t timeout_ms = 10000;
    int c;
    optind = 3;
    while ((c = getopt(argc, argv, "i:n:t:s:r:b:V:P:R:xT:l:")) != -1) {
        switch (c) {
        case 'i': o.interface = optarg; break;
        case 'n': p.count = strtoull(optarg, NULL, 10); break;
        case 't': timeout_ms = strtoll(optarg, NULL, 10); break;
        case 's': p.size = strtoul(optarg, NULL, 10); break;
        case 'r': p.interval_ns = 1000000000LL / strtoll(optarg, NULL, 10); break;
        case 'b': o.rcvbuf = (uint32_t)strtoul(optarg, NULL, 10); break;
        case 'V': p.vid = atoi(optarg); break;
        case 'P': p.pcp = atoi(optarg); break;
        case 'R': p.ready = optarg; break;
        case 'x': p.expect_none = true; break;
        case 'T': o.udp.ttl = atoi(optarg); break;
        case 'l': o.udp.loopback = atoi(optarg) ? UG_ON : UG_OFF; break;
        default: return 2;
        }
    }
    if (p.size < 8 || p.size > sizeof p.buf || p.count == 0) {
        fprintf(stderr, "size must be 8..65536, count > 0\n");
        return 2;
    }
    o.max_msg = p.size > 1500 ? (uint32_t)p.size : 0;
    if (p.recv) {
        o.recv_bufs = 256;
        p.seen = calloc((size_t)(p.count + 7) / 8, 1);
        if (!p.seen)
            return 2;
    }
    int rc = run(&p, url, &o, timeout_ms);
    free(p.seen);
    return rc;
}

/* Self-test: the same code paths, sender and receiver in one process. */
static void test_self(void)
{
    static struct peer rx, tx;
    memset(&rx, 0, sizeof rx);
    memset(&tx, 0, sizeof tx);
    rx.recv = true;
    rx.count = tx.count = 5000;
    rx.vid = rx.pcp = -1;
    tx.size = 100;
    rx.seen = calloc(rx.count / 8 + 1, 1);
    struct ug_loop_options lo;
    ug_loop_options_init(&lo);
    CU_ASSERT_EQUAL_FATAL(ug_loop_new(&lo, &rx.loop), UG_STATUS_GOOD);
    tx.loop = rx.loop;
    ug_transport_cbs rc = {.ctx = &rx, .on_recv = on_recv, .on_state = on_state,
                           .on_closed = on_closed};
    ug_transport_cbs sc = {.ctx = &tx, .on_recv = on_recv, .on_state = on_state,
                           .on_closed = on_closed};
    ug_transport_opts ro = {.mode = UG_TRANSPORT_RECV, .rcvbuf = 4 << 20};
    ug_transport_opts so = {.mode = UG_TRANSPORT_SEND};
    CU_ASSERT_EQUAL_FATAL(ug_transport_open(rx.loop, "opc.udp://127.0.0.1:48420", &ro, &rc, &rx.t),
                          UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(ug_transport_open(tx.loop, "opc.udp://127.0.0.1:48420", &so, &sc, &tx.t),
                          UG_STATUS_GOOD);
    ug_loop_add_delayed(tx.loop, &tx.pump, pump, &tx);
    int64_t end = ug_clock_mono_ns() + 5000000000LL;
    struct ug_timer guard;
    ug_timer_init(&guard, idle, NULL);
    ug_timer_start_cyclic(rx.loop, &guard, 10000000, 0, UG_TIMER_CURRENT_TIME);
    while (!rx.done && ug_clock_mono_ns() < end)
        ug_loop_run_once(rx.loop, true);
    CU_ASSERT_EQUAL(tx.sent, 5000);
    CU_ASSERT_EQUAL(rx.unique, 5000);
    CU_ASSERT_EQUAL(rx.dup, 0);
    ug_loop_remove_delayed(tx.loop, &tx.pump);
    ug_transport_close(rx.t);
    ug_transport_close(tx.t);
    while (!rx.closed || !tx.closed)
        ug_loop_run_once(rx.loop, true);
    ug_timer_stop(rx.loop, &guard);
    CU_ASSERT_EQUAL(ug_loop_close(rx.loop, -1), UG_STATUS_GOOD);
    free(rx.seen);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        return tool(argc, argv);
    /* As root, a private namespace keeps the fixed port away from parallel
     * runs of this test in other build trees. */
    if (geteuid() == 0 && unshare(CLONE_NEWNET) == 0 && system("ip link set lo up") != 0) {
        fprintf(stderr, "test_peer: cannot bring lo up in a private netns\n");
        return 1;
    }
    CU_TestInfo tests[] = {
        {"sender and receiver on loopback", test_self},
        CU_TEST_INFO_NULL,
    };
    return ug_test_main("transport peer", tests);
}
