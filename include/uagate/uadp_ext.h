/* uagate uadp_ext — UADP chunking and message security, on top of uadp.h.
 *
 * Chunking (Part 14 §7.2.4.4.4, 1.05; §7.2.2.2.4 in 1.04): a DataSetMessage
 * too large for the transport is cut into chunk NetworkMessages. Each carries
 * the header of the original message, a PayloadHeader with the
 * DataSetWriterId, then MessageSequenceNumber, ChunkOffset, TotalSize and
 * ChunkData (a ByteString slice of the encoded DataSetMessage).
 *   ug_uadp_split   sender side: encode, and cut when over a size.
 *   ug_uadp_reasm   receiver side: collect chunks (any order) until a
 *                   DataSetMessage is whole; all memory allocated at init.
 *
 * Security (Part 14 §7.2.4.4.3 and §8, policies PubSub-Aes128-CTR and
 * PubSub-Aes256-CTR): the payload (after the SecurityHeader, up to the
 * SecurityFooter) is AES-CTR encrypted, then the whole message from byte 0 to
 * the signature is signed with HMAC-SHA256 (32-byte signature at the end).
 *   ug_uadp_crypto  OpenSSL 3 contexts, created once and reused per message.
 *   ug_uadp_secure / ug_uadp_unsecure  in place, on the encoded bytes.
 *
 * Lifetime: a ug_uadp_reasm owns the memory it allocated in init until
 * ug_uadp_reasm_free; a completed message it returns is a view into that
 * memory, valid until the next ug_uadp_reasm_add/_reset/_free. A
 * ug_uadp_crypto owns its OpenSSL contexts (and a copy of the last keys
 * used) until ug_uadp_crypto_free. Keys passed in are only read during a call.
 * Neither object is thread-safe: one owner thread (the event loop) each.
 */
#ifndef UAGATE_UADP_EXT_H
#define UAGATE_UADP_EXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uagate/pubsub_msg.h"
#include "uagate/types.h"
#include "uagate/uadp.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ====================================================================== */
/* Chunking                                                               */
/* ====================================================================== */

/* Receives one NetworkMessage to send: msg[0..len) in a buffer of `cap`
 * bytes (cap >= len + room for the signature when the template is signed),
 * so the callback may patch the MessageNonce and call ug_uadp_secure in
 * place. The buffer is the split's scratch, valid until the callback returns.
 * A Bad return stops the split, which returns that status. */
typedef ug_status (*ug_uadp_emit_fn)(void *ctx, uint8_t *msg, size_t len, size_t cap);

/* Encode `nm` (a DataSet NetworkMessage) into one or more NetworkMessages of
 * at most `max_size` bytes each (signature included when nm says Signed:
 * UG_UADP_SIGNATURE_LEN bytes are kept free for ug_uadp_secure), calling
 * `emit` for each, in order:
 *   - the whole message fits: it is emitted as is;
 *   - otherwise consecutive DataSetMessages are packed into as few
 *     NetworkMessages as fit (the header repeated from nm; with a
 *     NetworkMessageNumber in the GroupHeader it counts up from nm's for each
 *     message emitted), and a DataSetMessage that does not fit on its own is
 *     cut into chunk NetworkMessages with MessageSequenceNumber `msg_seq`
 *     (Part 14: the DataSetMessage sequence number), all chunks but the last
 *     of the same size. Chunk messages always carry the PayloadHeader (the
 *     DataSetWriterId is how a Subscriber finds the chunk's reader).
 * nm->security.signature is ignored (never encoded): sign with ug_uadp_secure.
 * scratch: caller memory for the encoding; it needs max_size bytes, plus
 * 8 + the encoded size of the largest DataSetMessage that has to be chunked.
 *   Good; BadEncodingLimitsExceeded (max_size too small to carry the header
 *   and one byte of chunk data, scratch too small, or a non-DataSet message
 *   over max_size); BadInvalidArgument (NULL arguments, nm->is_chunk);
 *   ug_uadp_encode's statuses; the status a failing emit returned.
 * On failure some messages may have been emitted already. */
ug_status ug_uadp_split(const ug_nm *nm, size_t max_size, uint16_t msg_seq, uint8_t *scratch,
                        size_t scratch_cap, ug_uadp_emit_fn emit, void *ctx);

/* Limits of a reassembler. Zeroes mean the defaults in brackets. */
typedef struct ug_uadp_reasm_limits {
    uint32_t max_messages;   /* partial messages in flight [16] */
    uint32_t max_total_size; /* largest TotalSize accepted [1 MiB] */
    size_t max_buffered;     /* sum of TotalSize over partial messages [4 MiB] */
    uint32_t max_pubid_len;  /* longest String PublisherId [64] */
} ug_uadp_reasm_limits;

typedef struct ug_uadp_reasm_stats {
    uint64_t completed;  /* DataSetMessages returned whole */
    uint64_t evicted;    /* partial messages dropped to respect a limit */
    uint64_t abandoned;  /* partial messages dropped for a newer MessageSequenceNumber */
    uint64_t rejected;   /* chunks refused with a Bad status */
    uint64_t duplicates; /* chunks already received, ignored */
    uint64_t stale;      /* chunks of an older MessageSequenceNumber, ignored */
} ug_uadp_reasm_stats;

/* A whole DataSetMessage out of the reassembler (views its memory). */
typedef struct ug_uadp_reasm_msg {
    ug_publisher_id publisher_id; /* str views the reassembler's copy */
    uint16_t writer_group_id;
    uint16_t writer_id;
    uint16_t msg_seq;
    const uint8_t *data; /* the encoded DataSetMessage */
    size_t len;
} ug_uadp_reasm_msg;

struct ug_uadp_reasm_slot;

/* Lifetime: caller-owned struct; init allocates, free releases. Treat the
 * members as private except `stats`. */
typedef struct ug_uadp_reasm {
    ug_uadp_reasm_limits lim;
    ug_uadp_reasm_stats stats;
    struct ug_uadp_reasm_slot *slots;
    struct ug_uadp_reasm_slot **order; /* max_messages, for placing regions */
    uint32_t n_slots;
    uint32_t n_partial;
    size_t buffered;
    uint8_t *keys; /* n_slots * lim.max_pubid_len String PublisherId copies */
    uint8_t *pool; /* partial messages (data + received-bytes bitmap) */
    size_t pool_cap;
    uint64_t clock; /* age stamps */
} ug_uadp_reasm;

/* lim NULL: all defaults.
 *   Good; BadInvalidArgument (a limit that cannot work, e.g. max_total_size >
 *   max_buffered); BadOutOfMemory. */
ug_status ug_uadp_reasm_init(ug_uadp_reasm *r, const ug_uadp_reasm_limits *lim);
void ug_uadp_reasm_free(ug_uadp_reasm *r);
/* Drop every partial message (counters stay). */
void ug_uadp_reasm_reset(ug_uadp_reasm *r);

/* Add one chunk of the message keyed by (PublisherId, WriterGroupId,
 * chunk->writer_id). When it completes the DataSetMessage, *out receives it
 * and *complete is true; otherwise *complete is false. Chunks may come in any
 * order; an exact repeat of a chunk already held (or of a message just
 * completed) is ignored. A newer MessageSequenceNumber (UInt16 serial order)
 * for the same key abandons the older partial message; an older one is
 * ignored. A new message evicts the oldest partial one when max_messages or
 * max_buffered would be exceeded.
 *   Good (also for ignored chunks); BadDecodingError (TotalSize 0, empty
 *   ChunkData, chunk beyond TotalSize, TotalSize different from earlier
 *   chunks, overlap with different bytes or boundaries); BadEncodingLimitsExceeded
 *   (TotalSize over max_total_size, PublisherId string over max_pubid_len);
 *   BadInvalidArgument (NULL arguments, publisher id of unknown type). */
ug_status ug_uadp_reasm_add(ug_uadp_reasm *r, const ug_publisher_id *pub, uint16_t writer_group_id,
                            const ug_chunk *chunk, ug_uadp_reasm_msg *out, bool *complete);

/* ug_uadp_reasm_add with the keys of a decoded chunk NetworkMessage (WriterGroupId
 * 0 when the GroupHeader lacks it). BadInvalidArgument when !nm->is_chunk. */
ug_status ug_uadp_reasm_add_nm(ug_uadp_reasm *r, const ug_nm *nm, ug_uadp_reasm_msg *out,
                               bool *complete);

/* Decode a reassembled DataSetMessage into *out (fields from opts->arena;
 * opts->layouts should hold the layout of m->writer_id when its fields are
 * RawData). out->writer_id = m->writer_id, has_writer_id true.
 * Only for messages returned by ug_uadp_reasm_add (it relies on the
 * reassembler keeping a UADP header byte right before m->data).
 *   Good; ug_uadp_decode's statuses. */
ug_status ug_uadp_reasm_decode(const ug_uadp_reasm_msg *m, const ug_uadp_decode_opts *opts,
                               ug_dsm *out);

/* ====================================================================== */
/* Message security                                                       */
/* ====================================================================== */

enum ug_uadp_policy {
    UG_UADP_POLICY_AES128_CTR =
        1, /* http://opcfoundation.org/UA/SecurityPolicy#PubSub-Aes128-CTR */
    UG_UADP_POLICY_AES256_CTR =
        2, /* http://opcfoundation.org/UA/SecurityPolicy#PubSub-Aes256-CTR */
};

#define UG_UADP_SIGNATURE_LEN 32 /* HMAC-SHA256 */
#define UG_UADP_SIGNING_KEY_LEN 32
#define UG_UADP_KEY_NONCE_LEN 4
#define UG_UADP_MESSAGE_NONCE_LEN 8 /* Part 14 Table 155: Random[4] + SequenceNumber */

/* Key data from GetSecurityKeys, Part 14 Table 154: SigningKey |
 * EncryptingKey | KeyNonce. encrypting_key holds 16 bytes (Aes128) or 32
 * (Aes256). */
typedef struct ug_uadp_keys {
    uint8_t policy; /* enum ug_uadp_policy */
    uint8_t signing_key[UG_UADP_SIGNING_KEY_LEN];
    uint8_t encrypting_key[32];
    uint8_t key_nonce[UG_UADP_KEY_NONCE_LEN];
} ug_uadp_keys;

/* Policy from its URI; false when unknown. */
bool ug_uadp_policy_from_uri(const char *uri, size_t len, uint8_t *policy);
/* Length of the EncryptingKey (16 or 32), 0 for an unknown policy. */
size_t ug_uadp_encrypting_key_len(uint8_t policy);
/* Fill keys from the GetSecurityKeys key data blob.
 *   Good; BadSecurityPolicyRejected (unknown policy); BadInvalidArgument
 *   (length != 32 + key length + 4). */
ug_status ug_uadp_keys_from_blob(ug_uadp_keys *k, uint8_t policy, const uint8_t *blob, size_t len);

typedef struct ug_uadp_crypto ug_uadp_crypto;

/* Create the OpenSSL contexts (HMAC-SHA256 MAC, AES-128/256-CTR ciphers).
 *   Good; BadOutOfMemory; BadInternalError (OpenSSL lacks an algorithm);
 *   BadInvalidArgument (out NULL). */
ug_status ug_uadp_crypto_new(ug_uadp_crypto **out);
void ug_uadp_crypto_free(ug_uadp_crypto *c);

/* Write `nonce` into the MessageNonce of the encoded message msg[0..len).
 *   Good; BadDecodingError (the header does not decode); BadInvalidArgument
 *   (no SecurityHeader, or NonceLength != nonce_len). */
ug_status ug_uadp_set_nonce(uint8_t *msg, size_t len, const uint8_t *nonce, size_t nonce_len);

/* Secure an encoded message in place. msg[0..len) is a UADP message encoded
 * by ug_uadp_encode with a SecurityHeader (8-byte MessageNonce) and no
 * signature. When SecurityFlags say Encrypted the payload is encrypted with
 * AES-CTR (counter block KeyNonce | MessageNonce | 32-bit big-endian block
 * counter from 1); when Signed, the HMAC-SHA256 of msg[0..len) is appended,
 * so cap must be >= len + UG_UADP_SIGNATURE_LEN. *out_len: the new length.
 *   Good; BadInvalidArgument (no SecurityHeader, NonceLength != 8, Encrypted
 *   without Signed, keys of an unknown policy); BadEncodingLimitsExceeded
 *   (cap too small); BadDecodingError (the header does not decode);
 *   BadInternalError (OpenSSL failed). */
ug_status ug_uadp_secure(ug_uadp_crypto *c, uint8_t *msg, size_t len, size_t cap,
                         const ug_uadp_keys *k, size_t *out_len);

/* Check and decrypt a received message in place. Verifies the signature (in
 * constant time) before touching anything, then decrypts the payload when
 * Encrypted. *plain_len: the length without the signature; decode the result
 * with ug_uadp_decode_plain (ug_uadp_decode refuses a message whose header
 * says Encrypted, since it cannot know it was decrypted). On failure msg is
 * unchanged.
 * An unverified message is untrusted whatever is wrong with it, so a header
 * that does not decode is reported as a failed check too.
 *   Good; BadSecurityChecksFailed (header does not decode, no SecurityHeader,
 *   not Signed, Encrypted without Signed, NonceLength != 8, message shorter
 *   than the signature, wrong signature, unknown policy); BadOutOfMemory
 *   (PromotedFields too large for the internal 2 KiB arena: use
 *   ug_uadp_unsecure_frame); BadInternalError (OpenSSL failed). */
ug_status ug_uadp_unsecure(ug_uadp_crypto *c, uint8_t *msg, size_t len, const ug_uadp_keys *k,
                           size_t *plain_len);

/* The same, for a caller that already decoded the header (it needs the
 * SecurityTokenId to pick the keys): hdr and f from ug_uadp_decode_header of
 * msg[0..len) with opts->signature_len = UG_UADP_SIGNATURE_LEN. */
ug_status ug_uadp_unsecure_frame(ug_uadp_crypto *c, uint8_t *msg, size_t len, const ug_nm *hdr,
                                 const ug_uadp_frame *f, const ug_uadp_keys *k, size_t *plain_len);

/* Decode msg[0..len) as left by ug_uadp_unsecure (payload in clear, no
 * signature): ug_uadp_decode_header + ug_uadp_decode_payload with
 * opts->signature_len taken as 0. Same statuses as ug_uadp_decode. */
ug_status ug_uadp_decode_plain(const void *msg, size_t len, ug_nm *out,
                               const ug_uadp_decode_opts *opts, size_t *err_offset);

/* ug_uadp_secure for a caller that has the frame from ug_uadp_encode_frame of
 * `nm` (encoded with nm->security.signature null): no header decode. */
ug_status ug_uadp_secure_frame(ug_uadp_crypto *c, uint8_t *msg, size_t len, size_t cap,
                               const ug_nm *nm, const ug_uadp_frame *f, const ug_uadp_keys *k,
                               size_t *out_len);

#ifdef __cplusplus
}
#endif
#endif
