/* Sessions (clientserver/session.c), password hashes (password.c) and the
 * deferral handshake (pending.c), driven directly through the service
 * functions with a server that is not listening. The wire path is in
 * test_server.c. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "uagate/server.h"
#include "uagate/ua_struct.h"

#include "../../clientserver/server_internal.h" /* private: not on the tests' include path */

static ug_loop *loop;
static ug_server *srv;
static char alice_hash[160];
/* Stand-ins for channels: session.c only stores and compares them. */
static ug_conn *const CONN_A = (ug_conn *)(uintptr_t)0x1000;
static ug_conn *const CONN_B = (ug_conn *)(uintptr_t)0x2000;

static void run_for_ms(int ms)
{
    int64_t end = ug_clock_mono_ns() + (int64_t)ms * 1000000;
    while (ug_clock_mono_ns() < end)
        ug_loop_run_once(loop, false);
}

static ug_status make_server(bool anonymous, uint32_t max_sessions)
{
    struct ug_server_config cfg;
    ug_server_config_init(&cfg);
    cfg.endpoint_url = "opc.tcp://127.0.0.1:0";
    cfg.allow_anonymous = anonymous;
    cfg.limits.max_sessions = max_sessions;
    cfg.min_session_timeout_ms = 50;
    struct ug_server_user users[] = {{"alice", alice_hash}};
    cfg.users = users;
    cfg.n_users = 1;
    return ug_server_new(loop, &cfg, &srv);
}

static int suite_init(void)
{
    if (ug_loop_new(NULL, &loop) != UG_STATUS_GOOD)
        return -1;
    if (ug_server_hash_password("s3cret", 1000, alice_hash, sizeof alice_hash) != UG_STATUS_GOOD)
        return -1;
    return 0;
}

static int suite_clean(void)
{
    ug_loop_close(loop, -1);
    return 0;
}

static void fresh(bool anonymous, uint32_t max_sessions)
{
    ug_server_free(srv);
    srv = NULL;
    CU_ASSERT_EQUAL_FATAL(make_server(anonymous, max_sessions), UG_STATUS_GOOD);
}

/* A service call as the dispatcher makes it, on channel `conn`. */
struct call {
    ug_svc_pending *p;
    struct ug_svc_ctx ctx;
};

static void call_begin(struct call *c, ug_session *sess, ug_conn *conn)
{
    c->p = ug_pending_get(srv);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c->p);
    c->p->session = sess;
    memset(&c->ctx, 0, sizeof c->ctx);
    c->ctx.server = srv;
    c->ctx.aspace = ug_server_aspace(srv);
    c->ctx.session = sess;
    c->ctx.arena = &c->p->arena;
    c->ctx.loop = loop;
    c->ctx.now_ns = ug_loop_now(loop);
    c->ctx.now = ug_datetime_now();
    c->ctx.pending = c->p;
    c->ctx.conn = conn;
}

/* Ends a synchronous call; a taken pending is left to its service. */
static void call_end(struct call *c)
{
    if (c->ctx.pending)
        ug_pending_put(c->p);
    else if (c->p->state == UG_PENDING_DONE)
        ug_pending_queue_done(c->p);
    else
        ug_pending_take(c->p);
}

static ug_status create(double timeout, ug_conn *conn, ug_session **out,
                        ug_CreateSessionResponse *resp_out)
{
    struct call c;
    call_begin(&c, NULL, conn);
    ug_CreateSessionRequest req;
    ug_CreateSessionResponse resp;
    memset(&req, 0, sizeof req);
    memset(&resp, 0, sizeof resp);
    req.requested_session_timeout = timeout;
    req.session_name = ug_string_from("test");
    ug_status st = ug_svc_create_session(&c.ctx, &req, &resp);
    if (st == UG_STATUS_GOOD) {
        *out = ug_session_find(srv, &resp.authentication_token);
        if (resp_out)
            *resp_out = resp; /* arena views die below: scalars only */
        CU_ASSERT_EQUAL(resp.server_nonce.len, 32);
        CU_ASSERT_EQUAL(resp.server_endpoints_len, 1);
        CU_ASSERT_FALSE(ug_nodeid_eq(&resp.session_id, &resp.authentication_token));
    }
    call_end(&c);
    return st;
}

/* ActivateSession with an identity token (desc NULL: a null token). */
static ug_status activate(ug_session *sess, ug_conn *conn, const ug_type_desc *d, const void *tok)
{
    struct call c;
    call_begin(&c, sess, conn);
    ug_ActivateSessionRequest req;
    ug_ActivateSessionResponse resp;
    memset(&req, 0, sizeof req);
    memset(&resp, 0, sizeof resp);
    if (d)
        CU_ASSERT_EQUAL_FATAL(ug_eo_encode(&req.user_identity_token, d, tok, &c.p->arena),
                              UG_STATUS_GOOD);
    c.p->response = &resp; /* valid while we wait below */
    ug_status st = ug_svc_activate_session(&c.ctx, &req, &resp);
    bool deferred = c.ctx.pending == NULL;
    c.p->conn = NULL; /* no channel to answer on: the drain only recycles */
    call_end(&c);
    if (deferred) {
        /* The password check runs on a worker; wait for it. */
        int64_t end = ug_clock_mono_ns() + 5000000000LL;
        while (srv->stats.async_pending > 0 && ug_clock_mono_ns() < end)
            ug_loop_run_once(loop, true);
        run_for_ms(5);
        CU_ASSERT_EQUAL(srv->stats.async_pending, 0);
    }
    return st;
}

static ug_UserNameIdentityToken user_token(const char *policy, const char *user, const char *pw)
{
    ug_UserNameIdentityToken t;
    memset(&t, 0, sizeof t);
    t.policy_id = ug_string_from(policy);
    t.user_name = ug_string_from(user);
    t.password = ug_string_from(pw);
    t.encryption_algorithm = (ug_string){NULL, -1};
    return t;
}

/* ------------------------------------------------------------ tests -- */

static void test_password_hash(void)
{
    char h[160];
    CU_ASSERT_EQUAL(ug_server_hash_password("pw", 1000, h, sizeof h), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(strncmp(h, "pbkdf2-sha256$1000$", 19), 0);
    CU_ASSERT_EQUAL(ug_server_check_password(h, "pw", 2), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_server_check_password(h, "pW", 2), UG_STATUS_BADUSERACCESSDENIED);
    CU_ASSERT_EQUAL(ug_server_check_password(h, "pw!", 3), UG_STATUS_BADUSERACCESSDENIED);
    CU_ASSERT_EQUAL(ug_server_check_password(h, "", 0), UG_STATUS_BADUSERACCESSDENIED);
    /* Two hashes of one password differ (random salt). */
    char h2[160];
    CU_ASSERT_EQUAL(ug_server_hash_password("pw", 1000, h2, sizeof h2), UG_STATUS_GOOD);
    CU_ASSERT_NOT_EQUAL(strcmp(h, h2), 0);
    /* Empty password works too. */
    CU_ASSERT_EQUAL(ug_server_hash_password("", 1000, h2, sizeof h2), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_server_check_password(h2, "", 0), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_server_check_password(h2, NULL, 0), UG_STATUS_GOOD);

    char small[20];
    CU_ASSERT_EQUAL(ug_server_hash_password("pw", 1000, small, sizeof small),
                    UG_STATUS_BADENCODINGLIMITSEXCEEDED);
    CU_ASSERT_EQUAL(small[0], '\0');
    CU_ASSERT_EQUAL(ug_server_hash_password(NULL, 1000, h, sizeof h),
                    UG_STATUS_BADINVALIDARGUMENT);
    CU_ASSERT_EQUAL(ug_server_hash_password("pw", 1000, NULL, 10), UG_STATUS_BADINVALIDARGUMENT);
    CU_ASSERT_EQUAL(ug_server_hash_password("pw", 20000000, h2, sizeof h2),
                    UG_STATUS_BADINVALIDARGUMENT);

    static const char *const bad[] = {
        NULL,
        "",
        "sha1$1000$c2FsdA==$aGFzaGhhc2hoYXNoaGFzaA==",
        "pbkdf2-sha256$0$c2FsdA==$aGFzaGhhc2hoYXNoaGFzaA==",
        "pbkdf2-sha256$-5$c2FsdA==$aGFzaGhhc2hoYXNoaGFzaA==",
        "pbkdf2-sha256$99999999$c2FsdA==$aGFzaGhhc2hoYXNoaGFzaA==",
        "pbkdf2-sha256$1000x$c2FsdA==$aGFzaGhhc2hoYXNoaGFzaA==",
        "pbkdf2-sha256$1000$$aGFzaGhhc2hoYXNoaGFzaA==",
        "pbkdf2-sha256$1000$c2FsdA==$",
        "pbkdf2-sha256$1000$c2FsdA==",
        "pbkdf2-sha256$1000$!!!!$aGFzaGhhc2hoYXNoaGFzaA==",
        "pbkdf2-sha256$1000$c2FsdA==$aGFzaA==", /* hash too short */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CU_ASSERT_EQUAL(ug_server_check_password(bad[i], "pw", 2), UG_STATUS_BADINVALIDARGUMENT);
        CU_ASSERT_FALSE(ug_password_hash_valid(bad[i]));
    }
    CU_ASSERT_TRUE(ug_password_hash_valid(h));
}

static void test_config_checks(void)
{
    struct ug_server_config cfg;
    ug_server *s = NULL;
    struct ug_server_user bad_user[] = {{"bob", "plain-text"}};
    struct ug_server_user no_name[] = {{"", alice_hash}};
    static const char *const bad_urls[] = {
        "http://127.0.0.1:4840", "opc.tcp://", "opc.tcp://host:99999", "opc.tcp://host:12x",
        "opc.tcp://[::1", "opc.tcp://host:1:2",
    };
    for (size_t i = 0; i < sizeof bad_urls / sizeof bad_urls[0]; i++) {
        ug_server_config_init(&cfg);
        cfg.endpoint_url = bad_urls[i];
        CU_ASSERT_EQUAL(ug_server_new(loop, &cfg, &s), UG_STATUS_BADINVALIDARGUMENT);
    }
    ug_server_config_init(&cfg);
    cfg.users = bad_user;
    cfg.n_users = 1;
    CU_ASSERT_EQUAL(ug_server_new(loop, &cfg, &s), UG_STATUS_BADINVALIDARGUMENT);
    cfg.users = no_name;
    CU_ASSERT_EQUAL(ug_server_new(loop, &cfg, &s), UG_STATUS_BADINVALIDARGUMENT);
    cfg.users = NULL;
    CU_ASSERT_EQUAL(ug_server_new(loop, &cfg, &s), UG_STATUS_BADINVALIDARGUMENT);
    ug_server_config_init(&cfg);
    cfg.min_session_timeout_ms = cfg.limits.max_session_timeout_ms + 1;
    CU_ASSERT_EQUAL(ug_server_new(loop, &cfg, &s), UG_STATUS_BADINVALIDARGUMENT);
    ug_server_config_init(&cfg);
    cfg.limits.max_sessions = 0;
    CU_ASSERT_EQUAL(ug_server_new(loop, &cfg, &s), UG_STATUS_BADINVALIDARGUMENT);
    CU_ASSERT_EQUAL(ug_server_new(NULL, &cfg, &s), UG_STATUS_BADINVALIDARGUMENT);
    CU_ASSERT_EQUAL(ug_server_new(loop, NULL, &s), UG_STATUS_BADINVALIDARGUMENT);
    CU_ASSERT_PTR_NULL(s);
    /* Defaults are valid, and the limits come back as configured. */
    ug_server_config_init(&cfg);
    cfg.limits.max_nodes_per_read = 77;
    CU_ASSERT_EQUAL_FATAL(ug_server_new(loop, &cfg, &s), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_server_get_limits(s)->max_nodes_per_read, 77);
    CU_ASSERT_EQUAL(ug_server_port(s), 0); /* not started */
    CU_ASSERT_PTR_NOT_NULL(ug_server_aspace(s));
    ug_server_free(s);
    ug_server_free(NULL);
}

static void test_create_revises_timeout(void)
{
    fresh(true, 10);
    static const struct {
        double req, want;
    } v[] = {{1, 50}, {0, 3600000}, {-5, 3600000}, {1e12, 3600000}, {1234.5, 1234.5}};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        ug_session *sess = NULL;
        ug_CreateSessionResponse r;
        CU_ASSERT_EQUAL_FATAL(create(v[i].req, CONN_A, &sess, &r), UG_STATUS_GOOD);
        CU_ASSERT_PTR_NOT_NULL_FATAL(sess);
        CU_ASSERT_DOUBLE_EQUAL(r.revised_session_timeout, v[i].want, 1e-9);
        CU_ASSERT_PTR_EQUAL(ug_session_conn(sess), CONN_A);
        CU_ASSERT_FALSE(ug_session_activated(sess));
        CU_ASSERT_PTR_NOT_NULL(ug_session_subs(sess));
        CU_ASSERT_PTR_EQUAL(ug_session_server(sess), srv);
    }
    CU_ASSERT_EQUAL(ug_sessions_count(srv), 5);
    struct ug_server_stats st;
    ug_server_get_stats(srv, &st);
    CU_ASSERT_EQUAL(st.sessions, 5);
    CU_ASSERT_EQUAL(st.sessions_created, 5);
}

static void test_too_many_sessions(void)
{
    fresh(true, 2);
    ug_session *a, *b, *c = NULL;
    ug_CreateSessionResponse ra, rb;
    CU_ASSERT_EQUAL(create(10000, CONN_A, &a, &ra), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(create(10000, CONN_A, &b, &rb), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(create(10000, CONN_A, &c, NULL), UG_STATUS_BADTOOMANYSESSIONS);
    CU_ASSERT_PTR_NULL(c);
    /* Tokens and ids are distinct and random GUIDs in ns 1. */
    CU_ASSERT_FALSE(ug_nodeid_eq(&ra.authentication_token, &rb.authentication_token));
    CU_ASSERT_FALSE(ug_nodeid_eq(&ra.session_id, &rb.session_id));
    CU_ASSERT_EQUAL(ra.authentication_token.id_type, UG_ID_GUID);
    CU_ASSERT_EQUAL(ra.authentication_token.ns, 1);
    CU_ASSERT_PTR_EQUAL(ug_session_find(srv, &ra.authentication_token), a);
    /* The session id is not a token. */
    CU_ASSERT_PTR_NULL(ug_session_find(srv, &ra.session_id));
    ug_nodeid numeric = {0};
    CU_ASSERT_PTR_NULL(ug_session_find(srv, &numeric));
    /* Closing one makes room. */
    ug_session_close(a, true);
    CU_ASSERT_PTR_NULL(ug_session_find(srv, &ra.authentication_token));
    CU_ASSERT_EQUAL(create(10000, CONN_A, &c, NULL), UG_STATUS_GOOD);
}

static void test_activate_anonymous(void)
{
    fresh(true, 10);
    ug_session *s;
    CU_ASSERT_EQUAL_FATAL(create(10000, CONN_A, &s, NULL), UG_STATUS_GOOD);
    /* A null token is anonymous. */
    CU_ASSERT_EQUAL(activate(s, CONN_A, NULL, NULL), UG_STATUS_GOOD);
    CU_ASSERT_TRUE(ug_session_activated(s));
    CU_ASSERT_PTR_NULL(ug_session_user(s));
    ug_AnonymousIdentityToken anon = {.policy_id = ug_string_from("anonymous")};
    CU_ASSERT_EQUAL(activate(s, CONN_A, &ug_desc_AnonymousIdentityToken, &anon), UG_STATUS_GOOD);
    /* The policy of another token type. */
    anon.policy_id = ug_string_from("username");
    CU_ASSERT_EQUAL(activate(s, CONN_A, &ug_desc_AnonymousIdentityToken, &anon),
                    UG_STATUS_BADIDENTITYTOKENINVALID);
    /* A token type we offer no policy for. */
    ug_X509IdentityToken x509;
    memset(&x509, 0, sizeof x509);
    x509.policy_id = ug_string_from("anonymous");
    CU_ASSERT_EQUAL(activate(s, CONN_A, &ug_desc_X509IdentityToken, &x509),
                    UG_STATUS_BADIDENTITYTOKENINVALID);
    /* Not an identity token at all. */
    ug_BuildInfo bi;
    memset(&bi, 0, sizeof bi);
    CU_ASSERT_EQUAL(activate(s, CONN_A, &ug_desc_BuildInfo, &bi),
                    UG_STATUS_BADIDENTITYTOKENINVALID);

    /* Anonymous off: both the null token and the anonymous token fail. */
    fresh(false, 10);
    CU_ASSERT_EQUAL_FATAL(create(10000, CONN_A, &s, NULL), UG_STATUS_GOOD);
    anon.policy_id = ug_string_from("anonymous");
    CU_ASSERT_EQUAL(activate(s, CONN_A, NULL, NULL), UG_STATUS_BADIDENTITYTOKENINVALID);
    CU_ASSERT_EQUAL(activate(s, CONN_A, &ug_desc_AnonymousIdentityToken, &anon),
                    UG_STATUS_BADIDENTITYTOKENINVALID);
    CU_ASSERT_FALSE(ug_session_activated(s));
}

static void test_activate_username(void)
{
    fresh(true, 10);
    ug_session *s;
    CU_ASSERT_EQUAL_FATAL(create(10000, CONN_A, &s, NULL), UG_STATUS_GOOD);
    ug_UserNameIdentityToken t = user_token("username", "alice", "wrong");
    /* Deferred to the worker, then denied: the session stays inactive. */
    CU_ASSERT_EQUAL(activate(s, CONN_A, &ug_desc_UserNameIdentityToken, &t),
                    UG_STATUS_GOODCOMPLETESASYNCHRONOUSLY);
    CU_ASSERT_FALSE(ug_session_activated(s));
    t = user_token("username", "mallory", "s3cret");
    CU_ASSERT_EQUAL(activate(s, CONN_A, &ug_desc_UserNameIdentityToken, &t),
                    UG_STATUS_GOODCOMPLETESASYNCHRONOUSLY);
    CU_ASSERT_FALSE(ug_session_activated(s));
    /* Synchronous refusals. */
    t = user_token("anonymous", "alice", "s3cret");
    CU_ASSERT_EQUAL(activate(s, CONN_A, &ug_desc_UserNameIdentityToken, &t),
                    UG_STATUS_BADIDENTITYTOKENINVALID);
    t = user_token("username", "", "s3cret");
    CU_ASSERT_EQUAL(activate(s, CONN_A, &ug_desc_UserNameIdentityToken, &t),
                    UG_STATUS_BADIDENTITYTOKENINVALID);
    t = user_token("username", "alice", "s3cret");
    t.encryption_algorithm = ug_string_from("http://www.w3.org/2001/04/xmlenc#rsa-oaep");
    CU_ASSERT_EQUAL(activate(s, CONN_A, &ug_desc_UserNameIdentityToken, &t),
                    UG_STATUS_BADIDENTITYTOKENREJECTED);
    CU_ASSERT_FALSE(ug_session_activated(s));
    /* The right password. */
    t = user_token("username", "alice", "s3cret");
    CU_ASSERT_EQUAL(activate(s, CONN_A, &ug_desc_UserNameIdentityToken, &t),
                    UG_STATUS_GOODCOMPLETESASYNCHRONOUSLY);
    CU_ASSERT_TRUE_FATAL(ug_session_activated(s));
    CU_ASSERT_STRING_EQUAL(ug_session_user(s), "alice");
}

static void test_transfer(void)
{
    fresh(true, 10);
    ug_session *s;
    CU_ASSERT_EQUAL_FATAL(create(10000, CONN_A, &s, NULL), UG_STATUS_GOOD);
    ug_UserNameIdentityToken t = user_token("username", "alice", "s3cret");
    activate(s, CONN_A, &ug_desc_UserNameIdentityToken, &t);
    CU_ASSERT_TRUE_FATAL(ug_session_activated(s));
    /* Channel A closes: the session is detached but lives on. */
    ug_sessions_conn_closed(srv, CONN_A);
    CU_ASSERT_PTR_NULL(ug_session_conn(s));
    /* Another identity may not take it over on channel B. */
    CU_ASSERT_EQUAL(activate(s, CONN_B, NULL, NULL), UG_STATUS_BADUSERACCESSDENIED);
    CU_ASSERT_PTR_NULL(ug_session_conn(s));
    t = user_token("username", "alice", "wrong");
    activate(s, CONN_B, &ug_desc_UserNameIdentityToken, &t);
    CU_ASSERT_PTR_NULL(ug_session_conn(s));
    /* The same user moves it to B. */
    t = user_token("username", "alice", "s3cret");
    activate(s, CONN_B, &ug_desc_UserNameIdentityToken, &t);
    CU_ASSERT_PTR_EQUAL(ug_session_conn(s), CONN_B);
    CU_ASSERT_STRING_EQUAL(ug_session_user(s), "alice");
}

static void test_close_session(void)
{
    fresh(true, 10);
    ug_session *s;
    ug_CreateSessionResponse r;
    CU_ASSERT_EQUAL_FATAL(create(10000, CONN_A, &s, &r), UG_STATUS_GOOD);
    struct call c;
    call_begin(&c, s, CONN_A);
    ug_CloseSessionRequest req = {.delete_subscriptions = true};
    ug_CloseSessionResponse resp;
    memset(&resp, 0, sizeof resp);
    CU_ASSERT_EQUAL(ug_svc_close_session(&c.ctx, &req, &resp), UG_STATUS_GOOD);
    CU_ASSERT_PTR_NULL(c.ctx.session);
    call_end(&c);
    CU_ASSERT_PTR_NULL(ug_session_find(srv, &r.authentication_token));
    CU_ASSERT_EQUAL(ug_sessions_count(srv), 0);
}

static void test_timeout(void)
{
    fresh(true, 10);
    ug_session *idle, *busy;
    ug_CreateSessionResponse ri, rb;
    /* Margins for a loaded machine: touched every 25 ms, timeout 150 ms. */
    CU_ASSERT_EQUAL_FATAL(create(150, CONN_A, &idle, &ri), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(create(150, CONN_A, &busy, &rb), UG_STATUS_GOOD);
    for (int i = 0; i < 12; i++) {
        run_for_ms(25);
        ug_session_touch(busy, ug_clock_mono_ns());
    }
    CU_ASSERT_PTR_NULL(ug_session_find(srv, &ri.authentication_token));
    CU_ASSERT_PTR_EQUAL(ug_session_find(srv, &rb.authentication_token), busy);
    struct ug_server_stats st;
    ug_server_get_stats(srv, &st);
    CU_ASSERT_EQUAL(st.sessions_timed_out, 1);
    run_for_ms(400);
    CU_ASSERT_PTR_NULL(ug_session_find(srv, &rb.authentication_token));
}

/* CloseSession with deleteSubscriptions false keeps the subscriptions for
 * TransferSubscriptions (Part 4 §5.6.4, §5.13.7); true deletes them. */
static uint32_t make_subscription(ug_session *sess)
{
    struct call c;
    call_begin(&c, sess, CONN_A);
    ug_CreateSubscriptionRequest req;
    ug_CreateSubscriptionResponse resp;
    memset(&req, 0, sizeof req);
    memset(&resp, 0, sizeof resp);
    req.requested_publishing_interval = 100;
    req.requested_lifetime_count = 30;
    req.requested_max_keep_alive_count = 10;
    req.publishing_enabled = true;
    CU_ASSERT_EQUAL(ug_svc_create_subscription(&c.ctx, &req, &resp), UG_STATUS_GOOD);
    call_end(&c);
    return resp.subscription_id;
}

static void close_with(ug_session *sess, bool delete_subs)
{
    struct call c;
    call_begin(&c, sess, CONN_A);
    ug_CloseSessionRequest req = {.delete_subscriptions = delete_subs};
    ug_CloseSessionResponse resp;
    memset(&resp, 0, sizeof resp);
    CU_ASSERT_EQUAL(ug_svc_close_session(&c.ctx, &req, &resp), UG_STATUS_GOOD);
    call_end(&c);
}

/* TransferSubscriptions as dispatched (with the identity check); the
 * status of each id into out. */
static ug_status transfer_n(ug_session *to, uint32_t *ids, int32_t n, ug_status *out)
{
    struct call c;
    call_begin(&c, to, CONN_B);
    ug_TransferSubscriptionsRequest req;
    ug_TransferSubscriptionsResponse resp;
    memset(&req, 0, sizeof req);
    memset(&resp, 0, sizeof resp);
    req.subscription_ids = ids;
    req.subscription_ids_len = n;
    ug_status st = ug_svc_transfer_checked(&c.ctx, &req, &resp);
    if (st == UG_STATUS_GOOD) {
        CU_ASSERT_EQUAL_FATAL(resp.results_len, n);
        for (int32_t i = 0; i < n; i++)
            out[i] = resp.results[i].status_code;
    }
    call_end(&c);
    return st;
}

static ug_status transfer(ug_session *to, uint32_t id)
{
    ug_status r = UG_STATUS_BADUNEXPECTEDERROR;
    ug_status st = transfer_n(to, &id, 1, &r);
    return st == UG_STATUS_GOOD ? r : st;
}

static void test_close_keeps_subscriptions(void)
{
    fresh(true, 10);
    ug_session *a, *b, *c;
    CU_ASSERT_EQUAL_FATAL(create(10000, CONN_A, &a, NULL), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(create(10000, CONN_A, &c, NULL), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(create(10000, CONN_B, &b, NULL), UG_STATUS_GOOD);
    activate(a, CONN_A, NULL, NULL);
    activate(c, CONN_A, NULL, NULL);
    activate(b, CONN_B, NULL, NULL);
    uint32_t kept = make_subscription(a);
    uint32_t gone = make_subscription(c);
    CU_ASSERT_NOT_EQUAL(kept, gone);
    close_with(a, false);
    close_with(c, true);
    CU_ASSERT_EQUAL(srv->n_detached, 1);
    CU_ASSERT_EQUAL(transfer(b, gone), UG_STATUS_BADSUBSCRIPTIONIDINVALID);
    CU_ASSERT_EQUAL(transfer(b, kept), UG_STATUS_GOOD);
    /* Nothing active is left in the kept set: the next sweep frees it. */
    ug_session *d;
    CU_ASSERT_EQUAL(create(10000, CONN_A, &d, NULL), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(srv->n_detached, 0);
    /* A kept set that is never claimed is freed with the server (ASan). */
    uint32_t again = make_subscription(b);
    CU_ASSERT_NOT_EQUAL(again, 0);
    close_with(b, false);
    CU_ASSERT_EQUAL(srv->n_detached, 1);
}

/* Part 4 §5.13.7: only the same user may take a subscription over. */
static void test_transfer_needs_same_user(void)
{
    fresh(true, 10);
    ug_session *alice, *anon, *alice2;
    CU_ASSERT_EQUAL_FATAL(create(10000, CONN_A, &alice, NULL), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(create(10000, CONN_B, &anon, NULL), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(create(10000, CONN_B, &alice2, NULL), UG_STATUS_GOOD);
    ug_UserNameIdentityToken t = user_token("username", "alice", "s3cret");
    activate(alice, CONN_A, &ug_desc_UserNameIdentityToken, &t);
    activate(alice2, CONN_B, &ug_desc_UserNameIdentityToken, &t);
    activate(anon, CONN_B, NULL, NULL);
    CU_ASSERT_TRUE_FATAL(ug_session_activated(alice) && ug_session_activated(alice2));
    uint32_t a1 = make_subscription(alice);
    uint32_t mine = make_subscription(anon);
    /* From a live session, and mixed with one it may take (its own). */
    uint32_t ids[2] = {a1, mine};
    ug_status r[2];
    CU_ASSERT_EQUAL(transfer_n(anon, ids, 2, r), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(r[0], UG_STATUS_BADUSERACCESSDENIED);
    CU_ASSERT_EQUAL(r[1], UG_STATUS_GOOD);
    /* From a closed session whose subscriptions were kept. */
    close_with(alice, false);
    CU_ASSERT_EQUAL(transfer(anon, a1), UG_STATUS_BADUSERACCESSDENIED);
    CU_ASSERT_EQUAL(transfer(alice2, a1), UG_STATUS_GOOD);
    /* Unknown ids still get the service's own answer. */
    CU_ASSERT_EQUAL(transfer(anon, 999999), UG_STATUS_BADSUBSCRIPTIONIDINVALID);
}

/* ---------------------------------------------------- the handshake -- */

static int cancels;
static ug_svc_pending *cancelled;
static void on_cancel(ug_svc_pending *p, void *data)
{
    (void)data;
    cancels++;
    cancelled = p;
}

static ug_svc_pending *take(ug_session *sess, ug_conn *conn)
{
    ug_svc_pending *p = ug_pending_get(srv);
    p->session = sess;
    p->conn = conn;
    ug_pending_take(p);
    return p;
}

static void test_pending_identity(void)
{
    fresh(true, 10);
    ug_svc_pending *a = take(NULL, NULL), *b = take(NULL, NULL);
    uint64_t ida = ug_svc_pending_id(a), idb = ug_svc_pending_id(b);
    CU_ASSERT_NOT_EQUAL(ida, idb);
    CU_ASSERT_PTR_EQUAL(ug_svc_pending_find(srv, ida), a);
    CU_ASSERT_PTR_EQUAL(ug_svc_pending_find(srv, idb), b);
    CU_ASSERT_EQUAL(srv->stats.async_pending, 2);
    CU_ASSERT_PTR_NOT_NULL(ug_svc_pending_arena(a));
    ug_svc_finish(a, UG_STATUS_GOOD);
    /* Finished: its identity finds nothing any more, even after the
     * storage is reused by the next request. */
    CU_ASSERT_PTR_NULL(ug_svc_pending_find(srv, ida));
    run_for_ms(2);
    ug_svc_pending *c = take(NULL, NULL);
    CU_ASSERT_PTR_EQUAL(c, a); /* recycled from the pool */
    CU_ASSERT_PTR_NULL(ug_svc_pending_find(srv, ida));
    CU_ASSERT_PTR_EQUAL(ug_svc_pending_find(srv, ug_svc_pending_id(c)), c);
    /* A second finish is ignored. */
    ug_svc_finish(b, UG_STATUS_GOOD);
    ug_svc_finish(b, UG_STATUS_BADINTERNALERROR);
    CU_ASSERT_EQUAL(b->result, UG_STATUS_GOOD);
    ug_svc_pending_drop(c);
    CU_ASSERT_EQUAL(c->result, UG_STATUS_BADINTERNALERROR); /* dropped: answered Bad */
    CU_ASSERT_EQUAL(c->state, UG_PENDING_DONE);
    run_for_ms(2);
    CU_ASSERT_EQUAL(srv->stats.async_pending, 0);
    CU_ASSERT_PTR_NULL(srv->done_head);
    ug_svc_finish(NULL, UG_STATUS_GOOD);
    CU_ASSERT_TRUE(ug_svc_pending_orphaned(NULL));
    CU_ASSERT_EQUAL(ug_svc_pending_id(NULL), 0);
}

static void test_pending_orphaned_by_channel(void)
{
    fresh(true, 10);
    cancels = 0;
    ug_svc_pending *a = take(NULL, CONN_A), *b = take(NULL, CONN_B);
    ug_svc_pending_set_cancel(a, on_cancel, NULL);
    ug_svc_pending_set_cancel(b, on_cancel, NULL);
    ug_pending_orphan_conn(srv, CONN_A);
    CU_ASSERT_EQUAL(cancels, 1);
    CU_ASSERT_PTR_EQUAL(cancelled, a);
    CU_ASSERT_TRUE(ug_svc_pending_orphaned(a));
    CU_ASSERT_FALSE(ug_svc_pending_orphaned(b));
    CU_ASSERT_PTR_NULL(a->conn);
    /* Orphaning twice runs the hook once. */
    ug_pending_orphan_all(srv);
    CU_ASSERT_EQUAL(cancels, 2); /* b now */
    /* The services still finish; nothing is sent (no channel). */
    ug_svc_finish(a, UG_STATUS_GOOD);
    ug_svc_finish(b, UG_STATUS_GOOD);
    run_for_ms(2);
    CU_ASSERT_EQUAL(srv->stats.async_pending, 0);
    CU_ASSERT_EQUAL(srv->stats.faults, 0);
}

static void test_pending_finished_before_drain(void)
{
    fresh(true, 10);
    /* Finished, then the channel closes before the drain ran: the queued
     * response must not go to the freed channel. */
    ug_svc_pending *a = take(NULL, CONN_A);
    ug_svc_finish(a, UG_STATUS_GOOD);
    ug_pending_orphan_conn(srv, CONN_A);
    CU_ASSERT_TRUE(a->orphaned);
    CU_ASSERT_PTR_NULL(a->conn);
    run_for_ms(2); /* would crash sending on CONN_A otherwise */
    CU_ASSERT_PTR_NULL(srv->done_head);
}

static void test_pending_orphaned_by_session(void)
{
    fresh(true, 10);
    ug_session *s;
    CU_ASSERT_EQUAL_FATAL(create(10000, CONN_A, &s, NULL), UG_STATUS_GOOD);
    cancels = 0;
    ug_svc_pending *a = take(s, NULL);
    CU_ASSERT_PTR_EQUAL(ug_svc_pending_session(a), s);
    ug_svc_pending_set_cancel(a, on_cancel, NULL);
    ug_session_close(s, true);
    CU_ASSERT_EQUAL(cancels, 1);
    CU_ASSERT_PTR_NULL(ug_svc_pending_session(a));
    CU_ASSERT_TRUE(ug_svc_pending_orphaned(a));
    ug_svc_finish(a, UG_STATUS_GOOD);
    run_for_ms(2);
}

/* Finishing from inside the service call (before the dispatcher saw it
 * taken) is queued, not lost. */
static void test_finish_inside_service(void)
{
    fresh(true, 10);
    ug_svc_pending *p = ug_pending_get(srv);
    ug_svc_finish(p, UG_STATUS_BADTIMEOUT);
    CU_ASSERT_EQUAL(p->state, UG_PENDING_DONE);
    ug_pending_queue_done(p);
    CU_ASSERT_PTR_EQUAL(srv->done_head, p);
    run_for_ms(2);
    CU_ASSERT_PTR_NULL(srv->done_head);
}

/* A password check still running when the session's channel closes: the
 * cancel hook ends the request, the worker's answer is dropped. */
static void test_password_check_orphaned(void)
{
    fresh(true, 10);
    ug_session *s;
    CU_ASSERT_EQUAL_FATAL(create(10000, CONN_A, &s, NULL), UG_STATUS_GOOD);
    struct call c;
    call_begin(&c, s, CONN_A);
    ug_ActivateSessionRequest req;
    ug_ActivateSessionResponse resp;
    memset(&req, 0, sizeof req);
    memset(&resp, 0, sizeof resp);
    ug_UserNameIdentityToken t = user_token("username", "alice", "s3cret");
    CU_ASSERT_EQUAL_FATAL(ug_eo_encode(&req.user_identity_token, &ug_desc_UserNameIdentityToken,
                                       &t, &c.p->arena),
                          UG_STATUS_GOOD);
    c.p->response = &resp;
    CU_ASSERT_EQUAL(ug_svc_activate_session(&c.ctx, &req, &resp),
                    UG_STATUS_GOODCOMPLETESASYNCHRONOUSLY);
    c.p->conn = CONN_A;
    call_end(&c);
    CU_ASSERT_EQUAL(srv->stats.async_pending, 1);
    ug_pending_orphan_conn(srv, CONN_A);
    ug_sessions_conn_closed(srv, CONN_A);
    CU_ASSERT_EQUAL(srv->stats.async_pending, 0);
    run_for_ms(100); /* the worker finishes; its completion is dropped */
    CU_ASSERT_FALSE(ug_session_activated(s));
    struct ug_loop_stats ls;
    ug_loop_get_stats(loop, &ls);
    CU_ASSERT_TRUE(ls.posts_dropped >= 1);
}

static void test_free_with_everything_open(void)
{
    fresh(true, 10);
    ug_session *s;
    CU_ASSERT_EQUAL_FATAL(create(10000, CONN_A, &s, NULL), UG_STATUS_GOOD);
    activate(s, CONN_A, NULL, NULL);
    (void)take(s, CONN_A); /* never finished by its service */
    ug_svc_pending *done = take(NULL, CONN_B);
    ug_svc_finish(done, UG_STATUS_GOOD); /* queued, not drained */
    ug_server_free(srv); /* ASan: nothing leaks, nothing is sent */
    srv = NULL;
}

/* The server is freed while password checks run and one waits in the
 * pool's queue (two workers): the running ones are joined, the queued one
 * never runs, and no job memory leaks (ASan). */
static void test_free_during_password_checks(void)
{
    ug_server_free(srv);
    srv = NULL;
    static char slow_hash[160];
    CU_ASSERT_EQUAL_FATAL(ug_server_hash_password("pw", 200000, slow_hash, sizeof slow_hash),
                          UG_STATUS_GOOD);
    struct ug_server_config cfg;
    ug_server_config_init(&cfg);
    cfg.endpoint_url = "opc.tcp://127.0.0.1:0";
    struct ug_server_user users[] = {{"slow", slow_hash}};
    cfg.users = users;
    cfg.n_users = 1;
    CU_ASSERT_EQUAL_FATAL(ug_server_new(loop, &cfg, &srv), UG_STATUS_GOOD);
    for (int i = 0; i < 3; i++) {
        ug_session *s;
        CU_ASSERT_EQUAL_FATAL(create(10000, CONN_A, &s, NULL), UG_STATUS_GOOD);
        struct call c;
        call_begin(&c, s, CONN_A);
        ug_ActivateSessionRequest req;
        ug_ActivateSessionResponse resp;
        memset(&req, 0, sizeof req);
        ug_UserNameIdentityToken t = user_token("username", "slow", "pw");
        CU_ASSERT_EQUAL_FATAL(ug_eo_encode(&req.user_identity_token,
                                           &ug_desc_UserNameIdentityToken, &t, &c.p->arena),
                              UG_STATUS_GOOD);
        CU_ASSERT_EQUAL(ug_svc_activate_session(&c.ctx, &req, &resp),
                        UG_STATUS_GOODCOMPLETESASYNCHRONOUSLY);
        c.p->conn = NULL;
        call_end(&c);
    }
    CU_ASSERT_EQUAL(srv->stats.async_pending, 3);
    CU_ASSERT_PTR_NOT_NULL(srv->pw_jobs);
    ug_server_free(srv);
    srv = NULL;
}

static void test_cleanup(void)
{
    ug_server_free(srv);
    srv = NULL;
}

static CU_TestInfo tests[] = {
    {"password hash and check", test_password_hash},
    {"configuration checks", test_config_checks},
    {"create revises the timeout", test_create_revises_timeout},
    {"too many sessions", test_too_many_sessions},
    {"activate anonymous", test_activate_anonymous},
    {"activate with user name", test_activate_username},
    {"transfer to another channel", test_transfer},
    {"close session", test_close_session},
    {"session timeout", test_timeout},
    {"close keeps subscriptions", test_close_keeps_subscriptions},
    {"transfer needs the same user", test_transfer_needs_same_user},
    {"pending identity and drop", test_pending_identity},
    {"pending orphaned by channel", test_pending_orphaned_by_channel},
    {"pending finished before drain", test_pending_finished_before_drain},
    {"pending orphaned by session", test_pending_orphaned_by_session},
    {"finish inside the service", test_finish_inside_service},
    {"password check orphaned", test_password_check_orphaned},
    {"free with everything open", test_free_with_everything_open},
    {"free during password checks", test_free_during_password_checks},
    {"cleanup", test_cleanup},
    CU_TEST_INFO_NULL,
};

static int run(void)
{
    if (suite_init() != 0)
        return 1;
    int rc = ug_test_main("session", tests);
    suite_clean();
    return rc;
}

int main(void) { return run(); }
