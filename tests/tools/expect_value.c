/* expect_value — built-in type values (Variant, DataValue and their elements)
 * against their "uagate-uadp-vector/1" schema form. */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "expect.h"
#include "expect_int.h"

/* ---- shared helpers ---- */

int ug_expect_fail(char *why, size_t cap, const char *path, const json_t *e, const char *got)
{
    char *es = e ? json_dumps(e, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
    if (cap > 0)
        snprintf(why, cap, "%s: expected %s got %s", path, e ? (es ? es : "?") : "(key missing)",
                 got);
    free(es);
    return -1;
}

void ug_expect_path(char *out, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, cap, fmt, ap);
    va_end(ap);
}

const json_t *ug_expect_get(const json_t *obj, const char *key)
{
    return json_is_object(obj) ? json_object_get(obj, key) : NULL;
}

static void sub(char *out, size_t cap, const char *path, const char *key)
{
    snprintf(out, cap, "%s.%s", path, key);
}

int ug_expect_opt_int(const json_t *obj, const char *key, bool has, long long val,
                      const char *path, char *why, size_t cap)
{
    const json_t *e = ug_expect_get(obj, key);
    char p[256], got[32];
    if (has)
        snprintf(got, sizeof got, "%lld", val);
    else
        snprintf(got, sizeof got, "null");
    sub(p, sizeof p, path, key);
    if (!e)
        return ug_expect_fail(why, cap, p, e, got);
    if (!has)
        return json_is_null(e) ? 0 : ug_expect_fail(why, cap, p, e, got);
    if (!json_is_integer(e) || json_integer_value(e) != val)
        return ug_expect_fail(why, cap, p, e, got);
    return 0;
}

/* Decimal text of an expected 64-bit value (string or integer), or NULL. */
static const char *dec_text(const json_t *e, char *buf, size_t cap)
{
    if (json_is_string(e))
        return json_string_value(e);
    if (json_is_integer(e)) {
        snprintf(buf, cap, "%" JSON_INTEGER_FORMAT, json_integer_value(e));
        return buf;
    }
    return NULL;
}

static int cmp_dec(const json_t *e, bool has, const char *got, const char *p, char *why,
                   size_t cap)
{
    char buf[32];
    if (!e)
        return ug_expect_fail(why, cap, p, e, has ? got : "null");
    if (!has)
        return json_is_null(e) ? 0 : ug_expect_fail(why, cap, p, e, "null");
    const char *t = dec_text(e, buf, sizeof buf);
    if (!t || strcmp(t, got) != 0)
        return ug_expect_fail(why, cap, p, e, got);
    return 0;
}

int ug_expect_opt_i64(const json_t *obj, const char *key, bool has, int64_t val,
                      const char *path, char *why, size_t cap)
{
    char p[256], got[32];
    sub(p, sizeof p, path, key);
    snprintf(got, sizeof got, "%" PRId64, val);
    return cmp_dec(ug_expect_get(obj, key), has, got, p, why, cap);
}

int ug_expect_opt_u64(const json_t *obj, const char *key, bool has, uint64_t val,
                      const char *path, char *why, size_t cap)
{
    char p[256], got[32];
    sub(p, sizeof p, path, key);
    snprintf(got, sizeof got, "%" PRIu64, val);
    return cmp_dec(ug_expect_get(obj, key), has, got, p, why, cap);
}

int ug_expect_bool(const json_t *obj, const char *key, bool val, const char *path, char *why,
                   size_t cap)
{
    const json_t *e = ug_expect_get(obj, key);
    char p[256];
    sub(p, sizeof p, path, key);
    if (!json_is_boolean(e) || json_is_true(e) != val)
        return ug_expect_fail(why, cap, p, e, val ? "true" : "false");
    return 0;
}

int ug_expect_str(const json_t *obj, const char *key, const char *val, const char *path,
                  char *why, size_t cap)
{
    const json_t *e = ug_expect_get(obj, key);
    char p[256];
    sub(p, sizeof p, path, key);
    if (!val)
        return json_is_null(e) ? 0 : ug_expect_fail(why, cap, p, e, "null");
    if (!json_is_string(e) || strcmp(json_string_value(e), val) != 0)
        return ug_expect_fail(why, cap, p, e, val);
    return 0;
}

void ug_expect_hex(ug_bytes b, char *out, size_t cap)
{
    static const char digits[] = "0123456789abcdef";
    if (cap == 0)
        return;
    if (b.len < 0) {
        snprintf(out, cap, "null");
        return;
    }
    size_t n = 0;
    for (int32_t i = 0; i < b.len && n + 2 < cap; i++) {
        out[n++] = digits[b.data[i] >> 4];
        out[n++] = digits[b.data[i] & 15];
    }
    out[n] = 0;
}

static int nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

long ug_expect_unhex(const char *hex, uint8_t *out, size_t cap)
{
    size_t len = strlen(hex);
    if (len % 2 || len / 2 > cap)
        return -1;
    for (size_t i = 0; i < len / 2; i++) {
        int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return (long)(len / 2);
}

/* ---- strings and byte strings ---- */

static int cmp_string(const json_t *e, ug_string s, const char *p, char *why, size_t cap)
{
    if (s.len < 0)
        return json_is_null(e) ? 0 : ug_expect_fail(why, cap, p, e, "null");
    if (json_is_string(e) && json_string_length(e) == (size_t)s.len &&
        memcmp(json_string_value(e), s.data, (size_t)s.len) == 0)
        return 0;
    json_t *g = json_stringn_nocheck((const char *)s.data, (size_t)s.len);
    char *gs = g ? json_dumps(g, JSON_ENCODE_ANY) : NULL;
    ug_expect_fail(why, cap, p, e, gs ? gs : "?");
    free(gs);
    json_decref(g);
    return -1;
}

static int cmp_hex(const json_t *e, ug_bytes b, const char *p, char *why, size_t cap)
{
    if (b.len < 0)
        return json_is_null(e) ? 0 : ug_expect_fail(why, cap, p, e, "null");
    size_t need = 2 * (size_t)b.len + 1;
    char *got = malloc(need);
    if (!got)
        return ug_expect_fail(why, cap, p, e, "(out of memory)");
    ug_expect_hex(b, got, need);
    int rc = 0;
    if (!json_is_string(e) || strcasecmp(json_string_value(e), got) != 0)
        rc = ug_expect_fail(why, cap, p, e, got);
    free(got);
    return rc;
}

static int cmp_guid(const json_t *e, const ug_guid *g, const char *p, char *why, size_t cap)
{
    char got[37];
    ug_guid_print(g, got);
    if (!json_is_string(e) || strcasecmp(json_string_value(e), got) != 0)
        return ug_expect_fail(why, cap, p, e, got);
    return 0;
}

/* ---- floating point: NaN/Infinity strings, -0.0, Float rounded to binary32 ---- */

static bool expected_double(const json_t *e, double *out)
{
    if (json_is_number(e)) {
        *out = json_number_value(e);
        return true;
    }
    if (!json_is_string(e))
        return false;
    const char *s = json_string_value(e);
    if (strcmp(s, "NaN") == 0)
        *out = NAN;
    else if (strcmp(s, "Infinity") == 0)
        *out = INFINITY;
    else if (strcmp(s, "-Infinity") == 0)
        *out = -INFINITY;
    else
        return false;
    return true;
}

static int cmp_real(const json_t *e, double got, bool is_float, const char *p, char *why,
                    size_t cap)
{
    char gs[40];
    if (isnan(got))
        snprintf(gs, sizeof gs, "NaN");
    else if (isinf(got))
        snprintf(gs, sizeof gs, got > 0 ? "Infinity" : "-Infinity");
    else
        snprintf(gs, sizeof gs, is_float ? "%.9g" : "%.17g", got);
    double x;
    if (!expected_double(e, &x))
        return ug_expect_fail(why, cap, p, e, gs);
    if (is_float)
        x = (double)(float)x;
    bool same = isnan(x) ? isnan(got) : (x == got && !signbit(x) == !signbit(got));
    return same ? 0 : ug_expect_fail(why, cap, p, e, gs);
}

/* ---- composite values ---- */

static const char *id_type_name(unsigned t)
{
    static const char *const n[] = {"Numeric", "String", "Guid", "Opaque"};
    return t < 4 ? n[t] : "?";
}

/* Part 6 §5.2.2.9: the smallest encoding that holds the NodeId. */
static const char *wire_encoding(const ug_nodeid *n)
{
    switch (n->id_type) {
    case UG_ID_NUMERIC:
        if (n->ns == 0 && n->id.numeric <= 0xFF)
            return "TwoByte";
        if (n->ns <= 0xFF && n->id.numeric <= 0xFFFF)
            return "FourByte";
        return "Numeric";
    case UG_ID_STRING: return "String";
    case UG_ID_GUID: return "Guid";
    case UG_ID_OPAQUE: return "ByteString";
    default: return "?";
    }
}

static int cmp_nodeid(const json_t *e, const ug_nodeid *n, const char *path, char *why,
                      size_t cap)
{
    char p[256];
    if (!json_is_object(e))
        return ug_expect_fail(why, cap, path, e, "a NodeId");
    if (ug_expect_opt_int(e, "ns", true, n->ns, path, why, cap) ||
        ug_expect_str(e, "id_type", id_type_name(n->id_type), path, why, cap) ||
        ug_expect_str(e, "wire_encoding", wire_encoding(n), path, why, cap))
        return -1;
    ug_expect_path(p, sizeof p, "%s.id", path);
    const json_t *id = ug_expect_get(e, "id");
    switch (n->id_type) {
    case UG_ID_NUMERIC: return ug_expect_opt_int(e, "id", true, n->id.numeric, path, why, cap);
    case UG_ID_STRING: return cmp_string(id, n->id.string, p, why, cap);
    case UG_ID_GUID: return cmp_guid(id, &n->id.guid, p, why, cap);
    default: return cmp_hex(id, n->id.opaque, p, why, cap);
    }
}

static int cmp_expanded(const json_t *e, const ug_expanded_nodeid *x, const char *path, char *why,
                        size_t cap)
{
    char p[256];
    if (!json_is_object(e))
        return ug_expect_fail(why, cap, path, e, "an ExpandedNodeId");
    ug_expect_path(p, sizeof p, "%s.node_id", path);
    if (cmp_nodeid(ug_expect_get(e, "node_id"), &x->node, p, why, cap))
        return -1;
    ug_expect_path(p, sizeof p, "%s.namespace_uri", path);
    if (cmp_string(ug_expect_get(e, "namespace_uri"), x->namespace_uri, p, why, cap))
        return -1;
    return ug_expect_opt_int(e, "server_index", true, x->server_index, path, why, cap);
}

/* A JSON-bodied ExtensionObject (Part 6 §5.4.2.16, UG_EO_JSON) is expected as
 * {type_id, encoding "Json", body_json}: body_json is compared as JSON
 * (member order and white space aside); a null type_id or a missing
 * body_json is not compared (a JSON body without UaTypeId has no type, and
 * its binary form needs the structure's descriptor). */
static int cmp_json_body(const json_t *e, const ug_extension_object *x, const char *path,
                         char *why, size_t cap)
{
    char p[256];
    const json_t *et = ug_expect_get(e, "type_id");
    ug_expect_path(p, sizeof p, "%s.type_id", path);
    if (!json_is_null(et) && cmp_nodeid(et, &x->type_id, p, why, cap))
        return -1;
    const json_t *eb = ug_expect_get(e, "body_json");
    if (!eb)
        return 0;
    ug_expect_path(p, sizeof p, "%s.body_json", path);
    json_error_t err;
    json_t *got = x->body.len > 0 ? json_loadb((const char *)x->body.data, (size_t)x->body.len,
                                               JSON_DECODE_ANY, &err)
                                  : NULL;
    int rc = 0;
    if (!got || !json_equal(got, eb)) {
        char *g = got ? json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        rc = ug_expect_fail(why, cap, p, eb, g ? g : "(not JSON)");
        free(g);
    }
    json_decref(got);
    return rc;
}

static int cmp_extobj(const json_t *e, const ug_extension_object *x, const char *path, char *why,
                      size_t cap)
{
    static const char *const enc[] = {"None", "ByteString", "Xml", "Json"};
    char p[256];
    if (!json_is_object(e))
        return ug_expect_fail(why, cap, path, e, "an ExtensionObject");
    if (ug_expect_str(e, "encoding", x->encoding < 4 ? enc[x->encoding] : "?", path, why, cap))
        return -1;
    if (x->encoding == UG_EO_JSON)
        return cmp_json_body(e, x, path, why, cap);
    ug_expect_path(p, sizeof p, "%s.type_id", path);
    if (cmp_nodeid(ug_expect_get(e, "type_id"), &x->type_id, p, why, cap))
        return -1;
    ug_expect_path(p, sizeof p, "%s.body_hex", path);
    return cmp_hex(ug_expect_get(e, "body_hex"),
                   x->encoding == UG_EO_NONE ? UG_NULL_BYTES : x->body, p, why, cap);
}

static int cmp_diag(const json_t *e, const ug_diagnostic_info *d, const char *path, char *why,
                    size_t cap)
{
    char p[256];
    if (!json_is_object(e))
        return ug_expect_fail(why, cap, path, e, "a DiagnosticInfo");
    if (ug_expect_opt_int(e, "symbolic_id", d->mask & UG_DI_SYMBOLIC_ID, d->symbolic_id, path,
                          why, cap) ||
        ug_expect_opt_int(e, "namespace_uri", d->mask & UG_DI_NAMESPACE_URI, d->namespace_uri,
                          path, why, cap) ||
        ug_expect_opt_int(e, "localized_text", d->mask & UG_DI_LOCALIZED_TEXT, d->localized_text,
                          path, why, cap) ||
        ug_expect_opt_int(e, "locale", d->mask & UG_DI_LOCALE, d->locale, path, why, cap) ||
        ug_expect_opt_int(e, "inner_status", d->mask & UG_DI_INNER_STATUS, d->inner_status,
                          path, why, cap))
        return -1;
    ug_expect_path(p, sizeof p, "%s.additional_info", path);
    if (cmp_string(ug_expect_get(e, "additional_info"),
                   (d->mask & UG_DI_ADDITIONAL_INFO) ? d->additional_info : UG_NULL_BYTES, p, why,
                   cap))
        return -1;
    ug_expect_path(p, sizeof p, "%s.inner_diagnostic_info", path);
    const json_t *in = ug_expect_get(e, "inner_diagnostic_info");
    if (!(d->mask & UG_DI_INNER_DIAG) || !d->inner)
        return json_is_null(in) ? 0 : ug_expect_fail(why, cap, p, in, "null");
    return cmp_diag(in, d->inner, p, why, cap);
}

int ug_expect_compare_element(const json_t *e, unsigned type, const void *elem, const char *p,
                              char *why, size_t cap)
{
    char got[48];
    long long iv;
    if (!elem)
        return ug_expect_fail(why, cap, p, e, "(no value)");
    switch (type) {
    case UG_TYPE_BOOLEAN: {
        bool b = *(const bool *)elem;
        if (!json_is_boolean(e) || json_is_true(e) != b)
            return ug_expect_fail(why, cap, p, e, b ? "true" : "false");
        return 0;
    }
    case UG_TYPE_SBYTE: iv = *(const int8_t *)elem; goto integer;
    case UG_TYPE_BYTE: iv = *(const uint8_t *)elem; goto integer;
    case UG_TYPE_INT16: iv = *(const int16_t *)elem; goto integer;
    case UG_TYPE_UINT16: iv = *(const uint16_t *)elem; goto integer;
    case UG_TYPE_INT32: iv = *(const int32_t *)elem; goto integer;
    case UG_TYPE_UINT32: iv = *(const uint32_t *)elem; goto integer;
    case UG_TYPE_STATUSCODE: iv = *(const ug_status *)elem; goto integer;
    case UG_TYPE_INT64:
    case UG_TYPE_DATETIME:
        snprintf(got, sizeof got, "%" PRId64, *(const int64_t *)elem);
        return cmp_dec(e, true, got, p, why, cap);
    case UG_TYPE_UINT64:
        snprintf(got, sizeof got, "%" PRIu64, *(const uint64_t *)elem);
        return cmp_dec(e, true, got, p, why, cap);
    case UG_TYPE_FLOAT: return cmp_real(e, *(const float *)elem, true, p, why, cap);
    case UG_TYPE_DOUBLE: return cmp_real(e, *(const double *)elem, false, p, why, cap);
    case UG_TYPE_STRING:
    case UG_TYPE_XMLELEMENT: return cmp_string(e, *(const ug_string *)elem, p, why, cap);
    case UG_TYPE_BYTESTRING: return cmp_hex(e, *(const ug_bytes *)elem, p, why, cap);
    case UG_TYPE_GUID: return cmp_guid(e, elem, p, why, cap);
    case UG_TYPE_NODEID: return cmp_nodeid(e, elem, p, why, cap);
    case UG_TYPE_EXPANDEDNODEID: return cmp_expanded(e, elem, p, why, cap);
    case UG_TYPE_QUALIFIEDNAME: {
        const ug_qualified_name *q = elem;
        char sp[256];
        if (!json_is_object(e))
            return ug_expect_fail(why, cap, p, e, "a QualifiedName");
        ug_expect_path(sp, sizeof sp, "%s.name", p);
        if (ug_expect_opt_int(e, "ns", true, q->ns, p, why, cap))
            return -1;
        return cmp_string(ug_expect_get(e, "name"), q->name, sp, why, cap);
    }
    case UG_TYPE_LOCALIZEDTEXT: {
        const ug_localized_text *t = elem;
        char sp[256];
        if (!json_is_object(e))
            return ug_expect_fail(why, cap, p, e, "a LocalizedText");
        ug_expect_path(sp, sizeof sp, "%s.locale", p);
        if (cmp_string(ug_expect_get(e, "locale"), t->locale, sp, why, cap))
            return -1;
        ug_expect_path(sp, sizeof sp, "%s.text", p);
        return cmp_string(ug_expect_get(e, "text"), t->text, sp, why, cap);
    }
    case UG_TYPE_EXTENSIONOBJECT: return cmp_extobj(e, elem, p, why, cap);
    case UG_TYPE_DATAVALUE: return ug_expect_compare_datavalue(e, elem, p, why, cap);
    case UG_TYPE_VARIANT: return ug_expect_compare_variant(e, elem, p, why, cap);
    case UG_TYPE_DIAGNOSTICINFO: return cmp_diag(e, elem, p, why, cap);
    default:
        snprintf(got, sizeof got, "(built-in type %u)", type);
        return ug_expect_fail(why, cap, p, e, got);
    }
integer:
    snprintf(got, sizeof got, "%lld", iv);
    if (!json_is_integer(e) || json_integer_value(e) != iv)
        return ug_expect_fail(why, cap, p, e, got);
    return 0;
}

int ug_expect_compare_variant(const json_t *e, const ug_variant *v, const char *path, char *why,
                              size_t cap)
{
    char p[256], got[32];
    if (!json_is_object(e))
        return ug_expect_fail(why, cap, path, e, "a Variant");
    const char *tn = ug_type_name(v->type);
    bool is_array = v->type != UG_TYPE_NULL && ug_variant_is_array(v);
    if (ug_expect_str(e, "type", tn ? tn : "(invalid type)", path, why, cap) ||
        ug_expect_bool(e, "array", is_array, path, why, cap) ||
        ug_expect_opt_int(e, "array_length", is_array, v->array_len, path, why, cap))
        return -1;

    ug_expect_path(p, sizeof p, "%s.array_dimensions", path);
    const json_t *ed = ug_expect_get(e, "array_dimensions");
    if (!is_array || v->ndims == 0) {
        if (!json_is_null(ed))
            return ug_expect_fail(why, cap, p, ed, "null");
    } else {
        snprintf(got, sizeof got, "%u dimensions", v->ndims);
        if (!json_is_array(ed) || json_array_size(ed) != v->ndims || !v->dims)
            return ug_expect_fail(why, cap, p, ed, got);
        for (size_t i = 0; i < v->ndims; i++) {
            const json_t *d = json_array_get(ed, i);
            if (!json_is_integer(d) || json_integer_value(d) != v->dims[i]) {
                snprintf(got, sizeof got, "%" PRId32 " at [%zu]", v->dims[i], i);
                return ug_expect_fail(why, cap, p, ed, got);
            }
        }
    }

    ug_expect_path(p, sizeof p, "%s.value", path);
    const json_t *ev = ug_expect_get(e, "value");
    if (v->type == UG_TYPE_NULL || (is_array && v->array_len < 0))
        return json_is_null(ev) ? 0 : ug_expect_fail(why, cap, p, ev, "null");
    if (!is_array)
        return ug_expect_compare_element(ev, v->type, ug_variant_scalar_elem(v), p, why, cap);
    snprintf(got, sizeof got, "%" PRId32 " elements", v->array_len);
    if (!json_is_array(ev) || json_array_size(ev) != (size_t)v->array_len)
        return ug_expect_fail(why, cap, p, ev, got);
    size_t esz = ug_type_size(v->type);
    if (v->array_len > 0 && (!v->u.arr || esz == 0))
        return ug_expect_fail(why, cap, p, ev, "(no array storage)");
    for (int32_t i = 0; i < v->array_len; i++) {
        char ep[256];
        ug_expect_path(ep, sizeof ep, "%s[%" PRId32 "]", p, i);
        const void *elem = (const uint8_t *)v->u.arr + (size_t)i * esz;
        if (ug_expect_compare_element(json_array_get(ev, (size_t)i), v->type, elem, ep, why, cap))
            return -1;
    }
    return 0;
}

int ug_expect_compare_datavalue(const json_t *e, const ug_datavalue *dv, const char *path,
                                char *why, size_t cap)
{
    char p[256];
    if (!json_is_object(e))
        return ug_expect_fail(why, cap, path, e, "a DataValue");
    uint8_t m = dv->mask;
    if (ug_expect_opt_int(e, "encoding_mask", true, m, path, why, cap) ||
        ug_expect_opt_int(e, "status", m & UG_DV_STATUS, dv->status, path, why, cap) ||
        ug_expect_opt_i64(e, "source_timestamp", m & UG_DV_SOURCE_TIMESTAMP, dv->source_ts, path,
                          why, cap) ||
        ug_expect_opt_int(e, "source_picoseconds", m & UG_DV_SOURCE_PICOSECONDS, dv->source_ps,
                          path, why, cap) ||
        ug_expect_opt_i64(e, "server_timestamp", m & UG_DV_SERVER_TIMESTAMP, dv->server_ts, path,
                          why, cap) ||
        ug_expect_opt_int(e, "server_picoseconds", m & UG_DV_SERVER_PICOSECONDS, dv->server_ps,
                          path, why, cap))
        return -1;
    ug_expect_path(p, sizeof p, "%s.variant", path);
    const json_t *ev = ug_expect_get(e, "variant");
    if (!(m & UG_DV_VALUE))
        return json_is_null(ev) ? 0 : ug_expect_fail(why, cap, p, ev, "null");
    return ug_expect_compare_variant(ev, &dv->value, p, why, cap);
}
