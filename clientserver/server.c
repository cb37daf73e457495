/* clientserver/server.c — the server object and the request dispatcher.
 *
 * A request arrives from the channel layer (conn.h on_message) as an encoding
 * id and a reader over its body. The dispatcher (Part 4 §7.32 RequestHeader,
 * §7.33 ResponseHeader, §7.30 ServiceFault):
 *   1. finds the service by encoding id (binary search in a per-server copy
 *      of the table); unknown -> ServiceFault BadServiceUnsupported, with the
 *      requestHandle of the RequestHeader, which every request starts with;
 *   2. decodes the request into a pooled request arena (no malloc in steady
 *      state); malformed -> ServiceFault BadDecodingError;
 *   3. resolves the session from the authenticationToken: unknown ->
 *      BadSessionIdInvalid; bound to another channel ->
 *      BadSecureChannelIdInvalid; not activated -> BadSessionNotActivated;
 *   4. calls the service, then sends the response with its ResponseHeader
 *      (requestHandle, timestamp) or a ServiceFault carrying a Bad result;
 *      a service that deferred its answer (pending.c) sends it later.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aspace.h"
#include "conn.h"
#include "server_internal.h"
#include "uagate/ua_nodeids.h"

/* ------------------------------------------------------------- table -- */

#define SVC(req, resp, fn, sess, inactive) \
    {&ug_desc_##req, &ug_desc_##resp, fn, sess, inactive}

static const struct ug_service_entry services[] = {
    SVC(FindServersRequest, FindServersResponse, ug_svc_find_servers, false, false),
    SVC(GetEndpointsRequest, GetEndpointsResponse, ug_svc_get_endpoints, false, false),
    SVC(CreateSessionRequest, CreateSessionResponse, ug_svc_create_session, false, false),
    SVC(ActivateSessionRequest, ActivateSessionResponse, ug_svc_activate_session, true, true),
    SVC(CloseSessionRequest, CloseSessionResponse, ug_svc_close_session, true, true),
    SVC(AddNodesRequest, AddNodesResponse, ug_svc_add_nodes, true, false),
    SVC(AddReferencesRequest, AddReferencesResponse, ug_svc_add_references, true, false),
    SVC(DeleteNodesRequest, DeleteNodesResponse, ug_svc_delete_nodes, true, false),
    SVC(DeleteReferencesRequest, DeleteReferencesResponse, ug_svc_delete_references, true, false),
    SVC(BrowseRequest, BrowseResponse, ug_svc_browse, true, false),
    SVC(BrowseNextRequest, BrowseNextResponse, ug_svc_browse_next, true, false),
    SVC(TranslateBrowsePathsToNodeIdsRequest, TranslateBrowsePathsToNodeIdsResponse,
        ug_svc_translate, true, false),
    SVC(RegisterNodesRequest, RegisterNodesResponse, ug_svc_register_nodes, true, false),
    SVC(UnregisterNodesRequest, UnregisterNodesResponse, ug_svc_unregister_nodes, true, false),
    SVC(ReadRequest, ReadResponse, ug_svc_read, true, false),
    SVC(WriteRequest, WriteResponse, ug_svc_write, true, false),
    SVC(CallRequest, CallResponse, ug_svc_call, true, false),
    SVC(CreateMonitoredItemsRequest, CreateMonitoredItemsResponse,
        ug_svc_create_monitored_items, true, false),
    SVC(ModifyMonitoredItemsRequest, ModifyMonitoredItemsResponse,
        ug_svc_modify_monitored_items, true, false),
    SVC(SetMonitoringModeRequest, SetMonitoringModeResponse, ug_svc_set_monitoring_mode, true,
        false),
    SVC(DeleteMonitoredItemsRequest, DeleteMonitoredItemsResponse,
        ug_svc_delete_monitored_items, true, false),
    SVC(CreateSubscriptionRequest, CreateSubscriptionResponse, ug_svc_create_subscription, true,
        false),
    SVC(ModifySubscriptionRequest, ModifySubscriptionResponse, ug_svc_modify_subscription, true,
        false),
    SVC(SetPublishingModeRequest, SetPublishingModeResponse, ug_svc_set_publishing_mode, true,
        false),
    SVC(PublishRequest, PublishResponse, ug_svc_publish, true, false),
    SVC(RepublishRequest, RepublishResponse, ug_svc_republish, true, false),
    SVC(TransferSubscriptionsRequest, TransferSubscriptionsResponse,
        ug_svc_transfer_checked, true, false),
    SVC(DeleteSubscriptionsRequest, DeleteSubscriptionsResponse, ug_svc_delete_subscriptions,
        true, false),
};

static void table_insert(ug_server *s, const struct ug_service_entry *e)
{
    uint32_t id = e->request->binary_encoding_id;
    size_t i = 0;
    while (i < s->n_table && s->table_ids[i] < id)
        i++;
    if (i < s->n_table && s->table_ids[i] == id) {
        s->table[i] = *e;
        return;
    }
    memmove(&s->table[i + 1], &s->table[i], (s->n_table - i) * sizeof s->table[0]);
    memmove(&s->table_ids[i + 1], &s->table_ids[i], (s->n_table - i) * sizeof s->table_ids[0]);
    s->table[i] = *e;
    s->table_ids[i] = id;
    s->n_table++;
}

ug_status ug_server_set_service(ug_server *s, const struct ug_service_entry *e)
{
    if (!s || !e || !e->request || !e->response || !e->fn || !e->request->binary_encoding_id)
        return UG_STATUS_BADINVALIDARGUMENT;
    bool present = false;
    for (size_t i = 0; i < s->n_table; i++)
        present |= s->table_ids[i] == e->request->binary_encoding_id;
    if (!present && s->n_table == UG_SERVICE_TABLE_MAX)
        return UG_STATUS_BADTOOMANYOPERATIONS;
    table_insert(s, e);
    return UG_STATUS_GOOD;
}

static const struct ug_service_entry *table_find(const ug_server *s, uint32_t id)
{
    size_t lo = 0, hi = s->n_table;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->table_ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->n_table && s->table_ids[lo] == id ? &s->table[lo] : NULL;
}

/* ---------------------------------------------------------- dispatch -- */

static void send_fault(ug_server *s, ug_conn *c, uint32_t request_id, uint32_t handle,
                       ug_status st)
{
    s->stats.faults++;
    (void)ug_conn_send_fault(c, request_id, handle, st);
}

void ug_server_respond(ug_svc_pending *p, ug_status result)
{
    ug_server *s = p->server;
    if (!p->conn)
        return;
    if (ug_is_bad(result) || !p->response) {
        send_fault(s, p->conn, p->request_id, p->request_handle,
                   ug_is_bad(result) ? result : UG_STATUS_BADINTERNALERROR);
        return;
    }
    /* Every response starts with its ResponseHeader (Part 4 §7.33). */
    ug_ResponseHeader *rh = p->response;
    rh->request_handle = p->request_handle;
    /* Part 4 §7.33: the time the response was sent. A synchronous answer
     * goes out within microseconds of dispatch: reuse that clock read. */
    rh->timestamp = p->now ? p->now : ug_datetime_now();
    if (result != UG_STATUS_GOOD && result != UG_STATUS_GOODCOMPLETESASYNCHRONOUSLY &&
        rh->service_result == UG_STATUS_GOOD)
        rh->service_result = result;
    ug_status st = ug_conn_send(p->conn, p->request_id, p->entry->response, p->response);
    /* BadResponseTooLarge: the channel sent an abort chunk, which answers.
     * Closed or queue full: nothing to answer on. An encoder failure sent
     * nothing: the client still gets an answer. */
    if (st == UG_STATUS_BADENCODINGERROR || st == UG_STATUS_BADENCODINGLIMITSEXCEEDED ||
        st == UG_STATUS_BADOUTOFMEMORY)
        send_fault(s, p->conn, p->request_id, p->request_handle, st);
}

static ug_status resolve_session(ug_server *s, ug_conn *c, const struct ug_service_entry *e,
                                 const ug_RequestHeader *hdr, ug_session **out)
{
    ug_session *sess = ug_session_find(s, &hdr->authentication_token);
    if (!sess)
        return UG_STATUS_BADSESSIONIDINVALID;
    if (ug_session_conn(sess) != c) {
        /* Part 4 §5.6.3.1: only ActivateSession of an activated session may
         * move it to another channel. */
        if (e->fn != ug_svc_activate_session || !ug_session_activated(sess))
            return UG_STATUS_BADSECURECHANNELIDINVALID;
    }
    if (!ug_session_activated(sess) && !e->inactive_ok)
        return UG_STATUS_BADSESSIONNOTACTIVATED;
    *out = sess;
    return UG_STATUS_GOOD;
}

static void on_message(ug_conn *c, uint32_t request_id, uint32_t encoding_id, ug_rd *body,
                       void *data)
{
    ug_server *s = data;
    s->stats.requests++;
    const struct ug_service_entry *e = table_find(s, encoding_id);
    ug_svc_pending *p = ug_pending_get(s);
    if (!p) {
        send_fault(s, c, request_id, 0, UG_STATUS_BADOUTOFMEMORY);
        return;
    }
    body->arena = &p->arena;
    if (!e) {
        /* Still answer, with the client's handle (Part 4 §7.32: every
         * request starts with a RequestHeader). */
        ug_RequestHeader hdr;
        memset(&hdr, 0, sizeof hdr);
        ug_rd_struct(body, &ug_desc_RequestHeader, &hdr);
        send_fault(s, c, request_id, hdr.request_handle, UG_STATUS_BADSERVICEUNSUPPORTED);
        ug_pending_put(p);
        return;
    }
    p->conn = c;
    p->entry = e;
    p->request_id = request_id;
    p->request = ug_arena_alloc(&p->arena, e->request->size);
    p->response = ug_arena_alloc(&p->arena, e->response->size);
    if (!p->request || !p->response) {
        send_fault(s, c, request_id, 0, UG_STATUS_BADOUTOFMEMORY);
        ug_pending_put(p);
        return;
    }
    memset(p->request, 0, e->request->size);
    memset(p->response, 0, e->response->size);
    ug_rd_struct(body, e->request, p->request);
    const ug_RequestHeader *hdr = p->request; /* first member of every request */
    p->request_handle = hdr->request_handle;
    if (!ug_rd_ok(body) || ug_rd_left(body) != 0) {
        /* Over a decoding limit or out of memory say so; anything else
         * (short, trailing bytes, bad values) is BadDecodingError. */
        ug_status st = body->err;
        if (st != UG_STATUS_BADENCODINGLIMITSEXCEEDED && st != UG_STATUS_BADOUTOFMEMORY)
            st = UG_STATUS_BADDECODINGERROR;
        send_fault(s, c, request_id, p->request_handle, st);
        ug_pending_put(p);
        return;
    }

    ug_session *sess = NULL;
    if (e->needs_session) {
        ug_status st = resolve_session(s, c, e, hdr, &sess);
        if (st != UG_STATUS_GOOD) {
            send_fault(s, c, request_id, p->request_handle, st);
            ug_pending_put(p);
            return;
        }
        ug_session_touch(sess, ug_loop_now(s->loop));
    }
    p->session = sess;
    p->now = ug_datetime_now();

    struct ug_svc_ctx ctx = {
        .server = s,
        .aspace = s->aspace,
        .session = sess,
        .arena = &p->arena,
        .loop = s->loop,
        .now_ns = ug_loop_now(s->loop),
        .now = p->now,
        .pending = p,
        .conn = c,
        .request_header = hdr,
    };
    ug_status st = e->fn(&ctx, p->request, p->response);
    if (!ctx.pending) {
        /* Deferred (pending.c): answered when the service finishes. The
         * request's views into the receive buffer die when we return. */
        p->now = 0;
        if (p->state == UG_PENDING_DONE) {
            ug_pending_queue_done(p);
        } else {
            ug_pending_take(p);
            /* Publish requests wait by design (Part 4 §5.13.5): the
             * subscription code answers them, not the hint. */
            if (e->fn != ug_svc_publish)
                ug_pending_set_timeout(p, hdr->timeout_hint);
        }
        return;
    }
    if (st == UG_STATUS_GOODCOMPLETESASYNCHRONOUSLY)
        st = UG_STATUS_BADINTERNALERROR; /* said async but kept nothing */
    p->session = ctx.session; /* CloseSession clears it */
    ug_server_respond(p, st);
    ug_pending_put(p);
}

static void on_accept(ug_conn *c, void *data)
{
    (void)c;
    ug_server *s = data;
    s->stats.channels++;
}

static void on_closed(ug_conn *c, ug_status why, void *data)
{
    (void)why;
    ug_server *s = data;
    if (s->stats.channels)
        s->stats.channels--;
    ug_pending_orphan_conn(s, c);
    ug_sessions_conn_closed(s, c);
}

static const struct ug_conn_cbs server_cbs = {
    .on_accept = on_accept,
    .on_message = on_message,
    .on_closed = on_closed,
};

/* ---------------------------------------------------------- config -- */

void ug_server_limits_init(struct ug_server_limits *l)
{
    memset(l, 0, sizeof *l);
    l->max_nodes_per_read = 1000;
    l->max_nodes_per_write = 1000;
    l->max_nodes_per_browse = 1000;
    l->max_nodes_per_translate = 1000;
    l->max_nodes_per_register = 1000;
    l->max_nodes_per_method_call = 100;
    l->max_nodes_per_node_management = 1000;
    l->max_monitored_items_per_call = 1000;
    l->max_references_per_node = 1000;
    l->max_browse_continuation_points = 10;
    l->max_sessions = 100;
    l->max_subscriptions_per_session = 100;
    l->max_monitored_items = 100000;
    l->max_publish_requests = 10;
    l->max_notifications_per_publish = 10000;
    l->max_queue_size = 1000;
    l->min_sampling_interval_ms = 10.0;
    l->min_publishing_interval_ms = 10.0;
    l->max_session_timeout_ms = 3600000.0;
}

void ug_server_config_init(struct ug_server_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->endpoint_url = "opc.tcp://0.0.0.0:4840";
    cfg->application_uri = "urn:uagate:server";
    cfg->application_name = "uagate";
    cfg->product_uri = "https://uagate.invalid/uagate";
    cfg->manufacturer_name = "uagate";
    cfg->product_name = "uagate";
    cfg->software_version = "0.7";
    cfg->build_number = "0";
    ug_server_limits_init(&cfg->limits);
    cfg->allow_anonymous = true;
    cfg->node_management = true;
    cfg->min_session_timeout_ms = 10000.0;
    cfg->hello_timeout_ms = 60000;
    cfg->max_channels = 128;
}

/* Splits "opc.tcp://HOST:PORT/PATH" keeping HOST as written. */
static ug_status split_url(const char *url, char *host, size_t cap, uint16_t *port,
                           const char **path)
{
    static const char scheme[] = "opc.tcp://";
    if (strncmp(url, scheme, sizeof scheme - 1) != 0)
        return UG_STATUS_BADINVALIDARGUMENT;
    const char *h = url + sizeof scheme - 1;
    const char *e = h;
    if (*e == '[') {
        e = strchr(e, ']');
        if (!e)
            return UG_STATUS_BADINVALIDARGUMENT;
        e++;
    } else {
        while (*e && *e != ':' && *e != '/')
            e++;
    }
    if (e == h || (size_t)(e - h) >= cap)
        return UG_STATUS_BADINVALIDARGUMENT;
    memcpy(host, h, (size_t)(e - h));
    host[e - h] = '\0';
    *port = 4840;
    if (*e == ':') {
        char *end;
        unsigned long n = strtoul(e + 1, &end, 10);
        if (end == e + 1 || n > 65535)
            return UG_STATUS_BADINVALIDARGUMENT;
        *port = (uint16_t)n;
        e = end;
    }
    if (*e && *e != '/')
        return UG_STATUS_BADINVALIDARGUMENT;
    *path = e;
    return UG_STATUS_GOOD;
}

static const char *own(ug_server *s, size_t *n, const char *str, const char *dflt)
{
    if (!str)
        str = dflt;
    if (!str)
        return NULL;
    char *d = strdup(str);
    if (d)
        s->owned[(*n)++] = d;
    return d;
}

static void free_config(ug_server *s)
{
    for (size_t i = 0; i < sizeof s->owned / sizeof s->owned[0]; i++)
        free(s->owned[i]);
    if (s->users) {
        for (size_t i = 0; i < s->cfg.n_users; i++) {
            free((char *)s->users[i].username);
            free((char *)s->users[i].password_hash);
        }
        free(s->users);
    }
}

static ug_status copy_config(ug_server *s, const struct ug_server_config *cfg)
{
    size_t n = 0;
    s->cfg = *cfg;
    s->cfg.endpoint_url = own(s, &n, cfg->endpoint_url, "opc.tcp://0.0.0.0:4840");
    s->cfg.application_uri = own(s, &n, cfg->application_uri, "urn:uagate:server");
    s->cfg.application_name = own(s, &n, cfg->application_name, "uagate");
    s->cfg.product_uri = own(s, &n, cfg->product_uri, "https://uagate.invalid/uagate");
    s->cfg.manufacturer_name = own(s, &n, cfg->manufacturer_name, "uagate");
    s->cfg.product_name = own(s, &n, cfg->product_name, "uagate");
    s->cfg.software_version = own(s, &n, cfg->software_version, "0.7");
    s->cfg.build_number = own(s, &n, cfg->build_number, "0");
    if (n != 8)
        return UG_STATUS_BADOUTOFMEMORY;
    s->cfg.users = NULL;
    s->cfg.n_users = 0;
    if (cfg->n_users) {
        s->users = calloc(cfg->n_users, sizeof *s->users);
        if (!s->users)
            return UG_STATUS_BADOUTOFMEMORY;
        for (size_t i = 0; i < cfg->n_users; i++) {
            s->cfg.n_users = i + 1;
            s->users[i].username = strdup(cfg->users[i].username);
            s->users[i].password_hash = strdup(cfg->users[i].password_hash);
            if (!s->users[i].username || !s->users[i].password_hash)
                return UG_STATUS_BADOUTOFMEMORY;
        }
        s->cfg.users = s->users;
    }
    return UG_STATUS_GOOD;
}

static ug_status check_config(const struct ug_server_config *cfg)
{
    char host[256];
    uint16_t port;
    const char *path;
    if (cfg->endpoint_url &&
        split_url(cfg->endpoint_url, host, sizeof host, &port, &path) != UG_STATUS_GOOD)
        return UG_STATUS_BADINVALIDARGUMENT;
    if (cfg->n_users && !cfg->users)
        return UG_STATUS_BADINVALIDARGUMENT;
    for (size_t i = 0; i < cfg->n_users; i++) {
        if (!cfg->users[i].username || !cfg->users[i].username[0] ||
            !ug_password_hash_valid(cfg->users[i].password_hash))
            return UG_STATUS_BADINVALIDARGUMENT;
    }
    double max = cfg->limits.max_session_timeout_ms;
    if (cfg->min_session_timeout_ms < 0 || max <= 0 || cfg->min_session_timeout_ms > max)
        return UG_STATUS_BADINVALIDARGUMENT;
    if (cfg->limits.max_sessions == 0)
        return UG_STATUS_BADINVALIDARGUMENT;
    return UG_STATUS_GOOD;
}

/* ---------------------------------------------------------- lifecycle -- */

ug_status ug_server_new(ug_loop *loop, const struct ug_server_config *cfg, ug_server **out)
{
    if (!loop || !cfg || !out)
        return UG_STATUS_BADINVALIDARGUMENT;
    ug_status st = check_config(cfg);
    if (st != UG_STATUS_GOOD)
        return st;
    ug_server *s = calloc(1, sizeof *s);
    if (!s)
        return UG_STATUS_BADOUTOFMEMORY;
    s->loop = loop;
    s->state = 0; /* ServerState Running (Part 5 §12.6) */
    s->start_time = ug_datetime_now();
    s->decode_limits = ug_limits_default;
    st = copy_config(s, cfg);
    if (st == UG_STATUS_GOOD) {
        const char *path;
        st = split_url(s->cfg.endpoint_url, s->bind_host, sizeof s->bind_host, &s->cfg_port,
                       &path);
        snprintf(s->endpoint_url, sizeof s->endpoint_url, "%s", s->cfg.endpoint_url);
        s->wildcard_host = strcmp(s->bind_host, "0.0.0.0") == 0 ||
                           strcmp(s->bind_host, "[::]") == 0 || strcmp(s->bind_host, "::") == 0;
    }
    for (size_t i = 0; st == UG_STATUS_GOOD && i < sizeof services / sizeof services[0]; i++)
        table_insert(s, &services[i]);
    if (st == UG_STATUS_GOOD)
        st = ug_pool_new(loop, 2, &s->pool);
    if (st == UG_STATUS_GOOD) {
        struct ug_aspace_config acfg = {
            .application_uri = s->cfg.application_uri,
            .loop = loop,
            .pool = s->pool,
        };
        st = ug_aspace_new(&acfg, &s->aspace);
    }
    if (st == UG_STATUS_GOOD)
        st = ug_server_info_init(s);
    if (st != UG_STATUS_GOOD) {
        ug_server_free(s);
        return st;
    }
    *out = s;
    return UG_STATUS_GOOD;
}

ug_status ug_server_start(ug_server *s)
{
    if (!s)
        return UG_STATUS_BADINVALIDARGUMENT;
    if (s->started)
        return UG_STATUS_BADINVALIDSTATE;
    struct ug_conn_limits lim;
    ug_conn_limits_init(&lim);
    if (s->cfg.hello_timeout_ms)
        lim.hello_timeout_ns = (int64_t)s->cfg.hello_timeout_ms * 1000000;
    if (s->cfg.max_channels)
        lim.max_connections = s->cfg.max_channels;
    if (s->cfg.min_token_lifetime_ms)
        lim.min_token_lifetime_ms = s->cfg.min_token_lifetime_ms;
    if (s->cfg.max_token_lifetime_ms)
        lim.max_token_lifetime_ms = s->cfg.max_token_lifetime_ms;
    /* Bind the host of the URL; brackets of an IPv6 literal come off. */
    char host[256];
    snprintf(host, sizeof host, "%s", s->bind_host);
    if (host[0] == '[') {
        size_t l = strlen(host);
        memmove(host, host + 1, l);
        if (l >= 2 && host[l - 2] == ']')
            host[l - 2] = '\0';
    }
    ug_status st = ug_listener_start(s->loop, host, s->cfg_port, &lim, s->cfg.application_uri,
                                     &server_cbs, s, &s->listener);
    if (st != UG_STATUS_GOOD)
        return st;
    s->port = ug_listener_port(s->listener);
    if (s->cfg_port == 0) {
        char h[256];
        uint16_t port;
        const char *path = "";
        (void)split_url(s->cfg.endpoint_url, h, sizeof h, &port, &path);
        snprintf(s->endpoint_url, sizeof s->endpoint_url, "opc.tcp://%s:%u%s", h,
                 (unsigned)s->port, path);
    }
    s->started = true;
    s->state = 0; /* Running */
    return UG_STATUS_GOOD;
}

void ug_server_stop(ug_server *s)
{
    if (!s || !s->started)
        return;
    s->state = 4; /* Shutdown */
    ug_sessions_close_all(s);
    ug_sessions_free_detached(s);
    ug_listener_free(s->listener); /* on_closed for each conn, synchronously */
    s->listener = NULL;
    s->started = false;
    s->port = 0;
}

void ug_server_free(ug_server *s)
{
    if (!s)
        return;
    ug_server_stop(s);
    ug_sessions_close_all(s);
    ug_sessions_free_detached(s);
    ug_pending_orphan_all(s);
    /* Joins the workers first: no completion arrives after this. */
    ug_pool_free(s->pool);
    s->pool = NULL;
    ug_sessions_free_jobs(s);
    ug_aspace_free(s->aspace); /* finishes its outstanding requests */
    s->aspace = NULL;
    ug_pending_free_all(s);
    free_config(s);
    free(s);
}

uint16_t ug_server_port(const ug_server *s) { return s && s->started ? s->port : 0; }

ug_aspace *ug_server_aspace(ug_server *s) { return s ? s->aspace : NULL; }

void ug_server_get_stats(const ug_server *s, struct ug_server_stats *out)
{
    *out = s->stats;
    out->sessions = ug_sessions_count(s);
}

const struct ug_server_limits *ug_server_get_limits(const ug_server *s)
{
    return &s->cfg.limits;
}

ug_status ug_server_reverse_connect(ug_server *s, const char *client_url)
{
    if (!s || !client_url)
        return UG_STATUS_BADINVALIDARGUMENT;
    if (!s->started)
        return UG_STATUS_BADINVALIDSTATE;
    return ug_listener_reverse_connect(s->listener, client_url, s->endpoint_url, NULL);
}
