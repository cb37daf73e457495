/* UADP message security (uadp/security.c): the open62541 vectors both ways,
 * tampering, wrong keys, truncation, nonce length, both policies, and the
 * reuse of the OpenSSL contexts across keys. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "harness.h"
#include "uagate/uadp.h"
#include "uagate/uadp_ext.h"

/* ---- vector files ---- */

typedef struct vec {
    uint8_t *wire;
    size_t wire_len;
    char *json;
    ug_uadp_keys keys;
    uint8_t plain[256];
    size_t plain_len;
    uint8_t ctr_block[16];
    uint8_t nonce[8];
    size_t enc_start, enc_end; /* 0,0 when not encrypted */
    size_t sig_end;
} vec;

static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
    size_t n = 0;
    while (s[0] && s[1] && s[0] != '"' && n < cap) {
        unsigned v;
        if (sscanf(s, "%2x", &v) != 1)
            break;
        out[n++] = (uint8_t)v;
        s += 2;
    }
    return n;
}

/* The value of "key": "hex..." in the vector's expect.json. */
static size_t json_hex(const char *json, const char *key, uint8_t *out, size_t cap)
{
    char pat[96];
    snprintf(pat, sizeof pat, "\"%s\": \"", key);
    const char *p = strstr(json, pat);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    return unhex(p + strlen(pat), out, cap);
}

static bool json_range(const char *json, const char *key, size_t *a, size_t *b)
{
    char pat[96];
    snprintf(pat, sizeof pat, "\"%s\": [", key);
    const char *p = strstr(json, pat);
    if (!p)
        return false;
    unsigned long x, y;
    if (sscanf(p + strlen(pat), "%lu, %lu", &x, &y) != 2)
        return false;
    *a = x;
    *b = y;
    return true;
}

static void vec_load(vec *v, const char *name)
{
    memset(v, 0, sizeof *v);
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/vectors/open62541/%s.uadp", ug_test_srcdir(), name);
    v->wire = ug_test_read_file(path, &v->wire_len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v->wire);
    snprintf(path, sizeof path, "%s/tests/vectors/open62541/%s.expect.json", ug_test_srcdir(),
             name);
    size_t jl;
    uint8_t *j = ug_test_read_file(path, &jl);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    v->json = realloc(j, jl + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v->json);
    v->json[jl] = 0;
    CU_ASSERT_FATAL(strstr(v->json, "PubSub-Aes128-CTR") != NULL);
    v->keys.policy = UG_UADP_POLICY_AES128_CTR;
    CU_ASSERT_EQUAL(json_hex(v->json, "signing_key_hex", v->keys.signing_key, 32), 32);
    size_t ek = json_hex(v->json, "encrypting_key_hex", v->keys.encrypting_key, 32);
    CU_ASSERT(ek == 0 || ek == 16);
    CU_ASSERT_EQUAL(json_hex(v->json, "key_nonce_hex", v->keys.key_nonce, 4), 4);
    CU_ASSERT_EQUAL(json_hex(v->json, "message_nonce_hex", v->nonce, 8), 8);
    CU_ASSERT_EQUAL(json_hex(v->json, "aes_ctr_initial_counter_block_hex", v->ctr_block, 16), 16);
    v->plain_len = json_hex(v->json, "plaintext_message_hex", v->plain, sizeof v->plain);
    size_t a, b;
    CU_ASSERT_FATAL(json_range(v->json, "signed_range", &a, &v->sig_end));
    CU_ASSERT_EQUAL(a, 0);
    if (json_range(v->json, "encrypted_range", &a, &b)) {
        v->enc_start = a;
        v->enc_end = b;
    }
    CU_ASSERT_EQUAL(v->plain_len, v->sig_end);
    CU_ASSERT_EQUAL(v->wire_len, v->sig_end + UG_UADP_SIGNATURE_LEN);
}

static void vec_free(vec *v)
{
    free(v->wire);
    free(v->json);
}

static const char *const vectors[] = {"sec_sign_aes128ctr", "sec_signencrypt_aes128ctr"};
#define N_VECTORS (sizeof vectors / sizeof vectors[0])

static ug_uadp_crypto *crypto(void)
{
    ug_uadp_crypto *c = NULL;
    CU_ASSERT_EQUAL_FATAL(ug_uadp_crypto_new(&c), UG_STATUS_GOOD);
    return c;
}

/* The decoded plaintext carries the vectors' DataSetMessage 62541: Int32 42,
 * Double 3.5, String "secret". */
static void check_plain_decodes(const uint8_t *msg, size_t len)
{
    uint8_t abuf[4096];
    ug_arena a;
    ug_arena_init(&a, abuf, sizeof abuf, false);
    ug_uadp_decode_opts o = {.arena = &a};
    ug_nm nm;
    CU_ASSERT_EQUAL_FATAL(ug_uadp_decode_plain(msg, len, &nm, &o, NULL), UG_STATUS_GOOD);
    CU_ASSERT_TRUE(nm.has_security);
    CU_ASSERT_EQUAL(nm.security.token_id, 7);
    CU_ASSERT_EQUAL_FATAL(nm.n_dsm, 1);
    CU_ASSERT_EQUAL(nm.dsm[0].writer_id, 62541);
    CU_ASSERT_EQUAL_FATAL(nm.dsm[0].field_count, 3);
    CU_ASSERT_EQUAL(nm.dsm[0].fields[0].dv.value.u.v.int32, 42);
    CU_ASSERT_EQUAL(nm.dsm[0].fields[1].dv.value.u.v.f64, 3.5);
    ug_string s = nm.dsm[0].fields[2].dv.value.u.v.string;
    CU_ASSERT(s.len == 6 && memcmp(s.data, "secret", 6) == 0);
}

static void test_vectors_unsecure(void)
{
    ug_uadp_crypto *c = crypto();
    for (size_t i = 0; i < N_VECTORS; i++) {
        vec v;
        vec_load(&v, vectors[i]);
        uint8_t *m = ug_test_guard(v.wire, v.wire_len);
        size_t plain_len = 0;
        CU_ASSERT_EQUAL(ug_uadp_unsecure(c, m, v.wire_len, &v.keys, &plain_len), UG_STATUS_GOOD);
        CU_ASSERT_EQUAL(plain_len, v.plain_len);
        CU_ASSERT(memcmp(m, v.plain, v.plain_len) == 0);
        check_plain_decodes(m, plain_len);
        ug_test_guard_free(m);
        vec_free(&v);
    }
    ug_uadp_crypto_free(c);
}

static void test_vectors_secure(void)
{
    ug_uadp_crypto *c = crypto();
    for (size_t i = 0; i < N_VECTORS; i++) {
        vec v;
        vec_load(&v, vectors[i]);
        uint8_t buf[256];
        memcpy(buf, v.plain, v.plain_len);
        size_t out = 0;
        CU_ASSERT_EQUAL(ug_uadp_secure(c, buf, v.plain_len, sizeof buf, &v.keys, &out),
                        UG_STATUS_GOOD);
        CU_ASSERT_EQUAL(out, v.wire_len);
        CU_ASSERT(memcmp(buf, v.wire, v.wire_len) == 0);

        /* Exactly room for the signature: fine; one byte less: refused, untouched. */
        memcpy(buf, v.plain, v.plain_len);
        CU_ASSERT_EQUAL(ug_uadp_secure(c, buf, v.plain_len, v.plain_len + 32, &v.keys, &out),
                        UG_STATUS_GOOD);
        memcpy(buf, v.plain, v.plain_len);
        CU_ASSERT_EQUAL(ug_uadp_secure(c, buf, v.plain_len, v.plain_len + 31, &v.keys, &out),
                        UG_STATUS_BADENCODINGLIMITSEXCEEDED);
        CU_ASSERT(memcmp(buf, v.plain, v.plain_len) == 0);
        vec_free(&v);
    }
    ug_uadp_crypto_free(c);
}

/* The vector's counter block is KeyNonce | MessageNonce | 00000001 (Part 14
 * Table 157), and raw AES-128-CTR from it turns the plaintext payload into
 * the wire bytes: a check of the spec reading, independent of security.c. */
static void test_vector_counter_block(void)
{
    vec v;
    vec_load(&v, "sec_signencrypt_aes128ctr");
    uint8_t expect[16];
    memcpy(expect, v.keys.key_nonce, 4);
    memcpy(expect + 4, v.nonce, 8);
    memcpy(expect + 12, "\x00\x00\x00\x01", 4);
    CU_ASSERT(memcmp(expect, v.ctr_block, 16) == 0);
    CU_ASSERT_FATAL(v.enc_end > v.enc_start && v.enc_end <= v.plain_len);
    uint8_t out[256];
    int n = 0;
    EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
    CU_ASSERT_FATAL(
        EVP_EncryptInit_ex(x, EVP_aes_128_ctr(), NULL, v.keys.encrypting_key, v.ctr_block) == 1);
    CU_ASSERT_FATAL(
        EVP_EncryptUpdate(x, out, &n, v.plain + v.enc_start, (int)(v.enc_end - v.enc_start)) == 1);
    EVP_CIPHER_CTX_free(x);
    CU_ASSERT(memcmp(out, v.wire + v.enc_start, (size_t)n) == 0);
    /* Outside the encrypted range the wire and the plaintext agree. */
    CU_ASSERT(memcmp(v.wire, v.plain, v.enc_start) == 0);
    vec_free(&v);
}

static void test_bit_flips(void)
{
    ug_uadp_crypto *c = crypto();
    for (size_t i = 0; i < N_VECTORS; i++) {
        vec v;
        vec_load(&v, vectors[i]);
        uint8_t *m = ug_test_guard(v.wire, v.wire_len);
        for (size_t bit = 0; bit < v.wire_len * 8; bit++) {
            memcpy(m, v.wire, v.wire_len);
            m[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            uint8_t before[256];
            memcpy(before, m, v.wire_len);
            size_t pl = 1;
            ug_status s = ug_uadp_unsecure(c, m, v.wire_len, &v.keys, &pl);
            if (s != UG_STATUS_BADSECURITYCHECKSFAILED)
                fprintf(stderr, "%s: bit %zu -> 0x%08X\n", vectors[i], bit, s);
            CU_ASSERT_EQUAL(s, UG_STATUS_BADSECURITYCHECKSFAILED);
            CU_ASSERT_EQUAL(pl, 0);
            CU_ASSERT(memcmp(m, before, v.wire_len) == 0); /* untouched on failure */
        }
        ug_test_guard_free(m);
        vec_free(&v);
    }
    ug_uadp_crypto_free(c);
}

static void test_wrong_keys(void)
{
    ug_uadp_crypto *c = crypto();
    for (size_t i = 0; i < N_VECTORS; i++) {
        vec v;
        vec_load(&v, vectors[i]);
        uint8_t m[256];
        size_t pl;
        ug_uadp_keys k = v.keys;
        k.signing_key[31] ^= 0x80;
        memcpy(m, v.wire, v.wire_len);
        CU_ASSERT_EQUAL(ug_uadp_unsecure(c, m, v.wire_len, &k, &pl),
                        UG_STATUS_BADSECURITYCHECKSFAILED);
        k = v.keys;
        k.policy = 0;
        CU_ASSERT_EQUAL(ug_uadp_unsecure(c, m, v.wire_len, &k, &pl),
                        UG_STATUS_BADSECURITYCHECKSFAILED);
        k.policy = 9;
        CU_ASSERT_EQUAL(ug_uadp_secure(c, m, v.plain_len, sizeof m, &k, &pl),
                        UG_STATUS_BADINVALIDARGUMENT);
        CU_ASSERT(memcmp(m, v.wire, v.wire_len) == 0);
        /* The right keys still work after the failures (cached key state). */
        CU_ASSERT_EQUAL(ug_uadp_unsecure(c, m, v.wire_len, &v.keys, &pl), UG_STATUS_GOOD);
        CU_ASSERT(memcmp(m, v.plain, v.plain_len) == 0);
        if (v.enc_end) {
            /* A wrong EncryptingKey passes the signature but garbles the payload. */
            k = v.keys;
            k.encrypting_key[0] ^= 1;
            memcpy(m, v.wire, v.wire_len);
            CU_ASSERT_EQUAL(ug_uadp_unsecure(c, m, v.wire_len, &k, &pl), UG_STATUS_GOOD);
            CU_ASSERT(memcmp(m + v.enc_start, v.plain + v.enc_start, v.enc_end - v.enc_start) != 0);
        }
        vec_free(&v);
    }
    ug_uadp_crypto_free(c);
}

static void test_truncated(void)
{
    ug_uadp_crypto *c = crypto();
    for (size_t i = 0; i < N_VECTORS; i++) {
        vec v;
        vec_load(&v, vectors[i]);
        /* From 1: ug_test_guard_free cannot free a 0-byte guard (harness.c). */
        size_t pl0;
        uint8_t empty[1];
        CU_ASSERT_EQUAL(ug_uadp_unsecure(c, empty, 0, &v.keys, &pl0),
                        UG_STATUS_BADSECURITYCHECKSFAILED);
        for (size_t len = 1; len < v.wire_len; len++) {
            uint8_t *m = ug_test_guard(v.wire, len); /* any over-read crashes */
            size_t pl;
            CU_ASSERT_EQUAL(ug_uadp_unsecure(c, m, len, &v.keys, &pl),
                            UG_STATUS_BADSECURITYCHECKSFAILED);
            ug_test_guard_free(m);
        }
        /* Secure of a cut plaintext: the header still decodes for most
         * lengths; it must never read or write past len/cap. */
        for (size_t len = 1; len < v.plain_len; len++) {
            uint8_t *m = ug_test_guard(v.plain, len);
            size_t out;
            ug_status s = ug_uadp_secure(c, m, len, len, &v.keys, &out);
            CU_ASSERT(s != UG_STATUS_GOOD);
            ug_test_guard_free(m);
        }
        vec_free(&v);
    }
    ug_uadp_crypto_free(c);
}

/* ---- messages built here ---- */

static ug_dsm_field fields3[3];

static void build(ug_nm *nm, ug_dsm *dsm, uint8_t flags, const uint8_t *nonce, int32_t nonce_len,
                  uint16_t footer_size)
{
    ug_nm_init(nm);
    nm->publisher_id.type = UG_PUBID_UINT32;
    nm->publisher_id.u64 = 77;
    nm->has_group_header = true;
    nm->group.has_writer_group_id = true;
    nm->group.writer_group_id = 5;
    nm->has_payload_header = true;
    nm->has_security = true;
    nm->security.flags = flags;
    nm->security.token_id = 3;
    nm->security.nonce = (ug_bytes){nonce, nonce_len};
    if (footer_size) {
        nm->security.flags |= UG_SEC_FOOTER;
        nm->security.footer_size = footer_size;
    }
    ug_dsm_init(dsm);
    dsm->writer_id = 9;
    memset(fields3, 0, sizeof fields3);
    for (int i = 0; i < 3; i++) {
        fields3[i].dv.mask = UG_DV_VALUE;
        fields3[i].dv.value = ug_variant_scalar(UG_TYPE_UINT32);
        fields3[i].dv.value.u.v.uint32 = 0x01020304u * (uint32_t)(i + 1);
    }
    dsm->field_count = 3;
    dsm->fields = fields3;
    nm->n_dsm = 1;
    nm->dsm = dsm;
}

static void random_keys(ug_uadp_keys *k, uint8_t policy, unsigned seed)
{
    srand(seed);
    k->policy = policy;
    for (size_t i = 0; i < sizeof k->signing_key; i++)
        k->signing_key[i] = (uint8_t)rand();
    memset(k->encrypting_key, 0, sizeof k->encrypting_key);
    for (size_t i = 0; i < ug_uadp_encrypting_key_len(policy); i++)
        k->encrypting_key[i] = (uint8_t)rand();
    for (size_t i = 0; i < sizeof k->key_nonce; i++)
        k->key_nonce[i] = (uint8_t)rand();
}

static void test_roundtrip_policies(void)
{
    static const uint8_t nonce[8] = {1, 2, 3, 4, 0, 0, 0, 9};
    static const uint8_t policies[] = {UG_UADP_POLICY_AES128_CTR, UG_UADP_POLICY_AES256_CTR};
    static const uint8_t modes[] = {UG_SEC_SIGNED, UG_SEC_SIGNED | UG_SEC_ENCRYPTED};
    static const uint16_t footers[] = {0, 5};
    ug_uadp_crypto *c = crypto();
    for (size_t p = 0; p < 2; p++)
        for (size_t mo = 0; mo < 2; mo++)
            for (size_t fo = 0; fo < 2; fo++) {
                ug_nm nm;
                ug_dsm dsm;
                build(&nm, &dsm, modes[mo], nonce, 8, footers[fo]);
                uint8_t plain[512], buf[512];
                size_t len = 0, out = 0, pl = 0;
                ug_uadp_frame f;
                CU_ASSERT_EQUAL_FATAL(ug_uadp_encode_frame(&nm, plain, sizeof plain, &len, &f),
                                      UG_STATUS_GOOD);
                ug_uadp_keys k;
                random_keys(&k, policies[p], (unsigned)(p * 4 + mo * 2 + fo));
                memcpy(buf, plain, len);
                CU_ASSERT_EQUAL(ug_uadp_secure(c, buf, len, sizeof buf, &k, &out), UG_STATUS_GOOD);
                CU_ASSERT_EQUAL(out, len + 32);
                bool enc = modes[mo] & UG_SEC_ENCRYPTED;
                size_t plen = f.payload_end - f.payload_off;
                CU_ASSERT_EQUAL(memcmp(buf + f.payload_off, plain + f.payload_off, plen) != 0, enc);
                CU_ASSERT(memcmp(buf, plain, f.payload_off) == 0); /* header in clear */
                CU_ASSERT(memcmp(buf + f.payload_end, plain + f.payload_end, len - f.payload_end) ==
                          0);

                /* The _frame variant gives the same bytes. */
                uint8_t buf2[512];
                size_t out2 = 0;
                memcpy(buf2, plain, len);
                CU_ASSERT_EQUAL(ug_uadp_secure_frame(c, buf2, len, sizeof buf2, &nm, &f, &k, &out2),
                                UG_STATUS_GOOD);
                CU_ASSERT(out2 == out && memcmp(buf, buf2, out) == 0);

                uint8_t *m = ug_test_guard(buf, out);
                CU_ASSERT_EQUAL(ug_uadp_unsecure(c, m, out, &k, &pl), UG_STATUS_GOOD);
                CU_ASSERT_EQUAL(pl, len);
                CU_ASSERT(memcmp(m, plain, len) == 0);
                ug_test_guard_free(m);

                /* Key data blob round trip. */
                uint8_t blob[68];
                size_t ek = ug_uadp_encrypting_key_len(k.policy);
                memcpy(blob, k.signing_key, 32);
                memcpy(blob + 32, k.encrypting_key, ek);
                memcpy(blob + 32 + ek, k.key_nonce, 4);
                ug_uadp_keys k2;
                CU_ASSERT_EQUAL(ug_uadp_keys_from_blob(&k2, k.policy, blob, 36 + ek),
                                UG_STATUS_GOOD);
                CU_ASSERT(memcmp(&k, &k2, sizeof k) == 0);
                CU_ASSERT_EQUAL(ug_uadp_keys_from_blob(&k2, k.policy, blob, 35 + ek),
                                UG_STATUS_BADINVALIDARGUMENT);
            }
    ug_uadp_crypto_free(c);
}

/* Alternating keys on one ug_uadp_crypto gives what fresh objects give. */
static void test_context_reuse(void)
{
    static const uint8_t nonce[8] = {9, 9, 9, 9, 0, 0, 0, 1};
    ug_nm nm;
    ug_dsm dsm;
    build(&nm, &dsm, UG_SEC_SIGNED | UG_SEC_ENCRYPTED, nonce, 8, 0);
    uint8_t plain[256];
    size_t len = 0;
    CU_ASSERT_EQUAL_FATAL(ug_uadp_encode(&nm, plain, sizeof plain, &len), UG_STATUS_GOOD);
    ug_uadp_keys keys[3];
    random_keys(&keys[0], UG_UADP_POLICY_AES128_CTR, 100);
    random_keys(&keys[1], UG_UADP_POLICY_AES256_CTR, 101);
    keys[2] = keys[0];
    keys[2].policy = UG_UADP_POLICY_AES256_CTR; /* same bytes, other cipher */
    uint8_t ref[3][300];
    for (int i = 0; i < 3; i++) {
        ug_uadp_crypto *f = crypto();
        size_t out;
        memcpy(ref[i], plain, len);
        CU_ASSERT_EQUAL(ug_uadp_secure(f, ref[i], len, sizeof ref[i], &keys[i], &out),
                        UG_STATUS_GOOD);
        ug_uadp_crypto_free(f);
    }
    CU_ASSERT(memcmp(ref[0], ref[2], len) != 0);
    ug_uadp_crypto *c = crypto();
    static const int seq[] = {0, 1, 0, 2, 2, 1, 0, 2};
    for (size_t i = 0; i < sizeof seq / sizeof seq[0]; i++) {
        uint8_t b[300];
        size_t out, pl;
        memcpy(b, plain, len);
        CU_ASSERT_EQUAL(ug_uadp_secure(c, b, len, sizeof b, &keys[seq[i]], &out), UG_STATUS_GOOD);
        CU_ASSERT(memcmp(b, ref[seq[i]], out) == 0);
        /* Verify with the next entry's keys: keys[0] and [2] share the SigningKey. */
        const ug_uadp_keys *vk = &keys[seq[(i + 1) % 8]];
        bool same_sign = memcmp(vk->signing_key, keys[seq[i]].signing_key, 32) == 0;
        CU_ASSERT_EQUAL(ug_uadp_unsecure(c, b, out, vk, &pl),
                        same_sign ? UG_STATUS_GOOD : UG_STATUS_BADSECURITYCHECKSFAILED);
        if (same_sign) /* decrypted back to the plaintext only with the same cipher */
            CU_ASSERT_EQUAL(memcmp(b, plain, len) == 0, vk->policy == keys[seq[i]].policy);
    }
    ug_uadp_crypto_free(c);
}

static void test_bad_modes_and_nonces(void)
{
    static const uint8_t nonce[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    ug_uadp_crypto *c = crypto();
    ug_uadp_keys k;
    random_keys(&k, UG_UADP_POLICY_AES128_CTR, 7);
    ug_nm nm;
    ug_dsm dsm;
    uint8_t buf[512];
    size_t len, out, pl;

    /* NonceLength other than 8: refused both ways (also when signed correctly). */
    static const int32_t lens[] = {0, 4, 7, 9, 16};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        build(&nm, &dsm, UG_SEC_SIGNED, nonce, lens[i], 0);
        CU_ASSERT_EQUAL_FATAL(ug_uadp_encode(&nm, buf, sizeof buf, &len), UG_STATUS_GOOD);
        CU_ASSERT_EQUAL(ug_uadp_secure(c, buf, len, sizeof buf, &k, &out),
                        UG_STATUS_BADINVALIDARGUMENT);
        /* Sign it by hand so only the nonce length is wrong. */
        size_t mlen = 0;
        unsigned char *mac = EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, k.signing_key, 32, buf,
                                       len, buf + len, 32, &mlen);
        CU_ASSERT_PTR_NOT_NULL(mac);
        CU_ASSERT_EQUAL(ug_uadp_unsecure(c, buf, len + 32, &k, &pl),
                        UG_STATUS_BADSECURITYCHECKSFAILED);
        CU_ASSERT_EQUAL(ug_uadp_set_nonce(buf, len, nonce, 8),
                        lens[i] == 8 ? UG_STATUS_GOOD : UG_STATUS_BADINVALIDARGUMENT);
    }

    /* Encrypted without Signed: not a mode (Part 14 §7.2.4.4.1). */
    build(&nm, &dsm, UG_SEC_ENCRYPTED, nonce, 8, 0);
    CU_ASSERT_EQUAL_FATAL(ug_uadp_encode(&nm, buf, sizeof buf, &len), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_uadp_secure(c, buf, len, sizeof buf, &k, &out),
                    UG_STATUS_BADINVALIDARGUMENT);
    memset(buf + len, 0, 32);
    CU_ASSERT_EQUAL(ug_uadp_unsecure(c, buf, len + 32, &k, &pl), UG_STATUS_BADSECURITYCHECKSFAILED);

    /* No SecurityHeader at all. */
    build(&nm, &dsm, UG_SEC_SIGNED, nonce, 8, 0);
    nm.has_security = false;
    CU_ASSERT_EQUAL_FATAL(ug_uadp_encode(&nm, buf, sizeof buf, &len), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_uadp_secure(c, buf, len, sizeof buf, &k, &out),
                    UG_STATUS_BADINVALIDARGUMENT);
    memset(buf + len, 0, 32);
    CU_ASSERT_EQUAL(ug_uadp_unsecure(c, buf, len + 32, &k, &pl), UG_STATUS_BADSECURITYCHECKSFAILED);

    /* The open62541 bad vector: NonceLength 255 with 2 bytes left. */
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/vectors/open62541/bad_nonce_length.bad.uadp",
             ug_test_srcdir());
    size_t bl;
    uint8_t *bad = ug_test_read_file(path, &bl);
    CU_ASSERT_PTR_NOT_NULL_FATAL(bad);
    uint8_t *g = ug_test_guard(bad, bl);
    CU_ASSERT_EQUAL(ug_uadp_unsecure(c, g, bl, &k, &pl), UG_STATUS_BADSECURITYCHECKSFAILED);
    ug_test_guard_free(g);
    free(bad);

    /* A message that already carries a signature is not signed twice. */
    build(&nm, &dsm, UG_SEC_SIGNED, nonce, 8, 0);
    static const uint8_t fake_sig[32];
    nm.security.signature = (ug_bytes){fake_sig, 32};
    ug_uadp_frame f;
    CU_ASSERT_EQUAL_FATAL(ug_uadp_encode_frame(&nm, buf, sizeof buf, &len, &f), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_uadp_secure_frame(c, buf, len, sizeof buf, &nm, &f, &k, &out),
                    UG_STATUS_BADINVALIDARGUMENT);
    ug_uadp_crypto_free(c);
}

static void test_set_nonce_and_uris(void)
{
    static const uint8_t n0[8] = {0};
    static const uint8_t n1[8] = {0xAA, 0xBB, 0xCC, 0xDD, 1, 0, 0, 0};
    ug_nm nm;
    ug_dsm dsm;
    build(&nm, &dsm, UG_SEC_SIGNED | UG_SEC_ENCRYPTED, n0, 8, 0);
    uint8_t a[256], b[256];
    size_t la, lb;
    CU_ASSERT_EQUAL_FATAL(ug_uadp_encode(&nm, a, sizeof a, &la), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_uadp_set_nonce(a, la, n1, 8), UG_STATUS_GOOD);
    nm.security.nonce = (ug_bytes){n1, 8};
    CU_ASSERT_EQUAL_FATAL(ug_uadp_encode(&nm, b, sizeof b, &lb), UG_STATUS_GOOD);
    CU_ASSERT(la == lb && memcmp(a, b, la) == 0);

    uint8_t p = 0;
    const char *u128 = "http://opcfoundation.org/UA/SecurityPolicy#PubSub-Aes128-CTR";
    const char *u256 = "http://opcfoundation.org/UA/SecurityPolicy#PubSub-Aes256-CTR";
    CU_ASSERT_TRUE(ug_uadp_policy_from_uri(u128, strlen(u128), &p));
    CU_ASSERT_EQUAL(p, UG_UADP_POLICY_AES128_CTR);
    CU_ASSERT_TRUE(ug_uadp_policy_from_uri(u256, strlen(u256), &p));
    CU_ASSERT_EQUAL(p, UG_UADP_POLICY_AES256_CTR);
    CU_ASSERT_FALSE(ug_uadp_policy_from_uri(u256, strlen(u256) - 1, &p));
    CU_ASSERT_EQUAL(ug_uadp_encrypting_key_len(UG_UADP_POLICY_AES128_CTR), 16);
    CU_ASSERT_EQUAL(ug_uadp_encrypting_key_len(UG_UADP_POLICY_AES256_CTR), 32);
    CU_ASSERT_EQUAL(ug_uadp_encrypting_key_len(0), 0);
    ug_uadp_keys k;
    CU_ASSERT_EQUAL(ug_uadp_keys_from_blob(&k, 0, a, 52), UG_STATUS_BADSECURITYPOLICYREJECTED);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"open62541 vectors: unsecure", test_vectors_unsecure},
        {"open62541 vectors: secure", test_vectors_secure},
        {"open62541 vector: counter block", test_vector_counter_block},
        {"every flipped bit fails", test_bit_flips},
        {"wrong keys", test_wrong_keys},
        {"truncated messages", test_truncated},
        {"both policies, both modes, footer", test_roundtrip_policies},
        {"context reuse across keys", test_context_reuse},
        {"bad modes and nonce lengths", test_bad_modes_and_nonces},
        {"set_nonce, policy URIs", test_set_nonce_and_uris},
        CU_TEST_INFO_NULL,
    };
    return ug_test_main("uadp/security", tests);
}
