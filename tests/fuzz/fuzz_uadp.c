/* Fuzz target: the UADP NetworkMessage decoder (Part 14 §7.2.2).
 * The first input byte picks a reader configuration (no layouts, or one of a
 * few RawData layouts, with or without a signature length) so that RawData,
 * padding and security paths are reached; the rest is the message.
 * Properties: decode -> encode -> decode -> encode gives the same bytes
 * twice; and the fixed-layout reader built from the decoded message as a
 * template matches its own encoding and reads the same values as the
 * general decoder. */
#include <stdlib.h>
#include <string.h>

#include "uagate/uadp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t arena_a[1 << 20], arena_b[1 << 20];
static uint8_t enc1[1 << 17], enc2[1 << 17];
static uint8_t rx_mem[1 << 18];

/* When the decoded message has a fixed layout, the reader-side fast path
 * must accept its encoding and agree with the general decoder field by field. */
static void check_fixed_rx(const ug_nm *tmpl, const uint8_t *msg, size_t len, const ug_nm *dec)
{
    ug_uadp_fixed_rx rx;
    if (ug_uadp_fixed_rx_init(&rx, tmpl, rx_mem, sizeof rx_mem) != UG_STATUS_GOOD)
        return;
    if (ug_uadp_fixed_rx_match(&rx, msg, len) != UG_STATUS_GOOD)
        abort();
    for (unsigned d = 0; d < dec->n_dsm; d++) {
        for (unsigned f = 0; f < dec->dsm[d].field_count; f++) {
            ug_scalar v;
            if (ug_uadp_fixed_rx_field(&rx, msg, d, f, &v) != UG_STATUS_GOOD)
                abort();
            const ug_variant *var = &dec->dsm[d].fields[f].dv.value;
            if (!ug_element_eq(var->type, &v, &var->u.v))
                abort();
        }
    }
}

static const uint32_t dims4[] = {4};
static const ug_field_meta meta_a[] = {
    {.builtin_type = UG_TYPE_INT32, .value_rank = -1, .n_array_dims = -1},
    {.builtin_type = UG_TYPE_DOUBLE, .value_rank = -1, .n_array_dims = -1},
};
static const ug_field_meta meta_b[] = {
    {.builtin_type = UG_TYPE_STRING, .value_rank = -1, .n_array_dims = -1, .max_string_len = 8},
    {.builtin_type = UG_TYPE_INT32, .value_rank = 1, .n_array_dims = 1, .array_dims = dims4},
    {.builtin_type = UG_TYPE_UINT64, .value_rank = -1, .n_array_dims = -1},
};
static const ug_dsm_layout layouts[] = {
    {.writer_id = 1, .configured_size = 24, .n_fields = 2, .fields = meta_a},
    {.writer_id = 2, .configured_size = 0, .n_fields = 3, .fields = meta_b},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t sel = data[0];
    ug_arena a, b;
    ug_arena_init(&a, arena_a, sizeof arena_a, false);
    ug_arena_init(&b, arena_b, sizeof arena_b, false);
    ug_uadp_decode_opts o;
    memset(&o, 0, sizeof o);
    o.arena = &a;
    if (sel & 1) {
        o.layouts = layouts;
        o.n_layouts = (sel & 2) ? 2 : 1;
    }
    if (sel & 4)
        o.signature_len = 32;

    ug_nm nm1, nm2;
    size_t off = 0;
    if (ug_uadp_decode(data + 1, size - 1, &nm1, &o, &off) != UG_STATUS_GOOD) {
        if (off > size - 1) /* the failure offset lies inside the input */
            abort();
        return 0;
    }
    size_t n1 = 0, n2 = 0;
    ug_status st = ug_uadp_encode(&nm1, enc1, sizeof enc1, &n1);
    if (st != UG_STATUS_GOOD)
        return 0; /* some decodable messages are not encodable as decoded (e.g. RawData without layout) */
    o.arena = &b;
    st = ug_uadp_decode(enc1, n1, &nm2, &o, &off);
    if (st != UG_STATUS_GOOD)
        abort();
    st = ug_uadp_encode(&nm2, enc2, sizeof enc2, &n2);
    if (st != UG_STATUS_GOOD || n1 != n2 || memcmp(enc1, enc2, n1) != 0)
        abort();
    if (ug_uadp_is_fixed(&nm1))
        check_fixed_rx(&nm1, enc1, n1, &nm2);
    return 0;
}
