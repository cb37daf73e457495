/* uagate pubsub — the PubSub engine (Part 14): configuration model, state
 * machines, publishing and subscribing on one event loop.
 *
 * Role: a ug_pubsub is the PublishSubscribe object of Part 14 §9.1. Under it
 * sit PubSubConnections; a connection holds WriterGroups (each with
 * DataSetWriters, each writing one PublishedDataSet) and ReaderGroups (each
 * with DataSetReaders, each writing a SubscribedDataSet). PublishedDataSets
 * hang off the root and may be shared by several writers. The engine also
 * owns a value store: an array of DataValue slots that published fields read
 * and readers write (TargetVariables, or the mirror the engine creates).
 * A reader's slots feeding a PublishedDataSet field is how a gateway bridges.
 *
 * Every component has the PubSubState of Part 14 §6.2.1 (Disabled, Paused,
 * PreOperational, Operational, Error) and follows its parent: a component is
 * Paused while enabled under a parent that is not Operational, and a child is
 * never Operational unless its parent is. Components are added, changed,
 * enabled, disabled and removed at run time; siblings are not disturbed.
 *
 * Threading: everything runs on the loop thread given to ug_pubsub_new; every
 * callback runs there. Nothing here is thread-safe.
 *
 * Lifetime:
 *   ug_pubsub        caller-owned from ug_pubsub_new to ug_pubsub_free; owns
 *                    every component, dataset and the value store.
 *   components       (connections, groups, writers, readers) owned by the
 *                    engine; a handle is valid until it, an ancestor, or the
 *                    root is removed. Do not remove a component from inside a
 *                    callback about it or one of its descendants.
 *   ug_pds           owned by the engine; removable once no writer uses it.
 *   configurations   copied (strings included) by the call that takes them.
 *   callback views   (messages, metadata, values) valid until it returns.
 * Each ug_*_add allocates every buffer its component needs in steady state
 * (encode buffers, samples, decode arenas), so publishing and receiving do not
 * allocate; configuration changes may. The engine frees only what it
 * allocated; the loop stays the caller's. Transport option strings (the
 * interface, the MQTT and AMQP credentials, files and ids) are copied; the
 * AMQP props array stays the caller's and must outlive the connection.
 *
 * Not covered here: message security (no key source: secured messages are
 * dropped and counted).
 */
#ifndef UAGATE_PUBSUB_H
#define UAGATE_PUBSUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uagate/json.h"
#include "uagate/pubsub_msg.h"
#include "uagate/rt.h"
#include "uagate/transport.h"
#include "uagate/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ug_pubsub ug_pubsub;
typedef struct ug_ps_comp ug_ps_comp; /* the state/diagnostics part of any component */
typedef struct ug_ps_connection ug_ps_connection;
typedef struct ug_writer_group ug_writer_group;
typedef struct ug_dataset_writer ug_dataset_writer;
typedef struct ug_pds ug_pds; /* PublishedDataSet */
typedef struct ug_reader_group ug_reader_group;
typedef struct ug_dataset_reader ug_dataset_reader;

/* The component kinds of Part 14 Figure 21. */
enum ug_ps_kind {
    UG_PS_ROOT = 0,
    UG_PS_CONNECTION,
    UG_PS_WRITER_GROUP,
    UG_PS_DATASET_WRITER,
    UG_PS_READER_GROUP,
    UG_PS_DATASET_READER,
};

/* ---------------------------------------------------------- diagnostics -- */

/* Why a message or DataSetMessage was dropped. */
enum ug_ps_drop {
    UG_PS_DROP_NO_READER = 0,   /* header matched no reader (connection) */
    UG_PS_DROP_DUPLICATE,       /* sequence number seen already */
    UG_PS_DROP_STALE,           /* older sequence number */
    UG_PS_DROP_VERSION,         /* ConfigurationVersion major mismatch */
    UG_PS_DROP_NOT_OPERATIONAL, /* reader disabled or paused */
    UG_PS_DROP_SEND_FAILED,     /* transport refused a message (writer group) */
    UG_PS_DROP_TYPE,            /* field count or type does not fit the metadata */
    UG_PS_DROP_UNHANDLED,       /* discovery or secured message (connection) */
    UG_PS_DROP_KINDS
};

/* Counters of one component, cumulative since it was added. Which counters a
 * kind uses: sent (writer groups: NetworkMessages; writers: DataSetMessages),
 * received (connections: messages; readers: DataSetMessages accepted). */
typedef struct ug_ps_diag {
    uint64_t sent;
    uint64_t sent_bytes;
    uint64_t key_frames, delta_frames, keep_alives; /* writers */
    uint64_t chunks_sent;                          /* writer groups */
    uint64_t received;
    uint64_t received_bytes;
    uint64_t dropped[UG_PS_DROP_KINDS];
    uint64_t decode_errors;
    uint64_t encode_errors;
    uint64_t gaps;           /* readers: DataSetMessages missing by sequence number */
    uint64_t seq_resets;     /* readers: sequence number jumped out of window, resynced */
    uint64_t timeouts;       /* readers: MessageReceiveTimeout expired */
    uint64_t state_changes;
    uint64_t metadata_sent;  /* writers: DataSetMetaData announcements */
    uint64_t transport_errors; /* connections: errors the transport reported */
    uint16_t last_seq;       /* writers: last sent; readers: last accepted */
} ug_ps_diag;

/* ------------------------------------------------------------------ root -- */

/* Called on every state change of every component. `reason` is Good for
 * configuration-driven changes, else why (BadTimeout, BadConfigurationError,
 * the transport's status). */
typedef void (*ug_ps_state_fn)(void *ctx, ug_ps_comp *c, enum ug_pubsub_state old_state,
                               enum ug_pubsub_state new_state, ug_status reason);

/* Called when a writer's DataSetMetaData is announced (first enable, and each
 * time its ConfigurationVersion changes). */
typedef void (*ug_ps_metadata_fn)(void *ctx, ug_dataset_writer *w,
                                  const ug_dataset_metadata *md);

/* Called for each state report of a connection's transport: connected
 * true with Good (every CONNECTED: a broker connection made or made again),
 * or false with why (a failed broker attempt, a lost connection, a failed
 * send). Broker transports retry on their own with back-off and queue what is
 * published meanwhile, so such an error does not change the connection's
 * PubSubState; this is how the application learns of it. */
typedef void (*ug_ps_transport_fn)(void *ctx, ug_ps_connection *c, bool connected,
                                   ug_status why);

typedef struct ug_pubsub_config {
    uint32_t store_slots;   /* value store capacity; 0: 1024 */
    uint32_t string_cap;    /* bytes kept per String/ByteString slot or field; 0: 256 */
    ug_ps_state_fn on_state;
    ug_ps_metadata_fn on_metadata;
    void *cb_ctx;
    ug_ps_transport_fn on_transport; /* optional */
} ug_pubsub_config;

/* Creates the engine on `loop` (borrowed; it must outlive the engine). The
 * root starts Disabled; ug_ps_enable(ug_pubsub_comp(ps)) starts it.
 *   Good; BadInvalidArgument; BadOutOfMemory. */
ug_status ug_pubsub_new(ug_loop *loop, const ug_pubsub_config *cfg, ug_pubsub **out);
/* Removes every component (closing transports) and frees the engine. Transport
 * handles finish closing inside the loop: run it a few iterations (or close
 * it) afterwards. NULL: no-op. */
void ug_pubsub_free(ug_pubsub *ps);
ug_ps_comp *ug_pubsub_comp(ug_pubsub *ps);
ug_loop *ug_pubsub_loop(const ug_pubsub *ps);

/* ------------------------------------------------- state of any component -- */

/* Enable: Disabled -> PreOperational (or Paused when the parent is not
 * Operational); children follow. Disable: -> Disabled; enabled children go
 * Paused. Both are Good no-ops when already in that condition (to retry a
 * connection in Error, disable and enable it). Kinds reach Operational as
 * follows: the root, groups and writers at once; a connection when its
 * transport is CONNECTED (at once with a link); a reader on its first
 * accepted DataSetMessage. Readers go Error on MessageReceiveTimeout and on
 * a ConfigurationVersion mismatch, and back to Operational on the next good
 * DataSetMessage; a connection goes Error when its transport cannot open.
 *   Good; BadInvalidArgument (NULL); the transport's open status for a
 *   connection whose transport cannot be opened (the connection goes Error). */
ug_status ug_ps_enable(ug_ps_comp *c);
ug_status ug_ps_disable(ug_ps_comp *c);
enum ug_pubsub_state ug_ps_state(const ug_ps_comp *c);
enum ug_ps_kind ug_ps_kind_of(const ug_ps_comp *c);
const char *ug_ps_name(const ug_ps_comp *c);
const ug_ps_diag *ug_ps_diag_of(const ug_ps_comp *c);
/* Why a component is in Error, one line, when the engine knows more than
 * the status code (a connection whose transport refused to open: the
 * transport's reason); "" otherwise. Valid until the next state change. */
const char *ug_ps_error_text(const ug_ps_comp *c);
/* Name of a PubSubState ("Operational"). */
const char *ug_ps_state_name(enum ug_pubsub_state s);
/* An opaque pointer the application keeps on a component (NULL until set),
 * e.g. its node in an address space. The engine never reads it. */
void ug_ps_comp_set_user(ug_ps_comp *c, void *user);
void *ug_ps_comp_user(const ug_ps_comp *c);

/* ------------------------------------------------------------- observer -- */

/* Watches what the engine publishes and receives, for a mirror of the live
 * values (the gateway's address space). Each hook is optional and runs on
 * the loop, synchronously, at the point named; it must not add, remove,
 * enable or disable components. With no observer set the engine pays one
 * NULL test per DataSetMessage and state change.
 *   on_written   a writer put a key or delta frame of this cycle into its
 *                group's NetworkMessage; ug_dataset_writer_value gives the
 *                values sampled for it (changed[i]: field i differs from the
 *                previous cycle, or this is the writer's first cycle).
 *   on_received  a reader accepted a DataSetMessage (key or delta frame) and
 *                stored its values in its slots (ug_dataset_reader_slot).
 *   on_state     a component changed state (after the root's on_state). */
typedef struct ug_ps_observer {
    void (*on_written)(void *ctx, ug_dataset_writer *w, const bool *changed);
    void (*on_received)(void *ctx, ug_dataset_reader *r, const ug_dsm *dsm);
    void (*on_state)(void *ctx, ug_ps_comp *c, enum ug_pubsub_state new_state);
    void *ctx;
} ug_ps_observer;

/* Sets (copied) or, with NULL, removes the observer. */
void ug_pubsub_set_observer(ug_pubsub *ps, const ug_ps_observer *obs);
/* The value field `field` of writer w had in its last sampled cycle (NULL
 * when out of range or before the first cycle); valid until the next cycle. */
const ug_datavalue *ug_dataset_writer_value(const ug_dataset_writer *w, uint16_t field);

/* ----------------------------------------------------------- value store -- */

/* Adds a slot for scalars of built-in `type` (fixed-size types, String,
 * ByteString: strings are copied into the slot, up to string_cap bytes). The
 * slot starts with status BadWaitingForInitialData and no value.
 *   Good; BadNotSupported (type without a scalar copy); BadResourceUnavailable
 *   (store full). */
ug_status ug_pubsub_store_add(ug_pubsub *ps, uint8_t type, uint32_t *out_slot);
/* Writes a DataValue (copied; a String longer than string_cap fails). A write
 * that changes value or status counts as a change for delta frames.
 *   Good; BadNotFound (slot); BadTypeMismatch (scalar of another type, or an
 *   array); BadOutOfRange (string too long). */
ug_status ug_pubsub_store_write(ug_pubsub *ps, uint32_t slot, const ug_datavalue *dv);
/* The slot's DataValue (NULL when out of range), valid until the next write. */
const ug_datavalue *ug_pubsub_store_read(const ug_pubsub *ps, uint32_t slot);
/* Number of value-or-status changes written to the slot (0 when out of range). */
uint64_t ug_pubsub_store_changes(const ug_pubsub *ps, uint32_t slot);

/* ----------------------------------------------------- PublishedDataSet -- */

enum ug_ps_source_kind {
    UG_PS_SRC_STORE = 0, /* a value store slot */
    UG_PS_SRC_CALLBACK,  /* asked every cycle */
    UG_PS_SRC_SIM,       /* a simulator, computed from the cycle time */
};

enum ug_ps_sim_shape {
    UG_PS_SIM_COUNTER = 0, /* offset + step * n, n counting the samples */
    UG_PS_SIM_SINE,        /* offset + amplitude * sin(2 pi t / period) */
    UG_PS_SIM_SQUARE,      /* offset +- amplitude, half a period each */
    UG_PS_SIM_RANDOM_WALK, /* previous +- step, seeded, clamped to offset +- amplitude */
};

/* Fills *out with the current value of field `field` (a view that must stay
 * valid until the next call for this field). Bad: the field is sent with that
 * status and no value. */
typedef ug_status (*ug_ps_read_fn)(void *ctx, uint16_t field, int64_t now_ns, ug_datavalue *out);

typedef struct ug_ps_source {
    uint8_t kind; /* enum ug_ps_source_kind */
    uint32_t slot;            /* STORE */
    ug_ps_read_fn read;       /* CALLBACK */
    void *read_ctx;
    struct {                  /* SIM */
        uint8_t shape;        /* enum ug_ps_sim_shape */
        double offset, amplitude, step;
        int64_t period_ns;
        uint64_t seed;
    } sim;
} ug_ps_source;

typedef struct ug_pds_field {
    const char *name;
    uint8_t builtin_type;    /* the field's DataType, a built-in type */
    uint32_t max_string_len; /* String/ByteString: 0 = string_cap */
    ug_ps_source source;
    /* DataSetFieldFlags PromotedField (Part 14 §6.2.3.2.2): on amqp:// the
     * field's value is also an application property of every message of a
     * writer of this dataset (Part 14 §7.3.4.7). */
    bool promoted;
} ug_pds_field;

typedef struct ug_pds_config {
    const char *name;
    uint16_t n_fields;
    const ug_pds_field *fields;
} ug_pds_config;

/* Adds a PublishedDataSet. Its ConfigurationVersion (Part 14 §6.2.3.2.4,
 * VersionTime: seconds since 2000-01-01) is set now.
 *   Good; BadInvalidArgument (no fields, a source of an unknown kind, a store
 *   slot out of range); BadOutOfMemory. */
ug_status ug_pubsub_add_pds(ug_pubsub *ps, const ug_pds_config *cfg, ug_pds **out);
/* Replaces the fields. Changing the fields bumps the MajorVersion; the
 * writers of this dataset rebuild their frames at their next cycle and
 * announce the new metadata. Same statuses as add. */
ug_status ug_pds_update(ug_pds *pds, const ug_pds_config *cfg);
/* Removes a dataset. BadInvalidState while a writer uses it. */
ug_status ug_pds_remove(ug_pds *pds);
/* The dataset's DataSetMetaData (a view, valid until the next update). */
const ug_dataset_metadata *ug_pds_metadata(const ug_pds *pds);

/* ------------------------------------------------------- PubSubConnection -- */

/* A custom link instead of a transport URL: the connection calls send for
 * every message; incoming messages are passed to ug_ps_connection_receive.
 * For in-process links and tests. */
typedef struct ug_ps_link {
    ug_status (*send)(void *ctx, const uint8_t *msg, size_t len);
    void *ctx;
} ug_ps_link;

typedef struct ug_connection_config {
    const char *name;
    ug_publisher_id publisher_id; /* numeric, or String (copied) */
    const char *url;              /* opc.udp://..., opc.eth://...; NULL with link */
    /* Typed transport options (errbuf ignored). Broker defaults taken from the
     * writer groups when left zero: the MQTT 5 content type and the AMQP body
     * type from the first group's encoding; the MQTT keep alive and the AMQP
     * idle time-out 1.5 x the largest KeepAliveTime. */
    ug_transport_opts transport;
    const ug_ps_link *link;       /* instead of url */
    uint32_t max_chunked_size;    /* largest reassembled DataSetMessage; 0: 1 MiB */
} ug_connection_config;

/* The transport is opened when the connection becomes enabled under an
 * Operational root; it is PreOperational until the transport reports
 * CONNECTED.
 *   Good; BadInvalidArgument (neither url nor link, both, bad publisher id);
 *   BadTcpEndpointUrlInvalid (url); BadOutOfMemory. */
ug_status ug_pubsub_add_connection(ug_pubsub *ps, const ug_connection_config *cfg,
                                   ug_ps_connection **out);
/* Removes the connection and everything under it. */
void ug_ps_connection_remove(ug_ps_connection *c);
ug_ps_comp *ug_ps_connection_comp(ug_ps_connection *c);
/* The connection's open transport (for its kind's statistics calls, such as
 * ug_transport_mqtt_get_stats), NULL when none is open or with a link. Valid
 * until the connection leaves Operational/PreOperational. */
ug_transport *ug_ps_connection_transport(ug_ps_connection *c);
/* Hands one received message (UADP or JSON) to the connection, as its
 * transport does. rx_time_ns: CLOCK_REALTIME, 0 for now. The header is
 * decoded first; a message no reader's filter accepts is dropped and counted
 * (UG_PS_DROP_NO_READER) without decoding its payload. At most 64 readers of
 * a connection receive one message. Bad input is counted in decode_errors. */
void ug_ps_connection_receive(ug_ps_connection *c, const uint8_t *msg, size_t len,
                              int64_t rx_time_ns);

/* ----------------------------------------------------------- WriterGroup -- */

enum ug_ps_encoding {
    UG_PS_UADP = 0,
    UG_PS_JSON = 1,
};

/* UadpNetworkMessageContentMask, Part 14 §6.3.1.1.1. */
enum {
    UG_UADP_NM_PUBLISHER_ID = 1u << 0,
    UG_UADP_NM_GROUP_HEADER = 1u << 1,
    UG_UADP_NM_WRITER_GROUP_ID = 1u << 2,
    UG_UADP_NM_GROUP_VERSION = 1u << 3,
    UG_UADP_NM_NETWORK_MESSAGE_NUMBER = 1u << 4,
    UG_UADP_NM_SEQUENCE_NUMBER = 1u << 5,
    UG_UADP_NM_PAYLOAD_HEADER = 1u << 6,
    UG_UADP_NM_TIMESTAMP = 1u << 7,
    UG_UADP_NM_PICOSECONDS = 1u << 8,
    UG_UADP_NM_DATASET_CLASS_ID = 1u << 9,
    UG_UADP_NM_PROMOTED_FIELDS = 1u << 10,
};
#define UG_UADP_NM_DEFAULT                                                                  \
    (UG_UADP_NM_PUBLISHER_ID | UG_UADP_NM_GROUP_HEADER | UG_UADP_NM_WRITER_GROUP_ID |      \
     UG_UADP_NM_SEQUENCE_NUMBER | UG_UADP_NM_PAYLOAD_HEADER)

/* UadpDataSetMessageContentMask, Part 14 §6.3.1.3.1. */
enum {
    UG_UADP_DSM_TIMESTAMP = 1u << 0,
    UG_UADP_DSM_PICOSECONDS = 1u << 1,
    UG_UADP_DSM_STATUS = 1u << 2,
    UG_UADP_DSM_MAJOR_VERSION = 1u << 3,
    UG_UADP_DSM_MINOR_VERSION = 1u << 4,
    UG_UADP_DSM_SEQUENCE_NUMBER = 1u << 5,
};
#define UG_UADP_DSM_DEFAULT (UG_UADP_DSM_SEQUENCE_NUMBER | UG_UADP_DSM_MAJOR_VERSION)

/* DataSetFieldContentMask, Part 14 §6.2.4.2: any of the first five bits gives
 * DataValue field encoding, RawData gives RawData, none gives Variant. */
enum {
    UG_FIELD_STATUS = 1u << 0,
    UG_FIELD_SOURCE_TIMESTAMP = 1u << 1,
    UG_FIELD_SERVER_TIMESTAMP = 1u << 2,
    UG_FIELD_SOURCE_PICOSECONDS = 1u << 3,
    UG_FIELD_SERVER_PICOSECONDS = 1u << 4,
    UG_FIELD_RAW_DATA = 1u << 5,
};

typedef struct ug_writer_group_config {
    const char *name;
    uint16_t writer_group_id;
    int64_t publishing_interval_ns; /* > 0 */
    int64_t publishing_offset_ns;   /* on the grid of base_time_ns; 0..interval */
    int64_t base_time_ns;           /* MONOTONIC grid origin; 0: the engine's */
    int64_t keep_alive_ns;          /* 0: publishing interval */
    uint8_t priority;               /* groups due together: higher first (a
                                       deadline `priority` ns early) */
    uint32_t max_nm_size;           /* 0: UADP 1472 (one Ethernet frame of UDP), JSON 64 KiB */
    uint8_t encoding;               /* enum ug_ps_encoding */
    uint32_t uadp_nm_mask;          /* UG_UADP_NM_*; 0: UG_UADP_NM_DEFAULT */
    uint32_t json_nm_mask;          /* UG_JSON_NM_*; 0: UG_JSON_LAYOUT_NETWORK_MESSAGE */
    uint32_t group_version;
    /* Also send metadata on the connection. Broker connections (mqtt, amqp)
     * always do: retained on the MQTT metadata topic, subject ua-metadata on
     * AMQP (Part 14 §7.3.4.6, §7.3.5.7). */
    bool announce_metadata;
} ug_writer_group_config;

/*   Good; BadInvalidArgument (interval <= 0, offset outside [0, interval),
 *   keep-alive shorter than the interval, unknown encoding); BadAlreadyExists
 *   (WriterGroupId taken on the connection); BadOutOfMemory. */
ug_status ug_ps_connection_add_writer_group(ug_ps_connection *c, const ug_writer_group_config *cfg,
                                            ug_writer_group **out);
/* Changes a group at run time (interval, offset, masks, ...): its timer is
 * re-armed and its frame rebuilt; writers keep their sequence numbers. */
ug_status ug_writer_group_update(ug_writer_group *g, const ug_writer_group_config *cfg);
void ug_writer_group_remove(ug_writer_group *g);
ug_ps_comp *ug_writer_group_comp(ug_writer_group *g);
/* Publish one cycle now, outside the timer (tests, event-driven groups).
 *   Good; BadInvalidState (not Operational); the encoder's/transport's status. */
ug_status ug_writer_group_publish(ug_writer_group *g);
/* Whether the group's frames are produced by the fixed-layout fast path
 * (chosen automatically whenever the layout is fixed). */
bool ug_writer_group_is_fixed(const ug_writer_group *g);

/* --------------------------------------------------------- DataSetWriter -- */

typedef struct ug_dataset_writer_config {
    const char *name;
    uint16_t writer_id;         /* DataSetWriterId, > 0 */
    uint32_t key_frame_count;   /* 1: key frames only; 0: 1 */
    uint32_t field_mask;        /* UG_FIELD_* */
    uint32_t uadp_dsm_mask;     /* UG_UADP_DSM_*; 0: UG_UADP_DSM_DEFAULT */
    /* UG_JSON_DSM_*; 0: the json codec's default. One NetworkMessage has one
     * mask: a group uses its first writer's. */
    uint32_t json_dsm_mask;
    uint16_t configured_size;   /* UADP: pad each DataSetMessage to this size */
    ug_pds *pds;                /* the PublishedDataSet written */
} ug_dataset_writer_config;

/*   Good; BadInvalidArgument (no dataset, id 0); BadAlreadyExists (id taken
 *   in the group); BadOutOfMemory. */
ug_status ug_writer_group_add_writer(ug_writer_group *g, const ug_dataset_writer_config *cfg,
                                     ug_dataset_writer **out);
/* Changes a writer at run time (masks, KeyFrameCount, its dataset, ...): it
 * restarts with a key frame, keeps its sequence number and announces its
 * metadata again. Statuses as add; on failure the writer is unchanged. */
ug_status ug_dataset_writer_update(ug_dataset_writer *w, const ug_dataset_writer_config *cfg);
void ug_dataset_writer_remove(ug_dataset_writer *w);
ug_ps_comp *ug_dataset_writer_comp(ug_dataset_writer *w);

/* ----------------------------------------------------------- ReaderGroup -- */

typedef struct ug_reader_group_config {
    const char *name;
} ug_reader_group_config;

ug_status ug_ps_connection_add_reader_group(ug_ps_connection *c, const ug_reader_group_config *cfg,
                                            ug_reader_group **out);
void ug_reader_group_remove(ug_reader_group *g);
ug_ps_comp *ug_reader_group_comp(ug_reader_group *g);

/* --------------------------------------------------------- DataSetReader -- */

/* A DataSetMessage accepted by a reader, after its values were stored: the
 * decoded message (views valid until the callback returns). */
typedef void (*ug_ps_values_fn)(void *ctx, ug_dataset_reader *r, const ug_nm *nm,
                                const ug_dsm *dsm);

typedef struct ug_dataset_reader_config {
    const char *name;
    /* Filter, Part 14 §6.2.9.1-3: has_publisher_id false and ids 0 match
     * anything. */
    bool has_publisher_id;
    ug_publisher_id publisher_id;
    uint16_t writer_group_id;
    uint16_t writer_id;
    int64_t receive_timeout_ns; /* MessageReceiveTimeout; 0: none */
    /* Expected DataSetMetaData (fields, ConfigurationVersion). Needed for
     * RawData, target variables and the mirror; NULL accepts any fields and
     * only hands them to on_values. Deep-copied. */
    const ug_dataset_metadata *metadata;
    uint16_t configured_size;
    /* SubscribedDataSet, Part 14 §6.2.10: TargetVariables as store slots, one
     * per metadata field (UINT32_MAX: field not stored); NULL with
     * mirror = true: the engine adds one slot per field (the mirror). */
    const uint32_t *target_slots;
    bool mirror;
    ug_ps_values_fn on_values;
    void *cb_ctx;
    /* Decode arena, allocated once: it holds the DataSetMessages and fields
     * of one message (the whole message when this reader is the first it
     * matches). 0: 64 KiB, or room for 4 DataSetMessages of the metadata's
     * fields when that is more. */
    uint32_t arena_size;
} ug_dataset_reader_config;

/*   Good; BadInvalidArgument (target slots without metadata, slot out of
 *   range or of another type); BadOutOfMemory; BadResourceUnavailable (store
 *   full for the mirror). */
ug_status ug_reader_group_add_reader(ug_reader_group *g, const ug_dataset_reader_config *cfg,
                                     ug_dataset_reader **out);
/* A reader is changed by removing it and adding the new configuration: its
 * target slots stay; a mirror gets new slots. */
void ug_dataset_reader_remove(ug_dataset_reader *r);
ug_ps_comp *ug_dataset_reader_comp(ug_dataset_reader *r);
/* Store slot of field i (mirror or target), UINT32_MAX when none. */
uint32_t ug_dataset_reader_slot(const ug_dataset_reader *r, uint16_t field);


#ifdef __cplusplus
}
#endif
#endif
