/* expect — NetworkMessage and DataSetMessage headers against the
 * "network_message" object of a NAME.expect.json. The model has presence
 * flags, not wire bits: the flag bytes are recomputed here from the Part 14
 * §7.2.2 bit layouts and compared with the bytes the vector's harness wrote. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "expect.h"
#include "expect_int.h"

const char *ug_expect_field_encoding_name(unsigned fe)
{
    static const char *const n[] = {"Variant", "RawData", "DataValue"};
    return fe < 3 ? n[fe] : NULL;
}

const char *ug_expect_message_type_name(unsigned type)
{
    static const char *const n[] = {"KeyFrame", "DeltaFrame", "Event", "KeepAlive"};
    return type < 4 ? n[type] : NULL;
}

const char *ug_expect_pubid_type_name(unsigned type)
{
    static const char *const n[] = {"Byte", "UInt16", "UInt32", "UInt64", "String"};
    return type < 5 ? n[type] : NULL;
}

static const char *nm_type_name(unsigned type)
{
    static const char *const n[] = {"DataSetMessage", "DiscoveryRequest", "DiscoveryResponse"};
    return type < 3 ? n[type] : "?";
}

/* Part 14 §7.2.4.5.4: DataSetFlags2 is present when any of its bits is set. */
static bool dsm_has_flags2(const ug_dsm *d)
{
    return d->type != UG_DSM_KEYFRAME || d->has_timestamp || d->has_picoseconds;
}

/* Part 14 §7.2.4.5.4 DataSetFlags1: bit 0 valid, bits 1-2 field encoding,
 * 3 sequence number, 4 status, 5 major version, 6 minor version, 7 flags2. */
static unsigned dsm_flags1(const ug_dsm *d)
{
    return (unsigned)d->valid | (unsigned)(d->field_encoding & 3) << 1 |
           (unsigned)d->has_seq << 3 | (unsigned)d->has_status << 4 |
           (unsigned)d->has_cfg_major << 5 | (unsigned)d->has_cfg_minor << 6 |
           (unsigned)dsm_has_flags2(d) << 7;
}

/* DataSetFlags2: bits 0-3 message type, 4 timestamp, 5 picoseconds. */
static unsigned dsm_flags2(const ug_dsm *d)
{
    return (unsigned)(d->type & 15) | (unsigned)d->has_timestamp << 4 |
           (unsigned)d->has_picoseconds << 5;
}

/* Part 14 §7.2.4.5.5: FieldCount is absent for RawData key frames (the layout
 * comes from the metadata), keep-alives and heartbeat key frames (no fields). */
static bool field_count_on_wire(const ug_dsm *d)
{
    if (d->type == UG_DSM_KEEPALIVE)
        return false;
    if (d->type == UG_DSM_KEYFRAME)
        return d->field_encoding != UG_FE_RAWDATA && d->field_count > 0;
    return true;
}

/* An optional string member ("name", "dataset_writer_name"): null for a null
 * string. */
static int cmp_name(const json_t *e, ug_string s, const char *path, const char *key, char *why,
                    size_t cap)
{
    char p[256], got[256];
    ug_expect_path(p, sizeof p, "%s.%s", path, key);
    if (s.len < 0)
        return json_is_null(e) ? 0 : ug_expect_fail(why, cap, p, e, "null");
    if (json_is_string(e) && json_string_length(e) == (size_t)s.len &&
        memcmp(json_string_value(e), s.data, (size_t)s.len) == 0)
        return 0;
    snprintf(got, sizeof got, "\"%.*s\"", s.len > 200 ? 200 : (int)s.len, (const char *)s.data);
    return ug_expect_fail(why, cap, p, e, got);
}

static int cmp_field(const json_t *ef, const ug_dsm *d, const ug_dsm_field *f,
                     bool content_only, const char *path, char *why, size_t cap)
{
    char p[256];
    if (!json_is_object(ef))
        return ug_expect_fail(why, cap, path, ef, "a field object");
    if (d->type == UG_DSM_DELTAFRAME &&
        ug_expect_opt_int(ef, "index", true, f->index, path, why, cap))
        return -1;
    if (!content_only) {
        const json_t *rp = ug_expect_get(ef, "raw_padded_to");
        long long want = json_is_integer(rp) ? json_integer_value(rp) : 0;
        if (want != f->raw_padded_to) {
            char got[16];
            ug_expect_path(p, sizeof p, "%s.raw_padded_to", path);
            snprintf(got, sizeof got, "%u", f->raw_padded_to);
            json_t *zero = json_integer(0);
            ug_expect_fail(why, cap, p, rp ? rp : zero, got);
            json_decref(zero);
            return -1;
        }
    }
    /* JSON vectors name their fields; UADP ones do not carry names. */
    const json_t *en = ug_expect_get(ef, "name");
    if (en && cmp_name(en, f->name, path, "name", why, cap))
        return -1;
    const json_t *edv = ug_expect_get(ef, "datavalue");
    if (edv) {
        ug_expect_path(p, sizeof p, "%s.datavalue", path);
        return ug_expect_compare_datavalue(edv, &f->dv, p, why, cap);
    }
    ug_expect_path(p, sizeof p, "%s.variant", path);
    const json_t *ev = ug_expect_get(ef, "variant");
    if (!content_only && d->field_encoding == UG_FE_DATAVALUE)
        return ug_expect_fail(why, cap, p, ev, "a DataValue field");
    return ug_expect_compare_variant(ev, &f->dv.value, p, why, cap);
}

int ug_expect_compare_dsm(const json_t *e, const ug_dsm *d, bool content_only, const char *path,
                          char *why, size_t cap)
{
    char p[256];
    if (!json_is_object(e))
        return ug_expect_fail(why, cap, path, e, "a DataSetMessage");

    /* null: no PayloadHeader; the model may still know the id from the layout. */
    const json_t *ew = ug_expect_get(e, "dataset_writer_id");
    if (!ew || (!json_is_null(ew) &&
                ug_expect_opt_int(e, "dataset_writer_id", d->has_writer_id, d->writer_id, path,
                                  why, cap)))
        return ew ? -1 : ug_expect_fail(why, cap, path, ew, "a dataset_writer_id key");

    if (!content_only) {
        bool f2 = dsm_has_flags2(d);
        if (ug_expect_opt_int(e, "flags1", true, dsm_flags1(d), path, why, cap) ||
            ug_expect_opt_int(e, "flags2", f2, dsm_flags2(d), path, why, cap) ||
            ug_expect_bool(e, "valid", d->valid, path, why, cap) ||
            ug_expect_str(e, "field_encoding", ug_expect_field_encoding_name(d->field_encoding),
                          path, why, cap) ||
            ug_expect_opt_int(e, "picoseconds", d->has_picoseconds, d->picoseconds, path, why,
                              cap) ||
            ug_expect_opt_int(e, "field_count_on_wire", field_count_on_wire(d), d->field_count,
                              path, why, cap) ||
            ug_expect_opt_int(e, "padding_bytes", true, d->padding, path, why, cap))
            return -1;
    }
    if (ug_expect_str(e, "message_type", ug_expect_message_type_name(d->type), path, why, cap))
        return -1;
    /* A JSON DataSetMessage may leave out header fields the UADP one had, so
     * content-only compares them only where the model has them. */
    if ((!content_only || d->has_seq) &&
        ug_expect_opt_int(e, "sequence_number", d->has_seq, d->seq, path, why, cap))
        return -1;
    if ((!content_only || d->has_timestamp) &&
        ug_expect_opt_i64(e, "timestamp", d->has_timestamp, d->timestamp, path, why, cap))
        return -1;
    if ((!content_only || d->has_status) &&
        ug_expect_opt_int(e, "status", d->has_status, d->status, path, why, cap))
        return -1;
    if ((!content_only || d->has_cfg_major) &&
        ug_expect_opt_int(e, "config_major_version", d->has_cfg_major, d->cfg_major, path, why,
                          cap))
        return -1;
    if ((!content_only || d->has_cfg_minor) &&
        ug_expect_opt_int(e, "config_minor_version", d->has_cfg_minor, d->cfg_minor, path, why,
                          cap))
        return -1;
    if (ug_expect_opt_int(e, "field_count", true, d->field_count, path, why, cap))
        return -1;
    const json_t *ewn = ug_expect_get(e, "dataset_writer_name");
    if (ewn && cmp_name(ewn, d->writer_name, path, "dataset_writer_name", why, cap))
        return -1;

    const json_t *fields = ug_expect_get(e, "fields");
    ug_expect_path(p, sizeof p, "%s.fields", path);
    if (!json_is_array(fields) || json_array_size(fields) != d->field_count) {
        char got[32];
        snprintf(got, sizeof got, "%u fields", d->field_count);
        return ug_expect_fail(why, cap, p, fields, got);
    }
    if (d->field_count > 0 && !d->fields) {
        const char *got = d->raw.len >= 0 ? "undecoded RawData (no metadata)" : "no fields";
        return ug_expect_fail(why, cap, p, fields, got);
    }
    for (uint16_t i = 0; i < d->field_count; i++) {
        char fp[256];
        ug_expect_path(fp, sizeof fp, "%s[%u]", p, i);
        if (cmp_field(json_array_get(fields, i), d, &d->fields[i], content_only, fp, why, cap))
            return -1;
    }
    return 0;
}

static int cmp_publisher_id(const json_t *e, const ug_publisher_id *id, char *why, size_t cap)
{
    const char *path = "publisher_id";
    if (id->type == UG_PUBID_NONE)
        return json_is_null(e) ? 0 : ug_expect_fail(why, cap, path, e, "null");
    const char *tn = ug_expect_pubid_type_name(id->type);
    if (!json_is_object(e) || ug_expect_str(e, "type", tn ? tn : "?", path, why, cap))
        return json_is_object(e) ? -1 : ug_expect_fail(why, cap, path, e, "a publisher id");
    if (id->type == UG_PUBID_UINT64)
        return ug_expect_opt_u64(e, "value", true, id->u64, path, why, cap);
    if (id->type != UG_PUBID_STRING)
        return ug_expect_opt_int(e, "value", true, (long long)id->u64, path, why, cap);
    char *s = strndup(id->str.len > 0 ? (const char *)id->str.data : "",
                      id->str.len > 0 ? (size_t)id->str.len : 0);
    int rc = ug_expect_str(e, "value", id->str.len < 0 ? NULL : s, path, why, cap);
    free(s);
    return rc;
}

static int cmp_group(const json_t *e, const ug_nm *nm, char *why, size_t cap)
{
    const char *path = "group_header";
    const ug_group_header *g = &nm->group;
    if (!nm->has_group_header)
        return json_is_null(e) ? 0 : ug_expect_fail(why, cap, path, e, "null");
    if (!json_is_object(e))
        return ug_expect_fail(why, cap, path, e, "a group header");
    /* Part 14 §7.2.2.2.3 GroupFlags: bit 0 WriterGroupId, 1 GroupVersion,
     * 2 NetworkMessageNumber, 3 SequenceNumber. */
    unsigned flags = (unsigned)g->has_writer_group_id | (unsigned)g->has_group_version << 1 |
                     (unsigned)g->has_nm_number << 2 | (unsigned)g->has_seq << 3;
    if (ug_expect_opt_int(e, "group_flags", true, flags, path, why, cap) ||
        ug_expect_opt_int(e, "writer_group_id", g->has_writer_group_id, g->writer_group_id, path,
                          why, cap) ||
        ug_expect_opt_int(e, "group_version", g->has_group_version, g->group_version, path, why,
                          cap) ||
        ug_expect_opt_int(e, "network_message_number", g->has_nm_number, g->nm_number, path, why,
                          cap) ||
        ug_expect_opt_int(e, "sequence_number", g->has_seq, g->seq, path, why, cap))
        return -1;
    return 0;
}

static int cmp_payload_header(const json_t *e, const ug_nm *nm, char *why, size_t cap)
{
    const char *path = "payload_header";
    char got[32];
    if (!nm->has_payload_header)
        return json_is_null(e) ? 0 : ug_expect_fail(why, cap, path, e, "null");
    if (!json_is_object(e))
        return ug_expect_fail(why, cap, path, e, "a payload header");
    if (nm->is_chunk) {
        /* Part 14 §7.2.4.4.4: a chunk's PayloadHeader names its one DataSetWriterId. */
        const json_t *ids = ug_expect_get(e, "dataset_writer_ids");
        const json_t *id0 = json_array_get(ids, 0);
        if (ug_expect_opt_int(e, "count", true, 1, path, why, cap))
            return -1;
        snprintf(got, sizeof got, "[%u]", nm->chunk.writer_id);
        if (json_array_size(ids) != 1 || !json_is_integer(id0) ||
            json_integer_value(id0) != nm->chunk.writer_id)
            return ug_expect_fail(why, cap, "payload_header.dataset_writer_ids", ids, got);
        return 0;
    }
    if (ug_expect_opt_int(e, "count", true, nm->n_dsm, path, why, cap))
        return -1;
    const json_t *ids = ug_expect_get(e, "dataset_writer_ids");
    snprintf(got, sizeof got, "%u ids", nm->n_dsm);
    if (!json_is_array(ids) || json_array_size(ids) != nm->n_dsm)
        return ug_expect_fail(why, cap, "payload_header.dataset_writer_ids", ids, got);
    for (uint16_t i = 0; i < nm->n_dsm; i++) {
        const json_t *id = json_array_get(ids, i);
        if (!json_is_integer(id) || json_integer_value(id) != nm->dsm[i].writer_id) {
            char p[64];
            ug_expect_path(p, sizeof p, "payload_header.dataset_writer_ids[%u]", i);
            snprintf(got, sizeof got, "%u", nm->dsm[i].writer_id);
            return ug_expect_fail(why, cap, p, id, got);
        }
    }
    return 0;
}

static int cmp_security(const json_t *e, const ug_nm *nm, char *why, size_t cap)
{
    const char *path = "security_header";
    const ug_security_header *s = &nm->security;
    if (!nm->has_security)
        return json_is_null(e) ? 0 : ug_expect_fail(why, cap, path, e, "null");
    if (!json_is_object(e))
        return ug_expect_fail(why, cap, path, e, "a security header");
    uint8_t f = s->flags;
    if (ug_expect_opt_int(e, "security_flags", true, f, path, why, cap) ||
        ug_expect_bool(e, "signed", f & UG_SEC_SIGNED, path, why, cap) ||
        ug_expect_bool(e, "encrypted", f & UG_SEC_ENCRYPTED, path, why, cap) ||
        ug_expect_bool(e, "footer_enabled", f & UG_SEC_FOOTER, path, why, cap) ||
        ug_expect_bool(e, "force_key_reset", f & UG_SEC_FORCE_KEY_RESET, path, why, cap) ||
        ug_expect_opt_int(e, "security_token_id", true, s->token_id, path, why, cap) ||
        ug_expect_opt_int(e, "nonce_length", true, s->nonce.len < 0 ? 0 : s->nonce.len, path,
                          why, cap) ||
        ug_expect_opt_int(e, "security_footer_size", f & UG_SEC_FOOTER, s->footer_size, path,
                          why, cap))
        return -1;
    char got[600];
    ug_expect_hex(s->nonce.len < 0 ? (ug_bytes){NULL, 0} : s->nonce, got, sizeof got);
    return ug_expect_str(e, "message_nonce_hex", got, path, why, cap);
}

int ug_expect_compare_nm(const json_t *e, const ug_nm *nm, bool content_only, char *why,
                         size_t cap)
{
    char got[64];
    if (!json_is_object(e))
        return ug_expect_fail(why, cap, "network_message", e, "a NetworkMessage");
    if (cap > 0)
        why[0] = 0;

    if (!content_only) {
        bool has_pubid = nm->publisher_id.type != UG_PUBID_NONE;
        unsigned pubid_type = has_pubid ? nm->publisher_id.type : 0;
        /* Part 14 §7.2.2.2.2 ExtendedFlags2: bit 0 chunk, 1 promoted fields,
         * bits 2-4 NetworkMessage type. Each extension byte is present only
         * when one of its bits is set. */
        unsigned ext2 = (unsigned)nm->is_chunk | (unsigned)(nm->n_promoted > 0) << 1 |
                        (unsigned)(nm->type & 7) << 2;
        /* ExtendedFlags1: bits 0-2 PublisherId type, 3 DataSetClassId,
         * 4 security, 5 timestamp, 6 picoseconds, 7 ExtendedFlags2. */
        unsigned ext1 = pubid_type | (unsigned)nm->has_class_id << 3 |
                        (unsigned)nm->has_security << 4 | (unsigned)nm->has_timestamp << 5 |
                        (unsigned)nm->has_picoseconds << 6 | (unsigned)(ext2 != 0) << 7;
        /* UADPFlags: bits 0-3 version, 4 PublisherId, 5 GroupHeader,
         * 6 PayloadHeader, 7 ExtendedFlags1. */
        unsigned flags = (nm->version & 15u) | (unsigned)has_pubid << 4 |
                         (unsigned)nm->has_group_header << 5 |
                         (unsigned)nm->has_payload_header << 6 | (unsigned)(ext1 != 0) << 7;
        if (ug_expect_opt_int(e, "version", true, nm->version, "network_message", why, cap) ||
            ug_expect_opt_int(e, "uadp_flags", true, flags, "network_message", why, cap) ||
            ug_expect_opt_int(e, "extended_flags1", ext1 != 0, ext1, "network_message", why,
                              cap) ||
            ug_expect_opt_int(e, "extended_flags2", ext2 != 0, ext2, "network_message", why, cap))
            return -1;
        if (cmp_publisher_id(ug_expect_get(e, "publisher_id"), &nm->publisher_id, why, cap))
            return -1;

        const json_t *ec = ug_expect_get(e, "dataset_class_id");
        if (!nm->has_class_id) {
            if (!json_is_null(ec))
                return ug_expect_fail(why, cap, "dataset_class_id", ec, "null");
        } else {
            char g[37];
            ug_guid_print(&nm->class_id, g);
            if (!json_is_string(ec) || strcasecmp(json_string_value(ec), g) != 0)
                return ug_expect_fail(why, cap, "dataset_class_id", ec, g);
        }
        if (cmp_group(ug_expect_get(e, "group_header"), nm, why, cap) ||
            cmp_payload_header(ug_expect_get(e, "payload_header"), nm, why, cap) ||
            ug_expect_opt_i64(e, "timestamp", nm->has_timestamp, nm->timestamp,
                              "network_message", why, cap) ||
            ug_expect_opt_int(e, "picoseconds", nm->has_picoseconds, nm->picoseconds,
                              "network_message", why, cap) ||
            cmp_security(ug_expect_get(e, "security_header"), nm, why, cap) ||
            ug_expect_bool(e, "chunk", nm->is_chunk, "network_message", why, cap) ||
            ug_expect_str(e, "network_message_type", nm_type_name(nm->type), "network_message",
                          why, cap))
            return -1;

        const json_t *ep = ug_expect_get(e, "promoted_fields");
        if (nm->n_promoted == 0) {
            if (!json_is_null(ep))
                return ug_expect_fail(why, cap, "promoted_fields", ep, "null");
        } else {
            snprintf(got, sizeof got, "%u promoted fields", nm->n_promoted);
            if (!json_is_array(ep) || json_array_size(ep) != nm->n_promoted)
                return ug_expect_fail(why, cap, "promoted_fields", ep, got);
            for (uint16_t i = 0; i < nm->n_promoted; i++) {
                char pp[64];
                ug_expect_path(pp, sizeof pp, "promoted_fields[%u]", i);
                if (ug_expect_compare_variant(json_array_get(ep, i), &nm->promoted[i], pp, why,
                                              cap))
                    return -1;
            }
        }

        /* Part 14 §7.2.2.3.3: the sizes array is on the wire only with a
         * PayloadHeader and more than one DataSetMessage. */
        const json_t *es = ug_expect_get(e, "dataset_message_sizes");
        bool has_sizes = nm->has_payload_header && nm->n_dsm > 1 && !nm->is_chunk;
        snprintf(got, sizeof got, has_sizes ? "%u sizes" : "null", nm->n_dsm);
        if (has_sizes ? !json_is_array(es) || json_array_size(es) != nm->n_dsm
                      : !json_is_null(es))
            return ug_expect_fail(why, cap, "dataset_message_sizes", es, got);

        const json_t *sig = ug_expect_get(e, "signature_hex");
        ug_bytes sb = nm->has_security && nm->security.signature.len > 0 ? nm->security.signature
                                                                          : UG_NULL_BYTES;
        char *hex = malloc(sb.len > 0 ? 2 * (size_t)sb.len + 1 : 8);
        if (!hex)
            return ug_expect_fail(why, cap, "signature_hex", sig, "(out of memory)");
        ug_expect_hex(sb, hex, sb.len > 0 ? 2 * (size_t)sb.len + 1 : 8);
        int rc = ug_expect_str(e, "signature_hex", sb.len > 0 ? hex : NULL, "network_message",
                               why, cap);
        free(hex);
        if (rc)
            return -1;
    }

    const json_t *dsms = ug_expect_get(e, "dataset_messages");
    snprintf(got, sizeof got, "%u DataSetMessages", nm->n_dsm);
    if (!json_is_array(dsms) || json_array_size(dsms) != nm->n_dsm)
        return ug_expect_fail(why, cap, "dataset_messages", dsms, got);
    for (uint16_t i = 0; i < nm->n_dsm; i++) {
        char dp[64];
        ug_expect_path(dp, sizeof dp, "dataset_messages[%u]", i);
        if (ug_expect_compare_dsm(json_array_get(dsms, i), &nm->dsm[i], content_only, dp, why,
                                  cap))
            return -1;
    }
    return 0;
}
