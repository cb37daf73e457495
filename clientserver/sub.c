/* clientserver/sub.c — the subscription engine: per-session state, the
 * publishing cycle of Part 4 §5.13.1 (keep-alive and lifetime counters,
 * late subscriptions, NotificationMessages with sequence numbers), the queue
 * of Publish requests and the retransmission queue.
 *
 * The state table of Part 4 §5.13.1.2 reduces here to three flags per
 * subscription: `late` (a message is due and no Publish request was queued:
 * the next Publish is answered at once), `first_sent` (the first message
 * after creation is due at the end of the first cycle, §5.13.1.1) and
 * `status_change` (closed: a StatusChangeNotification waits for a Publish).
 */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "sub.h"

/* Subscription ids are unique server-wide (Part 4 §5.13.2.2): one counter
 * for the process. The registry (for Transfer) holds the ug_subs of the
 * calling thread: each server runs on its own loop thread. */
static _Atomic uint32_t g_next_sub_id = 1;
static _Thread_local struct ug_subs *g_registry;
static struct ug_subs *(*g_lookup)(ug_session *);

static const struct ug_subs_pending_ops default_ops = {
    .finish = ug_svc_finish,
    .response = ug_svc_pending_response,
    .arena = ug_svc_pending_arena,
    .orphaned = ug_svc_pending_orphaned,
};

/* ------------------------------------------------------------ seams -- */

void ug_subs_set_pending_ops(struct ug_subs *subs, const struct ug_subs_pending_ops *ops)
{
    subs->ops = ops ? ops : &default_ops;
}

void ug_subs_set_lookup(struct ug_subs *(*lookup)(ug_session *session)) { g_lookup = lookup; }

struct ug_subs *ug_subs_lookup(const struct ug_svc_ctx *ctx)
{
    if (ctx->session == NULL)
        return NULL;
    return g_lookup ? g_lookup(ctx->session) : ug_session_subs(ctx->session);
}

struct ug_server_limits *ug_subs_limits(struct ug_subs *subs) { return &subs->lim; }

/* ------------------------------------------------------- lifecycle -- */

static void limits_defaults(struct ug_server_limits *l)
{
    if (!l->max_subscriptions_per_session)
        l->max_subscriptions_per_session = 100;
    if (!l->max_monitored_items)
        l->max_monitored_items = 100000;
    if (!l->max_monitored_items_per_call)
        l->max_monitored_items_per_call = 10000;
    if (!l->max_publish_requests)
        l->max_publish_requests = 20;
    if (!l->max_queue_size)
        l->max_queue_size = SUB_DEFAULT_QUEUE_MAX;
    if (!(l->min_publishing_interval_ms > 0))
        l->min_publishing_interval_ms = SUB_DEFAULT_MIN_INTERVAL_MS;
    if (!(l->min_sampling_interval_ms > 0))
        l->min_sampling_interval_ms = SUB_DEFAULT_MIN_INTERVAL_MS;
}

struct ug_subs *ug_subs_new(ug_server *s, ug_session *session)
{
    struct ug_subs *subs = calloc(1, sizeof *subs);
    if (subs == NULL)
        return NULL;
    subs->server = s;
    subs->session = session;
    if (s)
        subs->lim = *ug_server_get_limits(s);
    limits_defaults(&subs->lim);
    subs->ops = &default_ops;
    /* The publish ring is sized at the limit (grown if a test raises it). */
    subs->pubq_cap = subs->lim.max_publish_requests;
    subs->pubq = calloc(subs->pubq_cap, sizeof *subs->pubq);
    if (subs->pubq == NULL) {
        free(subs);
        return NULL;
    }
    ug_arena_init(&subs->scratch, subs->scratch_buf, sizeof subs->scratch_buf, true);
    subs->reg_next = g_registry;
    if (g_registry)
        g_registry->reg_prev = subs;
    g_registry = subs;
    return subs;
}

void sub_bind(struct ug_subs *subs, const struct ug_svc_ctx *ctx)
{
    if (ctx->loop)
        subs->loop = ctx->loop;
    if (ctx->aspace)
        subs->aspace = ctx->aspace;
}

static ug_svc_pending *pubq_pop(struct ug_subs *subs)
{
    while (subs->pubq_len > 0) {
        ug_svc_pending *p = subs->pubq[subs->pubq_head];
        subs->pubq_head = (subs->pubq_head + 1) % subs->pubq_cap;
        subs->pubq_len--;
        if (!subs->ops->orphaned(p))
            return p;
        subs->ops->finish(p, UG_STATUS_BADSESSIONCLOSED); /* only recycles */
    }
    return NULL;
}

static bool pubq_has(struct ug_subs *subs)
{
    /* Drop orphans at the head so that a dead request keeps nothing alive. */
    while (subs->pubq_len > 0 && subs->ops->orphaned(subs->pubq[subs->pubq_head])) {
        ug_svc_pending *p = subs->pubq[subs->pubq_head];
        subs->pubq_head = (subs->pubq_head + 1) % subs->pubq_cap;
        subs->pubq_len--;
        subs->ops->finish(p, UG_STATUS_BADSESSIONCLOSED);
    }
    return subs->pubq_len > 0;
}

static void pubq_fail_all(struct ug_subs *subs, ug_status why)
{
    ug_svc_pending *p;
    while ((p = pubq_pop(subs)) != NULL)
        subs->ops->finish(p, why);
}

static void retx_free_all(struct sub *s)
{
    while (s->retx_head) {
        struct sub_retx *r = s->retx_head;
        s->retx_head = r->next;
        free(r);
    }
    s->retx_tail = NULL;
    s->n_retx = 0;
}

/* Frees items and timers; the struct stays (zombie or about to be freed). */
static void sub_strip(struct sub *s)
{
    if (s->subs->loop)
        ug_timer_stop(s->subs->loop, &s->timer);
    for (uint32_t i = 0; i < s->items_cap; i++) {
        if (s->items[i])
            sub_item_free(s->items[i]);
        s->items[i] = NULL;
    }
    free(s->items);
    s->items = NULL;
    s->items_cap = s->n_items = 0;
    retx_free_all(s);
}

static void sub_unlink(struct sub *s)
{
    struct sub **pp = &s->subs->subs;
    while (*pp && *pp != s)
        pp = &(*pp)->next;
    if (*pp)
        *pp = s->next;
    s->next = NULL;
    if (s->status_change != UG_STATUS_GOOD)
        s->subs->n_zombies--;
    else
        s->subs->n_active--;
}

void ug_subs_free(struct ug_subs *subs)
{
    if (subs == NULL)
        return;
    while (subs->subs) {
        struct sub *s = subs->subs;
        sub_strip(s);
        sub_unlink(s);
        free(s);
    }
    pubq_fail_all(subs, UG_STATUS_BADSESSIONCLOSED);
    free(subs->pubq);
    ug_arena_free(&subs->scratch);
    if (subs->reg_prev)
        subs->reg_prev->reg_next = subs->reg_next;
    else
        g_registry = subs->reg_next;
    if (subs->reg_next)
        subs->reg_next->reg_prev = subs->reg_prev;
    free(subs);
}

/* ---------------------------------------------------- subscriptions -- */

struct sub *sub_find(struct ug_subs *subs, uint32_t id)
{
    for (struct sub *s = subs->subs; s; s = s->next)
        if (s->id == id && s->status_change == UG_STATUS_GOOD)
            return s;
    return NULL;
}

void sub_revise(struct sub *s, double interval_ms, uint32_t lifetime, uint32_t keepalive,
                uint32_t max_notif)
{
    const struct ug_server_limits *l = &s->subs->lim;
    if (!(interval_ms >= l->min_publishing_interval_ms)) /* NaN, negative, 0, too small */
        interval_ms = l->min_publishing_interval_ms;
    if (interval_ms > SUB_MAX_INTERVAL_MS)
        interval_ms = SUB_MAX_INTERVAL_MS;
    s->interval_ms = interval_ms;
    if (keepalive == 0)
        keepalive = SUB_DEFAULT_KEEPALIVE;
    if (keepalive > SUB_MAX_KEEPALIVE)
        keepalive = SUB_MAX_KEEPALIVE;
    s->keepalive_count = keepalive;
    /* Part 4 §5.13.2.2: lifetime at least three times the keep-alive count. */
    if (lifetime < 3 * keepalive)
        lifetime = 3 * keepalive;
    if (lifetime > SUB_MAX_LIFETIME)
        lifetime = SUB_MAX_LIFETIME;
    s->lifetime_count = lifetime;
    uint32_t cap = l->max_notifications_per_publish;
    s->max_notif = (max_notif == 0 || (cap && max_notif > cap)) ? cap : max_notif;
}

static void pub_tick(ug_loop *loop, struct ug_timer *t);

ug_status sub_create(struct ug_subs *subs, struct sub **out)
{
    if (subs->n_active >= subs->lim.max_subscriptions_per_session)
        return UG_STATUS_BADTOOMANYSUBSCRIPTIONS;
    struct sub *s = calloc(1, sizeof *s);
    if (s == NULL)
        return UG_STATUS_BADOUTOFMEMORY;
    s->subs = subs;
    do
        s->id = atomic_fetch_add(&g_next_sub_id, 1);
    while (s->id == 0);
    s->next_seq = 1;
    ug_timer_init(&s->timer, pub_tick, s);
    s->next = subs->subs;
    subs->subs = s;
    subs->n_active++;
    *out = s;
    return UG_STATUS_GOOD;
}

ug_status sub_restart_timer(struct sub *s)
{
    if (s->subs->loop == NULL)
        return UG_STATUS_BADINTERNALERROR;
    int64_t ns = (int64_t)llround(s->interval_ms * 1e6);
    return ug_timer_start_cyclic(s->subs->loop, &s->timer, ns, 0, UG_TIMER_BASE_TIME);
}

void sub_delete(struct sub *s)
{
    struct ug_subs *subs = s->subs;
    sub_strip(s);
    sub_unlink(s);
    free(s);
    /* Part 4 §5.13.5: with no Subscription left, queued Publish requests
     * are answered with BadNoSubscription. */
    if (subs->n_active + subs->n_zombies == 0)
        pubq_fail_all(subs, UG_STATUS_BADNOSUBSCRIPTION);
}

/* Closes a subscription that expired or was transferred away: it keeps only
 * its id and the status to report. */
static void sub_close(struct sub *s, ug_status why, int64_t now_ns)
{
    sub_strip(s);
    s->status_change = why;
    s->subs->n_active--;
    s->subs->n_zombies++;
    s->late = true;
    s->late_since_ns = now_ns;
}

/* ------------------------------------------------- ready list (items) -- */

void sub_ready_link(struct sub_item *it)
{
    if (it->in_ready)
        return;
    struct sub *s = it->sub;
    it->in_ready = true;
    it->ready_next = NULL;
    it->ready_prev = s->ready_tail;
    if (s->ready_tail)
        s->ready_tail->ready_next = it;
    else
        s->ready_head = it;
    s->ready_tail = it;
}

void sub_ready_unlink(struct sub_item *it)
{
    if (!it->in_ready)
        return;
    struct sub *s = it->sub;
    if (it->ready_prev)
        it->ready_prev->ready_next = it->ready_next;
    else
        s->ready_head = it->ready_next;
    if (it->ready_next)
        it->ready_next->ready_prev = it->ready_prev;
    else
        s->ready_tail = it->ready_prev;
    it->ready_prev = it->ready_next = NULL;
    it->in_ready = false;
}

/* --------------------------------------------------------- messages -- */

static bool sub_due(const struct sub *s)
{
    return s->status_change != UG_STATUS_GOOD || (s->enabled && s->ready_values > 0) ||
           !s->first_sent || s->keepalive_ctr >= s->keepalive_count;
}

static uint32_t seq_next(uint32_t seq) { return seq == UINT32_MAX ? 1 : seq + 1; }

/* Keeps an encoded copy of a sent message for Republish (§5.13.6). */
static void retx_store(struct sub *s, const ug_NotificationMessage *msg)
{
    ug_wr wr;
    ug_wr_init(&wr, NULL, 0);
    ug_wr_struct(&wr, &ug_desc_NotificationMessage, msg);
    if (wr.err != UG_STATUS_GOOD || wr.len > UINT32_MAX)
        return;
    struct sub_retx *r = malloc(sizeof *r + wr.len);
    if (r == NULL)
        return; /* Republish will say BadMessageNotAvailable */
    ug_wr_init(&wr, r->data, wr.len);
    ug_wr_struct(&wr, &ug_desc_NotificationMessage, msg);
    r->seq = msg->sequence_number;
    r->len = (uint32_t)wr.len;
    r->next = NULL;
    if (s->retx_tail)
        s->retx_tail->next = r;
    else
        s->retx_head = r;
    s->retx_tail = r;
    s->n_retx++;
    uint32_t cap = 2 * s->subs->lim.max_publish_requests;
    if (cap < SUB_RETX_MIN)
        cap = SUB_RETX_MIN;
    while (s->n_retx > cap) {
        struct sub_retx *old = s->retx_head;
        s->retx_head = old->next;
        free(old);
        s->n_retx--;
    }
}

static bool retx_ack(struct sub *s, uint32_t seq)
{
    struct sub_retx **pp = &s->retx_head, *prev = NULL;
    while (*pp && (*pp)->seq != seq) {
        prev = *pp;
        pp = &(*pp)->next;
    }
    struct sub_retx *r = *pp;
    if (r == NULL)
        return false;
    *pp = r->next;
    if (s->retx_tail == r)
        s->retx_tail = prev;
    s->n_retx--;
    free(r);
    return true;
}

static ug_status available_seqs(struct sub *s, ug_arena *arena, int32_t *len, uint32_t **out)
{
    *len = 0;
    *out = NULL;
    if (s->n_retx == 0)
        return UG_STATUS_GOOD;
    uint32_t *a = ug_arena_alloc(arena, s->n_retx * sizeof *a);
    if (a == NULL)
        return UG_STATUS_BADOUTOFMEMORY;
    uint32_t n = 0;
    for (struct sub_retx *r = s->retx_head; r; r = r->next)
        a[n++] = r->seq;
    *len = (int32_t)n;
    *out = a;
    return UG_STATUS_GOOD;
}

/* Data changes of Reporting items, oldest items first, at most max_notif
 * and, past the first, no more than SUB_MAX_DATA_CHANGE_BYTES encoded: the
 * rest goes out with moreNotifications. */
static ug_status build_data_change(struct sub *s, ug_extension_object *eo, ug_arena *arena)
{
    uint32_t n = s->ready_values;
    if (s->max_notif && n > s->max_notif)
        n = s->max_notif;
    ug_MonitoredItemNotification *mi = ug_arena_alloc(arena, n * sizeof *mi);
    if (mi == NULL)
        return UG_STATUS_BADOUTOFMEMORY;
    uint32_t k = 0;
    size_t bytes = 8; /* the two array lengths */
    struct sub_item *it = s->ready_head;
    while (it && k < n) {
        struct sub_item *next = it->ready_next;
        const ug_datavalue *dv;
        while (k < n && (dv = sub_item_peek(it)) != NULL) {
            ug_wr wr;
            ug_wr_init(&wr, NULL, 0);
            ug_wr_datavalue(&wr, dv);
            bytes += 4 + wr.len;
            if (k > 0 && bytes > SUB_MAX_DATA_CHANGE_BYTES) {
                n = k; /* full: the rest is for the next message */
                break;
            }
            sub_item_pop(it, &mi[k].value);
            mi[k++].client_handle = it->client_handle;
        }
        if (it->q_len == 0)
            sub_ready_unlink(it);
        it = next;
    }
    ug_DataChangeNotification dcn = {.monitored_items_len = (int32_t)k, .monitored_items = mi,
                                     .diagnostic_infos_len = 0};
    /* Encoded now: the values point into item storage that the next sample
     * may reuse. */
    return ug_eo_encode(eo, &ug_desc_DataChangeNotification, &dcn, arena);
}

/* Fills a PublishResponse for s: a StatusChangeNotification (closed
 * subscription, then freed), notifications, or a keep-alive. */
static ug_status sub_send(struct sub *s, ug_PublishResponse *resp, ug_arena *arena)
{
    ug_NotificationMessage *msg = &resp->notification_message;
    resp->subscription_id = s->id;
    resp->more_notifications = false;
    msg->publish_time = ug_datetime_now();
    msg->notification_data_len = 0;
    msg->notification_data = NULL;
    resp->available_sequence_numbers_len = 0;
    resp->available_sequence_numbers = NULL;
    if (s->status_change != UG_STATUS_GOOD) {
        ug_StatusChangeNotification sc = {.status = s->status_change};
        ug_extension_object *eo = ug_arena_alloc(arena, sizeof *eo);
        ug_status st = eo ? ug_eo_encode(eo, &ug_desc_StatusChangeNotification, &sc, arena)
                          : UG_STATUS_BADOUTOFMEMORY;
        if (st != UG_STATUS_GOOD)
            return st;
        msg->sequence_number = s->next_seq;
        msg->notification_data_len = 1;
        msg->notification_data = eo;
        struct ug_subs *subs = s->subs;
        sub_unlink(s);
        free(s);
        /* That was the last one: what else is queued has nothing to wait
         * for (§5.13.5). */
        if (subs->n_active + subs->n_zombies == 0)
            pubq_fail_all(subs, UG_STATUS_BADNOSUBSCRIPTION);
        return UG_STATUS_GOOD;
    }
    if (s->enabled && s->ready_values > 0) {
        ug_extension_object *eo = ug_arena_alloc(arena, sizeof *eo);
        if (eo == NULL)
            return UG_STATUS_BADOUTOFMEMORY;
        ug_status st = build_data_change(s, eo, arena);
        if (st != UG_STATUS_GOOD)
            return st;
        msg->sequence_number = s->next_seq;
        s->next_seq = seq_next(s->next_seq);
        msg->notification_data_len = 1;
        msg->notification_data = eo;
        retx_store(s, msg);
        resp->more_notifications = s->ready_values > 0;
    } else {
        /* Keep-alive: no data, the sequence number the next message will
         * carry (Part 4 §7.25), not consumed. */
        msg->sequence_number = s->next_seq;
    }
    s->keepalive_ctr = 0;
    s->lifetime_ctr = 0;
    s->first_sent = true;
    s->late = resp->more_notifications;
    return available_seqs(s, arena, &resp->available_sequence_numbers_len,
                          &resp->available_sequence_numbers);
}

/* Answers one queued Publish request for s. Returns false when none was
 * queued. */
static bool send_queued(struct sub *s)
{
    struct ug_subs *subs = s->subs;
    ug_svc_pending *p = pubq_pop(subs);
    if (p == NULL)
        return false;
    ug_PublishResponse *resp = subs->ops->response(p);
    ug_status st = sub_send(s, resp, subs->ops->arena(p));
    subs->ops->finish(p, st);
    return true;
}

/* The most urgent late subscription: closed ones first, then by priority,
 * then the one late the longest (Part 4 §5.13.1.1). */
static struct sub *pick_late(struct ug_subs *subs)
{
    struct sub *best = NULL;
    for (struct sub *s = subs->subs; s; s = s->next) {
        if (!s->late || !sub_due(s))
            continue;
        if (best == NULL) {
            best = s;
            continue;
        }
        bool sz = s->status_change != UG_STATUS_GOOD, bz = best->status_change != UG_STATUS_GOOD;
        if (sz != bz) {
            if (sz)
                best = s;
        } else if (s->priority != best->priority) {
            if (s->priority > best->priority)
                best = s;
        } else if (s->late_since_ns < best->late_since_ns) {
            best = s;
        }
    }
    return best;
}

/* Serves late subscriptions while Publish requests are queued. */
static void drain(struct ug_subs *subs)
{
    struct sub *s;
    while (pubq_has(subs) && (s = pick_late(subs)) != NULL)
        send_queued(s);
}

static void pub_tick(ug_loop *loop, struct ug_timer *t)
{
    struct sub *s = t->data;
    struct ug_subs *subs = s->subs;
    if (s->keepalive_ctr < UINT32_MAX)
        s->keepalive_ctr++;
    bool have_req = pubq_has(subs);
    if (!have_req && ++s->lifetime_ctr >= s->lifetime_count) {
        /* Part 4 §5.13.1.1: lifetime over with no Publish: the subscription
         * closes; BadTimeout goes out with the next Publish. */
        sub_close(s, UG_STATUS_BADTIMEOUT, ug_loop_now(loop));
        return;
    }
    if (!sub_due(s))
        return;
    if (!have_req) {
        if (!s->late) {
            s->late = true;
            s->late_since_ns = ug_loop_now(loop);
        }
        return;
    }
    /* Send; with more notifications than fit, keep sending while requests
     * are queued (moreNotifications). */
    do {
        send_queued(s);
    } while (s->late && s->enabled && s->ready_values > 0 && pubq_has(subs));
}

/* ---------------------------------------------------------- Publish -- */

ug_status sub_publish(struct ug_subs *subs, struct ug_svc_ctx *ctx, const ug_PublishRequest *req,
                      ug_PublishResponse *resp)
{
    sub_bind(subs, ctx);
    if (subs->n_active + subs->n_zombies == 0)
        return UG_STATUS_BADNOSUBSCRIPTION;
    int32_t n = req->subscription_acknowledgements_len;
    if (n > 0) {
        if ((uint32_t)n > subs->lim.max_publish_requests * 1000u + 1000u)
            return UG_STATUS_BADTOOMANYOPERATIONS;
        ug_status *res = ug_arena_alloc(ctx->arena, (size_t)n * sizeof *res);
        if (res == NULL)
            return UG_STATUS_BADOUTOFMEMORY;
        for (int32_t i = 0; i < n; i++) {
            const ug_SubscriptionAcknowledgement *a = &req->subscription_acknowledgements[i];
            struct sub *s = sub_find(subs, a->subscription_id);
            if (s == NULL)
                res[i] = UG_STATUS_BADSUBSCRIPTIONIDINVALID;
            else
                res[i] = retx_ack(s, a->sequence_number) ? UG_STATUS_GOOD
                                                          : UG_STATUS_BADSEQUENCENUMBERUNKNOWN;
        }
        resp->results_len = n;
        resp->results = res;
    }
    /* A Publish request is the client's sign of life for all of the
     * session's subscriptions (§5.13.1.1). */
    for (struct sub *s = subs->subs; s; s = s->next)
        s->lifetime_ctr = 0;
    struct sub *late = pick_late(subs);
    if (late)
        return sub_send(late, resp, ctx->arena);
    if (ctx->pending == NULL)
        return UG_STATUS_BADINTERNALERROR;
    /* Part 4 §5.13.5 (1.04): over the limit, the oldest queued request is
     * answered with BadTooManyPublishRequests and the new one is kept. */
    if (pubq_has(subs) && subs->pubq_len >= subs->pubq_cap)
        subs->ops->finish(pubq_pop(subs), UG_STATUS_BADTOOMANYPUBLISHREQUESTS);
    subs->pubq[(subs->pubq_head + subs->pubq_len) % subs->pubq_cap] = ctx->pending;
    subs->pubq_len++;
    ctx->pending = NULL;
    return UG_STATUS_GOODCOMPLETESASYNCHRONOUSLY;
}

ug_status sub_republish(struct ug_subs *subs, struct ug_svc_ctx *ctx, uint32_t sub_id,
                        uint32_t seq, ug_RepublishResponse *resp)
{
    struct sub *s = sub_find(subs, sub_id);
    if (s == NULL)
        return UG_STATUS_BADSUBSCRIPTIONIDINVALID;
    sub_touch(s);
    struct sub_retx *r = s->retx_head;
    while (r && r->seq != seq)
        r = r->next;
    if (r == NULL)
        return UG_STATUS_BADMESSAGENOTAVAILABLE;
    /* Decode from a copy in the response arena: the response holds views
     * into it, and an acknowledgement may free r before it is encoded. */
    uint8_t *copy = ug_arena_alloc(ctx->arena, r->len);
    if (copy == NULL)
        return UG_STATUS_BADOUTOFMEMORY;
    memcpy(copy, r->data, r->len);
    return ug_struct_decode(copy, r->len, &ug_desc_NotificationMessage,
                            &resp->notification_message, NULL, ctx->arena);
}

/* --------------------------------------------------------- Transfer -- */

ug_status sub_transfer(struct ug_subs *subs, uint32_t id, bool send_initial,
                       ug_TransferResult *res, ug_arena *arena)
{
    struct sub *s = sub_find(subs, id);
    if (s == NULL) {
        for (struct ug_subs *o = g_registry; o && s == NULL; o = o->reg_next)
            if (o != subs && o->server == subs->server && o->aspace == subs->aspace)
                s = sub_find(o, id);
        if (s == NULL)
            return res->status_code = UG_STATUS_BADSUBSCRIPTIONIDINVALID;
        struct ug_subs *old = s->subs;
        if (subs->n_active >= subs->lim.max_subscriptions_per_session)
            return res->status_code = UG_STATUS_BADTOOMANYSUBSCRIPTIONS;
        /* The old session learns of it by a StatusChangeNotification
         * GoodSubscriptionTransferred (Part 4 §5.13.7). */
        struct sub *z = calloc(1, sizeof *z);
        if (z == NULL)
            return res->status_code = UG_STATUS_BADOUTOFMEMORY;
        sub_unlink(s);
        z->subs = old;
        z->id = s->id;
        ug_timer_init(&z->timer, pub_tick, z);
        z->next_seq = s->next_seq;
        z->next = old->subs;
        old->subs = z;
        old->n_active++;
        sub_close(z, UG_STATUS_GOODSUBSCRIPTIONTRANSFERRED, old->loop ? ug_loop_now(old->loop) : 0);
        drain(old);
        s->subs = subs;
        s->next = subs->subs;
        subs->subs = s;
        subs->n_active++;
        s->lifetime_ctr = 0;
        if (send_initial) {
            ug_datetime now = ug_datetime_now();
            for (uint32_t i = 0; i < s->items_cap; i++) {
                struct sub_item *it = s->items[i];
                if (it && it->mode != UG_MONITORING_MODE_DISABLED) {
                    it->has_last = false;
                    sub_item_sample(it, now);
                }
            }
        }
    }
    res->status_code = UG_STATUS_GOOD;
    return available_seqs(s, arena, &res->available_sequence_numbers_len,
                          &res->available_sequence_numbers);
}
