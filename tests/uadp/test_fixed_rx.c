/* Fixed-layout receiving (uadp/fixed_rx.c): for several templates, match
 * accepts every message ug_uadp_encode writes for any values, the accessors
 * return what ug_uadp_decode returns, any change to a constant byte or to the
 * length is refused, any value in a varying byte still decodes to the same
 * layout, and no input is read past its end. */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "uadp_check.h"
#include "uagate/uadp.h"

#define MAXF 16
#define MAXD 4

struct tmpl {
    ug_nm nm;
    ug_dsm dsm[MAXD];
    ug_dsm_field f[MAXD][MAXF];
    ug_field_meta meta[MAXD][MAXF];
    ug_dsm_layout lay[MAXD];
};

static void set_fields(struct tmpl *t, unsigned d, const uint8_t *types, unsigned n, uint8_t enc,
                       uint16_t writer_id)
{
    ug_dsm *dm = &t->dsm[d];
    ug_dsm_init(dm);
    dm->field_encoding = enc;
    dm->field_count = (uint16_t)n;
    dm->fields = t->f[d];
    dm->writer_id = writer_id;
    for (unsigned i = 0; i < n; i++) {
        t->f[d][i] = (ug_dsm_field){.index = (uint16_t)i, .dv.mask = UG_DV_VALUE};
        t->f[d][i].dv.value = ug_variant_scalar(types[i]);
        memset(&t->meta[d][i], 0, sizeof t->meta[d][i]);
        t->meta[d][i].builtin_type = types[i];
        t->meta[d][i].value_rank = -1;
        t->meta[d][i].n_array_dims = -1;
    }
    t->nm.dsm = t->dsm;
    if (t->nm.n_dsm < d + 1)
        t->nm.n_dsm = (uint16_t)(d + 1);
}

/* The reader's configuration: what ug_uadp_decode needs for RawData and
 * ConfiguredSize. */
static void layouts(struct tmpl *t)
{
    for (unsigned d = 0; d < t->nm.n_dsm; d++)
        t->lay[d] = (ug_dsm_layout){.writer_id = t->dsm[d].writer_id,
                                    .configured_size = t->dsm[d].configured_size,
                                    .n_fields = t->dsm[d].field_count,
                                    .fields = t->meta[d]};
}

static const uint8_t int32x10[10] = {6, 6, 6, 6, 6, 6, 6, 6, 6, 6};

static void tmpl_r1(struct tmpl *t, uint8_t enc)
{
    memset(t, 0, sizeof *t);
    ug_nm_init(&t->nm);
    t->nm.publisher_id.type = UG_PUBID_UINT16;
    t->nm.publisher_id.u64 = 1000;
    t->nm.has_group_header = true;
    t->nm.group.has_writer_group_id = true;
    t->nm.group.writer_group_id = 100;
    t->nm.group.has_seq = true;
    t->nm.has_payload_header = true;
    set_fields(t, 0, int32x10, 10, enc, 62541);
    t->dsm[0].has_seq = true;
    layouts(t);
}

/* Every fixed-size type as Variant, every varying header part, padding. */
static void tmpl_variant_mixed(struct tmpl *t)
{
    static const uint8_t ty[9] = {UG_TYPE_BOOLEAN, UG_TYPE_DOUBLE,     UG_TYPE_DATETIME,
                                  UG_TYPE_GUID,    UG_TYPE_FLOAT,      UG_TYPE_SBYTE,
                                  UG_TYPE_UINT64,  UG_TYPE_STATUSCODE, UG_TYPE_INT16};
    memset(t, 0, sizeof *t);
    ug_nm_init(&t->nm);
    t->nm.publisher_id.type = UG_PUBID_STRING;
    t->nm.publisher_id.str = ug_string_from("fixed-rx");
    t->nm.has_group_header = true;
    t->nm.group.has_writer_group_id = true;
    t->nm.group.writer_group_id = 7;
    t->nm.group.has_group_version = true;
    t->nm.group.group_version = 0x12345678;
    t->nm.group.has_nm_number = true;
    t->nm.group.has_seq = true;
    t->nm.has_payload_header = true;
    t->nm.has_timestamp = true;
    t->nm.has_picoseconds = true;
    set_fields(t, 0, ty, 9, UG_FE_VARIANT, 5);
    t->dsm[0].has_seq = true;
    t->dsm[0].has_timestamp = true;
    t->dsm[0].has_picoseconds = true;
    t->dsm[0].has_status = true;
    t->dsm[0].configured_size = 120;
    layouts(t);
}

/* Several DataSetMessages (sizes array): Variant, DataValue, RawData with
 * padding, keep-alive. */
static void tmpl_multi(struct tmpl *t)
{
    static const uint8_t ty0[3] = {UG_TYPE_BOOLEAN, UG_TYPE_INT32, UG_TYPE_DOUBLE};
    static const uint8_t ty1[4] = {UG_TYPE_INT16, UG_TYPE_BYTE, UG_TYPE_UINT32, UG_TYPE_BOOLEAN};
    static const uint8_t ty2[5] = {UG_TYPE_BOOLEAN, UG_TYPE_DOUBLE, UG_TYPE_DATETIME, UG_TYPE_GUID,
                                   UG_TYPE_UINT16};
    memset(t, 0, sizeof *t);
    ug_nm_init(&t->nm);
    t->nm.publisher_id.type = UG_PUBID_UINT64;
    t->nm.publisher_id.u64 = 0x0102030405060708ull;
    t->nm.has_group_header = true;
    t->nm.group.has_seq = true;
    t->nm.has_payload_header = true;
    set_fields(t, 0, ty0, 3, UG_FE_VARIANT, 1);
    t->dsm[0].has_seq = true;
    t->dsm[0].has_status = true;
    set_fields(t, 1, ty1, 4, UG_FE_DATAVALUE, 2);
    t->dsm[1].has_timestamp = true;
    t->dsm[1].has_cfg_major = true;
    t->dsm[1].cfg_major = 11;
    t->dsm[1].has_cfg_minor = true;
    t->dsm[1].cfg_minor = 12;
    set_fields(t, 2, ty2, 5, UG_FE_RAWDATA, 3);
    t->dsm[2].has_seq = true;
    t->dsm[2].configured_size = 60;
    set_fields(t, 3, NULL, 0, UG_FE_VARIANT, 4);
    t->dsm[3].type = UG_DSM_KEEPALIVE;
    t->dsm[3].has_seq = true;
    layouts(t);
}

/* No PublisherId, GroupHeader or PayloadHeader: RawData padded to ConfiguredSize. */
static void tmpl_bare_raw(struct tmpl *t)
{
    static const uint8_t ty[3] = {UG_TYPE_BOOLEAN, UG_TYPE_INT64, UG_TYPE_FLOAT};
    memset(t, 0, sizeof *t);
    ug_nm_init(&t->nm);
    set_fields(t, 0, ty, 3, UG_FE_RAWDATA, 0);
    t->dsm[0].has_timestamp = true;
    t->dsm[0].configured_size = 40;
    layouts(t);
}

static uint64_t rng = 0x2545F4914F6CDD1Dull;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void randomize(struct tmpl *t)
{
    t->nm.group.seq = (uint16_t)next();
    t->nm.group.nm_number = (uint16_t)next();
    t->nm.timestamp = (ug_datetime)next();
    t->nm.picoseconds = (uint16_t)next();
    for (unsigned d = 0; d < t->nm.n_dsm; d++) {
        ug_dsm *dm = &t->dsm[d];
        dm->seq = (uint16_t)next();
        dm->timestamp = (ug_datetime)next();
        dm->picoseconds = (uint16_t)next();
        dm->status = (uint16_t)next();
        for (unsigned i = 0; i < dm->field_count; i++) {
            ug_variant *v = &dm->fields[i].dv.value;
            uint64_t r = next();
            memset(&v->u.v, 0, sizeof v->u.v);
            memcpy(&v->u.v, &r, 8);
            if (v->type == UG_TYPE_GUID) {
                r = next();
                memcpy((uint8_t *)&v->u.v + 8, &r, 8);
            }
            if (v->type == UG_TYPE_BOOLEAN)
                v->u.v.boolean = r & 1;
        }
    }
}

#define FAIL(...)                                                                        \
    do {                                                                                 \
        fprintf(stderr, "  " __VA_ARGS__);                                               \
        fprintf(stderr, "\n");                                                           \
        return false;                                                                    \
    } while (0)

static bool same16(bool has, bool got, uint16_t a, uint16_t b)
{
    return has == got && (!has || a == b);
}

static bool same64(bool has, bool got, ug_datetime a, ug_datetime b)
{
    return has == got && (!has || a == b);
}

/* Every accessor against the general decoder's ug_nm. */
static bool accessors_agree(const ug_uadp_fixed_rx *rx, const uint8_t *msg, const ug_nm *nm)
{
    uint16_t u = 0;
    ug_datetime dt = 0;
    bool got = ug_uadp_fixed_rx_group_seq(rx, msg, &u);
    if (!same16(nm->has_group_header && nm->group.has_seq, got, nm->group.seq, u))
        FAIL("group seq");
    got = ug_uadp_fixed_rx_nm_number(rx, msg, &u);
    if (!same16(nm->has_group_header && nm->group.has_nm_number, got, nm->group.nm_number, u))
        FAIL("nm number");
    got = ug_uadp_fixed_rx_nm_timestamp(rx, msg, &dt);
    if (!same64(nm->has_timestamp, got, nm->timestamp, dt))
        FAIL("nm timestamp");
    got = ug_uadp_fixed_rx_nm_picoseconds(rx, msg, &u);
    if (!same16(nm->has_picoseconds, got, nm->picoseconds, u))
        FAIL("nm picoseconds");
    if (nm->n_dsm != rx->lay.n_dsm)
        FAIL("n_dsm %u vs %u", nm->n_dsm, rx->lay.n_dsm);
    for (unsigned d = 0; d < nm->n_dsm; d++) {
        const ug_dsm *dm = &nm->dsm[d];
        /* (the accessor runs before its result is read: argument order is unspecified) */
        got = ug_uadp_fixed_rx_dsm_seq(rx, msg, d, &u);
        if (!same16(dm->has_seq, got, dm->seq, u))
            FAIL("dsm %u seq", d);
        got = ug_uadp_fixed_rx_dsm_timestamp(rx, msg, d, &dt);
        if (!same64(dm->has_timestamp, got, dm->timestamp, dt))
            FAIL("dsm %u timestamp", d);
        got = ug_uadp_fixed_rx_dsm_picoseconds(rx, msg, d, &u);
        if (!same16(dm->has_picoseconds, got, dm->picoseconds, u))
            FAIL("dsm %u picoseconds", d);
        got = ug_uadp_fixed_rx_dsm_status(rx, msg, d, &u);
        if (!same16(dm->has_status, got, dm->status, u))
            FAIL("dsm %u status", d);
        if (dm->field_count != rx->lay.dsm[d].n_fields)
            FAIL("dsm %u field count", d);
        uint8_t packed[256], expect[256];
        size_t at = 0;
        for (unsigned i = 0; i < dm->field_count; i++) {
            const ug_variant *dv = &dm->fields[i].dv.value;
            ug_variant v = ug_variant_scalar(ug_uadp_fixed_rx_field_type(rx, d, i));
            memset(&v.u.v, 0xA5, sizeof v.u.v);
            if (ug_uadp_fixed_rx_field(rx, msg, d, i, &v.u.v) != UG_STATUS_GOOD ||
                !ug_variant_eq(&v, dv))
                FAIL("dsm %u field %u value", d, i);
            size_t sz = ug_type_wire_size(dv->type);
            const uint8_t *p = ug_uadp_fixed_rx_field_ptr(rx, msg, d, i);
            if (dv->type == UG_TYPE_BOOLEAN ? (*p != 0) != dv->u.v.boolean
                                            : memcmp(p, &dv->u.v, sz) != 0)
                FAIL("dsm %u field %u pointer", d, i);
            if (dv->type == UG_TYPE_BOOLEAN)
                expect[at] = dv->u.v.boolean;
            else
                memcpy(expect + at, &dv->u.v, sz);
            at += sz;
        }
        memset(packed, 0xA5, sizeof packed);
        if (ug_uadp_fixed_rx_get_packed(rx, msg, d, packed, at) != UG_STATUS_GOOD ||
            memcmp(packed, expect, at) != 0)
            FAIL("dsm %u packed", d);
    }
    return true;
}

/* ug_uadp_decode of msg with the reader's configuration. */
static ug_status decode(const struct tmpl *t, const uint8_t *msg, size_t len, ug_nm *out)
{
    static ug_arena a;
    check_arena(&a);
    ug_uadp_decode_opts o = {.arena = &a, .layouts = t->lay, .n_layouts = t->nm.n_dsm};
    return ug_uadp_decode(msg, len, out, &o, NULL);
}

static bool matches_and_agrees(const struct tmpl *t, const ug_uadp_fixed_rx *rx,
                               const uint8_t *msg, size_t len)
{
    ug_nm nm;
    ug_status s = ug_uadp_fixed_rx_match(rx, msg, len);
    if (s != UG_STATUS_GOOD)
        FAIL("match %s", ug_status_name(s));
    s = decode(t, msg, len, &nm);
    if (s != UG_STATUS_GOOD)
        FAIL("a matching message does not decode: %s", ug_status_name(s));
    return accessors_agree(rx, msg, &nm);
}

struct rxmem {
    ug_uadp_fixed_rx rx;
    uint8_t mem[4096];
};

static int check_template(struct tmpl *t, const char *what)
{
    static struct rxmem m;
    static uint8_t msg[2048];
    int bad = 0;
    ug_status s = ug_uadp_fixed_rx_init(&m.rx, &t->nm, m.mem, sizeof m.mem);
    if (s != UG_STATUS_GOOD) {
        fprintf(stderr, "%s: init %s\n", what, ug_status_name(s));
        return 1;
    }
    const ug_uadp_fixed_rx *rx = &m.rx;
    size_t len = 0;
    for (int round = 0; round < 300; round++) {
        randomize(t);
        if (ug_uadp_encode(&t->nm, msg, sizeof msg, &len) != UG_STATUS_GOOD) {
            fprintf(stderr, "%s: encode failed\n", what);
            return bad + 1;
        }
        /* Senders may put any non-zero byte for true (Part 6 §5.2.2.1). */
        for (unsigned d = 0; d < rx->lay.n_dsm && round % 2; d++)
            for (unsigned i = 0; i < rx->lay.dsm[d].n_fields; i++)
                if (ug_uadp_fixed_rx_field_type(rx, d, i) == UG_TYPE_BOOLEAN) {
                    uint8_t *p = msg + ug_uadp_fixed_rx_field_off(rx, d, i);
                    if (*p)
                        *p = (uint8_t)(next() | 1);
                }
        uint8_t *g = ug_test_guard(msg, len);
        if (!matches_and_agrees(t, rx, g, len)) {
            fprintf(stderr, "%s: round %d\n", what, round);
            bad++;
        }
        ug_test_guard_free(g);
        if (bad)
            return bad;
    }
    /* Every byte, every other value: constant bytes refuse, varying bytes
     * still decode to the same layout and the accessors follow. */
    for (size_t pos = 0; pos < len; pos++) {
        uint8_t orig = msg[pos];
        for (unsigned v = 0; v < 256; v++) {
            if (v == orig)
                continue;
            msg[pos] = (uint8_t)v;
            if (rx->mask[pos]) {
                if (ug_uadp_fixed_rx_match(rx, msg, len) != UG_STATUS_BADNOMATCH) {
                    fprintf(stderr, "%s: byte %zu = %02x accepted\n", what, pos, v);
                    bad++;
                }
            } else if (!matches_and_agrees(t, rx, msg, len)) {
                fprintf(stderr, "%s: varying byte %zu = %02x\n", what, pos, v);
                bad++;
            }
            if (bad)
                break;
        }
        msg[pos] = orig;
    }
    /* Other lengths, read under the guard: never past the end. */
    for (size_t cut = 0; cut < len + 8 && !bad; cut++) {
        if (cut == len)
            continue;
        uint8_t *g = ug_test_guard(msg, cut);
        if (ug_uadp_fixed_rx_match(rx, g, cut) != UG_STATUS_BADNOMATCH) {
            fprintf(stderr, "%s: length %zu accepted\n", what, cut);
            bad++;
        }
        check_guard_free(g, cut);
    }
    /* The publisher's fixed frame for the same template is accepted. */
    static ug_uadp_fixed pub;
    static uint8_t frame[2048];
    if (ug_uadp_fixed_init(&pub, &t->nm, frame, sizeof frame) != UG_STATUS_GOOD) {
        bad++;
    } else {
        ug_uadp_fixed_set_seq(&pub, 0xBEEF);
        ug_uadp_fixed_set_nm_timestamp(&pub, -1);
        for (unsigned d = 0; d < pub.n_dsm; d++)
            ug_uadp_fixed_set_dsm_status(&pub, d, 0x8000);
        bad += !matches_and_agrees(t, rx, frame, pub.len);
    }
    return bad;
}

static void test_templates(void)
{
    static struct tmpl t;
    tmpl_r1(&t, UG_FE_VARIANT);
    CU_ASSERT_EQUAL(check_template(&t, "R1"), 0);
    tmpl_r1(&t, UG_FE_RAWDATA);
    CU_ASSERT_EQUAL(check_template(&t, "R3"), 0);
    tmpl_r1(&t, UG_FE_DATAVALUE);
    CU_ASSERT_EQUAL(check_template(&t, "R1 DataValue"), 0);
    tmpl_variant_mixed(&t);
    CU_ASSERT_EQUAL(check_template(&t, "Variant mixed"), 0);
    tmpl_multi(&t);
    CU_ASSERT_EQUAL(check_template(&t, "several DataSetMessages"), 0);
    tmpl_bare_raw(&t);
    CU_ASSERT_EQUAL(check_template(&t, "bare RawData"), 0);
}

static void test_r1_mask(void)
{
    static struct tmpl t;
    static struct rxmem m;
    tmpl_r1(&t, UG_FE_VARIANT);
    CU_ASSERT_EQUAL_FATAL(ug_uadp_fixed_rx_init(&m.rx, &t.nm, m.mem, sizeof m.mem), UG_STATUS_GOOD);
    /* f1 81 e803 | 09 6400 SEQ | 01 4df4 | 09 SEQ 0a00 (06 v)x10 */
    size_t len = m.rx.lay.len, varying = 0;
    CU_ASSERT_EQUAL(len, 67);
    for (size_t i = 0; i < len; i++)
        varying += m.rx.mask[i] == 0;
    CU_ASSERT_EQUAL(varying, 2 + 2 + 10 * 4);
    CU_ASSERT_EQUAL(m.rx.mask[7], 0);
    CU_ASSERT_EQUAL(m.rx.mask[17], 0xFF); /* first Variant encoding byte */
    CU_ASSERT_EQUAL(m.rx.mask[18], 0);
    CU_ASSERT_EQUAL(ug_uadp_fixed_rx_field_off(&m.rx, 0, 9), 18 + 9 * 5);

    /* Another Variant type in a field: refused, though the general decoder
     * takes it (as a UInt32), so the field is never reinterpreted. */
    static uint8_t msg[256];
    size_t n = 0;
    CU_ASSERT_EQUAL_FATAL(ug_uadp_encode(&t.nm, msg, sizeof msg, &n), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_uadp_fixed_rx_match(&m.rx, msg, n), UG_STATUS_GOOD);
    msg[17 + 3 * 5] = UG_TYPE_UINT32;
    CU_ASSERT_EQUAL(ug_uadp_fixed_rx_match(&m.rx, msg, n), UG_STATUS_BADNOMATCH);
    ug_nm out;
    CU_ASSERT_EQUAL(decode(&t, msg, n, &out), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(out.dsm[0].fields[3].dv.value.type, UG_TYPE_UINT32);
    msg[17 + 3 * 5] = UG_TYPE_INT32;
    /* Another DataSetWriterId, WriterGroupId, PublisherId: another writer. */
    msg[11] ^= 1;
    CU_ASSERT_EQUAL(ug_uadp_fixed_rx_match(&m.rx, msg, n), UG_STATUS_BADNOMATCH);
    msg[11] ^= 1;
    msg[2] ^= 1;
    CU_ASSERT_EQUAL(ug_uadp_fixed_rx_match(&m.rx, msg, n), UG_STATUS_BADNOMATCH);
    msg[2] ^= 1;
    CU_ASSERT_EQUAL(ug_uadp_fixed_rx_match(&m.rx, msg, n), UG_STATUS_GOOD);

    /* Out of range. */
    ug_scalar sc;
    uint16_t u;
    CU_ASSERT_EQUAL(ug_uadp_fixed_rx_field(&m.rx, msg, 0, 10, &sc), UG_STATUS_BADINVALIDARGUMENT);
    CU_ASSERT_EQUAL(ug_uadp_fixed_rx_field(&m.rx, msg, 1, 0, &sc), UG_STATUS_BADINVALIDARGUMENT);
    CU_ASSERT_PTR_NULL(ug_uadp_fixed_rx_field_ptr(&m.rx, msg, 0, 10));
    CU_ASSERT_EQUAL(ug_uadp_fixed_rx_field_off(&m.rx, 1, 0), UG_UADP_NO_OFFSET);
    CU_ASSERT_FALSE(ug_uadp_fixed_rx_dsm_seq(&m.rx, msg, 1, &u));
    CU_ASSERT_FALSE(ug_uadp_fixed_rx_dsm_status(&m.rx, msg, 0, &u));
    uint8_t packed[64];
    CU_ASSERT_EQUAL(ug_uadp_fixed_rx_get_packed(&m.rx, msg, 0, packed, 39),
                    UG_STATUS_BADINVALIDARGUMENT);
    CU_ASSERT_EQUAL(ug_uadp_fixed_rx_get_packed(&m.rx, msg, 1, packed, 40),
                    UG_STATUS_BADINVALIDARGUMENT);
}

static void test_init_refusals(void)
{
    static struct tmpl t;
    static struct rxmem m;
    tmpl_r1(&t, UG_FE_VARIANT);
    size_t need = UG_UADP_FIXED_RX_MEM(ug_uadp_encoded_size(&t.nm));
    CU_ASSERT_EQUAL(ug_uadp_fixed_rx_init(&m.rx, &t.nm, m.mem, need), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_uadp_fixed_rx_init(&m.rx, &t.nm, m.mem, need - 1),
                    UG_STATUS_BADENCODINGLIMITSEXCEEDED);
    /* Not fixed: a String field. */
    t.f[0][3].dv.value = ug_variant_scalar(UG_TYPE_STRING);
    t.f[0][3].dv.value.u.v.string = ug_string_from("var");
    CU_ASSERT_EQUAL(ug_uadp_fixed_rx_init(&m.rx, &t.nm, m.mem, sizeof m.mem),
                    UG_STATUS_BADNOTSUPPORTED);
    /* DataValue with a per-message status or timestamp the accessors cannot give. */
    tmpl_r1(&t, UG_FE_DATAVALUE);
    t.f[0][5].dv.mask |= UG_DV_SOURCE_TIMESTAMP;
    CU_ASSERT_EQUAL(ug_uadp_fixed_rx_init(&m.rx, &t.nm, m.mem, sizeof m.mem),
                    UG_STATUS_BADNOTSUPPORTED);
    tmpl_r1(&t, UG_FE_DATAVALUE);
    t.f[0][0].dv.mask |= UG_DV_STATUS;
    CU_ASSERT_EQUAL(ug_uadp_fixed_rx_init(&m.rx, &t.nm, m.mem, sizeof m.mem),
                    UG_STATUS_BADNOTSUPPORTED);
    /* A reader whose init failed matches nothing. */
    static uint8_t msg[256];
    size_t n = 0;
    CU_ASSERT_EQUAL_FATAL(ug_uadp_encode(&t.nm, msg, sizeof msg, &n), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_uadp_fixed_rx_match(&m.rx, msg, n), UG_STATUS_BADNOMATCH);
    CU_ASSERT_EQUAL(ug_uadp_fixed_rx_match(&m.rx, msg, 0), UG_STATUS_BADNOMATCH);
    tmpl_r1(&t, UG_FE_VARIANT);
    CU_ASSERT_EQUAL(ug_uadp_fixed_rx_init(&m.rx, &t.nm, m.mem, 10),
                    UG_STATUS_BADENCODINGLIMITSEXCEEDED);
    CU_ASSERT_EQUAL(ug_uadp_fixed_rx_match(&m.rx, msg, 0), UG_STATUS_BADNOMATCH);
}

static CU_TestInfo tests[] = {
    {"match and accessors agree with ug_uadp_decode", test_templates},
    {"R1 mask, type bytes, ids, ranges", test_r1_mask},
    {"what init refuses", test_init_refusals},
    CU_TEST_INFO_NULL,
};

int main(void) { return ug_test_main("uadp/fixed_rx", tests); }
