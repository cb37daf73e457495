/* opc.eth transport (transports/eth/eth.c) on a veth pair ea/eb in a private
 * network namespace: VLAN tag written and recovered, EtherType / MAC / VID
 * filtering in the kernel, memberships, MTU, and the error without
 * CAP_NET_RAW. Needs root (skips otherwise); runs on both loop backends. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "transports/tr_test.h"
#include "uagate/transport.h"

#define GROUP "01-00-5e-7f-12-34"
static const uint8_t group_mac[6] = {0x01, 0x00, 0x5e, 0x7f, 0x12, 0x34};

struct rx {
    int connected, closed;
    uint64_t got, kernel_ts;
    ug_transport_addr from;
    uint8_t last[2048];
    int32_t last_len;
};

static void on_recv(void *ctx, ug_transport *t, const ug_transport_msg *m)
{
    (void)t;
    struct rx *r = ctx;
    r->got++;
    r->kernel_ts += m->rx_time_kernel;
    r->from = *m->from;
    r->last_len = m->data.len;
    memcpy(r->last, m->data.data, (size_t)m->data.len);
}

static void on_state(void *ctx, ug_transport *t, enum ug_transport_state s, ug_status st)
{
    (void)t;
    (void)st;
    if (s == UG_TRANSPORT_CONNECTED)
        ((struct rx *)ctx)->connected++;
}

static void on_closed(void *ctx, ug_transport *t)
{
    (void)t;
    ((struct rx *)ctx)->closed++;
}

static ug_transport *open_ok(ug_loop *loop, const char *url, ug_transport_opts *o, struct rx *r)
{
    char err[200] = "";
    o->errbuf = err;
    o->errbuf_cap = sizeof err;
    ug_transport_cbs c = {.ctx = r, .on_recv = on_recv, .on_state = on_state,
                          .on_closed = on_closed};
    ug_transport *t = NULL;
    ug_status st = ug_transport_open(loop, url, o, &c, &t);
    if (st != UG_STATUS_GOOD)
        fprintf(stderr, "open %s: %s: %s\n", url, ug_status_name(st), err);
    CU_ASSERT_EQUAL_FATAL(st, UG_STATUS_GOOD);
    o->errbuf = NULL;
    return t;
}

static void close_one(ug_loop *loop, ug_transport *t, struct rx *r)
{
    ug_transport_close(t);
    uint64_t closed = 0;
    struct ug_timer tm;
    ug_timer_init(&tm, tr_wake, NULL);
    ug_timer_start_cyclic(loop, &tm, 5000000, 0, UG_TIMER_CURRENT_TIME);
    for (int i = 0; i < 200 && r->closed == 0; i++)
        ug_loop_run_once(loop, true);
    ug_timer_stop(loop, &tm);
    (void)closed;
    CU_ASSERT_EQUAL(r->closed, 1);
}

static void mac_of(const char *ifname, uint8_t mac[6])
{
    struct ifreq ifr = {0};
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname);
    CU_ASSERT(ioctl(s, SIOCGIFHWADDR, &ifr) == 0);
    memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
    close(s);
}

/* Sends a raw frame on ifname (the test's own AF_PACKET socket). */
static void raw_send(const char *ifname, const uint8_t dst[6], uint16_t type, int vid)
{
    int s = socket(AF_PACKET, SOCK_RAW, 0);
    CU_ASSERT_FATAL(s >= 0);
    uint8_t f[64] = {0};
    size_t n = 0;
    memcpy(f, dst, 6);
    mac_of(ifname, f + 6);
    n = 12;
    if (vid >= 0) {
        f[n++] = 0x81;
        f[n++] = 0x00;
        f[n++] = (uint8_t)(vid >> 8);
        f[n++] = (uint8_t)vid;
    }
    f[n++] = (uint8_t)(type >> 8);
    f[n++] = (uint8_t)type;
    memcpy(f + n, "raw", 3);
    struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_ifindex = (int)if_nametoindex(ifname),
                              .sll_halen = 6};
    memcpy(sll.sll_addr, dst, 6);
    CU_ASSERT(sendto(s, f, 60, 0, (struct sockaddr *)&sll, sizeof sll) == 60);
    close(s);
}

static bool text_in(const char *cmd, const char *needle)
{
    FILE *f = popen(cmd, "r");
    char buf[4096];
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f)
        pclose(f);
    buf[n] = '\0';
    return strstr(buf, needle) != NULL;
}

/* ---------------------------------------------------------------- tests */

static void test_vlan_roundtrip(void)
{
    ug_loop *loop = tr_new_loop();
    struct rx rr = {0}, sr = {0}, sr2 = {0};
    ug_transport_opts ro = {.mode = UG_TRANSPORT_RECV, .interface = "eb", .rx_timestamps = true};
    ug_transport_opts so = {.mode = UG_TRANSPORT_SEND, .interface = "ea", .priority = 5};
    ug_transport *r = open_ok(loop, "opc.eth://" GROUP, &ro, &rr);
    ug_transport *s = open_ok(loop, "opc.eth://" GROUP ":100.5", &so, &sr);
    CU_ASSERT(text_in("cat /proc/net/dev_mcast", "01005e7f1234"));
    tr_run_until(loop, NULL, 0, 5);
    CU_ASSERT_EQUAL(rr.connected, 1);

    uint8_t payload[1500];
    for (size_t i = 0; i < sizeof payload; i++)
        payload[i] = (uint8_t)i;
    CU_ASSERT_EQUAL(ug_transport_send(s, (ug_bytes){payload, 20}, 0), UG_STATUS_GOOD);
    tr_run_until(loop, &rr.got, 1, 2000);
    CU_ASSERT_EQUAL_FATAL(rr.got, 1);
    CU_ASSERT_EQUAL(rr.last_len, 20);
    CU_ASSERT(memcmp(rr.last, payload, 20) == 0);
    CU_ASSERT(rr.from.u.eth.tagged);
    CU_ASSERT_EQUAL(rr.from.u.eth.vid, 100);
    CU_ASSERT_EQUAL(rr.from.u.eth.pcp, 5);
    CU_ASSERT_EQUAL(rr.from.u.eth.dei, 0);
    CU_ASSERT(memcmp(rr.from.u.eth.dst, group_mac, 6) == 0);
    uint8_t ea_mac[6];
    mac_of("ea", ea_mac);
    CU_ASSERT(memcmp(rr.from.u.eth.src, ea_mac, 6) == 0);
    CU_ASSERT_EQUAL(rr.kernel_ts, 1);

    /* A full MTU payload with a tag: a 1518-byte frame (1522 with FCS). */
    CU_ASSERT_EQUAL(ug_transport_send(s, (ug_bytes){payload, 1500}, 0), UG_STATUS_GOOD);
    tr_run_until(loop, &rr.got, 2, 2000);
    CU_ASSERT_EQUAL(rr.got, 2);
    CU_ASSERT_EQUAL(rr.last_len, 1500);
    CU_ASSERT(memcmp(rr.last, payload, 1500) == 0);
    CU_ASSERT_EQUAL(ug_transport_send(s, (ug_bytes){payload, 1501}, 0),
                    UG_STATUS_BADENCODINGLIMITSEXCEEDED);

    /* Options override the URL tag; DEI travels. Untagged frames say so. */
    ug_transport_opts so2 = {.mode = UG_TRANSPORT_SEND, .interface = "ea", .eth.vlan = true,
                             .eth.vid = 7, .eth.pcp = 3, .eth.dei = true};
    ug_transport *s2 = open_ok(loop, "opc.eth://" GROUP ":100.5", &so2, &sr2);
    ug_transport_buf *b;
    CU_ASSERT_EQUAL_FATAL(ug_transport_buf_get(s2, &b), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(b->cap, 1500);
    memcpy(b->data, "zero-copy", 9);
    CU_ASSERT_EQUAL(ug_transport_buf_send(s2, b, 9, 0), UG_STATUS_GOOD);
    tr_run_until(loop, &rr.got, 3, 2000);
    CU_ASSERT_EQUAL(rr.got, 3);
    CU_ASSERT_EQUAL(rr.from.u.eth.vid, 7);
    CU_ASSERT_EQUAL(rr.from.u.eth.pcp, 3);
    CU_ASSERT_EQUAL(rr.from.u.eth.dei, 1);
    CU_ASSERT(rr.last_len == 9 && memcmp(rr.last, "zero-copy", 9) == 0);
    close_one(loop, s2, &sr2);

    struct rx sr3 = {0};
    ug_transport_opts so3 = {.mode = UG_TRANSPORT_SEND, .interface = "ea"};
    ug_transport *s3 = open_ok(loop, "opc.eth://" GROUP, &so3, &sr3);
    CU_ASSERT_EQUAL(ug_transport_send(s3, (ug_bytes){payload, 46}, 0), UG_STATUS_GOOD);
    tr_run_until(loop, &rr.got, 4, 2000);
    CU_ASSERT_EQUAL(rr.got, 4);
    CU_ASSERT(!rr.from.u.eth.tagged);
    CU_ASSERT_EQUAL(rr.last_len, 46);
    close_one(loop, s3, &sr3);

    close_one(loop, s, &sr);
    close_one(loop, r, &rr);
    /* membership dropped on close */
    CU_ASSERT(!text_in("cat /proc/net/dev_mcast", "01005e7f1234"));
    CU_ASSERT_EQUAL(ug_loop_close(loop, -1), UG_STATUS_GOOD);
}

static void test_filters(void)
{
    ug_loop *loop = tr_new_loop();
    struct rx rr = {0}, rv = {0};
    ug_transport_opts ro = {.mode = UG_TRANSPORT_RECV, .interface = "eb"};
    ug_transport *r = open_ok(loop, "opc.eth://" GROUP, &ro, &rr);
    ug_transport_opts vo = {.mode = UG_TRANSPORT_RECV, .interface = "eb", .eth.rx_vid_filter = true};
    ug_transport *rvid = open_ok(loop, "opc.eth://" GROUP ":100", &vo, &rv);
    static const uint8_t other_mac[6] = {0x01, 0x00, 0x5e, 0x7f, 0x12, 0x35};
    raw_send("ea", group_mac, 0x88B5, -1);      /* other EtherType */
    raw_send("ea", group_mac, 0x88B5, 100);     /* other EtherType, tagged */
    raw_send("ea", other_mac, UG_ETHERTYPE_UADP, -1); /* other destination */
    raw_send("ea", other_mac, UG_ETHERTYPE_UADP, 100);
    tr_run_until(loop, NULL, 0, 100);
    CU_ASSERT_EQUAL(rr.got, 0);
    CU_ASSERT_EQUAL(rv.got, 0);
    raw_send("ea", group_mac, UG_ETHERTYPE_UADP, 200); /* VID 200: not for rvid */
    tr_run_until(loop, &rr.got, 1, 2000);
    tr_run_until(loop, NULL, 0, 50);
    CU_ASSERT_EQUAL(rr.got, 1);
    CU_ASSERT_EQUAL(rr.from.u.eth.vid, 200);
    CU_ASSERT_EQUAL(rv.got, 0);
    raw_send("ea", group_mac, UG_ETHERTYPE_UADP, 100);
    raw_send("ea", group_mac, UG_ETHERTYPE_UADP, -1); /* untagged: not for rvid */
    tr_run_until(loop, &rr.got, 3, 2000);
    tr_run_until(loop, NULL, 0, 50);
    CU_ASSERT_EQUAL(rr.got, 3);
    CU_ASSERT_EQUAL(rv.got, 1);
    CU_ASSERT_EQUAL(rv.from.u.eth.vid, 100);
    CU_ASSERT_EQUAL(rv.last_len, 60 - 18); /* 60 bytes on the wire, tag included */
    close_one(loop, r, &rr);
    close_one(loop, rvid, &rv);
    CU_ASSERT_EQUAL(ug_loop_close(loop, -1), UG_STATUS_GOOD);
}

static void test_promisc_and_validate(void)
{
    ug_loop *loop = tr_new_loop();
    struct rx rr = {0};
    ug_transport_opts po = {.mode = UG_TRANSPORT_RECV, .interface = "eb", .eth.promiscuous = true};
    ug_transport *r = open_ok(loop, "opc.eth://02-00-00-00-00-09", &po, &rr);
    /* PACKET_MR_PROMISC counts in dev->promiscuity, not in the PROMISC flag */
    CU_ASSERT(text_in("ip -d link show eb", "promiscuity 1 "));
    close_one(loop, r, &rr);
    CU_ASSERT(text_in("ip -d link show eb", "promiscuity 0 "));

    char err[200] = "";
    ug_transport_opts v = {.validate_only = true, .interface = "eb", .max_msg = 1500,
                           .errbuf = err, .errbuf_cap = sizeof err};
    ug_transport *t = NULL;
    CU_ASSERT_EQUAL(ug_transport_open(NULL, "opc.eth://" GROUP ":100.5", &v, NULL, &t),
                    UG_STATUS_GOOD);
    v.max_msg = 1501;
    CU_ASSERT_EQUAL(ug_transport_open(NULL, "opc.eth://" GROUP ":100.5", &v, NULL, &t),
                    UG_STATUS_BADINVALIDARGUMENT);
    CU_ASSERT(strstr(err, "MTU") != NULL);
    CU_ASSERT_PTR_NULL(t);
    CU_ASSERT_EQUAL(ug_loop_close(loop, -1), UG_STATUS_GOOD);
}

/* Without CAP_NET_RAW: BadUserAccessDenied and a message naming it; the
 * validate-only mode still works. */
static void test_no_cap_net_raw(void)
{
    pid_t pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        if (setgid(65534) != 0 || setuid(65534) != 0)
            _exit(10);
        ug_loop *loop = NULL;
        struct ug_loop_options lo;
        ug_loop_options_init(&lo);
        lo.backend = UG_LOOP_BACKEND_EPOLL;
        if (ug_loop_new(&lo, &loop) != UG_STATUS_GOOD)
            _exit(11);
        char err[200] = "";
        ug_transport_opts o = {.interface = "eb", .errbuf = err, .errbuf_cap = sizeof err};
        struct rx rr = {0};
        ug_transport_cbs c = {.ctx = &rr, .on_recv = on_recv};
        ug_transport *t = NULL;
        ug_status st = ug_transport_open(loop, "opc.eth://" GROUP, &o, &c, &t);
        if (st != UG_STATUS_BADUSERACCESSDENIED || t || !strstr(err, "CAP_NET_RAW"))
            _exit(12);
        o.validate_only = true;
        if (ug_transport_open(loop, "opc.eth://" GROUP, &o, &c, &t) != UG_STATUS_GOOD)
            _exit(13);
        ug_loop_close(loop, -1);
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CU_ASSERT(WIFEXITED(status));
    if (WEXITSTATUS(status) != 0)
        fprintf(stderr, "child exit %d\n", WEXITSTATUS(status));
    CU_ASSERT_EQUAL(WEXITSTATUS(status), 0);
}

TR_BOTH(test_vlan_roundtrip)
TR_BOTH(test_filters)
TR_BOTH(test_promisc_and_validate)

int main(void)
{
    if (geteuid() != 0) {
        fprintf(stderr, "test_eth: needs root (AF_PACKET, a private netns): skipped\n");
        return 77;
    }
    if (unshare(CLONE_NEWNET) != 0) {
        fprintf(stderr, "test_eth: unshare(CLONE_NEWNET): %s: skipped\n", strerror(errno));
        return 77;
    }
    /* Our own namespace: the pair disappears with the process. */
    if (system("ip link add ea type veth peer name eb && ip link set ea up && "
               "ip link set eb up") != 0) {
        fprintf(stderr, "test_eth: cannot create a veth pair: skipped\n");
        return 77;
    }
    ug_loop *probe = NULL;
    struct ug_loop_options lo;
    ug_loop_options_init(&lo);
    lo.backend = UG_LOOP_BACKEND_IO_URING;
    bool uring = ug_loop_new(&lo, &probe) == UG_STATUS_GOOD;
    ug_loop_close(probe, -1);
    CU_TestInfo all[] = {
        {"vlan round trip [io_uring]", test_vlan_roundtrip_uring},
        {"kernel filters [io_uring]", test_filters_uring},
        {"promiscuous, validate [io_uring]", test_promisc_and_validate_uring},
        {"vlan round trip [epoll]", test_vlan_roundtrip_epoll},
        {"kernel filters [epoll]", test_filters_epoll},
        {"promiscuous, validate [epoll]", test_promisc_and_validate_epoll},
        {"no CAP_NET_RAW", test_no_cap_net_raw},
        CU_TEST_INFO_NULL,
    };
    if (!uring)
        fprintf(stderr, "io_uring refused: running the epoll backend only\n");
    return ug_test_main("eth transport", uring ? all : all + 3);
}
