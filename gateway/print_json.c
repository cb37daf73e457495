/* print_json — a decoded NetworkMessage as one JSON object, in the field
 * names of the .expect.json schema (tests/vectors/open62541/README.md). This
 * is a dump of the model for people and scripts, not the Part 14 JSON
 * message mapping (that is json/). */
#include "print.h"

#include <inttypes.h>
#include <math.h>

#include "uagate/types.h"

static const char *const fe_names[] = {"Variant", "RawData", "DataValue", "Reserved"};
static const char *const dsm_names[] = {"KeyFrame", "DeltaFrame", "Event", "KeepAlive"};
static const char *const pubid_names[] = {"Byte", "UInt16", "UInt32", "UInt64", "String"};
static const char *const nm_names[] = {"DataSetMessage", "DiscoveryRequest", "DiscoveryResponse"};

static void jstring(FILE *f, ug_string s)
{
    if (s.len < 0)
        fputs("null", f);
    else
        ug_print_json_string(f, s.data, (size_t)s.len);
}

static void jhex(FILE *f, ug_bytes b)
{
    if (b.len < 0) {
        fputs("null", f);
        return;
    }
    fputc('"', f);
    if (b.len > 0)
        ug_print_hex(f, b.data, (size_t)b.len);
    fputc('"', f);
}

static void jreal(FILE *f, double d, bool is_float)
{
    if (isnan(d))
        fputs("\"NaN\"", f);
    else if (isinf(d))
        fputs(d > 0 ? "\"Infinity\"" : "\"-Infinity\"", f);
    else if (d == 0 && signbit(d))
        fputs("-0.0", f);
    else
        fprintf(f, is_float ? "%.9g" : "%.17g", d);
}

static void jopt_u(FILE *f, const char *key, bool has, unsigned long long v)
{
    if (has)
        fprintf(f, "\"%s\":%llu", key, v);
    else
        fprintf(f, "\"%s\":null", key);
}

static void jopt_ticks(FILE *f, const char *key, bool has, int64_t v)
{
    if (has)
        fprintf(f, "\"%s\":\"%" PRId64 "\"", key, v);
    else
        fprintf(f, "\"%s\":null", key);
}

static void jnodeid(FILE *f, const ug_nodeid *n)
{
    static const char *const idt[] = {"Numeric", "String", "Guid", "Opaque"};
    const char *enc;
    fprintf(f, "{\"ns\":%u,\"id_type\":\"%s\",\"id\":", n->ns, idt[n->id_type & 3]);
    switch (n->id_type) {
    case UG_ID_NUMERIC:
        fprintf(f, "%" PRIu32, n->id.numeric);
        /* Part 6 §5.2.2.9: the smallest encoding that holds the NodeId. */
        enc = n->ns == 0 && n->id.numeric <= 0xFF                ? "TwoByte"
              : n->ns <= 0xFF && n->id.numeric <= 0xFFFF ? "FourByte"
                                                                 : "Numeric";
        break;
    case UG_ID_STRING: jstring(f, n->id.string); enc = "String"; break;
    case UG_ID_GUID: {
        char g[37];
        ug_guid_print(&n->id.guid, g);
        fprintf(f, "\"%s\"", g);
        enc = "Guid";
        break;
    }
    default: jhex(f, n->id.opaque); enc = "ByteString"; break;
    }
    fprintf(f, ",\"wire_encoding\":\"%s\"}", enc);
}

static void jdiag(FILE *f, const ug_diagnostic_info *d)
{
    uint8_t m = d->mask;
    fputc('{', f);
    jopt_u(f, "symbolic_id", m & UG_DI_SYMBOLIC_ID, (unsigned long long)(int64_t)d->symbolic_id);
    fputc(',', f);
    jopt_u(f, "inner_status", m & UG_DI_INNER_STATUS, d->inner_status);
    fputs(",\"additional_info\":", f);
    jstring(f, m & UG_DI_ADDITIONAL_INFO ? d->additional_info : UG_NULL_BYTES);
    fputs(",\"inner_diagnostic_info\":", f);
    if ((m & UG_DI_INNER_DIAG) && d->inner)
        jdiag(f, d->inner);
    else
        fputs("null", f);
    fputc('}', f);
}

static void jelem(FILE *f, unsigned type, const void *e)
{
    if (!e) {
        fputs("null", f);
        return;
    }
    switch (type) {
    case UG_TYPE_BOOLEAN: fputs(*(const bool *)e ? "true" : "false", f); break;
    case UG_TYPE_SBYTE: fprintf(f, "%d", *(const int8_t *)e); break;
    case UG_TYPE_BYTE: fprintf(f, "%u", *(const uint8_t *)e); break;
    case UG_TYPE_INT16: fprintf(f, "%d", *(const int16_t *)e); break;
    case UG_TYPE_UINT16: fprintf(f, "%u", *(const uint16_t *)e); break;
    case UG_TYPE_INT32: fprintf(f, "%" PRId32, *(const int32_t *)e); break;
    case UG_TYPE_UINT32: fprintf(f, "%" PRIu32, *(const uint32_t *)e); break;
    case UG_TYPE_STATUSCODE: fprintf(f, "%" PRIu32, *(const ug_status *)e); break;
    case UG_TYPE_INT64:
    case UG_TYPE_DATETIME: fprintf(f, "\"%" PRId64 "\"", *(const int64_t *)e); break;
    case UG_TYPE_UINT64: fprintf(f, "\"%" PRIu64 "\"", *(const uint64_t *)e); break;
    case UG_TYPE_FLOAT: jreal(f, *(const float *)e, true); break;
    case UG_TYPE_DOUBLE: jreal(f, *(const double *)e, false); break;
    case UG_TYPE_STRING:
    case UG_TYPE_XMLELEMENT: jstring(f, *(const ug_string *)e); break;
    case UG_TYPE_BYTESTRING: jhex(f, *(const ug_bytes *)e); break;
    case UG_TYPE_GUID: {
        char g[37];
        ug_guid_print(e, g);
        fprintf(f, "\"%s\"", g);
        break;
    }
    case UG_TYPE_NODEID: jnodeid(f, e); break;
    case UG_TYPE_EXPANDEDNODEID: {
        const ug_expanded_nodeid *x = e;
        fputs("{\"node_id\":", f);
        jnodeid(f, &x->node);
        fputs(",\"namespace_uri\":", f);
        jstring(f, x->namespace_uri);
        fprintf(f, ",\"server_index\":%" PRIu32 "}", x->server_index);
        break;
    }
    case UG_TYPE_QUALIFIEDNAME: {
        const ug_qualified_name *q = e;
        fprintf(f, "{\"ns\":%u,\"name\":", q->ns);
        jstring(f, q->name);
        fputc('}', f);
        break;
    }
    case UG_TYPE_LOCALIZEDTEXT: {
        const ug_localized_text *t = e;
        fputs("{\"locale\":", f);
        jstring(f, t->locale);
        fputs(",\"text\":", f);
        jstring(f, t->text);
        fputc('}', f);
        break;
    }
    case UG_TYPE_EXTENSIONOBJECT: {
        static const char *const enc[] = {"None", "ByteString", "Xml"};
        const ug_extension_object *x = e;
        fputs("{\"type_id\":", f);
        jnodeid(f, &x->type_id);
        if (x->encoding == UG_EO_JSON) { /* the JSON body as received, as a string */
            fputs(",\"encoding\":\"Json\",\"body_json\":", f);
            ug_print_json_string(f, x->body.data, x->body.len > 0 ? (size_t)x->body.len : 0);
            fputc('}', f);
            break;
        }
        fprintf(f, ",\"encoding\":\"%s\",\"body_hex\":", enc[x->encoding < 3 ? x->encoding : 0]);
        jhex(f, x->encoding == UG_EO_NONE ? UG_NULL_BYTES : x->body);
        fputc('}', f);
        break;
    }
    case UG_TYPE_DATAVALUE: ug_print_datavalue_json(f, e); break;
    case UG_TYPE_VARIANT: ug_print_variant_json(f, e); break;
    case UG_TYPE_DIAGNOSTICINFO: jdiag(f, e); break;
    default: fputs("null", f); break;
    }
}

void ug_print_variant_json(FILE *f, const ug_variant *v)
{
    const char *tn = ug_type_name(v->type);
    bool arr = v->type != UG_TYPE_NULL && ug_variant_is_array(v);
    fprintf(f, "{\"type\":\"%s\",\"array\":%s,\"array_length\":", tn ? tn : "?",
            arr ? "true" : "false");
    if (arr)
        fprintf(f, "%" PRId32, v->array_len);
    else
        fputs("null", f);
    fputs(",\"array_dimensions\":", f);
    if (arr && v->ndims > 0 && v->dims) {
        fputc('[', f);
        for (uint16_t i = 0; i < v->ndims; i++)
            fprintf(f, "%s%" PRId32, i ? "," : "", v->dims[i]);
        fputc(']', f);
    } else {
        fputs("null", f);
    }
    fputs(",\"value\":", f);
    if (v->type == UG_TYPE_NULL || (arr && v->array_len < 0)) {
        fputs("null", f);
    } else if (!arr) {
        jelem(f, v->type, ug_variant_scalar_elem(v));
    } else {
        size_t esz = ug_type_size(v->type);
        fputc('[', f);
        for (int32_t i = 0; i < v->array_len && v->u.arr && esz; i++) {
            if (i)
                fputc(',', f);
            jelem(f, v->type, (const uint8_t *)v->u.arr + (size_t)i * esz);
        }
        fputc(']', f);
    }
    fputc('}', f);
}

void ug_print_datavalue_json(FILE *f, const ug_datavalue *dv)
{
    uint8_t m = dv->mask;
    fprintf(f, "{\"encoding_mask\":%u,", m);
    jopt_u(f, "status", m & UG_DV_STATUS, dv->status);
    fputc(',', f);
    jopt_ticks(f, "source_timestamp", m & UG_DV_SOURCE_TIMESTAMP, dv->source_ts);
    fputc(',', f);
    jopt_u(f, "source_picoseconds", m & UG_DV_SOURCE_PICOSECONDS, dv->source_ps);
    fputc(',', f);
    jopt_ticks(f, "server_timestamp", m & UG_DV_SERVER_TIMESTAMP, dv->server_ts);
    fputc(',', f);
    jopt_u(f, "server_picoseconds", m & UG_DV_SERVER_PICOSECONDS, dv->server_ps);
    fputs(",\"variant\":", f);
    if (m & UG_DV_VALUE)
        ug_print_variant_json(f, &dv->value);
    else
        fputs("null", f);
    fputc('}', f);
}

static void jdsm(FILE *f, const ug_dsm *d, const ug_print_info *info)
{
    fputs("{\"dataset_writer_id\":", f);
    if (d->has_writer_id)
        fprintf(f, "%u", d->writer_id);
    else
        fputs("null", f);
    fprintf(f, ",\"valid\":%s,\"field_encoding\":\"%s\",\"message_type\":\"%s\",",
            d->valid ? "true" : "false", fe_names[d->field_encoding & 3], dsm_names[d->type & 3]);
    jopt_u(f, "sequence_number", d->has_seq, d->seq);
    fputc(',', f);
    jopt_ticks(f, "timestamp", d->has_timestamp, d->timestamp);
    fputc(',', f);
    jopt_u(f, "picoseconds", d->has_picoseconds, d->picoseconds);
    fputc(',', f);
    jopt_u(f, "status", d->has_status, d->status);
    fputc(',', f);
    jopt_u(f, "config_major_version", d->has_cfg_major, d->cfg_major);
    fputc(',', f);
    jopt_u(f, "config_minor_version", d->has_cfg_minor, d->cfg_minor);
    fprintf(f, ",\"field_count\":%u,\"padding_bytes\":%u", d->field_count, d->padding);
    if (d->field_encoding == UG_FE_RAWDATA && !d->fields && d->raw.len >= 0) {
        fputs(",\"raw_hex\":", f);
        jhex(f, d->raw);
    }
    fputs(",\"fields\":", f);
    if (info && info->encrypted_payload) {
        fputs("null}", f);
        return;
    }
    fputc('[', f);
    for (uint16_t k = 0; k < d->field_count && d->fields; k++) {
        const ug_dsm_field *fl = &d->fields[k];
        fputs(k ? ",{" : "{", f);
        if (d->type == UG_DSM_DELTAFRAME)
            fprintf(f, "\"index\":%u,", fl->index);
        if (fl->raw_padded_to)
            fprintf(f, "\"raw_padded_to\":%u,", fl->raw_padded_to);
        if (d->field_encoding == UG_FE_DATAVALUE) {
            fputs("\"datavalue\":", f);
            ug_print_datavalue_json(f, &fl->dv);
        } else {
            fputs("\"variant\":", f);
            ug_print_variant_json(f, &fl->dv.value);
        }
        fputc('}', f);
    }
    fputs("]}", f);
}

void ug_print_nm_json(FILE *f, const ug_nm *nm, const uint8_t *wire, size_t len,
                      const ug_print_info *info)
{
    /* Flag bytes as on the wire (Part 14 §7.2.2.2.2): ExtendedFlags1 follows
     * UADPFlags when its bit 7 is set, ExtendedFlags2 follows ExtendedFlags1
     * likewise. */
    bool e1 = wire && len > 1 && (wire[0] & 0x80);
    bool e2 = e1 && len > 2 && (wire[1] & 0x80);
    fprintf(f, "{\"version\":%u,", nm->version);
    jopt_u(f, "uadp_flags", wire && len > 0, wire && len > 0 ? wire[0] : 0);
    fputc(',', f);
    jopt_u(f, "extended_flags1", e1, e1 ? wire[1] : 0);
    fputc(',', f);
    jopt_u(f, "extended_flags2", e2, e2 ? wire[2] : 0);
    fputs(",\"publisher_id\":", f);
    const ug_publisher_id *p = &nm->publisher_id;
    if (p->type == UG_PUBID_STRING) {
        fputs("{\"type\":\"String\",\"value\":", f);
        jstring(f, p->str);
        fputc('}', f);
    } else if (p->type == UG_PUBID_UINT64) {
        fprintf(f, "{\"type\":\"UInt64\",\"value\":\"%" PRIu64 "\"}", p->u64);
    } else if (p->type < UG_PUBID_UINT64) {
        fprintf(f, "{\"type\":\"%s\",\"value\":%" PRIu64 "}", pubid_names[p->type], p->u64);
    } else {
        fputs("null", f);
    }
    fputs(",\"dataset_class_id\":", f);
    if (nm->has_class_id)
        jelem(f, UG_TYPE_GUID, &nm->class_id);
    else
        fputs("null", f);
    fputs(",\"group_header\":", f);
    if (nm->has_group_header) {
        const ug_group_header *g = &nm->group;
        unsigned gf = (unsigned)g->has_writer_group_id | (unsigned)g->has_group_version << 1 |
                      (unsigned)g->has_nm_number << 2 | (unsigned)g->has_seq << 3;
        fprintf(f, "{\"group_flags\":%u,", gf);
        jopt_u(f, "writer_group_id", g->has_writer_group_id, g->writer_group_id);
        fputc(',', f);
        jopt_u(f, "group_version", g->has_group_version, g->group_version);
        fputc(',', f);
        jopt_u(f, "network_message_number", g->has_nm_number, g->nm_number);
        fputc(',', f);
        jopt_u(f, "sequence_number", g->has_seq, g->seq);
        fputc('}', f);
    } else {
        fputs("null", f);
    }
    fputs(",\"payload_header\":", f);
    if (nm->has_payload_header && !nm->is_chunk && nm->type == UG_NM_DATASET) {
        unsigned n = ug_print_n_writer_ids(nm, info);
        fprintf(f, "{\"count\":%u,\"dataset_writer_ids\":[", n);
        for (unsigned i = 0; i < n; i++)
            fprintf(f, "%s%u", i ? "," : "", ug_print_writer_id(nm, info, i));
        fputs("]}", f);
    } else {
        fputs("null", f);
    }
    fputc(',', f);
    jopt_ticks(f, "timestamp", nm->has_timestamp, nm->timestamp);
    fputc(',', f);
    jopt_u(f, "picoseconds", nm->has_picoseconds, nm->picoseconds);
    fputs(",\"promoted_fields\":", f);
    if (nm->n_promoted && nm->promoted) {
        fputc('[', f);
        for (uint16_t i = 0; i < nm->n_promoted; i++) {
            if (i)
                fputc(',', f);
            ug_print_variant_json(f, &nm->promoted[i]);
        }
        fputc(']', f);
    } else {
        fputs("null", f);
    }
    fputs(",\"security_header\":", f);
    if (nm->has_security) {
        const ug_security_header *s = &nm->security;
        fprintf(f,
                "{\"security_flags\":%u,\"signed\":%s,\"encrypted\":%s,\"footer_enabled\":%s,"
                "\"force_key_reset\":%s,\"security_token_id\":%" PRIu32 ",\"nonce_length\":%" PRId32
                ",\"message_nonce_hex\":",
                s->flags, s->flags & UG_SEC_SIGNED ? "true" : "false",
                s->flags & UG_SEC_ENCRYPTED ? "true" : "false",
                s->flags & UG_SEC_FOOTER ? "true" : "false",
                s->flags & UG_SEC_FORCE_KEY_RESET ? "true" : "false", s->token_id,
                s->nonce.len < 0 ? 0 : s->nonce.len);
        jhex(f, s->nonce.len < 0 ? (ug_bytes){NULL, 0} : s->nonce);
        fputc(',', f);
        jopt_u(f, "security_footer_size", s->flags & UG_SEC_FOOTER, s->footer_size);
        fputc('}', f);
    } else {
        fputs("null", f);
    }
    fprintf(f, ",\"chunk\":%s,\"network_message_type\":\"%s\"", nm->is_chunk ? "true" : "false",
            nm_names[nm->type < 3 ? nm->type : 0]);
    if (info && info->encrypted_payload)
        fputs(",\"payload_encrypted\":true", f);
    if (nm->is_chunk) {
        const ug_chunk *c = &nm->chunk;
        fprintf(f,
                ",\"chunk_data\":{\"dataset_writer_id\":%u,\"message_sequence_number\":%u,"
                "\"chunk_offset\":%" PRIu32 ",\"total_size\":%" PRIu32 ",\"data_hex\":",
                c->writer_id, c->msg_seq, c->offset, c->total_size);
        jhex(f, c->data);
        fputc('}', f);
    }
    fputs(",\"dataset_messages\":[", f);
    for (uint16_t i = 0; i < nm->n_dsm && nm->dsm && !nm->is_chunk && nm->type == UG_NM_DATASET;
         i++) {
        if (i)
            fputc(',', f);
        jdsm(f, &nm->dsm[i], info);
    }
    fputs("],\"signature_hex\":", f);
    jhex(f, nm->has_security && nm->security.signature.len > 0 ? nm->security.signature
                                                                : UG_NULL_BYTES);
    fputc('}', f);
}
