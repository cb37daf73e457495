/* clientserver/client_sub.c — the client's subscriptions (Part 4 §5.13),
 * monitored items (§5.12) and its side of the Publish mechanism (§5.13.1):
 * Publish requests kept outstanding, acknowledgements, keep-alive watch,
 * Republish of missed sequence numbers, and after the session was lost the
 * transfer (TransferSubscriptions, §5.13.7) or the re-creation of every
 * subscription and its items.
 *
 * Client handles (§7.21 MonitoringParameters.clientHandle) index c->mons, so
 * a notification finds its item in O(1); the table grows only when items are
 * created.
 */
#include <stdlib.h>
#include <string.h>

#include "client_internal.h"

#define MAX_REPUBLISH_PER_GAP 8
#define WATCH_PERIOD_NS 1000000000LL

static void send_create_sub(ug_client_sub *sub);
static ug_status send_create_items(ug_client_sub *sub, ug_client_mon **items, size_t n,
                                   ug_client_done_cb done, void *done_ctx);

/* ----------------------------------------------------------- item table -- */

static ug_status handle_alloc(ug_client *c, ug_client_mon *m)
{
    for (uint32_t i = c->mons_free_hint; i < c->mons_cap; i++)
        if (!c->mons[i]) {
            c->mons[i] = m;
            m->client_handle = i + 1;
            c->mons_free_hint = i + 1;
            return UG_STATUS_GOOD;
        }
    uint32_t cap = c->mons_cap ? c->mons_cap * 2 : 64;
    ug_client_mon **t = realloc(c->mons, cap * sizeof *t);
    if (!t)
        return UG_STATUS_BADOUTOFMEMORY;
    memset(t + c->mons_cap, 0, (cap - c->mons_cap) * sizeof *t);
    uint32_t i = c->mons_cap;
    c->mons = t;
    c->mons_cap = cap;
    c->mons[i] = m;
    m->client_handle = i + 1;
    c->mons_free_hint = i + 1;
    return UG_STATUS_GOOD;
}

static void mon_free(ug_client *c, ug_client_mon *m)
{
    if (m->client_handle && m->client_handle <= c->mons_cap) {
        c->mons[m->client_handle - 1] = NULL;
        if (m->client_handle - 1 < c->mons_free_hint)
            c->mons_free_hint = m->client_handle - 1;
    }
    free(m->node_buf);
    free(m);
}

/* ---------------------------------------------------------- subscriptions -- */

static void sub_unlink(ug_client_sub *sub)
{
    ug_client *c = sub->c;
    for (ug_client_sub **pp = &c->subs; *pp; pp = &(*pp)->next)
        if (*pp == sub) {
            *pp = sub->next;
            break;
        }
    sub->next = NULL;
}

static void sub_free_items(ug_client_sub *sub)
{
    ug_client_mon *m = sub->mons;
    while (m) {
        ug_client_mon *next = m->next;
        mon_free(sub->c, m);
        m = next;
    }
    sub->mons = NULL;
}

static void sub_free(ug_client_sub *sub)
{
    sub_unlink(sub);
    sub_free_items(sub);
    free(sub);
}

/* Frees a deleted subscription once no request refers to it any more. */
static void sub_release(ug_client_sub *sub)
{
    if (sub->pending_ops)
        sub->pending_ops--;
    if (sub->deleted && sub->pending_ops == 0)
        sub_free(sub);
}

void cl_subs_free_all(ug_client *c)
{
    /* Requests that still point at subscriptions have been completed
     * (cl_fail_all) before this runs. */
    while (c->subs)
        sub_free(c->subs);
    free(c->mons);
    c->mons = NULL;
    c->mons_cap = 0;
    c->mons_free_hint = 0;
    c->n_acks = 0;
    if (ug_timer_active(&c->watch_timer))
        ug_timer_stop(c->loop, &c->watch_timer);
    if (ug_timer_active(&c->publish_retry))
        ug_timer_stop(c->loop, &c->publish_retry);
}

static ug_client_sub *sub_by_id(ug_client *c, uint32_t id)
{
    for (ug_client_sub *s = c->subs; s; s = s->next)
        if (s->id == id && !s->deleted)
            return s;
    return NULL;
}

static bool session_ready(const ug_client *c)
{
    return c->conn && c->channel_open && c->have_session && c->phase == CL_ACTIVE;
}

/* Part 4 §5.13.1.1: with no message for a keep-alive period the client
 * should suspect the subscription; twice the period plus the request
 * timeout leaves room for a slow network. */
static int64_t keepalive_limit_ns(const ug_client_sub *s)
{
    double ms = s->interval_ms * (double)(s->keepalive_count ? s->keepalive_count : 1);
    return (int64_t)(ms * 2e6) + s->c->cfg.request_timeout_ns;
}

void cl_on_watch(ug_loop *loop, struct ug_timer *t)
{
    ug_client *c = t->data;
    int64_t now = ug_loop_now(loop);
    if (!session_ready(c))
        return;
    bool any = false;
    for (ug_client_sub *s = c->subs; s; s = s->next) {
        if (s->state != CL_SUB_LIVE || s->deleted)
            continue;
        if (!s->timed_out && now - s->last_msg_ns > keepalive_limit_ns(s)) {
            s->timed_out = true;
            any = true;
            if (s->status_cb)
                s->status_cb(s, UG_STATUS_BADTIMEOUT, s->status_ctx);
        }
    }
    if (any)
        cl_publish_kick(c);
}

static void watch_start(ug_client *c)
{
    if (ug_timer_active(&c->watch_timer))
        return;
    (void)ug_timer_start_cyclic(c->loop, &c->watch_timer, WATCH_PERIOD_NS, 0,
                                UG_TIMER_CURRENT_TIME);
}

static void sub_live(ug_client_sub *sub, const ug_CreateSubscriptionResponse *r)
{
    sub->id = r->subscription_id;
    sub->interval_ms = r->revised_publishing_interval;
    sub->keepalive_count = r->revised_max_keep_alive_count;
    sub->lifetime_count = r->revised_lifetime_count;
    sub->state = CL_SUB_LIVE;
    sub->last_seq = 0;
    sub->last_msg_ns = ug_loop_now(sub->c->loop);
    sub->timed_out = false;
    watch_start(sub->c);
}

static void on_sub_created(ug_client *c, ug_status st, void *resp, void *arg)
{
    ug_client_sub *sub = arg;
    if (st == UG_STATUS_GOOD)
        sub_live(sub, resp);
    if (sub->deleted) {
        if (st == UG_STATUS_GOOD && session_ready(c)) {
            /* Deleted while being created: remove it from the server too. */
            ug_DeleteSubscriptionsRequest req;
            memset(&req, 0, sizeof req);
            req.subscription_ids_len = 1;
            req.subscription_ids = &sub->id;
            (void)cl_send(c, &ug_desc_DeleteSubscriptionsRequest, &req,
                          &ug_desc_DeleteSubscriptionsResponse, 0, NULL, NULL, false);
        }
        ug_client_done_cb ddone = sub->done;
        void *dctx = sub->done_ctx;
        sub->done = NULL;
        sub_release(sub);
        if (ddone)
            ddone(c, UG_STATUS_GOOD, dctx);
        return;
    }
    sub->pending_ops--;
    ug_client_done_cb done = sub->done;
    void *done_ctx = sub->done_ctx;
    sub->done = NULL;
    if (st != UG_STATUS_GOOD) {
        sub->state = CL_SUB_DEAD;
        if (done)
            done(c, st, done_ctx);
        sub_free(sub);
        return;
    }
    if (done)
        done(c, UG_STATUS_GOOD, done_ctx);
    cl_publish_kick(c);
}

static ug_status send_create_sub_req(ug_client_sub *sub, cl_done_fn fn)
{
    ug_CreateSubscriptionRequest req;
    memset(&req, 0, sizeof req);
    req.requested_publishing_interval = sub->params.publishing_interval_ms;
    req.requested_lifetime_count = sub->params.lifetime_count;
    req.requested_max_keep_alive_count = sub->params.max_keepalive_count;
    req.max_notifications_per_publish = sub->params.max_notifications;
    req.publishing_enabled = true;
    req.priority = sub->params.priority;
    ug_status st = cl_send(sub->c, &ug_desc_CreateSubscriptionRequest, &req,
                           &ug_desc_CreateSubscriptionResponse, 0, fn, sub, false);
    if (st == UG_STATUS_GOOD)
        sub->pending_ops++;
    return st;
}

ug_status ug_client_sub_create_async(ug_client *c, const struct ug_client_sub_params *params,
                                     ug_client_sub_status_cb status_cb, void *status_ctx,
                                     ug_client_done_cb done, void *done_ctx, ug_client_sub **out)
{
    if (!c || !out)
        return UG_STATUS_BADINVALIDARGUMENT;
    if (!session_ready(c))
        return UG_STATUS_BADSESSIONCLOSED;
    ug_client_sub *sub = calloc(1, sizeof *sub);
    if (!sub)
        return UG_STATUS_BADOUTOFMEMORY;
    sub->c = c;
    if (params)
        sub->params = *params;
    if (sub->params.publishing_interval_ms <= 0)
        sub->params.publishing_interval_ms = 500;
    if (sub->params.max_keepalive_count == 0)
        sub->params.max_keepalive_count = 10;
    if (sub->params.lifetime_count < 3 * sub->params.max_keepalive_count)
        sub->params.lifetime_count = 6 * sub->params.max_keepalive_count;
    sub->interval_ms = sub->params.publishing_interval_ms;
    sub->keepalive_count = sub->params.max_keepalive_count;
    sub->status_cb = status_cb;
    sub->status_ctx = status_ctx;
    sub->done = done;
    sub->done_ctx = done_ctx;
    sub->state = CL_SUB_CREATING;
    ug_status st = send_create_sub_req(sub, on_sub_created);
    if (st != UG_STATUS_GOOD) {
        free(sub);
        return st;
    }
    sub->next = c->subs;
    c->subs = sub;
    *out = sub;
    return UG_STATUS_GOOD;
}

static void on_sub_deleted(ug_client *c, ug_status st, void *resp, void *arg)
{
    (void)resp;
    ug_client_sub *sub = arg;
    ug_client_done_cb done = sub->done;
    void *ctx = sub->done_ctx;
    sub->done = NULL;
    sub_release(sub);
    if (done)
        done(c, st, ctx);
}

ug_status ug_client_sub_delete_async(ug_client_sub *sub, ug_client_done_cb done, void *done_ctx)
{
    if (!sub || sub->deleted)
        return UG_STATUS_BADINVALIDARGUMENT;
    ug_client *c = sub->c;
    sub->deleted = true;
    sub_free_items(sub); /* no data callback from now on */
    sub->done = done;
    sub->done_ctx = done_ctx;
    if (sub->id && session_ready(c)) {
        ug_DeleteSubscriptionsRequest req;
        memset(&req, 0, sizeof req);
        req.subscription_ids_len = 1;
        req.subscription_ids = &sub->id;
        if (cl_send(c, &ug_desc_DeleteSubscriptionsRequest, &req,
                    &ug_desc_DeleteSubscriptionsResponse, 0, on_sub_deleted, sub,
                    false) == UG_STATUS_GOOD) {
            sub->pending_ops++;
            return UG_STATUS_GOOD;
        }
    }
    if (sub->state == CL_SUB_CREATING && sub->pending_ops)
        return UG_STATUS_GOOD; /* on_sub_created deletes it on the server and calls done */
    /* Nothing to tell the server (or no way to): done now. */
    sub->done = NULL;
    if (sub->pending_ops == 0)
        sub_free(sub);
    if (done)
        done(c, UG_STATUS_GOOD, done_ctx);
    return UG_STATUS_GOOD;
}

ug_client *ug_client_sub_client(const ug_client_sub *sub) { return sub->c; }
uint32_t ug_client_sub_id(const ug_client_sub *sub) { return sub->id; }
double ug_client_sub_interval_ms(const ug_client_sub *sub) { return sub->interval_ms; }
ug_status ug_client_mon_status(const ug_client_mon *mon) { return mon->status; }
uint32_t ug_client_mon_id(const ug_client_mon *mon) { return mon->server_id; }
ug_client_sub *ug_client_mon_sub(const ug_client_mon *mon) { return mon->sub; }

/* --------------------------------------------------------- monitored items -- */

/* One CreateMonitoredItems in flight: the items it creates, in order. */
struct cl_batch {
    ug_client_sub *sub;
    ug_client_done_cb done;
    void *done_ctx;
    size_t n;
    ug_client_mon *items[];
};

static void on_items_created(ug_client *c, ug_status st, void *resp, void *arg)
{
    struct cl_batch *b = arg;
    ug_client_sub *sub = b->sub;
    if (!sub->deleted) {
        const ug_CreateMonitoredItemsResponse *r = resp;
        for (size_t i = 0; i < b->n; i++) {
            ug_client_mon *m = b->items[i];
            if (st != UG_STATUS_GOOD)
                m->status = st;
            else if (i < (size_t)(r->results_len > 0 ? r->results_len : 0)) {
                m->status = r->results[i].status_code;
                m->server_id = r->results[i].monitored_item_id;
            } else {
                m->status = UG_STATUS_BADUNEXPECTEDERROR; /* short results array */
            }
        }
        if (st == UG_STATUS_GOOD && r->results_len != (int32_t)b->n)
            st = UG_STATUS_BADUNEXPECTEDERROR;
    }
    ug_client_done_cb done = b->done;
    void *ctx = b->done_ctx;
    free(b);
    sub_release(sub);
    if (done)
        done(c, st, ctx);
}

static ug_status send_create_items(ug_client_sub *sub, ug_client_mon **items, size_t n,
                                   ug_client_done_cb done, void *done_ctx)
{
    ug_client *c = sub->c;
    struct cl_batch *b = malloc(sizeof *b + n * sizeof b->items[0]);
    ug_MonitoredItemCreateRequest *reqs = ug_arena_alloc(&c->scratch, n * sizeof *reqs);
    if (!b || !reqs) {
        free(b);
        ug_arena_reset(&c->scratch);
        return UG_STATUS_BADOUTOFMEMORY;
    }
    b->sub = sub;
    b->done = done;
    b->done_ctx = done_ctx;
    b->n = n;
    memset(reqs, 0, n * sizeof *reqs);
    for (size_t i = 0; i < n; i++) {
        ug_client_mon *m = items[i];
        b->items[i] = m;
        reqs[i].item_to_monitor.node_id = m->node;
        reqs[i].item_to_monitor.attribute_id = m->attribute_id;
        reqs[i].item_to_monitor.index_range = UG_NULL_BYTES;
        reqs[i].monitoring_mode = UG_MONITORING_MODE_REPORTING;
        reqs[i].requested_parameters.client_handle = m->client_handle;
        reqs[i].requested_parameters.sampling_interval = m->sampling_interval_ms;
        reqs[i].requested_parameters.queue_size = m->queue_size;
        reqs[i].requested_parameters.discard_oldest = m->discard_oldest;
    }
    ug_CreateMonitoredItemsRequest req;
    memset(&req, 0, sizeof req);
    req.subscription_id = sub->id;
    req.timestamps_to_return = UG_TIMESTAMPS_TO_RETURN_BOTH;
    req.items_to_create_len = (int32_t)n;
    req.items_to_create = reqs;
    ug_status st = cl_send(c, &ug_desc_CreateMonitoredItemsRequest, &req,
                           &ug_desc_CreateMonitoredItemsResponse, 0, on_items_created, b, false);
    if (st != UG_STATUS_GOOD) {
        ug_arena_reset(&c->scratch);
        free(b);
        return st;
    }
    sub->pending_ops++;
    return UG_STATUS_GOOD;
}

ug_status ug_client_mon_create_async(ug_client_sub *sub, const struct ug_client_mon_params *params,
                                     size_t n, ug_client_mon **mons, ug_client_done_cb done,
                                     void *done_ctx)
{
    if (!sub || !params || !mons || n == 0 || n > INT32_MAX / 2 || sub->deleted)
        return UG_STATUS_BADINVALIDARGUMENT;
    for (size_t i = 0; i < n; i++)
        if (!params[i].cb)
            return UG_STATUS_BADINVALIDARGUMENT;
    if (sub->state != CL_SUB_LIVE)
        return UG_STATUS_BADINVALIDSTATE;
    ug_client *c = sub->c;
    ug_status st = UG_STATUS_GOOD;
    size_t made = 0;
    for (; made < n; made++) {
        const struct ug_client_mon_params *p = &params[made];
        ug_client_mon *m = calloc(1, sizeof *m);
        if (!m) {
            st = UG_STATUS_BADOUTOFMEMORY;
            break;
        }
        m->sub = sub;
        m->attribute_id = p->attribute_id ? p->attribute_id : UG_ATTR_VALUE;
        m->sampling_interval_ms = p->sampling_interval_ms;
        m->queue_size = p->queue_size ? p->queue_size : 1;
        m->discard_oldest = p->discard_oldest;
        m->cb = p->cb;
        m->ctx = p->ctx;
        m->status = UG_STATUS_BADWAITINGFORRESPONSE;
        st = cl_nodeid_dup(&p->node, &m->node, &m->node_buf);
        if (st == UG_STATUS_GOOD)
            st = handle_alloc(c, m);
        if (st != UG_STATUS_GOOD) {
            free(m->node_buf);
            free(m);
            break;
        }
        mons[made] = m;
    }
    if (st == UG_STATUS_GOOD)
        st = send_create_items(sub, mons, n, done, done_ctx);
    if (st != UG_STATUS_GOOD) {
        for (size_t i = 0; i < made; i++)
            mon_free(c, mons[i]);
        return st;
    }
    for (size_t i = 0; i < n; i++) {
        mons[i]->next = sub->mons;
        sub->mons = mons[i];
    }
    return UG_STATUS_GOOD;
}

/* ------------------------------------------------------------ the Publish loop -- */

static void on_publish(ug_client *c, ug_status st, void *resp, void *arg);

static int64_t publish_timeout_ns(ug_client *c)
{
    int64_t max = 0;
    for (ug_client_sub *s = c->subs; s; s = s->next)
        if (s->state == CL_SUB_LIVE && keepalive_limit_ns(s) > max)
            max = keepalive_limit_ns(s);
    return max + c->cfg.request_timeout_ns;
}

static bool any_live(const ug_client *c)
{
    for (const ug_client_sub *s = c->subs; s; s = s->next)
        if (s->state == CL_SUB_LIVE && !s->deleted)
            return true;
    return false;
}

void cl_publish_kick(ug_client *c)
{
    if (!session_ready(c) || !any_live(c))
        return;
    while (c->publish_outstanding < c->publish_target) {
        ug_PublishRequest req;
        memset(&req, 0, sizeof req);
        /* Part 4 §5.13.5: acknowledge what was received, once. */
        req.subscription_acknowledgements_len = (int32_t)c->n_acks;
        req.subscription_acknowledgements = c->acks;
        ug_status st = cl_send(c, &ug_desc_PublishRequest, &req, &ug_desc_PublishResponse,
                               publish_timeout_ns(c), on_publish,
                               (void *)(uintptr_t)c->session_gen, true);
        if (st != UG_STATUS_GOOD)
            break;
        c->n_acks = 0;
    }
}

static void add_ack(ug_client *c, uint32_t sub_id, uint32_t seq)
{
    if (c->n_acks == UG_CLIENT_MAX_ACKS) {
        /* Full: the oldest goes; the server keeps that message until its
         * queue overflows, which costs memory there, not correctness. */
        memmove(c->acks, c->acks + 1, (UG_CLIENT_MAX_ACKS - 1) * sizeof c->acks[0]);
        c->n_acks--;
    }
    c->acks[c->n_acks].subscription_id = sub_id;
    c->acks[c->n_acks].sequence_number = seq;
    c->n_acks++;
}

/* Part 4 §7.25: a NotificationMessage's data is DataChangeNotification,
 * StatusChangeNotification or EventNotificationList (ignored here). */
static void dispatch(ug_client *c, ug_client_sub *sub, const ug_NotificationMessage *msg)
{
    for (int32_t i = 0; i < msg->notification_data_len; i++) {
        const ug_type_desc *d = NULL;
        void *obj = NULL;
        ug_arena_reset(&c->notif);
        if (ug_eo_decode(&msg->notification_data[i], NULL, &d, &obj, &ug_limits_default,
                         &c->notif) != UG_STATUS_GOOD)
            continue;
        if (d == &ug_desc_DataChangeNotification) {
            const ug_DataChangeNotification *n = obj;
            for (int32_t k = 0; k < n->monitored_items_len; k++) {
                uint32_t h = n->monitored_items[k].client_handle;
                if (h == 0 || h > c->mons_cap)
                    continue;
                ug_client_mon *m = c->mons[h - 1];
                if (m && m->sub == sub && m->cb)
                    m->cb(m, &n->monitored_items[k].value, m->ctx);
                if (sub->deleted)
                    return; /* a callback deleted the subscription */
            }
        } else if (d == &ug_desc_StatusChangeNotification) {
            const ug_StatusChangeNotification *n = obj;
            if (sub->status_cb)
                sub->status_cb(sub, n->status, sub->status_ctx);
            if (sub->deleted)
                return;
        }
    }
    ug_arena_reset(&c->notif);
}

static void on_republish(ug_client *c, ug_status st, void *resp, void *arg)
{
    ug_client_sub *sub = arg;
    if (st == UG_STATUS_GOOD && !sub->deleted) {
        const ug_RepublishResponse *r = resp;
        sub->pending_ops++; /* dispatch may delete it */
        dispatch(c, sub, &r->notification_message);
        if (!sub->deleted)
            add_ack(c, sub->id, r->notification_message.sequence_number);
        sub_release(sub);
    }
    sub_release(sub);
}

/* Part 4 §5.13.6: missed messages the server still holds are asked for
 * again with Republish. */
static void republish_gap(ug_client *c, ug_client_sub *sub, uint32_t from, uint32_t to,
                          const ug_PublishResponse *r)
{
    unsigned sent = 0;
    for (uint32_t seq = from; seq != to && sent < MAX_REPUBLISH_PER_GAP; seq++) {
        bool avail = false;
        for (int32_t i = 0; i < r->available_sequence_numbers_len; i++)
            if (r->available_sequence_numbers[i] == seq)
                avail = true;
        if (!avail)
            continue;
        ug_RepublishRequest req;
        memset(&req, 0, sizeof req);
        req.subscription_id = sub->id;
        req.retransmit_sequence_number = seq;
        if (cl_send(c, &ug_desc_RepublishRequest, &req, &ug_desc_RepublishResponse, 0,
                    on_republish, sub, false) == UG_STATUS_GOOD) {
            sub->pending_ops++;
            sent++;
        }
    }
}

void cl_on_publish_retry(ug_loop *loop, struct ug_timer *t)
{
    (void)loop;
    cl_publish_kick(t->data);
}

static void on_publish(ug_client *c, ug_status st, void *resp, void *arg)
{
    if (!c->conn || st == UG_STATUS_BADCONNECTIONCLOSED || st == UG_STATUS_BADSHUTDOWN)
        return; /* the reconnect logic resumes publishing */
    if ((uint32_t)(uintptr_t)arg != c->session_gen)
        return; /* sent in a session that has been replaced since */
    switch (st) {
    case UG_STATUS_GOOD: break;
    case UG_STATUS_BADTIMEOUT: cl_publish_kick(c); return;
    case UG_STATUS_BADNOSUBSCRIPTION: return; /* a new subscription kicks again */
    case UG_STATUS_BADTOOMANYPUBLISHREQUESTS:
        /* Part 4 §5.13.5: the server holds enough of ours; keep fewer. */
        if (c->publish_target > 1)
            c->publish_target--;
        if (c->publish_outstanding == 0)
            (void)ug_timer_start_once(c->loop, &c->publish_retry,
                                      ug_loop_now(c->loop) + WATCH_PERIOD_NS);
        return;
    case UG_STATUS_BADSESSIONIDINVALID:
    case UG_STATUS_BADSESSIONCLOSED:
    case UG_STATUS_BADSESSIONNOTACTIVATED:
        cl_session_lost(c, st);
        return;
    default:
        /* Anything else: try again in a second rather than spin. */
        (void)ug_timer_start_once(c->loop, &c->publish_retry, ug_loop_now(c->loop) + WATCH_PERIOD_NS);
        return;
    }
    const ug_PublishResponse *r = resp;
    ug_client_sub *sub = sub_by_id(c, r->subscription_id);
    const ug_NotificationMessage *msg = &r->notification_message;
    bool keepalive = msg->notification_data_len <= 0;
    if (sub) {
        sub->last_msg_ns = ug_loop_now(c->loop);
        if (sub->timed_out) {
            sub->timed_out = false;
            if (sub->status_cb)
                sub->status_cb(sub, UG_STATUS_GOOD, sub->status_ctx);
        }
        /* A keep-alive carries the next sequence number to come; a data
         * message its own (Part 4 §7.25.1). */
        uint32_t seq = msg->sequence_number;
        uint32_t expect = sub->last_seq + 1;
        if (sub->last_seq && !sub->deleted && seq != expect && (int32_t)(seq - expect) > 0)
            republish_gap(c, sub, expect, seq, r);
        if (!keepalive && !sub->deleted) {
            sub->pending_ops++;
            dispatch(c, sub, msg);
            bool gone = sub->deleted;
            sub_release(sub);
            if (!gone) {
                if ((int32_t)(seq - sub->last_seq) > 0 || sub->last_seq == 0)
                    sub->last_seq = seq;
            }
        } else if (keepalive && seq && sub->last_seq == 0) {
            sub->last_seq = seq - 1;
        }
    }
    if (!keepalive)
        add_ack(c, r->subscription_id, msg->sequence_number);
    cl_publish_kick(c);
}

/* ------------------------------------------------- after a session loss -- */

void cl_subs_channel_lost(ug_client *c)
{
    /* Publish requests in flight are counted down as they complete
     * (cl_fail_all on a channel loss, their answers on a session loss). */
    if (ug_timer_active(&c->publish_retry))
        ug_timer_stop(c->loop, &c->publish_retry);
}

static void on_restore_items(ug_client *c, ug_status st, void *ctx)
{
    ug_client_sub *sub = ctx;
    (void)c;
    if (st != UG_STATUS_GOOD && sub->status_cb)
        sub->status_cb(sub, st, sub->status_ctx);
}

static void on_recreated(ug_client *c, ug_status st, void *resp, void *arg)
{
    ug_client_sub *sub = arg;
    if (st == UG_STATUS_GOOD)
        sub_live(sub, resp);
    if (sub->deleted) {
        sub_release(sub);
        return;
    }
    sub->pending_ops--;
    if (st != UG_STATUS_GOOD) {
        if (sub->status_cb)
            sub->status_cb(sub, st, sub->status_ctx);
        return; /* stays RESTORING: tried again with the next session */
    }
    size_t n = 0;
    for (ug_client_mon *m = sub->mons; m; m = m->next)
        n++;
    if (n) {
        ug_client_mon **items = malloc(n * sizeof *items);
        if (items) {
            size_t i = n;
            for (ug_client_mon *m = sub->mons; m; m = m->next)
                items[--i] = m; /* creation order */
            st = send_create_items(sub, items, n, on_restore_items, sub);
            free(items);
        } else {
            st = UG_STATUS_BADOUTOFMEMORY;
        }
        if (st != UG_STATUS_GOOD && sub->status_cb)
            sub->status_cb(sub, st, sub->status_ctx);
    }
    cl_publish_kick(c);
}

static void send_create_sub(ug_client_sub *sub)
{
    sub->state = CL_SUB_RESTORING;
    ug_status st = send_create_sub_req(sub, on_recreated);
    if (st != UG_STATUS_GOOD && sub->status_cb)
        sub->status_cb(sub, st, sub->status_ctx);
}

struct cl_transfer {
    size_t n;
    uint32_t ids[];
};

static void on_transferred(ug_client *c, ug_status st, void *resp, void *arg)
{
    struct cl_transfer *t = arg;
    const ug_TransferSubscriptionsResponse *r = resp;
    if (!c->conn || st == UG_STATUS_BADCONNECTIONCLOSED || st == UG_STATUS_BADSHUTDOWN) {
        free(t);
        return;
    }
    for (size_t i = 0; i < t->n; i++) {
        ug_client_sub *sub = sub_by_id(c, t->ids[i]);
        if (!sub || sub->state != CL_SUB_RESTORING)
            continue;
        ug_status res = st;
        if (st == UG_STATUS_GOOD)
            res = i < (size_t)(r->results_len > 0 ? r->results_len : 0) ? r->results[i].status_code
                                                                         : UG_STATUS_BADUNEXPECTEDERROR;
        if (res == UG_STATUS_GOOD) {
            sub->state = CL_SUB_LIVE;
            sub->last_msg_ns = ug_loop_now(c->loop);
        } else {
            send_create_sub(sub);
        }
    }
    free(t);
    cl_publish_kick(c);
}

void cl_subs_resume(ug_client *c, bool new_session)
{
    int64_t now = ug_loop_now(c->loop);
    size_t n = 0;
    for (ug_client_sub *s = c->subs; s; s = s->next) {
        s->last_msg_ns = now;
        s->timed_out = false;
        if (!s->deleted && (s->state == CL_SUB_LIVE || s->state == CL_SUB_RESTORING))
            n++;
    }
    if (!new_session || n == 0) {
        cl_publish_kick(c);
        return;
    }
    c->n_acks = 0; /* acknowledgements of the old session mean nothing now */
    struct cl_transfer *t = malloc(sizeof *t + n * sizeof t->ids[0]);
    size_t k = 0;
    for (ug_client_sub *s = c->subs; s; s = s->next)
        if (!s->deleted && (s->state == CL_SUB_LIVE || s->state == CL_SUB_RESTORING)) {
            s->state = CL_SUB_RESTORING;
            if (t)
                t->ids[k++] = s->id;
        }
    ug_status st = UG_STATUS_BADOUTOFMEMORY;
    if (t) {
        t->n = n;
        ug_TransferSubscriptionsRequest req;
        memset(&req, 0, sizeof req);
        req.subscription_ids_len = (int32_t)n;
        req.subscription_ids = t->ids;
        req.send_initial_values = true;
        st = cl_send(c, &ug_desc_TransferSubscriptionsRequest, &req,
                     &ug_desc_TransferSubscriptionsResponse, 0, on_transferred, t, false);
    }
    if (st != UG_STATUS_GOOD) {
        free(t);
        for (ug_client_sub *s = c->subs; s; s = s->next)
            if (s->state == CL_SUB_RESTORING && !s->deleted)
                send_create_sub(s);
    }
}
