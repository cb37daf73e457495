/* Tests of the OPC UA client (clientserver/client*.c) against the real
 * server of clientserver/server.c on the same loop over 127.0.0.1: Read,
 * Write, Browse, TranslateBrowsePaths, Call, user names and a subscription.
 */
#include "client_fixture.h"

/* ---------------------------------------------------- the real server -- */

/* The server of clientserver/server.c on the same loop, with a writable
 * Int32 variable ns=1;s=Counter and a method ns=1;s=Add (a + b) under
 * Objects, and one user "operator"/"s3cret". */
struct real {
    ug_server *srv;
    char url[64];
    ug_nodeid counter, add, objects;
};

static ug_status add_fn(void *ctx, const ug_nodeid *object, size_t n_in, const ug_variant *in,
                        size_t *n_out, ug_variant **out, ug_arena *arena)
{
    (void)ctx;
    (void)object;
    if (n_in != 2)
        return UG_STATUS_BADARGUMENTSMISSING;
    ug_variant *v = ug_arena_alloc(arena, sizeof *v);
    if (!v)
        return UG_STATUS_BADOUTOFMEMORY;
    *v = ug_variant_scalar(UG_TYPE_INT32);
    v->u.v.int32 = in[0].u.v.int32 + in[1].u.v.int32;
    *out = v;
    *n_out = 1;
    return UG_STATUS_GOOD;
}

static void real_start(struct env *e, struct real *r)
{
    memset(r, 0, sizeof *r);
    static char hash[128];
    CU_ASSERT_EQUAL_FATAL(ug_server_hash_password("s3cret", 1000, hash, sizeof hash),
                          UG_STATUS_GOOD);
    static struct ug_server_user user;
    user.username = "operator";
    user.password_hash = hash;
    struct ug_server_config cfg;
    ug_server_config_init(&cfg);
    cfg.endpoint_url = "opc.tcp://127.0.0.1:0";
    cfg.users = &user;
    cfg.n_users = 1;
    CU_ASSERT_EQUAL_FATAL(ug_server_new(e->loop, &cfg, &r->srv), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(ug_server_start(r->srv), UG_STATUS_GOOD);
    snprintf(r->url, sizeof r->url, "opc.tcp://127.0.0.1:%u", ug_server_port(r->srv));
    e->cfg.endpoint_url = r->url;

    ug_aspace *as = ug_server_aspace(r->srv);
    r->objects = num(0, UG_NS0_OBJECTS_FOLDER);
    ug_datavalue dv = {0};
    dv.mask = UG_DV_VALUE;
    dv.value = ug_variant_scalar(UG_TYPE_INT32);
    dv.value.u.v.int32 = 5;
    struct ug_nodes_variable v;
    memset(&v, 0, sizeof v);
    CU_ASSERT_EQUAL(ug_nodeid_parse("ns=1;s=Counter", 14, &v.c.requested_id, NULL),
                    UG_STATUS_GOOD);
    v.c.parent_id = r->objects;
    v.c.browse_name = (ug_qualified_name){1, ug_string_from("Counter")};
    v.c.display_name.locale = UG_NULL_BYTES;
    v.c.display_name.text = UG_NULL_BYTES;
    v.c.description.locale = UG_NULL_BYTES;
    v.c.description.text = UG_NULL_BYTES;
    v.data_type = num(0, UG_NS0_INT32);
    v.value_rank = -1;
    v.access_level = 0x03;
    v.value = &dv;
    CU_ASSERT_EQUAL_FATAL(ug_nodes_add_variable(as, &v, &r->counter), UG_STATUS_GOOD);

    static const struct ug_nodes_arg ins[2] = {{"a", {0, 0, {UG_NS0_INT32}}, -1, NULL},
                                               {"b", {0, 0, {UG_NS0_INT32}}, -1, NULL}};
    static const struct ug_nodes_arg outs[1] = {{"sum", {0, 0, {UG_NS0_INT32}}, -1, NULL}};
    struct ug_nodes_method m;
    memset(&m, 0, sizeof m);
    CU_ASSERT_EQUAL(ug_nodeid_parse("ns=1;s=Add", 10, &m.c.requested_id, NULL), UG_STATUS_GOOD);
    m.c.parent_id = r->objects;
    m.c.reference_type_id = num(0, UG_NS0_HAS_COMPONENT); /* Call needs HasComponent */
    m.c.browse_name = (ug_qualified_name){1, ug_string_from("Add")};
    m.c.display_name.locale = UG_NULL_BYTES;
    m.c.display_name.text = UG_NULL_BYTES;
    m.c.description.locale = UG_NULL_BYTES;
    m.c.description.text = UG_NULL_BYTES;
    m.n_inputs = 2;
    m.inputs = ins;
    m.n_outputs = 1;
    m.outputs = outs;
    m.impl.call = add_fn;
    CU_ASSERT_EQUAL_FATAL(ug_nodes_add_method(as, &m, &r->add), UG_STATUS_GOOD);
}

static void real_free(struct env *e, struct real *r)
{
    ug_client_free(e->c);
    e->c = NULL;
    for (int i = 0; i < 5; i++)
        ug_loop_run_once(e->loop, false);
    ug_server_free(r->srv);
    env_free(e);
}

static void test_real_services(void)
{
    struct env e;
    struct real r;
    env_init(&e);
    real_start(&e, &r);
    CU_ASSERT_EQUAL_FATAL(env_connect(&e), UG_STATUS_GOOD);
    ug_arena a;
    ug_arena_init(&a, NULL, 0, true);

    /* NamespaceArray: the standard's URI first */
    ug_variant v;
    ug_nodeid ns_array = num(0, UG_NS0_SERVER_NAMESPACE_ARRAY);
    CU_ASSERT_EQUAL(ug_client_read_value(e.c, &ns_array, &v, &a), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(v.type, UG_TYPE_STRING);
    CU_ASSERT_FATAL(ug_variant_is_array(&v) && v.array_len >= 2);
    CU_ASSERT(ug_bytes_eq(((const ug_string *)v.u.arr)[0],
                          ug_string_from("http://opcfoundation.org/UA/")));

    /* read, write, read back; a wrong type is refused */
    CU_ASSERT_EQUAL(ug_client_read_value(e.c, &r.counter, &v, &a), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(v.type, UG_TYPE_INT32);
    CU_ASSERT_EQUAL(v.u.v.int32, 5);
    v = ug_variant_scalar(UG_TYPE_INT32);
    v.u.v.int32 = 42;
    CU_ASSERT_EQUAL(ug_client_write_value(e.c, &r.counter, &v), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_client_read_value(e.c, &r.counter, &v, &a), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(v.u.v.int32, 42);
    v = ug_variant_scalar(UG_TYPE_STRING);
    v.u.v.string = ug_string_from("x");
    CU_ASSERT_EQUAL(ug_client_write_value(e.c, &r.counter, &v), UG_STATUS_BADTYPEMISMATCH);
    ug_datavalue dv;
    CU_ASSERT_EQUAL(ug_client_read(e.c, &r.counter, UG_ATTR_BROWSE_NAME, &dv, &a), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(dv.value.type, UG_TYPE_QUALIFIEDNAME);
    ug_nodeid nowhere = num(1, 424242);
    CU_ASSERT_EQUAL(ug_client_read_value(e.c, &nowhere, &v, &a), UG_STATUS_BADNODEIDUNKNOWN);

    /* browse Objects: Server and our two nodes */
    ug_ReferenceDescription *refs = NULL;
    size_t n = 0;
    CU_ASSERT_EQUAL(ug_client_browse(e.c, &r.objects, &refs, &n, &a), UG_STATUS_GOOD);
    bool server = false, counter = false, add = false;
    for (size_t i = 0; i < n; i++) {
        if (ug_nodeid_eq(&refs[i].node_id.node, &(ug_nodeid){0, 0, {UG_NS0_SERVER}}))
            server = true;
        if (ug_nodeid_eq(&refs[i].node_id.node, &r.counter))
            counter = refs[i].node_class == UG_NODE_CLASS_VARIABLE;
        if (ug_nodeid_eq(&refs[i].node_id.node, &r.add))
            add = refs[i].node_class == UG_NODE_CLASS_METHOD;
    }
    CU_ASSERT(server);
    CU_ASSERT(counter);
    CU_ASSERT(add);

    /* translate Objects/Server/ServerStatus */
    ug_qualified_name path[2] = {{0, ug_string_from("Server")}, {0, ug_string_from("ServerStatus")}};
    ug_expanded_nodeid t;
    CU_ASSERT_EQUAL(ug_client_translate(e.c, &r.objects, path, 2, &t, &a), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(t.node.id.numeric, UG_NS0_SERVER_SERVER_STATUS);
    path[1].name = ug_string_from("NoSuchChild");
    CU_ASSERT(ug_is_bad(ug_client_translate(e.c, &r.objects, path, 2, &t, &a)));

    /* call Add(2, 3) */
    ug_variant in[2] = {ug_variant_scalar(UG_TYPE_INT32), ug_variant_scalar(UG_TYPE_INT32)};
    in[0].u.v.int32 = 2;
    in[1].u.v.int32 = 3;
    ug_variant *out = NULL;
    size_t n_out = 0;
    ug_status cst = ug_client_call(e.c, &r.objects, &r.add, in, 2, &out, &n_out, &a);
    if (cst != UG_STATUS_GOOD)
        fprintf(stderr, "call: %s\n", ug_status_name(cst));
    CU_ASSERT_EQUAL(cst, UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(n_out, 1);
    CU_ASSERT_EQUAL(out[0].u.v.int32, 5);
    CU_ASSERT(ug_is_bad(ug_client_call(e.c, &r.objects, &r.add, in, 1, &out, &n_out, &a)));

    CU_ASSERT_EQUAL(ug_client_disconnect(e.c), UG_STATUS_GOOD);
    ug_arena_free(&a);
    real_free(&e, &r);
}

static void test_real_username(void)
{
    static const struct {
        const char *user, *password;
        bool ok;
    } cases[] = {
        {"operator", "s3cret", true},
        {"operator", "wrong", false},
        {"nobody", "s3cret", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct env e;
        struct real r;
        env_init(&e);
        real_start(&e, &r);
        e.cfg.username = cases[i].user;
        e.cfg.password = cases[i].password;
        ug_status st = env_connect(&e);
        if (cases[i].ok) {
            CU_ASSERT_EQUAL(st, UG_STATUS_GOOD);
        } else {
            CU_ASSERT(ug_is_bad(st));
            CU_ASSERT_EQUAL(ug_client_state(e.c), UG_CLIENT_DISCONNECTED);
        }
        real_free(&e, &r);
    }
}

static void test_real_subscription(void)
{
    struct env e;
    struct real r;
    env_init(&e);
    real_start(&e, &r);
    CU_ASSERT_EQUAL_FATAL(env_connect(&e), UG_STATUS_GOOD);
    struct subctx s = {0};
    struct ug_client_sub_params p = {.publishing_interval_ms = 50, .max_keepalive_count = 10};
    ug_client_sub *sub = NULL;
    CU_ASSERT_EQUAL_FATAL(ug_client_sub_create(e.c, &p, on_sub_status, &s, &sub), UG_STATUS_GOOD);
    struct ug_client_mon_params mp[2];
    memset(mp, 0, sizeof mp);
    mp[0].node = r.counter;
    mp[0].sampling_interval_ms = 10;
    mp[0].cb = on_data;
    mp[0].ctx = &s;
    mp[1] = mp[0];
    mp[1].node = num(1, 424242);
    ug_client_mon *mons[2];
    CU_ASSERT_EQUAL_FATAL(ug_client_mon_create(sub, mp, 2, mons), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_client_mon_status(mons[0]), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_client_mon_status(mons[1]), UG_STATUS_BADNODEIDUNKNOWN);
    /* the initial value */
    run_until_changes(&e, &s, 1);
    CU_ASSERT_EQUAL(s.changes, 1);
    /* values set on the server arrive */
    ug_aspace *as = ug_server_aspace(r.srv);
    for (int32_t k = 1; k <= 3; k++) {
        ug_datavalue dv = {0};
        dv.mask = UG_DV_VALUE;
        dv.value = ug_variant_scalar(UG_TYPE_INT32);
        dv.value.u.v.int32 = 100 + k;
        CU_ASSERT_EQUAL(ug_nodes_write_value(as, &r.counter, &dv), UG_STATUS_GOOD);
        run_until_changes(&e, &s, 1 + (int)k);
    }
    CU_ASSERT_EQUAL(s.changes, 4);
    CU_ASSERT_EQUAL(s.last_any, 103);
    CU_ASSERT_EQUAL(ug_client_sub_delete(sub), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_client_disconnect(e.c), UG_STATUS_GOOD);
    real_free(&e, &r);
}

static CU_TestInfo tests[] = {
    {"real server: read, write, browse, translate, call", test_real_services},
    {"real server: user names", test_real_username},
    {"real server: subscription", test_real_subscription},
    CU_TEST_INFO_NULL,
};

int main(void) { return ug_test_main("client_server", tests); }
