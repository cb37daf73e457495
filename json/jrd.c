/* The in-place JSON pull scanner (RFC 8259); see jrd.h. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "jrd.h"

const ug_json_dec_opts ug_json_dec_default = {NULL, 0, UG_JSON_NM_AUTO, 0, NULL, 0, NULL};

void jr_init(ug_jr *jr, const void *buf, size_t len, const ug_json_dec_opts *opts, ug_arena *arena)
{
    if (!opts)
        opts = &ug_json_dec_default;
    jr->start = (const uint8_t *)buf;
    jr->p = jr->start;
    jr->end = jr->start ? jr->start + len : jr->start;
    jr->err = UG_STATUS_GOOD;
    jr->err_off = 0;
    jr->depth = 0;
    jr->tokens = 0;
    jr->max_tokens = opts->max_tokens ? opts->max_tokens : 1000000;
    jr->lim = opts->lim ? opts->lim : &ug_limits_default;
    jr->arena = arena;
    jr->opts = opts;
    if (!buf && len)
        jr_fail(jr, UG_STATUS_BADINVALIDARGUMENT);
    else if (len > jr->lim->max_message_size)
        jr_fail(jr, UG_STATUS_BADENCODINGLIMITSEXCEEDED);
}

void jr_fail(ug_jr *jr, ug_status s)
{
    if (jr->err == UG_STATUS_GOOD) {
        jr->err = s;
        jr->err_off = (size_t)(jr->p - jr->start);
        jr->end = jr->p;
    }
}

ug_status jr_finish(ug_jr *jr, size_t *err_off)
{
    if (jr_ok(jr)) {
        jr_ws(jr);
        if (jr->p != jr->end)
            jr_fail(jr, UG_STATUS_BADDECODINGERROR); /* trailing bytes */
    }
    if (err_off)
        *err_off = jr_ok(jr) ? 0 : jr->err_off;
    return jr->err;
}

/* Length of the valid UTF-8 sequence at p (RFC 3629), 0 if invalid. */
size_t jr_utf8_len(const uint8_t *p, const uint8_t *e)
{
    uint8_t c = p[0];
    size_t n;
    uint8_t lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F; /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    if ((size_t)(e - p) < n)
        return 0;
    if (p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    return n;
}

static int hex4(const uint8_t *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        uint8_t c = p[i];
        int d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return -1;
        v = v << 4 | d;
    }
    return v;
}

static size_t put_utf8(uint8_t *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (uint8_t)(0xC0 | cp >> 6);
        o[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (uint8_t)(0xE0 | cp >> 12);
        o[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
        o[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (uint8_t)(0xF0 | cp >> 18);
    o[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3F));
    o[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
    o[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

/* Unescapes a string body already checked by the scan in jr_string. */
static ug_string unescape(ug_jr *jr, const uint8_t *s, size_t n, const uint8_t *at)
{
    /* An escape never expands: \uXXXX (6 bytes) gives at most 3 bytes and a
     * surrogate pair (12 bytes) 4, so n bytes always suffice. */
    uint8_t *o = jr->arena ? ug_arena_alloc(jr->arena, n) : NULL;
    if (!o) {
        jr->p = at;
        jr_fail(jr, UG_STATUS_BADOUTOFMEMORY);
        return UG_NULL_BYTES;
    }
    size_t k = 0;
    const uint8_t *e = s + n;
    while (s < e) {
        if (*s != '\\') {
            o[k++] = *s++;
            continue;
        }
        s++;
        switch (*s++) {
        case '"': o[k++] = '"'; break;
        case '\\': o[k++] = '\\'; break;
        case '/': o[k++] = '/'; break;
        case 'b': o[k++] = '\b'; break;
        case 'f': o[k++] = '\f'; break;
        case 'n': o[k++] = '\n'; break;
        case 'r': o[k++] = '\r'; break;
        case 't': o[k++] = '\t'; break;
        default: { /* 'u', hex checked by the scan */
            uint32_t cp = (uint32_t)hex4(s);
            s += 4;
            if (cp >= 0xDC00 && cp <= 0xDFFF)
                goto bad; /* lone low surrogate */
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (e - s < 6 || s[0] != '\\' || s[1] != 'u')
                    goto bad;
                int lo = hex4(s + 2);
                if (lo < 0xDC00 || lo > 0xDFFF)
                    goto bad;
                cp = 0x10000 + ((cp - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
                s += 6;
            }
            k += put_utf8(o + k, cp);
        }
        }
    }
    return (ug_string){o, (int32_t)k};
bad:
    jr->p = at; /* reported at the string's opening quote */
    jr_fail(jr, UG_STATUS_BADDECODINGERROR);
    return UG_NULL_BYTES;
}

const uint8_t jr_str_stop[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

ug_string jr_string(ug_jr *jr)
{
    /* Fast path: a plain string right here (no whitespace, escape, non-ASCII). */
    const uint8_t *fp = jr->p, *fe = jr->end;
    if (fp < fe && *fp == '"' && jr->tokens < jr->max_tokens) {
        const uint8_t *fq = jr_str_scan(fp + 1, fe);
        if (fq < fe && *fq == '"' && (size_t)(fq - fp - 1) <= jr->lim->max_string_len) {
            jr->tokens++;
            jr->p = fq + 1;
            return (ug_string){fp + 1, (int32_t)(fq - fp - 1)};
        }
    }
    if (!jr_tok(jr) || !jr_expect(jr, '"'))
        return UG_NULL_BYTES;
    const uint8_t *s = jr->p, *p = s, *e = jr->end;
    bool esc = false;
    for (;;) {
        p = jr_str_scan(p, e);
        if (p >= e)
            goto bad;
        uint8_t c = *p;
        if (c == '"')
            break;
        if (c == '\\') {
            esc = true;
            if (e - p < 2)
                goto bad;
            c = p[1];
            if (c == 'u') {
                if (e - p < 6 || hex4(p + 2) < 0)
                    goto bad;
                p += 6;
            } else if (c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' ||
                       c == 'r' || c == 't') {
                p += 2;
            } else {
                goto bad;
            }
        } else if (c < 0x20) {
            goto bad;
        } else {
            size_t n = jr_utf8_len(p, e);
            if (!n)
                goto bad;
            p += n;
        }
    }
    size_t n = (size_t)(p - s);
    if (n > jr->lim->max_string_len) {
        jr->p = s;
        jr_fail(jr, UG_STATUS_BADENCODINGLIMITSEXCEEDED);
        return UG_NULL_BYTES;
    }
    jr->p = p + 1;
    if (!esc)
        return (ug_string){s, (int32_t)n};
    return unescape(jr, s, n, s - 1);
bad:
    jr->p = p;
    jr_fail(jr, UG_STATUS_BADDECODINGERROR);
    return UG_NULL_BYTES;
}

bool jr_member_slow(ug_jr *jr, uint32_t *n, ug_string *key)
{
    jr_ws(jr);
    if (jr->p >= jr->end) {
        jr_fail(jr, UG_STATUS_BADDECODINGERROR);
        return false;
    }
    if (*jr->p == '}') {
        jr->p++;
        jr->depth--;
        return false;
    }
    if (*n > 0 && !jr_expect(jr, ','))
        return false;
    *key = jr_string(jr);
    if (!jr_ok(jr) || !jr_expect(jr, ':'))
        return false;
    (*n)++;
    return true;
}

static bool literal(ug_jr *jr, const char *lit, size_t n)
{
    jr_ws(jr);
    if ((size_t)(jr->end - jr->p) < n || memcmp(jr->p, lit, n) != 0)
        return false;
    jr->p += n;
    return jr_tok(jr);
}

bool jr_null(ug_jr *jr)
{
    jr_ws(jr);
    if (jr->p < jr->end && *jr->p == 'n') {
        if (!literal(jr, "null", 4))
            jr_fail(jr, UG_STATUS_BADDECODINGERROR);
        return true;
    }
    return false;
}

bool jr_bool(ug_jr *jr)
{
    if (literal(jr, "true", 4))
        return true;
    if (!literal(jr, "false", 5))
        jr_fail(jr, UG_STATUS_BADDECODINGERROR);
    return false;
}

/* Scans a JSON number; returns its span and whether it is an integer. */
static bool scan_number(ug_jr *jr, const uint8_t **sp, size_t *np, bool *is_int)
{
    jr_ws(jr);
    const uint8_t *s = jr->p, *p = s, *e = jr->end;
    *is_int = true;
    if (p < e && *p == '-')
        p++;
    if (p >= e || *p < '0' || *p > '9')
        goto bad;
    if (*p == '0')
        p++;
    else
        while (p < e && *p >= '0' && *p <= '9')
            p++;
    if (p < e && *p == '.') {
        *is_int = false;
        p++;
        if (p >= e || *p < '0' || *p > '9')
            goto bad;
        while (p < e && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < e && (*p == 'e' || *p == 'E')) {
        *is_int = false;
        p++;
        if (p < e && (*p == '+' || *p == '-'))
            p++;
        if (p >= e || *p < '0' || *p > '9')
            goto bad;
        while (p < e && *p >= '0' && *p <= '9')
            p++;
    }
    jr->p = p;
    *sp = s;
    *np = (size_t)(p - s);
    return jr_tok(jr);
bad:
    jr->p = p;
    jr_fail(jr, UG_STATUS_BADDECODINGERROR);
    return false;
}

/* Decimal integer text (optional '-') to a magnitude; false on overflow or
 * a non-digit. */
static bool parse_mag(const uint8_t *s, size_t n, bool *neg, uint64_t *mag)
{
    *neg = n > 0 && s[0] == '-';
    size_t i = *neg ? 1 : 0;
    if (i >= n)
        return false;
    uint64_t v = 0;
    for (; i < n; i++) {
        unsigned d = (unsigned)s[i] - '0';
        if (d > 9 || v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *mag = v;
    return true;
}

static bool int_text(ug_jr *jr, bool str_ok, const uint8_t **s, size_t *n)
{
    bool is_int;
    if (str_ok && jr_peek(jr) == JR_STRING) {
        ug_string t = jr_string(jr);
        if (!jr_ok(jr))
            return false;
        *s = t.data;
        *n = (size_t)t.len;
        return true;
    }
    if (!scan_number(jr, s, n, &is_int))
        return false;
    if (!is_int) {
        jr->p = *s;
        jr_fail(jr, UG_STATUS_BADDECODINGERROR);
        return false;
    }
    return true;
}

int64_t jr_int(ug_jr *jr, int64_t min, int64_t max, bool str_ok)
{
    const uint8_t *s;
    size_t n;
    bool neg;
    uint64_t mag;
    jr_ws(jr);
    const uint8_t *p = jr->p, *e = jr->end;
    if (p < e && *p != '"') {
        /* Fast path: the integer read in one pass over its digits. */
        neg = *p == '-';
        const uint8_t *q = p + neg, *d0 = q;
        const uint8_t *lim = e - q > 19 ? q + 19 : e;
        uint64_t m = 0;
        unsigned dg;
        while (q < lim && (dg = (unsigned)*q - '0') <= 9) {
            m = m * 10 + dg;
            q++;
        }
        bool more = q < e && ((*q >= '0' && *q <= '9') || *q == '.' || *q == 'e' || *q == 'E');
        if (q > d0 && !more && !(*d0 == '0' && q - d0 > 1)) {
            jr->p = q;
            if (!jr_tok(jr))
                return 0;
            bool ovf = neg ? m > (uint64_t)INT64_MAX + 1 : m > (uint64_t)INT64_MAX;
            int64_t v = neg ? (int64_t)(0 - m) : (int64_t)m;
            if (ovf || v < min || v > max) {
                jr->p = p;
                jr_fail(jr, UG_STATUS_BADDECODINGERROR);
                return 0;
            }
            return v;
        }
    }
    if (!int_text(jr, str_ok, &s, &n))
        return 0;
    if (!parse_mag(s, n, &neg, &mag) || (neg && mag > (uint64_t)INT64_MAX + 1) ||
        (!neg && mag > (uint64_t)INT64_MAX)) {
        jr_fail(jr, UG_STATUS_BADDECODINGERROR);
        return 0;
    }
    int64_t v = neg ? (int64_t)(0 - mag) : (int64_t)mag;
    if (v < min || v > max) {
        jr_fail(jr, UG_STATUS_BADDECODINGERROR);
        return 0;
    }
    return v;
}

uint64_t jr_uint64(ug_jr *jr, bool str_ok)
{
    const uint8_t *s;
    size_t n;
    bool neg;
    uint64_t mag;
    if (!int_text(jr, str_ok, &s, &n))
        return 0;
    if (!parse_mag(s, n, &neg, &mag) || (neg && mag != 0)) {
        jr_fail(jr, UG_STATUS_BADDECODINGERROR);
        return 0;
    }
    return mag;
}

static const double pow10_exact[23] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

typedef unsigned __int128 u128;

static int bitlen128(u128 v)
{
    uint64_t hi = (uint64_t)(v >> 64);
    return hi ? 128 - __builtin_clzll(hi) : (uint64_t)v ? 64 - __builtin_clzll((uint64_t)v) : 0;
}

/* m * 10^e10, correctly rounded, for m < 2^64 and -19 <= e10 <= 19 with the
 * product below 2^128; false when out of that range. The quotient keeps at
 * least 63 significant bits, enough for 53 bits, a round bit and a sticky
 * bit (the remainder). */
static bool exact_scale(uint64_t m, int e10, double *out)
{
    if (m == 0) {
        *out = 0;
        return true;
    }
    u128 q;
    int exp2 = 0; /* value = q * 2^exp2, plus `sticky` below q's last bit */
    bool sticky = false;
    if (e10 >= 0) {
        if (e10 > 19)
            return false;
        u128 p = 1;
        for (int i = 0; i < e10; i++)
            p *= 10;
        q = (u128)m * p; /* < 2^64 * 10^19 < 2^128 */
    } else {
        if (e10 < -19)
            return false;
        u128 p = 1;
        for (int i = 0; i < -e10; i++)
            p *= 10;
        int s = 127 - bitlen128(m);
        u128 num = (u128)m << s;
        q = num / p;
        sticky = num % p != 0;
        exp2 = -s;
    }
    int bl = bitlen128(q);
    if (bl > 53) {
        int drop = bl - 53;
        u128 rest = q & (((u128)1 << drop) - 1);
        u128 halfv = (u128)1 << (drop - 1);
        q >>= drop;
        exp2 += drop;
        /* Round to nearest, ties to even; a non-zero sticky breaks a tie. */
        bool up = rest > halfv || (rest == halfv && (sticky || (q & 1)));
        if (up) {
            q++;
            if (bitlen128(q) > 53) {
                q >>= 1;
                exp2++;
            }
        }
    } else if (sticky) {
        return false; /* cannot happen with >= 63 bits; be safe */
    }
    double v = ldexp((double)(uint64_t)q, exp2);
    if (isinf(v) || v < 2.2250738585072014e-308)
        return false; /* let strtod handle overflow and subnormals */
    *out = v;
    return true;
}

bool jr_parse_double(const uint8_t *s, size_t n, double *out)
{
    /* Fast path (Clinger): a mantissa below 2^53 and a power of ten that is
     * itself exact give a correctly rounded result with one operation; up to
     * 19 digits, exact 128-bit arithmetic; strtod only beyond. */
    size_t i = 0;
    bool neg = false;
    if (i < n && s[i] == '-') {
        neg = true;
        i++;
    }
    uint64_t m = 0;
    int digits = 0, exp10 = 0;
    bool ok = true;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
        if (digits || s[i] != '0')
            digits++;
        if (digits > 19)
            ok = false;
        else
            m = m * 10 + (uint64_t)(s[i] - '0');
    }
    if (i < n && s[i] == '.') {
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
            if (digits || s[i] != '0')
                digits++;
            if (digits > 19) {
                ok = false;
            } else {
                m = m * 10 + (uint64_t)(s[i] - '0');
                exp10--;
            }
        }
    }
    if (ok && i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        bool eneg = false;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            eneg = s[i++] == '-';
        int ev = 0;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
            if (ev < 10000)
                ev = ev * 10 + (s[i] - '0');
        }
        exp10 += eneg ? -ev : ev;
    }
    if (ok && i == n) {
        double v;
        if (m < (1ull << 53) && exp10 >= -22 && exp10 <= 22) {
            v = (double)m;
            v = exp10 < 0 ? v / pow10_exact[-exp10] : v * pow10_exact[exp10];
            *out = neg ? -v : v;
            return true;
        }
        if (exact_scale(m, exp10, &v)) {
            *out = neg ? -v : v;
            return true;
        }
    }
    char tmp[128];
    if (n >= sizeof tmp)
        return false;
    memcpy(tmp, s, n);
    tmp[n] = 0;
    char *endp;
    errno = 0;
    double v = strtod(tmp, &endp);
    if (endp != tmp + n || isinf(v) || isnan(v))
        return false; /* out of range (1e400) or not a number */
    *out = v;
    return true;
}

/* Fast path of jr_double (see jrd.h): a plain decimal without exponent, up to 19
 * digits, mantissa below 2^53 and at most 22 fraction digits: one exact
 * division gives the correctly rounded value (Clinger). False, with nothing
 * consumed, for anything else. */
bool jr_quick_double(const uint8_t **pp, const uint8_t *e, double *out)
{
    const uint8_t *q = *pp;
    bool neg = q < e && *q == '-';
    q += neg;
    const uint8_t *d0 = q;
    uint64_t m = 0;
    while (q < e && (unsigned)(*q - '0') <= 9 && q - d0 < 19)
        m = m * 10 + (unsigned)(*q++ - '0');
    size_t nint = (size_t)(q - d0), nfrac = 0;
    if (nint == 0 || (nint > 1 && *d0 == '0'))
        return false;
    if (q < e && *q == '.') {
        const uint8_t *f0 = ++q;
        while (q < e && (unsigned)(*q - '0') <= 9 && nint + (size_t)(q - f0) < 19)
            m = m * 10 + (unsigned)(*q++ - '0');
        nfrac = (size_t)(q - f0);
        if (nfrac == 0)
            return false;
    }
    if (q < e && ((unsigned)(*q - '0') <= 9 || *q == '.' || *q == 'e' || *q == 'E'))
        return false;
    if (m >= (1ull << 53) || nfrac > 22)
        return false;
    double v = nfrac ? (double)m / pow10_exact[nfrac] : (double)m;
    *pp = q;
    *out = neg ? -v : v;
    return true;
}

double jr_double(ug_jr *jr)
{
    const uint8_t *s;
    size_t n;
    bool is_int;
    jr_ws(jr);
    double qv;
    if (jr->p < jr->end && *jr->p != '"' && jr_quick_double(&jr->p, jr->end, &qv))
        return jr_tok(jr) ? qv : 0;
    if (jr_peek(jr) == JR_STRING) {
        ug_string t = jr_string(jr);
        if (!jr_ok(jr))
            return 0;
        /* Part 6 §5.4.2.3: the special values travel as strings. */
        if (t.len == 3 && memcmp(t.data, "NaN", 3) == 0)
            return NAN;
        if (t.len == 8 && memcmp(t.data, "Infinity", 8) == 0)
            return INFINITY;
        if (t.len == 9 && memcmp(t.data, "-Infinity", 9) == 0)
            return -INFINITY;
        double v;
        if (t.len > 0 && jr_parse_double(t.data, (size_t)t.len, &v))
            return v; /* lenient: a number in a string */
        jr_fail(jr, UG_STATUS_BADDECODINGERROR);
        return 0;
    }
    if (!scan_number(jr, &s, &n, &is_int))
        return 0;
    double v;
    if (!jr_parse_double(s, n, &v)) {
        jr->p = s;
        jr_fail(jr, UG_STATUS_BADDECODINGERROR);
        return 0;
    }
    return v;
}

void jr_skip(ug_jr *jr)
{
    uint32_t n = 0;
    ug_string key;
    const uint8_t *s;
    size_t len;
    bool is_int;
    switch (jr_peek(jr)) {
    case JR_OBJECT:
        if (jr_obj_begin(jr))
            while (jr_member(jr, &n, &key))
                jr_skip(jr);
        break;
    case JR_ARRAY:
        if (jr_arr_begin(jr))
            while (jr_elem(jr, &n))
                jr_skip(jr);
        break;
    case JR_STRING: (void)jr_string(jr); break;
    case JR_NUMBER: (void)scan_number(jr, &s, &len, &is_int); break;
    case JR_TRUE:
    case JR_FALSE: (void)jr_bool(jr); break;
    case JR_NULL: (void)jr_null(jr); break;
    default: jr_fail(jr, UG_STATUS_BADDECODINGERROR);
    }
}

ug_bytes jr_raw(ug_jr *jr)
{
    jr_ws(jr);
    const uint8_t *s = jr->p;
    jr_skip(jr);
    if (!jr_ok(jr))
        return UG_NULL_BYTES;
    return (ug_bytes){s, (int32_t)(jr->p - s)};
}

void jr_sub(ug_jr *sub, const ug_jr *parent, ug_bytes raw)
{
    static const uint8_t none[1];
    *sub = *parent;
    sub->p = raw.len > 0 ? raw.data : none; /* an empty span: nothing to read */
    sub->end = raw.len > 0 ? raw.data + raw.len : none;
}

void jr_join(ug_jr *parent, const ug_jr *sub)
{
    parent->tokens = sub->tokens;
    if (!jr_ok(sub) && jr_ok(parent)) {
        /* A sub-scanner over unescaped text in the arena has no offset in
         * the input: the fault is then reported where the parent stands. */
        size_t in_len = (size_t)(parent->end - parent->start);
        parent->err = sub->err;
        parent->err_off = sub->err_off <= in_len ? sub->err_off : (size_t)(parent->p - parent->start);
        parent->end = parent->p;
    }
}
