/* io_uring backend. Timers need no SQE: the wait of each iteration is bounded
 * by the next heap deadline through io_uring_submit_and_wait_timeout (one
 * io_uring_enter both submits the batch and waits, using EXT_ARG), so adding
 * or moving a timer costs no syscall. Readiness watches live in an epoll set
 * that the ring polls (one-shot, re-armed after each drain, so a still-ready
 * set fires again at once); this keeps watch start/stop synchronous. The
 * eventfd of ug_loop_wake is in that set too. When the ring has nothing in
 * flight but that poll, a blocking iteration waits in epoll_pwait2 on the set
 * itself: one syscall instead of io_uring_enter plus epoll_wait per wake-up
 * (a server answering one request at a time makes ~4 syscalls per request
 * through the ring, 3 this way). So the ring's poll of the set is armed
 * only by a wait that goes through the ring. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "loop_internal.h"

/* Set once epoll_pwait2 is refused (ENOSYS, a seccomp EPERM): the ring path
 * alone is then used, by every loop of the process. */
static atomic_bool pwait2_refused;

static struct io_uring_sqe *get_sqe(ug_loop *loop)
{
    struct io_uring_sqe *sqe = io_uring_get_sqe(&loop->ring);
    if (!sqe) {
        io_uring_submit(&loop->ring);
        sqe = io_uring_get_sqe(&loop->ring);
    }
    return sqe;
}

static int arm_poll(ug_loop *loop, int fd, struct ug_op *op)
{
    struct io_uring_sqe *sqe = get_sqe(loop);
    if (!sqe)
        return -EBUSY;
    io_uring_prep_poll_add(sqe, fd, POLLIN);
    io_uring_sqe_set_data(sqe, op);
    op->inflight++;
    loop->inflight++;
    return 0;
}

int ug_uring_init(ug_loop *loop, uint32_t entries)
{
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    /* COOP_TASKRUN: completions are run when we enter the kernel anyway, not
     * by interrupting the loop; TASKRUN_FLAG tells a polling iteration when it
     * must enter to see them. CQSIZE: multishot receives post one CQE per
     * datagram without any SQE, so a CQ several times the SQ keeps bursts out
     * of the kernel's overflow list. */
    p.flags = IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG | IORING_SETUP_CQSIZE |
              IORING_SETUP_CLAMP;
    p.cq_entries = entries * 8;
    int r = io_uring_queue_init_params(entries, &loop->ring, &p);
    if (r == -EINVAL) { /* kernels before 5.19 */
        memset(&p, 0, sizeof p);
        p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP;
        p.cq_entries = entries * 8;
        r = io_uring_queue_init_params(entries, &loop->ring, &p);
    }
    if (r < 0)
        return r;
    /* Without EXT_ARG a wait timeout costs an extra timeout SQE per wait. */
    if (!(p.features & IORING_FEAT_EXT_ARG)) {
        io_uring_queue_exit(&loop->ring);
        return -EOPNOTSUPP;
    }
    loop->ring_ok = true;
    loop->evfd_op.kind = OP_EVFD;
    loop->epfd_op.kind = OP_EPFD;
    /* The wake-up eventfd in the watch set: the ring's poll of the set sees
     * it, and so does a direct wait on the set. */
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &loop->evfd_op};
    if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, loop->evfd, &ev) != 0) {
        r = -errno;
    } else if ((r = arm_poll(loop, loop->epfd, &loop->epfd_op)) < 0) {
        /* The epoll fallback adds it again. */
        (void)epoll_ctl(loop->epfd, EPOLL_CTL_DEL, loop->evfd, NULL);
    }
    if (r < 0) {
        io_uring_queue_exit(&loop->ring);
        loop->ring_ok = false;
        return r;
    }
    return 0;
}

/* ---------------------------------------------------------------- recv -- */

static void recycle(struct ug_recv *r, uint16_t bid)
{
    struct io_uring_buf_ring *br = r->ring;
    io_uring_buf_ring_add(br, r->bufs + (size_t)bid * r->buf_size, r->buf_size, bid,
                          io_uring_buf_ring_mask(r->buf_count), 0);
    io_uring_buf_ring_advance(br, 1);
}

static int arm_recv(ug_loop *loop, struct ug_recv *r)
{
    struct io_uring_sqe *sqe = get_sqe(loop);
    if (!sqe)
        return -EBUSY;
    io_uring_prep_recvmsg_multishot(sqe, r->fd, &r->hdr, 0);
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = r->bgid;
    io_uring_sqe_set_data(sqe, r);
    r->op.inflight++;
    loop->inflight++;
    return 0;
}

static void release_ring(ug_loop *loop, struct ug_recv *r)
{
    if (!r->ring)
        return;
    io_uring_unregister_buf_ring(&loop->ring, r->bgid);
    munmap(r->ring, r->ring_bytes);
    r->ring = NULL;
}

ug_status ug_uring_recv_start(ug_loop *loop, struct ug_recv *r)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    r->ring_bytes = (r->buf_count * sizeof(struct io_uring_buf) + page - 1) / page * page;
    void *mem = mmap(NULL, r->ring_bytes, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE,
                     -1, 0);
    if (mem == MAP_FAILED)
        return UG_STATUS_BADOUTOFMEMORY;
    struct io_uring_buf_ring *br = mem;
    io_uring_buf_ring_init(br);
    int ret = -EEXIST;
    /* Buffer group ids are per ring; skip ids another receive still holds. */
    for (int tries = 0; ret == -EEXIST && tries < 65536; tries++) {
        struct io_uring_buf_reg reg = {.ring_addr = (uint64_t)(uintptr_t)br,
                                       .ring_entries = r->buf_count,
                                       .bgid = loop->next_bgid++};
        ret = io_uring_register_buf_ring(&loop->ring, &reg, 0);
        r->bgid = reg.bgid;
    }
    if (ret < 0) {
        munmap(mem, r->ring_bytes);
        return ret == -EINVAL ? UG_STATUS_BADNOTSUPPORTED : ug_status_from_errno(-ret);
    }
    r->ring = br;
    for (uint32_t i = 0; i < r->buf_count; i++)
        io_uring_buf_ring_add(br, r->bufs + (size_t)i * r->buf_size, r->buf_size, (uint16_t)i,
                              io_uring_buf_ring_mask(r->buf_count), (int)i);
    io_uring_buf_ring_advance(br, (int)r->buf_count);
    if (arm_recv(loop, r) < 0) {
        release_ring(loop, r);
        return UG_STATUS_BADRESOURCEUNAVAILABLE;
    }
    return UG_STATUS_GOOD;
}

ug_status ug_uring_recv_stop(ug_loop *loop, struct ug_recv *r)
{
    if (r->op.inflight == 0) {
        release_ring(loop, r);
        ug_recv_finish(loop, r);
        return UG_STATUS_GOOD;
    }
    struct io_uring_sqe *sqe = get_sqe(loop);
    if (!sqe) {
        r->op.state = ST_ACTIVE;
        return UG_STATUS_BADRESOURCEUNAVAILABLE;
    }
    /* The cancel's own CQE carries user_data 0 and is ignored; the receive's
     * final CQE (no F_MORE) finishes the stop. */
    io_uring_prep_cancel64(sqe, (uint64_t)(uintptr_t)r, 0);
    io_uring_sqe_set_data(sqe, NULL);
    return UG_STATUS_GOOD;
}

static void recv_cqe(ug_loop *loop, struct ug_recv *r, int res, uint32_t flags)
{
    bool more = flags & IORING_CQE_F_MORE;
    bool live = r->op.state == ST_ACTIVE && !atomic_load(&loop->closing);
    if (flags & IORING_CQE_F_BUFFER) {
        uint16_t bid = (uint16_t)(flags >> IORING_CQE_BUFFER_SHIFT);
        uint8_t *buf = r->bufs + (size_t)bid * r->buf_size;
        struct io_uring_recvmsg_out *out =
            res >= 0 ? io_uring_recvmsg_validate(buf, res, &r->hdr) : NULL;
        if (out && live) {
            uint8_t *name = io_uring_recvmsg_name(out);
            socklen_t namelen = out->namelen < r->hdr.msg_namelen ? out->namelen
                                                                  : r->hdr.msg_namelen;
            size_t clen = out->controllen < r->hdr.msg_controllen ? out->controllen
                                                                  : r->hdr.msg_controllen;
            uint8_t *control = name + r->hdr.msg_namelen;
            const uint8_t *payload = io_uring_recvmsg_payload(out, &r->hdr);
            size_t len = io_uring_recvmsg_payload_length(out, res, &r->hdr);
            ug_recv_deliver(loop, r, name, namelen, control, clen, payload, len, (int)out->flags);
        }
        /* Still registered: a stop inside the callback finishes only on the
         * final CQE, handled below. */
        recycle(r, bid);
    } else if (res < 0 && res != -ENOBUFS && res != -ECANCELED && live) {
        r->cb(loop, r, ug_status_from_errno(-res), NULL);
    }
    if (more)
        return;
    r->op.inflight--;
    loop->inflight--;
    if (r->op.state == ST_STOPPING) {
        if (r->op.inflight == 0) {
            release_ring(loop, r);
            ug_recv_finish(loop, r);
        }
        return;
    }
    /* Multishot ends on ENOBUFS (all buffers held) and on some errors;
     * re-arm unless the socket itself is unusable. */
    if (r->op.state == ST_ACTIVE && res != -EBADF && res != -ENOTSOCK && res != -EINVAL &&
        !atomic_load(&loop->closing)) {
        loop->stats.recv_rearms++;
        (void)arm_recv(loop, r);
    }
}

/* ---------------------------------------------------------------- send -- */

ug_status ug_uring_send(ug_loop *loop, struct ug_send *s, int fd, const struct msghdr *msg,
                        int flags)
{
    struct io_uring_sqe *sqe = get_sqe(loop);
    if (!sqe)
        return UG_STATUS_BADRESOURCEUNAVAILABLE;
    io_uring_prep_sendmsg(sqe, fd, msg, (unsigned)flags);
    io_uring_sqe_set_data(sqe, s);
    s->op.inflight++;
    loop->inflight++;
    return UG_STATUS_GOOD;
}

static void send_cqe(ug_loop *loop, struct ug_send *s, int res)
{
    s->op.inflight--;
    loop->inflight--;
    s->op.state = ST_IDLE;
    if (atomic_load(&loop->closing))
        return;
    s->cb(loop, s, res >= 0 ? UG_STATUS_GOOD : ug_status_from_errno(-res),
          res >= 0 ? (size_t)res : 0);
}

/* ---------------------------------------------------------------- poll -- */

static void dispatch(ug_loop *loop, void *ud, int res, uint32_t flags)
{
    struct ug_op *op = ud;
    bool closing = atomic_load(&loop->closing);
    switch (op->kind) {
    case OP_EPFD:
        /* Re-armed by the next wait that goes through the ring. */
        op->inflight--;
        loop->inflight--;
        if (!closing)
            (void)ug_epoll_dispatch(loop, 0);
        break;
    case OP_RECV:
        recv_cqe(loop, (struct ug_recv *)op, res, flags);
        break;
    case OP_SEND:
        send_cqe(loop, (struct ug_send *)op, res);
        break;
    default:
        break;
    }
}

/* Handles at most `budget` completions already in the CQ. */
static void reap(ug_loop *loop, unsigned budget)
{
    struct io_uring_cqe *cqe;
    for (unsigned n = 0; n < budget && io_uring_peek_cqe(&loop->ring, &cqe) == 0; n++) {
        void *ud = io_uring_cqe_get_data(cqe);
        int res = cqe->res;
        uint32_t flags = cqe->flags;
        io_uring_cqe_seen(&loop->ring, cqe);
        if (ud)
            dispatch(loop, ud, res, flags);
    }
}

/* Margin by which a direct epoll wait ends before the deadline: epoll's
 * sleep has timer slack (0.1 % of the timeout, at least the thread's slack,
 * 50 us by default), the ring's timed wait and a timerfd have none. Waits
 * shorter than that go through the ring, so timers keep their precision. */
static int64_t slack_margin(int64_t timeout_ns) { return timeout_ns / 256 + 1000000; }

/* The direct wait: true when it ran (events dispatched, or a timeout). */
static bool wait_direct(ug_loop *loop, int64_t timeout_ns)
{
    if (timeout_ns == 0 || atomic_load_explicit(&pwait2_refused, memory_order_relaxed))
        return false;
    /* Nothing in flight but the ring's poll of the set, if armed (its CQE
     * may be posted already, unseen: reaped when the ring is next entered),
     * nothing queued to submit, no completion waiting. */
    if (loop->inflight > loop->epfd_op.inflight || io_uring_sq_ready(&loop->ring) > 0 ||
        io_uring_cq_ready(&loop->ring) > 0)
        return false;
    struct timespec ts, *tsp = NULL;
    if (timeout_ns > 0) {
        int64_t t = timeout_ns - slack_margin(timeout_ns);
        if (t <= 0)
            return false;
        ts = (struct timespec){.tv_sec = t / 1000000000, .tv_nsec = t % 1000000000};
        tsp = &ts;
    }
    int n = ug_epoll_dispatch_ts(loop, tsp);
    if (n == -ENOSYS || n == -EPERM) {
        atomic_store_explicit(&pwait2_refused, true, memory_order_relaxed);
        return false;
    }
    if (n <= 0) /* a timeout, EINTR */
        loop->now = ug_clock_mono_ns();
    return true;
}

ug_status ug_uring_poll(ug_loop *loop, int64_t timeout_ns)
{
    struct io_uring_cqe *cqe;
    int ret;
    if (wait_direct(loop, timeout_ns))
        return UG_STATUS_GOOD;
    if (loop->epfd_op.inflight == 0 && !atomic_load(&loop->closing))
        (void)arm_poll(loop, loop->epfd, &loop->epfd_op);
    if (io_uring_cq_ready(&loop->ring) > 0)
        timeout_ns = 0;
    if (timeout_ns == 0) {
        ret = io_uring_submit(&loop->ring);
        if (ret >= 0 && (IO_URING_READ_ONCE(*loop->ring.sq.kflags) & IORING_SQ_TASKRUN))
            ret = io_uring_get_events(&loop->ring);
    } else if (timeout_ns < 0) {
        ret = io_uring_submit_and_wait(&loop->ring, 1);
    } else {
        struct __kernel_timespec ts = {.tv_sec = timeout_ns / 1000000000,
                                       .tv_nsec = timeout_ns % 1000000000};
        ret = io_uring_submit_and_wait_timeout(&loop->ring, &cqe, 1, &ts, NULL);
    }
    if (ret < 0 && ret != -ETIME && ret != -EINTR && ret != -EAGAIN && ret != -EBUSY)
        return ug_status_from_errno(-ret);
    loop->now = ug_clock_mono_ns();
    reap(loop, loop->events_per_wake);
    return UG_STATUS_GOOD;
}

void ug_uring_fini(ug_loop *loop, int64_t timeout_ns, ug_status *st)
{
    if (!loop->ring_ok)
        return;
    struct io_uring_sqe *sqe = get_sqe(loop);
    if (sqe) {
        io_uring_prep_cancel64(sqe, 0, IORING_ASYNC_CANCEL_ANY);
        io_uring_sqe_set_data(sqe, NULL);
    }
    int64_t deadline = ug_clock_mono_ns() + timeout_ns;
    while (loop->inflight > 0) {
        int64_t left = deadline - ug_clock_mono_ns();
        if (left <= 0) {
            *st = UG_STATUS_BADTIMEOUT;
            break;
        }
        struct __kernel_timespec ts = {.tv_sec = left / 1000000000, .tv_nsec = left % 1000000000};
        struct io_uring_cqe *cqe;
        int ret = io_uring_submit_and_wait_timeout(&loop->ring, &cqe, 1, &ts, NULL);
        if (ret < 0 && ret != -ETIME && ret != -EINTR) {
            *st = ug_status_from_errno(-ret);
            break;
        }
        reap(loop, UINT32_MAX);
    }
    for (struct ug_recv *r = loop->recvs; r; r = r->next_active)
        release_ring(loop, r);
    io_uring_queue_exit(&loop->ring);
    loop->ring_ok = false;
}
