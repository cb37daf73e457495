/* clientserver/svc_monitored.c — the MonitoredItem service set (Part 4
 * §5.12): CreateMonitoredItems, ModifyMonitoredItems, SetMonitoringMode,
 * DeleteMonitoredItems. SetTriggering is not offered (the dispatcher answers
 * BadServiceUnsupported).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aspace.h"
#include "sub.h"

static ug_status get_sub(struct ug_svc_ctx *ctx, uint32_t id, struct ug_subs **subs_out,
                         struct sub **out)
{
    struct ug_subs *subs = ug_subs_lookup(ctx);
    if (subs == NULL)
        return UG_STATUS_BADSESSIONIDINVALID;
    sub_bind(subs, ctx);
    struct sub *s = sub_find(subs, id);
    if (s == NULL)
        return UG_STATUS_BADSUBSCRIPTIONIDINVALID;
    sub_touch(s);
    *subs_out = subs;
    *out = s;
    return UG_STATUS_GOOD;
}

static ug_status check_ttr(int32_t ttr)
{
    if (ttr < UG_TIMESTAMPS_TO_RETURN_SOURCE || ttr > UG_TIMESTAMPS_TO_RETURN_NEITHER)
        return UG_STATUS_BADTIMESTAMPSTORETURNINVALID;
    return UG_STATUS_GOOD;
}

/* The common head of the four services, in the order of their checks: the
 * subscription (get_sub), the request's own argument check (arg_st, Good when
 * it has none), the item count n, then an arena array of n results of size
 * bytes each. Returns Good, get_sub's, arg_st, BadNothingToDo,
 * BadTooManyOperations, BadOutOfMemory. */
static ug_status items_begin(struct ug_svc_ctx *ctx, uint32_t sub_id, ug_status arg_st,
                             int32_t n, size_t size, struct sub **s_out, void **res_out)
{
    struct ug_subs *subs;
    ug_status st = get_sub(ctx, sub_id, &subs, s_out);
    if (st != UG_STATUS_GOOD)
        return st;
    if (arg_st != UG_STATUS_GOOD)
        return arg_st;
    if (n <= 0)
        return UG_STATUS_BADNOTHINGTODO;
    if ((uint32_t)n > subs->lim.max_monitored_items_per_call)
        return UG_STATUS_BADTOOMANYOPERATIONS;
    void *res = ug_arena_alloc(ctx->arena, (size_t)n * size);
    if (res == NULL)
        return UG_STATUS_BADOUTOFMEMORY;
    *res_out = res;
    return UG_STATUS_GOOD;
}

static struct sub_item *item_find(struct sub *s, uint32_t id)
{
    if (id == 0 || id > s->items_cap)
        return NULL;
    return s->items[id - 1];
}

/* SetMonitoringMode and DeleteMonitoredItems: items_begin, then fn on each
 * item of ids that exists; one status per id (Good, or
 * BadMonitoredItemIdInvalid) into *results / *results_len. Returns
 * items_begin's statuses. */
static ug_status each_item(struct ug_svc_ctx *ctx, uint32_t sub_id, ug_status arg_st,
                           const uint32_t *ids, int32_t n,
                           void (*fn)(struct sub *s, struct sub_item *it, uint32_t id,
                                      const void *arg),
                           const void *arg, int32_t *results_len, ug_status **results)
{
    struct sub *s;
    ug_status *res;
    ug_status st = items_begin(ctx, sub_id, arg_st, n, sizeof *res, &s, (void **)&res);
    if (st != UG_STATUS_GOOD)
        return st;
    for (int32_t i = 0; i < n; i++) {
        struct sub_item *it = item_find(s, ids[i]);
        if (it == NULL) {
            res[i] = UG_STATUS_BADMONITOREDITEMIDINVALID;
            continue;
        }
        fn(s, it, ids[i], arg);
        res[i] = UG_STATUS_GOOD;
    }
    *results_len = n;
    *results = res;
    return UG_STATUS_GOOD;
}

/* The variable's MinimumSamplingInterval (Part 3 §5.6.2), 0 when it has
 * none or it is unknown (-1, indeterminate). */
static double node_min_sampling(struct ug_subs *subs, const ug_nodeid *node, ug_datetime now)
{
    ug_ReadValueId rv = {.node_id = *node, .attribute_id = UG_ATTR_MINIMUM_SAMPLING_INTERVAL,
                         .index_range = UG_NULL_BYTES};
    ug_datavalue dv;
    if (ug_aspace_read_attr(subs->aspace, &rv, UG_TIMESTAMPS_TO_RETURN_NEITHER, &dv,
                            &subs->scratch, now) != UG_STATUS_GOOD ||
        dv.value.type != UG_TYPE_DOUBLE || ug_variant_is_array(&dv.value) ||
        !(dv.value.u.v.f64 > 0))
        return 0;
    return dv.value.u.v.f64;
}

/* Part 4 §7.21: negative means the publishing interval, 0 the fastest rate;
 * the revised interval is never below the requested one except for those,
 * nor below what the variable supports. */
static double revise_sampling(const struct sub *s, double ms, double node_min)
{
    if (isnan(ms) || ms < 0)
        ms = s->interval_ms;
    if (ms < s->subs->lim.min_sampling_interval_ms)
        ms = s->subs->lim.min_sampling_interval_ms;
    if (ms < node_min)
        ms = node_min;
    if (ms > SUB_MAX_INTERVAL_MS)
        ms = SUB_MAX_INTERVAL_MS;
    return ms;
}

static uint32_t revise_queue(const struct sub *s, uint32_t q)
{
    if (q == 0)
        q = 1;
    if (q > s->subs->lim.max_queue_size)
        q = s->subs->lim.max_queue_size;
    return q;
}

static size_t bytes_len(ug_bytes b) { return b.len > 0 ? (size_t)b.len : 0; }

static ug_bytes put_bytes(uint8_t **p, ug_bytes b)
{
    if (b.len <= 0)
        return (ug_bytes){NULL, b.len};
    memcpy(*p, b.data, (size_t)b.len);
    ug_bytes r = {*p, b.len};
    *p += b.len;
    return r;
}

/* The item's own copy of what it reads. */
static ug_status copy_rv(struct sub_item *it, const ug_ReadValueId *rv)
{
    const ug_nodeid *n = &rv->node_id;
    bool id_bytes = n->id_type == UG_ID_STRING || n->id_type == UG_ID_OPAQUE;
    size_t need = (id_bytes ? bytes_len(n->id.string) : 0) + bytes_len(rv->index_range) +
                  bytes_len(rv->data_encoding.name);
    it->rv = *rv;
    if (need == 0)
        return UG_STATUS_GOOD;
    uint8_t *p = malloc(need);
    if (p == NULL)
        return UG_STATUS_BADOUTOFMEMORY;
    it->owned = p;
    if (id_bytes)
        it->rv.node_id.id.string = put_bytes(&p, n->id.string);
    it->rv.index_range = put_bytes(&p, rv->index_range);
    it->rv.data_encoding.name = put_bytes(&p, rv->data_encoding.name);
    return UG_STATUS_GOOD;
}

/* Statuses of the first read that mean the item cannot exist (Part 4
 * §5.12.2.4); others (BadNotReadable, ...) are the value's status. */
static bool fatal_read_status(ug_status st)
{
    switch (st) {
    case UG_STATUS_BADNODEIDUNKNOWN:
    case UG_STATUS_BADNODEIDINVALID:
    case UG_STATUS_BADATTRIBUTEIDINVALID:
    case UG_STATUS_BADINDEXRANGEINVALID:
    case UG_STATUS_BADDATAENCODINGINVALID:
    case UG_STATUS_BADDATAENCODINGUNSUPPORTED:
        return true;
    default:
        return false;
    }
}

static uint32_t slot_alloc(struct sub *s)
{
    for (uint32_t i = s->items_free_hint; i < s->items_cap; i++)
        if (s->items[i] == NULL)
            return i;
    if (s->items_cap == UINT32_MAX / 2)
        return UINT32_MAX;
    uint32_t cap = s->items_cap ? s->items_cap * 2 : 64;
    struct sub_item **items = realloc(s->items, cap * sizeof *items);
    if (items == NULL)
        return UINT32_MAX;
    memset(items + s->items_cap, 0, (cap - s->items_cap) * sizeof *items);
    uint32_t i = s->items_cap;
    s->items = items;
    s->items_cap = cap;
    return i;
}

static void create_one(struct ug_svc_ctx *ctx, struct sub *s, int32_t ttr,
                       const ug_MonitoredItemCreateRequest *rq, ug_MonitoredItemCreateResult *res)
{
    struct ug_subs *subs = s->subs;
    const ug_MonitoringParameters *p = &rq->requested_parameters;
    *res = (ug_MonitoredItemCreateResult){0};
    if (s->n_items >= subs->lim.max_monitored_items) {
        res->status_code = UG_STATUS_BADTOOMANYMONITOREDITEMS;
        return;
    }
    if (rq->monitoring_mode < UG_MONITORING_MODE_DISABLED ||
        rq->monitoring_mode > UG_MONITORING_MODE_REPORTING) {
        res->status_code = UG_STATUS_BADMONITORINGMODEINVALID;
        return;
    }
    const ug_ReadValueId *rv = &rq->item_to_monitor;
    if (rv->attribute_id < UG_ATTR_NODE_ID || rv->attribute_id > UG_ATTR_MAX) {
        res->status_code = UG_STATUS_BADATTRIBUTEIDINVALID;
        return;
    }
    ug_arena_reset(&subs->scratch);
    ug_datetime now = ctx->now ? ctx->now : ug_datetime_now();
    ug_datavalue cur = {0};
    ug_status st = ug_aspace_read_attr(subs->aspace, rv, UG_TIMESTAMPS_TO_RETURN_BOTH, &cur,
                                       &subs->scratch, now);
    if (fatal_read_status(st)) {
        res->status_code = st;
        return;
    }
    if (ug_is_bad(st) && !(cur.mask & UG_DV_STATUS)) {
        cur.mask |= UG_DV_STATUS;
        cur.status = st;
    }
    struct sub_filter f;
    st = sub_filter_parse(&p->filter, subs->aspace, &rv->node_id, rv->attribute_id, &cur,
                          &subs->scratch, now, &f);
    if (st != UG_STATUS_GOOD) {
        res->status_code = st;
        return;
    }
    uint32_t slot = slot_alloc(s);
    struct sub_item *it = slot == UINT32_MAX ? NULL : calloc(1, sizeof *it);
    if (it == NULL) {
        res->status_code = UG_STATUS_BADOUTOFMEMORY;
        return;
    }
    it->sub = s;
    it->id = slot + 1;
    it->client_handle = p->client_handle;
    it->ttr = ttr;
    it->mode = UG_MONITORING_MODE_DISABLED;
    it->filter = f;
    it->sampling_ms =
        revise_sampling(s, p->sampling_interval, node_min_sampling(subs, &rv->node_id, now));
    if ((st = copy_rv(it, rv)) != UG_STATUS_GOOD ||
        (st = sub_item_set_queue(it, revise_queue(s, p->queue_size), p->discard_oldest)) !=
            UG_STATUS_GOOD ||
        (st = sub_item_schedule(it)) != UG_STATUS_GOOD) {
        sub_item_free(it);
        res->status_code = st;
        return;
    }
    s->items[slot] = it;
    s->items_free_hint = slot + 1;
    s->n_items++;
    /* The first sample is always queued (§5.12.1.2): the one just read. */
    it->mode = (uint8_t)rq->monitoring_mode;
    if (it->mode != UG_MONITORING_MODE_DISABLED)
        sub_item_offer(it, &cur);
    res->status_code = UG_STATUS_GOOD;
    res->monitored_item_id = it->id;
    res->revised_sampling_interval = it->sampling_ms;
    res->revised_queue_size = it->q_cap;
}

/* Part 4 §5.12.2. Returns Good, BadSessionIdInvalid, BadSubscriptionIdInvalid,
 * BadTimestampsToReturnInvalid, BadNothingToDo, BadTooManyOperations,
 * BadOutOfMemory. Per item: Good, BadTooManyMonitoredItems,
 * BadMonitoringModeInvalid, BadAttributeIdInvalid, BadNodeIdUnknown,
 * BadNodeIdInvalid, BadIndexRangeInvalid, BadDataEncodingInvalid,
 * BadDataEncodingUnsupported, the filter's (sub_filter_parse), BadOutOfMemory. */
ug_status ug_svc_create_monitored_items(struct ug_svc_ctx *ctx, const void *request,
                                        void *response)
{
    const ug_CreateMonitoredItemsRequest *req = request;
    ug_CreateMonitoredItemsResponse *resp = response;
    struct sub *s;
    ug_MonitoredItemCreateResult *res;
    int32_t n = req->items_to_create_len;
    ug_status st = items_begin(ctx, req->subscription_id, check_ttr(req->timestamps_to_return), n,
                               sizeof *res, &s, (void **)&res);
    if (st != UG_STATUS_GOOD)
        return st;
    for (int32_t i = 0; i < n; i++)
        create_one(ctx, s, req->timestamps_to_return, &req->items_to_create[i], &res[i]);
    resp->results_len = n;
    resp->results = res;
    return UG_STATUS_GOOD;
}

static void modify_one(struct ug_svc_ctx *ctx, struct sub *s, int32_t ttr,
                       const ug_MonitoredItemModifyRequest *rq, ug_MonitoredItemModifyResult *res)
{
    struct ug_subs *subs = s->subs;
    const ug_MonitoringParameters *p = &rq->requested_parameters;
    *res = (ug_MonitoredItemModifyResult){0};
    struct sub_item *it = item_find(s, rq->monitored_item_id);
    if (it == NULL) {
        res->status_code = UG_STATUS_BADMONITOREDITEMIDINVALID;
        return;
    }
    ug_arena_reset(&subs->scratch);
    ug_datetime now = ctx->now ? ctx->now : ug_datetime_now();
    struct sub_filter f;
    ug_status st = sub_filter_parse(&p->filter, subs->aspace, &it->rv.node_id,
                                    it->rv.attribute_id, it->has_last ? &it->last.dv : NULL,
                                    &subs->scratch, now, &f);
    if (st != UG_STATUS_GOOD) {
        res->status_code = st;
        return;
    }
    double ms = revise_sampling(s, p->sampling_interval,
                                node_min_sampling(subs, &it->rv.node_id, now));
    if ((st = sub_item_set_queue(it, revise_queue(s, p->queue_size), p->discard_oldest)) !=
        UG_STATUS_GOOD) {
        res->status_code = st;
        return;
    }
    if (ms != it->sampling_ms) {
        double old = it->sampling_ms;
        sub_item_unschedule(it);
        it->sampling_ms = ms;
        if (sub_item_schedule(it) != UG_STATUS_GOOD) {
            it->sampling_ms = old;
            if ((st = sub_item_schedule(it)) != UG_STATUS_GOOD) {
                res->status_code = UG_STATUS_BADOUTOFMEMORY;
                return;
            }
        }
    }
    it->filter = f;
    it->client_handle = p->client_handle;
    it->ttr = ttr;
    res->status_code = UG_STATUS_GOOD;
    res->revised_sampling_interval = it->sampling_ms;
    res->revised_queue_size = it->q_cap;
}

/* Part 4 §5.12.3. As CreateMonitoredItems; per item: Good,
 * BadMonitoredItemIdInvalid, the filter's, BadOutOfMemory. */
ug_status ug_svc_modify_monitored_items(struct ug_svc_ctx *ctx, const void *request,
                                        void *response)
{
    const ug_ModifyMonitoredItemsRequest *req = request;
    ug_ModifyMonitoredItemsResponse *resp = response;
    struct sub *s;
    ug_MonitoredItemModifyResult *res;
    int32_t n = req->items_to_modify_len;
    ug_status st = items_begin(ctx, req->subscription_id, check_ttr(req->timestamps_to_return), n,
                               sizeof *res, &s, (void **)&res);
    if (st != UG_STATUS_GOOD)
        return st;
    for (int32_t i = 0; i < n; i++)
        modify_one(ctx, s, req->timestamps_to_return, &req->items_to_modify[i], &res[i]);
    resp->results_len = n;
    resp->results = res;
    return UG_STATUS_GOOD;
}

static void set_mode_one(struct sub *s, struct sub_item *it, uint32_t id, const void *arg)
{
    (void)s;
    (void)id;
    sub_item_set_mode(it, *(const uint8_t *)arg);
}

/* Part 4 §5.12.4. Returns Good (per item: Good, BadMonitoredItemIdInvalid),
 * BadSessionIdInvalid, BadSubscriptionIdInvalid, BadMonitoringModeInvalid,
 * BadNothingToDo, BadTooManyOperations, BadOutOfMemory. */
ug_status ug_svc_set_monitoring_mode(struct ug_svc_ctx *ctx, const void *request, void *response)
{
    const ug_SetMonitoringModeRequest *req = request;
    ug_SetMonitoringModeResponse *resp = response;
    ug_status mode_st = req->monitoring_mode < UG_MONITORING_MODE_DISABLED ||
                                req->monitoring_mode > UG_MONITORING_MODE_REPORTING
                            ? UG_STATUS_BADMONITORINGMODEINVALID
                            : UG_STATUS_GOOD;
    uint8_t mode = (uint8_t)req->monitoring_mode;
    return each_item(ctx, req->subscription_id, mode_st, req->monitored_item_ids,
                     req->monitored_item_ids_len, set_mode_one, &mode, &resp->results_len,
                     &resp->results);
}

static void delete_one(struct sub *s, struct sub_item *it, uint32_t id, const void *arg)
{
    (void)arg;
    s->items[id - 1] = NULL;
    if (id - 1 < s->items_free_hint)
        s->items_free_hint = id - 1;
    s->n_items--;
    sub_item_free(it);
}

/* Part 4 §5.12.6. As SetMonitoringMode (without the mode). */
ug_status ug_svc_delete_monitored_items(struct ug_svc_ctx *ctx, const void *request,
                                        void *response)
{
    const ug_DeleteMonitoredItemsRequest *req = request;
    ug_DeleteMonitoredItemsResponse *resp = response;
    return each_item(ctx, req->subscription_id, UG_STATUS_GOOD, req->monitored_item_ids,
                     req->monitored_item_ids_len, delete_one, NULL, &resp->results_len,
                     &resp->results);
}
