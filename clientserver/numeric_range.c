/* clientserver/numeric_range.c — NumericRange parsing and application
 * (Part 4 §7.27). Matrices are in the order of Part 6 §5.2.2.16: the last
 * index varies fastest.
 */
#include <string.h>

#include "numeric_range.h"

static bool parse_u32(const uint8_t **p, const uint8_t *end, uint32_t *out)
{
    const uint8_t *q = *p;
    uint64_t v = 0;
    if (q == end || *q < '0' || *q > '9')
        return false;
    while (q < end && *q >= '0' && *q <= '9') {
        v = v * 10 + (uint64_t)(*q - '0');
        if (v > UINT32_MAX)
            return false;
        q++;
    }
    *p = q;
    *out = (uint32_t)v;
    return true;
}

ug_status ug_nrange_parse(ug_string text, struct ug_nrange *out)
{
    out->n = 0;
    if (text.len <= 0 || !text.data)
        return UG_STATUS_GOOD;
    const uint8_t *p = text.data, *end = text.data + text.len;
    for (;;) {
        if (out->n == UG_NRANGE_MAX_DIMS)
            return UG_STATUS_BADINDEXRANGEINVALID;
        uint32_t lo, hi;
        if (!parse_u32(&p, end, &lo))
            return UG_STATUS_BADINDEXRANGEINVALID;
        hi = lo;
        if (p < end && *p == ':') {
            p++;
            if (!parse_u32(&p, end, &hi) || hi <= lo) /* "lo:hi" needs lo < hi */
                return UG_STATUS_BADINDEXRANGEINVALID;
        }
        out->d[out->n].lo = lo;
        out->d[out->n].hi = hi;
        out->n++;
        if (p == end)
            return UG_STATUS_GOOD;
        if (*p != ',')
            return UG_STATUS_BADINDEXRANGEINVALID;
        p++;
    }
}

static bool stringish(unsigned t) { return t == UG_TYPE_STRING || t == UG_TYPE_BYTESTRING; }

/* Substring [lo, hi] of s, clipped; false when lo is past the end. */
static bool substr(ug_string s, uint32_t lo, uint32_t hi, ug_string *out)
{
    if (s.len <= 0 || lo >= (uint32_t)s.len)
        return false;
    uint32_t last = hi < (uint32_t)s.len ? hi : (uint32_t)s.len - 1;
    *out = (ug_string){s.data + lo, (int32_t)(last - lo + 1)};
    return true;
}

ug_status ug_nrange_extract(const struct ug_nrange *r, const ug_variant *src, ug_variant *dst,
                            ug_arena *arena)
{
    if (r->n == 0) {
        *dst = *src;
        return UG_STATUS_GOOD;
    }
    if (src->type == UG_TYPE_NULL)
        return UG_STATUS_BADINDEXRANGENODATA;
    if (!ug_variant_is_array(src)) {
        if (!stringish(src->type) || r->n != 1)
            return UG_STATUS_BADINDEXRANGENODATA;
        *dst = *src;
        if (!substr(src->u.v.string, r->d[0].lo, r->d[0].hi, &dst->u.v.string))
            return UG_STATUS_BADINDEXRANGENODATA;
        return UG_STATUS_GOOD;
    }
    if (src->array_len <= 0 || !src->u.arr)
        return UG_STATUS_BADINDEXRANGENODATA;
    /* the array's shape: a 1-dim array or its matrix dimensions */
    int32_t one = src->array_len;
    uint32_t nd = src->ndims ? src->ndims : 1;
    const int32_t *dims = src->ndims ? src->dims : &one;
    bool sub = false; /* last range dimension selects substrings */
    if (r->n == nd + 1 && stringish(src->type))
        sub = true;
    else if (r->n != nd)
        return UG_STATUS_BADINDEXRANGENODATA;
    if (nd > UG_NRANGE_MAX_DIMS)
        return UG_STATUS_BADINDEXRANGENODATA;
    uint32_t outd[UG_NRANGE_MAX_DIMS];
    size_t total = 1;
    for (uint32_t k = 0; k < nd; k++) {
        if (dims[k] <= 0 || r->d[k].lo >= (uint32_t)dims[k])
            return UG_STATUS_BADINDEXRANGENODATA;
        uint32_t last = r->d[k].hi < (uint32_t)dims[k] ? r->d[k].hi : (uint32_t)dims[k] - 1;
        outd[k] = last - r->d[k].lo + 1;
        total *= outd[k];
    }
    size_t es = ug_type_size(src->type);
    uint8_t *a = ug_arena_alloc(arena, total * es);
    int32_t *odims = nd > 1 ? ug_arena_alloc(arena, nd * sizeof *odims) : NULL;
    if (!a || (nd > 1 && !odims))
        return UG_STATUS_BADOUTOFMEMORY;
    uint32_t idx[UG_NRANGE_MAX_DIMS] = {0};
    size_t kept = 0;
    for (size_t i = 0; i < total; i++) {
        size_t lin = 0;
        for (uint32_t k = 0; k < nd; k++)
            lin = lin * (size_t)dims[k] + r->d[k].lo + idx[k];
        const uint8_t *e = (const uint8_t *)src->u.arr + lin * es;
        if (sub) {
            ug_string s;
            /* elements with nothing in the range come back empty; the
             * whole read fails only when no element has data */
            if (substr(*(const ug_string *)e, r->d[nd].lo, r->d[nd].hi, &s))
                kept++;
            else
                s = (ug_string){NULL, 0};
            memcpy(a + i * es, &s, es);
        } else {
            memcpy(a + i * es, e, es);
        }
        for (uint32_t k = nd; k-- > 0;) { /* odometer, last index fastest */
            if (++idx[k] < outd[k])
                break;
            idx[k] = 0;
        }
    }
    if (sub && kept == 0)
        return UG_STATUS_BADINDEXRANGENODATA;
    *dst = *src;
    dst->array_len = (int32_t)total;
    dst->u.arr = a;
    if (nd > 1) {
        for (uint32_t k = 0; k < nd; k++)
            odims[k] = (int32_t)outd[k];
        dst->dims = odims;
        dst->ndims = (uint16_t)nd;
    } else {
        dst->dims = NULL;
        dst->ndims = 0;
    }
    return UG_STATUS_GOOD;
}

ug_status ug_nrange_apply(const struct ug_nrange *r, const ug_variant *cur,
                          const ug_variant *patch, ug_variant *out, ug_arena *arena)
{
    if (r->n != 1)
        return UG_STATUS_BADINDEXRANGEINVALID;
    uint32_t lo = r->d[0].lo, hi = r->d[0].hi;
    size_t cnt = (size_t)hi - lo + 1;
    if (patch->type != cur->type)
        return UG_STATUS_BADTYPEMISMATCH;
    if (!ug_variant_is_array(cur)) {
        if (!stringish(cur->type) || ug_variant_is_array(patch))
            return UG_STATUS_BADTYPEMISMATCH;
        ug_string s = cur->u.v.string, p = patch->u.v.string;
        if (s.len <= 0 || hi >= (uint32_t)s.len)
            return UG_STATUS_BADINDEXRANGENODATA;
        if (p.len < 0 || (size_t)p.len != cnt)
            return UG_STATUS_BADINDEXRANGEINVALID;
        uint8_t *b = ug_arena_alloc(arena, (size_t)s.len);
        if (!b)
            return UG_STATUS_BADOUTOFMEMORY;
        memcpy(b, s.data, (size_t)s.len);
        memcpy(b + lo, p.data, cnt);
        *out = *cur;
        out->u.v.string = (ug_string){b, s.len};
        return UG_STATUS_GOOD;
    }
    if (!ug_variant_is_array(patch))
        return UG_STATUS_BADTYPEMISMATCH;
    if (cur->ndims > 1)
        return UG_STATUS_BADINDEXRANGEINVALID;
    if (cur->array_len <= 0 || hi >= (uint32_t)cur->array_len)
        return UG_STATUS_BADINDEXRANGENODATA;
    if (patch->array_len < 0 || (size_t)patch->array_len != cnt)
        return UG_STATUS_BADINDEXRANGEINVALID;
    size_t es = ug_type_size(cur->type);
    uint8_t *a = ug_arena_alloc(arena, (size_t)cur->array_len * es);
    if (!a)
        return UG_STATUS_BADOUTOFMEMORY;
    memcpy(a, cur->u.arr, (size_t)cur->array_len * es);
    memcpy(a + lo * es, patch->u.arr, cnt * es);
    *out = *cur;
    out->u.arr = a;
    return UG_STATUS_GOOD;
}
