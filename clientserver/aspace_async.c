/* clientserver/aspace_async.c — asynchronous value sources and method calls:
 * the device I/O runs on a ug_pool worker, the completion is drained on the
 * loop, and exactly one side frees the operation.
 *
 * The handshake (one atomic state per operation):
 *   QUEUED  -> RUNNING   worker, before calling the user function
 *   RUNNING -> DONE      worker, after it; the completion is then posted
 *   QUEUED|RUNNING -> ABANDONED   loop, on cancel (node deleted, shutdown)
 *   ABANDONED -> RELEASED         worker, when it finds the operation
 *                                 abandoned and is done touching it
 * The loop frees every operation: in the completion callback; on cancel when
 * the worker is already DONE (ug_async_cancel drops the posted completion by
 * identity, so a cancelled operation is never completed twice); an abandoned
 * one once the worker RELEASED it (as->abandoned, reaped on the next cancel
 * or submit), or at ug_aspace_free, after the pools were freed, when a job
 * still queued at ug_pool_free never ran and nothing else would free it.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "aspace_int.h"

enum { Q_QUEUED, Q_RUNNING, Q_DONE, Q_ABANDONED, Q_RELEASED };
enum { OP_READ, OP_WRITE, OP_CALL };

struct ug_async_op {
    struct ug_async async;          /* identity on the loop */
    struct ug_async_op *prev, *next; /* as->ops, then as->abandoned (next) */
    ug_aspace *as;
    ug_node *node;
    _Atomic int state;
    uint8_t kind;
    /* worker side: only these are touched off the loop */
    struct ug_value_async src;
    ug_method_fn call;
    void *call_ctx;
    ug_nodeid object;               /* owned copy (calls) */
    ug_datavalue value;             /* write input (in value_mem) / read output (arena) */
    void *value_mem;
    ug_variant *in;                 /* call inputs (in in_mem) */
    size_t n_in;
    void *in_mem;
    ug_variant *out;                /* call outputs (arena) */
    size_t n_out;
    ug_arena arena;
    /* loop side: completion target */
    ug_aio_done_fn done;
    void *done_ctx;
    uint32_t index;
    ug_call_done_fn call_done;
    ug_CallMethodResult *res;
    ug_arena *res_arena;
};

static void op_free(struct ug_async_op *op)
{
    ug_arena_free(&op->arena);
    free(op->value_mem);
    free(op->in_mem);
    free(op->in);
    ug_nodeid_release(&op->object);
    free(op);
}

static void unlink_op(ug_aspace *as, struct ug_async_op *op)
{
    if (op->prev)
        op->prev->next = op->next;
    else
        as->ops = op->next;
    if (op->next)
        op->next->prev = op->prev;
    op->prev = op->next = NULL;
    if (op->node && op->node->ext && op->node->ext->inflight)
        op->node->ext->inflight--;
}

/* Worker thread. */
static ug_status work(void *arg, void **result)
{
    struct ug_async_op *op = arg;
    int expect = Q_QUEUED;
    if (!atomic_compare_exchange_strong(&op->state, &expect, Q_RUNNING)) {
        atomic_store(&op->state, Q_RELEASED); /* abandoned before it ran */
        return UG_STATUS_BADSHUTDOWN;
    }
    ug_status st;
    switch (op->kind) {
    case OP_READ:
        st = op->src.read(op->src.ctx, &op->value, &op->arena);
        break;
    case OP_WRITE:
        st = op->src.write(op->src.ctx, &op->value);
        break;
    default:
        st = op->call(op->call_ctx, &op->object, op->n_in, op->in, &op->n_out, &op->out,
                      &op->arena);
        break;
    }
    expect = Q_RUNNING;
    if (!atomic_compare_exchange_strong(&op->state, &expect, Q_DONE)) {
        /* abandoned while running: no one waits for it; op untouched
         * from here on */
        atomic_store(&op->state, Q_RELEASED);
        return UG_STATUS_BADSHUTDOWN;
    }
    *result = op;
    return st;
}

static void finish_call(struct ug_async_op *op, ug_status st)
{
    ug_CallMethodResult *res = op->res;
    res->status_code = st;
    if (ug_is_good(st) && op->n_out) {
        ug_variant *o = ug_arena_alloc(op->res_arena, op->n_out * sizeof *o);
        if (!o) {
            res->status_code = UG_STATUS_BADOUTOFMEMORY;
        } else {
            for (size_t i = 0; i < op->n_out; i++)
                if (ug_variant_copy(&op->out[i], &o[i], op->res_arena) != UG_STATUS_GOOD)
                    res->status_code = UG_STATUS_BADOUTOFMEMORY;
            res->output_arguments = o;
            res->output_arguments_len = (int32_t)op->n_out;
        }
    }
    op->call_done(op->done_ctx, res);
}

/* Loop thread: the worker's completion. */
static void completed(ug_loop *loop, struct ug_async *a, ug_status st, void *result)
{
    (void)loop;
    (void)result;
    struct ug_async_op *op = (struct ug_async_op *)a;
    ug_aspace *as = op->as;
    unlink_op(as, op);
    if (op->kind == OP_CALL) {
        finish_call(op, st);
    } else {
        const ug_datavalue *v = NULL;
        if (ug_is_good(st) && (op->kind == OP_WRITE || (op->value.mask & UG_DV_VALUE))) {
            /* the last completed value is what subscriptions and
             * ug_aspace_read_attr see */
            ug_datavalue *box;
            if (ug_datavalue_box(&box, &op->value) == UG_STATUS_GOOD) {
                bool changed = !ug_datavalue_eq(box, ug_node_dv(op->node));
                free(op->node->value);
                op->node->value = box;
                if (changed)
                    ug_aspace_notify(as, op->node);
            }
            if (op->kind == OP_READ)
                v = &op->value;
        }
        op->done(op->done_ctx, op->index, st, v);
    }
    op_free(op);
}

static struct ug_async_op *op_new(ug_aspace *as, ug_node *n, uint8_t kind)
{
    struct ug_async_op *op = calloc(1, sizeof *op);
    if (!op)
        return NULL;
    op->as = as;
    op->node = n;
    op->kind = kind;
    atomic_init(&op->state, Q_QUEUED);
    ug_arena_init(&op->arena, NULL, 0, true);
    return op;
}

/* Loop thread: frees the abandoned operations their workers let go of
 * (all: the pools are gone, see ug_aspace_free). */
static void reap(ug_aspace *as, bool all)
{
    struct ug_async_op **pp = &as->abandoned;
    while (*pp) {
        struct ug_async_op *op = *pp;
        if (all || atomic_load(&op->state) == Q_RELEASED) {
            *pp = op->next;
            op_free(op);
        } else {
            pp = &op->next;
        }
    }
}

void ug_aspace_async_free(ug_aspace *as) { reap(as, true); }

static ug_status op_submit(ug_aspace *as, struct ug_async_op *op, ug_pool *pool)
{
    reap(as, false);
    ug_status st = ug_pool_submit(pool, &op->async, work, op, completed, NULL);
    if (st != UG_STATUS_GOOD) {
        op_free(op);
        return st;
    }
    op->next = as->ops;
    if (as->ops)
        as->ops->prev = op;
    as->ops = op;
    if (op->node->ext)
        op->node->ext->inflight++;
    return UG_STATUS_GOOD;
}

ug_status ug_aspace_async_read(ug_aspace *as, ug_node *n, ug_aio_done_fn done, void *ctx,
                               uint32_t index)
{
    if (n->vsrc != UG_VSRC_ASYNC || !n->ext->async.read)
        return UG_STATUS_BADNOTREADABLE;
    struct ug_async_op *op = op_new(as, n, OP_READ);
    if (!op)
        return UG_STATUS_BADOUTOFMEMORY;
    op->src = n->ext->async;
    op->done = done;
    op->done_ctx = ctx;
    op->index = index;
    return op_submit(as, op, n->ext->async.pool);
}

ug_status ug_aspace_async_write(ug_aspace *as, ug_node *n, const ug_datavalue *v,
                                ug_aio_done_fn done, void *ctx, uint32_t index)
{
    if (n->vsrc != UG_VSRC_ASYNC || !n->ext->async.write)
        return UG_STATUS_BADNOTWRITABLE;
    struct ug_async_op *op = op_new(as, n, OP_WRITE);
    if (!op)
        return UG_STATUS_BADOUTOFMEMORY;
    if (ug_datavalue_clone(&op->value, &op->value_mem, v) != UG_STATUS_GOOD) {
        op_free(op);
        return UG_STATUS_BADOUTOFMEMORY;
    }
    op->src = n->ext->async;
    op->done = done;
    op->done_ctx = ctx;
    op->index = index;
    return op_submit(as, op, n->ext->async.pool);
}

/* Starts an asynchronous method call (aspace_method.c checked everything). */
ug_status ug_aspace_async_call(ug_aspace *as, ug_node *method, const ug_CallMethodRequest *req,
                               ug_CallMethodResult *res, ug_arena *arena, ug_call_done_fn done,
                               void *done_ctx);
ug_status ug_aspace_async_call(ug_aspace *as, ug_node *method, const ug_CallMethodRequest *req,
                               ug_CallMethodResult *res, ug_arena *arena, ug_call_done_fn done,
                               void *done_ctx)
{
    const struct ug_method_impl *m = ug_node_method(method);
    struct ug_async_op *op = op_new(as, method, OP_CALL);
    if (!op)
        return UG_STATUS_BADOUTOFMEMORY;
    op->call = m->call;
    op->call_ctx = m->ctx;
    op->call_done = done;
    op->done_ctx = done_ctx;
    op->res = res;
    op->res_arena = arena;
    ug_status st = ug_nodeid_dup(&op->object, &req->object_id);
    size_t n_in = req->input_arguments_len > 0 ? (size_t)req->input_arguments_len : 0;
    if (st == UG_STATUS_GOOD && n_in) {
        /* one Variant array holding the inputs, cloned as a whole */
        ug_variant all = {.type = UG_TYPE_VARIANT, .array_len = (int32_t)n_in,
                          .u.arr = req->input_arguments};
        ug_variant copy;
        st = ug_variant_clone(&copy, &op->in_mem, &all);
        if (st == UG_STATUS_GOOD) {
            op->in = malloc(n_in * sizeof *op->in);
            if (op->in)
                memcpy(op->in, copy.u.arr, n_in * sizeof *op->in);
            else
                st = UG_STATUS_BADOUTOFMEMORY;
        }
        op->n_in = n_in;
    }
    if (st != UG_STATUS_GOOD) {
        op_free(op);
        return st;
    }
    return op_submit(as, op, m->pool);
}

static void cancel_where(ug_aspace *as, const ug_node *n, const void *done_ctx, ug_status why)
{
    reap(as, false);
    struct ug_async_op *op = as->ops, *next;
    for (; op; op = next) {
        next = op->next;
        if ((n && op->node != n) || (done_ctx && op->done_ctx != done_ctx))
            continue;
        unlink_op(as, op);
        (void)ug_async_cancel(as->loop, &op->async);
        int s = atomic_load(&op->state);
        bool worker_frees = false;
        while (s == Q_QUEUED || s == Q_RUNNING) {
            if (atomic_compare_exchange_weak(&op->state, &s, Q_ABANDONED)) {
                worker_frees = true;
                break;
            }
        }
        /* the request still gets its answer */
        if (op->kind == OP_CALL) {
            op->res->status_code = why;
            op->call_done(op->done_ctx, op->res);
        } else {
            op->done(op->done_ctx, op->index, why, NULL);
        }
        if (worker_frees) {
            op->next = as->abandoned;
            as->abandoned = op;
        } else {
            op_free(op);
        }
    }
}

void ug_aspace_cancel_ops(ug_aspace *as, const ug_node *n, ug_status why)
{
    cancel_where(as, n, NULL, why);
}

void ug_aspace_cancel_ctx(ug_aspace *as, const void *done_ctx, ug_status why)
{
    if (done_ctx)
        cancel_where(as, NULL, done_ctx, why);
}
