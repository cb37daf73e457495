/* Round trips across codecs, the gateway's daily transcoding: for every valid
 * tests/vectors/open62541/NAME.uadp, UADP -> model -> JSON (Compact and
 * Verbose, JSON-NetworkMessage layout with every DataSetMessage header field
 * in the mask) -> model -> UADP.
 *
 * What the JSON mapping (Part 14 §7.2.5) carries is compared right after the
 * JSON decode: per DataSetMessage the writer id, message type, sequence
 * number, timestamp, status, configuration version, field count and every
 * field value (DataValue members for DataValue fields), plus PublisherId
 * value and DataSetClassId.
 *
 * What it cannot carry, restored from the original model before re-encoding
 * (in a gateway the reader's and writer's configuration supplies it):
 *  - the PublisherId type (JSON text: the smallest numeric type, json.h);
 *  - the field encoding when no field shows it (a DataValue field with only
 *    a value reads as a Variant field) and RawData padding (MaxStringLength);
 *  - the field index of delta frame fields: JSON names fields; the names
 *    written for UADP fields are their indices, mapped back through a layout
 *    (DataSetMetaData field names), as a reader would;
 *  - whether the DataSetWriterId was in a PayloadHeader (has_payload_header,
 *    has_writer_id) and ConfiguredSize / padding;
 *  - the GroupHeader, the NetworkMessage timestamp and picoseconds, promoted
 *    fields, the DataSetMessage picoseconds and valid bit: not in the JSON
 *    mapping at all;
 *  - ConfigurationVersion major and minor present separately (UADP flags;
 *    JSON MetaDataVersion has both or neither);
 *  - the security header (UADP message security; JSON relies on the broker).
 * Not round-tripped at all, said per vector: an encrypted payload (keys in
 * the expect file) and RawData fields that need DataSetMetaData to decode
 * (the UADP decode without configuration leaves them as raw bytes).
 * DateTimes outside the JSON range clamp to the Part 6 §5.4.2.6 limits, and a
 * NaN loses its sign and payload bits ("NaN", §5.4.2.3): value rules,
 * compared as such, said per vector; the original bits are put back before
 * the byte comparison so that it checks everything else.
 *
 * After the restore the re-encoded UADP must equal the file byte for byte
 * (signed vectors: up to the signature).
 */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "uagate/json.h"
#include "uagate/uadp.h"

#define DATETIME_MAX_TICKS 2650467743990000000LL /* 9999-12-31T23:59:59Z */
#define MAX_LAYOUT_FIELDS 256

static uint8_t arena1_buf[1 << 20], arena2_buf[1 << 20];
static ug_arena arena1, arena2;
static char text[1 << 17];
static uint8_t out[1 << 16];

/* The configuration a JSON reader has: field names per writer (the decimal
 * indices the encoder writes for unnamed UADP fields). */
static ug_dsm_layout layouts[64];
static ug_field_meta layout_fields[64][MAX_LAYOUT_FIELDS];
static char layout_names[MAX_LAYOUT_FIELDS][8];

typedef struct rt_stats {
    int vectors, round_trips, same_bytes, skipped_encrypted, skipped_rawdata, clamped;
} rt_stats;

static void build_layouts(const ug_nm *nm, int32_t *n_layouts)
{
    for (unsigned i = 0; i < MAX_LAYOUT_FIELDS; i++)
        snprintf(layout_names[i], sizeof layout_names[i], "%u", i);
    *n_layouts = 0;
    for (uint16_t d = 0; d < nm->n_dsm && d < 64; d++) {
        const ug_dsm *x = &nm->dsm[d];
        int32_t n = x->field_count;
        for (uint16_t k = 0; k < x->field_count; k++)
            if (x->fields[k].index + 1 > n)
                n = x->fields[k].index + 1;
        CU_ASSERT_FATAL(n <= MAX_LAYOUT_FIELDS);
        for (int32_t k = 0; k < n; k++) {
            memset(&layout_fields[d][k], 0, sizeof layout_fields[d][k]);
            layout_fields[d][k].name =
                (ug_string){(const uint8_t *)layout_names[k], (int32_t)strlen(layout_names[k])};
            layout_fields[d][k].value_rank = -1;
            layout_fields[d][k].n_array_dims = -1;
        }
        layouts[d] = (ug_dsm_layout){x->writer_id, 0, n, layout_fields[d]};
        (*n_layouts)++;
    }
}

/* Part 6 §5.4.2.6: DateTimes before 1601 and from 9999-12-31T23:59:59Z on
 * are written as the limit strings and read back as 0 / INT64_MAX. */
static int64_t clamp_dt(int64_t t)
{
    return t < 0 ? 0 : t >= DATETIME_MAX_TICKS ? INT64_MAX : t;
}

/* Part 6 §5.4.2.3: "NaN" carries no sign or payload bits, so a NaN comes
 * back as the one the decoder makes; every other Float/Double bit stays. */
static bool same_reals(const ug_variant *a, const ug_variant *b)
{
    bool is_array = ug_variant_is_array(a);
    int32_t n = is_array ? a->array_len : 1;
    if (a->array_len != b->array_len || is_array != ug_variant_is_array(b))
        return false;
    for (int32_t i = 0; i < n; i++) {
        double x, y;
        if (a->type == UG_TYPE_FLOAT) {
            x = is_array ? ((const float *)a->u.arr)[i] : a->u.v.f32;
            y = is_array ? ((const float *)b->u.arr)[i] : b->u.v.f32;
        } else {
            x = is_array ? ((const double *)a->u.arr)[i] : a->u.v.f64;
            y = is_array ? ((const double *)b->u.arr)[i] : b->u.v.f64;
        }
        if (!(x == y && signbit(x) == signbit(y)) && !(isnan(x) && isnan(y)))
            return false;
    }
    return true;
}

/* a (UADP) and b (through JSON) hold the same value; *clamped is set when
 * only the DateTime clamp or the NaN rule makes them equal. */
static bool same_variant(const ug_variant *a, const ug_variant *b, bool *clamped)
{
    if (ug_variant_eq(a, b))
        return true;
    if ((a->type == UG_TYPE_DOUBLE || a->type == UG_TYPE_FLOAT) && a->type == b->type &&
        a->ndims == b->ndims) {
        *clamped = true;
        return same_reals(a, b);
    }
    if (a->type != UG_TYPE_DATETIME || b->type != UG_TYPE_DATETIME || a->array_len != b->array_len)
        return false;
    if (!ug_variant_is_array(a)) {
        *clamped = true;
        return clamp_dt(a->u.v.datetime) == b->u.v.datetime;
    }
    const int64_t *x = a->u.arr, *y = b->u.arr;
    for (int32_t i = 0; i < a->array_len; i++)
        if (clamp_dt(x[i]) != y[i])
            return false;
    *clamped = true;
    return true;
}

static bool same_field(const ug_dsm *a, const ug_dsm_field *fa, const ug_dsm_field *fb,
                       bool *clamped)
{
    if (a->type == UG_DSM_DELTAFRAME && fa->index != fb->index)
        return false;
    if (a->field_encoding != UG_FE_DATAVALUE)
        return same_variant(&fa->dv.value, &fb->dv.value, clamped);
    if (ug_datavalue_eq(&fa->dv, &fb->dv))
        return true;
    ug_datavalue x = fb->dv;
    x.value = fa->dv.value;
    return ug_datavalue_eq(&fa->dv, &x) && same_variant(&fa->dv.value, &fb->dv.value, clamped);
}

/* What the JSON mapping carries, a (UADP) against b (JSON). */
static bool same_content(const char *name, const ug_nm *a, const ug_nm *b, bool *clamped)
{
    const ug_publisher_id *pa = &a->publisher_id, *pb = &b->publisher_id;
    bool ok = (pa->type == UG_PUBID_NONE) == (pb->type == UG_PUBID_NONE) &&
              (pa->type == UG_PUBID_STRING ? ug_bytes_eq(pa->str, pb->str)
                                           : pa->type == UG_PUBID_NONE || pa->u64 == pb->u64) &&
              a->has_class_id == b->has_class_id &&
              (!a->has_class_id || memcmp(&a->class_id, &b->class_id, sizeof a->class_id) == 0) &&
              a->n_dsm == b->n_dsm;
    for (uint16_t i = 0; ok && i < a->n_dsm; i++) {
        const ug_dsm *x = &a->dsm[i], *y = &b->dsm[i];
        ok = (!x->has_writer_id || x->writer_id == y->writer_id) && x->type == y->type &&
             x->has_seq == y->has_seq && x->seq == y->seq &&
             x->has_timestamp == y->has_timestamp &&
             (!x->has_timestamp || clamp_dt(x->timestamp) == y->timestamp) &&
             x->has_status == y->has_status && x->status == y->status &&
             (!x->has_cfg_major || x->cfg_major == y->cfg_major) &&
             (!x->has_cfg_minor || x->cfg_minor == y->cfg_minor) &&
             (x->has_cfg_major || x->has_cfg_minor) == (y->has_cfg_major && y->has_cfg_minor) &&
             x->field_count == y->field_count;
        for (uint16_t k = 0; ok && k < x->field_count; k++) {
            ok = same_field(x, &x->fields[k], &y->fields[k], clamped);
            if (!ok)
                fprintf(stderr, "\n%s: DataSetMessage %u field %u differs\n", name, i, k);
        }
        if (x->has_timestamp && clamp_dt(x->timestamp) != x->timestamp)
            *clamped = true;
    }
    if (!ok)
        fprintf(stderr, "\n%s: content differs after JSON\n%s\n", name, text);
    return ok;
}

/* Put back what the configuration, not the JSON text, knows (top comment). */
static void restore(ug_nm *b, const ug_nm *a)
{
    b->version = a->version;
    if (a->publisher_id.type != UG_PUBID_STRING)
        b->publisher_id.type = a->publisher_id.type;
    b->has_group_header = a->has_group_header;
    b->group = a->group;
    b->has_payload_header = a->has_payload_header;
    b->has_timestamp = a->has_timestamp;
    b->timestamp = a->timestamp;
    b->has_picoseconds = a->has_picoseconds;
    b->picoseconds = a->picoseconds;
    b->n_promoted = a->n_promoted;
    b->promoted = a->promoted;
    b->has_security = a->has_security;
    b->security = a->security;
    b->security.signature = UG_NULL_BYTES;
    for (uint16_t i = 0; i < a->n_dsm; i++) {
        const ug_dsm *x = &a->dsm[i];
        ug_dsm *y = &b->dsm[i];
        y->has_writer_id = x->has_writer_id;
        y->valid = x->valid;
        y->field_encoding = x->field_encoding;
        y->has_picoseconds = x->has_picoseconds;
        y->picoseconds = x->picoseconds;
        y->has_cfg_major = x->has_cfg_major;
        y->has_cfg_minor = x->has_cfg_minor;
        y->configured_size = x->configured_size;
        y->padding = x->padding;
        for (uint16_t k = 0; k < x->field_count && k < y->field_count; k++) {
            y->fields[k].raw_padded_to = x->fields[k].raw_padded_to;
            /* A value that matched only by the clamp / NaN rule gets its
             * original bits back, so the bytes check everything else. */
            bool lossy = false;
            if (!ug_variant_eq(&x->fields[k].dv.value, &y->fields[k].dv.value) &&
                same_variant(&x->fields[k].dv.value, &y->fields[k].dv.value, &lossy) && lossy)
                y->fields[k].dv.value = x->fields[k].dv.value;
        }
        if (x->has_timestamp && clamp_dt(x->timestamp) == y->timestamp)
            y->timestamp = x->timestamp;
    }
}

static ug_status decode_uadp(const uint8_t *buf, size_t len, ug_nm *nm)
{
    ug_uadp_decode_opts o = {0};
    ug_uadp_frame fr;
    size_t off = 0;
    o.arena = &arena1;
    ug_arena_reset(&arena1);
    ug_status s = ug_uadp_decode_header(buf, len, nm, &o, &fr, &off);
    if (s == UG_STATUS_GOOD && nm->has_security && (nm->security.flags & UG_SEC_SIGNED)) {
        o.signature_len = 32; /* HMAC-SHA256, both PubSub policies */
        ug_arena_reset(&arena1);
        s = ug_uadp_decode_header(buf, len, nm, &o, &fr, &off);
    }
    if (s == UG_STATUS_GOOD && nm->has_security && (nm->security.flags & UG_SEC_ENCRYPTED))
        return UG_STATUS_BADSECURITYCHECKSFAILED;
    if (s == UG_STATUS_GOOD)
        s = ug_uadp_decode_payload(buf, len, &fr, nm, &o, &off);
    return s;
}

static void round_trip(const char *name, const uint8_t *wire, size_t len, rt_stats *st)
{
    ug_nm a;
    ug_status s = decode_uadp(wire, len, &a);
    if (s == UG_STATUS_BADSECURITYCHECKSFAILED) {
        printf("\n  %s: payload encrypted, not round-tripped (keys in the expect file)", name);
        st->skipped_encrypted++;
        return;
    }
    if (s != UG_STATUS_GOOD) {
        /* spec_deviation vectors that the UADP decoder rejects */
        printf("\n  %s: UADP decode %s, not round-tripped", name, ug_status_name(s));
        return;
    }
    for (uint16_t i = 0; i < a.n_dsm; i++)
        if (a.dsm[i].field_count == 0 && a.dsm[i].raw.len > 0) {
            printf("\n  %s: RawData needs DataSetMetaData, not round-tripped", name);
            st->skipped_rawdata++;
            return;
        }
    st->vectors++;
    int32_t n_layouts;
    build_layouts(&a, &n_layouts);
    bool clamped = false, bytes_ok = true;
    for (int form = 0; form < 2; form++) {
        ug_json_enc_opts eo = ug_json_enc_default;
        eo.form = (uint8_t)form;
        eo.nm_mask = UG_JSON_LAYOUT_NETWORK_MESSAGE | (a.has_class_id ? UG_JSON_NM_DATASET_CLASS_ID : 0);
        eo.dsm_mask = UG_JSON_DSM_WRITER_ID | UG_JSON_DSM_METADATA_VERSION |
                      UG_JSON_DSM_SEQUENCE_NUMBER | UG_JSON_DSM_TIMESTAMP | UG_JSON_DSM_STATUS |
                      UG_JSON_DSM_MESSAGE_TYPE;
        size_t tlen = 0;
        s = ug_json_encode_nm(text, sizeof text - 1, &a, &eo, &tlen);
        if (s != UG_STATUS_GOOD)
            fprintf(stderr, "\n%s: JSON encode (form %d): %s\n", name, form, ug_status_name(s));
        CU_ASSERT_EQUAL_FATAL(s, UG_STATUS_GOOD);
        text[tlen] = 0;

        ug_nm b;
        ug_json_dec_opts dopt = ug_json_dec_default;
        dopt.layouts = layouts;
        dopt.n_layouts = n_layouts;
        size_t off = 0;
        ug_arena_reset(&arena2);
        s = ug_json_decode_nm(text, tlen, &b, &dopt, &arena2, &off);
        if (s != UG_STATUS_GOOD)
            fprintf(stderr, "\n%s: JSON decode: %s at %zu\n%s\n", name, ug_status_name(s), off, text);
        CU_ASSERT_EQUAL_FATAL(s, UG_STATUS_GOOD);
        CU_ASSERT(same_content(name, &a, &b, &clamped));

        restore(&b, &a);
        size_t olen = 0;
        s = ug_uadp_encode(&b, out, sizeof out, &olen);
        if (s != UG_STATUS_GOOD)
            fprintf(stderr, "\n%s: UADP re-encode: %s\n", name, ug_status_name(s));
        CU_ASSERT_EQUAL_FATAL(s, UG_STATUS_GOOD);
        size_t want = a.has_security ? len - (size_t)a.security.signature.len : len;
        bool same = olen == want && memcmp(out, wire, want) == 0;
        if (!same) {
            size_t i = 0;
            while (i < olen && i < want && out[i] == wire[i])
                i++;
            fprintf(stderr, "\n%s: re-encoded UADP differs at byte %zu (%zu vs %zu bytes)\n",
                    name, i, olen, want);
        }
        CU_ASSERT(same);
        bytes_ok = bytes_ok && same;
        st->round_trips++;
    }
    if (bytes_ok)
        st->same_bytes++;
    if (clamped) {
        printf("\n  %s: DateTime clamped to the JSON limits or NaN bits lost (restored to "
               "compare the bytes)", name);
        st->clamped++;
    }
}

static void test_every_vector(void)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/tests/vectors/open62541", ug_test_srcdir());
    DIR *d = opendir(dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    rt_stats st = {0};
    int files = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t l = strlen(e->d_name);
        if (l < 6 || strcmp(e->d_name + l - 5, ".uadp") != 0 || strstr(e->d_name, ".bad."))
            continue;
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        size_t len = 0;
        uint8_t *wire = ug_test_read_file(path, &len);
        CU_ASSERT_PTR_NOT_NULL_FATAL(wire);
        round_trip(e->d_name, wire, len, &st);
        free(wire);
        files++;
    }
    closedir(d);
    printf("\n  %d valid vectors: %d round-tripped (%d JSON round trips, %d byte-identical), "
           "%d encrypted, %d RawData without metadata, %d with clamped DateTimes or NaN\n",
           files, st.vectors, st.round_trips, st.same_bytes, st.skipped_encrypted,
           st.skipped_rawdata, st.clamped);
    CU_ASSERT(files >= 40);
    CU_ASSERT(st.vectors >= 30);
    CU_ASSERT_EQUAL(st.round_trips, 2 * st.vectors);
}

int main(void)
{
    ug_arena_init(&arena1, arena1_buf, sizeof arena1_buf, false);
    ug_arena_init(&arena2, arena2_buf, sizeof arena2_buf, false);
    CU_TestInfo tests[] = {
        {"UADP -> JSON (Compact, Verbose) -> UADP for every open62541 vector", test_every_vector},
        CU_TEST_INFO_NULL,
    };
    return ug_test_main("crosscodec", tests);
}
