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
