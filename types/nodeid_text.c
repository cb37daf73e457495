/* The text forms of Guid, NodeId and ExpandedNodeId (Part 6 §5.3.1.9-11,
 * §5.1.12 of 1.05): "g=09087e75-...", "ns=2;s=Pump 1", "svr=1;nsu=urn:x;i=5".
 *
 * Parsing never reads past `len` (the text is not NUL-terminated) and returns
 * views into it where it can: string identifiers always, namespace URIs when
 * they hold no percent escapes. Opaque identifiers and escaped URIs need
 * decoding, which goes into the caller's arena.
 */
#include <string.h>

#include "uagate/types.h"

/* ---- parsing ---- */

typedef struct text {
    const char *p;
    const char *end;
} text;

static bool has_prefix(const text *t, const char *pre)
{
    size_t n = strlen(pre);
    return (size_t)(t->end - t->p) >= n && memcmp(t->p, pre, n) == 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* An unsigned base-10 number that runs to `end`: digits only, no sign. */
static ug_status parse_uint(const char *p, const char *end, uint32_t max, uint32_t *out)
{
    if (p == end)
        return UG_STATUS_BADSYNTAXERROR;
    uint64_t v = 0;
    bool over = false;
    for (; p < end; p++) {
        if (*p < '0' || *p > '9')
            return UG_STATUS_BADSYNTAXERROR;
        v = v * 10 + (uint64_t)(*p - '0');
        if (v > max) {
            over = true;
            v = max; /* keep scanning: a non-digit later is still a syntax error */
        }
    }
    if (over)
        return UG_STATUS_BADOUTOFRANGE;
    *out = (uint32_t)v;
    return UG_STATUS_GOOD;
}

/* "<key><number>;" at the cursor, e.g. "ns=2;". */
static ug_status parse_clause_uint(text *t, const char *key, uint32_t max, uint32_t *out)
{
    t->p += strlen(key);
    const char *semi = memchr(t->p, ';', (size_t)(t->end - t->p));
    if (!semi)
        return UG_STATUS_BADSYNTAXERROR;
    ug_status st = parse_uint(t->p, semi, max, out);
    t->p = semi + 1;
    return st;
}

ug_status ug_guid_parse(const char *s, size_t len, ug_guid *out)
{
    /* 8-4-4-4-12 hex digits (Part 6 §5.1.3); dashes at 8, 13, 18, 23. */
    if (len != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-')
        return UG_STATUS_BADSYNTAXERROR;
    uint8_t b[16];
    size_t n = 0;
    for (size_t i = 0; i < 36; i += 2) {
        if (i == 8 || i == 13 || i == 18 || i == 23)
            i++;
        int hi = hexval(s[i]), lo = hexval(s[i + 1]);
        if (hi < 0 || lo < 0)
            return UG_STATUS_BADSYNTAXERROR;
        b[n++] = (uint8_t)(hi << 4 | lo);
    }
    out->data1 = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    out->data2 = (uint16_t)(b[4] << 8 | b[5]);
    out->data3 = (uint16_t)(b[6] << 8 | b[7]);
    memcpy(out->data4, b + 8, 8);
    return UG_STATUS_GOOD;
}

/* "<type>=<value>" up to the end of the text, Part 6 §5.3.1.10 Table 20. */
static ug_status parse_identifier(text *t, ug_nodeid *out, ug_arena *arena)
{
    if (t->end - t->p < 2 || t->p[1] != '=')
        return UG_STATUS_BADSYNTAXERROR;
    char type = t->p[0];
    const char *v = t->p + 2;
    size_t vlen = (size_t)(t->end - v);
    t->p = t->end;
    switch (type) {
    case 'i':
        out->id_type = UG_ID_NUMERIC;
        return parse_uint(v, v + vlen, UINT32_MAX, &out->id.numeric);
    case 's':
        /* Any non-null character, ';' included: the value runs to the end. */
        if (vlen > INT32_MAX)
            return UG_STATUS_BADOUTOFRANGE;
        if (memchr(v, '\0', vlen))
            return UG_STATUS_BADSYNTAXERROR;
        out->id_type = UG_ID_STRING;
        out->id.string = (ug_string){(const uint8_t *)v, (int32_t)vlen};
        return UG_STATUS_GOOD;
    case 'g':
        out->id_type = UG_ID_GUID;
        return ug_guid_parse(v, vlen, &out->id.guid);
    case 'b': {
        size_t need = 0;
        ug_status st = ug_base64_decode(v, vlen, NULL, 0, &need);
        if (st == UG_STATUS_BADDECODINGERROR)
            return UG_STATUS_BADSYNTAXERROR;
        if (need > INT32_MAX)
            return UG_STATUS_BADOUTOFRANGE;
        out->id_type = UG_ID_OPAQUE;
        if (need == 0) {
            out->id.opaque = (ug_bytes){NULL, 0};
            return UG_STATUS_GOOD;
        }
        uint8_t *buf = arena ? ug_arena_alloc(arena, need) : NULL;
        if (!buf)
            return UG_STATUS_BADOUTOFMEMORY;
        st = ug_base64_decode(v, vlen, buf, need, &need);
        if (st != UG_STATUS_GOOD)
            return st;
        out->id.opaque = (ug_bytes){buf, (int32_t)need};
        return UG_STATUS_GOOD;
    }
    default:
        return UG_STATUS_BADSYNTAXERROR;
    }
}

ug_status ug_nodeid_parse(const char *s, size_t len, ug_nodeid *out, ug_arena *arena)
{
    if (len == 0)
        return UG_STATUS_BADSYNTAXERROR;
    text t = {s, s + len};
    ug_nodeid n = {0};
    if (has_prefix(&t, "ns=")) {
        uint32_t ns = 0;
        ug_status st = parse_clause_uint(&t, "ns=", UINT16_MAX, &ns);
        if (st != UG_STATUS_GOOD)
            return st;
        n.ns = (uint16_t)ns;
    }
    ug_status st = parse_identifier(&t, &n, arena);
    if (st != UG_STATUS_GOOD)
        return st;
    *out = n;
    return UG_STATUS_GOOD;
}

/* RFC 3629 UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF. */
static bool utf8_valid(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = p[i];
        size_t k;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            k = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            k = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            k = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (n - i - 1 < k)
            return false;
        for (size_t j = 1; j <= k; j++) {
            if ((p[i + j] & 0xC0) != 0x80)
                return false;
            cp = cp << 6 | (p[i + j] & 0x3F);
        }
        if ((k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += k + 1;
    }
    return true;
}

/* The URI of "nsu=<uri>;" (Part 6 §5.3.1.11): ';' and '%' arrive as %XX.
 * Without escapes the URI is a view; otherwise it is unescaped into the arena. */
static ug_status parse_namespace_uri(text *t, ug_string *uri, ug_arena *arena)
{
    t->p += 4; /* "nsu=" */
    const char *semi = memchr(t->p, ';', (size_t)(t->end - t->p));
    if (!semi)
        return UG_STATUS_BADSYNTAXERROR;
    const char *u = t->p;
    size_t ulen = (size_t)(semi - u);
    t->p = semi + 1;
    if (ulen > INT32_MAX)
        return UG_STATUS_BADOUTOFRANGE;

    size_t escapes = 0;
    for (size_t i = 0; i < ulen; i++) {
        if (u[i] == '\0')
            return UG_STATUS_BADSYNTAXERROR;
        if (u[i] != '%')
            continue;
        if (ulen - i < 3 || hexval(u[i + 1]) < 0 || hexval(u[i + 2]) < 0)
            return UG_STATUS_BADSYNTAXERROR;
        if (u[i + 1] == '0' && u[i + 2] == '0')
            return UG_STATUS_BADSYNTAXERROR; /* %00 would smuggle a null */
        escapes++;
        i += 2;
    }
    if (ulen == 0) {
        /* "nsu=;" names no namespace: read it as no URI, so that printing
         * (which leaves a null URI out) and parsing again give the same id. */
        *uri = (ug_string){NULL, -1};
        return UG_STATUS_GOOD;
    }
    if (escapes == 0) {
        *uri = (ug_string){(const uint8_t *)u, (int32_t)ulen};
        return UG_STATUS_GOOD;
    }
    size_t outlen = ulen - 2 * escapes;
    uint8_t *buf = arena ? ug_arena_alloc(arena, outlen) : NULL;
    if (!buf)
        return UG_STATUS_BADOUTOFMEMORY;
    size_t o = 0;
    for (size_t i = 0; i < ulen; i++) {
        if (u[i] == '%') {
            buf[o++] = (uint8_t)(hexval(u[i + 1]) << 4 | hexval(u[i + 2]));
            i += 2;
        } else {
            buf[o++] = (uint8_t)u[i];
        }
    }
    /* A URI is text: escapes must not make it invalid UTF-8 (every encoder
     * of it, JSON above all, would have to refuse it). */
    if (!utf8_valid(buf, o))
        return UG_STATUS_BADSYNTAXERROR;
    *uri = (ug_string){buf, (int32_t)o};
    return UG_STATUS_GOOD;
}

ug_status ug_expanded_nodeid_parse(const char *s, size_t len, ug_expanded_nodeid *out,
                                   ug_arena *arena)
{
    if (len == 0)
        return UG_STATUS_BADSYNTAXERROR;
    text t = {s, s + len};
    ug_expanded_nodeid x = {.namespace_uri = UG_NULL_BYTES};
    ug_status st;
    /* Order fixed by the grammar: svr, then nsu or ns, then the identifier. */
    if (has_prefix(&t, "svr=")) {
        st = parse_clause_uint(&t, "svr=", UINT32_MAX, &x.server_index);
        if (st != UG_STATUS_GOOD)
            return st;
    }
    if (has_prefix(&t, "nsu=")) {
        st = parse_namespace_uri(&t, &x.namespace_uri, arena);
        if (st != UG_STATUS_GOOD)
            return st;
    } else if (has_prefix(&t, "ns=")) {
        uint32_t ns = 0;
        st = parse_clause_uint(&t, "ns=", UINT16_MAX, &ns);
        if (st != UG_STATUS_GOOD)
            return st;
        x.node.ns = (uint16_t)ns;
    }
    st = parse_identifier(&t, &x.node, arena);
    if (st != UG_STATUS_GOOD)
        return st;
    *out = x;
    return UG_STATUS_GOOD;
}

/* ---- printing ---- */

/* snprintf-style output: counts everything, stores what fits before the NUL. */
typedef struct out {
    char *buf;
    size_t cap;
    size_t len;
} out;

static void emit(out *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++, o->len++)
        if (o->len + 1 < o->cap)
            o->buf[o->len] = s[i];
}

static void emit_str(out *o, const char *s) { emit(o, s, strlen(s)); }

/* key, the number in base 10, then suffix: "ns=" 2 ";". */
static void emit_uint(out *o, const char *key, uint32_t v, const char *suffix)
{
    char tmp[10];
    size_t n = sizeof tmp;
    do {
        tmp[--n] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    emit_str(o, key);
    emit(o, tmp + n, sizeof tmp - n);
    emit_str(o, suffix);
}

static size_t finish(out *o)
{
    if (o->cap)
        o->buf[o->len < o->cap ? o->len : o->cap - 1] = '\0';
    return o->len;
}

void ug_guid_print(const ug_guid *g, char buf[37])
{
    static const char hex[] = "0123456789abcdef";
    uint8_t b[16] = {
        (uint8_t)(g->data1 >> 24), (uint8_t)(g->data1 >> 16), (uint8_t)(g->data1 >> 8),
        (uint8_t)g->data1,         (uint8_t)(g->data2 >> 8),  (uint8_t)g->data2,
        (uint8_t)(g->data3 >> 8),  (uint8_t)g->data3,
    };
    memcpy(b + 8, g->data4, 8);
    size_t o = 0;
    for (size_t i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            buf[o++] = '-';
        buf[o++] = hex[b[i] >> 4];
        buf[o++] = hex[b[i] & 15];
    }
    buf[o] = '\0';
}

static void emit_identifier(out *o, const ug_nodeid *n)
{
    switch (n->id_type) {
    case UG_ID_NUMERIC:
        emit_uint(o, "i=", n->id.numeric, "");
        break;
    case UG_ID_STRING:
        emit_str(o, "s=");
        if (n->id.string.len > 0)
            emit(o, (const char *)n->id.string.data, (size_t)n->id.string.len);
        break;
    case UG_ID_GUID: {
        char g[37];
        ug_guid_print(&n->id.guid, g);
        emit_str(o, "g=");
        emit(o, g, 36);
        break;
    }
    case UG_ID_OPAQUE: {
        emit_str(o, "b=");
        if (n->id.opaque.len <= 0)
            break;
        /* Encode straight into the caller's buffer when it fits, else count. */
        size_t room = o->len + 1 < o->cap ? o->cap - 1 - o->len : 0;
        o->len += ug_base64_encode(n->id.opaque.data, (size_t)n->id.opaque.len,
                                   room ? o->buf + o->len : NULL, room);
        break;
    }
    }
}

size_t ug_nodeid_print(const ug_nodeid *n, char *buf, size_t cap)
{
    out o = {buf, buf ? cap : 0, 0};
    if (n->id_type > UG_ID_OPAQUE)
        return finish(&o); /* not a NodeId: nothing to print */
    if (n->ns)
        emit_uint(&o, "ns=", n->ns, ";");
    emit_identifier(&o, n);
    return finish(&o);
}

size_t ug_expanded_nodeid_print(const ug_expanded_nodeid *n, char *buf, size_t cap)
{
    static const char hex[] = "0123456789ABCDEF";
    out o = {buf, buf ? cap : 0, 0};
    if (n->node.id_type > UG_ID_OPAQUE)
        return finish(&o);
    if (n->server_index)
        emit_uint(&o, "svr=", n->server_index, ";");
    /* Part 6 §5.3.1.11: with a URI the NamespaceIndex is left out. */
    if (n->namespace_uri.len > 0) {
        emit_str(&o, "nsu=");
        for (int32_t i = 0; i < n->namespace_uri.len; i++) {
            char c = (char)n->namespace_uri.data[i];
            if (c == ';' || c == '%') {
                char esc[3] = {'%', hex[(uint8_t)c >> 4], hex[c & 15]};
                emit(&o, esc, 3);
            } else {
                emit(&o, &c, 1);
            }
        }
        emit_str(&o, ";");
    } else if (n->node.ns) {
        emit_uint(&o, "ns=", n->node.ns, ";");
    }
    emit_identifier(&o, &n->node);
    return finish(&o);
}
