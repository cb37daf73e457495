/* clientserver/pending.c — requests in flight and the deferral handshake.
 *
 * Every request gets a ug_svc_pending from a pool (its arena with 8 KiB
 * inline storage holds the decoded request and the response), so steady
 * state costs no malloc per request. Most requests end inside the dispatch
 * call; a service that cannot answer now takes its pending (state TAKEN,
 * linked in the server's inflight list) and later calls ug_svc_finish.
 *
 * The handshake (exactly one side completes):
 *   service finishes first  -> DONE, queued; the drain (a ug_delayed on the
 *                              loop) sends the response, then recycles.
 *   channel/session first   -> orphaned: conn/session cleared, cancel hook
 *                              run once; nothing is ever sent; the service's
 *                              later ug_svc_finish only recycles.
 * Identity: ids from a 64-bit counter, never reused; ug_svc_pending_find only
 * returns taken, unfinished pendings, so a stale id finds nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "server_internal.h"

static void on_hint(ug_loop *loop, struct ug_timer *t);

static void list_remove(ug_svc_pending **head, ug_svc_pending *p)
{
    if (p->prev)
        p->prev->next = p->next;
    else if (*head == p)
        *head = p->next;
    if (p->next)
        p->next->prev = p->prev;
    p->prev = p->next = NULL;
}

static void list_push(ug_svc_pending **head, ug_svc_pending *p)
{
    p->prev = NULL;
    p->next = *head;
    if (*head)
        (*head)->prev = p;
    *head = p;
}

ug_svc_pending *ug_pending_get(ug_server *s)
{
    ug_svc_pending *p = s->pool_free;
    if (p) {
        list_remove(&s->pool_free, p);
        s->n_pool_free--;
    } else {
        p = malloc(sizeof *p);
        if (!p)
            return NULL;
        memset(p, 0, offsetof(struct ug_svc_pending, buf));
        ug_arena_init(&p->arena, p->buf, sizeof p->buf, true);
        p->server = s;
        ug_timer_init(&p->hint_timer, on_hint, p);
    }
    p->id = ++s->next_pending_id;
    p->conn = NULL;
    p->session = NULL;
    p->entry = NULL;
    p->request = p->response = NULL;
    p->request_id = p->request_handle = 0;
    p->now = 0;
    p->state = UG_PENDING_ACTIVE;
    p->orphaned = false;
    p->result = UG_STATUS_GOOD;
    p->cancel = NULL;
    p->cancel_data = NULL;
    return p;
}

void ug_pending_put(ug_svc_pending *p)
{
    ug_server *s = p->server;
    ug_timer_stop(s->loop, &p->hint_timer);
    ug_arena_reset(&p->arena);
    p->state = UG_PENDING_FREE;
    p->conn = NULL;
    p->session = NULL;
    if (s->freeing || s->n_pool_free >= UG_REQ_POOL_MAX) {
        ug_arena_free(&p->arena);
        free(p);
        return;
    }
    list_push(&s->pool_free, p);
    s->n_pool_free++;
}

void ug_pending_take(ug_svc_pending *p)
{
    p->state = UG_PENDING_TAKEN;
    list_push(&p->server->inflight, p);
    p->server->stats.async_pending++;
}

static void drain_queue(ug_server *s)
{
    /* Detach the queue first: a response sent here may make a service
     * finish another pending, which queues for the next round. */
    ug_svc_pending *p = s->done_head;
    s->done_head = s->done_tail = NULL;
    while (p) {
        ug_svc_pending *next = p->next;
        p->prev = p->next = NULL;
        if (!p->orphaned && p->conn)
            ug_server_respond(p, p->result);
        ug_pending_put(p);
        p = next;
    }
}

static void drain(ug_loop *loop, struct ug_delayed *d)
{
    (void)loop;
    drain_queue(d->data);
}

void ug_pending_queue_done(ug_svc_pending *p)
{
    ug_server *s = p->server;
    p->state = UG_PENDING_DONE;
    p->next = NULL;
    p->prev = s->done_tail;
    if (s->done_tail)
        s->done_tail->next = p;
    else
        s->done_head = p;
    s->done_tail = p;
    if (s->freeing) {
        /* The loop will not run for us any more. */
        drain_queue(s);
        return;
    }
    ug_loop_add_delayed(s->loop, &s->drain, drain, s);
}

void ug_svc_finish(ug_svc_pending *p, ug_status result)
{
    if (!p)
        return;
    if (p->state == UG_PENDING_ACTIVE) {
        /* Finished from inside the service call that took it: the
         * dispatcher queues it when the service returns. */
        p->state = UG_PENDING_DONE;
        p->result = result;
        return;
    }
    if (p->state != UG_PENDING_TAKEN)
        return; /* finished twice: a service bug, ignored */
    ug_timer_stop(p->server->loop, &p->hint_timer);
    list_remove(&p->server->inflight, p);
    p->server->stats.async_pending--;
    p->result = result;
    ug_pending_queue_done(p);
}

void ug_svc_pending_drop(ug_svc_pending *p) { ug_svc_finish(p, UG_STATUS_BADINTERNALERROR); }

void *ug_svc_pending_response(ug_svc_pending *p) { return p ? p->response : NULL; }

ug_arena *ug_svc_pending_arena(ug_svc_pending *p) { return p ? &p->arena : NULL; }

bool ug_svc_pending_orphaned(const ug_svc_pending *p) { return !p || p->orphaned; }

uint64_t ug_svc_pending_id(const ug_svc_pending *p) { return p ? p->id : 0; }

ug_session *ug_svc_pending_session(const ug_svc_pending *p) { return p ? p->session : NULL; }

ug_svc_pending *ug_svc_pending_find(ug_server *s, uint64_t id)
{
    for (ug_svc_pending *p = s->inflight; p; p = p->next)
        if (p->id == id)
            return p;
    return NULL;
}

void ug_svc_pending_set_cancel(ug_svc_pending *p, ug_svc_cancel_fn fn, void *data)
{
    if (!p)
        return;
    p->cancel = fn;
    p->cancel_data = data;
}

static void orphan(ug_svc_pending *p)
{
    if (p->orphaned)
        return;
    ug_timer_stop(p->server->loop, &p->hint_timer);
    p->orphaned = true;
    p->conn = NULL;
    p->session = NULL;
    ug_svc_cancel_fn fn = p->cancel;
    p->cancel = NULL;
    if (fn)
        fn(p, p->cancel_data); /* may call ug_svc_finish (p leaves the list) */
}

/* The client's timeoutHint passed: answer BadTimeout now and orphan the
 * request, so that the service's late finish sends nothing. */
static void on_hint(ug_loop *loop, struct ug_timer *t)
{
    (void)loop;
    ug_svc_pending *p = t->data;
    if (p->state != UG_PENDING_TAKEN || p->orphaned)
        return;
    if (p->conn) {
        p->server->stats.faults++;
        (void)ug_conn_send_fault(p->conn, p->request_id, p->request_handle,
                                 UG_STATUS_BADTIMEOUT);
    }
    orphan(p);
}

void ug_pending_set_timeout(ug_svc_pending *p, uint32_t timeout_hint_ms)
{
    if (!timeout_hint_ms || p->state != UG_PENDING_TAKEN)
        return;
    (void)ug_timer_start_once(p->server->loop, &p->hint_timer,
                              ug_loop_now(p->server->loop) + (int64_t)timeout_hint_ms * 1000000);
}

/* The cancel hook may finish the pending it is given (and only that one),
 * which unlinks it: walk from a saved next. */
void ug_pending_orphan_conn(ug_server *s, ug_conn *c)
{
    for (ug_svc_pending *p = s->inflight, *next; p; p = next) {
        next = p->next;
        if (p->conn == c)
            orphan(p);
    }
    /* Finished but not yet drained: never send on a freed conn. */
    for (ug_svc_pending *p = s->done_head; p; p = p->next)
        if (p->conn == c) {
            p->orphaned = true;
            p->conn = NULL;
        }
}

void ug_pending_orphan_session(ug_server *s, ug_session *sess)
{
    for (ug_svc_pending *p = s->inflight, *next; p; p = next) {
        next = p->next;
        if (p->session == sess)
            orphan(p);
    }
    for (ug_svc_pending *p = s->done_head; p; p = p->next)
        if (p->session == sess)
            p->session = NULL; /* the response may still go out */
}

void ug_pending_orphan_all(ug_server *s)
{
    for (ug_svc_pending *p = s->inflight, *next; p; p = next) {
        next = p->next;
        orphan(p);
    }
    for (ug_svc_pending *p = s->done_head; p; p = p->next) {
        p->orphaned = true;
        p->conn = NULL;
        p->session = NULL;
    }
}

void ug_pending_free_all(ug_server *s)
{
    s->freeing = true;
    ug_loop_remove_delayed(s->loop, &s->drain);
    drain_queue(s); /* orphaned by now: only recycles */
    /* Still taken: their services never finished them (a bug in that
     * service, or one whose work outlives the server); free them so that
     * nothing leaks. A later ug_svc_finish on them would be a use after
     * free, which is why ug_aspace_free (run before this) finishes its own. */
    while (s->inflight) {
        ug_svc_pending *p = s->inflight;
        list_remove(&s->inflight, p);
        s->stats.async_pending--;
        ug_pending_put(p);
    }
    while (s->pool_free) {
        ug_svc_pending *p = s->pool_free;
        list_remove(&s->pool_free, p);
        ug_arena_free(&p->arena);
        free(p);
    }
    s->n_pool_free = 0;
}
