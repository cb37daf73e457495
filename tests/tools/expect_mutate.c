/* expect_mutate — proof that the comparison looks at every value: change each
 * leaf of an expectation that matched, one at a time, and require that
 * ug_expect_compare_nm then reports a difference. A leaf whose change goes
 * unnoticed is a value the checker never compared. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"
#include "expect_int.h"

typedef struct mut_ctx {
    const ug_nm *nm;
    int tried;
    char undetected[256]; /* first leaf whose change was not noticed */
    char why[512];
} mut_ctx;

/* A value that differs from `v` under every comparison the schema allows. */
static json_t *mutated(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_INTEGER: return json_integer(json_integer_value(v) + 1);
    case JSON_REAL: {
        double d = json_real_value(v);
        /* Stay finite (jansson has no Infinity) and change Float-rounded values too. */
        if (fabs(d) > 1e300)
            return json_real(d / 2);
        if (fabs(d) >= 1e15)
            return json_real(d * 2);
        return json_real(d + 1.0);
    }
    case JSON_STRING: {
        const char *s = json_string_value(v);
        if (!strcmp(s, "NaN") || !strcmp(s, "Infinity") || !strcmp(s, "-Infinity"))
            return json_real(1.0);
        size_t n = json_string_length(v);
        char *t = malloc(n + 2);
        if (!t)
            return NULL;
        memcpy(t, s, n);
        t[n] = 'x';
        t[n + 1] = 0;
        json_t *r = json_stringn(t, n + 1);
        free(t);
        return r;
    }
    case JSON_TRUE: return json_false();
    case JSON_FALSE: return json_true();
    case JSON_NULL: return json_integer(0);
    default: return NULL;
    }
}

static bool detected(mut_ctx *c, const json_t *root)
{
    char why[512];
    c->tried++;
    if (ug_expect_compare_nm(root, c->nm, false, why, sizeof why) != 0)
        return true;
    snprintf(c->why, sizeof c->why, "%s", why);
    return false;
}

/* Walks `node` (inside `root`); returns false at the first undetected change. */
static bool walk(mut_ctx *c, json_t *root, json_t *node, const char *path)
{
    char p[256];
    if (json_is_object(node)) {
        const char *key;
        json_t *val;
        json_object_foreach(node, key, val) {
            /* The sizes array is on the wire, not in the model: check-vectors
             * compares it with the bytes instead. */
            if (!strcmp(key, "dataset_message_sizes"))
                continue;
            ug_expect_path(p, sizeof p, "%s.%s", path, key);
            if (json_is_object(val) || json_is_array(val)) {
                if (!walk(c, root, val, p))
                    return false;
                continue;
            }
            json_t *orig = json_incref(val);
            json_t *m = mutated(orig);
            bool ok = true;
            if (m && json_object_set_new(node, key, m) == 0) {
                ok = detected(c, root);
                json_object_set(node, key, orig);
            }
            json_decref(orig);
            if (!ok) {
                snprintf(c->undetected, sizeof c->undetected, "%s", p);
                return false;
            }
        }
        return true;
    }
    for (size_t i = 0; i < json_array_size(node); i++) {
        json_t *val = json_array_get(node, i);
        ug_expect_path(p, sizeof p, "%s[%zu]", path, i);
        if (json_is_object(val) || json_is_array(val)) {
            if (!walk(c, root, val, p))
                return false;
            continue;
        }
        json_t *orig = json_incref(val);
        json_t *m = mutated(orig);
        bool ok = true;
        if (m && json_array_set_new(node, i, m) == 0) {
            ok = detected(c, root);
            json_array_set(node, i, orig);
        }
        json_decref(orig);
        if (!ok) {
            snprintf(c->undetected, sizeof c->undetected, "%s", p);
            return false;
        }
    }
    return true;
}

int ug_expect_mutation_check(const json_t *expect_nm, const ug_nm *nm, int *n_tried, char *why,
                             size_t why_cap)
{
    mut_ctx c;
    memset(&c, 0, sizeof c);
    c.nm = nm;
    json_t *copy = json_deep_copy(expect_nm);
    if (!copy) {
        snprintf(why, why_cap, "mutation check: out of memory");
        return -1;
    }
    bool ok = walk(&c, copy, copy, "network_message");
    json_decref(copy);
    if (n_tried)
        *n_tried = c.tried;
    if (!ok)
        snprintf(why, why_cap, "self-check: changing %s went unnoticed by the comparison",
                 c.undetected);
    return ok ? 0 : -1;
}
