/* check_json — the JSON half of check-vectors (built with UG_HAVE_JSON).
 *
 * A JSON vector is DIR/NAME.json next to DIR/NAME.expect.json. Two schemas:
 *  - "uagate-uadp-vector/1" (tests/vectors/open62541/README.md): the JSON is
 *    open62541's encoding of the same message as NAME.uadp; only the dataset
 *    content is compared (ug_expect_compare_nm content-only) plus the
 *    PublisherId value and DataSetClassId, and the documented defects of
 *    that encoder (README, "JSON" list) are tolerated by rule;
 *  - "uagate-json-vector/1" (tests/vectors/uagate/README.md): hand-written
 *    expectations, compared strictly: "network_message" (dataset content as
 *    above plus message_id, publisher_id {type, value}, writer_group_name,
 *    dataset_class_id, field names and dataset_writer_name where given),
 *    "metadata_message" (ua-metadata) or "status_message" (ua-status).
 */
#ifndef UG_TESTS_CHECK_JSON_H
#define UG_TESTS_CHECK_JSON_H

#include <stddef.h>

#include <jansson.h>

#include "expect.h"
#include "uagate/types.h"

/* Checks DIR/FILE (FILE ends in ".json"). Returns 0 when it matches, -1 with
 * why filled. note (always NUL-terminated) says what was compared and which
 * tolerance applied, for -v. The arena is reset and used for the decode. */
int ug_check_json_vector(const char *dir, const char *file, ug_arena *arena, char *note,
                         size_t note_cap, char *why, size_t why_cap);

/* Cross-codec round trip of a UADP vector that matched its expectation:
 * nm (decoded with the vector's layouts, unsecured) -> JSON (Compact and
 * Verbose, JSON-NetworkMessage layout, every DataSetMessage header field) ->
 * model, compared content-only with expect_nm; then what JSON cannot carry is
 * restored from nm (the configuration's part: tests/json/test_crosscodec.c)
 * and the UADP encoding must equal that of nm. 0 or -1 with why. */
int ug_check_json_crosscodec(const json_t *expect_nm, const ug_nm *nm,
                             const ug_expect_layouts *lay, char *note, size_t note_cap, char *why,
                             size_t why_cap);

#endif
