/* Timers: a binary min-heap of caller-owned ug_timer structs keyed by the
 * absolute CLOCK_MONOTONIC deadline. Each timer stores its heap index, so
 * start, modify and stop are O(log n) without searching. Cyclic timers
 * advance from their previous deadline (base-time policy), never from the
 * wake-up time, so they keep their grid at any interval. */
#include <stdlib.h>

#include "loop_internal.h"

#define NOT_IN_HEAP UINT32_MAX

static bool earlier(const struct ug_timer *a, const struct ug_timer *b)
{
    return a->deadline_ns < b->deadline_ns;
}

static void place(ug_loop *loop, uint32_t i, struct ug_timer *t)
{
    loop->heap[i] = t;
    t->heap_idx = i;
}

static void sift_up(ug_loop *loop, uint32_t i)
{
    struct ug_timer *t = loop->heap[i];
    while (i > 0) {
        uint32_t parent = (i - 1) / 2;
        if (!earlier(t, loop->heap[parent]))
            break;
        place(loop, i, loop->heap[parent]);
        i = parent;
    }
    place(loop, i, t);
}

static void sift_down(ug_loop *loop, uint32_t i)
{
    struct ug_timer *t = loop->heap[i];
    uint32_t n = loop->heap_len;
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && earlier(loop->heap[c + 1], loop->heap[c]))
            c++;
        if (!earlier(loop->heap[c], t))
            break;
        place(loop, i, loop->heap[c]);
        i = c;
    }
    place(loop, i, t);
}

static ug_status heap_insert(ug_loop *loop, struct ug_timer *t)
{
    if (loop->heap_len == loop->heap_cap) {
        uint32_t cap = loop->heap_cap ? loop->heap_cap * 2 : 16;
        struct ug_timer **h = realloc(loop->heap, cap * sizeof *h);
        if (!h)
            return UG_STATUS_BADOUTOFMEMORY;
        loop->heap = h;
        loop->heap_cap = cap;
    }
    place(loop, loop->heap_len++, t);
    sift_up(loop, t->heap_idx);
    return UG_STATUS_GOOD;
}

static void heap_remove(ug_loop *loop, struct ug_timer *t)
{
    uint32_t i = t->heap_idx;
    struct ug_timer *last = loop->heap[--loop->heap_len];
    t->heap_idx = NOT_IN_HEAP;
    if (last == t)
        return;
    place(loop, i, last);
    /* The moved element may belong above or below its new place. */
    if (i > 0 && earlier(last, loop->heap[(i - 1) / 2]))
        sift_up(loop, i);
    else
        sift_down(loop, i);
}

/* Re-sorts t after its deadline changed, inserting it when not in the heap. */
static ug_status heap_update(ug_loop *loop, struct ug_timer *t)
{
    if (t->heap_idx == NOT_IN_HEAP)
        return heap_insert(loop, t);
    uint32_t i = t->heap_idx;
    if (i > 0 && earlier(t, loop->heap[(i - 1) / 2]))
        sift_up(loop, i);
    else
        sift_down(loop, i);
    return UG_STATUS_GOOD;
}

void ug_timer_init(struct ug_timer *t, ug_timer_cb cb, void *data)
{
    *t = (struct ug_timer){.cb = cb, .data = data, .heap_idx = NOT_IN_HEAP};
}

static int64_t first_deadline(int64_t now, int64_t interval, int64_t base, enum ug_timer_policy p)
{
    if (base <= 0)
        return now + interval;
    if (base > now)
        return base;
    if (p == UG_TIMER_CURRENT_TIME)
        return now + interval;
    /* The first grid slot strictly after now. */
    return base + ((now - base) / interval + 1) * interval;
}

static ug_status set_cyclic(ug_loop *loop, struct ug_timer *t, int64_t interval_ns,
                            int64_t base_ns, enum ug_timer_policy policy)
{
    if (interval_ns <= 0 || (policy != UG_TIMER_CURRENT_TIME && policy != UG_TIMER_BASE_TIME))
        return UG_STATUS_BADINVALIDARGUMENT;
    int64_t now = ug_clock_mono_ns();
    int64_t dl = first_deadline(now, interval_ns, base_ns, policy);
    bool was_active = t->heap_idx != NOT_IN_HEAP;
    struct ug_timer saved = *t;
    t->interval_ns = interval_ns;
    t->base_ns = base_ns > 0 ? base_ns : now;
    t->policy = (uint8_t)policy;
    t->deadline_ns = dl;
    ug_status st = heap_update(loop, t);
    if (!ug_is_good(st) && !was_active)
        *t = saved; /* a failed start leaves the timer as it was */
    return st;
}

ug_status ug_timer_start_cyclic(ug_loop *loop, struct ug_timer *t, int64_t interval_ns,
                                int64_t base_ns, enum ug_timer_policy policy)
{
    return set_cyclic(loop, t, interval_ns, base_ns, policy);
}

ug_status ug_timer_modify(ug_loop *loop, struct ug_timer *t, int64_t interval_ns,
                          int64_t base_ns, enum ug_timer_policy policy)
{
    if (t->heap_idx == NOT_IN_HEAP || t->interval_ns == 0)
        return UG_STATUS_BADINVALIDSTATE;
    return set_cyclic(loop, t, interval_ns, base_ns, policy);
}

ug_status ug_timer_start_once(ug_loop *loop, struct ug_timer *t, int64_t deadline_ns)
{
    int64_t saved_dl = t->deadline_ns, saved_iv = t->interval_ns;
    t->interval_ns = 0;
    t->deadline_ns = deadline_ns;
    ug_status st = heap_update(loop, t);
    if (!ug_is_good(st)) {
        t->deadline_ns = saved_dl;
        t->interval_ns = saved_iv;
    }
    return st;
}

void ug_timer_stop(ug_loop *loop, struct ug_timer *t)
{
    if (t->heap_idx != NOT_IN_HEAP)
        heap_remove(loop, t);
}

int64_t ug_timer_next_deadline(const ug_loop *loop)
{
    return loop->heap_len ? loop->heap[0]->deadline_ns : INT64_MAX;
}

/* The timer phase. Only timers already due when the phase starts run, and each
 * at most once per phase (the budget), so a callback that re-arms a one-shot
 * in the past cannot starve the other phases. The next deadline is computed
 * before the callback, so the callback may stop or modify its own timer. */
uint32_t ug_timer_run_due(ug_loop *loop)
{
    uint32_t ran = 0;
    int64_t now = ug_clock_mono_ns();
    loop->now = now;
    uint32_t budget = loop->heap_len;
    while (budget-- > 0 && loop->heap_len > 0 && loop->heap[0]->deadline_ns <= now) {
        struct ug_timer *t = loop->heap[0];
        int64_t d = t->deadline_ns;
        t->scheduled_ns = d;
        t->fired++;
        if (t->interval_ns == 0) {
            heap_remove(loop, t);
        } else {
            int64_t next;
            if (t->policy == UG_TIMER_BASE_TIME) {
                int64_t k = (now - d) / t->interval_ns;
                t->missed += (uint64_t)k;
                loop->stats.timer_missed += (uint64_t)k;
                next = d + (k + 1) * t->interval_ns;
            } else {
                next = now + t->interval_ns;
            }
            t->deadline_ns = next;
            sift_down(loop, 0);
        }
        loop->stats.timer_fires++;
        ran++;
        t->cb(loop, t);
    }
    return ran;
}

void ug_timer_heap_free(ug_loop *loop)
{
    for (uint32_t i = 0; i < loop->heap_len; i++)
        loop->heap[i]->heap_idx = NOT_IN_HEAP;
    free(loop->heap);
    loop->heap = NULL;
    loop->heap_len = loop->heap_cap = 0;
}
