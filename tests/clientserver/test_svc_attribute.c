/* The Attribute services (clientserver/svc_attribute.c, aspace_attr.c):
 * Read of every attribute per node class, IndexRange, TimestampsToReturn,
 * MaxAge, DataEncoding; Write with access levels, write masks, type rules,
 * index ranges, status/timestamp capabilities; callback and asynchronous
 * value sources. The services run without
 * a server or session (ctx->server NULL: default limits). */
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../clientserver/aspace_int.h"
#include "harness.h"
#include "uagate/nodes.h"
#include "uagate/server.h"

static ug_aspace *as;
static ug_arena arena;
static struct ug_svc_ctx ctx;
static ug_loop *loop;
static ug_pool *pool;

/* ----------------------------------------------- the pending mechanism --
 * Deferred requests are real ones (pending.c) of a server on the test's loop
 * that is never started: the test takes them as server.c's dispatcher does.
 * With no channel, a finished one is only recycled. */
static ug_server *srv;
static ug_svc_pending *pend; /* the last one handed out */
static int fake_conn_tag;
#define FAKE_CONN ((ug_conn *)&fake_conn_tag)

/* A fresh request handle in ctx.pending (one still held is recycled). */
static void new_pending(void)
{
    if (ctx.pending)
        ug_pending_put(ctx.pending);
    pend = ctx.pending = ug_pending_get(srv);
    CU_ASSERT_PTR_NOT_NULL_FATAL(pend);
}

/* After a service deferred: what server.c does with the pending. */
static void dispatched(void)
{
    CU_ASSERT_PTR_NULL_FATAL(ctx.pending);
    if (pend->state == UG_PENDING_DONE)
        ug_pending_queue_done(pend);
    else
        ug_pending_take(pend);
}

/* Finished (waiting to be drained, or drained and recycled). */
static bool is_finished(void)
{
    return pend->state == UG_PENDING_DONE || pend->state == UG_PENDING_FREE;
}

#define NOW ((ug_datetime)132000000000000000LL)

static ug_nodeid ns0(uint32_t i) { return (ug_nodeid){.id.numeric = i}; }
static ug_nodeid sid(const char *s)
{
    return (ug_nodeid){.ns = 1, .id_type = UG_ID_STRING, .id.string = ug_string_from(s)};
}
static ug_qualified_name qn(const char *s) { return (ug_qualified_name){1, ug_string_from(s)}; }

static void setup_with_loop(bool with_loop)
{
    if (with_loop) {
        CU_ASSERT_EQUAL_FATAL(ug_loop_new(NULL, &loop), UG_STATUS_GOOD);
        CU_ASSERT_EQUAL_FATAL(ug_pool_new(loop, 1, &pool), UG_STATUS_GOOD);
    }
    struct ug_aspace_config cfg = {.loop = loop, .pool = pool};
    CU_ASSERT_EQUAL_FATAL(ug_aspace_new(&cfg, &as), UG_STATUS_GOOD);
    ug_arena_init(&arena, NULL, 0, true);
    memset(&ctx, 0, sizeof ctx);
    ctx.aspace = as;
    ctx.arena = &arena;
    ctx.loop = loop;
    ctx.now = NOW;
    if (with_loop) {
        struct ug_server_config scfg;
        ug_server_config_init(&scfg);
        scfg.endpoint_url = "opc.tcp://127.0.0.1:0";
        CU_ASSERT_EQUAL_FATAL(ug_server_new(loop, &scfg, &srv), UG_STATUS_GOOD);
    }
}

static void setup(void) { setup_with_loop(false); }

static void teardown(void)
{
    ug_pool_free(pool); /* before the aspace: see ug_aspace_free */
    ug_aspace_free(as); /* finishes what still waits, with BadShutdown */
    if (srv) {
        if (ctx.pending)
            ug_pending_put(ctx.pending);
        ug_server_free(srv); /* recycles the finished pendings */
        srv = NULL;
    }
    ctx.pending = NULL;
    ug_arena_free(&arena);
    if (loop)
        ug_loop_close(loop, -1);
    pool = NULL;
    loop = NULL;
    as = NULL;
}

/* A variable in ns 1 under Objects. */
static ug_node *add_var(const char *id, uint32_t dtype, int32_t rank, uint8_t access,
                        const ug_datavalue *value)
{
    struct ug_nodes_variable v = {0};
    v.c.requested_id = sid(id);
    v.c.parent_id = ns0(UG_ID_OBJECTSFOLDER);
    v.c.browse_name = qn(id);
    v.data_type = ns0(dtype);
    v.value_rank = rank;
    v.access_level = access;
    v.value = value;
    ug_nodeid out;
    CU_ASSERT_EQUAL_FATAL(ug_nodes_add_variable(as, &v, &out), UG_STATUS_GOOD);
    return ug_aspace_get(as, &out);
}

static ug_datavalue dv_i32(int32_t x)
{
    ug_datavalue dv = {.mask = UG_DV_VALUE, .value = ug_variant_scalar(UG_TYPE_INT32)};
    dv.value.u.v.int32 = x;
    return dv;
}

static ug_ReadValueId rvid(ug_nodeid id, uint32_t attr)
{
    ug_ReadValueId rv;
    memset(&rv, 0, sizeof rv);
    rv.node_id = id;
    rv.attribute_id = attr;
    return rv;
}

static ug_status read1(const ug_ReadValueId *rv, int32_t ttr, ug_datavalue *out)
{
    ug_ReadRequest req;
    memset(&req, 0, sizeof req);
    req.timestamps_to_return = ttr;
    req.nodes_to_read_len = 1;
    req.nodes_to_read = (ug_ReadValueId *)rv;
    ug_ReadResponse resp;
    memset(&resp, 0, sizeof resp);
    ug_status st = ug_svc_read(&ctx, &req, &resp);
    CU_ASSERT_EQUAL(st, UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(resp.results_len, 1);
    if (st != UG_STATUS_GOOD || resp.results_len != 1)
        return st;
    *out = resp.results[0];
    return out->mask & UG_DV_STATUS ? out->status : UG_STATUS_GOOD;
}

static ug_status write1(const ug_WriteValue *wv)
{
    ug_WriteRequest req;
    memset(&req, 0, sizeof req);
    req.nodes_to_write_len = 1;
    req.nodes_to_write = (ug_WriteValue *)wv;
    ug_WriteResponse resp;
    memset(&resp, 0, sizeof resp);
    ug_status st = ug_svc_write(&ctx, &req, &resp);
    CU_ASSERT_EQUAL_FATAL(st, UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(resp.results_len, 1);
    return resp.results[0];
}

static ug_WriteValue wval(ug_nodeid id, uint32_t attr, ug_datavalue dv)
{
    ug_WriteValue wv;
    memset(&wv, 0, sizeof wv);
    wv.node_id = id;
    wv.attribute_id = attr;
    wv.value = dv;
    return wv;
}

/* ----------------------------------------------------------------- Read -- */

/* Which attributes each class answers (Part 3 §5). */
static void test_read_attributes_per_class(void)
{
    setup();
    ug_datavalue init = dv_i32(5);
    add_var("v", UG_TYPE_INT32, -1, UG_ACCESS_READ, &init);
    struct ug_add_node view = {0};
    view.requested_id = sid("view");
    view.parent_id = ns0(UG_ID_VIEWSFOLDER);
    view.reference_type_id = ns0(UG_ID_ORGANIZES);
    view.browse_name = qn("View");
    view.node_class = UG_NC_VIEW;
    view.attrs.contains_no_loops = true;
    CU_ASSERT_EQUAL_FATAL(ug_aspace_add_node(as, &view, NULL), UG_STATUS_GOOD);
    struct ug_add_node m = {0};
    m.requested_id = sid("m");
    m.parent_id = ns0(UG_ID_OBJECTSFOLDER);
    m.reference_type_id = ns0(UG_ID_HASCOMPONENT);
    m.browse_name = qn("M");
    m.node_class = UG_NC_METHOD;
    CU_ASSERT_EQUAL_FATAL(ug_aspace_add_node(as, &m, NULL), UG_STATUS_GOOD);
    struct cls_case { ug_nodeid id; uint32_t cls; const uint8_t *attrs; } nodes[8];
    /* attributes 1..27: 1 = present */
    static const uint8_t obj[28] = {0, 1, 1, 1, 1, 1, 1, 1, [12] = 1};
    static const uint8_t var[28] = {0, 1, 1, 1, 1, 1, 1, 1, [13] = 1, 1, 1, 1, 1, 1, 1, 1, [27] = 1};
    static const uint8_t meth[28] = {0, 1, 1, 1, 1, 1, 1, 1, [21] = 1, 1};
    static const uint8_t otype[28] = {0, 1, 1, 1, 1, 1, 1, 1, 1};
    static const uint8_t vtype[28] = {0, 1, 1, 1, 1, 1, 1, 1, 1, [13] = 1, 1, 1, 1};
    static const uint8_t rtype[28] = {0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    static const uint8_t dtype[28] = {0, 1, 1, 1, 1, 1, 1, 1, 1};
    static const uint8_t vw[28] = {0, 1, 1, 1, 1, 1, 1, 1, [11] = 1, 1};
    nodes[0] = (struct cls_case){ns0(UG_ID_SERVER), UG_NC_OBJECT, obj};
    nodes[1] = (struct cls_case){sid("v"), UG_NC_VARIABLE, var};
    nodes[2] = (struct cls_case){sid("m"), UG_NC_METHOD, meth};
    nodes[3] = (struct cls_case){ns0(UG_ID_BASEOBJECTTYPE), UG_NC_OBJECTTYPE, otype};
    nodes[4] = (struct cls_case){ns0(UG_ID_BASEDATAVARIABLETYPE), UG_NC_VARIABLETYPE, vtype};
    nodes[5] = (struct cls_case){ns0(UG_ID_HASSUBTYPE), UG_NC_REFERENCETYPE, rtype};
    nodes[6] = (struct cls_case){ns0(UG_TYPE_DOUBLE), UG_NC_DATATYPE, dtype};
    nodes[7] = (struct cls_case){sid("view"), UG_NC_VIEW, vw};
    for (size_t k = 0; k < 8; k++) {
        for (uint32_t a = 0; a <= 28; a++) {
            ug_ReadValueId rv = rvid(nodes[k].id, a);
            ug_datavalue dv;
            ug_status st = read1(&rv, UG_TIMESTAMPS_TO_RETURN_NEITHER, &dv);
            bool has = a >= 1 && a <= 27 && nodes[k].attrs[a];
            if (st != (has ? UG_STATUS_GOOD : UG_STATUS_BADATTRIBUTEIDINVALID))
                fprintf(stderr, "node %zu attr %u: 0x%08x\n", k, a, st);
            CU_ASSERT_EQUAL(st, has ? UG_STATUS_GOOD : UG_STATUS_BADATTRIBUTEIDINVALID);
            CU_ASSERT_EQUAL(!!(dv.mask & UG_DV_VALUE), has);
            if (a == UG_ATTR_NODE_CLASS && has)
                CU_ASSERT_EQUAL(dv.value.u.v.int32, (int32_t)nodes[k].cls);
        }
    }
    /* some values */
    ug_datavalue dv;
    ug_ReadValueId rv = rvid(ns0(UG_ID_HASSUBTYPE), UG_ATTR_INVERSE_NAME);
    CU_ASSERT_EQUAL(read1(&rv, UG_TIMESTAMPS_TO_RETURN_NEITHER, &dv), UG_STATUS_GOOD);
    CU_ASSERT(ug_bytes_eq(dv.value.u.v.ltext.text, ug_string_from("SubtypeOf")));
    rv = rvid(ns0(UG_ID_HIERARCHICALREFERENCES), UG_ATTR_IS_ABSTRACT);
    CU_ASSERT_EQUAL(read1(&rv, UG_TIMESTAMPS_TO_RETURN_NEITHER, &dv), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(dv.value.type, UG_TYPE_BOOLEAN);
    CU_ASSERT(dv.value.u.v.boolean);
    rv = rvid(ns0(UG_ID_SERVER), UG_ATTR_EVENT_NOTIFIER);
    CU_ASSERT_EQUAL(read1(&rv, UG_TIMESTAMPS_TO_RETURN_NEITHER, &dv), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(dv.value.u.v.byte, 1);
    rv = rvid(sid("v"), UG_ATTR_VALUE);
    CU_ASSERT_EQUAL(read1(&rv, UG_TIMESTAMPS_TO_RETURN_NEITHER, &dv), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(dv.value.u.v.int32, 5);
    rv = rvid(sid("v"), UG_ATTR_DATA_TYPE);
    CU_ASSERT_EQUAL(read1(&rv, UG_TIMESTAMPS_TO_RETURN_NEITHER, &dv), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(dv.value.u.v.nodeid.id.numeric, UG_TYPE_INT32);
    rv = rvid(sid("m"), UG_ATTR_EXECUTABLE);
    CU_ASSERT_EQUAL(read1(&rv, UG_TIMESTAMPS_TO_RETURN_NEITHER, &dv), UG_STATUS_GOOD);
    CU_ASSERT(dv.value.u.v.boolean);
    rv = rvid(sid("view"), UG_ATTR_CONTAINS_NO_LOOPS);
    CU_ASSERT_EQUAL(read1(&rv, UG_TIMESTAMPS_TO_RETURN_NEITHER, &dv), UG_STATUS_GOOD);
    CU_ASSERT(dv.value.u.v.boolean);
    rv = rvid(sid("nope"), UG_ATTR_VALUE);
    CU_ASSERT_EQUAL(read1(&rv, UG_TIMESTAMPS_TO_RETURN_NEITHER, &dv), UG_STATUS_BADNODEIDUNKNOWN);
    CU_ASSERT_EQUAL(dv.mask, UG_DV_STATUS);
    /* ServerArray's ArrayDimensions from the generated tables: {0} */
    rv = rvid(ns0(2254), UG_ATTR_ARRAY_DIMENSIONS);
    CU_ASSERT_EQUAL(read1(&rv, UG_TIMESTAMPS_TO_RETURN_NEITHER, &dv), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(dv.value.type, UG_TYPE_UINT32);
    CU_ASSERT_EQUAL(dv.value.array_len, 1);
    teardown();
}

static void test_read_request_checks(void)
{
    setup();
    ug_ReadRequest req;
    ug_ReadResponse resp;
    memset(&req, 0, sizeof req);
    memset(&resp, 0, sizeof resp);
    CU_ASSERT_EQUAL(ug_svc_read(&ctx, &req, &resp), UG_STATUS_BADNOTHINGTODO);
    ug_ReadValueId *many = calloc(10001, sizeof *many);
    req.nodes_to_read = many;
    req.nodes_to_read_len = 10001; /* the default limit is 10000 */
    CU_ASSERT_EQUAL(ug_svc_read(&ctx, &req, &resp), UG_STATUS_BADTOOMANYOPERATIONS);
    free(many);
    ug_ReadValueId rv = rvid(ns0(UG_ID_SERVER), UG_ATTR_BROWSE_NAME);
    req.nodes_to_read = &rv;
    req.nodes_to_read_len = 1;
    req.max_age = -1;
    CU_ASSERT_EQUAL(ug_svc_read(&ctx, &req, &resp), UG_STATUS_BADMAXAGEINVALID);
    req.max_age = 100;
    req.timestamps_to_return = UG_TIMESTAMPS_TO_RETURN_INVALID;
    CU_ASSERT_EQUAL(ug_svc_read(&ctx, &req, &resp), UG_STATUS_BADTIMESTAMPSTORETURNINVALID);
    req.timestamps_to_return = -1;
    CU_ASSERT_EQUAL(ug_svc_read(&ctx, &req, &resp), UG_STATUS_BADTIMESTAMPSTORETURNINVALID);
    req.timestamps_to_return = UG_TIMESTAMPS_TO_RETURN_BOTH;
    CU_ASSERT_EQUAL(ug_svc_read(&ctx, &req, &resp), UG_STATUS_GOOD);
    /* read_attr checks TimestampsToReturn itself too */
    ug_datavalue dv;
    CU_ASSERT_EQUAL(ug_aspace_read_attr(as, &rv, 7, &dv, &arena, NOW),
                    UG_STATUS_BADTIMESTAMPSTORETURNINVALID);
    teardown();
}

static void test_read_index_range_timestamps_encoding(void)
{
    setup();
    int32_t a[4] = {1, 2, 3, 4};
    ug_datavalue init = {.mask = UG_DV_VALUE | UG_DV_SOURCE_TIMESTAMP | UG_DV_SOURCE_PICOSECONDS,
                         .source_ts = 777, .source_ps = 9};
    init.value = (ug_variant){.type = UG_TYPE_INT32, .array_len = 4, .u.arr = a};
    add_var("arr", UG_TYPE_INT32, 1, UG_ACCESS_READ, &init);
    ug_ReadValueId rv = rvid(sid("arr"), UG_ATTR_VALUE);
    ug_datavalue dv;
    rv.index_range = ug_string_from("1:2");
    CU_ASSERT_EQUAL(read1(&rv, UG_TIMESTAMPS_TO_RETURN_NEITHER, &dv), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(dv.value.array_len, 2);
    CU_ASSERT_EQUAL(((const int32_t *)dv.value.u.arr)[0], 2);
    rv.index_range = ug_string_from("9");
    CU_ASSERT_EQUAL(read1(&rv, UG_TIMESTAMPS_TO_RETURN_NEITHER, &dv), UG_STATUS_BADINDEXRANGENODATA);
    rv.index_range = ug_string_from("2:1");
    CU_ASSERT_EQUAL(read1(&rv, UG_TIMESTAMPS_TO_RETURN_NEITHER, &dv), UG_STATUS_BADINDEXRANGEINVALID);
    rv = rvid(ns0(UG_ID_SERVER), UG_ATTR_BROWSE_NAME); /* a scalar attribute */
    rv.index_range = ug_string_from("0");
    CU_ASSERT_EQUAL(read1(&rv, UG_TIMESTAMPS_TO_RETURN_NEITHER, &dv), UG_STATUS_BADINDEXRANGENODATA);
    /* timestamps: source only for Value, server = ctx->now */
    rv = rvid(sid("arr"), UG_ATTR_VALUE);
    static const struct { int32_t ttr; uint8_t mask; } t[] = {
        {UG_TIMESTAMPS_TO_RETURN_SOURCE, UG_DV_SOURCE_TIMESTAMP | UG_DV_SOURCE_PICOSECONDS},
        {UG_TIMESTAMPS_TO_RETURN_SERVER, UG_DV_SERVER_TIMESTAMP},
        {UG_TIMESTAMPS_TO_RETURN_BOTH,
         UG_DV_SOURCE_TIMESTAMP | UG_DV_SOURCE_PICOSECONDS | UG_DV_SERVER_TIMESTAMP},
        {UG_TIMESTAMPS_TO_RETURN_NEITHER, 0},
    };
    for (size_t i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL(read1(&rv, t[i].ttr, &dv), UG_STATUS_GOOD);
        CU_ASSERT_EQUAL(dv.mask, UG_DV_VALUE | t[i].mask);
        if (dv.mask & UG_DV_SOURCE_TIMESTAMP)
            CU_ASSERT_EQUAL(dv.source_ts, 777);
        if (dv.mask & UG_DV_SERVER_TIMESTAMP)
            CU_ASSERT_EQUAL(dv.server_ts, NOW);
    }
    ug_ReadValueId bn = rvid(ns0(UG_ID_SERVER), UG_ATTR_BROWSE_NAME);
    CU_ASSERT_EQUAL(read1(&bn, UG_TIMESTAMPS_TO_RETURN_BOTH, &dv), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(dv.mask, UG_DV_VALUE | UG_DV_SERVER_TIMESTAMP);
    /* DataEncoding */
    rv.data_encoding = (ug_qualified_name){0, ug_string_from("Default Binary")};
    CU_ASSERT_EQUAL(read1(&rv, UG_TIMESTAMPS_TO_RETURN_NEITHER, &dv), UG_STATUS_GOOD);
    rv.data_encoding = (ug_qualified_name){0, ug_string_from("Default XML")};
    CU_ASSERT_EQUAL(read1(&rv, UG_TIMESTAMPS_TO_RETURN_NEITHER, &dv), UG_STATUS_BADDATAENCODINGUNSUPPORTED);
    rv.data_encoding = (ug_qualified_name){0, ug_string_from("Default JSON")};
    CU_ASSERT_EQUAL(read1(&rv, UG_TIMESTAMPS_TO_RETURN_NEITHER, &dv), UG_STATUS_BADDATAENCODINGUNSUPPORTED);
    rv.data_encoding = (ug_qualified_name){0, ug_string_from("Fancy")};
    CU_ASSERT_EQUAL(read1(&rv, UG_TIMESTAMPS_TO_RETURN_NEITHER, &dv), UG_STATUS_BADDATAENCODINGINVALID);
    rv.data_encoding = (ug_qualified_name){1, ug_string_from("Default Binary")};
    CU_ASSERT_EQUAL(read1(&rv, UG_TIMESTAMPS_TO_RETURN_NEITHER, &dv), UG_STATUS_BADDATAENCODINGINVALID);
    bn.data_encoding = (ug_qualified_name){0, ug_string_from("Default Binary")};
    CU_ASSERT_EQUAL(read1(&bn, UG_TIMESTAMPS_TO_RETURN_NEITHER, &dv), UG_STATUS_BADDATAENCODINGINVALID);
    /* not readable; a variable without a value reads as an empty Variant */
    add_var("wo", UG_TYPE_INT32, -1, UG_ACCESS_WRITE, NULL);
    rv = rvid(sid("wo"), UG_ATTR_VALUE);
    CU_ASSERT_EQUAL(read1(&rv, UG_TIMESTAMPS_TO_RETURN_NEITHER, &dv), UG_STATUS_BADNOTREADABLE);
    add_var("empty", UG_TYPE_INT32, -1, UG_ACCESS_READ, NULL);
    rv = rvid(sid("empty"), UG_ATTR_VALUE);
    CU_ASSERT_EQUAL(read1(&rv, UG_TIMESTAMPS_TO_RETURN_NEITHER, &dv), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(dv.value.type, UG_TYPE_NULL);
    teardown();
}

/* ------------------------------------------------------------ callbacks -- */

static int cb_reads, cb_writes;
static ug_status cb_fail;
static int32_t cb_stored;
static ug_status cb_read(void *c, const ug_node *n, ug_datavalue *out, ug_arena *ar)
{
    (void)n;
    (void)ar;
    CU_ASSERT_PTR_EQUAL(c, &cb_reads);
    cb_reads++;
    if (cb_fail != UG_STATUS_GOOD)
        return cb_fail;
    *out = dv_i32(cb_stored);
    return UG_STATUS_GOOD;
}
static ug_status cb_write(void *c, const ug_node *n, const ug_datavalue *in)
{
    (void)c;
    (void)n;
    cb_writes++;
    if (cb_fail != UG_STATUS_GOOD)
        return cb_fail;
    cb_stored = in->value.u.v.int32;
    return UG_STATUS_GOOD;
}

static void test_callback_source(void)
{
    setup();
    struct ug_value_callbacks cb = {cb_read, cb_write, &cb_reads};
    struct ug_nodes_variable v = {0};
    v.c.requested_id = sid("cb");
    v.c.parent_id = ns0(UG_ID_OBJECTSFOLDER);
    v.c.browse_name = qn("cb");
    v.data_type = ns0(UG_TYPE_INT32);
    v.value_rank = -1;
    v.access_level = UG_ACCESS_READ | UG_ACCESS_WRITE;
    v.callbacks = &cb;
    CU_ASSERT_EQUAL_FATAL(ug_nodes_add_variable(as, &v, NULL), UG_STATUS_GOOD);
    cb_stored = 41;
    cb_fail = UG_STATUS_GOOD;
    ug_ReadValueId rv = rvid(sid("cb"), UG_ATTR_VALUE);
    ug_datavalue dv;
    CU_ASSERT_EQUAL(read1(&rv, UG_TIMESTAMPS_TO_RETURN_NEITHER, &dv), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(dv.value.u.v.int32, 41);
    ug_WriteValue wv = wval(sid("cb"), UG_ATTR_VALUE, dv_i32(7));
    CU_ASSERT_EQUAL(write1(&wv), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(cb_stored, 7);
    cb_fail = UG_STATUS_BADDEVICEFAILURE;
    CU_ASSERT_EQUAL(read1(&rv, UG_TIMESTAMPS_TO_RETURN_NEITHER, &dv), UG_STATUS_BADDEVICEFAILURE);
    CU_ASSERT_EQUAL(write1(&wv), UG_STATUS_BADDEVICEFAILURE);
    cb_fail = UG_STATUS_GOOD;
    /* read-only / write-only callbacks */
    struct ug_value_callbacks ro = {cb_read, NULL, &cb_reads}, wo = {NULL, cb_write, &cb_reads};
    CU_ASSERT_EQUAL(ug_aspace_set_callbacks(as, ug_aspace_get(as, &rv.node_id), &ro), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(write1(&wv), UG_STATUS_BADNOTWRITABLE);
    CU_ASSERT_EQUAL(ug_aspace_set_callbacks(as, ug_aspace_get(as, &rv.node_id), &wo), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(read1(&rv, UG_TIMESTAMPS_TO_RETURN_NEITHER, &dv), UG_STATUS_BADNOTREADABLE);
    /* an index-range write needs the current value from read */
    int32_t p[1] = {3};
    ug_datavalue pd = {.mask = UG_DV_VALUE, .value = {.type = UG_TYPE_INT32, .array_len = 1, .u.arr = p}};
    ug_WriteValue rw = wval(sid("cb"), UG_ATTR_VALUE, pd);
    rw.index_range = ug_string_from("0");
    ug_node *n = ug_aspace_get(as, &rv.node_id);
    n->value_rank = 1;
    n->access_level |= UG_ACCESS_WRITE;
    CU_ASSERT_EQUAL(write1(&rw), UG_STATUS_BADWRITENOTSUPPORTED);
    teardown();
}

/* ---------------------------------------------------------------- Write -- */

static void test_write(void)
{
    setup();
    ug_datavalue init = dv_i32(1);
    add_var("rw", UG_TYPE_INT32, -1, UG_ACCESS_READ | UG_ACCESS_WRITE, &init);
    add_var("ro", UG_TYPE_INT32, -1, UG_ACCESS_READ, &init);
    ug_WriteValue wv = wval(sid("rw"), UG_ATTR_VALUE, dv_i32(42));
    CU_ASSERT_EQUAL(write1(&wv), UG_STATUS_GOOD);
    ug_ReadValueId rv = rvid(sid("rw"), UG_ATTR_VALUE);
    ug_datavalue dv;
    CU_ASSERT_EQUAL(read1(&rv, UG_TIMESTAMPS_TO_RETURN_BOTH, &dv), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(dv.value.u.v.int32, 42);
    CU_ASSERT_EQUAL(dv.source_ts, NOW); /* stamped by the server */
    /* request-level checks */
    ug_WriteRequest req;
    ug_WriteResponse resp;
    memset(&req, 0, sizeof req);
    CU_ASSERT_EQUAL(ug_svc_write(&ctx, &req, &resp), UG_STATUS_BADNOTHINGTODO);
    req.nodes_to_write_len = 10001;
    req.nodes_to_write = &wv;
    CU_ASSERT_EQUAL(ug_svc_write(&ctx, &req, &resp), UG_STATUS_BADTOOMANYOPERATIONS);
    /* per-operation statuses */
    ug_datavalue s = {.mask = UG_DV_VALUE, .value = ug_variant_scalar(UG_TYPE_STRING)};
    s.value.u.v.string = ug_string_from("x");
    int32_t arr2[2] = {1, 2};
    ug_datavalue a = {.mask = UG_DV_VALUE, .value = {.type = UG_TYPE_INT32, .array_len = 2, .u.arr = arr2}};
    ug_datavalue novalue = {.mask = UG_DV_STATUS};
    ug_datavalue withstatus = dv_i32(3);
    withstatus.mask |= UG_DV_STATUS;
    withstatus.status = UG_STATUS_UNCERTAIN;
    ug_datavalue withts = dv_i32(3);
    withts.mask |= UG_DV_SOURCE_TIMESTAMP;
    withts.source_ts = 5;
    ug_datavalue withsrv = dv_i32(3);
    withsrv.mask |= UG_DV_SERVER_TIMESTAMP;
    struct { ug_WriteValue wv; ug_status want; } c[] = {
        {wval(sid("nope"), UG_ATTR_VALUE, dv_i32(1)), UG_STATUS_BADNODEIDUNKNOWN},
        {wval(sid("rw"), UG_ATTR_EXECUTABLE, dv_i32(1)), UG_STATUS_BADATTRIBUTEIDINVALID},
        {wval(sid("rw"), 0, dv_i32(1)), UG_STATUS_BADATTRIBUTEIDINVALID},
        {wval(sid("ro"), UG_ATTR_VALUE, dv_i32(1)), UG_STATUS_BADNOTWRITABLE},
        {wval(sid("rw"), UG_ATTR_VALUE, s), UG_STATUS_BADTYPEMISMATCH},
        {wval(sid("rw"), UG_ATTR_VALUE, a), UG_STATUS_BADTYPEMISMATCH}, /* rank -1 */
        {wval(sid("rw"), UG_ATTR_VALUE, novalue), UG_STATUS_BADTYPEMISMATCH}, /* Good status, no value */
        {wval(sid("rw"), UG_ATTR_VALUE, withstatus), UG_STATUS_BADWRITENOTSUPPORTED},
        {wval(sid("rw"), UG_ATTR_VALUE, withts), UG_STATUS_BADWRITENOTSUPPORTED},
        {wval(sid("rw"), UG_ATTR_VALUE, withsrv), UG_STATUS_BADWRITENOTSUPPORTED},
        {wval(sid("rw"), UG_ATTR_NODE_ID, dv_i32(1)), UG_STATUS_BADNOTWRITABLE},
        {wval(sid("rw"), UG_ATTR_NODE_CLASS, dv_i32(1)), UG_STATUS_BADNOTWRITABLE},
        {wval(sid("rw"), UG_ATTR_USER_ACCESS_LEVEL, dv_i32(1)), UG_STATUS_BADNOTWRITABLE},
        {wval(sid("rw"), UG_ATTR_DISPLAY_NAME, s), UG_STATUS_BADNOTWRITABLE}, /* WriteMask 0 */
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        ug_status st = write1(&c[i].wv);
        if (st != c[i].want)
            fprintf(stderr, "write case %zu: 0x%08x\n", i, st);
        CU_ASSERT_EQUAL(st, c[i].want);
    }
    CU_ASSERT_EQUAL(ug_aspace_write_attr(as, &c[0].wv), UG_STATUS_BADNODEIDUNKNOWN);
    /* an explicit Good status needs no StatusWrite */
    ug_datavalue good = dv_i32(6);
    good.mask |= UG_DV_STATUS;
    wv = wval(sid("rw"), UG_ATTR_VALUE, good);
    CU_ASSERT_EQUAL(write1(&wv), UG_STATUS_GOOD);
    /* a value without a Value part */
    ug_datavalue nv = {0};
    wv = wval(sid("rw"), UG_ATTR_VALUE, nv);
    CU_ASSERT_EQUAL(write1(&wv), UG_STATUS_BADTYPEMISMATCH);
    /* status and timestamps when the variable allows them */
    ug_node *n = ug_aspace_get(as, &rv.node_id);
    n->access_level |= UG_ACCESS_STATUS_WRITE | UG_ACCESS_TIMESTAMP_WRITE;
    wv = wval(sid("rw"), UG_ATTR_VALUE, withstatus);
    wv.value.mask |= UG_DV_SOURCE_TIMESTAMP;
    wv.value.source_ts = 5;
    CU_ASSERT_EQUAL(write1(&wv), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(read1(&rv, UG_TIMESTAMPS_TO_RETURN_SOURCE, &dv), UG_STATUS_UNCERTAIN);
    CU_ASSERT_EQUAL(dv.source_ts, 5);
    CU_ASSERT_EQUAL(dv.value.u.v.int32, 3);
    /* the direct API works the same way */
    wv = wval(sid("rw"), UG_ATTR_VALUE, dv_i32(8));
    CU_ASSERT_EQUAL(ug_aspace_write_attr(as, &wv), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(n->value->value.u.v.int32, 8);
    teardown();
}

static void test_write_type_rules(void)
{
    setup();
    uint8_t rw = UG_ACCESS_READ | UG_ACCESS_WRITE;
    add_var("bs", UG_TYPE_BYTESTRING, -1, rw, NULL);
    add_var("bytes", UG_TYPE_BYTE, 1, rw, NULL);
    add_var("utc", 294, -1, rw, NULL);       /* UtcTime: a DateTime */
    add_var("state", 852, -1, rw, NULL);     /* ServerState: an Int32 enumeration */
    add_var("num", 26, -1, rw, NULL);        /* Number */
    add_var("int", 27, -1, rw, NULL);        /* Integer */
    add_var("uint", 28, -1, rw, NULL);       /* UInteger */
    add_var("any", UG_ID_BASEDATATYPE, -2, rw, NULL);
    add_var("s1", UG_TYPE_STRING, -3, rw, NULL);
    add_var("mat", UG_TYPE_INT32, 2, rw, NULL);
    add_var("ar", UG_TYPE_INT32, 0, rw, NULL);
    uint8_t raw[3] = {1, 2, 3};
    ug_datavalue bytes = {.mask = UG_DV_VALUE, .value = {.type = UG_TYPE_BYTE, .array_len = 3, .u.arr = raw}};
    ug_datavalue bs = {.mask = UG_DV_VALUE, .value = ug_variant_scalar(UG_TYPE_BYTESTRING)};
    bs.value.u.v.string = (ug_string){raw, 3};
    ug_datavalue dt = {.mask = UG_DV_VALUE, .value = ug_variant_scalar(UG_TYPE_DATETIME)};
    ug_datavalue dbl = {.mask = UG_DV_VALUE, .value = ug_variant_scalar(UG_TYPE_DOUBLE)};
    ug_datavalue u16 = {.mask = UG_DV_VALUE, .value = ug_variant_scalar(UG_TYPE_UINT16)};
    ug_datavalue str = {.mask = UG_DV_VALUE, .value = ug_variant_scalar(UG_TYPE_STRING)};
    ug_string sarr[2] = {ug_string_from("a"), ug_string_from("b")};
    ug_datavalue strs = {.mask = UG_DV_VALUE, .value = {.type = UG_TYPE_STRING, .array_len = 2, .u.arr = sarr}};
    int32_t m[4] = {1, 2, 3, 4};
    int32_t md[2] = {2, 2};
    ug_datavalue mat = {.mask = UG_DV_VALUE,
                        .value = {.type = UG_TYPE_INT32, .array_len = 4, .ndims = 2, .dims = md, .u.arr = m}};
    ug_datavalue vec = {.mask = UG_DV_VALUE, .value = {.type = UG_TYPE_INT32, .array_len = 4, .u.arr = m}};
    ug_datavalue null = {.mask = UG_DV_VALUE, .value = {.type = UG_TYPE_NULL, .array_len = UG_SCALAR}};
    struct { const char *id; ug_datavalue dv; ug_status want; } c[] = {
        {"bs", bytes, UG_STATUS_GOOD},     /* Byte[] -> ByteString */
        {"bs", bs, UG_STATUS_GOOD},
        {"bytes", bs, UG_STATUS_GOOD},     /* ByteString -> Byte[] */
        {"bytes", bytes, UG_STATUS_GOOD},
        {"utc", dt, UG_STATUS_GOOD},
        {"utc", dbl, UG_STATUS_BADTYPEMISMATCH},
        {"state", dv_i32(1), UG_STATUS_GOOD},
        {"state", u16, UG_STATUS_BADTYPEMISMATCH},
        {"num", dbl, UG_STATUS_GOOD},
        {"num", str, UG_STATUS_BADTYPEMISMATCH},
        {"int", dv_i32(1), UG_STATUS_GOOD},
        {"int", u16, UG_STATUS_BADTYPEMISMATCH},
        {"uint", u16, UG_STATUS_GOOD},
        {"uint", dv_i32(1), UG_STATUS_BADTYPEMISMATCH},
        {"any", str, UG_STATUS_GOOD},
        {"any", mat, UG_STATUS_GOOD},
        {"any", null, UG_STATUS_GOOD},
        {"utc", null, UG_STATUS_BADTYPEMISMATCH},
        {"s1", str, UG_STATUS_GOOD},
        {"s1", strs, UG_STATUS_GOOD},
        {"mat", mat, UG_STATUS_GOOD},
        {"mat", vec, UG_STATUS_BADTYPEMISMATCH},
        {"ar", vec, UG_STATUS_GOOD},
        {"ar", dv_i32(1), UG_STATUS_BADTYPEMISMATCH},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        ug_WriteValue wv = wval(sid(c[i].id), UG_ATTR_VALUE, c[i].dv);
        ug_status st = write1(&wv);
        if (st != c[i].want)
            fprintf(stderr, "type case %zu: 0x%08x\n", i, st);
        CU_ASSERT_EQUAL(st, c[i].want);
    }
    /* the conversions stored the variable's own type */
    ug_nodeid id = sid("bs");
    CU_ASSERT_EQUAL(ug_nodes_value(as, &id)->value.type, UG_TYPE_BYTESTRING);
    id = sid("bytes");
    CU_ASSERT_EQUAL(ug_nodes_value(as, &id)->value.type, UG_TYPE_BYTE);
    CU_ASSERT_EQUAL(ug_nodes_value(as, &id)->value.array_len, 3);
    teardown();
}

static void test_write_index_range(void)
{
    setup();
    int32_t a[4] = {1, 2, 3, 4};
    ug_datavalue init = {.mask = UG_DV_VALUE, .value = {.type = UG_TYPE_INT32, .array_len = 4, .u.arr = a}};
    add_var("arr", UG_TYPE_INT32, 1, UG_ACCESS_READ | UG_ACCESS_WRITE, &init);
    add_var("none", UG_TYPE_INT32, 1, UG_ACCESS_READ | UG_ACCESS_WRITE, NULL);
    int32_t p[2] = {20, 30};
    ug_datavalue pd = {.mask = UG_DV_VALUE, .value = {.type = UG_TYPE_INT32, .array_len = 2, .u.arr = p}};
    ug_WriteValue wv = wval(sid("arr"), UG_ATTR_VALUE, pd);
    wv.index_range = ug_string_from("1:2");
    CU_ASSERT_EQUAL(write1(&wv), UG_STATUS_GOOD);
    ug_nodeid id = sid("arr");
    const int32_t *now = ug_nodes_value(as, &id)->value.u.arr;
    CU_ASSERT_EQUAL(now[0], 1);
    CU_ASSERT_EQUAL(now[1], 20);
    CU_ASSERT_EQUAL(now[2], 30);
    CU_ASSERT_EQUAL(now[3], 4);
    wv.index_range = ug_string_from("x");
    CU_ASSERT_EQUAL(write1(&wv), UG_STATUS_BADINDEXRANGEINVALID);
    wv.index_range = ug_string_from("0:2"); /* 3 elements for 2 */
    CU_ASSERT_EQUAL(write1(&wv), UG_STATUS_BADINDEXRANGEINVALID);
    wv.index_range = ug_string_from("3:4");
    CU_ASSERT_EQUAL(write1(&wv), UG_STATUS_BADINDEXRANGENODATA);
    ug_WriteValue wn = wval(sid("none"), UG_ATTR_VALUE, pd);
    wn.index_range = ug_string_from("0:1");
    CU_ASSERT_EQUAL(write1(&wn), UG_STATUS_BADINDEXRANGENODATA);
    ug_datavalue dd = {.mask = UG_DV_VALUE, .value = {.type = UG_TYPE_DOUBLE, .array_len = 2, .u.arr = p}};
    wv = wval(sid("arr"), UG_ATTR_VALUE, dd);
    wv.index_range = ug_string_from("0:1");
    CU_ASSERT_EQUAL(write1(&wv), UG_STATUS_BADTYPEMISMATCH);
    wv = wval(sid("arr"), UG_ATTR_VALUE, dv_i32(1)); /* a scalar patch */
    wv.index_range = ug_string_from("0");
    CU_ASSERT_EQUAL(write1(&wv), UG_STATUS_BADTYPEMISMATCH);
    teardown();
}

static void test_write_other_attributes(void)
{
    setup();
    ug_node *n = add_var("v", UG_TYPE_INT32, -1, UG_ACCESS_READ, NULL);
    n->write_mask = UG_WM_DISPLAYNAME | UG_WM_DESCRIPTION | UG_WM_BROWSENAME | UG_WM_ACCESSLEVEL |
                    UG_WM_VALUERANK | UG_WM_DATATYPE | UG_WM_ARRAYDIMENSIONS | UG_WM_WRITEMASK |
                    UG_WM_HISTORIZING | UG_WM_MINIMUMSAMPLINGINTERVAL;
    ug_datavalue lt = {.mask = UG_DV_VALUE, .value = ug_variant_scalar(UG_TYPE_LOCALIZEDTEXT)};
    lt.value.u.v.ltext = (ug_localized_text){ug_string_from("en"), ug_string_from("Pump")};
    ug_WriteValue wv = wval(sid("v"), UG_ATTR_DISPLAY_NAME, lt);
    CU_ASSERT_EQUAL(write1(&wv), UG_STATUS_GOOD);
    CU_ASSERT(ug_bytes_eq(ug_node_display_name(n).text, ug_string_from("Pump")));
    wv.attribute_id = UG_ATTR_DESCRIPTION;
    CU_ASSERT_EQUAL(write1(&wv), UG_STATUS_GOOD);
    CU_ASSERT(ug_bytes_eq(ug_node_description(n).locale, ug_string_from("en")));
    ug_datavalue q = {.mask = UG_DV_VALUE, .value = ug_variant_scalar(UG_TYPE_QUALIFIEDNAME)};
    q.value.u.v.qname = qn("Renamed");
    wv = wval(sid("v"), UG_ATTR_BROWSE_NAME, q);
    CU_ASSERT_EQUAL(write1(&wv), UG_STATUS_GOOD);
    CU_ASSERT(ug_bytes_eq(n->browse_name.name, ug_string_from("Renamed")));
    q.value.u.v.qname = qn("");
    wv = wval(sid("v"), UG_ATTR_BROWSE_NAME, q);
    CU_ASSERT_EQUAL(write1(&wv), UG_STATUS_BADBROWSENAMEINVALID);
    ug_datavalue b = {.mask = UG_DV_VALUE, .value = ug_variant_scalar(UG_TYPE_BYTE)};
    b.value.u.v.byte = 3;
    wv = wval(sid("v"), UG_ATTR_ACCESS_LEVEL, b);
    CU_ASSERT_EQUAL(write1(&wv), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(n->access_level, 3);
    wv = wval(sid("v"), UG_ATTR_VALUE_RANK, dv_i32(1));
    CU_ASSERT_EQUAL(write1(&wv), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(n->value_rank, 1);
    wv = wval(sid("v"), UG_ATTR_VALUE_RANK, dv_i32(-4));
    CU_ASSERT_EQUAL(write1(&wv), UG_STATUS_BADTYPEMISMATCH);
    ug_datavalue nid = {.mask = UG_DV_VALUE, .value = ug_variant_scalar(UG_TYPE_NODEID)};
    nid.value.u.v.nodeid = ns0(UG_TYPE_DOUBLE);
    wv = wval(sid("v"), UG_ATTR_DATA_TYPE, nid);
    CU_ASSERT_EQUAL(write1(&wv), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(n->data_type.id.numeric, UG_TYPE_DOUBLE);
    nid.value.u.v.nodeid = ns0(UG_ID_SERVER);
    wv = wval(sid("v"), UG_ATTR_DATA_TYPE, nid);
    CU_ASSERT_EQUAL(write1(&wv), UG_STATUS_BADTYPEMISMATCH);
    uint32_t dims[1] = {5};
    ug_datavalue ad = {.mask = UG_DV_VALUE, .value = {.type = UG_TYPE_UINT32, .array_len = 1, .u.arr = dims}};
    wv = wval(sid("v"), UG_ATTR_ARRAY_DIMENSIONS, ad);
    CU_ASSERT_EQUAL(write1(&wv), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(n->n_dims, 1);
    CU_ASSERT_EQUAL(n->dims[0], 5);
    ug_datavalue bo = {.mask = UG_DV_VALUE, .value = ug_variant_scalar(UG_TYPE_BOOLEAN)};
    bo.value.u.v.boolean = true;
    wv = wval(sid("v"), UG_ATTR_HISTORIZING, bo);
    CU_ASSERT_EQUAL(write1(&wv), UG_STATUS_GOOD);
    CU_ASSERT(n->flags & UG_NF_HISTORIZING);
    ug_datavalue d = {.mask = UG_DV_VALUE, .value = ug_variant_scalar(UG_TYPE_DOUBLE)};
    d.value.u.v.f64 = 250;
    wv = wval(sid("v"), UG_ATTR_MINIMUM_SAMPLING_INTERVAL, d);
    CU_ASSERT_EQUAL(write1(&wv), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(n->min_sampling, 250);
    /* wrong type, index range, status, ns0 node without write mask */
    wv = wval(sid("v"), UG_ATTR_DISPLAY_NAME, dv_i32(1));
    CU_ASSERT_EQUAL(write1(&wv), UG_STATUS_BADTYPEMISMATCH);
    wv = wval(sid("v"), UG_ATTR_DISPLAY_NAME, lt);
    wv.index_range = ug_string_from("0");
    CU_ASSERT_EQUAL(write1(&wv), UG_STATUS_BADINDEXRANGEINVALID);
    wv = wval(sid("v"), UG_ATTR_DISPLAY_NAME, lt);
    wv.value.mask |= UG_DV_STATUS;
    CU_ASSERT_EQUAL(write1(&wv), UG_STATUS_BADWRITENOTSUPPORTED);
    wv = wval(sid("v"), UG_ATTR_DISPLAY_NAME, (ug_datavalue){0});
    CU_ASSERT_EQUAL(write1(&wv), UG_STATUS_BADTYPEMISMATCH);
    wv = wval(ns0(UG_ID_SERVER), UG_ATTR_DISPLAY_NAME, lt);
    CU_ASSERT_EQUAL(write1(&wv), UG_STATUS_BADNOTWRITABLE);
    /* the write mask itself, then nothing is writable any more */
    ug_datavalue wm = {.mask = UG_DV_VALUE, .value = ug_variant_scalar(UG_TYPE_UINT32)};
    wv = wval(sid("v"), UG_ATTR_WRITE_MASK, wm);
    CU_ASSERT_EQUAL(ug_aspace_write_attr(as, &wv), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(write1(&wv), UG_STATUS_BADNOTWRITABLE);
    /* VariableType values need ValueForVariableType */
    struct ug_add_node vt = {0};
    vt.requested_id = sid("vt");
    vt.parent_id = ns0(UG_ID_BASEDATAVARIABLETYPE);
    vt.reference_type_id = ns0(UG_ID_HASSUBTYPE);
    vt.browse_name = qn("VT");
    vt.node_class = UG_NC_VARIABLETYPE;
    vt.attrs.data_type = ns0(UG_TYPE_INT32);
    vt.attrs.value_rank = -1;
    ug_node *vtn;
    CU_ASSERT_EQUAL_FATAL(ug_aspace_add_node(as, &vt, &vtn), UG_STATUS_GOOD);
    wv = wval(sid("vt"), UG_ATTR_VALUE, dv_i32(4));
    CU_ASSERT_EQUAL(write1(&wv), UG_STATUS_BADNOTWRITABLE);
    vtn->write_mask = UG_WM_VALUEFORVARIABLETYPE;
    CU_ASSERT_EQUAL(write1(&wv), UG_STATUS_GOOD);
    teardown();
}

/* --------------------------------------------------------- asynchronous -- */

static sem_t gate;     /* the worker waits here when gated */
static bool gated;
static int32_t device = 100;
static ug_status dev_read(void *c, ug_datavalue *out, ug_arena *ar)
{
    (void)c;
    if (gated)
        sem_wait(&gate);
    int32_t *arr = ug_arena_alloc(ar, 3 * sizeof *arr);
    if (!arr)
        return UG_STATUS_BADOUTOFMEMORY;
    arr[0] = device;
    arr[1] = device + 1;
    arr[2] = device + 2;
    *out = (ug_datavalue){.mask = UG_DV_VALUE | UG_DV_SOURCE_TIMESTAMP, .source_ts = 1,
                          .value = {.type = UG_TYPE_INT32, .array_len = 3, .u.arr = arr}};
    return UG_STATUS_GOOD;
}
static ug_status dev_write(void *c, const ug_datavalue *in)
{
    (void)c;
    if (in->value.type != UG_TYPE_INT32 || !ug_variant_is_array(&in->value))
        return UG_STATUS_BADDEVICEFAILURE;
    device = ((const int32_t *)in->value.u.arr)[0];
    return UG_STATUS_GOOD;
}

static void run_until_finished(void)
{
    for (int i = 0; i < 2000 && !is_finished(); i++)
        ug_loop_run_once(loop, false), usleep(1000);
}

static ug_node *add_async(const char *id)
{
    struct ug_value_async src = {dev_read, dev_write, NULL, NULL};
    struct ug_nodes_variable v = {0};
    v.c.requested_id = sid(id);
    v.c.parent_id = ns0(UG_ID_OBJECTSFOLDER);
    v.c.browse_name = qn(id);
    v.data_type = ns0(UG_TYPE_INT32);
    v.value_rank = 1;
    v.access_level = UG_ACCESS_READ | UG_ACCESS_WRITE;
    v.async = &src;
    ug_nodeid out;
    CU_ASSERT_EQUAL_FATAL(ug_nodes_add_variable(as, &v, &out), UG_STATUS_GOOD);
    return ug_aspace_get(as, &out);
}

static void test_async_read_write(void)
{
    setup_with_loop(true);
    gated = false;
    device = 100;
    add_async("dev");
    ug_datavalue init = dv_i32(9);
    add_var("plain", UG_TYPE_INT32, -1, UG_ACCESS_READ, &init);
    ug_ReadValueId rv[2] = {rvid(sid("dev"), UG_ATTR_VALUE), rvid(sid("plain"), UG_ATTR_VALUE)};
    rv[0].index_range = ug_string_from("1:2");
    ug_ReadRequest req;
    memset(&req, 0, sizeof req);
    req.timestamps_to_return = UG_TIMESTAMPS_TO_RETURN_BOTH;
    req.nodes_to_read_len = 2;
    req.nodes_to_read = rv;
    ug_ReadResponse resp;
    memset(&resp, 0, sizeof resp);
    /* without a pending handle the operation cannot wait */
    CU_ASSERT_EQUAL(ug_svc_read(&ctx, &req, &resp), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(resp.results[0].status, UG_STATUS_BADNOTSUPPORTED);
    CU_ASSERT_EQUAL(resp.results[1].value.u.v.int32, 9);
    new_pending();
    CU_ASSERT_EQUAL(ug_svc_read(&ctx, &req, &resp), UG_STATUS_GOODCOMPLETESASYNCHRONOUSLY);
    CU_ASSERT_PTR_NULL(ctx.pending); /* taken */
    dispatched();
    CU_ASSERT_FALSE(is_finished());
    run_until_finished();
    CU_ASSERT_TRUE_FATAL(is_finished());
    CU_ASSERT_EQUAL(pend->result, UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(resp.results[0].mask & UG_DV_STATUS, 0);
    CU_ASSERT_EQUAL(resp.results[0].value.array_len, 2);
    CU_ASSERT_EQUAL(((const int32_t *)resp.results[0].value.u.arr)[0], 101);
    CU_ASSERT_EQUAL(resp.results[0].server_ts > 0, true);
    CU_ASSERT_EQUAL(resp.results[1].value.u.v.int32, 9); /* copied before yielding */
    /* the completed read is the last value subscriptions see */
    ug_datavalue last;
    ug_ReadValueId whole = rvid(sid("dev"), UG_ATTR_VALUE);
    CU_ASSERT_EQUAL(ug_aspace_read_attr(as, &whole, UG_TIMESTAMPS_TO_RETURN_NEITHER, &last, &arena, NOW),
                    UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(last.value.array_len, 3);
    /* MaxAge: a recent last value is served without the device */
    ug_node *dev = ug_aspace_get(as, &whole.node_id);
    dev->value->mask |= UG_DV_SERVER_TIMESTAMP;
    dev->value->server_ts = NOW - 10000; /* 1 ms old */
    req.max_age = 1000;
    req.nodes_to_read_len = 1;
    new_pending();
    CU_ASSERT_EQUAL(ug_svc_read(&ctx, &req, &resp), UG_STATUS_GOOD);
    CU_ASSERT_PTR_NOT_NULL(ctx.pending); /* not taken */
    /* Write */
    int32_t w[3] = {7, 8, 9};
    ug_WriteValue wv = wval(sid("dev"), UG_ATTR_VALUE,
                            (ug_datavalue){.mask = UG_DV_VALUE,
                                           .value = {.type = UG_TYPE_INT32, .array_len = 3, .u.arr = w}});
    ug_WriteRequest wreq;
    memset(&wreq, 0, sizeof wreq);
    wreq.nodes_to_write_len = 1;
    wreq.nodes_to_write = &wv;
    ug_WriteResponse wresp;
    memset(&wresp, 0, sizeof wresp);
    CU_ASSERT_EQUAL(ug_svc_write(&ctx, &wreq, &wresp), UG_STATUS_GOODCOMPLETESASYNCHRONOUSLY);
    dispatched();
    run_until_finished();
    CU_ASSERT_TRUE(is_finished());
    CU_ASSERT_EQUAL(pend->result, UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(wresp.results[0], UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(device, 7);
    /* a range write to a device is refused; direct API refuses async */
    wv.index_range = ug_string_from("0:2");
    new_pending();
    CU_ASSERT_EQUAL(ug_svc_write(&ctx, &wreq, &wresp), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(wresp.results[0], UG_STATUS_BADWRITENOTSUPPORTED);
    wv.index_range = UG_NULL_BYTES;
    CU_ASSERT_EQUAL(ug_aspace_write_attr(as, &wv), UG_STATUS_BADWRITENOTSUPPORTED);
    /* without a pending handle */
    ug_pending_put(ctx.pending);
    ctx.pending = NULL;
    CU_ASSERT_EQUAL(ug_svc_write(&ctx, &wreq, &wresp), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(wresp.results[0], UG_STATUS_BADNOTSUPPORTED);
    /* async write-only / read-only sources */
    struct ug_value_async ro = {dev_read, NULL, NULL, NULL};
    CU_ASSERT_EQUAL(ug_aspace_set_async(as, dev, &ro), UG_STATUS_GOOD);
    new_pending();
    CU_ASSERT_EQUAL(ug_svc_write(&ctx, &wreq, &wresp), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(wresp.results[0], UG_STATUS_BADNOTWRITABLE);
    struct ug_value_async wo = {NULL, dev_write, NULL, NULL};
    CU_ASSERT_EQUAL(ug_aspace_set_async(as, dev, &wo), UG_STATUS_GOOD);
    req.max_age = 0;
    CU_ASSERT_EQUAL(ug_svc_read(&ctx, &req, &resp), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(resp.results[0].status, UG_STATUS_BADNOTREADABLE);
    teardown();
}

/* A node deleted while its read waits on the device: the request answers at
 * once with BadNodeIdUnknown, the worker's late result is dropped by
 * identity and the operation freed by the worker (ASan checks). */
static void test_async_cancel(void)
{
    setup_with_loop(true);
    sem_init(&gate, 0, 0);
    gated = true;
    add_async("dev");
    ug_ReadValueId rv = rvid(sid("dev"), UG_ATTR_VALUE);
    ug_ReadRequest req;
    memset(&req, 0, sizeof req);
    req.nodes_to_read_len = 1;
    req.nodes_to_read = &rv;
    ug_ReadResponse resp;
    memset(&resp, 0, sizeof resp);
    new_pending();
    CU_ASSERT_EQUAL(ug_svc_read(&ctx, &req, &resp), UG_STATUS_GOODCOMPLETESASYNCHRONOUSLY);
    dispatched();
    usleep(20000); /* let the worker pick it up and block */
    CU_ASSERT_EQUAL(ug_nodes_delete(as, &rv.node_id, false), UG_STATUS_GOOD);
    CU_ASSERT_TRUE(is_finished());
    CU_ASSERT_EQUAL(resp.results[0].status, UG_STATUS_BADNODEIDUNKNOWN);
    sem_post(&gate);
    usleep(20000);
    for (int i = 0; i < 20; i++)
        ug_loop_run_once(loop, false);
    CU_ASSERT_TRUE(is_finished());
    CU_ASSERT_EQUAL(srv->stats.async_pending, 0);
    struct ug_loop_stats stats;
    ug_loop_get_stats(loop, &stats);
    CU_ASSERT_EQUAL(stats.posts_delivered, 0);
    /* shutdown with an operation still waiting: finished with BadShutdown */
    add_async("dev2");
    rv = rvid(sid("dev2"), UG_ATTR_VALUE);
    new_pending();
    CU_ASSERT_EQUAL(ug_svc_read(&ctx, &req, &resp), UG_STATUS_GOODCOMPLETESASYNCHRONOUSLY);
    dispatched();
    usleep(20000);
    ug_aspace_cancel_ops(as, NULL, UG_STATUS_BADSHUTDOWN);
    CU_ASSERT_TRUE(is_finished());
    CU_ASSERT_EQUAL(resp.results[0].status, UG_STATUS_BADSHUTDOWN);
    sem_post(&gate);
    usleep(20000);
    /* the request's channel closes: its cancel hook stops the device work */
    add_async("dev3");
    rv = rvid(sid("dev3"), UG_ATTR_VALUE);
    new_pending();
    pend->conn = FAKE_CONN;
    CU_ASSERT_EQUAL(ug_svc_read(&ctx, &req, &resp), UG_STATUS_GOODCOMPLETESASYNCHRONOUSLY);
    dispatched();
    CU_ASSERT_PTR_NOT_NULL_FATAL(pend->cancel);
    CU_ASSERT_FALSE(is_finished());
    ug_pending_orphan_conn(srv, FAKE_CONN); /* what server.c does on close */
    CU_ASSERT_TRUE(is_finished());
    CU_ASSERT(pend->orphaned);
    CU_ASSERT_EQUAL(resp.results[0].status, UG_STATUS_BADSHUTDOWN);
    sem_post(&gate);
    usleep(20000);
    for (int i = 0; i < 20; i++)
        ug_loop_run_once(loop, false);
    CU_ASSERT_TRUE(is_finished());
    CU_ASSERT_EQUAL(srv->stats.async_pending, 0);
    gated = false;
    teardown();
    sem_destroy(&gate);
}

static CU_TestInfo tests[] = {
    {"Read: attributes per node class", test_read_attributes_per_class},
    {"Read: request checks", test_read_request_checks},
    {"Read: index range, timestamps, encoding", test_read_index_range_timestamps_encoding},
    {"Read/Write: callback source", test_callback_source},
    {"Write: statuses", test_write},
    {"Write: type rules", test_write_type_rules},
    {"Write: index range", test_write_index_range},
    {"Write: other attributes", test_write_other_attributes},
    {"async read and write", test_async_read_write},
    {"async cancel by identity", test_async_cancel},
    CU_TEST_INFO_NULL,
};

int main(void) { return ug_test_main("clientserver/svc_attribute", tests); }
