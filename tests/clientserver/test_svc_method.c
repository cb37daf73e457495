/* The Call service (clientserver/svc_method.c) on a server's address space,
 * called the way the dispatcher calls it: synchronous and asynchronous
 * methods, mixed in one request, and every refusal of Part 4 §5.11.2. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "method_fixture.h"
#include "uagate/nodes.h"
#include "uagate/server.h"
#include "uagate/ua_struct.h"

#include "../../clientserver/server_internal.h" /* private: not on the tests' include path */

static ug_loop *loop;
static ug_server *srv;

static ug_nodeid ns0(uint32_t id) { return (ug_nodeid){.ns = 0, .id_type = UG_ID_NUMERIC, .id.numeric = id}; }
static ug_nodeid ns1(uint32_t id) { return (ug_nodeid){.ns = 1, .id_type = UG_ID_NUMERIC, .id.numeric = id}; }

#define OBJ 100
#define ADD 101
#define SLOW 102
#define OTHER 103
#define DIV 104

static ug_status add_fn(void *ctx, const ug_nodeid *object, size_t n_in, const ug_variant *in,
                        size_t *n_out, ug_variant **out, ug_arena *arena)
{
    (void)ctx;
    (void)object;
    return sum_output(n_in, in, n_out, out, arena);
}

static ug_status div_fn(void *ctx, const ug_nodeid *object, size_t n_in, const ug_variant *in,
                        size_t *n_out, ug_variant **out, ug_arena *arena)
{
    if (in[1].u.v.int32 == 0)
        return UG_STATUS_BADOUTOFRANGE;
    ug_status st = add_fn(ctx, object, n_in, in, n_out, out, arena);
    if (st == UG_STATUS_GOOD)
        (*out)->u.v.int32 = in[0].u.v.int32 / in[1].u.v.int32;
    return st;
}

static ug_status add_method(uint32_t id, const char *name, ug_method_fn fn, bool async)
{
    return add_sum_method(ug_server_aspace(srv), ns1(id), ns1(OBJ), name, fn, async);
}

static int suite_init(void)
{
    if (ug_loop_new(NULL, &loop) != UG_STATUS_GOOD)
        return -1;
    struct ug_server_config cfg;
    ug_server_config_init(&cfg);
    cfg.endpoint_url = "opc.tcp://127.0.0.1:0";
    cfg.limits.max_nodes_per_method_call = 3;
    cfg.anonymous_node_management = true;
    if (ug_server_new(loop, &cfg, &srv) != UG_STATUS_GOOD)
        return -1;
    ug_aspace *as = ug_server_aspace(srv);
    for (uint32_t id = OBJ; id <= OTHER; id += OTHER - OBJ) {
        struct ug_nodes_object o;
        memset(&o, 0, sizeof o);
        o.c.requested_id = ns1(id);
        o.c.parent_id = ns0(85);
        o.c.browse_name = (ug_qualified_name){1, ug_string_from(id == OBJ ? "Calc" : "Other")};
        if (ug_nodes_add_object(as, &o, NULL) != UG_STATUS_GOOD)
            return -1;
    }
    if (add_method(ADD, "Add", add_fn, false) != UG_STATUS_GOOD ||
        add_method(SLOW, "SlowAdd", add_fn, true) != UG_STATUS_GOOD ||
        add_method(DIV, "Div", div_fn, false) != UG_STATUS_GOOD)
        return -1;
    return 0;
}

/* A call as the dispatcher makes it; *deferred tells whether the service
 * kept the request. */
static ug_svc_pending *p_last;
static ug_status call(const ug_CallMethodRequest *m, int32_t n, ug_CallResponse *resp,
                      bool *deferred)
{
    ug_svc_pending *p = ug_pending_get(srv);
    ug_CallRequest req;
    memset(&req, 0, sizeof req);
    memset(resp, 0, sizeof *resp);
    req.methods_to_call = (ug_CallMethodRequest *)m;
    req.methods_to_call_len = n;
    struct ug_svc_ctx ctx = {
        .server = srv,
        .aspace = ug_server_aspace(srv),
        .arena = &p->arena,
        .loop = loop,
        .now_ns = ug_loop_now(loop),
        .now = ug_datetime_now(),
        .pending = p,
    };
    p->response = resp;
    ug_status st = ug_svc_call(&ctx, &req, resp);
    *deferred = ctx.pending == NULL;
    if (*deferred) {
        ug_pending_take(p);
        p_last = p;
    } else {
        ug_pending_put(p);
    }
    return st;
}

static ug_CallMethodRequest mreq(uint32_t obj, uint32_t method, ug_variant *in, int32_t n)
{
    ug_CallMethodRequest m;
    memset(&m, 0, sizeof m);
    m.object_id = ns1(obj);
    m.method_id = ns1(method);
    m.input_arguments = in;
    m.input_arguments_len = n;
    return m;
}

static void ints(ug_variant *v, int32_t a, int32_t b)
{
    v[0] = ug_variant_scalar(UG_TYPE_INT32);
    v[0].u.v.int32 = a;
    v[1] = ug_variant_scalar(UG_TYPE_INT32);
    v[1].u.v.int32 = b;
}

static void test_sync_call(void)
{
    ug_variant in[2];
    ints(in, 2, 3);
    ug_CallMethodRequest m = mreq(OBJ, ADD, in, 2);
    ug_CallResponse r;
    bool deferred;
    CU_ASSERT_EQUAL(call(&m, 1, &r, &deferred), UG_STATUS_GOOD);
    CU_ASSERT_FALSE(deferred);
    CU_ASSERT_EQUAL_FATAL(r.results_len, 1);
    CU_ASSERT_EQUAL(r.results[0].status_code, UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(r.results[0].output_arguments_len, 1);
    CU_ASSERT_EQUAL(r.results[0].output_arguments[0].u.v.int32, 5);
}

static void test_refusals(void)
{
    ug_variant in[3];
    ints(in, 7, 0);
    in[2] = in[1];
    ug_variant wrong[2];
    ints(wrong, 1, 1);
    wrong[1] = ug_variant_scalar(UG_TYPE_STRING);
    wrong[1].u.v.string = ug_string_from("x");
    static const struct {
        uint32_t obj, method;
        int n_in;
        int kind; /* 0 ints, 1 wrong type */
        ug_status want;
    } v[] = {
        {OBJ, ADD, 1, 0, UG_STATUS_BADARGUMENTSMISSING},
        {OBJ, ADD, 0, 0, UG_STATUS_BADARGUMENTSMISSING},
        {OBJ, ADD, 3, 0, UG_STATUS_BADTOOMANYARGUMENTS},
        {OBJ, ADD, 2, 1, UG_STATUS_BADINVALIDARGUMENT},
        {9999, ADD, 2, 0, UG_STATUS_BADNODEIDUNKNOWN},
        {OTHER, ADD, 2, 0, UG_STATUS_BADMETHODINVALID},   /* not its component */
        {OBJ, 9999, 2, 0, UG_STATUS_BADMETHODINVALID},    /* no such method */
        {OBJ, OBJ, 2, 0, UG_STATUS_BADMETHODINVALID},     /* not a method */
        {OBJ, DIV, 2, 0, UG_STATUS_BADOUTOFRANGE},        /* the method's own status */
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        ug_CallMethodRequest m = mreq(v[i].obj, v[i].method, v[i].kind ? wrong : in, v[i].n_in);
        ug_CallResponse r;
        bool deferred;
        CU_ASSERT_EQUAL(call(&m, 1, &r, &deferred), UG_STATUS_GOOD);
        CU_ASSERT_EQUAL_FATAL(r.results_len, 1);
        CU_ASSERT_EQUAL(r.results[0].status_code, v[i].want);
        if (r.results[0].status_code != v[i].want)
            fprintf(stderr, "case %zu: %s\n", i, ug_status_name(r.results[0].status_code));
        if (v[i].kind == 1) {
            CU_ASSERT_EQUAL_FATAL(r.results[0].input_argument_results_len, 2);
            CU_ASSERT_EQUAL(r.results[0].input_argument_results[0], UG_STATUS_GOOD);
            CU_ASSERT_EQUAL(r.results[0].input_argument_results[1], UG_STATUS_BADTYPEMISMATCH);
        }
    }
    /* Whole-request refusals. */
    ug_CallMethodRequest many[4];
    for (int i = 0; i < 4; i++)
        many[i] = mreq(OBJ, ADD, in, 2);
    ug_CallResponse r;
    bool deferred;
    CU_ASSERT_EQUAL(call(many, 0, &r, &deferred), UG_STATUS_BADNOTHINGTODO);
    CU_ASSERT_EQUAL(call(many, 4, &r, &deferred), UG_STATUS_BADTOOMANYOPERATIONS);
    CU_ASSERT_EQUAL(call(many, 3, &r, &deferred), UG_STATUS_GOOD);
}

static void test_not_executable(void)
{
    /* A method added through AddNodes with Executable false, linked to the
     * object by HasComponent. */
    ug_MethodAttributes ma;
    memset(&ma, 0, sizeof ma);
    ma.specified_attributes = UG_NODE_ATTRIBUTES_MASK_EXECUTABLE;
    ma.executable = false;
    ug_AddNodesItem it;
    memset(&it, 0, sizeof it);
    it.parent_node_id.node = ns1(OBJ);
    it.reference_type_id = ns0(47);
    it.requested_new_node_id.node = ns1(110);
    it.browse_name = (ug_qualified_name){1, ug_string_from("Locked")};
    it.node_class = UG_NODE_CLASS_METHOD;
    ug_svc_pending *p = ug_pending_get(srv);
    CU_ASSERT_EQUAL_FATAL(ug_eo_encode(&it.node_attributes, &ug_desc_MethodAttributes, &ma,
                                       &p->arena),
                          UG_STATUS_GOOD);
    ug_AddNodesRequest req;
    ug_AddNodesResponse resp;
    memset(&req, 0, sizeof req);
    memset(&resp, 0, sizeof resp);
    req.nodes_to_add = &it;
    req.nodes_to_add_len = 1;
    struct ug_svc_ctx ctx = {.server = srv, .aspace = ug_server_aspace(srv), .arena = &p->arena,
                             .loop = loop, .pending = p};
    CU_ASSERT_EQUAL(ug_svc_add_nodes(&ctx, &req, &resp), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(resp.results_len, 1);
    CU_ASSERT_EQUAL(resp.results[0].status_code, UG_STATUS_GOOD);
    ug_pending_put(p);

    ug_CallMethodRequest m = mreq(OBJ, 110, NULL, 0);
    ug_CallResponse r;
    bool deferred;
    CU_ASSERT_EQUAL(call(&m, 1, &r, &deferred), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(r.results[0].status_code, UG_STATUS_BADNOTEXECUTABLE);
}

static void test_async_and_mixed(void)
{
    ug_variant a[2], b[2];
    ints(a, 40, 2);
    ints(b, 1, 1);
    ug_CallMethodRequest ms[3] = {mreq(OBJ, SLOW, a, 2), mreq(OBJ, ADD, b, 2),
                                  mreq(OBJ, 9999, b, 2)};
    ug_CallResponse r;
    bool deferred;
    CU_ASSERT_EQUAL(call(ms, 3, &r, &deferred), UG_STATUS_GOODCOMPLETESASYNCHRONOUSLY);
    CU_ASSERT_TRUE_FATAL(deferred);
    /* The synchronous ones are filled already. */
    CU_ASSERT_EQUAL(r.results[1].status_code, UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(r.results[1].output_arguments[0].u.v.int32, 2);
    CU_ASSERT_EQUAL(r.results[2].status_code, UG_STATUS_BADMETHODINVALID);
    /* Wait for the worker; the finished request shows up in the queue the
     * loop drains. */
    ug_svc_pending *p = p_last;
    int64_t end = ug_clock_mono_ns() + 3000000000LL;
    while (p->state == UG_PENDING_TAKEN && ug_clock_mono_ns() < end)
        ug_loop_run_once(loop, false);
    CU_ASSERT_EQUAL_FATAL(p->state, UG_PENDING_DONE);
    CU_ASSERT_EQUAL(p->result, UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(r.results[0].status_code, UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(r.results[0].output_arguments_len, 1);
    CU_ASSERT_EQUAL(r.results[0].output_arguments[0].u.v.int32, 42);
    ug_loop_run_once(loop, false); /* drain: no channel, only recycles */
    CU_ASSERT_PTR_NULL(srv->done_head);

    /* Orphaned while the worker runs: finished all the same, later. */
    CU_ASSERT_EQUAL(call(ms, 1, &r, &deferred), UG_STATUS_GOODCOMPLETESASYNCHRONOUSLY);
    ug_pending_orphan_all(srv);
    CU_ASSERT_TRUE(ug_svc_pending_orphaned(p_last));
    end = ug_clock_mono_ns() + 3000000000LL;
    while (srv->stats.async_pending > 0 && ug_clock_mono_ns() < end)
        ug_loop_run_once(loop, false);
    CU_ASSERT_EQUAL(srv->stats.async_pending, 0);
    ug_loop_run_once(loop, false);
}

static void test_cleanup(void)
{
    ug_server_free(srv);
    srv = NULL;
    CU_ASSERT_EQUAL(ug_loop_close(loop, -1), UG_STATUS_GOOD);
}

static CU_TestInfo tests[] = {
    {"synchronous call", test_sync_call},
    {"refusals", test_refusals},
    {"not executable", test_not_executable},
    {"asynchronous and mixed", test_async_and_mixed},
    {"cleanup", test_cleanup},
    CU_TEST_INFO_NULL,
};

int main(void)
{
    if (suite_init() != 0)
        return 1;
    return ug_test_main("svc_method", tests);
}
