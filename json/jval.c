/* Built-in type values in JSON, Part 6 §5.4.2 (1.05), and the decoding of the
 * 1.04 forms (Part 6 Annex H). Encoding follows the 1.05 Compact/Verbose
 * forms; decoding takes a value from whatever JSON shape it arrives in. */
#include <math.h>

#include "jval.h"

/* ---------------------------------------------------------------- encode */

static ug_string ns_uri(const ug_json_enc_opts *o, uint16_t ns)
{
    if (o->form == UG_JSON_VERBOSE && ns && o->namespaces && ns < o->n_namespaces)
        return o->namespaces[ns];
    return UG_NULL_BYTES;
}

/* URI inside "nsu=...;": Part 6 §5.3.1.11 escapes ';' and '%'. */
static void uri_body(ug_wr *wr, ug_string u)
{
    const uint8_t *p = u.data, *e = p + u.len, *run = p;
    for (; p < e; p++) {
        if (*p != ';' && *p != '%')
            continue;
        jw_body(wr, run, (size_t)(p - run));
        if (*p == ';')
            JW_LIT(wr, "%3B");
        else
            JW_LIT(wr, "%25");
        run = p + 1;
    }
    jw_body(wr, run, (size_t)(p - run));
}

/* NodeId text, Part 6 §5.3.1.10, as the body of a JSON string. */
static void nodeid_body(ug_wr *wr, const ug_nodeid *n, ug_string uri, bool with_ns)
{
    if (uri.len > 0) {
        JW_LIT(wr, "nsu=");
        uri_body(wr, uri);
        ug_wr_u8(wr, ';');
    } else if (with_ns && n->ns) {
        JW_LIT(wr, "ns=");
        jw_u32(wr, n->ns);
        ug_wr_u8(wr, ';');
    }
    switch (n->id_type) {
    case UG_ID_NUMERIC:
        JW_LIT(wr, "i=");
        jw_u32(wr, n->id.numeric);
        break;
    case UG_ID_STRING:
        JW_LIT(wr, "s=");
        if (n->id.string.len > 0)
            jw_body(wr, n->id.string.data, (size_t)n->id.string.len);
        break;
    case UG_ID_GUID: {
        char g[37];
        ug_guid_print(&n->id.guid, g);
        JW_LIT(wr, "g=");
        ug_wr_bytes(wr, g, 36);
        break;
    }
    case UG_ID_OPAQUE: {
        JW_LIT(wr, "b=");
        size_t len = n->id.opaque.len > 0 ? (size_t)n->id.opaque.len : 0;
        size_t need = (len + 2) / 3 * 4;
        if (need <= wr->cap && wr->len <= wr->cap - need)
            ug_base64_encode(n->id.opaque.data, len, (char *)wr->buf + wr->len, need);
        wr->len += need;
        break;
    }
    default: ug_wr_fail(wr, UG_STATUS_BADENCODINGERROR);
    }
}

static void jw_nodeid(ug_wr *wr, const ug_nodeid *n, const ug_json_enc_opts *o)
{
    ug_wr_u8(wr, '"');
    nodeid_body(wr, n, ns_uri(o, n->ns), true);
    ug_wr_u8(wr, '"');
}

static void jw_expanded(ug_wr *wr, const ug_expanded_nodeid *x, const ug_json_enc_opts *o)
{
    ug_wr_u8(wr, '"');
    if (x->server_index) {
        JW_LIT(wr, "svr=");
        jw_u32(wr, x->server_index);
        ug_wr_u8(wr, ';');
    }
    ug_string uri = x->namespace_uri.len > 0 ? x->namespace_uri : ns_uri(o, x->node.ns);
    nodeid_body(wr, &x->node, uri, true);
    ug_wr_u8(wr, '"');
}

void jw_statuscode(ug_wr *wr, ug_status s, const ug_json_enc_opts *o)
{
    /* Part 6 §5.4.2.12: Code omitted for Good, Symbol only in Verbose. */
    ug_wr_u8(wr, '{');
    if (s) {
        JW_KEY(wr, "Code");
        jw_u32(wr, s);
        const char *sym = o->form == UG_JSON_VERBOSE ? ug_status_name(s) : NULL;
        if (sym) {
            JW_LIT(wr, ",\"Symbol\":");
            jw_cstr(wr, sym);
        }
    }
    ug_wr_u8(wr, '}');
}

static bool has_index_prefix(ug_string n)
{
    int32_t i = 0;
    while (i < n.len && n.data[i] >= '0' && n.data[i] <= '9')
        i++;
    return i > 0 && i < n.len && n.data[i] == ':';
}

static void jw_qname(ug_wr *wr, const ug_qualified_name *q, const ug_json_enc_opts *o)
{
    /* 1.05 string form "<ns>:<name>" (ns 0 left out), "nsu=<uri>;<name>" in
     * Verbose when the namespace table gives a URI. */
    if (q->name.len < 0 && q->ns == 0) {
        JW_LIT(wr, "null");
        return;
    }
    ug_wr_u8(wr, '"');
    ug_string uri = ns_uri(o, q->ns);
    if (uri.len > 0) {
        JW_LIT(wr, "nsu=");
        uri_body(wr, uri);
        ug_wr_u8(wr, ';');
    } else if (q->ns || has_index_prefix(q->name) ||
               (q->name.len >= 4 && memcmp(q->name.data, "nsu=", 4) == 0)) {
        /* "0:" keeps a name like "1:x" or "nsu=..." in namespace 0 */
        jw_u32(wr, q->ns);
        ug_wr_u8(wr, ':');
    }
    if (q->name.len > 0)
        jw_body(wr, q->name.data, (size_t)q->name.len);
    ug_wr_u8(wr, '"');
}

static void jw_ltext(ug_wr *wr, const ug_localized_text *t, const ug_json_enc_opts *o)
{
    bool first = true;
    ug_wr_u8(wr, '{');
    if (t->locale.len >= 0 || o->form == UG_JSON_VERBOSE) {
        jw_sep(wr, &first);
        JW_KEY(wr, "Locale");
        jw_str(wr, t->locale);
    }
    if (t->text.len >= 0 || o->form == UG_JSON_VERBOSE) {
        jw_sep(wr, &first);
        JW_KEY(wr, "Text");
        jw_str(wr, t->text);
    }
    ug_wr_u8(wr, '}');
}

static void jw_extobj(ug_wr *wr, const ug_extension_object *e, const ug_json_enc_opts *o)
{
    if (e->encoding == UG_EO_JSON) {
        /* Decoded JSON body kept as text: written back as it came. */
        if (e->body.len > 0)
            ug_wr_bytes(wr, e->body.data, (size_t)e->body.len);
        else
            ug_wr_fail(wr, UG_STATUS_BADENCODINGERROR);
        return;
    }
    ug_wr_u8(wr, '{');
    if (e->encoding == UG_EO_NONE) {
        ug_wr_u8(wr, '}'); /* Part 6 §5.4.2.16: the null ExtensionObject */
        return;
    }
    JW_KEY(wr, "UaTypeId");
    jw_nodeid(wr, &e->type_id, o);
    if (e->encoding == UG_EO_BYTESTRING) {
        JW_LIT(wr, ",\"UaEncoding\":1,\"UaBody\":");
        jw_base64(wr, e->body);
    } else if (e->encoding == UG_EO_XML) {
        JW_LIT(wr, ",\"UaEncoding\":2,\"UaBody\":");
        jw_str(wr, e->body);
    } else {
        ug_wr_fail(wr, UG_STATUS_BADENCODINGERROR);
    }
    ug_wr_u8(wr, '}');
}

static void jw_diag(ug_wr *wr, const ug_diagnostic_info *d, const ug_json_enc_opts *o, int depth)
{
    bool first = true;
    if (depth > 100) {
        ug_wr_fail(wr, UG_STATUS_BADENCODINGLIMITSEXCEEDED);
        return;
    }
    ug_wr_u8(wr, '{');
    if (d->mask & UG_DI_SYMBOLIC_ID) {
        jw_sep(wr, &first);
        JW_KEY(wr, "SymbolicId");
        jw_i32(wr, d->symbolic_id);
    }
    if (d->mask & UG_DI_NAMESPACE_URI) {
        jw_sep(wr, &first);
        JW_KEY(wr, "NamespaceUri");
        jw_i32(wr, d->namespace_uri);
    }
    if (d->mask & UG_DI_LOCALE) {
        jw_sep(wr, &first);
        JW_KEY(wr, "Locale");
        jw_i32(wr, d->locale);
    }
    if (d->mask & UG_DI_LOCALIZED_TEXT) {
        jw_sep(wr, &first);
        JW_KEY(wr, "LocalizedText");
        jw_i32(wr, d->localized_text);
    }
    if (d->mask & UG_DI_ADDITIONAL_INFO) {
        jw_sep(wr, &first);
        JW_KEY(wr, "AdditionalInfo");
        jw_str(wr, d->additional_info);
    }
    if (d->mask & UG_DI_INNER_STATUS) {
        jw_sep(wr, &first);
        JW_KEY(wr, "InnerStatusCode");
        jw_statuscode(wr, d->inner_status, o);
    }
    if ((d->mask & UG_DI_INNER_DIAG) && d->inner) {
        jw_sep(wr, &first);
        JW_KEY(wr, "InnerDiagnosticInfo");
        jw_diag(wr, d->inner, o, depth + 1);
    }
    ug_wr_u8(wr, '}');
}

void jw_element(ug_wr *wr, unsigned type, const void *in, const ug_json_enc_opts *o)
{
    switch (type) {
    case UG_TYPE_BOOLEAN:
        if (*(const bool *)in)
            JW_LIT(wr, "true");
        else
            JW_LIT(wr, "false");
        break;
    case UG_TYPE_SBYTE: jw_i32(wr, *(const int8_t *)in); break;
    case UG_TYPE_BYTE: jw_u32(wr, *(const uint8_t *)in); break;
    case UG_TYPE_INT16: jw_i32(wr, *(const int16_t *)in); break;
    case UG_TYPE_UINT16: jw_u32(wr, *(const uint16_t *)in); break;
    case UG_TYPE_INT32: jw_i32(wr, *(const int32_t *)in); break;
    case UG_TYPE_UINT32: jw_u32(wr, *(const uint32_t *)in); break;
    case UG_TYPE_INT64: /* Part 6 §5.4.2.3: 64-bit integers as strings */
        ug_wr_u8(wr, '"');
        jw_i64(wr, *(const int64_t *)in);
        ug_wr_u8(wr, '"');
        break;
    case UG_TYPE_UINT64:
        ug_wr_u8(wr, '"');
        jw_u64(wr, *(const uint64_t *)in);
        ug_wr_u8(wr, '"');
        break;
    case UG_TYPE_FLOAT: jw_float(wr, *(const float *)in); break;
    case UG_TYPE_DOUBLE: jw_double(wr, *(const double *)in); break;
    case UG_TYPE_STRING:
    case UG_TYPE_XMLELEMENT: jw_str(wr, *(const ug_string *)in); break;
    case UG_TYPE_DATETIME: jw_datetime(wr, *(const ug_datetime *)in); break;
    case UG_TYPE_GUID: jw_guid(wr, (const ug_guid *)in); break;
    case UG_TYPE_BYTESTRING: jw_base64(wr, *(const ug_bytes *)in); break;
    case UG_TYPE_NODEID: jw_nodeid(wr, (const ug_nodeid *)in, o); break;
    case UG_TYPE_EXPANDEDNODEID: jw_expanded(wr, (const ug_expanded_nodeid *)in, o); break;
    case UG_TYPE_STATUSCODE: jw_statuscode(wr, *(const ug_status *)in, o); break;
    case UG_TYPE_QUALIFIEDNAME: jw_qname(wr, (const ug_qualified_name *)in, o); break;
    case UG_TYPE_LOCALIZEDTEXT: jw_ltext(wr, (const ug_localized_text *)in, o); break;
    case UG_TYPE_EXTENSIONOBJECT: jw_extobj(wr, (const ug_extension_object *)in, o); break;
    case UG_TYPE_DATAVALUE: jw_datavalue(wr, (const ug_datavalue *)in, o); break;
    case UG_TYPE_VARIANT: {
        bool first = true;
        ug_wr_u8(wr, '{');
        jw_variant_members(wr, (const ug_variant *)in, o, &first);
        ug_wr_u8(wr, '}');
        break;
    }
    case UG_TYPE_DIAGNOSTICINFO: jw_diag(wr, (const ug_diagnostic_info *)in, o, 0); break;
    default: ug_wr_fail(wr, UG_STATUS_BADENCODINGERROR);
    }
}

/* A scalar Variant keeps large types behind pointers (types.h). */
static const void *scalar_ptr(const ug_variant *v)
{
    switch (v->type) {
    case UG_TYPE_EXPANDEDNODEID: return v->u.v.expanded;
    case UG_TYPE_EXTENSIONOBJECT: return v->u.v.extobj;
    case UG_TYPE_DATAVALUE: return v->u.v.datavalue;
    case UG_TYPE_DIAGNOSTICINFO: return v->u.v.diag;
    case UG_TYPE_VARIANT: return NULL; /* a Variant cannot hold a scalar Variant */
    default: return &v->u.v;
    }
}

void jw_variant_value(ug_wr *wr, const ug_variant *v, const ug_json_enc_opts *o)
{
    if (v->type == UG_TYPE_NULL) {
        JW_LIT(wr, "null");
        return;
    }
    if (!ug_variant_is_array(v)) {
        const void *p = scalar_ptr(v);
        if (!p) {
            ug_wr_fail(wr, UG_STATUS_BADENCODINGERROR);
            return;
        }
        jw_element(wr, v->type, p, o);
        return;
    }
    if (v->array_len < 0) {
        JW_LIT(wr, "null");
        return;
    }
    size_t sz = ug_type_size(v->type);
    const uint8_t *a = v->u.arr;
    if (!sz || (v->array_len > 0 && !a)) {
        ug_wr_fail(wr, UG_STATUS_BADENCODINGERROR);
        return;
    }
    ug_wr_u8(wr, '[');
    for (int32_t i = 0; i < v->array_len; i++) {
        if (i)
            ug_wr_u8(wr, ',');
        jw_element(wr, v->type, a + (size_t)i * sz, o);
    }
    ug_wr_u8(wr, ']');
}

void jw_raw_value(ug_wr *wr, const ug_variant *v, const ug_json_enc_opts *o)
{
    if (v->type != UG_TYPE_VARIANT || !ug_variant_is_array(v) || v->array_len <= 0 || !v->u.arr) {
        jw_variant_value(wr, v, o);
        return;
    }
    const ug_variant *a = v->u.arr; /* Variant elements without UaType too */
    ug_wr_u8(wr, '[');
    for (int32_t i = 0; i < v->array_len; i++) {
        if (i)
            ug_wr_u8(wr, ',');
        jw_raw_value(wr, &a[i], o);
    }
    ug_wr_u8(wr, ']');
}

void jw_variant_members(ug_wr *wr, const ug_variant *v, const ug_json_enc_opts *o, bool *first)
{
    /* Part 6 §5.4.2.17: {"UaType":id,"Value":v,"Dimensions":[..]}; the empty
     * Variant has neither member. */
    if (v->type == UG_TYPE_NULL)
        return;
    if (v->type > UG_TYPE_MAX) {
        ug_wr_fail(wr, UG_STATUS_BADENCODINGERROR);
        return;
    }
    jw_sep(wr, first);
    JW_KEY(wr, "UaType");
    jw_u32(wr, v->type);
    JW_LIT(wr, ",\"Value\":");
    jw_variant_value(wr, v, o);
    if (ug_variant_is_array(v) && v->ndims > 1 && v->dims) {
        JW_LIT(wr, ",\"Dimensions\":[");
        for (uint16_t i = 0; i < v->ndims; i++) {
            if (i)
                ug_wr_u8(wr, ',');
            jw_i32(wr, v->dims[i]);
        }
        ug_wr_u8(wr, ']');
    }
}

void jw_datavalue(ug_wr *wr, const ug_datavalue *d, const ug_json_enc_opts *o)
{
    /* Part 6 §5.4.2.18 (1.05): the Variant members flattened into the object;
     * Good status, DateTime.MinValue timestamps and zero picoseconds are not
     * encoded. */
    bool first = true;
    ug_wr_u8(wr, '{');
    if (d->mask & UG_DV_VALUE)
        jw_variant_members(wr, &d->value, o, &first);
    if ((d->mask & UG_DV_STATUS) && d->status) {
        jw_sep(wr, &first);
        JW_KEY(wr, "Status");
        jw_statuscode(wr, d->status, o);
    }
    if ((d->mask & UG_DV_SOURCE_TIMESTAMP) && d->source_ts) {
        jw_sep(wr, &first);
        JW_KEY(wr, "SourceTimestamp");
        jw_datetime(wr, d->source_ts);
    }
    if ((d->mask & UG_DV_SOURCE_PICOSECONDS) && d->source_ps) {
        jw_sep(wr, &first);
        JW_KEY(wr, "SourcePicoseconds");
        jw_u32(wr, d->source_ps);
    }
    if ((d->mask & UG_DV_SERVER_TIMESTAMP) && d->server_ts) {
        jw_sep(wr, &first);
        JW_KEY(wr, "ServerTimestamp");
        jw_datetime(wr, d->server_ts);
    }
    if ((d->mask & UG_DV_SERVER_PICOSECONDS) && d->server_ps) {
        jw_sep(wr, &first);
        JW_KEY(wr, "ServerPicoseconds");
        jw_u32(wr, d->server_ps);
    }
    ug_wr_u8(wr, '}');
}

void jw_publisher_id(ug_wr *wr, const ug_publisher_id *id)
{
    /* Part 14 §7.2.5.3: a String; a UInteger without leading zeros. */
    if (id->type == UG_PUBID_STRING) {
        jw_str(wr, id->str);
        return;
    }
    ug_wr_u8(wr, '"');
    jw_u64(wr, id->u64);
    ug_wr_u8(wr, '"');
}
