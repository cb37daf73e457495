/* The server end to end over 127.0.0.1 (clientserver/server.c, session.c,
 * pending.c, svc_discovery.c, server_info.c), with a minimal raw client made
 * of the channel layer's client role: every request and answer is checked
 * on the wire, ServiceFaults included. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "uagate/nodes.h"
#include "uagate/server.h"
#include "uagate/ua_nodeids.h"
#include "uagate/ua_struct.h"

#include "../../clientserver/conn.h"            /* private: not on the tests' include path */
#include "../../clientserver/server_internal.h"

#define MAX_SLOTS 16

static ug_loop *loop;
static struct ug_timer tick; /* keeps blocking loop turns short */
static ug_server *srv;
static char alice_hash[160];

/* ------------------------------------------------------ test client -- */

struct slot {
    uint32_t request_id;
    uint32_t enc;
    void *msg;
    bool got;
};

struct tc {
    ug_conn *c;
    int opened, closed;
    ug_status why;
    ug_nodeid token;
    ug_arena arena;
    struct slot slots[MAX_SLOTS];
    uint32_t n_slots;
    uint32_t order[MAX_SLOTS]; /* request ids in arrival order */
    uint32_t n_order;
};

static void tc_open(ug_conn *c, void *data)
{
    (void)c;
    ((struct tc *)data)->opened++;
}

static void tc_message(ug_conn *c, uint32_t request_id, uint32_t enc, ug_rd *body, void *data)
{
    (void)c;
    struct tc *t = data;
    for (uint32_t i = 0; i < t->n_slots; i++) {
        struct slot *s = &t->slots[i];
        if (s->request_id != request_id || s->got)
            continue;
        const ug_type_desc *d = ug_desc_by_encoding_id(enc);
        CU_ASSERT_PTR_NOT_NULL_FATAL(d);
        body->arena = &t->arena;
        void *tmp = ug_arena_alloc(&t->arena, d->size);
        s->msg = ug_arena_alloc(&t->arena, d->size);
        memset(tmp, 0, d->size);
        ug_rd_struct(body, d, tmp);
        CU_ASSERT_EQUAL(body->err, UG_STATUS_GOOD);
        CU_ASSERT_EQUAL(ug_rd_left(body), 0);
        /* Strings are views into the receive buffer: keep copies. */
        CU_ASSERT_EQUAL(ug_struct_copy(d, tmp, s->msg, &t->arena), UG_STATUS_GOOD);
        s->enc = enc;
        s->got = true;
        t->order[t->n_order++ % MAX_SLOTS] = request_id;
        return;
    }
    CU_FAIL("response to no request");
}

static void tc_closed(ug_conn *c, ug_status why, void *data)
{
    (void)c;
    struct tc *t = data;
    t->closed++;
    t->why = why;
    t->c = NULL;
}

static const struct ug_conn_cbs tc_cbs = {
    .on_open = tc_open,
    .on_message = tc_message,
    .on_closed = tc_closed,
};

static bool run_until(const int *flag, int want)
{
    int64_t end = ug_clock_mono_ns() + 5000000000LL;
    while (*flag < want && ug_clock_mono_ns() < end)
        ug_loop_run_once(loop, true);
    return *flag >= want;
}

static void run_for_ms(int ms)
{
    int64_t end = ug_clock_mono_ns() + (int64_t)ms * 1000000;
    while (ug_clock_mono_ns() < end)
        ug_loop_run_once(loop, true);
}

static void tc_init(struct tc *t)
{
    memset(t, 0, sizeof *t);
    ug_arena_init(&t->arena, NULL, 0, true);
}

static bool tc_connect(struct tc *t)
{
    tc_init(t);
    char url[64];
    snprintf(url, sizeof url, "opc.tcp://127.0.0.1:%u", (unsigned)ug_server_port(srv));
    if (ug_conn_connect(loop, url, NULL, &tc_cbs, t, &t->c) != UG_STATUS_GOOD)
        return false;
    return run_until(&t->opened, 1);
}

static void tc_close(struct tc *t)
{
    if (t->c && !t->closed) {
        ug_conn_close(t->c);
        run_until(&t->closed, 1);
    }
    ug_arena_free(&t->arena);
}

/* Sends a request (its RequestHeader first) with our token; returns the
 * request id, 0 on failure. */
static uint32_t next_hint_ms = 5000;

static uint32_t tc_send(struct tc *t, const ug_type_desc *d, void *req)
{
    CU_ASSERT_FATAL(t->n_slots < MAX_SLOTS);
    ug_RequestHeader *h = req;
    uint32_t id = ug_conn_next_request_id(t->c);
    h->authentication_token = t->token;
    h->request_handle = id + 1000;
    h->timestamp = ug_datetime_now();
    h->timeout_hint = next_hint_ms;
    t->slots[t->n_slots++] = (struct slot){.request_id = id};
    CU_ASSERT_EQUAL(ug_conn_send(t->c, id, d, req), UG_STATUS_GOOD);
    return id;
}

static struct slot *tc_slot(struct tc *t, uint32_t id)
{
    for (uint32_t i = 0; i < t->n_slots; i++)
        if (t->slots[i].request_id == id)
            return &t->slots[i];
    return NULL;
}

static void *tc_wait(struct tc *t, uint32_t id, uint32_t *enc)
{
    struct slot *s = tc_slot(t, id);
    int64_t end = ug_clock_mono_ns() + 5000000000LL;
    while (s && !s->got && !t->closed && ug_clock_mono_ns() < end)
        ug_loop_run_once(loop, true);
    if (!s || !s->got)
        return NULL;
    *enc = s->enc;
    void *m = s->msg;
    *s = t->slots[--t->n_slots]; /* free the slot */
    return m;
}

/* One request and its answer: the service result (a ServiceFault's, or
 * the response header's); *out the response. Checks the handle echo. */
static ug_status tc_call(struct tc *t, const ug_type_desc *d, void *req, void **out)
{
    uint32_t enc = 0;
    uint32_t id = tc_send(t, d, req);
    void *m = tc_wait(t, id, &enc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    const ug_ResponseHeader *rh = m; /* first member of every response */
    CU_ASSERT_EQUAL(rh->request_handle, id + 1000);
    if (out)
        *out = m;
    if (enc == UG_ID_SERVICE_FAULT)
        return rh->service_result == UG_STATUS_GOOD ? UG_STATUS_BADUNEXPECTEDERROR
                                                    : rh->service_result;
    return rh->service_result;
}

static ug_status tc_create(struct tc *t, double timeout, ug_CreateSessionResponse **out)
{
    ug_CreateSessionRequest req;
    memset(&req, 0, sizeof req);
    req.requested_session_timeout = timeout;
    req.session_name = ug_string_from("test");
    ug_CreateSessionResponse *r = NULL;
    ug_status st = tc_call(t, &ug_desc_CreateSessionRequest, &req, (void **)&r);
    if (st == UG_STATUS_GOOD)
        t->token = r->authentication_token;
    if (out)
        *out = r;
    return st;
}

static ug_status tc_activate(struct tc *t, const char *user, const char *pw)
{
    ug_ActivateSessionRequest req;
    memset(&req, 0, sizeof req);
    if (user) {
        ug_UserNameIdentityToken tok;
        memset(&tok, 0, sizeof tok);
        tok.policy_id = ug_string_from("username");
        tok.user_name = ug_string_from(user);
        tok.password = ug_string_from(pw);
        tok.encryption_algorithm = (ug_string){NULL, -1};
        CU_ASSERT_EQUAL(ug_eo_encode(&req.user_identity_token, &ug_desc_UserNameIdentityToken,
                                     &tok, &t->arena),
                        UG_STATUS_GOOD);
    } else {
        ug_AnonymousIdentityToken tok = {.policy_id = ug_string_from("anonymous")};
        CU_ASSERT_EQUAL(ug_eo_encode(&req.user_identity_token, &ug_desc_AnonymousIdentityToken,
                                     &tok, &t->arena),
                        UG_STATUS_GOOD);
    }
    ug_ActivateSessionResponse *r = NULL;
    ug_status st = tc_call(t, &ug_desc_ActivateSessionRequest, &req, (void **)&r);
    if (st == UG_STATUS_GOOD)
        CU_ASSERT_EQUAL(r->server_nonce.len, 32);
    return st;
}

static bool tc_session(struct tc *t)
{
    return tc_connect(t) && tc_create(t, 60000, NULL) == UG_STATUS_GOOD &&
           tc_activate(t, NULL, NULL) == UG_STATUS_GOOD;
}

/* Reads the Value of node ids[i]; results into out (n). */
static ug_status tc_read(struct tc *t, const ug_nodeid *ids, int32_t n, ug_datavalue **out)
{
    ug_ReadValueId rv[8];
    CU_ASSERT_FATAL(n <= 8);
    memset(rv, 0, sizeof rv);
    for (int32_t i = 0; i < n; i++) {
        rv[i].node_id = ids[i];
        rv[i].attribute_id = 13; /* Value */
    }
    ug_ReadRequest req;
    memset(&req, 0, sizeof req);
    req.nodes_to_read = rv;
    req.nodes_to_read_len = n;
    req.timestamps_to_return = UG_TIMESTAMPS_TO_RETURN_BOTH;
    ug_ReadResponse *r = NULL;
    ug_status st = tc_call(t, &ug_desc_ReadRequest, &req, (void **)&r);
    if (st == UG_STATUS_GOOD) {
        CU_ASSERT_EQUAL_FATAL(r->results_len, n);
        *out = r->results;
    }
    return st;
}

static ug_nodeid ns0(uint32_t id) { return (ug_nodeid){.ns = 0, .id_type = UG_ID_NUMERIC, .id.numeric = id}; }
static ug_nodeid ns1(uint32_t id) { return (ug_nodeid){.ns = 1, .id_type = UG_ID_NUMERIC, .id.numeric = id}; }

/* ----------------------------------------------------------- server -- */

static void on_tick(ug_loop *l, struct ug_timer *t) { (void)l, (void)t; }

static ug_status start_server(uint32_t max_sessions, bool anon_nodemgmt)
{
    ug_server_free(srv);
    srv = NULL;
    struct ug_server_config cfg;
    ug_server_config_init(&cfg);
    cfg.endpoint_url = "opc.tcp://127.0.0.1:0";
    cfg.limits.max_sessions = max_sessions;
    cfg.limits.max_nodes_per_method_call = 4;
    cfg.min_session_timeout_ms = 50;
    cfg.anonymous_node_management = anon_nodemgmt;
    struct ug_server_user users[] = {{"alice", alice_hash}};
    cfg.users = users;
    cfg.n_users = 1;
    ug_status st = ug_server_new(loop, &cfg, &srv);
    if (st == UG_STATUS_GOOD)
        st = ug_server_start(srv);
    return st;
}

static int suite_init(void)
{
    if (ug_loop_new(NULL, &loop) != UG_STATUS_GOOD)
        return -1;
    ug_timer_init(&tick, on_tick, NULL);
    if (ug_timer_start_cyclic(loop, &tick, 5000000, 0, UG_TIMER_CURRENT_TIME) != UG_STATUS_GOOD)
        return -1;
    if (ug_server_hash_password("s3cret", 1000, alice_hash, sizeof alice_hash) != UG_STATUS_GOOD)
        return -1;
    return 0;
}

/* ------------------------------------------------------------ tests -- */

static void test_start_and_port(void)
{
    CU_ASSERT_EQUAL_FATAL(start_server(4, false), UG_STATUS_GOOD);
    CU_ASSERT_NOT_EQUAL(ug_server_port(srv), 0);
    CU_ASSERT_EQUAL(ug_server_start(srv), UG_STATUS_BADINVALIDSTATE);
    /* The advertised URL carries the bound port. */
    char want[64];
    snprintf(want, sizeof want, "opc.tcp://127.0.0.1:%u", (unsigned)ug_server_port(srv));
    CU_ASSERT_STRING_EQUAL(srv->endpoint_url, want);
    /* A second server on the same fixed port fails to bind. */
    struct ug_server_config cfg;
    ug_server_config_init(&cfg);
    char url[64];
    snprintf(url, sizeof url, "opc.tcp://127.0.0.1:%u", (unsigned)ug_server_port(srv));
    cfg.endpoint_url = url;
    ug_server *other = NULL;
    CU_ASSERT_EQUAL_FATAL(ug_server_new(loop, &cfg, &other), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_server_start(other), UG_STATUS_BADRESOURCEUNAVAILABLE);
    CU_ASSERT_EQUAL(ug_server_reverse_connect(other, "opc.tcp://127.0.0.1:1"),
                    UG_STATUS_BADINVALIDSTATE);
    ug_server_free(other);
}

static void test_discovery(void)
{
    struct tc t;
    CU_ASSERT_FATAL(tc_connect(&t));
    ug_GetEndpointsRequest ge;
    memset(&ge, 0, sizeof ge);
    ug_GetEndpointsResponse *er = NULL;
    CU_ASSERT_EQUAL(tc_call(&t, &ug_desc_GetEndpointsRequest, &ge, (void **)&er), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(er->endpoints_len, 1);
    ug_EndpointDescription *ep = &er->endpoints[0];
    CU_ASSERT_EQUAL(ep->security_mode, UG_MESSAGE_SECURITY_MODE_NONE);
    CU_ASSERT_TRUE(ug_bytes_eq(ep->security_policy_uri, ug_string_from(UG_SECPOLICY_NONE_URI)));
    CU_ASSERT_TRUE(ug_bytes_eq(ep->endpoint_url, ug_string_from(srv->endpoint_url)));
    CU_ASSERT_EQUAL_FATAL(ep->user_identity_tokens_len, 2);
    CU_ASSERT_EQUAL(ep->user_identity_tokens[0].token_type, UG_USER_TOKEN_TYPE_ANONYMOUS);
    CU_ASSERT_EQUAL(ep->user_identity_tokens[1].token_type, UG_USER_TOKEN_TYPE_USER_NAME);
    CU_ASSERT_TRUE(ug_bytes_eq(ep->user_identity_tokens[1].policy_id, ug_string_from("username")));
    CU_ASSERT_TRUE(ug_bytes_eq(ep->server.application_uri, ug_string_from("urn:uagate:server")));

    /* Filtered by transport profile. */
    ug_string prof[2] = {ug_string_from("http://example.com/other"),
                         ug_string_from(UG_TRANSPORT_PROFILE_BINARY)};
    ge.profile_uris = prof;
    ge.profile_uris_len = 1;
    CU_ASSERT_EQUAL(tc_call(&t, &ug_desc_GetEndpointsRequest, &ge, (void **)&er), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(er->endpoints_len, 0);
    ge.profile_uris_len = 2;
    CU_ASSERT_EQUAL(tc_call(&t, &ug_desc_GetEndpointsRequest, &ge, (void **)&er), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(er->endpoints_len, 1);

    ug_FindServersRequest fs;
    memset(&fs, 0, sizeof fs);
    ug_FindServersResponse *fr = NULL;
    CU_ASSERT_EQUAL(tc_call(&t, &ug_desc_FindServersRequest, &fs, (void **)&fr), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(fr->servers_len, 1);
    CU_ASSERT_EQUAL(fr->servers[0].application_type, UG_APPLICATION_TYPE_SERVER);
    CU_ASSERT_EQUAL_FATAL(fr->servers[0].discovery_urls_len, 1);
    ug_string other = ug_string_from("urn:someone:else");
    fs.server_uris = &other;
    fs.server_uris_len = 1;
    CU_ASSERT_EQUAL(tc_call(&t, &ug_desc_FindServersRequest, &fs, (void **)&fr), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(fr->servers_len, 0);
    tc_close(&t);
}

static void test_session_and_live_status(void)
{
    struct tc t;
    CU_ASSERT_FATAL(tc_connect(&t));
    ug_CreateSessionResponse *cr = NULL;
    CU_ASSERT_EQUAL_FATAL(tc_create(&t, 60000, &cr), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(cr->server_endpoints_len, 1);
    CU_ASSERT_DOUBLE_EQUAL(cr->revised_session_timeout, 60000, 1e-9);
    /* Not activated yet. */
    ug_datavalue *dv = NULL;
    ug_nodeid ct = ns0(UG_NS0_SERVER_SERVER_STATUS_CURRENT_TIME);
    CU_ASSERT_EQUAL(tc_read(&t, &ct, 1, &dv), UG_STATUS_BADSESSIONNOTACTIVATED);
    CU_ASSERT_EQUAL_FATAL(tc_activate(&t, NULL, NULL), UG_STATUS_GOOD);

    CU_ASSERT_EQUAL_FATAL(tc_read(&t, &ct, 1, &dv), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(dv[0].value.type, UG_TYPE_DATETIME);
    ug_datetime t1 = dv[0].value.u.v.datetime;
    CU_ASSERT(llabs(t1 - ug_datetime_now()) < 10000000); /* within 1 s */
    run_for_ms(20);
    CU_ASSERT_EQUAL_FATAL(tc_read(&t, &ct, 1, &dv), UG_STATUS_GOOD);
    CU_ASSERT(dv[0].value.u.v.datetime > t1); /* advancing */

    ug_nodeid ids[] = {
        ns0(UG_NS0_SERVER_SERVER_STATUS_STATE),
        ns0(UG_NS0_SERVER_SERVER_STATUS),
        ns0(UG_NS0_SERVER_NAMESPACE_ARRAY),
        ns0(UG_NS0_SERVER_SERVER_CAPABILITIES_OPERATION_LIMITS_MAX_NODES_PER_METHOD_CALL),
        ns0(UG_NS0_SERVER_SERVER_STATUS_BUILD_INFO_PRODUCT_NAME),
        ns0(UG_NS0_SERVER_SERVER_STATUS_START_TIME),
    };
    CU_ASSERT_EQUAL_FATAL(tc_read(&t, ids, 6, &dv), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(dv[0].value.u.v.int32, 0); /* Running */
    CU_ASSERT_EQUAL_FATAL(dv[1].value.type, UG_TYPE_EXTENSIONOBJECT);
    const ug_type_desc *d = NULL;
    ug_ServerStatusDataType *ss = NULL;
    CU_ASSERT_EQUAL_FATAL(ug_eo_decode(dv[1].value.u.v.extobj, &ug_desc_ServerStatusDataType, &d,
                                       (void **)&ss, NULL, &t.arena),
                          UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ss->state, 0);
    CU_ASSERT(ss->current_time >= t1);
    CU_ASSERT_TRUE(ug_bytes_eq(ss->build_info.product_name, ug_string_from("uagate")));
    CU_ASSERT_EQUAL(dv[2].value.type, UG_TYPE_STRING);
    CU_ASSERT(dv[2].value.array_len >= 2);
    const ug_string *nsa = dv[2].value.u.arr;
    CU_ASSERT_TRUE(ug_bytes_eq(nsa[0], ug_string_from("http://opcfoundation.org/UA/")));
    CU_ASSERT_TRUE(ug_bytes_eq(nsa[1], ug_string_from("urn:uagate:server")));
    CU_ASSERT_EQUAL(dv[3].value.u.v.uint32, 4);
    CU_ASSERT_TRUE(ug_bytes_eq(dv[4].value.u.v.string, ug_string_from("uagate")));
    CU_ASSERT_EQUAL(dv[5].value.u.v.datetime, srv->start_time);

    /* CloseSession, then the token is unknown. */
    ug_CloseSessionRequest close = {.delete_subscriptions = true};
    CU_ASSERT_EQUAL(tc_call(&t, &ug_desc_CloseSessionRequest, &close, NULL), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(tc_read(&t, &ct, 1, &dv), UG_STATUS_BADSESSIONIDINVALID);
    tc_close(&t);
}

static void test_passwords(void)
{
    struct tc t;
    CU_ASSERT_FATAL(tc_connect(&t));
    CU_ASSERT_EQUAL_FATAL(tc_create(&t, 60000, NULL), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(tc_activate(&t, "alice", "wrong"), UG_STATUS_BADUSERACCESSDENIED);
    CU_ASSERT_EQUAL(tc_activate(&t, "nobody", "s3cret"), UG_STATUS_BADUSERACCESSDENIED);
    CU_ASSERT_EQUAL(tc_activate(&t, "alice", ""), UG_STATUS_BADUSERACCESSDENIED);
    CU_ASSERT_EQUAL(tc_activate(&t, "alice", "s3cret"), UG_STATUS_GOOD);
    /* A changed identity on the same channel is fine. */
    CU_ASSERT_EQUAL(tc_activate(&t, NULL, NULL), UG_STATUS_GOOD);
    tc_close(&t);
}

static void test_no_session(void)
{
    struct tc t;
    CU_ASSERT_FATAL(tc_connect(&t));
    ug_datavalue *dv;
    ug_nodeid ct = ns0(UG_NS0_SERVER_SERVER_STATUS_CURRENT_TIME);
    /* Null token. */
    CU_ASSERT_EQUAL(tc_read(&t, &ct, 1, &dv), UG_STATUS_BADSESSIONIDINVALID);
    /* A token nobody handed out. */
    t.token.ns = 1;
    t.token.id_type = UG_ID_GUID;
    t.token.id.guid.data1 = 0x12345678;
    CU_ASSERT_EQUAL(tc_read(&t, &ct, 1, &dv), UG_STATUS_BADSESSIONIDINVALID);
    t.token = (ug_nodeid){.ns = 0, .id_type = UG_ID_STRING, .id.string = ug_string_from("x")};
    CU_ASSERT_EQUAL(tc_read(&t, &ct, 1, &dv), UG_STATUS_BADSESSIONIDINVALID);
    ug_CloseSessionRequest close = {.delete_subscriptions = true};
    CU_ASSERT_EQUAL(tc_call(&t, &ug_desc_CloseSessionRequest, &close, NULL),
                    UG_STATUS_BADSESSIONIDINVALID);
    tc_close(&t);
}

static void test_unknown_service(void)
{
    struct tc t;
    CU_ASSERT_FATAL(tc_session(&t));
    /* A real service we do not offer, and a structure that is no request. */
    ug_HistoryReadRequest hr;
    memset(&hr, 0, sizeof hr);
    CU_ASSERT_EQUAL(tc_call(&t, &ug_desc_HistoryReadRequest, &hr, NULL),
                    UG_STATUS_BADSERVICEUNSUPPORTED);
    ug_QueryFirstRequest qf;
    memset(&qf, 0, sizeof qf);
    CU_ASSERT_EQUAL(tc_call(&t, &ug_desc_QueryFirstRequest, &qf, NULL),
                    UG_STATUS_BADSERVICEUNSUPPORTED);
    /* The channel survives. */
    ug_datavalue *dv;
    ug_nodeid ct = ns0(UG_NS0_SERVER_SERVER_STATUS_CURRENT_TIME);
    CU_ASSERT_EQUAL(tc_read(&t, &ct, 1, &dv), UG_STATUS_GOOD);
    struct ug_server_stats st;
    ug_server_get_stats(srv, &st);
    CU_ASSERT(st.faults >= 2);
    CU_ASSERT(st.requests >= 5);
    tc_close(&t);
}

/* A ReadRequest cut short, and one with trailing bytes. */
struct raw {
    uint32_t handle;
    int cut; /* 0: header only (body missing); 1: full read + trailing byte */
};

static void enc_raw(ug_wr *wr, const void *msg)
{
    const struct raw *r = msg;
    ug_RequestHeader h;
    memset(&h, 0, sizeof h);
    h.request_handle = r->handle;
    ug_wr_struct(wr, &ug_desc_RequestHeader, &h);
    if (r->cut == 1) {
        ug_wr_u64(wr, 0);  /* maxAge */
        ug_wr_u32(wr, 0);  /* timestampsToReturn */
        ug_wr_u32(wr, 0);  /* no nodes */
        ug_wr_u8(wr, 0xAA); /* trailing */
    } else if (r->cut == 2) {
        ug_wr_u64(wr, 0);
        ug_wr_u32(wr, 0);
        ug_wr_u32(wr, 0x7FFFFFFF); /* array length over the limit */
    }
}

static void test_decode_errors(void)
{
    struct tc t;
    CU_ASSERT_FATAL(tc_session(&t));
    for (int cut = 0; cut < 3; cut++) {
        struct raw r = {.handle = 4242, .cut = cut};
        uint32_t id = ug_conn_next_request_id(t.c);
        t.slots[t.n_slots++] = (struct slot){.request_id = id};
        CU_ASSERT_EQUAL(ug_conn_send_raw(t.c, id, ug_desc_ReadRequest.binary_encoding_id, enc_raw, &r),
                        UG_STATUS_GOOD);
        uint32_t enc = 0;
        ug_ServiceFault *f = tc_wait(&t, id, &enc);
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        CU_ASSERT_EQUAL(enc, UG_ID_SERVICE_FAULT);
        CU_ASSERT_EQUAL(f->response_header.request_handle, 4242);
        CU_ASSERT(f->response_header.service_result == UG_STATUS_BADDECODINGERROR ||
                  (cut == 2 && f->response_header.service_result ==
                                   UG_STATUS_BADENCODINGLIMITSEXCEEDED));
    }
    tc_close(&t);
}

static void test_session_timeout(void)
{
    struct tc t;
    CU_ASSERT_FATAL(tc_connect(&t));
    ug_CreateSessionResponse *cr;
    CU_ASSERT_EQUAL_FATAL(tc_create(&t, 200, &cr), UG_STATUS_GOOD);
    CU_ASSERT_DOUBLE_EQUAL(cr->revised_session_timeout, 200, 1e-9);
    CU_ASSERT_EQUAL_FATAL(tc_activate(&t, NULL, NULL), UG_STATUS_GOOD);
    ug_datavalue *dv;
    ug_nodeid ct = ns0(UG_NS0_SERVER_SERVER_STATUS_CURRENT_TIME);
    /* Requests keep it alive past its timeout... */
    for (int i = 0; i < 8; i++) {
        run_for_ms(40);
        CU_ASSERT_EQUAL(tc_read(&t, &ct, 1, &dv), UG_STATUS_GOOD);
    }
    struct ug_server_stats before, after;
    ug_server_get_stats(srv, &before);
    /* ...silence ends it. */
    run_for_ms(500);
    CU_ASSERT_EQUAL(tc_read(&t, &ct, 1, &dv), UG_STATUS_BADSESSIONIDINVALID);
    ug_server_get_stats(srv, &after);
    CU_ASSERT_EQUAL(after.sessions_timed_out, before.sessions_timed_out + 1);
    tc_close(&t);
}

static void test_transfer(void)
{
    struct tc a, b;
    CU_ASSERT_FATAL(tc_connect(&a));
    CU_ASSERT_FATAL(tc_connect(&b));
    CU_ASSERT_EQUAL_FATAL(tc_create(&a, 60000, NULL), UG_STATUS_GOOD);
    b.token = a.token;
    /* Not activated yet: it cannot move, nor be used elsewhere. */
    CU_ASSERT_EQUAL(tc_activate(&b, NULL, NULL), UG_STATUS_BADSECURECHANNELIDINVALID);
    CU_ASSERT_EQUAL_FATAL(tc_activate(&a, "alice", "s3cret"), UG_STATUS_GOOD);
    ug_datavalue *dv;
    ug_nodeid ct = ns0(UG_NS0_SERVER_SERVER_STATUS_CURRENT_TIME);
    CU_ASSERT_EQUAL(tc_read(&b, &ct, 1, &dv), UG_STATUS_BADSECURECHANNELIDINVALID);
    /* Another identity may not take it. */
    CU_ASSERT_EQUAL(tc_activate(&b, NULL, NULL), UG_STATUS_BADUSERACCESSDENIED);
    CU_ASSERT_EQUAL(tc_activate(&b, "alice", "nope"), UG_STATUS_BADUSERACCESSDENIED);
    CU_ASSERT_EQUAL(tc_read(&a, &ct, 1, &dv), UG_STATUS_GOOD);
    /* The same user moves it to b; a loses it. */
    CU_ASSERT_EQUAL(tc_activate(&b, "alice", "s3cret"), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(tc_read(&b, &ct, 1, &dv), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(tc_read(&a, &ct, 1, &dv), UG_STATUS_BADSECURECHANNELIDINVALID);
    /* b's channel drops; the session waits, detached, for a new one. */
    tc_close(&b);
    run_for_ms(10);
    struct tc c;
    CU_ASSERT_FATAL(tc_connect(&c));
    c.token = a.token;
    CU_ASSERT_EQUAL(tc_activate(&c, "alice", "s3cret"), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(tc_read(&c, &ct, 1, &dv), UG_STATUS_GOOD);
    tc_close(&a);
    tc_close(&c);
}

static void test_too_many_sessions(void)
{
    CU_ASSERT_EQUAL_FATAL(start_server(2, false), UG_STATUS_GOOD);
    struct tc t;
    CU_ASSERT_FATAL(tc_connect(&t));
    CU_ASSERT_EQUAL(tc_create(&t, 60000, NULL), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(tc_create(&t, 60000, NULL), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(tc_create(&t, 60000, NULL), UG_STATUS_BADTOOMANYSESSIONS);
    struct ug_server_stats st;
    ug_server_get_stats(srv, &st);
    CU_ASSERT_EQUAL(st.sessions, 2);
    CU_ASSERT_EQUAL(st.channels, 1);
    tc_close(&t);
    run_for_ms(10);
    ug_server_get_stats(srv, &st);
    CU_ASSERT_EQUAL(st.channels, 0);
    CU_ASSERT_EQUAL(st.sessions, 2); /* detached, until their timeout */
}

/* ------------------------------------------- deferred answers (async) -- */

static ug_svc_pending *held[4];
static int n_held;
static int cancel_calls;

static void held_cancel(ug_svc_pending *p, void *data)
{
    (void)p;
    (void)data;
    cancel_calls++;
}

/* Stands in for a service whose work completes later: it keeps the pending
 * and answers when the test says so. */
static ug_status svc_hold(struct ug_svc_ctx *ctx, const void *req, void *resp)
{
    (void)req;
    (void)resp;
    held[n_held++] = ctx->pending;
    ug_svc_pending_set_cancel(ctx->pending, held_cancel, NULL);
    ctx->pending = NULL;
    return UG_STATUS_GOODCOMPLETESASYNCHRONOUSLY;
}

static void install_hold(void)
{
    struct ug_service_entry e = {
        .request = &ug_desc_HistoryReadRequest,
        .response = &ug_desc_HistoryReadResponse,
        .fn = svc_hold,
        .needs_session = true,
    };
    CU_ASSERT_EQUAL(ug_server_set_service(srv, &e), UG_STATUS_GOOD);
    n_held = 0;
    cancel_calls = 0;
}

static void test_async_out_of_order(void)
{
    CU_ASSERT_EQUAL_FATAL(start_server(8, false), UG_STATUS_GOOD);
    install_hold();
    struct tc a, b;
    CU_ASSERT_FATAL(tc_session(&a));
    CU_ASSERT_FATAL(tc_session(&b));
    ug_HistoryReadRequest hr;
    memset(&hr, 0, sizeof hr);
    uint32_t slow = tc_send(&a, &ug_desc_HistoryReadRequest, &hr);
    run_for_ms(10);
    CU_ASSERT_EQUAL_FATAL(n_held, 1);
    /* Another session's read is answered while the first waits. */
    ug_datavalue *dv;
    ug_nodeid ct = ns0(UG_NS0_SERVER_SERVER_STATUS_CURRENT_TIME);
    CU_ASSERT_EQUAL(tc_read(&b, &ct, 1, &dv), UG_STATUS_GOOD);
    /* And one of the same session overtakes it too. */
    CU_ASSERT_EQUAL(tc_read(&a, &ct, 1, &dv), UG_STATUS_GOOD);
    CU_ASSERT_FALSE(tc_slot(&a, slow)->got);
    struct ug_server_stats st;
    ug_server_get_stats(srv, &st);
    CU_ASSERT_EQUAL(st.async_pending, 1);
    ug_HistoryReadResponse *resp = ug_svc_pending_response(held[0]);
    resp->results_len = 0;
    ug_svc_finish(held[0], UG_STATUS_GOOD);
    uint32_t enc = 0;
    ug_HistoryReadResponse *r = tc_wait(&a, slow, &enc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(enc, ug_desc_HistoryReadResponse.binary_encoding_id);
    CU_ASSERT_EQUAL(r->response_header.request_handle, slow + 1000);
    CU_ASSERT_EQUAL(r->response_header.service_result, UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(cancel_calls, 0);
    ug_server_get_stats(srv, &st);
    CU_ASSERT_EQUAL(st.async_pending, 0);

    /* A Bad finish becomes a ServiceFault. */
    uint32_t id = tc_send(&a, &ug_desc_HistoryReadRequest, &hr);
    run_for_ms(10);
    CU_ASSERT_EQUAL_FATAL(n_held, 2);
    ug_svc_finish(held[1], UG_STATUS_BADTIMEOUT);
    ug_ServiceFault *f = tc_wait(&a, id, &enc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(enc, UG_ID_SERVICE_FAULT);
    CU_ASSERT_EQUAL(f->response_header.service_result, UG_STATUS_BADTIMEOUT);
    tc_close(&a);
    tc_close(&b);
}

static void test_async_dropped(void)
{
    install_hold();
    struct tc a;
    CU_ASSERT_FATAL(tc_session(&a));
    ug_HistoryReadRequest hr;
    memset(&hr, 0, sizeof hr);
    uint32_t id = tc_send(&a, &ug_desc_HistoryReadRequest, &hr);
    run_for_ms(10);
    CU_ASSERT_EQUAL_FATAL(n_held, 1);
    ug_svc_pending_drop(held[0]); /* its owner let go without a result */
    uint32_t enc = 0;
    ug_ServiceFault *f = tc_wait(&a, id, &enc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(enc, UG_ID_SERVICE_FAULT);
    CU_ASSERT_EQUAL(f->response_header.service_result, UG_STATUS_BADINTERNALERROR);
    CU_ASSERT_EQUAL(f->response_header.request_handle, id + 1000);
    tc_close(&a);
}

static void test_async_channel_closed(void)
{
    install_hold();
    struct tc a;
    CU_ASSERT_FATAL(tc_session(&a));
    ug_HistoryReadRequest hr;
    memset(&hr, 0, sizeof hr);
    tc_send(&a, &ug_desc_HistoryReadRequest, &hr);
    tc_send(&a, &ug_desc_HistoryReadRequest, &hr);
    run_for_ms(10);
    CU_ASSERT_EQUAL_FATAL(n_held, 2);
    /* One finishes but is not drained yet when the channel goes. */
    ug_svc_finish(held[1], UG_STATUS_GOOD);
    tc_close(&a);
    run_for_ms(10);
    CU_ASSERT_EQUAL(cancel_calls, 1); /* the one still held */
    CU_ASSERT_TRUE(ug_svc_pending_orphaned(held[0]));
    /* The service finishes later: nothing is sent, the storage is freed. */
    ug_svc_finish(held[0], UG_STATUS_GOOD);
    run_for_ms(5);
    struct ug_server_stats st;
    ug_server_get_stats(srv, &st);
    CU_ASSERT_EQUAL(st.async_pending, 0);
    CU_ASSERT_PTR_NULL(srv->inflight);
    CU_ASSERT_PTR_NULL(srv->done_head);
}

/* The client's timeoutHint passes before the service finishes: BadTimeout
 * at once, and the late finish sends nothing more. */
static void test_async_timeout_hint(void)
{
    install_hold();
    struct tc a;
    CU_ASSERT_FATAL(tc_session(&a));
    ug_HistoryReadRequest hr;
    memset(&hr, 0, sizeof hr);
    next_hint_ms = 40;
    int64_t t0 = ug_clock_mono_ns();
    uint32_t id = tc_send(&a, &ug_desc_HistoryReadRequest, &hr);
    next_hint_ms = 5000;
    uint32_t enc = 0;
    ug_ServiceFault *f = tc_wait(&a, id, &enc);
    int64_t waited = ug_clock_mono_ns() - t0;
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(enc, UG_ID_SERVICE_FAULT);
    CU_ASSERT_EQUAL(f->response_header.service_result, UG_STATUS_BADTIMEOUT);
    CU_ASSERT(waited >= 35000000 && waited < 2000000000);
    CU_ASSERT_EQUAL_FATAL(n_held, 1);
    CU_ASSERT_EQUAL(cancel_calls, 1);
    CU_ASSERT_TRUE(ug_svc_pending_orphaned(held[0]));
    /* The service finishes late: no second answer. */
    uint32_t before = a.n_order;
    ug_svc_finish(held[0], UG_STATUS_GOOD);
    run_for_ms(20);
    CU_ASSERT_EQUAL(a.n_order, before);
    /* A request finished in time stops its timer: no BadTimeout later. */
    next_hint_ms = 30;
    id = tc_send(&a, &ug_desc_HistoryReadRequest, &hr);
    next_hint_ms = 5000;
    run_for_ms(5);
    CU_ASSERT_EQUAL_FATAL(n_held, 2);
    ug_svc_finish(held[1], UG_STATUS_GOOD);
    f = tc_wait(&a, id, &enc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_NOT_EQUAL(enc, UG_ID_SERVICE_FAULT);
    before = a.n_order;
    run_for_ms(60);
    CU_ASSERT_EQUAL(a.n_order, before);
    tc_close(&a);
}

static void test_async_server_freed(void)
{
    install_hold();
    struct tc a;
    CU_ASSERT_FATAL(tc_session(&a));
    ug_HistoryReadRequest hr;
    memset(&hr, 0, sizeof hr);
    tc_send(&a, &ug_desc_HistoryReadRequest, &hr);
    run_for_ms(10);
    CU_ASSERT_EQUAL_FATAL(n_held, 1);
    /* Freed with a request held: orphaned (hook runs), then reclaimed. */
    ug_server_free(srv);
    srv = NULL;
    CU_ASSERT_EQUAL(cancel_calls, 1);
    run_until(&a.closed, 1);
    CU_ASSERT_EQUAL(a.closed, 1);
    tc_close(&a);
}

/* ------------------------------------------------ async value source -- */

static atomic_int gate;   /* the worker's read waits until it is 1 */
static atomic_int reads;

static ug_status slow_read(void *ctx, ug_datavalue *out, ug_arena *arena)
{
    (void)ctx;
    (void)arena;
    int64_t end = ug_clock_mono_ns() + 3000000000LL;
    while (!atomic_load(&gate) && ug_clock_mono_ns() < end) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    memset(out, 0, sizeof *out);
    out->mask = UG_DV_VALUE;
    out->value = ug_variant_scalar(UG_TYPE_INT32);
    out->value.u.v.int32 = 4711;
    atomic_fetch_add(&reads, 1);
    return UG_STATUS_GOOD;
}

static void test_async_read_source(void)
{
    CU_ASSERT_EQUAL_FATAL(start_server(8, false), UG_STATUS_GOOD);
    struct ug_value_async src = {.read = slow_read};
    struct ug_nodes_variable v;
    memset(&v, 0, sizeof v);
    v.c.requested_id = ns1(5001);
    v.c.parent_id = ns0(85);
    v.c.browse_name = (ug_qualified_name){1, ug_string_from("Slow")};
    v.data_type = ns0(6);
    v.value_rank = -1;
    v.async = &src;
    CU_ASSERT_EQUAL_FATAL(ug_nodes_add_variable(ug_server_aspace(srv), &v, NULL), UG_STATUS_GOOD);
    atomic_store(&gate, 0);
    atomic_store(&reads, 0);

    struct tc a, b;
    CU_ASSERT_FATAL(tc_session(&a));
    CU_ASSERT_FATAL(tc_session(&b));
    ug_ReadValueId rv = {.node_id = ns1(5001), .attribute_id = 13};
    ug_ReadRequest req;
    memset(&req, 0, sizeof req);
    req.nodes_to_read = &rv;
    req.nodes_to_read_len = 1;
    uint32_t slow = tc_send(&a, &ug_desc_ReadRequest, &req);
    run_for_ms(10);
    ug_datavalue *dv;
    ug_nodeid ct = ns0(UG_NS0_SERVER_SERVER_STATUS_CURRENT_TIME);
    CU_ASSERT_EQUAL(tc_read(&b, &ct, 1, &dv), UG_STATUS_GOOD); /* answered first */
    CU_ASSERT_FALSE(tc_slot(&a, slow)->got);
    atomic_store(&gate, 1);
    uint32_t enc = 0;
    ug_ReadResponse *r = tc_wait(&a, slow, &enc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL_FATAL(r->results_len, 1);
    CU_ASSERT_EQUAL(r->results[0].value.u.v.int32, 4711);

    /* The channel closes while a slow read runs: no answer, no crash. */
    atomic_store(&gate, 0);
    tc_send(&a, &ug_desc_ReadRequest, &req);
    run_for_ms(10);
    tc_close(&a);
    atomic_store(&gate, 1);
    int64_t end = ug_clock_mono_ns() + 3000000000LL;
    while (atomic_load(&reads) < 2 && ug_clock_mono_ns() < end)
        ug_loop_run_once(loop, true);
    run_for_ms(20);
    struct ug_server_stats st;
    ug_server_get_stats(srv, &st);
    CU_ASSERT_EQUAL(st.async_pending, 0);
    tc_close(&b);
}

/* ------------------------------------- Call and NodeManagement on the wire -- */

static ug_status twice(void *ctx, const ug_nodeid *object, size_t n_in, const ug_variant *in,
                       size_t *n_out, ug_variant **out, ug_arena *arena)
{
    (void)ctx, (void)object, (void)n_in;
    ug_variant *o = ug_arena_alloc(arena, sizeof *o);
    if (!o)
        return UG_STATUS_BADOUTOFMEMORY;
    *o = ug_variant_scalar(UG_TYPE_DOUBLE);
    o->u.v.f64 = in[0].u.v.f64 * 2;
    *out = o;
    *n_out = 1;
    return UG_STATUS_GOOD;
}

static void test_call_and_nodemgmt(void)
{
    CU_ASSERT_EQUAL_FATAL(start_server(8, true), UG_STATUS_GOOD);
    struct tc t;
    CU_ASSERT_FATAL(tc_session(&t));
    /* AddNodes: an object under Objects. */
    ug_ObjectAttributes oa;
    memset(&oa, 0, sizeof oa);
    ug_AddNodesItem it;
    memset(&it, 0, sizeof it);
    /* A zeroed ExpandedNodeId has an empty (present) namespace URI: null it. */
    it.parent_node_id = (ug_expanded_nodeid){.node = ns0(85), .namespace_uri = {NULL, -1}};
    it.reference_type_id = ns0(35);
    it.requested_new_node_id = (ug_expanded_nodeid){.node = ns1(7000), .namespace_uri = {NULL, -1}};
    it.type_definition.namespace_uri = (ug_string){NULL, -1};
    it.browse_name = (ug_qualified_name){1, ug_string_from("Tool")};
    it.node_class = UG_NODE_CLASS_OBJECT;
    CU_ASSERT_EQUAL_FATAL(ug_eo_encode(&it.node_attributes, &ug_desc_ObjectAttributes, &oa,
                                       &t.arena),
                          UG_STATUS_GOOD);
    ug_AddNodesRequest an = {.nodes_to_add = &it, .nodes_to_add_len = 1};
    ug_AddNodesResponse *ar = NULL;
    CU_ASSERT_EQUAL(tc_call(&t, &ug_desc_AddNodesRequest, &an, (void **)&ar), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(ar->results_len, 1);
    CU_ASSERT_EQUAL(ar->results[0].status_code, UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ar->results[0].added_node_id.id.numeric, 7000);

    /* A method on it, added by the application; called by the client. */
    static const struct ug_nodes_arg in_args[] = {
        {"x", {.ns = 0, .id_type = UG_ID_NUMERIC, .id.numeric = 11}, -1, NULL},
    };
    struct ug_nodes_method m;
    memset(&m, 0, sizeof m);
    m.c.requested_id = ns1(7001);
    m.c.parent_id = ns1(7000);
    m.c.browse_name = (ug_qualified_name){1, ug_string_from("Twice")};
    m.n_inputs = 1;
    m.inputs = in_args;
    m.n_outputs = 1;
    m.outputs = in_args;
    m.impl.call = twice;
    CU_ASSERT_EQUAL_FATAL(ug_nodes_add_method(ug_server_aspace(srv), &m, NULL), UG_STATUS_GOOD);
    ug_variant arg = ug_variant_scalar(UG_TYPE_DOUBLE);
    arg.u.v.f64 = 21.25;
    ug_CallMethodRequest cm = {.object_id = ns1(7000), .method_id = ns1(7001),
                               .input_arguments = &arg, .input_arguments_len = 1};
    ug_CallRequest cr = {.methods_to_call = &cm, .methods_to_call_len = 1};
    ug_CallResponse *cres = NULL;
    CU_ASSERT_EQUAL(tc_call(&t, &ug_desc_CallRequest, &cr, (void **)&cres), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(cres->results_len, 1);
    CU_ASSERT_EQUAL(cres->results[0].status_code, UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(cres->results[0].output_arguments_len, 1);
    CU_ASSERT_DOUBLE_EQUAL(cres->results[0].output_arguments[0].u.v.f64, 42.5, 1e-12);
    /* No methods at all: a ServiceFault. */
    cr.methods_to_call_len = 0;
    CU_ASSERT_EQUAL(tc_call(&t, &ug_desc_CallRequest, &cr, NULL), UG_STATUS_BADNOTHINGTODO);
    /* Over the limit (4 per call in start_server). */
    ug_CallMethodRequest five[5] = {cm, cm, cm, cm, cm};
    cr.methods_to_call = five;
    cr.methods_to_call_len = 5;
    CU_ASSERT_EQUAL(tc_call(&t, &ug_desc_CallRequest, &cr, NULL), UG_STATUS_BADTOOMANYOPERATIONS);

    /* DeleteNodes; the method's object is gone, so is the call. */
    ug_DeleteNodesItem dn = {.node_id = ns1(7000), .delete_target_references = true};
    ug_DeleteNodesRequest dr = {.nodes_to_delete = &dn, .nodes_to_delete_len = 1};
    ug_DeleteNodesResponse *dres = NULL;
    CU_ASSERT_EQUAL(tc_call(&t, &ug_desc_DeleteNodesRequest, &dr, (void **)&dres), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(dres->results_len, 1);
    CU_ASSERT_EQUAL(dres->results[0], UG_STATUS_GOOD);
    cr.methods_to_call = &cm;
    cr.methods_to_call_len = 1;
    CU_ASSERT_EQUAL(tc_call(&t, &ug_desc_CallRequest, &cr, (void **)&cres), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(cres->results[0].status_code, UG_STATUS_BADNODEIDUNKNOWN);
    tc_close(&t);
}

static void test_wildcard_host(void)
{
    ug_server_free(srv);
    srv = NULL;
    struct ug_server_config cfg;
    ug_server_config_init(&cfg);
    cfg.endpoint_url = "opc.tcp://0.0.0.0:0";
    CU_ASSERT_EQUAL_FATAL(ug_server_new(loop, &cfg, &srv), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(ug_server_start(srv), UG_STATUS_GOOD);
    struct tc t;
    CU_ASSERT_FATAL(tc_connect(&t));
    char want[64];
    snprintf(want, sizeof want, "opc.tcp://127.0.0.1:%u", (unsigned)ug_server_port(srv));
    ug_GetEndpointsRequest ge;
    memset(&ge, 0, sizeof ge);
    ug_GetEndpointsResponse *er = NULL;
    CU_ASSERT_EQUAL(tc_call(&t, &ug_desc_GetEndpointsRequest, &ge, (void **)&er), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(er->endpoints_len, 1);
    /* Not 0.0.0.0: the address the client reached us at. */
    CU_ASSERT_TRUE(ug_bytes_eq(er->endpoints[0].endpoint_url, ug_string_from(want)));
    CU_ASSERT_EQUAL_FATAL(er->endpoints[0].user_identity_tokens_len, 1); /* no users */
    tc_close(&t);
}

/* --------------------------------------------- subscriptions on the wire -- */

/* Publish requests wait in the subscription code as pendings: a data change
 * answers one, CloseSession answers the rest with BadSessionClosed. */
static void test_subscription_round_trip(void)
{
    CU_ASSERT_EQUAL_FATAL(start_server(8, false), UG_STATUS_GOOD);
    struct tc t;
    CU_ASSERT_FATAL(tc_session(&t));
    ug_CreateSubscriptionRequest cs;
    memset(&cs, 0, sizeof cs);
    cs.requested_publishing_interval = 20;
    cs.requested_lifetime_count = 300;
    cs.requested_max_keep_alive_count = 50;
    cs.publishing_enabled = true;
    ug_CreateSubscriptionResponse *csr = NULL;
    CU_ASSERT_EQUAL_FATAL(tc_call(&t, &ug_desc_CreateSubscriptionRequest, &cs, (void **)&csr),
                          UG_STATUS_GOOD);
    uint32_t sub_id = csr->subscription_id;
    ug_MonitoredItemCreateRequest mi;
    memset(&mi, 0, sizeof mi);
    mi.item_to_monitor.node_id = ns0(UG_NS0_SERVER_SERVER_STATUS_CURRENT_TIME);
    mi.item_to_monitor.attribute_id = 13;
    mi.monitoring_mode = UG_MONITORING_MODE_REPORTING;
    mi.requested_parameters.client_handle = 77;
    mi.requested_parameters.sampling_interval = 20;
    mi.requested_parameters.queue_size = 1;
    mi.requested_parameters.discard_oldest = true;
    ug_CreateMonitoredItemsRequest cm;
    memset(&cm, 0, sizeof cm);
    cm.subscription_id = sub_id;
    cm.timestamps_to_return = UG_TIMESTAMPS_TO_RETURN_BOTH;
    cm.items_to_create = &mi;
    cm.items_to_create_len = 1;
    ug_CreateMonitoredItemsResponse *cmr = NULL;
    CU_ASSERT_EQUAL_FATAL(tc_call(&t, &ug_desc_CreateMonitoredItemsRequest, &cm, (void **)&cmr),
                          UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(cmr->results_len, 1);
    CU_ASSERT_EQUAL(cmr->results[0].status_code, UG_STATUS_GOOD);

    ug_PublishRequest pr;
    memset(&pr, 0, sizeof pr);
    ug_PublishResponse *pub = NULL;
    CU_ASSERT_EQUAL_FATAL(tc_call(&t, &ug_desc_PublishRequest, &pr, (void **)&pub),
                          UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(pub->subscription_id, sub_id);
    CU_ASSERT_EQUAL_FATAL(pub->notification_message.notification_data_len, 1);
    const ug_type_desc *d = NULL;
    ug_DataChangeNotification *dcn = NULL;
    CU_ASSERT_EQUAL_FATAL(ug_eo_decode(&pub->notification_message.notification_data[0],
                                       &ug_desc_DataChangeNotification, &d, (void **)&dcn, NULL,
                                       &t.arena),
                          UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(dcn->monitored_items_len >= 1, true);
    CU_ASSERT_EQUAL(dcn->monitored_items[0].client_handle, 77);
    CU_ASSERT_EQUAL(dcn->monitored_items[0].value.value.type, UG_TYPE_DATETIME);

    /* Two more Publish requests wait; CloseSession answers whatever is
     * still queued with BadSessionClosed, and the close itself with Good. */
    uint32_t p1 = tc_send(&t, &ug_desc_PublishRequest, &pr);
    uint32_t p2 = tc_send(&t, &ug_desc_PublishRequest, &pr);
    ug_CloseSessionRequest close = {.delete_subscriptions = true};
    uint32_t cid = tc_send(&t, &ug_desc_CloseSessionRequest, &close);
    uint32_t enc = 0;
    void *m = tc_wait(&t, cid, &enc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_EQUAL(enc, ug_desc_CloseSessionResponse.binary_encoding_id);
    uint32_t ids[2] = {p1, p2};
    for (int i = 0; i < 2; i++) {
        ug_PublishResponse *r = tc_wait(&t, ids[i], &enc);
        CU_ASSERT_PTR_NOT_NULL_FATAL(r);
        /* Answered before the close (data due) or failed by it. */
        CU_ASSERT(r->response_header.service_result == UG_STATUS_GOOD ||
                  r->response_header.service_result == UG_STATUS_BADSESSIONCLOSED ||
                  r->response_header.service_result == UG_STATUS_BADNOSUBSCRIPTION);
    }
    struct ug_server_stats st;
    ug_server_get_stats(srv, &st);
    CU_ASSERT_EQUAL(st.async_pending, 0);
    tc_close(&t);
}

/* ------------------------------------------------- reverse connect -- */

static void test_reverse_connect(void)
{
    CU_ASSERT_EQUAL_FATAL(start_server(8, false), UG_STATUS_GOOD);
    struct tc t;
    tc_init(&t);
    ug_reverse *rev = NULL;
    CU_ASSERT_EQUAL_FATAL(ug_conn_listen_reverse(loop, "127.0.0.1", 0, NULL, NULL, &tc_cbs, &t,
                                                 &rev),
                          UG_STATUS_GOOD);
    char url[64];
    snprintf(url, sizeof url, "opc.tcp://127.0.0.1:%u", (unsigned)ug_reverse_port(rev));
    CU_ASSERT_EQUAL(ug_server_reverse_connect(srv, "http://nope"), UG_STATUS_BADTCPENDPOINTURLINVALID);
    CU_ASSERT_EQUAL_FATAL(ug_server_reverse_connect(srv, url), UG_STATUS_GOOD);
    CU_ASSERT_FATAL(run_until(&t.opened, 1));
    t.c = ug_reverse_conn(rev);
    ug_GetEndpointsRequest ge;
    memset(&ge, 0, sizeof ge);
    ug_GetEndpointsResponse *er = NULL;
    CU_ASSERT_EQUAL(tc_call(&t, &ug_desc_GetEndpointsRequest, &ge, (void **)&er), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(er->endpoints_len, 1);
    tc_close(&t);
    ug_reverse_free(rev);
}

static void test_stop_closes_everything(void)
{
    struct tc t;
    CU_ASSERT_FATAL(tc_session(&t));
    ug_server_stop(srv);
    CU_ASSERT_EQUAL(ug_server_port(srv), 0);
    run_until(&t.closed, 1);
    CU_ASSERT_EQUAL(t.closed, 1);
    struct ug_server_stats st;
    ug_server_get_stats(srv, &st);
    CU_ASSERT_EQUAL(st.sessions, 0);
    CU_ASSERT_EQUAL(st.channels, 0);
    tc_close(&t);
    /* And it starts again. */
    CU_ASSERT_EQUAL(ug_server_start(srv), UG_STATUS_GOOD);
    CU_ASSERT_FATAL(tc_session(&t));
    tc_close(&t);
}

/* ------------------------------------------ garbage through every service -- */

struct blob {
    const uint8_t *p;
    size_t n;
};

static void enc_blob(ug_wr *wr, const void *msg)
{
    const struct blob *b = msg;
    ug_wr_bytes(wr, b->p, b->n);
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 11);
}

/* Each service of the dispatch table gets its request with a valid
 * RequestHeader (our session's token) and a mutated body: bytes flipped,
 * cut short or extended. Every one is answered (a response or a
 * ServiceFault), nothing crashes (ASan), and the session still works. */
static void test_mutated_requests(void)
{
    CU_ASSERT_EQUAL_FATAL(start_server(8, false), UG_STATUS_GOOD);
    struct tc t;
    CU_ASSERT_FATAL(tc_session(&t));
    uint8_t hdr_buf[256], buf[4096], mut[4200];
    ug_RequestHeader h;
    memset(&h, 0, sizeof h);
    h.authentication_token = t.token;
    h.request_handle = 4711;
    size_t hdr_len = 0;
    CU_ASSERT_EQUAL_FATAL(ug_struct_encode(hdr_buf, sizeof hdr_buf, &ug_desc_RequestHeader, &h,
                                           &hdr_len),
                          UG_STATUS_GOOD);
    uint32_t answered = 0, sent = 0;
    for (size_t e = 0; e < srv->n_table; e++) {
        const struct ug_service_entry *ent = &srv->table[e];
        /* Publish waits by design; CloseSession would end the run. */
        if (ent->fn == ug_svc_publish || ent->fn == ug_svc_close_session)
            continue;
        const ug_type_desc *d = ent->request;
        void *req = calloc(1, d->size);
        CU_ASSERT_PTR_NOT_NULL_FATAL(req);
        *(ug_RequestHeader *)req = h;
        size_t len = 0;
        ug_status st = ug_struct_encode(buf, sizeof buf, d, req, &len);
        free(req);
        CU_ASSERT_EQUAL_FATAL(st, UG_STATUS_GOOD);
        for (int i = 0; i < 30; i++) {
            size_t n = len;
            memcpy(mut, buf, len);
            switch (rng() % 4) {
            case 0: /* cut short */
                n = hdr_len + (len > hdr_len ? rng() % (len - hdr_len) : 0);
                break;
            case 1: /* extended with junk (array lengths read from it) */
                for (int k = 0; k < 64; k++)
                    mut[n++] = (uint8_t)rng();
                break;
            default: /* bytes flipped after the header */
                for (int k = 0; k < 4 && len > hdr_len; k++)
                    mut[hdr_len + rng() % (len - hdr_len)] = (uint8_t)rng();
                for (int k = 0; k < 16; k++)
                    mut[n++] = (uint8_t)(rng() & 3); /* small counts, little junk */
                break;
            }
            uint32_t id = ug_conn_next_request_id(t.c);
            t.slots[t.n_slots++] = (struct slot){.request_id = id};
            struct blob b = {mut, n};
            CU_ASSERT_EQUAL_FATAL(ug_conn_send_raw(t.c, id, d->binary_encoding_id, enc_blob, &b),
                                  UG_STATUS_GOOD);
            sent++;
            uint32_t enc = 0;
            const ug_ResponseHeader *rh = tc_wait(&t, id, &enc);
            if (!rh) {
                t.n_slots = 0;
                continue;
            }
            answered++;
            CU_ASSERT_EQUAL(rh->request_handle, 4711);
            ug_arena_reset(&t.arena);
        }
    }
    CU_ASSERT_EQUAL(answered, sent);
    CU_ASSERT(sent > 500);
    CU_ASSERT_EQUAL(t.closed, 0);
    /* Still serving, Server object intact. */
    ug_datavalue *dv;
    ug_nodeid ct = ns0(UG_NS0_SERVER_SERVER_STATUS_CURRENT_TIME);
    CU_ASSERT_EQUAL(tc_read(&t, &ct, 1, &dv), UG_STATUS_GOOD);
    struct ug_server_stats st;
    ug_server_get_stats(srv, &st);
    CU_ASSERT(st.faults > 0);
    tc_close(&t);
}

static void test_cleanup(void)
{
    ug_server_free(srv);
    srv = NULL;
    ug_timer_stop(loop, &tick);
    CU_ASSERT_EQUAL(ug_loop_close(loop, -1), UG_STATUS_GOOD);
    loop = NULL;
}

static CU_TestInfo tests[] = {
    {"start and port", test_start_and_port},
    {"discovery", test_discovery},
    {"session and live ServerStatus", test_session_and_live_status},
    {"passwords", test_passwords},
    {"no session", test_no_session},
    {"unknown service", test_unknown_service},
    {"decode errors", test_decode_errors},
    {"session timeout", test_session_timeout},
    {"transfer to another channel", test_transfer},
    {"too many sessions", test_too_many_sessions},
    {"async answers out of order", test_async_out_of_order},
    {"async dropped handle", test_async_dropped},
    {"async channel closed", test_async_channel_closed},
    {"async timeout hint", test_async_timeout_hint},
    {"async server freed", test_async_server_freed},
    {"async read source", test_async_read_source},
    {"call and node management", test_call_and_nodemgmt},
    {"subscription round trip", test_subscription_round_trip},
    {"wildcard host", test_wildcard_host},
    {"reverse connect", test_reverse_connect},
    {"stop closes everything", test_stop_closes_everything},
    {"mutated requests", test_mutated_requests},
    {"cleanup", test_cleanup},
    CU_TEST_INFO_NULL,
};

int main(void)
{
    if (suite_init() != 0)
        return 1;
    return ug_test_main("server", tests);
}
