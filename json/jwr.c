/* JSON text writers: strings (RFC 8259 §7), integers, shortest round-trip
 * floating point, DateTime (Part 6 §5.4.2.6), Guid, base64. No printf on the
 * integer and common floating-point paths. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "jrd.h"
#include "jwr.h"

void jw_str(ug_wr *wr, ug_string s)
{
    if (s.len < 0) {
        JW_LIT(wr, "null");
        return;
    }
    ug_wr_u8(wr, '"');
    jw_body(wr, s.data, (size_t)s.len);
    ug_wr_u8(wr, '"');
}

void jw_body(ug_wr *wr, const uint8_t *data, size_t len)
{
    if (!len)
        return; /* data may be NULL */
    const uint8_t *p = data, *e = p + len, *run = p;
    for (;;) {
        p = jr_str_scan(p, e);
        if (p >= e)
            break;
        uint8_t c = *p;
        if (c >= 0x80) {
            size_t n = jr_utf8_len(p, e);
            if (!n) {
                ug_wr_fail(wr, UG_STATUS_BADENCODINGERROR);
                return;
            }
            p += n;
            continue;
        }
        jw_put(wr, run, (size_t)(p - run));
        switch (c) {
        case '"': JW_LIT(wr, "\\\""); break;
        case '\\': JW_LIT(wr, "\\\\"); break;
        case '\b': JW_LIT(wr, "\\b"); break;
        case '\f': JW_LIT(wr, "\\f"); break;
        case '\n': JW_LIT(wr, "\\n"); break;
        case '\r': JW_LIT(wr, "\\r"); break;
        case '\t': JW_LIT(wr, "\\t"); break;
        default: {
            static const char hex[] = "0123456789abcdef";
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            ug_wr_bytes(wr, u, 6);
        }
        }
        run = ++p;
    }
    jw_put(wr, run, (size_t)(p - run));
}

void jw_cstr(ug_wr *wr, const char *s) { jw_str(wr, ug_string_from(s)); }

const char jw_digits2[200] = "00010203040506070809101112131415161718192021222324"
                                 "25262728293031323334353637383940414243444546474849"
                                 "50515253545556575859606162636465666768697071727374"
                                 "75767778798081828384858687888990919293949596979899";

/* Writes v in decimal ending at `end`; returns the start. */
static char *utoa_rev(uint64_t v, char *end)
{
    char *p = end;
    while (v >= 100) {
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        p -= 2;
        memcpy(p, jw_digits2 + 2 * r, 2);
    }
    if (v >= 10) {
        p -= 2;
        memcpy(p, jw_digits2 + 2 * v, 2);
    } else {
        *--p = (char)('0' + v);
    }
    return p;
}

uint8_t *jw_put_u64(uint8_t *d, uint64_t v)
{
    if (v <= UINT32_MAX)
        return jw_put_u32(d, (uint32_t)v);
    char b[24];
    char *p = utoa_rev(v, b + sizeof b);
    size_t n = (size_t)(b + sizeof b - p);
    memcpy(d, p, n);
    return d + n;
}

void jw_u64(ug_wr *wr, uint64_t v)
{
    uint8_t *d = jw_room(wr, 20);
    if (d) {
        wr->len += (size_t)(jw_put_u64(d, v) - d);
        return;
    }
    if (v < 10) { /* type ids, flags, small counters */
        ug_wr_u8(wr, (uint8_t)('0' + v));
        return;
    }
    if (v < 100) {
        ug_wr_bytes(wr, jw_digits2 + 2 * v, 2);
        return;
    }
    char b[24];
    char *p = utoa_rev(v, b + sizeof b);
    jw_put(wr, p, (size_t)(b + sizeof b - p));
}

void jw_i64(ug_wr *wr, int64_t v)
{
    uint8_t *d = jw_room(wr, 21);
    if (d) {
        uint8_t *o = d;
        if (v < 0)
            *o++ = '-';
        o = jw_put_u64(o, v < 0 ? 0 - (uint64_t)v : (uint64_t)v);
        wr->len += (size_t)(o - d);
        return;
    }
    char b[24];
    uint64_t m = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    char *p = utoa_rev(m, b + sizeof b);
    if (v < 0)
        *--p = '-';
    jw_put(wr, p, (size_t)(b + sizeof b - p));
}

void jw_u32(ug_wr *wr, uint32_t v)
{
    uint8_t *d = jw_room(wr, 10);
    if (d)
        wr->len += (size_t)(jw_put_u32(d, v) - d);
    else
        jw_u64(wr, v);
}

void jw_i32(ug_wr *wr, int32_t v)
{
    uint8_t *d = jw_room(wr, 11);
    if (d)
        wr->len += (size_t)(jw_put_i32(d, v) - d);
    else
        jw_i64(wr, v);
}

static const double p10[23] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

typedef unsigned __int128 u128;

static const uint64_t pow10_64[20] = {
    1ull,
    10ull,
    100ull,
    1000ull,
    10000ull,
    100000ull,
    1000000ull,
    10000000ull,
    100000000ull,
    1000000000ull,
    10000000000ull,
    100000000000ull,
    1000000000000ull,
    10000000000000ull,
    100000000000000ull,
    1000000000000000ull,
    10000000000000000ull,
    100000000000000000ull,
    1000000000000000000ull,
    10000000000000000000ull,
};

/* Decimal digits of v (1..20). */
static int ndigits64(uint64_t v)
{
    int t = ((64 - __builtin_clzll(v | 1)) * 1233) >> 12; /* ~log10, low by <= 1 */
    return t + (t == 0 || v >= pow10_64[t]);
}

/* The w low decimal digits of v, zero-padded, written to end the text at end. */
static void digits_rev(char *end, uint64_t v, int w)
{
    for (; w >= 2; w -= 2) {
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        end -= 2;
        memcpy(end, jw_digits2 + 2 * r, 2);
    }
    if (w)
        end[-1] = (char)('0' + v % 10);
}

/* Fixed notation m / 10^k with trailing fraction zeros dropped. */
static size_t fixed(bool neg, uint64_t m, int k, char *buf)
{
    size_t o = 0;
    if (neg)
        buf[o++] = '-';
    if (m == 0)
        k = 0;
    /* Trailing fraction zeros go in a few steps rather than digit by digit. */
    while (k >= 8 && m % 100000000 == 0) {
        m /= 100000000;
        k -= 8;
    }
    if (k >= 4 && m % 10000 == 0) {
        m /= 10000;
        k -= 4;
    }
    if (k >= 2 && m % 100 == 0) {
        m /= 100;
        k -= 2;
    }
    if (k >= 1 && m % 10 == 0) {
        m /= 10;
        k -= 1;
    }
    int nd = ndigits64(m);
    if (k == 0) {
        digits_rev(buf + o + nd, m, nd);
        return o + (size_t)nd;
    }
    if (nd <= k) {
        buf[o++] = '0';
        buf[o++] = '.';
        for (int z = nd; z < k; z++)
            buf[o++] = '0';
        digits_rev(buf + o + nd, m, nd);
        return o + (size_t)nd;
    }
    /* All digits one place to the right, then the integer part moved left
     * over the gap for the point (no division by 10^k). */
    int ni = nd - k;
    digits_rev(buf + o + 1 + nd, m, nd);
    for (int i = 0; i < ni; i++)
        buf[o + (size_t)i] = buf[o + 1 + (size_t)i];
    buf[o + (size_t)ni] = '.';
    return o + 1 + (size_t)nd;
}

/* Common path: the fewest fraction digits k with round(|v|*10^k)/10^k == v.
 * m < 2^53 and an exact 10^k make that division correctly rounded, i.e.
 * equal to what strtod makes of the printed text. */
static size_t try_fixed(double a, bool neg, bool is_float, char *buf)
{
    if (!(a >= 1e-5 && a < 1e15))
        return 0;
    for (int k = 0; k <= 17; k++) {
        double s = a * p10[k];
        if (s >= 9007199254740992.0)
            return 0;
        uint64_t m = (uint64_t)(s + 0.5);
        double back = (double)m / p10[k];
        if (is_float ? (float)back == (float)a : back == a)
            return fixed(neg, m, k, buf);
    }
    return 0;
}

static u128 pow10_128(int k) /* 0 <= k <= 38 */
{
    return k <= 19 ? pow10_64[k] : (u128)pow10_64[19] * pow10_64[k - 19];
}

/* floor(log10(M * 2^-shift)) exactly, for values in [1e-5, 1e15): an
 * estimate from the binary exponent, then compared with powers of ten in
 * integers (no libm; log10 rounds near the powers). */
static int decimal_exponent(uint64_t M, int shift)
{
    int e2 = 52 - shift; /* 2^e2 <= value < 2^(e2+1) */
    int d = e2 >= 0 ? e2 * 1233 / 4096 : -((-e2 * 1233 + 4095) / 4096);
    for (;;) { /* value >= 10^(d+1)? then d is too small */
        int j = d + 1;
        bool ge = j >= 0 ? (u128)M >= ((u128)pow10_64[j] << shift)
                         : (u128)M * pow10_64[-j] >= ((u128)1 << shift);
        if (!ge)
            break;
        d++;
    }
    for (;;) { /* value < 10^d? then d is too large */
        bool lt = d >= 0 ? (u128)M < ((u128)pow10_64[d] << shift)
                         : (u128)M * pow10_64[-d] < ((u128)1 << shift);
        if (!lt)
            break;
        d--;
    }
    return d;
}

/* Doubles in [1e-5, 1e15) that need 16 or 17 significant digits: the digits
 * are computed exactly in 128-bit integers and the shortest candidate that
 * falls inside the rounding interval of v is taken (a decimal D reads back
 * as v when |D - v| is below half the gap to the neighbouring double). With
 * v = M * 2^-s and D = m / 10^k that is 2|m*2^s - M*10^k| < 10^k, and 4|..|
 * on the narrower side below a power of two. No printf, no strtod. */
static size_t exact_digits(double a, bool neg, char *buf)
{
    if (!(a >= 1e-5 && a < 1e15))
        return 0;
    uint64_t bits;
    memcpy(&bits, &a, 8);
    int e = (int)(bits >> 52 & 0x7FF);
    uint64_t M = (bits & ((1ull << 52) - 1)) | (1ull << 52);
    int shift = 1075 - e; /* a = M * 2^-shift, 3 <= shift <= 70 in this range */
    int d = decimal_exponent(M, shift);
    int k0 = 14 - d; /* 15 significant digits, then 16 and 17 */
    if (k0 < 0 || k0 + 2 > 22)
        return 0;
    bool narrow_side = (bits & ((1ull << 52) - 1)) == 0;
    u128 p = pow10_128(k0), y = (u128)M * p; /* y = a * 10^k * 2^shift, exact */
    const u128 one = (u128)1 << shift, half = one >> 1;
    for (int k = k0; k <= k0 + 2; k++, p *= 10, y *= 10) {
        u128 m = y >> shift, rem = y & (one - 1);
        bool up = rem > half || (rem == half && (m & 1));
        m += up;
        u128 diff = up ? one - rem : rem; /* |m * 2^shift - y| */
        bool narrow = !up && rem != 0 && narrow_side;
        if ((narrow ? 4 * diff : 2 * diff) < p && m < ((u128)1 << 63))
            return fixed(neg, (uint64_t)m, k, buf);
    }
    return 0;
}

static size_t specials(double v, char *buf)
{
    if (isnan(v)) {
        memcpy(buf, "NaN", 4);
        return 3;
    }
    if (isinf(v)) {
        if (v < 0) {
            memcpy(buf, "-Infinity", 10);
            return 9;
        }
        memcpy(buf, "Infinity", 9);
        return 8;
    }
    if (v == 0) {
        if (signbit(v)) {
            memcpy(buf, "-0.0", 5);
            return 4;
        }
        memcpy(buf, "0", 2);
        return 1;
    }
    return 0;
}

size_t ug_json_format_double(double v, char buf[32])
{
    size_t n = specials(v, buf);
    if (n)
        return n;
    /* In [1e-5, 1e15) the exact path gives the shortest text: at most one
     * decimal of 15 or fewer digits lies in a double's rounding interval, and
     * it is then the correctly rounded 15-digit one, trailing zeros dropped. */
    n = exact_digits(fabs(v), v < 0, buf);
    if (n)
        return n;
    n = try_fixed(fabs(v), v < 0, false, buf);
    if (n)
        return n;
    for (int prec = 1; prec <= 17; prec++) {
        int k = snprintf(buf, 32, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return (size_t)k;
    }
    return (size_t)snprintf(buf, 32, "%.17g", v);
}

size_t ug_json_format_float(float f, char buf[32])
{
    double v = f;
    size_t n = specials(v, buf);
    if (n)
        return n;
    n = try_fixed(fabs(v), v < 0, true, buf);
    if (n)
        return n;
    for (int prec = 1; prec <= 9; prec++) {
        int k = snprintf(buf, 32, "%.*g", prec, v);
        if ((float)strtod(buf, NULL) == f)
            return (size_t)k;
    }
    return (size_t)snprintf(buf, 32, "%.9g", v);
}

static void number_or_special(ug_wr *wr, const char *b, size_t n)
{
    if (b[0] == 'N' || b[0] == 'I' || (b[0] == '-' && b[1] == 'I')) {
        ug_wr_u8(wr, '"');
        ug_wr_bytes(wr, b, n);
        ug_wr_u8(wr, '"');
    } else {
        jw_put(wr, b, n);
    }
}

static uint8_t *quote_special(uint8_t *d, size_t n)
{
    if (d[0] == 'N' || d[0] == 'I' || (d[0] == '-' && d[1] == 'I')) {
        memmove(d + 1, d, n);
        d[0] = '"';
        d[n + 1] = '"';
        return d + n + 2;
    }
    return d + n;
}

uint8_t *jw_put_double(uint8_t *d, double v)
{
    return quote_special(d, ug_json_format_double(v, (char *)d));
}

uint8_t *jw_put_float(uint8_t *d, float v)
{
    return quote_special(d, ug_json_format_float(v, (char *)d));
}

uint8_t *jw_put_datetime(uint8_t *d, ug_datetime t)
{
    d[0] = '"';
    size_t n = ug_json_format_datetime(t, (char *)d + 1);
    d[n + 1] = '"';
    return d + n + 2;
}

void jw_double(ug_wr *wr, double v)
{
    uint8_t *d = jw_room(wr, 34);
    if (d) {
        wr->len += (size_t)(jw_put_double(d, v) - d);
        return;
    }
    char b[32];
    number_or_special(wr, b, ug_json_format_double(v, b));
}

void jw_float(ug_wr *wr, float v)
{
    uint8_t *d = jw_room(wr, 34);
    if (d) {
        wr->len += (size_t)(jw_put_float(d, v) - d);
        return;
    }
    char b[32];
    number_or_special(wr, b, ug_json_format_float(v, b));
}

/* ---- DateTime, Part 6 §5.4.2.6 ---- */

#define TICKS_PER_SEC 10000000LL
#define DAYS_1601_TO_1970 134774LL

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* Ticks of 9999-12-31T23:59:59Z: this and later print as the limit string.
 * ((9999-12-31 - 1601-01-01).days * 86400 + 86399) * 10^7, test_json_value
 * checks the tick before it. */
#define MAX_TICKS 2650467743990000000LL
static int64_t max_ticks(void) { return MAX_TICKS; }

static void two(char *p, unsigned v) { memcpy(p, jw_digits2 + 2 * v, 2); }

size_t ug_json_format_datetime(ug_datetime t, char buf[32])
{
    if (t <= 0) {
        memcpy(buf, "0001-01-01T00:00:00Z", 21);
        return 20;
    }
    if (t >= max_ticks()) {
        memcpy(buf, "9999-12-31T23:59:59Z", 21);
        return 20;
    }
    /* 0 < t < MAX_TICKS: days since 1601 fit 32 bits, so the calendar runs
     * on 32-bit unsigned arithmetic (civil_from_days with its epoch moved to
     * 0000-03-01, where every count is non-negative). */
    uint64_t secs = (uint64_t)t / TICKS_PER_SEC;
    unsigned frac = (unsigned)((uint64_t)t - secs * TICKS_PER_SEC);
    uint32_t days = (uint32_t)(secs / 86400);
    unsigned sod = (unsigned)(secs - (uint64_t)days * 86400);
    uint32_t z = days - (uint32_t)DAYS_1601_TO_1970 + 719468u;
    uint32_t era = z / 146097, doe = z - era * 146097;
    uint32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    uint32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    uint32_t mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    unsigned y = yoe + era * 400 + (m <= 2);
    two(buf, y / 100);
    two(buf + 2, y % 100);
    buf[4] = '-';
    two(buf + 5, m);
    buf[7] = '-';
    two(buf + 8, d);
    buf[10] = 'T';
    unsigned hh = sod / 3600, rest = sod - hh * 3600, mm = rest / 60;
    two(buf + 11, hh);
    buf[13] = ':';
    two(buf + 14, mm);
    buf[16] = ':';
    two(buf + 17, rest - mm * 60);
    size_t n = 19;
    if (frac) { /* 7 digits, then the trailing zeros dropped */
        buf[n] = '.';
        buf[n + 1] = (char)('0' + frac / 1000000);
        unsigned r = frac % 1000000;
        two(buf + n + 2, r / 10000);
        two(buf + n + 4, r / 100 % 100);
        two(buf + n + 6, r % 100);
        n += 8;
        while (buf[n - 1] == '0')
            n--;
    }
    buf[n++] = 'Z';
    buf[n] = 0;
    return n;
}

static bool num(const char *s, size_t at, size_t n, unsigned *out)
{
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned c = (unsigned)(unsigned char)s[at + i] - '0';
        if (c > 9)
            return false;
        v = v * 10 + c;
    }
    *out = v;
    return true;
}

ug_status ug_json_parse_datetime(const char *s, size_t len, ug_datetime *out)
{
    unsigned y, mo, d, h, mi, se;
    if (len < 20 || !num(s, 0, 4, &y) || s[4] != '-' || !num(s, 5, 2, &mo) || s[7] != '-' ||
        !num(s, 8, 2, &d) || (s[10] != 'T' && s[10] != 't') || !num(s, 11, 2, &h) ||
        s[13] != ':' || !num(s, 14, 2, &mi) || s[16] != ':' || !num(s, 17, 2, &se))
        return UG_STATUS_BADDECODINGERROR;
    static const unsigned mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap) ||
        h > 23 || mi > 59 || se > 60)
        return UG_STATUS_BADDECODINGERROR;
    if (se == 60)
        se = 59; /* a leap second is kept inside its minute */
    size_t i = 19;
    int64_t frac = 0;
    if (i < len && s[i] == '.') {
        i++;
        static const int32_t scale[7] = {1000000, 100000, 10000, 1000, 100, 10, 1};
        size_t nd = 0;
        unsigned c;
        while (i < len && (c = (unsigned)(unsigned char)s[i] - '0') <= 9) {
            if (nd < 7) /* Part 6 §5.4.2.6: digits past 100 ns may be dropped */
                frac += (int64_t)c * scale[nd];
            nd++;
            i++;
        }
        if (nd == 0)
            return UG_STATUS_BADDECODINGERROR;
    }
    int64_t offset_s = 0;
    if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
        i++;
    } else if (i < len && (s[i] == '+' || s[i] == '-')) {
        unsigned oh, om;
        if (len - i != 6 || !num(s, i + 1, 2, &oh) || s[i + 3] != ':' || !num(s, i + 4, 2, &om) ||
            oh > 23 || om > 59)
            return UG_STATUS_BADDECODINGERROR;
        offset_s = (int64_t)(oh * 3600 + om * 60) * (s[i] == '+' ? 1 : -1);
        i += 6;
    } else {
        return UG_STATUS_BADDECODINGERROR; /* a time zone is required */
    }
    if (i != len)
        return UG_STATUS_BADDECODINGERROR;
    int64_t days = days_from_civil(y, mo, d) + DAYS_1601_TO_1970;
    int64_t secs = days * 86400 + h * 3600 + mi * 60 + se - offset_s;
    if (secs < 0) {
        *out = 0;
        return UG_STATUS_GOOD;
    }
    int64_t t = secs * TICKS_PER_SEC + frac;
    *out = t >= max_ticks() ? INT64_MAX : t;
    return UG_STATUS_GOOD;
}

void jw_datetime(ug_wr *wr, ug_datetime t)
{
    uint8_t *d = jw_room(wr, 34);
    if (d) {
        wr->len += (size_t)(jw_put_datetime(d, t) - d);
        return;
    }
    char b[32];
    size_t n = ug_json_format_datetime(t, b);
    ug_wr_u8(wr, '"');
    jw_put(wr, b, n);
    ug_wr_u8(wr, '"');
}

void jw_guid(ug_wr *wr, const ug_guid *g)
{
    char b[37];
    ug_guid_print(g, b);
    ug_wr_u8(wr, '"');
    ug_wr_bytes(wr, b, 36);
    ug_wr_u8(wr, '"');
}

void jw_base64(ug_wr *wr, ug_bytes b)
{
    if (b.len < 0) {
        JW_LIT(wr, "null");
        return;
    }
    ug_wr_u8(wr, '"');
    size_t need = ((size_t)b.len + 2) / 3 * 4;
    if (need <= wr->cap && wr->len <= wr->cap - need)
        ug_base64_encode(b.data, (size_t)b.len, (char *)wr->buf + wr->len, need);
    wr->len += need;
    ug_wr_u8(wr, '"');
}
