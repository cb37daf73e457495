/* clientserver/nodes.c — the public API of uagate/nodes.h over the address
 * space of aspace.h.
 */
#include <string.h>

#include "aspace_int.h"

static bool id_zero(const ug_nodeid *id)
{
    return id->ns == 0 && id->id_type == UG_ID_NUMERIC && id->id.numeric == 0;
}

/* HasComponent by default; Organizes under folders. */
static ug_nodeid default_ref(ug_aspace *as, const struct ug_nodes_common *c)
{
    if (!id_zero(&c->reference_type_id))
        return c->reference_type_id;
    ug_nodeid ref = {.id.numeric = UG_ID_HASCOMPONENT};
    ug_node *p = ug_aspace_get(as, &c->parent_id);
    if (p && p->node_class == UG_NC_OBJECT) {
        ug_node *t = ug_node_type_definition(as, p);
        if (t && ug_aspace_is_subtype(as, t, ug_aspace_get_ns0(as, UG_ID_FOLDERTYPE)))
            ref.id.numeric = UG_ID_ORGANIZES;
    }
    return ref;
}

static void fill_common(ug_aspace *as, const struct ug_nodes_common *c, struct ug_add_node *it)
{
    it->requested_id = c->requested_id;
    it->parent_id = c->parent_id;
    it->reference_type_id = default_ref(as, c);
    it->browse_name = c->browse_name;
    it->attrs.display_name = c->display_name;
    it->attrs.description = c->description;
}

static ug_status set_context(ug_node *n, void *context)
{
    if (!context)
        return UG_STATUS_GOOD;
    struct ug_node_ext *x = ug_node_ext_get(n);
    if (!x)
        return UG_STATUS_BADOUTOFMEMORY;
    x->context = context;
    return UG_STATUS_GOOD;
}

/* Undoes a half-made node (after an attachment failed). */
static ug_status undo(ug_aspace *as, ug_node *n, ug_status st)
{
    ug_nodeid id;
    if (ug_nodeid_dup(&id, &n->id) == UG_STATUS_GOOD) {
        (void)ug_aspace_delete_node(as, &id, true);
        ug_nodeid_release(&id);
    }
    return st;
}

static void object_item(ug_aspace *as, const struct ug_nodes_object *o, struct ug_add_node *it)
{
    memset(it, 0, sizeof *it);
    fill_common(as, &o->c, it);
    it->node_class = UG_NC_OBJECT;
    it->type_definition = o->type_definition;
    it->attrs.event_notifier = o->event_notifier;
}

static ug_status object_add(ug_aspace *as, const struct ug_nodes_object *o, ug_nodeid *out_id,
                            bool instantiate)
{
    struct ug_add_node it;
    object_item(as, o, &it);
    ug_node *n;
    ug_status st = instantiate ? ug_aspace_instantiate(as, &it, &n) : ug_aspace_add_node(as, &it, &n);
    if (st != UG_STATUS_GOOD)
        return st;
    st = set_context(n, o->c.context);
    if (st != UG_STATUS_GOOD)
        return undo(as, n, st);
    if (out_id)
        *out_id = n->id;
    return UG_STATUS_GOOD;
}

ug_status ug_nodes_add_object(ug_aspace *as, const struct ug_nodes_object *o, ug_nodeid *out_id)
{
    return object_add(as, o, out_id, false);
}

ug_status ug_nodes_instantiate(ug_aspace *as, const struct ug_nodes_object *o, ug_nodeid *out_id)
{
    return object_add(as, o, out_id, true);
}

static ug_status variable_add(ug_aspace *as, const struct ug_nodes_variable *v, ug_nodeid *out_id,
                              bool instantiate)
{
    if (v->callbacks && v->async)
        return UG_STATUS_BADINVALIDARGUMENT;
    if (v->async && (!as->loop || (!v->async->pool && !as->pool)))
        return UG_STATUS_BADINVALIDARGUMENT;
    struct ug_add_node it;
    memset(&it, 0, sizeof it);
    fill_common(as, &v->c, &it);
    it.node_class = UG_NC_VARIABLE;
    it.type_definition = v->type_definition;
    it.attrs.data_type = v->data_type;
    it.attrs.value_rank = v->value_rank;
    it.attrs.value_rank_set = true;
    it.attrs.n_dims = v->n_dims;
    it.attrs.array_dimensions = v->array_dimensions;
    it.attrs.access_level = v->access_level;
    it.attrs.minimum_sampling_interval = v->minimum_sampling_interval;
    it.attrs.value = v->value;
    ug_node *n;
    ug_status st = instantiate ? ug_aspace_instantiate(as, &it, &n) : ug_aspace_add_node(as, &it, &n);
    if (st != UG_STATUS_GOOD)
        return st;
    if (v->value && (v->value->mask & UG_DV_VALUE)) {
        ug_variant c = v->value->value;
        st = ug_aspace_check_value(as, n, &c);
        if (st != UG_STATUS_GOOD)
            return undo(as, n, st);
    }
    if (st == UG_STATUS_GOOD && v->callbacks)
        st = ug_aspace_set_callbacks(as, n, v->callbacks);
    if (st == UG_STATUS_GOOD && v->async)
        st = ug_aspace_set_async(as, n, v->async);
    if (st == UG_STATUS_GOOD)
        st = set_context(n, v->c.context);
    if (st != UG_STATUS_GOOD)
        return undo(as, n, st);
    if (out_id)
        *out_id = n->id;
    return UG_STATUS_GOOD;
}

ug_status ug_nodes_add_variable(ug_aspace *as, const struct ug_nodes_variable *v, ug_nodeid *out_id)
{
    return variable_add(as, v, out_id, false);
}

ug_status ug_nodes_instantiate_variable(ug_aspace *as, const struct ug_nodes_variable *v,
                                        ug_nodeid *out_id)
{
    return variable_add(as, v, out_id, true);
}

/* The InputArguments / OutputArguments property: Argument[] as
 * ExtensionObjects (Part 3 §5.7; DataType Argument i=296). */
static ug_status add_args(ug_aspace *as, ug_node *m, const char *name, size_t n,
                          const struct ug_nodes_arg *args)
{
    if (!n)
        return UG_STATUS_GOOD;
    uint8_t buf[1024];
    ug_arena arena;
    ug_arena_init(&arena, buf, sizeof buf, true);
    ug_status st = UG_STATUS_GOOD;
    ug_extension_object *eo = ug_arena_alloc(&arena, n * sizeof *eo);
    if (!eo)
        st = UG_STATUS_BADOUTOFMEMORY;
    for (size_t i = 0; st == UG_STATUS_GOOD && i < n; i++) {
        if (!args[i].name || !args[i].name[0]) {
            st = UG_STATUS_BADINVALIDARGUMENT;
            break;
        }
        ug_Argument a;
        memset(&a, 0, sizeof a);
        a.name = ug_string_from(args[i].name);
        a.data_type = args[i].data_type;
        a.value_rank = args[i].value_rank;
        a.array_dimensions_len = -1;
        a.description.locale = UG_NULL_BYTES;
        a.description.text = args[i].description ? ug_string_from(args[i].description)
                                                 : UG_NULL_BYTES;
        st = ug_eo_encode(&eo[i], &ug_desc_Argument, &a, &arena);
    }
    if (st == UG_STATUS_GOOD) {
        ug_datavalue dv = {.mask = UG_DV_VALUE};
        dv.value = (ug_variant){.type = UG_TYPE_EXTENSIONOBJECT, .array_len = (int32_t)n,
                                .u.arr = eo};
        uint32_t dim = (uint32_t)n;
        struct ug_add_node it;
        memset(&it, 0, sizeof it);
        it.requested_id = (ug_nodeid){.ns = m->id.ns};
        it.parent_id = m->id;
        it.reference_type_id = (ug_nodeid){.id.numeric = UG_ID_HASPROPERTY};
        it.browse_name = (ug_qualified_name){0, ug_string_from(name)};
        it.node_class = UG_NC_VARIABLE;
        it.type_definition = (ug_nodeid){.id.numeric = UG_ID_PROPERTYTYPE};
        it.attrs.data_type = (ug_nodeid){.id.numeric = UG_ID_ARGUMENT};
        it.attrs.value_rank = UG_VALUERANK_ONE_DIM;
        it.attrs.n_dims = 1;
        it.attrs.array_dimensions = &dim;
        it.attrs.value = &dv;
        st = ug_aspace_add_node(as, &it, NULL);
    }
    ug_arena_free(&arena);
    return st;
}

ug_status ug_nodes_add_method(ug_aspace *as, const struct ug_nodes_method *m, ug_nodeid *out_id)
{
    if (!m->impl.call)
        return UG_STATUS_BADINVALIDARGUMENT;
    struct ug_add_node it;
    memset(&it, 0, sizeof it);
    fill_common(as, &m->c, &it);
    it.node_class = UG_NC_METHOD;
    ug_node *n;
    ug_status st = ug_aspace_add_node(as, &it, &n);
    if (st != UG_STATUS_GOOD)
        return st;
    st = ug_aspace_set_method(as, n, &m->impl);
    if (st == UG_STATUS_GOOD)
        st = add_args(as, n, "InputArguments", m->n_inputs, m->inputs);
    if (st == UG_STATUS_GOOD)
        st = add_args(as, n, "OutputArguments", m->n_outputs, m->outputs);
    if (st == UG_STATUS_GOOD)
        st = set_context(n, m->c.context);
    if (st != UG_STATUS_GOOD)
        return undo(as, n, st);
    if (out_id)
        *out_id = n->id;
    return UG_STATUS_GOOD;
}

ug_status ug_nodes_add_reference(ug_aspace *as, const ug_nodeid *source, const ug_nodeid *type,
                                 const ug_nodeid *target)
{
    return ug_aspace_add_ref(as, source, type, target, true);
}

ug_status ug_nodes_delete(ug_aspace *as, const ug_nodeid *id, bool recursive)
{
    return ug_aspace_delete_node(as, id, recursive);
}

ug_status ug_nodes_write_value(ug_aspace *as, const ug_nodeid *id, const ug_datavalue *dv)
{
    ug_node *n = ug_aspace_get(as, id);
    if (!n)
        return UG_STATUS_BADNODEIDUNKNOWN;
    if (n->node_class != UG_NC_VARIABLE)
        return UG_STATUS_BADNODECLASSINVALID;
    ug_datavalue v = *dv;
    if (v.mask & UG_DV_VALUE) {
        ug_status st = ug_aspace_check_value(as, n, &v.value);
        if (st != UG_STATUS_GOOD)
            return st;
    }
    ug_datetime now = ug_aspace_now();
    if (!(v.mask & UG_DV_SOURCE_TIMESTAMP)) {
        v.mask |= UG_DV_SOURCE_TIMESTAMP;
        v.source_ts = now;
    }
    if (!(v.mask & UG_DV_SERVER_TIMESTAMP)) {
        v.mask |= UG_DV_SERVER_TIMESTAMP;
        v.server_ts = now;
    }
    return ug_aspace_set_value(as, n, &v);
}

const ug_datavalue *ug_nodes_value(ug_aspace *as, const ug_nodeid *id)
{
    ug_node *n = ug_aspace_get(as, id);
    return n && n->node_class == UG_NC_VARIABLE ? ug_node_dv(n) : NULL;
}

void *ug_nodes_context(ug_aspace *as, const ug_nodeid *id)
{
    ug_node *n = ug_aspace_get(as, id);
    return n ? ug_node_context(n) : NULL;
}

ug_status ug_nodes_add_namespace(ug_aspace *as, const char *uri, uint16_t *out_index)
{
    return ug_aspace_ns_add(as, uri, out_index);
}
