/* Publisher and subscriber in one loop over a fake in-memory link: values,
 * key/delta/keep-alive sequencing, timeouts, the fixed-layout path, chunking,
 * JSON, run-time changes. Counts are checked over windows with generous
 * bounds: the machine is shared. */
#include "ps_test.h"
#include "uagate/uadp.h"
#include "uagate/uadp_ext.h"

#define MS 1000000LL

typedef struct bench {
    ug_loop *loop;
    ug_pubsub *ps;
    ps_fake *link;
    ug_ps_connection *pub, *sub;
    ug_reader_group *rg;
    uint32_t slot_i, slot_d;
    ug_pds *pds;
} bench;

static ug_status drop(void *ctx, const uint8_t *m, size_t l)
{
    (void)ctx;
    (void)m;
    (void)l;
    return UG_STATUS_GOOD;
}

static int n_metadata;
static uint32_t last_major;

static void on_metadata(void *ctx, ug_dataset_writer *w, const ug_dataset_metadata *md)
{
    (void)ctx;
    (void)w;
    n_metadata++;
    last_major = md->cfg_major;
}

static void setup(bench *b)
{
    memset(b, 0, sizeof(*b));
    n_metadata = 0;
    CU_ASSERT_FATAL(ug_loop_new(NULL, &b->loop) == UG_STATUS_GOOD);
    ug_pubsub_config cfg = {.on_metadata = on_metadata, .store_slots = 20000};
    CU_ASSERT_FATAL(ug_pubsub_new(b->loop, &cfg, &b->ps) == UG_STATUS_GOOD);
    b->link = calloc(1, sizeof(*b->link));
    CU_ASSERT_FATAL(b->link != NULL);
    ug_ps_link sub_link = {.send = drop};
    ug_connection_config sc = {.name = "sub", .link = &sub_link};
    CU_ASSERT_FATAL(ug_pubsub_add_connection(b->ps, &sc, &b->sub) == UG_STATUS_GOOD);
    b->link->to = b->sub;
    ug_ps_link pub_link = {.send = ps_fake_send, .ctx = b->link};
    ug_connection_config pc = {.name = "pub", .publisher_id = {.type = UG_PUBID_UINT16, .u64 = 42},
                               .link = &pub_link};
    CU_ASSERT_FATAL(ug_pubsub_add_connection(b->ps, &pc, &b->pub) == UG_STATUS_GOOD);
    CU_ASSERT_FATAL(ug_ps_connection_add_reader_group(b->sub, NULL, &b->rg) == UG_STATUS_GOOD);
    CU_ASSERT_FATAL(ug_pubsub_store_add(b->ps, UG_TYPE_INT32, &b->slot_i) == UG_STATUS_GOOD);
    CU_ASSERT_FATAL(ug_pubsub_store_add(b->ps, UG_TYPE_DOUBLE, &b->slot_d) == UG_STATUS_GOOD);
    ug_datavalue dv = {.mask = UG_DV_VALUE, .value = ug_variant_scalar(UG_TYPE_INT32)};
    dv.value.u.v.int32 = 1234;
    ug_pubsub_store_write(b->ps, b->slot_i, &dv);
    dv.value = ug_variant_scalar(UG_TYPE_DOUBLE);
    dv.value.u.v.f64 = 0.5;
    ug_pubsub_store_write(b->ps, b->slot_d, &dv);
    ug_pds_field f[2] = {
        {.name = "i", .builtin_type = UG_TYPE_INT32, .source = {.kind = UG_PS_SRC_STORE, .slot = b->slot_i}},
        {.name = "d", .builtin_type = UG_TYPE_DOUBLE, .source = {.kind = UG_PS_SRC_STORE, .slot = b->slot_d}},
    };
    ug_pds_config dc = {.name = "ds", .n_fields = 2, .fields = f};
    CU_ASSERT_FATAL(ug_pubsub_add_pds(b->ps, &dc, &b->pds) == UG_STATUS_GOOD);
    ug_ps_enable(ug_pubsub_comp(b->ps));
    ug_ps_enable(ug_ps_connection_comp(b->pub));
    ug_ps_enable(ug_ps_connection_comp(b->sub));
    ug_ps_enable(ug_reader_group_comp(b->rg));
}

static void teardown(bench *b)
{
    ug_pubsub_free(b->ps);
    ug_loop_close(b->loop, -1);
    free(b->link);
}

static ug_writer_group *add_group(bench *b, uint16_t wgid, int64_t interval, uint8_t enc)
{
    ug_writer_group_config gc = {.name = "wg", .writer_group_id = wgid,
                                 .publishing_interval_ns = interval, .encoding = enc};
    ug_writer_group *g;
    CU_ASSERT_FATAL(ug_ps_connection_add_writer_group(b->pub, &gc, &g) == UG_STATUS_GOOD);
    ug_ps_enable(ug_writer_group_comp(g));
    return g;
}

static ug_dataset_writer *add_writer(ug_writer_group *g, uint16_t id, uint32_t kfc, ug_pds *pds,
                                     uint32_t field_mask)
{
    ug_dataset_writer_config wc = {.name = "w", .writer_id = id, .key_frame_count = kfc,
                                   .pds = pds, .field_mask = field_mask};
    ug_dataset_writer *w;
    CU_ASSERT_FATAL(ug_writer_group_add_writer(g, &wc, &w) == UG_STATUS_GOOD);
    ug_ps_enable(ug_dataset_writer_comp(w));
    return w;
}

static ug_dataset_reader *add_reader(bench *b, uint16_t wgid, uint16_t wid, int64_t timeout,
                                     const ug_dataset_metadata *md)
{
    ug_dataset_reader_config rc = {.name = "r", .has_publisher_id = true,
                                   .publisher_id = {.type = UG_PUBID_UINT16, .u64 = 42},
                                   .writer_group_id = wgid, .writer_id = wid,
                                   .receive_timeout_ns = timeout, .metadata = md,
                                   .mirror = md != NULL};
    ug_dataset_reader *r;
    CU_ASSERT_FATAL(ug_reader_group_add_reader(b->rg, &rc, &r) == UG_STATUS_GOOD);
    ug_ps_enable(ug_dataset_reader_comp(r));
    return r;
}

static const ug_ps_diag *D(ug_ps_comp *c)
{
    return ug_ps_diag_of(c);
}

static void test_values_arrive(void)
{
    bench b;
    setup(&b);
    ug_writer_group *g = add_group(&b, 1, 2 * MS, UG_PS_UADP);
    ug_dataset_writer *w = add_writer(g, 10, 1, b.pds, 0);
    ug_dataset_reader *r = add_reader(&b, 1, 10, 0, ug_pds_metadata(b.pds));
    ug_ps_comp *rc = ug_dataset_reader_comp(r);
    PS_RUN_UNTIL(b.loop, D(rc)->received >= 5, 5000);
    CU_ASSERT_EQUAL(ug_ps_state(rc), UG_PUBSUB_OPERATIONAL);
    CU_ASSERT(D(rc)->received >= 5);
    CU_ASSERT_EQUAL(D(rc)->received, D(ug_dataset_writer_comp(w))->sent);
    CU_ASSERT_EQUAL(D(rc)->gaps, 0);
    const ug_datavalue *v0 = ug_pubsub_store_read(b.ps, ug_dataset_reader_slot(r, 0));
    const ug_datavalue *v1 = ug_pubsub_store_read(b.ps, ug_dataset_reader_slot(r, 1));
    CU_ASSERT_EQUAL(v0->value.type, UG_TYPE_INT32);
    CU_ASSERT_EQUAL(v0->value.u.v.int32, 1234);
    CU_ASSERT_EQUAL(v1->value.u.v.f64, 0.5);
    CU_ASSERT(v1->mask & UG_DV_SERVER_TIMESTAMP);
    /* A new value in the publisher's store reaches the mirror. */
    ug_datavalue dv = {.mask = UG_DV_VALUE, .value = ug_variant_scalar(UG_TYPE_INT32)};
    dv.value.u.v.int32 = -7;
    ug_pubsub_store_write(b.ps, b.slot_i, &dv);
    const ug_datavalue *m0 = ug_pubsub_store_read(b.ps, ug_dataset_reader_slot(r, 0));
    PS_RUN_UNTIL(b.loop, m0->value.u.v.int32 == -7, 5000);
    CU_ASSERT_EQUAL(m0->value.u.v.int32, -7);
    /* Every writer announced its metadata once. */
    CU_ASSERT_EQUAL(D(ug_dataset_writer_comp(w))->metadata_sent, 1);
    teardown(&b);
}

static void test_key_delta_keepalive(void)
{
    bench b;
    setup(&b);
    ug_writer_group *g1 = add_group(&b, 1, 2 * MS, UG_PS_UADP);
    ug_dataset_writer *w1 = add_writer(g1, 1, 1, b.pds, 0);
    ug_writer_group *g3 = add_group(&b, 3, 2 * MS, UG_PS_UADP);
    ug_dataset_writer *w3 = add_writer(g3, 3, 3, b.pds, 0);
    ug_dataset_reader *r1 = add_reader(&b, 1, 1, 0, ug_pds_metadata(b.pds));
    ug_dataset_reader *r3 = add_reader(&b, 3, 3, 0, ug_pds_metadata(b.pds));
    const ug_ps_diag *d1 = D(ug_dataset_writer_comp(w1)), *d3 = D(ug_dataset_writer_comp(w3));
    PS_RUN_UNTIL(b.loop, d1->key_frames >= 12 && d3->key_frames >= 5, 5000);
    /* KeyFrameCount 1: key frames only. */
    CU_ASSERT(d1->key_frames >= 10);
    CU_ASSERT_EQUAL(d1->delta_frames + d1->keep_alives, 0);
    /* KeyFrameCount 3 and nothing changing: one key frame per three
     * intervals, keep-alives (KeepAliveTime = interval) between them. */
    CU_ASSERT(d3->key_frames >= 4);
    CU_ASSERT_EQUAL(d3->delta_frames, 0);
    CU_ASSERT(d3->keep_alives + 2 >= 2 * d3->key_frames - 2);
    CU_ASSERT(d3->keep_alives <= 2 * d3->key_frames);
    /* Keep-alives do not use up sequence numbers. */
    CU_ASSERT_EQUAL(d3->last_seq, (uint16_t)(d3->key_frames - 1));
    const ug_ps_diag *rd3 = D(ug_dataset_reader_comp(r3));
    CU_ASSERT_EQUAL(rd3->gaps, 0);
    CU_ASSERT_EQUAL(rd3->received, d3->sent);
    CU_ASSERT_EQUAL(D(ug_dataset_reader_comp(r1))->received, d1->sent);
    /* A change shows as a delta frame with only the changed field. */
    uint64_t deltas = d3->delta_frames;
    ug_datavalue dv = {.mask = UG_DV_VALUE, .value = ug_variant_scalar(UG_TYPE_DOUBLE)};
    for (int k = 0; k < 10; k++) {
        dv.value.u.v.f64 = k + 100.0;
        ug_pubsub_store_write(b.ps, b.slot_d, &dv);
        uint64_t sent = d3->sent;
        PS_RUN_UNTIL(b.loop, d3->sent > sent, 5000); /* one cycle samples it */
    }
    CU_ASSERT(d3->delta_frames >= deltas + 5);
    CU_ASSERT_EQUAL(rd3->gaps, 0);
    CU_ASSERT_EQUAL(ug_pubsub_store_read(b.ps, ug_dataset_reader_slot(r3, 1))->value.u.v.f64, 109.0);
    teardown(&b);
}

static void test_timeout_and_recovery(void)
{
    bench b;
    setup(&b);
    ug_writer_group *g = add_group(&b, 1, 2 * MS, UG_PS_UADP);
    add_writer(g, 1, 1, b.pds, 0);
    /* 2 ms cycles, a 300 ms timeout: no stall of a shared machine trips it. */
    ug_dataset_reader *r = add_reader(&b, 1, 1, 300 * MS, ug_pds_metadata(b.pds));
    ug_ps_comp *rc = ug_dataset_reader_comp(r);
    PS_RUN_UNTIL(b.loop, D(rc)->received >= 10, 5000);
    CU_ASSERT_EQUAL(ug_ps_state(rc), UG_PUBSUB_OPERATIONAL);
    CU_ASSERT_EQUAL(D(rc)->timeouts, 0);
    ug_ps_disable(ug_writer_group_comp(g));
    int64_t t0 = ug_clock_mono_ns();
    PS_RUN_UNTIL(b.loop, ug_ps_state(rc) == UG_PUBSUB_ERROR, 5000);
    CU_ASSERT_EQUAL(ug_ps_state(rc), UG_PUBSUB_ERROR);
    CU_ASSERT(ug_clock_mono_ns() - t0 >= 100 * MS); /* not long before the timeout */
    CU_ASSERT_EQUAL(D(rc)->timeouts, 1);
    ug_ps_enable(ug_writer_group_comp(g));
    PS_RUN_UNTIL(b.loop, ug_ps_state(rc) == UG_PUBSUB_OPERATIONAL, 5000);
    CU_ASSERT_EQUAL(ug_ps_state(rc), UG_PUBSUB_OPERATIONAL);
    CU_ASSERT_EQUAL(D(rc)->timeouts, 1);
    teardown(&b);
}

/* ---- hand-built messages ---- */

static size_t make_msg(uint8_t *buf, size_t cap, uint64_t pub, uint16_t wgid, uint16_t wid,
                       uint8_t type, uint16_t seq, uint32_t major)
{
    static ug_dsm_field f[2];
    f[0].dv = (ug_datavalue){.mask = UG_DV_VALUE, .value = ug_variant_scalar(UG_TYPE_INT32)};
    f[0].dv.value.u.v.int32 = seq;
    f[1].dv = (ug_datavalue){.mask = UG_DV_VALUE, .value = ug_variant_scalar(UG_TYPE_DOUBLE)};
    ug_dsm d;
    ug_dsm_init(&d);
    d.writer_id = wid;
    d.type = type;
    d.has_seq = true;
    d.seq = seq;
    d.has_cfg_major = major != 0;
    d.cfg_major = major;
    d.field_count = type == UG_DSM_KEYFRAME ? 2 : 0;
    d.fields = f;
    ug_nm nm;
    ug_nm_init(&nm);
    nm.publisher_id.type = UG_PUBID_UINT16;
    nm.publisher_id.u64 = pub;
    nm.has_group_header = true;
    nm.group.has_writer_group_id = true;
    nm.group.writer_group_id = wgid;
    nm.has_payload_header = true;
    nm.n_dsm = 1;
    nm.dsm = &d;
    size_t len = 0;
    CU_ASSERT_FATAL(ug_uadp_encode(&nm, buf, cap, &len) == UG_STATUS_GOOD);
    return len;
}

#define N_KEEP 8
struct split_cap {
    uint8_t (*m)[256];
    size_t *l;
    int n;
};

static ug_status split_keep(void *ctx, uint8_t *msg, size_t len, size_t cap)
{
    (void)cap;
    struct split_cap *c = ctx;
    if (c->n >= N_KEEP || len > 256)
        return UG_STATUS_BADENCODINGLIMITSEXCEEDED;
    memcpy(c->m[c->n], msg, len);
    c->l[c->n++] = len;
    return UG_STATUS_GOOD;
}

static void feed(bench *b, uint64_t pub, uint16_t wgid, uint16_t wid, uint8_t type, uint16_t seq,
                 uint32_t major)
{
    uint8_t buf[256];
    size_t len = make_msg(buf, sizeof(buf), pub, wgid, wid, type, seq, major);
    ug_ps_connection_receive(b->sub, buf, len, 0);
}

static void test_sequence_numbers(void)
{
    bench b;
    setup(&b);
    ug_dataset_reader *r = add_reader(&b, 5, 50, 0, NULL);
    const ug_ps_diag *d = D(ug_dataset_reader_comp(r));
    static const struct {
        uint8_t type;
        uint16_t seq;
        uint64_t received, dup, stale, gaps, resets;
    } steps[] = {
        {UG_DSM_KEYFRAME, 10, 1, 0, 0, 0, 0},
        {UG_DSM_KEYFRAME, 10, 1, 1, 0, 0, 0},     /* duplicate */
        {UG_DSM_KEYFRAME, 9, 1, 1, 1, 0, 0},      /* stale */
        {UG_DSM_KEYFRAME, 11, 2, 1, 1, 0, 0},
        {UG_DSM_KEEPALIVE, 12, 3, 1, 1, 0, 0},    /* next expected, not used up */
        {UG_DSM_KEYFRAME, 12, 4, 1, 1, 0, 0},
        {UG_DSM_KEYFRAME, 15, 5, 1, 1, 2, 0},     /* 13, 14 missing */
        {UG_DSM_KEYFRAME, 32766, 6, 1, 1, 2, 1},  /* neither newer nor older: resync */
        {UG_DSM_KEYFRAME, 65534, 7, 1, 1, 2, 2},  /* again */
        {UG_DSM_KEYFRAME, 65535, 8, 1, 1, 2, 2},
        {UG_DSM_KEYFRAME, 0, 9, 1, 1, 2, 2},      /* wrap-around */
        {UG_DSM_KEYFRAME, 65535, 9, 1, 2, 2, 2},  /* older across the wrap */
        {UG_DSM_KEYFRAME, 2, 10, 1, 2, 3, 2},     /* 1 missing */
        {UG_DSM_KEEPALIVE, 2, 10, 2, 2, 3, 2},    /* keep-alive of a number used */
    };
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        feed(&b, 42, 5, 50, steps[i].type, steps[i].seq, 0);
        CU_ASSERT_EQUAL(d->received, steps[i].received);
        CU_ASSERT_EQUAL(d->dropped[UG_PS_DROP_DUPLICATE], steps[i].dup);
        CU_ASSERT_EQUAL(d->dropped[UG_PS_DROP_STALE], steps[i].stale);
        CU_ASSERT_EQUAL(d->gaps, steps[i].gaps);
        CU_ASSERT_EQUAL(d->seq_resets, steps[i].resets);
    }
    teardown(&b);
}

static void test_filtering(void)
{
    bench b;
    setup(&b);
    ug_dataset_reader *r = add_reader(&b, 5, 50, 0, NULL);
    const ug_ps_diag *d = D(ug_dataset_reader_comp(r));
    const ug_ps_diag *cd = D(ug_ps_connection_comp(b.sub));
    feed(&b, 42, 5, 50, UG_DSM_KEYFRAME, 1, 0);
    CU_ASSERT_EQUAL(d->received, 1);
    feed(&b, 43, 5, 50, UG_DSM_KEYFRAME, 2, 0); /* other publisher */
    feed(&b, 42, 6, 50, UG_DSM_KEYFRAME, 3, 0); /* other group */
    feed(&b, 42, 5, 51, UG_DSM_KEYFRAME, 4, 0); /* other writer */
    CU_ASSERT_EQUAL(d->received, 1);
    CU_ASSERT_EQUAL(cd->dropped[UG_PS_DROP_NO_READER], 3);
    CU_ASSERT_EQUAL(cd->decode_errors, 0);
    /* Without a PayloadHeader the reader takes the first DataSetMessage. */
    {
        ug_dsm_field f = {.dv = {.mask = UG_DV_VALUE, .value = ug_variant_scalar(UG_TYPE_BYTE)}};
        ug_dsm dm;
        ug_dsm_init(&dm);
        dm.has_seq = true;
        dm.seq = 9;
        dm.field_count = 1;
        dm.fields = &f;
        ug_nm nm;
        ug_nm_init(&nm);
        nm.publisher_id.type = UG_PUBID_UINT16;
        nm.publisher_id.u64 = 42;
        nm.has_group_header = true;
        nm.group.has_writer_group_id = true;
        nm.group.writer_group_id = 5;
        nm.n_dsm = 1;
        nm.dsm = &dm;
        uint8_t buf[64];
        size_t len;
        CU_ASSERT_FATAL(ug_uadp_encode(&nm, buf, sizeof(buf), &len) == UG_STATUS_GOOD);
        ug_ps_connection_receive(b.sub, buf, len, 0);
        CU_ASSERT_EQUAL(d->received, 2);
        CU_ASSERT_EQUAL(d->last_seq, 9);
    }
    /* Garbage is a decode error, not a crash. */
    uint8_t junk[3] = {0xF1, 0xFF, 0xFF};
    ug_ps_connection_receive(b.sub, junk, sizeof(junk), 0);
    CU_ASSERT_EQUAL(cd->decode_errors, 1);
    teardown(&b);
}

/* Every prefix and single-byte corruption of real messages (a plain one and
 * chunks), each placed right before a PROT_NONE page: the receive path never
 * reads past a message and never crashes. */
static void test_truncated_and_corrupt(void)
{
    bench b;
    setup(&b);
    ug_dataset_reader *r = add_reader(&b, 5, 50, 0, NULL);
    uint8_t msgs[N_KEEP][256];
    size_t lens[N_KEEP];
    lens[0] = make_msg(msgs[0], sizeof(msgs[0]), 42, 5, 50, UG_DSM_KEYFRAME, 1, 0);
    /* Two chunks of the same DataSetMessage, cut by ug_uadp_split. */
    ug_dsm_field f[40];
    for (int i = 0; i < 40; i++) {
        f[i].dv = (ug_datavalue){.mask = UG_DV_VALUE, .value = ug_variant_scalar(UG_TYPE_DOUBLE)};
        f[i].dv.value.u.v.f64 = i;
    }
    ug_dsm d;
    ug_dsm_init(&d);
    d.writer_id = 50;
    d.field_count = 40;
    d.fields = f;
    ug_nm nm;
    ug_nm_init(&nm);
    nm.publisher_id.type = UG_PUBID_UINT16;
    nm.publisher_id.u64 = 42;
    nm.has_group_header = true;
    nm.group.has_writer_group_id = true;
    nm.group.writer_group_id = 5;
    nm.has_payload_header = true;
    nm.n_dsm = 1;
    nm.dsm = &d;
    struct split_cap cp = {msgs, lens, 1};
    uint8_t scratch[1024];
    CU_ASSERT_FATAL(ug_uadp_split(&nm, 200, 7, scratch, sizeof(scratch), split_keep, &cp) ==
                    UG_STATUS_GOOD);
    CU_ASSERT_FATAL(cp.n >= 3);
    uint64_t rx = 0;
    for (int m = 0; m < cp.n; m++) {
        for (size_t l = 0; l <= lens[m]; l++) {
            uint8_t *g1 = ug_test_guard(msgs[m], l);
            ug_ps_connection_receive(b.sub, g1, l, 0);
            ug_test_guard_free(g1);
            rx++;
        }
        uint64_t seed = 12345;
        for (size_t i = 0; i < lens[m]; i++) {
            uint8_t copy[256];
            memcpy(copy, msgs[m], lens[m]);
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            copy[i] ^= (uint8_t)(seed >> 56) | 1;
            uint8_t *g2 = ug_test_guard(copy, lens[m]);
            ug_ps_connection_receive(b.sub, g2, lens[m], 0);
            ug_test_guard_free(g2);
            rx++;
        }
    }
    const ug_ps_diag *cd = D(ug_ps_connection_comp(b.sub));
    CU_ASSERT_EQUAL(cd->received, rx);
    CU_ASSERT(cd->decode_errors > 0);
    CU_ASSERT(D(ug_dataset_reader_comp(r))->received >= 1);
    teardown(&b);
}

static void test_config_version(void)
{
    bench b;
    setup(&b);
    ug_field_meta fm[2] = {{.name = ug_string_from("i"), .builtin_type = UG_TYPE_INT32, .value_rank = -1},
                           {.name = ug_string_from("d"), .builtin_type = UG_TYPE_DOUBLE, .value_rank = -1}};
    ug_dataset_metadata md = {.n_fields = 2, .fields = fm, .cfg_major = 5, .cfg_minor = 5};
    ug_dataset_reader *r = add_reader(&b, 5, 50, 0, &md);
    ug_ps_comp *rc = ug_dataset_reader_comp(r);
    feed(&b, 42, 5, 50, UG_DSM_KEYFRAME, 1, 5);
    CU_ASSERT_EQUAL(ug_ps_state(rc), UG_PUBSUB_OPERATIONAL);
    CU_ASSERT_EQUAL(ug_pubsub_store_read(b.ps, ug_dataset_reader_slot(r, 0))->value.u.v.int32, 1);
    feed(&b, 42, 5, 50, UG_DSM_KEYFRAME, 2, 6);
    CU_ASSERT_EQUAL(D(rc)->dropped[UG_PS_DROP_VERSION], 1);
    CU_ASSERT_EQUAL(ug_ps_state(rc), UG_PUBSUB_ERROR);
    CU_ASSERT_EQUAL(ug_pubsub_store_read(b.ps, ug_dataset_reader_slot(r, 0))->value.u.v.int32, 1);
    feed(&b, 42, 5, 50, UG_DSM_KEYFRAME, 3, 5);
    CU_ASSERT_EQUAL(ug_ps_state(rc), UG_PUBSUB_OPERATIONAL);
    CU_ASSERT_EQUAL(ug_pubsub_store_read(b.ps, ug_dataset_reader_slot(r, 0))->value.u.v.int32, 3);
    teardown(&b);
}

static void test_fixed_layout(void)
{
    bench b;
    setup(&b);
    ug_writer_group *g = add_group(&b, 1, 2 * MS, UG_PS_UADP);
    add_writer(g, 1, 1, b.pds, UG_FIELD_RAW_DATA);
    add_writer(g, 2, 1, b.pds, 0);
    ug_dataset_reader *r = add_reader(&b, 1, 1, 0, ug_pds_metadata(b.pds));
    CU_ASSERT_TRUE(ug_writer_group_is_fixed(g));
    PS_RUN_UNTIL(b.loop, b.link->n >= 3, 5000);
    CU_ASSERT(b.link->n >= 3);
    /* The frame the fast path sent decodes and re-encodes to the same bytes
     * with the general encoder. */
    size_t len;
    const uint8_t *m = ps_fake_last(b.link, 0, &len);
    uint8_t arena_buf[4096], out[1500];
    ug_arena a;
    ug_arena_init(&a, arena_buf, sizeof(arena_buf), false);
    ug_dsm_layout lay[2] = {{.writer_id = 1, .n_fields = 2, .fields = ug_pds_metadata(b.pds)->fields},
                            {.writer_id = 2, .n_fields = 2, .fields = ug_pds_metadata(b.pds)->fields}};
    ug_uadp_decode_opts o = {.arena = &a, .layouts = lay, .n_layouts = 2};
    ug_nm nm;
    CU_ASSERT_FATAL(ug_uadp_decode(m, len, &nm, &o, NULL) == UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(nm.n_dsm, 2);
    CU_ASSERT_EQUAL(nm.dsm[0].fields[0].dv.value.u.v.int32, 1234);
    size_t len2;
    CU_ASSERT_EQUAL(ug_uadp_encode(&nm, out, sizeof(out), &len2), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(len2, len);
    CU_ASSERT_EQUAL(memcmp(out, m, len), 0);
    CU_ASSERT_EQUAL(ug_pubsub_store_read(b.ps, ug_dataset_reader_slot(r, 0))->value.u.v.int32, 1234);
    /* A String field makes the layout variable: the general path. */
    uint32_t s;
    ug_pubsub_store_add(b.ps, UG_TYPE_STRING, &s);
    ug_pds_field f[2] = {
        {.name = "i", .builtin_type = UG_TYPE_INT32, .source = {.kind = UG_PS_SRC_STORE, .slot = b.slot_i}},
        {.name = "s", .builtin_type = UG_TYPE_STRING, .source = {.kind = UG_PS_SRC_STORE, .slot = s}},
    };
    ug_pds_config dc = {.name = "ds2", .n_fields = 2, .fields = f};
    uint32_t major = ug_pds_metadata(b.pds)->cfg_major;
    CU_ASSERT_EQUAL(ug_pds_update(b.pds, &dc), UG_STATUS_GOOD);
    CU_ASSERT(ug_pds_metadata(b.pds)->cfg_major > major);
    CU_ASSERT_FALSE(ug_writer_group_is_fixed(g));
    teardown(&b);
}

static void test_metadata_announced(void)
{
    bench b;
    setup(&b);
    ug_writer_group_config gc = {.name = "wg", .writer_group_id = 1,
                                 .publishing_interval_ns = 2 * MS, .announce_metadata = true};
    ug_writer_group *g;
    CU_ASSERT_FATAL(ug_ps_connection_add_writer_group(b.pub, &gc, &g) == UG_STATUS_GOOD);
    ug_ps_enable(ug_writer_group_comp(g));
    add_writer(g, 1, 1, b.pds, 0);
    /* A reader configured with the metadata as it is now. */
    ug_dataset_reader *r = add_reader(&b, 1, 1, 0, ug_pds_metadata(b.pds));
    ug_ps_comp *rc = ug_dataset_reader_comp(r);
    PS_RUN_UNTIL(b.loop, n_metadata == 1 && D(rc)->received >= 2, 5000);
    CU_ASSERT_EQUAL(n_metadata, 1);
    CU_ASSERT_EQUAL(last_major, ug_pds_metadata(b.pds)->cfg_major);
    CU_ASSERT_EQUAL(ug_ps_state(rc), UG_PUBSUB_OPERATIONAL);
    /* The first message on the wire was the DataSetMetaData as a discovery
     * response; the subscriber's readers do not take discovery messages. */
    CU_ASSERT_FATAL(b.link->n > 1 && b.link->n < PS_FAKE_MAX);
    uint8_t abuf[8192];
    ug_arena a;
    ug_arena_init(&a, abuf, sizeof(abuf), false);
    ug_uadp_decode_opts o = {.arena = &a};
    ug_nm nm;
    CU_ASSERT_FATAL(ug_uadp_decode(b.link->msg[0], b.link->len[0], &nm, &o, NULL) == UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(nm.type, UG_NM_DISCOVERY_RESPONSE);
    CU_ASSERT_EQUAL(nm.disc_resp.response_type, UG_DISC_DATASET_METADATA);
    CU_ASSERT_EQUAL(nm.disc_resp.writer_id, 1);
    CU_ASSERT_EQUAL(nm.disc_resp.metadata.n_fields, 2);
    CU_ASSERT_EQUAL(nm.disc_resp.metadata.cfg_major, ug_pds_metadata(b.pds)->cfg_major);
    CU_ASSERT(ug_ps_diag_of(ug_ps_connection_comp(b.sub))->dropped[UG_PS_DROP_UNHANDLED] >= 1);
    /* Changing the dataset bumps the MajorVersion: announced again, and the
     * reader holding the old metadata drops the new messages and goes Error. */
    ug_pds_field f[3] = {
        {.name = "i", .builtin_type = UG_TYPE_INT32, .source = {.kind = UG_PS_SRC_STORE, .slot = b.slot_i}},
        {.name = "d", .builtin_type = UG_TYPE_DOUBLE, .source = {.kind = UG_PS_SRC_STORE, .slot = b.slot_d}},
        {.name = "c", .builtin_type = UG_TYPE_UINT16,
         .source = {.kind = UG_PS_SRC_SIM, .sim = {.shape = UG_PS_SIM_COUNTER, .step = 1}}},
    };
    ug_pds_config dc = {.name = "ds", .n_fields = 3, .fields = f};
    CU_ASSERT_EQUAL(ug_pds_update(b.pds, &dc), UG_STATUS_GOOD);
    PS_RUN_UNTIL(b.loop, D(rc)->dropped[UG_PS_DROP_VERSION] >= 3, 5000);
    CU_ASSERT_EQUAL(n_metadata, 2);
    CU_ASSERT_EQUAL(last_major, ug_pds_metadata(b.pds)->cfg_major);
    CU_ASSERT(ug_ps_diag_of(rc)->dropped[UG_PS_DROP_VERSION] >= 3);
    CU_ASSERT_EQUAL(ug_ps_state(rc), UG_PUBSUB_ERROR);
    /* A reader with the new metadata reads the new field. */
    ug_dataset_reader *r2 = add_reader(&b, 1, 1, 0, ug_pds_metadata(b.pds));
    const ug_datavalue *c2 = ug_pubsub_store_read(b.ps, ug_dataset_reader_slot(r2, 2));
    PS_RUN_UNTIL(b.loop, c2->value.type == UG_TYPE_UINT16 && c2->value.u.v.uint16 >= 3, 5000);
    CU_ASSERT_EQUAL(ug_ps_state(ug_dataset_reader_comp(r2)), UG_PUBSUB_OPERATIONAL);
    CU_ASSERT(c2->value.u.v.uint16 >= 3);
    teardown(&b);
}

static void test_chunking(void)
{
    bench b;
    setup(&b);
    enum { N = 120 };
    ug_pds_field f[N];
    char names[N][8];
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof(names[i]), "f%d", i);
        f[i] = (ug_pds_field){.name = names[i], .builtin_type = UG_TYPE_DOUBLE,
                              .source = {.kind = UG_PS_SRC_SIM,
                                         .sim = {.shape = UG_PS_SIM_COUNTER, .offset = i, .step = 0}}};
    }
    ug_pds_config dc = {.name = "big", .n_fields = N, .fields = f};
    ug_pds *big;
    CU_ASSERT_FATAL(ug_pubsub_add_pds(b.ps, &dc, &big) == UG_STATUS_GOOD);
    ug_writer_group_config gc = {.name = "wg", .writer_group_id = 9,
                                 .publishing_interval_ns = 5 * MS, .max_nm_size = 256};
    ug_writer_group *g;
    CU_ASSERT_FATAL(ug_ps_connection_add_writer_group(b.pub, &gc, &g) == UG_STATUS_GOOD);
    ug_ps_enable(ug_writer_group_comp(g));
    add_writer(g, 9, 1, big, 0);
    ug_dataset_reader *r = add_reader(&b, 9, 9, 0, ug_pds_metadata(big));
    CU_ASSERT_FALSE(ug_writer_group_is_fixed(g)); /* too large for one message */
    const ug_ps_diag *gd = D(ug_writer_group_comp(g));
    const ug_ps_diag *rd = D(ug_dataset_reader_comp(r));
    PS_RUN_UNTIL(b.loop, rd->received >= 3, 5000);
    CU_ASSERT(gd->chunks_sent >= 2 * gd->sent);
    for (uint64_t i = 0; i < (b.link->n < PS_FAKE_MAX ? b.link->n : PS_FAKE_MAX); i++) {
        size_t len;
        ps_fake_last(b.link, (unsigned)i, &len);
        CU_ASSERT(len <= 256);
    }
    CU_ASSERT(rd->received >= 3);
    CU_ASSERT(rd->received + 1 >= gd->sent);
    CU_ASSERT_EQUAL(ug_pubsub_store_read(b.ps, ug_dataset_reader_slot(r, 77))->value.u.v.f64, 77.0);
    CU_ASSERT_EQUAL(ug_ps_state(ug_dataset_reader_comp(r)), UG_PUBSUB_OPERATIONAL);
    teardown(&b);
}

/* A 64 KiB dataset (8192 Double fields, RawData) cut into 1472-byte chunks
 * and reassembled at the reader. */
static void test_chunking_64k(void)
{
    bench b;
    setup(&b);
    enum { N = 8192 };
    ug_pds_field *f = calloc(N, sizeof(*f));
    CU_ASSERT_FATAL(f != NULL);
    for (int i = 0; i < N; i++)
        f[i] = (ug_pds_field){.name = "v", .builtin_type = UG_TYPE_DOUBLE,
                              .source = {.kind = UG_PS_SRC_SIM,
                                         .sim = {.shape = UG_PS_SIM_COUNTER, .offset = i, .step = 1}}};
    ug_pds_config dc = {.name = "64k", .n_fields = N, .fields = f};
    ug_pds *big;
    CU_ASSERT_FATAL(ug_pubsub_add_pds(b.ps, &dc, &big) == UG_STATUS_GOOD);
    free(f);
    ug_writer_group_config gc = {.name = "wg", .writer_group_id = 64, .publishing_interval_ns = 10 * MS};
    ug_writer_group *g;
    CU_ASSERT_FATAL(ug_ps_connection_add_writer_group(b.pub, &gc, &g) == UG_STATUS_GOOD);
    ug_ps_enable(ug_writer_group_comp(g));
    ug_dataset_writer *w = add_writer(g, 64, 1, big, UG_FIELD_RAW_DATA);
    ug_dataset_reader *r = add_reader(&b, 64, 64, 0, ug_pds_metadata(big));
    const ug_ps_diag *gd = D(ug_writer_group_comp(g)), *rd = D(ug_dataset_reader_comp(r));
    /* Heavy cycles on a shared machine: wait for a few, up to 5 s. */
    PS_RUN_UNTIL(b.loop, gd->sent >= 3, 5000);
    CU_ASSERT(gd->sent >= 2);
    CU_ASSERT(gd->chunks_sent >= 45 * gd->sent); /* 64 KiB / ~1.4 KiB */
    CU_ASSERT_EQUAL(gd->encode_errors, 0);
    CU_ASSERT_EQUAL(rd->received, D(ug_dataset_writer_comp(w))->sent);
    CU_ASSERT_EQUAL(rd->decode_errors, 0);
    /* Field i carries i + (samples taken - 1): the last one and the first agree. */
    double last = ug_pubsub_store_read(b.ps, ug_dataset_reader_slot(r, N - 1))->value.u.v.f64;
    double first = ug_pubsub_store_read(b.ps, ug_dataset_reader_slot(r, 0))->value.u.v.f64;
    CU_ASSERT_EQUAL(last - first, N - 1);
    CU_ASSERT(first >= 1);
    teardown(&b);
}

static void test_json(void)
{
    bench b;
    setup(&b);
    ug_writer_group *g = add_group(&b, 4, 2 * MS, UG_PS_JSON);
    ug_dataset_writer *w = add_writer(g, 4, 1, b.pds, 0);
    ug_dataset_reader *r = add_reader(&b, 0, 4, 0, ug_pds_metadata(b.pds));
    const ug_ps_diag *rd = D(ug_dataset_reader_comp(r));
    PS_RUN_UNTIL(b.loop, rd->received >= 3, 5000);
    size_t len;
    const uint8_t *m = ps_fake_last(b.link, 0, &len);
    CU_ASSERT_EQUAL(m[0], '{');
    CU_ASSERT(rd->received >= 3);
    CU_ASSERT_EQUAL(rd->received, D(ug_dataset_writer_comp(w))->sent);
    CU_ASSERT_EQUAL(ug_pubsub_store_read(b.ps, ug_dataset_reader_slot(r, 0))->value.u.v.int32, 1234);
    CU_ASSERT_EQUAL(ug_pubsub_store_read(b.ps, ug_dataset_reader_slot(r, 1))->value.u.v.f64, 0.5);
    teardown(&b);
}

/* JSON has no chunking: DataSetMessages too large together for
 * MaxNetworkMessageSize leave one per NetworkMessage. */
static void test_json_split(void)
{
    bench b;
    setup(&b);
    ug_writer_group_config gc = {.name = "wg", .writer_group_id = 4, .encoding = UG_PS_JSON,
                                 .publishing_interval_ns = 2 * MS, .max_nm_size = 400};
    ug_writer_group *g;
    CU_ASSERT_FATAL(ug_ps_connection_add_writer_group(b.pub, &gc, &g) == UG_STATUS_GOOD);
    ug_ps_enable(ug_writer_group_comp(g));
    ug_dataset_writer *w5 = add_writer(g, 5, 1, b.pds, 0);
    ug_dataset_writer *w6 = add_writer(g, 6, 1, b.pds, 0);
    ug_dataset_reader *r5 = add_reader(&b, 0, 5, 0, ug_pds_metadata(b.pds));
    ug_dataset_reader *r6 = add_reader(&b, 0, 6, 0, ug_pds_metadata(b.pds));
    PS_RUN_UNTIL(b.loop, D(ug_dataset_writer_comp(w5))->sent >= 3, 5000);
    const ug_ps_diag *gd = D(ug_writer_group_comp(g));
    CU_ASSERT(D(ug_dataset_writer_comp(w5))->sent >= 3);
    /* Two NetworkMessages per cycle, none over the limit, both readers fed. */
    CU_ASSERT_EQUAL(gd->sent, 2 * D(ug_dataset_writer_comp(w5))->sent);
    for (unsigned i = 0; i < 4; i++) {
        size_t len;
        ps_fake_last(b.link, i, &len);
        CU_ASSERT(len <= 400);
    }
    CU_ASSERT_EQUAL(D(ug_dataset_reader_comp(r5))->received, D(ug_dataset_writer_comp(w5))->sent);
    CU_ASSERT_EQUAL(D(ug_dataset_reader_comp(r6))->received, D(ug_dataset_writer_comp(w6))->sent);
    CU_ASSERT_EQUAL(gd->encode_errors, 0);
    teardown(&b);
}

static int64_t grid_base;
static int grid_bad, grid_calls;

/* A callback source: checks each cycle sits on base + offset + k * interval. */
static ug_status read_cb(void *ctx, uint16_t field, int64_t now_ns, ug_datavalue *out)
{
    (void)ctx;
    grid_calls++;
    if ((now_ns - grid_base) % (10 * MS) != 3 * MS)
        grid_bad++;
    out->mask = UG_DV_VALUE;
    out->value = ug_variant_scalar(UG_TYPE_INT64);
    out->value.u.v.int64 = (now_ns - grid_base) / MS + field;
    return UG_STATUS_GOOD;
}

static void test_sources_targets_grid(void)
{
    bench b;
    setup(&b);
    grid_base = ug_clock_mono_ns() + 5 * MS;
    grid_bad = grid_calls = 0;
    ug_pds_field f[5] = {
        {.name = "cb", .builtin_type = UG_TYPE_INT64,
         .source = {.kind = UG_PS_SRC_CALLBACK, .read = read_cb}},
        {.name = "sine", .builtin_type = UG_TYPE_FLOAT,
         .source = {.kind = UG_PS_SRC_SIM, .sim = {.shape = UG_PS_SIM_SINE, .amplitude = 2,
                                                   .offset = 10, .period_ns = 35 * MS}}},
        {.name = "square", .builtin_type = UG_TYPE_INT32,
         .source = {.kind = UG_PS_SRC_SIM, .sim = {.shape = UG_PS_SIM_SQUARE, .amplitude = 5,
                                                   .period_ns = 20 * MS}}},
        {.name = "walk", .builtin_type = UG_TYPE_DOUBLE,
         .source = {.kind = UG_PS_SRC_SIM, .sim = {.shape = UG_PS_SIM_RANDOM_WALK, .step = 1,
                                                   .amplitude = 2, .seed = 99}}},
        {.name = "str", .builtin_type = UG_TYPE_STRING,
         .source = {.kind = UG_PS_SRC_SIM, .sim = {.shape = UG_PS_SIM_COUNTER, .step = 1}}},
    };
    ug_pds_config dc = {.name = "mix", .n_fields = 5, .fields = f};
    ug_pds *pds;
    CU_ASSERT_FATAL(ug_pubsub_add_pds(b.ps, &dc, &pds) == UG_STATUS_GOOD);
    ug_writer_group_config gc = {.name = "wg", .writer_group_id = 7, .base_time_ns = grid_base,
                                 .publishing_interval_ns = 10 * MS, .publishing_offset_ns = 3 * MS};
    ug_writer_group *g;
    CU_ASSERT_FATAL(ug_ps_connection_add_writer_group(b.pub, &gc, &g) == UG_STATUS_GOOD);
    ug_ps_enable(ug_writer_group_comp(g));
    add_writer(g, 7, 1, pds, UG_FIELD_STATUS | UG_FIELD_SOURCE_TIMESTAMP);
    /* TargetVariables: slots the application made; field 3 is not stored. */
    uint32_t t[5];
    for (int i = 0; i < 5; i++)
        CU_ASSERT_FATAL(ug_pubsub_store_add(b.ps, f[i].builtin_type, &t[i]) == UG_STATUS_GOOD);
    t[3] = UINT32_MAX;
    ug_dataset_reader_config rc = {.name = "r", .writer_group_id = 7, .writer_id = 7,
                                   .metadata = ug_pds_metadata(pds), .target_slots = t};
    ug_dataset_reader *r;
    CU_ASSERT_FATAL(ug_reader_group_add_reader(b.rg, &rc, &r) == UG_STATUS_GOOD);
    ug_ps_enable(ug_dataset_reader_comp(r));
    /* A target slot of the wrong type is refused. */
    uint32_t wrong[5] = {t[1], t[1], t[2], UINT32_MAX, t[4]};
    rc.target_slots = wrong;
    ug_dataset_reader *r2;
    CU_ASSERT_EQUAL(ug_reader_group_add_reader(b.rg, &rc, &r2), UG_STATUS_BADINVALIDARGUMENT);
    const ug_ps_diag *rd = D(ug_dataset_reader_comp(r));
    PS_RUN_UNTIL(b.loop, grid_calls >= 3 && rd->received >= 3, 5000);
    CU_ASSERT(grid_calls >= 3);
    CU_ASSERT_EQUAL(grid_bad, 0);
    CU_ASSERT_EQUAL(ug_dataset_reader_slot(r, 3), UINT32_MAX);
    const ug_datavalue *cb = ug_pubsub_store_read(b.ps, t[0]);
    CU_ASSERT_EQUAL(cb->value.type, UG_TYPE_INT64);
    CU_ASSERT_EQUAL(cb->value.u.v.int64 % 10, 3);
    float sine = ug_pubsub_store_read(b.ps, t[1])->value.u.v.f32;
    CU_ASSERT(sine >= 8.0f && sine <= 12.0f);
    int32_t sq = ug_pubsub_store_read(b.ps, t[2])->value.u.v.int32;
    CU_ASSERT(sq == 5 || sq == -5);
    const ug_datavalue *str = ug_pubsub_store_read(b.ps, t[4]);
    CU_ASSERT_EQUAL(str->value.type, UG_TYPE_STRING);
    CU_ASSERT(str->value.u.v.string.len >= 1);
    CU_ASSERT(str->mask & UG_DV_SERVER_TIMESTAMP);
    teardown(&b);
}

static void test_priority(void)
{
    bench b;
    setup(&b);
    ug_writer_group_config lo = {.name = "lo", .writer_group_id = 1, .priority = 10,
                                 .publishing_interval_ns = 5 * MS};
    ug_writer_group_config hi = {.name = "hi", .writer_group_id = 2, .priority = 200,
                                 .publishing_interval_ns = 5 * MS};
    ug_writer_group *gl, *gh;
    CU_ASSERT_FATAL(ug_ps_connection_add_writer_group(b.pub, &lo, &gl) == UG_STATUS_GOOD);
    CU_ASSERT_FATAL(ug_ps_connection_add_writer_group(b.pub, &hi, &gh) == UG_STATUS_GOOD);
    add_writer(gl, 1, 1, b.pds, 0);
    add_writer(gh, 2, 1, b.pds, 0);
    ug_ps_enable(ug_writer_group_comp(gl)); /* the low one is armed first */
    ug_ps_enable(ug_writer_group_comp(gh));
    PS_RUN_UNTIL(b.loop, b.link->n >= 8, 5000);
    CU_ASSERT_FATAL(b.link->n >= 6 && b.link->n <= PS_FAKE_MAX);
    /* Messages alternate, the high-priority group's first in every cycle.
     * UADP byte 5 is the low byte of the WriterGroupId here (UADPFlags,
     * ExtendedFlags1, PublisherId UInt16, GroupFlags, WriterGroupId). */
    unsigned bad = 0;
    for (uint64_t i = 0; i + 1 < b.link->n; i += 2)
        bad += !(b.link->msg[i][5] == 2 && b.link->msg[i + 1][5] == 1);
    CU_ASSERT_EQUAL(bad, 0);
    teardown(&b);
}

static int n_values;
static uint16_t last_fields;

static void on_values(void *ctx, ug_dataset_reader *r, const ug_nm *nm, const ug_dsm *d)
{
    (void)ctx;
    (void)r;
    (void)nm;
    n_values++;
    last_fields = d->field_count;
}

/* Bridging: a reader's mirror slots are the sources of another dataset that
 * a JSON group re-publishes; a second reader takes it and calls back. */
static void test_bridge_uadp_to_json(void)
{
    bench b;
    setup(&b);
    n_values = 0;
    ug_writer_group *g = add_group(&b, 1, 2 * MS, UG_PS_UADP);
    add_writer(g, 1, 1, b.pds, UG_FIELD_RAW_DATA);
    ug_dataset_reader *in = add_reader(&b, 1, 1, 0, ug_pds_metadata(b.pds));
    ug_pds_field f[2] = {
        {.name = "i", .builtin_type = UG_TYPE_INT32,
         .source = {.kind = UG_PS_SRC_STORE, .slot = ug_dataset_reader_slot(in, 0)}},
        {.name = "d", .builtin_type = UG_TYPE_DOUBLE,
         .source = {.kind = UG_PS_SRC_STORE, .slot = ug_dataset_reader_slot(in, 1)}},
    };
    ug_pds_config dc = {.name = "bridged", .n_fields = 2, .fields = f};
    ug_pds *out;
    CU_ASSERT_FATAL(ug_pubsub_add_pds(b.ps, &dc, &out) == UG_STATUS_GOOD);
    ug_writer_group *jg = add_group(&b, 2, 2 * MS, UG_PS_JSON);
    ug_dataset_writer *jw = add_writer(jg, 2, 3, out, 0);
    ug_dataset_reader_config rc = {.name = "json-in", .writer_id = 2,
                                   .metadata = ug_pds_metadata(out), .mirror = true,
                                   .on_values = on_values};
    ug_dataset_reader *r;
    CU_ASSERT_FATAL(ug_reader_group_add_reader(b.rg, &rc, &r) == UG_STATUS_GOOD);
    ug_ps_enable(ug_dataset_reader_comp(r));
    PS_RUN_UNTIL(b.loop, n_values >= 3, 5000);
    ug_datavalue dv = {.mask = UG_DV_VALUE, .value = ug_variant_scalar(UG_TYPE_INT32)};
    dv.value.u.v.int32 = 777;
    ug_pubsub_store_write(b.ps, b.slot_i, &dv);
    const ug_ps_diag *jd = D(ug_dataset_writer_comp(jw));
    const ug_datavalue *out0 = ug_pubsub_store_read(b.ps, ug_dataset_reader_slot(r, 0));
    PS_RUN_UNTIL(b.loop, out0->value.u.v.int32 == 777 && jd->keep_alives >= 3 && n_values >= 5, 5000);
    CU_ASSERT(n_values >= 5);
    CU_ASSERT_EQUAL(ug_ps_state(ug_dataset_reader_comp(r)), UG_PUBSUB_OPERATIONAL);
    CU_ASSERT_EQUAL(ug_pubsub_store_read(b.ps, ug_dataset_reader_slot(r, 0))->value.u.v.int32, 777);
    CU_ASSERT_EQUAL(ug_pubsub_store_read(b.ps, ug_dataset_reader_slot(r, 1))->value.u.v.f64, 0.5);
    /* The mirror slots get a new server timestamp with every message, but
     * a Variant writer publishes values: one delta for the one change,
     * keep-alives otherwise. */
    CU_ASSERT(jd->delta_frames >= 1 && jd->delta_frames <= 2);
    CU_ASSERT(jd->keep_alives >= 3);
    CU_ASSERT_EQUAL(D(ug_dataset_reader_comp(r))->gaps, 0);
    teardown(&b);
}

static void test_runtime_add_remove(void)
{
    bench b;
    setup(&b);
    ug_writer_group *g1 = add_group(&b, 1, 2 * MS, UG_PS_UADP);
    add_writer(g1, 1, 1, b.pds, 0);
    ug_writer_group *g2 = add_group(&b, 2, 2 * MS, UG_PS_UADP);
    add_writer(g2, 2, 1, b.pds, 0);
    ug_dataset_reader *r1 = add_reader(&b, 1, 1, 0, NULL);
    ug_dataset_reader *r2 = add_reader(&b, 2, 2, 0, NULL);
    const ug_ps_diag *d1 = D(ug_dataset_reader_comp(r1));
    PS_RUN_UNTIL(b.loop, d1->received >= 3 && D(ug_dataset_reader_comp(r2))->received >= 3, 5000);
    uint64_t before = d1->received;
    CU_ASSERT(D(ug_dataset_reader_comp(r2))->received > 0);
    ug_writer_group_remove(g2);
    ug_dataset_reader_remove(r2);
    /* A third writer joins group 1 while it runs; group 1's reader sees no
     * gap. */
    add_writer(g1, 3, 1, b.pds, 0);
    ug_dataset_reader *r3 = add_reader(&b, 1, 3, 0, NULL);
    PS_RUN_UNTIL(b.loop, d1->received > before + 3 && D(ug_dataset_reader_comp(r3))->received > 3,
                 5000);
    CU_ASSERT(d1->received > before + 3);
    CU_ASSERT_EQUAL(d1->gaps, 0);
    CU_ASSERT(D(ug_dataset_reader_comp(r3))->received > 3);
    /* Changing a writer at run time: KeyFrameCount 2, the same dataset. */
    ug_dataset_writer *w4 = add_writer(g1, 4, 1, b.pds, 0);
    ug_dataset_writer_config wc = {.name = "w", .writer_id = 4, .key_frame_count = 2, .pds = b.pds};
    CU_ASSERT_EQUAL(ug_dataset_writer_update(w4, &wc), UG_STATUS_GOOD);
    wc.writer_id = 3;
    CU_ASSERT_EQUAL(ug_dataset_writer_update(w4, &wc), UG_STATUS_BADALREADYEXISTS);
    PS_RUN_UNTIL(b.loop, D(ug_dataset_writer_comp(w4))->keep_alives > 0, 5000);
    CU_ASSERT(D(ug_dataset_writer_comp(w4))->keep_alives > 0);
    CU_ASSERT_EQUAL(d1->gaps, 0);
    /* Changing the interval at run time keeps the group going. */
    ug_writer_group_config gc = {.name = "x", .writer_group_id = 1, .publishing_interval_ns = 1 * MS};
    CU_ASSERT_EQUAL(ug_writer_group_update(g1, &gc), UG_STATUS_GOOD);
    before = d1->received;
    PS_RUN_UNTIL(b.loop, d1->received > before + 5, 5000);
    CU_ASSERT(d1->received > before + 5);
    CU_ASSERT_EQUAL(d1->gaps, 0);
    teardown(&b);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"values arrive", test_values_arrive},
        {"key, delta and keep-alive frames", test_key_delta_keepalive},
        {"receive timeout and recovery", test_timeout_and_recovery},
        {"sequence numbers", test_sequence_numbers},
        {"filtering by ids", test_filtering},
        {"truncated and corrupt input", test_truncated_and_corrupt},
        {"configuration version", test_config_version},
        {"fixed layout", test_fixed_layout},
        {"metadata announced", test_metadata_announced},
        {"chunking", test_chunking},
        {"chunking a 64 KiB dataset", test_chunking_64k},
        {"json", test_json},
        {"json split over MaxNetworkMessageSize", test_json_split},
        {"sources, targets and the publishing grid", test_sources_targets_grid},
        {"writer group priority", test_priority},
        {"bridge UADP to JSON", test_bridge_uadp_to_json},
        {"run-time add and remove", test_runtime_add_remove},
        CU_TEST_INFO_NULL,
    };
    return ug_test_main("pubsub/engine", tests);
}
