/* Base64 (types/base64.c): RFC 4648 §10 vectors, bad input, short buffers. */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "uagate/types.h"

static const struct {
    const char *plain;
    const char *b64;
} rfc[] = {
    {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},         {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
};
#define N_RFC (sizeof rfc / sizeof rfc[0])

static void test_encode_rfc(void)
{
    for (size_t i = 0; i < N_RFC; i++) {
        char out[16];
        memset(out, '#', sizeof out);
        size_t n = ug_base64_encode((const uint8_t *)rfc[i].plain, strlen(rfc[i].plain), out,
                                    sizeof out);
        CU_ASSERT_EQUAL(n, strlen(rfc[i].b64));
        CU_ASSERT(memcmp(out, rfc[i].b64, n) == 0);
        CU_ASSERT_EQUAL(out[n], '#'); /* no NUL, nothing past the text */
    }
}

static void test_encode_short_buffer(void)
{
    /* Writes only what fits and still reports the full length. */
    for (size_t cap = 0; cap <= 8; cap++) {
        char out[9];
        memset(out, '#', sizeof out);
        size_t n = ug_base64_encode((const uint8_t *)"foobar", 6, out, cap);
        CU_ASSERT_EQUAL(n, 8);
        CU_ASSERT(memcmp(out, "Zm9vYmFy", cap) == 0);
        CU_ASSERT_EQUAL(out[cap], '#');
    }
    CU_ASSERT_EQUAL(ug_base64_encode((const uint8_t *)"fo", 2, NULL, 0), 4);
}

static void test_decode_rfc(void)
{
    for (size_t i = 0; i < N_RFC; i++) {
        size_t plen = strlen(rfc[i].plain), blen = strlen(rfc[i].b64);
        /* Padded, and with the padding stripped. */
        for (int strip = 0; strip < 2; strip++) {
            size_t len = blen;
            while (strip && len && rfc[i].b64[len - 1] == '=')
                len--;
            if (len == 0)
                continue; /* empty input: see test_decode_short_buffer */
            uint8_t *in = ug_test_guard(rfc[i].b64, len);
            CU_ASSERT_PTR_NOT_NULL_FATAL(in);
            uint8_t out[8];
            memset(out, 0xEE, sizeof out);
            size_t n = 99;
            CU_ASSERT_EQUAL(ug_base64_decode((const char *)in, len, out, sizeof out, &n),
                            UG_STATUS_GOOD);
            CU_ASSERT_EQUAL(n, plen);
            CU_ASSERT(memcmp(out, rfc[i].plain, plen) == 0);
            CU_ASSERT_EQUAL(out[plen], 0xEE);
            ug_test_guard_free(in);
        }
    }
}

static void test_decode_bad(void)
{
    static const struct {
        const char *s;
        size_t len; /* 0: strlen */
    } bad[] = {
        {"Z", 0},        /* one character of a quantum carries no byte */
        {"Zm9vY", 0},    /* same after a full quantum */
        {"Zg=", 0},      /* padding that does not complete the quantum */
        {"Zg===", 0},    /* three padding characters */
        {"=", 0},
        {"==", 0},
        {"====", 0},
        {"Zg==Zg==", 0}, /* padding in the middle */
        {"Zm=v", 0},
        {"Zm9v!A==", 0}, /* not in the alphabet */
        {"Zm 9v", 0},    /* whitespace */
        {"Zm9v\n", 0},
        {"Zm9v-_==", 0}, /* URL-safe alphabet */
        {"Zh==", 0},     /* non-zero unused bits */
        {"Zm9=", 0},
        {"Zh", 0},
        {"Zm\0v", 4},    /* embedded NUL */
        {"Zm9v\xC3\xA9", 0},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t len = bad[i].len ? bad[i].len : strlen(bad[i].s);
        uint8_t *in = ug_test_guard(bad[i].s, len);
        CU_ASSERT_PTR_NOT_NULL_FATAL(in);
        uint8_t out[16];
        size_t n = 0;
        ug_status st = ug_base64_decode((const char *)in, len, out, sizeof out, &n);
        if (st != UG_STATUS_BADDECODINGERROR)
            fprintf(stderr, "accepted bad base64 #%zu\n", i);
        CU_ASSERT_EQUAL(st, UG_STATUS_BADDECODINGERROR);
        ug_test_guard_free(in);
    }
}

static void test_decode_short_buffer(void)
{
    uint8_t out[6];
    memset(out, 0xEE, sizeof out);
    size_t n = 0;
    CU_ASSERT_EQUAL(ug_base64_decode("Zm9vYmFy", 8, out, 5, &n),
                    UG_STATUS_BADENCODINGLIMITSEXCEEDED);
    CU_ASSERT_EQUAL(n, 6);
    CU_ASSERT_EQUAL(out[0], 0xEE); /* nothing written on failure */
    /* Counting only: no buffer at all. */
    CU_ASSERT_EQUAL(ug_base64_decode("Zm9vYmE", 7, NULL, 0, &n),
                    UG_STATUS_BADENCODINGLIMITSEXCEEDED);
    CU_ASSERT_EQUAL(n, 5);
    CU_ASSERT_EQUAL(ug_base64_decode("", 0, NULL, 0, &n), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(n, 0);
}

/* Every length 0..64 and every byte value: encode then decode gives the input. */
static void test_round_trip(void)
{
    uint8_t src[64];
    for (size_t i = 0; i < sizeof src; i++)
        src[i] = (uint8_t)(i * 37 + 11);
    for (size_t len = 0; len <= sizeof src; len++) {
        char txt[100];
        size_t tl = ug_base64_encode(src, len, txt, sizeof txt);
        CU_ASSERT_EQUAL(tl, (len + 2) / 3 * 4);
        /* ug_test_guard_free cannot free a zero-length guard: decode "" in place. */
        uint8_t *in = tl ? ug_test_guard(txt, tl) : (uint8_t *)txt;
        uint8_t back[64];
        size_t n = 0;
        CU_ASSERT_EQUAL(ug_base64_decode((const char *)in, tl, back, sizeof back, &n),
                        UG_STATUS_GOOD);
        CU_ASSERT_EQUAL(n, len);
        CU_ASSERT(memcmp(back, src, len) == 0);
        if (tl)
            ug_test_guard_free(in);
    }
    uint8_t all[256], back[256];
    char txt[344];
    for (int i = 0; i < 256; i++)
        all[i] = (uint8_t)i;
    size_t tl = ug_base64_encode(all, sizeof all, txt, sizeof txt);
    CU_ASSERT_EQUAL(tl, sizeof txt);
    size_t n = 0;
    CU_ASSERT_EQUAL(ug_base64_decode(txt, tl, back, sizeof back, &n), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(n, 256);
    CU_ASSERT(memcmp(all, back, 256) == 0);
}

static CU_TestInfo tests[] = {
    {"encode RFC 4648 vectors", test_encode_rfc},
    {"encode into a short buffer", test_encode_short_buffer},
    {"decode RFC 4648 vectors, padded and not", test_decode_rfc},
    {"decode rejects bad input", test_decode_bad},
    {"decode into a short buffer", test_decode_short_buffer},
    {"round trip of every length", test_round_trip},
    CU_TEST_INFO_NULL,
};

int main(void) { return ug_test_main("base64", tests); }
