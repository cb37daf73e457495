/* UADP DataSetMessages, Part 14 §7.2.4.5 (1.05; §7.2.2.3 in 1.04): the
 * DataSetMessage header and the key frame, heartbeat, delta frame, event and
 * keep-alive bodies with Variant and DataValue fields. RawData fields are
 * rawdata.c's.
 */
#include "uadp_internal.h"

/* ---- Variant fields: fixed-size scalars without the general Variant codec ---- */

void ug_uadp_wr_variant_field(ug_wr *wr, const ug_variant *v, ug_uadp_fixed *rec)
{
    size_t n = ug_uadp_fixed_size(v->type);
    if (n && v->array_len == UG_SCALAR) {
        ug_wr_u8(wr, v->type);
        if (rec)
            ug_uadp_rec_field(rec, wr->len, v->type);
        if (v->type == UG_TYPE_BOOLEAN)
            ug_wr_u8(wr, v->u.v.boolean ? 1 : 0);
        else
            ug_uadp_wr_scalar(wr, &v->u.v, n);
        return;
    }
    if (rec)
        ug_uadp_rec_field(rec, wr->len, UG_TYPE_NULL); /* not fixed */
    ug_wr_variant(wr, v);
}

void ug_uadp_rd_variant_field(ug_rd *rd, ug_variant *v)
{
    /* Part 6 §5.2.2.16: encoding byte = type id | 0x40 dims | 0x80 array. */
    if (rd->p < rd->end) {
        uint8_t t = *rd->p;
        size_t n = ug_uadp_fixed_size(t);
        if (n && (size_t)(rd->end - rd->p) > n) {
            const uint8_t *q = rd->p + 1;
            v->type = t;
            v->reserved = 0;
            v->ndims = 0;
            v->array_len = UG_SCALAR;
            v->dims = NULL;
            memset(&v->u.v, 0, sizeof(ug_guid));
            if (t == UG_TYPE_BOOLEAN)
                v->u.v.boolean = *q != 0;
            else
                ug_uadp_copy_scalar(&v->u.v, q, n);
            rd->p = q + n;
            return;
        }
    }
    ug_rd_variant(rd, v);
}

/* Hot loops for Variant fields (R1/R2 of the performance targets): while
 * there is room for the largest scalar, write through a plain pointer without
 * per-byte bounds checks; anything else goes through the general path. */
#define FAST_ROOM 17 /* encoding byte + Guid */

static unsigned wr_variant_fields_fast(ug_wr *wr, const ug_dsm_field *f, unsigned n)
{
    if (!wr->buf || wr->len > wr->cap)
        return 0;
    uint8_t *p = wr->buf + wr->len;
    uint8_t *const end = wr->buf + wr->cap;
    unsigned i = 0;
    for (; i < n; i++) {
        const ug_variant *v = &f[i].dv.value;
        if (v->array_len != UG_SCALAR)
            break;
        size_t sz = ug_uadp_fixed_size(v->type);
        if (sz) {
            /* ug_scalar is at least 16 bytes; bool is stored as 0/1. */
            if ((size_t)(end - p) >= FAST_ROOM)
                memcpy(p + 1, &v->u.v, 16);
            else if ((size_t)(end - p) > sz)
                ug_uadp_copy_scalar(p + 1, &v->u.v, sz);
            else
                break;
            p[0] = v->type;
            p += sz + 1;
        } else if (v->type == UG_TYPE_STRING || v->type == UG_TYPE_BYTESTRING) {
            ug_string str = v->u.v.string;
            size_t len = str.len > 0 ? (size_t)str.len : 0;
            if ((size_t)(end - p) < len + 5)
                break;
            int32_t l = str.len < 0 ? -1 : str.len;
            p[0] = v->type;
            memcpy(p + 1, &l, 4);
            if (len)
                memcpy(p + 5, str.data, len);
            p += len + 5;
        } else {
            break;
        }
    }
    wr->len = (size_t)(p - wr->buf);
    return i;
}

static const uint64_t low_mask[9] = {0, 0xFF, 0xFFFF, 0, 0xFFFFFFFFu, 0, 0, 0, UINT64_MAX};

/* A fixed-size scalar of 1, 2, 4 or 8 bytes at q, reading exactly n bytes. */
static inline uint64_t load_scalar(const uint8_t *q, size_t n)
{
    uint64_t x = 0;
    switch (n) {
    case 1: memcpy(&x, q, 1); break;
    case 2: memcpy(&x, q, 2); break;
    case 4: memcpy(&x, q, 4); break;
    default: memcpy(&x, q, 8); break;
    }
    return x;
}

/* set_scalar_field writes some runs of small members as one little-endian
 * word (padding bytes get zeros): fewer stores on the hot path. */
_Static_assert(offsetof(ug_dsm_field, index) == 0 && offsetof(ug_dsm_field, raw_padded_to) == 2,
               "index, raw_padded_to: one 32-bit word");
_Static_assert(offsetof(ug_datavalue, mask) == 0 && offsetof(ug_datavalue, source_ps) == 2 &&
                   offsetof(ug_datavalue, server_ps) == 4 && offsetof(ug_datavalue, status) == 8,
               "mask, source_ps, server_ps: one 64-bit word");
_Static_assert(offsetof(ug_variant, type) == 0 && offsetof(ug_variant, reserved) == 1 &&
                   offsetof(ug_variant, ndims) == 2 && offsetof(ug_variant, array_len) == 4,
               "type, reserved, ndims, array_len: one 64-bit word");

/* A compound literal of this size, or a copy of a visible mostly-zero
 * template, becomes `rep stos`. */
static inline void set_scalar_field(ug_dsm_field *d, unsigned i, uint8_t t)
{
    uint32_t index = (uint16_t)i;                              /* raw_padded_to 0 */
    uint64_t dv_head = UG_DV_VALUE;                            /* no picoseconds */
    uint64_t v_head = t | (uint64_t)(uint32_t)UG_SCALAR << 32; /* scalar */
    memcpy(d, &index, 4);
    memcpy(&d->dv, &dv_head, 8);
    d->dv.status = UG_STATUS_GOOD;
    d->dv.source_ts = d->dv.server_ts = 0;
    memcpy(&d->dv.value, &v_head, 8);
    d->dv.value.dims = NULL;
    memset(&d->dv.value.u.v, 0, sizeof(ug_guid));
    d->name = UG_NULL_BYTES; /* UADP carries no field names */
}

/* A decoded scalar of 1-8 bytes whose value is x. */
static inline void put_scalar(ug_dsm_field *d, unsigned i, uint8_t t, uint64_t x)
{
    if (t == UG_TYPE_BOOLEAN)
        x = x != 0;
    set_scalar_field(d, i, t);
    memcpy(&d->dv.value.u.v, &x, 8);
}

/* Scalars of 1-8 bytes, Strings and ByteStrings, each with a single bounds
 * check; returns how many fields it decoded and stops at anything else
 * (which the general path decodes or reports). */
static unsigned rd_variant_fields_fast(ug_rd *rd, ug_dsm_field *f, unsigned n)
{
    const uint8_t *p = rd->p;
    const uint8_t *end = rd->end; /* local: the stores below may alias *rd */
    unsigned i = 0;
    for (; i < n; i++) {
        size_t left = (size_t)(end - p);
        if (left < 9) /* the last bytes: exact reads, below */
            break;
        uint8_t t = p[0];
        size_t sz = ug_uadp_fixed_size(t); /* 0 for array bits and unknown ids */
        if (sz - 1 < 8) { /* 1..8 bytes: one load and a mask */
            uint64_t x;
            memcpy(&x, p + 1, 8);
            put_scalar(&f[i], i, t, x & low_mask[sz]);
            p += 1 + sz;
            continue;
        }
        if (t != UG_TYPE_STRING && t != UG_TYPE_BYTESTRING)
            break; /* Guid, arrays, everything else: general path */
        int32_t l;
        memcpy(&l, p + 1, 4);
        if (l < -1 || (l > 0 && (size_t)l > left - 5) ||
            (uint32_t)(l > 0 ? l : 0) > rd->lim->max_string_len)
            break; /* the general path reports it */
        set_scalar_field(&f[i], i, t);
        f[i].dv.value.u.v.string = (ug_string){l >= 0 ? p + 5 : NULL, l};
        p += 5 + (size_t)(l > 0 ? l : 0);
    }
    for (; i < n; i++) {
        size_t left = (size_t)(end - p);
        size_t sz = left ? ug_uadp_fixed_size(p[0]) : 0;
        if (sz - 1 >= 8 || left <= sz)
            break;
        put_scalar(&f[i], i, p[0], load_scalar(p + 1, sz));
        p += 1 + sz;
    }
    rd->p = p;
    return i;
}

/* ---- DataSetMessage header, §7.2.4.5.4 ---- */

static uint8_t flags2(const ug_dsm *d)
{
    uint8_t f = (uint8_t)(d->type & UG_DSF2_TYPE_MASK);
    if (d->has_timestamp)
        f |= UG_DSF2_TIMESTAMP;
    if (d->has_picoseconds)
        f |= UG_DSF2_PICOSECONDS;
    return f;
}

static void wr_dsm_header(ug_wr *wr, const ug_dsm *d, ug_uadp_fixed *rec, unsigned di)
{
    uint8_t f2 = flags2(d);
    uint8_t f1 = (uint8_t)(d->field_encoding << UG_DSF1_ENCODING_SHIFT);
    if (d->valid)
        f1 |= UG_DSF1_VALID;
    if (d->has_seq)
        f1 |= UG_DSF1_SEQ;
    if (d->has_status)
        f1 |= UG_DSF1_STATUS;
    if (d->has_cfg_major)
        f1 |= UG_DSF1_CFG_MAJOR;
    if (d->has_cfg_minor)
        f1 |= UG_DSF1_CFG_MINOR;
    if (f2)
        f1 |= UG_DSF1_FLAGS2;
    ug_wr_u8(wr, f1);
    if (f2)
        ug_wr_u8(wr, f2);
    if (d->has_seq) {
        if (rec)
            rec->dsm[di].off_seq = (uint32_t)wr->len;
        ug_wr_u16(wr, d->seq);
    }
    if (d->has_timestamp) {
        if (rec)
            rec->dsm[di].off_timestamp = (uint32_t)wr->len;
        ug_wr_u64(wr, (uint64_t)d->timestamp);
    }
    if (d->has_picoseconds) {
        if (rec)
            rec->dsm[di].off_picoseconds = (uint32_t)wr->len;
        ug_wr_u16(wr, d->picoseconds);
    }
    if (d->has_status) {
        if (rec)
            rec->dsm[di].off_status = (uint32_t)wr->len;
        ug_wr_u16(wr, d->status);
    }
    if (d->has_cfg_major)
        ug_wr_u32(wr, d->cfg_major); /* VersionTime */
    if (d->has_cfg_minor)
        ug_wr_u32(wr, d->cfg_minor);
}

static void wr_field(ug_wr *wr, const ug_dsm *d, const ug_dsm_field *f, ug_uadp_fixed *rec)
{
    switch (d->field_encoding) {
    case UG_FE_VARIANT: ug_uadp_wr_variant_field(wr, &f->dv.value, rec); break;
    case UG_FE_RAWDATA: ug_uadp_wr_raw_field(wr, f, rec); break;
    default:
        if (rec) {
            /* DataValue: mask, then the Variant (Part 6 §5.2.2.17). */
            size_t n = ug_uadp_fixed_size(f->dv.value.type);
            bool fixed = (f->dv.mask & UG_DV_VALUE) && n && f->dv.value.array_len == UG_SCALAR;
            ug_uadp_rec_field(rec, wr->len + 2, fixed ? f->dv.value.type : UG_TYPE_NULL);
        }
        ug_wr_datavalue(wr, &f->dv);
    }
}

void ug_uadp_wr_dsm(ug_wr *wr, const ug_dsm *d, ug_uadp_fixed *rec)
{
    unsigned di = rec ? rec->n_dsm : 0;
    if (rec) {
        if (di >= UG_UADP_FIXED_MAX_DSM) {
            ug_wr_fail(wr, UG_STATUS_BADNOTSUPPORTED);
            return;
        }
        rec->dsm[di].first_field = rec->n_fields;
        rec->dsm[di].n_fields = 0;
        rec->n_dsm++;
    }
    if (d->field_encoding > UG_FE_DATAVALUE || d->type > UG_DSM_KEEPALIVE ||
        (d->field_encoding == UG_FE_RAWDATA && d->type != UG_DSM_KEYFRAME) ||
        (d->type == UG_DSM_EVENT && d->field_encoding != UG_FE_VARIANT)) {
        /* §7.2.4.5.11: RawData only in key frames; §7.2.4.5.7: events are Variants. */
        ug_wr_fail(wr, UG_STATUS_BADINVALIDARGUMENT);
        return;
    }
    size_t start = wr->len;
    wr_dsm_header(wr, d, rec, di);
    switch (d->type) {
    case UG_DSM_KEYFRAME:
        /* §7.2.4.5.5: no FieldCount with RawData; a key frame without fields
         * is a heartbeat, which is the header alone. */
        if (d->field_encoding != UG_FE_RAWDATA && d->field_count > 0)
            ug_wr_u16(wr, d->field_count);
        for (unsigned i = 0; i < d->field_count; i++) {
            if (!rec && d->field_encoding == UG_FE_VARIANT)
                i += wr_variant_fields_fast(wr, d->fields + i, d->field_count - i);
            if (i < d->field_count)
                wr_field(wr, d, &d->fields[i], rec);
        }
        break;
    case UG_DSM_DELTAFRAME:
        /* §7.2.4.5.6: FieldCount, then (FieldIndex, FieldValue) pairs. */
        ug_wr_u16(wr, d->field_count);
        for (unsigned i = 0; i < d->field_count; i++) {
            ug_wr_u16(wr, d->fields[i].index);
            wr_field(wr, d, &d->fields[i], rec);
        }
        break;
    case UG_DSM_EVENT:
        ug_wr_u16(wr, d->field_count); /* §7.2.4.5.7 */
        for (unsigned i = 0; i < d->field_count; i++)
            wr_field(wr, d, &d->fields[i], rec);
        break;
    default: /* keep-alive, §7.2.4.5.8: header only */
        break;
    }
    size_t n = wr->len - start;
    if (d->configured_size && n > d->configured_size) {
        /* Every message of the writer has the ConfiguredSize; this one cannot. */
        ug_wr_fail(wr, UG_STATUS_BADINVALIDARGUMENT);
        return;
    }
    if (d->configured_size > n)
        ug_wr_zeros(wr, d->configured_size - n); /* §7.2.4.5.5 Padding */
    if (rec)
        rec->dsm[di].n_fields = (uint16_t)(rec->n_fields - rec->dsm[di].first_field);
}

/* ---- decoding ---- */

static void rd_dsm_header(ug_rd *rd, ug_dsm *d)
{
    ug_rd r = *rd; /* see ug_uadp_rd_sync */
    uint8_t f1 = ug_rd_u8(&r);
    uint8_t f2 = (f1 & UG_DSF1_FLAGS2) ? ug_rd_u8(&r) : 0;
    if (!ug_rd_ok(&r))
        goto out;
    d->valid = f1 & UG_DSF1_VALID;
    d->field_encoding = (f1 & UG_DSF1_ENCODING_MASK) >> UG_DSF1_ENCODING_SHIFT;
    if (d->field_encoding > UG_FE_DATAVALUE) { /* 11 is reserved */
        r.p -= (f1 & UG_DSF1_FLAGS2) ? 2 : 1;
        ug_rd_fail(&r, UG_STATUS_BADDECODINGERROR);
        goto out;
    }
    d->type = f2 & UG_DSF2_TYPE_MASK;
    if (d->type > UG_DSM_KEEPALIVE || (f2 & UG_DSF2_RESERVED) ||
        (d->field_encoding == UG_FE_RAWDATA && d->type != UG_DSM_KEYFRAME) ||
        (d->type == UG_DSM_EVENT && d->field_encoding != UG_FE_VARIANT)) {
        r.p--;
        ug_rd_fail(&r, UG_STATUS_BADDECODINGERROR);
        goto out;
    }
    d->has_seq = f1 & UG_DSF1_SEQ;
    d->has_timestamp = f2 & UG_DSF2_TIMESTAMP;
    d->has_picoseconds = f2 & UG_DSF2_PICOSECONDS;
    d->has_status = f1 & UG_DSF1_STATUS;
    d->has_cfg_major = f1 & UG_DSF1_CFG_MAJOR;
    d->has_cfg_minor = f1 & UG_DSF1_CFG_MINOR;
    d->seq = d->has_seq ? ug_rd_u16(&r) : 0;
    d->timestamp = d->has_timestamp ? (ug_datetime)ug_rd_u64(&r) : 0;
    d->picoseconds = d->has_picoseconds ? ug_rd_u16(&r) : 0;
    d->status = d->has_status ? ug_rd_u16(&r) : 0;
    d->cfg_major = d->has_cfg_major ? ug_rd_u32(&r) : 0;
    d->cfg_minor = d->has_cfg_minor ? ug_rd_u32(&r) : 0;
out:
    ug_uadp_rd_sync(rd, &r);
}

static void rd_field(ug_rd *rd, const ug_dsm *d, ug_dsm_field *f)
{
    f->raw_padded_to = 0;
    f->name = UG_NULL_BYTES; /* UADP carries no field names */
    if (d->field_encoding == UG_FE_DATAVALUE) {
        ug_rd_datavalue(rd, &f->dv);
        return;
    }
    f->dv.mask = UG_DV_VALUE;
    f->dv.source_ps = 0;
    f->dv.server_ps = 0;
    f->dv.status = UG_STATUS_GOOD;
    f->dv.source_ts = 0;
    f->dv.server_ts = 0;
    ug_uadp_rd_variant_field(rd, &f->dv.value);
}

static inline ug_dsm_field *alloc_fields(ug_rd *rd, size_t n)
{
    if (n == 0)
        return NULL;
    /* Each field takes at least one byte: a count over the bytes left is a lie,
     * and must not make us allocate for it. */
    if (__builtin_expect(n > ug_rd_left(rd), 0)) {
        ug_rd_fail(rd, UG_STATUS_BADDECODINGERROR);
        return NULL;
    }
    if (__builtin_expect(n > rd->lim->max_array_len, 0)) {
        ug_rd_fail(rd, UG_STATUS_BADENCODINGLIMITSEXCEEDED);
        return NULL;
    }
    return ug_uadp_alloc(rd, n * sizeof(ug_dsm_field));
}

/* RawData scalars of 1-8 bytes (the fixed layouts of the performance
 * targets), one bounds check each; returns how many fields it decoded and
 * stops at anything else, which ug_uadp_rd_raw_field decodes or reports. */
static unsigned rd_raw_fields_fast(ug_rd *rd, ug_dsm_field *f, const ug_field_meta *m,
                                   unsigned n)
{
    const uint8_t *p = rd->p;
    const uint8_t *end = rd->end; /* local: the stores below may alias *rd */
    unsigned i = 0;
    for (; i < n; i++) {
        uint8_t t = m[i].builtin_type;
        size_t sz = ug_uadp_fixed_size(t);
        size_t left = (size_t)(end - p);
        if (m[i].value_rank != -1 || sz - 1 >= 8 || left < sz)
            break;
        uint64_t x;
        if (left >= 8) {
            memcpy(&x, p, 8);
            x &= low_mask[sz];
        } else {
            x = load_scalar(p, sz);
        }
        put_scalar(&f[i], i, t, x);
        p += sz;
    }
    rd->p = p;
    return i;
}

static void rd_raw_fields(ug_rd *rd, ug_dsm *d, const ug_dsm_layout *layout)
{
    if (!layout || layout->n_fields < 0) {
        /* No metadata: the fields cannot be split; keep them as a view. */
        size_t n = ug_rd_left(rd);
        d->raw = (ug_bytes){rd->p, (int32_t)n};
        rd->p = rd->end;
        return;
    }
    unsigned n = (unsigned)layout->n_fields;
    d->fields = alloc_fields(rd, n);
    if (!ug_rd_ok(rd))
        return;
    for (unsigned i = 0; i < n && ug_rd_ok(rd); i++) {
        i += rd_raw_fields_fast(rd, d->fields + i, layout->fields + i, n - i);
        if (i >= n)
            break;
        d->fields[i].index = (uint16_t)i;
        d->fields[i].name = UG_NULL_BYTES; /* UADP carries no field names */
        ug_uadp_rd_raw_field(rd, &d->fields[i], &layout->fields[i]);
    }
    d->field_count = (uint16_t)n;
}

void ug_uadp_rd_dsm(ug_rd *rd, ug_dsm *d, const ug_dsm_layout *layout, bool size_known)
{
    d->field_count = 0;
    d->fields = NULL;
    d->raw = UG_NULL_BYTES;
    d->padding = 0;
    d->configured_size = 0;
    d->writer_name = UG_NULL_BYTES; /* JSON only */
    const uint8_t *start = rd->p;
    /* §7.2.4.5.5 Padding: with a ConfiguredSize every DataSetMessage of the
     * writer has exactly that size. */
    if (size_known && layout && layout->configured_size &&
        (size_t)(rd->end - rd->p) != layout->configured_size) {
        ug_rd_fail(rd, UG_STATUS_BADDECODINGERROR);
        return;
    }
    rd_dsm_header(rd, d);
    if (!ug_rd_ok(rd))
        return;
    switch (d->type) {
    case UG_DSM_KEYFRAME:
        if (d->field_encoding == UG_FE_RAWDATA) {
            rd_raw_fields(rd, d, layout);
            break;
        }
        /* §7.2.4.5.5: a heartbeat is a key frame with only the header. */
        if (size_known && rd->p == rd->end)
            break;
        /* fallthrough */
    case UG_DSM_EVENT: {
        uint16_t n = ug_rd_u16(rd);
        d->fields = alloc_fields(rd, n);
        for (unsigned i = 0; i < n && ug_rd_ok(rd); i++) {
            if (d->field_encoding == UG_FE_VARIANT)
                i += rd_variant_fields_fast(rd, d->fields + i, n - i);
            if (i >= n)
                break;
            d->fields[i].index = (uint16_t)i;
            rd_field(rd, d, &d->fields[i]);
        }
        d->field_count = ug_rd_ok(rd) ? n : 0;
        break;
    }
    case UG_DSM_DELTAFRAME: {
        uint16_t n = ug_rd_u16(rd);
        /* Index + value: at least three bytes a field. */
        d->fields = alloc_fields(rd, n);
        for (unsigned i = 0; i < n && ug_rd_ok(rd); i++) {
            d->fields[i].index = ug_rd_u16(rd);
            rd_field(rd, d, &d->fields[i]);
        }
        d->field_count = ug_rd_ok(rd) ? n : 0;
        break;
    }
    default: /* keep-alive */
        break;
    }
    if (!ug_rd_ok(rd) || !size_known)
        return;
    /* What is left of a DataSetMessage of known size is ConfiguredSize padding:
     * zeros, or it is not a message we understand. */
    const uint8_t *q = rd->p;
    while (q < rd->end && *q == 0)
        q++;
    if (q != rd->end) {
        rd->p = q;
        ug_rd_fail(rd, UG_STATUS_BADDECODINGERROR);
        return;
    }
    size_t pad = (size_t)(rd->end - rd->p);
    size_t total = (size_t)(rd->end - start);
    /* Part 14 §6.3.1.3: ConfiguredSize is a UInt16, so no writer pads a
     * DataSetMessage past 65535 bytes; nor could configured_size say so. */
    if (pad && total > UINT16_MAX) {
        rd->p = start + UINT16_MAX;
        ug_rd_fail(rd, UG_STATUS_BADDECODINGERROR);
        return;
    }
    d->padding = (uint16_t)pad;
    rd->p = rd->end;
    /* Decoded, configured_size is the padded size seen on the wire, so that
     * re-encoding gives the same bytes; also without padding when the layout
     * fixes the size (a key frame with FieldCount 0 re-encodes as a heartbeat
     * without FieldCount: the padding then keeps the configured size). */
    if (pad || (layout && layout->configured_size))
        d->configured_size = (uint16_t)total;
}
