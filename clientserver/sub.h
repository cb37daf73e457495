/* clientserver/sub.h — subscriptions and monitored items of one session
 * (Part 4 §5.13 Subscription services, §5.12 MonitoredItem services).
 *
 * Shape:
 *   struct ug_subs      one per session (ug_subs_new/ug_subs_free, called by
 *                       session.c): its subscriptions, its queue of Publish
 *                       requests (each a ug_svc_pending kept until a
 *                       NotificationMessage or keep-alive is due), a scratch
 *                       arena for sampling.
 *   struct sub          one subscription: revised parameters, the publishing
 *                       timer (ug_timer cyclic on the server's loop), the
 *                       Part 4 §5.13.1.2 counters (keep-alive, lifetime), the
 *                       next sequence number, the retransmission queue
 *                       (encoded NotificationMessages kept for Republish until
 *                       acknowledged), the list of items with queued values.
 *   struct sub_item     one monitored item: what it reads (ReadValueId, owned
 *                       copy), its filter, the last value that passed the
 *                       filter, its queue of values (a ring of per-slot
 *                       buffers reused from sample to sample).
 *   struct sub_group    the items of one subscription that share a sampling
 *                       interval, sampled by one ug_timer: 10,000 items at
 *                       100 ms cost one timer and 10 wake-ups a second.
 *
 * Costs: a sample reads the attribute through ug_aspace_read_attr into the
 * scratch arena and compares it to the item's last value (sub_filter_changed:
 * no allocation). Only a value that passes the filter is deep-copied, into the
 * item's own buffers, which grow and are then reused: scalars of fixed size
 * never allocate. A Publish that carries notifications allocates its response
 * from the request's arena and one block for the retransmission copy.
 *
 * Values written by the application or by Write reach items at once through
 * the address space's value-change hook (sub_watch.c); sampling on the
 * item's group timer covers every other source: callbacks, and asynchronous
 * sources, whose sample is their last completed value (the aspace offers no
 * way to start a device read from here).
 *
 * Creating N monitored items cheaply (bench/server): one CreateSubscription,
 * then CreateMonitoredItems requests of at most
 * limits.max_monitored_items_per_call items each (1000 by default; all with
 * the same samplingInterval, e.g. 100 ms, so that they share one sampling
 * timer) and a few Publish requests kept outstanding. Over the wire that is
 * what a client does; in process, call ug_svc_create_monitored_items with a
 * ug_svc_ctx whose session is the session (tests/clientserver/
 * test_monitored.c does, with ug_subs_set_lookup). Measured on the shared
 * 2-core VM: 10,000 items at 100 ms whose values change at every sample
 * cost the server process 4-6 % of one core with a client receiving
 * ~95,000 data changes/s over loopback (bench/server); with no changes,
 * about 1 % (sampling alone).
 *
 * Message size: a NotificationMessage carries one DataChangeNotification of
 * at most SUB_MAX_DATA_CHANGE_BYTES (past its first value); more values go
 * out in further messages with moreNotifications, answered at once while
 * the client keeps Publish requests queued.
 *
 * Lifetime: struct ug_subs is owned by its session (session.c frees it with
 * ug_subs_free); subscriptions, items, groups and retransmission entries are
 * owned by their ug_subs. A transferred subscription changes owner. Free
 * every ug_subs before the address space (the change hook points at them).
 * Threads: the server's loop thread only.
 */
#ifndef UG_CLIENTSERVER_SUB_H
#define UG_CLIENTSERVER_SUB_H

#include <stdbool.h>
#include <stdint.h>

#include "server_internal.h"

/* ----------------------------------------------------------- seams -- */

/* How a queued Publish request is answered. The default is the server's
 * pending mechanism (ug_svc_finish & co.); tests install their own. */
struct ug_subs_pending_ops {
    void (*finish)(ug_svc_pending *p, ug_status result);
    void *(*response)(ug_svc_pending *p);
    ug_arena *(*arena)(ug_svc_pending *p);
    bool (*orphaned)(const ug_svc_pending *p);
};
void ug_subs_set_pending_ops(struct ug_subs *subs, const struct ug_subs_pending_ops *ops);

/* How the service functions find a session's ug_subs. Default:
 * ug_session_subs (session.c). Tests install a lookup of their own; NULL
 * restores the default. */
void ug_subs_set_lookup(struct ug_subs *(*lookup)(ug_session *session));
struct ug_subs *ug_subs_lookup(const struct ug_svc_ctx *ctx);

/* Limits used by this ug_subs (a copy of the server's, or defaults when the
 * server is NULL). Tests may change them. */
struct ug_server_limits *ug_subs_limits(struct ug_subs *subs);

/* ----------------------------------------------------- value storage -- */

/* A DataValue with storage of its own: a deep copy whose strings, arrays
 * and nested values live in `mem`, reused by the next copy when it fits.
 * Lifetime: the holder owns mem; free it with sub_val_clear. A zeroed
 * holder is empty. */
struct sub_val {
    ug_datavalue dv;
    void *mem;
    uint32_t cap;
};
/* Deep copy of src into h (src must not point into h's own storage).
 * Returns Good, BadOutOfMemory, BadEncodingLimitsExceeded (nesting over 16,
 * value over 16 MiB); on failure h keeps its old value. */
ug_status sub_val_set(struct sub_val *h, const ug_datavalue *src);
void sub_val_clear(struct sub_val *h);

/* ------------------------------------------------------------ filter -- */

/* A DataChangeFilter resolved for one item (Part 4 §7.22.2). */
struct sub_filter {
    uint8_t trigger;        /* UG_DATA_CHANGE_TRIGGER_* */
    uint8_t deadband_type;  /* UG_DEADBAND_TYPE_* */
    double deadband_value;  /* as requested */
    double deadband_abs;    /* absolute width: value, or percent of EURange */
};

/* Parses and checks MonitoringParameters.filter for an item on attribute
 * attr of node. A null ExtensionObject gives the default (StatusValue, no
 * deadband). Returns Good, BadFilterNotAllowed (DataChangeFilter on an
 * attribute other than Value, deadband on a non-numeric value),
 * BadMonitoredItemFilterUnsupported (EventFilter, AggregateFilter, percent
 * deadband on a variable without EURange), BadMonitoredItemFilterInvalid
 * (undecodable or unknown filter, bad trigger), BadDeadbandFilterInvalid (bad
 * deadband type or value). */
ug_status sub_filter_parse(const ug_extension_object *eo, ug_aspace *as, const ug_nodeid *node,
                           uint32_t attr, const ug_datavalue *current, ug_arena *arena,
                           ug_datetime now, struct sub_filter *out);
/* True when `now` is a change against `last` under the filter. */
bool sub_filter_changed(const struct sub_filter *f, const ug_datavalue *last,
                        const ug_datavalue *now);

/* ------------------------------------------------------------- items -- */

struct sub;
struct sub_group;

struct sub_item {
    uint32_t id;
    uint32_t client_handle;
    struct sub *sub;
    ug_ReadValueId rv;        /* strings point into `owned` */
    void *owned;
    int32_t ttr;              /* TimestampsToReturn */
    uint8_t mode;             /* UG_MONITORING_MODE_* */
    bool discard_oldest;
    bool has_last;
    bool in_ready;
    bool watched;             /* reported by the aspace change hook */
    double sampling_ms;       /* revised */
    struct sub_filter filter;
    struct sub_val last;      /* last value that passed the filter */
    struct sub_val *q;        /* ring of q_cap slots */
    uint32_t q_cap, q_head, q_len;
    struct sub_group *group;
    uint32_t group_idx;
    struct sub_item *ready_prev, *ready_next;
    struct sub_item *watch_prev, *watch_next; /* same hash bucket (change hook) */
};

struct sub_group {
    struct sub *sub;
    int64_t interval_ns;
    struct ug_timer timer;
    struct sub_item **items;
    uint32_t n, cap;
    struct sub_group *next;
};

/* Offers a sampled or written value to an item: filter, copy, queue (with
 * the overflow rules of Part 4 §5.13.1.5). */
void sub_item_offer(struct sub_item *it, const ug_datavalue *dv);
/* Samples now (ug_aspace_read_attr) and offers the value. */
void sub_item_sample(struct sub_item *it, ug_datetime now);
/* Sets the monitoring mode (Part 4 §5.12.1.3): Disabled empties the queue
 * and forgets the last value; Reporting puts queued values up for publish. */
void sub_item_set_mode(struct sub_item *it, uint8_t mode);
/* Takes the oldest queued value (valid until the item is sampled again).
 * Returns false when the queue is empty. */
bool sub_item_pop(struct sub_item *it, ug_datavalue *out);
/* The oldest queued value without taking it, or NULL. */
const ug_datavalue *sub_item_peek(const struct sub_item *it);
/* Registers the item with its sampling group (or the change hook). Returns
 * Good or BadOutOfMemory. */
ug_status sub_item_schedule(struct sub_item *it);
void sub_item_unschedule(struct sub_item *it);
/* Resizes the queue keeping the newest values. Good or BadOutOfMemory. */
ug_status sub_item_set_queue(struct sub_item *it, uint32_t cap, bool discard_oldest);
/* Frees an item (unscheduled and unlinked first). */
void sub_item_free(struct sub_item *it);
/* Empties the queue (no notifications lost bookkeeping: used on delete). */
void sub_item_clear_queue(struct sub_item *it);

/* sub_watch.c: items on Value attributes hear of values written into the
 * address space at once, through the aspace's change hook (one registry per
 * aspace, hashed by NodeId). The hook is removed when the last item goes:
 * free every ug_subs before the aspace. add returns Good or BadOutOfMemory. */
ug_status sub_watch_add(struct sub_item *it);
void sub_watch_remove(struct sub_item *it);

/* ------------------------------------------------------ subscription -- */

struct sub_retx {
    struct sub_retx *next;
    uint32_t seq;
    uint32_t len;
    uint8_t data[]; /* UA Binary NotificationMessage */
};

struct sub {
    struct ug_subs *subs;
    struct sub *next;
    uint32_t id;
    double interval_ms;
    uint32_t lifetime_count;
    uint32_t keepalive_count;
    uint32_t max_notif;        /* 0: no limit */
    uint8_t priority;
    bool enabled;
    bool first_sent;           /* the first message (Part 4 §5.13.1.1) went out */
    bool late;                 /* something is due and no Publish was there */
    ug_status status_change;   /* Good: none; else a StatusChangeNotification is due
                                  and the subscription is closed (a zombie) */
    uint32_t keepalive_ctr;
    uint32_t lifetime_ctr;
    int64_t late_since_ns;
    uint32_t next_seq;
    struct ug_timer timer;
    struct sub_item **items;   /* by id - 1; NULL: free slot */
    uint32_t items_cap, n_items, items_free_hint;
    struct sub_group *groups;
    struct sub_item *ready_head, *ready_tail;
    uint32_t ready_values;     /* queued values of Reporting items */
    struct sub_retx *retx_head, *retx_tail;
    uint32_t n_retx;
};

struct ug_subs {
    ug_server *server;
    ug_session *session;
    ug_loop *loop;
    ug_aspace *aspace;
    struct ug_server_limits lim;
    const struct ug_subs_pending_ops *ops;
    struct sub *subs;          /* active and zombies */
    uint32_t n_active;
    uint32_t n_zombies;
    ug_svc_pending **pubq;     /* ring of queued Publish requests */
    uint32_t pubq_cap, pubq_head, pubq_len;
    ug_arena scratch;
    uint8_t scratch_buf[2048];
    struct ug_subs *reg_prev, *reg_next; /* all ug_subs of the process (Transfer) */
};

/* sub.c: the engine used by svc_subscription.c and svc_monitored.c. */
/* Takes loop and aspace from the service context (the first service call
 * tells ug_subs where it lives). */
void sub_bind(struct ug_subs *subs, const struct ug_svc_ctx *ctx);
/* An active subscription by id, or NULL. */
struct sub *sub_find(struct ug_subs *subs, uint32_t id);
/* Revises the requested parameters (Part 4 §5.13.2.2) into sub. */
void sub_revise(struct sub *s, double interval_ms, uint32_t lifetime, uint32_t keepalive,
                uint32_t max_notif);
/* Creates a subscription with revised parameters and starts its timer.
 * Returns Good, BadTooManySubscriptions, BadOutOfMemory. */
ug_status sub_create(struct ug_subs *subs, struct sub **out);
/* Restarts the publishing timer after a change of interval. */
ug_status sub_restart_timer(struct sub *s);
/* Deletes a subscription (items, timers, retransmission queue) and answers
 * queued Publish requests with BadNoSubscription when none is left. */
void sub_delete(struct sub *s);
/* The Publish service (Part 4 §5.13.5) and Republish (§5.13.6). */
ug_status sub_publish(struct ug_subs *subs, struct ug_svc_ctx *ctx, const ug_PublishRequest *req,
                      ug_PublishResponse *resp);
ug_status sub_republish(struct ug_subs *subs, struct ug_svc_ctx *ctx, uint32_t sub_id,
                        uint32_t seq, ug_RepublishResponse *resp);
/* Transfer (Part 4 §5.13.7): moves subscription id from any other ug_subs
 * of the same server into subs. */
ug_status sub_transfer(struct ug_subs *subs, uint32_t id, bool send_initial,
                       ug_TransferResult *res, ug_arena *arena);
/* Links/unlinks an item in its subscription's ready list. */
void sub_ready_link(struct sub_item *it);
void sub_ready_unlink(struct sub_item *it);
/* A client called a service on the subscription: the lifetime restarts. */
static inline void sub_touch(struct sub *s) { s->lifetime_ctr = 0; }

/* Defaults for limits that the server leaves 0. */
#define SUB_DEFAULT_MIN_INTERVAL_MS 10.0
#define SUB_MAX_INTERVAL_MS 3600000.0
#define SUB_DEFAULT_KEEPALIVE 10u
#define SUB_MAX_KEEPALIVE 10000u
#define SUB_MAX_LIFETIME 1000000u
#define SUB_DEFAULT_QUEUE_MAX 1000u
#define SUB_RETX_MIN 16u
/* Encoded size of one DataChangeNotification (past its first notification).
 * The body travels as an ExtensionObject ByteString, and decoders limit
 * those: uagate's own (ug_limits_default) at 65,535 bytes. */
#define SUB_MAX_DATA_CHANGE_BYTES 60000u

#endif
