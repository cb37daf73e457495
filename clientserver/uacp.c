/* clientserver/uacp.c — the UACP wire codecs (Part 6 §7.1.2): message
 * header, Hello/Acknowledge, Error, ReverseHello, and opc.tcp URL parsing.
 * Pure functions: no state, no allocation; strings are views. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"

static const char type_names[][4] = {"HEL", "ACK", "ERR", "RHE", "OPN", "MSG", "CLO"};

ug_status ug_uacp_hdr_decode(const uint8_t *p, struct ug_uacp_hdr *hdr)
{
    hdr->type = UG_UACP_UNKNOWN;
    for (unsigned i = 0; i < sizeof type_names / sizeof type_names[0]; i++) {
        if (memcmp(p, type_names[i], 3) == 0) {
            hdr->type = (uint8_t)i;
            break;
        }
    }
    hdr->chunk = p[3];
    memcpy(&hdr->size, p + 4, 4);
    if (hdr->type == UG_UACP_UNKNOWN)
        return UG_STATUS_BADTCPMESSAGETYPEINVALID;
    /* §7.1.2.2: the reserved byte of HEL/ACK/ERR/RHE is 'F'; OPN and CLO
     * are single chunks here too; only MSG is ever 'C' or 'A'. */
    if (hdr->chunk != 'F' && hdr->chunk != 'C' && hdr->chunk != 'A')
        return UG_STATUS_BADTCPMESSAGETYPEINVALID;
    if (hdr->chunk != 'F' && hdr->type != UG_UACP_MSG)
        return UG_STATUS_BADTCPMESSAGETYPEINVALID;
    return UG_STATUS_GOOD;
}

void ug_uacp_hdr_encode(uint8_t *p, enum ug_uacp_type type, uint8_t chunk, uint32_t size)
{
    memcpy(p, type_names[type], 3);
    p[3] = chunk;
    memcpy(p + 4, &size, 4);
}

/* A string field of UACP bodies: a length over 4096 is the caller's error
 * code (EndpointUrl has its own), a negative length other than -1 or one
 * past the buffer is a decoding error. */
static ug_string read_bounded(ug_rd *rd, ug_status too_long)
{
    if (ug_rd_left(rd) < 4) {
        ug_rd_fail(rd, UG_STATUS_BADDECODINGERROR);
        return UG_NULL_BYTES;
    }
    int32_t n;
    memcpy(&n, rd->p, 4);
    if (n > (int32_t)UG_UACP_MAX_URL) {
        ug_rd_fail(rd, too_long);
        return UG_NULL_BYTES;
    }
    return ug_rd_string(rd);
}

static ug_status finish(ug_rd *rd)
{
    if (!ug_rd_ok(rd))
        return rd->err;
    return ug_rd_left(rd) ? UG_STATUS_BADDECODINGERROR : UG_STATUS_GOOD;
}

ug_status ug_uacp_hello_decode(const uint8_t *body, size_t len, bool with_url,
                               struct ug_uacp_hello *out)
{
    ug_rd rd;
    ug_rd_init(&rd, body, len, NULL, NULL);
    out->protocol_version = ug_rd_u32(&rd);
    out->recv_buf_size = ug_rd_u32(&rd);
    out->send_buf_size = ug_rd_u32(&rd);
    out->max_message_size = ug_rd_u32(&rd);
    out->max_chunk_count = ug_rd_u32(&rd);
    out->endpoint_url = UG_NULL_BYTES;
    if (with_url)
        out->endpoint_url = read_bounded(&rd, UG_STATUS_BADTCPENDPOINTURLINVALID);
    return finish(&rd);
}

void ug_uacp_hello_encode(ug_wr *wr, enum ug_uacp_type type, const struct ug_uacp_hello *h)
{
    size_t start = wr->len;
    uint8_t hdr[8];
    ug_uacp_hdr_encode(hdr, type, 'F', 0);
    ug_wr_bytes(wr, hdr, 8);
    ug_wr_u32(wr, h->protocol_version);
    ug_wr_u32(wr, h->recv_buf_size);
    ug_wr_u32(wr, h->send_buf_size);
    ug_wr_u32(wr, h->max_message_size);
    ug_wr_u32(wr, h->max_chunk_count);
    if (type == UG_UACP_HEL)
        ug_wr_string(wr, h->endpoint_url);
    uint32_t size = (uint32_t)(wr->len - start);
    ug_wr_patch(wr, start + 4, &size, 4);
}

ug_status ug_uacp_error_decode(const uint8_t *body, size_t len, ug_status *error,
                               ug_string *reason)
{
    ug_rd rd;
    ug_rd_init(&rd, body, len, NULL, NULL);
    *error = ug_rd_u32(&rd);
    *reason = read_bounded(&rd, UG_STATUS_BADENCODINGLIMITSEXCEEDED);
    /* §6.7.3: a Reason over 4096 bytes is ignored, the Error still counts. */
    if (rd.err == UG_STATUS_BADENCODINGLIMITSEXCEEDED) {
        *reason = UG_NULL_BYTES;
        return UG_STATUS_GOOD;
    }
    return finish(&rd);
}

void ug_uacp_error_encode(ug_wr *wr, ug_status error, const char *reason)
{
    size_t start = wr->len;
    uint8_t hdr[8];
    ug_uacp_hdr_encode(hdr, UG_UACP_ERR, 'F', 0);
    ug_wr_bytes(wr, hdr, 8);
    ug_wr_u32(wr, error);
    if (!reason)
        reason = ug_status_name(error);
    ug_string r = ug_string_from(reason);
    if (r.len > (int32_t)UG_UACP_MAX_URL)
        r.len = (int32_t)UG_UACP_MAX_URL;
    ug_wr_string(wr, r);
    uint32_t size = (uint32_t)(wr->len - start);
    ug_wr_patch(wr, start + 4, &size, 4);
}

ug_status ug_uacp_rhe_decode(const uint8_t *body, size_t len, ug_string *server_uri,
                             ug_string *endpoint_url)
{
    ug_rd rd;
    ug_rd_init(&rd, body, len, NULL, NULL);
    *server_uri = read_bounded(&rd, UG_STATUS_BADTCPENDPOINTURLINVALID);
    *endpoint_url = read_bounded(&rd, UG_STATUS_BADTCPENDPOINTURLINVALID);
    return finish(&rd);
}

void ug_uacp_rhe_encode(ug_wr *wr, ug_string server_uri, ug_string endpoint_url)
{
    size_t start = wr->len;
    uint8_t hdr[8];
    ug_uacp_hdr_encode(hdr, UG_UACP_RHE, 'F', 0);
    ug_wr_bytes(wr, hdr, 8);
    ug_wr_string(wr, server_uri);
    ug_wr_string(wr, endpoint_url);
    uint32_t size = (uint32_t)(wr->len - start);
    ug_wr_patch(wr, start + 4, &size, 4);
}

ug_status ug_uacp_parse_url(const char *url, char *host, size_t host_cap, uint16_t *port)
{
    static const char scheme[] = "opc.tcp://";
    if (!url || strlen(url) > UG_UACP_MAX_URL || strncmp(url, scheme, sizeof scheme - 1) != 0)
        return UG_STATUS_BADTCPENDPOINTURLINVALID;
    const char *h = url + sizeof scheme - 1;
    const char *hend;
    const char *rest;
    if (*h == '[') { /* IPv6 literal, RFC 3986 §3.2.2 */
        hend = strchr(h, ']');
        if (!hend)
            return UG_STATUS_BADTCPENDPOINTURLINVALID;
        h++;
        rest = hend + 1;
    } else {
        hend = h + strcspn(h, ":/");
        rest = hend;
    }
    size_t hlen = (size_t)(hend - h);
    if (hlen == 0 || hlen >= host_cap)
        return UG_STATUS_BADTCPENDPOINTURLINVALID;
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    *port = 4840;
    if (*rest == ':') {
        char *end;
        unsigned long v = strtoul(rest + 1, &end, 10);
        if (end == rest + 1 || v == 0 || v > 65535 || (*end != '\0' && *end != '/'))
            return UG_STATUS_BADTCPENDPOINTURLINVALID;
        *port = (uint16_t)v;
    } else if (*rest != '\0' && *rest != '/') {
        return UG_STATUS_BADTCPENDPOINTURLINVALID;
    }
    return UG_STATUS_GOOD;
}
