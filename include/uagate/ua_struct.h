/* uagate ua_struct — the structured DataTypes of namespace 0 (requests,
 * responses, descriptions, ...) as C structs, and one generic UA Binary codec
 * for all of them driven by descriptors generated from the official schema
 * (../shared/opcua-schema/Opc.Ua.Types.bsd) by tools/gen_types.py.
 *
 * The generated header ua_types_gen.h holds, for every StructuredType Foo of
 * the schema:
 *   typedef struct ug_Foo {...} ug_Foo;        the C struct (spec name kept)
 *   extern const ug_type_desc ug_desc_Foo;      its descriptor
 * and for every EnumeratedType Bar: enum constants UG_BAR_VALUE_NAME (snake
 * upper case of type and value: UG_TIMESTAMPS_TO_RETURN_SOURCE = 0,
 * UG_NODE_CLASS_VARIABLE = 2, UG_MESSAGE_SECURITY_MODE_NONE = 1); enum members
 * of structs are int32_t.
 *
 * Members are the schema's fields in order, named in snake case
 * (RequestHeader -> request_header, NodesToRead -> nodes_to_read). An array
 * field "NoOfX" + "X" becomes two members: int32_t x_len; T *x; (length -1 is
 * a null array). Built-in types map to the C types of types.h: Boolean bool,
 * SByte..UInt64 the stdint types, Float float, Double double, String/ByteString/
 * XmlElement/CharArray ug_string, DateTime ug_datetime, Guid ug_guid, NodeId
 * ug_nodeid, ExpandedNodeId ug_expanded_nodeid, StatusCode ug_status,
 * QualifiedName ug_qualified_name, LocalizedText ug_localized_text,
 * ExtensionObject ug_extension_object, DataValue ug_datavalue, Variant
 * ug_variant, DiagnosticInfo ug_diagnostic_info. Optional fields (the
 * schema's Bit/SwitchField pairs) keep a uint32_t encoding_mask member whose
 * bits say which optional fields are present.
 *
 * Lifetime: as in types.h, structs own nothing. Decoded strings are views into
 * the input; arrays and nested storage come from the reader's arena. A zeroed
 * struct is a valid value (empty strings, null arrays read as length 0).
 */
#ifndef UAGATE_UA_STRUCT_H
#define UAGATE_UA_STRUCT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uagate/binary.h"
#include "uagate/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ug_type_desc ug_type_desc;

enum ug_member_kind {
    UG_MEMBER_BUILTIN = 0, /* builtin: an enum ug_type */
    UG_MEMBER_STRUCT = 1,  /* desc: the nested structure */
    UG_MEMBER_ENUM = 2,    /* int32_t on the wire and in memory */
};

typedef struct ug_member_desc {
    const char *name;          /* schema field name ("NodesToRead") */
    uint16_t offset;           /* of the member (of the pointer for arrays) */
    uint16_t len_offset;       /* arrays: of the int32_t length member */
    uint8_t kind;              /* enum ug_member_kind */
    uint8_t builtin;           /* enum ug_type, for UG_MEMBER_BUILTIN */
    bool is_array;
    int8_t switch_bit;         /* optional field: bit in encoding_mask, else -1 */
    const ug_type_desc *desc;  /* UG_MEMBER_STRUCT */
} ug_member_desc;

struct ug_type_desc {
    const char *name;             /* "ReadRequest" */
    uint32_t type_id;             /* ns=0 NodeId of the DataType */
    uint32_t binary_encoding_id;  /* ns=0 NodeId of Foo_Encoding_DefaultBinary, 0 if none */
    uint32_t size;                /* sizeof(ug_Foo) */
    uint16_t mask_offset;         /* of encoding_mask when has_mask */
    bool has_mask;
    uint16_t n_members;
    const ug_member_desc *members;
};

/* Every generated descriptor, sorted by binary_encoding_id (then type_id). */
extern const ug_type_desc *const ug_type_descs[];
extern const size_t ug_type_descs_count;

/* Lookups; NULL when unknown (and for id 0). No allocation. By encoding id
 * a binary search (the per-message path: ExtensionObject bodies); by type id
 * and by name a linear scan, for set-up code. */
const ug_type_desc *ug_desc_by_encoding_id(uint32_t binary_encoding_id);
const ug_type_desc *ug_desc_by_type_id(uint32_t type_id);
const ug_type_desc *ug_desc_by_name(const char *name);

/* Structure in UA Binary (Part 6 §5.2.6): members in order; with an
 * encoding mask (§5.2.7) the UInt32 mask first and only the optional members
 * whose bit is set. Every structure level (nested or array element) counts
 * one level of rd->depth against lim->max_depth, as Variants and DataValues
 * do. Decoding zeroes *out first, so absent optional members read as zero.
 * Errors are the cursor's (sticky): BadDecodingError (truncated, an array
 * length below -1 or over what the buffer can hold), BadEncodingLimitsExceeded
 * (depth, array or string limits), BadOutOfMemory (arena). The writer fails
 * with BadEncodingError for an array length below -1 or a non-empty array
 * with a NULL pointer, and passes on the built-in writers' errors. */
void ug_rd_struct(ug_rd *rd, const ug_type_desc *d, void *out);
void ug_wr_struct(ug_wr *wr, const ug_type_desc *d, const void *in);

/* Whole-buffer forms: decode must consume all len bytes (BadDecodingError
 * otherwise); encode reports the size needed in *out_len (count mode with
 * cap 0). */
ug_status ug_struct_decode(const void *buf, size_t len, const ug_type_desc *d, void *out,
                           const ug_limits *lim, ug_arena *arena);
ug_status ug_struct_encode(void *buf, size_t cap, const ug_type_desc *d, const void *in,
                           size_t *out_len);

/* ExtensionObject <-> structure. decode: the body must be a UA Binary body
 * (decoded with a fresh cursor: depth counts from 0 inside the body)
 * whose encoding id is a known ns=0 descriptor (or `expect` when not NULL,
 * which must match: BadDataTypeIdUnknown otherwise); the struct is allocated
 * from the arena and *out_desc says its type. encode: the body is encoded
 * into arena storage and eo->type_id set to the descriptor's binary encoding
 * id. Statuses: BadDataTypeIdUnknown, BadDecodingError, BadOutOfMemory, the
 * cursor's. A body that is not a UA Binary body (null, XML, JSON) is
 * BadDecodingError. out_desc may be NULL. */
ug_status ug_eo_decode(const ug_extension_object *eo, const ug_type_desc *expect,
                       const ug_type_desc **out_desc, void **out, const ug_limits *lim,
                       ug_arena *arena);
ug_status ug_eo_encode(ug_extension_object *eo, const ug_type_desc *d, const void *in,
                       ug_arena *arena);

/* Deep copy of a structure into arena storage (strings and arrays too), for
 * values that must outlive the buffer they were decoded from. dst may be src
 * (re-homes the value's storage into the arena).
 * Returns Good; BadOutOfMemory (arena exhausted; dst partly copied, do not
 * use it); BadEncodingLimitsExceeded (nesting deeper than 128);
 * BadInvalidArgument (a Variant of an unknown type inside). */
ug_status ug_struct_copy(const ug_type_desc *d, const void *src, void *dst, ug_arena *arena);

/* Deep copies of built-in values into arena storage, for storing values
 * (e.g. in the address space) past the life of a decoded message: strings,
 * byte strings, arrays, matrix dimensions, NodeId string/opaque ids, nested
 * Variants/DataValues/DiagnosticInfos/ExtensionObject bodies are all copied.
 * dst may not overlap src unless it is src itself (in place re-homing).
 * ug_element_copy copies one element of `type` laid out as in an array (see
 * ug_type_size). Returns Good; BadOutOfMemory (arena exhausted; dst is then
 * partly copied and must not be used); BadInvalidArgument (type out of
 * range); BadEncodingLimitsExceeded (nesting deeper than 128). */
ug_status ug_bytes_copy(ug_bytes src, ug_bytes *dst, ug_arena *arena);
ug_status ug_element_copy(unsigned type, const void *src, void *dst, ug_arena *arena);
ug_status ug_variant_copy(const ug_variant *src, ug_variant *dst, ug_arena *arena);
ug_status ug_datavalue_copy(const ug_datavalue *src, ug_datavalue *dst, ug_arena *arena);

/* Deep equality of two structures of type d (members compared as
 * ug_element_eq does; optional members only when present). */
bool ug_struct_eq(const ug_type_desc *d, const void *a, const void *b);

#ifdef __cplusplus
}
#endif

#include "uagate/ua_types_gen.h"

#endif
