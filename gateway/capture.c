/* capture — link, network and transport headers down to the UADP payload. */
#include "capture.h"

#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86DD
#define ETHERTYPE_VLAN 0x8100
#define IPPROTO_UDP_NUM 17

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

bool ug_capture_sniff(const uint8_t *h, size_t len)
{
    if (len < 4)
        return false;
    uint32_t be = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
    return be == 0xA1B2C3D4 || be == 0xD4C3B2A1 || /* pcap, microseconds */
           be == 0xA1B23C4D || be == 0x4D3CB2A1 || /* pcap, nanoseconds */
           be == 0x0A0D0D0A;                       /* pcapng Section Header Block */
}

static void not_uadp(ug_cap_pkt *p, const char *why)
{
    p->kind = 0;
    p->data = NULL;
    p->len = 0;
    snprintf(p->src, sizeof p->src, "%s", why);
    p->dst[0] = 0;
}

static void udp(ug_cap_pkt *p, const uint8_t *u, size_t n, const char *src_ip,
                const char *dst_ip, bool v6)
{
    if (n < 8)
        { not_uadp(p, "truncated UDP header"); return; }
    uint16_t sport = be16(u), dport = be16(u + 2), ulen = be16(u + 4);
    if (dport < UG_CAPTURE_PORT_MIN || dport > UG_CAPTURE_PORT_MAX)
        { not_uadp(p, "UDP to another port"); return; }
    size_t body = n - 8;
    if (ulen >= 8 && (size_t)(ulen - 8) < body)
        body = ulen - 8u; /* Ethernet padding after a short datagram */
    else if (ulen >= 8 && (size_t)(ulen - 8) > body)
        p->truncated = true;
    p->kind = v6 ? UG_CAP_UDP6 : UG_CAP_UDP4;
    snprintf(p->src, sizeof p->src, v6 ? "[%s]:%u" : "%s:%u", src_ip, sport);
    snprintf(p->dst, sizeof p->dst, v6 ? "[%s]:%u" : "%s:%u", dst_ip, dport);
    p->data = u + 8;
    p->len = body;
}

static void ipv4(ug_cap_pkt *p, const uint8_t *ip, size_t n)
{
    if (n < 20 || ip[0] >> 4 != 4 || (size_t)(ip[0] & 15) * 4 < 20 || (size_t)(ip[0] & 15) * 4 > n)
        { not_uadp(p, "bad IPv4 header"); return; }
    size_t ihl = (size_t)(ip[0] & 15) * 4, total = be16(ip + 2);
    if (total >= ihl && total < n)
        n = total;
    else if (total > n)
        p->truncated = true;
    if (ip[9] != IPPROTO_UDP_NUM)
        { not_uadp(p, "IPv4, not UDP"); return; }
    if ((be16(ip + 6) & 0x3FFF) != 0)
        { not_uadp(p, "IPv4 fragment"); return; }
    char s[INET_ADDRSTRLEN], d[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, ip + 12, s, sizeof s);
    inet_ntop(AF_INET, ip + 16, d, sizeof d);
    udp(p, ip + ihl, n - ihl, s, d, false);
}

static void ipv6(ug_cap_pkt *p, const uint8_t *ip, size_t n)
{
    if (n < 40 || ip[0] >> 4 != 6)
        { not_uadp(p, "bad IPv6 header"); return; }
    size_t plen = be16(ip + 4);
    if (40 + plen < n)
        n = 40 + plen;
    else if (40 + plen > n)
        p->truncated = true;
    uint8_t next = ip[6];
    size_t off = 40;
    /* Hop-by-hop, routing and destination options headers: skip them. */
    while ((next == 0 || next == 43 || next == 60) && off + 8 <= n) {
        next = ip[off];
        off += 8 + (size_t)ip[off + 1] * 8;
    }
    if (next != IPPROTO_UDP_NUM || off > n)
        { not_uadp(p, "IPv6, not UDP"); return; }
    char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, ip + 8, s, sizeof s);
    inet_ntop(AF_INET6, ip + 24, d, sizeof d);
    udp(p, ip + off, n - off, s, d, true);
}

static void ip_any(ug_cap_pkt *p, const uint8_t *ip, size_t n)
{
    if (n >= 1 && ip[0] >> 4 == 4)
        ipv4(p, ip, n);
    else if (n >= 1 && ip[0] >> 4 == 6)
        ipv6(p, ip, n);
    else
        not_uadp(p, "not IP");
}

/* Cooked captures (SLL, SLL2) know only the source address. */
static void format_mac(char *out, size_t cap, const uint8_t *m)
{
    if (m)
        snprintf(out, cap, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
    else
        snprintf(out, cap, "?");
}

/* After the link header: an EtherType, maybe an 802.1Q tag, then the payload. */
static void ethertype(ug_cap_pkt *p, uint16_t type, const uint8_t *b, size_t n,
                      const uint8_t *mac_src, const uint8_t *mac_dst)
{
    if (type == ETHERTYPE_VLAN) {
        if (n < 4)
            { not_uadp(p, "truncated 802.1Q tag"); return; }
        uint16_t tci = be16(b);
        p->has_vlan = true;
        p->pcp = (uint8_t)(tci >> 13);
        p->dei = (uint8_t)(tci >> 12 & 1);
        p->vid = tci & 0x0FFF;
        type = be16(b + 2);
        b += 4;
        n -= 4;
    }
    switch (type) {
    case ETHERTYPE_IPV4: { ipv4(p, b, n); return; }
    case ETHERTYPE_IPV6: { ipv6(p, b, n); return; }
    case UG_ETHERTYPE_UADP:
        p->kind = UG_CAP_ETH;
        format_mac(p->src, sizeof p->src, mac_src);
        format_mac(p->dst, sizeof p->dst, mac_dst);
        p->data = b;
        p->len = n;
        return;
    default: { not_uadp(p, "EtherType not IP or UADP"); return; }
    }
}

static void link_layer(ug_cap_pkt *p, int dlt, const uint8_t *b, size_t n)
{
    switch (dlt) {
    case DLT_EN10MB:
        if (n < 14)
            { not_uadp(p, "truncated Ethernet header"); return; }
        { ethertype(p, be16(b + 12), b + 14, n - 14, b + 6, b); return; }
    case DLT_LINUX_SLL: /* packet type, ARPHRD, address length, address[8], protocol */
        if (n < 16)
            { not_uadp(p, "truncated SLL header"); return; }
        { ethertype(p, be16(b + 14), b + 16, n - 16, b[5] == 6 ? b + 6 : NULL, NULL); return; }
    case DLT_LINUX_SLL2: /* protocol, reserved, ifindex, ARPHRD, type, addr len, addr[8] */
        if (n < 20)
            { not_uadp(p, "truncated SLL2 header"); return; }
        { ethertype(p, be16(b), b + 20, n - 20, b[11] == 6 ? b + 12 : NULL, NULL); return; }
    case DLT_NULL:
    case DLT_LOOP: /* 4-byte address family in either byte order: use the IP version */
        if (n < 4)
            { not_uadp(p, "truncated loopback header"); return; }
        { ip_any(p, b + 4, n - 4); return; }
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6: { ip_any(p, b, n); return; }
    default: { not_uadp(p, "unsupported link type"); return; }
    }
}

void ug_capture_parse(ug_cap_pkt *p, int dlt, const uint8_t *frame, size_t caplen)
{
    link_layer(p, dlt, frame, caplen);
}

int ug_capture_read(const char *path, ug_cap_fn fn, void *ctx, char *err, size_t err_cap)
{
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    pcap_t *pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, ebuf);
    if (!pc) {
        snprintf(err, err_cap, "%s", ebuf);
        return -1;
    }
    int dlt = pcap_datalink(pc);
    switch (dlt) {
    case DLT_EN10MB: case DLT_LINUX_SLL: case DLT_LINUX_SLL2: case DLT_NULL: case DLT_LOOP:
    case DLT_RAW: case DLT_IPV4: case DLT_IPV6:
        break;
    default: {
        const char *name = pcap_datalink_val_to_name(dlt);
        snprintf(err, err_cap, "unsupported link type %s (%d)", name ? name : "?", dlt);
        pcap_close(pc);
        return -1;
    }
    }
    struct pcap_pkthdr *h;
    const u_char *data;
    unsigned long frame = 0;
    int rc;
    while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
        ug_cap_pkt p;
        memset(&p, 0, sizeof p);
        p.frame = ++frame;
        p.ts_sec = h->ts.tv_sec;
        p.ts_nsec = (uint32_t)h->ts.tv_usec; /* nanoseconds: opened with NANO precision */
        p.truncated = h->caplen < h->len;
        link_layer(&p, dlt, data, h->caplen);
        fn(ctx, &p);
    }
    int ret = 0;
    if (rc == PCAP_ERROR) {
        snprintf(err, err_cap, "%s", pcap_geterr(pc));
        ret = -1;
    }
    pcap_close(pc);
    return ret;
}
