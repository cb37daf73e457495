/* print — the readable text form of a decoded NetworkMessage. */
#include "print.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include "uagate/status.h"
#include "uagate/types.h"

static const char *const fe_names[] = {"Variant", "RawData", "DataValue", "Reserved"};
static const char *const dsm_names[] = {"KeyFrame", "DeltaFrame", "Event", "KeepAlive"};
static const char *const pubid_names[] = {"Byte", "UInt16", "UInt32", "UInt64", "String"};

void ug_print_hex(FILE *f, const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%02x", s[i]);
}

/* Length of the valid UTF-8 sequence at s, 0 when it is not one. */
static size_t utf8_len(const uint8_t *s, size_t n)
{
    uint8_t c = s[0];
    size_t len;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if ((c & 0xE0) == 0xC0) {
        len = 2;
        cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3;
        cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3Fu);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

/* Strings on the wire are meant to be UTF-8 but nothing guarantees it: an
 * invalid byte is printed as U+FFFD so the output stays valid JSON. */
void ug_print_json_string(FILE *f, const uint8_t *s, size_t n)
{
    fputc('"', f);
    for (size_t i = 0; i < n;) {
        uint8_t c = s[i];
        size_t l = utf8_len(s + i, n - i);
        if (l == 0) {
            fputs("\\ufffd", f);
            i++;
            continue;
        }
        if (l > 1)
            fwrite(s + i, 1, l, f);
        else if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c == '\t')
            fputs("\\t", f);
        else if (c == '\r')
            fputs("\\r", f);
        else if (c < 0x20 || c == 0x7F)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
        i += l;
    }
    fputc('"', f);
}

const char *ug_print_datetime_iso(int64_t ticks, char buf[40])
{
    buf[0] = 0;
    /* Part 6 §5.2.2.5: 0 and INT64_MAX mean "no time"/"end of time". */
    if (ticks <= 0 || ticks == INT64_MAX)
        return buf;
    int64_t unix_ticks = ticks - UG_DATETIME_UNIX_EPOCH;
    int64_t sec = unix_ticks >= 0 ? unix_ticks / 10000000 : -((-unix_ticks + 9999999) / 10000000);
    int64_t frac = unix_ticks - sec * 10000000;
    time_t t = (time_t)sec;
    struct tm tm;
    if (!gmtime_r(&t, &tm))
        return buf;
    size_t n = strftime(buf, 40, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, 40 - n, ".%07" PRId64 "Z", frac);
    return buf;
}

/* JSON text on one line: white space outside strings dropped. */
static void print_json_compact(FILE *f, ug_bytes b)
{
    bool in_str = false, esc = false;
    for (int32_t i = 0; i < b.len; i++) {
        uint8_t c = b.data[i];
        if (in_str) {
            in_str = esc || c != '"';
            esc = !esc && c == '\\';
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            continue;
        } else {
            in_str = c == '"';
        }
        fputc(c, f);
    }
}

static void print_string(FILE *f, ug_string s)
{
    if (s.len < 0)
        fputs("null", f);
    else
        ug_print_json_string(f, s.data, (size_t)s.len);
}

static void print_real(FILE *f, double d, bool is_float)
{
    if (isnan(d))
        fputs("NaN", f);
    else if (isinf(d))
        fputs(d > 0 ? "Infinity" : "-Infinity", f);
    else if (d == 0 && signbit(d))
        fputs("-0.0", f);
    else
        fprintf(f, is_float ? "%.9g" : "%.17g", d);
}

static void print_nodeid(FILE *f, const ug_nodeid *n)
{
    char buf[256];
    size_t need = ug_nodeid_print(n, buf, sizeof buf);
    fputs(buf, f);
    if (need >= sizeof buf)
        fputs("...", f);
}

static void print_status(FILE *f, ug_status s)
{
    const char *name = ug_status_name(s);
    fprintf(f, "0x%08" PRIX32 "%s%s%s", s, name ? " (" : "", name ? name : "", name ? ")" : "");
}

static void print_datavalue(FILE *f, const ug_datavalue *dv);

static void print_elem(FILE *f, unsigned type, const void *e)
{
    char buf[64];
    if (!e) {
        fputs("(none)", f);
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
    case UG_TYPE_INT64: fprintf(f, "%" PRId64, *(const int64_t *)e); break;
    case UG_TYPE_UINT64: fprintf(f, "%" PRIu64, *(const uint64_t *)e); break;
    case UG_TYPE_FLOAT: print_real(f, *(const float *)e, true); break;
    case UG_TYPE_DOUBLE: print_real(f, *(const double *)e, false); break;
    case UG_TYPE_STRING:
    case UG_TYPE_XMLELEMENT: print_string(f, *(const ug_string *)e); break;
    case UG_TYPE_DATETIME: {
        int64_t t = *(const int64_t *)e;
        const char *iso = ug_print_datetime_iso(t, buf);
        fprintf(f, "%" PRId64 "%s%s%s", t, *iso ? " (" : "", iso, *iso ? ")" : "");
        break;
    }
    case UG_TYPE_GUID: {
        char g[37];
        ug_guid_print(e, g);
        fputs(g, f);
        break;
    }
    case UG_TYPE_BYTESTRING: {
        ug_bytes b = *(const ug_bytes *)e;
        if (b.len < 0) {
            fputs("null", f);
        } else {
            fputs("0x", f);
            ug_print_hex(f, b.data, (size_t)b.len);
        }
        break;
    }
    case UG_TYPE_NODEID: print_nodeid(f, e); break;
    case UG_TYPE_EXPANDEDNODEID: {
        char x[512];
        size_t need = ug_expanded_nodeid_print(e, x, sizeof x);
        fprintf(f, "%s%s", x, need >= sizeof x ? "..." : "");
        break;
    }
    case UG_TYPE_STATUSCODE: print_status(f, *(const ug_status *)e); break;
    case UG_TYPE_QUALIFIEDNAME: {
        const ug_qualified_name *q = e;
        fprintf(f, "%u:", q->ns);
        print_string(f, q->name);
        break;
    }
    case UG_TYPE_LOCALIZEDTEXT: {
        const ug_localized_text *t = e;
        print_string(f, t->text);
        fputs(" (locale ", f);
        print_string(f, t->locale);
        fputc(')', f);
        break;
    }
    case UG_TYPE_EXTENSIONOBJECT: {
        const ug_extension_object *x = e;
        fputs("{type_id ", f);
        print_nodeid(f, &x->type_id);
        if (x->encoding == UG_EO_NONE) {
            fputs(", no body}", f);
        } else if (x->encoding == UG_EO_JSON) { /* Part 6 §5.4.2.16, as received */
            fputs(", Json body ", f);
            print_json_compact(f, x->body);
            fputc('}', f);
        } else {
            fprintf(f, ", %s body %" PRId32 " bytes 0x",
                    x->encoding == UG_EO_XML ? "Xml" : "ByteString", x->body.len);
            if (x->body.len > 0)
                ug_print_hex(f, x->body.data, (size_t)x->body.len);
            fputc('}', f);
        }
        break;
    }
    case UG_TYPE_DATAVALUE: print_datavalue(f, e); break;
    case UG_TYPE_VARIANT: ug_print_variant_text(f, e); break;
    case UG_TYPE_DIAGNOSTICINFO: {
        const ug_diagnostic_info *d = e;
        fprintf(f, "{DiagnosticInfo mask 0x%02x", d->mask);
        if (d->mask & UG_DI_SYMBOLIC_ID)
            fprintf(f, ", symbolic_id %" PRId32, d->symbolic_id);
        if (d->mask & UG_DI_ADDITIONAL_INFO) {
            fputs(", additional_info ", f);
            print_string(f, d->additional_info);
        }
        if (d->mask & UG_DI_INNER_STATUS) {
            fputs(", inner_status ", f);
            print_status(f, d->inner_status);
        }
        fputc('}', f);
        break;
    }
    default: fprintf(f, "(type %u)", type); break;
    }
}

void ug_print_variant_text(FILE *f, const ug_variant *v)
{
    const char *tn = ug_type_name(v->type);
    fputs(tn ? tn : "(bad type)", f);
    if (v->type == UG_TYPE_NULL)
        return;
    if (!ug_variant_is_array(v)) {
        fputc(' ', f);
        print_elem(f, v->type, ug_variant_scalar_elem(v));
        return;
    }
    if (v->array_len < 0) {
        fputs("[] null", f);
        return;
    }
    fputc('[', f);
    if (v->ndims > 0 && v->dims) {
        for (uint16_t i = 0; i < v->ndims; i++)
            fprintf(f, "%s%" PRId32, i ? "x" : "", v->dims[i]);
    } else {
        fprintf(f, "%" PRId32, v->array_len);
    }
    fputs("] [", f);
    size_t esz = ug_type_size(v->type);
    for (int32_t i = 0; i < v->array_len && v->u.arr && esz; i++) {
        if (i)
            fputs(", ", f);
        print_elem(f, v->type, (const uint8_t *)v->u.arr + (size_t)i * esz);
    }
    fputc(']', f);
}

static void print_datavalue(FILE *f, const ug_datavalue *dv)
{
    char buf[40];
    fputs("DataValue {", f);
    const char *sep = "";
    if (dv->mask & UG_DV_VALUE) {
        fputs("value ", f);
        ug_print_variant_text(f, &dv->value);
        sep = ", ";
    }
    if (dv->mask & UG_DV_STATUS) {
        fprintf(f, "%sstatus ", sep);
        print_status(f, dv->status);
        sep = ", ";
    }
    if (dv->mask & UG_DV_SOURCE_TIMESTAMP) {
        fprintf(f, "%ssource_timestamp %" PRId64 " %s", sep, dv->source_ts,
                ug_print_datetime_iso(dv->source_ts, buf));
        sep = ", ";
    }
    if (dv->mask & UG_DV_SOURCE_PICOSECONDS) {
        fprintf(f, "%ssource_picoseconds %u", sep, dv->source_ps);
        sep = ", ";
    }
    if (dv->mask & UG_DV_SERVER_TIMESTAMP) {
        fprintf(f, "%sserver_timestamp %" PRId64 " %s", sep, dv->server_ts,
                ug_print_datetime_iso(dv->server_ts, buf));
        sep = ", ";
    }
    if (dv->mask & UG_DV_SERVER_PICOSECONDS)
        fprintf(f, "%sserver_picoseconds %u", sep, dv->server_ps);
    fputc('}', f);
}

static void print_dsm(FILE *f, const ug_dsm *d, unsigned i, unsigned n, const ug_print_info *info)
{
    char buf[40];
    fprintf(f, "  DataSetMessage %u/%u:", i + 1, n);
    if (d->has_writer_id)
        fprintf(f, " writer %u,", d->writer_id);
    fprintf(f, " %s, %s, %s\n", dsm_names[d->type & 3], fe_names[d->field_encoding & 3],
            d->valid ? "valid" : "not valid");
    if (d->has_seq)
        fprintf(f, "    sequence_number: %u\n", d->seq);
    if (d->has_timestamp)
        fprintf(f, "    timestamp: %" PRId64 " %s\n", d->timestamp,
                ug_print_datetime_iso(d->timestamp, buf));
    if (d->has_picoseconds)
        fprintf(f, "    picoseconds: %u\n", d->picoseconds);
    if (d->has_status) {
        /* Part 14 §7.2.4.5.4: the high 16 bits of a StatusCode. */
        fprintf(f, "    status: ");
        print_status(f, (ug_status)d->status << 16);
        fputc('\n', f);
    }
    if (d->has_cfg_major)
        fprintf(f, "    config_major_version: %" PRIu32 "\n", d->cfg_major);
    if (d->has_cfg_minor)
        fprintf(f, "    config_minor_version: %" PRIu32 "\n", d->cfg_minor);
    if (d->padding)
        fprintf(f, "    padding_bytes: %u\n", d->padding);
    if (info && info->encrypted_payload)
        return;
    if (d->field_encoding == UG_FE_RAWDATA && !d->fields && d->raw.len >= 0) {
        fprintf(f, "    RawData fields not decoded (no metadata): %" PRId32 " bytes 0x",
                d->raw.len);
        if (d->raw.len > 0)
            ug_print_hex(f, d->raw.data, (size_t)d->raw.len);
        fputc('\n', f);
        return;
    }
    if (d->writer_name.len >= 0 && d->writer_name.data) {
        fputs("    dataset_writer_name: ", f);
        print_string(f, d->writer_name);
        fputc('\n', f);
    }
    fprintf(f, "    fields: %u\n", d->field_count);
    for (uint16_t k = 0; k < d->field_count && d->fields; k++) {
        const ug_dsm_field *fl = &d->fields[k];
        unsigned idx = d->type == UG_DSM_DELTAFRAME ? fl->index : k;
        fprintf(f, "      %u: ", idx);
        if (fl->name.len >= 0 && fl->name.data) { /* JSON fields are named */
            print_string(f, fl->name);
            fputs(" = ", f);
        }
        if (d->field_encoding == UG_FE_DATAVALUE)
            print_datavalue(f, &fl->dv);
        else
            ug_print_variant_text(f, &fl->dv.value);
        if (fl->raw_padded_to)
            fprintf(f, " (padded to %u)", fl->raw_padded_to);
        fputc('\n', f);
    }
}

unsigned ug_print_n_writer_ids(const ug_nm *nm, const ug_print_info *info)
{
    if (!nm->dsm && info && info->writer_ids)
        return info->n_writer_ids;
    return nm->dsm ? nm->n_dsm : 0;
}

unsigned ug_print_writer_id(const ug_nm *nm, const ug_print_info *info, unsigned i)
{
    if (!nm->dsm && info && info->writer_ids)
        return (unsigned)(info->writer_ids[2 * i] | info->writer_ids[2 * i + 1] << 8);
    return nm->dsm[i].writer_id;
}

void ug_print_nm_text(FILE *f, const ug_nm *nm, const uint8_t *wire, size_t len,
                      const ug_print_info *info)
{
    char buf[40];
    if (wire) {
        fprintf(f, "  NetworkMessage: %zu bytes, UADP version %u", len, nm->version);
        if (len > 0)
            fprintf(f, ", flags 0x%02x", wire[0]);
        fputc('\n', f);
    } else { /* decoded from JSON (Part 14 §7.2.5.3): no UADP header */
        fputs("  NetworkMessage (JSON)\n", f);
    }
    if (nm->message_id.len >= 0 && nm->message_id.data) {
        fputs("  message_id: ", f);
        print_string(f, nm->message_id);
        fputc('\n', f);
    }
    if (nm->writer_group_name.len >= 0 && nm->writer_group_name.data) {
        fputs("  writer_group_name: ", f);
        print_string(f, nm->writer_group_name);
        fputc('\n', f);
    }
    const ug_publisher_id *p = &nm->publisher_id;
    if (p->type == UG_PUBID_STRING) {
        fputs("  publisher_id: String ", f);
        print_string(f, p->str);
        fputc('\n', f);
    } else if (p->type < UG_PUBID_STRING) {
        fprintf(f, "  publisher_id: %s %" PRIu64 "\n", pubid_names[p->type], p->u64);
    }
    if (nm->has_class_id) {
        char g[37];
        ug_guid_print(&nm->class_id, g);
        fprintf(f, "  dataset_class_id: %s\n", g);
    }
    if (nm->has_group_header) {
        const ug_group_header *g = &nm->group;
        fputs("  group_header:\n", f);
        if (g->has_writer_group_id)
            fprintf(f, "    writer_group_id: %u\n", g->writer_group_id);
        if (g->has_group_version)
            fprintf(f, "    group_version: %" PRIu32 "\n", g->group_version);
        if (g->has_nm_number)
            fprintf(f, "    network_message_number: %u\n", g->nm_number);
        if (g->has_seq)
            fprintf(f, "    sequence_number: %u\n", g->seq);
    }
    if (nm->has_payload_header && !nm->is_chunk && nm->type == UG_NM_DATASET) {
        unsigned n = ug_print_n_writer_ids(nm, info);
        fprintf(f, "  payload_header: count %u, writer ids", n);
        for (unsigned i = 0; i < n; i++)
            fprintf(f, "%s %u", i ? "," : "", ug_print_writer_id(nm, info, i));
        fputc('\n', f);
    }
    if (nm->has_timestamp)
        fprintf(f, "  timestamp: %" PRId64 " %s\n", nm->timestamp,
                ug_print_datetime_iso(nm->timestamp, buf));
    if (nm->has_picoseconds)
        fprintf(f, "  picoseconds: %u\n", nm->picoseconds);
    for (uint16_t i = 0; i < nm->n_promoted && nm->promoted; i++) {
        fprintf(f, "  promoted_field %u: ", i);
        ug_print_variant_text(f, &nm->promoted[i]);
        fputc('\n', f);
    }
    if (nm->has_security) {
        const ug_security_header *s = &nm->security;
        fprintf(f, "  security_header: flags 0x%02x%s%s%s%s, token %" PRIu32 ", nonce ",
                s->flags, s->flags & UG_SEC_SIGNED ? " signed" : "",
                s->flags & UG_SEC_ENCRYPTED ? " encrypted" : "",
                s->flags & UG_SEC_FOOTER ? " footer" : "",
                s->flags & UG_SEC_FORCE_KEY_RESET ? " force-key-reset" : "", s->token_id);
        if (s->nonce.len > 0)
            ug_print_hex(f, s->nonce.data, (size_t)s->nonce.len);
        if (s->flags & UG_SEC_FOOTER)
            fprintf(f, ", footer %u bytes", s->footer_size);
        fputc('\n', f);
        if (s->signature.len > 0) {
            fputs("  signature: ", f);
            ug_print_hex(f, s->signature.data, (size_t)s->signature.len);
            fputs(" (not verified: no keys)\n", f);
        }
        if (info && info->encrypted_payload)
            fputs("  payload: encrypted, not decoded (no keys)\n", f);
    }
    if (nm->is_chunk) {
        const ug_chunk *c = &nm->chunk;
        fprintf(f, "  chunk: writer %u, message sequence %u, offset %" PRIu32 ", total %" PRIu32
                   ", %" PRId32 " bytes\n",
                c->writer_id, c->msg_seq, c->offset, c->total_size, c->data.len);
        return;
    }
    if (nm->type == UG_NM_DISCOVERY_REQUEST) {
        fprintf(f, "  discovery_request: type %u, information %u, %" PRId32 " writer ids\n",
                nm->disc_req.request_type, nm->disc_req.information_type,
                nm->disc_req.n_writer_ids);
        return;
    }
    if (nm->type == UG_NM_DISCOVERY_RESPONSE) {
        fprintf(f, "  discovery_response: type %u, sequence %u\n", nm->disc_resp.response_type,
                nm->disc_resp.seq);
        return;
    }
    for (uint16_t i = 0; i < nm->n_dsm && nm->dsm; i++)
        print_dsm(f, &nm->dsm[i], i, nm->n_dsm, info);
}
