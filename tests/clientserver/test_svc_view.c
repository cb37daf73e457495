/* The View services (clientserver/svc_view.c): Browse with direction,
 * reference type filters, node class and result masks, continuation points
 * and BrowseNext paging, TranslateBrowsePathsToNodeIds against namespace 0,
 * RegisterNodes/UnregisterNodes, and every Bad status they return. The
 * services run without a server or session (ctx->server NULL: default
 * limits; ctx->session NULL: the aspace's own continuation-point store). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../clientserver/aspace_int.h"
#include "harness.h"
#include "uagate/nodes.h"

static ug_aspace *as;
static ug_arena arena;
static struct ug_svc_ctx ctx;

static ug_nodeid ns0(uint32_t i) { return (ug_nodeid){.id.numeric = i}; }
static ug_qualified_name qn0(const char *s) { return (ug_qualified_name){0, ug_string_from(s)}; }

static void setup(void)
{
    CU_ASSERT_EQUAL_FATAL(ug_aspace_new(NULL, &as), UG_STATUS_GOOD);
    ug_arena_init(&arena, NULL, 0, true);
    memset(&ctx, 0, sizeof ctx);
    ctx.aspace = as;
    ctx.arena = &arena;
}

static void teardown(void)
{
    ug_aspace_free(as);
    ug_arena_free(&arena);
    as = NULL;
}

static bool reduced(void) { return ug_aspace_node_count(as) < 1000; }

static ug_BrowseDescription bdesc(ug_nodeid id, int32_t dir, uint32_t ref, bool sub)
{
    ug_BrowseDescription d;
    memset(&d, 0, sizeof d);
    d.node_id = id;
    d.browse_direction = dir;
    d.reference_type_id = ns0(ref);
    d.include_subtypes = sub;
    d.result_mask = UG_BROWSE_RESULT_MASK_ALL;
    return d;
}

static ug_status browse(ug_BrowseDescription *d, int32_t n, uint32_t max, ug_BrowseResponse *resp)
{
    ug_BrowseRequest req;
    memset(&req, 0, sizeof req);
    req.requested_max_references_per_node = max;
    req.nodes_to_browse_len = n;
    req.nodes_to_browse = d;
    memset(resp, 0, sizeof *resp);
    return ug_svc_browse(&ctx, &req, resp);
}

static ug_status browse_next(ug_string *cps, int32_t n, bool release, ug_BrowseNextResponse *resp)
{
    ug_BrowseNextRequest req;
    memset(&req, 0, sizeof req);
    req.release_continuation_points = release;
    req.continuation_points_len = n;
    req.continuation_points = cps;
    memset(resp, 0, sizeof *resp);
    return ug_svc_browse_next(&ctx, &req, resp);
}

static const ug_ReferenceDescription *find(const ug_BrowseResult *r, uint32_t id)
{
    for (int32_t i = 0; i < r->references_len; i++)
        if (r->references[i].node_id.node.ns == 0 && r->references[i].node_id.node.id.numeric == id)
            return &r->references[i];
    return NULL;
}

/* --------------------------------------------------------------- Browse -- */

static void test_browse_objects(void)
{
    setup();
    ug_BrowseDescription d = bdesc(ns0(UG_ID_OBJECTSFOLDER), UG_BROWSE_FORWARD,
                                   UG_ID_HIERARCHICALREFERENCES, true);
    ug_BrowseResponse resp;
    CU_ASSERT_EQUAL_FATAL(browse(&d, 1, 0, &resp), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(resp.results_len, 1);
    const ug_BrowseResult *r = &resp.results[0];
    CU_ASSERT_EQUAL(r->status_code, UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(r->continuation_point.len, -1);
    const ug_ReferenceDescription *srv = find(r, UG_ID_SERVER);
    CU_ASSERT_PTR_NOT_NULL_FATAL(srv);
    CU_ASSERT_EQUAL(srv->reference_type_id.id.numeric, UG_ID_ORGANIZES);
    CU_ASSERT(srv->is_forward);
    CU_ASSERT_EQUAL(srv->node_class, UG_NC_OBJECT);
    CU_ASSERT(ug_bytes_eq(srv->browse_name.name, ug_string_from("Server")));
    CU_ASSERT(ug_bytes_eq(srv->display_name.text, ug_string_from("Server")));
    CU_ASSERT_EQUAL(srv->type_definition.node.id.numeric, 2004);
    /* HasTypeDefinition is not hierarchical: FolderType is not listed */
    CU_ASSERT_PTR_NULL(find(r, UG_ID_FOLDERTYPE));
    /* all references, both ways: the type definition and the Root parent */
    d = bdesc(ns0(UG_ID_OBJECTSFOLDER), UG_BROWSE_BOTH, 0, false);
    CU_ASSERT_EQUAL(browse(&d, 1, 0, &resp), UG_STATUS_GOOD);
    r = &resp.results[0];
    CU_ASSERT_PTR_NOT_NULL(find(r, UG_ID_FOLDERTYPE));
    const ug_ReferenceDescription *root = find(r, UG_ID_ROOTFOLDER);
    CU_ASSERT_PTR_NOT_NULL_FATAL(root);
    CU_ASSERT(!root->is_forward);
    CU_ASSERT_PTR_NOT_NULL(find(r, UG_ID_SERVER));
    /* inverse only */
    d = bdesc(ns0(UG_ID_OBJECTSFOLDER), UG_BROWSE_INVERSE, 0, false);
    CU_ASSERT_EQUAL(browse(&d, 1, 0, &resp), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(resp.results[0].references_len, 1);
    CU_ASSERT_PTR_NOT_NULL(find(&resp.results[0], UG_ID_ROOTFOLDER));
    /* exact type without subtypes: HierarchicalReferences itself matches nothing */
    d = bdesc(ns0(UG_ID_OBJECTSFOLDER), UG_BROWSE_FORWARD, UG_ID_HIERARCHICALREFERENCES, false);
    CU_ASSERT_EQUAL(browse(&d, 1, 0, &resp), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(resp.results[0].references_len, 0);
    /* node class mask: variables only under Server */
    d = bdesc(ns0(UG_ID_SERVER), UG_BROWSE_FORWARD, UG_ID_HIERARCHICALREFERENCES, true);
    d.node_class_mask = UG_NC_VARIABLE;
    CU_ASSERT_EQUAL(browse(&d, 1, 0, &resp), UG_STATUS_GOOD);
    r = &resp.results[0];
    CU_ASSERT(r->references_len >= 3); /* ServerArray, NamespaceArray, ServerStatus ... */
    for (int32_t i = 0; i < r->references_len; i++)
        CU_ASSERT_EQUAL(r->references[i].node_class, UG_NC_VARIABLE);
    CU_ASSERT_PTR_NOT_NULL(find(r, 2256));
    /* result mask: only the browse name */
    d = bdesc(ns0(UG_ID_OBJECTSFOLDER), UG_BROWSE_FORWARD, UG_ID_ORGANIZES, false);
    d.result_mask = UG_BROWSE_RESULT_MASK_BROWSE_NAME;
    CU_ASSERT_EQUAL(browse(&d, 1, 0, &resp), UG_STATUS_GOOD);
    srv = find(&resp.results[0], UG_ID_SERVER);
    CU_ASSERT_PTR_NOT_NULL_FATAL(srv);
    CU_ASSERT(ug_bytes_eq(srv->browse_name.name, ug_string_from("Server")));
    CU_ASSERT_EQUAL(srv->display_name.text.len <= 0, true);
    CU_ASSERT_EQUAL(srv->node_class, 0);
    CU_ASSERT_EQUAL(srv->reference_type_id.id.numeric, 0);
    CU_ASSERT_EQUAL(srv->type_definition.node.id.numeric, 0);
    /* the response encodes and decodes back the same (absent fields null) */
    uint8_t *buf = malloc(1 << 16);
    size_t len = 0;
    CU_ASSERT_EQUAL_FATAL(ug_struct_encode(buf, 1 << 16, &ug_desc_BrowseResponse, &resp, &len),
                          UG_STATUS_GOOD);
    ug_BrowseResponse back;
    ug_arena dec;
    ug_arena_init(&dec, NULL, 0, true);
    CU_ASSERT_EQUAL_FATAL(ug_struct_decode(buf, len, &ug_desc_BrowseResponse, &back, NULL, &dec),
                          UG_STATUS_GOOD);
    const ug_ReferenceDescription *b2 = find(&back.results[0], UG_ID_SERVER);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b2);
    CU_ASSERT_EQUAL(b2->node_id.namespace_uri.len, -1);
    CU_ASSERT_EQUAL(b2->display_name.text.len, -1);
    CU_ASSERT(ug_bytes_eq(b2->browse_name.name, ug_string_from("Server")));
    ug_arena_free(&dec);
    free(buf);
    teardown();
}

static void test_browse_statuses(void)
{
    setup();
    ug_BrowseResponse resp;
    CU_ASSERT_EQUAL(browse(NULL, 0, 0, &resp), UG_STATUS_BADNOTHINGTODO);
    ug_BrowseDescription *many = calloc(1001, sizeof *many);
    CU_ASSERT_EQUAL(browse(many, 1001, 0, &resp), UG_STATUS_BADTOOMANYOPERATIONS);
    free(many);
    ug_BrowseDescription d[4];
    d[0] = bdesc((ug_nodeid){.ns = 1, .id.numeric = 42}, UG_BROWSE_FORWARD, 0, false);
    d[1] = bdesc(ns0(UG_ID_OBJECTSFOLDER), 3, 0, false);
    d[2] = bdesc(ns0(UG_ID_OBJECTSFOLDER), UG_BROWSE_FORWARD, UG_ID_SERVER, false);
    d[3] = bdesc(ns0(UG_ID_OBJECTSFOLDER), UG_BROWSE_FORWARD, 999999, false);
    CU_ASSERT_EQUAL(browse(d, 4, 0, &resp), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(resp.results[0].status_code, UG_STATUS_BADNODEIDUNKNOWN);
    CU_ASSERT_EQUAL(resp.results[1].status_code, UG_STATUS_BADBROWSEDIRECTIONINVALID);
    CU_ASSERT_EQUAL(resp.results[2].status_code, UG_STATUS_BADREFERENCETYPEIDINVALID);
    CU_ASSERT_EQUAL(resp.results[3].status_code, UG_STATUS_BADREFERENCETYPEIDINVALID);
    d[1].browse_direction = -1;
    CU_ASSERT_EQUAL(browse(d, 2, 0, &resp), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(resp.results[1].status_code, UG_STATUS_BADBROWSEDIRECTIONINVALID);
    /* views: an id that is not a View node */
    ug_BrowseRequest req;
    memset(&req, 0, sizeof req);
    req.view.view_id = ns0(UG_ID_OBJECTSFOLDER);
    req.nodes_to_browse_len = 1;
    req.nodes_to_browse = d;
    CU_ASSERT_EQUAL(ug_svc_browse(&ctx, &req, &resp), UG_STATUS_BADVIEWIDUNKNOWN);
    req.view.view_id = (ug_nodeid){.ns = 1, .id.numeric = 77};
    CU_ASSERT_EQUAL(ug_svc_browse(&ctx, &req, &resp), UG_STATUS_BADVIEWIDUNKNOWN);
    struct ug_add_node v = {0};
    v.requested_id = (ug_nodeid){.ns = 1, .id.numeric = 77};
    v.parent_id = ns0(UG_ID_VIEWSFOLDER);
    v.reference_type_id = ns0(UG_ID_ORGANIZES);
    v.browse_name = (ug_qualified_name){1, ug_string_from("V")};
    v.node_class = UG_NC_VIEW;
    CU_ASSERT_EQUAL_FATAL(ug_aspace_add_node(as, &v, NULL), UG_STATUS_GOOD);
    req.nodes_to_browse = &d[2];
    d[2] = bdesc(ns0(UG_ID_VIEWSFOLDER), UG_BROWSE_FORWARD, 0, false);
    CU_ASSERT_EQUAL(ug_svc_browse(&ctx, &req, &resp), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(resp.results[0].references_len >= 1, true);
    teardown();
}

/* BaseDataType has many HasSubtype children: page through them 3 at a time. */
static void test_browse_next_paging(void)
{
    setup();
    ug_BrowseDescription d = bdesc(ns0(UG_ID_BASEDATATYPE), UG_BROWSE_FORWARD, UG_ID_HASSUBTYPE, false);
    ug_BrowseResponse all;
    CU_ASSERT_EQUAL_FATAL(browse(&d, 1, 0, &all), UG_STATUS_GOOD);
    int32_t total = all.results[0].references_len;
    CU_ASSERT(total > 10);
    ug_BrowseResponse resp;
    CU_ASSERT_EQUAL_FATAL(browse(&d, 1, 3, &resp), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(resp.results[0].references_len, 3);
    CU_ASSERT_EQUAL_FATAL(resp.results[0].continuation_point.len, 8);
    int32_t seen = 3, rounds = 0;
    for (int32_t i = 0; i < 3; i++)
        CU_ASSERT(ug_nodeid_eq(&resp.results[0].references[i].node_id.node,
                               &all.results[0].references[i].node_id.node));
    ug_string cp = resp.results[0].continuation_point;
    while (cp.len == 8 && rounds++ < 100) {
        ug_BrowseNextResponse next;
        CU_ASSERT_EQUAL_FATAL(browse_next(&cp, 1, false, &next), UG_STATUS_GOOD);
        const ug_BrowseResult *r = &next.results[0];
        CU_ASSERT_EQUAL(r->status_code, UG_STATUS_GOOD);
        CU_ASSERT(r->references_len >= 1 && r->references_len <= 3);
        for (int32_t i = 0; i < r->references_len; i++)
            CU_ASSERT(ug_nodeid_eq(&r->references[i].node_id.node,
                                   &all.results[0].references[seen + i].node_id.node));
        seen += r->references_len;
        cp = r->continuation_point;
    }
    CU_ASSERT_EQUAL(seen, total);
    CU_ASSERT_EQUAL(cp.len, -1);
    /* the finished point was released: using it again is invalid */
    ug_string old = resp.results[0].continuation_point;
    ug_BrowseNextResponse next;
    CU_ASSERT_EQUAL(browse_next(&old, 1, false, &next), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(next.results[0].status_code, UG_STATUS_BADCONTINUATIONPOINTINVALID);
    /* release: Good, no references, then invalid */
    CU_ASSERT_EQUAL_FATAL(browse(&d, 1, 2, &resp), UG_STATUS_GOOD);
    cp = resp.results[0].continuation_point;
    CU_ASSERT_EQUAL(browse_next(&cp, 1, true, &next), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(next.results[0].status_code, UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(next.results[0].references_len, 0);
    CU_ASSERT_EQUAL(browse_next(&cp, 1, true, &next), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(next.results[0].status_code, UG_STATUS_BADCONTINUATIONPOINTINVALID);
    /* garbage points, request checks */
    uint8_t junk[3] = {1, 2, 3};
    ug_string bad[2] = {{junk, 3}, UG_NULL_BYTES};
    CU_ASSERT_EQUAL(browse_next(bad, 2, false, &next), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(next.results[0].status_code, UG_STATUS_BADCONTINUATIONPOINTINVALID);
    CU_ASSERT_EQUAL(next.results[1].status_code, UG_STATUS_BADCONTINUATIONPOINTINVALID);
    CU_ASSERT_EQUAL(browse_next(NULL, 0, false, &next), UG_STATUS_BADNOTHINGTODO);
    ug_string *many = calloc(1001, sizeof *many);
    CU_ASSERT_EQUAL(browse_next(many, 1001, false, &next), UG_STATUS_BADTOOMANYOPERATIONS);
    free(many);
    /* the per-session limit (16 by default): the 17th point is refused */
    for (int i = 0; i < 16; i++) {
        CU_ASSERT_EQUAL(browse(&d, 1, 1, &resp), UG_STATUS_GOOD);
        CU_ASSERT_EQUAL(resp.results[0].status_code, UG_STATUS_GOOD);
    }
    CU_ASSERT_EQUAL(browse(&d, 1, 1, &resp), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(resp.results[0].status_code, UG_STATUS_BADNOCONTINUATIONPOINTS);
    CU_ASSERT_EQUAL(resp.results[0].references_len, 0);
    teardown();
}

/* A continuation point whose node or reference type disappears. */
static void test_browse_next_node_gone(void)
{
    setup();
    struct ug_nodes_object o = {0};
    o.c.requested_id = (ug_nodeid){.ns = 1, .id.numeric = 10};
    o.c.parent_id = ns0(UG_ID_OBJECTSFOLDER);
    o.c.browse_name = (ug_qualified_name){1, ug_string_from("P")};
    CU_ASSERT_EQUAL_FATAL(ug_nodes_add_object(as, &o, NULL), UG_STATUS_GOOD);
    for (uint32_t i = 0; i < 3; i++) {
        char name[8] = {'c', (char)('0' + i), 0};
        struct ug_nodes_object c = {0};
        c.c.requested_id = (ug_nodeid){.ns = 1, .id.numeric = 20 + i};
        c.c.parent_id = o.c.requested_id;
        c.c.browse_name = (ug_qualified_name){1, ug_string_from(name)};
        CU_ASSERT_EQUAL_FATAL(ug_nodes_add_object(as, &c, NULL), UG_STATUS_GOOD);
    }
    ug_BrowseDescription d = bdesc(o.c.requested_id, UG_BROWSE_FORWARD, UG_ID_HASCOMPONENT, false);
    ug_BrowseResponse resp;
    CU_ASSERT_EQUAL_FATAL(browse(&d, 1, 1, &resp), UG_STATUS_GOOD);
    ug_string cp = resp.results[0].continuation_point;
    CU_ASSERT_EQUAL_FATAL(cp.len, 8);
    CU_ASSERT_EQUAL(ug_nodes_delete(as, &o.c.requested_id, false), UG_STATUS_GOOD);
    ug_BrowseNextResponse next;
    CU_ASSERT_EQUAL(browse_next(&cp, 1, false, &next), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(next.results[0].status_code, UG_STATUS_BADNODEIDUNKNOWN);
    CU_ASSERT_EQUAL(browse_next(&cp, 1, false, &next), UG_STATUS_GOOD); /* released */
    CU_ASSERT_EQUAL(next.results[0].status_code, UG_STATUS_BADCONTINUATIONPOINTINVALID);
    /* a reference type of ns 1 deleted in between */
    struct ug_add_node rt = {0};
    rt.requested_id = (ug_nodeid){.ns = 1, .id.numeric = 30};
    rt.parent_id = ns0(UG_ID_HASCOMPONENT);
    rt.reference_type_id = ns0(UG_ID_HASSUBTYPE);
    rt.browse_name = (ug_qualified_name){1, ug_string_from("HasPart")};
    rt.node_class = UG_NC_REFERENCETYPE;
    CU_ASSERT_EQUAL_FATAL(ug_aspace_add_node(as, &rt, NULL), UG_STATUS_GOOD);
    d = bdesc(ns0(UG_ID_SERVER), UG_BROWSE_FORWARD, 0, false);
    d.reference_type_id = rt.requested_id;
    d.include_subtypes = true;
    CU_ASSERT_EQUAL_FATAL(browse(&d, 1, 1, &resp), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(resp.results[0].references_len, 0); /* nothing of that type */
    d = bdesc(ns0(UG_ID_SERVER), UG_BROWSE_FORWARD, UG_ID_HASCOMPONENT, true);
    CU_ASSERT_EQUAL_FATAL(browse(&d, 1, 1, &resp), UG_STATUS_GOOD);
    cp = resp.results[0].continuation_point;
    CU_ASSERT_EQUAL_FATAL(cp.len, 8);
    ug_nodeid hc = ns0(UG_ID_HASCOMPONENT);
    CU_ASSERT_EQUAL(ug_aspace_delete_node(as, &hc, false), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(browse_next(&cp, 1, false, &next), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(next.results[0].status_code, UG_STATUS_BADREFERENCETYPEIDINVALID);
    teardown();
}

/* ------------------------------------------------------------ Translate -- */

static ug_status translate(const char *const *path, int n, uint32_t start, ug_BrowsePathResult *out)
{
    ug_RelativePathElement el[8];
    memset(el, 0, sizeof el);
    for (int i = 0; i < n; i++) {
        el[i].reference_type_id = ns0(UG_ID_HIERARCHICALREFERENCES);
        el[i].include_subtypes = true;
        el[i].target_name = qn0(path[i]);
    }
    ug_BrowsePath bp;
    memset(&bp, 0, sizeof bp);
    bp.starting_node = ns0(start);
    bp.relative_path.elements = el;
    bp.relative_path.elements_len = n;
    ug_TranslateBrowsePathsToNodeIdsRequest req;
    memset(&req, 0, sizeof req);
    req.browse_paths = &bp;
    req.browse_paths_len = 1;
    ug_TranslateBrowsePathsToNodeIdsResponse resp;
    memset(&resp, 0, sizeof resp);
    ug_status st = ug_svc_translate(&ctx, &req, &resp);
    CU_ASSERT_EQUAL_FATAL(st, UG_STATUS_GOOD);
    *out = resp.results[0];
    return out->status_code;
}

static void test_translate(void)
{
    setup();
    ug_BrowsePathResult r;
    static const char *const p1[] = {"Objects", "Server", "ServerStatus", "CurrentTime"};
    CU_ASSERT_EQUAL(translate(p1, 4, UG_ID_ROOTFOLDER, &r), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(r.targets_len, 1);
    CU_ASSERT_EQUAL(r.targets[0].target_id.node.id.numeric, 2258);
    CU_ASSERT_EQUAL(r.targets[0].remaining_path_index, UINT32_MAX);
    static const char *const p2[] = {"Server", "ServerCapabilities", "OperationLimits",
                                     "MaxNodesPerRead"};
    CU_ASSERT_EQUAL(translate(p2, 4, UG_ID_OBJECTSFOLDER, &r), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(r.targets[0].target_id.node.id.numeric, 11705);
    static const char *const p3[] = {"Server", "NoSuchThing"};
    CU_ASSERT_EQUAL(translate(p3, 2, UG_ID_OBJECTSFOLDER, &r), UG_STATUS_BADNOMATCH);
    static const char *const p4[] = {"Server", ""};
    CU_ASSERT_EQUAL(translate(p4, 2, UG_ID_OBJECTSFOLDER, &r), UG_STATUS_BADBROWSENAMEINVALID);
    CU_ASSERT_EQUAL(translate(p1, 0, UG_ID_ROOTFOLDER, &r), UG_STATUS_BADNOTHINGTODO);
    CU_ASSERT_EQUAL(translate(p1, 1, 999999, &r), UG_STATUS_BADNODEIDUNKNOWN);
    CU_ASSERT_EQUAL(translate(p1, 1, 0, &r), UG_STATUS_BADNODEIDINVALID);
    /* inverse: from CurrentTime up to ServerStatus */
    ug_RelativePathElement el;
    memset(&el, 0, sizeof el);
    el.reference_type_id = ns0(UG_ID_HASCOMPONENT);
    el.is_inverse = true;
    el.target_name = qn0("ServerStatus");
    ug_BrowsePath bp[3];
    memset(bp, 0, sizeof bp);
    bp[0].starting_node = ns0(2258);
    bp[0].relative_path.elements = &el;
    bp[0].relative_path.elements_len = 1;
    /* a reference type that is not one, and one with no reference (no subtypes) */
    ug_RelativePathElement el2 = el;
    el2.reference_type_id = ns0(UG_ID_SERVER);
    bp[1] = bp[0];
    bp[1].relative_path.elements = &el2;
    ug_RelativePathElement el3 = el;
    el3.reference_type_id = ns0(UG_ID_AGGREGATES);
    el3.include_subtypes = false;
    bp[2] = bp[0];
    bp[2].relative_path.elements = &el3;
    ug_TranslateBrowsePathsToNodeIdsRequest req;
    memset(&req, 0, sizeof req);
    req.browse_paths = bp;
    req.browse_paths_len = 3;
    ug_TranslateBrowsePathsToNodeIdsResponse resp;
    CU_ASSERT_EQUAL(ug_svc_translate(&ctx, &req, &resp), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(resp.results[0].status_code, UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(resp.results[0].targets[0].target_id.node.id.numeric, 2256);
    CU_ASSERT_EQUAL(resp.results[1].status_code, UG_STATUS_BADNOMATCH);
    CU_ASSERT_EQUAL(resp.results[2].status_code, UG_STATUS_BADNOMATCH);
    /* a null reference type follows every reference */
    el.reference_type_id = ns0(0);
    req.browse_paths_len = 1;
    CU_ASSERT_EQUAL(ug_svc_translate(&ctx, &req, &resp), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(resp.results[0].status_code, UG_STATUS_GOOD);
    /* request checks */
    req.browse_paths_len = 0;
    CU_ASSERT_EQUAL(ug_svc_translate(&ctx, &req, &resp), UG_STATUS_BADNOTHINGTODO);
    req.browse_paths_len = 1001;
    CU_ASSERT_EQUAL(ug_svc_translate(&ctx, &req, &resp), UG_STATUS_BADTOOMANYOPERATIONS);
    /* several matches: two objects with the same browse name under two parents */
    if (!reduced()) {
        /* EnumStrings exists under many enumeration types: from BaseDataType,
         * "Enumeration"/"<type>"/EnumStrings has one target per path, so
         * use a path with fan-out: Types -> DataTypes -> BaseDataType */
        static const char *const p5[] = {"Types", "DataTypes", "BaseDataType"};
        CU_ASSERT_EQUAL(translate(p5, 3, UG_ID_ROOTFOLDER, &r), UG_STATUS_GOOD);
        CU_ASSERT_EQUAL(r.targets[0].target_id.node.id.numeric, UG_ID_BASEDATATYPE);
    }
    /* more matches than a path may fan out to: one hub organising 257
     * objects named X (under distinct parents) */
    struct ug_nodes_object hub = {0};
    hub.c.requested_id = (ug_nodeid){.ns = 1, .id.numeric = 9000};
    hub.c.parent_id = ns0(UG_ID_OBJECTSFOLDER);
    hub.c.browse_name = (ug_qualified_name){1, ug_string_from("Hub")};
    CU_ASSERT_EQUAL_FATAL(ug_nodes_add_object(as, &hub, NULL), UG_STATUS_GOOD);
    ug_nodeid org = ns0(UG_ID_ORGANIZES);
    for (uint32_t i = 0; i < 257; i++) {
        char pname[16];
        snprintf(pname, sizeof pname, "P%u", i);
        struct ug_nodes_object p = {0};
        p.c.requested_id = (ug_nodeid){.ns = 1, .id.numeric = 10000 + i};
        p.c.parent_id = ns0(UG_ID_OBJECTSFOLDER);
        p.c.browse_name = (ug_qualified_name){1, ug_string_from(pname)};
        CU_ASSERT_EQUAL_FATAL(ug_nodes_add_object(as, &p, NULL), UG_STATUS_GOOD);
        struct ug_nodes_object xo = {0};
        xo.c.requested_id = (ug_nodeid){.ns = 1, .id.numeric = 20000 + i};
        xo.c.parent_id = p.c.requested_id;
        xo.c.browse_name = (ug_qualified_name){1, ug_string_from("X")};
        CU_ASSERT_EQUAL_FATAL(ug_nodes_add_object(as, &xo, NULL), UG_STATUS_GOOD);
        CU_ASSERT_EQUAL_FATAL(ug_aspace_add_ref(as, &hub.c.requested_id, &org, &xo.c.requested_id, true),
                              UG_STATUS_GOOD);
    }
    ug_RelativePathElement fan;
    memset(&fan, 0, sizeof fan);
    fan.reference_type_id = org;
    fan.target_name = (ug_qualified_name){1, ug_string_from("X")};
    bp[0].starting_node = hub.c.requested_id;
    bp[0].relative_path.elements = &fan;
    bp[0].relative_path.elements_len = 1;
    req.browse_paths_len = 1;
    CU_ASSERT_EQUAL(ug_svc_translate(&ctx, &req, &resp), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(resp.results[0].status_code, UG_STATUS_BADTOOMANYMATCHES);
    ug_nodeid last = {.ns = 1, .id.numeric = 20256};
    CU_ASSERT_EQUAL(ug_nodes_delete(as, &last, false), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_svc_translate(&ctx, &req, &resp), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(resp.results[0].status_code, UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(resp.results[0].targets_len, 256);

    ug_nodeid a = {.ns = 1, .id.numeric = 1}, b = {.ns = 1, .id.numeric = 2};
    struct ug_nodes_object o = {0};
    o.c.requested_id = a;
    o.c.parent_id = ns0(UG_ID_OBJECTSFOLDER);
    o.c.browse_name = (ug_qualified_name){1, ug_string_from("A")};
    CU_ASSERT_EQUAL_FATAL(ug_nodes_add_object(as, &o, NULL), UG_STATUS_GOOD);
    o.c.requested_id = b;
    o.c.browse_name = (ug_qualified_name){1, ug_string_from("B")};
    CU_ASSERT_EQUAL_FATAL(ug_nodes_add_object(as, &o, NULL), UG_STATUS_GOOD);
    struct ug_nodes_object x = {0};
    x.c.requested_id = (ug_nodeid){.ns = 1, .id.numeric = 3};
    x.c.parent_id = a;
    x.c.browse_name = (ug_qualified_name){1, ug_string_from("X")};
    CU_ASSERT_EQUAL_FATAL(ug_nodes_add_object(as, &x, NULL), UG_STATUS_GOOD);
    x.c.requested_id = (ug_nodeid){.ns = 1, .id.numeric = 4};
    x.c.parent_id = b;
    CU_ASSERT_EQUAL_FATAL(ug_nodes_add_object(as, &x, NULL), UG_STATUS_GOOD);
    /* Objects -(Organizes, inverse)-> Root? no: Objects/A/X and Objects/B/X
     * share no path; reach both X from the two parents by going up and down */
    ug_RelativePathElement up = {0}, down = {0}, down2 = {0};
    up.reference_type_id = ns0(UG_ID_HASCOMPONENT);
    up.is_inverse = true;
    up.target_name = (ug_qualified_name){1, ug_string_from("A")};
    down.reference_type_id = ns0(UG_ID_ORGANIZES);
    down.is_inverse = true;
    down.target_name = qn0("Objects");
    down2.reference_type_id = ns0(UG_ID_HIERARCHICALREFERENCES);
    down2.include_subtypes = true;
    down2.target_name = (ug_qualified_name){1, ug_string_from("B")};
    ug_RelativePathElement path[4] = {up, down, down2, down2};
    memset(&path[3], 0, sizeof path[3]);
    path[3].reference_type_id = ns0(UG_ID_HASCOMPONENT);
    path[3].target_name = (ug_qualified_name){1, ug_string_from("X")};
    bp[0].starting_node = (ug_nodeid){.ns = 1, .id.numeric = 3};
    bp[0].relative_path.elements = path;
    bp[0].relative_path.elements_len = 4;
    req.browse_paths_len = 1;
    CU_ASSERT_EQUAL(ug_svc_translate(&ctx, &req, &resp), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(resp.results[0].status_code, UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(resp.results[0].targets_len, 1);
    CU_ASSERT_EQUAL(resp.results[0].targets[0].target_id.node.id.numeric, 4);
    teardown();
}

/* ---------------------------------------------------- Register/Unregister -- */

static void test_register(void)
{
    setup();
    ug_nodeid ids[2] = {ns0(UG_ID_SERVER), {.ns = 3, .id.numeric = 99}}; /* not resolved */
    ug_RegisterNodesRequest req;
    memset(&req, 0, sizeof req);
    req.nodes_to_register = ids;
    req.nodes_to_register_len = 2;
    ug_RegisterNodesResponse resp;
    memset(&resp, 0, sizeof resp);
    CU_ASSERT_EQUAL(ug_svc_register_nodes(&ctx, &req, &resp), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(resp.registered_node_ids_len, 2);
    CU_ASSERT(ug_nodeid_eq(&resp.registered_node_ids[0], &ids[0]));
    ug_UnregisterNodesRequest ureq;
    memset(&ureq, 0, sizeof ureq);
    ureq.nodes_to_unregister = ids;
    ureq.nodes_to_unregister_len = 2;
    CU_ASSERT_EQUAL(ug_svc_unregister_nodes(&ctx, &ureq, NULL), UG_STATUS_GOOD);
    req.nodes_to_register_len = 0;
    CU_ASSERT_EQUAL(ug_svc_register_nodes(&ctx, &req, &resp), UG_STATUS_BADNOTHINGTODO);
    ureq.nodes_to_unregister_len = 0;
    CU_ASSERT_EQUAL(ug_svc_unregister_nodes(&ctx, &ureq, NULL), UG_STATUS_BADNOTHINGTODO);
    req.nodes_to_register_len = 1001;
    CU_ASSERT_EQUAL(ug_svc_register_nodes(&ctx, &req, &resp), UG_STATUS_BADTOOMANYOPERATIONS);
    ids[1] = ns0(0);
    req.nodes_to_register_len = 2;
    CU_ASSERT_EQUAL(ug_svc_register_nodes(&ctx, &req, &resp), UG_STATUS_BADNODEIDINVALID);
    ureq.nodes_to_unregister_len = 2;
    CU_ASSERT_EQUAL(ug_svc_unregister_nodes(&ctx, &ureq, NULL), UG_STATUS_BADNODEIDINVALID);
    ids[1] = (ug_nodeid){.id_type = UG_ID_STRING, .id.string = {NULL, 0}};
    CU_ASSERT_EQUAL(ug_svc_register_nodes(&ctx, &req, &resp), UG_STATUS_BADNODEIDINVALID);
    ids[1] = (ug_nodeid){.id_type = UG_ID_GUID};
    CU_ASSERT_EQUAL(ug_svc_register_nodes(&ctx, &req, &resp), UG_STATUS_BADNODEIDINVALID);
    teardown();
}

static CU_TestInfo tests[] = {
    {"Browse the Objects folder", test_browse_objects},
    {"Browse statuses", test_browse_statuses},
    {"BrowseNext paging over HasSubtype of BaseDataType", test_browse_next_paging},
    {"BrowseNext after the node went away", test_browse_next_node_gone},
    {"TranslateBrowsePathsToNodeIds", test_translate},
    {"RegisterNodes / UnregisterNodes", test_register},
    CU_TEST_INFO_NULL,
};

int main(void) { return ug_test_main("clientserver/svc_view", tests); }
