/* Socket helpers shared by the UDP and Ethernet transports: errors, the
 * interface, options every kind has (priority, launch time, timestamps,
 * buffer sizes) and their control messages. */
#include <errno.h>
#include <linux/net_tstamp.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "transport_impl.h"

#ifndef SO_TXTIME
#define SO_TXTIME 61
#define SCM_TXTIME SO_TXTIME
#endif

ug_status ug_tr_err(const ug_transport_opts *o, ug_status st, const char *fmt, ...)
{
    if (o && o->errbuf && o->errbuf_cap > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(o->errbuf, o->errbuf_cap, fmt, ap);
        va_end(ap);
    }
    return st;
}

ug_status ug_tr_errno_status(int err)
{
    switch (err) {
    case EPERM:
    case EACCES:
        return UG_STATUS_BADUSERACCESSDENIED;
    case ENOMEM:
    case ENOBUFS:
        return UG_STATUS_BADOUTOFMEMORY;
    case ENODEV:
    case ENXIO:
        return UG_STATUS_BADNOTFOUND;
    default:
        return UG_STATUS_BADCOMMUNICATIONERROR;
    }
}

ug_status ug_tr_send_errno(int err)
{
    switch (err) {
    case EAGAIN:
#if EWOULDBLOCK != EAGAIN
    case EWOULDBLOCK:
#endif
        return UG_STATUS_BADWOULDBLOCK;
    case EMSGSIZE:
        return UG_STATUS_BADENCODINGLIMITSEXCEEDED;
    default:
        return ug_tr_errno_status(err);
    }
}

ug_status ug_tr_ifindex(const ug_transport_opts *o, const char *name, unsigned *index,
                        char ifname[IF_NAMESIZE])
{
    if (strlen(name) >= IF_NAMESIZE)
        return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT,
                         "interface name \"%s\" longer than %d characters", name,
                         IF_NAMESIZE - 1);
    unsigned i = if_nametoindex(name);
    if (i == 0)
        return ug_tr_err(o, UG_STATUS_BADNOTFOUND, "no interface \"%s\": %s", name,
                         strerror(errno));
    *index = i;
    snprintf(ifname, IF_NAMESIZE, "%s", name);
    return UG_STATUS_GOOD;
}

static ug_status setopt(ug_transport *t, const ug_transport_opts *o, int level, int name,
                        const void *val, socklen_t len, const char *what)
{
    if (setsockopt(t->fd, level, name, val, len) == 0)
        return UG_STATUS_GOOD;
    int e = errno;
    ug_status st = ug_tr_errno_status(e);
    if (st == UG_STATUS_BADUSERACCESSDENIED)
        return ug_tr_err(o, st, "%s refused: %s (needs CAP_NET_ADMIN)", what, strerror(e));
    return ug_tr_err(o, st, "%s failed: %s", what, strerror(e));
}

ug_status ug_tr_common_sockopts(ug_transport *t, const ug_transport_opts *o)
{
    ug_status st = UG_STATUS_GOOD;
    if (o->priority > 0) {
        int v = o->priority;
        st = setopt(t, o, SOL_SOCKET, SO_PRIORITY, &v, sizeof v, "SO_PRIORITY");
        if (ug_is_bad(st))
            return st;
    }
    if (o->txtime) {
        struct sock_txtime tx = {.clockid = CLOCK_TAI, .flags = 0};
        st = setopt(t, o, SOL_SOCKET, SO_TXTIME, &tx, sizeof tx, "SO_TXTIME");
        if (ug_is_bad(st))
            return st;
    }
    if (o->rx_timestamps) {
        int on = 1;
        st = setopt(t, o, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on, "SO_TIMESTAMPNS");
        if (ug_is_bad(st))
            return st;
    }
    if (o->rcvbuf > 0) {
        /* SO_RCVBUFFORCE passes rmem_max as root; without the capability
         * fall back to SO_RCVBUF, which the kernel caps silently. */
        int v = o->rcvbuf > INT32_MAX / 2 ? INT32_MAX / 2 : (int)o->rcvbuf;
        if (setsockopt(t->fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof v) != 0) {
            st = setopt(t, o, SOL_SOCKET, SO_RCVBUF, &v, sizeof v, "SO_RCVBUF");
            if (ug_is_bad(st))
                return st;
        }
    }
    if (o->sndbuf > 0) {
        int v = o->sndbuf > INT32_MAX / 2 ? INT32_MAX / 2 : (int)o->sndbuf;
        if (setsockopt(t->fd, SOL_SOCKET, SO_SNDBUFFORCE, &v, sizeof v) != 0) {
            st = setopt(t, o, SOL_SOCKET, SO_SNDBUF, &v, sizeof v, "SO_SNDBUF");
            if (ug_is_bad(st))
                return st;
        }
    }
    return UG_STATUS_GOOD;
}

void ug_tr_set_txtime(struct msghdr *h, void *cbuf, size_t cap, int64_t launch_tai_ns)
{
    uint64_t t = (uint64_t)launch_tai_ns;
    memset(cbuf, 0, cap);
    h->msg_control = cbuf;
    h->msg_controllen = CMSG_SPACE(sizeof t);
    struct cmsghdr *c = CMSG_FIRSTHDR(h);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_TXTIME;
    c->cmsg_len = CMSG_LEN(sizeof t);
    memcpy(CMSG_DATA(c), &t, sizeof t);
}
