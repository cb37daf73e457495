/* Real-time thread set-up and clocks. Each step reports a refusal with a
 * status and a reason and leaves the thread as it was, so the caller can run
 * on without it (DESIGN.md: the loop runs on without real-time rights). */
#include <alloca.h>
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>

#include "loop_internal.h"

/* ---------------------------------------------------------------- clocks -- */

static int64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t ug_clock_mono_ns(void)
{
    return clock_ns(CLOCK_MONOTONIC);
}

int64_t ug_clock_real_ns(void)
{
    return clock_ns(CLOCK_REALTIME);
}

int64_t ug_clock_tai_ns(void)
{
    return clock_ns(CLOCK_TAI);
}

/* Floor division keeps instants before 1970 on the right tick. */
int64_t ug_datetime_from_unix_ns(int64_t unix_ns)
{
    int64_t q = unix_ns / 100;
    if (unix_ns % 100 < 0)
        q--;
    return q + UG_DATETIME_UNIX_EPOCH;
}

/* int64 nanoseconds span 1677..2262; DateTime spans 1601..30828. */
int64_t ug_datetime_to_unix_ns(int64_t ticks)
{
    int64_t rel = ticks - UG_DATETIME_UNIX_EPOCH;
    if (rel > INT64_MAX / 100)
        return INT64_MAX;
    if (rel < INT64_MIN / 100)
        return INT64_MIN;
    return rel * 100;
}

int64_t ug_datetime_now(void)
{
    return ug_datetime_from_unix_ns(ug_clock_real_ns());
}

/* --------------------------------------------------------------- set-up -- */

static ug_status refuse(int err, char *why, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static ug_status refuse(int err, char *why, size_t cap, const char *fmt, ...)
{
    if (why && cap) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(why, cap, fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < cap)
            snprintf(why + n, cap - (size_t)n, ": %s", strerror(err));
    }
    return ug_status_from_errno(err);
}

static void ok(char *why, size_t cap)
{
    if (why && cap)
        why[0] = '\0';
}

ug_status ug_rt_pin_cpu(int cpu, char *why, size_t why_cap)
{
    if (cpu < 0 || cpu >= CPU_SETSIZE)
        return refuse(EINVAL, why, why_cap, "pin to CPU %d", cpu);
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    int err = pthread_setaffinity_np(pthread_self(), sizeof set, &set);
    if (err)
        return refuse(err, why, why_cap, "pin to CPU %d refused", cpu);
    ok(why, why_cap);
    return UG_STATUS_GOOD;
}

ug_status ug_rt_set_fifo(int priority, char *why, size_t why_cap)
{
    int lo = sched_get_priority_min(SCHED_FIFO), hi = sched_get_priority_max(SCHED_FIFO);
    if (priority < lo || priority > hi)
        return refuse(EINVAL, why, why_cap, "SCHED_FIFO priority %d outside %d..%d", priority,
                      lo, hi);
    struct sched_param sp = {.sched_priority = priority};
    int err = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
    if (err) {
        struct rlimit rl = {0, 0};
        getrlimit(RLIMIT_RTPRIO, &rl);
        return refuse(err, why, why_cap,
                      "SCHED_FIFO %d refused (needs CAP_SYS_NICE or RLIMIT_RTPRIO >= %d, "
                      "limit is %lld)",
                      priority, priority, (long long)rl.rlim_cur);
    }
    ok(why, why_cap);
    return UG_STATUS_GOOD;
}

ug_status ug_rt_set_other(char *why, size_t why_cap)
{
    struct sched_param sp = {.sched_priority = 0};
    int err = pthread_setschedparam(pthread_self(), SCHED_OTHER, &sp);
    if (err)
        return refuse(err, why, why_cap, "SCHED_OTHER refused");
    ok(why, why_cap);
    return UG_STATUS_GOOD;
}

ug_status ug_rt_lock_memory(char *why, size_t why_cap)
{
    if (mlockall(MCL_CURRENT | MCL_FUTURE) != 0) {
        int err = errno;
        struct rlimit rl = {0, 0};
        getrlimit(RLIMIT_MEMLOCK, &rl);
        return refuse(err == EAGAIN ? ENOMEM : err, why, why_cap,
                      "mlockall refused (needs CAP_IPC_LOCK or a larger RLIMIT_MEMLOCK, "
                      "limit is %lld bytes)",
                      (long long)rl.rlim_cur);
    }
    ok(why, why_cap);
    return UG_STATUS_GOOD;
}

/* Not inlined, and the buffer is read back through a volatile pointer, so the
 * compiler cannot drop the touch. */
static __attribute__((noinline)) void touch_stack(size_t bytes)
{
    volatile unsigned char *p = alloca(bytes);
    size_t page = 4096;
    for (size_t i = 0; i < bytes; i += page)
        p[i] = 0;
    if (bytes)
        p[bytes - 1] = 0;
}

ug_status ug_rt_prefault(size_t stack_bytes, size_t heap_bytes, char *why, size_t why_cap)
{
    pthread_attr_t attr;
    size_t stack_size = 0;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        pthread_attr_getstacksize(&attr, &stack_size);
        pthread_attr_destroy(&attr);
    }
    /* Leave room for the frames above us and a guard. */
    if (stack_bytes && stack_size && stack_bytes + 65536 > stack_size)
        return refuse(EINVAL, why, why_cap, "prefault %zu stack bytes: stack is %zu", stack_bytes,
                      stack_size);
    if (stack_bytes)
        touch_stack(stack_bytes);
    if (heap_bytes) {
        /* Keep freed memory in the heap instead of returning it (or serving
         * large blocks from fresh mmaps), so the touched pages stay mapped. */
        mallopt(M_TRIM_THRESHOLD, -1);
        mallopt(M_MMAP_MAX, 0);
        unsigned char *p = malloc(heap_bytes);
        if (!p)
            return refuse(ENOMEM, why, why_cap, "prefault %zu heap bytes", heap_bytes);
        for (size_t i = 0; i < heap_bytes; i += 4096)
            ((volatile unsigned char *)p)[i] = 0;
        free(p);
    }
    ok(why, why_cap);
    return UG_STATUS_GOOD;
}

ug_status ug_rt_set_timer_slack(uint64_t ns, char *why, size_t why_cap)
{
    if (prctl(PR_SET_TIMERSLACK, (unsigned long)ns, 0, 0, 0) != 0)
        return refuse(errno, why, why_cap, "timer slack %llu ns refused", (unsigned long long)ns);
    ok(why, why_cap);
    return UG_STATUS_GOOD;
}

void ug_rt_config_init(struct ug_rt_config *cfg)
{
    *cfg = (struct ug_rt_config){.cpu = -1};
}

ug_status ug_rt_apply(const struct ug_rt_config *cfg, struct ug_rt_result *res)
{
    memset(res, 0, sizeof *res);
    if (cfg->lock_memory)
        res->lock = ug_rt_lock_memory(res->why[2], sizeof res->why[2]);
    if (cfg->prefault_stack || cfg->prefault_heap)
        res->prefault = ug_rt_prefault(cfg->prefault_stack, cfg->prefault_heap, res->why[3],
                                       sizeof res->why[3]);
    if (cfg->cpu >= 0)
        res->pin = ug_rt_pin_cpu(cfg->cpu, res->why[0], sizeof res->why[0]);
    if (cfg->fifo_priority > 0)
        res->fifo = ug_rt_set_fifo(cfg->fifo_priority, res->why[1], sizeof res->why[1]);
    if (cfg->timer_slack_ns)
        res->slack = ug_rt_set_timer_slack(cfg->timer_slack_ns, res->why[4], sizeof res->why[4]);
    const ug_status order[] = {res->pin, res->fifo, res->lock, res->prefault, res->slack};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if (!ug_is_good(order[i]))
            return order[i];
    return UG_STATUS_GOOD;
}
