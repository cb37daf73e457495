/* clientserver/channel_send.c — messages out of a SecureChannel (Part 6
 * §6.7.2): security and sequence headers, cutting a message body into
 * chunks of the negotiated size, the peer's MaxMessageSize/MaxChunkCount,
 * abort chunks, and the channel's own messages (OPN, CLO, ERR,
 * ServiceFault), encoded by hand so that this layer needs no generated
 * codec.
 *
 * Cost: a message that fits one chunk is encoded straight into the output
 * buffer; a larger one is encoded once into a scratch buffer (kept) and
 * copied chunk by chunk. */
#define UG_CONN_INTERNAL
#include <stdlib.h>
#include <string.h>

#include "conn.h"

/* Part 6 §5.2.2.9: an ns=0 numeric NodeId in its shortest form. */
static void wr_type_id(ug_wr *wr, uint32_t id)
{
    if (id <= 0xff) {
        ug_wr_u8(wr, 0x00);
        ug_wr_u8(wr, (uint8_t)id);
    } else if (id <= 0xffff) {
        ug_wr_u8(wr, 0x01);
        ug_wr_u8(wr, 0);
        ug_wr_u16(wr, (uint16_t)id);
    } else {
        ug_wr_u8(wr, 0x02);
        ug_wr_u16(wr, 0);
        ug_wr_u32(wr, id);
    }
}

/* Part 4 §7.28. */
static void wr_request_header(ug_wr *wr, uint32_t handle)
{
    static const uint8_t null_nodeid[2] = {0, 0};
    static const uint8_t null_eo[3] = {0, 0, 0};
    ug_wr_bytes(wr, null_nodeid, 2);       /* AuthenticationToken */
    ug_wr_u64(wr, (uint64_t)ug_datetime_now());
    ug_wr_u32(wr, handle);
    ug_wr_u32(wr, 0);                      /* ReturnDiagnostics */
    ug_wr_string(wr, UG_NULL_BYTES);       /* AuditEntryId */
    ug_wr_u32(wr, 10000);                  /* TimeoutHint */
    ug_wr_bytes(wr, null_eo, 3);           /* AdditionalHeader */
}

/* Part 4 §7.29. */
static void wr_response_header(ug_wr *wr, uint32_t handle, ug_status result)
{
    static const uint8_t null_eo[3] = {0, 0, 0};
    ug_wr_u64(wr, (uint64_t)ug_datetime_now());
    ug_wr_u32(wr, handle);
    ug_wr_u32(wr, result);
    ug_wr_u8(wr, 0);                       /* ServiceDiagnostics: empty */
    ug_wr_u32(wr, (uint32_t)-1);           /* StringTable: null */
    ug_wr_bytes(wr, null_eo, 3);           /* AdditionalHeader */
}

static uint32_t next_seq(ug_conn *c)
{
    uint32_t s = c->send_seq;
    c->send_seq = s == UINT32_MAX ? 0 : s + 1; /* legacy wrap, §6.7.2.4 */
    return s;
}

/* Writes message, security and sequence headers of one chunk (§6.7.2.2);
 * MessageSize is patched by seal. Returns plain_off (start of the
 * sequence header). */
static size_t wr_chunk_headers(ug_wr *wr, ug_conn *c, enum ug_uacp_type type, uint8_t ct,
                               bool asym, uint32_t request_id)
{
    uint8_t hdr[8];
    ug_uacp_hdr_encode(hdr, type, ct, 0);
    ug_wr_bytes(wr, hdr, 8);
    ug_wr_u32(wr, c->channel_id);
    if (asym) {
        ug_wr_string(wr, ug_string_from(c->policy->uri));
        ug_wr_string(wr, c->policy->local_certificate(c->policy_ctx));
        ug_wr_string(wr, c->policy->remote_thumbprint(c->policy_ctx));
    } else {
        ug_wr_u32(wr, c->tok.id);
    }
    size_t plain_off = wr->len;
    ug_wr_u32(wr, next_seq(c));
    ug_wr_u32(wr, request_id);
    return plain_off;
}

static size_t headers_len(ug_conn *c, bool asym)
{
    ug_wr wr;
    ug_wr_init(&wr, NULL, 0);
    uint32_t keep = c->send_seq;
    size_t off = wr_chunk_headers(&wr, c, UG_UACP_MSG, 'F', asym, 0);
    c->send_seq = keep;
    return off;
}

/* Seals and commits a chunk written at p (cap bytes reserved). */
static ug_status seal_commit(ug_conn *c, uint8_t *p, bool asym, size_t plain_off, size_t end,
                             size_t cap)
{
    size_t out_len;
    ug_status st = c->policy->seal(c->policy_ctx, asym, c->tok.key_slot, p, plain_off, end, cap,
                                   &out_len);
    if (st != UG_STATUS_GOOD)
        return st;
    c->tx_len += out_len;
    c->stats.chunks_tx++;
    return UG_STATUS_GOOD;
}

/* Over the peer's limits: a client fails locally, a server answers with an
 * abort chunk (§6.7.2.4), which is its answer to the request. */
static ug_status too_large(ug_conn *c, uint32_t request_id)
{
    if (!c->is_server)
        return UG_STATUS_BADREQUESTTOOLARGE;
    ug_status st = ug_channel__send_abort(c, request_id, UG_STATUS_BADRESPONSETOOLARGE,
                                          "response over the client's limits");
    return st == UG_STATUS_GOOD ? UG_STATUS_BADRESPONSETOOLARGE : st;
}

/* A whole message: body = type id + enc(msg), cut into chunks. The common
 * case is tried first: encode straight into one chunk of the output
 * buffer; only when the body does not fit (wr.len then says its exact
 * size) is it encoded again into the scratch buffer and cut. */
static ug_status send_message(ug_conn *c, enum ug_uacp_type type, bool asym,
                              uint32_t request_id, uint32_t encoding_id, ug_conn_encode_fn enc,
                              const void *msg)
{
    /* §6.7.4: a server sends with the old token until the client uses the
     * new one or the old one expires, whichever comes first. */
    if (c->is_server && c->has_other && !asym &&
        ug_loop_now(c->loop) - c->tok.created_ns > (int64_t)c->tok.lifetime_ms * 1000000) {
        c->tok = c->other;
        c->has_other = false;
    }
    const size_t chunk = c->send_chunk;
    const size_t plain_off = asym ? headers_len(c, true) : UG_UACP_HDR + 8;
    const size_t body_cap = c->policy->max_body(c->policy_ctx, asym, chunk, plain_off);
    if (body_cap == 0 || plain_off + 8 + body_cap > chunk)
        return UG_STATUS_BADTCPINTERNALERROR;
    uint8_t *p = ug_conn__tx_reserve(c, chunk);
    if (!p)
        return UG_STATUS_BADRESOURCEUNAVAILABLE;
    const uint32_t seq_keep = c->send_seq;
    ug_wr wr;
    ug_wr_init(&wr, p, plain_off + 8 + body_cap);
    size_t off = wr_chunk_headers(&wr, c, type, 'F', asym, request_id);
    wr_type_id(&wr, encoding_id);
    enc(&wr, msg);
    if (wr.err != UG_STATUS_GOOD) {
        c->send_seq = seq_keep;
        return wr.err;
    }
    const size_t total = wr.len - off - 8;
    const size_t n_chunks = total ? (total + body_cap - 1) / body_cap : 1;
    /* §7.1.2.4: the peer's MaxMessageSize (body bytes) and MaxChunkCount. */
    if ((c->peer_max_message && total > c->peer_max_message) ||
        (c->peer_max_chunks && n_chunks > c->peer_max_chunks) || (asym && n_chunks > 1)) {
        c->send_seq = seq_keep;
        return too_large(c, request_id);
    }
    ug_status st;
    if (n_chunks == 1) {
        st = seal_commit(c, p, asym, off, wr.len, chunk);
        if (st != UG_STATUS_GOOD)
            return st;
    } else {
        c->send_seq = seq_keep; /* that chunk is dropped */
        if (c->tx_len - c->tx_off + n_chunks * chunk > c->lim.max_send_queue)
            return UG_STATUS_BADRESOURCEUNAVAILABLE;
        if (c->scratch_cap < total) {
            uint8_t *s = realloc(c->scratch, total);
            if (!s)
                return UG_STATUS_BADOUTOFMEMORY;
            c->scratch = s;
            c->scratch_cap = total;
        }
        ug_wr_init(&wr, c->scratch, total);
        wr_type_id(&wr, encoding_id);
        enc(&wr, msg);
        st = ug_wr_finish(&wr);
        if (st == UG_STATUS_GOOD && wr.len != total)
            st = UG_STATUS_BADENCODINGERROR; /* the encoder changed its mind */
        if (st != UG_STATUS_GOOD)
            return st;
        /* Reserve everything first so that no chunk is half queued. */
        if (!ug_conn__tx_reserve(c, n_chunks * chunk))
            return UG_STATUS_BADOUTOFMEMORY;
        for (size_t i = 0, pos = 0; i < n_chunks; i++) {
            size_t n = total - pos < body_cap ? total - pos : body_cap;
            p = c->tx + c->tx_len;
            ug_wr_init(&wr, p, chunk);
            off = wr_chunk_headers(&wr, c, type, i + 1 == n_chunks ? 'F' : 'C', asym,
                                   request_id);
            ug_wr_bytes(&wr, c->scratch + pos, n);
            pos += n;
            st = seal_commit(c, p, asym, off, wr.len, chunk);
            if (st != UG_STATUS_GOOD)
                return st;
        }
    }
    c->stats.messages_tx++;
    st = ug_conn__flush(c);
    return st == UG_STATUS_GOOD ? UG_STATUS_GOOD : UG_STATUS_BADCONNECTIONCLOSED;
}

ug_status ug_conn_send_raw(ug_conn *c, uint32_t request_id, uint32_t encoding_id,
                           ug_conn_encode_fn enc, const void *msg)
{
    if (!c || !enc)
        return UG_STATUS_BADINVALIDARGUMENT;
    if (c->state != UG_CS_OPEN)
        return UG_STATUS_BADSECURECHANNELCLOSED;
    return send_message(c, UG_UACP_MSG, false, request_id, encoding_id, enc, msg);
}

struct fault {
    uint32_t handle;
    ug_status result;
};

static void enc_fault(ug_wr *wr, const void *msg)
{
    const struct fault *f = msg;
    wr_response_header(wr, f->handle, f->result);
}

ug_status ug_conn_send_fault(ug_conn *c, uint32_t request_id, uint32_t request_handle,
                             ug_status service_result)
{
    struct fault f = {request_handle, service_result};
    return ug_conn_send_raw(c, request_id, UG_ID_SERVICE_FAULT, enc_fault, &f);
}

ug_status ug_channel__send_abort(ug_conn *c, uint32_t request_id, ug_status status,
                                 const char *reason)
{
    size_t chunk = c->send_chunk;
    uint8_t *p = ug_conn__tx_reserve(c, chunk);
    if (!p)
        return UG_STATUS_BADOUTOFMEMORY;
    ug_wr wr;
    ug_wr_init(&wr, p, chunk);
    size_t off = wr_chunk_headers(&wr, c, UG_UACP_MSG, 'A', false, request_id);
    ug_wr_u32(&wr, status);
    ug_wr_string(&wr, ug_string_from(reason));
    ug_status st = ug_wr_finish(&wr);
    if (st == UG_STATUS_GOOD)
        st = seal_commit(c, p, false, off, wr.len, chunk);
    if (st != UG_STATUS_GOOD)
        return st;
    ug_status fs = ug_conn__flush(c);
    return fs == UG_STATUS_GOOD ? UG_STATUS_GOOD : UG_STATUS_BADCONNECTIONCLOSED;
}

void ug_channel__queue_error(ug_conn *c, ug_status status, const char *reason)
{
    ug_wr wr;
    ug_wr_init(&wr, NULL, 0);
    ug_uacp_error_encode(&wr, status, reason);
    size_t n = wr.len;
    uint8_t *p = ug_conn__tx_reserve(c, n);
    if (!p)
        return; /* closing anyway */
    ug_wr_init(&wr, p, n);
    ug_uacp_error_encode(&wr, status, reason);
    c->tx_len += n;
}

/* ------------------------------------------------ OPN and CLO bodies ---- */

struct opn_req {
    uint32_t handle;
    int32_t request_type;
    uint32_t lifetime_ms;
    ug_bytes nonce;
};

/* Part 4 §5.5.2.2 OpenSecureChannelRequest. */
static void enc_opn_req(ug_wr *wr, const void *msg)
{
    const struct opn_req *r = msg;
    wr_request_header(wr, r->handle);
    ug_wr_u32(wr, 0);                     /* ClientProtocolVersion */
    ug_wr_u32(wr, (uint32_t)r->request_type);
    ug_wr_u32(wr, 1);                     /* SecurityMode None */
    ug_wr_string(wr, r->nonce);           /* ClientNonce */
    ug_wr_u32(wr, r->lifetime_ms);
}

/* A fresh nonce of the policy's length (§6.7.5); null when it has none. */
ug_status ug_channel__make_nonce(ug_conn *c, ug_bytes *out)
{
    uint32_t n = c->policy->nonce_len;
    if (n > sizeof c->local_nonce)
        return UG_STATUS_BADINTERNALERROR;
    ug_status st = c->policy->make_nonce(c->policy_ctx, c->local_nonce, n);
    c->local_nonce_len = n;
    *out = n ? (ug_bytes){c->local_nonce, (int32_t)n} : UG_NULL_BYTES;
    return st;
}

ug_status ug_channel__send_opn(ug_conn *c, bool renew)
{
    uint32_t id = ug_conn_next_request_id(c);
    struct opn_req r = {id, renew ? 1 : 0, c->lim.requested_lifetime_ms, UG_NULL_BYTES};
    ug_status st = ug_channel__make_nonce(c, &r.nonce);
    if (st != UG_STATUS_GOOD)
        return st;
    if (!renew)
        c->channel_id = 0;
    st = send_message(c, UG_UACP_OPN, true, id, UG_ID_OPEN_SECURE_CHANNEL_REQUEST,
                                enc_opn_req, &r);
    if (st == UG_STATUS_GOOD)
        c->opn_request_id = id;
    return st;
}

struct opn_resp {
    uint32_t handle;
    uint32_t channel_id;
    const struct ug_token *t;
    ug_bytes nonce;
};

/* Part 4 §5.5.2.2 OpenSecureChannelResponse. */
static void enc_opn_resp(ug_wr *wr, const void *msg)
{
    const struct opn_resp *r = msg;
    wr_response_header(wr, r->handle, UG_STATUS_GOOD);
    ug_wr_u32(wr, 0);                     /* ServerProtocolVersion */
    ug_wr_u32(wr, r->channel_id);         /* ChannelSecurityToken */
    ug_wr_u32(wr, r->t->id);
    ug_wr_u64(wr, (uint64_t)ug_datetime_now());
    ug_wr_u32(wr, r->t->lifetime_ms);
    ug_wr_string(wr, r->nonce);           /* ServerNonce */
}

ug_status ug_channel__send_opn_response(ug_conn *c, uint32_t request_id, uint32_t request_handle,
                                        const struct ug_token *t)
{
    struct opn_resp r = {request_handle, c->channel_id, t,
                         c->local_nonce_len ? (ug_bytes){c->local_nonce, (int32_t)c->local_nonce_len}
                                            : UG_NULL_BYTES};
    return send_message(c, UG_UACP_OPN, true, request_id, UG_ID_OPEN_SECURE_CHANNEL_RESPONSE,
                        enc_opn_resp, &r);
}

static void enc_clo(ug_wr *wr, const void *msg)
{
    const uint32_t *handle = msg;
    wr_request_header(wr, *handle);
}

ug_status ug_channel__send_clo(ug_conn *c)
{
    uint32_t id = ug_conn_next_request_id(c);
    return send_message(c, UG_UACP_CLO, false, id, UG_ID_CLOSE_SECURE_CHANNEL_REQUEST, enc_clo,
                        &id);
}
