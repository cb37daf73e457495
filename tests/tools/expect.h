/* expect — compare a decoded message model with the "network_message" object
 * of a NAME.expect.json (schema "uagate-uadp-vector/1", described in
 * tests/vectors/open62541/README.md).
 *
 * Used by check-vectors for UADP vectors and meant for the JSON vector checker
 * too, which compares only the dataset content (dataset_content_only).
 *
 * Every compare function returns 0 when the model matches the expectation and
 * -1 at the first difference, writing "PATH: expected X got Y" into why
 * (always NUL-terminated when why_cap > 0). They only read their arguments.
 */
#ifndef UG_TESTS_EXPECT_H
#define UG_TESTS_EXPECT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "uagate/pubsub_msg.h"
#include "uagate/types.h"

/* The whole NetworkMessage, field by field: flag bytes recomputed from the
 * model's has_ flags, publisher id, class id, group header, payload header,
 * timestamps, promoted fields, security header, the shape of the sizes array
 * (its values are on the wire only; see check-vectors), each DataSetMessage's
 * header, field_count_on_wire, padding and every field value by type.
 *
 * dataset_content_only: compare only what a JSON NetworkMessage carries of the
 * datasets: the number of DataSetMessages, and per DataSetMessage the writer
 * id (when both sides have one), message type, sequence number, timestamp and
 * status (when the model has them), config versions (same), field count and
 * every field's value and type (with DataValue members). Flag bytes, padding,
 * picoseconds, the valid bit and the field encoding are skipped. */
int ug_expect_compare_nm(const json_t *expect_nm, const ug_nm *nm, bool dataset_content_only,
                         char *why, size_t why_cap);

/* One DataSetMessage against one element of "dataset_messages"; path prefixes
 * the message in why (e.g. "dataset_messages[1]"). */
int ug_expect_compare_dsm(const json_t *expect_dsm, const ug_dsm *dsm, bool dataset_content_only,
                          const char *path, char *why, size_t why_cap);

/* A Variant object {type, array, array_length, array_dimensions, value}. */
int ug_expect_compare_variant(const json_t *expect, const ug_variant *v, const char *path,
                              char *why, size_t why_cap);

/* A DataValue object {encoding_mask, status, source_timestamp, ..., variant}. */
int ug_expect_compare_datavalue(const json_t *expect, const ug_datavalue *dv, const char *path,
                                char *why, size_t why_cap);

/* One element of built-in type `type` (a pointer to its C type, as in a
 * Variant array) against its schema form. */
int ug_expect_compare_element(const json_t *expect, unsigned type, const void *elem,
                              const char *path, char *why, size_t why_cap);

/* Self-check of the comparison: for an expectation that matches nm, change
 * each leaf value of expect_nm in turn (a copy; the argument is not touched)
 * and require a reported difference. Returns 0 when every change was
 * detected (*n_tried, may be NULL, = how many), -1 naming the first leaf that
 * was not. Leaves of "dataset_message_sizes" are skipped (wire-only). */
int ug_expect_mutation_check(const json_t *expect_nm, const ug_nm *nm, int *n_tried, char *why,
                             size_t why_cap);

/* Schema names: "Variant"/"RawData"/"DataValue", "KeyFrame"/"DeltaFrame"/
 * "Event"/"KeepAlive", "Byte"/"UInt16"/"UInt32"/"UInt64"/"String". NULL when
 * out of range. */
const char *ug_expect_field_encoding_name(unsigned fe);
const char *ug_expect_message_type_name(unsigned type);
const char *ug_expect_pubid_type_name(unsigned type);

/* Lowercase hex of n bytes into out (cap >= 2n+1); "null" for len -1. */
void ug_expect_hex(ug_bytes b, char *out, size_t cap);
/* Parses a lowercase/uppercase hex string into out; returns the byte count or
 * -1 on a bad character, odd length or overflow of cap. */
long ug_expect_unhex(const char *hex, uint8_t *out, size_t cap);

/* The layouts a decoder needs, built from an expect file's "decode_metadata"
 * ([{dataset_writer_id, configured_size, fields: [{name, builtin_type,
 * value_rank, array_dimensions, max_string_length}]}] in DataSetMessage
 * order). Lifetime: init allocates (names view the json strings, so keep the
 * json alive), free releases; a null decode_metadata gives zero layouts. */
typedef struct ug_expect_layouts {
    ug_dsm_layout *layouts;
    size_t n;
    ug_field_meta *fields; /* storage for every layout's fields */
    uint32_t *dims;        /* storage for every field's array dimensions */
} ug_expect_layouts;

int ug_expect_layouts_init(ug_expect_layouts *l, const json_t *decode_metadata, char *why,
                           size_t why_cap);
void ug_expect_layouts_free(ug_expect_layouts *l);

#endif
