/* Fuzz target: the DataSetMetaData decoder (UA Binary, Part 14 §6.2.3.2),
 * which discovery responses carry. Property: decode -> encode -> decode ->
 * encode gives the same bytes twice. */
#include <stdlib.h>
#include <string.h>

#include "uagate/binary.h"
#include "uagate/pubsub_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t arena_a[1 << 20], arena_b[1 << 20];
static uint8_t enc1[1 << 18], enc2[1 << 18];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ug_arena a, b;
    ug_arena_init(&a, arena_a, sizeof arena_a, false);
    ug_arena_init(&b, arena_b, sizeof arena_b, false);
    ug_dataset_metadata m1, m2;
    memset(&m1, 0, sizeof m1);
    memset(&m2, 0, sizeof m2);
    ug_rd rd;
    ug_rd_init(&rd, data, size, NULL, &a);
    ug_rd_dataset_metadata(&rd, &m1);
    if (rd.err != UG_STATUS_GOOD)
        return 0;
    ug_wr w1, w2;
    ug_wr_init(&w1, enc1, sizeof enc1);
    ug_wr_dataset_metadata(&w1, &m1);
    if (ug_wr_finish(&w1) != UG_STATUS_GOOD)
        return w1.len > sizeof enc1 ? 0 : (abort(), 0);
    ug_rd_init(&rd, enc1, w1.len, NULL, &b);
    ug_rd_dataset_metadata(&rd, &m2);
    if (rd.err != UG_STATUS_GOOD || ug_rd_left(&rd) != 0)
        abort();
    ug_wr_init(&w2, enc2, sizeof enc2);
    ug_wr_dataset_metadata(&w2, &m2);
    if (ug_wr_finish(&w2) != UG_STATUS_GOOD || w1.len != w2.len || memcmp(enc1, enc2, w1.len) != 0)
        abort();
    return 0;
}
