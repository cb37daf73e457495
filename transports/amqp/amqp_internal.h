/* Private: the AMQP 1.0 transport's state (transports/amqp only).
 *
 * amqp.c runs the connection (socket, proton connection driver, reconnect,
 * send queue); amqp_msg.c builds and reads messages (Part 14 1.05 §7.3.4.7
 * header fields, property conversions).
 */
#ifndef UG_AMQP_INTERNAL_H
#define UG_AMQP_INTERNAL_H

#include <proton/codec.h>
#include <proton/connection_driver.h>
#include <proton/message.h>
#include <proton/ssl.h>

#include "../common/transport_impl.h"

enum amqp_entry_state {
    E_WAIT = 0,   /* encoded, not on a link yet */
    E_FLIGHT = 1, /* on a link, unsettled */
    E_DONE = 2,   /* settled; popped when it reaches the head */
};

/* One encoded message in the send queue. buf grows and is kept, so steady
 * state does not allocate. */
struct amqp_entry {
    uint8_t *buf;
    size_t len, cap;
    pn_delivery_t *dlv;
    uint8_t state;
    bool was_sent; /* a later send of it is a re-send */
};

struct ug_amqp {
    ug_transport *t;
    ug_transport_url url;
    struct sockaddr_storage sa;
    socklen_t salen;
    char *user, *password, *container, *tls_hostname;
    pn_ssl_domain_t *ssl;
    bool presettled;          /* BestEffort / AtMostOnce */
    const char *content_type;
    uint32_t keep_alive_ms, credit, backoff_min_ms, backoff_max_ms, backoff_ms;
    enum ug_amqp_queue_policy policy;
    pn_data_t *conn_props, *link_props;
    pn_data_t *app_props;     /* key, value, key, value ... (no map around) */
    pn_message_t *tx;         /* standard properties set once at open */
    pn_message_t *rx;
    uint8_t id_prefix[8];     /* message-id: random prefix, then a counter */
    uint64_t id_counter, tag_counter;

    /* the current connection */
    int fd;
    bool connecting;          /* non-blocking connect in progress */
    bool have_driver;
    pn_connection_driver_t drv;
    pn_session_t *ssn;
    pn_link_t *snd, *rcv;
    bool up;                  /* links attached, CONNECTED reported */
    bool ever_up;
    struct ug_watch watch;
    bool watching;
    uint32_t wevents;
    struct ug_timer tick, retry;

    /* the send queue: a ring of qcap entries from qhead; the first qnext
     * have been on the current connection's link */
    struct amqp_entry *q;
    uint32_t qcap, qhead, qlen, qnext;

    /* receive */
    uint8_t *rxbuf;
    size_t rxcap, rxlen;
    bool in_recv;             /* inside on_recv: rx accessors valid */
    char rx_id[48];           /* text form of the received message-id */

    bool in_pump, closing;
    ug_amqp_stats stats;
};

static inline struct ug_amqp *amqp_of(const ug_transport *t)
{
    return (struct ug_amqp *)t->u.broker;
}

static inline struct amqp_entry *amqp_at(struct ug_amqp *a, uint32_t i)
{
    return &a->q[(a->qhead + i) % a->qcap];
}

/* amqp.c: events in, bytes out, until neither moves. */
void ug_amqp_pump(struct ug_amqp *a);
/* Records the first reason of the current connection attempt. */
void ug_amqp_set_error(struct ug_amqp *a, ug_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* amqp_queue.c */
/* Pops settled entries at the head. */
void ug_amqp_pop_done(struct ug_amqp *a);
/* Puts queued messages on the link while it has credit, in order. */
void ug_amqp_flush(struct ug_amqp *a);

/* amqp_msg.c */
/* Checks and encodes the typed options into a's property data and its
 * message template. */
ug_status ug_amqp_props_init(struct ug_amqp *a, const ug_transport_opts *o);
/* Puts v as the Part 14 AMQP type; false (nothing put) for types left out. */
bool ug_amqp_put_variant(pn_data_t *d, const ug_variant *v);
/* Puts the flat key/value sequence `flat` as a map into d (nothing when empty). */
void ug_amqp_put_props_map(pn_data_t *d, pn_data_t *flat);
/* Encodes one message into e->buf (growing it). */
ug_status ug_amqp_encode(struct ug_amqp *a, struct amqp_entry *e, ug_bytes body,
                         const ug_amqp_send_info *info);
/* Decodes a->rxbuf into a->rx; *body is the data section. */
ug_status ug_amqp_decode(struct ug_amqp *a, ug_bytes *body);

#endif
