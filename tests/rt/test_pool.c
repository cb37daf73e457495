/* Worker pool (rt/pool.c): results come back on the loop thread exactly once,
 * a job cancelled while it runs completes nothing, and freeing the pool drops
 * queued jobs. Run once per backend. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "harness.h"
#include "rt_test.h"

static enum ug_loop_backend g_backend;

#define MS 1000000LL
enum { JOBS = 1000 };

struct many {
    struct ug_async ops[JOBS];
    uint8_t seen[JOBS];
    int done, bad;
    pthread_t loop_thread;
};

static ug_status twice(void *arg, void **result)
{
    *result = (void *)((uintptr_t)arg * 2);
    return (uintptr_t)arg % 7 == 0 ? UG_STATUS_BADTIMEOUT : UG_STATUS_GOOD;
}

static void many_done(ug_loop *loop, struct ug_async *a, ug_status st, void *result)
{
    (void)loop;
    struct many *m = a->data;
    size_t i = (size_t)(a - m->ops);
    ug_status want = i % 7 == 0 ? UG_STATUS_BADTIMEOUT : UG_STATUS_GOOD;
    if ((uintptr_t)result != i * 2 || st != want || !pthread_equal(pthread_self(), m->loop_thread))
        m->bad++;
    m->seen[i]++;
    m->done++;
}

static void test_pool_results(void)
{
    ug_loop *loop = rt_test_loop(g_backend);
    ug_pool *pool = NULL;
    CU_ASSERT_EQUAL(ug_pool_new(loop, 0, &pool), UG_STATUS_BADINVALIDARGUMENT);
    CU_ASSERT_EQUAL_FATAL(ug_pool_new(loop, 3, &pool), UG_STATUS_GOOD);
    struct many *m = calloc(1, sizeof *m);
    m->loop_thread = pthread_self();
    for (uintptr_t i = 0; i < JOBS; i++)
        CU_ASSERT_EQUAL(ug_pool_submit(pool, &m->ops[i], twice, (void *)i, many_done, m),
                        UG_STATUS_GOOD);
    rt_test_run_until(loop, &m->done, JOBS, 10000 * MS);
    rt_test_run_for(loop, 5 * MS);
    CU_ASSERT_EQUAL(m->done, JOBS);
    CU_ASSERT_EQUAL(m->bad, 0);
    int once = 0;
    for (int i = 0; i < JOBS; i++)
        once += m->seen[i] == 1;
    CU_ASSERT_EQUAL(once, JOBS);
    ug_pool_free(pool);
    ug_loop_close(loop, -1);
    free(m);
}

/* ------------------------------------------------ cancel while running -- */

static atomic_int g_gate;   /* 1: blocked job may return */
static atomic_int g_inside; /* the blocked job has started */

static ug_status blocked(void *arg, void **result)
{
    atomic_store(&g_inside, 1);
    while (!atomic_load(&g_gate)) {
        struct timespec ts = {0, 100000};
        nanosleep(&ts, NULL);
    }
    *result = arg;
    return UG_STATUS_GOOD;
}

struct cancel_ctx {
    int calls;
    void *result;
};

static void cancel_done(ug_loop *loop, struct ug_async *a, ug_status st, void *result)
{
    (void)loop;
    (void)st;
    struct cancel_ctx *c = a->data;
    c->calls++;
    c->result = result;
}

static ug_status quick(void *arg, void **result)
{
    *result = arg;
    return UG_STATUS_GOOD;
}

static void test_pool_cancel_running(void)
{
    ug_loop *loop = rt_test_loop(g_backend);
    ug_pool *pool = NULL;
    CU_ASSERT_EQUAL_FATAL(ug_pool_new(loop, 1, &pool), UG_STATUS_GOOD);
    atomic_store(&g_gate, 0);
    atomic_store(&g_inside, 0);
    struct cancel_ctx c = {0};
    struct ug_async a;
    CU_ASSERT_EQUAL(ug_pool_submit(pool, &a, blocked, (void *)1, cancel_done, &c), UG_STATUS_GOOD);
    while (!atomic_load(&g_inside))
        sched_yield();
    /* Cancel while it runs, and reuse the same struct for another job. */
    CU_ASSERT_TRUE(ug_async_cancel(loop, &a));
    CU_ASSERT_EQUAL(ug_pool_submit(pool, &a, quick, (void *)2, cancel_done, &c), UG_STATUS_GOOD);
    atomic_store(&g_gate, 1);
    rt_test_run_until(loop, &c.calls, 1, 5000 * MS);
    rt_test_run_for(loop, 10 * MS);
    CU_ASSERT_EQUAL(c.calls, 1);
    CU_ASSERT_PTR_EQUAL(c.result, (void *)2);
    struct ug_loop_stats st;
    ug_loop_get_stats(loop, &st);
    CU_ASSERT_EQUAL(st.posts_dropped, 1);
    ug_pool_free(pool);
    ug_loop_close(loop, -1);
}

/* ------------------------------------------------ free with a queue -- */

static atomic_int g_ran;

static ug_status slow(void *arg, void **result)
{
    (void)arg;
    (void)result;
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
    atomic_fetch_add(&g_ran, 1);
    return UG_STATUS_GOOD;
}

static void test_pool_free_drops_queue(void)
{
    ug_loop *loop = rt_test_loop(g_backend);
    ug_pool *pool = NULL;
    CU_ASSERT_EQUAL_FATAL(ug_pool_new(loop, 1, &pool), UG_STATUS_GOOD);
    atomic_store(&g_ran, 0);
    struct cancel_ctx c = {0};
    struct ug_async a[6];
    for (int i = 0; i < 6; i++)
        CU_ASSERT_EQUAL(ug_pool_submit(pool, &a[i], slow, NULL, cancel_done, &c), UG_STATUS_GOOD);
    ug_pool_free(pool);
    CU_ASSERT(atomic_load(&g_ran) <= 1);
    int never = 0;
    for (int i = 0; i < 6; i++)
        never += ug_async_cancel(loop, &a[i]) ? 1 : 0;
    /* At most the one that ran has posted; the rest are still waiting. */
    CU_ASSERT(never >= 5);
    ug_loop_close(loop, -1);
    CU_ASSERT_EQUAL(c.calls, 0);
}

static CU_TestInfo tests[] = {
    {"1000 jobs, results on the loop thread", test_pool_results},
    {"cancel while running drops the completion", test_pool_cancel_running},
    {"free drops queued jobs", test_pool_free_drops_queue},
    CU_TEST_INFO_NULL,
};

int main(void)
{
    return rt_test_both_backends("rt/pool", tests, &g_backend);
}
