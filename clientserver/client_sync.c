/* clientserver/client_sync.c — the blocking layer: each call starts the
 * asynchronous operation and turns the loop (ug_loop_run_once) until its
 * callback ran, then copies the answer into the caller's arena. Only for the
 * owner of a loop that is not running (see client.h).
 *
 * Also the typed helpers: Read, Write, Browse + BrowseNext, Translate, Call
 * (Part 4 §5.10, §5.8, §5.11), each one operation per request.
 */
#include <stdlib.h>
#include <string.h>

#include "client_internal.h"
#include "uagate/ua_nodeids.h"

/* Bound on BrowseNext rounds for one browse: a server that hands out
 * continuation points forever must not hang the caller. */
#define MAX_BROWSE_ROUNDS 10000

struct wait {
    bool done;
    ug_status status;
    const ug_type_desc *desc;
    void *out;
    ug_arena *arena;
};

static void on_sync(ug_client *c, ug_status st, void *resp, void *ctx)
{
    (void)c;
    struct wait *w = ctx;
    w->done = true;
    w->status = st;
    if (resp && w->out) {
        ug_status cs = ug_struct_copy(w->desc, resp, w->out, w->arena);
        if (cs != UG_STATUS_GOOD) {
            memset(w->out, 0, w->desc->size);
            w->status = cs;
        }
    }
}

static void on_done_sync(ug_client *c, ug_status st, void *ctx)
{
    (void)c;
    struct wait *w = ctx;
    w->done = true;
    w->status = st;
}

/* Turns the loop until w->done. A blocking iteration returns after any
 * callback ran (rt/loop.c), so a completion from a timer (a request timeout)
 * is seen at once. A loop failure leaves the request in flight: it is
 * detached from w (which lives on the caller's stack). */
static ug_status wait_done(ug_client *c, struct wait *w)
{
    while (!w->done) {
        ug_status st = ug_loop_run_once(c->loop, true);
        if (st != UG_STATUS_GOOD) {
            cl_detach_ctx(c, w);
            return st;
        }
    }
    return w->status;
}

ug_status ug_client_request(ug_client *c, const ug_type_desc *req_desc, void *req,
                            const ug_type_desc *resp_desc, void *resp_out, ug_arena *arena,
                            int64_t timeout_ns)
{
    if (!c || !resp_desc || !resp_out || !arena)
        return UG_STATUS_BADINVALIDARGUMENT;
    memset(resp_out, 0, resp_desc->size);
    struct wait w = {.desc = resp_desc, .out = resp_out, .arena = arena};
    ug_status st = ug_client_request_async(c, req_desc, req, resp_desc, timeout_ns, on_sync, &w);
    if (st != UG_STATUS_GOOD)
        return st;
    return wait_done(c, &w);
}

ug_status ug_client_connect(ug_client *c)
{
    if (!c)
        return UG_STATUS_BADINVALIDARGUMENT;
    c->sync_connect = true;
    ug_status st = ug_client_connect_async(c, c->state_cb, c->state_ctx);
    if (st != UG_STATUS_GOOD) {
        c->sync_connect = false;
        return st;
    }
    while (c->state != UG_CLIENT_SESSION_ACTIVATED && c->state != UG_CLIENT_DISCONNECTED) {
        st = ug_loop_run_once(c->loop, true);
        if (st != UG_STATUS_GOOD)
            break;
    }
    c->sync_connect = false;
    if (st != UG_STATUS_GOOD)
        return st;
    if (c->state == UG_CLIENT_SESSION_ACTIVATED)
        return UG_STATUS_GOOD;
    return ug_is_bad(c->last_status) ? c->last_status : UG_STATUS_BADCONNECTIONCLOSED;
}

struct run_timer {
    struct ug_timer t;
    bool expired;
};

static void on_run_timer(ug_loop *loop, struct ug_timer *t)
{
    (void)loop;
    struct run_timer *r = t->data;
    r->expired = true;
}

/* Turns the loop until pred(c, arg) holds or deadline_ns (MONOTONIC) passed;
 * a timer at the deadline makes sure a blocking iteration wakes up. */
static ug_status run_until(ug_client *c, bool (*pred)(const ug_client *c, const void *arg),
                           const void *arg, int64_t deadline_ns)
{
    struct run_timer r = {.expired = false};
    ug_timer_init(&r.t, on_run_timer, &r);
    ug_status st = ug_timer_start_once(c->loop, &r.t, deadline_ns);
    if (st != UG_STATUS_GOOD)
        return st;
    while (!r.expired && !pred(c, arg)) {
        st = ug_loop_run_once(c->loop, true);
        if (st != UG_STATUS_GOOD)
            break;
    }
    if (ug_timer_active(&r.t))
        ug_timer_stop(c->loop, &r.t);
    return st;
}

static bool is_disconnected(const ug_client *c, const void *arg)
{
    (void)arg;
    return c->state == UG_CLIENT_DISCONNECTED && !c->conn;
}

static bool flag_set(const ug_client *c, const void *arg)
{
    (void)c;
    return arg && *(const bool *)arg;
}

ug_status ug_client_disconnect(ug_client *c)
{
    if (!c)
        return UG_STATUS_BADINVALIDARGUMENT;
    ug_status st = ug_client_disconnect_async(c);
    if (st != UG_STATUS_GOOD)
        return st;
    st = run_until(c, is_disconnected, NULL, ug_clock_mono_ns() + 2 * c->cfg.request_timeout_ns);
    if (st != UG_STATUS_GOOD)
        return st;
    return is_disconnected(c, NULL) ? UG_STATUS_GOOD : UG_STATUS_BADTIMEOUT;
}

ug_status ug_client_run_for(ug_client *c, int64_t duration_ns, const bool *stop)
{
    if (!c)
        return UG_STATUS_BADINVALIDARGUMENT;
    if (duration_ns < 0)
        duration_ns = 0;
    return run_until(c, flag_set, stop, ug_clock_mono_ns() + duration_ns);
}

/* ------------------------------------------------------------- services -- */

ug_status ug_client_read(ug_client *c, const ug_nodeid *node, uint32_t attribute_id,
                         ug_datavalue *out, ug_arena *arena)
{
    ug_ReadValueId rv;
    memset(&rv, 0, sizeof rv);
    rv.node_id = *node;
    rv.attribute_id = attribute_id;
    rv.index_range = UG_NULL_BYTES;
    rv.data_encoding.name = UG_NULL_BYTES;
    ug_ReadRequest req;
    memset(&req, 0, sizeof req);
    req.max_age = 0;
    req.timestamps_to_return = UG_TIMESTAMPS_TO_RETURN_BOTH;
    req.nodes_to_read_len = 1;
    req.nodes_to_read = &rv;
    ug_ReadResponse resp;
    memset(out, 0, sizeof *out);
    ug_status st = ug_client_request(c, &ug_desc_ReadRequest, &req, &ug_desc_ReadResponse, &resp,
                                     arena, 0);
    if (st != UG_STATUS_GOOD)
        return st;
    if (resp.results_len != 1)
        return UG_STATUS_BADUNEXPECTEDERROR;
    *out = resp.results[0];
    if ((out->mask & UG_DV_STATUS) && ug_is_bad(out->status))
        return out->status;
    return UG_STATUS_GOOD;
}

ug_status ug_client_read_value(ug_client *c, const ug_nodeid *node, ug_variant *out,
                               ug_arena *arena)
{
    ug_datavalue dv;
    ug_status st = ug_client_read(c, node, UG_ATTR_VALUE, &dv, arena);
    memset(out, 0, sizeof *out);
    if (st != UG_STATUS_GOOD)
        return st;
    if (dv.mask & UG_DV_VALUE)
        *out = dv.value;
    return UG_STATUS_GOOD;
}

ug_status ug_client_write_value(ug_client *c, const ug_nodeid *node, const ug_variant *value)
{
    ug_WriteValue wv;
    memset(&wv, 0, sizeof wv);
    wv.node_id = *node;
    wv.attribute_id = UG_ATTR_VALUE;
    wv.index_range = UG_NULL_BYTES;
    wv.value.mask = UG_DV_VALUE;
    wv.value.value = *value;
    ug_WriteRequest req;
    memset(&req, 0, sizeof req);
    req.nodes_to_write_len = 1;
    req.nodes_to_write = &wv;
    ug_WriteResponse resp;
    uint8_t buf[512];
    ug_arena a;
    ug_arena_init(&a, buf, sizeof buf, true);
    ug_status st =
        ug_client_request(c, &ug_desc_WriteRequest, &req, &ug_desc_WriteResponse, &resp, &a, 0);
    if (st == UG_STATUS_GOOD)
        st = resp.results_len == 1 ? resp.results[0] : UG_STATUS_BADUNEXPECTEDERROR;
    ug_arena_free(&a);
    return st;
}

/* Appends the references of one BrowseResult to *refs (arena storage). */
static ug_status append_refs(const ug_BrowseResult *r, ug_ReferenceDescription **refs,
                             size_t *n_refs, ug_arena *arena)
{
    if (r->references_len <= 0)
        return UG_STATUS_GOOD;
    size_t n = *n_refs + (size_t)r->references_len;
    ug_ReferenceDescription *all = ug_arena_alloc(arena, n * sizeof *all);
    if (!all)
        return UG_STATUS_BADOUTOFMEMORY;
    if (*n_refs)
        memcpy(all, *refs, *n_refs * sizeof *all);
    memcpy(all + *n_refs, r->references, (size_t)r->references_len * sizeof *all);
    *refs = all;
    *n_refs = n;
    return UG_STATUS_GOOD;
}

ug_status ug_client_browse_desc(ug_client *c, const ug_BrowseDescription *bd,
                                ug_ReferenceDescription **refs, size_t *n_refs, ug_arena *arena)
{
    *refs = NULL;
    *n_refs = 0;
    ug_BrowseRequest req;
    memset(&req, 0, sizeof req);
    req.requested_max_references_per_node = 0;
    req.nodes_to_browse_len = 1;
    req.nodes_to_browse = (ug_BrowseDescription *)bd;
    ug_BrowseResponse resp;
    ug_status st =
        ug_client_request(c, &ug_desc_BrowseRequest, &req, &ug_desc_BrowseResponse, &resp, arena, 0);
    if (st != UG_STATUS_GOOD)
        return st;
    if (resp.results_len != 1)
        return UG_STATUS_BADUNEXPECTEDERROR;
    ug_BrowseResult *r = &resp.results[0];
    for (int round = 0;; round++) {
        if (ug_is_bad(r->status_code))
            return r->status_code;
        st = append_refs(r, refs, n_refs, arena);
        if (st != UG_STATUS_GOOD)
            return st;
        if (r->continuation_point.len <= 0)
            return UG_STATUS_GOOD;
        /* Part 4 §5.8.3: follow the continuation point; release it when
         * giving up. */
        ug_BrowseNextRequest next;
        memset(&next, 0, sizeof next);
        next.release_continuation_points = round >= MAX_BROWSE_ROUNDS;
        next.continuation_points_len = 1;
        next.continuation_points = &r->continuation_point;
        ug_BrowseNextResponse nresp;
        st = ug_client_request(c, &ug_desc_BrowseNextRequest, &next, &ug_desc_BrowseNextResponse,
                               &nresp, arena, 0);
        if (st != UG_STATUS_GOOD)
            return st;
        if (round >= MAX_BROWSE_ROUNDS)
            return UG_STATUS_BADTOOMANYOPERATIONS;
        if (nresp.results_len != 1)
            return UG_STATUS_BADUNEXPECTEDERROR;
        r = &nresp.results[0];
    }
}

ug_status ug_client_browse(ug_client *c, const ug_nodeid *node, ug_ReferenceDescription **refs,
                           size_t *n_refs, ug_arena *arena)
{
    ug_BrowseDescription bd;
    memset(&bd, 0, sizeof bd);
    bd.node_id = *node;
    bd.browse_direction = UG_BROWSE_DIRECTION_FORWARD;
    bd.reference_type_id.id.numeric = UG_NS0_HIERARCHICAL_REFERENCES;
    bd.include_subtypes = true;
    bd.node_class_mask = 0;
    bd.result_mask = 0x3f; /* Part 4 §5.8.2: all fields of ReferenceDescription */
    return ug_client_browse_desc(c, &bd, refs, n_refs, arena);
}

ug_status ug_client_translate(ug_client *c, const ug_nodeid *start, const ug_qualified_name *path,
                              size_t n_path, ug_expanded_nodeid *out, ug_arena *arena)
{
    if (n_path == 0 || n_path > 64)
        return UG_STATUS_BADINVALIDARGUMENT;
    ug_RelativePathElement el[64];
    memset(el, 0, n_path * sizeof el[0]);
    for (size_t i = 0; i < n_path; i++) {
        el[i].reference_type_id.id.numeric = UG_NS0_HIERARCHICAL_REFERENCES;
        el[i].include_subtypes = true;
        el[i].target_name = path[i];
    }
    ug_BrowsePath bp;
    memset(&bp, 0, sizeof bp);
    bp.starting_node = *start;
    bp.relative_path.elements_len = (int32_t)n_path;
    bp.relative_path.elements = el;
    ug_TranslateBrowsePathsToNodeIdsRequest req;
    memset(&req, 0, sizeof req);
    req.browse_paths_len = 1;
    req.browse_paths = &bp;
    ug_TranslateBrowsePathsToNodeIdsResponse resp;
    ug_status st = ug_client_request(c, &ug_desc_TranslateBrowsePathsToNodeIdsRequest, &req,
                                     &ug_desc_TranslateBrowsePathsToNodeIdsResponse, &resp, arena, 0);
    if (st != UG_STATUS_GOOD)
        return st;
    if (resp.results_len != 1)
        return UG_STATUS_BADUNEXPECTEDERROR;
    if (ug_is_bad(resp.results[0].status_code))
        return resp.results[0].status_code;
    if (resp.results[0].targets_len < 1)
        return UG_STATUS_BADNOMATCH;
    *out = resp.results[0].targets[0].target_id;
    return UG_STATUS_GOOD;
}

ug_status ug_client_call(ug_client *c, const ug_nodeid *object, const ug_nodeid *method,
                         const ug_variant *inputs, size_t n_in, ug_variant **outputs,
                         size_t *n_out, ug_arena *arena)
{
    *outputs = NULL;
    *n_out = 0;
    if (n_in > INT32_MAX)
        return UG_STATUS_BADINVALIDARGUMENT;
    ug_CallMethodRequest m;
    memset(&m, 0, sizeof m);
    m.object_id = *object;
    m.method_id = *method;
    m.input_arguments_len = (int32_t)n_in;
    m.input_arguments = (ug_variant *)inputs;
    ug_CallRequest req;
    memset(&req, 0, sizeof req);
    req.methods_to_call_len = 1;
    req.methods_to_call = &m;
    ug_CallResponse resp;
    ug_status st =
        ug_client_request(c, &ug_desc_CallRequest, &req, &ug_desc_CallResponse, &resp, arena, 0);
    if (st != UG_STATUS_GOOD)
        return st;
    if (resp.results_len != 1)
        return UG_STATUS_BADUNEXPECTEDERROR;
    const ug_CallMethodResult *r = &resp.results[0];
    if (ug_is_bad(r->status_code))
        return r->status_code;
    *outputs = r->output_arguments;
    *n_out = r->output_arguments_len > 0 ? (size_t)r->output_arguments_len : 0;
    return UG_STATUS_GOOD;
}

/* -------------------------------------------------- subscriptions, blocking -- */

ug_status ug_client_sub_create(ug_client *c, const struct ug_client_sub_params *params,
                               ug_client_sub_status_cb status_cb, void *status_ctx,
                               ug_client_sub **out)
{
    struct wait w = {0};
    ug_client_sub *sub = NULL;
    ug_status st =
        ug_client_sub_create_async(c, params, status_cb, status_ctx, on_done_sync, &w, &sub);
    if (st != UG_STATUS_GOOD)
        return st;
    st = wait_done(c, &w);
    *out = st == UG_STATUS_GOOD ? sub : NULL;
    return st;
}

ug_status ug_client_mon_create(ug_client_sub *sub, const struct ug_client_mon_params *params,
                               size_t n, ug_client_mon **mons)
{
    struct wait w = {0};
    ug_status st = ug_client_mon_create_async(sub, params, n, mons, on_done_sync, &w);
    if (st != UG_STATUS_GOOD)
        return st;
    return wait_done(sub->c, &w);
}

ug_status ug_client_sub_delete(ug_client_sub *sub)
{
    if (!sub)
        return UG_STATUS_BADINVALIDARGUMENT;
    ug_client *c = sub->c;
    struct wait w = {0};
    ug_status st = ug_client_sub_delete_async(sub, on_done_sync, &w);
    if (st != UG_STATUS_GOOD)
        return st;
    return wait_done(c, &w);
}
