/* Helpers shared by the rt tests: make a loop on a given backend, run it
 * until a counter reaches a target (with a guard deadline), and run a whole
 * CUnit table once per backend. */
#ifndef UG_TESTS_RT_TEST_H
#define UG_TESTS_RT_TEST_H

#include <stdio.h>
#include <stdlib.h>

#include "harness.h"
#include "uagate/rt.h"

static inline ug_loop *rt_test_loop(enum ug_loop_backend b)
{
    struct ug_loop_options o;
    ug_loop_options_init(&o);
    o.backend = b;
    ug_loop *loop = NULL;
    ug_status st = ug_loop_new(&o, &loop);
    if (!ug_is_good(st) || !loop) {
        fprintf(stderr, "ug_loop_new(%s): 0x%08x\n", ug_loop_backend_name(b), st);
        abort();
    }
    if (ug_loop_backend(loop) != b) {
        fprintf(stderr, "asked for %s, got %s\n", ug_loop_backend_name(b),
                ug_loop_backend_name(ug_loop_backend(loop)));
        abort();
    }
    return loop;
}

static inline void rt_test_guard_cb(ug_loop *loop, struct ug_timer *t)
{
    (void)loop;
    (void)t;
}

/* Runs iterations until *counter >= target or timeout_ns passed. A 1 ms tick
 * bounds each wait so the condition is checked soon after it came true. */
static inline void rt_test_run_until(ug_loop *loop, const volatile int *counter, int target,
                                     int64_t timeout_ns)
{
    struct ug_timer guard;
    ug_timer_init(&guard, rt_test_guard_cb, NULL);
    int64_t deadline = ug_clock_mono_ns() + timeout_ns;
    ug_timer_start_cyclic(loop, &guard, 1000000, 0, UG_TIMER_CURRENT_TIME);
    while ((!counter || *counter < target) && ug_clock_mono_ns() < deadline)
        ug_loop_run_once(loop, true);
    ug_timer_stop(loop, &guard);
}

static inline void rt_test_run_for(ug_loop *loop, int64_t ns)
{
    rt_test_run_until(loop, NULL, 0, ns);
}

/* Runs the table for io_uring, then for epoll (forced). io_uring refused by
 * this kernel: that half is reported as skipped, the epoll half still runs. */
static inline int rt_test_both_backends(const char *suite, CU_TestInfo *tests,
                                        enum ug_loop_backend *backend)
{
    char name[128];
    int rc = 0, ran = 0;
    const enum ug_loop_backend all[2] = {UG_LOOP_BACKEND_IO_URING, UG_LOOP_BACKEND_EPOLL};
    for (int i = 0; i < 2; i++) {
        struct ug_loop_options o;
        ug_loop_options_init(&o);
        o.backend = all[i];
        ug_loop *probe = NULL;
        if (!ug_is_good(ug_loop_new(&o, &probe))) {
            fprintf(stderr, "%s: backend %s not available here: skipped\n", suite,
                    ug_loop_backend_name(all[i]));
            continue;
        }
        ug_loop_close(probe, -1);
        *backend = all[i];
        snprintf(name, sizeof name, "%s [%s]", suite, ug_loop_backend_name(all[i]));
        int r = ug_test_main(name, tests);
        if (r)
            rc = r;
        ran++;
    }
    return ran ? rc : 77;
}

#endif
