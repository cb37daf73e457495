/* opc.eth transport (Part 14 1.04 §7.3.3 OPC UA Ethernet): Ethernet II frames
 * with EtherType 0xB62C on an AF_PACKET socket, the 802.1Q tag written into
 * sent frames, VLAN id and priority recovered on receive.
 *
 * Receive uses an ETH_P_ALL socket because a socket bound to 0xB62C sees
 * tagged frames without any VLAN information; on ETH_P_ALL the kernel hands
 * the stripped tag over in PACKET_AUXDATA. A classic BPF program in the
 * kernel keeps everything but our EtherType and destination MAC out, so the
 * wide binding costs nothing per foreign frame in user space. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../common/transport_impl.h"

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif
#ifndef TP_STATUS_VLAN_VALID
#define TP_STATUS_VLAN_VALID (1 << 4)
#endif

#define ETH_HDR 14u
#define VLAN_HDR 4u
#define TPID_8021Q 0x8100u

/* --- the kernel filter -------------------------------------------------- */

enum { L_META, L_TAGGED, L_DST, L_ACCEPT, L_DROP, L_COUNT };

struct asm_ {
    struct sock_filter ins[32];
    int n;
    int label[L_COUNT];
    int jt[32], jf[32]; /* label ids to fix, -1: none (fall through) */
};

static void emit(struct asm_ *a, uint16_t code, uint32_t k, int jt, int jf)
{
    a->ins[a->n] = (struct sock_filter)BPF_STMT(code, k);
    a->jt[a->n] = jt;
    a->jf[a->n] = jf;
    a->n++;
}

static void mark(struct asm_ *a, int label)
{
    a->label[label] = a->n;
}

static void link_jumps(struct asm_ *a)
{
    for (int i = 0; i < a->n; i++) {
        if (a->jt[i] >= 0)
            a->ins[i].jt = (uint8_t)(a->label[a->jt[i]] - i - 1);
        if (a->jf[i] >= 0)
            a->ins[i].jf = (uint8_t)(a->label[a->jf[i]] - i - 1);
    }
}

/* Accepts frames with EtherType 0xB62C (untagged, tag stripped into the
 * skb, or tag still in the frame), to `dst`, and with VLAN id `vid` when
 * vid >= 0. */
static void build_filter(struct asm_ *a, const uint8_t dst[6], int vid)
{
    memset(a, 0, sizeof *a);
    emit(a, BPF_LD | BPF_H | BPF_ABS, 12, -1, -1);
    emit(a, BPF_JMP | BPF_JEQ | BPF_K, TPID_8021Q, L_TAGGED, -1);
    emit(a, BPF_JMP | BPF_JEQ | BPF_K, UG_ETHERTYPE_UADP, L_META, L_DROP);

    mark(a, L_META); /* tag, if any, is in the skb metadata */
    if (vid >= 0) {
        emit(a, BPF_LD | BPF_W | BPF_ABS, (uint32_t)(SKF_AD_OFF + SKF_AD_VLAN_TAG_PRESENT), -1,
             -1);
        emit(a, BPF_JMP | BPF_JEQ | BPF_K, 0, L_DROP, -1);
        emit(a, BPF_LD | BPF_W | BPF_ABS, (uint32_t)(SKF_AD_OFF + SKF_AD_VLAN_TAG), -1, -1);
        emit(a, BPF_ALU | BPF_AND | BPF_K, 0x0fff, -1, -1);
        emit(a, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)vid, L_DST, L_DROP);
    } else {
        /* JA takes its offset in k: patched below once L_DST is known. */
        emit(a, BPF_JMP | BPF_JA, 0, -1, -1);
    }
    int ja = vid >= 0 ? -1 : a->n - 1;

    mark(a, L_TAGGED); /* tag still in the frame */
    emit(a, BPF_LD | BPF_H | BPF_ABS, 16, -1, -1);
    emit(a, BPF_JMP | BPF_JEQ | BPF_K, UG_ETHERTYPE_UADP, -1, L_DROP);
    if (vid >= 0) {
        emit(a, BPF_LD | BPF_H | BPF_ABS, 14, -1, -1);
        emit(a, BPF_ALU | BPF_AND | BPF_K, 0x0fff, -1, -1);
        emit(a, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)vid, -1, L_DROP);
    }

    mark(a, L_DST);
    emit(a, BPF_LD | BPF_W | BPF_ABS, 0, -1, -1);
    emit(a, BPF_JMP | BPF_JEQ | BPF_K,
         (uint32_t)dst[0] << 24 | (uint32_t)dst[1] << 16 | (uint32_t)dst[2] << 8 | dst[3], -1,
         L_DROP);
    emit(a, BPF_LD | BPF_H | BPF_ABS, 4, -1, -1);
    emit(a, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)dst[4] << 8 | dst[5], L_ACCEPT, L_DROP);
    mark(a, L_ACCEPT);
    emit(a, BPF_RET | BPF_K, 0x40000, -1, -1);
    mark(a, L_DROP);
    emit(a, BPF_RET | BPF_K, 0, -1, -1);
    link_jumps(a);
    if (ja >= 0)
        a->ins[ja].k = (uint32_t)(a->label[L_DST] - ja - 1);
}

/* --- open ----------------------------------------------------------------- */

static ug_status if_info(ug_transport *t, const ug_transport_opts *o)
{
    struct ug_eth_state *e = &t->u.eth;
    /* A throwaway datagram socket: these ioctls need no privilege, so the
     * validate-only mode can check MTU and address without CAP_NET_RAW. */
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return ug_tr_err(o, ug_tr_errno_status(errno), "opc.eth: socket: %s",
                         strerror(errno));
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", t->ifname);
    ug_status st = UG_STATUS_GOOD;
    if (ioctl(s, SIOCGIFMTU, &ifr) != 0) {
        st = ug_tr_err(o, UG_STATUS_BADNOTFOUND, "opc.eth: MTU of %s: %s", t->ifname,
                       strerror(errno));
    } else {
        e->mtu = ifr.ifr_mtu;
        if (ioctl(s, SIOCGIFHWADDR, &ifr) != 0)
            st = ug_tr_err(o, UG_STATUS_BADNOTFOUND, "opc.eth: address of %s: %s", t->ifname,
                           strerror(errno));
        else if (ifr.ifr_hwaddr.sa_family != 1 /* ARPHRD_ETHER */)
            st = ug_tr_err(o, UG_STATUS_BADNOTSUPPORTED, "opc.eth: %s is not Ethernet",
                           t->ifname);
        else
            memcpy(e->src, ifr.ifr_hwaddr.sa_data, 6);
    }
    close(s);
    return st;
}

static ug_status setopt(ug_transport *t, const ug_transport_opts *o, int level, int name,
                        const void *val, socklen_t len, const char *what)
{
    if (setsockopt(t->fd, level, name, val, len) == 0)
        return UG_STATUS_GOOD;
    int err = errno;
    return ug_tr_err(o, ug_tr_errno_status(err), "opc.eth: %s failed: %s", what,
                     strerror(err));
}

static ug_status membership(ug_transport *t, const ug_transport_opts *o, int op,
                            unsigned short type)
{
    struct packet_mreq m = {.mr_ifindex = (int)t->ifindex, .mr_type = type};
    if (type == PACKET_MR_MULTICAST) {
        m.mr_alen = 6;
        memcpy(m.mr_address, t->u.eth.dst, 6);
    }
    return setopt(t, o, SOL_PACKET, op, &m, sizeof m,
                  type == PACKET_MR_PROMISC ? "promiscuous mode" : "PACKET_ADD_MEMBERSHIP");
}

static ug_status vlan_config(ug_transport *t, const ug_transport_url *url,
                             const ug_transport_opts *o, bool *tag, uint16_t *tci, int *rx_vid)
{
    const ug_eth_opts *eo = &o->eth;
    uint16_t vid = url->vid;
    uint8_t pcp = url->pcp;
    *tag = url->has_vid;
    if (eo->vlan) {
        if (eo->vid > 4094)
            return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT, "opc.eth: VLAN id %u not in 0..4094",
                             eo->vid);
        if (eo->pcp > 7)
            return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT, "opc.eth: PCP %u not in 0..7",
                             eo->pcp);
        vid = eo->vid;
        pcp = eo->pcp;
        *tag = true;
    } else if (eo->dei) {
        return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT,
                         "opc.eth: DEI needs a VLAN tag (URL VID or eth.vlan)");
    }
    /* IEEE 802.1Q §9.6: TCI = PCP(3) | DEI(1) | VID(12). */
    *tci = (uint16_t)(pcp << 13 | (eo->dei ? 1u << 12 : 0u) | vid);
    *rx_vid = -1;
    if (eo->rx_vid_filter) {
        if (!*tag || vid == 0)
            return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT,
                             "opc.eth: rx_vid_filter needs a VLAN id");
        *rx_vid = vid;
    }
    (void)t;
    return UG_STATUS_GOOD;
}

static ug_status eth_open(ug_transport *t, const ug_transport_url *url,
                          const ug_transport_opts *o)
{
    struct ug_eth_state *e = &t->u.eth;
    if (!t->ifindex)
        return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT, "opc.eth: needs an interface name");
    if (o->udp.ttl || o->udp.dscp || o->udp.loopback || o->udp.reuse)
        return ug_tr_err(o, UG_STATUS_BADNOTSUPPORTED,
                         "opc.eth: TTL, DSCP, loopback and reuse are opc.udp options");
    bool tag = false;
    uint16_t tci = 0;
    int rx_vid = -1;
    ug_status st = vlan_config(t, url, o, &tag, &tci, &rx_vid);
    if (ug_is_good(st))
        st = if_info(t, o);
    if (ug_is_bad(st))
        return st;
    /* Payload up to the MTU: a frame of 14 + MTU (+4 with a tag), i.e.
     * 1518 / 1522 bytes with the FCS at MTU 1500; Part 14 §7.3.3 caps the
     * frame at 1522. */
    if (o->max_msg > (uint32_t)e->mtu)
        return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT,
                         "opc.eth: max_msg %u exceeds the MTU %d of %s", o->max_msg, e->mtu,
                         t->ifname);
    t->max_msg = o->max_msg ? o->max_msg : (uint32_t)e->mtu;
    memcpy(e->dst, url->mac, 6);
    memcpy(e->hdr, e->dst, 6);
    memcpy(e->hdr + 6, e->src, 6);
    e->hdr_len = ETH_HDR;
    if (tag) {
        e->hdr[12] = TPID_8021Q >> 8;
        e->hdr[13] = TPID_8021Q & 0xff;
        e->hdr[14] = (uint8_t)(tci >> 8);
        e->hdr[15] = (uint8_t)tci;
        e->hdr_len += VLAN_HDR;
    }
    e->hdr[e->hdr_len - 2] = UG_ETHERTYPE_UADP >> 8;
    e->hdr[e->hdr_len - 1] = UG_ETHERTYPE_UADP & 0xff;
    if (o->validate_only)
        return UG_STATUS_GOOD;

    /* Protocol 0: the socket receives nothing until the filter is attached
     * and bind() names the protocol. */
    t->fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (t->fd < 0) {
        int err = errno;
        if (err == EPERM || err == EACCES)
            return ug_tr_err(o, UG_STATUS_BADUSERACCESSDENIED,
                             "opc.eth: raw sockets need CAP_NET_RAW (run as root or "
                             "setcap cap_net_raw+ep): %s",
                             strerror(err));
        return ug_tr_err(o, ug_tr_errno_status(err), "opc.eth: socket: %s", strerror(err));
    }
    bool rx = t->mode & UG_TRANSPORT_RECV;
    int on = 1;
    st = ug_tr_common_sockopts(t, o);
    if (ug_is_good(st))
        st = setopt(t, o, SOL_PACKET, PACKET_IGNORE_OUTGOING, &on, sizeof on,
                    "PACKET_IGNORE_OUTGOING");
    if (ug_is_good(st) && rx) {
        struct asm_ a;
        build_filter(&a, e->dst, rx_vid);
        struct sock_fprog prog = {.len = (unsigned short)a.n, .filter = a.ins};
        st = setopt(t, o, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog, "SO_ATTACH_FILTER");
        if (ug_is_good(st))
            st = setopt(t, o, SOL_PACKET, PACKET_AUXDATA, &on, sizeof on, "PACKET_AUXDATA");
    }
    if (ug_is_good(st)) {
        struct sockaddr_ll sll = {
            .sll_family = AF_PACKET,
            .sll_protocol = rx ? htons(ETH_P_ALL) : 0,
            .sll_ifindex = (int)t->ifindex,
        };
        if (bind(t->fd, (struct sockaddr *)&sll, sizeof sll) != 0) {
            int err = errno;
            st = ug_tr_err(o, ug_tr_errno_status(err), "opc.eth: bind to %s: %s", t->ifname,
                           strerror(err));
        }
    }
    if (ug_is_good(st) && rx && (e->dst[0] & 1) && memcmp(e->dst, "\xff\xff\xff\xff\xff\xff", 6)) {
        st = membership(t, o, PACKET_ADD_MEMBERSHIP, PACKET_MR_MULTICAST);
        e->member = ug_is_good(st);
    }
    if (ug_is_good(st) && o->eth.promiscuous) {
        st = membership(t, o, PACKET_ADD_MEMBERSHIP, PACKET_MR_PROMISC);
        e->promisc = ug_is_good(st);
    }
    if (ug_is_bad(st)) {
        close(t->fd);
        t->fd = -1;
    }
    return st;
}

/* --- send, receive, close ------------------------------------------------- */

static ug_status eth_send(ug_transport *t, const uint8_t *data, size_t len,
                          int64_t launch_tai_ns)
{
    struct ug_eth_state *e = &t->u.eth;
    struct sockaddr_ll sll = {
        .sll_family = AF_PACKET,
        .sll_protocol = htons(UG_ETHERTYPE_UADP),
        .sll_ifindex = (int)t->ifindex,
        .sll_halen = 6,
    };
    memcpy(sll.sll_addr, e->dst, 6);
    struct iovec iov[2] = {
        {.iov_base = e->hdr, .iov_len = e->hdr_len},
        {.iov_base = (void *)data, .iov_len = len},
    };
    struct msghdr h = {
        .msg_name = &sll, .msg_namelen = sizeof sll, .msg_iov = iov, .msg_iovlen = 2};
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

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static bool eth_decode(ug_transport *t, const struct ug_recv_msg *rm, ug_transport_msg *msg,
                       ug_transport_addr *addr)
{
    const uint8_t *f = rm->data;
    size_t n = rm->len, off = ETH_HDR;
    if (n < ETH_HDR)
        return false;
    if (rm->addr && rm->addrlen >= sizeof(struct sockaddr_ll) &&
        ((const struct sockaddr_ll *)rm->addr)->sll_pkttype == PACKET_OUTGOING)
        return false;
    memset(addr, 0, sizeof *addr);
    addr->kind = UG_TRANSPORT_ETH;
    memcpy(addr->u.eth.dst, f, 6);
    memcpy(addr->u.eth.src, f + 6, 6);
    uint16_t type = be16(f + 12);
    uint16_t tci = 0;
    if (type == TPID_8021Q) {
        if (n < ETH_HDR + VLAN_HDR)
            return false;
        addr->u.eth.tagged = true;
        tci = be16(f + 14);
        type = be16(f + 16);
        off += VLAN_HDR;
    } else {
        struct msghdr *h = (struct msghdr *)&rm->cmsg;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c)) {
            if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_AUXDATA ||
                c->cmsg_len < CMSG_LEN(sizeof(struct tpacket_auxdata)))
                continue;
            struct tpacket_auxdata aux;
            memcpy(&aux, CMSG_DATA(c), sizeof aux);
            if (aux.tp_status & TP_STATUS_VLAN_VALID) {
                addr->u.eth.tagged = true;
                tci = aux.tp_vlan_tci;
            }
        }
    }
    if (type != UG_ETHERTYPE_UADP || memcmp(addr->u.eth.dst, t->u.eth.dst, 6) != 0)
        return false;
    addr->u.eth.vid = tci & 0x0fff;
    addr->u.eth.pcp = (uint8_t)(tci >> 13);
    addr->u.eth.dei = (tci >> 12) & 1;
    msg->data.data = f + off;
    msg->data.len = (int32_t)(n - off);
    return true;
}

static void eth_shutdown(ug_transport *t)
{
    struct ug_eth_state *e = &t->u.eth;
    if (e->member)
        (void)membership(t, NULL, PACKET_DROP_MEMBERSHIP, PACKET_MR_MULTICAST);
    if (e->promisc)
        (void)membership(t, NULL, PACKET_DROP_MEMBERSHIP, PACKET_MR_PROMISC);
    e->member = e->promisc = false;
}

const struct ug_transport_ops ug_eth_ops = {
    .kind = UG_TRANSPORT_ETH,
    .name = "opc.eth",
    .open = eth_open,
    .send = eth_send,
    .decode = eth_decode,
    .shutdown = eth_shutdown,
};
