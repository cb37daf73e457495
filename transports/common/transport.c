/* The generic transport: URL to kind, options checked, send buffer pool,
 * receive through the loop's multishot receive, and the close sequence
 * (leave groups -> stop receiving -> close the fd -> on_closed -> free). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "transport_impl.h"

#define DEFAULT_SEND_BUFS 4u
#define MAX_SEND_BUFS 1024u
#define DEFAULT_RECV_BUFS 64u
#define MAX_RECV_BUFS 32768u
/* Per receive buffer, besides the payload: io_uring_recvmsg_out (16), the
 * source address (a sockaddr_storage at most), the control messages and a
 * link header with a VLAN tag (18, rounded up). */
#define RECV_OVERHEAD (16u + (uint32_t)sizeof(struct sockaddr_storage) + UG_RX_CONTROL + 32u)

static const struct ug_transport_ops *const kinds[] = {
    [UG_TRANSPORT_UDP] = &ug_udp_ops,
    [UG_TRANSPORT_ETH] = &ug_eth_ops,
    [UG_TRANSPORT_MQTT] = &ug_mqtt_ops,
    [UG_TRANSPORT_AMQP] = &ug_amqp_ops,
};

static void fire_connected(ug_loop *loop, struct ug_delayed *d)
{
    (void)loop;
    ug_transport *t = d->data;
    if (!t->closing && t->cbs.on_state)
        t->cbs.on_state(t->cbs.ctx, t, UG_TRANSPORT_CONNECTED, UG_STATUS_GOOD);
}

static void fire_closed(ug_loop *loop, struct ug_delayed *d)
{
    (void)loop;
    ug_transport *t = d->data;
    if (t->fd >= 0)
        close(t->fd);
    t->fd = -1;
    if (t->cbs.on_closed)
        t->cbs.on_closed(t->cbs.ctx, t);
    free(t->send_mem);
    free(t->bufs);
    free(t);
}

static void recv_stopped(ug_loop *loop, struct ug_recv *r)
{
    ug_transport *t = r->data;
    t->receiving = false;
    /* Through the delayed queue, so on_closed never runs inside a call the
     * owner made (ug_transport_close may sit inside on_recv). */
    ug_loop_add_delayed(loop, &t->closed, fire_closed, t);
}

static void recv_cb(ug_loop *loop, struct ug_recv *r, ug_status status,
                    const struct ug_recv_msg *rm)
{
    (void)loop;
    ug_transport *t = r->data;
    if (t->closing)
        return;
    if (ug_is_bad(status) || !rm) {
        if (t->cbs.on_state)
            t->cbs.on_state(t->cbs.ctx, t, UG_TRANSPORT_ERROR, status);
        return;
    }
    ug_transport_addr addr;
    ug_transport_msg msg = {.from = &addr, .truncated = rm->truncated};
    if (!t->ops->decode(t, rm, &msg, &addr))
        return;
    if (msg.data.len > (int32_t)t->max_msg) {
        msg.data.len = (int32_t)t->max_msg;
        msg.truncated = true;
    }
    if (rm->rx_realtime_ns) {
        msg.rx_time_ns = rm->rx_realtime_ns;
        msg.rx_time_kernel = true;
    } else {
        msg.rx_time_ns = ug_clock_real_ns();
    }
    t->cbs.on_recv(t->cbs.ctx, t, &msg);
}

static ug_status check_opts(const ug_transport_opts *o, const ug_transport_cbs *cbs,
                            unsigned *mode)
{
    *mode = o->mode ? o->mode : (UG_TRANSPORT_SEND | UG_TRANSPORT_RECV);
    if (*mode & ~(unsigned)(UG_TRANSPORT_SEND | UG_TRANSPORT_RECV))
        return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT, "unknown mode bits 0x%x", o->mode);
    if (o->priority < 0 || o->priority > 15)
        return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT, "priority %d not in 0..15",
                         o->priority);
    if (o->send_bufs > MAX_SEND_BUFS)
        return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT, "send_bufs %u not in 1..%u",
                         o->send_bufs, MAX_SEND_BUFS);
    if (o->recv_bufs > MAX_RECV_BUFS || (o->recv_bufs & (o->recv_bufs - 1)) != 0)
        return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT,
                         "recv_bufs %u is not a power of two up to %u", o->recv_bufs,
                         MAX_RECV_BUFS);
    if (o->rcvbuf > INT32_MAX || o->sndbuf > INT32_MAX)
        return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT, "socket buffer size too large");
    if (!o->validate_only && (*mode & UG_TRANSPORT_RECV) && (!cbs || !cbs->on_recv))
        return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT,
                         "a receiving transport needs an on_recv callback");
    return UG_STATUS_GOOD;
}

static ug_status alloc_send_bufs(ug_transport *t, uint32_t n)
{
    t->nbufs = n;
    t->bufs = calloc(n, sizeof *t->bufs);
    /* Cache-line aligned slots so an encoder's stores do not share lines. */
    size_t slot = ((size_t)t->max_msg + 63) & ~(size_t)63;
    t->send_mem = aligned_alloc(64, slot * n);
    if (!t->bufs || !t->send_mem)
        return UG_STATUS_BADOUTOFMEMORY;
    for (uint32_t i = n; i-- > 0;) {
        t->bufs[i].data = t->send_mem + slot * i;
        t->bufs[i].cap = t->max_msg;
        t->bufs[i].next_free = t->free_bufs;
        t->free_bufs = &t->bufs[i];
    }
    return UG_STATUS_GOOD;
}

ug_status ug_transport_open(ug_loop *loop, const char *url, const ug_transport_opts *opts,
                            const ug_transport_cbs *cbs, ug_transport **out)
{
    static const ug_transport_opts defaults;
    const ug_transport_opts *o = opts ? opts : &defaults;
    if (out)
        *out = NULL;
    if (!url || (!o->validate_only && (!loop || !out)))
        return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT, "NULL loop, url or out");

    ug_transport_url u;
    ug_status st = ug_transport_url_parse(url, &u, o->errbuf, o->errbuf_cap);
    if (ug_is_bad(st))
        return st;
    if ((size_t)u.kind >= sizeof kinds / sizeof kinds[0] || !kinds[u.kind])
        return ug_tr_err(o, UG_STATUS_BADNOTSUPPORTED, "no transport for \"%s\"", url);
    unsigned mode;
    st = check_opts(o, cbs, &mode);
    if (ug_is_bad(st))
        return st;

    ug_transport *t = calloc(1, sizeof *t);
    if (!t)
        return ug_tr_err(o, UG_STATUS_BADOUTOFMEMORY, "out of memory");
    t->ops = kinds[u.kind];
    t->loop = loop;
    if (cbs)
        t->cbs = *cbs;
    t->mode = mode;
    t->fd = -1;
    t->txtime = o->txtime;
    t->rx_ts = o->rx_timestamps;
    t->recv_bufs = o->recv_bufs ? o->recv_bufs : DEFAULT_RECV_BUFS;
    if (o->interface && o->interface[0])
        st = ug_tr_ifindex(o, o->interface, &t->ifindex, t->ifname);
    if (ug_is_good(st))
        st = t->ops->open(t, &u, o);
    if (ug_is_bad(st) || o->validate_only) {
        if (t->fd >= 0)
            close(t->fd);
        free(t);
        return st;
    }

    if (mode & UG_TRANSPORT_SEND) {
        st = alloc_send_bufs(t, o->send_bufs ? o->send_bufs : DEFAULT_SEND_BUFS);
        if (ug_is_bad(st))
            ug_tr_err(o, st, "out of memory for send buffers");
    }
    if (ug_is_good(st) && (mode & UG_TRANSPORT_RECV) && !t->ops->close) {
        struct ug_recv_config cfg = {
            .buf_size = t->max_msg + RECV_OVERHEAD,
            .buf_count = t->recv_bufs,
            .control_len = UG_RX_CONTROL,
        };
        st = ug_recv_start(loop, &t->recv, t->fd, &cfg, recv_cb, t);
        if (ug_is_bad(st))
            ug_tr_err(o, st, "%s: cannot start receiving (%s)", t->ops->name,
                      ug_status_name(st) ? ug_status_name(st) : "?");
        t->receiving = ug_is_good(st);
    }
    if (ug_is_bad(st)) {
        if (t->ops->shutdown)
            t->ops->shutdown(t);
        close(t->fd);
        free(t->send_mem);
        free(t->bufs);
        free(t);
        return st;
    }
    if (!t->ops->close)
        ug_loop_add_delayed(loop, &t->connected, fire_connected, t);
    *out = t;
    return UG_STATUS_GOOD;
}

static ug_status check_send(ug_transport *t, size_t len, int64_t launch_tai_ns)
{
    if (t->closing || !(t->mode & UG_TRANSPORT_SEND))
        return UG_STATUS_BADINVALIDSTATE;
    if (len > t->max_msg)
        return UG_STATUS_BADENCODINGLIMITSEXCEEDED;
    if (launch_tai_ns < 0)
        return UG_STATUS_BADINVALIDARGUMENT;
    if (launch_tai_ns > 0 && !t->txtime)
        return UG_STATUS_BADINVALIDSTATE;
    return UG_STATUS_GOOD;
}

ug_status ug_transport_send(ug_transport *t, ug_bytes data, int64_t launch_tai_ns)
{
    if (!t || data.len < 0 || (data.len > 0 && !data.data))
        return UG_STATUS_BADINVALIDARGUMENT;
    ug_status st = check_send(t, (size_t)data.len, launch_tai_ns);
    if (ug_is_bad(st))
        return st;
    return t->ops->send(t, data.data, (size_t)data.len, launch_tai_ns);
}

ug_status ug_transport_buf_get(ug_transport *t, ug_transport_buf **out)
{
    if (!t || !out)
        return UG_STATUS_BADINVALIDARGUMENT;
    *out = NULL;
    if (t->closing || !(t->mode & UG_TRANSPORT_SEND))
        return UG_STATUS_BADINVALIDSTATE;
    ug_transport_buf *b = t->free_bufs;
    if (!b)
        return UG_STATUS_BADRESOURCEUNAVAILABLE;
    t->free_bufs = b->next_free;
    b->next_free = NULL;
    *out = b;
    return UG_STATUS_GOOD;
}

static bool owns(const ug_transport *t, const ug_transport_buf *b)
{
    return t->bufs && b >= t->bufs && b < t->bufs + t->nbufs;
}

void ug_transport_buf_release(ug_transport *t, ug_transport_buf *buf)
{
    if (!t || !buf || !owns(t, buf))
        return;
    buf->next_free = t->free_bufs;
    t->free_bufs = buf;
}

ug_status ug_transport_buf_send(ug_transport *t, ug_transport_buf *buf, size_t len,
                                int64_t launch_tai_ns)
{
    if (!t || !buf || !owns(t, buf))
        return UG_STATUS_BADINVALIDARGUMENT;
    ug_status st = len > buf->cap ? UG_STATUS_BADINVALIDARGUMENT
                                  : check_send(t, len, launch_tai_ns);
    /* sendmsg copies into the socket buffer, so the slot is free again at
     * once; a send through an io_uring SEND_ZC would hold it until the
     * notification instead. */
    if (ug_is_good(st))
        st = t->ops->send(t, buf->data, len, launch_tai_ns);
    ug_transport_buf_release(t, buf);
    return st;
}

void ug_transport_close(ug_transport *t)
{
    if (!t || t->closing)
        return;
    t->closing = true;
    ug_loop_remove_delayed(t->loop, &t->connected);
    if (t->ops->close) {
        t->ops->close(t);
        return;
    }
    /* Leave groups now: the membership should end when the owner says so,
     * not when the kernel releases the buffers. */
    if (t->ops->shutdown && t->fd >= 0)
        t->ops->shutdown(t);
    if (t->receiving && ug_is_good(ug_recv_stop(t->loop, &t->recv, recv_stopped)))
        return;
    t->receiving = false;
    ug_loop_add_delayed(t->loop, &t->closed, fire_closed, t);
}

void ug_tr_closed(ug_transport *t)
{
    ug_loop_add_delayed(t->loop, &t->closed, fire_closed, t);
}

enum ug_transport_kind ug_transport_kind_of(const ug_transport *t)
{
    return t ? t->ops->kind : UG_TRANSPORT_NONE;
}

int ug_transport_fd(const ug_transport *t)
{
    return t ? t->fd : -1;
}

unsigned ug_transport_ifindex(const ug_transport *t)
{
    return t ? t->ifindex : 0;
}
