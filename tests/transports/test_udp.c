/* opc.udp transport (transports/udp/udp.c, transports/common/transport.c) on
 * loopback and, when root, on a veth pair in a private network namespace.
 * Every test runs on both loop backends (io_uring and epoll). */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "transports/tr_test.h"
#include "uagate/transport.h"

#ifndef SO_TXTIME
#define SO_TXTIME 61
#endif

static bool g_netns;   /* we run in our own network namespace (root) */
static bool g_lo_mcast; /* multicast works on lo */
static bool g_veth;    /* veth pair va (10.9.0.1) / vb (10.9.0.2) exists */
static bool g_v6;      /* ::1 usable */

/* ---------------------------------------------------------------- helpers */

struct rx {
    int connected, errors, closed;
    uint64_t got, bytes, kernel_ts, truncated;
    uint8_t last[2048];
    int32_t last_len;
    ug_transport_addr from;
    int64_t last_rx_ns;
    bool close_in_cb; /* close the transport from inside on_recv */
    uint64_t stop_at; /* set *done when got reaches it */
};

static void on_recv(void *ctx, ug_transport *t, const ug_transport_msg *m)
{
    struct rx *r = ctx;
    r->got++;
    r->bytes += (uint64_t)m->data.len;
    r->kernel_ts += m->rx_time_kernel;
    r->truncated += m->truncated;
    r->last_len = m->data.len;
    memcpy(r->last, m->data.data, (size_t)m->data.len < sizeof r->last ? (size_t)m->data.len
                                                                        : sizeof r->last);
    r->from = *m->from;
    r->last_rx_ns = m->rx_time_ns;
    if (r->close_in_cb)
        ug_transport_close(t);
}

static void on_state(void *ctx, ug_transport *t, enum ug_transport_state s, ug_status st)
{
    (void)t;
    (void)st;
    struct rx *r = ctx;
    if (s == UG_TRANSPORT_CONNECTED)
        r->connected++;
    else
        r->errors++;
}

static void on_closed(void *ctx, ug_transport *t)
{
    (void)t;
    ((struct rx *)ctx)->closed++;
}

static ug_transport_cbs cbs_for(struct rx *r)
{
    return (ug_transport_cbs){.ctx = r, .on_recv = on_recv, .on_state = on_state,
                              .on_closed = on_closed};
}

static void run_ms(ug_loop *loop, int64_t ms)
{
    tr_run_until(loop, NULL, 0, ms);
}

static void run_until_int(ug_loop *loop, const int *counter, int want, int64_t timeout_ms)
{
    struct ug_timer tm;
    ug_timer_init(&tm, tr_wake, NULL);
    int64_t end = ug_clock_mono_ns() + timeout_ms * 1000000;
    ug_timer_start_cyclic(loop, &tm, 10000000, 0, UG_TIMER_CURRENT_TIME);
    while (*counter < want && ug_clock_mono_ns() < end)
        ug_loop_run_once(loop, true);
    ug_timer_stop(loop, &tm);
}

/* Opens, or fails the test with the reason printed. */
static ug_transport *open_ok(ug_loop *loop, const char *url, ug_transport_opts *o,
                             struct rx *r)
{
    char err[200] = "";
    o->errbuf = err;
    o->errbuf_cap = sizeof err;
    ug_transport_cbs c = cbs_for(r);
    ug_transport *t = NULL;
    ug_status st = ug_transport_open(loop, url, o, &c, &t);
    if (st != UG_STATUS_GOOD)
        fprintf(stderr, "open %s: %s: %s\n", url, ug_status_name(st), err);
    CU_ASSERT_EQUAL(st, UG_STATUS_GOOD);
    CU_ASSERT_PTR_NOT_NULL(t);
    o->errbuf = NULL;
    return t;
}

static void close_all(ug_loop *loop, ug_transport **ts, struct rx **rs, int n)
{
    for (int i = 0; i < n; i++)
        if (ts[i])
            ug_transport_close(ts[i]);
    for (int i = 0; i < n; i++) {
        if (!ts[i])
            continue;
        run_until_int(loop, &rs[i]->closed, 1, 2000);
        CU_ASSERT_EQUAL(rs[i]->closed, 1);
    }
    run_ms(loop, 5);
    for (int i = 0; i < n; i++)
        if (ts[i])
            CU_ASSERT_EQUAL(rs[i]->closed, 1); /* exactly once */
    CU_ASSERT_EQUAL(ug_loop_close(loop, -1), UG_STATUS_GOOD);
}

/* Is group (text) listed in /proc/net/igmp or igmp6 for ifname? */
static bool group_joined(const char *ifname, const char *group_hex)
{
    char line[256];
    bool found = false, in_if = false;
    FILE *f = fopen("/proc/net/igmp", "r");
    if (!f)
        return false;
    while (fgets(line, sizeof line, f)) {
        if (line[0] != '\t' && line[0] != ' ')
            in_if = strstr(line, ifname) != NULL;
        else if (in_if && strstr(line, group_hex))
            found = true;
    }
    fclose(f);
    return found;
}

static bool group6_joined(const char *ifname, const char *group_hex)
{
    char line[256];
    bool found = false;
    FILE *f = fopen("/proc/net/igmp6", "r");
    if (!f)
        return false;
    while (fgets(line, sizeof line, f))
        if (strstr(line, ifname) && strstr(line, group_hex))
            found = true;
    fclose(f);
    return found;
}

/* ---------------------------------------------------------------- tests */

/* Unicast both ways of sending, source address, kernel timestamps. */
static void unicast(const char *url, int family)
{
    ug_loop *loop = tr_new_loop();
    struct rx rr = {0}, sr = {0};
    ug_transport_opts ro = {.mode = UG_TRANSPORT_RECV, .rx_timestamps = true};
    ug_transport_opts so = {.mode = UG_TRANSPORT_SEND, .send_bufs = 2};
    ug_transport *r = open_ok(loop, url, &ro, &rr);
    ug_transport *s = open_ok(loop, url, &so, &sr);
    if (!r || !s)
        return;
    CU_ASSERT_EQUAL(ug_transport_kind_of(r), UG_TRANSPORT_UDP);
    CU_ASSERT(ug_transport_fd(r) >= 0);
    run_until_int(loop, &sr.connected, 1, 1000);
    CU_ASSERT_EQUAL(rr.connected, 1);
    CU_ASSERT_EQUAL(sr.connected, 1);

    const uint8_t msg[] = "uadp payload";
    for (int i = 0; i < 50; i++)
        CU_ASSERT_EQUAL(ug_transport_send(s, (ug_bytes){msg, sizeof msg}, 0), UG_STATUS_GOOD);
    for (int i = 0; i < 50; i++) {
        ug_transport_buf *b = NULL;
        CU_ASSERT_EQUAL_FATAL(ug_transport_buf_get(s, &b), UG_STATUS_GOOD);
        memset(b->data, 0xA5, 300);
        b->data[0] = (uint8_t)i;
        CU_ASSERT_EQUAL(ug_transport_buf_send(s, b, 300, 0), UG_STATUS_GOOD);
    }
    tr_run_until(loop, &rr.got, 100, 2000);
    CU_ASSERT_EQUAL(rr.got, 100);
    CU_ASSERT_EQUAL(rr.bytes, 50 * sizeof msg + 50 * 300);
    CU_ASSERT_EQUAL(rr.last_len, 300);
    CU_ASSERT_EQUAL(rr.last[0], 49);
    CU_ASSERT_EQUAL(rr.last[299], 0xA5);
    CU_ASSERT_EQUAL(rr.kernel_ts, 100);
    int64_t age = ug_clock_real_ns() - rr.last_rx_ns;
    CU_ASSERT(age >= 0 && age < 2000000000);
    CU_ASSERT_EQUAL(rr.from.kind, UG_TRANSPORT_UDP);
    CU_ASSERT_EQUAL(rr.from.u.ip.ss_family, family);
    CU_ASSERT_EQUAL(rr.errors, 0);
    ug_transport *ts[] = {r, s};
    struct rx *rs[] = {&rr, &sr};
    close_all(loop, ts, rs, 2);
}

static void test_unicast_v4(void)
{
    unicast("opc.udp://127.0.0.1:48401", AF_INET);
}

static void test_unicast_v6(void)
{
    if (!g_v6) {
        fprintf(stderr, "[skip: no ::1] ");
        return;
    }
    unicast("opc.udp://[::1]:48402", AF_INET6);
}

/* Multicast on lo: join on the named interface, receive, leave on close. */
static void multicast(const char *url, bool v6, const char *group_hex, const char *ifname)
{
    ug_loop *loop = tr_new_loop();
    struct rx r1 = {0}, r2 = {0}, sr = {0};
    ug_transport_opts ro = {.mode = UG_TRANSPORT_RECV, .interface = ifname, .udp.reuse = true};
    ug_transport_opts so = {.mode = UG_TRANSPORT_SEND, .interface = ifname, .udp.ttl = 1,
                            .udp.loopback = UG_ON};
    ug_transport *a = open_ok(loop, url, &ro, &r1);
    ug_transport *b = open_ok(loop, url, &ro, &r2); /* reuse: both get every datagram */
    ug_transport *s = open_ok(loop, url, &so, &sr);
    if (!a || !b || !s)
        return;
    CU_ASSERT_EQUAL(ug_transport_ifindex(a), if_nametoindex(ifname));
    CU_ASSERT(v6 ? group6_joined(ifname, group_hex) : group_joined(ifname, group_hex));
    for (int i = 0; i < 20; i++)
        CU_ASSERT_EQUAL(ug_transport_send(s, (ug_bytes){(const uint8_t *)"m", 1}, 0),
                        UG_STATUS_GOOD);
    tr_run_until(loop, &r2.got, 20, 2000);
    tr_run_until(loop, &r1.got, 20, 2000);
    CU_ASSERT_EQUAL(r1.got, 20);
    CU_ASSERT_EQUAL(r2.got, 20);
    ug_transport *ts[] = {a, b, s};
    struct rx *rs[] = {&r1, &r2, &sr};
    close_all(loop, ts, rs, 3);
    /* Left on close. */
    CU_ASSERT(!(v6 ? group6_joined(ifname, group_hex) : group_joined(ifname, group_hex)));
}

static void test_multicast_v4(void)
{
    /* /proc/net/igmp prints the group in host byte order hex: 239.1.2.3 -> 030201EF */
    if (!g_lo_mcast) {
        fprintf(stderr, "[skip: lo has no MULTICAST flag and we are not root] ");
        return;
    }
    multicast("opc.udp://239.1.2.3:48403", false, "030201EF", "lo");
}

static void test_multicast_v6(void)
{
    /* Linux does not deliver IPv6 multicast looped through lo; a veth end
     * loops our own datagrams back to a local member as a real NIC does. */
    if (!g_v6 || !g_veth) {
        fprintf(stderr, "[skip: needs root (private netns with veth) and IPv6] ");
        return;
    }
    multicast("opc.udp://[ff15::4:1]:48404", true, "ff150000000000000000000000040001", "va");
    multicast("opc.udp://[ff02::4:2]:48404", true, "ff020000000000000000000000040002", "va");
}

/* Socket options land on the socket. */
static void test_sockopts(void)
{
    ug_loop *loop = tr_new_loop();
    struct rx rr = {0};
    ug_transport_opts o = {.mode = UG_TRANSPORT_SEND | UG_TRANSPORT_RECV, .udp.reuse = true,
                           .interface = "lo",
                           .udp.dscp = 46, .udp.ttl = 7, .priority = 5, .rcvbuf = 1 << 20,
                           .sndbuf = 1 << 19, .udp.loopback = UG_OFF};
    if (geteuid() == 0)
        o.txtime = true;
    ug_transport *t = open_ok(loop, g_lo_mcast ? "opc.udp://239.1.2.4:48405"
                                               : "opc.udp://127.0.0.1:48405", &o, &rr);
    if (!t)
        return;
    int fd = ug_transport_fd(t), v = 0;
    socklen_t len = sizeof v;
    CU_ASSERT(getsockopt(fd, IPPROTO_IP, IP_TOS, &v, &len) == 0 && v == 46 << 2);
    len = sizeof v;
    CU_ASSERT(getsockopt(fd, SOL_SOCKET, SO_PRIORITY, &v, &len) == 0 && v == 5);
    len = sizeof v;
    CU_ASSERT(getsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &v, &len) == 0 && v == 1);
    len = sizeof v;
    CU_ASSERT(getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, &len) == 0 && v >= 1 << 20);
    if (g_lo_mcast) {
        len = sizeof v;
        CU_ASSERT(getsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &v, &len) == 0 && v == 7);
        len = sizeof v;
        CU_ASSERT(getsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &v, &len) == 0 && v == 0);
    } else {
        len = sizeof v;
        CU_ASSERT(getsockopt(fd, IPPROTO_IP, IP_TTL, &v, &len) == 0 && v == 7);
    }
    if (o.txtime) {
        struct {
            int32_t clockid;
            uint32_t flags;
        } tx = {0};
        len = sizeof tx;
        CU_ASSERT(getsockopt(fd, SOL_SOCKET, SO_TXTIME, &tx, &len) == 0 &&
                  tx.clockid == CLOCK_TAI);
        /* A launch time is accepted (no qdisc here honours it). */
        CU_ASSERT_EQUAL(ug_transport_send(t, (ug_bytes){(const uint8_t *)"x", 1},
                                          ug_clock_tai_ns() + 1000000),
                        UG_STATUS_GOOD);
    }
    ug_transport *ts[] = {t};
    struct rx *rs[] = {&rr};
    close_all(loop, ts, rs, 1);
}

/* Every send-side error path. */
static void test_send_errors(void)
{
    ug_loop *loop = tr_new_loop();
    struct rx rr = {0}, sr = {0};
    ug_transport_opts ro = {.mode = UG_TRANSPORT_RECV, .max_msg = 64};
    ug_transport_opts so = {.mode = UG_TRANSPORT_SEND, .send_bufs = 2, .max_msg = 100};
    ug_transport *r = open_ok(loop, "opc.udp://127.0.0.1:48406", &ro, &rr);
    ug_transport *s = open_ok(loop, "opc.udp://127.0.0.1:48406", &so, &sr);
    if (!r || !s)
        return;
    uint8_t big[101] = {0};
    ug_transport_buf *b1, *b2, *b3;
    CU_ASSERT_EQUAL(ug_transport_send(r, (ug_bytes){big, 1}, 0), UG_STATUS_BADINVALIDSTATE);
    CU_ASSERT_EQUAL(ug_transport_buf_get(r, &b1), UG_STATUS_BADINVALIDSTATE);
    CU_ASSERT_EQUAL(ug_transport_send(s, (ug_bytes){big, 101}, 0),
                    UG_STATUS_BADENCODINGLIMITSEXCEEDED);
    CU_ASSERT_EQUAL(ug_transport_send(s, (ug_bytes){NULL, 5}, 0), UG_STATUS_BADINVALIDARGUMENT);
    CU_ASSERT_EQUAL(ug_transport_send(s, UG_NULL_BYTES, 0), UG_STATUS_BADINVALIDARGUMENT);
    CU_ASSERT_EQUAL(ug_transport_send(s, (ug_bytes){big, 1}, 12345),
                    UG_STATUS_BADINVALIDSTATE); /* launch time without txtime */
    CU_ASSERT_EQUAL(ug_transport_send(s, (ug_bytes){big, 1}, -1), UG_STATUS_BADINVALIDARGUMENT);
    /* pool of two */
    CU_ASSERT_EQUAL(ug_transport_buf_get(s, &b1), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_transport_buf_get(s, &b2), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(b1->cap, 100);
    CU_ASSERT(b1 != b2);
    CU_ASSERT_EQUAL(ug_transport_buf_get(s, &b3), UG_STATUS_BADRESOURCEUNAVAILABLE);
    CU_ASSERT_PTR_NULL(b3);
    /* too long: refused, and the buffer is back in the pool */
    CU_ASSERT_EQUAL(ug_transport_buf_send(s, b1, 101, 0), UG_STATUS_BADINVALIDARGUMENT);
    CU_ASSERT_EQUAL(ug_transport_buf_get(s, &b3), UG_STATUS_GOOD);
    CU_ASSERT_PTR_EQUAL(b3, b1);
    ug_transport_buf foreign = {0};
    CU_ASSERT_EQUAL(ug_transport_buf_send(s, &foreign, 1, 0), UG_STATUS_BADINVALIDARGUMENT);
    ug_transport_buf_release(s, b2);
    memset(b3->data, 7, 100);
    /* a receiver with max_msg 64 sees the datagram cut and marked */
    CU_ASSERT_EQUAL(ug_transport_buf_send(s, b3, 100, 0), UG_STATUS_GOOD);
    tr_run_until(loop, &rr.got, 1, 2000);
    CU_ASSERT_EQUAL(rr.got, 1);
    CU_ASSERT_EQUAL(rr.truncated, 1);
    CU_ASSERT_EQUAL(rr.last_len, 64);
    /* after close: no more sends or buffers */
    ug_transport_close(s);
    CU_ASSERT_EQUAL(ug_transport_send(s, (ug_bytes){big, 1}, 0), UG_STATUS_BADINVALIDSTATE);
    CU_ASSERT_EQUAL(ug_transport_buf_get(s, &b1), UG_STATUS_BADINVALIDSTATE);
    ug_transport_close(s); /* second close: nothing */
    ug_transport *ts[] = {r, s};
    struct rx *rs[] = {&rr, &sr};
    close_all(loop, ts, rs, 2);
}

/* Open failures: no callback, no handle, a reason. */
static void test_open_errors(void)
{
    ug_loop *loop = tr_new_loop();
    struct rx rr = {0};
    ug_transport_cbs c = cbs_for(&rr);
    char err[200] = "";
    ug_transport_opts o = {.mode = UG_TRANSPORT_RECV, .errbuf = err, .errbuf_cap = sizeof err};
    ug_transport *t = NULL;
    /* 192.0.2.1 (TEST-NET-1) is not local: bind fails, nothing is sent. */
    CU_ASSERT_EQUAL(ug_transport_open(loop, "opc.udp://192.0.2.1:48407", &o, &c, &t),
                    UG_STATUS_BADCOMMUNICATIONERROR);
    CU_ASSERT_PTR_NULL(t);
    CU_ASSERT(strstr(err, "not a local address") != NULL);
    /* a receiver needs on_recv */
    ug_transport_cbs none = {0};
    CU_ASSERT_EQUAL(ug_transport_open(loop, "opc.udp://127.0.0.1:48407", &o, &none, &t),
                    UG_STATUS_BADINVALIDARGUMENT);
    CU_ASSERT_EQUAL(ug_transport_open(loop, "opc.udp://127.0.0.1:48407", &o, NULL, &t),
                    UG_STATUS_BADINVALIDARGUMENT);
    /* port taken without reuse */
    ug_transport_opts o1 = {.mode = UG_TRANSPORT_RECV};
    ug_transport *a = open_ok(loop, "opc.udp://127.0.0.1:48408", &o1, &rr);
    CU_ASSERT_EQUAL(ug_transport_open(loop, "opc.udp://127.0.0.1:48408", &o, &c, &t),
                    UG_STATUS_BADCOMMUNICATIONERROR);
    CU_ASSERT(strstr(err, "in use") != NULL);
    run_ms(loop, 5);
    CU_ASSERT_EQUAL(rr.connected, 1); /* only a's */
    if (geteuid() != 0) {
        ug_transport_opts p = {.mode = UG_TRANSPORT_SEND, .priority = 7, .errbuf = err,
                               .errbuf_cap = sizeof err};
        CU_ASSERT_EQUAL(ug_transport_open(loop, "opc.udp://127.0.0.1:48409", &p, &c, &t),
                        UG_STATUS_BADUSERACCESSDENIED);
    }
    ug_transport *ts[] = {a};
    struct rx *rs[] = {&rr};
    close_all(loop, ts, rs, 1);
}

/* Closing inside on_recv: no further callbacks, on_closed once. */
static void test_close_in_callback(void)
{
    ug_loop *loop = tr_new_loop();
    struct rx rr = {.close_in_cb = true}, sr = {0};
    ug_transport_opts ro = {.mode = UG_TRANSPORT_RECV};
    ug_transport_opts so = {.mode = UG_TRANSPORT_SEND};
    ug_transport *r = open_ok(loop, "opc.udp://127.0.0.1:48410", &ro, &rr);
    ug_transport *s = open_ok(loop, "opc.udp://127.0.0.1:48410", &so, &sr);
    if (!r || !s)
        return;
    for (int i = 0; i < 10; i++)
        ug_transport_send(s, (ug_bytes){(const uint8_t *)"abc", 3}, 0);
    run_until_int(loop, &rr.closed, 1, 2000);
    CU_ASSERT_EQUAL(rr.got, 1);
    CU_ASSERT_EQUAL(rr.closed, 1);
    run_ms(loop, 20);
    CU_ASSERT_EQUAL(rr.closed, 1);
    CU_ASSERT_EQUAL(rr.got, 1);
    ug_transport *ts[] = {s};
    struct rx *rs[] = {&sr};
    close_all(loop, ts, rs, 1);
}

/* Closing before the loop ran: CONNECTED never fires, on_closed does. */
static void test_close_at_once(void)
{
    ug_loop *loop = tr_new_loop();
    struct rx rr = {0};
    ug_transport_opts o = {0};
    ug_transport *t = open_ok(loop, "opc.udp://127.0.0.1:48411", &o, &rr);
    ug_transport_close(t);
    run_until_int(loop, &rr.closed, 1, 2000);
    CU_ASSERT_EQUAL(rr.connected, 0);
    CU_ASSERT_EQUAL(rr.closed, 1);
    CU_ASSERT_EQUAL(ug_loop_close(loop, -1), UG_STATUS_GOOD);
}

/* veth va/vb in our namespace: loopback off keeps our own datagrams away
 * from a local member; broadcast to 10.9.0.255 arrives. */
static void test_veth_loopback_and_broadcast(void)
{
    if (!g_veth) {
        fprintf(stderr, "[skip: needs root for a private netns with veth] ");
        return;
    }
    ug_loop *loop = tr_new_loop();
    struct rx r_on = {0}, s_on = {0}, s_off = {0}, rb = {0}, sb = {0};
    ug_transport_opts ro = {.mode = UG_TRANSPORT_RECV, .interface = "va", .udp.reuse = true};
    ug_transport *recv_a = open_ok(loop, "opc.udp://239.2.0.1:48412", &ro, &r_on);
    ug_transport_opts off = {.mode = UG_TRANSPORT_SEND, .interface = "va",
                             .udp.loopback = UG_OFF};
    ug_transport_opts on = {.mode = UG_TRANSPORT_SEND, .interface = "va", .udp.loopback = UG_ON};
    ug_transport *snd_off = open_ok(loop, "opc.udp://239.2.0.1:48412", &off, &s_off);
    ug_transport *snd_on = open_ok(loop, "opc.udp://239.2.0.1:48412", &on, &s_on);
    for (int i = 0; i < 5; i++)
        ug_transport_send(snd_off, (ug_bytes){(const uint8_t *)"off", 3}, 0);
    run_ms(loop, 100);
    CU_ASSERT_EQUAL(r_on.got, 0);
    for (int i = 0; i < 5; i++)
        ug_transport_send(snd_on, (ug_bytes){(const uint8_t *)"on", 2}, 0);
    tr_run_until(loop, &r_on.got, 5, 2000);
    CU_ASSERT_EQUAL(r_on.got, 5);

    ug_transport_opts bro = {.mode = UG_TRANSPORT_RECV, .interface = "vb"};
    ug_transport_opts bso = {.mode = UG_TRANSPORT_SEND, .interface = "va"};
    ug_transport *brx = open_ok(loop, "opc.udp://10.9.0.255:48413", &bro, &rb);
    ug_transport *btx = open_ok(loop, "opc.udp://10.9.0.255:48413", &bso, &sb);
    for (int i = 0; i < 5; i++)
        CU_ASSERT_EQUAL(ug_transport_send(btx, (ug_bytes){(const uint8_t *)"bc", 2}, 0),
                        UG_STATUS_GOOD);
    tr_run_until(loop, &rb.got, 5, 2000);
    CU_ASSERT_EQUAL(rb.got, 5);
    ug_transport *ts[] = {recv_a, snd_off, snd_on, brx, btx};
    struct rx *rs[] = {&r_on, &s_off, &s_on, &rb, &sb};
    close_all(loop, ts, rs, 5);
}

/* ---------------------------------------------------------------- setup */

static void setup_env(void)
{
    g_v6 = access("/proc/net/if_inet6", R_OK) == 0;
    if (geteuid() == 0 && unshare(CLONE_NEWNET) == 0) {
        /* Our own namespace: what we configure vanishes with the process. */
        g_netns = true;
        /* A fresh lo has no MULTICAST flag; no DAD delay on the veth pair. */
        g_lo_mcast = system("ip link set lo up multicast on") == 0;
        (void)!system("sysctl -qw net.ipv6.conf.default.accept_dad=0 >/dev/null 2>&1");
        g_veth = system("ip link add va type veth peer name vb && "
                        "ip addr add 10.9.0.1/24 dev va && ip addr add 10.9.0.2/24 dev vb && "
                        "ip link set va up && ip link set vb up") == 0;
        /* vb receives datagrams from va's address, which is local here:
         * without accept_local the kernel drops them as martians. */
        (void)!system("sysctl -qw net.ipv4.conf.all.accept_local=1 "
                      "net.ipv4.conf.vb.accept_local=1 net.ipv4.conf.all.rp_filter=0 "
                      "net.ipv4.conf.vb.rp_filter=0 >/dev/null 2>&1");
    } else {
        FILE *f = popen("ip -o link show lo 2>/dev/null", "r");
        char line[512] = "";
        if (f) {
            if (!fgets(line, sizeof line, f))
                line[0] = '\0';
            pclose(f);
        }
        g_lo_mcast = strstr(line, "MULTICAST") != NULL;
    }
}

TR_BOTH(test_unicast_v4)
TR_BOTH(test_unicast_v6)
TR_BOTH(test_multicast_v4)
TR_BOTH(test_multicast_v6)
TR_BOTH(test_sockopts)
TR_BOTH(test_send_errors)
TR_BOTH(test_open_errors)
TR_BOTH(test_close_in_callback)
TR_BOTH(test_close_at_once)
TR_BOTH(test_veth_loopback_and_broadcast)

int main(void)
{
    setup_env();
    /* io_uring may be refused here (seccomp): then only epoll runs. */
    ug_loop *probe = NULL;
    struct ug_loop_options lo;
    ug_loop_options_init(&lo);
    lo.backend = UG_LOOP_BACKEND_IO_URING;
    bool uring = ug_loop_new(&lo, &probe) == UG_STATUS_GOOD;
    ug_loop_close(probe, -1);
    if (!uring)
        fprintf(stderr, "io_uring refused: running the epoll backend only\n");
    CU_TestInfo all[] = {
        {"unicast v4 [io_uring]", test_unicast_v4_uring},
        {"unicast v6 [io_uring]", test_unicast_v6_uring},
        {"multicast v4 on lo [io_uring]", test_multicast_v4_uring},
        {"multicast v6 on veth [io_uring]", test_multicast_v6_uring},
        {"socket options [io_uring]", test_sockopts_uring},
        {"send errors [io_uring]", test_send_errors_uring},
        {"open errors [io_uring]", test_open_errors_uring},
        {"close in callback [io_uring]", test_close_in_callback_uring},
        {"close at once [io_uring]", test_close_at_once_uring},
        {"veth loopback/broadcast [io_uring]", test_veth_loopback_and_broadcast_uring},
        {"unicast v4 [epoll]", test_unicast_v4_epoll},
        {"unicast v6 [epoll]", test_unicast_v6_epoll},
        {"multicast v4 on lo [epoll]", test_multicast_v4_epoll},
        {"multicast v6 on veth [epoll]", test_multicast_v6_epoll},
        {"socket options [epoll]", test_sockopts_epoll},
        {"send errors [epoll]", test_send_errors_epoll},
        {"open errors [epoll]", test_open_errors_epoll},
        {"close in callback [epoll]", test_close_in_callback_epoll},
        {"close at once [epoll]", test_close_at_once_epoll},
        {"veth loopback/broadcast [epoll]", test_veth_loopback_and_broadcast_epoll},
        CU_TEST_INFO_NULL,
    };
    return ug_test_main("udp transport", uring ? all : all + 10);
}
