/* cmd_pubsub — `uagate pub` and `uagate sub`: publish a dataset from the
 * shell and watch what arrives, the way mosquitto_pub / mosquitto_sub do for
 * MQTT. Both talk to the transport directly: pub encodes one DataSetMessage
 * per NetworkMessage (UADP, or JSON with --json) with the values given;
 * sub decodes whatever arrives (UADP, or JSON when the message starts with
 * '{' or '[') and prints it. */
#include <arpa/inet.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "gw.h"
#include "log.h"
#include "print.h"
#include "uagate/json.h"
#include "uagate/transport.h"
#include "uagate/uadp.h"

#define PUB_MAX_FIELDS 64
#define PUB_BUF 65536

/* ------------------------------------------------------------- values -- */

/* Parses "name=Type:value" into a field (strings point into spec). */
static bool parse_field(char *spec, ug_dsm_field *f, char *err, size_t cap)
{
    char *eq = strchr(spec, '=');
    char *colon = eq ? strchr(eq + 1, ':') : NULL;
    if (!eq || !colon || eq == spec) {
        snprintf(err, cap, "\"%s\" is not name=Type:value", spec);
        return false;
    }
    *eq = *colon = '\0';
    const char *tname = eq + 1, *val = colon + 1;
    int t = ug_type_from_name(tname, -1);
    f->name = ug_string_from(spec);
    ug_variant *v = &f->dv.value;
    f->dv.mask = UG_DV_VALUE;
    v->type = (uint8_t)(t > 0 ? t : 0);
    v->array_len = UG_SCALAR;
    char *end = NULL;
    ug_scalar *s = &v->u.v;
    switch (t) {
    case UG_TYPE_BOOLEAN:
        if (strcmp(val, "true") && strcmp(val, "false") && strcmp(val, "1") && strcmp(val, "0"))
            goto bad;
        s->boolean = strcmp(val, "true") == 0 || strcmp(val, "1") == 0;
        return true;
    case UG_TYPE_STRING:
    case UG_TYPE_BYTESTRING:
        s->string = ug_string_from(val);
        return true;
    case UG_TYPE_FLOAT:
    case UG_TYPE_DOUBLE: {
        double d = strtod(val, &end);
        if (end == val || *end)
            goto bad;
        if (t == UG_TYPE_FLOAT)
            s->f32 = (float)d;
        else
            s->f64 = d;
        return true;
    }
    case UG_TYPE_SBYTE:
    case UG_TYPE_INT16:
    case UG_TYPE_INT32:
    case UG_TYPE_INT64: {
        long long x = strtoll(val, &end, 0);
        static const long long lim[] = {[UG_TYPE_SBYTE] = INT8_MAX, [UG_TYPE_INT16] = INT16_MAX,
                                        [UG_TYPE_INT32] = INT32_MAX, [UG_TYPE_INT64] = INT64_MAX};
        if (end == val || *end || x > lim[t] || x < -lim[t] - 1)
            goto bad;
        if (t == UG_TYPE_SBYTE)
            s->sbyte = (int8_t)x;
        else if (t == UG_TYPE_INT16)
            s->int16 = (int16_t)x;
        else if (t == UG_TYPE_INT32)
            s->int32 = (int32_t)x;
        else
            s->int64 = x;
        return true;
    }
    case UG_TYPE_BYTE:
    case UG_TYPE_UINT16:
    case UG_TYPE_UINT32:
    case UG_TYPE_UINT64: {
        if (val[0] == '-')
            goto bad;
        unsigned long long x = strtoull(val, &end, 0);
        static const unsigned long long lim[] = {[UG_TYPE_BYTE] = UINT8_MAX,
                                                 [UG_TYPE_UINT16] = UINT16_MAX,
                                                 [UG_TYPE_UINT32] = UINT32_MAX,
                                                 [UG_TYPE_UINT64] = UINT64_MAX};
        if (end == val || *end || x > lim[t])
            goto bad;
        if (t == UG_TYPE_BYTE)
            s->byte = (uint8_t)x;
        else if (t == UG_TYPE_UINT16)
            s->uint16 = (uint16_t)x;
        else if (t == UG_TYPE_UINT32)
            s->uint32 = (uint32_t)x;
        else
            s->uint64 = x;
        return true;
    }
    default:
        snprintf(err, cap, "field %s: \"%s\" is not a type pub can send (use Boolean, SByte, "
                           "Byte, Int16, UInt16, Int32, UInt32, Int64, UInt64, Float, Double, "
                           "String or ByteString)", spec, tname);
        return false;
    }
bad:
    snprintf(err, cap, "field %s: \"%s\" is not a %s", spec, val, tname);
    return false;
}

/* A compact JSON value for a field (numbers as numbers). */
static void value_json(FILE *f, const ug_datavalue *dv)
{
    const ug_variant *v = &dv->value;
    if (!(dv->mask & UG_DV_VALUE) || v->type == UG_TYPE_NULL) {
        fputs("null", f);
        return;
    }
    if (v->type == UG_TYPE_STRING && !ug_variant_is_array(v)) {
        ug_print_json_string(f, v->u.v.string.data, v->u.v.string.len < 0 ? 0 : (size_t)v->u.v.string.len);
        return;
    }
    char buf[96];
    if (!ug_variant_is_array(v) && (v->type == UG_TYPE_DOUBLE || v->type == UG_TYPE_FLOAT)) {
        /* Shortest text that reads back to the same value, as the JSON
         * encoding writes it (Part 6 §5.4.2.3: NaN and infinities as strings). */
        size_t n = v->type == UG_TYPE_DOUBLE ? ug_json_format_double(v->u.v.f64, buf)
                                             : ug_json_format_float(v->u.v.f32, buf);
        bool special = buf[0] == 'N' || buf[0] == 'I' || (buf[0] == '-' && buf[1] == 'I');
        if (special)
            ug_print_json_string(f, (const uint8_t *)buf, n);
        else
            fwrite(buf, 1, n, f);
        return;
    }
    ug_gw_format_value(dv, buf, sizeof buf);
    bool numeric = v->type >= UG_TYPE_SBYTE && v->type <= UG_TYPE_DOUBLE &&
                   !ug_variant_is_array(v) && strcmp(buf, "nan") && strcmp(buf, "inf") &&
                   strcmp(buf, "-inf");
    if (numeric || v->type == UG_TYPE_BOOLEAN)
        fputs(buf, f);
    else
        ug_print_json_string(f, (const uint8_t *)buf, strlen(buf));
}

/* ---------------------------------------------------------------- pub -- */

typedef struct pub_ctx {
    ug_loop *loop;
    ug_transport *t;
    struct ug_timer timer;
    ug_nm nm;
    ug_dsm dsm;
    bool json;
    uint64_t count, sent;
    int64_t interval_ns;
    uint16_t seq;
    uint8_t *buf;
    int rc;
    bool closed;
} pub_ctx;

static void pub_send(ug_loop *loop, struct ug_timer *tm)
{
    pub_ctx *p = tm->data;
    p->nm.group.seq = p->seq;
    p->dsm.seq = p->seq;
    p->nm.timestamp = p->dsm.timestamp = ug_datetime_now();
    char msgid[32];
    snprintf(msgid, sizeof msgid, "uagate-pub-%" PRIu64, p->sent);
    p->nm.message_id = ug_string_from(msgid);
    size_t len = 0;
    ug_status st = p->json ? ug_json_encode_nm(p->buf, PUB_BUF, &p->nm, &ug_json_enc_default, &len)
                           : ug_uadp_encode(&p->nm, p->buf, PUB_BUF, &len);
    if (st == UG_STATUS_GOOD)
        st = ug_transport_send(p->t, (ug_bytes){p->buf, (int32_t)len}, 0);
    if (st != UG_STATUS_GOOD) {
        ug_log(UG_LOG_ERROR, "pub: message %" PRIu64 " not sent: %s", p->sent + 1,
               ug_status_name(st));
        p->rc = UG_EXIT_BAD_INPUT;
        ug_loop_stop(loop);
        return;
    }
    p->sent++;
    p->seq++;
    ug_log(UG_LOG_DEBUG, "pub: sent message %" PRIu64 " (%zu bytes)", p->sent, len);
    if (p->sent >= p->count) {
        ug_timer_stop(loop, tm);
        ug_loop_stop(loop);
    }
}

static void pub_state(void *ctx, ug_transport *t, enum ug_transport_state s, ug_status st)
{
    (void)t;
    pub_ctx *p = ctx;
    if (s == UG_TRANSPORT_CONNECTED && !ug_timer_active(&p->timer)) {
        ug_status ts = ug_timer_start_cyclic(p->loop, &p->timer, p->interval_ns, 0,
                                             UG_TIMER_CURRENT_TIME);
        if (ts != UG_STATUS_GOOD) {
            ug_log(UG_LOG_ERROR, "pub: timer: %s", ug_status_name(ts));
            p->rc = UG_EXIT_USAGE;
            ug_loop_stop(p->loop);
            return;
        }
        pub_send(p->loop, &p->timer); /* the first message at once */
    } else if (s == UG_TRANSPORT_ERROR) {
        ug_log(UG_LOG_WARN, "pub: transport error: %s", ug_status_name(st));
    }
}

static void on_closed(void *ctx, ug_transport *t)
{
    (void)t;
    *(bool *)ctx = true;
}

/* Runs the loop until the transport's on_closed fired, at most ~1 s: polls,
 * so an idle loop (no timer, nothing in flight) cannot block it. */
static void drain(ug_loop *loop, const bool *closed)
{
    for (int i = 0; i < 1000 && !*closed; i++) {
        ug_loop_run_once(loop, false);
        if (!*closed)
            usleep(1000);
    }
}

/* ---- mqtt:// and amqp:// options shared by pub and sub ---- */

enum { OPT_QOS = 1000, OPT_USER, OPT_CA_FILE, OPT_MQTT_VERSION };

#define BROKER_LONG_OPTS                                                                     \
    {"qos", required_argument, NULL, OPT_QOS}, {"user", required_argument, NULL, OPT_USER}, \
        {"ca-file", required_argument, NULL, OPT_CA_FILE},                                  \
        {"mqtt-version", required_argument, NULL, OPT_MQTT_VERSION}

#define BROKER_USAGE                                                                          \
    "  --qos N                   mqtt: QoS 0, 1 or 2; amqp: 0 pre-settled, 1 or 2 at least\n"  \
    "                            once (default: pub 1, sub 1)\n"                               \
    "  --user NAME               broker user; the password is read from UAGATE_PASSWORD\n"    \
    "  --ca-file FILE            mqtts/amqps: trusted CAs (PEM)\n"                             \
    "  --mqtt-version V          3.1.1 or 5 (default 5)\n"

typedef struct broker_args {
    int qos;                 /* 0..2, -1: default */
    const char *user;
    const char *ca_file;
    bool mqtt311;
} broker_args;

/* Handles one broker option; false: not one, or a bad value. */
static bool broker_opt(broker_args *b, int c, const char *arg, bool *bad)
{
    switch (c) {
    case OPT_QOS:
        if (arg[0] < '0' || arg[0] > '2' || arg[1])
            *bad = true;
        b->qos = arg[0] - '0';
        return true;
    case OPT_USER: b->user = arg; return true;
    case OPT_CA_FILE: b->ca_file = arg; return true;
    case OPT_MQTT_VERSION:
        if (strcmp(arg, "3.1.1") == 0)
            b->mqtt311 = true;
        else if (strcmp(arg, "5") != 0)
            *bad = true;
        return true;
    default: return false;
    }
}

/* The broker options for url (nothing for other kinds); the kind, or NONE. */
static enum ug_transport_kind broker_apply(const char *url, const broker_args *b, bool json,
                                           bool sending, ug_transport_opts *to)
{
    ug_transport_url u;
    if (ug_transport_url_parse(url, &u, NULL, 0) != UG_STATUS_GOOD)
        return UG_TRANSPORT_NONE;
    const char *pw = b->user ? getenv("UAGATE_PASSWORD") : NULL;
    int qos = b->qos < 0 ? 1 : b->qos;
    if (u.kind == UG_TRANSPORT_MQTT) {
        to->mqtt.version = b->mqtt311 ? UG_MQTT_V311 : UG_MQTT_V5;
        to->mqtt.qos = qos;
        to->mqtt.username = b->user;
        to->mqtt.password = pw;
        to->mqtt.ca_file = b->ca_file;
        if (sending && !b->mqtt311)
            to->mqtt.content_type = json ? UG_MQTT_CONTENT_JSON : UG_MQTT_CONTENT_UADP;
    } else if (u.kind == UG_TRANSPORT_AMQP) {
        to->amqp.qos = qos ? UG_AMQP_QOS_AT_LEAST_ONCE : UG_AMQP_QOS_BEST_EFFORT;
        to->amqp.user = b->user;
        to->amqp.password = pw;
        to->amqp.ca_file = b->ca_file;
        to->amqp.body = json ? UG_AMQP_BODY_JSON : UG_AMQP_BODY_UADP;
    }
    return u.kind;
}

/* Whether a broker transport still holds messages (queued, unsent or, at
 * QoS >= 1, unacknowledged). */
static bool broker_pending(ug_transport *t, enum ug_transport_kind kind)
{
    if (kind == UG_TRANSPORT_MQTT) {
        ug_mqtt_stats ms;
        return ug_transport_mqtt_get_stats(t, &ms) == UG_STATUS_GOOD &&
               (ms.queue_len || ms.inflight);
    }
    if (kind == UG_TRANSPORT_AMQP) {
        ug_amqp_stats as;
        return ug_transport_amqp_get_stats(t, &as) == UG_STATUS_GOOD && as.queued;
    }
    return false;
}

/* Runs the loop until the broker has what was published (at most 10 s),
 * then 100 ms more: a QoS 0 message handed to the library may still sit in
 * its socket buffer. */
static void broker_flush(ug_loop *loop, ug_transport *t, enum ug_transport_kind kind)
{
    if (kind != UG_TRANSPORT_MQTT && kind != UG_TRANSPORT_AMQP)
        return;
    int64_t end = ug_loop_now(loop) + 10000000000LL;
    while (broker_pending(t, kind) && ug_loop_now(loop) < end) {
        ug_loop_run_once(loop, false);
        usleep(1000);
    }
    if (broker_pending(t, kind))
        ug_log(UG_LOG_WARN, "pub: the broker did not take every message within 10 s");
    for (int i = 0; i < 100; i++) {
        ug_loop_run_once(loop, false);
        usleep(1000);
    }
}

static void pub_closed(void *ctx, ug_transport *t)
{
    on_closed(&((pub_ctx *)ctx)->closed, t);
}

void ug_cmd_pub_usage(FILE *f)
{
    fprintf(f,
            "usage: uagate pub URL --dataset name=Type:value[,name=Type:value...] [options]\n"
            "Publishes one DataSetMessage per NetworkMessage to URL (opc.udp://HOST:PORT,\n"
            "opc.eth://MAC, mqtt[s]://HOST[:PORT]/TOPIC, amqp[s]://HOST[:PORT]/ADDRESS).\n"
            "  -D, --dataset SPEC        the fields, e.g. temp=Double:21.5,ok=Boolean:true\n"
            "  -n, --count N             messages to send (default 1)\n"
            "  -i, --interval D          time between messages (default 1s)\n"
            "  -j, --json                JSON NetworkMessages instead of UADP\n"
            "  -p, --publisher-id N      PublisherId (UInt16 default 1; text: a String id)\n"
            "  -g, --writer-group-id N   WriterGroupId (default 1)\n"
            "  -w, --writer-id N         DataSetWriterId (default 1)\n"
            "  -I, --interface IF        network interface (multicast, opc.eth)\n"
            "  -l, --log-level L         error, warn, info (default), debug\n" BROKER_USAGE);
}

static bool parse_u16(const char *s, uint16_t *out)
{
    char *end;
    unsigned long v = strtoul(s, &end, 0);
    if (end == s || *end || v > UINT16_MAX || s[0] == '-')
        return false;
    *out = (uint16_t)v;
    return true;
}

int ug_cmd_pub(int argc, char **argv)
{
    static const struct option opts[] = {
        {"dataset", required_argument, NULL, 'D'},   {"count", required_argument, NULL, 'n'},
        {"interval", required_argument, NULL, 'i'},  {"json", no_argument, NULL, 'j'},
        {"publisher-id", required_argument, NULL, 'p'},
        {"writer-group-id", required_argument, NULL, 'g'},
        {"writer-id", required_argument, NULL, 'w'}, {"interface", required_argument, NULL, 'I'},
        {"log-level", required_argument, NULL, 'l'}, {"help", no_argument, NULL, 'h'},
        BROKER_LONG_OPTS, {NULL, 0, NULL, 0}};
    pub_ctx p = {.count = 1, .interval_ns = 1000000000, .rc = UG_EXIT_OK};
    broker_args brk = {.qos = -1};
    bool bad = false;
    char *spec = NULL, *pubid_text = NULL;
    uint16_t wgid = 1, wid = 1;
    const char *iface = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "D:n:i:jp:g:w:I:l:h", opts, NULL)) != -1) {
        char *end;
        enum ug_log_level lvl;
        switch (c) {
        case 'D': spec = optarg; break;
        case 'n':
            p.count = strtoull(optarg, &end, 10);
            if (end == optarg || *end || p.count == 0 || optarg[0] == '-')
                goto usage;
            break;
        case 'i':
            if (!ug_cfg_parse_duration(optarg, &p.interval_ns) || p.interval_ns <= 0)
                goto usage;
            break;
        case 'j': p.json = true; break;
        case 'p': pubid_text = optarg; break;
        case 'g':
            if (!parse_u16(optarg, &wgid))
                goto usage;
            break;
        case 'w':
            if (!parse_u16(optarg, &wid) || wid == 0)
                goto usage;
            break;
        case 'I': iface = optarg; break;
        case 'l':
            if (!ug_log_parse_level(optarg, &lvl))
                goto usage;
            ug_log_set_level(lvl);
            break;
        case 'h': ug_cmd_pub_usage(stdout); return UG_EXIT_OK;
        default:
            if (!broker_opt(&brk, c, optarg, &bad) || bad)
                goto usage;
        }
    }
    if (optind != argc - 1 || !spec)
        goto usage;
    const char *url = argv[optind];

    char *specs = strdup(spec);
    ug_dsm_field *fields = calloc(PUB_MAX_FIELDS, sizeof *fields);
    p.buf = malloc(PUB_BUF);
    if (!specs || !fields || !p.buf) {
        free(specs);
        free(fields);
        free(p.buf);
        return UG_EXIT_USAGE;
    }
    uint16_t n = 0;
    char err[256];
    int rc = UG_EXIT_OK;
    for (char *save = NULL, *tok = strtok_r(specs, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        if (n == PUB_MAX_FIELDS || !parse_field(tok, &fields[n], err, sizeof err)) {
            if (n == PUB_MAX_FIELDS)
                snprintf(err, sizeof err, "more than %d fields", PUB_MAX_FIELDS);
            fprintf(stderr, "uagate pub: --dataset: %s\n", err);
            rc = UG_EXIT_USAGE;
            break;
        }
        fields[n].index = n;
        n++;
    }
    if (rc == UG_EXIT_OK && n == 0) {
        fprintf(stderr, "uagate pub: --dataset: no fields\n");
        rc = UG_EXIT_USAGE;
    }

    ug_nm_init(&p.nm);
    ug_dsm_init(&p.dsm);
    if (pubid_text) {
        char *end;
        unsigned long long v = strtoull(pubid_text, &end, 0);
        if (end != pubid_text && !*end && pubid_text[0] != '-') {
            p.nm.publisher_id.type = v <= UINT16_MAX ? UG_PUBID_UINT16
                                     : v <= UINT32_MAX ? UG_PUBID_UINT32 : UG_PUBID_UINT64;
            p.nm.publisher_id.u64 = v;
        } else {
            p.nm.publisher_id.type = UG_PUBID_STRING;
            p.nm.publisher_id.str = ug_string_from(pubid_text);
        }
    } else {
        p.nm.publisher_id.type = UG_PUBID_UINT16;
        p.nm.publisher_id.u64 = 1;
    }
    /* Part 14 §7.2.4.4: the header carries what a reader filters on. */
    p.nm.has_group_header = true;
    p.nm.group.has_writer_group_id = true;
    p.nm.group.writer_group_id = wgid;
    p.nm.group.has_seq = true;
    p.nm.has_payload_header = true;
    p.nm.has_timestamp = true;
    p.dsm.writer_id = wid;
    p.dsm.has_writer_id = true;
    p.dsm.has_seq = true;
    p.dsm.has_timestamp = true;
    p.dsm.field_count = n;
    p.dsm.fields = fields;
    p.nm.n_dsm = 1;
    p.nm.dsm = &p.dsm;

    ug_status st = UG_STATUS_GOOD;
    if (rc == UG_EXIT_OK)
        st = ug_loop_new(NULL, &p.loop);
    if (rc == UG_EXIT_OK && st == UG_STATUS_GOOD) {
        char why[200] = "";
        ug_transport_opts to = {.mode = UG_TRANSPORT_SEND, .interface = iface,
                                .max_msg = p.json ? 65507 : 0, .errbuf = why,
                                .errbuf_cap = sizeof why};
        ug_transport_cbs cbs = {.ctx = &p, .on_state = pub_state, .on_closed = pub_closed};
        enum ug_transport_kind kind = broker_apply(url, &brk, p.json, true, &to);
        if (kind == UG_TRANSPORT_MQTT || kind == UG_TRANSPORT_AMQP)
            to.max_msg = 65507;
        ug_timer_init(&p.timer, pub_send, &p);
        st = ug_transport_open(p.loop, url, &to, &cbs, &p.t);
        if (st != UG_STATUS_GOOD) {
            fprintf(stderr, "uagate pub: %s: %s%s%s\n", url, ug_status_name(st),
                    why[0] ? ": " : "", why);
            rc = UG_EXIT_USAGE;
        } else {
            ug_loop_run(p.loop);
            rc = p.rc;
            ug_timer_stop(p.loop, &p.timer);
            if (rc == UG_EXIT_OK)
                broker_flush(p.loop, p.t, kind);
            ug_transport_close(p.t);
            drain(p.loop, &p.closed);
            if (rc == UG_EXIT_OK)
                ug_log(UG_LOG_INFO, "pub: sent %" PRIu64 " message%s to %s", p.sent,
                       p.sent == 1 ? "" : "s", url);
        }
    } else if (rc == UG_EXIT_OK) {
        fprintf(stderr, "uagate pub: event loop: %s\n", ug_status_name(st));
        rc = UG_EXIT_USAGE;
    }
    ug_loop_close(p.loop, -1);
    free(specs);
    free(fields);
    free(p.buf);
    return rc;
usage:
    ug_cmd_pub_usage(stderr);
    return UG_EXIT_USAGE;
}

/* ---------------------------------------------------------------- sub -- */

typedef struct sub_ctx {
    ug_loop *loop;
    ug_arena arena;
    bool json;
    uint64_t count, received, bad;
    bool closed;
} sub_ctx;

static void print_from(FILE *f, const ug_transport_msg *m, char *buf, size_t cap)
{
    (void)f;
    buf[0] = '\0';
    if (m->from && m->from->kind == UG_TRANSPORT_UDP) {
        const struct sockaddr_storage *ss = &m->from->u.ip;
        char host[64] = "?";
        unsigned port = 0;
        if (ss->ss_family == AF_INET) {
            const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
            inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
            port = ntohs(a->sin_port);
            snprintf(buf, cap, "%s:%u", host, port);
        } else if (ss->ss_family == AF_INET6) {
            const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
            inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
            port = ntohs(a->sin6_port);
            snprintf(buf, cap, "[%s]:%u", host, port);
        }
    } else if (m->from && m->from->kind == UG_TRANSPORT_ETH) {
        const uint8_t *s = m->from->u.eth.src;
        snprintf(buf, cap, "%02x:%02x:%02x:%02x:%02x:%02x", s[0], s[1], s[2], s[3], s[4], s[5]);
    }
}

static void print_json_line(const ug_nm *nm, const char *enc, const char *from)
{
    FILE *f = stdout;
    fprintf(f, "{\"encoding\":\"%s\",\"from\":\"%s\",\"publisherId\":", enc, from);
    if (nm->publisher_id.type == UG_PUBID_STRING)
        ug_print_json_string(f, nm->publisher_id.str.data,
                             nm->publisher_id.str.len < 0 ? 0 : (size_t)nm->publisher_id.str.len);
    else if (nm->publisher_id.type == UG_PUBID_NONE)
        fputs("null", f);
    else
        fprintf(f, "%" PRIu64, nm->publisher_id.u64);
    fputs(",\"writerGroupId\":", f);
    if (nm->has_group_header && nm->group.has_writer_group_id)
        fprintf(f, "%u", nm->group.writer_group_id);
    else
        fputs("null", f);
    fputs(",\"messages\":[", f);
    for (uint16_t i = 0; i < nm->n_dsm && nm->dsm; i++) {
        const ug_dsm *d = &nm->dsm[i];
        fprintf(f, "%s{\"dataSetWriterId\":", i ? "," : "");
        if (d->has_writer_id || d->writer_id)
            fprintf(f, "%u", d->writer_id);
        else
            fputs("null", f);
        fputs(",\"sequenceNumber\":", f);
        if (d->has_seq)
            fprintf(f, "%u", d->seq);
        else
            fputs("null", f);
        static const char *const types[] = {"ua-keyframe", "ua-deltaframe", "ua-event",
                                            "ua-keepalive"};
        fprintf(f, ",\"messageType\":\"%s\",\"fields\":{", types[d->type & 3]);
        for (uint16_t k = 0; k < d->field_count; k++) {
            const ug_dsm_field *fl = &d->fields[k];
            fputs(k ? "," : "", f);
            if (fl->name.data)
                ug_print_json_string(f, fl->name.data, (size_t)(fl->name.len < 0 ? 0 : fl->name.len));
            else
                fprintf(f, "\"%u\"", fl->index);
            fputc(':', f);
            value_json(f, &fl->dv);
        }
        fputs("}}", f);
    }
    fputs("]}\n", f);
}

/* Where a broker message came from (the MQTT topic, the AMQP address or
 * subject) and whether it carries DataSetMetaData (Part 14 §7.3.5.7: the
 * MQTT metadata topic; §7.3.4.6: AMQP subject ua-metadata). */
static const char *sdata(const ug_string *s)
{
    return s->data && s->len > 0 ? (const char *)s->data : "";
}

static int slen(const ug_string *s)
{
    return s->data && s->len > 0 ? (int)s->len : 0;
}

static bool broker_from(ug_transport *t, char *buf, size_t cap)
{
    bool md = false;
    enum ug_transport_kind kind = ug_transport_kind_of(t);
    if (kind == UG_TRANSPORT_MQTT) {
        ug_mqtt_rx rx;
        if (ug_transport_mqtt_rx(t, &rx) == UG_STATUS_GOOD && rx.topic.len > 0) {
            snprintf(buf, cap, "%.*s", slen(&rx.topic), sdata(&rx.topic));
            static const char suffix[] = "$Metadata";
            size_t n = (size_t)rx.topic.len, k = sizeof suffix - 1;
            md = n >= k && memcmp(rx.topic.data + n - k, suffix, k) == 0;
        }
    } else if (kind == UG_TRANSPORT_AMQP) {
        ug_amqp_rx rx;
        if (ug_transport_amqp_rx(t, &rx) == UG_STATUS_GOOD) {
            const ug_string *w = rx.to.len > 0 ? &rx.to : &rx.subject;
            snprintf(buf, cap, "%.*s", slen(w), sdata(w));
            md = rx.subject.len == 11 && memcmp(rx.subject.data, "ua-metadata", 11) == 0;
        }
    }
    return md;
}

static void print_metadata(const sub_ctx *s, const ug_dataset_metadata *md, uint16_t writer_id,
                           const char *enc, const char *from)
{
    if (s->json) {
        printf("{\"encoding\":\"%s\",\"from\":\"%s\",\"metadata\":{\"dataSetWriterId\":%u,"
               "\"name\":", enc, from, writer_id);
        ug_print_json_string(stdout, (const uint8_t *)sdata(&md->name), (size_t)slen(&md->name));
        printf(",\"majorVersion\":%" PRIu32 ",\"minorVersion\":%" PRIu32 ",\"fields\":[",
               md->cfg_major, md->cfg_minor);
        for (int32_t i = 0; i < md->n_fields; i++) {
            fputs(i ? "," : "", stdout);
            const ug_string *n = &md->fields[i].name;
            ug_print_json_string(stdout, (const uint8_t *)sdata(n), (size_t)slen(n));
        }
        puts("]}}");
    } else {
        printf("metadata from %s, %s: DataSetWriterId %u, \"%.*s\", %d field%s, version %" PRIu32
               ".%" PRIu32 "\n", from, enc, writer_id, slen(&md->name), sdata(&md->name),
               (int)md->n_fields, md->n_fields == 1 ? "" : "s",
               md->cfg_major, md->cfg_minor);
    }
}

static void sub_recv(void *ctx, ug_transport *t, const ug_transport_msg *m)
{
    sub_ctx *s = ctx;
    const uint8_t *buf = m->data.data;
    size_t len = m->data.len < 0 ? 0 : (size_t)m->data.len;
    size_t i = 0;
    while (i < len && (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\r' || buf[i] == '\t'))
        i++;
    bool is_json = i < len && (buf[i] == '{' || buf[i] == '[');
    ug_nm nm;
    size_t off = 0;
    ug_arena_reset(&s->arena);
    ug_status st;
    char from[256];
    print_from(stdout, m, from, sizeof from);
    bool md = broker_from(t, from, sizeof from);
    if (md && is_json) {
        ug_json_metadata_msg mm;
        st = ug_json_decode_metadata(buf, len, &mm, &ug_json_dec_default, &s->arena, &off);
        if (st == UG_STATUS_GOOD) {
            print_metadata(s, &mm.metadata, mm.writer_id, "JSON", from);
            fflush(stdout);
            return;
        }
    }
    if (is_json) {
        st = ug_json_decode_nm(buf, len, &nm, &ug_json_dec_default, &s->arena, &off);
    } else {
        ug_uadp_decode_opts o = {.arena = &s->arena};
        st = ug_uadp_decode(buf, len, &nm, &o, &off);
        if (st == UG_STATUS_GOOD && nm.type == UG_NM_DISCOVERY_RESPONSE &&
            nm.disc_resp.response_type == UG_DISC_DATASET_METADATA) {
            print_metadata(s, &nm.disc_resp.metadata, nm.disc_resp.writer_id, "UADP", from);
            fflush(stdout);
            return;
        }
    }
    s->received++;
    if (st != UG_STATUS_GOOD) {
        s->bad++;
        if (s->json)
            printf("{\"encoding\":\"%s\",\"from\":\"%s\",\"error\":\"%s\",\"errorOffset\":%zu}\n",
                   is_json ? "JSON" : "UADP", from, ug_status_name(st), off);
        else
            printf("message %" PRIu64 " from %s, %zu bytes, %s: %s at byte %zu\n", s->received,
                   from, len, is_json ? "JSON" : "UADP", ug_status_name(st), off);
    } else if (s->json) {
        print_json_line(&nm, is_json ? "JSON" : "UADP", from);
    } else {
        printf("message %" PRIu64 " from %s, %zu bytes, %s\n", s->received, from, len,
               is_json ? "JSON" : "UADP");
        ug_print_nm_text(stdout, &nm, is_json ? NULL : buf, is_json ? 0 : len, NULL);
    }
    fflush(stdout);
    if (s->count && s->received >= s->count)
        ug_loop_stop(s->loop);
}

static void sub_state(void *ctx, ug_transport *t, enum ug_transport_state st, ug_status why)
{
    (void)ctx;
    (void)t;
    if (st == UG_TRANSPORT_ERROR)
        ug_log(UG_LOG_WARN, "sub: transport error: %s", ug_status_name(why));
    else
        ug_log(UG_LOG_DEBUG, "sub: listening");
}

static void sub_closed(void *ctx, ug_transport *t)
{
    on_closed(&((sub_ctx *)ctx)->closed, t);
}

static void sub_stop(ug_loop *loop, struct ug_timer *t)
{
    (void)t;
    ug_loop_stop(loop);
}

void ug_cmd_sub_usage(FILE *f)
{
    fprintf(f,
            "usage: uagate sub URL [options]\n"
            "Prints the NetworkMessages arriving at URL (opc.udp://HOST:PORT, a multicast\n"
            "group or a local address; opc.eth://MAC; mqtt[s]://HOST[:PORT]/TOPIC, wildcards\n"
            "allowed; amqp[s]://HOST[:PORT]/ADDRESS), decoded: UADP, or JSON (detected).\n"
            "DataSetMetaData (MQTT .../$Metadata, AMQP subject ua-metadata) is printed as such.\n"
            "  -j, --json            one JSON object per message (machine-readable)\n"
            "  -n, --count N         stop after N messages\n"
            "  -d, --duration D      stop after D (\"10s\")\n"
            "  -I, --interface IF    network interface (multicast, opc.eth)\n"
            "  -l, --log-level L     error, warn, info (default), debug\n" BROKER_USAGE
            "Exit 0; 1 when a message could not be decoded.\n");
}

int ug_cmd_sub(int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},           {"count", required_argument, NULL, 'n'},
        {"duration", required_argument, NULL, 'd'}, {"interface", required_argument, NULL, 'I'},
        {"log-level", required_argument, NULL, 'l'}, {"help", no_argument, NULL, 'h'},
        BROKER_LONG_OPTS, {NULL, 0, NULL, 0}};
    sub_ctx s = {0};
    broker_args brk = {.qos = -1};
    bool bad = false;
    int64_t duration_ns = 0;
    const char *iface = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "jn:d:I:l:h", opts, NULL)) != -1) {
        char *end;
        enum ug_log_level lvl;
        switch (c) {
        case 'j': s.json = true; break;
        case 'n':
            s.count = strtoull(optarg, &end, 10);
            if (end == optarg || *end || optarg[0] == '-')
                goto usage;
            break;
        case 'd':
            if (!ug_cfg_parse_duration(optarg, &duration_ns) || duration_ns <= 0)
                goto usage;
            break;
        case 'I': iface = optarg; break;
        case 'l':
            if (!ug_log_parse_level(optarg, &lvl))
                goto usage;
            ug_log_set_level(lvl);
            break;
        case 'h': ug_cmd_sub_usage(stdout); return UG_EXIT_OK;
        default:
            if (!broker_opt(&brk, c, optarg, &bad) || bad)
                goto usage;
        }
    }
    if (optind != argc - 1)
        goto usage;
    const char *url = argv[optind];
    ug_arena_init(&s.arena, NULL, 0, true);
    ug_status st = ug_loop_new(NULL, &s.loop);
    if (st != UG_STATUS_GOOD) {
        fprintf(stderr, "uagate sub: event loop: %s\n", ug_status_name(st));
        return UG_EXIT_USAGE;
    }
    char why[200] = "";
    ug_transport_opts to = {.mode = UG_TRANSPORT_RECV, .interface = iface, .max_msg = 65507,
                            .udp = {.reuse = true}, .errbuf = why, .errbuf_cap = sizeof why};
    ug_transport_cbs cbs = {.ctx = &s, .on_recv = sub_recv, .on_state = sub_state,
                            .on_closed = sub_closed};
    broker_apply(url, &brk, false, false, &to);
    ug_transport *t = NULL;
    struct ug_timer stop;
    ug_timer_init(&stop, sub_stop, &s);
    st = ug_transport_open(s.loop, url, &to, &cbs, &t);
    int rc = UG_EXIT_OK;
    if (st != UG_STATUS_GOOD) {
        fprintf(stderr, "uagate sub: %s: %s%s%s\n", url, ug_status_name(st), why[0] ? ": " : "",
                why);
        rc = UG_EXIT_USAGE;
    } else {
        if (duration_ns)
            ug_timer_start_once(s.loop, &stop, ug_loop_now(s.loop) + duration_ns);
        ug_loop_run(s.loop);
        ug_timer_stop(s.loop, &stop);
        ug_transport_close(t);
        drain(s.loop, &s.closed);
        rc = s.bad ? UG_EXIT_BAD_INPUT : UG_EXIT_OK;
    }
    ug_loop_close(s.loop, -1);
    ug_arena_free(&s.arena);
    return rc;
usage:
    ug_cmd_sub_usage(stderr);
    return UG_EXIT_USAGE;
}
