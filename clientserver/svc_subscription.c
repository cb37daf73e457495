/* clientserver/svc_subscription.c — the Subscription service set (Part 4
 * §5.13): CreateSubscription, ModifySubscription, SetPublishingMode,
 * DeleteSubscriptions, TransferSubscriptions, Publish, Republish. The
 * engine is sub.c; these functions check the request and shape the response.
 */
#include "sub.h"

/* Bound on the ids of one SetPublishingMode/Delete/Transfer request. */
static uint32_t max_ids(const struct ug_subs *subs)
{
    uint32_t n = subs->lim.max_subscriptions_per_session * 4u;
    return n < 1000u ? 1000u : n;
}

static ug_status get_subs(struct ug_svc_ctx *ctx, struct ug_subs **out)
{
    struct ug_subs *subs = ug_subs_lookup(ctx);
    if (subs == NULL)
        return UG_STATUS_BADSESSIONIDINVALID;
    sub_bind(subs, ctx);
    *out = subs;
    return UG_STATUS_GOOD;
}

/* The common head of SetPublishingMode, DeleteSubscriptions and
 * TransferSubscriptions: the session's subscriptions, the id count (n), and
 * an arena array of n results of size bytes each. Returns Good,
 * BadSessionIdInvalid, BadNothingToDo, BadTooManyOperations, BadOutOfMemory. */
static ug_status ids_begin(struct ug_svc_ctx *ctx, int32_t n, size_t size,
                           struct ug_subs **subs_out, void **res_out)
{
    struct ug_subs *subs;
    ug_status st = get_subs(ctx, &subs);
    if (st != UG_STATUS_GOOD)
        return st;
    if (n <= 0)
        return UG_STATUS_BADNOTHINGTODO;
    if ((uint32_t)n > max_ids(subs))
        return UG_STATUS_BADTOOMANYOPERATIONS;
    void *res = ug_arena_alloc(ctx->arena, (size_t)n * size);
    if (res == NULL)
        return UG_STATUS_BADOUTOFMEMORY;
    *subs_out = subs;
    *res_out = res;
    return UG_STATUS_GOOD;
}

/* SetPublishingMode and DeleteSubscriptions: ids_begin, then fn on each
 * subscription of ids that exists; one status per id (Good, or
 * BadSubscriptionIdInvalid) into *results / *results_len. Returns
 * ids_begin's statuses. */
static ug_status each_sub(struct ug_svc_ctx *ctx, const uint32_t *ids, int32_t n,
                          void (*fn)(struct sub *s, const void *arg), const void *arg,
                          int32_t *results_len, ug_status **results)
{
    struct ug_subs *subs;
    ug_status *res;
    ug_status st = ids_begin(ctx, n, sizeof *res, &subs, (void **)&res);
    if (st != UG_STATUS_GOOD)
        return st;
    for (int32_t i = 0; i < n; i++) {
        struct sub *s = sub_find(subs, ids[i]);
        if (s == NULL) {
            res[i] = UG_STATUS_BADSUBSCRIPTIONIDINVALID;
            continue;
        }
        fn(s, arg);
        res[i] = UG_STATUS_GOOD;
    }
    *results_len = n;
    *results = res;
    return UG_STATUS_GOOD;
}

static void set_publishing_one(struct sub *s, const void *arg)
{
    s->enabled = *(const bool *)arg;
    sub_touch(s);
}

static void delete_one(struct sub *s, const void *arg)
{
    (void)arg;
    sub_delete(s);
}

/* Part 4 §5.13.2. Returns Good, BadSessionIdInvalid, BadTooManySubscriptions,
 * BadOutOfMemory, BadInternalError (no loop to run the timer on). */
ug_status ug_svc_create_subscription(struct ug_svc_ctx *ctx, const void *request, void *response)
{
    const ug_CreateSubscriptionRequest *req = request;
    ug_CreateSubscriptionResponse *resp = response;
    struct ug_subs *subs;
    ug_status st = get_subs(ctx, &subs);
    if (st != UG_STATUS_GOOD)
        return st;
    struct sub *s;
    if ((st = sub_create(subs, &s)) != UG_STATUS_GOOD)
        return st;
    sub_revise(s, req->requested_publishing_interval, req->requested_lifetime_count,
               req->requested_max_keep_alive_count, req->max_notifications_per_publish);
    s->enabled = req->publishing_enabled;
    s->priority = req->priority;
    if ((st = sub_restart_timer(s)) != UG_STATUS_GOOD) {
        sub_delete(s);
        return st;
    }
    resp->subscription_id = s->id;
    resp->revised_publishing_interval = s->interval_ms;
    resp->revised_lifetime_count = s->lifetime_count;
    resp->revised_max_keep_alive_count = s->keepalive_count;
    return UG_STATUS_GOOD;
}

/* Part 4 §5.13.3. Returns Good, BadSessionIdInvalid, BadSubscriptionIdInvalid,
 * the timer's BadOutOfMemory. */
ug_status ug_svc_modify_subscription(struct ug_svc_ctx *ctx, const void *request, void *response)
{
    const ug_ModifySubscriptionRequest *req = request;
    ug_ModifySubscriptionResponse *resp = response;
    struct ug_subs *subs;
    ug_status st = get_subs(ctx, &subs);
    if (st != UG_STATUS_GOOD)
        return st;
    struct sub *s = sub_find(subs, req->subscription_id);
    if (s == NULL)
        return UG_STATUS_BADSUBSCRIPTIONIDINVALID;
    double old = s->interval_ms;
    sub_revise(s, req->requested_publishing_interval, req->requested_lifetime_count,
               req->requested_max_keep_alive_count, req->max_notifications_per_publish);
    s->priority = req->priority;
    sub_touch(s);
    if (s->interval_ms != old && (st = sub_restart_timer(s)) != UG_STATUS_GOOD)
        return st;
    resp->revised_publishing_interval = s->interval_ms;
    resp->revised_lifetime_count = s->lifetime_count;
    resp->revised_max_keep_alive_count = s->keepalive_count;
    return UG_STATUS_GOOD;
}

/* Part 4 §5.13.4. Returns Good (per id: Good, BadSubscriptionIdInvalid),
 * BadSessionIdInvalid, BadNothingToDo, BadTooManyOperations, BadOutOfMemory. */
ug_status ug_svc_set_publishing_mode(struct ug_svc_ctx *ctx, const void *request, void *response)
{
    const ug_SetPublishingModeRequest *req = request;
    ug_SetPublishingModeResponse *resp = response;
    return each_sub(ctx, req->subscription_ids, req->subscription_ids_len, set_publishing_one,
                    &req->publishing_enabled, &resp->results_len, &resp->results);
}

/* Part 4 §5.13.8. As SetPublishingMode. Deleting the last subscription
 * answers queued Publish requests with BadNoSubscription. */
ug_status ug_svc_delete_subscriptions(struct ug_svc_ctx *ctx, const void *request, void *response)
{
    const ug_DeleteSubscriptionsRequest *req = request;
    ug_DeleteSubscriptionsResponse *resp = response;
    return each_sub(ctx, req->subscription_ids, req->subscription_ids_len, delete_one, NULL,
                    &resp->results_len, &resp->results);
}

/* Part 4 §5.13.7. As SetPublishingMode; per id: Good, BadSubscriptionIdInvalid,
 * BadTooManySubscriptions, BadOutOfMemory. The identity check (same user) is
 * the session layer's: this server keeps no user per subscription. */
ug_status ug_svc_transfer_subscriptions(struct ug_svc_ctx *ctx, const void *request,
                                        void *response)
{
    const ug_TransferSubscriptionsRequest *req = request;
    ug_TransferSubscriptionsResponse *resp = response;
    struct ug_subs *subs;
    ug_TransferResult *res;
    int32_t n = req->subscription_ids_len;
    ug_status st = ids_begin(ctx, n, sizeof *res, &subs, (void **)&res);
    if (st != UG_STATUS_GOOD)
        return st;
    for (int32_t i = 0; i < n; i++) {
        res[i] = (ug_TransferResult){0};
        ug_status r = sub_transfer(subs, req->subscription_ids[i], req->send_initial_values,
                                   &res[i], ctx->arena);
        if (r != UG_STATUS_GOOD)
            res[i].status_code = r;
    }
    resp->results_len = n;
    resp->results = res;
    return UG_STATUS_GOOD;
}

/* Part 4 §5.13.5. Returns Good (answered now: a late subscription),
 * GoodCompletesAsynchronously (queued), BadSessionIdInvalid,
 * BadNoSubscription, BadTooManyOperations (acknowledgements), BadOutOfMemory,
 * BadInternalError (no pending to keep). Per acknowledgement: Good,
 * BadSubscriptionIdInvalid, BadSequenceNumberUnknown. A queued request may
 * later be answered with BadTooManyPublishRequests (pushed out by a newer
 * one), BadNoSubscription or BadSessionClosed. */
ug_status ug_svc_publish(struct ug_svc_ctx *ctx, const void *request, void *response)
{
    struct ug_subs *subs;
    ug_status st = get_subs(ctx, &subs);
    if (st != UG_STATUS_GOOD)
        return st;
    return sub_publish(subs, ctx, request, response);
}

/* Part 4 §5.13.6. Returns Good, BadSessionIdInvalid, BadSubscriptionIdInvalid,
 * BadMessageNotAvailable, BadOutOfMemory. */
ug_status ug_svc_republish(struct ug_svc_ctx *ctx, const void *request, void *response)
{
    const ug_RepublishRequest *req = request;
    struct ug_subs *subs;
    ug_status st = get_subs(ctx, &subs);
    if (st != UG_STATUS_GOOD)
        return st;
    return sub_republish(subs, ctx, req->subscription_id, req->retransmit_sequence_number,
                         response);
}
