/* clientserver/aspace_types.c — the type hierarchy (HasSubtype), the built-in
 * type of a DataType, and instantiation of ObjectTypes and VariableTypes
 * with their Mandatory children (Part 3 §6.4, Part 3 §6.3.3 modelling rules).
 */
#include <stdlib.h>
#include <string.h>

#include "aspace_int.h"

/* The supertype: the source of the inverse HasSubtype reference. */
static ug_node *supertype(const ug_aspace *as, const ug_node *t)
{
    uint32_t cnt = ug_node_ref_count(t);
    for (uint32_t i = 0; i < cnt; i++) {
        struct ug_ref_view v;
        ug_node_ref_at(as, t, i, &v);
        if (!v.is_forward && v.type == as->rt_hassubtype)
            return v.target;
    }
    return NULL;
}

bool ug_aspace_is_subtype(const ug_aspace *as, const ug_node *type, const ug_node *super)
{
    /* bounded walk: a malformed address space with a HasSubtype cycle must
     * not hang the server */
    for (int depth = 0; type && depth < 64; depth++) {
        if (type == super)
            return true;
        type = supertype(as, type);
    }
    return false;
}

bool ug_aspace_is_subtype_id(const ug_aspace *as, const ug_nodeid *type, uint32_t super_ns0)
{
    ug_node *t = ug_aspace_get(as, type);
    ug_node *s = ug_aspace_get_ns0(as, super_ns0);
    return t && s && ug_aspace_is_subtype(as, t, s);
}

enum ug_type ug_aspace_builtin_of(const ug_aspace *as, const ug_nodeid *data_type)
{
    const ug_node *t = ug_aspace_get(as, data_type);
    for (int depth = 0; t && depth < 64; depth++) {
        if (t->id.ns == 0 && t->id.id_type == UG_ID_NUMERIC) {
            uint32_t id = t->id.id.numeric;
            if (id == 24 || id == 26 || id == 27 || id == 28)
                return UG_TYPE_NULL; /* BaseDataType, Number, Integer, UInteger */
            if (id == 29) /* Enumeration */
                return UG_TYPE_INT32;
            /* i=1..25 are the built-in types (i=22 Structure: ExtensionObject) */
            if (id >= 1 && id <= 25)
                return (enum ug_type)id;
        }
        t = supertype(as, t);
    }
    return UG_TYPE_NULL;
}

/* ---------------------------------------------------------- instantiate -- */

static bool is_mandatory(const ug_aspace *as, const ug_node *decl)
{
    const ug_node *rule = ug_aspace_ref_target(as, decl, UG_ID_HASMODELLINGRULE);
    return rule && rule->id.ns == 0 && rule->id.id_type == UG_ID_NUMERIC &&
           rule->id.id.numeric == UG_ID_MODELLINGRULE_MANDATORY;
}

static ug_status copy_children(ug_aspace *as, ug_node *inst, const ug_node *from, uint16_t ns,
                               int depth);

/* Copies the Mandatory instance declarations of a type and its supertypes
 * onto inst (a subtype's declaration wins: it is seen first). */
static ug_status copy_type_children(ug_aspace *as, ug_node *inst, const ug_node *type,
                                    uint16_t ns, int depth)
{
    for (int d = 0; type && d < 64; d++) {
        ug_status st = copy_children(as, inst, type, ns, depth);
        if (st != UG_STATUS_GOOD)
            return st;
        if (type->id.ns == 0 && type->id.id_type == UG_ID_NUMERIC &&
            (type->id.id.numeric == UG_ID_BASEOBJECTTYPE ||
             type->id.id.numeric == UG_ID_BASEVARIABLETYPE))
            break;
        type = supertype(as, type);
    }
    return UG_STATUS_GOOD;
}

static ug_status copy_one(ug_aspace *as, ug_node *inst, const struct ug_ref_view *v, uint16_t ns,
                          int depth)
{
    const ug_node *decl = v->target;
    if (ug_aspace_child(as, inst, decl->browse_name))
        return UG_STATUS_GOOD; /* already there (from a subtype or an earlier pass) */
    struct ug_add_node it = {0};
    it.requested_id = (ug_nodeid){.ns = ns};
    it.parent_id = inst->id;
    it.reference_type_id = v->type->id;
    it.browse_name = decl->browse_name;
    it.node_class = (enum ug_nodeclass)decl->node_class;
    it.attrs.display_name = ug_node_display_name(decl);
    it.attrs.description = ug_node_description(decl);
    it.attrs.write_mask = decl->write_mask;
    ug_node *decl_type = NULL;
    if (decl->node_class == UG_NC_OBJECT || decl->node_class == UG_NC_VARIABLE) {
        decl_type = ug_node_type_definition(as, decl);
        if (decl_type)
            it.type_definition = decl_type->id;
    }
    if (decl->node_class == UG_NC_VARIABLE) {
        it.attrs.data_type = decl->data_type;
        it.attrs.value_rank = decl->value_rank;
        it.attrs.value_rank_set = true;
        it.attrs.n_dims = decl->n_dims;
        it.attrs.array_dimensions = decl->dims;
        it.attrs.access_level = decl->access_level;
        it.attrs.minimum_sampling_interval = decl->min_sampling;
        if (ug_node_dv(decl)->mask & UG_DV_VALUE)
            it.attrs.value = decl->value;
    } else if (decl->node_class == UG_NC_OBJECT) {
        it.attrs.event_notifier = decl->event_notifier;
    } else if (decl->node_class == UG_NC_METHOD) {
        it.attrs.executable = (decl->flags & UG_NF_EXECUTABLE) != 0;
        it.attrs.executable_set = true;
    } else {
        return UG_STATUS_GOOD; /* only instances are instance declarations */
    }
    ug_node *c;
    ug_status st = ug_aspace_add_node(as, &it, &c);
    if (st != UG_STATUS_GOOD)
        return st;
    if (decl->node_class == UG_NC_METHOD && ug_node_method(decl)) {
        st = ug_aspace_set_method(as, c, ug_node_method(decl));
        if (st != UG_STATUS_GOOD)
            return st;
    }
    /* the declaration's own Mandatory children, then its type's */
    st = copy_children(as, c, decl, ns, depth + 1);
    if (st == UG_STATUS_GOOD && decl_type)
        st = copy_type_children(as, c, decl_type, ns, depth + 1);
    return st;
}

static ug_status copy_children(ug_aspace *as, ug_node *inst, const ug_node *from, uint16_t ns,
                               int depth)
{
    if (depth > 32)
        return UG_STATUS_BADINTERNALERROR; /* a type that contains itself */
    struct ug_ref_filter f = {UG_BROWSE_FORWARD, as->rt_hierarchical, true,
                              UG_NC_OBJECT | UG_NC_VARIABLE | UG_NC_METHOD};
    struct ug_ref_view v;
    uint32_t pos = 0;
    while (ug_aspace_ref_next(as, from, &f, &pos, &v)) {
        if (!is_mandatory(as, v.target))
            continue;
        ug_status st = copy_one(as, inst, &v, ns, depth);
        if (st != UG_STATUS_GOOD)
            return st;
    }
    return UG_STATUS_GOOD;
}

ug_status ug_aspace_instantiate(ug_aspace *as, const struct ug_add_node *item, ug_node **out)
{
    if (out)
        *out = NULL;
    ug_node *n;
    ug_status st = ug_aspace_add_node(as, item, &n);
    if (st != UG_STATUS_GOOD)
        return st;
    ug_node *type = ug_node_type_definition(as, n);
    if (type && item->node_class == UG_NC_VARIABLE && !(ug_node_dv(n)->mask & UG_DV_VALUE) &&
        (ug_node_dv(type)->mask & UG_DV_VALUE)) {
        st = ug_aspace_set_value(as, n, type->value);
    }
    if (st == UG_STATUS_GOOD && type)
        st = copy_type_children(as, n, type, n->id.ns, 0);
    if (st != UG_STATUS_GOOD) {
        ug_nodeid id;
        if (ug_nodeid_dup(&id, &n->id) == UG_STATUS_GOOD) {
            (void)ug_aspace_delete_node(as, &id, true);
            ug_nodeid_release(&id);
        }
        return st;
    }
    if (out)
        *out = n;
    return UG_STATUS_GOOD;
}
