/* UADP message security, Part 14 §7.2.4.4.3 (1.05) and the PubSub-Aes128-CTR /
 * PubSub-Aes256-CTR policies (Part 7): AES-CTR over the payload, then
 * HMAC-SHA256 over the whole message. OpenSSL 3 libcrypto does the work; the
 * contexts are made once in ug_uadp_crypto_new and only re-initialised per
 * message, keeping the key schedules. Measured with OpenSSL 3.0: the cipher
 * re-init allocates nothing; each HMAC still makes two small allocations
 * inside OpenSSL (it duplicates its SHA-256 state on init and final), and
 * EVP offers no way around that short of the deprecated SHA256_* API.
 *
 * The SecurityFooter is signed but not encrypted: §7.2.4.4.1 names the
 * payload (and the Padding of older revisions) as what is encrypted.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "uagate/uadp.h"
#include "uagate/uadp_ext.h"

struct ug_uadp_crypto {
    EVP_MAC *mac;
    EVP_MAC_CTX *mctx;
    EVP_CIPHER *aes128;
    EVP_CIPHER *aes256;
    EVP_CIPHER_CTX *cctx;
    /* The keys the contexts hold, so a message with the same keys as the
     * last one skips the key set-up. */
    bool mac_keyed;
    bool cipher_keyed;
    uint8_t cipher_policy;
    uint8_t sign_key[UG_UADP_SIGNING_KEY_LEN];
    uint8_t enc_key[32];
};

static const char uri_aes128[] = "http://opcfoundation.org/UA/SecurityPolicy#PubSub-Aes128-CTR";
static const char uri_aes256[] = "http://opcfoundation.org/UA/SecurityPolicy#PubSub-Aes256-CTR";

bool ug_uadp_policy_from_uri(const char *uri, size_t len, uint8_t *policy)
{
    if (!uri || !policy)
        return false;
    if (len == sizeof uri_aes128 - 1 && memcmp(uri, uri_aes128, len) == 0) {
        *policy = UG_UADP_POLICY_AES128_CTR;
        return true;
    }
    if (len == sizeof uri_aes256 - 1 && memcmp(uri, uri_aes256, len) == 0) {
        *policy = UG_UADP_POLICY_AES256_CTR;
        return true;
    }
    return false;
}

size_t ug_uadp_encrypting_key_len(uint8_t policy)
{
    switch (policy) {
    case UG_UADP_POLICY_AES128_CTR: return 16;
    case UG_UADP_POLICY_AES256_CTR: return 32;
    default: return 0;
    }
}

/* Part 14 Table 154: SigningKey | EncryptingKey | KeyNonce. */
ug_status ug_uadp_keys_from_blob(ug_uadp_keys *k, uint8_t policy, const uint8_t *blob, size_t len)
{
    size_t ek = ug_uadp_encrypting_key_len(policy);
    if (ek == 0)
        return UG_STATUS_BADSECURITYPOLICYREJECTED;
    if (!k || !blob || len != UG_UADP_SIGNING_KEY_LEN + ek + UG_UADP_KEY_NONCE_LEN)
        return UG_STATUS_BADINVALIDARGUMENT;
    memset(k, 0, sizeof *k);
    k->policy = policy;
    memcpy(k->signing_key, blob, UG_UADP_SIGNING_KEY_LEN);
    memcpy(k->encrypting_key, blob + UG_UADP_SIGNING_KEY_LEN, ek);
    memcpy(k->key_nonce, blob + UG_UADP_SIGNING_KEY_LEN + ek, UG_UADP_KEY_NONCE_LEN);
    return UG_STATUS_GOOD;
}

void ug_uadp_crypto_free(ug_uadp_crypto *c)
{
    if (!c)
        return;
    EVP_MAC_CTX_free(c->mctx);
    EVP_MAC_free(c->mac);
    EVP_CIPHER_CTX_free(c->cctx);
    EVP_CIPHER_free(c->aes128);
    EVP_CIPHER_free(c->aes256);
    OPENSSL_cleanse(c, sizeof *c);
    free(c);
}

ug_status ug_uadp_crypto_new(ug_uadp_crypto **out)
{
    if (!out)
        return UG_STATUS_BADINVALIDARGUMENT;
    *out = NULL;
    ug_uadp_crypto *c = calloc(1, sizeof *c);
    if (!c)
        return UG_STATUS_BADOUTOFMEMORY;
    c->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    c->aes128 = EVP_CIPHER_fetch(NULL, "AES-128-CTR", NULL);
    c->aes256 = EVP_CIPHER_fetch(NULL, "AES-256-CTR", NULL);
    if (!c->mac || !c->aes128 || !c->aes256) {
        ug_uadp_crypto_free(c);
        return UG_STATUS_BADINTERNALERROR;
    }
    c->mctx = EVP_MAC_CTX_new(c->mac);
    c->cctx = EVP_CIPHER_CTX_new();
    if (!c->mctx || !c->cctx) {
        ug_uadp_crypto_free(c);
        return UG_STATUS_BADOUTOFMEMORY;
    }
    *out = c;
    return UG_STATUS_GOOD;
}

static bool mac_key(ug_uadp_crypto *c, const ug_uadp_keys *k)
{
    if (c->mac_keyed && memcmp(c->sign_key, k->signing_key, sizeof c->sign_key) == 0)
        return true;
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    c->mac_keyed = EVP_MAC_init(c->mctx, k->signing_key, UG_UADP_SIGNING_KEY_LEN, params) == 1;
    if (c->mac_keyed)
        memcpy(c->sign_key, k->signing_key, sizeof c->sign_key);
    return c->mac_keyed;
}

static bool cipher_key(ug_uadp_crypto *c, const ug_uadp_keys *k)
{
    size_t klen = ug_uadp_encrypting_key_len(k->policy);
    if (c->cipher_keyed && c->cipher_policy == k->policy &&
        memcmp(c->enc_key, k->encrypting_key, klen) == 0)
        return true;
    EVP_CIPHER *cipher = k->policy == UG_UADP_POLICY_AES128_CTR ? c->aes128 : c->aes256;
    c->cipher_keyed = EVP_CipherInit_ex2(c->cctx, cipher, k->encrypting_key, NULL, 1, NULL) == 1;
    if (c->cipher_keyed) {
        c->cipher_policy = k->policy;
        memcpy(c->enc_key, k->encrypting_key, klen);
    }
    return c->cipher_keyed;
}

/* HMAC-SHA256 of msg[0..n) into out. The key stays in the context; init with
 * a NULL key only resets the inner and outer hashes. */
static bool hmac(ug_uadp_crypto *c, const uint8_t *msg, size_t n,
                 uint8_t out[UG_UADP_SIGNATURE_LEN])
{
    size_t outl = 0;
    return EVP_MAC_init(c->mctx, NULL, 0, NULL) == 1 && EVP_MAC_update(c->mctx, msg, n) == 1 &&
           EVP_MAC_final(c->mctx, out, &outl, UG_UADP_SIGNATURE_LEN) == 1 &&
           outl == UG_UADP_SIGNATURE_LEN;
}

/* Part 14 Table 157: counter block = KeyNonce[4] | MessageNonce[8] |
 * BlockCounter, a big-endian UInt32 starting at 1. OpenSSL's CTR increments
 * the whole block big-endian, which equals that for any message under 64 GiB. */
static bool ctr(ug_uadp_crypto *c, const ug_uadp_keys *k, const uint8_t *nonce, uint8_t *buf,
                size_t n)
{
    uint8_t iv[16];
    memcpy(iv, k->key_nonce, UG_UADP_KEY_NONCE_LEN);
    memcpy(iv + 4, nonce, UG_UADP_MESSAGE_NONCE_LEN);
    iv[12] = 0;
    iv[13] = 0;
    iv[14] = 0;
    iv[15] = 1;
    if (n > INT_MAX)
        return false;
    int outl = 0;
    return EVP_CipherInit_ex2(c->cctx, NULL, NULL, iv, 1, NULL) == 1 &&
           (n == 0 || EVP_CipherUpdate(c->cctx, buf, &outl, buf, (int)n) == 1) && (size_t)outl == n;
}

/* The header, decoded only for the security fields and the frame offsets.
 * PromotedFields need an arena; a small one on the stack keeps this path
 * free of heap allocation. */
enum { HDR_ARENA = 2048 };

static ug_status read_header(const uint8_t *msg, size_t len, uint16_t sig_len, ug_nm *nm,
                             ug_uadp_frame *f)
{
    uint8_t abuf[HDR_ARENA];
    ug_arena a;
    ug_arena_init(&a, abuf, sizeof abuf, false);
    ug_uadp_decode_opts o;
    memset(&o, 0, sizeof o);
    o.arena = &a;
    o.signature_len = sig_len;
    ug_status s = ug_uadp_decode_header(msg, len, nm, &o, f, NULL);
    nm->promoted = NULL; /* pointed into abuf */
    nm->n_promoted = 0;
    return s;
}

ug_status ug_uadp_set_nonce(uint8_t *msg, size_t len, const uint8_t *nonce, size_t nonce_len)
{
    if (!msg || (!nonce && nonce_len))
        return UG_STATUS_BADINVALIDARGUMENT;
    ug_nm nm;
    ug_uadp_frame f;
    ug_status s = read_header(msg, len, 0, &nm, &f);
    if (s != UG_STATUS_GOOD)
        return s;
    if (!nm.has_security || nm.security.nonce.len < 0 || (size_t)nm.security.nonce.len != nonce_len)
        return UG_STATUS_BADINVALIDARGUMENT;
    if (nonce_len) /* the decoded nonce is a view into msg */
        memcpy(msg + (size_t)(nm.security.nonce.data - msg), nonce, nonce_len);
    return UG_STATUS_GOOD;
}

static bool payload_ok(const ug_uadp_frame *f, size_t end)
{
    return f->payload_off <= f->payload_end && f->payload_end <= end;
}

ug_status ug_uadp_secure_frame(ug_uadp_crypto *c, uint8_t *msg, size_t len, size_t cap,
                               const ug_nm *nm, const ug_uadp_frame *f, const ug_uadp_keys *k,
                               size_t *out_len)
{
    if (!c || !msg || !nm || !f || !k || !out_len || cap < len)
        return UG_STATUS_BADINVALIDARGUMENT;
    *out_len = len;
    if (ug_uadp_encrypting_key_len(k->policy) == 0 || !nm->has_security)
        return UG_STATUS_BADINVALIDARGUMENT;
    const ug_security_header *sh = &nm->security;
    bool sign = sh->flags & UG_SEC_SIGNED;
    bool encrypt = sh->flags & UG_SEC_ENCRYPTED;
    /* Part 14 §7.2.4.4.1: encryption always comes with signing. */
    if (encrypt && !sign)
        return UG_STATUS_BADINVALIDARGUMENT;
    if (sh->nonce.len != UG_UADP_MESSAGE_NONCE_LEN || !sh->nonce.data)
        return UG_STATUS_BADINVALIDARGUMENT;
    if (f->signature_off != len || !payload_ok(f, len))
        return UG_STATUS_BADINVALIDARGUMENT; /* already carries a signature, or a foreign frame */
    if (sign && cap - len < UG_UADP_SIGNATURE_LEN)
        return UG_STATUS_BADENCODINGLIMITSEXCEEDED;

    if (encrypt) {
        uint8_t nonce[UG_UADP_MESSAGE_NONCE_LEN];
        memcpy(nonce, sh->nonce.data, sizeof nonce);
        if (!cipher_key(c, k) ||
            !ctr(c, k, nonce, msg + f->payload_off, f->payload_end - f->payload_off))
            return UG_STATUS_BADINTERNALERROR;
    }
    if (sign) {
        /* Part 14 §7.2.4.4.1: signed from byte 0 up to the signature, after encryption. */
        if (!mac_key(c, k) || !hmac(c, msg, len, msg + len))
            return UG_STATUS_BADINTERNALERROR;
        *out_len = len + UG_UADP_SIGNATURE_LEN;
    }
    return UG_STATUS_GOOD;
}

ug_status ug_uadp_secure(ug_uadp_crypto *c, uint8_t *msg, size_t len, size_t cap,
                         const ug_uadp_keys *k, size_t *out_len)
{
    if (!c || !msg || !k || !out_len || cap < len)
        return UG_STATUS_BADINVALIDARGUMENT;
    *out_len = len;
    ug_nm nm;
    ug_uadp_frame f;
    ug_status s = read_header(msg, len, 0, &nm, &f);
    if (s != UG_STATUS_GOOD)
        return s;
    return ug_uadp_secure_frame(c, msg, len, cap, &nm, &f, k, out_len);
}

ug_status ug_uadp_unsecure_frame(ug_uadp_crypto *c, uint8_t *msg, size_t len, const ug_nm *hdr,
                                 const ug_uadp_frame *f, const ug_uadp_keys *k, size_t *plain_len)
{
    if (!c || !msg || !hdr || !f || !k || !plain_len)
        return UG_STATUS_BADINVALIDARGUMENT;
    *plain_len = 0;
    if (ug_uadp_encrypting_key_len(k->policy) == 0 || !hdr->has_security)
        return UG_STATUS_BADSECURITYCHECKSFAILED;
    const ug_security_header *sh = &hdr->security;
    if (!(sh->flags & UG_SEC_SIGNED))
        return UG_STATUS_BADSECURITYCHECKSFAILED; /* both CTR modes sign */
    if (sh->nonce.len != UG_UADP_MESSAGE_NONCE_LEN || !sh->nonce.data)
        return UG_STATUS_BADSECURITYCHECKSFAILED;
    if (len < UG_UADP_SIGNATURE_LEN || f->signature_off != len - UG_UADP_SIGNATURE_LEN ||
        !payload_ok(f, f->signature_off))
        return UG_STATUS_BADSECURITYCHECKSFAILED;

    uint8_t mac[UG_UADP_SIGNATURE_LEN];
    if (!mac_key(c, k) || !hmac(c, msg, f->signature_off, mac))
        return UG_STATUS_BADINTERNALERROR;
    if (CRYPTO_memcmp(mac, msg + f->signature_off, UG_UADP_SIGNATURE_LEN) != 0)
        return UG_STATUS_BADSECURITYCHECKSFAILED;

    if (sh->flags & UG_SEC_ENCRYPTED) {
        uint8_t nonce[UG_UADP_MESSAGE_NONCE_LEN];
        memcpy(nonce, sh->nonce.data, sizeof nonce);
        if (!cipher_key(c, k) ||
            !ctr(c, k, nonce, msg + f->payload_off, f->payload_end - f->payload_off))
            return UG_STATUS_BADINTERNALERROR;
    }
    *plain_len = f->signature_off;
    return UG_STATUS_GOOD;
}

ug_status ug_uadp_unsecure(ug_uadp_crypto *c, uint8_t *msg, size_t len, const ug_uadp_keys *k,
                           size_t *plain_len)
{
    if (!c || !msg || !k || !plain_len)
        return UG_STATUS_BADINVALIDARGUMENT;
    *plain_len = 0;
    ug_nm nm;
    ug_uadp_frame f;
    ug_status s = read_header(msg, len, UG_UADP_SIGNATURE_LEN, &nm, &f);
    if (s == UG_STATUS_BADOUTOFMEMORY)
        return s;
    if (s != UG_STATUS_GOOD)
        return UG_STATUS_BADSECURITYCHECKSFAILED;
    return ug_uadp_unsecure_frame(c, msg, len, &nm, &f, k, plain_len);
}

ug_status ug_uadp_decode_plain(const void *msg, size_t len, ug_nm *out,
                               const ug_uadp_decode_opts *opts, size_t *err_offset)
{
    ug_uadp_decode_opts o;
    if (opts)
        o = *opts;
    else
        memset(&o, 0, sizeof o);
    o.signature_len = 0;
    ug_uadp_frame f;
    ug_status s = ug_uadp_decode_header(msg, len, out, &o, &f, err_offset);
    if (s != UG_STATUS_GOOD)
        return s;
    return ug_uadp_decode_payload(msg, len, &f, out, &o, err_offset);
}
