/* clientserver/sub_item.c — monitored items: sampling groups, the value
 * queue with its discard policy (Part 4 §5.13.1.5), monitoring modes
 * (§5.12.1.3) and the address-space change hook.
 */
#include <stdlib.h>
#include <string.h>

#include "aspace.h"
#include "sub.h"

/* StatusCode InfoBits (Part 4 §7.39.1): InfoType DataValue, Overflow. */
#define INFO_DATAVALUE 0x00000400u
#define INFO_OVERFLOW 0x00000080u

/* ---------------------------------------------------------- the queue -- */

static struct sub_val *slot(struct sub_item *it, uint32_t i)
{
    return &it->q[(it->q_head + i) % it->q_cap];
}

/* Part 4 §7.37 TimestampsToReturn: samples are read with both timestamps
 * (StatusValueTimestamp needs the source one); the queued copy keeps what
 * the client asked for. */
static void apply_ttr(ug_datavalue *dv, int32_t ttr)
{
    uint8_t drop = 0;
    switch (ttr) {
    case UG_TIMESTAMPS_TO_RETURN_SOURCE: drop = UG_DV_SERVER_TIMESTAMP | UG_DV_SERVER_PICOSECONDS; break;
    case UG_TIMESTAMPS_TO_RETURN_SERVER: drop = UG_DV_SOURCE_TIMESTAMP | UG_DV_SOURCE_PICOSECONDS; break;
    case UG_TIMESTAMPS_TO_RETURN_NEITHER:
        drop = UG_DV_SERVER_TIMESTAMP | UG_DV_SERVER_PICOSECONDS | UG_DV_SOURCE_TIMESTAMP |
               UG_DV_SOURCE_PICOSECONDS;
        break;
    default: break;
    }
    dv->mask &= (uint8_t)~drop;
    if (!(dv->mask & UG_DV_SOURCE_TIMESTAMP))
        dv->source_ts = 0, dv->source_ps = 0;
    if (!(dv->mask & UG_DV_SERVER_TIMESTAMP))
        dv->server_ts = 0, dv->server_ps = 0;
}

static void set_overflow(struct sub_val *v)
{
    v->dv.status |= INFO_DATAVALUE | INFO_OVERFLOW;
    v->dv.mask |= UG_DV_STATUS;
}

static void enqueue(struct sub_item *it, const ug_datavalue *dv)
{
    struct sub_val *dst;
    bool grew = false, overflow = false;
    if (it->q_len < it->q_cap) {
        dst = slot(it, it->q_len);
        grew = true;
    } else if (it->q_cap == 1) {
        dst = slot(it, 0); /* a buffer of the newest value: no overflow bit */
    } else if (it->discard_oldest) {
        /* The oldest goes; the new oldest carries the flag. */
        it->q_head = (it->q_head + 1) % it->q_cap;
        dst = slot(it, it->q_len - 1);
        overflow = true;
    } else {
        /* The newest is replaced and carries the flag. */
        dst = slot(it, it->q_len - 1);
        overflow = true;
    }
    if (sub_val_set(dst, dv) != UG_STATUS_GOOD) {
        /* Out of memory: keep the slot as a value-less Bad sample rather
         * than a half copy. */
        dst->dv = (ug_datavalue){.mask = UG_DV_STATUS, .status = UG_STATUS_BADOUTOFMEMORY};
    }
    apply_ttr(&dst->dv, it->ttr);
    if (overflow)
        set_overflow(it->discard_oldest ? slot(it, 0) : dst);
    if (grew) {
        it->q_len++;
        if (it->mode == UG_MONITORING_MODE_REPORTING) {
            it->sub->ready_values++;
            sub_ready_link(it);
        }
    }
}

const ug_datavalue *sub_item_peek(const struct sub_item *it)
{
    return it->q_len ? &it->q[it->q_head].dv : NULL;
}

bool sub_item_pop(struct sub_item *it, ug_datavalue *out)
{
    if (it->q_len == 0)
        return false;
    *out = slot(it, 0)->dv;
    it->q_head = (it->q_head + 1) % it->q_cap;
    it->q_len--;
    if (it->mode == UG_MONITORING_MODE_REPORTING)
        it->sub->ready_values--;
    return true;
}

void sub_item_clear_queue(struct sub_item *it)
{
    if (it->mode == UG_MONITORING_MODE_REPORTING)
        it->sub->ready_values -= it->q_len;
    it->q_len = 0;
    it->q_head = 0;
    sub_ready_unlink(it);
}

ug_status sub_item_set_queue(struct sub_item *it, uint32_t cap, bool discard_oldest)
{
    it->discard_oldest = discard_oldest;
    if (cap == it->q_cap)
        return UG_STATUS_GOOD;
    struct sub_val *q = calloc(cap, sizeof *q);
    if (q == NULL)
        return UG_STATUS_BADOUTOFMEMORY;
    /* Keep the newest values that fit (Part 4 §5.12.3: a smaller queue
     * drops per the discard policy; the newest are what clients want). */
    uint32_t keep = it->q_len < cap ? it->q_len : cap;
    uint32_t skip = it->q_len - keep;
    for (uint32_t i = 0; i < it->q_cap; i++) {
        uint32_t rel = (i + it->q_cap - it->q_head) % it->q_cap; /* age order */
        struct sub_val *v = &it->q[i];
        if (rel >= skip && rel < it->q_len)
            q[rel - skip] = *v;
        else
            sub_val_clear(v);
    }
    free(it->q);
    if (it->mode == UG_MONITORING_MODE_REPORTING)
        it->sub->ready_values -= skip;
    it->q = q;
    it->q_cap = cap;
    it->q_head = 0;
    it->q_len = keep;
    if (keep == 0)
        sub_ready_unlink(it);
    return UG_STATUS_GOOD;
}

/* --------------------------------------------------------- sampling -- */

void sub_item_offer(struct sub_item *it, const ug_datavalue *dv)
{
    if (it->mode == UG_MONITORING_MODE_DISABLED)
        return;
    if (it->has_last && !sub_filter_changed(&it->filter, &it->last.dv, dv))
        return;
    if (sub_val_set(&it->last, dv) != UG_STATUS_GOOD) {
        it->has_last = false; /* compare afresh next time */
        return;
    }
    it->has_last = true;
    enqueue(it, dv);
}

void sub_item_sample(struct sub_item *it, ug_datetime now)
{
    struct ug_subs *subs = it->sub->subs;
    ug_datavalue dv = {0};
    ug_arena_reset(&subs->scratch);
    ug_status st = ug_aspace_read_attr(subs->aspace, &it->rv, UG_TIMESTAMPS_TO_RETURN_BOTH, &dv,
                                       &subs->scratch, now);
    if (ug_is_bad(st) && !(dv.mask & UG_DV_STATUS)) {
        dv.mask |= UG_DV_STATUS;
        dv.status = st;
    }
    sub_item_offer(it, &dv);
}

static void group_tick(ug_loop *loop, struct ug_timer *t)
{
    (void)loop;
    struct sub_group *g = t->data;
    ug_datetime now = ug_datetime_now();
    for (uint32_t i = 0; i < g->n; i++) {
        struct sub_item *it = g->items[i];
        if (it->mode != UG_MONITORING_MODE_DISABLED)
            sub_item_sample(it, now);
    }
}

ug_status sub_item_schedule(struct sub_item *it)
{
    struct sub *s = it->sub;
    int64_t ns = (int64_t)(it->sampling_ms * 1e6);
    if (ns < 1000000)
        ns = 1000000;
    struct sub_group *g = s->groups;
    while (g && g->interval_ns != ns)
        g = g->next;
    if (g == NULL) {
        g = calloc(1, sizeof *g);
        if (g == NULL)
            return UG_STATUS_BADOUTOFMEMORY;
        g->sub = s;
        g->interval_ns = ns;
        ug_timer_init(&g->timer, group_tick, g);
        ug_status st = ug_timer_start_cyclic(s->subs->loop, &g->timer, ns, 0, UG_TIMER_BASE_TIME);
        if (st != UG_STATUS_GOOD) {
            free(g);
            return st;
        }
        g->next = s->groups;
        s->groups = g;
    }
    if (g->n == g->cap) {
        uint32_t cap = g->cap ? g->cap * 2 : 16;
        struct sub_item **items = realloc(g->items, cap * sizeof *items);
        if (items == NULL) {
            if (g->n == 0) {
                s->groups = g->next; /* just made: undo */
                ug_timer_stop(s->subs->loop, &g->timer);
                free(g);
            }
            return UG_STATUS_BADOUTOFMEMORY;
        }
        g->items = items;
        g->cap = cap;
    }
    it->group = g;
    it->group_idx = g->n;
    g->items[g->n++] = it;
    /* Written values are reported at once; without the hook (out of
     * memory) sampling alone still finds them. */
    if (it->rv.attribute_id == UG_ATTR_VALUE)
        (void)sub_watch_add(it);
    return UG_STATUS_GOOD;
}

void sub_item_unschedule(struct sub_item *it)
{
    sub_watch_remove(it);
    struct sub_group *g = it->group;
    if (g == NULL)
        return;
    struct sub_item *last = g->items[--g->n];
    g->items[it->group_idx] = last;
    last->group_idx = it->group_idx;
    it->group = NULL;
    if (g->n > 0)
        return;
    struct sub *s = g->sub;
    struct sub_group **pp = &s->groups;
    while (*pp != g)
        pp = &(*pp)->next;
    *pp = g->next;
    ug_timer_stop(s->subs->loop, &g->timer);
    free(g->items);
    free(g);
}

void sub_item_set_mode(struct sub_item *it, uint8_t mode)
{
    uint8_t old = it->mode;
    if (old == mode)
        return;
    if (mode == UG_MONITORING_MODE_DISABLED) {
        sub_item_clear_queue(it);
        it->has_last = false;
        it->mode = mode;
        return;
    }
    if (old == UG_MONITORING_MODE_REPORTING) { /* -> Sampling: keep queued, stop reporting */
        it->sub->ready_values -= it->q_len;
        sub_ready_unlink(it);
    }
    it->mode = mode;
    if (mode == UG_MONITORING_MODE_REPORTING && it->q_len > 0) {
        it->sub->ready_values += it->q_len;
        sub_ready_link(it);
    }
    if (old == UG_MONITORING_MODE_DISABLED)
        sub_item_sample(it, ug_datetime_now()); /* the first sample is always reported */
}

void sub_item_free(struct sub_item *it)
{
    sub_item_unschedule(it);
    sub_item_clear_queue(it);
    for (uint32_t i = 0; i < it->q_cap; i++)
        sub_val_clear(&it->q[i]);
    free(it->q);
    sub_val_clear(&it->last);
    free(it->owned);
    free(it);
}
