/* clientserver/aspace_value.c — deep copies of Variants and DataValues.
 *
 * A node owns its value as one malloc'ed block: a first pass sizes the
 * storage the value refers to (strings, arrays, nested values), a second
 * copies into the block. One allocation per stored value keeps resident
 * memory proportional to the data (no arena block minimum). The same copier
 * also writes into a ug_arena for responses that must outlive the node's
 * value (async requests).
 */
#include <stdlib.h>
#include <string.h>

#include "aspace_int.h"

#define A8(n) (((n) + 7u) & ~(size_t)7u)

struct cpy {
    uint8_t *base; /* one block, sized by the sizing pass */
    size_t used, cap;
    bool failed;
};

static void *cpy_alloc(struct cpy *c, size_t n)
{
    if (n == 0)
        n = 1;
    n = A8(n);
    if (c->used + n > c->cap) { /* cannot happen: the size pass counted it */
        c->failed = true;
        return NULL;
    }
    void *p = c->base + c->used;
    c->used += n;
    return p;
}

/* ------------------------------------------------------------- sizing -- */

static size_t sz_str(ug_string s) { return s.len > 0 ? A8((size_t)s.len) : 0; }

static size_t sz_nodeid(const ug_nodeid *id)
{
    return (id->id_type == UG_ID_STRING || id->id_type == UG_ID_OPAQUE) ? sz_str(id->id.string) : 0;
}

static size_t sz_variant(const ug_variant *v, int depth);

static size_t sz_elem(unsigned t, const void *e, int depth)
{
    switch (t) {
    case UG_TYPE_STRING:
    case UG_TYPE_BYTESTRING:
    case UG_TYPE_XMLELEMENT: return sz_str(*(const ug_string *)e);
    case UG_TYPE_NODEID: return sz_nodeid(e);
    case UG_TYPE_EXPANDEDNODEID: {
        const ug_expanded_nodeid *x = e;
        return sz_nodeid(&x->node) + sz_str(x->namespace_uri);
    }
    case UG_TYPE_QUALIFIEDNAME: return sz_str(((const ug_qualified_name *)e)->name);
    case UG_TYPE_LOCALIZEDTEXT: {
        const ug_localized_text *l = e;
        return sz_str(l->locale) + sz_str(l->text);
    }
    case UG_TYPE_EXTENSIONOBJECT: {
        const ug_extension_object *x = e;
        return sz_nodeid(&x->type_id) + sz_str(x->body);
    }
    case UG_TYPE_DATAVALUE: return sz_variant(&((const ug_datavalue *)e)->value, depth + 1);
    case UG_TYPE_VARIANT: return sz_variant(e, depth + 1);
    case UG_TYPE_DIAGNOSTICINFO: {
        const ug_diagnostic_info *d = e;
        size_t n = sz_str(d->additional_info);
        if (d->inner && depth < 16)
            n += A8(sizeof *d->inner) + sz_elem(t, d->inner, depth + 1);
        return n;
    }
    default: return 0;
    }
}

static bool boxed(unsigned t)
{
    return t == UG_TYPE_EXPANDEDNODEID || t == UG_TYPE_EXTENSIONOBJECT ||
           t == UG_TYPE_DATAVALUE || t == UG_TYPE_VARIANT || t == UG_TYPE_DIAGNOSTICINFO;
}

static size_t sz_variant(const ug_variant *v, int depth)
{
    if (depth > 16 || v->type == UG_TYPE_NULL || v->type > UG_TYPE_MAX)
        return 0;
    size_t es = ug_type_size(v->type);
    if (!ug_variant_is_array(v)) {
        const void *e = ug_variant_scalar_elem(v);
        if (!boxed(v->type))
            return sz_elem(v->type, e, depth);
        return e ? A8(es) + sz_elem(v->type, e, depth) : 0;
    }
    size_t n = A8((size_t)v->ndims * sizeof(int32_t));
    if (v->array_len <= 0 || !v->u.arr)
        return n;
    n += A8((size_t)v->array_len * es);
    for (int32_t i = 0; i < v->array_len; i++)
        n += sz_elem(v->type, (const uint8_t *)v->u.arr + (size_t)i * es, depth);
    return n;
}

/* ------------------------------------------------------------ copying -- */

static ug_string cp_str(struct cpy *c, ug_string s)
{
    if (s.len <= 0 || !s.data)
        return s.len < 0 ? UG_NULL_BYTES : (ug_string){NULL, 0};
    uint8_t *p = cpy_alloc(c, (size_t)s.len);
    if (!p)
        return UG_NULL_BYTES;
    memcpy(p, s.data, (size_t)s.len);
    return (ug_string){p, s.len};
}

static void cp_nodeid(struct cpy *c, ug_nodeid *id)
{
    if (id->id_type == UG_ID_STRING || id->id_type == UG_ID_OPAQUE)
        id->id.string = cp_str(c, id->id.string);
}

static void cp_variant(struct cpy *c, ug_variant *v, int depth);

/* e already holds a shallow copy of the element; this copies what it refers to. */
static void cp_elem(struct cpy *c, unsigned t, void *e, int depth)
{
    switch (t) {
    case UG_TYPE_STRING:
    case UG_TYPE_BYTESTRING:
    case UG_TYPE_XMLELEMENT: *(ug_string *)e = cp_str(c, *(ug_string *)e); break;
    case UG_TYPE_NODEID: cp_nodeid(c, e); break;
    case UG_TYPE_EXPANDEDNODEID: {
        ug_expanded_nodeid *x = e;
        cp_nodeid(c, &x->node);
        x->namespace_uri = cp_str(c, x->namespace_uri);
        break;
    }
    case UG_TYPE_QUALIFIEDNAME: {
        ug_qualified_name *q = e;
        q->name = cp_str(c, q->name);
        break;
    }
    case UG_TYPE_LOCALIZEDTEXT: {
        ug_localized_text *l = e;
        l->locale = cp_str(c, l->locale);
        l->text = cp_str(c, l->text);
        break;
    }
    case UG_TYPE_EXTENSIONOBJECT: {
        ug_extension_object *x = e;
        cp_nodeid(c, &x->type_id);
        x->body = cp_str(c, x->body);
        break;
    }
    case UG_TYPE_DATAVALUE: cp_variant(c, &((ug_datavalue *)e)->value, depth + 1); break;
    case UG_TYPE_VARIANT: cp_variant(c, e, depth + 1); break;
    case UG_TYPE_DIAGNOSTICINFO: {
        ug_diagnostic_info *d = e;
        d->additional_info = cp_str(c, d->additional_info);
        if (d->inner && depth < 16) {
            ug_diagnostic_info *in = cpy_alloc(c, sizeof *in);
            if (in) {
                *in = *d->inner;
                cp_elem(c, t, in, depth + 1);
            }
            d->inner = in;
        } else {
            d->inner = NULL;
        }
        break;
    }
    default: break;
    }
}

static void cp_variant(struct cpy *c, ug_variant *v, int depth)
{
    if (depth > 16 || v->type == UG_TYPE_NULL || v->type > UG_TYPE_MAX) {
        if (depth > 16)
            *v = (ug_variant){.type = UG_TYPE_NULL, .array_len = UG_SCALAR};
        return;
    }
    size_t es = ug_type_size(v->type);
    if (!ug_variant_is_array(v)) {
        if (!boxed(v->type)) {
            cp_elem(c, v->type, &v->u.v, depth);
            return;
        }
        const void *src = ug_variant_scalar_elem(v);
        if (!src)
            return;
        void *e = cpy_alloc(c, es);
        if (!e)
            return;
        memcpy(e, src, es);
        cp_elem(c, v->type, e, depth);
        /* every boxed member of the union is a pointer at offset 0 */
        memcpy(&v->u.v, &e, sizeof e);
        return;
    }
    if (v->ndims && v->dims) {
        int32_t *d = cpy_alloc(c, (size_t)v->ndims * sizeof *d);
        if (d)
            memcpy(d, v->dims, (size_t)v->ndims * sizeof *d);
        v->dims = d;
    } else {
        v->ndims = 0;
        v->dims = NULL;
    }
    if (v->array_len <= 0 || !v->u.arr)
        return;
    uint8_t *a = cpy_alloc(c, (size_t)v->array_len * es);
    if (!a)
        return;
    memcpy(a, v->u.arr, (size_t)v->array_len * es);
    for (int32_t i = 0; i < v->array_len; i++)
        cp_elem(c, v->type, a + (size_t)i * es, depth);
    v->u.arr = a;
}

/* --------------------------------------------------------------- entry -- */

ug_status ug_variant_clone(ug_variant *dst, void **mem, const ug_variant *src)
{
    size_t n = sz_variant(src, 0);
    struct cpy c = {0};
    *mem = NULL;
    if (n) {
        c.base = malloc(n);
        if (!c.base)
            return UG_STATUS_BADOUTOFMEMORY;
        c.cap = n;
    }
    *dst = *src;
    cp_variant(&c, dst, 0);
    if (c.failed) {
        free(c.base);
        return UG_STATUS_BADINTERNALERROR;
    }
    *mem = c.base;
    return UG_STATUS_GOOD;
}

ug_status ug_datavalue_clone(ug_datavalue *dst, void **mem, const ug_datavalue *src)
{
    ug_variant v;
    ug_status st = ug_variant_clone(&v, mem, &src->value);
    if (st != UG_STATUS_GOOD)
        return st;
    *dst = *src;
    dst->value = v;
    return UG_STATUS_GOOD;
}

const ug_datavalue ug_dv_empty;

ug_status ug_datavalue_box(ug_datavalue **out, const ug_datavalue *src)
{
    size_t head = A8(sizeof(ug_datavalue));
    size_t n = head + sz_variant(&src->value, 0);
    struct cpy c = {0};
    c.base = malloc(n);
    if (!c.base)
        return UG_STATUS_BADOUTOFMEMORY;
    c.cap = n;
    c.used = head;
    ug_datavalue *dv = (ug_datavalue *)c.base;
    *dv = *src;
    cp_variant(&c, &dv->value, 0);
    if (c.failed) {
        free(c.base);
        return UG_STATUS_BADINTERNALERROR;
    }
    *out = dv;
    return UG_STATUS_GOOD;
}

