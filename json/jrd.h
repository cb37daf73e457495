/* Private: the in-place JSON pull scanner (RFC 8259) used by every decoder in
 * json/. It reads one token at a time from a borrowed buffer; the caller
 * drives it with the grammar it expects, so nothing is built in between.
 * Errors are sticky like ug_rd: the first failure stops the scanner
 * (p = end) and keeps its status and byte offset.
 */
#ifndef UG_JSON_JRD_H
#define UG_JSON_JRD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "uagate/binary.h"
#include "uagate/json.h"
#include "uagate/types.h"

typedef struct ug_jr {
    const uint8_t *start;
    const uint8_t *p;
    const uint8_t *end;
    ug_status err;
    size_t err_off;
    uint32_t depth;
    uint32_t tokens;
    uint32_t max_tokens;
    const ug_limits *lim;
    ug_arena *arena;
    const ug_json_dec_opts *opts; /* never NULL after jr_init */
} ug_jr;

/* JSON value kinds as seen from the first byte. */
enum {
    JR_END = 0,
    JR_OBJECT,
    JR_ARRAY,
    JR_STRING,
    JR_NUMBER,
    JR_TRUE,
    JR_FALSE,
    JR_NULL,
    JR_BAD,
};

void jr_init(ug_jr *jr, const void *buf, size_t len, const ug_json_dec_opts *opts, ug_arena *arena);
void jr_fail(ug_jr *jr, ug_status s);
/* Good when the scanner is OK and only whitespace remains. */
ug_status jr_finish(ug_jr *jr, size_t *err_off);

static inline bool jr_ok(const ug_jr *jr) { return jr->err == UG_STATUS_GOOD; }

static inline void jr_ws(ug_jr *jr)
{
    const uint8_t *p = jr->p, *e = jr->end;
    /* Compact text has no whitespace: one compare settles most calls. */
    while (p < e && *p <= ' ' && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    jr->p = p;
}



/* A string value: a view when it has no escape, else unescaped into the
 * arena. Fails (and returns null) when the next value is not a string. */
ug_string jr_string(ug_jr *jr);
/* True and consumed when the next value is null. */
bool jr_null(ug_jr *jr);
bool jr_bool(ug_jr *jr);
/* Numbers: an integer in [min, max] (a JSON number without fraction or
 * exponent, or a JSON string holding one when `str_ok`), a double. */
int64_t jr_int(ug_jr *jr, int64_t min, int64_t max, bool str_ok);
uint64_t jr_uint64(ug_jr *jr, bool str_ok);
double jr_double(ug_jr *jr);
/* Skips any value (depth and token limits still apply). */
void jr_skip(ug_jr *jr);

/* Raw text of the next value (consumed), for values decoded later. */
ug_bytes jr_raw(ug_jr *jr);

static inline bool jr_key_is(ug_string key, const char *lit, size_t n)
{
    return key.len == (int32_t)n && memcmp(key.data, lit, n) == 0;
}
#define JR_KEY(key, lit) jr_key_is((key), (lit), sizeof(lit) - 1)

/* A sub-scanner over a raw span taken with jr_raw, sharing limits/arena. */
void jr_sub(ug_jr *sub, const ug_jr *parent, ug_bytes raw);
/* Propagates a sub-scanner failure to the parent. */
void jr_join(ug_jr *parent, const ug_jr *sub);

/* 1 for bytes that end a plain run of string text: controls, '"', '\\',
 * non-ASCII (checked as UTF-8). */
extern const uint8_t jr_str_stop[256];

/* True when none of the 8 bytes at p needs attention in a string (no
 * control, '"', '\\' or non-ASCII byte): eight bytes per step. */
static inline bool jr_plain8(const uint8_t *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    uint64_t ctl = (w - ones * 0x20) & ~w;
    uint64_t quo = w ^ (ones * '"'), bsl = w ^ (ones * '\\');
    uint64_t hit = ctl | ((quo - ones) & ~quo) | ((bsl - ones) & ~bsl) | w;
    return (hit & high) == 0;
}
/* The first byte at or after p that needs attention in a string (see
 * jr_plain8), e when none: eight bytes per step. The lowest flagged byte of
 * the SWAR test is exact (borrows only run upwards). */
static inline const uint8_t *jr_str_scan(const uint8_t *p, const uint8_t *e)
{
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    while (e - p >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        uint64_t ctl = (w - ones * 0x20) & ~w;
        uint64_t quo = w ^ (ones * '"'), bsl = w ^ (ones * '\\');
        uint64_t hit = (ctl | ((quo - ones) & ~quo) | ((bsl - ones) & ~bsl) | w) & high;
        if (hit)
            return p + (__builtin_ctzll(hit) >> 3);
        p += 8;
    }
    while (p < e && !jr_str_stop[*p])
        p++;
    return p;
}

/* Length of the valid UTF-8 sequence at p (RFC 3629), 0 if invalid. */
size_t jr_utf8_len(const uint8_t *p, const uint8_t *e);
/* The common JSON number at *pp (a plain decimal of up to 19 digits, no
 * exponent, mantissa below 2^53) as a correctly rounded double; *pp moves
 * past it. False, *pp unchanged, for any other text (jr_double decides). */
bool jr_quick_double(const uint8_t **pp, const uint8_t *e, double *out);
/* Number text -> double (correctly rounded); false when not a finite number. */
bool jr_parse_double(const uint8_t *s, size_t n, double *out);

/* The hot small steps, inline: every value passes through them.
 * jr_peek: kind of the next value, without consuming it.
 * Objects: jr_obj_begin consumes '{'; then while (jr_member(jr, &n, &key))
 * handle one value per key; n counts members (start it at 0).
 * Arrays: jr_arr_begin consumes '['; while (jr_elem(jr, &n)) read a value. */
static inline bool jr_tok(ug_jr *jr)
{
    if (++jr->tokens > jr->max_tokens) {
        jr_fail(jr, UG_STATUS_BADENCODINGLIMITSEXCEEDED);
        return false;
    }
    return true;
}

static inline int jr_peek(ug_jr *jr)
{
    jr_ws(jr);
    if (jr->p >= jr->end)
        return JR_END;
    switch (*jr->p) {
    case '{': return JR_OBJECT;
    case '[': return JR_ARRAY;
    case '"': return JR_STRING;
    case 't': return JR_TRUE;
    case 'f': return JR_FALSE;
    case 'n': return JR_NULL;
    case '-':
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9': return JR_NUMBER;
    default: return JR_BAD;
    }
}

static inline bool jr_expect(ug_jr *jr, uint8_t c)
{
    jr_ws(jr);
    if (jr->p >= jr->end || *jr->p != c) {
        jr_fail(jr, UG_STATUS_BADDECODINGERROR);
        return false;
    }
    jr->p++;
    return true;
}

static inline bool jr_enter(ug_jr *jr, uint8_t c)
{
    if (!jr_tok(jr) || !jr_expect(jr, c))
        return false;
    if (++jr->depth > jr->lim->max_depth) {
        jr->p--;
        jr_fail(jr, UG_STATUS_BADENCODINGLIMITSEXCEEDED);
        return false;
    }
    return true;
}

static inline bool jr_obj_begin(ug_jr *jr) { return jr_enter(jr, '{'); }
static inline bool jr_arr_begin(ug_jr *jr) { return jr_enter(jr, '['); }

/* The general case of jr_member (whitespace, escaped names, errors). */
bool jr_member_slow(ug_jr *jr, uint32_t *n, ug_string *key);

static inline bool jr_member(ug_jr *jr, uint32_t *n, ug_string *key)
{
    /* Fast path, compact text: [,]"plain name": or the closing '}'. */
    const uint8_t *p = jr->p, *e = jr->end;
    if (p < e && *p == '}') {
        jr->p = p + 1;
        jr->depth--;
        return false;
    }
    if (*n > 0 && p < e && *p == ',')
        p++;
    else if (*n > 0)
        return jr_member_slow(jr, n, key);
    if (p < e && *p == '"' && jr->tokens < jr->max_tokens) {
        const uint8_t *q = jr_str_scan(p + 1, e);
        if (e - q >= 2 && q[0] == '"' && q[1] == ':' && (size_t)(q - p - 1) <= jr->lim->max_string_len) {
            *key = (ug_string){p + 1, (int32_t)(q - p - 1)};
            jr->p = q + 2;
            jr->tokens++;
            (*n)++;
            return true;
        }
    }
    return jr_member_slow(jr, n, key);
}

static inline bool jr_elem(ug_jr *jr, uint32_t *n)
{
    jr_ws(jr);
    if (jr->p >= jr->end) {
        jr_fail(jr, UG_STATUS_BADDECODINGERROR);
        return false;
    }
    if (*jr->p == ']') {
        jr->p++;
        jr->depth--;
        return false;
    }
    if (*n > 0 && !jr_expect(jr, ','))
        return false;
    if (*n >= jr->lim->max_array_len) {
        jr_fail(jr, UG_STATUS_BADENCODINGLIMITSEXCEEDED);
        return false;
    }
    (*n)++;
    return true;
}


#endif
