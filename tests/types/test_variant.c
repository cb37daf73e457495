/* Variant, DataValue, DiagnosticInfo (types/variant.c): round trips of every
 * built-in type as scalar, array and matrix; truncation behind a guard page;
 * bad type ids, lengths and dimensions; nesting limits; arena failures;
 * encoder errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "uagate/binary.h"

#define S(lit) ((ug_string){(const uint8_t *)(lit), (int32_t)sizeof(lit) - 1})
#define B(...) (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})

static _Alignas(8) uint8_t arena_buf[1 << 20];
static const uint8_t zeros[256];

static uint8_t *guard(const void *data, size_t len)
{
    if (len == 0) { /* see test_binary.c: step over one byte */
        uint8_t *p = ug_test_guard(zeros, 1);
        return p ? p + 1 : NULL;
    }
    return ug_test_guard(data ? data : zeros, len);
}

static void guard_free(uint8_t *p, size_t len) { ug_test_guard_free(len ? p : p - 1); }

/* Storage for the values that nested elements point at. */
static ug_diagnostic_info diag_pool[64];
static int32_t i32_pool[64];
static size_t pool_next;

/* A distinct value of element type `t` for seed i, written into `out`. */
static void make_elem(unsigned t, unsigned i, void *out)
{
    static const char *const words[] = {"alpha", "", "\xe6\xb0\xb4", "delta"};
    ug_string w = ug_string_from(words[i % 4]);
    switch (t) {
    case UG_TYPE_BOOLEAN: *(bool *)out = i & 1; break;
    case UG_TYPE_SBYTE: *(int8_t *)out = (int8_t)(-1 - (int)i); break;
    case UG_TYPE_BYTE: *(uint8_t *)out = (uint8_t)(200 + i); break;
    case UG_TYPE_INT16: *(int16_t *)out = (int16_t)(-300 * (int)(i + 1)); break;
    case UG_TYPE_UINT16: *(uint16_t *)out = (uint16_t)(60000 + i); break;
    case UG_TYPE_INT32: *(int32_t *)out = -100000 * (int32_t)(i + 1); break;
    case UG_TYPE_UINT32: *(uint32_t *)out = 0xF0000000u + i; break;
    case UG_TYPE_INT64: *(int64_t *)out = -(1LL << 40) - i; break;
    case UG_TYPE_UINT64: *(uint64_t *)out = (1ULL << 63) + i; break;
    case UG_TYPE_FLOAT: *(float *)out = 1.5f * (float)(i + 1); break;
    case UG_TYPE_DOUBLE: *(double *)out = -2.25 * (i + 1); break;
    case UG_TYPE_STRING:
    case UG_TYPE_BYTESTRING:
    case UG_TYPE_XMLELEMENT: *(ug_string *)out = i == 3 ? UG_NULL_BYTES : w; break;
    case UG_TYPE_DATETIME: *(ug_datetime *)out = UG_DATETIME_UNIX_EPOCH + i; break;
    case UG_TYPE_GUID: *(ug_guid *)out = (ug_guid){0x12345678u + i, 0x9ABC, 0xDEF0, {1, 2, 3, 4, 5, 6, 7, (uint8_t)i}}; break;
    case UG_TYPE_NODEID: {
        ug_nodeid *n = out;
        memset(n, 0, sizeof *n);
        n->ns = (uint16_t)(i * 200);
        n->id_type = (uint8_t)(i % 4);
        switch (n->id_type) {
        case UG_ID_NUMERIC: n->id.numeric = 70000 * i + 3; break;
        case UG_ID_STRING: n->id.string = w; break;
        case UG_ID_GUID: make_elem(UG_TYPE_GUID, i, &n->id.guid); break;
        default: n->id.opaque = S("\x00\x01"); break;
        }
        break;
    }
    case UG_TYPE_EXPANDEDNODEID: {
        ug_expanded_nodeid *x = out;
        make_elem(UG_TYPE_NODEID, i, &x->node);
        x->namespace_uri = (i & 1) ? S("urn:x") : UG_NULL_BYTES;
        if (i & 1)
            x->node.ns = 0; /* written as 0 with a URI */
        x->server_index = i;
        break;
    }
    case UG_TYPE_STATUSCODE: *(ug_status *)out = UG_STATUS_BADDECODINGERROR + i; break;
    case UG_TYPE_QUALIFIEDNAME: *(ug_qualified_name *)out = (ug_qualified_name){(uint16_t)i, w}; break;
    case UG_TYPE_LOCALIZEDTEXT:
        *(ug_localized_text *)out = (ug_localized_text){(i & 1) ? S("de") : UG_NULL_BYTES,
                                                         (i & 2) ? UG_NULL_BYTES : w};
        break;
    case UG_TYPE_EXTENSIONOBJECT: {
        ug_extension_object *e = out;
        memset(e, 0, sizeof *e);
        e->type_id.id.numeric = 100 + i;
        e->encoding = (uint8_t)(i % 3);
        e->body = e->encoding ? S("\x01\x02\x03") : UG_NULL_BYTES;
        break;
    }
    case UG_TYPE_DATAVALUE: {
        ug_datavalue *d = out;
        memset(d, 0, sizeof *d);
        d->mask = (uint8_t)(0x3F >> (i % 4));
        d->value = ug_variant_scalar(UG_TYPE_DOUBLE);
        d->value.u.v.f64 = 0.5 + i;
        d->status = 0x40000000u;
        d->source_ts = 11 + i;
        d->server_ts = 22 + i;
        d->source_ps = 33;
        d->server_ps = 44;
        break;
    }
    case UG_TYPE_VARIANT: {
        ug_variant *v = out;
        if (i % 2 == 0) {
            *v = ug_variant_scalar(UG_TYPE_STRING);
            v->u.v.string = w;
        } else {
            int32_t *arr = &i32_pool[pool_next++ * 2 % 64];
            arr[0] = (int32_t)i;
            arr[1] = -(int32_t)i;
            *v = (ug_variant){.type = UG_TYPE_INT32, .array_len = 2, .u.arr = arr};
        }
        break;
    }
    case UG_TYPE_DIAGNOSTICINFO: {
        ug_diagnostic_info *d = out;
        memset(d, 0, sizeof *d);
        d->mask = (uint8_t)(0x3F >> (i % 3));
        d->symbolic_id = 1;
        d->namespace_uri = 2;
        d->localized_text = 3;
        d->locale = 4;
        d->additional_info = w;
        d->inner_status = 0x80AB0000u;
        if (i % 2) {
            ug_diagnostic_info *in = &diag_pool[pool_next++ % 64];
            memset(in, 0, sizeof *in);
            in->mask = UG_DI_SYMBOLIC_ID;
            in->symbolic_id = 7;
            d->mask |= UG_DI_INNER_DIAG;
            d->inner = in;
        }
        break;
    }
    default: break;
    }
}

typedef union {
    ug_expanded_nodeid x;
    ug_extension_object eo;
    ug_datavalue dv;
    ug_diagnostic_info di;
    uint8_t raw[128];
} elem_storage;

static elem_storage boxed[32];

static ug_variant make_scalar(unsigned t, unsigned i)
{
    ug_variant v = ug_variant_scalar((uint8_t)t);
    switch (t) {
    case UG_TYPE_EXPANDEDNODEID:
    case UG_TYPE_EXTENSIONOBJECT:
    case UG_TYPE_DATAVALUE:
    case UG_TYPE_DIAGNOSTICINFO: {
        void *p = &boxed[t % 32];
        make_elem(t, i, p);
        if (t == UG_TYPE_EXPANDEDNODEID)
            v.u.v.expanded = p;
        else if (t == UG_TYPE_EXTENSIONOBJECT)
            v.u.v.extobj = p;
        else if (t == UG_TYPE_DATAVALUE)
            v.u.v.datavalue = p;
        else
            v.u.v.diag = p;
        break;
    }
    default: make_elem(t, i, &v.u.v); break;
    }
    return v;
}

static ug_variant make_array(unsigned t, int32_t n, void *store)
{
    size_t sz = ug_type_size(t);
    for (int32_t i = 0; i < n; i++)
        make_elem(t, (unsigned)i, (uint8_t *)store + (size_t)i * sz);
    return (ug_variant){.type = (uint8_t)t, .array_len = n, .u.arr = store};
}

/* Encode, decode behind a guard page, compare; then every prefix must fail
 * with BadDecodingError and every short output buffer must report the size. */
static void check_round_trip(const ug_variant *v, const char *what)
{
    static uint8_t buf[4096];
    size_t need;
    ug_status st = ug_encode_element(NULL, 0, UG_TYPE_VARIANT, v, &need);
    CU_ASSERT_EQUAL(st, UG_STATUS_BADENCODINGLIMITSEXCEEDED);
    CU_ASSERT_FATAL(need > 0 && need <= sizeof buf);
    size_t len;
    CU_ASSERT_EQUAL_FATAL(ug_encode_element(buf, sizeof buf, UG_TYPE_VARIANT, v, &len), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(len, need);

    ug_arena arena;
    ug_arena_init(&arena, arena_buf, sizeof arena_buf, false);
    uint8_t *in = guard(buf, len);
    ug_variant out;
    st = ug_decode_element(in, len, UG_TYPE_VARIANT, &out, NULL, &arena);
    bool eq = st == UG_STATUS_GOOD && ug_variant_eq(v, &out);
    if (!eq)
        fprintf(stderr, "%s type %u: status %08x\n", what, v->type, st);
    CU_ASSERT(eq);
    guard_free(in, len);

    for (size_t n = 0; n < len; n++) {
        ug_arena_init(&arena, arena_buf, sizeof arena_buf, false);
        in = guard(buf, n);
        st = ug_decode_element(in, n, UG_TYPE_VARIANT, &out, NULL, &arena);
        if (st != UG_STATUS_BADDECODINGERROR)
            fprintf(stderr, "%s type %u cut at %zu: status %08x\n", what, v->type, n, st);
        CU_ASSERT_EQUAL(st, UG_STATUS_BADDECODINGERROR);
        guard_free(in, n);
    }
    for (size_t cap = 0; cap < len; cap++) {
        uint8_t *o = guard(NULL, cap);
        size_t got = 0;
        CU_ASSERT_EQUAL(ug_encode_element(o, cap, UG_TYPE_VARIANT, v, &got),
                        UG_STATUS_BADENCODINGLIMITSEXCEEDED);
        CU_ASSERT_EQUAL(got, len);
        guard_free(o, cap);
    }
}

static void test_scalars(void)
{
    for (unsigned t = 1; t <= UG_TYPE_MAX; t++) {
        if (t == UG_TYPE_VARIANT)
            continue;
        for (unsigned i = 0; i < 4; i++) {
            ug_variant v = make_scalar(t, i);
            check_round_trip(&v, "scalar");
        }
    }
    ug_variant empty = ug_variant_scalar(UG_TYPE_NULL);
    check_round_trip(&empty, "empty");
}

static void test_arrays(void)
{
    static _Alignas(8) uint8_t store[8 * 128];
    for (unsigned t = 1; t <= UG_TYPE_MAX; t++) {
        for (int32_t n = 0; n <= 5; n += 5) {
            ug_variant v = make_array(t, n, store);
            check_round_trip(&v, "array");
        }
        ug_variant null_arr = {.type = (uint8_t)t, .array_len = -1};
        check_round_trip(&null_arr, "null array");
        /* A 2x3 matrix, and an empty 0x4 one. */
        ug_variant m = make_array(t, 6, store);
        m.ndims = 2;
        m.dims = (const int32_t[]){2, 3};
        check_round_trip(&m, "matrix");
        ug_variant z = {.type = (uint8_t)t, .array_len = 0, .ndims = 2, .dims = (const int32_t[]){0, 4}};
        check_round_trip(&z, "empty matrix");
    }
}

static void test_known_bytes(void)
{
    /* Part 6 §5.2.2.16: String array ["ab", null] as a Variant. */
    const ug_string strs[] = {S("ab"), UG_NULL_BYTES};
    ug_variant v = {.type = UG_TYPE_STRING, .array_len = 2, .u.arr = strs};
    const uint8_t want[] = {0x8C, 2, 0, 0, 0, 2, 0, 0, 0, 'a', 'b', 0xFF, 0xFF, 0xFF, 0xFF};
    uint8_t out[32];
    size_t len;
    CU_ASSERT_EQUAL(ug_encode_element(out, sizeof out, UG_TYPE_VARIANT, &v, &len), UG_STATUS_GOOD);
    CU_ASSERT(len == sizeof want && memcmp(out, want, len) == 0);
    /* Boolean: any nonzero byte decodes as true, encodes as 1. */
    ug_variant b;
    CU_ASSERT_EQUAL(ug_decode_element(B(0x01, 0x80), UG_TYPE_VARIANT, &b, NULL, NULL), UG_STATUS_GOOD);
    CU_ASSERT(b.type == UG_TYPE_BOOLEAN && b.u.v.boolean);
    CU_ASSERT_EQUAL(ug_encode_element(out, sizeof out, UG_TYPE_VARIANT, &b, &len), UG_STATUS_GOOD);
    CU_ASSERT(len == 2 && out[1] == 1);
    /* Scalars of plain types need no arena. */
    CU_ASSERT_EQUAL(ug_decode_element(B(0x0C, 1, 0, 0, 0, 'z'), UG_TYPE_VARIANT, &b, NULL, NULL), UG_STATUS_GOOD);
}

struct bad {
    const char *name;
    const uint8_t *bytes;
    size_t len;
    ug_status want;
};

#define LIMITS UG_STATUS_BADENCODINGLIMITSEXCEEDED
#define DECODE UG_STATUS_BADDECODINGERROR

static const struct bad bads[] = {
    {"scalar Variant in Variant", B(0x18, 0x06, 1, 0, 0, 0), DECODE},
    {"type 26", B(0x1A, 0, 0, 0, 0), DECODE},
    {"type 63", B(0x3F, 0, 0, 0, 0), DECODE},
    {"array of type 26", B(0x9A, 0, 0, 0, 0), DECODE},
    {"array of type 0", B(0x80, 0, 0, 0, 0), DECODE},
    {"dims without array bit", B(0x46, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0), DECODE},
    {"array length -2", B(0x86, 0xFE, 0xFF, 0xFF, 0xFF), DECODE},
    {"array length min int", B(0x86, 0, 0, 0, 0x80), DECODE},
    {"array longer than buffer", B(0x86, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0), DECODE},
    {"array over limit", B(0x83, 0, 0, 1, 0), LIMITS}, /* 65536 > 65535 */
    {"dims product mismatch", B(0xC6, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0),
     DECODE},
    {"negative dim", B(0xC6, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF), DECODE},
    {"two negative dims", B(0xC6, 1, 0, 0, 0, 9, 0, 0, 0, 2, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF),
     DECODE},
    {"zero dims", B(0xC6, 1, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0), DECODE},
    {"null dims", B(0xC6, 1, 0, 0, 0, 9, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF), DECODE},
    {"dims on null array", B(0xC6, 0xFF, 0xFF, 0xFF, 0xFF, 1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF), DECODE},
    {"dims product overflows", B(0xC6, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0), DECODE},
    {"dims count over buffer", B(0xC6, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0), DECODE},
    {"dims count over limit", B(0xC6, 0, 0, 0, 0, 0, 0, 1, 0), LIMITS},
    {"string over limit", B(0x0C, 0, 0, 1, 0), LIMITS},
    {"nested bad type", B(0x98, 1, 0, 0, 0, 0x1B), DECODE},
    {"DataValue with bad variant", B(0x17, 0x01, 0x3E), DECODE},
    {"ExtensionObject bad encoding", B(0x16, 0x00, 0x01, 0x07), DECODE},
};

static void test_bad_inputs(void)
{
    ug_arena arena;
    for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
        const struct bad *t = &bads[i];
        ug_arena_init(&arena, arena_buf, sizeof arena_buf, false);
        uint8_t *in = guard(t->bytes, t->len);
        ug_variant v;
        ug_status st = ug_decode_element(in, t->len, UG_TYPE_VARIANT, &v, NULL, &arena);
        if (st != t->want)
            fprintf(stderr, "%s: status %08x want %08x\n", t->name, st, t->want);
        CU_ASSERT_EQUAL(st, t->want);
        guard_free(in, t->len);
    }
}

static void test_all_type_ids(void)
{
    /* Every encoding byte: types 26..63 fail whatever the flags. */
    for (unsigned enc = 0; enc < 256; enc++) {
        unsigned t = enc & 0x3F;
        uint8_t in[32] = {(uint8_t)enc};
        ug_arena arena;
        ug_arena_init(&arena, arena_buf, sizeof arena_buf, false);
        ug_variant v;
        ug_status st = ug_decode_element(in, sizeof in, UG_TYPE_VARIANT, &v, NULL, &arena);
        if (t > UG_TYPE_MAX)
            CU_ASSERT_EQUAL(st, DECODE);
        CU_ASSERT(st == UG_STATUS_GOOD || st == DECODE);
    }
}

static void test_no_alloc_before_check(void)
{
    ug_arena arena;
    ug_arena_init(&arena, arena_buf, sizeof arena_buf, false);
    ug_variant v;
    /* 60000 Variants claimed, 2 bytes present. */
    CU_ASSERT_EQUAL(ug_decode_element(B(0x98, 0x60, 0xEA, 0, 0, 0, 0), UG_TYPE_VARIANT, &v, NULL, &arena), DECODE);
    CU_ASSERT_EQUAL(arena.used, 0);
    /* 1000 Doubles claimed, 8 bytes present. */
    CU_ASSERT_EQUAL(ug_decode_element(B(0x8B, 0xE8, 0x03, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8), UG_TYPE_VARIANT, &v,
                                      NULL, &arena),
                    DECODE);
    CU_ASSERT_EQUAL(arena.used, 0);
}

static void test_arena_failures(void)
{
    ug_variant v;
    /* No arena: arrays, boxed scalars and dims need one. */
    CU_ASSERT_EQUAL(ug_decode_element(B(0x86, 1, 0, 0, 0, 1, 0, 0, 0), UG_TYPE_VARIANT, &v, NULL, NULL),
                    UG_STATUS_BADOUTOFMEMORY);
    CU_ASSERT_EQUAL(ug_decode_element(B(0x12, 0x00, 0x05), UG_TYPE_VARIANT, &v, NULL, NULL),
                    UG_STATUS_BADOUTOFMEMORY);
    CU_ASSERT_EQUAL(ug_decode_element(B(0x16, 0x00, 0x05, 0x00), UG_TYPE_VARIANT, &v, NULL, NULL),
                    UG_STATUS_BADOUTOFMEMORY);
    CU_ASSERT_EQUAL(ug_decode_element(B(0x17, 0x00), UG_TYPE_VARIANT, &v, NULL, NULL), UG_STATUS_BADOUTOFMEMORY);
    CU_ASSERT_EQUAL(ug_decode_element(B(0x19, 0x00), UG_TYPE_VARIANT, &v, NULL, NULL), UG_STATUS_BADOUTOFMEMORY);
    /* Empty and null arrays need none. */
    CU_ASSERT_EQUAL(ug_decode_element(B(0x86, 0, 0, 0, 0), UG_TYPE_VARIANT, &v, NULL, NULL), UG_STATUS_GOOD);
    CU_ASSERT(v.array_len == 0 && v.type == UG_TYPE_INT32);
    /* An arena that runs out part way: each size from 0 up to what is needed. */
    ug_variant m = {.type = UG_TYPE_VARIANT, .array_len = 2};
    ug_variant inner[2];
    inner[0] = (ug_variant){.type = UG_TYPE_INT32, .array_len = 1, .u.arr = (const int32_t[]){7}};
    ug_expanded_nodeid x = {.node = {.ns = 2, .id.numeric = 3}, .namespace_uri = UG_NULL_BYTES, .server_index = 9};
    inner[1] = ug_variant_scalar(UG_TYPE_EXPANDEDNODEID);
    inner[1].u.v.expanded = &x;
    m.u.arr = inner;
    m.ndims = 1;
    m.dims = (const int32_t[]){2};
    uint8_t buf[128];
    size_t len;
    CU_ASSERT_EQUAL_FATAL(ug_encode_element(buf, sizeof buf, UG_TYPE_VARIANT, &m, &len), UG_STATUS_GOOD);
    size_t cap;
    for (cap = 0; cap < 1024; cap += 8) {
        _Alignas(8) uint8_t small[1024];
        ug_arena arena;
        ug_arena_init(&arena, small, cap, false);
        ug_status st = ug_decode_element(buf, len, UG_TYPE_VARIANT, &v, NULL, &arena);
        if (st == UG_STATUS_GOOD) {
            CU_ASSERT(ug_variant_eq(&m, &v));
            break;
        }
        CU_ASSERT_EQUAL(st, UG_STATUS_BADOUTOFMEMORY);
    }
    CU_ASSERT(cap > 0 && cap < 1024);
}

/* n Variant arrays of one Variant each, around an Int32. */
static uint8_t *nested_variants(unsigned n, size_t *len)
{
    uint8_t *b = malloc(n * 5 + 5), *p = b;
    for (unsigned i = 0; i < n; i++) {
        *p++ = 0x80 | UG_TYPE_VARIANT;
        memcpy(p, (const uint8_t[]){1, 0, 0, 0}, 4);
        p += 4;
    }
    memcpy(p, (const uint8_t[]){0x06, 1, 2, 3, 4}, 5);
    *len = n * 5 + 5;
    return b;
}

static ug_status decode_guarded(const uint8_t *bytes, size_t len, unsigned type, const ug_limits *lim)
{
    static _Alignas(8) uint8_t out[256];
    ug_arena arena;
    ug_arena_init(&arena, arena_buf, sizeof arena_buf, false);
    uint8_t *in = guard(bytes, len);
    ug_status st = ug_decode_element(in, len, type, out, lim, &arena);
    guard_free(in, len);
    return st;
}

static void test_depth_variant(void)
{
    size_t len;
    uint8_t *b = nested_variants(400, &len);
    CU_ASSERT_EQUAL(decode_guarded(b, len, UG_TYPE_VARIANT, NULL), LIMITS);
    free(b);
    b = nested_variants(ug_limits_default.max_depth, &len);
    CU_ASSERT_EQUAL(decode_guarded(b, len, UG_TYPE_VARIANT, NULL), UG_STATUS_GOOD);
    free(b);
    b = nested_variants(ug_limits_default.max_depth + 1, &len);
    CU_ASSERT_EQUAL(decode_guarded(b, len, UG_TYPE_VARIANT, NULL), LIMITS);
    free(b);
    /* A big limit lets 400 levels through: the limit, not the code, decides. */
    ug_limits deep = ug_limits_default;
    deep.max_depth = 400;
    b = nested_variants(400, &len);
    CU_ASSERT_EQUAL(decode_guarded(b, len, UG_TYPE_VARIANT, &deep), UG_STATUS_GOOD);
    free(b);
}

/* n DataValues, each holding a Variant that holds the next one. */
static uint8_t *nested_datavalues(unsigned n, size_t *len)
{
    uint8_t *b = malloc(n * 2), *p = b;
    for (unsigned i = 0; i < n; i++) {
        *p++ = UG_DV_VALUE;
        *p++ = i + 1 < n ? UG_TYPE_DATAVALUE : UG_TYPE_NULL;
    }
    *len = n * 2;
    return b;
}

static void test_depth_datavalue(void)
{
    size_t len;
    uint8_t *b = nested_datavalues(400, &len);
    CU_ASSERT_EQUAL(decode_guarded(b, len, UG_TYPE_DATAVALUE, NULL), LIMITS);
    free(b);
    b = nested_datavalues(ug_limits_default.max_depth, &len);
    CU_ASSERT_EQUAL(decode_guarded(b, len, UG_TYPE_DATAVALUE, NULL), UG_STATUS_GOOD);
    free(b);
    b = nested_datavalues(ug_limits_default.max_depth + 1, &len);
    CU_ASSERT_EQUAL(decode_guarded(b, len, UG_TYPE_DATAVALUE, NULL), LIMITS);
    free(b);
}

static uint8_t *nested_diags(unsigned n, size_t *len)
{
    uint8_t *b = malloc(n), *p = b;
    for (unsigned i = 0; i < n; i++)
        *p++ = i + 1 < n ? UG_DI_INNER_DIAG : 0;
    *len = n;
    return b;
}

static void test_depth_diagnostic_info(void)
{
    size_t len;
    uint8_t *b = nested_diags(400, &len);
    CU_ASSERT_EQUAL(decode_guarded(b, len, UG_TYPE_DIAGNOSTICINFO, NULL), LIMITS);
    free(b);
    b = nested_diags(ug_limits_default.max_depth, &len);
    CU_ASSERT_EQUAL(decode_guarded(b, len, UG_TYPE_DIAGNOSTICINFO, NULL), UG_STATUS_GOOD);
    free(b);
    b = nested_diags(ug_limits_default.max_depth + 1, &len);
    CU_ASSERT_EQUAL(decode_guarded(b, len, UG_TYPE_DIAGNOSTICINFO, NULL), LIMITS);
    free(b);
}

static void test_depth_mixed(void)
{
    /* Variant arrays down to depth 15, then an ExtensionObject: level 16 is
     * allowed, one more Variant level is not. */
    for (unsigned n = 15; n <= 16; n++) {
        uint8_t b[256];
        size_t len = 0;
        for (unsigned i = 0; i < n; i++) {
            memcpy(b + len, (const uint8_t[]){0x98, 1, 0, 0, 0}, 5);
            len += 5;
        }
        memcpy(b + len, (const uint8_t[]){0x16, 0x00, 0x01, 0x00}, 4);
        len += 4;
        CU_ASSERT_EQUAL(decode_guarded(b, len, UG_TYPE_VARIANT, NULL), n == 15 ? UG_STATUS_GOOD : LIMITS);
    }
    /* A DataValue in a Variant in a DataValue ... alternating, 400 deep. */
    uint8_t *b = malloc(800), *p = b;
    for (int i = 0; i < 400; i++) {
        *p++ = 0x17; /* Variant: DataValue */
        *p++ = UG_DV_VALUE;
    }
    CU_ASSERT_EQUAL(decode_guarded(b, (size_t)(p - b), UG_TYPE_VARIANT, NULL), LIMITS);
    free(b);
}

static void test_depth_restored(void)
{
    /* Depth goes back to 0 after each value: many siblings at depth 1 are fine. */
    ug_arena arena;
    ug_arena_init(&arena, arena_buf, sizeof arena_buf, false);
    ug_rd rd;
    uint8_t b[5 * 100];
    for (int i = 0; i < 100; i++)
        memcpy(b + i * 5, (const uint8_t[]){0x17, 0x01, 0x00, 0x19, 0x00}, 5); /* two Variants */
    ug_rd_init(&rd, b, sizeof b, NULL, &arena);
    for (int i = 0; i < 200; i++) {
        ug_variant v;
        ug_rd_variant(&rd, &v);
    }
    CU_ASSERT_EQUAL(rd.err, UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(rd.depth, 0);
    CU_ASSERT_EQUAL(ug_rd_left(&rd), 0);
}

static void test_datavalue_details(void)
{
    ug_arena arena;
    ug_arena_init(&arena, arena_buf, sizeof arena_buf, false);
    ug_datavalue d;
    /* Picoseconds of 10000 and above read as 9999 (Part 6 §5.2.2.17). */
    CU_ASSERT_EQUAL(ug_decode_element(B(0x30, 0x10, 0x27, 0xFF, 0xFF), UG_TYPE_DATAVALUE, &d, NULL, &arena),
                    UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(d.source_ps, 9999);
    CU_ASSERT_EQUAL(d.server_ps, 9999);
    /* Reserved mask bits are ignored; absent members read as defaults. */
    CU_ASSERT_EQUAL(ug_decode_element(B(0xC0), UG_TYPE_DATAVALUE, &d, NULL, &arena), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(d.mask, 0);
    CU_ASSERT_EQUAL(d.value.type, UG_TYPE_NULL);
    CU_ASSERT_EQUAL(d.status, UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(d.source_ts, 0);
}

static void test_encode_errors(void)
{
    size_t len;
    ug_variant v = ug_variant_scalar(UG_TYPE_VARIANT);
    CU_ASSERT_EQUAL(ug_encode_element(NULL, 0, UG_TYPE_VARIANT, &v, &len), UG_STATUS_BADENCODINGERROR);
    v = ug_variant_scalar(30);
    CU_ASSERT_EQUAL(ug_encode_element(NULL, 0, UG_TYPE_VARIANT, &v, &len), UG_STATUS_BADENCODINGERROR);
    v = (ug_variant){.type = 30, .array_len = 0};
    CU_ASSERT_EQUAL(ug_encode_element(NULL, 0, UG_TYPE_VARIANT, &v, &len), UG_STATUS_BADENCODINGERROR);
    for (unsigned t = UG_TYPE_EXPANDEDNODEID; t <= UG_TYPE_DIAGNOSTICINFO; t++) {
        if (t == UG_TYPE_STATUSCODE || t == UG_TYPE_QUALIFIEDNAME || t == UG_TYPE_LOCALIZEDTEXT ||
            t == UG_TYPE_VARIANT)
            continue;
        v = ug_variant_scalar((uint8_t)t); /* NULL pointer */
        CU_ASSERT_EQUAL(ug_encode_element(NULL, 0, UG_TYPE_VARIANT, &v, &len), UG_STATUS_BADENCODINGERROR);
    }
    const int32_t arr[] = {1, 2, 3, 4};
    struct {
        int32_t len;
        uint16_t ndims;
        const int32_t *dims;
    } bad_dims[] = {
        {4, 2, (const int32_t[]){2, 3}}, {4, 2, (const int32_t[]){-2, -2}}, {0, 1, NULL},
        {-1, 1, (const int32_t[]){0}},   {-3, 0, NULL},                     {4, 2, (const int32_t[]){0, 4}},
    };
    for (size_t i = 0; i < sizeof bad_dims / sizeof bad_dims[0]; i++) {
        v = (ug_variant){.type = UG_TYPE_INT32, .array_len = bad_dims[i].len, .ndims = bad_dims[i].ndims,
                         .dims = bad_dims[i].dims, .u.arr = arr};
        CU_ASSERT_EQUAL(ug_encode_element(NULL, 0, UG_TYPE_VARIANT, &v, &len), UG_STATUS_BADENCODINGERROR);
    }
    v = (ug_variant){.type = UG_TYPE_INT32, .array_len = 2, .u.arr = NULL};
    CU_ASSERT_EQUAL(ug_encode_element(NULL, 0, UG_TYPE_VARIANT, &v, &len), UG_STATUS_BADENCODINGERROR);
    /* A cycle: a Variant array whose element is the array itself. */
    ug_variant cyc = {.type = UG_TYPE_VARIANT, .array_len = 1};
    cyc.u.arr = &cyc;
    CU_ASSERT_EQUAL(ug_encode_element(NULL, 0, UG_TYPE_VARIANT, &cyc, &len), UG_STATUS_BADENCODINGERROR);
    ug_datavalue dv = {.mask = UG_DV_VALUE};
    dv.value = ug_variant_scalar(UG_TYPE_DATAVALUE);
    dv.value.u.v.datavalue = &dv;
    CU_ASSERT_EQUAL(ug_encode_element(NULL, 0, UG_TYPE_DATAVALUE, &dv, &len), UG_STATUS_BADENCODINGERROR);
    ug_diagnostic_info di = {.mask = UG_DI_INNER_DIAG};
    di.inner = &di;
    CU_ASSERT_EQUAL(ug_encode_element(NULL, 0, UG_TYPE_DIAGNOSTICINFO, &di, &len), UG_STATUS_BADENCODINGERROR);
    di.inner = NULL;
    CU_ASSERT_EQUAL(ug_encode_element(NULL, 0, UG_TYPE_DIAGNOSTICINFO, &di, &len), UG_STATUS_BADENCODINGERROR);
}

static void test_equality(void)
{
    const int32_t a1[] = {1, 2}, a2[] = {1, 3};
    ug_variant x = {.type = UG_TYPE_INT32, .array_len = 2, .u.arr = a1};
    ug_variant y = x;
    CU_ASSERT(ug_variant_eq(&x, &y));
    y.u.arr = a2;
    CU_ASSERT(!ug_variant_eq(&x, &y));
    y.u.arr = a1;
    y.ndims = 1;
    y.dims = (const int32_t[]){2};
    CU_ASSERT(!ug_variant_eq(&x, &y));
    x.ndims = 1;
    x.dims = (const int32_t[]){2};
    CU_ASSERT(ug_variant_eq(&x, &y));
    ug_variant s1 = ug_variant_scalar(UG_TYPE_STRING), s2 = s1;
    char buf1[] = "pump", buf2[] = "pump";
    s1.u.v.string = ug_string_from(buf1);
    s2.u.v.string = ug_string_from(buf2);
    CU_ASSERT(ug_variant_eq(&s1, &s2)); /* by content */
    buf2[0] = 'b';
    CU_ASSERT(!ug_variant_eq(&s1, &s2));
    ug_variant i32 = ug_variant_scalar(UG_TYPE_INT32), u32 = ug_variant_scalar(UG_TYPE_UINT32);
    CU_ASSERT(!ug_variant_eq(&i32, &u32));
    ug_datavalue d1 = {.mask = UG_DV_STATUS, .status = 1, .source_ts = 5}, d2 = d1;
    d2.source_ts = 6; /* not in the mask: ignored */
    CU_ASSERT(ug_datavalue_eq(&d1, &d2));
    d2.status = 2;
    CU_ASSERT(!ug_datavalue_eq(&d1, &d2));
}

/* Many scalars back to back: the decoder's fast path (taken while 9 or more
 * bytes remain) and its slow path (the tail) must agree, and a cut anywhere
 * must fail cleanly. */
static void test_scalar_stream(void)
{
    static const unsigned types[] = {UG_TYPE_BOOLEAN, UG_TYPE_SBYTE, UG_TYPE_BYTE, UG_TYPE_INT16,
                                     UG_TYPE_UINT16, UG_TYPE_INT32, UG_TYPE_UINT32, UG_TYPE_INT64,
                                     UG_TYPE_UINT64, UG_TYPE_FLOAT, UG_TYPE_DOUBLE, UG_TYPE_STRING,
                                     UG_TYPE_DATETIME, UG_TYPE_BYTESTRING, UG_TYPE_XMLELEMENT,
                                     UG_TYPE_STATUSCODE, UG_TYPE_GUID, UG_TYPE_NODEID};
    enum { NT = sizeof types / sizeof types[0], N = NT * 4 };
    ug_variant in[N], out[N];
    for (unsigned i = 0; i < N; i++)
        in[i] = make_scalar(types[i % NT], i / NT);
    uint8_t buf[2048];
    ug_wr wr;
    ug_wr_init(&wr, buf, sizeof buf);
    for (unsigned i = 0; i < N; i++)
        ug_wr_variant(&wr, &in[i]);
    CU_ASSERT_EQUAL_FATAL(ug_wr_finish(&wr), UG_STATUS_GOOD);
    size_t len = wr.len;
    /* The same bytes in count mode. */
    ug_wr cnt;
    ug_wr_init(&cnt, NULL, 0);
    for (unsigned i = 0; i < N; i++)
        ug_wr_variant(&cnt, &in[i]);
    CU_ASSERT_EQUAL(cnt.len, len);

    for (size_t cut = 0; cut <= len; cut++) {
        uint8_t *g = guard(buf, cut);
        ug_rd rd;
        ug_rd_init(&rd, g, cut, NULL, NULL);
        unsigned got = 0;
        while (got < N && ug_rd_left(&rd) > 0) {
            ug_rd_variant(&rd, &out[got]);
            if (!ug_rd_ok(&rd))
                break;
            CU_ASSERT(ug_variant_eq(&in[got], &out[got]));
            got++;
        }
        if (cut == len) {
            CU_ASSERT(got == N && rd.err == UG_STATUS_GOOD);
        } else {
            CU_ASSERT(got < N && (rd.err == UG_STATUS_BADDECODINGERROR || ug_rd_left(&rd) == 0));
        }
        guard_free(g, cut);
    }
}

/* String checks hold on the fast path too (9+ bytes left). */
static void test_fast_path_strings(void)
{
    static const ug_limits lim = {.max_string_len = 4, .max_array_len = 8, .max_depth = 4,
                                  .max_message_size = 1024};
    struct {
        uint8_t bytes[16];
        ug_status want;
        int32_t len;
    } cases[] = {
        {{0x0C, 5, 0, 0, 0, 'a', 'b', 'c', 'd', 'e', 0, 0, 0, 0, 0, 0}, UG_STATUS_BADENCODINGLIMITSEXCEEDED, 0},
        {{0x0C, 4, 0, 0, 0, 'a', 'b', 'c', 'd', 0, 0, 0, 0, 0, 0, 0}, UG_STATUS_GOOD, 4},
        {{0x0F, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, UG_STATUS_GOOD, -1},
        {{0x10, 0xFE, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, UG_STATUS_BADDECODINGERROR, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ug_rd rd;
        ug_variant v;
        ug_rd_init(&rd, cases[i].bytes, sizeof cases[i].bytes, &lim, NULL);
        ug_rd_variant(&rd, &v);
        CU_ASSERT_EQUAL(rd.err, cases[i].want);
        if (cases[i].want == UG_STATUS_GOOD)
            CU_ASSERT_EQUAL(v.u.v.string.len, cases[i].len);
    }
    /* A length that runs past the end, with 9+ bytes left. */
    uint8_t b[12] = {0x0C, 8, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7};
    uint8_t *g = guard(b, sizeof b);
    ug_rd rd;
    ug_variant v;
    ug_rd_init(&rd, g, sizeof b, NULL, NULL);
    ug_rd_variant(&rd, &v);
    CU_ASSERT_EQUAL(rd.err, UG_STATUS_BADDECODINGERROR);
    guard_free(g, sizeof b);
}

static CU_TestInfo tests[] = {
    {"scalars of every type", test_scalars},
    {"arrays and matrices of every type", test_arrays},
    {"known bytes", test_known_bytes},
    {"scalar stream", test_scalar_stream},
    {"fast path strings", test_fast_path_strings},
    {"bad inputs", test_bad_inputs},
    {"all encoding bytes", test_all_type_ids},
    {"no allocation before length check", test_no_alloc_before_check},
    {"arena failures", test_arena_failures},
    {"depth: nested variants", test_depth_variant},
    {"depth: nested datavalues", test_depth_datavalue},
    {"depth: diagnosticinfo chain", test_depth_diagnostic_info},
    {"depth: mixed", test_depth_mixed},
    {"depth restored", test_depth_restored},
    {"datavalue details", test_datavalue_details},
    {"encode errors", test_encode_errors},
    {"equality", test_equality},
    CU_TEST_INFO_NULL,
};

int main(void) { return ug_test_main("variant", tests); }
