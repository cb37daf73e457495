/* Fuzz target: the server's receive path, from the first byte of a TCP
 * connection to a decoded service request (Part 6 §7.1 UACP, §6.7
 * SecureChannel, §5.2 UA Binary). The input is the byte stream a client
 * sends: it is fed into a server-side conn (clientserver/conn.h
 * ug_conn_feed) made over one end of a socketpair, whose other end only
 * drains what the server answers (ACK, OPN response, ERR, ...).
 *
 * Every complete request is decoded with the generated descriptor of its
 * encoding id (ug_rd_struct), and, when it decodes, sent straight back as
 * the "response" so that the send path (chunking by the negotiated size,
 * the client's MaxMessageSize/MaxChunkCount from the fuzzed Hello, abort
 * chunks) runs too; other requests get a ServiceFault.
 *
 * Seeds (tests/fuzz/seeds/server_rx): a HEL, HEL+OPN, HEL+OPN+ReadRequest,
 * written by tests/clientserver/test_uacp.c (UG_REGEN_SEEDS=1). With them
 * the channel id is 1 and the token id 1, so mutations reach MSG. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../clientserver/conn.h"
#include "uagate/ua_struct.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ug_loop *loop;
static uint8_t arena_mem[1 << 20];
static int closed;

static void on_message(ug_conn *c, uint32_t request_id, uint32_t encoding_id, ug_rd *body,
                       void *d)
{
    (void)d;
    const ug_type_desc *desc = ug_desc_by_encoding_id(encoding_id);
    if (!desc) {
        ug_conn_send_fault(c, request_id, 0, UG_STATUS_BADSERVICEUNSUPPORTED);
        return;
    }
    ug_arena arena;
    ug_arena_init(&arena, arena_mem, sizeof arena_mem, false);
    body->arena = &arena;
    void *req = ug_arena_alloc(&arena, desc->size);
    if (!req)
        abort();
    memset(req, 0, desc->size);
    ug_rd_struct(body, desc, req);
    if (ug_rd_ok(body))
        ug_conn_send(c, request_id, desc, req);
    else
        ug_conn_send_fault(c, request_id, 0, body->err);
    ug_arena_reset(&arena);
}

static void on_closed(ug_conn *c, ug_status why, void *d)
{
    (void)c;
    (void)why;
    (void)d;
    closed = 1;
}

static const struct ug_conn_cbs cbs = {.on_message = on_message, .on_closed = on_closed};

static void drain(int fd)
{
    uint8_t buf[65536];
    while (read(fd, buf, sizeof buf) > 0) {
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!loop && ug_loop_new(NULL, &loop) != UG_STATUS_GOOD)
        abort();
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        abort();
    fcntl(sv[1], F_SETFL, O_NONBLOCK);
    struct ug_conn_limits lim;
    ug_conn_limits_init(&lim);
    lim.recv_buf_size = 8192;  /* small chunks: reassembly is reached often */
    lim.max_message_size = 1 << 20;
    lim.max_chunk_count = 64;
    lim.max_send_queue = 4 << 20;
    ug_conn *c;
    closed = 0;
    if (ug_conn_accept_fd(loop, NULL, sv[0], &lim, &cbs, NULL, &c) != UG_STATUS_GOOD)
        abort();
    /* Feed in slices so that a chunk split across reads is exercised. */
    size_t off = 0;
    while (off < size) {
        size_t n = size - off < 1000 ? size - off : 1000;
        if (ug_conn_feed(c, data + off, n) != UG_STATUS_GOOD)
            break;
        off += n;
        drain(sv[1]);
    }
    ug_conn_close(c);
    drain(sv[1]);
    close(sv[1]); /* EOF ends the graceful close */
    for (int i = 0; i < 1000 && !closed; i++)
        ug_loop_run_once(loop, false);
    if (!closed)
        abort();
    return 0;
}
