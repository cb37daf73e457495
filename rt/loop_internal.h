/* Private to rt/: the loop structure shared by the generic loop (loop.c),
 * timers (timer.c) and the two backends (uring.c, epoll.c). */
#ifndef UG_RT_LOOP_INTERNAL_H
#define UG_RT_LOOP_INTERNAL_H

#include <liburing.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/epoll.h>

#include "uagate/rt.h"

enum op_kind {
    OP_NONE = 0,
    OP_RECV,
    OP_WATCH,
    OP_SEND,
    OP_EVFD,  /* the wake-up eventfd */
    OP_EPFD,  /* io_uring backend: the watch epoll set */
    OP_TFD,   /* epoll backend: the timerfd */
};

enum op_state {
    ST_IDLE = 0,
    ST_ACTIVE,
    ST_STOPPING,
};

/* One posted entry: a completion for an identity, or a call. */
struct post_ent {
    uint64_t id;
    ug_status status;
    void *result;
    void (*fn)(ug_loop *loop, void *arg);
};

struct async_slot {
    uint32_t gen;
    uint32_t next_free;
    struct ug_async *op;
};

struct ug_loop {
    enum ug_loop_backend backend;
    uint32_t events_per_wake;
    int64_t spin_ns;
    int64_t now;
    uint64_t iter;
    bool running;
    struct ug_loop_stats stats;

    /* Timers: binary min-heap on deadline_ns; each timer knows its index. */
    struct ug_timer **heap;
    uint32_t heap_len, heap_cap;

    /* Delayed callbacks: FIFO, doubly linked. */
    struct ug_delayed *dhead, *dtail;

    /* Posted work: producers append to `in` under mu; the loop swaps it with
     * `out` and drains without the lock. */
    pthread_mutex_t mu;
    struct post_ent *in, *out;
    size_t in_len, in_cap, out_cap;
    atomic_bool wake_pending;
    atomic_bool stop;
    atomic_bool closing;
    int evfd;

    /* Async identities: generational slots. */
    struct async_slot *slots;
    uint32_t nslots, free_head, live;

    /* epoll set: all fds with the epoll backend, watches only with io_uring. */
    int epfd;
    struct epoll_event *events;
    int ev_pos, ev_len; /* batch being dispatched, for invalidation */

    struct ug_recv *recvs; /* started receives, for close */

    /* io_uring backend. */
    struct io_uring ring;
    bool ring_ok;
    uint16_t next_bgid;
    int inflight; /* requests that will still produce a final CQE */
    struct ug_op evfd_op, epfd_op;
    bool epfd_armed, evfd_armed;

    /* epoll backend. */
    int tfd;
    int64_t tfd_armed; /* deadline the timerfd is set to; INT64_MAX: disarmed,
                          0: unknown (fired or never set) */
    struct ug_op tfd_op;
};

/* timer.c */
int64_t ug_timer_next_deadline(const ug_loop *loop); /* INT64_MAX: none */
/* Runs the timers due now; returns how many callbacks ran. */
uint32_t ug_timer_run_due(ug_loop *loop);
void ug_timer_heap_free(ug_loop *loop);

/* loop.c */
void ug_recv_deliver(ug_loop *loop, struct ug_recv *r, uint8_t *name, socklen_t namelen,
                     uint8_t *control, size_t controllen, const uint8_t *payload, size_t len,
                     int msg_flags);
ug_status ug_status_from_errno(int err);
void ug_events_forget(ug_loop *loop, const void *op);
/* Frees r's buffers, unlinks it and queues its stopped callback. */
void ug_recv_finish(ug_loop *loop, struct ug_recv *r);

/* uring.c */
int ug_uring_init(ug_loop *loop, uint32_t entries); /* 0 or -errno */
void ug_uring_fini(ug_loop *loop, int64_t timeout_ns, ug_status *st);
ug_status ug_uring_poll(ug_loop *loop, int64_t timeout_ns);
ug_status ug_uring_recv_start(ug_loop *loop, struct ug_recv *r);
ug_status ug_uring_recv_stop(ug_loop *loop, struct ug_recv *r);
ug_status ug_uring_send(ug_loop *loop, struct ug_send *s, int fd, const struct msghdr *msg,
                        int flags);

/* epoll.c */
int ug_epoll_init(ug_loop *loop); /* 0 or -errno */
void ug_epoll_fini(ug_loop *loop);
ug_status ug_epoll_poll(ug_loop *loop, int64_t timeout_ns);
/* Dispatches watch (and, for the epoll backend, every) events ready now,
 * waiting at most timeout_ms. Returns the number handled or -errno. */
int ug_epoll_dispatch(ug_loop *loop, int timeout_ms);
/* Waits in epoll_pwait2 (ts NULL: forever) and dispatches what is ready;
 * the io_uring backend uses it when nothing else is in flight on its ring.
 * Returns the events handled, or -errno (ENOSYS/EPERM: epoll_pwait2 refused). */
int ug_epoll_dispatch_ts(ug_loop *loop, const struct timespec *ts);
ug_status ug_epoll_recv_start(ug_loop *loop, struct ug_recv *r);
ug_status ug_epoll_recv_stop(ug_loop *loop, struct ug_recv *r);
ug_status ug_epoll_send(ug_loop *loop, struct ug_send *s, int fd, const struct msghdr *msg,
                        int flags);
void ug_loop_drain_evfd(ug_loop *loop);

#endif
