/* uagate decode [--json [--compact] | --dump-json] [-v] FILE... — print the
 * UADP NetworkMessages in raw message files and in pcap/pcapng captures, and
 * JSON NetworkMessages (Part 14 §7.2.5) as text.
 *
 * A file whose first bytes are a pcap or pcapng magic is read as a capture
 * (capture.c); one whose first non-space byte is '{' or '[' is a JSON
 * message; anything else is one raw UADP message. --json writes each message
 * as the standard Part 14 JSON NetworkMessage (ug_json_encode_nm), one per
 * line; --dump-json writes the model dump of print_json.c. Malformed messages are
 * listed as "frame N: <StatusName> at byte <offset>" and counted; the
 * listing goes on. Without keys, a signed message is shown with its signature
 * unverified and an encrypted payload is not decoded.
 *
 * Exit: 0 every message decoded, 1 some were malformed, 2 usage error or a
 * file that could not be read.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture.h"
#include "cli.h"
#include "print.h"
#ifdef UG_HAVE_JSON
#include "uagate/json.h"
#endif
#include "uagate/status.h"
#include "uagate/uadp.h"
#include "uagate/uadp_ext.h"

typedef struct decode_ctx {
    bool json;      /* --dump-json: the model dump (print_json.c) */
    bool part14;    /* --json: the standard JSON NetworkMessage */
    bool compact;   /* --compact: its Compact form (Part 6 §5.4.1) */
    bool verbose;
    char *out;      /* --json encode buffer, grown to the largest message */
    size_t out_cap;
    const char *file;
    unsigned long messages;  /* in this file */
    unsigned long malformed; /* in this file */
    unsigned long total_malformed;
    ug_arena arena;
} decode_ctx;

void ug_cmd_decode_usage(FILE *f)
{
    fprintf(f,
            "usage: uagate decode [--json [--compact] | --dump-json] [-v] FILE...\n"
            "  Print the UADP NetworkMessages in FILE: a raw UADP message, or a pcap/pcapng\n"
            "  capture (UDP/IPv4 and UDP/IPv6 to ports %d-%d, Ethernet frames of EtherType\n"
            "  0x%04X, with or without an 802.1Q tag); or a JSON NetworkMessage (Part 14\n"
            "  7.2.5, a file whose first non-space byte is '{' or '[').\n"
            "  --json     each message as the standard Part 14 JSON NetworkMessage, one per\n"
            "             line (Verbose form; errors go to stderr)\n"
            "  --compact  with --json: the Compact form\n"
            "  --dump-json one JSON object per message and line (JSON Lines), field names as in\n"
            "             the test vectors' .expect.json schema\n"
            "  -v         also list frames that are not UADP, and per-file totals\n"
            "  -h, --help this text\n"
            "  Malformed messages are listed as 'frame N: <StatusName> at byte <offset>'.\n"
            "  Exit status: 0 all messages decoded, 1 some malformed, 2 usage error or\n"
            "  unreadable file.\n",
            UG_CAPTURE_PORT_MIN, UG_CAPTURE_PORT_MAX, UG_ETHERTYPE_UADP);
}

static const char *status_text(ug_status s, char buf[16])
{
    const char *n = ug_status_name(s);
    if (n)
        return n;
    snprintf(buf, 16, "0x%08" PRIX32, s);
    return buf;
}

static const char *kind_name(uint8_t kind)
{
    switch (kind) {
    case UG_CAP_UDP4: return "UDP/IPv4";
    case UG_CAP_UDP6: return "UDP/IPv6";
    case UG_CAP_ETH: return "Ethernet/0xB62C";
    default: return "?";
    }
}

static void capture_time(const ug_cap_pkt *p, char *buf, size_t cap)
{
    time_t t = (time_t)p->ts_sec;
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        snprintf(buf, cap, "%" PRId64 ".%09" PRIu32, p->ts_sec, p->ts_nsec);
        return;
    }
    size_t n = strftime(buf, cap, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, cap - n, ".%09" PRIu32 "Z", p->ts_nsec);
}

/* Where the message came from: a JSON prefix or a text header line. */
static void print_origin(decode_ctx *c, const ug_cap_pkt *p, unsigned long frame, size_t len)
{
    char ts[64];
    if (c->json) {
        fputs("{\"file\":", stdout);
        ug_print_json_string(stdout, (const uint8_t *)c->file, strlen(c->file));
        printf(",\"frame\":%lu,\"length\":%zu", frame, len);
        if (p) {
            capture_time(p, ts, sizeof ts);
            printf(",\"time\":\"%s\",\"transport\":\"%s\",\"src\":", ts, kind_name(p->kind));
            ug_print_json_string(stdout, (const uint8_t *)p->src, strlen(p->src));
            fputs(",\"dst\":", stdout);
            ug_print_json_string(stdout, (const uint8_t *)p->dst, strlen(p->dst));
            if (p->has_vlan)
                printf(",\"vlan\":{\"vid\":%u,\"pcp\":%u,\"dei\":%u}", p->vid, p->pcp, p->dei);
            else
                fputs(",\"vlan\":null", stdout);
            printf(",\"truncated\":%s", p->truncated ? "true" : "false");
        }
        return;
    }
    if (!p) {
        printf("file %s: %zu bytes\n", c->file, len);
        return;
    }
    capture_time(p, ts, sizeof ts);
    printf("frame %lu %s %s %s -> %s", frame, ts, kind_name(p->kind), p->src, p->dst);
    if (p->has_vlan)
        printf(" VLAN VID %u PCP %u DEI %u", p->vid, p->pcp, p->dei);
    printf(", %zu bytes%s\n", len, p->truncated ? " (truncated in the capture)" : "");
}

/* --json: one standard JSON NetworkMessage per line; what cannot be printed
 * goes to stderr so stdout stays JSON Lines. nm NULL: decoding failed with s. */
static void print_part14(decode_ctx *c, const ug_nm *nm, ug_status s, size_t off,
                         unsigned long frame)
{
    char sbuf[16];
    if (!nm) {
        fprintf(stderr, "%s: frame %lu: %s at byte %zu\n", c->file, frame, status_text(s, sbuf),
                off);
        c->malformed++;
        c->total_malformed++;
        return;
    }
#ifdef UG_HAVE_JSON
    /* Every header field the model has: the JSON-NetworkMessage layout with
     * the DataSetMessage header (Part 14 §7.2.5.3/§7.2.5.4). */
    ug_json_enc_opts o = ug_json_enc_default;
    o.form = c->compact ? UG_JSON_COMPACT : UG_JSON_VERBOSE;
    o.nm_mask = UG_JSON_LAYOUT_NETWORK_MESSAGE | (nm->has_class_id ? UG_JSON_NM_DATASET_CLASS_ID : 0) |
                (nm->writer_group_name.len >= 0 ? UG_JSON_NM_WRITER_GROUP_NAME : 0);
    o.dsm_mask = UG_JSON_DSM_WRITER_ID | UG_JSON_DSM_METADATA_VERSION |
                 UG_JSON_DSM_SEQUENCE_NUMBER | UG_JSON_DSM_TIMESTAMP | UG_JSON_DSM_STATUS |
                 UG_JSON_DSM_MESSAGE_TYPE;
    /* A UADP message without PayloadHeader names no writer: leave the ids
     * out rather than write 0. */
    bool with_id = false;
    for (uint16_t i = 0; i < nm->n_dsm; i++) {
        if (nm->dsm[i].writer_name.len >= 0)
            o.dsm_mask |= UG_JSON_DSM_WRITER_NAME;
        with_id |= nm->dsm[i].has_writer_id;
    }
    if (!with_id)
        o.dsm_mask &= ~(uint32_t)UG_JSON_DSM_WRITER_ID;
    for (uint16_t i = 0; i < nm->n_dsm; i++)
        if (nm->dsm[i].field_count == 0 && nm->dsm[i].raw.len > 0) {
            fprintf(stderr, "%s: frame %lu: no JSON form: RawData fields not decoded (no metadata)\n",
                    c->file, frame);
            c->malformed++;
            c->total_malformed++;
            return;
        }
    size_t n = 0;
    s = ug_json_encode_nm(c->out, c->out_cap, nm, &o, &n);
    if (s == UG_STATUS_BADENCODINGLIMITSEXCEEDED && n > c->out_cap) {
        char *nb = realloc(c->out, n);
        if (nb) {
            c->out = nb;
            c->out_cap = n;
            s = ug_json_encode_nm(c->out, c->out_cap, nm, &o, &n);
        }
    }
    if (s == UG_STATUS_GOOD) {
        fwrite(c->out, 1, n, stdout);
        putchar('\n');
        return;
    }
    /* e.g. RawData fields without metadata, an encrypted payload */
    fprintf(stderr, "%s: frame %lu: no JSON form: %s\n", c->file, frame, status_text(s, sbuf));
#else
    fprintf(stderr, "%s: frame %lu: built without the JSON codec\n", c->file, frame);
#endif
    c->malformed++;
    c->total_malformed++;
}

static void decode_message(decode_ctx *c, const uint8_t *buf, size_t len, const ug_cap_pkt *p,
                           unsigned long frame)
{
    char sbuf[16];
    ug_nm nm;
    ug_uadp_frame fr;
    ug_print_info info = {0};
    size_t off = 0;
    ug_uadp_decode_opts o = {0};
    o.arena = &c->arena;
    ug_arena_reset(&c->arena);
    c->messages++;

    ug_status s = ug_uadp_decode_header(buf, len, &nm, &o, &fr, &off);
    if (s == UG_STATUS_GOOD && nm.has_security && (nm.security.flags & UG_SEC_SIGNED)) {
        /* Both PubSub policies sign with HMAC-SHA256: the signature's length
         * is known without keys, so the payload ends before it. */
        o.signature_len = UG_UADP_SIGNATURE_LEN;
        ug_arena_reset(&c->arena);
        s = ug_uadp_decode_header(buf, len, &nm, &o, &fr, &off);
    }
    if (s == UG_STATUS_GOOD && nm.has_security && (nm.security.flags & UG_SEC_ENCRYPTED)) {
        info.encrypted_payload = true;
        info.n_writer_ids = fr.count;
        info.writer_ids = fr.writer_ids;
        /* The DataSetMessages are ciphertext: show only what the header says. */
        nm.n_dsm = 0;
        nm.dsm = NULL;
        if (fr.signature_off <= len && o.signature_len)
            nm.security.signature = (ug_bytes){buf + fr.signature_off,
                                               (int32_t)(len - fr.signature_off)};
    } else if (s == UG_STATUS_GOOD) {
        s = ug_uadp_decode_payload(buf, len, &fr, &nm, &o, &off);
    }

    if (c->part14) {
        if (s == UG_STATUS_GOOD && info.encrypted_payload)
            fprintf(stderr, "%s: frame %lu: payload encrypted, not decoded (no keys)\n",
                    c->file, frame);
        else
            print_part14(c, s == UG_STATUS_GOOD ? &nm : NULL, s, off, frame);
        return;
    }
    print_origin(c, p, frame, len);
    if (s != UG_STATUS_GOOD) {
        c->malformed++;
        c->total_malformed++;
        if (c->json)
            printf(",\"error\":\"%s\",\"error_offset\":%zu}\n", status_text(s, sbuf), off);
        else
            printf("frame %lu: %s at byte %zu\n", frame, status_text(s, sbuf), off);
        return;
    }
    if (c->json) {
        fputs(",\"network_message\":", stdout);
        ug_print_nm_json(stdout, &nm, buf, len, &info);
        fputs("}\n", stdout);
    } else {
        ug_print_nm_text(stdout, &nm, buf, len, &info);
    }
}

bool ug_decode_print_pkt(const ug_cap_pkt *p, const char *label, bool json, ug_arena *arena)
{
    decode_ctx c;
    memset(&c, 0, sizeof c);
    c.json = json;
    c.file = label;
    c.arena = *arena;
    decode_message(&c, p->data, p->len, p, p->frame);
    *arena = c.arena; /* overflow blocks it grew stay owned by the caller's arena */
    return c.malformed == 0;
}

static void on_frame(void *ctx, const ug_cap_pkt *p)
{
    decode_ctx *c = ctx;
    if (!p->data) {
        if (c->verbose && !c->json && !c->part14)
            printf("frame %lu: skipped (%s)\n", p->frame, p->src);
        return;
    }
    decode_message(c, p->data, p->len, p, p->frame);
}

/* Part 14 §7.2.5: a JSON message starts with an object or an array. No UADP
 * message is mistaken: '{', '[' and the white space bytes as UADPFlags would
 * give a UADPVersion other than 1. */
static bool looks_like_json(const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        uint8_t b = buf[i];
        if (b == ' ' || b == '\t' || b == '\r' || b == '\n')
            continue;
        return b == '{' || b == '[';
    }
    return false;
}

#ifdef UG_HAVE_JSON
/* A JSON message: ua-data as text (or --json / --dump-json); ua-metadata and
 * ua-status are decoded and summed up in one line. */
static void decode_json(decode_ctx *c, const uint8_t *buf, size_t len)
{
    char sbuf[16];
    size_t off = 0;
    ug_status s;
    ug_string mt = ug_json_message_type(buf, len);
    bool is_meta = mt.len == 11 && memcmp(mt.data, "ua-metadata", 11) == 0;
    bool is_status = mt.len == 9 && memcmp(mt.data, "ua-status", 9) == 0;
    ug_arena_reset(&c->arena);
    c->messages++;
    if (is_meta || is_status) {
        ug_json_metadata_msg m;
        ug_json_status_msg st;
        s = is_meta ? ug_json_decode_metadata(buf, len, &m, NULL, &c->arena, &off)
                    : ug_json_decode_status(buf, len, &st, NULL, &c->arena, &off);
        if (s == UG_STATUS_GOOD && !c->json && !c->part14) {
            printf("file %s: %zu bytes, JSON %.*s\n", c->file, len, (int)mt.len,
                   (const char *)mt.data);
            if (is_meta)
                printf("  writer %u, DataSetMetaData \"%.*s\", %" PRId32 " fields, version %" PRIu32
                       ".%" PRIu32 "\n",
                       m.writer_id, m.metadata.name.len > 0 ? (int)m.metadata.name.len : 0,
                       m.metadata.name.len > 0 ? (const char *)m.metadata.name.data : "",
                       m.metadata.n_fields, m.metadata.cfg_major, m.metadata.cfg_minor);
            else
                printf("  state %" PRId32 "%s\n", st.state, st.is_cyclic ? ", cyclic" : "");
            return;
        }
        if (s == UG_STATUS_GOOD)
            s = UG_STATUS_BADNOTSUPPORTED; /* only ua-data has a model dump */
    } else {
        ug_nm nm;
        s = ug_json_decode_nm(buf, len, &nm, NULL, &c->arena, &off);
        if (s == UG_STATUS_GOOD) {
            if (c->part14) {
                print_part14(c, &nm, s, off, 1);
            } else if (c->json) {
                print_origin(c, NULL, 1, len);
                fputs(",\"network_message\":", stdout);
                ug_print_nm_json(stdout, &nm, NULL, 0, NULL);
                fputs("}\n", stdout);
            } else {
                printf("file %s: %zu bytes, JSON NetworkMessage\n", c->file, len);
                ug_print_nm_text(stdout, &nm, NULL, 0, NULL);
            }
            return;
        }
    }
    c->malformed++;
    c->total_malformed++;
    if (c->part14) {
        fprintf(stderr, "%s: %s at byte %zu\n", c->file, status_text(s, sbuf), off);
    } else if (c->json) {
        print_origin(c, NULL, 1, len);
        printf(",\"error\":\"%s\",\"error_offset\":%zu}\n", status_text(s, sbuf), off);
    } else {
        printf("file %s: JSON: %s at byte %zu\n", c->file, status_text(s, sbuf), off);
    }
}
#endif

static int read_all(FILE *f, uint8_t **out, size_t *len)
{
    size_t cap = 65536, n = 0;
    uint8_t *buf = malloc(cap);
    errno = 0;
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        uint8_t *nb = realloc(buf, cap * 2);
        if (!nb)
            break;
        buf = nb;
        cap *= 2;
    }
    if (!buf || ferror(f) || n == cap) {
        int e = ferror(f) ? (errno ? errno : EIO) : ENOMEM;
        free(buf);
        errno = e;
        return -1;
    }
    *out = buf;
    *len = n;
    return 0;
}

/* 0 done, -1 the file could not be read (message printed). */
static int decode_file(decode_ctx *c, const char *path)
{
    c->file = path;
    c->messages = c->malformed = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "uagate decode: %s: %s\n", path, strerror(errno));
        return -1;
    }
    uint8_t *buf = NULL;
    size_t len = 0;
    if (read_all(f, &buf, &len)) {
        fprintf(stderr, "uagate decode: %s: %s\n", path, strerror(errno));
        fclose(f);
        return -1;
    }
    fclose(f);
    int rc = 0;
    if (ug_capture_sniff(buf, len)) {
        char err[512];
        if (ug_capture_read(path, on_frame, c, err, sizeof err)) {
            fprintf(stderr, "uagate decode: %s: %s\n", path, err);
            rc = -1;
        }
    } else if (looks_like_json(buf, len)) {
#ifdef UG_HAVE_JSON
        decode_json(c, buf, len);
#else
        fprintf(stderr, "uagate decode: %s: a JSON message, and uagate was built without JSON\n",
                path);
        rc = -1;
#endif
    } else {
        decode_message(c, buf, len, NULL, 1);
    }
    free(buf);
    if (c->verbose && !c->json && !c->part14)
        printf("# %s: %lu UADP message(s), %lu malformed\n", path, c->messages, c->malformed);
    return rc;
}

int ug_cmd_decode(int argc, char **argv)
{
    decode_ctx c;
    memset(&c, 0, sizeof c);
    /* Options may come before or after the files; "--" ends them. */
    char **files = calloc((size_t)argc, sizeof *files);
    int n_files = 0;
    bool opts_done = false;
    if (!files) {
        fprintf(stderr, "uagate decode: out of memory\n");
        return UG_EXIT_USAGE;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (opts_done || a[0] != '-' || a[1] == 0) {
            files[n_files++] = argv[i];
        } else if (strcmp(a, "--") == 0) {
            opts_done = true;
        } else if (strcmp(a, "--json") == 0) {
            c.part14 = true;
        } else if (strcmp(a, "--compact") == 0) {
            c.compact = true;
        } else if (strcmp(a, "--dump-json") == 0) {
            c.json = true;
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            c.verbose = true;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            ug_cmd_decode_usage(stdout);
            free(files);
            return UG_EXIT_OK;
        } else {
            fprintf(stderr, "uagate decode: unknown option '%s'\n", a);
            ug_cmd_decode_usage(stderr);
            free(files);
            return UG_EXIT_USAGE;
        }
    }
    if ((c.part14 && c.json) || (c.compact && !c.part14)) {
        fprintf(stderr, "uagate decode: --compact goes with --json; --json and --dump-json "
                        "exclude each other\n");
        ug_cmd_decode_usage(stderr);
        free(files);
        return UG_EXIT_USAGE;
    }
    if (n_files == 0) {
        fprintf(stderr, "uagate decode: no FILE given\n");
        ug_cmd_decode_usage(stderr);
        free(files);
        return UG_EXIT_USAGE;
    }
    static uint8_t arena_buf[256 * 1024];
    ug_arena_init(&c.arena, arena_buf, sizeof arena_buf, true);
    bool unreadable = false;
    for (int i = 0; i < n_files; i++)
        if (decode_file(&c, files[i]))
            unreadable = true;
    free(files);
    free(c.out);
    ug_arena_free(&c.arena);
    fflush(stdout);
    if (unreadable)
        return UG_EXIT_USAGE;
    return c.total_malformed ? UG_EXIT_BAD_INPUT : UG_EXIT_OK;
}
