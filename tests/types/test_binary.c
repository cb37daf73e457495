/* UA Binary primitives and built-in types (types/binary.c, types/value.c):
 * known byte sequences from Part 6 §5.2.2, round trips, every prefix of every
 * vector truncated behind a guard page, limits, encoder count mode. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "uagate/binary.h"

#define S(lit) ((ug_string){(const uint8_t *)(lit), (int32_t)sizeof(lit) - 1})
/* The same as a plain initializer, for members of file-scope compound literals. */
#define SI(lit) {(const uint8_t *)(lit), (int32_t)sizeof(lit) - 1}
#define B(...) (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})

static const ug_guid guid_ex = {0x72962B91, 0xFA75, 0x4AE6, {0x8D, 0x28, 0xB4, 0x04, 0xDC, 0x7D, 0xAF, 0x63}};
#define GUID_EX_BYTES 0x91, 0x2B, 0x96, 0x72, 0x75, 0xFA, 0xE6, 0x4A, 0x8D, 0x28, 0xB4, 0x04, 0xDC, 0x7D, 0xAF, 0x63

static const int32_t arr_i32[] = {1, -2};
static const ug_diagnostic_info diag_inner = {.mask = UG_DI_INNER_STATUS, .symbolic_id = -1,
    .namespace_uri = -1, .localized_text = -1, .locale = -1, .additional_info = {NULL, -1},
    .inner_status = 0x80070000U};

struct vec {
    const char *name;
    unsigned type;
    const void *value; /* the element C type of `type` */
    const uint8_t *bytes;
    size_t len;
};

static const struct vec vecs[] = {
    {"Boolean true", UG_TYPE_BOOLEAN, &(bool){true}, B(0x01)},
    {"Boolean false", UG_TYPE_BOOLEAN, &(bool){false}, B(0x00)},
    {"SByte -1", UG_TYPE_SBYTE, &(int8_t){-1}, B(0xFF)},
    {"Byte", UG_TYPE_BYTE, &(uint8_t){0xAB}, B(0xAB)},
    {"Int16 -2", UG_TYPE_INT16, &(int16_t){-2}, B(0xFE, 0xFF)},
    {"UInt16", UG_TYPE_UINT16, &(uint16_t){0x1234}, B(0x34, 0x12)},
    {"Int32 1e9", UG_TYPE_INT32, &(int32_t){1000000000}, B(0x00, 0xCA, 0x9A, 0x3B)},
    {"UInt32", UG_TYPE_UINT32, &(uint32_t){0xDEADBEEF}, B(0xEF, 0xBE, 0xAD, 0xDE)},
    {"Int64 -1", UG_TYPE_INT64, &(int64_t){-1}, B(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF)},
    {"UInt64", UG_TYPE_UINT64, &(uint64_t){0x0102030405060708ULL}, B(8, 7, 6, 5, 4, 3, 2, 1)},
    /* Part 6 §5.2.2.3: -6.5 as a Float is C0 D0 00 00 big-endian. */
    {"Float -6.5", UG_TYPE_FLOAT, &(float){-6.5f}, B(0x00, 0x00, 0xD0, 0xC0)},
    {"Double 1.0", UG_TYPE_DOUBLE, &(double){1.0}, B(0, 0, 0, 0, 0, 0, 0xF0, 0x3F)},
    {"String abc", UG_TYPE_STRING, &S("abc"), B(0x03, 0x00, 0x00, 0x00, 0x61, 0x62, 0x63)},
    {"String null", UG_TYPE_STRING, &(ug_string){NULL, -1}, B(0xFF, 0xFF, 0xFF, 0xFF)},
    {"String empty", UG_TYPE_STRING, &S(""), B(0x00, 0x00, 0x00, 0x00)},
    /* 1970-01-01 = 116444736000000000 ticks = 0x019DB1DED53E8000. */
    {"DateTime", UG_TYPE_DATETIME, &(ug_datetime){UG_DATETIME_UNIX_EPOCH},
     B(0x00, 0x80, 0x3E, 0xD5, 0xDE, 0xB1, 0x9D, 0x01)},
    {"Guid", UG_TYPE_GUID, &guid_ex, B(GUID_EX_BYTES)},
    {"ByteString", UG_TYPE_BYTESTRING, &S("\x00\xff"), B(0x02, 0, 0, 0, 0x00, 0xFF)},
    {"XmlElement", UG_TYPE_XMLELEMENT, &S("<a/>"), B(0x04, 0, 0, 0, '<', 'a', '/', '>')},
    /* Part 6 §5.2.2.9 examples and each form's boundaries. */
    {"NodeId TwoByte", UG_TYPE_NODEID, &(ug_nodeid){.id.numeric = 72}, B(0x00, 0x48)},
    {"NodeId TwoByte max", UG_TYPE_NODEID, &(ug_nodeid){.id.numeric = 255}, B(0x00, 0xFF)},
    {"NodeId FourByte", UG_TYPE_NODEID, &(ug_nodeid){.ns = 5, .id.numeric = 1025},
     B(0x01, 0x05, 0x01, 0x04)},
    {"NodeId FourByte ns0", UG_TYPE_NODEID, &(ug_nodeid){.id.numeric = 256}, B(0x01, 0x00, 0x00, 0x01)},
    {"NodeId FourByte max", UG_TYPE_NODEID, &(ug_nodeid){.ns = 255, .id.numeric = 65535},
     B(0x01, 0xFF, 0xFF, 0xFF)},
    {"NodeId Numeric big id", UG_TYPE_NODEID, &(ug_nodeid){.id.numeric = 70000},
     B(0x02, 0x00, 0x00, 0x70, 0x11, 0x01, 0x00)},
    {"NodeId Numeric big ns", UG_TYPE_NODEID, &(ug_nodeid){.ns = 300, .id.numeric = 5},
     B(0x02, 0x2C, 0x01, 0x05, 0x00, 0x00, 0x00)},
    {"NodeId String", UG_TYPE_NODEID,
     &(ug_nodeid){.ns = 1, .id_type = UG_ID_STRING, .id.string = SI("Hot\xe6\xb0\xb4")},
     B(0x03, 0x01, 0x00, 0x06, 0x00, 0x00, 0x00, 0x48, 0x6F, 0x74, 0xE6, 0xB0, 0xB4)},
    {"NodeId Guid", UG_TYPE_NODEID,
     &(ug_nodeid){.ns = 4, .id_type = UG_ID_GUID,
                  .id.guid = {0x72962B91, 0xFA75, 0x4AE6, {0x8D, 0x28, 0xB4, 0x04, 0xDC, 0x7D, 0xAF, 0x63}}},
     B(0x04, 0x04, 0x00, GUID_EX_BYTES)},
    {"NodeId ByteString", UG_TYPE_NODEID,
     &(ug_nodeid){.ns = 1, .id_type = UG_ID_OPAQUE, .id.opaque = SI("\xde\xad")},
     B(0x05, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0xDE, 0xAD)},
    {"ExpandedNodeId plain", UG_TYPE_EXPANDEDNODEID,
     &(ug_expanded_nodeid){.node = {.ns = 2, .id.numeric = 7}, .namespace_uri = {NULL, -1}},
     B(0x01, 0x02, 0x07, 0x00)},
    {"ExpandedNodeId uri+server", UG_TYPE_EXPANDEDNODEID,
     &(ug_expanded_nodeid){.node = {.id.numeric = 5}, .namespace_uri = SI("urn:a"), .server_index = 2},
     B(0xC0, 0x05, 0x05, 0, 0, 0, 'u', 'r', 'n', ':', 'a', 0x02, 0, 0, 0)},
    {"ExpandedNodeId server only", UG_TYPE_EXPANDEDNODEID,
     &(ug_expanded_nodeid){.node = {.ns = 1, .id_type = UG_ID_STRING, .id.string = SI("x")},
                           .namespace_uri = {NULL, -1}, .server_index = 0x01020304},
     B(0x43, 0x01, 0x00, 0x01, 0, 0, 0, 'x', 0x04, 0x03, 0x02, 0x01)},
    {"StatusCode", UG_TYPE_STATUSCODE, &(ug_status){UG_STATUS_BADDECODINGERROR}, B(0x00, 0x00, 0x07, 0x80)},
    {"QualifiedName", UG_TYPE_QUALIFIEDNAME, &(ug_qualified_name){2, SI("ab")},
     B(0x02, 0x00, 0x02, 0x00, 0x00, 0x00, 'a', 'b')},
    {"LocalizedText both", UG_TYPE_LOCALIZEDTEXT, &(ug_localized_text){SI("en"), SI("x")},
     B(0x03, 0x02, 0, 0, 0, 'e', 'n', 0x01, 0, 0, 0, 'x')},
    {"LocalizedText text", UG_TYPE_LOCALIZEDTEXT, &(ug_localized_text){{NULL, -1}, SI("x")},
     B(0x02, 0x01, 0, 0, 0, 'x')},
    {"LocalizedText none", UG_TYPE_LOCALIZEDTEXT, &(ug_localized_text){{NULL, -1}, {NULL, -1}}, B(0x00)},
    {"ExtensionObject none", UG_TYPE_EXTENSIONOBJECT,
     &(ug_extension_object){.type_id = {.id.numeric = 1}, .encoding = UG_EO_NONE, .body = {NULL, -1}},
     B(0x00, 0x01, 0x00)},
    {"ExtensionObject binary", UG_TYPE_EXTENSIONOBJECT,
     &(ug_extension_object){.type_id = {.ns = 1, .id.numeric = 300}, .encoding = UG_EO_BYTESTRING,
                            .body = SI("\x01\x02")},
     B(0x01, 0x01, 0x2C, 0x01, 0x01, 0x02, 0, 0, 0, 0x01, 0x02)},
    {"ExtensionObject xml", UG_TYPE_EXTENSIONOBJECT,
     &(ug_extension_object){.type_id = {.id.numeric = 2}, .encoding = UG_EO_XML, .body = SI("<b/>")},
     B(0x00, 0x02, 0x02, 0x04, 0, 0, 0, '<', 'b', '/', '>')},
    {"DataValue", UG_TYPE_DATAVALUE,
     &(ug_datavalue){.mask = UG_DV_VALUE | UG_DV_SOURCE_TIMESTAMP | UG_DV_SERVER_TIMESTAMP,
                     .source_ts = 1, .server_ts = 2,
                     .value = {.type = UG_TYPE_INT32, .array_len = UG_SCALAR, .u.v.int32 = 5}},
     B(0x0D, 0x06, 0x05, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0)},
    {"DataValue all", UG_TYPE_DATAVALUE,
     &(ug_datavalue){.mask = 0x3F, .status = 0x40000000, .source_ts = 3, .source_ps = 9999,
                     .server_ts = 4, .server_ps = 1,
                     .value = {.type = UG_TYPE_BOOLEAN, .array_len = UG_SCALAR, .u.v.boolean = true}},
     B(0x3F, 0x01, 0x01, 0, 0, 0, 0x40, 3, 0, 0, 0, 0, 0, 0, 0, 0x0F, 0x27, 4, 0, 0, 0, 0, 0, 0,
       0, 1, 0)},
    {"DataValue empty", UG_TYPE_DATAVALUE, &(ug_datavalue){.value = {.array_len = UG_SCALAR}}, B(0x00)},
    {"Variant Int32", UG_TYPE_VARIANT,
     &(ug_variant){.type = UG_TYPE_INT32, .array_len = UG_SCALAR, .u.v.int32 = -1},
     B(0x06, 0xFF, 0xFF, 0xFF, 0xFF)},
    {"Variant null", UG_TYPE_VARIANT, &(ug_variant){.array_len = UG_SCALAR}, B(0x00)},
    {"Variant array", UG_TYPE_VARIANT,
     &(ug_variant){.type = UG_TYPE_INT32, .array_len = 2, .u.arr = arr_i32},
     B(0x86, 0x02, 0, 0, 0, 0x01, 0, 0, 0, 0xFE, 0xFF, 0xFF, 0xFF)},
    {"Variant matrix", UG_TYPE_VARIANT,
     &(ug_variant){.type = UG_TYPE_INT32, .array_len = 2, .ndims = 2, .dims = (const int32_t[]){1, 2},
                   .u.arr = arr_i32},
     B(0xC6, 0x02, 0, 0, 0, 0x01, 0, 0, 0, 0xFE, 0xFF, 0xFF, 0xFF, 0x02, 0, 0, 0, 0x01, 0, 0, 0,
       0x02, 0, 0, 0)},
    {"Variant null array", UG_TYPE_VARIANT, &(ug_variant){.type = UG_TYPE_STRING, .array_len = -1},
     B(0x8C, 0xFF, 0xFF, 0xFF, 0xFF)},
    {"DiagnosticInfo", UG_TYPE_DIAGNOSTICINFO,
     &(ug_diagnostic_info){.mask = UG_DI_SYMBOLIC_ID | UG_DI_LOCALE | UG_DI_LOCALIZED_TEXT |
                                   UG_DI_ADDITIONAL_INFO | UG_DI_INNER_DIAG,
                           .symbolic_id = 1, .locale = 2, .localized_text = 3,
                           .additional_info = SI("hi"), .inner = (ug_diagnostic_info *)&diag_inner},
     B(0x5D, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 'h', 'i', 0x20, 0x00, 0x00, 0x07, 0x80)},
};
#define NVECS (sizeof vecs / sizeof vecs[0])

typedef union {
    ug_variant v;
    ug_datavalue dv;
    ug_diagnostic_info di;
    ug_expanded_nodeid x;
    ug_extension_object eo;
    uint8_t raw[128];
} any_value;

static _Alignas(8) uint8_t arena_buf[1 << 16];

/* ug_test_guard with len 0 hands back the guard page itself, which
 * ug_test_guard_free cannot unmap; take one byte and step over it instead. */
static const uint8_t zeros[256];

static uint8_t *guard(const void *data, size_t len)
{
    if (len == 0) {
        uint8_t *p = ug_test_guard(zeros, 1);
        return p ? p + 1 : NULL;
    }
    return ug_test_guard(data ? data : zeros, len);
}

static void guard_free(uint8_t *p, size_t len) { ug_test_guard_free(len ? p : p - 1); }

static void test_vectors_decode(void)
{
    ug_arena arena;
    for (size_t i = 0; i < NVECS; i++) {
        const struct vec *t = &vecs[i];
        ug_arena_init(&arena, arena_buf, sizeof arena_buf, false);
        uint8_t *in = ug_test_guard(t->bytes, t->len);
        CU_ASSERT_PTR_NOT_NULL_FATAL(in);
        any_value out;
        memset(&out, 0x5A, sizeof out);
        ug_status st = ug_decode_element(in, t->len, t->type, &out, NULL, &arena);
        if (st != UG_STATUS_GOOD || !ug_element_eq(t->type, t->value, &out))
            fprintf(stderr, "vector %s: status %08x\n", t->name, st);
        CU_ASSERT_EQUAL(st, UG_STATUS_GOOD);
        CU_ASSERT(ug_element_eq(t->type, t->value, &out));
        ug_test_guard_free(in);
    }
}

static void test_vectors_encode(void)
{
    for (size_t i = 0; i < NVECS; i++) {
        const struct vec *t = &vecs[i];
        uint8_t buf[256];
        size_t len = 0;
        ug_status st = ug_encode_element(buf, sizeof buf, t->type, t->value, &len);
        int same = st == UG_STATUS_GOOD && len == t->len && memcmp(buf, t->bytes, len) == 0;
        if (!same)
            fprintf(stderr, "vector %s: status %08x len %zu want %zu\n", t->name, st, len, t->len);
        CU_ASSERT(same);
    }
}

/* Count mode, then every too-small buffer ending at a guard page: the exact
 * size is reported and nothing is written past cap. */
static void test_vectors_encode_short(void)
{
    for (size_t i = 0; i < NVECS; i++) {
        const struct vec *t = &vecs[i];
        size_t len = 0;
        CU_ASSERT_EQUAL(ug_encode_element(NULL, 0, t->type, t->value, &len),
                        UG_STATUS_BADENCODINGLIMITSEXCEEDED);
        CU_ASSERT_EQUAL(len, t->len);
        for (size_t cap = 0; cap < t->len; cap++) {
            uint8_t *buf = guard(NULL, cap);
            CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
            len = 0;
            CU_ASSERT_EQUAL(ug_encode_element(buf, cap, t->type, t->value, &len),
                            UG_STATUS_BADENCODINGLIMITSEXCEEDED);
            CU_ASSERT_EQUAL(len, t->len);
            guard_free(buf, cap);
        }
        uint8_t *buf = guard(NULL, t->len);
        CU_ASSERT_EQUAL(ug_encode_element(buf, t->len, t->type, t->value, &len), UG_STATUS_GOOD);
        CU_ASSERT(memcmp(buf, t->bytes, t->len) == 0);
        ug_test_guard_free(buf);
    }
}

/* Every strict prefix of a valid encoding is a truncated value. */
static void test_vectors_truncated(void)
{
    ug_arena arena;
    for (size_t i = 0; i < NVECS; i++) {
        const struct vec *t = &vecs[i];
        for (size_t n = 0; n < t->len; n++) {
            ug_arena_init(&arena, arena_buf, sizeof arena_buf, false);
            uint8_t *in = guard(t->bytes, n);
            any_value out;
            ug_status st = ug_decode_element(in, n, t->type, &out, NULL, &arena);
            if (st != UG_STATUS_BADDECODINGERROR)
                fprintf(stderr, "vector %s cut at %zu: status %08x\n", t->name, n, st);
            CU_ASSERT_EQUAL(st, UG_STATUS_BADDECODINGERROR);
            guard_free(in, n);
        }
    }
}

static void test_trailing_bytes(void)
{
    int32_t v;
    const uint8_t in[] = {1, 0, 0, 0, 0};
    CU_ASSERT_EQUAL(ug_decode_element(in, 5, UG_TYPE_INT32, &v, NULL, NULL), UG_STATUS_BADDECODINGERROR);
    CU_ASSERT_EQUAL(ug_decode_element(in, 4, UG_TYPE_INT32, &v, NULL, NULL), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(v, 1);
}

static void test_boolean_nonzero(void)
{
    bool b = false;
    CU_ASSERT_EQUAL(ug_decode_element((const uint8_t[]){0x7F}, 1, UG_TYPE_BOOLEAN, &b, NULL, NULL),
                    UG_STATUS_GOOD);
    CU_ASSERT(b == true);
    uint8_t out[1];
    size_t len;
    CU_ASSERT_EQUAL(ug_encode_element(out, 1, UG_TYPE_BOOLEAN, &b, &len), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(out[0], 1);
    /* Arrays normalise each element too. */
    ug_arena arena;
    ug_arena_init(&arena, arena_buf, sizeof arena_buf, false);
    ug_rd rd;
    const uint8_t in[] = {3, 0, 0, 0, 0, 2, 0xFF};
    ug_rd_init(&rd, in, sizeof in, NULL, &arena);
    int32_t n;
    const bool *arr = ug_rd_array(&rd, UG_TYPE_BOOLEAN, &n);
    CU_ASSERT_EQUAL_FATAL(rd.err, UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(n, 3);
    CU_ASSERT(!arr[0] && arr[1] && arr[2]);
    CU_ASSERT_EQUAL(((const uint8_t *)arr)[2], 1);
}

static void test_float_bits(void)
{
    /* Signalling NaN with a payload, and -0: kept bit for bit. */
    const uint8_t fnan[] = {0x01, 0x00, 0xA0, 0x7F};
    const uint8_t dnan[] = {0xEF, 0xBE, 0xAD, 0xDE, 0x00, 0x00, 0xF4, 0xFF};
    float f;
    double d;
    uint8_t out[8];
    size_t len;
    CU_ASSERT_EQUAL(ug_decode_element(fnan, 4, UG_TYPE_FLOAT, &f, NULL, NULL), UG_STATUS_GOOD);
    CU_ASSERT(isnan(f));
    CU_ASSERT_EQUAL(ug_encode_element(out, 8, UG_TYPE_FLOAT, &f, &len), UG_STATUS_GOOD);
    CU_ASSERT(len == 4 && memcmp(out, fnan, 4) == 0);
    CU_ASSERT_EQUAL(ug_decode_element(dnan, 8, UG_TYPE_DOUBLE, &d, NULL, NULL), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_encode_element(out, 8, UG_TYPE_DOUBLE, &d, &len), UG_STATUS_GOOD);
    CU_ASSERT(len == 8 && memcmp(out, dnan, 8) == 0);
    double nz = -0.0, pz = 0.0, other_nan;
    CU_ASSERT(!ug_element_eq(UG_TYPE_DOUBLE, &nz, &pz));
    CU_ASSERT(ug_element_eq(UG_TYPE_DOUBLE, &d, &d));
    memcpy(&other_nan, (const uint8_t[]){0xEE, 0xBE, 0xAD, 0xDE, 0x00, 0x00, 0xF4, 0xFF}, 8);
    CU_ASSERT(!ug_element_eq(UG_TYPE_DOUBLE, &d, &other_nan));
}

static void test_expanded_ns_with_uri(void)
{
    /* Part 6 §5.2.2.10: with a NamespaceUri the index is encoded as 0. */
    ug_expanded_nodeid x = {.node = {.ns = 7, .id.numeric = 5}, .namespace_uri = SI("u")};
    uint8_t out[16];
    size_t len;
    CU_ASSERT_EQUAL(ug_encode_element(out, sizeof out, UG_TYPE_EXPANDEDNODEID, &x, &len), UG_STATUS_GOOD);
    const uint8_t want[] = {0x80, 0x05, 0x01, 0, 0, 0, 'u'};
    CU_ASSERT(len == sizeof want && memcmp(out, want, len) == 0);
    /* Fuzzer finding: a nonzero index next to a URI is ignored on decode, so
     * decode-encode-decode is stable. */
    const uint8_t in[] = {0xC2, 0x00, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    ug_expanded_nodeid got;
    CU_ASSERT_EQUAL(ug_decode_element(in, sizeof in, UG_TYPE_EXPANDEDNODEID, &got, NULL, NULL), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(got.node.ns, 0);
    CU_ASSERT_EQUAL(got.namespace_uri.len, 0);
    CU_ASSERT_EQUAL(got.server_index, 0);
    /* The flag with a null URI keeps the index (nothing replaces it). */
    const uint8_t in2[] = {0x81, 0x03, 0x01, 0x00, 0xFF, 0xFF, 0xFF, 0xFF};
    CU_ASSERT_EQUAL(ug_decode_element(in2, sizeof in2, UG_TYPE_EXPANDEDNODEID, &got, NULL, NULL), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(got.node.ns, 3);
    CU_ASSERT_EQUAL(got.namespace_uri.len, -1);
}

struct bad {
    const char *name;
    unsigned type;
    const uint8_t *bytes;
    size_t len;
    ug_status want;
};

static const ug_limits small_lim = {.max_string_len = 3, .max_array_len = 2, .max_depth = 4,
                                    .max_message_size = 64};

static const struct bad bads[] = {
    {"NodeId encoding 6", UG_TYPE_NODEID, B(0x06, 0, 0), UG_STATUS_BADDECODINGERROR},
    {"NodeId encoding 0x3F", UG_TYPE_NODEID, B(0x3F, 0, 0), UG_STATUS_BADDECODINGERROR},
    {"NodeId with uri flag", UG_TYPE_NODEID, B(0x80, 0x01, 0, 0, 0, 0), UG_STATUS_BADDECODINGERROR},
    {"NodeId with server flag", UG_TYPE_NODEID, B(0x40, 0x01, 0, 0, 0, 0), UG_STATUS_BADDECODINGERROR},
    {"ExpandedNodeId encoding 7", UG_TYPE_EXPANDEDNODEID, B(0x87, 0, 0, 0, 0, 0), UG_STATUS_BADDECODINGERROR},
    {"String length -2", UG_TYPE_STRING, B(0xFE, 0xFF, 0xFF, 0xFF), UG_STATUS_BADDECODINGERROR},
    {"String min int", UG_TYPE_STRING, B(0, 0, 0, 0x80), UG_STATUS_BADDECODINGERROR},
    {"String over limit", UG_TYPE_STRING, B(4, 0, 0, 0, 'a', 'b', 'c', 'd'),
     UG_STATUS_BADENCODINGLIMITSEXCEEDED},
    {"String over buffer", UG_TYPE_STRING, B(3, 0, 0, 0, 'a', 'b'), UG_STATUS_BADDECODINGERROR},
    {"ByteString over limit", UG_TYPE_BYTESTRING, B(0xFF, 0xFF, 0xFF, 0x7F), UG_STATUS_BADENCODINGLIMITSEXCEEDED},
    {"ExtensionObject encoding 3", UG_TYPE_EXTENSIONOBJECT, B(0x00, 0x01, 0x03), UG_STATUS_BADDECODINGERROR},
    {"ExtensionObject body over limit", UG_TYPE_EXTENSIONOBJECT, B(0x00, 0x01, 0x01, 4, 0, 0, 0, 1, 2, 3, 4),
     UG_STATUS_BADENCODINGLIMITSEXCEEDED},
};

static void test_bad_inputs(void)
{
    ug_arena arena;
    for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
        const struct bad *t = &bads[i];
        ug_arena_init(&arena, arena_buf, sizeof arena_buf, false);
        uint8_t *in = ug_test_guard(t->bytes, t->len);
        any_value out;
        ug_status st = ug_decode_element(in, t->len, t->type, &out, &small_lim, &arena);
        if (st != t->want)
            fprintf(stderr, "%s: status %08x want %08x\n", t->name, st, t->want);
        CU_ASSERT_EQUAL(st, t->want);
        ug_test_guard_free(in);
    }
}

static void test_string_limit_boundary(void)
{
    ug_string s;
    const uint8_t in[] = {3, 0, 0, 0, 'a', 'b', 'c'};
    CU_ASSERT_EQUAL(ug_decode_element(in, sizeof in, UG_TYPE_STRING, &s, &small_lim, NULL), UG_STATUS_GOOD);
    CU_ASSERT(s.len == 3 && s.data == in + 4); /* a view, not a copy */
}

static void test_message_size_limit(void)
{
    uint8_t big[65] = {0};
    ug_rd rd;
    ug_rd_init(&rd, big, sizeof big, &small_lim, NULL);
    CU_ASSERT_EQUAL(rd.err, UG_STATUS_BADENCODINGLIMITSEXCEEDED);
    CU_ASSERT_EQUAL(ug_rd_u8(&rd), 0);
    ug_rd_init(&rd, big, 64, &small_lim, NULL);
    CU_ASSERT_EQUAL(rd.err, UG_STATUS_GOOD);
    ug_rd_init(&rd, NULL, 0, NULL, NULL);
    CU_ASSERT_EQUAL(rd.lim, &ug_limits_default);
    CU_ASSERT_EQUAL(ug_rd_left(&rd), 0);
}

static void test_sticky_error(void)
{
    const uint8_t in[] = {1, 2, 3, 4, 5};
    ug_rd rd;
    ug_rd_init(&rd, in, sizeof in, NULL, NULL);
    CU_ASSERT_EQUAL(ug_rd_u16(&rd), 0x0201);
    CU_ASSERT_EQUAL(ug_rd_u32(&rd), 0); /* 3 left: fails */
    CU_ASSERT_EQUAL(rd.err, UG_STATUS_BADDECODINGERROR);
    CU_ASSERT_EQUAL(ug_rd_offset(&rd), 2);
    CU_ASSERT_EQUAL(ug_rd_u8(&rd), 0); /* later reads yield zero, even if bytes remain */
    ug_string s = ug_rd_string(&rd);
    CU_ASSERT_EQUAL(s.len, -1);
    CU_ASSERT_EQUAL(rd.err, UG_STATUS_BADDECODINGERROR);
}

static void test_arrays(void)
{
    ug_arena arena;
    ug_rd rd;
    int32_t n;
    /* Null and empty arrays allocate nothing. */
    ug_arena_init(&arena, arena_buf, sizeof arena_buf, false);
    ug_rd_init(&rd, (const uint8_t[]){0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0}, 8, NULL, &arena);
    CU_ASSERT_PTR_NULL(ug_rd_array(&rd, UG_TYPE_STRING, &n));
    CU_ASSERT_EQUAL(n, -1);
    CU_ASSERT_PTR_NULL(ug_rd_array(&rd, UG_TYPE_STRING, &n));
    CU_ASSERT_EQUAL(n, 0);
    CU_ASSERT_EQUAL(rd.err, UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(arena.used, 0);

    /* Array of strings round trip. */
    const ug_string strs[] = {S("a"), {NULL, -1}, S("")};
    uint8_t buf[64];
    ug_wr wr;
    ug_wr_init(&wr, buf, sizeof buf);
    ug_wr_array(&wr, UG_TYPE_STRING, strs, 3);
    CU_ASSERT_EQUAL_FATAL(ug_wr_finish(&wr), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(wr.len, 4 + 5 + 4 + 4);
    ug_rd_init(&rd, buf, wr.len, NULL, &arena);
    const ug_string *got = ug_rd_array(&rd, UG_TYPE_STRING, &n);
    CU_ASSERT_EQUAL_FATAL(rd.err, UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(n, 3);
    for (int i = 0; i < 3; i++)
        CU_ASSERT(ug_bytes_eq(got[i], strs[i]));

    /* Guid and DateTime arrays are copied wholesale. */
    const ug_guid guids[2] = {guid_ex, {1, 2, 3, {4, 5, 6, 7, 8, 9, 10, 11}}};
    ug_wr_init(&wr, buf, sizeof buf);
    ug_wr_array(&wr, UG_TYPE_GUID, guids, 2);
    CU_ASSERT_EQUAL_FATAL(ug_wr_finish(&wr), UG_STATUS_GOOD);
    CU_ASSERT(memcmp(buf + 4, (const uint8_t[]){GUID_EX_BYTES}, 16) == 0);
    ug_rd_init(&rd, buf, wr.len, NULL, &arena);
    const ug_guid *g = ug_rd_array(&rd, UG_TYPE_GUID, &n);
    CU_ASSERT_EQUAL_FATAL(rd.err, UG_STATUS_GOOD);
    CU_ASSERT(n == 2 && ug_guid_eq(&g[0], &guids[0]) && ug_guid_eq(&g[1], &guids[1]));
    CU_ASSERT_EQUAL((uintptr_t)g % 8, 0);
}

static void test_array_errors(void)
{
    ug_arena arena;
    ug_rd rd;
    int32_t n;
    _Alignas(8) uint8_t small[8];

    /* Length below -1. */
    ug_arena_init(&arena, arena_buf, sizeof arena_buf, false);
    ug_rd_init(&rd, B(0xFE, 0xFF, 0xFF, 0xFF), NULL, &arena);
    CU_ASSERT_PTR_NULL(ug_rd_array(&rd, UG_TYPE_INT32, &n));
    CU_ASSERT_EQUAL(rd.err, UG_STATUS_BADDECODINGERROR);

    /* Over the limit. */
    ug_rd_init(&rd, B(3, 0, 0, 0, 1, 2, 3), &small_lim, &arena);
    ug_rd_array(&rd, UG_TYPE_BYTE, &n);
    CU_ASSERT_EQUAL(rd.err, UG_STATUS_BADENCODINGLIMITSEXCEEDED);

    /* Longer than the bytes left (4-byte elements): refused before allocating. */
    ug_rd_init(&rd, B(2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0), NULL, &arena);
    ug_rd_array(&rd, UG_TYPE_INT32, &n);
    CU_ASSERT_EQUAL(rd.err, UG_STATUS_BADDECODINGERROR);
    CU_ASSERT_EQUAL(arena.used, 0);
    ug_rd_init(&rd, B(0xFF, 0xFF, 0, 0, 0), NULL, &arena); /* 65535 Variants, 1 byte */
    ug_rd_array(&rd, UG_TYPE_VARIANT, &n);
    CU_ASSERT_EQUAL(rd.err, UG_STATUS_BADDECODINGERROR);
    CU_ASSERT_EQUAL(arena.used, 0);

    /* No arena, and an exhausted one. */
    ug_rd_init(&rd, B(1, 0, 0, 0, 7), NULL, NULL);
    ug_rd_array(&rd, UG_TYPE_BYTE, &n);
    CU_ASSERT_EQUAL(rd.err, UG_STATUS_BADOUTOFMEMORY);
    ug_arena_init(&arena, small, sizeof small, false);
    ug_rd_init(&rd, B(3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0), NULL, &arena);
    ug_rd_array(&rd, UG_TYPE_INT32, &n);
    CU_ASSERT_EQUAL(rd.err, UG_STATUS_BADOUTOFMEMORY);

    /* Caller errors. */
    ug_rd_init(&rd, B(0, 0, 0, 0), NULL, NULL);
    ug_rd_array(&rd, 26, &n);
    CU_ASSERT_EQUAL(rd.err, UG_STATUS_BADINVALIDARGUMENT);
    ug_wr wr;
    ug_wr_init(&wr, NULL, 0);
    ug_wr_array(&wr, UG_TYPE_INT32, NULL, 2);
    CU_ASSERT_EQUAL(ug_wr_finish(&wr), UG_STATUS_BADENCODINGERROR);
    ug_wr_init(&wr, NULL, 0);
    ug_wr_array(&wr, UG_TYPE_INT32, NULL, -2);
    CU_ASSERT_EQUAL(ug_wr_finish(&wr), UG_STATUS_BADENCODINGERROR);
    ug_wr_init(&wr, NULL, 0);
    ug_wr_array(&wr, UG_TYPE_INT32, NULL, -1);
    CU_ASSERT_EQUAL(wr.len, 4);
}

static void test_encode_errors(void)
{
    size_t len;
    ug_nodeid bad_id = {.id_type = 9};
    CU_ASSERT_EQUAL(ug_encode_element(NULL, 0, UG_TYPE_NODEID, &bad_id, &len), UG_STATUS_BADENCODINGERROR);
    ug_extension_object eo = {.encoding = 3};
    CU_ASSERT_EQUAL(ug_encode_element(NULL, 0, UG_TYPE_EXTENSIONOBJECT, &eo, &len),
                    UG_STATUS_BADENCODINGERROR);
    ug_string no_data = {NULL, 3};
    CU_ASSERT_EQUAL(ug_encode_element(NULL, 0, UG_TYPE_STRING, &no_data, &len), UG_STATUS_BADENCODINGERROR);
    int32_t x = 0;
    CU_ASSERT_EQUAL(ug_encode_element(NULL, 0, 0, &x, &len), UG_STATUS_BADINVALIDARGUMENT);
    CU_ASSERT_EQUAL(ug_encode_element(NULL, 0, 26, &x, &len), UG_STATUS_BADINVALIDARGUMENT);
    CU_ASSERT_EQUAL(ug_decode_element(B(0), UG_TYPE_NULL, &x, NULL, NULL), UG_STATUS_BADINVALIDARGUMENT);
}

static void test_type_metadata(void)
{
    CU_ASSERT_STRING_EQUAL(ug_type_name(0), "Null");
    CU_ASSERT_STRING_EQUAL(ug_type_name(UG_TYPE_INT32), "Int32");
    CU_ASSERT_STRING_EQUAL(ug_type_name(UG_TYPE_DIAGNOSTICINFO), "DiagnosticInfo");
    CU_ASSERT_PTR_NULL(ug_type_name(26));
    for (unsigned t = 0; t <= UG_TYPE_MAX; t++)
        CU_ASSERT_EQUAL(ug_type_from_name(ug_type_name(t), -1), (int)t);
    CU_ASSERT_EQUAL(ug_type_from_name("Int32x", 5), UG_TYPE_INT32);
    CU_ASSERT_EQUAL(ug_type_from_name("Int", -1), -1);
    CU_ASSERT_EQUAL(ug_type_from_name("int32", -1), -1);
    CU_ASSERT_EQUAL(ug_type_size(UG_TYPE_NULL), 0);
    CU_ASSERT_EQUAL(ug_type_size(26), 0);
    CU_ASSERT_EQUAL(ug_type_size(UG_TYPE_BOOLEAN), sizeof(bool));
    CU_ASSERT_EQUAL(ug_type_size(UG_TYPE_VARIANT), sizeof(ug_variant));
    CU_ASSERT_EQUAL(ug_type_size(UG_TYPE_EXPANDEDNODEID), sizeof(ug_expanded_nodeid));
    CU_ASSERT_EQUAL(ug_type_wire_size(UG_TYPE_GUID), 16);
    CU_ASSERT_EQUAL(ug_type_wire_size(UG_TYPE_DATETIME), 8);
    CU_ASSERT_EQUAL(ug_type_wire_size(UG_TYPE_STATUSCODE), 4);
    CU_ASSERT_EQUAL(ug_type_wire_size(UG_TYPE_STRING), 0);
    CU_ASSERT_EQUAL(ug_type_wire_size(UG_TYPE_VARIANT), 0);
}

static void test_bytes_eq(void)
{
    CU_ASSERT(ug_bytes_eq(UG_NULL_BYTES, UG_NULL_BYTES));
    CU_ASSERT(!ug_bytes_eq(UG_NULL_BYTES, S("")));
    CU_ASSERT(ug_bytes_eq(S(""), (ug_bytes){NULL, 0}));
    CU_ASSERT(ug_bytes_eq(S("ab"), ug_string_from("ab")));
    CU_ASSERT(!ug_bytes_eq(S("ab"), S("ac")));
    CU_ASSERT_EQUAL(ug_string_from(NULL).len, -1);
    ug_nodeid a = {.ns = 1, .id_type = UG_ID_STRING, .id.string = SI("x")};
    ug_nodeid b = a;
    CU_ASSERT(ug_nodeid_eq(&a, &b));
    b.ns = 2;
    CU_ASSERT(!ug_nodeid_eq(&a, &b));
}

static CU_TestInfo tests[] = {
    {"vectors decode", test_vectors_decode},
    {"vectors encode", test_vectors_encode},
    {"vectors encode into short buffers", test_vectors_encode_short},
    {"vectors truncated at every byte", test_vectors_truncated},
    {"trailing bytes", test_trailing_bytes},
    {"boolean nonzero", test_boolean_nonzero},
    {"float bits", test_float_bits},
    {"expanded nodeid ns with uri", test_expanded_ns_with_uri},
    {"bad inputs", test_bad_inputs},
    {"string limit boundary", test_string_limit_boundary},
    {"message size limit", test_message_size_limit},
    {"sticky error", test_sticky_error},
    {"arrays", test_arrays},
    {"array errors", test_array_errors},
    {"encode errors", test_encode_errors},
    {"type metadata", test_type_metadata},
    {"bytes eq", test_bytes_eq},
    CU_TEST_INFO_NULL,
};

int main(void) { return ug_test_main("binary", tests); }
