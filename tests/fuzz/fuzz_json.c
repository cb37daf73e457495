/* libFuzzer target for the JSON decoders (json/): any input either fails
 * with a status or decodes; a decoded NetworkMessage re-encodes (Compact and
 * Verbose) and decodes again to the same DataSetMessages, fields and values.
 * The input also goes through the value, metadata and status decoders.
 *
 * Build: cmake -DUG_FUZZ=ON -DUG_SANITIZE=ON -DCMAKE_C_COMPILER=clang; run
 * ./fuzz_json -max_total_time=60 tests/vectors/open62541 tests/vectors/uagate
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "uagate/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t arena1_buf[1 << 20], arena2_buf[1 << 20];
static char out[1 << 20];

static void same(const ug_nm *a, const ug_nm *b)
{
    if (a->n_dsm != b->n_dsm)
        abort();
    for (uint16_t i = 0; i < a->n_dsm; i++) {
        const ug_dsm *x = &a->dsm[i], *y = &b->dsm[i];
        if (x->writer_id != y->writer_id || x->seq != y->seq || x->type != y->type ||
            x->status != y->status || x->field_count != y->field_count ||
            x->timestamp != y->timestamp || x->cfg_minor != y->cfg_minor)
            abort();
        for (uint16_t k = 0; k < x->field_count; k++) {
            if (!ug_bytes_eq(x->fields[k].name, y->fields[k].name))
                abort();
            /* RawData values are typed by inference on decode: an integral
             * Double comes back as an integer, so only structure is compared. */
            if (x->field_encoding != UG_FE_RAWDATA && !ug_datavalue_eq(&x->fields[k].dv, &y->fields[k].dv))
                abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ug_arena a1, a2;
    ug_arena_init(&a1, arena1_buf, sizeof arena1_buf, false);
    ug_arena_init(&a2, arena2_buf, sizeof arena2_buf, false);
    ug_nm nm, back;
    size_t off = 0, len = 0;
    if (ug_json_decode_nm(data, size, &nm, NULL, &a1, &off) == UG_STATUS_GOOD) {
        if (off != 0)
            abort();
        for (int form = 0; form < 2; form++) {
            ug_json_enc_opts o = {(uint8_t)form, UG_JSON_LAYOUT_NETWORK_MESSAGE | UG_JSON_NM_WRITER_GROUP_NAME,
                                  0x7FF & ~UG_JSON_DSM_PUBLISHER_ID & ~UG_JSON_DSM_WRITER_GROUP_NAME, 0, NULL};
            ug_status st = ug_json_encode_nm(out, sizeof out, &nm, &o, &len);
            if (st == UG_STATUS_BADENCODINGLIMITSEXCEEDED)
                continue;
            if (st != UG_STATUS_GOOD)
                abort(); /* whatever decodes must encode */
            ug_arena_reset(&a2);
            if (ug_json_decode_nm(out, len, &back, NULL, &a2, &off) != UG_STATUS_GOOD)
                abort();
            same(&nm, &back);
        }
    } else if (off > size) {
        abort();
    }
    ug_arena_reset(&a1);
    uint8_t v[64];
    (void)ug_json_decode_value(data, size, UG_TYPE_VARIANT, v, NULL, &a1, NULL);
    ug_arena_reset(&a1);
    ug_json_metadata_msg m;
    if (ug_json_decode_metadata(data, size, &m, NULL, &a1, NULL) == UG_STATUS_GOOD) {
        if (ug_json_encode_metadata(out, sizeof out, &m, NULL, &len) == UG_STATUS_GOOD) {
            ug_arena_reset(&a2);
            ug_json_metadata_msg m2;
            /* A null Fields array is left out on encode and an absent one
             * decodes as empty (Part 6 §5.4: JSON keeps null and empty arrays
             * apart only when both are written), so both count as none. */
            if (ug_json_decode_metadata(out, len, &m2, NULL, &a2, NULL) != UG_STATUS_GOOD)
                abort();
            int32_t n1 = m.metadata.n_fields < 0 ? 0 : m.metadata.n_fields;
            int32_t n2 = m2.metadata.n_fields < 0 ? 0 : m2.metadata.n_fields;
            if (n1 != n2)
                abort();
        }
    }
    ug_json_status_msg s;
    (void)ug_json_decode_status(data, size, &s, NULL, &a1, NULL);
    return 0;
}
