/* JSON vectors: every tests/vectors/open62541/NAME.json (open62541's JSON
 * encoder, with its defects, README there) and our own tests/vectors/uagate
 * (README there: Part 14 Annex A examples and hand-checked messages) decode;
 * values checked by hand; each decodes, re-encodes and decodes the same. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "uagate/json.h"

static uint8_t arena_buf[1 << 20];
static ug_arena arena;
static ug_nm nm;

static bool str_is(ug_string s, const char *c) { return s.len == (int32_t)strlen(c) && memcmp(s.data, c, s.len) == 0; }

static uint8_t *load(const char *dir, const char *name, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/vectors/%s/%s", ug_test_srcdir(), dir, name);
    uint8_t *b = ug_test_read_file(path, len);
    if (!b)
        fprintf(stderr, "\ncannot read %s\n", path);
    return b;
}

/* Decodes into the global nm (arena reset); the text stays loaded in *keep. */
static ug_status decode(const char *dir, const char *name, uint8_t **keep)
{
    size_t len;
    *keep = load(dir, name, &len);
    if (!*keep)
        return UG_STATUS_BADNOTFOUND;
    ug_arena_reset(&arena);
    size_t off = 0;
    ug_status st = ug_json_decode_nm(*keep, len, &nm, NULL, &arena, &off);
    if (st)
        fprintf(stderr, "\n%s: %s at offset %zu\n", name, ug_status_name(st), off);
    return st;
}

static const ug_dsm_field *field(const ug_dsm *d, const char *name)
{
    for (uint16_t i = 0; i < d->field_count; i++)
        if (str_is(d->fields[i].name, name))
            return &d->fields[i];
    return NULL;
}

/* Decode -> encode (both forms, the layout that holds every header) -> decode:
 * the same DataSetMessages, fields and values. */
static void reencode_same(const char *name)
{
    static char out[1 << 16];
    static uint8_t arena2_buf[1 << 20];
    ug_arena a2;
    ug_arena_init(&a2, arena2_buf, sizeof arena2_buf, false);
    for (int form = 0; form < 2; form++) {
        ug_json_enc_opts o = {(uint8_t)form, UG_JSON_LAYOUT_NETWORK_MESSAGE | UG_JSON_NM_WRITER_GROUP_NAME,
                              0x7FF & ~UG_JSON_DSM_PUBLISHER_ID & ~UG_JSON_DSM_WRITER_GROUP_NAME, 0, NULL};
        size_t len;
        ug_status st = ug_json_encode_nm(out, sizeof out, &nm, &o, &len);
        CU_ASSERT_EQUAL_FATAL(st, UG_STATUS_GOOD);
        ug_nm b;
        ug_arena_reset(&a2);
        st = ug_json_decode_nm(out, len, &b, NULL, &a2, NULL);
        if (st) {
            fprintf(stderr, "\n%s re-encoded: %s\n%.*s\n", name, ug_status_name(st), (int)len, out);
            CU_FAIL("re-encoded text does not decode");
            return;
        }
        CU_ASSERT_EQUAL_FATAL(b.n_dsm, nm.n_dsm);
        for (uint16_t i = 0; i < nm.n_dsm; i++) {
            const ug_dsm *x = &nm.dsm[i], *y = &b.dsm[i];
            CU_ASSERT_EQUAL(x->writer_id, y->writer_id);
            CU_ASSERT_EQUAL(x->seq, y->seq);
            CU_ASSERT_EQUAL(x->type, y->type);
            CU_ASSERT_EQUAL(x->status, y->status);
            CU_ASSERT_EQUAL_FATAL(x->field_count, y->field_count);
            for (uint16_t k = 0; k < x->field_count; k++) {
                CU_ASSERT(ug_bytes_eq(x->fields[k].name, y->fields[k].name));
                if (!ug_datavalue_eq(&x->fields[k].dv, &y->fields[k].dv)) {
                    fprintf(stderr, "\n%s field %u differs after re-encoding:\n%.*s\n", name, k, (int)len, out);
                    CU_FAIL("field differs after re-encoding");
                }
            }
        }
    }
}

static void test_open62541_all(void)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/vectors/open62541", ug_test_srcdir());
    DIR *d = opendir(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t l = strlen(e->d_name);
        if (l < 6 || strcmp(e->d_name + l - 5, ".json") != 0 || strstr(e->d_name, ".expect.json"))
            continue;
        uint8_t *b;
        CU_ASSERT_EQUAL(decode("open62541", e->d_name, &b), UG_STATUS_GOOD);
        if (nm.n_dsm)
            reencode_same(e->d_name);
        free(b);
        n++;
    }
    closedir(d);
    CU_ASSERT(n >= 30);
}

static void test_open62541_values(void)
{
    uint8_t *b;
    const ug_dsm_field *f;
    CU_ASSERT_EQUAL_FATAL(decode("open62541", "dsm_header_all.json", &b), 0);
    CU_ASSERT(nm.publisher_id.type == UG_PUBID_UINT16 && nm.publisher_id.u64 == 1000);
    CU_ASSERT(nm.dsm[0].writer_id == 62541 && nm.dsm[0].seq == 4711);
    CU_ASSERT(nm.dsm[0].cfg_major == 1700000000 && nm.dsm[0].cfg_minor == 1700000123);
    CU_ASSERT(nm.dsm[0].timestamp == 133485408001234567LL);
    CU_ASSERT(nm.dsm[0].has_status && nm.dsm[0].status == 32778); /* raw UInt16, defect 3 */
    free(b);

    CU_ASSERT_EQUAL_FATAL(decode("open62541", "nm_pubid_string.json", &b), 0);
    CU_ASSERT(nm.publisher_id.type == UG_PUBID_STRING && str_is(nm.publisher_id.str, "publisher-\xc3\x84-1"));
    free(b);

    CU_ASSERT_EQUAL_FATAL(decode("open62541", "type_double.json", &b), 0);
    f = field(&nm.dsm[0], "v0");
    CU_ASSERT(f && f->dv.value.type == UG_TYPE_DOUBLE && f->dv.value.u.v.f64 == 3.141592653589793);
    f = field(&nm.dsm[0], "v2");
    CU_ASSERT(f && f->dv.value.u.v.f64 == 5e-324);
    f = field(&nm.dsm[0], "v3");
    CU_ASSERT(f && isinf(f->dv.value.u.v.f64) && f->dv.value.u.v.f64 < 0);
    f = field(&nm.dsm[0], "v4");
    CU_ASSERT(f && isnan(f->dv.value.u.v.f64));
    free(b);

    CU_ASSERT_EQUAL_FATAL(decode("open62541", "type_int64.json", &b), 0);
    f = field(&nm.dsm[0], "v0");
    CU_ASSERT(f && f->dv.value.type == UG_TYPE_INT64 && f->dv.value.u.v.int64 == INT64_MIN);
    free(b);

    CU_ASSERT_EQUAL_FATAL(decode("open62541", "type_matrix.json", &b), 0);
    f = field(&nm.dsm[0], "cube");
    CU_ASSERT(f && f->dv.value.array_len == 8 && f->dv.value.ndims == 3 && ((const double *)f->dv.value.u.arr)[7] == 8.0);
    free(b);

    CU_ASSERT_EQUAL_FATAL(decode("open62541", "type_string.json", &b), 0);
    f = field(&nm.dsm[0], "v2");
    CU_ASSERT(f && f->dv.value.u.v.string.len == -1);
    f = field(&nm.dsm[0], "v4");
    CU_ASSERT(f && str_is(f->dv.value.u.v.string, "quote\" backslash\\ newline\n"));
    free(b);

    CU_ASSERT_EQUAL_FATAL(decode("open62541", "type_nodeid.json", &b), 0);
    f = field(&nm.dsm[0], "v6");
    CU_ASSERT(f && f->dv.value.u.v.nodeid.ns == 4 && f->dv.value.u.v.nodeid.id_type == UG_ID_OPAQUE &&
              f->dv.value.u.v.nodeid.id.opaque.len == 4 && f->dv.value.u.v.nodeid.id.opaque.data[0] == 0xde);
    free(b);

    CU_ASSERT_EQUAL_FATAL(decode("open62541", "type_datetime.json", &b), 0);
    f = field(&nm.dsm[0], "v4"); /* -1 tick written as a 1600 date: before 1601 is 0 */
    CU_ASSERT(f && f->dv.value.u.v.datetime == 0);
    f = field(&nm.dsm[0], "v1");
    CU_ASSERT(f && f->dv.value.u.v.datetime == 1);
    free(b);

    CU_ASSERT_EQUAL_FATAL(decode("open62541", "enc_datavalue.json", &b), 0);
    CU_ASSERT_EQUAL(nm.dsm[0].field_encoding, UG_FE_DATAVALUE);
    f = field(&nm.dsm[0], "full");
    CU_ASSERT(f && f->dv.status == UG_STATUS_GOODCLAMPED && f->dv.source_ps == 10 && f->dv.server_ps == 20);
    f = field(&nm.dsm[0], "statusonly");
    CU_ASSERT(f && f->dv.mask == UG_DV_STATUS && f->dv.status == 0x809B0000);
    free(b);

    CU_ASSERT_EQUAL_FATAL(decode("open62541", "type_extensionobject.json", &b), 0);
    f = field(&nm.dsm[0], "range");
    CU_ASSERT(f && f->dv.value.u.v.extobj->encoding == UG_EO_JSON && f->dv.value.u.v.extobj->type_id.id.numeric == 884);
    free(b);

    CU_ASSERT_EQUAL_FATAL(decode("open62541", "nm_payload_header_3dsm.json", &b), 0);
    CU_ASSERT(nm.n_dsm == 3 && nm.dsm[2].writer_id == 13 && nm.dsm[1].seq == 7);
    free(b);
}

static void test_own_vectors(void)
{
    uint8_t *b;
    const ug_dsm_field *f;
    const ug_dsm *d;

    /* Part 14 A.3.3.5, DataSet1: collapsed VerboseEncoding fields (RawData). */
    CU_ASSERT_EQUAL_FATAL(decode("uagate", "annexa_dataset1_verbose.json", &b), 0);
    d = &nm.dsm[0];
    CU_ASSERT(str_is(nm.publisher_id.str, "MyPublisher") && d->writer_id == 101);
    CU_ASSERT(d->seq == (68468 & 0xFFFF) && d->has_cfg_minor && d->cfg_minor == 672341762);
    CU_ASSERT(d->timestamp == 132772419195550000LL); /* 2021-09-27T18:45:19.555Z */
    CU_ASSERT(d->field_encoding == UG_FE_RAWDATA && d->field_count == 4);
    f = field(d, "Temperature");
    CU_ASSERT(f && f->dv.value.type == UG_TYPE_DOUBLE && f->dv.value.u.v.f64 == 25.5);
    f = field(d, "Counter");
    CU_ASSERT(f && f->dv.value.type == UG_TYPE_INT32 && f->dv.value.u.v.int32 == 0);
    reencode_same("annexa_dataset1_verbose.json");
    free(b);

    CU_ASSERT_EQUAL_FATAL(decode("uagate", "annexa_dataset2_all_flags.json", &b), 0);
    d = &nm.dsm[0];
    CU_ASSERT(d->writer_id == 102 && d->has_status && d->status == 0x4000 && d->type == UG_DSM_KEYFRAME);
    CU_ASSERT(str_is(nm.writer_group_name, "WriterGroup1") && str_is(d->writer_name, "Writer102"));
    f = field(d, "Coordinate");
    CU_ASSERT(f && f->dv.value.type == UG_TYPE_EXTENSIONOBJECT && f->dv.value.u.v.extobj->encoding == UG_EO_JSON);
    f = field(d, "Measurements");
    CU_ASSERT(f && f->dv.value.type == UG_TYPE_VARIANT && f->dv.value.array_len == 3 &&
              ((const ug_variant *)f->dv.value.u.arr)[2].u.v.int32 == 20010);
    free(b);

    CU_ASSERT_EQUAL_FATAL(decode("uagate", "annexa_dataset1_datavalue.json", &b), 0);
    d = &nm.dsm[0];
    CU_ASSERT(d->field_encoding == UG_FE_DATAVALUE);
    f = field(d, "Active");
    CU_ASSERT(f && f->dv.value.type == UG_TYPE_BOOLEAN && f->dv.value.u.v.boolean && f->dv.status == 0x40000000);
    CU_ASSERT(f && f->dv.source_ts == 132772159583499250LL); /* 11:32:38.349925 */
    reencode_same("annexa_dataset1_datavalue.json");
    free(b);

    CU_ASSERT_EQUAL_FATAL(decode("uagate", "nm_r1_compact.json", &b), 0);
    CU_ASSERT(str_is(nm.message_id, "m1") && nm.dsm[0].field_count == 10);
    f = field(&nm.dsm[0], "f9");
    CU_ASSERT(f && f->dv.value.u.v.int32 == 70);
    reencode_same("nm_r1_compact.json");
    free(b);

    CU_ASSERT_EQUAL_FATAL(decode("uagate", "dsm_array_mixed.json", &b), 0);
    CU_ASSERT(nm.n_dsm == 3 && nm.dsm[0].type == UG_DSM_DELTAFRAME && nm.dsm[1].type == UG_DSM_KEEPALIVE);
    CU_ASSERT(nm.dsm[2].timestamp == INT64_MAX);
    f = field(&nm.dsm[2], "neg0");
    CU_ASSERT(f && f->dv.value.u.v.f64 == 0 && signbit(f->dv.value.u.v.f64));
    f = field(&nm.dsm[2], "m");
    CU_ASSERT(f && f->dv.value.type == UG_TYPE_BYTE && f->dv.value.ndims == 2 && f->dv.value.dims[0] == 3);
    reencode_same("dsm_array_mixed.json");
    free(b);

    CU_ASSERT_EQUAL_FATAL(decode("uagate", "minimal_rawdata.json", &b), 0);
    d = &nm.dsm[0];
    CU_ASSERT(d->field_count == 4 && d->field_encoding == UG_FE_RAWDATA);
    f = field(d, "name");
    CU_ASSERT(f && str_is(f->dv.value.u.v.string, "pump \"7\"\xc3\xa9"));
    f = field(d, "count");
    CU_ASSERT(f && f->dv.value.type == UG_TYPE_INT64 && f->dv.value.u.v.int64 == 3000000000LL);
    free(b);

    CU_ASSERT_EQUAL_FATAL(decode("uagate", "v104_reversible.json", &b), 0);
    d = &nm.dsm[0];
    CU_ASSERT(nm.has_class_id && nm.class_id.data1 == 0xC496578A && d->writer_id == 5);
    CU_ASSERT(d->status == 0x4000 && d->cfg_major == 2);
    f = field(d, "n");
    CU_ASSERT(f && f->dv.value.u.v.nodeid.ns == 2 && str_is(f->dv.value.u.v.nodeid.id.string, "Valve"));
    f = field(d, "dv");
    CU_ASSERT(f && f->dv.value.type == UG_TYPE_UINT32 && f->dv.value.u.v.uint32 == 4000000000u);
    CU_ASSERT(f && f->dv.source_ts == 132274907999999999LL && f->dv.source_ps == 5); /* 22:59:59.9999999Z */
    f = field(d, "qn");
    CU_ASSERT(f && f->dv.value.u.v.qname.ns == 3 && str_is(f->dv.value.u.v.qname.name, "Flow"));
    reencode_same("v104_reversible.json");
    free(b);

    CU_ASSERT_EQUAL_FATAL(decode("uagate", "v104_nonreversible.json", &b), 0);
    d = &nm.dsm[0];
    f = field(d, "a");
    CU_ASSERT(f && f->dv.value.type == UG_TYPE_INT32 && f->dv.value.u.v.int32 == 42);
    f = field(d, "d");
    CU_ASSERT(f && f->dv.value.type == UG_TYPE_NULL);
    free(b);

    size_t len;
    b = load("uagate", "metadata_verbose.json", &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    ug_json_metadata_msg m;
    ug_arena_reset(&arena);
    CU_ASSERT_EQUAL_FATAL(ug_json_decode_metadata(b, len, &m, NULL, &arena, NULL), 0);
    CU_ASSERT(m.writer_id == 7 && str_is(m.writer_name, "w7") && m.metadata.n_namespaces == 2);
    CU_ASSERT(m.metadata.n_enums == -1 && m.metadata.n_structures == 0 && m.metadata.n_fields == 2);
    CU_ASSERT(m.metadata.fields[0].builtin_type == UG_TYPE_DOUBLE && m.metadata.fields[0].field_id.data1 == 0x2B8B3F2E);
    CU_ASSERT(m.metadata.fields[1].value_rank == 1 && m.metadata.fields[1].array_dims[0] == 4);
    CU_ASSERT(m.metadata.cfg_major == 11 && m.metadata.cfg_minor == 12);
    free(b);

    b = load("uagate", "status_cyclic.json", &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    ug_json_status_msg s;
    CU_ASSERT_EQUAL_FATAL(ug_json_decode_status(b, len, &s, NULL, &arena, NULL), 0);
    CU_ASSERT(s.is_cyclic && s.state == UG_PUBSUB_OPERATIONAL && s.next_report - s.timestamp == 100000000);
    free(b);
}

int main(void)
{
    ug_arena_init(&arena, arena_buf, sizeof arena_buf, false);
    CU_TestInfo tests[] = {
        {"every open62541 NAME.json decodes and re-encodes", test_open62541_all},
        {"open62541 values checked by hand", test_open62541_values},
        {"tests/vectors/uagate: Annex A examples and hand-checked messages", test_own_vectors},
        CU_TEST_INFO_NULL,
    };
    return ug_test_main("json_vectors", tests);
}
