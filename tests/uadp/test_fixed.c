/* Fixed-layout publishing (uadp/fixed.c): for several templates, writing
 * sequence numbers, timestamps and field values into the prebuilt frame gives
 * the same bytes as ug_uadp_encode of the same message, every cycle. */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "uadp_check.h"
#include "uagate/uadp.h"

#define MAXF 16

struct tmpl {
    ug_nm nm;
    ug_dsm dsm[3];
    ug_dsm_field f[3][MAXF];
};

static void set_fields(ug_dsm *d, ug_dsm_field *f, unsigned n, const uint8_t *types, uint8_t enc)
{
    ug_dsm_init(d);
    d->field_encoding = enc;
    d->field_count = (uint16_t)n;
    d->fields = f;
    for (unsigned i = 0; i < n; i++) {
        f[i] = (ug_dsm_field){.index = (uint16_t)i, .dv.mask = UG_DV_VALUE};
        f[i].dv.value = ug_variant_scalar(types[i]);
    }
}

/* R1 of the performance targets. */
static void tmpl_r1(struct tmpl *t)
{
    static const uint8_t ty[10] = {6, 6, 6, 6, 6, 6, 6, 6, 6, 6};
    ug_nm_init(&t->nm);
    t->nm.publisher_id.type = UG_PUBID_UINT16;
    t->nm.publisher_id.u64 = 1000;
    t->nm.has_group_header = true;
    t->nm.group.has_writer_group_id = true;
    t->nm.group.writer_group_id = 100;
    t->nm.group.has_seq = true;
    t->nm.has_payload_header = true;
    set_fields(&t->dsm[0], t->f[0], 10, ty, UG_FE_VARIANT);
    t->dsm[0].writer_id = 62541;
    t->dsm[0].has_seq = true;
    t->nm.dsm = t->dsm;
    t->nm.n_dsm = 1;
}

static void tmpl_raw(struct tmpl *t)
{
    static const uint8_t ty[10] = {6, 6, 6, 6, 6, 6, 6, 6, 6, 6};
    ug_nm_init(&t->nm);
    t->nm.has_timestamp = true;
    set_fields(&t->dsm[0], t->f[0], 10, ty, UG_FE_RAWDATA);
    t->dsm[0].has_timestamp = true;
    t->dsm[0].has_status = true;
    t->nm.dsm = t->dsm;
    t->nm.n_dsm = 1;
}

static void tmpl_mixed(struct tmpl *t)
{
    static const uint8_t ty0[8] = {UG_TYPE_BOOLEAN, UG_TYPE_DOUBLE, UG_TYPE_GUID, UG_TYPE_DATETIME,
                                   UG_TYPE_UINT64, UG_TYPE_SBYTE, UG_TYPE_FLOAT, UG_TYPE_STATUSCODE};
    static const uint8_t ty1[3] = {UG_TYPE_INT16, UG_TYPE_BYTE, UG_TYPE_UINT32};
    ug_nm_init(&t->nm);
    t->nm.publisher_id.type = UG_PUBID_STRING;
    t->nm.publisher_id.str = ug_string_from("fixed-pub");
    t->nm.has_group_header = true;
    t->nm.group.has_nm_number = true;
    t->nm.group.has_seq = true;
    t->nm.group.has_group_version = true;
    t->nm.has_payload_header = true;
    t->nm.has_timestamp = true;
    t->nm.has_picoseconds = true;
    set_fields(&t->dsm[0], t->f[0], 8, ty0, UG_FE_VARIANT);
    t->dsm[0].has_seq = true;
    t->dsm[0].has_picoseconds = true;
    t->dsm[0].configured_size = 120;
    set_fields(&t->dsm[1], t->f[1], 3, ty1, UG_FE_DATAVALUE);
    t->dsm[1].has_seq = true;
    t->dsm[1].has_timestamp = true;
    for (int i = 0; i < 3; i++) {
        t->f[1][i].dv.mask |= UG_DV_SOURCE_TIMESTAMP;
        t->f[1][i].dv.source_ts = 42;
    }
    set_fields(&t->dsm[2], t->f[2], 0, NULL, UG_FE_VARIANT);
    t->dsm[2].type = UG_DSM_KEEPALIVE;
    t->dsm[2].has_seq = true;
    t->nm.dsm = t->dsm;
    t->nm.n_dsm = 3;
    t->dsm[0].writer_id = 1;
    t->dsm[1].writer_id = 2;
    t->dsm[2].writer_id = 3;
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void random_value(ug_variant *v)
{
    uint64_t r = next();
    ug_scalar s;
    memset(&s, 0, sizeof s);
    memcpy(&s, &r, sizeof r);
    if (v->type == UG_TYPE_GUID)
        memcpy((uint8_t *)&s + 8, &r, 8);
    if (v->type == UG_TYPE_BOOLEAN)
        s.boolean = r & 1;
    v->u.v = s;
}

static int check_template(struct tmpl *t, const char *what)
{
    static uint8_t frame[2048], ref[2048];
    ug_uadp_fixed *f = calloc(1, sizeof *f);
    int bad = 0;
    CU_ASSERT_TRUE(ug_uadp_is_fixed(&t->nm));
    ug_status s = ug_uadp_fixed_init(f, &t->nm, frame, sizeof frame);
    if (s != UG_STATUS_GOOD) {
        fprintf(stderr, "%s: init %s\n", what, ug_status_name(s));
        free(f);
        return 1;
    }
    for (int cycle = 0; cycle < 50; cycle++) {
        uint16_t seq = (uint16_t)next();
        ug_datetime ts = (ug_datetime)next();
        if (t->nm.group.has_seq)
            t->nm.group.seq = seq;
        ug_uadp_fixed_set_group_seq(f, seq);
        if (t->nm.has_timestamp)
            t->nm.timestamp = ts;
        ug_uadp_fixed_set_nm_timestamp(f, ts);
        for (unsigned d = 0; d < t->nm.n_dsm; d++) {
            ug_dsm *dm = &t->dsm[d];
            uint16_t dseq = (uint16_t)(seq + d);
            if (dm->has_seq)
                dm->seq = dseq;
            ug_uadp_fixed_set_dsm_seq(f, d, dseq);
            if (dm->has_timestamp)
                dm->timestamp = ts + d;
            ug_uadp_fixed_set_dsm_timestamp(f, d, ts + d);
            if (dm->has_status)
                dm->status = (uint16_t)(seq ^ 0x8000);
            ug_uadp_fixed_set_dsm_status(f, d, (uint16_t)(seq ^ 0x8000));
            if (cycle % 3 == 2) {
                /* all fields at once, packed */
                uint8_t packed[256];
                size_t at = 0;
                for (unsigned i = 0; i < dm->field_count; i++) {
                    ug_variant *v = &dm->fields[i].dv.value;
                    random_value(v);
                    size_t sz = ug_type_wire_size(v->type);
                    memcpy(packed + at, &v->u.v, sz);
                    at += sz;
                }
                bad += ug_uadp_fixed_set_packed(f, d, packed, at) != UG_STATUS_GOOD;
                bad += ug_uadp_fixed_set_packed(f, d, packed, at + 1) != UG_STATUS_BADINVALIDARGUMENT;
                continue;
            }
            for (unsigned i = 0; i < dm->field_count; i++) {
                ug_variant *v = &dm->fields[i].dv.value;
                random_value(v);
                if (cycle % 2)
                    bad += ug_uadp_fixed_set_field(f, d, i, &v->u.v) != UG_STATUS_GOOD;
                else if (v->type == UG_TYPE_BOOLEAN)
                    *(uint8_t *)ug_uadp_fixed_field_ptr(f, d, i) = v->u.v.boolean;
                else
                    memcpy(ug_uadp_fixed_field_ptr(f, d, i), &v->u.v,
                           ug_type_wire_size(ug_uadp_fixed_field_type(f, d, i)));
            }
        }
        size_t n = 0;
        if (ug_uadp_encode(&t->nm, ref, sizeof ref, &n) != UG_STATUS_GOOD || n != f->len ||
            memcmp(ref, frame, n) != 0) {
            fprintf(stderr, "%s: cycle %d differs\n", what, cycle);
            bad++;
            break;
        }
    }
    CU_ASSERT_PTR_NULL(ug_uadp_fixed_field_ptr(f, t->nm.n_dsm, 0));
    CU_ASSERT_PTR_NULL(ug_uadp_fixed_field_ptr(f, 0, 1000));
    ug_scalar z = {0};
    CU_ASSERT_EQUAL(ug_uadp_fixed_set_field(f, 0, 1000, &z), UG_STATUS_BADINVALIDARGUMENT);
    free(f);
    return bad;
}

static void test_templates_match_encoder(void)
{
    static struct tmpl t;
    tmpl_r1(&t);
    CU_ASSERT_EQUAL(check_template(&t, "R1"), 0);
    tmpl_raw(&t);
    CU_ASSERT_EQUAL(check_template(&t, "RawData"), 0);
    tmpl_mixed(&t);
    CU_ASSERT_EQUAL(check_template(&t, "mixed"), 0);
}

static void test_r1_offsets(void)
{
    static struct tmpl t;
    tmpl_r1(&t);
    static uint8_t frame[256];
    static ug_uadp_fixed f;
    CU_ASSERT_EQUAL_FATAL(ug_uadp_fixed_init(&f, &t.nm, frame, sizeof frame), UG_STATUS_GOOD);
    /* f1 81 e803 | 09 6400 SEQ | 01 4df4 | 09 SEQ 0a00 (06 v)x10 */
    CU_ASSERT_EQUAL(f.off_group_seq, 7);
    CU_ASSERT_EQUAL(f.dsm[0].off_seq, 13);
    CU_ASSERT_EQUAL(f.field_off[0], 18);
    CU_ASSERT_EQUAL(f.field_off[9], 18 + 9 * 5);
    CU_ASSERT_EQUAL(f.len, 18 + 9 * 5 + 4);
    CU_ASSERT_FALSE(f.dsm[0].contiguous); /* Variant encoding bytes in between */
    CU_ASSERT_EQUAL(f.dsm[0].packed_len, 40);
    CU_ASSERT_EQUAL(f.off_timestamp, UG_UADP_NO_OFFSET);
    CU_ASSERT_EQUAL(f.dsm[0].off_timestamp, UG_UADP_NO_OFFSET);
    ug_uadp_fixed_set_seq(&f, 0x0102);
    CU_ASSERT_EQUAL(frame[7], 0x02);
    CU_ASSERT_EQUAL(frame[13], 0x02);
    CU_ASSERT_EQUAL(frame[14], 0x01);
    /* too small a frame */
    CU_ASSERT_EQUAL(ug_uadp_fixed_init(&f, &t.nm, frame, 10), UG_STATUS_BADENCODINGLIMITSEXCEEDED);
}

static void test_raw_contiguous(void)
{
    static struct tmpl t;
    tmpl_raw(&t);
    static uint8_t frame[256];
    static ug_uadp_fixed f;
    CU_ASSERT_EQUAL_FATAL(ug_uadp_fixed_init(&f, &t.nm, frame, sizeof frame), UG_STATUS_GOOD);
    CU_ASSERT_TRUE(f.dsm[0].contiguous);
    CU_ASSERT_EQUAL(f.dsm[0].packed_len, 40);
    int32_t v[10] = {1, -2, 3, -4, 5, -6, 7, -8, 9, -10};
    CU_ASSERT_EQUAL(ug_uadp_fixed_set_packed(&f, 0, v, sizeof v), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(memcmp(frame + f.len - 40, v, 40), 0);
    CU_ASSERT_EQUAL(ug_uadp_fixed_set_packed(&f, 1, v, sizeof v), UG_STATUS_BADINVALIDARGUMENT);
}

static void test_not_fixed(void)
{
    static struct tmpl t;
    static uint8_t frame[512];
    static ug_uadp_fixed f;
    tmpl_r1(&t);
    t.f[0][3].dv.value = ug_variant_scalar(UG_TYPE_STRING);
    t.f[0][3].dv.value.u.v.string = ug_string_from("var");
    CU_ASSERT_FALSE(ug_uadp_is_fixed(&t.nm));
    CU_ASSERT_EQUAL(ug_uadp_fixed_init(&f, &t.nm, frame, sizeof frame), UG_STATUS_BADNOTSUPPORTED);
    tmpl_r1(&t);
    static const int32_t arr[2] = {1, 2};
    t.f[0][0].dv.value.array_len = 2;
    t.f[0][0].dv.value.u.arr = arr;
    CU_ASSERT_EQUAL(ug_uadp_fixed_init(&f, &t.nm, frame, sizeof frame), UG_STATUS_BADNOTSUPPORTED);
    tmpl_r1(&t);
    ug_variant p = ug_variant_scalar(UG_TYPE_INT32);
    t.nm.promoted = &p;
    t.nm.n_promoted = 1;
    CU_ASSERT_EQUAL(ug_uadp_fixed_init(&f, &t.nm, frame, sizeof frame), UG_STATUS_BADNOTSUPPORTED);
    tmpl_r1(&t);
    t.dsm[0].type = UG_DSM_DELTAFRAME;
    CU_ASSERT_EQUAL(ug_uadp_fixed_init(&f, &t.nm, frame, sizeof frame), UG_STATUS_BADNOTSUPPORTED);
}

static CU_TestInfo tests[] = {
    {"templates give ug_uadp_encode's bytes", test_templates_match_encoder},
    {"R1 offsets", test_r1_offsets},
    {"RawData values back to back", test_raw_contiguous},
    {"templates that are not fixed", test_not_fixed},
    CU_TEST_INFO_NULL,
};

int main(void) { return ug_test_main("uadp/fixed", tests); }
