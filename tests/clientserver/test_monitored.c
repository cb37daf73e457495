/* MonitoredItem services (Part 4 §5.12) through svc_monitored.c and the
 * item engine (sub_item.c, sub_filter.c, sub_value.c): revised parameters,
 * every Bad status, DataChangeFilter triggers and deadbands, queue overflow
 * with both discard policies, monitoring modes, sampling of callback
 * sources, timestamps, value copies, 10,000 items on one timer. */
#include <stdlib.h>
#include <string.h>

#include "sub_fixture.h"
#include "../../clientserver/aspace_int.h" /* the listener count */

/* ------------------------------------------------------------- helpers -- */

static struct sub_item *item_of(uint32_t sub_id, uint32_t item_id)
{
    struct sub *s = sub_find(subs, sub_id);
    if (s == NULL || item_id == 0 || item_id > s->items_cap)
        return NULL;
    return s->items[item_id - 1];
}

static ug_extension_object dcf(ug_arena *a, int32_t trigger, uint32_t db_type, double db)
{
    ug_DataChangeFilter f = {.trigger = trigger, .deadband_type = db_type, .deadband_value = db};
    ug_extension_object eo = {0};
    CU_ASSERT_EQUAL(ug_eo_encode(&eo, &ug_desc_DataChangeFilter, &f, a), UG_STATUS_GOOD);
    return eo;
}

static ug_status item_status(uint32_t sub_id, uint32_t node, uint32_t attr, const ug_extension_object *f)
{
    return make_item_f(sub_id, NID(1, node), attr, UG_MONITORING_MODE_REPORTING, 100, 1, true,
                       UG_TIMESTAMPS_TO_RETURN_BOTH, f)
        .status_code;
}

/* Pops every queued value of an item into vals (f64) and statuses. */
static uint32_t drain_item(struct sub_item *it, double *vals, ug_status *sts, uint32_t max)
{
    uint32_t n = 0;
    ug_datavalue dv;
    while (n < max && sub_item_pop(it, &dv)) {
        vals[n] = dv.value.type == UG_TYPE_DOUBLE ? dv.value.u.v.f64 : -1;
        sts[n] = dv.status;
        n++;
    }
    if (it->q_len == 0)
        sub_ready_unlink(it);
    return n;
}

#define INFO_OVERFLOW_BITS 0x00000480u

/* ---------------------------------------------------------------- tests -- */

static void test_create_revises(void)
{
    fx_setup();
    uint32_t sid = make_sub(50, 10, 100, 0, true);
    /* -1: the publishing interval; 0: the fastest rate. */
    ug_MonitoredItemCreateResult r = make_item_f(sid, NID(1, N_TEMP), 13, UG_MONITORING_MODE_REPORTING,
                                                 -1, 0, true, UG_TIMESTAMPS_TO_RETURN_BOTH, NULL);
    CU_ASSERT_EQUAL(r.status_code, UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(r.revised_sampling_interval, 50);
    CU_ASSERT_EQUAL(r.revised_queue_size, 1);
    CU_ASSERT_NOT_EQUAL(r.monitored_item_id, 0);
    ug_MonitoredItemCreateResult r2 = make_item_f(sid, NID(1, N_TEMP), 13, UG_MONITORING_MODE_REPORTING,
                                                  0, 1u << 30, false, UG_TIMESTAMPS_TO_RETURN_BOTH, NULL);
    CU_ASSERT_EQUAL(r2.status_code, UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(r2.revised_sampling_interval, 1.0);
    CU_ASSERT_EQUAL(r2.revised_queue_size, SUB_DEFAULT_QUEUE_MAX);
    CU_ASSERT_NOT_EQUAL(r.monitored_item_id, r2.monitored_item_id);
    /* Other attributes can be monitored too. */
    CU_ASSERT_EQUAL(item_status(sid, N_TEMP, 4 /* DisplayName */, NULL), UG_STATUS_GOOD);
    fx_teardown();
}

static void test_node_minimum_sampling(void)
{
    fx_setup();
    struct ug_add_node an = {0};
    an.requested_id = NID(1, 1005);
    an.parent_id = NID(0, 85);
    an.reference_type_id = NID(0, 47);
    an.browse_name = (ug_qualified_name){1, ug_string_from("Slow")};
    an.node_class = UG_NC_VARIABLE;
    an.attrs.data_type = NID(0, 11);
    an.attrs.minimum_sampling_interval = 250;
    CU_ASSERT_EQUAL_FATAL(ug_aspace_add_node(as, &an, NULL), UG_STATUS_GOOD);
    uint32_t sid = make_sub(50, 10, 100, 0, true);
    ug_MonitoredItemCreateResult r = make_item_f(sid, NID(1, 1005), 13, UG_MONITORING_MODE_REPORTING,
                                                 100, 1, true, UG_TIMESTAMPS_TO_RETURN_BOTH, NULL);
    CU_ASSERT_EQUAL(r.status_code, UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(r.revised_sampling_interval, 250);
    r = make_item_f(sid, NID(1, 1005), 13, UG_MONITORING_MODE_REPORTING, 1000, 1, true,
                    UG_TIMESTAMPS_TO_RETURN_BOTH, NULL);
    CU_ASSERT_EQUAL(r.revised_sampling_interval, 1000);
    fx_teardown();
}

static void test_create_bad_input(void)
{
    fx_setup();
    uint32_t sid = make_sub(50, 10, 100, 0, true);
    {
        struct ug_svc_ctx c = ctx_for(&session_a);
        ug_MonitoredItemCreateRequest item = {0};
        item.item_to_monitor.node_id = NID(1, N_TEMP);
        item.item_to_monitor.attribute_id = 13;
        item.item_to_monitor.index_range = ug_string_from("x:y");
        item.monitoring_mode = UG_MONITORING_MODE_REPORTING;
        ug_CreateMonitoredItemsRequest rq = {.subscription_id = sid, .items_to_create_len = 1,
                                             .items_to_create = &item};
        ug_CreateMonitoredItemsResponse rr = {0};
        CU_ASSERT_EQUAL(ug_svc_create_monitored_items(&c, &rq, &rr), UG_STATUS_GOOD);
        CU_ASSERT_EQUAL(rr.results[0].status_code, UG_STATUS_BADINDEXRANGEINVALID);
    }
    CU_ASSERT_EQUAL(item_status(sid, 4711, 13, NULL), UG_STATUS_BADNODEIDUNKNOWN);
    CU_ASSERT_EQUAL(item_status(sid, N_TEMP, 0, NULL), UG_STATUS_BADATTRIBUTEIDINVALID);
    CU_ASSERT_EQUAL(item_status(sid, N_TEMP, 99, NULL), UG_STATUS_BADATTRIBUTEIDINVALID);
    /* An attribute a variable does not have. */
    CU_ASSERT_EQUAL(item_status(sid, N_TEMP, 8 /* IsAbstract */, NULL), UG_STATUS_BADATTRIBUTEIDINVALID);
    CU_ASSERT_EQUAL(make_item_f(sid, NID(1, N_TEMP), 13, 7, 100, 1, true, UG_TIMESTAMPS_TO_RETURN_BOTH, NULL)
                        .status_code,
                    UG_STATUS_BADMONITORINGMODEINVALID);

    struct ug_svc_ctx c = ctx_for(&session_a);
    ug_MonitoredItemCreateRequest items[3] = {0};
    for (int i = 0; i < 3; i++) {
        items[i].item_to_monitor.node_id = NID(1, N_TEMP);
        items[i].item_to_monitor.attribute_id = 13;
        items[i].monitoring_mode = UG_MONITORING_MODE_REPORTING;
    }
    ug_CreateMonitoredItemsRequest rq = {.subscription_id = sid, .timestamps_to_return = 9,
                                         .items_to_create_len = 3, .items_to_create = items};
    ug_CreateMonitoredItemsResponse rr = {0};
    CU_ASSERT_EQUAL(ug_svc_create_monitored_items(&c, &rq, &rr), UG_STATUS_BADTIMESTAMPSTORETURNINVALID);
    rq.timestamps_to_return = -1;
    CU_ASSERT_EQUAL(ug_svc_create_monitored_items(&c, &rq, &rr), UG_STATUS_BADTIMESTAMPSTORETURNINVALID);
    rq.timestamps_to_return = UG_TIMESTAMPS_TO_RETURN_BOTH;
    rq.subscription_id = sid + 1000;
    CU_ASSERT_EQUAL(ug_svc_create_monitored_items(&c, &rq, &rr), UG_STATUS_BADSUBSCRIPTIONIDINVALID);
    rq.subscription_id = sid;
    rq.items_to_create_len = 0;
    CU_ASSERT_EQUAL(ug_svc_create_monitored_items(&c, &rq, &rr), UG_STATUS_BADNOTHINGTODO);
    rq.items_to_create_len = 3;
    ug_subs_limits(subs)->max_monitored_items_per_call = 2;
    CU_ASSERT_EQUAL(ug_svc_create_monitored_items(&c, &rq, &rr), UG_STATUS_BADTOOMANYOPERATIONS);
    /* Per-subscription limit: the third item is refused. */
    ug_subs_limits(subs)->max_monitored_items_per_call = 10;
    ug_subs_limits(subs)->max_monitored_items = 2;
    uint32_t sid2 = make_sub(50, 10, 100, 0, true);
    rq.subscription_id = sid2;
    CU_ASSERT_EQUAL(ug_svc_create_monitored_items(&c, &rq, &rr), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(rr.results_len, 3);
    CU_ASSERT_EQUAL(rr.results[0].status_code, UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(rr.results[1].status_code, UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(rr.results[2].status_code, UG_STATUS_BADTOOMANYMONITOREDITEMS);
    fx_teardown();
}

static void test_filter_checks(void)
{
    fx_setup();
    uint32_t sid = make_sub(50, 10, 100, 0, true);
    ug_extension_object f;
    f = dcf(&farena, UG_DATA_CHANGE_TRIGGER_STATUS_VALUE, UG_DEADBAND_TYPE_PERCENT, 5);
    CU_ASSERT_EQUAL(item_status(sid, N_TEMP, 13, &f), UG_STATUS_GOOD); /* has EURange */
    f = dcf(&farena, UG_DATA_CHANGE_TRIGGER_STATUS_VALUE, UG_DEADBAND_TYPE_PERCENT, 5);
    CU_ASSERT_EQUAL(item_status(sid, N_PLAIN, 13, &f), UG_STATUS_BADMONITOREDITEMFILTERUNSUPPORTED);
    f = dcf(&farena, UG_DATA_CHANGE_TRIGGER_STATUS_VALUE, UG_DEADBAND_TYPE_ABSOLUTE, 1);
    CU_ASSERT_EQUAL(item_status(sid, N_NAME, 13, &f), UG_STATUS_BADFILTERNOTALLOWED); /* a String */
    f = dcf(&farena, UG_DATA_CHANGE_TRIGGER_STATUS_VALUE, UG_DEADBAND_TYPE_NONE, 0);
    CU_ASSERT_EQUAL(item_status(sid, N_TEMP, 4, &f), UG_STATUS_BADFILTERNOTALLOWED); /* not Value */
    f = dcf(&farena, UG_DATA_CHANGE_TRIGGER_STATUS_VALUE, 5, 1);
    CU_ASSERT_EQUAL(item_status(sid, N_TEMP, 13, &f), UG_STATUS_BADDEADBANDFILTERINVALID);
    f = dcf(&farena, UG_DATA_CHANGE_TRIGGER_STATUS_VALUE, UG_DEADBAND_TYPE_ABSOLUTE, -1);
    CU_ASSERT_EQUAL(item_status(sid, N_TEMP, 13, &f), UG_STATUS_BADDEADBANDFILTERINVALID);
    f = dcf(&farena, UG_DATA_CHANGE_TRIGGER_STATUS_VALUE, UG_DEADBAND_TYPE_PERCENT, 101);
    CU_ASSERT_EQUAL(item_status(sid, N_TEMP, 13, &f), UG_STATUS_BADDEADBANDFILTERINVALID);
    f = dcf(&farena, 9, UG_DEADBAND_TYPE_NONE, 0);
    CU_ASSERT_EQUAL(item_status(sid, N_TEMP, 13, &f), UG_STATUS_BADMONITOREDITEMFILTERINVALID);
    /* An EventFilter / AggregateFilter: not offered here. */
    ug_extension_object ev = {.type_id = NID(0, 727), .encoding = UG_EO_BYTESTRING,
                              .body = {(const uint8_t *)"", 0}};
    CU_ASSERT_EQUAL(item_status(sid, N_TEMP, 13, &ev), UG_STATUS_BADMONITOREDITEMFILTERUNSUPPORTED);
    ev.type_id = NID(0, 730);
    CU_ASSERT_EQUAL(item_status(sid, N_TEMP, 13, &ev), UG_STATUS_BADMONITOREDITEMFILTERUNSUPPORTED);
    /* Unknown filter types and truncated bodies. */
    ev.type_id = NID(0, 4711);
    CU_ASSERT_EQUAL(item_status(sid, N_TEMP, 13, &ev), UG_STATUS_BADMONITOREDITEMFILTERINVALID);
    ev.type_id = NID(3, 724);
    CU_ASSERT_EQUAL(item_status(sid, N_TEMP, 13, &ev), UG_STATUS_BADMONITOREDITEMFILTERINVALID);
    ev.type_id = NID(0, 724);
    ev.body = (ug_bytes){(const uint8_t *)"\x01\x00", 2};
    CU_ASSERT_EQUAL(item_status(sid, N_TEMP, 13, &ev), UG_STATUS_BADMONITOREDITEMFILTERINVALID);
    fx_teardown();
}

static void test_deadband_absolute(void)
{
    fx_setup();
    uint32_t sid = make_sub(1000, 10, 100, 0, true);
    ug_extension_object f = dcf(&farena, UG_DATA_CHANGE_TRIGGER_STATUS_VALUE, UG_DEADBAND_TYPE_ABSOLUTE, 1.0);
    ug_MonitoredItemCreateResult r = make_item_f(sid, NID(1, N_TEMP), 13, UG_MONITORING_MODE_REPORTING,
                                                 1000, 10, true, UG_TIMESTAMPS_TO_RETURN_BOTH, &f);
    CU_ASSERT_EQUAL_FATAL(r.status_code, UG_STATUS_GOOD);
    set_double(N_TEMP, 20.5);  /* within 1.0 of 20: dropped */
    set_double(N_TEMP, 20.9);  /* still within 1.0 of the last reported (20) */
    set_double(N_TEMP, 21.5);  /* 1.5 away: reported */
    set_double(N_TEMP, 22.0);  /* 0.5 from 21.5: dropped */
    set_double(N_TEMP, 19.0);  /* 2.5 away: reported */
    double v[10];
    ug_status st[10];
    uint32_t n = drain_item(item_of(sid, r.monitored_item_id), v, st, 10);
    CU_ASSERT_EQUAL_FATAL(n, 3);
    CU_ASSERT_EQUAL(v[0], 20.0);
    CU_ASSERT_EQUAL(v[1], 21.5);
    CU_ASSERT_EQUAL(v[2], 19.0);
    fx_teardown();
}

static void test_deadband_percent(void)
{
    fx_setup();
    uint32_t sid = make_sub(1000, 10, 100, 0, true);
    /* EURange 0..200: 1 % is 2.0. */
    ug_extension_object f = dcf(&farena, UG_DATA_CHANGE_TRIGGER_STATUS_VALUE, UG_DEADBAND_TYPE_PERCENT, 1.0);
    ug_MonitoredItemCreateResult r = make_item_f(sid, NID(1, N_TEMP), 13, UG_MONITORING_MODE_REPORTING,
                                                 1000, 10, true, UG_TIMESTAMPS_TO_RETURN_BOTH, &f);
    CU_ASSERT_EQUAL_FATAL(r.status_code, UG_STATUS_GOOD);
    set_double(N_TEMP, 21.5);  /* 1.5 < 2: dropped */
    set_double(N_TEMP, 22.5);  /* 2.5 > 2: reported */
    set_double(N_TEMP, 24.0);  /* 1.5: dropped */
    double v[10];
    ug_status st[10];
    uint32_t n = drain_item(item_of(sid, r.monitored_item_id), v, st, 10);
    CU_ASSERT_EQUAL_FATAL(n, 2);
    CU_ASSERT_EQUAL(v[0], 20.0);
    CU_ASSERT_EQUAL(v[1], 22.5);
    fx_teardown();
}

static void test_triggers(void)
{
    fx_setup();
    uint32_t sid = make_sub(1000, 10, 100, 0, true);
    ug_extension_object f = dcf(&farena, UG_DATA_CHANGE_TRIGGER_STATUS, UG_DEADBAND_TYPE_NONE, 0);
    ug_MonitoredItemCreateResult rs = make_item_f(sid, NID(1, N_TEMP), 13, UG_MONITORING_MODE_REPORTING,
                                                  1000, 10, true, UG_TIMESTAMPS_TO_RETURN_BOTH, &f);
    f = dcf(&farena, UG_DATA_CHANGE_TRIGGER_STATUS_VALUE_TIMESTAMP, UG_DEADBAND_TYPE_NONE, 0);
    ug_MonitoredItemCreateResult rt = make_item_f(sid, NID(1, N_TEMP), 13, UG_MONITORING_MODE_REPORTING,
                                                  1000, 10, true, UG_TIMESTAMPS_TO_RETURN_BOTH, &f);
    ug_MonitoredItemCreateResult rv = make_item(sid, N_TEMP, 10, true); /* StatusValue */
    CU_ASSERT_EQUAL_FATAL(rs.status_code, UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(rt.status_code, UG_STATUS_GOOD);
    ug_nodeid id = NID(1, N_TEMP);
    ug_node *node = ug_aspace_get(as, &id);
    ug_datavalue dv = dv_double(20.0);
    dv.mask |= UG_DV_SOURCE_TIMESTAMP;
    dv.source_ts = 1000;
    ug_aspace_set_value(as, node, &dv);  /* same value, new source timestamp */
    dv.value.u.v.f64 = 30.0;
    ug_aspace_set_value(as, node, &dv);  /* new value */
    dv.mask |= UG_DV_STATUS;
    dv.status = UG_STATUS_UNCERTAIN;
    ug_aspace_set_value(as, node, &dv);  /* new status */
    double v[10];
    ug_status st[10];
    CU_ASSERT_EQUAL(drain_item(item_of(sid, rs.monitored_item_id), v, st, 10), 2); /* initial, status */
    CU_ASSERT_EQUAL(st[1], UG_STATUS_UNCERTAIN);
    CU_ASSERT_EQUAL(drain_item(item_of(sid, rv.monitored_item_id), v, st, 10), 3); /* + value */
    CU_ASSERT_EQUAL(drain_item(item_of(sid, rt.monitored_item_id), v, st, 10), 4); /* + timestamp */
    fx_teardown();
}

static void test_queue_discard_oldest(void)
{
    fx_setup();
    uint32_t sid = make_sub(1000, 10, 100, 0, true);
    ug_MonitoredItemCreateResult r = make_item(sid, N_TEMP, 3, true);
    for (int i = 1; i <= 4; i++)
        set_double(N_TEMP, i); /* 20, 1, 2, 3, 4 into a queue of 3 */
    double v[10];
    ug_status st[10];
    uint32_t n = drain_item(item_of(sid, r.monitored_item_id), v, st, 10);
    CU_ASSERT_EQUAL_FATAL(n, 3);
    CU_ASSERT_EQUAL(v[0], 2);
    CU_ASSERT_EQUAL(v[1], 3);
    CU_ASSERT_EQUAL(v[2], 4);
    /* The oldest kept value says values were lost before it. */
    CU_ASSERT_EQUAL(st[0], INFO_OVERFLOW_BITS);
    CU_ASSERT_EQUAL(st[1], UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(st[2], UG_STATUS_GOOD);
    fx_teardown();
}

static void test_queue_discard_newest(void)
{
    fx_setup();
    uint32_t sid = make_sub(1000, 10, 100, 0, true);
    ug_MonitoredItemCreateResult r = make_item(sid, N_TEMP, 3, false);
    for (int i = 1; i <= 4; i++)
        set_double(N_TEMP, i);
    double v[10];
    ug_status st[10];
    uint32_t n = drain_item(item_of(sid, r.monitored_item_id), v, st, 10);
    CU_ASSERT_EQUAL_FATAL(n, 3);
    CU_ASSERT_EQUAL(v[0], 20);
    CU_ASSERT_EQUAL(v[1], 1);
    CU_ASSERT_EQUAL(v[2], 4); /* the newest replaced the last added and carries the flag */
    CU_ASSERT_EQUAL(st[0], UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(st[1], UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(st[2], INFO_OVERFLOW_BITS);
    fx_teardown();
}

static void test_queue_size_one(void)
{
    fx_setup();
    uint32_t sid = make_sub(1000, 10, 100, 0, true);
    ug_MonitoredItemCreateResult r = make_item(sid, N_TEMP, 1, false);
    set_double(N_TEMP, 1);
    set_double(N_TEMP, 2);
    double v[10];
    ug_status st[10];
    uint32_t n = drain_item(item_of(sid, r.monitored_item_id), v, st, 10);
    CU_ASSERT_EQUAL_FATAL(n, 1);
    CU_ASSERT_EQUAL(v[0], 2);
    CU_ASSERT_EQUAL(st[0], UG_STATUS_GOOD); /* no overflow bit for a queue of one */
    fx_teardown();
}

static void test_monitoring_mode(void)
{
    fx_setup();
    uint32_t sid = make_sub(1000, 10, 100, 0, true);
    ug_MonitoredItemCreateResult r = make_item_f(sid, NID(1, N_TEMP), 13, UG_MONITORING_MODE_DISABLED,
                                                 1000, 5, true, UG_TIMESTAMPS_TO_RETURN_BOTH, NULL);
    CU_ASSERT_EQUAL_FATAL(r.status_code, UG_STATUS_GOOD);
    struct sub_item *it = item_of(sid, r.monitored_item_id);
    struct sub *s = sub_find(subs, sid);
    set_double(N_TEMP, 1);
    CU_ASSERT_EQUAL(it->q_len, 0); /* Disabled: nothing sampled */
    uint32_t ids[2] = {r.monitored_item_id, 777};
    ug_SetMonitoringModeRequest rq = {.subscription_id = sid, .monitoring_mode = UG_MONITORING_MODE_SAMPLING,
                                      .monitored_item_ids_len = 2, .monitored_item_ids = ids};
    ug_SetMonitoringModeResponse rr = {0};
    struct ug_svc_ctx c = ctx_for(&session_a);
    CU_ASSERT_EQUAL(ug_svc_set_monitoring_mode(&c, &rq, &rr), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(rr.results_len, 2);
    CU_ASSERT_EQUAL(rr.results[0], UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(rr.results[1], UG_STATUS_BADMONITOREDITEMIDINVALID);
    /* Sampling: queued (the first sample at once) but not up for publish. */
    set_double(N_TEMP, 2);
    CU_ASSERT_EQUAL(it->q_len, 2);
    CU_ASSERT_EQUAL(s->ready_values, 0);
    rq.monitoring_mode = UG_MONITORING_MODE_REPORTING;
    rq.monitored_item_ids_len = 1;
    CU_ASSERT_EQUAL(ug_svc_set_monitoring_mode(&c, &rq, &rr), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(s->ready_values, 2);
    CU_ASSERT_PTR_EQUAL(s->ready_head, it);
    /* Disabled again: the queue is emptied. */
    rq.monitoring_mode = UG_MONITORING_MODE_DISABLED;
    CU_ASSERT_EQUAL(ug_svc_set_monitoring_mode(&c, &rq, &rr), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(it->q_len, 0);
    CU_ASSERT_EQUAL(s->ready_values, 0);
    CU_ASSERT_PTR_NULL(s->ready_head);
    set_double(N_TEMP, 3);
    CU_ASSERT_EQUAL(it->q_len, 0);
    /* Disabled items send nothing: the next Publish is a keep-alive. */
    struct fp f = {0};
    CU_ASSERT_EQUAL(publish(&f), UG_STATUS_GOODCOMPLETESASYNCHRONOUSLY);
    run_until(&f.done, 3000);
    CU_ASSERT_TRUE(f.done);
    CU_ASSERT_EQUAL(f.resp.notification_message.notification_data_len, 0);
    rq.monitoring_mode = 3;
    CU_ASSERT_EQUAL(ug_svc_set_monitoring_mode(&c, &rq, &rr), UG_STATUS_BADMONITORINGMODEINVALID);
    rq.monitoring_mode = UG_MONITORING_MODE_REPORTING;
    rq.monitored_item_ids_len = 0;
    CU_ASSERT_EQUAL(ug_svc_set_monitoring_mode(&c, &rq, &rr), UG_STATUS_BADNOTHINGTODO);
    rq.subscription_id = 31337;
    rq.monitored_item_ids_len = 1;
    CU_ASSERT_EQUAL(ug_svc_set_monitoring_mode(&c, &rq, &rr), UG_STATUS_BADSUBSCRIPTIONIDINVALID);
    fp_free(&f);
    fx_teardown();
}

static void test_modify_items(void)
{
    fx_setup();
    uint32_t sid = make_sub(1000, 10, 100, 0, true);
    ug_MonitoredItemCreateResult r = make_item(sid, N_TEMP, 5, true);
    for (int i = 1; i <= 5; i++)
        set_double(N_TEMP, i); /* 20, 1..5: the ring wrapped, 1..5 queued */
    struct sub_item *it = item_of(sid, r.monitored_item_id);
    CU_ASSERT_EQUAL(it->q_len, 5);
    CU_ASSERT_NOT_EQUAL(it->q_head, 0);
    ug_MonitoredItemModifyRequest m[2] = {0};
    m[0].monitored_item_id = r.monitored_item_id;
    m[0].requested_parameters.client_handle = 55;
    m[0].requested_parameters.sampling_interval = 20;
    m[0].requested_parameters.queue_size = 2;
    m[0].requested_parameters.discard_oldest = true;
    m[0].requested_parameters.filter =
        dcf(&farena, UG_DATA_CHANGE_TRIGGER_STATUS_VALUE, UG_DEADBAND_TYPE_ABSOLUTE, 10);
    m[1].monitored_item_id = 9999;
    ug_ModifyMonitoredItemsRequest rq = {.subscription_id = sid, .timestamps_to_return = UG_TIMESTAMPS_TO_RETURN_NEITHER,
                                         .items_to_modify_len = 2, .items_to_modify = m};
    ug_ModifyMonitoredItemsResponse rr = {0};
    struct ug_svc_ctx c = ctx_for(&session_a);
    CU_ASSERT_EQUAL(ug_svc_modify_monitored_items(&c, &rq, &rr), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(rr.results_len, 2);
    CU_ASSERT_EQUAL(rr.results[0].status_code, UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(rr.results[0].revised_sampling_interval, 20);
    CU_ASSERT_EQUAL(rr.results[0].revised_queue_size, 2);
    CU_ASSERT_EQUAL(rr.results[1].status_code, UG_STATUS_BADMONITOREDITEMIDINVALID);
    /* The smaller queue keeps the newest values. */
    double v[10];
    ug_status st[10];
    CU_ASSERT_EQUAL(it->client_handle, 55);
    uint32_t n = drain_item(it, v, st, 10);
    CU_ASSERT_EQUAL_FATAL(n, 2);
    CU_ASSERT_EQUAL(v[0], 4);
    CU_ASSERT_EQUAL(v[1], 5);
    CU_ASSERT_EQUAL(it->sub->ready_values, 0);
    set_double(N_TEMP, 9);   /* within the new deadband of 10 from 5 */
    set_double(N_TEMP, 20);  /* beyond it */
    n = drain_item(it, v, st, 10);
    CU_ASSERT_EQUAL_FATAL(n, 1);
    CU_ASSERT_EQUAL(v[0], 20);
    CU_ASSERT_EQUAL(it->ttr, UG_TIMESTAMPS_TO_RETURN_NEITHER);
    /* A bad filter leaves the item as it was. */
    m[0].requested_parameters.filter = dcf(&farena, 9, 0, 0);
    rq.items_to_modify_len = 1;
    CU_ASSERT_EQUAL(ug_svc_modify_monitored_items(&c, &rq, &rr), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(rr.results[0].status_code, UG_STATUS_BADMONITOREDITEMFILTERINVALID);
    CU_ASSERT_EQUAL(it->filter.deadband_abs, 10);
    rq.timestamps_to_return = 4;
    CU_ASSERT_EQUAL(ug_svc_modify_monitored_items(&c, &rq, &rr), UG_STATUS_BADTIMESTAMPSTORETURNINVALID);
    rq.timestamps_to_return = 0;
    rq.items_to_modify_len = 0;
    CU_ASSERT_EQUAL(ug_svc_modify_monitored_items(&c, &rq, &rr), UG_STATUS_BADNOTHINGTODO);
    fx_teardown();
}

static void test_delete_items(void)
{
    fx_setup();
    uint32_t sid = make_sub(1000, 10, 100, 0, true);
    ug_MonitoredItemCreateResult r = make_item(sid, N_TEMP, 5, true);
    struct sub *s = sub_find(subs, sid);
    CU_ASSERT_EQUAL(s->ready_values, 1);
    uint32_t ids[2] = {r.monitored_item_id, 0};
    ug_DeleteMonitoredItemsRequest rq = {.subscription_id = sid, .monitored_item_ids_len = 2,
                                         .monitored_item_ids = ids};
    ug_DeleteMonitoredItemsResponse rr = {0};
    struct ug_svc_ctx c = ctx_for(&session_a);
    CU_ASSERT_EQUAL(ug_svc_delete_monitored_items(&c, &rq, &rr), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(rr.results[0], UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(rr.results[1], UG_STATUS_BADMONITOREDITEMIDINVALID);
    CU_ASSERT_EQUAL(s->ready_values, 0);
    CU_ASSERT_EQUAL(s->n_items, 0);
    CU_ASSERT_PTR_NULL(s->groups); /* the sampling timer went with it */
    CU_ASSERT_EQUAL(ug_svc_delete_monitored_items(&c, &rq, &rr), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(rr.results[0], UG_STATUS_BADMONITOREDITEMIDINVALID);
    set_double(N_TEMP, 3); /* no hook left to call */
    rq.monitored_item_ids_len = 0;
    CU_ASSERT_EQUAL(ug_svc_delete_monitored_items(&c, &rq, &rr), UG_STATUS_BADNOTHINGTODO);
    /* The slot is reused; the new item works. */
    ug_MonitoredItemCreateResult r2 = make_item(sid, N_PLAIN, 5, true);
    CU_ASSERT_EQUAL(r2.status_code, UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(s->ready_values, 1);
    fx_teardown();
}

/* The subscription's watch is one value-change listener among others: both
 * hear every change, and the watch leaves when its last item goes. */
static int other_calls;
static void other_listener(void *ctx, const ug_node *n)
{
    (void)n;
    CU_ASSERT_PTR_EQUAL(ctx, &other_calls);
    other_calls++;
}

static void test_watch_with_other_listener(void)
{
    fx_setup();
    other_calls = 0;
    CU_ASSERT_EQUAL(ug_aspace_add_change_listener(as, other_listener, &other_calls),
                    UG_STATUS_GOOD);
    uint32_t sid = make_sub(1000, 10, 100, 0, true);
    ug_MonitoredItemCreateResult r = make_item(sid, N_TEMP, 5, true);
    CU_ASSERT_EQUAL_FATAL(r.status_code, UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(as->n_listeners, 2);
    set_double(N_TEMP, 1);
    set_double(N_TEMP, 2);
    CU_ASSERT_EQUAL(other_calls, 2);
    double v[10];
    ug_status st[10];
    /* the initial value and both changes, long before the 1 s sampling tick */
    uint32_t n = drain_item(item_of(sid, r.monitored_item_id), v, st, 10);
    CU_ASSERT_EQUAL_FATAL(n, 3);
    CU_ASSERT_EQUAL(v[1], 1);
    CU_ASSERT_EQUAL(v[2], 2);
    uint32_t ids[1] = {r.monitored_item_id};
    ug_DeleteMonitoredItemsRequest rq = {.subscription_id = sid, .monitored_item_ids_len = 1,
                                         .monitored_item_ids = ids};
    ug_DeleteMonitoredItemsResponse rr = {0};
    struct ug_svc_ctx c = ctx_for(&session_a);
    CU_ASSERT_EQUAL(ug_svc_delete_monitored_items(&c, &rq, &rr), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(as->n_listeners, 1); /* the watch left, the other stays */
    set_double(N_TEMP, 3);
    CU_ASSERT_EQUAL(other_calls, 3);
    CU_ASSERT_EQUAL(ug_aspace_remove_change_listener(as, other_listener, &other_calls),
                    UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(as->n_listeners, 0);
    fx_teardown();
}

static void test_sampling_callback_source(void)
{
    fx_setup();
    uint32_t sid = make_sub(1000, 10, 100, 0, true);
    ug_MonitoredItemCreateResult r = make_item_f(sid, NID(1, N_COUNTER), 13, UG_MONITORING_MODE_REPORTING,
                                                 5, 100, true, UG_TIMESTAMPS_TO_RETURN_SOURCE, NULL);
    CU_ASSERT_EQUAL_FATAL(r.status_code, UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(r.revised_sampling_interval, 5);
    run_until(NULL, 60);
    struct sub_item *it = item_of(sid, r.monitored_item_id);
    CU_ASSERT(it->q_len >= 5); /* ~12 samples, each a new value */
    CU_ASSERT(it->q_len <= 20);
    ug_datavalue dv;
    CU_ASSERT_TRUE(sub_item_pop(it, &dv));
    CU_ASSERT_EQUAL(dv.value.u.v.int32, 1);
    CU_ASSERT_TRUE(dv.mask & UG_DV_SOURCE_TIMESTAMP);
    CU_ASSERT_FALSE(dv.mask & UG_DV_SERVER_TIMESTAMP); /* TimestampsToReturn Source */
    fx_teardown();
}

static void test_timestamps_to_return(void)
{
    fx_setup();
    uint32_t sid = make_sub(1000, 10, 100, 0, true);
    static const int32_t ttrs[4] = {UG_TIMESTAMPS_TO_RETURN_SOURCE, UG_TIMESTAMPS_TO_RETURN_SERVER,
                                    UG_TIMESTAMPS_TO_RETURN_BOTH, UG_TIMESTAMPS_TO_RETURN_NEITHER};
    static const uint8_t want[4] = {UG_DV_SOURCE_TIMESTAMP, UG_DV_SERVER_TIMESTAMP,
                                    UG_DV_SOURCE_TIMESTAMP | UG_DV_SERVER_TIMESTAMP, 0};
    ug_nodeid id = NID(1, N_TEMP);
    ug_datavalue dv = dv_double(20.0);
    dv.mask |= UG_DV_SOURCE_TIMESTAMP;
    dv.source_ts = 1234;
    ug_aspace_set_value(as, ug_aspace_get(as, &id), &dv);
    for (int i = 0; i < 4; i++) {
        ug_MonitoredItemCreateResult r = make_item_f(sid, id, 13, UG_MONITORING_MODE_REPORTING, 1000, 1,
                                                     true, ttrs[i], NULL);
        ug_datavalue out;
        CU_ASSERT_TRUE_FATAL(sub_item_pop(item_of(sid, r.monitored_item_id), &out));
        CU_ASSERT_EQUAL(out.mask & (UG_DV_SOURCE_TIMESTAMP | UG_DV_SERVER_TIMESTAMP), want[i]);
    }
    fx_teardown();
}

static void test_value_copy(void)
{
    /* Holders own deep copies: strings, arrays, nested variants. */
    char text[8] = "hello";
    double arr[3] = {1, 2, 3};
    ug_variant inner[2];
    inner[0] = ug_variant_scalar(UG_TYPE_STRING);
    inner[0].u.v.string = (ug_string){(const uint8_t *)text, 5};
    inner[1] = (ug_variant){.type = UG_TYPE_DOUBLE, .array_len = 3, .u.arr = arr};
    ug_datavalue src = {.mask = UG_DV_VALUE,
                        .value = {.type = UG_TYPE_VARIANT, .array_len = 2, .u.arr = inner}};
    struct sub_val h = {0};
    CU_ASSERT_EQUAL_FATAL(sub_val_set(&h, &src), UG_STATUS_GOOD);
    CU_ASSERT_TRUE(ug_datavalue_eq(&h.dv, &src));
    void *mem = h.mem;
    text[0] = 'J';
    arr[1] = 42;
    CU_ASSERT_FALSE(ug_datavalue_eq(&h.dv, &src));
    const ug_variant *cv = h.dv.value.u.arr;
    CU_ASSERT_EQUAL(cv[0].u.v.string.data[0], 'h');
    CU_ASSERT_EQUAL(((const double *)cv[1].u.arr)[1], 2);
    /* A value of the same shape reuses the buffer. */
    CU_ASSERT_EQUAL(sub_val_set(&h, &src), UG_STATUS_GOOD);
    CU_ASSERT_PTR_EQUAL(h.mem, mem);
    CU_ASSERT_TRUE(ug_datavalue_eq(&h.dv, &src));
    /* Scalars of fixed size need no buffer at all. */
    struct sub_val h2 = {0};
    ug_datavalue d = dv_double(1.5);
    CU_ASSERT_EQUAL(sub_val_set(&h2, &d), UG_STATUS_GOOD);
    CU_ASSERT_PTR_NULL(h2.mem);
    /* Every kind of storage a value can own. */
    static const uint8_t ob[2] = {9, 8};
    ug_expanded_nodeid en = {.node = {.ns = 2, .id_type = UG_ID_STRING, .id.string = ug_string_from("n")},
                             .namespace_uri = ug_string_from("urn:x"), .server_index = 1};
    ug_extension_object eo = {.type_id = {.ns = 1, .id_type = UG_ID_OPAQUE, .id.opaque = {ob, 2}},
                              .encoding = UG_EO_BYTESTRING, .body = {ob, 2}};
    ug_diagnostic_info di_in = {.mask = UG_DI_ADDITIONAL_INFO, .additional_info = ug_string_from("in")};
    ug_diagnostic_info di = {.mask = UG_DI_ADDITIONAL_INFO | UG_DI_INNER_DIAG,
                             .additional_info = ug_string_from("out"), .inner = &di_in};
    ug_datavalue nested = dv_double(7);
    ug_variant many[7];
    many[0] = ug_variant_scalar(UG_TYPE_EXPANDEDNODEID);
    many[0].u.v.expanded = &en;
    many[1] = ug_variant_scalar(UG_TYPE_EXTENSIONOBJECT);
    many[1].u.v.extobj = &eo;
    many[2] = ug_variant_scalar(UG_TYPE_DIAGNOSTICINFO);
    many[2].u.v.diag = &di;
    many[3] = ug_variant_scalar(UG_TYPE_DATAVALUE);
    many[3].u.v.datavalue = &nested;
    many[4] = ug_variant_scalar(UG_TYPE_QUALIFIEDNAME);
    many[4].u.v.qname = (ug_qualified_name){3, ug_string_from("q")};
    many[5] = ug_variant_scalar(UG_TYPE_LOCALIZEDTEXT);
    many[5].u.v.ltext = (ug_localized_text){ug_string_from("en"), ug_string_from("t")};
    static const int32_t dims[2] = {2, 1};
    static ug_nodeid ids[2];
    ids[0] = (ug_nodeid){.ns = 1, .id_type = UG_ID_STRING, .id.string = ug_string_from("a")};
    ids[1] = (ug_nodeid){.ns = 1, .id_type = UG_ID_OPAQUE, .id.opaque = {ob, 2}};
    many[6] = (ug_variant){.type = UG_TYPE_NODEID, .array_len = 2, .ndims = 2, .dims = dims, .u.arr = ids};
    ug_datavalue all = {.mask = UG_DV_VALUE, .value = {.type = UG_TYPE_VARIANT, .array_len = 7, .u.arr = many}};
    struct sub_val h3 = {0};
    CU_ASSERT_EQUAL_FATAL(sub_val_set(&h3, &all), UG_STATUS_GOOD);
    CU_ASSERT_TRUE(ug_datavalue_eq(&h3.dv, &all));
    const ug_variant *cm = h3.dv.value.u.arr;
    CU_ASSERT_PTR_NOT_EQUAL(cm[0].u.v.expanded, &en);
    CU_ASSERT_PTR_NOT_EQUAL(cm[2].u.v.diag->inner, &di_in);
    CU_ASSERT_PTR_NOT_EQUAL(cm[6].dims, dims);
    CU_ASSERT_TRUE(ug_bytes_eq(cm[2].u.v.diag->inner->additional_info, ug_string_from("in")));
    sub_val_clear(&h3);
    /* A DataValue without a value keeps no stale variant. */
    ug_datavalue novalue = {.mask = UG_DV_STATUS, .status = UG_STATUS_BADNOTREADABLE,
                            .value = ug_variant_scalar(UG_TYPE_DOUBLE)};
    CU_ASSERT_EQUAL(sub_val_set(&h3, &novalue), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(h3.dv.value.type, UG_TYPE_NULL);
    sub_val_clear(&h3);
    /* Nesting deeper than 16 is refused, the old value kept. */
    ug_variant chain[20];
    for (int i = 0; i < 20; i++) {
        chain[i] = ug_variant_scalar(UG_TYPE_VARIANT);
        chain[i].u.v.variant = i < 19 ? &chain[i + 1] : NULL;
    }
    chain[19] = ug_variant_scalar(UG_TYPE_INT32);
    ug_datavalue deep = {.mask = UG_DV_VALUE, .value = chain[0]};
    CU_ASSERT_EQUAL(sub_val_set(&h2, &deep), UG_STATUS_BADENCODINGLIMITSEXCEEDED);
    CU_ASSERT_EQUAL(h2.dv.value.u.v.f64, 1.5);
    sub_val_clear(&h);
    sub_val_clear(&h2);
}

static void test_many_items_one_timer(void)
{
    fx_setup();
    uint32_t sid = make_sub(100, 10, 100, 0, true);
    enum { N = 10000 };
    ug_MonitoredItemCreateRequest *items = calloc(N, sizeof *items);
    CU_ASSERT_PTR_NOT_NULL_FATAL(items);
    for (int i = 0; i < N; i++) {
        items[i].item_to_monitor.node_id = NID(1, i % 2 ? N_TEMP : N_PLAIN);
        items[i].item_to_monitor.attribute_id = 13;
        items[i].monitoring_mode = UG_MONITORING_MODE_REPORTING;
        items[i].requested_parameters.client_handle = (uint32_t)i;
        items[i].requested_parameters.sampling_interval = 100;
        items[i].requested_parameters.queue_size = 1;
    }
    ug_CreateMonitoredItemsRequest rq = {.subscription_id = sid, .timestamps_to_return = UG_TIMESTAMPS_TO_RETURN_BOTH,
                                         .items_to_create_len = N, .items_to_create = items};
    ug_CreateMonitoredItemsResponse rr = {0};
    struct ug_svc_ctx c = ctx_for(&session_a);
    CU_ASSERT_EQUAL(ug_svc_create_monitored_items(&c, &rq, &rr), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(rr.results_len, N);
    int bad = 0;
    for (int i = 0; i < N; i++)
        bad += rr.results[i].status_code != UG_STATUS_GOOD;
    CU_ASSERT_EQUAL(bad, 0);
    struct sub *s = sub_find(subs, sid);
    CU_ASSERT_EQUAL(s->n_items, N);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s->groups);
    CU_ASSERT_PTR_NULL(s->groups->next); /* one sampling timer for all */
    CU_ASSERT_EQUAL(s->groups->n, N);
    CU_ASSERT_EQUAL(s->ready_values, N);
    /* The initial values go out in messages of at most ~60 kB each. */
    struct fp f = {0};
    int32_t total = 0, msgs = 0;
    ug_status st = publish(&f);
    do {
        if (st == UG_STATUS_GOODCOMPLETESASYNCHRONOUSLY)
            run_until(&f.done, 2000);
        ug_DataChangeNotification *d = dcn_of(&f);
        CU_ASSERT_PTR_NOT_NULL_FATAL(d);
        CU_ASSERT(f.resp.notification_message.notification_data[0].body.len <= 65535);
        total += d->monitored_items_len;
        msgs++;
        if (!f.resp.more_notifications)
            break;
        st = publish(&f);
        CU_ASSERT_EQUAL(st, UG_STATUS_GOOD); /* more: answered at once */
    } while (msgs < 100);
    CU_ASSERT_EQUAL(total, N);
    CU_ASSERT(msgs >= 2);
    /* A write reaches the 5,000 items on that node through the hook. */
    CU_ASSERT_EQUAL(s->ready_values, 0);
    set_double(N_TEMP, 77);
    CU_ASSERT_EQUAL(s->ready_values, N / 2);
    fp_free(&f);
    free(items);
    fx_teardown();
}

static void add_node(ug_nodeid id, const char *name, uint32_t datatype, int32_t rank,
                     uint8_t access, const ug_datavalue *v)
{
    struct ug_add_node an = {0};
    an.requested_id = id;
    an.parent_id = NID(0, 85);
    an.reference_type_id = NID(0, 47);
    an.browse_name = (ug_qualified_name){1, ug_string_from(name)};
    an.node_class = UG_NC_VARIABLE;
    an.attrs.data_type = NID(0, datatype);
    an.attrs.value_rank = rank;
    an.attrs.value_rank_set = true;
    an.attrs.access_level = access;
    an.attrs.value = v;
    CU_ASSERT_EQUAL_FATAL(ug_aspace_add_node(as, &an, NULL), UG_STATUS_GOOD);
}

static void test_string_nodeid(void)
{
    fx_setup();
    ug_nodeid sid_node = {.ns = 1, .id_type = UG_ID_STRING, .id.string = ug_string_from("Pump 1/Speed")};
    ug_datavalue v = dv_double(3.0);
    add_node(sid_node, "Speed", 11, UG_VALUERANK_SCALAR, UG_ACCESS_READ, &v);
    uint32_t sid = make_sub(1000, 10, 100, 0, true);
    /* The request's strings die with the request: the item keeps copies. */
    char idbuf[16] = "Pump 1/Speed";
    ug_nodeid req_node = {.ns = 1, .id_type = UG_ID_STRING,
                          .id.string = {(const uint8_t *)idbuf, 12}};
    ug_MonitoredItemCreateResult r = make_item_f(sid, req_node, 13, UG_MONITORING_MODE_REPORTING, 1000, 4,
                                                 true, UG_TIMESTAMPS_TO_RETURN_BOTH, NULL);
    CU_ASSERT_EQUAL_FATAL(r.status_code, UG_STATUS_GOOD);
    memset(idbuf, 'x', sizeof idbuf);
    ug_datavalue w = dv_double(4.0);
    CU_ASSERT_EQUAL(ug_aspace_set_value(as, ug_aspace_get(as, &sid_node), &w), UG_STATUS_GOOD);
    run_until(NULL, 5);
    double vals[4];
    ug_status st[4];
    CU_ASSERT_EQUAL_FATAL(drain_item(item_of(sid, r.monitored_item_id), vals, st, 4), 2);
    CU_ASSERT_EQUAL(vals[0], 3.0);
    CU_ASSERT_EQUAL(vals[1], 4.0);
    /* Opaque ids too, with an index range and a data encoding kept. */
    static const uint8_t opaque[3] = {1, 2, 3};
    ug_nodeid on = {.ns = 1, .id_type = UG_ID_OPAQUE, .id.opaque = {opaque, 3}};
    add_node(on, "Opaque", 11, UG_VALUERANK_SCALAR, UG_ACCESS_READ, &v);
    struct ug_svc_ctx c = ctx_for(&session_a);
    ug_MonitoredItemCreateRequest item = {0};
    item.item_to_monitor.node_id = on;
    item.item_to_monitor.attribute_id = 13;
    item.item_to_monitor.data_encoding = (ug_qualified_name){0, ug_string_from("Default Binary")};
    item.monitoring_mode = UG_MONITORING_MODE_REPORTING;
    ug_CreateMonitoredItemsRequest rq = {.subscription_id = sid, .items_to_create_len = 1,
                                         .items_to_create = &item};
    ug_CreateMonitoredItemsResponse rr = {0};
    CU_ASSERT_EQUAL(ug_svc_create_monitored_items(&c, &rq, &rr), UG_STATUS_GOOD);
    struct sub_item *it = item_of(sid, rr.results[0].monitored_item_id);
    if (rr.results[0].status_code == UG_STATUS_GOOD && it) {
        CU_ASSERT_TRUE(ug_nodeid_eq(&it->rv.node_id, &on));
        CU_ASSERT_PTR_NOT_EQUAL(it->rv.node_id.id.opaque.data, opaque);
        CU_ASSERT_TRUE(ug_bytes_eq(it->rv.data_encoding.name, ug_string_from("Default Binary")));
    } else {
        CU_FAIL("opaque item not created");
    }
    fx_teardown();
}

static void test_deadband_types(void)
{
    fx_setup();
    uint32_t sid = make_sub(1000, 10, 100, 0, true);
    /* An Int32 array: reported when any element moves by more than 1.5. */
    int32_t a0[3] = {1, 2, 3};
    ug_datavalue av = {.mask = UG_DV_VALUE, .value = {.type = UG_TYPE_INT32, .array_len = 3, .u.arr = a0}};
    add_node(NID(1, 3001), "Arr", 6, 1, UG_ACCESS_READ | UG_ACCESS_WRITE, &av);
    ug_extension_object f = dcf(&farena, UG_DATA_CHANGE_TRIGGER_STATUS_VALUE, UG_DEADBAND_TYPE_ABSOLUTE, 1.5);
    ug_MonitoredItemCreateResult r = make_item_f(sid, NID(1, 3001), 13, UG_MONITORING_MODE_REPORTING, 1000, 10,
                                                 true, UG_TIMESTAMPS_TO_RETURN_BOTH, &f);
    CU_ASSERT_EQUAL_FATAL(r.status_code, UG_STATUS_GOOD);
    ug_nodeid an = NID(1, 3001);
    int32_t a1[3] = {2, 3, 4}, a2[3] = {1, 2, 6}, a3[2] = {1, 2};
    ug_datavalue w = av;
    w.value.u.arr = a1;
    ug_aspace_set_value(as, ug_aspace_get(as, &an), &w); /* each moved by 1: dropped */
    w.value.u.arr = a2;
    ug_aspace_set_value(as, ug_aspace_get(as, &an), &w); /* one by 3 from {1,2,3}: reported */
    w.value.u.arr = a3;
    w.value.array_len = 2;
    ug_aspace_set_value(as, ug_aspace_get(as, &an), &w); /* shape changed: reported */
    CU_ASSERT_EQUAL(item_of(sid, r.monitored_item_id)->q_len, 3);
    /* A Float scalar. */
    ug_datavalue fv = {.mask = UG_DV_VALUE, .value = ug_variant_scalar(UG_TYPE_FLOAT)};
    fv.value.u.v.f32 = 1.0f;
    add_node(NID(1, 3002), "Flt", 10, UG_VALUERANK_SCALAR, UG_ACCESS_READ, &fv);
    r = make_item_f(sid, NID(1, 3002), 13, UG_MONITORING_MODE_REPORTING, 1000, 10, true,
                    UG_TIMESTAMPS_TO_RETURN_BOTH, &f);
    CU_ASSERT_EQUAL_FATAL(r.status_code, UG_STATUS_GOOD);
    ug_nodeid fn = NID(1, 3002);
    fv.value.u.v.f32 = 2.0f;
    ug_aspace_set_value(as, ug_aspace_get(as, &fn), &fv);
    fv.value.u.v.f32 = 3.0f;
    ug_aspace_set_value(as, ug_aspace_get(as, &fn), &fv);
    CU_ASSERT_EQUAL(item_of(sid, r.monitored_item_id)->q_len, 2); /* 1, 3 */
    /* No value yet: the DataType (Int64 / String) decides. */
    add_node(NID(1, 3003), "I64", 8, UG_VALUERANK_SCALAR, UG_ACCESS_READ, NULL);
    add_node(NID(1, 3004), "Str", 12, UG_VALUERANK_SCALAR, UG_ACCESS_READ, NULL);
    CU_ASSERT_EQUAL(item_status(sid, 3003, 13, &f), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(item_status(sid, 3004, 13, &f), UG_STATUS_BADFILTERNOTALLOWED);
    fx_teardown();
}

static ug_status failing_read(void *c, const ug_node *n, ug_datavalue *out, ug_arena *a)
{
    (void)c, (void)n, (void)out, (void)a;
    return UG_STATUS_BADDEVICEFAILURE;
}

static void test_unreadable_values(void)
{
    fx_setup();
    uint32_t sid = make_sub(1000, 10, 100, 0, true);
    ug_datavalue v = dv_double(1.0);
    add_node(NID(1, 3005), "WriteOnly", 11, UG_VALUERANK_SCALAR, UG_ACCESS_WRITE, &v);
    /* Not readable: the item exists and reports the status. */
    ug_MonitoredItemCreateResult r = make_item(sid, 3005, 2, true);
    CU_ASSERT_EQUAL_FATAL(r.status_code, UG_STATUS_GOOD);
    ug_datavalue dv;
    CU_ASSERT_TRUE_FATAL(sub_item_pop(item_of(sid, r.monitored_item_id), &dv));
    CU_ASSERT_EQUAL(dv.status, UG_STATUS_BADNOTREADABLE);
    CU_ASSERT_FALSE(dv.mask & UG_DV_VALUE);
    /* A source that fails: its status is sampled like a value. */
    add_node(NID(1, 3006), "Broken", 11, UG_VALUERANK_SCALAR, UG_ACCESS_READ, NULL);
    ug_nodeid bn = NID(1, 3006);
    struct ug_value_callbacks cb = {.read = failing_read};
    ug_aspace_set_callbacks(as, ug_aspace_get(as, &bn), &cb);
    r = make_item_f(sid, bn, 13, UG_MONITORING_MODE_REPORTING, 2, 5, true, UG_TIMESTAMPS_TO_RETURN_BOTH, NULL);
    CU_ASSERT_EQUAL_FATAL(r.status_code, UG_STATUS_GOOD);
    run_until(NULL, 30);
    struct sub_item *it = item_of(sid, r.monitored_item_id);
    CU_ASSERT_EQUAL(it->q_len, 1); /* the same Bad status again is no change */
    CU_ASSERT_TRUE(sub_item_pop(it, &dv));
    CU_ASSERT_EQUAL(dv.status, UG_STATUS_BADDEVICEFAILURE);
    fx_teardown();
}

static CU_TestInfo tests[] = {
    {"string and opaque node ids", test_string_nodeid},
    {"deadband on arrays and other types", test_deadband_types},
    {"unreadable values", test_unreadable_values},
    {"create revises parameters", test_create_revises},
    {"create: bad input", test_create_bad_input},
    {"node minimum sampling interval", test_node_minimum_sampling},
    {"filter checks", test_filter_checks},
    {"absolute deadband", test_deadband_absolute},
    {"percent deadband", test_deadband_percent},
    {"triggers", test_triggers},
    {"queue: discard oldest", test_queue_discard_oldest},
    {"queue: discard newest", test_queue_discard_newest},
    {"queue of one", test_queue_size_one},
    {"monitoring modes", test_monitoring_mode},
    {"modify items", test_modify_items},
    {"delete items", test_delete_items},
    {"the watch among other change listeners", test_watch_with_other_listener},
    {"sampling a callback source", test_sampling_callback_source},
    {"timestamps to return", test_timestamps_to_return},
    {"value copies", test_value_copy},
    {"10,000 items, one timer", test_many_items_one_timer},
    CU_TEST_INFO_NULL,
};

int main(void) { return ug_test_main("monitored", tests); }
