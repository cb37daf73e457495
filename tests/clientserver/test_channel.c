/* SecureChannel end to end (clientserver/channel.c, channel_send.c,
 * listener.c, conn_client.c): a server listener and a client conn on one
 * loop over 127.0.0.1 — open, small and large (chunked) messages both ways,
 * token renewal with rollover, the peer's size limits (abort chunk,
 * BadRequestTooLarge), CloseSecureChannel, ReverseHello both ways; then
 * the client role's error paths against a server written by hand. */
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../clientserver/conn.h" /* internal header: tests/ has no clientserver/ include dir */
#include "harness.h"
#include "uacp_fixture.h"
#include "uagate/ua_struct.h"

#define ECHO_ID 9001u /* any ns=0 numeric id: the channel does not care */

struct side {
    int opened, closed, messages, aborts;
    ug_status why, abort_status;
    uint32_t last_request_id;
    size_t last_len;
    bool last_ok;
    ug_conn *conn;
    ug_status send_status; /* server: of its last reply */
};

struct ctx {
    ug_loop *loop;
    uint32_t srv_first_seq; /* when set: the server's first sequence number */
    struct ug_timer tick; /* keeps blocking iterations short */
    struct side srv, cli;
};

/* Test message: u32 reply_len, u32 n, n bytes of pattern (i * 7 + n). */
struct blob {
    uint32_t reply_len;
    uint32_t n;
};

static void enc_blob(ug_wr *wr, const void *msg)
{
    const struct blob *b = msg;
    ug_wr_u32(wr, b->reply_len);
    ug_wr_u32(wr, b->n);
    for (uint32_t i = 0; i < b->n; i++)
        ug_wr_u8(wr, (uint8_t)(i * 7 + b->n));
}

static bool check_blob(ug_rd *rd, uint32_t *reply_len, size_t *n_out)
{
    *reply_len = ug_rd_u32(rd);
    uint32_t n = ug_rd_u32(rd);
    const uint8_t *p = ug_rd_take(rd, n);
    if (!p || ug_rd_left(rd))
        return false;
    for (uint32_t i = 0; i < n; i++)
        if (p[i] != (uint8_t)(i * 7 + n))
            return false;
    *n_out = n;
    return true;
}

static struct side *side_of(ug_conn *c, void *data)
{
    struct ctx *x = data;
    return ug_conn_is_server(c) ? &x->srv : &x->cli;
}

static void on_accept(ug_conn *c, void *data)
{
    struct ctx *x = data;
    x->srv.conn = c;
    if (x->srv_first_seq)
        ug_conn_test_set_send_seq(c, x->srv_first_seq);
}

static void on_open(ug_conn *c, void *data)
{
    struct side *s = side_of(c, data);
    s->opened++;
    s->conn = c;
}

static void on_message(ug_conn *c, uint32_t request_id, uint32_t encoding_id, ug_rd *body,
                       void *data)
{
    struct side *s = side_of(c, data);
    uint32_t reply_len = 0;
    s->messages++;
    s->last_request_id = request_id;
    s->last_ok = encoding_id == ECHO_ID && check_blob(body, &reply_len, &s->last_len);
    if (ug_conn_is_server(c) && encoding_id == ug_desc_ReadRequest.binary_encoding_id) {
        /* A generated structure both ways (conn_send.c). */
        ug_ReadRequest req;
        uint8_t mem[4096];
        ug_arena a;
        ug_arena_init(&a, mem, sizeof mem, false);
        body->arena = &a;
        ug_rd_struct(body, &ug_desc_ReadRequest, &req);
        ug_datavalue dv[3];
        memset(dv, 0, sizeof dv);
        for (int i = 0; i < 3; i++) {
            dv[i].mask = 0x01; /* value */
            dv[i].value.type = UG_TYPE_UINT32;
            dv[i].value.array_len = UG_SCALAR;
            dv[i].value.u.v.uint32 = req.nodes_to_read_len > 0 ? 1000u + (uint32_t)i : 0;
        }
        ug_ReadResponse resp;
        memset(&resp, 0, sizeof resp);
        resp.response_header.request_handle = req.request_header.request_handle;
        resp.results_len = 3;
        resp.results = dv;
        resp.diagnostic_infos_len = -1;
        s->send_status = ug_conn_send(c, request_id, &ug_desc_ReadResponse, &resp);
        return;
    }
    if (!ug_conn_is_server(c) && encoding_id == ug_desc_ReadResponse.binary_encoding_id) {
        ug_ReadResponse resp;
        ug_datavalue mem[8];
        ug_arena a;
        ug_arena_init(&a, mem, sizeof mem, false);
        body->arena = &a;
        ug_rd_struct(body, &ug_desc_ReadResponse, &resp);
        s->last_ok = ug_rd_ok(body) && resp.results_len == 3 &&
                     resp.results[2].value.u.v.uint32 == 1002 &&
                     resp.response_header.request_handle == 42;
        return;
    }
    if (ug_conn_is_server(c)) {
        struct blob b = {0, reply_len};
        s->send_status = ug_conn_send_raw(c, request_id, ECHO_ID, enc_blob, &b);
    }
}

static void on_abort(ug_conn *c, uint32_t request_id, ug_status status, void *data)
{
    struct side *s = side_of(c, data);
    s->aborts++;
    s->abort_status = status;
    s->last_request_id = request_id;
}

static void on_closed(ug_conn *c, ug_status why, void *data)
{
    struct side *s = side_of(c, data);
    s->closed++;
    s->why = why;
    s->conn = NULL;
}

static const struct ug_conn_cbs cbs = {
    .on_accept = on_accept,
    .on_open = on_open,
    .on_message = on_message,
    .on_abort = on_abort,
    .on_closed = on_closed,
};

/* Runs the loop until *flag >= want or 5 s pass. */
static bool run_until(ug_loop *loop, const int *flag, int want)
{
    int64_t end = ug_clock_mono_ns() + 5000000000LL;
    while (*flag < want && ug_clock_mono_ns() < end)
        ug_loop_run_once(loop, true);
    return *flag >= want;
}

static void run_for(ug_loop *loop, int64_t ns)
{
    int64_t end = ug_clock_mono_ns() + ns;
    while (ug_clock_mono_ns() < end)
        ug_loop_run_once(loop, false);
}

static ug_listener *start_server(struct ctx *x, const struct ug_conn_limits *lim)
{
    ug_listener *l = NULL;
    CU_ASSERT_EQUAL(ug_listener_start(x->loop, "127.0.0.1", 0, lim, "urn:test:server", &cbs, x, &l),
                    UG_STATUS_GOOD);
    return l;
}

static ug_conn *connect_to(struct ctx *x, ug_listener *l, const struct ug_conn_limits *lim)
{
    char url[64];
    snprintf(url, sizeof url, "opc.tcp://127.0.0.1:%u/test", ug_listener_port(l));
    ug_conn *c = NULL;
    CU_ASSERT_EQUAL(ug_conn_connect(x->loop, url, lim, &cbs, x, &c), UG_STATUS_GOOD);
    return c;
}

static void tick_cb(ug_loop *loop, struct ug_timer *t)
{
    (void)loop;
    (void)t;
}

static void setup(struct ctx *x)
{
    memset(x, 0, sizeof *x);
    CU_ASSERT_EQUAL_FATAL(ug_loop_new(NULL, &x->loop), UG_STATUS_GOOD);
    ug_timer_init(&x->tick, tick_cb, NULL);
    ug_timer_start_cyclic(x->loop, &x->tick, 10000000, 0, UG_TIMER_CURRENT_TIME);
}

static void teardown(struct ctx *x, ug_listener *l)
{
    ug_listener_free(l);
    if (x->cli.conn) {
        ug_conn_close(x->cli.conn);
        CU_ASSERT(run_until(x->loop, &x->cli.closed, 1));
    }
    ug_timer_stop(x->loop, &x->tick);
    ug_loop_close(x->loop, -1);
}

static bool exchange(struct ctx *x, uint32_t n, uint32_t reply_len)
{
    struct blob b = {reply_len, n};
    int want = x->cli.messages + 1;
    uint32_t id = ug_conn_next_request_id(x->cli.conn);
    if (ug_conn_send_raw(x->cli.conn, id, ECHO_ID, enc_blob, &b) != UG_STATUS_GOOD)
        return false;
    if (!run_until(x->loop, &x->cli.messages, want))
        return false;
    return x->srv.last_ok && x->srv.last_len == n && x->cli.last_ok &&
           x->cli.last_len == reply_len && x->cli.last_request_id == id &&
           x->srv.last_request_id == id;
}

static void test_open_exchange_close(void)
{
    struct ctx x;
    setup(&x);
    ug_listener *l = start_server(&x, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(l);
    CU_ASSERT_NOT_EQUAL(ug_listener_port(l), 0);
    ug_conn *c = connect_to(&x, l, NULL);
    CU_ASSERT_FATAL(run_until(x.loop, &x.cli.opened, 1));
    CU_ASSERT_EQUAL(x.srv.opened, 1);
    CU_ASSERT_EQUAL(ug_listener_count(l), 1);
    CU_ASSERT_EQUAL(ug_conn_channel_id(c), ug_conn_channel_id(x.srv.conn));
    CU_ASSERT_NOT_EQUAL(ug_conn_channel_id(c), 0);
    CU_ASSERT_EQUAL(ug_conn_token_id(c), ug_conn_token_id(x.srv.conn));
    CU_ASSERT_EQUAL(ug_conn_send_buf_size(c), 65535);
    CU_ASSERT_EQUAL(ug_conn_peer_max_message_size(c), 16u << 20);
    CU_ASSERT_STRING_EQUAL(ug_conn_security_policy_uri(x.srv.conn), UG_SECPOLICY_NONE_URI);
    ug_string url = ug_conn_endpoint_url(x.srv.conn);
    CU_ASSERT(url.len > 0 && memcmp(url.data, "opc.tcp://127.0.0.1:", 20) == 0);
    CU_ASSERT(strncmp(ug_conn_peer_addr(x.srv.conn), "127.0.0.1:", 10) == 0);
    /* Lifetime revised into [10 s, 1 h]: the client asked for 10 min. */
    CU_ASSERT_EQUAL(ug_conn_token_lifetime_ms(c), 600000);
    CU_ASSERT(exchange(&x, 10, 20));
    CU_ASSERT(exchange(&x, 0, 0));
    /* A ServiceFault reaches the client as a message of type 397. */
    CU_ASSERT_EQUAL(ug_conn_send_fault(x.srv.conn, 77, 5, UG_STATUS_BADNODEIDUNKNOWN),
                    UG_STATUS_GOOD);
    CU_ASSERT(run_until(x.loop, &x.cli.messages, 3));
    CU_ASSERT_EQUAL(x.cli.last_request_id, 77);
    /* Generated structures through ug_conn_send, both ways. */
    ug_ReadValueId rv = {.attribute_id = 13};
    ug_ReadRequest req = {.nodes_to_read_len = 1, .nodes_to_read = &rv};
    req.request_header.request_handle = 42;
    CU_ASSERT_EQUAL(ug_conn_send(c, ug_conn_next_request_id(c), &ug_desc_ReadRequest, &req),
                    UG_STATUS_GOOD);
    CU_ASSERT(run_until(x.loop, &x.cli.messages, 4));
    CU_ASSERT(x.cli.last_ok);
    CU_ASSERT_EQUAL(x.srv.send_status, UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_conn_send(c, 1, NULL, &req), UG_STATUS_BADINVALIDARGUMENT);
    ug_conn_close(c);
    CU_ASSERT(run_until(x.loop, &x.srv.closed, 1));
    CU_ASSERT(run_until(x.loop, &x.cli.closed, 1));
    CU_ASSERT_EQUAL(x.srv.why, UG_STATUS_GOOD); /* CLO: orderly */
    CU_ASSERT_EQUAL(x.cli.why, UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_listener_count(l), 0);
    teardown(&x, l);
}

/* Sequence numbers wrap after UInt32.MaxValue (§6.7.2.4), on both sides:
 * each starts just below it, so OPN and the first messages cross it. */
static void test_sequence_wrap(void)
{
    struct ctx x;
    setup(&x);
    x.srv_first_seq = UINT32_MAX - 1;
    ug_listener *l = start_server(&x, NULL);
    ug_conn *c = connect_to(&x, l, NULL);
    ug_conn_test_set_send_seq(c, UINT32_MAX); /* before HEL/OPN went out */
    CU_ASSERT_FATAL(run_until(x.loop, &x.cli.opened, 1));
    for (int i = 0; i < 3; i++)
        CU_ASSERT(exchange(&x, 100, 100));
    CU_ASSERT_EQUAL(x.cli.closed + x.srv.closed, 0);
    teardown(&x, l);
}

static void test_large_chunked_both_ways(void)
{
    struct ctx x;
    setup(&x);
    struct ug_conn_limits lim;
    ug_conn_limits_init(&lim);
    lim.recv_buf_size = 8192;
    lim.send_buf_size = 8192;
    ug_listener *l = start_server(&x, &lim);
    CU_ASSERT_PTR_NOT_NULL_FATAL(l);
    ug_conn *c = connect_to(&x, l, NULL); /* client offers 64 KiB, server revises to 8 KiB */
    CU_ASSERT_FATAL(run_until(x.loop, &x.cli.opened, 1));
    CU_ASSERT_EQUAL(ug_conn_send_buf_size(c), 8192);
    CU_ASSERT_EQUAL(ug_conn_recv_buf_size(c), 8192);
    CU_ASSERT_EQUAL(ug_conn_recv_buf_size(x.srv.conn), 8192);
    CU_ASSERT(exchange(&x, 200000, 300000));
    struct ug_conn_stats cs, ss;
    ug_conn_get_stats(c, &cs);
    ug_conn_get_stats(x.srv.conn, &ss);
    CU_ASSERT(cs.chunks_tx >= 200000 / 8192 + 1);
    CU_ASSERT(ss.chunks_tx >= 300000 / 8192 + 1);
    /* Second large exchange: the reassembly buffer is reused, not grown. */
    uint32_t allocs = ss.reassembly_allocs;
    CU_ASSERT(exchange(&x, 150000, 100000));
    ug_conn_get_stats(x.srv.conn, &ss);
    CU_ASSERT_EQUAL(ss.reassembly_allocs, allocs);
    /* Exactly one chunk's worth, and one byte more. */
    CU_ASSERT(exchange(&x, 8192 - 24 - 4 - 8, 8192 - 24 - 4 - 8 + 1));
    teardown(&x, l);
}

static void test_token_renew_rollover(void)
{
    struct ctx x;
    setup(&x);
    struct ug_conn_limits slim, clim;
    ug_conn_limits_init(&slim);
    slim.min_token_lifetime_ms = 200;
    slim.max_token_lifetime_ms = 400;
    ug_conn_limits_init(&clim);
    clim.requested_lifetime_ms = 100; /* revised up to 200 */
    ug_listener *l = start_server(&x, &slim);
    CU_ASSERT_PTR_NOT_NULL_FATAL(l);
    ug_conn *c = connect_to(&x, l, &clim);
    CU_ASSERT_FATAL(run_until(x.loop, &x.cli.opened, 1));
    CU_ASSERT_EQUAL(ug_conn_token_lifetime_ms(c), 200);
    uint32_t t0 = ug_conn_token_id(c);
    /* A forced renew: the client switches at once, the server only when
     * the client uses the new token. */
    CU_ASSERT_EQUAL(ug_conn_renew(c), UG_STATUS_GOOD);
    struct ug_conn_stats cs;
    for (int i = 0; i < 200; i++) {
        ug_loop_run_once(x.loop, false);
        ug_conn_get_stats(c, &cs);
        if (cs.renewals)
            break;
    }
    CU_ASSERT_EQUAL(cs.renewals, 1);
    CU_ASSERT_EQUAL(ug_conn_token_id(c), t0 + 1);
    CU_ASSERT_EQUAL(ug_conn_token_id(x.srv.conn), t0); /* not used yet */
    CU_ASSERT(exchange(&x, 5, 5));
    CU_ASSERT_EQUAL(ug_conn_token_id(x.srv.conn), t0 + 1);
    /* Automatic renewals at 75 % of 200 ms, messages flowing throughout:
     * after 700 ms at least three more tokens, and the channel still open. */
    int64_t end = ug_clock_mono_ns() + 700000000LL;
    while (ug_clock_mono_ns() < end) {
        CU_ASSERT_FATAL(exchange(&x, 100, 100));
        run_for(x.loop, 20000000);
    }
    ug_conn_get_stats(c, &cs);
    CU_ASSERT(cs.renewals >= 4);
    CU_ASSERT(ug_conn_token_id(c) >= t0 + 4);
    CU_ASSERT_EQUAL(x.cli.closed, 0);
    CU_ASSERT_EQUAL(x.srv.closed, 0);
    teardown(&x, l);
}

static void test_size_limits(void)
{
    struct ctx x;
    setup(&x);
    struct ug_conn_limits slim, clim;
    ug_conn_limits_init(&slim);
    slim.max_message_size = 20000;
    ug_conn_limits_init(&clim);
    clim.max_message_size = 30000;
    clim.max_chunk_count = 8;
    ug_listener *l = start_server(&x, &slim);
    ug_conn *c = connect_to(&x, l, &clim);
    CU_ASSERT_FATAL(run_until(x.loop, &x.cli.opened, 1));
    CU_ASSERT_EQUAL(ug_conn_peer_max_message_size(c), 20000);
    CU_ASSERT_EQUAL(ug_conn_peer_max_message_size(x.srv.conn), 30000);
    CU_ASSERT_EQUAL(ug_conn_peer_max_chunk_count(x.srv.conn), 8);
    /* Request over the server's MaxMessageSize: fails locally. */
    struct blob big = {0, 25000};
    CU_ASSERT_EQUAL(ug_conn_send_raw(c, ug_conn_next_request_id(c), ECHO_ID, enc_blob, &big),
                    UG_STATUS_BADREQUESTTOOLARGE);
    /* Response over the client's: the server sends an abort chunk. */
    struct blob ask = {40000, 10};
    uint32_t id = ug_conn_next_request_id(c);
    CU_ASSERT_EQUAL(ug_conn_send_raw(c, id, ECHO_ID, enc_blob, &ask), UG_STATUS_GOOD);
    CU_ASSERT_FATAL(run_until(x.loop, &x.cli.aborts, 1));
    CU_ASSERT_EQUAL(x.srv.send_status, UG_STATUS_BADRESPONSETOOLARGE);
    CU_ASSERT_EQUAL(x.cli.abort_status, UG_STATUS_BADRESPONSETOOLARGE);
    CU_ASSERT_EQUAL(x.cli.last_request_id, id);
    /* The channel survives both. */
    CU_ASSERT(exchange(&x, 19000, 29000));
    teardown(&x, l);
}

static void test_reverse_hello(void)
{
    struct ctx x;
    setup(&x);
    ug_listener *l = start_server(&x, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(l);
    ug_reverse *r = NULL;
    CU_ASSERT_EQUAL_FATAL(ug_conn_listen_reverse(x.loop, "127.0.0.1", 0, NULL, NULL, &cbs, &x, &r),
                          UG_STATUS_GOOD);
    CU_ASSERT_NOT_EQUAL(ug_reverse_port(r), 0);
    CU_ASSERT_PTR_NULL(ug_reverse_conn(r));
    char url[64];
    snprintf(url, sizeof url, "opc.tcp://127.0.0.1:%u", ug_reverse_port(r));
    ug_conn *sc = NULL;
    CU_ASSERT_EQUAL(ug_listener_reverse_connect(l, url, "opc.tcp://gateway:4840/rev", &sc),
                    UG_STATUS_GOOD);
    CU_ASSERT_PTR_EQUAL(sc, x.srv.conn); /* on_accept ran */
    CU_ASSERT_EQUAL(ug_listener_count(l), 1);
    CU_ASSERT_FATAL(run_until(x.loop, &x.cli.opened, 1));
    CU_ASSERT_EQUAL(x.srv.opened, 1);
    CU_ASSERT_PTR_EQUAL(ug_reverse_conn(r), x.cli.conn);
    /* The client's HEL carried the RHE's EndpointUrl. */
    ug_string eu = ug_conn_endpoint_url(x.srv.conn);
    CU_ASSERT(eu.len == 26 && memcmp(eu.data, "opc.tcp://gateway:4840/rev", 26) == 0);
    CU_ASSERT(exchange(&x, 3000, 70000));
    ug_reverse_free(r);
    /* Bad URLs are refused before any socket. */
    CU_ASSERT_EQUAL(ug_listener_reverse_connect(l, "http://x:1", NULL, NULL),
                    UG_STATUS_BADTCPENDPOINTURLINVALID);
    teardown(&x, l);
}

/* A reverse connect to a port nobody listens on reports through on_closed. */
static void test_reverse_refused(void)
{
    struct ctx x;
    setup(&x);
    ug_listener *l = start_server(&x, NULL);
    ug_reverse *r = NULL;
    CU_ASSERT_EQUAL_FATAL(ug_conn_listen_reverse(x.loop, "127.0.0.1", 0, NULL, NULL, &cbs, &x, &r),
                          UG_STATUS_GOOD);
    char url[64];
    snprintf(url, sizeof url, "opc.tcp://127.0.0.1:%u", ug_reverse_port(r));
    ug_reverse_free(r); /* now nothing listens there */
    CU_ASSERT_EQUAL(ug_listener_reverse_connect(l, url, NULL, NULL), UG_STATUS_GOOD);
    CU_ASSERT(run_until(x.loop, &x.srv.closed, 1));
    CU_ASSERT_EQUAL(x.srv.why, UG_STATUS_BADNOTCONNECTED);
    CU_ASSERT_EQUAL(ug_listener_count(l), 0);
    teardown(&x, l);
}

static void test_listener_free_closes(void)
{
    struct ctx x;
    setup(&x);
    ug_listener *l = start_server(&x, NULL);
    connect_to(&x, l, NULL);
    CU_ASSERT_FATAL(run_until(x.loop, &x.cli.opened, 1));
    ug_listener_free(l);
    CU_ASSERT_EQUAL(x.srv.closed, 1); /* synchronously */
    CU_ASSERT_EQUAL(x.srv.why, UG_STATUS_BADSHUTDOWN);
    CU_ASSERT(run_until(x.loop, &x.cli.closed, 1));
    CU_ASSERT_EQUAL(x.cli.why, UG_STATUS_BADCONNECTIONCLOSED);
    teardown(&x, NULL);
}

static void test_listener_close_all(void)
{
    struct ctx x;
    setup(&x);
    ug_listener *l = start_server(&x, NULL);
    connect_to(&x, l, NULL);
    CU_ASSERT_FATAL(run_until(x.loop, &x.cli.opened, 1));
    ug_listener_close_all(l, UG_STATUS_BADSHUTDOWN, "maintenance");
    CU_ASSERT_EQUAL(x.srv.closed, 0); /* from the loop, not inside the call */
    CU_ASSERT(run_until(x.loop, &x.cli.closed, 1));
    CU_ASSERT_EQUAL(x.cli.why, UG_STATUS_BADSHUTDOWN); /* the ERR reached it */
    CU_ASSERT(run_until(x.loop, &x.srv.closed, 1));
    CU_ASSERT_EQUAL(x.srv.why, UG_STATUS_BADSHUTDOWN);
    CU_ASSERT_EQUAL(ug_listener_count(l), 0);
    teardown(&x, l);
}

static void test_connect_errors(void)
{
    struct ctx x;
    setup(&x);
    ug_conn *c = NULL;
    CU_ASSERT_EQUAL(ug_conn_connect(x.loop, "opc.tcp://", NULL, &cbs, &x, &c),
                    UG_STATUS_BADTCPENDPOINTURLINVALID);
    CU_ASSERT_EQUAL(ug_conn_connect(x.loop, "opc.tcp://h:99999", NULL, &cbs, &x, &c),
                    UG_STATUS_BADTCPENDPOINTURLINVALID);
    CU_ASSERT_EQUAL(ug_conn_connect(x.loop, NULL, NULL, &cbs, &x, &c),
                    UG_STATUS_BADINVALIDARGUMENT);
    /* Nobody listening: on_closed with BadNotConnected (or a refusal at once). */
    ug_listener *l = start_server(&x, NULL);
    char url[64];
    snprintf(url, sizeof url, "opc.tcp://127.0.0.1:%u", ug_listener_port(l));
    ug_listener_free(l);
    ug_status st = ug_conn_connect(x.loop, url, NULL, &cbs, &x, &c);
    if (st == UG_STATUS_GOOD) {
        CU_ASSERT(run_until(x.loop, &x.cli.closed, 1));
        CU_ASSERT_EQUAL(x.cli.why, UG_STATUS_BADNOTCONNECTED);
    } else {
        CU_ASSERT_EQUAL(st, UG_STATUS_BADNOTCONNECTED);
    }
    CU_ASSERT_EQUAL(x.cli.opened, 0);
    /* Listening: bad arguments, a port already taken, an address that is not
     * ours (TEST-NET-1: bind fails without any lookup). */
    ug_listener *l2 = NULL;
    CU_ASSERT_EQUAL(ug_listener_start(x.loop, "127.0.0.1", 0, NULL, NULL, NULL, &x, &l2),
                    UG_STATUS_BADINVALIDARGUMENT);
    struct ug_conn_cbs no_msg = cbs;
    no_msg.on_message = NULL;
    CU_ASSERT_EQUAL(ug_listener_start(x.loop, "127.0.0.1", 0, NULL, NULL, &no_msg, &x, &l2),
                    UG_STATUS_BADINVALIDARGUMENT);
    l = start_server(&x, NULL);
    CU_ASSERT_EQUAL(ug_listener_start(x.loop, "127.0.0.1", ug_listener_port(l), NULL, NULL, &cbs,
                                      &x, &l2),
                    UG_STATUS_BADRESOURCEUNAVAILABLE);
    CU_ASSERT_EQUAL(ug_listener_start(x.loop, "192.0.2.1", 0, NULL, NULL, &cbs, &x, &l2),
                    UG_STATUS_BADRESOURCEUNAVAILABLE);
    ug_reverse *r = NULL;
    CU_ASSERT_EQUAL(ug_conn_listen_reverse(x.loop, "127.0.0.1", ug_listener_port(l), NULL, NULL,
                                           &cbs, &x, &r),
                    UG_STATUS_BADRESOURCEUNAVAILABLE);
    CU_ASSERT_EQUAL(ug_conn_listen_reverse(x.loop, "127.0.0.1", 0, NULL, NULL, &no_msg, &x, &r),
                    UG_STATUS_BADINVALIDARGUMENT);
    ug_listener_free(l);
    teardown(&x, NULL);
}

/* ------------------------------------ the client against a raw server ---
 * The server side is written by hand here, byte by byte, to reach the
 * client's error paths (builders of uacp_fixture.h). */

static uint8_t wbuf[1 << 16];

struct rawsrv {
    ug_loop *loop;
    struct ug_timer tick;
    int lfd, fd;
    int closed, opened;
    ug_status why;
};

static void c_open(ug_conn *c, void *data)
{
    (void)c;
    ((struct rawsrv *)data)->opened++;
}

static void c_closed(ug_conn *c, ug_status why, void *data)
{
    (void)c;
    struct rawsrv *r = data;
    r->closed++;
    r->why = why;
}

static void c_message(ug_conn *c, uint32_t request_id, uint32_t encoding_id, ug_rd *body,
                      void *data)
{
    (void)c;
    (void)request_id;
    (void)encoding_id;
    (void)body;
    (void)data;
}

static const struct ug_conn_cbs c_cbs = {
    .on_open = c_open, .on_message = c_message, .on_closed = c_closed};

/* Starts a client against a socket we drive; returns after its HEL arrived. */
static void raw_client(struct rawsrv *r, const struct ug_conn_limits *lim)
{
    memset(r, 0, sizeof *r);
    CU_ASSERT_EQUAL_FATAL(ug_loop_new(NULL, &r->loop), UG_STATUS_GOOD);
    ug_timer_init(&r->tick, tick_cb, NULL);
    ug_timer_start_cyclic(r->loop, &r->tick, 5000000, 0, UG_TIMER_CURRENT_TIME);
    r->lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    CU_ASSERT_FATAL(bind(r->lfd, (struct sockaddr *)&a, sizeof a) == 0);
    listen(r->lfd, 1);
    getsockname(r->lfd, (struct sockaddr *)&a, &al);
    char url[64];
    snprintf(url, sizeof url, "opc.tcp://127.0.0.1:%u", ntohs(a.sin_port));
    ug_conn *c;
    CU_ASSERT_EQUAL_FATAL(ug_conn_connect(r->loop, url, lim, &c_cbs, r, &c), UG_STATUS_GOOD);
    r->fd = accept(r->lfd, NULL, NULL);
    fcntl(r->fd, F_SETFL, O_NONBLOCK);
    uint8_t buf[256];
    ssize_t got = 0;
    for (int i = 0; i < 100 && got <= 0; i++) {
        ug_loop_run_once(r->loop, true);
        got = read(r->fd, buf, sizeof buf);
    }
    CU_ASSERT(got > 8 && memcmp(buf, "HELF", 4) == 0);
}

static void raw_finish(struct rawsrv *r)
{
    int64_t end = ug_clock_mono_ns() + 2000000000LL;
    while (!r->closed && ug_clock_mono_ns() < end) {
        ug_loop_run_once(r->loop, true);
        uint8_t b[256];
        if (read(r->fd, b, sizeof b) == 0) {
            close(r->fd);
            r->fd = -1;
        }
    }
    CU_ASSERT_EQUAL(r->closed, 1);
    if (r->fd >= 0)
        close(r->fd);
    close(r->lfd);
    ug_timer_stop(r->loop, &r->tick);
    ug_loop_close(r->loop, -1);
}

static void test_client_errors(void)
{
    struct rawsrv r;
    ug_wr wr;
    /* The server says ERR: on_closed carries its code. */
    raw_client(&r, NULL);
    ug_wr_init(&wr, wbuf, sizeof wbuf);
    ug_uacp_error_encode(&wr, UG_STATUS_BADTCPSERVERTOOBUSY, NULL);
    CU_ASSERT(write(r.fd, wbuf, wr.len) == (ssize_t)wr.len);
    raw_finish(&r);
    CU_ASSERT_EQUAL(r.why, UG_STATUS_BADTCPSERVERTOOBUSY);
    /* MSG instead of ACK. */
    raw_client(&r, NULL);
    ug_wr_init(&wr, wbuf, sizeof wbuf);
    wr_sym(&wr, "MSG", 'F', 1, 1, 1, 1, TEST_TYPE_ID, 4);
    CU_ASSERT(write(r.fd, wbuf, wr.len) == (ssize_t)wr.len);
    raw_finish(&r);
    CU_ASSERT_EQUAL(r.why, UG_STATUS_BADTCPMESSAGETYPEINVALID);
    /* ACK with a buffer below 8192. */
    raw_client(&r, NULL);
    ug_wr_init(&wr, wbuf, sizeof wbuf);
    struct ug_uacp_hello a = {0, 4096, 8192, 0, 0, UG_NULL_BYTES};
    ug_uacp_hello_encode(&wr, UG_UACP_ACK, &a);
    CU_ASSERT(write(r.fd, wbuf, wr.len) == (ssize_t)wr.len);
    raw_finish(&r);
    CU_ASSERT_EQUAL(r.why, UG_STATUS_BADCONNECTIONREJECTED);
    /* A server that never answers. */
    struct ug_conn_limits lim;
    ug_conn_limits_init(&lim);
    lim.hello_timeout_ns = 30000000;
    raw_client(&r, &lim);
    raw_finish(&r);
    CU_ASSERT_EQUAL(r.why, UG_STATUS_BADTIMEOUT);
    CU_ASSERT_EQUAL(r.opened, 0);
}

/* An OpenSecureChannelResponse as a server would send it; type_id 397
 * makes it a ServiceFault (ResponseHeader only). */
static void wr_opn_resp(ug_wr *wr, uint32_t hdr_channel, uint32_t tok_channel, uint32_t token,
                        uint32_t request_id, uint32_t type_id, ug_status result,
                        uint32_t lifetime)
{
    size_t start = wr->len;
    ug_wr_bytes(wr, "OPNF\0\0\0\0", 8);
    ug_wr_u32(wr, hdr_channel);
    ug_wr_string(wr, ug_string_from(UG_SECPOLICY_NONE_URI));
    ug_wr_string(wr, UG_NULL_BYTES);
    ug_wr_string(wr, UG_NULL_BYTES);
    ug_wr_u32(wr, 1);          /* SequenceNumber */
    ug_wr_u32(wr, request_id);
    wr_id(wr, type_id);
    ug_wr_u64(wr, 0);          /* ResponseHeader: Timestamp */
    ug_wr_u32(wr, request_id); /* RequestHandle */
    ug_wr_u32(wr, result);
    ug_wr_u8(wr, 0);           /* ServiceDiagnostics */
    ug_wr_u32(wr, 0);          /* StringTable: empty */
    ug_wr_u16(wr, 0);          /* AdditionalHeader */
    ug_wr_u8(wr, 0);
    if (type_id == UG_ID_OPEN_SECURE_CHANNEL_RESPONSE) {
        ug_wr_u32(wr, 0);      /* ServerProtocolVersion */
        ug_wr_u32(wr, tok_channel);
        ug_wr_u32(wr, token);
        ug_wr_u64(wr, 0);      /* CreatedAt */
        ug_wr_u32(wr, lifetime);
        ug_wr_string(wr, UG_NULL_BYTES);
    }
    patch_size(wr, start);
}

static void raw_write(struct rawsrv *r, ug_wr *wr)
{
    CU_ASSERT_EQUAL_FATAL(ug_wr_finish(wr), UG_STATUS_GOOD);
    CU_ASSERT(write(r->fd, wr->buf, wr->len) == (ssize_t)wr->len);
}

static void wr_ack(ug_wr *wr)
{
    struct ug_uacp_hello a = {0, 65535, 65535, 0, 0, UG_NULL_BYTES};
    ug_uacp_hello_encode(wr, UG_UACP_ACK, &a);
}

static void test_client_opn_errors(void)
{
    static const struct {
        uint32_t hdr_channel, tok_channel, request_id, type_id;
        ug_status result, why;
        bool truncate;
    } v[] = {
        {0, 0, 1, UG_ID_SERVICE_FAULT, UG_STATUS_BADSECURITYPOLICYREJECTED,
         UG_STATUS_BADSECURITYPOLICYREJECTED, false},
        {5, 5, 1, UG_ID_OPEN_SECURE_CHANNEL_RESPONSE, UG_STATUS_BADTOOMANYSESSIONS,
         UG_STATUS_BADTOOMANYSESSIONS, false},
        {0, 0, 1, UG_ID_OPEN_SECURE_CHANNEL_RESPONSE, UG_STATUS_GOOD,
         UG_STATUS_BADSECURECHANNELIDINVALID, false},
        {5, 6, 1, UG_ID_OPEN_SECURE_CHANNEL_RESPONSE, UG_STATUS_GOOD,
         UG_STATUS_BADSECURECHANNELIDINVALID, false},
        {5, 5, 9, UG_ID_OPEN_SECURE_CHANNEL_RESPONSE, UG_STATUS_GOOD,
         UG_STATUS_BADSECURITYCHECKSFAILED, false},
        {5, 5, 1, TEST_TYPE_ID, UG_STATUS_GOOD, UG_STATUS_BADDECODINGERROR, false},
        {5, 5, 1, UG_ID_OPEN_SECURE_CHANNEL_RESPONSE, UG_STATUS_GOOD,
         UG_STATUS_BADDECODINGERROR, true},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        struct rawsrv r;
        raw_client(&r, NULL);
        ug_wr wr;
        ug_wr_init(&wr, wbuf, sizeof wbuf);
        wr_ack(&wr);
        size_t at = wr.len;
        wr_opn_resp(&wr, v[i].hdr_channel, v[i].tok_channel, 1, v[i].request_id, v[i].type_id,
                    v[i].result, 60000);
        if (v[i].truncate) {
            uint32_t n = (uint32_t)(wr.len - at - 4);
            memcpy(wbuf + at + 4, &n, 4);
            wr.len = at + n;
        }
        raw_write(&r, &wr);
        raw_finish(&r);
        CU_ASSERT_EQUAL(r.why, v[i].why);
        CU_ASSERT_EQUAL(r.opened, 0);
    }
}

static void test_client_open_errors(void)
{
    static const struct {
        const char *type;
        uint32_t channel, token;
        ug_status why;
    } v[] = {
        {"CLO", 5, 1, UG_STATUS_BADTCPMESSAGETYPEINVALID}, /* CLO to a client */
        {"MSG", 5, 9, UG_STATUS_BADSECURECHANNELTOKENUNKNOWN},
        {"MSG", 6, 1, UG_STATUS_BADTCPSECURECHANNELUNKNOWN},
        {"HEL", 0, 0, UG_STATUS_BADTCPMESSAGETYPEINVALID},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        struct rawsrv r;
        raw_client(&r, NULL);
        ug_wr wr;
        ug_wr_init(&wr, wbuf, sizeof wbuf);
        wr_ack(&wr);
        wr_opn_resp(&wr, 5, 5, 1, 1, UG_ID_OPEN_SECURE_CHANNEL_RESPONSE, UG_STATUS_GOOD, 60000);
        if (strcmp(v[i].type, "HEL") == 0)
            wr_hel(&wr, 8192, 8192, 0, 0, "opc.tcp://h:1");
        else
            wr_sym(&wr, v[i].type, 'F', v[i].channel, v[i].token, 2, 1, TEST_TYPE_ID, 4);
        raw_write(&r, &wr);
        raw_finish(&r);
        CU_ASSERT_EQUAL(r.opened, 1);
        CU_ASSERT_EQUAL(r.why, v[i].why);
    }
}

/* A reverse client drops a connection whose first message is not a valid
 * ReverseHello, and listens again; the next one with an RHE gets a Hello
 * carrying the RHE's EndpointUrl. */
static void test_reverse_client_rhe(void)
{
    struct rawsrv r;
    memset(&r, 0, sizeof r);
    CU_ASSERT_EQUAL_FATAL(ug_loop_new(NULL, &r.loop), UG_STATUS_GOOD);
    ug_timer_init(&r.tick, tick_cb, NULL);
    ug_timer_start_cyclic(r.loop, &r.tick, 5000000, 0, UG_TIMER_CURRENT_TIME);
    ug_reverse *rev = NULL;
    CU_ASSERT_EQUAL_FATAL(ug_conn_listen_reverse(r.loop, "127.0.0.1", 0, NULL, NULL, &c_cbs, &r,
                                                 &rev),
                          UG_STATUS_GOOD);
    uint16_t port = ug_reverse_port(rev);
    /* A Hello, a truncated RHE, an RHE with a ServerUri over 4096 bytes. */
    for (size_t i = 0; i < 3; i++) {
        int fd = tcp_connect(port);
        CU_ASSERT_FATAL(fd >= 0);
        ug_wr wr;
        ug_wr_init(&wr, wbuf, sizeof wbuf);
        if (i == 0) {
            wr_hel(&wr, 8192, 8192, 0, 0, "opc.tcp://h:1");
        } else {
            ug_uacp_rhe_encode(&wr, ug_string_from("urn:s"), ug_string_from("opc.tcp://s:1"));
            if (i == 1) {
                uint32_t n = (uint32_t)wr.len - 2;
                memcpy(wbuf + 4, &n, 4);
                wr.len = n;
            } else {
                uint32_t big = 5000; /* ServerUri length over 4096 */
                memcpy(wbuf + 8, &big, 4);
            }
        }
        CU_ASSERT(write(fd, wbuf, wr.len) == (ssize_t)wr.len);
        uint8_t b[64];
        ssize_t n = -1;
        for (int k = 0; k < 200 && n != 0; k++) {
            ug_loop_run_once(r.loop, true);
            n = read(fd, b, sizeof b);
        }
        CU_ASSERT_EQUAL(n, 0); /* dropped */
        close(fd);
        CU_ASSERT_PTR_NULL(ug_reverse_conn(rev));
        CU_ASSERT_EQUAL(r.closed, 0); /* never handed out: no callback */
    }
    int fd = tcp_connect(port);
    CU_ASSERT_FATAL(fd >= 0);
    ug_wr wr;
    ug_wr_init(&wr, wbuf, sizeof wbuf);
    ug_uacp_rhe_encode(&wr, ug_string_from("urn:s"), ug_string_from("opc.tcp://s:7/x"));
    CU_ASSERT(write(fd, wbuf, wr.len) == (ssize_t)wr.len);
    uint8_t b[256];
    ssize_t n = -1;
    for (int k = 0; k < 200 && n <= 0; k++) {
        ug_loop_run_once(r.loop, true);
        n = read(fd, b, sizeof b);
    }
    CU_ASSERT_FATAL(n > 8 && memcmp(b, "HELF", 4) == 0);
    struct ug_uacp_hello h;
    CU_ASSERT_EQUAL(ug_uacp_hello_decode(b + 8, (size_t)n - 8, true, &h), UG_STATUS_GOOD);
    CU_ASSERT(ug_bytes_eq(h.endpoint_url, ug_string_from("opc.tcp://s:7/x")));
    CU_ASSERT_PTR_NOT_NULL(ug_reverse_conn(rev));
    ug_reverse_free(rev);
    close(fd);
    for (int k = 0; k < 200 && !r.closed; k++)
        ug_loop_run_once(r.loop, true);
    CU_ASSERT_EQUAL(r.closed, 1);
    CU_ASSERT_EQUAL(r.why, UG_STATUS_BADCONNECTIONCLOSED);
    ug_timer_stop(r.loop, &r.tick);
    ug_loop_close(r.loop, -1);
}

static CU_TestInfo tests[] = {
    {"open, exchange, CLO", test_open_exchange_close},
    {"sequence numbers wrap", test_sequence_wrap},
    {"large chunked messages both ways", test_large_chunked_both_ways},
    {"token renew and rollover", test_token_renew_rollover},
    {"peer size limits", test_size_limits},
    {"ReverseHello both ways", test_reverse_hello},
    {"reverse connect refused", test_reverse_refused},
    {"listener free closes conns", test_listener_free_closes},
    {"listener closes all gracefully", test_listener_close_all},
    {"connect errors", test_connect_errors},
    {"client error paths", test_client_errors},
    {"client OPN response errors", test_client_opn_errors},
    {"client errors on an open channel", test_client_open_errors},
    {"reverse client and bad ReverseHellos", test_reverse_client_rhe},
    CU_TEST_INFO_NULL,
};

int main(void) { return ug_test_main("channel", tests); }
