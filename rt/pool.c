/* Worker pool: a mutex-protected ring of jobs and a condition variable. Each
 * job carries the identity of its ug_async, never a pointer to it, so a
 * worker cannot complete (or even read) an operation its owner cancelled and
 * reused; the loop drops such completions in its posted-work phase. */
#include <pthread.h>
#include <stdlib.h>

#include "loop_internal.h"

#define MAX_THREADS 64

struct job {
    uint64_t id;
    ug_work_fn fn;
    void *arg;
};

struct ug_pool {
    ug_loop *loop;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct job *jobs; /* ring */
    size_t head, len, cap;
    bool quit;
    unsigned nthreads;
    pthread_t threads[MAX_THREADS];
};

static void *worker_main(void *arg)
{
    ug_pool *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->quit && p->len == 0)
            pthread_cond_wait(&p->cv, &p->mu);
        if (p->quit)
            break;
        struct job j = p->jobs[p->head];
        p->head = (p->head + 1) % p->cap;
        p->len--;
        pthread_mutex_unlock(&p->mu);
        void *result = NULL;
        ug_status st = j.fn(j.arg, &result);
        /* BadShutdown here means the loop is closing: nobody waits. */
        (void)ug_loop_post(p->loop, j.id, st, result);
        pthread_mutex_lock(&p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

ug_status ug_pool_new(ug_loop *loop, unsigned threads, ug_pool **out)
{
    if (!loop || threads == 0 || threads > MAX_THREADS)
        return UG_STATUS_BADINVALIDARGUMENT;
    ug_pool *p = calloc(1, sizeof *p);
    if (!p)
        return UG_STATUS_BADOUTOFMEMORY;
    p->loop = loop;
    p->cap = 64;
    p->jobs = malloc(p->cap * sizeof *p->jobs);
    if (!p->jobs) {
        free(p);
        return UG_STATUS_BADOUTOFMEMORY;
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    for (; p->nthreads < threads; p->nthreads++) {
        if (pthread_create(&p->threads[p->nthreads], NULL, worker_main, p) != 0) {
            ug_pool_free(p);
            return UG_STATUS_BADRESOURCEUNAVAILABLE;
        }
    }
    *out = p;
    return UG_STATUS_GOOD;
}

static ug_status grow(ug_pool *p)
{
    size_t cap = p->cap * 2;
    struct job *n = malloc(cap * sizeof *n);
    if (!n)
        return UG_STATUS_BADOUTOFMEMORY;
    for (size_t i = 0; i < p->len; i++)
        n[i] = p->jobs[(p->head + i) % p->cap];
    free(p->jobs);
    p->jobs = n;
    p->head = 0;
    p->cap = cap;
    return UG_STATUS_GOOD;
}

ug_status ug_pool_submit(ug_pool *p, struct ug_async *a, ug_work_fn fn, void *arg,
                         ug_async_cb cb, void *data)
{
    if (!fn || !cb)
        return UG_STATUS_BADINVALIDARGUMENT;
    ug_status st = ug_async_start(p->loop, a, cb, data);
    if (!ug_is_good(st))
        return st;
    pthread_mutex_lock(&p->mu);
    if (p->quit)
        st = UG_STATUS_BADSHUTDOWN;
    else if (p->len == p->cap)
        st = grow(p);
    if (ug_is_good(st)) {
        p->jobs[(p->head + p->len) % p->cap] = (struct job){.id = a->id, .fn = fn, .arg = arg};
        p->len++;
        pthread_cond_signal(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
    if (!ug_is_good(st))
        ug_async_cancel(p->loop, a); /* failed: its callback never runs */
    return st;
}

void ug_pool_free(ug_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->quit = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (unsigned i = 0; i < p->nthreads; i++)
        pthread_join(p->threads[i], NULL);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    free(p->jobs);
    free(p);
}
