/* AMQP 1.0 messages for Part 14 1.05 §7.3.4.7 (header fields) and §7.3.4.8
 * (body): the typed options become message, application, connection and link
 * properties; promoted fields become application properties; received
 * messages are read back through views. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amqp_internal.h"

/* Part 14 §7.3.4.7 Table 199 (message-<name> keys) and the type each takes. */
enum std_prop {
    SP_TO,
    SP_USER_ID,
    SP_REPLY_TO,
    SP_CORRELATION_ID,
    SP_CONTENT_ENCODING,
    SP_GROUP_ID,
    SP_GROUP_SEQUENCE,
    SP_REPLY_TO_GROUP_ID,
    SP_EXPIRY,
    SP_CREATION
};
static const struct {
    const char *name;
    uint8_t type;
} std_props[] = {
    [SP_TO] = {"to", UG_TYPE_STRING},
    [SP_USER_ID] = {"user-id", UG_TYPE_BYTESTRING},
    [SP_REPLY_TO] = {"reply-to", UG_TYPE_STRING},
    [SP_CORRELATION_ID] = {"correlation-id", UG_TYPE_STRING},
    [SP_CONTENT_ENCODING] = {"content-encoding", UG_TYPE_STRING},
    [SP_GROUP_ID] = {"group-id", UG_TYPE_STRING},
    [SP_GROUP_SEQUENCE] = {"group-sequence", UG_TYPE_UINT32},
    [SP_REPLY_TO_GROUP_ID] = {"reply-to-group-id", UG_TYPE_STRING},
    [SP_EXPIRY] = {"absolute-expiry-time", UG_TYPE_DATETIME},
    [SP_CREATION] = {"creation-time", UG_TYPE_DATETIME},
};

static pn_bytes_t pnb(ug_bytes b)
{
    return pn_bytes(b.len > 0 ? (size_t)b.len : 0, (const char *)b.data);
}

/* DateTime (100 ns since 1601) to an AMQP timestamp (ms since 1970). */
static int64_t ticks_to_ms(int64_t ticks)
{
    return (ticks - UG_DATETIME_UNIX_EPOCH) / 10000;
}

/* Part 6 §5.1.3 Guid to the RFC 4122 byte order of an AMQP uuid. */
static pn_uuid_t guid_to_uuid(const ug_guid *g)
{
    pn_uuid_t u;
    uint8_t *b = (uint8_t *)u.bytes;
    b[0] = (uint8_t)(g->data1 >> 24);
    b[1] = (uint8_t)(g->data1 >> 16);
    b[2] = (uint8_t)(g->data1 >> 8);
    b[3] = (uint8_t)g->data1;
    b[4] = (uint8_t)(g->data2 >> 8);
    b[5] = (uint8_t)g->data2;
    b[6] = (uint8_t)(g->data3 >> 8);
    b[7] = (uint8_t)g->data3;
    memcpy(b + 8, g->data4, 8);
    return u;
}

static ug_guid uuid_to_guid(const pn_uuid_t *u)
{
    const uint8_t *b = (const uint8_t *)u->bytes;
    ug_guid g;
    g.data1 = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    g.data2 = (uint16_t)(b[4] << 8 | b[5]);
    g.data3 = (uint16_t)(b[6] << 8 | b[7]);
    memcpy(g.data4, b + 8, 8);
    return g;
}

bool ug_amqp_put_variant(pn_data_t *d, const ug_variant *v)
{
    if (ug_variant_is_array(v))
        return false;
    const ug_scalar *s = &v->u.v;
    switch (v->type) {
    case UG_TYPE_BOOLEAN: return pn_data_put_bool(d, s->boolean) == 0;
    case UG_TYPE_SBYTE: return pn_data_put_byte(d, s->sbyte) == 0;
    case UG_TYPE_BYTE: return pn_data_put_ubyte(d, s->byte) == 0;
    case UG_TYPE_INT16: return pn_data_put_short(d, s->int16) == 0;
    case UG_TYPE_UINT16: return pn_data_put_ushort(d, s->uint16) == 0;
    case UG_TYPE_INT32: return pn_data_put_int(d, s->int32) == 0;
    case UG_TYPE_UINT32: return pn_data_put_uint(d, s->uint32) == 0;
    case UG_TYPE_INT64: return pn_data_put_long(d, s->int64) == 0;
    case UG_TYPE_UINT64: return pn_data_put_ulong(d, s->uint64) == 0;
    case UG_TYPE_FLOAT: return pn_data_put_float(d, s->f32) == 0;
    case UG_TYPE_DOUBLE: return pn_data_put_double(d, s->f64) == 0;
    case UG_TYPE_STRING: return pn_data_put_string(d, pnb(s->string)) == 0;
    case UG_TYPE_DATETIME: return pn_data_put_timestamp(d, ticks_to_ms(s->datetime)) == 0;
    case UG_TYPE_GUID: return pn_data_put_uuid(d, guid_to_uuid(&s->guid)) == 0;
    case UG_TYPE_BYTESTRING: return pn_data_put_binary(d, pnb(s->string)) == 0;
    case UG_TYPE_NODEID: {
        char buf[512];
        size_t n = ug_nodeid_print(&s->nodeid, buf, sizeof buf);
        if (n >= sizeof buf)
            return false;
        return pn_data_put_string(d, pn_bytes(n, buf)) == 0;
    }
    default: return false;
    }
}

static bool variant_ok(const ug_variant *v)
{
    if (ug_variant_is_array(v))
        return false;
    return (v->type >= UG_TYPE_BOOLEAN && v->type <= UG_TYPE_BYTESTRING) ||
           v->type == UG_TYPE_NODEID;
}

/* Key then value, or nothing when the type is left out. */
static bool put_pair(pn_data_t *d, const char *key, bool symbol, const ug_variant *v)
{
    if (!variant_ok(v))
        return false;
    pn_bytes_t k = pn_bytes(strlen(key), key);
    if ((symbol ? pn_data_put_symbol(d, k) : pn_data_put_string(d, k)) != 0)
        return false;
    return ug_amqp_put_variant(d, v);
}

/* A NUL-terminated copy of a String/ByteString view, for proton's setters. */
static char *cstr(ug_string s)
{
    size_t n = s.len > 0 ? (size_t)s.len : 0;
    char *c = malloc(n + 1);
    if (c) {
        if (n)
            memcpy(c, s.data, n);
        c[n] = '\0';
    }
    return c;
}

static ug_status set_std(struct ug_amqp *a, const ug_transport_opts *o, enum std_prop p,
                         const ug_variant *v)
{
    pn_message_t *m = a->tx;
    bool ok_type = !ug_variant_is_array(v) &&
                   (v->type == std_props[p].type || (p == SP_USER_ID && v->type == UG_TYPE_STRING));
    if (!ok_type)
        return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT, "amqp: message-%s needs a %s",
                         std_props[p].name, ug_type_name(std_props[p].type));
    const ug_scalar *s = &v->u.v;
    if (p == SP_USER_ID)
        return pn_message_set_user_id(m, pnb(s->string)) == 0 ? UG_STATUS_GOOD
                                                              : UG_STATUS_BADOUTOFMEMORY;
    if (p == SP_GROUP_SEQUENCE)
        return pn_message_set_group_sequence(m, (pn_sequence_t)s->uint32) == 0
                   ? UG_STATUS_GOOD
                   : UG_STATUS_BADOUTOFMEMORY;
    if (p == SP_EXPIRY || p == SP_CREATION) {
        int64_t ms = ticks_to_ms(s->datetime);
        int rc = p == SP_EXPIRY ? pn_message_set_expiry_time(m, ms)
                                : pn_message_set_creation_time(m, ms);
        return rc == 0 ? UG_STATUS_GOOD : UG_STATUS_BADOUTOFMEMORY;
    }
    char *c = cstr(s->string);
    if (!c)
        return UG_STATUS_BADOUTOFMEMORY;
    int rc = 0;
    switch (p) {
    case SP_TO: rc = pn_message_set_address(m, c); break;
    case SP_REPLY_TO: rc = pn_message_set_reply_to(m, c); break;
    case SP_CONTENT_ENCODING: rc = pn_message_set_content_encoding(m, c); break;
    case SP_GROUP_ID: rc = pn_message_set_group_id(m, c); break;
    case SP_REPLY_TO_GROUP_ID: rc = pn_message_set_reply_to_group_id(m, c); break;
    case SP_CORRELATION_ID: {
        pn_data_t *cid = pn_message_correlation_id(m);
        pn_data_clear(cid);
        rc = pn_data_put_string(cid, pn_bytes(strlen(c), c));
        break;
    }
    default: break;
    }
    free(c);
    return rc == 0 ? UG_STATUS_GOOD : UG_STATUS_BADOUTOFMEMORY;
}

static bool has_prefix(const char *s, const char *p, const char **rest)
{
    size_t n = strlen(p);
    if (strncmp(s, p, n) != 0)
        return false;
    *rest = s + n;
    return true;
}

ug_status ug_amqp_props_init(struct ug_amqp *a, const ug_transport_opts *o)
{
    const ug_amqp_opts *ao = &o->amqp;
    a->conn_props = pn_data(0);
    a->link_props = pn_data(0);
    a->app_props = pn_data(0);
    a->tx = pn_message();
    a->rx = pn_message();
    if (!a->conn_props || !a->link_props || !a->app_props || !a->tx || !a->rx)
        return ug_tr_err(o, UG_STATUS_BADOUTOFMEMORY, "amqp: out of memory");
    /* Part 14 §7.3.4.8: the NetworkMessage is the binary of a data section. */
    pn_message_set_inferred(a->tx, true);
    pn_message_set_content_type(a->tx, a->content_type);
    /* At least once only means something when the broker keeps the message
     * over its own restart. */
    pn_message_set_durable(a->tx, !a->presettled);
    if (ao->nprops && !ao->props)
        return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT, "amqp: nprops without props");
    for (size_t i = 0; i < ao->nprops; i++) {
        const ug_amqp_prop *p = &ao->props[i];
        const char *name;
        if (!p->key || !p->key[0])
            return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT, "amqp: property %zu has no key", i);
        if (has_prefix(p->key, "message-", &name)) {
            size_t k = 0;
            while (k < sizeof std_props / sizeof std_props[0] && strcmp(std_props[k].name, name))
                k++;
            if (k == sizeof std_props / sizeof std_props[0])
                return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT,
                                 "amqp: \"%s\" is not a settable AMQP message property "
                                 "(message-id, subject and content-type are the transport's)",
                                 p->key);
            ug_status st = set_std(a, o, (enum std_prop)k, &p->value);
            if (ug_is_bad(st))
                return st;
            continue;
        }
        if (has_prefix(p->key, "session-", &name))
            return ug_tr_err(o, UG_STATUS_BADNOTSUPPORTED,
                             "amqp: \"%s\": qpid-proton 0.37 cannot send session properties",
                             p->key);
        pn_data_t *d = a->app_props;
        bool symbol = false;
        if (has_prefix(p->key, "connection-", &name)) {
            d = a->conn_props;
            symbol = true; /* fields: map of symbol keys (AMQP 1.0 §2.7.1 open.properties) */
        } else if (has_prefix(p->key, "link-", &name)) {
            d = a->link_props;
            symbol = true;
        } else {
            name = p->key;
        }
        if (!name[0] || !put_pair(d, name, symbol, &p->value))
            return ug_tr_err(o, UG_STATUS_BADINVALIDARGUMENT,
                             "amqp: property \"%s\": empty name, or type %s has no AMQP form",
                             p->key,
                             ug_type_name(p->value.type) ? ug_type_name(p->value.type) : "?");
    }
    return UG_STATUS_GOOD;
}

void ug_amqp_put_props_map(pn_data_t *d, pn_data_t *flat)
{
    if (pn_data_size(flat) == 0)
        return;
    pn_data_put_map(d);
    pn_data_enter(d);
    pn_data_append(d, flat);
    pn_data_exit(d);
}

static void next_message_id(struct ug_amqp *a, pn_uuid_t *u)
{
    uint8_t *b = (uint8_t *)u->bytes;
    memcpy(b, a->id_prefix, 8);
    uint64_t n = ++a->id_counter;
    for (int i = 15; i >= 8; i--, n >>= 8)
        b[i] = (uint8_t)n;
    /* RFC 4122 §4.4 version 4 / variant 10 bits: 58 random bits stay, the
     * counter keeps 62 bits. */
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
}

ug_status ug_amqp_encode(struct ug_amqp *a, struct amqp_entry *e, ug_bytes body,
                         const ug_amqp_send_info *info)
{
    pn_message_t *m = a->tx;
    pn_uuid_t id;
    next_message_id(a, &id);
    pn_data_t *idd = pn_message_id(m);
    pn_data_clear(idd);
    pn_data_put_uuid(idd, id);
    /* Part 14 §7.3.4.7 Table 198. */
    pn_message_set_subject(m, info && info->metadata ? "ua-metadata" : "ua-data");
    pn_data_t *props = pn_message_properties(m);
    pn_data_clear(props);
    size_t npromoted = info && info->promoted ? info->npromoted : 0;
    if (pn_data_size(a->app_props) > 0 || npromoted > 0) {
        pn_data_put_map(props);
        pn_data_enter(props);
        pn_data_append(props, a->app_props);
        for (size_t i = 0; i < npromoted; i++) {
            const ug_amqp_prop *p = &info->promoted[i];
            if (p->key && p->key[0])
                put_pair(props, p->key, false, &p->value); /* other types: left out */
        }
        pn_data_exit(props);
    }
    pn_data_t *b = pn_message_body(m);
    pn_data_clear(b);
    pn_data_put_binary(b, pnb(body));
    for (;;) {
        size_t size = e->cap;
        int rc = e->buf ? pn_message_encode(m, (char *)e->buf, &size) : PN_OVERFLOW;
        if (rc == 0) {
            e->len = size;
            return UG_STATUS_GOOD;
        }
        if (rc != PN_OVERFLOW)
            return UG_STATUS_BADENCODINGERROR;
        size_t ncap = e->cap ? e->cap * 2 : (size_t)body.len + 1024;
        uint8_t *nb = realloc(e->buf, ncap);
        if (!nb)
            return UG_STATUS_BADOUTOFMEMORY;
        e->buf = nb;
        e->cap = ncap;
    }
}

static ug_string view(const char *s)
{
    return s ? (ug_string){(const uint8_t *)s, (int32_t)strlen(s)} : UG_NULL_BYTES;
}

ug_status ug_amqp_decode(struct ug_amqp *a, ug_bytes *body)
{
    pn_message_clear(a->rx);
    if (pn_message_decode(a->rx, (const char *)a->rxbuf, a->rxlen) != 0)
        return UG_STATUS_BADDECODINGERROR;
    pn_data_t *b = pn_message_body(a->rx);
    pn_data_rewind(b);
    if (!pn_data_next(b))
        return UG_STATUS_BADDECODINGERROR;
    pn_bytes_t v;
    switch (pn_data_type(b)) {
    case PN_BINARY: v = pn_data_get_binary(b); break;
    case PN_STRING: v = pn_data_get_string(b); break;
    default: return UG_STATUS_BADDECODINGERROR;
    }
    if (v.size > INT32_MAX)
        return UG_STATUS_BADDECODINGERROR;
    *body = (ug_bytes){(const uint8_t *)v.start, (int32_t)v.size};
    if (body->len == 0)
        body->data = NULL;
    return UG_STATUS_GOOD;
}

static ug_string id_text(struct ug_amqp *a)
{
    pn_data_t *d = pn_message_id(a->rx);
    pn_data_rewind(d);
    if (!pn_data_next(d))
        return UG_NULL_BYTES;
    int n = -1;
    switch (pn_data_type(d)) {
    case PN_UUID: {
        const uint8_t *u = (const uint8_t *)pn_data_get_uuid(d).bytes;
        n = snprintf(a->rx_id, sizeof a->rx_id,
                     "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0],
                     u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12],
                     u[13], u[14], u[15]);
        break;
    }
    case PN_ULONG: n = snprintf(a->rx_id, sizeof a->rx_id, "%" PRIu64, pn_data_get_ulong(d)); break;
    case PN_STRING: {
        pn_bytes_t s = pn_data_get_string(d);
        return (ug_string){(const uint8_t *)s.start, (int32_t)s.size};
    }
    case PN_BINARY: {
        pn_bytes_t s = pn_data_get_binary(d);
        return (ug_string){(const uint8_t *)s.start, (int32_t)s.size};
    }
    default: return UG_NULL_BYTES;
    }
    return (ug_string){(const uint8_t *)a->rx_id, n};
}

ug_status ug_transport_amqp_rx(ug_transport *t, ug_amqp_rx *out)
{
    if (!t || !out)
        return UG_STATUS_BADINVALIDARGUMENT;
    if (t->ops->kind != UG_TRANSPORT_AMQP || !amqp_of(t)->in_recv)
        return UG_STATUS_BADINVALIDSTATE;
    struct ug_amqp *a = amqp_of(t);
    out->message_id = id_text(a);
    out->subject = view(pn_message_get_subject(a->rx));
    out->content_type = view(pn_message_get_content_type(a->rx));
    out->to = view(pn_message_get_address(a->rx));
    out->reply_to = view(pn_message_get_reply_to(a->rx));
    pn_data_t *p = pn_message_properties(a->rx);
    pn_data_rewind(p);
    out->nprops = pn_data_next(p) && pn_data_type(p) == PN_MAP ? pn_data_get_map(p) / 2 : 0;
    return UG_STATUS_GOOD;
}

static ug_status get_value(pn_data_t *d, ug_variant *v)
{
    ug_scalar *s = &v->u.v;
    pn_bytes_t b;
    switch (pn_data_type(d)) {
    case PN_BOOL:
        *v = ug_variant_scalar(UG_TYPE_BOOLEAN);
        s->boolean = pn_data_get_bool(d);
        break;
    case PN_BYTE:
        *v = ug_variant_scalar(UG_TYPE_SBYTE);
        s->sbyte = pn_data_get_byte(d);
        break;
    case PN_UBYTE:
        *v = ug_variant_scalar(UG_TYPE_BYTE);
        s->byte = pn_data_get_ubyte(d);
        break;
    case PN_SHORT:
        *v = ug_variant_scalar(UG_TYPE_INT16);
        s->int16 = pn_data_get_short(d);
        break;
    case PN_USHORT:
        *v = ug_variant_scalar(UG_TYPE_UINT16);
        s->uint16 = pn_data_get_ushort(d);
        break;
    case PN_INT:
        *v = ug_variant_scalar(UG_TYPE_INT32);
        s->int32 = pn_data_get_int(d);
        break;
    case PN_UINT:
        *v = ug_variant_scalar(UG_TYPE_UINT32);
        s->uint32 = pn_data_get_uint(d);
        break;
    case PN_LONG:
        *v = ug_variant_scalar(UG_TYPE_INT64);
        s->int64 = pn_data_get_long(d);
        break;
    case PN_ULONG:
        *v = ug_variant_scalar(UG_TYPE_UINT64);
        s->uint64 = pn_data_get_ulong(d);
        break;
    case PN_FLOAT:
        *v = ug_variant_scalar(UG_TYPE_FLOAT);
        s->f32 = pn_data_get_float(d);
        break;
    case PN_DOUBLE:
        *v = ug_variant_scalar(UG_TYPE_DOUBLE);
        s->f64 = pn_data_get_double(d);
        break;
    case PN_TIMESTAMP:
        *v = ug_variant_scalar(UG_TYPE_DATETIME);
        s->datetime = pn_data_get_timestamp(d) * 10000 + UG_DATETIME_UNIX_EPOCH;
        break;
    case PN_UUID: {
        pn_uuid_t u = pn_data_get_uuid(d);
        *v = ug_variant_scalar(UG_TYPE_GUID);
        s->guid = uuid_to_guid(&u);
        break;
    }
    case PN_STRING:
    case PN_SYMBOL:
        b = pn_data_type(d) == PN_STRING ? pn_data_get_string(d) : pn_data_get_symbol(d);
        *v = ug_variant_scalar(UG_TYPE_STRING);
        s->string = (ug_string){(const uint8_t *)b.start, (int32_t)b.size};
        break;
    case PN_BINARY:
        b = pn_data_get_binary(d);
        *v = ug_variant_scalar(UG_TYPE_BYTESTRING);
        s->string = (ug_string){(const uint8_t *)b.start, (int32_t)b.size};
        break;
    default: return UG_STATUS_BADNOTSUPPORTED;
    }
    return UG_STATUS_GOOD;
}

ug_status ug_transport_amqp_rx_prop(ug_transport *t, const char *name, ug_variant *out)
{
    if (!t || !name || !out)
        return UG_STATUS_BADINVALIDARGUMENT;
    if (t->ops->kind != UG_TRANSPORT_AMQP || !amqp_of(t)->in_recv)
        return UG_STATUS_BADINVALIDSTATE;
    pn_data_t *p = pn_message_properties(amqp_of(t)->rx);
    pn_data_rewind(p);
    if (!pn_data_next(p) || pn_data_type(p) != PN_MAP)
        return UG_STATUS_BADNOTFOUND;
    size_t n = pn_data_get_map(p) / 2, len = strlen(name);
    pn_data_enter(p);
    for (size_t i = 0; i < n; i++) {
        if (!pn_data_next(p))
            break;
        pn_bytes_t k = pn_data_type(p) == PN_STRING ? pn_data_get_string(p) : pn_bytes(0, NULL);
        if (!pn_data_next(p))
            break;
        if (k.size == len && memcmp(k.start, name, len) == 0) {
            ug_status st = get_value(p, out);
            pn_data_exit(p);
            return st;
        }
    }
    pn_data_exit(p);
    return UG_STATUS_BADNOTFOUND;
}
