/* amqp:// and amqps:// transport (AMQP 1.0 on qpid-proton-c, Part 14 1.05
 * §7.3.4): one TCP (or TLS) connection the loop runs through a proton
 * connection driver, a sender and/or a receiver link on the URL's address,
 * reconnect with exponential back-off, and a bounded send queue that holds
 * messages while disconnected and, at AtLeastOnce, until the broker settles
 * them (re-sent after a reconnect). No proton thread: the driver only turns
 * bytes into events, and every byte moves on the loop thread. */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <unistd.h>

#include <proton/condition.h>
#include <proton/connection.h>
#include <proton/delivery.h>
#include <proton/disposition.h>
#include <proton/link.h>
#include <proton/sasl.h>
#include <proton/session.h>
#include <proton/terminus.h>
#include <proton/transport.h>

#include "amqp_internal.h"

#define DEFAULT_MSG 65536u
#define MAX_MSG (64u << 20)
#define DEFAULT_CREDIT 64u
#define DEFAULT_QUEUE 1024u
#define MAX_QUEUE (1u << 20)
#define RX_HEADROOM 8192u /* header sections around the body */
#define READS_PER_WAKE 16

static void finish_close(struct ug_amqp *a);

static int64_t now_ms(void)
{
    return ug_clock_mono_ns() / 1000000;
}

void ug_amqp_set_error(struct ug_amqp *a, ug_status st, const char *fmt, ...)
{
    if (ug_is_bad(a->stats.last_error))
        return;
    a->stats.last_error = st;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->stats.error, sizeof a->stats.error, fmt, ap);
    va_end(ap);
}

static void set_error_cond(struct ug_amqp *a, pn_condition_t *c, const char *where)
{
    if (!c || !pn_condition_is_set(c))
        return;
    const char *name = pn_condition_get_name(c) ? pn_condition_get_name(c) : "";
    const char *desc = pn_condition_get_description(c) ? pn_condition_get_description(c) : "";
    ug_status st = UG_STATUS_BADCONNECTIONCLOSED;
    if (strstr(name, "unauthorized-access"))
        st = UG_STATUS_BADUSERACCESSDENIED; /* SASL outcome auth (AMQP 1.0 §5.3.3.6) */
    else if (strstr(name, "not-found"))
        st = UG_STATUS_BADNOTFOUND;
    else if (strstr(desc, "SSL") || strstr(desc, "certificate") || strstr(name, "security"))
        st = UG_STATUS_BADSECURITYCHECKSFAILED;
    ug_amqp_set_error(a, st, "amqp %s: %s %s", where, name, desc);
}

static void report(struct ug_amqp *a, enum ug_transport_state state, ug_status st)
{
    ug_transport *t = a->t;
    if (!a->closing && t->cbs.on_state)
        t->cbs.on_state(t->cbs.ctx, t, state, st);
}

/* ---------------------------------------------------------- receiving -- */

static void top_up_credit(struct ug_amqp *a)
{
    int have = pn_link_credit(a->rcv);
    /* Replenish in half-window steps: one flow frame per credit/2 messages. */
    if (have < 0 || (uint32_t)have <= a->credit / 2)
        pn_link_flow(a->rcv, (int)a->credit - (have > 0 ? have : 0));
}

static bool take_one(struct ug_amqp *a, pn_delivery_t *d);

/* Proton raises no event for a delivery that becomes the link's current one
 * only by the advance past the one before: drain every complete one here. */
static void on_incoming(struct ug_amqp *a, pn_delivery_t *d)
{
    while (d && take_one(a, d) && a->rcv)
        d = pn_link_current(a->rcv);
}

/* Reads d when it is the current delivery; true when it was complete and
 * taken. */
static bool take_one(struct ug_amqp *a, pn_delivery_t *d)
{
    if (!pn_delivery_readable(d))
        return false;
    bool overflow = false;
    for (;;) {
        size_t room = a->rxcap - a->rxlen;
        if (room == 0) {
            char sink[1024];
            ssize_t n = pn_link_recv(a->rcv, sink, sizeof sink);
            if (n <= 0)
                break;
            overflow = true;
            continue;
        }
        ssize_t n = pn_link_recv(a->rcv, (char *)a->rxbuf + a->rxlen, room);
        if (n <= 0)
            break;
        a->rxlen += (size_t)n;
    }
    if (a->rxlen == a->rxcap)
        overflow = overflow || pn_delivery_pending(d) > 0;
    if (pn_delivery_partial(d))
        return false;
    ug_transport *t = a->t;
    ug_bytes body;
    ug_status st = overflow ? UG_STATUS_BADENCODINGLIMITSEXCEEDED : ug_amqp_decode(a, &body);
    if (ug_is_good(st)) {
        a->stats.received++;
        ug_transport_addr addr = {.kind = UG_TRANSPORT_AMQP};
        ug_transport_msg m = {.data = body, .from = &addr, .rx_time_ns = ug_clock_real_ns()};
        a->in_recv = true;
        if (!a->closing)
            t->cbs.on_recv(t->cbs.ctx, t, &m);
        a->in_recv = false;
        pn_delivery_update(d, PN_ACCEPTED);
    } else {
        ug_amqp_set_error(a, st, "amqp: received message %s",
                          overflow ? "longer than max_msg" : "does not decode");
        pn_delivery_update(d, PN_REJECTED);
        report(a, UG_TRANSPORT_ERROR, st);
        a->stats.last_error = UG_STATUS_GOOD; /* not a connection state */
    }
    /* Advance first: settling the current delivery would advance too. */
    pn_link_advance(a->rcv);
    pn_delivery_settle(d);
    a->rxlen = 0;
    top_up_credit(a);
    return true;
}

static void on_disposition(struct ug_amqp *a, pn_delivery_t *d)
{
    uint64_t rs = pn_delivery_remote_state(d);
    if (!pn_delivery_settled(d) && rs != PN_ACCEPTED && rs != PN_REJECTED && rs != PN_RELEASED &&
        rs != PN_MODIFIED)
        return;
    struct amqp_entry *e = pn_delivery_get_context(d);
    if (rs == PN_ACCEPTED)
        a->stats.settled++;
    else
        a->stats.rejected++;
    if (e) {
        e->state = E_DONE;
        e->dlv = NULL;
    }
    pn_delivery_settle(d);
    ug_amqp_pop_done(a);
}

/* --------------------------------------------------------- connection -- */

static void check_up(struct ug_amqp *a)
{
    if (a->up)
        return;
    if (a->snd && !(pn_link_state(a->snd) & PN_REMOTE_ACTIVE))
        return;
    if (a->rcv && !(pn_link_state(a->rcv) & PN_REMOTE_ACTIVE))
        return;
    /* RabbitMQ answers a refused attach with a null terminus, then a detach. */
    if (a->snd && !pn_terminus_get_address(pn_link_remote_target(a->snd)))
        return;
    if (a->rcv && !pn_terminus_get_address(pn_link_remote_source(a->rcv)))
        return;
    a->up = true;
    if (a->ever_up)
        a->stats.reconnects++;
    a->ever_up = true;
    a->backoff_ms = a->backoff_min_ms;
    a->stats.connected = true;
    a->stats.last_error = UG_STATUS_GOOD;
    a->stats.error[0] = '\0';
    report(a, UG_TRANSPORT_CONNECTED, UG_STATUS_GOOD);
    ug_amqp_flush(a);
}

static void handle(struct ug_amqp *a, pn_event_t *ev)
{
    pn_connection_t *c = a->drv.connection;
    switch (pn_event_type(ev)) {
    case PN_LINK_REMOTE_OPEN: check_up(a); break;
    case PN_LINK_FLOW:
        if (pn_event_link(ev) == a->snd)
            ug_amqp_flush(a);
        break;
    case PN_DELIVERY: {
        pn_delivery_t *d = pn_event_delivery(ev);
        if (pn_delivery_link(d) == a->snd)
            on_disposition(a, d);
        else if (pn_delivery_link(d) == a->rcv)
            on_incoming(a, d);
        break;
    }
    case PN_TRANSPORT_ERROR:
        set_error_cond(a, pn_transport_condition(a->drv.transport), "transport");
        break;
    case PN_CONNECTION_REMOTE_CLOSE:
        set_error_cond(a, pn_connection_remote_condition(c), "connection");
        pn_connection_close(c);
        break;
    case PN_SESSION_REMOTE_CLOSE:
        set_error_cond(a, pn_session_remote_condition(pn_event_session(ev)), "session");
        pn_connection_close(c);
        break;
    case PN_LINK_REMOTE_CLOSE:
    case PN_LINK_REMOTE_DETACH:
        set_error_cond(a, pn_link_remote_condition(pn_event_link(ev)), "link");
        ug_amqp_set_error(a, UG_STATUS_BADCONNECTIONCLOSED, "amqp: the broker detached the link");
        pn_connection_close(c);
        break;
    default: break;
    }
}

static void stop_io(struct ug_amqp *a)
{
    if (a->watching)
        ug_watch_stop(a->t->loop, &a->watch);
    a->watching = false;
    ug_timer_stop(a->t->loop, &a->tick);
    if (a->have_driver)
        pn_connection_driver_destroy(&a->drv);
    a->have_driver = false;
    a->ssn = NULL;
    a->snd = a->rcv = NULL;
    if (a->fd >= 0)
        close(a->fd);
    a->fd = a->t->fd = -1;
    a->connecting = false;
    /* The deliveries died with the connection: whatever was on the link and
     * not settled goes again, in its place in the queue. */
    for (uint32_t i = 0; i < a->qnext; i++) {
        struct amqp_entry *e = amqp_at(a, i);
        if (e->state == E_FLIGHT)
            e->state = E_WAIT;
        e->dlv = NULL;
    }
    a->qnext = 0;
    a->rxlen = 0;
    a->up = false;
    a->stats.connected = false;
}

static void schedule_retry(struct ug_amqp *a)
{
    ug_timer_start_once(a->t->loop, &a->retry,
                        ug_clock_mono_ns() + (int64_t)a->backoff_ms * 1000000);
    uint32_t next = a->backoff_ms * 2;
    a->backoff_ms = next > a->backoff_max_ms ? a->backoff_max_ms : next;
}

/* The connection ended or never started: report, then try again later. */
static void conn_lost(struct ug_amqp *a)
{
    if (a->have_driver)
        set_error_cond(a, pn_transport_condition(a->drv.transport), "transport");
    ug_amqp_set_error(a, UG_STATUS_BADCONNECTIONCLOSED, "amqp: connection to %s:%u closed",
                      a->url.host, a->url.port);
    stop_io(a);
    if (a->closing)
        return;
    report(a, UG_TRANSPORT_ERROR, a->stats.last_error);
    schedule_retry(a);
}

static void update_watch(struct ug_amqp *a)
{
    uint32_t ev = 0;
    if (a->connecting)
        ev = EPOLLOUT;
    else {
        if (!pn_connection_driver_read_closed(&a->drv))
            ev |= EPOLLIN;
        if (pn_connection_driver_write_buffer(&a->drv).size)
            ev |= EPOLLOUT;
    }
    if (ev != a->wevents && a->watching && ug_is_good(ug_watch_modify(a->t->loop, &a->watch, ev)))
        a->wevents = ev;
}

static void do_write(struct ug_amqp *a)
{
    for (;;) {
        pn_bytes_t wb = pn_connection_driver_write_buffer(&a->drv);
        if (!wb.size)
            return;
        ssize_t n = send(a->fd, wb.start, wb.size, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            pn_connection_driver_write_done(&a->drv, (size_t)n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        pn_connection_driver_errorf(&a->drv, "amqp:connection:framing-error", "send: %s",
                                    strerror(errno));
        pn_connection_driver_close(&a->drv);
        return;
    }
}

static void do_read(struct ug_amqp *a)
{
    for (int i = 0; i < READS_PER_WAKE; i++) {
        pn_rwbytes_t rb = pn_connection_driver_read_buffer(&a->drv);
        if (!rb.size)
            return;
        ssize_t n = recv(a->fd, rb.start, rb.size, MSG_DONTWAIT);
        if (n > 0) {
            pn_connection_driver_read_done(&a->drv, (size_t)n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n < 0)
            ug_amqp_set_error(a, UG_STATUS_BADCONNECTIONCLOSED, "amqp: recv from %s:%u: %s",
                              a->url.host, a->url.port, strerror(errno));
        pn_connection_driver_read_close(&a->drv);
        return;
    }
}

/* Events, then bytes out, until neither moves; then the idle-time-out timer. */
void ug_amqp_pump(struct ug_amqp *a)
{
    if (!a->have_driver)
        return;
    a->in_pump = true;
    for (int round = 0; round < 64; round++) {
        pn_event_t *ev;
        while ((ev = pn_connection_driver_next_event(&a->drv)))
            handle(a, ev);
        do_write(a);
        if (!pn_connection_driver_has_event(&a->drv))
            break;
    }
    if (pn_connection_driver_finished(&a->drv)) {
        conn_lost(a);
    } else {
        int64_t next = pn_transport_tick(a->drv.transport, now_ms());
        if (next > 0)
            ug_timer_start_once(a->t->loop, &a->tick, next * 1000000);
        update_watch(a);
    }
    a->in_pump = false;
    if (a->closing)
        finish_close(a);
}

static void start_driver(struct ug_amqp *a)
{
    if (pn_connection_driver_init(&a->drv, NULL, NULL) != 0) {
        ug_amqp_set_error(a, UG_STATUS_BADOUTOFMEMORY, "amqp: cannot create a proton connection");
        conn_lost(a);
        return;
    }
    a->have_driver = true;
    pn_connection_t *c = a->drv.connection;
    pn_transport_t *tr = a->drv.transport;
    pn_connection_set_container(c, a->container);
    if (a->user) {
        pn_connection_set_user(c, a->user);
        pn_connection_set_password(c, a->password ? a->password : "");
    }
    pn_sasl_t *sasl = pn_sasl(tr);
    pn_sasl_allowed_mechs(sasl, a->user ? "PLAIN" : "ANONYMOUS");
    /* Built without Cyrus SASL, proton refuses PLAIN in the clear unless told. */
    if (!a->url.amqp.tls)
        pn_sasl_set_allow_insecure_mechs(sasl, true);
    if (a->ssl) {
        pn_ssl_t *ssl = pn_ssl(tr);
        pn_ssl_init(ssl, a->ssl, NULL);
        pn_ssl_set_peer_hostname(ssl, a->tls_hostname ? a->tls_hostname : a->url.host);
    }
    if (a->keep_alive_ms)
        pn_transport_set_idle_timeout(tr, a->keep_alive_ms);
    ug_amqp_put_props_map(pn_connection_properties(c), a->conn_props);
    pn_connection_open(c);
    a->ssn = pn_session(c);
    pn_session_open(a->ssn);
    ug_transport *t = a->t;
    if (t->mode & UG_TRANSPORT_SEND) {
        a->snd = pn_sender(a->ssn, "uagate-send");
        pn_terminus_set_address(pn_link_target(a->snd), a->url.amqp.address);
        /* RabbitMQ declares a /queue/ node durable only for a durable
         * terminus; at least once has to survive a broker restart. */
        if (!a->presettled)
            pn_terminus_set_durability(pn_link_target(a->snd), PN_CONFIGURATION);
        pn_link_set_snd_settle_mode(a->snd, a->presettled ? PN_SND_SETTLED : PN_SND_UNSETTLED);
        pn_link_set_rcv_settle_mode(a->snd, PN_RCV_FIRST);
        ug_amqp_put_props_map(pn_link_properties(a->snd), a->link_props);
        pn_link_open(a->snd);
    }
    if (t->mode & UG_TRANSPORT_RECV) {
        a->rcv = pn_receiver(a->ssn, "uagate-recv");
        pn_terminus_set_address(pn_link_source(a->rcv), a->url.amqp.address);
        if (!a->presettled)
            pn_terminus_set_durability(pn_link_source(a->rcv), PN_CONFIGURATION);
        pn_link_set_snd_settle_mode(a->rcv, a->presettled ? PN_SND_SETTLED : PN_SND_UNSETTLED);
        pn_link_set_rcv_settle_mode(a->rcv, PN_RCV_FIRST);
        pn_link_set_max_message_size(a->rcv, a->rxcap);
        ug_amqp_put_props_map(pn_link_properties(a->rcv), a->link_props);
        pn_link_open(a->rcv);
        pn_link_flow(a->rcv, (int)a->credit);
    }
    ug_amqp_pump(a);
}

static void watch_cb(ug_loop *loop, struct ug_watch *w, uint32_t revents)
{
    (void)loop;
    struct ug_amqp *a = w->data;
    if (a->connecting) {
        int err = 0;
        socklen_t len = sizeof err;
        if (getsockopt(a->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
            err = errno;
        if (err == 0 && !(revents & (EPOLLERR | EPOLLHUP))) {
            a->connecting = false;
            start_driver(a);
            return;
        }
        ug_amqp_set_error(
            a, err == ECONNREFUSED ? UG_STATUS_BADCONNECTIONREJECTED : UG_STATUS_BADNOCOMMUNICATION,
            "amqp: connect to %s:%u: %s", a->url.host, a->url.port,
            strerror(err ? err : ECONNRESET));
        conn_lost(a);
        return;
    }
    if (revents & (EPOLLIN | EPOLLERR | EPOLLHUP))
        do_read(a);
    ug_amqp_pump(a);
}

static void connect_start(struct ug_amqp *a)
{
    a->stats.last_error = UG_STATUS_GOOD;
    a->stats.error[0] = '\0';
    a->fd = socket(a->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (a->fd < 0) {
        ug_amqp_set_error(a, ug_tr_errno_status(errno), "amqp: socket: %s", strerror(errno));
        conn_lost(a);
        return;
    }
    a->t->fd = a->fd;
    int on = 1;
    setsockopt(a->fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    int rc = connect(a->fd, (struct sockaddr *)&a->sa, a->salen);
    if (rc != 0 && errno != EINPROGRESS) {
        int e = errno;
        ug_amqp_set_error(
            a, e == ECONNREFUSED ? UG_STATUS_BADCONNECTIONREJECTED : UG_STATUS_BADNOCOMMUNICATION,
            "amqp: connect to %s:%u: %s", a->url.host, a->url.port, strerror(e));
        conn_lost(a);
        return;
    }
    a->connecting = rc != 0;
    a->wevents = a->connecting ? EPOLLOUT : EPOLLIN | EPOLLOUT;
    memset(&a->watch, 0, sizeof a->watch);
    ug_status st = ug_watch_start(a->t->loop, &a->watch, a->fd, a->wevents, watch_cb, a);
    if (ug_is_bad(st)) {
        ug_amqp_set_error(a, st, "amqp: cannot watch the socket");
        conn_lost(a);
        return;
    }
    a->watching = true;
    if (!a->connecting)
        start_driver(a);
}

static void retry_cb(ug_loop *loop, struct ug_timer *tm)
{
    (void)loop;
    connect_start(tm->data);
}

static void tick_cb(ug_loop *loop, struct ug_timer *tm)
{
    (void)loop;
    ug_amqp_pump(tm->data);
}

/* ------------------------------------------------------ open / close -- */

static void free_state(struct ug_amqp *a)
{
    stop_io(a);
    ug_timer_stop(a->t->loop, &a->retry);
    for (uint32_t i = 0; a->q && i < a->qcap; i++)
        free(a->q[i].buf);
    free(a->q);
    free(a->rxbuf);
    if (a->ssl)
        pn_ssl_domain_free(a->ssl);
    pn_data_free(a->conn_props);
    pn_data_free(a->link_props);
    pn_data_free(a->app_props);
    if (a->tx)
        pn_message_free(a->tx);
    if (a->rx)
        pn_message_free(a->rx);
    if (a->password)
        explicit_bzero(a->password, strlen(a->password));
    free(a->user);
    free(a->password);
    free(a->container);
    free(a->tls_hostname);
    a->t->u.broker = NULL;
    free(a);
}

static void finish_close(struct ug_amqp *a)
{
    ug_transport *t = a->t;
    if (a->have_driver && !a->connecting) {
        /* Best effort: the close frame goes out if the socket takes it now. */
        pn_connection_close(a->drv.connection);
        pn_event_t *ev;
        while ((ev = pn_connection_driver_next_event(&a->drv)))
            (void)ev;
        do_write(a);
    }
    free_state(a);
    ug_tr_closed(t);
}

static void amqp_close(ug_transport *t)
{
    struct ug_amqp *a = amqp_of(t);
    a->closing = true;
    if (!a->in_pump)
        finish_close(a);
}

static void amqp_shutdown(ug_transport *t)
{
    if (amqp_of(t))
        free_state(amqp_of(t));
}

static char *dup_opt(const char *s, bool *oom)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *oom = true;
    return d;
}

static ug_status check(const ug_transport_url *url, const ug_transport_opts *o)
{
    const ug_amqp_opts *ao = &o->amqp;
    if (o->interface || o->priority || o->txtime || o->rx_timestamps)
        return ug_tr_err(
            o, UG_STATUS_BADNOTSUPPORTED,
            "amqp: interface, priority, txtime and rx_timestamps are for opc.udp/opc.eth");
    if (o->max_msg > MAX_MSG)
        return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT, "amqp: max_msg over %u", MAX_MSG);
    if ((unsigned)ao->qos > UG_AMQP_QOS_EXACTLY_ONCE || (unsigned)ao->body > UG_AMQP_BODY_JSON ||
        (unsigned)ao->queue_policy > UG_AMQP_BLOCK)
        return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT,
                         "amqp: qos, body or queue_policy out of range");
    if (ao->credit > 65535 || ao->queue_max > MAX_QUEUE)
        return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT,
                         "amqp: credit over 65535 or queue_max over %u", MAX_QUEUE);
    if (ao->password && !ao->user)
        return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT, "amqp: a password needs a user");
    if (url->amqp.tls && !ao->ca_file)
        return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT, "amqps: needs ca_file");
    if (!url->amqp.tls && (ao->ca_file || ao->cert_file))
        return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT,
                         "amqp: TLS files given for amqp:// (use amqps://)");
    if (!ao->cert_file != !ao->key_file)
        return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT,
                         "amqps: cert_file and key_file go together");
    return UG_STATUS_GOOD;
}

static ug_status tls_init(struct ug_amqp *a, const ug_transport_opts *o)
{
    const ug_amqp_opts *ao = &o->amqp;
    if (!pn_ssl_present())
        return ug_tr_err(o, UG_STATUS_BADNOTSUPPORTED, "amqps: proton built without TLS");
    a->ssl = pn_ssl_domain(PN_SSL_MODE_CLIENT);
    if (!a->ssl)
        return ug_tr_err(o, UG_STATUS_BADOUTOFMEMORY, "amqps: no TLS domain");
    if (pn_ssl_domain_set_trusted_ca_db(a->ssl, ao->ca_file) != 0)
        return ug_tr_err(o, UG_STATUS_BADCERTIFICATEINVALID, "amqps: cannot load CA file %s",
                         ao->ca_file);
    if (pn_ssl_domain_set_peer_authentication(a->ssl, PN_SSL_VERIFY_PEER_NAME, NULL) != 0)
        return ug_tr_err(o, UG_STATUS_BADSECURITYCHECKSFAILED, "amqps: cannot require peer checks");
    if (ao->cert_file &&
        pn_ssl_domain_set_credentials(a->ssl, ao->cert_file, ao->key_file, ao->key_password) != 0)
        return ug_tr_err(o, UG_STATUS_BADCERTIFICATEINVALID,
                         "amqps: cannot load certificate %s or its key", ao->cert_file);
    return UG_STATUS_GOOD;
}

static ug_status amqp_open(ug_transport *t, const ug_transport_url *url, const ug_transport_opts *o)
{
    const ug_amqp_opts *ao = &o->amqp;
    ug_status st = check(url, o);
    if (ug_is_bad(st))
        return st;
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    char port[8];
    snprintf(port, sizeof port, "%u", url->port);
    int rc = getaddrinfo(url->host, port, &hints, &res);
    if (rc != 0 || !res)
        return ug_tr_err(o, UG_STATUS_BADNOTFOUND, "amqp: host \"%s\" does not resolve: %s",
                         url->host, gai_strerror(rc));
    struct ug_amqp *a = calloc(1, sizeof *a);
    if (!a) {
        freeaddrinfo(res);
        return ug_tr_err(o, UG_STATUS_BADOUTOFMEMORY, "amqp: out of memory");
    }
    memcpy(&a->sa, res->ai_addr, res->ai_addrlen);
    a->salen = res->ai_addrlen;
    freeaddrinfo(res);
    a->t = t;
    a->fd = -1;
    a->url = *url;
    t->u.broker = a;
    t->fd = -1;
    t->max_msg = o->max_msg ? o->max_msg : DEFAULT_MSG;
    ug_timer_init(&a->tick, tick_cb, a);
    ug_timer_init(&a->retry, retry_cb, a);
    a->presettled = ao->qos == UG_AMQP_QOS_BEST_EFFORT || ao->qos == UG_AMQP_QOS_AT_MOST_ONCE;
    a->content_type = ao->body == UG_AMQP_BODY_JSON ? "application/json" : "application/opcua+uadp";
    a->keep_alive_ms = ao->keep_alive_ms;
    a->credit = ao->credit ? ao->credit : DEFAULT_CREDIT;
    a->policy = ao->queue_policy;
    a->backoff_min_ms = ao->reconnect_min_ms ? ao->reconnect_min_ms : 100;
    a->backoff_max_ms = ao->reconnect_max_ms ? ao->reconnect_max_ms : 10000;
    if (a->backoff_max_ms < a->backoff_min_ms)
        a->backoff_max_ms = a->backoff_min_ms;
    a->backoff_ms = a->backoff_min_ms;
    a->qcap = ao->queue_max ? ao->queue_max : DEFAULT_QUEUE;
    bool oom = false;
    a->user = dup_opt(ao->user, &oom);
    a->password = dup_opt(ao->password, &oom);
    a->tls_hostname = dup_opt(ao->tls_hostname, &oom);
    uint8_t rnd[16];
    if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
        for (size_t i = 0; i < sizeof rnd; i++) /* no entropy: still unique per process */
            rnd[i] = (uint8_t)((uint64_t)ug_clock_real_ns() >> (i % 8 * 8)) ^ (uint8_t)getpid();
    memcpy(a->id_prefix, rnd, 8);
    if (ao->container_id) {
        a->container = dup_opt(ao->container_id, &oom);
    } else if ((a->container = malloc(32))) {
        snprintf(a->container, 32, "uagate-%02x%02x%02x%02x%02x%02x%02x%02x", rnd[8], rnd[9],
                 rnd[10], rnd[11], rnd[12], rnd[13], rnd[14], rnd[15]);
    } else {
        oom = true;
    }
    a->q = calloc(a->qcap, sizeof *a->q);
    a->rxcap = (size_t)t->max_msg + RX_HEADROOM;
    a->rxbuf = (t->mode & UG_TRANSPORT_RECV) ? malloc(a->rxcap) : NULL;
    if (oom || !a->q || ((t->mode & UG_TRANSPORT_RECV) && !a->rxbuf))
        st = ug_tr_err(o, UG_STATUS_BADOUTOFMEMORY, "amqp: out of memory");
    if (ug_is_good(st))
        st = ug_amqp_props_init(a, o);
    if (ug_is_good(st) && url->amqp.tls)
        st = tls_init(a, o);
    if (ug_is_good(st) && !o->validate_only)
        st = ug_timer_start_once(t->loop, &a->retry, ug_clock_mono_ns());
    if (ug_is_bad(st) || o->validate_only)
        free_state(a);
    return st;
}

ug_status ug_transport_amqp_get_stats(const ug_transport *t, ug_amqp_stats *out)
{
    if (!t || !out)
        return UG_STATUS_BADINVALIDARGUMENT;
    if (t->ops->kind != UG_TRANSPORT_AMQP || !amqp_of(t))
        return UG_STATUS_BADINVALIDSTATE;
    *out = amqp_of(t)->stats;
    return UG_STATUS_GOOD;
}

static ug_status amqp_send(ug_transport *t, const uint8_t *data, size_t len, int64_t launch_tai_ns)
{
    (void)launch_tai_ns;
    return ug_transport_amqp_send(t, (ug_bytes){data, (int32_t)len}, NULL);
}

const struct ug_transport_ops ug_amqp_ops = {
    .kind = UG_TRANSPORT_AMQP,
    .name = "amqp",
    .open = amqp_open,
    .send = amqp_send,
    .shutdown = amqp_shutdown,
    .close = amqp_close,
};
