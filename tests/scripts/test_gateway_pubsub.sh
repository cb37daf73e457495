#!/bin/bash
# `uagate pub` -> `uagate sub` round trips on loopback: UADP and JSON, unicast
# and multicast on lo; every field type pub accepts comes back with its
# value; sequence numbers count up; bad --dataset specs are usage errors.
# Run from the source root: bash tests/scripts/test_gateway_pubsub.sh BUILD_DIR
. "$(dirname "$0")/isolate.sh"  # multicast: own network namespace when root
set -u
. "$(dirname "$0")/lib.sh"
BUILD=${1:?usage: test_gateway_pubsub.sh BUILD_DIR}
UAGATE=$BUILD/uagate
PY=/usr/bin/python3
[ -x "$UAGATE" ] || { echo "SKIP: $UAGATE not built"; exit 77; }
[ -x "$PY" ] || { echo "SKIP: $PY missing"; exit 77; }
"$UAGATE" pub --help >/dev/null 2>&1 || { echo "SKIP: uagate has no pub command"; exit 77; }

ug_begin
SPEC='b=Boolean:true,sb=SByte:-5,by=Byte:200,i16=Int16:-300,u16=UInt16:60000,i32=Int32:-70000,u32=UInt32:4000000000,i64=Int64:-9000000000,u64=UInt64:18000000000000000000,f=Float:1.5,d=Double:0.1,s=String:hello world'

# round NAME URL [pub options...]: sub --count 3, pub --count 3, then check.
round() {
    local name=$1 url=$2
    shift 2
    local sub_opts=()
    [[ $url == opc.udp://239.* ]] && sub_opts=(--interface lo)
    timeout 10 "$UAGATE" sub "$url" --json --count 3 "${sub_opts[@]}" >"$TMP/$name.out" 2>"$TMP/$name.err" &
    local sub=$!
    PIDS+=($sub)
    sleep 0.4
    timeout 10 "$UAGATE" pub "$url" --dataset "$SPEC" --count 3 --interval 20ms \
        --publisher-id 42 --writer-group-id 5 --writer-id 6 "$@" >"$TMP/$name.pub" 2>&1
    local rc=$?
    [ $rc -eq 0 ] || fail "$name: pub exit $rc: $(cat "$TMP/$name.pub")"
    wait $sub
    rc=$?
    [ $rc -eq 0 ] || fail "$name: sub exit $rc: $(cat "$TMP/$name.err")"
    $PY - "$TMP/$name.out" "$name" <<'PYEOF' || fail "$name: content"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert len(lines) == 3, lines
want = {"b": True, "sb": -5, "by": 200, "i16": -300, "u16": 60000, "i32": -70000,
        "u32": 4000000000, "i64": -9000000000, "u64": 18000000000000000000, "f": 1.5,
        "d": 0.1, "s": "hello world"}
for k, m in enumerate(lines):
    d = m["messages"][0]
    assert m["publisherId"] == 42, m
    assert d["dataSetWriterId"] == 6, d
    assert d["sequenceNumber"] == k, d
    vals = list(d["fields"].values())
    if m["encoding"] == "JSON":
        assert d["fields"] == want, d["fields"]
    else:
        assert m["writerGroupId"] == 5, m
        assert vals == list(want.values()), vals
PYEOF
}

round uadp "opc.udp://127.0.0.1:$(free_port)"
round json "opc.udp://127.0.0.1:$(free_port)" --json
grep -q '"encoding":"JSON"' "$TMP/json.out" || fail "json: not JSON on the wire"
if ip link show lo >/dev/null 2>&1; then
    round mcast "opc.udp://239.255.$((RANDOM % 200)).$((RANDOM % 200 + 1)):$(free_port)" --interface lo
fi

# Text output names the fields of JSON messages.
P=$(free_port)
timeout 10 "$UAGATE" sub "opc.udp://127.0.0.1:$P" --count 1 >"$TMP/text.out" 2>&1 &
PIDS+=($!)
sleep 0.4
"$UAGATE" pub "opc.udp://127.0.0.1:$P" --json --dataset 'temp=Double:21.5' >/dev/null 2>&1
wait $!
grep -q '"temp" = Double 21.5' "$TMP/text.out" || fail "text output: $(cat "$TMP/text.out")"

# --duration ends a quiet sub with exit 0.
timeout 10 "$UAGATE" sub "opc.udp://127.0.0.1:$(free_port)" --duration 300ms >/dev/null 2>&1
[ $? -eq 0 ] || fail "sub --duration did not end cleanly"

# Usage errors.
for spec in 'x' 'x=Double' 'x=Double:abc' 'x=Byte:256' 'x=UInt16:-1' 'x=Guid:1' 'x=Boolean:yes'; do
    "$UAGATE" pub opc.udp://127.0.0.1:9 --dataset "$spec" >/dev/null 2>"$TMP/err"
    [ $? -eq 2 ] || fail "pub accepted --dataset '$spec'"
    grep -q "uagate pub: --dataset: " "$TMP/err" || fail "pub '$spec': message: $(cat "$TMP/err")"
done
"$UAGATE" pub opc.udp://127.0.0.1:9 >/dev/null 2>&1
[ $? -eq 2 ] || fail "pub without --dataset accepted"
"$UAGATE" pub 'http://x' --dataset a=Int32:1 >/dev/null 2>"$TMP/err"
[ $? -eq 2 ] || fail "pub bad url accepted"
"$UAGATE" sub >/dev/null 2>&1
[ $? -eq 2 ] || fail "sub without url accepted"

if [ $failures -ne 0 ]; then
    echo "$failures failure(s)"
    exit 1
fi
echo "OK: uagate pub/sub"
