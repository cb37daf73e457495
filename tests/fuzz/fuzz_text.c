/* Fuzz target: the text decoders of types/ — NodeId, ExpandedNodeId and Guid
 * text forms (Part 6 §5.3.1.10/11) and Base64. The first byte picks the
 * parser. Properties: parse -> print -> parse gives the same value, and the
 * printed text is stable; base64 decode -> encode -> decode round-trips. */
#include <stdlib.h>
#include <string.h>

#include "uagate/types.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t arena_a[1 << 16], arena_b[1 << 16];
static char text1[1 << 16], text2[1 << 16];
static uint8_t bin1[1 << 16], bin2[1 << 16];

static void nodeid_case(const char *s, size_t n, ug_arena *a, ug_arena *b)
{
    ug_nodeid x, y;
    if (ug_nodeid_parse(s, n, &x, a) != UG_STATUS_GOOD)
        return;
    size_t l1 = ug_nodeid_print(&x, text1, sizeof text1);
    if (l1 >= sizeof text1)
        return;
    if (ug_nodeid_parse(text1, l1, &y, b) != UG_STATUS_GOOD || !ug_nodeid_eq(&x, &y))
        abort();
    size_t l2 = ug_nodeid_print(&y, text2, sizeof text2);
    if (l1 != l2 || memcmp(text1, text2, l1) != 0)
        abort();
}

static void expanded_case(const char *s, size_t n, ug_arena *a, ug_arena *b)
{
    ug_expanded_nodeid x, y;
    if (ug_expanded_nodeid_parse(s, n, &x, a) != UG_STATUS_GOOD)
        return;
    size_t l1 = ug_expanded_nodeid_print(&x, text1, sizeof text1);
    if (l1 >= sizeof text1)
        return;
    if (ug_expanded_nodeid_parse(text1, l1, &y, b) != UG_STATUS_GOOD ||
        !ug_element_eq(UG_TYPE_EXPANDEDNODEID, &x, &y))
        abort();
}

static void guid_case(const char *s, size_t n)
{
    ug_guid g, h;
    if (ug_guid_parse(s, n, &g) != UG_STATUS_GOOD)
        return;
    char t[37];
    ug_guid_print(&g, t);
    if (ug_guid_parse(t, 36, &h) != UG_STATUS_GOOD || !ug_guid_eq(&g, &h))
        abort();
}

static void base64_case(const char *s, size_t n)
{
    size_t l1 = 0, l2 = 0;
    if (ug_base64_decode(s, n, bin1, sizeof bin1, &l1) != UG_STATUS_GOOD)
        return;
    size_t tl = ug_base64_encode(bin1, l1, text1, sizeof text1);
    if (tl > sizeof text1)
        return;
    if (ug_base64_decode(text1, tl, bin2, sizeof bin2, &l2) != UG_STATUS_GOOD || l1 != l2 ||
        memcmp(bin1, bin2, l1) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    ug_arena a, b;
    ug_arena_init(&a, arena_a, sizeof arena_a, false);
    ug_arena_init(&b, arena_b, sizeof arena_b, false);
    const char *s = (const char *)data + 1;
    size_t n = size - 1;
    switch (data[0] & 3) {
    case 0: nodeid_case(s, n, &a, &b); break;
    case 1: expanded_case(s, n, &a, &b); break;
    case 2: guid_case(s, n); break;
    default: base64_case(s, n); break;
    }
    return 0;
}
