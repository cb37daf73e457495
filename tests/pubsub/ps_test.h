/* Shared helpers of the pubsub tests: running a loop for a while, a fake
 * in-memory link that records what a connection sends and can deliver it to
 * another connection. */
#ifndef UG_TESTS_PS_TEST_H
#define UG_TESTS_PS_TEST_H

#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "uagate/pubsub.h"
#include "uagate/rt.h"

static inline void ps_test_tick(ug_loop *loop, struct ug_timer *t)
{
    (void)loop;
    (void)t;
}

/* Runs the loop for about ms milliseconds. A cyclic tick keeps a deadline in
 * the heap, so a blocking iteration never waits past the end. */
static inline void ps_run_for(ug_loop *loop, int ms)
{
    struct ug_timer t;
    ug_timer_init(&t, ps_test_tick, NULL);
    ug_timer_start_cyclic(loop, &t, 1000000, 0, UG_TIMER_CURRENT_TIME);
    int64_t end = ug_clock_mono_ns() + (int64_t)ms * 1000000;
    while (ug_clock_mono_ns() < end)
        ug_loop_run_once(loop, true);
    ug_timer_stop(loop, &t);
}

/* Runs the loop until `cond` holds, at most max_ms: tests wait for what
 * they need instead of assuming a machine fast enough for a fixed window. */
#define PS_RUN_UNTIL(loop, cond, max_ms)                                         \
    do {                                                                         \
        int64_t end_ = ug_clock_mono_ns() + (int64_t)(max_ms) * 1000000;          \
        while (!(cond) && ug_clock_mono_ns() < end_)                             \
            ps_run_for((loop), 1);                                               \
    } while (0)

#define PS_FAKE_MAX 64
#define PS_FAKE_LEN 8192

/* Records the last PS_FAKE_MAX messages and forwards each to `to`. */
typedef struct ps_fake {
    ug_ps_connection *to;
    uint64_t n;
    size_t len[PS_FAKE_MAX];
    uint8_t msg[PS_FAKE_MAX][PS_FAKE_LEN];
} ps_fake;

static inline ug_status ps_fake_send(void *ctx, const uint8_t *msg, size_t len)
{
    ps_fake *f = ctx;
    size_t i = f->n % PS_FAKE_MAX;
    f->len[i] = len < PS_FAKE_LEN ? len : PS_FAKE_LEN;
    memcpy(f->msg[i], msg, f->len[i]);
    f->n++;
    if (f->to)
        ug_ps_connection_receive(f->to, msg, len, 0);
    return UG_STATUS_GOOD;
}

/* The k-th most recent message (0: the last). */
static inline const uint8_t *ps_fake_last(const ps_fake *f, unsigned k, size_t *len)
{
    size_t i = (f->n - 1 - k) % PS_FAKE_MAX;
    *len = f->len[i];
    return f->msg[i];
}

#endif
