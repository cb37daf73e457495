/* uagate server — the OPC UA server (Part 4 services over the Part 6 binary
 * protocol, opc.tcp) on a uagate loop.
 *
 * Embedding takes three calls:
 *
 *     struct ug_server_config cfg;
 *     ug_server_config_init(&cfg);          // opc.tcp://0.0.0.0:4840, anonymous
 *     ug_server *srv;
 *     ug_server_new(loop, &cfg, &srv);
 *     ug_server_start(srv);
 *     ug_loop_run(loop);
 *
 * Nodes are added through the address space (uagate/nodes.h) of
 * ug_server_aspace(srv), before or after start.
 *
 * Users: the configuration holds user names with PBKDF2-HMAC-SHA256 hashes in
 * the text form "pbkdf2-sha256$ITERATIONS$SALT_B64$HASH_B64" (make one with
 * ug_server_hash_password); a UserNameIdentityToken is checked against it in
 * constant time. SecurityPolicy None only in this version: passwords arrive in
 * clear, so use it on trusted networks.
 *
 * Lifetime: ug_server_new copies the configuration (strings too); the caller
 * may free cfg afterwards. The server belongs to the caller until
 * ug_server_free, which must come before ug_loop_close. All functions run on
 * the loop thread.
 */
#ifndef UAGATE_SERVER_H
#define UAGATE_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uagate/rt.h"
#include "uagate/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ug_server ug_server;
typedef struct ug_aspace ug_aspace;

/* Operation limits, advertised in Server/ServerCapabilities (Part 5 §6.3.2,
 * OperationLimits §6.3.11) and enforced: a request over one is answered with
 * BadTooManyOperations. 0 for an operation count means "no limit" on the
 * wire; the defaults are all finite. */
struct ug_server_limits {
    uint32_t max_nodes_per_read;
    uint32_t max_nodes_per_write;
    uint32_t max_nodes_per_browse;
    uint32_t max_nodes_per_translate;
    uint32_t max_nodes_per_register;
    uint32_t max_nodes_per_method_call;
    uint32_t max_nodes_per_node_management;
    uint32_t max_monitored_items_per_call;
    uint32_t max_references_per_node;     /* Browse: continuation points past this */
    uint32_t max_browse_continuation_points; /* per session */
    uint32_t max_sessions;
    uint32_t max_subscriptions_per_session;
    uint32_t max_monitored_items;         /* per subscription */
    uint32_t max_publish_requests;        /* queued per session */
    uint32_t max_notifications_per_publish;
    uint32_t max_queue_size;              /* per monitored item */
    double min_sampling_interval_ms;
    double min_publishing_interval_ms;
    double max_session_timeout_ms;
};

/* Defaults: 1000 nodes per Read/Write/Browse/..., 100 sessions, 1000
 * references per Browse result, 10 continuation points per session, ... */
void ug_server_limits_init(struct ug_server_limits *l);

struct ug_server_user {
    const char *username;      /* UTF-8 */
    const char *password_hash; /* "pbkdf2-sha256$..." from ug_server_hash_password */
};

struct ug_server_config {
    /* Where to listen and what GetEndpoints advertises. Port 0 binds an
     * ephemeral port (see ug_server_port); the advertised URL then carries
     * the bound port. Default "opc.tcp://0.0.0.0:4840". */
    const char *endpoint_url;
    const char *application_uri;  /* default "urn:uagate:server" */
    const char *application_name; /* default "uagate" */
    /* BuildInfo (Part 5 §12.4). */
    const char *product_uri;      /* default "https://uagate.invalid/uagate" */
    const char *manufacturer_name;
    const char *product_name;
    const char *software_version;
    const char *build_number;
    int64_t build_date;           /* OPC UA DateTime; 0: unknown */

    struct ug_server_limits limits;

    const struct ug_server_user *users; /* n_users entries, copied */
    size_t n_users;
    bool allow_anonymous;         /* default true */
    /* AddNodes/AddReferences/DeleteNodes/DeleteReferences: allowed at all
     * (default true), and for anonymous sessions too (default false: only
     * sessions activated with a user name; others get BadUserAccessDenied). */
    bool node_management;
    bool anonymous_node_management;

    /* Sessions: the requested timeout is revised into [min, max]
     * (limits.max_session_timeout_ms is the max). Default min 10 s. */
    double min_session_timeout_ms;
    /* Connection layer (UACP / SecureChannel). 0 keeps the defaults. */
    uint32_t hello_timeout_ms;    /* default 60000 */
    uint32_t max_channels;        /* default 128 */
    uint32_t min_token_lifetime_ms;
    uint32_t max_token_lifetime_ms;
};

/* Defaults as documented on each field. */
void ug_server_config_init(struct ug_server_config *cfg);

/* Server statistics, since ug_server_new. */
struct ug_server_stats {
    uint32_t sessions;          /* open now */
    uint32_t channels;          /* open now */
    uint64_t sessions_created;
    uint64_t sessions_timed_out;
    uint64_t requests;          /* service requests dispatched */
    uint64_t faults;            /* ServiceFaults sent */
    uint64_t async_pending;     /* requests completing later, now */
};

/* Creates a server (not listening yet) with its address space (namespace 0
 * and the live Server object).
 * Returns Good, BadInvalidArgument (NULL loop/cfg/out, endpoint URL not
 * opc.tcp://host:port, a user whose hash is not in the pbkdf2-sha256 form,
 * min session timeout over the max), BadOutOfMemory. */
ug_status ug_server_new(ug_loop *loop, const struct ug_server_config *cfg, ug_server **out);

/* Binds and listens on the endpoint. Returns Good, BadInvalidState (already
 * started), BadResourceUnavailable (bind/listen failed: port taken, no such
 * address), BadOutOfMemory. */
ug_status ug_server_start(ug_server *s);

/* Stops serving: closes every session (queued Publish requests are
 * answered with BadSessionClosed, subscriptions kept for transfer are
 * freed), ServerStatus/State becomes Shutdown, then closes every channel at
 * once and stops listening. Asynchronous requests still pending are
 * orphaned: their work may still finish, its result is dropped. The server
 * may be started again (on a fresh port when port 0 was asked). No-op when
 * not started. */
void ug_server_stop(ug_server *s);

/* Stops (if needed) and frees. NULL: no-op. */
void ug_server_free(ug_server *s);

/* The port the server listens on (the bound one when 0 was asked), 0 when
 * not started. */
uint16_t ug_server_port(const ug_server *s);

/* The address space, for uagate/nodes.h. Owned by the server. */
ug_aspace *ug_server_aspace(ug_server *s);

void ug_server_get_stats(const ug_server *s, struct ug_server_stats *out);

/* The limits in force (a copy of the configuration's). */
const struct ug_server_limits *ug_server_get_limits(const ug_server *s);

/* Reverse connect (Part 6 §7.1.3): the server connects out to a client
 * listening at client_url ("opc.tcp://host:port") and sends ReverseHello;
 * the client then opens a SecureChannel on that socket as usual.
 * Returns Good (connection under way; failures are logged and counted),
 * BadInvalidState (not started), BadTcpEndpointUrlInvalid, BadOutOfMemory,
 * BadTcpNotEnoughResources (channel limit). */
ug_status ug_server_reverse_connect(ug_server *s, const char *client_url);

/* Password hashing for the user list: PBKDF2-HMAC-SHA256 with a random
 * 16-byte salt and `iterations` rounds (0: 100000), written NUL-terminated
 * as "pbkdf2-sha256$ITERATIONS$SALT_B64$HASH_B64" into out (cap bytes; 128
 * is always enough). Returns Good, BadInvalidArgument (NULL password or out),
 * BadEncodingLimitsExceeded (cap too small), BadInternalError (libcrypto
 * failure). */
ug_status ug_server_hash_password(const char *password, uint32_t iterations, char *out,
                                  size_t cap);

/* Checks a password (len bytes, not NUL-terminated) against a hash in the
 * form above, in time independent of where they differ. Returns Good,
 * BadUserAccessDenied (wrong password), BadInvalidArgument (hash malformed),
 * BadInternalError (libcrypto failure). */
ug_status ug_server_check_password(const char *hash, const void *password, size_t len);

/* ------------------------------------------------------------ testing -- */

/* Hands an already connected stream socket to the server as if its listener
 * had accepted it (clientserver/server_fuzz.c); the server owns fd from now
 * on, also on failure. For tests and the fuzz target tests/fuzz/fuzz_server.c.
 * Returns Good, BadInvalidArgument (NULL server, fd < 0), BadInvalidState
 * (not started), BadTcpNotEnoughResources (channel limit), BadOutOfMemory,
 * BadResourceUnavailable (the loop refused the fd). */
ug_status ug_server_accept_fd(ug_server *s, int fd);

#ifdef __cplusplus
}
#endif
#endif
