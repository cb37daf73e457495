/* clientserver/aspace_nodes.c — adding and deleting nodes with the checks of
 * Part 4 §5.7.2 (AddNodes) and §5.7.3 (DeleteNodes).
 */
#include <stdlib.h>
#include <string.h>

#include "aspace_int.h"

static bool nodeid_is_null(const ug_nodeid *id)
{
    switch (id->id_type) {
    case UG_ID_NUMERIC: return id->ns == 0 && id->id.numeric == 0;
    case UG_ID_STRING:
    case UG_ID_OPAQUE: return id->ns == 0 && id->id.string.len <= 0;
    default: {
        static const ug_guid zero;
        return id->ns == 0 && ug_guid_eq(&id->id.guid, &zero);
    }
    }
}

static bool valid_class(enum ug_nodeclass c)
{
    switch (c) {
    case UG_NC_OBJECT: case UG_NC_VARIABLE: case UG_NC_METHOD: case UG_NC_OBJECTTYPE:
    case UG_NC_VARIABLETYPE: case UG_NC_REFERENCETYPE: case UG_NC_DATATYPE: case UG_NC_VIEW:
        return true;
    default:
        return false;
    }
}

static bool is_type_class(uint8_t c)
{
    return c == UG_NC_OBJECTTYPE || c == UG_NC_VARIABLETYPE || c == UG_NC_REFERENCETYPE ||
           c == UG_NC_DATATYPE;
}

static ug_status dup_ltext(ug_localized_text *dst, ug_localized_text src)
{
    ug_status st = ug_str_dup(&dst->locale, src.locale);
    if (st != UG_STATUS_GOOD)
        return st;
    st = ug_str_dup(&dst->text, src.text);
    if (st != UG_STATUS_GOOD) {
        free((void *)dst->locale.data);
        dst->locale = UG_NULL_BYTES;
    }
    return st;
}

/* A fresh numeric id in namespace ns. */
static void fresh_id(ug_aspace *as, ug_nodeid *id, uint16_t ns)
{
    *id = (ug_nodeid){.ns = ns, .id_type = UG_ID_NUMERIC};
    do {
        id->id.numeric = as->next_id++;
        if (as->next_id == 0)
            as->next_id = 50000;
    } while (ug_aspace_get(as, id));
}

/* Part 4 §5.7.2.2 checks, in the order the Table 20 codes are listed. */
static ug_status check_add(ug_aspace *as, const struct ug_add_node *it, ug_node **parent,
                           ug_node **rtype, ug_node **tdef)
{
    *parent = *rtype = *tdef = NULL;
    if (!valid_class(it->node_class))
        return UG_STATUS_BADNODECLASSINVALID;
    if (it->browse_name.name.len <= 0)
        return UG_STATUS_BADBROWSENAMEINVALID;
    if (it->browse_name.ns >= as->n_ns)
        return UG_STATUS_BADNODEATTRIBUTESINVALID;
    const ug_nodeid *rq = &it->requested_id;
    if (rq->ns == 0 && !nodeid_is_null(rq))
        return UG_STATUS_BADNODEIDREJECTED; /* ns 0 belongs to the spec */
    if (rq->ns >= as->n_ns)
        return UG_STATUS_BADNODEIDREJECTED;
    if (!(rq->id_type == UG_ID_NUMERIC && rq->id.numeric == 0) && ug_aspace_get(as, rq))
        return UG_STATUS_BADNODEIDEXISTS;
    if (!nodeid_is_null(&it->parent_id)) {
        *parent = ug_aspace_get(as, &it->parent_id);
        if (!*parent)
            return UG_STATUS_BADPARENTNODEIDINVALID;
        ug_node *rt = ug_aspace_get(as, &it->reference_type_id);
        if (!rt || rt->node_class != UG_NC_REFERENCETYPE || (rt->flags & UG_NF_ABSTRACT))
            return UG_STATUS_BADREFERENCETYPEIDINVALID;
        if (!ug_aspace_is_subtype(as, rt, as->rt_hierarchical))
            return UG_STATUS_BADREFERENCENOTALLOWED;
        /* HasSubtype only between types of one class */
        if (ug_aspace_is_subtype(as, rt, as->rt_hassubtype) &&
            (!is_type_class(it->node_class) || (*parent)->node_class != it->node_class))
            return UG_STATUS_BADREFERENCENOTALLOWED;
        *rtype = rt;
        if (ug_aspace_child(as, *parent, it->browse_name))
            return UG_STATUS_BADBROWSENAMEDUPLICATED;
    }
    bool instance = it->node_class == UG_NC_OBJECT || it->node_class == UG_NC_VARIABLE;
    if (instance) {
        ug_nodeid def = it->type_definition;
        if (nodeid_is_null(&def))
            def = (ug_nodeid){.id.numeric = it->node_class == UG_NC_OBJECT
                                                 ? UG_ID_BASEOBJECTTYPE
                                                 : UG_ID_BASEDATAVARIABLETYPE};
        ug_node *t = ug_aspace_get(as, &def);
        uint8_t want = it->node_class == UG_NC_OBJECT ? UG_NC_OBJECTTYPE : UG_NC_VARIABLETYPE;
        if (!t || t->node_class != want || (t->flags & UG_NF_ABSTRACT))
            return UG_STATUS_BADTYPEDEFINITIONINVALID;
        *tdef = t;
    } else if (!nodeid_is_null(&it->type_definition)) {
        return UG_STATUS_BADTYPEDEFINITIONINVALID;
    }
    if (it->node_class == UG_NC_VARIABLE || it->node_class == UG_NC_VARIABLETYPE) {
        const ug_nodeid *dt = &it->attrs.data_type;
        if (!nodeid_is_null(dt)) {
            ug_node *d = ug_aspace_get(as, dt);
            if (!d || d->node_class != UG_NC_DATATYPE)
                return UG_STATUS_BADNODEATTRIBUTESINVALID;
        }
        if (it->attrs.n_dims && !it->attrs.array_dimensions)
            return UG_STATUS_BADNODEATTRIBUTESINVALID;
    }
    return UG_STATUS_GOOD;
}

static ug_status fill_node(ug_aspace *as, ug_node *n, const struct ug_add_node *it)
{
    const struct ug_node_attrs *a = &it->attrs;
    ug_status st;
    n->node_class = (uint8_t)it->node_class;
    if ((st = ug_str_dup(&n->browse_name.name, it->browse_name.name)) != UG_STATUS_GOOD)
        return st;
    n->browse_name.ns = it->browse_name.ns;
    n->own |= UG_OWN_BNAME;
    /* a DisplayName equal to the browse name costs nothing */
    ug_localized_text dn = a->display_name;
    if (dn.text.len > 0 &&
        (dn.locale.len > 0 || !ug_bytes_eq(dn.text, it->browse_name.name))) {
        struct ug_node_ext *x = ug_node_ext_get(n);
        if (!x)
            return UG_STATUS_BADOUTOFMEMORY;
        if ((st = dup_ltext(&x->display_name, dn)) != UG_STATUS_GOOD)
            return st;
        n->own |= UG_OWN_DNAME;
        x->has_display_name = true;
    }
    if (a->description.text.len > 0 || a->description.locale.len > 0) {
        struct ug_node_ext *x = ug_node_ext_get(n);
        if (!x)
            return UG_STATUS_BADOUTOFMEMORY;
        if ((st = dup_ltext(&x->description, a->description)) != UG_STATUS_GOOD)
            return st;
        n->own |= UG_OWN_DESC;
    }
    n->write_mask = a->write_mask;
    if (a->is_abstract)
        n->flags |= UG_NF_ABSTRACT;
    switch (it->node_class) {
    case UG_NC_VARIABLE:
    case UG_NC_VARIABLETYPE:
        if (nodeid_is_null(&a->data_type)) {
            n->data_type = (ug_nodeid){.id.numeric = UG_ID_BASEDATATYPE};
        } else {
            if ((st = ug_nodeid_dup(&n->data_type, &a->data_type)) != UG_STATUS_GOOD)
                return st;
            n->own |= UG_OWN_DTYPE;
        }
        n->value_rank = (a->value_rank || a->value_rank_set) ? a->value_rank : UG_VALUERANK_ANY;
        if (a->n_dims) {
            uint32_t *d = malloc(a->n_dims * sizeof *d);
            if (!d)
                return UG_STATUS_BADOUTOFMEMORY;
            memcpy(d, a->array_dimensions, a->n_dims * sizeof *d);
            n->dims = d;
            n->n_dims = a->n_dims;
            n->own |= UG_OWN_DIMS;
        }
        n->access_level = a->access_level ? a->access_level : UG_ACCESS_READ;
        n->min_sampling = a->minimum_sampling_interval;
        if (a->historizing)
            n->flags |= UG_NF_HISTORIZING;
        if (a->value) {
            if ((st = ug_datavalue_box(&n->value, a->value)) != UG_STATUS_GOOD)
                return st;
        }
        break;
    case UG_NC_OBJECT:
    case UG_NC_VIEW:
        n->event_notifier = a->event_notifier;
        if (a->contains_no_loops)
            n->flags |= UG_NF_NO_LOOPS;
        break;
    case UG_NC_REFERENCETYPE:
        if (a->symmetric)
            n->flags |= UG_NF_SYMMETRIC;
        if (a->inverse_name.text.len > 0 || a->inverse_name.locale.len > 0) {
            struct ug_node_ext *x = ug_node_ext_get(n);
            if (!x)
                return UG_STATUS_BADOUTOFMEMORY;
            if ((st = dup_ltext(&x->inverse_name, a->inverse_name)) != UG_STATUS_GOOD)
                return st;
            n->own |= UG_OWN_INVNAME;
        }
        break;
    case UG_NC_METHOD:
        if (a->executable || !a->executable_set)
            n->flags |= UG_NF_EXECUTABLE;
        break;
    default:
        break;
    }
    (void)as;
    return UG_STATUS_GOOD;
}

ug_status ug_aspace_add_node(ug_aspace *as, const struct ug_add_node *it, ug_node **out)
{
    ug_node *parent, *rtype, *tdef;
    if (out)
        *out = NULL;
    ug_status st = check_add(as, it, &parent, &rtype, &tdef);
    if (st != UG_STATUS_GOOD)
        return st;
    ug_node *n = calloc(1, sizeof *n);
    if (!n)
        return UG_STATUS_BADOUTOFMEMORY;
    const ug_nodeid *rq = &it->requested_id;
    if (rq->id_type == UG_ID_NUMERIC && rq->id.numeric == 0) {
        fresh_id(as, &n->id, rq->ns);
    } else {
        st = ug_nodeid_dup(&n->id, rq);
        if (st != UG_STATUS_GOOD) {
            free(n);
            return st;
        }
        n->own |= UG_OWN_ID;
    }
    st = fill_node(as, n, it);
    if (st == UG_STATUS_GOOD)
        st = ug_aspace_hash_insert(as, n);
    if (st != UG_STATUS_GOOD) {
        ug_node_destroy(n);
        return st;
    }
    if (parent) {
        st = ug_aspace_add_ref(as, &parent->id, &rtype->id, &n->id, true);
    }
    if (st == UG_STATUS_GOOD && tdef)
        st = ug_aspace_add_ref(as, &n->id, &as->rt_hastypedef->id, &tdef->id, true);
    if (st != UG_STATUS_GOOD) {
        /* only memory can fail here; undo the references made so far */
        (void)ug_aspace_delete_node(as, &n->id, false);
        return UG_STATUS_BADOUTOFMEMORY;
    }
    if (out)
        *out = n;
    return UG_STATUS_GOOD;
}

/* True when some other node still points at n by a hierarchical reference. */
static bool has_hier_parent(const ug_aspace *as, const ug_node *n)
{
    struct ug_ref_filter f = {UG_BROWSE_INVERSE, as->rt_hierarchical, true, 0};
    struct ug_ref_view v;
    uint32_t pos = 0;
    return ug_aspace_ref_next(as, n, &f, &pos, &v);
}

ug_status ug_aspace_delete_node(ug_aspace *as, const ug_nodeid *id, bool recursive)
{
    ug_node *n = ug_aspace_get(as, id);
    if (!n)
        return UG_STATUS_BADNODEIDUNKNOWN;
    ug_aspace_cancel_ops(as, n, UG_STATUS_BADNODEIDUNKNOWN);
    /* children to look at after the references are gone */
    ug_nodeid *kids = NULL;
    uint32_t n_kids = 0;
    if (recursive) {
        struct ug_ref_filter f = {UG_BROWSE_FORWARD, as->rt_hierarchical, true, 0};
        struct ug_ref_view v;
        uint32_t pos = 0, cnt = 0;
        while (ug_aspace_ref_next(as, n, &f, &pos, &v))
            cnt++;
        kids = cnt ? calloc(cnt, sizeof *kids) : NULL;
        pos = 0;
        while (kids && ug_aspace_ref_next(as, n, &f, &pos, &v))
            if (v.target != n && ug_nodeid_dup(&kids[n_kids], &v.target->id) == UG_STATUS_GOOD)
                n_kids++;
    }
    ug_names_node_gone(as, n);
    uint32_t cnt = ug_node_ref_count(n);
    for (uint32_t i = 0; i < cnt; i++) {
        struct ug_ref_view v;
        ug_node_ref_at(as, n, i, &v);
        if (v.target != n)
            (void)ug_node_ref_remove(as, v.target, v.type, n, !v.is_forward);
    }
    ug_aspace_hash_remove(as, n);
    ug_node_destroy(n);
    for (uint32_t i = 0; i < n_kids; i++) {
        ug_node *k = ug_aspace_get(as, &kids[i]);
        if (k && !has_hier_parent(as, k))
            (void)ug_aspace_delete_node(as, &kids[i], true);
        ug_nodeid_release(&kids[i]);
    }
    free(kids);
    return UG_STATUS_GOOD;
}
