/* Tests of the OPC UA client (clientserver/client*.c) against a fake server
 * written here on top of the channel layer (conn.h): it answers GetEndpoints,
 * CreateSession, ActivateSession, Read, Write, Browse/BrowseNext, Call,
 * subscriptions and Publish with canned responses, and can be told to
 * misbehave (faults, silence, dropped connections, forgotten sessions), which
 * makes timeouts, reconnects and session/subscription transfer
 * deterministic. Everything runs on one loop on 127.0.0.1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../clientserver/conn.h" /* private: clientserver/ is not on the tests' include path */
#include "harness.h"
#include "uagate/client.h"
#include "uagate/nodes.h"
#include "uagate/rt.h"
#include "uagate/server.h"
#include "uagate/ua_nodeids.h"
#include "uagate/ua_struct.h"

#define MS 1000000LL

/* ------------------------------------------------------------ the fake -- */

enum ep_mode {
    EP_NORMAL = 0,     /* None endpoint: anonymous + plain username */
    EP_NO_NONE,        /* only a Basic256Sha256 endpoint */
    EP_ANON_ONLY,      /* None endpoint, anonymous only */
    EP_USER_ENCRYPTED, /* None endpoint, username only with an encrypting policy */
};

struct held {
    ug_conn *conn;
    uint32_t request_id;
    uint32_t handle;
};

struct fake {
    ug_loop *loop;
    ug_listener *l;
    uint16_t port;
    char url[64];
    ug_conn *conn; /* the latest */
    ug_arena arena;
    uint8_t arena_buf[8192];

    /* behaviour */
    enum ep_mode ep_mode;
    ug_status read_fault;      /* Read answered with this ServiceFault */
    bool read_silent;          /* Read never answered */
    bool read_close;           /* the connection is closed when a Read arrives */
    bool read_wrong_type;      /* Read answered with a WriteResponse */
    bool read_garbage;         /* Read answered with an undecodable body */
    bool read_wrong_handle;    /* Read answered with another requestHandle */
    bool transfer_ok;          /* TransferSubscriptions succeeds */
    ug_status activate_fault;  /* ActivateSession answered with this fault */
    bool publish_too_many;     /* Publish answered BadTooManyPublishRequests */

    /* state */
    uint32_t token;            /* valid authentication token (ns=0 numeric), 0: none */
    uint32_t next_token;
    uint32_t sub_id;
    uint32_t seq;
    uint32_t handles[16];
    uint32_t n_handles;
    struct held held[32];
    uint32_t n_held;
    int32_t written;

    /* counters */
    unsigned n_get_endpoints, n_create_session, n_activate, n_read, n_create_sub,
        n_create_items, n_transfer, n_publish, n_close_session, n_delete_sub, n_acks,
        n_browse_next, n_conns;
    int32_t last_token_type; /* -1 anonymous, 1 username */
    char last_user[64], last_password[64], last_policy[64];
};

static void respond(ug_conn *conn, uint32_t request_id, uint32_t handle, const ug_type_desc *d,
                    void *resp)
{
    ug_ResponseHeader *h = resp;
    h->request_handle = handle;
    h->timestamp = ug_datetime_now();
    h->service_result = UG_STATUS_GOOD;
    CU_ASSERT_EQUAL(ug_conn_send(conn, request_id, d, resp), UG_STATUS_GOOD);
}

static void copy_str(char *dst, size_t cap, ug_string s)
{
    size_t n = s.len > 0 ? (size_t)s.len : 0;
    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(dst, s.data, n);
    dst[n] = '\0';
}

static void fake_endpoints(struct fake *f, ug_conn *conn, uint32_t rid, uint32_t h)
{
    static ug_UserTokenPolicy pol[2];
    ug_EndpointDescription ep;
    memset(&ep, 0, sizeof ep);
    memset(pol, 0, sizeof pol);
    ep.endpoint_url = ug_string_from(f->url);
    ep.security_mode = UG_MESSAGE_SECURITY_MODE_NONE;
    ep.security_policy_uri = ug_string_from(UG_SECPOLICY_NONE_URI);
    ep.transport_profile_uri =
        ug_string_from("http://opcfoundation.org/UA-Profile/Transport/uatcp-uasc-uabinary");
    pol[0].policy_id = ug_string_from("anon");
    pol[0].token_type = UG_USER_TOKEN_TYPE_ANONYMOUS;
    pol[1].policy_id = ug_string_from("user-plain");
    pol[1].token_type = UG_USER_TOKEN_TYPE_USER_NAME;
    pol[1].security_policy_uri = UG_NULL_BYTES;
    ep.user_identity_tokens = pol;
    ep.user_identity_tokens_len = 2;
    switch (f->ep_mode) {
    case EP_NORMAL: break;
    case EP_NO_NONE:
        ep.security_mode = UG_MESSAGE_SECURITY_MODE_SIGN_AND_ENCRYPT;
        ep.security_policy_uri =
            ug_string_from("http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256");
        break;
    case EP_ANON_ONLY: ep.user_identity_tokens_len = 1; break;
    case EP_USER_ENCRYPTED:
        pol[0] = pol[1];
        pol[0].policy_id = ug_string_from("user-rsa");
        pol[0].security_policy_uri =
            ug_string_from("http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256");
        ep.user_identity_tokens_len = 1;
        break;
    }
    ug_GetEndpointsResponse r;
    memset(&r, 0, sizeof r);
    r.endpoints = &ep;
    r.endpoints_len = 1;
    respond(conn, rid, h, &ug_desc_GetEndpointsResponse, &r);
}

static void fake_activate(struct fake *f, ug_conn *conn, uint32_t rid,
                          const ug_ActivateSessionRequest *req)
{
    uint32_t h = req->request_header.request_handle;
    f->n_activate++;
    if (f->activate_fault) {
        ug_conn_send_fault(conn, rid, h, f->activate_fault);
        return;
    }
    const ug_nodeid *t = &req->request_header.authentication_token;
    if (!f->token || t->id_type != UG_ID_NUMERIC || t->id.numeric != f->token) {
        ug_conn_send_fault(conn, rid, h, UG_STATUS_BADSESSIONIDINVALID);
        return;
    }
    const ug_type_desc *d = NULL;
    void *obj = NULL;
    CU_ASSERT_EQUAL_FATAL(ug_eo_decode(&req->user_identity_token, NULL, &d, &obj,
                                       &ug_limits_default, &f->arena),
                          UG_STATUS_GOOD);
    if (d == &ug_desc_UserNameIdentityToken) {
        const ug_UserNameIdentityToken *u = obj;
        f->last_token_type = 1;
        copy_str(f->last_user, sizeof f->last_user, u->user_name);
        copy_str(f->last_password, sizeof f->last_password, u->password);
        copy_str(f->last_policy, sizeof f->last_policy, u->policy_id);
        CU_ASSERT_EQUAL(u->encryption_algorithm.len, -1);
    } else {
        CU_ASSERT_PTR_EQUAL(d, &ug_desc_AnonymousIdentityToken);
        f->last_token_type = -1;
        copy_str(f->last_policy, sizeof f->last_policy,
                 ((const ug_AnonymousIdentityToken *)obj)->policy_id);
    }
    ug_ActivateSessionResponse r;
    memset(&r, 0, sizeof r);
    respond(conn, rid, h, &ug_desc_ActivateSessionResponse, &r);
}

static bool session_ok(struct fake *f, const ug_RequestHeader *h)
{
    return f->token && h->authentication_token.id_type == UG_ID_NUMERIC &&
           h->authentication_token.id.numeric == f->token;
}

static void garbage_enc(ug_wr *wr, const void *msg)
{
    (void)msg;
    ug_wr_u32(wr, 0xffffffffu); /* a truncated ResponseHeader */
}

static void fake_read(struct fake *f, ug_conn *conn, uint32_t rid, const ug_ReadRequest *req)
{
    uint32_t h = req->request_header.request_handle;
    f->n_read++;
    if (f->read_silent)
        return;
    if (f->read_close) {
        ug_conn_close(conn);
        return;
    }
    if (f->read_fault) {
        ug_conn_send_fault(conn, rid, h, f->read_fault);
        return;
    }
    if (f->read_wrong_type) {
        ug_WriteResponse w;
        memset(&w, 0, sizeof w);
        respond(conn, rid, h, &ug_desc_WriteResponse, &w);
        return;
    }
    if (f->read_garbage) {
        ug_conn_send_raw(conn, rid, ug_desc_ReadResponse.binary_encoding_id, garbage_enc, NULL);
        return;
    }
    ug_datavalue *dv = ug_arena_alloc(&f->arena, sizeof *dv * (size_t)req->nodes_to_read_len);
    for (int32_t i = 0; i < req->nodes_to_read_len; i++) {
        const ug_ReadValueId *rv = &req->nodes_to_read[i];
        memset(&dv[i], 0, sizeof dv[i]);
        if (rv->node_id.id_type == UG_ID_STRING) {
            /* ns=1;s=... -> the string itself */
            dv[i].mask = UG_DV_VALUE;
            dv[i].value = ug_variant_scalar(UG_TYPE_STRING);
            dv[i].value.u.v.string = rv->node_id.id.string;
        } else if (rv->node_id.id.numeric == 999) {
            dv[i].mask = UG_DV_STATUS;
            dv[i].status = UG_STATUS_BADNODEIDUNKNOWN;
        } else {
            dv[i].mask = UG_DV_VALUE | UG_DV_SOURCE_TIMESTAMP;
            dv[i].value = ug_variant_scalar(UG_TYPE_INT32);
            dv[i].value.u.v.int32 = (int32_t)rv->node_id.id.numeric + (int32_t)rv->attribute_id +
                                    f->written;
            dv[i].source_ts = ug_datetime_now();
        }
    }
    ug_ReadResponse r;
    memset(&r, 0, sizeof r);
    r.results = dv;
    r.results_len = req->nodes_to_read_len;
    if (f->read_wrong_handle)
        h += 7;
    respond(conn, rid, h, &ug_desc_ReadResponse, &r);
}

/* Browse: five references to ns=1;i=1..5, three on the first page and two
 * after a continuation point. */
static void browse_refs(struct fake *f, ug_BrowseResult *br, int from, int to, bool cp)
{
    ug_ReferenceDescription *refs = ug_arena_alloc(&f->arena, sizeof *refs * 5);
    memset(refs, 0, sizeof *refs * 5);
    for (int i = from; i < to; i++) {
        ug_ReferenceDescription *r = &refs[i - from];
        r->reference_type_id.id.numeric = UG_NS0_ORGANIZES;
        r->is_forward = true;
        r->node_id.node.ns = 1;
        r->node_id.node.id.numeric = (uint32_t)i + 1;
        r->node_id.namespace_uri = UG_NULL_BYTES;
        r->browse_name.ns = 1;
        r->browse_name.name = ug_string_from("Item");
        r->display_name.locale = UG_NULL_BYTES;
        r->display_name.text = ug_string_from("Item");
        r->node_class = UG_NODE_CLASS_VARIABLE;
        r->type_definition.namespace_uri = UG_NULL_BYTES;
    }
    br->references = refs;
    br->references_len = to - from;
    br->continuation_point = cp ? ug_string_from("cp1") : UG_NULL_BYTES;
}

static void fake_publish_hold(struct fake *f, ug_conn *conn, uint32_t rid,
                              const ug_PublishRequest *req)
{
    uint32_t h = req->request_header.request_handle;
    f->n_publish++;
    f->n_acks += (unsigned)(req->subscription_acknowledgements_len > 0
                                ? req->subscription_acknowledgements_len
                                : 0);
    if (f->publish_too_many) {
        ug_conn_send_fault(conn, rid, h, UG_STATUS_BADTOOMANYPUBLISHREQUESTS);
        return;
    }
    if (f->n_held < 32)
        f->held[f->n_held++] = (struct held){conn, rid, h};
}

/* Answers the newest held Publish (older ones may have timed out at the
 * client) with a DataChangeNotification for every item, or a keep-alive. */
static bool fake_notify(struct fake *f, int32_t value, bool keepalive)
{
    if (!f->n_held)
        return false;
    struct held hp = f->held[--f->n_held];
    ug_arena_reset(&f->arena);
    ug_MonitoredItemNotification items[16];
    memset(items, 0, sizeof items);
    for (uint32_t i = 0; i < f->n_handles; i++) {
        items[i].client_handle = f->handles[i];
        items[i].value.mask = UG_DV_VALUE;
        items[i].value.value = ug_variant_scalar(UG_TYPE_INT32);
        items[i].value.value.u.v.int32 = value + (int32_t)i;
    }
    ug_DataChangeNotification dcn;
    memset(&dcn, 0, sizeof dcn);
    dcn.monitored_items = items;
    dcn.monitored_items_len = (int32_t)f->n_handles;
    ug_extension_object eo;
    CU_ASSERT_EQUAL(ug_eo_encode(&eo, &ug_desc_DataChangeNotification, &dcn, &f->arena),
                    UG_STATUS_GOOD);
    ug_PublishResponse r;
    memset(&r, 0, sizeof r);
    r.subscription_id = f->sub_id;
    uint32_t avail = f->seq + 1;
    r.notification_message.publish_time = ug_datetime_now();
    if (keepalive) {
        r.notification_message.sequence_number = f->seq + 1;
    } else {
        r.notification_message.sequence_number = ++f->seq;
        r.notification_message.notification_data = &eo;
        r.notification_message.notification_data_len = 1;
        r.available_sequence_numbers = &avail;
        r.available_sequence_numbers_len = 1;
    }
    respond(hp.conn, hp.request_id, hp.handle, &ug_desc_PublishResponse, &r);
    return true;
}

static void fake_on_message(ug_conn *conn, uint32_t rid, uint32_t enc, ug_rd *body, void *data)
{
    struct fake *f = data;
    ug_arena_reset(&f->arena);
    body->arena = &f->arena;
    const ug_type_desc *d = ug_desc_by_encoding_id(enc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    if (getenv("UG_TEST_DEBUG"))
        fprintf(stderr, "fake: %s\n", d->name);
    void *req = ug_arena_alloc(&f->arena, d->size);
    memset(req, 0, d->size);
    ug_rd_struct(body, d, req);
    CU_ASSERT_EQUAL_FATAL(body->err, UG_STATUS_GOOD);
    const ug_RequestHeader *rh = req;
    uint32_t h = rh->request_handle;
    CU_ASSERT_EQUAL(h, rid); /* the client uses one number for both */
    CU_ASSERT(rh->timeout_hint > 0);

    if (d == &ug_desc_GetEndpointsRequest) {
        f->n_get_endpoints++;
        fake_endpoints(f, conn, rid, h);
        return;
    }
    if (d == &ug_desc_CreateSessionRequest) {
        const ug_CreateSessionRequest *q = req;
        f->n_create_session++;
        CU_ASSERT(q->client_nonce.len >= 32);
        CU_ASSERT_EQUAL(q->client_description.application_type, UG_APPLICATION_TYPE_CLIENT);
        f->token = 1000 + ++f->next_token;
        ug_CreateSessionResponse r;
        memset(&r, 0, sizeof r);
        r.session_id.ns = 1;
        r.session_id.id.numeric = f->token;
        r.authentication_token.id.numeric = f->token;
        r.revised_session_timeout = 30000;
        r.server_nonce = UG_NULL_BYTES;
        r.server_certificate = UG_NULL_BYTES;
        r.server_signature.algorithm = UG_NULL_BYTES;
        r.server_signature.signature = UG_NULL_BYTES;
        respond(conn, rid, h, &ug_desc_CreateSessionResponse, &r);
        return;
    }
    if (d == &ug_desc_ActivateSessionRequest) {
        fake_activate(f, conn, rid, req);
        return;
    }
    if (!session_ok(f, rh)) {
        ug_conn_send_fault(conn, rid, h, UG_STATUS_BADSESSIONIDINVALID);
        return;
    }
    if (d == &ug_desc_ReadRequest) {
        fake_read(f, conn, rid, req);
    } else if (d == &ug_desc_WriteRequest) {
        const ug_WriteRequest *q = req;
        ug_status res = UG_STATUS_GOOD;
        if (q->nodes_to_write[0].value.value.type == UG_TYPE_INT32)
            f->written = q->nodes_to_write[0].value.value.u.v.int32;
        else
            res = UG_STATUS_BADTYPEMISMATCH;
        ug_WriteResponse r;
        memset(&r, 0, sizeof r);
        r.results = &res;
        r.results_len = 1;
        respond(conn, rid, h, &ug_desc_WriteResponse, &r);
    } else if (d == &ug_desc_BrowseRequest) {
        ug_BrowseResult br;
        memset(&br, 0, sizeof br);
        browse_refs(f, &br, 0, 3, true);
        ug_BrowseResponse r;
        memset(&r, 0, sizeof r);
        r.results = &br;
        r.results_len = 1;
        respond(conn, rid, h, &ug_desc_BrowseResponse, &r);
    } else if (d == &ug_desc_BrowseNextRequest) {
        const ug_BrowseNextRequest *q = req;
        f->n_browse_next++;
        ug_BrowseResult br;
        memset(&br, 0, sizeof br);
        if (q->continuation_points_len == 1 && q->continuation_points[0].len == 3)
            browse_refs(f, &br, 3, 5, false);
        else
            br.status_code = UG_STATUS_BADCONTINUATIONPOINTINVALID;
        ug_BrowseNextResponse r;
        memset(&r, 0, sizeof r);
        r.results = &br;
        r.results_len = 1;
        respond(conn, rid, h, &ug_desc_BrowseNextResponse, &r);
    } else if (d == &ug_desc_CallRequest) {
        const ug_CallRequest *q = req;
        const ug_CallMethodRequest *m = &q->methods_to_call[0];
        ug_CallMethodResult res;
        memset(&res, 0, sizeof res);
        ug_variant out = ug_variant_scalar(UG_TYPE_INT32);
        for (int32_t i = 0; i < m->input_arguments_len; i++)
            out.u.v.int32 += m->input_arguments[i].u.v.int32;
        if (m->method_id.id.numeric != 7)
            res.status_code = UG_STATUS_BADMETHODINVALID;
        res.output_arguments = &out;
        res.output_arguments_len = 1;
        ug_CallResponse r;
        memset(&r, 0, sizeof r);
        r.results = &res;
        r.results_len = 1;
        respond(conn, rid, h, &ug_desc_CallResponse, &r);
    } else if (d == &ug_desc_CreateSubscriptionRequest) {
        const ug_CreateSubscriptionRequest *q = req;
        f->n_create_sub++;
        f->sub_id = 500 + f->n_create_sub;
        f->seq = 0;
        f->n_handles = 0;
        ug_CreateSubscriptionResponse r;
        memset(&r, 0, sizeof r);
        r.subscription_id = f->sub_id;
        r.revised_publishing_interval = q->requested_publishing_interval;
        r.revised_lifetime_count = q->requested_lifetime_count;
        r.revised_max_keep_alive_count = q->requested_max_keep_alive_count;
        respond(conn, rid, h, &ug_desc_CreateSubscriptionResponse, &r);
    } else if (d == &ug_desc_CreateMonitoredItemsRequest) {
        const ug_CreateMonitoredItemsRequest *q = req;
        f->n_create_items++;
        CU_ASSERT_EQUAL(q->subscription_id, f->sub_id);
        int32_t n = q->items_to_create_len;
        ug_MonitoredItemCreateResult *res = ug_arena_alloc(&f->arena, sizeof *res * (size_t)n);
        memset(res, 0, sizeof *res * (size_t)n);
        for (int32_t i = 0; i < n; i++) {
            const ug_MonitoredItemCreateRequest *it = &q->items_to_create[i];
            if (it->item_to_monitor.node_id.id.numeric == 999) {
                res[i].status_code = UG_STATUS_BADNODEIDUNKNOWN;
                continue;
            }
            if (f->n_handles < 16)
                f->handles[f->n_handles++] = it->requested_parameters.client_handle;
            res[i].monitored_item_id = 70 + (uint32_t)i;
            res[i].revised_queue_size = 1;
        }
        ug_CreateMonitoredItemsResponse r;
        memset(&r, 0, sizeof r);
        r.results = res;
        r.results_len = n;
        respond(conn, rid, h, &ug_desc_CreateMonitoredItemsResponse, &r);
    } else if (d == &ug_desc_PublishRequest) {
        fake_publish_hold(f, conn, rid, req);
    } else if (d == &ug_desc_TransferSubscriptionsRequest) {
        const ug_TransferSubscriptionsRequest *q = req;
        f->n_transfer++;
        CU_ASSERT(q->send_initial_values);
        int32_t n = q->subscription_ids_len;
        ug_TransferResult *res = ug_arena_alloc(&f->arena, sizeof *res * (size_t)n);
        memset(res, 0, sizeof *res * (size_t)n);
        for (int32_t i = 0; i < n; i++)
            res[i].status_code = f->transfer_ok && q->subscription_ids[i] == f->sub_id
                                     ? UG_STATUS_GOOD
                                     : UG_STATUS_BADSUBSCRIPTIONIDINVALID;
        ug_TransferSubscriptionsResponse r;
        memset(&r, 0, sizeof r);
        r.results = res;
        r.results_len = n;
        respond(conn, rid, h, &ug_desc_TransferSubscriptionsResponse, &r);
    } else if (d == &ug_desc_DeleteSubscriptionsRequest) {
        const ug_DeleteSubscriptionsRequest *q = req;
        f->n_delete_sub++;
        ug_status res = UG_STATUS_GOOD;
        ug_DeleteSubscriptionsResponse r;
        memset(&r, 0, sizeof r);
        r.results = &res;
        r.results_len = q->subscription_ids_len > 0 ? 1 : 0;
        respond(conn, rid, h, &ug_desc_DeleteSubscriptionsResponse, &r);
    } else if (d == &ug_desc_CloseSessionRequest) {
        f->n_close_session++;
        f->token = 0;
        ug_CloseSessionResponse r;
        memset(&r, 0, sizeof r);
        respond(conn, rid, h, &ug_desc_CloseSessionResponse, &r);
    } else {
        ug_conn_send_fault(conn, rid, h, UG_STATUS_BADSERVICEUNSUPPORTED);
    }
}

static void fake_on_accept(ug_conn *conn, void *data)
{
    struct fake *f = data;
    f->conn = conn;
    f->n_conns++;
}

static void fake_on_closed(ug_conn *conn, ug_status why, void *data)
{
    (void)why;
    struct fake *f = data;
    if (f->conn == conn)
        f->conn = NULL;
    uint32_t k = 0;
    for (uint32_t i = 0; i < f->n_held; i++)
        if (f->held[i].conn != conn)
            f->held[k++] = f->held[i];
    f->n_held = k;
}

static const struct ug_conn_cbs fake_cbs = {
    .on_accept = fake_on_accept,
    .on_message = fake_on_message,
    .on_closed = fake_on_closed,
};

static struct fake *fake_start(ug_loop *loop)
{
    struct fake *f = calloc(1, sizeof *f);
    f->loop = loop;
    ug_arena_init(&f->arena, f->arena_buf, sizeof f->arena_buf, true);
    CU_ASSERT_EQUAL_FATAL(ug_listener_start(loop, "127.0.0.1", 0, NULL, "urn:fake", &fake_cbs, f,
                                            &f->l),
                          UG_STATUS_GOOD);
    f->port = ug_listener_port(f->l);
    snprintf(f->url, sizeof f->url, "opc.tcp://127.0.0.1:%u", f->port);
    return f;
}

static void fake_free(struct fake *f)
{
    ug_listener_free(f->l);
    ug_arena_free(&f->arena);
    free(f);
}

/* --------------------------------------------------------- test helpers -- */

struct env {
    ug_loop *loop;
    struct fake *f;
    ug_client *c;
    struct ug_client_config cfg;
    enum ug_client_state states[32];
    ug_status state_status[32];
    unsigned n_states;
};

static void on_state(ug_client *c, enum ug_client_state s, ug_status st, void *ctx)
{
    (void)c;
    struct env *e = ctx;
    if (getenv("UG_TEST_DEBUG"))
        fprintf(stderr, "state %s %s\n", ug_client_state_name(s), ug_status_name(st));
    if (e->n_states < 32) {
        e->states[e->n_states] = s;
        e->state_status[e->n_states] = st;
        e->n_states++;
    }
}

static void env_init(struct env *e)
{
    memset(e, 0, sizeof *e);
    CU_ASSERT_EQUAL_FATAL(ug_loop_new(NULL, &e->loop), UG_STATUS_GOOD);
    e->f = fake_start(e->loop);
    ug_client_config_init(&e->cfg);
    e->cfg.endpoint_url = e->f->url;
    e->cfg.request_timeout_ns = 300 * MS;
    e->cfg.reconnect_min_ns = 20 * MS;
    e->cfg.reconnect_max_ns = 100 * MS;
}

static ug_status env_connect(struct env *e)
{
    ug_status st = ug_client_new(e->loop, &e->cfg, &e->c);
    CU_ASSERT_EQUAL_FATAL(st, UG_STATUS_GOOD);
    st = ug_client_connect_async(e->c, on_state, e);
    CU_ASSERT_EQUAL_FATAL(st, UG_STATUS_GOOD);
    /* blocking connect on an already started connect: wait for the state */
    for (int i = 0; i < 2000 && ug_client_state(e->c) != UG_CLIENT_SESSION_ACTIVATED &&
                    ug_client_state(e->c) != UG_CLIENT_DISCONNECTED;
         i++)
        ug_client_run_for(e->c, 5 * MS, NULL);
    return ug_client_state(e->c) == UG_CLIENT_SESSION_ACTIVATED ? UG_STATUS_GOOD
                                                                 : e->state_status[e->n_states - 1];
}

static void env_free(struct env *e)
{
    ug_client_free(e->c);
    fake_free(e->f);
    /* let closing connections finish */
    for (int i = 0; i < 5; i++)
        ug_loop_run_once(e->loop, false);
    ug_loop_close(e->loop, -1);
}

/* Runs the loop until *flag or ~2 s. */
static void run_until_flag(struct env *e, const bool *flag)
{
    ug_client_run_for(e->c, 2000 * MS, flag);
}

static bool wait_state(struct env *e, enum ug_client_state s, int64_t max_ns)
{
    int64_t end = ug_clock_mono_ns() + max_ns;
    while (ug_client_state(e->c) != s && ug_clock_mono_ns() < end)
        ug_client_run_for(e->c, 5 * MS, NULL);
    return ug_client_state(e->c) == s;
}

static ug_nodeid num(uint16_t ns, uint32_t id)
{
    ug_nodeid n = {0};
    n.ns = ns;
    n.id.numeric = id;
    return n;
}

/* ---------------------------------------------------------------- tests -- */

static void test_connect_anonymous_read(void)
{
    struct env e;
    env_init(&e);
    CU_ASSERT_EQUAL_FATAL(env_connect(&e), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(e.n_states, 3);
    CU_ASSERT_EQUAL(e.states[0], UG_CLIENT_CONNECTING);
    CU_ASSERT_EQUAL(e.states[1], UG_CLIENT_CONNECTED);
    CU_ASSERT_EQUAL(e.states[2], UG_CLIENT_SESSION_ACTIVATED);
    CU_ASSERT_EQUAL(e.f->n_get_endpoints, 1);
    CU_ASSERT_EQUAL(e.f->n_create_session, 1);
    CU_ASSERT_EQUAL(e.f->last_token_type, -1);
    CU_ASSERT_STRING_EQUAL(e.f->last_policy, "anon");
    CU_ASSERT_DOUBLE_EQUAL(ug_client_session_timeout_ms(e.c), 30000, 0.1);

    uint8_t buf[1024];
    ug_arena a;
    ug_arena_init(&a, buf, sizeof buf, true);
    ug_variant v;
    ug_nodeid n = num(1, 40);
    CU_ASSERT_EQUAL(ug_client_read_value(e.c, &n, &v, &a), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(v.type, UG_TYPE_INT32);
    CU_ASSERT_EQUAL(v.u.v.int32, 40 + 13);

    ug_datavalue dv;
    CU_ASSERT_EQUAL(ug_client_read(e.c, &n, UG_ATTR_DISPLAY_NAME, &dv, &a), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(dv.value.u.v.int32, 40 + 4);
    CU_ASSERT(dv.mask & UG_DV_SOURCE_TIMESTAMP);

    /* a string id comes back as the value: it was copied into the arena */
    ug_nodeid s = {0};
    CU_ASSERT_EQUAL(ug_nodeid_parse("ns=1;s=Pump 1", 13, &s, NULL), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_client_read_value(e.c, &s, &v, &a), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(v.type, UG_TYPE_STRING);
    CU_ASSERT(ug_bytes_eq(v.u.v.string, ug_string_from("Pump 1")));

    /* the operation's Bad status is returned */
    n = num(0, 999);
    CU_ASSERT_EQUAL(ug_client_read_value(e.c, &n, &v, &a), UG_STATUS_BADNODEIDUNKNOWN);

    CU_ASSERT_EQUAL(ug_client_disconnect(e.c), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(e.f->n_close_session, 1);
    CU_ASSERT_EQUAL(ug_client_state(e.c), UG_CLIENT_DISCONNECTED);
    CU_ASSERT_EQUAL(e.state_status[e.n_states - 1], UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_client_disconnect(e.c), UG_STATUS_BADINVALIDSTATE);
    ug_arena_free(&a);
    env_free(&e);
}

static void test_username_plain(void)
{
    struct env e;
    env_init(&e);
    e.cfg.username = "operator";
    e.cfg.password = "s3cret";
    CU_ASSERT_EQUAL_FATAL(env_connect(&e), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(e.f->last_token_type, 1);
    CU_ASSERT_STRING_EQUAL(e.f->last_user, "operator");
    CU_ASSERT_STRING_EQUAL(e.f->last_password, "s3cret");
    CU_ASSERT_STRING_EQUAL(e.f->last_policy, "user-plain");
    env_free(&e);
}

/* Endpoint selection failures are permanent: no retry, DISCONNECTED. */
static void test_endpoint_selection(void)
{
    static const struct {
        enum ep_mode mode;
        const char *user;
        ug_status want;
    } cases[] = {
        {EP_NO_NONE, NULL, UG_STATUS_BADSECURITYPOLICYREJECTED},
        {EP_ANON_ONLY, "operator", UG_STATUS_BADIDENTITYTOKENREJECTED},
        {EP_USER_ENCRYPTED, "operator", UG_STATUS_BADIDENTITYTOKENREJECTED},
        {EP_USER_ENCRYPTED, NULL, UG_STATUS_BADIDENTITYTOKENREJECTED},
        {EP_ANON_ONLY, NULL, UG_STATUS_GOOD},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct env e;
        env_init(&e);
        e.f->ep_mode = cases[i].mode;
        e.cfg.username = cases[i].user;
        e.cfg.password = "pw";
        e.cfg.retry_first_connect = true; /* still no retry for these */
        ug_status st = env_connect(&e);
        CU_ASSERT_EQUAL(st, cases[i].want);
        if (cases[i].want != UG_STATUS_GOOD) {
            CU_ASSERT_EQUAL(ug_client_state(e.c), UG_CLIENT_DISCONNECTED);
            CU_ASSERT_EQUAL(e.f->n_create_session, 0);
            ug_client_run_for(e.c, 60 * MS, NULL);
            CU_ASSERT_EQUAL(e.f->n_get_endpoints, 1); /* no retry */
        }
        env_free(&e);
    }
}

static void test_blocking_connect_failures(void)
{
    struct env e;
    env_init(&e);
    /* identity refused by ActivateSession */
    e.f->activate_fault = UG_STATUS_BADUSERACCESSDENIED;
    CU_ASSERT_EQUAL_FATAL(ug_client_new(e.loop, &e.cfg, &e.c), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_client_connect(e.c), UG_STATUS_BADUSERACCESSDENIED);
    CU_ASSERT_EQUAL(ug_client_state(e.c), UG_CLIENT_DISCONNECTED);
    /* again, now accepted */
    e.f->activate_fault = UG_STATUS_GOOD;
    CU_ASSERT_EQUAL(ug_client_connect(e.c), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_client_connect_async(e.c, NULL, NULL), UG_STATUS_BADINVALIDSTATE);
    ug_client_free(e.c);
    e.c = NULL;

    /* nobody listening: a closed port */
    struct ug_client_config cfg = e.cfg;
    char url[64];
    snprintf(url, sizeof url, "opc.tcp://127.0.0.1:%u", e.f->port);
    ug_listener_free(e.f->l);
    e.f->l = NULL;
    cfg.endpoint_url = url;
    ug_client *c = NULL;
    CU_ASSERT_EQUAL_FATAL(ug_client_new(e.loop, &cfg, &c), UG_STATUS_GOOD);
    ug_status st = ug_client_connect(c);
    CU_ASSERT(ug_is_bad(st));
    CU_ASSERT_EQUAL(ug_client_state(c), UG_CLIENT_DISCONNECTED);
    ug_client_free(c);

    /* bad arguments */
    cfg.endpoint_url = "http://127.0.0.1:1";
    CU_ASSERT_EQUAL(ug_client_new(e.loop, &cfg, &c), UG_STATUS_BADINVALIDARGUMENT);
    cfg.endpoint_url = NULL;
    CU_ASSERT_EQUAL(ug_client_new(e.loop, &cfg, &c), UG_STATUS_BADINVALIDARGUMENT);
    CU_ASSERT_EQUAL(ug_client_new(NULL, &e.cfg, &c), UG_STATUS_BADINVALIDARGUMENT);
    ug_loop_close(e.loop, -1);
    ug_arena_free(&e.f->arena);
    free(e.f);
}

struct got {
    bool done;
    ug_status status;
    bool had_resp;
    int calls;
};

static void on_resp(ug_client *c, ug_status st, void *resp, void *ctx)
{
    (void)c;
    struct got *g = ctx;
    g->done = true;
    g->status = st;
    g->had_resp = resp != NULL;
    g->calls++;
}

static ug_status read_async(struct env *e, struct got *g, uint32_t id)
{
    ug_ReadValueId rv;
    memset(&rv, 0, sizeof rv);
    rv.node_id = num(1, id);
    rv.attribute_id = UG_ATTR_VALUE;
    ug_ReadRequest req;
    memset(&req, 0, sizeof req);
    req.nodes_to_read = &rv;
    req.nodes_to_read_len = 1;
    memset(g, 0, sizeof *g);
    return ug_client_request_async(e->c, &ug_desc_ReadRequest, &req, &ug_desc_ReadResponse, 0,
                                   on_resp, g);
}

/* Faults, silence, wrong answers: each request ends with the right status
 * exactly once, and the client keeps working. */
static void test_request_failures(void)
{
    struct env e;
    env_init(&e);
    CU_ASSERT_EQUAL_FATAL(env_connect(&e), UG_STATUS_GOOD);
    struct got g;
    static const struct {
        int what;
        ug_status want;
    } cases[] = {
        {0, UG_STATUS_GOOD},
        {1, UG_STATUS_BADTOOMANYOPERATIONS}, /* ServiceFault */
        {2, UG_STATUS_BADTIMEOUT},           /* no answer */
        {3, UG_STATUS_BADUNKNOWNRESPONSE},   /* a WriteResponse */
        {4, UG_STATUS_BADDECODINGERROR},     /* truncated body */
        {5, UG_STATUS_BADUNKNOWNRESPONSE},   /* another requestHandle */
        {0, UG_STATUS_GOOD},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        e.f->read_fault = cases[i].what == 1 ? UG_STATUS_BADTOOMANYOPERATIONS : UG_STATUS_GOOD;
        e.f->read_silent = cases[i].what == 2;
        e.f->read_wrong_type = cases[i].what == 3;
        e.f->read_garbage = cases[i].what == 4;
        e.f->read_wrong_handle = cases[i].what == 5;
        CU_ASSERT_EQUAL_FATAL(read_async(&e, &g, 5), UG_STATUS_GOOD);
        run_until_flag(&e, &g.done);
        CU_ASSERT(g.done);
        CU_ASSERT_EQUAL(g.status, cases[i].want);
        CU_ASSERT_EQUAL(g.had_resp, cases[i].want == UG_STATUS_GOOD);
        ug_client_run_for(e.c, 5 * MS, NULL);
        CU_ASSERT_EQUAL(g.calls, 1);
        CU_ASSERT_EQUAL(ug_client_state(e.c), UG_CLIENT_SESSION_ACTIVATED);
    }
    /* argument checks: a type without RequestHeader, no callback */
    ug_ReadValueId rv;
    memset(&rv, 0, sizeof rv);
    CU_ASSERT_EQUAL(ug_client_request_async(e.c, &ug_desc_ReadValueId, &rv, &ug_desc_ReadResponse,
                                            0, on_resp, &g),
                    UG_STATUS_BADINVALIDARGUMENT);
    ug_ReadRequest req;
    memset(&req, 0, sizeof req);
    CU_ASSERT_EQUAL(ug_client_request_async(e.c, &ug_desc_ReadRequest, &req, &ug_desc_ReadResponse,
                                            0, NULL, NULL),
                    UG_STATUS_BADINVALIDARGUMENT);
    env_free(&e);
}

static void test_too_many_inflight(void)
{
    struct env e;
    env_init(&e);
    e.cfg.max_inflight = 3;
    CU_ASSERT_EQUAL_FATAL(env_connect(&e), UG_STATUS_GOOD);
    e.f->read_silent = true;
    struct got g[4];
    CU_ASSERT_EQUAL(read_async(&e, &g[0], 1), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(read_async(&e, &g[1], 1), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(read_async(&e, &g[2], 1), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(read_async(&e, &g[3], 1), UG_STATUS_BADTOOMANYOPERATIONS);
    /* freed by ug_client_free: every callback runs once with BadShutdown */
    ug_client_free(e.c);
    e.c = NULL;
    for (int i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL(g[i].calls, 1);
        CU_ASSERT_EQUAL(g[i].status, UG_STATUS_BADSHUTDOWN);
    }
    CU_ASSERT_EQUAL(g[3].calls, 0);
    env_free(&e);
}

static void test_write_browse_call(void)
{
    struct env e;
    env_init(&e);
    CU_ASSERT_EQUAL_FATAL(env_connect(&e), UG_STATUS_GOOD);
    uint8_t buf[2048];
    ug_arena a;
    ug_arena_init(&a, buf, sizeof buf, true);
    ug_nodeid n = num(1, 10);
    ug_variant v = ug_variant_scalar(UG_TYPE_INT32);
    v.u.v.int32 = 100;
    CU_ASSERT_EQUAL(ug_client_write_value(e.c, &n, &v), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(e.f->written, 100);
    ug_variant r;
    CU_ASSERT_EQUAL(ug_client_read_value(e.c, &n, &r, &a), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(r.u.v.int32, 10 + 13 + 100);
    v = ug_variant_scalar(UG_TYPE_DOUBLE);
    CU_ASSERT_EQUAL(ug_client_write_value(e.c, &n, &v), UG_STATUS_BADTYPEMISMATCH);

    /* browse: 3 references, a continuation point, 2 more */
    ug_ReferenceDescription *refs = NULL;
    size_t n_refs = 0;
    ug_nodeid objects = num(0, UG_NS0_OBJECTS_FOLDER);
    CU_ASSERT_EQUAL(ug_client_browse(e.c, &objects, &refs, &n_refs, &a), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(n_refs, 5);
    for (size_t i = 0; i < n_refs; i++) {
        CU_ASSERT_EQUAL(refs[i].node_id.node.id.numeric, i + 1);
        CU_ASSERT(ug_bytes_eq(refs[i].browse_name.name, ug_string_from("Item")));
    }
    CU_ASSERT_EQUAL(e.f->n_browse_next, 1);

    /* call: the sum of the inputs; an unknown method fails */
    ug_variant in[3];
    for (int i = 0; i < 3; i++) {
        in[i] = ug_variant_scalar(UG_TYPE_INT32);
        in[i].u.v.int32 = i + 1;
    }
    ug_variant *out = NULL;
    size_t n_out = 0;
    ug_nodeid obj = num(1, 1), meth = num(1, 7);
    CU_ASSERT_EQUAL(ug_client_call(e.c, &obj, &meth, in, 3, &out, &n_out, &a), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(n_out, 1);
    CU_ASSERT_EQUAL(out[0].u.v.int32, 6);
    meth = num(1, 8);
    CU_ASSERT_EQUAL(ug_client_call(e.c, &obj, &meth, in, 3, &out, &n_out, &a),
                    UG_STATUS_BADMETHODINVALID);
    /* translate: the fake does not offer it */
    ug_qualified_name q = {0, ug_string_from("Server")};
    ug_expanded_nodeid t;
    CU_ASSERT_EQUAL(ug_client_translate(e.c, &objects, &q, 1, &t, &a),
                    UG_STATUS_BADSERVICEUNSUPPORTED);
    ug_arena_free(&a);
    env_free(&e);
}

/* The channel drops: the request in flight fails with BadConnectionClosed,
 * the client reconnects and moves its session to the new channel. */
static void test_reconnect_same_session(void)
{
    struct env e;
    env_init(&e);
    CU_ASSERT_EQUAL_FATAL(env_connect(&e), UG_STATUS_GOOD);
    e.f->read_close = true;
    struct got g;
    CU_ASSERT_EQUAL_FATAL(read_async(&e, &g, 1), UG_STATUS_GOOD);
    run_until_flag(&e, &g.done);
    CU_ASSERT_EQUAL(g.status, UG_STATUS_BADCONNECTIONCLOSED);
    e.f->read_close = false;
    CU_ASSERT(wait_state(&e, UG_CLIENT_SESSION_ACTIVATED, 2000 * MS));
    CU_ASSERT_EQUAL(e.f->n_conns, 2);
    CU_ASSERT_EQUAL(e.f->n_create_session, 1); /* the same session */
    CU_ASSERT_EQUAL(e.f->n_activate, 2);
    CU_ASSERT_EQUAL(e.f->n_get_endpoints, 1);
    CU_ASSERT(ug_client_reconnects(e.c) >= 1);
    bool saw_reconnecting = false;
    for (unsigned i = 0; i < e.n_states; i++)
        if (e.states[i] == UG_CLIENT_RECONNECTING)
            saw_reconnecting = true;
    CU_ASSERT(saw_reconnecting);
    uint8_t buf[256];
    ug_arena a;
    ug_arena_init(&a, buf, sizeof buf, true);
    ug_variant v;
    ug_nodeid n = num(1, 2);
    CU_ASSERT_EQUAL(ug_client_read_value(e.c, &n, &v, &a), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(v.u.v.int32, 15);
    ug_arena_free(&a);
    env_free(&e);
}

struct subctx {
    int changes;
    int32_t last[4];
    int32_t last_any;
    ug_status last_status;
    int statuses;
    bool done;
    ug_status done_status;
};

static void on_data(ug_client_mon *mon, const ug_datavalue *dv, void *ctx)
{
    struct subctx *s = ctx;
    s->changes++;
    s->last_any = dv->value.u.v.int32;
    uintptr_t idx = (uintptr_t)ug_client_mon_id(mon) - 70;
    if (idx < 4)
        s->last[idx] = dv->value.u.v.int32;
}

static void on_sub_status(ug_client_sub *sub, ug_status st, void *ctx)
{
    (void)sub;
    struct subctx *s = ctx;
    s->statuses++;
    s->last_status = st;
}

static void run_until_changes(struct env *e, struct subctx *s, int want)
{
    for (int i = 0; i < 400 && s->changes < want; i++)
        ug_client_run_for(e->c, 5 * MS, NULL);
}

static ug_client_sub *make_sub(struct env *e, struct subctx *s, ug_client_mon **mons)
{
    struct ug_client_sub_params p = {.publishing_interval_ms = 100, .max_keepalive_count = 5};
    ug_client_sub *sub = NULL;
    CU_ASSERT_EQUAL_FATAL(ug_client_sub_create(e->c, &p, on_sub_status, s, &sub), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_client_sub_id(sub), e->f->sub_id);
    CU_ASSERT_DOUBLE_EQUAL(ug_client_sub_interval_ms(sub), 100, 0.01);
    struct ug_client_mon_params mp[3];
    memset(mp, 0, sizeof mp);
    for (int i = 0; i < 3; i++) {
        mp[i].node = num(1, i == 2 ? 999 : (uint32_t)(i + 1));
        mp[i].sampling_interval_ms = 50;
        mp[i].cb = on_data;
        mp[i].ctx = s;
    }
    CU_ASSERT_EQUAL(ug_client_mon_create(sub, mp, 3, mons), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_client_mon_status(mons[0]), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_client_mon_status(mons[1]), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_client_mon_status(mons[2]), UG_STATUS_BADNODEIDUNKNOWN);
    CU_ASSERT_EQUAL(ug_client_mon_sub(mons[0]), sub);
    return sub;
}

static void test_subscription_data(void)
{
    struct env e;
    env_init(&e);
    CU_ASSERT_EQUAL_FATAL(env_connect(&e), UG_STATUS_GOOD);
    struct subctx s = {0};
    ug_client_mon *mons[3];
    ug_client_sub *sub = make_sub(&e, &s, mons);
    ug_client_run_for(e.c, 10 * MS, NULL);
    CU_ASSERT_EQUAL(e.f->n_held, 3); /* publish_requests default */

    CU_ASSERT(fake_notify(e.f, 7, false));
    run_until_changes(&e, &s, 2);
    CU_ASSERT_EQUAL(s.changes, 2);
    CU_ASSERT_EQUAL(s.last[0], 7);
    CU_ASSERT_EQUAL(s.last[1], 8);
    /* the answered Publish was replaced, carrying the acknowledgement */
    ug_client_run_for(e.c, 10 * MS, NULL);
    CU_ASSERT_EQUAL(e.f->n_held, 3);
    CU_ASSERT_EQUAL(e.f->n_acks, 1);
    /* a keep-alive changes nothing and is not acknowledged */
    CU_ASSERT(fake_notify(e.f, 0, true));
    ug_client_run_for(e.c, 10 * MS, NULL);
    CU_ASSERT_EQUAL(s.changes, 2);
    CU_ASSERT(fake_notify(e.f, 20, false));
    run_until_changes(&e, &s, 4);
    CU_ASSERT_EQUAL(s.last[0], 20);
    ug_client_run_for(e.c, 10 * MS, NULL);
    CU_ASSERT_EQUAL(e.f->n_acks, 2);

    CU_ASSERT_EQUAL(ug_client_sub_delete(sub), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(e.f->n_delete_sub, 1);
    /* no callback after delete */
    while (fake_notify(e.f, 1, false))
        ;
    ug_client_run_for(e.c, 20 * MS, NULL);
    CU_ASSERT_EQUAL(s.changes, 4);
    env_free(&e);
}

static void test_keepalive_watch(void)
{
    struct env e;
    env_init(&e);
    e.cfg.request_timeout_ns = 100 * MS;
    CU_ASSERT_EQUAL_FATAL(env_connect(&e), UG_STATUS_GOOD);
    struct subctx s = {0};
    struct ug_client_sub_params p = {.publishing_interval_ms = 20, .max_keepalive_count = 2};
    ug_client_sub *sub = NULL;
    CU_ASSERT_EQUAL_FATAL(ug_client_sub_create(e.c, &p, on_sub_status, &s, &sub), UG_STATUS_GOOD);
    /* the fake holds every Publish: after 2 x 40 ms + 100 ms the watch
     * (1 s period) reports BadTimeout */
    for (int i = 0; i < 300 && s.statuses == 0; i++)
        ug_client_run_for(e.c, 5 * MS, NULL);
    CU_ASSERT_EQUAL(s.statuses, 1);
    CU_ASSERT_EQUAL(s.last_status, UG_STATUS_BADTIMEOUT);
    /* a message brings it back: Good */
    CU_ASSERT(fake_notify(e.f, 1, true));
    ug_client_run_for(e.c, 10 * MS, NULL);
    CU_ASSERT_EQUAL(s.statuses, 2);
    CU_ASSERT_EQUAL(s.last_status, UG_STATUS_GOOD);
    env_free(&e);
}

static void test_publish_too_many(void)
{
    struct env e;
    env_init(&e);
    CU_ASSERT_EQUAL_FATAL(env_connect(&e), UG_STATUS_GOOD);
    e.f->publish_too_many = true;
    struct subctx s = {0};
    struct ug_client_sub_params p = {.publishing_interval_ms = 100};
    ug_client_sub *sub = NULL;
    CU_ASSERT_EQUAL_FATAL(ug_client_sub_create(e.c, &p, on_sub_status, &s, &sub), UG_STATUS_GOOD);
    ug_client_run_for(e.c, 30 * MS, NULL);
    /* three sent, each refused: the target drops to one, no storm */
    CU_ASSERT_EQUAL(e.f->n_publish, 3);
    e.f->publish_too_many = false;
    env_free(&e);
}

/* The server forgot the session (restart): the client makes a new session
 * and, depending on the server, transfers or re-creates its subscription and
 * items with the same client handles. */
static void session_loss(bool transfer_ok)
{
    struct env e;
    env_init(&e);
    CU_ASSERT_EQUAL_FATAL(env_connect(&e), UG_STATUS_GOOD);
    e.f->transfer_ok = transfer_ok;
    struct subctx s = {0};
    ug_client_mon *mons[3];
    make_sub(&e, &s, mons);
    ug_client_run_for(e.c, 10 * MS, NULL);
    uint32_t handles0 = e.f->handles[0], handles1 = e.f->handles[1];

    e.f->token = 0; /* forget every session */
    ug_conn_close(e.f->conn);
    ug_client_run_for(e.c, 10 * MS, NULL);
    CU_ASSERT(wait_state(&e, UG_CLIENT_SESSION_ACTIVATED, 2000 * MS));
    for (int i = 0; i < 100 && e.f->n_held < 3; i++)
        ug_client_run_for(e.c, 5 * MS, NULL);
    CU_ASSERT_EQUAL(e.f->n_create_session, 2);
    CU_ASSERT_EQUAL(ug_client_sessions_created(e.c), 2);
    CU_ASSERT_EQUAL(e.f->n_activate, 3); /* new, refused transfer, new again */
    CU_ASSERT_EQUAL(e.f->n_transfer, 1);
    if (transfer_ok) {
        CU_ASSERT_EQUAL(e.f->n_create_sub, 1);
        CU_ASSERT_EQUAL(e.f->n_create_items, 1);
    } else {
        CU_ASSERT_EQUAL(e.f->n_create_sub, 2);
        CU_ASSERT_EQUAL(e.f->n_create_items, 2);
        CU_ASSERT_EQUAL(e.f->n_handles, 2);
        CU_ASSERT_EQUAL(e.f->handles[0], handles0);
        CU_ASSERT_EQUAL(e.f->handles[1], handles1);
        CU_ASSERT_EQUAL(ug_client_mon_status(mons[0]), UG_STATUS_GOOD);
    }
    CU_ASSERT_EQUAL(e.f->n_held, 3);
    CU_ASSERT(fake_notify(e.f, 33, false));
    run_until_changes(&e, &s, 2);
    CU_ASSERT_EQUAL(s.changes, 2);
    CU_ASSERT_EQUAL(s.last[0], 33);
    env_free(&e);
}

static void test_session_loss_transfer(void) { session_loss(true); }
static void test_session_loss_recreate(void) { session_loss(false); }

/* A Publish answered BadSessionIdInvalid on a live channel (session timed
 * out on the server): a new session on the same channel. */
static void test_session_lost_on_live_channel(void)
{
    struct env e;
    env_init(&e);
    CU_ASSERT_EQUAL_FATAL(env_connect(&e), UG_STATUS_GOOD);
    struct subctx s = {0};
    ug_client_mon *mons[3];
    make_sub(&e, &s, mons);
    ug_client_run_for(e.c, 10 * MS, NULL);
    e.f->token = 0;
    /* answer a held Publish: it is refused now (session invalid) */
    struct held hp = e.f->held[0];
    memmove(e.f->held, e.f->held + 1, (e.f->n_held - 1) * sizeof e.f->held[0]);
    e.f->n_held--;
    ug_conn_send_fault(hp.conn, hp.request_id, hp.handle, UG_STATUS_BADSESSIONIDINVALID);
    for (int i = 0; i < 200 && e.f->n_create_items < 2; i++)
        ug_client_run_for(e.c, 5 * MS, NULL);
    CU_ASSERT_EQUAL(e.f->n_conns, 1);
    CU_ASSERT_EQUAL(e.f->n_create_session, 2);
    CU_ASSERT_EQUAL(e.f->n_create_sub, 2);
    CU_ASSERT_EQUAL(e.f->n_create_items, 2);
    CU_ASSERT_EQUAL(ug_client_state(e.c), UG_CLIENT_SESSION_ACTIVATED);
    env_free(&e);
}


/* ---------------------------------------------------- the real server -- */

/* The server of clientserver/server.c on the same loop, with a writable
 * Int32 variable ns=1;s=Counter and a method ns=1;s=Add (a + b) under
 * Objects, and one user "operator"/"s3cret". */
struct real {
    ug_server *srv;
    char url[64];
    ug_nodeid counter, add, objects;
};

static ug_status add_fn(void *ctx, const ug_nodeid *object, size_t n_in, const ug_variant *in,
                        size_t *n_out, ug_variant **out, ug_arena *arena)
{
    (void)ctx;
    (void)object;
    if (n_in != 2)
        return UG_STATUS_BADARGUMENTSMISSING;
    ug_variant *v = ug_arena_alloc(arena, sizeof *v);
    if (!v)
        return UG_STATUS_BADOUTOFMEMORY;
    *v = ug_variant_scalar(UG_TYPE_INT32);
    v->u.v.int32 = in[0].u.v.int32 + in[1].u.v.int32;
    *out = v;
    *n_out = 1;
    return UG_STATUS_GOOD;
}

static void real_start(struct env *e, struct real *r)
{
    memset(r, 0, sizeof *r);
    static char hash[128];
    CU_ASSERT_EQUAL_FATAL(ug_server_hash_password("s3cret", 1000, hash, sizeof hash),
                          UG_STATUS_GOOD);
    static struct ug_server_user user;
    user.username = "operator";
    user.password_hash = hash;
    struct ug_server_config cfg;
    ug_server_config_init(&cfg);
    cfg.endpoint_url = "opc.tcp://127.0.0.1:0";
    cfg.users = &user;
    cfg.n_users = 1;
    CU_ASSERT_EQUAL_FATAL(ug_server_new(e->loop, &cfg, &r->srv), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(ug_server_start(r->srv), UG_STATUS_GOOD);
    snprintf(r->url, sizeof r->url, "opc.tcp://127.0.0.1:%u", ug_server_port(r->srv));
    e->cfg.endpoint_url = r->url;

    ug_aspace *as = ug_server_aspace(r->srv);
    r->objects = num(0, UG_NS0_OBJECTS_FOLDER);
    ug_datavalue dv = {0};
    dv.mask = UG_DV_VALUE;
    dv.value = ug_variant_scalar(UG_TYPE_INT32);
    dv.value.u.v.int32 = 5;
    struct ug_nodes_variable v;
    memset(&v, 0, sizeof v);
    CU_ASSERT_EQUAL(ug_nodeid_parse("ns=1;s=Counter", 14, &v.c.requested_id, NULL),
                    UG_STATUS_GOOD);
    v.c.parent_id = r->objects;
    v.c.browse_name = (ug_qualified_name){1, ug_string_from("Counter")};
    v.c.display_name.locale = UG_NULL_BYTES;
    v.c.display_name.text = UG_NULL_BYTES;
    v.c.description.locale = UG_NULL_BYTES;
    v.c.description.text = UG_NULL_BYTES;
    v.data_type = num(0, UG_NS0_INT32);
    v.value_rank = -1;
    v.access_level = 0x03;
    v.value = &dv;
    CU_ASSERT_EQUAL_FATAL(ug_nodes_add_variable(as, &v, &r->counter), UG_STATUS_GOOD);

    static const struct ug_nodes_arg ins[2] = {{"a", {0, 0, {UG_NS0_INT32}}, -1, NULL},
                                               {"b", {0, 0, {UG_NS0_INT32}}, -1, NULL}};
    static const struct ug_nodes_arg outs[1] = {{"sum", {0, 0, {UG_NS0_INT32}}, -1, NULL}};
    struct ug_nodes_method m;
    memset(&m, 0, sizeof m);
    CU_ASSERT_EQUAL(ug_nodeid_parse("ns=1;s=Add", 10, &m.c.requested_id, NULL), UG_STATUS_GOOD);
    m.c.parent_id = r->objects;
    m.c.reference_type_id = num(0, UG_NS0_HAS_COMPONENT); /* Call needs HasComponent */
    m.c.browse_name = (ug_qualified_name){1, ug_string_from("Add")};
    m.c.display_name.locale = UG_NULL_BYTES;
    m.c.display_name.text = UG_NULL_BYTES;
    m.c.description.locale = UG_NULL_BYTES;
    m.c.description.text = UG_NULL_BYTES;
    m.n_inputs = 2;
    m.inputs = ins;
    m.n_outputs = 1;
    m.outputs = outs;
    m.impl.call = add_fn;
    CU_ASSERT_EQUAL_FATAL(ug_nodes_add_method(as, &m, &r->add), UG_STATUS_GOOD);
}

static void real_free(struct env *e, struct real *r)
{
    ug_client_free(e->c);
    e->c = NULL;
    for (int i = 0; i < 5; i++)
        ug_loop_run_once(e->loop, false);
    ug_server_free(r->srv);
    env_free(e);
}

static void test_real_services(void)
{
    struct env e;
    struct real r;
    env_init(&e);
    real_start(&e, &r);
    CU_ASSERT_EQUAL_FATAL(env_connect(&e), UG_STATUS_GOOD);
    ug_arena a;
    ug_arena_init(&a, NULL, 0, true);

    /* NamespaceArray: the standard's URI first */
    ug_variant v;
    ug_nodeid ns_array = num(0, UG_NS0_SERVER_NAMESPACE_ARRAY);
    CU_ASSERT_EQUAL(ug_client_read_value(e.c, &ns_array, &v, &a), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(v.type, UG_TYPE_STRING);
    CU_ASSERT_FATAL(ug_variant_is_array(&v) && v.array_len >= 2);
    CU_ASSERT(ug_bytes_eq(((const ug_string *)v.u.arr)[0],
                          ug_string_from("http://opcfoundation.org/UA/")));

    /* read, write, read back; a wrong type is refused */
    CU_ASSERT_EQUAL(ug_client_read_value(e.c, &r.counter, &v, &a), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(v.type, UG_TYPE_INT32);
    CU_ASSERT_EQUAL(v.u.v.int32, 5);
    v = ug_variant_scalar(UG_TYPE_INT32);
    v.u.v.int32 = 42;
    CU_ASSERT_EQUAL(ug_client_write_value(e.c, &r.counter, &v), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_client_read_value(e.c, &r.counter, &v, &a), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(v.u.v.int32, 42);
    v = ug_variant_scalar(UG_TYPE_STRING);
    v.u.v.string = ug_string_from("x");
    CU_ASSERT_EQUAL(ug_client_write_value(e.c, &r.counter, &v), UG_STATUS_BADTYPEMISMATCH);
    ug_datavalue dv;
    CU_ASSERT_EQUAL(ug_client_read(e.c, &r.counter, UG_ATTR_BROWSE_NAME, &dv, &a), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(dv.value.type, UG_TYPE_QUALIFIEDNAME);
    ug_nodeid nowhere = num(1, 424242);
    CU_ASSERT_EQUAL(ug_client_read_value(e.c, &nowhere, &v, &a), UG_STATUS_BADNODEIDUNKNOWN);

    /* browse Objects: Server and our two nodes */
    ug_ReferenceDescription *refs = NULL;
    size_t n = 0;
    CU_ASSERT_EQUAL(ug_client_browse(e.c, &r.objects, &refs, &n, &a), UG_STATUS_GOOD);
    bool server = false, counter = false, add = false;
    for (size_t i = 0; i < n; i++) {
        if (ug_nodeid_eq(&refs[i].node_id.node, &(ug_nodeid){0, 0, {UG_NS0_SERVER}}))
            server = true;
        if (ug_nodeid_eq(&refs[i].node_id.node, &r.counter))
            counter = refs[i].node_class == UG_NODE_CLASS_VARIABLE;
        if (ug_nodeid_eq(&refs[i].node_id.node, &r.add))
            add = refs[i].node_class == UG_NODE_CLASS_METHOD;
    }
    CU_ASSERT(server);
    CU_ASSERT(counter);
    CU_ASSERT(add);

    /* translate Objects/Server/ServerStatus */
    ug_qualified_name path[2] = {{0, ug_string_from("Server")}, {0, ug_string_from("ServerStatus")}};
    ug_expanded_nodeid t;
    CU_ASSERT_EQUAL(ug_client_translate(e.c, &r.objects, path, 2, &t, &a), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(t.node.id.numeric, UG_NS0_SERVER_SERVER_STATUS);
    path[1].name = ug_string_from("NoSuchChild");
    CU_ASSERT(ug_is_bad(ug_client_translate(e.c, &r.objects, path, 2, &t, &a)));

    /* call Add(2, 3) */
    ug_variant in[2] = {ug_variant_scalar(UG_TYPE_INT32), ug_variant_scalar(UG_TYPE_INT32)};
    in[0].u.v.int32 = 2;
    in[1].u.v.int32 = 3;
    ug_variant *out = NULL;
    size_t n_out = 0;
    ug_status cst = ug_client_call(e.c, &r.objects, &r.add, in, 2, &out, &n_out, &a);
    if (cst != UG_STATUS_GOOD)
        fprintf(stderr, "call: %s\n", ug_status_name(cst));
    CU_ASSERT_EQUAL(cst, UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(n_out, 1);
    CU_ASSERT_EQUAL(out[0].u.v.int32, 5);
    CU_ASSERT(ug_is_bad(ug_client_call(e.c, &r.objects, &r.add, in, 1, &out, &n_out, &a)));

    CU_ASSERT_EQUAL(ug_client_disconnect(e.c), UG_STATUS_GOOD);
    ug_arena_free(&a);
    real_free(&e, &r);
}

static void test_real_username(void)
{
    static const struct {
        const char *user, *password;
        bool ok;
    } cases[] = {
        {"operator", "s3cret", true},
        {"operator", "wrong", false},
        {"nobody", "s3cret", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct env e;
        struct real r;
        env_init(&e);
        real_start(&e, &r);
        e.cfg.username = cases[i].user;
        e.cfg.password = cases[i].password;
        ug_status st = env_connect(&e);
        if (cases[i].ok) {
            CU_ASSERT_EQUAL(st, UG_STATUS_GOOD);
        } else {
            CU_ASSERT(ug_is_bad(st));
            CU_ASSERT_EQUAL(ug_client_state(e.c), UG_CLIENT_DISCONNECTED);
        }
        real_free(&e, &r);
    }
}

static void test_real_subscription(void)
{
    struct env e;
    struct real r;
    env_init(&e);
    real_start(&e, &r);
    CU_ASSERT_EQUAL_FATAL(env_connect(&e), UG_STATUS_GOOD);
    struct subctx s = {0};
    struct ug_client_sub_params p = {.publishing_interval_ms = 50, .max_keepalive_count = 10};
    ug_client_sub *sub = NULL;
    CU_ASSERT_EQUAL_FATAL(ug_client_sub_create(e.c, &p, on_sub_status, &s, &sub), UG_STATUS_GOOD);
    struct ug_client_mon_params mp[2];
    memset(mp, 0, sizeof mp);
    mp[0].node = r.counter;
    mp[0].sampling_interval_ms = 10;
    mp[0].cb = on_data;
    mp[0].ctx = &s;
    mp[1] = mp[0];
    mp[1].node = num(1, 424242);
    ug_client_mon *mons[2];
    CU_ASSERT_EQUAL_FATAL(ug_client_mon_create(sub, mp, 2, mons), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_client_mon_status(mons[0]), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_client_mon_status(mons[1]), UG_STATUS_BADNODEIDUNKNOWN);
    /* the initial value */
    run_until_changes(&e, &s, 1);
    CU_ASSERT_EQUAL(s.changes, 1);
    /* values set on the server arrive */
    ug_aspace *as = ug_server_aspace(r.srv);
    for (int32_t k = 1; k <= 3; k++) {
        ug_datavalue dv = {0};
        dv.mask = UG_DV_VALUE;
        dv.value = ug_variant_scalar(UG_TYPE_INT32);
        dv.value.u.v.int32 = 100 + k;
        CU_ASSERT_EQUAL(ug_nodes_write_value(as, &r.counter, &dv), UG_STATUS_GOOD);
        run_until_changes(&e, &s, 1 + (int)k);
    }
    CU_ASSERT_EQUAL(s.changes, 4);
    CU_ASSERT_EQUAL(s.last_any, 103);
    CU_ASSERT_EQUAL(ug_client_sub_delete(sub), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_client_disconnect(e.c), UG_STATUS_GOOD);
    real_free(&e, &r);
}

static CU_TestInfo tests[] = {
    {"connect anonymous, read", test_connect_anonymous_read},
    {"username in plain under None", test_username_plain},
    {"endpoint selection", test_endpoint_selection},
    {"blocking connect failures", test_blocking_connect_failures},
    {"request failures", test_request_failures},
    {"too many in flight, free", test_too_many_inflight},
    {"write, browse, call", test_write_browse_call},
    {"reconnect, same session", test_reconnect_same_session},
    {"subscription data changes", test_subscription_data},
    {"keep-alive watch", test_keepalive_watch},
    {"publish: too many requests", test_publish_too_many},
    {"session loss: transfer", test_session_loss_transfer},
    {"session loss: re-create", test_session_loss_recreate},
    {"session lost on a live channel", test_session_lost_on_live_channel},
    {"real server: read, write, browse, translate, call", test_real_services},
    {"real server: user names", test_real_username},
    {"real server: subscription", test_real_subscription},
    CU_TEST_INFO_NULL,
};

int main(void) { return ug_test_main("client", tests); }
