/* clientserver/aspace.c — the node store: hash map by NodeId, namespace 0
 * materialised from the generated tables, namespaces, node accessors, value
 * and method attachment. Adding and deleting nodes is in aspace_nodes.c,
 * references in aspace_refs.c, types in aspace_types.c.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aspace_int.h"

#define NS0_URI "http://opcfoundation.org/UA/"
#define DEFAULT_APP_URI "urn:uagate:server"

/* ----------------------------------------------------------- small copies -- */

ug_status ug_str_dup(ug_string *dst, ug_string src)
{
    if (src.len <= 0 || !src.data) {
        *dst = (ug_string){NULL, src.len < 0 ? -1 : 0};
        return UG_STATUS_GOOD;
    }
    uint8_t *p = malloc((size_t)src.len);
    if (!p)
        return UG_STATUS_BADOUTOFMEMORY;
    memcpy(p, src.data, (size_t)src.len);
    *dst = (ug_string){p, src.len};
    return UG_STATUS_GOOD;
}

ug_status ug_nodeid_dup(ug_nodeid *dst, const ug_nodeid *src)
{
    *dst = *src;
    if (src->id_type == UG_ID_STRING || src->id_type == UG_ID_OPAQUE)
        return ug_str_dup(&dst->id.string, src->id.string);
    return UG_STATUS_GOOD;
}

void ug_nodeid_release(ug_nodeid *id)
{
    if (id->id_type == UG_ID_STRING || id->id_type == UG_ID_OPAQUE)
        free((void *)id->id.string.data);
    id->id_type = UG_ID_NUMERIC;
    id->id.numeric = 0;
}

/* ------------------------------------------------------------------ hash -- */

static uint32_t hash_nodeid(const ug_nodeid *id)
{
    uint32_t h = 2166136261u;
    const uint8_t *p;
    size_t len;
    switch (id->id_type) {
    case UG_ID_NUMERIC:
        /* the common case: a multiplicative hash is enough */
        return (id->id.numeric * 2654435761u) ^ ((uint32_t)id->ns * 40503u);
    case UG_ID_GUID:
        p = (const uint8_t *)&id->id.guid;
        len = sizeof id->id.guid;
        break;
    default:
        p = id->id.string.data;
        len = id->id.string.len > 0 ? (size_t)id->id.string.len : 0;
        break;
    }
    h ^= id->ns;
    h *= 16777619u;
    h ^= id->id_type;
    h *= 16777619u;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 16777619u;
    }
    return h;
}

static ug_status grow_buckets(ug_aspace *as)
{
    uint32_t nb = as->n_buckets ? as->n_buckets * 2 : 1024;
    ug_node **b = calloc(nb, sizeof *b);
    if (!b)
        return UG_STATUS_BADOUTOFMEMORY;
    for (uint32_t i = 0; i < as->n_buckets; i++) {
        ug_node *n = as->buckets[i];
        while (n) {
            ug_node *next = n->hnext;
            uint32_t k = hash_nodeid(&n->id) & (nb - 1);
            n->hnext = b[k];
            b[k] = n;
            n = next;
        }
    }
    free(as->buckets);
    as->buckets = b;
    as->n_buckets = nb;
    return UG_STATUS_GOOD;
}

ug_status ug_aspace_hash_insert(ug_aspace *as, ug_node *n)
{
    if (as->count >= as->n_buckets) {
        ug_status st = grow_buckets(as);
        if (st != UG_STATUS_GOOD)
            return st;
    }
    uint32_t k = hash_nodeid(&n->id) & (as->n_buckets - 1);
    n->hnext = as->buckets[k];
    as->buckets[k] = n;
    as->count++;
    return UG_STATUS_GOOD;
}

void ug_aspace_hash_remove(ug_aspace *as, ug_node *n)
{
    uint32_t k = hash_nodeid(&n->id) & (as->n_buckets - 1);
    for (ug_node **pp = &as->buckets[k]; *pp; pp = &(*pp)->hnext) {
        if (*pp == n) {
            *pp = n->hnext;
            n->hnext = NULL;
            as->count--;
            return;
        }
    }
}

ug_node *ug_aspace_get(const ug_aspace *as, const ug_nodeid *id)
{
    if (!as || !id || !as->n_buckets)
        return NULL;
    uint32_t k = hash_nodeid(id) & (as->n_buckets - 1);
    for (ug_node *n = as->buckets[k]; n; n = n->hnext)
        if (ug_nodeid_eq(&n->id, id))
            return n;
    return NULL;
}

ug_node *ug_aspace_get_ns0(const ug_aspace *as, uint32_t numeric_id)
{
    ug_nodeid id = {.ns = 0, .id_type = UG_ID_NUMERIC, .id.numeric = numeric_id};
    return ug_aspace_get(as, &id);
}

uint32_t ug_aspace_node_count(const ug_aspace *as) { return as ? as->count : 0; }

/* ------------------------------------------------------------------- ns0 -- */

static ug_string pool_str(uint32_t off)
{
    const char *s = ug_ns0.pool + off;
    return (ug_string){(const uint8_t *)s, (int32_t)strlen(s)};
}

/* The value of a generated node: arrays of strings need an array of views,
 * which is the only storage a ns0 value costs. */
static ug_status ns0_value(ug_node *n, const struct ug_ns0_value *v)
{
    const uint32_t *d = ug_ns0.value_data + v->data;
    size_t esize = ug_type_size(v->type);
    /* one block: the DataValue, then its elements */
    size_t head = (sizeof(ug_datavalue) + 7u) & ~(size_t)7u;
    uint8_t *box = calloc(1, head + (v->count ? v->count : 1) * esize);
    if (!box)
        return UG_STATUS_BADOUTOFMEMORY;
    ug_datavalue *dvp = (ug_datavalue *)box;
    void *arr = box + head;
    ug_datavalue dv = {.mask = UG_DV_VALUE};
    for (uint32_t i = 0; i < v->count; i++) {
        uint8_t *e = (uint8_t *)arr + i * esize;
        switch (v->type) {
        case UG_TYPE_BOOLEAN: *(bool *)e = d[i] != 0; break;
        case UG_TYPE_INT32: *(int32_t *)e = (int32_t)d[i]; break;
        case UG_TYPE_UINT32: *(uint32_t *)e = d[i]; break;
        case UG_TYPE_STRING: *(ug_string *)e = pool_str(d[i]); break;
        case UG_TYPE_LOCALIZEDTEXT: {
            ug_localized_text *lt = (ug_localized_text *)e;
            lt->locale = d[2 * i] ? pool_str(d[2 * i]) : UG_NULL_BYTES;
            lt->text = pool_str(d[2 * i + 1]);
            break;
        }
        case UG_TYPE_EXTENSIONOBJECT: {
            ug_extension_object *eo = (ug_extension_object *)e;
            eo->type_id = (ug_nodeid){.id.numeric = UG_NS0_ARGUMENT_BINARY};
            eo->encoding = UG_EO_BYTESTRING;
            eo->body = (ug_bytes){(const uint8_t *)ug_ns0.pool + d[2 * i], (int32_t)d[2 * i + 1]};
            break;
        }
        default: break;
        }
    }
    dv.value.type = v->type;
    if (v->is_array) {
        dv.value.array_len = v->count;
        dv.value.u.arr = arr;
    } else if (v->type == UG_TYPE_EXTENSIONOBJECT) {
        dv.value.array_len = UG_SCALAR;
        dv.value.u.v.extobj = arr; /* boxed: the scalar points at its element */
    } else {
        dv.value.array_len = UG_SCALAR;
        memcpy(&dv.value.u.v, arr, esize);
    }
    *dvp = dv;
    n->value = dvp;
    return UG_STATUS_GOOD;
}

static ug_status load_ns0(ug_aspace *as)
{
    const struct ug_ns0_tables *t = &ug_ns0;
    as->ns0 = calloc(t->n_nodes, sizeof *as->ns0);
    if (!as->ns0)
        return UG_STATUS_BADOUTOFMEMORY;
    as->n_ns0 = t->n_nodes;
    for (uint32_t i = 0; i < t->n_nodes; i++) {
        const struct ug_ns0_node *r = &t->nodes[i];
        ug_node *n = &as->ns0[i];
        n->id = (ug_nodeid){.ns = 0, .id_type = UG_ID_NUMERIC, .id.numeric = r->id};
        n->node_class = r->node_class;
        n->flags = UG_NF_NS0;
        if (r->flags & UG_NS0_F_ABSTRACT)
            n->flags |= UG_NF_ABSTRACT;
        if (r->flags & UG_NS0_F_SYMMETRIC)
            n->flags |= UG_NF_SYMMETRIC;
        if (r->flags & UG_NS0_F_HISTORIZING)
            n->flags |= UG_NF_HISTORIZING;
        if (r->node_class == UG_NC_METHOD && !(r->flags & UG_NS0_F_NOT_EXECUTABLE))
            n->flags |= UG_NF_EXECUTABLE;
        n->access_level = r->access_level;
        n->event_notifier = r->event_notifier;
        n->value_rank = r->value_rank;
        n->n_dims = r->n_dims;
        n->dims = r->n_dims ? t->dims + r->dims : NULL;
        n->min_sampling = r->min_sampling_ms < 0 ? 0.0 : (double)r->min_sampling_ms;
        n->browse_name = (ug_qualified_name){0, pool_str(r->browse_name)};
        if (r->display_name != r->browse_name) {
            struct ug_node_ext *x = ug_node_ext_get(n);
            if (!x)
                return UG_STATUS_BADOUTOFMEMORY;
            x->display_name = (ug_localized_text){UG_NULL_BYTES, pool_str(r->display_name)};
            x->has_display_name = true;
        }
        if (r->inverse_name) {
            struct ug_node_ext *x = ug_node_ext_get(n);
            if (!x)
                return UG_STATUS_BADOUTOFMEMORY;
            x->description = (ug_localized_text){UG_NULL_BYTES, UG_NULL_BYTES};
            x->inverse_name = (ug_localized_text){UG_NULL_BYTES, pool_str(r->inverse_name)};
        }
        n->data_type = (ug_nodeid){.ns = 0, .id_type = UG_ID_NUMERIC, .id.numeric = r->data_type};
        n->srefs = t->refs + r->refs;
        n->n_srefs = r->n_refs;
        if (r->value >= 0) {
            ug_status st = ns0_value(n, &t->values[r->value]);
            if (st != UG_STATUS_GOOD)
                return st;
        }
        ug_status st = ug_aspace_hash_insert(as, n);
        if (st != UG_STATUS_GOOD)
            return st;
    }
    as->rt_hassubtype = ug_aspace_get_ns0(as, UG_ID_HASSUBTYPE);
    as->rt_hierarchical = ug_aspace_get_ns0(as, UG_ID_HIERARCHICALREFERENCES);
    as->rt_hastypedef = ug_aspace_get_ns0(as, UG_ID_HASTYPEDEFINITION);
    as->rt_hasmodellingrule = ug_aspace_get_ns0(as, UG_ID_HASMODELLINGRULE);
    as->rt_hasproperty = ug_aspace_get_ns0(as, UG_ID_HASPROPERTY);
    as->rt_hascomponent = ug_aspace_get_ns0(as, UG_ID_HASCOMPONENT);
    as->rt_organizes = ug_aspace_get_ns0(as, UG_ID_ORGANIZES);
    as->rt_references = ug_aspace_get_ns0(as, UG_ID_REFERENCES);
    if (!as->rt_hassubtype || !as->rt_hierarchical || !as->rt_hastypedef ||
        !as->rt_hasmodellingrule || !as->rt_hasproperty || !as->rt_hascomponent ||
        !as->rt_organizes || !as->rt_references)
        return UG_STATUS_BADINTERNALERROR; /* the generated tables lack a core node */
    return UG_STATUS_GOOD;
}

/* ------------------------------------------------------------- lifecycle -- */

ug_status ug_aspace_new(const struct ug_aspace_config *cfg, ug_aspace **out)
{
    *out = NULL;
    ug_aspace *as = calloc(1, sizeof *as);
    if (!as)
        return UG_STATUS_BADOUTOFMEMORY;
    as->next_id = 50000;
    if (cfg) {
        as->loop = cfg->loop;
        as->pool = cfg->pool;
    }
    ug_cp_store_init(&as->cps, 0);
    ug_status st = load_ns0(as);
    uint16_t idx;
    if (st == UG_STATUS_GOOD)
        st = ug_aspace_ns_add(as, NS0_URI, &idx);
    if (st == UG_STATUS_GOOD)
        st = ug_aspace_ns_add(as, cfg && cfg->application_uri ? cfg->application_uri
                                                              : DEFAULT_APP_URI, &idx);
    if (st != UG_STATUS_GOOD) {
        ug_aspace_free(as);
        return st;
    }
    *out = as;
    return UG_STATUS_GOOD;
}

static void release_node(ug_node *n)
{
    if (n->own & UG_OWN_ID)
        ug_nodeid_release(&n->id);
    if (n->own & UG_OWN_BNAME)
        free((void *)n->browse_name.name.data);
    if ((n->own & UG_OWN_DNAME) && n->ext) {
        free((void *)n->ext->display_name.locale.data);
        free((void *)n->ext->display_name.text.data);
    }
    if ((n->own & UG_OWN_DESC) && n->ext) {
        free((void *)n->ext->description.locale.data);
        free((void *)n->ext->description.text.data);
    }
    if ((n->own & UG_OWN_INVNAME) && n->ext) {
        free((void *)n->ext->inverse_name.locale.data);
        free((void *)n->ext->inverse_name.text.data);
    }
    if (n->own & UG_OWN_DIMS)
        free((void *)n->dims);
    if (n->own & UG_OWN_DTYPE)
        ug_nodeid_release(&n->data_type);
    n->own = 0;
    free(n->refs);
    n->refs = NULL;
    n->n_refs = n->cap_refs = 0;
    n->n_srefs = 0;
    free(n->value);
    n->value = NULL;
    free(n->ext);
    n->ext = NULL;
}

void ug_node_destroy(ug_node *n)
{
    release_node(n);
    if (n->flags & UG_NF_NS0)
        n->flags |= UG_NF_DELETED;
    else
        free(n);
}

void ug_aspace_free(ug_aspace *as)
{
    if (!as)
        return;
    ug_aspace_cancel_ops(as, NULL, UG_STATUS_BADSHUTDOWN);
    ug_aspace_async_free(as);
    for (uint32_t i = 0; i < as->n_buckets; i++) {
        ug_node *n = as->buckets[i];
        while (n) {
            ug_node *next = n->hnext;
            release_node(n);
            if (!(n->flags & UG_NF_NS0))
                free(n);
            n = next;
        }
    }
    /* deleted ns0 nodes were released when deleted */
    free(as->buckets);
    free(as->ns0);
    for (uint16_t i = 0; i < as->n_ns; i++)
        free((void *)as->ns_uris[i].data);
    free(as->ns_uris);
    ug_cp_store_clear(&as->cps);
    free(as->listeners);
    ug_names_free(as);
    free(as);
}

/* ------------------------------------------------------------ namespaces -- */

ug_status ug_aspace_ns_add(ug_aspace *as, const char *uri, uint16_t *out_index)
{
    ug_string u = ug_string_from(uri);
    if (u.len <= 0)
        return UG_STATUS_BADINVALIDARGUMENT;
    int32_t have = ug_aspace_ns_find(as, u);
    if (have >= 0) {
        *out_index = (uint16_t)have;
        return UG_STATUS_GOOD;
    }
    if (as->n_ns == UINT16_MAX)
        return UG_STATUS_BADTOOMANYOPERATIONS;
    ug_string *a = realloc(as->ns_uris, (as->n_ns + 1u) * sizeof *a);
    if (!a)
        return UG_STATUS_BADOUTOFMEMORY;
    as->ns_uris = a;
    ug_status st = ug_str_dup(&a[as->n_ns], u);
    if (st != UG_STATUS_GOOD)
        return st;
    *out_index = as->n_ns++;
    return UG_STATUS_GOOD;
}

int32_t ug_aspace_ns_find(const ug_aspace *as, ug_string uri)
{
    for (uint16_t i = 0; i < as->n_ns; i++)
        if (ug_bytes_eq(as->ns_uris[i], uri))
            return i;
    return -1;
}

uint16_t ug_aspace_ns_count(const ug_aspace *as) { return as->n_ns; }

ug_string ug_aspace_ns_uri(const ug_aspace *as, uint16_t i)
{
    return i < as->n_ns ? as->ns_uris[i] : UG_NULL_BYTES;
}

/* ------------------------------------------------------------- accessors -- */

const ug_nodeid *ug_node_id(const ug_node *n) { return &n->id; }
enum ug_nodeclass ug_node_class(const ug_node *n) { return (enum ug_nodeclass)n->node_class; }
ug_qualified_name ug_node_browse_name(const ug_node *n) { return n->browse_name; }

ug_localized_text ug_node_display_name(const ug_node *n)
{
    if (n->ext && n->ext->has_display_name)
        return n->ext->display_name;
    return (ug_localized_text){UG_NULL_BYTES, n->browse_name.name};
}

void *ug_node_context(const ug_node *n) { return n->ext ? n->ext->context : NULL; }

const ug_datavalue *ug_node_value(const ug_node *n)
{
    if (n->node_class != UG_NC_VARIABLE && n->node_class != UG_NC_VARIABLETYPE)
        return NULL;
    return ug_node_dv(n);
}

struct ug_node_ext *ug_node_ext_get(ug_node *n)
{
    if (!n->ext) {
        n->ext = calloc(1, sizeof *n->ext);
        if (n->ext)
            n->ext->description = n->ext->inverse_name =
                (ug_localized_text){UG_NULL_BYTES, UG_NULL_BYTES};
    }
    return n->ext;
}

ug_localized_text ug_node_description(const ug_node *n)
{
    return n->ext ? n->ext->description : (ug_localized_text){UG_NULL_BYTES, UG_NULL_BYTES};
}

ug_localized_text ug_node_inverse_name(const ug_node *n)
{
    return n->ext ? n->ext->inverse_name : (ug_localized_text){UG_NULL_BYTES, UG_NULL_BYTES};
}

ug_node *ug_node_type_definition(const ug_aspace *as, const ug_node *n)
{
    if (n->node_class != UG_NC_OBJECT && n->node_class != UG_NC_VARIABLE)
        return NULL;
    return ug_aspace_ref_target(as, n, UG_ID_HASTYPEDEFINITION);
}

/* ---------------------------------------------------------------- values -- */

static int32_t listener_find(const ug_aspace *as, ug_value_change_fn fn, const void *ctx)
{
    for (uint32_t i = 0; i < as->n_listeners; i++)
        if (as->listeners[i].fn == fn && as->listeners[i].ctx == ctx)
            return (int32_t)i;
    return -1;
}

ug_status ug_aspace_add_change_listener(ug_aspace *as, ug_value_change_fn fn, void *ctx)
{
    if (!as || !fn)
        return UG_STATUS_BADINVALIDARGUMENT;
    if (listener_find(as, fn, ctx) >= 0)
        return UG_STATUS_BADENTRYEXISTS;
    if (as->n_listeners == as->cap_listeners) {
        uint32_t cap = as->cap_listeners ? as->cap_listeners * 2 : 4;
        struct ug_change_listener *l = realloc(as->listeners, cap * sizeof *l);
        if (!l)
            return UG_STATUS_BADOUTOFMEMORY;
        as->listeners = l;
        as->cap_listeners = cap;
    }
    as->listeners[as->n_listeners++] = (struct ug_change_listener){fn, ctx};
    return UG_STATUS_GOOD;
}

ug_status ug_aspace_remove_change_listener(ug_aspace *as, ug_value_change_fn fn, void *ctx)
{
    int32_t i = (as && fn) ? listener_find(as, fn, ctx) : -1;
    if (i < 0)
        return UG_STATUS_BADNOENTRYEXISTS;
    if (as->notifying > 0) {
        /* a notification is walking the array: leave a hole */
        as->listeners[i].fn = NULL;
        as->listeners_holes = true;
        return UG_STATUS_GOOD;
    }
    memmove(&as->listeners[i], &as->listeners[i + 1],
            (as->n_listeners - (uint32_t)i - 1) * sizeof as->listeners[0]);
    as->n_listeners--;
    return UG_STATUS_GOOD;
}

void ug_aspace_notify(ug_aspace *as, const ug_node *n)
{
    if (n->node_class != UG_NC_VARIABLE || as->n_listeners == 0)
        return;
    as->notifying++;
    /* by index, with the count read once: the array may move (a listener
     * added) and those added now are called from the next change on */
    uint32_t count = as->n_listeners;
    for (uint32_t i = 0; i < count; i++) {
        struct ug_change_listener l = as->listeners[i];
        if (l.fn)
            l.fn(l.ctx, n);
    }
    if (--as->notifying == 0 && as->listeners_holes) {
        uint32_t k = 0;
        for (uint32_t i = 0; i < as->n_listeners; i++)
            if (as->listeners[i].fn)
                as->listeners[k++] = as->listeners[i];
        as->n_listeners = k;
        as->listeners_holes = false;
    }
}

ug_status ug_aspace_set_value(ug_aspace *as, ug_node *n, const ug_datavalue *dv)
{
    if (!n)
        return UG_STATUS_BADNODEIDUNKNOWN;
    if (n->node_class != UG_NC_VARIABLE && n->node_class != UG_NC_VARIABLETYPE)
        return UG_STATUS_BADNODECLASSINVALID;
    ug_datavalue *box;
    ug_status st = ug_datavalue_box(&box, dv);
    if (st != UG_STATUS_GOOD)
        return st;
    free(n->value);
    n->value = box;
    ug_aspace_notify(as, n);
    return UG_STATUS_GOOD;
}

ug_status ug_aspace_set_callbacks(ug_aspace *as, ug_node *n, const struct ug_value_callbacks *cb)
{
    (void)as;
    if (n->node_class != UG_NC_VARIABLE)
        return UG_STATUS_BADNODECLASSINVALID;
    if (!cb || (!cb->read && !cb->write))
        return UG_STATUS_BADINVALIDARGUMENT;
    struct ug_node_ext *x = ug_node_ext_get(n);
    if (!x)
        return UG_STATUS_BADOUTOFMEMORY;
    x->cb = *cb;
    n->vsrc = UG_VSRC_CALLBACKS;
    return UG_STATUS_GOOD;
}

ug_status ug_aspace_set_async(ug_aspace *as, ug_node *n, const struct ug_value_async *a)
{
    if (n->node_class != UG_NC_VARIABLE)
        return UG_STATUS_BADNODECLASSINVALID;
    if (!a || (!a->read && !a->write) || !as->loop || (!a->pool && !as->pool))
        return UG_STATUS_BADINVALIDARGUMENT;
    struct ug_node_ext *x = ug_node_ext_get(n);
    if (!x)
        return UG_STATUS_BADOUTOFMEMORY;
    x->async = *a;
    if (!x->async.pool)
        x->async.pool = as->pool;
    n->vsrc = UG_VSRC_ASYNC;
    return UG_STATUS_GOOD;
}

ug_status ug_aspace_set_method(ug_aspace *as, ug_node *n, const struct ug_method_impl *m)
{
    if (n->node_class != UG_NC_METHOD)
        return UG_STATUS_BADNODECLASSINVALID;
    if (!m || !m->call || (m->async && (!as->loop || (!m->pool && !as->pool))))
        return UG_STATUS_BADINVALIDARGUMENT;
    struct ug_node_ext *x = ug_node_ext_get(n);
    if (!x)
        return UG_STATUS_BADOUTOFMEMORY;
    x->method = *m;
    if (m->async && !x->method.pool)
        x->method.pool = as->pool;
    return UG_STATUS_GOOD;
}

const struct ug_method_impl *ug_node_method(const ug_node *n)
{
    return n->ext && n->ext->method.call ? &n->ext->method : NULL;
}

/* --------------------------------------------------- continuation points -- */

#define CP_DEFAULT_MAX 16

void ug_cp_store_init(struct ug_cp_store *st, uint32_t max)
{
    st->slots = NULL;
    st->max = max ? max : CP_DEFAULT_MAX;
    st->next_id = 1;
}

void ug_cp_store_clear(struct ug_cp_store *st)
{
    if (st->slots)
        for (uint32_t i = 0; i < st->max; i++)
            if (st->slots[i].id)
                ug_cp_store_release(st, &st->slots[i]);
    free(st->slots);
    st->slots = NULL;
}

struct ug_cp *ug_cp_store_create(struct ug_cp_store *st)
{
    if (!st->slots) {
        st->slots = calloc(st->max, sizeof *st->slots);
        if (!st->slots)
            return NULL;
    }
    for (uint32_t i = 0; i < st->max; i++) {
        if (!st->slots[i].id) {
            memset(&st->slots[i], 0, sizeof st->slots[i]);
            st->slots[i].id = st->next_id++;
            return &st->slots[i];
        }
    }
    return NULL;
}

struct ug_cp *ug_cp_store_lookup(struct ug_cp_store *st, ug_bytes cp)
{
    if (!st->slots || cp.len != 8 || !cp.data)
        return NULL;
    uint64_t id = 0;
    for (int i = 0; i < 8; i++)
        id |= (uint64_t)cp.data[i] << (8 * i);
    if (!id)
        return NULL;
    for (uint32_t i = 0; i < st->max; i++)
        if (st->slots[i].id == id)
            return &st->slots[i];
    return NULL;
}

void ug_cp_store_release(struct ug_cp_store *st, struct ug_cp *cp)
{
    (void)st;
    ug_nodeid_release(&cp->node);
    ug_nodeid_release(&cp->ref_type);
    cp->id = 0;
}

/* ------------------------------------------------------- service helpers -- */

ug_datetime ug_aspace_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return UG_DATETIME_UNIX_EPOCH + (ug_datetime)ts.tv_sec * 10000000 + ts.tv_nsec / 100;
}

/* Services called without a server (ctx->server NULL: tools, tests) use
 * these. */
static const struct ug_server_limits default_limits = {
    .max_nodes_per_read = 10000,
    .max_nodes_per_write = 10000,
    .max_nodes_per_browse = 1000,
    .max_nodes_per_translate = 1000,
    .max_nodes_per_register = 1000,
    .max_nodes_per_method_call = 1000,
    .max_nodes_per_node_management = 1000,
    .max_monitored_items_per_call = 1000,
    .max_references_per_node = 1000,
    .max_browse_continuation_points = 16,
};

const struct ug_server_limits *ug_svc_limits(const struct ug_svc_ctx *ctx)
{
    if (ctx && ctx->server) {
        const struct ug_server_limits *l = ug_server_get_limits(ctx->server);
        if (l)
            return l;
    }
    return &default_limits;
}
