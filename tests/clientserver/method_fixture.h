/* method_fixture — the "a + b" method both Call-service tests
 * (test_svc_method.c, test_svc_method_cancel.c) put in a server's address
 * space: two Int32 inputs a and b, one Int32 output sum (Part 3 §5.7,
 * InputArguments/OutputArguments). Functions are static inline so a program
 * that uses only some of them builds with -Werror.
 *
 * Lifetime: no state; the output Variant lives in the call's arena.
 */
#ifndef UG_TESTS_METHOD_FIXTURE_H
#define UG_TESTS_METHOD_FIXTURE_H

#include <string.h>

#include "uagate/nodes.h"

/* in[0] + in[1] as the one Int32 output, allocated in arena. Returns Good,
 * BadInternalError (not two inputs), BadOutOfMemory. */
static inline ug_status sum_output(size_t n_in, const ug_variant *in, size_t *n_out,
                                   ug_variant **out, ug_arena *arena)
{
    if (n_in != 2)
        return UG_STATUS_BADINTERNALERROR;
    ug_variant *o = ug_arena_alloc(arena, sizeof *o);
    if (!o)
        return UG_STATUS_BADOUTOFMEMORY;
    *o = ug_variant_scalar(UG_TYPE_INT32);
    o->u.v.int32 = in[0].u.v.int32 + in[1].u.v.int32;
    *out = o;
    *n_out = 1;
    return UG_STATUS_GOOD;
}

/* A method node id (browse name 1:name) under parent with the signature
 * (Int32 a, Int32 b) -> Int32 sum, implemented by fn. Returns
 * ug_nodes_add_method's statuses. */
static inline ug_status add_sum_method(ug_aspace *as, ug_nodeid id, ug_nodeid parent,
                                       const char *name, ug_method_fn fn, bool async)
{
    static const struct ug_nodes_arg ins[] = {
        {"a", {.ns = 0, .id_type = UG_ID_NUMERIC, .id.numeric = 6}, -1, NULL},
        {"b", {.ns = 0, .id_type = UG_ID_NUMERIC, .id.numeric = 6}, -1, NULL},
    };
    static const struct ug_nodes_arg outs[] = {
        {"sum", {.ns = 0, .id_type = UG_ID_NUMERIC, .id.numeric = 6}, -1, NULL},
    };
    struct ug_nodes_method m;
    memset(&m, 0, sizeof m);
    m.c.requested_id = id;
    m.c.parent_id = parent;
    m.c.browse_name = (ug_qualified_name){1, ug_string_from(name)};
    m.n_inputs = 2;
    m.inputs = ins;
    m.n_outputs = 1;
    m.outputs = outs;
    m.impl.call = fn;
    m.impl.async = async;
    return ug_nodes_add_method(as, &m, NULL);
}

#endif
