/* mqtt transport: options, client set-up, open and close (see mqtt.c). */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mqtt_impl.h"

static pthread_once_t lib_once = PTHREAD_ONCE_INIT;
static int lib_rc = MOSQ_ERR_SUCCESS;

static void lib_init(void)
{
    lib_rc = mosquitto_lib_init();
}

/* ------------------------------------------------------ open / close -- */

static ug_status check_topic(const ug_transport_opts *o, const char *what, const char *topic,
                             bool publish)
{
    size_t n = strlen(topic);
    if (n == 0 || n > 65535)
        return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT, "mqtt: %s topic empty or too long",
                         what);
    /* MQTT 3.1.1 §4.7.1: a PUBLISH topic has no wildcards. */
    if (publish && strpbrk(topic, "+#"))
        return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT,
                         "mqtt: %s topic \"%s\" has a wildcard but the transport sends", what,
                         topic);
    if (!publish && mosquitto_sub_topic_check(topic) != MOSQ_ERR_SUCCESS)
        return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT,
                         "mqtt: \"%s\" is not a valid subscription (wildcards: whole levels)",
                         topic);
    return UG_STATUS_GOOD;
}

static ug_status check_file(const ug_transport_opts *o, const char *what, const char *path)
{
    if (path && access(path, R_OK) != 0) {
        int e = errno;
        return ug_tr_err(o, e == ENOENT ? UG_STATUS_BADNOTFOUND : UG_STATUS_BADUSERACCESSDENIED,
                         "mqtts: %s \"%s\": %s", what, path, strerror(e));
    }
    return UG_STATUS_GOOD;
}

static ug_status check_opts(ug_transport *t, const ug_transport_url *url,
                            const ug_transport_opts *o)
{
    const ug_mqtt_opts *mo = &o->mqtt;
    if (mo->qos < 0 || mo->qos > 2)
        return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT, "mqtt: QoS %d not in 0..2", mo->qos);
    if (mo->version != UG_MQTT_V311 && mo->version != UG_MQTT_V5)
        return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT, "mqtt: unknown protocol version");
    if (mo->keep_alive_s != 0 && (mo->keep_alive_s < 5 || mo->keep_alive_s > 65535))
        return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT, "mqtt: keep alive %u s not in 5..65535",
                         mo->keep_alive_s);
    if (mo->persistent_session && (!mo->client_id || !mo->client_id[0]))
        return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT,
                         "mqtt: a persistent session needs a stable client_id");
    if (mo->client_id && strlen(mo->client_id) > 65535)
        return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT, "mqtt: client_id too long");
    /* An MQTT 5 session outlives the connection only with a Session Expiry
     * Interval in CONNECT, which libmosquitto 2.0.11 sends only from its
     * blocking connect. */
    if (mo->persistent_session && mo->version == UG_MQTT_V5)
        return ug_tr_err(o, UG_STATUS_BADNOTSUPPORTED,
                         "mqtt: persistent sessions need MQTT 3.1.1 with libmosquitto 2.0");
    if (mo->password && !mo->username)
        return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT, "mqtt: password without username");
    if (url->mqtt.tls && !mo->ca_file)
        return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT, "mqtts: ca_file is required");
    if (!url->mqtt.tls && (mo->ca_file || mo->cert_file || mo->key_file))
        return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT,
                         "mqtt: TLS files given for mqtt:// (use mqtts://)");
    if (!mo->cert_file != !mo->key_file)
        return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT,
                         "mqtts: cert_file and key_file go together");
    if (mo->content_type > UG_MQTT_CONTENT_JSON)
        return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT, "mqtt: unknown content type");
    if (mo->content_type != UG_MQTT_CONTENT_NONE && mo->version != UG_MQTT_V5)
        return ug_tr_err(o, UG_STATUS_BADNOTSUPPORTED,
                         "mqtt: the content type property needs MQTT 5");
    if (mo->queue_policy > UG_MQTT_BLOCK)
        return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT, "mqtt: unknown queue policy");
    if (mo->max_inflight > 65535 || mo->queue_max_msgs > 1048576 ||
        mo->queue_max_bytes > MAX_QUEUE_BYTES)
        return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT,
                         "mqtt: max_inflight, queue_max_msgs or queue_max_bytes too large");
    if (mo->reconnect_min_ms && mo->reconnect_max_ms && mo->reconnect_min_ms > mo->reconnect_max_ms)
        return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT,
                         "mqtt: reconnect_min_ms above reconnect_max_ms");
    if (o->max_msg > MAX_MAX_MSG)
        return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT, "mqtt: max_msg above %u", MAX_MAX_MSG);
    t->max_msg = o->max_msg ? o->max_msg : DEFAULT_MAX_MSG;
    uint32_t qbytes = mo->queue_max_bytes ? mo->queue_max_bytes : DEFAULT_QUEUE_BYTES;
    if ((uint64_t)qbytes < (uint64_t)t->max_msg + UG_MQTTQ_HDR)
        return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT,
                         "mqtt: queue_max_bytes %u cannot hold one message of max_msg %u",
                         qbytes, t->max_msg);
    bool sends = t->mode & UG_TRANSPORT_SEND;
    ug_status st = check_topic(o, "the", url->mqtt.topic, sends);
    if (ug_is_good(st) && sends && mo->metadata_topic)
        st = check_topic(o, "the metadata", mo->metadata_topic, true);
    if (ug_is_good(st))
        st = check_file(o, "ca_file", mo->ca_file);
    if (ug_is_good(st))
        st = check_file(o, "cert_file", mo->cert_file);
    if (ug_is_good(st))
        st = check_file(o, "key_file", mo->key_file);
    return st;
}

static void free_mq(struct mq *m)
{
    ug_timer_stop(m->loop, &m->misc);
    ug_timer_stop(m->loop, &m->retry);
    ug_loop_remove_delayed(m->loop, &m->drain);
    ug_mqtt_stop_watch(m);
    if (m->mosq)
        mosquitto_destroy(m->mosq);
    mosquitto_property_free_all(&m->props);
    ug_mqtt_store_close(&m->store);
    ug_mqttq_free(&m->q);
    free(m->scratch);
    free(m->topic);
    free(m->meta_topic);
    free(m->rx_ctype);
    free(m);
}

static ug_status mosq_fail(const ug_transport_opts *o, int rc, const char *what)
{
    return ug_tr_err(o, ug_mqtt_status_of(rc), "mqtt: %s: %s", what, mosquitto_strerror(rc));
}

static ug_status setup_mosq(struct mq *m, const ug_transport_opts *o)
{
    const ug_mqtt_opts *mo = &o->mqtt;
    char gen[32];
    const char *id = mo->client_id;
    if (!id || !id[0]) {
        uint64_t r = (uint64_t)ug_clock_real_ns() ^ ((uint64_t)getpid() << 32) ^
                     (uint64_t)(uintptr_t)m;
        r ^= r >> 29;
        r *= 0xbf58476d1ce4e5b9ull;
        r ^= r >> 32;
        snprintf(gen, sizeof gen, "uagate-%016" PRIx64, r);
        id = gen;
    }
    m->mosq = mosquitto_new(id, !mo->persistent_session, m);
    if (!m->mosq)
        return ug_tr_err(o, errno == EINVAL ? UG_STATUS_BADINVALIDARGUMENT
                                            : UG_STATUS_BADOUTOFMEMORY,
                         "mqtt: cannot create the client");
    int rc = mosquitto_int_option(m->mosq, MOSQ_OPT_PROTOCOL_VERSION,
                                  m->v5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311);
    if (rc == MOSQ_ERR_SUCCESS)
        rc = mosquitto_int_option(m->mosq, MOSQ_OPT_TCP_NODELAY, 1);
    if (rc == MOSQ_ERR_SUCCESS)
        rc = mosquitto_max_inflight_messages_set(m->mosq, m->max_inflight);
    /* libmosquitto 2.0.11 loses incoming QoS 2 messages when the broker
     * fills the client's receive quota exactly (seen with 20 of 20, MQTT 3.1.1
     * and 5): keep the quota out of reach; the broker's own in-flight limit
     * (mosquitto: max_inflight_messages, 20) bounds what it sends anyway. */
    if (rc == MOSQ_ERR_SUCCESS)
        rc = mosquitto_int_option(m->mosq, MOSQ_OPT_RECEIVE_MAXIMUM, 65535);
    if (rc != MOSQ_ERR_SUCCESS)
        return mosq_fail(o, rc, "options");
    if (mo->username) {
        rc = mosquitto_username_pw_set(m->mosq, mo->username, mo->password);
        if (rc != MOSQ_ERR_SUCCESS)
            return mosq_fail(o, rc, "username");
    }
    if (m->tls) {
        rc = mosquitto_tls_set(m->mosq, mo->ca_file, NULL, mo->cert_file, mo->key_file, NULL);
        if (rc == MOSQ_ERR_SUCCESS) /* the broker's name is checked against its certificate */
            rc = mosquitto_tls_insecure_set(m->mosq, false);
        if (rc != MOSQ_ERR_SUCCESS)
            return mosq_fail(o, rc, "TLS set-up");
    }
    if (m->v5 && mo->content_type != UG_MQTT_CONTENT_NONE) {
        /* Part 14 1.05 §7.3.4.1: with MQTT 5 the Content Type names the body
         * encoding. */
        const char *ct = mo->content_type == UG_MQTT_CONTENT_JSON ? "application/json"
                                                                  : "application/opcua+uadp";
        rc = mosquitto_property_add_string(&m->props, MQTT_PROP_CONTENT_TYPE, ct);
        if (rc != MOSQ_ERR_SUCCESS)
            return mosq_fail(o, rc, "content type");
    }
    ug_mqtt_set_callbacks(m->mosq);
    return UG_STATUS_GOOD;
}

static ug_status mqtt_open(ug_transport *t, const ug_transport_url *url,
                           const ug_transport_opts *o)
{
    ug_status st = check_opts(t, url, o);
    if (ug_is_bad(st) || o->validate_only)
        return st;
    pthread_once(&lib_once, lib_init);
    if (lib_rc != MOSQ_ERR_SUCCESS)
        return mosq_fail(o, lib_rc, "library initialisation");

    const ug_mqtt_opts *mo = &o->mqtt;
    struct mq *m = calloc(1, sizeof *m);
    if (!m)
        return ug_tr_err(o, UG_STATUS_BADOUTOFMEMORY, "out of memory");
    m->t = t;
    m->loop = t->loop;
    m->watch_fd = -1;
    m->store.fd = -1;
    ug_timer_init(&m->misc, ug_mqtt_on_misc, m);
    ug_timer_init(&m->retry, ug_mqtt_on_retry, m);
    snprintf(m->host, sizeof m->host, "%s", url->host);
    m->port = url->port;
    m->qos = mo->qos;
    m->keepalive_s = (int)(mo->keep_alive_s ? mo->keep_alive_s : DEFAULT_KEEPALIVE_S);
    m->v5 = mo->version == UG_MQTT_V5;
    m->tls = url->mqtt.tls;
    m->send = t->mode & UG_TRANSPORT_SEND;
    m->recv = t->mode & UG_TRANSPORT_RECV;
    m->policy = mo->queue_policy;
    m->max_inflight = mo->max_inflight ? mo->max_inflight : DEFAULT_INFLIGHT;
    m->backoff_min_ms = mo->reconnect_min_ms ? mo->reconnect_min_ms : DEFAULT_BACKOFF_MIN_MS;
    m->backoff_max_ms = mo->reconnect_max_ms ? mo->reconnect_max_ms : DEFAULT_BACKOFF_MAX_MS;
    if (m->backoff_max_ms < m->backoff_min_ms)
        m->backoff_max_ms = m->backoff_min_ms;
    m->backoff_ms = m->backoff_min_ms;
    m->connect_timeout_ms = mo->connect_timeout_ms ? mo->connect_timeout_ms
                                                   : DEFAULT_CONNECT_TIMEOUT_MS;
    m->st.last_error = UG_STATUS_GOOD;

    m->topic = strdup(url->mqtt.topic);
    if (mo->metadata_topic) {
        m->meta_topic = strdup(mo->metadata_topic);
    } else if (m->topic) {
        /* Part 14 1.04 §7.3.5.8: MetaDataQueueName is recommended to be the
         * sub-topic $Metadata of QueueName. */
        size_t n = strlen(m->topic) + sizeof "/$Metadata";
        m->meta_topic = malloc(n);
        if (m->meta_topic)
            snprintf(m->meta_topic, n, "%s/$Metadata", m->topic);
    }
    st = (!m->topic || !m->meta_topic) ? UG_STATUS_BADOUTOFMEMORY : UG_STATUS_GOOD;
    /* The queue, its scratch buffer and its file exist for senders only. */
    if (ug_is_good(st) && m->send) {
        m->scratch = malloc(t->max_msg);
        st = m->scratch ? ug_mqttq_init(&m->q,
                                        mo->queue_max_msgs ? mo->queue_max_msgs
                                                           : DEFAULT_QUEUE_MSGS,
                                        mo->queue_max_bytes ? mo->queue_max_bytes
                                                            : DEFAULT_QUEUE_BYTES)
                        : UG_STATUS_BADOUTOFMEMORY;
    }
    if (ug_is_bad(st))
        ug_tr_err(o, st, "out of memory");
    if (ug_is_good(st) && m->send && mo->queue_file)
        st = ug_mqtt_store_open(&m->store, mo->queue_file, &m->q, &m->st.dropped, o);
    if (ug_is_good(st))
        st = setup_mosq(m, o);
    /* The first attempt runs from the loop, like every retry, so open never
     * waits for the network. */
    if (ug_is_good(st))
        st = ug_timer_start_cyclic(t->loop, &m->misc, MISC_INTERVAL_NS, 0,
                                   UG_TIMER_CURRENT_TIME);
    if (ug_is_good(st))
        st = ug_timer_start_once(t->loop, &m->retry, ug_clock_mono_ns());
    if (ug_is_bad(st)) {
        free_mq(m);
        return st;
    }
    t->u.broker = m;
    return UG_STATUS_GOOD;
}

static void finish_close(ug_loop *loop, struct ug_delayed *d)
{
    (void)loop;
    struct mq *m = d->data;
    ug_transport *t = m->t;
    /* Outside every library call now, so the client may go. A clean
     * DISCONNECT keeps the broker from treating it as a network loss. */
    if (m->connected)
        mosquitto_disconnect(m->mosq);
    free_mq(m);
    t->u.broker = NULL;
    ug_tr_closed(t);
}

static void mqtt_close(ug_transport *t)
{
    struct mq *m = t->u.broker;
    m->closing = true;
    ug_timer_stop(m->loop, &m->misc);
    ug_timer_stop(m->loop, &m->retry);
    ug_mqtt_stop_watch(m);
    /* ug_transport_close may run inside on_recv, inside the library: the
     * client is destroyed from the next iteration. */
    ug_loop_remove_delayed(m->loop, &m->drain);
    ug_loop_add_delayed(m->loop, &m->drain, finish_close, m);
}

static void mqtt_shutdown(ug_transport *t)
{
    if (t->u.broker)
        free_mq(t->u.broker);
    t->u.broker = NULL;
}

const struct ug_transport_ops ug_mqtt_ops = {
    .kind = UG_TRANSPORT_MQTT,
    .name = "mqtt",
    .open = mqtt_open,
    .send = ug_mqtt_send,
    .shutdown = mqtt_shutdown,
    .close = mqtt_close,
};
