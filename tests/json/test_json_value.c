/* Built-in types in JSON (json/jval.c, jval_dec.c, jwr.c): every type in the
 * Compact and Verbose forms against strings written by hand from Part 6
 * §5.4.2 (1.05), the 1.04 forms (Annex H) on decode, and the number and
 * DateTime rules. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "uagate/json.h"

static uint8_t arena_buf[1 << 16];
static ug_arena arena;

static ug_json_enc_opts form(int f)
{
    ug_json_enc_opts o = ug_json_enc_default;
    o.form = (uint8_t)f;
    return o;
}

/* Encodes `in`, compares with `want`, decodes it back and compares values. */
static void check_value(unsigned type, const void *in, int f, const char *want)
{
    char buf[512];
    size_t len = 0, need = 0;
    ug_json_enc_opts o = form(f);
    CU_ASSERT_EQUAL_FATAL(ug_json_encode_value(NULL, 0, type, in, &o, &need),
                          UG_STATUS_BADENCODINGLIMITSEXCEEDED);
    ug_status st = ug_json_encode_value(buf, sizeof buf, type, in, &o, &len);
    CU_ASSERT_EQUAL(st, UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(len, need);
    if (len != strlen(want) || memcmp(buf, want, len) != 0) {
        fprintf(stderr, "\n  type %u form %d: got %.*s want %s\n", type, f, (int)len, buf, want);
        CU_FAIL("encoded text differs");
        return;
    }
    /* One byte short: the exact size is still reported. */
    if (len > 0) {
        size_t l2 = 0;
        CU_ASSERT_EQUAL(ug_json_encode_value(buf, len - 1, type, in, &o, &l2),
                        UG_STATUS_BADENCODINGLIMITSEXCEEDED);
        CU_ASSERT_EQUAL(l2, len);
    }
    uint8_t out[256];
    ug_arena_reset(&arena);
    uint8_t *g = ug_test_guard(want, strlen(want));
    size_t off = 99;
    st = ug_json_decode_value(g, strlen(want), type, out, NULL, &arena, &off);
    CU_ASSERT_EQUAL(st, UG_STATUS_GOOD);
    if (st == UG_STATUS_GOOD && !ug_element_eq(type, in, out)) {
        fprintf(stderr, "\n  type %u: %s does not decode to the input\n", type, want);
        CU_FAIL("round trip differs");
    }
    ug_test_guard_free(g); /* decoded strings are views into it */
}

static void test_scalars(void)
{
    bool t = true, fa = false;
    int8_t sb = -128;
    uint8_t by = 255;
    int16_t i16 = -32768;
    uint16_t u16 = 65535;
    int32_t i32 = -2147483647 - 1;
    uint32_t u32 = 4294967295u;
    int64_t i64 = INT64_MIN;
    uint64_t u64 = UINT64_MAX;
    for (int f = 0; f < 2; f++) {
        check_value(UG_TYPE_BOOLEAN, &t, f, "true");
        check_value(UG_TYPE_BOOLEAN, &fa, f, "false");
        check_value(UG_TYPE_SBYTE, &sb, f, "-128");
        check_value(UG_TYPE_BYTE, &by, f, "255");
        check_value(UG_TYPE_INT16, &i16, f, "-32768");
        check_value(UG_TYPE_UINT16, &u16, f, "65535");
        check_value(UG_TYPE_INT32, &i32, f, "-2147483648");
        check_value(UG_TYPE_UINT32, &u32, f, "4294967295");
        /* Part 6 §5.4.2.3: Int64/UInt64 are JSON strings. */
        check_value(UG_TYPE_INT64, &i64, f, "\"-9223372036854775808\"");
        check_value(UG_TYPE_UINT64, &u64, f, "\"18446744073709551615\"");
    }
}

static void test_floats(void)
{
    static const struct {
        double v;
        const char *want;
    } d[] = {
        {0.1, "0.1"},
        {1.0, "1"},
        {-2.5, "-2.5"},
        {3.141592653589793, "3.141592653589793"},
        {1e21, "1e+21"},
        {-1e308, "-1e+308"},
        {5e-324, "5e-324"},
        {1.7976931348623157e308, "1.7976931348623157e+308"},
        {123456.789, "123456.789"},
        {1e-7, "1e-07"},
        {0.000123, "0.000123"},
        {-0.0, "-0.0"},
        {0.0, "0"},
    };
    for (size_t i = 0; i < sizeof d / sizeof d[0]; i++)
        check_value(UG_TYPE_DOUBLE, &d[i].v, UG_JSON_COMPACT, d[i].want);
    static const struct {
        float v;
        const char *want;
    } fl[] = {
        {0.1f, "0.1"}, {16777216.0f, "16777216"}, {3.4028235e38f, "3.4028235e+38"},
        {1.5f, "1.5"}, {-0.0f, "-0.0"},         {1e-45f, "1e-45"},
    };
    for (size_t i = 0; i < sizeof fl / sizeof fl[0]; i++)
        check_value(UG_TYPE_FLOAT, &fl[i].v, UG_JSON_VERBOSE, fl[i].want);

    /* Part 6 §5.4.2.3: the specials are strings; -0.0 keeps its sign. */
    double inf = INFINITY, ninf = -INFINITY;
    check_value(UG_TYPE_DOUBLE, &inf, 0, "\"Infinity\"");
    check_value(UG_TYPE_DOUBLE, &ninf, 0, "\"-Infinity\"");
    double nan_v = NAN, out = 0;
    char buf[32];
    size_t len;
    CU_ASSERT_EQUAL(ug_json_encode_value(buf, sizeof buf, UG_TYPE_DOUBLE, &nan_v, NULL, &len), 0);
    CU_ASSERT_EQUAL(len, 5);
    CU_ASSERT_NSTRING_EQUAL(buf, "\"NaN\"", 5);
    CU_ASSERT_EQUAL(ug_json_decode_value("\"NaN\"", 5, UG_TYPE_DOUBLE, &out, NULL, NULL, NULL), 0);
    CU_ASSERT(isnan(out));
    CU_ASSERT_EQUAL(ug_json_decode_value("-0.0", 4, UG_TYPE_DOUBLE, &out, NULL, NULL, NULL), 0);
    CU_ASSERT(out == 0 && signbit(out));
    /* Float out of range is an error, not infinity. */
    float fo;
    CU_ASSERT_EQUAL(ug_json_decode_value("1e39", 4, UG_TYPE_FLOAT, &fo, NULL, NULL, NULL),
                    UG_STATUS_BADDECODINGERROR);
    /* A long exact decimal still decodes correctly rounded. */
    const char *lng = "0.100000000000000005551115123125782702118158340454101562";
    CU_ASSERT_EQUAL(ug_json_decode_value(lng, strlen(lng), UG_TYPE_DOUBLE, &out, NULL, NULL, NULL), 0);
    CU_ASSERT(out == 0.1);
}

static void test_float_roundtrip_many(void)
{
    /* Every formatted double/float must read back bit-exactly. */
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double d;
        float f;
        uint32_t x32 = (uint32_t)x;
        memcpy(&d, &x, 8);
        memcpy(&f, &x32, 4);
        if (i % 3 == 0)
            d = (double)(x % 1000000) / 1000.0; /* decimal-looking values */
        char b[32], *e;
        if (!isnan(d)) {
            size_t n = ug_json_format_double(d, b);
            b[n] = 0;
            double back = isinf(d) ? d : strtod(b, &e);
            if (memcmp(&back, &d, 8) != 0) {
                fprintf(stderr, "double %a -> %s\n", d, b);
                CU_FAIL("double does not round-trip");
                return;
            }
        }
        if (!isnan(f) && !isinf(f)) {
            size_t n = ug_json_format_float(f, b);
            b[n] = 0;
            float back = (float)strtod(b, &e);
            if (memcmp(&back, &f, 4) != 0) {
                fprintf(stderr, "float %a -> %s\n", (double)f, b);
                CU_FAIL("float does not round-trip");
                return;
            }
        }
    }
}

/* Our decoder against strtod on numbers of up to 19 significant digits with
 * exponents (the 128-bit path) and on every formatted double. */
static void test_parse_double_exact(void)
{
    uint64_t x = 0x2545F4914F6CDD1Dull;
    char txt[64];
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int nd = 1 + (int)(x % 19), e10 = (int)((x >> 8) % 41) - 20;
        uint64_t m = x >> 5;
        char digits[24];
        int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)m);
        if (n > nd)
            digits[nd] = 0;
        if (digits[0] == '0')
            digits[0] = '1';
        snprintf(txt, sizeof txt, "%s%se%d", (x & 1) ? "-" : "", digits, e10);
        double want = strtod(txt, NULL), got = 0;
        if (ug_json_decode_value(txt, strlen(txt), UG_TYPE_DOUBLE, &got, NULL, NULL, NULL) != 0 ||
            memcmp(&got, &want, 8) != 0) {
            fprintf(stderr, "\n  %s: got %a want %a\n", txt, got, want);
            CU_FAIL("decoded double differs from strtod");
            return;
        }
        double d;
        memcpy(&d, &x, 8);
        if (isnan(d) || isinf(d))
            continue;
        size_t len = ug_json_format_double(d, txt);
        if (ug_json_decode_value(txt, len, UG_TYPE_DOUBLE, &got, NULL, NULL, NULL) != 0 ||
            memcmp(&got, &d, 8) != 0) {
            fprintf(stderr, "\n  %.*s: got %a want %a\n", (int)len, txt, got, d);
            CU_FAIL("formatted double does not decode to itself");
            return;
        }
    }
    CU_PASS("200000 numbers agree");
}

static void test_datetime(void)
{
    /* 2024-01-01T00:00:00Z = 133485408000000000 ticks since 1601. */
    static const struct {
        ug_datetime t;
        const char *want;
    } v[] = {
        {133485408000000000LL, "\"2024-01-01T00:00:00Z\""},
        {133485408001234567LL, "\"2024-01-01T00:00:00.1234567Z\""},
        {133485408001000000LL, "\"2024-01-01T00:00:00.1Z\""},
        {UG_DATETIME_UNIX_EPOCH, "\"1970-01-01T00:00:00Z\""},
        {1, "\"1601-01-01T00:00:00.0000001Z\""},
        {2650467743990000000LL - 1, "\"9999-12-31T23:59:58.9999999Z\""},
        {2650467743980000000LL + 5000000, "\"9999-12-31T23:59:58.5Z\""},
        /* Part 6 §5.4.2.6: the limits and beyond. */
        {0, "\"0001-01-01T00:00:00Z\""},
        {INT64_MAX, "\"9999-12-31T23:59:59Z\""},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        check_value(UG_TYPE_DATETIME, &v[i].t, 0, v[i].want);
    ug_datetime t;
    char buf[32];
    size_t n = ug_json_format_datetime(-5, buf);
    CU_ASSERT_EQUAL(n, 20);
    CU_ASSERT_NSTRING_EQUAL(buf, "0001-01-01T00:00:00Z", 20);
    static const struct {
        const char *s;
        ug_datetime t;
    } in[] = {
        {"2024-01-01T01:00:00+01:00", 133485408000000000LL},
        {"2024-01-01T00:00:00.12345678901Z", 133485408001234567LL},
        {"1500-06-01T00:00:00Z", 0},
        {"9999-12-31T23:59:59.5Z", INT64_MAX},
        {"2024-02-29T00:00:00Z", 133485408000000000LL + 59LL * 86400 * 10000000},
    };
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        CU_ASSERT_EQUAL(ug_json_parse_datetime(in[i].s, strlen(in[i].s), &t), 0);
        CU_ASSERT_EQUAL(t, in[i].t);
    }
    static const char *bad[] = {"2023-02-29T00:00:00Z", "2024-13-01T00:00:00Z", "2024-01-01T24:00:00Z",
                                "2024-01-01T00:00:00", "2024-01-01 00:00:00Z", "2024-01-01T00:00:00.Z",
                                "2024-1-01T00:00:00Z", "2024-01-01T00:00:00Zx", "2024-01-01T00:00:00+0100"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CU_ASSERT_EQUAL(ug_json_parse_datetime(bad[i], strlen(bad[i]), &t), UG_STATUS_BADDECODINGERROR);
}

static void test_strings(void)
{
    ug_string s = ug_string_from("a\"b\\c\n\t\x01/\xc3\xa9");
    check_value(UG_TYPE_STRING, &s, 0, "\"a\\\"b\\\\c\\n\\t\\u0001/\xc3\xa9\"");
    ug_string null_s = UG_NULL_BYTES, empty = {NULL, 0};
    check_value(UG_TYPE_STRING, &null_s, 0, "null");
    check_value(UG_TYPE_STRING, &empty, 0, "\"\"");
    check_value(UG_TYPE_XMLELEMENT, &s, 1, "\"a\\\"b\\\\c\\n\\t\\u0001/\xc3\xa9\"");
    /* Escapes on input, surrogate pairs included. */
    ug_string out;
    const char *in = "\"\\u00e9\\ud83d\\ude80\\/\\b\\f\\r\"";
    ug_arena_reset(&arena);
    CU_ASSERT_EQUAL(ug_json_decode_value(in, strlen(in), UG_TYPE_STRING, &out, NULL, &arena, NULL), 0);
    CU_ASSERT_EQUAL(out.len, 2 + 4 + 4);
    CU_ASSERT(memcmp(out.data, "\xc3\xa9\xf0\x9f\x9a\x80/\b\f\r", 10) == 0);
    /* Without escapes the string is a view into the input. */
    const char *plain = "\"plain\"";
    CU_ASSERT_EQUAL(ug_json_decode_value(plain, 7, UG_TYPE_STRING, &out, NULL, NULL, NULL), 0);
    CU_ASSERT_PTR_EQUAL(out.data, plain + 1);
    /* Invalid UTF-8 cannot be encoded. */
    ug_string badu = {(const uint8_t *)"\xc3(", 2};
    char buf[16];
    size_t len;
    CU_ASSERT_EQUAL(ug_json_encode_value(buf, sizeof buf, UG_TYPE_STRING, &badu, NULL, &len),
                    UG_STATUS_BADENCODINGERROR);
}

static void test_composites(void)
{
    ug_guid g = {0x72962b91, 0xfa75, 0x4ae6, {0x8d, 0x28, 0xb4, 0x04, 0xdc, 0x7d, 0xaf, 0x63}};
    check_value(UG_TYPE_GUID, &g, 0, "\"72962b91-fa75-4ae6-8d28-b404dc7daf63\"");
    ug_bytes bs = {(const uint8_t *)"\x00\x01\x7f\x80\xff", 5};
    check_value(UG_TYPE_BYTESTRING, &bs, 0, "\"AAF/gP8=\"");
    ug_bytes bnull = UG_NULL_BYTES;
    check_value(UG_TYPE_BYTESTRING, &bnull, 0, "null");

    ug_nodeid n1 = {.ns = 0, .id_type = UG_ID_NUMERIC, .id.numeric = 85};
    check_value(UG_TYPE_NODEID, &n1, 0, "\"i=85\"");
    ug_nodeid n2 = {.ns = 2, .id_type = UG_ID_STRING, .id.string = ug_string_from("Pump \"1\"")};
    check_value(UG_TYPE_NODEID, &n2, 0, "\"ns=2;s=Pump \\\"1\\\"\"");
    ug_nodeid n3 = {.ns = 3, .id_type = UG_ID_GUID, .id.guid = g};
    check_value(UG_TYPE_NODEID, &n3, 1, "\"ns=3;g=72962b91-fa75-4ae6-8d28-b404dc7daf63\"");
    ug_nodeid n4 = {.ns = 4, .id_type = UG_ID_OPAQUE, .id.opaque = {(const uint8_t *)"\xde\xad\xbe\xef", 4}};
    check_value(UG_TYPE_NODEID, &n4, 0, "\"ns=4;b=3q2+7w==\"");

    ug_expanded_nodeid x = {.node = n1, .namespace_uri = ug_string_from("urn:a;b"), .server_index = 2};
    check_value(UG_TYPE_EXPANDEDNODEID, &x, 0, "\"svr=2;nsu=urn:a%3Bb;i=85\"");

    ug_status sc = UG_STATUS_BADDECODINGERROR, good = 0;
    check_value(UG_TYPE_STATUSCODE, &sc, 0, "{\"Code\":2147942400}");
    check_value(UG_TYPE_STATUSCODE, &sc, 1, "{\"Code\":2147942400,\"Symbol\":\"BadDecodingError\"}");
    check_value(UG_TYPE_STATUSCODE, &good, 1, "{}");

    ug_qualified_name q = {3, ug_string_from("\xc3\x84pfel")};
    check_value(UG_TYPE_QUALIFIEDNAME, &q, 0, "\"3:\xc3\x84pfel\"");
    ug_qualified_name q0 = {0, ug_string_from("Name")};
    check_value(UG_TYPE_QUALIFIEDNAME, &q0, 0, "\"Name\"");

    ug_localized_text lt = {ug_string_from("en-US"), ug_string_from("Hello")};
    check_value(UG_TYPE_LOCALIZEDTEXT, &lt, 0, "{\"Locale\":\"en-US\",\"Text\":\"Hello\"}");
    ug_localized_text lt2 = {UG_NULL_BYTES, ug_string_from("Hi")};
    check_value(UG_TYPE_LOCALIZEDTEXT, &lt2, 0, "{\"Text\":\"Hi\"}");
    check_value(UG_TYPE_LOCALIZEDTEXT, &lt2, 1, "{\"Locale\":null,\"Text\":\"Hi\"}");

    ug_extension_object eo = {.type_id = {.id_type = UG_ID_NUMERIC, .id.numeric = 886},
                              .encoding = UG_EO_BYTESTRING,
                              .body = {(const uint8_t *)"\x01\x02\x03", 3}};
    check_value(UG_TYPE_EXTENSIONOBJECT, &eo, 0, "{\"UaTypeId\":\"i=886\",\"UaEncoding\":1,\"UaBody\":\"AQID\"}");
    ug_extension_object ex = {.type_id = {.ns = 1, .id_type = UG_ID_NUMERIC, .id.numeric = 7},
                              .encoding = UG_EO_XML,
                              .body = ug_string_from("<a/>")};
    check_value(UG_TYPE_EXTENSIONOBJECT, &ex, 0, "{\"UaTypeId\":\"ns=1;i=7\",\"UaEncoding\":2,\"UaBody\":\"<a/>\"}");

    ug_diagnostic_info inner = {.mask = UG_DI_SYMBOLIC_ID, .symbolic_id = 4, .additional_info = UG_NULL_BYTES};
    ug_diagnostic_info di = {.mask = UG_DI_SYMBOLIC_ID | UG_DI_ADDITIONAL_INFO | UG_DI_INNER_STATUS |
                                     UG_DI_INNER_DIAG,
                             .symbolic_id = 1,
                             .additional_info = ug_string_from("x"),
                             .inner_status = UG_STATUS_BADDECODINGERROR,
                             .inner = &inner};
    check_value(UG_TYPE_DIAGNOSTICINFO, &di, 0,
                "{\"SymbolicId\":1,\"AdditionalInfo\":\"x\",\"InnerStatusCode\":{\"Code\":2147942400},"
                "\"InnerDiagnosticInfo\":{\"SymbolicId\":4}}");
}

static void test_variants(void)
{
    ug_variant v = ug_variant_scalar(UG_TYPE_INT32);
    v.u.v.int32 = 5;
    check_value(UG_TYPE_VARIANT, &v, 0, "{\"UaType\":6,\"Value\":5}");
    ug_variant empty = ug_variant_scalar(UG_TYPE_NULL);
    check_value(UG_TYPE_VARIANT, &empty, 0, "{}");

    static const int32_t m[6] = {1, 2, 3, 4, 5, 6};
    static const int32_t dims[2] = {2, 3};
    ug_variant mx = {.type = UG_TYPE_INT32, .array_len = 6, .ndims = 2, .dims = dims, .u.arr = m};
    check_value(UG_TYPE_VARIANT, &mx, 0, "{\"UaType\":6,\"Value\":[1,2,3,4,5,6],\"Dimensions\":[2,3]}");
    ug_variant nul_arr = {.type = UG_TYPE_DOUBLE, .array_len = -1};
    check_value(UG_TYPE_VARIANT, &nul_arr, 0, "{\"UaType\":11,\"Value\":null}");
    ug_variant emp_arr = {.type = UG_TYPE_DOUBLE, .array_len = 0};
    check_value(UG_TYPE_VARIANT, &emp_arr, 0, "{\"UaType\":11,\"Value\":[]}");
    static const ug_string ss[2] = {{(const uint8_t *)"a", 1}, {NULL, -1}};
    ug_variant sa = {.type = UG_TYPE_STRING, .array_len = 2, .u.arr = ss};
    check_value(UG_TYPE_VARIANT, &sa, 0, "{\"UaType\":12,\"Value\":[\"a\",null]}");
    ug_variant inner[2] = {ug_variant_scalar(UG_TYPE_BOOLEAN), ug_variant_scalar(UG_TYPE_UINT64)};
    inner[0].u.v.boolean = true;
    inner[1].u.v.uint64 = 7;
    ug_variant va = {.type = UG_TYPE_VARIANT, .array_len = 2, .u.arr = inner};
    check_value(UG_TYPE_VARIANT, &va, 0,
                "{\"UaType\":24,\"Value\":[{\"UaType\":1,\"Value\":true},{\"UaType\":9,\"Value\":\"7\"}]}");
    ug_localized_text lt = {UG_NULL_BYTES, ug_string_from("t")};
    ug_variant vl = ug_variant_scalar(UG_TYPE_LOCALIZEDTEXT);
    vl.u.v.ltext = lt;
    check_value(UG_TYPE_VARIANT, &vl, 0, "{\"UaType\":21,\"Value\":{\"Text\":\"t\"}}");

    ug_datavalue dv = {.mask = UG_DV_VALUE | UG_DV_STATUS | UG_DV_SOURCE_TIMESTAMP | UG_DV_SOURCE_PICOSECONDS,
                       .status = UG_STATUS_GOODCLAMPED,
                       .source_ts = 133485408001234567LL,
                       .source_ps = 10,
                       .value = ug_variant_scalar(UG_TYPE_DOUBLE)};
    dv.value.u.v.f64 = 20.25;
    check_value(UG_TYPE_DATAVALUE, &dv, 1,
                "{\"UaType\":11,\"Value\":20.25,\"Status\":{\"Code\":3145728,\"Symbol\":\"GoodClamped\"},"
                "\"SourceTimestamp\":\"2024-01-01T00:00:00.1234567Z\",\"SourcePicoseconds\":10}");
    ug_variant vdv = ug_variant_scalar(UG_TYPE_DATAVALUE);
    vdv.u.v.datavalue = &dv;
    check_value(UG_TYPE_VARIANT, &vdv, 0,
                "{\"UaType\":23,\"Value\":{\"UaType\":11,\"Value\":20.25,\"Status\":{\"Code\":3145728},"
                "\"SourceTimestamp\":\"2024-01-01T00:00:00.1234567Z\",\"SourcePicoseconds\":10}}");
}

/* Decode-only: the 1.04 Reversible/NonReversible forms and member order. */
static void test_decode_104(void)
{
    ug_variant v;
    ug_datavalue dv;
    ug_nodeid n;
    ug_status sc;
    ug_qualified_name q;
    ug_localized_text lt;
    ug_extension_object eo;
#define DEC(txt, type, out) ug_json_decode_value(txt, strlen(txt), type, out, NULL, &arena, NULL)
    ug_arena_reset(&arena);
    CU_ASSERT_EQUAL(DEC("{\"Type\":6,\"Body\":-7}", UG_TYPE_VARIANT, &v), 0);
    CU_ASSERT(v.type == UG_TYPE_INT32 && v.u.v.int32 == -7);
    CU_ASSERT_EQUAL(DEC("{\"Value\":\"12\",\"UaType\":8}", UG_TYPE_VARIANT, &v), 0); /* type after value */
    CU_ASSERT(v.type == UG_TYPE_INT64 && v.u.v.int64 == 12);
    CU_ASSERT_EQUAL(DEC("{\"Type\":6,\"Body\":[1,2,3,4],\"Dimension\":[2,2]}", UG_TYPE_VARIANT, &v), 0);
    CU_ASSERT(v.array_len == 4 && v.ndims == 2 && v.dims[1] == 2);
    CU_ASSERT_EQUAL(DEC("{\"Value\":{\"Type\":11,\"Body\":1.5},\"Status\":2147942400,"
                        "\"SourceTimestamp\":\"2024-01-01T00:00:00Z\"}",
                        UG_TYPE_DATAVALUE, &dv),
                    0);
    CU_ASSERT(dv.value.type == UG_TYPE_DOUBLE && dv.value.u.v.f64 == 1.5);
    CU_ASSERT(dv.status == UG_STATUS_BADDECODINGERROR && dv.source_ts == 133485408000000000LL);
    CU_ASSERT_EQUAL(dv.mask, UG_DV_VALUE | UG_DV_STATUS | UG_DV_SOURCE_TIMESTAMP);
    CU_ASSERT_EQUAL(DEC("{\"IdType\":1,\"Id\":\"abc\",\"Namespace\":5}", UG_TYPE_NODEID, &n), 0);
    CU_ASSERT(n.ns == 5 && n.id_type == UG_ID_STRING && n.id.string.len == 3);
    CU_ASSERT_EQUAL(DEC("{\"Id\":42}", UG_TYPE_NODEID, &n), 0);
    CU_ASSERT(n.ns == 0 && n.id_type == UG_ID_NUMERIC && n.id.numeric == 42);
    CU_ASSERT_EQUAL(DEC("2147942400", UG_TYPE_STATUSCODE, &sc), 0);
    CU_ASSERT_EQUAL(sc, UG_STATUS_BADDECODINGERROR);
    CU_ASSERT_EQUAL(DEC("{\"Symbol\":\"BadDecodingError\"}", UG_TYPE_STATUSCODE, &sc), 0);
    CU_ASSERT_EQUAL(sc, UG_STATUS_BADDECODINGERROR);
    CU_ASSERT_EQUAL(DEC("{\"Name\":\"N\",\"Uri\":2}", UG_TYPE_QUALIFIEDNAME, &q), 0);
    CU_ASSERT(q.ns == 2 && q.name.len == 1);
    CU_ASSERT_EQUAL(DEC("\"only text\"", UG_TYPE_LOCALIZEDTEXT, &lt), 0);
    CU_ASSERT(lt.locale.len == -1 && lt.text.len == 9);
    CU_ASSERT_EQUAL(DEC("{\"TypeId\":{\"Id\":886},\"Encoding\":1,\"Body\":\"AQID\"}", UG_TYPE_EXTENSIONOBJECT, &eo), 0);
    CU_ASSERT(eo.encoding == UG_EO_BYTESTRING && eo.body.len == 3 && eo.type_id.id.numeric == 886);
    const char *jb = "{\"UaTypeId\":\"i=884\",\"Low\":-10.0,\"High\":10.0}";
    CU_ASSERT_EQUAL(DEC(jb, UG_TYPE_EXTENSIONOBJECT, &eo), 0);
    CU_ASSERT(eo.encoding == UG_EO_JSON && eo.type_id.id.numeric == 884 && eo.body.len == (int32_t)strlen(jb));
    /* NonReversible Variant: the bare value. */
    CU_ASSERT_EQUAL(DEC("3000000000", UG_TYPE_VARIANT, &v), 0);
    CU_ASSERT(v.type == UG_TYPE_INT64 && v.u.v.int64 == 3000000000LL);
    CU_ASSERT_EQUAL(DEC("[1,\"a\",true]", UG_TYPE_VARIANT, &v), 0);
    CU_ASSERT(v.type == UG_TYPE_VARIANT && v.array_len == 3);
    /* Namespace URIs resolve through the table. */
    ug_string ns[3] = {ug_string_from("http://opcfoundation.org/UA/"), ug_string_from("urn:x"),
                       ug_string_from("urn:y")};
    ug_json_dec_opts o = ug_json_dec_default;
    o.namespaces = ns;
    o.n_namespaces = 3;
    const char *t = "\"nsu=urn:y;i=9\"";
    CU_ASSERT_EQUAL(ug_json_decode_value(t, strlen(t), UG_TYPE_NODEID, &n, &o, &arena, NULL), 0);
    CU_ASSERT(n.ns == 2 && n.id.numeric == 9);
    /* And Verbose writes them with the table. */
    ug_json_enc_opts eo2 = ug_json_enc_default;
    eo2.form = UG_JSON_VERBOSE;
    eo2.namespaces = ns;
    eo2.n_namespaces = 3;
    char buf[64];
    size_t len;
    CU_ASSERT_EQUAL(ug_json_encode_value(buf, sizeof buf, UG_TYPE_NODEID, &n, &eo2, &len), 0);
    CU_ASSERT_EQUAL(len, strlen(t));
    CU_ASSERT_NSTRING_EQUAL(buf, t, len);
    CU_ASSERT_EQUAL(DEC(t, UG_TYPE_NODEID, &n), UG_STATUS_BADDECODINGERROR); /* no table */
#undef DEC
}

int main(void)
{
    ug_arena_init(&arena, arena_buf, sizeof arena_buf, false);
    CU_TestInfo tests[] = {
        {"integers and booleans, both forms", test_scalars},
        {"float and double: shortest text, specials, -0.0", test_floats},
        {"200000 random doubles and floats round-trip", test_float_roundtrip_many},
        {"decoded doubles agree with strtod, 200000 cases", test_parse_double_exact},
        {"DateTime: ISO 8601, 100 ns, limit strings", test_datetime},
        {"strings: RFC 8259 escapes, views, invalid UTF-8", test_strings},
        {"Guid, ByteString, NodeId, StatusCode, names, texts, ExtensionObject, DiagnosticInfo", test_composites},
        {"Variant scalars, arrays, matrices; DataValue", test_variants},
        {"1.04 Reversible/NonReversible forms and namespace URIs", test_decode_104},
        CU_TEST_INFO_NULL,
    };
    return ug_test_main("json_value", tests);
}
