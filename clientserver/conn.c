/* clientserver/conn.c — a conn's life on the loop: creation, socket I/O
 * (non-blocking read/write on a ug_watch), cutting the byte stream into
 * chunks (Part 6 §7.1.2.2), the output buffer, timeouts and the graceful
 * close, and the accessors. What the chunks mean is channel.c's business. */
#define UG_CONN_INTERNAL
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conn.h"

/* Reads per wake-up: bounded so one busy peer cannot starve the others
 * (the watch is level-triggered, so the rest comes next iteration). */
#define READS_PER_WAKE 4

void ug_conn_limits_init(struct ug_conn_limits *l)
{
    memset(l, 0, sizeof *l);
    l->recv_buf_size = 65535;
    l->send_buf_size = 65535;
    l->max_message_size = 16u << 20;
    l->max_chunk_count = 4096;
    l->hello_timeout_ns = 60LL * 1000000000;
    l->close_timeout_ns = 2LL * 1000000000;
    l->max_connections = 128;
    l->min_token_lifetime_ms = 10000;
    l->max_token_lifetime_ms = 3600000;
    l->requested_lifetime_ms = 600000;
    l->max_send_queue = 64u << 20;
}

/* Fills the zero fields of *l from the defaults and enforces the minimum
 * buffer size of §7.1.2.3. */
static void limits_fix(struct ug_conn_limits *l, const struct ug_conn_limits *in)
{
    struct ug_conn_limits d;
    ug_conn_limits_init(&d);
    *l = in ? *in : d;
#define DEF(f) if (!l->f) l->f = d.f
    DEF(recv_buf_size);
    DEF(send_buf_size);
    DEF(max_message_size);
    DEF(max_chunk_count);
    DEF(hello_timeout_ns);
    DEF(close_timeout_ns);
    DEF(max_connections);
    DEF(min_token_lifetime_ms);
    DEF(max_token_lifetime_ms);
    DEF(requested_lifetime_ms);
    DEF(max_send_queue);
#undef DEF
    if (l->recv_buf_size < UG_UACP_MIN_BUF)
        l->recv_buf_size = UG_UACP_MIN_BUF;
    if (l->send_buf_size < UG_UACP_MIN_BUF)
        l->send_buf_size = UG_UACP_MIN_BUF;
    if (l->max_token_lifetime_ms < l->min_token_lifetime_ms)
        l->max_token_lifetime_ms = l->min_token_lifetime_ms;
}

static void timer_cb(ug_loop *loop, struct ug_timer *t);

ug_status ug_conn__new(ug_loop *loop, int fd, bool is_server, const struct ug_conn_limits *lim,
                       const struct ug_conn_cbs *cbs, void *data, ug_conn **out)
{
    ug_conn *c = calloc(1, sizeof *c);
    if (!c)
        return UG_STATUS_BADOUTOFMEMORY;
    limits_fix(&c->lim, lim);
    c->rx = malloc(c->lim.recv_buf_size);
    if (!c->rx) {
        free(c);
        return UG_STATUS_BADOUTOFMEMORY;
    }
    c->loop = loop;
    c->cbs = *cbs;
    c->data = data;
    c->fd = fd;
    c->is_server = is_server;
    c->rx_cap = c->lim.recv_buf_size;
    c->recv_chunk = c->lim.recv_buf_size;
    c->send_chunk = UG_UACP_MIN_BUF;
    c->send_seq = 1;
    c->policy = &ug_secpolicy_none;
    c->security_mode = 1;
    c->close_status = UG_STATUS_GOOD;
    c->state = is_server ? UG_CS_WAIT_HEL : UG_CS_CONNECTING;
    ug_timer_init(&c->timer, timer_cb, c);
    ug_timer_init(&c->renew_timer, ug_channel__renew_cb, c);
    if (c->policy->ctx_new(&c->policy_ctx) != UG_STATUS_GOOD) {
        free(c->rx);
        free(c);
        return UG_STATUS_BADOUTOFMEMORY;
    }
    *out = c;
    return UG_STATUS_GOOD;
}

ug_status ug_conn__watch(ug_conn *c, uint32_t events)
{
    if (c->fd < 0)
        return UG_STATUS_BADINVALIDSTATE;
    if (events == c->watch_events && c->watch.cb)
        return UG_STATUS_GOOD;
    ug_status st;
    if (!c->watch.cb)
        st = ug_watch_start(c->loop, &c->watch, c->fd, events, ug_conn__io, c);
    else
        st = ug_watch_modify(c->loop, &c->watch, events);
    if (st == UG_STATUS_GOOD)
        c->watch_events = events;
    return st;
}

void ug_conn__set_peer_addr(ug_conn *c, const struct sockaddr *sa)
{
    char host[INET6_ADDRSTRLEN] = "?";
    unsigned port = 0;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
        port = ntohs(in->sin_port);
        snprintf(c->peer_addr, sizeof c->peer_addr, "%s:%u", host, port);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
        port = ntohs(in6->sin6_port);
        snprintf(c->peer_addr, sizeof c->peer_addr, "[%s]:%u", host, port);
    } else {
        snprintf(c->peer_addr, sizeof c->peer_addr, "local");
    }
}

/* The deadline for reaching an open SecureChannel (hello_timeout_ns). */
void ug_conn__start_deadline(ug_conn *c)
{
    ug_timer_start_once(c->loop, &c->timer, ug_loop_now(c->loop) + c->lim.hello_timeout_ns);
}

/* ------------------------------------------------------------ closing -- */

static void report_cb(ug_loop *loop, struct ug_delayed *d)
{
    (void)loop;
    ug_conn *c = d->data;
    if (!c->silent && c->cbs.on_closed)
        c->cbs.on_closed(c, c->close_status, c->data);
    ug_conn__free_now(c);
}

/* The conn no longer counts against the listener's limits (closed). */
static void uncount(ug_conn *c)
{
    ug_listener *l = c->listener;
    if (!l)
        return;
    if (c->counted && l->count)
        l->count--;
    if (c->rejecting && l->rejecting)
        l->rejecting--;
    c->counted = c->rejecting = false;
}

/* Leaves the listener's list: only when freed, so that ug_listener_free
 * still finds a closed conn whose on_closed has not run yet. */
static void unlink_listener(ug_conn *c)
{
    ug_listener *l = c->listener;
    if (!l)
        return;
    uncount(c);
    if (c->prev)
        c->prev->next = c->next;
    else
        l->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->prev = c->next = NULL;
    c->listener = NULL;
}

void ug_conn__finalize(ug_conn *c, ug_status status)
{
    if (c->state == UG_CS_CLOSED)
        return;
    if (c->state != UG_CS_CLOSING)
        c->close_status = status;
    c->state = UG_CS_CLOSED;
    ug_watch_stop(c->loop, &c->watch);
    ug_timer_stop(c->loop, &c->timer);
    ug_timer_stop(c->loop, &c->renew_timer);
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    uncount(c);
    if (c->reverse_owner) {
        ug_reverse__conn_gone(c->reverse_owner, c);
        c->reverse_owner = NULL;
    }
    if (c->lookup)
        ug_conn__lookup_gone(c);
    ug_loop_add_delayed(c->loop, &c->report, report_cb, c);
}

void ug_conn__free_now(ug_conn *c)
{
    if (c->state != UG_CS_CLOSED) {
        ug_watch_stop(c->loop, &c->watch);
        if (c->fd >= 0)
            close(c->fd);
    }
    unlink_listener(c);
    if (c->lookup)
        ug_conn__lookup_gone(c);
    ug_timer_stop(c->loop, &c->timer);
    ug_timer_stop(c->loop, &c->renew_timer);
    ug_loop_remove_delayed(c->loop, &c->report);
    if (c->policy && c->policy_ctx)
        c->policy->ctx_free(c->policy_ctx);
    free(c->rx);
    free(c->asm_buf);
    free(c->tx);
    free(c->scratch);
    free(c->endpoint_url);
    free(c->server_uri);
    free(c->rhe_endpoint_url);
    free(c);
}

static void shut_if_flushed(ug_conn *c)
{
    if (c->state == UG_CS_CLOSING && c->tx_off == c->tx_len && c->fd >= 0)
        shutdown(c->fd, SHUT_WR);
}

void ug_conn__begin_close(ug_conn *c, ug_status status)
{
    if (c->state >= UG_CS_CLOSING)
        return;
    if (c->state == UG_CS_CONNECTING) {
        ug_conn__finalize(c, status);
        return;
    }
    c->state = UG_CS_CLOSING;
    c->close_status = status;
    c->asm_active = false;
    ug_timer_stop(c->loop, &c->renew_timer);
    ug_timer_start_once(c->loop, &c->timer, ug_loop_now(c->loop) + c->lim.close_timeout_ns);
    if (ug_conn__flush(c) != UG_STATUS_GOOD)
        return; /* finalized */
    shut_if_flushed(c);
}

void ug_conn__fail(ug_conn *c, ug_status status, const char *reason, bool send_err)
{
    if (c->state >= UG_CS_CLOSING)
        return;
    /* §7.1.2.5: the Error message tells the peer why before the close. */
    if (send_err && c->state != UG_CS_CONNECTING)
        ug_channel__queue_error(c, status, reason);
    ug_conn__begin_close(c, status);
}

static void timer_cb(ug_loop *loop, struct ug_timer *t)
{
    (void)loop;
    ug_conn *c = t->data;
    if (c->state == UG_CS_CLOSING) {
        ug_conn__finalize(c, c->close_status); /* the peer never closed its side */
        return;
    }
    /* No open SecureChannel in time: a server tells the client (ERR). */
    ug_conn__fail(c, UG_STATUS_BADTIMEOUT, "no SecureChannel opened in time", c->is_server);
}

void ug_conn_close(ug_conn *c)
{
    if (!c || c->state >= UG_CS_CLOSING)
        return;
    /* §6.7.6: the client says CloseSecureChannel; the server just closes. */
    if (!c->is_server && c->state == UG_CS_OPEN)
        ug_channel__send_clo(c);
    ug_conn__begin_close(c, UG_STATUS_GOOD);
}

void ug_conn_close_error(ug_conn *c, ug_status status, const char *reason)
{
    if (!c)
        return;
    ug_conn__fail(c, status, reason, true);
}

/* --------------------------------------------------------------- output -- */

uint8_t *ug_conn__tx_reserve(ug_conn *c, size_t n)
{
    if (c->tx_off == c->tx_len)
        c->tx_off = c->tx_len = 0;
    if (c->tx_cap - c->tx_len >= n)
        return c->tx + c->tx_len;
    size_t pending = c->tx_len - c->tx_off;
    if (pending + n > c->lim.max_send_queue)
        return NULL;
    if (c->tx_off && c->tx_cap - pending >= n) {
        memmove(c->tx, c->tx + c->tx_off, pending);
        c->tx_off = 0;
        c->tx_len = pending;
        return c->tx + c->tx_len;
    }
    size_t cap = c->tx_cap ? c->tx_cap : 2 * (size_t)c->send_chunk;
    while (cap < c->tx_len + n)
        cap *= 2;
    uint8_t *p = realloc(c->tx, cap);
    if (!p)
        return NULL;
    c->tx = p;
    c->tx_cap = cap;
    return c->tx + c->tx_len;
}

/* Sends what the kernel takes; the rest waits for EPOLLOUT. Returns Good,
 * or the status the conn was finalized with. */
ug_status ug_conn__flush(ug_conn *c)
{
    if (c->fd < 0 || c->state == UG_CS_CONNECTING)
        return UG_STATUS_GOOD;
    while (c->tx_off < c->tx_len) {
        ssize_t n = send(c->fd, c->tx + c->tx_off, c->tx_len - c->tx_off,
                         MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            ug_status st = (errno == EPIPE || errno == ECONNRESET)
                               ? UG_STATUS_BADCONNECTIONCLOSED
                               : UG_STATUS_BADCOMMUNICATIONERROR;
            ug_conn__finalize(c, st);
            return st;
        }
        c->tx_off += (size_t)n;
        c->stats.bytes_tx += (uint64_t)n;
    }
    uint32_t ev = EPOLLIN | (c->tx_off < c->tx_len ? EPOLLOUT : 0);
    if (ug_conn__watch(c, ev) != UG_STATUS_GOOD) {
        ug_conn__finalize(c, UG_STATUS_BADRESOURCEUNAVAILABLE);
        return UG_STATUS_BADRESOURCEUNAVAILABLE;
    }
    return UG_STATUS_GOOD;
}

/* ---------------------------------------------------------------- input -- */

/* Cuts rx into whole chunks and hands each to the channel (§7.1.2.2). */
static void process_rx(ug_conn *c)
{
    while (c->state < UG_CS_CLOSING) {
        uint32_t avail = c->rx_end - c->rx_start;
        if (avail < UG_UACP_HDR)
            break;
        uint8_t *p = c->rx + c->rx_start;
        struct ug_uacp_hdr h;
        ug_status st = ug_uacp_hdr_decode(p, &h);
        if (st != UG_STATUS_GOOD) {
            ug_conn__fail(c, st, "unknown message or chunk type", true);
            break;
        }
        if (h.size < UG_UACP_HDR) {
            ug_conn__fail(c, UG_STATUS_BADDECODINGERROR, "MessageSize below the header", true);
            break;
        }
        /* A chunk larger than our negotiated ReceiveBufferSize (§7.1.2.3). */
        if (h.size > c->recv_chunk) {
            ug_conn__fail(c, UG_STATUS_BADTCPMESSAGETOOLARGE, "chunk over ReceiveBufferSize",
                          true);
            break;
        }
        if (avail < h.size)
            break;
        c->rx_start += h.size;
        c->stats.chunks_rx++;
        ug_channel__on_chunk(c, p, h.size);
    }
    if (c->state >= UG_CS_CLOSING) {
        c->rx_start = c->rx_end = 0; /* drained, never parsed */
        return;
    }
    if (c->rx_start == c->rx_end) {
        c->rx_start = c->rx_end = 0;
    } else if (c->rx_start) {
        memmove(c->rx, c->rx + c->rx_start, c->rx_end - c->rx_start);
        c->rx_end -= c->rx_start;
        c->rx_start = 0;
    }
}

ug_status ug_conn_feed(ug_conn *c, const void *data, size_t len)
{
    const uint8_t *p = data;
    while (len && c->state < UG_CS_CLOSING) {
        size_t room = c->rx_cap - c->rx_end;
        size_t n = len < room ? len : room;
        memcpy(c->rx + c->rx_end, p, n);
        c->rx_end += (uint32_t)n;
        c->stats.bytes_rx += n;
        p += n;
        len -= n;
        process_rx(c);
    }
    return c->state < UG_CS_CLOSING ? UG_STATUS_GOOD : c->close_status;
}

static void on_connected(ug_conn *c)
{
    int err = 0;
    socklen_t el = sizeof err;
    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0 || err != 0) {
        ug_conn__finalize(c, UG_STATUS_BADNOTCONNECTED);
        return;
    }
    if (c->is_server) { /* reverse connect: ReverseHello first (§7.1.3) */
        c->state = UG_CS_WAIT_HEL;
        ug_wr wr;
        ug_string su = ug_string_from(c->server_uri ? c->server_uri : "");
        ug_string eu = ug_string_from(c->rhe_endpoint_url ? c->rhe_endpoint_url : "");
        ug_wr_init(&wr, NULL, 0);
        ug_uacp_rhe_encode(&wr, su, eu);
        uint8_t *p = ug_conn__tx_reserve(c, wr.len);
        if (!p) {
            ug_conn__finalize(c, UG_STATUS_BADOUTOFMEMORY);
            return;
        }
        ug_wr_init(&wr, p, wr.len);
        ug_uacp_rhe_encode(&wr, su, eu);
        c->tx_len += wr.len;
        ug_conn__flush(c);
    } else {
        ug_channel__send_hello(c);
    }
}

void ug_conn__io(ug_loop *loop, struct ug_watch *w, uint32_t revents)
{
    (void)loop;
    ug_conn *c = w->data;
    if (c->state == UG_CS_CONNECTING) {
        if (!(revents & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
            return;
        on_connected(c);
        return;
    }
    if (revents & EPOLLOUT) {
        if (ug_conn__flush(c) != UG_STATUS_GOOD)
            return;
        shut_if_flushed(c);
    }
    if (!(revents & (EPOLLIN | EPOLLHUP | EPOLLERR)))
        return;
    for (int i = 0; i < READS_PER_WAKE && c->state != UG_CS_CLOSED; i++) {
        uint8_t drain[4096];
        uint8_t *dst = c->rx + c->rx_end;
        size_t room = c->rx_cap - c->rx_end;
        if (c->state == UG_CS_CLOSING) { /* discard until EOF */
            dst = drain;
            room = sizeof drain;
        }
        ssize_t n = recv(c->fd, dst, room, 0);
        if (n == 0) {
            /* EOF: after our close it completes it; else the peer hung up. */
            ug_conn__finalize(c, UG_STATUS_BADCONNECTIONCLOSED);
            return;
        }
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return;
            ug_conn__finalize(c, errno == ECONNRESET ? UG_STATUS_BADCONNECTIONCLOSED
                                                     : UG_STATUS_BADCOMMUNICATIONERROR);
            return;
        }
        c->stats.bytes_rx += (uint64_t)n;
        bool drained = (size_t)n < room; /* a short read emptied the socket */
        if (c->state != UG_CS_CLOSING) {
            c->rx_end += (uint32_t)n;
            process_rx(c);
        }
        /* Saves the recv that would only say EAGAIN; the watch is
         * level-triggered, so anything that arrived meanwhile still wakes us. */
        if (drained)
            return;
    }
}

/* ------------------------------------------------------------ accessors -- */

void ug_conn_set_data(ug_conn *c, void *data) { c->data = data; }
void *ug_conn_get_data(const ug_conn *c) { return c->data; }
bool ug_conn_is_server(const ug_conn *c) { return c->is_server; }
bool ug_conn_is_open(const ug_conn *c) { return c->state == UG_CS_OPEN; }
uint32_t ug_conn_channel_id(const ug_conn *c) { return c->channel_id; }
uint32_t ug_conn_token_id(const ug_conn *c) { return c->tok.id; }
uint32_t ug_conn_token_lifetime_ms(const ug_conn *c) { return c->tok.lifetime_ms; }
uint32_t ug_conn_recv_buf_size(const ug_conn *c) { return c->recv_chunk; }
uint32_t ug_conn_send_buf_size(const ug_conn *c) { return c->send_chunk; }
uint32_t ug_conn_peer_max_message_size(const ug_conn *c) { return c->peer_max_message; }
uint32_t ug_conn_peer_max_chunk_count(const ug_conn *c) { return c->peer_max_chunks; }
const char *ug_conn_peer_addr(const ug_conn *c) { return c->peer_addr; }
const char *ug_conn_security_policy_uri(const ug_conn *c) { return c->policy->uri; }
int32_t ug_conn_security_mode(const ug_conn *c) { return c->security_mode; }
void ug_conn_get_stats(const ug_conn *c, struct ug_conn_stats *out) { *out = c->stats; }
void ug_conn_test_set_send_seq(ug_conn *c, uint32_t next_seq) { c->send_seq = next_seq; }

ug_string ug_conn_endpoint_url(const ug_conn *c)
{
    if (!c->endpoint_url)
        return UG_NULL_BYTES;
    return (ug_string){(const uint8_t *)c->endpoint_url, (int32_t)c->endpoint_url_len};
}

uint32_t ug_conn_next_request_id(ug_conn *c)
{
    if (++c->request_counter == 0)
        c->request_counter = 1;
    return c->request_counter;
}
