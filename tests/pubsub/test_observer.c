/* The engine's observer hooks (ug_pubsub_set_observer) and component user
 * pointers, as the gateway's address-space bridge uses them: on_written
 * carries the values each writer published (ug_dataset_writer_value), with
 * change flags; on_received comes after the reader stored its values; on_state
 * follows every state change; removing the observer silences all three.
 * Publisher and subscriber share one loop over the fake link of ps_test.h;
 * cycles are driven with ug_writer_group_publish, so counts are exact. */
#include "ps_test.h"

typedef struct obs_log {
    int written, received, states;
    ug_dataset_writer *w;
    ug_dataset_reader *r;
    int32_t last_value;         /* field 0 as on_written saw it */
    bool changed0, changed1;    /* flags of the last on_written */
    int32_t received_value;     /* the reader's slot 0 in on_received */
    uint8_t received_type;      /* DataSetMessage type */
    ug_ps_comp *state_comp;
    enum ug_pubsub_state last_state;
    ug_pubsub *ps;
} obs_log;

static void on_written(void *ctx, ug_dataset_writer *w, const bool *changed)
{
    obs_log *o = ctx;
    o->written++;
    o->w = w;
    const ug_datavalue *dv = ug_dataset_writer_value(w, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dv);
    o->last_value = dv->value.u.v.int32;
    o->changed0 = changed[0];
    o->changed1 = changed[1];
    /* out of range: NULL, never a stray read */
    CU_ASSERT_PTR_NULL(ug_dataset_writer_value(w, 2));
}

static void on_received(void *ctx, ug_dataset_reader *r, const ug_dsm *dsm)
{
    obs_log *o = ctx;
    o->received++;
    o->r = r;
    o->received_type = dsm->type;
    const ug_datavalue *dv = ug_pubsub_store_read(o->ps, ug_dataset_reader_slot(r, 0));
    CU_ASSERT_PTR_NOT_NULL_FATAL(dv);
    o->received_value = dv->value.u.v.int32;
}

static void on_state(void *ctx, ug_ps_comp *c, enum ug_pubsub_state st)
{
    obs_log *o = ctx;
    o->states++;
    o->state_comp = c;
    o->last_state = st;
}

typedef struct rig {
    ug_loop *loop;
    ug_pubsub *ps;
    ps_fake *link;
    ug_ps_connection *pub, *sub;
    ug_writer_group *wg;
    ug_dataset_writer *w;
    ug_dataset_reader *r;
    uint32_t slot_a, slot_b;
} rig;

static ug_status drop(void *ctx, const uint8_t *m, size_t l)
{
    (void)ctx, (void)m, (void)l;
    return UG_STATUS_GOOD;
}

static void put(rig *g, uint32_t slot, int32_t v)
{
    ug_datavalue dv = {.mask = UG_DV_VALUE, .value = ug_variant_scalar(UG_TYPE_INT32)};
    dv.value.u.v.int32 = v;
    CU_ASSERT(ug_pubsub_store_write(g->ps, slot, &dv) == UG_STATUS_GOOD);
}

static void setup(rig *g, uint32_t key_frame_count)
{
    memset(g, 0, sizeof *g);
    CU_ASSERT_FATAL(ug_loop_new(NULL, &g->loop) == UG_STATUS_GOOD);
    ug_pubsub_config cfg = {.store_slots = 64};
    CU_ASSERT_FATAL(ug_pubsub_new(g->loop, &cfg, &g->ps) == UG_STATUS_GOOD);
    g->link = calloc(1, sizeof *g->link);
    CU_ASSERT_FATAL(g->link != NULL);
    ug_ps_link sub_link = {.send = drop};
    ug_connection_config sc = {.name = "sub", .link = &sub_link};
    CU_ASSERT_FATAL(ug_pubsub_add_connection(g->ps, &sc, &g->sub) == UG_STATUS_GOOD);
    g->link->to = g->sub;
    ug_ps_link pub_link = {.send = ps_fake_send, .ctx = g->link};
    ug_connection_config pc = {.name = "pub", .publisher_id = {.type = UG_PUBID_UINT16, .u64 = 9},
                               .link = &pub_link};
    CU_ASSERT_FATAL(ug_pubsub_add_connection(g->ps, &pc, &g->pub) == UG_STATUS_GOOD);
    CU_ASSERT_FATAL(ug_pubsub_store_add(g->ps, UG_TYPE_INT32, &g->slot_a) == UG_STATUS_GOOD);
    CU_ASSERT_FATAL(ug_pubsub_store_add(g->ps, UG_TYPE_INT32, &g->slot_b) == UG_STATUS_GOOD);
    put(g, g->slot_a, 1);
    put(g, g->slot_b, 100);
    ug_pds_field f[2] = {{.name = "a", .builtin_type = UG_TYPE_INT32,
                          .source = {.kind = UG_PS_SRC_STORE, .slot = g->slot_a}},
                         {.name = "b", .builtin_type = UG_TYPE_INT32,
                          .source = {.kind = UG_PS_SRC_STORE, .slot = g->slot_b}}};
    ug_pds_config pk = {.name = "ds", .n_fields = 2, .fields = f};
    ug_pds *pds;
    CU_ASSERT_FATAL(ug_pubsub_add_pds(g->ps, &pk, &pds) == UG_STATUS_GOOD);
    /* An hour: only ug_writer_group_publish publishes. */
    ug_writer_group_config wk = {.name = "wg", .writer_group_id = 1,
                                 .publishing_interval_ns = 3600000000000LL};
    CU_ASSERT_FATAL(ug_ps_connection_add_writer_group(g->pub, &wk, &g->wg) == UG_STATUS_GOOD);
    ug_dataset_writer_config dk = {.name = "w", .writer_id = 1,
                                   .key_frame_count = key_frame_count, .pds = pds};
    CU_ASSERT_FATAL(ug_writer_group_add_writer(g->wg, &dk, &g->w) == UG_STATUS_GOOD);
    ug_reader_group *rg;
    CU_ASSERT_FATAL(ug_ps_connection_add_reader_group(g->sub, NULL, &rg) == UG_STATUS_GOOD);
    ug_field_meta fm[2] = {{.name = ug_string_from("a"), .builtin_type = UG_TYPE_INT32,
                            .value_rank = -1, .n_array_dims = -1},
                           {.name = ug_string_from("b"), .builtin_type = UG_TYPE_INT32,
                            .value_rank = -1, .n_array_dims = -1}};
    fm[0].data_type.id.numeric = fm[1].data_type.id.numeric = UG_TYPE_INT32;
    ug_dataset_metadata md = {.name = ug_string_from("ds"), .n_fields = 2, .fields = fm};
    ug_dataset_reader_config rk = {.name = "r", .writer_group_id = 1, .writer_id = 1,
                                   .metadata = &md, .mirror = true};
    CU_ASSERT_FATAL(ug_reader_group_add_reader(rg, &rk, &g->r) == UG_STATUS_GOOD);
    CU_ASSERT_FATAL(ug_ps_enable(ug_dataset_reader_comp(g->r)) == UG_STATUS_GOOD);
    CU_ASSERT_FATAL(ug_ps_enable(ug_reader_group_comp(rg)) == UG_STATUS_GOOD);
    CU_ASSERT_FATAL(ug_ps_enable(ug_dataset_writer_comp(g->w)) == UG_STATUS_GOOD);
    CU_ASSERT_FATAL(ug_ps_enable(ug_writer_group_comp(g->wg)) == UG_STATUS_GOOD);
    CU_ASSERT_FATAL(ug_ps_enable(ug_ps_connection_comp(g->sub)) == UG_STATUS_GOOD);
    CU_ASSERT_FATAL(ug_ps_enable(ug_ps_connection_comp(g->pub)) == UG_STATUS_GOOD);
}

static void start(rig *g)
{
    CU_ASSERT_FATAL(ug_ps_enable(ug_pubsub_comp(g->ps)) == UG_STATUS_GOOD);
    ps_run_for(g->loop, 5);
    CU_ASSERT_FATAL(ug_ps_state(ug_writer_group_comp(g->wg)) == UG_PUBSUB_OPERATIONAL);
}

static void teardown(rig *g)
{
    ug_pubsub_free(g->ps);
    ps_run_for(g->loop, 2);
    ug_loop_close(g->loop, -1);
    free(g->link);
}

static void test_written_and_received(void)
{
    rig g;
    setup(&g, 1);
    obs_log o = {.ps = g.ps};
    ug_ps_observer obs = {.on_written = on_written, .on_received = on_received, .ctx = &o};
    ug_pubsub_set_observer(g.ps, &obs);
    start(&g);
    /* before the first cycle there is no sampled value */
    CU_ASSERT_PTR_NULL(ug_dataset_writer_value(g.w, 0));
    CU_ASSERT(ug_writer_group_publish(g.wg) == UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(o.written, 1);
    CU_ASSERT_PTR_EQUAL(o.w, g.w);
    CU_ASSERT_EQUAL(o.last_value, 1);
    CU_ASSERT(o.changed0 && o.changed1); /* first cycle: everything is new */
    CU_ASSERT_EQUAL(o.received, 1);
    CU_ASSERT_PTR_EQUAL(o.r, g.r);
    CU_ASSERT_EQUAL(o.received_value, 1);
    CU_ASSERT_EQUAL(o.received_type, UG_DSM_KEYFRAME);

    put(&g, g.slot_a, 2);
    CU_ASSERT(ug_writer_group_publish(g.wg) == UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(o.written, 2);
    CU_ASSERT_EQUAL(o.last_value, 2);
    CU_ASSERT(o.changed0);
    CU_ASSERT(!o.changed1); /* b did not change */
    CU_ASSERT_EQUAL(o.received, 2);
    CU_ASSERT_EQUAL(o.received_value, 2);
    const ug_datavalue *dv = ug_dataset_writer_value(g.w, 1);
    CU_ASSERT(dv && dv->value.u.v.int32 == 100);
    CU_ASSERT_PTR_NULL(ug_dataset_writer_value(NULL, 0));

    /* removed: no more calls */
    ug_pubsub_set_observer(g.ps, NULL);
    put(&g, g.slot_a, 3);
    CU_ASSERT(ug_writer_group_publish(g.wg) == UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(o.written, 2);
    CU_ASSERT_EQUAL(o.received, 2);
    teardown(&g);
}

/* Delta frames: on_written only for cycles that send one, not for
 * keep-alives; on_received for the delta. */
static void test_delta_and_keepalive(void)
{
    rig g;
    setup(&g, 100);
    obs_log o = {.ps = g.ps};
    ug_ps_observer obs = {.on_written = on_written, .on_received = on_received, .ctx = &o};
    ug_pubsub_set_observer(g.ps, &obs);
    start(&g);
    CU_ASSERT(ug_writer_group_publish(g.wg) == UG_STATUS_GOOD); /* key frame */
    CU_ASSERT(ug_writer_group_publish(g.wg) == UG_STATUS_GOOD); /* nothing changed */
    CU_ASSERT_EQUAL(o.written, 1);
    CU_ASSERT_EQUAL(o.received, 1);
    put(&g, g.slot_b, 101);
    CU_ASSERT(ug_writer_group_publish(g.wg) == UG_STATUS_GOOD); /* delta */
    CU_ASSERT_EQUAL(o.written, 2);
    CU_ASSERT(!o.changed0 && o.changed1);
    CU_ASSERT_EQUAL(o.received, 2);
    CU_ASSERT_EQUAL(o.received_type, UG_DSM_DELTAFRAME);
    const ug_datavalue *rb = ug_pubsub_store_read(g.ps, ug_dataset_reader_slot(g.r, 1));
    CU_ASSERT(rb && rb->value.u.v.int32 == 101);
    teardown(&g);
}

static void test_state_and_user(void)
{
    rig g;
    setup(&g, 1);
    obs_log o = {.ps = g.ps};
    ug_ps_observer obs = {.on_state = on_state, .ctx = &o};
    ug_pubsub_set_observer(g.ps, &obs);
    ug_ps_comp *wc = ug_writer_group_comp(g.wg);
    CU_ASSERT_PTR_NULL(ug_ps_comp_user(wc));
    int marker;
    ug_ps_comp_set_user(wc, &marker);
    CU_ASSERT_PTR_EQUAL(ug_ps_comp_user(wc), &marker);
    start(&g);
    CU_ASSERT(o.states > 0);
    int before = o.states;
    CU_ASSERT(ug_ps_disable(wc) == UG_STATUS_GOOD);
    CU_ASSERT(o.states > before);
    CU_ASSERT_PTR_EQUAL(o.state_comp, ug_dataset_writer_comp(g.w)); /* the child follows last */
    CU_ASSERT_EQUAL(ug_ps_state(wc), UG_PUBSUB_DISABLED);
    CU_ASSERT(ug_ps_enable(wc) == UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_ps_state(wc), UG_PUBSUB_OPERATIONAL);
    CU_ASSERT_EQUAL(o.last_state, UG_PUBSUB_OPERATIONAL);
    /* the engine never touches the user pointer */
    CU_ASSERT_PTR_EQUAL(ug_ps_comp_user(wc), &marker);
    ug_pubsub_set_observer(g.ps, NULL);
    before = o.states;
    CU_ASSERT(ug_ps_disable(wc) == UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(o.states, before);
    teardown(&g);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"written and received values", test_written_and_received},
        {"delta frames and keep-alives", test_delta_and_keepalive},
        {"state changes and user pointers", test_state_and_user},
        CU_TEST_INFO_NULL,
    };
    return ug_test_main("pubsub/observer", tests);
}
