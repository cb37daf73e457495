/* clientserver/aspace_refs.c — references: storage (generated entries of ns0
 * nodes, then a dynamic array), iteration with filters, add and delete with
 * both directions kept consistent (Part 4 §5.7.4, §5.7.6).
 */
#include <stdlib.h>
#include <string.h>

#include "aspace_int.h"

void ug_node_ref_at(const ug_aspace *as, const ug_node *n, uint32_t i, struct ug_ref_view *out)
{
    if (i < n->n_srefs) {
        const struct ug_ns0_ref *r = &n->srefs[i];
        out->target = &as->ns0[r->target];
        out->type = &as->ns0[ug_ns0.reftypes[r->type]];
        out->is_forward = r->inverse == 0;
        return;
    }
    const struct ug_ref_entry *e = &n->refs[i - n->n_srefs];
    out->target = e->target;
    out->type = e->type;
    out->is_forward = e->is_forward;
}

static ug_status reserve(ug_node *n, uint32_t want)
{
    if (want <= n->cap_refs)
        return UG_STATUS_GOOD;
    uint32_t cap = n->cap_refs ? n->cap_refs * 2 : 4;
    while (cap < want)
        cap *= 2;
    struct ug_ref_entry *r = realloc(n->refs, cap * sizeof *r);
    if (!r)
        return UG_STATUS_BADOUTOFMEMORY;
    n->refs = r;
    n->cap_refs = cap;
    return UG_STATUS_GOOD;
}

/* Moves the generated entries into the dynamic array (they stay first, so
 * positions do not move). */
ug_status ug_node_refs_materialise(ug_aspace *as, ug_node *n)
{
    if (!n->n_srefs)
        return UG_STATUS_GOOD;
    uint32_t ns = n->n_srefs, nd = n->n_refs;
    ug_status st = reserve(n, ns + nd);
    if (st != UG_STATUS_GOOD)
        return st;
    memmove(n->refs + ns, n->refs, nd * sizeof *n->refs);
    for (uint32_t i = 0; i < ns; i++) {
        struct ug_ref_view v;
        ug_node_ref_at(as, n, i, &v);
        n->refs[i] = (struct ug_ref_entry){v.target, v.type, v.is_forward};
    }
    n->n_refs = ns + nd;
    n->n_srefs = 0;
    n->srefs = NULL;
    return UG_STATUS_GOOD;
}

ug_status ug_node_ref_push(ug_node *n, ug_node *type, ug_node *target, bool fwd)
{
    ug_status st = reserve(n, n->n_refs + 1);
    if (st != UG_STATUS_GOOD)
        return st;
    n->refs[n->n_refs++] = (struct ug_ref_entry){target, type, fwd};
    return UG_STATUS_GOOD;
}

static int32_t find_ref(const ug_aspace *as, const ug_node *n, const ug_node *type,
                        const ug_node *target, bool fwd)
{
    uint32_t cnt = ug_node_ref_count(n);
    for (uint32_t i = 0; i < cnt; i++) {
        struct ug_ref_view v;
        ug_node_ref_at(as, n, i, &v);
        if (v.type == type && v.target == target && v.is_forward == fwd)
            return (int32_t)i;
    }
    return -1;
}

bool ug_node_ref_remove(ug_aspace *as, ug_node *n, const ug_node *type, const ug_node *target,
                        bool fwd)
{
    if (find_ref(as, n, type, target, fwd) < 0)
        return false;
    /* materialising can only fail for lack of memory; then the entry stays
     * and the caller sees the reference as not removed */
    if (ug_node_refs_materialise(as, n) != UG_STATUS_GOOD)
        return false;
    int32_t i = find_ref(as, n, type, target, fwd);
    memmove(n->refs + i, n->refs + i + 1, (n->n_refs - (uint32_t)i - 1) * sizeof *n->refs);
    n->n_refs--;
    if (fwd)
        ug_names_ref_removed(as, n, type, target);
    return true;
}

bool ug_aspace_ref_next(const ug_aspace *as, const ug_node *n, const struct ug_ref_filter *f,
                        uint32_t *pos, struct ug_ref_view *out)
{
    uint32_t cnt = ug_node_ref_count(n);
    while (*pos < cnt) {
        ug_node_ref_at(as, n, (*pos)++, out);
        if (!f)
            return true;
        if (f->dir == UG_BROWSE_FORWARD && !out->is_forward)
            continue;
        if (f->dir == UG_BROWSE_INVERSE && out->is_forward)
            continue;
        if (f->ref_type && out->type != f->ref_type &&
            !(f->include_subtypes && ug_aspace_is_subtype(as, out->type, f->ref_type)))
            continue;
        if (f->node_class_mask && !(f->node_class_mask & out->target->node_class))
            continue;
        return true;
    }
    return false;
}

ug_node *ug_aspace_ref_target(const ug_aspace *as, const ug_node *n, uint32_t ref_type_ns0)
{
    uint32_t cnt = ug_node_ref_count(n);
    for (uint32_t i = 0; i < cnt; i++) {
        struct ug_ref_view v;
        ug_node_ref_at(as, n, i, &v);
        if (v.is_forward && v.type->id.ns == 0 && v.type->id.id_type == UG_ID_NUMERIC &&
            v.type->id.id.numeric == ref_type_ns0)
            return v.target;
    }
    return NULL;
}

/* ug_aspace_child: aspace_names.c. */

/* A usable reference type: a ReferenceType node that is not abstract. */
static ug_node *ref_type_of(const ug_aspace *as, const ug_nodeid *id)
{
    ug_node *t = ug_aspace_get(as, id);
    if (!t || t->node_class != UG_NC_REFERENCETYPE || (t->flags & UG_NF_ABSTRACT))
        return NULL;
    return t;
}

ug_status ug_aspace_add_ref(ug_aspace *as, const ug_nodeid *source, const ug_nodeid *type,
                            const ug_nodeid *target, bool is_forward)
{
    ug_node *s = ug_aspace_get(as, source);
    if (!s)
        return UG_STATUS_BADSOURCENODEIDINVALID;
    ug_node *t = ug_aspace_get(as, target);
    if (!t)
        return UG_STATUS_BADTARGETNODEIDINVALID;
    ug_node *rt = ref_type_of(as, type);
    if (!rt)
        return UG_STATUS_BADREFERENCETYPEIDINVALID;
    if (!is_forward) {
        ug_node *x = s;
        s = t;
        t = x;
    }
    /* both ends hold the reference: look on the one with fewer (a parent
     * with many children is not scanned for each new child) */
    bool dup = ug_node_ref_count(t) < ug_node_ref_count(s) ? find_ref(as, t, rt, s, false) >= 0
                                                           : find_ref(as, s, rt, t, true) >= 0;
    if (dup)
        return UG_STATUS_BADDUPLICATEREFERENCENOTALLOWED;
    ug_status st = ug_node_ref_push(s, rt, t, true);
    if (st != UG_STATUS_GOOD)
        return st;
    st = ug_node_ref_push(t, rt, s, false);
    if (st != UG_STATUS_GOOD) {
        s->n_refs--;
        return st;
    }
    ug_names_ref_added(as, s, rt, t);
    return UG_STATUS_GOOD;
}

ug_status ug_aspace_delete_ref(ug_aspace *as, const ug_nodeid *source, const ug_nodeid *type,
                               const ug_nodeid *target, bool is_forward)
{
    ug_node *s = ug_aspace_get(as, source);
    if (!s)
        return UG_STATUS_BADSOURCENODEIDINVALID;
    ug_node *t = ug_aspace_get(as, target);
    if (!t)
        return UG_STATUS_BADTARGETNODEIDINVALID;
    ug_node *rt = ug_aspace_get(as, type);
    if (!rt || rt->node_class != UG_NC_REFERENCETYPE)
        return UG_STATUS_BADREFERENCETYPEIDINVALID;
    if (!is_forward) {
        ug_node *x = s;
        s = t;
        t = x;
    }
    if (find_ref(as, s, rt, t, true) < 0)
        return UG_STATUS_BADNOTFOUND;
    if (!ug_node_ref_remove(as, s, rt, t, true))
        return UG_STATUS_BADOUTOFMEMORY;
    if (!ug_node_ref_remove(as, t, rt, s, false)) {
        /* put the forward entry back so the store stays consistent */
        if (ug_node_ref_push(s, rt, t, true) == UG_STATUS_GOOD)
            ug_names_ref_added(as, s, rt, t);
        return UG_STATUS_BADOUTOFMEMORY;
    }
    return UG_STATUS_GOOD;
}
