/* Transport URL parsing: opc.udp://host[:port] and opc.eth://MAC[:VID[.PCP]]
 * (Part 14 1.04 §7.3.2 and §7.3.3 URL forms, the Address of §6.2.6.3),
 * amqp[s]://host[:port]/address and mqtt[s]://host[:port]/topic. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "uagate/transport.h"

static ug_status fail(char *err, size_t cap, ug_status st, const char *fmt, ...)
{
    if (err && cap > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, cap, fmt, ap);
        va_end(ap);
    }
    return st;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decimal number of at most max_digits digits, no sign, no leading '+'.
 * Returns the number of characters used, 0 when none. */
static size_t parse_dec(const char *s, unsigned max_digits, unsigned long *out)
{
    unsigned long v = 0;
    size_t i = 0;
    while (s[i] >= '0' && s[i] <= '9') {
        if (i == max_digits)
            return 0;
        v = v * 10 + (unsigned long)(s[i] - '0');
        i++;
    }
    *out = v;
    return i;
}

static bool host_char_ok(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.' || c == '_';
}

/* HOST[:PORT] at *sp, for every scheme that names a host: a name or IPv4
 * address of host_char_ok characters, or an IPv6 address in brackets (with
 * a zone after '%' when `zone`, RFC 6874). Fills u->host and u->port
 * (default_port when none) and leaves *sp after the port. Errors start with
 * "scheme: ". */
static ug_status parse_host_port(const char **sp, const char *scheme, bool zone,
                                 uint16_t default_port, ug_transport_url *u, char *err,
                                 size_t cap)
{
    const char *s = *sp, *host, *end;
    if (*s == '[') {
        host = s + 1;
        end = strchr(host, ']');
        if (!end)
            return fail(err, cap, UG_STATUS_BADTCPENDPOINTURLINVALID,
                        "%s: missing ']' after IPv6 address", scheme);
        for (const char *p = host; p < end; p++) {
            if (zone && *p == '%') {
                if (p + 1 == end)
                    return fail(err, cap, UG_STATUS_BADTCPENDPOINTURLINVALID,
                                "%s: empty IPv6 zone", scheme);
                break;
            }
            if (hexval(*p) < 0 && *p != ':' && *p != '.')
                return fail(err, cap, UG_STATUS_BADTCPENDPOINTURLINVALID,
                            "%s: bad character '%c' in IPv6 address", scheme, *p);
        }
        s = end + 1;
    } else {
        host = s;
        while (*s && *s != ':' && *s != '/') {
            if (!host_char_ok(*s))
                return fail(err, cap, UG_STATUS_BADTCPENDPOINTURLINVALID,
                            "%s: bad character '%c' in host", scheme, *s);
            s++;
        }
        end = s;
    }
    size_t hlen = (size_t)(end - host);
    if (hlen == 0)
        return fail(err, cap, UG_STATUS_BADTCPENDPOINTURLINVALID, "%s: empty host", scheme);
    if (hlen >= sizeof u->host)
        return fail(err, cap, UG_STATUS_BADTCPENDPOINTURLINVALID,
                    "%s: host longer than %zu characters", scheme, sizeof u->host - 1);
    memcpy(u->host, host, hlen);
    u->host[hlen] = '\0';
    u->port = default_port;
    if (*s == ':') {
        unsigned long port;
        size_t n = parse_dec(s + 1, 5, &port);
        if (n == 0 || port == 0 || port > 65535)
            return fail(err, cap, UG_STATUS_BADTCPENDPOINTURLINVALID,
                        "%s: port must be 1..65535", scheme);
        u->port = (uint16_t)port;
        s += 1 + n;
    }
    *sp = s;
    return UG_STATUS_GOOD;
}

static ug_status parse_udp(const char *s, ug_transport_url *u, char *err, size_t cap)
{
    ug_status st = parse_host_port(&s, "opc.udp", true, UG_UDP_DEFAULT_PORT, u, err, cap);
    if (st != UG_STATUS_GOOD)
        return st;
    /* A trailing "/" is tolerated (some tools write it); a path is not. */
    if (*s == '/')
        s++;
    if (*s)
        return fail(err, cap, UG_STATUS_BADTCPENDPOINTURLINVALID,
                    "opc.udp: unexpected text \"%s\" after the address", s);
    return UG_STATUS_GOOD;
}

static ug_status parse_eth(const char *s, ug_transport_url *u, char *err, size_t cap)
{
    char sep = 0;
    for (int i = 0; i < 6; i++) {
        int hi = hexval(s[0]), lo = hi >= 0 ? hexval(s[1]) : -1;
        if (hi < 0 || lo < 0)
            return fail(err, cap, UG_STATUS_BADTCPENDPOINTURLINVALID,
                        "opc.eth: MAC must be six hex pairs (01-00-5e-00-00-01)");
        u->mac[i] = (uint8_t)(hi << 4 | lo);
        s += 2;
        if (i == 5)
            break;
        if (*s != '-' && *s != ':')
            return fail(err, cap, UG_STATUS_BADTCPENDPOINTURLINVALID,
                        "opc.eth: MAC must be six hex pairs (01-00-5e-00-00-01)");
        if (sep && *s != sep)
            return fail(err, cap, UG_STATUS_BADTCPENDPOINTURLINVALID,
                        "opc.eth: MAC mixes '-' and ':' separators");
        sep = *s++;
    }
    if (*s == ':') {
        unsigned long vid;
        size_t n = parse_dec(s + 1, 4, &vid);
        if (n == 0 || vid < 1 || vid > 4094)
            return fail(err, cap, UG_STATUS_BADTCPENDPOINTURLINVALID,
                        "opc.eth: VLAN id must be 1..4094");
        u->has_vid = true;
        u->vid = (uint16_t)vid;
        s += 1 + n;
        if (*s == '.') {
            unsigned long pcp;
            n = parse_dec(s + 1, 1, &pcp);
            if (n == 0 || pcp > 7)
                return fail(err, cap, UG_STATUS_BADTCPENDPOINTURLINVALID,
                            "opc.eth: priority (PCP) must be 0..7");
            u->has_pcp = true;
            u->pcp = (uint8_t)pcp;
            s += 1 + n;
        }
    }
    if (*s == '/')
        s++;
    if (*s)
        return fail(err, cap, UG_STATUS_BADTCPENDPOINTURLINVALID,
                    "opc.eth: unexpected text \"%s\" after the address", s);
    return UG_STATUS_GOOD;
}

/* amqp://HOST[:PORT]/ADDRESS (AMQP 1.0 §2.1, Part 14 §7.3.4.2): the address
 * keeps its leading '/', as RabbitMQ names nodes "/queue/q", "/topic/k". */
static ug_status parse_amqp(const char *s, ug_transport_url *u, char *err, size_t cap)
{
    uint16_t port = u->amqp.tls ? UG_AMQPS_DEFAULT_PORT : UG_AMQP_DEFAULT_PORT;
    ug_status st = parse_host_port(&s, "amqp", false, port, u, err, cap);
    if (st != UG_STATUS_GOOD)
        return st;
    size_t alen = strlen(s);
    if (*s != '/' || alen < 2)
        return fail(err, cap, UG_STATUS_BADTCPENDPOINTURLINVALID,
                    "amqp: missing node address after the host (amqp://host/queue/q)");
    if (alen >= sizeof u->amqp.address)
        return fail(err, cap, UG_STATUS_BADTCPENDPOINTURLINVALID,
                    "amqp: address longer than %zu characters", sizeof u->amqp.address - 1);
    for (size_t i = 0; i < alen; i++)
        if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
            return fail(err, cap, UG_STATUS_BADTCPENDPOINTURLINVALID,
                        "amqp: space or control character in the address");
    memcpy(u->amqp.address, s, alen + 1);
    return UG_STATUS_GOOD;
}

/* mqtt[s]://HOST[:PORT]/TOPIC (Part 14 1.04 §7.3.5): the topic is the rest of the
 * URL after the first '/', %-decoded so that '#' can be written "%23". */
static ug_status parse_mqtt(const char *s, ug_transport_url *u, char *err, size_t cap)
{
    uint16_t port = u->mqtt.tls ? UG_MQTTS_DEFAULT_PORT : UG_MQTT_DEFAULT_PORT;
    ug_status st = parse_host_port(&s, "mqtt", false, port, u, err, cap);
    if (st != UG_STATUS_GOOD)
        return st;
    if (*s != '/' || s[1] == '\0')
        return fail(err, cap, UG_STATUS_BADTCPENDPOINTURLINVALID,
                    "mqtt: missing topic after the host (mqtt://host/topic)");
    s++;
    size_t n = 0;
    for (; *s; s++) {
        int c = (unsigned char)*s;
        if (c == '%') {
            int hi = hexval(s[1]), lo = hi >= 0 ? hexval(s[2]) : -1;
            if (hi < 0 || lo < 0)
                return fail(err, cap, UG_STATUS_BADTCPENDPOINTURLINVALID,
                            "mqtt: '%%' in the topic must be followed by two hex digits");
            c = hi << 4 | lo;
            s += 2;
        }
        /* MQTT 3.1.1 §4.7.3: no U+0000 in a topic; controls are refused too. */
        if (c < 0x20 || c == 0x7f)
            return fail(err, cap, UG_STATUS_BADTCPENDPOINTURLINVALID,
                        "mqtt: control character in the topic");
        if (n + 1 >= sizeof u->mqtt.topic)
            return fail(err, cap, UG_STATUS_BADTCPENDPOINTURLINVALID,
                        "mqtt: topic longer than %zu bytes", sizeof u->mqtt.topic - 1);
        u->mqtt.topic[n++] = (char)c;
    }
    u->mqtt.topic[n] = '\0';
    return UG_STATUS_GOOD;
}

ug_status ug_transport_url_parse(const char *url, ug_transport_url *out, char *err,
                                 size_t err_cap)
{
    if (!url || !out)
        return fail(err, err_cap, UG_STATUS_BADINVALIDARGUMENT, "NULL url or output");
    memset(out, 0, sizeof *out);
    static const char udp[] = "opc.udp://", eth[] = "opc.eth://";
    if (strncasecmp(url, udp, sizeof udp - 1) == 0) {
        out->kind = UG_TRANSPORT_UDP;
        return parse_udp(url + sizeof udp - 1, out, err, err_cap);
    }
    if (strncasecmp(url, eth, sizeof eth - 1) == 0) {
        out->kind = UG_TRANSPORT_ETH;
        return parse_eth(url + sizeof eth - 1, out, err, err_cap);
    }
    static const char amqp[] = "amqp://", amqps[] = "amqps://";
    if (strncasecmp(url, amqp, sizeof amqp - 1) == 0) {
        out->kind = UG_TRANSPORT_AMQP;
        return parse_amqp(url + sizeof amqp - 1, out, err, err_cap);
    }
    if (strncasecmp(url, amqps, sizeof amqps - 1) == 0) {
        out->kind = UG_TRANSPORT_AMQP;
        out->amqp.tls = true;
        return parse_amqp(url + sizeof amqps - 1, out, err, err_cap);
    }
    static const char mqtt[] = "mqtt://", mqtts[] = "mqtts://";
    if (strncasecmp(url, mqtt, sizeof mqtt - 1) == 0) {
        out->kind = UG_TRANSPORT_MQTT;
        return parse_mqtt(url + sizeof mqtt - 1, out, err, err_cap);
    }
    if (strncasecmp(url, mqtts, sizeof mqtts - 1) == 0) {
        out->kind = UG_TRANSPORT_MQTT;
        out->mqtt.tls = true;
        return parse_mqtt(url + sizeof mqtts - 1, out, err, err_cap);
    }
    return fail(err, err_cap, UG_STATUS_BADTCPENDPOINTURLINVALID,
                "unknown scheme in \"%.40s\" (expected opc.udp:// or opc.eth://)", url);
}
