/* clientserver/numeric_range.h — NumericRange (Part 4 §7.27 in 1.05, §7.22
 * in 1.04): the IndexRange text of Read, Write and monitored items, "2",
 * "1:3", "0:1,2" (one lo[:hi] per dimension), and applying it to values.
 *
 * Lifetime: a parsed range is a plain value. Extracted values are views of
 * the source's elements in a new array from the arena (the source must
 * outlive the result, or be deep-copied).
 */
#ifndef UG_CLIENTSERVER_NUMERIC_RANGE_H
#define UG_CLIENTSERVER_NUMERIC_RANGE_H

#include <stdint.h>

#include "uagate/types.h"

#define UG_NRANGE_MAX_DIMS 8

struct ug_nrange {
    uint32_t n; /* dimensions; 0: no range (empty text) */
    struct {
        uint32_t lo, hi; /* inclusive; lo == hi for a single index */
    } d[UG_NRANGE_MAX_DIMS];
};

/* Parses the text; a null or empty string gives n == 0. Returns Good or
 * BadIndexRangeInvalid (syntax, lo >= hi in "lo:hi", more than
 * UG_NRANGE_MAX_DIMS dimensions, numbers over UINT32_MAX). */
ug_status ug_nrange_parse(ug_string text, struct ug_nrange *out);

/* The part of `src` the range selects, into *dst (arrays from arena):
 * one dimension on an array or on a String/ByteString scalar (substring);
 * k dimensions on a k-dimensional matrix; k+1 dimensions on a
 * k-dimensional array of String/ByteString (the last selects substrings).
 * Upper bounds past the end are clipped (partial results, Part 4).
 * Returns Good, BadIndexRangeNoData (a lower bound past the end, a scalar
 * of another type, an empty/null value, or dimensions that do not fit),
 * BadOutOfMemory. */
ug_status ug_nrange_extract(const struct ug_nrange *r, const ug_variant *src, ug_variant *dst,
                            ug_arena *arena);

/* Writes `patch` into the range of `cur` giving *out (new array from arena,
 * elements views of cur and patch). One dimension only: an array (patch an
 * array of the same type with exactly hi-lo+1 elements) or a
 * String/ByteString scalar (patch of the same type, exactly hi-lo+1 bytes).
 * Returns Good, BadIndexRangeInvalid (patch size does not match the range,
 * more than one dimension), BadIndexRangeNoData (range past the end of
 * cur), BadTypeMismatch (patch of another type or not an array),
 * BadOutOfMemory. */
ug_status ug_nrange_apply(const struct ug_nrange *r, const ug_variant *cur,
                          const ug_variant *patch, ug_variant *out, ug_arena *arena);

#endif
