/* Subscription services (Part 4 §5.13) through svc_subscription.c: revised
 * parameters, keep-alives, data changes, Republish and acknowledgements,
 * lifetime expiry, publishing mode, Publish queue limits, Transfer, random
 * operation sequences, and one run end to end through the real server and
 * client over 127.0.0.1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uagate/client.h"
#include "uagate/nodes.h"
#include "uagate/server.h"
#include "sub_fixture.h"

/* ---------------------------------------------------------------- tests -- */

static void test_create_revises(void)
{
    fx_setup();
    struct ug_svc_ctx c = ctx_for(&session_a);
    ug_CreateSubscriptionRequest req = {.requested_publishing_interval = 0,
                                        .requested_lifetime_count = 5,
                                        .requested_max_keep_alive_count = 0};
    ug_CreateSubscriptionResponse r1 = {0}, r2 = {0};
    CU_ASSERT_EQUAL(ug_svc_create_subscription(&c, &req, &r1), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(r1.revised_publishing_interval, 1.0);  /* the server minimum */
    CU_ASSERT_EQUAL(r1.revised_max_keep_alive_count, 10);  /* 0: the default */
    CU_ASSERT_EQUAL(r1.revised_lifetime_count, 30);        /* >= 3 x keep-alive */
    req.requested_publishing_interval = 0.0 / 0.0;         /* NaN */
    req.requested_max_keep_alive_count = 4;
    req.requested_lifetime_count = 100;
    CU_ASSERT_EQUAL(ug_svc_create_subscription(&c, &req, &r2), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(r2.revised_publishing_interval, 1.0);
    CU_ASSERT_EQUAL(r2.revised_max_keep_alive_count, 4);
    CU_ASSERT_EQUAL(r2.revised_lifetime_count, 100);
    CU_ASSERT_NOT_EQUAL(r1.subscription_id, r2.subscription_id);
    req.requested_publishing_interval = 1e12;
    req.requested_max_keep_alive_count = 1u << 30;
    CU_ASSERT_EQUAL(ug_svc_create_subscription(&c, &req, &r2), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(r2.revised_publishing_interval, SUB_MAX_INTERVAL_MS);
    CU_ASSERT_EQUAL(r2.revised_max_keep_alive_count, SUB_MAX_KEEPALIVE);
    /* Over the per-session limit. */
    ug_subs_limits(subs)->max_subscriptions_per_session = 3;
    CU_ASSERT_EQUAL(ug_svc_create_subscription(&c, &req, &r2), UG_STATUS_BADTOOMANYSUBSCRIPTIONS);
    fx_teardown();
}

static void test_no_session(void)
{
    fx_setup();
    struct ug_svc_ctx c = ctx_for(&session_a);
    c.session = NULL;
    ug_CreateSubscriptionRequest req = {0};
    ug_CreateSubscriptionResponse resp = {0};
    CU_ASSERT_EQUAL(ug_svc_create_subscription(&c, &req, &resp), UG_STATUS_BADSESSIONIDINVALID);
    ug_PublishRequest preq = {0};
    ug_PublishResponse presp = {0};
    CU_ASSERT_EQUAL(ug_svc_publish(&c, &preq, &presp), UG_STATUS_BADSESSIONIDINVALID);
    fx_teardown();
}

static void test_publish_without_subscription(void)
{
    fx_setup();
    struct fp f = {0};
    CU_ASSERT_EQUAL(publish(&f), UG_STATUS_BADNOSUBSCRIPTION);
    fp_free(&f);
    fx_teardown();
}

static void test_keepalive(void)
{
    fx_setup();
    uint32_t id = make_sub(20, 3, 100, 0, true);
    struct fp f = {0};
    /* The first message (a keep-alive) comes after the first cycle. */
    CU_ASSERT_EQUAL(publish(&f), UG_STATUS_GOODCOMPLETESASYNCHRONOUSLY);
    double ms = run_until(&f.done, 1000);
    CU_ASSERT_TRUE_FATAL(f.done);
    CU_ASSERT_EQUAL(f.result, UG_STATUS_GOOD);
    CU_ASSERT(ms < 200);
    CU_ASSERT_EQUAL(f.resp.subscription_id, id);
    CU_ASSERT_EQUAL(f.resp.notification_message.notification_data_len, 0);
    CU_ASSERT_EQUAL(f.resp.notification_message.sequence_number, 1);
    CU_ASSERT_FALSE(f.resp.more_notifications);
    /* The next keep-alive only after maxKeepAliveCount (3) cycles. */
    CU_ASSERT_EQUAL(publish(&f), UG_STATUS_GOODCOMPLETESASYNCHRONOUSLY);
    ms = run_until(&f.done, 1000);
    CU_ASSERT_TRUE_FATAL(f.done);
    CU_ASSERT(ms >= 45);
    CU_ASSERT_EQUAL(f.resp.notification_message.notification_data_len, 0);
    /* A keep-alive does not consume its sequence number. */
    CU_ASSERT_EQUAL(f.resp.notification_message.sequence_number, 1);
    CU_ASSERT_EQUAL(f.resp.available_sequence_numbers_len, 0);
    fp_free(&f);
    fx_teardown();
}

static void test_data_change_once(void)
{
    fx_setup();
    uint32_t id = make_sub(10, 5, 100, 0, true);
    ug_MonitoredItemCreateResult r = make_item(id, N_TEMP, 1, true);
    CU_ASSERT_EQUAL(r.status_code, UG_STATUS_GOOD);
    struct fp f = {0};
    /* The initial value is already queued: the first cycle sends it. */
    CU_ASSERT_EQUAL(publish(&f), UG_STATUS_GOODCOMPLETESASYNCHRONOUSLY);
    run_until(&f.done, 1000);
    ug_DataChangeNotification *d = dcn_of(&f);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL_FATAL(d->monitored_items_len, 1);
    CU_ASSERT_EQUAL(d->monitored_items[0].client_handle, 100 + N_TEMP);
    CU_ASSERT_EQUAL(d->monitored_items[0].value.value.u.v.f64, 20.0);
    CU_ASSERT_EQUAL(f.resp.notification_message.sequence_number, 1);
    CU_ASSERT_EQUAL(f.resp.available_sequence_numbers_len, 1);
    /* A write is reported once. */
    set_double(N_TEMP, 21.5);
    CU_ASSERT_EQUAL(publish(&f), UG_STATUS_GOODCOMPLETESASYNCHRONOUSLY);
    run_until(&f.done, 1000);
    d = dcn_of(&f);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL_FATAL(d->monitored_items_len, 1);
    CU_ASSERT_EQUAL(d->monitored_items[0].value.value.u.v.f64, 21.5);
    CU_ASSERT_EQUAL(f.resp.notification_message.sequence_number, 2);
    /* Nothing changed since: the next answer is a keep-alive. */
    CU_ASSERT_EQUAL(publish(&f), UG_STATUS_GOODCOMPLETESASYNCHRONOUSLY);
    run_until(&f.done, 1000);
    CU_ASSERT_TRUE(f.done);
    CU_ASSERT_EQUAL(f.resp.notification_message.notification_data_len, 0);
    CU_ASSERT_EQUAL(f.resp.notification_message.sequence_number, 3);
    fp_free(&f);
    fx_teardown();
}

static void test_republish_and_acks(void)
{
    fx_setup();
    uint32_t id = make_sub(10, 5, 100, 0, true);
    make_item(id, N_TEMP, 1, true);
    struct fp f = {0};
    publish(&f);
    run_until(&f.done, 1000);
    uint32_t seq = f.resp.notification_message.sequence_number;
    CU_ASSERT_EQUAL_FATAL(f.resp.notification_message.notification_data_len, 1);
    /* Republish gives the same message back. */
    struct ug_svc_ctx c = ctx_for(&session_a);
    ug_RepublishRequest rq = {.subscription_id = id, .retransmit_sequence_number = seq};
    ug_RepublishResponse rr = {0};
    CU_ASSERT_EQUAL(ug_svc_republish(&c, &rq, &rr), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(rr.notification_message.sequence_number, seq);
    CU_ASSERT_EQUAL_FATAL(rr.notification_message.notification_data_len, 1);
    CU_ASSERT_TRUE(ug_bytes_eq(rr.notification_message.notification_data[0].body,
                               f.resp.notification_message.notification_data[0].body));
    rq.retransmit_sequence_number = seq + 7;
    CU_ASSERT_EQUAL(ug_svc_republish(&c, &rq, &rr), UG_STATUS_BADMESSAGENOTAVAILABLE);
    rq.subscription_id = id + 1000;
    CU_ASSERT_EQUAL(ug_svc_republish(&c, &rq, &rr), UG_STATUS_BADSUBSCRIPTIONIDINVALID);
    /* Acknowledge it (plus an unknown sequence and subscription). */
    ug_SubscriptionAcknowledgement acks[3] = {
        {.subscription_id = id, .sequence_number = seq},
        {.subscription_id = id, .sequence_number = seq + 9},
        {.subscription_id = id + 1000, .sequence_number = seq},
    };
    CU_ASSERT_EQUAL(publish_on(&session_a, &f, 3, acks), UG_STATUS_GOODCOMPLETESASYNCHRONOUSLY);
    CU_ASSERT_EQUAL_FATAL(f.resp.results_len, 3);
    CU_ASSERT_EQUAL(f.resp.results[0], UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(f.resp.results[1], UG_STATUS_BADSEQUENCENUMBERUNKNOWN);
    CU_ASSERT_EQUAL(f.resp.results[2], UG_STATUS_BADSUBSCRIPTIONIDINVALID);
    run_until(&f.done, 1000);
    CU_ASSERT_EQUAL(f.resp.available_sequence_numbers_len, 0);
    rq.subscription_id = id;
    rq.retransmit_sequence_number = seq;
    c = ctx_for(&session_a);
    CU_ASSERT_EQUAL(ug_svc_republish(&c, &rq, &rr), UG_STATUS_BADMESSAGENOTAVAILABLE);
    /* A second acknowledgement of the same message is unknown. */
    CU_ASSERT_EQUAL(publish_on(&session_a, &f, 1, acks), UG_STATUS_GOODCOMPLETESASYNCHRONOUSLY);
    CU_ASSERT_EQUAL(f.resp.results[0], UG_STATUS_BADSEQUENCENUMBERUNKNOWN);
    run_until(&f.done, 1000);
    fp_free(&f);
    fx_teardown();
}

static void test_lifetime_expiry(void)
{
    fx_setup();
    uint32_t id = make_sub(5, 1, 3, 0, true);
    make_item(id, N_TEMP, 1, true);
    /* No Publish for 3 cycles: the subscription closes. */
    run_until(NULL, 60);
    struct ug_svc_ctx c = ctx_for(&session_a);
    ug_DeleteSubscriptionsRequest dq = {.subscription_ids_len = 1, .subscription_ids = &id};
    ug_DeleteSubscriptionsResponse dr = {0};
    CU_ASSERT_EQUAL(ug_svc_delete_subscriptions(&c, &dq, &dr), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(dr.results[0], UG_STATUS_BADSUBSCRIPTIONIDINVALID);
    /* The next Publish carries StatusChangeNotification BadTimeout. */
    struct fp f = {0};
    CU_ASSERT_EQUAL(publish(&f), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(f.resp.subscription_id, id);
    CU_ASSERT_EQUAL_FATAL(f.resp.notification_message.notification_data_len, 1);
    const ug_type_desc *d;
    void *out;
    CU_ASSERT_EQUAL_FATAL(ug_eo_decode(&f.resp.notification_message.notification_data[0], NULL, &d,
                                       &out, NULL, &f.arena),
                          UG_STATUS_GOOD);
    CU_ASSERT_PTR_EQUAL(d, &ug_desc_StatusChangeNotification);
    CU_ASSERT_EQUAL(((ug_StatusChangeNotification *)out)->status, UG_STATUS_BADTIMEOUT);
    /* ... and then it is gone. */
    CU_ASSERT_EQUAL(publish(&f), UG_STATUS_BADNOSUBSCRIPTION);
    fp_free(&f);
    fx_teardown();
}

static void test_publish_resets_lifetime(void)
{
    fx_setup();
    uint32_t id = make_sub(5, 1, 3, 0, true);
    struct fp f = {0};
    /* With Publish requests coming, the subscription lives past its
     * lifetime many times over. */
    for (int i = 0; i < 8; i++) {
        CU_ASSERT_EQUAL(publish(&f), UG_STATUS_GOODCOMPLETESASYNCHRONOUSLY);
        run_until(&f.done, 1000);
        CU_ASSERT_EQUAL(f.resp.subscription_id, id);
        CU_ASSERT_EQUAL(f.resp.notification_message.notification_data_len, 0);
    }
    fp_free(&f);
    fx_teardown();
}

static void test_publishing_mode(void)
{
    fx_setup();
    uint32_t id = make_sub(10, 2, 100, 0, true);
    make_item(id, N_TEMP, 1, true);
    struct ug_svc_ctx c = ctx_for(&session_a);
    uint32_t ids[2] = {id, id + 1000};
    ug_SetPublishingModeRequest rq = {.publishing_enabled = false, .subscription_ids_len = 2,
                                      .subscription_ids = ids};
    ug_SetPublishingModeResponse rr = {0};
    CU_ASSERT_EQUAL(ug_svc_set_publishing_mode(&c, &rq, &rr), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(rr.results_len, 2);
    CU_ASSERT_EQUAL(rr.results[0], UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(rr.results[1], UG_STATUS_BADSUBSCRIPTIONIDINVALID);
    rq.subscription_ids_len = 0;
    CU_ASSERT_EQUAL(ug_svc_set_publishing_mode(&c, &rq, &rr), UG_STATUS_BADNOTHINGTODO);
    /* Disabled: the queued initial value is not sent; keep-alives are. */
    struct fp f = {0};
    for (int i = 0; i < 2; i++) {
        CU_ASSERT_EQUAL(publish(&f), UG_STATUS_GOODCOMPLETESASYNCHRONOUSLY);
        run_until(&f.done, 1000);
        CU_ASSERT_TRUE(f.done);
        CU_ASSERT_EQUAL(f.resp.notification_message.notification_data_len, 0);
    }
    /* Enabled again: the value goes out. */
    rq.publishing_enabled = true;
    rq.subscription_ids_len = 1;
    c = ctx_for(&session_a);
    CU_ASSERT_EQUAL(ug_svc_set_publishing_mode(&c, &rq, &rr), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(publish(&f), UG_STATUS_GOODCOMPLETESASYNCHRONOUSLY);
    run_until(&f.done, 1000);
    ug_DataChangeNotification *d = dcn_of(&f);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->monitored_items_len, 1);
    fp_free(&f);
    fx_teardown();
}

static void test_too_many_publish_requests(void)
{
    fx_setup();
    make_sub(1000, 10, 100, 0, true);
    uint32_t cap = ug_subs_limits(subs)->max_publish_requests;
    struct fp *f = calloc(cap + 1, sizeof *f);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    for (uint32_t i = 0; i < cap; i++)
        CU_ASSERT_EQUAL(publish(&f[i]), UG_STATUS_GOODCOMPLETESASYNCHRONOUSLY);
    CU_ASSERT_FALSE(f[0].done);
    /* One more: the oldest is answered with BadTooManyPublishRequests, the
     * new one queued (Part 4 §5.13.5). */
    CU_ASSERT_EQUAL(publish(&f[cap]), UG_STATUS_GOODCOMPLETESASYNCHRONOUSLY);
    CU_ASSERT_TRUE(f[0].done);
    CU_ASSERT_EQUAL(f[0].result, UG_STATUS_BADTOOMANYPUBLISHREQUESTS);
    CU_ASSERT_EQUAL(f[0].finished, 1);
    /* Closing the session answers the queued ones with BadSessionClosed. */
    ug_subs_free(subs);
    subs = NULL;
    for (uint32_t i = 1; i <= cap; i++) {
        CU_ASSERT_EQUAL(f[i].finished, 1);
        CU_ASSERT_EQUAL(f[i].result, UG_STATUS_BADSESSIONCLOSED);
    }
    for (uint32_t i = 0; i <= cap; i++)
        fp_free(&f[i]);
    free(f);
    fx_teardown();
}

static void test_delete_subscriptions(void)
{
    fx_setup();
    uint32_t a = make_sub(1000, 10, 100, 0, true);
    uint32_t b = make_sub(1000, 10, 100, 0, true);
    make_item(a, N_TEMP, 1, true);
    struct fp f = {0};
    CU_ASSERT_EQUAL(publish(&f), UG_STATUS_GOODCOMPLETESASYNCHRONOUSLY);
    struct ug_svc_ctx c = ctx_for(&session_a);
    uint32_t ids[3] = {a, 999999, b};
    ug_DeleteSubscriptionsRequest rq = {.subscription_ids_len = 3, .subscription_ids = ids};
    ug_DeleteSubscriptionsResponse rr = {0};
    CU_ASSERT_EQUAL(ug_svc_delete_subscriptions(&c, &rq, &rr), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(rr.results_len, 3);
    CU_ASSERT_EQUAL(rr.results[0], UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(rr.results[1], UG_STATUS_BADSUBSCRIPTIONIDINVALID);
    CU_ASSERT_EQUAL(rr.results[2], UG_STATUS_GOOD);
    /* The last one gone: the queued Publish gets BadNoSubscription. */
    CU_ASSERT_TRUE(f.done);
    CU_ASSERT_EQUAL(f.result, UG_STATUS_BADNOSUBSCRIPTION);
    rq.subscription_ids_len = 0;
    CU_ASSERT_EQUAL(ug_svc_delete_subscriptions(&c, &rq, &rr), UG_STATUS_BADNOTHINGTODO);
    fp_free(&f);
    fx_teardown();
}

static void test_modify_subscription(void)
{
    fx_setup();
    uint32_t id = make_sub(1000, 10, 100, 0, true);
    struct ug_svc_ctx c = ctx_for(&session_a);
    ug_ModifySubscriptionRequest rq = {.subscription_id = id, .requested_publishing_interval = 10,
                                       .requested_lifetime_count = 2,
                                       .requested_max_keep_alive_count = 2};
    ug_ModifySubscriptionResponse rr = {0};
    CU_ASSERT_EQUAL(ug_svc_modify_subscription(&c, &rq, &rr), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(rr.revised_publishing_interval, 10);
    CU_ASSERT_EQUAL(rr.revised_max_keep_alive_count, 2);
    CU_ASSERT_EQUAL(rr.revised_lifetime_count, 6);
    /* The new interval is in force: the first message comes within ms. */
    struct fp f = {0};
    publish(&f);
    double ms = run_until(&f.done, 2000);
    CU_ASSERT_TRUE(f.done);
    CU_ASSERT(ms < 500);
    rq.subscription_id = id + 1000;
    CU_ASSERT_EQUAL(ug_svc_modify_subscription(&c, &rq, &rr), UG_STATUS_BADSUBSCRIPTIONIDINVALID);
    fp_free(&f);
    fx_teardown();
}

static void test_more_notifications(void)
{
    fx_setup();
    uint32_t id = make_sub(10, 10, 100, 2, true); /* at most 2 per message */
    make_item(id, N_TEMP, 1, true);
    make_item(id, N_PLAIN, 1, true);
    make_item(id, N_NAME, 1, true);
    struct fp f = {0};
    publish(&f);
    run_until(&f.done, 1000);
    ug_DataChangeNotification *d = dcn_of(&f);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->monitored_items_len, 2);
    CU_ASSERT_TRUE(f.resp.more_notifications);
    /* The rest is due at once: answered synchronously. */
    CU_ASSERT_EQUAL(publish(&f), UG_STATUS_GOOD);
    d = dcn_of(&f);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->monitored_items_len, 1);
    CU_ASSERT_FALSE(f.resp.more_notifications);
    CU_ASSERT_EQUAL(f.resp.notification_message.sequence_number, 2);
    CU_ASSERT_EQUAL(f.resp.available_sequence_numbers_len, 2);
    fp_free(&f);
    fx_teardown();
}

static void test_message_size_bound(void)
{
    fx_setup();
    static char big[10000];
    memset(big, 'x', sizeof big);
    ug_nodeid nn = NID(1, N_NAME);
    ug_datavalue dv = {.mask = UG_DV_VALUE, .value = ug_variant_scalar(UG_TYPE_STRING)};
    dv.value.u.v.string = (ug_string){(const uint8_t *)big, (int32_t)sizeof big};
    CU_ASSERT_EQUAL(ug_aspace_set_value(as, ug_aspace_get(as, &nn), &dv), UG_STATUS_GOOD);
    uint32_t id = make_sub(10, 10, 100, 0, true);
    for (int i = 0; i < 8; i++)
        CU_ASSERT_EQUAL(make_item(id, N_NAME, 1, true).status_code, UG_STATUS_GOOD);
    /* 8 x 10 kB: over the size of one DataChangeNotification, so two
     * messages, each body under 64 KiB. */
    struct fp f = {0};
    publish(&f);
    run_until(&f.done, 1000);
    ug_DataChangeNotification *d = dcn_of(&f);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    int32_t first = d->monitored_items_len;
    CU_ASSERT(first >= 1 && first < 8);
    CU_ASSERT(f.resp.notification_message.notification_data[0].body.len <= 65535);
    CU_ASSERT_TRUE(f.resp.more_notifications);
    CU_ASSERT_EQUAL(publish(&f), UG_STATUS_GOOD);
    d = dcn_of(&f);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(first + d->monitored_items_len, 8);
    CU_ASSERT_FALSE(f.resp.more_notifications);
    /* A single value over the bound still goes, alone. */
    static char huge[70000];
    memset(huge, 'y', sizeof huge);
    dv.value.u.v.string = (ug_string){(const uint8_t *)huge, (int32_t)sizeof huge};
    CU_ASSERT_EQUAL(ug_aspace_set_value(as, ug_aspace_get(as, &nn), &dv), UG_STATUS_GOOD);
    for (int i = 0; i < 8; i++) {
        if (publish(&f) == UG_STATUS_GOODCOMPLETESASYNCHRONOUSLY)
            run_until(&f.done, 1000);
        /* (too long for ug_limits_default to decode: look at the size) */
        CU_ASSERT_EQUAL_FATAL(f.resp.notification_message.notification_data_len, 1);
        int32_t len = f.resp.notification_message.notification_data[0].body.len;
        CU_ASSERT(len > 70000 && len < 70100);
        CU_ASSERT_EQUAL(f.resp.more_notifications, i < 7);
    }
    fp_free(&f);
    fx_teardown();
}

static void test_transfer(void)
{
    fx_setup();
    uint32_t id = make_sub(10, 10, 100, 0, true);
    make_item(id, N_TEMP, 1, true);
    struct fp old = {0}, old2 = {0}, f = {0};
    CU_ASSERT_EQUAL(publish(&old), UG_STATUS_GOODCOMPLETESASYNCHRONOUSLY);
    CU_ASSERT_EQUAL(publish(&old2), UG_STATUS_GOODCOMPLETESASYNCHRONOUSLY);
    struct ug_svc_ctx c = ctx_for(&session_b);
    uint32_t ids[2] = {id, 424242};
    ug_TransferSubscriptionsRequest rq = {.subscription_ids_len = 2, .subscription_ids = ids,
                                          .send_initial_values = true};
    ug_TransferSubscriptionsResponse rr = {0};
    CU_ASSERT_EQUAL(ug_svc_transfer_subscriptions(&c, &rq, &rr), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(rr.results_len, 2);
    CU_ASSERT_EQUAL(rr.results[0].status_code, UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(rr.results[1].status_code, UG_STATUS_BADSUBSCRIPTIONIDINVALID);
    /* The old session hears GoodSubscriptionTransferred at once. */
    CU_ASSERT_TRUE_FATAL(old.done);
    CU_ASSERT_EQUAL(old.result, UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(old.resp.notification_message.notification_data_len, 1);
    const ug_type_desc *d;
    void *out;
    CU_ASSERT_EQUAL_FATAL(ug_eo_decode(&old.resp.notification_message.notification_data[0], NULL,
                                       &d, &out, NULL, &old.arena),
                          UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(((ug_StatusChangeNotification *)out)->status,
                    UG_STATUS_GOODSUBSCRIPTIONTRANSFERRED);
    /* Nothing left in the old session: its other Publish is let go. */
    CU_ASSERT_TRUE(old2.done);
    CU_ASSERT_EQUAL(old2.result, UG_STATUS_BADNOSUBSCRIPTION);
    CU_ASSERT_EQUAL(publish_on(&session_a, &old, 0, NULL), UG_STATUS_BADNOSUBSCRIPTION);
    /* The new session gets its data (initial values sent again). */
    CU_ASSERT_EQUAL(publish_on(&session_b, &f, 0, NULL), UG_STATUS_GOODCOMPLETESASYNCHRONOUSLY);
    run_until(&f.done, 1000);
    CU_ASSERT_EQUAL(f.resp.subscription_id, id);
    ug_DataChangeNotification *dc = dcn_of(&f);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dc);
    CU_ASSERT_EQUAL(dc->monitored_items_len, 1);
    rq.subscription_ids_len = 0;
    CU_ASSERT_EQUAL(ug_svc_transfer_subscriptions(&c, &rq, &rr), UG_STATUS_BADNOTHINGTODO);
    fp_free(&f);
    fp_free(&old);
    fp_free(&old2);
    fx_teardown();
}

static void test_orphaned_publish_skipped(void)
{
    fx_setup();
    make_sub(10, 10, 100, 0, true);
    struct fp a = {0}, b = {0};
    publish(&a);
    publish(&b);
    a.orphaned = true; /* its channel closed */
    run_until(&b.done, 1000);
    CU_ASSERT_TRUE(b.done);
    CU_ASSERT_EQUAL(b.result, UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(a.finished, 1); /* recycled, never answered with data */
    CU_ASSERT_EQUAL(a.resp.subscription_id, 0);
    fp_free(&a);
    fp_free(&b);
    fx_teardown();
}

static void test_priority(void)
{
    fx_setup();
    struct ug_svc_ctx c = ctx_for(&session_a);
    ug_CreateSubscriptionRequest req = {.requested_publishing_interval = 5,
                                        .requested_max_keep_alive_count = 1,
                                        .requested_lifetime_count = 1000,
                                        .publishing_enabled = true, .priority = 1};
    ug_CreateSubscriptionResponse lo = {0}, hi = {0};
    CU_ASSERT_EQUAL(ug_svc_create_subscription(&c, &req, &lo), UG_STATUS_GOOD);
    req.priority = 200;
    CU_ASSERT_EQUAL(ug_svc_create_subscription(&c, &req, &hi), UG_STATUS_GOOD);
    /* Both go late without Publish requests; the higher priority is served
     * first, then the other. */
    run_until(NULL, 40);
    struct fp f = {0};
    CU_ASSERT_EQUAL(publish(&f), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(f.resp.subscription_id, hi.subscription_id);
    CU_ASSERT_EQUAL(publish(&f), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(f.resp.subscription_id, lo.subscription_id);
    /* Neither is late now: the next one waits. */
    CU_ASSERT_EQUAL(publish(&f), UG_STATUS_GOODCOMPLETESASYNCHRONOUSLY);
    run_until(&f.done, 1000);
    CU_ASSERT_TRUE(f.done);
    fp_free(&f);
    fx_teardown();
}

/* The bookkeeping every operation must keep: ready_values counts the
 * queued values of Reporting items, the ready list holds exactly the
 * Reporting items with values, every item sits in one sampling group. */
static int check_invariants(struct ug_subs *ss)
{
    int bad = 0;
    for (struct sub *s = ss ? ss->subs : NULL; s; s = s->next) {
        uint32_t ready = 0, n = 0, grouped = 0, linked = 0;
        for (uint32_t i = 0; i < s->items_cap; i++) {
            struct sub_item *it = s->items[i];
            if (!it)
                continue;
            n++;
            if (it->mode == UG_MONITORING_MODE_REPORTING)
                ready += it->q_len;
            bad += it->in_ready != (it->mode == UG_MONITORING_MODE_REPORTING && it->q_len > 0);
            bad += it->q_len > it->q_cap;
            bad += it->id != i + 1;
        }
        for (struct sub_item *it = s->ready_head; it; it = it->ready_next)
            linked++;
        for (struct sub_group *g = s->groups; g; g = g->next) {
            grouped += g->n;
            for (uint32_t i = 0; i < g->n; i++)
                bad += g->items[i]->group != g || g->items[i]->group_idx != i;
        }
        bad += ready != s->ready_values;
        bad += n != s->n_items;
        bad += grouped != n;
        bad += linked > n;
    }
    return bad;
}

static uint32_t rnd_state = 12345;
static uint32_t rnd(uint32_t n)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return (rnd_state >> 8) % n;
}

/* Thousands of random service calls on two sessions with the loop turning:
 * no crash (run it under ASan), invariants kept, every queued Publish
 * answered exactly once. */
static void test_random_operations(void)
{
    fx_setup();
    ug_subs_limits(subs2)->min_publishing_interval_ms = 1;
    ug_subs_limits(subs2)->min_sampling_interval_ms = 1;
    enum { NFP = 8 };
    static struct fp fps[NFP];
    memset(fps, 0, sizeof fps);
    for (int i = 0; i < NFP; i++)
        fps[i].done = true;
    uint32_t ids[16] = {0};
    static const uint32_t nodes[5] = {N_TEMP, N_PLAIN, N_NAME, N_COUNTER, 4711};
    int bad = 0;
    for (int step = 0; step < 4000; step++) {
        int *sess = rnd(2) ? &session_a : &session_b;
        struct ug_svc_ctx c = ctx_for(sess);
        uint32_t sid = ids[rnd(16)] + (rnd(10) == 0);
        switch (rnd(13)) {
        case 0: {
            ug_CreateSubscriptionRequest rq = {.requested_publishing_interval = 1 + rnd(20),
                                               .requested_lifetime_count = rnd(20),
                                               .requested_max_keep_alive_count = rnd(5),
                                               .max_notifications_per_publish = rnd(4),
                                               .publishing_enabled = rnd(4) != 0,
                                               .priority = (uint8_t)rnd(3)};
            ug_CreateSubscriptionResponse rr = {0};
            if (ug_svc_create_subscription(&c, &rq, &rr) == UG_STATUS_GOOD)
                ids[rnd(16)] = rr.subscription_id;
            break;
        }
        case 1: {
            ug_DeleteSubscriptionsRequest rq = {.subscription_ids_len = 1, .subscription_ids = &sid};
            ug_DeleteSubscriptionsResponse rr = {0};
            ug_svc_delete_subscriptions(&c, &rq, &rr);
            break;
        }
        case 2: {
            ug_ModifySubscriptionRequest rq = {.subscription_id = sid,
                                               .requested_publishing_interval = rnd(30) - 5.0,
                                               .requested_lifetime_count = rnd(30),
                                               .requested_max_keep_alive_count = rnd(4),
                                               .max_notifications_per_publish = rnd(3)};
            ug_ModifySubscriptionResponse rr = {0};
            ug_svc_modify_subscription(&c, &rq, &rr);
            break;
        }
        case 3: {
            ug_SetPublishingModeRequest rq = {.publishing_enabled = rnd(2), .subscription_ids_len = 1,
                                              .subscription_ids = &sid};
            ug_SetPublishingModeResponse rr = {0};
            ug_svc_set_publishing_mode(&c, &rq, &rr);
            break;
        }
        case 4: {
            ug_MonitoredItemCreateRequest it[3] = {0};
            ug_extension_object f[3];
            for (int i = 0; i < 3; i++) {
                it[i].item_to_monitor.node_id = NID(1, nodes[rnd(5)]);
                it[i].item_to_monitor.attribute_id = rnd(8) ? 13 : 1 + rnd(30);
                it[i].monitoring_mode = (int32_t)rnd(4);
                it[i].requested_parameters.sampling_interval = rnd(25) - 2.0;
                it[i].requested_parameters.queue_size = rnd(5);
                it[i].requested_parameters.discard_oldest = rnd(2);
                if (rnd(3) == 0) {
                    ug_DataChangeFilter df = {.trigger = (int32_t)rnd(4), .deadband_type = rnd(4),
                                              .deadband_value = rnd(5)};
                    if (ug_eo_encode(&f[i], &ug_desc_DataChangeFilter, &df, &arena) == UG_STATUS_GOOD)
                        it[i].requested_parameters.filter = f[i];
                }
            }
            ug_CreateMonitoredItemsRequest rq = {.subscription_id = sid,
                                                 .timestamps_to_return = (int32_t)rnd(5),
                                                 .items_to_create_len = 1 + (int32_t)rnd(3),
                                                 .items_to_create = it};
            ug_CreateMonitoredItemsResponse rr = {0};
            ug_svc_create_monitored_items(&c, &rq, &rr);
            break;
        }
        case 5: {
            ug_MonitoredItemModifyRequest m = {.monitored_item_id = 1 + rnd(8)};
            m.requested_parameters.sampling_interval = rnd(25) - 2.0;
            m.requested_parameters.queue_size = rnd(5);
            m.requested_parameters.discard_oldest = rnd(2);
            ug_ModifyMonitoredItemsRequest rq = {.subscription_id = sid,
                                                 .timestamps_to_return = (int32_t)rnd(4),
                                                 .items_to_modify_len = 1, .items_to_modify = &m};
            ug_ModifyMonitoredItemsResponse rr = {0};
            ug_svc_modify_monitored_items(&c, &rq, &rr);
            break;
        }
        case 6: {
            uint32_t mid = 1 + rnd(8);
            ug_SetMonitoringModeRequest rq = {.subscription_id = sid, .monitoring_mode = (int32_t)rnd(3),
                                              .monitored_item_ids_len = 1, .monitored_item_ids = &mid};
            ug_SetMonitoringModeResponse rr = {0};
            ug_svc_set_monitoring_mode(&c, &rq, &rr);
            break;
        }
        case 7: {
            uint32_t mid = 1 + rnd(8);
            ug_DeleteMonitoredItemsRequest rq = {.subscription_id = sid, .monitored_item_ids_len = 1,
                                                 .monitored_item_ids = &mid};
            ug_DeleteMonitoredItemsResponse rr = {0};
            ug_svc_delete_monitored_items(&c, &rq, &rr);
            break;
        }
        case 8: {
            struct fp *f = &fps[rnd(NFP)];
            if (!f->done)
                break;
            ug_SubscriptionAcknowledgement ack = {.subscription_id = sid, .sequence_number = rnd(12)};
            publish_on(sess, f, (int32_t)rnd(2), &ack);
            break;
        }
        case 9: {
            ug_RepublishRequest rq = {.subscription_id = sid, .retransmit_sequence_number = rnd(12)};
            ug_RepublishResponse rr = {0};
            ug_svc_republish(&c, &rq, &rr);
            break;
        }
        case 10:
            set_double(rnd(2) ? N_TEMP : N_PLAIN, rnd(50));
            break;
        case 11:
            ug_loop_run_once(loop, rnd(4) == 0);
            break;
        case 12: {
            ug_TransferSubscriptionsRequest rq = {.subscription_ids_len = 1, .subscription_ids = &sid,
                                                  .send_initial_values = rnd(2)};
            ug_TransferSubscriptionsResponse rr = {0};
            ug_svc_transfer_subscriptions(&c, &rq, &rr);
            break;
        }
        }
        bad += check_invariants(subs) + check_invariants(subs2);
    }
    CU_ASSERT_EQUAL(bad, 0);
    fx_teardown(); /* answers what is still queued */
    for (int i = 0; i < NFP; i++) {
        CU_ASSERT_TRUE(fps[i].done);
        CU_ASSERT(fps[i].finished <= 1);
        fp_free(&fps[i]);
    }
}

static void test_retransmission_queue(void)
{
    fx_setup();
    ug_subs_limits(subs)->max_publish_requests = 2; /* retransmission queue: 16 */
    uint32_t id = make_sub(1, 100, 1000, 0, true);
    make_item(id, N_TEMP, 1, true);
    struct fp f = {0};
    for (int i = 0; i < 18; i++) {
        set_double(N_TEMP, 100 + i);
        if (publish(&f) == UG_STATUS_GOODCOMPLETESASYNCHRONOUSLY)
            run_until(&f.done, 1000);
        CU_ASSERT_EQUAL(f.resp.notification_message.notification_data_len, 1);
    }
    /* 18 messages sent, none acknowledged: the 16 newest are kept. */
    CU_ASSERT_EQUAL_FATAL(f.resp.available_sequence_numbers_len, 16);
    CU_ASSERT_EQUAL(f.resp.available_sequence_numbers[0], 3);
    CU_ASSERT_EQUAL(f.resp.available_sequence_numbers[15], 18);
    struct ug_svc_ctx c = ctx_for(&session_a);
    ug_RepublishRequest rq = {.subscription_id = id, .retransmit_sequence_number = 2};
    ug_RepublishResponse rr = {0};
    CU_ASSERT_EQUAL(ug_svc_republish(&c, &rq, &rr), UG_STATUS_BADMESSAGENOTAVAILABLE);
    rq.retransmit_sequence_number = 3;
    CU_ASSERT_EQUAL(ug_svc_republish(&c, &rq, &rr), UG_STATUS_GOOD);
    /* Acknowledge from the middle and the end. */
    ug_SubscriptionAcknowledgement acks[2] = {{id, 10}, {id, 18}};
    publish_on(&session_a, &f, 2, acks);
    CU_ASSERT_EQUAL(f.resp.results[0], UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(f.resp.results[1], UG_STATUS_GOOD);
    run_until(&f.done, 1000);
    CU_ASSERT_EQUAL_FATAL(f.resp.available_sequence_numbers_len, 14);
    CU_ASSERT_EQUAL(f.resp.available_sequence_numbers[13], 17);
    /* A later message goes after the acknowledged tail. */
    set_double(N_TEMP, 5);
    publish(&f);
    run_until(&f.done, 1000);
    CU_ASSERT_EQUAL_FATAL(f.resp.available_sequence_numbers_len, 15);
    CU_ASSERT_EQUAL(f.resp.available_sequence_numbers[14], 19);
    fp_free(&f);
    fx_teardown();
}

static void test_request_bounds(void)
{
    fx_setup();
    make_sub(1000, 10, 100, 0, true);
    struct ug_svc_ctx c = ctx_for(&session_a);
    /* Lengths over the bound are refused before anything is read. */
    ug_DeleteSubscriptionsRequest dq = {.subscription_ids_len = 1 << 24};
    ug_DeleteSubscriptionsResponse dr = {0};
    CU_ASSERT_EQUAL(ug_svc_delete_subscriptions(&c, &dq, &dr), UG_STATUS_BADTOOMANYOPERATIONS);
    ug_SetPublishingModeRequest sq = {.subscription_ids_len = -1};
    ug_SetPublishingModeResponse sr = {0};
    CU_ASSERT_EQUAL(ug_svc_set_publishing_mode(&c, &sq, &sr), UG_STATUS_BADNOTHINGTODO);
    struct fp f = {0};
    fp_reset(&f);
    c.arena = &f.arena;
    c.pending = (ug_svc_pending *)&f;
    ug_PublishRequest pq = {.subscription_acknowledgements_len = 1 << 24};
    CU_ASSERT_EQUAL(ug_svc_publish(&c, &pq, &f.resp), UG_STATUS_BADTOOMANYOPERATIONS);
    fp_free(&f);
    fx_teardown();
}

/* ------------------------------------------------------- end to end -- */

struct e2e {
    int changes;
    double last;
    bool got_42;
};

static void e2e_data(ug_client_mon *mon, const ug_datavalue *v, void *ctx)
{
    (void)mon;
    struct e2e *e = ctx;
    e->changes++;
    if ((v->mask & UG_DV_VALUE) && v->value.type == UG_TYPE_DOUBLE) {
        e->last = v->value.u.v.f64;
        e->got_42 |= e->last == 42.0;
    }
}

static void e2e_status(ug_client_sub *sub, ug_status st, void *ctx)
{
    (void)sub, (void)st, (void)ctx;
}

/* The real server and the uagate client on one loop over 127.0.0.1: the
 * subscription code behind the dispatcher, the pending mechanism and the
 * wire encoding; a value written by the application reaches the client. */
static void test_end_to_end(void)
{
    ug_loop *l;
    CU_ASSERT_EQUAL_FATAL(ug_loop_new(NULL, &l), UG_STATUS_GOOD);
    struct ug_server_config cfg;
    ug_server_config_init(&cfg);
    cfg.endpoint_url = "opc.tcp://127.0.0.1:0";
    ug_server *srv = NULL;
    CU_ASSERT_EQUAL_FATAL(ug_server_new(l, &cfg, &srv), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(ug_server_start(srv), UG_STATUS_GOOD);
    ug_aspace *sas = ug_server_aspace(srv);
    ug_datavalue v0 = dv_double(1.0);
    struct ug_nodes_variable var = {0};
    var.c.requested_id = NID(1, 5001);
    var.c.parent_id = NID(0, 85);
    var.c.reference_type_id = NID(0, 47);
    var.c.browse_name = (ug_qualified_name){1, ug_string_from("E2E")};
    var.data_type = NID(0, 11);
    var.value_rank = -1;
    var.value = &v0;
    ug_nodeid vid;
    CU_ASSERT_EQUAL_FATAL(ug_nodes_add_variable(sas, &var, &vid), UG_STATUS_GOOD);

    char url[64];
    snprintf(url, sizeof url, "opc.tcp://127.0.0.1:%u", (unsigned)ug_server_port(srv));
    struct ug_client_config cc;
    ug_client_config_init(&cc);
    cc.endpoint_url = url;
    cc.connect_timeout_ns = 3000000000LL;
    cc.request_timeout_ns = 3000000000LL;
    cc.reconnect = false;
    ug_client *c = NULL;
    CU_ASSERT_EQUAL_FATAL(ug_client_new(l, &cc, &c), UG_STATUS_GOOD);
    ug_status st = ug_client_connect(c);
    CU_ASSERT_EQUAL(st, UG_STATUS_GOOD);
    if (st == UG_STATUS_GOOD) {
        struct ug_client_sub_params sp = {.publishing_interval_ms = 20, .max_keepalive_count = 5};
        ug_client_sub *sub = NULL;
        CU_ASSERT_EQUAL(ug_client_sub_create(c, &sp, e2e_status, NULL, &sub), UG_STATUS_GOOD);
        struct e2e e = {0};
        struct ug_client_mon_params mp = {.node = vid, .sampling_interval_ms = 20, .queue_size = 4,
                                          .discard_oldest = true, .cb = e2e_data, .ctx = &e};
        ug_client_mon *mon = NULL;
        CU_ASSERT_EQUAL(ug_client_mon_create(sub, &mp, 1, &mon), UG_STATUS_GOOD);
        CU_ASSERT_EQUAL(ug_client_mon_status(mon), UG_STATUS_GOOD);
        bool one = false;
        for (int i = 0; i < 100 && e.changes == 0; i++)
            ug_client_run_for(c, 10000000, &one);
        CU_ASSERT_EQUAL(e.changes, 1); /* the initial value */
        CU_ASSERT_EQUAL(e.last, 1.0);
        ug_datavalue v = dv_double(42.0);
        CU_ASSERT_EQUAL(ug_nodes_write_value(sas, &vid, &v), UG_STATUS_GOOD);
        ug_client_run_for(c, 2000000000LL, &e.got_42);
        CU_ASSERT_TRUE(e.got_42);
        CU_ASSERT_EQUAL(e.changes, 2);
        CU_ASSERT_EQUAL(ug_client_sub_delete(sub), UG_STATUS_GOOD);
        ug_client_disconnect(c);
    }
    ug_client_free(c);
    ug_server_free(srv);
    ug_loop_close(l, -1);
}

static CU_TestInfo tests[] = {
    {"end to end over loopback", test_end_to_end},
    {"retransmission queue", test_retransmission_queue},
    {"request bounds", test_request_bounds},
    {"random operations", test_random_operations},
    {"priority", test_priority},
    {"create revises parameters", test_create_revises},
    {"no session", test_no_session},
    {"publish without subscription", test_publish_without_subscription},
    {"keep-alive", test_keepalive},
    {"data change reported once", test_data_change_once},
    {"republish and acknowledgements", test_republish_and_acks},
    {"lifetime expiry", test_lifetime_expiry},
    {"publish resets lifetime", test_publish_resets_lifetime},
    {"publishing mode", test_publishing_mode},
    {"too many publish requests", test_too_many_publish_requests},
    {"delete subscriptions", test_delete_subscriptions},
    {"modify subscription", test_modify_subscription},
    {"more notifications", test_more_notifications},
    {"message size bound", test_message_size_bound},
    {"transfer", test_transfer},
    {"orphaned publish skipped", test_orphaned_publish_skipped},
    CU_TEST_INFO_NULL,
};

int main(void) { return ug_test_main("subscription", tests); }
