/* Private: JSON text writers on a ug_wr (count mode as in binary.h). */
#ifndef UG_JSON_JWR_H
#define UG_JSON_JWR_H

#include <stdint.h>

#include "uagate/binary.h"
#include "uagate/json.h"

#define JW_LIT(wr, lit) ug_wr_bytes((wr), (lit), sizeof(lit) - 1)

/* ug_wr_bytes for the short, variable-length pieces of JSON text (numbers,
 * names): a byte loop beats a call to memcpy at these sizes. */
static inline void jw_put(ug_wr *wr, const void *src, size_t n)
{
    if (n <= wr->cap && wr->len <= wr->cap - n) {
        const uint8_t *s = (const uint8_t *)src;
        uint8_t *d = wr->buf + wr->len;
        if (n <= 16) {
            for (size_t i = 0; i < n; i++)
                d[i] = s[i];
        } else {
            memcpy(d, s, n);
        }
    }
    wr->len += n;
}

/* Reserve-then-write: a pointer to n free bytes at the end of the text, or
 * NULL when the buffer lacks them (the caller then takes the counting path,
 * which keeps wr->len exact). The caller adds what it wrote to wr->len. */
static inline uint8_t *jw_room(const ug_wr *wr, size_t n)
{
    return wr->len <= wr->cap && wr->cap - wr->len >= n ? wr->buf + wr->len : NULL;
}

/* "00".."99", two characters per value. */
extern const char jw_digits2[200];

/* Decimal digits of v (1..10). */
static inline unsigned jw_ndigits32(uint32_t v)
{
    static const uint32_t p10[10] = {0,          10,        100,        1000,      10000,
                                     100000,     1000000,   10000000,   100000000, 1000000000};
    unsigned n = (unsigned)((32 - __builtin_clz(v | 1)) * 1233) >> 12; /* ~log10, low by <= 1 */
    return n + (v >= p10[n]);
}

/* Direct writers into reserved room: v in decimal at d; return the end. */
static inline uint8_t *jw_put_u32(uint8_t *d, uint32_t v)
{
    unsigned n = jw_ndigits32(v);
    uint8_t *end = d + n, *p = end;
    while (v >= 100) {
        unsigned r = v % 100;
        v /= 100;
        p -= 2;
        memcpy(p, jw_digits2 + 2 * r, 2);
    }
    if (v >= 10)
        memcpy(p - 2, jw_digits2 + 2 * v, 2);
    else
        p[-1] = (uint8_t)('0' + v);
    return end;
}

static inline uint8_t *jw_put_i32(uint8_t *d, int32_t v)
{
    if (v < 0) {
        *d++ = '-';
        return jw_put_u32(d, 0u - (uint32_t)v);
    }
    return jw_put_u32(d, (uint32_t)v);
}

/* Up to 20 digits. */
uint8_t *jw_put_u64(uint8_t *d, uint64_t v);
/* Number or quoted special (as jw_double/jw_float); needs 34 bytes. */
uint8_t *jw_put_double(uint8_t *d, double v);
uint8_t *jw_put_float(uint8_t *d, float v);
/* The quoted DateTime; needs 34 bytes. */
uint8_t *jw_put_datetime(uint8_t *d, ug_datetime t);

/* A JSON string literal with RFC 8259 escapes; invalid UTF-8 fails the
 * writer with BadEncodingError. A null string writes null. */
void jw_str(ug_wr *wr, ug_string s);
/* The escaped text of a string without the quotes. */
void jw_body(ug_wr *wr, const uint8_t *p, size_t n);
void jw_cstr(ug_wr *wr, const char *s);
/* "key": with the key written as given (keys are ASCII literals). */
#define JW_KEY(wr, lit) JW_LIT(wr, "\"" lit "\":")
void jw_u64(ug_wr *wr, uint64_t v);
void jw_i64(ug_wr *wr, int64_t v);
void jw_u32(ug_wr *wr, uint32_t v);
void jw_i32(ug_wr *wr, int32_t v);
/* Numbers or the quoted specials "NaN", "Infinity", "-Infinity". */
void jw_double(ug_wr *wr, double v);
void jw_float(ug_wr *wr, float v);
void jw_datetime(ug_wr *wr, ug_datetime t);
void jw_guid(ug_wr *wr, const ug_guid *g);
void jw_base64(ug_wr *wr, ug_bytes b);

/* Writes a separator before every member/element but the first. */
static inline void jw_sep(ug_wr *wr, bool *first)
{
    if (!*first)
        ug_wr_u8(wr, ',');
    *first = false;
}

#endif
