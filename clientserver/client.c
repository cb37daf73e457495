/* clientserver/client.c — the client's life: configuration, the connect
 * sequence (channel, GetEndpoints and endpoint selection, CreateSession,
 * ActivateSession), reconnect with backoff and session transfer, disconnect.
 *
 * Connect (Part 4 §5.4.4, §5.6.2, §5.6.3):
 *   channel open -> GetEndpoints -> pick an endpoint with SecurityPolicy None
 *   and a UserTokenPolicy for our identity -> CreateSession -> ActivateSession.
 * Reconnect after a channel loss: new channel -> ActivateSession of the same
 * session (Part 4 §5.6.3.1: a session moves to a new SecureChannel by being
 * activated on it) -> on failure CreateSession + ActivateSession, then the
 * subscriptions are transferred or re-created (client_sub.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "client_internal.h"

#define NONE_URI UG_SECPOLICY_NONE_URI
#define BINARY_PROFILE "http://opcfoundation.org/UA-Profile/Transport/uatcp-uasc-uabinary"

static void on_open(ug_conn *conn, void *data);
static void on_message(ug_conn *conn, uint32_t request_id, uint32_t encoding_id, ug_rd *body,
                       void *data);
static void on_abort(ug_conn *conn, uint32_t request_id, ug_status status, void *data);
static void on_closed(ug_conn *conn, ug_status why, void *data);

static const struct ug_conn_cbs conn_cbs = {
    .on_open = on_open,
    .on_message = on_message,
    .on_abort = on_abort,
    .on_closed = on_closed,
};

const char *ug_client_state_name(enum ug_client_state s)
{
    switch (s) {
    case UG_CLIENT_DISCONNECTED: return "disconnected";
    case UG_CLIENT_CONNECTING: return "connecting";
    case UG_CLIENT_CONNECTED: return "connected";
    case UG_CLIENT_SESSION_ACTIVATED: return "session activated";
    case UG_CLIENT_RECONNECTING: return "reconnecting";
    }
    return "?";
}

void ug_client_config_init(struct ug_client_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->session_timeout_ms = 60000;
    cfg->request_timeout_ns = 10 * 1000000000LL;
    cfg->connect_timeout_ns = 10 * 1000000000LL;
    cfg->reconnect = true;
    cfg->reconnect_min_ns = 500 * 1000000LL;
    cfg->reconnect_max_ns = 30 * 1000000000LL;
    cfg->max_inflight = 64;
    cfg->publish_requests = 3;
}

/* ------------------------------------------------------------ lifecycle -- */

static void on_retry(ug_loop *loop, struct ug_timer *t);
static void on_idle(ug_loop *loop, struct ug_timer *t);
static void reverse_stop(ug_client *c);

/* Copies the configuration's strings into one block. */
static ug_status copy_config(ug_client *c, const struct ug_client_config *cfg)
{
    const char *defaults[5] = {NULL, "urn:uagate:client", "uagate client", "uagate session", NULL};
    const char *in[6] = {cfg->endpoint_url, cfg->application_uri, cfg->application_name,
                         cfg->session_name, cfg->username, cfg->password};
    size_t total = 0;
    for (int i = 0; i < 6; i++) {
        const char *s = in[i] ? in[i] : (i < 5 ? defaults[i] : NULL);
        total += s ? strlen(s) + 1 : 0;
    }
    c->strs = malloc(total ? total : 1);
    if (!c->strs)
        return UG_STATUS_BADOUTOFMEMORY;
    const char *out[6] = {0};
    char *p = c->strs;
    for (int i = 0; i < 6; i++) {
        const char *s = in[i] ? in[i] : (i < 5 ? defaults[i] : NULL);
        if (!s)
            continue;
        size_t n = strlen(s) + 1;
        memcpy(p, s, n);
        out[i] = p;
        p += n;
    }
    c->cfg.endpoint_url = out[0];
    c->cfg.application_uri = out[1];
    c->cfg.application_name = out[2];
    c->cfg.session_name = out[3];
    c->cfg.username = out[4];
    c->cfg.password = out[5];
    return UG_STATUS_GOOD;
}

ug_status ug_client_new(ug_loop *loop, const struct ug_client_config *cfg, ug_client **out)
{
    if (!loop || !cfg || !out || !cfg->endpoint_url ||
        strncmp(cfg->endpoint_url, "opc.tcp://", 10) != 0)
        return UG_STATUS_BADINVALIDARGUMENT;
    ug_client *c = calloc(1, sizeof *c);
    if (!c)
        return UG_STATUS_BADOUTOFMEMORY;
    c->loop = loop;
    c->cfg = *cfg;
    struct ug_client_config d;
    ug_client_config_init(&d);
    if (c->cfg.session_timeout_ms <= 0)
        c->cfg.session_timeout_ms = d.session_timeout_ms;
    if (c->cfg.request_timeout_ns <= 0)
        c->cfg.request_timeout_ns = d.request_timeout_ns;
    if (c->cfg.connect_timeout_ns <= 0)
        c->cfg.connect_timeout_ns = d.connect_timeout_ns;
    if (c->cfg.reconnect_min_ns <= 0)
        c->cfg.reconnect_min_ns = d.reconnect_min_ns;
    if (c->cfg.reconnect_max_ns < c->cfg.reconnect_min_ns)
        c->cfg.reconnect_max_ns = c->cfg.reconnect_min_ns > d.reconnect_max_ns
                                      ? c->cfg.reconnect_min_ns
                                      : d.reconnect_max_ns;
    if (c->cfg.max_inflight == 0)
        c->cfg.max_inflight = d.max_inflight;
    if (c->cfg.publish_requests == 0)
        c->cfg.publish_requests = d.publish_requests;
    c->publish_target = c->cfg.publish_requests;
    c->backoff_ns = c->cfg.reconnect_min_ns;
    ug_arena_init(&c->session_arena, NULL, 0, true);
    ug_arena_init(&c->scratch, c->scratch_buf, sizeof c->scratch_buf, true);
    ug_timer_init(&c->retry_timer, on_retry, c);
    ug_timer_init(&c->idle_timer, on_idle, c);
    ug_timer_init(&c->watch_timer, cl_on_watch, c);
    ug_timer_init(&c->publish_retry, cl_on_publish_retry, c);
    ug_arena_init(&c->notif, c->notif_buf, sizeof c->notif_buf, true);
    ug_status st = copy_config(c, cfg);
    if (st == UG_STATUS_GOOD)
        st = cl_slots_init(c);
    if (st != UG_STATUS_GOOD) {
        cl_slots_free(c);
        free(c->strs);
        free(c);
        return st;
    }
    *out = c;
    return UG_STATUS_GOOD;
}

void ug_client_free(ug_client *c)
{
    if (!c)
        return;
    c->want_connected = false;
    if (ug_timer_active(&c->retry_timer))
        ug_timer_stop(c->loop, &c->retry_timer);
    if (ug_timer_active(&c->idle_timer))
        ug_timer_stop(c->loop, &c->idle_timer);
    reverse_stop(c);
    if (c->conn) {
        /* on_closed comes later from the loop: detach so it finds nothing. */
        ug_conn_set_data(c->conn, NULL);
        ug_conn_close(c->conn);
        c->conn = NULL;
    }
    c->channel_open = false;
    cl_fail_all(c, UG_STATUS_BADSHUTDOWN);
    cl_subs_free_all(c);
    cl_slots_free(c);
    ug_arena_free(&c->session_arena);
    ug_arena_free(&c->scratch);
    ug_arena_free(&c->notif);
    free(c->strs);
    free(c);
}

enum ug_client_state ug_client_state(const ug_client *c) { return c->state; }
ug_loop *ug_client_loop(const ug_client *c) { return c->loop; }
double ug_client_session_timeout_ms(const ug_client *c) { return c->revised_timeout_ms; }
uint32_t ug_client_reconnects(const ug_client *c) { return c->reconnects; }
uint32_t ug_client_sessions_created(const ug_client *c) { return c->sessions_created; }

void cl_set_state(ug_client *c, enum ug_client_state s, ug_status status)
{
    c->last_status = status;
    if (s == UG_CLIENT_DISCONNECTED && ug_timer_active(&c->idle_timer))
        ug_timer_stop(c->loop, &c->idle_timer);
    if (c->state == s)
        return;
    c->state = s;
    if (c->state_cb)
        c->state_cb(c, s, status, c->state_ctx);
}

/* --------------------------------------------------------------- channel -- */

static void reverse_stop(ug_client *c)
{
    ug_reverse_free(c->reverse);
    c->reverse = NULL;
}

static ug_status start_channel(ug_client *c)
{
    struct ug_conn_limits lim;
    ug_conn_limits_init(&lim);
    lim.hello_timeout_ns = c->cfg.connect_timeout_ns;
    c->phase = CL_OPENING;
    c->fail_status = UG_STATUS_GOOD;
    c->no_retry = false;
    if (!c->reverse_mode)
        return ug_conn_connect(c->loop, c->cfg.endpoint_url, &lim, &conn_cbs, c, &c->conn);
    /* Part 6 §7.1.3: the server connects to us; c->conn is set in on_open. */
    reverse_stop(c);
    ug_status st = ug_conn_listen_reverse(c->loop, c->rev_host[0] ? c->rev_host : NULL,
                                          c->rev_port, c->cfg.endpoint_url, &lim, &conn_cbs, c,
                                          &c->reverse);
    if (st == UG_STATUS_GOOD)
        c->rev_port = ug_reverse_port(c->reverse);
    return st;
}

uint16_t ug_client_reverse_port(const ug_client *c) { return c->reverse ? c->rev_port : 0; }

static void schedule_retry(ug_client *c, ug_status why)
{
    cl_set_state(c, UG_CLIENT_RECONNECTING, why);
    int64_t when = ug_loop_now(c->loop) + c->backoff_ns;
    c->backoff_ns = c->backoff_ns * 2 > c->cfg.reconnect_max_ns ? c->cfg.reconnect_max_ns
                                                                 : c->backoff_ns * 2;
    if (ug_timer_start_once(c->loop, &c->retry_timer, when) != UG_STATUS_GOOD)
        cl_set_state(c, UG_CLIENT_DISCONNECTED, UG_STATUS_BADOUTOFMEMORY);
}

static void on_retry(ug_loop *loop, struct ug_timer *t)
{
    (void)loop;
    ug_client *c = t->data;
    if (!c->want_connected || c->conn)
        return;
    c->reconnects++;
    c->conn = NULL;
    ug_status st = start_channel(c);
    if (st != UG_STATUS_GOOD) {
        c->conn = NULL;
        schedule_retry(c, st);
    }
}

/* Closes the channel after a failed step; on_closed decides what follows
 * and reports `why`. */
void cl_drop_channel(ug_client *c, ug_status why)
{
    if (!c->conn)
        return;
    if (c->fail_status == UG_STATUS_GOOD)
        c->fail_status = why;
    ug_conn_close(c->conn);
}

/* A failure that retrying cannot fix (no usable endpoint, identity
 * refused): close and stay disconnected. */
static void fail_permanently(ug_client *c, ug_status why)
{
    c->no_retry = true;
    cl_drop_channel(c, why);
}

static void on_closed(ug_conn *conn, ug_status why, void *data)
{
    (void)conn;
    ug_client *c = data;
    if (!c)
        return;
    c->conn = NULL;
    c->channel_open = false;
    reverse_stop(c); /* its socket closed at the ReverseHello; a retry listens anew */
    if (c->fail_status != UG_STATUS_GOOD)
        why = c->fail_status;
    else if (why == UG_STATUS_GOOD && c->phase != CL_CLOSING)
        why = UG_STATUS_BADCONNECTIONCLOSED;
    enum cl_phase phase = c->phase;
    c->phase = CL_IDLE;
    cl_fail_all(c, UG_STATUS_BADCONNECTIONCLOSED);
    cl_subs_channel_lost(c);

    if (!c->want_connected || phase == CL_CLOSING) {
        reverse_stop(c);
        c->have_session = false;
        c->n_acks = 0; /* subscriptions stay: the next session re-creates them */
        cl_set_state(c, UG_CLIENT_DISCONNECTED, phase == CL_CLOSING ? UG_STATUS_GOOD : why);
        return;
    }
    bool retry = c->cfg.reconnect && !c->no_retry &&
                 (c->ever_activated || (c->cfg.retry_first_connect && !c->sync_connect));
    if (retry) {
        schedule_retry(c, why);
        return;
    }
    c->want_connected = false;
    c->have_session = false;
    reverse_stop(c);
    c->n_acks = 0; /* subscriptions stay: the next session re-creates them */
    cl_set_state(c, UG_CLIENT_DISCONNECTED, why);
}

static void on_abort(ug_conn *conn, uint32_t request_id, ug_status status, void *data)
{
    (void)conn;
    ug_client *c = data;
    if (c)
        cl_abort(c, request_id, status);
}

static void on_message(ug_conn *conn, uint32_t request_id, uint32_t encoding_id, ug_rd *body,
                       void *data)
{
    (void)conn;
    ug_client *c = data;
    if (c)
        cl_on_response(c, request_id, encoding_id, body);
}

/* --------------------------------------------------------------- session -- */

static void send_get_endpoints(ug_client *c);
static void send_create_session(ug_client *c);
static void send_activate(ug_client *c);

/* Channel-level failures of a step are handled by on_closed. */
static bool channel_gone(ug_client *c, ug_status st)
{
    return !c->conn || st == UG_STATUS_BADCONNECTIONCLOSED || st == UG_STATUS_BADSHUTDOWN;
}

static void on_open(ug_conn *conn, void *data)
{
    (void)conn;
    ug_client *c = data;
    if (!c)
        return;
    if (!c->conn)
        c->conn = conn; /* accepted from a ReverseHello */
    c->channel_open = true;
    cl_set_state(c, UG_CLIENT_CONNECTED, UG_STATUS_GOOD);
    if (c->have_session)
        send_activate(c); /* session transfer to the new channel */
    else if (c->policy_id_set)
        send_create_session(c); /* endpoint known from an earlier connect */
    else
        send_get_endpoints(c);
}

static bool str_is(ug_string s, const char *lit)
{
    size_t n = strlen(lit);
    return s.len == (int32_t)n && memcmp(s.data, lit, n) == 0;
}

/* Part 4 §5.4.4 / §7.14 / §7.41: an endpoint with SecurityPolicy None and
 * mode None over UA Binary, then a UserTokenPolicy of our identity's type.
 * A UserName token under None goes in plain only when the token policy adds
 * no security policy of its own (null, empty or None). */
static ug_status select_endpoint(ug_client *c, const ug_GetEndpointsResponse *r)
{
    int32_t want = c->cfg.username ? UG_USER_TOKEN_TYPE_USER_NAME : UG_USER_TOKEN_TYPE_ANONYMOUS;
    bool found_none = false;
    for (int32_t i = 0; i < r->endpoints_len; i++) {
        const ug_EndpointDescription *ep = &r->endpoints[i];
        if (!str_is(ep->security_policy_uri, NONE_URI) ||
            ep->security_mode != UG_MESSAGE_SECURITY_MODE_NONE)
            continue;
        if (ep->transport_profile_uri.len > 0 && !str_is(ep->transport_profile_uri, BINARY_PROFILE))
            continue;
        found_none = true;
        for (int32_t k = 0; k < ep->user_identity_tokens_len; k++) {
            const ug_UserTokenPolicy *p = &ep->user_identity_tokens[k];
            if (p->token_type != want)
                continue;
            if (want == UG_USER_TOKEN_TYPE_USER_NAME && p->security_policy_uri.len > 0 &&
                !str_is(p->security_policy_uri, NONE_URI))
                continue;
            if (p->policy_id.len < 0 || (size_t)p->policy_id.len >= sizeof c->policy_id)
                continue;
            memcpy(c->policy_id, p->policy_id.data, (size_t)p->policy_id.len);
            c->policy_id[p->policy_id.len] = '\0';
            c->policy_id_len = p->policy_id.len;
            c->policy_id_set = true;
            c->token_type = (uint8_t)want;
            return UG_STATUS_GOOD;
        }
    }
    return found_none ? UG_STATUS_BADIDENTITYTOKENREJECTED : UG_STATUS_BADSECURITYPOLICYREJECTED;
}

static void on_get_endpoints(ug_client *c, ug_status st, void *resp, void *arg)
{
    (void)arg;
    if (channel_gone(c, st))
        return;
    if (st != UG_STATUS_GOOD) {
        cl_drop_channel(c, st);
        return;
    }
    st = select_endpoint(c, resp);
    if (st != UG_STATUS_GOOD) {
        fail_permanently(c, st);
        return;
    }
    send_create_session(c);
}

static void send_get_endpoints(ug_client *c)
{
    ug_GetEndpointsRequest req;
    memset(&req, 0, sizeof req);
    req.endpoint_url = ug_string_from(c->cfg.endpoint_url);
    req.locale_ids_len = 0;
    req.profile_uris_len = 0;
    c->phase = CL_GET_ENDPOINTS;
    ug_status st = cl_send(c, &ug_desc_GetEndpointsRequest, &req, &ug_desc_GetEndpointsResponse, 0,
                           on_get_endpoints, NULL, false);
    if (st != UG_STATUS_GOOD)
        cl_drop_channel(c, st);
}

static void on_create_session(ug_client *c, ug_status st, void *resp, void *arg)
{
    (void)arg;
    if (channel_gone(c, st))
        return;
    if (st != UG_STATUS_GOOD) {
        /* Part 4 §5.6.2.2: e.g. BadTooManySessions — worth retrying later. */
        cl_drop_channel(c, st);
        return;
    }
    const ug_CreateSessionResponse *r = resp;
    ug_arena_reset(&c->session_arena);
    if (ug_element_copy(UG_TYPE_NODEID, &r->session_id, &c->session_id, &c->session_arena) != UG_STATUS_GOOD ||
        ug_element_copy(UG_TYPE_NODEID, &r->authentication_token, &c->auth_token,
                        &c->session_arena) !=
            UG_STATUS_GOOD) {
        cl_drop_channel(c, UG_STATUS_BADOUTOFMEMORY);
        return;
    }
    c->revised_timeout_ms = r->revised_session_timeout;
    c->have_session = true;
    c->session_new = true;
    c->sessions_created++;
    c->session_gen++;
    send_activate(c);
}

static void send_create_session(ug_client *c)
{
    ug_CreateSessionRequest req;
    memset(&req, 0, sizeof req);
    ug_ApplicationDescription *d = &req.client_description;
    d->application_uri = ug_string_from(c->cfg.application_uri);
    d->product_uri = ug_string_from("urn:uagate");
    d->application_name.locale = UG_NULL_BYTES;
    d->application_name.text = ug_string_from(c->cfg.application_name);
    d->application_type = UG_APPLICATION_TYPE_CLIENT;
    d->gateway_server_uri = UG_NULL_BYTES;
    d->discovery_profile_uri = UG_NULL_BYTES;
    d->discovery_urls_len = -1;
    req.server_uri = UG_NULL_BYTES;
    req.endpoint_url = ug_string_from(c->cfg.endpoint_url);
    req.session_name = ug_string_from(c->cfg.session_name);
    /* Part 4 §5.6.2.2: a nonce of at least 32 random bytes. */
    if (RAND_bytes(c->nonce, sizeof c->nonce) != 1) {
        cl_drop_channel(c, UG_STATUS_BADINTERNALERROR);
        return;
    }
    req.client_nonce = (ug_bytes){c->nonce, (int32_t)sizeof c->nonce};
    req.client_certificate = UG_NULL_BYTES;
    req.requested_session_timeout = c->cfg.session_timeout_ms;
    req.max_response_message_size = 0;
    c->phase = CL_CREATE_SESSION;
    c->have_session = false;
    ug_status st = cl_send(c, &ug_desc_CreateSessionRequest, &req, &ug_desc_CreateSessionResponse,
                           0, on_create_session, NULL, false);
    if (st != UG_STATUS_GOOD)
        cl_drop_channel(c, st);
}

static void on_activate(ug_client *c, ug_status st, void *resp, void *arg)
{
    (void)resp;
    (void)arg;
    if (channel_gone(c, st))
        return;
    if (st == UG_STATUS_BADTIMEOUT) {
        cl_drop_channel(c, st);
        return;
    }
    if (st != UG_STATUS_GOOD) {
        if (c->phase == CL_REACTIVATE) {
            /* The old session did not survive (BadSessionIdInvalid, ...):
             * a new one, then the subscriptions move or are re-created. */
            cl_session_lost(c, st);
            return;
        }
        /* The server refused our identity: retrying will not help. */
        c->have_session = false;
        fail_permanently(c, st);
        return;
    }
    bool new_session = c->session_new;
    c->session_new = false;
    c->phase = CL_ACTIVE;
    c->ever_activated = true;
    c->backoff_ns = c->cfg.reconnect_min_ns;
    cl_set_state(c, UG_CLIENT_SESSION_ACTIVATED, UG_STATUS_GOOD);
    if (c->phase == CL_ACTIVE) {
        cl_idle_start(c);
        cl_subs_resume(c, new_session);
    }
}

static void send_activate(ug_client *c)
{
    ug_ActivateSessionRequest req;
    memset(&req, 0, sizeof req);
    req.client_signature.algorithm = UG_NULL_BYTES;
    req.client_signature.signature = UG_NULL_BYTES;
    req.user_token_signature.algorithm = UG_NULL_BYTES;
    req.user_token_signature.signature = UG_NULL_BYTES;
    req.client_software_certificates_len = -1;
    req.locale_ids_len = -1;
    ug_string policy = {(const uint8_t *)c->policy_id, c->policy_id_len};
    ug_status st;
    if (c->token_type == UG_USER_TOKEN_TYPE_USER_NAME) {
        /* Part 4 §7.41.4: the password in plain, encryptionAlgorithm null,
         * allowed because the selected policy has no security of its own. */
        ug_UserNameIdentityToken tok;
        memset(&tok, 0, sizeof tok);
        tok.policy_id = policy;
        tok.user_name = ug_string_from(c->cfg.username);
        tok.password = ug_string_from(c->cfg.password ? c->cfg.password : "");
        tok.encryption_algorithm = UG_NULL_BYTES;
        st = ug_eo_encode(&req.user_identity_token, &ug_desc_UserNameIdentityToken, &tok,
                          &c->scratch);
    } else {
        ug_AnonymousIdentityToken tok;
        tok.policy_id = policy;
        st = ug_eo_encode(&req.user_identity_token, &ug_desc_AnonymousIdentityToken, &tok,
                          &c->scratch);
    }
    if (st == UG_STATUS_GOOD) {
        c->phase = c->session_new ? CL_ACTIVATE : CL_REACTIVATE;
        st = cl_send(c, &ug_desc_ActivateSessionRequest, &req, &ug_desc_ActivateSessionResponse, 0,
                     on_activate, NULL, false);
    }
    if (st != UG_STATUS_GOOD)
        cl_drop_channel(c, st);
}

static void on_idle_read(ug_client *c, ug_status st, void *resp, void *arg)
{
    (void)c;
    (void)st;
    (void)resp;
    (void)arg; /* a lost session is noticed by client_req.c */
}

static void on_idle(ug_loop *loop, struct ug_timer *t)
{
    ug_client *c = t->data;
    if (c->phase != CL_ACTIVE || !c->have_session || !c->channel_open)
        return;
    if (ug_loop_now(loop) - c->last_send_ns < t->interval_ns)
        return;
    /* Part 5 §6.3.1: Server_ServerStatus_State, cheap on every server. */
    ug_ReadValueId rv;
    memset(&rv, 0, sizeof rv);
    rv.node_id.id.numeric = 2259;
    rv.attribute_id = UG_ATTR_VALUE;
    rv.index_range = UG_NULL_BYTES;
    rv.data_encoding.name = UG_NULL_BYTES;
    ug_ReadRequest req;
    memset(&req, 0, sizeof req);
    req.timestamps_to_return = UG_TIMESTAMPS_TO_RETURN_NEITHER;
    req.nodes_to_read_len = 1;
    req.nodes_to_read = &rv;
    (void)cl_send(c, &ug_desc_ReadRequest, &req, &ug_desc_ReadResponse, 0, on_idle_read, NULL,
                  false);
}

void cl_idle_start(ug_client *c)
{
    double ms = c->revised_timeout_ms > 0 ? c->revised_timeout_ms : c->cfg.session_timeout_ms;
    int64_t period = (int64_t)(ms * 1e6 / 3);
    if (period < 100 * 1000000LL)
        period = 100 * 1000000LL;
    (void)ug_timer_start_cyclic(c->loop, &c->idle_timer, period, 0, UG_TIMER_CURRENT_TIME);
}

void cl_session_lost(ug_client *c, ug_status why)
{
    /* Only an activated session (or one being moved to a new channel) can
     * be lost; answers from a session already being replaced are ignored. */
    if (!c->conn || !c->channel_open ||
        (c->phase != CL_ACTIVE && c->phase != CL_REACTIVATE))
        return;
    c->have_session = false;
    c->last_status = why;
    cl_subs_channel_lost(c);
    if (c->state == UG_CLIENT_SESSION_ACTIVATED)
        cl_set_state(c, UG_CLIENT_CONNECTED, why);
    send_create_session(c);
}

/* ----------------------------------------------------------------- public -- */

static ug_status connect_start(ug_client *c, ug_client_state_cb state_cb, void *ctx);

ug_status ug_client_connect_async(ug_client *c, ug_client_state_cb state_cb, void *ctx)
{
    if (!c)
        return UG_STATUS_BADINVALIDARGUMENT;
    if (c->state != UG_CLIENT_DISCONNECTED || c->conn || c->reverse)
        return UG_STATUS_BADINVALIDSTATE;
    c->reverse_mode = false;
    return connect_start(c, state_cb, ctx);
}

ug_status ug_client_listen_reverse_async(ug_client *c, const char *host, uint16_t port,
                                         ug_client_state_cb state_cb, void *ctx)
{
    if (!c || (host && strlen(host) >= sizeof c->rev_host))
        return UG_STATUS_BADINVALIDARGUMENT;
    if (c->state != UG_CLIENT_DISCONNECTED || c->conn || c->reverse)
        return UG_STATUS_BADINVALIDSTATE;
    c->reverse_mode = true;
    snprintf(c->rev_host, sizeof c->rev_host, "%s", host ? host : "");
    c->rev_port = port;
    return connect_start(c, state_cb, ctx);
}

static ug_status connect_start(ug_client *c, ug_client_state_cb state_cb, void *ctx)
{
    c->state_cb = state_cb;
    c->state_ctx = ctx;
    c->want_connected = true;
    c->ever_activated = false;
    c->backoff_ns = c->cfg.reconnect_min_ns;
    ug_status st = start_channel(c);
    if (st != UG_STATUS_GOOD) {
        c->conn = NULL;
        c->want_connected = false;
        return st;
    }
    cl_set_state(c, UG_CLIENT_CONNECTING, UG_STATUS_GOOD);
    return UG_STATUS_GOOD;
}

static void on_close_session(ug_client *c, ug_status st, void *resp, void *arg)
{
    (void)st;
    (void)resp;
    (void)arg;
    c->have_session = false;
    if (c->conn)
        ug_conn_close(c->conn);
}

ug_status ug_client_disconnect_async(ug_client *c)
{
    if (!c)
        return UG_STATUS_BADINVALIDARGUMENT;
    if (c->state == UG_CLIENT_DISCONNECTED && !c->conn && !c->reverse)
        return UG_STATUS_BADINVALIDSTATE;
    c->want_connected = false;
    if (ug_timer_active(&c->retry_timer))
        ug_timer_stop(c->loop, &c->retry_timer);
    if (!c->conn) {
        reverse_stop(c);
        c->have_session = false;
        c->n_acks = 0; /* subscriptions stay: the next session re-creates them */
        cl_set_state(c, UG_CLIENT_DISCONNECTED, UG_STATUS_GOOD);
        return UG_STATUS_GOOD;
    }
    if (c->phase == CL_CLOSING)
        return UG_STATUS_GOOD;
    bool active = c->phase == CL_ACTIVE && c->have_session;
    c->phase = CL_CLOSING;
    if (active) {
        ug_CloseSessionRequest req;
        memset(&req, 0, sizeof req);
        req.delete_subscriptions = true;
        if (cl_send(c, &ug_desc_CloseSessionRequest, &req, &ug_desc_CloseSessionResponse, 0,
                    on_close_session, NULL, false) == UG_STATUS_GOOD)
            return UG_STATUS_GOOD;
    }
    ug_conn_close(c->conn);
    return UG_STATUS_GOOD;
}
