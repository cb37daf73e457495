/* epoll backend, for kernels or sandboxes that refuse io_uring. Timers use a
 * timerfd armed with TFD_TIMER_ABSTIME at the heap's first deadline (epoll's
 * millisecond timeout cannot hold a 100 us grid); it is re-armed only when
 * that deadline changes. Multishot receive is emulated with recvmmsg into the
 * receive's own buffers, laid out as io_uring lays them out. The dispatcher
 * also serves the io_uring backend's watch set. */
#include <errno.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "loop_internal.h"

#define RECV_BATCH 32

int ug_epoll_init(ug_loop *loop)
{
    loop->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (loop->tfd < 0)
        return -errno;
    loop->evfd_op.kind = OP_EVFD;
    loop->tfd_op.kind = OP_TFD;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &loop->evfd_op};
    struct epoll_event tv = {.events = EPOLLIN, .data.ptr = &loop->tfd_op};
    if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, loop->evfd, &ev) != 0 ||
        epoll_ctl(loop->epfd, EPOLL_CTL_ADD, loop->tfd, &tv) != 0) {
        int err = errno;
        close(loop->tfd);
        loop->tfd = -1;
        return -err;
    }
    return 0;
}

void ug_epoll_fini(ug_loop *loop)
{
    if (loop->tfd >= 0)
        close(loop->tfd);
    loop->tfd = -1;
}

static void arm_timerfd(ug_loop *loop, int64_t deadline)
{
    if (deadline == loop->tfd_armed)
        return;
    struct itimerspec its = {{0, 0}, {0, 0}};
    if (deadline != INT64_MAX) {
        if (deadline <= 0)
            deadline = 1; /* an all-zero it_value would disarm */
        its.it_value.tv_sec = deadline / 1000000000;
        its.it_value.tv_nsec = deadline % 1000000000;
    }
    if (timerfd_settime(loop->tfd, TFD_TIMER_ABSTIME, &its, NULL) == 0)
        loop->tfd_armed = deadline; /* INT64_MAX: disarmed */
}

/* ---------------------------------------------------------------- recv -- */

static void recv_ready(ug_loop *loop, struct ug_recv *r)
{
    struct mmsghdr mm[RECV_BATCH];
    struct iovec iov[RECV_BATCH];
    uint8_t *name[RECV_BATCH], *control[RECV_BATCH], *payload[RECV_BATCH];
    uint32_t batch = r->buf_count < RECV_BATCH ? r->buf_count : RECV_BATCH;
    uint32_t budget = loop->events_per_wake;
    uint16_t epoch = r->op.flags;
    size_t head = sizeof(struct io_uring_recvmsg_out) + sizeof(struct sockaddr_storage) +
                  r->control_len;

    while (budget > 0) {
        uint32_t k = batch < budget ? batch : budget;
        for (uint32_t i = 0; i < k; i++) {
            uint8_t *buf = r->bufs + (size_t)i * r->buf_size;
            name[i] = buf + sizeof(struct io_uring_recvmsg_out);
            control[i] = name[i] + sizeof(struct sockaddr_storage);
            payload[i] = buf + head;
            iov[i] = (struct iovec){payload[i], r->buf_size - head};
            mm[i].msg_hdr = (struct msghdr){.msg_name = name[i],
                                            .msg_namelen = sizeof(struct sockaddr_storage),
                                            .msg_iov = &iov[i],
                                            .msg_iovlen = 1,
                                            .msg_control = control[i],
                                            .msg_controllen = r->control_len};
            mm[i].msg_len = 0;
        }
        int got = recvmmsg(r->fd, mm, k, MSG_DONTWAIT, NULL);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                r->cb(loop, r, ug_status_from_errno(errno), NULL);
            return;
        }
        for (int i = 0; i < got; i++) {
            /* The callback may have stopped (and even restarted) r. */
            if (r->op.state != ST_ACTIVE || r->op.flags != epoch)
                return;
            struct msghdr *h = &mm[i].msg_hdr;
            ug_recv_deliver(loop, r, name[i], h->msg_namelen, control[i], h->msg_controllen,
                            payload[i], mm[i].msg_len, h->msg_flags);
        }
        budget -= (uint32_t)got;
        if ((uint32_t)got < k || r->op.state != ST_ACTIVE || r->op.flags != epoch)
            return;
    }
}

ug_status ug_epoll_recv_start(ug_loop *loop, struct ug_recv *r)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = r};
    if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, r->fd, &ev) != 0) /* EPERM: not pollable */
        return errno == EPERM ? UG_STATUS_BADINVALIDARGUMENT : ug_status_from_errno(errno);
    r->op.flags = ++loop->next_bgid; /* bgid is io_uring's; epoch here */
    return UG_STATUS_GOOD;
}

ug_status ug_epoll_recv_stop(ug_loop *loop, struct ug_recv *r)
{
    (void)epoll_ctl(loop->epfd, EPOLL_CTL_DEL, r->fd, NULL);
    ug_events_forget(loop, r);
    ug_recv_finish(loop, r);
    return UG_STATUS_GOOD;
}

/* ---------------------------------------------------------------- send -- */

static void send_done(ug_loop *loop, struct ug_delayed *d)
{
    struct ug_send *s = d->data;
    s->op.state = ST_IDLE;
    int res = s->result;
    s->cb(loop, s, res >= 0 ? UG_STATUS_GOOD : ug_status_from_errno(-res),
          res >= 0 ? (size_t)res : 0);
}

ug_status ug_epoll_send(ug_loop *loop, struct ug_send *s, int fd, const struct msghdr *msg,
                        int flags)
{
    ssize_t n = sendmsg(fd, msg, flags | MSG_DONTWAIT);
    s->result = n < 0 ? -errno : (int)n;
    ug_loop_add_delayed(loop, &s->deferred, send_done, s);
    return UG_STATUS_GOOD;
}

/* ---------------------------------------------------------------- poll -- */

static int dispatch_ready(ug_loop *loop, int n);

int ug_epoll_dispatch(ug_loop *loop, int timeout_ms)
{
    int n = epoll_wait(loop->epfd, loop->events, (int)loop->events_per_wake, timeout_ms);
    if (n < 0)
        return -errno;
    return dispatch_ready(loop, n);
}

/* The io_uring backend's direct wait on the watch set (see ug_uring_poll):
 * epoll_pwait2's nanosecond timeout (NULL: none). 0 or more events
 * dispatched, or -errno (-ENOSYS: a kernel before 5.11 or a filter). */
int ug_epoll_dispatch_ts(ug_loop *loop, const struct timespec *ts)
{
    int n = epoll_pwait2(loop->epfd, loop->events, (int)loop->events_per_wake, ts, NULL);
    if (n < 0)
        return -errno;
    return dispatch_ready(loop, n);
}

static int dispatch_ready(ug_loop *loop, int n)
{
    loop->now = ug_clock_mono_ns();
    loop->ev_len = n;
    for (loop->ev_pos = 0; loop->ev_pos < n; loop->ev_pos++) {
        struct epoll_event *e = &loop->events[loop->ev_pos];
        struct ug_op *op = e->data.ptr;
        if (!op)
            continue;
        switch (op->kind) {
        case OP_EVFD:
            ug_loop_drain_evfd(loop);
            break;
        case OP_TFD: {
            uint64_t expirations;
            ssize_t r = read(loop->tfd, &expirations, sizeof expirations);
            (void)r;
            loop->tfd_armed = 0; /* fired: unknown, the next wait re-arms */
            break;
        }
        case OP_WATCH: {
            struct ug_watch *w = (struct ug_watch *)op;
            w->cb(loop, w, e->events);
            break;
        }
        case OP_RECV:
            recv_ready(loop, (struct ug_recv *)op);
            break;
        default:
            break;
        }
    }
    loop->ev_len = loop->ev_pos = 0;
    return n;
}

ug_status ug_epoll_poll(ug_loop *loop, int64_t timeout_ns)
{
    if (timeout_ns != 0) {
        int64_t dl = ug_timer_next_deadline(loop);
        arm_timerfd(loop, dl == INT64_MAX ? dl : dl - loop->spin_ns);
    }
    int n = ug_epoll_dispatch(loop, timeout_ns == 0 ? 0 : -1);
    if (n < 0 && n != -EINTR)
        return ug_status_from_errno(-n);
    return UG_STATUS_GOOD;
}
