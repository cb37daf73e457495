/* Browse-name uniqueness among the children of one parent (Part 4 §5.7.2.2,
 * BadBrowseNameDuplicated) through the (parent, browse name) index of
 * clientserver/aspace_names.c: 20,000 variables under one folder, and the
 * index kept in step with deleted nodes, deleted and added references,
 * renamed nodes and a parent deleted and re-created. */
#include <stdio.h>
#include <string.h>

#include "../../clientserver/aspace_int.h"
#include "harness.h"
#include "uagate/nodes.h"

enum { MANY = 20000, FOLDER = 50000, BASE = 100000 };

static ug_aspace *as;

static ug_nodeid num(uint16_t ns, uint32_t i)
{
    return (ug_nodeid){.ns = ns, .id_type = UG_ID_NUMERIC, .id.numeric = i};
}

static ug_status add_folder(uint32_t id, uint32_t parent)
{
    struct ug_nodes_object o;
    memset(&o, 0, sizeof o);
    o.c.requested_id = num(1, id);
    o.c.parent_id = parent ? num(1, parent) : num(0, UG_ID_OBJECTSFOLDER);
    o.c.reference_type_id = num(0, UG_ID_ORGANIZES);
    o.c.browse_name = (ug_qualified_name){1, ug_string_from("Folder")};
    o.type_definition = num(0, UG_ID_FOLDERTYPE);
    return ug_nodes_add_object(as, &o, NULL);
}

/* A Double variable ns=1;i=id named "v<k>" (k < 0: name given) under parent. */
static ug_status add_var(uint32_t id, uint32_t parent, int k, const char *name)
{
    char buf[16];
    if (k >= 0) {
        snprintf(buf, sizeof buf, "v%05d", k);
        name = buf;
    }
    struct ug_nodes_variable v;
    memset(&v, 0, sizeof v);
    v.c.requested_id = num(1, id);
    v.c.parent_id = num(1, parent);
    v.c.browse_name = (ug_qualified_name){1, ug_string_from(name)};
    v.data_type = num(0, UG_TYPE_DOUBLE);
    v.value_rank = -1;
    return ug_nodes_add_variable(as, &v, NULL);
}

static void setup(void) { CU_ASSERT_EQUAL_FATAL(ug_aspace_new(NULL, &as), UG_STATUS_GOOD); }
static void teardown(void)
{
    ug_aspace_free(as);
    as = NULL;
}

static void test_many_children(void)
{
    setup();
    CU_ASSERT_EQUAL_FATAL(add_folder(FOLDER, 0), UG_STATUS_GOOD);
    int64_t t0 = ug_clock_mono_ns();
    int bad = 0;
    for (int k = 0; k < MANY; k++)
        if (add_var(BASE + (uint32_t)k, FOLDER, k, NULL) != UG_STATUS_GOOD)
            bad++;
    int64_t took = ug_clock_mono_ns() - t0;
    fprintf(stderr, "\n    %d variables under one folder: %.1f ms\n", MANY, (double)took / 1e6);
    CU_ASSERT_EQUAL(bad, 0);
    /* duplicates of the first, a middle and the last name are refused */
    CU_ASSERT_EQUAL(add_var(1, FOLDER, 0, NULL), UG_STATUS_BADBROWSENAMEDUPLICATED);
    CU_ASSERT_EQUAL(add_var(1, FOLDER, MANY / 2, NULL), UG_STATUS_BADBROWSENAMEDUPLICATED);
    CU_ASSERT_EQUAL(add_var(1, FOLDER, MANY - 1, NULL), UG_STATUS_BADBROWSENAMEDUPLICATED);
    ug_nodeid one = num(1, 1);
    CU_ASSERT_PTR_NULL(ug_aspace_get(as, &one));
    /* a new name is taken; the same name under another parent is fine */
    CU_ASSERT_EQUAL(add_var(1, FOLDER, MANY, NULL), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(add_folder(FOLDER + 1, 0), UG_STATUS_BADBROWSENAMEDUPLICATED);
    CU_ASSERT_EQUAL(add_folder(FOLDER + 1, FOLDER), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(add_var(2, FOLDER + 1, 0, NULL), UG_STATUS_GOOD);
    /* lookups find the node */
    ug_node *f = ug_aspace_get(as, &(ug_nodeid){.ns = 1, .id.numeric = FOLDER});
    ug_node *c = ug_aspace_child(as, f, (ug_qualified_name){1, ug_string_from("v12345")});
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL(c->id.id.numeric, BASE + 12345);
    CU_ASSERT_PTR_NULL(ug_aspace_child(as, f, (ug_qualified_name){0, ug_string_from("v12345")}));
    CU_ASSERT_PTR_NULL(ug_aspace_child(as, f, (ug_qualified_name){1, ug_string_from("v1234")}));
    teardown();
}

static void test_index_in_step(void)
{
    setup();
    CU_ASSERT_EQUAL_FATAL(add_folder(FOLDER, 0), UG_STATUS_GOOD);
    for (int k = 0; k < 200; k++)
        CU_ASSERT_EQUAL(add_var(BASE + (uint32_t)k, FOLDER, k, NULL), UG_STATUS_GOOD);
    ug_nodeid folder = num(1, FOLDER), v5 = num(1, BASE + 5), v7 = num(1, BASE + 7);
    ug_nodeid hc = num(0, UG_ID_HASCOMPONENT), org = num(0, UG_ID_ORGANIZES);
    ug_nodeid nonhier = num(0, UG_ID_HASTYPEDEFINITION);

    /* a deleted child frees its name */
    CU_ASSERT_EQUAL(ug_nodes_delete(as, &v5, false), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(add_var(1, FOLDER, 5, NULL), UG_STATUS_GOOD);

    /* a deleted reference frees the name; added back, it is taken again */
    CU_ASSERT_EQUAL(ug_aspace_delete_ref(as, &folder, &org, &v7, true), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(add_var(2, FOLDER, 7, NULL), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_nodes_delete(as, &(ug_nodeid){.ns = 1, .id.numeric = 2}, false),
                    UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_aspace_add_ref(as, &v7, &hc, &folder, false), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(add_var(2, FOLDER, 7, NULL), UG_STATUS_BADBROWSENAMEDUPLICATED);
    /* two hierarchical references to one child: removing one keeps the name */
    CU_ASSERT_EQUAL(ug_aspace_add_ref(as, &folder, &org, &v7, true), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_aspace_delete_ref(as, &folder, &hc, &v7, true), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(add_var(2, FOLDER, 7, NULL), UG_STATUS_BADBROWSENAMEDUPLICATED);
    /* a non-hierarchical reference does not make a child */
    ug_nodeid lone = num(1, 3);
    CU_ASSERT_EQUAL(add_var(3, FOLDER, -1, "lone"), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_aspace_delete_ref(as, &folder, &org, &lone, true), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_aspace_add_ref(as, &folder, &nonhier, &lone, true), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_aspace_add_ref(as, &folder, &nonhier, &lone, true),
                    UG_STATUS_BADDUPLICATEREFERENCENOTALLOWED);
    CU_ASSERT_EQUAL(add_var(4, FOLDER, -1, "lone"), UG_STATUS_GOOD);

    /* a renamed child: the old name is free, the new one taken */
    ug_node *n9 = ug_aspace_get(as, &(ug_nodeid){.ns = 1, .id.numeric = BASE + 9});
    CU_ASSERT_PTR_NOT_NULL_FATAL(n9);
    n9->write_mask |= UG_WM_BROWSENAME;
    ug_WriteValue wv;
    memset(&wv, 0, sizeof wv);
    wv.node_id = n9->id;
    wv.attribute_id = UG_ATTR_BROWSE_NAME;
    wv.value.mask = UG_DV_VALUE;
    wv.value.value = ug_variant_scalar(UG_TYPE_QUALIFIEDNAME);
    wv.value.value.u.v.qname = (ug_qualified_name){1, ug_string_from("renamed")};
    CU_ASSERT_EQUAL(ug_aspace_write_attr(as, &wv), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(add_var(5, FOLDER, -1, "renamed"), UG_STATUS_BADBROWSENAMEDUPLICATED);
    CU_ASSERT_EQUAL(add_var(5, FOLDER, 9, NULL), UG_STATUS_GOOD);

    /* the parent deleted with its children and made again: no stale entry */
    CU_ASSERT_EQUAL(ug_nodes_delete(as, &folder, true), UG_STATUS_GOOD);
    CU_ASSERT_PTR_NULL(ug_aspace_get(as, &v7));
    CU_ASSERT_EQUAL_FATAL(add_folder(FOLDER, 0), UG_STATUS_GOOD);
    int bad = 0;
    for (int k = 0; k < 200; k++)
        if (add_var(BASE + (uint32_t)k, FOLDER, k, NULL) != UG_STATUS_GOOD)
            bad++;
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(add_var(1, FOLDER, 199, NULL), UG_STATUS_BADBROWSENAMEDUPLICATED);
    teardown();
}

/* The Objects folder of namespace 0 has children from the generated tables
 * (Server): its index must hold those too once it is built. */
static void test_ns0_parent(void)
{
    setup();
    for (int k = 0; k < 100; k++) {
        struct ug_nodes_object o;
        memset(&o, 0, sizeof o);
        char name[16];
        snprintf(name, sizeof name, "o%d", k);
        o.c.requested_id = num(1, BASE + (uint32_t)k);
        o.c.parent_id = num(0, UG_ID_OBJECTSFOLDER);
        o.c.browse_name = (ug_qualified_name){1, ug_string_from(name)};
        CU_ASSERT_EQUAL(ug_nodes_add_object(as, &o, NULL), UG_STATUS_GOOD);
    }
    ug_node *objects = ug_aspace_get_ns0(as, UG_ID_OBJECTSFOLDER);
    ug_node *server = ug_aspace_child(as, objects, (ug_qualified_name){0, ug_string_from("Server")});
    if (ug_aspace_get_ns0(as, UG_ID_SERVER)) {
        CU_ASSERT_PTR_EQUAL(server, ug_aspace_get_ns0(as, UG_ID_SERVER));
    }
    CU_ASSERT_PTR_NOT_NULL(ug_aspace_child(as, objects, (ug_qualified_name){1, ug_string_from("o42")}));
    struct ug_nodes_object o;
    memset(&o, 0, sizeof o);
    o.c.requested_id = num(1, 1);
    o.c.parent_id = num(0, UG_ID_OBJECTSFOLDER);
    o.c.browse_name = (ug_qualified_name){1, ug_string_from("o99")};
    CU_ASSERT_EQUAL(ug_nodes_add_object(as, &o, NULL), UG_STATUS_BADBROWSENAMEDUPLICATED);
    teardown();
}

static CU_TestInfo tests[] = {
    {"20,000 children under one folder", test_many_children},
    {"the index follows deletes, references and renames", test_index_in_step},
    {"a namespace 0 parent", test_ns0_parent},
    CU_TEST_INFO_NULL,
};

int main(void) { return ug_test_main("aspace_names", tests); }
