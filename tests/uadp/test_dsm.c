/* DataSetMessages (uadp/dsm.c, uadp/rawdata.c): every DataSetFlags1/2
 * combination, each message type (key frame, heartbeat, delta frame, event,
 * keep-alive), the three field encodings, RawData with layouts (scalars,
 * padded strings, arrays, matrices), ConfiguredSize padding, and the error
 * paths: reserved values, bad sizes, count mismatch, trailing bytes. */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "uadp_check.h"
#include "uagate/uadp.h"

/* Fields of every encoding kind: value i of a small mixed set. */
static void make_field(ug_dsm_field *f, unsigned i, uint8_t enc)
{
    *f = (ug_dsm_field){.index = (uint16_t)(i * 3 + 1), .dv.mask = UG_DV_VALUE};
    ug_variant *v = &f->dv.value;
    switch (i % 4) {
    case 0: *v = ug_variant_scalar(UG_TYPE_INT32); v->u.v.int32 = -(int32_t)i; break;
    case 1: *v = ug_variant_scalar(UG_TYPE_DOUBLE); v->u.v.f64 = 0.25 * i; break;
    case 2: *v = ug_variant_scalar(UG_TYPE_BOOLEAN); v->u.v.boolean = true; break;
    default: *v = ug_variant_scalar(UG_TYPE_UINT16); v->u.v.uint16 = (uint16_t)(1000 + i); break;
    }
    if (enc == UG_FE_DATAVALUE && i % 2) {
        f->dv.mask |= UG_DV_STATUS | UG_DV_SOURCE_TIMESTAMP;
        f->dv.status = 0x80000000u;
        f->dv.source_ts = 1234567;
    }
}

static const ug_field_meta raw_meta[4] = {
    {.builtin_type = UG_TYPE_INT32, .value_rank = -1, .n_array_dims = -1},
    {.builtin_type = UG_TYPE_DOUBLE, .value_rank = -1, .n_array_dims = -1},
    {.builtin_type = UG_TYPE_BOOLEAN, .value_rank = -1, .n_array_dims = -1},
    {.builtin_type = UG_TYPE_UINT16, .value_rank = -1, .n_array_dims = -1},
};

static void test_dsm_flag_combinations(void)
{
    static ug_dsm_field fields[2][4];
    int bad = 0, tried = 0;
    /* bits: valid, seq, status, major, minor, ts, ps; enc 0..2; type 0..3; fields 0/4; padding */
    for (unsigned bits = 0; bits < 128; bits++)
        for (uint8_t enc = 0; enc < 3; enc++)
            for (uint8_t type = 0; type < 4; type++)
                for (unsigned nf = 0; nf <= 4; nf += 4)
                    for (unsigned pad = 0; pad < 2; pad++) {
                        ug_dsm d[2];
                        bool legal = !(enc == UG_FE_RAWDATA && type != UG_DSM_KEYFRAME) &&
                                     !(type == UG_DSM_EVENT && enc != UG_FE_VARIANT);
                        for (int k = 0; k < 2; k++) {
                            ug_dsm_init(&d[k]);
                            d[k].writer_id = (uint16_t)(10 + k);
                            d[k].valid = bits & 1;
                            d[k].has_seq = bits & 2;
                            d[k].has_status = bits & 4;
                            d[k].has_cfg_major = bits & 8;
                            d[k].has_cfg_minor = bits & 16;
                            d[k].has_timestamp = bits & 32;
                            d[k].has_picoseconds = bits & 64;
                            d[k].seq = 0xBEEF;
                            d[k].status = 0x8001;
                            d[k].cfg_major = 0x11223344;
                            d[k].cfg_minor = 0x55667788;
                            d[k].timestamp = -5;
                            d[k].picoseconds = 65535;
                            d[k].field_encoding = enc;
                            d[k].type = type;
                            d[k].field_count = type == UG_DSM_KEEPALIVE ? 0 : (uint16_t)nf;
                            for (unsigned i = 0; i < nf; i++)
                                make_field(&fields[k][i], i, enc);
                            d[k].fields = fields[k];
                            d[k].configured_size = pad ? 160 : 0;
                        }
                        ug_nm nm;
                        ug_nm_init(&nm);
                        nm.publisher_id.type = UG_PUBID_UINT16;
                        nm.publisher_id.u64 = 7;
                        nm.has_payload_header = true;
                        nm.dsm = d;
                        nm.n_dsm = (bits + type) % 2 ? 2 : 1;
                        uint8_t buf[1024];
                        size_t n;
                        if (!legal) {
                            bad += ug_uadp_encode(&nm, buf, sizeof buf, &n) != UG_STATUS_BADINVALIDARGUMENT;
                            continue;
                        }
                        ug_dsm_layout l[2] = {{10, (uint16_t)(pad ? 160 : 0), (int32_t)nf, raw_meta},
                                              {11, (uint16_t)(pad ? 160 : 0), (int32_t)nf, raw_meta}};
                        ug_uadp_decode_opts o = {.layouts = l, .n_layouts = 2};
                        char what[80];
                        snprintf(what, sizeof what, "bits %u enc %u type %u nf %u pad %u", bits, enc,
                                 type, nf, pad);
                        bad += check_roundtrip(&nm, &o, what);
                        if (tried++ % 97 == 0) {
                            CU_ASSERT_EQUAL_FATAL(ug_uadp_encode(&nm, buf, sizeof buf, &n), UG_STATUS_GOOD);
                            bad += check_truncations(buf, n, &o, what);
                        }
                        if (bad > 20)
                            goto out;
                    }
out:
    CU_ASSERT_EQUAL(bad, 0);
}

/* Decode hand-written bytes; check status and error offset. */
static ug_status decode_bytes(const uint8_t *b, size_t len, const ug_uadp_decode_opts *o_in,
                              ug_nm *nm, size_t *err)
{
    static ug_arena a;
    check_arena(&a);
    ug_uadp_decode_opts o = o_in ? *o_in : (ug_uadp_decode_opts){0};
    o.arena = &a;
    uint8_t *g = ug_test_guard(b, len);
    ug_status s = ug_uadp_decode(g, len, nm, &o, err);
    /* views into g die with it; the tests below only look at scalars */
    check_guard_free(g, len);
    return s;
}

static void test_heartbeat(void)
{
    ug_dsm d;
    ug_dsm_init(&d);
    d.has_seq = true;
    d.seq = 5;
    ug_nm nm;
    ug_nm_init(&nm);
    nm.dsm = &d;
    nm.n_dsm = 1;
    uint8_t buf[64];
    size_t n;
    CU_ASSERT_EQUAL_FATAL(ug_uadp_encode(&nm, buf, sizeof buf, &n), UG_STATUS_GOOD);
    /* UADPFlags, DataSetFlags1 (valid|seq), seq: no FieldCount. */
    static const uint8_t want[] = {0x01, 0x09, 0x05, 0x00};
    CU_ASSERT_EQUAL(n, sizeof want);
    CU_ASSERT_EQUAL(memcmp(buf, want, sizeof want), 0);
    ug_nm out;
    size_t err;
    CU_ASSERT_EQUAL(decode_bytes(buf, n, NULL, &out, &err), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(out.n_dsm, 1);
    CU_ASSERT_EQUAL(out.dsm[0].field_count, 0);
    CU_ASSERT_EQUAL(out.dsm[0].type, UG_DSM_KEYFRAME);
    CU_ASSERT_EQUAL(check_roundtrip(&nm, NULL, "heartbeat"), 0);
    d.field_encoding = UG_FE_DATAVALUE;
    CU_ASSERT_EQUAL(check_roundtrip(&nm, NULL, "heartbeat dv"), 0);
    /* A key frame with FieldCount 0 written by someone else still decodes. */
    static const uint8_t zero_count[] = {0x01, 0x01, 0x00, 0x00};
    CU_ASSERT_EQUAL(decode_bytes(zero_count, sizeof zero_count, NULL, &out, &err), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(out.dsm[0].field_count, 0);
}

static void test_message_types_bytes(void)
{
    /* Delta frame: FieldCount 2, (index 3, Int32 7), (index 9, Boolean true). */
    static const uint8_t delta[] = {0x01, 0x81, 0x01, 0x02, 0x00, 0x03, 0x00, 0x06, 7, 0, 0, 0,
                                    0x09, 0x00, 0x01, 0x01};
    ug_nm nm;
    size_t err;
    CU_ASSERT_EQUAL_FATAL(decode_bytes(delta, sizeof delta, NULL, &nm, &err), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(nm.dsm[0].type, UG_DSM_DELTAFRAME);
    CU_ASSERT_EQUAL(nm.dsm[0].field_count, 2);
    CU_ASSERT_EQUAL(nm.dsm[0].fields[0].index, 3);
    CU_ASSERT_EQUAL(nm.dsm[0].fields[0].dv.value.u.v.int32, 7);
    CU_ASSERT_EQUAL(nm.dsm[0].fields[1].index, 9);
    CU_ASSERT_TRUE(nm.dsm[0].fields[1].dv.value.u.v.boolean);
    /* Keep-alive: header only. */
    static const uint8_t ka[] = {0x01, 0x89, 0x03, 0x34, 0x12};
    CU_ASSERT_EQUAL_FATAL(decode_bytes(ka, sizeof ka, NULL, &nm, &err), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(nm.dsm[0].type, UG_DSM_KEEPALIVE);
    CU_ASSERT_EQUAL(nm.dsm[0].seq, 0x1234);
    /* Event: FieldCount 1, String "ab". */
    static const uint8_t ev[] = {0x01, 0x81, 0x02, 0x01, 0x00, 0x0C, 2, 0, 0, 0, 'a', 'b'};
    CU_ASSERT_EQUAL_FATAL(decode_bytes(ev, sizeof ev, NULL, &nm, &err), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(nm.dsm[0].type, UG_DSM_EVENT);
    CU_ASSERT_EQUAL(nm.dsm[0].fields[0].dv.value.u.v.string.len, 2);
}

/* RawData with every supported shape. */
static const uint32_t dims3[] = {3}, dims22[] = {2, 2};
static const ug_field_meta rmeta[] = {
    {.builtin_type = UG_TYPE_BOOLEAN, .value_rank = -1},
    {.builtin_type = UG_TYPE_SBYTE, .value_rank = -1},
    {.builtin_type = UG_TYPE_INT64, .value_rank = -1},
    {.builtin_type = UG_TYPE_FLOAT, .value_rank = -1},
    {.builtin_type = UG_TYPE_DATETIME, .value_rank = -1},
    {.builtin_type = UG_TYPE_GUID, .value_rank = -1},
    {.builtin_type = UG_TYPE_STATUSCODE, .value_rank = -1},
    {.builtin_type = UG_TYPE_STRING, .value_rank = -1, .max_string_len = 10},
    {.builtin_type = UG_TYPE_STRING, .value_rank = -1},
    {.builtin_type = UG_TYPE_BYTESTRING, .value_rank = -1, .max_string_len = 4},
    {.builtin_type = UG_TYPE_UINT32, .value_rank = 1, .n_array_dims = 1, .array_dims = dims3},
    {.builtin_type = UG_TYPE_INT16, .value_rank = 2, .n_array_dims = 2, .array_dims = dims22},
    {.builtin_type = UG_TYPE_STRING, .value_rank = 1},
};
#define N_RMETA (sizeof rmeta / sizeof rmeta[0])

static void raw_fields(ug_dsm_field *f)
{
    static const uint32_t u32s[3] = {1, 2, 3};
    static const int16_t i16s[4] = {11, 12, 21, 22};
    static const int32_t d22[2] = {2, 2};
    static ug_string strs[2];
    strs[0] = ug_string_from("x");
    strs[1] = ug_string_from("yz");
    for (unsigned i = 0; i < N_RMETA; i++) {
        f[i] = (ug_dsm_field){.index = (uint16_t)i, .dv.mask = UG_DV_VALUE};
        f[i].dv.value = ug_variant_scalar(rmeta[i].builtin_type);
    }
    ug_scalar *v;
    v = &f[0].dv.value.u.v; v->boolean = true;
    v = &f[1].dv.value.u.v; v->sbyte = -3;
    v = &f[2].dv.value.u.v; v->int64 = INT64_MIN;
    v = &f[3].dv.value.u.v; v->f32 = 1.5f;
    v = &f[4].dv.value.u.v; v->datetime = 132000000000000000LL;
    v = &f[5].dv.value.u.v; v->guid = (ug_guid){1, 2, 3, {4, 5, 6, 7, 8, 9, 10, 11}};
    v = &f[6].dv.value.u.v; v->status = 0x80340000u;
    v = &f[7].dv.value.u.v; v->string = ug_string_from("abc");
    f[7].raw_padded_to = 10;
    v = &f[8].dv.value.u.v; v->string = ug_string_from("free length");
    v = &f[9].dv.value.u.v; v->string = UG_NULL_BYTES;
    f[9].raw_padded_to = 4;
    f[10].dv.value.array_len = 3;
    f[10].dv.value.u.arr = u32s;
    f[11].dv.value.array_len = 4;
    f[11].dv.value.ndims = 2;
    f[11].dv.value.dims = d22;
    f[11].dv.value.u.arr = i16s;
    f[12].dv.value.array_len = 2;
    f[12].dv.value.u.arr = strs;
}

static void test_rawdata_layouts(void)
{
    static ug_dsm_field f[N_RMETA];
    raw_fields(f);
    ug_dsm d;
    ug_dsm_init(&d);
    d.writer_id = 77;
    d.field_encoding = UG_FE_RAWDATA;
    d.fields = f;
    d.field_count = N_RMETA;
    ug_nm nm;
    ug_nm_init(&nm);
    nm.has_payload_header = true;
    nm.dsm = &d;
    nm.n_dsm = 1;
    ug_dsm_layout l = {77, 0, N_RMETA, rmeta};
    ug_uadp_decode_opts o = {.layouts = &l, .n_layouts = 1};
    CU_ASSERT_EQUAL(check_roundtrip(&nm, &o, "rawdata"), 0);
    /* Matrix bytes per Part 6 §5.2.5: Int32 count of dims, dims, elements. */
    uint8_t buf[512];
    size_t n;
    CU_ASSERT_EQUAL_FATAL(ug_uadp_encode(&nm, buf, sizeof buf, &n), UG_STATUS_GOOD);
    static const uint8_t mat[] = {2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 11, 0, 12, 0, 21, 0, 22, 0};
    CU_ASSERT_PTR_NOT_NULL(memmem(buf, n, mat, sizeof mat));
    /* Padded string: length 3, "abc", 7 zeros. */
    static const uint8_t pstr[] = {3, 0, 0, 0, 'a', 'b', 'c', 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0};
    CU_ASSERT_PTR_NOT_NULL(memmem(buf, n, pstr, 14));
    CU_ASSERT_EQUAL(check_truncations(buf, n, &o, "rawdata"), 0);
    /* The same layout matched by position, without PayloadHeader. */
    nm.has_payload_header = false;
    CU_ASSERT_EQUAL(check_roundtrip(&nm, &o, "rawdata by position"), 0);

    /* Without a layout: not an error, the fields stay a view. */
    nm.has_payload_header = true;
    CU_ASSERT_EQUAL_FATAL(ug_uadp_encode(&nm, buf, sizeof buf, &n), UG_STATUS_GOOD);
    ug_nm out;
    size_t err;
    CU_ASSERT_EQUAL(decode_bytes(buf, n, NULL, &out, &err), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(out.dsm[0].field_count, 0);
    CU_ASSERT_EQUAL((size_t)out.dsm[0].raw.len, n - 5); /* flags, count, id, DataSetFlags1 */

    /* A string longer than MaxStringLength cannot be encoded padded. */
    f[7].dv.value.u.v.string = ug_string_from("much too long");
    CU_ASSERT_EQUAL(ug_uadp_encode(&nm, buf, sizeof buf, &n), UG_STATUS_BADENCODINGLIMITSEXCEEDED);
    /* A matrix whose dims do not multiply to its length. */
    raw_fields(f);
    f[11].dv.value.array_len = 3;
    CU_ASSERT_EQUAL(ug_uadp_encode(&nm, buf, sizeof buf, &n), UG_STATUS_BADINVALIDARGUMENT);
}

static void test_rawdata_bytes(void)
{
    /* 1-D array padded to ArrayDimensions [3]: length 1 + 1 element + 2 zero elements. */
    static const ug_field_meta m[] = {
        {.builtin_type = UG_TYPE_UINT32, .value_rank = 1, .n_array_dims = 1, .array_dims = dims3},
        {.builtin_type = UG_TYPE_BYTE, .value_rank = -1},
    };
    ug_dsm_layout l = {0, 0, 2, m};
    ug_uadp_decode_opts o = {.layouts = &l, .n_layouts = 1};
    static const uint8_t padded[] = {0x01, 0x03, 1, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x2A};
    ug_nm nm;
    size_t err;
    CU_ASSERT_EQUAL_FATAL(decode_bytes(padded, sizeof padded, &o, &nm, &err), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(nm.dsm[0].fields[0].dv.value.array_len, 1);
    CU_ASSERT_EQUAL(nm.dsm[0].fields[1].dv.value.u.v.byte, 0x2A);
    /* ... and re-encodes with the same padding (raw_padded_to elements). */
    CU_ASSERT_EQUAL(nm.dsm[0].fields[0].raw_padded_to, 3);
    uint8_t again[64];
    size_t again_len = 0;
    CU_ASSERT_EQUAL(ug_uadp_encode(&nm, again, sizeof again, &again_len), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(again_len, sizeof padded);
    CU_ASSERT(again_len == sizeof padded && memcmp(again, padded, sizeof padded) == 0);

    static const struct {
        const char *what;
        ug_field_meta m;
        uint8_t len;
        uint8_t b[24];
        ug_status s;
        size_t off;
    } cases[] = {
        {"string over MaxStringLength", {.builtin_type = UG_TYPE_STRING, .value_rank = -1, .max_string_len = 2},
         9, {0x01, 0x03, 3, 0, 0, 0, 'a', 'b', 'c'}, UG_STATUS_BADDECODINGERROR, 9},
        {"matrix ndims != ValueRank", {.builtin_type = UG_TYPE_BYTE, .value_rank = 2},
         14, {0x01, 0x03, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0}, UG_STATUS_BADDECODINGERROR, 2},
        {"matrix negative dim", {.builtin_type = UG_TYPE_BYTE, .value_rank = 2},
         14, {0x01, 0x03, 2, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 1, 0, 0, 0}, UG_STATUS_BADDECODINGERROR, 6},
        {"matrix past the end", {.builtin_type = UG_TYPE_BYTE, .value_rank = 2},
         15, {0x01, 0x03, 2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 1}, UG_STATUS_BADDECODINGERROR, 14},
        {"array length < -1", {.builtin_type = UG_TYPE_BYTE, .value_rank = 1},
         6, {0x01, 0x03, 0xFE, 0xFF, 0xFF, 0xFF}, 0, 0},
        {"abstract type", {.builtin_type = UG_TYPE_VARIANT, .value_rank = -1},
         3, {0x01, 0x03, 0}, UG_STATUS_BADCONFIGURATIONERROR, 2},
        {"ValueRank Any", {.builtin_type = UG_TYPE_BYTE, .value_rank = -2},
         3, {0x01, 0x03, 0}, UG_STATUS_BADCONFIGURATIONERROR, 2},
        {"trailing garbage", {.builtin_type = UG_TYPE_BYTE, .value_rank = -1},
         5, {0x01, 0x03, 7, 0, 1}, UG_STATUS_BADDECODINGERROR, 4},
        {"string padding not zero", {.builtin_type = UG_TYPE_STRING, .value_rank = -1, .max_string_len = 4},
         11, {0x01, 0x03, 1, 0, 0, 0, 'a', 0, 5, 0, 0}, UG_STATUS_BADDECODINGERROR, 8},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ug_dsm_layout li = {0, 0, 1, &cases[i].m};
        ug_uadp_decode_opts oi = {.layouts = &li, .n_layouts = 1};
        ug_status s = decode_bytes(cases[i].b, cases[i].len, &oi, &nm, &err);
        bool ok = cases[i].s ? (s == cases[i].s && err == cases[i].off) : ug_is_bad(s);
        if (!ok)
            fprintf(stderr, "%s: %s at %zu\n", cases[i].what, ug_status_name(s), err);
        CU_ASSERT_TRUE(ok);
    }
}

static void test_padding(void)
{
    /* ConfiguredSize 16 on a RawData DSM of 1 + 4 bytes: 11 zeros. */
    ug_dsm_field f = {.dv.mask = UG_DV_VALUE};
    f.dv.value = ug_variant_scalar(UG_TYPE_INT32);
    f.dv.value.u.v.int32 = 99;
    ug_dsm d[2];
    for (int k = 0; k < 2; k++) {
        ug_dsm_init(&d[k]);
        d[k].writer_id = (uint16_t)(k + 1);
        d[k].field_encoding = UG_FE_RAWDATA;
        d[k].fields = &f;
        d[k].field_count = 1;
        d[k].configured_size = 16;
    }
    ug_nm nm;
    ug_nm_init(&nm);
    nm.dsm = d;
    nm.n_dsm = 2;
    static const ug_field_meta m = {.builtin_type = UG_TYPE_INT32, .value_rank = -1};
    ug_dsm_layout l[2] = {{1, 16, 1, &m}, {2, 16, 1, &m}};
    ug_uadp_decode_opts o = {.layouts = l, .n_layouts = 2};
    uint8_t buf[128];
    size_t n, err;
    /* by position, sizes from the layouts' ConfiguredSize */
    CU_ASSERT_EQUAL(check_roundtrip(&nm, &o, "padding by position"), 0);
    CU_ASSERT_EQUAL_FATAL(ug_uadp_encode(&nm, buf, sizeof buf, &n), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(n, 1 + 32);
    ug_nm out;
    CU_ASSERT_EQUAL_FATAL(decode_bytes(buf, n, &o, &out, &err), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(out.n_dsm, 2);
    CU_ASSERT_EQUAL(out.dsm[0].padding, 11);
    CU_ASSERT_EQUAL(out.dsm[1].padding, 11);
    /* with PayloadHeader: sizes array */
    nm.has_payload_header = true;
    CU_ASSERT_EQUAL(check_roundtrip(&nm, &o, "padding with sizes"), 0);
    CU_ASSERT_EQUAL_FATAL(ug_uadp_encode(&nm, buf, sizeof buf, &n), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(decode_bytes(buf, n, &o, &out, &err), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(out.dsm[1].padding, 11);
    /* a non-zero byte in the padding is not padding */
    buf[n - 3] = 1;
    CU_ASSERT_EQUAL(decode_bytes(buf, n, &o, &out, &err), UG_STATUS_BADDECODINGERROR);
    CU_ASSERT_EQUAL(err, n - 3);
    /* Variant encoding, single DSM to the end of the payload */
    nm.n_dsm = 1;
    nm.has_payload_header = false;
    d[0].field_encoding = UG_FE_VARIANT;
    CU_ASSERT_EQUAL_FATAL(ug_uadp_encode(&nm, buf, sizeof buf, &n), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(decode_bytes(buf, n, NULL, &out, &err), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(out.dsm[0].padding, 16 - 1 - 2 - 5);
}

/* Zeros after the fields are padding only up to what a UInt16 ConfiguredSize
 * can make: a DataSetMessage of 65535 bytes decodes, one byte more does not
 * (it used to decode with padding and configured_size clamped to 65535, a
 * model that re-encoded to other bytes). */
static void test_padding_over_uint16(void)
{
    enum { HDR = 1 + 1 + 2 + 2, MAX_DSM = 65535 };
    static uint8_t msg[1 + MAX_DSM + 1];
    static const uint8_t head[HDR] = {
        0x01,       /* UADPVersion 1, no header parts */
        0x01,       /* DataSetFlags1: valid, Variant fields */
        0x01, 0x00, /* FieldCount 1 */
        0x03, 0x07, /* Variant Byte 7 */
    };
    memcpy(msg, head, sizeof head);
    ug_nm out;
    size_t err = 0;
    CU_ASSERT_EQUAL_FATAL(decode_bytes(msg, 1 + MAX_DSM, NULL, &out, &err), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(out.dsm[0].padding, MAX_DSM - (HDR - 1));
    CU_ASSERT_EQUAL(out.dsm[0].configured_size, MAX_DSM);
    size_t n = 0;
    CU_ASSERT_EQUAL(ug_uadp_encode(&out, NULL, 0, &n), UG_STATUS_BADENCODINGLIMITSEXCEEDED);
    CU_ASSERT_EQUAL(n, 1 + MAX_DSM);
    CU_ASSERT_EQUAL(decode_bytes(msg, sizeof msg, NULL, &out, &err), UG_STATUS_BADDECODINGERROR);
    CU_ASSERT_EQUAL(err, 1 + MAX_DSM);
}

/* Malformed DataSet payloads. */
static const struct bad {
    const char *what;
    uint8_t len;
    uint8_t b[32];
    ug_status s;
    size_t off;
} bad_payloads[] = {
    {"field encoding 3", 4, {0x01, 0x07, 0x00, 0x00}, UG_STATUS_BADDECODINGERROR, 1},
    {"field encoding 3 with flags2", 5, {0x01, 0x87, 0x00, 0x00, 0x00}, UG_STATUS_BADDECODINGERROR, 1},
    {"dsm type 4", 5, {0x01, 0x81, 0x04, 0x00, 0x00}, UG_STATUS_BADDECODINGERROR, 2},
    {"dsm type 15", 5, {0x01, 0x81, 0x0F, 0x00, 0x00}, UG_STATUS_BADDECODINGERROR, 2},
    {"flags2 reserved bit 6", 5, {0x01, 0x81, 0x40, 0x00, 0x00}, UG_STATUS_BADDECODINGERROR, 2},
    {"rawdata delta frame", 5, {0x01, 0x83, 0x01, 0x00, 0x00}, UG_STATUS_BADDECODINGERROR, 2},
    {"datavalue event", 5, {0x01, 0x85, 0x02, 0x00, 0x00}, UG_STATUS_BADDECODINGERROR, 2},
    {"field count beyond data", 8, {0x01, 0x01, 0xFF, 0xFF, 0x06, 1, 0, 0}, UG_STATUS_BADDECODINGERROR, 4},
    {"truncated field", 7, {0x01, 0x01, 0x01, 0x00, 0x06, 1, 0}, UG_STATUS_BADDECODINGERROR, 5},
    {"variant array length -2", 10, {0x01, 0x01, 0x01, 0x00, 0x86, 0xFE, 0xFF, 0xFF, 0xFF, 0}, 0, 0},
    {"trailing garbage after fields", 9, {0x01, 0x01, 0x01, 0x00, 0x03, 0x07, 0x00, 0x05, 0x00},
     UG_STATUS_BADDECODINGERROR, 7},
    {"size 0", 12, {0x41, 0x02, 1, 0, 2, 0, 0x00, 0x00, 0x02, 0x00, 0x09, 0x00}, UG_STATUS_BADDECODINGERROR, 6},
    {"size past the end", 12, {0x41, 0x02, 1, 0, 2, 0, 0x01, 0x00, 0x09, 0x00, 0x01, 0x00},
     UG_STATUS_BADDECODINGERROR, 8},
    {"count mismatch: 3 ids, 2 messages", 16,
     {0x41, 0x03, 1, 0, 2, 0, 3, 0, 1, 0, 1, 0, 1, 0, 0x01, 0x01}, UG_STATUS_BADDECODINGERROR, 12},
    {"sizes leave bytes over", 13, {0x41, 0x02, 1, 0, 2, 0, 0x01, 0x00, 0x01, 0x00, 0x01, 0x01, 0x01},
     UG_STATUS_BADDECODINGERROR, 12},
    {"sizes array cut", 7, {0x41, 0x02, 1, 0, 2, 0, 0x01}, UG_STATUS_BADDECODINGERROR, 6},
    {"dsm inside size is truncated", 13, {0x41, 0x02, 1, 0, 2, 0, 0x02, 0x00, 0x01, 0x00, 0x09, 0x05, 0x01},
     UG_STATUS_BADDECODINGERROR, 11},
};

static void test_bad_payloads(void)
{
    for (size_t i = 0; i < sizeof bad_payloads / sizeof bad_payloads[0]; i++) {
        const struct bad *b = &bad_payloads[i];
        ug_nm nm;
        size_t err = 999;
        ug_status s = decode_bytes(b->b, b->len, NULL, &nm, &err);
        bool ok = b->s ? (s == b->s && err == b->off) : ug_is_bad(s);
        if (!ok)
            fprintf(stderr, "%s: %s at %zu\n", b->what, ug_status_name(s), err);
        CU_ASSERT_TRUE(ok);
    }
}

static void test_limits_and_arena(void)
{
    /* Three DataSetMessages, max_dsm 2. */
    static const uint8_t three[] = {0x41, 3, 1, 0, 2, 0, 3, 0, 1, 0, 1, 0, 1, 0, 0x00, 0x00, 0x00};
    ug_nm nm;
    size_t err;
    ug_uadp_decode_opts o = {.max_dsm = 2};
    CU_ASSERT_EQUAL(decode_bytes(three, sizeof three, &o, &nm, &err), UG_STATUS_BADENCODINGLIMITSEXCEEDED);
    CU_ASSERT_EQUAL(decode_bytes(three, sizeof three, NULL, &nm, &err), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(nm.n_dsm, 3);
    CU_ASSERT_EQUAL(nm.dsm[2].writer_id, 3);
    /* No arena: BadOutOfMemory, and none taken from the heap. */
    CU_ASSERT_EQUAL(ug_uadp_decode(three, sizeof three, &nm, NULL, &err), UG_STATUS_BADOUTOFMEMORY);
    /* A small arena runs out cleanly. */
    _Alignas(8) uint8_t small[64];
    ug_arena a;
    ug_arena_init(&a, small, sizeof small, false);
    o = (ug_uadp_decode_opts){.arena = &a};
    CU_ASSERT_EQUAL(ug_uadp_decode(three, sizeof three, &nm, &o, &err), UG_STATUS_BADOUTOFMEMORY);
    CU_ASSERT_EQUAL(a.heap_allocs, 0);
}

/* UADP carries no names: every decoded field name and writer name is null,
 * whatever the arena held before (the JSON encoder reads them). */
static void test_names_null(void)
{
    /* PayloadHeader, 2 DataSetMessages (sizes 4 and 8): a key frame with one
     * Byte field, a key frame with one Int32 field and one Boolean. */
    static const uint8_t two[] = {0x41, 2, 1, 0, 2, 0, 5, 0, 10, 0,
                                  0x01, 1, 0, 0x03, 7,
                                  0x01, 2, 0, 0x06, 1, 0, 0, 0, 0x01, 1};
    _Alignas(8) uint8_t mem[4096];
    memset(mem, 0xA5, sizeof mem); /* garbage a missing store would show */
    ug_arena a;
    ug_arena_init(&a, mem, sizeof mem, false);
    ug_uadp_decode_opts o = {.arena = &a};
    ug_nm nm;
    size_t err;
    CU_ASSERT_EQUAL_FATAL(ug_uadp_decode(two, sizeof two, &nm, &o, &err), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(nm.n_dsm, 2);
    for (unsigned i = 0; i < nm.n_dsm; i++) {
        CU_ASSERT_EQUAL(nm.dsm[i].writer_name.len, -1);
        for (unsigned k = 0; k < nm.dsm[i].field_count; k++)
            CU_ASSERT_EQUAL(nm.dsm[i].fields[k].name.len, -1);
    }
    CU_ASSERT_EQUAL(nm.dsm[1].field_count, 2);
    CU_ASSERT_EQUAL(nm.dsm[1].fields[0].dv.value.u.v.int32, 1);
}

static CU_TestInfo tests[] = {
    {"decoded names are null", test_names_null},
    {"every DataSetMessage flag combination", test_dsm_flag_combinations},
    {"heartbeat key frames", test_heartbeat},
    {"delta frame, keep-alive, event bytes", test_message_types_bytes},
    {"RawData with layouts", test_rawdata_layouts},
    {"RawData byte layouts and errors", test_rawdata_bytes},
    {"ConfiguredSize padding", test_padding},
    {"padding beyond a UInt16 ConfiguredSize", test_padding_over_uint16},
    {"malformed payloads", test_bad_payloads},
    {"limits and arena", test_limits_and_arena},
    CU_TEST_INFO_NULL,
};

int main(void) { return ug_test_main("uadp/dsm", tests); }
