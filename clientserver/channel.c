/* clientserver/channel.c — what a received chunk means (Part 6 §7.1 UACP
 * and §6.7 SecureChannel), for both roles: Hello/Acknowledge negotiation,
 * ReverseHello, Error, OpenSecureChannel issue and renew with token
 * rollover, CloseSecureChannel, and MSG chunks with their security and
 * sequence headers, reassembly and abort chunks. Sending lives in
 * channel_send.c. */
#define UG_CONN_INTERNAL
#include <stdlib.h>
#include <string.h>

#include "conn.h"

/* ------------------------------------------------------- header readers -- */

/* Part 4 §7.28 RequestHeader; only RequestHandle matters here. */
void ug_channel__rd_request_header(ug_rd *rd, uint32_t *request_handle)
{
    ug_nodeid auth;
    ug_extension_object eo;
    ug_rd_nodeid(rd, &auth);        /* AuthenticationToken */
    (void)ug_rd_u64(rd);            /* Timestamp */
    *request_handle = ug_rd_u32(rd);
    (void)ug_rd_u32(rd);            /* ReturnDiagnostics */
    (void)ug_rd_string(rd);         /* AuditEntryId */
    (void)ug_rd_u32(rd);            /* TimeoutHint */
    ug_rd_extension_object(rd, &eo); /* AdditionalHeader */
}

/* Part 4 §7.29 ResponseHeader. */
void ug_channel__rd_response_header(ug_rd *rd, uint32_t *request_handle, ug_status *result)
{
    ug_diagnostic_info di;
    ug_extension_object eo;
    (void)ug_rd_u64(rd); /* Timestamp */
    *request_handle = ug_rd_u32(rd);
    *result = ug_rd_u32(rd);
    ug_rd_diagnostic_info(rd, &di); /* nested ones need rd->arena */
    int32_t n = (int32_t)ug_rd_u32(rd); /* StringTable */
    for (int32_t i = 0; i < n && ug_rd_ok(rd); i++)
        (void)ug_rd_string(rd);
    ug_rd_extension_object(rd, &eo);
}

/* ------------------------------------------------------- hello / ack ---- */

static bool copy_url(ug_conn *c, ug_string url)
{
    free(c->endpoint_url);
    size_t n = url.len > 0 ? (size_t)url.len : 0;
    c->endpoint_url = malloc(n + 1);
    if (!c->endpoint_url)
        return false;
    if (n)
        memcpy(c->endpoint_url, url.data, n);
    c->endpoint_url[n] = '\0';
    c->endpoint_url_len = (uint32_t)n;
    return true;
}

/* Server: Hello (§7.1.2.3) -> Acknowledge with revised sizes (§7.1.2.4). */
static void on_hello(ug_conn *c, const uint8_t *body, size_t len)
{
    struct ug_uacp_hello h;
    ug_status st = ug_uacp_hello_decode(body, len, true, &h);
    if (st != UG_STATUS_GOOD) {
        ug_conn__fail(c, st, st == UG_STATUS_BADTCPENDPOINTURLINVALID
                                 ? "EndpointUrl longer than 4096 bytes"
                                 : "malformed Hello",
                      true);
        return;
    }
    /* Both buffers shall be at least 8192 bytes. */
    if (h.recv_buf_size < UG_UACP_MIN_BUF || h.send_buf_size < UG_UACP_MIN_BUF) {
        ug_conn__fail(c, UG_STATUS_BADCONNECTIONREJECTED, "buffer sizes below 8192", true);
        return;
    }
    if (!copy_url(c, h.endpoint_url)) {
        ug_conn__fail(c, UG_STATUS_BADTCPNOTENOUGHRESOURCES, NULL, true);
        return;
    }
    /* Revise down: we receive chunks no larger than the client sends or
     * we take, and send chunks no larger than it receives or we send. */
    c->recv_chunk = h.send_buf_size < c->lim.recv_buf_size ? h.send_buf_size
                                                           : c->lim.recv_buf_size;
    c->send_chunk = h.recv_buf_size < c->lim.send_buf_size ? h.recv_buf_size
                                                           : c->lim.send_buf_size;
    c->peer_max_message = h.max_message_size;
    c->peer_max_chunks = h.max_chunk_count;
    struct ug_uacp_hello ack = {
        .protocol_version = 0,
        .recv_buf_size = c->recv_chunk,
        .send_buf_size = c->send_chunk,
        .max_message_size = c->lim.max_message_size,
        .max_chunk_count = c->lim.max_chunk_count,
    };
    ug_wr wr;
    uint8_t *p = ug_conn__tx_reserve(c, 28);
    if (!p) {
        ug_conn__fail(c, UG_STATUS_BADTCPNOTENOUGHRESOURCES, NULL, false);
        return;
    }
    ug_wr_init(&wr, p, 28);
    ug_uacp_hello_encode(&wr, UG_UACP_ACK, &ack);
    c->tx_len += wr.len;
    c->state = UG_CS_WAIT_OPN;
    ug_conn__flush(c);
}

/* Client: Acknowledge -> OPN issue. */
static void on_ack(ug_conn *c, const uint8_t *body, size_t len)
{
    struct ug_uacp_hello a;
    ug_status st = ug_uacp_hello_decode(body, len, false, &a);
    if (st != UG_STATUS_GOOD) {
        ug_conn__fail(c, st, "malformed Acknowledge", false);
        return;
    }
    if (a.recv_buf_size < UG_UACP_MIN_BUF || a.send_buf_size < UG_UACP_MIN_BUF) {
        ug_conn__fail(c, UG_STATUS_BADCONNECTIONREJECTED, "buffer sizes below 8192", false);
        return;
    }
    /* The server may only revise down; take the smaller either way. */
    c->send_chunk = a.recv_buf_size < c->lim.send_buf_size ? a.recv_buf_size
                                                           : c->lim.send_buf_size;
    c->recv_chunk = a.send_buf_size < c->lim.recv_buf_size ? a.send_buf_size
                                                           : c->lim.recv_buf_size;
    c->peer_max_message = a.max_message_size;
    c->peer_max_chunks = a.max_chunk_count;
    c->state = UG_CS_WAIT_OPN;
    ug_status s2 = ug_channel__send_opn(c, false);
    if (s2 != UG_STATUS_GOOD)
        ug_conn__fail(c, s2, NULL, false);
}

/* Reverse client: ReverseHello (§7.1.2.6) -> Hello on the same socket. */
static void on_rhe(ug_conn *c, const uint8_t *body, size_t len)
{
    ug_string server_uri, endpoint_url;
    ug_status st = ug_uacp_rhe_decode(body, len, &server_uri, &endpoint_url);
    if (st != UG_STATUS_GOOD) {
        ug_conn__fail(c, st, "malformed ReverseHello", false);
        return;
    }
    if (!c->endpoint_url && !copy_url(c, endpoint_url)) {
        ug_conn__fail(c, UG_STATUS_BADOUTOFMEMORY, NULL, false);
        return;
    }
    ug_reverse__rhe_accepted(c); /* handed out from now on */
    ug_channel__send_hello(c);
}

void ug_channel__send_hello(ug_conn *c)
{
    struct ug_uacp_hello h = {
        .protocol_version = 0,
        .recv_buf_size = c->lim.recv_buf_size,
        .send_buf_size = c->lim.send_buf_size,
        .max_message_size = c->lim.max_message_size,
        .max_chunk_count = c->lim.max_chunk_count,
        .endpoint_url = ug_conn_endpoint_url(c),
    };
    ug_wr wr;
    ug_wr_init(&wr, NULL, 0);
    ug_uacp_hello_encode(&wr, UG_UACP_HEL, &h);
    size_t n = wr.len;
    uint8_t *p = ug_conn__tx_reserve(c, n);
    if (!p) {
        ug_conn__finalize(c, UG_STATUS_BADOUTOFMEMORY);
        return;
    }
    ug_wr_init(&wr, p, n);
    ug_uacp_hello_encode(&wr, UG_UACP_HEL, &h);
    c->tx_len += n;
    c->state = UG_CS_WAIT_ACK;
    ug_conn__flush(c);
}

/* ------------------------------------------------------- sequence ------- */

/* §6.7.2.4: each chunk's SequenceNumber is the previous + 1; it wraps to a
 * value below 1024 only after passing UInt32.MaxValue - 1024. The first
 * number of a channel is taken as it comes. */
static bool check_seq(ug_conn *c, uint32_t seq)
{
    if (c->recv_seq_valid) {
        uint32_t last = c->recv_seq;
        bool next = last != UINT32_MAX && seq == last + 1;
        bool wrap = last > UINT32_MAX - 1024 && seq < 1024;
        if (!next && !wrap)
            return false;
    }
    c->recv_seq = seq;
    c->recv_seq_valid = true;
    return true;
}

/* ------------------------------------------------------- OPN ------------ */

static uint32_t revise_lifetime(const ug_conn *c, uint32_t requested)
{
    if (requested < c->lim.min_token_lifetime_ms)
        return c->lim.min_token_lifetime_ms;
    if (requested > c->lim.max_token_lifetime_ms)
        return c->lim.max_token_lifetime_ms;
    return requested;
}

/* Reads the asymmetric security header (§6.7.2.3) and the sequence header
 * of an OPN chunk; on return rd is at the body. */
static ug_status read_asym(ug_conn *c, uint8_t *chunk, uint32_t len, ug_rd *rd,
                           uint32_t *channel_id, uint32_t *request_id)
{
    ug_rd_init(rd, chunk + UG_UACP_HDR, len - UG_UACP_HDR, NULL, NULL);
    *channel_id = ug_rd_u32(rd);
    ug_string uri = ug_rd_string(rd);
    ug_string cert = ug_rd_string(rd);
    ug_string thumb = ug_rd_string(rd);
    if (!ug_rd_ok(rd))
        return UG_STATUS_BADDECODINGERROR;
    if (uri.len > 255) /* Part 6 §6.7.2.3: at most 255 bytes */
        return UG_STATUS_BADSECURITYPOLICYREJECTED;
    const struct ug_secpolicy *pol = ug_secpolicy_find(uri);
    if (!pol)
        return UG_STATUS_BADSECURITYPOLICYREJECTED;
    if (c->state == UG_CS_OPEN && pol != c->policy) /* renew keeps the policy */
        return UG_STATUS_BADSECURITYPOLICYREJECTED;
    if (pol != c->policy) { /* the first OPN picks the policy */
        void *ctx;
        if (pol->ctx_new(&ctx) != UG_STATUS_GOOD)
            return UG_STATUS_BADTCPNOTENOUGHRESOURCES;
        c->policy->ctx_free(c->policy_ctx);
        c->policy = pol;
        c->policy_ctx = ctx;
    }
    ug_status st = pol->accept_remote(c->policy_ctx, cert, thumb);
    if (st != UG_STATUS_GOOD)
        return st;
    size_t plain_off = ug_rd_offset(rd) + UG_UACP_HDR;
    size_t body_end;
    st = c->policy->unseal(c->policy_ctx, true, 0, chunk, plain_off, len, &body_end);
    if (st != UG_STATUS_GOOD)
        return st;
    ug_rd_init(rd, chunk + plain_off, body_end - plain_off, NULL, NULL);
    uint32_t seq = ug_rd_u32(rd);
    *request_id = ug_rd_u32(rd);
    if (!ug_rd_ok(rd))
        return UG_STATUS_BADDECODINGERROR;
    if (!check_seq(c, seq))
        return UG_STATUS_BADSEQUENCENUMBERINVALID;
    return UG_STATUS_GOOD;
}

static void read_type_id(ug_rd *rd, uint32_t *encoding_id)
{
    ug_nodeid id;
    ug_rd_nodeid(rd, &id);
    *encoding_id = (id.ns == 0 && id.id_type == UG_ID_NUMERIC) ? id.id.numeric : 0;
}

/* Server: OpenSecureChannelRequest (Part 4 §5.5.2), issue or renew. */
static void server_opn(ug_conn *c, uint8_t *chunk, uint32_t len)
{
    ug_rd rd;
    uint32_t channel_id, request_id, type_id, handle;
    ug_status st = read_asym(c, chunk, len, &rd, &channel_id, &request_id);
    if (st != UG_STATUS_GOOD) {
        ug_conn__fail(c, st, "OpenSecureChannel rejected", true);
        return;
    }
    uint8_t arena_mem[512];
    ug_arena arena;
    ug_arena_init(&arena, arena_mem, sizeof arena_mem, false);
    rd.arena = &arena;
    read_type_id(&rd, &type_id);
    ug_channel__rd_request_header(&rd, &handle);
    (void)ug_rd_u32(&rd); /* ClientProtocolVersion */
    int32_t request_type = (int32_t)ug_rd_u32(&rd);
    int32_t mode = (int32_t)ug_rd_u32(&rd);
    ug_string client_nonce = ug_rd_string(&rd);
    uint32_t requested = ug_rd_u32(&rd);
    if (!ug_rd_ok(&rd) || ug_rd_left(&rd) || type_id != UG_ID_OPEN_SECURE_CHANNEL_REQUEST) {
        ug_conn__fail(c, UG_STATUS_BADDECODINGERROR, "malformed OpenSecureChannelRequest", true);
        return;
    }
    bool renew = request_type == 1;
    if (request_type != 0 && request_type != 1) {
        ug_conn__fail(c, UG_STATUS_BADREQUESTTYPEINVALID, NULL, true);
        return;
    }
    /* Issue only on a fresh connection, renew only on an open channel. */
    if (renew != (c->state == UG_CS_OPEN)) {
        ug_conn__fail(c, UG_STATUS_BADREQUESTTYPEINVALID,
                      renew ? "renew before issue" : "second issue", true);
        return;
    }
    if (renew && channel_id != c->channel_id) {
        ug_conn__fail(c, UG_STATUS_BADSECURECHANNELIDINVALID, NULL, true);
        return;
    }
    /* Part 4 §7.20: None policy with mode None only; Invalid (0) never. */
    if (mode < 1 || mode > 3 || (c->policy->none && mode != 1) ||
        (renew && mode != c->security_mode)) {
        ug_conn__fail(c, UG_STATUS_BADSECURITYMODEREJECTED, NULL, true);
        return;
    }
    if (!c->policy->none && (client_nonce.len < 0 ||
                             (uint32_t)client_nonce.len != c->policy->nonce_len)) {
        ug_conn__fail(c, UG_STATUS_BADNONCEINVALID, NULL, true);
        return;
    }
    c->security_mode = mode;
    struct ug_token t = {
        .id = ++c->token_counter,
        .lifetime_ms = revise_lifetime(c, requested),
        .created_ns = ug_loop_now(c->loop),
        /* A renewed token gets the other key set: the old keys stay in use
         * until the client switches (§6.7.4). */
        .key_slot = renew ? (uint8_t)!c->tok.key_slot : 0,
    };
    if (t.id == 0)
        t.id = ++c->token_counter;
    ug_bytes server_nonce;
    st = ug_channel__make_nonce(c, &server_nonce);
    if (st == UG_STATUS_GOOD)
        st = c->policy->derive_keys(c->policy_ctx, t.key_slot, true, server_nonce, client_nonce);
    if (st != UG_STATUS_GOOD) {
        ug_conn__fail(c, st, "no keys for the token", true);
        return;
    }
    if (renew) {
        /* §6.7.4: keep sending with the old token until the client uses
         * the new one (or the old one expires). */
        c->other = t;
        c->has_other = true;
    } else {
        c->tok = t;
    }
    st = ug_channel__send_opn_response(c, request_id, handle, &t);
    if (st != UG_STATUS_GOOD) {
        ug_conn__fail(c, st, NULL, false);
        return;
    }
    if (renew) {
        c->stats.renewals++;
        return;
    }
    c->state = UG_CS_OPEN;
    ug_timer_stop(c->loop, &c->timer);
    if (c->cbs.on_open)
        c->cbs.on_open(c, c->data);
}

/* Client: OpenSecureChannelResponse (or a ServiceFault). */
static void client_opn(ug_conn *c, uint8_t *chunk, uint32_t len)
{
    ug_rd rd;
    uint32_t channel_id, request_id, type_id, handle;
    ug_status result;
    ug_status st = read_asym(c, chunk, len, &rd, &channel_id, &request_id);
    if (st != UG_STATUS_GOOD) {
        ug_conn__fail(c, st, NULL, false);
        return;
    }
    if (!c->opn_request_id || request_id != c->opn_request_id) {
        ug_conn__fail(c, UG_STATUS_BADSECURITYCHECKSFAILED, "unexpected OPN response", false);
        return;
    }
    uint8_t arena_mem[1024];
    ug_arena arena;
    ug_arena_init(&arena, arena_mem, sizeof arena_mem, false);
    rd.arena = &arena;
    read_type_id(&rd, &type_id);
    ug_channel__rd_response_header(&rd, &handle, &result);
    if (ug_rd_ok(&rd) && type_id == UG_ID_SERVICE_FAULT) {
        ug_conn__fail(c, ug_is_bad(result) ? result : UG_STATUS_BADUNEXPECTEDERROR, NULL, false);
        return;
    }
    (void)ug_rd_u32(&rd); /* ServerProtocolVersion */
    struct ug_token t;
    uint32_t tok_channel = ug_rd_u32(&rd);
    t.id = ug_rd_u32(&rd);
    (void)ug_rd_u64(&rd); /* CreatedAt: we count from our own clock */
    t.lifetime_ms = ug_rd_u32(&rd);
    t.created_ns = ug_loop_now(c->loop);
    ug_string server_nonce = ug_rd_string(&rd);
    if (!ug_rd_ok(&rd) || ug_rd_left(&rd) || type_id != UG_ID_OPEN_SECURE_CHANNEL_RESPONSE) {
        ug_conn__fail(c, UG_STATUS_BADDECODINGERROR, "malformed OpenSecureChannelResponse",
                      false);
        return;
    }
    if (ug_is_bad(result)) {
        ug_conn__fail(c, result, NULL, false);
        return;
    }
    bool renew = c->state == UG_CS_OPEN;
    if (tok_channel == 0 || channel_id != tok_channel ||
        (renew && tok_channel != c->channel_id)) {
        ug_conn__fail(c, UG_STATUS_BADSECURECHANNELIDINVALID, NULL, false);
        return;
    }
    if (t.lifetime_ms == 0)
        t.lifetime_ms = 1; /* a nonsense lifetime still must not spin the renew timer */
    t.key_slot = renew ? (uint8_t)!c->tok.key_slot : 0;
    if (!c->policy->none && (server_nonce.len < 0 ||
                             (uint32_t)server_nonce.len != c->policy->nonce_len)) {
        ug_conn__fail(c, UG_STATUS_BADNONCEINVALID, NULL, false);
        return;
    }
    ug_bytes local = {c->local_nonce, (int32_t)c->local_nonce_len};
    st = c->policy->derive_keys(c->policy_ctx, t.key_slot, false, local, server_nonce);
    if (st != UG_STATUS_GOOD) {
        ug_conn__fail(c, st, NULL, false);
        return;
    }
    c->opn_request_id = 0;
    c->channel_id = tok_channel;
    if (renew) {
        /* §6.7.4: the client uses the new token at once, and accepts the
         * old one until the server switches. */
        c->other = c->tok;
        c->has_other = true;
        c->stats.renewals++;
    }
    c->tok = t;
    int64_t at = t.created_ns + (int64_t)t.lifetime_ms * 750000; /* 75 % */
    ug_timer_start_once(c->loop, &c->renew_timer, at);
    if (!renew) {
        c->state = UG_CS_OPEN;
        ug_timer_stop(c->loop, &c->timer);
        if (c->cbs.on_open)
            c->cbs.on_open(c, c->data);
    }
}

void ug_channel__renew_cb(ug_loop *loop, struct ug_timer *t)
{
    (void)loop;
    ug_conn *c = t->data;
    ug_conn_renew(c);
}

ug_status ug_conn_renew(ug_conn *c)
{
    if (c->is_server || c->state != UG_CS_OPEN)
        return UG_STATUS_BADINVALIDSTATE;
    if (c->opn_request_id)
        return UG_STATUS_GOOD; /* already under way */
    ug_status st = ug_channel__send_opn(c, true);
    if (st != UG_STATUS_GOOD)
        ug_conn__fail(c, st, NULL, false);
    return st;
}

/* ------------------------------------------------------- MSG / CLO ------ */

/* Which token a symmetric chunk uses (§6.7.2.3): *slot gets its keys,
 * *other says it is the second token (rollover, §6.7.4), applied by
 * use_token once the chunk has been verified. */
static ug_status find_token(ug_conn *c, uint32_t token_id, int *slot, bool *other)
{
    *other = false;
    if (token_id == c->tok.id) {
        /* A server rejects a token past its lifetime (with 25 % grace for
         * clocks and a renewal in flight). */
        if (c->is_server &&
            ug_loop_now(c->loop) - c->tok.created_ns > (int64_t)c->tok.lifetime_ms * 1250000)
            return UG_STATUS_BADSECURECHANNELTOKENUNKNOWN;
        *slot = c->tok.key_slot;
        return UG_STATUS_GOOD;
    }
    if (c->has_other && token_id == c->other.id) {
        *slot = c->other.key_slot;
        *other = true;
        return UG_STATUS_GOOD;
    }
    return UG_STATUS_BADSECURECHANNELTOKENUNKNOWN;
}

static void use_token(ug_conn *c, bool other)
{
    if (other && c->is_server) { /* the client uses the renewed token now */
        c->tok = c->other;
        c->has_other = false;
    } else if (!other && !c->is_server && c->has_other) {
        c->has_other = false; /* the server switched to the new token */
    }
}

static ug_status asm_append(ug_conn *c, const uint8_t *p, size_t n)
{
    if (++c->asm_chunks > c->lim.max_chunk_count || c->asm_len + n > c->lim.max_message_size)
        return UG_STATUS_BADTCPMESSAGETOOLARGE;
    if (c->asm_len + n > c->asm_cap) {
        size_t cap = c->asm_cap ? c->asm_cap : 2 * (size_t)c->recv_chunk;
        while (cap < c->asm_len + n)
            cap *= 2;
        if (cap > c->lim.max_message_size)
            cap = c->lim.max_message_size;
        uint8_t *b = realloc(c->asm_buf, cap);
        if (!b)
            return UG_STATUS_BADTCPNOTENOUGHRESOURCES;
        c->asm_buf = b;
        c->asm_cap = cap;
        c->stats.reassembly_allocs++;
    }
    memcpy(c->asm_buf + c->asm_len, p, n);
    c->asm_len += n;
    return UG_STATUS_GOOD;
}

static void deliver(ug_conn *c, uint32_t request_id, const uint8_t *body, size_t len)
{
    /* A message may carry strings as large as itself (Write of a big
     * ByteString); arrays and nesting keep the default bounds. */
    ug_limits lim = ug_limits_default;
    lim.max_message_size = c->lim.max_message_size;
    lim.max_string_len = c->lim.max_message_size;
    ug_rd rd;
    ug_rd_init(&rd, body, len, &lim, NULL);
    uint32_t type_id;
    read_type_id(&rd, &type_id);
    if (!ug_rd_ok(&rd)) {
        ug_conn__fail(c, UG_STATUS_BADDECODINGERROR, "malformed type id", true);
        return;
    }
    /* The channel's own services never travel in MSG. */
    if (type_id == UG_ID_OPEN_SECURE_CHANNEL_REQUEST ||
        type_id == UG_ID_CLOSE_SECURE_CHANNEL_REQUEST) {
        ug_conn__fail(c, UG_STATUS_BADTCPMESSAGETYPEINVALID, "channel service in MSG", true);
        return;
    }
    c->stats.messages_rx++;
    c->cbs.on_message(c, request_id, type_id, &rd, c->data);
}

static void on_symmetric(ug_conn *c, uint8_t *chunk, uint32_t len, uint8_t type,
                         uint8_t chunk_type)
{
    const bool srv = c->is_server;
    if (c->state != UG_CS_OPEN) {
        ug_conn__fail(c, UG_STATUS_BADTCPMESSAGETYPEINVALID, "message before the channel opened",
                      srv);
        return;
    }
    const size_t plain_off = UG_UACP_HDR + 8; /* SecureChannelId, TokenId */
    if (len < plain_off + 8) {
        ug_conn__fail(c, UG_STATUS_BADDECODINGERROR, "chunk shorter than its headers", srv);
        return;
    }
    uint32_t channel_id, token_id, seq, request_id;
    memcpy(&channel_id, chunk + 8, 4);
    memcpy(&token_id, chunk + 12, 4);
    if (channel_id != c->channel_id) {
        ug_conn__fail(c, UG_STATUS_BADTCPSECURECHANNELUNKNOWN, NULL, srv);
        return;
    }
    int slot = 0;
    bool other;
    ug_status st = find_token(c, token_id, &slot, &other);
    if (st != UG_STATUS_GOOD) {
        ug_conn__fail(c, st, NULL, srv);
        return;
    }
    size_t body_end;
    st = c->policy->unseal(c->policy_ctx, false, slot, chunk, plain_off, len, &body_end);
    if (st != UG_STATUS_GOOD) {
        ug_conn__fail(c, st, NULL, srv);
        return;
    }
    use_token(c, other);
    memcpy(&seq, chunk + plain_off, 4);
    memcpy(&request_id, chunk + plain_off + 4, 4);
    if (!check_seq(c, seq)) {
        ug_conn__fail(c, UG_STATUS_BADSEQUENCENUMBERINVALID, "sequence number gap", srv);
        return;
    }
    const uint8_t *body = chunk + plain_off + 8;
    size_t blen = body_end - plain_off - 8;

    if (type == UG_UACP_CLO) {
        if (!srv) {
            ug_conn__fail(c, UG_STATUS_BADTCPMESSAGETYPEINVALID, "CLO sent to a client", false);
            return;
        }
        /* §6.7.6: no response; the server closes the socket. */
        ug_conn__begin_close(c, UG_STATUS_GOOD);
        return;
    }
    if (chunk_type == 'A') {
        /* §6.7.2.4: an abort chunk ends the message: its body is Error
         * and Reason; the chunks so far are dropped. */
        ug_status err;
        ug_string reason;
        if (ug_uacp_error_decode(body, blen, &err, &reason) != UG_STATUS_GOOD)
            err = UG_STATUS_BADDECODINGERROR;
        if (c->asm_active && c->asm_request_id == request_id)
            c->asm_active = false;
        if (!srv && c->cbs.on_abort)
            c->cbs.on_abort(c, request_id, err, c->data);
        return;
    }
    if (c->asm_active && c->asm_request_id != request_id) {
        ug_conn__fail(c, UG_STATUS_BADSECURITYCHECKSFAILED,
                      "chunks of two messages interleaved", srv);
        return;
    }
    if (chunk_type == 'F' && !c->asm_active) { /* one chunk: in place */
        deliver(c, request_id, body, blen);
        return;
    }
    if (!c->asm_active) {
        c->asm_active = true;
        c->asm_request_id = request_id;
        c->asm_len = 0;
        c->asm_chunks = 0;
    }
    st = asm_append(c, body, blen);
    if (st != UG_STATUS_GOOD) {
        c->asm_active = false;
        ug_conn__fail(c, st, "message over MaxMessageSize or MaxChunkCount", srv);
        return;
    }
    if (chunk_type == 'F') {
        c->asm_active = false;
        deliver(c, request_id, c->asm_buf, c->asm_len);
    }
}

/* ------------------------------------------------------- dispatch ------- */

void ug_channel__on_chunk(ug_conn *c, uint8_t *chunk, uint32_t len)
{
    struct ug_uacp_hdr h;
    (void)ug_uacp_hdr_decode(chunk, &h); /* checked by the caller */
    const uint8_t *body = chunk + UG_UACP_HDR;
    size_t blen = len - UG_UACP_HDR;
    const bool srv = c->is_server;

    if (h.type == UG_UACP_ERR) {
        ug_status err;
        ug_string reason;
        if (ug_uacp_error_decode(body, blen, &err, &reason) != UG_STATUS_GOOD ||
            !ug_is_bad(err))
            err = UG_STATUS_BADTCPINTERNALERROR;
        ug_conn__begin_close(c, err);
        return;
    }
    switch (c->state) {
    case UG_CS_WAIT_HEL:
        /* §7.1.3: the first message on a server connection is Hello. */
        if (h.type != UG_UACP_HEL) {
            ug_conn__fail(c, UG_STATUS_BADTCPMESSAGETYPEINVALID, "expected Hello", true);
            return;
        }
        on_hello(c, body, blen);
        return;
    case UG_CS_WAIT_RHE:
        if (h.type != UG_UACP_RHE) {
            ug_conn__fail(c, UG_STATUS_BADTCPMESSAGETYPEINVALID, "expected ReverseHello", false);
            return;
        }
        on_rhe(c, body, blen);
        return;
    case UG_CS_WAIT_ACK:
        if (h.type != UG_UACP_ACK) {
            ug_conn__fail(c, UG_STATUS_BADTCPMESSAGETYPEINVALID, "expected Acknowledge", false);
            return;
        }
        on_ack(c, body, blen);
        return;
    default:
        break;
    }
    switch (h.type) {
    case UG_UACP_OPN:
        if (srv)
            server_opn(c, chunk, len);
        else
            client_opn(c, chunk, len);
        return;
    case UG_UACP_MSG:
    case UG_UACP_CLO:
        on_symmetric(c, chunk, len, h.type, h.chunk);
        return;
    default:
        /* Hello twice, ACK or RHE out of place (§7.1.2). */
        ug_conn__fail(c, UG_STATUS_BADTCPMESSAGETYPEINVALID, "unexpected message type", srv);
        return;
    }
}
