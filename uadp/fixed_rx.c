/* Fixed-layout UADP receiving: the reader side of fixed.c.
 *
 * The template is encoded by the same recorder-equipped encoder as the
 * publisher's frame, so the constant bytes are exactly what a writer with
 * that configuration sends; the recorded offsets mark the varying bytes. A
 * received message is then one length check and a masked compare in 8-byte
 * words, instead of a decode into 104-byte ug_dsm_fields.
 */
#include "uadp_internal.h"

_Static_assert(UG_UADP_FIXED_MAX_DSM <= 32, "bool_dsms is a 32-bit set");

static void vary(uint8_t *mask, uint32_t off, size_t n)
{
    if (off != UG_UADP_NO_OFFSET)
        memset(mask + off, 0, n);
}

/* DataValue fields with a status or timestamps would hide per-message
 * values in bytes the mask calls constant. */
static bool datavalues_value_only(const ug_nm *t)
{
    for (unsigned d = 0; d < t->n_dsm; d++) {
        const ug_dsm *dm = &t->dsm[d];
        if (dm->field_encoding != UG_FE_DATAVALUE || dm->type != UG_DSM_KEYFRAME)
            continue;
        for (unsigned i = 0; i < dm->field_count; i++)
            if ((dm->fields[i].dv.mask & 0x3F) != UG_DV_VALUE) /* Part 6 §5.2.2.17 */
                return false;
    }
    return true;
}

ug_status ug_uadp_fixed_rx_init(ug_uadp_fixed_rx *rx, const ug_nm *tmpl, void *mem, size_t cap)
{
    rx->mask = NULL;
    rx->bool_dsms = 0;
    /* The frame goes to the first half of mem, the mask right after it. */
    ug_status s = ug_uadp_fixed_init(&rx->lay, tmpl, mem, cap / 2);
    if (s != UG_STATUS_GOOD)
        return s;
    if (!datavalues_value_only(tmpl))
        return UG_STATUS_BADNOTSUPPORTED;
    const ug_uadp_fixed *f = &rx->lay;
    uint8_t *mask = (uint8_t *)mem + f->len;
    memset(mask, 0xFF, f->len);
    /* Part 14 §7.2.4.4.3 GroupHeader, §7.2.4.4.1 extended header. */
    vary(mask, f->off_group_seq, 2);
    vary(mask, f->off_nm_number, 2);
    vary(mask, f->off_timestamp, 8);
    vary(mask, f->off_picoseconds, 2);
    for (unsigned d = 0; d < f->n_dsm; d++) {
        /* §7.2.4.5.4 DataSetMessage header. */
        vary(mask, f->dsm[d].off_seq, 2);
        vary(mask, f->dsm[d].off_timestamp, 8);
        vary(mask, f->dsm[d].off_picoseconds, 2);
        vary(mask, f->dsm[d].off_status, 2);
        for (unsigned i = 0; i < f->dsm[d].n_fields; i++) {
            uint32_t k = f->dsm[d].first_field + i;
            vary(mask, f->field_off[k], ug_uadp_fixed_size(f->field_type[k]));
            if (f->field_type[k] == UG_TYPE_BOOLEAN)
                rx->bool_dsms |= 1u << d;
        }
    }
    rx->mask = mask;
    return UG_STATUS_GOOD;
}

static inline uint64_t ld64(const uint8_t *p)
{
    uint64_t x;
    memcpy(&x, p, 8);
    return x;
}

ug_status ug_uadp_fixed_rx_match(const ug_uadp_fixed_rx *rx, const uint8_t *msg, size_t len)
{
    size_t n = rx->lay.len;
    const uint8_t *t = rx->lay.frame;
    const uint8_t *m = rx->mask;
    if (len != n || !m) /* no mask: init failed, nothing matches */
        return UG_STATUS_BADNOMATCH;
    uint64_t diff = 0;
    if (n < 8) {
        for (size_t i = 0; i < n; i++)
            diff |= (uint64_t)((msg[i] ^ t[i]) & m[i]);
    } else {
        /* Whole words, then the last 8 bytes (overlapping: never past len). */
        for (size_t i = 0; i + 8 < n; i += 8)
            diff |= (ld64(msg + i) ^ ld64(t + i)) & ld64(m + i);
        diff |= (ld64(msg + n - 8) ^ ld64(t + n - 8)) & ld64(m + n - 8);
    }
    return diff ? UG_STATUS_BADNOMATCH : UG_STATUS_GOOD;
}

ug_status ug_uadp_fixed_rx_field(const ug_uadp_fixed_rx *rx, const uint8_t *msg,
                                 unsigned dsm_index, unsigned field_index, ug_scalar *out)
{
    uint32_t off = ug_uadp_fixed_rx_field_off(rx, dsm_index, field_index);
    if (off == UG_UADP_NO_OFFSET)
        return UG_STATUS_BADINVALIDARGUMENT;
    uint8_t t = rx->lay.field_type[rx->lay.dsm[dsm_index].first_field + field_index];
    memset(out, 0, sizeof(ug_guid)); /* as the decoder: the value zero-extended to 16 bytes */
    if (t == UG_TYPE_BOOLEAN)
        out->boolean = msg[off] != 0; /* Part 6 §5.2.2.1: any non-zero value is true */
    else
        ug_uadp_copy_scalar(out, msg + off, ug_uadp_fixed_size(t));
    return UG_STATUS_GOOD;
}

ug_status ug_uadp_fixed_rx_get_packed(const ug_uadp_fixed_rx *rx, const uint8_t *msg,
                                      unsigned dsm_index, void *dst, size_t len)
{
    const ug_uadp_fixed *f = &rx->lay;
    if (dsm_index >= f->n_dsm || len != f->dsm[dsm_index].packed_len)
        return UG_STATUS_BADINVALIDARGUMENT;
    uint8_t *o = dst;
    uint32_t first = f->dsm[dsm_index].first_field;
    unsigned n = f->dsm[dsm_index].n_fields;
    if (n == 0)
        return UG_STATUS_GOOD;
    bool bools = rx->bool_dsms & (1u << dsm_index);
    if (f->dsm[dsm_index].contiguous && !bools) {
        memcpy(o, msg + f->field_off[first], len);
        return UG_STATUS_GOOD;
    }
    for (unsigned i = 0; i < n; i++) {
        uint8_t t = f->field_type[first + i];
        size_t sz = ug_uadp_fixed_size(t);
        if (t == UG_TYPE_BOOLEAN)
            *o = msg[f->field_off[first + i]] != 0;
        else
            ug_uadp_copy_scalar(o, msg + f->field_off[first + i], sz);
        o += sz;
    }
    return UG_STATUS_GOOD;
}
