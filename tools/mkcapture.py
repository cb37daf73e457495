#!/usr/bin/python3
"""Write samples/capture.pcapng: UADP messages over UDP/IPv4, UDP/IPv6 and raw
Ethernet (EtherType 0xB62C, tagged and untagged), one UDP datagram that is not
UADP and one malformed UADP message. The pcapng is written by hand (no
dependencies) and is byte-for-byte reproducible:

    /usr/bin/python3 tools/mkcapture.py [SOURCE_ROOT] [OUTPUT]

With --variant KIND SOURCE_ROOT OUTPUT it writes the same frames as a classic
pcap file instead, for tests of the other formats and link types: KIND is
pcap-le-us, pcap-be-ns (EN10MB), sll, sll2 (Linux cooked v1/v2), null (BSD
loopback) or raw (LINKTYPE_RAW); null and raw carry only the IP frames.

Messages are the files in samples/messages/ plus one malformed message from
tests/vectors/open62541/. Frames (numbered from 1):
  1 UDP/IPv4 192.168.10.1:50000 -> 239.0.0.1:4840   nm_payload_header_3dsm
  2 UDP/IPv4 192.168.10.1:50000 -> 239.0.0.1:4840   dsm_header_all
  3 UDP/IPv4 192.168.10.1:50000 -> 239.0.0.1:4840   enc_datavalue
  4 UDP/IPv6 [fd00::10]:50000 -> [ff15::1]:4840      nm_pubid_string
  5 Ethernet 0xB62C, 802.1Q VID 100 PCP 5           mt_deltaframe_variant
  6 Ethernet 0xB62C, untagged                       mt_keepalive
  7 UDP/IPv4 to port 5353 (not UADP, skipped)
  8 UDP/IPv4 -> 239.0.0.1:4840                      bad_trunc_in_field (malformed)
"""
import os
import struct
import sys

ARGS = sys.argv[1:]
VARIANT = None
if ARGS[:1] == ["--variant"]:
    if len(ARGS) != 4:
        sys.exit("usage: mkcapture.py --variant KIND SOURCE_ROOT OUTPUT")
    VARIANT, ARGS = ARGS[1], ARGS[2:]
ROOT = ARGS[0] if len(ARGS) > 0 else os.path.join(os.path.dirname(__file__), "..")
OUT = ARGS[1] if len(ARGS) > 1 else os.path.join(ROOT, "samples", "capture.pcapng")

# 2026-11-23T12:00:00Z in nanoseconds since the Unix epoch.
BASE_NS = 1795435200 * 1000000000

MAC_SRC = bytes.fromhex("020000000001")
MAC_V4_MCAST = bytes.fromhex("01005e000001")   # 239.0.0.1 (RFC 1112 mapping)
MAC_V6_MCAST = bytes.fromhex("333300000001")   # ff15::1 (RFC 2464 mapping)
MAC_UADP = bytes.fromhex("01005e000001")       # as in opc.eth://01-00-5e-00-00-01:100.5
IP4_SRC = bytes([192, 168, 10, 1])
IP4_DST = bytes([239, 0, 0, 1])
IP6_SRC = bytes.fromhex("fd000000000000000000000000000010")
IP6_DST = bytes.fromhex("ff150000000000000000000000000001")


def read(*parts):
    with open(os.path.join(ROOT, *parts), "rb") as f:
        return f.read()


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def udp(src_ip, dst_ip, sport, dport, payload, v6):
    length = 8 + len(payload)
    hdr = struct.pack("!HHHH", sport, dport, length, 0)
    if v6:
        pseudo = src_ip + dst_ip + struct.pack("!IxxxB", length, 17)
    else:
        pseudo = src_ip + dst_ip + struct.pack("!xBH", 17, length)
    c = csum(pseudo + hdr + payload) or 0xFFFF
    return struct.pack("!HHHH", sport, dport, length, c) + payload


def ipv4(payload, ident, dport=4840, dst=IP4_DST):
    seg = udp(IP4_SRC, dst, 50000, dport, payload, False)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(seg), ident, 0x4000, 1, 17, 0,
                      IP4_SRC, dst)
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + seg


def ipv6(payload):
    seg = udp(IP6_SRC, IP6_DST, 50000, 4840, payload, True)
    return struct.pack("!IHBB16s16s", 6 << 28, len(seg), 17, 1, IP6_SRC, IP6_DST) + seg


def eth(dst, ethertype, payload, vlan=None):
    tag = b""
    if vlan is not None:
        vid, pcp, dei = vlan
        tag = struct.pack("!HH", 0x8100, pcp << 13 | dei << 12 | vid)
    return dst + MAC_SRC + tag + struct.pack("!H", ethertype) + payload


def block(btype, body):
    body += b"\0" * (-len(body) % 4)
    total = 12 + len(body)
    return struct.pack("<II", btype, total) + body + struct.pack("<I", total)


def shb():
    return block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))


def idb():
    # LINKTYPE_ETHERNET, snaplen 65535; if_tsresol (code 9) = 9: nanoseconds.
    opts = struct.pack("<HHB3x", 9, 1, 9) + struct.pack("<HH", 0, 0)
    return block(1, struct.pack("<HHI", 1, 0, 65535) + opts)


def epb(ts_ns, frame):
    body = struct.pack("<IIIII", 0, ts_ns >> 32, ts_ns & 0xFFFFFFFF, len(frame), len(frame))
    return block(6, body + frame)


def frames():
    m = lambda name: read("samples", "messages", name + ".uadp")
    yield eth(MAC_V4_MCAST, 0x0800, ipv4(m("nm_payload_header_3dsm"), 1))
    yield eth(MAC_V4_MCAST, 0x0800, ipv4(m("dsm_header_all"), 2))
    yield eth(MAC_V4_MCAST, 0x0800, ipv4(m("enc_datavalue"), 3))
    yield eth(MAC_V6_MCAST, 0x86DD, ipv6(m("nm_pubid_string")))
    yield eth(MAC_UADP, 0xB62C, m("mt_deltaframe_variant"), vlan=(100, 5, 0))
    yield eth(MAC_UADP, 0xB62C, m("mt_keepalive"))
    yield eth(bytes.fromhex("01005e0000fb"), 0x0800,
              ipv4(b"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", 4, dport=5353,
                   dst=bytes([224, 0, 0, 251])))
    yield eth(MAC_V4_MCAST, 0x0800,
              ipv4(read("tests", "vectors", "open62541", "bad_trunc_in_field.bad.uadp"), 5))


LINKTYPES = {"pcap-le-us": 1, "pcap-be-ns": 1, "sll": 113, "sll2": 276, "null": 0, "raw": 101}


def relink(kind, fr):
    """An Ethernet frame in another link type (None: not representable)."""
    proto, rest = fr[12:14], fr[14:]
    if kind.startswith("pcap"):
        return fr
    if kind == "sll":  # packet type 2 (multicast), ARPHRD_ETHER, address length 6
        return struct.pack("!HHH", 2, 1, 6) + fr[6:12] + b"\0\0" + proto + rest
    if kind == "sll2":
        return proto + b"\0\0" + struct.pack("!IHBB", 2, 1, 2, 6) + fr[6:12] + b"\0\0" + rest
    if proto not in (b"\x08\x00", b"\x86\xdd"):
        return None
    if kind == "null":  # AF_INET 2, Linux AF_INET6 10, in the writer's (little-endian) order
        return struct.pack("<I", 2 if proto == b"\x08\x00" else 10) + rest
    return rest  # raw


def classic(kind):
    bo = ">" if kind == "pcap-be-ns" else "<"
    ns = kind == "pcap-be-ns"
    magic = 0xA1B23C4D if ns else 0xA1B2C3D4
    out = struct.pack(bo + "IHHiIII", magic, 2, 4, 0, 0, 65535, LINKTYPES[kind])
    for i, fr in enumerate(frames()):
        fr = relink(kind, fr)
        if fr is None:
            continue
        t = BASE_NS + i * 1000000 + 123
        sub = t % 1000000000 if ns else (t % 1000000000) // 1000
        out += struct.pack(bo + "IIII", t // 1000000000, sub, len(fr), len(fr)) + fr
    return out


def main():
    if VARIANT:
        if VARIANT not in LINKTYPES:
            sys.exit("unknown variant " + VARIANT)
        out = classic(VARIANT)
    else:
        out = shb() + idb()
        for i, fr in enumerate(frames()):
            out += epb(BASE_NS + i * 1000000 + 123, fr)
    os.makedirs(os.path.dirname(os.path.abspath(OUT)), exist_ok=True)
    with open(OUT, "wb") as f:
        f.write(out)


if __name__ == "__main__":
    main()
