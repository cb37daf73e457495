/* Built-in type metadata (names, sizes) and deep equality of values. */
#include <string.h>

#include "uagate/binary.h"
#include "uagate/types.h"

/* Part 6 §5.1.2 Table 1. */
static const char *const type_names[UG_TYPE_MAX + 1] = {
    "Null",          "Boolean",        "SByte",        "Byte",          "Int16",
    "UInt16",        "Int32",          "UInt32",       "Int64",         "UInt64",
    "Float",         "Double",         "String",       "DateTime",      "Guid",
    "ByteString",    "XmlElement",     "NodeId",       "ExpandedNodeId", "StatusCode",
    "QualifiedName", "LocalizedText",  "ExtensionObject", "DataValue",  "Variant",
    "DiagnosticInfo",
};

const char *ug_type_name(unsigned type)
{
    return type <= UG_TYPE_MAX ? type_names[type] : NULL;
}

int ug_type_from_name(const char *name, int len)
{
    if (!name)
        return -1;
    size_t n = len < 0 ? strlen(name) : (size_t)len;
    for (int t = 0; t <= UG_TYPE_MAX; t++) {
        if (strlen(type_names[t]) == n && memcmp(type_names[t], name, n) == 0)
            return t;
    }
    return -1;
}

size_t ug_type_size(unsigned type)
{
    switch (type) {
    case UG_TYPE_BOOLEAN: return sizeof(bool);
    case UG_TYPE_SBYTE:
    case UG_TYPE_BYTE: return 1;
    case UG_TYPE_INT16:
    case UG_TYPE_UINT16: return 2;
    case UG_TYPE_INT32:
    case UG_TYPE_UINT32:
    case UG_TYPE_FLOAT: return 4;
    case UG_TYPE_INT64:
    case UG_TYPE_UINT64:
    case UG_TYPE_DOUBLE:
    case UG_TYPE_DATETIME: return 8;
    case UG_TYPE_STRING:
    case UG_TYPE_BYTESTRING:
    case UG_TYPE_XMLELEMENT: return sizeof(ug_string);
    case UG_TYPE_GUID: return sizeof(ug_guid);
    case UG_TYPE_NODEID: return sizeof(ug_nodeid);
    case UG_TYPE_EXPANDEDNODEID: return sizeof(ug_expanded_nodeid);
    case UG_TYPE_STATUSCODE: return sizeof(ug_status);
    case UG_TYPE_QUALIFIEDNAME: return sizeof(ug_qualified_name);
    case UG_TYPE_LOCALIZEDTEXT: return sizeof(ug_localized_text);
    case UG_TYPE_EXTENSIONOBJECT: return sizeof(ug_extension_object);
    case UG_TYPE_DATAVALUE: return sizeof(ug_datavalue);
    case UG_TYPE_VARIANT: return sizeof(ug_variant);
    case UG_TYPE_DIAGNOSTICINFO: return sizeof(ug_diagnostic_info);
    default: return 0;
    }
}

size_t ug_type_wire_size(unsigned type)
{
    switch (type) {
    case UG_TYPE_BOOLEAN:
    case UG_TYPE_SBYTE:
    case UG_TYPE_BYTE: return 1;
    case UG_TYPE_INT16:
    case UG_TYPE_UINT16: return 2;
    case UG_TYPE_INT32:
    case UG_TYPE_UINT32:
    case UG_TYPE_FLOAT:
    case UG_TYPE_STATUSCODE: return 4;
    case UG_TYPE_INT64:
    case UG_TYPE_UINT64:
    case UG_TYPE_DOUBLE:
    case UG_TYPE_DATETIME: return 8;
    case UG_TYPE_GUID: return 16;
    default: return 0;
    }
}

ug_string ug_string_from(const char *s)
{
    if (!s)
        return UG_NULL_BYTES;
    size_t n = strlen(s);
    return (ug_string){(const uint8_t *)s, n > INT32_MAX ? INT32_MAX : (int32_t)n};
}

bool ug_bytes_eq(ug_bytes a, ug_bytes b)
{
    /* Null and empty are different values (Part 6 §5.2.2.4). */
    if (a.len < 0 || b.len < 0)
        return a.len < 0 && b.len < 0;
    return a.len == b.len && (a.len == 0 || memcmp(a.data, b.data, (size_t)a.len) == 0);
}

bool ug_guid_eq(const ug_guid *a, const ug_guid *b)
{
    return a->data1 == b->data1 && a->data2 == b->data2 && a->data3 == b->data3 &&
           memcmp(a->data4, b->data4, 8) == 0;
}

bool ug_nodeid_eq(const ug_nodeid *a, const ug_nodeid *b)
{
    if (a->ns != b->ns || a->id_type != b->id_type)
        return false;
    switch (a->id_type) {
    case UG_ID_NUMERIC: return a->id.numeric == b->id.numeric;
    case UG_ID_STRING: return ug_bytes_eq(a->id.string, b->id.string);
    case UG_ID_GUID: return ug_guid_eq(&a->id.guid, &b->id.guid);
    case UG_ID_OPAQUE: return ug_bytes_eq(a->id.opaque, b->id.opaque);
    default: return false;
    }
}

static bool expanded_eq(const ug_expanded_nodeid *a, const ug_expanded_nodeid *b)
{
    return ug_nodeid_eq(&a->node, &b->node) && ug_bytes_eq(a->namespace_uri, b->namespace_uri) &&
           a->server_index == b->server_index;
}

static bool extobj_eq(const ug_extension_object *a, const ug_extension_object *b)
{
    if (!ug_nodeid_eq(&a->type_id, &b->type_id) || a->encoding != b->encoding)
        return false;
    return a->encoding == UG_EO_NONE || ug_bytes_eq(a->body, b->body);
}

static bool diag_eq(const ug_diagnostic_info *a, const ug_diagnostic_info *b)
{
    for (;;) {
        if (!a || !b)
            return a == b;
        uint8_t m = a->mask;
        if (m != b->mask)
            return false;
        if ((m & UG_DI_SYMBOLIC_ID) && a->symbolic_id != b->symbolic_id)
            return false;
        if ((m & UG_DI_NAMESPACE_URI) && a->namespace_uri != b->namespace_uri)
            return false;
        if ((m & UG_DI_LOCALIZED_TEXT) && a->localized_text != b->localized_text)
            return false;
        if ((m & UG_DI_LOCALE) && a->locale != b->locale)
            return false;
        if ((m & UG_DI_ADDITIONAL_INFO) && !ug_bytes_eq(a->additional_info, b->additional_info))
            return false;
        if ((m & UG_DI_INNER_STATUS) && a->inner_status != b->inner_status)
            return false;
        if (!(m & UG_DI_INNER_DIAG))
            return true;
        a = a->inner;
        b = b->inner;
    }
}

bool ug_datavalue_eq(const ug_datavalue *a, const ug_datavalue *b)
{
    uint8_t m = a->mask;
    if (m != b->mask)
        return false;
    if ((m & UG_DV_VALUE) && !ug_variant_eq(&a->value, &b->value))
        return false;
    if ((m & UG_DV_STATUS) && a->status != b->status)
        return false;
    if ((m & UG_DV_SOURCE_TIMESTAMP) && a->source_ts != b->source_ts)
        return false;
    if ((m & UG_DV_SERVER_TIMESTAMP) && a->server_ts != b->server_ts)
        return false;
    if ((m & UG_DV_SOURCE_PICOSECONDS) && a->source_ps != b->source_ps)
        return false;
    if ((m & UG_DV_SERVER_PICOSECONDS) && a->server_ps != b->server_ps)
        return false;
    return true;
}

bool ug_element_eq(unsigned type, const void *a, const void *b)
{
    switch (type) {
    case UG_TYPE_BOOLEAN: return *(const bool *)a == *(const bool *)b;
    case UG_TYPE_SBYTE:
    case UG_TYPE_BYTE:
    case UG_TYPE_INT16:
    case UG_TYPE_UINT16:
    case UG_TYPE_INT32:
    case UG_TYPE_UINT32:
    case UG_TYPE_INT64:
    case UG_TYPE_UINT64:
    case UG_TYPE_FLOAT: /* by bits: NaN payloads count, -0 != +0 */
    case UG_TYPE_DOUBLE:
    case UG_TYPE_DATETIME:
    case UG_TYPE_STATUSCODE: return memcmp(a, b, ug_type_size(type)) == 0;
    case UG_TYPE_STRING:
    case UG_TYPE_BYTESTRING:
    case UG_TYPE_XMLELEMENT: return ug_bytes_eq(*(const ug_bytes *)a, *(const ug_bytes *)b);
    case UG_TYPE_GUID: return ug_guid_eq(a, b);
    case UG_TYPE_NODEID: return ug_nodeid_eq(a, b);
    case UG_TYPE_EXPANDEDNODEID: return expanded_eq(a, b);
    case UG_TYPE_QUALIFIEDNAME: {
        const ug_qualified_name *x = a, *y = b;
        return x->ns == y->ns && ug_bytes_eq(x->name, y->name);
    }
    case UG_TYPE_LOCALIZEDTEXT: {
        const ug_localized_text *x = a, *y = b;
        return ug_bytes_eq(x->locale, y->locale) && ug_bytes_eq(x->text, y->text);
    }
    case UG_TYPE_EXTENSIONOBJECT: return extobj_eq(a, b);
    case UG_TYPE_DATAVALUE: return ug_datavalue_eq(a, b);
    case UG_TYPE_VARIANT: return ug_variant_eq(a, b);
    case UG_TYPE_DIAGNOSTICINFO: return diag_eq(a, b);
    default: return false;
    }
}

/* Scalars of pointer types compare what they point at. */
static bool scalar_eq(unsigned type, const ug_scalar *a, const ug_scalar *b)
{
    switch (type) {
    case UG_TYPE_EXPANDEDNODEID:
        return a->expanded && b->expanded ? expanded_eq(a->expanded, b->expanded)
                                          : a->expanded == b->expanded;
    case UG_TYPE_EXTENSIONOBJECT:
        return a->extobj && b->extobj ? extobj_eq(a->extobj, b->extobj) : a->extobj == b->extobj;
    case UG_TYPE_DATAVALUE:
        return a->datavalue && b->datavalue ? ug_datavalue_eq(a->datavalue, b->datavalue)
                                            : a->datavalue == b->datavalue;
    case UG_TYPE_DIAGNOSTICINFO: return diag_eq(a->diag, b->diag);
    case UG_TYPE_VARIANT:
        return a->variant && b->variant ? ug_variant_eq(a->variant, b->variant)
                                        : a->variant == b->variant;
    default: return ug_element_eq(type, a, b);
    }
}

bool ug_variant_eq(const ug_variant *a, const ug_variant *b)
{
    if (a->type != b->type)
        return false;
    if (a->type == UG_TYPE_NULL)
        return true;
    if (a->array_len != b->array_len || a->ndims != b->ndims)
        return false;
    if (a->array_len == UG_SCALAR)
        return scalar_eq(a->type, &a->u.v, &b->u.v);
    if (a->ndims) {
        if (!a->dims || !b->dims)
            return a->dims == b->dims;
        if (memcmp(a->dims, b->dims, a->ndims * sizeof(int32_t)) != 0)
            return false;
    }
    if (a->array_len <= 0)
        return true;
    size_t sz = ug_type_size(a->type);
    if (sz == 0)
        return false;
    const uint8_t *x = a->u.arr, *y = b->u.arr;
    for (int32_t i = 0; i < a->array_len; i++) {
        if (!ug_element_eq(a->type, x + (size_t)i * sz, y + (size_t)i * sz))
            return false;
    }
    return true;
}
