/* The MQTT send queue's file: replay at open, append while running, compact
 * when empty or too large. Format in mqtt_store.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "../common/transport_impl.h"
#include "mqtt_store.h"

static const char magic[8] = {'U', 'G', 'M', 'Q', 'T', 'T', 'Q', '1'};

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static bool write_all(int fd, struct iovec *iov, int n)
{
    while (n > 0) {
        ssize_t w = writev(fd, iov, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        while (n > 0 && (size_t)w >= iov->iov_len) {
            w -= (ssize_t)iov->iov_len;
            iov++;
            n--;
        }
        if (n > 0) {
            iov->iov_base = (uint8_t *)iov->iov_base + w;
            iov->iov_len -= (size_t)w;
        }
    }
    return true;
}

static ug_status fail(struct ug_mqtt_store *s)
{
    ug_mqtt_store_close(s);
    return UG_STATUS_BADCOMMUNICATIONERROR;
}

struct rewrite {
    int fd;
    uint64_t size;
    bool ok;
};

static bool write_rec(void *ctx, uint8_t flags, const uint8_t *a, uint32_t alen,
                      const uint8_t *b, uint32_t blen)
{
    struct rewrite *r = ctx;
    uint8_t hdr[6] = {'M', flags};
    put_u32(hdr + 2, alen + blen);
    struct iovec iov[3] = {{hdr, sizeof hdr}, {(void *)a, alen}, {(void *)b, blen}};
    r->ok = write_all(r->fd, iov, blen ? 3 : 2);
    r->size += sizeof hdr + alen + blen;
    return r->ok;
}

/* Writes the live queue to PATH.tmp and renames it over PATH, so a crash
 * leaves either the old file or the new one. */
static ug_status rewrite(struct ug_mqtt_store *s, const struct ug_mqttq *q)
{
    size_t n = strlen(s->path) + 5;
    char *tmp = malloc(n);
    if (!tmp)
        return fail(s);
    snprintf(tmp, n, "%s.tmp", s->path);
    struct rewrite r = {.fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600),
                        .size = sizeof magic, .ok = true};
    if (r.fd < 0) {
        free(tmp);
        return fail(s);
    }
    struct iovec iov = {(void *)magic, sizeof magic};
    r.ok = write_all(r.fd, &iov, 1);
    if (r.ok)
        ug_mqttq_walk(q, write_rec, &r);
    if (r.ok)
        r.ok = fdatasync(r.fd) == 0;
    close(r.fd);
    if (r.ok)
        r.ok = rename(tmp, s->path) == 0;
    if (!r.ok)
        unlink(tmp);
    free(tmp);
    if (!r.ok)
        return fail(s);
    if (s->fd >= 0)
        close(s->fd);
    s->fd = open(s->path, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (s->fd < 0)
        return fail(s);
    s->size = r.size;
    s->pending_d = 0;
    return UG_STATUS_GOOD;
}

static ug_status replay(const uint8_t *buf, size_t len, struct ug_mqttq *q, uint64_t *dropped,
                        const ug_transport_opts *o, const char *path)
{
    if (len == 0)
        return UG_STATUS_GOOD; /* new file */
    if (len < sizeof magic || memcmp(buf, magic, sizeof magic) != 0)
        return ug_tr_err(o, UG_STATUS_BADDECODINGERROR, "mqtt: \"%s\" is not a queue file",
                         path);
    /* Pass 1: how many messages left the head; pass 2: queue the rest. */
    uint64_t gone = 0;
    for (int pass = 0; pass < 2; pass++) {
        size_t off = sizeof magic;
        uint64_t seen = 0;
        while (off < len) {
            uint8_t type = buf[off];
            if (type == 'D') {
                if (len - off < 5)
                    break; /* cut short by a crash */
                if (pass == 0)
                    gone += get_u32(buf + off + 1);
                off += 5;
            } else if (type == 'M') {
                if (len - off < 6)
                    break;
                uint32_t n = get_u32(buf + off + 2);
                if (len - off - 6 < n)
                    break;
                if (pass == 1 && seen++ >= gone) {
                    if (!ug_mqttq_ever_fits(q, n)) {
                        (*dropped)++;
                    } else {
                        while (!ug_mqttq_fits(q, n)) {
                            ug_mqttq_drop(q);
                            (*dropped)++;
                        }
                        ug_mqttq_push(q, buf + off + 6, n, buf[off + 1]);
                    }
                }
                off += 6 + (size_t)n;
            } else {
                return ug_tr_err(o, UG_STATUS_BADDECODINGERROR,
                                 "mqtt: queue file \"%s\": bad record type 0x%02x at offset %zu",
                                 path, type, off);
            }
        }
    }
    return UG_STATUS_GOOD;
}

ug_status ug_mqtt_store_open(struct ug_mqtt_store *s, const char *path, struct ug_mqttq *q,
                             uint64_t *dropped, const ug_transport_opts *o)
{
    memset(s, 0, sizeof *s);
    s->fd = -1;
    s->path = strdup(path);
    if (!s->path)
        return ug_tr_err(o, UG_STATUS_BADOUTOFMEMORY, "out of memory");
    int fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        int e = errno;
        ug_mqtt_store_close(s);
        return ug_tr_err(o, ug_tr_errno_status(e), "mqtt: queue file \"%s\": %s", path,
                         strerror(e));
    }
    struct stat sb;
    uint8_t *buf = NULL;
    size_t len = 0;
    ug_status st = UG_STATUS_GOOD;
    if (fstat(fd, &sb) != 0) {
        st = ug_tr_err(o, UG_STATUS_BADCOMMUNICATIONERROR, "mqtt: queue file: %s",
                       strerror(errno));
    } else if (sb.st_size > 0) {
        len = (size_t)sb.st_size;
        buf = malloc(len);
        if (!buf)
            st = ug_tr_err(o, UG_STATUS_BADOUTOFMEMORY, "out of memory");
        for (size_t got = 0; ug_is_good(st) && got < len;) {
            ssize_t r = read(fd, buf + got, len - got);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0) {
                st = ug_tr_err(o, UG_STATUS_BADCOMMUNICATIONERROR,
                               "mqtt: queue file \"%s\": read failed", path);
                break;
            }
            got += (size_t)r;
        }
    }
    close(fd);
    if (ug_is_good(st))
        st = replay(buf, len, q, dropped, o, path);
    free(buf);
    if (ug_is_good(st) && ug_is_bad(rewrite(s, q)))
        st = ug_tr_err(o, UG_STATUS_BADCOMMUNICATIONERROR,
                       "mqtt: queue file \"%s\": cannot rewrite it", path);
    if (ug_is_bad(st))
        ug_mqtt_store_close(s);
    return st;
}

ug_status ug_mqtt_store_push(struct ug_mqtt_store *s, const uint8_t *data, uint32_t len,
                             uint8_t flags)
{
    if (s->fd < 0)
        return UG_STATUS_GOOD;
    uint8_t hdr[6] = {'M', flags};
    put_u32(hdr + 2, len);
    struct iovec iov[2] = {{hdr, sizeof hdr}, {(void *)data, len}};
    if (!write_all(s->fd, iov, len ? 2 : 1))
        return fail(s);
    s->size += sizeof hdr + len;
    return UG_STATUS_GOOD;
}

void ug_mqtt_store_pop(struct ug_mqtt_store *s, uint32_t n)
{
    if (s->fd >= 0)
        s->pending_d += n;
}

ug_status ug_mqtt_store_sync(struct ug_mqtt_store *s, const struct ug_mqttq *q)
{
    if (s->fd < 0 || s->pending_d == 0)
        return UG_STATUS_GOOD;
    if (q->count == 0) {
        if (ftruncate(s->fd, sizeof magic) != 0)
            return fail(s);
        s->size = sizeof magic;
        s->pending_d = 0;
        return UG_STATUS_GOOD;
    }
    if (s->size > 2 * (uint64_t)q->cap + sizeof magic)
        return rewrite(s, q);
    uint8_t rec[5] = {'D'};
    put_u32(rec + 1, s->pending_d);
    struct iovec iov = {rec, sizeof rec};
    if (!write_all(s->fd, &iov, 1))
        return fail(s);
    s->size += sizeof rec;
    s->pending_d = 0;
    return UG_STATUS_GOOD;
}

void ug_mqtt_store_close(struct ug_mqtt_store *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    free(s->path);
    s->path = NULL;
}
