/* UADP NetworkMessage header, Part 14 §7.2.4.4 (1.05; §7.2.2.2 in 1.04):
 * UADPFlags, ExtendedFlags1/2, PublisherId, DataSetClassId, GroupHeader,
 * PayloadHeader, extended header (Timestamp, PicoSeconds, PromotedFields) and
 * SecurityHeader. The payload, SecurityFooter and signature are message.c's.
 */
#include "uadp_internal.h"

/* Optional flag bytes are written only when one of their bits is needed, so
 * a decoded message re-encodes to the same bytes as long as the sender did
 * the same (every encoder we know does). */
static uint8_t ext2_flags(const ug_nm *nm)
{
    uint8_t f = (uint8_t)((nm->type & 0x07) << 2);
    if (nm->is_chunk)
        f |= UG_UADP_EXT2_CHUNK;
    if (nm->n_promoted > 0)
        f |= UG_UADP_EXT2_PROMOTED;
    return f;
}

static uint8_t ext1_flags(const ug_nm *nm)
{
    uint8_t f = 0;
    if (nm->publisher_id.type != UG_PUBID_NONE)
        f |= (uint8_t)(nm->publisher_id.type & UG_UADP_EXT1_PUBID_TYPE_MASK);
    if (nm->has_class_id)
        f |= UG_UADP_EXT1_CLASS_ID;
    if (nm->has_security)
        f |= UG_UADP_EXT1_SECURITY;
    if (nm->has_timestamp)
        f |= UG_UADP_EXT1_TIMESTAMP;
    if (nm->has_picoseconds)
        f |= UG_UADP_EXT1_PICOSECONDS;
    if (ext2_flags(nm))
        f |= UG_UADP_EXT1_EXT2;
    return f;
}

static void wr_publisher_id(ug_wr *wr, const ug_publisher_id *id)
{
    switch (id->type) {
    case UG_PUBID_BYTE:
        if (id->u64 > UINT8_MAX)
            ug_wr_fail(wr, UG_STATUS_BADINVALIDARGUMENT);
        ug_wr_u8(wr, (uint8_t)id->u64);
        break;
    case UG_PUBID_UINT16:
        if (id->u64 > UINT16_MAX)
            ug_wr_fail(wr, UG_STATUS_BADINVALIDARGUMENT);
        ug_wr_u16(wr, (uint16_t)id->u64);
        break;
    case UG_PUBID_UINT32:
        if (id->u64 > UINT32_MAX)
            ug_wr_fail(wr, UG_STATUS_BADINVALIDARGUMENT);
        ug_wr_u32(wr, (uint32_t)id->u64);
        break;
    case UG_PUBID_UINT64: ug_wr_u64(wr, id->u64); break;
    case UG_PUBID_STRING: ug_wr_string(wr, id->str); break;
    default: ug_wr_fail(wr, UG_STATUS_BADINVALIDARGUMENT);
    }
}

static void wr_group_header(ug_wr *wr, const ug_group_header *g, ug_uadp_fixed *rec)
{
    uint8_t f = 0;
    if (g->has_writer_group_id)
        f |= UG_GF_WRITER_GROUP_ID;
    if (g->has_group_version)
        f |= UG_GF_GROUP_VERSION;
    if (g->has_nm_number)
        f |= UG_GF_NM_NUMBER;
    if (g->has_seq)
        f |= UG_GF_SEQ;
    ug_wr_u8(wr, f);
    if (g->has_writer_group_id)
        ug_wr_u16(wr, g->writer_group_id);
    if (g->has_group_version)
        ug_wr_u32(wr, g->group_version); /* VersionTime */
    if (g->has_nm_number) {
        if (rec)
            rec->off_nm_number = (uint32_t)wr->len;
        ug_wr_u16(wr, g->nm_number);
    }
    if (g->has_seq) {
        if (rec)
            rec->off_group_seq = (uint32_t)wr->len;
        ug_wr_u16(wr, g->seq);
    }
}

/* PayloadHeader, §7.2.4.5.2 (DataSet: Count + DataSetWriterIds) or §7.2.4.4.4
 * (chunk: the DataSetWriterId alone). Discovery messages have none. */
static void wr_payload_header(ug_wr *wr, const ug_nm *nm, size_t *ids_off)
{
    if (nm->is_chunk) {
        ug_wr_u16(wr, nm->chunk.writer_id);
        return;
    }
    if (nm->n_dsm > UG_UADP_MAX_DSM) {
        ug_wr_fail(wr, UG_STATUS_BADENCODINGLIMITSEXCEEDED);
        return;
    }
    ug_wr_u8(wr, (uint8_t)nm->n_dsm);
    *ids_off = wr->len;
    for (unsigned i = 0; i < nm->n_dsm; i++)
        ug_wr_u16(wr, nm->dsm[i].writer_id);
}

static void wr_promoted(ug_wr *wr, const ug_nm *nm)
{
    /* §7.2.4.4.5: Size (UInt16, bytes of the fields that follow) + Variants. */
    size_t at = wr->len;
    ug_wr_u16(wr, 0);
    for (unsigned i = 0; i < nm->n_promoted; i++)
        ug_wr_variant(wr, &nm->promoted[i]);
    size_t n = wr->len - at - 2;
    if (n > UINT16_MAX) {
        ug_wr_fail(wr, UG_STATUS_BADENCODINGLIMITSEXCEEDED);
        return;
    }
    uint16_t sz = (uint16_t)n;
    ug_wr_patch(wr, at, &sz, 2);
}

static void wr_security_header(ug_wr *wr, const ug_security_header *s)
{
    /* §7.2.4.4.6 SecurityHeader. */
    if (s->flags & UG_SEC_RESERVED)
        ug_wr_fail(wr, UG_STATUS_BADINVALIDARGUMENT);
    ug_wr_u8(wr, s->flags);
    ug_wr_u32(wr, s->token_id);
    int32_t n = s->nonce.len > 0 ? s->nonce.len : 0;
    if (n > UINT8_MAX) {
        ug_wr_fail(wr, UG_STATUS_BADINVALIDARGUMENT);
        n = 0;
    }
    ug_wr_u8(wr, (uint8_t)n);
    ug_wr_bytes(wr, s->nonce.data, (size_t)n);
    if (s->flags & UG_SEC_FOOTER)
        ug_wr_u16(wr, s->footer_size);
}

void ug_uadp_wr_header(ug_wr *wr, const ug_nm *nm, ug_uadp_fixed *rec, size_t *ids_off)
{
    *ids_off = SIZE_MAX;
    if (nm->version != 1 || nm->type > UG_NM_DISCOVERY_RESPONSE ||
        (nm->publisher_id.type > UG_PUBID_STRING && nm->publisher_id.type != UG_PUBID_NONE)) {
        ug_wr_fail(wr, UG_STATUS_BADINVALIDARGUMENT);
        return;
    }
    bool dataset = nm->type == UG_NM_DATASET;
    uint8_t e1 = ext1_flags(nm);
    uint8_t e2 = ext2_flags(nm);
    uint8_t f = (uint8_t)(nm->version & UG_UADP_VERSION_MASK);
    if (nm->publisher_id.type != UG_PUBID_NONE)
        f |= UG_UADP_PUBID;
    if (nm->has_group_header)
        f |= UG_UADP_GROUP_HEADER;
    /* §7.2.4.6: the payload header is disabled for discovery messages. */
    if (nm->has_payload_header && dataset)
        f |= UG_UADP_PAYLOAD_HEADER;
    if (e1)
        f |= UG_UADP_EXT1;
    ug_wr_u8(wr, f);
    if (e1)
        ug_wr_u8(wr, e1);
    if (e2)
        ug_wr_u8(wr, e2);
    if (nm->publisher_id.type != UG_PUBID_NONE)
        wr_publisher_id(wr, &nm->publisher_id);
    if (nm->has_class_id)
        ug_wr_guid(wr, &nm->class_id);
    if (nm->has_group_header)
        wr_group_header(wr, &nm->group, rec);
    if (f & UG_UADP_PAYLOAD_HEADER)
        wr_payload_header(wr, nm, ids_off);
    if (nm->has_timestamp) {
        if (rec)
            rec->off_timestamp = (uint32_t)wr->len;
        ug_wr_u64(wr, (uint64_t)nm->timestamp);
    }
    if (nm->has_picoseconds) {
        if (rec)
            rec->off_picoseconds = (uint32_t)wr->len;
        ug_wr_u16(wr, nm->picoseconds);
    }
    if (nm->n_promoted > 0)
        wr_promoted(wr, nm);
    if (nm->has_security)
        wr_security_header(wr, &nm->security);
}

/* ---- decoding ---- */

/* The numeric PublisherIds; strings are read by the caller on the real cursor. */
static void rd_publisher_id(ug_rd *rd, ug_publisher_id *id)
{
    /* §7.2.4.4.2 ExtendedFlags1 bits 0-2; 5-7 are reserved. */
    switch (id->type) {
    case UG_PUBID_BYTE: id->u64 = ug_rd_u8(rd); break;
    case UG_PUBID_UINT16: id->u64 = ug_rd_u16(rd); break;
    case UG_PUBID_UINT32: id->u64 = ug_rd_u32(rd); break;
    case UG_PUBID_UINT64: id->u64 = ug_rd_u64(rd); break;
    default: ug_rd_fail(rd, UG_STATUS_BADDECODINGERROR);
    }
}

static void rd_group_header(ug_rd *rd, ug_group_header *g)
{
    uint8_t f = ug_rd_u8(rd);
    if (f & UG_GF_RESERVED) {
        rd->p--; /* report the flags byte */
        ug_rd_fail(rd, UG_STATUS_BADDECODINGERROR);
        return;
    }
    g->has_writer_group_id = f & UG_GF_WRITER_GROUP_ID;
    g->has_group_version = f & UG_GF_GROUP_VERSION;
    g->has_nm_number = f & UG_GF_NM_NUMBER;
    g->has_seq = f & UG_GF_SEQ;
    g->writer_group_id = g->has_writer_group_id ? ug_rd_u16(rd) : 0;
    g->group_version = g->has_group_version ? ug_rd_u32(rd) : 0;
    g->nm_number = g->has_nm_number ? ug_rd_u16(rd) : 0;
    g->seq = g->has_seq ? ug_rd_u16(rd) : 0;
}

static void rd_promoted(ug_rd *rd, ug_nm *nm)
{
    uint16_t size = ug_rd_u16(rd);
    const uint8_t *start = rd->p;
    if (!ug_rd_take(rd, size))
        return;
    /* Count first on a sub-cursor, then decode into an exact array. The
     * counting pass's arena use (arrays inside the Variants) is given back,
     * so the fields take their storage once, not twice. */
    ug_rd sub = *rd;
    sub.p = start;
    sub.end = start + size;
    size_t mark = rd->arena ? rd->arena->used : 0;
    unsigned n = 0;
    while (sub.p < sub.end && ug_rd_ok(&sub)) {
        ug_variant v;
        ug_rd_variant(&sub, &v);
        n++;
    }
    if (rd->arena)
        rd->arena->used = mark;
    if (!ug_rd_ok(&sub) || n == 0 || n > UINT16_MAX) {
        rd->p = sub.p;
        rd->end = sub.end;
        ug_rd_fail(rd, ug_rd_ok(&sub) ? UG_STATUS_BADDECODINGERROR : sub.err);
        return;
    }
    nm->promoted = ug_uadp_alloc(rd, n * sizeof(ug_variant));
    if (!nm->promoted)
        return;
    sub.p = start;
    for (unsigned i = 0; i < n; i++)
        ug_rd_variant(&sub, &nm->promoted[i]);
    nm->n_promoted = (uint16_t)n;
}

static void rd_security_header(ug_rd *rd, ug_security_header *s)
{
    s->flags = ug_rd_u8(rd);
    if (s->flags & UG_SEC_RESERVED) {
        rd->p--;
        ug_rd_fail(rd, UG_STATUS_BADDECODINGERROR);
        return;
    }
    s->token_id = ug_rd_u32(rd);
    uint8_t n = ug_rd_u8(rd);
    const uint8_t *nonce = ug_rd_take(rd, n);
    s->nonce = nonce ? (ug_bytes){nonce, n} : UG_NULL_BYTES;
    s->footer_size = (s->flags & UG_SEC_FOOTER) ? ug_rd_u16(rd) : 0;
}

void ug_uadp_rd_header(ug_rd *rd, ug_nm *nm, const ug_uadp_decode_opts *opts,
                       ug_uadp_frame *frame)
{
    (void)opts;
    ug_rd r = *rd; /* see ug_uadp_rd_sync */
    uint8_t f = ug_rd_u8(&r);
    if (__builtin_expect(!ug_rd_ok(&r), 0)) {
        ug_uadp_rd_sync(rd, &r);
        return;
    }
    nm->version = f & UG_UADP_VERSION_MASK;
    if (__builtin_expect(nm->version != 1, 0)) {
        rd->p = r.p - 1;
        ug_rd_fail(rd, UG_STATUS_BADPROTOCOLVERSIONUNSUPPORTED);
        return;
    }
    uint8_t e1 = (f & UG_UADP_EXT1) ? ug_rd_u8(&r) : 0;
    uint8_t e2 = (e1 & UG_UADP_EXT1_EXT2) ? ug_rd_u8(&r) : 0;
    if (!ug_rd_ok(&r))
        goto out;
    /* ExtendedFlags2 bits 5-7 are reserved; types 3-7 of bits 2-4 too. */
    if ((e2 & 0xE0) || ((e2 & UG_UADP_EXT2_TYPE_MASK) >> 2) > UG_NM_DISCOVERY_RESPONSE) {
        r.p--;
        ug_rd_fail(&r, UG_STATUS_BADDECODINGERROR);
        goto out;
    }
    nm->type = (uint8_t)((e2 & UG_UADP_EXT2_TYPE_MASK) >> 2);
    nm->is_chunk = e2 & UG_UADP_EXT2_CHUNK;
    if (nm->is_chunk)
        nm->chunk = (ug_chunk){.data = UG_NULL_BYTES};

    if (f & UG_UADP_PUBID) {
        nm->publisher_id.type = e1 & UG_UADP_EXT1_PUBID_TYPE_MASK;
        if (nm->publisher_id.type == UG_PUBID_STRING) {
            ug_uadp_rd_sync(rd, &r);
            nm->publisher_id.str = ug_rd_string(rd); /* view */
            r = *rd;
        } else {
            rd_publisher_id(&r, &nm->publisher_id);
        }
    } else if (e1 & UG_UADP_EXT1_PUBID_TYPE_MASK) {
        /* A PublisherId type without a PublisherId says the sender is confused. */
        ug_rd_fail(&r, UG_STATUS_BADDECODINGERROR);
        goto out;
    }
    nm->has_class_id = e1 & UG_UADP_EXT1_CLASS_ID;
    if (nm->has_class_id) {
        const uint8_t *q = ug_rd_take(&r, 16);
        if (q)
            memcpy(&nm->class_id, q, 16); /* ug_guid's memory layout is its wire layout */
    }
    nm->has_group_header = f & UG_UADP_GROUP_HEADER;
    if (nm->has_group_header)
        rd_group_header(&r, &nm->group);

    nm->has_payload_header = f & UG_UADP_PAYLOAD_HEADER;
    frame->count = 0;
    frame->writer_ids = NULL;
    if (nm->has_payload_header) {
        if (nm->type != UG_NM_DATASET) {
            ug_rd_fail(&r, UG_STATUS_BADDECODINGERROR);
            goto out;
        }
        if (nm->is_chunk) {
            nm->chunk.writer_id = ug_rd_u16(&r); /* §7.2.4.4.4 Table 158 */
        } else {
            uint8_t count = ug_rd_u8(&r);
            frame->writer_ids = ug_rd_take(&r, 2u * count);
            /* §7.2.4.5.2: at least one DataSetMessage in a DataSet payload. */
            if (ug_rd_ok(&r) && count == 0) {
                r.p--;
                ug_rd_fail(&r, UG_STATUS_BADDECODINGERROR);
                goto out;
            }
            frame->count = count;
            nm->n_dsm = count;
        }
    }
    nm->has_timestamp = e1 & UG_UADP_EXT1_TIMESTAMP;
    if (nm->has_timestamp)
        nm->timestamp = (ug_datetime)ug_rd_u64(&r);
    nm->has_picoseconds = e1 & UG_UADP_EXT1_PICOSECONDS;
    if (nm->has_picoseconds)
        nm->picoseconds = ug_rd_u16(&r);
    nm->has_security = e1 & UG_UADP_EXT1_SECURITY;
    if ((e2 & UG_UADP_EXT2_PROMOTED) || nm->has_security) {
        /* Variable-size parts, on the real cursor. */
        ug_uadp_rd_sync(rd, &r);
        if (e2 & UG_UADP_EXT2_PROMOTED)
            rd_promoted(rd, nm);
        if (nm->has_security)
            rd_security_header(rd, &nm->security);
        return;
    }
out:
    ug_uadp_rd_sync(rd, &r);
}
