/* uagate binary — UA Binary encoding (Part 6 §5.2) on bounds-checked cursors.
 *
 * Reading: a ug_rd walks a borrowed buffer. Every read checks the bounds; the
 * first failure is sticky (rd->err) and later reads return zeroes without
 * touching memory, so a decoder checks once at the end. Strings and byte
 * strings are views into the buffer. Arrays and nested values are allocated
 * from the ug_arena given to the cursor (rd->arena); without an arena,
 * decoding a value that needs storage fails with BadOutOfMemory.
 *
 * Writing: a ug_wr counts every byte it is asked to write and stores those
 * that fit. One code path computes the size and writes: with cap 0 it only
 * counts; when the buffer is too small, wr->len still says the exact size
 * needed and ug_wr_finish returns BadEncodingLimitsExceeded.
 *
 * Lifetime: cursors borrow the buffer, the limits and the arena; they own
 * nothing and need no clean-up.
 */
#ifndef UAGATE_BINARY_H
#define UAGATE_BINARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "uagate/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Decoding limits. A value over a limit fails with BadEncodingLimitsExceeded
 * (length fields over the remaining buffer fail with BadDecodingError). */
typedef struct ug_limits {
    uint32_t max_string_len;   /* String, ByteString, XmlElement bytes */
    uint32_t max_array_len;    /* elements in one array */
    uint32_t max_depth;        /* nesting of Variant/DataValue/DiagnosticInfo/ExtensionObject */
    uint32_t max_message_size; /* bytes in one message */
} ug_limits;

/* 65535-byte strings, 65535-element arrays, depth 16, 16 MiB messages. */
extern const ug_limits ug_limits_default;

typedef struct ug_rd {
    const uint8_t *p;
    const uint8_t *end;
    const uint8_t *start;
    ug_status err;        /* first failure, sticky */
    uint32_t depth;       /* current nesting */
    const ug_limits *lim; /* never NULL after ug_rd_init */
    ug_arena *arena;      /* may be NULL */
} ug_rd;

/* lim NULL: ug_limits_default. Fails the cursor at once (BadEncodingLimitsExceeded)
 * when len exceeds lim->max_message_size. */
void ug_rd_init(ug_rd *rd, const void *buf, size_t len, const ug_limits *lim, ug_arena *arena);

static inline size_t ug_rd_left(const ug_rd *rd) { return (size_t)(rd->end - rd->p); }
static inline size_t ug_rd_offset(const ug_rd *rd) { return (size_t)(rd->p - rd->start); }
static inline bool ug_rd_ok(const ug_rd *rd) { return rd->err == UG_STATUS_GOOD; }

/* Records the first failure and stops the cursor (p = end). */
static inline void ug_rd_fail(ug_rd *rd, ug_status s)
{
    if (rd->err == UG_STATUS_GOOD) {
        rd->err = s;
        rd->end = rd->p; /* nothing more can be read; offset stays where it failed */
    }
}

/* n bytes as a view, or NULL (cursor failed) when fewer remain. */
static inline const uint8_t *ug_rd_take(ug_rd *rd, size_t n)
{
    if ((size_t)(rd->end - rd->p) < n) {
        ug_rd_fail(rd, UG_STATUS_BADDECODINGERROR);
        return NULL;
    }
    const uint8_t *q = rd->p;
    rd->p += n;
    return q;
}

static inline uint8_t ug_rd_u8(ug_rd *rd)
{
    if (rd->p >= rd->end) {
        ug_rd_fail(rd, UG_STATUS_BADDECODINGERROR);
        return 0;
    }
    return *rd->p++;
}

static inline uint16_t ug_rd_u16(ug_rd *rd)
{
    const uint8_t *q = ug_rd_take(rd, 2);
    return q ? (uint16_t)(q[0] | (q[1] << 8)) : 0;
}

static inline uint32_t ug_rd_u32(ug_rd *rd)
{
    const uint8_t *q = ug_rd_take(rd, 4);
    if (!q)
        return 0;
    uint32_t v;
    memcpy(&v, q, 4); /* little-endian hosts only; checked in binary.c */
    return v;
}

static inline uint64_t ug_rd_u64(ug_rd *rd)
{
    const uint8_t *q = ug_rd_take(rd, 8);
    if (!q)
        return 0;
    uint64_t v;
    memcpy(&v, q, 8);
    return v;
}

typedef struct ug_wr {
    uint8_t *buf; /* may be NULL when cap == 0 (count mode) */
    size_t cap;
    size_t len;    /* bytes written or, past cap, that would have been */
    ug_status err; /* first failure other than running out of space */
} ug_wr;

static inline void ug_wr_init(ug_wr *wr, void *buf, size_t cap)
{
    wr->buf = (uint8_t *)buf;
    wr->cap = buf ? cap : 0;
    wr->len = 0;
    wr->err = UG_STATUS_GOOD;
}

static inline void ug_wr_fail(ug_wr *wr, ug_status s)
{
    if (wr->err == UG_STATUS_GOOD)
        wr->err = s;
}

/* Good; BadEncodingLimitsExceeded when the buffer was too small (wr->len is
 * then the size needed); or the first encoding failure. */
static inline ug_status ug_wr_finish(const ug_wr *wr)
{
    if (wr->err != UG_STATUS_GOOD)
        return wr->err;
    return wr->len > wr->cap ? UG_STATUS_BADENCODINGLIMITSEXCEEDED : UG_STATUS_GOOD;
}

static inline void ug_wr_bytes(ug_wr *wr, const void *src, size_t n)
{
    if (n <= wr->cap && wr->len <= wr->cap - n && n)
        memcpy(wr->buf + wr->len, src, n);
    wr->len += n;
}

static inline void ug_wr_zeros(ug_wr *wr, size_t n)
{
    if (n <= wr->cap && wr->len <= wr->cap - n && n)
        memset(wr->buf + wr->len, 0, n);
    wr->len += n;
}

static inline void ug_wr_u8(ug_wr *wr, uint8_t v)
{
    if (wr->len < wr->cap)
        wr->buf[wr->len] = v;
    wr->len++;
}

static inline void ug_wr_u16(ug_wr *wr, uint16_t v) { ug_wr_bytes(wr, &v, 2); }
static inline void ug_wr_u32(ug_wr *wr, uint32_t v) { ug_wr_bytes(wr, &v, 4); }
static inline void ug_wr_u64(ug_wr *wr, uint64_t v) { ug_wr_bytes(wr, &v, 8); }

/* Overwrite bytes already counted at `off` (e.g. a size known only later). */
static inline void ug_wr_patch(ug_wr *wr, size_t off, const void *src, size_t n)
{
    if (off <= wr->cap && n <= wr->cap - off)
        memcpy(wr->buf + off, src, n);
}

/* --- Built-in types, Part 6 §5.2.2 --- */

/* String/ByteString/XmlElement: Int32 length (-1 null) + bytes, a view. */
ug_string ug_rd_string(ug_rd *rd);
void ug_wr_string(ug_wr *wr, ug_string s);

void ug_rd_guid(ug_rd *rd, ug_guid *g);
void ug_wr_guid(ug_wr *wr, const ug_guid *g);
void ug_rd_nodeid(ug_rd *rd, ug_nodeid *n);
void ug_wr_nodeid(ug_wr *wr, const ug_nodeid *n);
void ug_rd_expanded_nodeid(ug_rd *rd, ug_expanded_nodeid *n);
void ug_wr_expanded_nodeid(ug_wr *wr, const ug_expanded_nodeid *n);
void ug_rd_qualified_name(ug_rd *rd, ug_qualified_name *q);
void ug_wr_qualified_name(ug_wr *wr, const ug_qualified_name *q);
void ug_rd_localized_text(ug_rd *rd, ug_localized_text *t);
void ug_wr_localized_text(ug_wr *wr, const ug_localized_text *t);
void ug_rd_extension_object(ug_rd *rd, ug_extension_object *e);
void ug_wr_extension_object(ug_wr *wr, const ug_extension_object *e);
void ug_rd_variant(ug_rd *rd, ug_variant *v);
void ug_wr_variant(ug_wr *wr, const ug_variant *v);
void ug_rd_datavalue(ug_rd *rd, ug_datavalue *d);
void ug_wr_datavalue(ug_wr *wr, const ug_datavalue *d);
void ug_rd_diagnostic_info(ug_rd *rd, ug_diagnostic_info *d);
void ug_wr_diagnostic_info(ug_wr *wr, const ug_diagnostic_info *d);

/* One element of any built-in type into/from its C type (see ug_type_size):
 * `out` points at a bool for Boolean, a ug_variant for Variant, a
 * ug_expanded_nodeid (not a pointer to one) for ExpandedNodeId, etc. */
void ug_rd_element(ug_rd *rd, unsigned type, void *out);
void ug_wr_element(ug_wr *wr, unsigned type, const void *in);

/* Array of elements: Int32 length (-1 null) then the elements, storage from
 * the arena. *len receives the length; returns the array (NULL for null/empty). */
void *ug_rd_array(ug_rd *rd, unsigned type, int32_t *len);
void ug_wr_array(ug_wr *wr, unsigned type, const void *arr, int32_t len);

/* Fixed wire size of a built-in type (Boolean 1 ... Guid 16), 0 if variable. */
size_t ug_type_wire_size(unsigned type);

/* Whole-value helpers: decode `len` bytes into `out` (all input must be
 * consumed), encode into buf (reports the size needed via *out_len). */
ug_status ug_decode_element(const void *buf, size_t len, unsigned type, void *out,
                            const ug_limits *lim, ug_arena *arena);
ug_status ug_encode_element(void *buf, size_t cap, unsigned type, const void *in, size_t *out_len);

/* DataSetMetaDataType (Part 14 §6.2.3.2.1; Part 5 §12.31) and the types it is
 * made of, in UA Binary. Arrays come from the reader's arena. */
struct ug_dataset_metadata;
struct ug_field_meta;
void ug_rd_dataset_metadata(ug_rd *rd, struct ug_dataset_metadata *m);
void ug_wr_dataset_metadata(ug_wr *wr, const struct ug_dataset_metadata *m);
void ug_rd_field_meta(ug_rd *rd, struct ug_field_meta *f);
void ug_wr_field_meta(ug_wr *wr, const struct ug_field_meta *f);

#ifdef __cplusplus
}
#endif
#endif
