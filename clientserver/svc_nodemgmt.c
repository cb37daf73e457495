/* clientserver/svc_nodemgmt.c — the NodeManagement service set (Part 4
 * §5.7): AddNodes, AddReferences, DeleteNodes, DeleteReferences, mapped onto
 * the address space (aspace.h), which makes the checks of each operation
 * (Tables 20, 24, 27, 30). This file turns the wire form into those calls:
 * ExpandedNodeIds into local NodeIds (a namespace URI resolved against the
 * NamespaceArray, a server index other than 0 refused), the NodeAttributes
 * ExtensionObject into struct ug_node_attrs (only the attributes its
 * specifiedAttributes mask names), and applies the operation limits.
 *
 * Who may change the address space: a session activated with a user name,
 * or anybody when the configuration allows anonymous node management
 * (ug_server_config.anonymous_node_management); otherwise each operation
 * gets BadUserAccessDenied.
 */
#include <string.h>

#include "aspace.h"
#include "server_internal.h"

static bool allowed(const struct ug_svc_ctx *ctx)
{
    const ug_server *s = ctx->server;
    if (!s->cfg.node_management)
        return false;
    return s->cfg.anonymous_node_management || (ctx->session && ug_session_user(ctx->session));
}

/* Local NodeId of an ExpandedNodeId (Part 4 §7.16): server index 0 only;
 * a namespace URI, when present, replaces the index. */
static bool resolve(ug_aspace *as, const ug_expanded_nodeid *x, ug_nodeid *out)
{
    if (x->server_index != 0)
        return false;
    *out = x->node;
    if (x->namespace_uri.len > 0) {
        int32_t ns = ug_aspace_ns_find(as, x->namespace_uri);
        if (ns < 0)
            return false;
        out->ns = (uint16_t)ns;
    }
    return true;
}

static bool is_null_id(const ug_nodeid *n)
{
    return n->ns == 0 && n->id_type == UG_ID_NUMERIC && n->id.numeric == 0;
}

static ug_status check_count(const struct ug_svc_ctx *ctx, int32_t n)
{
    if (n <= 0)
        return UG_STATUS_BADNOTHINGTODO;
    uint32_t max = ctx->server->cfg.limits.max_nodes_per_node_management;
    if (max && (uint32_t)n > max)
        return UG_STATUS_BADTOOMANYOPERATIONS;
    return UG_STATUS_GOOD;
}

/* The attribute structure each node class takes (Part 4 §7.24). */
static const ug_type_desc *attrs_desc(int32_t nc)
{
    switch (nc) {
    case UG_NODE_CLASS_OBJECT: return &ug_desc_ObjectAttributes;
    case UG_NODE_CLASS_VARIABLE: return &ug_desc_VariableAttributes;
    case UG_NODE_CLASS_METHOD: return &ug_desc_MethodAttributes;
    case UG_NODE_CLASS_OBJECT_TYPE: return &ug_desc_ObjectTypeAttributes;
    case UG_NODE_CLASS_VARIABLE_TYPE: return &ug_desc_VariableTypeAttributes;
    case UG_NODE_CLASS_REFERENCE_TYPE: return &ug_desc_ReferenceTypeAttributes;
    case UG_NODE_CLASS_DATA_TYPE: return &ug_desc_DataTypeAttributes;
    case UG_NODE_CLASS_VIEW: return &ug_desc_ViewAttributes;
    default: return NULL;
    }
}

#define HAS(bit) (mask & UG_NODE_ATTRIBUTES_MASK_##bit)

static ug_status decode_attrs(const struct ug_svc_ctx *ctx, int32_t nc,
                              const ug_extension_object *eo, struct ug_node_attrs *a,
                              ug_datavalue *value)
{
    memset(a, 0, sizeof *a);
    a->display_name.locale = a->display_name.text = (ug_string){NULL, -1};
    a->description.locale = a->description.text = (ug_string){NULL, -1};
    const ug_type_desc *want = attrs_desc(nc);
    if (!want)
        return UG_STATUS_BADNODECLASSINVALID;
    if (eo->encoding == UG_EO_NONE)
        return UG_STATUS_GOOD; /* nothing given: the defaults */
    const ug_type_desc *d = NULL;
    void *p = NULL;
    if (ug_eo_decode(eo, NULL, &d, &p, &ctx->server->decode_limits, ctx->arena) !=
            UG_STATUS_GOOD ||
        d != want)
        return UG_STATUS_BADNODEATTRIBUTESINVALID;
    /* Every *Attributes structure starts like NodeAttributes. */
    const ug_NodeAttributes *base = p;
    uint32_t mask = base->specified_attributes;
    if (HAS(DISPLAY_NAME))
        a->display_name = base->display_name;
    if (HAS(DESCRIPTION))
        a->description = base->description;
    if (HAS(WRITE_MASK))
        a->write_mask = base->write_mask;
    switch (nc) {
    case UG_NODE_CLASS_OBJECT: {
        const ug_ObjectAttributes *o = p;
        if (HAS(EVENT_NOTIFIER))
            a->event_notifier = o->event_notifier;
        break;
    }
    case UG_NODE_CLASS_VARIABLE:
    case UG_NODE_CLASS_VARIABLE_TYPE: {
        const ug_variant *v;
        const ug_nodeid *dt;
        int32_t rank;
        int32_t n_dims;
        const uint32_t *dims;
        if (nc == UG_NODE_CLASS_VARIABLE) {
            const ug_VariableAttributes *va = p;
            v = &va->value, dt = &va->data_type, rank = va->value_rank;
            n_dims = va->array_dimensions_len, dims = va->array_dimensions;
            if (HAS(ACCESS_LEVEL))
                a->access_level = va->access_level;
            if (HAS(MINIMUM_SAMPLING_INTERVAL))
                a->minimum_sampling_interval = va->minimum_sampling_interval;
            if (HAS(HISTORIZING))
                a->historizing = va->historizing;
        } else {
            const ug_VariableTypeAttributes *vt = p;
            v = &vt->value, dt = &vt->data_type, rank = vt->value_rank;
            n_dims = vt->array_dimensions_len, dims = vt->array_dimensions;
            if (HAS(IS_ABSTRACT))
                a->is_abstract = vt->is_abstract;
        }
        if (HAS(DATA_TYPE))
            a->data_type = *dt;
        if (HAS(VALUE_RANK)) {
            if (rank < -3)
                return UG_STATUS_BADNODEATTRIBUTESINVALID;
            a->value_rank = rank;
            a->value_rank_set = true;
        }
        if (HAS(ARRAY_DIMENSIONS) && n_dims > 0) {
            a->n_dims = (uint32_t)n_dims;
            a->array_dimensions = dims;
        }
        if (HAS(VALUE) && v->type != UG_TYPE_NULL) {
            memset(value, 0, sizeof *value);
            value->mask = UG_DV_VALUE;
            value->value = *v;
            a->value = value;
        }
        break;
    }
    case UG_NODE_CLASS_METHOD: {
        const ug_MethodAttributes *m = p;
        a->executable = true;
        if (HAS(EXECUTABLE)) {
            a->executable = m->executable;
            a->executable_set = true;
        }
        break;
    }
    case UG_NODE_CLASS_OBJECT_TYPE:
        if (HAS(IS_ABSTRACT))
            a->is_abstract = ((const ug_ObjectTypeAttributes *)p)->is_abstract;
        break;
    case UG_NODE_CLASS_DATA_TYPE:
        if (HAS(IS_ABSTRACT))
            a->is_abstract = ((const ug_DataTypeAttributes *)p)->is_abstract;
        break;
    case UG_NODE_CLASS_REFERENCE_TYPE: {
        const ug_ReferenceTypeAttributes *r = p;
        if (HAS(IS_ABSTRACT))
            a->is_abstract = r->is_abstract;
        if (HAS(SYMMETRIC))
            a->symmetric = r->symmetric;
        if (HAS(INVERSE_NAME))
            a->inverse_name = r->inverse_name;
        break;
    }
    case UG_NODE_CLASS_VIEW: {
        const ug_ViewAttributes *vw = p;
        if (HAS(CONTAINS_NO_LOOPS))
            a->contains_no_loops = vw->contains_no_loops;
        if (HAS(EVENT_NOTIFIER))
            a->event_notifier = vw->event_notifier;
        break;
    }
    }
    return UG_STATUS_GOOD;
}

#undef HAS

static ug_status add_one(struct ug_svc_ctx *ctx, const ug_AddNodesItem *it, ug_AddNodesResult *r)
{
    ug_aspace *as = ctx->aspace;
    struct ug_add_node add;
    memset(&add, 0, sizeof add);
    ug_datavalue value;
    if (!resolve(as, &it->parent_node_id, &add.parent_id))
        return UG_STATUS_BADPARENTNODEIDINVALID;
    if (!resolve(as, &it->requested_new_node_id, &add.requested_id))
        return UG_STATUS_BADNODEIDREJECTED;
    if (!resolve(as, &it->type_definition, &add.type_definition))
        return UG_STATUS_BADTYPEDEFINITIONINVALID;
    ug_status st = decode_attrs(ctx, it->node_class, &it->node_attributes, &add.attrs, &value);
    if (st != UG_STATUS_GOOD)
        return st;
    add.reference_type_id = it->reference_type_id;
    add.browse_name = it->browse_name;
    add.node_class = (enum ug_nodeclass)it->node_class;
    /* Part 4 §5.7.2.2: a type definition belongs to objects and variables
     * only; they are instantiated with their mandatory children. */
    bool instance = it->node_class == UG_NODE_CLASS_OBJECT ||
                    it->node_class == UG_NODE_CLASS_VARIABLE;
    if (!instance && !is_null_id(&add.type_definition))
        return UG_STATUS_BADTYPEDEFINITIONINVALID;
    ug_node *n = NULL;
    st = instance ? ug_aspace_instantiate(as, &add, &n) : ug_aspace_add_node(as, &add, &n);
    if (st != UG_STATUS_GOOD)
        return st;
    /* The node's id lives as long as the node: copy it for the response. */
    if (ug_struct_copy(&ug_desc_AddNodesResult, &(ug_AddNodesResult){.added_node_id = *ug_node_id(n)},
                       r, ctx->arena) != UG_STATUS_GOOD)
        return UG_STATUS_BADOUTOFMEMORY;
    return UG_STATUS_GOOD;
}

ug_status ug_svc_add_nodes(struct ug_svc_ctx *ctx, const void *vreq, void *vresp)
{
    const ug_AddNodesRequest *req = vreq;
    ug_AddNodesResponse *resp = vresp;
    ug_status st = check_count(ctx, req->nodes_to_add_len);
    if (st != UG_STATUS_GOOD)
        return st;
    int32_t n = req->nodes_to_add_len;
    ug_AddNodesResult *res = ug_arena_alloc(ctx->arena, (size_t)n * sizeof *res);
    if (!res)
        return UG_STATUS_BADOUTOFMEMORY;
    memset(res, 0, (size_t)n * sizeof *res);
    bool ok = allowed(ctx);
    for (int32_t i = 0; i < n; i++) {
        res[i].status_code = ok ? add_one(ctx, &req->nodes_to_add[i], &res[i])
                                : UG_STATUS_BADUSERACCESSDENIED;
        if (res[i].status_code != UG_STATUS_GOOD)
            memset(&res[i].added_node_id, 0, sizeof res[i].added_node_id);
    }
    resp->results = res;
    resp->results_len = n;
    return UG_STATUS_GOOD;
}

static ug_status add_ref_one(struct ug_svc_ctx *ctx, const ug_AddReferencesItem *it)
{
    ug_aspace *as = ctx->aspace;
    if (it->target_server_uri.len > 0)
        return UG_STATUS_BADSERVERURIINVALID; /* local references only */
    ug_nodeid target;
    if (!resolve(as, &it->target_node_id, &target))
        return UG_STATUS_BADTARGETNODEIDINVALID;
    if (!ug_aspace_get(as, &it->source_node_id))
        return UG_STATUS_BADSOURCENODEIDINVALID;
    ug_node *t = ug_aspace_get(as, &target);
    if (!t)
        return UG_STATUS_BADTARGETNODEIDINVALID;
    /* Part 4 §5.7.3.2: targetNodeClass must match the target when given. */
    if (it->target_node_class != UG_NODE_CLASS_UNSPECIFIED &&
        it->target_node_class != (int32_t)ug_node_class(t))
        return UG_STATUS_BADNODECLASSINVALID;
    return ug_aspace_add_ref(as, &it->source_node_id, &it->reference_type_id, &target,
                             it->is_forward);
}

ug_status ug_svc_add_references(struct ug_svc_ctx *ctx, const void *vreq, void *vresp)
{
    const ug_AddReferencesRequest *req = vreq;
    ug_AddReferencesResponse *resp = vresp;
    ug_status st = check_count(ctx, req->references_to_add_len);
    if (st != UG_STATUS_GOOD)
        return st;
    int32_t n = req->references_to_add_len;
    ug_status *res = ug_arena_alloc(ctx->arena, (size_t)n * sizeof *res);
    if (!res)
        return UG_STATUS_BADOUTOFMEMORY;
    bool ok = allowed(ctx);
    for (int32_t i = 0; i < n; i++)
        res[i] = ok ? add_ref_one(ctx, &req->references_to_add[i]) : UG_STATUS_BADUSERACCESSDENIED;
    resp->results = res;
    resp->results_len = n;
    return UG_STATUS_GOOD;
}

ug_status ug_svc_delete_nodes(struct ug_svc_ctx *ctx, const void *vreq, void *vresp)
{
    const ug_DeleteNodesRequest *req = vreq;
    ug_DeleteNodesResponse *resp = vresp;
    ug_status st = check_count(ctx, req->nodes_to_delete_len);
    if (st != UG_STATUS_GOOD)
        return st;
    int32_t n = req->nodes_to_delete_len;
    ug_status *res = ug_arena_alloc(ctx->arena, (size_t)n * sizeof *res);
    if (!res)
        return UG_STATUS_BADOUTOFMEMORY;
    bool ok = allowed(ctx);
    for (int32_t i = 0; i < n; i++) {
        /* Part 4 §5.7.4: the node and its references go; children stay
         * (deleteTargetReferences only concerns references, and this store
         * never keeps a dangling one). */
        res[i] = ok ? ug_aspace_delete_node(ctx->aspace, &req->nodes_to_delete[i].node_id, false)
                    : UG_STATUS_BADUSERACCESSDENIED;
    }
    resp->results = res;
    resp->results_len = n;
    return UG_STATUS_GOOD;
}

static ug_status delete_ref_one(struct ug_svc_ctx *ctx, const ug_DeleteReferencesItem *it)
{
    ug_nodeid target;
    if (!resolve(ctx->aspace, &it->target_node_id, &target))
        return UG_STATUS_BADTARGETNODEIDINVALID;
    return ug_aspace_delete_ref(ctx->aspace, &it->source_node_id, &it->reference_type_id, &target,
                                it->is_forward);
}

ug_status ug_svc_delete_references(struct ug_svc_ctx *ctx, const void *vreq, void *vresp)
{
    const ug_DeleteReferencesRequest *req = vreq;
    ug_DeleteReferencesResponse *resp = vresp;
    ug_status st = check_count(ctx, req->references_to_delete_len);
    if (st != UG_STATUS_GOOD)
        return st;
    int32_t n = req->references_to_delete_len;
    ug_status *res = ug_arena_alloc(ctx->arena, (size_t)n * sizeof *res);
    if (!res)
        return UG_STATUS_BADOUTOFMEMORY;
    bool ok = allowed(ctx);
    for (int32_t i = 0; i < n; i++)
        res[i] = ok ? delete_ref_one(ctx, &req->references_to_delete[i])
                    : UG_STATUS_BADUSERACCESSDENIED;
    resp->results = res;
    resp->results_len = n;
    return UG_STATUS_GOOD;
}
