/* Fuzz target: the UA Binary decoder of every built-in type (Part 6 §5.2),
 * Variant above all. The first input byte picks the type (mod 26, so most
 * inputs land on Variant/DataValue/DiagnosticInfo through the 24/23/25
 * residues and the rest on the other types); the rest is the encoding.
 * Property: decode -> encode -> decode gives an equal value and the second
 * encoding equals the first. */
#include <stdlib.h>
#include <string.h>

#include "uagate/binary.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t arena_a[1 << 20], arena_b[1 << 20];
static uint8_t enc1[1 << 18], enc2[1 << 18];

/* Element storage big enough for any element C type. */
typedef union {
    ug_variant v;
    ug_datavalue dv;
    ug_diagnostic_info di;
    ug_expanded_nodeid en;
    ug_extension_object eo;
    ug_scalar s;
} any_elem;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned type = data[0] % 26;
    if (type == UG_TYPE_NULL)
        type = UG_TYPE_VARIANT;
    ug_arena a, b;
    ug_arena_init(&a, arena_a, sizeof arena_a, false);
    ug_arena_init(&b, arena_b, sizeof arena_b, false);

    any_elem v1, v2;
    memset(&v1, 0, sizeof v1);
    memset(&v2, 0, sizeof v2);
    ug_status st = ug_decode_element(data + 1, size - 1, type, &v1, NULL, &a);
    if (st != UG_STATUS_GOOD)
        return 0;
    size_t n1 = 0, n2 = 0;
    st = ug_encode_element(enc1, sizeof enc1, type, &v1, &n1);
    if (st == UG_STATUS_BADENCODINGLIMITSEXCEEDED && n1 > sizeof enc1)
        return 0; /* decoded fine but bigger than our scratch: not a bug */
    if (st != UG_STATUS_GOOD)
        abort(); /* whatever decodes must encode */
    st = ug_decode_element(enc1, n1, type, &v2, NULL, &b);
    if (st != UG_STATUS_GOOD)
        abort();
    if (!ug_element_eq(type, &v1, &v2))
        abort();
    st = ug_encode_element(enc2, sizeof enc2, type, &v2, &n2);
    if (st != UG_STATUS_GOOD || n1 != n2 || memcmp(enc1, enc2, n1) != 0)
        abort();
    return 0;
}
