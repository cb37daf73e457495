/* Every error path of the JSON decoders (json/jrd.c and callers): truncation
 * at every offset behind a guard page, RFC 8259 violations, invalid UTF-8,
 * nesting bombs, number limits, wrong types, the configured limits, and the
 * reported offset. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "uagate/json.h"

static uint8_t arena_buf[1 << 18];
static ug_arena arena;

static ug_status dec_value(const char *txt, size_t len, unsigned type, size_t *off)
{
    uint8_t out[256];
    ug_arena_reset(&arena);
    uint8_t *g = ug_test_guard(txt, len);
    ug_status st = ug_json_decode_value(g, len, type, out, NULL, &arena, off);
    ug_test_guard_free(g);
    return st;
}

static ug_status dec_nm(const char *txt, size_t len, const ug_json_dec_opts *o, size_t *off)
{
    ug_nm nm;
    ug_arena_reset(&arena);
    uint8_t *g = ug_test_guard(txt, len);
    ug_status st = ug_json_decode_nm(g, len, &nm, o, &arena, off);
    ug_test_guard_free(g);
    return st;
}

static const char *const docs[] = {
    "{\"MessageId\":\"m\",\"MessageType\":\"ua-data\",\"PublisherId\":\"\\\"7\\\"\",\"Messages\":[{"
    "\"DataSetWriterId\":1,\"SequenceNumber\":2,\"Timestamp\":\"2024-01-01T00:00:00.5Z\",\"Status\":{"
    "\"Code\":2147942400},\"MessageType\":\"ua-keyframe\",\"Payload\":{\"a\":{\"UaType\":11,\"Value\":"
    "-1.5e3},\"b\":{\"Value\":\"\\u00e9\\ud83d\\ude80\",\"UaType\":12},\"c\":{\"UaType\":6,\"Value\":[1,2,3,4],"
    "\"Dimensions\":[2,2]},\"d\":{\"UaType\":22,\"Value\":{\"UaTypeId\":\"i=884\",\"Low\":1}},\"e\":{"
    "\"Status\":{\"Code\":2157641728},\"SourceTimestamp\":\"2024-01-01T00:00:00Z\"}}}]}",
    "[{\"DataSetWriterId\":3,\"Payload\":{\"x\":true,\"y\":[null,\"s\",1.25]}}]",
    "{\"DataSetWriterId\":5,\"MessageType\":\"ua-keepalive\"}",
};

/* Every proper prefix of a valid message fails cleanly, inside the buffer. */
static void test_truncation(void)
{
    for (size_t d = 0; d < sizeof docs / sizeof docs[0]; d++) {
        size_t n = strlen(docs[d]), off = 0;
        CU_ASSERT_EQUAL_FATAL(dec_nm(docs[d], n, NULL, &off), UG_STATUS_GOOD);
        for (size_t cut = 0; cut < n; cut++) {
            ug_status st = dec_nm(docs[d], cut, NULL, &off);
            if (st == UG_STATUS_GOOD) {
                fprintf(stderr, "\nprefix %zu of doc %zu accepted\n", cut, d);
                CU_FAIL("truncated message accepted");
            }
            CU_ASSERT(off <= cut);
        }
    }
    /* Values too. */
    const char *v = "{\"UaType\":24,\"Value\":[{\"UaType\":13,\"Value\":\"2024-01-01T00:00:00Z\"},"
                    "{\"UaType\":15,\"Value\":\"AAF/gP8=\"},{\"UaType\":17,\"Value\":\"ns=1;s=x\"}]}";
    size_t n = strlen(v), off;
    CU_ASSERT_EQUAL(dec_value(v, n, UG_TYPE_VARIANT, &off), UG_STATUS_GOOD);
    for (size_t cut = 0; cut < n; cut++)
        CU_ASSERT_NOT_EQUAL(dec_value(v, cut, UG_TYPE_VARIANT, &off), UG_STATUS_GOOD);
}

static void test_syntax(void)
{
    static const struct {
        const char *txt;
        unsigned type;
        size_t off; /* where the fault is reported */
    } bad[] = {
        {"tru", UG_TYPE_BOOLEAN, 0},
        {"truex", UG_TYPE_BOOLEAN, 4},
        {"01", UG_TYPE_INT32, 1},
        {"-", UG_TYPE_INT32, 1},
        {"1.", UG_TYPE_DOUBLE, 2},
        {".5", UG_TYPE_DOUBLE, 0},
        {"+1", UG_TYPE_INT32, 0},
        {"1e", UG_TYPE_DOUBLE, 2},
        {"1.5", UG_TYPE_INT32, 0},
        {"\"abc", UG_TYPE_STRING, 4},
        {"\"a\\x\"", UG_TYPE_STRING, 2},
        {"\"\\u12\"", UG_TYPE_STRING, 1},
        {"\"\\u12G4\"", UG_TYPE_STRING, 1},
        {"\"\\ud800\"", UG_TYPE_STRING, 0},
        {"\"\\udc00\"", UG_TYPE_STRING, 0},
        {"\"\\ud800\\u0041\"", UG_TYPE_STRING, 0},
        {"\"a\x01\"", UG_TYPE_STRING, 2},
        {"\"a\nb\"", UG_TYPE_STRING, 2},
        {"[1,]", UG_TYPE_VARIANT, 3},
        {"[1 2]", UG_TYPE_VARIANT, 3},
        {"{\"a\":1,}", UG_TYPE_VARIANT, 7},
        {"{\"a\" 1}", UG_TYPE_VARIANT, 5},
        {"{,\"a\":1}", UG_TYPE_VARIANT, 1},
        {"{a:1}", UG_TYPE_VARIANT, 1},
        {"{} x", UG_TYPE_VARIANT, 3},
        {"", UG_TYPE_INT32, 0},
        {"'a'", UG_TYPE_STRING, 0},
        {"nul", UG_TYPE_STRING, 0},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t off = 999;
        ug_status st = dec_value(bad[i].txt, strlen(bad[i].txt), bad[i].type, &off);
        if (st != UG_STATUS_BADDECODINGERROR || off != bad[i].off) {
            fprintf(stderr, "\n  '%s': status %08x offset %zu (want %zu)\n", bad[i].txt, st, off, bad[i].off);
            CU_FAIL("wrong status or offset");
        }
    }
}

static void test_utf8(void)
{
    static const char *const bad[] = {
        "\"\xc0\x80\"",         /* overlong NUL */
        "\"\xc1\xbf\"",         /* overlong */
        "\"\xe0\x80\x80\"",     /* overlong 3-byte */
        "\"\xed\xa0\x80\"",     /* UTF-16 surrogate */
        "\"\xf4\x90\x80\x80\"", /* above U+10FFFF */
        "\"\xf5\x80\x80\x80\"",
        "\"\x80\"",             /* lone continuation */
        "\"\xe2\x82\"",         /* truncated */
        "\"\xe2\x82",           /* truncated at the end of input */
        "\"\xff\"",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t off;
        CU_ASSERT_EQUAL(dec_value(bad[i], strlen(bad[i]), UG_TYPE_STRING, &off), UG_STATUS_BADDECODINGERROR);
        CU_ASSERT_EQUAL(off, 1);
    }
    static const char *const good[] = {"\"\xc2\x80\"", "\"\xef\xbf\xbf\"", "\"\xf0\x90\x80\x80\"",
                                       "\"\xf4\x8f\xbf\xbf\"", "\"\xed\x9f\xbf\""};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        CU_ASSERT_EQUAL(dec_value(good[i], strlen(good[i]), UG_TYPE_STRING, NULL), UG_STATUS_GOOD);
    /* Also in member names. */
    const char *k = "{\"\xc3\x28\":1}";
    CU_ASSERT_EQUAL(dec_nm(k, strlen(k), NULL, NULL), UG_STATUS_BADDECODINGERROR);
}

static void test_depth_bomb(void)
{
    size_t n = 100000;
    char *b = malloc(2 * n + 1);
    memset(b, '[', n);
    memset(b + n, ']', n);
    size_t off;
    CU_ASSERT_EQUAL(dec_value(b, 2 * n, UG_TYPE_VARIANT, &off), UG_STATUS_BADENCODINGLIMITSEXCEEDED);
    CU_ASSERT_EQUAL(off, ug_limits_default.max_depth); /* the bracket one level too deep */
    /* Nested Variant objects and DataValues hit the same limit. */
    char *p = b;
    for (int i = 0; i < 200; i++)
        p += sprintf(p, "{\"UaType\":24,\"Value\":[");
    p += sprintf(p, "1");
    for (int i = 0; i < 200; i++)
        p += sprintf(p, "]}");
    CU_ASSERT_EQUAL(dec_value(b, (size_t)(p - b), UG_TYPE_VARIANT, &off), UG_STATUS_BADENCODINGLIMITSEXCEEDED);
    p = b;
    p += sprintf(p, "{\"Messages\":[{\"Payload\":{\"a\":");
    for (int i = 0; i < 200; i++)
        p += sprintf(p, "{\"UaType\":23,\"Value\":");
    p += sprintf(p, "1");
    for (int i = 0; i < 200; i++)
        p += sprintf(p, "}");
    p += sprintf(p, "}}]}");
    CU_ASSERT_EQUAL(dec_nm(b, (size_t)(p - b), NULL, &off), UG_STATUS_BADENCODINGLIMITSEXCEEDED);
    free(b);
}

static void test_numbers(void)
{
    char big[512];
    memset(big, '9', 400);
    big[400] = 0;
    CU_ASSERT_EQUAL(dec_value(big, 400, UG_TYPE_INT64, NULL), UG_STATUS_BADDECODINGERROR);
    CU_ASSERT_EQUAL(dec_value(big, 400, UG_TYPE_DOUBLE, NULL), UG_STATUS_BADDECODINGERROR);
    CU_ASSERT_EQUAL(dec_value("1e400", 5, UG_TYPE_DOUBLE, NULL), UG_STATUS_BADDECODINGERROR);
    CU_ASSERT_EQUAL(dec_value("-1e400", 6, UG_TYPE_DOUBLE, NULL), UG_STATUS_BADDECODINGERROR);
    CU_ASSERT_EQUAL(dec_value("1e-400", 6, UG_TYPE_DOUBLE, NULL), UG_STATUS_GOOD); /* underflows to 0 */
    CU_ASSERT_EQUAL(dec_value("2147483648", 10, UG_TYPE_INT32, NULL), UG_STATUS_BADDECODINGERROR);
    CU_ASSERT_EQUAL(dec_value("-2147483649", 11, UG_TYPE_INT32, NULL), UG_STATUS_BADDECODINGERROR);
    CU_ASSERT_EQUAL(dec_value("256", 3, UG_TYPE_BYTE, NULL), UG_STATUS_BADDECODINGERROR);
    CU_ASSERT_EQUAL(dec_value("-1", 2, UG_TYPE_UINT32, NULL), UG_STATUS_BADDECODINGERROR);
    CU_ASSERT_EQUAL(dec_value("\"18446744073709551616\"", 22, UG_TYPE_UINT64, NULL), UG_STATUS_BADDECODINGERROR);
    CU_ASSERT_EQUAL(dec_value("\"9223372036854775808\"", 21, UG_TYPE_INT64, NULL), UG_STATUS_BADDECODINGERROR);
    CU_ASSERT_EQUAL(dec_value("\"12x\"", 5, UG_TYPE_INT64, NULL), UG_STATUS_BADDECODINGERROR);
    CU_ASSERT_EQUAL(dec_value("\"Inf\"", 5, UG_TYPE_DOUBLE, NULL), UG_STATUS_BADDECODINGERROR);
}

static void test_wrong_types(void)
{
    static const struct {
        const char *txt;
        unsigned type;
    } v[] = {
        {"1", UG_TYPE_BOOLEAN},
        {"\"abc\"", UG_TYPE_INT32},
        {"[1]", UG_TYPE_STRING},
        {"{}", UG_TYPE_DOUBLE},
        {"\"not-a-guid\"", UG_TYPE_GUID},
        {"\"A===\"", UG_TYPE_BYTESTRING},
        {"\"x=1\"", UG_TYPE_NODEID},
        {"\"2024-01-01\"", UG_TYPE_DATETIME},
        {"{\"UaType\":26,\"Value\":1}", UG_TYPE_VARIANT},
        {"{\"UaType\":6,\"Value\":[1,2,3],\"Dimensions\":[2,2]}", UG_TYPE_VARIANT},
        {"{\"UaType\":6,\"Value\":1,\"Dimensions\":[1]}", UG_TYPE_VARIANT},
        {"{\"UaType\":24,\"Value\":{\"UaType\":6,\"Value\":1}}", UG_TYPE_VARIANT},
        {"{\"Low\":1}", UG_TYPE_EXTENSIONOBJECT},
        {"{\"Code\":-1}", UG_TYPE_STATUSCODE},
        {"{\"IdType\":4,\"Id\":1}", UG_TYPE_NODEID},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        ug_status st = dec_value(v[i].txt, strlen(v[i].txt), v[i].type, NULL);
        if (st != UG_STATUS_BADDECODINGERROR) {
            fprintf(stderr, "\n  %s as type %u: %08x\n", v[i].txt, v[i].type, st);
            CU_FAIL("wrong type accepted");
        }
    }
    static const char *const msgs[] = {
        "{\"MessageId\":\"m\",\"MessageType\":\"ua-data\"}",                     /* no Messages */
        "{\"MessageId\":\"m\",\"MessageType\":\"ua-dat\",\"Messages\":[]}",
        "{\"MessageId\":\"m\",\"Messages\":5}",
        "{\"MessageId\":\"m\",\"Messages\":[],\"Messages\":[]}",
        "{\"MessageId\":\"m\",\"Messages\":[{\"DataSetWriterId\":-1}]}",
        "{\"MessageId\":\"m\",\"Messages\":[{\"DataSetWriterId\":65536}]}",
        "{\"MessageId\":\"m\",\"Messages\":[5]}",
        "{\"MessageId\":\"m\",\"Messages\":[{\"DataSetWriterId\":1,\"Payload\":[]}]}",
        "{\"MessageId\":7,\"Messages\":[]}",
        "{\"MessageId\":\"m\",\"PublisherId\":true,\"Messages\":[]}",
        "{\"MessageId\":\"m\",\"DataSetClassId\":\"x\",\"Messages\":[]}",
        "5",
        "null",
    };
    for (size_t i = 0; i < sizeof msgs / sizeof msgs[0]; i++) {
        ug_status st = dec_nm(msgs[i], strlen(msgs[i]), NULL, NULL);
        if (st != UG_STATUS_BADDECODINGERROR) {
            fprintf(stderr, "\n  %s: %08x\n", msgs[i], st);
            CU_FAIL("bad message accepted");
        }
    }
}

static void test_limits(void)
{
    ug_limits lim = ug_limits_default;
    ug_json_dec_opts o = ug_json_dec_default;
    o.lim = &lim;
    uint8_t out[64];
    lim.max_string_len = 4;
    CU_ASSERT_EQUAL(ug_json_decode_value("\"abcde\"", 7, UG_TYPE_STRING, out, &o, &arena, NULL),
                    UG_STATUS_BADENCODINGLIMITSEXCEEDED);
    CU_ASSERT_EQUAL(ug_json_decode_value("\"abcd\"", 6, UG_TYPE_STRING, out, &o, &arena, NULL), 0);
    lim = ug_limits_default;
    lim.max_array_len = 3;
    const char *a4 = "{\"UaType\":6,\"Value\":[1,2,3,4]}";
    CU_ASSERT_EQUAL(ug_json_decode_value(a4, strlen(a4), UG_TYPE_VARIANT, out, &o, &arena, NULL),
                    UG_STATUS_BADENCODINGLIMITSEXCEEDED);
    lim = ug_limits_default;
    lim.max_message_size = 5;
    CU_ASSERT_EQUAL(ug_json_decode_value("123456", 6, UG_TYPE_INT32, out, &o, &arena, NULL),
                    UG_STATUS_BADENCODINGLIMITSEXCEEDED);
    lim = ug_limits_default;
    o.max_tokens = 5;
    const char *t6 = "[1,2,3,4,5,6]";
    CU_ASSERT_EQUAL(ug_json_decode_value(t6, strlen(t6), UG_TYPE_VARIANT, out, &o, &arena, NULL),
                    UG_STATUS_BADENCODINGLIMITSEXCEEDED);
    /* No arena: strings with escapes and arrays cannot be stored. */
    CU_ASSERT_EQUAL(ug_json_decode_value("\"a\\n\"", 5, UG_TYPE_STRING, out, NULL, NULL, NULL),
                    UG_STATUS_BADOUTOFMEMORY);
    ug_arena tiny;
    uint8_t tb[16];
    ug_arena_init(&tiny, tb, sizeof tb, false);
    const char *big = "{\"UaType\":6,\"Value\":[1,2,3,4,5,6,7,8,9]}";
    CU_ASSERT_EQUAL(ug_json_decode_value(big, strlen(big), UG_TYPE_VARIANT, out, NULL, &tiny, NULL),
                    UG_STATUS_BADOUTOFMEMORY);
}

static void test_lenient(void)
{
    /* The open62541 defects the decoder accepts (json.h lists them). */
    ug_nm nm;
    ug_arena_reset(&arena);
    const char *m = "{\"MessageId\":null,\"MessageType\":\"ua-data\",\"PublisherId\":\"\\\"18364758544493064720\\\"\","
                    "\"Messages\":[{\"DataSetWriterId\":1,\"Status\":32778,\"Payload\":{}}]}";
    CU_ASSERT_EQUAL_FATAL(ug_json_decode_nm(m, strlen(m), &nm, NULL, &arena, NULL), 0);
    CU_ASSERT_EQUAL(nm.publisher_id.type, UG_PUBID_UINT64);
    CU_ASSERT_EQUAL(nm.publisher_id.u64, 18364758544493064720ull);
    CU_ASSERT_EQUAL(nm.message_id.len, -1);
    CU_ASSERT_EQUAL(nm.dsm[0].status, 0x800A);
    /* A real StatusCode number keeps its meaning. */
    const char *m2 = "{\"MessageId\":\"x\",\"Messages\":[{\"DataSetWriterId\":1,\"Status\":2147942400}]}";
    CU_ASSERT_EQUAL_FATAL(ug_json_decode_nm(m2, strlen(m2), &nm, NULL, &arena, NULL), 0);
    CU_ASSERT_EQUAL(nm.dsm[0].status, 0x8007);
    /* A wrapped id that is not a valid JSON string is still an error. */
    const char *m3 = "{\"MessageId\":\"x\",\"PublisherId\":\"\\\"a\\\"b\\\"\",\"Messages\":[]}";
    CU_ASSERT_EQUAL(ug_json_decode_nm(m3, strlen(m3), &nm, NULL, &arena, NULL), UG_STATUS_BADDECODINGERROR);
}

int main(void)
{
    ug_arena_init(&arena, arena_buf, sizeof arena_buf, false);
    CU_TestInfo tests[] = {
        {"truncation at every offset behind a guard page", test_truncation},
        {"RFC 8259 syntax errors and their offsets", test_syntax},
        {"invalid UTF-8", test_utf8},
        {"nesting bombs", test_depth_bomb},
        {"huge and out-of-range numbers", test_numbers},
        {"wrong JSON types for values and messages", test_wrong_types},
        {"string, array, size, token limits; arena exhaustion", test_limits},
        {"lenient decoding of known encoder defects", test_lenient},
        CU_TEST_INFO_NULL,
    };
    return ug_test_main("json_errors", tests);
}
