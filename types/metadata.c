/* UA Binary encoding of DataSetMetaDataType (Part 14 §6.2.3.2.1, Part 5
 * §12.31) and the structures it is made of. Field order and types follow
 * Opc.Ua.Types.bsd; the inner structures (StructureDefinition, EnumDefinition,
 * ConfigurationVersionDataType, ...) are encoded in place, not wrapped in
 * ExtensionObjects, because their fields have concrete types.
 *
 * Nothing here recurses: only the Variant of a KeyValuePair nests, and
 * ug_rd_variant accounts for that depth itself.
 */
#include <stdint.h>
#include <string.h>

#include "uagate/binary.h"
#include "uagate/pubsub_msg.h"

/* Smallest wire size of one element, used to refuse counts that the rest of
 * the buffer cannot hold before anything is taken from the arena. */
enum {
    MIN_STRING = 4,
    MIN_UINT32 = 4,
    MIN_KV = 6 + 1,                           /* QualifiedName, empty Variant */
    MIN_STRUCT_FIELD = 4 + 1 + 2 + 4 + 4 + 4 + 1,
    MIN_STRUCT_DESC = 2 + 6 + 2 + 2 + 4 + 4,
    MIN_ENUM_FIELD = 8 + 1 + 1 + 4,
    MIN_ENUM_DESC = 2 + 6 + 4 + 1,
    MIN_SIMPLE_DESC = 2 + 6 + 2 + 1,
    MIN_FIELD_META = 4 + 1 + 2 + 1 + 2 + 4 + 4 + 4 + 16 + 4,
};

/* ---- decoding ---- */

/* Part 6 §5.2.5: Int32 length, -1 for a null array. Returns storage for *n
 * elements of `size` bytes from the arena (NULL when *n <= 0 or on failure,
 * *n then 0 unless null). */
static void *rd_array_start(ug_rd *rd, int32_t *n, size_t size, size_t min_wire)
{
    int32_t len = (int32_t)ug_rd_u32(rd);
    *n = 0;
    if (!ug_rd_ok(rd))
        return NULL;
    if (len == -1) {
        *n = -1;
        return NULL;
    }
    if (len < -1) {
        ug_rd_fail(rd, UG_STATUS_BADDECODINGERROR);
        return NULL;
    }
    if ((uint32_t)len > rd->lim->max_array_len) {
        ug_rd_fail(rd, UG_STATUS_BADENCODINGLIMITSEXCEEDED);
        return NULL;
    }
    if ((size_t)len > ug_rd_left(rd) / min_wire || (size_t)len > SIZE_MAX / size) {
        ug_rd_fail(rd, UG_STATUS_BADDECODINGERROR);
        return NULL;
    }
    if (len == 0)
        return NULL;
    void *arr = rd->arena ? ug_arena_alloc(rd->arena, (size_t)len * size) : NULL;
    if (!arr) {
        ug_rd_fail(rd, UG_STATUS_BADOUTOFMEMORY);
        return NULL;
    }
    memset(arr, 0, (size_t)len * size);
    *n = len;
    return arr;
}

static const uint32_t *rd_uint32_array(ug_rd *rd, int32_t *n)
{
    uint32_t *a = rd_array_start(rd, n, sizeof *a, MIN_UINT32);
    for (int32_t i = 0; i < *n && ug_rd_ok(rd); i++)
        a[i] = ug_rd_u32(rd);
    return a;
}

static const ug_string *rd_string_array(ug_rd *rd, int32_t *n)
{
    ug_string *a = rd_array_start(rd, n, sizeof *a, MIN_STRING);
    for (int32_t i = 0; i < *n && ug_rd_ok(rd); i++)
        a[i] = ug_rd_string(rd);
    return a;
}

/* KeyValuePair: Key QualifiedName, Value Variant. */
static const ug_kv *rd_kv_array(ug_rd *rd, int32_t *n)
{
    ug_kv *a = rd_array_start(rd, n, sizeof *a, MIN_KV);
    for (int32_t i = 0; i < *n && ug_rd_ok(rd); i++) {
        ug_rd_qualified_name(rd, &a[i].key);
        ug_rd_variant(rd, &a[i].value);
    }
    return a;
}

/* StructureField: Name, Description, DataType, ValueRank, ArrayDimensions,
 * MaxStringLength, IsOptional. */
static void rd_structure_field(ug_rd *rd, ug_structure_field *f)
{
    f->name = ug_rd_string(rd);
    ug_rd_localized_text(rd, &f->description);
    ug_rd_nodeid(rd, &f->data_type);
    f->value_rank = (int32_t)ug_rd_u32(rd);
    f->array_dims = rd_uint32_array(rd, &f->n_array_dims);
    f->max_string_len = ug_rd_u32(rd);
    f->is_optional = ug_rd_u8(rd) != 0; /* Part 6 §5.2.2.1: any non-zero is true */
}

/* StructureDescription: DataTypeId, Name, then StructureDefinition in place
 * (DefaultEncodingId, BaseDataType, StructureType Int32, Fields). */
static void rd_structure_description(ug_rd *rd, ug_structure_description *d)
{
    ug_rd_nodeid(rd, &d->data_type_id);
    ug_rd_qualified_name(rd, &d->name);
    ug_rd_nodeid(rd, &d->default_encoding_id);
    ug_rd_nodeid(rd, &d->base_data_type);
    d->structure_type = (int32_t)ug_rd_u32(rd);
    ug_structure_field *f = rd_array_start(rd, &d->n_fields, sizeof *f, MIN_STRUCT_FIELD);
    for (int32_t i = 0; i < d->n_fields && ug_rd_ok(rd); i++)
        rd_structure_field(rd, &f[i]);
    d->fields = f;
}

/* EnumField: Value Int64, DisplayName, Description (from EnumValueType), Name. */
static void rd_enum_field(ug_rd *rd, ug_enum_field *f)
{
    f->value = (int64_t)ug_rd_u64(rd);
    ug_rd_localized_text(rd, &f->display_name);
    ug_rd_localized_text(rd, &f->description);
    f->name = ug_rd_string(rd);
}

/* EnumDescription: DataTypeId, Name, EnumDefinition (Fields), BuiltInType Byte. */
static void rd_enum_description(ug_rd *rd, ug_enum_description *d)
{
    ug_rd_nodeid(rd, &d->data_type_id);
    ug_rd_qualified_name(rd, &d->name);
    ug_enum_field *f = rd_array_start(rd, &d->n_fields, sizeof *f, MIN_ENUM_FIELD);
    for (int32_t i = 0; i < d->n_fields && ug_rd_ok(rd); i++)
        rd_enum_field(rd, &f[i]);
    d->fields = f;
    d->builtin_type = ug_rd_u8(rd);
}

/* SimpleTypeDescription: DataTypeId, Name, BaseDataType, BuiltInType Byte. */
static void rd_simple_description(ug_rd *rd, ug_simple_type_description *d)
{
    ug_rd_nodeid(rd, &d->data_type_id);
    ug_rd_qualified_name(rd, &d->name);
    ug_rd_nodeid(rd, &d->base_data_type);
    d->builtin_type = ug_rd_u8(rd);
}

/* FieldMetaData, Part 14 §6.2.3.2.4. */
void ug_rd_field_meta(ug_rd *rd, ug_field_meta *f)
{
    memset(f, 0, sizeof *f);
    f->name = ug_rd_string(rd);
    ug_rd_localized_text(rd, &f->description);
    f->flags = ug_rd_u16(rd); /* DataSetFieldFlags, a 16-bit OptionSet */
    f->builtin_type = ug_rd_u8(rd);
    ug_rd_nodeid(rd, &f->data_type);
    f->value_rank = (int32_t)ug_rd_u32(rd);
    f->array_dims = rd_uint32_array(rd, &f->n_array_dims);
    f->max_string_len = ug_rd_u32(rd);
    ug_rd_guid(rd, &f->field_id);
    f->properties = rd_kv_array(rd, &f->n_properties);
}

/* DataSetMetaDataType: the DataTypeSchemaHeader fields, then Name,
 * Description, Fields, DataSetClassId, ConfigurationVersion. */
void ug_rd_dataset_metadata(ug_rd *rd, ug_dataset_metadata *m)
{
    memset(m, 0, sizeof *m);
    m->namespaces = rd_string_array(rd, &m->n_namespaces);

    ug_structure_description *sd =
        rd_array_start(rd, &m->n_structures, sizeof *sd, MIN_STRUCT_DESC);
    for (int32_t i = 0; i < m->n_structures && ug_rd_ok(rd); i++)
        rd_structure_description(rd, &sd[i]);
    m->structures = sd;

    ug_enum_description *ed = rd_array_start(rd, &m->n_enums, sizeof *ed, MIN_ENUM_DESC);
    for (int32_t i = 0; i < m->n_enums && ug_rd_ok(rd); i++)
        rd_enum_description(rd, &ed[i]);
    m->enums = ed;

    ug_simple_type_description *st =
        rd_array_start(rd, &m->n_simple_types, sizeof *st, MIN_SIMPLE_DESC);
    for (int32_t i = 0; i < m->n_simple_types && ug_rd_ok(rd); i++)
        rd_simple_description(rd, &st[i]);
    m->simple_types = st;

    m->name = ug_rd_string(rd);
    ug_rd_localized_text(rd, &m->description);

    ug_field_meta *fm = rd_array_start(rd, &m->n_fields, sizeof *fm, MIN_FIELD_META);
    for (int32_t i = 0; i < m->n_fields && ug_rd_ok(rd); i++)
        ug_rd_field_meta(rd, &fm[i]);
    m->fields = fm;

    ug_rd_guid(rd, &m->class_id);
    m->cfg_major = ug_rd_u32(rd); /* ConfigurationVersionDataType, Part 14 §6.2.3.2.5 */
    m->cfg_minor = ug_rd_u32(rd);
}

/* ---- encoding ---- */

/* The length prefix of an array; false when there are no elements to write.
 * A count below -1, or elements without storage, cannot be encoded. */
static bool wr_array_start(ug_wr *wr, int32_t n, const void *arr)
{
    if (n < -1 || (n > 0 && !arr)) {
        ug_wr_fail(wr, UG_STATUS_BADENCODINGERROR);
        n = -1;
    }
    ug_wr_u32(wr, (uint32_t)n);
    return n > 0;
}

static void wr_uint32_array(ug_wr *wr, int32_t n, const uint32_t *a)
{
    if (wr_array_start(wr, n, a))
        for (int32_t i = 0; i < n; i++)
            ug_wr_u32(wr, a[i]);
}

static void wr_string_array(ug_wr *wr, int32_t n, const ug_string *a)
{
    if (wr_array_start(wr, n, a))
        for (int32_t i = 0; i < n; i++)
            ug_wr_string(wr, a[i]);
}

static void wr_kv_array(ug_wr *wr, int32_t n, const ug_kv *a)
{
    if (wr_array_start(wr, n, a))
        for (int32_t i = 0; i < n; i++) {
            ug_wr_qualified_name(wr, &a[i].key);
            ug_wr_variant(wr, &a[i].value);
        }
}

static void wr_structure_field(ug_wr *wr, const ug_structure_field *f)
{
    ug_wr_string(wr, f->name);
    ug_wr_localized_text(wr, &f->description);
    ug_wr_nodeid(wr, &f->data_type);
    ug_wr_u32(wr, (uint32_t)f->value_rank);
    wr_uint32_array(wr, f->n_array_dims, f->array_dims);
    ug_wr_u32(wr, f->max_string_len);
    ug_wr_u8(wr, f->is_optional ? 1 : 0);
}

static void wr_structure_description(ug_wr *wr, const ug_structure_description *d)
{
    ug_wr_nodeid(wr, &d->data_type_id);
    ug_wr_qualified_name(wr, &d->name);
    ug_wr_nodeid(wr, &d->default_encoding_id);
    ug_wr_nodeid(wr, &d->base_data_type);
    ug_wr_u32(wr, (uint32_t)d->structure_type);
    if (wr_array_start(wr, d->n_fields, d->fields))
        for (int32_t i = 0; i < d->n_fields; i++)
            wr_structure_field(wr, &d->fields[i]);
}

static void wr_enum_description(ug_wr *wr, const ug_enum_description *d)
{
    ug_wr_nodeid(wr, &d->data_type_id);
    ug_wr_qualified_name(wr, &d->name);
    if (wr_array_start(wr, d->n_fields, d->fields))
        for (int32_t i = 0; i < d->n_fields; i++) {
            const ug_enum_field *f = &d->fields[i];
            ug_wr_u64(wr, (uint64_t)f->value);
            ug_wr_localized_text(wr, &f->display_name);
            ug_wr_localized_text(wr, &f->description);
            ug_wr_string(wr, f->name);
        }
    ug_wr_u8(wr, d->builtin_type);
}

static void wr_simple_description(ug_wr *wr, const ug_simple_type_description *d)
{
    ug_wr_nodeid(wr, &d->data_type_id);
    ug_wr_qualified_name(wr, &d->name);
    ug_wr_nodeid(wr, &d->base_data_type);
    ug_wr_u8(wr, d->builtin_type);
}

void ug_wr_field_meta(ug_wr *wr, const ug_field_meta *f)
{
    ug_wr_string(wr, f->name);
    ug_wr_localized_text(wr, &f->description);
    ug_wr_u16(wr, f->flags);
    ug_wr_u8(wr, f->builtin_type);
    ug_wr_nodeid(wr, &f->data_type);
    ug_wr_u32(wr, (uint32_t)f->value_rank);
    wr_uint32_array(wr, f->n_array_dims, f->array_dims);
    ug_wr_u32(wr, f->max_string_len);
    ug_wr_guid(wr, &f->field_id);
    wr_kv_array(wr, f->n_properties, f->properties);
}

void ug_wr_dataset_metadata(ug_wr *wr, const ug_dataset_metadata *m)
{
    wr_string_array(wr, m->n_namespaces, m->namespaces);
    if (wr_array_start(wr, m->n_structures, m->structures))
        for (int32_t i = 0; i < m->n_structures; i++)
            wr_structure_description(wr, &m->structures[i]);
    if (wr_array_start(wr, m->n_enums, m->enums))
        for (int32_t i = 0; i < m->n_enums; i++)
            wr_enum_description(wr, &m->enums[i]);
    if (wr_array_start(wr, m->n_simple_types, m->simple_types))
        for (int32_t i = 0; i < m->n_simple_types; i++)
            wr_simple_description(wr, &m->simple_types[i]);
    ug_wr_string(wr, m->name);
    ug_wr_localized_text(wr, &m->description);
    if (wr_array_start(wr, m->n_fields, m->fields))
        for (int32_t i = 0; i < m->n_fields; i++)
            ug_wr_field_meta(wr, &m->fields[i]);
    ug_wr_guid(wr, &m->class_id);
    ug_wr_u32(wr, m->cfg_major);
    ug_wr_u32(wr, m->cfg_minor);
}
