/* mqtt:// transport (transports/mqtt) against a real mosquitto broker, which
 * tests/scripts/test_mqtt.sh starts and describes in UG_MQTT_* variables:
 * round trips at QoS 0/1/2, interoperation with mosquitto_pub/mosquitto_sub,
 * retained metadata, the MQTT 5 content type, passwords, TLS, a broker
 * restart in the middle of a QoS 1 stream, the queue policies and the
 * reconnect back-off. Without UG_MQTT_PORT it skips (run it through the
 * script). */
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"
#include "uagate/transport.h"

#define MAXSEQ 4096

static int g_port, g_pw_port, g_tls_port, g_dead_port, g_mtls_port;
static const char *g_ca, *g_other_ca, *g_user, *g_password, *g_ctl, *g_dir, *g_cert, *g_key;
static unsigned g_run; /* makes topics and client ids unique per run */

struct peer {
    ug_transport *t;
    int connected, errors, closed;
    ug_status last_err;
    uint32_t got;
    uint32_t seq[MAXSEQ]; /* sequence numbers in arrival order */
    uint32_t nseq;
    uint32_t retained;
    char topic[256];
    char payload[256];
    char ctype[64];
};

static void on_recv(void *ctx, ug_transport *t, const ug_transport_msg *m)
{
    struct peer *p = ctx;
    p->got++;
    size_t n = (size_t)m->data.len < sizeof p->payload - 1 ? (size_t)m->data.len
                                                           : sizeof p->payload - 1;
    if (n)
        memcpy(p->payload, m->data.data, n);
    p->payload[n] = '\0';
    unsigned v;
    if (sscanf(p->payload, "seq %u", &v) == 1 && p->nseq < MAXSEQ)
        p->seq[p->nseq++] = v;
    ug_mqtt_rx rx;
    CU_ASSERT_EQUAL_FATAL(ug_transport_mqtt_rx(t, &rx), UG_STATUS_GOOD);
    snprintf(p->topic, sizeof p->topic, "%.*s", (int)rx.topic.len, (const char *)rx.topic.data);
    snprintf(p->ctype, sizeof p->ctype, "%.*s", (int)rx.content_type.len,
             (const char *)rx.content_type.data);
    p->retained += rx.retained;
}

static void on_state(void *ctx, ug_transport *t, enum ug_transport_state s, ug_status st)
{
    (void)t;
    struct peer *p = ctx;
    if (s == UG_TRANSPORT_CONNECTED)
        p->connected++;
    else {
        p->errors++;
        p->last_err = st;
    }
}

static void on_closed(void *ctx, ug_transport *t)
{
    (void)t;
    ((struct peer *)ctx)->closed++;
}

static void tick(ug_loop *loop, struct ug_timer *t)
{
    (void)loop;
    (void)t;
}

struct env {
    ug_loop *loop;
    struct ug_timer tick; /* keeps run_once short */
};

static void env_open(struct env *e)
{
    CU_ASSERT_EQUAL_FATAL(ug_loop_new(NULL, &e->loop), UG_STATUS_GOOD);
    ug_timer_init(&e->tick, tick, NULL);
    CU_ASSERT_EQUAL_FATAL(ug_timer_start_cyclic(e->loop, &e->tick, 5000000, 0,
                                                UG_TIMER_CURRENT_TIME),
                          UG_STATUS_GOOD);
}

static void env_close(struct env *e)
{
    ug_timer_stop(e->loop, &e->tick);
    CU_ASSERT_EQUAL(ug_loop_close(e->loop, -1), UG_STATUS_GOOD);
}

/* Runs the loop until *flag reaches want or timeout_ms passes. */
static bool run_until(struct env *e, const volatile uint32_t *flag, uint32_t want,
                      int64_t timeout_ms)
{
    int64_t end = ug_clock_mono_ns() + timeout_ms * 1000000;
    while (*flag < want) {
        if (ug_clock_mono_ns() > end)
            return false;
        ug_loop_run_once(e->loop, true);
    }
    return true;
}

static bool run_until_int(struct env *e, const int *flag, int want, int64_t timeout_ms)
{
    int64_t end = ug_clock_mono_ns() + timeout_ms * 1000000;
    while (*flag < want) {
        if (ug_clock_mono_ns() > end)
            return false;
        ug_loop_run_once(e->loop, true);
    }
    return true;
}

static void run_for(struct env *e, int64_t ms)
{
    int64_t end = ug_clock_mono_ns() + ms * 1000000;
    while (ug_clock_mono_ns() < end)
        ug_loop_run_once(e->loop, true);
}

static bool subscribed(struct env *e, struct peer *p, int64_t timeout_ms)
{
    int64_t end = ug_clock_mono_ns() + timeout_ms * 1000000;
    ug_mqtt_stats s;
    for (;;) {
        if (ug_is_bad(ug_transport_mqtt_get_stats(p->t, &s)))
            return false;
        if (s.subscribed)
            return true;
        if (ug_clock_mono_ns() > end)
            return false;
        ug_loop_run_once(e->loop, true);
    }
}

static char errbuf[256];

static ug_status open_peer(struct env *e, struct peer *p, const char *url, unsigned mode,
                           const ug_mqtt_opts *mo)
{
    memset(p, 0, sizeof *p);
    ug_transport_opts o = {.mode = mode, .errbuf = errbuf, .errbuf_cap = sizeof errbuf};
    if (mo)
        o.mqtt = *mo;
    ug_transport_cbs cbs = {.ctx = p, .on_recv = on_recv, .on_state = on_state,
                            .on_closed = on_closed};
    errbuf[0] = '\0';
    return ug_transport_open(e->loop, url, &o, &cbs, &p->t);
}

static void close_peer(struct env *e, struct peer *p)
{
    if (!p->t)
        return;
    ug_transport_close(p->t);
    CU_ASSERT(run_until_int(e, &p->closed, 1, 3000));
    p->t = NULL;
}

static void url(char *buf, size_t cap, const char *scheme, const char *host, int port,
                const char *topic)
{
    snprintf(buf, cap, "%s://%s:%d/uagate/%u/%s", scheme, host, port, g_run, topic);
}

static ug_status send_seq(struct peer *p, unsigned i)
{
    char msg[64];
    int n = snprintf(msg, sizeof msg, "seq %u", i);
    return ug_transport_send(p->t, (ug_bytes){.data = (uint8_t *)msg, .len = n}, 0);
}

/* Every number 0..n-1 arrived, first arrivals in order (QoS 1 may repeat a
 * message the broker had already taken before a loss). */
static void check_seq(const struct peer *p, unsigned n)
{
    unsigned next = 0, dups = 0;
    for (uint32_t i = 0; i < p->nseq; i++) {
        if (p->seq[i] == next)
            next++;
        else if (p->seq[i] < next)
            dups++;
        else {
            fprintf(stderr, "  order: got %u, expected %u\n", p->seq[i], next);
            CU_FAIL("out of order or lost");
            return;
        }
    }
    if (next != n)
        fprintf(stderr, "  got %u of %u distinct (%u repeats)\n", next, n, dups);
    CU_ASSERT_EQUAL(next, n);
}

/* ------------------------------------------------------------------ tests */

static void test_options(void)
{
    struct env e;
    env_open(&e);
    struct peer p;
    char u[256];
    url(u, sizeof u, "mqtt", "127.0.0.1", g_port, "opts");
    ug_mqtt_opts mo = {.qos = 3};
    CU_ASSERT_EQUAL(open_peer(&e, &p, u, 0, &mo), UG_STATUS_BADINVALIDARGUMENT);
    mo = (ug_mqtt_opts){.persistent_session = true};
    CU_ASSERT_EQUAL(open_peer(&e, &p, u, 0, &mo), UG_STATUS_BADINVALIDARGUMENT);
    mo = (ug_mqtt_opts){.content_type = UG_MQTT_CONTENT_JSON};
    CU_ASSERT_EQUAL(open_peer(&e, &p, u, 0, &mo), UG_STATUS_BADNOTSUPPORTED);
    char w[256];
    url(w, sizeof w, "mqtt", "127.0.0.1", g_port, "%23");
    CU_ASSERT_EQUAL(open_peer(&e, &p, w, UG_TRANSPORT_SEND, NULL), UG_STATUS_BADINVALIDARGUMENT);
    CU_ASSERT_PTR_NULL(p.t);
    url(w, sizeof w, "mqtts", "127.0.0.1", g_tls_port, "x");
    CU_ASSERT_EQUAL(open_peer(&e, &p, w, 0, NULL), UG_STATUS_BADINVALIDARGUMENT);
    mo = (ug_mqtt_opts){.ca_file = "/nonexistent/ca.pem"};
    CU_ASSERT_EQUAL(open_peer(&e, &p, w, 0, &mo), UG_STATUS_BADNOTFOUND);
    CU_ASSERT_EQUAL(open_peer(&e, &p, "mqtt://127.0.0.1:1883", 0, NULL),
                    UG_STATUS_BADTCPENDPOINTURLINVALID);
    ug_transport_url pu;
    CU_ASSERT_EQUAL(ug_transport_url_parse("mqtts://[::1]/a/b%2Fc", &pu, NULL, 0), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(pu.kind, UG_TRANSPORT_MQTT);
    CU_ASSERT(pu.mqtt.tls);
    CU_ASSERT_EQUAL(pu.port, 8883);
    CU_ASSERT_STRING_EQUAL(pu.host, "::1");
    CU_ASSERT_STRING_EQUAL(pu.mqtt.topic, "a/b/c");
    CU_ASSERT_EQUAL(ug_transport_url_parse("MQTT://h:99/t", &pu, NULL, 0), UG_STATUS_GOOD);
    CU_ASSERT_FALSE(pu.mqtt.tls);
    CU_ASSERT_EQUAL(pu.port, 99);
    static const char *const bad[] = {"mqtt://h", "mqtt://h/", "mqtt://h:0/t", "mqtt://h:70000/t",
                                      "mqtt://h/a%2", "mqtt://h/a%00b", "mqtt:///t",
                                      "mqtt://h/a\tb"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CU_ASSERT_EQUAL(ug_transport_url_parse(bad[i], &pu, NULL, 0),
                        UG_STATUS_BADTCPENDPOINTURLINVALID);
    CU_ASSERT_EQUAL(ug_mqtt_qos_of(1), 0);
    CU_ASSERT_EQUAL(ug_mqtt_qos_of(2), 1);
    CU_ASSERT_EQUAL(ug_mqtt_qos_of(3), 0);
    CU_ASSERT_EQUAL(ug_mqtt_qos_of(4), 2);
    CU_ASSERT_EQUAL(ug_mqtt_qos_of(0), -1);
    /* A subscription with wildcards is fine for a receiver. */
    CU_ASSERT_EQUAL(open_peer(&e, &p, "mqtt://127.0.0.1:1/a/%2B/b/%23", UG_TRANSPORT_RECV,
                              &(ug_mqtt_opts){0}),
                    UG_STATUS_GOOD);
    close_peer(&e, &p);
    env_close(&e);
}

static void roundtrip(int qos, enum ug_mqtt_version v)
{
    struct env e;
    env_open(&e);
    struct peer rx, tx;
    char u[256], topic[32];
    snprintf(topic, sizeof topic, "rt/q%d/v%d", qos, (int)v);
    url(u, sizeof u, "mqtt", "127.0.0.1", g_port, topic);
    ug_mqtt_opts mo = {.qos = qos, .version = v};
    CU_ASSERT_EQUAL_FATAL(open_peer(&e, &rx, u, UG_TRANSPORT_RECV, &mo), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(open_peer(&e, &tx, u, UG_TRANSPORT_SEND, &mo), UG_STATUS_GOOD);
    CU_ASSERT(subscribed(&e, &rx, 3000));
    CU_ASSERT(run_until_int(&e, &tx.connected, 1, 3000));
    enum { N = 500 };
    for (unsigned i = 0; i < N; i++)
        CU_ASSERT_EQUAL(send_seq(&tx, i), UG_STATUS_GOOD);
    CU_ASSERT(run_until(&e, &rx.got, N, 5000));
    check_seq(&rx, N);
    CU_ASSERT_EQUAL(rx.retained, 0);
    ug_mqtt_stats s;
    CU_ASSERT_EQUAL(ug_transport_mqtt_get_stats(tx.t, &s), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(s.sent + s.queue_len, N);
    CU_ASSERT_EQUAL(s.dropped, 0);
    if (qos > 0) {
        run_for(&e, 100);
        ug_transport_mqtt_get_stats(tx.t, &s);
        CU_ASSERT_EQUAL(s.acked, N);
        CU_ASSERT_EQUAL(s.inflight, 0);
    }
    CU_ASSERT_EQUAL(ug_transport_mqtt_get_stats(rx.t, &s), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(s.received, N);
    close_peer(&e, &tx);
    close_peer(&e, &rx);
    env_close(&e);
}

static void test_qos0(void) { roundtrip(0, UG_MQTT_V311); }
static void test_qos1(void) { roundtrip(1, UG_MQTT_V311); }
static void test_qos2(void) { roundtrip(2, UG_MQTT_V311); }
static void test_qos1_v5(void) { roundtrip(1, UG_MQTT_V5); }
static void test_qos2_v5(void) { roundtrip(2, UG_MQTT_V5); }

/* uagate -> mosquitto_sub and mosquitto_pub -> uagate. */
static void test_interop(void)
{
    struct env e;
    env_open(&e);
    char u[256], t[128], cmd[768];
    url(u, sizeof u, "mqtt", "127.0.0.1", g_port, "interop");
    snprintf(t, sizeof t, "uagate/%u/interop", g_run);

    /* A persistent mosquitto_sub session first, so it misses nothing. */
    snprintf(cmd, sizeof cmd,
             "mosquitto_sub -h 127.0.0.1 -p %d -i ugsub%u -c -q 1 -t %s -E", g_port, g_run, t);
    CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
    struct peer tx, rx;
    ug_mqtt_opts mo = {.qos = 1};
    CU_ASSERT_EQUAL_FATAL(open_peer(&e, &tx, u, UG_TRANSPORT_SEND, &mo), UG_STATUS_GOOD);
    for (unsigned i = 0; i < 5; i++)
        CU_ASSERT_EQUAL(send_seq(&tx, i), UG_STATUS_GOOD);
    ug_mqtt_stats s = {0};
    for (int i = 0; i < 300 && s.acked < 5; i++) {
        ug_loop_run_once(e.loop, true);
        ug_transport_mqtt_get_stats(tx.t, &s);
    }
    CU_ASSERT_EQUAL(s.acked, 5);
    snprintf(cmd, sizeof cmd,
             "mosquitto_sub -h 127.0.0.1 -p %d -i ugsub%u -c -q 1 -t %s -C 5 -W 5", g_port,
             g_run, t);
    FILE *f = popen(cmd, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    char line[128];
    unsigned n = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned v;
        CU_ASSERT(sscanf(line, "seq %u", &v) == 1 && v == n);
        n++;
    }
    CU_ASSERT_EQUAL(pclose(f), 0);
    CU_ASSERT_EQUAL(n, 5);

    CU_ASSERT_EQUAL_FATAL(open_peer(&e, &rx, u, UG_TRANSPORT_RECV, &mo), UG_STATUS_GOOD);
    CU_ASSERT_FATAL(subscribed(&e, &rx, 3000));
    snprintf(cmd, sizeof cmd, "mosquitto_pub -h 127.0.0.1 -p %d -q 1 -t %s -m 'seq 0'",
             g_port, t);
    CU_ASSERT_EQUAL(system(cmd), 0);
    CU_ASSERT(run_until(&e, &rx.got, 1, 3000));
    CU_ASSERT_STRING_EQUAL(rx.payload, "seq 0");
    CU_ASSERT_STRING_EQUAL(rx.topic, t);
    close_peer(&e, &rx);
    close_peer(&e, &tx);
    env_close(&e);
}

/* Metadata retained on <topic>/$Metadata, data never retained. */
static void test_metadata(void)
{
    struct env e;
    env_open(&e);
    char u[256], all[256];
    url(u, sizeof u, "mqtt", "127.0.0.1", g_port, "meta");
    url(all, sizeof all, "mqtt", "127.0.0.1", g_port, "meta/%23");
    struct peer tx, late, late_data;
    ug_mqtt_opts mo = {.qos = 1};
    CU_ASSERT_EQUAL_FATAL(open_peer(&e, &tx, u, UG_TRANSPORT_SEND, &mo), UG_STATUS_GOOD);
    const char meta[] = "{\"MessageType\":\"ua-metadata\"}";
    CU_ASSERT_EQUAL(ug_transport_mqtt_send_metadata(
                        tx.t, (ug_bytes){.data = (uint8_t *)meta, .len = sizeof meta - 1}),
                    UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(send_seq(&tx, 0), UG_STATUS_GOOD);
    ug_mqtt_stats s = {0};
    for (int i = 0; i < 300 && s.acked < 2; i++) {
        ug_loop_run_once(e.loop, true);
        ug_transport_mqtt_get_stats(tx.t, &s);
    }
    CU_ASSERT_EQUAL(s.acked, 2);

    /* A late subscriber to everything below the topic gets the metadata
     * (retained) and not the data message (never retained). */
    CU_ASSERT_EQUAL_FATAL(open_peer(&e, &late, all, UG_TRANSPORT_RECV, &mo), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(open_peer(&e, &late_data, u, UG_TRANSPORT_RECV, &mo), UG_STATUS_GOOD);
    CU_ASSERT(run_until(&e, &late.got, 1, 3000));
    CU_ASSERT(subscribed(&e, &late_data, 3000));
    run_for(&e, 200);
    CU_ASSERT_EQUAL(late.got, 1);
    CU_ASSERT_EQUAL(late.retained, 1);
    CU_ASSERT_STRING_EQUAL(late.payload, meta);
    char want[128];
    snprintf(want, sizeof want, "uagate/%u/meta/$Metadata", g_run);
    CU_ASSERT_STRING_EQUAL(late.topic, want);
    CU_ASSERT_EQUAL(late_data.got, 0);
    /* Live data reaches a present subscriber without RETAIN. */
    CU_ASSERT_EQUAL(send_seq(&tx, 1), UG_STATUS_GOOD);
    CU_ASSERT(run_until(&e, &late_data.got, 1, 3000));
    CU_ASSERT_EQUAL(late_data.retained, 0);
    /* Clear the retained message so reruns on the same broker start clean. */
    CU_ASSERT_EQUAL(ug_transport_mqtt_send_metadata(tx.t, (ug_bytes){0}), UG_STATUS_GOOD);
    run_for(&e, 100);
    close_peer(&e, &late);
    close_peer(&e, &late_data);
    close_peer(&e, &tx);
    env_close(&e);
}

static void test_content_type(void)
{
    struct env e;
    env_open(&e);
    char u[256];
    url(u, sizeof u, "mqtt", "127.0.0.1", g_port, "ctype");
    struct peer tx, rx;
    ug_mqtt_opts mo = {.qos = 1, .version = UG_MQTT_V5, .content_type = UG_MQTT_CONTENT_JSON};
    CU_ASSERT_EQUAL_FATAL(open_peer(&e, &rx, u, UG_TRANSPORT_RECV, &mo), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(open_peer(&e, &tx, u, UG_TRANSPORT_SEND, &mo), UG_STATUS_GOOD);
    CU_ASSERT(subscribed(&e, &rx, 3000));
    CU_ASSERT(run_until_int(&e, &tx.connected, 1, 3000));
    CU_ASSERT_EQUAL(send_seq(&tx, 0), UG_STATUS_GOOD);
    CU_ASSERT(run_until(&e, &rx.got, 1, 3000));
    CU_ASSERT_STRING_EQUAL(rx.ctype, "application/json");
    close_peer(&e, &tx);
    close_peer(&e, &rx);

    /* Seen by mosquitto_sub as well: data not retained with its content type,
     * metadata retained (a late subscriber) with its content type. */
    CU_ASSERT_EQUAL_FATAL(open_peer(&e, &tx, u, UG_TRANSPORT_SEND, &mo), UG_STATUS_GOOD);
    CU_ASSERT(run_until_int(&e, &tx.connected, 1, 3000));
    char t[128], cmd[512], line[256];
    snprintf(t, sizeof t, "uagate/%u/ctype", g_run);
    snprintf(cmd, sizeof cmd,
             "mosquitto_sub -V 5 -h 127.0.0.1 -p %d -q 1 -t %s -C 1 -W 5 -F '%%r|%%q|%%C|%%t|%%p'",
             g_port, t);
    FILE *f = popen(cmd, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    run_for(&e, 500); /* mosquitto_sub connects and subscribes */
    CU_ASSERT_EQUAL(send_seq(&tx, 9), UG_STATUS_GOOD);
    run_for(&e, 100);
    char want[256];
    snprintf(want, sizeof want, "0|1|application/json|%s|seq 9\n", t);
    CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof line, f));
    CU_ASSERT_STRING_EQUAL(line, want);
    CU_ASSERT_EQUAL(pclose(f), 0);
    const char meta[] = "{}";
    CU_ASSERT_EQUAL(ug_transport_mqtt_send_metadata(
                        tx.t, (ug_bytes){.data = (uint8_t *)meta, .len = 2}),
                    UG_STATUS_GOOD);
    run_for(&e, 200);
    snprintf(cmd, sizeof cmd,
             "mosquitto_sub -V 5 -h 127.0.0.1 -p %d -t '%s/$Metadata' -C 1 -W 5 "
             "-F '%%r|%%q|%%C|%%p'",
             g_port, t);
    f = popen(cmd, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof line, f));
    CU_ASSERT_STRING_EQUAL(line, "1|0|application/json|{}\n");
    CU_ASSERT_EQUAL(pclose(f), 0);
    CU_ASSERT_EQUAL(ug_transport_mqtt_send_metadata(tx.t, (ug_bytes){0}), UG_STATUS_GOOD);
    run_for(&e, 100);
    close_peer(&e, &tx);

    /* UADP, and none with MQTT 3.1.1 */
    mo.content_type = UG_MQTT_CONTENT_UADP;
    CU_ASSERT_EQUAL_FATAL(open_peer(&e, &rx, u, UG_TRANSPORT_RECV, &mo), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(open_peer(&e, &tx, u, UG_TRANSPORT_SEND, &mo), UG_STATUS_GOOD);
    CU_ASSERT(subscribed(&e, &rx, 3000));
    CU_ASSERT(run_until_int(&e, &tx.connected, 1, 3000));
    CU_ASSERT_EQUAL(send_seq(&tx, 0), UG_STATUS_GOOD);
    CU_ASSERT(run_until(&e, &rx.got, 1, 3000));
    CU_ASSERT_STRING_EQUAL(rx.ctype, "application/opcua+uadp");
    close_peer(&e, &tx);
    close_peer(&e, &rx);
    env_close(&e);
}

static void test_password(void)
{
    struct env e;
    env_open(&e);
    char u[256];
    url(u, sizeof u, "mqtt", "127.0.0.1", g_pw_port, "pw");
    struct peer good, bad, none;
    ug_mqtt_opts mo = {.qos = 1, .username = g_user, .password = g_password};
    CU_ASSERT_EQUAL_FATAL(open_peer(&e, &good, u, 0, &mo), UG_STATUS_GOOD);
    CU_ASSERT(run_until_int(&e, &good.connected, 1, 3000));
    CU_ASSERT(subscribed(&e, &good, 3000));
    CU_ASSERT_EQUAL(send_seq(&good, 7), UG_STATUS_GOOD);
    CU_ASSERT(run_until(&e, &good.got, 1, 3000));

    const char wrong[] = "not-the-password";
    mo.password = wrong;
    mo.reconnect_min_ms = 50;
    mo.reconnect_max_ms = 200;
    CU_ASSERT_EQUAL_FATAL(open_peer(&e, &bad, u, 0, &mo), UG_STATUS_GOOD);
    CU_ASSERT(run_until_int(&e, &bad.errors, 2, 3000)); /* refused, then retried */
    CU_ASSERT_EQUAL(bad.connected, 0);
    CU_ASSERT_EQUAL(bad.last_err, UG_STATUS_BADUSERACCESSDENIED);
    ug_mqtt_stats s;
    CU_ASSERT_EQUAL(ug_transport_mqtt_get_stats(bad.t, &s), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(s.last_error, UG_STATUS_BADUSERACCESSDENIED);
    CU_ASSERT_FALSE(s.connected);
    CU_ASSERT(s.attempts >= 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(s.error, "refused"));
    CU_ASSERT_PTR_NULL(strstr(s.error, wrong));
    fprintf(stderr, "  wrong password: %s\n", s.error);
    /* Sends while refused are queued, not lost. */
    CU_ASSERT_EQUAL(send_seq(&bad, 1), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_transport_mqtt_get_stats(bad.t, &s), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(s.queue_len, 1);

    CU_ASSERT_EQUAL_FATAL(open_peer(&e, &none, u, 0, &(ug_mqtt_opts){.qos = 1}),
                          UG_STATUS_GOOD);
    CU_ASSERT(run_until_int(&e, &none.errors, 1, 3000));
    CU_ASSERT_EQUAL(none.last_err, UG_STATUS_BADUSERACCESSDENIED);
    close_peer(&e, &none);
    close_peer(&e, &bad);
    close_peer(&e, &good);
    env_close(&e);
}

static void tls_case(const char *host, int port, const char *ca, bool client_cert, bool ok)
{
    struct env e;
    env_open(&e);
    char u[256];
    url(u, sizeof u, "mqtts", host, port, "tls");
    struct peer p;
    ug_mqtt_opts mo = {.qos = 1, .ca_file = ca, .reconnect_min_ms = 50};
    if (client_cert) {
        mo.cert_file = g_cert;
        mo.key_file = g_key;
    }
    CU_ASSERT_EQUAL_FATAL(open_peer(&e, &p, u, 0, &mo), UG_STATUS_GOOD);
    if (ok) {
        CU_ASSERT(subscribed(&e, &p, 5000));
        CU_ASSERT_EQUAL(send_seq(&p, 3), UG_STATUS_GOOD);
        CU_ASSERT(run_until(&e, &p.got, 1, 3000));
        CU_ASSERT_STRING_EQUAL(p.payload, "seq 3");
    } else {
        CU_ASSERT(run_until_int(&e, &p.errors, 1, 5000));
        CU_ASSERT_EQUAL(p.connected, 0);
        ug_mqtt_stats s;
        ug_transport_mqtt_get_stats(p.t, &s);
        CU_ASSERT_EQUAL(s.last_error, UG_STATUS_BADSECURITYCHECKSFAILED);
        fprintf(stderr, "  refused TLS: %s (%s)\n", s.error, ug_status_name(s.last_error));
    }
    close_peer(&e, &p);
    env_close(&e);
}

static void test_tls(void)
{
    tls_case("127.0.0.1", g_tls_port, g_ca, false, true);
    tls_case("localhost", g_tls_port, g_ca, false, true);
    tls_case("127.0.0.1", g_tls_port, g_other_ca, false, false); /* wrong CA */
    tls_case("127.0.0.1", g_mtls_port, g_ca, true, true);        /* client certificate */
    tls_case("127.0.0.1", g_mtls_port, g_ca, false, false);      /* required, missing */
}

static bool ctl(const char *what)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s %s", g_ctl, what);
    return system(cmd) == 0;
}

/* QoS 1 across a broker restart: every message, in order. */
static void test_restart(void)
{
    struct env e;
    env_open(&e);
    char u[256], idr[64], idt[64];
    url(u, sizeof u, "mqtt", "127.0.0.1", g_port, "restart");
    snprintf(idr, sizeof idr, "ug-rx-%u", g_run);
    snprintf(idt, sizeof idt, "ug-tx-%u", g_run);
    struct peer rx, tx;
    ug_mqtt_opts mr = {.qos = 1, .client_id = idr, .persistent_session = true,
                       .reconnect_min_ms = 50, .reconnect_max_ms = 400};
    ug_mqtt_opts mt = mr;
    mt.client_id = idt;
    CU_ASSERT_EQUAL_FATAL(open_peer(&e, &rx, u, UG_TRANSPORT_RECV, &mr), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(open_peer(&e, &tx, u, UG_TRANSPORT_SEND, &mt), UG_STATUS_GOOD);
    CU_ASSERT_FATAL(subscribed(&e, &rx, 3000));
    CU_ASSERT(run_until_int(&e, &tx.connected, 1, 3000));
    enum { N = 3000, STOP_AT = 1000, START_AT = 2000 };
    for (unsigned i = 0; i < N; i++) {
        if (i == STOP_AT)
            CU_ASSERT_FATAL(ctl("stop"));
        if (i == START_AT)
            CU_ASSERT_FATAL(ctl("start"));
        CU_ASSERT_EQUAL(send_seq(&tx, i), UG_STATUS_GOOD);
        ug_loop_run_once(e.loop, false);
    }
    CU_ASSERT(run_until(&e, &rx.got, N, 15000));
    run_for(&e, 200);
    check_seq(&rx, N);
    ug_mqtt_stats s;
    ug_transport_mqtt_get_stats(tx.t, &s);
    fprintf(stderr, "  sender: sent %llu acked %llu queued %llu dropped %llu reconnects %llu\n",
            (unsigned long long)s.sent, (unsigned long long)s.acked,
            (unsigned long long)s.queued, (unsigned long long)s.dropped,
            (unsigned long long)s.reconnects);
    CU_ASSERT_EQUAL(s.dropped, 0);
    CU_ASSERT(s.reconnects >= 1);
    CU_ASSERT(s.queued > 0);
    CU_ASSERT(tx.errors >= 1);
    CU_ASSERT(tx.connected >= 2);
    ug_transport_mqtt_get_stats(rx.t, &s);
    CU_ASSERT(s.reconnects >= 1);
    close_peer(&e, &tx);
    close_peer(&e, &rx);
    env_close(&e);
}

/* The queue while the broker is away: bounds, policies, counters, and what
 * arrives when it is back. */
static void policy_case(enum ug_mqtt_queue_policy pol)
{
    struct env e;
    env_open(&e);
    char u[256], topic[32], idr[64];
    snprintf(topic, sizeof topic, "policy/%d", (int)pol);
    url(u, sizeof u, "mqtt", "127.0.0.1", g_port, topic);
    snprintf(idr, sizeof idr, "ug-prx-%u-%d", g_run, (int)pol);
    struct peer rx, tx;
    ug_mqtt_opts mr = {.qos = 1, .client_id = idr, .persistent_session = true};
    /* The receiver's session (and subscription) exist before the stop. */
    CU_ASSERT_EQUAL_FATAL(open_peer(&e, &rx, u, UG_TRANSPORT_RECV, &mr), UG_STATUS_GOOD);
    CU_ASSERT_FATAL(subscribed(&e, &rx, 3000));
    close_peer(&e, &rx);
    CU_ASSERT_FATAL(ctl("stop"));

    ug_mqtt_opts mt = {.qos = 1, .queue_max_msgs = 10, .queue_policy = pol,
                       .reconnect_min_ms = 50, .reconnect_max_ms = 100};
    CU_ASSERT_EQUAL_FATAL(open_peer(&e, &tx, u, UG_TRANSPORT_SEND, &mt), UG_STATUS_GOOD);
    run_for(&e, 100);
    for (unsigned i = 0; i < 15; i++) {
        ug_status st = send_seq(&tx, i);
        CU_ASSERT_EQUAL(st, pol == UG_MQTT_BLOCK && i >= 10 ? UG_STATUS_BADWOULDBLOCK
                                                             : UG_STATUS_GOOD);
    }
    ug_mqtt_stats s;
    ug_transport_mqtt_get_stats(tx.t, &s);
    CU_ASSERT_EQUAL(s.queue_len, 10);
    CU_ASSERT_EQUAL(s.queued, pol == UG_MQTT_DROP_OLDEST ? 15 : 10);
    CU_ASSERT_EQUAL(s.dropped, pol == UG_MQTT_BLOCK ? 0 : 5);
    CU_ASSERT_EQUAL(s.sent, 0);
    CU_ASSERT_FALSE(s.connected);
    CU_ASSERT(tx.errors >= 1);

    CU_ASSERT_FATAL(ctl("start"));
    CU_ASSERT(run_until_int(&e, &tx.connected, 1, 3000));
    for (int i = 0; i < 300 && s.acked < 10; i++) {
        ug_loop_run_once(e.loop, true);
        ug_transport_mqtt_get_stats(tx.t, &s);
    }
    CU_ASSERT_EQUAL(s.acked, 10);
    CU_ASSERT_EQUAL(s.queue_len, 0);
    CU_ASSERT_EQUAL_FATAL(open_peer(&e, &rx, u, UG_TRANSPORT_RECV, &mr), UG_STATUS_GOOD);
    CU_ASSERT(run_until(&e, &rx.got, 10, 3000));
    run_for(&e, 100);
    CU_ASSERT_EQUAL(rx.nseq, 10);
    unsigned first = pol == UG_MQTT_DROP_OLDEST ? 5 : 0;
    for (unsigned i = 0; i < rx.nseq && i < 10; i++)
        CU_ASSERT_EQUAL(rx.seq[i], first + i);
    close_peer(&e, &rx);
    close_peer(&e, &tx);
    env_close(&e);
}

static void test_drop_oldest(void) { policy_case(UG_MQTT_DROP_OLDEST); }
static void test_drop_newest(void) { policy_case(UG_MQTT_DROP_NEWEST); }
static void test_block(void) { policy_case(UG_MQTT_BLOCK); }

/* Nothing listens: attempts follow the doubling back-off up to its cap. */
static void test_backoff(void)
{
    struct env e;
    env_open(&e);
    char u[256];
    url(u, sizeof u, "mqtt", "127.0.0.1", g_dead_port, "dead");
    struct peer p;
    ug_mqtt_opts mo = {.reconnect_min_ms = 50, .reconnect_max_ms = 400};
    CU_ASSERT_EQUAL_FATAL(open_peer(&e, &p, u, 0, &mo), UG_STATUS_GOOD);
    run_for(&e, 1600);
    ug_mqtt_stats s;
    ug_transport_mqtt_get_stats(p.t, &s);
    /* attempts at 0, 50, 150, 350, 750, 1150, 1550 ms */
    fprintf(stderr, "  %llu attempts in 1.6 s, back-off now %u ms: %s\n",
            (unsigned long long)s.attempts, s.backoff_ms, s.error);
    CU_ASSERT(s.attempts >= 5 && s.attempts <= 8);
    CU_ASSERT_EQUAL(s.backoff_ms, 400);
    CU_ASSERT_EQUAL(s.last_error, UG_STATUS_BADCOMMUNICATIONERROR);
    CU_ASSERT_EQUAL((uint64_t)p.errors, s.attempts);
    CU_ASSERT_EQUAL(p.connected, 0);
    close_peer(&e, &p);
    env_close(&e);
}

static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    if (!d)
        return -1;
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

/* A host that takes the TCP connection and never answers: each attempt ends
 * at its deadline with BadTimeout, is retried, and leaks no socket. */
static void test_connect_timeout(void)
{
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    CU_ASSERT_FATAL(ls >= 0 && bind(ls, (struct sockaddr *)&a, sizeof a) == 0 &&
                    listen(ls, 16) == 0 && getsockname(ls, (struct sockaddr *)&a, &alen) == 0);
    struct env e;
    env_open(&e);
    char u[256];
    url(u, sizeof u, "mqtt", "127.0.0.1", ntohs(a.sin_port), "silent");
    struct peer p;
    ug_mqtt_opts mo = {.connect_timeout_ms = 200, .reconnect_min_ms = 50,
                       .reconnect_max_ms = 50};
    int fds0 = count_fds();
    CU_ASSERT_EQUAL_FATAL(open_peer(&e, &p, u, 0, &mo), UG_STATUS_GOOD);
    CU_ASSERT(run_until_int(&e, &p.errors, 1, 2000));
    CU_ASSERT_EQUAL(p.last_err, UG_STATUS_BADTIMEOUT);
    run_for(&e, 1200);
    ug_mqtt_stats s;
    ug_transport_mqtt_get_stats(p.t, &s);
    fprintf(stderr, "  %llu attempts, %d errors: %s\n", (unsigned long long)s.attempts, p.errors,
            s.error);
    CU_ASSERT(s.attempts >= 4);
    CU_ASSERT_EQUAL(s.last_error, UG_STATUS_BADTIMEOUT);
    /* the client's socket pair and at most one attempt's socket */
    CU_ASSERT(count_fds() - fds0 <= 3);
    close_peer(&e, &p);
    CU_ASSERT(count_fds() <= fds0);
    env_close(&e);
    close(ls);
}

static long file_size(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    return n;
}

/* The queue survives a close and reopen (a gateway restart) through its
 * file, a record cut short by a crash is ignored, a foreign file refused. */
static void test_store_forward(void)
{
    struct env e;
    env_open(&e);
    char u[256], idr[64], path[512];
    url(u, sizeof u, "mqtt", "127.0.0.1", g_port, "store");
    snprintf(idr, sizeof idr, "ug-srx-%u", g_run);
    snprintf(path, sizeof path, "%s/queue-%u.dat", g_dir, g_run);
    struct peer rx, tx;
    ug_mqtt_opts mr = {.qos = 1, .client_id = idr, .persistent_session = true};
    CU_ASSERT_EQUAL_FATAL(open_peer(&e, &rx, u, UG_TRANSPORT_RECV, &mr), UG_STATUS_GOOD);
    CU_ASSERT_FATAL(subscribed(&e, &rx, 3000));
    close_peer(&e, &rx);
    CU_ASSERT_FATAL(ctl("stop"));

    ug_mqtt_opts mt = {.qos = 1, .queue_file = path, .reconnect_min_ms = 50,
                       .reconnect_max_ms = 100};
    CU_ASSERT_EQUAL_FATAL(open_peer(&e, &tx, u, UG_TRANSPORT_SEND, &mt), UG_STATUS_GOOD);
    for (unsigned i = 0; i < 5; i++)
        CU_ASSERT_EQUAL(send_seq(&tx, i), UG_STATUS_GOOD);
    close_peer(&e, &tx); /* "gateway stops" with 5 queued */
    CU_ASSERT(file_size(path) > 8);
    FILE *f = fopen(path, "ab"); /* a write cut short by a crash */
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fwrite("M\0\x10\0", 1, 4, f);
    fclose(f);

    CU_ASSERT_EQUAL_FATAL(open_peer(&e, &tx, u, UG_TRANSPORT_SEND, &mt), UG_STATUS_GOOD);
    ug_mqtt_stats s;
    ug_transport_mqtt_get_stats(tx.t, &s);
    CU_ASSERT_EQUAL(s.queue_len, 5);
    for (unsigned i = 5; i < 7; i++)
        CU_ASSERT_EQUAL(send_seq(&tx, i), UG_STATUS_GOOD);
    CU_ASSERT_FATAL(ctl("start"));
    for (int i = 0; i < 600 && s.acked < 7; i++) {
        ug_loop_run_once(e.loop, true);
        ug_transport_mqtt_get_stats(tx.t, &s);
    }
    CU_ASSERT_EQUAL(s.acked, 7);
    CU_ASSERT_EQUAL(s.queue_len, 0);
    CU_ASSERT_EQUAL(file_size(path), 8); /* emptied with the queue */
    CU_ASSERT_EQUAL_FATAL(open_peer(&e, &rx, u, UG_TRANSPORT_RECV, &mr), UG_STATUS_GOOD);
    CU_ASSERT(run_until(&e, &rx.got, 7, 3000));
    check_seq(&rx, 7);
    close_peer(&e, &rx);
    close_peer(&e, &tx);

    f = fopen(path, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fwrite("UGMQTTQ1X", 1, 9, f);
    fclose(f);
    CU_ASSERT_EQUAL(open_peer(&e, &tx, u, UG_TRANSPORT_SEND, &mt), UG_STATUS_BADDECODINGERROR);
    CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "bad record"));
    f = fopen(path, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fwrite("not a queue", 1, 11, f);
    fclose(f);
    CU_ASSERT_EQUAL(open_peer(&e, &tx, u, UG_TRANSPORT_SEND, &mt), UG_STATUS_BADDECODINGERROR);
    unlink(path);
    env_close(&e);
}

/* Drops and sends append to the file; it is rewritten when it outgrows
 * twice the queue, and what it replays is exactly the queue. */
static void test_store_compact(void)
{
    struct env e;
    env_open(&e);
    char dead[256], live[256], idr[64], path[512];
    url(dead, sizeof dead, "mqtt", "127.0.0.1", g_dead_port, "compact");
    url(live, sizeof live, "mqtt", "127.0.0.1", g_port, "compact");
    snprintf(idr, sizeof idr, "ug-crx-%u", g_run);
    snprintf(path, sizeof path, "%s/compact-%u.dat", g_dir, g_run);
    struct peer rx, tx;
    ug_mqtt_opts mr = {.qos = 1, .client_id = idr, .persistent_session = true};
    CU_ASSERT_EQUAL_FATAL(open_peer(&e, &rx, live, UG_TRANSPORT_RECV, &mr), UG_STATUS_GOOD);
    CU_ASSERT_FATAL(subscribed(&e, &rx, 3000));
    close_peer(&e, &rx);

    ug_mqtt_opts mt = {.qos = 1, .queue_file = path, .queue_max_msgs = 4,
                       .queue_max_bytes = 1024, .reconnect_min_ms = 1000};
    memset(&tx, 0, sizeof tx);
    ug_transport_opts o = {.mode = UG_TRANSPORT_SEND, .max_msg = 128, .mqtt = mt};
    ug_transport_cbs cbs = {.ctx = &tx, .on_state = on_state, .on_closed = on_closed};
    CU_ASSERT_EQUAL_FATAL(ug_transport_open(e.loop, dead, &o, &cbs, &tx.t), UG_STATUS_GOOD);
    char msg[101];
    long biggest = 0;
    for (unsigned i = 0; i < 100; i++) {
        int n = snprintf(msg, sizeof msg, "seq %u ", i);
        memset(msg + n, 'x', sizeof msg - 1 - (size_t)n);
        CU_ASSERT_EQUAL(ug_transport_send(tx.t, (ug_bytes){.data = (uint8_t *)msg, .len = 100}, 0),
                        UG_STATUS_GOOD);
        long sz = file_size(path);
        biggest = sz > biggest ? sz : biggest;
    }
    /* 100 records of 106 bytes went in; the file never held much more
     * than twice the 1024-byte queue. */
    CU_ASSERT(biggest <= 2 * 1024 + 8 + 106 + 5);
    ug_mqtt_stats s;
    ug_transport_mqtt_get_stats(tx.t, &s);
    CU_ASSERT_EQUAL(s.dropped, 96);
    close_peer(&e, &tx);

    o.mqtt.reconnect_min_ms = 50;
    memset(&tx, 0, sizeof tx);
    CU_ASSERT_EQUAL_FATAL(ug_transport_open(e.loop, live, &o, &cbs, &tx.t), UG_STATUS_GOOD);
    ug_transport_mqtt_get_stats(tx.t, &s);
    CU_ASSERT_EQUAL(s.queue_len, 4);
    for (int i = 0; i < 600 && s.acked < 4; i++) {
        ug_loop_run_once(e.loop, true);
        ug_transport_mqtt_get_stats(tx.t, &s);
    }
    CU_ASSERT_EQUAL(s.acked, 4);
    CU_ASSERT_EQUAL_FATAL(open_peer(&e, &rx, live, UG_TRANSPORT_RECV, &mr), UG_STATUS_GOOD);
    CU_ASSERT(run_until(&e, &rx.got, 4, 3000));
    run_for(&e, 100);
    CU_ASSERT_EQUAL(rx.nseq, 4);
    for (unsigned i = 0; i < rx.nseq && i < 4; i++)
        CU_ASSERT_EQUAL(rx.seq[i], 96 + i);
    close_peer(&e, &rx);
    close_peer(&e, &tx);
    unlink(path);
    env_close(&e);
}

int main(void)
{
    const char *port = getenv("UG_MQTT_PORT");
    if (!port) {
        printf("skip: UG_MQTT_PORT not set; run tests/scripts/test_mqtt.sh, which starts "
               "the broker\n");
        return 77;
    }
    g_port = atoi(port);
    g_pw_port = atoi(getenv("UG_MQTT_PW_PORT") ? getenv("UG_MQTT_PW_PORT") : "0");
    g_tls_port = atoi(getenv("UG_MQTT_TLS_PORT") ? getenv("UG_MQTT_TLS_PORT") : "0");
    g_dead_port = atoi(getenv("UG_MQTT_DEAD_PORT") ? getenv("UG_MQTT_DEAD_PORT") : "0");
    g_mtls_port = atoi(getenv("UG_MQTT_MTLS_PORT") ? getenv("UG_MQTT_MTLS_PORT") : "0");
    g_cert = getenv("UG_MQTT_CERT");
    g_key = getenv("UG_MQTT_KEY");
    g_ca = getenv("UG_MQTT_CA");
    g_other_ca = getenv("UG_MQTT_OTHER_CA");
    g_user = getenv("UG_MQTT_USER");
    g_password = getenv("UG_MQTT_PASSWORD");
    g_ctl = getenv("UG_MQTT_CTL");
    g_dir = getenv("UG_MQTT_DIR");
    if (!g_pw_port || !g_tls_port || !g_dead_port || !g_ca || !g_other_ca || !g_user ||
        !g_password || !g_ctl || !g_dir || !g_mtls_port || !g_cert || !g_key) {
        printf("FAIL: UG_MQTT_PORT set but the other UG_MQTT_* variables are missing\n");
        return 1;
    }
    g_run = (unsigned)getpid();
    static CU_TestInfo tests[] = {
        {"options", test_options},
        {"round trip QoS 0", test_qos0},
        {"round trip QoS 1", test_qos1},
        {"round trip QoS 2", test_qos2},
        {"round trip QoS 1 MQTT 5", test_qos1_v5},
        {"round trip QoS 2 MQTT 5", test_qos2_v5},
        {"mosquitto_sub / mosquitto_pub", test_interop},
        {"retained metadata, data not retained", test_metadata},
        {"MQTT 5 content type", test_content_type},
        {"username / password", test_password},
        {"TLS", test_tls},
        {"QoS 1 across a broker restart", test_restart},
        {"queue: drop oldest", test_drop_oldest},
        {"queue: drop newest", test_drop_newest},
        {"queue: block", test_block},
        {"reconnect back-off", test_backoff},
        {"connect time-out", test_connect_timeout},
        {"queue file: store and forward", test_store_forward},
        {"queue file: compaction", test_store_compact},
        CU_TEST_INFO_NULL,
    };
    /* UG_MQTT_ONLY=text runs only the tests whose name contains it. */
    const char *only = getenv("UG_MQTT_ONLY");
    if (only) {
        size_t k = 0;
        for (size_t i = 0; tests[i].pName; i++)
            if (strstr(tests[i].pName, only))
                tests[k++] = tests[i];
        tests[k] = (CU_TestInfo)CU_TEST_INFO_NULL;
    }
    return ug_test_main("mqtt transport", tests);
}
