/* server_bridge_nodes — string-id node helpers over uagate/nodes.h for the
 * server bridge (see server_bridge_nodes.h). */
#include "server_bridge_nodes.h"

#include <string.h>

#include "uagate/ua_nodeids.h"

static ug_nodeid ns0(uint32_t id)
{
    ug_nodeid n = {.ns = 0, .id_type = UG_ID_NUMERIC};
    n.id.numeric = id;
    return n;
}

ug_status gw_nodes_init(gw_nodes *n, ug_aspace *as)
{
    if (!as)
        return UG_STATUS_BADINVALIDARGUMENT;
    n->as = as;
    n->ns = 1;
    return UG_STATUS_GOOD;
}

ug_nodeid gw_nodes_id(const gw_nodes *n, const char *id)
{
    ug_nodeid r = {.ns = n->ns, .id_type = UG_ID_STRING};
    r.id.string = ug_string_from(id);
    return r;
}

static struct ug_nodes_common common(const gw_nodes *n, const char *parent, uint32_t ref_ns0,
                                     const char *id, const char *name)
{
    struct ug_nodes_common c = {0};
    c.requested_id = gw_nodes_id(n, id);
    c.parent_id = parent ? gw_nodes_id(n, parent) : ns0(UG_NS0_OBJECTS_FOLDER);
    c.reference_type_id = ns0(ref_ns0);
    c.browse_name.ns = n->ns;
    c.browse_name.name = ug_string_from(name);
    return c;
}

/* The reduced namespace 0 may lack the PubSub reference and object types:
 * the generic ones still show the structure. */
static bool missing_type(ug_status st)
{
    return st == UG_STATUS_BADREFERENCETYPEIDINVALID || st == UG_STATUS_BADTYPEDEFINITIONINVALID;
}

ug_status gw_nodes_add_object(gw_nodes *n, const char *parent, uint32_t ref_ns0, const char *id,
                              const char *name, uint32_t type_ns0)
{
    struct ug_nodes_object o = {.c = common(n, parent, ref_ns0, id, name),
                                .type_definition = ns0(type_ns0)};
    ug_status st = ug_nodes_add_object(n->as, &o, NULL);
    if (missing_type(st)) {
        if (ref_ns0 != UG_NS0_ORGANIZES)
            o.c.reference_type_id = ns0(UG_NS0_HAS_COMPONENT);
        o.type_definition = ns0(UG_NS0_BASE_OBJECT_TYPE);
        st = ug_nodes_add_object(n->as, &o, NULL);
    }
    return st;
}

ug_status gw_nodes_add_variable(gw_nodes *n, const char *parent, uint32_t ref_ns0, const char *id,
                                const char *name, uint32_t data_type_ns0, bool writable,
                                const ug_datavalue *value)
{
    struct ug_nodes_variable v = {.c = common(n, parent, ref_ns0, id, name),
                                  .data_type = ns0(data_type_ns0),
                                  .value_rank = -1,
                                  .access_level = writable ? 0x03 : 0x01,
                                  .value = value};
    return ug_nodes_add_variable(n->as, &v, NULL);
}

ug_status gw_nodes_add_callback_variable(gw_nodes *n, const char *parent, const char *id,
                                         const char *name, uint32_t data_type_ns0,
                                         const struct ug_value_callbacks *cb)
{
    struct ug_nodes_variable v = {.c = common(n, parent, UG_NS0_HAS_COMPONENT, id, name),
                                  .data_type = ns0(data_type_ns0),
                                  .value_rank = -1,
                                  .access_level = 0x03,
                                  .callbacks = cb};
    return ug_nodes_add_variable(n->as, &v, NULL);
}

static size_t string_args(const char *const *names, struct ug_nodes_arg *out, size_t cap)
{
    size_t k = 0;
    while (names && names[k] && k < cap) {
        out[k] = (struct ug_nodes_arg){.name = names[k], .data_type = ns0(UG_NS0_STRING),
                                       .value_rank = -1};
        k++;
    }
    return k;
}

ug_status gw_nodes_add_method(gw_nodes *n, const char *parent, const char *id, const char *name,
                              const char *const *in_names, const char *const *out_names,
                              ug_method_fn fn, void *ctx)
{
    struct ug_nodes_arg in[4], out[4];
    struct ug_nodes_method m = {.c = common(n, parent, UG_NS0_HAS_COMPONENT, id, name)};
    m.n_inputs = string_args(in_names, in, 4);
    m.inputs = m.n_inputs ? in : NULL;
    m.n_outputs = string_args(out_names, out, 4);
    m.outputs = m.n_outputs ? out : NULL;
    m.impl.call = fn;
    m.impl.ctx = ctx;
    return ug_nodes_add_method(n->as, &m, NULL);
}

ug_status gw_nodes_add_ref_from_ns0(gw_nodes *n, uint32_t source_ns0, uint32_t ref_ns0,
                                    const char *id)
{
    ug_nodeid src = ns0(source_ns0), ref = ns0(ref_ns0), dst = gw_nodes_id(n, id);
    ug_status st = ug_nodes_add_reference(n->as, &src, &ref, &dst);
    if (st == UG_STATUS_BADREFERENCETYPEIDINVALID) {
        ref = ns0(UG_NS0_HAS_COMPONENT);
        st = ug_nodes_add_reference(n->as, &src, &ref, &dst);
    }
    return st;
}

ug_status gw_nodes_set_value(gw_nodes *n, const char *id, const ug_datavalue *dv)
{
    ug_nodeid nid = gw_nodes_id(n, id);
    return ug_nodes_write_value(n->as, &nid, dv);
}

ug_status gw_nodes_delete_tree(gw_nodes *n, const char *id)
{
    ug_nodeid nid = gw_nodes_id(n, id);
    return ug_nodes_delete(n->as, &nid, true);
}
