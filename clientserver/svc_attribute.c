/* clientserver/svc_attribute.c — the Attribute service set: Read (Part 4
 * §5.10.2) and Write (§5.10.4).
 *
 * Operations on asynchronous value sources go to their worker; the request
 * then answers GoodCompletesAsynchronously and finishes with ug_svc_finish
 * once its last operation completed. Results computed synchronously in such
 * a request are deep-copied into the response arena first, since other
 * requests may change the nodes before the response is sent.
 */
#include <string.h>

#include "aspace_int.h"
#include "numeric_range.h"

/* One deferred request, in its own arena. */
struct pend {
    ug_svc_pending *pending;
    ug_aspace *as;
    ug_arena *arena;
    uint32_t outstanding;
    int32_t ttr;
    ug_datetime now;
    ug_datavalue *read_results;     /* Read */
    const ug_ReadValueId *to_read;
    ug_status *write_results;       /* Write */
};

static void pend_done_one(struct pend *p)
{
    if (--p->outstanding == 0)
        ug_svc_finish(p->pending, UG_STATUS_GOOD);
}

static void read_done(void *ctx, uint32_t i, ug_status st, const ug_datavalue *value)
{
    struct pend *p = ctx;
    ug_datavalue *out = &p->read_results[i];
    if (st != UG_STATUS_GOOD || !value) {
        *out = (ug_datavalue){.mask = UG_DV_STATUS,
                              .status = st != UG_STATUS_GOOD ? st : UG_STATUS_BADINTERNALERROR};
    } else {
        struct ug_nrange range;
        ug_datavalue tmp;
        (void)ug_nrange_parse(p->to_read[i].index_range, &range); /* checked before */
        if (ug_aspace_read_finish(value, true, &range, p->ttr, &tmp, p->arena, ug_aspace_now()) ==
                UG_STATUS_GOOD ||
            (tmp.mask & UG_DV_VALUE)) {
            if (ug_datavalue_copy(&tmp, out, p->arena) != UG_STATUS_GOOD)
                *out = (ug_datavalue){.mask = UG_DV_STATUS, .status = UG_STATUS_BADOUTOFMEMORY};
        } else {
            *out = tmp;
        }
    }
    pend_done_one(p);
}

static void write_done(void *ctx, uint32_t i, ug_status st, const ug_datavalue *value)
{
    (void)value;
    struct pend *p = ctx;
    p->write_results[i] = st;
    pend_done_one(p);
}

/* The deferral state of a request, in its arena; NULL when the dispatcher
 * gave no pending handle (operations on async sources then fail with
 * BadNotSupported) or the arena is exhausted. */
static struct pend *pend_new(struct ug_svc_ctx *ctx, int32_t ttr)
{
    if (!ctx->pending)
        return NULL;
    struct pend *p = ug_arena_alloc(ctx->arena, sizeof *p);
    if (!p)
        return NULL;
    memset(p, 0, sizeof *p);
    p->pending = ctx->pending;
    p->as = ctx->aspace;
    p->arena = ctx->arena;
    p->ttr = ttr;
    p->now = ctx->now;
    /* one extra count held while the request is being walked, so a
     * completion cannot finish it early */
    p->outstanding = 1;
    return p;
}

/* The request's channel or session went away: stop its device work; the
 * completions (with BadShutdown) still finish the pending, as the handshake
 * asks (server_internal.h). */
static void pend_cancel(ug_svc_pending *pending, void *data)
{
    (void)pending;
    struct pend *p = data;
    ug_aspace_cancel_ctx(p->as, p, UG_STATUS_BADSHUTDOWN);
}

/* Yields the request: the completions finish it. */
static ug_status pend_yield(struct ug_svc_ctx *ctx, struct pend *p)
{
    ctx->pending = NULL;
    ug_svc_pending_set_cancel(p->pending, pend_cancel, p);
    p->outstanding--; /* drop the walk's count */
    return UG_STATUS_GOODCOMPLETESASYNCHRONOUSLY;
}

/* ------------------------------------------------------------------ Read -- */

ug_status ug_svc_read(struct ug_svc_ctx *ctx, const void *request, void *response)
{
    const ug_ReadRequest *req = request;
    ug_ReadResponse *resp = response;
    const struct ug_server_limits *lim = ug_svc_limits(ctx);
    if (req->nodes_to_read_len <= 0)
        return UG_STATUS_BADNOTHINGTODO;
    if (lim->max_nodes_per_read && (uint32_t)req->nodes_to_read_len > lim->max_nodes_per_read)
        return UG_STATUS_BADTOOMANYOPERATIONS;
    if (req->max_age < 0 || req->max_age != req->max_age)
        return UG_STATUS_BADMAXAGEINVALID;
    int32_t ttr = req->timestamps_to_return;
    if (ttr < UG_TIMESTAMPS_TO_RETURN_SOURCE || ttr > UG_TIMESTAMPS_TO_RETURN_NEITHER)
        return UG_STATUS_BADTIMESTAMPSTORETURNINVALID;
    size_t n = (size_t)req->nodes_to_read_len;
    ug_datavalue *res = ug_arena_alloc(ctx->arena, n * sizeof *res);
    if (!res)
        return UG_STATUS_BADOUTOFMEMORY;
    resp->results = res;
    resp->results_len = (int32_t)n;
    struct pend *p = NULL;
    for (size_t i = 0; i < n; i++) {
        const ug_ReadValueId *rv = &req->nodes_to_read[i];
        ug_node *node;
        struct ug_nrange range;
        ug_status st = ug_aspace_read_prepare(ctx->aspace, rv, &node, &range);
        if (st != UG_STATUS_GOOD) {
            res[i] = (ug_datavalue){.mask = UG_DV_STATUS, .status = st};
            continue;
        }
        if (rv->attribute_id == UG_ATTR_VALUE && node->vsrc == UG_VSRC_ASYNC) {
            /* MaxAge (Part 4 §5.10.2.2): 0 asks for a fresh value; a
             * larger age may be served from the last completed read */
            const ug_datavalue *last = ug_node_dv(node);
            bool fresh_enough = req->max_age > 0 && (last->mask & UG_DV_SERVER_TIMESTAMP) &&
                                (double)(ctx->now - last->server_ts) / 1e4 <= req->max_age;
            if (!fresh_enough) {
                if (!p)
                    p = pend_new(ctx, ttr);
                if (!p) {
                    res[i] = (ug_datavalue){.mask = UG_DV_STATUS,
                                            .status = UG_STATUS_BADNOTSUPPORTED};
                    continue;
                }
                p->read_results = res;
                p->to_read = req->nodes_to_read;
                st = ug_aspace_async_read(ctx->aspace, node, read_done, p, (uint32_t)i);
                if (st == UG_STATUS_GOOD) {
                    p->outstanding++;
                    res[i] = (ug_datavalue){.mask = UG_DV_STATUS, .status = UG_STATUS_BADINTERNALERROR};
                    continue;
                }
                res[i] = (ug_datavalue){.mask = UG_DV_STATUS, .status = st};
                continue;
            }
        }
        (void)ug_aspace_read_node(node, rv, &range, ttr, &res[i], ctx->arena, ctx->now);
    }
    if (!p)
        return UG_STATUS_GOOD;
    if (p->outstanding == 1) /* nothing went to a worker after all */
        return UG_STATUS_GOOD;
    /* results so far are views into nodes: copy them before yielding */
    for (size_t i = 0; i < n; i++) {
        ug_datavalue tmp = res[i];
        if (ug_datavalue_copy(&tmp, &res[i], ctx->arena) != UG_STATUS_GOOD)
            res[i] = (ug_datavalue){.mask = UG_DV_STATUS, .status = UG_STATUS_BADOUTOFMEMORY};
    }
    return pend_yield(ctx, p);
}

/* ----------------------------------------------------------------- Write -- */

ug_status ug_svc_write(struct ug_svc_ctx *ctx, const void *request, void *response)
{
    const ug_WriteRequest *req = request;
    ug_WriteResponse *resp = response;
    const struct ug_server_limits *lim = ug_svc_limits(ctx);
    if (req->nodes_to_write_len <= 0)
        return UG_STATUS_BADNOTHINGTODO;
    if (lim->max_nodes_per_write && (uint32_t)req->nodes_to_write_len > lim->max_nodes_per_write)
        return UG_STATUS_BADTOOMANYOPERATIONS;
    size_t n = (size_t)req->nodes_to_write_len;
    ug_status *res = ug_arena_alloc(ctx->arena, n * sizeof *res);
    if (!res)
        return UG_STATUS_BADOUTOFMEMORY;
    resp->results = res;
    resp->results_len = (int32_t)n;
    struct pend *p = NULL;
    for (size_t i = 0; i < n; i++) {
        const ug_WriteValue *wv = &req->nodes_to_write[i];
        ug_node *node;
        struct ug_nrange range;
        ug_variant v;
        ug_status st = ug_aspace_write_check(ctx->aspace, wv, &node, &range, &v);
        if (st != UG_STATUS_GOOD) {
            res[i] = st;
            continue;
        }
        if (wv->attribute_id != UG_ATTR_VALUE) {
            res[i] = ug_aspace_write_plain(ctx->aspace, node, wv);
            continue;
        }
        if (node->vsrc != UG_VSRC_ASYNC) {
            res[i] = ug_aspace_write_value(ctx->aspace, node, wv, &range, &v, ctx->arena, ctx->now);
            continue;
        }
        if (range.n) {
            res[i] = UG_STATUS_BADWRITENOTSUPPORTED; /* a device write is whole-value */
            continue;
        }
        if (!p)
            p = pend_new(ctx, 0);
        if (!p) {
            res[i] = UG_STATUS_BADNOTSUPPORTED;
            continue;
        }
        p->write_results = res;
        ug_datavalue dv = wv->value;
        dv.value = v;
        st = ug_aspace_async_write(ctx->aspace, node, &dv, write_done, p, (uint32_t)i);
        if (st == UG_STATUS_GOOD) {
            p->outstanding++;
            res[i] = UG_STATUS_BADINTERNALERROR; /* until it completes */
        } else {
            res[i] = st;
        }
    }
    if (!p || p->outstanding == 1)
        return UG_STATUS_GOOD;
    return pend_yield(ctx, p);
}
