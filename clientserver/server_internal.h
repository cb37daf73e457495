/* clientserver/server_internal.h — how the pieces of the server meet.
 *
 *   conn.c/channel.c (UACP + SecureChannel)  -> delivers a decoded request
 *   server.c (dispatch)                       -> finds the session, calls the
 *                                                service function below, sends
 *                                                the response or a ServiceFault
 *   session.c                                 -> sessions, Create/Activate/Close
 *   aspace*.c                                 -> nodes and references
 *   svc_*.c                                   -> one file per service set
 *   sub*.c                                    -> subscriptions, monitored items
 *
 * Every service function has the same shape (ug_service_fn): it reads the
 * decoded request, fills the response (whose response_header the dispatcher
 * fills: request_handle, timestamp; the function may set service_result), and
 * takes any storage the response needs from ctx->arena, which lives until the
 * response has been encoded. It returns the service result: Good, a Bad code
 * (the dispatcher then answers with a ServiceFault carrying it), or
 * GoodCompletesAsynchronously when it kept ctx->pending and will finish the
 * response later with ug_svc_finish (see below).
 *
 * The request is a view: its strings point into the channel's receive
 * buffer, valid only during the service call. A service that defers copies
 * what it needs later into ctx->arena (ug_struct_copy) before returning.
 *
 * Threads: everything here runs on the server's loop thread.
 *
 * Lifetime:
 *   ug_svc_pending — the server's (pending.c pool); a service that took one
 *                    may use it until its ug_svc_finish/ug_svc_pending_drop.
 *   ug_session     — the server's, from CreateSession to CloseSession,
 *                    timeout or server stop; services get it in ctx->session
 *                    for the call only (look it up again later, never keep
 *                    the pointer across loop turns).
 *   struct ug_subs — owned by its session (ug_subs_free at close), or by the
 *                    server while kept for TransferSubscriptions.
 */
#ifndef UG_CLIENTSERVER_SERVER_INTERNAL_H
#define UG_CLIENTSERVER_SERVER_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "uagate/rt.h"
#include "uagate/server.h"
#include "uagate/types.h"
#include "uagate/ua_struct.h"

typedef struct ug_server ug_server;   /* server.c; public handle in uagate/server.h */
typedef struct ug_session ug_session; /* session.c */
typedef struct ug_aspace ug_aspace;   /* aspace.c */
typedef struct ug_conn ug_conn;       /* conn.c: one SecureChannel */
typedef struct ug_svc_pending ug_svc_pending; /* pending.c: a request in flight */

struct ug_svc_ctx {
    ug_server *server;
    ug_aspace *aspace;
    ug_session *session;   /* NULL for services without a session (discovery, CreateSession) */
    ug_arena *arena;       /* response storage, valid until the response is encoded */
    ug_loop *loop;
    int64_t now_ns;        /* loop time (MONOTONIC) */
    ug_datetime now;       /* wall clock as OPC UA DateTime */
    /* Set by the dispatcher for every request. A service that cannot finish
     * now takes it (sets ctx->pending to NULL after saving it) and returns
     * GoodCompletesAsynchronously; the response struct and ctx->arena stay
     * valid until ug_svc_finish. */
    ug_svc_pending *pending;
    /* The channel the request came on (CreateSession/ActivateSession bind
     * sessions to it). */
    ug_conn *conn;
    const ug_RequestHeader *request_header;
};

typedef ug_status (*ug_service_fn)(struct ug_svc_ctx *ctx, const void *request, void *response);

/* Finishes a deferred response: encodes and sends it (or a ServiceFault when
 * result is Bad), then frees the request's storage. When the channel closed in
 * the meantime, only frees. Exactly once per taken pending. */
void ug_svc_finish(ug_svc_pending *p, ug_status result);
/* The response struct and arena of a pending request. */
void *ug_svc_pending_response(ug_svc_pending *p);
ug_arena *ug_svc_pending_arena(ug_svc_pending *p);
/* True once the request's channel or session is gone: the service should
 * cancel its outstanding work and still call ug_svc_finish. */
bool ug_svc_pending_orphaned(const ug_svc_pending *p);

/* The deferral handshake in full (pending.c):
 *  - The service takes ctx->pending and returns GoodCompletesAsynchronously.
 *    From then on the server never frees the pending on its own: exactly one
 *    ug_svc_finish (or ug_svc_pending_drop) ends it, sending the response
 *    when the channel is still there and only freeing otherwise.
 *  - When the channel or the session goes away first, the pending becomes
 *    orphaned (nothing will be sent) and its cancel hook, if set, runs once
 *    so the service can stop its outstanding work (ug_async_cancel); the
 *    service still calls ug_svc_finish.
 *  - ug_svc_finish may be called from anywhere on the loop thread, also from
 *    inside the service function itself: the response is encoded and sent in
 *    the loop's next delayed phase (completions drained on the loop), never
 *    re-entrantly.
 *  - Each pending has an identity (never reused for the server's life) so
 *    that a completion carrying only the id (a worker's ug_loop_post result)
 *    can find out whether its request is still waiting: ug_svc_pending_find.
 */
uint64_t ug_svc_pending_id(const ug_svc_pending *p);
/* The taken, unfinished pending with this identity, or NULL. */
ug_svc_pending *ug_svc_pending_find(ug_server *s, uint64_t id);
/* Runs once when the pending is orphaned (channel closed, session closed,
 * server stopped) before it was finished. */
typedef void (*ug_svc_cancel_fn)(ug_svc_pending *p, void *data);
void ug_svc_pending_set_cancel(ug_svc_pending *p, ug_svc_cancel_fn fn, void *data);
/* The owner of a pending lets go of it without a result (its operation
 * object is freed): the client gets a ServiceFault BadInternalError. Same
 * as ug_svc_finish(p, BadInternalError). */
void ug_svc_pending_drop(ug_svc_pending *p);
/* The session of a pending (NULL once orphaned or for session-less
 * services). */
ug_session *ug_svc_pending_session(const ug_svc_pending *p);

/* One entry of the dispatch table (server.c): request type -> function. */
struct ug_service_entry {
    const ug_type_desc *request;
    const ug_type_desc *response;
    ug_service_fn fn;
    bool needs_session; /* false: GetEndpoints, FindServers, CreateSession, ... */
    bool inactive_ok;   /* ActivateSession, CloseSession: session not yet activated */
};

/* Test hook: replaces (or adds) the service for `request`'s encoding id on
 * this server only. Returns Good, BadInvalidArgument (descriptor without a
 * binary encoding id), BadTooManyOperations (table full). */
ug_status ug_server_set_service(ug_server *s, const struct ug_service_entry *e);

/* Service functions, each defined in its svc_*.c file. */
/* svc_discovery.c */
ug_status ug_svc_get_endpoints(struct ug_svc_ctx *ctx, const void *req, void *resp);
ug_status ug_svc_find_servers(struct ug_svc_ctx *ctx, const void *req, void *resp);
/* session.c */
ug_status ug_svc_create_session(struct ug_svc_ctx *ctx, const void *req, void *resp);
ug_status ug_svc_activate_session(struct ug_svc_ctx *ctx, const void *req, void *resp);
ug_status ug_svc_close_session(struct ug_svc_ctx *ctx, const void *req, void *resp);
/* svc_attribute.c */
ug_status ug_svc_read(struct ug_svc_ctx *ctx, const void *req, void *resp);
ug_status ug_svc_write(struct ug_svc_ctx *ctx, const void *req, void *resp);
/* svc_view.c */
ug_status ug_svc_browse(struct ug_svc_ctx *ctx, const void *req, void *resp);
ug_status ug_svc_browse_next(struct ug_svc_ctx *ctx, const void *req, void *resp);
ug_status ug_svc_translate(struct ug_svc_ctx *ctx, const void *req, void *resp);
ug_status ug_svc_register_nodes(struct ug_svc_ctx *ctx, const void *req, void *resp);
ug_status ug_svc_unregister_nodes(struct ug_svc_ctx *ctx, const void *req, void *resp);
/* svc_method.c */
ug_status ug_svc_call(struct ug_svc_ctx *ctx, const void *req, void *resp);
/* svc_nodemgmt.c */
ug_status ug_svc_add_nodes(struct ug_svc_ctx *ctx, const void *req, void *resp);
ug_status ug_svc_add_references(struct ug_svc_ctx *ctx, const void *req, void *resp);
ug_status ug_svc_delete_nodes(struct ug_svc_ctx *ctx, const void *req, void *resp);
ug_status ug_svc_delete_references(struct ug_svc_ctx *ctx, const void *req, void *resp);
/* svc_subscription.c */
ug_status ug_svc_create_subscription(struct ug_svc_ctx *ctx, const void *req, void *resp);
ug_status ug_svc_modify_subscription(struct ug_svc_ctx *ctx, const void *req, void *resp);
ug_status ug_svc_set_publishing_mode(struct ug_svc_ctx *ctx, const void *req, void *resp);
ug_status ug_svc_delete_subscriptions(struct ug_svc_ctx *ctx, const void *req, void *resp);
ug_status ug_svc_transfer_subscriptions(struct ug_svc_ctx *ctx, const void *req, void *resp);
ug_status ug_svc_publish(struct ug_svc_ctx *ctx, const void *req, void *resp);
ug_status ug_svc_republish(struct ug_svc_ctx *ctx, const void *req, void *resp);
/* svc_monitored.c */
ug_status ug_svc_create_monitored_items(struct ug_svc_ctx *ctx, const void *req, void *resp);
ug_status ug_svc_modify_monitored_items(struct ug_svc_ctx *ctx, const void *req, void *resp);
ug_status ug_svc_set_monitoring_mode(struct ug_svc_ctx *ctx, const void *req, void *resp);
ug_status ug_svc_delete_monitored_items(struct ug_svc_ctx *ctx, const void *req, void *resp);

/* Operation limits (struct ug_server_limits, ug_server_get_limits) are in
 * uagate/server.h: advertised in ServerCapabilities and enforced
 * (BadTooManyOperations when a request carries more). */

/* Session hooks for the subscription code (sub*.c owns this state; session.c
 * calls these): a session's subscriptions live in an opaque ug_subs. */
struct ug_subs;
struct ug_subs *ug_subs_new(ug_server *s, ug_session *session);
/* Frees subscriptions (unless transferred) and answers queued Publish
 * requests with BadSessionClosed. */
void ug_subs_free(struct ug_subs *subs);
struct ug_subs *ug_session_subs(ug_session *session);

/* Session accessors (session.c). */
const ug_nodeid *ug_session_id(const ug_session *session);
/* The channel the session is bound to now; NULL while detached (its channel
 * closed and no ActivateSession moved it yet). */
ug_conn *ug_session_conn(const ug_session *session);
/* The user name of the activated identity; NULL for anonymous. */
const char *ug_session_user(const ug_session *session);
ug_server *ug_session_server(const ug_session *session);

/* The address space seen by services: reads one attribute the way Read does
 * (value sources, index range, timestamps), synchronously. Used by
 * monitored-item sampling. Async value sources give their last completed
 * value. Returns the operation status (also in out->status). */
ug_status ug_aspace_read_attr(ug_aspace *as, const ug_ReadValueId *rv, int32_t ttr,
                              ug_datavalue *out, ug_arena *arena, ug_datetime now);

/* ------------------------------------------------------------------------
 * Server core, shared by server.c, pending.c, session*.c, svc_discovery.c and
 * server_info.c only. Other modules use the functions above.
 * --------------------------------------------------------------------- */

struct ug_listener;
struct pw_job;

struct ug_kept_subs {
    struct ug_subs *subs;
    bool anonymous;
    char user[128];
};

/* PolicyIds of the user token policies in our endpoint (Part 4 §7.41). */
#define UG_POLICY_ANONYMOUS "anonymous"
#define UG_POLICY_USERNAME "username"
#define UG_TRANSPORT_PROFILE_BINARY \
    "http://opcfoundation.org/UA-Profile/Transport/uatcp-uasc-uabinary"

/* Inline arena bytes of one request; larger requests grow it (heap blocks
 * freed when the request ends). */
#define UG_REQ_ARENA_BYTES 8192
/* Requests kept in the free pool at most (the rest are freed). */
#define UG_REQ_POOL_MAX 64
#define UG_SERVICE_TABLE_MAX 48

enum ug_pending_state {
    UG_PENDING_FREE = 0,   /* in the pool */
    UG_PENDING_ACTIVE,     /* being dispatched (synchronous part) */
    UG_PENDING_TAKEN,      /* deferred: a service holds it */
    UG_PENDING_DONE,       /* finished, waiting in the drain queue */
};

/* One request in flight: the decoded request, the response, their arena and
 * the data to answer it. Pooled: no malloc per request in steady state. */
struct ug_svc_pending {
    ug_server *server;
    struct ug_svc_pending *prev, *next; /* pool, inflight or done list */
    uint64_t id;
    ug_conn *conn;                       /* NULL once orphaned */
    ug_session *session;                 /* NULL once orphaned / none */
    const struct ug_service_entry *entry;
    void *request;
    void *response;
    uint32_t request_id;
    uint32_t request_handle;
    ug_datetime now;                     /* dispatch time; 0 once deferred */
    uint8_t state;                       /* enum ug_pending_state */
    bool orphaned;
    ug_status result;
    ug_svc_cancel_fn cancel;
    void *cancel_data;
    struct ug_timer hint_timer;          /* RequestHeader.timeoutHint while taken */
    ug_arena arena;
    uint8_t buf[UG_REQ_ARENA_BYTES];
};

struct ug_server {
    ug_loop *loop;
    struct ug_server_config cfg;    /* strings point at owned copies */
    char *owned[16];                /* the copied strings */
    struct ug_server_user *users;   /* owned copies */
    ug_aspace *aspace;
    ug_pool *pool;                  /* workers for async sources */
    struct ug_listener *listener;
    bool started;
    uint16_t port;
    char endpoint_url[512];         /* advertised (bound port filled in) */
    char bind_host[256];
    bool wildcard_host;             /* 0.0.0.0 or [::]: advertise the Hello's URL */
    uint16_t cfg_port;
    ug_datetime start_time;
    int32_t state;                  /* ServerState (Part 5 §12.6) */
    struct ug_server_stats stats;
    ug_limits decode_limits;

    /* Sessions (session.c). */
    ug_session *sessions;
    uint64_t session_seq;
    /* Subscriptions of sessions closed with deleteSubscriptions false, kept
     * for TransferSubscriptions until none of them is active any more, with
     * the identity of the session that made them. */
    struct ug_kept_subs *detached;
    uint32_t n_detached, cap_detached;
    struct pw_job *pw_jobs;         /* password checks on the pool (session.c) */

    /* Dispatch (server.c): a copy of the static table, sorted by encoding id. */
    struct ug_service_entry table[UG_SERVICE_TABLE_MAX];
    uint32_t table_ids[UG_SERVICE_TABLE_MAX];
    size_t n_table;

    /* Requests (pending.c). */
    ug_svc_pending *pool_free;
    uint32_t n_pool_free;
    ug_svc_pending *inflight;       /* taken, unfinished */
    ug_svc_pending *done_head, *done_tail;
    struct ug_delayed drain;
    uint64_t next_pending_id;
    bool freeing;
};

/* pending.c */
ug_svc_pending *ug_pending_get(ug_server *s);
/* Back to the pool (arena reset). */
void ug_pending_put(ug_svc_pending *p);
/* The service kept it (GoodCompletesAsynchronously). timeout_hint_ms > 0
 * (Part 4 §7.32 timeoutHint): when the service has not finished by then the
 * client gets a ServiceFault BadTimeout and the pending is orphaned. */
void ug_pending_take(ug_svc_pending *p);
void ug_pending_set_timeout(ug_svc_pending *p, uint32_t timeout_hint_ms);
/* Queues a finished pending for the drain (sends on the next loop turn). */
void ug_pending_queue_done(ug_svc_pending *p);
void ug_pending_orphan_conn(ug_server *s, ug_conn *c);
void ug_pending_orphan_session(ug_server *s, ug_session *sess);
/* Server teardown: orphans every taken pending (cancel hooks run), frees the
 * pool. Taken pendings are freed when their service finishes them, or here
 * at the very end (ug_pending_free_all). */
void ug_pending_orphan_all(ug_server *s);
void ug_pending_free_all(ug_server *s);

/* server.c: encodes and sends p's response (or a ServiceFault when result is
 * Bad) on p->conn. */
void ug_server_respond(ug_svc_pending *p, ug_status result);

/* session.c */
ug_session *ug_session_find(ug_server *s, const ug_nodeid *token);
bool ug_session_activated(const ug_session *sess);
/* A request arrived for the session: restarts its timeout. */
void ug_session_touch(ug_session *sess, int64_t now_ns);
/* Closes and frees a session (subscriptions freed when delete_subs, else
 * kept for TransferSubscriptions if the subscription code supports it). */
void ug_session_close(ug_session *sess, bool delete_subs);
/* The channel c closed: sessions on it are detached (kept until timeout). */
void ug_sessions_conn_closed(ug_server *s, ug_conn *c);
void ug_sessions_close_all(ug_server *s);
/* TransferSubscriptions with the identity check of Part 4 §5.13.7: a
 * subscription moves only to a session of the same user (anonymous to
 * anonymous); others get BadUserAccessDenied. The transfer itself is
 * ug_svc_transfer_subscriptions (svc_subscription.c). */
ug_status ug_svc_transfer_checked(struct ug_svc_ctx *ctx, const void *req, void *resp);
/* Frees the subscriptions kept for transfer (server teardown). */
void ug_sessions_free_detached(ug_server *s);
/* Frees password-check jobs; only after ug_pool_free (no worker left). */
void ug_sessions_free_jobs(ug_server *s);
uint32_t ug_sessions_count(const ug_server *s);

/* svc_discovery.c: our endpoints and application description, storage from
 * arena. The endpoint URL is the configured one, except when its host is a
 * wildcard (0.0.0.0, [::]): then the URL the client put in its Hello on
 * `conn` (may be NULL), which is an address that reaches us. */
ug_status ug_server_endpoints(ug_server *s, ug_conn *conn, ug_arena *arena, int32_t *n_out,
                              ug_EndpointDescription **out);
void ug_server_app_description(ug_server *s, ug_ApplicationDescription *out);

/* server_info.c: the live Server object (ns=0 i=2253). */
ug_status ug_server_info_init(ug_server *s);

/* password.c */
bool ug_password_hash_valid(const char *hash);

#endif
