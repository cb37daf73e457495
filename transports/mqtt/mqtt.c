/* mqtt:// and mqtts:// transport (Part 14 1.04 §7.3.5, 1.05 §7.3.4; MQTT
 * 3.1.1 and 5) on libmosquitto, driven by uagate's loop: no library thread.
 * The library's socket sits in a readiness watch (read always, write while
 * mosquitto_want_write), a 1 s timer runs mosquitto_loop_misc (keep alive),
 * one one-shot timer is both the deadline of a connection attempt and the
 * doubling back-off before the next, and a bounded queue (mqtt_queue.c,
 * optionally mirrored to a file by mqtt_store.c) holds what is sent while
 * the broker is away or the connection is busy, so the library never holds
 * more than max_inflight unacknowledged messages.
 *
 * Connection states: connecting (socket open, no CONNACK yet; deadline
 * armed) -> connected -> lost (watch stopped, back-off armed) ->
 * connecting ...  Nothing here blocks except the name lookup libmosquitto
 * does inside its connect call (none for an IP literal).
 */#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "mqtt_impl.h"

static struct mq *mq_of(const ug_transport *t)
{
    return t && t->ops == &ug_mqtt_ops ? t->u.broker : NULL;
}

static void set_error(struct mq *m, ug_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_error(struct mq *m, ug_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->st.error, sizeof m->st.error, fmt, ap);
    va_end(ap);
    m->st.last_error = st;
}

static void report(struct mq *m, enum ug_transport_state state, ug_status st)
{
    if (!m->closing && m->t->cbs.on_state)
        m->t->cbs.on_state(m->t->cbs.ctx, m->t, state, st);
}

/* -------------------------------------------------------- loop glue -- */

static void on_io(ug_loop *loop, struct ug_watch *w, uint32_t revents);
static bool can_publish(const struct mq *m);
static void drain(struct mq *m);

void ug_mqtt_stop_watch(struct mq *m)
{
    if (m->watch_fd >= 0)
        ug_watch_stop(m->loop, &m->watch);
    m->watch_fd = -1;
}

/* Follows the library's socket and its wish to write. Called after every
 * library call that may open, close or queue. */
static void lost(struct mq *m, int rc);

static void sync_watch(struct mq *m)
{
    if (m->closing) {
        ug_mqtt_stop_watch(m);
        return;
    }
    int fd = mosquitto_socket(m->mosq);
    uint32_t ev = EPOLLIN | (mosquitto_want_write(m->mosq) ? EPOLLOUT : 0u);
    if (fd != m->watch_fd) {
        ug_mqtt_stop_watch(m);
        if (fd < 0)
            return;
        memset(&m->watch, 0, sizeof m->watch);
        ug_status st = ug_watch_start(m->loop, &m->watch, fd, ev, on_io, m);
        if (ug_is_bad(st)) {
            /* Cannot poll it: an attempt that failed (the next attempt
             * closes the socket). */
            m->connack_rc = 0;
            lost(m, MOSQ_ERR_UNKNOWN);
            return;
        }
        m->watch_fd = fd;
        m->watch_events = ev;
    } else if (fd >= 0 && ev != m->watch_events) {
        if (ug_is_good(ug_watch_modify(m->loop, &m->watch, ev)))
            m->watch_events = ev;
    }
}

static void arm_retry(struct mq *m)
{
    if (m->closing)
        return;
    int64_t at = ug_loop_now(m->loop) + (int64_t)m->backoff_ms * 1000000;
    ug_timer_start_once(m->loop, &m->retry, at);
    m->st.backoff_ms = m->backoff_ms;
    uint64_t next = (uint64_t)m->backoff_ms * 2;
    m->backoff_ms = next > m->backoff_max_ms ? m->backoff_max_ms : (uint32_t)next;
}

ug_status ug_mqtt_status_of(int rc)
{
    switch (rc) {
    case MOSQ_ERR_SUCCESS: return UG_STATUS_GOOD;
    case MOSQ_ERR_NOMEM: return UG_STATUS_BADOUTOFMEMORY;
    case MOSQ_ERR_CONN_LOST: return UG_STATUS_BADCONNECTIONCLOSED;
    case MOSQ_ERR_NO_CONN: return UG_STATUS_BADNOTCONNECTED;
    case MOSQ_ERR_TLS: return UG_STATUS_BADSECURITYCHECKSFAILED;
    case MOSQ_ERR_AUTH: return UG_STATUS_BADUSERACCESSDENIED;
    case MOSQ_ERR_EAI: return UG_STATUS_BADNOTFOUND;
    case MOSQ_ERR_PAYLOAD_SIZE: return UG_STATUS_BADENCODINGLIMITSEXCEEDED;
    case MOSQ_ERR_INVAL: return UG_STATUS_BADINVALIDARGUMENT;
    case MOSQ_ERR_NOT_SUPPORTED: return UG_STATUS_BADNOTSUPPORTED;
    case MOSQ_ERR_TIMEOUT: return UG_STATUS_BADTIMEOUT;
    default: return UG_STATUS_BADCOMMUNICATIONERROR;
    }
}

/* CONNACK return codes: MQTT 3.1.1 §3.2.2.3 (1..5) and MQTT 5 §3.2.2.2 reason
 * codes (>= 0x80). */
static ug_status status_of_connack(int rc)
{
    switch (rc) {
    case 4: case 5:
    case MQTT_RC_BAD_USERNAME_OR_PASSWORD:
    case MQTT_RC_NOT_AUTHORIZED:
    case MQTT_RC_BANNED:
        return UG_STATUS_BADUSERACCESSDENIED;
    case 2: case MQTT_RC_CLIENTID_NOT_VALID:
        return UG_STATUS_BADIDENTITYTOKENINVALID;
    case 1: case MQTT_RC_UNSUPPORTED_PROTOCOL_VERSION:
        return UG_STATUS_BADPROTOCOLVERSIONUNSUPPORTED;
    default:
        return UG_STATUS_BADCONNECTIONREJECTED;
    }
}

/* The connection is gone (or an attempt failed): bookkeeping and retry. */
static void lost(struct mq *m, int rc)
{
    int err = errno; /* before anything below can change it */
    ug_mqtt_stop_watch(m);
    /* The library may report one failure twice (a callback, then a closed
     * socket): the first report ends the attempt. */
    if (!m->attempt_live)
        return;
    m->attempt_live = false;
    if (rc == MOSQ_ERR_SUCCESS)
        rc = MOSQ_ERR_CONN_LOST; /* closed by the library without a code */
    bool was = m->connected, tls_setup = m->tls && !was;
    m->connected = false;
    m->handshaking = false;
    m->st.connected = false;
    m->st.subscribed = false;
    if (m->closing)
        return;
    ug_status st;
    if (m->connack_rc) {
        st = status_of_connack(m->connack_rc);
        set_error(m, st, "mqtt: %s:%d refused the connection: %s", m->host, m->port,
                  m->v5 ? mosquitto_reason_string(m->connack_rc)
                        : mosquitto_connack_string(m->connack_rc));
    } else if (tls_setup && (rc == MOSQ_ERR_TLS || rc == MOSQ_ERR_PROTOCOL ||
                             rc == MOSQ_ERR_CONN_LOST ||
                             (rc == MOSQ_ERR_ERRNO && err == EPROTO))) {
        /* With TLS 1.3 a broker refuses a client certificate after the
         * client's side of the handshake: the alert comes as a failed read
         * (libmosquitto says EPROTO) or a closed socket. */
        st = UG_STATUS_BADSECURITYCHECKSFAILED;
        set_error(m, st, "mqtt: %s:%d: TLS session failed or refused before CONNACK (%s)",
                  m->host, m->port, rc == MOSQ_ERR_ERRNO ? strerror(err) : mosquitto_strerror(rc));
    } else if (rc == MOSQ_ERR_ERRNO) {
        st = UG_STATUS_BADCOMMUNICATIONERROR;
        set_error(m, st, "mqtt: %s:%d: %s", m->host, m->port,
                  err ? strerror(err) : "socket error");
    } else if (rc == MOSQ_ERR_TIMEOUT) {
        st = UG_STATUS_BADTIMEOUT;
        set_error(m, st, "mqtt: %s:%d: no CONNACK within %u ms", m->host, m->port,
                  m->connect_timeout_ms);
    } else {
        st = was ? UG_STATUS_BADCONNECTIONCLOSED : ug_mqtt_status_of(rc);
        set_error(m, st, "mqtt: %s:%d: %s", m->host, m->port, mosquitto_strerror(rc));
    }
    m->connack_rc = 0;
    report(m, UG_TRANSPORT_ERROR, st);
    arm_retry(m);
}

static void on_io(ug_loop *loop, struct ug_watch *w, uint32_t revents)
{
    (void)loop;
    struct mq *m = w->data;
    int rc = MOSQ_ERR_SUCCESS;
    if (m->handshaking) {
        /* libmosquitto 2.0 exports no TLS connect step for foreign loops
         * (its select loop calls the internal one): one mosquitto_loop with
         * a zero time-out does that step without blocking, until CONNACK. */
        rc = mosquitto_loop(m->mosq, 0, 1);
    } else {
        if (revents & (EPOLLIN | EPOLLERR | EPOLLHUP))
            rc = mosquitto_loop_read(m->mosq, 1);
        if (rc == MOSQ_ERR_SUCCESS && mosquitto_socket(m->mosq) >= 0 &&
            (revents & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
            rc = mosquitto_loop_write(m->mosq, 1);
    }
    /* On an error the library has called cb_disconnect (which stopped the
     * watch) unless the attempt died before it had a session. */
    if (rc != MOSQ_ERR_SUCCESS || mosquitto_socket(m->mosq) < 0) {
        if (m->watch_fd >= 0)
            lost(m, rc);
        return;
    }
    /* The socket took what the library had: queued messages may follow. */
    if (m->q.count && can_publish(m))
        drain(m);
    else
        sync_watch(m);
}

void ug_mqtt_on_misc(ug_loop *loop, struct ug_timer *tm)
{
    (void)loop;
    struct mq *m = tm->data;
    if (m->watch_fd < 0 || m->handshaking)
        return;
    /* Keep alive: PINGREQ when due; a missing PINGRESP closes the socket. */
    int rc = mosquitto_loop_misc(m->mosq);
    if (m->watch_fd >= 0 && (rc != MOSQ_ERR_SUCCESS || mosquitto_socket(m->mosq) < 0))
        lost(m, rc);
    else
        sync_watch(m);
}

void ug_mqtt_on_retry(ug_loop *loop, struct ug_timer *tm)
{
    (void)loop;
    struct mq *m = tm->data;
    if (m->closing)
        return;
    if (m->watch_fd >= 0) {
        /* The attempt's deadline: a silent host, a stalled TLS handshake or
         * no CONNACK. The next attempt closes the socket. */
        if (!m->connected) {
            m->connack_rc = 0;
            lost(m, MOSQ_ERR_TIMEOUT);
        }
        return;
    }
    m->st.attempts++;
    m->connack_rc = 0;
    m->attempt_live = true;
    errno = 0;
    int rc = m->started ? mosquitto_reconnect_async(m->mosq)
                        : mosquitto_connect_bind_async(m->mosq, m->host, m->port,
                                                       m->keepalive_s, NULL);
    m->started = true;
    if (rc != MOSQ_ERR_SUCCESS || mosquitto_socket(m->mosq) < 0) {
        lost(m, rc == MOSQ_ERR_SUCCESS ? MOSQ_ERR_NO_CONN : rc);
        return;
    }
    m->handshaking = m->tls;
    ug_timer_start_once(m->loop, &m->retry,
                        ug_loop_now(m->loop) + (int64_t)m->connect_timeout_ms * 1000000);
    sync_watch(m);
}

/* ------------------------------------------------------------ sending -- */

static ug_status publish(struct mq *m, const uint8_t *data, uint32_t len, bool meta)
{
    /* Part 14 1.05 §6.4.2.5.6: metadata asks for at least AtLeastOnce,
     * whatever the data's QoS (with QoS 0 data it is not counted in the
     * in-flight window or in acked). */
    int qos = meta && m->qos == 0 ? 1 : m->qos;
    int rc = mosquitto_publish_v5(m->mosq, NULL, meta ? m->meta_topic : m->topic, (int)len,
                                  data, qos, meta, m->props);
    /* At QoS >= 1 the library stores the message before it writes, and a
     * write that finds the connection gone leaves it stored: it goes out
     * again after the reconnect, so it is sent, not lost. */
    bool kept = qos > 0 && (rc == MOSQ_ERR_NO_CONN || rc == MOSQ_ERR_CONN_LOST ||
                            rc == MOSQ_ERR_ERRNO);
    if (rc != MOSQ_ERR_SUCCESS && !kept)
        return ug_mqtt_status_of(rc);
    m->st.sent++;
    if (m->qos > 0)
        m->st.inflight++;
    return UG_STATUS_GOOD;
}

/* Whether the connection takes one more message now. QoS 0 waits while the
 * library still has bytes to write (the socket is full); QoS >= 1 also waits
 * for a free slot in the in-flight window. */
static bool can_publish(const struct mq *m)
{
    if (!m->connected || mosquitto_want_write(m->mosq))
        return false;
    return m->qos == 0 || m->st.inflight < m->max_inflight;
}

static void store_failed(struct mq *m)
{
    set_error(m, UG_STATUS_BADCOMMUNICATIONERROR,
              "mqtt: queue file write failed; the queue is in memory only now");
    report(m, UG_TRANSPORT_ERROR, UG_STATUS_BADCOMMUNICATIONERROR);
}

static void store_sync(struct mq *m)
{
    if (m->store.fd >= 0 && ug_is_bad(ug_mqtt_store_sync(&m->store, &m->q)))
        store_failed(m);
}

static void drain(struct mq *m)
{
    uint32_t len;
    uint8_t flags;
    while (can_publish(m) && ug_mqttq_peek(&m->q, &len, &flags)) {
        ug_mqttq_take(&m->q, m->scratch);
        ug_mqtt_store_pop(&m->store, 1);
        ug_status st = publish(m, m->scratch, len, flags & UG_MQTTQ_RETAIN);
        if (ug_is_bad(st)) {
            /* Taken but refused by the library (connection lost inside the
             * call): counted as dropped, never silently. */
            m->st.dropped++;
            break;
        }
    }
    store_sync(m);
    sync_watch(m);
}

static void on_drain(ug_loop *loop, struct ug_delayed *d)
{
    (void)loop;
    drain(d->data);
}

static ug_status enqueue(struct mq *m, const uint8_t *data, size_t len, bool meta)
{
    if (!ug_mqttq_ever_fits(&m->q, len)) {
        m->st.dropped++;
        return UG_STATUS_BADENCODINGLIMITSEXCEEDED;
    }
    if (!ug_mqttq_fits(&m->q, len)) {
        if (m->policy == UG_MQTT_BLOCK)
            return UG_STATUS_BADWOULDBLOCK;
        if (m->policy == UG_MQTT_DROP_NEWEST) {
            m->st.dropped++;
            return UG_STATUS_GOOD;
        }
        while (!ug_mqttq_fits(&m->q, len)) {
            ug_mqttq_drop(&m->q);
            ug_mqtt_store_pop(&m->store, 1);
            m->st.dropped++;
        }
        store_sync(m);
    }
    uint8_t flags = meta ? UG_MQTTQ_RETAIN : 0;
    ug_mqttq_push(&m->q, data, (uint32_t)len, flags);
    m->st.queued++;
    if (ug_is_bad(ug_mqtt_store_push(&m->store, data, (uint32_t)len, flags)))
        store_failed(m);
    return UG_STATUS_GOOD;
}

static ug_status submit(struct mq *m, const uint8_t *data, size_t len, bool meta)
{
    /* Order: nothing overtakes what is already queued. */
    if (m->q.count == 0 && can_publish(m)) {
        ug_status st = publish(m, data, (uint32_t)len, meta);
        sync_watch(m);
        if (ug_is_good(st))
            return st;
    }
    return enqueue(m, data, len, meta);
}

ug_status ug_mqtt_send(ug_transport *t, const uint8_t *data, size_t len,
                           int64_t launch_tai_ns)
{
    (void)launch_tai_ns;
    return submit(t->u.broker, data, len, false);
}

ug_status ug_transport_mqtt_send_metadata(ug_transport *t, ug_bytes body)
{
    struct mq *m = mq_of(t);
    if (!m || t->closing || !(t->mode & UG_TRANSPORT_SEND))
        return UG_STATUS_BADINVALIDSTATE;
    if (body.len < 0 || (body.len > 0 && !body.data))
        return UG_STATUS_BADINVALIDARGUMENT;
    if ((size_t)body.len > t->max_msg)
        return UG_STATUS_BADENCODINGLIMITSEXCEEDED;
    return submit(m, body.data, (size_t)body.len, true);
}

/* ------------------------------------------------- library callbacks -- */

static void cb_connect(struct mosquitto *mosq, void *obj, int rc, int flags,
                       const mosquitto_property *props)
{
    (void)mosq;
    (void)flags;
    (void)props;
    struct mq *m = obj;
    if (rc != 0) {
        m->connack_rc = rc; /* the library closes the socket next */
        return;
    }
    m->handshaking = false;
    m->connected = true;
    ug_timer_stop(m->loop, &m->retry);
    m->st.connected = true;
    if (m->ever_connected)
        m->st.reconnects++;
    m->ever_connected = true;
    m->backoff_ms = m->backoff_min_ms;
    m->st.backoff_ms = 0;
    m->st.last_error = UG_STATUS_GOOD;
    m->st.error[0] = '\0';
    if (m->recv)
        mosquitto_subscribe(m->mosq, NULL, m->topic, m->qos);
    /* After this callback the library re-sends the messages still in
     * flight; the queue goes out behind them, from the next iteration. */
    ug_loop_add_delayed(m->loop, &m->drain, on_drain, m);
    report(m, UG_TRANSPORT_CONNECTED, UG_STATUS_GOOD);
}

static void cb_subscribe(struct mosquitto *mosq, void *obj, int mid, int count,
                         const int *granted, const mosquitto_property *props)
{
    (void)mosq;
    (void)mid;
    (void)props;
    struct mq *m = obj;
    /* MQTT 3.1.1 §3.9.3: 0x80 is a refused subscription. */
    if (count >= 1 && granted[0] <= 2) {
        m->st.subscribed = true;
        return;
    }
    set_error(m, UG_STATUS_BADUSERACCESSDENIED, "mqtt: the broker refused the subscription to \"%s\"",
              m->topic);
    report(m, UG_TRANSPORT_ERROR, UG_STATUS_BADUSERACCESSDENIED);
}

static void cb_disconnect(struct mosquitto *mosq, void *obj, int rc,
                          const mosquitto_property *props)
{
    (void)mosq;
    (void)props;
    struct mq *m = obj;
    /* Runs inside a library call, before the library closes the socket. */
    lost(m, rc);
}

static void cb_publish(struct mosquitto *mosq, void *obj, int mid, int reason,
                       const mosquitto_property *props)
{
    (void)mosq;
    (void)mid;
    (void)props;
    struct mq *m = obj;
    if (m->qos == 0)
        return;
    if (m->st.inflight > 0)
        m->st.inflight--;
    if (reason < 0x80)
        m->st.acked++;
    else
        m->st.dropped++; /* MQTT 5: the broker refused it */
    if (m->q.count)
        ug_loop_add_delayed(m->loop, &m->drain, on_drain, m);
}

static void cb_message(struct mosquitto *mosq, void *obj, const struct mosquitto_message *msg,
                       const mosquitto_property *props)
{
    (void)mosq;
    struct mq *m = obj;
    ug_transport *t = m->t;
    if (m->closing || !m->recv || !t->cbs.on_recv)
        return;
    m->st.received++;
    ug_transport_addr addr = {.kind = UG_TRANSPORT_MQTT};
    ug_transport_msg tm = {.from = &addr, .rx_time_ns = ug_clock_real_ns()};
    tm.data.data = msg->payload;
    tm.data.len = msg->payloadlen;
    if ((uint32_t)msg->payloadlen > t->max_msg) {
        tm.data.len = (int32_t)t->max_msg;
        tm.truncated = true;
    }
    m->rx_msg = msg;
    m->rx_props = props;
    t->cbs.on_recv(t->cbs.ctx, t, &tm);
    m->rx_msg = NULL;
    m->rx_props = NULL;
    free(m->rx_ctype);
    m->rx_ctype = NULL;
}

ug_status ug_transport_mqtt_rx(ug_transport *t, ug_mqtt_rx *out)
{
    struct mq *m = mq_of(t);
    if (!m || !m->rx_msg || !out)
        return UG_STATUS_BADINVALIDSTATE;
    memset(out, 0, sizeof *out);
    out->topic = ug_string_from(m->rx_msg->topic);
    out->retained = m->rx_msg->retain;
    out->qos = m->rx_msg->qos;
    if (m->rx_props && !m->rx_ctype)
        mosquitto_property_read_string(m->rx_props, MQTT_PROP_CONTENT_TYPE, &m->rx_ctype,
                                       false);
    if (m->rx_ctype)
        out->content_type = ug_string_from(m->rx_ctype);
    return UG_STATUS_GOOD;
}

ug_status ug_transport_mqtt_get_stats(const ug_transport *t, ug_mqtt_stats *out)
{
    const struct mq *m = mq_of(t);
    if (!m || !out)
        return UG_STATUS_BADINVALIDSTATE;
    *out = m->st;
    out->queue_len = m->q.count;
    out->queue_bytes = ug_mqttq_payload_bytes(&m->q);
    return UG_STATUS_GOOD;
}

void ug_mqtt_set_callbacks(struct mosquitto *mosq)
{
    mosquitto_connect_v5_callback_set(mosq, cb_connect);
    mosquitto_disconnect_v5_callback_set(mosq, cb_disconnect);
    mosquitto_publish_v5_callback_set(mosq, cb_publish);
    mosquitto_message_v5_callback_set(mosq, cb_message);
    mosquitto_subscribe_v5_callback_set(mosq, cb_subscribe);
}
