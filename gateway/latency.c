/* latency — the measurement engine of `uagate bench latency` and
 * bench/latency (see latency.h). One measurement is two threads: the
 * subscriber (receives; records one-way latency or echoes) and the publisher
 * (sends on a schedule; records the round trip). Each thread enters its
 * namespace with setns, which only affects that thread. */
#include "latency.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "uagate/transport.h"
#include "uagate/uadp.h"

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

static const uint8_t mac_pub[6] = {0x02, 0x00, 0x00, 0x00, 0x81, 0x01};
static const uint8_t mac_echo[6] = {0x02, 0x00, 0x00, 0x00, 0x81, 0x02};
static atomic_bool g_interrupted;

void ug_lat_interrupt(void)
{
    atomic_store(&g_interrupted, true);
}

/* ------------------------------------------------------------ message -- */

/* Fields: send time, sequence number, then filler: Int64s and Bytes. The
 * original benchmark's message had 32 bytes of filler. */
#define DEFAULT_FILL 32u
#define MAX_FIELDS (2 + UG_LAT_MAX_MSG / 8 + 8)

static ug_status build(struct ug_lat_msg *m, size_t fill, char *err, size_t cap)
{
    static ug_dsm_field fields[MAX_FIELDS];
    ug_nm nm;
    ug_dsm dsm;
    ug_nm_init(&nm);
    nm.publisher_id.type = UG_PUBID_UINT16;
    nm.publisher_id.u64 = 2234;
    nm.has_group_header = true;
    nm.group.has_writer_group_id = true;
    nm.group.writer_group_id = 100;
    nm.group.has_seq = true;
    nm.has_payload_header = true;
    ug_dsm_init(&dsm);
    dsm.writer_id = 1;
    dsm.has_writer_id = true;
    dsm.has_seq = true;
    dsm.field_encoding = UG_FE_RAWDATA;
    size_t n = 0;
    memset(fields, 0, sizeof fields);
    fields[n++].dv.value = ug_variant_scalar(UG_TYPE_INT64);
    fields[n++].dv.value = ug_variant_scalar(UG_TYPE_UINT32);
    for (size_t i = 0; i < fill / 8; i++)
        fields[n++].dv.value = ug_variant_scalar(UG_TYPE_INT64);
    for (size_t i = 0; i < fill % 8; i++)
        fields[n++].dv.value = ug_variant_scalar(UG_TYPE_BYTE);
    for (size_t i = 0; i < n; i++)
        fields[i].dv.mask = UG_DV_VALUE;
    dsm.field_count = (uint16_t)n;
    dsm.fields = fields;
    nm.n_dsm = 1;
    nm.dsm = &dsm;
    static ug_uadp_fixed fx; /* 5 KiB of offsets: not on the caller's stack */
    memset(m->frame, 0, sizeof m->frame);
    ug_status st = ug_uadp_fixed_init(&fx, &nm, m->frame, sizeof m->frame);
    if (st != UG_STATUS_GOOD) {
        snprintf(err, cap, "cannot build the UADP message: %s", ug_status_name(st));
        return st;
    }
    m->len = fx.len;
    m->off_stamp = (uint32_t)((uint8_t *)ug_uadp_fixed_field_ptr(&fx, 0, 0) - m->frame);
    m->off_seq = (uint32_t)((uint8_t *)ug_uadp_fixed_field_ptr(&fx, 0, 1) - m->frame);
    m->off_group_seq = fx.off_group_seq;
    m->off_dsm_seq = fx.dsm[0].off_seq;
    return UG_STATUS_GOOD;
}

size_t ug_lat_msg_min_size(void)
{
    static size_t min;
    if (!min) {
        static struct ug_lat_msg m;
        char err[8];
        if (build(&m, 0, err, sizeof err) == UG_STATUS_GOOD)
            min = m.len;
    }
    return min;
}

ug_status ug_lat_msg_build(struct ug_lat_msg *m, size_t size, char *err, size_t err_cap)
{
    size_t min = ug_lat_msg_min_size();
    if (!min)
        return build(m, 0, err, err_cap); /* reports why */
    if (size == 0)
        size = min + DEFAULT_FILL;
    if (size < min || size > UG_LAT_MAX_MSG) {
        snprintf(err, err_cap, "message size %zu not in %zu..%u bytes", size, min, UG_LAT_MAX_MSG);
        return UG_STATUS_BADOUTOFRANGE;
    }
    ug_status st = build(m, size - min, err, err_cap);
    if (st == UG_STATUS_GOOD && m->len != size) {
        /* RawData has no per-field framing, so this cannot happen unless the
         * encoder changes; say so rather than measure a different size. */
        snprintf(err, err_cap, "built %zu bytes instead of %zu", m->len, size);
        return UG_STATUS_BADINTERNALERROR;
    }
    return st;
}

static void stamp(const struct ug_lat_msg *m, uint8_t *buf, uint32_t seq)
{
    memcpy(buf, m->frame, m->len);
    uint16_t seq16 = (uint16_t)seq;
    if (m->off_group_seq != UG_UADP_NO_OFFSET)
        memcpy(buf + m->off_group_seq, &seq16, 2);
    if (m->off_dsm_seq != UG_UADP_NO_OFFSET)
        memcpy(buf + m->off_dsm_seq, &seq16, 2);
    memcpy(buf + m->off_seq, &seq, 4);
    int64_t now = ug_clock_mono_ns();
    memcpy(buf + m->off_stamp, &now, 8); /* little-endian host: the wire form */
}

/* ------------------------------------------------------------- network -- */

static int sh(const char *cmd)
{
    int rc = system(cmd);
    return rc == 0 ? 0 : -1;
}

/* Namespaces of runs killed outright (no clean-up): ugl<pid>p / ugl<pid>e
 * whose pid no longer exists. */
static void remove_stale(void)
{
    FILE *p = popen("ip netns list 2>/dev/null", "r");
    if (!p)
        return;
    char line[256];
    while (fgets(line, sizeof line, p)) {
        int pid;
        char side;
        if (sscanf(line, "ugl%d%c", &pid, &side) != 2 || (side != 'p' && side != 'e'))
            continue;
        if (pid == (int)getpid() || kill(pid, 0) == 0 || errno != ESRCH)
            continue;
        char cmd[96];
        snprintf(cmd, sizeof cmd, "ip netns del ugl%d%c 2>/dev/null", pid, side);
        (void)sh(cmd);
    }
    pclose(p);
}

ug_status ug_lat_net_setup(struct ug_lat_net *n, bool ns, char *err, size_t err_cap)
{
    memset(n, 0, sizeof *n);
    n->ns = ns;
    /* all of 127/8 is the loopback: an address of our own keeps concurrent
     * runs (parallel test suites) off each other's ports */
    unsigned pid = (unsigned)getpid();
    snprintf(n->lo_ip, sizeof n->lo_ip, "127.81.%u.%u", pid >> 8 & 255, pid & 255);
    if (!ns)
        return UG_STATUS_GOOD;
    if (geteuid() != 0) {
        snprintf(err, err_cap, "the namespace path needs root (it creates two network namespaces "
                               "and a veth pair); run as root or use the loopback path");
        return UG_STATUS_BADUSERACCESSDENIED;
    }
    if (sh("command -v ip >/dev/null 2>&1") != 0) {
        snprintf(err, err_cap, "the namespace path needs the `ip` tool (package iproute2)");
        return UG_STATUS_BADCOMMUNICATIONERROR;
    }
    remove_stale();
    snprintf(n->ns_pub, sizeof n->ns_pub, "ugl%dp", (int)getpid());
    snprintf(n->ns_echo, sizeof n->ns_echo, "ugl%de", (int)getpid());
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "ip netns add %1$s && ip netns add %2$s && "
             "ip link add ua netns %1$s address 02:00:00:00:81:01 type veth "
             "peer name ub netns %2$s address 02:00:00:00:81:02 && "
             "ip -n %1$s link set lo up && ip -n %2$s link set lo up && "
             "ip -n %1$s addr add 10.81.0.1/24 dev ua && "
             "ip -n %2$s addr add 10.81.0.2/24 dev ub && "
             "ip -n %1$s link set ua up && ip -n %2$s link set ub up",
             n->ns_pub, n->ns_echo);
    n->created = true;
    if (sh(cmd) != 0) {
        ug_lat_net_cleanup(n);
        snprintf(err, err_cap, "could not create the namespaces and veth pair (`ip netns add`, "
                               "`ip link add ... type veth` failed; see above)");
        return UG_STATUS_BADCOMMUNICATIONERROR;
    }
    /* veth carrier and IPv4 address come up asynchronously */
    usleep(200000);
    return UG_STATUS_GOOD;
}

void ug_lat_net_cleanup(struct ug_lat_net *n)
{
    if (!n->created)
        return;
    char cmd[160];
    snprintf(cmd, sizeof cmd, "ip netns del %s 2>/dev/null; ip netns del %s 2>/dev/null",
             n->ns_pub, n->ns_echo);
    (void)sh(cmd);
    n->created = false;
}

/* ----------------------------------------------------------------- run -- */

/* Sequence window for duplicates: a message more than this far behind the
 * newest one is counted as reordered without the duplicate check. */
#define SEQ_WINDOW 4096u

struct run {
    const struct ug_lat_spec *s;
    struct ug_lat_result *res;
    bool seq_any;
    uint32_t seq_max;
    uint64_t seq_bits[SEQ_WINDOW / 64];
    atomic_bool ready, stop;
    ug_loop *_Atomic rx_loop;
    ug_transport *tx, *back_rx, *rx, *back_tx;
    struct ug_timer tick, guard;
    struct ug_delayed pump;
    bool tx_done;
    int closed;
    int64_t end_ns, last_send_ns;
    char rx_err[250], tx_err[250];
    uint8_t bare_tx[UG_LAT_MAX_MSG + 18];
};

static bool seq_seen(const struct run *r, uint32_t seq)
{
    return r->seq_bits[(seq % SEQ_WINDOW) / 64] >> (seq % 64) & 1;
}

static void seq_mark(struct run *r, uint32_t seq, bool seen)
{
    uint64_t *w = &r->seq_bits[(seq % SEQ_WINDOW) / 64];
    uint64_t bit = 1ull << (seq % 64);
    *w = seen ? *w | bit : *w & ~bit;
}

/* Records a received message (one-way at the subscriber, the echo at the
 * publisher). */
static void on_msg(struct run *r, const uint8_t *p, size_t len)
{
    const struct ug_lat_msg *m = r->s->msg;
    if (len < m->len)
        return;
    int64_t then;
    uint32_t seq;
    memcpy(&then, p + m->off_stamp, 8);
    memcpy(&seq, p + m->off_seq, 4);
    int64_t age = ug_clock_mono_ns() - then;
    struct ug_lat_result *res = r->res;
    if (!r->seq_any || seq > r->seq_max) {
        uint32_t from = r->seq_any ? r->seq_max + 1 : 0;
        uint32_t gap = seq - from;
        for (uint32_t i = 0; i <= gap && i < SEQ_WINDOW; i++)
            seq_mark(r, seq - i, false); /* slots last used a window ago */
        r->seq_any = true;
        r->seq_max = seq;
    } else if (r->seq_max - seq >= SEQ_WINDOW) {
        res->reordered++;
    } else if (seq_seen(r, seq)) {
        res->duplicates++;
        return;
    } else {
        res->reordered++;
    }
    seq_mark(r, seq, true);
    res->received++;
    ug_hist_record(&res->h, age);
}

static bool should_stop_sending(struct run *r, int64_t now)
{
    const struct ug_lat_spec *s = r->s;
    return (s->count && r->res->sent >= s->count) || (r->end_ns && now >= r->end_ns) ||
           atomic_load(&g_interrupted);
}

static void note_send(struct run *r, int64_t now)
{
    if (r->res->sent++ == 0)
        r->res->elapsed_ns = -now;
    r->last_send_ns = now;
}

/* The address of one direction: forward (publisher to echo) or back. */
static const char *url_of(const struct ug_lat_spec *s, bool forward, char *buf, size_t cap)
{
    if (s->role != UG_LAT_BOTH_ENDS)
        return (s->role == UG_LAT_PUB_END) == forward ? s->to_url : s->listen_url;
    const char *ip = !s->net->ns ? s->net->lo_ip : forward ? "10.81.0.2" : "10.81.0.1";
    if (s->link == UG_LAT_UDP)
        snprintf(buf, cap, "opc.udp://%s:%u", ip, UG_LAT_PORT + !forward);
    else if (s->vlan)
        snprintf(buf, cap, "opc.eth://02-00-00-00-81-0%d:%u.%u", forward ? 2 : 1, s->vid, s->pcp);
    else
        snprintf(buf, cap, "opc.eth://02-00-00-00-81-0%d", forward ? 2 : 1);
    return buf;
}

static void enter_ns(struct run *r, bool echo_side, char *err, size_t cap)
{
    const struct ug_lat_net *n = r->s->net;
    if (!n->ns)
        return;
    char file[64];
    snprintf(file, sizeof file, "/run/netns/%s", echo_side ? n->ns_echo : n->ns_pub);
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, CLONE_NEWNET) != 0)
        snprintf(err, cap, "enter namespace %s: %s", file, strerror(errno));
    if (fd >= 0)
        close(fd);
}

static void rt_thread(const struct ug_lat_spec *s, bool echo_side)
{
    char why[128];
    if (s->cpu >= 0) {
        long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
        int cpu = echo_side ? (int)((s->cpu + 1) % (ncpu > 0 ? ncpu : 1)) : s->cpu;
        if (ug_rt_pin_cpu(cpu, why, sizeof why) != UG_STATUS_GOOD)
            fprintf(stderr, "latency: pin to CPU %d: %s\n", cpu, why);
    }
    if (s->fifo && ug_rt_set_fifo(s->fifo, why, sizeof why) != UG_STATUS_GOOD)
        fprintf(stderr, "latency: SCHED_FIFO %d: %s\n", s->fifo, why);
}

static void on_closed(void *ctx, ug_transport *t)
{
    (void)t;
    ((struct run *)ctx)->closed++;
}

static void wake(ug_loop *loop, struct ug_timer *t)
{
    (void)loop;
    (void)t;
}

/* Closes a and b and runs the loop until both reported on_closed; a short
 * timer keeps run_once from blocking when closing needs no I/O. */
static void close_transports(ug_loop *loop, struct run *r, ug_transport *a, ug_transport *b)
{
    int want = r->closed + (a != NULL) + (b != NULL);
    ug_transport_close(a);
    ug_transport_close(b);
    struct ug_timer tm;
    ug_timer_init(&tm, wake, NULL);
    ug_timer_start_cyclic(loop, &tm, 1000000, 0, UG_TIMER_CURRENT_TIME);
    while (r->closed < want)
        ug_loop_run_once(loop, true);
    ug_timer_stop(loop, &tm);
}

static void opts_for(const struct run *r, ug_transport_opts *o, unsigned mode, bool echo_side,
                     char *err, size_t cap)
{
    *o = (ug_transport_opts){.mode = mode, .errbuf = err, .errbuf_cap = cap};
    if (r->s->role != UG_LAT_BOTH_ENDS)
        o->interface = r->s->interface;
    else if (r->s->link == UG_LAT_ETH)
        o->interface = echo_side ? "ub" : "ua";
    if (mode == UG_TRANSPORT_RECV) {
        o->rcvbuf = 8u << 20;
        o->recv_bufs = 256;
    } else {
        o->sndbuf = 4u << 20;
        o->send_bufs = 4;
    }
}

/* -- uagate subscriber -- */

static void rx_recv(void *ctx, ug_transport *t, const ug_transport_msg *m)
{
    (void)t;
    struct run *r = ctx;
    if (r->s->rtt) {
        if (ug_transport_send(r->back_tx, m->data, 0) == UG_STATUS_GOOD)
            r->res->echoed++;
    } else
        on_msg(r, m->data.data, (size_t)m->data.len);
}

static void rx_uagate(struct run *r)
{
    ug_loop *loop = NULL;
    ug_status st = ug_loop_new(NULL, &loop);
    if (st != UG_STATUS_GOOD) {
        snprintf(r->rx_err, sizeof r->rx_err, "subscriber loop: %s", ug_status_name(st));
        atomic_store(&r->ready, true);
        return;
    }
    char err[200] = "", buf[64];
    ug_transport_opts o;
    ug_transport_cbs c = {.ctx = r, .on_recv = rx_recv, .on_closed = on_closed};
    opts_for(r, &o, UG_TRANSPORT_RECV, true, err, sizeof err);
    const char *url = url_of(r->s, true, buf, sizeof buf);
    st = ug_transport_open(loop, url, &o, &c, &r->rx);
    if (st == UG_STATUS_GOOD && r->s->rtt) {
        opts_for(r, &o, UG_TRANSPORT_SEND, true, err, sizeof err);
        url = url_of(r->s, false, buf, sizeof buf);
        st = ug_transport_open(loop, url, &o, &c, &r->back_tx);
    }
    if (st != UG_STATUS_GOOD)
        snprintf(r->rx_err, sizeof r->rx_err, "subscriber %s: %s", url,
                 err[0] ? err : ug_status_name(st));
    atomic_store(&r->rx_loop, loop);
    atomic_store(&r->ready, true);
    if (st == UG_STATUS_GOOD)
        ug_loop_run(loop);
    close_transports(loop, r, r->rx, r->back_tx);
    ug_loop_close(loop, -1);
}

/* -- uagate publisher -- */

static void tx_one(struct run *r)
{
    int64_t now = ug_clock_mono_ns();
    if (should_stop_sending(r, now)) {
        r->tx_done = true;
        return;
    }
    ug_transport_buf *b;
    if (ug_transport_buf_get(r->tx, &b) != UG_STATUS_GOOD)
        return;
    stamp(r->s->msg, b->data, (uint32_t)r->res->sent);
    if (ug_transport_buf_send(r->tx, b, r->s->msg->len, 0) == UG_STATUS_GOOD)
        note_send(r, now);
}

static void tx_tick(ug_loop *loop, struct ug_timer *t)
{
    struct run *r = t->data;
    tx_one(r);
    if (r->tx_done)
        ug_timer_stop(loop, t);
}

static void tx_pump(ug_loop *loop, struct ug_delayed *d)
{
    struct run *r = d->data;
    if (r->s->rtt) {
        tx_one(r); /* round trip flat out: one in flight, each reply sends the next */
        return;
    }
    for (int i = 0; i < 32 && !r->tx_done; i++)
        tx_one(r);
    if (!r->tx_done)
        ug_loop_add_delayed(loop, &r->pump, tx_pump, r);
}

static void tx_guard(ug_loop *loop, struct ug_timer *t)
{
    (void)loop;
    struct run *r = t->data;
    int64_t now = ug_clock_mono_ns();
    if (should_stop_sending(r, now))
        r->tx_done = true;
    else if (r->s->rtt && r->s->rate_hz == 0 && now - r->last_send_ns > 10000000)
        tx_one(r); /* the one in flight was lost: do not stall */
}

static void back_recv(void *ctx, ug_transport *t, const ug_transport_msg *m)
{
    (void)t;
    struct run *r = ctx;
    on_msg(r, m->data.data, (size_t)m->data.len);
    if (r->s->rate_hz == 0 && !r->tx_done)
        tx_one(r);
}

static void tx_uagate(struct run *r)
{
    ug_loop *loop = NULL;
    ug_status st = ug_loop_new(NULL, &loop);
    if (st != UG_STATUS_GOOD) {
        snprintf(r->tx_err, sizeof r->tx_err, "publisher loop: %s", ug_status_name(st));
        return;
    }
    char err[200] = "", buf[64];
    ug_transport_opts o;
    ug_transport_cbs c = {.ctx = r, .on_recv = back_recv, .on_closed = on_closed};
    opts_for(r, &o, UG_TRANSPORT_SEND, false, err, sizeof err);
    const char *url = url_of(r->s, true, buf, sizeof buf);
    st = ug_transport_open(loop, url, &o, &c, &r->tx);
    if (st == UG_STATUS_GOOD && r->s->rtt) {
        opts_for(r, &o, UG_TRANSPORT_RECV, false, err, sizeof err);
        url = url_of(r->s, false, buf, sizeof buf);
        st = ug_transport_open(loop, url, &o, &c, &r->back_rx);
    }
    if (st != UG_STATUS_GOOD) {
        snprintf(r->tx_err, sizeof r->tx_err, "publisher %s: %s", url,
                 err[0] ? err : ug_status_name(st));
        close_transports(loop, r, r->tx, NULL);
        ug_loop_close(loop, -1);
        return;
    }
    if (r->s->duration_ns)
        r->end_ns = ug_clock_mono_ns() + r->s->duration_ns;
    ug_timer_init(&r->tick, tx_tick, r);
    if (r->s->rate_hz > 0)
        ug_timer_start_cyclic(loop, &r->tick, 1000000000 / r->s->rate_hz, 0, UG_TIMER_BASE_TIME);
    else
        ug_loop_add_delayed(loop, &r->pump, tx_pump, r);
    ug_timer_init(&r->guard, tx_guard, r);
    ug_timer_start_cyclic(loop, &r->guard, 10000000, 0, UG_TIMER_CURRENT_TIME);
    while (!r->tx_done)
        ug_loop_run_once(loop, true);
    r->res->elapsed_ns += r->last_send_ns;
    r->res->missed = r->tick.missed;
    int64_t grace = ug_clock_mono_ns() + 100000000; /* late replies */
    while (r->s->rtt && r->res->received < r->res->sent && ug_clock_mono_ns() < grace)
        ug_loop_run_once(loop, true);
    ug_timer_stop(loop, &r->guard);
    ug_timer_stop(loop, &r->tick);
    ug_loop_remove_delayed(loop, &r->pump);
    close_transports(loop, r, r->tx, r->back_rx);
    ug_loop_close(loop, -1);
}

/* -- bare floor -- */

/* Ethernet II header (with an 802.1Q tag when asked) into buf; its length. */
static size_t eth_header(const struct ug_lat_spec *s, uint8_t *buf, const uint8_t *dst,
                         const uint8_t *src)
{
    memcpy(buf, dst, 6);
    memcpy(buf + 6, src, 6);
    size_t off = 12;
    if (s->vlan) {
        uint16_t tci = (uint16_t)(s->pcp << 13 | s->vid); /* IEEE 802.1Q §9.6 */
        buf[off++] = 0x81;
        buf[off++] = 0x00;
        buf[off++] = (uint8_t)(tci >> 8);
        buf[off++] = (uint8_t)tci;
    }
    buf[off++] = UG_ETHERTYPE_UADP >> 8;
    buf[off++] = UG_ETHERTYPE_UADP & 0xff;
    return off;
}

/* A bound socket of one side and the address of the other. */
static int bare_socket(const struct ug_lat_spec *s, bool echo_side, struct sockaddr_storage *peer,
                       socklen_t *peer_len)
{
    int big = 8 << 20, one = 1;
    bool receives = echo_side || s->rtt;
    if (s->link == UG_LAT_ETH) {
        uint16_t proto = receives ? htons(UG_ETHERTYPE_UADP) : 0;
        int fd = socket(AF_PACKET, SOCK_RAW, proto);
        if (fd < 0)
            return -1;
        setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big);
        setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof big);
        setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);
        struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = proto,
                                  .sll_ifindex = (int)if_nametoindex(echo_side ? "ub" : "ua")};
        if (bind(fd, (struct sockaddr *)&sll, sizeof sll) != 0) {
            close(fd);
            return -1;
        }
        struct sockaddr_ll *d = (struct sockaddr_ll *)peer;
        *d = (struct sockaddr_ll){.sll_family = AF_PACKET, .sll_ifindex = sll.sll_ifindex,
                                  .sll_halen = 6, .sll_protocol = htons(UG_ETHERTYPE_UADP)};
        memcpy(d->sll_addr, echo_side ? mac_pub : mac_echo, 6);
        *peer_len = sizeof *d;
        return fd;
    }
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof big);
    const char *pub = s->net->ns ? "10.81.0.1" : s->net->lo_ip;
    const char *echo = s->net->ns ? "10.81.0.2" : s->net->lo_ip;
    struct sockaddr_in me = {.sin_family = AF_INET,
                             .sin_port = htons(echo_side ? UG_LAT_PORT : UG_LAT_PORT + 1)};
    struct sockaddr_in *to = (struct sockaddr_in *)peer;
    *to = (struct sockaddr_in){.sin_family = AF_INET,
                               .sin_port = htons(echo_side ? UG_LAT_PORT + 1 : UG_LAT_PORT)};
    inet_pton(AF_INET, echo_side ? echo : pub, &me.sin_addr);
    inet_pton(AF_INET, echo_side ? pub : echo, &to->sin_addr);
    *peer_len = sizeof *to;
    if (bind(fd, (struct sockaddr *)&me, sizeof me) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void rx_bare(struct run *r)
{
    const struct ug_lat_spec *s = r->s;
    struct sockaddr_storage peer;
    socklen_t plen;
    int fd = bare_socket(s, true, &peer, &plen);
    if (fd < 0)
        snprintf(r->rx_err, sizeof r->rx_err, "bare subscriber socket: %s", strerror(errno));
    atomic_store(&r->ready, true);
    if (fd < 0)
        return;
    uint8_t buf[2048], out[2048];
    /* a socket bound to the EtherType sees frames with the tag stripped */
    size_t hdr = s->link == UG_LAT_ETH ? 14 : 0;
    size_t out_hdr = s->link == UG_LAT_ETH ? eth_header(s, out, mac_pub, mac_echo) : 0;
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    while (!atomic_load(&r->stop)) {
        if (poll(&pfd, 1, 20) <= 0)
            continue;
        ssize_t n;
        while ((n = recv(fd, buf, sizeof buf, MSG_DONTWAIT)) >= (ssize_t)hdr) {
            size_t len = (size_t)n - hdr;
            if (!s->rtt) {
                on_msg(r, buf + hdr, len);
                continue;
            }
            if (len > sizeof out - out_hdr)
                continue;
            memcpy(out + out_hdr, buf + hdr, len);
            if (sendto(fd, out, out_hdr + len, 0, (struct sockaddr *)&peer, plen) >= 0)
                r->res->echoed++;
        }
    }
    close(fd);
}

/* Waits up to timeout_ns for echoes and records every one queued. */
static void drain_replies(struct run *r, int fd, size_t hdr, int64_t timeout_ns)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    struct timespec ts = {.tv_sec = timeout_ns / 1000000000, .tv_nsec = timeout_ns % 1000000000};
    uint8_t in[2048];
    if (ppoll(&pfd, 1, &ts, NULL) != 1)
        return;
    ssize_t n;
    while ((n = recv(fd, in, sizeof in, MSG_DONTWAIT)) >= (ssize_t)hdr)
        on_msg(r, in + hdr, (size_t)n - hdr);
}

static void sleep_until(int64_t t_ns)
{
    struct timespec ts = {.tv_sec = t_ns / 1000000000, .tv_nsec = t_ns % 1000000000};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR &&
           !atomic_load(&g_interrupted))
        ;
}

static void tx_bare(struct run *r)
{
    const struct ug_lat_spec *s = r->s;
    struct sockaddr_storage peer;
    socklen_t plen;
    int fd = bare_socket(s, false, &peer, &plen);
    if (fd < 0) {
        snprintf(r->tx_err, sizeof r->tx_err, "bare publisher socket: %s", strerror(errno));
        return;
    }
    uint8_t *buf = r->bare_tx;
    size_t hdr = s->link == UG_LAT_ETH ? eth_header(s, buf, mac_echo, mac_pub) : 0;
    size_t rx_hdr = s->link == UG_LAT_ETH ? 14 : 0;
    int64_t interval = s->rate_hz ? 1000000000 / s->rate_hz : 0;
    int64_t next = ug_clock_mono_ns();
    if (s->duration_ns)
        r->end_ns = next + s->duration_ns;
    for (;;) {
        if (interval) {
            next += interval;
            sleep_until(next);
        }
        int64_t now = ug_clock_mono_ns();
        if (should_stop_sending(r, now))
            break;
        if (interval && now - next >= interval) {
            /* woke past the next slot: skip the slots gone by, as uagate's
             * base-time timer does, so both count missed cycles alike */
            int64_t skip = (now - next) / interval;
            r->res->missed += (uint64_t)skip;
            next += skip * interval;
        }
        stamp(s->msg, buf + hdr, (uint32_t)r->res->sent);
        if (sendto(fd, buf, hdr + s->msg->len, 0, (struct sockaddr *)&peer, plen) < 0)
            continue;
        note_send(r, now);
        if (s->rtt) {
            /* wait for the echo, but never past the next send time */
            int64_t left = interval ? next + interval - ug_clock_mono_ns() : 100000000;
            drain_replies(r, fd, rx_hdr, left > 0 ? left : 0);
        }
    }
    r->res->elapsed_ns += r->last_send_ns;
    int64_t grace = ug_clock_mono_ns() + 100000000;
    while (s->rtt && r->res->received < r->res->sent && ug_clock_mono_ns() < grace)
        drain_replies(r, fd, rx_hdr, 10000000);
    close(fd);
}

static void *rx_main(void *arg)
{
    struct run *r = arg;
    enter_ns(r, true, r->rx_err, sizeof r->rx_err);
    if (r->rx_err[0]) {
        atomic_store(&r->ready, true);
        return NULL;
    }
    rt_thread(r->s, true);
    if (r->s->impl == UG_LAT_UAGATE)
        rx_uagate(r);
    else
        rx_bare(r);
    return NULL;
}

static void *tx_main(void *arg)
{
    struct run *r = arg;
    enter_ns(r, false, r->tx_err, sizeof r->tx_err);
    if (r->tx_err[0])
        return NULL;
    rt_thread(r->s, false);
    if (r->s->impl == UG_LAT_UAGATE)
        tx_uagate(r);
    else
        tx_bare(r);
    return NULL;
}

ug_status ug_lat_measure(const struct ug_lat_spec *spec, struct ug_lat_result *out)
{
    memset(out, 0, sizeof *out);
    ug_hist_reset(&out->h);
    const char *bad = NULL;
    bool one_end = spec->role != UG_LAT_BOTH_ENDS;
    if (spec->link == UG_LAT_ETH && !spec->net->ns && !one_end)
        bad = "opc.eth needs the namespace path (a veth pair)";
    else if (!spec->count && !spec->duration_ns && spec->role != UG_LAT_ECHO_END)
        bad = "neither a count nor a duration";
    else if (spec->rate_hz < 0 || spec->rate_hz > 1000000000)
        bad = "rate out of range";
    else if (one_end && (!spec->to_url || !spec->listen_url || spec->net->ns))
        bad = "one end needs its two URLs and no namespaces";
    else if (one_end && (spec->impl != UG_LAT_UAGATE || !spec->rtt))
        bad = "one end measures uagate's round trip only";
    if (bad) {
        snprintf(out->err, sizeof out->err, "%s", bad);
        return UG_STATUS_BADINVALIDARGUMENT;
    }
    struct run *r = calloc(1, sizeof *r);
    if (!r)
        return UG_STATUS_BADOUTOFMEMORY;
    r->s = spec;
    r->res = out;
    pthread_t rx, tx;
    bool with_rx = spec->role != UG_LAT_PUB_END;
    if (with_rx && pthread_create(&rx, NULL, rx_main, r) != 0) {
        free(r);
        return UG_STATUS_BADOUTOFMEMORY;
    }
    while (with_rx && !atomic_load(&r->ready))
        usleep(1000);
    if (spec->on_ready && !r->rx_err[0])
        spec->on_ready(spec);
    if (spec->role == UG_LAT_ECHO_END) {
        int64_t end = spec->duration_ns ? ug_clock_mono_ns() + spec->duration_ns : INT64_MAX;
        while (!r->rx_err[0] && !atomic_load(&g_interrupted) && ug_clock_mono_ns() < end)
            usleep(10000);
    } else if (!r->rx_err[0]) {
        usleep(20000); /* the subscriber's first receive is posted */
        if (pthread_create(&tx, NULL, tx_main, r) == 0)
            pthread_join(tx, NULL);
        else
            snprintf(r->tx_err, sizeof r->tx_err, "cannot start the publisher thread");
        usleep(100000); /* stragglers */
    }
    atomic_store(&r->stop, true);
    ug_loop *loop = atomic_load(&r->rx_loop);
    if (loop)
        ug_loop_stop(loop);
    if (with_rx)
        pthread_join(rx, NULL);
    snprintf(out->err, sizeof out->err, "%s%s%s", r->rx_err,
             r->rx_err[0] && r->tx_err[0] ? "; " : "", r->tx_err);
    free(r);
    if (out->err[0])
        return strstr(out->err, "ermission") || strstr(out->err, "ccess")
                   ? UG_STATUS_BADUSERACCESSDENIED
                   : UG_STATUS_BADCOMMUNICATIONERROR;
    return atomic_load(&g_interrupted) ? UG_STATUS_BADREQUESTINTERRUPTED : UG_STATUS_GOOD;
}
