/* client_fixture — shared by test_client.c and test_client_server.c: a fake
 * OPC UA server written on top of the channel layer (conn.h) that answers
 * GetEndpoints, CreateSession, ActivateSession, Read, Write, Browse/BrowseNext,
 * Call, subscriptions and Publish with canned responses and can be told to
 * misbehave; the test environment (loop, fake, client, state log) and the
 * subscription callbacks both programs use. Functions are static inline so
 * a program that uses only some of them builds with -Werror.
 *
 * Lifetime: env_init() starts the loop and the fake; env_free() frees the
 * client, the fake and the loop. A struct subctx lives in the test.
 */
#ifndef UG_TESTS_CLIENT_FIXTURE_H
#define UG_TESTS_CLIENT_FIXTURE_H

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
    double session_timeout_ms; /* revised session timeout; 0: 30000 */
    bool publish_too_many;     /* Publish answered BadTooManyPublishRequests */
    bool skip_seq;             /* the next notification skips a sequence number */

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
        n_browse_next, n_conns, n_republish;
    uint32_t republished_seq;
    int32_t last_token_type; /* -1 anonymous, 1 username */
    char last_user[64], last_password[64], last_policy[64];
};

static inline void respond(ug_conn *conn, uint32_t request_id, uint32_t handle, const ug_type_desc *d,
                    void *resp)
{
    ug_ResponseHeader *h = resp;
    h->request_handle = handle;
    h->timestamp = ug_datetime_now();
    h->service_result = UG_STATUS_GOOD;
    CU_ASSERT_EQUAL(ug_conn_send(conn, request_id, d, resp), UG_STATUS_GOOD);
}

static inline void copy_str(char *dst, size_t cap, ug_string s)
{
    size_t n = s.len > 0 ? (size_t)s.len : 0;
    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(dst, s.data, n);
    dst[n] = '\0';
}

static inline void fake_endpoints(struct fake *f, ug_conn *conn, uint32_t rid, uint32_t h)
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

static inline void fake_activate(struct fake *f, ug_conn *conn, uint32_t rid,
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

static inline bool session_ok(struct fake *f, const ug_RequestHeader *h)
{
    return f->token && h->authentication_token.id_type == UG_ID_NUMERIC &&
           h->authentication_token.id.numeric == f->token;
}

static inline void garbage_enc(ug_wr *wr, const void *msg)
{
    (void)msg;
    ug_wr_u32(wr, 0xffffffffu); /* a truncated ResponseHeader */
}

static inline void fake_read(struct fake *f, ug_conn *conn, uint32_t rid, const ug_ReadRequest *req)
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
static inline void browse_refs(struct fake *f, ug_BrowseResult *br, int from, int to, bool cp)
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

static inline void fake_publish_hold(struct fake *f, ug_conn *conn, uint32_t rid,
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
static inline bool fake_notify(struct fake *f, int32_t value, bool keepalive)
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
    uint32_t avail[2];
    r.notification_message.publish_time = ug_datetime_now();
    if (keepalive) {
        r.notification_message.sequence_number = f->seq + 1;
    } else {
        /* skip_seq: message seq+1 "was lost", the server still holds it */
        if (f->skip_seq) {
            f->seq++;
            f->skip_seq = false;
            avail[r.available_sequence_numbers_len++] = f->seq;
        }
        r.notification_message.sequence_number = ++f->seq;
        r.notification_message.notification_data = &eo;
        r.notification_message.notification_data_len = 1;
        avail[r.available_sequence_numbers_len++] = f->seq;
        r.available_sequence_numbers = avail;
    }
    respond(hp.conn, hp.request_id, hp.handle, &ug_desc_PublishResponse, &r);
    return true;
}

static inline void fake_on_message(ug_conn *conn, uint32_t rid, uint32_t enc, ug_rd *body, void *data)
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
        r.revised_session_timeout = f->session_timeout_ms > 0 ? f->session_timeout_ms : 30000;
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
    } else if (d == &ug_desc_RepublishRequest) {
        const ug_RepublishRequest *q = req;
        f->n_republish++;
        f->republished_seq = q->retransmit_sequence_number;
        ug_MonitoredItemNotification it;
        memset(&it, 0, sizeof it);
        it.client_handle = f->n_handles ? f->handles[0] : 0;
        it.value.mask = UG_DV_VALUE;
        it.value.value = ug_variant_scalar(UG_TYPE_INT32);
        it.value.value.u.v.int32 = 900;
        ug_DataChangeNotification dcn;
        memset(&dcn, 0, sizeof dcn);
        dcn.monitored_items = &it;
        dcn.monitored_items_len = 1;
        ug_extension_object eo;
        CU_ASSERT_EQUAL(ug_eo_encode(&eo, &ug_desc_DataChangeNotification, &dcn, &f->arena),
                        UG_STATUS_GOOD);
        ug_RepublishResponse r;
        memset(&r, 0, sizeof r);
        r.notification_message.sequence_number = q->retransmit_sequence_number;
        r.notification_message.notification_data = &eo;
        r.notification_message.notification_data_len = 1;
        respond(conn, rid, h, &ug_desc_RepublishResponse, &r);
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

static inline void fake_on_accept(ug_conn *conn, void *data)
{
    struct fake *f = data;
    f->conn = conn;
    f->n_conns++;
}

static inline void fake_on_closed(ug_conn *conn, ug_status why, void *data)
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

static inline struct fake *fake_start(ug_loop *loop)
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

static inline void fake_free(struct fake *f)
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

static inline void on_state(ug_client *c, enum ug_client_state s, ug_status st, void *ctx)
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

static inline void env_init(struct env *e)
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

static inline ug_status env_connect(struct env *e)
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

static inline void env_free(struct env *e)
{
    ug_client_free(e->c);
    fake_free(e->f);
    /* let closing connections finish */
    for (int i = 0; i < 5; i++)
        ug_loop_run_once(e->loop, false);
    ug_loop_close(e->loop, -1);
}

/* Runs the loop until *flag or ~2 s. */
static inline void run_until_flag(struct env *e, const bool *flag)
{
    ug_client_run_for(e->c, 2000 * MS, flag);
}

static inline bool wait_state(struct env *e, enum ug_client_state s, int64_t max_ns)
{
    int64_t end = ug_clock_mono_ns() + max_ns;
    while (ug_client_state(e->c) != s && ug_clock_mono_ns() < end)
        ug_client_run_for(e->c, 5 * MS, NULL);
    return ug_client_state(e->c) == s;
}

static inline ug_nodeid num(uint16_t ns, uint32_t id)
{
    ug_nodeid n = {0};
    n.ns = ns;
    n.id.numeric = id;
    return n;
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

static inline void on_data(ug_client_mon *mon, const ug_datavalue *dv, void *ctx)
{
    struct subctx *s = ctx;
    s->changes++;
    s->last_any = dv->value.u.v.int32;
    uintptr_t idx = (uintptr_t)ug_client_mon_id(mon) - 70;
    if (idx < 4)
        s->last[idx] = dv->value.u.v.int32;
}

static inline void on_sub_status(ug_client_sub *sub, ug_status st, void *ctx)
{
    (void)sub;
    struct subctx *s = ctx;
    s->statuses++;
    s->last_status = st;
}

static inline void run_until_changes(struct env *e, struct subctx *s, int want)
{
    for (int i = 0; i < 400 && s->changes < want; i++)
        ug_client_run_for(e->c, 5 * MS, NULL);
}

#endif
