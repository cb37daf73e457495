/* capture — UADP messages out of pcap / pcapng files (read through libpcap).
 *
 * A frame carries UADP when it is UDP over IPv4 or IPv6 to a port in
 * UG_CAPTURE_PORT_MIN..MAX (4840-4850), or an Ethernet frame of EtherType
 * 0xB62C (Part 14 §7.3.3), each with or without one 802.1Q tag. Link types:
 * EN10MB, LINUX_SLL, LINUX_SLL2, NULL, LOOP, RAW (and IPV4/IPV6).
 *
 * Lifetime: the packet handed to the callback (its data and address texts)
 * is valid until the callback returns.
 */
#ifndef UG_GATEWAY_CAPTURE_H
#define UG_GATEWAY_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UG_CAPTURE_PORT_MIN 4840
#define UG_CAPTURE_PORT_MAX 4850
#define UG_ETHERTYPE_UADP 0xB62Cu /* as in uagate/transport.h */

enum ug_cap_kind {
    UG_CAP_UDP4 = 1,
    UG_CAP_UDP6 = 2,
    UG_CAP_ETH = 3, /* EtherType 0xB62C */
};

typedef struct ug_cap_pkt {
    unsigned long frame; /* 1-based frame number in the capture */
    int64_t ts_sec;
    uint32_t ts_nsec;
    uint8_t kind; /* enum ug_cap_kind */
    char src[64]; /* "10.0.0.1:5000", "[fe80::1]:5000" or a MAC address */
    char dst[64];
    bool has_vlan;
    uint16_t vid;
    uint8_t pcp;
    uint8_t dei;
    bool truncated; /* the capture holds fewer bytes than the frame had */
    const uint8_t *data; /* the UADP message */
    size_t len;
} ug_cap_pkt;

/* Called for every frame; p->kind 0 and p->data NULL when the frame is not
 * UADP (p->src then says why, for verbose listings). */
typedef void (*ug_cap_fn)(void *ctx, const ug_cap_pkt *p);

/* True when the first 4 bytes are a pcap (either byte order, micro- or
 * nanosecond) or pcapng (0x0A0D0D0A) magic. */
bool ug_capture_sniff(const uint8_t *head, size_t len);

/* Parses one captured frame of link type dlt (a DLT_* value) into p, whose
 * frame, ts_* and truncated the caller has set; p->data points into frame.
 * Used by the live capture (cmd_capture.c) and by ug_capture_read. */
void ug_capture_parse(ug_cap_pkt *p, int dlt, const uint8_t *frame, size_t caplen);

/* Reads every frame of the capture at path. Returns 0, or -1 with a message
 * in err (libpcap's, naming the problem) when the file cannot be opened or
 * its link type is not supported; a read error after some frames also
 * returns -1 after calling fn for the frames before it. */
int ug_capture_read(const char *path, ug_cap_fn fn, void *ctx, char *err, size_t err_cap);

#endif
