#!/bin/bash
# A published field fed by a monitored item on another OPC UA server (issue
# 7 item 7, the "client source"). Two uagate processes:
#   A serves OPC UA (port 0: the kernel picks) with the variables speed
#     (Double) and count (Int32);
#   B publishes JSON over UDP a dataset whose fields have "source": {"opcua":
#     ...} pointing at A's ns=1;s=Gateway/Variables/speed and .../count (count
#     into a Double and a Byte field, speed into an Int32 one: converted when
#     the value fits, BadTypeMismatch when not).
# `uagate sub` sees A's values; a `uagate write` into A shows up at the
# subscriber; a source naming an unknown node publishes BadNodeIdUnknown;
# stopping A makes B's fields BadCommunicationError, restarting A on the same
# port brings the values back (the client reconnects on its own); a reload
# keeps the clients when their sources did not change and rebuilds them when
# they did. Statuses are read from B's own OPC UA server: the writer's field
# variables carry what it published, status included. --status-json has an
# opcuaSources line.
# Run from the source root: bash tests/scripts/test_gateway_client_source.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"
BUILD=${1:?usage: test_gateway_client_source.sh BUILD_DIR}
UAGATE=$BUILD/uagate
PY=/usr/bin/python3
[ -x "$UAGATE" ] || { echo "SKIP: $UAGATE not built"; exit 77; }
[ -x "$PY" ] || { echo "SKIP: $PY missing"; exit 77; }
for c in run write sub; do
    "$UAGATE" $c --help >/dev/null 2>&1 || { echo "FAIL: uagate has no $c command"; exit 1; }
done

ug_begin
P_PUB=$(free_port)
G="ns=1;s=Gateway"

server_cfg() { # $1: server URL
    cat <<JSON
{ "name": "field-server", "statusInterval": "1s",
  "server": { "url": "$1" },
  "variables": [ { "name": "speed", "dataType": "Double", "value": 1.5 },
                 { "name": "count", "dataType": "Int32", "value": 7 } ] }
JSON
}
server_cfg "opc.tcp://127.0.0.1:0" >"$TMP/a.json"
"$UAGATE" run "$TMP/a.json" >"$TMP/a.out" 2>"$TMP/a.err" &
A=$!
PIDS+=($A)
wait_for "$TMP/a.err" "^opc.tcp listening on " 5 || { fail "A did not start: $(cat "$TMP/a.err")"; exit 1; }
URL=$(sed -n 's/^opc.tcp listening on //p' "$TMP/a.err")

cat >"$TMP/b.json" <<JSON
{ "name": "cloud-publisher", "statusInterval": "300ms",
  "server": { "url": "opc.tcp://127.0.0.1:0" },
  "publishedDataSets": [ { "name": "plc", "fields": [
    { "name": "speed", "dataType": "Double",
      "source": { "opcua": { "url": "$URL", "nodeId": "$G/Variables/speed", "samplingInterval": "50ms" } } },
    { "name": "count", "dataType": "Double",
      "source": { "opcua": { "url": "$URL", "nodeId": "$G/Variables/count", "samplingInterval": "50ms" } } },
    { "name": "ghost", "dataType": "Double",
      "source": { "opcua": { "url": "$URL", "nodeId": "ns=1;s=NoSuchNode" } } },
    { "name": "small", "dataType": "Byte",
      "source": { "opcua": { "url": "$URL", "nodeId": "$G/Variables/count" } } },
    { "name": "whole", "dataType": "Int32",
      "source": { "opcua": { "url": "$URL", "nodeId": "$G/Variables/speed" } } } ] } ],
  "connections": [ { "name": "cloud", "publisherId": 5, "address": { "url": "opc.udp://127.0.0.1:$P_PUB" },
    "writerGroups": [ { "name": "g", "writerGroupId": 1, "publishingInterval": "100ms", "encoding": "JSON",
      "dataSetWriters": [ { "name": "w", "dataSetWriterId": 1, "dataSetName": "plc" } ] } ] } ] }
JSON
"$UAGATE" check "$TMP/b.json" >/dev/null || fail "B's configuration does not validate"
"$UAGATE" run "$TMP/b.json" --status-json >"$TMP/b.out" 2>"$TMP/b.err" &
B=$!
PIDS+=($B)

# sub_until NAME PYTHON-CONDITION: reads messages (at most 8 s) until one
# satisfies the condition on `f` (the JSON fields: name -> value).
sub_until() {
    timeout 8 "$UAGATE" sub "opc.udp://127.0.0.1:$P_PUB" --json >"$TMP/$1.out" 2>"$TMP/$1.err" &
    local sp=$!
    local i
    for ((i = 0; i < 80; i++)); do
        sleep 0.1
        $PY - "$TMP/$1.out" "$2" <<'PYEOF' && { kill $sp 2>/dev/null; wait $sp 2>/dev/null; return 0; }
import json, sys
def val(x):
    return x
for l in open(sys.argv[1]):
    try:
        f = json.loads(l)["messages"][0]["fields"]
    except Exception:
        continue
    if eval(sys.argv[2]):
        sys.exit(0)
sys.exit(1)
PYEOF
    done
    wait $sp 2>/dev/null
    return 1
}

# status_until NODE TEXT: reading B's node NODE (a writer field variable)
# prints TEXT (a value or a Bad status) within 20 s.
status_until() {
    local i
    for ((i = 0; i < 10; i++)); do
        timeout 20 "$UAGATE" read "$URL_B" "$1" --timeout 2 >"$TMP/st.out" 2>&1
        grep -qF -- "$2" "$TMP/st.out" && return 0
        sleep 0.5
    done
    return 1
}

wait_for "$TMP/b.err" "^opc.tcp listening on " 5 || fail "B's server did not start: $(cat "$TMP/b.err")"
URL_B=$(sed -n 's/^opc.tcp listening on //p' "$TMP/b.err")
BW="$G/cloud/g/w"

# 1. A's values arrive (Int32 7 converted to Double 7.0).
sub_until first 'val(f["speed"]) == 1.5 and val(f["count"]) == 7' \
    || fail "A's values not published by B: $(tail -3 "$TMP/first.out"; cat "$TMP/b.err")"
# The unknown node: published with its Bad status.
status_until "$BW/ghost" BadNodeIdUnknown || fail "ghost field: $(cat "$TMP/st.out")"
status_until "$BW/count" "Double 7" || fail "count field: $(cat "$TMP/st.out")"
# Conversions: Int32 7 fits a Byte; Double 1.5 is no Int32.
status_until "$BW/small" "Byte 7" || fail "small field: $(cat "$TMP/st.out")"
status_until "$BW/whole" BadTypeMismatch || fail "whole field: $(cat "$TMP/st.out")"
grep -q "opcua source plc/whole: Double value does not fit Int32" "$TMP/b.err" \
    || fail "no log line for the conversion: $(cat "$TMP/b.err")"
grep -q "opcua source plc/ghost: monitored item ns=1;s=NoSuchNode on $URL: BadNodeIdUnknown" "$TMP/b.err" \
    || fail "no log line for the unknown node: $(cat "$TMP/b.err")"

# 2. A write into A reaches B's subscriber.
timeout 30 "$UAGATE" write "$URL" "$G/Variables/speed" 7.75 --timeout 3 >"$TMP/w.out" 2>&1 \
    || fail "write into A: $(cat "$TMP/w.out")"
sub_until written 'val(f["speed"]) == 7.75' || fail "written value not published: $(tail -2 "$TMP/written.out")"

# 3. A goes away: B's fields carry BadCommunicationError.
kill -TERM $A
wait $A
rc=$?
[ $rc -eq 0 ] || fail "A exit $rc after SIGTERM: $(tail -5 "$TMP/a.err")"
status_until "$BW/speed" BadCommunicationError || fail "A stopped but speed not Bad: $(cat "$TMP/st.out")"

# 4. A comes back on the same port (value from its file: 1.5): B reconnects.
server_cfg "$URL" >"$TMP/a2.json"
"$UAGATE" run "$TMP/a2.json" >"$TMP/a2.out" 2>"$TMP/a2.err" &
A=$!
PIDS+=($A)
wait_for "$TMP/a2.err" "^opc.tcp listening on $URL" 5 || fail "A did not restart: $(cat "$TMP/a2.err")"
sub_until back 'val(f["speed"]) == 1.5' && status_until "$BW/speed" "Double 1.5" \
    || fail "B did not reconnect: $(tail -1 "$TMP/back.out"; cat "$TMP/b.err")"

# 5. Reloads: an unchanged file keeps the client (no new connection); a
# changed samplingInterval rebuilds it and the values keep coming.
n_conn() { grep -c "opcua sources: connected to" "$TMP/b.err"; }
before=$(n_conn)
kill -HUP $B
wait_for "$TMP/b.err" "reloaded" 5 || fail "no reload: $(cat "$TMP/b.err")"
sleep 0.5
[ "$(n_conn)" = "$before" ] || fail "an unchanged reload reconnected: $(cat "$TMP/b.err")"
sed -i 's#"samplingInterval": "50ms"#"samplingInterval": "80ms"#' "$TMP/b.json"
kill -HUP $B
for ((i = 0; i < 50; i++)); do [ "$(n_conn)" -gt "$before" ] && break; sleep 0.1; done
[ "$(n_conn)" -gt "$before" ] || fail "a changed source was not rebuilt: $(cat "$TMP/b.err")"
timeout 30 "$UAGATE" write "$URL" "$G/Variables/speed" -3.5 --timeout 3 >"$TMP/w2.out" 2>&1 \
    || fail "second write into A: $(cat "$TMP/w2.out")"
sub_until reloaded 'val(f["speed"]) == -3.5' || fail "no values after the reload: $(tail -1 "$TMP/reloaded.out")"

kill -TERM $B
wait $B
rc=$?
[ $rc -eq 0 ] || fail "B exit $rc after SIGTERM: $(tail -5 "$TMP/b.err")"
$PY - "$TMP/b.out" "$URL" <<'PYEOF' || fail "--status-json opcuaSources lines"
import json, sys
src = [json.loads(l)["opcuaSources"] for l in open(sys.argv[1]) if "opcuaSources" in l]
assert src and len(src[-1]) == 1, src[-1:]
s = src[-1][0]
assert s["url"] == sys.argv[2] and s["items"] == 5 and s["changes"] >= 3, s
assert s["state"] == "SESSION_ACTIVATED" or "ACTIVATED" in s["state"].upper(), s
PYEOF

if [ $failures -ne 0 ]; then
    echo "--- B's log"; cat "$TMP/b.err"
    echo "$failures failure(s)"
    exit 1
fi
echo "OK: opcua client sources feed published fields"
