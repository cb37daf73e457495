/* UADP NetworkMessage entry points: the payloads (DataSet payload with its
 * sizes array, §7.2.4.5.3; chunk payload, §7.2.4.4.4; discovery probe and
 * announcement, §7.2.4.6), SecurityFooter and signature (§7.2.4.4.1), and the
 * public encode/decode functions of uadp.h.
 */
#include "uadp_internal.h"

/* ---- encoding ---- */

static void wr_dataset_payload(ug_wr *wr, const ug_nm *nm, ug_uadp_fixed *rec)
{
    if (nm->n_dsm > UG_UADP_MAX_DSM) {
        ug_wr_fail(wr, UG_STATUS_BADENCODINGLIMITSEXCEEDED);
        return;
    }
    if (nm->n_dsm == 0) {
        /* §7.2.4.5.2: a DataSet payload holds at least one DataSetMessage. */
        ug_wr_fail(wr, UG_STATUS_BADINVALIDARGUMENT);
        return;
    }
    /* §7.2.4.5.3: Sizes only with a PayloadHeader and more than one message. */
    bool sizes = nm->has_payload_header && nm->n_dsm > 1;
    size_t sizes_at = wr->len;
    if (sizes)
        ug_wr_zeros(wr, 2u * nm->n_dsm);
    for (unsigned i = 0; i < nm->n_dsm; i++) {
        size_t start = wr->len;
        ug_uadp_wr_dsm(wr, &nm->dsm[i], rec);
        size_t n = wr->len - start;
        if (!sizes)
            continue;
        if (n > UINT16_MAX) {
            ug_wr_fail(wr, UG_STATUS_BADENCODINGLIMITSEXCEEDED);
            return;
        }
        uint16_t sz = (uint16_t)n;
        ug_wr_patch(wr, sizes_at + 2u * i, &sz, 2);
    }
}

static void wr_discovery(ug_wr *wr, const ug_nm *nm)
{
    if (nm->type == UG_NM_DISCOVERY_REQUEST) {
        /* §7.2.4.6.12: ProbeType, then (Publisher information probe,
         * §7.2.4.6.12.4) InformationType and, for the DataSetWriter related
         * types, DataSetWriterIds UInt16[]. */
        const ug_discovery_request *q = &nm->disc_req;
        ug_wr_u8(wr, q->request_type);
        ug_wr_u8(wr, q->information_type);
        if (q->request_type != 1 || q->information_type < 1 || q->information_type > 3) {
            ug_wr_fail(wr, UG_STATUS_BADNOTSUPPORTED);
            return;
        }
        if (q->information_type != 1)
            ug_wr_array(wr, UG_TYPE_UINT16, q->writer_ids, q->n_writer_ids);
        return;
    }
    /* §7.2.4.6.3: AnnouncementType, SequenceNumber, then the message. */
    const ug_discovery_response *r = &nm->disc_resp;
    ug_wr_u8(wr, r->response_type);
    ug_wr_u16(wr, r->seq);
    if (r->response_type == UG_DISC_DATASET_METADATA) {
        /* §7.2.4.6.4: DataSetWriterId, MetaData, statusCode. */
        ug_wr_u16(wr, r->writer_id);
        ug_wr_dataset_metadata(wr, &r->metadata);
        ug_wr_u32(wr, r->status);
    } else if (r->response_type == 0) {
        ug_wr_fail(wr, UG_STATUS_BADINVALIDARGUMENT);
    } else if (r->body.len > 0) {
        ug_wr_bytes(wr, r->body.data, (size_t)r->body.len);
    }
}

static void wr_security_trailer(ug_wr *wr, const ug_nm *nm)
{
    const ug_security_header *s = &nm->security;
    if (s->flags & UG_SEC_FOOTER) {
        if (s->footer.len > 0 && s->footer.len != s->footer_size) {
            ug_wr_fail(wr, UG_STATUS_BADINVALIDARGUMENT);
            return;
        }
        if (s->footer.len > 0)
            ug_wr_bytes(wr, s->footer.data, (size_t)s->footer.len);
        else
            ug_wr_zeros(wr, s->footer_size);
    }
    if (s->signature.len > 0)
        ug_wr_bytes(wr, s->signature.data, (size_t)s->signature.len);
}

/* The one encoder: ug_uadp_encode, ug_uadp_encode_frame and the fixed-layout
 * set-up all come through here. */
ug_status ug_uadp_encode_rec(const ug_nm *nm, void *buf, size_t cap, size_t *out_len,
                             ug_uadp_frame *frame, ug_uadp_fixed *rec)
{
    ug_wr wr;
    ug_wr_init(&wr, buf, cap);
    size_t ids_off;
    ug_uadp_wr_header(&wr, nm, rec, &ids_off);
    size_t payload_off = wr.len;
    if (nm->is_chunk) {
        /* §7.2.4.4.4 Table 159. */
        ug_wr_u16(&wr, nm->chunk.msg_seq);
        ug_wr_u32(&wr, nm->chunk.offset);
        ug_wr_u32(&wr, nm->chunk.total_size);
        ug_wr_string(&wr, nm->chunk.data);
    } else if (nm->type == UG_NM_DATASET) {
        wr_dataset_payload(&wr, nm, rec);
    } else {
        wr_discovery(&wr, nm);
    }
    size_t payload_end = wr.len;
    if (nm->has_security)
        wr_security_trailer(&wr, nm);
    if (out_len)
        *out_len = wr.len;
    if (frame) {
        frame->payload_off = payload_off;
        frame->payload_end = payload_end;
        frame->footer_off = payload_end;
        frame->signature_off =
            wr.len - (nm->has_security && nm->security.signature.len > 0
                          ? (size_t)nm->security.signature.len
                          : 0);
        frame->len = wr.len;
        bool ids = ids_off != SIZE_MAX && wr.len <= wr.cap;
        frame->count = ids ? (uint8_t)nm->n_dsm : 0;
        frame->writer_ids = ids ? wr.buf + ids_off : NULL;
    }
    return ug_wr_finish(&wr);
}

ug_status ug_uadp_encode(const ug_nm *nm, void *buf, size_t cap, size_t *out_len)
{
    return ug_uadp_encode_rec(nm, buf, cap, out_len, NULL, NULL);
}

ug_status ug_uadp_encode_frame(const ug_nm *nm, void *buf, size_t cap, size_t *out_len,
                               ug_uadp_frame *frame)
{
    return ug_uadp_encode_rec(nm, buf, cap, out_len, frame, NULL);
}

size_t ug_uadp_encoded_size(const ug_nm *nm)
{
    size_t n = 0;
    ug_status s = ug_uadp_encode_rec(nm, NULL, 0, &n, NULL, NULL);
    return (s == UG_STATUS_GOOD || s == UG_STATUS_BADENCODINGLIMITSEXCEEDED) ? n : 0;
}

/* ---- decoding ---- */

static const ug_uadp_decode_opts no_opts;

/* ug_nm_init clears all of ug_nm (472 bytes, most of it discovery payload
 * that a DataSet message never touches); on the receive path only the header
 * part is cleared, the payload parts when their kind is decoded. */
static void nm_reset(ug_nm *nm)
{
    /* Member by member: a memset of this size becomes `rep stos`, which alone
     * cost a fifth of a small message's decode. */
    nm->version = 1;
    nm->type = UG_NM_DATASET;
    nm->publisher_id.type = UG_PUBID_NONE;
    nm->publisher_id.u64 = 0;
    nm->publisher_id.str = UG_NULL_BYTES;
    nm->has_class_id = false;
    nm->class_id = (ug_guid){0};
    nm->has_group_header = false;
    nm->group = (ug_group_header){0};
    nm->has_payload_header = false;
    nm->has_timestamp = false;
    nm->has_picoseconds = false;
    nm->timestamp = 0;
    nm->picoseconds = 0;
    nm->n_promoted = 0;
    nm->promoted = NULL;
    nm->has_security = false;
    nm->security.flags = 0;
    nm->security.token_id = 0;
    nm->security.footer_size = 0;
    nm->security.nonce = UG_NULL_BYTES;
    nm->security.footer = UG_NULL_BYTES;
    nm->security.signature = UG_NULL_BYTES;
    nm->is_chunk = false;
    nm->n_dsm = 0;
    nm->dsm = NULL;
    nm->message_id = UG_NULL_BYTES;
    nm->writer_group_name = UG_NULL_BYTES;
}

static ug_status done(const ug_rd *rd, size_t *err_offset)
{
    if (err_offset)
        *err_offset = ug_rd_ok(rd) ? 0 : ug_rd_offset(rd);
    return rd->err;
}

/* Header and frame, on a cursor over the whole message. */
static void rd_header_frame(ug_rd *rd, size_t len, ug_nm *out, const ug_uadp_decode_opts *opts,
                            ug_uadp_frame *frame)
{
    nm_reset(out);
    ug_uadp_rd_header(rd, out, opts, frame);
    if (!ug_rd_ok(rd))
        return;
    frame->len = len;
    frame->payload_off = ug_rd_offset(rd);
    size_t sig = 0, footer = 0;
    if (out->has_security) {
        if (out->security.flags & UG_SEC_SIGNED)
            sig = opts->signature_len;
        footer = out->security.footer_size;
    }
    if (ug_rd_left(rd) < sig + footer) {
        ug_rd_fail(rd, UG_STATUS_BADDECODINGERROR);
        return;
    }
    frame->signature_off = len - sig;
    frame->footer_off = frame->signature_off - footer;
    frame->payload_end = frame->footer_off;
}

ug_status ug_uadp_decode_header(const void *buf, size_t len, ug_nm *out,
                                const ug_uadp_decode_opts *opts, ug_uadp_frame *frame,
                                size_t *err_offset)
{
    if (!opts)
        opts = &no_opts;
    ug_rd rd;
    ug_rd_init(&rd, buf, len, opts->limits, opts->arena);
    rd_header_frame(&rd, len, out, opts, frame);
    return done(&rd, err_offset);
}

static const ug_dsm_layout *find_layout(const ug_uadp_decode_opts *o, uint16_t writer_id)
{
    for (size_t i = 0; i < o->n_layouts; i++)
        if (o->layouts[i].writer_id == writer_id)
            return &o->layouts[i];
    return NULL;
}

/* Decode one DataSetMessage on a sub-cursor ending at `end`. */
static void rd_dsm_in(ug_rd *rd, ug_dsm *d, const ug_dsm_layout *layout, const uint8_t *end,
                      bool size_known)
{
    ug_rd sub = *rd;
    sub.end = end;
    ug_uadp_rd_dsm(&sub, d, layout, size_known);
    rd->p = sub.p;
    if (!ug_rd_ok(&sub))
        ug_rd_fail(rd, sub.err);
}

static void rd_dataset_payload(ug_rd *rd, ug_nm *nm, const ug_uadp_frame *fr,
                               const ug_uadp_decode_opts *o)
{
    unsigned max = o->max_dsm ? o->max_dsm : UG_UADP_MAX_DSM;
    if (nm->has_payload_header) {
        unsigned n = fr->count;
        if (n > max) {
            ug_rd_fail(rd, UG_STATUS_BADENCODINGLIMITSEXCEEDED);
            return;
        }
        nm->dsm = ug_uadp_alloc(rd, n * sizeof(ug_dsm));
        const uint8_t *sizes = n > 1 ? ug_rd_take(rd, 2u * n) : NULL;
        if (!ug_rd_ok(rd))
            return;
        for (unsigned i = 0; i < n && ug_rd_ok(rd); i++) {
            ug_dsm *d = &nm->dsm[i];
            const uint8_t *end = rd->end;
            if (sizes) {
                size_t sz = (size_t)(sizes[2 * i] | (sizes[2 * i + 1] << 8));
                if (sz == 0 || sz > ug_rd_left(rd)) {
                    rd->p = sizes + 2 * i; /* blame the size entry */
                    ug_rd_fail(rd, UG_STATUS_BADDECODINGERROR);
                    return;
                }
                end = rd->p + sz;
            }
            d->writer_id = ug_uadp_frame_writer_id(fr, i);
            d->has_writer_id = true;
            rd_dsm_in(rd, d, find_layout(o, d->writer_id), end, true);
        }
        if (ug_rd_ok(rd) && rd->p != rd->end)
            ug_rd_fail(rd, UG_STATUS_BADDECODINGERROR); /* bytes no size accounts for */
        return;
    }
    /* No PayloadHeader: the layouts say, by position, what follows. Without
     * layouts the payload is one DataSetMessage. */
    size_t cap = o->n_layouts ? o->n_layouts : 1;
    if (cap > max)
        cap = max;
    if (rd->p == rd->end) {
        ug_rd_fail(rd, UG_STATUS_BADDECODINGERROR); /* at least one, §7.2.4.5.2 */
        return;
    }
    nm->dsm = ug_uadp_alloc(rd, cap * sizeof(ug_dsm));
    unsigned i = 0;
    while (ug_rd_ok(rd) && rd->p < rd->end) {
        if (i >= cap) {
            ug_rd_fail(rd, i >= max ? UG_STATUS_BADENCODINGLIMITSEXCEEDED
                                    : UG_STATUS_BADDECODINGERROR);
            return;
        }
        const ug_dsm_layout *l = i < o->n_layouts ? &o->layouts[i] : NULL;
        const uint8_t *end = rd->end;
        bool known = true;
        if (l && l->configured_size) {
            if (l->configured_size > ug_rd_left(rd)) {
                ug_rd_fail(rd, UG_STATUS_BADDECODINGERROR);
                return;
            }
            end = rd->p + l->configured_size;
        } else if (i + 1 < cap) {
            known = false; /* ends where its fields end */
        }
        ug_dsm *d = &nm->dsm[i];
        d->writer_id = l ? l->writer_id : 0;
        d->has_writer_id = false;
        rd_dsm_in(rd, d, l, end, known);
        i++;
        nm->n_dsm = (uint16_t)i;
    }
}

static void rd_discovery(ug_rd *rd, ug_nm *nm)
{
    ug_nm tmp;
    ug_nm_init(&tmp);
    nm->disc_req = tmp.disc_req;
    nm->disc_resp = tmp.disc_resp;
    if (nm->type == UG_NM_DISCOVERY_REQUEST) {
        ug_discovery_request *q = &nm->disc_req;
        q->request_type = ug_rd_u8(rd);
        q->information_type = ug_rd_u8(rd);
        q->n_writer_ids = -1;
        q->writer_ids = NULL;
        if (!ug_rd_ok(rd))
            return;
        if (q->request_type != 1 || q->information_type < 1 || q->information_type > 3) {
            rd->p -= q->request_type != 1 ? 2 : 1;
            ug_rd_fail(rd, q->request_type == 0 || q->information_type == 0
                               ? UG_STATUS_BADDECODINGERROR
                               : UG_STATUS_BADNOTSUPPORTED);
            return;
        }
        if (q->information_type != 1)
            q->writer_ids = ug_rd_array(rd, UG_TYPE_UINT16, &q->n_writer_ids);
        return;
    }
    ug_discovery_response *r = &nm->disc_resp;
    r->response_type = ug_rd_u8(rd);
    r->seq = ug_rd_u16(rd);
    if (!ug_rd_ok(rd))
        return;
    if (r->response_type == 0) {
        rd->p -= 3;
        ug_rd_fail(rd, UG_STATUS_BADDECODINGERROR);
        return;
    }
    if (r->response_type == UG_DISC_DATASET_METADATA) {
        r->writer_id = ug_rd_u16(rd);
        ug_rd_dataset_metadata(rd, &r->metadata);
        r->status = ug_rd_u32(rd);
        return;
    }
    size_t n = ug_rd_left(rd);
    r->body = (ug_bytes){ug_rd_take(rd, n), (int32_t)n};
}

/* The payload on a cursor at frame->payload_off that ends at payload_end. */
static void rd_payload(ug_rd *rd, const uint8_t *buf, size_t len, const ug_uadp_frame *frame,
                       ug_nm *nm, const ug_uadp_decode_opts *opts)
{
    if (nm->is_chunk) {
        ug_chunk *c = &nm->chunk;
        c->msg_seq = ug_rd_u16(rd);
        c->offset = ug_rd_u32(rd);
        c->total_size = ug_rd_u32(rd);
        c->data = ug_rd_string(rd);
        if (ug_rd_ok(rd) && (c->data.len < 0 || c->offset > c->total_size ||
                             (uint32_t)c->data.len > c->total_size - c->offset)) {
            rd->p -= c->data.len > 0 ? (size_t)c->data.len + 4 : 4;
            ug_rd_fail(rd, UG_STATUS_BADDECODINGERROR);
        }
    } else if (nm->type == UG_NM_DATASET) {
        rd_dataset_payload(rd, nm, frame, opts);
    } else {
        rd_discovery(rd, nm);
    }
    if (ug_rd_ok(rd) && rd->p != rd->end)
        ug_rd_fail(rd, UG_STATUS_BADDECODINGERROR); /* trailing bytes */
    if (ug_rd_ok(rd) && nm->has_security) {
        ug_security_header *s = &nm->security;
        if (s->flags & UG_SEC_FOOTER)
            s->footer = (ug_bytes){buf + frame->footer_off,
                                   (int32_t)(frame->signature_off - frame->footer_off)};
        if (frame->signature_off < len)
            s->signature = (ug_bytes){buf + frame->signature_off,
                                      (int32_t)(len - frame->signature_off)};
    }
}

ug_status ug_uadp_decode_payload(const void *buf, size_t len, const ug_uadp_frame *frame,
                                 ug_nm *nm, const ug_uadp_decode_opts *opts,
                                 size_t *err_offset)
{
    if (!opts)
        opts = &no_opts;
    ug_rd rd;
    if (frame->payload_end > len || frame->payload_off > frame->payload_end ||
        frame->signature_off > len || frame->footer_off > frame->signature_off) {
        ug_rd_init(&rd, buf, 0, opts->limits, opts->arena);
        ug_rd_fail(&rd, UG_STATUS_BADINVALIDARGUMENT);
        return done(&rd, err_offset);
    }
    ug_rd_init(&rd, buf, frame->payload_end, opts->limits, opts->arena);
    if (ug_rd_ok(&rd)) {
        rd.p += frame->payload_off;
        rd_payload(&rd, buf, len, frame, nm, opts);
    }
    return done(&rd, err_offset);
}

ug_status ug_uadp_decode(const void *buf, size_t len, ug_nm *out,
                         const ug_uadp_decode_opts *opts, size_t *err_offset)
{
    if (!opts)
        opts = &no_opts;
    /* One cursor for both halves: the header leaves it at the payload. */
    ug_uadp_frame frame;
    ug_rd rd;
    ug_rd_init(&rd, buf, len, opts->limits, opts->arena);
    rd_header_frame(&rd, len, out, opts, &frame);
    if (!ug_rd_ok(&rd))
        return done(&rd, err_offset);
    if (out->has_security && (out->security.flags & UG_SEC_ENCRYPTED)) {
        /* The payload must be decrypted first (uadp_ext.h). */
        if (err_offset)
            *err_offset = frame.payload_off;
        return UG_STATUS_BADNOTSUPPORTED;
    }
    rd.end = rd.start + frame.payload_end;
    rd_payload(&rd, buf, len, &frame, out, opts);
    return done(&rd, err_offset);
}
