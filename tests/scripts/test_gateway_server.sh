#!/bin/bash
# `uagate run` serves the gateway over OPC UA (issue 7 item 6), checked with
# uagate's own client commands (browse, read, write, call) and `uagate sub`:
#   - "opc.tcp listening on opc.tcp://127.0.0.1:PORT" on stderr (port 0 in the
#     file: the kernel picks one); --status-json has opcuaServer lines
#   - Objects -> Gateway folder -> Variables, Echo, one object per connection;
#     PublishSubscribe (i=14443) references the connections
#   - a writer's field variable changes between two reads; a reader's field
#     variable shows what the reader received
#   - writing a configuration variable changes what the writer publishes
#     (seen by `uagate sub` and by the reader's field variable)
#   - Disable on a writer group: State 0, nothing published; Enable: State 2,
#     publishing again; Enable twice: BadInvalidState
#   - Echo returns its input; bad writes get BadNotWritable/BadTypeMismatch
#   - SIGHUP with a new variable: the node appears
#   - a port in use: exit 1 with a clear message; "enabled": false serves nothing
# Run from the source root: bash tests/scripts/test_gateway_server.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"
BUILD=${1:?usage: test_gateway_server.sh BUILD_DIR}
UAGATE=$BUILD/uagate
PY=/usr/bin/python3
[ -x "$UAGATE" ] || { echo "SKIP: $UAGATE not built"; exit 77; }
[ -x "$PY" ] || { echo "SKIP: $PY missing"; exit 77; }
for c in run browse read write call sub; do
    "$UAGATE" $c --help >/dev/null 2>&1 || { echo "FAIL: uagate has no $c command"; exit 1; }
done

ug_begin
P_PUB=$(free_port)   # the writer group "out" publishes here (uagate sub listens)
P_LOOP=$(free_port)  # "dev" publishes here, "field" reads it back
G="ns=1;s=Gateway"

config() { # $1: extra variables (JSON, may be empty)
    cat <<JSON
{
  "name": "srvtest",
  "statusInterval": "300ms",
  "server": { "url": "opc.tcp://127.0.0.1:0" },
  "variables": [ { "name": "setpoint", "dataType": "Double", "value": 21.5 } $1 ],
  "publishedDataSets": [ { "name": "dev", "fields": [
    { "name": "counter", "dataType": "UInt32", "source": { "simulator": "counter" } },
    { "name": "setpoint", "dataType": "Double", "source": { "variable": "setpoint" } } ] } ],
  "connections": [
    { "name": "out", "publisherId": 7, "address": { "url": "opc.udp://127.0.0.1:$P_PUB" },
      "writerGroups": [ { "name": "wg", "writerGroupId": 1, "publishingInterval": "50ms",
        "encoding": "JSON",
        "dataSetWriters": [ { "name": "w", "dataSetWriterId": 1, "dataSetName": "dev" } ] } ] },
    { "name": "dev", "publisherId": 8, "address": { "url": "opc.udp://127.0.0.1:$P_LOOP" },
      "writerGroups": [ { "name": "dg", "writerGroupId": 2, "publishingInterval": "50ms",
        "dataSetWriters": [ { "name": "dw", "dataSetWriterId": 2, "dataSetName": "dev" } ] } ] },
    { "name": "field", "address": { "url": "opc.udp://127.0.0.1:$P_LOOP" },
      "readerGroups": [ { "name": "rg", "dataSetReaders": [ {
        "name": "r", "publisherId": 8, "writerGroupId": 2, "dataSetWriterId": 2,
        "dataSetMetaData": { "fields": [ { "name": "counter", "dataType": "UInt32" },
                                         { "name": "setpoint", "dataType": "Double" } ] } } ] } ] }
  ]
}
JSON
}
config "" >"$TMP/gw.json"
"$UAGATE" check "$TMP/gw.json" >/dev/null || fail "test configuration does not validate"

"$UAGATE" run "$TMP/gw.json" --status-json >"$TMP/gw.out" 2>"$TMP/gw.err" &
GW=$!
PIDS+=($GW)
wait_for "$TMP/gw.err" "^opc.tcp listening on " 5 || { fail "no listening line: $(cat "$TMP/gw.err")"; exit 1; }
URL=$(sed -n 's/^opc.tcp listening on //p' "$TMP/gw.err")
[[ $URL =~ ^opc\.tcp://127\.0\.0\.1:[0-9]+$ ]] || fail "listening line: '$URL'"
[ "${URL##*:}" != 0 ] || fail "the bound port is not reported: $URL"
sleep 0.5

# ua NAME CMD ARGS...: runs a client command, output in $TMP/NAME.out, exit code in rc.
ua() {
    local name=$1
    shift
    timeout 30 "$UAGATE" "$@" --timeout 3 >"$TMP/$name.out" 2>"$TMP/$name.err"
    rc=$?
}
# expect_ok NAME CMD ARGS...: the command succeeds.
expect_ok() {
    ua "$@"
    [ $rc -eq 0 ] || fail "$1: exit $rc: $(cat "$TMP/$1.out" "$TMP/$1.err")"
}
has() { grep -qF -- "$2" "$TMP/$1.out" || fail "$1: no '$2' in: $(cat "$TMP/$1.out" "$TMP/$1.err")"; }

# 1. Browse: Objects -> Gateway -> its children; PublishSubscribe.
expect_ok objects browse "$URL"
has objects "$G"
expect_ok gateway browse "$URL" "$G"
for child in "$G/Variables" "$G/Echo" "$G/out" "$G/dev" "$G/field"; do has gateway "$child"; done
expect_ok vars browse "$URL" "$G/Variables"
has vars "$G/Variables/setpoint"
expect_ok wg browse "$URL" "$G/out/wg"
has wg "$G/out/wg/w"
has wg "$G/out/wg/Status"
expect_ok pubsub browse "$URL" "i=14443"
for c in out dev field; do has pubsub "$G/$c"; done

# 2. Live writer field: two reads 300 ms apart differ (a counter at 50 ms).
expect_ok c1 read "$URL" "$G/out/wg/w/counter"
sleep 0.3
expect_ok c2 read "$URL" "$G/out/wg/w/counter"
grep -q '^UInt32 [0-9]' "$TMP/c1.out" || fail "counter read: $(cat "$TMP/c1.out")"
cmp -s "$TMP/c1.out" "$TMP/c2.out" && fail "counter did not change: $(cat "$TMP/c1.out") $(cat "$TMP/c2.out")"
expect_ok rc1 read "$URL" "$G/field/rg/r/counter"
grep -q '^UInt32 [0-9]' "$TMP/rc1.out" || fail "reader counter: $(cat "$TMP/rc1.out")"

# 3. A variable: read, write, read back; the writer publishes it; the reader
# receives it.
expect_ok sp1 read "$URL" "$G/Variables/setpoint"
has sp1 "Double 21.5"
expect_ok spw write "$URL" "$G/Variables/setpoint" 42.25
expect_ok sp2 read "$URL" "$G/Variables/setpoint"
has sp2 "Double 42.25"
timeout 10 "$UAGATE" sub "opc.udp://127.0.0.1:$P_PUB" --json --count 3 >"$TMP/sub1.out" 2>"$TMP/sub1.err"
[ $? -eq 0 ] || fail "sub after write: $(cat "$TMP/sub1.err")"
$PY - "$TMP/sub1.out" <<'PYEOF' || fail "subscriber did not get the written setpoint"
import json, sys
for l in open(sys.argv[1]):
    f = json.loads(l)["messages"][0]["fields"]
    assert f["setpoint"] == 42.25, f
PYEOF
expect_ok rsp read "$URL" "$G/field/rg/r/setpoint"
has rsp "Double 42.25"
expect_ok wsp read "$URL" "$G/out/wg/w/setpoint"
has wsp "Double 42.25"

# 4. Disable / Enable the writer group.
expect_ok st1 read "$URL" "$G/out/wg/Status/State"
has st1 "Int32 2"
expect_ok dis call "$URL" "$G/out/wg/Status" "$G/out/wg/Status/Disable"
expect_ok st2 read "$URL" "$G/out/wg/Status/State"
has st2 "Int32 0"
timeout 1.5 "$UAGATE" sub "opc.udp://127.0.0.1:$P_PUB" --json --count 1 >"$TMP/sub2.out" 2>&1
[ -s "$TMP/sub2.out" ] && grep -q messages "$TMP/sub2.out" && fail "disabled group still publishes"
expect_ok en call "$URL" "$G/out/wg/Status" "$G/out/wg/Status/Enable"
expect_ok st3 read "$URL" "$G/out/wg/Status/State"
has st3 "Int32 2"
timeout 10 "$UAGATE" sub "opc.udp://127.0.0.1:$P_PUB" --json --count 2 >"$TMP/sub3.out" 2>&1
[ $? -eq 0 ] || fail "enabled group does not publish again"
ua en2 call "$URL" "$G/out/wg/Status" "$G/out/wg/Status/Enable"
[ $rc -ne 0 ] || fail "Enable on an enabled group succeeded"
grep -q BadInvalidState "$TMP/en2.out" "$TMP/en2.err" || fail "Enable twice: $(cat "$TMP/en2.out" "$TMP/en2.err")"

# 5. Echo; bad writes.
expect_ok echo call "$URL" "$G" "$G/Echo" "String:hello gateway"
has echo "hello gateway"
ua wfield write "$URL" "$G/out/wg/w/counter" 5
[ $rc -ne 0 ] || fail "writing a field variable succeeded"
grep -q BadNotWritable "$TMP/wfield.out" "$TMP/wfield.err" || fail "field write: $(cat "$TMP/wfield.out" "$TMP/wfield.err")"
ua wtype write "$URL" "$G/Variables/setpoint" 5 --type Int32
[ $rc -ne 0 ] || fail "writing an Int32 into a Double variable succeeded"
grep -q BadTypeMismatch "$TMP/wtype.out" "$TMP/wtype.err" || fail "type write: $(cat "$TMP/wtype.out" "$TMP/wtype.err")"

# 6. Reload with one more variable: its node appears, the old ones stay.
config ', { "name": "mode", "dataType": "Int32", "value": 3 }' >"$TMP/gw.json"
kill -HUP $GW
wait_for "$TMP/gw.err" "reloaded" 5 || fail "no reload: $(cat "$TMP/gw.err")"
expect_ok mode read "$URL" "$G/Variables/mode"
has mode "Int32 3"
expect_ok sp3 read "$URL" "$G/Variables/setpoint"
has sp3 "Double 42.25"
expect_ok st4 read "$URL" "$G/out/wg/Status/State"
has st4 "Int32 2"

# 7. The same port again: refused with a clear message.
sed "s#opc.tcp://127.0.0.1:0#$URL#" "$TMP/gw.json" >"$TMP/taken.json"
timeout 10 "$UAGATE" run "$TMP/taken.json" --duration 2s >/dev/null 2>"$TMP/taken.err"
rc=$?
[ $rc -eq 1 ] || fail "second server on a taken port: exit $rc"
grep -q "OPC UA server on $URL: BadResourceUnavailable (address in use?" "$TMP/taken.err" \
    || fail "taken port message: $(cat "$TMP/taken.err")"

# 8. The status lines show the sessions' requests.
sleep 0.4
kill -TERM $GW
wait $GW
rc=$?
[ $rc -eq 0 ] || fail "gateway exit $rc after SIGTERM: $(tail -5 "$TMP/gw.err")"
$PY - "$TMP/gw.out" "$URL" <<'PYEOF' || fail "--status-json opcuaServer lines"
import json, sys
srv = [json.loads(l)["opcuaServer"] for l in open(sys.argv[1]) if "opcuaServer" in l]
assert srv, "no opcuaServer line"
assert srv[-1]["url"] == sys.argv[2], srv[-1]
assert srv[-1]["requests"] >= 20 and srv[-1]["sessionsCreated"] >= 10, srv[-1]
PYEOF
grep -q "uagate: error" "$TMP/gw.err" && fail "gateway logged errors: $(grep 'uagate: error' "$TMP/gw.err")"

# 9. "enabled": false: no server.
sed 's#"server": { "url": "opc.tcp://127.0.0.1:0" }#"server": { "enabled": false }#' "$TMP/gw.json" >"$TMP/off.json"
timeout 10 "$UAGATE" run "$TMP/off.json" --duration 500ms >/dev/null 2>"$TMP/off.err"
[ $? -eq 0 ] || fail "server disabled: run failed: $(cat "$TMP/off.err")"
grep -q "opc.tcp listening" "$TMP/off.err" && fail "server disabled but listening"

if [ $failures -ne 0 ]; then
    echo "--- gateway log"; cat "$TMP/gw.err"
    echo "$failures failure(s)"
    exit 1
fi
echo "OK: uagate run serves the gateway over OPC UA"
