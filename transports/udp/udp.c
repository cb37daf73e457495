/* opc.udp transport (Part 14 1.04 §7.3.2 OPC UA UDP): unicast, multicast and
 * broadcast, IPv4 and IPv6, one non-blocking datagram socket. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../common/transport_impl.h"

#define UDP4_MAX 65507u /* 65535 - IPv4 header 20 - UDP header 8 */
#define UDP6_MAX 65527u /* 65535 - UDP header 8 (IPv6 payload length) */
#define UDP_DEFAULT_MSG 4096u

static bool v6_scoped(const struct in6_addr *a)
{
    return IN6_IS_ADDR_LINKLOCAL(a) || IN6_IS_ADDR_MC_LINKLOCAL(a) ||
           IN6_IS_ADDR_MC_NODELOCAL(a);
}

static ug_status resolve(ug_transport *t, const ug_transport_url *url,
                         const ug_transport_opts *o)
{
    struct ug_udp_state *u = &t->u.udp;
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM};
    struct addrinfo *res = NULL;
    /* A literal is the real-time case; a name costs a lookup here, once. */
    int rc = getaddrinfo(url->host, NULL, &hints, &res);
    if (rc != 0 || !res)
        return ug_tr_err(o, UG_STATUS_BADNOTFOUND, "opc.udp: host \"%s\" does not resolve: %s",
                         url->host, gai_strerror(rc));
    memcpy(&u->dst, res->ai_addr, res->ai_addrlen);
    u->dst_len = res->ai_addrlen;
    u->family = res->ai_family;
    freeaddrinfo(res);

    if (u->family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)&u->dst;
        in->sin_port = htons(url->port);
        u->multicast = IN_MULTICAST(ntohl(in->sin_addr.s_addr));
    } else if (u->family == AF_INET6) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&u->dst;
        in6->sin6_port = htons(url->port);
        u->multicast = IN6_IS_ADDR_MULTICAST(&in6->sin6_addr);
        if (v6_scoped(&in6->sin6_addr) && in6->sin6_scope_id == 0) {
            if (t->ifindex == 0)
                return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT,
                                 "opc.udp: link-scope address %s needs an interface",
                                 url->host);
            in6->sin6_scope_id = t->ifindex;
        }
        if (in6->sin6_scope_id && t->ifindex == 0)
            t->ifindex = in6->sin6_scope_id; /* from a %zone in the URL */
    } else {
        return ug_tr_err(o, UG_STATUS_BADNOTSUPPORTED, "opc.udp: address family %d",
                         u->family);
    }
    return UG_STATUS_GOOD;
}

static ug_status setopt(ug_transport *t, const ug_transport_opts *o, int level, int name,
                        const void *val, socklen_t len, const char *what)
{
    if (setsockopt(t->fd, level, name, val, len) == 0)
        return UG_STATUS_GOOD;
    int e = errno;
    return ug_tr_err(o, ug_tr_errno_status(e), "opc.udp: %s failed: %s", what, strerror(e));
}

/* TTL, loopback, DSCP and the outgoing multicast interface. */
static ug_status ip_opts(ug_transport *t, const ug_transport_opts *o)
{
    struct ug_udp_state *u = &t->u.udp;
    ug_status st = UG_STATUS_GOOD;
    int ttl = o->udp.ttl, loop = o->udp.loopback == UG_ON, tos = o->udp.dscp << 2;
    if (u->family == AF_INET) {
        int on = 1;
        /* On every IPv4 sender: a URL may name a (subnet) broadcast address,
         * and the socket cannot tell that from a unicast one. */
        if (t->mode & UG_TRANSPORT_SEND)
            st = setopt(t, o, SOL_SOCKET, SO_BROADCAST, &on, sizeof on, "SO_BROADCAST");
        if (ug_is_good(st) && ttl > 0)
            st = setopt(t, o, IPPROTO_IP, u->multicast ? IP_MULTICAST_TTL : IP_TTL, &ttl,
                        sizeof ttl, "IP_TTL");
        if (ug_is_good(st) && u->multicast && o->udp.loopback != UG_DEFAULT)
            st = setopt(t, o, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof loop,
                        "IP_MULTICAST_LOOP");
        if (ug_is_good(st) && o->udp.dscp > 0)
            st = setopt(t, o, IPPROTO_IP, IP_TOS, &tos, sizeof tos, "IP_TOS");
        if (ug_is_good(st) && u->multicast && t->ifindex) {
            /* Without it the kernel picks the interface by route, and both
             * data and the IGMP report can leave on the wrong one. */
            struct ip_mreqn m = {.imr_ifindex = (int)t->ifindex};
            st = setopt(t, o, IPPROTO_IP, IP_MULTICAST_IF, &m, sizeof m, "IP_MULTICAST_IF");
        }
    } else {
        int on = 1;
        st = setopt(t, o, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on, "IPV6_V6ONLY");
        if (ug_is_good(st) && ttl > 0)
            st = setopt(t, o, IPPROTO_IPV6,
                        u->multicast ? IPV6_MULTICAST_HOPS : IPV6_UNICAST_HOPS, &ttl,
                        sizeof ttl, "IPV6 hop limit");
        if (ug_is_good(st) && u->multicast && o->udp.loopback != UG_DEFAULT)
            st = setopt(t, o, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &loop, sizeof loop,
                        "IPV6_MULTICAST_LOOP");
        if (ug_is_good(st) && o->udp.dscp > 0)
            st = setopt(t, o, IPPROTO_IPV6, IPV6_TCLASS, &tos, sizeof tos, "IPV6_TCLASS");
        if (ug_is_good(st) && u->multicast && t->ifindex) {
            int idx = (int)t->ifindex;
            st = setopt(t, o, IPPROTO_IPV6, IPV6_MULTICAST_IF, &idx, sizeof idx,
                        "IPV6_MULTICAST_IF");
        }
    }
    return st;
}

static ug_status join(ug_transport *t, const ug_transport_opts *o)
{
    struct ug_udp_state *u = &t->u.udp;
    ug_status st;
    if (u->family == AF_INET) {
        struct ip_mreqn m = {
            .imr_multiaddr = ((struct sockaddr_in *)&u->dst)->sin_addr,
            .imr_ifindex = (int)t->ifindex,
        };
        st = setopt(t, o, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m, "IP_ADD_MEMBERSHIP");
    } else {
        struct ipv6_mreq m = {
            .ipv6mr_multiaddr = ((struct sockaddr_in6 *)&u->dst)->sin6_addr,
            .ipv6mr_interface = t->ifindex,
        };
        st = setopt(t, o, IPPROTO_IPV6, IPV6_JOIN_GROUP, &m, sizeof m, "IPV6_JOIN_GROUP");
    }
    u->joined = ug_is_good(st);
    return st;
}

static void leave(ug_transport *t)
{
    struct ug_udp_state *u = &t->u.udp;
    if (!u->joined)
        return;
    if (u->family == AF_INET) {
        struct ip_mreqn m = {
            .imr_multiaddr = ((struct sockaddr_in *)&u->dst)->sin_addr,
            .imr_ifindex = (int)t->ifindex,
        };
        (void)setsockopt(t->fd, IPPROTO_IP, IP_DROP_MEMBERSHIP, &m, sizeof m);
    } else {
        struct ipv6_mreq m = {
            .ipv6mr_multiaddr = ((struct sockaddr_in6 *)&u->dst)->sin6_addr,
            .ipv6mr_interface = t->ifindex,
        };
        (void)setsockopt(t->fd, IPPROTO_IPV6, IPV6_LEAVE_GROUP, &m, sizeof m);
    }
    u->joined = false;
}

static ug_status udp_open(ug_transport *t, const ug_transport_url *url,
                          const ug_transport_opts *o)
{
    struct ug_udp_state *u = &t->u.udp;
    if (o->udp.ttl < 0 || o->udp.ttl > 255)
        return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT, "opc.udp: ttl %d not in 0..255",
                         o->udp.ttl);
    if (o->udp.dscp < 0 || o->udp.dscp > 63)
        return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT, "opc.udp: dscp %d not in 0..63",
                         o->udp.dscp);
    if ((unsigned)o->udp.loopback > UG_OFF)
        return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT, "opc.udp: bad loopback value %d",
                         (int)o->udp.loopback);
    if (o->eth.vlan || o->eth.promiscuous || o->eth.rx_vid_filter || o->eth.dei)
        return ug_tr_err(o, UG_STATUS_BADNOTSUPPORTED,
                         "opc.udp: VLAN and promiscuous options are for opc.eth");
    ug_status st = resolve(t, url, o);
    if (ug_is_bad(st))
        return st;
    uint32_t limit = u->family == AF_INET ? UDP4_MAX : UDP6_MAX;
    if (o->max_msg > limit)
        return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT,
                         "opc.udp: max_msg %u exceeds the UDP limit %u", o->max_msg, limit);
    t->max_msg = o->max_msg ? o->max_msg : UDP_DEFAULT_MSG;
    if (o->validate_only)
        return UG_STATUS_GOOD;

    t->fd = socket(u->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (t->fd < 0) {
        int e = errno;
        return ug_tr_err(o, ug_tr_errno_status(e), "opc.udp: socket: %s", strerror(e));
    }
    int on = 1;
    if (o->udp.reuse) {
        st = setopt(t, o, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on, "SO_REUSEADDR");
        if (ug_is_good(st))
            st = setopt(t, o, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on, "SO_REUSEPORT");
    }
    /* IP_TOS resets SO_PRIORITY from the TOS bits: DSCP first, priority after. */
    if (ug_is_good(st))
        st = ip_opts(t, o);
    if (ug_is_good(st))
        st = ug_tr_common_sockopts(t, o);
    if (ug_is_good(st) && t->ifname[0])
        st = setopt(t, o, SOL_SOCKET, SO_BINDTODEVICE, t->ifname,
                    (socklen_t)strlen(t->ifname), "SO_BINDTODEVICE");
    if (ug_is_good(st) && (t->mode & UG_TRANSPORT_RECV)) {
        /* Bound to the group (or broadcast) address itself, the socket gets
         * only that destination's datagrams, not every group on the port. */
        if (bind(t->fd, (struct sockaddr *)&u->dst, u->dst_len) != 0) {
            int e = errno;
            st = ug_tr_err(o, ug_tr_errno_status(e), "opc.udp: bind to %s port %u: %s%s",
                           url->host, url->port, strerror(e),
                           e == EADDRNOTAVAIL ? " (not a local address)" : "");
        } else if (u->multicast) {
            st = join(t, o);
        }
    }
    if (ug_is_bad(st)) {
        close(t->fd);
        t->fd = -1;
    }
    return st;
}

static ug_status udp_send(ug_transport *t, const uint8_t *data, size_t len,
                          int64_t launch_tai_ns)
{
    struct ug_udp_state *u = &t->u.udp;
    struct iovec iov = {.iov_base = (void *)data, .iov_len = len};
    struct msghdr h = {
        .msg_name = &u->dst, .msg_namelen = u->dst_len, .msg_iov = &iov, .msg_iovlen = 1};
    union {
        char buf[CMSG_SPACE(sizeof(uint64_t))];
        struct cmsghdr align;
    } c;
    if (launch_tai_ns)
        ug_tr_set_txtime(&h, c.buf, sizeof c.buf, launch_tai_ns);
    if (sendmsg(t->fd, &h, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
        return ug_tr_send_errno(errno);
    return UG_STATUS_GOOD;
}

static bool udp_decode(ug_transport *t, const struct ug_recv_msg *rm, ug_transport_msg *msg,
                       ug_transport_addr *addr)
{
    (void)t;
    addr->kind = UG_TRANSPORT_UDP;
    memset(&addr->u.ip, 0, sizeof addr->u.ip);
    if (rm->addr && rm->addrlen <= sizeof addr->u.ip)
        memcpy(&addr->u.ip, rm->addr, rm->addrlen);
    msg->data.data = rm->data;
    msg->data.len = (int32_t)rm->len;
    return true;
}

const struct ug_transport_ops ug_udp_ops = {
    .kind = UG_TRANSPORT_UDP,
    .name = "opc.udp",
    .open = udp_open,
    .send = udp_send,
    .decode = udp_decode,
    .shutdown = leave,
};
