/* uagate rt — the real-time core: event loop, timers, worker completions,
 * fd receive/readiness/send operations, real-time thread set-up, clocks and
 * latency histograms.
 *
 * One ug_loop per thread owns all protocol state. Every in-flight operation is
 * a small struct embedded in its owner (ug_timer, ug_delayed, ug_async,
 * ug_recv, ug_watch, ug_send); the loop keeps pointers to them, never copies.
 * Unless a function says "any thread", it must be called on the loop's thread
 * (the thread running ug_loop_run, or any thread while the loop is not
 * running).
 *
 * Lifecycle: ug_loop_new -> start operations -> ug_loop_run (returns after
 * ug_loop_stop) -> stop operations -> ug_loop_close.
 *
 * Backends: io_uring (default) and epoll. UG_LOOP_BACKEND_AUTO picks the
 * environment variable UG_LOOP_BACKEND ("io_uring" or "epoll") when set, else
 * io_uring, falling back to epoll when the kernel refuses io_uring (ENOSYS,
 * EPERM, EACCES: seccomp, kernel.io_uring_disabled) or lacks the features the
 * loop needs. Both backends offer the same API with the same semantics.
 *
 * Callbacks: if a function that takes a callback fails, the callback is never
 * called. All callbacks run on the loop thread.
 *
 * Times are int64_t nanoseconds. Deadlines are absolute CLOCK_MONOTONIC.
 */
#ifndef UAGATE_RT_H
#define UAGATE_RT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "uagate/status.h"

typedef struct ug_loop ug_loop;

/* ---------------------------------------------------------------- loop -- */

enum ug_loop_backend {
    UG_LOOP_BACKEND_AUTO = 0,
    UG_LOOP_BACKEND_IO_URING,
    UG_LOOP_BACKEND_EPOLL,
};

struct ug_loop_options {
    enum ug_loop_backend backend;
    uint32_t sq_entries;     /* io_uring submission queue size; 0: 256 */
    uint32_t events_per_wake; /* bound on fd events handled per wake-up; 0: 64 */
    /* Wake this long before a timer deadline and spin on the clock until it
     * (0: off). Trades CPU for wake-up jitter: the kernel's wake-up latency
     * (tens of us on a VM) is paid before the deadline instead of after it.
     * I/O that completes during the spin is handled after the timer. */
    int64_t spin_ns;
};

/* Statistics, cumulative since ug_loop_new. */
struct ug_loop_stats {
    uint64_t iterations;
    uint64_t timer_fires;
    uint64_t timer_missed;    /* base-time slots skipped, all timers */
    uint64_t posts_delivered; /* ug_loop_post entries that found their op */
    uint64_t posts_dropped;   /* entries whose op was cancelled (by identity) */
    uint64_t recv_packets;
    uint64_t recv_truncated;
    uint64_t recv_rearms;     /* multishot receives re-armed (ENOBUFS, ...) */
};

void ug_loop_options_init(struct ug_loop_options *opts);

/* Creates a loop. opts may be NULL (defaults).
 * Lifetime: the caller owns *out until ug_loop_close.
 * Returns Good, BadOutOfMemory, BadNotSupported (the backend asked for
 * explicitly is not available), BadUserAccessDenied (io_uring asked for
 * explicitly and refused by EPERM/EACCES), BadResourceUnavailable (out of fds),
 * BadInvalidArgument (UG_LOOP_BACKEND names no backend). */
ug_status ug_loop_new(const struct ug_loop_options *opts, ug_loop **out);

/* Closes a loop that is not running. Operations still started are cancelled
 * without callbacks (their memory must stay valid until this returns); the
 * kernel's in-flight work on them is waited for at most timeout_ns (<0: 1 s).
 * The loop is freed in every case. Returns Good, or BadTimeout when in-flight
 * work did not finish in time (the io_uring is then torn down regardless,
 * which makes the kernel cancel it). NULL: Good. */
ug_status ug_loop_close(ug_loop *loop, int64_t timeout_ns);

/* Runs until ug_loop_stop. Phases of each iteration, in ug_loop_run_once:
 * timers, delayed callbacks and deferred completions, posted work, I/O.
 * Returns Good after a stop, BadInvalidState when already running, or the
 * status of a fatal backend error. */
ug_status ug_loop_run(ug_loop *loop);

/* One iteration. block: wait for I/O until the next timer (else only poll);
 * ignored (only polls) when this iteration's timer, delayed or posted phase
 * ran a callback, so a caller waiting on a condition re-checks it at once.
 * Returns Good or a fatal backend error. */
ug_status ug_loop_run_once(ug_loop *loop, bool block);

/* Any thread, async-signal-safe: makes ug_loop_run return after the current
 * iteration. A stop requested while not running makes the next run return at
 * once. */
void ug_loop_stop(ug_loop *loop);

enum ug_loop_backend ug_loop_backend(const ug_loop *loop);
const char *ug_loop_backend_name(enum ug_loop_backend b);
/* CLOCK_MONOTONIC at the start of the current iteration's phase. */
int64_t ug_loop_now(const ug_loop *loop);
void ug_loop_get_stats(const ug_loop *loop, struct ug_loop_stats *out);

/* --------------------------------------------------------------- timers -- */

enum ug_timer_policy {
    /* Next run = the time the callback was dispatched + interval. */
    UG_TIMER_CURRENT_TIME = 0,
    /* Stay on the grid base + k*interval; slots already past when the timer
     * is dispatched are skipped and counted in ug_timer.missed. */
    UG_TIMER_BASE_TIME,
};

struct ug_timer;
typedef void (*ug_timer_cb)(ug_loop *loop, struct ug_timer *t);

/* Lifetime: owned by its owner; must stay valid while started. Fields are
 * read-only for the owner except data. */
struct ug_timer {
    ug_timer_cb cb;
    void *data;
    int64_t deadline_ns;  /* next scheduled run (absolute MONOTONIC) */
    int64_t scheduled_ns; /* inside cb: the deadline this run was for */
    int64_t interval_ns;  /* 0: one-shot */
    int64_t base_ns;
    uint64_t fired;
    uint64_t missed;
    uint32_t heap_idx;    /* UINT32_MAX when not started */
    uint8_t policy;
};

/* Prepares a timer (not started). Must be called once before any other
 * ug_timer function. */
void ug_timer_init(struct ug_timer *t, ug_timer_cb cb, void *data);

/* Starts (or restarts) a cyclic timer. The first run is at base_ns when it is
 * in the future; otherwise at the next slot of base_ns + k*interval_ns
 * (BASE_TIME) or at now + interval_ns (CURRENT_TIME). base_ns <= 0: the base
 * is now and the first run at now + interval_ns.
 * O(log n). Returns Good, BadInvalidArgument (interval_ns <= 0, bad policy),
 * BadOutOfMemory (heap growth). */
ug_status ug_timer_start_cyclic(ug_loop *loop, struct ug_timer *t, int64_t interval_ns,
                                int64_t base_ns, enum ug_timer_policy policy);

/* Starts (or restarts) a one-shot timer at an absolute MONOTONIC deadline
 * (past deadlines run in the next timer phase). O(log n).
 * Returns Good or BadOutOfMemory. */
ug_status ug_timer_start_once(ug_loop *loop, struct ug_timer *t, int64_t deadline_ns);

/* Changes interval, base and policy of a started cyclic timer, keeping its
 * counters; the next deadline is recomputed as in ug_timer_start_cyclic.
 * Safe inside any callback, including the timer's own. O(log n).
 * Returns Good, BadInvalidArgument, BadInvalidState (not started). */
ug_status ug_timer_modify(ug_loop *loop, struct ug_timer *t, int64_t interval_ns,
                          int64_t base_ns, enum ug_timer_policy policy);

/* Stops a timer; no-op when not started. Safe inside any callback. O(log n). */
void ug_timer_stop(ug_loop *loop, struct ug_timer *t);

static inline bool ug_timer_active(const struct ug_timer *t)
{
    return t->heap_idx != UINT32_MAX;
}

/* -------------------------------------------------------------- delayed -- */

struct ug_delayed;
typedef void (*ug_delayed_cb)(ug_loop *loop, struct ug_delayed *d);

/* A callback for the next loop iteration. Zero it before its first use.
 * Lifetime: owner's, valid while queued. Fields other than data are private. */
struct ug_delayed {
    ug_delayed_cb cb;
    void *data;
    struct ug_delayed *prev, *next;
    uint64_t iter;
    bool queued;
};

/* Queues d to run once in the next iteration's delayed phase (FIFO). Adding
 * an already queued d is a no-op. Never fails. */
void ug_loop_add_delayed(ug_loop *loop, struct ug_delayed *d, ug_delayed_cb cb, void *data);
/* Dequeues d; no-op when not queued. O(1). */
void ug_loop_remove_delayed(ug_loop *loop, struct ug_delayed *d);

/* ------------------------------------------ worker completions (identity) -- */

struct ug_async;
/* status and result are what the worker posted. */
typedef void (*ug_async_cb)(ug_loop *loop, struct ug_async *a, ug_status status, void *result);

/* An operation handed to another thread. Lifetime: owner's, valid while
 * started (until its callback runs or ug_async_cancel). */
struct ug_async {
    ug_async_cb cb;
    void *data;
    uint64_t id; /* identity: generation << 32 | slot; 0 when not started */
};

/* Registers a and gives it a fresh identity (a->id), never reused for the
 * life of the loop, to be handed to the worker.
 * Returns Good, BadOutOfMemory, BadTooManyOperations (2^32 - 1 in flight). */
ug_status ug_async_start(ug_loop *loop, struct ug_async *a, ug_async_cb cb, void *data);

/* Forgets a: a later post with its identity is dropped and counted in
 * posts_dropped; the callback is never called. Returns true when a was
 * started and not yet completed. */
bool ug_async_cancel(ug_loop *loop, struct ug_async *a);

/* Any thread, as long as the loop exists: join workers (or stop their
 * posting) before ug_loop_close; posts that overlap close get BadShutdown,
 * but the loop is freed when close returns. Posts the completion of the
 * operation with identity id. The
 * loop runs its callback in the posted-work phase, exactly once, unless the
 * operation was cancelled meanwhile (then dropped). Posts with one identity
 * after the first are dropped. Allocation only when the queue grows.
 * Returns Good, BadOutOfMemory, BadShutdown (loop closing). */
ug_status ug_loop_post(ug_loop *loop, uint64_t id, ug_status status, void *result);

/* Any thread: runs fn(loop, arg) on the loop thread in the posted-work phase.
 * Returns Good, BadOutOfMemory, BadShutdown. */
ug_status ug_loop_call(ug_loop *loop, void (*fn)(ug_loop *loop, void *arg), void *arg);

/* ---------------------------------------------------------- worker pool -- */

/* A few threads for slow jobs (a file, a DNS lookup, a device read). A job is
 * fn(arg, &result) run on a worker; its status and result complete a ug_async
 * on the loop through ug_loop_post, so the usual identity rules hold:
 * ug_async_cancel drops the completion even while fn runs.
 * fn must not touch loop state; arg must stay valid until fn returns (give the
 * job arguments it owns when it may be cancelled while running). A result of
 * a dropped completion is seen by no one: prefer results that need no
 * freeing.
 * Lifetime: the pool is the caller's until ug_pool_free, which must come
 * before ug_loop_close. */
typedef struct ug_pool ug_pool;
typedef ug_status (*ug_work_fn)(void *arg, void **result);

/* Starts `threads` workers (1..64). Returns Good, BadInvalidArgument,
 * BadOutOfMemory, BadResourceUnavailable (thread creation failed). */
ug_status ug_pool_new(ug_loop *loop, unsigned threads, ug_pool **out);

/* Loop thread: queues fn(arg) and starts a (ug_async_start) with cb/data.
 * Allocation only when the queue grows. Returns Good, BadInvalidArgument
 * (fn or cb NULL), BadOutOfMemory, BadShutdown (pool being freed), or
 * ug_async_start's failures. */
ug_status ug_pool_submit(ug_pool *pool, struct ug_async *a, ug_work_fn fn, void *arg,
                         ug_async_cb cb, void *data);

/* Loop thread: stops the workers after the job each one is running; jobs
 * still queued never run and their completions never come (their asyncs stay
 * started: cancel them). NULL: no-op. */
void ug_pool_free(ug_pool *pool);

/* --------------------------------------------------------- operations -- */

/* Kinds of the operations whose address is the io_uring user_data / epoll
 * data.ptr. Private; first member of every fd operation. */
struct ug_op {
    uint8_t kind;
    uint8_t state;
    uint16_t flags;
    int32_t inflight; /* io_uring requests not yet completed */
};

/* --------------------------------------------------------------- recv -- */

/* One received datagram, a view valid until the callback returns. */
struct ug_recv_msg {
    const uint8_t *data;
    size_t len;
    const struct sockaddr *addr; /* NULL when the socket gives none */
    socklen_t addrlen;
    /* Control messages: msg_control/msg_controllen only, so that
     * CMSG_FIRSTHDR(&m->cmsg) / CMSG_NXTHDR work. */
    struct msghdr cmsg;
    int64_t rx_realtime_ns; /* kernel receive time (SO_TIMESTAMPNS or
                               SO_TIMESTAMPING software/hardware), 0: none */
    int64_t rx_mono_ns;     /* loop time when the datagram was dispatched */
    bool truncated;         /* MSG_TRUNC: payload larger than the buffer */
};

struct ug_recv;
/* Good: msg is a datagram. Bad: msg is NULL, status tells the socket error
 * (BadCommunicationError, BadConnectionClosed); receiving goes on. */
typedef void (*ug_recv_cb)(ug_loop *loop, struct ug_recv *r, ug_status status,
                           const struct ug_recv_msg *msg);
typedef void (*ug_recv_stopped_cb)(ug_loop *loop, struct ug_recv *r);

struct ug_recv_config {
    uint32_t buf_size;    /* bytes per buffer incl. headers; 0: 2048 */
    uint32_t buf_count;   /* power of two, 1..32768; 0: 256 */
    uint32_t control_len; /* control-message space per datagram; 0: 256 */
};

/* Multishot receive: datagrams land in a ring of buffers the loop allocated at
 * start (io_uring provided-buffer ring; epoll: recvmmsg into the same
 * buffers); each buffer goes back to the ring when the callback returns.
 * Lifetime: owner's; valid from start until the stopped callback ran (or
 * ug_loop_close returned). Fields other than data are private. */
struct ug_recv {
    struct ug_op op;
    ug_recv_cb cb;
    ug_recv_stopped_cb stopped_cb;
    void *data;
    int fd;
    uint16_t bgid;
    uint32_t buf_size, buf_count, control_len;
    uint8_t *bufs;
    void *ring;        /* io_uring_buf_ring */
    size_t ring_bytes;
    struct msghdr hdr; /* template for multishot recvmsg */
    struct ug_delayed deferred;
    struct ug_recv *next_active;
};

/* Starts receiving on a datagram socket (UDP, AF_PACKET); the socket should
 * be non-blocking. cfg may be NULL. r must be zeroed before its first start
 * (it may be restarted after its stopped callback ran). The fd stays the owner's; do not close it
 * before the stopped callback.
 * Returns Good, BadInvalidArgument, BadOutOfMemory, BadNotSupported (kernel
 * lacks buffer rings / multishot recvmsg), BadInvalidState (already started),
 * BadResourceUnavailable. */
ug_status ug_recv_start(ug_loop *loop, struct ug_recv *r, int fd, const struct ug_recv_config *cfg,
                        ug_recv_cb cb, void *data);

/* Stops receiving. No receive callback runs after this returns; stopped_cb
 * (may be NULL) runs once, from the loop, when the kernel has let go of the
 * buffers; r may be freed from then on. Returns Good, BadInvalidState (not
 * started / already stopping) or BadResourceUnavailable (io_uring submission
 * queue full: r keeps receiving, try again). */
ug_status ug_recv_stop(ug_loop *loop, struct ug_recv *r, ug_recv_stopped_cb stopped_cb);

/* -------------------------------------------------------------- watch -- */

/* Readiness watch for an fd whose owner does its own I/O (libpcap,
 * libmosquitto). Events are EPOLLIN/EPOLLOUT/EPOLLPRI (level-triggered);
 * revents may also hold EPOLLERR/EPOLLHUP. Both backends keep watches in an
 * epoll set (the io_uring backend polls that set through the ring), so start,
 * modify and stop are synchronous: after ug_watch_stop returns the callback
 * never runs again and w may be freed.
 * Lifetime: owner's while started. Fields other than data are private. */
struct ug_watch;
typedef void (*ug_watch_cb)(ug_loop *loop, struct ug_watch *w, uint32_t revents);

struct ug_watch {
    struct ug_op op;
    ug_watch_cb cb;
    void *data;
    int fd;
    uint32_t events;
};

/* w must be zeroed before its first start.
 * Returns Good, BadInvalidArgument (bad fd, no cb, fd not pollable),
 * BadInvalidState (already started), BadResourceUnavailable (fd already
 * watched or received on by this loop). */
ug_status ug_watch_start(ug_loop *loop, struct ug_watch *w, int fd, uint32_t events,
                         ug_watch_cb cb, void *data);
/* Returns Good, BadInvalidState (not started), BadResourceUnavailable. */
ug_status ug_watch_modify(ug_loop *loop, struct ug_watch *w, uint32_t events);
/* No-op when not started. */
void ug_watch_stop(ug_loop *loop, struct ug_watch *w);

/* --------------------------------------------------------------- send -- */

/* Asynchronous sendmsg. For UDP at 10 kHz a direct sendmsg(2) from the loop
 * thread is what transports should use: one syscall, no SQE/CQE round trip,
 * the datagram leaves before the timer callback returns (bench/timer_jitter,
 * 64-byte loopback datagrams, 3 runs on a loaded 2-CPU VM: 3.0-5.1 us direct
 * against 4.1-6.4 us through ug_send with one in flight); ug_send is for sockets that may block (TCP) or for batching many
 * sends into one io_uring_enter.
 * io_uring: IORING_OP_SENDMSG, submitted with the next wait. epoll: sendmsg
 * with MSG_DONTWAIT at once, result delivered in the next iteration (EAGAIN
 * gives BadWouldBlock).
 * Lifetime: s, msg and everything msg points to stay valid until cb. */
struct ug_send;
/* status Good: sent bytes; else BadWouldBlock, BadCommunicationError,
 * BadConnectionClosed, BadShutdown. */
typedef void (*ug_send_cb)(ug_loop *loop, struct ug_send *s, ug_status status, size_t sent);

struct ug_send {
    struct ug_op op;
    ug_send_cb cb;
    void *data;
    int result; /* private */
    struct ug_delayed deferred;
};

/* s must be zeroed before its first start; it may be reused from its
 * callback on. Returns Good (cb will run), BadInvalidArgument, BadInvalidState
 * (s in flight), BadResourceUnavailable (submission queue full even after a
 * submit). */
ug_status ug_send_start(ug_loop *loop, struct ug_send *s, int fd, const struct msghdr *msg,
                        int flags, ug_send_cb cb, void *data);

/* -------------------------------------------------------------- clocks -- */

int64_t ug_clock_mono_ns(void);
int64_t ug_clock_real_ns(void);
int64_t ug_clock_tai_ns(void);

/* OPC UA DateTime: 100 ns ticks since 1601-01-01 UTC (Part 6 §5.2.2.5). */
#define UG_DATETIME_UNIX_EPOCH 116444736000000000LL
int64_t ug_datetime_from_unix_ns(int64_t unix_ns);
/* Saturates to INT64_MIN/INT64_MAX outside 1677..2262 (int64 ns). */
int64_t ug_datetime_to_unix_ns(int64_t ticks);
/* DateTime of CLOCK_REALTIME now. */
int64_t ug_datetime_now(void);

/* ------------------------------------------------------- real-time set-up -- */

/* Each function acts on the calling thread (or process for memory) and, when
 * the system refuses, returns the status and writes a human-readable reason
 * into why (why_cap bytes, may be 0/NULL); the caller may run on without it.
 * Statuses: Good, BadUserAccessDenied (EPERM: no CAP_SYS_NICE / RLIMIT),
 * BadInvalidArgument (no such CPU, priority out of range), BadOutOfMemory
 * (ENOMEM/EAGAIN on locking), BadNotSupported (ENOSYS). */
ug_status ug_rt_pin_cpu(int cpu, char *why, size_t why_cap);
ug_status ug_rt_set_fifo(int priority, char *why, size_t why_cap);
/* Back to SCHED_OTHER, nice 0. */
ug_status ug_rt_set_other(char *why, size_t why_cap);
/* mlockall(MCL_CURRENT | MCL_FUTURE). */
ug_status ug_rt_lock_memory(char *why, size_t why_cap);
/* Touches stack_bytes of stack and heap_bytes of heap (kept by malloc:
 * trimming and mmap of large blocks are turned off) so that later use does
 * not page-fault. */
ug_status ug_rt_prefault(size_t stack_bytes, size_t heap_bytes, char *why, size_t why_cap);
/* prctl(PR_SET_TIMERSLACK): 1 ns keeps sub-millisecond timers on time for
 * SCHED_OTHER threads (default slack is 50 us). */
ug_status ug_rt_set_timer_slack(uint64_t ns, char *why, size_t why_cap);

struct ug_rt_config {
    int cpu;              /* <0: do not pin */
    int fifo_priority;    /* 0: stay SCHED_OTHER; 1..99 */
    bool lock_memory;
    size_t prefault_stack;
    size_t prefault_heap;
    uint64_t timer_slack_ns; /* 0: leave */
};

/* Result of ug_rt_apply: one status and reason per step (Good when the step
 * was not asked for). */
struct ug_rt_result {
    ug_status pin, fifo, lock, prefault, slack;
    char why[5][128];
};

void ug_rt_config_init(struct ug_rt_config *cfg);
/* Applies every step asked for, each regardless of the others' failure.
 * Returns the first failure (Good when all succeeded). */
ug_status ug_rt_apply(const struct ug_rt_config *cfg, struct ug_rt_result *res);

/* ------------------------------------------------------------ histogram -- */

/* Log-linear latency histogram (HdrHistogram-like): values below 64 ns are
 * exact; each range [2^k, 2^(k+1)) is split into 64 linear sub-buckets
 * (relative error < 1.6 %), up to 2^37 ns (~137 s); larger values count in
 * the top bucket, negative values as 0. record is O(1) and never allocates.
 * Lifetime: a plain value; embed or allocate it (about 16 KiB). */
#define UG_HIST_SUB 64
#define UG_HIST_MAX_EXP 37
#define UG_HIST_BUCKETS (UG_HIST_SUB + (UG_HIST_MAX_EXP - 6) * UG_HIST_SUB)

struct ug_hist {
    uint64_t count;
    int64_t min, max;
    double sum;
    uint64_t buckets[UG_HIST_BUCKETS];
};

void ug_hist_reset(struct ug_hist *h);
void ug_hist_record(struct ug_hist *h, int64_t value_ns);
/* Adds src into dst. */
void ug_hist_merge(struct ug_hist *dst, const struct ug_hist *src);
/* Value at percentile p (0..100): the highest value of the bucket holding the
 * ceil(p/100 * count)-th smallest value, clamped to [min, max]. 0 when empty. */
int64_t ug_hist_percentile(const struct ug_hist *h, double p);
double ug_hist_mean(const struct ug_hist *h);
/* Writes a one-line table row / header to out (the caller's stream). */
void ug_hist_print_header(FILE *out);
void ug_hist_print_row(const struct ug_hist *h, const char *label, FILE *out);
/* Writes {"label":..,"count":..,"min_ns":..,...,"buckets":[[upper_ns,count],..]}
 * (non-empty buckets only). */
void ug_hist_write_json(const struct ug_hist *h, const char *label, FILE *out);

#endif
