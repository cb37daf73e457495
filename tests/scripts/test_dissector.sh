#!/usr/bin/env bash
# tools/uadp.lua, the Wireshark Lua dissector for UADP (issue 4 item 6).
#
# Checks that tshark loads it and decodes samples/capture.pcapng (made by
# tools/mkcapture.py): PublisherIds (UInt16 1000, String "publisher-Ä-1"),
# DataSetWriterIds 11/12/13, DataSetMessage sequence numbers 7, 4711 and 99,
# the 802.1Q VID 100 / PCP 5 frame, UDP/IPv4, UDP/IPv6 and Ethernet
# transports, and that no Lua error and no malformed marker shows for valid
# frames; that every valid test vector dissects cleanly; then that malformed
# messages give the dissector's expert item
# ("Malformed UADP") and still no Lua error.
# Usage: bash test_dissector.sh BUILD_DIR. Installs tshark when root and it is
# missing; exit 77 (skip) when tshark cannot be had.
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
LUA=$SRC/tools/uadp.lua
CAP=$SRC/samples/capture.pcapng

if ! command -v tshark >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "installing tshark"
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
  DEBIAN_FRONTEND=noninteractive timeout 300 apt-get -o DPkg::Lock::Timeout=240 install -y -q \
    --no-install-recommends tshark >/dev/null 2>&1
fi
if ! command -v tshark >/dev/null 2>&1; then
  echo "skip: tshark is not installed and could not be installed (apt-get install tshark)"
  exit 77
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail=0
check() {
  local name=$1; shift
  if "$@"; then echo "PASS: $name"; else echo "FAIL: $name"; fail=1; fi
}
ts() { tshark -X "lua_script:$LUA" "$@" 2>>"$TMP/stderr"; }
no_errors() { ! grep -E -i -q "lua error|malformed|dissector error|expert info \(error" "$1" "$TMP/stderr"; }

# 1. The full decode of the sample capture.
ts -r "$CAP" -V >"$TMP/v"
check "tshark ran with the dissector" test -s "$TMP/v"
check "no Lua error or malformed marker on the valid frames" no_errors "$TMP/v"
check "dissector is in the protocol stack" grep -q "OPC UA PubSub UADP" "$TMP/v"

# 2. Field values, one line per UADP frame.
ts -r "$CAP" -Y uadp -T fields -e frame.number -e uadp.publisher_id -e uadp.publisher_id_string \
  -e uadp.writer_id -e vlan.id -e vlan.priority -e uadp.dsm.sequence_number \
  -e uadp.writer_group_id -e uadp.dsm.major_version -E occurrence=a -E aggregator=, >"$TMP/f"
# frame, PublisherId, String PublisherId, writer ids, VID, PCP, DSM seq,
# WriterGroupId, ConfigurationVersion major
t=$'\t'
{
  echo "1${t}1000${t}${t}11,12,13${t}${t}${t}7${t}100${t}"
  echo "2${t}1000${t}${t}62541${t}${t}${t}4711${t}100${t}1700000000"
  echo "3${t}1000${t}${t}62541${t}${t}${t}${t}100${t}"
  echo "4${t}${t}publisher-Ä-1${t}${t}${t}${t}${t}${t}"
  echo "5${t}1000${t}${t}62541${t}100${t}5${t}10${t}100${t}"
  echo "6${t}1000${t}${t}62541${t}${t}${t}99${t}100${t}"
  echo "8${t}1000${t}${t}62541${t}${t}${t}${t}100${t}"
} >"$TMP/want"
check "publisher ids, writer ids, VID/PCP, sequence numbers as expected" diff -u "$TMP/want" "$TMP/f"
n_uadp=$(ts -r "$CAP" -Y uadp | wc -l)
check "7 UADP frames (frame 7, mDNS, is not UADP)" test "$n_uadp" = 7
check "UDP/IPv6 frame is UADP" test "$(ts -r "$CAP" -Y 'ipv6 && uadp' | wc -l)" = 1
check "untagged Ethernet frame is UADP" test "$(ts -r "$CAP" -Y 'eth.type == 0xb62c && uadp' | wc -l)" = 1
check "DataSetFlags2 types: key frame, delta frame, keep-alive" \
  test "$(ts -r "$CAP" -Y uadp -T fields -e uadp.dsm.flags2.type -E occurrence=a -E aggregator=, |
          grep -v '^$' | tr '\n' ' ')" = "0 1 3 "

# Writes a pcap (Ethernet) of one EtherType 0xB62C frame per hex message.
mkpcap() {
  local out=$1 i=0 m frame n
  shift
  {
    printf 'd4c3b2a1020004000000000000000000ffff000001000000'
    for m in "$@"; do
      frame="01005e000001020000000001b62c$m"
      n=$(( ${#frame} / 2 ))
      le32 $((1800000000 + i)); le32 0; le32 "$n"; le32 "$n"
      printf '%s' "$frame"
      i=$((i + 1))
    done
  } | xxd -r -p >"$out"
}
le32() { printf '%08x' "$1" | sed 's/\(..\)\(..\)\(..\)\(..\)/\4\3\2\1/'; }
hex_of() { xxd -p "$1" | tr -d '\n'; }

# 3. Every valid UADP test vector (tests/vectors/open62541): dissected without
#    a malformed marker or Lua error, whatever header fields it uses (class
#    id, timestamps, promoted fields, security header and signature, chunks,
#    discovery, RawData, ...).
VEC=$SRC/tests/vectors/open62541
good=()
for f in "$VEC"/*.uadp; do
  case $f in *.bad.uadp) continue ;; esac
  good+=("$(hex_of "$f")")
done
# and a chunk (Part 14 Table 158): writer 11, seq 1, offset 0 of 10, 4 bytes
good+=("d18101e8030b000100000000000a0000000400000001020304")
mkpcap "$TMP/good.pcap" "${good[@]}"
ts -r "$TMP/good.pcap" -V >"$TMP/gv"
check "all ${#good[@]} valid vectors dissected" \
  test "$(grep -c '^OPC UA PubSub UADP' "$TMP/gv")" = "${#good[@]}"
check "no Lua error or malformed marker on the valid vectors" no_errors "$TMP/gv"
check "chunk header fields" test "$(ts -r "$TMP/good.pcap" -Y uadp.ext2.chunk==1 -T fields \
  -e uadp.chunk.writer_id -e uadp.chunk.message_sequence_number -e uadp.chunk.total_size \
  -e uadp.chunk.length)" = "11${t}1${t}10${t}4"
check "DataSetClassId, Timestamp, PromotedFields, SecurityHeader seen in the vectors" \
  bash -c "grep -q 'DataSetClassId:' '$TMP/gv' && grep -q '^    Timestamp:' '$TMP/gv' &&
           grep -q 'PromotedFields size' '$TMP/gv' && grep -q 'SecurityTokenId' '$TMP/gv'"

# 4. Malformed messages: the expert item, never a Lua error. The bad vectors
#    whose fault is in a header (the dissector does not decode field values),
#    and hand-made ones.
bad=()
for v in dsm_size_zero dsm_type_reserved empty field_encoding_reserved nonce_length \
         payload_count_mismatch publisher_id_type trunc_dsm_header trunc_ext_flags \
         trunc_field_count trunc_payload_header trunc_publisher_id version_2; do
  bad+=("$(hex_of "$VEC/bad_$v.bad.uadp")")
done
bad+=(
  "f101e8"                    # PublisherId cut short
  "71e8030900640001000b000c00"  # Count 2 without the Sizes / messages
  "f101e803f964000100"        # GroupFlags with reserved bits
  "9103"                      # UInt64 PublisherId missing
  "9104ffffff7f41"            # String PublisherId longer than the message
  "f181e8030964000100"        # ExtendedFlags2 missing
  "f19108e803096400010b000000000000000000000000000000"  # security header cut short
)
mkpcap "$TMP/bad.pcap" "${bad[@]}"
ts -r "$TMP/bad.pcap" -V >"$TMP/bv"
n_bad=$(ts -r "$TMP/bad.pcap" -Y 'uadp.malformed' | wc -l)
check "every malformed message has the expert item (${n_bad}/${#bad[@]})" test "$n_bad" = "${#bad[@]}"
check "no Lua error on malformed messages" bash -c "! grep -E -i -q 'lua error|dissector error' '$TMP/bv' '$TMP/stderr'"

if [ $fail = 0 ]; then echo "test_dissector: all checks passed"; fi
exit $fail
