/* print — readable text and JSON dumps of a decoded NetworkMessage.
 *
 * Text: one indented line per header field present, each DataSetMessage and
 * each field as "index: Type value". JSON: one object in the field names of
 * the test vectors' .expect.json schema (tests/vectors/open62541/README.md),
 * without the DataSetMessage flag bytes (the model has presence flags, not
 * wire bits); the NetworkMessage flag bytes are read from `wire`.
 *
 * Both only read their arguments; `wire` is the message the model was
 * decoded from (for flag bytes and undecoded parts), may be NULL.
 */
#ifndef UG_GATEWAY_PRINT_H
#define UG_GATEWAY_PRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "uagate/pubsub_msg.h"

/* What the decode command knew and did not: printed with the message. */
typedef struct ug_print_info {
    bool encrypted_payload; /* header decoded, payload left encrypted (no keys) */
    /* PayloadHeader DataSetWriterIds when nm->dsm is NULL (encrypted
     * payload): n_writer_ids little-endian UInt16 (ug_uadp_frame's view). */
    unsigned n_writer_ids;
    const uint8_t *writer_ids;
} ug_print_info;

/* The PayloadHeader's DataSetWriterIds: from the DataSetMessages, or from
 * info when the payload was not decoded. */
unsigned ug_print_n_writer_ids(const ug_nm *nm, const ug_print_info *info);
unsigned ug_print_writer_id(const ug_nm *nm, const ug_print_info *info, unsigned i);

void ug_print_nm_text(FILE *f, const ug_nm *nm, const uint8_t *wire, size_t len,
                      const ug_print_info *info);
void ug_print_nm_json(FILE *f, const ug_nm *nm, const uint8_t *wire, size_t len,
                      const ug_print_info *info);

/* Text form of one Variant ("Int32 5", "Double[3] [1, 2, 3]", "Null"). */
void ug_print_variant_text(FILE *f, const ug_variant *v);
/* Schema JSON form of one Variant / DataValue. */
void ug_print_variant_json(FILE *f, const ug_variant *v);
void ug_print_datavalue_json(FILE *f, const ug_datavalue *dv);

/* A JSON string literal of n bytes (UTF-8 passed through, controls escaped). */
void ug_print_json_string(FILE *f, const uint8_t *s, size_t n);
/* Lowercase hex of n bytes. */
void ug_print_hex(FILE *f, const uint8_t *s, size_t n);
/* "2024-01-01T00:00:00.0000000Z" for a DateTime, or "" when out of range;
 * buf needs 40 bytes. */
const char *ug_print_datetime_iso(int64_t ticks, char buf[40]);

#endif
