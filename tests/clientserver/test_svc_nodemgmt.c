/* The NodeManagement services (clientserver/svc_nodemgmt.c): AddNodes,
 * AddReferences, DeleteReferences, DeleteNodes with the status codes of
 * Part 4 §5.7, the wire forms (ExpandedNodeIds, NodeAttributes extension
 * objects) and who may use them. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "uagate/nodes.h"
#include "uagate/server.h"
#include "uagate/ua_struct.h"

#include "../../clientserver/server_internal.h" /* private: not on the tests' include path */

static ug_loop *loop;
static ug_server *srv;
static ug_arena arena;

static ug_nodeid ns0(uint32_t id) { return (ug_nodeid){.ns = 0, .id_type = UG_ID_NUMERIC, .id.numeric = id}; }
static ug_nodeid ns1(uint32_t id) { return (ug_nodeid){.ns = 1, .id_type = UG_ID_NUMERIC, .id.numeric = id}; }
static ug_expanded_nodeid x(ug_nodeid n) { return (ug_expanded_nodeid){.node = n, .namespace_uri = {NULL, -1}}; }

static ug_status make(bool anonymous_allowed, bool enabled)
{
    ug_server_free(srv);
    srv = NULL;
    struct ug_server_config cfg;
    ug_server_config_init(&cfg);
    cfg.endpoint_url = "opc.tcp://127.0.0.1:0";
    cfg.limits.max_nodes_per_node_management = 4;
    cfg.anonymous_node_management = anonymous_allowed;
    cfg.node_management = enabled;
    return ug_server_new(loop, &cfg, &srv);
}

static int suite_init(void)
{
    ug_arena_init(&arena, NULL, 0, true);
    return ug_loop_new(NULL, &loop) == UG_STATUS_GOOD && make(true, true) == UG_STATUS_GOOD ? 0
                                                                                           : -1;
}

/* Runs a service as the dispatcher does, with no session. */
static ug_status run(ug_service_fn fn, const void *req, void *resp)
{
    ug_svc_pending *p = ug_pending_get(srv);
    struct ug_svc_ctx ctx = {.server = srv, .aspace = ug_server_aspace(srv), .arena = &arena,
                             .loop = loop, .pending = p};
    ug_status st = fn(&ctx, req, resp);
    ug_pending_put(p);
    return st;
}

static ug_AddNodesItem object_item(uint32_t id, uint32_t parent, const char *name)
{
    ug_ObjectAttributes oa;
    memset(&oa, 0, sizeof oa);
    oa.specified_attributes = UG_NODE_ATTRIBUTES_MASK_DISPLAY_NAME;
    oa.display_name.locale = (ug_string){NULL, -1};
    oa.display_name.text = ug_string_from(name);
    ug_AddNodesItem it;
    memset(&it, 0, sizeof it);
    it.parent_node_id = x(parent ? ns1(parent) : ns0(85));
    it.reference_type_id = ns0(parent ? 47 : 35);
    it.requested_new_node_id = x(ns1(id));
    it.browse_name = (ug_qualified_name){1, ug_string_from(name)};
    it.node_class = UG_NODE_CLASS_OBJECT;
    CU_ASSERT_EQUAL(ug_eo_encode(&it.node_attributes, &ug_desc_ObjectAttributes, &oa, &arena),
                    UG_STATUS_GOOD);
    return it;
}

static ug_status add_one(const ug_AddNodesItem *it, ug_nodeid *out)
{
    ug_AddNodesRequest req;
    ug_AddNodesResponse resp;
    memset(&req, 0, sizeof req);
    memset(&resp, 0, sizeof resp);
    req.nodes_to_add = (ug_AddNodesItem *)it;
    req.nodes_to_add_len = 1;
    CU_ASSERT_EQUAL_FATAL(run(ug_svc_add_nodes, &req, &resp), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(resp.results_len, 1);
    if (out)
        *out = resp.results[0].added_node_id;
    return resp.results[0].status_code;
}

static void test_add_object_and_variable(void)
{
    ug_AddNodesItem it = object_item(1000, 0, "Pump");
    ug_nodeid got;
    CU_ASSERT_EQUAL(add_one(&it, &got), UG_STATUS_GOOD);
    ug_nodeid want = ns1(1000);
    CU_ASSERT_TRUE(ug_nodeid_eq(&got, &want));
    CU_ASSERT_EQUAL(add_one(&it, NULL), UG_STATUS_BADNODEIDEXISTS);

    /* A variable with a value, data type and access level. */
    ug_VariableAttributes va;
    memset(&va, 0, sizeof va);
    va.specified_attributes = UG_NODE_ATTRIBUTES_MASK_VALUE | UG_NODE_ATTRIBUTES_MASK_DATA_TYPE |
                              UG_NODE_ATTRIBUTES_MASK_VALUE_RANK |
                              UG_NODE_ATTRIBUTES_MASK_ACCESS_LEVEL;
    va.value = ug_variant_scalar(UG_TYPE_INT32);
    va.value.u.v.int32 = 42;
    va.data_type = ns0(6);
    va.value_rank = -1;
    va.access_level = 3;
    ug_AddNodesItem v;
    memset(&v, 0, sizeof v);
    v.parent_node_id = x(ns1(1000));
    v.reference_type_id = ns0(47);
    v.requested_new_node_id = x(ns1(1001));
    v.browse_name = (ug_qualified_name){1, ug_string_from("Speed")};
    v.node_class = UG_NODE_CLASS_VARIABLE;
    CU_ASSERT_EQUAL(ug_eo_encode(&v.node_attributes, &ug_desc_VariableAttributes, &va, &arena),
                    UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(add_one(&v, NULL), UG_STATUS_GOOD);
    ug_nodeid vid = ns1(1001);
    const ug_datavalue *dv = ug_nodes_value(ug_server_aspace(srv), &vid);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dv);
    CU_ASSERT_EQUAL(dv->value.type, UG_TYPE_INT32);
    CU_ASSERT_EQUAL(dv->value.u.v.int32, 42);

    /* A namespace URI in the ExpandedNodeId stands for its index. */
    it = object_item(1002, 0, "ByUri");
    it.requested_new_node_id.node.ns = 7;
    it.requested_new_node_id.namespace_uri = ug_string_from("urn:uagate:server");
    CU_ASSERT_EQUAL(add_one(&it, &got), UG_STATUS_GOOD);
    want = ns1(1002);
    CU_ASSERT_TRUE(ug_nodeid_eq(&got, &want));
    /* Numeric 0: the server picks the id. */
    it = object_item(0, 0, "AnyId");
    CU_ASSERT_EQUAL(add_one(&it, &got), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(got.ns, 1);
    CU_ASSERT_NOT_EQUAL(got.id.numeric, 0);
}

static void test_add_refusals(void)
{
    ug_AddNodesItem it;
    /* Parent unknown, on another server, or in an unknown namespace URI. */
    it = object_item(1100, 4444, "A");
    CU_ASSERT_EQUAL(add_one(&it, NULL), UG_STATUS_BADPARENTNODEIDINVALID);
    it = object_item(1100, 0, "A");
    it.parent_node_id.server_index = 1;
    CU_ASSERT_EQUAL(add_one(&it, NULL), UG_STATUS_BADPARENTNODEIDINVALID);
    it = object_item(1100, 0, "A");
    it.parent_node_id.namespace_uri = ug_string_from("urn:nowhere");
    CU_ASSERT_EQUAL(add_one(&it, NULL), UG_STATUS_BADPARENTNODEIDINVALID);
    /* Requested id in namespace 0, on another server, unknown URI. */
    it = object_item(1100, 0, "A");
    it.requested_new_node_id.node.ns = 0;
    CU_ASSERT_EQUAL(add_one(&it, NULL), UG_STATUS_BADNODEIDREJECTED);
    it = object_item(1100, 0, "A");
    it.requested_new_node_id.server_index = 2;
    CU_ASSERT_EQUAL(add_one(&it, NULL), UG_STATUS_BADNODEIDREJECTED);
    it = object_item(1100, 0, "A");
    it.requested_new_node_id.namespace_uri = ug_string_from("urn:nowhere");
    CU_ASSERT_EQUAL(add_one(&it, NULL), UG_STATUS_BADNODEIDREJECTED);
    /* Node class none or not a class. */
    it = object_item(1100, 0, "A");
    it.node_class = 0;
    CU_ASSERT_EQUAL(add_one(&it, NULL), UG_STATUS_BADNODECLASSINVALID);
    it.node_class = 3;
    CU_ASSERT_EQUAL(add_one(&it, NULL), UG_STATUS_BADNODECLASSINVALID);
    /* Attributes of another class, or not attributes at all. */
    it = object_item(1100, 0, "A");
    it.node_class = UG_NODE_CLASS_VARIABLE;
    CU_ASSERT_EQUAL(add_one(&it, NULL), UG_STATUS_BADNODEATTRIBUTESINVALID);
    it = object_item(1100, 0, "A");
    it.node_attributes.body.len = 3; /* truncated body */
    CU_ASSERT_EQUAL(add_one(&it, NULL), UG_STATUS_BADNODEATTRIBUTESINVALID);
    /* A type definition on a method; an unknown one on an object. */
    ug_MethodAttributes ma;
    memset(&ma, 0, sizeof ma);
    it = object_item(1100, 0, "A");
    it.node_class = UG_NODE_CLASS_METHOD;
    CU_ASSERT_EQUAL(ug_eo_encode(&it.node_attributes, &ug_desc_MethodAttributes, &ma, &arena),
                    UG_STATUS_GOOD);
    it.type_definition = x(ns0(58));
    CU_ASSERT_EQUAL(add_one(&it, NULL), UG_STATUS_BADTYPEDEFINITIONINVALID);
    it = object_item(1100, 0, "A");
    it.type_definition = x(ns1(4444));
    CU_ASSERT_EQUAL(add_one(&it, NULL), UG_STATUS_BADTYPEDEFINITIONINVALID);
    it = object_item(1100, 0, "A");
    it.type_definition = x(ns0(58));
    it.type_definition.server_index = 3;
    CU_ASSERT_EQUAL(add_one(&it, NULL), UG_STATUS_BADTYPEDEFINITIONINVALID);
    /* Empty browse name. */
    it = object_item(1100, 0, "A");
    it.browse_name.name = (ug_string){NULL, 0};
    CU_ASSERT_EQUAL(add_one(&it, NULL), UG_STATUS_BADBROWSENAMEINVALID);
    /* Nothing was added by any of these. */
    ug_nodeid id = ns1(1100);
    CU_ASSERT_PTR_NULL(ug_nodes_context(ug_server_aspace(srv), &id));
    CU_ASSERT_PTR_NULL(ug_nodes_value(ug_server_aspace(srv), &id));

    /* Whole-request limits. */
    ug_AddNodesItem many[5];
    for (int i = 0; i < 5; i++)
        many[i] = object_item(1200 + (uint32_t)i, 0, "M");
    ug_AddNodesRequest req = {.nodes_to_add = many, .nodes_to_add_len = 0};
    ug_AddNodesResponse resp;
    CU_ASSERT_EQUAL(run(ug_svc_add_nodes, &req, &resp), UG_STATUS_BADNOTHINGTODO);
    req.nodes_to_add_len = 5;
    CU_ASSERT_EQUAL(run(ug_svc_add_nodes, &req, &resp), UG_STATUS_BADTOOMANYOPERATIONS);
}

static ug_status ref_op(bool add, uint32_t src, uint32_t type, uint32_t dst, bool forward,
                        int32_t target_class, const char *server_uri)
{
    ug_status st;
    if (add) {
        ug_AddReferencesItem it;
        memset(&it, 0, sizeof it);
        it.source_node_id = ns1(src);
        it.reference_type_id = ns0(type);
        it.is_forward = forward;
        it.target_server_uri = server_uri ? ug_string_from(server_uri) : (ug_string){NULL, -1};
        it.target_node_id = x(ns1(dst));
        it.target_node_class = target_class;
        ug_AddReferencesRequest req = {.references_to_add = &it, .references_to_add_len = 1};
        ug_AddReferencesResponse resp;
        memset(&resp, 0, sizeof resp);
        CU_ASSERT_EQUAL_FATAL(run(ug_svc_add_references, &req, &resp), UG_STATUS_GOOD);
        CU_ASSERT_EQUAL_FATAL(resp.results_len, 1);
        st = resp.results[0];
    } else {
        ug_DeleteReferencesItem it;
        memset(&it, 0, sizeof it);
        it.source_node_id = ns1(src);
        it.reference_type_id = ns0(type);
        it.is_forward = forward;
        it.target_node_id = x(ns1(dst));
        it.delete_bidirectional = true;
        ug_DeleteReferencesRequest req = {.references_to_delete = &it,
                                          .references_to_delete_len = 1};
        ug_DeleteReferencesResponse resp;
        memset(&resp, 0, sizeof resp);
        CU_ASSERT_EQUAL_FATAL(run(ug_svc_delete_references, &req, &resp), UG_STATUS_GOOD);
        CU_ASSERT_EQUAL_FATAL(resp.results_len, 1);
        st = resp.results[0];
    }
    return st;
}

static void test_references(void)
{
    /* 1000 Pump, 1002 ByUri exist. */
    CU_ASSERT_EQUAL(ref_op(true, 1000, 35, 1002, true, 0, NULL), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ref_op(true, 1000, 35, 1002, true, 0, NULL),
                    UG_STATUS_BADDUPLICATEREFERENCENOTALLOWED);
    CU_ASSERT_EQUAL(ref_op(true, 4444, 35, 1002, true, 0, NULL), UG_STATUS_BADSOURCENODEIDINVALID);
    CU_ASSERT_EQUAL(ref_op(true, 1000, 35, 4444, true, 0, NULL), UG_STATUS_BADTARGETNODEIDINVALID);
    CU_ASSERT_EQUAL(ref_op(true, 1000, 4444, 1002, true, 0, NULL),
                    UG_STATUS_BADREFERENCETYPEIDINVALID);
    CU_ASSERT_EQUAL(ref_op(true, 1000, 46, 1002, true, UG_NODE_CLASS_VARIABLE, NULL),
                    UG_STATUS_BADNODECLASSINVALID);
    CU_ASSERT_EQUAL(ref_op(true, 1000, 46, 1002, true, 0, "urn:other:server"),
                    UG_STATUS_BADSERVERURIINVALID);
    /* Inverse form: 1002 <-HasComponent- 1000 is a new reference. */
    CU_ASSERT_EQUAL(ref_op(true, 1002, 47, 1000, false, UG_NODE_CLASS_OBJECT, NULL),
                    UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ref_op(false, 1000, 35, 1002, true, 0, NULL), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ref_op(false, 1000, 35, 1002, true, 0, NULL), UG_STATUS_BADNOTFOUND);
    CU_ASSERT_EQUAL(ref_op(false, 4444, 35, 1002, true, 0, NULL), UG_STATUS_BADSOURCENODEIDINVALID);
}

static ug_status delete_one(uint32_t id)
{
    ug_DeleteNodesItem it = {.node_id = ns1(id), .delete_target_references = true};
    ug_DeleteNodesRequest req = {.nodes_to_delete = &it, .nodes_to_delete_len = 1};
    ug_DeleteNodesResponse resp;
    memset(&resp, 0, sizeof resp);
    CU_ASSERT_EQUAL_FATAL(run(ug_svc_delete_nodes, &req, &resp), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(resp.results_len, 1);
    return resp.results[0];
}

static void test_delete_nodes(void)
{
    ug_nodeid vid = ns1(1001);
    CU_ASSERT_PTR_NOT_NULL(ug_nodes_value(ug_server_aspace(srv), &vid));
    CU_ASSERT_EQUAL(delete_one(1001), UG_STATUS_GOOD);
    CU_ASSERT_PTR_NULL(ug_nodes_value(ug_server_aspace(srv), &vid));
    CU_ASSERT_EQUAL(delete_one(1001), UG_STATUS_BADNODEIDUNKNOWN);
    /* The reference to a deleted node is gone with it. */
    CU_ASSERT_EQUAL(ref_op(false, 1002, 47, 1000, false, 0, NULL), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(delete_one(1000), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ref_op(true, 1002, 35, 1000, true, 0, NULL), UG_STATUS_BADTARGETNODEIDINVALID);
    ug_DeleteNodesRequest req = {.nodes_to_delete_len = 0};
    ug_DeleteNodesResponse resp;
    CU_ASSERT_EQUAL(run(ug_svc_delete_nodes, &req, &resp), UG_STATUS_BADNOTHINGTODO);
    ug_DeleteReferencesRequest dr = {.references_to_delete_len = 9};
    ug_DeleteReferencesResponse drr;
    CU_ASSERT_EQUAL(run(ug_svc_delete_references, &dr, &drr), UG_STATUS_BADTOOMANYOPERATIONS);
    ug_AddReferencesRequest ar = {.references_to_add_len = 0};
    ug_AddReferencesResponse arr;
    CU_ASSERT_EQUAL(run(ug_svc_add_references, &ar, &arr), UG_STATUS_BADNOTHINGTODO);
}

static void test_access(void)
{
    /* Default configuration: anonymous sessions may not change anything. */
    CU_ASSERT_EQUAL_FATAL(make(false, true), UG_STATUS_GOOD);
    ug_AddNodesItem it = object_item(1300, 0, "Nope");
    CU_ASSERT_EQUAL(add_one(&it, NULL), UG_STATUS_BADUSERACCESSDENIED);
    CU_ASSERT_EQUAL(delete_one(85 /* any */), UG_STATUS_BADUSERACCESSDENIED);
    CU_ASSERT_EQUAL(ref_op(true, 1, 35, 2, true, 0, NULL), UG_STATUS_BADUSERACCESSDENIED);
    CU_ASSERT_EQUAL(ref_op(false, 1, 35, 2, true, 0, NULL), UG_STATUS_BADUSERACCESSDENIED);
    /* Switched off: nobody. */
    CU_ASSERT_EQUAL_FATAL(make(true, false), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(add_one(&it, NULL), UG_STATUS_BADUSERACCESSDENIED);
}

static void test_cleanup(void)
{
    ug_server_free(srv);
    srv = NULL;
    ug_arena_free(&arena);
    CU_ASSERT_EQUAL(ug_loop_close(loop, -1), UG_STATUS_GOOD);
}

static CU_TestInfo tests[] = {
    {"add object and variable", test_add_object_and_variable},
    {"add refusals", test_add_refusals},
    {"references", test_references},
    {"delete nodes", test_delete_nodes},
    {"access", test_access},
    {"cleanup", test_cleanup},
    CU_TEST_INFO_NULL,
};

int main(void)
{
    if (suite_init() != 0)
        return 1;
    return ug_test_main("svc_nodemgmt", tests);
}
