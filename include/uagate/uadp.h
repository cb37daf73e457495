/* uagate uadp — the UADP NetworkMessage codec (Part 14 §7.2.2, 1.05).
 *
 * Role: turn a ug_nm (pubsub_msg.h) into UADP bytes and back. Covers every
 * header part (UADPFlags, ExtendedFlags1/2, PublisherId, DataSetClassId,
 * GroupHeader, PayloadHeader, Timestamp, PicoSeconds, PromotedFields,
 * SecurityHeader, SecurityFooter, signature), every DataSetMessage kind (key
 * frame, heartbeat, delta frame, event, keep-alive) with Variant, DataValue
 * and RawData field encoding, discovery requests/responses and the chunk
 * payload layout. Chunk splitting/reassembly and message security (AES-CTR,
 * HMAC) sit on top of this API in uadp_ext.h.
 *
 * Decoding is split so that a reader can filter before paying for fields:
 *   ug_uadp_decode_header   -> header fields + a ug_uadp_frame (payload offsets,
 *                              DataSetWriterIds as a view), no allocation
 *   ug_uadp_decode_payload  -> DataSetMessages / discovery / chunk payload
 *   ug_uadp_decode          == both
 *
 * Encoding has one code path for size and bytes (ug_wr count mode): with a
 * buffer too small, ug_uadp_encode returns BadEncodingLimitsExceeded and
 * *out_len is the exact size needed (cap 0 / buf NULL: just measure).
 *
 * Fixed layouts (uadp/fixed.c): a writer group whose every DataSetMessage has
 * a fixed size is encoded once into a frame; each cycle then writes only the
 * sequence numbers, timestamps and field values at precomputed offsets. The
 * frame is byte-identical to ug_uadp_encode of the same message.
 *
 * Lifetime: the decoder borrows the input buffer, the options, the layouts and
 * the arena; the decoded ug_nm points into the buffer (strings, nonce, raw
 * views, signature) and into the arena (DataSetMessage array, field arrays,
 * promoted fields, nested values). It is valid while both are; reset the
 * arena between messages. With an arena over caller memory (grow false),
 * decoding allocates nothing on the heap. The encoder only reads the ug_nm.
 * A ug_uadp_fixed borrows its frame buffer for its whole life; it holds no
 * other resource and needs no clean-up.
 */
#ifndef UAGATE_UADP_H
#define UAGATE_UADP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "uagate/binary.h"
#include "uagate/pubsub_msg.h"
#include "uagate/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Wire bits, Part 14 §7.2.2.2.2 (UADPFlags, ExtendedFlags1/2) ---- */
enum {
    UG_UADP_VERSION_MASK = 0x0F,
    UG_UADP_PUBID = 0x10,
    UG_UADP_GROUP_HEADER = 0x20,
    UG_UADP_PAYLOAD_HEADER = 0x40,
    UG_UADP_EXT1 = 0x80,

    UG_UADP_EXT1_PUBID_TYPE_MASK = 0x07,
    UG_UADP_EXT1_CLASS_ID = 0x08,
    UG_UADP_EXT1_SECURITY = 0x10,
    UG_UADP_EXT1_TIMESTAMP = 0x20,
    UG_UADP_EXT1_PICOSECONDS = 0x40,
    UG_UADP_EXT1_EXT2 = 0x80,

    UG_UADP_EXT2_CHUNK = 0x01,
    UG_UADP_EXT2_PROMOTED = 0x02,
    UG_UADP_EXT2_TYPE_MASK = 0x1C, /* bits 2-4, enum ug_nm_type << 2 */
};

/* Most DataSetMessages one NetworkMessage can carry (PayloadHeader Count is a Byte). */
#define UG_UADP_MAX_DSM 255

/* Decoding options. A zeroed struct is valid: default limits, no arena (then
 * only messages without DataSetMessages/promoted fields decode fully), no
 * layouts, no signature, up to UG_UADP_MAX_DSM DataSetMessages. */
typedef struct ug_uadp_decode_opts {
    const ug_limits *limits; /* NULL: ug_limits_default */
    ug_arena *arena;         /* DataSetMessage/field/promoted arrays and nested values */
    /* Configuration-side knowledge of the expected DataSetMessages: matched by
     * DataSetWriterId when the PayloadHeader is present, else by position.
     * Needed to decode RawData fields and to know ConfiguredSize. */
    const ug_dsm_layout *layouts;
    size_t n_layouts;
    /* Length of the signature at the end of a message whose SecurityFlags say
     * "signed" (e.g. 32 for HMAC-SHA256). 0: the message carries none. */
    uint16_t signature_len;
    /* Most DataSetMessages accepted (0: UG_UADP_MAX_DSM); more fails with
     * BadEncodingLimitsExceeded. */
    uint16_t max_dsm;
} ug_uadp_decode_opts;

/* Where things sit in a UADP frame, filled by ug_uadp_decode_header (and by
 * ug_uadp_encode_frame). Offsets are from the start of the message. */
typedef struct ug_uadp_frame {
    size_t payload_off;    /* first payload byte (the sizes array, or the first DataSetMessage) */
    size_t payload_end;    /* end of the payload: start of SecurityFooter, else of signature */
    size_t footer_off;     /* SecurityFooter (== payload_end) */
    size_t signature_off;  /* signature (== len when none) */
    size_t len;            /* total message length */
    uint8_t count;         /* PayloadHeader Count, 0 without PayloadHeader */
    /* PayloadHeader DataSetWriterIds: `count` little-endian UInt16 in the
     * input buffer (a view); read them with ug_uadp_frame_writer_id. */
    const uint8_t *writer_ids;
} ug_uadp_frame;

static inline uint16_t ug_uadp_frame_writer_id(const ug_uadp_frame *f, unsigned i)
{
    return (uint16_t)(f->writer_ids[2 * i] | (f->writer_ids[2 * i + 1] << 8));
}

/* Decode the NetworkMessage header: everything up to and including the
 * SecurityHeader (for chunk messages also the chunk PayloadHeader, the
 * DataSetWriterId, into nm->chunk.writer_id). Fills `out` (nm->n_dsm = Count,
 * nm->dsm = NULL: the DataSetWriterIds are only in `frame`) and `frame`;
 * frame->payload_end accounts for SecurityFooterSize and, for signed
 * messages, opts->signature_len. Discovery messages have no PayloadHeader
 * (§7.2.4.6): their announcement/probe header opens the payload and is
 * decoded by ug_uadp_decode_payload. Allocates nothing; opts may be NULL.
 * PromotedFields need an arena (BadOutOfMemory without one).
 *   Good; BadDecodingError (truncation, reserved flag values or bits, bad
 *   sizes); BadProtocolVersionUnsupported (UADPVersion != 1);
 *   BadEncodingLimitsExceeded (over a limit).
 * *err_offset (may be NULL) receives the byte offset where decoding failed. */
ug_status ug_uadp_decode_header(const void *buf, size_t len, ug_nm *out,
                                const ug_uadp_decode_opts *opts, ug_uadp_frame *frame,
                                size_t *err_offset);

/* Decode the payload [frame->payload_off, frame->payload_end) of a message
 * whose header was decoded into `nm` by ug_uadp_decode_header (the buffer may
 * have been decrypted in place since; sizes must not change). Also reads the
 * SecurityFooter and signature views. DataSetMessages and their fields come
 * from opts->arena (BadOutOfMemory without one, or when it runs out).
 * RawData DataSetMessages without a layout are not an error: their fields
 * stay undecoded, dsm->raw views them and dsm->field_count is 0.
 * A DataSetMessage's size is known from the sizes array, the end of the
 * payload, or its layout's ConfiguredSize (a known size that differs from a
 * non-zero ConfiguredSize is rejected); then the zero bytes after its fields
 * are ConfiguredSize padding: dsm->padding counts them and dsm->configured_size
 * is set to the DataSetMessage's size (0 when there is no padding), so that
 * re-encoding gives the same bytes. Non-zero bytes there are rejected.
 * A Variant/DataValue key frame with no byte after its header is a heartbeat
 * (zero fields).
 *   Good; BadInvalidArgument (frame offsets that do not fit len);
 *   BadDecodingError (truncation, Count/sizes mismatch, size 0, reserved
 *   values, trailing bytes where the layout is known); BadNotSupported (a
 *   discovery probe other than ProbeType 1 with InformationType 1-3, the only
 *   ones §7.2.4.6.12 defines here); BadOutOfMemory; BadEncodingLimitsExceeded;
 *   the Variant/DataValue decoder's status. */
ug_status ug_uadp_decode_payload(const void *buf, size_t len, const ug_uadp_frame *frame,
                                 ug_nm *nm, const ug_uadp_decode_opts *opts,
                                 size_t *err_offset);

/* ug_uadp_decode_header + ug_uadp_decode_payload on one cursor. A payload
 * whose SecurityFlags say "encrypted" is not decoded: BadNotSupported with
 * *err_offset = the payload offset (decrypt it first, uadp_ext.h, then call
 * ug_uadp_decode_payload). UADPVersion != 1 fails with
 * BadProtocolVersionUnsupported (the most fitting official code: the version
 * nibble is the protocol version); an unknown discovery probe type with
 * BadNotSupported; every other malformed input with BadDecodingError, limits
 * with BadEncodingLimitsExceeded; BadOutOfMemory as ug_uadp_decode_payload. */
ug_status ug_uadp_decode(const void *buf, size_t len, ug_nm *out,
                         const ug_uadp_decode_opts *opts, size_t *err_offset);

/* Encode `nm` into buf[0..cap). *out_len receives the message size (also when
 * the buffer is too small). Header parts are written when their has_ flags /
 * types say so: PublisherId when publisher_id.type != UG_PUBID_NONE; the
 * PayloadHeader lists each dsm[i].writer_id; the sizes array is written when
 * the PayloadHeader is present and n_dsm > 1. Each DataSetMessage is padded
 * with zeros to dsm->configured_size. With has_security, the SecurityFooter
 * is security.footer (or zeros when footer.len <= 0) and the signature is
 * security.signature (nothing when its len <= 0); the security layer patches
 * both in place (see ug_uadp_encode_frame).
 *   Good; BadEncodingLimitsExceeded (buffer too small, *out_len = size needed;
 *   or a count over the wire's range); BadInvalidArgument (inconsistent
 *   message: e.g. a reserved enum value, footer length != footer_size, a
 *   DataSetMessage larger than its configured_size, RawData outside key frames,
 *   RawData field whose value cannot be written raw); BadNotSupported (a
 *   discovery probe type the decoder would refuse, see ug_uadp_decode_payload);
 *   the field encoder's status. */
ug_status ug_uadp_encode(const ug_nm *nm, void *buf, size_t cap, size_t *out_len);

/* ug_uadp_encode, also reporting where the payload, footer and signature sit
 * (frame->writer_ids points into buf, NULL when buf was too small). */
ug_status ug_uadp_encode_frame(const ug_nm *nm, void *buf, size_t cap, size_t *out_len,
                               ug_uadp_frame *frame);

/* Encoded size of `nm` (0 when it cannot be encoded). */
size_t ug_uadp_encoded_size(const ug_nm *nm);

/* ---- Fixed-layout fast path (uadp/fixed.c) ---- */

#define UG_UADP_FIXED_MAX_DSM 32
#define UG_UADP_FIXED_MAX_FIELDS 1024
#define UG_UADP_NO_OFFSET UINT32_MAX

/* A prebuilt frame and the offsets of everything that changes per cycle.
 * Offsets are UG_UADP_NO_OFFSET when the template has no such field.
 * Lifetime: borrows `frame` (the caller's buffer) from init on. */
typedef struct ug_uadp_fixed {
    uint8_t *frame;
    size_t len;             /* bytes to send */
    uint32_t off_group_seq; /* GroupHeader SequenceNumber (UInt16) */
    uint32_t off_nm_number; /* GroupHeader NetworkMessageNumber (UInt16) */
    uint32_t off_timestamp; /* NetworkMessage Timestamp (DateTime) */
    uint32_t off_picoseconds;
    uint16_t n_dsm;
    uint32_t n_fields;      /* over all DataSetMessages */
    struct {
        uint32_t off_seq;       /* DataSetMessage SequenceNumber (UInt16) */
        uint32_t off_timestamp; /* DataSetMessage Timestamp (DateTime) */
        uint32_t off_picoseconds;
        uint32_t off_status;    /* UInt16 */
        uint32_t first_field;   /* index into field_off/field_type */
        uint16_t n_fields;
        bool contiguous;        /* field values back to back (RawData) */
        uint32_t packed_len;    /* sum of the fields' wire sizes */
    } dsm[UG_UADP_FIXED_MAX_DSM];
    uint32_t field_off[UG_UADP_FIXED_MAX_FIELDS]; /* offset of the value bytes */
    uint8_t field_type[UG_UADP_FIXED_MAX_FIELDS]; /* built-in type of the value */
} ug_uadp_fixed;

/* Whether `tmpl` has a fixed layout: every field a scalar of a fixed-size
 * built-in type (Boolean..Double, DateTime, Guid, StatusCode) in Variant,
 * DataValue or RawData encoding, no promoted fields, no security, not a chunk,
 * DataSet payload. */
bool ug_uadp_is_fixed(const ug_nm *tmpl);

/* Encode `tmpl` into frame[0..cap) and record the offsets.
 *   Good; BadNotSupported (layout not fixed, or over UG_UADP_FIXED_MAX_*);
 *   BadEncodingLimitsExceeded (cap too small); ug_uadp_encode's statuses. */
ug_status ug_uadp_fixed_init(ug_uadp_fixed *f, const ug_nm *tmpl, void *frame, size_t cap);

/* Write one field value (type taken from the template; v holds that type).
 *   Good; BadInvalidArgument (index out of range). */
ug_status ug_uadp_fixed_set_field(ug_uadp_fixed *f, unsigned dsm_index, unsigned field_index,
                                  const ug_scalar *v);

/* Write all field values of one DataSetMessage from `src`: the values in
 * field order, back to back, each in its wire form (little-endian,
 * ug_type_wire_size bytes; Boolean one byte 0 or 1). For RawData this is a
 * single copy. len must be f->dsm[dsm_index].packed_len.
 *   Good; BadInvalidArgument (index out of range or wrong len). */
ug_status ug_uadp_fixed_set_packed(ug_uadp_fixed *f, unsigned dsm_index, const void *src,
                                   size_t len);

/* Direct pointer to a field's value bytes (little-endian, ug_type_wire_size
 * bytes), NULL when out of range. The pointer stays valid for the life of the
 * frame: hot loops fetch the pointers once and write through them with
 * memcpy (a memcpy into the frame may alias *f, so re-deriving the pointer
 * every cycle costs reloads). */
static inline void *ug_uadp_fixed_field_ptr(const ug_uadp_fixed *f, unsigned dsm_index,
                                            unsigned field_index)
{
    if (dsm_index >= f->n_dsm || field_index >= f->dsm[dsm_index].n_fields)
        return NULL;
    return f->frame + f->field_off[f->dsm[dsm_index].first_field + field_index];
}

/* Built-in type of a field's value (UG_TYPE_NULL when out of range). */
static inline uint8_t ug_uadp_fixed_field_type(const ug_uadp_fixed *f, unsigned dsm_index,
                                               unsigned field_index)
{
    if (dsm_index >= f->n_dsm || field_index >= f->dsm[dsm_index].n_fields)
        return 0;
    return f->field_type[f->dsm[dsm_index].first_field + field_index];
}

static inline void ug_uadp_fixed_put16(ug_uadp_fixed *f, uint32_t off, uint16_t v)
{
    if (off != UG_UADP_NO_OFFSET)
        memcpy(f->frame + off, &v, 2); /* little-endian host, as binary.h */
}

static inline void ug_uadp_fixed_put64(ug_uadp_fixed *f, uint32_t off, uint64_t v)
{
    if (off != UG_UADP_NO_OFFSET)
        memcpy(f->frame + off, &v, 8);
}

/* Per-cycle setters; each is a no-op when the template lacks the field. */
static inline void ug_uadp_fixed_set_group_seq(ug_uadp_fixed *f, uint16_t seq)
{
    ug_uadp_fixed_put16(f, f->off_group_seq, seq);
}

static inline void ug_uadp_fixed_set_nm_timestamp(ug_uadp_fixed *f, ug_datetime t)
{
    ug_uadp_fixed_put64(f, f->off_timestamp, (uint64_t)t);
}

static inline void ug_uadp_fixed_set_dsm_seq(ug_uadp_fixed *f, unsigned dsm_index, uint16_t seq)
{
    if (dsm_index < f->n_dsm)
        ug_uadp_fixed_put16(f, f->dsm[dsm_index].off_seq, seq);
}

static inline void ug_uadp_fixed_set_dsm_timestamp(ug_uadp_fixed *f, unsigned dsm_index,
                                                   ug_datetime t)
{
    if (dsm_index < f->n_dsm)
        ug_uadp_fixed_put64(f, f->dsm[dsm_index].off_timestamp, (uint64_t)t);
}

static inline void ug_uadp_fixed_set_dsm_status(ug_uadp_fixed *f, unsigned dsm_index,
                                                uint16_t status)
{
    if (dsm_index < f->n_dsm)
        ug_uadp_fixed_put16(f, f->dsm[dsm_index].off_status, status);
}

/* Set the same sequence number on the group and on every DataSetMessage. */
static inline void ug_uadp_fixed_set_seq(ug_uadp_fixed *f, uint16_t seq)
{
    uint8_t *frame = f->frame;
    unsigned n = f->n_dsm;
    if (f->off_group_seq != UG_UADP_NO_OFFSET)
        memcpy(frame + f->off_group_seq, &seq, 2);
    for (unsigned i = 0; i < n; i++)
        if (f->dsm[i].off_seq != UG_UADP_NO_OFFSET)
            memcpy(frame + f->dsm[i].off_seq, &seq, 2);
}


/* ---- Fixed-layout receive fast path (uadp/fixed_rx.c) ----
 *
 * A DataSetReader knows from its configuration which message it expects
 * (Part 14 §6.2.9). When that message has a fixed layout (ug_uadp_is_fixed),
 * the reader builds a ug_uadp_fixed_rx from the same template the writer
 * uses: the template frame, a mask of the bytes that vary per message
 * (sequence numbers, NetworkMessageNumber, timestamps, picoseconds, status,
 * field values) and their offsets. ug_uadp_fixed_rx_match then checks a
 * received message against it in 8-byte words, and the accessors read the
 * values in place: nothing is decoded into a ug_nm.
 *
 * Match accepts a message only when its length is the template's and every
 * constant byte (flags, PublisherId, GroupHeader WriterGroupId/GroupVersion,
 * PayloadHeader Count and DataSetWriterIds, sizes array, DataSetFlags,
 * ConfigurationVersion, FieldCount, Variant encoding bytes, DataValue
 * masks, ConfiguredSize padding) equals the template's; any value in the
 * varying bytes decodes with ug_uadp_decode to the same layout, so the
 * accessors return what ug_uadp_decode would. A message rejected by match
 * (BadNoMatch) is not necessarily invalid: it may be a heartbeat, a message
 * of another writer group, one with a different ConfigurationVersion, or
 * encoded differently (a DataValue mask with reserved bits set, a Variant
 * type other than the configured one). Falling back to ug_uadp_decode for
 * such messages is the caller's job.
 *
 * Lifetime: the ug_uadp_fixed_rx borrows `mem` (template frame and mask)
 * from init on; it holds no other resource. Accessors read `msg` at fixed
 * offsets without bounds checks: call them only on a msg for which match
 * returned Good. */

typedef struct ug_uadp_fixed_rx {
    ug_uadp_fixed lay;   /* offsets and types; lay.frame: the template frame */
    const uint8_t *mask; /* lay.len bytes: 0xFF for constant bytes, 0 for varying ones */
    uint32_t bool_dsms;  /* bit d: DataSetMessage d has Boolean fields */
} ug_uadp_fixed_rx;

/* Bytes of memory ug_uadp_fixed_rx_init needs for a template of `len` encoded bytes. */
#define UG_UADP_FIXED_RX_MEM(len) (2 * (size_t)(len))

/* Build the receive side of `tmpl`'s fixed layout in mem[0..cap), which must
 * hold UG_UADP_FIXED_RX_MEM(ug_uadp_encoded_size(tmpl)) bytes. DataValue
 * fields must carry the Value only (a status or timestamps in them would be
 * per-message values the accessors cannot read).
 *   Good; BadNotSupported (layout not fixed, DataValue fields with more than
 *   a Value, over UG_UADP_FIXED_MAX_*); BadEncodingLimitsExceeded (cap too
 *   small); ug_uadp_encode's statuses. */
ug_status ug_uadp_fixed_rx_init(ug_uadp_fixed_rx *rx, const ug_nm *tmpl, void *mem, size_t cap);

/* Whether msg[0..len) has rx's layout.
 *   Good; BadNoMatch (another length or a constant byte differs: decode it
 *   with ug_uadp_decode, see above; also every message after a failed init). */
ug_status ug_uadp_fixed_rx_match(const ug_uadp_fixed_rx *rx, const uint8_t *msg, size_t len);

/* Value accessors, for a msg that matched. Each returns false (and leaves
 * *out alone) when the layout has no such field or the index is out of range. */
static inline bool ug_uadp_fixed_rx_get16(const uint8_t *msg, uint32_t off, uint16_t *out)
{
    if (off == UG_UADP_NO_OFFSET)
        return false;
    memcpy(out, msg + off, 2); /* little-endian host, as binary.h */
    return true;
}

static inline bool ug_uadp_fixed_rx_get64(const uint8_t *msg, uint32_t off, ug_datetime *out)
{
    if (off == UG_UADP_NO_OFFSET)
        return false;
    memcpy(out, msg + off, 8);
    return true;
}

static inline bool ug_uadp_fixed_rx_group_seq(const ug_uadp_fixed_rx *rx, const uint8_t *msg,
                                              uint16_t *out)
{
    return ug_uadp_fixed_rx_get16(msg, rx->lay.off_group_seq, out);
}

static inline bool ug_uadp_fixed_rx_nm_number(const ug_uadp_fixed_rx *rx, const uint8_t *msg,
                                              uint16_t *out)
{
    return ug_uadp_fixed_rx_get16(msg, rx->lay.off_nm_number, out);
}

static inline bool ug_uadp_fixed_rx_nm_timestamp(const ug_uadp_fixed_rx *rx, const uint8_t *msg,
                                                 ug_datetime *out)
{
    return ug_uadp_fixed_rx_get64(msg, rx->lay.off_timestamp, out);
}

static inline bool ug_uadp_fixed_rx_nm_picoseconds(const ug_uadp_fixed_rx *rx,
                                                   const uint8_t *msg, uint16_t *out)
{
    return ug_uadp_fixed_rx_get16(msg, rx->lay.off_picoseconds, out);
}

static inline bool ug_uadp_fixed_rx_dsm_seq(const ug_uadp_fixed_rx *rx, const uint8_t *msg,
                                            unsigned dsm_index, uint16_t *out)
{
    return dsm_index < rx->lay.n_dsm &&
           ug_uadp_fixed_rx_get16(msg, rx->lay.dsm[dsm_index].off_seq, out);
}

static inline bool ug_uadp_fixed_rx_dsm_timestamp(const ug_uadp_fixed_rx *rx,
                                                  const uint8_t *msg, unsigned dsm_index,
                                                  ug_datetime *out)
{
    return dsm_index < rx->lay.n_dsm &&
           ug_uadp_fixed_rx_get64(msg, rx->lay.dsm[dsm_index].off_timestamp, out);
}

static inline bool ug_uadp_fixed_rx_dsm_picoseconds(const ug_uadp_fixed_rx *rx,
                                                    const uint8_t *msg, unsigned dsm_index,
                                                    uint16_t *out)
{
    return dsm_index < rx->lay.n_dsm &&
           ug_uadp_fixed_rx_get16(msg, rx->lay.dsm[dsm_index].off_picoseconds, out);
}

static inline bool ug_uadp_fixed_rx_dsm_status(const ug_uadp_fixed_rx *rx, const uint8_t *msg,
                                               unsigned dsm_index, uint16_t *out)
{
    return dsm_index < rx->lay.n_dsm &&
           ug_uadp_fixed_rx_get16(msg, rx->lay.dsm[dsm_index].off_status, out);
}

/* Built-in type of a field (UG_TYPE_NULL when out of range). */
static inline uint8_t ug_uadp_fixed_rx_field_type(const ug_uadp_fixed_rx *rx, unsigned dsm_index,
                                                  unsigned field_index)
{
    return ug_uadp_fixed_field_type(&rx->lay, dsm_index, field_index);
}

/* Offset of a field's value bytes in a matching message (little-endian,
 * ug_type_wire_size bytes; a Boolean is one byte, any non-zero value true),
 * UG_UADP_NO_OFFSET when out of range. Hot loops fetch the offsets once and
 * read msg + off with memcpy: stores into the caller's variables may alias
 * *rx, which would reload the offsets every message. */
static inline uint32_t ug_uadp_fixed_rx_field_off(const ug_uadp_fixed_rx *rx, unsigned dsm_index,
                                                  unsigned field_index)
{
    if (dsm_index >= rx->lay.n_dsm || field_index >= rx->lay.dsm[dsm_index].n_fields)
        return UG_UADP_NO_OFFSET;
    return rx->lay.field_off[rx->lay.dsm[dsm_index].first_field + field_index];
}

/* Pointer form of ug_uadp_fixed_rx_field_off: msg + offset, NULL when out of range. */
static inline const uint8_t *ug_uadp_fixed_rx_field_ptr(const ug_uadp_fixed_rx *rx,
                                                        const uint8_t *msg, unsigned dsm_index,
                                                        unsigned field_index)
{
    uint32_t off = ug_uadp_fixed_rx_field_off(rx, dsm_index, field_index);
    return off == UG_UADP_NO_OFFSET ? NULL : msg + off;
}

/* One field value as ug_uadp_decode gives it in dv.value.u.v (the first 16
 * bytes of *out written: the value, zero-extended; Boolean normalised).
 *   Good; BadInvalidArgument (index out of range). */
ug_status ug_uadp_fixed_rx_field(const ug_uadp_fixed_rx *rx, const uint8_t *msg,
                                 unsigned dsm_index, unsigned field_index, ug_scalar *out);

/* All field values of one DataSetMessage into dst, in the packed form of
 * ug_uadp_fixed_set_packed (Boolean normalised to 0 or 1); for RawData
 * without Boolean fields a single copy. len must be
 * rx->lay.dsm[dsm_index].packed_len.
 *   Good; BadInvalidArgument (index out of range or wrong len). */
ug_status ug_uadp_fixed_rx_get_packed(const ug_uadp_fixed_rx *rx, const uint8_t *msg,
                                      unsigned dsm_index, void *dst, size_t len);

#ifdef __cplusplus
}
#endif
#endif
