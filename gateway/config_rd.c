/* config_rd — JSON paths, error lines and typed getters for the loader. */
#include "config_rd.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

size_t cfg_push_key(cfg_rd *rd, const char *key)
{
    size_t old = rd->path_len;
    int n = snprintf(rd->path + old, sizeof rd->path - old, ".%s", key);
    if (n > 0)
        rd->path_len = old + (size_t)n < sizeof rd->path ? old + (size_t)n : sizeof rd->path - 1;
    return old;
}

size_t cfg_push_index(cfg_rd *rd, size_t i)
{
    size_t old = rd->path_len;
    int n = snprintf(rd->path + old, sizeof rd->path - old, "[%zu]", i);
    if (n > 0)
        rd->path_len = old + (size_t)n < sizeof rd->path ? old + (size_t)n : sizeof rd->path - 1;
    return old;
}

void cfg_pop(cfg_rd *rd, size_t len)
{
    rd->path_len = len;
    rd->path[len] = '\0';
}

void cfg_err(cfg_rd *rd, const char *key, const char *fmt, ...)
{
    rd->errors++;
    if (!rd->errf)
        return;
    fprintf(rd->errf, "%s: %s%s%s: ", rd->file, rd->path, key ? "." : "", key ? key : "");
    va_list ap;
    va_start(ap, fmt);
    vfprintf(rd->errf, fmt, ap);
    va_end(ap);
    fputc('\n', rd->errf);
}

void cfg_check_members(cfg_rd *rd, json_t *obj, const char *const *allowed)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        (void)v;
        bool ok = key[0] == '$'; /* "$schema", "$comment" */
        for (const char *const *a = allowed; !ok && *a; a++)
            ok = strcmp(key, *a) == 0;
        if (!ok)
            cfg_err(rd, NULL, "unknown member \"%s\"", key);
    }
}

static const char *kind_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    default: return "null";
    }
}

json_t *cfg_object(cfg_rd *rd, json_t *obj, const char *key, bool required)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        if (required)
            cfg_err(rd, key, "missing (an object is required)");
        return NULL;
    }
    if (!json_is_object(v)) {
        cfg_err(rd, key, "must be an object, not %s", kind_name(v));
        return NULL;
    }
    return v;
}

json_t *cfg_array(cfg_rd *rd, json_t *obj, const char *key, bool required)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        if (required)
            cfg_err(rd, key, "missing (an array is required)");
        return NULL;
    }
    if (!json_is_array(v)) {
        cfg_err(rd, key, "must be an array, not %s", kind_name(v));
        return NULL;
    }
    return v;
}

bool cfg_string(cfg_rd *rd, json_t *obj, const char *key, bool required, char **out)
{
    *out = NULL;
    json_t *v = json_object_get(obj, key);
    if (!v) {
        if (required)
            cfg_err(rd, key, "missing (a string is required)");
        return !required;
    }
    if (!json_is_string(v)) {
        cfg_err(rd, key, "must be a string, not %s", kind_name(v));
        return false;
    }
    if (required && json_string_length(v) == 0) {
        cfg_err(rd, key, "must not be empty");
        return false;
    }
    if (strlen(json_string_value(v)) != json_string_length(v)) {
        cfg_err(rd, key, "must not contain NUL characters");
        return false;
    }
    *out = strdup(json_string_value(v));
    return *out != NULL;
}

bool cfg_bool(cfg_rd *rd, json_t *obj, const char *key, bool def, bool *out)
{
    *out = def;
    json_t *v = json_object_get(obj, key);
    if (!v)
        return true;
    if (!json_is_boolean(v)) {
        cfg_err(rd, key, "must be true or false, not %s", kind_name(v));
        return false;
    }
    *out = json_is_true(v);
    return true;
}

bool cfg_uint(cfg_rd *rd, json_t *obj, const char *key, bool required, uint64_t min,
              uint64_t max, uint64_t def, uint64_t *out)
{
    *out = def;
    json_t *v = json_object_get(obj, key);
    if (!v) {
        if (required)
            cfg_err(rd, key, "missing (an integer %llu..%llu is required)",
                    (unsigned long long)min, (unsigned long long)max);
        return !required;
    }
    /* jansson holds integers as json_int_t (long long): values above
     * INT64_MAX do not parse as integers and are refused here. */
    if (!json_is_integer(v) || json_integer_value(v) < 0 ||
        (uint64_t)json_integer_value(v) < min || (uint64_t)json_integer_value(v) > max) {
        if (json_is_integer(v))
            cfg_err(rd, key, "%lld is out of range (%llu..%llu)", (long long)json_integer_value(v),
                    (unsigned long long)min, (unsigned long long)max);
        else
            cfg_err(rd, key, "must be an integer %llu..%llu, not %s", (unsigned long long)min,
                    (unsigned long long)max, kind_name(v));
        return false;
    }
    *out = (uint64_t)json_integer_value(v);
    return true;
}

bool cfg_int(cfg_rd *rd, json_t *obj, const char *key, int64_t min, int64_t max, int64_t def,
             int64_t *out)
{
    *out = def;
    json_t *v = json_object_get(obj, key);
    if (!v)
        return true;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
        if (json_is_integer(v))
            cfg_err(rd, key, "%lld is out of range (%lld..%lld)", (long long)json_integer_value(v),
                    (long long)min, (long long)max);
        else
            cfg_err(rd, key, "must be an integer %lld..%lld, not %s", (long long)min,
                    (long long)max, kind_name(v));
        return false;
    }
    *out = json_integer_value(v);
    return true;
}

bool cfg_number(cfg_rd *rd, json_t *obj, const char *key, double def, double *out)
{
    *out = def;
    json_t *v = json_object_get(obj, key);
    if (!v)
        return true;
    if (!json_is_number(v)) {
        cfg_err(rd, key, "must be a number, not %s", kind_name(v));
        return false;
    }
    *out = json_number_value(v);
    return true;
}

bool ug_cfg_parse_duration(const char *s, int64_t *out_ns)
{
    if (strcmp(s, "0") == 0) {
        *out_ns = 0;
        return true;
    }
    if (!((s[0] >= '0' && s[0] <= '9') || s[0] == '.'))
        return false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || !isfinite(v) || v < 0)
        return false;
    static const struct {
        const char *unit;
        double ns;
    } units[] = {{"ns", 1}, {"us", 1e3}, {"\xc2\xb5s", 1e3}, {"ms", 1e6}, {"s", 1e9},
                 {"min", 60e9}, {"h", 3600e9}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcmp(end, units[i].unit) == 0) {
            double ns = v * units[i].ns;
            if (ns > 9.2e18 || ns != floor(ns))
                return false;
            *out_ns = (int64_t)ns;
            return true;
        }
    return false;
}

bool cfg_duration(cfg_rd *rd, json_t *obj, const char *key, bool required, int64_t def,
                  int64_t *out)
{
    *out = def;
    json_t *v = json_object_get(obj, key);
    if (!v) {
        if (required)
            cfg_err(rd, key, "missing (a duration such as \"1ms\" is required)");
        return !required;
    }
    if (!json_is_string(v)) {
        cfg_err(rd, key, "must be a duration string such as \"1ms\" or \"250us\", not %s",
                kind_name(v));
        return false;
    }
    if (!ug_cfg_parse_duration(json_string_value(v), out)) {
        cfg_err(rd, key, "\"%s\" is not a duration (use e.g. \"1ms\", \"250us\")",
                json_string_value(v));
        return false;
    }
    return true;
}

/* The built-in types a value store slot and a simulator can carry. */
static const uint8_t store_types[] = {
    UG_TYPE_BOOLEAN, UG_TYPE_SBYTE,  UG_TYPE_BYTE,   UG_TYPE_INT16,      UG_TYPE_UINT16,
    UG_TYPE_INT32,   UG_TYPE_UINT32, UG_TYPE_INT64,  UG_TYPE_UINT64,     UG_TYPE_FLOAT,
    UG_TYPE_DOUBLE,  UG_TYPE_STRING, UG_TYPE_DATETIME, UG_TYPE_BYTESTRING, UG_TYPE_STATUSCODE,
};

bool cfg_datatype(cfg_rd *rd, json_t *obj, const char *key, uint8_t *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        cfg_err(rd, key, "missing (a built-in type name such as \"Double\" is required)");
        return false;
    }
    if (!json_is_string(v)) {
        cfg_err(rd, key, "must be a built-in type name such as \"Double\", not %s", kind_name(v));
        return false;
    }
    int t = ug_type_from_name(json_string_value(v), -1);
    for (size_t i = 0; t > 0 && i < sizeof store_types; i++)
        if (store_types[i] == t) {
            *out = (uint8_t)t;
            return true;
        }
    cfg_err(rd, key, "\"%s\" is not a supported data type (use Boolean, SByte, Byte, Int16, "
                     "UInt16, Int32, UInt32, Int64, UInt64, Float, Double, String, DateTime, "
                     "ByteString or StatusCode)",
            json_string_value(v));
    return false;
}

bool cfg_publisher_id(cfg_rd *rd, json_t *obj, const char *key, ug_publisher_id *out,
                      char **owned_str)
{
    memset(out, 0, sizeof *out);
    out->type = UG_PUBID_NONE;
    *owned_str = NULL;
    json_t *v = json_object_get(obj, key);
    if (!v)
        return true;
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        uint64_t u = (uint64_t)json_integer_value(v);
        out->u64 = u;
        out->type = u <= UINT16_MAX ? UG_PUBID_UINT16
                    : u <= UINT32_MAX ? UG_PUBID_UINT32 : UG_PUBID_UINT64;
        return true;
    }
    if (json_is_string(v) && json_string_length(v) > 0) {
        *owned_str = strdup(json_string_value(v));
        if (!*owned_str)
            return false;
        out->type = UG_PUBID_STRING;
        out->str = ug_string_from(*owned_str);
        return true;
    }
    cfg_err(rd, key, "must be a non-negative integer or a non-empty string");
    return false;
}

bool cfg_mask(cfg_rd *rd, json_t *obj, const char *key, const cfg_bit *bits, uint32_t def,
              uint32_t *out)
{
    *out = def;
    json_t *v = json_object_get(obj, key);
    if (!v)
        return true;
    if (!json_is_array(v)) {
        cfg_err(rd, key, "must be an array of flag names, not %s", kind_name(v));
        return false;
    }
    uint32_t m = 0;
    bool ok = true;
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e) {
        const cfg_bit *b = bits;
        while (b->name && !(json_is_string(e) && strcmp(b->name, json_string_value(e)) == 0))
            b++;
        if (!b->name) {
            char names[512];
            size_t n = 0;
            for (const cfg_bit *c = bits; c->name && n < sizeof names; c++)
                n += (size_t)snprintf(names + n, sizeof names - n, "%s%s", n ? ", " : "", c->name);
            size_t old = cfg_push_key(rd, key);
            cfg_push_index(rd, i);
            if (json_is_string(e))
                cfg_err(rd, NULL, "\"%s\" is not a flag here (use %s)", json_string_value(e),
                        names);
            else
                cfg_err(rd, NULL, "must be a flag name (use %s)", names);
            cfg_pop(rd, old);
            ok = false;
            continue;
        }
        m |= b->bit;
    }
    if (ok)
        *out = m;
    return ok;
}
