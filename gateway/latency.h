/* latency — the latency measurement engine behind `uagate bench latency` and
 * bench/latency: a publisher sends real UADP NetworkMessages (a fixed-layout
 * frame, RawData fields) at a fixed rate or flat out, a subscriber receives
 * them and either measures one-way latency or echoes them back to the
 * publisher, which measures the round trip. The same exchange runs through
 * uagate (ug_loop, base-time cyclic timer, ug_transport buffers, multishot
 * receive) or as the bare floor (blocking sendto/recvfrom on a UDP or
 * AF_PACKET socket, clock_nanosleep), one thread per side, so the two can be
 * compared in the same run.
 *
 * Where the ends live: the loopback interface (UDP only), or a veth pair
 * between two network namespaces created by ug_lat_net_setup (root only).
 * Every message carries its send time (CLOCK_MONOTONIC, the same clock in
 * every namespace) and a 32-bit sequence number, from which the receiving
 * side counts loss, duplicates and reordering. The measurement is latency.c;
 * labels, the table, the JSON summary and the plots are latency_report.c.
 *
 * Lifetime: ug_lat_msg, ug_lat_net, ug_lat_spec and ug_lat_result are plain
 * values owned by the caller; ug_lat_measure borrows spec (and its msg and
 * net) for the duration of the call. A ug_lat_net that was set up must be
 * cleaned up (ug_lat_net_cleanup) to remove its namespaces.
 */
#ifndef UG_GATEWAY_LATENCY_H
#define UG_GATEWAY_LATENCY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "uagate/rt.h"
#include "uagate/status.h"

/* Largest message: a UDP datagram that needs no IP fragmentation at MTU 1500,
 * which also fits an Ethernet payload. */
#define UG_LAT_MAX_MSG 1472u
/* Port of the publisher -> subscriber direction; the echo comes back on +1. */
#define UG_LAT_PORT 48600u

enum ug_lat_link { UG_LAT_UDP, UG_LAT_ETH };
enum ug_lat_impl { UG_LAT_BARE, UG_LAT_UAGATE };

/* The message: a UADP NetworkMessage (PublisherId UInt16, GroupHeader with
 * WriterGroupId and SequenceNumber, PayloadHeader, one DataSetMessage in
 * RawData) whose first field is the send time (Int64 ns) and the second the
 * sequence number (UInt32); the rest is filler up to the requested size. */
struct ug_lat_msg {
    uint8_t frame[UG_LAT_MAX_MSG];
    size_t len;
    uint32_t off_stamp, off_seq; /* of the two fields' value bytes */
    uint32_t off_group_seq, off_dsm_seq; /* UInt16 sequence numbers (UG_UADP_NO_OFFSET: none) */
};

/* The smallest message ug_lat_msg_build makes (headers and the two fields). */
size_t ug_lat_msg_min_size(void);
/* Builds the message with total length `size` bytes (0: the minimum plus 32
 * bytes of filler, 59 bytes, the size of the original benchmark's message).
 * Returns Good; BadOutOfRange (size below ug_lat_msg_min_size or above
 * UG_LAT_MAX_MSG); BadInternalError (the layout came out at another size);
 * the statuses of ug_uadp_fixed_init. err receives a one-line reason. */
ug_status ug_lat_msg_build(struct ug_lat_msg *m, size_t size, char *err, size_t err_cap);

/* Where the two ends run. ns false: both on this host's loopback. */
struct ug_lat_net {
    bool ns;
    bool created;
    char ns_pub[32], ns_echo[32]; /* namespace names when ns */
    char lo_ip[16];          /* loopback: 127.81.x.y from the pid, both ends */
};

/* Creates two namespaces ("ugl<pid>p", "ugl<pid>e") joined by a veth pair
 * (pub: interface "ua", 10.81.0.1, 02:00:00:00:81:01; echo: "ub", 10.81.0.2,
 * 02:00:00:00:81:02), after removing namespaces of earlier runs whose process
 * is gone. With ns false only fills *n for loopback (an address of 127/8 of
 * this process, so that concurrent runs do not share ports). Returns Good;
 * BadUserAccessDenied (not root); BadCommunicationError (ip failed); err
 * says which and what to do. */
ug_status ug_lat_net_setup(struct ug_lat_net *n, bool ns, char *err, size_t err_cap);
/* Removes the namespaces (idempotent). */
void ug_lat_net_cleanup(struct ug_lat_net *n);

/* Which ends this process runs. Two machines have two clocks, so there a
 * publisher end measures the round trip through an echo end elsewhere. */
enum ug_lat_role {
    UG_LAT_BOTH_ENDS = 0, /* both, on loopback or in the two namespaces */
    UG_LAT_PUB_END,       /* publisher only: sends to to_url, echoes on listen_url */
    UG_LAT_ECHO_END,      /* echo only: receives on listen_url, echoes to to_url */
};

/* One measurement. */
struct ug_lat_spec {
    const struct ug_lat_msg *msg;
    const struct ug_lat_net *net;
    enum ug_lat_link link;   /* UG_LAT_ETH needs net->ns */
    enum ug_lat_impl impl;
    bool rtt;                /* round trip through the echoing subscriber */
    int64_t rate_hz;         /* 0: flat out (round trip: one message in flight) */
    uint64_t count;          /* messages to send; 0: until duration_ns */
    int64_t duration_ns;     /* 0: until count */
    int fifo;                /* SCHED_FIFO priority of both threads; 0: none */
    int cpu;                 /* pin the publisher to cpu, the subscriber to the next; -1: no */
    bool vlan;               /* opc.eth: 802.1Q tag with vid and pcp */
    uint16_t vid;
    uint8_t pcp;
    /* One end only (net->ns false; uagate only; PUB_END needs rtt): these
     * replace the built-in addresses; a VLAN tag goes in the opc.eth URL. */
    enum ug_lat_role role;
    const char *to_url, *listen_url;
    const char *interface;   /* opc.eth (required) or a multicast interface; NULL: none */
    /* Optional: called on the caller's thread once the receiving end is bound
     * (for ECHO_END: "ready for a publisher"); not called when it failed. */
    void (*on_ready)(const struct ug_lat_spec *s);
};

struct ug_lat_result {
    uint64_t sent, received; /* received: distinct sequence numbers */
    uint64_t duplicates, reordered; /* reordered: arrived after a later one */
    uint64_t echoed;         /* messages the echo end sent back */
    uint64_t missed;         /* paced: send slots skipped because the publisher woke
                                up after the following slot (not sent, not lost) */
    int64_t elapsed_ns;      /* first to last send */
    struct ug_hist h;        /* one-way or round-trip latency, ns */
    char err[512];           /* why a side could not run (empty: none) */
};

static inline uint64_t ug_lat_loss(const struct ug_lat_result *r)
{
    return r->sent > r->received ? r->sent - r->received : 0;
}

/* Runs one measurement: the subscriber thread first, then the publisher
 * thread, each in its namespace with the real-time settings; returns when the
 * publisher is done and stragglers had 100 ms to arrive. An ECHO_END echoes
 * until duration_ns has passed (0: until ug_lat_interrupt). Returns Good;
 * BadInvalidArgument (ETH without namespaces, no count and no duration, a
 * role without its URLs, the floor or one-way with a role);
 * BadCommunicationError or BadUserAccessDenied when a side could not open its
 * sockets (out->err says why); BadOutOfMemory; BadRequestInterrupted
 * (ug_lat_interrupt was called; the partial result is filled). Real-time
 * settings that fail are reported on stderr and the run goes on without them. */
ug_status ug_lat_measure(const struct ug_lat_spec *spec, struct ug_lat_result *out);

/* Async-signal-safe: makes the running and every later ug_lat_measure stop
 * sending (for SIGINT/SIGTERM handlers). */
void ug_lat_interrupt(void);

/* "udp-lo 1way 1k uagate": path, mode, rate, implementation. */
void ug_lat_label(const struct ug_lat_spec *s, char *out, size_t cap);

/* Table: a header, then one row per measurement (loss, reordered, the
 * latency percentiles in microseconds). */
void ug_lat_print_header(FILE *out);
void ug_lat_print_row(const struct ug_lat_spec *s, const struct ug_lat_result *r, FILE *out);

/* Writes {"message_bytes":..,"runs":[{path,link,mode,impl,rate_hz,sent,
 * received,loss,duplicates,reordered,p50_ns,p99_ns,p999_ns,max_ns,hist}]}.
 * Returns false (errno set) when the file cannot be written. */
bool ug_lat_write_json(const char *file, const struct ug_lat_spec *specs,
                       const struct ug_lat_result *results, size_t n);

/* Writes, into the existing directory dir, per measurement LABEL.dat
 * (percentile curve), LABEL.hist (bucket lower/upper bound in us, count) and
 * LABEL.json (the histogram), and plot.gp drawing one percentile plot and one
 * histogram per group of measurements that differ only in implementation.
 * Then runs gnuplot when with_gnuplot. Returns false when a file could not be
 * written or gnuplot failed; err says which. */
bool ug_lat_write_plots(const char *dir, const struct ug_lat_spec *specs,
                        const struct ug_lat_result *results, size_t n, bool with_gnuplot,
                        char *err, size_t err_cap);

/* Whether gnuplot is on PATH. */
bool ug_lat_have_gnuplot(void);

#endif
