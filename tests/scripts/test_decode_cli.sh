#!/bin/bash
# `uagate decode` on the samples: raw messages, the pcapng capture and the same
# frames as classic pcap in every supported link type; exit codes; --json.
# Run from the source root: bash tests/scripts/test_decode_cli.sh BUILD_DIR
set -u
BUILD=${1:?usage: test_decode_cli.sh BUILD_DIR}
UAGATE=$BUILD/uagate
PY=/usr/bin/python3
[ -x "$UAGATE" ] || { echo "SKIP: $UAGATE not built"; exit 77; }
[ -x "$PY" ] || { echo "SKIP: $PY missing"; exit 77; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# run NAME EXPECTED_RC CMD...: stdout to $TMP/NAME.out, stderr to $TMP/NAME.err
run() {
    local name=$1 want=$2
    shift 2
    "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
    local rc=$?
    [ "$rc" -eq "$want" ] || fail "$name: exit $rc, expected $want (stderr: $(head -c 300 "$TMP/$name.err"))"
}
# has NAME TEXT...: every TEXT is a whole line or part of one in NAME's stdout
has() {
    local name=$1
    shift
    for t in "$@"; do
        grep -qF -- "$t" "$TMP/$name.out" || fail "$name: no line with '$t'"
    done
}
has_line() { grep -qxF -- "$2" "$TMP/$1.out" || fail "$1: no line exactly '$2'"; }
lacks() { ! grep -qF -- "$2" "$TMP/$1.out" || fail "$1: unexpected '$2'"; }

# ---- program and usage ----
run help 0 "$UAGATE" --help
has help "usage: uagate" "decode"
run h 0 "$UAGATE" -h
run version 0 "$UAGATE" --version
has version "uagate "
run noargs 2 "$UAGATE"
grep -q "usage: uagate" "$TMP/noargs.err" || fail "noargs: no usage on stderr"
run badcmd 2 "$UAGATE" frobnicate
grep -q "usage: uagate" "$TMP/badcmd.err" || fail "badcmd: no usage on stderr"
run dhelp 0 "$UAGATE" decode --help
has dhelp "usage: uagate decode"
run badopt 2 "$UAGATE" decode --bogus samples/messages/nm_payload_header_3dsm.uadp
grep -q "usage: uagate decode" "$TMP/badopt.err" || fail "badopt: no usage on stderr"
[ -s "$TMP/badopt.out" ] && fail "badopt: printed to stdout"
run nofile 2 "$UAGATE" decode
run missing 2 "$UAGATE" decode "$TMP/does-not-exist.uadp"
grep -q "does-not-exist.uadp: No such file or directory" "$TMP/missing.err" ||
    fail "missing: stderr does not name the file and the errno text"
run isdir 2 "$UAGATE" decode samples
grep -q "samples: Is a directory" "$TMP/isdir.err" || fail "isdir: stderr does not say why"
head -c 24 samples/capture.pcapng >"$TMP/cut.pcapng"
run cutcap 2 "$UAGATE" decode "$TMP/cut.pcapng"
grep -q "cut.pcapng" "$TMP/cutcap.err" || fail "cutcap: stderr does not name the file"

# ---- raw messages ----
run raw 0 "$UAGATE" decode samples/messages/*.uadp
has raw "publisher_id: UInt16 1000" \
    "payload_header: count 3, writer ids 11, 12, 13" \
    "DataSetMessage 2/3: writer 12, KeyFrame, Variant, valid" \
    "      0: Double 2.5" \
    '      1: String "xyz"' \
    "status 0x40920000 (UncertainInitialValue)" \
    "    sequence_number: 4711" \
    "    status: 0x800A0000 (BadTimeout)" \
    "    config_major_version: 1700000000" \
    'publisher_id: String "publisher-Ä-1"' \
    "DeltaFrame, Variant, valid" \
    "      9: String \"nine\"" \
    "KeepAlive, Variant, valid" \
    "      0: Int32[2x3] [1, 2, 3, 4, 5, 6]" \
    'promoted_field 1: String "line-1"' \
    "security_header: flags 0x01 signed, token 7, nonce deadbeef01000000" \
    '      3: String "Grüße 日本 🚀"' \
    "source_timestamp 133485408001234567 2024-01-01T00:00:00.1234567Z"
run bad 1 "$UAGATE" decode tests/vectors/open62541/bad_trunc_in_field.bad.uadp
has_line bad "frame 1: BadDecodingError at byte 21"
run encrypted 0 "$UAGATE" decode tests/vectors/open62541/sec_signencrypt_aes128ctr.uadp
has encrypted "payload: encrypted, not decoded (no keys)" "writer ids 62541"
run rawdata 0 "$UAGATE" decode tests/vectors/open62541/enc_raw_int32x10.uadp
has rawdata "RawData fields not decoded (no metadata): 40 bytes 0x48f4ffff"

# ---- the pcapng capture ----
tmpcap="$TMP/regen.pcapng"
"$PY" tools/mkcapture.py . "$tmpcap" || fail "mkcapture.py failed"
cmp -s "$tmpcap" samples/capture.pcapng || fail "tools/mkcapture.py does not reproduce samples/capture.pcapng"

run cap 1 "$UAGATE" decode samples/capture.pcapng
has_line cap "frame 1 2026-11-23T12:00:00.000000123Z UDP/IPv4 192.168.10.1:50000 -> 239.0.0.1:4840, 62 bytes"
has_line cap "frame 4 2026-11-23T12:00:00.003000123Z UDP/IPv6 [fd00::10]:50000 -> [ff15::1]:4840, 28 bytes"
has_line cap "frame 5 2026-11-23T12:00:00.004000123Z Ethernet/0xB62C 02:00:00:00:00:01 -> 01:00:5e:00:00:01 VLAN VID 100 PCP 5 DEI 0, 47 bytes"
has_line cap "frame 6 2026-11-23T12:00:00.005000123Z Ethernet/0xB62C 02:00:00:00:00:01 -> 01:00:5e:00:00:01, 16 bytes"
has_line cap "frame 8: BadDecodingError at byte 21"
has cap "writer ids 11, 12, 13" '      1: String "xyz"' "sequence_number: 4711" \
    'publisher_id: String "publisher-Ä-1"' "      2: Int32 202" "KeepAlive"
lacks cap "frame 7"
[ "$(grep -c '^frame [0-9]* 2026' "$TMP/cap.out")" -eq 7 ] || fail "cap: expected 7 frame header lines"
run capv 1 "$UAGATE" decode -v samples/capture.pcapng
has_line capv "frame 7: skipped (UDP to another port)"
has_line capv "# samples/capture.pcapng: 7 UADP message(s), 1 malformed"

# Options after the file, and several files: the worst exit code wins.
run mixed 1 "$UAGATE" decode samples/messages/mt_keepalive.uadp samples/capture.pcapng -v
run mixedmissing 2 "$UAGATE" decode samples/capture.pcapng "$TMP/nope"
has mixedmissing "frame 8: BadDecodingError at byte 21"

# ---- classic pcap, both byte orders, micro/nano, and the other link types ----
for kind in pcap-le-us pcap-be-ns sll sll2 null raw; do
    "$PY" tools/mkcapture.py --variant $kind . "$TMP/$kind.pcap" || { fail "mkcapture $kind"; continue; }
    run "v-$kind" 1 "$UAGATE" decode "$TMP/$kind.pcap"
    has "v-$kind" "UDP/IPv4 192.168.10.1:50000 -> 239.0.0.1:4840, 62 bytes" \
        "UDP/IPv6 [fd00::10]:50000 -> [ff15::1]:4840, 28 bytes" \
        "payload_header: count 3, writer ids 11, 12, 13" ": BadDecodingError at byte 21"
    case $kind in
    pcap-be-ns) has "v-$kind" "frame 1 2026-11-23T12:00:00.000000123Z" "VLAN VID 100 PCP 5 DEI 0" ;;
    pcap-le-us) has "v-$kind" "frame 1 2026-11-23T12:00:00.000000000Z" "VLAN VID 100 PCP 5 DEI 0" ;;
    sll | sll2) has "v-$kind" "Ethernet/0xB62C 02:00:00:00:00:01 -> ? VLAN VID 100 PCP 5 DEI 0, 47 bytes" ;;
    esac
done

# ---- --json: JSON Lines, one object per message ----
run json 1 "$UAGATE" decode --json samples/capture.pcapng samples/messages/type_string.uadp
"$PY" -m json.tool --json-lines "$TMP/json.out" >/dev/null || fail "json: not valid JSON Lines"
"$PY" - "$TMP/json.out" <<'EOF' || fail "json: content"
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert len(objs) == 8, len(objs)
by = {(o["file"], o["frame"]): o for o in objs}
f1 = by[("samples/capture.pcapng", 1)]["network_message"]
assert f1["publisher_id"] == {"type": "UInt16", "value": 1000}, f1["publisher_id"]
assert f1["payload_header"]["dataset_writer_ids"] == [11, 12, 13]
assert f1["dataset_messages"][1]["fields"][1]["variant"]["value"] == "xyz"
f5 = by[("samples/capture.pcapng", 5)]
assert f5["vlan"] == {"vid": 100, "pcp": 5, "dei": 0}, f5["vlan"]
assert f5["transport"] == "Ethernet/0xB62C"
assert [f["index"] for f in f5["network_message"]["dataset_messages"][0]["fields"]] == [2, 5, 9]
assert by[("samples/capture.pcapng", 6)]["vlan"] is None
f8 = by[("samples/capture.pcapng", 8)]
assert f8["error"] == "BadDecodingError" and f8["error_offset"] == 21, f8
s = by[("samples/messages/type_string.uadp", 1)]["network_message"]["dataset_messages"][0]["fields"]
assert [f["variant"]["value"] for f in s] == ["hello", "", None, "Grüße 日本 🚀", 'quote" backslash\\ newline\n'], s
EOF

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all decode CLI checks passed"
