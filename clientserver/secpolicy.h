/* clientserver/secpolicy.h — the per-SecurityPolicy work of a SecureChannel
 * (Part 6 §6.7.2 message security, §6.7.5 key derivation) behind a table of
 * function pointers, so that channel.c never knows which policy it runs.
 *
 * A chunk as the channel lays it out (§6.7.2.2):
 *
 *   [message header 12][security header][sequence header 8][body]
 *                                        ^ plain_off         [padding][signature]
 *
 * The channel writes everything up to the end of the body, then calls seal,
 * which adds padding and signature, encrypts from plain_off on (Sign-and-
 * Encrypt) and patches MessageSize. On receive, unseal decrypts in place,
 * verifies the signature, and tells where the body ends. The asymmetric
 * variants (OPN) use the certificates; the symmetric ones (MSG, CLO) the
 * keys derived from both nonces.
 *
 * Policies: ug_secpolicy_none (secpolicy_none.c). Basic256Sha256,
 * Aes128_Sha256_RsaOaep and Aes256_Sha256_RsaPss plug in as more tables.
 *
 * Lifetime: tables are static. A policy context (ctx_new) belongs to one
 * channel and is freed with it (ctx_free).
 */
#ifndef UG_CLIENTSERVER_SECPOLICY_H
#define UG_CLIENTSERVER_SECPOLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uagate/status.h"
#include "uagate/types.h"

struct ug_secpolicy {
    const char *uri;
    /* Bytes of a nonce (ClientNonce/ServerNonce) in OPN; 0: empty nonce. */
    uint32_t nonce_len;
    /* True when the policy can only run with mode None (the None policy). */
    bool none;

    /* Per-channel state. Returns Good or BadOutOfMemory. */
    ug_status (*ctx_new)(void **ctx);
    void (*ctx_free)(void *ctx);

    /* Asymmetric security header fields we send (§6.7.2.3): our
     * certificate and the thumbprint of the peer's. Null for None. */
    ug_bytes (*local_certificate)(void *ctx);
    ug_bytes (*remote_thumbprint)(void *ctx);
    /* Checks the peer's certificate and the thumbprint it sent for ours,
     * keeping the peer's key for verify/encrypt. Returns Good,
     * BadCertificateInvalid, BadSecurityChecksFailed. */
    ug_status (*accept_remote)(void *ctx, ug_bytes certificate, ug_bytes thumbprint);

    /* Fills a nonce of nonce_len bytes. Returns Good or BadInternalError. */
    ug_status (*make_nonce)(void *ctx, uint8_t *out, size_t len);
    /* After OPN (issue or renew): derives the symmetric keys of a new token
     * from the two nonces (§6.7.5). key_slot 0/1: current/next token, so
     * that the old keys stay usable during rollover. Returns Good,
     * BadNonceInvalid, BadInternalError. */
    ug_status (*derive_keys)(void *ctx, int key_slot, bool is_server, ug_bytes local_nonce,
                             ug_bytes remote_nonce);

    /* Largest body (bytes after the sequence header) that fits into a chunk
     * of chunk_size bytes whose headers up to the sequence header take
     * plain_off bytes. */
    size_t (*max_body)(void *ctx, bool asym, size_t chunk_size, size_t plain_off);
    /* Seals a chunk in buf[0 .. body_end) (capacity cap): padding,
     * signature, encryption; writes the final MessageSize at buf[4] and
     * returns it in *out_len. Returns Good, BadEncodingLimitsExceeded (cap),
     * BadInternalError. */
    ug_status (*seal)(void *ctx, bool asym, int key_slot, uint8_t *buf, size_t plain_off,
                      size_t body_end, size_t cap, size_t *out_len);
    /* Opens a received chunk buf[0 .. len) in place: decrypts, verifies,
     * removes padding; *body_end is where the body ends. Returns Good,
     * BadSecurityChecksFailed. */
    ug_status (*unseal)(void *ctx, bool asym, int key_slot, uint8_t *buf, size_t plain_off,
                        size_t len, size_t *body_end);
};

extern const struct ug_secpolicy ug_secpolicy_none;

/* The policy for a SecurityPolicyUri, NULL when not supported. */
const struct ug_secpolicy *ug_secpolicy_find(ug_string uri);

#endif
