/* DataSetMetaDataType in UA Binary (types/metadata.c): a hand-encoded vector
 * that pins the field order of Opc.Ua.Types.bsd, a full round trip compared
 * member by member, truncation at every offset, limits and bad counts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "uagate/binary.h"
#include "uagate/pubsub_msg.h"

#define STR(s) ((ug_string){(const uint8_t *)(s), (int32_t)(sizeof(s) - 1)})
#define LT(l, t) ((ug_localized_text){l, t})
#define NUM(n, v) ((ug_nodeid){.ns = (n), .id_type = UG_ID_NUMERIC, .id.numeric = (v)})
#define QN(n, s) ((ug_qualified_name){(n), STR(s)})

/* ---- member-by-member comparison ---- */

static void check_lt(const ug_localized_text *a, const ug_localized_text *b)
{
    CU_ASSERT(ug_bytes_eq(a->locale, b->locale));
    CU_ASSERT(ug_bytes_eq(a->text, b->text));
}

static void check_qn(const ug_qualified_name *a, const ug_qualified_name *b)
{
    CU_ASSERT_EQUAL(a->ns, b->ns);
    CU_ASSERT(ug_bytes_eq(a->name, b->name));
}

static void check_dims(int32_t na, const uint32_t *a, int32_t nb, const uint32_t *b)
{
    CU_ASSERT_EQUAL_FATAL(na, nb);
    for (int32_t i = 0; i < na; i++)
        CU_ASSERT_EQUAL(a[i], b[i]);
}

static void check_field(const ug_field_meta *a, const ug_field_meta *b)
{
    CU_ASSERT(ug_bytes_eq(a->name, b->name));
    check_lt(&a->description, &b->description);
    CU_ASSERT_EQUAL(a->flags, b->flags);
    CU_ASSERT_EQUAL(a->builtin_type, b->builtin_type);
    CU_ASSERT(ug_nodeid_eq(&a->data_type, &b->data_type));
    CU_ASSERT_EQUAL(a->value_rank, b->value_rank);
    check_dims(a->n_array_dims, a->array_dims, b->n_array_dims, b->array_dims);
    CU_ASSERT_EQUAL(a->max_string_len, b->max_string_len);
    CU_ASSERT(ug_guid_eq(&a->field_id, &b->field_id));
    CU_ASSERT_EQUAL_FATAL(a->n_properties, b->n_properties);
    for (int32_t i = 0; i < a->n_properties; i++) {
        check_qn(&a->properties[i].key, &b->properties[i].key);
        CU_ASSERT(ug_variant_eq(&a->properties[i].value, &b->properties[i].value));
    }
}

static void check_structure(const ug_structure_description *a, const ug_structure_description *b)
{
    CU_ASSERT(ug_nodeid_eq(&a->data_type_id, &b->data_type_id));
    check_qn(&a->name, &b->name);
    CU_ASSERT(ug_nodeid_eq(&a->default_encoding_id, &b->default_encoding_id));
    CU_ASSERT(ug_nodeid_eq(&a->base_data_type, &b->base_data_type));
    CU_ASSERT_EQUAL(a->structure_type, b->structure_type);
    CU_ASSERT_EQUAL_FATAL(a->n_fields, b->n_fields);
    for (int32_t i = 0; i < a->n_fields; i++) {
        const ug_structure_field *x = &a->fields[i], *y = &b->fields[i];
        CU_ASSERT(ug_bytes_eq(x->name, y->name));
        check_lt(&x->description, &y->description);
        CU_ASSERT(ug_nodeid_eq(&x->data_type, &y->data_type));
        CU_ASSERT_EQUAL(x->value_rank, y->value_rank);
        check_dims(x->n_array_dims, x->array_dims, y->n_array_dims, y->array_dims);
        CU_ASSERT_EQUAL(x->max_string_len, y->max_string_len);
        CU_ASSERT_EQUAL(x->is_optional, y->is_optional);
    }
}

static void check_enum(const ug_enum_description *a, const ug_enum_description *b)
{
    CU_ASSERT(ug_nodeid_eq(&a->data_type_id, &b->data_type_id));
    check_qn(&a->name, &b->name);
    CU_ASSERT_EQUAL_FATAL(a->n_fields, b->n_fields);
    for (int32_t i = 0; i < a->n_fields; i++) {
        CU_ASSERT_EQUAL(a->fields[i].value, b->fields[i].value);
        check_lt(&a->fields[i].display_name, &b->fields[i].display_name);
        check_lt(&a->fields[i].description, &b->fields[i].description);
        CU_ASSERT(ug_bytes_eq(a->fields[i].name, b->fields[i].name));
    }
    CU_ASSERT_EQUAL(a->builtin_type, b->builtin_type);
}

static void check_metadata(const ug_dataset_metadata *a, const ug_dataset_metadata *b)
{
    CU_ASSERT_EQUAL_FATAL(a->n_namespaces, b->n_namespaces);
    for (int32_t i = 0; i < a->n_namespaces; i++)
        CU_ASSERT(ug_bytes_eq(a->namespaces[i], b->namespaces[i]));
    CU_ASSERT_EQUAL_FATAL(a->n_structures, b->n_structures);
    for (int32_t i = 0; i < a->n_structures; i++)
        check_structure(&a->structures[i], &b->structures[i]);
    CU_ASSERT_EQUAL_FATAL(a->n_enums, b->n_enums);
    for (int32_t i = 0; i < a->n_enums; i++)
        check_enum(&a->enums[i], &b->enums[i]);
    CU_ASSERT_EQUAL_FATAL(a->n_simple_types, b->n_simple_types);
    for (int32_t i = 0; i < a->n_simple_types; i++) {
        const ug_simple_type_description *x = &a->simple_types[i], *y = &b->simple_types[i];
        CU_ASSERT(ug_nodeid_eq(&x->data_type_id, &y->data_type_id));
        check_qn(&x->name, &y->name);
        CU_ASSERT(ug_nodeid_eq(&x->base_data_type, &y->base_data_type));
        CU_ASSERT_EQUAL(x->builtin_type, y->builtin_type);
    }
    CU_ASSERT(ug_bytes_eq(a->name, b->name));
    check_lt(&a->description, &b->description);
    CU_ASSERT_EQUAL_FATAL(a->n_fields, b->n_fields);
    for (int32_t i = 0; i < a->n_fields; i++)
        check_field(&a->fields[i], &b->fields[i]);
    CU_ASSERT(ug_guid_eq(&a->class_id, &b->class_id));
    CU_ASSERT_EQUAL(a->cfg_major, b->cfg_major);
    CU_ASSERT_EQUAL(a->cfg_minor, b->cfg_minor);
}

/* ---- a hand-encoded vector: one of everything ---- */

#define GUID_BYTES 0x04, 0x03, 0x02, 0x01, 0x06, 0x05, 0x08, 0x07, 9, 10, 11, 12, 13, 14, 15, 16
#define NEG1 0xFF, 0xFF, 0xFF, 0xFF
static const uint8_t vector[] = {
    /* Namespaces */ 1, 0, 0, 0, 1, 0, 0, 0, 'a',
    /* StructureDataTypes */ 1, 0, 0, 0,
    0x00, 1,                       /* DataTypeId i=1 (two-byte NodeId) */
    1, 0, 1, 0, 0, 0, 'S',         /* Name 1:S */
    0x00, 2,                       /* StructureDefinition.DefaultEncodingId */
    0x00, 22,                      /* BaseDataType i=22 */
    1, 0, 0, 0,                    /* StructureType StructureWithOptionalFields */
    1, 0, 0, 0,                    /* Fields */
    1, 0, 0, 0, 'x', 0x00, 0x00, 6, NEG1, NEG1, 0, 0, 0, 0, 1,
    /* EnumDataTypes */ 1, 0, 0, 0,
    0x00, 3, 1, 0, 1, 0, 0, 0, 'E',
    1, 0, 0, 0,                    /* EnumDefinition.Fields */
    0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, /* Value -2 */
    0x02, 1, 0, 0, 0, 'o',         /* DisplayName */
    0x00,                          /* Description */
    3, 0, 0, 0, 'o', 'n', 'e',     /* Name */
    6,                             /* BuiltInType Int32 */
    /* SimpleDataTypes */ 1, 0, 0, 0,
    0x00, 4, 1, 0, 1, 0, 0, 0, 'T', 0x00, 7, 7,
    /* Name */ 1, 0, 0, 0, 'm',
    /* Description */ 0x03, 2, 0, 0, 0, 'e', 'n', 1, 0, 0, 0, 'd',
    /* Fields */ 1, 0, 0, 0,
    1, 0, 0, 0, 'f',               /* Name */
    0x00,                          /* Description */
    1, 0,                          /* FieldFlags PromotedField */
    11,                            /* BuiltInType Double */
    0x00, 11,                      /* DataType i=11 */
    1, 0, 0, 0,                    /* ValueRank 1 */
    1, 0, 0, 0, 3, 0, 0, 0,        /* ArrayDimensions [3] */
    0x10, 0, 0, 0,                 /* MaxStringLength 16 */
    GUID_BYTES,                    /* DataSetFieldId */
    1, 0, 0, 0,                    /* Properties */
    0, 0, 1, 0, 0, 0, 'k', 0x06, 5, 0, 0, 0,
    /* DataSetClassId */ GUID_BYTES,
    /* ConfigurationVersion */ 1, 0, 0, 0, 2, 0, 0, 0,
};

static const ug_guid vguid = {0x01020304, 0x0506, 0x0708, {9, 10, 11, 12, 13, 14, 15, 16}};

static void vector_model(ug_dataset_metadata *m, ug_string *ns, ug_structure_description *sd,
                         ug_structure_field *sf, ug_enum_description *ed, ug_enum_field *ef,
                         ug_simple_type_description *st, ug_field_meta *fm, ug_kv *kv,
                         uint32_t *dims)
{
    *ns = STR("a");
    *sf = (ug_structure_field){STR("x"), LT(UG_NULL_BYTES, UG_NULL_BYTES), NUM(0, 6), -1, -1,
                               NULL, 0, true};
    *sd = (ug_structure_description){NUM(0, 1), QN(1, "S"), NUM(0, 2), NUM(0, 22), 1, 1, sf};
    *ef = (ug_enum_field){-2, LT(UG_NULL_BYTES, STR("o")), LT(UG_NULL_BYTES, UG_NULL_BYTES),
                          STR("one")};
    *ed = (ug_enum_description){NUM(0, 3), QN(1, "E"), 1, ef, 6};
    *st = (ug_simple_type_description){NUM(0, 4), QN(1, "T"), NUM(0, 7), 7};
    dims[0] = 3;
    kv->key = QN(0, "k");
    kv->value = ug_variant_scalar(UG_TYPE_INT32);
    kv->value.u.v.int32 = 5;
    *fm = (ug_field_meta){STR("f"), LT(UG_NULL_BYTES, UG_NULL_BYTES), 1, 11, NUM(0, 11), 1, 1,
                          dims, 16, vguid, 1, kv};
    *m = (ug_dataset_metadata){1, ns, 1, sd, 1, ed, 1, st, STR("m"), LT(STR("en"), STR("d")),
                               1, fm, vguid, 1, 2};
}

static void test_vector(void)
{
    ug_dataset_metadata want;
    ug_string ns;
    ug_structure_description sd;
    ug_structure_field sf;
    ug_enum_description ed;
    ug_enum_field ef;
    ug_simple_type_description st;
    ug_field_meta fm;
    ug_kv kv;
    uint32_t dims[1];
    vector_model(&want, &ns, &sd, &sf, &ed, &ef, &st, &fm, &kv, dims);

    uint8_t *in = ug_test_guard(vector, sizeof vector);
    uint8_t mem[2048];
    ug_arena arena;
    ug_arena_init(&arena, mem, sizeof mem, false);
    ug_rd rd;
    ug_rd_init(&rd, in, sizeof vector, NULL, &arena);
    ug_dataset_metadata got;
    ug_rd_dataset_metadata(&rd, &got);
    CU_ASSERT_EQUAL_FATAL(rd.err, UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_rd_left(&rd), 0);
    check_metadata(&got, &want);
    /* Strings are views into the input. */
    CU_ASSERT(got.name.data >= in && got.name.data < in + sizeof vector);
    ug_test_guard_free(in);

    uint8_t out[sizeof vector];
    ug_wr wr;
    ug_wr_init(&wr, out, sizeof out);
    ug_wr_dataset_metadata(&wr, &want);
    CU_ASSERT_EQUAL(ug_wr_finish(&wr), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(wr.len, sizeof vector);
    CU_ASSERT(memcmp(out, vector, sizeof vector) == 0);
}

/* ---- a realistic one: 3 fields, a structure and an enum ---- */

static const uint32_t dims_4x4[] = {4, 4};
static const uint32_t dims_8[] = {8};
static const double scale[] = {1.0, 0.5, -2.25};
static ug_kv props[3];
static const ug_string namespaces[] = {
    {(const uint8_t *)"http://opcfoundation.org/UA/", 28},
    {(const uint8_t *)"urn:uagate:test", 15},
};
static ug_structure_field sfields[2];
static ug_structure_description structs[1];
static ug_enum_field efields[3];
static ug_enum_description enums[1];
static ug_simple_type_description simples[1];
static ug_field_meta fields[3];
static ug_dataset_metadata meta;

static void build_meta(void)
{
    props[0] = (ug_kv){QN(0, "EngineeringUnits"), ug_variant_scalar(UG_TYPE_STRING)};
    props[0].value.u.v.string = STR("degC");
    props[1] = (ug_kv){QN(1, "Scale"), ug_variant_scalar(UG_TYPE_DOUBLE)};
    props[1].value.array_len = 3;
    props[1].value.u.arr = scale;
    props[2] = (ug_kv){QN(1, "Flag"), ug_variant_scalar(UG_TYPE_BOOLEAN)};
    props[2].value.u.v.boolean = true;

    sfields[0] = (ug_structure_field){STR("Speed"), LT(STR("en"), STR("rpm")), NUM(0, 10), -1,
                                      -1, NULL, 0, false};
    sfields[1] = (ug_structure_field){STR("Trace"), LT(UG_NULL_BYTES, UG_NULL_BYTES),
                                      NUM(0, 11), 1, 1, dims_8, 0, true};
    ug_nodeid sid = {.ns = 1, .id_type = UG_ID_STRING, .id.string = STR("MotorState")};
    structs[0] = (ug_structure_description){sid, QN(1, "MotorState"), NUM(1, 5001),
                                            NUM(0, 22), 1, 2, sfields};

    efields[0] = (ug_enum_field){0, LT(STR("en"), STR("Off")), LT(UG_NULL_BYTES, UG_NULL_BYTES),
                                 STR("Off")};
    efields[1] = (ug_enum_field){1, LT(STR("en"), STR("On")), LT(STR("en"), STR("Running")),
                                 STR("On")};
    efields[2] = (ug_enum_field){INT64_MIN, LT(UG_NULL_BYTES, STR("Fault")),
                                 LT(UG_NULL_BYTES, UG_NULL_BYTES), STR("Fault")};
    enums[0] = (ug_enum_description){NUM(1, 3000), QN(1, "Mode"), 3, efields, UG_TYPE_INT32};
    simples[0] = (ug_simple_type_description){NUM(1, 3001), QN(1, "Percent"), NUM(0, 11),
                                              UG_TYPE_DOUBLE};

    ug_guid g1 = {0x11111111, 0x2222, 0x3333, {0x44, 0x44, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55}};
    ug_guid g2 = {0xA1B2C3D4, 0xE5F6, 0x0718, {1, 2, 3, 4, 5, 6, 7, 8}};
    ug_guid g3 = {0, 0, 0, {0}};
    fields[0] = (ug_field_meta){STR("Temperature"), LT(STR("en"), STR("Oil temperature")), 0,
                                UG_TYPE_DOUBLE, NUM(0, 11), -1, -1, NULL, 0, g1, 0, NULL};
    fields[1] = (ug_field_meta){STR("Matrix"), LT(UG_NULL_BYTES, UG_NULL_BYTES), 0,
                                UG_TYPE_FLOAT, NUM(0, 10), 2, 2, dims_4x4, 0, g2, 3, props};
    fields[2] = (ug_field_meta){STR("Label"), LT(UG_NULL_BYTES, STR("")), 1, UG_TYPE_STRING,
                                NUM(0, 12), -1, 0, NULL, 32, g3, -1, NULL};

    ug_guid cls = {0xCAFEBABE, 0x1234, 0x5678, {0x9A, 0xBC, 0xDE, 0xF0, 1, 2, 3, 4}};
    meta = (ug_dataset_metadata){2, namespaces, 1, structs, 1, enums, 1, simples,
                                 STR("Line 1"), LT(STR("en-US"), STR("Line 1 values")),
                                 3, fields, cls, 0x12345678, 42};
}

/* Encodes `m` into a malloc'ed buffer of exactly the size needed. */
static uint8_t *encode(const ug_dataset_metadata *m, size_t *len)
{
    ug_wr wr;
    ug_wr_init(&wr, NULL, 0);
    ug_wr_dataset_metadata(&wr, m);
    CU_ASSERT_EQUAL(ug_wr_finish(&wr), wr.len ? UG_STATUS_BADENCODINGLIMITSEXCEEDED
                                              : UG_STATUS_GOOD);
    *len = wr.len;
    uint8_t *buf = malloc(wr.len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
    ug_wr_init(&wr, buf, *len);
    ug_wr_dataset_metadata(&wr, m);
    CU_ASSERT_EQUAL(ug_wr_finish(&wr), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(wr.len, *len);
    return buf;
}

static void test_round_trip(void)
{
    build_meta();
    size_t len;
    uint8_t *buf = encode(&meta, &len);
    uint8_t *in = ug_test_guard(buf, len);

    uint8_t mem[4096];
    ug_arena arena;
    ug_arena_init(&arena, mem, sizeof mem, false);
    ug_rd rd;
    ug_rd_init(&rd, in, len, NULL, &arena);
    ug_dataset_metadata got;
    ug_rd_dataset_metadata(&rd, &got);
    CU_ASSERT_EQUAL_FATAL(rd.err, UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_rd_left(&rd), 0);
    check_metadata(&got, &meta);

    /* Encoding the decoded value gives the same bytes. */
    size_t len2;
    uint8_t *again = encode(&got, &len2);
    CU_ASSERT_EQUAL(len2, len);
    CU_ASSERT(memcmp(again, buf, len) == 0);
    free(again);

    /* A buffer one byte short: the exact size is still reported. */
    uint8_t *shortbuf = malloc(len);
    ug_wr wr;
    ug_wr_init(&wr, shortbuf, len - 1);
    ug_wr_dataset_metadata(&wr, &meta);
    CU_ASSERT_EQUAL(ug_wr_finish(&wr), UG_STATUS_BADENCODINGLIMITSEXCEEDED);
    CU_ASSERT_EQUAL(wr.len, len);
    free(shortbuf);

    ug_test_guard_free(in);
    free(buf);
}

/* Every proper prefix fails with BadDecodingError and never reads past it. */
static void test_truncation(void)
{
    build_meta();
    size_t len;
    uint8_t *buf = encode(&meta, &len);
    static uint8_t mem[8192];
    static const uint8_t none[1];
    for (size_t cut = 0; cut < len; cut++) {
        /* ug_test_guard cannot hand out an empty region: cut 0 reads `none`. */
        uint8_t *in = cut ? ug_test_guard(buf, cut) : (uint8_t *)none;
        ug_arena arena;
        ug_arena_init(&arena, mem, sizeof mem, false);
        ug_rd rd;
        ug_rd_init(&rd, in, cut, NULL, &arena);
        ug_dataset_metadata got;
        ug_rd_dataset_metadata(&rd, &got);
        if (rd.err != UG_STATUS_BADDECODINGERROR)
            fprintf(stderr, "cut at %zu of %zu: 0x%08X\n", cut, len, rd.err);
        CU_ASSERT_EQUAL(rd.err, UG_STATUS_BADDECODINGERROR);
        if (cut)
            ug_test_guard_free(in);
    }
    free(buf);
}

static void test_field_meta_alone(void)
{
    build_meta();
    for (int i = 0; i < 3; i++) {
        uint8_t buf[512];
        ug_wr wr;
        ug_wr_init(&wr, buf, sizeof buf);
        ug_wr_field_meta(&wr, &fields[i]);
        CU_ASSERT_EQUAL_FATAL(ug_wr_finish(&wr), UG_STATUS_GOOD);
        uint8_t *in = ug_test_guard(buf, wr.len);
        uint8_t mem[1024];
        ug_arena arena;
        ug_arena_init(&arena, mem, sizeof mem, false);
        ug_rd rd;
        ug_rd_init(&rd, in, wr.len, NULL, &arena);
        ug_field_meta got;
        ug_rd_field_meta(&rd, &got);
        CU_ASSERT_EQUAL(rd.err, UG_STATUS_GOOD);
        CU_ASSERT_EQUAL(ug_rd_left(&rd), 0);
        check_field(&got, &fields[i]);
        ug_test_guard_free(in);
    }
}

/* Null arrays (-1) stay null, empty ones (0) stay empty. */
static void test_null_and_empty_arrays(void)
{
    for (int32_t n = -1; n <= 0; n++) {
        ug_dataset_metadata m = {n, NULL, n, NULL, n, NULL, n, NULL, UG_NULL_BYTES,
                                 LT(UG_NULL_BYTES, UG_NULL_BYTES), n, NULL};
        size_t len;
        uint8_t *buf = encode(&m, &len);
        CU_ASSERT_EQUAL(len, 4 * 4 + 4 + 1 + 4 + 16 + 8);
        ug_rd rd;
        ug_rd_init(&rd, buf, len, NULL, NULL); /* no arena needed */
        ug_dataset_metadata got;
        ug_rd_dataset_metadata(&rd, &got);
        CU_ASSERT_EQUAL(rd.err, UG_STATUS_GOOD);
        check_metadata(&got, &m);
        CU_ASSERT_EQUAL(got.name.len, -1);
        free(buf);
    }
}

/* Offset of the Fields count in the vector above. */
static size_t fields_count_offset(void)
{
    return sizeof vector - 8 - 16 - (4 + 5 + 1 + 2 + 1 + 2 + 4 + 8 + 4 + 16 + 4 + 12);
}

static ug_status decode_vector_with(const uint8_t *v, size_t len, const ug_limits *lim,
                                    ug_arena *arena)
{
    uint8_t *in = ug_test_guard(v, len);
    ug_rd rd;
    ug_rd_init(&rd, in, len, lim, arena);
    ug_dataset_metadata got;
    ug_rd_dataset_metadata(&rd, &got);
    ug_test_guard_free(in);
    return rd.err;
}

static void test_bad_counts(void)
{
    uint8_t v[sizeof vector];
    uint8_t mem[2048];
    ug_arena arena;
    size_t fc = fields_count_offset();
    CU_ASSERT_EQUAL_FATAL(vector[fc], 1); /* the offset arithmetic is right */

    static const struct {
        size_t off_from; /* 0: namespaces count, 1: fields count */
        uint32_t count;
        uint32_t max_array_len;
        ug_status want;
    } cases[] = {
        {0, 0xFFFFFFFEu, 65535, UG_STATUS_BADDECODINGERROR},          /* -2 */
        {0, 0x80000000u, 65535, UG_STATUS_BADDECODINGERROR},          /* INT32_MIN */
        {0, 70000, 65535, UG_STATUS_BADENCODINGLIMITSEXCEEDED},
        {0, 0x7FFFFFFFu, UINT32_MAX, UG_STATUS_BADDECODINGERROR},      /* more than the bytes */
        {1, 0x7FFFFFFFu, UINT32_MAX, UG_STATUS_BADDECODINGERROR},
        {1, 2, 65535, UG_STATUS_BADDECODINGERROR},                     /* runs off the end */
        {1, 1, 0, UG_STATUS_BADENCODINGLIMITSEXCEEDED},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memcpy(v, vector, sizeof v);
        size_t off = cases[i].off_from ? fc : 0;
        memcpy(v + off, &cases[i].count, 4);
        ug_limits lim = ug_limits_default;
        lim.max_array_len = cases[i].max_array_len;
        ug_arena_init(&arena, mem, sizeof mem, false);
        ug_status st = decode_vector_with(v, sizeof v, &lim, &arena);
        if (st != cases[i].want)
            fprintf(stderr, "count case %zu: 0x%08X\n", i, st);
        CU_ASSERT_EQUAL(st, cases[i].want);
        if (cases[i].off_from == 0)
            CU_ASSERT_EQUAL(arena.used, 0); /* refused before any allocation */
    }
}

static void test_arena(void)
{
    /* Arrays need an arena; a full one fails the same way. */
    CU_ASSERT_EQUAL(decode_vector_with(vector, sizeof vector, NULL, NULL),
                    UG_STATUS_BADOUTOFMEMORY);
    uint8_t mem[64];
    ug_arena arena;
    ug_arena_init(&arena, mem, sizeof mem, false);
    CU_ASSERT_EQUAL(decode_vector_with(vector, sizeof vector, NULL, &arena),
                    UG_STATUS_BADOUTOFMEMORY);
    ug_arena_init(&arena, mem, sizeof mem, true);
    CU_ASSERT_EQUAL(decode_vector_with(vector, sizeof vector, NULL, &arena), UG_STATUS_GOOD);
    CU_ASSERT(arena.heap_allocs > 0);
    ug_arena_free(&arena);
}

static void test_encode_bad_model(void)
{
    build_meta();
    ug_dataset_metadata m = meta;
    uint8_t buf[1024];
    ug_wr wr;

    m.n_fields = 2;
    m.fields = NULL; /* a count without elements */
    ug_wr_init(&wr, buf, sizeof buf);
    ug_wr_dataset_metadata(&wr, &m);
    CU_ASSERT_EQUAL(ug_wr_finish(&wr), UG_STATUS_BADENCODINGERROR);

    m = meta;
    m.n_namespaces = -5;
    ug_wr_init(&wr, buf, sizeof buf);
    ug_wr_dataset_metadata(&wr, &m);
    CU_ASSERT_EQUAL(ug_wr_finish(&wr), UG_STATUS_BADENCODINGERROR);

    ug_field_meta f = fields[1];
    f.array_dims = NULL;
    ug_wr_init(&wr, buf, sizeof buf);
    ug_wr_field_meta(&wr, &f);
    CU_ASSERT_EQUAL(ug_wr_finish(&wr), UG_STATUS_BADENCODINGERROR);
}

/* IsOptional is a Boolean: any non-zero byte is true (Part 6 §5.2.2.1). */
static void test_boolean_normalised(void)
{
    uint8_t v[sizeof vector];
    memcpy(v, vector, sizeof v);
    /* IsOptional is the last byte of the StructureField (offset 9+4+...). */
    size_t off = 9 + 4 + 2 + 7 + 2 + 2 + 4 + 4 + (4 + 1 + 1 + 2 + 4 + 4 + 4);
    CU_ASSERT_EQUAL_FATAL(v[off], 1);
    v[off] = 0x7F;
    uint8_t mem[2048];
    ug_arena arena;
    ug_arena_init(&arena, mem, sizeof mem, false);
    ug_rd rd;
    ug_rd_init(&rd, v, sizeof v, NULL, &arena);
    ug_dataset_metadata got;
    ug_rd_dataset_metadata(&rd, &got);
    CU_ASSERT_EQUAL_FATAL(rd.err, UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(got.structures[0].fields[0].is_optional, true);
}

static void test_nm_dsm_init(void)
{
    ug_nm nm;
    memset(&nm, 0xA5, sizeof nm);
    ug_nm_init(&nm);
    CU_ASSERT_EQUAL(nm.version, 1);
    CU_ASSERT_EQUAL(nm.type, UG_NM_DATASET);
    CU_ASSERT_EQUAL(nm.publisher_id.type, UG_PUBID_NONE);
    CU_ASSERT_EQUAL(nm.publisher_id.str.len, -1);
    CU_ASSERT_FALSE(nm.has_class_id || nm.has_group_header || nm.has_payload_header ||
                    nm.has_timestamp || nm.has_picoseconds || nm.has_security || nm.is_chunk);
    CU_ASSERT_EQUAL(nm.n_dsm, 0);
    CU_ASSERT_PTR_NULL(nm.dsm);
    CU_ASSERT_EQUAL(nm.n_promoted, 0);
    CU_ASSERT_EQUAL(nm.security.nonce.len, -1);
    CU_ASSERT_EQUAL(nm.chunk.data.len, -1);
    CU_ASSERT_EQUAL(nm.message_id.len, -1);
    CU_ASSERT_EQUAL(nm.writer_group_name.len, -1);
    CU_ASSERT_EQUAL(nm.disc_resp.body.len, -1);
    CU_ASSERT_EQUAL(nm.disc_resp.metadata.name.len, -1);
    CU_ASSERT_EQUAL(nm.disc_resp.status, UG_STATUS_GOOD);

    ug_dsm dsm;
    memset(&dsm, 0xA5, sizeof dsm);
    ug_dsm_init(&dsm);
    CU_ASSERT_TRUE(dsm.valid);
    CU_ASSERT_EQUAL(dsm.type, UG_DSM_KEYFRAME);
    CU_ASSERT_EQUAL(dsm.field_encoding, UG_FE_VARIANT);
    CU_ASSERT_EQUAL(dsm.field_count, 0);
    CU_ASSERT_PTR_NULL(dsm.fields);
    CU_ASSERT_FALSE(dsm.has_writer_id || dsm.has_seq || dsm.has_timestamp ||
                    dsm.has_picoseconds || dsm.has_status || dsm.has_cfg_major ||
                    dsm.has_cfg_minor);
    CU_ASSERT_EQUAL(dsm.configured_size, 0);
    CU_ASSERT_EQUAL(dsm.raw.len, -1);
}

static CU_TestInfo tests[] = {
    {"hand-encoded vector, both ways", test_vector},
    {"round trip, member by member", test_round_trip},
    {"truncation at every offset", test_truncation},
    {"FieldMetaData alone", test_field_meta_alone},
    {"null and empty arrays", test_null_and_empty_arrays},
    {"bad and oversized counts", test_bad_counts},
    {"arena missing or full", test_arena},
    {"encoding a bad model", test_encode_bad_model},
    {"Boolean IsOptional normalised", test_boolean_normalised},
    {"ug_nm_init and ug_dsm_init", test_nm_dsm_init},
    CU_TEST_INFO_NULL,
};

int main(void) { return ug_test_main("metadata", tests); }
