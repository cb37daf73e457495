/* Private (transports/mqtt): the optional on-disk copy of the send queue
 * (store-and-forward across a gateway restart).
 *
 * File format, append-only, little-endian:
 *   file   = magic record*
 *   magic  = "UGMQTTQ1"                      8 bytes
 *   record = 'M' flags:u8 len:u32 payload    a message joined the queue tail
 *          | 'D' count:u32                   count messages left the queue head
 *                                            (handed to the broker or dropped)
 * The live queue is every 'M' after the first (sum of counts) ones. A record
 * cut short at the end (a crash during a write) is ignored. At open the file
 * is replayed into the queue and rewritten with just the live messages; it
 * is emptied whenever the queue empties and rewritten when it grows past
 * twice the queue's size. Messages handed to the library and not yet
 * acknowledged are not in the file (at most max_inflight).
 * Writes go to the page cache from the loop thread (no fsync per message).
 */
#ifndef UG_MQTT_STORE_H
#define UG_MQTT_STORE_H

#include <stdint.h>

#include "mqtt_queue.h"
#include "uagate/transport.h"

struct ug_mqtt_store {
    int fd;            /* -1: no file */
    char *path;
    uint64_t size;     /* bytes in the file */
    uint32_t pending_d; /* head removals not yet written */
};

/* Opens (or creates) path, replays it into q (dropping the oldest when q is
 * now smaller, counted in *dropped) and rewrites it compact.
 * Returns Good; BadDecodingError (not a queue file, or a bad record, with
 * the offset in the error buffer); BadUserAccessDenied, BadNotFound,
 * BadCommunicationError (I/O); BadOutOfMemory. */
ug_status ug_mqtt_store_open(struct ug_mqtt_store *s, const char *path, struct ug_mqttq *q,
                             uint64_t *dropped, const ug_transport_opts *o);
/* Appends an 'M' record. Returns Good or BadCommunicationError (the store is
 * then closed: the queue goes on in memory only). */
ug_status ug_mqtt_store_push(struct ug_mqtt_store *s, const uint8_t *data, uint32_t len,
                             uint8_t flags);
/* Notes that n messages left the queue head (written by ug_mqtt_store_sync). */
void ug_mqtt_store_pop(struct ug_mqtt_store *s, uint32_t n);
/* Writes pending removals; empties or rewrites the file as described above.
 * Returns Good or BadCommunicationError (store closed). */
ug_status ug_mqtt_store_sync(struct ug_mqtt_store *s, const struct ug_mqttq *q);
void ug_mqtt_store_close(struct ug_mqtt_store *s);

#endif
