/* uagate status — OPC UA StatusCodes (Part 4 §7.39, Part 6 Annex A).
 *
 * Every fallible function in uagate returns a ug_status. The names are the
 * official ones, generated into status_codes.h by tools/gen_status.py.
 * Codes are never OR-ed together: a function returns the first failure.
 */
#ifndef UAGATE_STATUS_H
#define UAGATE_STATUS_H

#include <stdbool.h>
#include <stdint.h>

#include "uagate/status_codes.h"

typedef uint32_t ug_status;

/* Severity: top two bits, 00 Good, 01 Uncertain, 10 Bad. */
static inline bool ug_is_good(ug_status s) { return (s >> 30) == 0; }
static inline bool ug_is_uncertain(ug_status s) { return (s >> 30) == 1; }
static inline bool ug_is_bad(ug_status s) { return (s >> 30) >= 2; }

/* Official name of a code ("BadDecodingError"), ignoring the info bits
 * (low 16). Returns NULL for codes not in the table. */
const char *ug_status_name(ug_status s);
/* Code for an official name; returns false when unknown. len -1: NUL-terminated. */
bool ug_status_from_name(const char *name, int len, ug_status *out);

#endif
