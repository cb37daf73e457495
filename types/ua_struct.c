/* The generic UA Binary codec of the namespace 0 structures (ua_struct.h):
 * one reader and one writer walk a type's descriptor, member by member; deep
 * copies and equality of structures and of the built-in values they hold.
 *
 * Nesting: every structure level counts one in rd->depth, as Variants and
 * DataValues do in variant.c, so one limit bounds all recursion. No ns=0
 * structure contains itself; the deepest (PubSubConfigurationDataType) is
 * 8 structure levels, plus the Variants inside, well within the default 16.
 */
#include <stdint.h>
#include <string.h>

#include "uagate/ua_struct.h"

#define WR_MAX_DEPTH 128
#define COPY_MAX_DEPTH 128

/* --- Lookups --- */

const ug_type_desc *ug_desc_by_encoding_id(uint32_t binary_encoding_id)
{
    if (binary_encoding_id == 0)
        return NULL;
    size_t lo = 0, hi = ug_type_descs_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint32_t id = ug_type_descs[mid]->binary_encoding_id;
        if (id < binary_encoding_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < ug_type_descs_count && ug_type_descs[lo]->binary_encoding_id == binary_encoding_id)
        return ug_type_descs[lo];
    return NULL;
}

/* Linear: ~300 descriptors, used when setting up, not per message. */
const ug_type_desc *ug_desc_by_type_id(uint32_t type_id)
{
    if (type_id == 0)
        return NULL;
    for (size_t i = 0; i < ug_type_descs_count; i++) {
        if (ug_type_descs[i]->type_id == type_id)
            return ug_type_descs[i];
    }
    return NULL;
}

const ug_type_desc *ug_desc_by_name(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < ug_type_descs_count; i++) {
        if (strcmp(ug_type_descs[i]->name, name) == 0)
            return ug_type_descs[i];
    }
    return NULL;
}

/* --- Member access --- */

static inline void *member_ptr(void *base, const ug_member_desc *m)
{
    return (uint8_t *)base + m->offset;
}

static inline const void *member_cptr(const void *base, const ug_member_desc *m)
{
    return (const uint8_t *)base + m->offset;
}

static inline int32_t get_len(const void *base, const ug_member_desc *m)
{
    int32_t n;
    memcpy(&n, (const uint8_t *)base + m->len_offset, sizeof n);
    return n;
}

static inline void set_array(void *base, const ug_member_desc *m, void *arr, int32_t n)
{
    memcpy((uint8_t *)base + m->len_offset, &n, sizeof n);
    memcpy((uint8_t *)base + m->offset, &arr, sizeof arr);
}

static inline void *get_array(const void *base, const ug_member_desc *m)
{
    void *p;
    memcpy(&p, (const uint8_t *)base + m->offset, sizeof p);
    return p;
}

static inline uint32_t get_mask(const ug_type_desc *d, const void *base)
{
    uint32_t mask = 0;
    if (d->has_mask)
        memcpy(&mask, (const uint8_t *)base + d->mask_offset, sizeof mask);
    return mask;
}

/* Part 6 §5.2.7: an optional field is on the wire only when its bit is set. */
static inline bool present(const ug_member_desc *m, uint32_t mask)
{
    return m->switch_bit < 0 || ((mask >> m->switch_bit) & 1u);
}

/* Size of one element of a member in memory. */
static size_t elem_size(const ug_member_desc *m)
{
    switch (m->kind) {
    case UG_MEMBER_STRUCT: return m->desc->size;
    case UG_MEMBER_ENUM: return sizeof(int32_t);
    default: return ug_type_size(m->builtin);
    }
}

/* --- Decode: Part 6 §5.2.6 (members in order), §5.2.5 (arrays) --- */

static void rd_struct_body(ug_rd *rd, const ug_type_desc *d, void *out);

static void rd_struct_array(ug_rd *rd, const ug_member_desc *m, void *base)
{
    set_array(base, m, NULL, -1);
    int32_t n = (int32_t)ug_rd_u32(rd);
    if (!ug_rd_ok(rd))
        return;
    if (n < 0) {
        if (n != -1)
            ug_rd_fail(rd, UG_STATUS_BADDECODINGERROR);
        return;
    }
    if ((uint32_t)n > rd->lim->max_array_len) {
        ug_rd_fail(rd, UG_STATUS_BADENCODINGLIMITSEXCEEDED);
        return;
    }
    const ug_type_desc *d = m->desc;
    /* A structure with any member takes at least one byte: refuse a length
     * the rest of the buffer cannot hold before allocating for it. */
    if ((d->n_members || d->has_mask) && (size_t)n > ug_rd_left(rd)) {
        ug_rd_fail(rd, UG_STATUS_BADDECODINGERROR);
        return;
    }
    if (n == 0) {
        set_array(base, m, NULL, 0);
        return;
    }
    if ((size_t)n > SIZE_MAX / d->size) {
        ug_rd_fail(rd, UG_STATUS_BADOUTOFMEMORY);
        return;
    }
    uint8_t *arr = rd->arena ? ug_arena_alloc(rd->arena, (size_t)n * d->size) : NULL;
    if (!arr) {
        ug_rd_fail(rd, UG_STATUS_BADOUTOFMEMORY);
        return;
    }
    for (int32_t i = 0; i < n && ug_rd_ok(rd); i++)
        rd_struct_body(rd, d, arr + (size_t)i * d->size);
    if (ug_rd_ok(rd))
        set_array(base, m, arr, n);
}

static void rd_member(ug_rd *rd, const ug_member_desc *m, void *base)
{
    void *p = member_ptr(base, m);
    if (m->is_array) {
        if (m->kind == UG_MEMBER_STRUCT) {
            rd_struct_array(rd, m, base);
        } else {
            int32_t n;
            unsigned t = m->kind == UG_MEMBER_ENUM ? UG_TYPE_INT32 : m->builtin;
            void *arr = ug_rd_array(rd, t, &n);
            set_array(base, m, arr, n);
        }
        return;
    }
    switch (m->kind) {
    case UG_MEMBER_STRUCT: rd_struct_body(rd, m->desc, p); break;
    case UG_MEMBER_ENUM: {
        uint32_t v = ug_rd_u32(rd); /* Part 6 §5.2.4: Int32 */
        memcpy(p, &v, 4);
        break;
    }
    default: ug_rd_element(rd, m->builtin, p); break;
    }
}

static void rd_struct_body(ug_rd *rd, const ug_type_desc *d, void *out)
{
    memset(out, 0, d->size);
    if (rd->depth >= rd->lim->max_depth) {
        ug_rd_fail(rd, UG_STATUS_BADENCODINGLIMITSEXCEEDED);
        return;
    }
    rd->depth++;
    uint32_t mask = 0;
    if (d->has_mask) {
        mask = ug_rd_u32(rd); /* Part 6 §5.2.7: EncodingMask first */
        memcpy((uint8_t *)out + d->mask_offset, &mask, 4);
    }
    for (uint16_t i = 0; i < d->n_members && ug_rd_ok(rd); i++) {
        const ug_member_desc *m = &d->members[i];
        if (present(m, mask))
            rd_member(rd, m, out);
    }
    rd->depth--;
}

void ug_rd_struct(ug_rd *rd, const ug_type_desc *d, void *out)
{
    rd_struct_body(rd, d, out);
}

ug_status ug_struct_decode(const void *buf, size_t len, const ug_type_desc *d, void *out,
                           const ug_limits *lim, ug_arena *arena)
{
    ug_rd rd;
    ug_rd_init(&rd, buf, len, lim, arena);
    rd_struct_body(&rd, d, out);
    if (ug_rd_ok(&rd) && ug_rd_left(&rd) != 0)
        ug_rd_fail(&rd, UG_STATUS_BADDECODINGERROR); /* trailing bytes */
    return rd.err;
}

/* --- Encode --- */

static void wr_struct_d(ug_wr *wr, const ug_type_desc *d, const void *in, unsigned depth);

static void wr_member(ug_wr *wr, const ug_member_desc *m, const void *base, unsigned depth)
{
    if (m->is_array) {
        int32_t n = get_len(base, m);
        const void *arr = get_array(base, m);
        if (m->kind != UG_MEMBER_STRUCT) {
            ug_wr_array(wr, m->kind == UG_MEMBER_ENUM ? UG_TYPE_INT32 : m->builtin, arr, n);
            return;
        }
        if (n < -1 || (n > 0 && !arr)) {
            ug_wr_fail(wr, UG_STATUS_BADENCODINGERROR);
            return;
        }
        ug_wr_u32(wr, (uint32_t)n);
        for (int32_t i = 0; i < n && wr->err == UG_STATUS_GOOD; i++)
            wr_struct_d(wr, m->desc, (const uint8_t *)arr + (size_t)i * m->desc->size, depth + 1);
        return;
    }
    const void *p = member_cptr(base, m);
    switch (m->kind) {
    case UG_MEMBER_STRUCT: wr_struct_d(wr, m->desc, p, depth + 1); break;
    case UG_MEMBER_ENUM: ug_wr_bytes(wr, p, 4); break;
    default: ug_wr_element(wr, m->builtin, p); break;
    }
}

static void wr_struct_d(ug_wr *wr, const ug_type_desc *d, const void *in, unsigned depth)
{
    if (depth > WR_MAX_DEPTH) {
        ug_wr_fail(wr, UG_STATUS_BADENCODINGERROR);
        return;
    }
    uint32_t mask = get_mask(d, in);
    if (d->has_mask)
        ug_wr_u32(wr, mask);
    for (uint16_t i = 0; i < d->n_members && wr->err == UG_STATUS_GOOD; i++) {
        const ug_member_desc *m = &d->members[i];
        if (present(m, mask))
            wr_member(wr, m, in, depth);
    }
}

void ug_wr_struct(ug_wr *wr, const ug_type_desc *d, const void *in) { wr_struct_d(wr, d, in, 0); }

ug_status ug_struct_encode(void *buf, size_t cap, const ug_type_desc *d, const void *in,
                           size_t *out_len)
{
    ug_wr wr;
    ug_wr_init(&wr, buf, cap);
    wr_struct_d(&wr, d, in, 0);
    if (out_len)
        *out_len = wr.len;
    return ug_wr_finish(&wr);
}

/* --- ExtensionObject bodies: Part 6 §5.2.2.15 --- */

ug_status ug_eo_decode(const ug_extension_object *eo, const ug_type_desc *expect,
                       const ug_type_desc **out_desc, void **out, const ug_limits *lim,
                       ug_arena *arena)
{
    *out = NULL;
    if (out_desc)
        *out_desc = NULL;
    const ug_nodeid *t = &eo->type_id;
    const ug_type_desc *d = NULL;
    if (t->ns == 0 && t->id_type == UG_ID_NUMERIC)
        d = ug_desc_by_encoding_id(t->id.numeric);
    if (!d || (expect && d != expect))
        return UG_STATUS_BADDATATYPEIDUNKNOWN;
    if (eo->encoding != UG_EO_BYTESTRING)
        return UG_STATUS_BADDECODINGERROR;
    void *s = arena ? ug_arena_alloc(arena, d->size) : NULL;
    if (!s)
        return UG_STATUS_BADOUTOFMEMORY;
    size_t len = eo->body.len > 0 ? (size_t)eo->body.len : 0;
    ug_status st = ug_struct_decode(len ? eo->body.data : (const uint8_t *)"", len, d, s, lim,
                                    arena);
    if (st != UG_STATUS_GOOD)
        return st;
    *out = s;
    if (out_desc)
        *out_desc = d;
    return UG_STATUS_GOOD;
}

ug_status ug_eo_encode(ug_extension_object *eo, const ug_type_desc *d, const void *in,
                       ug_arena *arena)
{
    if (d->binary_encoding_id == 0)
        return UG_STATUS_BADDATATYPEIDUNKNOWN;
    ug_wr wr;
    ug_wr_init(&wr, NULL, 0); /* count first: the body goes into exact storage */
    wr_struct_d(&wr, d, in, 0);
    if (wr.err != UG_STATUS_GOOD)
        return wr.err;
    if (wr.len > INT32_MAX)
        return UG_STATUS_BADENCODINGLIMITSEXCEEDED;
    size_t n = wr.len;
    uint8_t *buf = arena ? ug_arena_alloc(arena, n) : NULL;
    if (!buf)
        return UG_STATUS_BADOUTOFMEMORY;
    ug_wr_init(&wr, buf, n);
    wr_struct_d(&wr, d, in, 0);
    ug_status st = ug_wr_finish(&wr);
    if (st != UG_STATUS_GOOD)
        return st;
    memset(&eo->type_id, 0, sizeof eo->type_id);
    eo->type_id.id_type = UG_ID_NUMERIC;
    eo->type_id.id.numeric = d->binary_encoding_id;
    eo->encoding = UG_EO_BYTESTRING;
    eo->body = (ug_bytes){buf, (int32_t)n};
    return UG_STATUS_GOOD;
}

/* --- Deep copies of built-in values --- */

static ug_status copy_elem(unsigned type, const void *src, void *dst, ug_arena *a, unsigned depth);
static ug_status copy_variant(const ug_variant *src, ug_variant *dst, ug_arena *a, unsigned depth);

ug_status ug_bytes_copy(ug_bytes src, ug_bytes *dst, ug_arena *arena)
{
    if (src.len <= 0) {
        *dst = (ug_bytes){NULL, src.len < 0 ? -1 : 0};
        return UG_STATUS_GOOD;
    }
    uint8_t *p = arena ? ug_arena_alloc(arena, (size_t)src.len) : NULL;
    if (!p)
        return UG_STATUS_BADOUTOFMEMORY;
    memcpy(p, src.data, (size_t)src.len);
    *dst = (ug_bytes){p, src.len};
    return UG_STATUS_GOOD;
}

static ug_status copy_nodeid(const ug_nodeid *src, ug_nodeid *dst, ug_arena *a)
{
    ug_nodeid n = *src;
    if (n.id_type == UG_ID_STRING || n.id_type == UG_ID_OPAQUE) {
        ug_status st = ug_bytes_copy(src->id.string, &n.id.string, a);
        if (st != UG_STATUS_GOOD)
            return st;
    }
    *dst = n;
    return UG_STATUS_GOOD;
}

/* A new element of `type` in the arena, a deep copy of *src (scalar Variants
 * hold the large types by pointer). */
static ug_status copy_boxed(unsigned type, const void *src, void **dst, ug_arena *a,
                            unsigned depth)
{
    if (!src) {
        *dst = NULL;
        return UG_STATUS_GOOD;
    }
    void *p = a ? ug_arena_alloc(a, ug_type_size(type)) : NULL;
    if (!p)
        return UG_STATUS_BADOUTOFMEMORY;
    ug_status st = copy_elem(type, src, p, a, depth + 1);
    *dst = p;
    return st;
}

static ug_status copy_diag(const ug_diagnostic_info *src, ug_diagnostic_info *dst, ug_arena *a,
                           unsigned depth)
{
    ug_diagnostic_info d = *src;
    ug_status st = ug_bytes_copy(src->additional_info, &d.additional_info, a);
    if (st == UG_STATUS_GOOD && src->inner) {
        void *p = NULL;
        st = copy_boxed(UG_TYPE_DIAGNOSTICINFO, src->inner, &p, a, depth);
        d.inner = p;
    }
    *dst = d;
    return st;
}

static ug_status copy_elem(unsigned type, const void *src, void *dst, ug_arena *a, unsigned depth)
{
    if (depth > COPY_MAX_DEPTH)
        return UG_STATUS_BADENCODINGLIMITSEXCEEDED;
    size_t sz = ug_type_size(type);
    if (sz == 0)
        return UG_STATUS_BADINVALIDARGUMENT;
    switch (type) {
    case UG_TYPE_STRING:
    case UG_TYPE_BYTESTRING:
    case UG_TYPE_XMLELEMENT: return ug_bytes_copy(*(const ug_bytes *)src, dst, a);
    case UG_TYPE_NODEID: return copy_nodeid(src, dst, a);
    case UG_TYPE_EXPANDEDNODEID: {
        const ug_expanded_nodeid *s = src;
        ug_expanded_nodeid e = *s;
        ug_status st = copy_nodeid(&s->node, &e.node, a);
        if (st == UG_STATUS_GOOD)
            st = ug_bytes_copy(s->namespace_uri, &e.namespace_uri, a);
        *(ug_expanded_nodeid *)dst = e;
        return st;
    }
    case UG_TYPE_QUALIFIEDNAME: {
        const ug_qualified_name *s = src;
        ug_qualified_name q = *s;
        ug_status st = ug_bytes_copy(s->name, &q.name, a);
        *(ug_qualified_name *)dst = q;
        return st;
    }
    case UG_TYPE_LOCALIZEDTEXT: {
        const ug_localized_text *s = src;
        ug_localized_text t = *s;
        ug_status st = ug_bytes_copy(s->locale, &t.locale, a);
        if (st == UG_STATUS_GOOD)
            st = ug_bytes_copy(s->text, &t.text, a);
        *(ug_localized_text *)dst = t;
        return st;
    }
    case UG_TYPE_EXTENSIONOBJECT: {
        const ug_extension_object *s = src;
        ug_extension_object e = *s;
        ug_status st = copy_nodeid(&s->type_id, &e.type_id, a);
        if (st == UG_STATUS_GOOD)
            st = ug_bytes_copy(s->body, &e.body, a);
        *(ug_extension_object *)dst = e;
        return st;
    }
    case UG_TYPE_DATAVALUE: {
        const ug_datavalue *s = src;
        ug_datavalue v = *s;
        ug_status st = copy_variant(&s->value, &v.value, a, depth + 1);
        *(ug_datavalue *)dst = v;
        return st;
    }
    case UG_TYPE_VARIANT: return copy_variant(src, dst, a, depth + 1);
    case UG_TYPE_DIAGNOSTICINFO: return copy_diag(src, dst, a, depth);
    default: memmove(dst, src, sz); return UG_STATUS_GOOD; /* fixed size, no storage */
    }
}

static ug_status copy_variant(const ug_variant *src, ug_variant *dst, ug_arena *a, unsigned depth)
{
    if (depth > COPY_MAX_DEPTH)
        return UG_STATUS_BADENCODINGLIMITSEXCEEDED;
    ug_variant v = *src;
    ug_status st = UG_STATUS_GOOD;
    unsigned t = v.type;
    if (t == UG_TYPE_NULL) {
        *dst = v;
        return UG_STATUS_GOOD;
    }
    if (t > UG_TYPE_MAX)
        return UG_STATUS_BADINVALIDARGUMENT;
    if (v.array_len == UG_SCALAR) {
        void *p = NULL;
        switch (t) {
        case UG_TYPE_EXPANDEDNODEID:
            st = copy_boxed(t, src->u.v.expanded, &p, a, depth);
            v.u.v.expanded = p;
            break;
        case UG_TYPE_EXTENSIONOBJECT:
            st = copy_boxed(t, src->u.v.extobj, &p, a, depth);
            v.u.v.extobj = p;
            break;
        case UG_TYPE_DATAVALUE:
            st = copy_boxed(t, src->u.v.datavalue, &p, a, depth);
            v.u.v.datavalue = p;
            break;
        case UG_TYPE_VARIANT:
            st = copy_boxed(t, src->u.v.variant, &p, a, depth);
            v.u.v.variant = p;
            break;
        case UG_TYPE_DIAGNOSTICINFO:
            st = copy_boxed(t, src->u.v.diag, &p, a, depth);
            v.u.v.diag = p;
            break;
        default: st = copy_elem(t, &src->u.v, &v.u.v, a, depth); break;
        }
        *dst = v;
        return st;
    }
    if (v.ndims && src->dims) {
        int32_t *dims = a ? ug_arena_alloc(a, (size_t)v.ndims * sizeof(int32_t)) : NULL;
        if (!dims)
            return UG_STATUS_BADOUTOFMEMORY;
        memcpy(dims, src->dims, (size_t)v.ndims * sizeof(int32_t));
        v.dims = dims;
    }
    if (v.array_len > 0 && src->u.arr) {
        size_t sz = ug_type_size(t);
        uint8_t *arr = a ? ug_arena_alloc(a, (size_t)v.array_len * sz) : NULL;
        if (!arr)
            return UG_STATUS_BADOUTOFMEMORY;
        const uint8_t *s = src->u.arr;
        for (int32_t i = 0; i < v.array_len && st == UG_STATUS_GOOD; i++)
            st = copy_elem(t, s + (size_t)i * sz, arr + (size_t)i * sz, a, depth + 1);
        v.u.arr = arr;
    }
    *dst = v;
    return st;
}

ug_status ug_element_copy(unsigned type, const void *src, void *dst, ug_arena *arena)
{
    return copy_elem(type, src, dst, arena, 0);
}

ug_status ug_variant_copy(const ug_variant *src, ug_variant *dst, ug_arena *arena)
{
    return copy_variant(src, dst, arena, 0);
}

ug_status ug_datavalue_copy(const ug_datavalue *src, ug_datavalue *dst, ug_arena *arena)
{
    return copy_elem(UG_TYPE_DATAVALUE, src, dst, arena, 0);
}

/* --- Deep copy and equality of structures --- */

static ug_status copy_struct(const ug_type_desc *d, const void *src, void *dst, ug_arena *a,
                             unsigned depth);

static ug_status copy_member(const ug_member_desc *m, const void *src, void *dst, ug_arena *a,
                             unsigned depth)
{
    if (!m->is_array) {
        if (m->kind == UG_MEMBER_STRUCT)
            return copy_struct(m->desc, member_cptr(src, m), member_ptr(dst, m), a, depth + 1);
        if (m->kind == UG_MEMBER_ENUM)
            return UG_STATUS_GOOD; /* copied with the struct */
        return copy_elem(m->builtin, member_cptr(src, m), member_ptr(dst, m), a, depth + 1);
    }
    int32_t n = get_len(src, m);
    const uint8_t *s = get_array(src, m);
    if (n <= 0 || !s) {
        set_array(dst, m, NULL, n < -1 ? -1 : n);
        return UG_STATUS_GOOD;
    }
    size_t esz = elem_size(m);
    if (esz == 0)
        return UG_STATUS_BADINVALIDARGUMENT;
    if ((size_t)n > SIZE_MAX / esz)
        return UG_STATUS_BADOUTOFMEMORY;
    uint8_t *arr = a ? ug_arena_alloc(a, (size_t)n * esz) : NULL;
    if (!arr)
        return UG_STATUS_BADOUTOFMEMORY;
    ug_status st = UG_STATUS_GOOD;
    if (m->kind == UG_MEMBER_STRUCT) {
        for (int32_t i = 0; i < n && st == UG_STATUS_GOOD; i++)
            st = copy_struct(m->desc, s + (size_t)i * esz, arr + (size_t)i * esz, a, depth + 1);
    } else if (m->kind == UG_MEMBER_ENUM || ug_type_wire_size(m->builtin) != 0) {
        memcpy(arr, s, (size_t)n * esz); /* no storage behind the elements */
    } else {
        for (int32_t i = 0; i < n && st == UG_STATUS_GOOD; i++)
            st = copy_elem(m->builtin, s + (size_t)i * esz, arr + (size_t)i * esz, a, depth + 1);
    }
    set_array(dst, m, arr, n);
    return st;
}

static ug_status copy_struct(const ug_type_desc *d, const void *src, void *dst, ug_arena *a,
                             unsigned depth)
{
    if (depth > COPY_MAX_DEPTH)
        return UG_STATUS_BADENCODINGLIMITSEXCEEDED;
    if (dst != src)
        memcpy(dst, src, d->size);
    ug_status st = UG_STATUS_GOOD;
    for (uint16_t i = 0; i < d->n_members && st == UG_STATUS_GOOD; i++)
        st = copy_member(&d->members[i], src, dst, a, depth);
    return st;
}

ug_status ug_struct_copy(const ug_type_desc *d, const void *src, void *dst, ug_arena *arena)
{
    return copy_struct(d, src, dst, arena, 0);
}

static bool struct_eq(const ug_type_desc *d, const void *a, const void *b, unsigned depth);

static bool member_eq(const ug_member_desc *m, const void *a, const void *b, unsigned depth)
{
    if (!m->is_array) {
        const void *x = member_cptr(a, m), *y = member_cptr(b, m);
        switch (m->kind) {
        case UG_MEMBER_STRUCT: return struct_eq(m->desc, x, y, depth + 1);
        case UG_MEMBER_ENUM: return memcmp(x, y, 4) == 0;
        default: return ug_element_eq(m->builtin, x, y);
        }
    }
    int32_t n = get_len(a, m);
    /* Null (-1) and empty (0) arrays are different values (Part 6 §5.2.5). */
    if (n != get_len(b, m))
        return false;
    if (n <= 0)
        return true;
    const uint8_t *x = get_array(a, m), *y = get_array(b, m);
    if (!x || !y)
        return x == y;
    size_t esz = elem_size(m);
    for (int32_t i = 0; i < n; i++) {
        const void *ex = x + (size_t)i * esz, *ey = y + (size_t)i * esz;
        bool eq;
        switch (m->kind) {
        case UG_MEMBER_STRUCT: eq = struct_eq(m->desc, ex, ey, depth + 1); break;
        case UG_MEMBER_ENUM: eq = memcmp(ex, ey, 4) == 0; break;
        default: eq = ug_element_eq(m->builtin, ex, ey); break;
        }
        if (!eq)
            return false;
    }
    return true;
}

static bool struct_eq(const ug_type_desc *d, const void *a, const void *b, unsigned depth)
{
    if (depth > COPY_MAX_DEPTH)
        return false;
    uint32_t mask = get_mask(d, a);
    if (mask != get_mask(d, b))
        return false;
    for (uint16_t i = 0; i < d->n_members; i++) {
        const ug_member_desc *m = &d->members[i];
        if (present(m, mask) && !member_eq(m, a, b, depth))
            return false;
    }
    return true;
}

bool ug_struct_eq(const ug_type_desc *d, const void *a, const void *b)
{
    return struct_eq(d, a, b, 0);
}
