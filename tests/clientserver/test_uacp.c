/* UACP and SecureChannel wire handling (clientserver/uacp.c, conn.c,
 * channel.c, listener.c): header codecs, then every error path of a server
 * connection driven byte by byte from the other end of a socketpair
 * (wrong lengths, unknown types, Hello out of place or twice, EndpointUrl
 * too long, chunk counts and message sizes over the limits, sequence
 * gaps and wrap-around, unknown and expired tokens, abort chunks,
 * interleaved chunks, hello timeout, connection limit), a few client-side
 * ones against a hand-driven server, and the fuzz seeds (checked against
 * the builders here; UG_REGEN_SEEDS=1 rewrites them). */
#include <errno.h>
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

/* ------------------------------------------------------------ codecs --- */

static void test_hdr_decode(void)
{
    static const struct {
        const char *bytes; /* 4 chars: type + chunk */
        ug_status st;
        uint8_t type;
    } v[] = {
        {"HELF", UG_STATUS_GOOD, UG_UACP_HEL},
        {"ACKF", UG_STATUS_GOOD, UG_UACP_ACK},
        {"ERRF", UG_STATUS_GOOD, UG_UACP_ERR},
        {"RHEF", UG_STATUS_GOOD, UG_UACP_RHE},
        {"OPNF", UG_STATUS_GOOD, UG_UACP_OPN},
        {"CLOF", UG_STATUS_GOOD, UG_UACP_CLO},
        {"MSGF", UG_STATUS_GOOD, UG_UACP_MSG},
        {"MSGC", UG_STATUS_GOOD, UG_UACP_MSG},
        {"MSGA", UG_STATUS_GOOD, UG_UACP_MSG},
        {"MSGX", UG_STATUS_BADTCPMESSAGETYPEINVALID, UG_UACP_MSG},
        {"HELC", UG_STATUS_BADTCPMESSAGETYPEINVALID, UG_UACP_HEL},
        {"OPNC", UG_STATUS_BADTCPMESSAGETYPEINVALID, UG_UACP_OPN},
        {"CLOA", UG_STATUS_BADTCPMESSAGETYPEINVALID, UG_UACP_CLO},
        {"XYZF", UG_STATUS_BADTCPMESSAGETYPEINVALID, UG_UACP_UNKNOWN},
        {"hel", UG_STATUS_BADTCPMESSAGETYPEINVALID, UG_UACP_UNKNOWN},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        uint8_t b[8] = {0};
        memcpy(b, v[i].bytes, strlen(v[i].bytes));
        b[4] = 0x34;
        b[5] = 0x12;
        struct ug_uacp_hdr h;
        CU_ASSERT_EQUAL(ug_uacp_hdr_decode(b, &h), v[i].st);
        CU_ASSERT_EQUAL(h.type, v[i].type);
        CU_ASSERT_EQUAL(h.size, 0x1234);
    }
    uint8_t b[8];
    ug_uacp_hdr_encode(b, UG_UACP_MSG, 'C', 70000);
    CU_ASSERT(memcmp(b, "MSGC\x70\x11\x01\x00", 8) == 0);
}

static void test_hello_codec(void)
{
    struct ug_uacp_hello h = {0, 8192, 65535, 1 << 20, 10, ug_string_from("opc.tcp://x:1")};
    uint8_t buf[64];
    ug_wr wr;
    ug_wr_init(&wr, buf, sizeof buf);
    ug_uacp_hello_encode(&wr, UG_UACP_HEL, &h);
    CU_ASSERT_EQUAL_FATAL(wr.len, 8 + 20 + 4 + 13);
    CU_ASSERT(memcmp(buf, "HELF\x2d\x00\x00\x00", 8) == 0);
    struct ug_uacp_hello d;
    CU_ASSERT_EQUAL(ug_uacp_hello_decode(buf + 8, wr.len - 8, true, &d), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(d.recv_buf_size, 8192);
    CU_ASSERT_EQUAL(d.send_buf_size, 65535);
    CU_ASSERT_EQUAL(d.max_message_size, 1 << 20);
    CU_ASSERT_EQUAL(d.max_chunk_count, 10);
    CU_ASSERT(ug_bytes_eq(d.endpoint_url, h.endpoint_url));
    /* Short, trailing bytes, a URL longer than the body. */
    CU_ASSERT_EQUAL(ug_uacp_hello_decode(buf + 8, 19, true, &d), UG_STATUS_BADDECODINGERROR);
    CU_ASSERT_EQUAL(ug_uacp_hello_decode(buf + 8, wr.len - 9, true, &d),
                    UG_STATUS_BADDECODINGERROR);
    CU_ASSERT_EQUAL(ug_uacp_hello_decode(buf + 8, wr.len - 8, false, &d),
                    UG_STATUS_BADDECODINGERROR);
    /* ACK: no URL. */
    ug_wr_init(&wr, buf, sizeof buf);
    ug_uacp_hello_encode(&wr, UG_UACP_ACK, &h);
    CU_ASSERT_EQUAL(wr.len, 28);
    CU_ASSERT_EQUAL(ug_uacp_hello_decode(buf + 8, 20, false, &d), UG_STATUS_GOOD);
    /* EndpointUrl: 4096 bytes fine, 4097 BadTcpEndpointUrlInvalid. */
    static uint8_t big[8 + 20 + 4 + 4097];
    char *url = malloc(4098);
    memset(url, 'a', 4097);
    url[4097] = '\0';
    for (int n = 4096; n <= 4097; n++) {
        url[n] = '\0';
        h.endpoint_url = ug_string_from(url);
        ug_wr_init(&wr, big, sizeof big);
        ug_uacp_hello_encode(&wr, UG_UACP_HEL, &h);
        CU_ASSERT_EQUAL(ug_uacp_hello_decode(big + 8, wr.len - 8, true, &d),
                        n == 4096 ? UG_STATUS_GOOD : UG_STATUS_BADTCPENDPOINTURLINVALID);
        url[n] = 'a';
    }
    free(url);
}

static void test_error_rhe_codec(void)
{
    uint8_t buf[128];
    ug_wr wr;
    ug_wr_init(&wr, buf, sizeof buf);
    ug_uacp_error_encode(&wr, UG_STATUS_BADTCPSERVERTOOBUSY, NULL);
    ug_status e;
    ug_string reason;
    CU_ASSERT_EQUAL(ug_uacp_error_decode(buf + 8, wr.len - 8, &e, &reason), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(e, UG_STATUS_BADTCPSERVERTOOBUSY);
    CU_ASSERT(ug_bytes_eq(reason, ug_string_from("BadTcpServerTooBusy")));
    CU_ASSERT_EQUAL(ug_uacp_error_decode(buf + 8, 3, &e, &reason), UG_STATUS_BADDECODINGERROR);
    /* A Reason over 4096 bytes is ignored; the code stays. */
    uint8_t longr[8] = {0, 0, 0x81, 0x80, 0x01, 0x10, 0, 0};
    CU_ASSERT_EQUAL(ug_uacp_error_decode(longr, sizeof longr, &e, &reason), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(e, UG_STATUS_BADTCPNOTENOUGHRESOURCES);
    CU_ASSERT_EQUAL(reason.len, -1);

    ug_wr_init(&wr, buf, sizeof buf);
    ug_uacp_rhe_encode(&wr, ug_string_from("urn:s"), ug_string_from("opc.tcp://a:1"));
    ug_string su, eu;
    CU_ASSERT_EQUAL(ug_uacp_rhe_decode(buf + 8, wr.len - 8, &su, &eu), UG_STATUS_GOOD);
    CU_ASSERT(ug_bytes_eq(su, ug_string_from("urn:s")));
    CU_ASSERT(ug_bytes_eq(eu, ug_string_from("opc.tcp://a:1")));
    CU_ASSERT_EQUAL(ug_uacp_rhe_decode(buf + 8, wr.len - 9, &su, &eu), UG_STATUS_BADDECODINGERROR);
    /* A ServerUri length over 4096. */
    uint8_t bad[8] = {0x01, 0x10, 0, 0, 0, 0, 0, 0};
    CU_ASSERT_EQUAL(ug_uacp_rhe_decode(bad, sizeof bad, &su, &eu),
                    UG_STATUS_BADTCPENDPOINTURLINVALID);
}

static void test_parse_url(void)
{
    static const struct {
        const char *url;
        ug_status st;
        const char *host;
        uint16_t port;
    } v[] = {
        {"opc.tcp://localhost:4841", UG_STATUS_GOOD, "localhost", 4841},
        {"opc.tcp://10.0.0.1", UG_STATUS_GOOD, "10.0.0.1", 4840},
        {"opc.tcp://host:48010/UA/Server", UG_STATUS_GOOD, "host", 48010},
        {"opc.tcp://host/path", UG_STATUS_GOOD, "host", 4840},
        {"opc.tcp://[::1]:4850/x", UG_STATUS_GOOD, "::1", 4850},
        {"opc.tcp://[::1", UG_STATUS_BADTCPENDPOINTURLINVALID, NULL, 0},
        {"opc.tcp://", UG_STATUS_BADTCPENDPOINTURLINVALID, NULL, 0},
        {"opc.tcp://:4840", UG_STATUS_BADTCPENDPOINTURLINVALID, NULL, 0},
        {"opc.tcp://h:0", UG_STATUS_BADTCPENDPOINTURLINVALID, NULL, 0},
        {"opc.tcp://h:65536", UG_STATUS_BADTCPENDPOINTURLINVALID, NULL, 0},
        {"opc.tcp://h:12x", UG_STATUS_BADTCPENDPOINTURLINVALID, NULL, 0},
        {"opc.tcp://h:", UG_STATUS_BADTCPENDPOINTURLINVALID, NULL, 0},
        {"http://h:1", UG_STATUS_BADTCPENDPOINTURLINVALID, NULL, 0},
        {"opc.udp://h:1", UG_STATUS_BADTCPENDPOINTURLINVALID, NULL, 0},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char host[64] = "";
        uint16_t port = 0;
        CU_ASSERT_EQUAL(ug_uacp_parse_url(v[i].url, host, sizeof host, &port), v[i].st);
        if (v[i].host) {
            CU_ASSERT_STRING_EQUAL(host, v[i].host);
            CU_ASSERT_EQUAL(port, v[i].port);
        }
    }
    char small[4];
    uint16_t port;
    CU_ASSERT_EQUAL(ug_uacp_parse_url("opc.tcp://longhost:1", small, sizeof small, &port),
                    UG_STATUS_BADTCPENDPOINTURLINVALID);
    CU_ASSERT_EQUAL(ug_uacp_parse_url(NULL, small, sizeof small, &port),
                    UG_STATUS_BADTCPENDPOINTURLINVALID);
}

/* ------------------------------------------------- message builders --- */


static void wr_request_header(ug_wr *wr, uint32_t handle)
{
    ug_wr_u16(wr, 0);           /* AuthenticationToken: null */
    ug_wr_u64(wr, 0);           /* Timestamp */
    ug_wr_u32(wr, handle);
    ug_wr_u32(wr, 0);           /* ReturnDiagnostics */
    ug_wr_u32(wr, UINT32_MAX);  /* AuditEntryId: null */
    ug_wr_u32(wr, 5000);        /* TimeoutHint */
    ug_wr_u16(wr, 0);           /* AdditionalHeader: null */
    ug_wr_u8(wr, 0);
}

static void wr_opn(ug_wr *wr, uint32_t channel_id, uint32_t seq, uint32_t request_id,
                   uint32_t request_type, uint32_t mode, uint32_t lifetime, const char *policy)
{
    size_t start = wr->len;
    ug_wr_bytes(wr, "OPNF\0\0\0\0", 8);
    ug_wr_u32(wr, channel_id);
    ug_wr_string(wr, ug_string_from(policy));
    ug_wr_string(wr, UG_NULL_BYTES); /* SenderCertificate */
    ug_wr_string(wr, UG_NULL_BYTES); /* ReceiverCertificateThumbprint */
    ug_wr_u32(wr, seq);
    ug_wr_u32(wr, request_id);
    wr_id(wr, UG_ID_OPEN_SECURE_CHANNEL_REQUEST);
    wr_request_header(wr, request_id);
    ug_wr_u32(wr, 0); /* ClientProtocolVersion */
    ug_wr_u32(wr, request_type);
    ug_wr_u32(wr, mode);
    ug_wr_string(wr, UG_NULL_BYTES); /* ClientNonce */
    ug_wr_u32(wr, lifetime);
    patch_size(wr, start);
}

/* ReadRequest (Part 4 §5.10.2) of the Server's ServerStatus Value. */
static void wr_read_request(ug_wr *wr, uint32_t channel_id, uint32_t token, uint32_t seq,
                            uint32_t request_id)
{
    size_t start = wr->len;
    ug_wr_bytes(wr, "MSGF\0\0\0\0", 8);
    ug_wr_u32(wr, channel_id);
    ug_wr_u32(wr, token);
    ug_wr_u32(wr, seq);
    ug_wr_u32(wr, request_id);
    wr_id(wr, 631); /* ReadRequest_Encoding_DefaultBinary */
    wr_request_header(wr, request_id);
    ug_wr_u64(wr, 0);     /* MaxAge 0.0 */
    ug_wr_u32(wr, 2);     /* TimestampsToReturn Both */
    ug_wr_u32(wr, 1);     /* NodesToRead: one ReadValueId */
    wr_id(wr, 2256);      /* Server_ServerStatus */
    ug_wr_u32(wr, 13);    /* AttributeId Value */
    ug_wr_u32(wr, UINT32_MAX); /* IndexRange null */
    ug_wr_u16(wr, 0);     /* DataEncoding: null QualifiedName */
    ug_wr_u32(wr, UINT32_MAX);
    patch_size(wr, start);
}

/* --------------------------------------------- server over socketpair --- */

struct srv {
    ug_loop *loop;
    struct ug_timer tick;
    ug_conn *c;
    int peer;
    int closed, opened, messages, accepted;
    ug_status why;
    uint32_t last_type, last_request_id;
    size_t last_len;
    ug_ReadRequest read;  /* the last ReadRequest, decoded */
    bool read_ok;
    uint8_t arena_mem[4096];
    uint8_t in[1 << 16]; /* what the server sent */
    size_t in_len;
    bool eof;
};

static void s_accept(ug_conn *c, void *data)
{
    struct srv *s = data;
    s->accepted++;
    s->c = c;
}

static void s_open(ug_conn *c, void *data)
{
    (void)c;
    ((struct srv *)data)->opened++;
}

static void s_message(ug_conn *c, uint32_t request_id, uint32_t encoding_id, ug_rd *body,
                      void *data)
{
    (void)c;
    struct srv *s = data;
    s->messages++;
    s->last_type = encoding_id;
    s->last_request_id = request_id;
    s->last_len = ug_rd_left(body);
    if (encoding_id == ug_desc_ReadRequest.binary_encoding_id) {
        ug_arena arena;
        ug_arena_init(&arena, s->arena_mem, sizeof s->arena_mem, false);
        body->arena = &arena;
        ug_rd_struct(body, &ug_desc_ReadRequest, &s->read);
        s->read_ok = ug_rd_ok(body) && ug_rd_left(body) == 0;
    }
}

static void s_closed(ug_conn *c, ug_status why, void *data)
{
    (void)c;
    struct srv *s = data;
    s->closed++;
    s->why = why;
    s->c = NULL;
}

static const struct ug_conn_cbs s_cbs = {
    .on_accept = s_accept,
    .on_open = s_open,
    .on_message = s_message,
    .on_closed = s_closed,
};

static void tick_cb(ug_loop *loop, struct ug_timer *t)
{
    (void)loop;
    (void)t;
}

static void srv_init(struct srv *s)
{
    memset(s, 0, sizeof *s);
    CU_ASSERT_EQUAL_FATAL(ug_loop_new(NULL, &s->loop), UG_STATUS_GOOD);
    ug_timer_init(&s->tick, tick_cb, NULL);
    ug_timer_start_cyclic(s->loop, &s->tick, 5000000, 0, UG_TIMER_CURRENT_TIME);
    s->peer = -1;
}

static struct srv *srv_new(const struct ug_conn_limits *lim)
{
    struct srv *s = malloc(sizeof *s);
    srv_init(s);
    int sv[2];
    CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    s->peer = sv[1];
    fcntl(s->peer, F_SETFL, O_NONBLOCK);
    CU_ASSERT_EQUAL_FATAL(ug_conn_accept_fd(s->loop, NULL, sv[0], lim, &s_cbs, s, NULL),
                          UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(s->accepted, 1);
    return s;
}

static void srv_pump(struct srv *s, int iterations)
{
    for (int i = 0; i < iterations; i++) {
        ug_loop_run_once(s->loop, false);
        while (s->peer >= 0 && !s->eof) {
            ssize_t n = read(s->peer, s->in + s->in_len, sizeof s->in - s->in_len);
            if (n > 0)
                s->in_len += (size_t)n;
            else {
                if (n == 0 || (errno != EAGAIN && errno != EINTR))
                    s->eof = true;
                break;
            }
        }
    }
}

static void srv_send(struct srv *s, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    while (len) {
        ssize_t n = write(s->peer, p, len);
        if (n < 0) {
            if (errno == EAGAIN) { /* the kernel buffer is full: let the server read */
                srv_pump(s, 1);
                continue;
            }
            CU_FAIL("write to the server failed");
            return;
        }
        p += n;
        len -= (size_t)n;
    }
    srv_pump(s, 3);
}

static void srv_send_wr(struct srv *s, ug_wr *wr)
{
    CU_ASSERT_EQUAL_FATAL(ug_wr_finish(wr), UG_STATUS_GOOD);
    srv_send(s, wr->buf, wr->len);
}

/* Finds message `type` ("ACK", "OPN", "MSG", "ERR") number `nth` in what
 * the server sent; returns its offset or -1. */
static long srv_find(const struct srv *s, const char *type, int nth)
{
    size_t off = 0;
    while (off + 8 <= s->in_len) {
        uint32_t size;
        memcpy(&size, s->in + off + 4, 4);
        if (size < 8 || off + size > s->in_len)
            break;
        if (memcmp(s->in + off, type, 3) == 0 && nth-- == 0)
            return (long)off;
        off += size;
    }
    return -1;
}

/* Waits for the server to give up the connection: it sends ERR (returned,
 * 0 if none), shuts its side; we close ours; on_closed follows. */
static ug_status srv_expect_close(struct srv *s)
{
    int64_t end = ug_clock_mono_ns() + 3000000000LL;
    while (!s->eof && ug_clock_mono_ns() < end)
        srv_pump(s, 1);
    CU_ASSERT(s->eof);
    if (s->peer >= 0)
        close(s->peer);
    s->peer = -1;
    while (!s->closed && ug_clock_mono_ns() < end)
        srv_pump(s, 1);
    CU_ASSERT_EQUAL(s->closed, 1);
    long off = srv_find(s, "ERR", 0);
    if (off < 0)
        return 0;
    uint32_t code;
    memcpy(&code, s->in + off + 8, 4);
    return code;
}

static void srv_free(struct srv *s)
{
    if (s->peer >= 0)
        close(s->peer);
    s->peer = -1;
    int64_t end = ug_clock_mono_ns() + 3000000000LL;
    while (s->c && !s->closed && ug_clock_mono_ns() < end)
        srv_pump(s, 1);
    ug_timer_stop(s->loop, &s->tick);
    ug_loop_close(s->loop, -1);
    free(s);
}

static uint8_t wbuf[1 << 18];

/* HEL + OPN issue: an open channel (id 1, token 1; our sequence 1 used). */
static struct srv *srv_open(const struct ug_conn_limits *lim, uint32_t lifetime)
{
    struct srv *s = srv_new(lim);
    static uint8_t obuf[512]; /* not wbuf: callers prepare their input there */
    ug_wr wr;
    ug_wr_init(&wr, obuf, sizeof obuf);
    wr_hel(&wr, 65535, 65535, 0, 0, "opc.tcp://localhost:4840");
    wr_opn(&wr, 0, 1, 1, 0, 1, lifetime, UG_SECPOLICY_NONE_URI);
    srv_send_wr(s, &wr);
    srv_pump(s, 3);
    CU_ASSERT_EQUAL(s->opened, 1);
    CU_ASSERT(srv_find(s, "ACK", 0) == 0);
    CU_ASSERT(srv_find(s, "OPN", 0) > 0);
    return s;
}

/* One raw input that the server must refuse with `code`. */
static void expect_refused(const struct ug_conn_limits *lim, bool open, const void *buf, size_t len,
                           ug_status code)
{
    struct srv *s = open ? srv_open(lim, 60000) : srv_new(lim);
    srv_send(s, buf, len);
    CU_ASSERT_EQUAL(srv_expect_close(s), code);
    CU_ASSERT_EQUAL(s->why, code);
    if (s->why != code)
        fprintf(stderr, "\n  expected %s, got %s\n", ug_status_name(code),
                ug_status_name(s->why));
    srv_free(s);
}

static void test_before_hello(void)
{
    ug_wr wr;
    /* OPN first. */
    ug_wr_init(&wr, wbuf, sizeof wbuf);
    wr_opn(&wr, 0, 1, 1, 0, 1, 60000, UG_SECPOLICY_NONE_URI);
    expect_refused(NULL, false, wbuf, wr.len, UG_STATUS_BADTCPMESSAGETYPEINVALID);
    /* MSG first. */
    ug_wr_init(&wr, wbuf, sizeof wbuf);
    wr_sym(&wr, "MSG", 'F', 1, 1, 1, 1, TEST_TYPE_ID, 4);
    expect_refused(NULL, false, wbuf, wr.len, UG_STATUS_BADTCPMESSAGETYPEINVALID);
    /* ACK to a server. */
    ug_wr_init(&wr, wbuf, sizeof wbuf);
    struct ug_uacp_hello a = {0, 8192, 8192, 0, 0, UG_NULL_BYTES};
    ug_uacp_hello_encode(&wr, UG_UACP_ACK, &a);
    expect_refused(NULL, false, wbuf, wr.len, UG_STATUS_BADTCPMESSAGETYPEINVALID);
    /* Unknown type. */
    expect_refused(NULL, false, "XYZF\x10\0\0\0\0\0\0\0\0\0\0\0", 16,
                   UG_STATUS_BADTCPMESSAGETYPEINVALID);
    /* HEL with a bad chunk type. */
    ug_wr_init(&wr, wbuf, sizeof wbuf);
    wr_hel(&wr, 8192, 8192, 0, 0, "opc.tcp://h:1");
    wbuf[3] = 'C';
    expect_refused(NULL, false, wbuf, wr.len, UG_STATUS_BADTCPMESSAGETYPEINVALID);
}

static void test_hello_lengths(void)
{
    ug_wr wr;
    /* MessageSize below the header. */
    expect_refused(NULL, false, "HELF\x04\0\0\0", 8, UG_STATUS_BADDECODINGERROR);
    /* MessageSize says less than the fields. */
    ug_wr_init(&wr, wbuf, sizeof wbuf);
    wr_hel(&wr, 8192, 8192, 0, 0, "opc.tcp://h:1");
    uint32_t n = 20;
    memcpy(wbuf + 4, &n, 4);
    expect_refused(NULL, false, wbuf, 20, UG_STATUS_BADDECODINGERROR);
    /* MessageSize says more than the fields (trailing bytes). */
    ug_wr_init(&wr, wbuf, sizeof wbuf);
    wr_hel(&wr, 8192, 8192, 0, 0, "opc.tcp://h:1");
    n = (uint32_t)wr.len + 4;
    memcpy(wbuf + 4, &n, 4);
    expect_refused(NULL, false, wbuf, n, UG_STATUS_BADDECODINGERROR);
    /* A chunk larger than our receive buffer: refused on the header. */
    expect_refused(NULL, false, "HELF\x00\x00\x01\x00", 8, UG_STATUS_BADTCPMESSAGETOOLARGE);
    /* Buffers below 8192. */
    ug_wr_init(&wr, wbuf, sizeof wbuf);
    wr_hel(&wr, 8191, 8192, 0, 0, "opc.tcp://h:1");
    expect_refused(NULL, false, wbuf, wr.len, UG_STATUS_BADCONNECTIONREJECTED);
    /* EndpointUrl over 4096 bytes. */
    char *url = malloc(4200);
    memset(url, 'u', 4199);
    url[4199] = '\0';
    ug_wr_init(&wr, wbuf, sizeof wbuf);
    wr_hel(&wr, 8192, 8192, 0, 0, url);
    free(url);
    expect_refused(NULL, false, wbuf, wr.len, UG_STATUS_BADTCPENDPOINTURLINVALID);
}

static void test_hello_negotiation(void)
{
    struct ug_conn_limits lim;
    ug_conn_limits_init(&lim);
    lim.recv_buf_size = 16384;
    lim.send_buf_size = 32768;
    struct srv *s = srv_new(&lim);
    ug_wr wr;
    ug_wr_init(&wr, wbuf, sizeof wbuf);
    wr_hel(&wr, 20000, 9000, 1000000, 7, "opc.tcp://h:1");
    srv_send_wr(s, &wr);
    long off = srv_find(s, "ACK", 0);
    CU_ASSERT_EQUAL_FATAL(off, 0);
    struct ug_uacp_hello a;
    CU_ASSERT_EQUAL(ug_uacp_hello_decode(s->in + 8, 20, false, &a), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(a.recv_buf_size, 9000);   /* min(ours 16384, client's send 9000) */
    CU_ASSERT_EQUAL(a.send_buf_size, 20000);  /* min(ours 32768, client's receive 20000) */
    CU_ASSERT_EQUAL(a.max_message_size, 16u << 20);
    CU_ASSERT_EQUAL(ug_conn_peer_max_message_size(s->c), 1000000);
    CU_ASSERT_EQUAL(ug_conn_peer_max_chunk_count(s->c), 7);
    /* A second Hello. */
    ug_wr_init(&wr, wbuf, sizeof wbuf);
    wr_hel(&wr, 20000, 9000, 0, 0, "opc.tcp://h:1");
    srv_send_wr(s, &wr);
    CU_ASSERT_EQUAL(srv_expect_close(s), UG_STATUS_BADTCPMESSAGETYPEINVALID);
    srv_free(s);
    /* A chunk over the revised 9000 is refused even though 16384 would fit. */
    s = srv_new(&lim);
    ug_wr_init(&wr, wbuf, sizeof wbuf);
    wr_hel(&wr, 20000, 9000, 0, 0, "opc.tcp://h:1");
    wr_opn(&wr, 0, 1, 1, 0, 1, 60000, UG_SECPOLICY_NONE_URI);
    wr_sym(&wr, "MSG", 'F', 1, 1, 2, 2, TEST_TYPE_ID, 9500);
    srv_send_wr(s, &wr);
    CU_ASSERT_EQUAL(srv_expect_close(s), UG_STATUS_BADTCPMESSAGETOOLARGE);
    srv_free(s);
}

static void test_opn_errors(void)
{
    static const struct {
        uint32_t channel, request_type, mode;
        const char *policy;
        ug_status code;
    } v[] = {
        {0, 0, 1, "http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256",
         UG_STATUS_BADSECURITYPOLICYREJECTED},
        {0, 0, 1, "", UG_STATUS_BADSECURITYPOLICYREJECTED},
        {0, 0, 2, UG_SECPOLICY_NONE_URI, UG_STATUS_BADSECURITYMODEREJECTED},
        {0, 0, 0, UG_SECPOLICY_NONE_URI, UG_STATUS_BADSECURITYMODEREJECTED},
        {0, 1, 1, UG_SECPOLICY_NONE_URI, UG_STATUS_BADREQUESTTYPEINVALID}, /* renew first */
        {0, 5, 1, UG_SECPOLICY_NONE_URI, UG_STATUS_BADREQUESTTYPEINVALID},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        ug_wr wr;
        ug_wr_init(&wr, wbuf, sizeof wbuf);
        wr_hel(&wr, 8192, 8192, 0, 0, "opc.tcp://h:1");
        wr_opn(&wr, v[i].channel, 1, 1, v[i].request_type, v[i].mode, 60000, v[i].policy);
        expect_refused(NULL, false, wbuf, wr.len, v[i].code);
    }
    /* A truncated OPN body. */
    ug_wr wr;
    ug_wr_init(&wr, wbuf, sizeof wbuf);
    wr_hel(&wr, 8192, 8192, 0, 0, "opc.tcp://h:1");
    size_t at = wr.len;
    wr_opn(&wr, 0, 1, 1, 0, 1, 60000, UG_SECPOLICY_NONE_URI);
    uint32_t n = (uint32_t)(wr.len - at - 4);
    memcpy(wbuf + at + 4, &n, 4);
    expect_refused(NULL, false, wbuf, at + n, UG_STATUS_BADDECODINGERROR);
    /* A second issue on an open channel; MSG before OPN. */
    ug_wr_init(&wr, wbuf, sizeof wbuf);
    wr_opn(&wr, 1, 2, 2, 0, 1, 60000, UG_SECPOLICY_NONE_URI);
    expect_refused(NULL, true, wbuf, wr.len, UG_STATUS_BADREQUESTTYPEINVALID);
    ug_wr_init(&wr, wbuf, sizeof wbuf);
    wr_hel(&wr, 8192, 8192, 0, 0, "opc.tcp://h:1");
    wr_sym(&wr, "MSG", 'F', 1, 1, 1, 1, TEST_TYPE_ID, 4);
    expect_refused(NULL, false, wbuf, wr.len, UG_STATUS_BADTCPMESSAGETYPEINVALID);
    /* Renew naming another channel. */
    ug_wr_init(&wr, wbuf, sizeof wbuf);
    wr_opn(&wr, 7, 2, 2, 1, 1, 60000, UG_SECPOLICY_NONE_URI);
    expect_refused(NULL, true, wbuf, wr.len, UG_STATUS_BADSECURECHANNELIDINVALID);
}

static void test_open_and_message(void)
{
    struct srv *s = srv_open(NULL, 60000);
    ug_wr wr;
    ug_wr_init(&wr, wbuf, sizeof wbuf);
    wr_read_request(&wr, 1, 1, 2, 2);
    srv_send_wr(s, &wr);
    CU_ASSERT_EQUAL(s->messages, 1);
    CU_ASSERT_EQUAL(s->last_type, 631);
    CU_ASSERT_EQUAL(s->last_request_id, 2);
    /* A type id that is not ns=0 numeric arrives as 0. */
    ug_wr_init(&wr, wbuf, sizeof wbuf);
    size_t start = wr.len;
    wr_sym(&wr, "MSG", 'F', 1, 1, 3, 3, 0, 0);
    ug_wr_u8(&wr, 1);  /* four-byte NodeId, ns=2 */
    ug_wr_u8(&wr, 2);
    ug_wr_u16(&wr, 5);
    patch_size(&wr, start);
    srv_send_wr(s, &wr);
    CU_ASSERT_EQUAL(s->messages, 2);
    CU_ASSERT_EQUAL(s->last_type, 0);
    /* The OPN response: channel 1, token 1, the lifetime asked for. */
    long off = srv_find(s, "OPN", 0);
    CU_ASSERT_FATAL(off > 0);
    uint32_t ch;
    memcpy(&ch, s->in + off + 8, 4);
    CU_ASSERT_EQUAL(ch, 1);
    CU_ASSERT_EQUAL(ug_conn_token_lifetime_ms(s->c), 60000);
    /* A fault from the server side reaches the wire as a MSG. */
    CU_ASSERT_EQUAL(ug_conn_send_fault(s->c, 3, 9, UG_STATUS_BADSERVICEUNSUPPORTED),
                    UG_STATUS_GOOD);
    srv_pump(s, 2);
    off = srv_find(s, "MSG", 0);
    CU_ASSERT_FATAL(off > 0);
    uint32_t st;
    memcpy(&st, s->in + off + 24 + 4 + 8 + 4, 4); /* headers, type id, timestamp, handle */
    CU_ASSERT_EQUAL(st, UG_STATUS_BADSERVICEUNSUPPORTED);
    /* CLO: an orderly close, no answer. */
    ug_wr_init(&wr, wbuf, sizeof wbuf);
    start = wr.len;
    wr_sym(&wr, "CLO", 'F', 1, 1, 4, 4, UG_ID_CLOSE_SECURE_CHANNEL_REQUEST, 0);
    wr_request_header(&wr, 4);
    patch_size(&wr, start);
    srv_send_wr(s, &wr);
    CU_ASSERT_EQUAL(srv_expect_close(s), 0);
    CU_ASSERT_EQUAL(s->why, UG_STATUS_GOOD);
    srv_free(s);
}

static void test_symmetric_errors(void)
{
    ug_wr wr;
    /* Sequence gap (expected 2). */
    ug_wr_init(&wr, wbuf, sizeof wbuf);
    wr_sym(&wr, "MSG", 'F', 1, 1, 3, 2, TEST_TYPE_ID, 4);
    expect_refused(NULL, true, wbuf, wr.len, UG_STATUS_BADSEQUENCENUMBERINVALID);
    /* Replay of the OPN's number. */
    ug_wr_init(&wr, wbuf, sizeof wbuf);
    wr_sym(&wr, "MSG", 'F', 1, 1, 1, 2, TEST_TYPE_ID, 4);
    expect_refused(NULL, true, wbuf, wr.len, UG_STATUS_BADSEQUENCENUMBERINVALID);
    /* Unknown token. */
    ug_wr_init(&wr, wbuf, sizeof wbuf);
    wr_sym(&wr, "MSG", 'F', 1, 9, 2, 2, TEST_TYPE_ID, 4);
    expect_refused(NULL, true, wbuf, wr.len, UG_STATUS_BADSECURECHANNELTOKENUNKNOWN);
    /* Another channel. */
    ug_wr_init(&wr, wbuf, sizeof wbuf);
    wr_sym(&wr, "MSG", 'F', 2, 1, 2, 2, TEST_TYPE_ID, 4);
    expect_refused(NULL, true, wbuf, wr.len, UG_STATUS_BADTCPSECURECHANNELUNKNOWN);
    /* Shorter than its headers. */
    ug_wr_init(&wr, wbuf, sizeof wbuf);
    wr_sym(&wr, "MSG", 'F', 1, 1, 2, 2, 0, 0);
    uint32_t n = 20;
    memcpy(wbuf + 4, &n, 4);
    expect_refused(NULL, true, wbuf, 20, UG_STATUS_BADDECODINGERROR);
    /* A malformed type id. */
    ug_wr_init(&wr, wbuf, sizeof wbuf);
    wr_sym(&wr, "MSG", 'F', 1, 1, 2, 2, 0, 0);
    ug_wr_u8(&wr, 0x3f);
    n = (uint32_t)wr.len;
    memcpy(wbuf + 4, &n, 4);
    expect_refused(NULL, true, wbuf, wr.len, UG_STATUS_BADDECODINGERROR);
    /* The channel's own services inside MSG. */
    ug_wr_init(&wr, wbuf, sizeof wbuf);
    wr_sym(&wr, "MSG", 'F', 1, 1, 2, 2, UG_ID_OPEN_SECURE_CHANNEL_REQUEST, 4);
    expect_refused(NULL, true, wbuf, wr.len, UG_STATUS_BADTCPMESSAGETYPEINVALID);
    /* Hello on an open channel. */
    ug_wr_init(&wr, wbuf, sizeof wbuf);
    wr_hel(&wr, 8192, 8192, 0, 0, "opc.tcp://h:1");
    expect_refused(NULL, true, wbuf, wr.len, UG_STATUS_BADTCPMESSAGETYPEINVALID);
    /* An ERR from the client closes with its code. */
    ug_wr_init(&wr, wbuf, sizeof wbuf);
    ug_uacp_error_encode(&wr, UG_STATUS_BADTCPINTERNALERROR, "bye");
    struct srv *s = srv_open(NULL, 60000);
    srv_send_wr(s, &wr);
    CU_ASSERT_EQUAL(srv_expect_close(s), 0); /* no ERR back */
    CU_ASSERT_EQUAL(s->why, UG_STATUS_BADTCPINTERNALERROR);
    srv_free(s);
}

static void test_sequence_wrap(void)
{
    static const struct {
        uint32_t first, second;
        bool ok;
    } v[] = {
        {UINT32_MAX, 0, true},               /* wrap after the top */
        {UINT32_MAX - 1000, 5, true},        /* wrap past UInt32.Max - 1024 */
        {UINT32_MAX - 1000, 1023, true},
        {UINT32_MAX - 1000, 1024, false},    /* must restart below 1024 */
        {UINT32_MAX - 2000, 5, false},       /* too early to wrap */
        {100, 101, true},
        {100, 100, false},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        struct srv *s = srv_new(NULL);
        ug_wr wr;
        ug_wr_init(&wr, wbuf, sizeof wbuf);
        wr_hel(&wr, 8192, 8192, 0, 0, "opc.tcp://h:1");
        wr_opn(&wr, 0, v[i].first - 1, 1, 0, 1, 60000, UG_SECPOLICY_NONE_URI);
        wr_sym(&wr, "MSG", 'F', 1, 1, v[i].first, 2, TEST_TYPE_ID, 4);
        wr_sym(&wr, "MSG", 'F', 1, 1, v[i].second, 3, TEST_TYPE_ID, 4);
        srv_send_wr(s, &wr);
        srv_pump(s, 2);
        CU_ASSERT_EQUAL(s->messages, v[i].ok ? 2 : 1);
        if (!v[i].ok)
            CU_ASSERT_EQUAL(srv_expect_close(s), UG_STATUS_BADSEQUENCENUMBERINVALID);
        srv_free(s);
    }
}

static void test_chunk_limits(void)
{
    struct ug_conn_limits lim;
    ug_conn_limits_init(&lim);
    lim.max_chunk_count = 3;
    lim.max_message_size = 3000;
    ug_wr wr;
    /* Three chunks of 900: fine; a fourth chunk: too many. */
    struct srv *s = srv_open(&lim, 60000);
    ug_wr_init(&wr, wbuf, sizeof wbuf);
    wr_sym(&wr, "MSG", 'C', 1, 1, 2, 7, TEST_TYPE_ID, 896);
    wr_sym(&wr, "MSG", 'C', 1, 1, 3, 7, 0, 900);
    wr_sym(&wr, "MSG", 'F', 1, 1, 4, 7, 0, 900);
    srv_send_wr(s, &wr);
    CU_ASSERT_EQUAL(s->messages, 1);
    CU_ASSERT_EQUAL(s->last_len, 896 + 900 + 900);
    CU_ASSERT_EQUAL(s->last_request_id, 7);
    ug_wr_init(&wr, wbuf, sizeof wbuf);
    for (uint32_t i = 0; i < 4; i++)
        wr_sym(&wr, "MSG", i == 3 ? 'F' : 'C', 1, 1, 5 + i, 8, i ? 0 : TEST_TYPE_ID, 100);
    srv_send_wr(s, &wr);
    CU_ASSERT_EQUAL(srv_expect_close(s), UG_STATUS_BADTCPMESSAGETOOLARGE);
    CU_ASSERT_EQUAL(s->messages, 1);
    srv_free(s);
    /* Two chunks over MaxMessageSize. */
    ug_wr_init(&wr, wbuf, sizeof wbuf);
    wr_sym(&wr, "MSG", 'C', 1, 1, 2, 7, TEST_TYPE_ID, 2000);
    wr_sym(&wr, "MSG", 'F', 1, 1, 3, 7, 0, 2000);
    expect_refused(&lim, true, wbuf, wr.len, UG_STATUS_BADTCPMESSAGETOOLARGE);
    /* Chunks of two requests interleaved. */
    ug_wr_init(&wr, wbuf, sizeof wbuf);
    wr_sym(&wr, "MSG", 'C', 1, 1, 2, 7, TEST_TYPE_ID, 10);
    wr_sym(&wr, "MSG", 'F', 1, 1, 3, 8, TEST_TYPE_ID, 10);
    expect_refused(&lim, true, wbuf, wr.len, UG_STATUS_BADSECURITYCHECKSFAILED);
}

static void test_abort_chunk(void)
{
    struct srv *s = srv_open(NULL, 60000);
    ug_wr wr;
    ug_wr_init(&wr, wbuf, sizeof wbuf);
    wr_sym(&wr, "MSG", 'C', 1, 1, 2, 7, TEST_TYPE_ID, 500);
    size_t start = wr.len;
    wr_sym(&wr, "MSG", 'A', 1, 1, 3, 7, 0, 0);
    ug_wr_u32(&wr, UG_STATUS_BADREQUESTCANCELLEDBYCLIENT);
    ug_wr_string(&wr, ug_string_from("changed my mind"));
    patch_size(&wr, start);
    /* The next message starts afresh and is delivered alone. */
    wr_sym(&wr, "MSG", 'F', 1, 1, 4, 8, TEST_TYPE_ID, 33);
    srv_send_wr(s, &wr);
    CU_ASSERT_EQUAL(s->messages, 1);
    CU_ASSERT_EQUAL(s->last_request_id, 8);
    CU_ASSERT_EQUAL(s->last_len, 33);
    CU_ASSERT_EQUAL(s->closed, 0);
    CU_ASSERT_PTR_NOT_NULL(s->c);
    srv_free(s);
}

static void test_renew_rollover_raw(void)
{
    struct ug_conn_limits lim;
    ug_conn_limits_init(&lim);
    lim.min_token_lifetime_ms = 1000;
    struct srv *s = srv_open(&lim, 500); /* revised up to 1000 */
    CU_ASSERT_EQUAL(ug_conn_token_lifetime_ms(s->c), 1000);
    ug_wr wr;
    ug_wr_init(&wr, wbuf, sizeof wbuf);
    wr_opn(&wr, 1, 2, 2, 1, 1, 5000, UG_SECPOLICY_NONE_URI); /* renew */
    srv_send_wr(s, &wr);
    CU_ASSERT(srv_find(s, "OPN", 1) > 0);
    /* Old token still good, and still the one the server sends with. */
    ug_wr_init(&wr, wbuf, sizeof wbuf);
    wr_sym(&wr, "MSG", 'F', 1, 1, 3, 3, TEST_TYPE_ID, 1);
    srv_send_wr(s, &wr);
    CU_ASSERT_EQUAL(s->messages, 1);
    CU_ASSERT_EQUAL(ug_conn_token_id(s->c), 1);
    /* The client uses token 2: the server switches. */
    ug_wr_init(&wr, wbuf, sizeof wbuf);
    wr_sym(&wr, "MSG", 'F', 1, 2, 4, 4, TEST_TYPE_ID, 1);
    srv_send_wr(s, &wr);
    CU_ASSERT_EQUAL(s->messages, 2);
    CU_ASSERT_EQUAL(ug_conn_token_id(s->c), 2);
    CU_ASSERT_EQUAL(ug_conn_token_lifetime_ms(s->c), 5000);
    /* The old token is gone now. */
    ug_wr_init(&wr, wbuf, sizeof wbuf);
    wr_sym(&wr, "MSG", 'F', 1, 1, 5, 5, TEST_TYPE_ID, 1);
    srv_send_wr(s, &wr);
    CU_ASSERT_EQUAL(srv_expect_close(s), UG_STATUS_BADSECURECHANNELTOKENUNKNOWN);
    srv_free(s);
}

/* After a renew the server keeps sending with the old token only until it
 * expires, even when the client has not used the new one yet. */
static void test_renew_old_token_expires(void)
{
    struct ug_conn_limits lim;
    ug_conn_limits_init(&lim);
    lim.min_token_lifetime_ms = 100;
    lim.max_token_lifetime_ms = 100000;
    struct srv *s = srv_open(&lim, 100);
    ug_wr wr;
    ug_wr_init(&wr, wbuf, sizeof wbuf);
    wr_opn(&wr, 1, 2, 2, 1, 1, 100000, UG_SECPOLICY_NONE_URI); /* renew */
    srv_send_wr(s, &wr);
    CU_ASSERT(srv_find(s, "OPN", 1) > 0);
    CU_ASSERT_EQUAL(ug_conn_send_fault(s->c, 3, 3, UG_STATUS_BADTIMEOUT), UG_STATUS_GOOD);
    int64_t end = ug_clock_mono_ns() + 150000000;
    while (ug_clock_mono_ns() < end)
        srv_pump(s, 1);
    CU_ASSERT_EQUAL(ug_conn_send_fault(s->c, 4, 4, UG_STATUS_BADTIMEOUT), UG_STATUS_GOOD);
    srv_pump(s, 2);
    long m0 = srv_find(s, "MSG", 0), m1 = srv_find(s, "MSG", 1);
    CU_ASSERT_FATAL(m0 > 0 && m1 > 0);
    uint32_t t0, t1;
    memcpy(&t0, s->in + m0 + 12, 4);
    memcpy(&t1, s->in + m1 + 12, 4);
    CU_ASSERT_EQUAL(t0, 1); /* old token, still valid */
    CU_ASSERT_EQUAL(t1, 2); /* old one expired: the new one */
    srv_free(s);
}

static void test_token_expiry(void)
{
    struct ug_conn_limits lim;
    ug_conn_limits_init(&lim);
    lim.min_token_lifetime_ms = 200;
    lim.max_token_lifetime_ms = 200;
    struct srv *s = srv_open(&lim, 200);
    ug_wr wr;
    ug_wr_init(&wr, wbuf, sizeof wbuf);
    wr_sym(&wr, "MSG", 'F', 1, 1, 2, 2, TEST_TYPE_ID, 1);
    srv_send_wr(s, &wr);
    CU_ASSERT_EQUAL(s->messages, 1);
    /* Past lifetime + 25 %: refused. */
    int64_t end = ug_clock_mono_ns() + 300000000;
    while (ug_clock_mono_ns() < end)
        srv_pump(s, 1);
    ug_wr_init(&wr, wbuf, sizeof wbuf);
    wr_sym(&wr, "MSG", 'F', 1, 1, 3, 3, TEST_TYPE_ID, 1);
    srv_send_wr(s, &wr);
    CU_ASSERT_EQUAL(srv_expect_close(s), UG_STATUS_BADSECURECHANNELTOKENUNKNOWN);
    CU_ASSERT_EQUAL(s->messages, 1);
    srv_free(s);
}

static void test_hello_timeout(void)
{
    struct ug_conn_limits lim;
    ug_conn_limits_init(&lim);
    lim.hello_timeout_ns = 30000000; /* 30 ms */
    /* Silent connection. */
    struct srv *s = srv_new(&lim);
    int64_t t0 = ug_clock_mono_ns();
    CU_ASSERT_EQUAL(srv_expect_close(s), UG_STATUS_BADTIMEOUT);
    CU_ASSERT_EQUAL(s->why, UG_STATUS_BADTIMEOUT);
    CU_ASSERT(ug_clock_mono_ns() - t0 >= 30000000);
    srv_free(s);
    /* Hello but no OpenSecureChannel. */
    s = srv_new(&lim);
    ug_wr wr;
    ug_wr_init(&wr, wbuf, sizeof wbuf);
    wr_hel(&wr, 8192, 8192, 0, 0, "opc.tcp://h:1");
    srv_send_wr(s, &wr);
    CU_ASSERT_EQUAL(srv_find(s, "ACK", 0), 0);
    CU_ASSERT_EQUAL(srv_expect_close(s), UG_STATUS_BADTIMEOUT);
    srv_free(s);
    /* Opened in time: no timeout later. */
    lim.hello_timeout_ns = 150000000;
    s = srv_open(&lim, 60000);
    int64_t end = ug_clock_mono_ns() + 250000000;
    while (ug_clock_mono_ns() < end)
        srv_pump(s, 1);
    CU_ASSERT_EQUAL(s->closed, 0);
    srv_free(s);
}

/* The close timeout ends a close whose peer never finishes its side. */
static void test_close_timeout(void)
{
    struct ug_conn_limits lim;
    ug_conn_limits_init(&lim);
    lim.close_timeout_ns = 30000000;
    struct srv *s = srv_open(&lim, 60000);
    ug_conn_close_error(s->c, UG_STATUS_BADSHUTDOWN, "going down");
    int64_t end = ug_clock_mono_ns() + 2000000000LL;
    while (!s->closed && ug_clock_mono_ns() < end)
        srv_pump(s, 1); /* we never close our end */
    CU_ASSERT_EQUAL(s->closed, 1);
    CU_ASSERT_EQUAL(s->why, UG_STATUS_BADSHUTDOWN);
    CU_ASSERT(srv_find(s, "ERR", 0) > 0);
    srv_free(s);
}

static void test_connection_limit(void)
{
    struct srv *s = malloc(sizeof *s);
    srv_init(s);
    struct ug_conn_limits lim;
    ug_conn_limits_init(&lim);
    lim.max_connections = 1;
    lim.close_timeout_ns = 50000000;
    ug_listener *l = NULL;
    CU_ASSERT_EQUAL_FATAL(ug_listener_start(s->loop, "127.0.0.1", 0, &lim, NULL, &s_cbs, s, &l),
                          UG_STATUS_GOOD);
    int a = tcp_connect(ug_listener_port(l));
    CU_ASSERT_FATAL(a >= 0);
    for (int i = 0; i < 20 && !s->accepted; i++)
        ug_loop_run_once(s->loop, true);
    CU_ASSERT_EQUAL(s->accepted, 1);
    CU_ASSERT_EQUAL(ug_listener_count(l), 1);
    int b = tcp_connect(ug_listener_port(l));
    CU_ASSERT_FATAL(b >= 0);
    uint8_t buf[256];
    size_t got = 0;
    int64_t end = ug_clock_mono_ns() + 2000000000LL;
    while (ug_clock_mono_ns() < end) {
        ug_loop_run_once(s->loop, false);
        ssize_t n = read(b, buf + got, sizeof buf - got);
        if (n == 0)
            break;
        if (n > 0)
            got += (size_t)n;
    }
    CU_ASSERT_FATAL(got >= 12);
    CU_ASSERT(memcmp(buf, "ERRF", 4) == 0);
    uint32_t code;
    memcpy(&code, buf + 8, 4);
    CU_ASSERT_EQUAL(code, UG_STATUS_BADTCPNOTENOUGHRESOURCES);
    CU_ASSERT_EQUAL(s->accepted, 1); /* never handed out */
    CU_ASSERT_EQUAL(ug_listener_count(l), 1);
    /* Reverse connections count too. */
    CU_ASSERT_EQUAL(ug_listener_reverse_connect(l, "opc.tcp://127.0.0.1:9", NULL, NULL),
                    UG_STATUS_BADTCPNOTENOUGHRESOURCES);
    close(b);
    /* The first one leaves: room again. */
    close(a);
    for (int i = 0; i < 50 && !s->closed; i++)
        ug_loop_run_once(s->loop, true);
    CU_ASSERT_EQUAL(s->closed, 1);
    CU_ASSERT_EQUAL(s->why, UG_STATUS_BADCONNECTIONCLOSED);
    CU_ASSERT_EQUAL(ug_listener_count(l), 0);
    int c = tcp_connect(ug_listener_port(l));
    for (int i = 0; i < 20 && s->accepted < 2; i++)
        ug_loop_run_once(s->loop, true);
    CU_ASSERT_EQUAL(s->accepted, 2);
    close(c);
    ug_listener_free(l);
    CU_ASSERT_EQUAL(s->closed, 2);
    ug_timer_stop(s->loop, &s->tick);
    ug_loop_close(s->loop, -1);
    free(s);
}

/* A peer that never reads: output queues up to max_send_queue, then
 * sending fails with BadResourceUnavailable instead of growing. */
static void test_send_queue_limit(void)
{
    struct ug_conn_limits lim;
    ug_conn_limits_init(&lim);
    lim.max_send_queue = 300000;
    struct srv *s = srv_open(&lim, 60000);
    ug_status st = UG_STATUS_GOOD;
    int sent = 0;
    for (; sent < 100000 && st == UG_STATUS_GOOD; sent++)
        st = ug_conn_send_fault(s->c, 9, 9, UG_STATUS_BADTIMEOUT);
    CU_ASSERT_EQUAL(st, UG_STATUS_BADRESOURCEUNAVAILABLE);
    CU_ASSERT(sent > 1000); /* the kernel buffer and the queue took a lot first */
    CU_ASSERT_PTR_NOT_NULL(s->c); /* still open: the caller decides */
    srv_free(s);
}

/* A conn that died (its on_closed queued on the loop) is still the
 * listener's: ug_listener_free reports it at once, and never again later. */
static void test_listener_free_pending_report(void)
{
    struct srv *s = malloc(sizeof *s);
    srv_init(s);
    ug_listener *l = NULL;
    CU_ASSERT_EQUAL_FATAL(ug_listener_start(s->loop, "127.0.0.1", 0, NULL, NULL, &s_cbs, s, &l),
                          UG_STATUS_GOOD);
    int sv[2];
    CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    s->peer = sv[1];
    fcntl(s->peer, F_SETFL, O_NONBLOCK);
    CU_ASSERT_EQUAL_FATAL(ug_conn_accept_fd(s->loop, l, sv[0], NULL, &s_cbs, s, NULL),
                          UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_listener_count(l), 1);
    ug_wr wr;
    ug_wr_init(&wr, wbuf, sizeof wbuf);
    wr_hel(&wr, 8192, 8192, 0, 0, "opc.tcp://h:1");
    wr_opn(&wr, 0, 1, 1, 0, 1, 60000, UG_SECPOLICY_NONE_URI);
    srv_send_wr(s, &wr);
    CU_ASSERT_EQUAL_FATAL(s->opened, 1);
    close(s->peer);
    s->peer = -1;
    /* The write fails at once (EPIPE): closed now, reported later. */
    CU_ASSERT_EQUAL(ug_conn_send_fault(s->c, 2, 2, UG_STATUS_BADTIMEOUT),
                    UG_STATUS_BADCONNECTIONCLOSED);
    CU_ASSERT_EQUAL(s->closed, 0);
    CU_ASSERT_EQUAL(ug_listener_count(l), 0);
    ug_listener_free(l);
    CU_ASSERT_EQUAL(s->closed, 1);
    CU_ASSERT_EQUAL(s->why, UG_STATUS_BADCONNECTIONCLOSED);
    srv_pump(s, 3);
    CU_ASSERT_EQUAL(s->closed, 1);
    ug_timer_stop(s->loop, &s->tick);
    ug_loop_close(s->loop, -1);
    free(s);
}

static void test_feed(void)
{
    struct srv *s = srv_new(NULL);
    ug_wr wr;
    ug_wr_init(&wr, wbuf, sizeof wbuf);
    wr_hel(&wr, 8192, 8192, 0, 0, "opc.tcp://h:1");
    wr_opn(&wr, 0, 1, 1, 0, 1, 60000, UG_SECPOLICY_NONE_URI);
    wr_read_request(&wr, 1, 1, 2, 2);
    /* Byte by byte: the chunker must cope with any split. */
    for (size_t i = 0; i < wr.len; i++)
        CU_ASSERT_EQUAL(ug_conn_feed(s->c, wbuf + i, 1), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(s->opened, 1);
    CU_ASSERT_EQUAL(s->messages, 1);
    CU_ASSERT_EQUAL(ug_conn_feed(s->c, "XYZF\x08\0\0\0", 8), UG_STATUS_BADTCPMESSAGETYPEINVALID);
    CU_ASSERT_EQUAL(srv_expect_close(s), UG_STATUS_BADTCPMESSAGETYPEINVALID);
    srv_free(s);
}

/* ------------------------------------------------------------- seeds --- */

/* The fuzz seeds of tests/fuzz/seeds/server_rx are these builders' output:
 * a HEL, HEL+OPN, HEL+OPN+MSG(ReadRequest). */
static size_t build_seed(int which, uint8_t *buf, size_t cap)
{
    ug_wr wr;
    ug_wr_init(&wr, buf, cap);
    wr_hel(&wr, 65535, 65535, 0, 0, "opc.tcp://localhost:4840");
    if (which >= 1)
        wr_opn(&wr, 0, 1, 1, 0, 1, 600000, UG_SECPOLICY_NONE_URI);
    if (which >= 2)
        wr_read_request(&wr, 1, 1, 2, 2);
    return wr.len;
}

static void test_fuzz_seeds(void)
{
    static const char *names[] = {"hel.bin", "hel_opn.bin", "hel_opn_read.bin"};
    bool regen = getenv("UG_REGEN_SEEDS") != NULL;
    for (int i = 0; i < 3; i++) {
        uint8_t buf[512];
        size_t len = build_seed(i, buf, sizeof buf);
        char path[512];
        snprintf(path, sizeof path, "%s/tests/fuzz/seeds/server_rx/%s", ug_test_srcdir(), names[i]);
        if (regen) {
            FILE *f = fopen(path, "wb");
            CU_ASSERT_PTR_NOT_NULL_FATAL(f);
            fwrite(buf, 1, len, f);
            fclose(f);
        }
        size_t flen = 0;
        uint8_t *file = ug_test_read_file(path, &flen);
        CU_ASSERT_PTR_NOT_NULL_FATAL(file);
        CU_ASSERT(flen == len && memcmp(file, buf, len) == 0);
        free(file);
        /* And the server accepts every one of them. */
        struct srv *s = srv_new(NULL);
        CU_ASSERT_EQUAL(ug_conn_feed(s->c, buf, len), UG_STATUS_GOOD);
        CU_ASSERT_EQUAL(s->opened, i >= 1);
        CU_ASSERT_EQUAL(s->messages, i >= 2);
        if (i == 2) { /* the hand-built ReadRequest is what the schema says */
            CU_ASSERT(s->read_ok);
            CU_ASSERT_EQUAL(s->read.request_header.request_handle, 2);
            CU_ASSERT_EQUAL(s->read.timestamps_to_return, 2);
            CU_ASSERT_EQUAL_FATAL(s->read.nodes_to_read_len, 1);
            CU_ASSERT_EQUAL(s->read.nodes_to_read[0].node_id.id.numeric, 2256);
            CU_ASSERT_EQUAL(s->read.nodes_to_read[0].attribute_id, 13);
        }
        srv_free(s);
    }
}

static CU_TestInfo tests[] = {
    {"header decode", test_hdr_decode},
    {"Hello/Acknowledge codec", test_hello_codec},
    {"Error and ReverseHello codecs", test_error_rhe_codec},
    {"opc.tcp URLs", test_parse_url},
    {"messages before Hello", test_before_hello},
    {"Hello lengths and sizes", test_hello_lengths},
    {"Hello negotiation, Hello twice", test_hello_negotiation},
    {"OpenSecureChannel errors", test_opn_errors},
    {"open, message, fault, CLO", test_open_and_message},
    {"symmetric header errors", test_symmetric_errors},
    {"sequence number wrap", test_sequence_wrap},
    {"chunk count and message size", test_chunk_limits},
    {"abort chunk", test_abort_chunk},
    {"renew and rollover (raw)", test_renew_rollover_raw},
    {"old token expires after renew", test_renew_old_token_expires},
    {"token expiry", test_token_expiry},
    {"hello timeout", test_hello_timeout},
    {"close timeout", test_close_timeout},
    {"connection limit", test_connection_limit},
    {"send queue limit", test_send_queue_limit},
    {"listener free reports pending closes", test_listener_free_pending_report},
    {"feed byte by byte", test_feed},
    {"fuzz seeds", test_fuzz_seeds},
    CU_TEST_INFO_NULL,
};

int main(void) { return ug_test_main("uacp", tests); }
