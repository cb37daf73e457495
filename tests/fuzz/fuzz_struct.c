/* Fuzz target: the generic structure decoder (types/ua_struct.c) over every
 * generated ns=0 descriptor. The first two input bytes (little-endian, mod
 * the descriptor count: one byte cannot reach all ~300) pick the type from
 * ug_type_descs; the rest is its UA Binary encoding. The arena is small and
 * does not grow, so exhaustion paths are reached too.
 * Properties: whatever decodes encodes; the re-encoding decodes to an equal
 * value whose encoding is the same bytes (encode(decode(x)) is a fixed point
 * after one round); a deep copy is equal and encodes the same. */
#include <stdlib.h>
#include <string.h>

#include "uagate/ua_struct.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static _Alignas(8) uint8_t arena_a[1 << 16], arena_b[1 << 17], arena_c[1 << 17];
static uint8_t enc1[1 << 18], enc2[1 << 18];
static _Alignas(8) uint8_t v1[4096], v2[4096], v3[4096];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || ug_type_descs_count == 0)
        return 0;
    const ug_type_desc *d = ug_type_descs[(data[0] | (data[1] << 8)) % ug_type_descs_count];
    if (d->size > sizeof v1)
        abort(); /* the scratch structs must hold every type */
    ug_arena a, b, c;
    ug_arena_init(&a, arena_a, sizeof arena_a, false);
    ug_arena_init(&b, arena_b, sizeof arena_b, false);
    ug_arena_init(&c, arena_c, sizeof arena_c, false);

    if (ug_struct_decode(data + 2, size - 2, d, v1, NULL, &a) != UG_STATUS_GOOD)
        return 0;
    size_t n1 = 0, n2 = 0, n3 = 0;
    ug_status st = ug_struct_encode(enc1, sizeof enc1, d, v1, &n1);
    if (st == UG_STATUS_BADENCODINGLIMITSEXCEEDED && n1 > sizeof enc1)
        return 0; /* decoded fine but bigger than our scratch: not a bug */
    if (st != UG_STATUS_GOOD)
        abort(); /* whatever decodes must encode */
    /* Only the first decode is meant to run out of arena: the others get
     * twice its storage. */
    if (ug_struct_decode(enc1, n1, d, v2, NULL, &b) != UG_STATUS_GOOD)
        abort();
    if (!ug_struct_eq(d, v1, v2))
        abort();
    if (ug_struct_encode(enc2, sizeof enc2, d, v2, &n2) != UG_STATUS_GOOD || n1 != n2 ||
        memcmp(enc1, enc2, n1) != 0)
        abort();
    /* A deep copy: the decoded storage (at most arena_a) plus the strings,
     * each rounded up to 8 bytes from its at least 5 on the wire. */
    if (size > sizeof arena_a / 2)
        return 0;
    st = ug_struct_copy(d, v1, v3, &c);
    if (st != UG_STATUS_GOOD || !ug_struct_eq(d, v1, v3))
        abort();
    if (ug_struct_encode(enc2, sizeof enc2, d, v3, &n3) != UG_STATUS_GOOD || n3 != n1 ||
        memcmp(enc1, enc2, n1) != 0)
        abort();
    return 0;
}
