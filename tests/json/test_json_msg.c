/* JSON NetworkMessages (json/jmsg.c) and the ua-metadata / ua-status
 * messages (json/jmeta.c): the layouts of Part 14 §7.2.5 against text
 * written by hand, content masks, field encodings, round trips. */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "uagate/json.h"

static uint8_t arena_buf[1 << 18];
static ug_arena arena;
static char out[1 << 14];

static const char *const names[10] = {"f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9"};

/* R1 of the foundation issue: 10 Int32 Variant fields, key frame. */
static void build_r1(ug_nm *nm, ug_dsm *d, ug_dsm_field *f)
{
    ug_nm_init(nm);
    nm->message_id = ug_string_from("m1");
    nm->publisher_id.type = UG_PUBID_UINT16;
    nm->publisher_id.u64 = 1000;
    ug_dsm_init(d);
    d->writer_id = 1;
    d->has_writer_id = true;
    d->has_seq = true;
    d->seq = 7;
    d->field_count = 10;
    d->fields = f;
    for (int i = 0; i < 10; i++) {
        memset(&f[i], 0, sizeof f[i]);
        f[i].name = ug_string_from(names[i]);
        f[i].dv.mask = UG_DV_VALUE;
        f[i].dv.value = ug_variant_scalar(UG_TYPE_INT32);
        f[i].dv.value.u.v.int32 = i * 10 - 20;
    }
    nm->n_dsm = 1;
    nm->dsm = d;
}

#define R1_PAYLOAD                                                                              \
    "{\"f0\":{\"UaType\":6,\"Value\":-20},\"f1\":{\"UaType\":6,\"Value\":-10},"                 \
    "\"f2\":{\"UaType\":6,\"Value\":0},\"f3\":{\"UaType\":6,\"Value\":10},"                     \
    "\"f4\":{\"UaType\":6,\"Value\":20},\"f5\":{\"UaType\":6,\"Value\":30},"                    \
    "\"f6\":{\"UaType\":6,\"Value\":40},\"f7\":{\"UaType\":6,\"Value\":50},"                    \
    "\"f8\":{\"UaType\":6,\"Value\":60},\"f9\":{\"UaType\":6,\"Value\":70}}"
#define R1_DSM "{\"DataSetWriterId\":1,\"SequenceNumber\":7,\"MessageType\":\"ua-keyframe\",\"Payload\":" R1_PAYLOAD "}"

static void check_encode(const ug_nm *nm, const ug_json_enc_opts *o, const char *want)
{
    size_t need = 0, len = 0;
    CU_ASSERT_EQUAL(ug_json_encode_nm(NULL, 0, nm, o, &need), UG_STATUS_BADENCODINGLIMITSEXCEEDED);
    CU_ASSERT_EQUAL(ug_json_encode_nm(out, sizeof out, nm, o, &len), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(len, need);
    if (len != strlen(want) || memcmp(out, want, len) != 0) {
        fprintf(stderr, "\n got  %.*s\n want %s\n", (int)len, out, want);
        CU_FAIL("encoded message differs");
    }
}

/* Same writer, sequence and field names/values. */
static void check_same(const ug_nm *a, const ug_nm *b)
{
    CU_ASSERT_EQUAL_FATAL(a->n_dsm, b->n_dsm);
    for (uint16_t i = 0; i < a->n_dsm; i++) {
        const ug_dsm *x = &a->dsm[i], *y = &b->dsm[i];
        CU_ASSERT_EQUAL_FATAL(x->field_count, y->field_count);
        CU_ASSERT_EQUAL(x->type, y->type);
        for (uint16_t k = 0; k < x->field_count; k++) {
            CU_ASSERT(ug_bytes_eq(x->fields[k].name, y->fields[k].name));
            CU_ASSERT(ug_variant_eq(&x->fields[k].dv.value, &y->fields[k].dv.value));
        }
    }
}

static void decode_both(const ug_nm *src, uint32_t mask, bool header_fields)
{
    ug_json_dec_opts o = ug_json_dec_default;
    for (int pass = 0; pass < 2; pass++) {
        ug_nm back;
        size_t off = 0;
        o.nm_mask = pass ? mask : UG_JSON_NM_AUTO;
        ug_arena_reset(&arena);
        uint8_t *g = ug_test_guard(out, strlen(out));
        ug_status st = ug_json_decode_nm(g, strlen(out), &back, &o, &arena, &off);
        CU_ASSERT_EQUAL(st, UG_STATUS_GOOD);
        if (st == UG_STATUS_GOOD) {
            check_same(src, &back);
            if (header_fields) {
                CU_ASSERT(back.dsm[0].has_writer_id && back.dsm[0].writer_id == 1);
                CU_ASSERT(back.dsm[0].has_seq && back.dsm[0].seq == 7);
            }
        }
        ug_test_guard_free(g);
    }
}

static void test_layouts(void)
{
    ug_nm nm;
    ug_dsm d;
    ug_dsm_field f[10];
    build_r1(&nm, &d, f);
    ug_json_enc_opts o = ug_json_enc_default;

    o.nm_mask = UG_JSON_LAYOUT_NETWORK_MESSAGE;
    check_encode(&nm, &o,
                 "{\"MessageId\":\"m1\",\"MessageType\":\"ua-data\",\"PublisherId\":\"1000\","
                 "\"Messages\":[" R1_DSM "]}");
    out[strlen("{\"MessageId\":\"m1\",\"MessageType\":\"ua-data\",\"PublisherId\":\"1000\",\"Messages\":[" R1_DSM "]}")] = 0;
    decode_both(&nm, o.nm_mask, true);

    o.nm_mask = UG_JSON_LAYOUT_DATASET_MESSAGE;
    check_encode(&nm, &o, R1_DSM);
    out[strlen(R1_DSM)] = 0;
    decode_both(&nm, o.nm_mask, true);

    o.nm_mask = UG_JSON_LAYOUT_MINIMAL;
    check_encode(&nm, &o, R1_PAYLOAD);
    out[strlen(R1_PAYLOAD)] = 0;
    decode_both(&nm, o.nm_mask, false);

    o.nm_mask = UG_JSON_LAYOUT_DSM_ARRAY;
    check_encode(&nm, &o, "[" R1_DSM "]");
    out[strlen("[" R1_DSM "]")] = 0;
    decode_both(&nm, o.nm_mask, true);

    /* NetworkMessage header, no DataSetMessage header: payloads only. */
    o.nm_mask = UG_JSON_NM_NETWORK_HEADER;
    check_encode(&nm, &o, "{\"MessageId\":\"m1\",\"MessageType\":\"ua-data\",\"Messages\":[" R1_PAYLOAD "]}");
    out[strlen("{\"MessageId\":\"m1\",\"MessageType\":\"ua-data\",\"Messages\":[" R1_PAYLOAD "]}")] = 0;
    decode_both(&nm, o.nm_mask, false);

    /* SingleDataSetMessage with a header: Messages is an object. */
    o.nm_mask = UG_JSON_NM_NETWORK_HEADER | UG_JSON_NM_DATASET_HEADER | UG_JSON_NM_SINGLE_DATASET;
    check_encode(&nm, &o, "{\"MessageId\":\"m1\",\"MessageType\":\"ua-data\",\"Messages\":" R1_DSM "}");

    /* SingleDataSetMessage needs exactly one DataSetMessage. */
    ug_dsm two[2] = {d, d};
    nm.dsm = two;
    nm.n_dsm = 2;
    size_t len;
    CU_ASSERT_EQUAL(ug_json_encode_nm(out, sizeof out, &nm, &o, &len), UG_STATUS_BADENCODINGERROR);
}

static void test_header_masks(void)
{
    ug_nm nm;
    ug_dsm d;
    ug_dsm_field f[10];
    build_r1(&nm, &d, f);
    d.field_count = 1;
    d.has_timestamp = true;
    d.timestamp = 133485408001234567LL;
    d.has_status = true;
    d.status = 0x800A; /* BadTimeout */
    d.has_cfg_major = d.has_cfg_minor = true;
    d.cfg_major = 5;
    d.cfg_minor = 6;
    d.writer_name = ug_string_from("w1");
    nm.writer_group_name = ug_string_from("g1");
    nm.has_class_id = true;
    nm.class_id = (ug_guid){1, 2, 3, {4, 5, 6, 7, 8, 9, 10, 11}};
    ug_json_enc_opts o = {UG_JSON_VERBOSE, 0x7F & ~UG_JSON_NM_SINGLE_DATASET, 0x7FF, 0, NULL};
    const char *want =
        "{\"MessageId\":\"m1\",\"MessageType\":\"ua-data\",\"PublisherId\":\"1000\",\"WriterGroupName\":\"g1\","
        "\"DataSetClassId\":\"00000001-0002-0003-0405-060708090a0b\",\"Messages\":[{\"DataSetWriterId\":1,"
        "\"DataSetWriterName\":\"w1\",\"SequenceNumber\":7,\"MetaDataVersion\":{\"MajorVersion\":5,"
        "\"MinorVersion\":6},\"Timestamp\":\"2024-01-01T00:00:00.1234567Z\",\"Status\":{\"Code\":2148139008,"
        "\"Symbol\":\"BadTimeout\"},\"MessageType\":\"ua-keyframe\",\"Payload\":{\"f0\":{\"UaType\":6,"
        "\"Value\":-20}}}]}";
    check_encode(&nm, &o, want);
    ug_nm back;
    ug_arena_reset(&arena);
    CU_ASSERT_EQUAL_FATAL(ug_json_decode_nm(want, strlen(want), &back, NULL, &arena, NULL), 0);
    CU_ASSERT(ug_bytes_eq(back.message_id, nm.message_id));
    CU_ASSERT(ug_bytes_eq(back.writer_group_name, nm.writer_group_name));
    CU_ASSERT(back.has_class_id && ug_guid_eq(&back.class_id, &nm.class_id));
    CU_ASSERT(back.publisher_id.type == UG_PUBID_UINT16 && back.publisher_id.u64 == 1000);
    const ug_dsm *b = &back.dsm[0];
    CU_ASSERT(b->has_timestamp && b->timestamp == d.timestamp);
    CU_ASSERT(b->has_status && b->status == 0x800A);
    CU_ASSERT(b->has_cfg_major && b->cfg_major == 5 && b->cfg_minor == 6);
    CU_ASSERT(ug_bytes_eq(b->writer_name, d.writer_name));

    /* Without NetworkMessage header, PublisherId/WriterGroupName go into
     * the DataSetMessage (bits 8, 9); MinorVersion alone (bit 10). */
    ug_json_enc_opts o2 = {UG_JSON_COMPACT, UG_JSON_LAYOUT_DATASET_MESSAGE,
                           UG_JSON_DSM_PUBLISHER_ID | UG_JSON_DSM_WRITER_GROUP_NAME | UG_JSON_DSM_MINOR_VERSION,
                           0, NULL};
    check_encode(&nm, &o2,
                 "{\"PublisherId\":\"1000\",\"WriterGroupName\":\"g1\",\"MinorVersion\":6,"
                 "\"Payload\":{\"f0\":{\"UaType\":6,\"Value\":-20}}}");
    out[strlen("{\"PublisherId\":\"1000\",\"WriterGroupName\":\"g1\",\"MinorVersion\":6,"
               "\"Payload\":{\"f0\":{\"UaType\":6,\"Value\":-20}}}")] = 0;
    ug_arena_reset(&arena);
    CU_ASSERT_EQUAL_FATAL(ug_json_decode_nm(out, strlen(out), &back, NULL, &arena, NULL), 0);
    CU_ASSERT(back.publisher_id.u64 == 1000 && ug_bytes_eq(back.writer_group_name, nm.writer_group_name));
    CU_ASSERT(back.dsm[0].has_cfg_minor && back.dsm[0].cfg_minor == 6 && !back.dsm[0].has_cfg_major);
}

static void test_field_encodings(void)
{
    ug_nm nm;
    ug_dsm d;
    ug_dsm_field f[10];
    build_r1(&nm, &d, f);
    d.field_count = 2;
    ug_json_enc_opts o = ug_json_enc_default;
    o.nm_mask = UG_JSON_LAYOUT_MINIMAL;
    /* RawData: bare values (Part 14 §7.2.5.4.3). */
    d.field_encoding = UG_FE_RAWDATA;
    f[1].dv.value = ug_variant_scalar(UG_TYPE_UINT64);
    f[1].dv.value.u.v.uint64 = 5;
    check_encode(&nm, &o, "{\"f0\":-20,\"f1\":\"5\"}");
    /* Decoded with metadata: typed by the field's BuiltInType. */
    ug_field_meta fm[2] = {{.name = ug_string_from("f0"), .builtin_type = UG_TYPE_INT32, .value_rank = -1},
                           {.name = ug_string_from("f1"), .builtin_type = UG_TYPE_UINT64, .value_rank = -1}};
    ug_dsm_layout ly = {.writer_id = 1, .n_fields = 2, .fields = fm};
    ug_json_dec_opts dopt = ug_json_dec_default;
    dopt.layouts = &ly;
    dopt.n_layouts = 1;
    ug_nm back;
    ug_arena_reset(&arena);
    const char *raw = "{\"f0\":-20,\"f1\":\"5\"}";
    CU_ASSERT_EQUAL_FATAL(ug_json_decode_nm(raw, strlen(raw), &back, &dopt, &arena, NULL), 0);
    CU_ASSERT_EQUAL(back.dsm[0].field_encoding, UG_FE_RAWDATA);
    check_same(&nm, &back);
    /* Without metadata the types are inferred: "5" stays a String. */
    CU_ASSERT_EQUAL_FATAL(ug_json_decode_nm(raw, strlen(raw), &back, NULL, &arena, NULL), 0);
    CU_ASSERT_EQUAL(back.dsm[0].fields[1].dv.value.type, UG_TYPE_STRING);

    /* DataValue fields: the flattened DataValue. */
    d.field_encoding = UG_FE_DATAVALUE;
    f[0].dv.mask = UG_DV_VALUE | UG_DV_SERVER_TIMESTAMP;
    f[0].dv.server_ts = UG_DATETIME_UNIX_EPOCH;
    f[1].dv.mask = UG_DV_STATUS;
    f[1].dv.status = UG_STATUS_BADDECODINGERROR;
    check_encode(&nm, &o,
                 "{\"f0\":{\"UaType\":6,\"Value\":-20,\"ServerTimestamp\":\"1970-01-01T00:00:00Z\"},"
                 "\"f1\":{\"Status\":{\"Code\":2147942400}}}");
    out[strlen("{\"f0\":{\"UaType\":6,\"Value\":-20,\"ServerTimestamp\":\"1970-01-01T00:00:00Z\"},"
               "\"f1\":{\"Status\":{\"Code\":2147942400}}}")] = 0;
    CU_ASSERT_EQUAL_FATAL(ug_json_decode_nm(out, strlen(out), &back, NULL, &arena, NULL), 0);
    CU_ASSERT_EQUAL(back.dsm[0].field_encoding, UG_FE_DATAVALUE);
    CU_ASSERT(ug_datavalue_eq(&back.dsm[0].fields[0].dv, &f[0].dv));
    CU_ASSERT(ug_datavalue_eq(&back.dsm[0].fields[1].dv, &f[1].dv));

    /* Fields without names get their index. */
    d.field_encoding = UG_FE_VARIANT;
    f[0].name = f[1].name = UG_NULL_BYTES;
    f[0].dv.mask = UG_DV_VALUE;
    check_encode(&nm, &o, "{\"0\":{\"UaType\":6,\"Value\":-20},\"1\":{\"UaType\":9,\"Value\":\"5\"}}");
}

static void test_message_types(void)
{
    ug_nm nm;
    ug_dsm d;
    ug_dsm_field f[10];
    build_r1(&nm, &d, f);
    ug_json_enc_opts o = ug_json_enc_default;
    o.nm_mask = UG_JSON_LAYOUT_DATASET_MESSAGE;
    o.dsm_mask = UG_JSON_DSM_WRITER_ID | UG_JSON_DSM_MESSAGE_TYPE;
    d.type = UG_DSM_KEEPALIVE;
    check_encode(&nm, &o, "{\"DataSetWriterId\":1,\"MessageType\":\"ua-keepalive\"}");
    ug_nm back;
    ug_arena_reset(&arena);
    const char *ka = "{\"DataSetWriterId\":1,\"MessageType\":\"ua-keepalive\"}";
    CU_ASSERT_EQUAL_FATAL(ug_json_decode_nm(ka, strlen(ka), &back, NULL, &arena, NULL), 0);
    CU_ASSERT_EQUAL(back.dsm[0].type, UG_DSM_KEEPALIVE);
    CU_ASSERT_EQUAL(back.dsm[0].field_count, 0);
    d.type = UG_DSM_DELTAFRAME;
    d.field_count = 1;
    check_encode(&nm, &o,
                 "{\"DataSetWriterId\":1,\"MessageType\":\"ua-deltaframe\",\"Payload\":{\"f0\":{\"UaType\":6,"
                 "\"Value\":-20}}}");
    d.type = UG_DSM_EVENT;
    check_encode(&nm, &o,
                 "{\"DataSetWriterId\":1,\"MessageType\":\"ua-event\",\"Payload\":{\"f0\":{\"UaType\":6,"
                 "\"Value\":-20}}}");
    const char *bad = "{\"DataSetWriterId\":1,\"MessageType\":\"ua-nonsense\",\"Payload\":{}}";
    CU_ASSERT_EQUAL(ug_json_decode_nm(bad, strlen(bad), &back, NULL, &arena, NULL), UG_STATUS_BADDECODINGERROR);
    const char *meta = "{\"MessageId\":\"x\",\"MessageType\":\"ua-metadata\",\"Messages\":[]}";
    CU_ASSERT_EQUAL(ug_json_decode_nm(meta, strlen(meta), &back, NULL, &arena, NULL), UG_STATUS_BADDECODINGERROR);
    ug_string mt = ug_json_message_type(meta, strlen(meta));
    CU_ASSERT(mt.len == 11 && memcmp(mt.data, "ua-metadata", 11) == 0);
}

static void test_buffer_sizes(void)
{
    ug_nm nm;
    ug_dsm d;
    ug_dsm_field f[10];
    build_r1(&nm, &d, f);
    size_t need, len;
    CU_ASSERT_EQUAL(ug_json_encode_nm(NULL, 0, &nm, NULL, &need), UG_STATUS_BADENCODINGLIMITSEXCEEDED);
    for (size_t cap = 0; cap <= need; cap++) {
        memset(out, '#', sizeof out);
        ug_status st = ug_json_encode_nm(out, cap, &nm, NULL, &len);
        CU_ASSERT_EQUAL(len, need);
        CU_ASSERT_EQUAL(st, cap < need ? UG_STATUS_BADENCODINGLIMITSEXCEEDED : UG_STATUS_GOOD);
        CU_ASSERT_EQUAL(out[cap], '#'); /* never past cap */
    }
}

static void test_metadata(void)
{
    ug_json_metadata_msg m;
    ug_json_metadata_msg_init(&m);
    m.message_id = ug_string_from("meta-1");
    m.publisher_id.type = UG_PUBID_STRING;
    m.publisher_id.str = ug_string_from("pub");
    m.writer_id = 7;
    static const uint32_t dims[1] = {3};
    ug_kv prop = {{0, ug_string_from("EngineeringUnits")}, ug_variant_scalar(UG_TYPE_STRING)};
    prop.value.u.v.string = ug_string_from("degC");
    ug_field_meta fields[2] = {
        {.name = ug_string_from("temp"), .description = {UG_NULL_BYTES, UG_NULL_BYTES},
         .builtin_type = UG_TYPE_DOUBLE, .data_type = {.id.numeric = 11}, .value_rank = -1,
         .n_array_dims = -1, .field_id = {1, 2, 3, {4}}, .n_properties = 1, .properties = &prop},
        {.name = ug_string_from("arr"), .description = {ug_string_from("en"), ug_string_from("An array")},
         .flags = 1, .builtin_type = UG_TYPE_INT32, .data_type = {.id.numeric = 6}, .value_rank = 1,
         .n_array_dims = 1, .array_dims = dims, .max_string_len = 0, .n_properties = -1},
    };
    ug_structure_field sf = {.name = ug_string_from("x"), .description = {UG_NULL_BYTES, UG_NULL_BYTES},
                             .data_type = {.id.numeric = 11}, .value_rank = -1, .n_array_dims = -1,
                             .is_optional = true};
    ug_structure_description sd = {.data_type_id = {.ns = 1, .id.numeric = 3000}, .name = {1, ug_string_from("Pt")},
                                   .default_encoding_id = {.ns = 1, .id.numeric = 3001},
                                   .base_data_type = {.id.numeric = 22}, .n_fields = 1, .fields = &sf};
    ug_enum_field ef = {.value = -3, .display_name = {UG_NULL_BYTES, ug_string_from("Low")},
                        .description = {UG_NULL_BYTES, UG_NULL_BYTES}, .name = ug_string_from("Low")};
    ug_enum_description ed = {.data_type_id = {.ns = 1, .id.numeric = 3002}, .name = {1, ug_string_from("Lvl")},
                              .n_fields = 1, .fields = &ef, .builtin_type = UG_TYPE_INT32};
    ug_string nss[2] = {ug_string_from("http://opcfoundation.org/UA/"), ug_string_from("urn:me")};
    m.metadata.n_namespaces = 2;
    m.metadata.namespaces = nss;
    m.metadata.n_structures = 1;
    m.metadata.structures = &sd;
    m.metadata.n_enums = 1;
    m.metadata.enums = &ed;
    m.metadata.name = ug_string_from("ds");
    m.metadata.n_fields = 2;
    m.metadata.fields = fields;
    m.metadata.cfg_major = 9;
    m.metadata.cfg_minor = 10;
    for (int form = 0; form < 2; form++) {
        ug_json_enc_opts o = ug_json_enc_default;
        o.form = (uint8_t)form;
        size_t len;
        CU_ASSERT_EQUAL_FATAL(ug_json_encode_metadata(out, sizeof out, &m, &o, &len), 0);
        ug_json_metadata_msg b;
        ug_arena_reset(&arena);
        size_t off = 0;
        ug_status st = ug_json_decode_metadata(out, len, &b, NULL, &arena, &off);
        CU_ASSERT_EQUAL_FATAL(st, UG_STATUS_GOOD);
        CU_ASSERT(ug_bytes_eq(b.message_id, m.message_id) && b.writer_id == 7);
        CU_ASSERT(b.publisher_id.type == UG_PUBID_STRING && ug_bytes_eq(b.publisher_id.str, m.publisher_id.str));
        const ug_dataset_metadata *x = &b.metadata;
        CU_ASSERT(x->n_namespaces == 2 && ug_bytes_eq(x->namespaces[1], nss[1]));
        CU_ASSERT(ug_bytes_eq(x->name, m.metadata.name) && x->cfg_major == 9 && x->cfg_minor == 10);
        CU_ASSERT_EQUAL_FATAL(x->n_fields, 2);
        CU_ASSERT(ug_bytes_eq(x->fields[0].name, fields[0].name) && x->fields[0].builtin_type == UG_TYPE_DOUBLE);
        CU_ASSERT(ug_guid_eq(&x->fields[0].field_id, &fields[0].field_id));
        CU_ASSERT(x->fields[0].n_properties == 1 && ug_variant_eq(&x->fields[0].properties[0].value, &prop.value));
        CU_ASSERT(x->fields[1].value_rank == 1 && x->fields[1].n_array_dims == 1 && x->fields[1].array_dims[0] == 3);
        CU_ASSERT(x->fields[1].flags == 1 && ug_bytes_eq(x->fields[1].description.text, fields[1].description.text));
        CU_ASSERT(x->n_structures == 1 && x->structures[0].n_fields == 1 && x->structures[0].fields[0].is_optional);
        CU_ASSERT(ug_nodeid_eq(&x->structures[0].default_encoding_id, &sd.default_encoding_id));
        CU_ASSERT(x->n_enums == 1 && x->enums[0].fields[0].value == -3 && x->enums[0].builtin_type == UG_TYPE_INT32);
    }
    /* Compact leaves the defaults out: a field with only a name. */
    ug_json_metadata_msg small;
    ug_json_metadata_msg_init(&small);
    small.message_id = ug_string_from("a");
    small.writer_id = 1;
    ug_field_meta f1 = {.name = ug_string_from("n"), .description = {UG_NULL_BYTES, UG_NULL_BYTES},
                        .n_array_dims = -1, .n_properties = -1};
    small.metadata.n_fields = 1;
    small.metadata.fields = &f1;
    size_t len;
    CU_ASSERT_EQUAL(ug_json_encode_metadata(out, sizeof out, &small, NULL, &len), 0);
    const char *want = "{\"MessageId\":\"a\",\"MessageType\":\"ua-metadata\",\"DataSetWriterId\":1,"
                       "\"MetaData\":{\"Fields\":[{\"Name\":\"n\"}],\"ConfigurationVersion\":"
                       "{\"MajorVersion\":0,\"MinorVersion\":0}}}";
    CU_ASSERT_EQUAL(len, strlen(want));
    CU_ASSERT_NSTRING_EQUAL(out, want, strlen(want));
}

static void test_status(void)
{
    ug_json_status_msg s = {.message_id = ug_string_from("s1"),
                            .publisher_id = {UG_PUBID_UINT32, 70000, UG_NULL_BYTES},
                            .is_cyclic = true,
                            .state = UG_PUBSUB_OPERATIONAL,
                            .timestamp = UG_DATETIME_UNIX_EPOCH,
                            .next_report = UG_DATETIME_UNIX_EPOCH + 50000000};
    size_t len;
    CU_ASSERT_EQUAL_FATAL(ug_json_encode_status(out, sizeof out, &s, NULL, &len), 0);
    const char *want = "{\"MessageId\":\"s1\",\"MessageType\":\"ua-status\",\"PublisherId\":\"70000\","
                       "\"Timestamp\":\"1970-01-01T00:00:00Z\",\"IsCyclic\":true,\"Status\":2,"
                       "\"NextReportTime\":\"1970-01-01T00:00:05Z\"}";
    CU_ASSERT_EQUAL(len, strlen(want));
    CU_ASSERT_NSTRING_EQUAL(out, want, strlen(want));
    ug_json_status_msg b;
    CU_ASSERT_EQUAL_FATAL(ug_json_decode_status(want, strlen(want), &b, NULL, &arena, NULL), 0);
    CU_ASSERT(b.is_cyclic && b.state == 2 && b.timestamp == s.timestamp && b.next_report == s.next_report);
    CU_ASSERT(b.publisher_id.type == UG_PUBID_UINT32 && b.publisher_id.u64 == 70000);
    s.is_cyclic = false;
    s.state = UG_PUBSUB_ERROR;
    CU_ASSERT_EQUAL(ug_json_encode_status(out, sizeof out, &s, NULL, &len), 0);
    const char *want2 = "{\"MessageId\":\"s1\",\"MessageType\":\"ua-status\",\"PublisherId\":\"70000\","
                        "\"IsCyclic\":false,\"Status\":3}";
    CU_ASSERT_EQUAL(len, strlen(want2));
    CU_ASSERT_NSTRING_EQUAL(out, want2, strlen(want2));
    const char *nostatus = "{\"MessageId\":\"s1\",\"MessageType\":\"ua-status\"}";
    CU_ASSERT_EQUAL(ug_json_decode_status(nostatus, strlen(nostatus), &b, NULL, &arena, NULL),
                    UG_STATUS_BADDECODINGERROR);
}

int main(void)
{
    ug_arena_init(&arena, arena_buf, sizeof arena_buf, false);
    CU_TestInfo tests[] = {
        {"the layouts: NetworkMessage, DataSetMessage, Minimal, array", test_layouts},
        {"NetworkMessage and DataSetMessage content masks", test_header_masks},
        {"field encodings: Variant, RawData, DataValue", test_field_encodings},
        {"message types: key, delta, event, keep-alive; wrong types", test_message_types},
        {"every buffer size: exact size, no write past cap", test_buffer_sizes},
        {"ua-metadata both ways, Compact and Verbose", test_metadata},
        {"ua-status both ways", test_status},
        CU_TEST_INFO_NULL,
    };
    return ug_test_main("json_msg", tests);
}
