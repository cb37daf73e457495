/* Tests of the OPC UA client (clientserver/client*.c) against a fake server
 * written here on top of the channel layer (conn.h): it answers GetEndpoints,
 * CreateSession, ActivateSession, Read, Write, Browse/BrowseNext, Call,
 * subscriptions and Publish with canned responses, and can be told to
 * misbehave (faults, silence, dropped connections, forgotten sessions), which
 * makes timeouts, reconnects and session/subscription transfer
 * deterministic. Everything runs on one loop on 127.0.0.1.
 */
#include "client_fixture.h"

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

    /* a gap: seq 4 arrives after 2, 3 is asked for again with Republish
     * and delivered too (value 900 for the first item) */
    e.f->skip_seq = true;
    CU_ASSERT(fake_notify(e.f, 40, false));
    run_until_changes(&e, &s, 7);
    CU_ASSERT_EQUAL(e.f->n_republish, 1);
    CU_ASSERT_EQUAL(e.f->republished_seq, 3);
    CU_ASSERT_EQUAL(s.changes, 7);
    CU_ASSERT_EQUAL(s.last[0], 900);
    CU_ASSERT_EQUAL(s.last[1], 41);

    /* disconnect and connect again: the subscription and its items are
     * created anew on the new session, data flows again */
    CU_ASSERT_EQUAL(ug_client_disconnect(e.c), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_client_connect(e.c), UG_STATUS_GOOD);
    for (int i = 0; i < 100 && e.f->n_held < 3; i++)
        ug_client_run_for(e.c, 5 * MS, NULL);
    CU_ASSERT_EQUAL(e.f->n_create_sub, 2);
    CU_ASSERT_EQUAL(e.f->n_create_items, 2);
    CU_ASSERT_EQUAL(ug_client_sub_id(sub), e.f->sub_id);
    CU_ASSERT(fake_notify(e.f, 50, false));
    run_until_changes(&e, &s, 9);
    CU_ASSERT_EQUAL(s.changes, 9);
    CU_ASSERT_EQUAL(s.last[0], 50);

    CU_ASSERT_EQUAL(ug_client_sub_delete(sub), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(e.f->n_delete_sub, 1);
    /* no callback after delete */
    while (fake_notify(e.f, 1, false))
        ;
    ug_client_run_for(e.c, 20 * MS, NULL);
    CU_ASSERT_EQUAL(s.changes, 9);
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


/* An idle session is kept alive with a Read every third of its timeout; a
 * request answered BadSessionIdInvalid (the server forgot the session) makes
 * the client open a new session by itself. */
static void test_session_keepalive_and_loss(void)
{
    struct env e;
    env_init(&e);
    e.f->session_timeout_ms = 600; /* a Read every 200 ms when idle */
    CU_ASSERT_EQUAL_FATAL(env_connect(&e), UG_STATUS_GOOD);
    CU_ASSERT_DOUBLE_EQUAL(ug_client_session_timeout_ms(e.c), 600, 0.1);
    ug_client_run_for(e.c, 700 * MS, NULL);
    CU_ASSERT(e.f->n_read >= 2);
    CU_ASSERT(e.f->n_read <= 4);

    e.f->token = 0;
    uint8_t buf[256];
    ug_arena a;
    ug_arena_init(&a, buf, sizeof buf, true);
    ug_variant v;
    ug_nodeid n = num(1, 1);
    CU_ASSERT_EQUAL(ug_client_read_value(e.c, &n, &v, &a), UG_STATUS_BADSESSIONIDINVALID);
    for (int i = 0; i < 100 && e.f->n_create_session < 2; i++)
        ug_client_run_for(e.c, 5 * MS, NULL);
    CU_ASSERT(wait_state(&e, UG_CLIENT_SESSION_ACTIVATED, 1000 * MS));
    CU_ASSERT_EQUAL(e.f->n_create_session, 2);
    CU_ASSERT_EQUAL(e.f->n_conns, 1);
    CU_ASSERT_EQUAL(ug_client_read_value(e.c, &n, &v, &a), UG_STATUS_GOOD);
    ug_arena_free(&a);
    env_free(&e);
}

/* retry_first_connect: the server is not up yet; the client keeps trying
 * with backoff (RECONNECTING) and gets in once it is. A disconnect while
 * reconnecting ends in DISCONNECTED (Good) and stops the retries. */
static void test_retry_first_connect(void)
{
    struct env e;
    env_init(&e);
    uint16_t port = e.f->port;
    ug_listener_free(e.f->l);
    e.f->l = NULL;
    e.cfg.retry_first_connect = true;
    CU_ASSERT_EQUAL_FATAL(ug_client_new(e.loop, &e.cfg, &e.c), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(ug_client_connect_async(e.c, on_state, &e), UG_STATUS_GOOD);
    CU_ASSERT(wait_state(&e, UG_CLIENT_RECONNECTING, 1000 * MS));
    ug_client_run_for(e.c, 150 * MS, NULL);
    CU_ASSERT(ug_client_reconnects(e.c) >= 2); /* 20, 40, 80 ms backoff */
    CU_ASSERT(ug_client_reconnects(e.c) <= 5);
    CU_ASSERT_EQUAL(ug_client_state(e.c), UG_CLIENT_RECONNECTING);
    if (ug_listener_start(e.loop, "127.0.0.1", port, NULL, "urn:fake", &fake_cbs, e.f, &e.f->l) ==
        UG_STATUS_GOOD) {
        CU_ASSERT(wait_state(&e, UG_CLIENT_SESSION_ACTIVATED, 2000 * MS));
        CU_ASSERT_EQUAL(e.f->n_create_session, 1);
    } else {
        /* the port went to someone else meanwhile: only the retry part ran */
        e.f->l = NULL;
    }
    ug_client_free(e.c);
    e.c = NULL;

    /* disconnect while reconnecting */
    struct ug_client_config cfg = e.cfg;
    char url[64];
    snprintf(url, sizeof url, "opc.tcp://127.0.0.1:%u", port == 65535 ? 1 : port + 1);
    cfg.endpoint_url = url;
    e.n_states = 0;
    CU_ASSERT_EQUAL_FATAL(ug_client_new(e.loop, &cfg, &e.c), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(ug_client_connect_async(e.c, on_state, &e), UG_STATUS_GOOD);
    if (wait_state(&e, UG_CLIENT_RECONNECTING, 1000 * MS)) {
        CU_ASSERT_EQUAL(ug_client_disconnect(e.c), UG_STATUS_GOOD);
        CU_ASSERT_EQUAL(ug_client_state(e.c), UG_CLIENT_DISCONNECTED);
        CU_ASSERT_EQUAL(e.state_status[e.n_states - 1], UG_STATUS_GOOD);
        uint32_t n = ug_client_reconnects(e.c);
        ug_client_run_for(e.c, 100 * MS, NULL);
        CU_ASSERT_EQUAL(ug_client_reconnects(e.c), n);
    }
    if (!e.f->l) {
        ug_client_free(e.c);
        ug_loop_close(e.loop, -1);
        ug_arena_free(&e.f->arena);
        free(e.f);
        return;
    }
    env_free(&e);
}

/* Reverse connect (Part 6 §7.1.3): the client listens, the server connects
 * out with ReverseHello; after a drop the client listens again on the same
 * port and the session moves to the new connection. */
static void test_reverse_connect(void)
{
    struct env e;
    env_init(&e);
    CU_ASSERT_EQUAL_FATAL(ug_client_new(e.loop, &e.cfg, &e.c), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(ug_client_listen_reverse_async(e.c, "127.0.0.1", 0, on_state, &e),
                          UG_STATUS_GOOD);
    uint16_t port = ug_client_reverse_port(e.c);
    CU_ASSERT(port != 0);
    CU_ASSERT_EQUAL(ug_client_connect_async(e.c, NULL, NULL), UG_STATUS_BADINVALIDSTATE);
    char url[64];
    snprintf(url, sizeof url, "opc.tcp://127.0.0.1:%u", port);
    CU_ASSERT_EQUAL_FATAL(ug_listener_reverse_connect(e.f->l, url, e.f->url, NULL), UG_STATUS_GOOD);
    CU_ASSERT_FATAL(wait_state(&e, UG_CLIENT_SESSION_ACTIVATED, 2000 * MS));
    uint8_t buf[256];
    ug_arena a;
    ug_arena_init(&a, buf, sizeof buf, true);
    ug_variant v;
    ug_nodeid n = num(1, 3);
    CU_ASSERT_EQUAL(ug_client_read_value(e.c, &n, &v, &a), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(v.u.v.int32, 16);

    /* drop; the client listens again on the same port */
    ug_conn_close(e.f->conn);
    CU_ASSERT(wait_state(&e, UG_CLIENT_RECONNECTING, 1000 * MS));
    for (int i = 0; i < 100 && ug_client_reverse_port(e.c) == 0; i++)
        ug_client_run_for(e.c, 5 * MS, NULL);
    CU_ASSERT_EQUAL(ug_client_reverse_port(e.c), port);
    CU_ASSERT_EQUAL_FATAL(ug_listener_reverse_connect(e.f->l, url, e.f->url, NULL), UG_STATUS_GOOD);
    CU_ASSERT(wait_state(&e, UG_CLIENT_SESSION_ACTIVATED, 2000 * MS));
    CU_ASSERT_EQUAL(e.f->n_create_session, 1);
    CU_ASSERT_EQUAL(e.f->n_activate, 2);
    CU_ASSERT_EQUAL(ug_client_read_value(e.c, &n, &v, &a), UG_STATUS_GOOD);

    /* disconnect stops listening */
    CU_ASSERT_EQUAL(ug_client_disconnect(e.c), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_client_reverse_port(e.c), 0);
    ug_arena_free(&a);
    env_free(&e);
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
    {"session keep-alive, session loss on a request", test_session_keepalive_and_loss},
    {"retry a first connect, disconnect while reconnecting", test_retry_first_connect},
    {"reverse connect", test_reverse_connect},
    CU_TEST_INFO_NULL,
};

int main(void) { return ug_test_main("client", tests); }
