/* The AMQP transport's send queue: a ring of encoded messages that waits
 * for a connection and link credit and, at AtLeastOnce, for the broker's
 * disposition; the queue policy when it is full. */

#include <proton/delivery.h>
#include <proton/link.h>

#include "amqp_internal.h"

void ug_amqp_pop_done(struct ug_amqp *a)
{
    while (a->qlen && amqp_at(a, 0)->state == E_DONE) {
        struct amqp_entry *e = amqp_at(a, 0);
        e->state = E_WAIT;
        e->dlv = NULL;
        a->qhead = (a->qhead + 1) % a->qcap;
        a->qlen--;
        if (a->qnext)
            a->qnext--;
    }
    a->stats.queued = a->qlen;
}

static void drop_oldest(struct ug_amqp *a)
{
    struct amqp_entry *e = amqp_at(a, 0);
    if (e->state == E_FLIGHT && e->dlv)
        pn_delivery_set_context(e->dlv, NULL); /* its disposition finds no entry */
    if (e->state != E_DONE)
        a->stats.dropped++;
    e->state = E_DONE;
    ug_amqp_pop_done(a);
}

/* Puts queued messages on the link while it has credit, in order. */
void ug_amqp_flush(struct ug_amqp *a)
{
    if (!a->up || !a->snd)
        return;
    uint64_t remote_max = pn_link_remote_max_message_size(a->snd);
    while (a->qnext < a->qlen && pn_link_credit(a->snd) > 0) {
        struct amqp_entry *e = amqp_at(a, a->qnext);
        a->qnext++;
        if (e->state == E_DONE)
            continue;
        if (remote_max && e->len > remote_max) {
            ug_amqp_set_error(a, UG_STATUS_BADENCODINGLIMITSEXCEEDED,
                              "amqp: message of %zu bytes over the link's max-message-size %llu",
                              e->len, (unsigned long long)remote_max);
            e->state = E_DONE;
            a->stats.dropped++;
            continue;
        }
        uint64_t tag = ++a->tag_counter;
        pn_delivery_t *d = pn_delivery(a->snd, pn_dtag((const char *)&tag, sizeof tag));
        pn_link_send(a->snd, (const char *)e->buf, e->len);
        pn_link_advance(a->snd);
        a->stats.sent++;
        if (e->was_sent)
            a->stats.resent++;
        e->was_sent = true;
        if (a->presettled) {
            pn_delivery_settle(d);
            e->state = E_DONE;
        } else {
            e->state = E_FLIGHT;
            e->dlv = d;
            pn_delivery_set_context(d, e);
        }
    }
    ug_amqp_pop_done(a);
}

ug_status ug_transport_amqp_send(ug_transport *t, ug_bytes body, const ug_amqp_send_info *info)
{
    if (!t || body.len < 0 || (body.len > 0 && !body.data))
        return UG_STATUS_BADINVALIDARGUMENT;
    if (t->ops->kind != UG_TRANSPORT_AMQP || t->closing || !(t->mode & UG_TRANSPORT_SEND))
        return UG_STATUS_BADINVALIDSTATE;
    if ((uint32_t)body.len > t->max_msg)
        return UG_STATUS_BADENCODINGLIMITSEXCEEDED;
    struct ug_amqp *a = amqp_of(t);
    if (a->qlen == a->qcap) {
        if (a->policy == UG_AMQP_DROP_NEWEST) {
            a->stats.dropped++;
            return UG_STATUS_GOOD;
        }
        if (a->policy == UG_AMQP_BLOCK)
            return UG_STATUS_BADWOULDBLOCK;
        drop_oldest(a);
    }
    struct amqp_entry *e = amqp_at(a, a->qlen);
    e->state = E_WAIT;
    e->dlv = NULL;
    e->was_sent = false;
    ug_status st = ug_amqp_encode(a, e, body, info);
    if (ug_is_bad(st))
        return st;
    a->qlen++;
    a->stats.queued = a->qlen;
    if (a->up) {
        ug_amqp_flush(a);
        if (!a->in_pump)
            ug_amqp_pump(a);
    }
    return UG_STATUS_GOOD;
}
