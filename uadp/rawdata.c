/* RawData field encoding, Part 14 §7.2.4.5.11 (1.05).
 *
 * A field is its value alone, in the DataType and ValueRank of its
 * FieldMetaData, so the decoder needs the metadata. Strings and ByteStrings
 * keep their Int32 length and are padded with zeros to MaxStringLength bytes
 * of content. Arrays follow Part 6 §5.2.5: ValueRank 1 is an Int32 length and
 * the elements (zero padding up to ArrayDimensions[0] when it is larger);
 * ValueRank n > 1 is the Int32 array of the n dimension lengths (count, then
 * lengths) and the elements in row order, without an element count.
 * (open62541 leaves out the count of the dimensions; we follow the spec and
 * reject its 2-D layout.)
 */
#include "uadp_internal.h"

/* §7.2.4.5.11: these built-in types never appear as RawData fields; neither
 * do abstract (Variant) ones. */
static bool raw_type_ok(unsigned t)
{
    switch (t) {
    case UG_TYPE_NULL:
    case UG_TYPE_NODEID:
    case UG_TYPE_EXPANDEDNODEID:
    case UG_TYPE_QUALIFIEDNAME:
    case UG_TYPE_LOCALIZEDTEXT:
    case UG_TYPE_XMLELEMENT:
    case UG_TYPE_DATAVALUE:
    case UG_TYPE_VARIANT:
    case UG_TYPE_DIAGNOSTICINFO:
        return false;
    default:
        return t <= UG_TYPE_MAX;
    }
}

static bool is_string(unsigned t) { return t == UG_TYPE_STRING || t == UG_TYPE_BYTESTRING; }

/* Pointer to the C value ug_wr_element/ug_rd_element expect for a scalar. */
static const void *scalar_ptr(const ug_variant *v)
{
    return v->type == UG_TYPE_EXTENSIONOBJECT ? (const void *)v->u.v.extobj : (const void *)&v->u.v;
}

void ug_uadp_wr_raw_field(ug_wr *wr, const ug_dsm_field *f, ug_uadp_fixed *rec)
{
    const ug_variant *v = &f->dv.value;
    if (!raw_type_ok(v->type)) {
        ug_wr_fail(wr, UG_STATUS_BADINVALIDARGUMENT);
        return;
    }
    if (v->array_len == UG_SCALAR) {
        size_t n = ug_uadp_fixed_size(v->type);
        if (rec)
            ug_uadp_rec_field(rec, wr->len, n ? v->type : UG_TYPE_NULL);
        if (n && v->type != UG_TYPE_BOOLEAN) {
            ug_uadp_wr_scalar(wr, &v->u.v, n);
            return;
        }
        if (is_string(v->type)) {
            ug_string s = v->u.v.string;
            size_t len = s.len > 0 ? (size_t)s.len : 0;
            if (f->raw_padded_to && len > f->raw_padded_to) {
                ug_wr_fail(wr, UG_STATUS_BADENCODINGLIMITSEXCEEDED);
                return;
            }
            ug_wr_string(wr, s);
            if (f->raw_padded_to > len)
                ug_wr_zeros(wr, f->raw_padded_to - len);
            return;
        }
        if (v->type == UG_TYPE_EXTENSIONOBJECT && !v->u.v.extobj) {
            ug_wr_fail(wr, UG_STATUS_BADINVALIDARGUMENT);
            return;
        }
        ug_wr_element(wr, v->type, scalar_ptr(v));
        return;
    }
    if (rec)
        ug_uadp_rec_field(rec, wr->len, UG_TYPE_NULL);
    if (v->ndims < 2) {
        ug_wr_array(wr, v->type, v->u.arr, v->array_len);
        /* A 1-D array of a fixed-size type shorter than its ArrayDimensions
         * is padded with zero elements (raw_padded_to elements), as decoded. */
        size_t esz = ug_uadp_fixed_size(v->type);
        size_t have = v->array_len > 0 ? (size_t)v->array_len : 0;
        if (esz && f->raw_padded_to > have)
            ug_wr_zeros(wr, (f->raw_padded_to - have) * esz);
        return;
    }
    /* Part 6 §5.2.5: Int32[] dimensions, then the elements. */
    int64_t total = 1;
    ug_wr_u32(wr, v->ndims);
    for (unsigned i = 0; i < v->ndims; i++) {
        if (v->dims[i] < 0) {
            ug_wr_fail(wr, UG_STATUS_BADINVALIDARGUMENT);
            return;
        }
        total *= v->dims[i];
        if (total > INT32_MAX) {
            ug_wr_fail(wr, UG_STATUS_BADINVALIDARGUMENT);
            return;
        }
        ug_wr_u32(wr, (uint32_t)v->dims[i]);
    }
    if (total != v->array_len) {
        ug_wr_fail(wr, UG_STATUS_BADINVALIDARGUMENT);
        return;
    }
    size_t esz = ug_type_size(v->type);
    const uint8_t *a = v->u.arr;
    for (int64_t i = 0; i < total; i++)
        ug_wr_element(wr, v->type, a + (size_t)i * esz);
}

static void skip_zeros(ug_rd *rd, size_t n)
{
    /* Padding is zero bytes (§7.2.4.5.11). Anything else is not padding: a
     * message we would re-encode differently, so refuse it. */
    const uint8_t *q = ug_rd_take(rd, n);
    for (size_t i = 0; q && i < n; i++) {
        if (q[i] != 0) {
            rd->p = q + i;
            ug_rd_fail(rd, UG_STATUS_BADDECODINGERROR);
            return;
        }
    }
}

static void rd_scalar(ug_rd *rd, ug_dsm_field *f, const ug_field_meta *m)
{
    ug_variant *v = &f->dv.value;
    unsigned t = m->builtin_type;
    size_t n = ug_uadp_fixed_size(t);
    if (n && t != UG_TYPE_BOOLEAN) {
        const uint8_t *q = ug_rd_take(rd, n);
        if (q)
            ug_uadp_copy_scalar(&v->u.v, q, n);
        return;
    }
    if (is_string(t)) {
        v->u.v.string = ug_rd_string(rd);
        if (!ug_rd_ok(rd) || m->max_string_len == 0)
            return;
        size_t len = v->u.v.string.len > 0 ? (size_t)v->u.v.string.len : 0;
        if (len > m->max_string_len) {
            ug_rd_fail(rd, UG_STATUS_BADDECODINGERROR);
            return;
        }
        skip_zeros(rd, m->max_string_len - len);
        f->raw_padded_to = (uint16_t)(m->max_string_len > UINT16_MAX ? UINT16_MAX : m->max_string_len);
        return;
    }
    if (t == UG_TYPE_EXTENSIONOBJECT) {
        v->u.v.extobj = ug_uadp_alloc(rd, sizeof(ug_extension_object));
        if (v->u.v.extobj)
            ug_rd_extension_object(rd, v->u.v.extobj);
        return;
    }
    ug_rd_element(rd, t, &v->u.v);
}

static void rd_matrix(ug_rd *rd, ug_variant *v, const ug_field_meta *m)
{
    int32_t nd = (int32_t)ug_rd_u32(rd);
    if (!ug_rd_ok(rd))
        return;
    if (nd != m->value_rank) {
        rd->p -= 4;
        ug_rd_fail(rd, UG_STATUS_BADDECODINGERROR);
        return;
    }
    int32_t *dims = ug_uadp_alloc(rd, (size_t)nd * sizeof(int32_t));
    int64_t total = 1;
    for (int32_t i = 0; i < nd && ug_rd_ok(rd); i++) {
        dims[i] = (int32_t)ug_rd_u32(rd);
        if (!ug_rd_ok(rd))
            return;
        if (dims[i] < 0) {
            rd->p -= 4;
            ug_rd_fail(rd, UG_STATUS_BADDECODINGERROR);
            return;
        }
        total *= dims[i];
        if (total > (int64_t)ug_rd_left(rd)) { /* each element takes a byte at least */
            ug_rd_fail(rd, UG_STATUS_BADDECODINGERROR);
            return;
        }
    }
    if (!ug_rd_ok(rd))
        return;
    if (total > rd->lim->max_array_len) {
        ug_rd_fail(rd, UG_STATUS_BADENCODINGLIMITSEXCEEDED);
        return;
    }
    size_t esz = ug_type_size(m->builtin_type);
    uint8_t *a = total ? ug_uadp_alloc(rd, (size_t)total * esz) : NULL;
    for (int64_t i = 0; i < total && ug_rd_ok(rd); i++)
        ug_rd_element(rd, m->builtin_type, a + (size_t)i * esz);
    v->ndims = (uint16_t)nd;
    v->dims = dims;
    v->array_len = (int32_t)total;
    v->u.arr = a;
}

void ug_uadp_rd_raw_field(ug_rd *rd, ug_dsm_field *f, const ug_field_meta *m)
{
    ug_variant *v = &f->dv.value;
    f->raw_padded_to = 0;
    f->dv = (ug_datavalue){.mask = UG_DV_VALUE};
    v->type = m->builtin_type;
    v->array_len = UG_SCALAR;
    if (!raw_type_ok(m->builtin_type)) {
        ug_rd_fail(rd, UG_STATUS_BADCONFIGURATIONERROR);
        return;
    }
    if (m->value_rank == -1) {
        rd_scalar(rd, f, m);
    } else if (m->value_rank == 1) {
        int32_t len = 0;
        v->u.arr = ug_rd_array(rd, m->builtin_type, &len);
        v->array_len = len;
        size_t esz = ug_uadp_fixed_size(m->builtin_type);
        if (ug_rd_ok(rd) && esz && m->n_array_dims >= 1 && m->array_dims &&
            m->array_dims[0] > (uint32_t)(len > 0 ? len : 0)) {
            if (m->array_dims[0] > UINT16_MAX) {
                /* raw_padded_to could not say so for the encoder */
                ug_rd_fail(rd, UG_STATUS_BADENCODINGLIMITSEXCEEDED);
                return;
            }
            skip_zeros(rd, (m->array_dims[0] - (uint32_t)(len > 0 ? len : 0)) * esz);
            f->raw_padded_to = (uint16_t)m->array_dims[0];
        }
    } else if (m->value_rank > 1) {
        rd_matrix(rd, v, m);
    } else {
        /* Any/OneOrMoreDimensions/ScalarOrOneDimension: not a fixed layout. */
        ug_rd_fail(rd, UG_STATUS_BADCONFIGURATIONERROR);
    }
}
