/* clientserver/password.c — user password hashes for the server's user list.
 *
 * Text form: "pbkdf2-sha256$ITERATIONS$SALT_B64$HASH_B64" (PBKDF2-HMAC-SHA256,
 * RFC 8018 §5.2, from libcrypto). Verification recomputes the hash and
 * compares with CRYPTO_memcmp so that the time taken does not depend on where
 * a guess differs. The cost is the iteration count per check (about 50 ms at
 * 100000 rounds on a small core): ActivateSession with a UserName token is
 * rare, and the cost is what makes a stolen hash expensive to attack.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "server_internal.h"

#define PREFIX "pbkdf2-sha256$"
#define SALT_LEN 16
#define HASH_LEN 32
#define MAX_HASH_LEN 64
#define MAX_ITERATIONS 10000000u

struct parsed {
    uint32_t iterations;
    uint8_t salt[64];
    size_t salt_len;
    uint8_t hash[MAX_HASH_LEN];
    size_t hash_len;
};

static ug_status parse(const char *text, struct parsed *p)
{
    size_t plen = strlen(PREFIX);
    if (!text || strncmp(text, PREFIX, plen) != 0)
        return UG_STATUS_BADINVALIDARGUMENT;
    const char *it = text + plen;
    char *end = NULL;
    if (*it < '1' || *it > '9')
        return UG_STATUS_BADINVALIDARGUMENT;
    unsigned long n = strtoul(it, &end, 10);
    if (*end != '$' || n == 0 || n > MAX_ITERATIONS)
        return UG_STATUS_BADINVALIDARGUMENT;
    p->iterations = (uint32_t)n;
    const char *salt = end + 1;
    const char *dollar = strchr(salt, '$');
    if (!dollar || dollar == salt)
        return UG_STATUS_BADINVALIDARGUMENT;
    if (ug_base64_decode(salt, (size_t)(dollar - salt), p->salt, sizeof p->salt, &p->salt_len) !=
        UG_STATUS_GOOD)
        return UG_STATUS_BADINVALIDARGUMENT;
    const char *hash = dollar + 1;
    size_t hlen = strlen(hash);
    if (hlen == 0 ||
        ug_base64_decode(hash, hlen, p->hash, sizeof p->hash, &p->hash_len) != UG_STATUS_GOOD ||
        p->hash_len < 16)
        return UG_STATUS_BADINVALIDARGUMENT;
    return UG_STATUS_GOOD;
}

bool ug_password_hash_valid(const char *hash)
{
    struct parsed p;
    return parse(hash, &p) == UG_STATUS_GOOD;
}

ug_status ug_server_hash_password(const char *password, uint32_t iterations, char *out,
                                  size_t cap)
{
    if (!password || !out)
        return UG_STATUS_BADINVALIDARGUMENT;
    if (iterations == 0)
        iterations = 100000;
    if (iterations > MAX_ITERATIONS)
        return UG_STATUS_BADINVALIDARGUMENT;
    uint8_t salt[SALT_LEN], hash[HASH_LEN];
    if (RAND_bytes(salt, sizeof salt) != 1)
        return UG_STATUS_BADINTERNALERROR;
    if (PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt, sizeof salt, (int)iterations,
                          EVP_sha256(), sizeof hash, hash) != 1)
        return UG_STATUS_BADINTERNALERROR;
    char s64[32], h64[48];
    size_t sl = ug_base64_encode(salt, sizeof salt, s64, sizeof s64 - 1);
    size_t hl = ug_base64_encode(hash, sizeof hash, h64, sizeof h64 - 1);
    s64[sl] = '\0';
    h64[hl] = '\0';
    int n = snprintf(out, cap, PREFIX "%u$%s$%s", (unsigned)iterations, s64, h64);
    OPENSSL_cleanse(hash, sizeof hash);
    if (n < 0 || (size_t)n >= cap) {
        if (cap)
            out[0] = '\0';
        return UG_STATUS_BADENCODINGLIMITSEXCEEDED;
    }
    return UG_STATUS_GOOD;
}

ug_status ug_server_check_password(const char *hash, const void *password, size_t len)
{
    struct parsed p;
    if (parse(hash, &p) != UG_STATUS_GOOD)
        return UG_STATUS_BADINVALIDARGUMENT;
    if (len > INT32_MAX)
        return UG_STATUS_BADUSERACCESSDENIED;
    uint8_t got[MAX_HASH_LEN];
    static const char empty[1] = {0};
    if (PKCS5_PBKDF2_HMAC(len ? (const char *)password : empty, (int)len, p.salt, (int)p.salt_len,
                          (int)p.iterations, EVP_sha256(), (int)p.hash_len, got) != 1)
        return UG_STATUS_BADINTERNALERROR;
    bool same = CRYPTO_memcmp(got, p.hash, p.hash_len) == 0;
    OPENSSL_cleanse(got, sizeof got);
    return same ? UG_STATUS_GOOD : UG_STATUS_BADUSERACCESSDENIED;
}
