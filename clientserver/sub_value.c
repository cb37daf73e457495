/* clientserver/sub_value.c — DataValues with storage of their own, for the
 * last value and the queue slots of monitored items.
 *
 * A copy runs twice over the value: once counting the bytes its strings,
 * arrays and nested values need, once writing them into the holder's buffer.
 * The buffer only grows, so an item whose value keeps its shape (the usual
 * case) allocates once; fixed-size scalars need no buffer at all.
 */
#include <stdlib.h>
#include <string.h>

#include "sub.h"

#define MAX_DEPTH 16
#define MAX_BYTES (16u << 20)

/* A bump writer; base NULL counts only. */
struct cp {
    uint8_t *base;
    size_t used;
    size_t cap;
    int depth;
    ug_status err;
};

static void *cp_alloc(struct cp *c, size_t n)
{
    size_t off = (c->used + 7u) & ~(size_t)7u;
    if (n > MAX_BYTES || off + n > MAX_BYTES) {
        c->err = UG_STATUS_BADENCODINGLIMITSEXCEEDED;
        return NULL;
    }
    c->used = off + n;
    if (c->base == NULL || c->err != UG_STATUS_GOOD)
        return NULL;
    return c->base + off;
}

static ug_bytes cp_bytes(struct cp *c, ug_bytes b)
{
    if (b.len <= 0)
        return (ug_bytes){NULL, b.len};
    uint8_t *p = cp_alloc(c, (size_t)b.len);
    if (p)
        memcpy(p, b.data, (size_t)b.len);
    return (ug_bytes){p, b.len};
}

static void cp_nodeid(struct cp *c, ug_nodeid *n)
{
    if (n->id_type == UG_ID_STRING)
        n->id.string = cp_bytes(c, n->id.string);
    else if (n->id_type == UG_ID_OPAQUE)
        n->id.opaque = cp_bytes(c, n->id.opaque);
}

static void cp_variant(struct cp *c, ug_variant *v);
static void cp_datavalue(struct cp *c, ug_datavalue *dv);

static void cp_diag(struct cp *c, ug_diagnostic_info *d)
{
    d->additional_info = cp_bytes(c, d->additional_info);
    if (d->inner == NULL)
        return;
    if (++c->depth > MAX_DEPTH) {
        c->err = UG_STATUS_BADENCODINGLIMITSEXCEEDED;
        return;
    }
    ug_diagnostic_info tmp = *d->inner;
    cp_diag(c, &tmp);
    ug_diagnostic_info *p = cp_alloc(c, sizeof *p);
    if (p)
        *p = tmp;
    d->inner = p;
    c->depth--;
}

/* Fixes up the storage of one element already copied bit for bit into dst. */
static void cp_elem(struct cp *c, unsigned type, void *dst)
{
    switch (type) {
    case UG_TYPE_STRING:
    case UG_TYPE_BYTESTRING:
    case UG_TYPE_XMLELEMENT: {
        ug_string *s = dst;
        *s = cp_bytes(c, *s);
        break;
    }
    case UG_TYPE_NODEID: cp_nodeid(c, dst); break;
    case UG_TYPE_EXPANDEDNODEID: {
        ug_expanded_nodeid *e = dst;
        cp_nodeid(c, &e->node);
        e->namespace_uri = cp_bytes(c, e->namespace_uri);
        break;
    }
    case UG_TYPE_QUALIFIEDNAME: {
        ug_qualified_name *q = dst;
        q->name = cp_bytes(c, q->name);
        break;
    }
    case UG_TYPE_LOCALIZEDTEXT: {
        ug_localized_text *t = dst;
        t->locale = cp_bytes(c, t->locale);
        t->text = cp_bytes(c, t->text);
        break;
    }
    case UG_TYPE_EXTENSIONOBJECT: {
        ug_extension_object *e = dst;
        cp_nodeid(c, &e->type_id);
        e->body = cp_bytes(c, e->body);
        break;
    }
    case UG_TYPE_DATAVALUE: cp_datavalue(c, dst); break;
    case UG_TYPE_VARIANT: cp_variant(c, dst); break;
    case UG_TYPE_DIAGNOSTICINFO: cp_diag(c, dst); break;
    default: break; /* fixed size, nothing to own */
    }
}

/* Large scalars that a ug_scalar holds by pointer. */
static void **scalar_ptr(ug_variant *v)
{
    switch (v->type) {
    case UG_TYPE_EXPANDEDNODEID: return (void **)&v->u.v.expanded;
    case UG_TYPE_EXTENSIONOBJECT: return (void **)&v->u.v.extobj;
    case UG_TYPE_DATAVALUE: return (void **)&v->u.v.datavalue;
    case UG_TYPE_VARIANT: return (void **)&v->u.v.variant;
    case UG_TYPE_DIAGNOSTICINFO: return (void **)&v->u.v.diag;
    default: return NULL;
    }
}

typedef union {
    ug_variant v;
    ug_datavalue dv;
    ug_diagnostic_info di;
    ug_expanded_nodeid en;
    ug_extension_object eo;
    ug_scalar s;
} any_elem;

static void cp_variant(struct cp *c, ug_variant *v)
{
    if (v->type == UG_TYPE_NULL || v->type > UG_TYPE_MAX)
        return;
    if (++c->depth > MAX_DEPTH) {
        c->err = UG_STATUS_BADENCODINGLIMITSEXCEEDED;
        return;
    }
    size_t esz = ug_type_size(v->type);
    if (!ug_variant_is_array(v)) {
        void **pp = scalar_ptr(v);
        if (pp == NULL) {
            cp_elem(c, v->type, &v->u.v);
        } else if (*pp != NULL) {
            any_elem tmp;
            memcpy(&tmp, *pp, esz);
            cp_elem(c, v->type, &tmp);
            void *p = cp_alloc(c, esz);
            if (p)
                memcpy(p, &tmp, esz);
            *pp = p;
        }
    } else if (v->array_len > 0 && v->u.arr != NULL) {
        size_t n = (size_t)v->array_len;
        uint8_t *arr = cp_alloc(c, n * esz);
        const uint8_t *src = v->u.arr;
        for (size_t i = 0; i < n && c->err == UG_STATUS_GOOD; i++) {
            any_elem tmp;
            memcpy(&tmp, src + i * esz, esz);
            cp_elem(c, v->type, &tmp);
            if (arr)
                memcpy(arr + i * esz, &tmp, esz);
        }
        v->u.arr = arr;
    } else {
        v->u.arr = NULL;
    }
    if (v->ndims > 0 && v->dims != NULL) {
        int32_t *d = cp_alloc(c, v->ndims * sizeof(int32_t));
        if (d)
            memcpy(d, v->dims, v->ndims * sizeof(int32_t));
        v->dims = d;
    } else {
        v->dims = NULL;
    }
    c->depth--;
}

static void cp_datavalue(struct cp *c, ug_datavalue *dv)
{
    if (dv->mask & UG_DV_VALUE)
        cp_variant(c, &dv->value);
    else
        dv->value = (ug_variant){0};
}

ug_status sub_val_set(struct sub_val *h, const ug_datavalue *src)
{
    struct cp c = {0};
    ug_datavalue tmp = *src;
    cp_datavalue(&c, &tmp);
    if (c.err != UG_STATUS_GOOD)
        return c.err;
    if (c.used > h->cap) {
        size_t cap = (c.used + 63u) & ~(size_t)63u;
        void *mem = malloc(cap);
        if (mem == NULL)
            return UG_STATUS_BADOUTOFMEMORY;
        free(h->mem);
        h->mem = mem;
        h->cap = (uint32_t)cap;
    }
    c = (struct cp){.base = h->mem, .cap = h->cap};
    h->dv = *src;
    cp_datavalue(&c, &h->dv);
    return c.err;
}

void sub_val_clear(struct sub_val *h)
{
    free(h->mem);
    *h = (struct sub_val){0};
}
