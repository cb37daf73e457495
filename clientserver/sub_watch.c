/* clientserver/sub_watch.c — monitored items that hear of value changes
 * as one of the address space's change listeners
 * (ug_aspace_add_change_listener), so that a
 * value written by the application or by Write is reported without waiting
 * for the next sampling tick. Sampling stays on for every item: callback and
 * asynchronous sources have no change to announce.
 *
 * One registry per address space (one listener that every session's items
 * share), a hash table of items keyed by NodeId. Entries compare
 * the full NodeId, so a node deleted and re-created elsewhere is never
 * confused with another.
 */
#include <stdlib.h>
#include <string.h>

#include "aspace.h"
#include "sub.h"

struct watch_reg {
    ug_aspace *as;
    struct sub_item **buckets;
    uint32_t nb;      /* power of two */
    uint32_t count;
    struct watch_reg *next;
};

static _Thread_local struct watch_reg *g_regs; /* the aspaces of this loop thread */

static uint32_t hash_bytes(uint32_t h, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u; /* FNV-1a */
    return h;
}

static uint32_t nodeid_hash(const ug_nodeid *id)
{
    uint32_t h = 2166136261u;
    h = hash_bytes(h, (const uint8_t *)&id->ns, sizeof id->ns);
    h = hash_bytes(h, &id->id_type, 1);
    switch (id->id_type) {
    case UG_ID_NUMERIC: h = hash_bytes(h, (const uint8_t *)&id->id.numeric, 4); break;
    case UG_ID_GUID: h = hash_bytes(h, (const uint8_t *)&id->id.guid, sizeof id->id.guid); break;
    default:
        if (id->id.string.len > 0)
            h = hash_bytes(h, id->id.string.data, (size_t)id->id.string.len);
        break;
    }
    return h;
}

static struct watch_reg *reg_of(ug_aspace *as)
{
    for (struct watch_reg *r = g_regs; r; r = r->next)
        if (r->as == as)
            return r;
    return NULL;
}

static void on_change(void *ctx, const ug_node *n)
{
    struct watch_reg *r = ctx;
    const ug_nodeid *id = ug_node_id(n);
    struct sub_item *it = r->buckets[nodeid_hash(id) & (r->nb - 1)];
    ug_datetime now = ug_datetime_now();
    while (it) {
        /* The sample may free nothing but can be long: take next first. */
        struct sub_item *next = it->watch_next;
        if (it->mode != UG_MONITORING_MODE_DISABLED && ug_nodeid_eq(&it->rv.node_id, id))
            sub_item_sample(it, now);
        it = next;
    }
}

static void insert(struct watch_reg *r, struct sub_item *it)
{
    struct sub_item **b = &r->buckets[nodeid_hash(&it->rv.node_id) & (r->nb - 1)];
    it->watch_prev = NULL;
    it->watch_next = *b;
    if (*b)
        (*b)->watch_prev = it;
    *b = it;
}

static ug_status grow(struct watch_reg *r)
{
    uint32_t nb = r->nb ? r->nb * 2 : 64;
    struct sub_item **old = r->buckets;
    uint32_t onb = r->nb;
    r->buckets = calloc(nb, sizeof *r->buckets);
    if (r->buckets == NULL) {
        r->buckets = old;
        return UG_STATUS_BADOUTOFMEMORY;
    }
    r->nb = nb;
    for (uint32_t i = 0; i < onb; i++) {
        struct sub_item *it = old[i];
        while (it) {
            struct sub_item *next = it->watch_next;
            insert(r, it);
            it = next;
        }
    }
    free(old);
    return UG_STATUS_GOOD;
}

ug_status sub_watch_add(struct sub_item *it)
{
    ug_aspace *as = it->sub->subs->aspace;
    if (as == NULL || it->watched)
        return UG_STATUS_GOOD;
    struct watch_reg *r = reg_of(as);
    if (r == NULL) {
        r = calloc(1, sizeof *r);
        if (r == NULL || grow(r) != UG_STATUS_GOOD) {
            free(r);
            return UG_STATUS_BADOUTOFMEMORY;
        }
        r->as = as;
        ug_status st = ug_aspace_add_change_listener(as, on_change, r);
        if (st != UG_STATUS_GOOD) {
            free(r->buckets);
            free(r);
            return st;
        }
        r->next = g_regs;
        g_regs = r;
    }
    if (r->count >= 2 * r->nb && grow(r) != UG_STATUS_GOOD)
        return UG_STATUS_BADOUTOFMEMORY;
    insert(r, it);
    r->count++;
    it->watched = true;
    return UG_STATUS_GOOD;
}

void sub_watch_remove(struct sub_item *it)
{
    if (!it->watched)
        return;
    ug_aspace *as = it->sub->subs->aspace;
    struct watch_reg *r = reg_of(as);
    it->watched = false;
    if (r == NULL)
        return;
    if (it->watch_prev)
        it->watch_prev->watch_next = it->watch_next;
    else
        r->buckets[nodeid_hash(&it->rv.node_id) & (r->nb - 1)] = it->watch_next;
    if (it->watch_next)
        it->watch_next->watch_prev = it->watch_prev;
    it->watch_prev = it->watch_next = NULL;
    if (--r->count > 0)
        return;
    (void)ug_aspace_remove_change_listener(as, on_change, r);
    struct watch_reg **pp = &g_regs;
    while (*pp != r)
        pp = &(*pp)->next;
    *pp = r->next;
    free(r->buckets);
    free(r);
}
