/* clientserver/session.c — sessions (Part 4 §5.6): CreateSession,
 * ActivateSession, CloseSession, timeouts and transfer between channels.
 *
 * A session is created on a channel, activated there with an identity
 * (anonymous or user name + password), and from then on used on that
 * channel only. When the channel closes the session is detached and lives
 * until its timeout; an ActivateSession with the same identity on another
 * channel moves it there (§5.6.3.1). The authentication token is a random
 * 128-bit GUID (RAND_bytes), checked against every open session so that no
 * token is ever handed out twice while its session lives.
 *
 * Timeouts: one ug_timer per session. A request only stores the loop time
 * (ug_session_touch, no heap work on the hot path); when the timer fires
 * early it re-arms for the remainder.
 *
 * Password checks run PBKDF2 (password.c), which takes milliseconds; they run
 * on the server's worker pool and the ActivateSession answer is deferred with
 * the pending mechanism (pending.c), so other sessions are never stalled.
 *
 * Subscriptions: each session has a ug_subs (sub.c). CloseSession with
 * deleteSubscriptions false keeps it, with the session's identity, for
 * TransferSubscriptions (§5.13.7), which this file guards: only the same
 * user may take a subscription (ug_svc_transfer_checked).
 *
 * Lifetime: sessions are owned by the server (list s->sessions) from
 * CreateSession until CloseSession, timeout or server stop; kept
 * subscription sets by the server until nothing in them is active.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "aspace.h"
#include "conn.h"
#include "server_internal.h"
#include "sub.h"
#include "uagate/ua_nodeids.h"

#define NONCE_LEN 32
#define NAME_CAP 64
#define USER_CAP 128

struct ug_session {
    ug_server *server;
    ug_session *prev, *next;
    ug_nodeid id;
    ug_nodeid token;
    ug_conn *conn;
    bool activated;
    bool anonymous;
    char user[USER_CAP];
    char name[NAME_CAP];
    double timeout_ms;
    int64_t timeout_ns;
    int64_t last_ns;
    struct ug_timer timer;
    uint8_t nonce[NONCE_LEN];
    struct ug_subs *subs;
    struct ug_cp_store cps;
    uint32_t max_response_size;
};

/* ------------------------------------------------------------ access -- */

const ug_nodeid *ug_session_id(const ug_session *sess) { return &sess->id; }
ug_conn *ug_session_conn(const ug_session *sess) { return sess->conn; }
struct ug_subs *ug_session_subs(ug_session *sess) { return sess ? sess->subs : NULL; }
struct ug_cp_store *ug_session_cp_store(ug_session *sess) { return &sess->cps; }
bool ug_session_activated(const ug_session *sess) { return sess->activated; }
ug_server *ug_session_server(const ug_session *sess) { return sess->server; }

const char *ug_session_user(const ug_session *sess)
{
    return sess->activated && !sess->anonymous ? sess->user : NULL;
}

uint32_t ug_sessions_count(const ug_server *s)
{
    uint32_t n = 0;
    for (const ug_session *x = s->sessions; x; x = x->next)
        n++;
    return n;
}

ug_session *ug_session_find(ug_server *s, const ug_nodeid *token)
{
    if (token->id_type != UG_ID_GUID)
        return NULL; /* we only hand out GUID tokens */
    for (ug_session *x = s->sessions; x; x = x->next)
        if (ug_nodeid_eq(&x->token, token))
            return x;
    return NULL;
}

void ug_session_touch(ug_session *sess, int64_t now_ns) { sess->last_ns = now_ns; }

/* ------------------------------------------------------------ close -- */

/* Frees kept subscriptions that have nothing active left (all expired,
 * transferred away or deleted). */
static void sweep_detached(ug_server *s)
{
    for (uint32_t i = 0; i < s->n_detached;) {
        struct ug_subs *subs = s->detached[i].subs;
        if (subs->n_active == 0) {
            ug_subs_free(subs);
            s->detached[i] = s->detached[--s->n_detached];
        } else {
            i++;
        }
    }
}

void ug_sessions_free_detached(ug_server *s)
{
    for (uint32_t i = 0; i < s->n_detached; i++)
        ug_subs_free(s->detached[i].subs);
    free(s->detached);
    s->detached = NULL;
    s->n_detached = s->cap_detached = 0;
}

/* Part 4 §5.6.4: with deleteSubscriptions false the subscriptions outlive
 * the session (their lifetime counters run on) so that another session can
 * take them with TransferSubscriptions. Queued Publish requests are answered
 * now: they belong to the closed session. False when there is nothing to
 * keep or no memory to keep it. */
static bool keep_subs(ug_server *s, const ug_session *sess, struct ug_subs *subs)
{
    if (subs->n_active == 0)
        return false;
    if (s->n_detached == s->cap_detached) {
        uint32_t cap = s->cap_detached ? s->cap_detached * 2 : 8;
        struct ug_kept_subs *d = realloc(s->detached, cap * sizeof *d);
        if (!d)
            return false;
        s->detached = d;
        s->cap_detached = cap;
    }
    while (subs->pubq_len > 0) {
        ug_svc_pending *p = subs->pubq[subs->pubq_head];
        subs->pubq_head = (subs->pubq_head + 1) % subs->pubq_cap;
        subs->pubq_len--;
        ug_svc_finish(p, UG_STATUS_BADSESSIONCLOSED);
    }
    subs->session = NULL;
    struct ug_kept_subs *k = &s->detached[s->n_detached++];
    k->subs = subs;
    k->anonymous = sess->anonymous || !sess->activated;
    memcpy(k->user, sess->user, sizeof k->user);
    return true;
}

void ug_session_close(ug_session *sess, bool delete_subs)
{
    ug_server *s = sess->server;
    /* Subscriptions first: queued Publish requests are answered with
     * BadSessionClosed while the channel is still known. */
    if (sess->subs && (delete_subs || !keep_subs(s, sess, sess->subs)))
        ug_subs_free(sess->subs);
    sess->subs = NULL;
    ug_pending_orphan_session(s, sess);
    ug_timer_stop(s->loop, &sess->timer);
    ug_cp_store_clear(&sess->cps);
    if (sess->prev)
        sess->prev->next = sess->next;
    else
        s->sessions = sess->next;
    if (sess->next)
        sess->next->prev = sess->prev;
    OPENSSL_cleanse(sess, sizeof *sess);
    free(sess);
    sweep_detached(s);
}

void ug_sessions_close_all(ug_server *s)
{
    while (s->sessions)
        ug_session_close(s->sessions, true);
}

void ug_sessions_conn_closed(ug_server *s, ug_conn *c)
{
    for (ug_session *x = s->sessions; x; x = x->next)
        if (x->conn == c)
            x->conn = NULL;
}

static void on_timeout(ug_loop *loop, struct ug_timer *t)
{
    ug_session *sess = t->data;
    int64_t now = ug_loop_now(loop);
    int64_t due = sess->last_ns + sess->timeout_ns;
    if (now < due) {
        (void)ug_timer_start_once(loop, t, due); /* touched meanwhile */
        return;
    }
    sess->server->stats.sessions_timed_out++;
    ug_session_close(sess, true);
}

/* ------------------------------------------------------ CreateSession -- */

static bool token_in_use(ug_server *s, const ug_nodeid *id)
{
    for (ug_session *x = s->sessions; x; x = x->next)
        if (ug_nodeid_eq(&x->token, id) || ug_nodeid_eq(&x->id, id))
            return true;
    return false;
}

static ug_status random_guid_id(ug_server *s, ug_nodeid *out)
{
    for (int tries = 0; tries < 4; tries++) {
        uint8_t r[16];
        if (RAND_bytes(r, sizeof r) != 1)
            return UG_STATUS_BADINTERNALERROR;
        memset(out, 0, sizeof *out);
        out->ns = 1;
        out->id_type = UG_ID_GUID;
        memcpy(&out->id.guid.data1, r, 4);
        memcpy(&out->id.guid.data2, r + 4, 2);
        memcpy(&out->id.guid.data3, r + 6, 2);
        memcpy(out->id.guid.data4, r + 8, 8);
        if (!token_in_use(s, out))
            return UG_STATUS_GOOD;
    }
    return UG_STATUS_BADINTERNALERROR; /* 2^-128 four times: the RNG is broken */
}

static ug_string arena_bytes(ug_arena *a, const void *src, size_t n)
{
    uint8_t *d = ug_arena_alloc(a, n);
    if (!d)
        return (ug_string){NULL, -1};
    memcpy(d, src, n);
    return (ug_string){d, (int32_t)n};
}

static double revise_timeout(const ug_server *s, double req)
{
    double lo = s->cfg.min_session_timeout_ms, hi = s->cfg.limits.max_session_timeout_ms;
    if (!(req > 0)) /* 0, negative or NaN: the longest we allow */
        return hi;
    return req < lo ? lo : req > hi ? hi : req;
}

ug_status ug_svc_create_session(struct ug_svc_ctx *ctx, const void *vreq, void *vresp)
{
    const ug_CreateSessionRequest *req = vreq;
    ug_CreateSessionResponse *resp = vresp;
    ug_server *s = ctx->server;
    sweep_detached(s);
    if (ug_sessions_count(s) >= s->cfg.limits.max_sessions)
        return UG_STATUS_BADTOOMANYSESSIONS;
    if (req->session_name.len > 0 && req->session_name.len > 4096)
        return UG_STATUS_BADINVALIDARGUMENT;

    ug_session *sess = calloc(1, sizeof *sess);
    if (!sess)
        return UG_STATUS_BADOUTOFMEMORY;
    sess->server = s;
    ug_status st = random_guid_id(s, &sess->id);
    if (st == UG_STATUS_GOOD)
        st = random_guid_id(s, &sess->token);
    if (st == UG_STATUS_GOOD && RAND_bytes(sess->nonce, NONCE_LEN) != 1)
        st = UG_STATUS_BADINTERNALERROR;
    if (st != UG_STATUS_GOOD) {
        free(sess);
        return st;
    }
    if (req->session_name.len > 0) {
        size_t n = (size_t)req->session_name.len;
        if (n >= NAME_CAP)
            n = NAME_CAP - 1;
        memcpy(sess->name, req->session_name.data, n);
    }
    sess->conn = ctx->conn;
    sess->timeout_ms = revise_timeout(s, req->requested_session_timeout);
    sess->timeout_ns = (int64_t)(sess->timeout_ms * 1e6);
    sess->last_ns = ctx->now_ns;
    sess->max_response_size = req->max_response_message_size;
    ug_cp_store_init(&sess->cps, s->cfg.limits.max_browse_continuation_points);
    ug_timer_init(&sess->timer, on_timeout, sess);

    /* Fill the response before the session becomes visible, so that a
     * failure needs no undo beyond freeing. */
    resp->session_id = sess->id;
    resp->authentication_token = sess->token;
    resp->revised_session_timeout = sess->timeout_ms;
    resp->server_nonce = arena_bytes(ctx->arena, sess->nonce, NONCE_LEN);
    resp->server_certificate = (ug_string){NULL, -1};
    resp->server_signature.algorithm = (ug_string){NULL, -1};
    resp->server_signature.signature = (ug_string){NULL, -1};
    resp->server_software_certificates_len = 0;
    resp->max_request_message_size = 0; /* the channel layer enforces its own */
    if (!resp->server_nonce.data)
        st = UG_STATUS_BADOUTOFMEMORY;
    if (st == UG_STATUS_GOOD)
        st = ug_server_endpoints(s, ctx->conn, ctx->arena, &resp->server_endpoints_len,
                                 &resp->server_endpoints);
    if (st == UG_STATUS_GOOD)
        st = ug_timer_start_once(s->loop, &sess->timer, sess->last_ns + sess->timeout_ns);
    if (st == UG_STATUS_GOOD) {
        sess->subs = ug_subs_new(s, sess);
        if (!sess->subs)
            st = UG_STATUS_BADOUTOFMEMORY;
    }
    if (st != UG_STATUS_GOOD) {
        ug_timer_stop(s->loop, &sess->timer);
        ug_cp_store_clear(&sess->cps);
        free(sess);
        return st;
    }
    sess->next = s->sessions;
    if (s->sessions)
        s->sessions->prev = sess;
    s->sessions = sess;
    s->stats.sessions_created++;
    return UG_STATUS_GOOD;
}

/* ---------------------------------------------------- ActivateSession -- */

static bool str_is(ug_string a, const char *b)
{
    size_t n = strlen(b);
    return a.len == (int32_t)n && (n == 0 || memcmp(a.data, b, n) == 0);
}

/* What the identity token asks for, checked against our policies
 * (Part 4 §7.41, §5.6.3.2 Table 17). */
struct identity {
    bool anonymous;
    ug_string user;
    ug_string password;
};

static ug_status parse_identity(ug_server *s, struct ug_svc_ctx *ctx,
                                const ug_extension_object *eo, struct identity *id)
{
    memset(id, 0, sizeof *id);
    if (eo->encoding == UG_EO_NONE && eo->type_id.ns == 0 && eo->type_id.id_type == UG_ID_NUMERIC &&
        eo->type_id.id.numeric == 0) {
        /* A null token is the anonymous identity (§5.6.3.2). */
        if (!s->cfg.allow_anonymous)
            return UG_STATUS_BADIDENTITYTOKENINVALID;
        id->anonymous = true;
        return UG_STATUS_GOOD;
    }
    const ug_type_desc *d = NULL;
    void *tok = NULL;
    if (ug_eo_decode(eo, NULL, &d, &tok, &s->decode_limits, ctx->arena) != UG_STATUS_GOOD)
        return UG_STATUS_BADIDENTITYTOKENINVALID;
    if (d == &ug_desc_AnonymousIdentityToken) {
        const ug_AnonymousIdentityToken *a = tok;
        if (!s->cfg.allow_anonymous)
            return UG_STATUS_BADIDENTITYTOKENINVALID; /* no such policy offered */
        if (a->policy_id.len > 0 && !str_is(a->policy_id, UG_POLICY_ANONYMOUS))
            return UG_STATUS_BADIDENTITYTOKENINVALID;
        id->anonymous = true;
        return UG_STATUS_GOOD;
    }
    if (d == &ug_desc_UserNameIdentityToken) {
        const ug_UserNameIdentityToken *u = tok;
        if (s->cfg.n_users == 0 || !str_is(u->policy_id, UG_POLICY_USERNAME))
            return UG_STATUS_BADIDENTITYTOKENINVALID;
        if (u->user_name.len <= 0 || u->user_name.len >= USER_CAP)
            return UG_STATUS_BADIDENTITYTOKENINVALID;
        /* SecurityPolicy None: the password travels in clear and the
         * encryptionAlgorithm is empty (§7.41.4); an encrypted secret we
         * cannot open. */
        if (u->encryption_algorithm.len > 0)
            return UG_STATUS_BADIDENTITYTOKENREJECTED;
        id->user = u->user_name;
        id->password = u->password.len > 0 ? u->password : (ug_string){NULL, 0};
        return UG_STATUS_GOOD;
    }
    /* X509 and issued tokens: no policy of ours offers them. */
    return UG_STATUS_BADIDENTITYTOKENINVALID;
}

/* Applies a checked identity: activation, channel binding, new nonce. */
static ug_status activate(ug_session *sess, ug_conn *conn, const struct identity *id,
                          ug_ActivateSessionResponse *resp, ug_arena *arena)
{
    if (RAND_bytes(sess->nonce, NONCE_LEN) != 1)
        return UG_STATUS_BADINTERNALERROR;
    resp->server_nonce = arena_bytes(arena, sess->nonce, NONCE_LEN);
    if (!resp->server_nonce.data)
        return UG_STATUS_BADOUTOFMEMORY;
    resp->results_len = 0;
    resp->diagnostic_infos_len = 0;
    sess->anonymous = id->anonymous;
    memset(sess->user, 0, sizeof sess->user);
    if (!id->anonymous)
        memcpy(sess->user, id->user.data, (size_t)id->user.len);
    sess->activated = true;
    sess->conn = conn; /* a transfer when it was on another channel */
    return UG_STATUS_GOOD;
}

/* §5.6.3.1: moving a session to a new channel needs the same identity. */
static bool same_identity(const ug_session *sess, const struct identity *id)
{
    if (sess->anonymous || id->anonymous)
        return sess->anonymous == id->anonymous;
    return str_is(id->user, sess->user);
}

/* The password check on a worker (rt.h ug_pool). The job's memory belongs
 * to the loop, never to the worker: the worker only sets worker_done when
 * it is through with it. The loop frees a job once the worker is done and
 * the loop side has let go of it (completion or cancel), when it sweeps the
 * server's job list; after ug_pool_free no worker can touch a job, so
 * ug_sessions_free_jobs frees what is left (jobs that were queued but never
 * ran included). */
struct pw_job {
    struct pw_job *next;     /* s->pw_jobs, loop thread only */
    atomic_bool worker_done;
    bool loop_done;
    bool deny;               /* unknown user: run the derivation all the same, then deny */
    const char *hash;        /* the server's configuration copy, outlives the pool */
    size_t len;
    char pw[];               /* len bytes, wiped after use */
};

static ug_status pw_work(void *arg, void **result)
{
    struct pw_job *j = arg;
    *result = NULL;
    ug_status st = ug_server_check_password(j->hash, j->pw, j->len);
    if (st != UG_STATUS_GOOD || j->deny)
        st = UG_STATUS_BADUSERACCESSDENIED;
    OPENSSL_cleanse(j->pw, j->len);
    atomic_store(&j->worker_done, true); /* last touch of j by the worker */
    return st;
}

static void free_job(struct pw_job *j)
{
    OPENSSL_cleanse(j->pw, j->len);
    free(j);
}

static void sweep_jobs(ug_server *s)
{
    for (struct pw_job **pp = &s->pw_jobs; *pp;) {
        struct pw_job *j = *pp;
        if (j->loop_done && atomic_load(&j->worker_done)) {
            *pp = j->next;
            free_job(j);
        } else {
            pp = &j->next;
        }
    }
}

void ug_sessions_free_jobs(ug_server *s)
{
    while (s->pw_jobs) {
        struct pw_job *j = s->pw_jobs;
        s->pw_jobs = j->next;
        free_job(j);
    }
}

/* Loop side of a password check, in the request's arena. */
struct pw_wait {
    struct ug_async async;
    ug_svc_pending *pending;
    struct pw_job *job;
    ug_conn *conn;
    struct identity id;
    char user[USER_CAP];
};

static void pw_cancel(ug_svc_pending *p, void *data)
{
    struct pw_wait *w = data;
    /* Orphaned first: forget the worker's answer and end the request here,
     * so exactly one side finishes it. */
    if (ug_async_cancel(p->server->loop, &w->async)) {
        w->job->loop_done = true;
        ug_svc_finish(p, UG_STATUS_BADSESSIONCLOSED);
    }
}

static void pw_done(ug_loop *loop, struct ug_async *a, ug_status status, void *result)
{
    (void)loop;
    (void)result;
    struct pw_wait *w = a->data;
    ug_svc_pending *p = w->pending;
    w->job->loop_done = true;
    sweep_jobs(p->server);
    ug_svc_pending_set_cancel(p, NULL, NULL);
    ug_session *sess = ug_svc_pending_session(p);
    if (!sess) { /* session closed meanwhile (orphaned without a hook) */
        ug_svc_finish(p, UG_STATUS_BADSESSIONCLOSED);
        return;
    }
    if (status != UG_STATUS_GOOD) {
        ug_svc_finish(p, status);
        return;
    }
    if (sess->activated && sess->conn != w->conn && !same_identity(sess, &w->id)) {
        ug_svc_finish(p, UG_STATUS_BADUSERACCESSDENIED);
        return;
    }
    ug_svc_finish(p, activate(sess, w->conn, &w->id, ug_svc_pending_response(p),
                              ug_svc_pending_arena(p)));
}

static ug_status check_user_async(struct ug_svc_ctx *ctx, const struct identity *id)
{
    ug_server *s = ctx->server;
    sweep_jobs(s);
    const char *hash = NULL;
    for (size_t i = 0; i < s->cfg.n_users; i++)
        if (str_is(id->user, s->cfg.users[i].username))
            hash = s->cfg.users[i].password_hash;
    size_t len = id->password.len > 0 ? (size_t)id->password.len : 0;
    struct pw_wait *w = ug_arena_alloc(ctx->arena, sizeof *w);
    struct pw_job *j = w ? malloc(sizeof *j + len) : NULL;
    if (!j)
        return UG_STATUS_BADOUTOFMEMORY;
    /* An unknown user costs the same PBKDF2 run (against the first user's
     * hash, then denied) so that timing does not tell names apart. */
    j->hash = hash ? hash : s->cfg.users[0].password_hash;
    j->deny = hash == NULL;
    j->len = len;
    j->loop_done = false;
    atomic_init(&j->worker_done, false);
    if (len)
        memcpy(j->pw, id->password.data, len);
    memset(w, 0, sizeof *w);
    w->pending = ctx->pending;
    w->job = j;
    w->conn = ctx->conn;
    w->id = *id;
    memcpy(w->user, id->user.data, (size_t)id->user.len);
    w->id.user = (ug_string){(const uint8_t *)w->user, id->user.len};
    w->id.password = (ug_string){NULL, 0}; /* the job holds the secret */
    ug_status st = ug_pool_submit(s->pool, &w->async, pw_work, j, pw_done, w);
    if (st != UG_STATUS_GOOD) {
        free_job(j);
        return st;
    }
    j->next = s->pw_jobs;
    s->pw_jobs = j;
    ug_svc_pending_set_cancel(ctx->pending, pw_cancel, w);
    ctx->pending = NULL;
    return UG_STATUS_GOODCOMPLETESASYNCHRONOUSLY;
}

ug_status ug_svc_activate_session(struct ug_svc_ctx *ctx, const void *vreq, void *vresp)
{
    const ug_ActivateSessionRequest *req = vreq;
    ug_ActivateSessionResponse *resp = vresp;
    ug_session *sess = ctx->session;
    struct identity id;
    ug_status st = parse_identity(ctx->server, ctx, &req->user_identity_token, &id);
    if (st != UG_STATUS_GOOD)
        return st;
    if (!id.anonymous)
        return check_user_async(ctx, &id);
    /* A transfer keeps the identity (§5.6.3.1). */
    if (sess->activated && sess->conn != ctx->conn && !same_identity(sess, &id))
        return UG_STATUS_BADUSERACCESSDENIED;
    return activate(sess, ctx->conn, &id, resp, ctx->arena);
}

/* --------------------------------------------- TransferSubscriptions -- */

/* Who made subscription `id`: a live session or a kept set. False when no
 * one has it (the transfer then reports BadSubscriptionIdInvalid). */
static bool owner_of(ug_server *s, uint32_t id, bool *anonymous, const char **user)
{
    for (ug_session *x = s->sessions; x; x = x->next)
        if (x->subs && sub_find(x->subs, id)) {
            *anonymous = x->anonymous || !x->activated;
            *user = x->user;
            return true;
        }
    for (uint32_t i = 0; i < s->n_detached; i++)
        if (sub_find(s->detached[i].subs, id)) {
            *anonymous = s->detached[i].anonymous;
            *user = s->detached[i].user;
            return true;
        }
    return false;
}

ug_status ug_svc_transfer_checked(struct ug_svc_ctx *ctx, const void *vreq, void *vresp)
{
    const ug_TransferSubscriptionsRequest *req = vreq;
    ug_TransferSubscriptionsResponse *resp = vresp;
    ug_session *me = ctx->session;
    int32_t n = req->subscription_ids_len;
    if (n <= 0 || !me)
        return ug_svc_transfer_subscriptions(ctx, vreq, vresp);
    bool *denied = ug_arena_alloc(ctx->arena, (size_t)n);
    uint32_t *ok_ids = ug_arena_alloc(ctx->arena, (size_t)n * sizeof *ok_ids);
    if (!denied || !ok_ids)
        return UG_STATUS_BADOUTOFMEMORY;
    int32_t n_ok = 0, n_denied = 0;
    for (int32_t i = 0; i < n; i++) {
        bool anon;
        const char *user;
        denied[i] = owner_of(ctx->server, req->subscription_ids[i], &anon, &user) &&
                    (anon != me->anonymous || (!anon && strcmp(user, me->user) != 0));
        if (denied[i])
            n_denied++;
        else
            ok_ids[n_ok++] = req->subscription_ids[i];
    }
    if (n_denied == 0)
        return ug_svc_transfer_subscriptions(ctx, vreq, vresp);
    ug_TransferResult *res = ug_arena_alloc(ctx->arena, (size_t)n * sizeof *res);
    if (!res)
        return UG_STATUS_BADOUTOFMEMORY;
    memset(res, 0, (size_t)n * sizeof *res);
    if (n_ok > 0) {
        /* The allowed ones go through the real service; its limits apply
         * to what it sees. */
        ug_TransferSubscriptionsRequest sub_req = *req;
        sub_req.subscription_ids = ok_ids;
        sub_req.subscription_ids_len = n_ok;
        ug_status st = ug_svc_transfer_subscriptions(ctx, &sub_req, vresp);
        if (st != UG_STATUS_GOOD)
            return st;
        if (resp->results_len != n_ok)
            return UG_STATUS_BADINTERNALERROR;
    }
    for (int32_t i = 0, k = 0; i < n; i++)
        res[i] = denied[i] ? (ug_TransferResult){.status_code = UG_STATUS_BADUSERACCESSDENIED}
                           : resp->results[k++];
    resp->results = res;
    resp->results_len = n;
    resp->diagnostic_infos_len = 0;
    return UG_STATUS_GOOD;
}

/* ------------------------------------------------------- CloseSession -- */

ug_status ug_svc_close_session(struct ug_svc_ctx *ctx, const void *vreq, void *vresp)
{
    const ug_CloseSessionRequest *req = vreq;
    (void)vresp;
    ug_session_close(ctx->session, req->delete_subscriptions);
    ctx->session = NULL;
    return UG_STATUS_GOOD;
}
