/* UA Binary Variant (Part 6 §5.2.2.16), DataValue (§5.2.2.17) and
 * DiagnosticInfo (§5.2.2.12).
 *
 * The scalar Variant is the per-field hot path of every DataSetMessage
 * (target: a few ns per field), so ug_rd_variant/ug_wr_variant first try a
 * leaf fast path: one bounds check for the common fixed-size types and
 * strings, then a switch. Everything else (arrays, matrices, nesting types,
 * short buffers, count mode) takes the full path, which re-checks each read.
 *
 * Nesting: rd->depth counts the containers that hold other values (a Variant
 * array of Variants, a DataValue, a DiagnosticInfo, an ExtensionObject); a
 * container that would go past lim->max_depth fails with
 * BadEncodingLimitsExceeded. Encoders refuse more than WR_MAX_DEPTH levels
 * (BadEncodingError) so a cyclic value built by a caller cannot blow the stack.
 */
#include <string.h>

#include "uagate/binary.h"

#define WR_MAX_DEPTH 128

enum {
    VARIANT_TYPE_MASK = 0x3F,
    VARIANT_DIMS = 0x40,  /* ArrayDimensions follow the array */
    VARIANT_ARRAY = 0x80, /* an array, Int32 length first */
};

static void *rd_alloc(ug_rd *rd, size_t n)
{
    void *p = rd->arena ? ug_arena_alloc(rd->arena, n) : NULL;
    if (!p)
        ug_rd_fail(rd, UG_STATUS_BADOUTOFMEMORY);
    return p;
}

static bool depth_enter(ug_rd *rd)
{
    if (rd->depth >= rd->lim->max_depth) {
        ug_rd_fail(rd, UG_STATUS_BADENCODINGLIMITSEXCEEDED);
        return false;
    }
    rd->depth++;
    return true;
}

/* --- Variant decode --- */

static inline void set_scalar(ug_variant *v, uint8_t t)
{
    v->type = t;
    v->reserved = 0;
    v->ndims = 0;
    v->array_len = UG_SCALAR;
    v->dims = NULL;
}

/* ArrayDimensions: Int32 array after the values; each >= 0, product == length. */
static void rd_dims(ug_rd *rd, ug_variant *v)
{
    int32_t nd = (int32_t)ug_rd_u32(rd);
    if (!ug_rd_ok(rd))
        return;
    if (nd < 1) {
        ug_rd_fail(rd, UG_STATUS_BADDECODINGERROR);
        return;
    }
    if ((uint32_t)nd > rd->lim->max_array_len || nd > UINT16_MAX) {
        ug_rd_fail(rd, UG_STATUS_BADENCODINGLIMITSEXCEEDED);
        return;
    }
    const uint8_t *src = ug_rd_take(rd, (size_t)nd * 4);
    if (!src)
        return;
    bool zero = false, over = false;
    uint64_t prod = 1;
    for (int32_t i = 0; i < nd; i++) {
        int32_t d;
        memcpy(&d, src + (size_t)i * 4, 4);
        if (d < 0) {
            ug_rd_fail(rd, UG_STATUS_BADDECODINGERROR);
            return;
        }
        if (d == 0)
            zero = true;
        else if (!over && (prod *= (uint64_t)d) > INT32_MAX)
            over = true;
    }
    if (zero)
        prod = 0;
    if ((over && !zero) || v->array_len < 0 || prod != (uint64_t)v->array_len) {
        ug_rd_fail(rd, UG_STATUS_BADDECODINGERROR);
        return;
    }
    int32_t *dims = rd_alloc(rd, (size_t)nd * 4);
    if (!dims)
        return;
    memcpy(dims, src, (size_t)nd * 4);
    v->dims = dims;
    v->ndims = (uint16_t)nd;
}

static void rd_variant_array(ug_rd *rd, ug_variant *v, uint8_t enc)
{
    unsigned t = enc & VARIANT_TYPE_MASK;
    if (!(enc & VARIANT_ARRAY) || t == UG_TYPE_NULL || t > UG_TYPE_MAX) {
        ug_rd_fail(rd, UG_STATUS_BADDECODINGERROR);
        return;
    }
    int32_t n = -1;
    v->array_len = -1;
    v->u.arr = NULL;
    if (t == UG_TYPE_VARIANT) {
        if (!depth_enter(rd))
            return;
        v->u.arr = ug_rd_array(rd, t, &n);
        rd->depth--;
    } else {
        v->u.arr = ug_rd_array(rd, t, &n);
    }
    v->array_len = n;
    if (enc & VARIANT_DIMS)
        rd_dims(rd, v);
}

/* Scalars held by pointer in ug_scalar take their storage from the arena. */
static void *rd_boxed(ug_rd *rd, unsigned t)
{
    void *p = rd_alloc(rd, ug_type_size(t));
    if (p)
        ug_rd_element(rd, t, p);
    return p;
}

static void rd_variant_full(ug_rd *rd, ug_variant *v)
{
    uint8_t enc = ug_rd_u8(rd);
    unsigned t = enc & VARIANT_TYPE_MASK;
    ug_scalar *s = &v->u.v;
    set_scalar(v, (uint8_t)t);
    if (enc & (VARIANT_ARRAY | VARIANT_DIMS)) {
        rd_variant_array(rd, v, enc);
        return;
    }
    switch (t) {
    case UG_TYPE_NULL: return;
    case UG_TYPE_BOOLEAN: s->boolean = ug_rd_u8(rd) != 0; return;
    case UG_TYPE_SBYTE:
    case UG_TYPE_BYTE: s->byte = ug_rd_u8(rd); return;
    case UG_TYPE_INT16:
    case UG_TYPE_UINT16: s->uint16 = ug_rd_u16(rd); return;
    case UG_TYPE_INT32:
    case UG_TYPE_UINT32:
    case UG_TYPE_FLOAT:
    case UG_TYPE_STATUSCODE: s->uint32 = ug_rd_u32(rd); return;
    case UG_TYPE_INT64:
    case UG_TYPE_UINT64:
    case UG_TYPE_DOUBLE:
    case UG_TYPE_DATETIME: s->uint64 = ug_rd_u64(rd); return;
    case UG_TYPE_STRING:
    case UG_TYPE_BYTESTRING:
    case UG_TYPE_XMLELEMENT: s->string = ug_rd_string(rd); return;
    case UG_TYPE_GUID: ug_rd_guid(rd, &s->guid); return;
    case UG_TYPE_NODEID: ug_rd_nodeid(rd, &s->nodeid); return;
    case UG_TYPE_QUALIFIEDNAME: ug_rd_qualified_name(rd, &s->qname); return;
    case UG_TYPE_LOCALIZEDTEXT: ug_rd_localized_text(rd, &s->ltext); return;
    case UG_TYPE_EXPANDEDNODEID: s->expanded = rd_boxed(rd, t); return;
    case UG_TYPE_EXTENSIONOBJECT: s->extobj = rd_boxed(rd, t); return;
    case UG_TYPE_DATAVALUE: s->datavalue = rd_boxed(rd, t); return;
    case UG_TYPE_DIAGNOSTICINFO: s->diag = rd_boxed(rd, t); return;
    default: /* a scalar Variant inside a Variant, or a type id above 25 */
        v->type = UG_TYPE_NULL;
        ug_rd_fail(rd, UG_STATUS_BADDECODINGERROR);
        return;
    }
}

/* Fast path: one bounds check covers the encoding byte and any fixed-size
 * value (9 bytes at most), and the function stays a leaf. Anything else, or
 * any doubt (short buffer, odd length), goes through rd_variant_full, which
 * starts over from the same position with every check. */
void ug_rd_variant(ug_rd *rd, ug_variant *v)
{
    const uint8_t *p = rd->p;
    size_t left = (size_t)(rd->end - p);
    if (left >= 9) {
        uint8_t t = p[0];
        ug_scalar *s = &v->u.v;
        switch (t) {
        case UG_TYPE_BOOLEAN:
            s->boolean = p[1] != 0;
            rd->p = p + 2;
            set_scalar(v, t);
            return;
        case UG_TYPE_SBYTE:
        case UG_TYPE_BYTE:
            s->byte = p[1];
            rd->p = p + 2;
            set_scalar(v, t);
            return;
        case UG_TYPE_INT16:
        case UG_TYPE_UINT16:
            memcpy(&s->uint16, p + 1, 2);
            rd->p = p + 3;
            set_scalar(v, t);
            return;
        case UG_TYPE_INT32:
        case UG_TYPE_UINT32:
        case UG_TYPE_FLOAT:
        case UG_TYPE_STATUSCODE:
            memcpy(&s->uint32, p + 1, 4);
            rd->p = p + 5;
            set_scalar(v, t);
            return;
        case UG_TYPE_INT64:
        case UG_TYPE_UINT64:
        case UG_TYPE_DOUBLE:
        case UG_TYPE_DATETIME:
            memcpy(&s->uint64, p + 1, 8);
            rd->p = p + 9;
            set_scalar(v, t);
            return;
        case UG_TYPE_STRING:
        case UG_TYPE_BYTESTRING:
        case UG_TYPE_XMLELEMENT: {
            int32_t n;
            memcpy(&n, p + 1, 4);
            if (n < 0 || (uint32_t)n > rd->lim->max_string_len || (size_t)n > left - 5)
                break;
            s->string.data = p + 5;
            s->string.len = n;
            rd->p = p + 5 + n;
            set_scalar(v, t);
            return;
        }
        default: break;
        }
    }
    rd_variant_full(rd, v);
}

/* --- Variant encode --- */

static void wr_variant_d(ug_wr *wr, const ug_variant *v, unsigned depth);
static inline bool wr_variant_fast(ug_wr *wr, const ug_variant *v);
static void wr_datavalue_d(ug_wr *wr, const ug_datavalue *d, unsigned depth);

/* The encoding byte and a fixed-size value under one bounds check. */
static inline void wr_tagged(ug_wr *wr, uint8_t tag, const void *src, size_t n)
{
    if (wr->len < wr->cap && wr->cap - wr->len > n) {
        wr->buf[wr->len] = tag;
        memcpy(wr->buf + wr->len + 1, src, n);
    }
    wr->len += n + 1;
}

static bool dims_valid(const ug_variant *v)
{
    if (v->array_len < 0 || !v->dims)
        return false;
    bool zero = false, over = false;
    uint64_t prod = 1;
    for (unsigned i = 0; i < v->ndims; i++) {
        int32_t d = v->dims[i];
        if (d < 0)
            return false;
        if (d == 0)
            zero = true;
        else if (!over && (prod *= (uint64_t)d) > INT32_MAX)
            over = true;
    }
    if (zero)
        return v->array_len == 0;
    return !over && prod == (uint64_t)v->array_len;
}

static void wr_variant_array(ug_wr *wr, const ug_variant *v, unsigned depth)
{
    unsigned t = v->type;
    if (t > UG_TYPE_MAX || v->array_len < -1 || (v->ndims && !dims_valid(v)) ||
        (v->array_len > 0 && !v->u.arr)) {
        ug_wr_fail(wr, UG_STATUS_BADENCODINGERROR);
        return;
    }
    ug_wr_u8(wr, (uint8_t)(t | VARIANT_ARRAY | (v->ndims ? VARIANT_DIMS : 0)));
    if (t == UG_TYPE_VARIANT || t == UG_TYPE_DATAVALUE) {
        /* Kept here rather than in ug_wr_array so the depth travels along. */
        ug_wr_u32(wr, (uint32_t)v->array_len);
        for (int32_t i = 0; i < v->array_len && wr->err == UG_STATUS_GOOD; i++) {
            if (t == UG_TYPE_DATAVALUE) {
                wr_datavalue_d(wr, (const ug_datavalue *)v->u.arr + i, depth + 1);
            } else {
                const ug_variant *e = (const ug_variant *)v->u.arr + i;
                if (!wr_variant_fast(wr, e))
                    wr_variant_d(wr, e, depth + 1);
            }
        }
    } else {
        ug_wr_array(wr, t, v->u.arr, v->array_len);
    }
    if (v->ndims) {
        ug_wr_u32(wr, v->ndims);
        ug_wr_bytes(wr, v->dims, (size_t)v->ndims * 4);
    }
}

static void wr_variant_d(ug_wr *wr, const ug_variant *v, unsigned depth)
{
    unsigned t = v->type;
    const ug_scalar *s = &v->u.v;
    if (depth > WR_MAX_DEPTH) {
        ug_wr_fail(wr, UG_STATUS_BADENCODINGERROR);
        return;
    }
    if (t == UG_TYPE_NULL) {
        ug_wr_u8(wr, 0);
        return;
    }
    if (v->array_len != UG_SCALAR) {
        wr_variant_array(wr, v, depth);
        return;
    }
    switch (t) {
    case UG_TYPE_BOOLEAN: {
        uint8_t b = s->boolean ? 1 : 0;
        wr_tagged(wr, UG_TYPE_BOOLEAN, &b, 1);
        return;
    }
    case UG_TYPE_SBYTE:
    case UG_TYPE_BYTE: wr_tagged(wr, (uint8_t)t, &s->byte, 1); return;
    case UG_TYPE_INT16:
    case UG_TYPE_UINT16: wr_tagged(wr, (uint8_t)t, &s->uint16, 2); return;
    case UG_TYPE_INT32:
    case UG_TYPE_UINT32:
    case UG_TYPE_FLOAT:
    case UG_TYPE_STATUSCODE: wr_tagged(wr, (uint8_t)t, &s->uint32, 4); return;
    case UG_TYPE_INT64:
    case UG_TYPE_UINT64:
    case UG_TYPE_DOUBLE:
    case UG_TYPE_DATETIME: wr_tagged(wr, (uint8_t)t, &s->uint64, 8); return;
    case UG_TYPE_GUID: wr_tagged(wr, (uint8_t)t, &s->guid, 16); return;
    case UG_TYPE_STRING:
    case UG_TYPE_BYTESTRING:
    case UG_TYPE_XMLELEMENT:
        ug_wr_u8(wr, (uint8_t)t);
        ug_wr_string(wr, s->string);
        return;
    case UG_TYPE_NODEID:
        ug_wr_u8(wr, (uint8_t)t);
        ug_wr_nodeid(wr, &s->nodeid);
        return;
    case UG_TYPE_QUALIFIEDNAME:
        ug_wr_u8(wr, (uint8_t)t);
        ug_wr_qualified_name(wr, &s->qname);
        return;
    case UG_TYPE_LOCALIZEDTEXT:
        ug_wr_u8(wr, (uint8_t)t);
        ug_wr_localized_text(wr, &s->ltext);
        return;
    case UG_TYPE_EXPANDEDNODEID:
    case UG_TYPE_EXTENSIONOBJECT:
    case UG_TYPE_DATAVALUE:
    case UG_TYPE_DIAGNOSTICINFO: {
        const void *p = t == UG_TYPE_EXPANDEDNODEID    ? (const void *)s->expanded
                        : t == UG_TYPE_EXTENSIONOBJECT ? (const void *)s->extobj
                        : t == UG_TYPE_DATAVALUE       ? (const void *)s->datavalue
                                                       : (const void *)s->diag;
        if (!p)
            break;
        ug_wr_u8(wr, (uint8_t)t);
        if (t == UG_TYPE_DATAVALUE)
            wr_datavalue_d(wr, p, depth + 1);
        else
            ug_wr_element(wr, t, p);
        return;
    }
    default: break; /* a scalar Variant in a Variant, or no such type */
    }
    ug_wr_fail(wr, UG_STATUS_BADENCODINGERROR);
}

/* Fast path for the common scalars when the buffer has room; false leaves
 * the cursor untouched for wr_variant_d. */
static inline bool wr_variant_fast(ug_wr *wr, const ug_variant *v)
{
    if (v->array_len != UG_SCALAR || wr->len > wr->cap || wr->cap - wr->len < 9)
        return false;
    uint8_t *o = wr->buf + wr->len;
    const ug_scalar *s = &v->u.v;
    uint8_t t = v->type;
    switch (t) {
    case UG_TYPE_BOOLEAN:
        o[0] = t;
        o[1] = s->boolean ? 1 : 0;
        wr->len += 2;
        return true;
    case UG_TYPE_SBYTE:
    case UG_TYPE_BYTE:
        o[0] = t;
        o[1] = s->byte;
        wr->len += 2;
        return true;
    case UG_TYPE_INT16:
    case UG_TYPE_UINT16:
        o[0] = t;
        memcpy(o + 1, &s->uint16, 2);
        wr->len += 3;
        return true;
    case UG_TYPE_INT32:
    case UG_TYPE_UINT32:
    case UG_TYPE_FLOAT:
    case UG_TYPE_STATUSCODE:
        o[0] = t;
        memcpy(o + 1, &s->uint32, 4);
        wr->len += 5;
        return true;
    case UG_TYPE_INT64:
    case UG_TYPE_UINT64:
    case UG_TYPE_DOUBLE:
    case UG_TYPE_DATETIME:
        o[0] = t;
        memcpy(o + 1, &s->uint64, 8);
        wr->len += 9;
        return true;
    case UG_TYPE_STRING:
    case UG_TYPE_BYTESTRING:
    case UG_TYPE_XMLELEMENT: {
        int32_t n = s->string.len;
        if (n < 0 || (size_t)n > wr->cap - wr->len - 5)
            return false;
        o[0] = t;
        memcpy(o + 1, &n, 4);
        if (n)
            memcpy(o + 5, s->string.data, (size_t)n);
        wr->len += 5 + (size_t)n;
        return true;
    }
    default: return false;
    }
}

void ug_wr_variant(ug_wr *wr, const ug_variant *v)
{
    if (!wr_variant_fast(wr, v))
        wr_variant_d(wr, v, 0);
}

/* --- DataValue: Part 6 §5.2.2.17 --- */

#define DV_MASK 0x3F
/* "The decoder shall treat values greater than or equal to 10 000 as 9999." */
static uint16_t rd_picoseconds(ug_rd *rd)
{
    uint16_t ps = ug_rd_u16(rd);
    return ps >= 10000 ? 9999 : ps;
}

void ug_rd_datavalue(ug_rd *rd, ug_datavalue *d)
{
    uint8_t m = ug_rd_u8(rd) & DV_MASK;
    d->mask = m;
    if (!depth_enter(rd)) {
        d->mask = 0;
        return;
    }
    if (m & UG_DV_VALUE)
        ug_rd_variant(rd, &d->value);
    else
        d->value = ug_variant_scalar(UG_TYPE_NULL);
    d->status = (m & UG_DV_STATUS) ? ug_rd_u32(rd) : UG_STATUS_GOOD;
    d->source_ts = (m & UG_DV_SOURCE_TIMESTAMP) ? (ug_datetime)ug_rd_u64(rd) : 0;
    d->source_ps = (m & UG_DV_SOURCE_PICOSECONDS) ? rd_picoseconds(rd) : 0;
    d->server_ts = (m & UG_DV_SERVER_TIMESTAMP) ? (ug_datetime)ug_rd_u64(rd) : 0;
    d->server_ps = (m & UG_DV_SERVER_PICOSECONDS) ? rd_picoseconds(rd) : 0;
    rd->depth--;
}

static void wr_datavalue_d(ug_wr *wr, const ug_datavalue *d, unsigned depth)
{
    uint8_t m = d->mask & DV_MASK;
    ug_wr_u8(wr, m);
    if (m & UG_DV_VALUE)
        wr_variant_d(wr, &d->value, depth + 1);
    if (m & UG_DV_STATUS)
        ug_wr_u32(wr, d->status);
    if (m & UG_DV_SOURCE_TIMESTAMP)
        ug_wr_u64(wr, (uint64_t)d->source_ts);
    if (m & UG_DV_SOURCE_PICOSECONDS)
        ug_wr_u16(wr, d->source_ps);
    if (m & UG_DV_SERVER_TIMESTAMP)
        ug_wr_u64(wr, (uint64_t)d->server_ts);
    if (m & UG_DV_SERVER_PICOSECONDS)
        ug_wr_u16(wr, d->server_ps);
}

void ug_wr_datavalue(ug_wr *wr, const ug_datavalue *d) { wr_datavalue_d(wr, d, 0); }

/* --- DiagnosticInfo: Part 6 §5.2.2.12 ---
 * The inner DiagnosticInfo is the last field, so the chain is walked in a
 * loop; each link still counts as one nesting level. Wire order follows
 * Table 11/16: SymbolicId, NamespaceUri, Locale, LocalizedText, ... */

#define DI_MASK 0x7F

void ug_rd_diagnostic_info(ug_rd *rd, ug_diagnostic_info *d)
{
    uint32_t base = rd->depth;
    for (;;) {
        uint8_t m = ug_rd_u8(rd) & DI_MASK;
        d->mask = m;
        d->inner = NULL;
        if (!depth_enter(rd)) {
            d->mask = 0;
            break;
        }
        d->symbolic_id = (m & UG_DI_SYMBOLIC_ID) ? (int32_t)ug_rd_u32(rd) : -1;
        d->namespace_uri = (m & UG_DI_NAMESPACE_URI) ? (int32_t)ug_rd_u32(rd) : -1;
        d->locale = (m & UG_DI_LOCALE) ? (int32_t)ug_rd_u32(rd) : -1;
        d->localized_text = (m & UG_DI_LOCALIZED_TEXT) ? (int32_t)ug_rd_u32(rd) : -1;
        d->additional_info = (m & UG_DI_ADDITIONAL_INFO) ? ug_rd_string(rd) : UG_NULL_BYTES;
        d->inner_status = (m & UG_DI_INNER_STATUS) ? ug_rd_u32(rd) : UG_STATUS_GOOD;
        if (!(m & UG_DI_INNER_DIAG) || !ug_rd_ok(rd))
            break;
        ug_diagnostic_info *inner = rd_alloc(rd, sizeof *inner);
        if (!inner) {
            d->mask &= (uint8_t)~UG_DI_INNER_DIAG;
            break;
        }
        d->inner = inner;
        d = inner;
    }
    rd->depth = base;
}

void ug_wr_diagnostic_info(ug_wr *wr, const ug_diagnostic_info *d)
{
    for (unsigned level = 0;; level++) {
        uint8_t m = d->mask & DI_MASK;
        if (level > WR_MAX_DEPTH || ((m & UG_DI_INNER_DIAG) && !d->inner)) {
            ug_wr_fail(wr, UG_STATUS_BADENCODINGERROR);
            return;
        }
        ug_wr_u8(wr, m);
        if (m & UG_DI_SYMBOLIC_ID)
            ug_wr_u32(wr, (uint32_t)d->symbolic_id);
        if (m & UG_DI_NAMESPACE_URI)
            ug_wr_u32(wr, (uint32_t)d->namespace_uri);
        if (m & UG_DI_LOCALE)
            ug_wr_u32(wr, (uint32_t)d->locale);
        if (m & UG_DI_LOCALIZED_TEXT)
            ug_wr_u32(wr, (uint32_t)d->localized_text);
        if (m & UG_DI_ADDITIONAL_INFO)
            ug_wr_string(wr, d->additional_info);
        if (m & UG_DI_INNER_STATUS)
            ug_wr_u32(wr, d->inner_status);
        if (!(m & UG_DI_INNER_DIAG))
            return;
        d = d->inner;
    }
}
