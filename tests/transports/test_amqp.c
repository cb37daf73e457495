/* AMQP 1.0 transport against a real RabbitMQ (rabbitmq_amqp1_0).
 * tests/scripts/test_amqp.sh starts the broker and sets UG_AMQP_PORT (and
 * UG_AMQP_CTL, a script taking "stop" or "start" for the restart test);
 * without them the program skips. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "uagate/rt.h"
#include "uagate/transport.h"

#define MAXRX 4096

static int port;
static ug_loop *loop;

struct peer {
    ug_transport *t;
    int connected;
    int errors;
    ug_status last_error;
    int closed;
    /* what arrived */
    uint64_t nrx;
    uint32_t seen[MAXRX]; /* by sequence number in the body */
    unsigned next_seq, out_of_order; /* first arrivals against send order */
    char last_body[256];
    char last_id[64];
    char last_subject[32];
    char last_ctype[64];
    char last_to[64];
    uint32_t last_nprops;
    ug_variant props[8];
    ug_status prop_st[8];
    char ids[8][40];
};

static const char *prop_names[8] = {"site", "b", "i16", "u64", "d", "s", "g", "n"};

static void on_state(void *ctx, ug_transport *t, enum ug_transport_state s, ug_status st)
{
    (void)t;
    struct peer *p = ctx;
    if (s == UG_TRANSPORT_CONNECTED)
        p->connected++;
    else {
        p->errors++;
        p->last_error = st;
    }
}

static void on_closed(void *ctx, ug_transport *t)
{
    (void)t;
    ((struct peer *)ctx)->closed++;
}

static void copy_view(char *dst, size_t cap, ug_string s)
{
    size_t n = s.len > 0 ? (size_t)s.len : 0;
    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(dst, s.data, n);
    dst[n] = '\0';
}

static void on_recv(void *ctx, ug_transport *t, const ug_transport_msg *m)
{
    struct peer *p = ctx;
    copy_view(p->last_body, sizeof p->last_body, m->data);
    unsigned seq;
    if (sscanf(p->last_body, "msg %u", &seq) == 1 && seq < MAXRX) {
        if (!p->seen[seq])
            p->out_of_order += seq != p->next_seq;
        if (seq >= p->next_seq)
            p->next_seq = seq + 1;
        p->seen[seq]++;
    }
    ug_amqp_rx rx;
    CU_ASSERT_EQUAL(ug_transport_amqp_rx(t, &rx), UG_STATUS_GOOD);
    copy_view(p->last_id, sizeof p->last_id, rx.message_id);
    copy_view(p->last_subject, sizeof p->last_subject, rx.subject);
    copy_view(p->last_ctype, sizeof p->last_ctype, rx.content_type);
    copy_view(p->last_to, sizeof p->last_to, rx.to);
    if (p->nrx < 8)
        copy_view(p->ids[p->nrx], sizeof p->ids[0], rx.message_id);
    p->last_nprops = rx.nprops;
    for (int i = 0; i < 8; i++)
        p->prop_st[i] = ug_transport_amqp_rx_prop(t, prop_names[i], &p->props[i]);
    /* strings are views: keep the first bytes of "s" and "n" in last_body's tail */
    p->nrx++;
}

static void wake(ug_loop *l, struct ug_timer *tm)
{
    (void)l;
    (void)tm;
}

static void run_until(const int *flag, int want, int64_t ms)
{
    struct ug_timer tm;
    ug_timer_init(&tm, wake, NULL);
    ug_timer_start_cyclic(loop, &tm, 10000000, 0, UG_TIMER_CURRENT_TIME);
    int64_t end = ug_clock_mono_ns() + ms * 1000000;
    while ((!flag || *flag < want) && ug_clock_mono_ns() < end)
        ug_loop_run_once(loop, true);
    ug_timer_stop(loop, &tm);
}

static void run_until_rx(const struct peer *p, uint64_t want, int64_t ms)
{
    struct ug_timer tm;
    ug_timer_init(&tm, wake, NULL);
    ug_timer_start_cyclic(loop, &tm, 10000000, 0, UG_TIMER_CURRENT_TIME);
    int64_t end = ug_clock_mono_ns() + ms * 1000000;
    while (p->nrx < want && ug_clock_mono_ns() < end)
        ug_loop_run_once(loop, true);
    ug_timer_stop(loop, &tm);
}

/* Durable queues confirm after their disk write: wait for the dispositions. */
static void run_until_settled(ug_transport *t, uint64_t want, int64_t ms)
{
    struct ug_timer tm;
    ug_timer_init(&tm, wake, NULL);
    ug_timer_start_cyclic(loop, &tm, 10000000, 0, UG_TIMER_CURRENT_TIME);
    int64_t end = ug_clock_mono_ns() + ms * 1000000;
    ug_amqp_stats st = {0};
    while (ug_clock_mono_ns() < end) {
        ug_transport_amqp_get_stats(t, &st);
        if (st.settled >= want && st.queued == 0)
            break;
        ug_loop_run_once(loop, true);
    }
    ug_timer_stop(loop, &tm);
}

static ug_status open_peer(struct peer *p, const char *path, unsigned mode, ug_amqp_opts *ao,
                           char *err, size_t cap)
{
    char url[256];
    /* names unique per run: durable queues outlive a run on a kept broker */
    snprintf(url, sizeof url, "amqp://127.0.0.1:%d%s.%d", port, path, (int)getpid());
    ug_transport_opts o = {.mode = mode, .errbuf = err, .errbuf_cap = cap};
    if (ao)
        o.amqp = *ao;
    ug_transport_cbs cbs = {.ctx = p, .on_recv = on_recv, .on_state = on_state,
                            .on_closed = on_closed};
    return ug_transport_open(loop, url, &o, &cbs, &p->t);
}

static void close_peer(struct peer *p)
{
    if (!p->t)
        return;
    ug_transport_close(p->t);
    run_until(&p->closed, 1, 3000);
    CU_ASSERT_EQUAL(p->closed, 1);
    p->t = NULL;
}

static void test_url_and_options(void)
{
    ug_transport_url u;
    CU_ASSERT_EQUAL(ug_transport_url_parse("amqp://h.example:5673/queue/q1", &u, NULL, 0),
                    UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(u.kind, UG_TRANSPORT_AMQP);
    CU_ASSERT_EQUAL(u.port, 5673);
    CU_ASSERT_STRING_EQUAL(u.host, "h.example");
    CU_ASSERT_STRING_EQUAL(u.amqp.address, "/queue/q1");
    CU_ASSERT_FALSE(u.amqp.tls);
    CU_ASSERT_EQUAL(ug_transport_url_parse("amqps://[::1]/topic/a.b", &u, NULL, 0), UG_STATUS_GOOD);
    CU_ASSERT_TRUE(u.amqp.tls);
    CU_ASSERT_EQUAL(u.port, 5671);
    CU_ASSERT_STRING_EQUAL(u.host, "::1");
    CU_ASSERT_EQUAL(ug_transport_url_parse("amqp://h", &u, NULL, 0),
                    UG_STATUS_BADTCPENDPOINTURLINVALID);
    CU_ASSERT_EQUAL(ug_transport_url_parse("amqp://h:0/q", &u, NULL, 0),
                    UG_STATUS_BADTCPENDPOINTURLINVALID);
    CU_ASSERT_EQUAL(ug_transport_url_parse("amqp://h/a b", &u, NULL, 0),
                    UG_STATUS_BADTCPENDPOINTURLINVALID);

    struct peer p = {0};
    char err[200] = "";
    ug_amqp_opts ao = {.props = (ug_amqp_prop[]){{"message-id", ug_variant_scalar(UG_TYPE_STRING)}},
                       .nprops = 1};
    CU_ASSERT_EQUAL(open_peer(&p, "/queue/x", UG_TRANSPORT_SEND, &ao, err, sizeof err),
                    UG_STATUS_BADINVALIDARGUMENT);
    CU_ASSERT_PTR_NULL(p.t);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "message-id"));
    ug_amqp_prop sess = {"session-x", ug_variant_scalar(UG_TYPE_INT32)};
    ao = (ug_amqp_opts){.props = &sess, .nprops = 1};
    CU_ASSERT_EQUAL(open_peer(&p, "/queue/x", UG_TRANSPORT_SEND, &ao, err, sizeof err),
                    UG_STATUS_BADNOTSUPPORTED);
    ao = (ug_amqp_opts){.qos = 9};
    CU_ASSERT_EQUAL(open_peer(&p, "/queue/x", UG_TRANSPORT_SEND, &ao, err, sizeof err),
                    UG_STATUS_BADINVALIDARGUMENT);
    ao = (ug_amqp_opts){.ca_file = "/nonexistent"};
    CU_ASSERT_EQUAL(open_peer(&p, "/queue/x", UG_TRANSPORT_SEND, &ao, err, sizeof err),
                    UG_STATUS_BADINVALIDARGUMENT);
    CU_ASSERT_EQUAL(p.connected + p.errors, 0); /* a failed open calls nothing */
}

static ug_variant str_v(const char *s)
{
    ug_variant v = ug_variant_scalar(UG_TYPE_STRING);
    v.u.v.string = ug_string_from(s);
    return v;
}

static void test_roundtrip_queue(void)
{
    struct peer rx = {0}, tx = {0};
    char err[200] = "", to[64];
    snprintf(to, sizeof to, "/queue/ug-roundtrip.%d", (int)getpid());
    CU_ASSERT_EQUAL_FATAL(open_peer(&rx, "/queue/ug-roundtrip", UG_TRANSPORT_RECV, NULL, err,
                                    sizeof err), UG_STATUS_GOOD);
    ug_amqp_prop opts_props[] = {
        {"message-to", str_v(to)}, /* RabbitMQ routes by it */
        {"message-reply-to", str_v("/queue/ug-replies")},
        {"site", str_v("plant-7")},
        {"connection-product", str_v("uagate")},
        {"link-role", str_v("publisher")},
    };
    ug_amqp_opts ao = {.body = UG_AMQP_BODY_JSON, .props = opts_props, .nprops = 5};
    CU_ASSERT_EQUAL_FATAL(open_peer(&tx, "/queue/ug-roundtrip", UG_TRANSPORT_SEND, &ao, err,
                                    sizeof err), UG_STATUS_GOOD);
    run_until(&tx.connected, 1, 10000);
    run_until(&rx.connected, 1, 10000);
    CU_ASSERT_EQUAL_FATAL(tx.connected, 1);
    CU_ASSERT_EQUAL_FATAL(rx.connected, 1);

    ug_amqp_prop promoted[7];
    promoted[0] = (ug_amqp_prop){"b", ug_variant_scalar(UG_TYPE_BOOLEAN)};
    promoted[0].value.u.v.boolean = true;
    promoted[1] = (ug_amqp_prop){"i16", ug_variant_scalar(UG_TYPE_INT16)};
    promoted[1].value.u.v.int16 = -1234;
    promoted[2] = (ug_amqp_prop){"u64", ug_variant_scalar(UG_TYPE_UINT64)};
    promoted[2].value.u.v.uint64 = 18000000000000000000ull;
    promoted[3] = (ug_amqp_prop){"d", ug_variant_scalar(UG_TYPE_DATETIME)};
    promoted[3].value.u.v.datetime = UG_DATETIME_UNIX_EPOCH + 17000000000000000LL; /* ms-exact */
    promoted[4] = (ug_amqp_prop){"s", str_v("hello")};
    promoted[5] = (ug_amqp_prop){"g", ug_variant_scalar(UG_TYPE_GUID)};
    promoted[5].value.u.v.guid = (ug_guid){0x72962b91, 0xfa75, 0x4ae6, {1, 2, 3, 4, 5, 6, 7, 8}};
    promoted[6] = (ug_amqp_prop){"n", ug_variant_scalar(UG_TYPE_NODEID)};
    promoted[6].value.u.v.nodeid = (ug_nodeid){.ns = 2, .id_type = UG_ID_NUMERIC, .id.numeric = 42};
    ug_amqp_prop skipped = {"lt", ug_variant_scalar(UG_TYPE_LOCALIZEDTEXT)};
    ug_amqp_prop all[8];
    memcpy(all, promoted, sizeof promoted);
    all[7] = skipped;

    const char *body = "msg 1 {\"MessageId\":\"1\"}";
    ug_amqp_send_info info = {.promoted = all, .npromoted = 8};
    CU_ASSERT_EQUAL(ug_transport_amqp_send(tx.t, ug_string_from(body), &info), UG_STATUS_GOOD);
    run_until_rx(&rx, 1, 10000);
    CU_ASSERT_EQUAL_FATAL(rx.nrx, 1);
    CU_ASSERT_STRING_EQUAL(rx.last_body, body);
    CU_ASSERT_EQUAL(strlen(rx.last_id), 36);
    CU_ASSERT_EQUAL(rx.last_id[14], '4'); /* a version 4 uuid */
    CU_ASSERT_STRING_EQUAL(rx.last_subject, "ua-data");
    CU_ASSERT_STRING_EQUAL(rx.last_ctype, "application/json");
    CU_ASSERT_STRING_EQUAL(rx.last_to, to);
    CU_ASSERT_EQUAL(rx.last_nprops, 8); /* site + 7 promoted; LocalizedText left out */
    for (int i = 0; i < 8; i++)
        CU_ASSERT_EQUAL(rx.prop_st[i], UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(rx.props[0].type, UG_TYPE_STRING);
    CU_ASSERT_TRUE(rx.props[1].type == UG_TYPE_BOOLEAN && rx.props[1].u.v.boolean);
    CU_ASSERT_TRUE(rx.props[2].type == UG_TYPE_INT16 && rx.props[2].u.v.int16 == -1234);
    CU_ASSERT_TRUE(rx.props[3].type == UG_TYPE_UINT64 &&
                   rx.props[3].u.v.uint64 == 18000000000000000000ull);
    CU_ASSERT_TRUE(rx.props[4].type == UG_TYPE_DATETIME &&
                   rx.props[4].u.v.datetime == promoted[3].value.u.v.datetime);
    CU_ASSERT_EQUAL(rx.props[5].type, UG_TYPE_STRING);
    CU_ASSERT_TRUE(rx.props[6].type == UG_TYPE_GUID &&
                   ug_guid_eq(&rx.props[6].u.v.guid, &promoted[5].value.u.v.guid));
    CU_ASSERT_EQUAL(rx.props[7].type, UG_TYPE_STRING);

    /* metadata subject, and distinct message-ids */
    info = (ug_amqp_send_info){.metadata = true};
    CU_ASSERT_EQUAL(ug_transport_amqp_send(tx.t, ug_string_from("msg 2"), &info), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_transport_send(tx.t, ug_string_from("msg 3"), 0), UG_STATUS_GOOD);
    run_until_rx(&rx, 3, 10000);
    CU_ASSERT_EQUAL_FATAL(rx.nrx, 3);
    CU_ASSERT_STRING_EQUAL(rx.last_subject, "ua-data");
    CU_ASSERT_STRING_NOT_EQUAL(rx.ids[0], rx.ids[1]);
    CU_ASSERT_STRING_NOT_EQUAL(rx.ids[1], rx.ids[2]);
    CU_ASSERT_EQUAL(rx.seen[2], 1);
    ug_amqp_stats st;
    run_until_settled(tx.t, 3, 10000);
    CU_ASSERT_EQUAL(ug_transport_amqp_get_stats(tx.t, &st), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(st.sent, 3);
    CU_ASSERT_EQUAL(st.settled, 3); /* NotSpecified is AtLeastOnce: accepted */
    CU_ASSERT_EQUAL(st.queued, 0);
    CU_ASSERT_TRUE(st.connected);
    CU_ASSERT_EQUAL(ug_transport_amqp_get_stats(rx.t, &st), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(st.received, 3);
    close_peer(&tx);
    close_peer(&rx);
}

/* A receiver on one address form, a sender on another, same routing key. */
static void route(const char *rx_path, const char *tx_path)
{
    struct peer rx = {0}, tx = {0};
    char err[200] = "";
    CU_ASSERT_EQUAL_FATAL(open_peer(&rx, rx_path, UG_TRANSPORT_RECV, NULL, err, sizeof err),
                          UG_STATUS_GOOD);
    run_until(&rx.connected, 1, 10000);
    CU_ASSERT_EQUAL_FATAL(rx.connected, 1);
    ug_amqp_opts ao = {.qos = UG_AMQP_QOS_BEST_EFFORT};
    CU_ASSERT_EQUAL_FATAL(open_peer(&tx, tx_path, UG_TRANSPORT_SEND, &ao, err, sizeof err),
                          UG_STATUS_GOOD);
    run_until(&tx.connected, 1, 10000);
    CU_ASSERT_EQUAL_FATAL(tx.connected, 1);
    for (unsigned i = 0; i < 5; i++) {
        char b[32];
        snprintf(b, sizeof b, "msg %u", i);
        CU_ASSERT_EQUAL(ug_transport_send(tx.t, ug_string_from(b), 0), UG_STATUS_GOOD);
    }
    run_until_rx(&rx, 5, 10000);
    CU_ASSERT_EQUAL(rx.nrx, 5);
    for (unsigned i = 0; i < 5; i++)
        CU_ASSERT_EQUAL(rx.seen[i], 1);
    CU_ASSERT_STRING_EQUAL(rx.last_ctype, "application/opcua+uadp");
    ug_amqp_stats st;
    ug_transport_amqp_get_stats(tx.t, &st);
    CU_ASSERT_EQUAL(st.sent, 5);
    CU_ASSERT_EQUAL(st.settled, 0); /* BestEffort: pre-settled, no dispositions */
    CU_ASSERT_EQUAL(st.queued, 0);
    close_peer(&tx);
    close_peer(&rx);
}

static void test_topic_and_exchange(void)
{
    route("/topic/ug.k1", "/exchange/amq.topic/ug.k1");
    route("/exchange/amq.topic/ug.k2", "/topic/ug.k2");
}

static void test_sasl(void)
{
    struct peer ok = {0}, bad = {0};
    char err[200] = "";
    ug_amqp_opts ao = {.user = "guest", .password = "guest"};
    CU_ASSERT_EQUAL_FATAL(open_peer(&ok, "/queue/ug-sasl", UG_TRANSPORT_SEND, &ao, err, sizeof err),
                          UG_STATUS_GOOD);
    ao.password = "wrong";
    ao.reconnect_min_ms = 200;
    CU_ASSERT_EQUAL_FATAL(open_peer(&bad, "/queue/ug-sasl", UG_TRANSPORT_SEND, &ao, err, sizeof err),
                          UG_STATUS_GOOD);
    run_until(&ok.connected, 1, 10000);
    run_until(&bad.errors, 2, 10000); /* refused, then refused again on the retry */
    CU_ASSERT_EQUAL(ok.connected, 1);
    CU_ASSERT_EQUAL(ok.errors, 0);
    CU_ASSERT_EQUAL(bad.connected, 0);
    CU_ASSERT_TRUE(bad.errors >= 2);
    CU_ASSERT_EQUAL(bad.last_error, UG_STATUS_BADUSERACCESSDENIED);
    ug_amqp_stats st;
    CU_ASSERT_EQUAL(ug_transport_amqp_get_stats(bad.t, &st), UG_STATUS_GOOD);
    CU_ASSERT_FALSE(st.connected);
    CU_ASSERT_EQUAL(st.last_error, UG_STATUS_BADUSERACCESSDENIED);
    CU_ASSERT_PTR_NOT_NULL(strstr(st.error, "unauthorized"));
    CU_ASSERT_PTR_NULL(strstr(st.error, "wrong")); /* never the password */
    /* a send while refused is queued, not lost */
    CU_ASSERT_EQUAL(ug_transport_send(bad.t, ug_string_from("msg 0"), 0), UG_STATUS_GOOD);
    ug_transport_amqp_get_stats(bad.t, &st);
    CU_ASSERT_EQUAL(st.queued, 1);
    close_peer(&ok);
    close_peer(&bad);
}

static void test_credit_window(void)
{
    struct peer rx = {0}, tx = {0};
    char err[200] = "";
    ug_amqp_opts rao = {.credit = 4, .qos = UG_AMQP_QOS_AT_LEAST_ONCE};
    CU_ASSERT_EQUAL_FATAL(open_peer(&rx, "/queue/ug-credit", UG_TRANSPORT_RECV, &rao, err,
                                    sizeof err), UG_STATUS_GOOD);
    ug_amqp_opts tao = {.qos = UG_AMQP_QOS_EXACTLY_ONCE}; /* runs as AtLeastOnce */
    CU_ASSERT_EQUAL_FATAL(open_peer(&tx, "/queue/ug-credit", UG_TRANSPORT_SEND, &tao, err,
                                    sizeof err), UG_STATUS_GOOD);
    run_until(&tx.connected, 1, 10000);
    run_until(&rx.connected, 1, 10000);
    for (unsigned i = 0; i < 100; i++) {
        char b[32];
        snprintf(b, sizeof b, "msg %u", i);
        CU_ASSERT_EQUAL(ug_transport_send(tx.t, ug_string_from(b), 0), UG_STATUS_GOOD);
    }
    run_until_rx(&rx, 100, 20000);
    CU_ASSERT_EQUAL(rx.nrx, 100);
    unsigned once = 0;
    for (unsigned i = 0; i < 100; i++)
        once += rx.seen[i] == 1;
    CU_ASSERT_EQUAL(once, 100);
    CU_ASSERT_EQUAL(rx.out_of_order, 0);
    run_until_settled(tx.t, 100, 10000);
    ug_amqp_stats st;
    ug_transport_amqp_get_stats(tx.t, &st);
    CU_ASSERT_EQUAL(st.sent, 100);
    CU_ASSERT_EQUAL(st.settled, 100);
    CU_ASSERT_EQUAL(st.queued, 0);
    close_peer(&tx);
    close_peer(&rx);
}

static void test_tls(void)
{
    const char *tp = getenv("UG_AMQP_TLS_PORT"), *dir = getenv("UG_AMQP_TLS_DIR");
    if (!tp || !dir) {
        fprintf(stderr, "skip TLS: no UG_AMQP_TLS_PORT/UG_AMQP_TLS_DIR\n");
        return;
    }
    char url[256], ca[512], other[512], err[200] = "";
    snprintf(url, sizeof url, "amqps://127.0.0.1:%s/queue/ug-tls.%d", tp, (int)getpid());
    snprintf(ca, sizeof ca, "%s/ca.pem", dir);
    snprintf(other, sizeof other, "%s/other-ca.pem", dir);
    struct peer good = {0}, wrong_ca = {0}, wrong_name = {0};
    ug_transport_cbs cbs = {.on_recv = on_recv, .on_state = on_state, .on_closed = on_closed};
    ug_transport_opts o = {.errbuf = err, .errbuf_cap = sizeof err};
    /* proton matches DNS names (SAN, CN), not IP addresses: name the host */
    o.amqp = (ug_amqp_opts){.ca_file = ca, .user = "guest", .password = "guest",
                            .tls_hostname = "localhost"};
    cbs.ctx = &good;
    CU_ASSERT_EQUAL_FATAL(ug_transport_open(loop, url, &o, &cbs, &good.t), UG_STATUS_GOOD);
    o.amqp = (ug_amqp_opts){.ca_file = other};
    cbs.ctx = &wrong_ca;
    CU_ASSERT_EQUAL_FATAL(ug_transport_open(loop, url, &o, &cbs, &wrong_ca.t), UG_STATUS_GOOD);
    o.amqp = (ug_amqp_opts){.ca_file = ca, .tls_hostname = "not-this-host.example"};
    cbs.ctx = &wrong_name;
    CU_ASSERT_EQUAL_FATAL(ug_transport_open(loop, url, &o, &cbs, &wrong_name.t), UG_STATUS_GOOD);
    run_until(&good.connected, 1, 15000);
    run_until(&wrong_ca.errors, 1, 10000);
    run_until(&wrong_name.errors, 1, 10000);
    CU_ASSERT_EQUAL(good.connected, 1);
    CU_ASSERT_EQUAL(wrong_ca.connected, 0);
    CU_ASSERT_EQUAL(wrong_name.connected, 0);
    CU_ASSERT_EQUAL(wrong_ca.last_error, UG_STATUS_BADSECURITYCHECKSFAILED);
    CU_ASSERT_EQUAL(wrong_name.last_error, UG_STATUS_BADSECURITYCHECKSFAILED);
    ug_amqp_stats st;
    ug_transport_amqp_get_stats(wrong_ca.t, &st);
    fprintf(stderr, "\n  wrong CA: %s\n", st.error);
    ug_transport_amqp_get_stats(good.t, &st);
    if (!good.connected)
        fprintf(stderr, "  good CA failed: %s\n", st.error);
    /* a message goes round over TLS */
    CU_ASSERT_EQUAL(ug_transport_send(good.t, ug_string_from("msg 7"), 0), UG_STATUS_GOOD);
    run_until_rx(&good, 1, 10000);
    CU_ASSERT_EQUAL(good.seen[7], 1);
    close_peer(&good);
    close_peer(&wrong_ca);
    close_peer(&wrong_name);
}

static int ctl(const char *what)
{
    const char *c = getenv("UG_AMQP_CTL");
    char cmd[512];
    snprintf(cmd, sizeof cmd, "bash %s %s", c, what);
    return system(cmd);
}

static void test_broker_restart(void)
{
    if (!getenv("UG_AMQP_CTL")) {
        fprintf(stderr, "skip restart: no UG_AMQP_CTL\n");
        return;
    }
    struct peer rx = {0}, tx = {0}, pn = {0}, po = {0}, pb = {0};
    char err[200] = "";
    ug_amqp_opts rao = {.qos = UG_AMQP_QOS_AT_LEAST_ONCE, .reconnect_min_ms = 100,
                        .reconnect_max_ms = 500};
    CU_ASSERT_EQUAL_FATAL(open_peer(&rx, "/queue/ug-restart", UG_TRANSPORT_RECV, &rao, err,
                                    sizeof err), UG_STATUS_GOOD);
    ug_amqp_opts tao = rao;
    tao.queue_max = 4000;
    tao.keep_alive_ms = 1000; /* idle time-out: proton's tick timer runs */
    CU_ASSERT_EQUAL_FATAL(open_peer(&tx, "/queue/ug-restart", UG_TRANSPORT_SEND, &tao, err,
                                    sizeof err), UG_STATUS_GOOD);
    run_until(&tx.connected, 1, 10000);
    run_until(&rx.connected, 1, 10000);
    CU_ASSERT_EQUAL_FATAL(tx.connected + rx.connected, 2);
    const unsigned n = 3000;
    /* A stream: part before the stop, some of it still unsettled. */
    for (unsigned i = 0; i < 1000; i++) {
        char b[32];
        snprintf(b, sizeof b, "msg %u", i);
        CU_ASSERT_EQUAL(ug_transport_send(tx.t, ug_string_from(b), 0), UG_STATUS_GOOD);
        if (i % 50 == 0)
            ug_loop_run_once(loop, false);
    }
    CU_ASSERT_EQUAL_FATAL(ctl("stop"), 0);
    run_until(&tx.errors, 1, 5000);
    CU_ASSERT_TRUE(tx.errors >= 1);
    for (unsigned i = 1000; i < n; i++) {
        char b[32];
        snprintf(b, sizeof b, "msg %u", i);
        CU_ASSERT_EQUAL(ug_transport_send(tx.t, ug_string_from(b), 0), UG_STATUS_GOOD);
    }
    ug_amqp_stats st;
    ug_transport_amqp_get_stats(tx.t, &st);
    CU_ASSERT_TRUE(st.queued >= n - 1000);
    CU_ASSERT_FALSE(st.connected);

    /* Queue policies while the broker is down: 3 slots, 5 sends. */
    ug_amqp_opts qo = {.queue_max = 3, .queue_policy = UG_AMQP_DROP_NEWEST};
    CU_ASSERT_EQUAL_FATAL(open_peer(&pn, "/queue/ug-pol-newest", UG_TRANSPORT_SEND, &qo, err,
                                    sizeof err), UG_STATUS_GOOD);
    qo.queue_policy = UG_AMQP_DROP_OLDEST;
    CU_ASSERT_EQUAL_FATAL(open_peer(&po, "/queue/ug-pol-oldest", UG_TRANSPORT_SEND, &qo, err,
                                    sizeof err), UG_STATUS_GOOD);
    qo.queue_policy = UG_AMQP_BLOCK;
    CU_ASSERT_EQUAL_FATAL(open_peer(&pb, "/queue/ug-pol-block", UG_TRANSPORT_SEND, &qo, err,
                                    sizeof err), UG_STATUS_GOOD);
    run_until(&pb.errors, 1, 3000);
    CU_ASSERT_EQUAL(pb.last_error, UG_STATUS_BADCONNECTIONREJECTED); /* nobody listens */
    for (unsigned i = 0; i < 5; i++) {
        char b[32];
        snprintf(b, sizeof b, "msg %u", i);
        CU_ASSERT_EQUAL(ug_transport_send(pn.t, ug_string_from(b), 0), UG_STATUS_GOOD);
        CU_ASSERT_EQUAL(ug_transport_send(po.t, ug_string_from(b), 0), UG_STATUS_GOOD);
        CU_ASSERT_EQUAL(ug_transport_send(pb.t, ug_string_from(b), 0),
                        i < 3 ? UG_STATUS_GOOD : UG_STATUS_BADWOULDBLOCK);
    }
    ug_transport_amqp_get_stats(pn.t, &st);
    CU_ASSERT_EQUAL(st.queued, 3);
    CU_ASSERT_EQUAL(st.dropped, 2);
    ug_transport_amqp_get_stats(po.t, &st);
    CU_ASSERT_EQUAL(st.queued, 3);
    CU_ASSERT_EQUAL(st.dropped, 2);
    ug_transport_amqp_get_stats(pb.t, &st);
    CU_ASSERT_EQUAL(st.queued, 3);
    CU_ASSERT_EQUAL(st.dropped, 0);

    CU_ASSERT_EQUAL_FATAL(ctl("start"), 0);
    /* Every message arrives; at least once allows duplicates. */
    struct ug_timer tm;
    ug_timer_init(&tm, wake, NULL);
    ug_timer_start_cyclic(loop, &tm, 10000000, 0, UG_TIMER_CURRENT_TIME);
    int64_t end = ug_clock_mono_ns() + 60000000000LL;
    unsigned got = 0;
    while (ug_clock_mono_ns() < end) {
        ug_loop_run_once(loop, true);
        got = 0;
        for (unsigned i = 0; i < n; i++)
            got += rx.seen[i] > 0;
        if (got == n)
            break;
    }
    ug_timer_stop(loop, &tm);
    unsigned dups = 0;
    for (unsigned i = 0; i < n; i++)
        dups += rx.seen[i] > 1 ? rx.seen[i] - 1 : 0;
    fprintf(stderr, "\n  restart: %u of %u arrived, %u duplicates, %u first arrivals out of order, rx %llu\n",
            got, n, dups, rx.out_of_order, (unsigned long long)rx.nrx);
    CU_ASSERT_EQUAL(got, n);
    CU_ASSERT_EQUAL(rx.out_of_order, 0); /* a FIFO queue and in-order re-sends */
    run_until_settled(tx.t, n, 10000);
    ug_transport_amqp_get_stats(tx.t, &st);
    fprintf(stderr, "  sender: sent %llu settled %llu resent %llu reconnects %llu queued %llu\n",
            (unsigned long long)st.sent, (unsigned long long)st.settled,
            (unsigned long long)st.resent, (unsigned long long)st.reconnects,
            (unsigned long long)st.queued);
    CU_ASSERT_TRUE(st.reconnects >= 1);
    CU_ASSERT_TRUE(st.connected);
    CU_ASSERT_EQUAL(st.queued, 0);
    CU_ASSERT_TRUE(st.settled >= n);
    /* the policy senders drain their 3 on reconnect */
    run_until(&pb.connected, 1, 10000);
    run_until_settled(pb.t, 3, 10000);
    ug_transport_amqp_get_stats(pb.t, &st);
    CU_ASSERT_EQUAL(st.sent, 3);
    CU_ASSERT_EQUAL(st.queued, 0);
    close_peer(&pn);
    close_peer(&po);
    close_peer(&pb);
    close_peer(&tx);
    close_peer(&rx);
}

int main(void)
{
    const char *p = getenv("UG_AMQP_PORT");
    if (!p) {
        fprintf(stderr, "SKIP: UG_AMQP_PORT not set (run tests/scripts/test_amqp.sh)\n");
        return 77;
    }
    port = atoi(p);
    if (ug_is_bad(ug_loop_new(NULL, &loop))) {
        fprintf(stderr, "cannot create a loop\n");
        return 1;
    }
    CU_TestInfo tests[] = {
        {"url and option errors", test_url_and_options},
        {"queue round trip with properties", test_roundtrip_queue},
        {"topic and exchange addresses", test_topic_and_exchange},
        {"SASL PLAIN and refusal", test_sasl},
        {"credit window and AtLeastOnce", test_credit_window},
        {"TLS: CA, wrong CA, wrong host name", test_tls},
        {"broker restart and queue policies", test_broker_restart},
        CU_TEST_INFO_NULL,
    };
    int rc = ug_test_main("amqp transport", tests);
    ug_loop_close(loop, -1);
    return rc;
}
