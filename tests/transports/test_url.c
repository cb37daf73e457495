/* Transport URLs (transports/common/url.c) and option checks through the
 * validate-only open (transports/common/transport.c, udp/udp.c, eth/eth.c). */
#include <string.h>

#include "harness.h"
#include "uagate/transport.h"

struct url_case {
    const char *url;
    ug_status st;
    enum ug_transport_kind kind;
    const char *host;
    uint16_t port;
    const char *mac; /* "010203040506" hex */
    int vid;         /* -1: none */
    int pcp;         /* -1: none */
};

static const struct url_case url_cases[] = {
    {"opc.udp://239.0.0.1:4840", 0, UG_TRANSPORT_UDP, "239.0.0.1", 4840, NULL, -1, -1},
    {"opc.udp://239.0.0.1", 0, UG_TRANSPORT_UDP, "239.0.0.1", 4840, NULL, -1, -1},
    {"OPC.UDP://224.0.0.22:1/", 0, UG_TRANSPORT_UDP, "224.0.0.22", 1, NULL, -1, -1},
    {"opc.udp://localhost:65535", 0, UG_TRANSPORT_UDP, "localhost", 65535, NULL, -1, -1},
    {"opc.udp://[ff02::1]:4841", 0, UG_TRANSPORT_UDP, "ff02::1", 4841, NULL, -1, -1},
    {"opc.udp://[::1]", 0, UG_TRANSPORT_UDP, "::1", 4840, NULL, -1, -1},
    {"opc.udp://[fe80::1%veth0]:5000", 0, UG_TRANSPORT_UDP, "fe80::1%veth0", 5000, NULL, -1, -1},
    {"opc.udp://[::ffff:10.0.0.1]:7", 0, UG_TRANSPORT_UDP, "::ffff:10.0.0.1", 7, NULL, -1, -1},
    {"opc.eth://01-00-5e-00-00-01", 0, UG_TRANSPORT_ETH, NULL, 0, "01005e000001", -1, -1},
    {"opc.eth://01:00:5E:7f:00:FF:100", 0, UG_TRANSPORT_ETH, NULL, 0, "01005e7f00ff", 100, -1},
    {"opc.eth://01-00-5e-00-00-01:100.5", 0, UG_TRANSPORT_ETH, NULL, 0, "01005e000001", 100, 5},
    {"opc.eth://ff-ff-ff-ff-ff-ff:4094.7/", 0, UG_TRANSPORT_ETH, NULL, 0, "ffffffffffff", 4094, 7},
    {"opc.eth://02-00-00-00-00-01:1.0", 0, UG_TRANSPORT_ETH, NULL, 0, "020000000001", 1, 0},
    /* amqp and mqtt share the host[:port] parser, without IPv6 zones */
    {"amqp://broker:5673/queue/q", 0, UG_TRANSPORT_AMQP, "broker", 5673, NULL, -1, -1},
    {"amqps://[::1]/topic/k", 0, UG_TRANSPORT_AMQP, "::1", UG_AMQPS_DEFAULT_PORT, NULL, -1, -1},
    {"mqtt://10.0.0.1/t", 0, UG_TRANSPORT_MQTT, "10.0.0.1", UG_MQTT_DEFAULT_PORT, NULL, -1, -1},
    {"mqtts://[::1]:8884/a%23", 0, UG_TRANSPORT_MQTT, "::1", 8884, NULL, -1, -1},
    /* errors */
    {"amqp://[fe80::1%eth0]/q", UG_STATUS_BADTCPENDPOINTURLINVALID, 0, NULL, 0, NULL, -1, -1},
    {"amqp://:5672/q", UG_STATUS_BADTCPENDPOINTURLINVALID, 0, NULL, 0, NULL, -1, -1},
    {"mqtt://host:0/t", UG_STATUS_BADTCPENDPOINTURLINVALID, 0, NULL, 0, NULL, -1, -1},
    {"mqtt://[::1/t", UG_STATUS_BADTCPENDPOINTURLINVALID, 0, NULL, 0, NULL, -1, -1},
    {"mqtt://ho st/t", UG_STATUS_BADTCPENDPOINTURLINVALID, 0, NULL, 0, NULL, -1, -1},
    {"opc.tcp://host:4840", UG_STATUS_BADTCPENDPOINTURLINVALID, 0, NULL, 0, NULL, -1, -1},
    {"opc.udp:/239.0.0.1", UG_STATUS_BADTCPENDPOINTURLINVALID, 0, NULL, 0, NULL, -1, -1},
    {"", UG_STATUS_BADTCPENDPOINTURLINVALID, 0, NULL, 0, NULL, -1, -1},
    {"opc.udp://", UG_STATUS_BADTCPENDPOINTURLINVALID, 0, NULL, 0, NULL, -1, -1},
    {"opc.udp://:4840", UG_STATUS_BADTCPENDPOINTURLINVALID, 0, NULL, 0, NULL, -1, -1},
    {"opc.udp://239.0.0.1:0", UG_STATUS_BADTCPENDPOINTURLINVALID, 0, NULL, 0, NULL, -1, -1},
    {"opc.udp://239.0.0.1:65536", UG_STATUS_BADTCPENDPOINTURLINVALID, 0, NULL, 0, NULL, -1, -1},
    {"opc.udp://239.0.0.1:123456", UG_STATUS_BADTCPENDPOINTURLINVALID, 0, NULL, 0, NULL, -1, -1},
    {"opc.udp://239.0.0.1:", UG_STATUS_BADTCPENDPOINTURLINVALID, 0, NULL, 0, NULL, -1, -1},
    {"opc.udp://239.0.0.1:48x", UG_STATUS_BADTCPENDPOINTURLINVALID, 0, NULL, 0, NULL, -1, -1},
    {"opc.udp://239.0.0.1:-1", UG_STATUS_BADTCPENDPOINTURLINVALID, 0, NULL, 0, NULL, -1, -1},
    {"opc.udp://239.0.0.1/path", UG_STATUS_BADTCPENDPOINTURLINVALID, 0, NULL, 0, NULL, -1, -1},
    {"opc.udp://ho st", UG_STATUS_BADTCPENDPOINTURLINVALID, 0, NULL, 0, NULL, -1, -1},
    {"opc.udp://[ff02::1", UG_STATUS_BADTCPENDPOINTURLINVALID, 0, NULL, 0, NULL, -1, -1},
    {"opc.udp://[]:4840", UG_STATUS_BADTCPENDPOINTURLINVALID, 0, NULL, 0, NULL, -1, -1},
    {"opc.udp://[ff02::g]", UG_STATUS_BADTCPENDPOINTURLINVALID, 0, NULL, 0, NULL, -1, -1},
    {"opc.udp://[fe80::1%]", UG_STATUS_BADTCPENDPOINTURLINVALID, 0, NULL, 0, NULL, -1, -1},
    {"opc.udp://[::1]x", UG_STATUS_BADTCPENDPOINTURLINVALID, 0, NULL, 0, NULL, -1, -1},
    {"opc.eth://", UG_STATUS_BADTCPENDPOINTURLINVALID, 0, NULL, 0, NULL, -1, -1},
    {"opc.eth://01-00-5e-00-00", UG_STATUS_BADTCPENDPOINTURLINVALID, 0, NULL, 0, NULL, -1, -1},
    {"opc.eth://01-00-5e-00-00-0", UG_STATUS_BADTCPENDPOINTURLINVALID, 0, NULL, 0, NULL, -1, -1},
    {"opc.eth://01-00-5e-00-00-0g", UG_STATUS_BADTCPENDPOINTURLINVALID, 0, NULL, 0, NULL, -1, -1},
    {"opc.eth://01-00:5e-00-00-01", UG_STATUS_BADTCPENDPOINTURLINVALID, 0, NULL, 0, NULL, -1, -1},
    {"opc.eth://01.00.5e.00.00.01", UG_STATUS_BADTCPENDPOINTURLINVALID, 0, NULL, 0, NULL, -1, -1},
    {"opc.eth://01-00-5e-00-00-01:0", UG_STATUS_BADTCPENDPOINTURLINVALID, 0, NULL, 0, NULL, -1, -1},
    {"opc.eth://01-00-5e-00-00-01:4095", UG_STATUS_BADTCPENDPOINTURLINVALID, 0, NULL, 0, NULL, -1, -1},
    {"opc.eth://01-00-5e-00-00-01:10000", UG_STATUS_BADTCPENDPOINTURLINVALID, 0, NULL, 0, NULL, -1, -1},
    {"opc.eth://01-00-5e-00-00-01:", UG_STATUS_BADTCPENDPOINTURLINVALID, 0, NULL, 0, NULL, -1, -1},
    {"opc.eth://01-00-5e-00-00-01:100.8", UG_STATUS_BADTCPENDPOINTURLINVALID, 0, NULL, 0, NULL, -1, -1},
    {"opc.eth://01-00-5e-00-00-01:100.", UG_STATUS_BADTCPENDPOINTURLINVALID, 0, NULL, 0, NULL, -1, -1},
    {"opc.eth://01-00-5e-00-00-01:100.55", UG_STATUS_BADTCPENDPOINTURLINVALID, 0, NULL, 0, NULL, -1, -1},
    {"opc.eth://01-00-5e-00-00-01.5", UG_STATUS_BADTCPENDPOINTURLINVALID, 0, NULL, 0, NULL, -1, -1},
};

static void hex6(const char *s, uint8_t out[6])
{
    for (int i = 0; i < 6; i++) {
        unsigned v;
        sscanf(s + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
}

static void test_url_table(void)
{
    for (size_t i = 0; i < sizeof url_cases / sizeof url_cases[0]; i++) {
        const struct url_case *c = &url_cases[i];
        ug_transport_url u;
        char err[128] = "";
        ug_status st = ug_transport_url_parse(c->url, &u, err, sizeof err);
        if (st != c->st)
            fprintf(stderr, "case %zu \"%s\": got 0x%08x (%s)\n", i, c->url, st, err);
        CU_ASSERT_EQUAL(st, c->st);
        if (c->st != UG_STATUS_GOOD) {
            CU_ASSERT(err[0] != '\0'); /* every error says why */
            continue;
        }
        CU_ASSERT_EQUAL(u.kind, c->kind);
        if (c->host) {
            CU_ASSERT_STRING_EQUAL(u.host, c->host);
            CU_ASSERT_EQUAL(u.port, c->port);
        }
        if (c->mac) {
            uint8_t mac[6];
            hex6(c->mac, mac);
            CU_ASSERT(memcmp(u.mac, mac, 6) == 0);
            CU_ASSERT_EQUAL(u.has_vid, c->vid >= 0);
            CU_ASSERT_EQUAL(u.has_pcp, c->pcp >= 0);
            if (c->vid >= 0)
                CU_ASSERT_EQUAL(u.vid, c->vid);
            if (c->pcp >= 0)
                CU_ASSERT_EQUAL(u.pcp, c->pcp);
        }
    }
}

static void test_url_args(void)
{
    ug_transport_url u;
    char err[64];
    CU_ASSERT_EQUAL(ug_transport_url_parse(NULL, &u, err, sizeof err), UG_STATUS_BADINVALIDARGUMENT);
    CU_ASSERT_EQUAL(ug_transport_url_parse("opc.udp://a", NULL, NULL, 0),
                    UG_STATUS_BADINVALIDARGUMENT);
    /* A NULL error buffer is allowed; a tiny one is cut, not overrun. */
    CU_ASSERT_EQUAL(ug_transport_url_parse("x", &u, NULL, 0), UG_STATUS_BADTCPENDPOINTURLINVALID);
    char tiny[4] = "zzz";
    CU_ASSERT_EQUAL(ug_transport_url_parse("x", &u, tiny, 2), UG_STATUS_BADTCPENDPOINTURLINVALID);
    CU_ASSERT_EQUAL(tiny[1], '\0');
    CU_ASSERT_EQUAL(tiny[2], 'z');
    /* Host longer than the URL struct keeps. */
    char big[400] = "opc.udp://";
    memset(big + 10, 'a', 300);
    big[310] = '\0';
    CU_ASSERT_EQUAL(ug_transport_url_parse(big, &u, err, sizeof err),
                    UG_STATUS_BADTCPENDPOINTURLINVALID);
    /* The input is read only up to its terminator. */
    static const char s[] = "opc.eth://01-00-5e-00-00-01:100.5";
    uint8_t *g = ug_test_guard(s, sizeof s);
    CU_ASSERT_EQUAL(ug_transport_url_parse((const char *)g, &u, err, sizeof err), UG_STATUS_GOOD);
    ug_test_guard_free(g);
}

/* validate-only: option checks without a loop or a socket. */
struct opt_case {
    const char *name;
    const char *url;
    const char *ifname;
    void (*set)(ug_transport_opts *o);
    ug_status st;
};

static void o_none(ug_transport_opts *o) { (void)o; }
static void o_mode(ug_transport_opts *o) { o->mode = 4; }
static void o_prio_neg(ug_transport_opts *o) { o->priority = -1; }
static void o_prio_big(ug_transport_opts *o) { o->priority = 16; }
static void o_sendbufs(ug_transport_opts *o) { o->send_bufs = 1025; }
static void o_recvbufs(ug_transport_opts *o) { o->recv_bufs = 48; }
static void o_recvbufs_big(ug_transport_opts *o) { o->recv_bufs = 65536; }
static void o_rcvbuf(ug_transport_opts *o) { o->rcvbuf = 0x80000000u; }
static void o_ttl_neg(ug_transport_opts *o) { o->udp.ttl = -1; }
static void o_ttl_big(ug_transport_opts *o) { o->udp.ttl = 256; }
static void o_ttl_ok(ug_transport_opts *o) { o->udp.ttl = 255; o->udp.dscp = 46; o->priority = 6; }
static void o_dscp(ug_transport_opts *o) { o->udp.dscp = 64; }
static void o_loop(ug_transport_opts *o) { o->udp.loopback = (enum ug_tristate)3; }
static void o_eth_on_udp(ug_transport_opts *o) { o->eth.vlan = true; }
static void o_prom_on_udp(ug_transport_opts *o) { o->eth.promiscuous = true; }
static void o_max4(ug_transport_opts *o) { o->max_msg = 65508; }
static void o_max4_ok(ug_transport_opts *o) { o->max_msg = 65507; }
static void o_max6_ok(ug_transport_opts *o) { o->max_msg = 65527; }
static void o_max6(ug_transport_opts *o) { o->max_msg = 65528; }
static void o_udp_on_eth(ug_transport_opts *o) { o->udp.ttl = 4; }
static void o_reuse_on_eth(ug_transport_opts *o) { o->udp.reuse = true; }
static void o_vid(ug_transport_opts *o) { o->eth.vlan = true; o->eth.vid = 4095; }
static void o_pcp(ug_transport_opts *o) { o->eth.vlan = true; o->eth.vid = 1; o->eth.pcp = 8; }
static void o_dei(ug_transport_opts *o) { o->eth.dei = true; }
static void o_vidfilter(ug_transport_opts *o) { o->eth.rx_vid_filter = true; }
static void o_vidfilter0(ug_transport_opts *o)
{
    o->eth.rx_vid_filter = true;
    o->eth.vlan = true;
    o->eth.vid = 0;
}

static const struct opt_case opt_cases[] = {
    {"defaults v4", "opc.udp://239.0.0.1:4840", NULL, o_none, UG_STATUS_GOOD},
    {"defaults v6", "opc.udp://[ff15::1]:4840", NULL, o_none, UG_STATUS_GOOD},
    {"on lo", "opc.udp://224.0.0.1", "lo", o_none, UG_STATUS_GOOD},
    {"link scope v6 on lo", "opc.udp://[ff02::1]", "lo", o_none, UG_STATUS_GOOD},
    {"link scope v6 without interface", "opc.udp://[ff02::1]", NULL, o_none,
     UG_STATUS_BADINVALIDARGUMENT},
    {"bad url", "opc.udp://", NULL, o_none, UG_STATUS_BADTCPENDPOINTURLINVALID},
    {"no such host", "opc.udp://no-such-host.invalid", NULL, o_none, UG_STATUS_BADNOTFOUND},
    {"no such interface", "opc.udp://224.0.0.1", "nosuchif0", o_none, UG_STATUS_BADNOTFOUND},
    {"interface name too long", "opc.udp://224.0.0.1", "abcdefghijklmnopq", o_none,
     UG_STATUS_BADINVALIDARGUMENT},
    {"mode bits", "opc.udp://224.0.0.1", NULL, o_mode, UG_STATUS_BADINVALIDARGUMENT},
    {"priority < 0", "opc.udp://224.0.0.1", NULL, o_prio_neg, UG_STATUS_BADINVALIDARGUMENT},
    {"priority > 15", "opc.udp://224.0.0.1", NULL, o_prio_big, UG_STATUS_BADINVALIDARGUMENT},
    {"send_bufs", "opc.udp://224.0.0.1", NULL, o_sendbufs, UG_STATUS_BADINVALIDARGUMENT},
    {"recv_bufs not 2^n", "opc.udp://224.0.0.1", NULL, o_recvbufs, UG_STATUS_BADINVALIDARGUMENT},
    {"recv_bufs too many", "opc.udp://224.0.0.1", NULL, o_recvbufs_big,
     UG_STATUS_BADINVALIDARGUMENT},
    {"rcvbuf", "opc.udp://224.0.0.1", NULL, o_rcvbuf, UG_STATUS_BADINVALIDARGUMENT},
    {"ttl < 0", "opc.udp://224.0.0.1", NULL, o_ttl_neg, UG_STATUS_BADINVALIDARGUMENT},
    {"ttl > 255", "opc.udp://224.0.0.1", NULL, o_ttl_big, UG_STATUS_BADINVALIDARGUMENT},
    {"ttl, dscp, priority in range", "opc.udp://224.0.0.1", NULL, o_ttl_ok, UG_STATUS_GOOD},
    {"dscp > 63", "opc.udp://224.0.0.1", NULL, o_dscp, UG_STATUS_BADINVALIDARGUMENT},
    {"loopback value", "opc.udp://224.0.0.1", NULL, o_loop, UG_STATUS_BADINVALIDARGUMENT},
    {"vlan on udp", "opc.udp://224.0.0.1", NULL, o_eth_on_udp, UG_STATUS_BADNOTSUPPORTED},
    {"promiscuous on udp", "opc.udp://224.0.0.1", NULL, o_prom_on_udp, UG_STATUS_BADNOTSUPPORTED},
    {"max_msg v4 limit", "opc.udp://224.0.0.1", NULL, o_max4_ok, UG_STATUS_GOOD},
    {"max_msg v4 over", "opc.udp://224.0.0.1", NULL, o_max4, UG_STATUS_BADINVALIDARGUMENT},
    {"max_msg v6 limit", "opc.udp://[::1]", NULL, o_max6_ok, UG_STATUS_GOOD},
    {"max_msg v6 over", "opc.udp://[::1]", NULL, o_max6, UG_STATUS_BADINVALIDARGUMENT},
    {"eth without interface", "opc.eth://01-00-5e-00-00-01", NULL, o_none,
     UG_STATUS_BADINVALIDARGUMENT},
    {"eth no such interface", "opc.eth://01-00-5e-00-00-01", "nosuchif0", o_none,
     UG_STATUS_BADNOTFOUND},
    {"ttl on eth", "opc.eth://01-00-5e-00-00-01", "lo", o_udp_on_eth, UG_STATUS_BADNOTSUPPORTED},
    {"reuse on eth", "opc.eth://01-00-5e-00-00-01", "lo", o_reuse_on_eth,
     UG_STATUS_BADNOTSUPPORTED},
    {"vid > 4094", "opc.eth://01-00-5e-00-00-01", "lo", o_vid, UG_STATUS_BADINVALIDARGUMENT},
    {"pcp > 7", "opc.eth://01-00-5e-00-00-01", "lo", o_pcp, UG_STATUS_BADINVALIDARGUMENT},
    {"dei without tag", "opc.eth://01-00-5e-00-00-01", "lo", o_dei, UG_STATUS_BADINVALIDARGUMENT},
    {"vid filter without vid", "opc.eth://01-00-5e-00-00-01", "lo", o_vidfilter,
     UG_STATUS_BADINVALIDARGUMENT},
    {"vid filter on priority tag", "opc.eth://01-00-5e-00-00-01", "lo", o_vidfilter0,
     UG_STATUS_BADINVALIDARGUMENT},
    {"loopback is not Ethernet", "opc.eth://01-00-5e-00-00-01:100.5", "lo", o_none,
     UG_STATUS_BADNOTSUPPORTED},
};

static void test_validate_table(void)
{
    for (size_t i = 0; i < sizeof opt_cases / sizeof opt_cases[0]; i++) {
        const struct opt_case *c = &opt_cases[i];
        char err[160] = "";
        ug_transport_opts o = {.validate_only = true, .interface = c->ifname,
                               .errbuf = err, .errbuf_cap = sizeof err};
        c->set(&o);
        ug_transport *t = (ug_transport *)&o; /* must be reset to NULL */
        ug_status st = ug_transport_open(NULL, c->url, &o, NULL, &t);
        if (st != c->st)
            fprintf(stderr, "case \"%s\": got %s (%s)\n", c->name,
                    ug_status_name(st) ? ug_status_name(st) : "?", err);
        CU_ASSERT_EQUAL(st, c->st);
        CU_ASSERT_PTR_NULL(t);
        if (c->st != UG_STATUS_GOOD)
            CU_ASSERT(err[0] != '\0');
    }
}

static void test_open_args(void)
{
    ug_transport *t = NULL;
    char err[100] = "";
    ug_transport_opts o = {.errbuf = err, .errbuf_cap = sizeof err};
    /* Not validate-only: a loop and an out pointer are required. */
    CU_ASSERT_EQUAL(ug_transport_open(NULL, "opc.udp://224.0.0.1", &o, NULL, &t),
                    UG_STATUS_BADINVALIDARGUMENT);
    CU_ASSERT_EQUAL(ug_transport_open(NULL, NULL, &o, NULL, &t), UG_STATUS_BADINVALIDARGUMENT);
    CU_ASSERT(err[0] != '\0');
    /* NULL handles are tolerated by the accessors and close. */
    CU_ASSERT_EQUAL(ug_transport_fd(NULL), -1);
    CU_ASSERT_EQUAL(ug_transport_kind_of(NULL), UG_TRANSPORT_NONE);
    CU_ASSERT_EQUAL(ug_transport_send(NULL, UG_NULL_BYTES, 0), UG_STATUS_BADINVALIDARGUMENT);
    ug_transport_buf *b = NULL;
    CU_ASSERT_EQUAL(ug_transport_buf_get(NULL, &b), UG_STATUS_BADINVALIDARGUMENT);
    ug_transport_close(NULL);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"url table", test_url_table},
        {"url arguments", test_url_args},
        {"validate-only options", test_validate_table},
        {"open arguments", test_open_args},
        CU_TEST_INFO_NULL,
    };
    return ug_test_main("transport url and options", tests);
}
