/* Base64, RFC 4648 §4 (the standard alphabet, with '=' padding).
 *
 * Used by the NodeId text form ("b=") and by the JSON encoding of ByteStrings
 * (Part 6 §5.4.2.8). Decoding is strict: no whitespace, no line breaks, no
 * characters from the URL-safe alphabet, and the unused bits of the last
 * group must be zero (RFC 4648 §3.5 lets a decoder insist on that), so each
 * byte string has exactly one accepted text form.
 */
#include <string.h>

#include "uagate/types.h"

static const char alphabet[64] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* 6-bit value of a Base64 character, or -1. */
static int sextet(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

static void put(char *out, size_t cap, size_t at, char c)
{
    if (at < cap)
        out[at] = c;
}

size_t ug_base64_encode(const uint8_t *src, size_t len, char *out, size_t cap)
{
    if (!out)
        cap = 0;
    size_t o = 0;
    size_t i = 0;
    for (; len - i >= 3; i += 3) {
        uint32_t v = (uint32_t)src[i] << 16 | (uint32_t)src[i + 1] << 8 | src[i + 2];
        put(out, cap, o++, alphabet[v >> 18]);
        put(out, cap, o++, alphabet[(v >> 12) & 63]);
        put(out, cap, o++, alphabet[(v >> 6) & 63]);
        put(out, cap, o++, alphabet[v & 63]);
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)src[i] << 16;
        put(out, cap, o++, alphabet[v >> 18]);
        put(out, cap, o++, alphabet[(v >> 12) & 63]);
        put(out, cap, o++, '=');
        put(out, cap, o++, '=');
    } else if (len - i == 2) {
        uint32_t v = (uint32_t)src[i] << 16 | (uint32_t)src[i + 1] << 8;
        put(out, cap, o++, alphabet[v >> 18]);
        put(out, cap, o++, alphabet[(v >> 12) & 63]);
        put(out, cap, o++, alphabet[(v >> 6) & 63]);
        put(out, cap, o++, '=');
    }
    return o;
}

ug_status ug_base64_decode(const char *src, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
    const unsigned char *s = (const unsigned char *)src;
    if (out_len)
        *out_len = 0;
    if (!out)
        cap = 0;

    /* Padding is optional, but when present it completes the last quantum. */
    size_t pad = 0;
    while (pad < 2 && len > pad && s[len - 1 - pad] == '=')
        pad++;
    size_t data = len - pad;
    if (pad && len % 4 != 0)
        return UG_STATUS_BADDECODINGERROR;
    if (data % 4 == 1)
        return UG_STATUS_BADDECODINGERROR;
    for (size_t i = 0; i < data; i++)
        if (sextet(s[i]) < 0)
            return UG_STATUS_BADDECODINGERROR; /* also a third '=' or one in the middle */

    size_t need = data / 4 * 3 + (data % 4 ? data % 4 - 1 : 0);
    /* The unused low bits of a partial last quantum must be zero. */
    if (data % 4 == 2 && (sextet(s[data - 1]) & 0x0F))
        return UG_STATUS_BADDECODINGERROR;
    if (data % 4 == 3 && (sextet(s[data - 1]) & 0x03))
        return UG_STATUS_BADDECODINGERROR;
    if (out_len)
        *out_len = need;
    if (need > cap)
        return UG_STATUS_BADENCODINGLIMITSEXCEEDED;

    size_t o = 0, i = 0;
    for (; data - i >= 4; i += 4) {
        uint32_t v = (uint32_t)sextet(s[i]) << 18 | (uint32_t)sextet(s[i + 1]) << 12 |
                     (uint32_t)sextet(s[i + 2]) << 6 | (uint32_t)sextet(s[i + 3]);
        out[o++] = (uint8_t)(v >> 16);
        out[o++] = (uint8_t)(v >> 8);
        out[o++] = (uint8_t)v;
    }
    if (data - i >= 2) {
        uint32_t v = (uint32_t)sextet(s[i]) << 18 | (uint32_t)sextet(s[i + 1]) << 12;
        if (data - i == 3)
            v |= (uint32_t)sextet(s[i + 2]) << 6;
        out[o++] = (uint8_t)(v >> 16);
        if (data - i == 3)
            out[o++] = (uint8_t)(v >> 8);
    }
    return UG_STATUS_GOOD;
}
