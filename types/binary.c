/* UA Binary encoding of the built-in types, Part 6 §5.2.2, except Variant,
 * DataValue and DiagnosticInfo (variant.c).
 *
 * Decoders read through the sticky-error cursor of binary.h: after the first
 * failure every read returns zero without touching memory, so a decoder may
 * run to its end and report once. Strings and byte strings stay views into
 * the input; arrays take storage from rd->arena.
 */
#include <stddef.h>
#include <string.h>

#include "uagate/binary.h"

/* The cursor primitives memcpy wire bytes straight into host integers and
 * floats, and Guid arrays are copied wholesale: both need a little-endian host. */
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "uagate's UA Binary codec needs a little-endian host"
#endif
_Static_assert(sizeof(float) == 4 && sizeof(double) == 8, "IEEE 754 float and double");
_Static_assert(sizeof(ug_guid) == 16 && offsetof(ug_guid, data4) == 8,
               "ug_guid must have the wire layout of Part 6 §5.2.2.7");
_Static_assert(sizeof(bool) == 1, "Boolean arrays are arrays of 1-byte bool");

const ug_limits ug_limits_default = {
    .max_string_len = 65535,
    .max_array_len = 65535,
    .max_depth = 16,
    .max_message_size = 16u << 20,
};

void ug_rd_init(ug_rd *rd, const void *buf, size_t len, const ug_limits *lim, ug_arena *arena)
{
    rd->start = buf;
    rd->p = buf;
    rd->end = len ? rd->p + len : rd->p; /* no arithmetic on a NULL buffer */
    rd->err = UG_STATUS_GOOD;
    rd->depth = 0;
    rd->lim = lim ? lim : &ug_limits_default;
    rd->arena = arena;
    if (len > rd->lim->max_message_size)
        ug_rd_fail(rd, UG_STATUS_BADENCODINGLIMITSEXCEEDED);
}

static void *rd_alloc(ug_rd *rd, size_t n)
{
    void *p = rd->arena ? ug_arena_alloc(rd->arena, n) : NULL;
    if (!p)
        ug_rd_fail(rd, UG_STATUS_BADOUTOFMEMORY);
    return p;
}

/* --- String, ByteString, XmlElement: Part 6 §5.2.2.4, §5.2.2.7, §5.2.2.8 --- */

ug_string ug_rd_string(ug_rd *rd)
{
    int32_t n = (int32_t)ug_rd_u32(rd);
    if (n < 0) {
        if (n != -1)
            ug_rd_fail(rd, UG_STATUS_BADDECODINGERROR);
        return UG_NULL_BYTES;
    }
    if ((uint32_t)n > rd->lim->max_string_len) {
        ug_rd_fail(rd, UG_STATUS_BADENCODINGLIMITSEXCEEDED);
        return UG_NULL_BYTES;
    }
    const uint8_t *p = ug_rd_take(rd, (size_t)n);
    if (!p || !ug_rd_ok(rd)) /* a failed cursor yields null, not an empty string */
        return UG_NULL_BYTES;
    return (ug_string){p, n};
}

void ug_wr_string(ug_wr *wr, ug_string s)
{
    if (s.len < 0) {
        ug_wr_u32(wr, UINT32_MAX);
        return;
    }
    if (s.len > 0 && !s.data) {
        ug_wr_fail(wr, UG_STATUS_BADENCODINGERROR);
        return;
    }
    ug_wr_u32(wr, (uint32_t)s.len);
    ug_wr_bytes(wr, s.data, (size_t)s.len);
}

/* --- Guid: Part 6 §5.2.2.6, Data1..3 little-endian, Data4 as bytes --- */

void ug_rd_guid(ug_rd *rd, ug_guid *g)
{
    const uint8_t *p = ug_rd_take(rd, 16);
    if (p)
        memcpy(g, p, 16);
    else
        memset(g, 0, sizeof *g);
}

void ug_wr_guid(ug_wr *wr, const ug_guid *g) { ug_wr_bytes(wr, g, 16); }

/* --- NodeId: Part 6 §5.2.2.9 Table 8 (encoding byte) --- */

enum {
    NODEID_TWO_BYTE = 0x00,
    NODEID_FOUR_BYTE = 0x01,
    NODEID_NUMERIC = 0x02,
    NODEID_STRING = 0x03,
    NODEID_GUID = 0x04,
    NODEID_BYTESTRING = 0x05,
    /* ExpandedNodeId only, Part 6 §5.2.2.10. */
    NODEID_FLAG_SERVER_INDEX = 0x40,
    NODEID_FLAG_NAMESPACE_URI = 0x80,
};

static void rd_nodeid_body(ug_rd *rd, uint8_t enc, ug_nodeid *n)
{
    switch (enc) {
    case NODEID_TWO_BYTE:
        n->ns = 0;
        n->id_type = UG_ID_NUMERIC;
        n->id.numeric = ug_rd_u8(rd);
        return;
    case NODEID_FOUR_BYTE:
        n->ns = ug_rd_u8(rd);
        n->id_type = UG_ID_NUMERIC;
        n->id.numeric = ug_rd_u16(rd);
        return;
    case NODEID_NUMERIC:
        n->ns = ug_rd_u16(rd);
        n->id_type = UG_ID_NUMERIC;
        n->id.numeric = ug_rd_u32(rd);
        return;
    case NODEID_STRING:
        n->ns = ug_rd_u16(rd);
        n->id_type = UG_ID_STRING;
        n->id.string = ug_rd_string(rd);
        return;
    case NODEID_GUID:
        n->ns = ug_rd_u16(rd);
        n->id_type = UG_ID_GUID;
        ug_rd_guid(rd, &n->id.guid);
        return;
    case NODEID_BYTESTRING:
        n->ns = ug_rd_u16(rd);
        n->id_type = UG_ID_OPAQUE;
        n->id.opaque = ug_rd_string(rd);
        return;
    default:
        n->ns = 0;
        n->id_type = UG_ID_NUMERIC;
        n->id.numeric = 0;
        ug_rd_fail(rd, UG_STATUS_BADDECODINGERROR);
        return;
    }
}

void ug_rd_nodeid(ug_rd *rd, ug_nodeid *n) { rd_nodeid_body(rd, ug_rd_u8(rd), n); }

/* The smallest form that holds the id (Part 6 §5.2.2.9). */
static void wr_nodeid_body(ug_wr *wr, const ug_nodeid *n, uint8_t flags, uint16_t ns)
{
    switch (n->id_type) {
    case UG_ID_NUMERIC: {
        uint32_t id = n->id.numeric;
        if (ns == 0 && id <= UINT8_MAX) {
            ug_wr_u8(wr, flags | NODEID_TWO_BYTE);
            ug_wr_u8(wr, (uint8_t)id);
        } else if (ns <= UINT8_MAX && id <= UINT16_MAX) {
            ug_wr_u8(wr, flags | NODEID_FOUR_BYTE);
            ug_wr_u8(wr, (uint8_t)ns);
            ug_wr_u16(wr, (uint16_t)id);
        } else {
            ug_wr_u8(wr, flags | NODEID_NUMERIC);
            ug_wr_u16(wr, ns);
            ug_wr_u32(wr, id);
        }
        return;
    }
    case UG_ID_STRING:
        ug_wr_u8(wr, flags | NODEID_STRING);
        ug_wr_u16(wr, ns);
        ug_wr_string(wr, n->id.string);
        return;
    case UG_ID_GUID:
        ug_wr_u8(wr, flags | NODEID_GUID);
        ug_wr_u16(wr, ns);
        ug_wr_guid(wr, &n->id.guid);
        return;
    case UG_ID_OPAQUE:
        ug_wr_u8(wr, flags | NODEID_BYTESTRING);
        ug_wr_u16(wr, ns);
        ug_wr_string(wr, n->id.opaque);
        return;
    default:
        ug_wr_fail(wr, UG_STATUS_BADENCODINGERROR);
        return;
    }
}

void ug_wr_nodeid(ug_wr *wr, const ug_nodeid *n) { wr_nodeid_body(wr, n, 0, n->ns); }

/* --- ExpandedNodeId: Part 6 §5.2.2.10 --- */

void ug_rd_expanded_nodeid(ug_rd *rd, ug_expanded_nodeid *n)
{
    uint8_t enc = ug_rd_u8(rd);
    rd_nodeid_body(rd, enc & 0x3F, &n->node);
    n->namespace_uri = (enc & NODEID_FLAG_NAMESPACE_URI) ? ug_rd_string(rd) : UG_NULL_BYTES;
    if (n->namespace_uri.len >= 0)
        n->node.ns = 0; /* "the NamespaceIndex inside the NodeId shall be ignored" */
    n->server_index = (enc & NODEID_FLAG_SERVER_INDEX) ? ug_rd_u32(rd) : 0;
}

void ug_wr_expanded_nodeid(ug_wr *wr, const ug_expanded_nodeid *n)
{
    bool has_uri = n->namespace_uri.len >= 0;
    uint8_t flags = (uint8_t)((has_uri ? NODEID_FLAG_NAMESPACE_URI : 0) |
                              (n->server_index ? NODEID_FLAG_SERVER_INDEX : 0));
    /* With a NamespaceUri the index is written as 0 ("included for consistency"). */
    wr_nodeid_body(wr, &n->node, flags, has_uri ? 0 : n->node.ns);
    if (has_uri)
        ug_wr_string(wr, n->namespace_uri);
    if (n->server_index)
        ug_wr_u32(wr, n->server_index);
}

/* --- QualifiedName §5.2.2.13, LocalizedText §5.2.2.14 --- */

void ug_rd_qualified_name(ug_rd *rd, ug_qualified_name *q)
{
    q->ns = ug_rd_u16(rd);
    q->name = ug_rd_string(rd);
}

void ug_wr_qualified_name(ug_wr *wr, const ug_qualified_name *q)
{
    ug_wr_u16(wr, q->ns);
    ug_wr_string(wr, q->name);
}

enum { LTEXT_LOCALE = 0x01, LTEXT_TEXT = 0x02 };

void ug_rd_localized_text(ug_rd *rd, ug_localized_text *t)
{
    uint8_t mask = ug_rd_u8(rd);
    t->locale = (mask & LTEXT_LOCALE) ? ug_rd_string(rd) : UG_NULL_BYTES;
    t->text = (mask & LTEXT_TEXT) ? ug_rd_string(rd) : UG_NULL_BYTES;
}

void ug_wr_localized_text(ug_wr *wr, const ug_localized_text *t)
{
    uint8_t mask = (uint8_t)((t->locale.len >= 0 ? LTEXT_LOCALE : 0) |
                             (t->text.len >= 0 ? LTEXT_TEXT : 0));
    ug_wr_u8(wr, mask);
    if (mask & LTEXT_LOCALE)
        ug_wr_string(wr, t->locale);
    if (mask & LTEXT_TEXT)
        ug_wr_string(wr, t->text);
}

/* --- ExtensionObject: Part 6 §5.2.2.15, body kept encoded --- */

void ug_rd_extension_object(ug_rd *rd, ug_extension_object *e)
{
    /* The body is not decoded here, so an ExtensionObject nests nothing; it
     * still counts as a level so a limit of N means N for every kind. */
    if (rd->depth >= rd->lim->max_depth)
        ug_rd_fail(rd, UG_STATUS_BADENCODINGLIMITSEXCEEDED);
    ug_rd_nodeid(rd, &e->type_id);
    e->encoding = ug_rd_u8(rd);
    switch (e->encoding) {
    case UG_EO_NONE: e->body = UG_NULL_BYTES; break;
    case UG_EO_BYTESTRING:
    case UG_EO_XML: e->body = ug_rd_string(rd); break;
    default:
        e->encoding = UG_EO_NONE;
        e->body = UG_NULL_BYTES;
        ug_rd_fail(rd, UG_STATUS_BADDECODINGERROR);
        break;
    }
}

void ug_wr_extension_object(ug_wr *wr, const ug_extension_object *e)
{
    if (e->encoding > UG_EO_XML) {
        ug_wr_fail(wr, UG_STATUS_BADENCODINGERROR);
        return;
    }
    ug_wr_nodeid(wr, &e->type_id);
    ug_wr_u8(wr, e->encoding);
    if (e->encoding != UG_EO_NONE)
        ug_wr_string(wr, e->body);
}

/* --- One element of any type, into its C type --- */

void ug_rd_element(ug_rd *rd, unsigned type, void *out)
{
    switch (type) {
    case UG_TYPE_BOOLEAN: *(bool *)out = ug_rd_u8(rd) != 0; return; /* any nonzero is true */
    case UG_TYPE_SBYTE:
    case UG_TYPE_BYTE: *(uint8_t *)out = ug_rd_u8(rd); return;
    case UG_TYPE_INT16:
    case UG_TYPE_UINT16: {
        uint16_t v = ug_rd_u16(rd);
        memcpy(out, &v, 2);
        return;
    }
    case UG_TYPE_INT32:
    case UG_TYPE_UINT32:
    case UG_TYPE_FLOAT: /* bits copied, NaN payloads kept */
    case UG_TYPE_STATUSCODE: {
        uint32_t v = ug_rd_u32(rd);
        memcpy(out, &v, 4);
        return;
    }
    case UG_TYPE_INT64:
    case UG_TYPE_UINT64:
    case UG_TYPE_DOUBLE:
    case UG_TYPE_DATETIME: {
        uint64_t v = ug_rd_u64(rd);
        memcpy(out, &v, 8);
        return;
    }
    case UG_TYPE_STRING:
    case UG_TYPE_BYTESTRING:
    case UG_TYPE_XMLELEMENT: *(ug_string *)out = ug_rd_string(rd); return;
    case UG_TYPE_GUID: ug_rd_guid(rd, out); return;
    case UG_TYPE_NODEID: ug_rd_nodeid(rd, out); return;
    case UG_TYPE_EXPANDEDNODEID: ug_rd_expanded_nodeid(rd, out); return;
    case UG_TYPE_QUALIFIEDNAME: ug_rd_qualified_name(rd, out); return;
    case UG_TYPE_LOCALIZEDTEXT: ug_rd_localized_text(rd, out); return;
    case UG_TYPE_EXTENSIONOBJECT: ug_rd_extension_object(rd, out); return;
    case UG_TYPE_DATAVALUE: ug_rd_datavalue(rd, out); return;
    case UG_TYPE_VARIANT: ug_rd_variant(rd, out); return;
    case UG_TYPE_DIAGNOSTICINFO: ug_rd_diagnostic_info(rd, out); return;
    default: ug_rd_fail(rd, UG_STATUS_BADINVALIDARGUMENT); return;
    }
}

void ug_wr_element(ug_wr *wr, unsigned type, const void *in)
{
    switch (type) {
    case UG_TYPE_BOOLEAN: ug_wr_u8(wr, *(const bool *)in ? 1 : 0); return;
    case UG_TYPE_SBYTE:
    case UG_TYPE_BYTE: ug_wr_u8(wr, *(const uint8_t *)in); return;
    case UG_TYPE_INT16:
    case UG_TYPE_UINT16: ug_wr_bytes(wr, in, 2); return;
    case UG_TYPE_INT32:
    case UG_TYPE_UINT32:
    case UG_TYPE_FLOAT:
    case UG_TYPE_STATUSCODE: ug_wr_bytes(wr, in, 4); return;
    case UG_TYPE_INT64:
    case UG_TYPE_UINT64:
    case UG_TYPE_DOUBLE:
    case UG_TYPE_DATETIME: ug_wr_bytes(wr, in, 8); return;
    case UG_TYPE_STRING:
    case UG_TYPE_BYTESTRING:
    case UG_TYPE_XMLELEMENT: ug_wr_string(wr, *(const ug_string *)in); return;
    case UG_TYPE_GUID: ug_wr_guid(wr, in); return;
    case UG_TYPE_NODEID: ug_wr_nodeid(wr, in); return;
    case UG_TYPE_EXPANDEDNODEID: ug_wr_expanded_nodeid(wr, in); return;
    case UG_TYPE_QUALIFIEDNAME: ug_wr_qualified_name(wr, in); return;
    case UG_TYPE_LOCALIZEDTEXT: ug_wr_localized_text(wr, in); return;
    case UG_TYPE_EXTENSIONOBJECT: ug_wr_extension_object(wr, in); return;
    case UG_TYPE_DATAVALUE: ug_wr_datavalue(wr, in); return;
    case UG_TYPE_VARIANT: ug_wr_variant(wr, in); return;
    case UG_TYPE_DIAGNOSTICINFO: ug_wr_diagnostic_info(wr, in); return;
    default: ug_wr_fail(wr, UG_STATUS_BADINVALIDARGUMENT); return;
    }
}

/* --- Arrays: Part 6 §5.2.5, Int32 length (-1 null) then the elements --- */

/* Fewest bytes one element can take on the wire: lets a length that cannot
 * fit in what remains be refused before anything is allocated. */
static size_t min_wire_size(unsigned type)
{
    switch (type) {
    case UG_TYPE_STRING:
    case UG_TYPE_BYTESTRING:
    case UG_TYPE_XMLELEMENT: return 4;
    case UG_TYPE_NODEID:
    case UG_TYPE_EXPANDEDNODEID: return 2;
    case UG_TYPE_QUALIFIEDNAME: return 6;
    case UG_TYPE_EXTENSIONOBJECT: return 3;
    case UG_TYPE_LOCALIZEDTEXT:
    case UG_TYPE_DATAVALUE:
    case UG_TYPE_VARIANT:
    case UG_TYPE_DIAGNOSTICINFO: return 1;
    default: return ug_type_wire_size(type);
    }
}

/* Fixed-size types whose C array has the wire layout (all but Boolean, whose
 * bytes must be normalised to 0/1). */
static bool is_flat(unsigned type) { return type != UG_TYPE_BOOLEAN && ug_type_wire_size(type) != 0; }

void *ug_rd_array(ug_rd *rd, unsigned type, int32_t *len)
{
    *len = -1;
    int32_t n = (int32_t)ug_rd_u32(rd);
    if (!ug_rd_ok(rd))
        return NULL;
    size_t esz = ug_type_size(type);
    if (esz == 0) {
        ug_rd_fail(rd, UG_STATUS_BADINVALIDARGUMENT);
        return NULL;
    }
    if (n < 0) {
        if (n != -1)
            ug_rd_fail(rd, UG_STATUS_BADDECODINGERROR);
        return NULL;
    }
    if ((uint32_t)n > rd->lim->max_array_len) {
        ug_rd_fail(rd, UG_STATUS_BADENCODINGLIMITSEXCEEDED);
        return NULL;
    }
    if ((size_t)n > ug_rd_left(rd) / min_wire_size(type)) {
        ug_rd_fail(rd, UG_STATUS_BADDECODINGERROR);
        return NULL;
    }
    if (n == 0) {
        *len = 0;
        return NULL;
    }
    uint8_t *arr = rd_alloc(rd, (size_t)n * esz);
    if (!arr)
        return NULL;
    if (is_flat(type)) {
        const uint8_t *src = ug_rd_take(rd, (size_t)n * esz); /* known to fit */
        memcpy(arr, src, (size_t)n * esz);
    } else if (type == UG_TYPE_BOOLEAN) {
        const uint8_t *src = ug_rd_take(rd, (size_t)n);
        for (int32_t i = 0; i < n; i++)
            ((bool *)arr)[i] = src[i] != 0;
    } else {
        for (int32_t i = 0; i < n && ug_rd_ok(rd); i++)
            ug_rd_element(rd, type, arr + (size_t)i * esz);
        if (!ug_rd_ok(rd))
            return NULL;
    }
    *len = n;
    return arr;
}

void ug_wr_array(ug_wr *wr, unsigned type, const void *arr, int32_t len)
{
    size_t esz = ug_type_size(type);
    if (esz == 0) {
        ug_wr_fail(wr, UG_STATUS_BADINVALIDARGUMENT);
        return;
    }
    if (len < -1 || (len > 0 && !arr)) {
        ug_wr_fail(wr, UG_STATUS_BADENCODINGERROR);
        return;
    }
    ug_wr_u32(wr, (uint32_t)len);
    if (len <= 0)
        return;
    const uint8_t *p = arr;
    if (is_flat(type)) {
        ug_wr_bytes(wr, p, (size_t)len * esz);
    } else if (type == UG_TYPE_BOOLEAN) {
        for (int32_t i = 0; i < len; i++)
            ug_wr_u8(wr, ((const bool *)arr)[i] ? 1 : 0);
    } else {
        for (int32_t i = 0; i < len && wr->err == UG_STATUS_GOOD; i++)
            ug_wr_element(wr, type, p + (size_t)i * esz);
    }
}

/* --- Whole values --- */

ug_status ug_decode_element(const void *buf, size_t len, unsigned type, void *out,
                            const ug_limits *lim, ug_arena *arena)
{
    ug_rd rd;
    ug_rd_init(&rd, buf, len, lim, arena);
    ug_rd_element(&rd, type, out);
    if (ug_rd_ok(&rd) && ug_rd_left(&rd) != 0)
        ug_rd_fail(&rd, UG_STATUS_BADDECODINGERROR); /* trailing bytes */
    return rd.err;
}

ug_status ug_encode_element(void *buf, size_t cap, unsigned type, const void *in, size_t *out_len)
{
    ug_wr wr;
    ug_wr_init(&wr, buf, cap);
    ug_wr_element(&wr, type, in);
    if (out_len)
        *out_len = wr.len;
    return ug_wr_finish(&wr);
}
