/* clientserver/aspace_names.c — the (parent, browse name) index that makes
 * the uniqueness check of AddNodes (Part 4 §5.7.2.2, BadBrowseNameDuplicated)
 * and ug_aspace_child O(1) for parents with many children.
 *
 * A parent with fewer than NAMES_MIN_REFS references is scanned as before;
 * the first lookup on a bigger one indexes it (UG_NF_NAMES): one entry per
 * (parent, child) pair joined by at least one forward hierarchical reference,
 * counting those references, hashed by the parent and the child's browse
 * name. From then on every forward reference the parent gains or loses is
 * applied (aspace_refs.c), a child's rename drops the index of its parents
 * (rebuilt at their next lookup), and the parent's entries go with it when
 * it is deleted. Out of memory while keeping an index: the parent's index
 * is dropped and lookups scan again, so the answer never goes wrong.
 */
#include <stdlib.h>
#include <string.h>

#include "aspace_int.h"

#define NAMES_MIN_REFS 32

struct ug_name_ent {
    const ug_node *parent;
    const ug_node *child;
    uint32_t hash;
    uint32_t refs; /* forward hierarchical references parent -> child */
    struct ug_name_ent *next;
};

static uint32_t name_hash(const ug_node *parent, ug_qualified_name name)
{
    uint64_t p = (uint64_t)(uintptr_t)parent;
    uint32_t h = 2166136261u;
    for (int i = 0; i < 8; i++)
        h = (h ^ (uint8_t)(p >> (8 * i))) * 16777619u; /* FNV-1a */
    h = (h ^ name.ns) * 16777619u;
    h = (h ^ (name.ns >> 8)) * 16777619u;
    for (int32_t i = 0; i < name.name.len; i++)
        h = (h ^ name.name.data[i]) * 16777619u;
    return h;
}

static bool name_eq(ug_qualified_name a, ug_qualified_name b)
{
    return a.ns == b.ns && ug_bytes_eq(a.name, b.name);
}

static bool hierarchical(const ug_aspace *as, const ug_node *type)
{
    return type == as->rt_hierarchical || ug_aspace_is_subtype(as, type, as->rt_hierarchical);
}

static struct ug_name_ent **slot(const ug_aspace *as, uint32_t hash)
{
    return &as->names[hash & (as->n_names_buckets - 1)];
}

static struct ug_name_ent **find_pair(const ug_aspace *as, const ug_node *parent,
                                      const ug_node *child, uint32_t hash)
{
    struct ug_name_ent **pp = slot(as, hash);
    while (*pp && !((*pp)->parent == parent && (*pp)->child == child))
        pp = &(*pp)->next;
    return pp;
}

static ug_status grow(ug_aspace *as)
{
    uint32_t nb = as->n_names_buckets ? as->n_names_buckets * 2 : 256;
    struct ug_name_ent **b = calloc(nb, sizeof *b);
    if (!b)
        return UG_STATUS_BADOUTOFMEMORY;
    for (uint32_t i = 0; i < as->n_names_buckets; i++) {
        struct ug_name_ent *e = as->names[i];
        while (e) {
            struct ug_name_ent *next = e->next;
            e->next = b[e->hash & (nb - 1)];
            b[e->hash & (nb - 1)] = e;
            e = next;
        }
    }
    free(as->names);
    as->names = b;
    as->n_names_buckets = nb;
    return UG_STATUS_GOOD;
}

/* One more reference parent -> child. */
static ug_status pair_add(ug_aspace *as, const ug_node *parent, const ug_node *child)
{
    if (as->n_names >= as->n_names_buckets && grow(as) != UG_STATUS_GOOD)
        return UG_STATUS_BADOUTOFMEMORY;
    uint32_t h = name_hash(parent, child->browse_name);
    struct ug_name_ent **pp = find_pair(as, parent, child, h);
    if (*pp) {
        (*pp)->refs++;
        return UG_STATUS_GOOD;
    }
    struct ug_name_ent *e = malloc(sizeof *e);
    if (!e)
        return UG_STATUS_BADOUTOFMEMORY;
    *e = (struct ug_name_ent){parent, child, h, 1, *slot(as, h)};
    *slot(as, h) = e;
    as->n_names++;
    return UG_STATUS_GOOD;
}

/* One reference fewer (all: every reference went). */
static void pair_remove(ug_aspace *as, const ug_node *parent, const ug_node *child, bool all)
{
    if (!as->n_names_buckets)
        return;
    struct ug_name_ent **pp = find_pair(as, parent, child, name_hash(parent, child->browse_name));
    struct ug_name_ent *e = *pp;
    if (!e || (!all && --e->refs > 0))
        return;
    *pp = e->next;
    free(e);
    as->n_names--;
}

/* Drops the index of parent: its entries go, lookups scan again. */
static void drop(ug_aspace *as, ug_node *parent)
{
    if (!(parent->flags & UG_NF_NAMES))
        return;
    uint32_t cnt = ug_node_ref_count(parent);
    for (uint32_t i = 0; i < cnt; i++) {
        struct ug_ref_view v;
        ug_node_ref_at(as, parent, i, &v);
        if (v.is_forward)
            pair_remove(as, parent, v.target, true);
    }
    parent->flags &= (uint8_t)~UG_NF_NAMES;
}

static void build(ug_aspace *as, ug_node *parent)
{
    struct ug_ref_filter f = {UG_BROWSE_FORWARD, as->rt_hierarchical, true, 0};
    struct ug_ref_view v;
    uint32_t pos = 0;
    parent->flags |= UG_NF_NAMES;
    while (ug_aspace_ref_next(as, parent, &f, &pos, &v)) {
        if (pair_add(as, parent, v.target) != UG_STATUS_GOOD) {
            drop(as, parent);
            return;
        }
    }
}

static ug_node *scan(const ug_aspace *as, const ug_node *parent, ug_qualified_name name)
{
    struct ug_ref_filter f = {UG_BROWSE_FORWARD, as->rt_hierarchical, true, 0};
    struct ug_ref_view v;
    uint32_t pos = 0;
    while (ug_aspace_ref_next(as, parent, &f, &pos, &v))
        if (name_eq(v.target->browse_name, name))
            return v.target;
    return NULL;
}

ug_node *ug_aspace_child(const ug_aspace *as, const ug_node *parent, ug_qualified_name name)
{
    if (!(parent->flags & UG_NF_NAMES) && ug_node_ref_count(parent) >= NAMES_MIN_REFS) {
        /* indexing changes no answer: the aspace is logically const */
        build((ug_aspace *)as, (ug_node *)parent);
    }
    if (!(parent->flags & UG_NF_NAMES))
        return scan(as, parent, name);
    uint32_t h = name_hash(parent, name);
    for (struct ug_name_ent *e = *slot(as, h); e; e = e->next)
        if (e->hash == h && e->parent == parent && name_eq(e->child->browse_name, name))
            return (ug_node *)e->child;
    return NULL;
}

void ug_names_ref_added(ug_aspace *as, ug_node *src, const ug_node *type, const ug_node *target)
{
    if (!(src->flags & UG_NF_NAMES) || !hierarchical(as, type))
        return;
    if (pair_add(as, src, target) != UG_STATUS_GOOD)
        drop(as, src);
}

void ug_names_ref_removed(ug_aspace *as, ug_node *src, const ug_node *type, const ug_node *target)
{
    if ((src->flags & UG_NF_NAMES) && hierarchical(as, type))
        pair_remove(as, src, target, false);
}

void ug_names_node_gone(ug_aspace *as, ug_node *n) { drop(as, n); }

void ug_names_renaming(ug_aspace *as, ug_node *n)
{
    uint32_t cnt = ug_node_ref_count(n);
    for (uint32_t i = 0; i < cnt; i++) {
        struct ug_ref_view v;
        ug_node_ref_at(as, n, i, &v);
        if (!v.is_forward && (v.target->flags & UG_NF_NAMES))
            drop(as, v.target);
    }
}

void ug_names_free(ug_aspace *as)
{
    for (uint32_t i = 0; i < as->n_names_buckets; i++) {
        struct ug_name_ent *e = as->names[i];
        while (e) {
            struct ug_name_ent *next = e->next;
            free(e);
            e = next;
        }
    }
    free(as->names);
    as->names = NULL;
    as->n_names_buckets = as->n_names = 0;
}
