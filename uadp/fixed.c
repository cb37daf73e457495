/* Fixed-layout UADP publishing (DESIGN.md "compute the field offsets once").
 *
 * The frame is written once by the ordinary encoder with a recorder attached,
 * which notes where each value that changes per cycle sits; a publish cycle
 * then only stores those values. Same code path, so the same bytes as
 * ug_uadp_encode by construction.
 */
#include "uadp_internal.h"

void ug_uadp_rec_field(ug_uadp_fixed *rec, size_t off, uint8_t type)
{
    if (rec->n_fields < UG_UADP_FIXED_MAX_FIELDS) {
        rec->field_off[rec->n_fields] = (uint32_t)off;
        rec->field_type[rec->n_fields] = type;
    }
    rec->n_fields++; /* counted past the maximum so that init can refuse */
}

static bool value_fixed(const ug_variant *v)
{
    return v->array_len == UG_SCALAR && ug_uadp_fixed_size(v->type) != 0;
}

static bool dsm_fixed(const ug_dsm *d)
{
    if (d->type != UG_DSM_KEYFRAME && d->type != UG_DSM_KEEPALIVE)
        return false;
    if (d->type == UG_DSM_KEEPALIVE)
        return true;
    for (unsigned i = 0; i < d->field_count; i++) {
        const ug_dsm_field *f = &d->fields[i];
        if (d->field_encoding == UG_FE_DATAVALUE && !(f->dv.mask & UG_DV_VALUE))
            return false;
        if (!value_fixed(&f->dv.value))
            return false;
    }
    return true;
}

bool ug_uadp_is_fixed(const ug_nm *t)
{
    if (t->type != UG_NM_DATASET || t->is_chunk || t->n_promoted || t->has_security)
        return false;
    if (t->n_dsm > UG_UADP_FIXED_MAX_DSM)
        return false;
    size_t n = 0;
    for (unsigned i = 0; i < t->n_dsm; i++) {
        if (!dsm_fixed(&t->dsm[i]))
            return false;
        n += t->dsm[i].field_count;
    }
    return n <= UG_UADP_FIXED_MAX_FIELDS;
}

ug_status ug_uadp_fixed_init(ug_uadp_fixed *f, const ug_nm *tmpl, void *frame, size_t cap)
{
    memset(f, 0, sizeof *f);
    f->off_group_seq = f->off_nm_number = UG_UADP_NO_OFFSET;
    f->off_timestamp = f->off_picoseconds = UG_UADP_NO_OFFSET;
    for (unsigned i = 0; i < UG_UADP_FIXED_MAX_DSM; i++) {
        f->dsm[i].off_seq = f->dsm[i].off_timestamp = UG_UADP_NO_OFFSET;
        f->dsm[i].off_picoseconds = f->dsm[i].off_status = UG_UADP_NO_OFFSET;
    }
    if (!ug_uadp_is_fixed(tmpl))
        return UG_STATUS_BADNOTSUPPORTED;
    size_t len = 0;
    ug_status s = ug_uadp_encode_rec(tmpl, frame, cap, &len, NULL, f);
    if (s != UG_STATUS_GOOD)
        return s;
    if (len > UINT32_MAX || f->n_fields > UG_UADP_FIXED_MAX_FIELDS)
        return UG_STATUS_BADNOTSUPPORTED;
    for (uint32_t i = 0; i < f->n_fields; i++)
        if (f->field_type[i] == UG_TYPE_NULL)
            return UG_STATUS_BADNOTSUPPORTED;
    for (unsigned d = 0; d < f->n_dsm; d++) {
        uint32_t first = f->dsm[d].first_field, packed = 0;
        bool contiguous = true;
        for (unsigned i = 0; i < f->dsm[d].n_fields; i++) {
            if (f->field_off[first + i] != f->field_off[first] + packed)
                contiguous = false;
            packed += (uint32_t)ug_uadp_fixed_size(f->field_type[first + i]);
        }
        f->dsm[d].packed_len = packed;
        f->dsm[d].contiguous = contiguous;
    }
    f->frame = frame;
    f->len = len;
    return UG_STATUS_GOOD;
}

ug_status ug_uadp_fixed_set_packed(ug_uadp_fixed *f, unsigned dsm_index, const void *src,
                                   size_t len)
{
    if (dsm_index >= f->n_dsm || len != f->dsm[dsm_index].packed_len)
        return UG_STATUS_BADINVALIDARGUMENT;
    uint8_t *frame = f->frame;
    const uint8_t *s = src;
    uint32_t first = f->dsm[dsm_index].first_field;
    unsigned n = f->dsm[dsm_index].n_fields;
    if (n == 0)
        return UG_STATUS_GOOD;
    if (f->dsm[dsm_index].contiguous) {
        memcpy(frame + f->field_off[first], s, len);
        return UG_STATUS_GOOD;
    }
    for (unsigned i = 0; i < n; i++) {
        size_t sz = ug_uadp_fixed_size(f->field_type[first + i]);
        ug_uadp_copy_scalar(frame + f->field_off[first + i], s, sz);
        s += sz;
    }
    return UG_STATUS_GOOD;
}

ug_status ug_uadp_fixed_set_field(ug_uadp_fixed *f, unsigned dsm_index, unsigned field_index,
                                  const ug_scalar *v)
{
    uint8_t *p = ug_uadp_fixed_field_ptr(f, dsm_index, field_index);
    if (!p)
        return UG_STATUS_BADINVALIDARGUMENT;
    unsigned t = f->field_type[f->dsm[dsm_index].first_field + field_index];
    if (t == UG_TYPE_BOOLEAN)
        *p = v->boolean ? 1 : 0;
    else
        memcpy(p, v, ug_uadp_fixed_size(t)); /* Guid: Data1..3 LE then Data4, as in memory */
    return UG_STATUS_GOOD;
}
