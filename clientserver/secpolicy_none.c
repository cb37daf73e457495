/* clientserver/secpolicy_none.c — SecurityPolicy None (Part 7,
 * http://opcfoundation.org/UA/SecurityPolicy#None): no certificates, no
 * signatures, no encryption, empty nonces. Every chunk is its plain text. */
#include <string.h>

#include "conn.h"
#include "secpolicy.h"

static ug_status none_ctx_new(void **ctx)
{
    *ctx = NULL;
    return UG_STATUS_GOOD;
}

static void none_ctx_free(void *ctx) { (void)ctx; }

static ug_bytes none_null_bytes(void *ctx)
{
    (void)ctx;
    return UG_NULL_BYTES;
}

/* Part 6 §6.7.2.3: with None the certificate and thumbprint are null; a peer
 * that sends them anyway is tolerated (they are ignored), as other stacks do. */
static ug_status none_accept_remote(void *ctx, ug_bytes certificate, ug_bytes thumbprint)
{
    (void)ctx;
    (void)certificate;
    (void)thumbprint;
    return UG_STATUS_GOOD;
}

static ug_status none_make_nonce(void *ctx, uint8_t *out, size_t len)
{
    (void)ctx;
    if (len)
        memset(out, 0, len);
    return UG_STATUS_GOOD;
}

static ug_status none_derive_keys(void *ctx, int key_slot, bool is_server, ug_bytes local_nonce,
                                  ug_bytes remote_nonce)
{
    (void)ctx;
    (void)key_slot;
    (void)is_server;
    (void)local_nonce;
    (void)remote_nonce;
    return UG_STATUS_GOOD;
}

static size_t none_max_body(void *ctx, bool asym, size_t chunk_size, size_t plain_off)
{
    (void)ctx;
    (void)asym;
    size_t hdr = plain_off + 8; /* sequence header */
    return chunk_size > hdr ? chunk_size - hdr : 0;
}

static ug_status none_seal(void *ctx, bool asym, int key_slot, uint8_t *buf, size_t plain_off,
                           size_t body_end, size_t cap, size_t *out_len)
{
    (void)ctx;
    (void)asym;
    (void)key_slot;
    (void)plain_off;
    if (body_end > cap || body_end > UINT32_MAX)
        return UG_STATUS_BADENCODINGLIMITSEXCEEDED;
    uint32_t size = (uint32_t)body_end;
    memcpy(buf + 4, &size, 4);
    *out_len = body_end;
    return UG_STATUS_GOOD;
}

static ug_status none_unseal(void *ctx, bool asym, int key_slot, uint8_t *buf, size_t plain_off,
                             size_t len, size_t *body_end)
{
    (void)ctx;
    (void)asym;
    (void)key_slot;
    (void)buf;
    if (len < plain_off + 8)
        return UG_STATUS_BADSECURITYCHECKSFAILED;
    *body_end = len;
    return UG_STATUS_GOOD;
}

const struct ug_secpolicy ug_secpolicy_none = {
    .uri = UG_SECPOLICY_NONE_URI,
    .nonce_len = 0,
    .none = true,
    .ctx_new = none_ctx_new,
    .ctx_free = none_ctx_free,
    .local_certificate = none_null_bytes,
    .remote_thumbprint = none_null_bytes,
    .accept_remote = none_accept_remote,
    .make_nonce = none_make_nonce,
    .derive_keys = none_derive_keys,
    .max_body = none_max_body,
    .seal = none_seal,
    .unseal = none_unseal,
};

static const struct ug_secpolicy *const policies[] = {&ug_secpolicy_none};

const struct ug_secpolicy *ug_secpolicy_find(ug_string uri)
{
    if (uri.len <= 0)
        return NULL;
    for (size_t i = 0; i < sizeof policies / sizeof policies[0]; i++) {
        size_t n = strlen(policies[i]->uri);
        if ((size_t)uri.len == n && memcmp(uri.data, policies[i]->uri, n) == 0)
            return policies[i];
    }
    return NULL;
}
