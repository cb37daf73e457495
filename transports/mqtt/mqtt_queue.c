/* The MQTT transport's bounded send queue: records in one byte ring. */
#include <stdlib.h>
#include <string.h>

#include "mqtt_queue.h"

ug_status ug_mqttq_init(struct ug_mqttq *q, uint32_t max_count, uint32_t max_bytes)
{
    memset(q, 0, sizeof *q);
    q->ring = malloc(max_bytes);
    if (!q->ring)
        return UG_STATUS_BADOUTOFMEMORY;
    q->cap = max_bytes;
    q->max_count = max_count;
    return UG_STATUS_GOOD;
}

void ug_mqttq_free(struct ug_mqttq *q)
{
    free(q->ring);
    memset(q, 0, sizeof *q);
}

bool ug_mqttq_fits(const struct ug_mqttq *q, size_t len)
{
    return q->count < q->max_count && len <= q->cap - UG_MQTTQ_HDR &&
           q->used + UG_MQTTQ_HDR + len <= q->cap;
}

bool ug_mqttq_ever_fits(const struct ug_mqttq *q, size_t len)
{
    return q->max_count > 0 && q->cap >= UG_MQTTQ_HDR && len <= q->cap - UG_MQTTQ_HDR;
}

static void ring_put(struct ug_mqttq *q, uint32_t off, const uint8_t *src, uint32_t n)
{
    off %= q->cap;
    uint32_t first = q->cap - off < n ? q->cap - off : n;
    memcpy(q->ring + off, src, first);
    memcpy(q->ring, src + first, n - first);
}

static void ring_get(const struct ug_mqttq *q, uint32_t off, uint8_t *dst, uint32_t n)
{
    off %= q->cap;
    uint32_t first = q->cap - off < n ? q->cap - off : n;
    memcpy(dst, q->ring + off, first);
    memcpy(dst + first, q->ring, n - first);
}

void ug_mqttq_push(struct ug_mqttq *q, const uint8_t *data, uint32_t len, uint8_t flags)
{
    uint8_t hdr[UG_MQTTQ_HDR] = {(uint8_t)len, (uint8_t)(len >> 8), (uint8_t)(len >> 16),
                                 (uint8_t)(len >> 24), flags};
    uint32_t tail = q->head + q->used;
    ring_put(q, tail, hdr, UG_MQTTQ_HDR);
    if (len)
        ring_put(q, tail + UG_MQTTQ_HDR, data, len);
    q->used += UG_MQTTQ_HDR + len;
    q->count++;
}

bool ug_mqttq_peek(const struct ug_mqttq *q, uint32_t *len, uint8_t *flags)
{
    if (q->count == 0)
        return false;
    uint8_t hdr[UG_MQTTQ_HDR];
    ring_get(q, q->head, hdr, UG_MQTTQ_HDR);
    *len = (uint32_t)hdr[0] | (uint32_t)hdr[1] << 8 | (uint32_t)hdr[2] << 16 |
           (uint32_t)hdr[3] << 24;
    *flags = hdr[4];
    return true;
}

static void advance(struct ug_mqttq *q, uint32_t len)
{
    q->head = (q->head + UG_MQTTQ_HDR + len) % q->cap;
    q->used -= UG_MQTTQ_HDR + len;
    if (--q->count == 0)
        q->head = 0;
}

void ug_mqttq_take(struct ug_mqttq *q, uint8_t *dst)
{
    uint32_t len;
    uint8_t flags;
    if (!ug_mqttq_peek(q, &len, &flags))
        return;
    if (len)
        ring_get(q, q->head + UG_MQTTQ_HDR, dst, len);
    advance(q, len);
}

void ug_mqttq_drop(struct ug_mqttq *q)
{
    uint32_t len;
    uint8_t flags;
    if (ug_mqttq_peek(q, &len, &flags))
        advance(q, len);
}

uint32_t ug_mqttq_payload_bytes(const struct ug_mqttq *q)
{
    return q->used - q->count * UG_MQTTQ_HDR;
}

void ug_mqttq_walk(const struct ug_mqttq *q, ug_mqttq_walk_fn fn, void *ctx)
{
    uint32_t off = q->head;
    for (uint32_t i = 0; i < q->count; i++) {
        uint8_t hdr[UG_MQTTQ_HDR];
        ring_get(q, off, hdr, UG_MQTTQ_HDR);
        uint32_t len = (uint32_t)hdr[0] | (uint32_t)hdr[1] << 8 | (uint32_t)hdr[2] << 16 |
                       (uint32_t)hdr[3] << 24;
        uint32_t start = (off + UG_MQTTQ_HDR) % q->cap;
        uint32_t first = q->cap - start < len ? q->cap - start : len;
        if (!fn(ctx, hdr[4], q->ring + start, first, first < len ? q->ring : NULL, len - first))
            return;
        off = (off + UG_MQTTQ_HDR + len) % q->cap;
    }
}
