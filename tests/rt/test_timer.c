/* Timers and delayed callbacks (rt/timer.c, rt/loop.c), run once per backend. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "rt_test.h"

static enum ug_loop_backend g_backend;

#define MS 1000000LL
#define US 1000LL

/* --------------------------------------------------------- ordering -- */

struct order_ctx {
    int seq[8];
    int n;
    int early; /* fires before their deadline: must stay 0 */
};

static struct ug_timer g_order_timers[5];

static void order_cb(ug_loop *loop, struct ug_timer *t)
{
    (void)loop;
    struct order_ctx *c = t->data;
    if (ug_clock_mono_ns() < t->scheduled_ns)
        c->early++;
    c->seq[c->n++] = (int)(t - g_order_timers);
}

static void test_timer_order(void)
{
    ug_loop *loop = rt_test_loop(g_backend);
    struct order_ctx c = {0};
    const int64_t offs[5] = {5 * MS, 1 * MS, 4 * MS, 2 * MS, 3 * MS};
    int64_t now = ug_clock_mono_ns();
    for (int i = 0; i < 5; i++) {
        ug_timer_init(&g_order_timers[i], order_cb, &c);
        CU_ASSERT_EQUAL(ug_timer_start_once(loop, &g_order_timers[i], now + offs[i]),
                        UG_STATUS_GOOD);
    }
    rt_test_run_until(loop, &c.n, 5, 2000 * MS);
    CU_ASSERT_EQUAL(c.n, 5);
    const int expect[5] = {1, 3, 4, 2, 0};
    for (int i = 0; i < 5; i++)
        CU_ASSERT_EQUAL(c.seq[i], expect[i]);
    CU_ASSERT_EQUAL(c.early, 0);
    for (int i = 0; i < 5; i++)
        CU_ASSERT_FALSE(ug_timer_active(&g_order_timers[i]));
    ug_loop_close(loop, -1);
}

/* -------------------------------------------------------- base time -- */

#define GRID_FIRES 8

struct grid_ctx {
    int64_t sched[GRID_FIRES];
    uint64_t missed_at[GRID_FIRES];
    int n;
    int block_at;
    int64_t block_ns;
};

static void busy_wait(int64_t ns)
{
    int64_t end = ug_clock_mono_ns() + ns;
    while (ug_clock_mono_ns() < end) {
    }
}

static void grid_cb(ug_loop *loop, struct ug_timer *t)
{
    struct grid_ctx *c = t->data;
    c->sched[c->n] = t->scheduled_ns;
    c->missed_at[c->n] = t->missed;
    c->n++;
    if (c->n == c->block_at)
        busy_wait(c->block_ns);
    if (c->n == GRID_FIRES)
        ug_timer_stop(loop, t);
}

static void test_base_time_grid(void)
{
    ug_loop *loop = rt_test_loop(g_backend);
    struct grid_ctx c = {.block_at = 3, .block_ns = 9 * MS};
    struct ug_timer t;
    ug_timer_init(&t, grid_cb, &c);
    const int64_t iv = 2 * MS;
    int64_t base = ug_clock_mono_ns() + 3 * MS;
    CU_ASSERT_EQUAL(ug_timer_start_cyclic(loop, &t, iv, base, UG_TIMER_BASE_TIME), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(t.deadline_ns, base);
    rt_test_run_until(loop, &c.n, GRID_FIRES, 3000 * MS);
    CU_ASSERT_EQUAL_FATAL(c.n, GRID_FIRES);
    CU_ASSERT_EQUAL(c.sched[0], base);
    for (int i = 0; i < GRID_FIRES; i++) {
        CU_ASSERT_EQUAL((c.sched[i] - base) % iv, 0);
        /* slot index of fire i = i + slots skipped before it */
        CU_ASSERT_EQUAL((c.sched[i] - base) / iv, (int64_t)(i + (i ? c.missed_at[i - 1] : 0)));
    }
    /* Blocking 9 ms on a 2 ms grid makes the next run late and skips at
     * least 3 slots after it. */
    CU_ASSERT(t.missed >= 3);
    CU_ASSERT(c.missed_at[3] - c.missed_at[2] >= 3);
    struct ug_loop_stats st;
    ug_loop_get_stats(loop, &st);
    CU_ASSERT_EQUAL(st.timer_missed, t.missed);
    CU_ASSERT_EQUAL(t.fired, GRID_FIRES);

    /* A base in the past starts on the next slot of its grid. */
    int64_t past = ug_clock_mono_ns() - 7 * MS - 123;
    CU_ASSERT_EQUAL(ug_timer_start_cyclic(loop, &t, iv, past, UG_TIMER_BASE_TIME), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL((t.deadline_ns - past) % iv, 0);
    CU_ASSERT(t.deadline_ns > ug_clock_mono_ns() - iv);
    ug_timer_stop(loop, &t);
    CU_ASSERT_EQUAL(ug_timer_start_cyclic(loop, &t, 0, 0, UG_TIMER_BASE_TIME),
                    UG_STATUS_BADINVALIDARGUMENT);
    CU_ASSERT_EQUAL(ug_timer_start_cyclic(loop, &t, iv, 0, (enum ug_timer_policy)7),
                    UG_STATUS_BADINVALIDARGUMENT);
    CU_ASSERT_FALSE(ug_timer_active(&t));
    ug_loop_close(loop, -1);
}

/* ----------------------------------------------------- current time -- */

struct cur_ctx {
    int64_t sched[6];
    int64_t now_at[6];
    int n;
};

static void cur_cb(ug_loop *loop, struct ug_timer *t)
{
    struct cur_ctx *c = t->data;
    c->sched[c->n] = t->scheduled_ns;
    c->now_at[c->n] = ug_loop_now(loop);
    c->n++;
    if (c->n == 2)
        busy_wait(5 * MS);
    if (c->n == 6)
        ug_timer_stop(loop, t);
}

static void test_current_time(void)
{
    ug_loop *loop = rt_test_loop(g_backend);
    struct cur_ctx c = {0};
    struct ug_timer t;
    ug_timer_init(&t, cur_cb, &c);
    const int64_t iv = 2 * MS;
    int64_t before = ug_clock_mono_ns();
    CU_ASSERT_EQUAL(ug_timer_start_cyclic(loop, &t, iv, 0, UG_TIMER_CURRENT_TIME), UG_STATUS_GOOD);
    CU_ASSERT(t.deadline_ns >= before + iv);
    rt_test_run_until(loop, &c.n, 6, 3000 * MS);
    CU_ASSERT_EQUAL_FATAL(c.n, 6);
    /* Each next run is exactly one interval after the dispatch of the last. */
    for (int i = 1; i < 6; i++)
        CU_ASSERT_EQUAL(c.sched[i], c.now_at[i - 1] + iv);
    CU_ASSERT_EQUAL(t.missed, 0);
    ug_loop_close(loop, -1);
}

/* --------------------------------------------- modify/remove in callbacks -- */

struct mod_ctx {
    struct ug_timer a, b, c, d;
    int a_n, b_n, c_n, d_n;
    int64_t a_sched[6];
    int64_t a_new_base;
    int done;
};

static void mod_a(ug_loop *loop, struct ug_timer *t)
{
    struct mod_ctx *m = t->data;
    m->a_sched[m->a_n++] = t->scheduled_ns;
    if (m->a_n == 2) {
        ug_timer_stop(loop, &m->b); /* b is due later: must never run */
        m->a_new_base = t->scheduled_ns + 3 * MS;
        CU_ASSERT_EQUAL(ug_timer_modify(loop, t, 3 * MS, m->a_new_base, UG_TIMER_BASE_TIME),
                        UG_STATUS_GOOD);
    }
    if (m->a_n == 5) {
        ug_timer_stop(loop, t);
        m->done++;
    }
}

static void mod_b(ug_loop *loop, struct ug_timer *t)
{
    (void)loop;
    struct mod_ctx *m = t->data;
    m->b_n++;
}

static void mod_c(ug_loop *loop, struct ug_timer *t)
{
    struct mod_ctx *m = t->data;
    m->c_n++;
    ug_timer_stop(loop, t); /* one-shot: already out of the heap, a no-op */
    if (m->c_n == 1) {
        CU_ASSERT_EQUAL(ug_timer_start_once(loop, t, t->scheduled_ns + 2 * MS), UG_STATUS_GOOD);
    } else {
        m->done++;
    }
}

/* A cyclic timer that stops itself at once. */
static void mod_d(ug_loop *loop, struct ug_timer *t)
{
    struct mod_ctx *m = t->data;
    m->d_n++;
    ug_timer_stop(loop, t);
    m->done++;
}

static void test_modify_remove(void)
{
    ug_loop *loop = rt_test_loop(g_backend);
    struct mod_ctx m = {0};
    ug_timer_init(&m.a, mod_a, &m);
    ug_timer_init(&m.b, mod_b, &m);
    ug_timer_init(&m.c, mod_c, &m);
    ug_timer_init(&m.d, mod_d, &m);
    int64_t now = ug_clock_mono_ns();
    CU_ASSERT_EQUAL(ug_timer_modify(loop, &m.a, MS, 0, UG_TIMER_BASE_TIME),
                    UG_STATUS_BADINVALIDSTATE);
    ug_timer_start_cyclic(loop, &m.a, 1 * MS, now + MS, UG_TIMER_BASE_TIME);
    ug_timer_start_once(loop, &m.b, now + 20 * MS);
    ug_timer_start_once(loop, &m.c, now + 2 * MS);
    ug_timer_start_cyclic(loop, &m.d, 1 * MS, 0, UG_TIMER_CURRENT_TIME);
    rt_test_run_until(loop, &m.done, 3, 3000 * MS);
    /* Run past b's old deadline to see it stays removed. */
    rt_test_run_for(loop, 25 * MS);
    CU_ASSERT_EQUAL(m.done, 3);
    CU_ASSERT_EQUAL(m.b_n, 0);
    CU_ASSERT_EQUAL(m.c_n, 2);
    CU_ASSERT_EQUAL(m.d_n, 1);
    CU_ASSERT_EQUAL(m.a_n, 5);
    /* On the new grid from its base on (exactly the base unless the machine
     * stalled past it). */
    CU_ASSERT(m.a_sched[2] >= m.a_new_base);
    for (int i = 2; i < 5; i++)
        CU_ASSERT_EQUAL((m.a_sched[i] - m.a_new_base) % (3 * MS), 0);
    CU_ASSERT_FALSE(ug_timer_active(&m.a));
    ug_loop_close(loop, -1);
}

/* ------------------------------------------------- heap under churn -- */

static int g_churn_fired;
static int64_t g_churn_last;
static int g_churn_disorder;

static void churn_cb(ug_loop *loop, struct ug_timer *t)
{
    (void)loop;
    if (t->scheduled_ns < g_churn_last)
        g_churn_disorder++;
    g_churn_last = t->scheduled_ns;
    g_churn_fired++;
}

/* 500 timers at pseudo-random deadlines, a third removed and a third moved:
 * the rest must fire in deadline order. */
static void test_heap_churn(void)
{
    ug_loop *loop = rt_test_loop(g_backend);
    enum { N = 500 };
    struct ug_timer *t = calloc(N, sizeof *t);
    uint32_t rnd = 12345;
    int64_t now = ug_clock_mono_ns();
    int expect = 0;
    for (int i = 0; i < N; i++) {
        ug_timer_init(&t[i], churn_cb, NULL);
        rnd = rnd * 1103515245 + 12345;
        ug_timer_start_once(loop, &t[i], now + 1 * MS + (rnd >> 8) % (20 * MS));
    }
    for (int i = 0; i < N; i++) {
        rnd = rnd * 1103515245 + 12345;
        if (i % 3 == 0)
            ug_timer_stop(loop, &t[i]);
        else if (i % 3 == 1)
            ug_timer_start_once(loop, &t[i], now + 1 * MS + (rnd >> 8) % (20 * MS));
        if (i % 3 != 0)
            expect++;
    }
    g_churn_fired = 0;
    g_churn_last = 0;
    g_churn_disorder = 0;
    rt_test_run_until(loop, &g_churn_fired, expect, 3000 * MS);
    CU_ASSERT_EQUAL(g_churn_fired, expect);
    CU_ASSERT_EQUAL(g_churn_disorder, 0);
    ug_loop_close(loop, -1);
    free(t);
}

/* ---------------------------------------------------------- delayed -- */

struct del_ctx {
    struct ug_delayed d1, d2, d3;
    uint64_t added_iter, d1_iter, d2_iter;
    int d1_n, d2_n, d3_n;
    int done;
};

static uint64_t iterations(ug_loop *loop)
{
    struct ug_loop_stats st;
    ug_loop_get_stats(loop, &st);
    return st.iterations;
}

static void del_d2(ug_loop *loop, struct ug_delayed *d)
{
    struct del_ctx *c = d->data;
    c->d2_n++;
    c->d2_iter = iterations(loop);
    c->done = 1;
}

static void del_d1(ug_loop *loop, struct ug_delayed *d)
{
    struct del_ctx *c = d->data;
    c->d1_n++;
    c->d1_iter = iterations(loop);
    /* Queued from a delayed callback: the next iteration, not this one. */
    ug_loop_add_delayed(loop, &c->d2, del_d2, c);
}

static void del_d3(ug_loop *loop, struct ug_delayed *d)
{
    (void)loop;
    struct del_ctx *c = d->data;
    c->d3_n++;
}

static void del_timer(ug_loop *loop, struct ug_timer *t)
{
    struct del_ctx *c = t->data;
    c->added_iter = iterations(loop);
    ug_loop_add_delayed(loop, &c->d1, del_d1, c);
    ug_loop_add_delayed(loop, &c->d1, del_d1, c); /* already queued: no-op */
    ug_loop_add_delayed(loop, &c->d3, del_d3, c);
    ug_loop_remove_delayed(loop, &c->d3);
}

static void test_oneshot_delayed(void)
{
    ug_loop *loop = rt_test_loop(g_backend);
    struct del_ctx c = {0};
    struct ug_timer t;
    ug_timer_init(&t, del_timer, &c);
    ug_timer_start_once(loop, &t, ug_clock_mono_ns() + 1 * MS);
    rt_test_run_until(loop, &c.done, 1, 2000 * MS);
    CU_ASSERT_EQUAL(c.d1_n, 1);
    CU_ASSERT_EQUAL(c.d2_n, 1);
    CU_ASSERT_EQUAL(c.d3_n, 0);
    CU_ASSERT_EQUAL(c.d1_iter, c.added_iter + 1);
    CU_ASSERT_EQUAL(c.d2_iter, c.d1_iter + 1);
    CU_ASSERT_EQUAL(t.fired, 1);
    CU_ASSERT_FALSE(ug_timer_active(&t));
    ug_loop_close(loop, -1);
}

/* -------------------------------------------------- 100 us for 0.5 s -- */

struct fast_ctx {
    int64_t base, end;
    int64_t last_sched;
    int off_grid;
    int done;
};

static void fast_cb(ug_loop *loop, struct ug_timer *t)
{
    struct fast_ctx *c = t->data;
    if ((t->scheduled_ns - c->base) % t->interval_ns != 0)
        c->off_grid++;
    c->last_sched = t->scheduled_ns;
    if (t->deadline_ns >= c->end) {
        ug_timer_stop(loop, t);
        c->done = 1;
    }
}

static void test_100us_cyclic(void)
{
    ug_loop *loop = rt_test_loop(g_backend);
    char why[160];
    ug_rt_set_timer_slack(1, why, sizeof why); /* SCHED_OTHER default is 50 us */
    struct fast_ctx c = {0};
    struct ug_timer t;
    ug_timer_init(&t, fast_cb, &c);
    const int64_t iv = 100 * US;
    c.base = ug_clock_mono_ns() + 1 * MS;
    c.end = c.base + 500 * MS;
    ug_timer_start_cyclic(loop, &t, iv, c.base, UG_TIMER_BASE_TIME);
    rt_test_run_until(loop, &c.done, 1, 10000 * MS);
    CU_ASSERT_EQUAL_FATAL(c.done, 1);
    CU_ASSERT_EQUAL(c.off_grid, 0);
    /* No drift: every slot of the 0.5 s grid up to the next deadline was
     * either run or counted as missed. */
    CU_ASSERT_EQUAL((int64_t)(t.fired + t.missed), (t.deadline_ns - c.base) / iv);
    CU_ASSERT(t.fired + t.missed >= 5000);
    CU_ASSERT(c.last_sched < c.end);
    /* How many slots ran rather than were skipped depends on the machine's
     * load: that is a benchmark figure (bench/timer_jitter), not a test. */
    CU_ASSERT(t.fired > 0);
    if (t.missed > 50)
        fprintf(stderr, "100us timer (%s): %llu fired, %llu missed\n",
                ug_loop_backend_name(g_backend), (unsigned long long)t.fired,
                (unsigned long long)t.missed);
    ug_loop_close(loop, -1);
}


/* ------------------------------------------------------------- spin -- */

struct spin_ctx {
    int n;
    int early;
};

static void spin_cb(ug_loop *loop, struct ug_timer *t)
{
    struct spin_ctx *c = t->data;
    if (ug_clock_mono_ns() < t->scheduled_ns)
        c->early++;
    if (++c->n == 20)
        ug_timer_stop(loop, t);
}

/* With spin_ns the loop wakes early and spins, but never runs a timer before
 * its deadline. */
static void test_spin_option(void)
{
    struct ug_loop_options o;
    ug_loop_options_init(&o);
    o.backend = g_backend;
    o.spin_ns = 300 * US;
    ug_loop *loop = NULL;
    CU_ASSERT_EQUAL_FATAL(ug_loop_new(&o, &loop), UG_STATUS_GOOD);
    struct spin_ctx c = {0};
    struct ug_timer t;
    ug_timer_init(&t, spin_cb, &c);
    ug_timer_start_cyclic(loop, &t, 1 * MS, 0, UG_TIMER_BASE_TIME);
    rt_test_run_until(loop, &c.n, 20, 3000 * MS);
    CU_ASSERT_EQUAL(c.n, 20);
    CU_ASSERT_EQUAL(c.early, 0);
    ug_loop_close(loop, -1);
}

static CU_TestInfo tests[] = {
    {"timer order", test_timer_order},
    {"base-time grid and missed slots", test_base_time_grid},
    {"current-time policy", test_current_time},
    {"modify and remove inside callbacks", test_modify_remove},
    {"heap order under churn", test_heap_churn},
    {"one-shot and delayed", test_oneshot_delayed},
    {"100 us cyclic for 0.5 s", test_100us_cyclic},
    {"spin before deadlines, never early", test_spin_option},
    CU_TEST_INFO_NULL,
};

int main(void)
{
    return rt_test_both_backends("rt/timer", tests, &g_backend);
}
