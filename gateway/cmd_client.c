/* cmd_client — `uagate browse|read|write|call URL ...`: one-shot OPC UA
 * client commands on top of the blocking client layer (uagate/client.h).
 *
 * Each command connects (GetEndpoints, SecurityPolicy None, anonymous or
 * --user/--password), does its one service call, closes the session and
 * prints readable text on stdout. Failures name the status code on stderr and
 * exit 1; usage errors exit 2.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "print.h"
#include "uagate/status.h"
#include "uagate/types.h"

#ifdef UG_HAVE_CS
#include "uagate/client.h"
#include "uagate/rt.h"
#include "uagate/ua_nodeids.h"
#endif

/* Part 3 §5 / AttributeIds.csv. */
static const char *const attr_names[] = {
    NULL, "NodeId", "NodeClass", "BrowseName", "DisplayName", "Description", "WriteMask",
    "UserWriteMask", "IsAbstract", "Symmetric", "InverseName", "ContainsNoLoops",
    "EventNotifier", "Value", "DataType", "ValueRank", "ArrayDimensions", "AccessLevel",
    "UserAccessLevel", "MinimumSamplingInterval", "Historizing", "Executable",
    "UserExecutable", "DataTypeDefinition", "RolePermissions", "UserRolePermissions",
    "AccessRestrictions", "AccessLevelEx",
};
#define N_ATTRS (sizeof attr_names / sizeof attr_names[0])

static const char common_opts[] =
    "options:\n"
    "  --user NAME        UserName identity (default anonymous)\n"
    "  --password PW      its password (sent in plain: SecurityPolicy None)\n"
    "  --timeout SECONDS  connect and request timeout (default 10)\n";

void ug_cmd_browse_usage(FILE *f)
{
    fprintf(f,
            "usage: uagate browse [options] URL [NODEID]\n"
            "Lists the hierarchical references of a node (default i=85, the Objects\n"
            "folder), one per line: NodeId, NodeClass, BrowseName, DisplayName.\n%s",
            common_opts);
}

void ug_cmd_read_usage(FILE *f)
{
    fprintf(f,
            "usage: uagate read [options] URL NODEID [ATTRIBUTE]\n"
            "Reads one attribute (default Value; a name such as DisplayName or a\n"
            "number) and prints it as \"Type value\".\n%s",
            common_opts);
}

void ug_cmd_write_usage(FILE *f)
{
    fprintf(f,
            "usage: uagate write [options] URL NODEID VALUE [--type TYPE]\n"
            "Writes the Value attribute. Without --type the node's current value\n"
            "gives the type. TYPE: Boolean, SByte, Byte, Int16, UInt16, Int32, UInt32,\n"
            "Int64, UInt64, Float, Double, String, NodeId, LocalizedText. An array is\n"
            "written as [v1,v2,...].\n%s",
            common_opts);
}

void ug_cmd_call_usage(FILE *f)
{
    fprintf(f,
            "usage: uagate call [options] URL OBJECTID METHODID [ARG...]\n"
            "Calls a method. Each ARG is TYPE:VALUE (Int32:5, String:abc) or a plain\n"
            "value: true/false are Boolean, integers Int32, other numbers Double,\n"
            "anything else String. Prints the output arguments, one per line.\n%s",
            common_opts);
}

#ifndef UG_HAVE_CS

static int not_built(const char *cmd)
{
    fprintf(stderr, "uagate %s: built without the client/server stack\n", cmd);
    return UG_EXIT_USAGE;
}
int ug_cmd_browse(int argc, char **argv) { (void)argc; return not_built(argv[0]); }
int ug_cmd_read(int argc, char **argv) { (void)argc; return not_built(argv[0]); }
int ug_cmd_write(int argc, char **argv) { (void)argc; return not_built(argv[0]); }
int ug_cmd_call(int argc, char **argv) { (void)argc; return not_built(argv[0]); }

#else

struct opts {
    const char *user;
    const char *password;
    const char *type;
    double timeout_s;
    const char *pos[16];
    int n_pos;
};

/* Options may come anywhere; "--" ends them (for values starting with -). */
static int parse_opts(int argc, char **argv, struct opts *o, bool with_type,
                      void (*usage)(FILE *))
{
    memset(o, 0, sizeof *o);
    o->timeout_s = 10;
    bool opts_done = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!opts_done && a[0] == '-' && a[1] == '-') {
            if (strcmp(a, "--") == 0) {
                opts_done = true;
                continue;
            }
            if (strcmp(a, "--help") == 0) {
                usage(stdout);
                return -1;
            }
            const char **dst = NULL;
            const char *val = NULL;
            if (i + 1 < argc)
                val = argv[i + 1];
            if (strcmp(a, "--user") == 0)
                dst = &o->user;
            else if (strcmp(a, "--password") == 0)
                dst = &o->password;
            else if (with_type && strcmp(a, "--type") == 0)
                dst = &o->type;
            else if (strcmp(a, "--timeout") == 0) {
                char *end = NULL;
                o->timeout_s = val ? strtod(val, &end) : 0;
                if (!val || end == val || *end || !(o->timeout_s > 0) || o->timeout_s > 86400) {
                    fprintf(stderr, "uagate %s: --timeout needs a number of seconds\n", argv[0]);
                    return UG_EXIT_USAGE;
                }
                i++;
                continue;
            } else {
                fprintf(stderr, "uagate %s: unknown option %s\n", argv[0], a);
                usage(stderr);
                return UG_EXIT_USAGE;
            }
            if (!val) {
                fprintf(stderr, "uagate %s: %s needs a value\n", argv[0], a);
                return UG_EXIT_USAGE;
            }
            *dst = val;
            i++;
            continue;
        }
        if (o->n_pos == (int)(sizeof o->pos / sizeof o->pos[0])) {
            fprintf(stderr, "uagate %s: too many arguments\n", argv[0]);
            return UG_EXIT_USAGE;
        }
        o->pos[o->n_pos++] = a;
    }
    if (o->password && !o->user) {
        fprintf(stderr, "uagate %s: --password needs --user\n", argv[0]);
        return UG_EXIT_USAGE;
    }
    return 0;
}

/* parse_opts and the count of positional arguments (min_pos..max_pos;
 * max_pos < 0: no upper bound). Returns true to go on, false with *rc the
 * exit code (Ok after --help, Usage). */
static bool cmd_args(int argc, char **argv, struct opts *o, bool with_type,
                     void (*usage)(FILE *), int min_pos, int max_pos, int *rc)
{
    int r = parse_opts(argc, argv, o, with_type, usage);
    if (r) {
        *rc = r < 0 ? UG_EXIT_OK : r;
        return false;
    }
    if (o->n_pos < min_pos || (max_pos >= 0 && o->n_pos > max_pos)) {
        usage(stderr);
        *rc = UG_EXIT_USAGE;
        return false;
    }
    *rc = 0;
    return true;
}

static int fail(const char *cmd, const char *what, ug_status st)
{
    const char *name = ug_status_name(st);
    fprintf(stderr, "uagate %s: %s: %s (0x%08" PRIX32 ")\n", cmd, what, name ? name : "unknown",
            st);
    return UG_EXIT_BAD_INPUT;
}

struct session {
    ug_loop *loop;
    ug_client *c;
};

static int open_session(const char *cmd, const struct opts *o, struct session *s)
{
    memset(s, 0, sizeof *s);
    const char *url = o->pos[0];
    if (strncmp(url, "opc.tcp://", 10) != 0) {
        fprintf(stderr, "uagate %s: not an opc.tcp:// URL: %s\n", cmd, url);
        return UG_EXIT_USAGE;
    }
    ug_status st = ug_loop_new(NULL, &s->loop);
    if (st != UG_STATUS_GOOD)
        return fail(cmd, "event loop", st);
    struct ug_client_config cfg;
    ug_client_config_init(&cfg);
    cfg.endpoint_url = url;
    cfg.username = o->user;
    cfg.password = o->password;
    cfg.application_name = "uagate cli";
    cfg.session_name = "uagate cli";
    cfg.request_timeout_ns = (int64_t)(o->timeout_s * 1e9);
    cfg.connect_timeout_ns = cfg.request_timeout_ns;
    cfg.reconnect = false;
    cfg.publish_requests = 1;
    st = ug_client_new(s->loop, &cfg, &s->c);
    if (st == UG_STATUS_GOOD)
        st = ug_client_connect(s->c);
    if (st != UG_STATUS_GOOD) {
        char what[300];
        snprintf(what, sizeof what, "cannot connect to %s", url);
        ug_client_free(s->c);
        ug_loop_close(s->loop, -1);
        s->c = NULL;
        s->loop = NULL;
        return fail(cmd, what, st);
    }
    return 0;
}

static void close_session(struct session *s)
{
    if (s->c) {
        (void)ug_client_disconnect(s->c);
        ug_client_free(s->c);
    }
    if (s->loop) {
        /* let the closed connection be reaped */
        for (int i = 0; i < 4; i++)
            ug_loop_run_once(s->loop, false);
        ug_loop_close(s->loop, -1);
    }
}

/* open_session; on failure the command's arena a is freed too. */
static int open_session_or_free(const char *cmd, const struct opts *o, struct session *s,
                                ug_arena *a)
{
    int rc = open_session(cmd, o, s);
    if (rc != 0)
        ug_arena_free(a);
    return rc;
}

/* The end of every command: closes the session, frees the arena, returns rc. */
static int end_session(struct session *s, ug_arena *a, int rc)
{
    close_session(s);
    ug_arena_free(a);
    return rc;
}

/* A Variant as text on its own line of stdout. */
static void print_value_line(const ug_variant *v)
{
    ug_print_variant_text(stdout, v);
    fputc('\n', stdout);
}

static int parse_node(const char *cmd, const char *text, ug_nodeid *out, ug_arena *a)
{
    ug_status st = ug_nodeid_parse(text, strlen(text), out, a);
    if (st != UG_STATUS_GOOD) {
        fprintf(stderr, "uagate %s: bad NodeId '%s' (%s); forms: i=85, ns=2;s=Name, g=..., b=...\n",
                cmd, text, ug_status_name(st));
        return UG_EXIT_USAGE;
    }
    return 0;
}

static const char *node_class_name(int32_t nc)
{
    switch (nc) {
    case 1: return "Object";
    case 2: return "Variable";
    case 4: return "Method";
    case 8: return "ObjectType";
    case 16: return "VariableType";
    case 32: return "ReferenceType";
    case 64: return "DataType";
    case 128: return "View";
    default: return "Unspecified";
    }
}

static void print_str(FILE *f, ug_string s)
{
    if (s.len > 0)
        fwrite(s.data, 1, (size_t)s.len, f);
}

/* ------------------------------------------------------------- browse -- */

int ug_cmd_browse(int argc, char **argv)
{
    struct opts o;
    int rc;
    if (!cmd_args(argc, argv, &o, false, ug_cmd_browse_usage, 1, 2, &rc))
        return rc;
    ug_arena a;
    ug_arena_init(&a, NULL, 0, true);
    ug_nodeid node = {0};
    node.id.numeric = UG_NS0_OBJECTS_FOLDER;
    if (o.n_pos == 2 && (rc = parse_node(argv[0], o.pos[1], &node, &a)) != 0) {
        ug_arena_free(&a);
        return rc;
    }
    struct session s;
    if ((rc = open_session_or_free(argv[0], &o, &s, &a)) != 0)
        return rc;
    ug_ReferenceDescription *refs = NULL;
    size_t n = 0;
    ug_status st = ug_client_browse(s.c, &node, &refs, &n, &a);
    if (st != UG_STATUS_GOOD) {
        rc = fail(argv[0], "Browse", st);
    } else {
        for (size_t i = 0; i < n; i++) {
            char id[512];
            ug_expanded_nodeid_print(&refs[i].node_id, id, sizeof id);
            printf("%-32s %-13s ", id, node_class_name(refs[i].node_class));
            if (refs[i].browse_name.ns)
                printf("%u:", refs[i].browse_name.ns);
            print_str(stdout, refs[i].browse_name.name);
            fputs("  \"", stdout);
            print_str(stdout, refs[i].display_name.text);
            fputs("\"\n", stdout);
        }
    }
    return end_session(&s, &a, rc);
}

/* --------------------------------------------------------------- read -- */

static int parse_attr(const char *cmd, const char *text, uint32_t *out)
{
    for (size_t i = 1; i < N_ATTRS; i++)
        if (strcasecmp(text, attr_names[i]) == 0) {
            *out = (uint32_t)i;
            return 0;
        }
    char *end = NULL;
    errno = 0;
    unsigned long v = strtoul(text, &end, 10);
    if (end != text && !*end && !errno && v >= 1 && v < N_ATTRS) {
        *out = (uint32_t)v;
        return 0;
    }
    fprintf(stderr, "uagate %s: unknown attribute '%s'\n", cmd, text);
    return UG_EXIT_USAGE;
}

int ug_cmd_read(int argc, char **argv)
{
    struct opts o;
    int rc;
    if (!cmd_args(argc, argv, &o, false, ug_cmd_read_usage, 2, 3, &rc))
        return rc;
    ug_arena a;
    ug_arena_init(&a, NULL, 0, true);
    ug_nodeid node;
    uint32_t attr = UG_ATTR_VALUE;
    if ((rc = parse_node(argv[0], o.pos[1], &node, &a)) != 0 ||
        (o.n_pos == 3 && (rc = parse_attr(argv[0], o.pos[2], &attr)) != 0)) {
        ug_arena_free(&a);
        return rc;
    }
    struct session s;
    if ((rc = open_session_or_free(argv[0], &o, &s, &a)) != 0)
        return rc;
    ug_datavalue dv;
    ug_status st = ug_client_read(s.c, &node, attr, &dv, &a);
    if (st != UG_STATUS_GOOD) {
        rc = fail(argv[0], "Read", st);
    } else {
        if (attr == UG_ATTR_NODE_CLASS && dv.value.type == UG_TYPE_INT32 &&
            !ug_variant_is_array(&dv.value))
            printf("Int32 %" PRId32 " (%s)\n", dv.value.u.v.int32,
                   node_class_name(dv.value.u.v.int32));
        else {
            print_value_line(&dv.value);
        }
        if ((dv.mask & UG_DV_STATUS) && dv.status != UG_STATUS_GOOD)
            fprintf(stderr, "status: %s\n",
                    ug_status_name(dv.status) ? ug_status_name(dv.status) : "unknown");
    }
    return end_session(&s, &a, rc);
}

/* -------------------------------------------------------------- values -- */

/* One value of a scalar type from text. Returns Good or BadTypeMismatch /
 * BadOutOfRange (text does not fit the type). */
static ug_status parse_scalar(uint8_t type, const char *t, size_t len, ug_scalar *out,
                              ug_arena *a)
{
    char buf[128];
    bool numeric = type >= UG_TYPE_SBYTE && type <= UG_TYPE_DOUBLE;
    if (numeric || type == UG_TYPE_BOOLEAN) {
        if (len >= sizeof buf)
            return UG_STATUS_BADOUTOFRANGE;
        memcpy(buf, t, len);
        buf[len] = '\0';
        t = buf;
    }
    char *end = NULL;
    errno = 0;
    switch (type) {
    case UG_TYPE_BOOLEAN:
        if (strcasecmp(t, "true") == 0 || strcmp(t, "1") == 0)
            out->boolean = true;
        else if (strcasecmp(t, "false") == 0 || strcmp(t, "0") == 0)
            out->boolean = false;
        else
            return UG_STATUS_BADTYPEMISMATCH;
        return UG_STATUS_GOOD;
    case UG_TYPE_SBYTE:
    case UG_TYPE_INT16:
    case UG_TYPE_INT32:
    case UG_TYPE_INT64: {
        long long v = strtoll(t, &end, 0);
        if (end == t || *end)
            return UG_STATUS_BADTYPEMISMATCH;
        if (errno)
            return UG_STATUS_BADOUTOFRANGE;
        static const long long lo[] = {[UG_TYPE_SBYTE] = INT8_MIN, [UG_TYPE_INT16] = INT16_MIN,
                                       [UG_TYPE_INT32] = INT32_MIN, [UG_TYPE_INT64] = INT64_MIN};
        static const long long hi[] = {[UG_TYPE_SBYTE] = INT8_MAX, [UG_TYPE_INT16] = INT16_MAX,
                                       [UG_TYPE_INT32] = INT32_MAX, [UG_TYPE_INT64] = INT64_MAX};
        if (v < lo[type] || v > hi[type])
            return UG_STATUS_BADOUTOFRANGE;
        if (type == UG_TYPE_SBYTE)
            out->sbyte = (int8_t)v;
        else if (type == UG_TYPE_INT16)
            out->int16 = (int16_t)v;
        else if (type == UG_TYPE_INT32)
            out->int32 = (int32_t)v;
        else
            out->int64 = v;
        return UG_STATUS_GOOD;
    }
    case UG_TYPE_BYTE:
    case UG_TYPE_UINT16:
    case UG_TYPE_UINT32:
    case UG_TYPE_UINT64: {
        if (t[0] == '-')
            return UG_STATUS_BADOUTOFRANGE;
        unsigned long long v = strtoull(t, &end, 0);
        if (end == t || *end)
            return UG_STATUS_BADTYPEMISMATCH;
        if (errno)
            return UG_STATUS_BADOUTOFRANGE;
        static const unsigned long long hi[] = {[UG_TYPE_BYTE] = UINT8_MAX,
                                                [UG_TYPE_UINT16] = UINT16_MAX,
                                                [UG_TYPE_UINT32] = UINT32_MAX,
                                                [UG_TYPE_UINT64] = UINT64_MAX};
        if (v > hi[type])
            return UG_STATUS_BADOUTOFRANGE;
        if (type == UG_TYPE_BYTE)
            out->byte = (uint8_t)v;
        else if (type == UG_TYPE_UINT16)
            out->uint16 = (uint16_t)v;
        else if (type == UG_TYPE_UINT32)
            out->uint32 = (uint32_t)v;
        else
            out->uint64 = v;
        return UG_STATUS_GOOD;
    }
    case UG_TYPE_FLOAT:
    case UG_TYPE_DOUBLE: {
        double v = strtod(t, &end);
        if (end == t || *end)
            return UG_STATUS_BADTYPEMISMATCH;
        if (type == UG_TYPE_FLOAT) {
            if (isfinite(v) && fabs(v) > 3.4028234663852886e38)
                return UG_STATUS_BADOUTOFRANGE;
            out->f32 = (float)v;
        } else {
            out->f64 = v;
        }
        return UG_STATUS_GOOD;
    }
    case UG_TYPE_STRING:
        out->string = (ug_string){(const uint8_t *)t, (int32_t)len};
        return UG_STATUS_GOOD;
    case UG_TYPE_NODEID:
        return ug_nodeid_parse(t, len, &out->nodeid, a) == UG_STATUS_GOOD
                   ? UG_STATUS_GOOD
                   : UG_STATUS_BADTYPEMISMATCH;
    case UG_TYPE_LOCALIZEDTEXT:
        out->ltext.locale = UG_NULL_BYTES;
        out->ltext.text = (ug_string){(const uint8_t *)t, (int32_t)len};
        return UG_STATUS_GOOD;
    default: return UG_STATUS_BADNOTSUPPORTED;
    }
}

/* A Variant of `type` from text: a scalar, or with allow_array "[a,b,c]"
 * for an array (elements split at commas, spaces around them ignored). */
static ug_status parse_value(uint8_t type, const char *text, ug_variant *out, ug_arena *a,
                             bool allow_array)
{
    size_t len = strlen(text);
    if (len > INT32_MAX / 2)
        return UG_STATUS_BADOUTOFRANGE;
    *out = ug_variant_scalar(type);
    if (allow_array && len >= 2 && text[0] == '[' && text[len - 1] == ']') {
        size_t n = 0;
        const char *body = text + 1;
        size_t blen = len - 2;
        bool empty = true;
        for (size_t i = 0; i < blen; i++)
            if (body[i] != ' ')
                empty = false;
        if (!empty) {
            n = 1;
            for (size_t i = 0; i < blen; i++)
                n += body[i] == ',';
        }
        size_t esz = ug_type_size(type);
        uint8_t *arr = ug_arena_alloc(a, n * esz);
        if (!arr)
            return UG_STATUS_BADOUTOFMEMORY;
        memset(arr, 0, n * esz);
        const char *p = body;
        for (size_t i = 0; i < n; i++) {
            const char *q = memchr(p, ',', (size_t)(body + blen - p));
            if (!q)
                q = body + blen;
            const char *s = p, *e = q;
            while (s < e && *s == ' ')
                s++;
            while (e > s && e[-1] == ' ')
                e--;
            ug_scalar sc;
            memset(&sc, 0, sizeof sc);
            ug_status st = parse_scalar(type, s, (size_t)(e - s), &sc, a);
            if (st != UG_STATUS_GOOD)
                return st;
            memcpy(arr + i * esz, &sc, esz);
            p = q + 1;
        }
        out->array_len = (int32_t)n;
        out->u.arr = arr;
        return UG_STATUS_GOOD;
    }
    return parse_scalar(type, text, len, &out->u.v, a);
}

int ug_cmd_write(int argc, char **argv)
{
    struct opts o;
    int rc;
    if (!cmd_args(argc, argv, &o, true, ug_cmd_write_usage, 3, 3, &rc))
        return rc;
    int type = -1;
    if (o.type) {
        type = ug_type_from_name(o.type, -1);
        ug_arena probe;
        uint8_t pb[64];
        ug_arena_init(&probe, pb, sizeof pb, false);
        ug_variant v;
        if (type <= 0 || parse_value((uint8_t)type, "0", &v, &probe, false) == UG_STATUS_BADNOTSUPPORTED) {
            fprintf(stderr, "uagate %s: unsupported --type '%s'\n", argv[0], o.type);
            return UG_EXIT_USAGE;
        }
    }
    ug_arena a;
    ug_arena_init(&a, NULL, 0, true);
    ug_nodeid node;
    if ((rc = parse_node(argv[0], o.pos[1], &node, &a)) != 0) {
        ug_arena_free(&a);
        return rc;
    }
    struct session s;
    if ((rc = open_session_or_free(argv[0], &o, &s, &a)) != 0)
        return rc;
    ug_status st = UG_STATUS_GOOD;
    bool want_array = o.pos[2][0] == '[';
    if (type < 0) {
        /* No --type: the current value tells (Part 4 §5.10.4: a Write must
         * match the DataType; the Value's type is the simplest proxy). */
        ug_variant cur;
        st = ug_client_read_value(s.c, &node, &cur, &a);
        if (st != UG_STATUS_GOOD) {
            rc = fail(argv[0], "Read (to learn the type; give --type)", st);
            goto out;
        }
        if (cur.type == UG_TYPE_NULL) {
            fprintf(stderr, "uagate %s: the node has no value to learn the type from; give --type\n",
                    argv[0]);
            rc = UG_EXIT_USAGE;
            goto out;
        }
        type = cur.type;
        want_array = ug_variant_is_array(&cur);
    }
    ug_variant v;
    /* "[...]" is an array unless the node holds a scalar String */
    st = parse_value((uint8_t)type, o.pos[2], &v, &a, want_array || type != UG_TYPE_STRING);
    if (st == UG_STATUS_GOOD && want_array && !ug_variant_is_array(&v)) {
        /* a scalar given for an array node: write a one-element array */
        ug_variant one = v;
        size_t esz = ug_type_size(v.type);
        void *arr = ug_arena_alloc(&a, esz);
        if (!arr) {
            st = UG_STATUS_BADOUTOFMEMORY;
        } else {
            memcpy(arr, ug_variant_scalar_elem(&one), esz);
            v.array_len = 1;
            v.u.arr = arr;
        }
    }
    if (st != UG_STATUS_GOOD) {
        fprintf(stderr, "uagate %s: '%s' is not a %s value (%s)\n", argv[0], o.pos[2],
                ug_type_name((unsigned)type), ug_status_name(st));
        rc = UG_EXIT_USAGE;
        goto out;
    }
    st = ug_client_write_value(s.c, &node, &v);
    if (st != UG_STATUS_GOOD) {
        rc = fail(argv[0], "Write", st);
        goto out;
    }
    fputs("written: ", stdout);
    print_value_line(&v);
out:
    return end_session(&s, &a, rc);
}

/* --------------------------------------------------------------- call -- */

static ug_status parse_arg(const char *text, ug_variant *out, ug_arena *a)
{
    const char *colon = strchr(text, ':');
    if (colon && colon > text) {
        int type = ug_type_from_name(text, (int)(colon - text));
        if (type > 0)
            return parse_value((uint8_t)type, colon + 1, out, a, true);
    }
    if (strcasecmp(text, "true") == 0 || strcasecmp(text, "false") == 0)
        return parse_value(UG_TYPE_BOOLEAN, text, out, a, false);
    if (parse_value(UG_TYPE_INT32, text, out, a, true) == UG_STATUS_GOOD)
        return UG_STATUS_GOOD;
    if (parse_value(UG_TYPE_DOUBLE, text, out, a, true) == UG_STATUS_GOOD)
        return UG_STATUS_GOOD;
    return parse_value(UG_TYPE_STRING, text, out, a, false);
}

int ug_cmd_call(int argc, char **argv)
{
    struct opts o;
    int rc;
    if (!cmd_args(argc, argv, &o, false, ug_cmd_call_usage, 3, -1, &rc))
        return rc;
    ug_arena a;
    ug_arena_init(&a, NULL, 0, true);
    ug_nodeid obj, meth;
    size_t n_in = (size_t)(o.n_pos - 3);
    ug_variant in[16];
    if ((rc = parse_node(argv[0], o.pos[1], &obj, &a)) != 0 ||
        (rc = parse_node(argv[0], o.pos[2], &meth, &a)) != 0) {
        ug_arena_free(&a);
        return rc;
    }
    for (size_t i = 0; i < n_in; i++) {
        ug_status st = parse_arg(o.pos[3 + i], &in[i], &a);
        if (st != UG_STATUS_GOOD) {
            fprintf(stderr, "uagate %s: bad argument '%s' (%s)\n", argv[0], o.pos[3 + i],
                    ug_status_name(st));
            ug_arena_free(&a);
            return UG_EXIT_USAGE;
        }
    }
    struct session s;
    if ((rc = open_session_or_free(argv[0], &o, &s, &a)) != 0)
        return rc;
    ug_variant *out = NULL;
    size_t n_out = 0;
    ug_status st = ug_client_call(s.c, &obj, &meth, in, n_in, &out, &n_out, &a);
    if (st != UG_STATUS_GOOD) {
        rc = fail(argv[0], "Call", st);
    } else {
        for (size_t i = 0; i < n_out; i++) {
            printf("%zu: ", i);
            print_value_line(&out[i]);
        }
    }
    return end_session(&s, &a, rc);
}

#endif
