/* clientserver/aspace_method.c — calling a method for the Call service
 * (Part 4 §5.11.2): the method must belong to the object (or its type), be
 * executable and have an implementation; the input arguments are checked
 * against the InputArguments property (Part 3 §5.7: an array of Argument).
 */
#include <string.h>

#include "aspace_int.h"

/* Does `obj` (or its type definition, or a supertype of that) have `m` as a
 * HasComponent target? */
static bool method_of(const ug_aspace *as, const ug_node *obj, const ug_node *m)
{
    struct ug_ref_filter f = {UG_BROWSE_FORWARD, as->rt_hascomponent, true, UG_NC_METHOD};
    const ug_node *t = obj;
    for (int depth = 0; t && depth < 64; depth++) {
        struct ug_ref_view v;
        uint32_t pos = 0;
        while (ug_aspace_ref_next(as, t, &f, &pos, &v))
            if (v.target == m)
                return true;
        if (t == obj && obj->node_class == UG_NC_OBJECT) {
            t = ug_node_type_definition(as, obj);
            continue;
        }
        /* walk up HasSubtype */
        const ug_node *up = NULL;
        uint32_t cnt = ug_node_ref_count(t);
        for (uint32_t i = 0; i < cnt && !up; i++) {
            struct ug_ref_view r;
            ug_node_ref_at(as, t, i, &r);
            if (!r.is_forward && r.type == as->rt_hassubtype)
                up = r.target;
        }
        t = up;
    }
    return false;
}

/* The Argument list of the method's InputArguments property (decoded into
 * arena), or n == 0 when it has none. */
static ug_status input_args(ug_aspace *as, const ug_node *m, ug_arena *arena,
                            const ug_Argument ***out, size_t *n)
{
    *n = 0;
    *out = NULL;
    ug_node *p = ug_aspace_child(as, m, (ug_qualified_name){0, ug_string_from("InputArguments")});
    if (!p || !(ug_node_dv(p)->mask & UG_DV_VALUE))
        return UG_STATUS_GOOD;
    const ug_variant *v = &p->value->value;
    if (v->type != UG_TYPE_EXTENSIONOBJECT || !ug_variant_is_array(v) || v->array_len <= 0)
        return UG_STATUS_GOOD;
    const ug_Argument **a = ug_arena_alloc(arena, (size_t)v->array_len * sizeof *a);
    if (!a)
        return UG_STATUS_BADOUTOFMEMORY;
    const ug_extension_object *eo = v->u.arr;
    for (int32_t i = 0; i < v->array_len; i++) {
        const ug_type_desc *d;
        void *s;
        ug_status st = ug_eo_decode(&eo[i], &ug_desc_Argument, &d, &s, NULL, arena);
        if (st != UG_STATUS_GOOD)
            return UG_STATUS_BADINTERNALERROR; /* our own property is broken */
        a[i] = s;
    }
    *out = a;
    *n = (size_t)v->array_len;
    return UG_STATUS_GOOD;
}

static bool arg_fits(const ug_aspace *as, const ug_Argument *a, const ug_variant *v)
{
    /* reuse the Write rules on a stand-in node with the argument's type */
    ug_node tmp;
    memset(&tmp, 0, sizeof tmp);
    tmp.data_type = a->data_type;
    tmp.value_rank = a->value_rank;
    ug_variant c = *v;
    return ug_aspace_check_value(as, &tmp, &c) == UG_STATUS_GOOD;
}

ug_status ug_aspace_call(ug_aspace *as, const ug_CallMethodRequest *req, ug_CallMethodResult *res,
                         ug_arena *arena, ug_call_done_fn done, void *done_ctx)
{
    memset(res, 0, sizeof *res);
    ug_node *obj = ug_aspace_get(as, &req->object_id);
    if (!obj || (obj->node_class != UG_NC_OBJECT && obj->node_class != UG_NC_OBJECTTYPE))
        return res->status_code = UG_STATUS_BADNODEIDUNKNOWN;
    ug_node *m = ug_aspace_get(as, &req->method_id);
    if (!m || m->node_class != UG_NC_METHOD || !method_of(as, obj, m))
        return res->status_code = UG_STATUS_BADMETHODINVALID;
    if (!(m->flags & UG_NF_EXECUTABLE))
        return res->status_code = UG_STATUS_BADNOTEXECUTABLE;
    const struct ug_method_impl *impl = ug_node_method(m);
    if (!impl)
        return res->status_code = UG_STATUS_BADNOTIMPLEMENTED;
    const ug_Argument **args;
    size_t n_args;
    ug_status st = input_args(as, m, arena, &args, &n_args);
    if (st != UG_STATUS_GOOD)
        return res->status_code = st;
    size_t n_in = req->input_arguments_len > 0 ? (size_t)req->input_arguments_len : 0;
    if (n_in < n_args)
        return res->status_code = UG_STATUS_BADARGUMENTSMISSING;
    if (n_in > n_args)
        return res->status_code = UG_STATUS_BADTOOMANYARGUMENTS;
    if (n_in) {
        ug_status *ir = ug_arena_alloc(arena, n_in * sizeof *ir);
        if (!ir)
            return res->status_code = UG_STATUS_BADOUTOFMEMORY;
        bool bad = false;
        for (size_t i = 0; i < n_in; i++) {
            ir[i] = arg_fits(as, args[i], &req->input_arguments[i]) ? UG_STATUS_GOOD
                                                                     : UG_STATUS_BADTYPEMISMATCH;
            bad |= ir[i] != UG_STATUS_GOOD;
        }
        if (bad) {
            res->input_argument_results = ir;
            res->input_argument_results_len = (int32_t)n_in;
            return res->status_code = UG_STATUS_BADINVALIDARGUMENT;
        }
    }
    if (impl->async) {
        if (!done)
            return res->status_code = UG_STATUS_BADNOTSUPPORTED;
        st = ug_aspace_async_call(as, m, req, res, arena, done, done_ctx);
        if (st != UG_STATUS_GOOD)
            return res->status_code = st;
        return UG_STATUS_GOODCOMPLETESASYNCHRONOUSLY;
    }
    size_t n_out = 0;
    ug_variant *out = NULL;
    st = impl->call(impl->ctx, &obj->id, n_in, req->input_arguments, &n_out, &out, arena);
    res->status_code = st;
    if (ug_is_good(st)) {
        res->output_arguments = out;
        res->output_arguments_len = (int32_t)n_out;
    }
    return st;
}
