/* Private to uadp/: the pieces of the NetworkMessage codec shared between
 * header.c (NetworkMessage header), dsm.c (DataSetMessages), rawdata.c (RawData
 * fields), message.c (payloads, entry points) and fixed.c (fixed layouts).
 *
 * The encoder takes an optional recorder (a ug_uadp_fixed): when non-NULL it
 * notes the offsets of the values that change per cycle while writing, so the
 * fixed-layout path uses the very bytes ug_uadp_encode writes.
 */
#ifndef UG_UADP_INTERNAL_H
#define UG_UADP_INTERNAL_H

#include "uagate/uadp.h"

/* Part 14 §7.2.4.5.4 (1.05) DataSetFlags1 / DataSetFlags2. */
enum {
    UG_DSF1_VALID = 0x01,
    UG_DSF1_ENCODING_MASK = 0x06,
    UG_DSF1_ENCODING_SHIFT = 1,
    UG_DSF1_SEQ = 0x08,
    UG_DSF1_STATUS = 0x10,
    UG_DSF1_CFG_MAJOR = 0x20,
    UG_DSF1_CFG_MINOR = 0x40,
    UG_DSF1_FLAGS2 = 0x80,

    UG_DSF2_TYPE_MASK = 0x0F,
    UG_DSF2_TIMESTAMP = 0x10,
    UG_DSF2_PICOSECONDS = 0x20,
    UG_DSF2_RESERVED = 0xC0,
};

/* Part 14 §7.2.4.4.3 GroupFlags. */
enum {
    UG_GF_WRITER_GROUP_ID = 0x01,
    UG_GF_GROUP_VERSION = 0x02,
    UG_GF_NM_NUMBER = 0x04,
    UG_GF_SEQ = 0x08,
    UG_GF_RESERVED = 0xF0,
};

#define UG_SEC_RESERVED 0xF0

/* The one encoder behind ug_uadp_encode, ug_uadp_encode_frame and
 * ug_uadp_fixed_init (message.c); frame and rec may be NULL. */
ug_status ug_uadp_encode_rec(const ug_nm *nm, void *buf, size_t cap, size_t *out_len,
                             ug_uadp_frame *frame, ug_uadp_fixed *rec);

/* Where the recorder notes a field value (kind of field writer). */
void ug_uadp_rec_field(ug_uadp_fixed *rec, size_t off, uint8_t type);

/* NetworkMessage header (header.c): everything before the payload. */
/* *ids_off: offset of the PayloadHeader DataSetWriterIds (SIZE_MAX: none). */
void ug_uadp_wr_header(ug_wr *wr, const ug_nm *nm, ug_uadp_fixed *rec, size_t *ids_off);
/* Reads the header up to the payload; PayloadHeader Count/ids go to frame. */
void ug_uadp_rd_header(ug_rd *rd, ug_nm *nm, const ug_uadp_decode_opts *opts,
                       ug_uadp_frame *frame);

/* One DataSetMessage (dsm.c). `layout` may be NULL. The DataSetMessage
 * occupies rd up to its end (the caller bounds rd to the DataSetMessage's
 * size when it is known); `size_known` says whether rd->end is the
 * DataSetMessage's real end (heartbeats, padding, trailing checks). */
void ug_uadp_wr_dsm(ug_wr *wr, const ug_dsm *dsm, ug_uadp_fixed *rec);
void ug_uadp_rd_dsm(ug_rd *rd, ug_dsm *dsm, const ug_dsm_layout *layout, bool size_known);

/* Fields (dsm.c): Variant field fast path for scalars. */
void ug_uadp_wr_variant_field(ug_wr *wr, const ug_variant *v, ug_uadp_fixed *rec);
void ug_uadp_rd_variant_field(ug_rd *rd, ug_variant *v);

/* RawData fields (rawdata.c), Part 14 §7.2.4.5.11. */
void ug_uadp_wr_raw_field(ug_wr *wr, const ug_dsm_field *f, ug_uadp_fixed *rec);
void ug_uadp_rd_raw_field(ug_rd *rd, ug_dsm_field *f, const ug_field_meta *meta);

/* Wire size of the fixed-size built-in types, 0 otherwise (own table: hot).
 * Indexed by any byte (built-in type ids and Variant encoding bytes come as
 * uint8_t), so there is no range check. */
static inline size_t ug_uadp_fixed_size(uint8_t type)
{
    static const uint8_t sz[256] = {
        [UG_TYPE_BOOLEAN] = 1, [UG_TYPE_SBYTE] = 1,  [UG_TYPE_BYTE] = 1,
        [UG_TYPE_INT16] = 2,   [UG_TYPE_UINT16] = 2, [UG_TYPE_INT32] = 4,
        [UG_TYPE_UINT32] = 4,  [UG_TYPE_INT64] = 8,  [UG_TYPE_UINT64] = 8,
        [UG_TYPE_FLOAT] = 4,   [UG_TYPE_DOUBLE] = 8, [UG_TYPE_DATETIME] = 8,
        [UG_TYPE_GUID] = 16,   [UG_TYPE_STATUSCODE] = 4,
    };
    return sz[type];
}

/* Copy a fixed-size scalar (1, 2, 4, 8 or 16 bytes; little-endian host as in
 * binary.h, and ug_guid's memory layout is its wire layout) with constant-size
 * memcpys: a variable size would call libc on the hot path. */
static inline void ug_uadp_copy_scalar(void *dst, const void *src, size_t n)
{
    switch (n) {
    case 1: memcpy(dst, src, 1); break;
    case 2: memcpy(dst, src, 2); break;
    case 4: memcpy(dst, src, 4); break;
    case 8: memcpy(dst, src, 8); break;
    default: memcpy(dst, src, 16); break;
    }
}

static inline void ug_uadp_wr_scalar(ug_wr *wr, const void *src, size_t n)
{
    if (wr->len <= wr->cap && wr->cap - wr->len >= n)
        ug_uadp_copy_scalar(wr->buf + wr->len, src, n);
    wr->len += n;
}

/* Hot decoders work on a local copy of the cursor: stores into the decoded
 * structs may alias *rd (the build uses -fno-strict-aliasing), which would
 * reload the cursor after every field, whereas a local whose address never
 * leaves the function stays in registers. ug_uadp_rd_sync hands the copy
 * back (before a call that takes the real cursor, and at the end); only p,
 * end and err change under the inline primitives of binary.h. */
static inline void ug_uadp_rd_sync(ug_rd *rd, const ug_rd *local)
{
    rd->p = local->p;
    rd->end = local->end;
    rd->err = local->err;
}

/* Arena allocation that fails the cursor with BadOutOfMemory. */
static inline void *ug_uadp_alloc(ug_rd *rd, size_t n)
{
    void *p = rd->arena ? ug_arena_alloc(rd->arena, n) : NULL;
    if (!p)
        ug_rd_fail(rd, UG_STATUS_BADOUTOFMEMORY);
    return p;
}

#endif
