/* clientserver/svc_method.c — the Call service (Part 4 §5.11.2).
 *
 * Each CallMethodRequest goes to ug_aspace_call, which checks it (object and
 * method known, method a component of the object or its type, Executable,
 * input arguments against the InputArguments property) and runs the method.
 * Synchronous methods answer at once. Asynchronous ones run on a worker; the
 * request then waits (the pending mechanism, pending.c) until the last of its
 * methods completed, while other requests go on.
 *
 * Status mapping (Part 4 §5.11.2.2 Table 66): an input argument of the
 * wrong type is BadTypeMismatch in inputArgumentResults and
 * BadInvalidArgument for the method.
 *
 * An asynchronous method reads its input arguments on the worker, after the
 * receive buffer the request was decoded from has been reused: such a
 * request is first deep-copied into the request's arena.
 *
 * When the request's channel or session goes away while methods still run,
 * its cancel hook (ug_svc_pending_set_cancel) stops them at once with
 * BadShutdown (ug_aspace_cancel_ctx); their late results are dropped by
 * identity, and the last of those completions finishes the pending, as the
 * handshake of server_internal.h asks.
 */
#include <string.h>

#include "aspace.h"
#include "server_internal.h"

/* One Call request waiting for its asynchronous methods; in the arena. */
struct call_wait {
    ug_svc_pending *pending;
    ug_aspace *as;
    uint32_t outstanding;
    bool taken;
};

static void map_result(ug_CallMethodResult *r)
{
    if (r->status_code == UG_STATUS_BADTYPEMISMATCH && r->input_argument_results_len > 0)
        r->status_code = UG_STATUS_BADINVALIDARGUMENT;
}

static void method_done(void *done_ctx, ug_CallMethodResult *res)
{
    struct call_wait *w = done_ctx;
    map_result(res);
    if (w->outstanding > 0)
        w->outstanding--;
    if (w->outstanding == 0 && w->taken)
        ug_svc_finish(w->pending, UG_STATUS_GOOD);
}

/* The request's channel or session went away: stop its methods. */
static void call_cancel(ug_svc_pending *pending, void *data)
{
    (void)pending;
    struct call_wait *w = data;
    ug_aspace_cancel_ctx(w->as, w, UG_STATUS_BADSHUTDOWN);
}

static bool method_is_async(ug_aspace *as, const ug_nodeid *method)
{
    ug_node *m = ug_aspace_get(as, method);
    const struct ug_method_impl *impl = m ? ug_node_method(m) : NULL;
    return impl && impl->async;
}

ug_status ug_svc_call(struct ug_svc_ctx *ctx, const void *vreq, void *vresp)
{
    const ug_CallRequest *req = vreq;
    ug_CallResponse *resp = vresp;
    int32_t n = req->methods_to_call_len;
    if (n <= 0)
        return UG_STATUS_BADNOTHINGTODO;
    uint32_t max = ctx->server->cfg.limits.max_nodes_per_method_call;
    if (max && (uint32_t)n > max)
        return UG_STATUS_BADTOOMANYOPERATIONS;
    ug_CallMethodResult *res = ug_arena_alloc(ctx->arena, (size_t)n * sizeof *res);
    struct call_wait *w = ug_arena_alloc(ctx->arena, sizeof *w);
    if (!res || !w)
        return UG_STATUS_BADOUTOFMEMORY;
    memset(res, 0, (size_t)n * sizeof *res);
    w->pending = ctx->pending;
    w->as = ctx->aspace;
    w->outstanding = 0;
    w->taken = false;
    resp->results = res;
    resp->results_len = n;

    for (int32_t i = 0; i < n; i++) {
        const ug_CallMethodRequest *m = &req->methods_to_call[i];
        ug_CallMethodRequest *copy = NULL;
        if (method_is_async(ctx->aspace, &m->method_id)) {
            copy = ug_arena_alloc(ctx->arena, sizeof *copy);
            if (!copy || ug_struct_copy(&ug_desc_CallMethodRequest, m, copy, ctx->arena) !=
                             UG_STATUS_GOOD) {
                res[i].status_code = UG_STATUS_BADOUTOFMEMORY;
                continue;
            }
            m = copy;
        }
        w->outstanding++;
        ug_status st = ug_aspace_call(ctx->aspace, m, &res[i], ctx->arena, method_done, w);
        if (st == UG_STATUS_GOODCOMPLETESASYNCHRONOUSLY)
            continue;
        w->outstanding--;
        res[i].status_code = st;
        map_result(&res[i]);
    }
    if (w->outstanding == 0)
        return UG_STATUS_GOOD;
    /* Answered when the last method completes (method_done). */
    w->taken = true;
    ug_svc_pending_set_cancel(w->pending, call_cancel, w);
    ctx->pending = NULL;
    return UG_STATUS_GOODCOMPLETESASYNCHRONOUSLY;
}
