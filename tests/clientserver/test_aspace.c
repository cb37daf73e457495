/* The address space (clientserver/aspace*.c, nodes.c, numeric_range.c):
 * namespace 0 from the generated tables, namespaces, adding and deleting
 * nodes and references with every AddNodes/AddReferences status, subtype
 * checks, instantiation, value copies, continuation-point store, change
 * listeners, numeric ranges, the public nodes.h API, method calls
 * (aspace_method.c, aspace_async.c). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../clientserver/aspace_int.h"
#include "harness.h"
#include "../../clientserver/numeric_range.h"
#include "uagate/nodes.h"

static ug_aspace *as;

static ug_nodeid ns0(uint32_t i) { return (ug_nodeid){.ns = 0, .id_type = UG_ID_NUMERIC, .id.numeric = i}; }
static ug_nodeid num(uint16_t ns, uint32_t i)
{
    return (ug_nodeid){.ns = ns, .id_type = UG_ID_NUMERIC, .id.numeric = i};
}
static ug_nodeid str(uint16_t ns, const char *s)
{
    return (ug_nodeid){.ns = ns, .id_type = UG_ID_STRING, .id.string = ug_string_from(s)};
}
static ug_qualified_name qn(uint16_t ns, const char *s) { return (ug_qualified_name){ns, ug_string_from(s)}; }

static bool reduced(void) { return ug_aspace_node_count(as) < 1000; }

static void setup(void)
{
    CU_ASSERT_EQUAL_FATAL(ug_aspace_new(NULL, &as), UG_STATUS_GOOD);
}

static void teardown(void)
{
    ug_aspace_free(as);
    as = NULL;
}

/* An object under Objects with a given browse name in ns 1. */
static struct ug_add_node obj_item(ug_nodeid id, const char *name)
{
    struct ug_add_node it = {0};
    it.requested_id = id;
    it.parent_id = ns0(UG_ID_OBJECTSFOLDER);
    it.reference_type_id = ns0(UG_ID_ORGANIZES);
    it.browse_name = qn(1, name);
    it.node_class = UG_NC_OBJECT;
    return it;
}

static bool has_ref(const ug_node *n, uint32_t type, const ug_node *target, bool fwd)
{
    uint32_t pos = 0;
    struct ug_ref_view v;
    while (ug_aspace_ref_next(as, n, NULL, &pos, &v))
        if (v.type->id.id.numeric == type && v.target == target && v.is_forward == fwd)
            return true;
    return false;
}

/* ------------------------------------------------------------------ ns0 -- */

static void test_ns0_loaded(void)
{
    setup();
    CU_ASSERT(ug_aspace_node_count(as) > 400);
    ug_node *objects = ug_aspace_get_ns0(as, UG_ID_OBJECTSFOLDER);
    ug_node *server = ug_aspace_get_ns0(as, UG_ID_SERVER);
    CU_ASSERT_PTR_NOT_NULL_FATAL(objects);
    CU_ASSERT_PTR_NOT_NULL_FATAL(server);
    CU_ASSERT_EQUAL(ug_node_class(objects), UG_NC_OBJECT);
    CU_ASSERT(ug_bytes_eq(ug_node_browse_name(objects).name, ug_string_from("Objects")));
    CU_ASSERT(ug_bytes_eq(ug_node_display_name(server).text, ug_string_from("Server")));
    CU_ASSERT(has_ref(objects, UG_ID_ORGANIZES, server, true));
    CU_ASSERT(has_ref(server, UG_ID_ORGANIZES, objects, false));
    ug_node *t = ug_node_type_definition(as, server);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(ug_node_id(t)->id.numeric, 2004); /* ServerType */
    CU_ASSERT_PTR_NOT_NULL(ug_aspace_get_ns0(as, 14443)); /* PublishSubscribe, in both sets */
    /* reference type attributes */
    ug_node *hs = ug_aspace_get_ns0(as, UG_ID_HASSUBTYPE);
    CU_ASSERT_EQUAL(hs->node_class, UG_NC_REFERENCETYPE);
    CU_ASSERT(ug_bytes_eq(ug_node_inverse_name(hs).text, ug_string_from("SubtypeOf")));
    CU_ASSERT(ug_aspace_get_ns0(as, UG_ID_HIERARCHICALREFERENCES)->flags & UG_NF_ABSTRACT);
    /* a variable's attributes: ServerStatus/CurrentTime is a UtcTime scalar */
    ug_node *ct = ug_aspace_get_ns0(as, 2258);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ct);
    CU_ASSERT_EQUAL(ct->data_type.id.numeric, 294);
    CU_ASSERT_EQUAL(ct->value_rank, -1);
    CU_ASSERT_PTR_NULL(ug_aspace_get_ns0(as, 999999));
    ug_nodeid s = str(0, "nope");
    CU_ASSERT_PTR_NULL(ug_aspace_get(as, &s));
    if (!reduced()) {
        /* a generated value: ServerState's EnumStrings (LocalizedText[]) */
        ug_node *es = ug_aspace_get_ns0(as, 7612);
        CU_ASSERT_PTR_NOT_NULL_FATAL(es);
        const ug_datavalue *dv = ug_node_value(es);
        CU_ASSERT_PTR_NOT_NULL_FATAL(dv);
        CU_ASSERT_EQUAL(dv->value.type, UG_TYPE_LOCALIZEDTEXT);
        CU_ASSERT_EQUAL(dv->value.array_len, 8);
        const ug_localized_text *lt = dv->value.u.arr;
        CU_ASSERT(ug_bytes_eq(lt[0].text, ug_string_from("Running")));
        CU_ASSERT(ug_aspace_node_count(as) > 4000);
        /* a generated Argument list: GetMonitoredItems' InputArguments */
        ug_node *ia = ug_aspace_get_ns0(as, 11490);
        CU_ASSERT_PTR_NOT_NULL_FATAL(ia);
        dv = ug_node_value(ia);
        CU_ASSERT_EQUAL_FATAL(dv->value.type, UG_TYPE_EXTENSIONOBJECT);
        CU_ASSERT_EQUAL_FATAL(dv->value.array_len, 1);
        uint8_t abuf[512];
        ug_arena ar;
        ug_arena_init(&ar, abuf, sizeof abuf, false);
        const ug_type_desc *d;
        void *sv;
        CU_ASSERT_EQUAL_FATAL(ug_eo_decode(dv->value.u.arr, &ug_desc_Argument, &d, &sv, NULL, &ar),
                              UG_STATUS_GOOD);
        const ug_Argument *arg = sv;
        CU_ASSERT(ug_bytes_eq(arg->name, ug_string_from("SubscriptionId")));
        CU_ASSERT_EQUAL(arg->data_type.id.numeric, UG_TYPE_UINT32);
        CU_ASSERT_EQUAL(arg->value_rank, -1);
        /* OutputArguments: ServerHandles is a UInt32[] with one dimension */
        dv = ug_node_value(ug_aspace_get_ns0(as, 11491));
        CU_ASSERT_EQUAL_FATAL(dv->value.array_len, 2);
        CU_ASSERT_EQUAL_FATAL(ug_eo_decode(dv->value.u.arr, &ug_desc_Argument, &d, &sv, NULL, &ar),
                              UG_STATUS_GOOD);
        arg = sv;
        CU_ASSERT(ug_bytes_eq(arg->name, ug_string_from("ServerHandles")));
        CU_ASSERT_EQUAL(arg->value_rank, 1);
        CU_ASSERT_EQUAL(arg->array_dimensions_len, 1);
    }
    teardown();
}

static void test_namespaces(void)
{
    struct ug_aspace_config cfg = {.application_uri = "urn:test:app"};
    CU_ASSERT_EQUAL_FATAL(ug_aspace_new(&cfg, &as), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_aspace_ns_count(as), 2);
    CU_ASSERT(ug_bytes_eq(ug_aspace_ns_uri(as, 0), ug_string_from("http://opcfoundation.org/UA/")));
    CU_ASSERT(ug_bytes_eq(ug_aspace_ns_uri(as, 1), ug_string_from("urn:test:app")));
    CU_ASSERT_EQUAL(ug_aspace_ns_uri(as, 2).len, -1);
    uint16_t i = 0;
    CU_ASSERT_EQUAL(ug_aspace_ns_add(as, "urn:x", &i), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(i, 2);
    CU_ASSERT_EQUAL(ug_nodes_add_namespace(as, "urn:x", &i), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(i, 2);
    CU_ASSERT_EQUAL(ug_aspace_ns_add(as, "", &i), UG_STATUS_BADINVALIDARGUMENT);
    CU_ASSERT_EQUAL(ug_aspace_ns_add(as, NULL, &i), UG_STATUS_BADINVALIDARGUMENT);
    CU_ASSERT_EQUAL(ug_aspace_ns_find(as, ug_string_from("urn:x")), 2);
    CU_ASSERT_EQUAL(ug_aspace_ns_find(as, ug_string_from("urn:y")), -1);
    teardown();
    /* default application uri */
    setup();
    CU_ASSERT(ug_bytes_eq(ug_aspace_ns_uri(as, 1), ug_string_from("urn:uagate:server")));
    teardown();
}

static void test_subtypes(void)
{
    setup();
    ug_node *hier = ug_aspace_get_ns0(as, UG_ID_HIERARCHICALREFERENCES);
    CU_ASSERT(ug_aspace_is_subtype(as, ug_aspace_get_ns0(as, UG_ID_ORGANIZES), hier));
    CU_ASSERT(ug_aspace_is_subtype(as, ug_aspace_get_ns0(as, UG_ID_HASPROPERTY), hier));
    CU_ASSERT(ug_aspace_is_subtype(as, hier, hier));
    CU_ASSERT(!ug_aspace_is_subtype(as, ug_aspace_get_ns0(as, UG_ID_HASTYPEDEFINITION), hier));
    CU_ASSERT(!ug_aspace_is_subtype(as, NULL, hier));
    ug_nodeid id = ns0(UG_ID_HASCOMPONENT);
    CU_ASSERT(ug_aspace_is_subtype_id(as, &id, UG_ID_AGGREGATES));
    CU_ASSERT(!ug_aspace_is_subtype_id(as, &id, UG_ID_HASSUBTYPE));
    id = ns0(999999);
    CU_ASSERT(!ug_aspace_is_subtype_id(as, &id, UG_ID_AGGREGATES));
    /* built-in type of a DataType */
    static const struct { uint32_t dt; enum ug_type bt; } v[] = {
        {294, UG_TYPE_DATETIME},        /* UtcTime */
        {290, UG_TYPE_DOUBLE},          /* Duration */
        {852, UG_TYPE_INT32},           /* ServerState: Enumeration */
        {862, UG_TYPE_EXTENSIONOBJECT}, /* ServerStatusDataType: Structure */
        {24, UG_TYPE_NULL},             /* BaseDataType */
        {26, UG_TYPE_NULL},             /* Number */
        {12, UG_TYPE_STRING},
        {999999, UG_TYPE_NULL},         /* unknown */
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        ug_nodeid d = ns0(v[i].dt);
        CU_ASSERT_EQUAL(ug_aspace_builtin_of(as, &d), v[i].bt);
    }
    teardown();
}

/* ------------------------------------------------------------ add nodes -- */

static void test_add_node_statuses(void)
{
    setup();
    ug_node *n;
    struct ug_add_node it = obj_item(num(1, 100), "A");
    CU_ASSERT_EQUAL(ug_aspace_add_node(as, &it, &n), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_node_id(n)->id.numeric, 100);
    ug_node *objects = ug_aspace_get_ns0(as, UG_ID_OBJECTSFOLDER);
    CU_ASSERT(has_ref(objects, UG_ID_ORGANIZES, n, true));
    CU_ASSERT(has_ref(n, UG_ID_ORGANIZES, objects, false));
    CU_ASSERT_EQUAL(ug_node_id(ug_node_type_definition(as, n))->id.numeric, UG_ID_BASEOBJECTTYPE);
    CU_ASSERT(ug_bytes_eq(ug_node_display_name(n).text, ug_string_from("A")));
    CU_ASSERT_EQUAL(ug_node_display_name(n).locale.len, -1);
    /* a DisplayName of its own (kept apart from the browse name) */
    struct ug_add_node dn = obj_item(num(1, 101), "DN");
    dn.attrs.display_name = (ug_localized_text){ug_string_from("de"), ug_string_from("Pumpe")};
    CU_ASSERT_EQUAL(ug_aspace_add_node(as, &dn, &n), UG_STATUS_GOOD);
    CU_ASSERT(ug_bytes_eq(ug_node_display_name(n).text, ug_string_from("Pumpe")));
    CU_ASSERT(ug_bytes_eq(ug_node_display_name(n).locale, ug_string_from("de")));
    CU_ASSERT(ug_bytes_eq(ug_node_browse_name(n).name, ug_string_from("DN")));
    /* renaming a node whose DisplayName followed its browse name keeps it */
    ug_nodeid aid = num(1, 100);
    n = ug_aspace_get(as, &aid);
    n->write_mask = UG_WM_BROWSENAME;
    ug_WriteValue wv;
    memset(&wv, 0, sizeof wv);
    wv.node_id = aid;
    wv.attribute_id = UG_ATTR_BROWSE_NAME;
    wv.value = (ug_datavalue){.mask = UG_DV_VALUE, .value = ug_variant_scalar(UG_TYPE_QUALIFIEDNAME)};
    wv.value.value.u.v.qname = qn(1, "A2");
    CU_ASSERT_EQUAL(ug_aspace_write_attr(as, &wv), UG_STATUS_GOOD);
    CU_ASSERT(ug_bytes_eq(ug_node_browse_name(n).name, ug_string_from("A2")));
    CU_ASSERT(ug_bytes_eq(ug_node_display_name(n).text, ug_string_from("A")));
    wv.value.value.u.v.qname = qn(1, "A");
    CU_ASSERT_EQUAL(ug_aspace_write_attr(as, &wv), UG_STATUS_GOOD);

    struct { struct ug_add_node it; ug_status want; } cases[16];
    size_t k = 0;
#define CASE(mod, st)                      \
    do {                                   \
        cases[k].it = obj_item(num(1, 0), "B"); \
        { struct ug_add_node *x = &cases[k].it; mod; } \
        cases[k++].want = st;              \
    } while (0)
    CASE(x->node_class = (enum ug_nodeclass)3, UG_STATUS_BADNODECLASSINVALID);
    CASE(x->browse_name = qn(1, ""), UG_STATUS_BADBROWSENAMEINVALID);
    CASE(x->browse_name = qn(9, "B"), UG_STATUS_BADNODEATTRIBUTESINVALID);
    CASE(x->requested_id = num(0, 7777), UG_STATUS_BADNODEIDREJECTED);
    CASE(x->requested_id = num(9, 7777), UG_STATUS_BADNODEIDREJECTED);
    CASE(x->requested_id = num(1, 100), UG_STATUS_BADNODEIDEXISTS);
    CASE(x->parent_id = num(1, 4242), UG_STATUS_BADPARENTNODEIDINVALID);
    CASE(x->reference_type_id = num(1, 4242), UG_STATUS_BADREFERENCETYPEIDINVALID);
    CASE(x->reference_type_id = ns0(UG_ID_SERVER), UG_STATUS_BADREFERENCETYPEIDINVALID);
    CASE(x->reference_type_id = ns0(UG_ID_HIERARCHICALREFERENCES), UG_STATUS_BADREFERENCETYPEIDINVALID);
    CASE(x->reference_type_id = ns0(UG_ID_HASTYPEDEFINITION), UG_STATUS_BADREFERENCENOTALLOWED);
    CASE(x->reference_type_id = ns0(UG_ID_HASSUBTYPE), UG_STATUS_BADREFERENCENOTALLOWED);
    CASE(x->browse_name = qn(1, "A"), UG_STATUS_BADBROWSENAMEDUPLICATED);
    CASE(x->type_definition = num(1, 4242), UG_STATUS_BADTYPEDEFINITIONINVALID);
    CASE(x->type_definition = ns0(UG_ID_BASEDATAVARIABLETYPE), UG_STATUS_BADTYPEDEFINITIONINVALID);
    CASE((x->node_class = UG_NC_METHOD, x->type_definition = ns0(UG_ID_FOLDERTYPE)),
         UG_STATUS_BADTYPEDEFINITIONINVALID);
#undef CASE
    uint32_t before = ug_aspace_node_count(as);
    for (size_t i = 0; i < k; i++) {
        ug_status st = ug_aspace_add_node(as, &cases[i].it, &n);
        if (st != cases[i].want)
            fprintf(stderr, "case %zu: got 0x%08x want 0x%08x\n", i, st, cases[i].want);
        CU_ASSERT_EQUAL(st, cases[i].want);
        CU_ASSERT_PTR_NULL(n);
    }
    CU_ASSERT_EQUAL(ug_aspace_node_count(as), before); /* nothing changed */

    /* variables: abstract type definition, data type not a DataType */
    struct ug_add_node v = obj_item(num(1, 0), "V");
    v.node_class = UG_NC_VARIABLE;
    v.type_definition = ns0(UG_ID_BASEVARIABLETYPE); /* abstract */
    CU_ASSERT_EQUAL(ug_aspace_add_node(as, &v, NULL), UG_STATUS_BADTYPEDEFINITIONINVALID);
    v.type_definition = ns0(0);
    v.attrs.data_type = ns0(UG_ID_SERVER);
    CU_ASSERT_EQUAL(ug_aspace_add_node(as, &v, NULL), UG_STATUS_BADNODEATTRIBUTESINVALID);
    v.attrs.data_type = ns0(UG_TYPE_INT32);
    v.attrs.n_dims = 1;
    CU_ASSERT_EQUAL(ug_aspace_add_node(as, &v, NULL), UG_STATUS_BADNODEATTRIBUTESINVALID);
    v.attrs.n_dims = 0;
    CU_ASSERT_EQUAL(ug_aspace_add_node(as, &v, &n), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(n->value_rank, UG_VALUERANK_ANY);
    CU_ASSERT_EQUAL(n->access_level, UG_ACCESS_READ);
    /* fresh numeric ids in the requested namespace, string ids copied */
    CU_ASSERT_EQUAL(n->id.ns, 1);
    CU_ASSERT(n->id.id.numeric >= 50000);
    char name[] = "str-id";
    struct ug_add_node s = obj_item(str(1, name), "S");
    CU_ASSERT_EQUAL(ug_aspace_add_node(as, &s, &n), UG_STATUS_GOOD);
    name[0] = 'X'; /* the node kept its own copy */
    ug_nodeid look = str(1, "str-id");
    CU_ASSERT_PTR_EQUAL(ug_aspace_get(as, &look), n);
    /* a type without a parent, then a subtype of it by HasSubtype */
    struct ug_add_node t = {0};
    t.requested_id = num(1, 500);
    t.browse_name = qn(1, "MyType");
    t.node_class = UG_NC_OBJECTTYPE;
    CU_ASSERT_EQUAL(ug_aspace_add_node(as, &t, NULL), UG_STATUS_GOOD);
    t.requested_id = num(1, 501);
    t.parent_id = num(1, 500);
    t.reference_type_id = ns0(UG_ID_HASSUBTYPE);
    t.browse_name = qn(1, "MySubType");
    CU_ASSERT_EQUAL(ug_aspace_add_node(as, &t, NULL), UG_STATUS_GOOD);
    ug_nodeid sub = num(1, 501);
    ug_nodeid super = num(1, 500);
    CU_ASSERT(ug_aspace_is_subtype(as, ug_aspace_get(as, &sub), ug_aspace_get(as, &super)));
    teardown();
}

static void test_references(void)
{
    setup();
    struct ug_add_node a = obj_item(num(1, 1), "A"), b = obj_item(num(1, 2), "B");
    ug_node *na, *nb;
    CU_ASSERT_EQUAL_FATAL(ug_aspace_add_node(as, &a, &na), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(ug_aspace_add_node(as, &b, &nb), UG_STATUS_GOOD);
    ug_nodeid ia = num(1, 1), ib = num(1, 2), bad = num(1, 99), org = ns0(UG_ID_ORGANIZES);
    ug_nodeid hier = ns0(UG_ID_HIERARCHICALREFERENCES), srv = ns0(UG_ID_SERVER);
    CU_ASSERT_EQUAL(ug_aspace_add_ref(as, &bad, &org, &ib, true), UG_STATUS_BADSOURCENODEIDINVALID);
    CU_ASSERT_EQUAL(ug_aspace_add_ref(as, &ia, &org, &bad, true), UG_STATUS_BADTARGETNODEIDINVALID);
    CU_ASSERT_EQUAL(ug_aspace_add_ref(as, &ia, &bad, &ib, true), UG_STATUS_BADREFERENCETYPEIDINVALID);
    CU_ASSERT_EQUAL(ug_aspace_add_ref(as, &ia, &srv, &ib, true), UG_STATUS_BADREFERENCETYPEIDINVALID);
    CU_ASSERT_EQUAL(ug_aspace_add_ref(as, &ia, &hier, &ib, true), UG_STATUS_BADREFERENCETYPEIDINVALID);
    CU_ASSERT_EQUAL(ug_aspace_add_ref(as, &ia, &org, &ib, true), UG_STATUS_GOOD);
    CU_ASSERT(has_ref(na, UG_ID_ORGANIZES, nb, true));
    CU_ASSERT(has_ref(nb, UG_ID_ORGANIZES, na, false));
    CU_ASSERT_EQUAL(ug_aspace_add_ref(as, &ia, &org, &ib, true), UG_STATUS_BADDUPLICATEREFERENCENOTALLOWED);
    /* the same reference given from the target's side */
    CU_ASSERT_EQUAL(ug_aspace_add_ref(as, &ib, &org, &ia, false), UG_STATUS_BADDUPLICATEREFERENCENOTALLOWED);
    CU_ASSERT_EQUAL(ug_nodes_add_reference(as, &ib, &org, &ia), UG_STATUS_GOOD);
    CU_ASSERT_PTR_EQUAL(ug_aspace_child(as, na, qn(1, "B")), nb);
    CU_ASSERT_PTR_NULL(ug_aspace_child(as, na, qn(0, "B")));
    /* delete */
    CU_ASSERT_EQUAL(ug_aspace_delete_ref(as, &bad, &org, &ib, true), UG_STATUS_BADSOURCENODEIDINVALID);
    CU_ASSERT_EQUAL(ug_aspace_delete_ref(as, &ia, &org, &bad, true), UG_STATUS_BADTARGETNODEIDINVALID);
    CU_ASSERT_EQUAL(ug_aspace_delete_ref(as, &ia, &srv, &ib, true), UG_STATUS_BADREFERENCETYPEIDINVALID);
    ug_nodeid hp = ns0(UG_ID_HASPROPERTY);
    CU_ASSERT_EQUAL(ug_aspace_delete_ref(as, &ia, &hp, &ib, true), UG_STATUS_BADNOTFOUND);
    CU_ASSERT_EQUAL(ug_aspace_delete_ref(as, &ib, &org, &ia, false), UG_STATUS_GOOD);
    CU_ASSERT(!has_ref(na, UG_ID_ORGANIZES, nb, true));
    CU_ASSERT(!has_ref(nb, UG_ID_ORGANIZES, na, false));
    CU_ASSERT(has_ref(nb, UG_ID_ORGANIZES, na, true));
    CU_ASSERT_EQUAL(ug_aspace_delete_ref(as, &ia, &org, &ib, true), UG_STATUS_BADNOTFOUND);
    /* references of a generated node change too (materialised) */
    ug_nodeid objects = ns0(UG_ID_OBJECTSFOLDER);
    CU_ASSERT_EQUAL(ug_aspace_delete_ref(as, &objects, &org, &srv, true), UG_STATUS_GOOD);
    CU_ASSERT(!has_ref(ug_aspace_get(as, &objects), UG_ID_ORGANIZES, ug_aspace_get(as, &srv), true));
    CU_ASSERT(!has_ref(ug_aspace_get(as, &srv), UG_ID_ORGANIZES, ug_aspace_get(as, &objects), false));
    CU_ASSERT_EQUAL(ug_aspace_add_ref(as, &objects, &org, &srv, true), UG_STATUS_GOOD);
    CU_ASSERT(has_ref(ug_aspace_get(as, &srv), UG_ID_ORGANIZES, ug_aspace_get(as, &objects), false));
    /* filters: direction, type with subtypes, node class */
    struct ug_ref_filter f = {UG_BROWSE_INVERSE, ug_aspace_get_ns0(as, UG_ID_HIERARCHICALREFERENCES),
                              true, UG_NC_OBJECT};
    struct ug_ref_view v;
    uint32_t pos = 0, cnt = 0;
    while (ug_aspace_ref_next(as, nb, &f, &pos, &v))
        cnt++;
    CU_ASSERT_EQUAL(cnt, 1); /* Objects --Organizes--> B */
    f.include_subtypes = false;
    pos = 0;
    CU_ASSERT(!ug_aspace_ref_next(as, nb, &f, &pos, &v));
    f.include_subtypes = true;
    f.node_class_mask = UG_NC_VARIABLE;
    pos = 0;
    CU_ASSERT(!ug_aspace_ref_next(as, nb, &f, &pos, &v));
    teardown();
}

static void test_delete_node(void)
{
    setup();
    struct ug_add_node a = obj_item(num(1, 1), "A");
    ug_node *na;
    CU_ASSERT_EQUAL_FATAL(ug_aspace_add_node(as, &a, &na), UG_STATUS_GOOD);
    struct ug_add_node c = obj_item(num(1, 2), "C");
    c.parent_id = num(1, 1);
    c.reference_type_id = ns0(UG_ID_HASCOMPONENT);
    CU_ASSERT_EQUAL_FATAL(ug_aspace_add_node(as, &c, NULL), UG_STATUS_GOOD);
    struct ug_add_node d = obj_item(num(1, 3), "D"); /* second parent of D: A and Objects */
    CU_ASSERT_EQUAL_FATAL(ug_aspace_add_node(as, &d, NULL), UG_STATUS_GOOD);
    ug_nodeid ia = num(1, 1), ic = num(1, 2), id = num(1, 3), comp = ns0(UG_ID_HASCOMPONENT);
    CU_ASSERT_EQUAL(ug_aspace_add_ref(as, &ia, &comp, &id, true), UG_STATUS_GOOD);
    uint32_t before = ug_aspace_node_count(as);
    CU_ASSERT_EQUAL(ug_aspace_delete_node(as, &ia, true), UG_STATUS_GOOD);
    CU_ASSERT_PTR_NULL(ug_aspace_get(as, &ia));
    CU_ASSERT_PTR_NULL(ug_aspace_get(as, &ic)); /* only child of A */
    ug_node *nd = ug_aspace_get(as, &id);
    CU_ASSERT_PTR_NOT_NULL_FATAL(nd); /* still organised by Objects */
    CU_ASSERT_EQUAL(ug_aspace_node_count(as), before - 2);
    /* no reference of D points at the deleted A */
    uint32_t pos = 0;
    struct ug_ref_view v;
    while (ug_aspace_ref_next(as, nd, NULL, &pos, &v))
        CU_ASSERT(v.target->id.ns == 0);
    CU_ASSERT_EQUAL(ug_aspace_delete_node(as, &ia, true), UG_STATUS_BADNODEIDUNKNOWN);
    CU_ASSERT_EQUAL(ug_nodes_delete(as, &id, false), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_nodes_delete(as, &id, false), UG_STATUS_BADNODEIDUNKNOWN);
    /* a generated node: ServerStatus/CurrentTime */
    ug_nodeid ct = ns0(2258), ss = ns0(2256);
    CU_ASSERT_EQUAL(ug_aspace_delete_node(as, &ct, false), UG_STATUS_GOOD);
    CU_ASSERT_PTR_NULL(ug_aspace_get(as, &ct));
    CU_ASSERT_PTR_NULL(ug_aspace_child(as, ug_aspace_get(as, &ss), qn(0, "CurrentTime")));
    CU_ASSERT_PTR_NOT_NULL(ug_aspace_child(as, ug_aspace_get(as, &ss), qn(0, "StartTime")));
    teardown();
}

/* -------------------------------------------------------- instantiation -- */

static void test_instantiate(void)
{
    setup();
    /* MyType { Mandatory Speed (Double), Optional Extra, Mandatory Motor { Mandatory Rpm } } */
    struct ug_add_node t = {0};
    t.requested_id = num(1, 1000);
    t.browse_name = qn(1, "MyType");
    t.node_class = UG_NC_OBJECTTYPE;
    t.parent_id = ns0(UG_ID_BASEOBJECTTYPE);
    t.reference_type_id = ns0(UG_ID_HASSUBTYPE);
    CU_ASSERT_EQUAL_FATAL(ug_aspace_add_node(as, &t, NULL), UG_STATUS_GOOD);
    ug_nodeid mand = ns0(UG_ID_MODELLINGRULE_MANDATORY), opt = ns0(UG_ID_MODELLINGRULE_OPTIONAL);
    ug_nodeid hmr = ns0(UG_ID_HASMODELLINGRULE);
    struct { uint32_t id, parent; const char *name; uint8_t cls; bool mandatory; } decl[] = {
        {1001, 1000, "Speed", UG_NC_VARIABLE, true},
        {1002, 1000, "Extra", UG_NC_VARIABLE, false},
        {1003, 1000, "Motor", UG_NC_OBJECT, true},
        {1004, 1003, "Rpm", UG_NC_VARIABLE, true},
    };
    ug_datavalue init = {.mask = UG_DV_VALUE, .value = ug_variant_scalar(UG_TYPE_DOUBLE)};
    init.value.u.v.f64 = 12.5;
    for (size_t i = 0; i < sizeof decl / sizeof decl[0]; i++) {
        struct ug_add_node it = {0};
        it.requested_id = num(1, decl[i].id);
        it.parent_id = num(1, decl[i].parent);
        it.reference_type_id = ns0(UG_ID_HASCOMPONENT);
        it.browse_name = qn(1, decl[i].name);
        it.node_class = decl[i].cls;
        if (decl[i].cls == UG_NC_VARIABLE) {
            it.attrs.data_type = ns0(UG_TYPE_DOUBLE);
            it.attrs.value_rank = UG_VALUERANK_SCALAR;
            it.attrs.value = &init;
        }
        CU_ASSERT_EQUAL_FATAL(ug_aspace_add_node(as, &it, NULL), UG_STATUS_GOOD);
        ug_nodeid me = num(1, decl[i].id);
        CU_ASSERT_EQUAL(ug_aspace_add_ref(as, &me, &hmr, decl[i].mandatory ? &mand : &opt, true),
                        UG_STATUS_GOOD);
    }
    /* SubType adds Mandatory Level and inherits the rest */
    t.requested_id = num(1, 1100);
    t.browse_name = qn(1, "SubType");
    t.parent_id = num(1, 1000);
    CU_ASSERT_EQUAL_FATAL(ug_aspace_add_node(as, &t, NULL), UG_STATUS_GOOD);
    struct ug_add_node lv = {0};
    lv.requested_id = num(1, 1101);
    lv.parent_id = num(1, 1100);
    lv.reference_type_id = ns0(UG_ID_HASPROPERTY);
    lv.browse_name = qn(1, "Level");
    lv.node_class = UG_NC_VARIABLE;
    lv.type_definition = ns0(UG_ID_PROPERTYTYPE);
    CU_ASSERT_EQUAL_FATAL(ug_aspace_add_node(as, &lv, NULL), UG_STATUS_GOOD);
    ug_nodeid lvid = num(1, 1101);
    CU_ASSERT_EQUAL(ug_aspace_add_ref(as, &lvid, &hmr, &mand, true), UG_STATUS_GOOD);

    struct ug_nodes_object o = {0};
    o.c.requested_id = num(1, 0);
    o.c.parent_id = ns0(UG_ID_OBJECTSFOLDER);
    o.c.browse_name = qn(1, "Pump1");
    o.type_definition = num(1, 1100);
    ug_nodeid out;
    CU_ASSERT_EQUAL_FATAL(ug_nodes_instantiate(as, &o, &out), UG_STATUS_GOOD);
    ug_node *inst = ug_aspace_get(as, &out);
    CU_ASSERT_PTR_NOT_NULL_FATAL(inst);
    CU_ASSERT(has_ref(ug_aspace_get_ns0(as, UG_ID_OBJECTSFOLDER), UG_ID_ORGANIZES, inst, true));
    ug_node *speed = ug_aspace_child(as, inst, qn(1, "Speed"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(speed);
    CU_ASSERT_EQUAL(speed->id.ns, 1);
    CU_ASSERT(speed->id.id.numeric != 1001);
    CU_ASSERT_EQUAL(speed->value->value.u.v.f64, 12.5);
    CU_ASSERT_EQUAL(speed->data_type.id.numeric, UG_TYPE_DOUBLE);
    CU_ASSERT_PTR_NULL(ug_aspace_child(as, inst, qn(1, "Extra")));
    ug_node *motor = ug_aspace_child(as, inst, qn(1, "Motor"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(motor);
    CU_ASSERT_PTR_NOT_NULL(ug_aspace_child(as, motor, qn(1, "Rpm")));
    ug_node *level = ug_aspace_child(as, inst, qn(1, "Level"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(level);
    CU_ASSERT_EQUAL(ug_node_id(ug_node_type_definition(as, level))->id.numeric, UG_ID_PROPERTYTYPE);
    /* the instance's children are not modelling-rule declarations */
    CU_ASSERT_PTR_NULL(ug_aspace_ref_target(as, speed, UG_ID_HASMODELLINGRULE));
    /* an unknown or wrong type fails without leaving nodes behind */
    uint32_t before = ug_aspace_node_count(as);
    o.c.browse_name = qn(1, "Pump2");
    o.type_definition = num(1, 4242);
    CU_ASSERT_EQUAL(ug_nodes_instantiate(as, &o, NULL), UG_STATUS_BADTYPEDEFINITIONINVALID);
    CU_ASSERT_EQUAL(ug_aspace_node_count(as), before);
    /* a type that contains itself (Mandatory child of its own type) cannot
     * be instantiated, and nothing is left behind */
    struct ug_add_node loopy = {0};
    loopy.requested_id = num(1, 1200);
    loopy.browse_name = qn(1, "LoopType");
    loopy.node_class = UG_NC_OBJECTTYPE;
    loopy.parent_id = ns0(UG_ID_BASEOBJECTTYPE);
    loopy.reference_type_id = ns0(UG_ID_HASSUBTYPE);
    CU_ASSERT_EQUAL_FATAL(ug_aspace_add_node(as, &loopy, NULL), UG_STATUS_GOOD);
    struct ug_add_node self = {0};
    self.requested_id = num(1, 1201);
    self.parent_id = num(1, 1200);
    self.reference_type_id = ns0(UG_ID_HASCOMPONENT);
    self.browse_name = qn(1, "Again");
    self.node_class = UG_NC_OBJECT;
    self.type_definition = num(1, 1200);
    CU_ASSERT_EQUAL_FATAL(ug_aspace_add_node(as, &self, NULL), UG_STATUS_GOOD);
    ug_nodeid selfid = num(1, 1201);
    CU_ASSERT_EQUAL(ug_aspace_add_ref(as, &selfid, &hmr, &mand, true), UG_STATUS_GOOD);
    before = ug_aspace_node_count(as);
    o.c.browse_name = qn(1, "Loop1");
    o.type_definition = num(1, 1200);
    CU_ASSERT_EQUAL(ug_nodes_instantiate(as, &o, NULL), UG_STATUS_BADINTERNALERROR);
    CU_ASSERT_EQUAL(ug_aspace_node_count(as), before);
    /* a ns0 VariableType: ServerStatusType with its Mandatory children */
    struct ug_nodes_variable v = {0};
    v.c.requested_id = num(1, 0);
    v.c.parent_id = ns0(UG_ID_OBJECTSFOLDER);
    v.c.browse_name = qn(1, "Status");
    v.type_definition = ns0(2138);
    v.data_type = ns0(862);
    v.value_rank = -1;
    CU_ASSERT_EQUAL_FATAL(ug_nodes_instantiate_variable(as, &v, &out), UG_STATUS_GOOD);
    ug_node *st = ug_aspace_get(as, &out);
    CU_ASSERT_PTR_NOT_NULL(ug_aspace_child(as, st, qn(0, "CurrentTime")));
    ug_node *bi = ug_aspace_child(as, st, qn(0, "BuildInfo"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(bi);
    CU_ASSERT_PTR_NOT_NULL(ug_aspace_child(as, bi, qn(0, "ProductName")));
    teardown();
}

/* --------------------------------------------------------------- values -- */

static void test_value_clone(void)
{
    /* a Variant array holding a string array, a nested DataValue, an
     * ExtensionObject and a matrix: every kind of referenced storage */
    char *s1 = strdup("hello"), *s2 = strdup("world"), *body = strdup("\x01\x02\x03");
    ug_string strs[2] = {{(uint8_t *)s1, 5}, {(uint8_t *)s2, 5}};
    int32_t mdims[2] = {2, 1};
    ug_variant inner[4];
    inner[0] = (ug_variant){.type = UG_TYPE_STRING, .array_len = 2, .u.arr = strs};
    ug_datavalue ndv = {.mask = UG_DV_VALUE, .value = ug_variant_scalar(UG_TYPE_STRING)};
    ndv.value.u.v.string = strs[0];
    inner[1] = ug_variant_scalar(UG_TYPE_DATAVALUE);
    inner[1].u.v.datavalue = &ndv;
    ug_extension_object eo = {.type_id = str(2, "enc"), .encoding = UG_EO_BYTESTRING,
                              .body = {(uint8_t *)body, 3}};
    inner[2] = ug_variant_scalar(UG_TYPE_EXTENSIONOBJECT);
    inner[2].u.v.extobj = &eo;
    inner[3] = (ug_variant){.type = UG_TYPE_STRING, .array_len = 2, .ndims = 2, .dims = mdims,
                            .u.arr = strs};
    ug_datavalue src = {.mask = UG_DV_VALUE | UG_DV_SOURCE_TIMESTAMP, .source_ts = 42};
    src.value = (ug_variant){.type = UG_TYPE_VARIANT, .array_len = 4, .u.arr = inner};
    ug_datavalue copy;
    void *mem;
    CU_ASSERT_EQUAL_FATAL(ug_datavalue_clone(&copy, &mem, &src), UG_STATUS_GOOD);
    CU_ASSERT(ug_datavalue_eq(&copy, &src));
    uint8_t abuf[256];
    ug_arena arena;
    ug_arena_init(&arena, abuf, sizeof abuf, true);
    ug_datavalue acopy;
    CU_ASSERT_EQUAL(ug_datavalue_copy(&src, &acopy, &arena), UG_STATUS_GOOD);
    CU_ASSERT(ug_datavalue_eq(&acopy, &src));
    /* the copies survive the source */
    memset(s1, 'x', 5);
    memset(body, 0, 3);
    const ug_variant *cv = copy.value.u.arr;
    const ug_string *cs = cv[0].u.arr;
    CU_ASSERT_EQUAL(memcmp(cs[0].data, "hello", 5), 0);
    CU_ASSERT_EQUAL(memcmp(cv[2].u.v.extobj->body.data, "\x01\x02\x03", 3), 0);
    CU_ASSERT_EQUAL(memcmp(cv[1].u.v.datavalue->value.u.v.string.data, "hello", 5), 0);
    CU_ASSERT_EQUAL(cv[3].dims[0], 2);
    CU_ASSERT(!ug_datavalue_eq(&copy, &src));
    free(s1);
    free(s2);
    free(body);
    free(mem);
    ug_arena_free(&arena);
    /* an arena too small fails cleanly */
    ug_arena small;
    uint8_t sbuf[8];
    ug_arena_init(&small, sbuf, sizeof sbuf, false);
    ug_variant big = {.type = UG_TYPE_STRING, .array_len = 2, .u.arr = strs};
    ug_variant bc;
    CU_ASSERT_EQUAL(ug_variant_copy(&big, &bc, &small), UG_STATUS_BADOUTOFMEMORY);
    /* the null value needs no storage */
    ug_variant null = {.type = UG_TYPE_NULL, .array_len = UG_SCALAR};
    CU_ASSERT_EQUAL(ug_variant_clone(&bc, &mem, &null), UG_STATUS_GOOD);
    CU_ASSERT_PTR_NULL(mem);
}

static int changes;
static const ug_node *changed;
static void on_change(void *ctx, const ug_node *n)
{
    CU_ASSERT_PTR_EQUAL(ctx, &changes);
    changes++;
    changed = n;
}

static void test_values_and_hook(void)
{
    setup();
    CU_ASSERT_EQUAL(ug_aspace_add_change_listener(as, on_change, &changes), UG_STATUS_GOOD);
    changes = 0;
    struct ug_nodes_variable v = {0};
    v.c.requested_id = str(1, "temp");
    v.c.parent_id = ns0(UG_ID_OBJECTSFOLDER);
    v.c.browse_name = qn(1, "Temp");
    v.data_type = ns0(UG_TYPE_DOUBLE);
    v.value_rank = -1;
    int ctxv;
    v.c.context = &ctxv;
    ug_nodeid id;
    CU_ASSERT_EQUAL_FATAL(ug_nodes_add_variable(as, &v, &id), UG_STATUS_GOOD);
    CU_ASSERT_PTR_EQUAL(ug_nodes_context(as, &id), &ctxv);
    ug_nodeid nope = str(1, "nope");
    CU_ASSERT_PTR_NULL(ug_nodes_context(as, &nope));
    ug_datavalue dv = {.mask = UG_DV_VALUE, .value = ug_variant_scalar(UG_TYPE_DOUBLE)};
    dv.value.u.v.f64 = 21.5;
    CU_ASSERT_EQUAL(ug_nodes_write_value(as, &id, &dv), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(changes, 1);
    CU_ASSERT_PTR_EQUAL(changed, ug_aspace_get(as, &id));
    const ug_datavalue *now = ug_nodes_value(as, &id);
    CU_ASSERT_EQUAL(now->value.u.v.f64, 21.5);
    CU_ASSERT(now->mask & UG_DV_SOURCE_TIMESTAMP);
    CU_ASSERT(now->mask & UG_DV_SERVER_TIMESTAMP);
    dv.value = ug_variant_scalar(UG_TYPE_STRING);
    CU_ASSERT_EQUAL(ug_nodes_write_value(as, &id, &dv), UG_STATUS_BADTYPEMISMATCH);
    CU_ASSERT_EQUAL(ug_nodes_write_value(as, &nope, &dv), UG_STATUS_BADNODEIDUNKNOWN);
    ug_nodeid objects = ns0(UG_ID_OBJECTSFOLDER);
    CU_ASSERT_EQUAL(ug_nodes_write_value(as, &objects, &dv), UG_STATUS_BADNODECLASSINVALID);
    CU_ASSERT_PTR_NULL(ug_nodes_value(as, &objects));
    CU_ASSERT_EQUAL(changes, 1);
    CU_ASSERT_EQUAL(ug_aspace_set_value(as, NULL, &dv), UG_STATUS_BADNODEIDUNKNOWN);
    CU_ASSERT_EQUAL(ug_aspace_set_value(as, ug_aspace_get(as, &objects), &dv),
                    UG_STATUS_BADNODECLASSINVALID);
    /* a wrong initial value is refused and leaves no node */
    v.c.requested_id = str(1, "temp2");
    v.c.browse_name = qn(1, "Temp2");
    v.value = &dv; /* a String for a Double */
    CU_ASSERT_EQUAL(ug_nodes_add_variable(as, &v, NULL), UG_STATUS_BADTYPEMISMATCH);
    ug_nodeid t2 = str(1, "temp2");
    CU_ASSERT_PTR_NULL(ug_aspace_get(as, &t2));
    /* both callbacks and async, async without a loop */
    struct ug_value_callbacks cb = {0};
    struct ug_value_async asy = {0};
    v.value = NULL;
    v.callbacks = &cb;
    v.async = &asy;
    CU_ASSERT_EQUAL(ug_nodes_add_variable(as, &v, NULL), UG_STATUS_BADINVALIDARGUMENT);
    v.callbacks = NULL;
    CU_ASSERT_EQUAL(ug_nodes_add_variable(as, &v, NULL), UG_STATUS_BADINVALIDARGUMENT);
    v.async = NULL;
    v.callbacks = &cb; /* neither read nor write */
    CU_ASSERT_EQUAL(ug_nodes_add_variable(as, &v, NULL), UG_STATUS_BADINVALIDARGUMENT);
    CU_ASSERT_PTR_NULL(ug_aspace_get(as, &t2));
    CU_ASSERT_EQUAL(ug_aspace_set_callbacks(as, ug_aspace_get(as, &objects), &cb),
                    UG_STATUS_BADNODECLASSINVALID);
    CU_ASSERT_EQUAL(ug_aspace_set_async(as, ug_aspace_get(as, &objects), &asy),
                    UG_STATUS_BADNODECLASSINVALID);
    struct ug_method_impl mi = {0};
    CU_ASSERT_EQUAL(ug_aspace_set_method(as, ug_aspace_get(as, &objects), &mi),
                    UG_STATUS_BADNODECLASSINVALID);
    CU_ASSERT_PTR_NULL(ug_node_method(ug_aspace_get(as, &objects)));
    teardown();
}

/* Several value-change listeners: order, duplicates, removal, and adding or
 * removing from inside a notification. */
struct lsn {
    char name;
    int calls;
    bool remove_self;     /* removes itself when called */
    struct lsn *add;      /* adds this one when called (once) */
    struct lsn *remove;   /* removes this one when called */
};
static char order[16];
static unsigned n_order;

static void lsn_fn(void *ctx, const ug_node *n)
{
    (void)n;
    struct lsn *l = ctx;
    l->calls++;
    if (n_order < sizeof order - 1)
        order[n_order++] = l->name;
    if (l->remove_self)
        CU_ASSERT_EQUAL(ug_aspace_remove_change_listener(as, lsn_fn, l), UG_STATUS_GOOD);
    if (l->add) {
        CU_ASSERT_EQUAL(ug_aspace_add_change_listener(as, lsn_fn, l->add), UG_STATUS_GOOD);
        l->add = NULL;
    }
    if (l->remove) {
        CU_ASSERT_EQUAL(ug_aspace_remove_change_listener(as, lsn_fn, l->remove), UG_STATUS_GOOD);
        l->remove = NULL;
    }
}

static void write_d(const ug_nodeid *id, double d)
{
    ug_datavalue dv = {.mask = UG_DV_VALUE, .value = ug_variant_scalar(UG_TYPE_DOUBLE)};
    dv.value.u.v.f64 = d;
    CU_ASSERT_EQUAL(ug_nodes_write_value(as, id, &dv), UG_STATUS_GOOD);
}

static void test_change_listeners(void)
{
    setup();
    struct ug_nodes_variable v = {0};
    v.c.requested_id = str(1, "x");
    v.c.parent_id = ns0(UG_ID_OBJECTSFOLDER);
    v.c.browse_name = qn(1, "X");
    v.data_type = ns0(UG_TYPE_DOUBLE);
    v.value_rank = -1;
    ug_nodeid id;
    CU_ASSERT_EQUAL_FATAL(ug_nodes_add_variable(as, &v, &id), UG_STATUS_GOOD);
    struct lsn a = {.name = 'a'}, b = {.name = 'b'}, c = {.name = 'c'}, d = {.name = 'd'};

    CU_ASSERT_EQUAL(ug_aspace_add_change_listener(as, NULL, &a), UG_STATUS_BADINVALIDARGUMENT);
    CU_ASSERT_EQUAL(ug_aspace_add_change_listener(NULL, lsn_fn, &a), UG_STATUS_BADINVALIDARGUMENT);
    CU_ASSERT_EQUAL(ug_aspace_add_change_listener(as, lsn_fn, &a), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_aspace_add_change_listener(as, lsn_fn, &a), UG_STATUS_BADENTRYEXISTS);
    CU_ASSERT_EQUAL(ug_aspace_add_change_listener(as, lsn_fn, &b), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_aspace_add_change_listener(as, lsn_fn, &c), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_aspace_remove_change_listener(as, lsn_fn, &d), UG_STATUS_BADNOENTRYEXISTS);
    CU_ASSERT_EQUAL(ug_aspace_remove_change_listener(as, NULL, &a), UG_STATUS_BADNOENTRYEXISTS);

    /* every listener, in the order added */
    n_order = 0;
    write_d(&id, 1.0);
    CU_ASSERT_EQUAL(n_order, 3);
    CU_ASSERT_NSTRING_EQUAL(order, "abc", 3);

    /* removed in the middle: the others still run, in order */
    CU_ASSERT_EQUAL(ug_aspace_remove_change_listener(as, lsn_fn, &b), UG_STATUS_GOOD);
    n_order = 0;
    write_d(&id, 2.0);
    CU_ASSERT_EQUAL(n_order, 2);
    CU_ASSERT_NSTRING_EQUAL(order, "ac", 2);

    /* inside a notification: a removes itself and c, and adds d; c is not
     * called this time, d is called from the next change on */
    a.remove_self = true;
    a.remove = &c;
    a.add = &d;
    n_order = 0;
    write_d(&id, 3.0);
    CU_ASSERT_EQUAL(n_order, 1);
    CU_ASSERT_NSTRING_EQUAL(order, "a", 1);
    n_order = 0;
    write_d(&id, 4.0);
    CU_ASSERT_EQUAL(n_order, 1);
    CU_ASSERT_NSTRING_EQUAL(order, "d", 1);
    CU_ASSERT_EQUAL(a.calls, 3);
    CU_ASSERT_EQUAL(b.calls, 1);
    CU_ASSERT_EQUAL(c.calls, 2);
    CU_ASSERT_EQUAL(d.calls, 1);
    /* the removed ones are gone (not holes that could be found again) */
    CU_ASSERT_EQUAL(ug_aspace_remove_change_listener(as, lsn_fn, &a), UG_STATUS_BADNOENTRYEXISTS);
    CU_ASSERT_EQUAL(ug_aspace_remove_change_listener(as, lsn_fn, &c), UG_STATUS_BADNOENTRYEXISTS);
    CU_ASSERT_EQUAL(ug_aspace_add_change_listener(as, lsn_fn, &a), UG_STATUS_GOOD);
    a.remove_self = false;
    n_order = 0;
    write_d(&id, 5.0);
    CU_ASSERT_EQUAL(n_order, 2);
    CU_ASSERT_NSTRING_EQUAL(order, "da", 2);
    /* objects do not notify; listeners still registered at free are freed */
    ug_nodeid objects = ns0(UG_ID_OBJECTSFOLDER);
    ug_datavalue dv = {.mask = UG_DV_VALUE, .value = ug_variant_scalar(UG_TYPE_DOUBLE)};
    CU_ASSERT_EQUAL(ug_nodes_write_value(as, &objects, &dv), UG_STATUS_BADNODECLASSINVALID);
    CU_ASSERT_EQUAL(n_order, 2);
    teardown();
}

/* --------------------------------------------------- continuation points -- */

static void test_cp_store(void)
{
    struct ug_cp_store st;
    ug_cp_store_init(&st, 2);
    struct ug_cp *a = ug_cp_store_create(&st), *b = ug_cp_store_create(&st);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT(a->id != b->id);
    CU_ASSERT_PTR_NULL(ug_cp_store_create(&st)); /* the session's limit */
    uint8_t raw[8];
    for (int i = 0; i < 8; i++)
        raw[i] = (uint8_t)(b->id >> (8 * i));
    CU_ASSERT_PTR_EQUAL(ug_cp_store_lookup(&st, (ug_bytes){raw, 8}), b);
    CU_ASSERT_PTR_NULL(ug_cp_store_lookup(&st, (ug_bytes){raw, 7}));
    CU_ASSERT_PTR_NULL(ug_cp_store_lookup(&st, UG_NULL_BYTES));
    uint8_t zero[8] = {0};
    CU_ASSERT_PTR_NULL(ug_cp_store_lookup(&st, (ug_bytes){zero, 8}));
    ug_nodeid s = str(1, "node");
    CU_ASSERT_EQUAL(ug_nodeid_dup(&b->node, &s), UG_STATUS_GOOD); /* freed on release */
    uint64_t old_id = b->id;
    ug_cp_store_release(&st, b);
    CU_ASSERT_PTR_NULL(ug_cp_store_lookup(&st, (ug_bytes){raw, 8}));
    struct ug_cp *c = ug_cp_store_create(&st);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT(c->id != old_id); /* a released point is never valid again */
    CU_ASSERT_EQUAL(ug_nodeid_dup(&c->node, &s), UG_STATUS_GOOD);
    ug_cp_store_clear(&st); /* frees c's copy too (ASan checks) */
    /* default limit */
    ug_cp_store_init(&st, 0);
    CU_ASSERT_EQUAL(st.max, 16);
    CU_ASSERT_PTR_NULL(ug_cp_store_lookup(&st, (ug_bytes){raw, 8}));
    ug_cp_store_clear(&st);
}

/* ------------------------------------------------------- numeric ranges -- */

static void test_nrange_parse(void)
{
    static const struct { const char *text; ug_status st; uint32_t n, lo0, hi0, lo1, hi1; } v[] = {
        {"", UG_STATUS_GOOD, 0, 0, 0, 0, 0},
        {"2", UG_STATUS_GOOD, 1, 2, 2, 0, 0},
        {"1:3", UG_STATUS_GOOD, 1, 1, 3, 0, 0},
        {"0:1,2", UG_STATUS_GOOD, 2, 0, 1, 2, 2},
        {"4294967295", UG_STATUS_GOOD, 1, 4294967295u, 4294967295u, 0, 0},
        {"3:3", UG_STATUS_BADINDEXRANGEINVALID, 0, 0, 0, 0, 0},
        {"3:1", UG_STATUS_BADINDEXRANGEINVALID, 0, 0, 0, 0, 0},
        {"-1", UG_STATUS_BADINDEXRANGEINVALID, 0, 0, 0, 0, 0},
        {"1:", UG_STATUS_BADINDEXRANGEINVALID, 0, 0, 0, 0, 0},
        {":2", UG_STATUS_BADINDEXRANGEINVALID, 0, 0, 0, 0, 0},
        {"1,", UG_STATUS_BADINDEXRANGEINVALID, 0, 0, 0, 0, 0},
        {"1;2", UG_STATUS_BADINDEXRANGEINVALID, 0, 0, 0, 0, 0},
        {"a", UG_STATUS_BADINDEXRANGEINVALID, 0, 0, 0, 0, 0},
        {"4294967296", UG_STATUS_BADINDEXRANGEINVALID, 0, 0, 0, 0, 0},
        {"1,2,3,4,5,6,7,8,9", UG_STATUS_BADINDEXRANGEINVALID, 0, 0, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        struct ug_nrange r;
        ug_status st = ug_nrange_parse(ug_string_from(v[i].text), &r);
        CU_ASSERT_EQUAL(st, v[i].st);
        if (st != UG_STATUS_GOOD)
            continue;
        CU_ASSERT_EQUAL(r.n, v[i].n);
        if (r.n >= 1) {
            CU_ASSERT_EQUAL(r.d[0].lo, v[i].lo0);
            CU_ASSERT_EQUAL(r.d[0].hi, v[i].hi0);
        }
        if (r.n >= 2) {
            CU_ASSERT_EQUAL(r.d[1].lo, v[i].lo1);
            CU_ASSERT_EQUAL(r.d[1].hi, v[i].hi1);
        }
    }
    struct ug_nrange r;
    CU_ASSERT_EQUAL(ug_nrange_parse(UG_NULL_BYTES, &r), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(r.n, 0);
}

static void test_nrange_extract_apply(void)
{
    uint8_t buf[1024];
    ug_arena arena;
    ug_arena_init(&arena, buf, sizeof buf, false);
    int32_t a[5] = {10, 11, 12, 13, 14};
    ug_variant arr = {.type = UG_TYPE_INT32, .array_len = 5, .u.arr = a};
    struct ug_nrange r;
    ug_variant out;
    /* 1-dim, clipped upper bound */
    CU_ASSERT_EQUAL(ug_nrange_parse(ug_string_from("3:9"), &r), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_nrange_extract(&r, &arr, &out, &arena), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(out.array_len, 2);
    CU_ASSERT_EQUAL(((const int32_t *)out.u.arr)[0], 13);
    CU_ASSERT_EQUAL(ug_nrange_parse(ug_string_from("5"), &r), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_nrange_extract(&r, &arr, &out, &arena), UG_STATUS_BADINDEXRANGENODATA);
    CU_ASSERT_EQUAL(ug_nrange_parse(ug_string_from("1,1"), &r), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_nrange_extract(&r, &arr, &out, &arena), UG_STATUS_BADINDEXRANGENODATA);
    /* matrix 2x3: "0:1,2" takes column 2 */
    int32_t m[6] = {0, 1, 2, 10, 11, 12};
    int32_t md[2] = {2, 3};
    ug_variant mat = {.type = UG_TYPE_INT32, .array_len = 6, .ndims = 2, .dims = md, .u.arr = m};
    CU_ASSERT_EQUAL(ug_nrange_parse(ug_string_from("0:1,2"), &r), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_nrange_extract(&r, &mat, &out, &arena), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(out.array_len, 2);
    CU_ASSERT_EQUAL(out.ndims, 2);
    CU_ASSERT_EQUAL(out.dims[0], 2);
    CU_ASSERT_EQUAL(out.dims[1], 1);
    CU_ASSERT_EQUAL(((const int32_t *)out.u.arr)[0], 2);
    CU_ASSERT_EQUAL(((const int32_t *)out.u.arr)[1], 12);
    CU_ASSERT_EQUAL(ug_nrange_parse(ug_string_from("1,0:1"), &r), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_nrange_extract(&r, &mat, &out, &arena), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(((const int32_t *)out.u.arr)[1], 11);
    CU_ASSERT_EQUAL(ug_nrange_parse(ug_string_from("2,0"), &r), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_nrange_extract(&r, &mat, &out, &arena), UG_STATUS_BADINDEXRANGENODATA);
    /* strings: substring of a scalar, and of each element of an array */
    ug_variant s = ug_variant_scalar(UG_TYPE_STRING);
    s.u.v.string = ug_string_from("abcdef");
    CU_ASSERT_EQUAL(ug_nrange_parse(ug_string_from("1:2"), &r), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_nrange_extract(&r, &s, &out, &arena), UG_STATUS_GOOD);
    CU_ASSERT(ug_bytes_eq(out.u.v.string, ug_string_from("bc")));
    CU_ASSERT_EQUAL(ug_nrange_parse(ug_string_from("6"), &r), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_nrange_extract(&r, &s, &out, &arena), UG_STATUS_BADINDEXRANGENODATA);
    ug_string sa[2] = {ug_string_from("hello"), ug_string_from("ab")};
    ug_variant sarr = {.type = UG_TYPE_STRING, .array_len = 2, .u.arr = sa};
    CU_ASSERT_EQUAL(ug_nrange_parse(ug_string_from("0:1,1:3"), &r), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_nrange_extract(&r, &sarr, &out, &arena), UG_STATUS_GOOD);
    CU_ASSERT(ug_bytes_eq(((const ug_string *)out.u.arr)[0], ug_string_from("ell")));
    CU_ASSERT(ug_bytes_eq(((const ug_string *)out.u.arr)[1], ug_string_from("b")));
    CU_ASSERT_EQUAL(ug_nrange_parse(ug_string_from("0:1,7"), &r), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_nrange_extract(&r, &sarr, &out, &arena), UG_STATUS_BADINDEXRANGENODATA);
    /* scalars of other types, empty and null values have no data */
    ug_variant i32 = ug_variant_scalar(UG_TYPE_INT32);
    CU_ASSERT_EQUAL(ug_nrange_parse(ug_string_from("0"), &r), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_nrange_extract(&r, &i32, &out, &arena), UG_STATUS_BADINDEXRANGENODATA);
    ug_variant empty = {.type = UG_TYPE_INT32, .array_len = 0};
    CU_ASSERT_EQUAL(ug_nrange_extract(&r, &empty, &out, &arena), UG_STATUS_BADINDEXRANGENODATA);
    ug_variant null = {.type = UG_TYPE_NULL, .array_len = UG_SCALAR};
    CU_ASSERT_EQUAL(ug_nrange_extract(&r, &null, &out, &arena), UG_STATUS_BADINDEXRANGENODATA);
    /* no range: the value itself */
    struct ug_nrange none = {0};
    CU_ASSERT_EQUAL(ug_nrange_extract(&none, &arr, &out, &arena), UG_STATUS_GOOD);
    CU_ASSERT_PTR_EQUAL(out.u.arr, a);

    /* apply */
    int32_t p[2] = {99, 98};
    ug_variant patch = {.type = UG_TYPE_INT32, .array_len = 2, .u.arr = p};
    CU_ASSERT_EQUAL(ug_nrange_parse(ug_string_from("1:2"), &r), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_nrange_apply(&r, &arr, &patch, &out, &arena), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(((const int32_t *)out.u.arr)[1], 99);
    CU_ASSERT_EQUAL(((const int32_t *)out.u.arr)[2], 98);
    CU_ASSERT_EQUAL(((const int32_t *)out.u.arr)[3], 13);
    CU_ASSERT_EQUAL(a[1], 11); /* the source is untouched */
    CU_ASSERT_EQUAL(ug_nrange_parse(ug_string_from("4:5"), &r), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_nrange_apply(&r, &arr, &patch, &out, &arena), UG_STATUS_BADINDEXRANGENODATA);
    CU_ASSERT_EQUAL(ug_nrange_parse(ug_string_from("1:3"), &r), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_nrange_apply(&r, &arr, &patch, &out, &arena), UG_STATUS_BADINDEXRANGEINVALID);
    CU_ASSERT_EQUAL(ug_nrange_parse(ug_string_from("1,1"), &r), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_nrange_apply(&r, &arr, &patch, &out, &arena), UG_STATUS_BADINDEXRANGEINVALID);
    CU_ASSERT_EQUAL(ug_nrange_parse(ug_string_from("1:2"), &r), UG_STATUS_GOOD);
    ug_variant dpatch = {.type = UG_TYPE_DOUBLE, .array_len = 2, .u.arr = p};
    CU_ASSERT_EQUAL(ug_nrange_apply(&r, &arr, &dpatch, &out, &arena), UG_STATUS_BADTYPEMISMATCH);
    ug_variant spatch = ug_variant_scalar(UG_TYPE_INT32);
    CU_ASSERT_EQUAL(ug_nrange_apply(&r, &arr, &spatch, &out, &arena), UG_STATUS_BADTYPEMISMATCH);
    CU_ASSERT_EQUAL(ug_nrange_apply(&r, &mat, &patch, &out, &arena), UG_STATUS_BADINDEXRANGEINVALID);
    /* string patch */
    ug_variant sp = ug_variant_scalar(UG_TYPE_STRING);
    sp.u.v.string = ug_string_from("XY");
    CU_ASSERT_EQUAL(ug_nrange_apply(&r, &s, &sp, &out, &arena), UG_STATUS_GOOD);
    CU_ASSERT(ug_bytes_eq(out.u.v.string, ug_string_from("aXYdef")));
    sp.u.v.string = ug_string_from("XYZ");
    CU_ASSERT_EQUAL(ug_nrange_apply(&r, &s, &sp, &out, &arena), UG_STATUS_BADINDEXRANGEINVALID);
    CU_ASSERT_EQUAL(ug_nrange_apply(&r, &i32, &spatch, &out, &arena), UG_STATUS_BADTYPEMISMATCH);
    CU_ASSERT_EQUAL(ug_nrange_parse(ug_string_from("5:6"), &r), UG_STATUS_GOOD);
    sp.u.v.string = ug_string_from("XY");
    CU_ASSERT_EQUAL(ug_nrange_apply(&r, &s, &sp, &out, &arena), UG_STATUS_BADINDEXRANGENODATA);
    /* out of arena memory */
    ug_arena tiny;
    uint8_t tb[8];
    ug_arena_init(&tiny, tb, sizeof tb, false);
    CU_ASSERT_EQUAL(ug_nrange_parse(ug_string_from("0:4"), &r), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_nrange_extract(&r, &arr, &out, &tiny), UG_STATUS_BADOUTOFMEMORY);
}

/* ----------------------------------------------------------- method calls -- */

static ug_nodeid cid(const char *s) { return str(1, s); }
static ug_qualified_name cqn(const char *s) { return qn(1, s); }

static ug_status add_fn(void *c, const ug_nodeid *object, size_t n_in, const ug_variant *in,
                        size_t *n_out, ug_variant **out, ug_arena *ar)
{
    (void)c;
    (void)object;
    CU_ASSERT_EQUAL(n_in, 2);
    ug_variant *o = ug_arena_alloc(ar, sizeof *o);
    if (!o)
        return UG_STATUS_BADOUTOFMEMORY;
    *o = ug_variant_scalar(UG_TYPE_INT32);
    o->u.v.int32 = in[0].u.v.int32 + in[1].u.v.int32;
    *out = o;
    *n_out = 1;
    return UG_STATUS_GOOD;
}

static int call_done_count;
static ug_CallMethodResult *call_done_res;
static void call_done(void *c, ug_CallMethodResult *res)
{
    (void)c;
    call_done_count++;
    call_done_res = res;
}

static void test_call(void)
{
    ug_loop *loop;
    ug_pool *pool;
    CU_ASSERT_EQUAL_FATAL(ug_loop_new(NULL, &loop), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(ug_pool_new(loop, 1, &pool), UG_STATUS_GOOD);
    struct ug_aspace_config cfg = {.loop = loop, .pool = pool};
    CU_ASSERT_EQUAL_FATAL(ug_aspace_new(&cfg, &as), UG_STATUS_GOOD);
    ug_arena arena;
    ug_arena_init(&arena, NULL, 0, true);
    struct ug_nodes_arg ins[2] = {{"a", {.id.numeric = UG_TYPE_INT32}, -1, "first"},
                                  {"b", {.id.numeric = UG_TYPE_INT32}, -1, NULL}};
    struct ug_nodes_arg outs[1] = {{"sum", {.id.numeric = UG_TYPE_INT32}, -1, NULL}};
    struct ug_nodes_method m = {0};
    m.c.requested_id = cid("add");
    m.c.parent_id = ns0(UG_ID_SERVER);
    m.c.browse_name = cqn("Add");
    m.n_inputs = 2;
    m.inputs = ins;
    m.n_outputs = 1;
    m.outputs = outs;
    m.impl.call = add_fn;
    ug_nodeid mid;
    CU_ASSERT_EQUAL_FATAL(ug_nodes_add_method(as, &m, &mid), UG_STATUS_GOOD);
    ug_node *mn = ug_aspace_get(as, &mid);
    CU_ASSERT_PTR_NOT_NULL(ug_aspace_child(as, mn, (ug_qualified_name){0, ug_string_from("InputArguments")}));
    CU_ASSERT_PTR_NOT_NULL(ug_aspace_child(as, mn, (ug_qualified_name){0, ug_string_from("OutputArguments")}));
    /* async twin on the same object */
    m.c.requested_id = cid("addAsync");
    m.c.browse_name = cqn("AddAsync");
    m.impl.async = true;
    CU_ASSERT_EQUAL_FATAL(ug_nodes_add_method(as, &m, NULL), UG_STATUS_GOOD);
    m.impl.call = NULL;
    m.c.browse_name = cqn("NoImpl");
    CU_ASSERT_EQUAL(ug_nodes_add_method(as, &m, NULL), UG_STATUS_BADINVALIDARGUMENT);
    m.impl.call = add_fn;
    ins[0].name = "";
    m.c.requested_id = cid("badarg");
    CU_ASSERT_EQUAL(ug_nodes_add_method(as, &m, NULL), UG_STATUS_BADINVALIDARGUMENT);
    ug_nodeid badarg = cid("badarg");
    CU_ASSERT_PTR_NULL(ug_aspace_get(as, &badarg)); /* undone */

    ug_variant args[3];
    args[0] = ug_variant_scalar(UG_TYPE_INT32);
    args[0].u.v.int32 = 2;
    args[1] = ug_variant_scalar(UG_TYPE_INT32);
    args[1].u.v.int32 = 3;
    args[2] = args[1];
    ug_CallMethodRequest cr;
    memset(&cr, 0, sizeof cr);
    cr.object_id = ns0(UG_ID_SERVER);
    cr.method_id = cid("add");
    cr.input_arguments = args;
    cr.input_arguments_len = 2;
    ug_CallMethodResult res;
    CU_ASSERT_EQUAL(ug_aspace_call(as, &cr, &res, &arena, NULL, NULL), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(res.output_arguments_len, 1);
    CU_ASSERT_EQUAL(res.output_arguments[0].u.v.int32, 5);
    /* bad calls */
    struct { ug_nodeid obj, meth; int32_t n; bool wrong_type; ug_status want; } c[] = {
        {cid("nope"), cid("add"), 2, false, UG_STATUS_BADNODEIDUNKNOWN},
        {cid("add"), cid("add"), 2, false, UG_STATUS_BADNODEIDUNKNOWN}, /* not an object */
        {ns0(UG_ID_SERVER), cid("nope"), 2, false, UG_STATUS_BADMETHODINVALID},
        {ns0(UG_ID_SERVER), ns0(UG_ID_SERVER), 2, false, UG_STATUS_BADMETHODINVALID},
        {ns0(UG_ID_OBJECTSFOLDER), cid("add"), 2, false, UG_STATUS_BADMETHODINVALID},
        {ns0(UG_ID_SERVER), cid("add"), 1, false, UG_STATUS_BADARGUMENTSMISSING},
        {ns0(UG_ID_SERVER), cid("add"), 3, false, UG_STATUS_BADTOOMANYARGUMENTS},
        {ns0(UG_ID_SERVER), cid("add"), 2, true, UG_STATUS_BADINVALIDARGUMENT},
        /* Server.GetMonitoredItems: in ns0, no implementation attached
         * (not in the reduced set: then unknown) */
        {ns0(UG_ID_SERVER), ns0(11492), 1, false,
         ug_aspace_get_ns0(as, 11492) ? UG_STATUS_BADNOTIMPLEMENTED : UG_STATUS_BADMETHODINVALID},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        cr.object_id = c[i].obj;
        cr.method_id = c[i].meth;
        cr.input_arguments_len = c[i].n;
        args[1].type = c[i].wrong_type ? UG_TYPE_DOUBLE : UG_TYPE_INT32;
        ug_status st = ug_aspace_call(as, &cr, &res, &arena, NULL, NULL);
        if (st != c[i].want)
            fprintf(stderr, "call case %zu: 0x%08x\n", i, st);
        CU_ASSERT_EQUAL(st, c[i].want);
        CU_ASSERT_EQUAL(res.status_code, c[i].want);
        if (c[i].wrong_type) {
            CU_ASSERT_EQUAL(res.input_argument_results_len, 2);
            CU_ASSERT_EQUAL(res.input_argument_results[0], UG_STATUS_GOOD);
            CU_ASSERT_EQUAL(res.input_argument_results[1], UG_STATUS_BADTYPEMISMATCH);
        }
    }
    args[1].type = UG_TYPE_INT32;
    /* a broken InputArguments property (not an Argument) is our fault */
    ug_qualified_name ia = {0, ug_string_from("InputArguments")};
    ug_node *prop = ug_aspace_child(as, mn, ia);
    CU_ASSERT_PTR_NOT_NULL_FATAL(prop);
    uint8_t junk[2] = {1, 2};
    ug_extension_object bad[2] = {{.type_id = ns0(298), .encoding = UG_EO_BYTESTRING, .body = {junk, 2}},
                                  {.type_id = ns0(298), .encoding = UG_EO_BYTESTRING, .body = {junk, 2}}};
    ug_datavalue bdv = {.mask = UG_DV_VALUE,
                        .value = {.type = UG_TYPE_EXTENSIONOBJECT, .array_len = 2, .u.arr = bad}};
    ug_datavalue saved;
    void *saved_mem;
    CU_ASSERT_EQUAL_FATAL(ug_datavalue_clone(&saved, &saved_mem, prop->value), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_aspace_set_value(as, prop, &bdv), UG_STATUS_GOOD);
    cr.object_id = ns0(UG_ID_SERVER);
    cr.method_id = cid("add");
    cr.input_arguments_len = 2;
    CU_ASSERT_EQUAL(ug_aspace_call(as, &cr, &res, &arena, NULL, NULL), UG_STATUS_BADINTERNALERROR);
    CU_ASSERT_EQUAL(ug_aspace_set_value(as, prop, &saved), UG_STATUS_GOOD);
    free(saved_mem);
    CU_ASSERT_EQUAL(ug_aspace_call(as, &cr, &res, &arena, NULL, NULL), UG_STATUS_GOOD);
    /* not executable */
    mn->flags &= (uint8_t)~UG_NF_EXECUTABLE;
    cr.object_id = ns0(UG_ID_SERVER);
    cr.method_id = cid("add");
    cr.input_arguments_len = 2;
    CU_ASSERT_EQUAL(ug_aspace_call(as, &cr, &res, &arena, NULL, NULL), UG_STATUS_BADNOTEXECUTABLE);
    /* asynchronous: needs a done callback; runs on the worker */
    cr.method_id = cid("addAsync");
    CU_ASSERT_EQUAL(ug_aspace_call(as, &cr, &res, &arena, NULL, NULL), UG_STATUS_BADNOTSUPPORTED);
    call_done_count = 0;
    CU_ASSERT_EQUAL(ug_aspace_call(as, &cr, &res, &arena, call_done, NULL),
                    UG_STATUS_GOODCOMPLETESASYNCHRONOUSLY);
    args[0].u.v.int32 = 1000; /* the worker has its own copy of the inputs */
    for (int i = 0; i < 2000 && !call_done_count; i++)
        ug_loop_run_once(loop, false), usleep(1000);
    CU_ASSERT_EQUAL_FATAL(call_done_count, 1);
    CU_ASSERT_PTR_EQUAL(call_done_res, &res);
    CU_ASSERT_EQUAL(res.status_code, UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(res.output_arguments_len, 1);
    CU_ASSERT_EQUAL(res.output_arguments[0].u.v.int32, 5);
    /* cancelled by its request (done_ctx): done runs once, now, whether the
     * worker already finished or not; the late completion is dropped */
    int marker;
    call_done_count = 0;
    args[0].u.v.int32 = 2;
    CU_ASSERT_EQUAL(ug_aspace_call(as, &cr, &res, &arena, call_done, &marker),
                    UG_STATUS_GOODCOMPLETESASYNCHRONOUSLY);
    ug_aspace_cancel_ctx(as, &marker, UG_STATUS_BADSHUTDOWN);
    CU_ASSERT_EQUAL(call_done_count, 1);
    CU_ASSERT_EQUAL(res.status_code, UG_STATUS_BADSHUTDOWN);
    ug_aspace_cancel_ctx(as, &marker, UG_STATUS_BADSHUTDOWN); /* nothing left */
    ug_aspace_cancel_ctx(as, NULL, UG_STATUS_BADSHUTDOWN);
    for (int i = 0; i < 50; i++)
        ug_loop_run_once(loop, false), usleep(1000);
    CU_ASSERT_EQUAL(call_done_count, 1);
    ug_pool_free(pool);
    teardown();
    ug_arena_free(&arena);
    ug_loop_close(loop, -1);
}

static CU_TestInfo tests[] = {
    {"ns0 loaded from the generated tables", test_ns0_loaded},
    {"namespaces", test_namespaces},
    {"subtypes and built-in types", test_subtypes},
    {"AddNodes statuses", test_add_node_statuses},
    {"references both ways", test_references},
    {"delete nodes", test_delete_node},
    {"instantiate types", test_instantiate},
    {"deep value copies", test_value_clone},
    {"values and the change hook", test_values_and_hook},
    {"several change listeners", test_change_listeners},
    {"continuation point store", test_cp_store},
    {"NumericRange parse", test_nrange_parse},
    {"NumericRange extract and apply", test_nrange_extract_apply},
    {"Call: sync, async, statuses", test_call},
    CU_TEST_INFO_NULL,
};

int main(void) { return ug_test_main("clientserver/aspace", tests); }
