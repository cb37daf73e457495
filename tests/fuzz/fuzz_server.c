/* Fuzz target: the whole server (include/uagate/server.h) — UACP (Part 6
 * §7.1), the SecureChannel (§6.7), the dispatcher, sessions (Part 4 §5.6)
 * and every service handler over the real address space (namespace 0 and
 * the live Server object).
 *
 * One server is made once (127.0.0.1, ephemeral port, small session and
 * subscription limits, node management open to anonymous sessions). Every
 * input runs on a fresh connection: a socketpair whose one end the server
 * takes with ug_server_accept_fd (its listener path); the harness writes to
 * the other end, runs the loop (ug_loop_run_once, never blocking, every wait
 * bounded by a count of iterations) and reads the answers. At the end of an
 * input the harness closes its end, runs the loop until the server freed the
 * connection (abort otherwise: a hang), closes every session and the
 * subscriptions kept for transfer, so that nothing accumulates across inputs.
 * An input that sent a node-management request (AddNodes, DeleteNodes,
 * AddReferences, DeleteReferences) changed the address space: the server is
 * made anew before the next input, so inputs stay independent.
 *
 * Input: the first byte picks the mode.
 *  even: raw — the rest is the byte stream of a client, from HEL on.
 *  odd:  structured — the harness itself sends HEL, OPN (SecurityPolicy
 *        None), CreateSession and ActivateSession (anonymous), then reads the
 *        rest as messages [u16 type index | u16 body length | body]: the
 *        index (mod the number of request types) picks a request descriptor
 *        (ug_type_descs, names ending in "Request"), the body is framed as a
 *        correct MSG (channel id, token id, sequence number, request id; cut
 *        into 8192-byte chunks). When the body (or a prefix of it) decodes
 *        as that request, its RequestHeader gets the session's
 *        authentication token, the ids only the server knows are filled in
 *        where the body has 0 (see patch_ids: subscription, monitored item,
 *        continuation point of the last answers), and it is re-encoded
 *        without the bytes after the prefix. A body that does not decode is
 *        sent as it is.
 *
 * Seeds (tests/fuzz/seeds/server): written by this file when the replay build
 * runs with UG_FUZZ_SERVER_SEEDS=DIR (see write_seeds below). */
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../clientserver/conn.h"
#include "../../clientserver/server_internal.h"
#include "uagate/server.h"
#include "uagate/ua_nodeids.h"
#include "uagate/ua_struct.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LeakSanitizer: libcrypto keeps per-thread state (the error state
 * ERR_STATE made by the first ERR_set_mark on a thread, 904 bytes; 16-byte
 * thread-event records) in thread-local storage of the server's pool
 * workers, which check passwords (PKCS5_PBKDF2_HMAC), until the thread
 * exits. libFuzzer's leak check reported such objects lost now and then
 * (5 times in ~350,000 inputs; never reproducible, not even with a leak
 * check after every input outside libFuzzer). With the default fast unwinder
 * their stacks end in libcrypto (malloc <- CRYPTO_zalloc), so only the
 * module can be named: allocations made inside libcrypto are not reported.
 * The server keeps no libcrypto object of its own past a call (password.c
 * and RAND_bytes only), so no leak of ours hides behind this. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:libcrypto.so\n"; }


#define PUMP_MAX 20000u  /* loop iterations per wait, at most */
#define CHUNK 8192u      /* chunk size the harness sends (the UACP minimum) */
#define MAX_REQ_TYPES 64

static ug_loop *loop;
static ug_server *srv;
static const ug_type_desc *req_types[MAX_REQ_TYPES];
static size_t n_req_types;
static bool dirty;
static bool verbose; /* UG_FUZZ_SERVER_VERBOSE: print each response's type and result */

static void fail(const char *what)
{
    fprintf(stderr, "fuzz_server: %s\n", what);
    abort();
}

static void server_up(void)
{
    struct ug_server_config cfg;
    ug_server_config_init(&cfg);
    cfg.endpoint_url = "opc.tcp://127.0.0.1:0";
    cfg.limits.max_sessions = 4;
    cfg.limits.max_subscriptions_per_session = 4;
    cfg.limits.max_monitored_items = 64;
    cfg.limits.max_publish_requests = 4;
    cfg.limits.max_queue_size = 16;
    cfg.limits.max_browse_continuation_points = 4;
    cfg.anonymous_node_management = true;
    /* Publishing cycles short enough that a Publish is answered within the
     * bounded spin at the end of an input (see publish_spin). */
    cfg.limits.min_publishing_interval_ms = 1.0;
    cfg.limits.min_sampling_interval_ms = 1.0;
    /* A user, so that UserNameIdentityTokens reach the password check (few
     * PBKDF2 rounds: fast). */
    static char hash[160];
    if (!hash[0] && ug_server_hash_password("fuzz", 2, hash, sizeof hash) != UG_STATUS_GOOD)
        fail("hash");
    struct ug_server_user user = {.username = "fuzz", .password_hash = hash};
    cfg.users = &user;
    cfg.n_users = 1;
    if (ug_server_new(loop, &cfg, &srv) != UG_STATUS_GOOD || ug_server_start(srv) != UG_STATUS_GOOD)
        fail("server");
}

static void write_seeds(const char *dir);

/* At exit: the server's pool workers may still be checking a password of
 * the last input; left running they would race with libcrypto's exit
 * handler tearing down its algorithm tables (a SIGSEGV in EVP_KDF_fetch,
 * seen in the replay test). ug_server_free joins them first. */
static void teardown(void)
{
    ug_server_free(srv);
    srv = NULL;
    if (loop)
        (void)ug_loop_close(loop, -1);
    loop = NULL;
}

static void setup(void)
{
    signal(SIGPIPE, SIG_IGN);
    struct ug_loop_options o = {.backend = UG_LOOP_BACKEND_EPOLL};
    if (ug_loop_new(&o, &loop) != UG_STATUS_GOOD)
        fail("loop");
    for (size_t i = 0; i < ug_type_descs_count; i++) {
        const ug_type_desc *d = ug_type_descs[i];
        size_t n = strlen(d->name);
        if (d->binary_encoding_id && n > 7 && strcmp(d->name + n - 7, "Request") == 0 &&
            n_req_types < MAX_REQ_TYPES)
            req_types[n_req_types++] = d;
    }
    if (!n_req_types)
        fail("no request types");
    server_up();
    /* After the first libcrypto use (the password hash above), so that it
     * runs before libcrypto's own exit handler (OPENSSL_cleanup). */
    atexit(teardown);
    verbose = getenv("UG_FUZZ_SERVER_VERBOSE") != NULL;
    const char *seeds = getenv("UG_FUZZ_SERVER_SEEDS");
    if (seeds)
        write_seeds(seeds);
}

/* ------------------------------------------------------------ client -- */

struct client {
    int fd;
    bool gone;            /* the server closed (or an ERR came) */
    uint8_t rx[1 << 17];
    size_t rx_len;
    uint32_t channel_id, token_id, seq, req_id;
    ug_nodeid token;      /* GUID: no storage outside the struct */
    uint32_t sub_id;      /* last subscription created */
    uint32_t item_id;     /* last monitored item created */
    uint8_t cp[64];       /* last Browse continuation point */
    int32_t cp_len;
    bool have_session;
    bool published;       /* a PublishResponse arrived */
};

static struct client cl;
static uint8_t arena_mem[1 << 16];
static uint8_t msgbuf[1 << 17];
static uint8_t encbuf[1 << 17];

static void handle_msg(struct client *c, const uint8_t *p, size_t len)
{
    ug_arena arena;
    ug_arena_init(&arena, arena_mem, sizeof arena_mem, true);
    ug_rd rd;
    ug_rd_init(&rd, p, len, NULL, &arena);
    ug_rd_take(&rd, 16); /* channel id, token id, sequence number, request id */
    ug_nodeid type;
    ug_rd_nodeid(&rd, &type);
    if (!ug_rd_ok(&rd) || type.ns != 0 || type.id_type != UG_ID_NUMERIC)
        goto out;
    if (verbose && ug_rd_left(&rd) >= 16) {
        const ug_type_desc *d = ug_desc_by_encoding_id(type.id.numeric);
        uint32_t result;
        memcpy(&result, rd.p + 12, 4); /* ResponseHeader: after timestamp, handle */
        fprintf(stderr, "  <- %s 0x%08x %s\n", d ? d->name : "?", (unsigned)result,
                ug_status_name(result));
    }
    if (type.id.numeric == ug_desc_CreateSessionResponse.binary_encoding_id) {
        ug_CreateSessionResponse r;
        ug_rd_struct(&rd, &ug_desc_CreateSessionResponse, &r);
        if (ug_rd_ok(&rd) && r.authentication_token.id_type == UG_ID_GUID) {
            c->token = r.authentication_token;
            c->have_session = true;
        }
    } else if (type.id.numeric == ug_desc_CreateMonitoredItemsResponse.binary_encoding_id) {
        ug_CreateMonitoredItemsResponse r;
        ug_rd_struct(&rd, &ug_desc_CreateMonitoredItemsResponse, &r);
        for (int32_t i = 0; ug_rd_ok(&rd) && i < r.results_len; i++)
            if (r.results[i].monitored_item_id)
                c->item_id = r.results[i].monitored_item_id;
    } else if (type.id.numeric == ug_desc_BrowseResponse.binary_encoding_id) {
        ug_BrowseResponse r;
        ug_rd_struct(&rd, &ug_desc_BrowseResponse, &r);
        for (int32_t i = 0; ug_rd_ok(&rd) && i < r.results_len; i++) {
            ug_string cp = r.results[i].continuation_point;
            if (cp.len > 0 && (size_t)cp.len <= sizeof c->cp) {
                memcpy(c->cp, cp.data, (size_t)cp.len);
                c->cp_len = cp.len;
            }
        }
    } else if (type.id.numeric == ug_desc_PublishResponse.binary_encoding_id) {
        c->published = true;
    } else if (type.id.numeric == ug_desc_CreateSubscriptionResponse.binary_encoding_id) {
        ug_CreateSubscriptionResponse r;
        ug_rd_struct(&rd, &ug_desc_CreateSubscriptionResponse, &r);
        if (ug_rd_ok(&rd) && r.subscription_id)
            c->sub_id = r.subscription_id;
    }
out:
    ug_arena_free(&arena);
}

static void handle_opn(struct client *c, const uint8_t *p, size_t len)
{
    ug_arena arena;
    ug_arena_init(&arena, arena_mem, sizeof arena_mem, true);
    ug_rd rd;
    ug_rd_init(&rd, p, len, NULL, &arena);
    ug_rd_u32(&rd); /* channel id */
    ug_string s;
    for (int i = 0; i < 3; i++) /* policy uri, certificate, thumbprint */
        ug_rd_element(&rd, UG_TYPE_BYTESTRING, &s);
    ug_rd_take(&rd, 8); /* sequence number, request id */
    ug_nodeid type;
    ug_rd_nodeid(&rd, &type);
    ug_OpenSecureChannelResponse r;
    ug_rd_struct(&rd, &ug_desc_OpenSecureChannelResponse, &r);
    if (ug_rd_ok(&rd)) {
        c->channel_id = r.security_token.channel_id;
        c->token_id = r.security_token.token_id;
    }
    ug_arena_free(&arena);
}

/* Reads what the server answered and looks at the whole chunks. */
static void client_read(struct client *c)
{
    for (;;) {
        if (c->rx_len == sizeof c->rx)
            c->rx_len = 0; /* garbage: never mind */
        ssize_t n = read(c->fd, c->rx + c->rx_len, sizeof c->rx - c->rx_len);
        if (n == 0) {
            c->gone = true;
            break;
        }
        if (n < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                c->gone = true;
            break;
        }
        c->rx_len += (size_t)n;
    }
    size_t off = 0;
    while (c->rx_len - off >= 8) {
        const uint8_t *h = c->rx + off;
        uint32_t size = (uint32_t)h[4] | (uint32_t)h[5] << 8 | (uint32_t)h[6] << 16 |
                        (uint32_t)h[7] << 24;
        if (size < 8 || size > sizeof c->rx) {
            off = c->rx_len;
            break;
        }
        if (c->rx_len - off < size)
            break;
        if (memcmp(h, "ERR", 3) == 0)
            c->gone = true;
        else if (memcmp(h, "OPNF", 4) == 0)
            handle_opn(c, h + 8, size - 8);
        else if (memcmp(h, "MSGF", 4) == 0)
            handle_msg(c, h + 8, size - 8);
        off += size;
    }
    memmove(c->rx, c->rx + off, c->rx_len - off);
    c->rx_len -= off;
}

static void pump(struct client *c)
{
    if (ug_loop_run_once(loop, false) != UG_STATUS_GOOD)
        fail("loop failed");
    client_read(c);
}

/* Bytes written but not yet read by the server. */
static int unread(int fd)
{
    int n = 0;
    if (ioctl(fd, SIOCOUTQ, &n) != 0)
        return 0;
    return n;
}

/* Runs the loop until the server read everything and a few turns more
 * (answers, deferred completions). */
static void settle(struct client *c)
{
    unsigned extra = 0;
    for (unsigned i = 0; i < PUMP_MAX && extra < 3; i++) {
        pump(c);
        if (c->gone || unread(c->fd) == 0)
            extra++;
    }
    /* Work on the server's pool (password checks) completes through the
     * loop: give it a bounded number of turns. Queued Publish requests count
     * as pending too, hence the small bound. */
    struct ug_server_stats st;
    for (unsigned i = 0; i < 100 && !c->gone; i++) {
        ug_server_get_stats(srv, &st);
        if (st.async_pending == 0)
            break;
        pump(c);
    }
}

static void client_send(struct client *c, const uint8_t *p, size_t n)
{
    size_t off = 0;
    for (unsigned i = 0; off < n && !c->gone && i < PUMP_MAX; i++) {
        ssize_t w = write(c->fd, p + off, n - off);
        if (w > 0) {
            off += (size_t)w;
            continue;
        }
        if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            c->gone = true; /* EPIPE: the server closed */
            break;
        }
        pump(c);
    }
}

static void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void send_hello(struct client *c)
{
    uint8_t buf[256];
    ug_wr wr;
    ug_wr_init(&wr, buf, sizeof buf);
    struct ug_uacp_hello h = {
        .protocol_version = 0,
        .recv_buf_size = 65535,
        .send_buf_size = 65535,
        .max_message_size = 0,
        .max_chunk_count = 0,
        .endpoint_url = ug_string_from("opc.tcp://127.0.0.1:4840"),
    };
    ug_uacp_hello_encode(&wr, UG_UACP_HEL, &h);
    client_send(c, buf, wr.len);
}

static void send_opn(struct client *c)
{
    uint8_t buf[512];
    ug_wr wr;
    ug_wr_init(&wr, buf, sizeof buf);
    ug_wr_bytes(&wr, "OPNF\0\0\0\0", 8);
    ug_wr_u32(&wr, 0); /* channel id: none yet */
    ug_wr_string(&wr, ug_string_from(UG_SECPOLICY_NONE_URI));
    ug_wr_u32(&wr, 0xffffffffu); /* certificate: null */
    ug_wr_u32(&wr, 0xffffffffu); /* thumbprint: null */
    ug_wr_u32(&wr, ++c->seq);
    ug_wr_u32(&wr, ++c->req_id);
    ug_nodeid t = {.id.numeric = UG_ID_OPEN_SECURE_CHANNEL_REQUEST};
    ug_wr_nodeid(&wr, &t);
    ug_OpenSecureChannelRequest r;
    memset(&r, 0, sizeof r);
    r.request_type = 0;  /* Issue */
    r.security_mode = 1; /* None */
    r.requested_lifetime = 600000;
    ug_wr_struct(&wr, &ug_desc_OpenSecureChannelRequest, &r);
    put_u32(buf + 4, (uint32_t)wr.len);
    client_send(c, buf, wr.len);
}

/* One service message: type id then body, in MSG chunks (Part 6 §6.7.2). */
static void send_msg(struct client *c, uint32_t encoding_id, const uint8_t *body, size_t len)
{
    ug_wr wr;
    ug_wr_init(&wr, msgbuf, sizeof msgbuf);
    ug_nodeid t = {.id.numeric = encoding_id};
    ug_wr_nodeid(&wr, &t);
    ug_wr_bytes(&wr, body, len);
    if (ug_wr_finish(&wr) != UG_STATUS_GOOD)
        return;
    size_t total = wr.len, off = 0;
    uint32_t rid = ++c->req_id;
    do {
        size_t n = total - off;
        if (n > CHUNK - 24)
            n = CHUNK - 24;
        uint8_t hdr[24];
        memcpy(hdr, "MSG", 3);
        hdr[3] = off + n == total ? 'F' : 'C';
        put_u32(hdr + 4, (uint32_t)(n + 24));
        put_u32(hdr + 8, c->channel_id);
        put_u32(hdr + 12, c->token_id);
        put_u32(hdr + 16, ++c->seq);
        put_u32(hdr + 20, rid);
        client_send(c, hdr, sizeof hdr);
        client_send(c, msgbuf + off, n);
        off += n;
    } while (off < total && !c->gone);
}

static void send_struct(struct client *c, const ug_type_desc *d, const void *msg)
{
    size_t len;
    if (ug_struct_encode(encbuf, sizeof encbuf, d, msg, &len) != UG_STATUS_GOOD)
        fail("encode");
    send_msg(c, d->binary_encoding_id, encbuf, len);
}

static void handshake(struct client *c)
{
    send_hello(c);
    send_opn(c);
    settle(c);
    if (c->gone || !c->token_id)
        fail("no OPN response");
    ug_CreateSessionRequest cs;
    memset(&cs, 0, sizeof cs);
    cs.request_header.request_handle = 1;
    cs.client_description.application_uri = ug_string_from("urn:fuzz");
    cs.client_description.application_type = 1; /* Client */
    cs.endpoint_url = ug_string_from("opc.tcp://127.0.0.1:4840");
    cs.session_name = ug_string_from("fuzz");
    cs.client_nonce = ug_string_from("0123456789abcdef0123456789abcdef");
    cs.requested_session_timeout = 60000;
    send_struct(c, &ug_desc_CreateSessionRequest, &cs);
    settle(c);
    if (!c->have_session)
        fail("no CreateSession response");
    uint8_t eo_body[64];
    ug_AnonymousIdentityToken anon = {.policy_id = ug_string_from(UG_POLICY_ANONYMOUS)};
    size_t eo_len;
    if (ug_struct_encode(eo_body, sizeof eo_body, &ug_desc_AnonymousIdentityToken, &anon,
                         &eo_len) != UG_STATUS_GOOD)
        fail("encode token");
    ug_ActivateSessionRequest as;
    memset(&as, 0, sizeof as);
    as.request_header.authentication_token = c->token;
    as.request_header.request_handle = 2;
    as.user_identity_token.type_id.id.numeric = ug_desc_AnonymousIdentityToken.binary_encoding_id;
    as.user_identity_token.encoding = UG_EO_BYTESTRING;
    as.user_identity_token.body.data = eo_body;
    as.user_identity_token.body.len = (int32_t)eo_len;
    send_struct(c, &ug_desc_ActivateSessionRequest, &as);
    settle(c);
}

/* Server-assigned ids the fuzzer cannot know: a SubscriptionId(s) or
 * MonitoredItemId(s) member that is 0 takes the last id the server gave out,
 * an empty continuation point of BrowseNext the last one of a Browse. */
static void patch_u32(uint8_t *req, const ug_member_desc *m, uint32_t id)
{
    if (m->kind != UG_MEMBER_BUILTIN || m->builtin != UG_TYPE_UINT32)
        return;
    if (!m->is_array) {
        uint32_t *v = (uint32_t *)(req + m->offset);
        if (*v == 0)
            *v = id;
        return;
    }
    int32_t n;
    uint32_t *a;
    memcpy(&n, req + m->len_offset, sizeof n);
    memcpy(&a, req + m->offset, sizeof a);
    for (int32_t k = 0; a && k < n; k++)
        if (a[k] == 0)
            a[k] = id;
}

static void patch_ids(const struct client *c, const ug_type_desc *d, uint8_t *req)
{
    for (uint16_t i = 0; i < d->n_members; i++) {
        const ug_member_desc *m = &d->members[i];
        if (strcmp(m->name, "SubscriptionId") == 0 || strcmp(m->name, "SubscriptionIds") == 0)
            patch_u32(req, m, c->sub_id);
        else if (strcmp(m->name, "MonitoredItemId") == 0 ||
                 strcmp(m->name, "MonitoredItemIds") == 0)
            patch_u32(req, m, c->item_id);
    }
    if (d == &ug_desc_ModifyMonitoredItemsRequest) {
        ug_ModifyMonitoredItemsRequest *r = (void *)req;
        for (int32_t k = 0; r->items_to_modify && k < r->items_to_modify_len; k++)
            if (r->items_to_modify[k].monitored_item_id == 0)
                r->items_to_modify[k].monitored_item_id = c->item_id;
    } else if (d == &ug_desc_BrowseNextRequest) {
        ug_BrowseNextRequest *r = (void *)req;
        for (int32_t k = 0; r->continuation_points && k < r->continuation_points_len; k++)
            if (r->continuation_points[k].len <= 0) {
                r->continuation_points[k].data = c->cp;
                r->continuation_points[k].len = c->cp_len;
            }
    }
}

static bool node_management(const ug_type_desc *d)
{
    return d == &ug_desc_AddNodesRequest || d == &ug_desc_DeleteNodesRequest ||
           d == &ug_desc_AddReferencesRequest || d == &ug_desc_DeleteReferencesRequest;
}

/* With a subscription, runs the loop (never blocking) until a Publish was
 * answered — the publishing timer fires after >= 1 ms — or a bounded number
 * of turns passed: the notification paths (data changes, keep-alives) run. */
static void publish_spin(struct client *c)
{
    for (unsigned i = 0; i < PUMP_MAX && !c->published && !c->gone; i++)
        pump(c);
}

static void structured(struct client *c, const uint8_t *p, size_t n)
{
    handshake(c);
    size_t off = 0;
    while (n - off >= 4 && !c->gone) {
        unsigned idx = (unsigned)p[off] | (unsigned)p[off + 1] << 8;
        size_t len = (size_t)p[off + 2] | (size_t)p[off + 3] << 8;
        off += 4;
        if (len > n - off)
            len = n - off;
        const uint8_t *body = p + off;
        off += len;
        const ug_type_desc *d = req_types[idx % n_req_types];
        dirty |= node_management(d);
        ug_arena arena;
        ug_arena_init(&arena, arena_mem, sizeof arena_mem, true);
        ug_rd rd;
        ug_rd_init(&rd, body, len, NULL, &arena);
        void *req = ug_arena_alloc(&arena, d->size);
        size_t enc_len = 0;
        bool patched = false;
        if (req) {
            ug_rd_struct(&rd, d, req);
            /* Trailing bytes are dropped: most mutations of a request keep
             * a decodable prefix, and the server's own trailing-bytes check
             * is reached through bodies that do not decode (sent as is). */
            if (ug_rd_ok(&rd)) {
                ug_RequestHeader *h = req; /* first member of every request */
                h->authentication_token = c->token;
                patch_ids(c, d, req);
                patched = ug_struct_encode(encbuf, sizeof encbuf, d, req, &enc_len) ==
                          UG_STATUS_GOOD;
            }
        }
        if (patched)
            send_msg(c, d->binary_encoding_id, encbuf, enc_len);
        else
            send_msg(c, d->binary_encoding_id, body, len);
        ug_arena_free(&arena);
        settle(c);
    }
    if (c->sub_id)
        publish_spin(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!loop)
        setup();
    if (size == 0)
        return 0;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        fail("socketpair");
    fcntl(sv[1], F_SETFL, O_NONBLOCK);
    if (ug_server_accept_fd(srv, sv[0]) != UG_STATUS_GOOD)
        fail("accept");
    struct client *c = &cl;
    memset(c, 0, offsetof(struct client, rx));
    c->rx_len = 0;
    c->fd = sv[1];
    if (data[0] & 1) {
        structured(c, data + 1, size - 1);
    } else {
        client_send(c, data + 1, size - 1);
        settle(c);
    }
    /* Hang up; the server must free the connection within bounded turns. */
    close(sv[1]);
    struct ug_server_stats st;
    unsigned i = 0;
    for (; i < PUMP_MAX; i++) {
        ug_server_get_stats(srv, &st);
        if (st.channels == 0)
            break;
        if (ug_loop_run_once(loop, false) != UG_STATUS_GOOD)
            fail("loop failed");
    }
    if (i == PUMP_MAX)
        fail("connection not closed after the client hung up");
    /* Nothing outlives the input: sessions, kept subscriptions. */
    ug_sessions_close_all(srv);
    ug_sessions_free_detached(srv);
    for (int k = 0; k < 3; k++)
        ug_loop_run_once(loop, false);
    if (dirty) {
        ug_server_free(srv);
        srv = NULL;
        server_up();
        dirty = false;
    }
    return 0;
}

/* ------------------------------------------------------------- seeds -- */

struct seed {
    uint8_t buf[8192];
    size_t len;
};

static void seed_add(struct seed *s, const ug_type_desc *d, const void *msg)
{
    size_t idx = 0;
    while (idx < n_req_types && req_types[idx] != d)
        idx++;
    if (idx == n_req_types)
        fail("seed type");
    size_t len;
    if (ug_struct_encode(s->buf + s->len + 4, sizeof s->buf - s->len - 4, d, msg, &len) !=
        UG_STATUS_GOOD)
        fail("seed encode");
    s->buf[s->len] = (uint8_t)idx;
    s->buf[s->len + 1] = (uint8_t)(idx >> 8);
    s->buf[s->len + 2] = (uint8_t)len;
    s->buf[s->len + 3] = (uint8_t)(len >> 8);
    s->len += 4 + len;
}

static void seed_write(const char *dir, const char *name, const struct seed *s)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(s->buf, 1, s->len, f) != s->len)
        fail(path);
    fclose(f);
}

static ug_nodeid ns0(uint32_t id)
{
    ug_nodeid n = {.id.numeric = id};
    return n;
}

static void write_seeds(const char *dir)
{
    struct seed s;
    uint8_t eo_mem[512];

    /* Raw: a Hello alone. */
    {
        ug_wr wr;
        ug_wr_init(&wr, s.buf + 1, sizeof s.buf - 1);
        struct ug_uacp_hello h = {.recv_buf_size = 65535, .send_buf_size = 65535,
                                  .endpoint_url = ug_string_from("opc.tcp://127.0.0.1:4840")};
        ug_uacp_hello_encode(&wr, UG_UACP_HEL, &h);
        s.buf[0] = 0;
        s.len = 1 + wr.len;
        seed_write(dir, "raw_hello", &s);
    }

    /* Read of Server/ServerStatus (Value) and of ServerStatus/State. */
    s.buf[0] = 1;
    s.len = 1;
    {
        ug_ReadValueId rv[2];
        memset(rv, 0, sizeof rv);
        rv[0].node_id = ns0(2256);
        rv[0].attribute_id = 13;
        rv[1].node_id = ns0(2259);
        rv[1].attribute_id = 13;
        ug_ReadRequest r;
        memset(&r, 0, sizeof r);
        r.timestamps_to_return = 2;
        r.nodes_to_read_len = 2;
        r.nodes_to_read = rv;
        seed_add(&s, &ug_desc_ReadRequest, &r);
    }
    seed_write(dir, "read_server_status", &s);

    /* Browse of the Objects folder, forward, all references. */
    s.len = 1;
    {
        ug_BrowseDescription bd;
        memset(&bd, 0, sizeof bd);
        bd.node_id = ns0(85);
        bd.browse_direction = 0;
        bd.reference_type_id = ns0(33); /* HierarchicalReferences */
        bd.include_subtypes = true;
        bd.result_mask = 63;
        ug_BrowseRequest r;
        memset(&r, 0, sizeof r);
        r.requested_max_references_per_node = 2; /* continuation point */
        r.nodes_to_browse_len = 1;
        r.nodes_to_browse = &bd;
        seed_add(&s, &ug_desc_BrowseRequest, &r);
    }
    seed_write(dir, "browse_objects", &s);

    /* CreateSubscription + CreateMonitoredItems (CurrentTime) + Publish. */
    s.len = 1;
    {
        ug_CreateSubscriptionRequest cs;
        memset(&cs, 0, sizeof cs);
        cs.requested_publishing_interval = 1;
        cs.requested_lifetime_count = 30;
        cs.requested_max_keep_alive_count = 10;
        cs.publishing_enabled = true;
        seed_add(&s, &ug_desc_CreateSubscriptionRequest, &cs);
        ug_MonitoredItemCreateRequest it;
        memset(&it, 0, sizeof it);
        it.item_to_monitor.node_id = ns0(2258);
        it.item_to_monitor.attribute_id = 13;
        it.monitoring_mode = 2; /* Reporting */
        it.requested_parameters.client_handle = 7;
        it.requested_parameters.sampling_interval = 0;
        it.requested_parameters.queue_size = 4;
        it.requested_parameters.discard_oldest = true;
        ug_CreateMonitoredItemsRequest cm;
        memset(&cm, 0, sizeof cm);
        cm.subscription_id = 0; /* patched: the subscription above */
        cm.timestamps_to_return = 2;
        cm.items_to_create_len = 1;
        cm.items_to_create = &it;
        seed_add(&s, &ug_desc_CreateMonitoredItemsRequest, &cm);
        ug_PublishRequest pr;
        memset(&pr, 0, sizeof pr);
        seed_add(&s, &ug_desc_PublishRequest, &pr);
    }
    seed_write(dir, "subscription_monitored_publish", &s);

    /* AddNodes: a variable under Objects, then a Write to it and a Read. */
    s.len = 1;
    {
        ug_VariableAttributes va;
        memset(&va, 0, sizeof va);
        va.specified_attributes = 0xffffffffu;
        va.display_name.text = ug_string_from("FuzzVar");
        va.value = ug_variant_scalar(UG_TYPE_INT32);
        va.value.u.v.int32 = 5;
        va.data_type = ns0(6);
        va.value_rank = -1;
        va.access_level = 3;
        va.user_access_level = 3;
        ug_AddNodesItem it;
        memset(&it, 0, sizeof it);
        it.parent_node_id.node = ns0(85);
        it.reference_type_id = ns0(35); /* Organizes */
        it.requested_new_node_id.node.ns = 1;
        it.requested_new_node_id.node.id.numeric = 1000;
        it.browse_name.ns = 1;
        it.browse_name.name = ug_string_from("FuzzVar");
        it.node_class = 2; /* Variable */
        it.type_definition.node = ns0(63); /* BaseDataVariableType */
        size_t n;
        if (ug_struct_encode(eo_mem, sizeof eo_mem, &ug_desc_VariableAttributes, &va, &n) !=
            UG_STATUS_GOOD)
            fail("seed attrs");
        it.node_attributes.type_id = ns0(ug_desc_VariableAttributes.binary_encoding_id);
        it.node_attributes.encoding = UG_EO_BYTESTRING;
        it.node_attributes.body.data = eo_mem;
        it.node_attributes.body.len = (int32_t)n;
        ug_AddNodesRequest an;
        memset(&an, 0, sizeof an);
        an.nodes_to_add_len = 1;
        an.nodes_to_add = &it;
        seed_add(&s, &ug_desc_AddNodesRequest, &an);
    }
    seed_write(dir, "addnodes_variable", &s);
    {
        ug_WriteValue wv;
        memset(&wv, 0, sizeof wv);
        wv.node_id.ns = 1;
        wv.node_id.id.numeric = 1000;
        wv.attribute_id = 13;
        wv.value.mask = UG_DV_VALUE;
        wv.value.value = ug_variant_scalar(UG_TYPE_INT32);
        wv.value.value.u.v.int32 = 42;
        ug_WriteRequest w;
        memset(&w, 0, sizeof w);
        w.nodes_to_write_len = 1;
        w.nodes_to_write = &wv;
        seed_add(&s, &ug_desc_WriteRequest, &w);
        ug_ReadValueId rv;
        memset(&rv, 0, sizeof rv);
        rv.node_id = wv.node_id;
        rv.attribute_id = 13;
        ug_ReadRequest r;
        memset(&r, 0, sizeof r);
        r.nodes_to_read_len = 1;
        r.nodes_to_read = &rv;
        seed_add(&s, &ug_desc_ReadRequest, &r);
    }
    seed_write(dir, "addnodes_write_read", &s);

    /* Write to a namespace-0 node (not writable). */
    s.len = 1;
    {
        ug_WriteValue wv;
        memset(&wv, 0, sizeof wv);
        wv.node_id = ns0(2267); /* Server/ServiceLevel */
        wv.attribute_id = 13;
        wv.value.mask = UG_DV_VALUE;
        wv.value.value = ug_variant_scalar(UG_TYPE_BYTE);
        wv.value.value.u.v.byte = 200;
        ug_WriteRequest w;
        memset(&w, 0, sizeof w);
        w.nodes_to_write_len = 1;
        w.nodes_to_write = &wv;
        seed_add(&s, &ug_desc_WriteRequest, &w);
    }
    seed_write(dir, "write_service_level", &s);

    /* Call Server.GetMonitoredItems after a CreateSubscription. */
    s.len = 1;
    {
        ug_CreateSubscriptionRequest cs;
        memset(&cs, 0, sizeof cs);
        cs.requested_publishing_interval = 100;
        cs.publishing_enabled = true;
        seed_add(&s, &ug_desc_CreateSubscriptionRequest, &cs);
        ug_variant arg = ug_variant_scalar(UG_TYPE_UINT32);
        arg.u.v.uint32 = 1;
        ug_CallMethodRequest m;
        memset(&m, 0, sizeof m);
        m.object_id = ns0(2253);
        m.method_id = ns0(11492); /* Server.GetMonitoredItems */
        m.input_arguments_len = 1;
        m.input_arguments = &arg;
        ug_CallRequest c;
        memset(&c, 0, sizeof c);
        c.methods_to_call_len = 1;
        c.methods_to_call = &m;
        seed_add(&s, &ug_desc_CallRequest, &c);
    }
    seed_write(dir, "call_get_monitored_items", &s);

    /* TranslateBrowsePathsToNodeIds Root/Objects/Server, RegisterNodes,
     * UnregisterNodes. */
    s.len = 1;
    {
        ug_RelativePathElement el[2];
        memset(el, 0, sizeof el);
        el[0].reference_type_id = ns0(33);
        el[0].include_subtypes = true;
        el[0].target_name.name = ug_string_from("Objects");
        el[1] = el[0];
        el[1].target_name.name = ug_string_from("Server");
        ug_BrowsePath bp;
        memset(&bp, 0, sizeof bp);
        bp.starting_node = ns0(84);
        bp.relative_path.elements_len = 2;
        bp.relative_path.elements = el;
        ug_TranslateBrowsePathsToNodeIdsRequest t;
        memset(&t, 0, sizeof t);
        t.browse_paths_len = 1;
        t.browse_paths = &bp;
        seed_add(&s, &ug_desc_TranslateBrowsePathsToNodeIdsRequest, &t);
        ug_nodeid ids[2] = {ns0(2253), ns0(2256)};
        ug_RegisterNodesRequest rn;
        memset(&rn, 0, sizeof rn);
        rn.nodes_to_register_len = 2;
        rn.nodes_to_register = ids;
        seed_add(&s, &ug_desc_RegisterNodesRequest, &rn);
        ug_UnregisterNodesRequest un;
        memset(&un, 0, sizeof un);
        un.nodes_to_unregister_len = 2;
        un.nodes_to_unregister = ids;
        seed_add(&s, &ug_desc_UnregisterNodesRequest, &un);
    }
    seed_write(dir, "translate_register", &s);

    /* Browse of the Server object one reference at a time, BrowseNext. */
    s.len = 1;
    {
        ug_BrowseDescription bd;
        memset(&bd, 0, sizeof bd);
        bd.node_id = ns0(2253);
        bd.browse_direction = 2; /* Both */
        bd.include_subtypes = true;
        bd.result_mask = 63;
        ug_BrowseRequest r;
        memset(&r, 0, sizeof r);
        r.requested_max_references_per_node = 1;
        r.nodes_to_browse_len = 1;
        r.nodes_to_browse = &bd;
        seed_add(&s, &ug_desc_BrowseRequest, &r);
        ug_string cp = {0}; /* patched: the continuation point above */
        ug_BrowseNextRequest bn;
        memset(&bn, 0, sizeof bn);
        bn.continuation_points_len = 1;
        bn.continuation_points = &cp;
        seed_add(&s, &ug_desc_BrowseNextRequest, &bn);
        bn.release_continuation_points = true;
        seed_add(&s, &ug_desc_BrowseNextRequest, &bn);
    }
    seed_write(dir, "browse_next_server", &s);

    /* Read of every attribute 1..27 of the Server object, and of
     * NamespaceArray with an index range. */
    s.len = 1;
    {
        ug_ReadValueId rv[28];
        memset(rv, 0, sizeof rv);
        for (int i = 0; i < 27; i++) {
            rv[i].node_id = ns0(2253);
            rv[i].attribute_id = (uint32_t)i + 1;
        }
        rv[27].node_id = ns0(2255);
        rv[27].attribute_id = 13;
        rv[27].index_range = ug_string_from("0:1");
        ug_ReadRequest r;
        memset(&r, 0, sizeof r);
        r.timestamps_to_return = 3;
        r.nodes_to_read_len = 28;
        r.nodes_to_read = rv;
        seed_add(&s, &ug_desc_ReadRequest, &r);
    }
    seed_write(dir, "read_all_attributes_index_range", &s);

    /* A subscription's whole life: create, modify, publishing mode, an item
     * with a data-change filter (absolute deadband), modify it, monitoring
     * mode, Publish, Republish, delete the item, delete the subscription. */
    s.len = 1;
    {
        ug_CreateSubscriptionRequest cs;
        memset(&cs, 0, sizeof cs);
        cs.requested_publishing_interval = 1;
        cs.requested_lifetime_count = 30;
        cs.requested_max_keep_alive_count = 3;
        cs.publishing_enabled = true;
        seed_add(&s, &ug_desc_CreateSubscriptionRequest, &cs);
        ug_ModifySubscriptionRequest ms;
        memset(&ms, 0, sizeof ms);
        ms.requested_publishing_interval = 2;
        ms.requested_lifetime_count = 60;
        ms.requested_max_keep_alive_count = 5;
        seed_add(&s, &ug_desc_ModifySubscriptionRequest, &ms);
        uint32_t zero = 0;
        ug_SetPublishingModeRequest pm;
        memset(&pm, 0, sizeof pm);
        pm.publishing_enabled = true;
        pm.subscription_ids_len = 1;
        pm.subscription_ids = &zero;
        seed_add(&s, &ug_desc_SetPublishingModeRequest, &pm);
        uint8_t fbody[64];
        ug_DataChangeFilter f = {.trigger = 1, .deadband_type = 1, .deadband_value = 0.5};
        size_t flen;
        if (ug_struct_encode(fbody, sizeof fbody, &ug_desc_DataChangeFilter, &f, &flen) !=
            UG_STATUS_GOOD)
            fail("seed filter");
        ug_MonitoredItemCreateRequest it;
        memset(&it, 0, sizeof it);
        it.item_to_monitor.node_id = ns0(2258);
        it.item_to_monitor.attribute_id = 13;
        it.monitoring_mode = 2;
        it.requested_parameters.client_handle = 1;
        it.requested_parameters.sampling_interval = 1;
        it.requested_parameters.queue_size = 2;
        it.requested_parameters.filter.type_id = ns0(ug_desc_DataChangeFilter.binary_encoding_id);
        it.requested_parameters.filter.encoding = UG_EO_BYTESTRING;
        it.requested_parameters.filter.body.data = fbody;
        it.requested_parameters.filter.body.len = (int32_t)flen;
        ug_CreateMonitoredItemsRequest cm;
        memset(&cm, 0, sizeof cm);
        cm.timestamps_to_return = 2;
        cm.items_to_create_len = 1;
        cm.items_to_create = &it;
        seed_add(&s, &ug_desc_CreateMonitoredItemsRequest, &cm);
        ug_MonitoredItemModifyRequest mm;
        memset(&mm, 0, sizeof mm);
        mm.requested_parameters.client_handle = 2;
        mm.requested_parameters.sampling_interval = 5;
        mm.requested_parameters.queue_size = 1;
        ug_ModifyMonitoredItemsRequest mi;
        memset(&mi, 0, sizeof mi);
        mi.timestamps_to_return = 0;
        mi.items_to_modify_len = 1;
        mi.items_to_modify = &mm;
        seed_add(&s, &ug_desc_ModifyMonitoredItemsRequest, &mi);
        ug_SetMonitoringModeRequest sm;
        memset(&sm, 0, sizeof sm);
        sm.monitoring_mode = 1; /* Sampling */
        sm.monitored_item_ids_len = 1;
        sm.monitored_item_ids = &zero;
        seed_add(&s, &ug_desc_SetMonitoringModeRequest, &sm);
        sm.monitoring_mode = 2;
        seed_add(&s, &ug_desc_SetMonitoringModeRequest, &sm);
        ug_PublishRequest pr;
        memset(&pr, 0, sizeof pr);
        seed_add(&s, &ug_desc_PublishRequest, &pr);
        ug_RepublishRequest rp;
        memset(&rp, 0, sizeof rp);
        rp.retransmit_sequence_number = 1;
        seed_add(&s, &ug_desc_RepublishRequest, &rp);
        ug_DeleteMonitoredItemsRequest dm;
        memset(&dm, 0, sizeof dm);
        dm.monitored_item_ids_len = 1;
        dm.monitored_item_ids = &zero;
        seed_add(&s, &ug_desc_DeleteMonitoredItemsRequest, &dm);
        ug_DeleteSubscriptionsRequest ds;
        memset(&ds, 0, sizeof ds);
        ds.subscription_ids_len = 1;
        ds.subscription_ids = &zero;
        seed_add(&s, &ug_desc_DeleteSubscriptionsRequest, &ds);
    }
    seed_write(dir, "subscription_lifecycle", &s);

    /* Node management: an object, a reference to it from the Server object,
     * the reference deleted, the node deleted. */
    s.len = 1;
    {
        ug_ObjectAttributes oa;
        memset(&oa, 0, sizeof oa);
        oa.specified_attributes = 0xffffffffu;
        oa.display_name.text = ug_string_from("FuzzObj");
        size_t n;
        if (ug_struct_encode(eo_mem, sizeof eo_mem, &ug_desc_ObjectAttributes, &oa, &n) !=
            UG_STATUS_GOOD)
            fail("seed attrs");
        ug_AddNodesItem it;
        memset(&it, 0, sizeof it);
        it.parent_node_id.node = ns0(85);
        it.reference_type_id = ns0(35);
        it.requested_new_node_id.node.ns = 1;
        it.requested_new_node_id.node.id.numeric = 2000;
        it.browse_name.ns = 1;
        it.browse_name.name = ug_string_from("FuzzObj");
        it.node_class = 1; /* Object */
        it.type_definition.node = ns0(58); /* BaseObjectType */
        it.node_attributes.type_id = ns0(ug_desc_ObjectAttributes.binary_encoding_id);
        it.node_attributes.encoding = UG_EO_BYTESTRING;
        it.node_attributes.body.data = eo_mem;
        it.node_attributes.body.len = (int32_t)n;
        ug_AddNodesRequest an;
        memset(&an, 0, sizeof an);
        an.nodes_to_add_len = 1;
        an.nodes_to_add = &it;
        seed_add(&s, &ug_desc_AddNodesRequest, &an);
        ug_nodeid obj = {.ns = 1, .id.numeric = 2000};
        ug_AddReferencesItem ar;
        memset(&ar, 0, sizeof ar);
        ar.source_node_id = ns0(2253);
        ar.reference_type_id = ns0(35);
        ar.is_forward = true;
        ar.target_node_id.node = obj;
        ar.target_node_class = 1;
        ug_AddReferencesRequest arr;
        memset(&arr, 0, sizeof arr);
        arr.references_to_add_len = 1;
        arr.references_to_add = &ar;
        seed_add(&s, &ug_desc_AddReferencesRequest, &arr);
        ug_DeleteReferencesItem dr;
        memset(&dr, 0, sizeof dr);
        dr.source_node_id = ns0(2253);
        dr.reference_type_id = ns0(35);
        dr.is_forward = true;
        dr.target_node_id.node = obj;
        dr.delete_bidirectional = true;
        ug_DeleteReferencesRequest drr;
        memset(&drr, 0, sizeof drr);
        drr.references_to_delete_len = 1;
        drr.references_to_delete = &dr;
        seed_add(&s, &ug_desc_DeleteReferencesRequest, &drr);
        ug_DeleteNodesItem dn = {.node_id = obj, .delete_target_references = true};
        ug_DeleteNodesRequest dnr;
        memset(&dnr, 0, sizeof dnr);
        dnr.nodes_to_delete_len = 1;
        dnr.nodes_to_delete = &dn;
        seed_add(&s, &ug_desc_DeleteNodesRequest, &dnr);
    }
    seed_write(dir, "node_management_add_ref_delete", &s);

    /* Discovery and the end of the session: GetEndpoints, FindServers,
     * CloseSession, then a Read on the closed session. */
    s.len = 1;
    {
        ug_GetEndpointsRequest ge;
        memset(&ge, 0, sizeof ge);
        ge.endpoint_url = ug_string_from("opc.tcp://127.0.0.1:4840");
        seed_add(&s, &ug_desc_GetEndpointsRequest, &ge);
        ug_FindServersRequest fs;
        memset(&fs, 0, sizeof fs);
        seed_add(&s, &ug_desc_FindServersRequest, &fs);
        ug_CloseSessionRequest cls = {.delete_subscriptions = true};
        seed_add(&s, &ug_desc_CloseSessionRequest, &cls);
        ug_ReadValueId rv;
        memset(&rv, 0, sizeof rv);
        rv.node_id = ns0(2259);
        rv.attribute_id = 13;
        ug_ReadRequest r;
        memset(&r, 0, sizeof r);
        r.nodes_to_read_len = 1;
        r.nodes_to_read = &rv;
        seed_add(&s, &ug_desc_ReadRequest, &r);
    }
    seed_write(dir, "discovery_close_session", &s);

    /* ActivateSession again with a user name (right password), then an
     * AddNodes as that user; and one with a wrong password. */
    s.len = 1;
    {
        ug_UserNameIdentityToken ut;
        memset(&ut, 0, sizeof ut);
        ut.policy_id = ug_string_from(UG_POLICY_USERNAME);
        ut.user_name = ug_string_from("fuzz");
        ut.password = ug_string_from("fuzz");
        size_t n;
        if (ug_struct_encode(eo_mem, sizeof eo_mem, &ug_desc_UserNameIdentityToken, &ut, &n) !=
            UG_STATUS_GOOD)
            fail("seed token");
        ug_ActivateSessionRequest as;
        memset(&as, 0, sizeof as);
        as.user_identity_token.type_id = ns0(ug_desc_UserNameIdentityToken.binary_encoding_id);
        as.user_identity_token.encoding = UG_EO_BYTESTRING;
        as.user_identity_token.body.data = eo_mem;
        as.user_identity_token.body.len = (int32_t)n;
        seed_add(&s, &ug_desc_ActivateSessionRequest, &as);
        ug_ReadValueId rv;
        memset(&rv, 0, sizeof rv);
        rv.node_id = ns0(2259);
        rv.attribute_id = 13;
        ug_ReadRequest r;
        memset(&r, 0, sizeof r);
        r.nodes_to_read_len = 1;
        r.nodes_to_read = &rv;
        seed_add(&s, &ug_desc_ReadRequest, &r);
        seed_write(dir, "activate_username", &s);
        s.len = 1;
        ut.password = ug_string_from("wrong");
        if (ug_struct_encode(eo_mem, sizeof eo_mem, &ug_desc_UserNameIdentityToken, &ut, &n) !=
            UG_STATUS_GOOD)
            fail("seed token");
        as.user_identity_token.body.len = (int32_t)n;
        seed_add(&s, &ug_desc_ActivateSessionRequest, &as);
        seed_add(&s, &ug_desc_ReadRequest, &r);
        seed_write(dir, "activate_username_wrong_password", &s);
    }

    /* An array variable, Write and Read with index ranges, and
     * TransferSubscriptions of a subscription to the same session. */
    s.len = 1;
    {
        static const int32_t arr[5] = {1, 2, 3, 4, 5};
        static const uint32_t dims[1] = {5};
        ug_VariableAttributes va;
        memset(&va, 0, sizeof va);
        va.specified_attributes = 0xffffffffu;
        va.display_name.text = ug_string_from("FuzzArray");
        va.value = ug_variant_scalar(UG_TYPE_INT32);
        va.value.array_len = 5;
        va.value.u.arr = arr;
        va.data_type = ns0(6);
        va.value_rank = 1;
        va.array_dimensions_len = 1;
        va.array_dimensions = (uint32_t *)dims;
        va.access_level = 3;
        va.user_access_level = 3;
        size_t n;
        if (ug_struct_encode(eo_mem, sizeof eo_mem, &ug_desc_VariableAttributes, &va, &n) !=
            UG_STATUS_GOOD)
            fail("seed attrs");
        ug_AddNodesItem it;
        memset(&it, 0, sizeof it);
        it.parent_node_id.node = ns0(85);
        it.reference_type_id = ns0(35);
        it.requested_new_node_id.node.ns = 1;
        it.requested_new_node_id.node.id.numeric = 3000;
        it.browse_name.ns = 1;
        it.browse_name.name = ug_string_from("FuzzArray");
        it.node_class = 2;
        it.type_definition.node = ns0(63);
        it.node_attributes.type_id = ns0(ug_desc_VariableAttributes.binary_encoding_id);
        it.node_attributes.encoding = UG_EO_BYTESTRING;
        it.node_attributes.body.data = eo_mem;
        it.node_attributes.body.len = (int32_t)n;
        ug_AddNodesRequest an;
        memset(&an, 0, sizeof an);
        an.nodes_to_add_len = 1;
        an.nodes_to_add = &it;
        seed_add(&s, &ug_desc_AddNodesRequest, &an);
        static const int32_t two[2] = {20, 30};
        ug_WriteValue wv;
        memset(&wv, 0, sizeof wv);
        wv.node_id.ns = 1;
        wv.node_id.id.numeric = 3000;
        wv.attribute_id = 13;
        wv.index_range = ug_string_from("1:2");
        wv.value.mask = UG_DV_VALUE;
        wv.value.value = ug_variant_scalar(UG_TYPE_INT32);
        wv.value.value.array_len = 2;
        wv.value.value.u.arr = two;
        ug_WriteRequest w;
        memset(&w, 0, sizeof w);
        w.nodes_to_write_len = 1;
        w.nodes_to_write = &wv;
        seed_add(&s, &ug_desc_WriteRequest, &w);
        ug_ReadValueId rv;
        memset(&rv, 0, sizeof rv);
        rv.node_id = wv.node_id;
        rv.attribute_id = 13;
        rv.index_range = ug_string_from("0:3");
        ug_ReadRequest r;
        memset(&r, 0, sizeof r);
        r.nodes_to_read_len = 1;
        r.nodes_to_read = &rv;
        seed_add(&s, &ug_desc_ReadRequest, &r);
        ug_CreateSubscriptionRequest cs;
        memset(&cs, 0, sizeof cs);
        cs.requested_publishing_interval = 1;
        cs.publishing_enabled = true;
        seed_add(&s, &ug_desc_CreateSubscriptionRequest, &cs);
        uint32_t zero = 0;
        ug_TransferSubscriptionsRequest ts;
        memset(&ts, 0, sizeof ts);
        ts.subscription_ids_len = 1;
        ts.subscription_ids = &zero;
        ts.send_initial_values = true;
        seed_add(&s, &ug_desc_TransferSubscriptionsRequest, &ts);
    }
    seed_write(dir, "array_index_range_transfer", &s);

    /* Namespace 0 under attack: a monitored item on Server/ServerStatus/
     * CurrentTime, then DeleteNodes of ServerStatus and of the Server object
     * (the live Server object's updates must cope), Read and Publish after. */
    s.len = 1;
    {
        ug_CreateSubscriptionRequest cs;
        memset(&cs, 0, sizeof cs);
        cs.requested_publishing_interval = 1;
        cs.publishing_enabled = true;
        seed_add(&s, &ug_desc_CreateSubscriptionRequest, &cs);
        ug_MonitoredItemCreateRequest it;
        memset(&it, 0, sizeof it);
        it.item_to_monitor.node_id = ns0(2258);
        it.item_to_monitor.attribute_id = 13;
        it.monitoring_mode = 2;
        it.requested_parameters.sampling_interval = 1;
        it.requested_parameters.queue_size = 1;
        ug_CreateMonitoredItemsRequest cm;
        memset(&cm, 0, sizeof cm);
        cm.items_to_create_len = 1;
        cm.items_to_create = &it;
        seed_add(&s, &ug_desc_CreateMonitoredItemsRequest, &cm);
        ug_DeleteNodesItem dn[3] = {{.node_id = ns0(2256), .delete_target_references = true},
                                    {.node_id = ns0(2258), .delete_target_references = true},
                                    {.node_id = ns0(2253), .delete_target_references = true}};
        ug_DeleteNodesRequest dnr;
        memset(&dnr, 0, sizeof dnr);
        dnr.nodes_to_delete_len = 3;
        dnr.nodes_to_delete = dn;
        seed_add(&s, &ug_desc_DeleteNodesRequest, &dnr);
        ug_ReadValueId rv[2];
        memset(rv, 0, sizeof rv);
        rv[0].node_id = ns0(2258);
        rv[0].attribute_id = 13;
        rv[1].node_id = ns0(2256);
        rv[1].attribute_id = 13;
        ug_ReadRequest r;
        memset(&r, 0, sizeof r);
        r.nodes_to_read_len = 2;
        r.nodes_to_read = rv;
        seed_add(&s, &ug_desc_ReadRequest, &r);
        ug_PublishRequest pr;
        memset(&pr, 0, sizeof pr);
        seed_add(&s, &ug_desc_PublishRequest, &pr);
    }
    seed_write(dir, "delete_server_nodes_monitored", &s);

    /* CloseSession keeping the subscriptions (kept for transfer), then a
     * second session that takes them with TransferSubscriptions. */
    s.len = 1;
    {
        ug_CreateSubscriptionRequest cs;
        memset(&cs, 0, sizeof cs);
        cs.requested_publishing_interval = 1;
        cs.requested_lifetime_count = 100;
        cs.publishing_enabled = true;
        seed_add(&s, &ug_desc_CreateSubscriptionRequest, &cs);
        ug_MonitoredItemCreateRequest it;
        memset(&it, 0, sizeof it);
        it.item_to_monitor.node_id = ns0(2259);
        it.item_to_monitor.attribute_id = 13;
        it.monitoring_mode = 2;
        it.requested_parameters.sampling_interval = 1;
        it.requested_parameters.queue_size = 3;
        ug_CreateMonitoredItemsRequest cm;
        memset(&cm, 0, sizeof cm);
        cm.items_to_create_len = 1;
        cm.items_to_create = &it;
        seed_add(&s, &ug_desc_CreateMonitoredItemsRequest, &cm);
        ug_CloseSessionRequest cls = {.delete_subscriptions = false};
        seed_add(&s, &ug_desc_CloseSessionRequest, &cls);
        ug_CreateSessionRequest cr;
        memset(&cr, 0, sizeof cr);
        cr.client_description.application_type = 1;
        cr.session_name = ug_string_from("second");
        cr.requested_session_timeout = 60000;
        seed_add(&s, &ug_desc_CreateSessionRequest, &cr);
        uint8_t tok[64];
        ug_AnonymousIdentityToken anon = {.policy_id = ug_string_from(UG_POLICY_ANONYMOUS)};
        size_t n;
        if (ug_struct_encode(tok, sizeof tok, &ug_desc_AnonymousIdentityToken, &anon, &n) !=
            UG_STATUS_GOOD)
            fail("seed token");
        ug_ActivateSessionRequest as;
        memset(&as, 0, sizeof as);
        as.user_identity_token.type_id = ns0(ug_desc_AnonymousIdentityToken.binary_encoding_id);
        as.user_identity_token.encoding = UG_EO_BYTESTRING;
        as.user_identity_token.body.data = tok;
        as.user_identity_token.body.len = (int32_t)n;
        seed_add(&s, &ug_desc_ActivateSessionRequest, &as);
        uint32_t zero = 0;
        ug_TransferSubscriptionsRequest ts;
        memset(&ts, 0, sizeof ts);
        ts.subscription_ids_len = 1;
        ts.subscription_ids = &zero;
        ts.send_initial_values = true;
        seed_add(&s, &ug_desc_TransferSubscriptionsRequest, &ts);
        ug_PublishRequest pr;
        memset(&pr, 0, sizeof pr);
        seed_add(&s, &ug_desc_PublishRequest, &pr);
    }
    seed_write(dir, "close_session_keep_subs_transfer", &s);
}
