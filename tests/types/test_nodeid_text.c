/* NodeId, ExpandedNodeId and Guid text forms (types/nodeid_text.c),
 * Part 6 §5.3.1.10-11. Every parse runs on a copy that ends right before a
 * PROT_NONE page, so reading past `len` crashes the test. */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "uagate/types.h"

#define GUID_TEXT "09087e75-8e5e-499b-954f-f2a9603db28a"
#define GUID_INIT {0x09087e75, 0x8e5e, 0x499b, {0x95, 0x4f, 0xf2, 0xa9, 0x60, 0x3d, 0xb2, 0x8a}}
static const ug_guid guid_val = GUID_INIT;
static const uint8_t opaque_val[] = {0x00, 0x01, 0x02, 0x03};
static const uint8_t spec_opaque[] = {0x33, 0xf4, 0x5b, 0x28, 0x1b, 0x11, 0x56, 0x47,
                                      0x8f, 0x09, 0xe3, 0xdc, 0xc7, 0x6e, 0x28, 0x44};

#define STR(s) {(const uint8_t *)(s), (int32_t)(sizeof(s) - 1)}
#define NULLSTR {NULL, -1}
#define NUM(n, v) {.ns = (n), .id_type = UG_ID_NUMERIC, .id.numeric = (v)}
#define SID(n, v) {.ns = (n), .id_type = UG_ID_STRING, .id.string = STR(v)}
#define GID(n) {.ns = (n), .id_type = UG_ID_GUID, .id.guid = GUID_INIT}
#define BID(n, b) {.ns = (n), .id_type = UG_ID_OPAQUE, .id.opaque = {(b), sizeof(b)}}

/* Parses `len` bytes of `s` from a guarded copy. */
static ug_status parse_guarded(const char *s, size_t len, bool expanded, ug_expanded_nodeid *out,
                               ug_arena *arena, const uint8_t **copy)
{
    uint8_t *g = ug_test_guard(s, len ? len : 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    ug_status st;
    if (expanded) {
        st = ug_expanded_nodeid_parse((const char *)g, len, out, arena);
    } else {
        out->namespace_uri = UG_NULL_BYTES;
        out->server_index = 0;
        st = ug_nodeid_parse((const char *)g, len, &out->node, arena);
    }
    if (copy)
        *copy = g;
    else
        ug_test_guard_free(g);
    return st;
}

/* ---- NodeId: good forms ---- */

static const struct {
    const char *text;
    ug_nodeid want;
    const char *printed; /* NULL: same as text */
} good[] = {
    {"i=85", NUM(0, 85), NULL},
    {"i=0", NUM(0, 0), NULL},
    {"i=4294967295", NUM(0, 4294967295u), NULL},
    {"i=007", NUM(0, 7), "i=7"},
    {"ns=0;i=5", NUM(0, 5), "i=5"},
    {"ns=65535;i=1", NUM(65535, 1), NULL},
    {"ns=2;s=Pump 1", SID(2, "Pump 1"), NULL},
    {"ns=1;s=a;b", SID(1, "a;b"), NULL},
    {"ns=10;s=Hello:World", SID(10, "Hello:World"), NULL},
    {"s=ns=1;i=2", SID(0, "ns=1;i=2"), NULL},
    {"s=\xc3\xa9t\xc3\xa9", SID(0, "\xc3\xa9t\xc3\xa9"), NULL},
    {"s=", SID(0, ""), NULL},
    {"g=" GUID_TEXT, GID(0), NULL},
    {"ns=3;g=09087E75-8E5E-499B-954F-F2A9603DB28A", GID(3), "ns=3;g=" GUID_TEXT},
    {"b=AAECAw==", BID(0, opaque_val), NULL},
    {"b=AAECAw", BID(0, opaque_val), "b=AAECAw=="},
    {"ns=1;b=M/RbKBsRVkePCePcx24oRA==", BID(1, spec_opaque), NULL},
    {"b=", {.id_type = UG_ID_OPAQUE, .id.opaque = {NULL, 0}}, NULL},
};
#define N_GOOD (sizeof good / sizeof good[0])

static void test_parse_good(void)
{
    uint8_t mem[256];
    ug_arena arena;
    for (size_t i = 0; i < N_GOOD; i++) {
        ug_arena_init(&arena, mem, sizeof mem, false);
        ug_expanded_nodeid x;
        const uint8_t *copy = NULL;
        size_t len = strlen(good[i].text);
        ug_status st = parse_guarded(good[i].text, len, false, &x, &arena, &copy);
        if (st != UG_STATUS_GOOD || !ug_nodeid_eq(&x.node, &good[i].want))
            fprintf(stderr, "parse \"%s\": 0x%08X\n", good[i].text, st);
        CU_ASSERT_EQUAL(st, UG_STATUS_GOOD);
        CU_ASSERT(ug_nodeid_eq(&x.node, &good[i].want));
        /* String identifiers are views into the text, not copies. */
        if (st == UG_STATUS_GOOD && x.node.id_type == UG_ID_STRING)
            CU_ASSERT_PTR_EQUAL(x.node.id.string.data, copy + len - (size_t)x.node.id.string.len);
        ug_test_guard_free((uint8_t *)copy);

        /* The same text is an ExpandedNodeId with no URI and server 0. */
        ug_arena_init(&arena, mem, sizeof mem, false);
        st = parse_guarded(good[i].text, len, true, &x, &arena, &copy);
        CU_ASSERT_EQUAL(st, UG_STATUS_GOOD);
        CU_ASSERT(ug_nodeid_eq(&x.node, &good[i].want));
        CU_ASSERT_EQUAL(x.namespace_uri.len, -1);
        CU_ASSERT_EQUAL(x.server_index, 0);
        ug_test_guard_free((uint8_t *)copy);
    }
}

static void test_print_good(void)
{
    uint8_t mem[256];
    ug_arena arena;
    for (size_t i = 0; i < N_GOOD; i++) {
        const char *want = good[i].printed ? good[i].printed : good[i].text;
        char buf[128];
        size_t n = ug_nodeid_print(&good[i].want, buf, sizeof buf);
        CU_ASSERT_EQUAL(n, strlen(want));
        CU_ASSERT_STRING_EQUAL(buf, want);

        /* The printed form parses back to the same NodeId. */
        ug_arena_init(&arena, mem, sizeof mem, false);
        ug_nodeid back;
        CU_ASSERT_EQUAL(ug_nodeid_parse(buf, n, &back, &arena), UG_STATUS_GOOD);
        CU_ASSERT(ug_nodeid_eq(&back, &good[i].want));
    }
}

/* ---- NodeId: malformed forms ---- */

static const struct {
    const char *text;
    size_t len; /* 0: strlen */
    ug_status want;
} bad[] = {
    {"", 0, UG_STATUS_BADSYNTAXERROR},
    {"ns=", 0, UG_STATUS_BADSYNTAXERROR},
    {"ns=;i=1", 0, UG_STATUS_BADSYNTAXERROR},
    {"ns=1", 0, UG_STATUS_BADSYNTAXERROR},
    {"ns=1;", 0, UG_STATUS_BADSYNTAXERROR},
    {"ns=1i=5", 0, UG_STATUS_BADSYNTAXERROR},
    {"ns=2s=x", 0, UG_STATUS_BADSYNTAXERROR},
    {"ns=-1;i=1", 0, UG_STATUS_BADSYNTAXERROR},
    {"ns=x;i=1", 0, UG_STATUS_BADSYNTAXERROR},
    {"ns=70000;i=1", 0, UG_STATUS_BADOUTOFRANGE},
    {"ns=65536;i=1", 0, UG_STATUS_BADOUTOFRANGE},
    {"ns=1;ns=2;i=1", 0, UG_STATUS_BADSYNTAXERROR},
    {"i=", 0, UG_STATUS_BADSYNTAXERROR},
    {"i", 0, UG_STATUS_BADSYNTAXERROR},
    {"=5", 0, UG_STATUS_BADSYNTAXERROR},
    {"i=-1", 0, UG_STATUS_BADSYNTAXERROR},
    {"i=+1", 0, UG_STATUS_BADSYNTAXERROR},
    {"i= 1", 0, UG_STATUS_BADSYNTAXERROR},
    {"i=1;", 0, UG_STATUS_BADSYNTAXERROR},
    {"i=0x10", 0, UG_STATUS_BADSYNTAXERROR},
    {"i=4294967296", 0, UG_STATUS_BADOUTOFRANGE},
    {"i=99999999999999999999999", 0, UG_STATUS_BADOUTOFRANGE},
    {"I=5", 0, UG_STATUS_BADSYNTAXERROR},
    {"x=1", 0, UG_STATUS_BADSYNTAXERROR},
    {"g=bad", 0, UG_STATUS_BADSYNTAXERROR},
    {"g=", 0, UG_STATUS_BADSYNTAXERROR},
    {"g=09087e75-8e5e-499b-954f-f2a9603db28", 0, UG_STATUS_BADSYNTAXERROR},
    {"g=09087e75-8e5e-499b-954f-f2a9603db28a0", 0, UG_STATUS_BADSYNTAXERROR},
    {"g=09087e75_8e5e-499b-954f-f2a9603db28a", 0, UG_STATUS_BADSYNTAXERROR},
    {"g=09087e75-8e5e-499b-954f-f2a9603db28g", 0, UG_STATUS_BADSYNTAXERROR},
    {"g={09087e75-8e5e-499b-954f-f2a9603db2}", 0, UG_STATUS_BADSYNTAXERROR},
    {"b=!!", 0, UG_STATUS_BADSYNTAXERROR},
    {"b=AAECA", 0, UG_STATUS_BADSYNTAXERROR},
    {"s=a\0b", 5, UG_STATUS_BADSYNTAXERROR},
    {"nsu=urn:a;i=1", 0, UG_STATUS_BADSYNTAXERROR}, /* a NodeId has no URI */
    {"svr=1;i=1", 0, UG_STATUS_BADSYNTAXERROR},
};

static void test_parse_bad(void)
{
    uint8_t mem[64];
    ug_arena arena;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ug_arena_init(&arena, mem, sizeof mem, false);
        size_t len = bad[i].len ? bad[i].len : strlen(bad[i].text);
        ug_expanded_nodeid x;
        x.node = (ug_nodeid)NUM(7, 7);
        ug_status st = parse_guarded(bad[i].text, len, false, &x, &arena, NULL);
        if (st != bad[i].want)
            fprintf(stderr, "parse \"%s\": 0x%08X, want 0x%08X\n", bad[i].text, st, bad[i].want);
        CU_ASSERT_EQUAL(st, bad[i].want);
        /* Nothing is stored on failure. */
        CU_ASSERT_EQUAL(x.node.ns, 7);
        CU_ASSERT_EQUAL(x.node.id.numeric, 7);
    }
    ug_nodeid n;
    CU_ASSERT_EQUAL(ug_nodeid_parse(NULL, 0, &n, NULL), UG_STATUS_BADSYNTAXERROR);
}

static void test_opaque_needs_arena(void)
{
    ug_nodeid n;
    CU_ASSERT_EQUAL(ug_nodeid_parse("b=AAECAw==", 10, &n, NULL), UG_STATUS_BADOUTOFMEMORY);
    uint8_t mem[8];
    ug_arena small;
    ug_arena_init(&small, mem, 0, false);
    CU_ASSERT_EQUAL(ug_nodeid_parse("b=AAECAw==", 10, &n, &small), UG_STATUS_BADOUTOFMEMORY);
    /* Empty opaque ids and every other kind need no arena. */
    CU_ASSERT_EQUAL(ug_nodeid_parse("b=", 2, &n, NULL), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(n.id.opaque.len, 0);
    CU_ASSERT_EQUAL(ug_nodeid_parse("ns=1;s=x", 8, &n, NULL), UG_STATUS_GOOD);
}

/* ---- ExpandedNodeId ---- */

static const struct {
    const char *text;
    ug_expanded_nodeid want;
    bool uri_is_view; /* the URI points into the text */
    const char *printed;
} xgood[] = {
    {"nsu=http://x%3By;i=5", {NUM(0, 5), STR("http://x;y"), 0}, false, NULL},
    {"svr=2;nsu=urn:a;s=x", {SID(0, "x"), STR("urn:a"), 2}, true, NULL},
    {"nsu=urn%25x%3b;i=1", {NUM(0, 1), STR("urn%x;"), 0}, false, "nsu=urn%25x%3B;i=1"},
    {"nsu=%41;i=1", {NUM(0, 1), STR("A"), 0}, false, "nsu=A;i=1"},
    {"nsu=urn:a;s=a;b", {SID(0, "a;b"), STR("urn:a"), 0}, true, NULL},
    {"nsu=urn:a;g=" GUID_TEXT, {GID(0), STR("urn:a"), 0}, true, NULL},
    {"svr=1;ns=3;i=1", {NUM(3, 1), NULLSTR, 1}, false, NULL},
    {"svr=4294967295;b=AAECAw==", {BID(0, opaque_val), NULLSTR, 4294967295u}, false, NULL},
    {"svr=0;i=1", {NUM(0, 1), NULLSTR, 0}, false, "i=1"},
    /* An empty URI names no namespace: read as none (prints back as "i=1"). */
    {"nsu=;i=1", {NUM(0, 1), NULLSTR, 0}, true, "i=1"},
};

static void test_expanded_good(void)
{
    uint8_t mem[256];
    ug_arena arena;
    for (size_t i = 0; i < sizeof xgood / sizeof xgood[0]; i++) {
        ug_arena_init(&arena, mem, sizeof mem, false);
        const uint8_t *copy = NULL;
        size_t len = strlen(xgood[i].text);
        ug_expanded_nodeid x;
        ug_status st = parse_guarded(xgood[i].text, len, true, &x, &arena, &copy);
        if (st != UG_STATUS_GOOD)
            fprintf(stderr, "parse \"%s\": 0x%08X\n", xgood[i].text, st);
        CU_ASSERT_EQUAL_FATAL(st, UG_STATUS_GOOD);
        CU_ASSERT(ug_nodeid_eq(&x.node, &xgood[i].want.node));
        CU_ASSERT(ug_bytes_eq(x.namespace_uri, xgood[i].want.namespace_uri));
        CU_ASSERT_EQUAL(x.server_index, xgood[i].want.server_index);
        if (x.namespace_uri.len > 0) {
            bool in_text = x.namespace_uri.data >= copy && x.namespace_uri.data < copy + len;
            CU_ASSERT_EQUAL(in_text, xgood[i].uri_is_view);
        }
        ug_test_guard_free((uint8_t *)copy);

        const char *want = xgood[i].printed ? xgood[i].printed : xgood[i].text;
        char buf[128];
        size_t n = ug_expanded_nodeid_print(&xgood[i].want, buf, sizeof buf);
        CU_ASSERT_EQUAL(n, strlen(want));
        CU_ASSERT_STRING_EQUAL(buf, want);
    }
    /* Escaped URIs are unescaped into the arena; without one they cannot be. */
    ug_expanded_nodeid x;
    CU_ASSERT_EQUAL(ug_expanded_nodeid_parse("nsu=a%3Bb;i=1", 13, &x, NULL),
                    UG_STATUS_BADOUTOFMEMORY);
    CU_ASSERT_EQUAL(ug_expanded_nodeid_parse("nsu=ab;i=1", 10, &x, NULL), UG_STATUS_GOOD);
}

static void test_expanded_bad(void)
{
    static const struct {
        const char *text;
        ug_status want;
    } xbad[] = {
        {"", UG_STATUS_BADSYNTAXERROR},
        {"svr=", UG_STATUS_BADSYNTAXERROR},
        {"svr=;i=1", UG_STATUS_BADSYNTAXERROR},
        {"svr=1", UG_STATUS_BADSYNTAXERROR},
        {"svr=1;", UG_STATUS_BADSYNTAXERROR},
        {"svr=-1;i=1", UG_STATUS_BADSYNTAXERROR},
        {"svr=4294967296;i=1", UG_STATUS_BADOUTOFRANGE},
        {"nsu=urn:a", UG_STATUS_BADSYNTAXERROR},
        {"nsu=urn:a;", UG_STATUS_BADSYNTAXERROR},
        {"nsu=a%3;i=1", UG_STATUS_BADSYNTAXERROR},
        {"nsu=a%;i=1", UG_STATUS_BADSYNTAXERROR},
        {"nsu=a%zz;i=1", UG_STATUS_BADSYNTAXERROR},
        {"nsu=a%00;i=1", UG_STATUS_BADSYNTAXERROR},
        {"nsu=a%CC;i=1", UG_STATUS_BADSYNTAXERROR},      /* escape makes invalid UTF-8 */
        {"nsu=a%C3%A4%ED%A0%80;i=1", UG_STATUS_BADSYNTAXERROR}, /* a surrogate */
        {"nsu=a%3", UG_STATUS_BADSYNTAXERROR},
        {"ns=1;svr=1;i=1", UG_STATUS_BADSYNTAXERROR}, /* svr comes first */
        {"nsu=urn:a;ns=1;i=1", UG_STATUS_BADSYNTAXERROR},
        {"ns=1;nsu=urn:a;i=1", UG_STATUS_BADSYNTAXERROR},
        {"svr=1;svr=2;i=1", UG_STATUS_BADSYNTAXERROR},
        {"svr=1;ns=70000;i=1", UG_STATUS_BADOUTOFRANGE},
        {"nsu=urn:a;i=4294967296", UG_STATUS_BADOUTOFRANGE},
        {"nsu=urn:a;x=1", UG_STATUS_BADSYNTAXERROR},
    };
    uint8_t mem[64];
    ug_arena arena;
    for (size_t i = 0; i < sizeof xbad / sizeof xbad[0]; i++) {
        ug_arena_init(&arena, mem, sizeof mem, false);
        ug_expanded_nodeid x = {.server_index = 7};
        ug_status st = parse_guarded(xbad[i].text, strlen(xbad[i].text), true, &x, &arena, NULL);
        if (st != xbad[i].want)
            fprintf(stderr, "parse \"%s\": 0x%08X, want 0x%08X\n", xbad[i].text, st, xbad[i].want);
        CU_ASSERT_EQUAL(st, xbad[i].want);
        CU_ASSERT_EQUAL(x.server_index, 7);
    }
}

/* ---- printing into short buffers ---- */

static void check_short(size_t (*print)(const void *, char *, size_t), const void *v,
                        const char *full)
{
    size_t flen = strlen(full);
    CU_ASSERT_EQUAL(print(v, NULL, 0), flen);
    for (size_t cap = 0; cap <= flen + 1; cap++) {
        char buf[160];
        memset(buf, '#', sizeof buf);
        CU_ASSERT_EQUAL(print(v, buf, cap), flen);
        if (cap == 0) {
            CU_ASSERT_EQUAL(buf[0], '#');
            continue;
        }
        size_t kept = cap - 1 < flen ? cap - 1 : flen;
        CU_ASSERT(memcmp(buf, full, kept) == 0);
        CU_ASSERT_EQUAL(buf[kept], '\0');
        CU_ASSERT_EQUAL(buf[cap], '#'); /* nothing written at or past cap */
    }
}

static size_t print_node(const void *v, char *buf, size_t cap)
{
    return ug_nodeid_print(v, buf, cap);
}

static size_t print_expanded(const void *v, char *buf, size_t cap)
{
    return ug_expanded_nodeid_print(v, buf, cap);
}

static void test_print_short_buffer(void)
{
    for (size_t i = 0; i < N_GOOD; i++)
        check_short(print_node, &good[i].want, good[i].printed ? good[i].printed : good[i].text);
    for (size_t i = 0; i < sizeof xgood / sizeof xgood[0]; i++)
        check_short(print_expanded, &xgood[i].want,
                    xgood[i].printed ? xgood[i].printed : xgood[i].text);
}

static void test_print_odd_values(void)
{
    char buf[64];
    ug_nodeid n = {.ns = 4, .id_type = UG_ID_STRING, .id.string = UG_NULL_BYTES};
    CU_ASSERT_EQUAL(ug_nodeid_print(&n, buf, sizeof buf), 7);
    CU_ASSERT_STRING_EQUAL(buf, "ns=4;s=");
    n = (ug_nodeid){.id_type = UG_ID_OPAQUE, .id.opaque = UG_NULL_BYTES};
    CU_ASSERT_EQUAL(ug_nodeid_print(&n, buf, sizeof buf), 2);
    CU_ASSERT_STRING_EQUAL(buf, "b=");
    /* Not a NodeId at all: nothing to print. */
    n = (ug_nodeid){.ns = 1, .id_type = 9};
    CU_ASSERT_EQUAL(ug_nodeid_print(&n, buf, sizeof buf), 0);
    CU_ASSERT_STRING_EQUAL(buf, "");
    /* With a URI the namespace index is not printed (Part 6 §5.3.1.11). */
    ug_expanded_nodeid x = {.node = NUM(5, 1), .namespace_uri = STR("u"), .server_index = 0};
    ug_expanded_nodeid bogus = {.node = {.id_type = 4}, .namespace_uri = STR("u"), .server_index = 1};
    CU_ASSERT_EQUAL(ug_expanded_nodeid_print(&bogus, buf, sizeof buf), 0);
    CU_ASSERT_EQUAL(ug_expanded_nodeid_print(&x, buf, sizeof buf), 9);
    CU_ASSERT_STRING_EQUAL(buf, "nsu=u;i=1");
}

/* ---- Guid ---- */

static void test_guid(void)
{
    ug_guid g;
    uint8_t *t = ug_test_guard(GUID_TEXT, 36);
    CU_ASSERT_EQUAL(ug_guid_parse((const char *)t, 36, &g), UG_STATUS_GOOD);
    ug_test_guard_free(t);
    CU_ASSERT_EQUAL(g.data1, 0x09087e75u);
    CU_ASSERT_EQUAL(g.data2, 0x8e5e);
    CU_ASSERT_EQUAL(g.data3, 0x499b);
    CU_ASSERT(memcmp(g.data4, guid_val.data4, 8) == 0);
    char buf[37];
    memset(buf, '#', sizeof buf);
    ug_guid_print(&g, buf);
    CU_ASSERT_STRING_EQUAL(buf, GUID_TEXT);

    ug_guid all = {0xFFFFFFFFu, 0xFFFF, 0xFFFF, {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}};
    ug_guid_print(&all, buf);
    CU_ASSERT_STRING_EQUAL(buf, "ffffffff-ffff-ffff-ffff-ffffffffffff");
    CU_ASSERT_EQUAL(ug_guid_parse("FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF", 36, &g), UG_STATUS_GOOD);
    CU_ASSERT(ug_guid_eq(&g, &all));

    static const char *bad_guids[] = {
        "",
        "09087e75-8e5e-499b-954f-f2a9603db28",
        "09087e758e5e-499b-954f-f2a9603db28a0",
        "09087e75-8e5e-499b-954ff2a9603db28a0",
        "g9087e75-8e5e-499b-954f-f2a9603db28a",
        "09087e75-8e5e-499b-954f-f2a9603db2 a",
        "+9087e75-8e5e-499b-954f-f2a9603db28a",
    };
    for (size_t i = 0; i < sizeof bad_guids / sizeof bad_guids[0]; i++)
        CU_ASSERT_EQUAL(ug_guid_parse(bad_guids[i], strlen(bad_guids[i]), &g),
                        UG_STATUS_BADSYNTAXERROR);
}

static CU_TestInfo tests[] = {
    {"NodeId: known forms parse", test_parse_good},
    {"NodeId: print and parse back", test_print_good},
    {"NodeId: malformed text is refused", test_parse_bad},
    {"NodeId: opaque ids need an arena", test_opaque_needs_arena},
    {"ExpandedNodeId: svr, nsu, escapes", test_expanded_good},
    {"ExpandedNodeId: malformed text is refused", test_expanded_bad},
    {"print into short buffers", test_print_short_buffer},
    {"print of null ids and URIs", test_print_odd_values},
    {"Guid text form", test_guid},
    CU_TEST_INFO_NULL,
};

int main(void) { return ug_test_main("nodeid_text", tests); }
