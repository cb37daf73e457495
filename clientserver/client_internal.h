/* clientserver/client_internal.h — how the pieces of the client meet.
 *
 *   client.c        lifecycle, the connect / reconnect state machine, sessions
 *   client_req.c    pending requests: slots, request handles, timeouts,
 *                   response decoding, ServiceFaults
 *   client_sub.c    subscriptions, monitored items, the Publish loop,
 *                   re-creation and transfer after a reconnect
 *   client_sync.c   the blocking layer and the typed helpers
 *
 * Threads: everything runs on the client's loop thread.
 */
#ifndef UG_CLIENTSERVER_CLIENT_INTERNAL_H
#define UG_CLIENTSERVER_CLIENT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "conn.h"
#include "uagate/client.h"
#include "uagate/rt.h"
#include "uagate/types.h"
#include "uagate/ua_struct.h"

#define UG_CLIENT_SLOT_ARENA 2048 /* bytes of inline arena per pending request */
#define UG_CLIENT_MAX_ACKS 64     /* acknowledgements waiting for the next Publish */

/* Internal completion of a pending request; resp NULL when status is a
 * failure without a response. */
typedef void (*cl_done_fn)(ug_client *c, ug_status status, void *resp, void *arg);

/* One request in flight. handle == 0: free. The handle is also the
 * SecureChannel requestId; handle % n_slots is the slot's index, so a
 * response finds its slot in O(1) and a late answer to a reused slot is
 * recognised by the handle. */
struct cl_slot {
    ug_client *c;
    uint32_t handle;
    const ug_type_desc *resp_desc;
    cl_done_fn done;
    void *arg;
    /* the public callback, when the request came from the API */
    ug_client_response_cb user_cb;
    void *user_ctx;
    bool is_publish;
    uint32_t session_gen; /* c->session_gen when sent */
    struct ug_timer timer;
    ug_arena arena;
    uint8_t *arena_buf;
};

struct ug_client_mon {
    ug_client_sub *sub;
    uint32_t client_handle; /* index + 1 into c->mons */
    uint32_t server_id;
    ug_status status;
    uint32_t attribute_id;
    double sampling_interval_ms;
    uint32_t queue_size;
    bool discard_oldest;
    ug_client_data_cb cb;
    void *ctx;
    ug_nodeid node; /* string/opaque ids point into node_buf */
    uint8_t *node_buf;
    ug_client_mon *next; /* in sub->mons */
};

enum cl_sub_state {
    CL_SUB_CREATING = 0, /* CreateSubscription in flight */
    CL_SUB_LIVE,         /* exists on the server */
    CL_SUB_RESTORING,    /* being transferred / re-created after a session loss */
    CL_SUB_DEAD,         /* creation failed; freed after its callback */
};

struct ug_client_sub {
    ug_client *c;
    uint8_t state; /* enum cl_sub_state */
    uint32_t id;
    struct ug_client_sub_params params;
    double interval_ms; /* revised */
    uint32_t keepalive_count; /* revised */
    uint32_t lifetime_count;  /* revised */
    uint32_t last_seq;        /* last sequence number processed */
    int64_t last_msg_ns;      /* loop time of the last message (data or keep-alive) */
    bool timed_out;           /* keep-alive watch fired, status_cb told */
    bool deleted;             /* asked to be deleted; freed when pending_ops is 0 */
    uint32_t pending_ops;     /* requests in flight that point at it */
    ug_client_sub_status_cb status_cb;
    void *status_ctx;
    ug_client_done_cb done;
    void *done_ctx;
    ug_client_mon *mons;
    ug_client_sub *next; /* in c->subs */
};

enum cl_phase {
    CL_IDLE = 0,
    CL_OPENING,       /* channel being opened */
    CL_GET_ENDPOINTS,
    CL_CREATE_SESSION,
    CL_ACTIVATE,      /* new session */
    CL_REACTIVATE,    /* existing session on a new channel (transfer) */
    CL_ACTIVE,
    CL_CLOSING,       /* CloseSession / channel close asked for */
};

struct ug_client {
    ug_loop *loop;
    struct ug_client_config cfg; /* strings below point into strs */
    char *strs;
    enum ug_client_state state;
    enum cl_phase phase;
    ug_client_state_cb state_cb;
    void *state_ctx;

    ug_conn *conn;        /* NULL when no channel */
    /* reverse connect: listening for a ReverseHello instead of connecting */
    bool reverse_mode;
    ug_reverse *reverse;
    char rev_host[64];
    uint16_t rev_port;
    bool channel_open;
    bool want_connected;  /* connect asked for and not disconnected since */
    bool ever_activated;
    bool sync_connect;    /* a blocking connect waits: no retry on first failure */
    bool no_retry;        /* the last failure is permanent (endpoint, identity) */
    ug_status fail_status;/* why we closed the channel ourselves, reported by on_closed */
    ug_status last_status;

    /* requests */
    struct cl_slot *slots;
    uint32_t n_slots;
    uint32_t next_handle; /* generation counter, see struct cl_slot */
    uint32_t inflight;

    /* session (Part 4 §5.6.2); ids copied into session_arena */
    bool have_session;
    bool session_new;     /* created, not yet activated */
    uint8_t nonce[32];
    ug_nodeid session_id;
    ug_nodeid auth_token;
    double revised_timeout_ms;
    uint8_t token_type;   /* UG_USER_TOKEN_TYPE_* of the chosen policy */
    char policy_id[128];
    int32_t policy_id_len;
    bool policy_id_set;   /* an endpoint was selected (kept across reconnects) */
    ug_arena session_arena;
    uint32_t sessions_created;
    uint32_t session_gen; /* changes with every new session (stale Publish answers) */
    uint32_t reconnects;

    /* session keep-alive: a Read when idle for a third of the timeout */
    struct ug_timer idle_timer;
    int64_t last_send_ns;

    /* reconnect */
    struct ug_timer retry_timer;
    int64_t backoff_ns;

    /* subscriptions */
    ug_client_sub *subs;
    ug_client_mon **mons; /* client handle - 1 -> item; NULL: free */
    uint32_t mons_cap;
    uint32_t mons_free_hint;
    uint32_t publish_outstanding;
    uint32_t publish_target;
    ug_SubscriptionAcknowledgement acks[UG_CLIENT_MAX_ACKS];
    uint32_t n_acks;
    struct ug_timer watch_timer; /* keep-alive watch, 1 s */
    struct ug_timer publish_retry;

    /* decoded notification bodies, reset per notification */
    ug_arena notif;
    uint8_t notif_buf[4096];

    /* scratch for encoding requests (identity tokens, ...), reset per send */
    ug_arena scratch;
    uint8_t scratch_buf[1024];
};

/* client.c */
void cl_set_state(ug_client *c, enum ug_client_state s, ug_status status);
/* The session is gone (BadSessionIdInvalid, ...): open a new one on the
 * current channel, then restore the subscriptions. */
void cl_session_lost(ug_client *c, ug_status why);
/* Closes the channel because of a protocol failure (reconnect follows). */
void cl_drop_channel(ug_client *c, ug_status why);
/* After activation: keeps an idle session alive (Part 4 §5.6.2: a session
 * without requests for its timeout is closed by the server). */
void cl_idle_start(ug_client *c);

/* client_req.c */
ug_status cl_slots_init(ug_client *c);
void cl_slots_free(ug_client *c);
/* Sends req (first member RequestHeader, filled here). */
ug_status cl_send(ug_client *c, const ug_type_desc *req_desc, void *req,
                  const ug_type_desc *resp_desc, int64_t timeout_ns, cl_done_fn done, void *arg,
                  bool is_publish);
/* The server aborted the response to request_id (abort chunk). */
void cl_abort(ug_client *c, uint32_t request_id, ug_status status);
/* Forgets the public callback of requests whose context is ctx. */
void cl_detach_ctx(ug_client *c, void *ctx);
/* Completes every slot with status (channel closed, shutdown). */
void cl_fail_all(ug_client *c, ug_status status);
/* A message from the channel. */
void cl_on_response(ug_client *c, uint32_t request_id, uint32_t encoding_id, ug_rd *body);

/* client_sub.c */
void cl_subs_free_all(ug_client *c);
/* After (re)activation: keep the session's subscriptions going (same
 * session: just publish again; new session: transfer or re-create). */
void cl_subs_resume(ug_client *c, bool new_session);
/* Top the Publish requests up to the target when subscriptions live. */
void cl_publish_kick(ug_client *c);
void cl_subs_channel_lost(ug_client *c);
/* Timer callbacks (initialised in ug_client_new). */
void cl_on_watch(ug_loop *loop, struct ug_timer *t);
void cl_on_publish_retry(ug_loop *loop, struct ug_timer *t);

/* Copy of a NodeId whose string/opaque bytes go into malloc'ed *buf
 * (freed by the caller). Returns Good or BadOutOfMemory. */
ug_status cl_nodeid_dup(const ug_nodeid *src, ug_nodeid *dst, uint8_t **buf);
/* Same, into an arena. */

#endif
