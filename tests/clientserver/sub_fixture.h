/* sub_fixture — the fixture shared by test_subscription.c and
 * test_monitored.c: a loop, an address space with a few variables, one fake
 * session whose ug_subs is found through ug_subs_set_lookup, and fake
 * pendings for Publish (ug_subs_set_pending_ops). Each test program
 * includes it once; the functions are static inline so a program that does
 * not use one of them still builds with -Werror.
 *
 * Lifetime: fx_setup() creates the loop, address space and ug_subs;
 * fx_teardown() frees them. A struct fp lives in the caller; fp_free()
 * frees its arena.
 */
#ifndef UG_TESTS_SUB_FIXTURE_H
#define UG_TESTS_SUB_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../clientserver/aspace.h"
#include "../../clientserver/sub.h"
#include "harness.h"

/* ------------------------------------------------------------ fixture --
 * A loop, an address space with a few variables, one fake session whose
 * ug_subs is found through ug_subs_set_lookup, and fake pendings for
 * Publish (ug_subs_set_pending_ops). The service functions are called
 * directly. */

#define NID(n, i) ((ug_nodeid){.ns = (n), .id_type = UG_ID_NUMERIC, .id.numeric = (i)})
enum { N_TEMP = 1001, N_NAME = 1002, N_PLAIN = 1003, N_COUNTER = 1004, N_EURANGE = 2001 };

/* A Publish request in flight: what the server's ug_svc_pending is. */
struct fp {
    ug_PublishResponse resp;
    ug_arena arena;
    _Alignas(8) uint8_t buf[8192];
    bool done;
    bool orphaned;
    ug_status result;
    int finished; /* times finish was called */
};

static inline void fp_finish(ug_svc_pending *p, ug_status r)
{
    struct fp *f = (struct fp *)p;
    f->done = true;
    f->result = r;
    f->finished++;
}
static inline void *fp_response(ug_svc_pending *p) { return &((struct fp *)p)->resp; }
static inline ug_arena *fp_arena(ug_svc_pending *p) { return &((struct fp *)p)->arena; }
static inline bool fp_orphaned(const ug_svc_pending *p) { return ((const struct fp *)p)->orphaned; }
static const struct ug_subs_pending_ops fake_ops = {fp_finish, fp_response, fp_arena, fp_orphaned};

static ug_loop *loop;
static ug_aspace *as;
static struct ug_subs *subs, *subs2;
static int session_a, session_b; /* their addresses are the fake sessions */
static ug_arena arena;                 /* requests and responses: reset per call */
static _Alignas(8) uint8_t arena_buf[16384];
static ug_arena farena;                /* filters built by tests: lives per test */
static _Alignas(8) uint8_t farena_buf[4096];
static struct ug_timer guard;
static int32_t counter_value;

static inline struct ug_subs *lookup(ug_session *s)
{
    return s == (ug_session *)&session_b ? subs2 : subs;
}

static inline void guard_tick(ug_loop *l, struct ug_timer *t) { (void)l, (void)t; }

static inline ug_status counter_read(void *c, const ug_node *n, ug_datavalue *out, ug_arena *a)
{
    (void)c, (void)n, (void)a;
    *out = (ug_datavalue){.mask = UG_DV_VALUE | UG_DV_SOURCE_TIMESTAMP,
                          .value = ug_variant_scalar(UG_TYPE_INT32), .source_ts = ug_datetime_now()};
    out->value.u.v.int32 = ++counter_value;
    return UG_STATUS_GOOD;
}

static inline void add_var(uint32_t parent_ns, uint32_t parent, uint32_t refty, uint16_t ns, uint32_t id,
                    const char *name, uint32_t datatype, const ug_datavalue *v)
{
    struct ug_add_node an = {0};
    an.requested_id = NID(ns, id);
    an.parent_id = NID((uint16_t)parent_ns, parent);
    an.reference_type_id = NID(0, refty);
    an.browse_name = (ug_qualified_name){ns, ug_string_from(name)};
    an.node_class = UG_NC_VARIABLE;
    if (refty == 46) {
        an.type_definition = NID(0, 68);
        an.browse_name.ns = 0;
    }
    an.attrs.data_type = NID(0, datatype);
    an.attrs.value_rank = UG_VALUERANK_SCALAR;
    an.attrs.access_level = UG_ACCESS_READ | UG_ACCESS_WRITE;
    an.attrs.value = v;
    CU_ASSERT_EQUAL_FATAL(ug_aspace_add_node(as, &an, NULL), UG_STATUS_GOOD);
}

static inline ug_datavalue dv_double(double d)
{
    ug_datavalue dv = {.mask = UG_DV_VALUE, .value = ug_variant_scalar(UG_TYPE_DOUBLE)};
    dv.value.u.v.f64 = d;
    return dv;
}

static inline void fx_setup(void)
{
    CU_ASSERT_EQUAL_FATAL(ug_loop_new(NULL, &loop), UG_STATUS_GOOD);
    struct ug_aspace_config cfg = {.loop = loop};
    CU_ASSERT_EQUAL_FATAL(ug_aspace_new(&cfg, &as), UG_STATUS_GOOD);
    ug_arena_init(&arena, arena_buf, sizeof arena_buf, true);
    ug_arena_init(&farena, farena_buf, sizeof farena_buf, true);
    ug_datavalue v = dv_double(20.0);
    add_var(0, 85, 47, 1, N_TEMP, "Temp", 11, &v);
    ug_Range r = {.low = 0, .high = 200};
    ug_datavalue rv = {.mask = UG_DV_VALUE, .value = ug_variant_scalar(UG_TYPE_EXTENSIONOBJECT)};
    ug_extension_object eo;
    CU_ASSERT_EQUAL_FATAL(ug_eo_encode(&eo, &ug_desc_Range, &r, &arena), UG_STATUS_GOOD);
    rv.value.u.v.extobj = &eo;
    add_var(1, N_TEMP, 46, 1, N_EURANGE, "EURange", 884, &rv);
    ug_datavalue s = {.mask = UG_DV_VALUE, .value = ug_variant_scalar(UG_TYPE_STRING)};
    s.value.u.v.string = ug_string_from("abc");
    add_var(0, 85, 47, 1, N_NAME, "Name", 12, &s);
    v = dv_double(5.0);
    add_var(0, 85, 47, 1, N_PLAIN, "Plain", 11, &v);
    add_var(0, 85, 47, 1, N_COUNTER, "Counter", 6, NULL);
    struct ug_value_callbacks cb = {.read = counter_read};
    ug_nodeid cid = NID(1, N_COUNTER);
    CU_ASSERT_EQUAL_FATAL(ug_aspace_set_callbacks(as, ug_aspace_get(as, &cid), &cb), UG_STATUS_GOOD);
    counter_value = 0;

    subs = ug_subs_new(NULL, (ug_session *)&session_a);
    subs2 = ug_subs_new(NULL, (ug_session *)&session_b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(subs);
    CU_ASSERT_PTR_NOT_NULL_FATAL(subs2);
    ug_subs_set_pending_ops(subs, &fake_ops);
    ug_subs_set_pending_ops(subs2, &fake_ops);
    ug_subs_set_lookup(lookup);
    ug_subs_limits(subs)->min_publishing_interval_ms = 1;
    ug_subs_limits(subs)->min_sampling_interval_ms = 1;
    ug_timer_init(&guard, guard_tick, NULL);
    ug_timer_start_cyclic(loop, &guard, 5000000, 0, UG_TIMER_CURRENT_TIME);
}

static inline void fx_teardown(void)
{
    ug_subs_free(subs);
    ug_subs_free(subs2);
    ug_subs_set_lookup(NULL);
    ug_timer_stop(loop, &guard);
    ug_aspace_free(as);
    ug_arena_free(&arena);
    ug_arena_free(&farena);
    ug_loop_close(loop, -1);
}

static inline struct ug_svc_ctx ctx_for(int *session)
{
    ug_arena_reset(&arena);
    return (struct ug_svc_ctx){.aspace = as, .session = (ug_session *)session, .arena = &arena,
                               .loop = loop, .now = ug_datetime_now()};
}

static inline void fp_reset(struct fp *f)
{
    memset(&f->resp, 0, sizeof f->resp);
    if (f->arena.buf == NULL)
        ug_arena_init(&f->arena, f->buf, sizeof f->buf, true);
    ug_arena_reset(&f->arena);
    f->done = false;
    f->orphaned = false;
    f->result = 0;
    f->finished = 0;
}

static inline ug_status publish_on(int *session, struct fp *f, int32_t n,
                            ug_SubscriptionAcknowledgement *acks)
{
    fp_reset(f);
    struct ug_svc_ctx c = ctx_for(session);
    c.arena = &f->arena;
    c.pending = (ug_svc_pending *)f;
    ug_PublishRequest req = {.subscription_acknowledgements_len = n,
                             .subscription_acknowledgements = acks};
    ug_status st = ug_svc_publish(&c, &req, &f->resp);
    if (st != UG_STATUS_GOODCOMPLETESASYNCHRONOUSLY) {
        f->done = true;
        f->result = st;
        CU_ASSERT_PTR_NOT_NULL(c.pending); /* kept only when async */
    } else {
        CU_ASSERT_PTR_NULL(c.pending);
    }
    return st;
}

static inline ug_status publish(struct fp *f) { return publish_on(&session_a, f, 0, NULL); }

/* Runs the loop until *flag or ms milliseconds; returns the ms spent. */
static inline double run_until(const bool *flag, int ms)
{
    int64_t t0 = ug_clock_mono_ns(), end = t0 + (int64_t)ms * 1000000;
    while ((flag == NULL || !*flag) && ug_clock_mono_ns() < end)
        ug_loop_run_once(loop, true);
    return (double)(ug_clock_mono_ns() - t0) / 1e6;
}

static inline void fp_free(struct fp *f) { ug_arena_free(&f->arena); }

static inline uint32_t make_sub(double interval_ms, uint32_t keepalive, uint32_t lifetime, uint32_t max_n,
                         bool enabled)
{
    struct ug_svc_ctx c = ctx_for(&session_a);
    ug_CreateSubscriptionRequest req = {.requested_publishing_interval = interval_ms,
                                        .requested_lifetime_count = lifetime,
                                        .requested_max_keep_alive_count = keepalive,
                                        .max_notifications_per_publish = max_n,
                                        .publishing_enabled = enabled};
    ug_CreateSubscriptionResponse resp = {0};
    CU_ASSERT_EQUAL(ug_svc_create_subscription(&c, &req, &resp), UG_STATUS_GOOD);
    return resp.subscription_id;
}

/* CreateMonitoredItems for one item; returns the item's result. */
static inline ug_MonitoredItemCreateResult make_item_f(uint32_t sub_id, ug_nodeid node, uint32_t attr,
                                                int32_t mode, double sampling, uint32_t queue,
                                                bool discard_oldest, int32_t ttr,
                                                const ug_extension_object *filter)
{
    struct ug_svc_ctx c = ctx_for(&session_a);
    ug_MonitoredItemCreateRequest item = {0};
    item.item_to_monitor.node_id = node;
    item.item_to_monitor.attribute_id = attr;
    item.item_to_monitor.index_range = UG_NULL_BYTES;
    item.monitoring_mode = mode;
    item.requested_parameters.client_handle = 100 + node.id.numeric;
    item.requested_parameters.sampling_interval = sampling;
    item.requested_parameters.queue_size = queue;
    item.requested_parameters.discard_oldest = discard_oldest;
    if (filter)
        item.requested_parameters.filter = *filter;
    ug_CreateMonitoredItemsRequest req = {.subscription_id = sub_id, .timestamps_to_return = ttr,
                                          .items_to_create_len = 1, .items_to_create = &item};
    ug_CreateMonitoredItemsResponse resp = {0};
    ug_MonitoredItemCreateResult r = {.status_code = UG_STATUS_BADUNEXPECTEDERROR};
    CU_ASSERT_EQUAL(ug_svc_create_monitored_items(&c, &req, &resp), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(resp.results_len, 1);
    if (resp.results_len == 1)
        r = resp.results[0];
    return r;
}

static inline ug_MonitoredItemCreateResult make_item(uint32_t sub_id, uint32_t node, uint32_t queue,
                                              bool discard_oldest)
{
    return make_item_f(sub_id, NID(1, node), 13, UG_MONITORING_MODE_REPORTING, 1000, queue,
                       discard_oldest, UG_TIMESTAMPS_TO_RETURN_BOTH, NULL);
}

static inline void set_double(uint32_t node, double d)
{
    ug_nodeid id = NID(1, node);
    ug_datavalue dv = dv_double(d);
    CU_ASSERT_EQUAL(ug_aspace_set_value(as, ug_aspace_get(as, &id), &dv), UG_STATUS_GOOD);
}

/* The DataChangeNotification of a Publish response, or NULL. */
static inline ug_DataChangeNotification *dcn_of(struct fp *f)
{
    ug_NotificationMessage *m = &f->resp.notification_message;
    if (m->notification_data_len != 1)
        return NULL;
    const ug_type_desc *d;
    void *out;
    if (ug_eo_decode(&m->notification_data[0], NULL, &d, &out, NULL, &f->arena) != UG_STATUS_GOOD ||
        d != &ug_desc_DataChangeNotification)
        return NULL;
    return out;
}
/* ---------------------------------------------------------- end fixture -- */

#endif
