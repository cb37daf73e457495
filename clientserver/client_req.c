/* clientserver/client_req.c — the client's requests in flight: a fixed table
 * of slots made at ug_client_new, each with a timer and an arena that is
 * reset after every response, so a request costs no allocation unless its
 * response outgrows the slot's inline arena.
 *
 * Part 4 §7.32 (RequestHeader): requestHandle is the client's id for the
 * request and comes back in the ResponseHeader; timeoutHint tells the server
 * when the client gives up. Part 6 §6.7.2.4: the requestId of the
 * SecureChannel's sequence header matches a response to its request; the
 * client uses the same number for both.
 */
#include <stdlib.h>
#include <string.h>

#include "client_internal.h"
#include "uagate/ua_nodeids.h"

static void slot_release(struct cl_slot *s)
{
    ug_client *c = s->c;
    if (ug_timer_active(&s->timer))
        ug_timer_stop(c->loop, &s->timer);
    ug_arena_reset(&s->arena);
    s->handle = 0;
    s->done = NULL;
    s->user_cb = NULL;
    s->is_publish = false;
    c->inflight--;
}

/* Runs the completion of slot s with status, then frees the slot. The slot
 * is released first so that the completion may send the next request. The
 * arena survives until the completion returned. */
static void slot_complete(struct cl_slot *s, ug_status status, void *resp)
{
    ug_client *c = s->c;
    cl_done_fn done = s->done;
    void *arg = s->arg;
    ug_client_response_cb ucb = s->user_cb;
    void *uctx = s->user_ctx;
    bool pub = s->is_publish;
    uint32_t gen = s->session_gen;

    if (ug_timer_active(&s->timer))
        ug_timer_stop(c->loop, &s->timer);
    s->handle = 0; /* late answers for this handle are dropped from now on */
    if (pub && c->publish_outstanding)
        c->publish_outstanding--;
    /* The arena stays in use by resp; detach it while the callback runs so
     * that a request sent from the callback gets a clean slot. */
    ug_arena keep = s->arena;
    ug_arena_init(&s->arena, s->arena_buf, UG_CLIENT_SLOT_ARENA, true);
    s->done = NULL;
    s->user_cb = NULL;
    s->is_publish = false;
    c->inflight--;

    if (ucb)
        ucb(c, status, resp, uctx);
    else if (done)
        done(c, status, resp, arg);
    /* keep.buf is arena_buf: only free the overflow blocks; the slot may be
     * in use again by now, but its inline bytes are not touched by
     * freeing blocks. */
    keep.buf = NULL;
    keep.cap = 0;
    ug_arena_free(&keep);
    /* Part 4 §7.34: the session is gone (timed out, server restarted):
     * make a new one and move the subscriptions (Publish handles its own). */
    if (!pub && gen == c->session_gen && c->have_session &&
        (status == UG_STATUS_BADSESSIONIDINVALID || status == UG_STATUS_BADSESSIONCLOSED))
        cl_session_lost(c, status);
}

static void on_timeout(ug_loop *loop, struct ug_timer *t)
{
    (void)loop;
    struct cl_slot *s = t->data;
    if (s->handle)
        slot_complete(s, UG_STATUS_BADTIMEOUT, NULL);
}

ug_status cl_slots_init(ug_client *c)
{
    c->n_slots = c->cfg.max_inflight;
    c->slots = calloc(c->n_slots, sizeof *c->slots);
    if (!c->slots)
        return UG_STATUS_BADOUTOFMEMORY;
    for (uint32_t i = 0; i < c->n_slots; i++) {
        struct cl_slot *s = &c->slots[i];
        s->c = c;
        s->arena_buf = malloc(UG_CLIENT_SLOT_ARENA);
        if (!s->arena_buf)
            return UG_STATUS_BADOUTOFMEMORY;
        ug_arena_init(&s->arena, s->arena_buf, UG_CLIENT_SLOT_ARENA, true);
        ug_timer_init(&s->timer, on_timeout, s);
    }
    c->next_handle = 0;
    return UG_STATUS_GOOD;
}

void cl_slots_free(ug_client *c)
{
    if (!c->slots)
        return;
    for (uint32_t i = 0; i < c->n_slots; i++) {
        struct cl_slot *s = &c->slots[i];
        if (ug_timer_active(&s->timer))
            ug_timer_stop(c->loop, &s->timer);
        ug_arena_free(&s->arena);
        free(s->arena_buf);
    }
    free(c->slots);
    c->slots = NULL;
}

/* A free slot and a fresh handle whose remainder modulo n_slots is its
 * index. Handles never repeat before 2^32 / n_slots requests; 0 is skipped. */
static struct cl_slot *slot_take(ug_client *c)
{
    if (c->inflight >= c->n_slots)
        return NULL;
    for (uint32_t tries = 0; tries < c->n_slots; tries++) {
        uint32_t h = ++c->next_handle;
        if (h == 0)
            h = ++c->next_handle;
        struct cl_slot *s = &c->slots[h % c->n_slots];
        if (s->handle == 0) {
            s->handle = h;
            c->inflight++;
            return s;
        }
    }
    return NULL;
}

ug_status cl_send(ug_client *c, const ug_type_desc *req_desc, void *req,
                  const ug_type_desc *resp_desc, int64_t timeout_ns, cl_done_fn done, void *arg,
                  bool is_publish)
{
    if (!req_desc || !req || !resp_desc || req_desc->n_members == 0 ||
        req_desc->members[0].offset != 0 || req_desc->members[0].desc != &ug_desc_RequestHeader)
        return UG_STATUS_BADINVALIDARGUMENT;
    if (!c->conn || !c->channel_open)
        return UG_STATUS_BADSERVERNOTCONNECTED;
    struct cl_slot *s = slot_take(c);
    if (!s)
        return UG_STATUS_BADTOOMANYOPERATIONS;
    if (timeout_ns <= 0)
        timeout_ns = c->cfg.request_timeout_ns;

    ug_RequestHeader *h = req;
    h->authentication_token = c->have_session ? c->auth_token : (ug_nodeid){0};
    h->timestamp = ug_datetime_now();
    h->request_handle = s->handle;
    /* Part 4 §7.32: timeoutHint in ms, 0 = no timeout. */
    int64_t ms = timeout_ns / 1000000;
    h->timeout_hint = ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;

    s->resp_desc = resp_desc;
    s->done = done;
    s->arg = arg;
    s->user_cb = NULL;
    s->is_publish = is_publish;
    s->session_gen = c->session_gen;
    c->last_send_ns = ug_loop_now(c->loop);
    ug_status st = ug_conn_send(c->conn, s->handle, req_desc, req);
    ug_arena_reset(&c->scratch);
    if (st != UG_STATUS_GOOD) {
        slot_release(s);
        return st;
    }
    st = ug_timer_start_once(c->loop, &s->timer, ug_loop_now(c->loop) + timeout_ns);
    if (st != UG_STATUS_GOOD) {
        /* Sent, but without a timer it could wait forever (the timer heap
         * could not grow): forget it, a late answer is dropped. */
        slot_release(s);
        return st;
    }
    if (is_publish)
        c->publish_outstanding++;
    return UG_STATUS_GOOD;
}

ug_status ug_client_request_async(ug_client *c, const ug_type_desc *req_desc, void *req,
                                  const ug_type_desc *resp_desc, int64_t timeout_ns,
                                  ug_client_response_cb cb, void *ctx)
{
    if (!c || !cb)
        return UG_STATUS_BADINVALIDARGUMENT;
    ug_status st = cl_send(c, req_desc, req, resp_desc, timeout_ns, NULL, NULL, false);
    if (st != UG_STATUS_GOOD)
        return st;
    struct cl_slot *s = &c->slots[c->next_handle % c->n_slots];
    s->user_cb = cb;
    s->user_ctx = ctx;
    return UG_STATUS_GOOD;
}

void cl_detach_ctx(ug_client *c, void *ctx)
{
    for (uint32_t i = 0; i < c->n_slots; i++) {
        struct cl_slot *s = &c->slots[i];
        if (s->handle && s->user_ctx == ctx && s->user_cb) {
            s->user_cb = NULL;
            s->done = NULL;
        }
    }
}

void cl_fail_all(ug_client *c, ug_status status)
{
    for (uint32_t i = 0; i < c->n_slots; i++) {
        struct cl_slot *s = &c->slots[i];
        if (s->handle)
            slot_complete(s, status, NULL);
    }
}

void cl_abort(ug_client *c, uint32_t request_id, ug_status status)
{
    if (request_id == 0 || !c->slots)
        return;
    struct cl_slot *s = &c->slots[request_id % c->n_slots];
    if (s->handle == request_id)
        slot_complete(s, ug_is_bad(status) ? status : UG_STATUS_BADUNEXPECTEDERROR, NULL);
}

/* Part 4 §7.34: a ServiceFault carries the service result in its header. */
void cl_on_response(ug_client *c, uint32_t request_id, uint32_t encoding_id, ug_rd *body)
{
    if (request_id == 0 || !c->slots)
        return;
    struct cl_slot *s = &c->slots[request_id % c->n_slots];
    if (s->handle != request_id)
        return; /* timed out or unknown: dropped (Part 4 §5.3: late answers) */

    body->arena = &s->arena;
    if (encoding_id == UG_NS0_SERVICE_FAULT_ENCODING_DEFAULT_BINARY) {
        ug_ServiceFault f;
        memset(&f, 0, sizeof f);
        ug_rd_struct(body, &ug_desc_ServiceFault, &f);
        ug_status st = body->err;
        if (st == UG_STATUS_GOOD)
            st = ug_is_bad(f.response_header.service_result) ? f.response_header.service_result
                                                             : UG_STATUS_BADUNEXPECTEDERROR;
        slot_complete(s, st, NULL);
        return;
    }
    if (encoding_id != s->resp_desc->binary_encoding_id) {
        slot_complete(s, UG_STATUS_BADUNKNOWNRESPONSE, NULL);
        return;
    }
    void *resp = ug_arena_alloc(&s->arena, s->resp_desc->size);
    if (!resp) {
        slot_complete(s, UG_STATUS_BADOUTOFMEMORY, NULL);
        return;
    }
    memset(resp, 0, s->resp_desc->size);
    ug_rd_struct(body, s->resp_desc, resp);
    if (body->err != UG_STATUS_GOOD) {
        slot_complete(s, body->err, NULL);
        return;
    }
    if (ug_rd_left(body) != 0) {
        slot_complete(s, UG_STATUS_BADDECODINGERROR, NULL);
        return;
    }
    const ug_ResponseHeader *rh = resp;
    if (rh->request_handle != request_id) {
        slot_complete(s, UG_STATUS_BADUNKNOWNRESPONSE, NULL);
        return;
    }
    ug_status st = ug_is_bad(rh->service_result) ? rh->service_result : UG_STATUS_GOOD;
    slot_complete(s, st, resp);
}

/* ---------------------------------------------------------- NodeId copies -- */

static size_t id_bytes(const ug_nodeid *n)
{
    if (n->id_type == UG_ID_STRING || n->id_type == UG_ID_OPAQUE)
        return n->id.string.len > 0 ? (size_t)n->id.string.len : 0;
    return 0;
}

ug_status cl_nodeid_dup(const ug_nodeid *src, ug_nodeid *dst, uint8_t **buf)
{
    *dst = *src;
    *buf = NULL;
    size_t n = id_bytes(src);
    if (n) {
        *buf = malloc(n);
        if (!*buf)
            return UG_STATUS_BADOUTOFMEMORY;
        memcpy(*buf, src->id.string.data, n);
        dst->id.string.data = *buf;
    }
    return UG_STATUS_GOOD;
}

