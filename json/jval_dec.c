/* Decoding of built-in type values from JSON: the 1.05 Compact and Verbose
 * forms (Part 6 §5.4.2) and the 1.04 Reversible/NonReversible forms (Part 6
 * Annex H). Each value is taken from the JSON shape it has. */
#include <float.h>
#include <math.h>

#include "jval.h"

static void *alloc(ug_jr *jr, size_t n)
{
    void *p = jr->arena ? ug_arena_alloc(jr->arena, n) : NULL;
    if (!p)
        jr_fail(jr, UG_STATUS_BADOUTOFMEMORY);
    return p;
}

static bool resolve_ns(ug_jr *jr, ug_string uri, uint16_t *ns)
{
    const ug_json_dec_opts *o = jr->opts;
    for (int32_t i = 0; o->namespaces && i < o->n_namespaces && i <= UINT16_MAX; i++) {
        if (ug_bytes_eq(o->namespaces[i], uri)) {
            *ns = (uint16_t)i;
            return true;
        }
    }
    jr_fail(jr, UG_STATUS_BADDECODINGERROR); /* a namespace we cannot index */
    return false;
}

static void fail_st(ug_jr *jr, ug_status st)
{
    jr_fail(jr, st == UG_STATUS_BADOUTOFMEMORY ? st : UG_STATUS_BADDECODINGERROR);
}

static bool has_prefix(ug_string s, const char *pre, size_t n)
{
    return s.len >= (int32_t)n && memcmp(s.data, pre, n) == 0;
}

/* NodeId text, Part 6 §5.3.1.10; "nsu=" needs the namespace table. */
static void nodeid_text(ug_jr *jr, ug_string s, ug_expanded_nodeid *x, bool expanded)
{
    ug_status st;
    if (s.len <= 0) {
        jr_fail(jr, UG_STATUS_BADDECODINGERROR);
        return;
    }
    if (expanded || has_prefix(s, "nsu=", 4) || has_prefix(s, "svr=", 4)) {
        st = ug_expanded_nodeid_parse((const char *)s.data, (size_t)s.len, x, jr->arena);
        if (st != UG_STATUS_GOOD) {
            fail_st(jr, st);
            return;
        }
        if (x->namespace_uri.len == 0)
            x->namespace_uri = UG_NULL_BYTES; /* "nsu=;" names no namespace */
        if (!expanded) {
            if (x->server_index || (x->namespace_uri.len > 0 &&
                                    !resolve_ns(jr, x->namespace_uri, &x->node.ns)))
                jr_fail(jr, UG_STATUS_BADDECODINGERROR);
        }
        return;
    }
    st = ug_nodeid_parse((const char *)s.data, (size_t)s.len, &x->node, jr->arena);
    if (st != UG_STATUS_GOOD)
        fail_st(jr, st);
}

static void bytes_b64(ug_jr *jr, ug_string s, ug_bytes *out)
{
    size_t need = 0;
    if (ug_base64_decode((const char *)s.data, (size_t)s.len, NULL, 0, &need) ==
        UG_STATUS_BADDECODINGERROR) {
        jr_fail(jr, UG_STATUS_BADDECODINGERROR);
        return;
    }
    if (need == 0) {
        *out = (ug_bytes){NULL, 0};
        return;
    }
    uint8_t *b = alloc(jr, need);
    if (!b)
        return;
    if (ug_base64_decode((const char *)s.data, (size_t)s.len, b, need, &need) != UG_STATUS_GOOD) {
        jr_fail(jr, UG_STATUS_BADDECODINGERROR);
        return;
    }
    *out = (ug_bytes){b, (int32_t)need};
}

/* 1.04 NodeId/ExpandedNodeId object: {"IdType","Id","Namespace","ServerUri"}. */
static void nodeid_object(ug_jr *jr, ug_expanded_nodeid *x, bool expanded)
{
    uint32_t n = 0;
    ug_string key;
    int64_t id_type = 0;
    ug_bytes id_raw = UG_NULL_BYTES;
    if (!jr_obj_begin(jr))
        return;
    while (jr_member(jr, &n, &key)) {
        if (JR_KEY(key, "IdType")) {
            id_type = jr_int(jr, 0, 3, false);
        } else if (JR_KEY(key, "Id")) {
            id_raw = jr_raw(jr);
        } else if (JR_KEY(key, "Namespace")) {
            if (jr_peek(jr) == JR_STRING) {
                ug_string uri = jr_string(jr);
                if (expanded)
                    x->namespace_uri = uri;
                else
                    resolve_ns(jr, uri, &x->node.ns);
            } else {
                x->node.ns = (uint16_t)jr_int(jr, 0, UINT16_MAX, false);
            }
        } else if (JR_KEY(key, "ServerUri") && expanded) {
            x->server_index = (uint32_t)jr_int(jr, 0, UINT32_MAX, false);
        } else {
            jr_skip(jr);
        }
    }
    if (!jr_ok(jr))
        return;
    ug_jr sub;
    ug_string s;
    jr_sub(&sub, jr, id_raw);
    x->node.id_type = (uint8_t)id_type;
    switch (id_type) {
    case UG_ID_NUMERIC:
        x->node.id.numeric = id_raw.len > 0 ? (uint32_t)jr_int(&sub, 0, UINT32_MAX, true) : 0;
        break;
    case UG_ID_STRING: /* a NodeId has no null string id: absent is empty */
        x->node.id.string = id_raw.len > 0 ? jr_string(&sub) : (ug_string){NULL, 0};
        break;
    case UG_ID_GUID:
        s = jr_string(&sub);
        if (jr_ok(&sub) && ug_guid_parse((const char *)s.data, (size_t)s.len, &x->node.id.guid))
            jr_fail(&sub, UG_STATUS_BADDECODINGERROR);
        break;
    default:
        s = jr_string(&sub);
        if (jr_ok(&sub))
            bytes_b64(&sub, s, &x->node.id.opaque);
    }
    jr_join(jr, &sub);
}

static void jr_nodeid_any(ug_jr *jr, ug_expanded_nodeid *x, bool expanded)
{
    memset(x, 0, sizeof *x);
    x->namespace_uri = UG_NULL_BYTES;
    if (jr_peek(jr) == JR_OBJECT) {
        nodeid_object(jr, x, expanded);
        return;
    }
    ug_string s = jr_string(jr);
    if (jr_ok(jr))
        nodeid_text(jr, s, x, expanded);
}

ug_status jr_statuscode(ug_jr *jr)
{
    uint32_t n = 0;
    ug_string key;
    ug_status code = 0, sym_code = 0;
    bool have_code = false;
    if (jr_null(jr))
        return 0;
    if (jr_peek(jr) != JR_OBJECT) /* 1.04 Reversible: a number */
        return (ug_status)jr_int(jr, 0, UINT32_MAX, false);
    if (!jr_obj_begin(jr))
        return 0;
    while (jr_member(jr, &n, &key)) {
        if (JR_KEY(key, "Code")) {
            code = (ug_status)jr_int(jr, 0, UINT32_MAX, false);
            have_code = true;
        } else if (JR_KEY(key, "Symbol") && jr_peek(jr) == JR_STRING) {
            ug_string s = jr_string(jr);
            if (jr_ok(jr) && !ug_status_from_name((const char *)s.data, s.len, &sym_code))
                sym_code = 0;
        } else {
            jr_skip(jr);
        }
    }
    return have_code ? code : sym_code;
}

static void jr_qname(ug_jr *jr, ug_qualified_name *q)
{
    if (jr_peek(jr) == JR_OBJECT) { /* 1.04: {"Name":..,"Uri":..} */
        uint32_t n = 0;
        ug_string key;
        if (!jr_obj_begin(jr))
            return;
        while (jr_member(jr, &n, &key)) {
            if (JR_KEY(key, "Name"))
                q->name = jr_string(jr);
            else if (JR_KEY(key, "Uri") && jr_peek(jr) == JR_STRING)
                resolve_ns(jr, jr_string(jr), &q->ns);
            else if (JR_KEY(key, "Uri"))
                q->ns = (uint16_t)jr_int(jr, 0, UINT16_MAX, false);
            else
                jr_skip(jr);
        }
        if (q->ns && q->name.len < 0)
            q->name = (ug_string){NULL, 0}; /* as the string form can say */
        return;
    }
    ug_string s = jr_string(jr);
    if (!jr_ok(jr))
        return;
    if (has_prefix(s, "nsu=", 4)) {
        const uint8_t *semi = memchr(s.data, ';', (size_t)s.len);
        if (!semi) {
            jr_fail(jr, UG_STATUS_BADDECODINGERROR);
            return;
        }
        ug_string uri = {s.data + 4, (int32_t)(semi - s.data - 4)};
        resolve_ns(jr, uri, &q->ns);
        q->name = (ug_string){semi + 1, (int32_t)(s.data + s.len - semi - 1)};
        return;
    }
    /* "<ns>:<name>": a digit prefix up to the first ':' is the index. */
    int32_t i = 0;
    uint32_t ns = 0;
    while (i < s.len && s.data[i] >= '0' && s.data[i] <= '9' && ns <= UINT16_MAX)
        ns = ns * 10 + (uint32_t)(s.data[i++] - '0');
    if (i > 0 && i < s.len && s.data[i] == ':' && ns <= UINT16_MAX) {
        q->ns = (uint16_t)ns;
        q->name = (ug_string){s.data + i + 1, s.len - i - 1};
    } else {
        q->name = s;
    }
}

static void jr_ltext(ug_jr *jr, ug_localized_text *t)
{
    if (jr_peek(jr) == JR_STRING) { /* 1.04 NonReversible: the text only */
        t->text = jr_string(jr);
        return;
    }
    uint32_t n = 0;
    ug_string key;
    if (!jr_obj_begin(jr))
        return;
    while (jr_member(jr, &n, &key)) {
        if (JR_KEY(key, "Locale"))
            t->locale = jr_null(jr) ? UG_NULL_BYTES : jr_string(jr);
        else if (JR_KEY(key, "Text"))
            t->text = jr_null(jr) ? UG_NULL_BYTES : jr_string(jr);
        else
            jr_skip(jr);
    }
}

static void jr_extobj(ug_jr *jr, ug_extension_object *e)
{
    ug_bytes raw = jr_raw(jr);
    if (!jr_ok(jr) || raw.data[0] != '{') {
        jr_fail(jr, UG_STATUS_BADDECODINGERROR);
        return;
    }
    ug_jr sub;
    jr_sub(&sub, jr, raw);
    uint32_t n = 0;
    ug_string key;
    int64_t enc = -1;
    bool typed = false, other = false;
    ug_bytes body = UG_NULL_BYTES;
    ug_expanded_nodeid x;
    if (jr_obj_begin(&sub)) {
        while (jr_member(&sub, &n, &key)) {
            if (JR_KEY(key, "UaTypeId") || JR_KEY(key, "TypeId")) {
                jr_nodeid_any(&sub, &x, false);
                e->type_id = x.node;
                typed = true;
            } else if (JR_KEY(key, "UaEncoding") || JR_KEY(key, "Encoding")) {
                enc = jr_int(&sub, 0, 2, false);
            } else if (JR_KEY(key, "UaBody") || JR_KEY(key, "Body")) {
                body = jr_raw(&sub);
            } else {
                other = true;
                jr_skip(&sub);
            }
        }
    }
    if (jr_ok(&sub) && !typed && (other || body.len >= 0))
        jr_fail(&sub, UG_STATUS_BADDECODINGERROR); /* a body without a type */
    if (jr_ok(&sub) && typed) {
        ug_jr b;
        jr_sub(&b, &sub, body);
        if (enc == UG_EO_BYTESTRING) {
            e->encoding = UG_EO_BYTESTRING;
            ug_string s = jr_string(&b);
            if (jr_ok(&b))
                bytes_b64(&b, s, &e->body);
        } else if (enc == UG_EO_XML) {
            e->encoding = UG_EO_XML;
            e->body = jr_string(&b);
        } else {
            /* A JSON body (1.05: fields beside UaTypeId; 1.04: in Body): the
             * whole object is kept, so that it can be written back as is. */
            e->encoding = UG_EO_JSON;
            e->body = raw;
        }
        jr_join(&sub, &b);
    }
    jr_join(jr, &sub);
}

static void jr_diag(ug_jr *jr, ug_diagnostic_info *d)
{
    uint32_t n = 0;
    ug_string key;
    if (!jr_obj_begin(jr))
        return;
    while (jr_member(jr, &n, &key)) {
        if (JR_KEY(key, "SymbolicId")) {
            d->symbolic_id = (int32_t)jr_int(jr, INT32_MIN, INT32_MAX, false);
            d->mask |= UG_DI_SYMBOLIC_ID;
        } else if (JR_KEY(key, "NamespaceUri")) {
            d->namespace_uri = (int32_t)jr_int(jr, INT32_MIN, INT32_MAX, false);
            d->mask |= UG_DI_NAMESPACE_URI;
        } else if (JR_KEY(key, "Locale")) {
            d->locale = (int32_t)jr_int(jr, INT32_MIN, INT32_MAX, false);
            d->mask |= UG_DI_LOCALE;
        } else if (JR_KEY(key, "LocalizedText")) {
            d->localized_text = (int32_t)jr_int(jr, INT32_MIN, INT32_MAX, false);
            d->mask |= UG_DI_LOCALIZED_TEXT;
        } else if (JR_KEY(key, "AdditionalInfo")) {
            d->additional_info = jr_string(jr);
            d->mask |= UG_DI_ADDITIONAL_INFO;
        } else if (JR_KEY(key, "InnerStatusCode")) {
            d->inner_status = jr_statuscode(jr);
            d->mask |= UG_DI_INNER_STATUS;
        } else if (JR_KEY(key, "InnerDiagnosticInfo")) {
            ug_diagnostic_info *in = alloc(jr, sizeof *in);
            if (!in)
                return;
            memset(in, 0, sizeof *in);
            in->additional_info = UG_NULL_BYTES;
            jr_diag(jr, in);
            d->inner = in;
            d->mask |= UG_DI_INNER_DIAG;
        } else {
            jr_skip(jr);
        }
    }
}

static void set_null(unsigned type, void *out)
{
    memset(out, 0, ug_type_size(type));
    switch (type) {
    case UG_TYPE_STRING:
    case UG_TYPE_BYTESTRING:
    case UG_TYPE_XMLELEMENT: *(ug_string *)out = UG_NULL_BYTES; break;
    case UG_TYPE_EXPANDEDNODEID: ((ug_expanded_nodeid *)out)->namespace_uri = UG_NULL_BYTES; break;
    case UG_TYPE_QUALIFIEDNAME: ((ug_qualified_name *)out)->name = UG_NULL_BYTES; break;
    case UG_TYPE_LOCALIZEDTEXT:
        ((ug_localized_text *)out)->locale = UG_NULL_BYTES;
        ((ug_localized_text *)out)->text = UG_NULL_BYTES;
        break;
    case UG_TYPE_EXTENSIONOBJECT: ((ug_extension_object *)out)->body = UG_NULL_BYTES; break;
    case UG_TYPE_VARIANT: ((ug_variant *)out)->array_len = UG_SCALAR; break;
    case UG_TYPE_DATAVALUE: ((ug_datavalue *)out)->value.array_len = UG_SCALAR; break;
    case UG_TYPE_DIAGNOSTICINFO: ((ug_diagnostic_info *)out)->additional_info = UG_NULL_BYTES; break;
    default: break;
    }
}

void jr_element(ug_jr *jr, unsigned type, void *out)
{
    set_null(type, out);
    if (jr_null(jr))
        return; /* Part 6 §5.4.2.1: null is the default value */
    ug_string s;
    double d;
    switch (type) {
    case UG_TYPE_BOOLEAN: *(bool *)out = jr_bool(jr); break;
    case UG_TYPE_SBYTE: *(int8_t *)out = (int8_t)jr_int(jr, INT8_MIN, INT8_MAX, true); break;
    case UG_TYPE_BYTE: *(uint8_t *)out = (uint8_t)jr_int(jr, 0, UINT8_MAX, true); break;
    case UG_TYPE_INT16: *(int16_t *)out = (int16_t)jr_int(jr, INT16_MIN, INT16_MAX, true); break;
    case UG_TYPE_UINT16: *(uint16_t *)out = (uint16_t)jr_int(jr, 0, UINT16_MAX, true); break;
    case UG_TYPE_INT32: *(int32_t *)out = (int32_t)jr_int(jr, INT32_MIN, INT32_MAX, true); break;
    case UG_TYPE_UINT32: *(uint32_t *)out = (uint32_t)jr_int(jr, 0, UINT32_MAX, true); break;
    case UG_TYPE_INT64: *(int64_t *)out = jr_int(jr, INT64_MIN, INT64_MAX, true); break;
    case UG_TYPE_UINT64: *(uint64_t *)out = jr_uint64(jr, true); break;
    case UG_TYPE_FLOAT:
        d = jr_double(jr);
        if (isfinite(d) && isinf((float)d))
            jr_fail(jr, UG_STATUS_BADDECODINGERROR); /* beyond Float range */
        *(float *)out = (float)d;
        break;
    case UG_TYPE_DOUBLE: *(double *)out = jr_double(jr); break;
    case UG_TYPE_STRING:
    case UG_TYPE_XMLELEMENT: *(ug_string *)out = jr_string(jr); break;
    case UG_TYPE_DATETIME:
        s = jr_string(jr);
        if (jr_ok(jr) &&
            ug_json_parse_datetime((const char *)s.data, (size_t)s.len, (ug_datetime *)out))
            jr_fail(jr, UG_STATUS_BADDECODINGERROR);
        break;
    case UG_TYPE_GUID:
        s = jr_string(jr);
        if (jr_ok(jr) && ug_guid_parse((const char *)s.data, (size_t)s.len, (ug_guid *)out))
            jr_fail(jr, UG_STATUS_BADDECODINGERROR);
        break;
    case UG_TYPE_BYTESTRING:
        s = jr_string(jr);
        if (jr_ok(jr))
            bytes_b64(jr, s, (ug_bytes *)out);
        break;
    case UG_TYPE_NODEID: {
        ug_expanded_nodeid x;
        jr_nodeid_any(jr, &x, false);
        *(ug_nodeid *)out = x.node;
        break;
    }
    case UG_TYPE_EXPANDEDNODEID: jr_nodeid_any(jr, (ug_expanded_nodeid *)out, true); break;
    case UG_TYPE_STATUSCODE: *(ug_status *)out = jr_statuscode(jr); break;
    case UG_TYPE_QUALIFIEDNAME: jr_qname(jr, (ug_qualified_name *)out); break;
    case UG_TYPE_LOCALIZEDTEXT: jr_ltext(jr, (ug_localized_text *)out); break;
    case UG_TYPE_EXTENSIONOBJECT: jr_extobj(jr, (ug_extension_object *)out); break;
    case UG_TYPE_DATAVALUE: jr_datavalue(jr, (ug_datavalue *)out); break;
    case UG_TYPE_VARIANT: jr_variant(jr, (ug_variant *)out); break;
    case UG_TYPE_DIAGNOSTICINFO: jr_diag(jr, (ug_diagnostic_info *)out); break;
    default: jr_fail(jr, UG_STATUS_BADDECODINGERROR);
    }
}

/* Elements of a JSON array of `type`: counted first, then decoded in place. */
static void typed_array(ug_jr *jr, unsigned type, ug_variant *v)
{
    ug_jr count = *jr;
    uint32_t n = 0;
    if (jr_arr_begin(&count))
        while (jr_elem(&count, &n))
            jr_skip(&count);
    if (!jr_ok(&count)) {
        jr_join(jr, &count);
        return;
    }
    size_t sz = ug_type_size(type);
    uint8_t *a = n ? alloc(jr, (size_t)n * sz) : NULL;
    if (n && !a)
        return;
    uint32_t i = 0;
    if (jr_arr_begin(jr))
        while (jr_elem(jr, &i))
            jr_element(jr, type, a + (size_t)(i - 1) * sz);
    v->array_len = (int32_t)n;
    v->u.arr = a;
}

void jr_typed_value(ug_jr *jr, unsigned type, ug_variant *v)
{
    v->type = (uint8_t)type;
    v->array_len = UG_SCALAR;
    if (type == UG_TYPE_NULL) {
        jr_skip(jr);
        return;
    }
    if (jr_peek(jr) == JR_ARRAY) {
        typed_array(jr, type, v);
        return;
    }
    void *slot = &v->u.v;
    switch (type) {
    case UG_TYPE_EXPANDEDNODEID:
    case UG_TYPE_EXTENSIONOBJECT:
    case UG_TYPE_DATAVALUE:
    case UG_TYPE_DIAGNOSTICINFO:
        slot = alloc(jr, ug_type_size(type));
        if (!slot)
            return;
        v->u.v.expanded = slot; /* the union's pointer members share storage */
        break;
    case UG_TYPE_VARIANT: jr_fail(jr, UG_STATUS_BADDECODINGERROR); return;
    default: break;
    }
    jr_element(jr, type, slot);
}

/* A Variant's "Value": null is the null array for the types that have no
 * null scalar (Boolean and numbers), else the type's null/default scalar. */
static void value_member(ug_jr *jr, unsigned type, ug_variant *v)
{
    int k = jr_peek(jr);
    if (k == JR_NUMBER || k == JR_TRUE || k == JR_FALSE) {
        /* Hot path: a scalar number or Boolean straight into the Variant. */
        v->type = (uint8_t)type;
        v->array_len = UG_SCALAR;
        ug_scalar *x = &v->u.v;
        switch (type) {
        case UG_TYPE_BOOLEAN: x->boolean = jr_bool(jr); return;
        case UG_TYPE_SBYTE: x->sbyte = (int8_t)jr_int(jr, INT8_MIN, INT8_MAX, false); return;
        case UG_TYPE_BYTE: x->byte = (uint8_t)jr_int(jr, 0, UINT8_MAX, false); return;
        case UG_TYPE_INT16: x->int16 = (int16_t)jr_int(jr, INT16_MIN, INT16_MAX, false); return;
        case UG_TYPE_UINT16: x->uint16 = (uint16_t)jr_int(jr, 0, UINT16_MAX, false); return;
        case UG_TYPE_INT32: x->int32 = (int32_t)jr_int(jr, INT32_MIN, INT32_MAX, false); return;
        case UG_TYPE_UINT32: x->uint32 = (uint32_t)jr_int(jr, 0, UINT32_MAX, false); return;
        case UG_TYPE_DOUBLE: x->f64 = jr_double(jr); return;
        case UG_TYPE_FLOAT: {
            double d = jr_double(jr);
            if (isfinite(d) && isinf((float)d))
                jr_fail(jr, UG_STATUS_BADDECODINGERROR); /* beyond Float range */
            x->f32 = (float)d;
            return;
        }
        default: break; /* the general path checks the rest */
        }
    } else if (k == JR_STRING && (type == UG_TYPE_STRING || type == UG_TYPE_DATETIME)) {
        v->type = (uint8_t)type;
        v->array_len = UG_SCALAR;
        ug_string s = jr_string(jr);
        if (type == UG_TYPE_STRING) {
            v->u.v.string = s;
        } else {
            v->u.v.datetime = 0;
            if (jr_ok(jr) && ug_json_parse_datetime((const char *)s.data, (size_t)s.len,
                                                    &v->u.v.datetime))
                jr_fail(jr, UG_STATUS_BADDECODINGERROR);
        }
        return;
    }
    if (type >= UG_TYPE_BOOLEAN && type <= UG_TYPE_DOUBLE && k == JR_NULL) {
        jr_null(jr);
        v->type = (uint8_t)type;
        v->array_len = -1;
        v->u.arr = NULL;
        return;
    }
    jr_typed_value(jr, type, v);
}

static void dimensions(ug_jr *jr, ug_variant *v)
{
    ug_variant d = {0};
    typed_array(jr, UG_TYPE_INT32, &d);
    if (!jr_ok(jr))
        return;
    if (d.array_len < 1 || d.array_len > UINT16_MAX) {
        jr_fail(jr, UG_STATUS_BADDECODINGERROR);
        return;
    }
    v->ndims = (uint16_t)d.array_len;
    v->dims = d.u.arr;
}

static void check_dims(ug_jr *jr, ug_variant *v)
{
    if (!v->ndims)
        return;
    if (!ug_variant_is_array(v) || v->array_len < 0) {
        jr_fail(jr, UG_STATUS_BADDECODINGERROR);
        return;
    }
    int64_t prod = 1;
    for (uint16_t i = 0; i < v->ndims; i++) {
        if (v->dims[i] < 0 || (prod *= v->dims[i]) > INT32_MAX) {
            jr_fail(jr, UG_STATUS_BADDECODINGERROR);
            return;
        }
    }
    if (prod != v->array_len)
        jr_fail(jr, UG_STATUS_BADDECODINGERROR);
}

/* Members of a Variant object (1.05 UaType/Value/Dimensions, 1.04
 * Type/Body/Dimension) plus, for a DataValue, its own members. */
static void variant_or_dv(ug_jr *jr, ug_variant *v, ug_datavalue *dv)
{
    uint32_t n = 0;
    ug_string key;
    int64_t type = -1;
    ug_bytes pending = UG_NULL_BYTES;
    bool have_value = false;
    *v = ug_variant_scalar(UG_TYPE_NULL);
    if (!jr_obj_begin(jr))
        return;
    /* Fast path for the shape every encoder writes first:
     * "UaType":<id>,"Value": read as bytes, then the general loop. */
    const uint8_t *p = jr->p, *e = jr->end;
    if (e - p > 20 && memcmp(p, "\"UaType\":", 9) == 0 && p[9] >= '0' && p[9] <= '9') {
        unsigned t = (unsigned)(p[9] - '0');
        const uint8_t *q = p + 10;
        if (*q >= '0' && *q <= '9' && t)
            t = t * 10 + (unsigned)(*q++ - '0');
        if (t <= UG_TYPE_MAX && e - q > 9 && memcmp(q, ",\"Value\":", 9) == 0) {
            jr->p = q + 9;
            jr->tokens += 3;
            type = t;
            have_value = true;
            n = 2;
            value_member(jr, t, v);
            /* ...and nothing else: done without the general checks below. */
            if (jr_ok(jr) && jr->p < jr->end && *jr->p == '}') {
                jr->p++;
                jr->depth--;
                if (dv && v->type != UG_TYPE_NULL)
                    dv->mask |= UG_DV_VALUE;
                return;
            }
        }
    }
    while (jr_member(jr, &n, &key)) {
        if (JR_KEY(key, "UaType") || JR_KEY(key, "Type")) {
            type = jr_int(jr, 0, UG_TYPE_MAX, false);
        } else if (JR_KEY(key, "Value") || JR_KEY(key, "Body")) {
            have_value = true;
            if (type >= 0)
                value_member(jr, (unsigned)type, v);
            else
                pending = jr_raw(jr); /* the type may come later */
        } else if (JR_KEY(key, "Dimensions") || JR_KEY(key, "Dimension")) {
            dimensions(jr, v);
        } else if (dv && JR_KEY(key, "Status")) {
            /* Part 6 §5.4.2.18: a default member is the absent member. */
            dv->status = jr_statuscode(jr);
            dv->mask = (uint8_t)((dv->mask & ~UG_DV_STATUS) | (dv->status ? UG_DV_STATUS : 0));
        } else if (dv && JR_KEY(key, "SourceTimestamp")) {
            jr_element(jr, UG_TYPE_DATETIME, &dv->source_ts);
            dv->mask = (uint8_t)((dv->mask & ~UG_DV_SOURCE_TIMESTAMP) | (dv->source_ts ? UG_DV_SOURCE_TIMESTAMP : 0));
        } else if (dv && JR_KEY(key, "ServerTimestamp")) {
            jr_element(jr, UG_TYPE_DATETIME, &dv->server_ts);
            dv->mask = (uint8_t)((dv->mask & ~UG_DV_SERVER_TIMESTAMP) | (dv->server_ts ? UG_DV_SERVER_TIMESTAMP : 0));
        } else if (dv && JR_KEY(key, "SourcePicoseconds")) {
            dv->source_ps = (uint16_t)jr_int(jr, 0, UINT16_MAX, false);
            dv->mask = (uint8_t)((dv->mask & ~UG_DV_SOURCE_PICOSECONDS) | (dv->source_ps ? UG_DV_SOURCE_PICOSECONDS : 0));
        } else if (dv && JR_KEY(key, "ServerPicoseconds")) {
            dv->server_ps = (uint16_t)jr_int(jr, 0, UINT16_MAX, false);
            dv->mask = (uint8_t)((dv->mask & ~UG_DV_SERVER_PICOSECONDS) | (dv->server_ps ? UG_DV_SERVER_PICOSECONDS : 0));
        } else {
            jr_skip(jr);
        }
    }
    if (!jr_ok(jr))
        return;
    uint16_t ndims = v->ndims;
    const int32_t *dims = v->dims;
    if (pending.len > 0) {
        ug_jr sub;
        jr_sub(&sub, jr, pending);
        if (type >= 0)
            value_member(&sub, (unsigned)type, v);
        else if (dv && jr_peek(&sub) == JR_OBJECT)
            jr_variant(&sub, v); /* 1.04 DataValue: "Value" is a Variant object */
        else
            jr_infer(&sub, v); /* no type: NonReversible */
        jr_join(jr, &sub);
    } else if (type > 0 && !have_value) {
        /* Value left out: the default value of the type (Compact form). */
        static const uint8_t null_text[] = "null";
        ug_jr sub;
        jr_sub(&sub, jr, (ug_bytes){null_text, 4});
        jr_typed_value(&sub, (unsigned)type, v);
        jr_join(jr, &sub);
    }
    v->ndims = ndims;
    v->dims = dims;
    if (dv && v->type != UG_TYPE_NULL)
        dv->mask |= UG_DV_VALUE;
    check_dims(jr, v);
}

void jr_variant(ug_jr *jr, ug_variant *v)
{
    int k = jr_peek(jr);
    if (k == JR_NULL) {
        jr_null(jr);
        *v = ug_variant_scalar(UG_TYPE_NULL);
        return;
    }
    if (k != JR_OBJECT) {
        jr_infer(jr, v);
        return;
    }
    variant_or_dv(jr, v, NULL);
}

/* See jval.h. */
bool jr_quick_dv(ug_jr *jr, ug_datavalue *d)
{
    static const int64_t lo[8] = {0, 0, INT8_MIN, 0, INT16_MIN, 0, INT32_MIN, 0};
    static const int64_t hi[8] = {0, 1, INT8_MAX, UINT8_MAX, INT16_MAX, UINT16_MAX, INT32_MAX,
                                  UINT32_MAX};
    const uint8_t *p = jr->p, *e = jr->end;
    if (e - p < 22 || p[0] != '{' || memcmp(p + 1, "\"UaType\":", 9) != 0)
        return false;
    unsigned t = (unsigned)p[10] - '0';
    const uint8_t *q = p + 11;
    if (t > 9)
        return false;
    if (t && (unsigned)*q - '0' <= 9)
        t = t * 10 + (unsigned)(*q++ - '0');
    if (t == 0 || e - q < 10 || memcmp(q, ",\"Value\":", 9) != 0)
        return false;
    q += 9;
    /* *d may be written before a bail-out: the general path resets it. */
    ug_scalar *x = &d->value.u.v;
    memset(x, 0, sizeof *x);
    if (t <= UG_TYPE_UINT32) {
        int64_t v;
        if (t == UG_TYPE_BOOLEAN) {
            if (e - q >= 5 && memcmp(q, "true", 4) == 0) {
                v = 1;
                q += 4;
            } else if (e - q >= 6 && memcmp(q, "false", 5) == 0) {
                v = 0;
                q += 5;
            } else {
                return false;
            }
        } else {
            bool neg = *q == '-';
            q += neg;
            const uint8_t *d0 = q, *lim = e - q > 10 ? q + 10 : e;
            uint64_t m = 0;
            unsigned dg;
            while (q < lim && (dg = (unsigned)*q - '0') <= 9) {
                m = m * 10 + dg;
                q++;
            }
            if (q == d0 || (*d0 == '0' && q - d0 > 1))
                return false;
            v = neg ? -(int64_t)m : (int64_t)m;
            if (v < lo[t] || v > hi[t])
                return false;
        }
        switch (t) {
        case UG_TYPE_BOOLEAN: x->boolean = v != 0; break;
        case UG_TYPE_SBYTE: x->sbyte = (int8_t)v; break;
        case UG_TYPE_BYTE: x->byte = (uint8_t)v; break;
        case UG_TYPE_INT16: x->int16 = (int16_t)v; break;
        case UG_TYPE_UINT16: x->uint16 = (uint16_t)v; break;
        case UG_TYPE_INT32: x->int32 = (int32_t)v; break;
        default: x->uint32 = (uint32_t)v; break;
        }
    } else if (t == UG_TYPE_FLOAT || t == UG_TYPE_DOUBLE) {
        double v;
        if (!jr_quick_double(&q, e, &v))
            return false;
        if (t == UG_TYPE_DOUBLE)
            x->f64 = v;
        else if (isinf((float)v))
            return false; /* beyond Float range */
        else
            x->f32 = (float)v;
    } else if (t == UG_TYPE_STRING || t == UG_TYPE_DATETIME) {
        if (*q != '"')
            return false;
        const uint8_t *s = q + 1, *r = jr_str_scan(s, e);
        if (r >= e || *r != '"' || (size_t)(r - s) > jr->lim->max_string_len)
            return false;
        q = r + 1;
        if (t == UG_TYPE_STRING)
            x->string = (ug_string){s, (int32_t)(r - s)};
        else if (ug_json_parse_datetime((const char *)s, (size_t)(r - s), &x->datetime))
            return false;
    } else {
        return false;
    }
    /* Five tokens (object, two names, two values) and one level, as the
     * general path would count them. */
    if (q >= e || *q != '}' || jr->max_tokens - jr->tokens < 5 || jr->depth >= jr->lim->max_depth)
        return false;
    jr->p = q + 1;
    jr->tokens += 5;
    /* Member by member: a memset of the struct is a slow `rep stos` here. */
    d->mask = UG_DV_VALUE;
    d->source_ps = 0;
    d->server_ps = 0;
    d->status = 0;
    d->source_ts = 0;
    d->server_ts = 0;
    d->value.type = (uint8_t)t;
    d->value.reserved = 0;
    d->value.ndims = 0;
    d->value.array_len = UG_SCALAR;
    d->value.dims = NULL;
    return true;
}

void jr_datavalue(ug_jr *jr, ug_datavalue *d)
{
    if (jr_quick_dv(jr, d))
        return;
    memset(d, 0, sizeof *d);
    d->value.array_len = UG_SCALAR;
    if (jr_null(jr))
        return;
    variant_or_dv(jr, &d->value, d);
}

void jr_infer(ug_jr *jr, ug_variant *v)
{
    *v = ug_variant_scalar(UG_TYPE_NULL);
    switch (jr_peek(jr)) {
    case JR_NULL: jr_null(jr); return;
    case JR_TRUE:
    case JR_FALSE:
        v->type = UG_TYPE_BOOLEAN;
        v->u.v.boolean = jr_bool(jr);
        return;
    case JR_STRING:
        v->type = UG_TYPE_STRING;
        v->u.v.string = jr_string(jr);
        return;
    case JR_NUMBER: {
        ug_bytes t = jr_raw(jr);
        if (!jr_ok(jr))
            return;
        ug_jr sub;
        jr_sub(&sub, jr, t);
        bool integral = !memchr(t.data, '.', (size_t)t.len) && !memchr(t.data, 'e', (size_t)t.len) &&
                        !memchr(t.data, 'E', (size_t)t.len);
        if (integral && t.len < 20) {
            int64_t i = jr_int(&sub, INT64_MIN, INT64_MAX, false);
            if (i >= INT32_MIN && i <= INT32_MAX) {
                v->type = UG_TYPE_INT32;
                v->u.v.int32 = (int32_t)i;
            } else {
                v->type = UG_TYPE_INT64;
                v->u.v.int64 = i;
            }
        } else {
            v->type = UG_TYPE_DOUBLE;
            v->u.v.f64 = jr_double(&sub);
        }
        jr_join(jr, &sub);
        return;
    }
    case JR_ARRAY: {
        /* Elements of unknown type: an array of Variants. */
        ug_jr count = *jr;
        uint32_t n = 0, i = 0;
        if (jr_arr_begin(&count))
            while (jr_elem(&count, &n))
                jr_skip(&count);
        if (!jr_ok(&count)) {
            jr_join(jr, &count);
            return;
        }
        ug_variant *a = n ? alloc(jr, n * sizeof *a) : NULL;
        if (n && !a)
            return;
        if (jr_arr_begin(jr))
            while (jr_elem(jr, &i))
                jr_infer(jr, &a[i - 1]);
        v->type = UG_TYPE_VARIANT;
        v->array_len = (int32_t)n;
        v->u.arr = a;
        return;
    }
    case JR_OBJECT: {
        ug_extension_object *e = alloc(jr, sizeof *e);
        if (!e)
            return;
        memset(e, 0, sizeof *e);
        e->encoding = UG_EO_JSON;
        e->body = jr_raw(jr);
        v->type = UG_TYPE_EXTENSIONOBJECT;
        v->u.v.extobj = e;
        return;
    }
    default: jr_fail(jr, UG_STATUS_BADDECODINGERROR);
    }
}

void jr_publisher_id(ug_jr *jr, ug_publisher_id *id)
{
    id->str = UG_NULL_BYTES;
    /* Fast path: "<decimal>", up to 19 digits (no overflow), no leading zero. */
    const uint8_t *p = jr->p, *e = jr->end;
    if (e - p > 2 && p[0] == '"' && jr->tokens < jr->max_tokens) {
        const uint8_t *q = p + 1, *lim = e - q > 19 ? q + 19 : e;
        uint64_t v = 0;
        unsigned dg;
        while (q < lim && (dg = (unsigned)*q - '0') <= 9) {
            v = v * 10 + dg;
            q++;
        }
        size_t n = (size_t)(q - p - 1);
        if (q < e && *q == '"' && n > 0 && (p[1] != '0' || n == 1) &&
            n <= jr->lim->max_string_len) {
            jr->tokens++;
            jr->p = q + 1;
            id->u64 = v;
            id->type = v <= UINT8_MAX    ? UG_PUBID_BYTE
                       : v <= UINT16_MAX ? UG_PUBID_UINT16
                       : v <= UINT32_MAX ? UG_PUBID_UINT32
                                         : UG_PUBID_UINT64;
            return;
        }
    }
    if (jr_peek(jr) == JR_NUMBER) { /* lenient: Part 14 says String */
        id->u64 = jr_uint64(jr, false);
        id->type = UG_PUBID_UINT64;
    } else {
        ug_string s = jr_string(jr);
        if (!jr_ok(jr))
            return;
        /* open62541 defect: a JSON string literal inside the string. */
        if (s.len >= 2 && s.data[0] == '"' && s.data[s.len - 1] == '"') {
            ug_jr sub;
            jr_sub(&sub, jr, s);
            s = jr_string(&sub);
            if (jr_ok(&sub) && sub.p != sub.end)
                jr_fail(&sub, UG_STATUS_BADDECODINGERROR);
            jr_join(jr, &sub);
            if (!jr_ok(jr))
                return;
        }
        uint64_t v = 0;
        bool digits = s.len > 0 && s.len <= 20 && (s.data[0] != '0' || s.len == 1);
        for (int32_t i = 0; digits && i < s.len; i++) {
            unsigned d = (unsigned)s.data[i] - '0';
            if (d > 9 || __builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, d, &v))
                digits = false;
        }
        if (!digits) {
            id->type = UG_PUBID_STRING;
            id->str = s;
            return;
        }
        id->u64 = v;
        id->type = v <= UINT8_MAX    ? UG_PUBID_BYTE
                   : v <= UINT16_MAX ? UG_PUBID_UINT16
                   : v <= UINT32_MAX ? UG_PUBID_UINT32
                                     : UG_PUBID_UINT64;
    }
}
