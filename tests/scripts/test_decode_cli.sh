#!/bin/bash
# `uagate decode` on the samples: raw messages, the pcapng capture and the same
# frames as classic pcap in every supported link type; exit codes; --dump-json; --json
# (standard Part 14 JSON); JSON NetworkMessage files as input.
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

# ---- --dump-json: the model dump, JSON Lines, one object per message ----
run json 1 "$UAGATE" decode --dump-json samples/capture.pcapng samples/messages/type_string.uadp
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

# ---- --json: the standard Part 14 JSON NetworkMessage, one per line ----
run usage_cj 2 "$UAGATE" decode --compact samples/messages/type_string.uadp
run usage_jd 2 "$UAGATE" decode --json --dump-json samples/messages/type_string.uadp
run p14 0 "$UAGATE" decode --json samples/messages/*.uadp
[ -s "$TMP/p14.err" ] && fail "p14: stderr: $(head -c 300 "$TMP/p14.err")"
run p14c 0 "$UAGATE" decode --json --compact samples/messages/dsm_header_all.uadp \
    samples/messages/nm_payload_header_3dsm.uadp samples/messages/enc_datavalue.uadp
for n in p14 p14c; do
    "$PY" -m json.tool --json-lines "$TMP/$n.out" >/dev/null || fail "$n: not valid JSON Lines"
done
"$PY" - "$TMP/p14.out" "$TMP/p14c.out" <<'EOF' || fail "p14: content"
import json, sys
verbose = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
compact = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
assert len(verbose) == 10 and len(compact) == 3, (len(verbose), len(compact))
for m in verbose + compact:
    assert m["MessageType"] == "ua-data" and "MessageId" in m and m["Messages"], m
# samples/messages in glob order: dsm_header_all, enc_datavalue, mt_deltaframe_variant,
# mt_keepalive, nm_payload_header_3dsm, nm_promoted_fields, nm_pubid_string,
# sec_sign_aes128ctr, type_matrix, type_string
hdr = verbose[0]["Messages"][0]
assert verbose[0]["PublisherId"] == "1000"
assert hdr["DataSetWriterId"] == 62541 and hdr["SequenceNumber"] == 4711, hdr
assert hdr["MetaDataVersion"] == {"MajorVersion": 1700000000, "MinorVersion": 1700000123}
assert hdr["Timestamp"] == "2024-01-01T00:00:00.1234567Z"
assert hdr["Status"] == {"Code": 0x800A0000, "Symbol": "BadTimeout"}, hdr["Status"]
assert compact[0]["Messages"][0]["Status"] == {"Code": 0x800A0000}, compact[0]
assert hdr["Payload"]["0"] == {"UaType": 6, "Value": 123456}
dv = verbose[1]["Messages"][0]["Payload"]["0"]
assert dv["Value"] == 20.25 and dv["Status"]["Symbol"] == "GoodClamped" and dv["ServerPicoseconds"] == 20, dv
delta = verbose[2]["Messages"][0]
assert delta["MessageType"] == "ua-deltaframe" and delta["Payload"]["9"] == {"UaType": 12, "Value": "nine"}
ka = verbose[3]["Messages"][0]
assert ka["MessageType"] == "ua-keepalive" and "Payload" not in ka and ka["SequenceNumber"] == 99
three = verbose[4]["Messages"]
assert [d["DataSetWriterId"] for d in three] == [11, 12, 13]
assert three[1]["SequenceNumber"] == 7 and three[1]["Payload"]["1"]["Value"] == "xyz"
assert compact[1]["Messages"][1]["Payload"]["0"] == {"UaType": 11, "Value": 2.5}
assert "DataSetWriterId" not in verbose[5]["Messages"][0]  # no PayloadHeader
assert verbose[6]["PublisherId"] == "publisher-Ä-1"
assert verbose[8]["Messages"][0]["Payload"]["0"] == {"UaType": 6, "Value": [1, 2, 3, 4, 5, 6], "Dimensions": [2, 3]}
s = verbose[9]["Messages"][0]["Payload"]
assert [s[k]["Value"] for k in "01234"] == ["hello", "", None, "Grüße 日本 🚀", 'quote" backslash\\ newline\n'], s
EOF
# What has no JSON form goes to stderr, and stdout stays JSON Lines.
run p14raw 1 "$UAGATE" decode --json tests/vectors/open62541/enc_raw_int32x10.uadp samples/messages/type_string.uadp
grep -q "enc_raw_int32x10.uadp: frame 1: no JSON form: RawData fields not decoded" "$TMP/p14raw.err" ||
    fail "p14raw: stderr does not say why"
[ "$(wc -l <"$TMP/p14raw.out")" -eq 1 ] || fail "p14raw: expected the one line of type_string"
run p14bad 1 "$UAGATE" decode --json tests/vectors/open62541/bad_trunc_in_field.bad.uadp
grep -q "frame 1: BadDecodingError at byte 21" "$TMP/p14bad.err" || fail "p14bad: stderr"
[ -s "$TMP/p14bad.out" ] && fail "p14bad: printed to stdout"
run p14cap 1 "$UAGATE" decode --json samples/capture.pcapng
[ "$(wc -l <"$TMP/p14cap.out")" -eq 6 ] || fail "p14cap: expected 6 JSON lines (7 messages, 1 malformed)"
"$PY" -m json.tool --json-lines "$TMP/p14cap.out" >/dev/null || fail "p14cap: not valid JSON Lines"

# ---- JSON NetworkMessage files as input, printed as text ----
run jin 0 "$UAGATE" decode tests/vectors/uagate/v104_reversible.json \
    tests/vectors/uagate/annexa_dataset2_all_flags.json tests/vectors/uagate/dsm_array_mixed.json \
    tests/vectors/uagate/metadata_verbose.json tests/vectors/uagate/status_cyclic.json \
    tests/vectors/open62541/nm_pubid_string.json
has jin "file tests/vectors/uagate/v104_reversible.json: 620 bytes, JSON NetworkMessage" \
    '  message_id: "ABC-1"' '  publisher_id: String "pub-1"' \
    "  dataset_class_id: c496578a-0dfe-4b8f-870a-745238c6aeae" \
    '      0: "n" = DataValue {value NodeId ns=2;s=Valve}' \
    "source_timestamp 132274907999999999 2020-02-29T22:59:59.9999999Z, source_picoseconds 5" \
    '  writer_group_name: "WriterGroup1"' '    dataset_writer_name: "Writer102"' \
    '      1: "Coordinate" = ExtensionObject {type_id i=0, Json body {"X":1,"Y":0.2}}' \
    '      2: "Measurements" = Variant[3] [Int32 20030, Int32 20020, Int32 20010]' \
    "DataSetMessage 2/3: writer 12, KeepAlive" '      1: "neg0" = Double -0.0' \
    '      2: "m" = Byte[3x2] [1, 2, 3, 4, 5, 6]' \
    '  writer 7, DataSetMetaData "Boiler", 2 fields, version 11.12' "  state 2, cyclic" \
    'publisher_id: String "publisher-Ä-1"'
printf '  \n{"MessageId":"x","MessageType":"ua-data","Messages":[{"Payload":{"a":1}}' >"$TMP/cut.json"
run jcut 1 "$UAGATE" decode "$TMP/cut.json"
grep -q "^file $TMP/cut.json: JSON: BadDecodingError at byte" "$TMP/jcut.out" || fail "jcut: no error line"

# UADP -> --json -> decode as JSON: the same values, as text.
"$UAGATE" decode --json samples/messages/nm_payload_header_3dsm.uadp >"$TMP/rt.json" || fail "rt: --json"
run rt 0 "$UAGATE" decode "$TMP/rt.json"
has rt "DataSetMessage 2/3: writer 12, KeyFrame, Variant, valid" '      1: "1" = String "xyz"' \
    "    sequence_number: 7" "status 0x40920000 (UncertainInitialValue)"
run rtd 0 "$UAGATE" decode --dump-json "$TMP/rt.json"
"$PY" -m json.tool --json-lines "$TMP/rtd.out" >/dev/null || fail "rtd: not valid JSON Lines"

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all decode CLI checks passed"
