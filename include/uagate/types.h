/* uagate types — the OPC UA built-in types as plain C structs (Part 6 §5.1).
 *
 * Role: the in-memory form of all 25 built-in types, shared by every codec
 * (UA Binary in binary.h, JSON in json.h) and by the PubSub message model.
 *
 * Views, not copies: every string, byte string and XmlElement is a
 * (pointer, length) view. A decoder points these into its input buffer; the
 * value is valid as long as that buffer is. Length -1 is the null value, 0 the
 * empty one (Part 6 keeps the two apart).
 *
 * Lifetime: values own nothing. Storage that a value refers to (arrays,
 * nested DataValues, DiagnosticInfos, ExpandedNodeIds, ExtensionObjects) comes
 * from a ug_arena the decoder was given, or from the caller that built the
 * value; the value is valid while that storage is.
 */
#ifndef UAGATE_TYPES_H
#define UAGATE_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uagate/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Built-in type ids, Part 6 §5.1.2 Table 1. 0 is the empty Variant. */
enum ug_type {
    UG_TYPE_NULL = 0,
    UG_TYPE_BOOLEAN = 1,
    UG_TYPE_SBYTE = 2,
    UG_TYPE_BYTE = 3,
    UG_TYPE_INT16 = 4,
    UG_TYPE_UINT16 = 5,
    UG_TYPE_INT32 = 6,
    UG_TYPE_UINT32 = 7,
    UG_TYPE_INT64 = 8,
    UG_TYPE_UINT64 = 9,
    UG_TYPE_FLOAT = 10,
    UG_TYPE_DOUBLE = 11,
    UG_TYPE_STRING = 12,
    UG_TYPE_DATETIME = 13,
    UG_TYPE_GUID = 14,
    UG_TYPE_BYTESTRING = 15,
    UG_TYPE_XMLELEMENT = 16,
    UG_TYPE_NODEID = 17,
    UG_TYPE_EXPANDEDNODEID = 18,
    UG_TYPE_STATUSCODE = 19,
    UG_TYPE_QUALIFIEDNAME = 20,
    UG_TYPE_LOCALIZEDTEXT = 21,
    UG_TYPE_EXTENSIONOBJECT = 22,
    UG_TYPE_DATAVALUE = 23,
    UG_TYPE_VARIANT = 24,
    UG_TYPE_DIAGNOSTICINFO = 25,
};
#define UG_TYPE_MAX 25

/* Name of a built-in type as in Part 6 ("Int32"); "Null" for 0; NULL when out of range. */
const char *ug_type_name(unsigned type);
/* Type id from its name; -1 when unknown. len may be -1 for NUL-terminated. */
int ug_type_from_name(const char *name, int len);

/* A byte view. len == -1: null; len == 0: empty (data may be NULL). */
typedef struct ug_bytes {
    const uint8_t *data;
    int32_t len;
} ug_bytes;

typedef ug_bytes ug_string; /* UTF-8, not NUL-terminated */

#define UG_NULL_BYTES ((ug_bytes){NULL, -1})
/* View of a NUL-terminated C string (or null for NULL). */
ug_string ug_string_from(const char *s);
bool ug_bytes_eq(ug_bytes a, ug_bytes b);

/* 100 ns ticks since 1601-01-01 UTC, Part 6 §5.2.2.5. */
typedef int64_t ug_datetime;
#define UG_DATETIME_UNIX_EPOCH 116444736000000000LL

/* Part 6 §5.1.3: Data1..Data3 host-order integers, Data4 bytes. */
typedef struct ug_guid {
    uint32_t data1;
    uint16_t data2;
    uint16_t data3;
    uint8_t data4[8];
} ug_guid;

enum ug_id_type {
    UG_ID_NUMERIC = 0,
    UG_ID_STRING = 1,
    UG_ID_GUID = 2,
    UG_ID_OPAQUE = 3,
};

typedef struct ug_nodeid {
    uint16_t ns;
    uint8_t id_type; /* enum ug_id_type */
    union {
        uint32_t numeric;
        ug_string string;
        ug_guid guid;
        ug_bytes opaque;
    } id;
} ug_nodeid;

typedef struct ug_expanded_nodeid {
    ug_nodeid node;
    ug_string namespace_uri; /* null when absent */
    uint32_t server_index;   /* 0 when absent */
} ug_expanded_nodeid;

typedef struct ug_qualified_name {
    uint16_t ns;
    ug_string name;
} ug_qualified_name;

/* A null locale or text is absent on the wire (its mask bit clear). */
typedef struct ug_localized_text {
    ug_string locale;
    ug_string text;
} ug_localized_text;

enum ug_eo_encoding {
    UG_EO_NONE = 0,
    UG_EO_BYTESTRING = 1,
    UG_EO_XML = 2,
    /* JSON codec only: `body` is the JSON object text of a structure with a
     * JSON body (Part 6 §5.4.2.16), as received; UA Binary cannot encode it. */
    UG_EO_JSON = 3,
};

/* The body stays encoded (a view); decoding it needs the type's descriptor. */
typedef struct ug_extension_object {
    ug_nodeid type_id; /* NodeId of the encoding */
    uint8_t encoding;  /* enum ug_eo_encoding */
    ug_bytes body;
} ug_extension_object;

struct ug_datavalue;
struct ug_diagnostic_info;
struct ug_variant;

/* One element of any built-in type. Large or recursive types are pointers. */
typedef union ug_scalar {
    bool boolean;
    int8_t sbyte;
    uint8_t byte;
    int16_t int16;
    uint16_t uint16;
    int32_t int32;
    uint32_t uint32;
    int64_t int64;
    uint64_t uint64;
    float f32;
    double f64;
    ug_string string; /* String, ByteString, XmlElement */
    ug_datetime datetime;
    ug_guid guid;
    ug_nodeid nodeid;
    ug_status status;
    ug_qualified_name qname;
    ug_localized_text ltext;
    ug_expanded_nodeid *expanded;
    ug_extension_object *extobj;
    struct ug_datavalue *datavalue;
    struct ug_variant *variant; /* only inside Variant arrays, see below */
    struct ug_diagnostic_info *diag;
} ug_scalar;

/* Variant, Part 6 §5.2.2.16.
 *
 * Scalar: array_len == -2 ("not an array"), value in `v`.
 * Array:  array_len >= 0 elements at `arr`, an array of the element C type
 *         (ug_type_size() bytes each; for type Variant an array of ug_variant);
 *         array_len == -1 is a null array.
 * Matrix: an array with ndims > 0 dimensions at `dims` whose product is
 *         array_len.
 * Empty Variant: type == UG_TYPE_NULL.
 */
#define UG_SCALAR (-2)
typedef struct ug_variant {
    uint8_t type; /* enum ug_type */
    uint8_t reserved;
    uint16_t ndims;
    int32_t array_len;
    const int32_t *dims;
    union {
        ug_scalar v;
        const void *arr;
    } u;
} ug_variant;

static inline bool ug_variant_is_array(const ug_variant *v) { return v->array_len != UG_SCALAR; }

/* The element of a scalar Variant, laid out as one element of an array of its
 * type: the union member itself, or what the pointer members point at (large
 * types are held by pointer in ug_scalar). */
static inline const void *ug_variant_scalar_elem(const ug_variant *v)
{
    switch (v->type) {
    case UG_TYPE_EXPANDEDNODEID: return v->u.v.expanded;
    case UG_TYPE_EXTENSIONOBJECT: return v->u.v.extobj;
    case UG_TYPE_DATAVALUE: return v->u.v.datavalue;
    case UG_TYPE_VARIANT: return v->u.v.variant;
    case UG_TYPE_DIAGNOSTICINFO: return v->u.v.diag;
    default: return &v->u.v;
    }
}

/* DataValue, Part 6 §5.2.2.17. `mask` says which members are present. */
enum {
    UG_DV_VALUE = 0x01,
    UG_DV_STATUS = 0x02,
    UG_DV_SOURCE_TIMESTAMP = 0x04,
    UG_DV_SERVER_TIMESTAMP = 0x08,
    UG_DV_SOURCE_PICOSECONDS = 0x10,
    UG_DV_SERVER_PICOSECONDS = 0x20,
};
typedef struct ug_datavalue {
    uint8_t mask;
    uint16_t source_ps;
    uint16_t server_ps;
    ug_status status;
    ug_datetime source_ts;
    ug_datetime server_ts;
    ug_variant value;
} ug_datavalue;

/* DiagnosticInfo, Part 6 §5.2.2.12. `mask` as on the wire. */
enum {
    UG_DI_SYMBOLIC_ID = 0x01,
    UG_DI_NAMESPACE_URI = 0x02,
    UG_DI_LOCALIZED_TEXT = 0x04,
    UG_DI_LOCALE = 0x08,
    UG_DI_ADDITIONAL_INFO = 0x10,
    UG_DI_INNER_STATUS = 0x20,
    UG_DI_INNER_DIAG = 0x40,
    UG_DI_NAMESPACE_URI_UNUSED = 0x80,
};
typedef struct ug_diagnostic_info {
    uint8_t mask;
    int32_t symbolic_id;
    int32_t namespace_uri;
    int32_t localized_text;
    int32_t locale;
    ug_string additional_info;
    ug_status inner_status;
    struct ug_diagnostic_info *inner;
} ug_diagnostic_info;

/* Size in bytes of the C type that holds one element of `type` in an array
 * (ug_variant for Variant, pointers are NOT used in arrays: an ExpandedNodeId
 * array is an array of ug_expanded_nodeid, etc.). 0 for Null/out of range. */
size_t ug_type_size(unsigned type);

/* Convenience constructors for scalars. */
static inline ug_variant ug_variant_scalar(uint8_t type)
{
    ug_variant v = {0};
    v.type = type;
    v.array_len = UG_SCALAR;
    return v;
}

/* Deep equality of two values of the same type; NaNs with identical bits are
 * equal (used by round-trip tests and change detection). */
bool ug_variant_eq(const ug_variant *a, const ug_variant *b);
bool ug_datavalue_eq(const ug_datavalue *a, const ug_datavalue *b);
bool ug_element_eq(unsigned type, const void *a, const void *b);
bool ug_nodeid_eq(const ug_nodeid *a, const ug_nodeid *b);
bool ug_guid_eq(const ug_guid *a, const ug_guid *b);

/* An arena: a bump allocator over caller memory, for decoded arrays and nested
 * values. No per-message malloc: reset it between messages.
 * Lifetime: the caller owns `buf`; values allocated from the arena are valid
 * until the next ug_arena_reset. If `grow` is true and `buf` is exhausted the
 * arena mallocs extra blocks, freed by ug_arena_reset/ug_arena_free. */
typedef struct ug_arena {
    uint8_t *buf;
    size_t cap;
    size_t used;
    bool grow;
    void *blocks; /* malloc'ed overflow blocks (linked) */
    size_t heap_allocs; /* number of mallocs made, for tests and benchmarks */
} ug_arena;

void ug_arena_init(ug_arena *a, void *buf, size_t cap, bool grow);
/* Aligned to 8 bytes. Returns NULL when exhausted (and not growing) or when
 * n is absurd; never returns NULL for n == 0. */
void *ug_arena_alloc(ug_arena *a, size_t n);
void ug_arena_reset(ug_arena *a);
void ug_arena_free(ug_arena *a);


/* NodeId text form, Part 6 §5.3.1.10 (1.05): "i=85", "ns=2;s=Pump 1",
 * "g=09087e75-8e5e-499b-954f-f2a9603db28a", "b=M/RbKBsRVkePCePcx24oRA==".
 * String ids are views into `s`; opaque ids are decoded into `arena`
 * (BadOutOfMemory without one). Returns BadSyntaxError for malformed text,
 * BadOutOfRange for a namespace index or number that does not fit. */
ug_status ug_nodeid_parse(const char *s, size_t len, ug_nodeid *out, ug_arena *arena);
/* ExpandedNodeId text form: optional "svr=N;" then "nsu=URI;" or "ns=N;",
 * then the identifier. In the URI ';' and '%' arrive as %XX (Part 6
 * §5.3.1.11): without escapes the URI is a view into `s`, otherwise it is
 * unescaped into `arena` (BadOutOfMemory without one). print escapes them.
 * Returns the statuses of ug_nodeid_parse (BadSyntaxError, BadOutOfRange,
 * BadOutOfMemory). */
ug_status ug_expanded_nodeid_parse(const char *s, size_t len, ug_expanded_nodeid *out,
                                   ug_arena *arena);
/* Print into buf (always NUL-terminated when cap > 0); returns the length the
 * full text needs, without the NUL, like snprintf. ns=0 is left out. */
size_t ug_nodeid_print(const ug_nodeid *n, char *buf, size_t cap);
size_t ug_expanded_nodeid_print(const ug_expanded_nodeid *n, char *buf, size_t cap);
/* Guid text form "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (lowercase on print;
 * either case on parse). print needs 37 bytes. parse returns Good or
 * BadSyntaxError. */
ug_status ug_guid_parse(const char *s, size_t len, ug_guid *out);
void ug_guid_print(const ug_guid *g, char buf[37]);

/* Base64 (RFC 4648, with padding), used by the NodeId text form and JSON.
 * encode: writes up to cap chars (no NUL) and returns the length needed.
 * decode: accepts padded or unpadded input, no whitespace; BadDecodingError
 * for bad characters or length, BadEncodingLimitsExceeded when cap is short
 * (*out_len then says the size needed). */
size_t ug_base64_encode(const uint8_t *src, size_t len, char *out, size_t cap);
ug_status ug_base64_decode(const char *src, size_t len, uint8_t *out, size_t cap, size_t *out_len);

#ifdef __cplusplus
}
#endif
#endif
