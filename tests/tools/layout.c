/* layout — ug_dsm_layout from an expect file's "decode_metadata". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"

void ug_expect_layouts_free(ug_expect_layouts *l)
{
    free(l->layouts);
    free(l->fields);
    free(l->dims);
    memset(l, 0, sizeof *l);
}

static int bad(ug_expect_layouts *l, char *why, size_t cap, const char *what, size_t i, size_t j)
{
    if (cap > 0)
        snprintf(why, cap, "decode_metadata[%zu].fields[%zu]: %s", i, j, what);
    ug_expect_layouts_free(l);
    return -1;
}

static bool get_uint(const json_t *obj, const char *key, long long max, long long *out)
{
    const json_t *v = json_object_get(obj, key);
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > max)
        return false;
    *out = json_integer_value(v);
    return true;
}

int ug_expect_layouts_init(ug_expect_layouts *l, const json_t *meta, char *why, size_t cap)
{
    memset(l, 0, sizeof *l);
    if (json_is_null(meta) || !meta)
        return 0;
    if (!json_is_array(meta)) {
        if (cap > 0)
            snprintf(why, cap, "decode_metadata: not a list");
        return -1;
    }
    size_t n = json_array_size(meta), nf = 0, nd = 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *fields = json_object_get(json_array_get(meta, i), "fields");
        if (!json_is_array(fields))
            return bad(l, why, cap, "no fields list", i, 0);
        for (size_t j = 0; j < json_array_size(fields); j++)
            nd += json_array_size(json_object_get(json_array_get(fields, j), "array_dimensions"));
        nf += json_array_size(fields);
    }
    l->layouts = calloc(n ? n : 1, sizeof *l->layouts);
    l->fields = calloc(nf ? nf : 1, sizeof *l->fields);
    l->dims = calloc(nd ? nd : 1, sizeof *l->dims);
    if (!l->layouts || !l->fields || !l->dims)
        return bad(l, why, cap, "out of memory", 0, 0);
    l->n = n;

    size_t fi = 0, di = 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *m = json_array_get(meta, i);
        const json_t *fields = json_object_get(m, "fields");
        long long wid, csize;
        if (!get_uint(m, "dataset_writer_id", 0xFFFF, &wid) ||
            !get_uint(m, "configured_size", 0xFFFF, &csize))
            return bad(l, why, cap, "bad dataset_writer_id or configured_size", i, 0);
        ug_dsm_layout *lay = &l->layouts[i];
        lay->writer_id = (uint16_t)wid;
        lay->configured_size = (uint16_t)csize;
        lay->n_fields = (int32_t)json_array_size(fields);
        lay->fields = &l->fields[fi];
        for (size_t j = 0; j < json_array_size(fields); j++, fi++) {
            const json_t *f = json_array_get(fields, j);
            ug_field_meta *fm = &l->fields[fi];
            const json_t *name = json_object_get(f, "name");
            const json_t *type = json_object_get(f, "builtin_type");
            const json_t *rank = json_object_get(f, "value_rank");
            const json_t *dims = json_object_get(f, "array_dimensions");
            long long maxlen;
            int t = json_is_string(type) ? ug_type_from_name(json_string_value(type), -1) : -1;
            if (t <= 0)
                return bad(l, why, cap, "unknown builtin_type", i, j);
            if (!json_is_integer(rank) || !get_uint(f, "max_string_length", 0xFFFFFFFFLL, &maxlen))
                return bad(l, why, cap, "bad value_rank or max_string_length", i, j);
            fm->name = json_is_string(name) ? ug_string_from(json_string_value(name))
                                            : UG_NULL_BYTES;
            fm->description = (ug_localized_text){UG_NULL_BYTES, UG_NULL_BYTES};
            fm->builtin_type = (uint8_t)t;
            /* Part 6 Table 1: the DataType NodeId of a built-in type is ns=0;i=<id>. */
            fm->data_type.ns = 0;
            fm->data_type.id_type = UG_ID_NUMERIC;
            fm->data_type.id.numeric = (uint32_t)t;
            fm->value_rank = (int32_t)json_integer_value(rank);
            fm->max_string_len = (uint32_t)maxlen;
            fm->n_array_dims = -1;
            if (json_is_array(dims)) {
                fm->n_array_dims = (int32_t)json_array_size(dims);
                fm->array_dims = &l->dims[di];
                for (size_t k = 0; k < json_array_size(dims); k++) {
                    const json_t *d = json_array_get(dims, k);
                    if (!json_is_integer(d) || json_integer_value(d) < 0 ||
                        json_integer_value(d) > 0xFFFFFFFFLL)
                        return bad(l, why, cap, "bad array_dimensions", i, j);
                    l->dims[di++] = (uint32_t)json_integer_value(d);
                }
            } else if (!json_is_null(dims)) {
                return bad(l, why, cap, "bad array_dimensions", i, j);
            }
            fm->n_properties = 0;
        }
    }
    return 0;
}
