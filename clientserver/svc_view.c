/* clientserver/svc_view.c — the View service set (Part 4 §5.9): Browse,
 * BrowseNext with per-session continuation points, TranslateBrowsePaths-
 * ToNodeIds, RegisterNodes and UnregisterNodes.
 *
 * A continuation point is 8 bytes naming a slot of the session's
 * ug_cp_store (aspace.h); the slot keeps the browse filter and the position
 * in the node's reference list.
 */
#include <string.h>

#include "aspace_int.h"

static struct ug_cp_store *cp_store(struct ug_svc_ctx *ctx)
{
    if (ctx->session) {
        struct ug_cp_store *st = ug_session_cp_store(ctx->session);
        if (st)
            return st;
    }
    return &ctx->aspace->cps;
}

static bool nodeid_null(const ug_nodeid *id)
{
    if (id->ns != 0)
        return false;
    switch (id->id_type) {
    case UG_ID_NUMERIC: return id->id.numeric == 0;
    case UG_ID_GUID: {
        static const ug_guid zero;
        return ug_guid_eq(&id->id.guid, &zero);
    }
    default: return id->id.string.len <= 0;
    }
}

/* Fills one ReferenceDescription as ResultMask asks (Part 4 §7.30). */
static void describe(const ug_aspace *as, const struct ug_ref_view *v, uint32_t mask,
                     ug_ReferenceDescription *d)
{
    memset(d, 0, sizeof *d);
    /* absent fields are null on the wire, not empty (Part 6 §5.2.2.10) */
    d->node_id.namespace_uri = UG_NULL_BYTES;
    d->type_definition.namespace_uri = UG_NULL_BYTES;
    d->browse_name.name = UG_NULL_BYTES;
    d->display_name = (ug_localized_text){UG_NULL_BYTES, UG_NULL_BYTES};
    d->node_id.node = v->target->id;
    if (mask & UG_BROWSE_RESULT_MASK_REFERENCE_TYPE_ID)
        d->reference_type_id = v->type->id;
    if (mask & UG_BROWSE_RESULT_MASK_IS_FORWARD)
        d->is_forward = v->is_forward;
    if (mask & UG_BROWSE_RESULT_MASK_NODE_CLASS)
        d->node_class = v->target->node_class;
    if (mask & UG_BROWSE_RESULT_MASK_BROWSE_NAME)
        d->browse_name = v->target->browse_name;
    if (mask & UG_BROWSE_RESULT_MASK_DISPLAY_NAME)
        d->display_name = ug_node_display_name(v->target);
    if (mask & UG_BROWSE_RESULT_MASK_TYPE_DEFINITION) {
        ug_node *t = ug_node_type_definition(as, v->target);
        if (t)
            d->type_definition.node = t->id;
    }
}

/* Continues a browse from cp->pos: up to cp->max_refs references into r;
 * true when references remain. */
static bool browse_step(struct ug_svc_ctx *ctx, const ug_node *n, const struct ug_ref_filter *f,
                        uint32_t *pos, uint32_t max_refs, uint32_t result_mask,
                        ug_BrowseResult *r)
{
    const ug_aspace *as = ctx->aspace;
    struct ug_ref_view v;
    /* count first so the array is sized once */
    uint32_t p = *pos, cnt = 0;
    while (cnt < max_refs && ug_aspace_ref_next(as, n, f, &p, &v))
        cnt++;
    ug_ReferenceDescription *refs = cnt ? ug_arena_alloc(ctx->arena, cnt * sizeof *refs) : NULL;
    if (cnt && !refs) {
        r->status_code = UG_STATUS_BADOUTOFMEMORY;
        return false;
    }
    for (uint32_t i = 0; i < cnt; i++) {
        (void)ug_aspace_ref_next(as, n, f, pos, &v);
        describe(as, &v, result_mask, &refs[i]);
    }
    r->references = refs;
    r->references_len = (int32_t)cnt;
    p = *pos;
    return ug_aspace_ref_next(as, n, f, &p, &v);
}

static ug_string cp_bytes(ug_arena *arena, uint64_t id)
{
    uint8_t *b = ug_arena_alloc(arena, 8);
    if (!b)
        return UG_NULL_BYTES;
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(id >> (8 * i));
    return (ug_string){b, 8};
}

static uint32_t max_refs_of(const struct ug_server_limits *lim, uint32_t requested)
{
    uint32_t m = lim->max_references_per_node ? lim->max_references_per_node : UINT32_MAX;
    return requested && requested < m ? requested : m;
}

static void browse_one(struct ug_svc_ctx *ctx, const ug_BrowseDescription *bd, uint32_t max_refs,
                       ug_BrowseResult *r)
{
    ug_aspace *as = ctx->aspace;
    memset(r, 0, sizeof *r);
    r->continuation_point = UG_NULL_BYTES;
    ug_node *n = ug_aspace_get(as, &bd->node_id);
    if (!n) {
        r->status_code = UG_STATUS_BADNODEIDUNKNOWN;
        return;
    }
    if (bd->browse_direction < UG_BROWSE_FORWARD || bd->browse_direction > UG_BROWSE_BOTH) {
        r->status_code = UG_STATUS_BADBROWSEDIRECTIONINVALID;
        return;
    }
    struct ug_ref_filter f = {(enum ug_browse_dir)bd->browse_direction, NULL,
                              bd->include_subtypes, bd->node_class_mask};
    if (!nodeid_null(&bd->reference_type_id)) {
        ug_node *rt = ug_aspace_get(as, &bd->reference_type_id);
        if (!rt || rt->node_class != UG_NC_REFERENCETYPE) {
            r->status_code = UG_STATUS_BADREFERENCETYPEIDINVALID;
            return;
        }
        f.ref_type = rt;
    }
    uint32_t pos = 0;
    if (!browse_step(ctx, n, &f, &pos, max_refs, bd->result_mask, r))
        return;
    struct ug_cp_store *store = cp_store(ctx);
    struct ug_cp *cp = ug_cp_store_create(store);
    if (!cp) {
        /* Part 4 §5.9.2.4: no continuation point, no references */
        r->references = NULL;
        r->references_len = 0;
        r->status_code = UG_STATUS_BADNOCONTINUATIONPOINTS;
        return;
    }
    if (ug_nodeid_dup(&cp->node, &n->id) != UG_STATUS_GOOD ||
        (f.ref_type && ug_nodeid_dup(&cp->ref_type, &f.ref_type->id) != UG_STATUS_GOOD)) {
        ug_cp_store_release(store, cp);
        r->status_code = UG_STATUS_BADOUTOFMEMORY;
        return;
    }
    cp->pos = pos;
    cp->max_refs = max_refs;
    cp->node_class_mask = bd->node_class_mask;
    cp->result_mask = bd->result_mask;
    cp->dir = (uint8_t)f.dir;
    cp->include_subtypes = f.include_subtypes;
    r->continuation_point = cp_bytes(ctx->arena, cp->id);
}

ug_status ug_svc_browse(struct ug_svc_ctx *ctx, const void *request, void *response)
{
    const ug_BrowseRequest *req = request;
    ug_BrowseResponse *resp = response;
    const struct ug_server_limits *lim = ug_svc_limits(ctx);
    if (!nodeid_null(&req->view.view_id)) {
        ug_node *v = ug_aspace_get(ctx->aspace, &req->view.view_id);
        if (!v || v->node_class != UG_NC_VIEW)
            return UG_STATUS_BADVIEWIDUNKNOWN;
    }
    if (req->nodes_to_browse_len <= 0)
        return UG_STATUS_BADNOTHINGTODO;
    if (lim->max_nodes_per_browse && (uint32_t)req->nodes_to_browse_len > lim->max_nodes_per_browse)
        return UG_STATUS_BADTOOMANYOPERATIONS;
    size_t n = (size_t)req->nodes_to_browse_len;
    ug_BrowseResult *res = ug_arena_alloc(ctx->arena, n * sizeof *res);
    if (!res)
        return UG_STATUS_BADOUTOFMEMORY;
    uint32_t max_refs = max_refs_of(lim, req->requested_max_references_per_node);
    for (size_t i = 0; i < n; i++)
        browse_one(ctx, &req->nodes_to_browse[i], max_refs, &res[i]);
    resp->results = res;
    resp->results_len = (int32_t)n;
    return UG_STATUS_GOOD;
}

static void browse_next_one(struct ug_svc_ctx *ctx, struct ug_cp_store *store, ug_string cpb,
                            bool release, ug_BrowseResult *r)
{
    memset(r, 0, sizeof *r);
    r->continuation_point = UG_NULL_BYTES;
    struct ug_cp *cp = ug_cp_store_lookup(store, cpb);
    if (!cp) {
        r->status_code = UG_STATUS_BADCONTINUATIONPOINTINVALID;
        return;
    }
    if (release) {
        ug_cp_store_release(store, cp);
        return;
    }
    ug_aspace *as = ctx->aspace;
    ug_node *n = ug_aspace_get(as, &cp->node);
    ug_node *rt = nodeid_null(&cp->ref_type) ? NULL : ug_aspace_get(as, &cp->ref_type);
    if (!n || (!nodeid_null(&cp->ref_type) && !rt)) {
        /* the node or the reference type went away in between */
        ug_cp_store_release(store, cp);
        r->status_code = n ? UG_STATUS_BADREFERENCETYPEIDINVALID : UG_STATUS_BADNODEIDUNKNOWN;
        return;
    }
    struct ug_ref_filter f = {(enum ug_browse_dir)cp->dir, rt, cp->include_subtypes,
                              cp->node_class_mask};
    if (browse_step(ctx, n, &f, &cp->pos, cp->max_refs, cp->result_mask, r))
        r->continuation_point = cp_bytes(ctx->arena, cp->id); /* same point, moved on */
    else
        ug_cp_store_release(store, cp);
}

ug_status ug_svc_browse_next(struct ug_svc_ctx *ctx, const void *request, void *response)
{
    const ug_BrowseNextRequest *req = request;
    ug_BrowseNextResponse *resp = response;
    const struct ug_server_limits *lim = ug_svc_limits(ctx);
    if (req->continuation_points_len <= 0)
        return UG_STATUS_BADNOTHINGTODO;
    if (lim->max_nodes_per_browse &&
        (uint32_t)req->continuation_points_len > lim->max_nodes_per_browse)
        return UG_STATUS_BADTOOMANYOPERATIONS;
    size_t n = (size_t)req->continuation_points_len;
    ug_BrowseResult *res = ug_arena_alloc(ctx->arena, n * sizeof *res);
    if (!res)
        return UG_STATUS_BADOUTOFMEMORY;
    struct ug_cp_store *store = cp_store(ctx);
    for (size_t i = 0; i < n; i++)
        browse_next_one(ctx, store, req->continuation_points[i],
                        req->release_continuation_points, &res[i]);
    resp->results = res;
    resp->results_len = (int32_t)n;
    return UG_STATUS_GOOD;
}

/* ------------------------------------------------------------- Translate -- */

#define MAX_MATCHES 256

/* Part 4 §5.9.4: follow each RelativePathElement from every current node. */
static void translate_one(struct ug_svc_ctx *ctx, const ug_BrowsePath *bp, ug_BrowsePathResult *r)
{
    ug_aspace *as = ctx->aspace;
    memset(r, 0, sizeof *r);
    ug_node *start = ug_aspace_get(as, &bp->starting_node);
    if (!start) {
        r->status_code = nodeid_null(&bp->starting_node) ? UG_STATUS_BADNODEIDINVALID
                                                           : UG_STATUS_BADNODEIDUNKNOWN;
        return;
    }
    const ug_RelativePath *rp = &bp->relative_path;
    if (rp->elements_len <= 0) {
        r->status_code = UG_STATUS_BADNOTHINGTODO;
        return;
    }
    for (int32_t e = 0; e < rp->elements_len; e++) {
        if (rp->elements[e].target_name.name.len <= 0) {
            r->status_code = UG_STATUS_BADBROWSENAMEINVALID;
            return;
        }
    }
    ug_node *cur[MAX_MATCHES], *next[MAX_MATCHES];
    uint32_t n_cur = 1;
    cur[0] = start;
    for (int32_t e = 0; e < rp->elements_len; e++) {
        const ug_RelativePathElement *el = &rp->elements[e];
        struct ug_ref_filter f = {el->is_inverse ? UG_BROWSE_INVERSE : UG_BROWSE_FORWARD, NULL,
                                  el->include_subtypes, 0};
        if (!nodeid_null(&el->reference_type_id)) {
            ug_node *rt = ug_aspace_get(as, &el->reference_type_id);
            if (!rt || rt->node_class != UG_NC_REFERENCETYPE) {
                r->status_code = UG_STATUS_BADNOMATCH;
                return;
            }
            f.ref_type = rt;
        }
        uint32_t n_next = 0;
        for (uint32_t c = 0; c < n_cur; c++) {
            struct ug_ref_view v;
            uint32_t pos = 0;
            while (ug_aspace_ref_next(as, cur[c], &f, &pos, &v)) {
                const ug_qualified_name *bn = &v.target->browse_name;
                if (bn->ns != el->target_name.ns || !ug_bytes_eq(bn->name, el->target_name.name))
                    continue;
                bool dup = false;
                for (uint32_t k = 0; k < n_next && !dup; k++)
                    dup = next[k] == v.target;
                if (dup)
                    continue;
                if (n_next == MAX_MATCHES) {
                    r->status_code = UG_STATUS_BADTOOMANYMATCHES;
                    return;
                }
                next[n_next++] = v.target;
            }
        }
        if (!n_next) {
            r->status_code = UG_STATUS_BADNOMATCH;
            return;
        }
        memcpy(cur, next, n_next * sizeof *cur);
        n_cur = n_next;
    }
    ug_BrowsePathTarget *t = ug_arena_alloc(ctx->arena, n_cur * sizeof *t);
    if (!t) {
        r->status_code = UG_STATUS_BADOUTOFMEMORY;
        return;
    }
    for (uint32_t c = 0; c < n_cur; c++) {
        memset(&t[c], 0, sizeof t[c]);
        t[c].target_id.node = cur[c]->id;
        t[c].target_id.namespace_uri = UG_NULL_BYTES;
        t[c].remaining_path_index = UINT32_MAX; /* fully resolved */
    }
    r->targets = t;
    r->targets_len = (int32_t)n_cur;
}

ug_status ug_svc_translate(struct ug_svc_ctx *ctx, const void *request, void *response)
{
    const ug_TranslateBrowsePathsToNodeIdsRequest *req = request;
    ug_TranslateBrowsePathsToNodeIdsResponse *resp = response;
    const struct ug_server_limits *lim = ug_svc_limits(ctx);
    if (req->browse_paths_len <= 0)
        return UG_STATUS_BADNOTHINGTODO;
    if (lim->max_nodes_per_translate &&
        (uint32_t)req->browse_paths_len > lim->max_nodes_per_translate)
        return UG_STATUS_BADTOOMANYOPERATIONS;
    size_t n = (size_t)req->browse_paths_len;
    ug_BrowsePathResult *res = ug_arena_alloc(ctx->arena, n * sizeof *res);
    if (!res)
        return UG_STATUS_BADOUTOFMEMORY;
    for (size_t i = 0; i < n; i++)
        translate_one(ctx, &req->browse_paths[i], &res[i]);
    resp->results = res;
    resp->results_len = (int32_t)n;
    return UG_STATUS_GOOD;
}

/* ------------------------------------------------- Register / Unregister -- */

/* Part 4 §5.9.5/§5.9.6: ids are not resolved (a registered id may name a
 * node created later), only checked for being a NodeId at all. */
static ug_status check_ids(const struct ug_svc_ctx *ctx, int32_t len, const ug_nodeid *ids)
{
    const struct ug_server_limits *lim = ug_svc_limits(ctx);
    if (len <= 0)
        return UG_STATUS_BADNOTHINGTODO;
    if (lim->max_nodes_per_register && (uint32_t)len > lim->max_nodes_per_register)
        return UG_STATUS_BADTOOMANYOPERATIONS;
    for (int32_t i = 0; i < len; i++)
        if (nodeid_null(&ids[i]))
            return UG_STATUS_BADNODEIDINVALID;
    return UG_STATUS_GOOD;
}

ug_status ug_svc_register_nodes(struct ug_svc_ctx *ctx, const void *request, void *response)
{
    const ug_RegisterNodesRequest *req = request;
    ug_RegisterNodesResponse *resp = response;
    ug_status st = check_ids(ctx, req->nodes_to_register_len, req->nodes_to_register);
    if (st != UG_STATUS_GOOD)
        return st;
    /* the same ids: lookups by NodeId are already O(1) */
    resp->registered_node_ids = req->nodes_to_register;
    resp->registered_node_ids_len = req->nodes_to_register_len;
    return UG_STATUS_GOOD;
}

ug_status ug_svc_unregister_nodes(struct ug_svc_ctx *ctx, const void *request, void *response)
{
    const ug_UnregisterNodesRequest *req = request;
    (void)response;
    return check_ids(ctx, req->nodes_to_unregister_len, req->nodes_to_unregister);
}
