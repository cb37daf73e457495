/* Loop core (rt/loop.c and both backends): worker posts by identity, stop,
 * close, backend choice, multishot receive, readiness watches and sends.
 * Every test runs once per backend. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <linux/audit.h>
#include <linux/net_tstamp.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "rt_test.h"

static enum ug_loop_backend g_backend;

#define MS 1000000LL

/* ------------------------------------------------------------ posting -- */

enum { POSTERS = 4, PER_POSTER = 10000, TOTAL = POSTERS * PER_POSTER };

struct post_ctx {
    ug_loop *loop;
    struct ug_async ops[TOTAL];
    uint64_t ids[TOTAL];
    uint8_t seen[TOTAL];
    int delivered;
    int wrong;
    int thread;
};

struct poster {
    struct post_ctx *c;
    int first;
    int failures;
};

static void post_cb(ug_loop *loop, struct ug_async *a, ug_status status, void *result)
{
    (void)loop;
    struct post_ctx *c = a->data;
    size_t i = (size_t)(a - c->ops);
    if ((uintptr_t)result != i || status != UG_STATUS_GOOD || a->id != 0)
        c->wrong++;
    c->seen[i]++;
    c->delivered++;
}

static void *poster_main(void *arg)
{
    struct poster *p = arg;
    for (int i = p->first; i < p->first + PER_POSTER; i++)
        if (!ug_is_good(ug_loop_post(p->c->loop, p->c->ids[i], UG_STATUS_GOOD,
                                     (void *)(uintptr_t)i)))
            p->failures++;
    return NULL;
}

static void test_post_many_threads(void)
{
    struct post_ctx *c = calloc(1, sizeof *c);
    c->loop = rt_test_loop(g_backend);
    for (int i = 0; i < TOTAL; i++) {
        CU_ASSERT_EQUAL_FATAL(ug_async_start(c->loop, &c->ops[i], post_cb, c), UG_STATUS_GOOD);
        c->ids[i] = c->ops[i].id;
    }
    pthread_t th[POSTERS];
    struct poster ps[POSTERS];
    for (int t = 0; t < POSTERS; t++) {
        ps[t] = (struct poster){.c = c, .first = t * PER_POSTER};
        pthread_create(&th[t], NULL, poster_main, &ps[t]);
    }
    rt_test_run_until(c->loop, &c->delivered, TOTAL, 20000 * MS);
    for (int t = 0; t < POSTERS; t++) {
        pthread_join(th[t], NULL);
        CU_ASSERT_EQUAL(ps[t].failures, 0);
    }
    rt_test_run_for(c->loop, 5 * MS); /* nothing more may arrive */
    CU_ASSERT_EQUAL(c->delivered, TOTAL);
    CU_ASSERT_EQUAL(c->wrong, 0);
    int once = 0;
    for (int i = 0; i < TOTAL; i++)
        once += c->seen[i] == 1;
    CU_ASSERT_EQUAL(once, TOTAL);
    struct ug_loop_stats st;
    ug_loop_get_stats(c->loop, &st);
    CU_ASSERT_EQUAL(st.posts_delivered, TOTAL);
    CU_ASSERT_EQUAL(st.posts_dropped, 0);
    ug_loop_close(c->loop, -1);
    free(c);
}

/* ------------------------------------------------ cancel by identity -- */

struct cancel_ctx {
    int calls;
    void *last_result;
};

static void cancel_cb(ug_loop *loop, struct ug_async *a, ug_status status, void *result)
{
    (void)loop;
    (void)status;
    struct cancel_ctx *c = a->data;
    c->calls++;
    c->last_result = result;
}

static void test_cancel_by_identity(void)
{
    ug_loop *loop = rt_test_loop(g_backend);
    struct cancel_ctx c = {0};
    struct ug_async a;
    CU_ASSERT_EQUAL(ug_async_start(loop, &a, cancel_cb, &c), UG_STATUS_GOOD);
    uint64_t old_id = a.id;
    CU_ASSERT_NOT_EQUAL(old_id, 0);
    CU_ASSERT_TRUE(ug_async_cancel(loop, &a));
    CU_ASSERT_EQUAL(a.id, 0);
    CU_ASSERT_FALSE(ug_async_cancel(loop, &a));
    /* The same struct, reused for a new operation, gets a new identity: the
     * worker's late completion of the old one must not complete it. */
    CU_ASSERT_EQUAL(ug_async_start(loop, &a, cancel_cb, &c), UG_STATUS_GOOD);
    uint64_t new_id = a.id;
    CU_ASSERT_NOT_EQUAL(new_id, old_id);
    CU_ASSERT_EQUAL(ug_loop_post(loop, old_id, UG_STATUS_GOOD, (void *)1), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_loop_post(loop, new_id, UG_STATUS_GOOD, (void *)2), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_loop_post(loop, new_id, UG_STATUS_GOOD, (void *)3), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_loop_post(loop, 0, UG_STATUS_GOOD, (void *)4), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_loop_post(loop, (uint64_t)7 << 32 | 99999, UG_STATUS_GOOD, NULL),
                    UG_STATUS_GOOD);
    rt_test_run_until(loop, &c.calls, 1, 2000 * MS);
    rt_test_run_for(loop, 5 * MS);
    CU_ASSERT_EQUAL(c.calls, 1);
    CU_ASSERT_PTR_EQUAL(c.last_result, (void *)2);
    struct ug_loop_stats st;
    ug_loop_get_stats(loop, &st);
    CU_ASSERT_EQUAL(st.posts_delivered, 1);
    CU_ASSERT_EQUAL(st.posts_dropped, 4);
    ug_loop_close(loop, -1);
}

/* ---------------------------------------------------------- call, stop -- */

struct stop_ctx {
    ug_loop *loop;
    atomic_int calls;
    pthread_t loop_thread;
    int wrong_thread;
};

static void call_fn(ug_loop *loop, void *arg)
{
    (void)loop;
    struct stop_ctx *c = arg;
    if (!pthread_equal(pthread_self(), c->loop_thread))
        c->wrong_thread++;
    atomic_fetch_add(&c->calls, 1);
}

static void *stopper_main(void *arg)
{
    struct stop_ctx *c = arg;
    ug_loop_call(c->loop, call_fn, c);
    struct timespec ts = {0, 30 * 1000 * 1000};
    nanosleep(&ts, NULL);
    ug_loop_stop(c->loop);
    return NULL;
}

static void test_stop_from_thread(void)
{
    struct stop_ctx c = {.loop = rt_test_loop(g_backend)};
    atomic_init(&c.calls, 0);
    c.loop_thread = pthread_self();
    pthread_t th;
    pthread_create(&th, NULL, stopper_main, &c);
    int64_t t0 = ug_clock_mono_ns();
    CU_ASSERT_EQUAL(ug_loop_run(c.loop), UG_STATUS_GOOD);
    int64_t took = ug_clock_mono_ns() - t0;
    pthread_join(th, NULL);
    CU_ASSERT_EQUAL(atomic_load(&c.calls), 1);
    CU_ASSERT_EQUAL(c.wrong_thread, 0);
    CU_ASSERT(took >= 25 * MS && took < 5000 * MS);
    /* A stop asked for while not running makes the next run return at once. */
    ug_loop_stop(c.loop);
    CU_ASSERT_EQUAL(ug_loop_run(c.loop), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_loop_close(c.loop, -1), UG_STATUS_GOOD);
}

/* ---------------------------------------- no blocking after phase work -- */

/* A blocking iteration whose timer, delayed or posted phase ran a callback
 * only polls for I/O: the callback may have set what the caller waits for.
 * Here nothing else happens until a cyclic timer every 3 s, so a blocking
 * wait would take up to 3 s. */
static bool g_flag;

static void set_flag_timer(ug_loop *loop, struct ug_timer *t)
{
    (void)loop;
    (void)t;
    g_flag = true;
}

static void set_flag_delayed(ug_loop *loop, struct ug_delayed *d)
{
    (void)loop;
    (void)d;
    g_flag = true;
}

static void set_flag_call(ug_loop *loop, void *arg)
{
    (void)loop;
    (void)arg;
    g_flag = true;
}

/* Runs blocking iterations until g_flag; returns the time taken. */
static int64_t run_until_g_flag(ug_loop *loop)
{
    int64_t t0 = ug_clock_mono_ns();
    for (int i = 0; i < 10 && !g_flag; i++)
        CU_ASSERT_EQUAL(ug_loop_run_once(loop, true), UG_STATUS_GOOD);
    return ug_clock_mono_ns() - t0;
}

static void test_no_block_after_work(void)
{
    ug_loop *loop = rt_test_loop(g_backend);
    struct ug_timer far, soon;
    ug_timer_init(&far, rt_test_guard_cb, NULL);
    ug_timer_init(&soon, set_flag_timer, NULL);
    CU_ASSERT_EQUAL(ug_timer_start_cyclic(loop, &far, 3000 * MS, 0, UG_TIMER_CURRENT_TIME),
                    UG_STATUS_GOOD);

    /* A timer: the iteration that runs it returns without waiting for far. */
    g_flag = false;
    CU_ASSERT_EQUAL(ug_timer_start_once(loop, &soon, ug_clock_mono_ns() + 2 * MS),
                    UG_STATUS_GOOD);
    int64_t took = run_until_g_flag(loop);
    CU_ASSERT(g_flag);
    CU_ASSERT(took < 1000 * MS);

    /* A delayed callback. */
    g_flag = false;
    struct ug_delayed d;
    memset(&d, 0, sizeof d);
    ug_loop_add_delayed(loop, &d, set_flag_delayed, NULL);
    took = run_until_g_flag(loop);
    CU_ASSERT(g_flag);
    CU_ASSERT(took < 1000 * MS);

    /* A call posted from the loop thread itself. */
    g_flag = false;
    CU_ASSERT_EQUAL(ug_loop_call(loop, set_flag_call, NULL), UG_STATUS_GOOD);
    took = run_until_g_flag(loop);
    CU_ASSERT(g_flag);
    CU_ASSERT(took < 1000 * MS);

    ug_timer_stop(loop, &far);
    CU_ASSERT_EQUAL(ug_loop_close(loop, -1), UG_STATUS_GOOD);
}

/* ------------------------------------------------------------ backends -- */

static void test_backend_choice(void)
{
    /* Only once: the choice does not depend on the suite's backend. */
    if (g_backend != UG_LOOP_BACKEND_EPOLL)
        return;
    ug_loop *loop = NULL;
    setenv("UG_LOOP_BACKEND", "epoll", 1);
    CU_ASSERT_EQUAL(ug_loop_new(NULL, &loop), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_loop_backend(loop), UG_LOOP_BACKEND_EPOLL);
    ug_loop_close(loop, -1);
    setenv("UG_LOOP_BACKEND", "kqueue", 1);
    loop = NULL;
    CU_ASSERT_EQUAL(ug_loop_new(NULL, &loop), UG_STATUS_BADINVALIDARGUMENT);
    CU_ASSERT_PTR_NULL(loop);
    /* An explicit option wins over the environment. */
    struct ug_loop_options o;
    ug_loop_options_init(&o);
    o.backend = UG_LOOP_BACKEND_EPOLL;
    CU_ASSERT_EQUAL(ug_loop_new(&o, &loop), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_loop_backend(loop), UG_LOOP_BACKEND_EPOLL);
    ug_loop_close(loop, -1);
    unsetenv("UG_LOOP_BACKEND");
    CU_ASSERT_EQUAL(ug_loop_new(NULL, &loop), UG_STATUS_GOOD);
    CU_ASSERT(ug_loop_backend(loop) == UG_LOOP_BACKEND_IO_URING ||
              ug_loop_backend(loop) == UG_LOOP_BACKEND_EPOLL);
    ug_loop_close(loop, -1);
    CU_ASSERT_STRING_EQUAL(ug_loop_backend_name(UG_LOOP_BACKEND_EPOLL), "epoll");
    CU_ASSERT_STRING_EQUAL(ug_loop_backend_name(UG_LOOP_BACKEND_IO_URING), "io_uring");
}

/* ----------------------------------------------------------- UDP pair -- */

static int udp_socket(struct sockaddr_in *bound)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0)
        return -1;
    socklen_t len = sizeof *bound;
    getsockname(fd, (struct sockaddr *)bound, &len);
    return fd;
}

enum { DGRAMS = 10000, WINDOW = 24 };

static size_t dgram_len(uint32_t seq)
{
    return 8 + seq % 700;
}

static void dgram_fill(uint8_t *b, uint32_t seq)
{
    memcpy(b, &seq, 4);
    size_t n = dgram_len(seq);
    for (size_t i = 4; i < n; i++)
        b[i] = (uint8_t)(seq * 31 + i);
}

struct rx_ctx {
    uint8_t seen[DGRAMS];
    atomic_int received; /* for the sender's window */
    int got;
    int bad;
    int no_ts;
    int bad_addr;
    int errors;
    int stopped;
    in_port_t from_port;
    const uint8_t *first_data; /* where buffers live, to see them reused */
    int reused;
};

struct tx_ctx {
    int fd;
    struct sockaddr_in to;
    struct rx_ctx *rx;
    int send_errors;
};

static void rx_cb(ug_loop *loop, struct ug_recv *r, ug_status status, const struct ug_recv_msg *m)
{
    (void)loop;
    struct rx_ctx *c = r->data;
    if (!ug_is_good(status)) {
        c->errors++;
        return;
    }
    uint32_t seq;
    if (m->len < 8) {
        c->bad++;
        return;
    }
    memcpy(&seq, m->data, 4);
    uint8_t expect[800];
    if (seq >= DGRAMS || m->len != dgram_len(seq) || m->truncated) {
        c->bad++;
        return;
    }
    dgram_fill(expect, seq);
    if (memcmp(expect, m->data, m->len) != 0)
        c->bad++;
    const struct sockaddr_in *from = (const struct sockaddr_in *)m->addr;
    if (!from || m->addrlen != sizeof *from || from->sin_port != c->from_port ||
        from->sin_addr.s_addr != htonl(INADDR_LOOPBACK))
        c->bad_addr++;
    if (m->rx_realtime_ns == 0)
        c->no_ts++;
    if (!c->first_data)
        c->first_data = m->data;
    else if (m->data == c->first_data)
        c->reused++;
    c->seen[seq]++;
    c->got++;
    atomic_store(&c->received, c->got);
}

/* Keeps at most WINDOW datagrams in flight so the socket buffer never
 * overflows: loss here would be the test's fault, not the loop's. */
static void *tx_main(void *arg)
{
    struct tx_ctx *t = arg;
    uint8_t buf[800];
    for (uint32_t seq = 0; seq < DGRAMS; seq++) {
        int64_t wait_until = ug_clock_mono_ns() + 10000 * MS;
        while ((int)seq - atomic_load(&t->rx->received) >= WINDOW &&
               ug_clock_mono_ns() < wait_until)
            sched_yield();
        dgram_fill(buf, seq);
        if (sendto(t->fd, buf, dgram_len(seq), 0, (struct sockaddr *)&t->to, sizeof t->to) < 0)
            t->send_errors++;
    }
    return NULL;
}

static void rx_stopped(ug_loop *loop, struct ug_recv *r)
{
    (void)loop;
    struct rx_ctx *c = r->data;
    c->stopped++;
}

static void test_multishot_recv(void)
{
    ug_loop *loop = rt_test_loop(g_backend);
    struct sockaddr_in ra, ta;
    int rfd = udp_socket(&ra), tfd = udp_socket(&ta);
    CU_ASSERT_FATAL(rfd >= 0 && tfd >= 0);
    int one = 1;
    setsockopt(rfd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
    struct rx_ctx *c = calloc(1, sizeof *c);
    atomic_init(&c->received, 0);
    c->from_port = ta.sin_port;
    struct ug_recv r;
    memset(&r, 0, sizeof r);
    /* 64 buffers for 10,000 datagrams: each is recycled ~150 times. */
    struct ug_recv_config cfg = {.buf_size = 1536, .buf_count = 64, .control_len = 128};
    CU_ASSERT_EQUAL_FATAL(ug_recv_start(loop, &r, rfd, &cfg, rx_cb, c), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_recv_start(loop, &r, rfd, &cfg, rx_cb, c), UG_STATUS_BADINVALIDSTATE);
    struct tx_ctx t = {.fd = tfd, .to = ra, .rx = c};
    pthread_t th;
    pthread_create(&th, NULL, tx_main, &t);
    rt_test_run_until(loop, &c->got, DGRAMS, 30000 * MS);
    pthread_join(th, NULL);
    CU_ASSERT_EQUAL(t.send_errors, 0);
    CU_ASSERT_EQUAL(atomic_load(&c->received), DGRAMS);
    int once = 0;
    for (int i = 0; i < DGRAMS; i++)
        once += c->seen[i] == 1;
    CU_ASSERT_EQUAL(once, DGRAMS);
    CU_ASSERT_EQUAL(c->bad, 0);
    CU_ASSERT_EQUAL(c->bad_addr, 0);
    CU_ASSERT_EQUAL(c->no_ts, 0);
    CU_ASSERT_EQUAL(c->errors, 0);
    CU_ASSERT(c->reused > 0);
    struct ug_loop_stats st;
    ug_loop_get_stats(loop, &st);
    CU_ASSERT_EQUAL(st.recv_packets, DGRAMS);

    CU_ASSERT_EQUAL(ug_recv_stop(loop, &r, rx_stopped), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_recv_stop(loop, &r, rx_stopped), UG_STATUS_BADINVALIDSTATE);
    /* Nothing is delivered after stop, even what is already queued. */
    uint8_t buf[800];
    dgram_fill(buf, 1);
    sendto(tfd, buf, dgram_len(1), 0, (struct sockaddr *)&ra, sizeof ra);
    rt_test_run_until(loop, &c->stopped, 1, 2000 * MS);
    rt_test_run_for(loop, 5 * MS);
    CU_ASSERT_EQUAL(c->stopped, 1);
    CU_ASSERT_EQUAL(atomic_load(&c->received), DGRAMS);

    /* Restart on the same struct, then close the loop without stopping. */
    CU_ASSERT_EQUAL(ug_recv_start(loop, &r, rfd, &cfg, rx_cb, c), UG_STATUS_GOOD);
    rt_test_run_for(loop, 5 * MS);
    CU_ASSERT_EQUAL(ug_loop_close(loop, -1), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(c->stopped, 1);
    close(rfd);
    close(tfd);
    free(c);
}

/* Datagrams larger than the buffer arrive cut and flagged. */
struct trunc_ctx {
    int n;
    int truncated;
    size_t len;
    int64_t rx_ns;
};

static void trunc_cb(ug_loop *loop, struct ug_recv *r, ug_status status,
                     const struct ug_recv_msg *m)
{
    (void)loop;
    struct trunc_ctx *c = r->data;
    if (!ug_is_good(status))
        return;
    c->n++;
    c->truncated += m->truncated;
    c->len = m->len;
    c->rx_ns = m->rx_realtime_ns;
}

static void test_recv_truncated(void)
{
    ug_loop *loop = rt_test_loop(g_backend);
    struct sockaddr_in ra, ta;
    int rfd = udp_socket(&ra), tfd = udp_socket(&ta);
    struct trunc_ctx c = {0};
    unsigned tsflags = SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE;
    setsockopt(rfd, SOL_SOCKET, SO_TIMESTAMPING, &tsflags, sizeof tsflags);
    struct ug_recv r;
    memset(&r, 0, sizeof r);
    struct ug_recv_config cfg = {.buf_size = 512, .buf_count = 4, .control_len = 64};
    CU_ASSERT_EQUAL_FATAL(ug_recv_start(loop, &r, rfd, &cfg, trunc_cb, &c), UG_STATUS_GOOD);
    uint8_t big[2000] = {0};
    sendto(tfd, big, sizeof big, 0, (struct sockaddr *)&ra, sizeof ra);
    rt_test_run_until(loop, &c.n, 1, 2000 * MS);
    CU_ASSERT_EQUAL(c.n, 1);
    CU_ASSERT_EQUAL(c.truncated, 1);
    /* SO_TIMESTAMPING software receive stamps, realtime clock. */
    int64_t sent_at = ug_clock_real_ns();
    CU_ASSERT(c.rx_ns > sent_at - 5000LL * MS && c.rx_ns <= sent_at);
    CU_ASSERT(c.len > 0 && c.len < sizeof big);
    struct ug_loop_stats st;
    ug_loop_get_stats(loop, &st);
    CU_ASSERT_EQUAL(st.recv_truncated, 1);
    /* Configurations that cannot hold a datagram are refused. */
    struct ug_recv r2;
    memset(&r2, 0, sizeof r2);
    struct ug_recv_config bad1 = {.buf_size = 128, .buf_count = 4};
    struct ug_recv_config bad2 = {.buf_size = 2048, .buf_count = 3};
    CU_ASSERT_EQUAL(ug_recv_start(loop, &r2, rfd, &bad1, trunc_cb, &c),
                    UG_STATUS_BADINVALIDARGUMENT);
    CU_ASSERT_EQUAL(ug_recv_start(loop, &r2, rfd, &bad2, trunc_cb, &c),
                    UG_STATUS_BADINVALIDARGUMENT);
    CU_ASSERT_EQUAL(ug_recv_start(loop, &r2, -1, NULL, trunc_cb, &c),
                    UG_STATUS_BADINVALIDARGUMENT);
    ug_recv_stop(loop, &r, NULL);
    rt_test_run_for(loop, 5 * MS);
    ug_loop_close(loop, -1);
    close(rfd);
    close(tfd);
}

/* ------------------------------------------------------------- watches -- */

struct watch_ctx {
    int fds[2];
    int reads;
    int writes;
    struct ug_watch w;
};

static void watch_cb(ug_loop *loop, struct ug_watch *w, uint32_t revents)
{
    struct watch_ctx *c = w->data;
    if (revents & EPOLLIN) {
        char b[16];
        while (read(c->fds[0], b, sizeof b) > 0) {
        }
        c->reads++;
        if (c->reads == 2)
            ug_watch_stop(loop, w); /* stop from inside its own callback */
    }
}

static void test_watch(void)
{
    ug_loop *loop = rt_test_loop(g_backend);
    struct watch_ctx c = {0};
    CU_ASSERT_FATAL(pipe2(c.fds, O_NONBLOCK | O_CLOEXEC) == 0);
    CU_ASSERT_EQUAL(ug_watch_start(loop, &c.w, c.fds[0], EPOLLIN, watch_cb, &c), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_watch_start(loop, &c.w, c.fds[0], EPOLLIN, watch_cb, &c),
                    UG_STATUS_BADINVALIDSTATE);
    rt_test_run_for(loop, 3 * MS);
    CU_ASSERT_EQUAL(c.reads, 0);
    CU_ASSERT(write(c.fds[1], "x", 1) == 1);
    rt_test_run_until(loop, &c.reads, 1, 2000 * MS);
    CU_ASSERT_EQUAL(c.reads, 1);
    /* Level-triggered: data left unread keeps firing; modify to nothing stops it. */
    CU_ASSERT_EQUAL(ug_watch_modify(loop, &c.w, 0), UG_STATUS_GOOD);
    CU_ASSERT(write(c.fds[1], "y", 1) == 1);
    rt_test_run_for(loop, 5 * MS);
    CU_ASSERT_EQUAL(c.reads, 1);
    CU_ASSERT_EQUAL(ug_watch_modify(loop, &c.w, EPOLLIN), UG_STATUS_GOOD);
    rt_test_run_until(loop, &c.reads, 2, 2000 * MS);
    CU_ASSERT_EQUAL(c.reads, 2);
    CU_ASSERT(write(c.fds[1], "z", 1) == 1);
    rt_test_run_for(loop, 5 * MS);
    CU_ASSERT_EQUAL(c.reads, 2); /* stopped in the callback */
    CU_ASSERT_EQUAL(ug_watch_modify(loop, &c.w, EPOLLIN), UG_STATUS_BADINVALIDSTATE);
    /* A second watch on a pipe's write end: writable at once. */
    struct ug_watch w2;
    memset(&w2, 0, sizeof w2);
    c.writes = 0;
    CU_ASSERT_EQUAL(ug_watch_start(loop, &w2, -1, EPOLLOUT, watch_cb, &c),
                    UG_STATUS_BADINVALIDARGUMENT);
    ug_loop_close(loop, -1);
    close(c.fds[0]);
    close(c.fds[1]);
}

/* ---------------------------------------------------------------- send -- */

enum { SENDS = 200 };

struct send_ctx {
    struct ug_send ops[SENDS];
    struct iovec iov[SENDS];
    struct msghdr msg[SENDS];
    uint8_t payload[SENDS][64];
    int done, bad;
    struct ug_recv r;
    int got;
};

static void send_cb(ug_loop *loop, struct ug_send *s, ug_status status, size_t sent)
{
    (void)loop;
    struct send_ctx *c = s->data;
    size_t i = (size_t)(s - c->ops);
    if (!ug_is_good(status) || sent != 10 + i % 50)
        c->bad++;
    c->done++;
}

static void send_rx(ug_loop *loop, struct ug_recv *r, ug_status status,
                    const struct ug_recv_msg *m)
{
    (void)loop;
    struct send_ctx *c = r->data;
    if (!ug_is_good(status))
        return;
    uint32_t i;
    memcpy(&i, m->data, 4);
    if (i >= SENDS || m->len != 10 + i % 50 || memcmp(m->data, c->payload[i], m->len) != 0)
        c->bad++;
    c->got++;
}

static void test_send(void)
{
    ug_loop *loop = rt_test_loop(g_backend);
    struct sockaddr_in ra, ta;
    int rfd = udp_socket(&ra), tfd = udp_socket(&ta);
    int big = 1 << 20;
    setsockopt(rfd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    struct send_ctx *c = calloc(1, sizeof *c);
    CU_ASSERT_EQUAL_FATAL(ug_recv_start(loop, &c->r, rfd, NULL, send_rx, c), UG_STATUS_GOOD);
    for (uint32_t i = 0; i < SENDS; i++) {
        for (int k = 0; k < 64; k++)
            c->payload[i][k] = (uint8_t)(i + k);
        memcpy(c->payload[i], &i, 4);
        c->iov[i] = (struct iovec){c->payload[i], 10 + i % 50};
        c->msg[i] = (struct msghdr){.msg_name = &ra, .msg_namelen = sizeof ra,
                                    .msg_iov = &c->iov[i], .msg_iovlen = 1};
        CU_ASSERT_EQUAL(ug_send_start(loop, &c->ops[i], tfd, &c->msg[i], 0, send_cb, c),
                        UG_STATUS_GOOD);
    }
    CU_ASSERT_EQUAL(ug_send_start(loop, &c->ops[0], tfd, &c->msg[0], 0, send_cb, c),
                    UG_STATUS_BADINVALIDSTATE);
    rt_test_run_until(loop, &c->got, SENDS, 3000 * MS);
    CU_ASSERT_EQUAL(c->done, SENDS);
    CU_ASSERT_EQUAL(c->got, SENDS);
    CU_ASSERT_EQUAL(c->bad, 0);
    /* A send on a socket that is not connected and has no address fails
     * through the callback. */
    struct msghdr nowhere = {.msg_iov = &c->iov[0], .msg_iovlen = 1};
    c->done = 0;
    CU_ASSERT_EQUAL(ug_send_start(loop, &c->ops[0], tfd, &nowhere, 0, send_cb, c), UG_STATUS_GOOD);
    rt_test_run_until(loop, &c->done, 1, 2000 * MS);
    CU_ASSERT_EQUAL(c->done, 1);
    CU_ASSERT_EQUAL(c->bad, 1);
    ug_recv_stop(loop, &c->r, NULL);
    rt_test_run_for(loop, 2 * MS);
    ug_loop_close(loop, -1);
    close(rfd);
    close(tfd);
    free(c);
}


/* ------------------------------------------ fallback under a seccomp ban -- */

/* In a child: a seccomp filter makes io_uring_setup fail with `err`, as
 * container runtimes do. Exit code: 0 when the loop behaved as expected. */
static void stop_on_fire(ug_loop *loop, struct ug_timer *t)
{
    (void)t;
    ug_loop_stop(loop);
}

static int child_with_ban(int err)
{
#if defined(__x86_64__)
    struct sock_filter f[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (unsigned)err),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {.len = sizeof f / sizeof f[0], .filter = f};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
        return 77;
    unsetenv("UG_LOOP_BACKEND");
    ug_loop *loop = NULL;
    if (!ug_is_good(ug_loop_new(NULL, &loop)) || ug_loop_backend(loop) != UG_LOOP_BACKEND_EPOLL)
        return 1;
    /* The fallback loop works: a timer fires. */
    struct ug_timer t;
    ug_timer_init(&t, stop_on_fire, NULL);
    ug_timer_start_once(loop, &t, ug_clock_mono_ns() + 1000000);
    ug_loop_run(loop);
    int n = (int)t.fired;
    ug_loop_close(loop, -1);
    if (n != 1)
        return 2;
    /* Asked for explicitly, io_uring is refused with the matching status. */
    struct ug_loop_options o;
    ug_loop_options_init(&o);
    o.backend = UG_LOOP_BACKEND_IO_URING;
    ug_status want = err == EPERM ? UG_STATUS_BADUSERACCESSDENIED : UG_STATUS_BADNOTSUPPORTED;
    loop = NULL;
    if (ug_loop_new(&o, &loop) != want || loop)
        return 3;
    return 0;
#else
    (void)err;
    return 77;
#endif
}

static void test_fallback_when_refused(void)
{
    if (g_backend != UG_LOOP_BACKEND_EPOLL)
        return; /* once is enough */
    const int errs[] = {ENOSYS, EPERM};
    for (int i = 0; i < 2; i++) {
        fflush(NULL);
        pid_t pid = fork();
        if (pid == 0)
            _exit(child_with_ban(errs[i]));
        int status = 0;
        waitpid(pid, &status, 0);
        CU_ASSERT_TRUE(WIFEXITED(status));
        if (WEXITSTATUS(status) == 77) {
            fprintf(stderr, "seccomp not available: fallback test skipped\n");
            continue;
        }
        CU_ASSERT_EQUAL(WEXITSTATUS(status), 0);
    }
}

/* ------------------------------------------------- buffer exhaustion -- */

struct burst_ctx {
    int n;
    int bad;
};

static void burst_cb(ug_loop *loop, struct ug_recv *r, ug_status status,
                     const struct ug_recv_msg *m)
{
    (void)loop;
    struct burst_ctx *c = r->data;
    if (!ug_is_good(status))
        return;
    uint32_t seq;
    memcpy(&seq, m->data, 4);
    if (seq != (uint32_t)c->n || m->len != 100)
        c->bad++;
    c->n++;
}

/* 200 datagrams queued in the socket for a receive with 2 buffers: io_uring's
 * multishot stops with ENOBUFS and must be re-armed; nothing is lost. */
static void test_recv_buffer_exhaustion(void)
{
    ug_loop *loop = rt_test_loop(g_backend);
    struct sockaddr_in ra, ta;
    int rfd = udp_socket(&ra), tfd = udp_socket(&ta);
    int big = 1 << 20;
    setsockopt(rfd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    struct burst_ctx c = {0};
    struct ug_recv r;
    memset(&r, 0, sizeof r);
    struct ug_recv_config cfg = {.buf_size = 1024, .buf_count = 2};
    CU_ASSERT_EQUAL_FATAL(ug_recv_start(loop, &r, rfd, &cfg, burst_cb, &c), UG_STATUS_GOOD);
    uint8_t buf[100] = {0};
    for (uint32_t i = 0; i < 200; i++) {
        memcpy(buf, &i, 4);
        sendto(tfd, buf, sizeof buf, 0, (struct sockaddr *)&ra, sizeof ra);
    }
    rt_test_run_until(loop, &c.n, 200, 3000 * MS);
    CU_ASSERT_EQUAL(c.n, 200);
    CU_ASSERT_EQUAL(c.bad, 0);
    struct ug_loop_stats st;
    ug_loop_get_stats(loop, &st);
    if (g_backend == UG_LOOP_BACKEND_IO_URING)
        CU_ASSERT(st.recv_rearms > 0);
    ug_recv_stop(loop, &r, NULL);
    rt_test_run_for(loop, 2 * MS);
    ug_loop_close(loop, -1);
    close(rfd);
    close(tfd);
}

static CU_TestInfo tests[] = {
    {"post from 4 threads x 10k", test_post_many_threads},
    {"cancel by identity", test_cancel_by_identity},
    {"call and stop from another thread", test_stop_from_thread},
    {"no blocking wait after a timer, delayed or posted callback", test_no_block_after_work},
    {"backend choice by option and environment", test_backend_choice},
    {"multishot recv of 10,000 datagrams", test_multishot_recv},
    {"truncated datagram, SO_TIMESTAMPING, bad configs", test_recv_truncated},
    {"receive with 2 buffers for 200 datagrams", test_recv_buffer_exhaustion},
    {"epoll fallback when io_uring is refused", test_fallback_when_refused},
    {"readiness watch", test_watch},
    {"async sendmsg", test_send},
    CU_TEST_INFO_NULL,
};

int main(void)
{
    return rt_test_both_backends("rt/loop", tests, &g_backend);
}
