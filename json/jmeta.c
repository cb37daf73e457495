/* ua-metadata (Part 14 §7.2.5.5.2) with DataSetMetaDataType in the JSON
 * Structure encoding (Part 6 §5.4.6; field names from Part 14 §6.2.3.2), and
 * ua-status (Part 14 §7.2.5.5.5). The Compact form leaves out members that
 * hold their default value (0, false, null, empty arrays); Verbose writes
 * every member. Decoding accepts both and ignores unknown members. */
#include "jval.h"

typedef void (*enc_fn)(ug_wr *, const void *, const ug_json_enc_opts *);
typedef void (*dec_fn)(ug_jr *, void *);

typedef struct menc {
    ug_wr *wr;
    const ug_json_enc_opts *o;
    bool first;
} menc;

static bool verbose(const menc *m) { return m->o->form == UG_JSON_VERBOSE; }

static void key(menc *m, const char *k)
{
    jw_sep(m->wr, &m->first);
    ug_wr_u8(m->wr, '"');
    ug_wr_bytes(m->wr, k, strlen(k));
    JW_LIT(m->wr, "\":");
}

static void m_u32(menc *m, const char *k, uint32_t v)
{
    if (v || verbose(m)) {
        key(m, k);
        jw_u32(m->wr, v);
    }
}

static void m_i32(menc *m, const char *k, int32_t v)
{
    if (v || verbose(m)) {
        key(m, k);
        jw_i32(m->wr, v);
    }
}

static void m_bool(menc *m, const char *k, bool v)
{
    if (v || verbose(m)) {
        key(m, k);
        if (v)
            JW_LIT(m->wr, "true");
        else
            JW_LIT(m->wr, "false");
    }
}

static void m_str(menc *m, const char *k, ug_string s)
{
    if (s.len >= 0 || verbose(m)) {
        key(m, k);
        jw_str(m->wr, s);
    }
}

static void m_elem(menc *m, const char *k, unsigned type, const void *v, bool is_default)
{
    if (!is_default || verbose(m)) {
        key(m, k);
        jw_element(m->wr, type, v, m->o);
    }
}

static bool nodeid_null(const ug_nodeid *n)
{
    return n->ns == 0 && n->id_type == UG_ID_NUMERIC && n->id.numeric == 0;
}

static bool ltext_null(const ug_localized_text *t) { return t->locale.len < 0 && t->text.len < 0; }

static void m_array(menc *m, const char *k, const void *arr, int32_t n, size_t sz, enc_fn fn)
{
    if (n <= 0 && !verbose(m))
        return;
    key(m, k);
    if (n < 0 || (n > 0 && !arr)) {
        JW_LIT(m->wr, "null");
        return;
    }
    ug_wr_u8(m->wr, '[');
    for (int32_t i = 0; i < n; i++) {
        if (i)
            ug_wr_u8(m->wr, ',');
        fn(m->wr, (const uint8_t *)arr + (size_t)i * sz, m->o);
    }
    ug_wr_u8(m->wr, ']');
}

static void e_string(ug_wr *wr, const void *v, const ug_json_enc_opts *o)
{
    (void)o;
    jw_str(wr, *(const ug_string *)v);
}

static void e_u32(ug_wr *wr, const void *v, const ug_json_enc_opts *o)
{
    (void)o;
    jw_u32(wr, *(const uint32_t *)v);
}

static void e_kv(ug_wr *wr, const void *v, const ug_json_enc_opts *o)
{
    const ug_kv *kv = v;
    JW_LIT(wr, "{\"Key\":");
    jw_element(wr, UG_TYPE_QUALIFIEDNAME, &kv->key, o);
    JW_LIT(wr, ",\"Value\":");
    jw_element(wr, UG_TYPE_VARIANT, &kv->value, o);
    ug_wr_u8(wr, '}');
}

static void e_field(ug_wr *wr, const void *v, const ug_json_enc_opts *o)
{
    const ug_field_meta *f = v;
    static const ug_guid zero;
    menc m = {wr, o, true};
    ug_wr_u8(wr, '{');
    m_str(&m, "Name", f->name);
    m_elem(&m, "Description", UG_TYPE_LOCALIZEDTEXT, &f->description, ltext_null(&f->description));
    m_u32(&m, "FieldFlags", f->flags);
    m_u32(&m, "BuiltInType", f->builtin_type);
    m_elem(&m, "DataType", UG_TYPE_NODEID, &f->data_type, nodeid_null(&f->data_type));
    m_i32(&m, "ValueRank", f->value_rank);
    m_array(&m, "ArrayDimensions", f->array_dims, f->n_array_dims, sizeof(uint32_t), e_u32);
    m_u32(&m, "MaxStringLength", f->max_string_len);
    m_elem(&m, "DataSetFieldId", UG_TYPE_GUID, &f->field_id, ug_guid_eq(&f->field_id, &zero));
    m_array(&m, "Properties", f->properties, f->n_properties, sizeof(ug_kv), e_kv);
    ug_wr_u8(wr, '}');
}

static void e_sfield(ug_wr *wr, const void *v, const ug_json_enc_opts *o)
{
    const ug_structure_field *f = v;
    menc m = {wr, o, true};
    ug_wr_u8(wr, '{');
    m_str(&m, "Name", f->name);
    m_elem(&m, "Description", UG_TYPE_LOCALIZEDTEXT, &f->description, ltext_null(&f->description));
    m_elem(&m, "DataType", UG_TYPE_NODEID, &f->data_type, nodeid_null(&f->data_type));
    m_i32(&m, "ValueRank", f->value_rank);
    m_array(&m, "ArrayDimensions", f->array_dims, f->n_array_dims, sizeof(uint32_t), e_u32);
    m_u32(&m, "MaxStringLength", f->max_string_len);
    m_bool(&m, "IsOptional", f->is_optional);
    ug_wr_u8(wr, '}');
}

static void e_struct(ug_wr *wr, const void *v, const ug_json_enc_opts *o)
{
    const ug_structure_description *s = v;
    menc m = {wr, o, true};
    ug_wr_u8(wr, '{');
    m_elem(&m, "DataTypeId", UG_TYPE_NODEID, &s->data_type_id, false);
    m_elem(&m, "Name", UG_TYPE_QUALIFIEDNAME, &s->name, false);
    key(&m, "StructureDefinition");
    menc d = {wr, o, true};
    ug_wr_u8(wr, '{');
    m_elem(&d, "DefaultEncodingId", UG_TYPE_NODEID, &s->default_encoding_id,
           nodeid_null(&s->default_encoding_id));
    m_elem(&d, "BaseDataType", UG_TYPE_NODEID, &s->base_data_type, nodeid_null(&s->base_data_type));
    m_i32(&d, "StructureType", s->structure_type);
    m_array(&d, "Fields", s->fields, s->n_fields, sizeof *s->fields, e_sfield);
    JW_LIT(wr, "}}");
}

static void e_efield(ug_wr *wr, const void *v, const ug_json_enc_opts *o)
{
    const ug_enum_field *f = v;
    menc m = {wr, o, true};
    ug_wr_u8(wr, '{');
    m_elem(&m, "Value", UG_TYPE_INT64, &f->value, f->value == 0);
    m_elem(&m, "DisplayName", UG_TYPE_LOCALIZEDTEXT, &f->display_name, ltext_null(&f->display_name));
    m_elem(&m, "Description", UG_TYPE_LOCALIZEDTEXT, &f->description, ltext_null(&f->description));
    m_str(&m, "Name", f->name);
    ug_wr_u8(wr, '}');
}

static void e_enum(ug_wr *wr, const void *v, const ug_json_enc_opts *o)
{
    const ug_enum_description *e = v;
    menc m = {wr, o, true};
    ug_wr_u8(wr, '{');
    m_elem(&m, "DataTypeId", UG_TYPE_NODEID, &e->data_type_id, false);
    m_elem(&m, "Name", UG_TYPE_QUALIFIEDNAME, &e->name, false);
    key(&m, "EnumDefinition");
    menc d = {wr, o, true};
    ug_wr_u8(wr, '{');
    m_array(&d, "Fields", e->fields, e->n_fields, sizeof *e->fields, e_efield);
    ug_wr_u8(wr, '}');
    m_u32(&m, "BuiltInType", e->builtin_type);
    ug_wr_u8(wr, '}');
}

static void e_simple(ug_wr *wr, const void *v, const ug_json_enc_opts *o)
{
    const ug_simple_type_description *s = v;
    menc m = {wr, o, true};
    ug_wr_u8(wr, '{');
    m_elem(&m, "DataTypeId", UG_TYPE_NODEID, &s->data_type_id, false);
    m_elem(&m, "Name", UG_TYPE_QUALIFIEDNAME, &s->name, false);
    m_elem(&m, "BaseDataType", UG_TYPE_NODEID, &s->base_data_type, nodeid_null(&s->base_data_type));
    m_u32(&m, "BuiltInType", s->builtin_type);
    ug_wr_u8(wr, '}');
}

static void e_metadata(ug_wr *wr, const ug_dataset_metadata *md, const ug_json_enc_opts *o)
{
    static const ug_guid zero;
    menc m = {wr, o, true};
    ug_wr_u8(wr, '{');
    m_array(&m, "Namespaces", md->namespaces, md->n_namespaces, sizeof(ug_string), e_string);
    m_array(&m, "StructureDataTypes", md->structures, md->n_structures, sizeof *md->structures,
            e_struct);
    m_array(&m, "EnumDataTypes", md->enums, md->n_enums, sizeof *md->enums, e_enum);
    m_array(&m, "SimpleDataTypes", md->simple_types, md->n_simple_types, sizeof *md->simple_types,
            e_simple);
    m_str(&m, "Name", md->name);
    m_elem(&m, "Description", UG_TYPE_LOCALIZEDTEXT, &md->description, ltext_null(&md->description));
    m_array(&m, "Fields", md->fields, md->n_fields, sizeof *md->fields, e_field);
    m_elem(&m, "DataSetClassId", UG_TYPE_GUID, &md->class_id, ug_guid_eq(&md->class_id, &zero));
    key(&m, "ConfigurationVersion");
    JW_LIT(wr, "{\"MajorVersion\":");
    jw_u32(wr, md->cfg_major);
    JW_LIT(wr, ",\"MinorVersion\":");
    jw_u32(wr, md->cfg_minor);
    JW_LIT(wr, "}}");
}

void ug_json_metadata_msg_init(ug_json_metadata_msg *m)
{
    ug_nm nm;
    ug_nm_init(&nm); /* for the initial DataSetMetaData and publisher id */
    memset(m, 0, sizeof *m);
    m->message_id = UG_NULL_BYTES;
    m->publisher_id = nm.publisher_id;
    m->writer_name = UG_NULL_BYTES;
    m->writer_group_name = UG_NULL_BYTES;
    m->metadata = nm.disc_resp.metadata;
}

static void msg_head(ug_wr *wr, ug_string id, const char *type, const ug_publisher_id *pub)
{
    JW_LIT(wr, "{\"MessageId\":");
    jw_str(wr, id.len < 0 ? (ug_string){NULL, 0} : id);
    JW_LIT(wr, ",\"MessageType\":");
    jw_cstr(wr, type);
    if (pub->type != UG_PUBID_NONE) {
        JW_LIT(wr, ",\"PublisherId\":");
        jw_publisher_id(wr, pub);
    }
}

ug_status ug_json_encode_metadata(void *buf, size_t cap, const ug_json_metadata_msg *m,
                                  const ug_json_enc_opts *o, size_t *out_len)
{
    if (!m || !out_len)
        return UG_STATUS_BADINVALIDARGUMENT;
    if (!o)
        o = &ug_json_enc_default;
    ug_wr wr;
    ug_wr_init(&wr, buf, cap);
    msg_head(&wr, m->message_id, "ua-metadata", &m->publisher_id);
    JW_LIT(&wr, ",\"DataSetWriterId\":");
    jw_u32(&wr, m->writer_id);
    if (m->writer_name.len >= 0) {
        JW_LIT(&wr, ",\"DataSetWriterName\":");
        jw_str(&wr, m->writer_name);
    }
    if (m->writer_group_name.len >= 0) {
        JW_LIT(&wr, ",\"WriterGroupName\":");
        jw_str(&wr, m->writer_group_name);
    }
    if (m->has_timestamp) {
        JW_LIT(&wr, ",\"Timestamp\":");
        jw_datetime(&wr, m->timestamp);
    }
    JW_LIT(&wr, ",\"MetaData\":");
    e_metadata(&wr, &m->metadata, o);
    ug_wr_u8(&wr, '}');
    *out_len = wr.len;
    return ug_wr_finish(&wr);
}

ug_status ug_json_encode_status(void *buf, size_t cap, const ug_json_status_msg *m,
                                const ug_json_enc_opts *o, size_t *out_len)
{
    (void)o;
    if (!m || !out_len)
        return UG_STATUS_BADINVALIDARGUMENT;
    ug_wr wr;
    ug_wr_init(&wr, buf, cap);
    msg_head(&wr, m->message_id, "ua-status", &m->publisher_id);
    /* §7.2.5.5.5: Timestamp and NextReportTime only when IsCyclic. */
    if (m->is_cyclic) {
        JW_LIT(&wr, ",\"Timestamp\":");
        jw_datetime(&wr, m->timestamp);
        JW_LIT(&wr, ",\"IsCyclic\":true,\"Status\":");
    } else {
        JW_LIT(&wr, ",\"IsCyclic\":false,\"Status\":");
    }
    jw_i32(&wr, m->state);
    if (m->is_cyclic) {
        JW_LIT(&wr, ",\"NextReportTime\":");
        jw_datetime(&wr, m->next_report);
    }
    ug_wr_u8(&wr, '}');
    *out_len = wr.len;
    return ug_wr_finish(&wr);
}

/* ---------------------------------------------------------------- decode */

/* A JSON array (or null) of elements of `sz` bytes, counted then decoded. */
static const void *d_array(ug_jr *jr, size_t sz, int32_t *n_out, dec_fn fn)
{
    *n_out = -1;
    if (jr_null(jr))
        return NULL;
    ug_jr t = *jr;
    uint32_t n = 0, i = 0;
    if (jr_arr_begin(&t))
        while (jr_elem(&t, &n))
            jr_skip(&t);
    if (!jr_ok(&t)) {
        jr_join(jr, &t);
        return NULL;
    }
    uint8_t *a = n ? (jr->arena ? ug_arena_alloc(jr->arena, n * sz) : NULL) : NULL;
    if (n && !a) {
        jr_fail(jr, UG_STATUS_BADOUTOFMEMORY);
        return NULL;
    }
    if (jr_arr_begin(jr))
        while (jr_elem(jr, &i))
            fn(jr, a + (size_t)(i - 1) * sz);
    *n_out = (int32_t)n;
    return a;
}

static void d_string(ug_jr *jr, void *out) { jr_element(jr, UG_TYPE_STRING, out); }
static void d_u32(ug_jr *jr, void *out) { jr_element(jr, UG_TYPE_UINT32, out); }

static int32_t d_i32(ug_jr *jr) { return (int32_t)jr_int(jr, INT32_MIN, INT32_MAX, true); }

static void d_kv(ug_jr *jr, void *out)
{
    ug_kv *kv = out;
    uint32_t n = 0;
    ug_string k;
    memset(kv, 0, sizeof *kv);
    kv->key.name = UG_NULL_BYTES;
    kv->value.array_len = UG_SCALAR;
    if (jr_obj_begin(jr))
        while (jr_member(jr, &n, &k)) {
            if (JR_KEY(k, "Key"))
                jr_element(jr, UG_TYPE_QUALIFIEDNAME, &kv->key);
            else if (JR_KEY(k, "Value"))
                jr_variant(jr, &kv->value);
            else
                jr_skip(jr);
        }
}

static void d_field(ug_jr *jr, void *out)
{
    ug_field_meta *f = out;
    uint32_t n = 0;
    ug_string k;
    memset(f, 0, sizeof *f);
    f->name = UG_NULL_BYTES;
    f->description = (ug_localized_text){UG_NULL_BYTES, UG_NULL_BYTES};
    f->n_array_dims = -1;
    f->n_properties = -1;
    if (jr_obj_begin(jr))
        while (jr_member(jr, &n, &k)) {
            if (JR_KEY(k, "Name"))
                jr_element(jr, UG_TYPE_STRING, &f->name);
            else if (JR_KEY(k, "Description"))
                jr_element(jr, UG_TYPE_LOCALIZEDTEXT, &f->description);
            else if (JR_KEY(k, "FieldFlags"))
                f->flags = (uint16_t)jr_int(jr, 0, UINT16_MAX, true);
            else if (JR_KEY(k, "BuiltInType"))
                f->builtin_type = (uint8_t)jr_int(jr, 0, UG_TYPE_MAX, true);
            else if (JR_KEY(k, "DataType"))
                jr_element(jr, UG_TYPE_NODEID, &f->data_type);
            else if (JR_KEY(k, "ValueRank"))
                f->value_rank = d_i32(jr);
            else if (JR_KEY(k, "ArrayDimensions"))
                f->array_dims = d_array(jr, sizeof(uint32_t), &f->n_array_dims, d_u32);
            else if (JR_KEY(k, "MaxStringLength"))
                jr_element(jr, UG_TYPE_UINT32, &f->max_string_len);
            else if (JR_KEY(k, "DataSetFieldId"))
                jr_element(jr, UG_TYPE_GUID, &f->field_id);
            else if (JR_KEY(k, "Properties"))
                f->properties = d_array(jr, sizeof(ug_kv), &f->n_properties, d_kv);
            else
                jr_skip(jr);
        }
}

static void d_sfield(ug_jr *jr, void *out)
{
    ug_structure_field *f = out;
    uint32_t n = 0;
    ug_string k;
    memset(f, 0, sizeof *f);
    f->name = UG_NULL_BYTES;
    f->description = (ug_localized_text){UG_NULL_BYTES, UG_NULL_BYTES};
    f->n_array_dims = -1;
    if (jr_obj_begin(jr))
        while (jr_member(jr, &n, &k)) {
            if (JR_KEY(k, "Name"))
                jr_element(jr, UG_TYPE_STRING, &f->name);
            else if (JR_KEY(k, "Description"))
                jr_element(jr, UG_TYPE_LOCALIZEDTEXT, &f->description);
            else if (JR_KEY(k, "DataType"))
                jr_element(jr, UG_TYPE_NODEID, &f->data_type);
            else if (JR_KEY(k, "ValueRank"))
                f->value_rank = d_i32(jr);
            else if (JR_KEY(k, "ArrayDimensions"))
                f->array_dims = d_array(jr, sizeof(uint32_t), &f->n_array_dims, d_u32);
            else if (JR_KEY(k, "MaxStringLength"))
                jr_element(jr, UG_TYPE_UINT32, &f->max_string_len);
            else if (JR_KEY(k, "IsOptional"))
                jr_element(jr, UG_TYPE_BOOLEAN, &f->is_optional);
            else
                jr_skip(jr);
        }
}

static void d_struct(ug_jr *jr, void *out)
{
    ug_structure_description *s = out;
    uint32_t n = 0, n2 = 0;
    ug_string k;
    memset(s, 0, sizeof *s);
    s->name.name = UG_NULL_BYTES;
    s->n_fields = -1;
    if (jr_obj_begin(jr))
        while (jr_member(jr, &n, &k)) {
            if (JR_KEY(k, "DataTypeId"))
                jr_element(jr, UG_TYPE_NODEID, &s->data_type_id);
            else if (JR_KEY(k, "Name"))
                jr_element(jr, UG_TYPE_QUALIFIEDNAME, &s->name);
            else if (JR_KEY(k, "StructureDefinition") && jr_obj_begin(jr))
                while (jr_member(jr, &n2, &k)) {
                    if (JR_KEY(k, "DefaultEncodingId"))
                        jr_element(jr, UG_TYPE_NODEID, &s->default_encoding_id);
                    else if (JR_KEY(k, "BaseDataType"))
                        jr_element(jr, UG_TYPE_NODEID, &s->base_data_type);
                    else if (JR_KEY(k, "StructureType"))
                        s->structure_type = d_i32(jr);
                    else if (JR_KEY(k, "Fields"))
                        s->fields = d_array(jr, sizeof *s->fields, &s->n_fields, d_sfield);
                    else
                        jr_skip(jr);
                }
            else if (!JR_KEY(k, "StructureDefinition"))
                jr_skip(jr);
        }
}

static void d_efield(ug_jr *jr, void *out)
{
    ug_enum_field *f = out;
    uint32_t n = 0;
    ug_string k;
    memset(f, 0, sizeof *f);
    f->display_name = f->description = (ug_localized_text){UG_NULL_BYTES, UG_NULL_BYTES};
    f->name = UG_NULL_BYTES;
    if (jr_obj_begin(jr))
        while (jr_member(jr, &n, &k)) {
            if (JR_KEY(k, "Value"))
                jr_element(jr, UG_TYPE_INT64, &f->value);
            else if (JR_KEY(k, "DisplayName"))
                jr_element(jr, UG_TYPE_LOCALIZEDTEXT, &f->display_name);
            else if (JR_KEY(k, "Description"))
                jr_element(jr, UG_TYPE_LOCALIZEDTEXT, &f->description);
            else if (JR_KEY(k, "Name"))
                jr_element(jr, UG_TYPE_STRING, &f->name);
            else
                jr_skip(jr);
        }
}

static void d_enum(ug_jr *jr, void *out)
{
    ug_enum_description *e = out;
    uint32_t n = 0, n2 = 0;
    ug_string k;
    memset(e, 0, sizeof *e);
    e->name.name = UG_NULL_BYTES;
    e->n_fields = -1;
    if (jr_obj_begin(jr))
        while (jr_member(jr, &n, &k)) {
            if (JR_KEY(k, "DataTypeId"))
                jr_element(jr, UG_TYPE_NODEID, &e->data_type_id);
            else if (JR_KEY(k, "Name"))
                jr_element(jr, UG_TYPE_QUALIFIEDNAME, &e->name);
            else if (JR_KEY(k, "BuiltInType"))
                e->builtin_type = (uint8_t)jr_int(jr, 0, UG_TYPE_MAX, true);
            else if (JR_KEY(k, "EnumDefinition") && jr_obj_begin(jr))
                while (jr_member(jr, &n2, &k)) {
                    if (JR_KEY(k, "Fields"))
                        e->fields = d_array(jr, sizeof *e->fields, &e->n_fields, d_efield);
                    else
                        jr_skip(jr);
                }
            else if (!JR_KEY(k, "EnumDefinition"))
                jr_skip(jr);
        }
}

static void d_simple(ug_jr *jr, void *out)
{
    ug_simple_type_description *s = out;
    uint32_t n = 0;
    ug_string k;
    memset(s, 0, sizeof *s);
    s->name.name = UG_NULL_BYTES;
    if (jr_obj_begin(jr))
        while (jr_member(jr, &n, &k)) {
            if (JR_KEY(k, "DataTypeId"))
                jr_element(jr, UG_TYPE_NODEID, &s->data_type_id);
            else if (JR_KEY(k, "Name"))
                jr_element(jr, UG_TYPE_QUALIFIEDNAME, &s->name);
            else if (JR_KEY(k, "BaseDataType"))
                jr_element(jr, UG_TYPE_NODEID, &s->base_data_type);
            else if (JR_KEY(k, "BuiltInType"))
                s->builtin_type = (uint8_t)jr_int(jr, 0, UG_TYPE_MAX, true);
            else
                jr_skip(jr);
        }
}

static void d_metadata(ug_jr *jr, ug_dataset_metadata *md)
{
    uint32_t n = 0, n2 = 0;
    ug_string k;
    if (jr_obj_begin(jr))
        while (jr_member(jr, &n, &k)) {
            if (JR_KEY(k, "Namespaces"))
                md->namespaces = d_array(jr, sizeof(ug_string), &md->n_namespaces, d_string);
            else if (JR_KEY(k, "StructureDataTypes"))
                md->structures = d_array(jr, sizeof *md->structures, &md->n_structures, d_struct);
            else if (JR_KEY(k, "EnumDataTypes"))
                md->enums = d_array(jr, sizeof *md->enums, &md->n_enums, d_enum);
            else if (JR_KEY(k, "SimpleDataTypes"))
                md->simple_types =
                    d_array(jr, sizeof *md->simple_types, &md->n_simple_types, d_simple);
            else if (JR_KEY(k, "Name"))
                jr_element(jr, UG_TYPE_STRING, &md->name);
            else if (JR_KEY(k, "Description"))
                jr_element(jr, UG_TYPE_LOCALIZEDTEXT, &md->description);
            else if (JR_KEY(k, "Fields"))
                md->fields = d_array(jr, sizeof *md->fields, &md->n_fields, d_field);
            else if (JR_KEY(k, "DataSetClassId"))
                jr_element(jr, UG_TYPE_GUID, &md->class_id);
            else if (JR_KEY(k, "ConfigurationVersion") && jr_obj_begin(jr))
                while (jr_member(jr, &n2, &k)) {
                    if (JR_KEY(k, "MajorVersion"))
                        jr_element(jr, UG_TYPE_UINT32, &md->cfg_major);
                    else if (JR_KEY(k, "MinorVersion"))
                        jr_element(jr, UG_TYPE_UINT32, &md->cfg_minor);
                    else
                        jr_skip(jr);
                }
            else if (!JR_KEY(k, "ConfigurationVersion"))
                jr_skip(jr);
        }
}

static void check_type(ug_jr *jr, const char *want)
{
    ug_string t = jr_string(jr);
    if (jr_ok(jr) && !jr_key_is(t, want, strlen(want)))
        jr_fail(jr, UG_STATUS_BADDECODINGERROR);
}

ug_status ug_json_decode_metadata(const void *buf, size_t len, ug_json_metadata_msg *m,
                                  const ug_json_dec_opts *opts, ug_arena *arena, size_t *err_off)
{
    if (!m)
        return UG_STATUS_BADINVALIDARGUMENT;
    ug_jr jr;
    jr_init(&jr, buf, len, opts, arena);
    ug_json_metadata_msg_init(m);
    uint32_t n = 0;
    ug_string k;
    bool have_md = false;
    if (jr_obj_begin(&jr))
        while (jr_member(&jr, &n, &k)) {
            if (JR_KEY(k, "MessageId"))
                m->message_id = jr_null(&jr) ? UG_NULL_BYTES : jr_string(&jr);
            else if (JR_KEY(k, "MessageType"))
                check_type(&jr, "ua-metadata");
            else if (JR_KEY(k, "PublisherId"))
                jr_publisher_id(&jr, &m->publisher_id);
            else if (JR_KEY(k, "DataSetWriterId"))
                m->writer_id = (uint16_t)jr_int(&jr, 0, UINT16_MAX, true);
            else if (JR_KEY(k, "DataSetWriterName"))
                jr_element(&jr, UG_TYPE_STRING, &m->writer_name);
            else if (JR_KEY(k, "WriterGroupName"))
                jr_element(&jr, UG_TYPE_STRING, &m->writer_group_name);
            else if (JR_KEY(k, "Timestamp")) {
                jr_element(&jr, UG_TYPE_DATETIME, &m->timestamp);
                m->has_timestamp = true;
            } else if (JR_KEY(k, "MetaData")) {
                d_metadata(&jr, &m->metadata);
                have_md = true;
            } else
                jr_skip(&jr);
        }
    if (jr_ok(&jr) && !have_md)
        jr_fail(&jr, UG_STATUS_BADDECODINGERROR); /* MetaData is mandatory */
    return jr_finish(&jr, err_off);
}

ug_status ug_json_decode_status(const void *buf, size_t len, ug_json_status_msg *m,
                                const ug_json_dec_opts *opts, ug_arena *arena, size_t *err_off)
{
    if (!m)
        return UG_STATUS_BADINVALIDARGUMENT;
    ug_jr jr;
    jr_init(&jr, buf, len, opts, arena);
    memset(m, 0, sizeof *m);
    m->message_id = UG_NULL_BYTES;
    m->publisher_id.type = UG_PUBID_NONE;
    m->publisher_id.str = UG_NULL_BYTES;
    uint32_t n = 0;
    ug_string k;
    bool have_status = false;
    if (jr_obj_begin(&jr))
        while (jr_member(&jr, &n, &k)) {
            if (JR_KEY(k, "MessageId"))
                m->message_id = jr_null(&jr) ? UG_NULL_BYTES : jr_string(&jr);
            else if (JR_KEY(k, "MessageType"))
                check_type(&jr, "ua-status");
            else if (JR_KEY(k, "PublisherId"))
                jr_publisher_id(&jr, &m->publisher_id);
            else if (JR_KEY(k, "Timestamp"))
                jr_element(&jr, UG_TYPE_DATETIME, &m->timestamp);
            else if (JR_KEY(k, "NextReportTime"))
                jr_element(&jr, UG_TYPE_DATETIME, &m->next_report);
            else if (JR_KEY(k, "IsCyclic"))
                jr_element(&jr, UG_TYPE_BOOLEAN, &m->is_cyclic);
            else if (JR_KEY(k, "Status")) {
                m->state = (int32_t)jr_int(&jr, 0, UG_PUBSUB_PREOPERATIONAL, false);
                have_status = true;
            } else
                jr_skip(&jr);
        }
    if (jr_ok(&jr) && !have_status)
        jr_fail(&jr, UG_STATUS_BADDECODINGERROR); /* Status is mandatory */
    return jr_finish(&jr, err_off);
}
