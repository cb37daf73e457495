/* Private (transports/mqtt): the MQTT transport's state, shared by mqtt.c
 * (connection, sending, library callbacks) and mqtt_open.c (options, set-up,
 * close).
 */
#ifndef UG_MQTT_IMPL_H
#define UG_MQTT_IMPL_H

#include <mosquitto.h>
#include <mqtt_protocol.h>

#include "../common/transport_impl.h"
#include "mqtt_queue.h"
#include "mqtt_store.h"

#define DEFAULT_MAX_MSG (64u * 1024u)
/* MQTT 3.1.1 §2.2.3: Remaining Length is at most 268,435,455; leave room for
 * the topic and properties. */
#define MAX_MAX_MSG (256u * 1024u * 1024u - 65536u - 1024u)
#define DEFAULT_KEEPALIVE_S 60u
#define DEFAULT_INFLIGHT 20u
#define DEFAULT_QUEUE_MSGS 4096u
#define DEFAULT_QUEUE_BYTES (4u * 1024u * 1024u)
#define MAX_QUEUE_BYTES (1024u * 1024u * 1024u)
#define DEFAULT_BACKOFF_MIN_MS 100u
#define DEFAULT_BACKOFF_MAX_MS 10000u
#define DEFAULT_CONNECT_TIMEOUT_MS 10000u
#define MISC_INTERVAL_NS 1000000000LL

struct mq {
    ug_transport *t;
    ug_loop *loop;
    struct mosquitto *mosq;
    struct ug_watch watch;
    int watch_fd;             /* -1: no watch */
    uint32_t watch_events;
    struct ug_timer misc;     /* mosquitto_loop_misc */
    struct ug_timer retry;    /* next connection attempt */
    struct ug_delayed drain;  /* queue -> library, after a CONNACK or an ack */

    char host[UG_TRANSPORT_HOST_MAX];
    int port;
    char *topic;
    char *meta_topic;
    mosquitto_property *props; /* MQTT 5 PUBLISH properties (content type) */
    int qos;
    int keepalive_s;
    bool v5, tls, send, recv;

    bool started;             /* the first connect was made */
    bool attempt_live;        /* an attempt or a connection not yet reported lost */
    bool ever_connected;
    bool connected;           /* CONNACK accepted */
    bool handshaking;         /* TLS: socket open, no CONNACK yet */
    bool closing;
    int connack_rc;           /* refusal code of the last CONNACK, 0: none */
    uint32_t backoff_ms, backoff_min_ms, backoff_max_ms;
    uint32_t connect_timeout_ms;
    uint32_t max_inflight;
    enum ug_mqtt_queue_policy policy;
    struct ug_mqttq q;
    struct ug_mqtt_store store; /* fd -1: none */
    uint8_t *scratch;         /* one max_msg payload taken from the queue */

    /* inside on_recv only */
    const struct mosquitto_message *rx_msg;
    const mosquitto_property *rx_props;
    char *rx_ctype;           /* copy made by ug_transport_mqtt_rx, freed after on_recv */

    ug_mqtt_stats st;
};

/* mqtt.c */
ug_status ug_mqtt_status_of(int rc);
void ug_mqtt_set_callbacks(struct mosquitto *mosq);
void ug_mqtt_on_misc(ug_loop *loop, struct ug_timer *tm);
void ug_mqtt_on_retry(ug_loop *loop, struct ug_timer *tm);
void ug_mqtt_stop_watch(struct mq *m);
ug_status ug_mqtt_send(ug_transport *t, const uint8_t *data, size_t len, int64_t launch_tai_ns);

#endif
