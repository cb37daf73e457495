/* The Call service (clientserver/svc_method.c) when the request's channel or
 * session goes away while its asynchronous methods run on the worker: the
 * cancel hook stops them at once with BadShutdown, the request finishes
 * exactly once, and the methods' late results are dropped by identity
 * (ASan: nothing leaks, nothing is touched after it was freed). */
#include <semaphore.h>
#include <stdatomic.h>
#include <string.h>

#include "harness.h"
#include "method_fixture.h"
#include "uagate/nodes.h"
#include "uagate/server.h"
#include "uagate/ua_struct.h"

#include "../../clientserver/server_internal.h" /* private: not on the tests' include path */

#define OBJ 100
#define SLOW 101

static ug_loop *loop;
static ug_server *srv;
static sem_t gate;
static atomic_int entered; /* methods that reached the worker */
static int fake_conn_tag, fake_session_tag;
#define FAKE_CONN ((ug_conn *)&fake_conn_tag)
#define FAKE_SESSION ((ug_session *)&fake_session_tag)

static ug_nodeid ns1(uint32_t id) { return (ug_nodeid){.ns = 1, .id_type = UG_ID_NUMERIC, .id.numeric = id}; }

/* a + b, after the test opens the gate (runs on a worker) */
static ug_status slow_add(void *ctx, const ug_nodeid *object, size_t n_in, const ug_variant *in,
                          size_t *n_out, ug_variant **out, ug_arena *arena)
{
    (void)ctx;
    (void)object;
    atomic_fetch_add(&entered, 1);
    sem_wait(&gate);
    return sum_output(n_in, in, n_out, out, arena);
}

static int suite_init(void)
{
    sem_init(&gate, 0, 0);
    if (ug_loop_new(NULL, &loop) != UG_STATUS_GOOD)
        return -1;
    struct ug_server_config cfg;
    ug_server_config_init(&cfg);
    cfg.endpoint_url = "opc.tcp://127.0.0.1:0";
    if (ug_server_new(loop, &cfg, &srv) != UG_STATUS_GOOD)
        return -1;
    ug_aspace *as = ug_server_aspace(srv);
    struct ug_nodes_object o;
    memset(&o, 0, sizeof o);
    o.c.requested_id = ns1(OBJ);
    o.c.parent_id = (ug_nodeid){.id.numeric = 85};
    o.c.browse_name = (ug_qualified_name){1, ug_string_from("Calc")};
    if (ug_nodes_add_object(as, &o, NULL) != UG_STATUS_GOOD)
        return -1;
    return add_sum_method(as, ns1(SLOW), ns1(OBJ), "SlowAdd", slow_add, true) == UG_STATUS_GOOD
               ? 0
               : -1;
}

/* n calls of SlowAdd as the dispatcher makes them, on a request of the fake
 * channel and session; returns the taken pending (NULL: not deferred). */
static ug_svc_pending *call_slow(int32_t n, ug_variant *in, ug_CallResponse *resp)
{
    ug_CallMethodRequest ms[4];
    memset(ms, 0, sizeof ms);
    for (int32_t i = 0; i < n; i++) {
        ms[i].object_id = ns1(OBJ);
        ms[i].method_id = ns1(SLOW);
        ms[i].input_arguments = in;
        ms[i].input_arguments_len = 2;
    }
    ug_CallRequest req;
    memset(&req, 0, sizeof req);
    memset(resp, 0, sizeof *resp);
    req.methods_to_call = ms;
    req.methods_to_call_len = n;
    ug_svc_pending *p = ug_pending_get(srv);
    p->conn = FAKE_CONN;
    p->session = FAKE_SESSION;
    p->response = resp;
    struct ug_svc_ctx ctx = {
        .server = srv,
        .aspace = ug_server_aspace(srv),
        .arena = &p->arena,
        .loop = loop,
        .now_ns = ug_loop_now(loop),
        .now = ug_datetime_now(),
        .pending = p,
    };
    CU_ASSERT_EQUAL(ug_svc_call(&ctx, &req, resp), UG_STATUS_GOODCOMPLETESASYNCHRONOUSLY);
    if (ctx.pending) {
        ug_pending_put(p);
        return NULL;
    }
    ug_pending_take(p);
    return p;
}

static void wait_entered(int want)
{
    int64_t end = ug_clock_mono_ns() + 3000000000LL;
    while (atomic_load(&entered) < want && ug_clock_mono_ns() < end)
        ug_loop_run_once(loop, false);
}

/* Opens the gate for n blocked methods and waits until their late results
 * were dropped. */
static void release(int n)
{
    struct ug_loop_stats before, now;
    ug_loop_get_stats(loop, &before);
    for (int i = 0; i < n; i++)
        sem_post(&gate);
    int64_t end = ug_clock_mono_ns() + 3000000000LL;
    do {
        ug_loop_run_once(loop, false);
        ug_loop_get_stats(loop, &now);
    } while (now.posts_dropped < before.posts_dropped + (uint64_t)n && ug_clock_mono_ns() < end);
    CU_ASSERT(now.posts_dropped >= before.posts_dropped + (uint64_t)n);
    CU_ASSERT_EQUAL(now.posts_delivered, before.posts_delivered);
}

static void check_cancelled(ug_svc_pending *p, const ug_CallResponse *r, int32_t n)
{
    /* finished at once, without waiting for the worker */
    CU_ASSERT_EQUAL(p->state, UG_PENDING_DONE);
    CU_ASSERT_TRUE(p->orphaned);
    CU_ASSERT_EQUAL(p->result, UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(srv->stats.async_pending, 0);
    for (int32_t i = 0; i < n; i++) {
        CU_ASSERT_EQUAL(r->results[i].status_code, UG_STATUS_BADSHUTDOWN);
        CU_ASSERT_EQUAL(r->results[i].output_arguments_len, 0);
    }
}

static void test_channel_closes(void)
{
    ug_variant in[2] = {ug_variant_scalar(UG_TYPE_INT32), ug_variant_scalar(UG_TYPE_INT32)};
    in[0].u.v.int32 = 40;
    in[1].u.v.int32 = 2;
    ug_CallResponse r;
    atomic_store(&entered, 0);
    ug_svc_pending *p = call_slow(1, in, &r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_PTR_NOT_NULL(p->cancel);
    wait_entered(1); /* the method runs and blocks */
    CU_ASSERT_EQUAL(p->state, UG_PENDING_TAKEN);
    ug_pending_orphan_conn(srv, FAKE_CONN); /* what server.c does on close */
    check_cancelled(p, &r, 1);
    release(1);
    CU_ASSERT_EQUAL(r.results[0].status_code, UG_STATUS_BADSHUTDOWN); /* untouched */
    ug_loop_run_once(loop, false); /* drain: orphaned, only recycles */
    CU_ASSERT_PTR_NULL(srv->done_head);
}

/* Two methods in one request, one still queued behind the other on the
 * worker pool; the session closes. */
static void test_session_closes(void)
{
    ug_variant in[2] = {ug_variant_scalar(UG_TYPE_INT32), ug_variant_scalar(UG_TYPE_INT32)};
    ug_CallResponse r;
    atomic_store(&entered, 0);
    ug_svc_pending *p = call_slow(3, in, &r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    wait_entered(2); /* two workers block; the third call waits in the queue */
    ug_pending_orphan_session(srv, FAKE_SESSION);
    check_cancelled(p, &r, 3);
    /* the queued one is dropped without running; the two running return late */
    release(2);
    ug_loop_run_once(loop, false);
    CU_ASSERT_PTR_NULL(srv->done_head);
}

static void test_cleanup(void)
{
    ug_server_free(srv);
    srv = NULL;
    CU_ASSERT_EQUAL(ug_loop_close(loop, -1), UG_STATUS_GOOD);
    sem_destroy(&gate);
}

static CU_TestInfo tests[] = {
    {"channel closes while a method runs", test_channel_closes},
    {"session closes with methods running and queued", test_session_closes},
    {"cleanup", test_cleanup},
    CU_TEST_INFO_NULL,
};

int main(void)
{
    if (suite_init() != 0)
        return 1;
    return ug_test_main("svc_method_cancel", tests);
}
