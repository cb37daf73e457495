/* The event loop: creation and backend choice, the phases of one iteration,
 * delayed callbacks, worker posts with identities, and the backend-neutral
 * halves of receive, watch and send. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "loop_internal.h"

#define SLOT_NONE UINT32_MAX

ug_status ug_status_from_errno(int err)
{
    switch (err) {
    case 0: return UG_STATUS_GOOD;
    case EPERM:
    case EACCES: return UG_STATUS_BADUSERACCESSDENIED;
    case ENOMEM:
    case ENOBUFS: return UG_STATUS_BADOUTOFMEMORY;
    case EINVAL:
    case EBADF:
    case ENOTSOCK: return UG_STATUS_BADINVALIDARGUMENT;
    case ENOSYS:
    case EOPNOTSUPP: return UG_STATUS_BADNOTSUPPORTED;
    case EAGAIN: return UG_STATUS_BADWOULDBLOCK;
    case EMFILE:
    case ENFILE:
    case EEXIST: return UG_STATUS_BADRESOURCEUNAVAILABLE;
    case ECONNRESET:
    case EPIPE:
    case ENOTCONN: return UG_STATUS_BADCONNECTIONCLOSED;
    case ECANCELED: return UG_STATUS_BADSHUTDOWN;
    default: return UG_STATUS_BADCOMMUNICATIONERROR;
    }
}

void ug_loop_options_init(struct ug_loop_options *opts)
{
    *opts = (struct ug_loop_options){.backend = UG_LOOP_BACKEND_AUTO, .sq_entries = 256,
                                     .events_per_wake = 64};
}

const char *ug_loop_backend_name(enum ug_loop_backend b)
{
    switch (b) {
    case UG_LOOP_BACKEND_IO_URING: return "io_uring";
    case UG_LOOP_BACKEND_EPOLL: return "epoll";
    default: return "auto";
    }
}

static ug_status backend_from_env(enum ug_loop_backend *b)
{
    const char *e = getenv("UG_LOOP_BACKEND");
    if (!e || !*e || strcmp(e, "auto") == 0)
        return UG_STATUS_GOOD;
    if (strcmp(e, "io_uring") == 0 || strcmp(e, "uring") == 0)
        *b = UG_LOOP_BACKEND_IO_URING;
    else if (strcmp(e, "epoll") == 0)
        *b = UG_LOOP_BACKEND_EPOLL;
    else
        return UG_STATUS_BADINVALIDARGUMENT;
    return UG_STATUS_GOOD;
}

static void loop_free(ug_loop *loop)
{
    if (loop->evfd >= 0)
        close(loop->evfd);
    if (loop->epfd >= 0)
        close(loop->epfd);
    pthread_mutex_destroy(&loop->mu);
    free(loop->events);
    free(loop->in);
    free(loop->out);
    free(loop->slots);
    ug_timer_heap_free(loop);
    free(loop);
}

ug_status ug_loop_new(const struct ug_loop_options *opts, ug_loop **out)
{
    struct ug_loop_options o;
    if (opts)
        o = *opts;
    else
        ug_loop_options_init(&o);
    if (o.sq_entries == 0)
        o.sq_entries = 256;
    if (o.events_per_wake == 0)
        o.events_per_wake = 64;
    bool automatic = o.backend == UG_LOOP_BACKEND_AUTO;
    if (automatic) {
        ug_status st = backend_from_env(&o.backend);
        if (!ug_is_good(st))
            return st;
    }

    ug_loop *loop = calloc(1, sizeof *loop);
    if (!loop)
        return UG_STATUS_BADOUTOFMEMORY;
    loop->evfd = loop->epfd = loop->tfd = -1;
    loop->free_head = SLOT_NONE;
    loop->events_per_wake = o.events_per_wake;
    loop->spin_ns = o.spin_ns > 0 ? o.spin_ns : 0;
    atomic_init(&loop->wake_pending, false);
    atomic_init(&loop->stop, false);
    atomic_init(&loop->closing, false);
    pthread_mutex_init(&loop->mu, NULL);
    loop->events = calloc(o.events_per_wake, sizeof *loop->events);
    loop->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    loop->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (!loop->events || loop->evfd < 0 || loop->epfd < 0) {
        ug_status st = loop->events ? ug_status_from_errno(errno) : UG_STATUS_BADOUTOFMEMORY;
        loop_free(loop);
        return st;
    }

    int err = -ENOSYS;
    if (o.backend != UG_LOOP_BACKEND_EPOLL) {
        err = ug_uring_init(loop, o.sq_entries);
        if (err == 0) {
            loop->backend = UG_LOOP_BACKEND_IO_URING;
        } else if (o.backend == UG_LOOP_BACKEND_IO_URING && !automatic) {
            loop_free(loop);
            return err == -EPERM || err == -EACCES ? UG_STATUS_BADUSERACCESSDENIED
                                                   : UG_STATUS_BADNOTSUPPORTED;
        }
    }
    /* Any refusal of io_uring under AUTO (seccomp's ENOSYS/EPERM,
     * io_uring_disabled's EPERM, a kernel without EXT_ARG) falls back. */
    if (err != 0) {
        err = ug_epoll_init(loop);
        if (err != 0) {
            loop_free(loop);
            return ug_status_from_errno(-err);
        }
        loop->backend = UG_LOOP_BACKEND_EPOLL;
    }
    loop->now = ug_clock_mono_ns();
    *out = loop;
    return UG_STATUS_GOOD;
}

ug_status ug_loop_close(ug_loop *loop, int64_t timeout_ns)
{
    if (!loop)
        return UG_STATUS_GOOD;
    if (timeout_ns < 0)
        timeout_ns = 1000000000;
    atomic_store(&loop->closing, true);
    /* Producers check `closing` outside the lock; taking it once orders any
     * post still in progress before the teardown below. */
    pthread_mutex_lock(&loop->mu);
    pthread_mutex_unlock(&loop->mu);

    ug_status st = UG_STATUS_GOOD;
    if (loop->backend == UG_LOOP_BACKEND_IO_URING)
        ug_uring_fini(loop, timeout_ns, &st);
    else
        ug_epoll_fini(loop);
    while (loop->recvs) {
        struct ug_recv *r = loop->recvs;
        r->stopped_cb = NULL;
        ug_recv_finish(loop, r);
    }
    while (loop->dhead)
        ug_loop_remove_delayed(loop, loop->dhead);
    for (uint32_t i = 0; i < loop->nslots; i++)
        if (loop->slots[i].op)
            loop->slots[i].op->id = 0;
    loop_free(loop);
    return st;
}

enum ug_loop_backend ug_loop_backend(const ug_loop *loop)
{
    return loop->backend;
}

int64_t ug_loop_now(const ug_loop *loop)
{
    return loop->now;
}

void ug_loop_get_stats(const ug_loop *loop, struct ug_loop_stats *out)
{
    *out = loop->stats;
}

static void wake(ug_loop *loop)
{
    uint64_t one = 1;
    ssize_t n = write(loop->evfd, &one, sizeof one);
    (void)n; /* EAGAIN: the counter is saturated, a wake-up is pending anyway */
}

void ug_loop_stop(ug_loop *loop)
{
    atomic_store(&loop->stop, true);
    wake(loop);
}

void ug_loop_drain_evfd(ug_loop *loop)
{
    uint64_t v;
    while (read(loop->evfd, &v, sizeof v) == (ssize_t)sizeof v) {
    }
}

/* ------------------------------------------------------------- delayed -- */

void ug_loop_add_delayed(ug_loop *loop, struct ug_delayed *d, ug_delayed_cb cb, void *data)
{
    if (d->queued)
        return;
    d->cb = cb;
    d->data = data;
    d->iter = loop->iter;
    d->next = NULL;
    d->prev = loop->dtail;
    if (loop->dtail)
        loop->dtail->next = d;
    else
        loop->dhead = d;
    loop->dtail = d;
    d->queued = true;
}

void ug_loop_remove_delayed(ug_loop *loop, struct ug_delayed *d)
{
    if (!d->queued)
        return;
    if (d->prev)
        d->prev->next = d->next;
    else
        loop->dhead = d->next;
    if (d->next)
        d->next->prev = d->prev;
    else
        loop->dtail = d->prev;
    d->prev = d->next = NULL;
    d->queued = false;
}

/* Entries queued in this iteration have iter == loop->iter and wait for the
 * next one; the list is in queueing order, so the first such entry ends the
 * phase. */
/* Returns how many callbacks ran. */
static uint32_t run_delayed(ug_loop *loop)
{
    uint32_t ran = 0;
    struct ug_delayed *d;
    while ((d = loop->dhead) != NULL && d->iter < loop->iter) {
        ug_loop_remove_delayed(loop, d);
        ran++;
        d->cb(loop, d);
    }
    return ran;
}

/* ------------------------------------------------------ async and posts -- */

static ug_status slots_grow(ug_loop *loop)
{
    uint64_t n = loop->nslots ? (uint64_t)loop->nslots * 2 : 64;
    if (n > UINT32_MAX - 1)
        n = UINT32_MAX - 1;
    if (n <= loop->nslots)
        return UG_STATUS_BADTOOMANYOPERATIONS;
    struct async_slot *s = realloc(loop->slots, (size_t)n * sizeof *s);
    if (!s)
        return UG_STATUS_BADOUTOFMEMORY;
    for (uint32_t i = loop->nslots; i < n; i++)
        s[i] = (struct async_slot){.gen = 1, .next_free = i + 1 < n ? i + 1 : loop->free_head};
    loop->free_head = loop->nslots;
    loop->slots = s;
    loop->nslots = (uint32_t)n;
    return UG_STATUS_GOOD;
}

static void slot_release(ug_loop *loop, uint32_t i)
{
    struct async_slot *s = &loop->slots[i];
    s->op = NULL;
    /* A new generation makes every identity handed out for this slot stale. */
    if (++s->gen == 0)
        s->gen = 1;
    s->next_free = loop->free_head;
    loop->free_head = i;
    loop->live--;
}

ug_status ug_async_start(ug_loop *loop, struct ug_async *a, ug_async_cb cb, void *data)
{
    if (loop->free_head == SLOT_NONE) {
        ug_status st = slots_grow(loop);
        if (!ug_is_good(st))
            return st;
    }
    uint32_t i = loop->free_head;
    struct async_slot *s = &loop->slots[i];
    loop->free_head = s->next_free;
    s->op = a;
    loop->live++;
    a->cb = cb;
    a->data = data;
    a->id = (uint64_t)s->gen << 32 | i;
    return UG_STATUS_GOOD;
}

static struct async_slot *slot_of(ug_loop *loop, uint64_t id)
{
    uint32_t i = (uint32_t)id;
    if (id == 0 || i >= loop->nslots)
        return NULL;
    struct async_slot *s = &loop->slots[i];
    if (s->gen != (uint32_t)(id >> 32) || !s->op)
        return NULL;
    return s;
}

bool ug_async_cancel(ug_loop *loop, struct ug_async *a)
{
    struct async_slot *s = slot_of(loop, a->id);
    if (!s || s->op != a)
        return false;
    slot_release(loop, (uint32_t)a->id);
    a->id = 0;
    return true;
}

static ug_status post_entry(ug_loop *loop, const struct post_ent *e)
{
    if (atomic_load(&loop->closing))
        return UG_STATUS_BADSHUTDOWN;
    pthread_mutex_lock(&loop->mu);
    if (loop->in_len == loop->in_cap) {
        size_t cap = loop->in_cap ? loop->in_cap * 2 : 256;
        struct post_ent *n = realloc(loop->in, cap * sizeof *n);
        if (!n) {
            pthread_mutex_unlock(&loop->mu);
            return UG_STATUS_BADOUTOFMEMORY;
        }
        loop->in = n;
        loop->in_cap = cap;
    }
    loop->in[loop->in_len++] = *e;
    pthread_mutex_unlock(&loop->mu);
    /* One eventfd write per drain, not per post: the loop clears the flag
     * before it takes the queue. */
    if (!atomic_exchange(&loop->wake_pending, true))
        wake(loop);
    return UG_STATUS_GOOD;
}

ug_status ug_loop_post(ug_loop *loop, uint64_t id, ug_status status, void *result)
{
    struct post_ent e = {.id = id, .status = status, .result = result};
    return post_entry(loop, &e);
}

ug_status ug_loop_call(ug_loop *loop, void (*fn)(ug_loop *loop, void *arg), void *arg)
{
    struct post_ent e = {.fn = fn, .result = arg};
    return post_entry(loop, &e);
}

/* Returns how many entries were taken (delivered, called or dropped). */
static size_t drain_posts(ug_loop *loop)
{
    atomic_store(&loop->wake_pending, false);
    pthread_mutex_lock(&loop->mu);
    struct post_ent *batch = loop->in;
    size_t n = loop->in_len, cap = loop->in_cap;
    loop->in = loop->out;
    loop->in_cap = loop->out_cap;
    loop->in_len = 0;
    loop->out = batch;
    loop->out_cap = cap;
    pthread_mutex_unlock(&loop->mu);

    for (size_t i = 0; i < n; i++) {
        const struct post_ent *e = &batch[i];
        if (e->fn) {
            e->fn(loop, e->result);
            continue;
        }
        struct async_slot *s = slot_of(loop, e->id);
        if (!s) {
            loop->stats.posts_dropped++;
            continue;
        }
        struct ug_async *a = s->op;
        slot_release(loop, (uint32_t)e->id);
        a->id = 0;
        loop->stats.posts_delivered++;
        a->cb(loop, a, e->status, e->result);
    }
    return n;
}

/* ---------------------------------------------------------------- run -- */

/* One iteration, its phases in order:
 *  1. timers due now (deadline <= CLOCK_MONOTONIC now);
 *  2. delayed callbacks and deferred completions queued before this iteration;
 *  3. work posted by other threads (completions by identity, calls);
 *  4. I/O: wait until the next timer deadline (or poll when work is queued),
 *     then dispatch completions / ready fds, bounded by events_per_wake.
 * When phases 1-3 ran any callback, phase 4 only polls even if block: such a
 * callback may have changed what the caller waits for (a flag, a response),
 * and the caller must get to look at it before the next deadline. */
ug_status ug_loop_run_once(ug_loop *loop, bool block)
{
    loop->iter++;
    loop->stats.iterations++;

    size_t worked = ug_timer_run_due(loop);
    worked += run_delayed(loop);
    worked += drain_posts(loop);
    if (worked > 0)
        block = false;

    int64_t timeout = 0;
    if (block && !loop->dhead && !atomic_load(&loop->stop)) {
        int64_t dl = ug_timer_next_deadline(loop);
        if (dl == INT64_MAX) {
            timeout = -1;
        } else {
            timeout = dl - loop->spin_ns - ug_clock_mono_ns();
            if (timeout <= 0)
                timeout = 0;
        }
    }
    ug_status st = loop->backend == UG_LOOP_BACKEND_IO_URING ? ug_uring_poll(loop, timeout)
                                                             : ug_epoll_poll(loop, timeout);
    loop->now = ug_clock_mono_ns();
    if (loop->spin_ns > 0 && block && !atomic_load(&loop->stop)) {
        int64_t dl = ug_timer_next_deadline(loop);
        while (loop->now < dl && dl - loop->now <= loop->spin_ns)
            loop->now = ug_clock_mono_ns();
    }
    return st;
}

ug_status ug_loop_run(ug_loop *loop)
{
    if (loop->running)
        return UG_STATUS_BADINVALIDSTATE;
    loop->running = true;
    ug_status st = UG_STATUS_GOOD;
    while (!atomic_load(&loop->stop)) {
        st = ug_loop_run_once(loop, true);
        if (!ug_is_good(st))
            break;
    }
    atomic_store(&loop->stop, false);
    loop->running = false;
    return st;
}

/* --------------------------------------------------------------- recv -- */

/* The _NEW cmsg types (64-bit time on 32-bit ABIs) carry the same layout
 * as the old ones on 64-bit ABIs, which is all uagate builds for. */
#ifndef SO_TIMESTAMPNS_NEW
#define SO_TIMESTAMPNS_NEW 64
#endif
#ifndef SO_TIMESTAMPING_NEW
#define SO_TIMESTAMPING_NEW 65
#endif
_Static_assert(sizeof(struct timespec) == 16, "64-bit time_t assumed for SCM_TIMESTAMP*");

static int64_t rx_timestamp(const struct msghdr *m)
{
    for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR((struct msghdr *)m, c)) {
        if (c->cmsg_level != SOL_SOCKET)
            continue;
        struct timespec ts[3];
        bool ns = c->cmsg_type == SCM_TIMESTAMPNS || c->cmsg_type == SO_TIMESTAMPNS_NEW;
        bool ing = c->cmsg_type == SCM_TIMESTAMPING || c->cmsg_type == SO_TIMESTAMPING_NEW;
        if (ns && c->cmsg_len >= CMSG_LEN(sizeof ts[0])) {
            memcpy(ts, CMSG_DATA(c), sizeof ts[0]);
            return (int64_t)ts[0].tv_sec * 1000000000 + ts[0].tv_nsec;
        }
        if (ing && c->cmsg_len >= CMSG_LEN(sizeof ts)) {
            /* [0] software, [2] raw hardware (linux/errqueue.h). */
            memcpy(ts, CMSG_DATA(c), sizeof ts);
            const struct timespec *t = ts[0].tv_sec || ts[0].tv_nsec ? &ts[0] : &ts[2];
            return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
        }
    }
    return 0;
}

void ug_recv_deliver(ug_loop *loop, struct ug_recv *r, uint8_t *name, socklen_t namelen,
                     uint8_t *control, size_t controllen, const uint8_t *payload, size_t len,
                     int msg_flags)
{
    struct ug_recv_msg m = {.data = payload, .len = len};
    if (namelen > 0) {
        m.addr = (const struct sockaddr *)name;
        m.addrlen = namelen;
    }
    if (controllen > 0) {
        m.cmsg.msg_control = control;
        m.cmsg.msg_controllen = controllen;
        m.rx_realtime_ns = rx_timestamp(&m.cmsg);
    }
    m.rx_mono_ns = loop->now;
    m.truncated = (msg_flags & MSG_TRUNC) != 0;
    loop->stats.recv_packets++;
    if (m.truncated)
        loop->stats.recv_truncated++;
    r->cb(loop, r, UG_STATUS_GOOD, &m);
}

ug_status ug_recv_start(ug_loop *loop, struct ug_recv *r, int fd, const struct ug_recv_config *cfg,
                        ug_recv_cb cb, void *data)
{
    if (r->op.state != ST_IDLE || r->deferred.queued)
        return UG_STATUS_BADINVALIDSTATE;
    if (fd < 0 || !cb)
        return UG_STATUS_BADINVALIDARGUMENT;
    uint32_t size = cfg && cfg->buf_size ? cfg->buf_size : 2048;
    uint32_t count = cfg && cfg->buf_count ? cfg->buf_count : 256;
    uint32_t control = cfg && cfg->control_len ? cfg->control_len : 256;
    control = (control + 7) & ~7u;
    size = (size + 63) & ~63u;
    /* Layout of each buffer (io_uring's multishot recvmsg, copied by the
     * epoll backend): header, name, control, payload. */
    size_t head = sizeof(struct io_uring_recvmsg_out) + sizeof(struct sockaddr_storage) + control;
    if (count == 0 || count > 32768 || (count & (count - 1)) || size > (1u << 24) ||
        control > 65536 || size < head + 64)
        return UG_STATUS_BADINVALIDARGUMENT;

    struct ug_recv keep = *r;
    memset(r, 0, sizeof *r);
    r->data = data;
    r->cb = cb;
    r->fd = fd;
    r->buf_size = size;
    r->buf_count = count;
    r->control_len = control;
    void *bufs = NULL;
    if (posix_memalign(&bufs, 4096, (size_t)size * count) != 0) {
        *r = keep;
        return UG_STATUS_BADOUTOFMEMORY;
    }
    r->bufs = bufs;
    r->hdr.msg_namelen = sizeof(struct sockaddr_storage);
    r->hdr.msg_controllen = control;
    r->op.kind = OP_RECV;
    ug_status st = loop->backend == UG_LOOP_BACKEND_IO_URING ? ug_uring_recv_start(loop, r)
                                                             : ug_epoll_recv_start(loop, r);
    if (!ug_is_good(st)) {
        free(r->bufs);
        *r = keep;
        return st;
    }
    r->op.state = ST_ACTIVE;
    r->next_active = loop->recvs;
    loop->recvs = r;
    return UG_STATUS_GOOD;
}

ug_status ug_recv_stop(ug_loop *loop, struct ug_recv *r, ug_recv_stopped_cb stopped_cb)
{
    if (r->op.state != ST_ACTIVE)
        return UG_STATUS_BADINVALIDSTATE;
    r->op.state = ST_STOPPING;
    r->stopped_cb = stopped_cb;
    return loop->backend == UG_LOOP_BACKEND_IO_URING ? ug_uring_recv_stop(loop, r)
                                                     : ug_epoll_recv_stop(loop, r);
}

static void recv_stopped(ug_loop *loop, struct ug_delayed *d)
{
    struct ug_recv *r = d->data;
    if (r->stopped_cb)
        r->stopped_cb(loop, r);
}

void ug_recv_finish(ug_loop *loop, struct ug_recv *r)
{
    for (struct ug_recv **p = &loop->recvs; *p; p = &(*p)->next_active) {
        if (*p == r) {
            *p = r->next_active;
            break;
        }
    }
    r->next_active = NULL;
    free(r->bufs);
    r->bufs = NULL;
    r->op.state = ST_IDLE;
    if (r->stopped_cb && !atomic_load(&loop->closing))
        ug_loop_add_delayed(loop, &r->deferred, recv_stopped, r);
}

/* Clears not-yet-dispatched events of the current epoll batch that point at
 * op, which its owner has just stopped (and may free). */
void ug_events_forget(ug_loop *loop, const void *op)
{
    for (int i = loop->ev_pos + 1; i < loop->ev_len; i++)
        if (loop->events[i].data.ptr == op)
            loop->events[i].data.ptr = NULL;
}

/* -------------------------------------------------------------- watch -- */

ug_status ug_watch_start(ug_loop *loop, struct ug_watch *w, int fd, uint32_t events,
                         ug_watch_cb cb, void *data)
{
    if (w->op.state == ST_ACTIVE && w->op.kind == OP_WATCH)
        return UG_STATUS_BADINVALIDSTATE;
    if (fd < 0 || !cb)
        return UG_STATUS_BADINVALIDARGUMENT;
    struct epoll_event ev = {.events = events, .data.ptr = w};
    if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
        return errno == EPERM ? UG_STATUS_BADINVALIDARGUMENT : ug_status_from_errno(errno);
    *w = (struct ug_watch){.op = {.kind = OP_WATCH, .state = ST_ACTIVE}, .cb = cb, .data = data,
                           .fd = fd, .events = events};
    return UG_STATUS_GOOD;
}

ug_status ug_watch_modify(ug_loop *loop, struct ug_watch *w, uint32_t events)
{
    if (w->op.state != ST_ACTIVE)
        return UG_STATUS_BADINVALIDSTATE;
    struct epoll_event ev = {.events = events, .data.ptr = w};
    if (epoll_ctl(loop->epfd, EPOLL_CTL_MOD, w->fd, &ev) != 0)
        return ug_status_from_errno(errno);
    w->events = events;
    return UG_STATUS_GOOD;
}

void ug_watch_stop(ug_loop *loop, struct ug_watch *w)
{
    if (w->op.state != ST_ACTIVE)
        return;
    /* EBADF/ENOENT: the owner closed the fd first, which removed it. */
    (void)epoll_ctl(loop->epfd, EPOLL_CTL_DEL, w->fd, NULL);
    w->op.state = ST_IDLE;
    ug_events_forget(loop, w);
}

/* --------------------------------------------------------------- send -- */

ug_status ug_send_start(ug_loop *loop, struct ug_send *s, int fd, const struct msghdr *msg,
                        int flags, ug_send_cb cb, void *data)
{
    if (s->op.state == ST_ACTIVE && s->op.kind == OP_SEND)
        return UG_STATUS_BADINVALIDSTATE;
    if (fd < 0 || !msg || !cb)
        return UG_STATUS_BADINVALIDARGUMENT;
    memset(s, 0, sizeof *s);
    s->op.kind = OP_SEND;
    s->cb = cb;
    s->data = data;
    ug_status st = loop->backend == UG_LOOP_BACKEND_IO_URING ? ug_uring_send(loop, s, fd, msg, flags)
                                                             : ug_epoll_send(loop, s, fd, msg, flags);
    if (ug_is_good(st))
        s->op.state = ST_ACTIVE;
    return st;
}
