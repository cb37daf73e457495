/* PubSubState machine (Part 14 §6.2.1) and its parent/child rules. */
#include "ps_test.h"
#include "uagate/uadp.h"

static int n_changes;
static ug_ps_comp *last_comp;
static enum ug_pubsub_state last_old, last_new;

static void on_state(void *ctx, ug_ps_comp *c, enum ug_pubsub_state o, enum ug_pubsub_state n,
                     ug_status reason)
{
    (void)ctx;
    (void)reason;
    n_changes++;
    last_comp = c;
    last_old = o;
    last_new = n;
}

static ug_status drop(void *ctx, const uint8_t *m, size_t l)
{
    (void)ctx;
    (void)m;
    (void)l;
    return UG_STATUS_GOOD;
}

typedef struct tree {
    ug_loop *loop;
    ug_pubsub *ps;
    ug_ps_connection *c;
    ug_writer_group *wg;
    ug_dataset_writer *w;
    ug_reader_group *rg;
    ug_dataset_reader *r;
    ug_pds *pds;
} tree;

static void build(tree *t)
{
    memset(t, 0, sizeof(*t));
    CU_ASSERT_FATAL(ug_loop_new(NULL, &t->loop) == UG_STATUS_GOOD);
    ug_pubsub_config pc = {.on_state = on_state};
    CU_ASSERT_FATAL(ug_pubsub_new(t->loop, &pc, &t->ps) == UG_STATUS_GOOD);
    ug_pds_field f = {.name = "x", .builtin_type = UG_TYPE_INT32,
                      .source = {.kind = UG_PS_SRC_SIM, .sim = {.shape = UG_PS_SIM_COUNTER, .step = 1}}};
    ug_pds_config dc = {.name = "ds", .n_fields = 1, .fields = &f};
    CU_ASSERT_FATAL(ug_pubsub_add_pds(t->ps, &dc, &t->pds) == UG_STATUS_GOOD);
    ug_ps_link link = {.send = drop};
    ug_connection_config cc = {.name = "c", .publisher_id = {.type = UG_PUBID_UINT16, .u64 = 7},
                               .link = &link};
    CU_ASSERT_FATAL(ug_pubsub_add_connection(t->ps, &cc, &t->c) == UG_STATUS_GOOD);
    ug_writer_group_config gc = {.name = "wg", .writer_group_id = 1,
                                 .publishing_interval_ns = 1000000};
    CU_ASSERT_FATAL(ug_ps_connection_add_writer_group(t->c, &gc, &t->wg) == UG_STATUS_GOOD);
    ug_dataset_writer_config wc = {.name = "w", .writer_id = 1, .pds = t->pds};
    CU_ASSERT_FATAL(ug_writer_group_add_writer(t->wg, &wc, &t->w) == UG_STATUS_GOOD);
    CU_ASSERT_FATAL(ug_ps_connection_add_reader_group(t->c, NULL, &t->rg) == UG_STATUS_GOOD);
    ug_dataset_reader_config rc = {.name = "r", .writer_id = 1};
    CU_ASSERT_FATAL(ug_reader_group_add_reader(t->rg, &rc, &t->r) == UG_STATUS_GOOD);
}

static void teardown(tree *t)
{
    ug_pubsub_free(t->ps);
    ug_loop_close(t->loop, -1);
}

#define ST(x) ug_ps_state(x)

static void test_enable_bottom_up(void)
{
    tree t;
    build(&t);
    ug_ps_comp *root = ug_pubsub_comp(t.ps), *c = ug_ps_connection_comp(t.c),
               *g = ug_writer_group_comp(t.wg), *w = ug_dataset_writer_comp(t.w);
    CU_ASSERT_EQUAL(ST(w), UG_PUBSUB_DISABLED);
    /* Table 2: enabled under a Disabled parent -> Paused. */
    CU_ASSERT_EQUAL(ug_ps_enable(w), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ST(w), UG_PUBSUB_PAUSED);
    ug_ps_enable(g);
    CU_ASSERT_EQUAL(ST(g), UG_PUBSUB_PAUSED);
    ug_ps_enable(c);
    CU_ASSERT_EQUAL(ST(c), UG_PUBSUB_PAUSED);
    int before = n_changes;
    ug_ps_enable(root);
    /* The whole chain follows the root in one call. */
    CU_ASSERT_EQUAL(ST(root), UG_PUBSUB_OPERATIONAL);
    CU_ASSERT_EQUAL(ST(c), UG_PUBSUB_OPERATIONAL);
    CU_ASSERT_EQUAL(ST(g), UG_PUBSUB_OPERATIONAL);
    CU_ASSERT_EQUAL(ST(w), UG_PUBSUB_OPERATIONAL);
    CU_ASSERT_EQUAL(n_changes - before, 4);
    CU_ASSERT_EQUAL(ug_ps_diag_of(w)->state_changes, 2);
    /* Enabling again is a no-op. */
    before = n_changes;
    CU_ASSERT_EQUAL(ug_ps_enable(w), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(n_changes, before);
    teardown(&t);
}

static void test_disable_parent_pauses_children(void)
{
    tree t;
    build(&t);
    ug_ps_comp *root = ug_pubsub_comp(t.ps), *c = ug_ps_connection_comp(t.c),
               *g = ug_writer_group_comp(t.wg), *w = ug_dataset_writer_comp(t.w),
               *rg = ug_reader_group_comp(t.rg), *r = ug_dataset_reader_comp(t.r);
    ug_ps_enable(root);
    ug_ps_enable(c);
    ug_ps_enable(g);
    ug_ps_enable(w);
    ug_ps_enable(rg);
    ug_ps_enable(r);
    CU_ASSERT_EQUAL(ST(w), UG_PUBSUB_OPERATIONAL);
    /* A reader waits for its first message. */
    CU_ASSERT_EQUAL(ST(r), UG_PUBSUB_PREOPERATIONAL);
    ug_ps_disable(c);
    CU_ASSERT_EQUAL(ST(c), UG_PUBSUB_DISABLED);
    CU_ASSERT_EQUAL(ST(g), UG_PUBSUB_PAUSED);
    CU_ASSERT_EQUAL(ST(w), UG_PUBSUB_PAUSED);
    CU_ASSERT_EQUAL(ST(rg), UG_PUBSUB_PAUSED);
    CU_ASSERT_EQUAL(ST(r), UG_PUBSUB_PAUSED);
    CU_ASSERT_FALSE(ug_writer_group_publish(t.wg) == UG_STATUS_GOOD);
    /* Disabling a Paused child: Paused -> Disabled. */
    ug_ps_disable(w);
    CU_ASSERT_EQUAL(ST(w), UG_PUBSUB_DISABLED);
    CU_ASSERT_EQUAL(last_comp, w);
    CU_ASSERT_EQUAL(last_old, UG_PUBSUB_PAUSED);
    CU_ASSERT_EQUAL(last_new, UG_PUBSUB_DISABLED);
    ug_ps_enable(c);
    CU_ASSERT_EQUAL(ST(g), UG_PUBSUB_OPERATIONAL);
    CU_ASSERT_EQUAL(ST(w), UG_PUBSUB_DISABLED); /* stays as configured */
    CU_ASSERT_EQUAL(ST(r), UG_PUBSUB_PREOPERATIONAL);
    /* Root disabled: everything under it pauses, nothing is Operational. */
    ug_ps_disable(root);
    CU_ASSERT_EQUAL(ST(c), UG_PUBSUB_PAUSED);
    CU_ASSERT_EQUAL(ST(g), UG_PUBSUB_PAUSED);
    CU_ASSERT_EQUAL(ST(r), UG_PUBSUB_PAUSED);
    teardown(&t);
}

static void test_reader_operational_on_message(void)
{
    tree t;
    build(&t);
    ug_ps_enable(ug_pubsub_comp(t.ps));
    ug_ps_enable(ug_ps_connection_comp(t.c));
    ug_ps_enable(ug_reader_group_comp(t.rg));
    ug_ps_comp *r = ug_dataset_reader_comp(t.r);
    ug_ps_enable(r);
    CU_ASSERT_EQUAL(ST(r), UG_PUBSUB_PREOPERATIONAL);
    /* A hand-made key frame from writer 1. */
    ug_dsm_field f = {.dv = {.mask = UG_DV_VALUE, .value = ug_variant_scalar(UG_TYPE_INT32)}};
    ug_dsm d;
    ug_dsm_init(&d);
    d.writer_id = 1;
    d.has_seq = true;
    d.seq = 3;
    d.field_count = 1;
    d.fields = &f;
    ug_nm nm;
    ug_nm_init(&nm);
    nm.publisher_id.type = UG_PUBID_UINT16;
    nm.publisher_id.u64 = 7;
    nm.has_payload_header = true;
    nm.n_dsm = 1;
    nm.dsm = &d;
    uint8_t buf[256];
    size_t len;
    CU_ASSERT_FATAL(ug_uadp_encode(&nm, buf, sizeof(buf), &len) == UG_STATUS_GOOD);
    ug_ps_connection_receive(t.c, buf, len, 0);
    CU_ASSERT_EQUAL(ST(r), UG_PUBSUB_OPERATIONAL);
    CU_ASSERT_EQUAL(ug_ps_diag_of(r)->received, 1);
    /* Reader disabled: messages are dropped and counted. */
    ug_ps_disable(r);
    d.seq = 4;
    CU_ASSERT_FATAL(ug_uadp_encode(&nm, buf, sizeof(buf), &len) == UG_STATUS_GOOD);
    ug_ps_connection_receive(t.c, buf, len, 0);
    CU_ASSERT_EQUAL(ug_ps_diag_of(r)->received, 1);
    CU_ASSERT_EQUAL(ug_ps_diag_of(r)->dropped[UG_PS_DROP_NOT_OPERATIONAL], 1);
    teardown(&t);
}

static void test_remove_at_run_time(void)
{
    tree t;
    build(&t);
    ug_ps_enable(ug_pubsub_comp(t.ps));
    ug_ps_enable(ug_ps_connection_comp(t.c));
    ug_ps_enable(ug_writer_group_comp(t.wg));
    ug_ps_enable(ug_dataset_writer_comp(t.w));
    /* The dataset is in use. */
    CU_ASSERT_EQUAL(ug_pds_remove(t.pds), UG_STATUS_BADINVALIDSTATE);
    ug_dataset_writer_remove(t.w);
    CU_ASSERT_EQUAL(ug_pds_remove(t.pds), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ST(ug_writer_group_comp(t.wg)), UG_PUBSUB_OPERATIONAL);
    /* Bad configurations are refused without side effects. */
    ug_writer_group_config bad = {.writer_group_id = 2, .publishing_interval_ns = 0};
    ug_writer_group *g2 = NULL;
    CU_ASSERT_EQUAL(ug_ps_connection_add_writer_group(t.c, &bad, &g2), UG_STATUS_BADINVALIDARGUMENT);
    bad.publishing_interval_ns = 1000000;
    bad.writer_group_id = 1;
    CU_ASSERT_EQUAL(ug_ps_connection_add_writer_group(t.c, &bad, &g2), UG_STATUS_BADALREADYEXISTS);
    bad.writer_group_id = 2;
    bad.keep_alive_ns = 10;
    CU_ASSERT_EQUAL(ug_ps_connection_add_writer_group(t.c, &bad, &g2), UG_STATUS_BADINVALIDARGUMENT);
    ug_ps_connection_remove(t.c);
    teardown(&t);
}

static void test_transport_open_failure(void)
{
    ug_loop *loop;
    ug_pubsub *ps;
    CU_ASSERT_FATAL(ug_loop_new(NULL, &loop) == UG_STATUS_GOOD);
    CU_ASSERT_FATAL(ug_pubsub_new(loop, NULL, &ps) == UG_STATUS_GOOD);
    ug_connection_config cc = {.name = "bad", .url = "opc.udp://127.0.0.1:4840"};
    cc.transport.interface = "no-such-if0";
    cc.transport.mode = UG_TRANSPORT_SEND;
    ug_ps_connection *c;
    CU_ASSERT_FATAL(ug_pubsub_add_connection(ps, &cc, &c) == UG_STATUS_GOOD);
    ug_ps_enable(ug_pubsub_comp(ps));
    CU_ASSERT_FALSE(ug_ps_enable(ug_ps_connection_comp(c)) == UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ST(ug_ps_connection_comp(c)), UG_PUBSUB_ERROR);
    /* Malformed URLs are refused at configuration time. */
    cc.url = "opc.udp://";
    CU_ASSERT_FALSE(ug_pubsub_add_connection(ps, &cc, &c) == UG_STATUS_GOOD);
    cc.url = NULL;
    CU_ASSERT_EQUAL(ug_pubsub_add_connection(ps, &cc, &c), UG_STATUS_BADINVALIDARGUMENT);
    ug_pubsub_free(ps);
    ug_loop_close(loop, -1);
}

static void test_store(void)
{
    ug_loop *loop;
    ug_pubsub *ps;
    CU_ASSERT_FATAL(ug_loop_new(NULL, &loop) == UG_STATUS_GOOD);
    ug_pubsub_config pc = {.store_slots = 2, .string_cap = 4};
    CU_ASSERT_FATAL(ug_pubsub_new(loop, &pc, &ps) == UG_STATUS_GOOD);
    uint32_t a, b, c;
    CU_ASSERT_EQUAL(ug_pubsub_store_add(ps, UG_TYPE_DOUBLE, &a), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_pubsub_store_add(ps, UG_TYPE_STRING, &b), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_pubsub_store_add(ps, UG_TYPE_INT32, &c), UG_STATUS_BADRESOURCEUNAVAILABLE);
    CU_ASSERT_EQUAL(ug_pubsub_store_read(ps, a)->status, UG_STATUS_BADWAITINGFORINITIALDATA);
    ug_datavalue dv = {.mask = UG_DV_VALUE, .value = ug_variant_scalar(UG_TYPE_DOUBLE)};
    dv.value.u.v.f64 = 2.5;
    CU_ASSERT_EQUAL(ug_pubsub_store_write(ps, a, &dv), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_pubsub_store_write(ps, a, &dv), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_pubsub_store_changes(ps, a), 1); /* same value: no change */
    CU_ASSERT_EQUAL(ug_pubsub_store_write(ps, b, &dv), UG_STATUS_BADTYPEMISMATCH);
    CU_ASSERT_EQUAL(ug_pubsub_store_write(ps, 9, &dv), UG_STATUS_BADNOTFOUND);
    char text[] = "abcd";
    ug_datavalue s = {.mask = UG_DV_VALUE, .value = ug_variant_scalar(UG_TYPE_STRING)};
    s.value.u.v.string = ug_string_from(text);
    CU_ASSERT_EQUAL(ug_pubsub_store_write(ps, b, &s), UG_STATUS_GOOD);
    text[0] = 'z'; /* the slot holds a copy */
    CU_ASSERT_EQUAL(memcmp(ug_pubsub_store_read(ps, b)->value.u.v.string.data, "abcd", 4), 0);
    s.value.u.v.string = ug_string_from("abcde");
    CU_ASSERT_EQUAL(ug_pubsub_store_write(ps, b, &s), UG_STATUS_BADOUTOFRANGE);
    CU_ASSERT_EQUAL(ug_pubsub_store_add(ps, UG_TYPE_NODEID, &c), UG_STATUS_BADNOTSUPPORTED);
    ug_pubsub_free(ps);
    ug_loop_close(loop, -1);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"enable bottom up", test_enable_bottom_up},
        {"disable parent pauses children", test_disable_parent_pauses_children},
        {"reader operational on message", test_reader_operational_on_message},
        {"remove at run time", test_remove_at_run_time},
        {"transport open failure", test_transport_open_failure},
        {"value store", test_store},
        CU_TEST_INFO_NULL,
    };
    return ug_test_main("pubsub/state", tests);
}
