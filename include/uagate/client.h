/* uagate client — an OPC UA client (Part 4 services over the UA Binary
 * protocol of Part 6) that runs on a uagate loop (rt.h), with a blocking
 * convenience layer on top.
 *
 * Role: connect to a server (GetEndpoints and endpoint selection, then
 * CreateSession/ActivateSession), send any service request and match its
 * response, and keep subscriptions alive (the Publish loop). When the channel
 * drops, the client reconnects with backoff, moves its session to the new
 * channel (ActivateSession, Part 4 §5.6.3.1) or, when the session is gone,
 * opens a new one and moves or re-creates its subscriptions and monitored
 * items (TransferSubscriptions, Part 4 §5.13.7; else CreateSubscription and
 * CreateMonitoredItems again).
 *
 * Security: SecurityPolicy None only (the channel layer's limit in this
 * issue). A UserName identity is sent with the password in plain, which Part 4
 * §7.41.4 allows only when the chosen UserTokenPolicy has no (or the None)
 * securityPolicyUri; the client refuses other policies.
 *
 * Threads: every function runs on the loop's thread. Callbacks run on the
 * loop thread; if a function that takes a callback fails, the callback is
 * never called. No callback may call ug_client_free.
 *
 * Blocking layer (ug_client_connect, ug_client_read_value, ...): these call
 * ug_loop_run_once until their answer arrives, so they may only be used by the
 * code that owns the loop, while the loop is NOT running (never from a loop
 * callback, never while another thread runs ug_loop_run). Other work on the
 * loop keeps running while they wait.
 *
 * Lifetime: ug_client — the caller owns it from ug_client_new until
 * ug_client_free; the loop must outlive it. ug_client_sub and ug_client_mon
 * are owned by their client: freed by ug_client_sub_delete_async or with the
 * client. A reconnect keeps them (moved or re-created with the session), and
 * so does DISCONNECTED: the next connect re-creates them on its new session. Requests passed to
 * ug_client_request_async are read during the call only. Responses handed to
 * callbacks are views valid until the callback returns; the blocking calls
 * copy what they return into the caller's arena.
 */
#ifndef UAGATE_CLIENT_H
#define UAGATE_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uagate/rt.h"
#include "uagate/types.h"
#include "uagate/ua_nodeids.h"
#include "uagate/ua_struct.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ug_client ug_client;
typedef struct ug_client_sub ug_client_sub;
typedef struct ug_client_mon ug_client_mon;

/* Attribute ids: UG_ATTR_* of uagate/ua_nodeids.h (generated). */

struct ug_client_config {
    const char *endpoint_url;     /* "opc.tcp://host:port[/path]" (required) */
    const char *application_uri;  /* NULL: "urn:uagate:client" */
    const char *application_name; /* NULL: "uagate client" */
    const char *session_name;     /* NULL: "uagate session" */
    const char *username;         /* NULL: anonymous identity */
    const char *password;         /* with username */
    double session_timeout_ms;    /* requested; 0: 60000 */
    int64_t request_timeout_ns;   /* per request unless given; 0: 10 s */
    int64_t connect_timeout_ns;   /* TCP + Hello + OpenSecureChannel; 0: 10 s */
    bool reconnect;               /* reconnect after a drop (default true) */
    bool retry_first_connect;     /* also retry a first connect that failed */
    int64_t reconnect_min_ns;     /* first backoff; 0: 500 ms */
    int64_t reconnect_max_ns;     /* backoff doubles up to this; 0: 30 s */
    uint32_t max_inflight;        /* requests in flight at once; 0: 64 */
    uint32_t publish_requests;    /* Publish requests kept outstanding; 0: 3 */
};

/* Fills the defaults above (endpoint_url NULL). */
void ug_client_config_init(struct ug_client_config *cfg);

enum ug_client_state {
    UG_CLIENT_DISCONNECTED = 0, /* no channel; status: why (Good after a disconnect) */
    UG_CLIENT_CONNECTING,       /* opening the channel, GetEndpoints, CreateSession */
    UG_CLIENT_CONNECTED,        /* channel open, no activated session yet */
    UG_CLIENT_SESSION_ACTIVATED,/* ready for services */
    UG_CLIENT_RECONNECTING,     /* channel lost; status: why; retrying with backoff */
};
const char *ug_client_state_name(enum ug_client_state s);

/* Called on every state change; status tells why (Good, or the failure). */
typedef void (*ug_client_state_cb)(ug_client *c, enum ug_client_state state, ug_status status,
                                   void *ctx);

/* Creates a client (not connected). The configuration strings are copied.
 * Returns Good, BadInvalidArgument (no loop, cfg or endpoint_url; URL not
 * opc.tcp://), BadOutOfMemory. */
ug_status ug_client_new(ug_loop *loop, const struct ug_client_config *cfg, ug_client **out);

/* Closes the channel at once (no CloseSession: use ug_client_disconnect
 * first for a clean goodbye), answers every request in flight with
 * BadShutdown, frees subscriptions and the client. NULL: no-op. Not from a
 * client callback. */
void ug_client_free(ug_client *c);

enum ug_client_state ug_client_state(const ug_client *c);
ug_loop *ug_client_loop(const ug_client *c);
/* The server's revised session timeout (0 before CreateSession). */
double ug_client_session_timeout_ms(const ug_client *c);
/* Number of reconnects and of sessions created so far (diagnostics). */
uint32_t ug_client_reconnects(const ug_client *c);
uint32_t ug_client_sessions_created(const ug_client *c);

/* Starts connecting; state_cb (may be NULL) follows every state change from
 * now on, until ug_client_free. With cfg.reconnect, a channel lost after the
 * session was activated once (or any failure with retry_first_connect) goes
 * to RECONNECTING and is retried with backoff; failures of endpoint
 * selection and of the identity are final. Returns Good (progress through state_cb),
 * BadInvalidState (not disconnected), or the channel layer's failure to
 * start (BadTcpEndpointUrlInvalid, BadOutOfMemory, ...).
 * Connect failures reported through state_cb: BadSecurityPolicyRejected (no
 * endpoint with SecurityPolicy None), BadIdentityTokenRejected (no user token
 * policy for the identity that can be sent under None), the server's session
 * statuses, BadTimeout, BadConnectionClosed, ... */
ug_status ug_client_connect_async(ug_client *c, ug_client_state_cb state_cb, void *ctx);

/* Reverse connect (Part 6 §7.1.3): instead of connecting out, listens on
 * host:port (host NULL: every address; port 0: ephemeral, see
 * ug_client_reverse_port) for a server's ReverseHello, then
 * goes on as ug_client_connect_async (the HEL carries cfg.endpoint_url).
 * After a drop it listens again on the same port. Returns Good, BadInvalidState
 * (not disconnected), or ug_conn_listen_reverse's failures
 * (BadResourceUnavailable: port taken, BadOutOfMemory, ...). */
ug_status ug_client_listen_reverse_async(ug_client *c, const char *host, uint16_t port,
                                         ug_client_state_cb state_cb, void *ctx);
/* The port listened on for ReverseHello (0 when not listening). */
uint16_t ug_client_reverse_port(const ug_client *c);

/* Closes the session (CloseSession with deleteSubscriptions) and the channel;
 * the state ends in DISCONNECTED (Good). Stops reconnecting. Returns Good or
 * BadInvalidState (already disconnected). */
ug_status ug_client_disconnect_async(ug_client *c);

/* ------------------------------------------------------------ requests -- */

/* status: Good, or the service result (a ServiceFault's or a Bad
 * response_header.service_result, Part 4 §7.34), BadTimeout (no answer in
 * time), BadConnectionClosed (the channel dropped while it was in flight),
 * BadShutdown (client freed), BadUnknownResponse (an answer of another type),
 * BadDecodingError. resp is the decoded response (NULL when there is none,
 * e.g. a ServiceFault or a timeout), a view valid until the callback
 * returns. */
typedef void (*ug_client_response_cb)(ug_client *c, ug_status status, void *resp, void *ctx);

/* Sends any service request. req is a struct of req_desc's type whose first
 * member is its RequestHeader; the client fills the header's
 * authenticationToken, timestamp, requestHandle and timeoutHint (the caller's
 * struct is written to). timeout_ns <= 0: the configured request timeout.
 * Per request, only the pending slot's arena is used (reset afterwards): no
 * other allocation.
 * Returns Good (cb will run exactly once), BadInvalidArgument (req_desc has no
 * RequestHeader first, no cb), BadServerNotConnected (no channel),
 * BadTooManyOperations (max_inflight in flight), or the channel layer's send
 * failure (BadEncodingLimitsExceeded, BadRequestTooLarge, ...). */
ug_status ug_client_request_async(ug_client *c, const ug_type_desc *req_desc, void *req,
                                  const ug_type_desc *resp_desc, int64_t timeout_ns,
                                  ug_client_response_cb cb, void *ctx);

/* Blocking form: runs the loop until the answer, then deep-copies the
 * response into `arena` (its strings and arrays too) at *resp_out (a struct
 * of resp_desc's type the caller provides). Returns the callback's status;
 * on a Bad status *resp_out is zeroed unless the server sent a response. */
ug_status ug_client_request(ug_client *c, const ug_type_desc *req_desc, void *req,
                            const ug_type_desc *resp_desc, void *resp_out, ug_arena *arena,
                            int64_t timeout_ns);

/* ------------------------------------------------------ typed, blocking -- */

/* Runs the loop until the session is activated or the connect failed.
 * Returns Good or the failure (see ug_client_connect_async); a failed
 * blocking connect does not retry in the background. */
ug_status ug_client_connect(ug_client *c);
/* CloseSession + close the channel, waiting at most the request timeout.
 * Returns Good, BadInvalidState (not connected). */
ug_status ug_client_disconnect(ug_client *c);

/* Reads one attribute; *out (DataValue, storage in arena). Returns the
 * service status, or the operation's status when the DataValue carries a Bad
 * one (the DataValue is still filled). */
ug_status ug_client_read(ug_client *c, const ug_nodeid *node, uint32_t attribute_id,
                         ug_datavalue *out, ug_arena *arena);
/* Reads the Value attribute; *out is its Variant (storage in arena). */
ug_status ug_client_read_value(ug_client *c, const ug_nodeid *node, ug_variant *out,
                               ug_arena *arena);
/* Writes the Value attribute. Returns the service or the operation status. */
ug_status ug_client_write_value(ug_client *c, const ug_nodeid *node, const ug_variant *value);

/* Browses the node's references (direction forward, hierarchical reference
 * types and subtypes, all node classes), following continuation points with
 * BrowseNext until done. *refs (arena) holds *n_refs references. Returns the
 * service status or the BrowseResult's status. */
ug_status ug_client_browse(ug_client *c, const ug_nodeid *node, ug_ReferenceDescription **refs,
                           size_t *n_refs, ug_arena *arena);
/* Generic browse: one BrowseDescription, all continuation points followed. */
ug_status ug_client_browse_desc(ug_client *c, const ug_BrowseDescription *bd,
                                ug_ReferenceDescription **refs, size_t *n_refs,
                                ug_arena *arena);
/* TranslateBrowsePathsToNodeIds of one path of browse names (namespace-
 * qualified, following hierarchical references) from start; *out is the
 * first target. Returns the service or the path's status (BadNoMatch, ...). */
ug_status ug_client_translate(ug_client *c, const ug_nodeid *start, const ug_qualified_name *path,
                              size_t n_path, ug_expanded_nodeid *out, ug_arena *arena);
/* Calls a method. *outputs and *n_out (arena) receive the output arguments.
 * Returns the service status, else the method's status. */
ug_status ug_client_call(ug_client *c, const ug_nodeid *object, const ug_nodeid *method,
                         const ug_variant *inputs, size_t n_in, ug_variant **outputs,
                         size_t *n_out, ug_arena *arena);

/* ------------------------------------------------------- subscriptions -- */

struct ug_client_sub_params {
    double publishing_interval_ms; /* 0: 500 */
    uint32_t lifetime_count;       /* 0: 60 (at least 3 x keep-alive) */
    uint32_t max_keepalive_count;  /* 0: 10 */
    uint32_t max_notifications;    /* per Publish, 0: no limit */
    uint8_t priority;
};

/* A subscription's status changes: StatusChangeNotification (Part 4
 * §7.25.4: BadTimeout = the server ended it), BadTimeout when neither data
 * nor keep-alive came in time (the client then waits for the reconnect logic
 * or the server), Good when messages flow again, and the failure of a
 * re-creation after a reconnect. */
typedef void (*ug_client_sub_status_cb)(ug_client_sub *sub, ug_status status, void *ctx);
/* One data change of a monitored item: the value (a view, valid during the
 * call). */
typedef void (*ug_client_data_cb)(ug_client_mon *mon, const ug_datavalue *value, void *ctx);
/* Completion of an asynchronous create: status of the service (items carry
 * their own status). */
typedef void (*ug_client_done_cb)(ug_client *c, ug_status status, void *ctx);

/* Creates a subscription (CreateSubscription) and keeps Publish requests
 * outstanding while it exists. params NULL: defaults. *out is valid at once
 * (owned by the client); done runs when the server answered (on failure the
 * subscription is freed right after done returns).
 * Returns Good, BadSessionClosed (no activated session), BadOutOfMemory, or
 * ug_client_request_async's failures. */
ug_status ug_client_sub_create_async(ug_client *c, const struct ug_client_sub_params *params,
                                     ug_client_sub_status_cb status_cb, void *status_ctx,
                                     ug_client_done_cb done, void *done_ctx,
                                     ug_client_sub **out);

struct ug_client_mon_params {
    ug_nodeid node;              /* copied */
    uint32_t attribute_id;       /* 0: Value */
    double sampling_interval_ms; /* -1: the publishing interval; 0 fastest */
    uint32_t queue_size;         /* 0: 1 */
    bool discard_oldest;
    ug_client_data_cb cb;
    void *ctx;
};

/* Creates n monitored items in one CreateMonitoredItems request (Reporting
 * mode, timestamps Both). mons[i] are valid at once; after done, each item's
 * ug_client_mon_status tells whether the server accepted it.
 * Returns Good, BadInvalidArgument (n == 0, no cb), BadInvalidState (the
 * subscription is not yet created on the server), BadOutOfMemory, or
 * ug_client_request_async's failures. */
ug_status ug_client_mon_create_async(ug_client_sub *sub, const struct ug_client_mon_params *params,
                                     size_t n, ug_client_mon **mons, ug_client_done_cb done,
                                     void *done_ctx);

/* Deletes the subscription: its items are freed at once (no data callback
 * runs afterwards), DeleteSubscriptions goes to the server when the session
 * is active, and the subscription is freed once nothing refers to it. done
 * (may be NULL) runs exactly once when this returns Good: with the
 * DeleteSubscriptions status, or right away (Good) when there was nothing to
 * tell the server. Deleting a subscription whose creation is still in flight
 * replaces the creation's done callback by this one. Returns Good or
 * BadInvalidArgument (NULL, already deleted). */
ug_status ug_client_sub_delete_async(ug_client_sub *sub, ug_client_done_cb done, void *done_ctx);

ug_client *ug_client_sub_client(const ug_client_sub *sub);
uint32_t ug_client_sub_id(const ug_client_sub *sub);          /* server's id, 0 before */
double ug_client_sub_interval_ms(const ug_client_sub *sub);   /* revised */
ug_status ug_client_mon_status(const ug_client_mon *mon);     /* server's result */
uint32_t ug_client_mon_id(const ug_client_mon *mon);          /* server's id */
ug_client_sub *ug_client_mon_sub(const ug_client_mon *mon);

/* Blocking forms of the three above. */
ug_status ug_client_sub_create(ug_client *c, const struct ug_client_sub_params *params,
                               ug_client_sub_status_cb status_cb, void *status_ctx,
                               ug_client_sub **out);
ug_status ug_client_mon_create(ug_client_sub *sub, const struct ug_client_mon_params *params,
                               size_t n, ug_client_mon **mons);
ug_status ug_client_sub_delete(ug_client_sub *sub);

/* Runs the loop (blocking layer rules) for duration_ns, or until *stop
 * becomes true when stop is not NULL. Returns Good or the loop's failure. */
ug_status ug_client_run_for(ug_client *c, int64_t duration_ns, const bool *stop);

#ifdef __cplusplus
}
#endif
#endif
