/* check_json — JSON vectors for check-vectors (check_json.h). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "check_json.h"
#include "expect.h"
#include "expect_int.h"

#ifdef UG_HAVE_JSON
#include "uagate/json.h"
#include "uagate/uadp.h"

/* Ticks of 9999-12-31T23:59:59Z, the Part 6 §5.4.2.6 upper limit string. */
#define DATETIME_MAX_TICKS 2650467743990000000LL

static void addf(char *out, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void addf(char *out, size_t cap, const char *fmt, ...)
{
    size_t n = strnlen(out, cap);
    if (n + 1 >= cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out + n, cap - n, fmt, ap);
    va_end(ap);
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n == cap) {
            uint8_t *nb = realloc(buf, cap ? 2 * cap : 8192);
            if (!nb)
                break;
            buf = nb;
            cap = cap ? 2 * cap : 8192;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    bool err = ferror(f) != 0;
    fclose(f);
    if (err) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

static bool str_eq(ug_string s, const char *c)
{
    return c ? s.len >= 0 && strlen(c) == (size_t)s.len && memcmp(s.data, c, (size_t)s.len) == 0
             : s.len < 0;
}

/* An optional string member: compared when the expectation has the key. */
static int opt_str(const json_t *obj, const char *key, ug_string s, const char *path, char *why,
                   size_t cap)
{
    const json_t *e = ug_expect_get(obj, key);
    if (!e)
        return 0;
    if ((json_is_null(e) && s.len < 0) ||
        (json_is_string(e) && str_eq(s, json_string_value(e))))
        return 0;
    char p[256], got[256];
    ug_expect_path(p, sizeof p, "%s.%s", path, key);
    if (s.len < 0)
        snprintf(got, sizeof got, "null");
    else
        snprintf(got, sizeof got, "\"%.*s\"", s.len > 200 ? 200 : (int)s.len,
                 (const char *)s.data);
    return ug_expect_fail(why, cap, p, e, got);
}

static int opt_int(const json_t *obj, const char *key, long long v, const char *path, char *why,
                   size_t cap)
{
    return ug_expect_get(obj, key) ? ug_expect_opt_int(obj, key, true, v, path, why, cap) : 0;
}

static int opt_guid(const json_t *obj, const char *key, bool has, const ug_guid *g,
                    const char *path, char *why, size_t cap)
{
    const json_t *e = ug_expect_get(obj, key);
    char p[256], got[37];
    if (!e)
        return 0;
    ug_expect_path(p, sizeof p, "%s.%s", path, key);
    if (!has)
        return json_is_null(e) ? 0 : ug_expect_fail(why, cap, p, e, "null");
    ug_guid_print(g, got);
    if (!json_is_string(e) || strcasecmp(json_string_value(e), got) != 0)
        return ug_expect_fail(why, cap, p, e, got);
    return 0;
}

/* PublisherId {type, value}. The JSON text carries no numeric type (json.h:
 * the smallest type that holds the value): with any_numeric_type (a UADP
 * expectation) only the value is compared for numeric ids. */
static int opt_pubid(const json_t *obj, const ug_publisher_id *id, bool any_numeric_type,
                     const char *path, char *why, size_t cap)
{
    const json_t *e = ug_expect_get(obj, "publisher_id");
    char p[256], got[64];
    if (!e)
        return 0;
    ug_expect_path(p, sizeof p, "%s.publisher_id", path);
    if (id->type == UG_PUBID_NONE)
        return json_is_null(e) ? 0 : ug_expect_fail(why, cap, p, e, "null");
    const char *et = json_string_value(json_object_get(e, "type"));
    const char *tn = ug_expect_pubid_type_name(id->type);
    bool want_str = et && strcmp(et, "String") == 0;
    if (!et || (any_numeric_type ? want_str != (id->type == UG_PUBID_STRING)
                                 : strcmp(et, tn ? tn : "?") != 0)) {
        snprintf(got, sizeof got, "type %s", tn ? tn : "?");
        return ug_expect_fail(why, cap, p, e, got);
    }
    if (id->type == UG_PUBID_STRING)
        return opt_str(e, "value", id->str, p, why, cap) ||
               (ug_expect_get(e, "value") ? 0 : ug_expect_fail(why, cap, p, e, "a value"));
    return ug_expect_opt_u64(e, "value", true, id->u64, p, why, cap);
}

/* ---- tolerances: open62541's documented JSON defects and losses ---- */

typedef int (*fix_fn)(json_t *e);

/* Calls fn on every object in the tree (depth first); sums its counts. */
static int walk(json_t *j, fix_fn fn)
{
    int n = 0;
    if (json_is_object(j)) {
        n += fn(j);
        const char *k;
        json_t *v;
        json_object_foreach (j, k, v)
            n += walk(v, fn);
    } else if (json_is_array(j)) {
        for (size_t i = 0; i < json_array_size(j); i++)
            n += walk(json_array_get(j, i), fn);
    }
    return n;
}

static bool variant_of(const json_t *v, const char *type)
{
    const char *t = json_string_value(json_object_get(v, "type"));
    return t && json_object_get(v, "value") && strcmp(t, type) == 0;
}

static int fix_neg_zero_one(json_t *arr, size_t i, json_t *x)
{
    if (!json_is_real(x) || json_real_value(x) != 0 || !signbit(json_real_value(x)))
        return 0;
    json_array_set_new(arr, i, json_real(0.0));
    return 1;
}

/* README JSON defect 4: -0.0 is written as 0.0. */
static int fix_neg_zero(json_t *v)
{
    if (!variant_of(v, "Double") && !variant_of(v, "Float"))
        return 0;
    json_t *x = json_object_get(v, "value");
    if (json_is_array(x)) {
        int n = 0;
        for (size_t i = 0; i < json_array_size(x); i++)
            n += fix_neg_zero_one(x, i, json_array_get(x, i));
        return n;
    }
    if (!json_is_real(x) || json_real_value(x) != 0 || !signbit(json_real_value(x)))
        return 0;
    json_object_set_new(v, "value", json_real(0.0));
    return 1;
}

/* README JSON defect 5: a null array is written [] (an empty array). */
static int fix_null_array(json_t *v)
{
    const json_t *len = json_object_get(v, "array_length");
    if (!json_is_true(json_object_get(v, "array")) || !json_is_integer(len) ||
        json_integer_value(len) != -1)
        return 0;
    json_object_set_new(v, "array_length", json_integer(0));
    json_object_set_new(v, "value", json_array());
    return 1;
}

static int fix_dt_one(json_t *x, json_t **out)
{
    const char *s = json_string_value(x);
    if (!s)
        return 0;
    long long t = strtoll(s, NULL, 10);
    /* Part 6 §5.4.2.6: the limit strings stand for every value at or past
     * the ends; as computed dates they decode to the clamped ends. */
    if (t < 0)
        *out = json_string("0");
    else if (t > DATETIME_MAX_TICKS && t != INT64_MAX)
        *out = json_string("9223372036854775807");
    else
        return 0;
    return 1;
}

/* README JSON defect 6: DateTimes outside the range are computed dates. */
static int fix_datetime(json_t *v)
{
    if (!variant_of(v, "DateTime"))
        return 0;
    json_t *x = json_object_get(v, "value"), *nv = NULL;
    int n = 0;
    if (json_is_array(x)) {
        for (size_t i = 0; i < json_array_size(x); i++)
            if (fix_dt_one(json_array_get(x, i), &nv)) {
                json_array_set_new(x, i, nv);
                n++;
            }
        return n;
    }
    if (!fix_dt_one(x, &nv))
        return 0;
    json_object_set_new(v, "value", nv);
    return 1;
}

/* Not a defect: Part 6 §5.4.2.16 writes a structure with a JSON body (open62541
 * does, naming the DataType, not the binary encoding id); its binary body
 * cannot be compared without the structure's descriptor, so only the kind is. */
static int fix_structure_body(json_t *x)
{
    const char *enc = json_string_value(json_object_get(x, "encoding"));
    if (!enc || strcmp(enc, "ByteString") != 0 || !json_object_get(x, "body_hex"))
        return 0;
    json_object_clear(x);
    json_object_set_new(x, "type_id", json_null());
    json_object_set_new(x, "encoding", json_string("Json"));
    return 1;
}

static const struct {
    fix_fn fn;
    const char *what;
} tolerances[] = {
    {fix_neg_zero, "-0.0 written as 0.0 (README JSON 4)"},
    {fix_null_array, "null array written [] (README JSON 5)"},
    {fix_datetime, "DateTime out of range written as a computed date (README JSON 6)"},
    {fix_structure_body, "structure with a JSON body: binary body not comparable (Part 6 5.4.2.16)"},
};

/* Content that a UADP expectation has and the JSON mapping does not carry
 * (README JSON 9, Part 14 §7.2.5): named in the note, never compared. */
static void note_losses(const json_t *enm, char *note, size_t cap)
{
    static const char *const nm_keys[] = {"group_header", "payload_header", "timestamp",
                                          "picoseconds", "promoted_fields", "security_header"};
    const char *sep = "; not in JSON:";
    for (size_t i = 0; i < sizeof nm_keys / sizeof nm_keys[0]; i++) {
        const json_t *e = json_object_get(enm, nm_keys[i]);
        if (e && !json_is_null(e)) {
            addf(note, cap, "%s %s", sep, nm_keys[i]);
            sep = ",";
        }
    }
    const json_t *dsms = json_object_get(enm, "dataset_messages");
    for (size_t i = 0; i < json_array_size(dsms); i++) {
        const json_t *d = json_array_get(dsms, i);
        const json_t *ps = json_object_get(d, "picoseconds");
        if (ps && !json_is_null(ps)) {
            addf(note, cap, "%s dataset_messages[%zu].picoseconds", sep, i);
            sep = ",";
        }
        if (json_is_false(json_object_get(d, "valid"))) {
            addf(note, cap, "%s dataset_messages[%zu].valid", sep, i);
            sep = ",";
        }
    }
}

/* ---- ua-data ---- */

/* The content-only comparison skips header fields the model lacks (a UADP
 * expectation has more than the JSON text); a hand-written JSON expectation
 * lists exactly what the text has, so a value it names must be there. */
static int header_present(const json_t *enm, const ug_nm *nm, char *why, size_t cap)
{
    const json_t *dsms = json_object_get(enm, "dataset_messages");
    for (uint16_t i = 0; i < nm->n_dsm && i < json_array_size(dsms); i++) {
        const json_t *e = json_array_get(dsms, i);
        const ug_dsm *d = &nm->dsm[i];
        const struct {
            const char *key;
            bool has;
        } h[] = {{"sequence_number", d->has_seq},
                 {"timestamp", d->has_timestamp},
                 {"status", d->has_status},
                 {"config_major_version", d->has_cfg_major},
                 {"config_minor_version", d->has_cfg_minor}};
        for (size_t k = 0; k < sizeof h / sizeof h[0]; k++) {
            const json_t *v = json_object_get(e, h[k].key);
            if (!v || (!json_is_null(v) && !h[k].has)) {
                char p[64];
                ug_expect_path(p, sizeof p, "dataset_messages[%u].%s", i, h[k].key);
                return ug_expect_fail(why, cap, p, v, "absent");
            }
        }
    }
    return 0;
}

static int check_data(const json_t *x, bool uadp_schema, const uint8_t *text, size_t len,
                      ug_arena *arena, char *note, size_t note_cap, char *why, size_t cap)
{
    const json_t *enm = json_object_get(x, "network_message");
    ug_expect_layouts lay;
    if (ug_expect_layouts_init(&lay, json_object_get(x, "decode_metadata"), why, cap))
        return -1;
    ug_json_dec_opts o = ug_json_dec_default;
    o.layouts = lay.layouts;
    o.n_layouts = (int32_t)lay.n;
    ug_nm nm;
    size_t off = 0;
    ug_arena_reset(arena);
    ug_status s = ug_json_decode_nm(text, len, &nm, &o, arena, &off);
    int rc = 0;
    if (s != UG_STATUS_GOOD) {
        snprintf(why, cap, "decode: expected Good got %s at byte %zu", ug_status_name(s), off);
        rc = -1;
        goto out;
    }
    if (opt_pubid(enm, &nm.publisher_id, uadp_schema, "network_message", why, cap) ||
        opt_guid(enm, "dataset_class_id", nm.has_class_id, &nm.class_id, "network_message", why,
                 cap) ||
        opt_str(enm, "message_id", nm.message_id, "network_message", why, cap) ||
        opt_str(enm, "writer_group_name", nm.writer_group_name, "network_message", why, cap)) {
        rc = -1;
        goto out;
    }
    addf(note, note_cap, "%u DataSetMessage(s) compared", nm.n_dsm);
    if (!uadp_schema && header_present(enm, &nm, why, cap)) {
        rc = -1;
        goto out;
    }
    if (ug_expect_compare_nm(enm, &nm, true, why, cap) == 0)
        goto out;
    /* Tolerances only for the other encoder's text, and only as many as it
     * takes: each is applied on top of the previous ones. */
    rc = -1;
    if (!uadp_schema)
        goto out;
    json_t *copy = json_deep_copy(enm);
    const char *sep = "; tolerated:";
    for (size_t i = 0; copy && rc && i < sizeof tolerances / sizeof tolerances[0]; i++) {
        if (walk(json_object_get(copy, "dataset_messages"), tolerances[i].fn) == 0)
            continue;
        addf(note, note_cap, "%s %s", sep, tolerances[i].what);
        sep = ",";
        rc = ug_expect_compare_nm(copy, &nm, true, why, cap);
    }
    json_decref(copy);
out:
    if (uadp_schema && rc == 0)
        note_losses(enm, note, note_cap);
    ug_expect_layouts_free(&lay);
    return rc;
}

/* ---- ua-metadata and ua-status (hand-written expectations) ---- */

static int cmp_field_meta(const json_t *e, const ug_field_meta *f, const char *path, char *why,
                          size_t cap)
{
    if (opt_str(e, "name", f->name, path, why, cap) ||
        opt_int(e, "builtin_type", f->builtin_type, path, why, cap) ||
        opt_int(e, "value_rank", f->value_rank, path, why, cap) ||
        opt_int(e, "max_string_length", f->max_string_len, path, why, cap) ||
        opt_guid(e, "field_id", true, &f->field_id, path, why, cap))
        return -1;
    const json_t *ed = ug_expect_get(e, "array_dimensions");
    if (!ed)
        return 0;
    char p[256], got[32];
    ug_expect_path(p, sizeof p, "%s.array_dimensions", path);
    snprintf(got, sizeof got, "%" PRId32 " dimensions", f->n_array_dims);
    if (f->n_array_dims < 0)
        return json_is_null(ed) ? 0 : ug_expect_fail(why, cap, p, ed, "null");
    if (!json_is_array(ed) || json_array_size(ed) != (size_t)f->n_array_dims)
        return ug_expect_fail(why, cap, p, ed, got);
    for (int32_t i = 0; i < f->n_array_dims; i++)
        if (json_integer_value(json_array_get(ed, (size_t)i)) != f->array_dims[i])
            return ug_expect_fail(why, cap, p, ed, "other dimensions");
    return 0;
}

static int check_metadata(const json_t *e, const uint8_t *text, size_t len, ug_arena *arena,
                          char *note, size_t note_cap, char *why, size_t cap)
{
    ug_json_metadata_msg m;
    size_t off = 0;
    const char *path = "metadata_message";
    ug_arena_reset(arena);
    ug_status s = ug_json_decode_metadata(text, len, &m, NULL, arena, &off);
    if (s != UG_STATUS_GOOD) {
        snprintf(why, cap, "decode_metadata: %s at byte %zu", ug_status_name(s), off);
        return -1;
    }
    const ug_dataset_metadata *md = &m.metadata;
    const json_t *emd = ug_expect_get(e, "metadata");
    if (opt_str(e, "message_id", m.message_id, path, why, cap) ||
        opt_pubid(e, &m.publisher_id, false, path, why, cap) ||
        opt_int(e, "dataset_writer_id", m.writer_id, path, why, cap) ||
        opt_str(e, "dataset_writer_name", m.writer_name, path, why, cap) ||
        opt_str(emd, "name", md->name, "metadata", why, cap) ||
        opt_int(emd, "n_namespaces", md->n_namespaces, "metadata", why, cap) ||
        opt_int(emd, "n_structures", md->n_structures, "metadata", why, cap) ||
        opt_int(emd, "n_enums", md->n_enums, "metadata", why, cap) ||
        opt_int(emd, "n_simple_types", md->n_simple_types, "metadata", why, cap) ||
        opt_guid(emd, "dataset_class_id", true, &md->class_id, "metadata", why, cap) ||
        opt_int(emd, "config_major_version", md->cfg_major, "metadata", why, cap) ||
        opt_int(emd, "config_minor_version", md->cfg_minor, "metadata", why, cap))
        return -1;
    const json_t *ens = ug_expect_get(emd, "namespaces");
    for (size_t i = 0; i < json_array_size(ens) && (int32_t)i < md->n_namespaces; i++) {
        const char *u = json_string_value(json_array_get(ens, i));
        if (!str_eq(md->namespaces[i], u))
            return ug_expect_fail(why, cap, "metadata.namespaces", ens, "other namespaces");
    }
    const json_t *ed = ug_expect_get(emd, "description");
    if (ed && (opt_str(ed, "locale", md->description.locale, "metadata.description", why, cap) ||
               opt_str(ed, "text", md->description.text, "metadata.description", why, cap)))
        return -1;
    const json_t *ef = ug_expect_get(emd, "fields");
    char got[32];
    snprintf(got, sizeof got, "%" PRId32 " fields", md->n_fields);
    if (!json_is_array(ef) || json_array_size(ef) != (size_t)(md->n_fields < 0 ? 0 : md->n_fields))
        return ug_expect_fail(why, cap, "metadata.fields", ef, got);
    for (int32_t i = 0; i < md->n_fields; i++) {
        char p[64];
        ug_expect_path(p, sizeof p, "metadata.fields[%" PRId32 "]", i);
        if (cmp_field_meta(json_array_get(ef, (size_t)i), &md->fields[i], p, why, cap))
            return -1;
    }
    addf(note, note_cap, "ua-metadata, %" PRId32 " fields compared", md->n_fields);
    return 0;
}

static int check_status(const json_t *e, const uint8_t *text, size_t len, ug_arena *arena,
                        char *note, size_t note_cap, char *why, size_t cap)
{
    ug_json_status_msg m;
    size_t off = 0;
    const char *path = "status_message";
    ug_arena_reset(arena);
    ug_status s = ug_json_decode_status(text, len, &m, NULL, arena, &off);
    if (s != UG_STATUS_GOOD) {
        snprintf(why, cap, "decode_status: %s at byte %zu", ug_status_name(s), off);
        return -1;
    }
    if (opt_str(e, "message_id", m.message_id, path, why, cap) ||
        opt_pubid(e, &m.publisher_id, false, path, why, cap) ||
        ug_expect_bool(e, "is_cyclic", m.is_cyclic, path, why, cap) ||
        ug_expect_opt_int(e, "state", true, m.state, path, why, cap) ||
        ug_expect_opt_i64(e, "timestamp", m.is_cyclic, m.timestamp, path, why, cap) ||
        ug_expect_opt_i64(e, "next_report_time", m.is_cyclic, m.next_report, path, why, cap))
        return -1;
    addf(note, note_cap, "ua-status compared");
    return 0;
}

/* ---- UADP -> JSON -> UADP for every UADP vector ---- */

static uint8_t xc_arena_buf[512 * 1024];
static ug_arena xc_arena;
static bool xc_arena_ready;

/* The layout of DataSetMessage i: by writer id with a PayloadHeader, else by
 * position (as the UADP decoder matches them). */
static const ug_dsm_layout *layout_of(const ug_expect_layouts *lay, const ug_nm *nm, uint16_t i)
{
    if (!lay || lay->n == 0)
        return NULL;
    if (nm->has_payload_header) {
        for (size_t l = 0; l < lay->n; l++)
            if (lay->layouts[l].writer_id == nm->dsm[i].writer_id)
                return &lay->layouts[l];
        return NULL;
    }
    return i < lay->n ? &lay->layouts[i] : NULL;
}

/* Put back what the configuration, not the JSON text, knows (see
 * tests/json/test_crosscodec.c for the list and why). */
static void restore(ug_nm *b, const ug_nm *a)
{
    b->version = a->version;
    if (a->publisher_id.type != UG_PUBID_STRING)
        b->publisher_id.type = a->publisher_id.type;
    b->has_group_header = a->has_group_header;
    b->group = a->group;
    b->has_payload_header = a->has_payload_header;
    b->has_timestamp = a->has_timestamp;
    b->timestamp = a->timestamp;
    b->has_picoseconds = a->has_picoseconds;
    b->picoseconds = a->picoseconds;
    b->n_promoted = a->n_promoted;
    b->promoted = a->promoted;
    b->has_security = a->has_security;
    b->security = a->security;
    for (uint16_t i = 0; i < a->n_dsm && i < b->n_dsm; i++) {
        const ug_dsm *x = &a->dsm[i];
        ug_dsm *y = &b->dsm[i];
        y->has_writer_id = x->has_writer_id;
        y->valid = x->valid;
        y->field_encoding = x->field_encoding;
        y->has_picoseconds = x->has_picoseconds;
        y->picoseconds = x->picoseconds;
        y->has_cfg_major = x->has_cfg_major;
        y->has_cfg_minor = x->has_cfg_minor;
        y->configured_size = x->configured_size;
        y->padding = x->padding;
        for (uint16_t k = 0; k < x->field_count && k < y->field_count; k++)
            y->fields[k].raw_padded_to = x->fields[k].raw_padded_to;
    }
}

/* Values the JSON form holds only up to a rule (DateTime clamp, NaN bits):
 * after the expectation matched under that rule, the original bits go back
 * so the byte comparison checks everything else. Returns how many. */
static int restore_values(ug_nm *b, const ug_nm *a)
{
    int n = 0;
    for (uint16_t i = 0; i < a->n_dsm && i < b->n_dsm; i++) {
        const ug_dsm *x = &a->dsm[i];
        ug_dsm *y = &b->dsm[i];
        for (uint16_t k = 0; k < x->field_count && k < y->field_count; k++)
            if (!ug_datavalue_eq(&x->fields[k].dv, &y->fields[k].dv)) {
                y->fields[k].dv = x->fields[k].dv;
                n++;
            }
        if (x->timestamp != y->timestamp) {
            y->timestamp = x->timestamp;
            n++;
        }
    }
    return n;
}

int ug_check_json_crosscodec(const json_t *enm, const ug_nm *nm, const ug_expect_layouts *lay,
                             char *note, size_t note_cap, char *why, size_t cap)
{
    if (note_cap > 0)
        note[0] = 0;
    if (!xc_arena_ready) {
        ug_arena_init(&xc_arena, xc_arena_buf, sizeof xc_arena_buf, true);
        xc_arena_ready = true;
    }
    ug_arena_reset(&xc_arena);
    /* The writer's configuration names the fields (DataSetMetaData); without
     * it the encoder names them by index and the reader maps the index
     * names back, which index_layouts gives it. */
    ug_nm a = *nm;
    ug_dsm *dsms = a.n_dsm ? ug_arena_alloc(&xc_arena, a.n_dsm * sizeof *dsms) : NULL;
    if (a.n_dsm && !dsms) {
        snprintf(why, cap, "crosscodec: out of memory");
        return -1;
    }
    static char names[256][8];
    static ug_field_meta idx_fields[64][256];
    static ug_dsm_layout idx_layouts[64];
    for (unsigned i = 0; i < 256; i++)
        snprintf(names[i], sizeof names[i], "%u", i);
    for (uint16_t i = 0; i < a.n_dsm; i++) {
        dsms[i] = nm->dsm[i];
        const ug_dsm_layout *ly = layout_of(lay, nm, i);
        ug_dsm_field *f = dsms[i].field_count
                              ? ug_arena_alloc(&xc_arena, dsms[i].field_count * sizeof *f)
                              : NULL;
        if (dsms[i].field_count && !f) {
            snprintf(why, cap, "crosscodec: out of memory");
            return -1;
        }
        for (uint16_t k = 0; k < dsms[i].field_count; k++) {
            f[k] = nm->dsm[i].fields[k];
            unsigned idx = dsms[i].type == UG_DSM_DELTAFRAME ? f[k].index : k;
            if (ly && (int32_t)idx < ly->n_fields)
                f[k].name = ly->fields[idx].name;
        }
        dsms[i].fields = f;
        if (i < 64) {
            for (unsigned k = 0; k < 256; k++) {
                memset(&idx_fields[i][k], 0, sizeof idx_fields[i][k]);
                idx_fields[i][k].name = (ug_string){(const uint8_t *)names[k],
                                                    (int32_t)strlen(names[k])};
            }
            idx_layouts[i] = (ug_dsm_layout){dsms[i].writer_id, 0, 256, idx_fields[i]};
        }
    }
    a.dsm = dsms;

    ug_json_dec_opts o = ug_json_dec_default;
    if (lay && lay->n) {
        o.layouts = lay->layouts;
        o.n_layouts = (int32_t)lay->n;
    } else {
        o.layouts = idx_layouts;
        o.n_layouts = a.n_dsm < 64 ? a.n_dsm : 64;
    }
    size_t want_len = 0, got_len = 0;
    static uint8_t want[1 << 16], got[1 << 16];
    static char text[1 << 18];
    ug_status s = ug_uadp_encode(&a, want, sizeof want, &want_len);
    if (s != UG_STATUS_GOOD) {
        snprintf(why, cap, "crosscodec: UADP encode of the decoded message: %s", ug_status_name(s));
        return -1;
    }
    int rules = 0;
    for (int form = 0; form < 2; form++) {
        static const char *const fname[] = {"Compact", "Verbose"};
        ug_json_enc_opts eo = ug_json_enc_default;
        eo.form = (uint8_t)form;
        eo.nm_mask = UG_JSON_LAYOUT_NETWORK_MESSAGE | (a.has_class_id ? UG_JSON_NM_DATASET_CLASS_ID : 0);
        eo.dsm_mask = UG_JSON_DSM_WRITER_ID | UG_JSON_DSM_METADATA_VERSION |
                      UG_JSON_DSM_SEQUENCE_NUMBER | UG_JSON_DSM_TIMESTAMP | UG_JSON_DSM_STATUS |
                      UG_JSON_DSM_MESSAGE_TYPE;
        size_t tlen = 0, off = 0;
        if ((s = ug_json_encode_nm(text, sizeof text, &a, &eo, &tlen)) != UG_STATUS_GOOD) {
            snprintf(why, cap, "crosscodec %s: JSON encode: %s", fname[form], ug_status_name(s));
            return -1;
        }
        ug_nm b;
        if ((s = ug_json_decode_nm(text, tlen, &b, &o, &xc_arena, &off)) != UG_STATUS_GOOD) {
            snprintf(why, cap, "crosscodec %s: JSON decode: %s at %zu", fname[form],
                     ug_status_name(s), off);
            return -1;
        }
        /* The only rule for our own encoder is the JSON DateTime range. */
        if (ug_expect_compare_nm(enm, &b, true, why, cap)) {
            json_t *copy = json_deep_copy(enm);
            int rc = copy && walk(json_object_get(copy, "dataset_messages"), fix_datetime) > 0
                         ? ug_expect_compare_nm(copy, &b, true, why, cap)
                         : -1;
            json_decref(copy);
            if (rc) {
                char w[512];
                snprintf(w, sizeof w, "%s", why);
                snprintf(why, cap, "crosscodec %s: after JSON: %s", fname[form], w);
                return -1;
            }
        }
        restore(&b, &a);
        rules = restore_values(&b, &a);
        if ((s = ug_uadp_encode(&b, got, sizeof got, &got_len)) != UG_STATUS_GOOD) {
            snprintf(why, cap, "crosscodec %s: UADP re-encode: %s", fname[form], ug_status_name(s));
            return -1;
        }
        if (got_len != want_len || memcmp(got, want, want_len) != 0) {
            size_t i = 0;
            while (i < got_len && i < want_len && got[i] == want[i])
                i++;
            snprintf(why, cap, "crosscodec %s: re-encoded UADP differs at byte %zu (%zu vs %zu)",
                     fname[form], i, got_len, want_len);
            return -1;
        }
    }
    addf(note, note_cap, "UADP->JSON->UADP identical (Compact, Verbose)%s",
         rules ? ", values held by a JSON rule (DateTime range, NaN bits) restored" : "");
    return 0;
}

int ug_check_json_vector(const char *dir, const char *file, ug_arena *arena, char *note,
                         size_t note_cap, char *why, size_t why_cap)
{
    char path[4096];
    size_t flen = strlen(file), len = 0;
    if (note_cap > 0)
        note[0] = 0;
    snprintf(path, sizeof path, "%s/%s", dir, file);
    uint8_t *text = slurp(path, &len);
    if (!text) {
        snprintf(why, why_cap, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    snprintf(path, sizeof path, "%s/%.*s.expect.json", dir, (int)(flen - 5), file);
    json_error_t jerr;
    json_t *x = json_load_file(path, 0, &jerr);
    const char *schema = json_string_value(json_object_get(x, "schema"));
    int rc = -1;
    if (!x) {
        snprintf(why, why_cap, "cannot load %s: %s (line %d)", path, jerr.text, jerr.line);
    } else if (!schema || (strcmp(schema, "uagate-uadp-vector/1") != 0 &&
                           strcmp(schema, "uagate-json-vector/1") != 0)) {
        snprintf(why, why_cap, "%s: schema not uagate-uadp-vector/1 or uagate-json-vector/1",
                 path);
    } else {
        bool uadp_schema = strcmp(schema, "uagate-uadp-vector/1") == 0;
        const json_t *emeta = json_object_get(x, "metadata_message");
        const json_t *estat = json_object_get(x, "status_message");
        if (!uadp_schema && emeta)
            rc = check_metadata(emeta, text, len, arena, note, note_cap, why, why_cap);
        else if (!uadp_schema && estat)
            rc = check_status(estat, text, len, arena, note, note_cap, why, why_cap);
        else if (json_is_object(json_object_get(x, "network_message")))
            rc = check_data(x, uadp_schema, text, len, arena, note, note_cap, why, why_cap);
        else
            snprintf(why, why_cap, "%s: no network_message, metadata_message or status_message",
                     path);
    }
    json_decref(x);
    free(text);
    return rc;
}

#else
/* Without the JSON codec check-vectors checks .uadp files only. */
typedef int ug_check_json_unused;
#endif
