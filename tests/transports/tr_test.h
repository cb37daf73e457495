/* Helpers shared by the opc.udp and opc.eth transport tests: a loop on the
 * backend under test, running it until a counter reaches a target, and
 * declaring each test once per loop backend. */
#ifndef UG_TESTS_TRANSPORTS_TR_TEST_H
#define UG_TESTS_TRANSPORTS_TR_TEST_H

#include <stdint.h>

#include "harness.h"
#include "uagate/rt.h"

/* The backend the test functions run on; TR_BOTH sets it. */
static enum ug_loop_backend g_backend;

static inline ug_loop *tr_new_loop(void)
{
    struct ug_loop_options lo;
    ug_loop_options_init(&lo);
    lo.backend = g_backend;
    ug_loop *loop = NULL;
    CU_ASSERT_EQUAL_FATAL(ug_loop_new(&lo, &loop), UG_STATUS_GOOD);
    return loop;
}

static inline void tr_wake(ug_loop *loop, struct ug_timer *t)
{
    (void)loop;
    (void)t;
}

/* Runs the loop until *counter >= want (counter NULL: never) or timeout_ms
 * passed. A 5 ms tick bounds each wait so the condition is checked soon after
 * it came true. */
static inline void tr_run_until(ug_loop *loop, const uint64_t *counter, uint64_t want,
                                int64_t timeout_ms)
{
    struct ug_timer tm;
    ug_timer_init(&tm, tr_wake, NULL);
    int64_t end = ug_clock_mono_ns() + timeout_ms * 1000000;
    ug_timer_start_cyclic(loop, &tm, 5000000, 0, UG_TIMER_CURRENT_TIME);
    while ((!counter || *counter < want) && ug_clock_mono_ns() < end)
        ug_loop_run_once(loop, true);
    ug_timer_stop(loop, &tm);
}

/* fn_uring and fn_epoll: fn on each loop backend. */
#define TR_BOTH(fn)                                                                           \
    static void fn##_uring(void)                                                              \
    {                                                                                         \
        g_backend = UG_LOOP_BACKEND_IO_URING;                                                 \
        fn();                                                                                 \
    }                                                                                         \
    static void fn##_epoll(void)                                                              \
    {                                                                                         \
        g_backend = UG_LOOP_BACKEND_EPOLL;                                                    \
        fn();                                                                                 \
    }

#endif
