/* uagate capture -i IF [-w FILE] [-c COUNT] [--dump-json] [-p] [-v] — record UADP
 * traffic on an interface with libpcap and print each message as `uagate
 * decode` does.
 *
 * The kernel filter passes UDP to ports 4840-4850 and Ethernet frames of
 * EtherType 0xB62C (Part 14 §7.3.2, §7.3.3), with or without an 802.1Q tag;
 * libpcap puts a tag the kernel moved into the packet's auxdata back into the
 * frame, so VID and PCP show. The pcap handle is non-blocking and watched on
 * the rt loop through its selectable fd: pcap_next_ex with a timeout can
 * block forever on a quiet veth (ENVIRONMENT.md).
 *
 * -w FILE: a name ending in ".pcapng" is written as pcapng by the small block
 * writer below (libpcap 1.10 writes only classic pcap); any other name is
 * written as classic pcap with nanosecond timestamps by pcap_dump.
 *
 * SIGINT / SIGTERM stop the capture; the counts go to stderr.
 * Exit: 0, 1 some messages were malformed, 2 usage error or the interface
 * could not be opened (or the file written).
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "capture.h"
#include "cli.h"
#include "uagate/rt.h"
#include "uagate/types.h"

#define CAPTURE_FILTER                                                                   \
    "udp portrange 4840-4850 or ether proto 0xb62c or "                                  \
    "(vlan and (ether proto 0xb62c or udp portrange 4840-4850))"
#define SNAPLEN 65535
/* Frames handled per readiness wake-up, so one busy interface cannot starve
 * the loop's other phases (the watch is level-triggered: the rest follows). */
#define FRAMES_PER_WAKE 256

typedef struct cap_ctx {
    ug_loop *loop;
    pcap_t *pc;
    int dlt;
    bool nano;
    const char *ifname;
    bool json;
    bool verbose;
    unsigned long limit; /* 0: no limit */
    unsigned long frames;
    unsigned long messages;
    unsigned long malformed;
    /* -w */
    pcap_dumper_t *dumper;
    FILE *ng;
    bool write_failed;
    ug_arena arena;
    struct ug_watch watch;
    ug_status fatal; /* pcap_dispatch failed */
} cap_ctx;

static ug_loop *volatile stop_loop;

static const char *sname(ug_status s)
{
    const char *n = ug_status_name(s);
    return n ? n : "unknown status";
}

static void on_signal(int sig)
{
    (void)sig;
    if (stop_loop)
        ug_loop_stop(stop_loop);
}

void ug_cmd_capture_usage(FILE *f)
{
    fprintf(f,
            "usage: uagate capture -i IF [-w FILE] [-c COUNT] [--dump-json] [-p] [-v]\n"
            "  Record UADP traffic on interface IF (UDP to ports %d-%d, Ethernet frames of\n"
            "  EtherType 0x%04X, with or without an 802.1Q tag) and print each message as\n"
            "  'uagate decode' does. Needs CAP_NET_RAW.\n"
            "  -i IF       the interface\n"
            "  -w FILE     also write the frames: pcapng when FILE ends in .pcapng, else\n"
            "              classic pcap (nanosecond timestamps)\n"
            "  -c COUNT    stop after COUNT UADP messages\n"
            "  --dump-json JSON Lines, as 'uagate decode --dump-json' (file: the interface)\n"
            "  -p          do not put the interface into promiscuous mode\n"
            "  -v          also list frames that passed the filter but are not UADP\n"
            "  SIGINT or SIGTERM stops; counts go to stderr.\n"
            "  Exit status: 0, 1 some messages were malformed, 2 usage error or the\n"
            "  interface could not be opened.\n",
            UG_CAPTURE_PORT_MIN, UG_CAPTURE_PORT_MAX, UG_ETHERTYPE_UADP);
}

/* ------------------------------------------------ pcapng block writer -- */

/* pcapng (draft-ietf-opsawg-pcapng): a Section Header Block, one Interface
 * Description Block, one Enhanced Packet Block per frame, all in host byte
 * order (the SHB's byte-order magic tells readers which). */
static bool ng_put(FILE *f, const void *p, size_t n) { return fwrite(p, 1, n, f) == n; }

static bool ng_u32(FILE *f, uint32_t v) { return ng_put(f, &v, 4); }

static bool ng_pad(FILE *f, size_t n)
{
    static const uint8_t zero[4];
    return ng_put(f, zero, (4 - n % 4) % 4);
}

static size_t pad4(size_t n) { return (n + 3) & ~(size_t)3; }

static bool ng_header(FILE *f, int linktype, const char *ifname)
{
    bool ok = true;
    /* SHB: type, length, byte-order magic, version 1.0, section length
     * unknown (-1), length again. */
    const uint32_t shb_len = 28;
    const int64_t unknown = -1;
    ok = ok && ng_u32(f, 0x0A0D0D0A) && ng_u32(f, shb_len) && ng_u32(f, 0x1A2B3C4D);
    const uint16_t ver[2] = {1, 0};
    ok = ok && ng_put(f, ver, 4) && ng_put(f, &unknown, 8) && ng_u32(f, shb_len);
    /* IDB: link type, reserved, snaplen, options if_name (2), if_tsresol (9)
     * = 9 (10^-9 s), opt_endofopt. */
    size_t name_len = strlen(ifname);
    if (name_len > 255)
        name_len = 255;
    uint32_t idb_len = (uint32_t)(8 + 8 + 4 + pad4(name_len) + 4 + 4 + 4 + 4);
    const uint16_t lt[2] = {(uint16_t)linktype, 0};
    const uint16_t name_opt[2] = {2, (uint16_t)name_len};
    const uint16_t res_opt[2] = {9, 1};
    const uint8_t res[4] = {9, 0, 0, 0};
    const uint16_t end_opt[2] = {0, 0};
    ok = ok && ng_u32(f, 1) && ng_u32(f, idb_len) && ng_put(f, lt, 4) && ng_u32(f, SNAPLEN);
    ok = ok && ng_put(f, name_opt, 4) && ng_put(f, ifname, name_len) && ng_pad(f, name_len);
    ok = ok && ng_put(f, res_opt, 4) && ng_put(f, res, 4) && ng_put(f, end_opt, 4);
    return ok && ng_u32(f, idb_len);
}

static bool ng_packet(FILE *f, uint64_t ts_ns, const uint8_t *data, uint32_t caplen,
                      uint32_t origlen)
{
    uint32_t len = (uint32_t)(32 + pad4(caplen));
    return ng_u32(f, 6) && ng_u32(f, len) && ng_u32(f, 0) &&
           ng_u32(f, (uint32_t)(ts_ns >> 32)) && ng_u32(f, (uint32_t)ts_ns) &&
           ng_u32(f, caplen) && ng_u32(f, origlen) && ng_put(f, data, caplen) &&
           ng_pad(f, caplen) && ng_u32(f, len);
}

/* ------------------------------------------------------------ capture -- */

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
    cap_ctx *c = (cap_ctx *)(void *)user;
    if (c->limit && c->messages >= c->limit)
        return; /* the rest of this batch came after the COUNT-th message */
    ug_cap_pkt p;
    memset(&p, 0, sizeof p);
    p.frame = ++c->frames;
    p.ts_sec = h->ts.tv_sec;
    p.ts_nsec = (uint32_t)h->ts.tv_usec * (c->nano ? 1u : 1000u);
    p.truncated = h->caplen < h->len;

    if (c->dumper)
        pcap_dump((u_char *)c->dumper, h, data);
    if (c->ng && !c->write_failed &&
        !ng_packet(c->ng, (uint64_t)p.ts_sec * 1000000000u + p.ts_nsec, data, h->caplen, h->len))
        c->write_failed = true;

    ug_capture_parse(&p, c->dlt, data, h->caplen);
    if (!p.data) {
        if (c->verbose && !c->json)
            printf("frame %lu: skipped (%s)\n", p.frame, p.src);
        return;
    }
    c->messages++;
    if (!ug_decode_print_pkt(&p, c->ifname, c->json, &c->arena))
        c->malformed++;
    fflush(stdout);
    if (c->limit && c->messages >= c->limit)
        ug_loop_stop(c->loop);
}

static void on_readable(ug_loop *loop, struct ug_watch *w, uint32_t revents)
{
    (void)revents;
    cap_ctx *c = w->data;
    int n = pcap_dispatch(c->pc, FRAMES_PER_WAKE, on_packet, (u_char *)(void *)c);
    if (n == PCAP_ERROR) {
        fprintf(stderr, "uagate capture: %s: %s\n", c->ifname, pcap_geterr(c->pc));
        c->fatal = UG_STATUS_BADCOMMUNICATIONERROR;
        ug_loop_stop(loop);
    }
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Opens and activates the live capture. 0, or -1 with a message printed. */
static int open_live(cap_ctx *c, bool promisc)
{
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    c->pc = pcap_create(c->ifname, ebuf);
    if (!c->pc) {
        fprintf(stderr, "uagate capture: %s: %s\n", c->ifname, ebuf);
        return -1;
    }
    pcap_set_snaplen(c->pc, SNAPLEN);
    pcap_set_promisc(c->pc, promisc);
    /* Each frame as it arrives: without it TPACKET_V3 hands over whole
     * blocks, up to its timeout late. */
    pcap_set_immediate_mode(c->pc, 1);
    pcap_set_buffer_size(c->pc, 4 << 20);
    pcap_set_tstamp_precision(c->pc, PCAP_TSTAMP_PRECISION_NANO);
    int rc = pcap_activate(c->pc);
    if (rc < 0) {
        const char *why = rc == PCAP_ERROR_PERM_DENIED ? " (needs CAP_NET_RAW: run as root)" : "";
        fprintf(stderr, "uagate capture: %s: %s%s\n", c->ifname, pcap_geterr(c->pc), why);
        return -1;
    }
    if (rc > 0)
        fprintf(stderr, "uagate capture: %s: warning: %s\n", c->ifname, pcap_geterr(c->pc));
    c->nano = pcap_get_tstamp_precision(c->pc) == PCAP_TSTAMP_PRECISION_NANO;
    c->dlt = pcap_datalink(c->pc);
    struct bpf_program prog;
    if (pcap_compile(c->pc, &prog, CAPTURE_FILTER, 1, PCAP_NETMASK_UNKNOWN)) {
        fprintf(stderr, "uagate capture: %s: filter: %s\n", c->ifname, pcap_geterr(c->pc));
        return -1;
    }
    rc = pcap_setfilter(c->pc, &prog);
    pcap_freecode(&prog);
    if (rc) {
        fprintf(stderr, "uagate capture: %s: filter: %s\n", c->ifname, pcap_geterr(c->pc));
        return -1;
    }
    if (pcap_setnonblock(c->pc, 1, ebuf)) {
        fprintf(stderr, "uagate capture: %s: %s\n", c->ifname, ebuf);
        return -1;
    }
    return 0;
}

static int open_output(cap_ctx *c, const char *path)
{
    if (ends_with(path, ".pcapng")) {
        c->ng = fopen(path, "wb");
        if (!c->ng || !ng_header(c->ng, c->dlt, c->ifname)) {
            fprintf(stderr, "uagate capture: %s: %s\n", path, strerror(errno));
            return -1;
        }
        return 0;
    }
    c->dumper = pcap_dump_open(c->pc, path);
    if (!c->dumper) {
        fprintf(stderr, "uagate capture: %s: %s\n", path, pcap_geterr(c->pc));
        return -1;
    }
    return 0;
}

/* Flushes and closes -w; -1 when something could not be written. */
static int close_output(cap_ctx *c, const char *path)
{
    int rc = 0;
    if (c->dumper) {
        if (pcap_dump_flush(c->dumper))
            rc = -1;
        pcap_dump_close(c->dumper);
    }
    if (c->ng) {
        if (fclose(c->ng) || c->write_failed)
            rc = -1;
    }
    if (rc)
        fprintf(stderr, "uagate capture: %s: write failed\n", path);
    return rc;
}

static int parse_count(const char *s, unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v == 0)
        return -1;
    *out = v;
    return 0;
}

int ug_cmd_capture(int argc, char **argv)
{
    cap_ctx c;
    memset(&c, 0, sizeof c);
    const char *out_path = NULL;
    bool promisc = true;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_val = i + 1 < argc;
        if (strcmp(a, "-i") == 0 && has_val) {
            c.ifname = argv[++i];
        } else if (strcmp(a, "-w") == 0 && has_val) {
            out_path = argv[++i];
        } else if (strcmp(a, "-c") == 0 && has_val) {
            if (parse_count(argv[++i], &c.limit)) {
                fprintf(stderr, "uagate capture: -c needs a positive count, not '%s'\n", argv[i]);
                return UG_EXIT_USAGE;
            }
        } else if (strcmp(a, "--dump-json") == 0) {
            c.json = true;
        } else if (strcmp(a, "-p") == 0) {
            promisc = false;
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            c.verbose = true;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            ug_cmd_capture_usage(stdout);
            return UG_EXIT_OK;
        } else {
            fprintf(stderr, "uagate capture: unknown option or missing value '%s'\n", a);
            ug_cmd_capture_usage(stderr);
            return UG_EXIT_USAGE;
        }
    }
    if (!c.ifname) {
        fprintf(stderr, "uagate capture: no interface given (-i IF)\n");
        ug_cmd_capture_usage(stderr);
        return UG_EXIT_USAGE;
    }

    int exit_code = UG_EXIT_USAGE;
    ug_status s = ug_loop_new(NULL, &c.loop);
    if (ug_is_bad(s)) {
        fprintf(stderr, "uagate capture: event loop: %s\n", sname(s));
        return UG_EXIT_USAGE;
    }
    static uint8_t arena_buf[256 * 1024];
    ug_arena_init(&c.arena, arena_buf, sizeof arena_buf, true);
    if (open_live(&c, promisc) || (out_path && open_output(&c, out_path)))
        goto out;
    s = ug_watch_start(c.loop, &c.watch, pcap_get_selectable_fd(c.pc), EPOLLIN, on_readable, &c);
    if (ug_is_bad(s)) {
        fprintf(stderr, "uagate capture: %s: watch: %s\n", c.ifname, sname(s));
        goto out;
    }

    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    stop_loop = c.loop;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    fprintf(stderr, "uagate capture: listening on %s (%s), filter: %s\n", c.ifname,
            pcap_datalink_val_to_name(c.dlt) ? pcap_datalink_val_to_name(c.dlt) : "?",
            CAPTURE_FILTER);
    s = ug_loop_run(c.loop);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    stop_loop = NULL;
    ug_watch_stop(c.loop, &c.watch);
    fflush(stdout);

    struct pcap_stat st;
    memset(&st, 0, sizeof st);
    bool have_stats = pcap_stats(c.pc, &st) == 0;
    fprintf(stderr, "uagate capture: %lu frame(s), %lu UADP message(s), %lu malformed", c.frames,
            c.messages, c.malformed);
    if (have_stats)
        fprintf(stderr, ", %u dropped by the kernel", st.ps_drop);
    fputc('\n', stderr);
    if (ug_is_bad(s) || ug_is_bad(c.fatal))
        goto out;
    exit_code = c.malformed ? UG_EXIT_BAD_INPUT : UG_EXIT_OK;
out:
    if (out_path && close_output(&c, out_path))
        exit_code = UG_EXIT_USAGE;
    if (c.pc)
        pcap_close(c.pc);
    ug_arena_free(&c.arena);
    ug_loop_close(c.loop, -1);
    return exit_code;
}
