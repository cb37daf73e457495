/* uagate transport — one interface for every field and broker transport.
 *
 * Role: moves whole messages (UADP or JSON NetworkMessages) between the
 * PubSub engine and the network. A transport is opened from an address URL
 * (Part 14 1.04 §7.3.2 and §7.3.3: opc.udp://host[:port],
 * opc.eth://MAC[:VID[.PCP]], the Address of §6.2.6.3) plus
 * typed options, on one event loop, and from then on lives on that loop's
 * thread: every call below must be made on the loop thread, and every
 * callback runs there.
 *
 * Each transport kind is a struct of function pointers (ug_transport_ops),
 * like a connection manager: open, send, close. The generic functions here
 * parse the URL, pick the kind by scheme and dispatch.
 *
 * Lifecycle: ug_transport_open -> (on_state CONNECTED, from the loop) ->
 * receive callbacks / sends -> ug_transport_close -> on_closed (exactly once,
 * from the loop; after it returns the handle is freed). A failed open calls
 * no callback and returns no handle. Run the loop until every on_closed has
 * fired before ug_loop_close: a transport still closing then is leaked.
 *
 * Lifetime: the transport owns its socket, its receive buffers and its send
 * buffers. A message view handed to on_recv is valid until on_recv returns.
 * A send buffer from ug_transport_buf_get belongs to the caller until it is
 * given back with ug_transport_buf_send or ug_transport_buf_release.
 * Strings in the options (interface name, error buffer) are read during
 * ug_transport_open only.
 */
#ifndef UAGATE_TRANSPORT_H
#define UAGATE_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "uagate/rt.h"
#include "uagate/status.h"
#include "uagate/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ug_transport ug_transport;

enum ug_transport_kind {
    UG_TRANSPORT_NONE = 0,
    UG_TRANSPORT_UDP = 1, /* opc.udp */
    UG_TRANSPORT_ETH = 2, /* opc.eth */
    UG_TRANSPORT_MQTT = 3, /* mqtt, mqtts (MQTT 3.1.1 / 5) */
    UG_TRANSPORT_AMQP = 4, /* amqp, amqps (AMQP 1.0) */
};

/* Part 14 1.04 §7.3.3 (OPC UA Ethernet): the IANA-registered EtherType. */
#define UG_ETHERTYPE_UADP 0xB62Cu
#define UG_UDP_DEFAULT_PORT 4840u
/* Longest host text kept from a URL (a DNS name, RFC 1035, plus a zone). */
#define UG_TRANSPORT_HOST_MAX 280

/* A parsed transport address. */
typedef struct ug_transport_url {
    enum ug_transport_kind kind;
    /* opc.udp: host without brackets (an IPv6 zone "%if" is kept), port. */
    char host[UG_TRANSPORT_HOST_MAX];
    uint16_t port;
    /* opc.eth: destination MAC; VLAN id (1..4094) and priority (0..7). */
    uint8_t mac[6];
    bool has_vid;
    uint16_t vid;
    bool has_pcp;
    uint8_t pcp;
    /* amqp/amqps: host and port above; the node address ("/queue/q",
     * "/topic/k", "/exchange/amq.topic/k") with its leading '/'. */
    struct {
        bool tls;
        char address[256];
    } amqp;
    /* mqtt/mqtts: host and port above; the topic after the first '/',
     * %-decoded ("%23" is '#'); wildcards allowed (subscribe only). */
    struct {
        bool tls;
        char topic[512];
    } mqtt;
} ug_transport_url;

/* Parses a transport URL. Accepts
 *   opc.udp://HOST[:PORT]   HOST: IPv4 dotted quad, DNS name, or [IPv6[%zone]];
 *                           PORT 1..65535, default 4840
 *   opc.eth://MAC[:VID[.PCP]]  MAC: six hex pairs separated by '-' or ':';
 *                           VID 1..4094, PCP 0..7
 *   mqtt://HOST[:PORT]/TOPIC, mqtts://HOST[:PORT]/TOPIC  PORT default 1883 /
 *                           8883; TOPIC %-decoded, wildcards kept
 * err (may be NULL) receives a one-line reason on failure.
 * Returns Good, BadTcpEndpointUrlInvalid (malformed, unknown scheme, trailing
 * text) or BadInvalidArgument (NULL url or out parameter). */
ug_status ug_transport_url_parse(const char *url, ug_transport_url *out,
                                 char *err, size_t err_cap);

/* What a transport is opened for. Both bits: one socket sends and receives. */
enum ug_transport_mode {
    UG_TRANSPORT_SEND = 1u << 0,
    UG_TRANSPORT_RECV = 1u << 1,
};

/* Tri-state for options whose kernel default is fine. */
enum ug_tristate { UG_DEFAULT = 0, UG_ON = 1, UG_OFF = 2 };

/* opc.udp options. Zero is the default everywhere. */
typedef struct ug_udp_opts {
    /* IP TTL / IPv6 hop limit, 1..255; 0: kernel default (1 for multicast). */
    int ttl;
    /* IP_MULTICAST_LOOP / IPV6_MULTICAST_LOOP: our own multicast comes back. */
    enum ug_tristate loopback;
    /* SO_REUSEADDR and SO_REUSEPORT, so several receivers share a port. */
    bool reuse;
    /* DiffServ code point 0..63 (IP_TOS / IPV6_TCLASS, shifted left by 2). */
    int dscp;
} ug_udp_opts;

/* opc.eth options. */
typedef struct ug_eth_opts {
    /* 802.1Q tag for sent frames; overrides the VID/PCP of the URL when
     * vlan is true. vid 0 is a priority tag (PCP only). */
    bool vlan;
    uint16_t vid;
    uint8_t pcp;
    bool dei;
    /* Put the interface in promiscuous mode (PACKET_MR_PROMISC) while open. */
    bool promiscuous;
    /* Receive only frames whose VLAN id equals the URL's VID (when it has one). */
    bool rx_vid_filter;
} ug_eth_opts;

/* ---- amqp:// and amqps:// options (AMQP 1.0, Part 14 1.05 §7.3.4) ---- */

#define UG_AMQP_DEFAULT_PORT 5672u
#define UG_AMQPS_DEFAULT_PORT 5671u

/* BrokerTransportQualityOfService (Part 14 §6.4.2.x), same numbers. */
enum ug_amqp_qos {
    UG_AMQP_QOS_NOT_SPECIFIED = 0, /* treated as AtLeastOnce */
    UG_AMQP_QOS_BEST_EFFORT = 1,   /* sender pre-settles; nothing kept */
    UG_AMQP_QOS_AT_LEAST_ONCE = 2, /* unsettled until the broker's disposition;
                                      unsettled messages are re-sent after a reconnect */
    UG_AMQP_QOS_AT_MOST_ONCE = 3,  /* as BestEffort */
    /* AMQP 1.0 brokers (RabbitMQ) offer no receiver settle mode "second",
     * so there is no exactly-once: treated as AtLeastOnce (duplicates after a
     * reconnect keep their message-id, so a consumer can drop them). */
    UG_AMQP_QOS_EXACTLY_ONCE = 4,
};

/* What a full send queue does (disconnected, or no link credit). */
enum ug_amqp_queue_policy {
    UG_AMQP_DROP_OLDEST = 0, /* the oldest queued message is dropped (counted) */
    UG_AMQP_DROP_NEWEST = 1, /* the new message is dropped (counted), Good returned */
    UG_AMQP_BLOCK = 2,       /* the send fails with BadWouldBlock; nothing dropped */
};

/* Body content-type, Part 14 §7.3.4.8. */
enum ug_amqp_body {
    UG_AMQP_BODY_UADP = 0, /* application/opcua+uadp */
    UG_AMQP_BODY_JSON = 1, /* application/json */
};

/* A typed key/value, as a Part 14 KeyValuePair with NamespaceIndex 0. */
typedef struct ug_amqp_prop {
    const char *key;
    ug_variant value;
} ug_amqp_prop;

/* Everything is copied (or encoded) during ug_transport_open. */
typedef struct ug_amqp_opts {
    const char *user;         /* SASL PLAIN with password; NULL: ANONYMOUS */
    const char *password;     /* never logged */
    const char *ca_file;      /* amqps: trusted CAs (PEM); required for amqps */
    const char *cert_file;    /* amqps: client certificate (PEM), optional */
    const char *key_file;     /* its private key (PEM) */
    const char *key_password;
    /* Name checked in the peer certificate; NULL: the URL host. proton
     * matches DNS names (subjectAltName dNSName, then CN), never an IP
     * address: with an IP in the URL, give the certificate's name here. */
    const char *tls_hostname;
    enum ug_amqp_qos qos;
    enum ug_amqp_body body;
    uint32_t keep_alive_ms;   /* KeepAliveTime: the AMQP idle time-out we announce; 0: none */
    uint32_t credit;          /* receive window in messages, 1..65535; 0: 64 */
    uint32_t queue_max;       /* messages queued and unsettled, 1..1048576; 0: 1024 */
    enum ug_amqp_queue_policy queue_policy;
    uint32_t reconnect_min_ms; /* first back-off; 0: 100 */
    uint32_t reconnect_max_ms; /* back-off cap; 0: 10000 */
    const char *container_id; /* NULL: "uagate-" and 16 random hex digits */
    /* Part 14 §7.3.4.7: "message-<name>" sets the standard property <name>
     * (to, user-id, reply-to, correlation-id, content-encoding, group-id,
     * group-sequence, reply-to-group-id, absolute-expiry-time, creation-time;
     * message-id, subject and content-type are the transport's);
     * "connection-<name>" and "link-<name>" become properties of the
     * connection and of both links (proton 0.37 cannot send session
     * properties: "session-" keys give BadNotSupported); any other key is an
     * application property, converted as the promoted fields are. */
    const ug_amqp_prop *props;
    size_t nprops;
} ug_amqp_opts;

/* ---- mqtt:// and mqtts:// options (MQTT 3.1.1 / 5, Part 14 1.04 §7.3.5) ---- */

#define UG_MQTT_DEFAULT_PORT 1883u
#define UG_MQTTS_DEFAULT_PORT 8883u

enum ug_mqtt_version { UG_MQTT_V311 = 0, UG_MQTT_V5 = 1 };

/* MQTT QoS for a BrokerTransportQualityOfService value (Part 14 1.04
 * §6.4.2.1: NotSpecified 0, BestEffort 1, AtLeastOnce 2, AtMostOnce 3,
 * ExactlyOnce 4); NotSpecified (the parent's value applies) and unknown
 * values give -1. */
static inline int ug_mqtt_qos_of(int broker_qos)
{
    switch (broker_qos) {
    case 1: case 3: return 0;
    case 2: return 1;
    case 4: return 2;
    default: return -1;
    }
}

/* What a full send queue does (disconnected, or the connection is busy). */
enum ug_mqtt_queue_policy {
    UG_MQTT_DROP_OLDEST = 0, /* the oldest queued message is dropped (counted) */
    UG_MQTT_DROP_NEWEST = 1, /* the new message is dropped (counted), Good returned */
    UG_MQTT_BLOCK = 2,       /* the send fails with BadWouldBlock; nothing dropped */
};

/* MQTT 5 Content Type property (Part 14 1.05 §7.3.4.1); MQTT 3.1.1 has none. */
enum ug_mqtt_content {
    UG_MQTT_CONTENT_NONE = 0,
    UG_MQTT_CONTENT_UADP = 1, /* application/opcua+uadp */
    UG_MQTT_CONTENT_JSON = 2, /* application/json */
};

/* Strings are copied during ug_transport_open. Zero is the default. */
typedef struct ug_mqtt_opts {
    enum ug_mqtt_version version;
    /* BrokerTransportQualityOfService mapped to MQTT QoS 0, 1 or 2
     * (BestEffort/AtMostOnce 0, AtLeastOnce 1, ExactlyOnce 2). */
    int qos;
    uint32_t keep_alive_s;    /* MQTT keep alive, 5..65535; 0: 60 */
    const char *client_id;    /* NULL: "uagate-" and random hex (then no persistent session) */
    bool persistent_session;  /* clean session/start off; needs client_id */
    const char *username;     /* NULL: none */
    const char *password;     /* never logged */
    const char *ca_file;      /* mqtts: trusted CAs (PEM); required for mqtts */
    const char *cert_file;    /* mqtts: client certificate (PEM), optional */
    const char *key_file;     /* its private key (PEM) */
    const char *metadata_topic; /* NULL: "<topic>/$Metadata" */
    enum ug_mqtt_content content_type;
    /* QoS >= 1 messages awaiting their ack, 1..65535; 0: 20. Keep it at or
     * below the broker's window (mosquitto max_inflight_messages, 20):
     * mosquitto 2.0.11 loses QoS 2 messages a client sends beyond it. */
    uint32_t max_inflight;
    uint32_t queue_max_msgs;  /* queue bound in messages, 1..1048576; 0: 4096 */
    uint32_t queue_max_bytes; /* queue bound in payload bytes (+8 each); 0: 4 MiB */
    enum ug_mqtt_queue_policy queue_policy;
    /* Store-and-forward: the queue is also kept in this file (created if
     * absent, replayed at open) so a restart loses nothing queued. NULL:
     * memory only. Format in transports/mqtt/mqtt_store.h. */
    const char *queue_file;
    uint32_t reconnect_min_ms; /* first back-off, doubled per failure; 0: 100 */
    uint32_t reconnect_max_ms; /* back-off cap; 0: 10000 */
    uint32_t connect_timeout_ms; /* TCP, TLS and CONNACK of one attempt; 0: 10000 */
} ug_mqtt_opts;

typedef struct ug_transport_opts {
    unsigned mode;             /* ug_transport_mode bits; 0 means SEND|RECV */
    const char *interface;     /* name ("eth0"); NULL: routing decides (UDP only) */
    int priority;              /* SO_PRIORITY 0..15 (>6 needs CAP_NET_ADMIN); 0: unset */
    bool txtime;               /* SO_TXTIME on CLOCK_TAI: sends may carry a launch time */
    bool rx_timestamps;        /* SO_TIMESTAMPNS: kernel receive time on each message */
    bool validate_only;        /* parse, check, resolve the interface; open nothing */
    /* Largest payload sent or received (longer receptions are cut and marked
     * truncated). 0: 4096 for UDP (at most 65507 IPv4, 65527 IPv6); the
     * interface MTU for Ethernet (at most the MTU). */
    uint32_t max_msg;
    uint32_t send_bufs;        /* transport-owned send buffers, 1..1024; 0: 4 */
    uint32_t recv_bufs;        /* receive buffers of max_msg, power of two; 0: 64 */
    uint32_t rcvbuf;           /* SO_RCVBUF bytes; 0: kernel default */
    uint32_t sndbuf;           /* SO_SNDBUF bytes; 0: kernel default */
    ug_udp_opts udp;
    ug_eth_opts eth;
    ug_amqp_opts amqp;         /* amqp, amqps */
    ug_mqtt_opts mqtt;         /* mqtt, mqtts */
    char *errbuf;              /* optional: why open failed, one line */
    size_t errbuf_cap;
} ug_transport_opts;

/* Where a message came from. */
typedef struct ug_transport_addr {
    enum ug_transport_kind kind;
    union {
        struct sockaddr_storage ip; /* UDP: sockaddr_in or sockaddr_in6 */
        struct {
            uint8_t src[6];
            uint8_t dst[6];
            bool tagged;       /* an 802.1Q tag was on the wire */
            uint16_t vid;
            uint8_t pcp;
            bool dei;
        } eth;
    } u;
} ug_transport_addr;

/* One received message. Valid until on_recv returns. */
typedef struct ug_transport_msg {
    ug_bytes data;             /* the payload (Ethernet: after the header and tag) */
    const ug_transport_addr *from;
    int64_t rx_time_ns;        /* CLOCK_REALTIME ns */
    bool rx_time_kernel;       /* true: stamped by the kernel (SO_TIMESTAMPNS) */
    bool truncated;            /* longer than max_msg; data holds the first max_msg bytes */
} ug_transport_msg;

enum ug_transport_state {
    UG_TRANSPORT_CONNECTED = 1, /* open: sends go out, messages come in */
    UG_TRANSPORT_ERROR = 2,     /* a receive or send failed; the transport stays open */
};

typedef struct ug_transport_cbs {
    void *ctx;
    /* A message arrived. May call send and close. */
    void (*on_recv)(void *ctx, ug_transport *t, const ug_transport_msg *msg);
    /* State changed; status says why for ERROR. */
    void (*on_state)(void *ctx, ug_transport *t, enum ug_transport_state state,
                     ug_status status);
    /* After ug_transport_close: fires exactly once; the handle is freed after
     * it returns. */
    void (*on_closed)(void *ctx, ug_transport *t);
} ug_transport_cbs;

/* Opens a transport on loop `loop` for `url`. opts may be NULL (defaults).
 * With opts->validate_only, checks everything that can be checked without
 * opening a socket (URL, option ranges, interface exists, MTU) and returns
 * Good with *out = NULL.
 * Returns Good; BadTcpEndpointUrlInvalid (URL); BadInvalidArgument (option out
 * of range, NULL argument); BadNotFound (no such interface, host does not
 * resolve); BadNotSupported (unknown scheme, option not valid for the kind);
 * BadUserAccessDenied (EPERM/EACCES: CAP_NET_RAW for opc.eth, CAP_NET_ADMIN for
 * priority > 6 or SO_TXTIME); BadCommunicationError (other socket errors);
 * BadOutOfMemory. On failure no callback is called. */
ug_status ug_transport_open(ug_loop *loop, const char *url,
                            const ug_transport_opts *opts,
                            const ug_transport_cbs *cbs, ug_transport **out);

/* Sends one message to the URL's destination, copying it into the socket.
 * launch_tai_ns: 0 for now, else the launch time on CLOCK_TAI (needs
 * opts.txtime; the qdisc decides whether it is honoured).
 * Returns Good; BadInvalidState (not open for SEND, closing, launch time
 * without txtime); BadEncodingLimitsExceeded (longer than max_msg or the
 * MTU); BadWouldBlock (socket buffer full: the message was not sent);
 * BadCommunicationError (other errors); BadInvalidArgument (t NULL, a
 * negative length, data NULL with a length, a negative launch time). */
ug_status ug_transport_send(ug_transport *t, ug_bytes data, int64_t launch_tai_ns);

/* A send buffer owned by the transport, with room for the link header in
 * front, so a message encoded into `data` goes out without a copy. */
typedef struct ug_transport_buf {
    uint8_t *data;             /* write the payload here */
    size_t cap;                /* == max_msg */
    struct ug_transport_buf *next_free; /* the transport's; do not touch */
} ug_transport_buf;

/* Takes a free send buffer. Returns Good; BadResourceUnavailable (all
 * buffers in use); BadInvalidState (not open for SEND or closing);
 * BadInvalidArgument (t or out NULL). */
ug_status ug_transport_buf_get(ug_transport *t, ug_transport_buf **out);
/* Sends len bytes of buf and gives buf back, whatever the result.
 * Returns as ug_transport_send, and BadInvalidArgument for len > cap or a
 * buf this transport did not hand out. */
ug_status ug_transport_buf_send(ug_transport *t, ug_transport_buf *buf, size_t len,
                                int64_t launch_tai_ns);
/* Gives an unsent buffer back. */
void ug_transport_buf_release(ug_transport *t, ug_transport_buf *buf);

/* Starts closing: stops receiving, leaves multicast groups, closes the
 * socket; on_closed fires once from the loop. Calling it again does nothing.
 * Safe to call from inside any of the transport's callbacks. */
void ug_transport_close(ug_transport *t);

enum ug_transport_kind ug_transport_kind_of(const ug_transport *t);
/* The socket (for diagnostics and tests); -1 after close. */
int ug_transport_fd(const ug_transport *t);
/* The interface index used (0: routing decides). */
unsigned ug_transport_ifindex(const ug_transport *t);

/* ------------------------------------------------------- amqp:// calls -- */

/* One send's Part 14 header content. */
typedef struct ug_amqp_send_info {
    bool metadata;                 /* subject "ua-metadata" instead of "ua-data" */
    /* Promoted fields (Part 14 §7.3.4.7): application properties converted
     * Boolean->boolean, SByte->byte, Byte->ubyte, Int16->short,
     * UInt16->ushort, Int32->int, UInt32->uint, Int64->long, UInt64->ulong,
     * Float->float, Double->double, String->string, DateTime->timestamp
     * (ms since 1970), Guid->uuid, ByteString->binary, NodeId->string form;
     * other types and arrays are left out. The caller passes the last known
     * value of a field a delta frame does not carry. */
    const ug_amqp_prop *promoted;
    size_t npromoted;
} ug_amqp_send_info;

/* Sends body as one AMQP message (a data section) with a fresh message-id,
 * the subject, the content-type, the message and application properties of
 * the options and the promoted fields. info may be NULL (ua-data, none
 * promoted). ug_transport_send is this with info NULL.
 * While disconnected or without link credit the encoded message is queued
 * (opts.amqp.queue_max, queue_policy) and sent in order later.
 * Returns Good (sent or queued; or dropped by DROP_OLDEST/DROP_NEWEST, which
 * counts it); BadWouldBlock (queue full, UG_AMQP_BLOCK); BadInvalidState
 * (not an AMQP transport, not open for SEND, closing);
 * BadEncodingLimitsExceeded (longer than max_msg); BadInvalidArgument. */
ug_status ug_transport_amqp_send(ug_transport *t, ug_bytes body, const ug_amqp_send_info *info);

/* The received message being delivered, inside on_recv only. Views into the
 * transport's receive buffers, valid until on_recv returns. */
typedef struct ug_amqp_rx {
    ug_string message_id;   /* text form: a uuid as 8-4-4-4-12 hex, a ulong in decimal */
    ug_string subject;
    ug_string content_type;
    ug_string to;
    ug_string reply_to;
    uint32_t nprops;        /* application properties */
} ug_amqp_rx;

/* Returns Good; BadInvalidState (not inside an AMQP on_recv). */
ug_status ug_transport_amqp_rx(ug_transport *t, ug_amqp_rx *out);
/* Application property `name` of the message being delivered, converted back
 * by the table of ug_amqp_send_info (string -> String, so a NodeId comes back
 * in its string form; char, decimal, list and map give BadNotSupported).
 * Returns Good, BadNotFound, BadNotSupported, BadInvalidState. */
ug_status ug_transport_amqp_rx_prop(ug_transport *t, const char *name, ug_variant *out);

typedef struct ug_amqp_stats {
    uint64_t sent;        /* messages written to a link (re-sends included) */
    uint64_t settled;     /* accepted by the broker (AtLeastOnce) */
    uint64_t rejected;    /* rejected, released or modified by the broker */
    uint64_t resent;      /* unsettled messages sent again after a reconnect */
    uint64_t received;
    uint64_t queued;      /* now: waiting to be sent or settled */
    uint64_t dropped;     /* by the queue policy */
    uint64_t reconnects;  /* connections made after the first */
    bool connected;       /* both links attached */
    ug_status last_error; /* Good when none since the last connection */
    char error[160];      /* its reason, one line (never a password) */
} ug_amqp_stats;

/* Returns Good or BadInvalidState (not an AMQP transport). */
ug_status ug_transport_amqp_get_stats(const ug_transport *t, ug_amqp_stats *out);

/* ------------------------------------------------------- mqtt:// calls -- */

/* An mqtt transport connects from the loop after open (never blocking it,
 * except for a DNS lookup of a host name) and reconnects on its own with
 * the doubling back-off; on_state reports CONNECTED after every accepted
 * CONNACK and ERROR after every failed attempt or lost connection
 * (BadCommunicationError: refused or unreachable; BadUserAccessDenied: bad
 * credentials; BadSecurityChecksFailed: TLS; BadTimeout: no CONNACK in
 * time; BadConnectionClosed: lost), with the reason in the stats.
 * ug_transport_send publishes the message, or queues it while disconnected
 * or while the connection is busy (socket full, in-flight window full), and
 * returns Good (sent, queued, or dropped by a DROP_ policy and counted);
 * BadWouldBlock (queue full with UG_MQTT_BLOCK); BadEncodingLimitsExceeded
 * (longer than max_msg or than the queue can ever hold); BadInvalidState. */

/* Publishes body to the metadata topic with RETAIN set (Part 14 1.04
 * §7.3.5.7 and §7.3.5.8: RETAIN is set for metadata only, so a late
 * subscriber gets it; data sent with ug_transport_send is never retained). Queued like data.
 * Returns as ug_transport_send, and BadInvalidState for a non-MQTT
 * transport. */
ug_status ug_transport_mqtt_send_metadata(ug_transport *t, ug_bytes body);

/* The received message being delivered, inside on_recv only (views valid
 * until on_recv returns). */
typedef struct ug_mqtt_rx {
    ug_string topic;
    ug_string content_type; /* MQTT 5 property; empty when absent */
    bool retained;
    int qos;
} ug_mqtt_rx;

/* Returns Good; BadInvalidState (not inside an MQTT on_recv). */
ug_status ug_transport_mqtt_rx(ug_transport *t, ug_mqtt_rx *out);

typedef struct ug_mqtt_stats {
    uint64_t sent;        /* handed to a live connection (QoS >= 1 re-sends not counted) */
    uint64_t acked;       /* QoS >= 1: PUBACK / PUBCOMP received */
    uint64_t received;
    uint64_t queued;      /* total ever put in the send queue */
    uint64_t dropped;     /* by the queue policy */
    uint64_t reconnects;  /* connections made after the first */
    uint64_t attempts;    /* connection attempts, successful or not */
    uint32_t queue_len;   /* now: messages waiting in the queue */
    uint32_t queue_bytes; /* now: their bytes */
    uint32_t inflight;    /* now: QoS >= 1 messages awaiting their ack */
    uint32_t backoff_ms;  /* delay before the next attempt when disconnected */
    bool connected;       /* CONNACK accepted */
    bool subscribed;      /* RECV: SUBACK for the topic on this connection */
    ug_status last_error; /* Good when none since the last connection */
    char error[160];      /* its reason, one line (never a password) */
} ug_mqtt_stats;

/* Returns Good or BadInvalidState (not an MQTT transport). */
ug_status ug_transport_mqtt_get_stats(const ug_transport *t, ug_mqtt_stats *out);

#ifdef __cplusplus
}
#endif

#endif
