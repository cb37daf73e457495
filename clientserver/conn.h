/* clientserver/conn.h — UACP over TCP (Part 6 §7.1) and the SecureChannel
 * (Part 6 §6.7) on a uagate loop, for both roles.
 *
 * A ug_conn is one TCP connection and the SecureChannel on it. The server
 * side gets its connections from a ug_listener (accepted, or connected out
 * with ReverseHello, §7.1.3); the client side makes one with ug_conn_connect
 * (or accepts a ReverseHello with ug_conn_listen_reverse). Either way the
 * conn negotiates buffers (HEL/ACK), opens the SecureChannel (OPN), renews
 * its token (client: at 75 % of the lifetime, §6.7.4), cuts messages into
 * chunks and reassembles them, checks sequence numbers and tokens, and hands
 * each complete service message to on_message as a reader over its body.
 *
 * Server flow: listener accepts -> on_accept -> HEL/ACK -> OPN issue ->
 * on_open -> on_message per request (answer with ug_conn_send or
 * ug_conn_send_fault, now or later) -> CLO or error -> on_closed -> freed.
 * Client flow: ug_conn_connect -> (TCP connect, HEL/ACK, OPN) -> on_open ->
 * ug_conn_send requests, on_message per response -> ug_conn_close (CLO) ->
 * on_closed -> freed.
 *
 * Errors: a protocol violation by the peer is answered with an ERR message
 * carrying the official code and a reason (server role), then the connection
 * is closed gracefully (shutdown(SHUT_WR), drain until EOF or close_timeout,
 * close) and on_closed reports the code.
 *
 * Memory: per connection one receive buffer of recv_buf_size, a reassembly
 * buffer grown on demand up to max_message_size (only for multi-chunk
 * messages: single-chunk messages are handed over in place), and an output
 * buffer that keeps its capacity. No allocation per message in steady state.
 *
 * Security: the per-policy work (headers, sign/verify, encrypt/decrypt,
 * nonces) sits behind struct ug_secpolicy (secpolicy.h). Only
 * http://opcfoundation.org/UA/SecurityPolicy#None exists in this version.
 *
 * Lifetime: ug_listener: the caller's from ug_listener_start to
 * ug_listener_free (which closes its connections, on_closed called for each).
 * ug_conn: owned by the stack; valid from on_accept (server) or from a Good
 * ug_conn_connect (client) until on_closed returns, then freed. Do not use a
 * conn after on_closed. All functions run on the loop thread.
 */
#ifndef UG_CLIENTSERVER_CONN_H
#define UG_CLIENTSERVER_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uagate/binary.h"
#include "uagate/rt.h"
#include "uagate/status.h"
#include "uagate/types.h"

typedef struct ug_conn ug_conn;
typedef struct ug_listener ug_listener;
typedef struct ug_type_desc ug_type_desc; /* uagate/ua_struct.h */

/* Binary encoding ids (ns=0) the channel layer handles itself. */
#define UG_ID_SERVICE_FAULT 397u
#define UG_ID_OPEN_SECURE_CHANNEL_REQUEST 446u
#define UG_ID_OPEN_SECURE_CHANNEL_RESPONSE 449u
#define UG_ID_CLOSE_SECURE_CHANNEL_REQUEST 452u
#define UG_ID_CLOSE_SECURE_CHANNEL_RESPONSE 455u

#define UG_UACP_MIN_BUF 8192u          /* §7.1.2.3: buffers at least 8192 bytes */
#define UG_UACP_MAX_URL 4096u          /* §7.1.2.3: EndpointUrl, ServerUri, Reason */
#define UG_SECPOLICY_NONE_URI "http://opcfoundation.org/UA/SecurityPolicy#None"

/* Limits and timeouts of both roles. 0 fields keep the defaults of
 * ug_conn_limits_init. */
struct ug_conn_limits {
    uint32_t recv_buf_size;    /* our ReceiveBufferSize; default 65535, min 8192 */
    uint32_t send_buf_size;    /* our SendBufferSize; default 65535, min 8192 */
    uint32_t max_message_size; /* largest message we accept; default 16 MiB */
    uint32_t max_chunk_count;  /* chunks in one message we accept; default 4096 */
    /* Server: a connection that has not opened its SecureChannel this long
     * after accept is closed (ERR BadTimeout). Client: the same bound on
     * TCP connect + HEL/ACK + OPN (on_closed BadTimeout). Default 60 s. */
    int64_t hello_timeout_ns;
    int64_t close_timeout_ns;  /* graceful close drain; default 2 s */
    uint32_t max_connections;  /* listener: open conns; default 128 */
    /* Server: requested token lifetimes are revised into [min, max];
     * defaults 10 s .. 1 h. */
    uint32_t min_token_lifetime_ms, max_token_lifetime_ms;
    /* Client: RequestedLifetime of OPN; default 600000 (10 min). */
    uint32_t requested_lifetime_ms;
    /* Output bytes queued but not yet taken by the kernel; over it
     * ug_conn_send fails with BadResourceUnavailable. Default 64 MiB. */
    uint32_t max_send_queue;
};

void ug_conn_limits_init(struct ug_conn_limits *l);

/* Callbacks. `data` is the conn's user data (ug_conn_get_data) at call time;
 * it starts as the data given to ug_listener_start / ug_conn_connect. Any of
 * them may be NULL except on_message. Inside any of them the conn may be
 * used, including ug_conn_close. */
struct ug_conn_cbs {
    /* Server: a new connection (accepted or reverse-connected), before any
     * byte is read; a place to ug_conn_set_data. */
    void (*on_accept)(ug_conn *c, void *data);
    /* SecureChannel opened (the first OPN issue completed). */
    void (*on_open)(ug_conn *c, void *data);
    /* A complete service message: a request on the server, a response on
     * the client. encoding_id: the ns=0 numeric binary encoding id of its
     * type (0 when the type id is not an ns=0 numeric NodeId: answer with a
     * ServiceFault BadServiceUnsupported); body: a reader over the bytes
     * after the type id (no arena: set body->arena before decoding arrays;
     * limits: ug_limits_default with strings and the message up to our
     * max_message_size — point body->lim elsewhere for others), valid
     * until the callback returns (strings decoded from it are views: copy
     * what must live longer). */
    void (*on_message)(ug_conn *c, uint32_t request_id, uint32_t encoding_id, ug_rd *body,
                       void *data);
    /* Client: the server aborted the response to request_id (abort chunk
     * 'A', §6.7.2.4) with `status` (e.g. BadResponseTooLarge). The request
     * has failed. */
    void (*on_abort)(ug_conn *c, uint32_t request_id, ug_status status, void *data);
    /* The connection is gone. why: Good after an orderly close (CLO, or
     * ug_conn_close), else the error (from an ERR received, a protocol
     * violation, BadTimeout, BadConnectionClosed when the peer hung up,
     * BadCommunicationError). The conn is freed when this returns. Called
     * exactly once for every conn that was handed out. */
    void (*on_closed)(ug_conn *c, ug_status why, void *data);
};

/* ------------------------------------------------------------ server -- */

/* Listens on host:port (host NULL or "": 0.0.0.0; numeric addresses or
 * "localhost"; port 0: ephemeral, see ug_listener_port). lim may be NULL
 * (defaults); it is copied. Accepted connections beyond max_connections get
 * ERR BadTcpNotEnoughResources and are closed (never handed out).
 * server_uri: our ApplicationUri, sent in ReverseHello (copied; may be NULL).
 * Returns Good, BadInvalidArgument (NULL loop/cbs/out, no on_message),
 * BadResourceUnavailable (socket/bind/listen failed: port taken, bad
 * address), BadOutOfMemory. */
ug_status ug_listener_start(ug_loop *loop, const char *host, uint16_t port,
                            const struct ug_conn_limits *lim, const char *server_uri,
                            const struct ug_conn_cbs *cbs, void *data, ug_listener **out);

/* Bound port (host order). */
uint16_t ug_listener_port(const ug_listener *l);
/* Connections open now (including reverse ones). */
uint32_t ug_listener_count(const ug_listener *l);

/* Stops accepting (existing connections stay). Idempotent. */
void ug_listener_stop(ug_listener *l);

/* Graceful stop of every connection: each gets ERR `status` (e.g.
 * BadShutdown, BadServerHalted) with `reason` (NULL: the status name) and
 * closes gracefully; on_closed (why = status) follows from the loop. The
 * listener itself keeps accepting unless stopped. NULL: no-op. */
void ug_listener_close_all(ug_listener *l, ug_status status, const char *reason);

/* Stops, closes every connection at once (on_closed with BadShutdown for
 * each, synchronously) and frees. Not from inside a callback of one of its
 * conns other than on_closed. NULL: no-op. */
void ug_listener_free(ug_listener *l);

/* ReverseHello (§7.1.3): connects out to a client listening at client_url
 * ("opc.tcp://host:port[/path]"), sends RHE with our server_uri and
 * endpoint_url (the URL the client should put in its HEL; NULL: client_url),
 * then serves the connection like an accepted one (on_accept first). A
 * failed connect is reported through on_closed (BadCommunicationError or
 * BadTimeout). Returns Good, BadTcpEndpointUrlInvalid (malformed URL),
 * BadTcpNotEnoughResources (max_connections), BadResourceUnavailable
 * (socket failed), BadOutOfMemory. On Good, *out (may be NULL) is the conn. */
ug_status ug_listener_reverse_connect(ug_listener *l, const char *client_url,
                                      const char *endpoint_url, ug_conn **out);

/* ------------------------------------------------------------ client -- */

/* Connects to endpoint_url ("opc.tcp://host:port[/path]"), non-blocking;
 * then HEL/ACK and OPN issue (SecurityPolicy None, mode None); on_open when
 * the channel is open. Failures later are reported through on_closed. lim
 * may be NULL. A numeric host (IPv4, or IPv6 in [..]) connects at once; a
 * host name is resolved by getaddrinfo on a worker thread and the connect
 * continues on the loop when the result is posted (a failed lookup closes
 * the conn with BadNotConnected through on_closed; the lookup counts
 * against hello_timeout_ns, BadTimeout).
 * Lifetime of a lookup: one detached thread per lookup, owning its copy of
 * host and port; the conn does not wait for it. Closing or freeing the conn
 * meanwhile cancels the completion by identity (ug_async_cancel); the
 * lookup's state and addrinfo result are freed by whichever of the thread
 * and the loop sees them last. The loop must outlive its conns (as always).
 * Returns Good (*out set; callbacks will follow), BadInvalidArgument,
 * BadTcpEndpointUrlInvalid (malformed or over 4096 bytes),
 * BadNotConnected (numeric address refused at once),
 * BadResourceUnavailable (no socket or no thread), BadOutOfMemory, or
 * ug_async_start's statuses. */
ug_status ug_conn_connect(ug_loop *loop, const char *endpoint_url,
                          const struct ug_conn_limits *lim, const struct ug_conn_cbs *cbs,
                          void *data, ug_conn **out);

/* A client that waits for ReverseHello (§7.1.3): listens on host:port
 * (port 0 ephemeral: ug_reverse_port), and for the first connection whose
 * RHE arrives (ServerUri and EndpointUrl checked for length) sends HEL with
 * endpoint_url (NULL: the RHE's EndpointUrl) and continues like
 * ug_conn_connect: on_open, on_message, ..., on_closed. The listening
 * socket closes once a ReverseHello was accepted (or with ug_reverse_free).
 * Returns Good, BadInvalidArgument, BadResourceUnavailable, BadOutOfMemory. */
typedef struct ug_reverse ug_reverse;
ug_status ug_conn_listen_reverse(ug_loop *loop, const char *host, uint16_t port,
                                 const char *endpoint_url, const struct ug_conn_limits *lim,
                                 const struct ug_conn_cbs *cbs, void *data, ug_reverse **out);
uint16_t ug_reverse_port(const ug_reverse *r);
/* The conn made from the accepted ReverseHello, NULL before. */
ug_conn *ug_reverse_conn(const ug_reverse *r);
/* Stops listening and frees; a conn already handed out lives on (its own
 * lifetime). A connection still waiting for its RHE is dropped silently.
 * NULL: no-op. */
void ug_reverse_free(ug_reverse *r);

/* ------------------------------------------------------------- both --- */

/* Client: a fresh request id for the next request (never 0). */
uint32_t ug_conn_next_request_id(ug_conn *c);

/* Sends one service message: the NodeId of d's binary encoding then the
 * struct (ug_wr_struct), cut into MSG chunks of the negotiated size.
 * Returns Good; BadSecureChannelClosed (channel not open, or closing);
 * BadRequestTooLarge (client: over the server's MaxMessageSize or
 * MaxChunkCount, nothing sent); BadResponseTooLarge (server: over the
 * client's limits; an abort chunk with BadResponseTooLarge went out instead,
 * which answers the request); BadResourceUnavailable (send queue full);
 * BadConnectionClosed (the socket failed while sending: on_closed
 * follows); BadOutOfMemory; the encoder's status (BadEncodingError, ...).
 * On any failure but BadResponseTooLarge nothing went out. */
ug_status ug_conn_send(ug_conn *c, uint32_t request_id, const ug_type_desc *d, const void *msg);

/* The same with a hand-written encoder: writes the type id encoding_id
 * (ns=0 numeric) then calls enc(wr, msg): once straight into the output
 * chunk, and a second time into a scratch buffer when the body turned out
 * larger than one chunk (the encoder must give the same bytes both times).
 * Statuses as ug_conn_send. */
typedef void (*ug_conn_encode_fn)(ug_wr *wr, const void *msg);
ug_status ug_conn_send_raw(ug_conn *c, uint32_t request_id, uint32_t encoding_id,
                           ug_conn_encode_fn enc, const void *msg);

/* Server: answers request_id with a ServiceFault (Part 4 §7.30) whose
 * ResponseHeader carries request_handle and service_result. Statuses as
 * ug_conn_send. */
ug_status ug_conn_send_fault(ug_conn *c, uint32_t request_id, uint32_t request_handle,
                             ug_status service_result);

/* Closes gracefully: client role sends CloseSecureChannel first; server role
 * just closes (why Good) — use ug_conn_close_error to tell the client why.
 * Pending output is flushed first. on_closed follows from the loop (never
 * inside this call). Idempotent. */
void ug_conn_close(ug_conn *c);
/* Sends ERR with status and reason (NULL: the status name), then closes;
 * on_closed reports status. */
void ug_conn_close_error(ug_conn *c, ug_status status, const char *reason);

void ug_conn_set_data(ug_conn *c, void *data);
void *ug_conn_get_data(const ug_conn *c);
bool ug_conn_is_server(const ug_conn *c);
/* True between on_open and the start of closing. */
bool ug_conn_is_open(const ug_conn *c);
uint32_t ug_conn_channel_id(const ug_conn *c);
/* Id of the current token (the one used for sending). */
uint32_t ug_conn_token_id(const ug_conn *c);
/* Revised lifetime of the current token in ms. */
uint32_t ug_conn_token_lifetime_ms(const ug_conn *c);
/* Negotiated: our receive chunk size, our send chunk size, the peer's
 * MaxMessageSize and MaxChunkCount (0: no limit). */
uint32_t ug_conn_recv_buf_size(const ug_conn *c);
uint32_t ug_conn_send_buf_size(const ug_conn *c);
uint32_t ug_conn_peer_max_message_size(const ug_conn *c);
uint32_t ug_conn_peer_max_chunk_count(const ug_conn *c);
/* The EndpointUrl of the HEL (server: what the client asked for; client:
 * what it sent). A view valid while the conn lives. */
ug_string ug_conn_endpoint_url(const ug_conn *c);
/* "127.0.0.1:40312" / "[::1]:40312", NUL-terminated, valid while the conn lives. */
const char *ug_conn_peer_addr(const ug_conn *c);
const char *ug_conn_security_policy_uri(const ug_conn *c);
/* MessageSecurityMode (Part 4 §7.20): 1 None, 2 Sign, 3 SignAndEncrypt. */
int32_t ug_conn_security_mode(const ug_conn *c);

/* Counters, for tests and statistics. */
struct ug_conn_stats {
    uint64_t chunks_rx, chunks_tx;
    uint64_t messages_rx, messages_tx;
    uint64_t bytes_rx, bytes_tx;
    uint32_t renewals;  /* OPN renew completed */
    uint32_t reassembly_allocs; /* growths of the reassembly buffer */
};
void ug_conn_get_stats(const ug_conn *c, struct ug_conn_stats *out);

/* ------------------------------------------------- tests and fuzzing --- */

/* Makes a server-side conn over an already connected fd (the conn owns it
 * from now on, even on failure) as if the listener l (may be NULL: channel id
 * 1, no connection count) had accepted it; on_accept runs before return.
 * lim may be NULL. Returns Good, BadInvalidArgument, BadOutOfMemory,
 * BadResourceUnavailable (the loop refused the fd). */
ug_status ug_conn_accept_fd(ug_loop *loop, ug_listener *l, int fd,
                            const struct ug_conn_limits *lim, const struct ug_conn_cbs *cbs,
                            void *data, ug_conn **out);

/* Processes len bytes as if they had been read from the socket (the fd is
 * still used for output). Returns Good while the conn is healthy, else the
 * status it is closing with (on_closed follows from the loop; stop feeding).
 * For the fuzz target and tests. */
ug_status ug_conn_feed(ug_conn *c, const void *data, size_t len);

/* Test hook: the send sequence number of the next chunk (wrap-around). */
void ug_conn_test_set_send_seq(ug_conn *c, uint32_t next_seq);
/* Client: renews the token now instead of at 75 % of its lifetime (the
 * timer calls this). Returns Good (an OPN renew is under way, or already
 * was), BadInvalidState (a server conn, or the channel is not open), or a
 * send failure (the conn is then closing with it). */
ug_status ug_conn_renew(ug_conn *c);

/* ------------------------------------------------ UACP wire codecs --- */
/* Pure functions (uacp.c) over a byte cursor, for the conn and tests. */

/* Message header (§7.1.2.2): MessageType (3 bytes), ChunkType, MessageSize. */
#define UG_UACP_HDR 8u
enum ug_uacp_type {
    UG_UACP_HEL, UG_UACP_ACK, UG_UACP_ERR, UG_UACP_RHE,
    UG_UACP_OPN, UG_UACP_MSG, UG_UACP_CLO, UG_UACP_UNKNOWN,
};
struct ug_uacp_hdr {
    uint8_t type;       /* enum ug_uacp_type */
    uint8_t chunk;      /* 'F', 'C', 'A' */
    uint32_t size;      /* whole chunk, header included */
};
/* Returns Good or BadTcpMessageTypeInvalid (unknown type or a chunk type
 * other than F/C/A); hdr->size is not checked here. Needs 8 bytes. */
ug_status ug_uacp_hdr_decode(const uint8_t *p, struct ug_uacp_hdr *hdr);
void ug_uacp_hdr_encode(uint8_t *p, enum ug_uacp_type type, uint8_t chunk, uint32_t size);

/* Hello and Acknowledge (§7.1.2.3, §7.1.2.4): endpoint_url only in HEL. */
struct ug_uacp_hello {
    uint32_t protocol_version;
    uint32_t recv_buf_size;
    uint32_t send_buf_size;
    uint32_t max_message_size;
    uint32_t max_chunk_count;
    ug_string endpoint_url; /* view */
};
/* Body after the 8-byte header. Returns Good, BadDecodingError (short or
 * trailing bytes), BadTcpEndpointUrlInvalid (over 4096 bytes). */
ug_status ug_uacp_hello_decode(const uint8_t *body, size_t len, bool with_url,
                               struct ug_uacp_hello *out);
/* Whole message (header included) into wr. */
void ug_uacp_hello_encode(ug_wr *wr, enum ug_uacp_type type, const struct ug_uacp_hello *h);

/* Error (§7.1.2.5) and ReverseHello (§7.1.2.6). An Error (or abort body)
 * whose Reason is over 4096 bytes decodes with a null reason (§6.7.3: it
 * is ignored); truncated ones fail with BadDecodingError. */
ug_status ug_uacp_error_decode(const uint8_t *body, size_t len, ug_status *error,
                               ug_string *reason);
void ug_uacp_error_encode(ug_wr *wr, ug_status error, const char *reason);
ug_status ug_uacp_rhe_decode(const uint8_t *body, size_t len, ug_string *server_uri,
                             ug_string *endpoint_url);
void ug_uacp_rhe_encode(ug_wr *wr, ug_string server_uri, ug_string endpoint_url);

/* Parses "opc.tcp://host:port[/path]" into host (NUL-terminated, brackets
 * of IPv6 removed) and port (default 4840). Returns Good or
 * BadTcpEndpointUrlInvalid. */
ug_status ug_uacp_parse_url(const char *url, char *host, size_t host_cap, uint16_t *port);

/* ------------------------------------------------------------ private --- */
/* The state of a conn, shared by conn.c, channel.c, channel_send.c,
 * listener.c and conn_client.c (which define UG_CONN_INTERNAL). Nothing
 * outside them may look at it. */
#ifdef UG_CONN_INTERNAL
#include "secpolicy.h"

enum ug_conn_state {
    UG_CS_CONNECTING, /* TCP connect under way (client, reverse server) */
    UG_CS_WAIT_RHE,   /* reverse client: waiting for ReverseHello */
    UG_CS_WAIT_HEL,   /* server: waiting for Hello */
    UG_CS_WAIT_ACK,   /* client: Hello sent */
    UG_CS_WAIT_OPN,   /* server: ACK sent; client: OPN issue sent */
    UG_CS_OPEN,
    UG_CS_CLOSING,    /* flushing, then shutdown(SHUT_WR) and drain to EOF */
    UG_CS_CLOSED,     /* fd closed, on_closed queued */
};

struct ug_token {
    uint32_t id;
    uint32_t lifetime_ms;
    int64_t created_ns; /* loop MONOTONIC */
    uint8_t key_slot;   /* the policy's keys of this token (0/1) */
};

struct ug_conn {
    ug_loop *loop;
    ug_listener *listener;     /* server conns of a listener */
    ug_reverse *reverse_owner; /* reverse client waiting for its RHE */
    struct ug_lookup *lookup;  /* host-name lookup in flight (conn_client.c) */
    ug_conn *prev, *next;      /* listener's list */
    struct ug_conn_limits lim;
    struct ug_conn_cbs cbs;
    void *data;
    int fd;
    bool is_server;
    bool reverse;   /* server: connected out, sends RHE first */
    bool silent;    /* not handed out: no callbacks (rejected, RHE pending) */
    bool counted;   /* counts in listener->count */
    bool rejecting; /* counts in listener->rejecting */
    uint8_t state;  /* enum ug_conn_state */
    ug_status close_status;
    struct ug_watch watch;
    uint32_t watch_events;
    struct ug_timer timer;       /* hello/connect deadline, then close drain */
    struct ug_timer renew_timer; /* client: renew at 75 % of the lifetime */
    struct ug_delayed report;    /* on_closed + free */

    /* Receive: whole chunks are parsed in place in rx. */
    uint8_t *rx;
    uint32_t rx_cap, rx_start, rx_end;
    uint32_t recv_chunk; /* largest chunk accepted (negotiated) */
    /* Reassembly of multi-chunk messages (§6.7.2.4). */
    uint8_t *asm_buf;
    size_t asm_len, asm_cap;
    uint32_t asm_chunks, asm_request_id;
    bool asm_active;

    /* Transmit: chunks appended at tx_len, sent from tx_off. */
    uint8_t *tx;
    size_t tx_off, tx_len, tx_cap;
    uint8_t *scratch; /* a message body spanning several chunks */
    size_t scratch_cap;
    uint32_t send_chunk;        /* negotiated chunk size we send */
    uint32_t peer_max_message;  /* 0: no limit */
    uint32_t peer_max_chunks;   /* 0: no limit */

    char *endpoint_url;      /* malloc'ed copy (HEL) */
    uint32_t endpoint_url_len;
    char *server_uri;        /* reverse server: RHE ServerUri (listener's) */
    char *rhe_endpoint_url;  /* reverse server: RHE EndpointUrl */
    char peer_addr[64];

    /* SecureChannel (§6.7). */
    const struct ug_secpolicy *policy;
    void *policy_ctx;
    int32_t security_mode;
    uint32_t channel_id;
    /* tok: the token we send with. other: a second token accepted on
     * receive — server: the renewed one the client has not used yet;
     * client: the previous one the server may still use. */
    struct ug_token tok, other;
    bool has_other;
    uint32_t token_counter;   /* server: last token id issued */
    uint32_t send_seq;        /* next sequence number sent */
    uint32_t recv_seq;        /* last sequence number received */
    bool recv_seq_valid;
    uint32_t request_counter; /* client: last request id */
    uint32_t opn_request_id;  /* client: OPN under way (0: none) */
    uint8_t local_nonce[64];  /* our nonce of the last OPN (policy nonce_len) */
    uint32_t local_nonce_len;
    struct ug_conn_stats stats;
};

struct ug_listener {
    ug_loop *loop;
    int fds[4];
    struct ug_watch watches[4];
    unsigned n_fds;
    uint16_t port;
    bool stopped;
    struct ug_conn_limits lim;
    struct ug_conn_cbs cbs;
    void *data;
    char *server_uri;
    ug_conn *conns;     /* every conn of this listener, counted or not */
    uint32_t count;     /* handed-out conns open now */
    uint32_t rejecting; /* conns being closed with BadTcpNotEnoughResources */
    uint32_t channel_counter;
};

/* conn.c */
ug_status ug_conn__new(ug_loop *loop, int fd, bool is_server, const struct ug_conn_limits *lim,
                       const struct ug_conn_cbs *cbs, void *data, ug_conn **out);
ug_status ug_conn__watch(ug_conn *c, uint32_t events);
void ug_conn__free_now(ug_conn *c);
/* Protocol failure: ERR (when send_err), then graceful close with status. */
void ug_conn__fail(ug_conn *c, ug_status status, const char *reason, bool send_err);
/* Orderly close (status Good) or error without ERR. */
void ug_conn__begin_close(ug_conn *c, ug_status status);
/* Closes the fd now and queues on_closed. */
void ug_conn__finalize(ug_conn *c, ug_status status);
void ug_conn__io(ug_loop *loop, struct ug_watch *w, uint32_t revents);
/* Output: room for n more bytes at c->tx + c->tx_len; then commit. */
uint8_t *ug_conn__tx_reserve(ug_conn *c, size_t n);
ug_status ug_conn__flush(ug_conn *c);
void ug_conn__start_deadline(ug_conn *c);
void ug_conn__set_peer_addr(ug_conn *c, const struct sockaddr *sa);
/* channel.c: one whole chunk of len bytes (header included). */
void ug_channel__on_chunk(ug_conn *c, uint8_t *chunk, uint32_t len);
/* Client: the TCP connection is up (or the RHE arrived): send HEL. */
void ug_channel__send_hello(ug_conn *c);
void ug_channel__renew_cb(ug_loop *loop, struct ug_timer *t);
/* channel_send.c */
ug_status ug_channel__send_opn(ug_conn *c, bool renew);
ug_status ug_channel__send_opn_response(ug_conn *c, uint32_t request_id, uint32_t request_handle,
                                        const struct ug_token *t);
ug_status ug_channel__send_clo(ug_conn *c);
/* A fresh nonce of the policy's length into c->local_nonce (a view of it,
 * or null when the policy has none). */
ug_status ug_channel__make_nonce(ug_conn *c, ug_bytes *out);
ug_status ug_channel__send_abort(ug_conn *c, uint32_t request_id, ug_status status,
                                 const char *reason);
void ug_channel__queue_error(ug_conn *c, ug_status status, const char *reason);
/* Reads a RequestHeader / ResponseHeader (Part 4 §7.28/§7.29), keeping
 * only what the channel needs. */
void ug_channel__rd_request_header(ug_rd *rd, uint32_t *request_handle);
void ug_channel__rd_response_header(ug_rd *rd, uint32_t *request_handle, ug_status *result);
/* conn_client.c: the reverse client learns that its pending conn is gone,
 * or that its RHE was accepted (the conn is handed out from then on). */
void ug_reverse__conn_gone(ug_reverse *r, ug_conn *c);
/* Cancels a host-name lookup still running for c (conn_client.c). */
void ug_conn__lookup_gone(ug_conn *c);
void ug_reverse__rhe_accepted(ug_conn *c);
/* conn_client.c: resolves host:port (numeric or getaddrinfo) into sa. */
ug_status ug_conn__resolve(const char *host, uint16_t port, struct sockaddr_storage *sa,
                           socklen_t *sa_len);
#endif /* UG_CONN_INTERNAL */

#endif
