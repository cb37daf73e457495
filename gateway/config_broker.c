/* config_broker — "transportSettings" of broker connections and groups.
 *
 * The engine opens one transport per PubSubConnection, so a connection's
 * groups share one broker queue: a group's QueueName replaces the path of
 * the connection's URL, and two groups naming different queues are an error
 * (put them on two connections to the same broker). */
#include "config_broker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uagate/transport.h"

/* Part 14 §6.4.2.1 BrokerTransportQualityOfService, by value. */
static const char *const qos_names[] = {"NotSpecified", "BestEffort", "AtLeastOnce",
                                        "AtMostOnce", "ExactlyOnce", NULL};
static const char *const policy_names[] = {"DropOldest", "DropNewest", "Block", NULL};

static bool read_enum(cfg_rd *rd, json_t *o, const char *key, const char *const *names,
                      uint8_t *out)
{
    char *s = NULL;
    if (!cfg_string(rd, o, key, false, &s) || !s)
        return false;
    for (uint8_t i = 0; names[i]; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = i;
            free(s);
            return true;
        }
    char list[160];
    size_t k = 0;
    for (size_t i = 0; names[i] && k < sizeof list; i++)
        k += (size_t)snprintf(list + k, sizeof list - k, "%s\"%s\"", i ? ", " : "", names[i]);
    cfg_err(rd, key, "\"%s\" is not one of %s", s, list);
    free(s);
    return false;
}

void cfg_broker_read_conn(cfg_rd *rd, json_t *o, ug_cfg_conn *c)
{
    json_t *ts = cfg_object(rd, o, "transportSettings", false);
    if (!ts)
        return;
    static const char *const members[] = {
        "resourceUri", "authenticationProfileUri", "username", "password", "caFile",
        "certificateFile", "privateKeyFile", "tlsHostname", "clientId", "mqttVersion",
        "persistentSession", "queueSize", "queuePolicy", "queueFile", "reconnectMaxInterval", NULL};
    ug_cfg_broker *b = &c->broker;
    size_t old = cfg_push_key(rd, "transportSettings");
    cfg_check_members(rd, ts, members);
    b->present = true;
    cfg_string(rd, ts, "resourceUri", false, &b->resource_uri);
    cfg_string(rd, ts, "authenticationProfileUri", false, &b->auth_profile_uri);
    cfg_string(rd, ts, "username", false, &b->username);
    cfg_string(rd, ts, "password", false, &b->password);
    if (b->password && !b->username)
        cfg_err(rd, "password", "needs a username");
    cfg_string(rd, ts, "caFile", false, &b->ca_file);
    cfg_string(rd, ts, "certificateFile", false, &b->cert_file);
    cfg_string(rd, ts, "privateKeyFile", false, &b->key_file);
    if (!b->cert_file != !b->key_file)
        cfg_err(rd, b->cert_file ? "privateKeyFile" : "certificateFile",
                "certificateFile and privateKeyFile go together");
    cfg_string(rd, ts, "tlsHostname", false, &b->tls_hostname);
    cfg_string(rd, ts, "clientId", false, &b->client_id);
    cfg_bool(rd, ts, "persistentSession", false, &b->persistent_session);
    if (b->persistent_session && !b->client_id)
        cfg_err(rd, "persistentSession", "needs a clientId (the session is found by it)");
    /* An MQTT 5 session outlives its connection only with a Session Expiry
     * Interval, which libmosquitto 2.0 sends from its blocking connect only:
     * the transport keeps persistent sessions on 3.1.1 (no content type). */
    char *v = NULL;
    b->mqtt_version = b->persistent_session ? UG_MQTT_V311 : UG_MQTT_V5;
    if (cfg_string(rd, ts, "mqttVersion", false, &v) && v) {
        if (strcmp(v, "3.1.1") == 0)
            b->mqtt_version = UG_MQTT_V311;
        else if (strcmp(v, "5") != 0)
            cfg_err(rd, "mqttVersion", "\"%s\" is not an MQTT version (use \"3.1.1\" or \"5\")", v);
        else if (b->persistent_session)
            cfg_err(rd, "mqttVersion", "persistentSession needs MQTT 3.1.1 (libmosquitto 2.0 "
                                       "cannot keep an MQTT 5 session from the event loop)");
        else
            b->mqtt_version = UG_MQTT_V5;
    }
    free(v);
    uint64_t u;
    cfg_uint(rd, ts, "queueSize", false, 1, 1048576, 0, &u);
    b->queue_max = (uint32_t)u;
    read_enum(rd, ts, "queuePolicy", policy_names, &b->queue_policy);
    cfg_string(rd, ts, "queueFile", false, &b->queue_file);
    /* A gateway should be back within a second of its broker (issue 6
     * target), so the back-off is capped at 1 s unless configured. */
    int64_t ns = 0;
    if (cfg_duration(rd, ts, "reconnectMaxInterval", false, 0, &ns) && ns &&
        (ns < 100000000 || ns > 3600000000000LL))
        cfg_err(rd, "reconnectMaxInterval", "must be within 100ms..1h");
    b->reconnect_max_ms = (uint32_t)(ns / 1000000);
    cfg_pop(rd, old);
}

void cfg_broker_read_group(cfg_rd *rd, json_t *o, ug_cfg_broker_group *g)
{
    json_t *ts = cfg_object(rd, o, "transportSettings", false);
    if (!ts)
        return;
    static const char *const members[] = {"queueName", "metaDataQueueName", "resourceUri",
                                          "authenticationProfileUri",
                                          "requestedDeliveryGuarantee", NULL};
    size_t old = cfg_push_key(rd, "transportSettings");
    cfg_check_members(rd, ts, members);
    g->present = true;
    cfg_string(rd, ts, "queueName", false, &g->queue_name);
    cfg_string(rd, ts, "metaDataQueueName", false, &g->metadata_queue_name);
    cfg_string(rd, ts, "resourceUri", false, &g->resource_uri);
    cfg_string(rd, ts, "authenticationProfileUri", false, &g->auth_profile_uri);
    read_enum(rd, ts, "requestedDeliveryGuarantee", qos_names, &g->qos);
    cfg_pop(rd, old);
}

static bool str_eq(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* The URL with its path replaced by queue; '%', '#', '?' and ' ' are
 * %-encoded so the URL parser gives the queue back unchanged. */
static char *with_queue(const char *url, const char *queue)
{
    const char *host = strstr(url, "://");
    if (!host)
        return NULL;
    const char *path = strchr(host + 3, '/');
    size_t base = path ? (size_t)(path - url) : strlen(url);
    size_t n = base + 2 + 3 * strlen(queue) + 1;
    char *s = malloc(n);
    if (!s)
        return NULL;
    memcpy(s, url, base);
    size_t k = base;
    if (queue[0] != '/')
        s[k++] = '/';
    for (const char *q = queue; *q; q++) {
        if (*q == '%' || *q == '#' || *q == '?' || *q == ' ')
            k += (size_t)snprintf(s + k, n - k, "%%%02X", (unsigned char)*q);
        else
            s[k++] = *q;
    }
    s[k] = '\0';
    return s;
}

static void check_group(cfg_rd *rd, ug_cfg_conn *c, const ug_cfg_broker_group *g,
                        const char *list, size_t i, const char **queue, const char **qsrc,
                        bool writer)
{
    size_t old = cfg_push_key(rd, list);
    size_t mid = cfg_push_index(rd, i);
    if (!c->broker.kind) {
        cfg_err(rd, "transportSettings", "only for mqtt://, mqtts://, amqp:// and amqps:// connections");
    } else {
        if (g->queue_name) {
            if (*queue && strcmp(*queue, g->queue_name) != 0)
                cfg_err(rd, "transportSettings",
                        "queueName \"%s\" differs from \"%s\" of %s: one connection has one "
                        "queue; put the groups on two connections", g->queue_name, *queue, *qsrc);
            *queue = g->queue_name;
            *qsrc = list;
        }
        if (g->qos) {
            if (c->broker.qos && c->broker.qos != g->qos)
                cfg_err(rd, "transportSettings",
                        "requestedDeliveryGuarantee differs from another group's on this connection");
            c->broker.qos = g->qos;
        }
        if (g->metadata_queue_name) {
            if (!writer || c->broker.kind != UG_TRANSPORT_MQTT)
                cfg_err(rd, "transportSettings", "metaDataQueueName is for MQTT writer groups only");
            else if (!c->broker.metadata_queue_name &&
                     !(c->broker.metadata_queue_name = strdup(g->metadata_queue_name)))
                cfg_err(rd, NULL, "out of memory");
        }
    }
    cfg_pop(rd, mid);
    cfg_pop(rd, old);
}

/* Part 14 §6.4.2 broker settings into the transport's typed options. */
void ug_cfg_broker_transport_opts(const ug_cfg_conn *cc, ug_transport_opts *t)
{
    const ug_cfg_broker *b = &cc->broker;
    if (b->kind == UG_TRANSPORT_MQTT) {
        ug_mqtt_opts *m = &t->mqtt;
        m->version = (enum ug_mqtt_version)b->mqtt_version;
        int q = ug_mqtt_qos_of(b->qos);
        m->qos = q < 0 ? 0 : q;
        m->client_id = b->client_id;
        m->persistent_session = b->persistent_session;
        m->username = b->username;
        m->password = b->password;
        m->ca_file = b->ca_file;
        m->cert_file = b->cert_file;
        m->key_file = b->key_file;
        m->metadata_topic = b->metadata_queue_name;
        m->queue_max_msgs = b->queue_max;
        m->queue_policy = (enum ug_mqtt_queue_policy)b->queue_policy;
        m->queue_file = b->queue_file;
        m->reconnect_max_ms = b->reconnect_max_ms ? b->reconnect_max_ms : 1000;
    } else if (b->kind == UG_TRANSPORT_AMQP) {
        ug_amqp_opts *a = &t->amqp;
        a->qos = (enum ug_amqp_qos)b->qos;
        a->user = b->username;
        a->password = b->password;
        a->ca_file = b->ca_file;
        a->cert_file = b->cert_file;
        a->key_file = b->key_file;
        a->tls_hostname = b->tls_hostname;
        a->queue_max = b->queue_max;
        a->queue_policy = (enum ug_amqp_queue_policy)b->queue_policy;
        a->reconnect_max_ms = b->reconnect_max_ms ? b->reconnect_max_ms : 1000;
    }
}

/* What the transport itself would refuse at open, found at load time. */
static void validate(cfg_rd *rd, const ug_cfg_conn *c)
{
    char why[200] = "";
    ug_transport_opts o = {.mode = UG_TRANSPORT_SEND | UG_TRANSPORT_RECV, .validate_only = true,
                           .max_msg = c->max_msg, .errbuf = why, .errbuf_cap = sizeof why};
    ug_cfg_broker_transport_opts(c, &o);
    ug_status st = ug_transport_open(NULL, c->address, &o, NULL, NULL);
    if (st != UG_STATUS_GOOD)
        cfg_err(rd, "transportSettings", "%s%s%s", ug_status_name(st), why[0] ? ": " : "", why);
}

void cfg_broker_resolve(cfg_rd *rd, ug_cfg_conn *c)
{
    ug_transport_url u;
    if (!c->address || ug_transport_url_parse(c->address, &u, NULL, 0) != UG_STATUS_GOOD)
        return; /* reported with the address */
    bool broker = u.kind == UG_TRANSPORT_MQTT || u.kind == UG_TRANSPORT_AMQP;
    c->broker.kind = broker ? (uint8_t)u.kind : 0;
    if (!c->broker.present)
        c->broker.mqtt_version = UG_MQTT_V5;
    if (!broker) {
        if (c->broker.present)
            cfg_err(rd, "transportSettings",
                    "only for mqtt://, mqtts://, amqp:// and amqps:// connections");
    } else {
        bool tls = u.kind == UG_TRANSPORT_MQTT ? u.mqtt.tls : u.amqp.tls;
        if (tls && !c->broker.ca_file)
            cfg_err(rd, "transportSettings", "%s needs caFile (the CAs that sign the broker's certificate)",
                    u.kind == UG_TRANSPORT_MQTT ? "mqtts://" : "amqps://");
        if (!tls && (c->broker.ca_file || c->broker.cert_file))
            cfg_err(rd, "transportSettings", "caFile and certificateFile need mqtts:// or amqps://");
        if (u.kind == UG_TRANSPORT_AMQP && (c->broker.client_id || c->broker.queue_file))
            cfg_err(rd, "transportSettings", "clientId and queueFile are for MQTT");
    }
    const char *queue = NULL, *qsrc = NULL;
    for (size_t i = 0; i < c->n_wgs; i++)
        if (c->wgs[i].broker.present)
            check_group(rd, c, &c->wgs[i].broker, "writerGroups", i, &queue, &qsrc, true);
    for (size_t i = 0; i < c->n_rgs; i++)
        if (c->rgs[i].broker.present)
            check_group(rd, c, &c->rgs[i].broker, "readerGroups", i, &queue, &qsrc, false);
    if (broker && queue) {
        char *nu = with_queue(c->address, queue);
        ug_transport_url check;
        char why[160] = "";
        if (!nu || ug_transport_url_parse(nu, &check, why, sizeof why) != UG_STATUS_GOOD) {
            cfg_err(rd, "address", "queueName \"%s\" does not make a valid address: %s", queue,
                    nu ? why : "out of memory");
            free(nu);
        } else {
            free(c->address);
            c->address = nu;
        }
    }
    if (broker && !rd->errors)
        validate(rd, c);
}

bool cfg_broker_equal(const ug_cfg_broker *a, const ug_cfg_broker *b)
{
    return a->present == b->present && a->kind == b->kind &&
           str_eq(a->resource_uri, b->resource_uri) &&
           str_eq(a->auth_profile_uri, b->auth_profile_uri) && str_eq(a->username, b->username) &&
           str_eq(a->password, b->password) && str_eq(a->ca_file, b->ca_file) &&
           str_eq(a->cert_file, b->cert_file) && str_eq(a->key_file, b->key_file) &&
           str_eq(a->tls_hostname, b->tls_hostname) && str_eq(a->client_id, b->client_id) &&
           str_eq(a->queue_file, b->queue_file) && a->mqtt_version == b->mqtt_version &&
           a->persistent_session == b->persistent_session && a->queue_max == b->queue_max &&
           a->queue_policy == b->queue_policy && a->qos == b->qos &&
           a->reconnect_max_ms == b->reconnect_max_ms &&
           str_eq(a->metadata_queue_name, b->metadata_queue_name);
}

static void free_group(ug_cfg_broker_group *g)
{
    free(g->queue_name);
    free(g->metadata_queue_name);
    free(g->resource_uri);
    free(g->auth_profile_uri);
}

void cfg_broker_free(ug_cfg_conn *c)
{
    ug_cfg_broker *b = &c->broker;
    free(b->resource_uri);
    free(b->auth_profile_uri);
    free(b->username);
    free(b->password);
    free(b->ca_file);
    free(b->cert_file);
    free(b->key_file);
    free(b->tls_hostname);
    free(b->client_id);
    free(b->queue_file);
    free(b->metadata_queue_name);
    for (size_t i = 0; c->wgs && i < c->n_wgs; i++)
        free_group(&c->wgs[i].broker);
    for (size_t i = 0; c->rgs && i < c->n_rgs; i++)
        free_group(&c->rgs[i].broker);
}
