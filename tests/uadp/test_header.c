/* NetworkMessage header (uadp/header.c): every combination of the optional
 * header parts round-trips (encode -> decode -> compare -> re-encode
 * identical), every prefix of a sample fails cleanly, the header-only decode
 * reports the payload offset and DataSetWriterIds, and every reserved value
 * or bad size is rejected at the right offset. */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "uadp_check.h"
#include "uagate/uadp.h"

static ug_dsm_field fields[2][3];
static ug_dsm dsms[2];
static ug_variant promoted[2];
static const uint8_t nonce[8] = {1, 2, 3, 4, 5, 6, 7, 8};
static const uint8_t sig[32] = {0xAA, 0xBB, 0xCC};
static const uint8_t footer[5] = {9, 8, 7, 6, 5};

static void base_dsms(void)
{
    for (int d = 0; d < 2; d++) {
        ug_dsm_init(&dsms[d]);
        dsms[d].writer_id = (uint16_t)(100 + d);
        dsms[d].has_seq = true;
        dsms[d].seq = (uint16_t)(7 + d);
        for (int i = 0; i < 3; i++) {
            fields[d][i] = (ug_dsm_field){.dv.mask = UG_DV_VALUE};
            fields[d][i].dv.value = ug_variant_scalar(UG_TYPE_INT32);
            fields[d][i].dv.value.u.v.int32 = d * 100 + i - 1;
        }
        dsms[d].field_count = 3;
        dsms[d].fields = fields[d];
    }
    promoted[0] = ug_variant_scalar(UG_TYPE_DOUBLE);
    promoted[0].u.v.f64 = 2.5;
    promoted[1] = ug_variant_scalar(UG_TYPE_STRING);
    promoted[1].u.v.string = ug_string_from("promo");
}

/* combo bits: pubid(0..5) | class | group(0..16) | payload | ts | ps | promoted | security(0..2) | 2 dsm */
static void build(ug_nm *nm, unsigned c)
{
    base_dsms();
    ug_nm_init(nm);
    static const uint8_t pubtypes[] = {UG_PUBID_NONE, UG_PUBID_BYTE, UG_PUBID_UINT16,
                                       UG_PUBID_UINT32, UG_PUBID_UINT64, UG_PUBID_STRING};
    nm->publisher_id.type = pubtypes[c % 6];
    c /= 6;
    static const uint64_t pubvals[] = {0, 0xAB, 0xBEEF, 0xDEADBEEF, 0x0123456789ABCDEFull};
    if (nm->publisher_id.type <= UG_PUBID_UINT64)
        nm->publisher_id.u64 = pubvals[nm->publisher_id.type + 1 < 5 ? nm->publisher_id.type + 1 : 4];
    nm->publisher_id.str = ug_string_from("publisher-Ä");
    nm->has_class_id = c % 2;
    nm->class_id = (ug_guid){0x01020304, 0x0506, 0x0708, {9, 10, 11, 12, 13, 14, 15, 16}};
    c /= 2;
    unsigned g = c % 17;
    c /= 17;
    nm->has_group_header = g > 0;
    if (g > 0) {
        g -= 1;
        nm->group.has_writer_group_id = g & 1;
        nm->group.has_group_version = g & 2;
        nm->group.has_nm_number = g & 4;
        nm->group.has_seq = g & 8;
        nm->group.writer_group_id = 0x1234;
        nm->group.group_version = 0x89ABCDEF;
        nm->group.nm_number = 3;
        nm->group.seq = 0xFFFE;
    }
    nm->has_payload_header = c % 2;
    c /= 2;
    nm->has_timestamp = c % 2;
    nm->timestamp = 133000000000000000LL;
    c /= 2;
    nm->has_picoseconds = c % 2;
    nm->picoseconds = 999;
    c /= 2;
    if (c % 2) {
        nm->n_promoted = 2;
        nm->promoted = promoted;
    }
    c /= 2;
    unsigned sec = c % 3;
    c /= 3;
    if (sec) {
        nm->has_security = true;
        nm->security.flags = UG_SEC_SIGNED | (sec == 2 ? UG_SEC_FOOTER : 0);
        nm->security.token_id = 42;
        nm->security.nonce = (ug_bytes){nonce, sizeof nonce};
        nm->security.signature = (ug_bytes){sig, sizeof sig};
        if (sec == 2) {
            nm->security.footer_size = sizeof footer;
            nm->security.footer = (ug_bytes){footer, sizeof footer};
        }
    }
    /* Two DataSetMessages need the PayloadHeader (or layouts) to be told apart. */
    nm->n_dsm = (c % 2 && nm->has_payload_header) ? 2 : 1;
    nm->dsm = dsms;
}

static unsigned combo(unsigned pub, unsigned cls, unsigned grp, unsigned ph, unsigned ts,
                      unsigned ps, unsigned promo, unsigned sec, unsigned two)
{
    return pub + 6 * (cls + 2 * (grp + 17 * (ph + 2 * (ts + 2 * (ps + 2 * (promo + 2 * (sec + 3 * two)))))));
}

#define N_COMBOS (6u * 2 * 17 * 2 * 2 * 2 * 2 * 3 * 2)

static void test_all_header_combinations(void)
{
    int bad = 0;
    static uint8_t buf[4096];
    ug_uadp_decode_opts o = {.signature_len = sizeof sig};
    for (unsigned c = 0; c < N_COMBOS; c++) {
        ug_nm nm;
        build(&nm, c);
        char what[64];
        snprintf(what, sizeof what, "combo %u", c);
        bad += check_roundtrip(&nm, &o, what);
        if (c % 11 == 0) {
            size_t n = 0;
            CU_ASSERT_EQUAL_FATAL(ug_uadp_encode(&nm, buf, sizeof buf, &n), UG_STATUS_GOOD);
            bad += check_truncations(buf, n, &o, what);
        }
        if (bad > 20)
            break;
    }
    CU_ASSERT_EQUAL(bad, 0);
}

static void test_header_only_decode(void)
{
    ug_nm nm, out;
    build(&nm, combo(1, 1, 16, 1, 1, 0, 0, 2, 1));
    CU_ASSERT_EQUAL_FATAL(nm.n_dsm, 2);
    CU_ASSERT_TRUE_FATAL(nm.has_security);
    static uint8_t buf[1024];
    size_t n = 0;
    ug_uadp_frame ef, df;
    CU_ASSERT_EQUAL_FATAL(ug_uadp_encode_frame(&nm, buf, sizeof buf, &n, &ef), UG_STATUS_GOOD);
    ug_uadp_decode_opts o = {.signature_len = sizeof sig};
    size_t err = 0;
    /* No arena: the header decode needs none (no promoted fields here). */
    CU_ASSERT_EQUAL(ug_uadp_decode_header(buf, n, &out, &o, &df, &err), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(df.payload_off, ef.payload_off);
    CU_ASSERT_EQUAL(df.payload_end, ef.payload_end);
    CU_ASSERT_EQUAL(df.signature_off, ef.signature_off);
    CU_ASSERT_EQUAL(df.signature_off, n - sizeof sig);
    CU_ASSERT_EQUAL(df.footer_off, n - sizeof sig - sizeof footer);
    CU_ASSERT_EQUAL(df.count, 2);
    CU_ASSERT_EQUAL(ug_uadp_frame_writer_id(&df, 0), 100);
    CU_ASSERT_EQUAL(ug_uadp_frame_writer_id(&df, 1), 101);
    CU_ASSERT_EQUAL(ug_uadp_frame_writer_id(&ef, 1), 101);
    CU_ASSERT_EQUAL(out.publisher_id.type, UG_PUBID_BYTE);
    CU_ASSERT_EQUAL(out.group.writer_group_id, 0x1234);
    CU_ASSERT_PTR_NULL(out.dsm);
    /* Then the payload on its own. */
    ug_arena a;
    check_arena(&a);
    o.arena = &a;
    CU_ASSERT_EQUAL(ug_uadp_decode_payload(buf, n, &df, &out, &o, &err), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(out.n_dsm, 2);
    CU_ASSERT_EQUAL(out.dsm[1].fields[2].dv.value.u.v.int32, 101);
    CU_ASSERT_EQUAL(out.security.signature.len, (int32_t)sizeof sig);
    CU_ASSERT_EQUAL(memcmp(out.security.footer.data, footer, sizeof footer), 0);
    /* Promoted fields need an arena even for the header. */
    build(&nm, combo(0, 0, 0, 0, 0, 0, 1, 0, 0));
    CU_ASSERT_EQUAL_FATAL(nm.n_promoted, 2);
    CU_ASSERT_EQUAL_FATAL(ug_uadp_encode(&nm, buf, sizeof buf, &n), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_uadp_decode_header(buf, n, &out, NULL, &df, &err), UG_STATUS_BADOUTOFMEMORY);
}

/* Malformed headers: bytes, expected status, expected error offset. */
static const struct bad {
    const char *what;
    uint8_t len;
    uint8_t b[24];
    ug_status status;
    size_t off;
} bad_headers[] = {
    {"empty", 0, {0}, UG_STATUS_BADDECODINGERROR, 0},
    {"version 0", 4, {0x00, 0x06, 0x00, 0x00}, UG_STATUS_BADPROTOCOLVERSIONUNSUPPORTED, 0},
    {"version 2", 4, {0x02, 0x06, 0x00, 0x00}, UG_STATUS_BADPROTOCOLVERSIONUNSUPPORTED, 0},
    {"version 15", 4, {0x0F, 0x06, 0x00, 0x00}, UG_STATUS_BADPROTOCOLVERSIONUNSUPPORTED, 0},
    {"pubid type 5", 6, {0x91, 0x05, 0x01, 0x01, 0x00, 0x00}, UG_STATUS_BADDECODINGERROR, 2},
    {"pubid type 6", 6, {0x91, 0x06, 0x01, 0x01, 0x00, 0x00}, UG_STATUS_BADDECODINGERROR, 2},
    {"pubid type 7", 6, {0x91, 0x07, 0x01, 0x01, 0x00, 0x00}, UG_STATUS_BADDECODINGERROR, 2},
    {"pubid type without pubid", 6, {0x81, 0x01, 0x01, 0x01, 0x00, 0x00}, UG_STATUS_BADDECODINGERROR, 2},
    {"ext2 reserved bit 5", 6, {0x81, 0x80, 0x20, 0x01, 0x00, 0x00}, UG_STATUS_BADDECODINGERROR, 2},
    {"ext2 reserved bit 7", 6, {0x81, 0x80, 0x80, 0x01, 0x00, 0x00}, UG_STATUS_BADDECODINGERROR, 2},
    {"ext2 nm type 3", 6, {0x81, 0x80, 0x0C, 0x01, 0x00, 0x00}, UG_STATUS_BADDECODINGERROR, 2},
    {"ext2 nm type 7", 6, {0x81, 0x80, 0x1C, 0x01, 0x00, 0x00}, UG_STATUS_BADDECODINGERROR, 2},
    {"group flags reserved", 5, {0x21, 0x10, 0x01, 0x00, 0x00}, UG_STATUS_BADDECODINGERROR, 1},
    {"payload header count 0", 5, {0x41, 0x00, 0x01, 0x00, 0x00}, UG_STATUS_BADDECODINGERROR, 1},
    {"payload header ids cut", 5, {0x41, 0x02, 0x01, 0x00, 0x01}, UG_STATUS_BADDECODINGERROR, 2},
    {"payload header on discovery", 8, {0xD1, 0x80, 0x08, 0x01, 0x01, 0x01, 0x00, 0x00},
     UG_STATUS_BADDECODINGERROR, 4},
    {"security reserved flags", 12, {0x81, 0x10, 0x11, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00, 0x00},
     UG_STATUS_BADDECODINGERROR, 2},
    {"nonce past the end", 10, {0x81, 0x10, 0x00, 1, 0, 0, 0, 0xFF, 0x01, 0x02}, UG_STATUS_BADDECODINGERROR, 8},
    {"footer larger than message", 12, {0x81, 0x10, 0x04, 1, 0, 0, 0, 0x00, 0x00, 0x10, 0x01, 0x00},
     UG_STATUS_BADDECODINGERROR, 10},
    {"promoted size past end", 8, {0x81, 0x80, 0x02, 0x10, 0x00, 0x06, 0x01, 0x00},
     UG_STATUS_BADDECODINGERROR, 5},
    {"promoted bad variant", 8, {0x81, 0x80, 0x02, 0x02, 0x00, 0x06, 0x01, 0x00},
     UG_STATUS_BADDECODINGERROR, 6},
    {"promoted empty", 8, {0x81, 0x80, 0x02, 0x00, 0x00, 0x01, 0x00, 0x00}, UG_STATUS_BADDECODINGERROR, 5},
    {"string pubid past end", 9, {0x91, 0x04, 0x10, 0x00, 0x00, 0x00, 0x41, 0x01, 0x00},
     UG_STATUS_BADDECODINGERROR, 6},
    {"no dataset message", 2, {0x11, 0x05}, UG_STATUS_BADDECODINGERROR, 2},
};

static void test_bad_headers(void)
{
    ug_arena a;
    for (size_t i = 0; i < sizeof bad_headers / sizeof bad_headers[0]; i++) {
        const struct bad *b = &bad_headers[i];
        uint8_t *g = ug_test_guard(b->b, b->len);
        check_arena(&a);
        ug_uadp_decode_opts o = {.arena = &a};
        ug_nm nm;
        size_t err = 999;
        ug_status s = ug_uadp_decode(g, b->len, &nm, &o, &err);
        if (s != b->status || err != b->off)
            fprintf(stderr, "%s: got %s at %zu\n", b->what, ug_status_name(s), err);
        CU_ASSERT_EQUAL(s, b->status);
        CU_ASSERT_EQUAL(err, b->off);
        check_guard_free(g, b->len);
    }
}

static void test_encoder_rejects(void)
{
    ug_nm nm;
    uint8_t buf[256];
    size_t n;
    build(&nm, 0);
    nm.version = 2;
    CU_ASSERT_EQUAL(ug_uadp_encode(&nm, buf, sizeof buf, &n), UG_STATUS_BADINVALIDARGUMENT);
    build(&nm, 0);
    nm.publisher_id.type = 5;
    CU_ASSERT_EQUAL(ug_uadp_encode(&nm, buf, sizeof buf, &n), UG_STATUS_BADINVALIDARGUMENT);
    build(&nm, 1); /* Byte */
    nm.publisher_id.u64 = 256;
    CU_ASSERT_EQUAL(ug_uadp_encode(&nm, buf, sizeof buf, &n), UG_STATUS_BADINVALIDARGUMENT);
    build(&nm, 0);
    nm.type = 3;
    CU_ASSERT_EQUAL(ug_uadp_encode(&nm, buf, sizeof buf, &n), UG_STATUS_BADINVALIDARGUMENT);
    build(&nm, 0);
    nm.n_dsm = 0;
    CU_ASSERT_EQUAL(ug_uadp_encode(&nm, buf, sizeof buf, &n), UG_STATUS_BADINVALIDARGUMENT);
    build(&nm, 0);
    nm.has_security = true;
    nm.security.flags = 0x20;
    CU_ASSERT_EQUAL(ug_uadp_encode(&nm, buf, sizeof buf, &n), UG_STATUS_BADINVALIDARGUMENT);
    nm.security.flags = UG_SEC_FOOTER;
    nm.security.footer_size = 4;
    nm.security.footer = (ug_bytes){footer, 5};
    CU_ASSERT_EQUAL(ug_uadp_encode(&nm, buf, sizeof buf, &n), UG_STATUS_BADINVALIDARGUMENT);
    nm.security.footer = UG_NULL_BYTES; /* zeros */
    CU_ASSERT_EQUAL(ug_uadp_encode(&nm, buf, sizeof buf, &n), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(memcmp(buf + n - 4, "\0\0\0\0", 4), 0);
    /* Too small: the exact size is reported and nothing past cap is written. */
    size_t full = n;
    memset(buf, 0x5A, sizeof buf);
    CU_ASSERT_EQUAL(ug_uadp_encode(&nm, buf, 5, &n), UG_STATUS_BADENCODINGLIMITSEXCEEDED);
    CU_ASSERT_EQUAL(n, full);
    CU_ASSERT_EQUAL(buf[5], 0x5A);
}

/* PromotedFields are counted, then decoded: the counting pass must give its
 * arena storage back, or an arena that fits the message runs out. */
static void test_promoted_arena_once(void)
{
    uint8_t msg[3 + 2 + 5 + 256 + 1];
    size_t k = 0;
    msg[k++] = 0x81; /* version 1, ExtendedFlags1 */
    msg[k++] = 0x80; /* ExtendedFlags2 */
    msg[k++] = 0x02; /* PromotedFields */
    msg[k++] = (5 + 256) & 0xFF; /* Size, UInt16: 261 */
    msg[k++] = 1;
    msg[k++] = 0x86; /* Int32 array of 64 */
    msg[k++] = 64;
    msg[k++] = 0;
    msg[k++] = 0;
    msg[k++] = 0;
    for (int i = 0; i < 64; i++) {
        int32_t v = i;
        memcpy(msg + k, &v, 4);
        k += 4;
    }
    msg[k++] = 0x01; /* a heartbeat key frame */
    CU_ASSERT_EQUAL_FATAL(k, sizeof msg);
    /* Room for the array once, the promoted Variant, the DataSetMessage. */
    _Alignas(8) uint8_t mem[256 + sizeof(ug_variant) + sizeof(ug_dsm) + 64];
    ug_arena a;
    ug_arena_init(&a, mem, sizeof mem, false);
    ug_uadp_decode_opts o = {.arena = &a};
    ug_nm nm;
    size_t err = 0;
    CU_ASSERT_EQUAL_FATAL(ug_uadp_decode(msg, sizeof msg, &nm, &o, &err), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(nm.n_promoted, 1);
    CU_ASSERT_EQUAL(nm.promoted[0].array_len, 64);
    CU_ASSERT_EQUAL(((const int32_t *)nm.promoted[0].u.arr)[63], 63);
    CU_ASSERT_EQUAL(a.heap_allocs, 0);
}

static CU_TestInfo tests[] = {
    {"promoted fields take arena storage once", test_promoted_arena_once},
    {"all header combinations round-trip", test_all_header_combinations},
    {"header-only decode", test_header_only_decode},
    {"malformed headers", test_bad_headers},
    {"encoder rejects inconsistent messages", test_encoder_rejects},
    CU_TEST_INFO_NULL,
};

int main(void) { return ug_test_main("uadp/header", tests); }
