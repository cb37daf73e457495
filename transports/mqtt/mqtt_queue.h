/* Private (transports/mqtt): the bounded send queue of the MQTT transport.
 *
 * One byte ring allocated at open, so queueing never allocates. Each record
 * is an 8-byte header (payload length, flags) and the payload; a record may
 * wrap around the end of the ring. Bounds: a number of records and a number
 * of bytes (headers included). FIFO only: push at the tail, take or drop at
 * the head.
 */
#ifndef UG_MQTT_QUEUE_H
#define UG_MQTT_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uagate/status.h"

#define UG_MQTTQ_HDR 8u
#define UG_MQTTQ_RETAIN 0x01u /* publish to the metadata topic, retained */

struct ug_mqttq {
    uint8_t *ring;
    uint32_t cap;        /* bytes */
    uint32_t head;       /* offset of the oldest record */
    uint32_t used;       /* bytes in use, headers included */
    uint32_t count;
    uint32_t max_count;
};

/* Returns Good, BadOutOfMemory. */
ug_status ug_mqttq_init(struct ug_mqttq *q, uint32_t max_count, uint32_t max_bytes);
void ug_mqttq_free(struct ug_mqttq *q);
/* True when a record of len payload bytes fits now. */
bool ug_mqttq_fits(const struct ug_mqttq *q, size_t len);
/* True when a record of len bytes fits in an empty queue. */
bool ug_mqttq_ever_fits(const struct ug_mqttq *q, size_t len);
/* Appends; the caller checked ug_mqttq_fits. */
void ug_mqttq_push(struct ug_mqttq *q, const uint8_t *data, uint32_t len, uint8_t flags);
/* The oldest record's length and flags; false when empty. */
bool ug_mqttq_peek(const struct ug_mqttq *q, uint32_t *len, uint8_t *flags);
/* Copies the oldest record's payload into dst (room for its length) and
 * removes it. */
void ug_mqttq_take(struct ug_mqttq *q, uint8_t *dst);
/* Removes the oldest record. */
void ug_mqttq_drop(struct ug_mqttq *q);
/* Calls fn for every record, oldest first; a payload that wraps around the
 * ring comes in two pieces (b, blen may be NULL, 0). Stops when fn returns
 * false. */
typedef bool (*ug_mqttq_walk_fn)(void *ctx, uint8_t flags, const uint8_t *a, uint32_t alen,
                                 const uint8_t *b, uint32_t blen);
void ug_mqttq_walk(const struct ug_mqttq *q, ug_mqttq_walk_fn fn, void *ctx);
/* Payload bytes of all records. */
uint32_t ug_mqttq_payload_bytes(const struct ug_mqttq *q);

#endif
