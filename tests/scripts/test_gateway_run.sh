#!/bin/bash
# `uagate run` as three processes on loopback: a publisher (a simulated field
# device, UADP), a gateway that routes the device's dataset to JSON, and
# `uagate sub --json` reading the gateway's output. Checks: every counter value
# arrives in order with none lost or repeated (route UADP in -> JSON out, one
# message per received DataSetMessage); SIGHUP with an added connection keeps
# the running groups untouched (no gap, reader counters not reset) and starts
# the new one; a broken file on SIGHUP keeps the running configuration;
# SIGTERM stops cleanly with exit 0.
# Run from the source root: bash tests/scripts/test_gateway_run.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"
BUILD=${1:?usage: test_gateway_run.sh BUILD_DIR}
UAGATE=$BUILD/uagate
PY=/usr/bin/python3
[ -x "$UAGATE" ] || { echo "SKIP: $UAGATE not built"; exit 77; }
[ -x "$PY" ] || { echo "SKIP: $PY missing"; exit 77; }
"$UAGATE" run --help >/dev/null 2>&1 || { echo "SKIP: uagate has no run command"; exit 77; }

ug_begin
P_IN=$(free_port)
P_OUT=$(free_port)
P_EXTRA=$(free_port)

cat >"$TMP/device.json" <<JSON
{
  "name": "device",
  "server": { "enabled": false },
  "publishedDataSets": [ { "name": "dev", "fields": [
    { "name": "counter", "dataType": "UInt32", "source": { "simulator": "counter" } },
    { "name": "wave", "dataType": "Double", "source": { "simulator": "sine", "amplitude": 2, "period": "500ms" } } ] } ],
  "connections": [ {
    "name": "device", "publisherId": 7,
    "address": { "url": "opc.udp://127.0.0.1:$P_IN" },
    "writerGroups": [ { "name": "g", "writerGroupId": 3, "publishingInterval": "5ms",
      "dataSetWriters": [ { "name": "w", "dataSetWriterId": 4, "dataSetName": "dev" } ] } ] } ]
}
JSON

gateway_cfg() { # $1: with the extra connection (true/false); $2: json-out interval
    cat <<JSON
{
  "name": "gateway",
  "server": { "enabled": false },
  "statusInterval": "200ms",
  "publishedDataSets": [ { "name": "out", "fields": [
    { "name": "count", "dataType": "UInt32" },
    { "name": "wave", "dataType": "Double" } ] }
JSON
    [ "$1" = true ] && cat <<JSON
    , { "name": "extra", "fields": [ { "name": "count", "dataType": "UInt32" } ] }
JSON
    cat <<JSON
  ],
  "connections": [
    { "name": "field", "address": { "url": "opc.udp://127.0.0.1:$P_IN" },
      "readerGroups": [ { "name": "rg", "dataSetReaders": [ {
        "name": "dev-reader", "publisherId": 7, "writerGroupId": 3, "dataSetWriterId": 4,
        "messageReceiveTimeout": "1s",
        "dataSetMetaData": { "fields": [ { "name": "counter", "dataType": "UInt32" },
                                         { "name": "wave", "dataType": "Double" } ] } } ] } ] },
    { "name": "json", "publisherId": "gw", "address": { "url": "opc.udp://127.0.0.1:$P_OUT" },
      "writerGroups": [ { "name": "json-out", "writerGroupId": 20, "publishingInterval": "$2",
        "encoding": "JSON",
        "dataSetWriters": [ { "name": "jw", "dataSetWriterId": 21, "dataSetName": "out" } ] } ] }
JSON
    [ "$1" = true ] && cat <<JSON
    , { "name": "extra", "publisherId": 9, "address": { "url": "opc.udp://127.0.0.1:$P_EXTRA" },
      "writerGroups": [ { "name": "extra-out", "writerGroupId": 30, "publishingInterval": "10ms",
        "dataSetWriters": [ { "name": "xw", "dataSetWriterId": 31, "dataSetName": "extra" } ] } ] }
JSON
    cat <<JSON
  ],
  "routes": [
    { "name": "to-json", "from": "dev-reader", "to": "out", "publishOnReceive": true,
      "fields": [ { "from": "counter", "to": "count" }, { "from": "wave" } ] }
JSON
    [ "$1" = true ] && cat <<JSON
    , { "name": "to-extra", "from": "dev-reader", "to": "extra", "fields": [ { "from": "counter", "to": "count" } ] }
JSON
    echo '  ] }'
}
gateway_cfg false 1h >"$TMP/gateway.json"
"$UAGATE" check "$TMP/device.json" "$TMP/gateway.json" >/dev/null || fail "test configurations do not validate"
gateway_cfg true 2h >"$TMP/gateway2.json"
"$UAGATE" check "$TMP/gateway2.json" >/dev/null || fail "reload configuration does not validate"

# 1. The consumer, then the gateway, then the device.
"$UAGATE" sub "opc.udp://127.0.0.1:$P_OUT" --json >"$TMP/sub.out" 2>"$TMP/sub.err" &
PIDS+=($!)
"$UAGATE" sub "opc.udp://127.0.0.1:$P_EXTRA" --json --count 5 >"$TMP/extra.out" 2>"$TMP/extra.err" &
PIDS+=($!)
SUB_EXTRA=$!
"$UAGATE" run "$TMP/gateway.json" --status-json >"$TMP/gw.out" 2>"$TMP/gw.err" &
GW=$!
PIDS+=($GW)
wait_for "$TMP/gw.err" "running" 5 || fail "gateway did not start: $(cat "$TMP/gw.err")"
sleep 0.3
"$UAGATE" run "$TMP/device.json" --duration 3s >"$TMP/dev.out" 2>"$TMP/dev.err" &
DEV=$!
PIDS+=($DEV)

# 2. Reload while traffic flows: a new connection and route, json-out's
# interval changed (in place); the rest unchanged.
sleep 1.2
cp "$TMP/gateway2.json" "$TMP/gateway.json"
kill -HUP $GW
wait_for "$TMP/gw.err" "reloaded" 5 || fail "no reload: $(cat "$TMP/gw.err")"
grep -q "reload: .* changed or removed" "$TMP/gw.err" && fail "reload touched unchanged groups: $(grep 'reload:' "$TMP/gw.err")"
grep -q "reload: writer group json/json-out updated in place" "$TMP/gw.err" \
    || fail "json-out interval change not applied in place: $(grep 'reload' "$TMP/gw.err")"
# 3. A broken file on SIGHUP: reported, the running configuration stays.
sleep 0.5
echo '{ "connections": [ { "name": 1 } ] }' >"$TMP/gateway.json"
kill -HUP $GW
wait_for "$TMP/gw.err" "keeping the running configuration" 5 || fail "broken reload not refused: $(cat "$TMP/gw.err")"
grep -q "gateway.json: \$.connections\[0\].name: must be a string, not an integer" "$TMP/gw.err" \
    || fail "broken reload: message: $(cat "$TMP/gw.err")"

wait $DEV
rc=$?
[ $rc -eq 0 ] || fail "device exit $rc: $(cat "$TMP/dev.err")"
sleep 0.5

# 4. SIGTERM: clean stop.
kill -TERM $GW
for ((i = 0; i < 50; i++)); do kill -0 $GW 2>/dev/null || break; sleep 0.1; done
if kill -0 $GW 2>/dev/null; then
    fail "gateway still running 5 s after SIGTERM"
else
    wait $GW
    rc=$?
    [ $rc -eq 0 ] || fail "gateway exit $rc after SIGTERM: $(tail -5 "$TMP/gw.err")"
fi
grep -q "stopping" "$TMP/gw.err" || fail "no stop message: $(tail -3 "$TMP/gw.err")"
grep -q "uagate: info: stopped" "$TMP/gw.err" || fail "gateway did not finish: $(tail -3 "$TMP/gw.err")"
grep -q "uagate: error" "$TMP/gw.err" && ! grep -q "keeping the running" <(grep "uagate: error" "$TMP/gw.err") \
    && fail "gateway logged errors: $(grep 'uagate: error' "$TMP/gw.err")"
sleep 0.3

# 5. Every value in order, none lost, none repeated; the JSON carries the names.
$PY - "$TMP/sub.out" "$TMP/gw.out" <<'PYEOF' || fail "delivery check failed"
import json, sys
counts, waves, seqs = [], [], []
for line in open(sys.argv[1]):
    m = json.loads(line)
    assert m["encoding"] == "JSON", m
    assert m["publisherId"] == "gw", m
    for d in m["messages"]:
        assert d["dataSetWriterId"] == 21, d
        counts.append(d["fields"]["count"])
        seqs.append(d["sequenceNumber"])
        waves.append(d["fields"]["wave"])
if len(counts) < 300:
    sys.exit(f"only {len(counts)} values arrived (expected about 600)")
bad = [(a, b) for a, b in zip(counts, counts[1:]) if b != a + 1]
if bad:
    sys.exit(f"{len(counts)} values, out of order / lost / repeated at {bad[:5]}")
badseq = [(a, b) for a, b in zip(seqs, seqs[1:]) if b != (a + 1) % 65536]
if badseq:
    sys.exit(f"the JSON writer's sequence numbers jump at {badseq[:5]} (restarted by the reload?)")
if counts[0] > 5:
    sys.exit(f"first value {counts[0]}: the start was lost")
if max(waves) <= 0 or min(waves) >= 0:
    sys.exit("the sine field did not travel")
# The status stream: the reader's counter only grows (the reload kept it),
# and after the reload the extra group is running.
last, saw_extra = -1, False
for line in open(sys.argv[2]):
    st = json.loads(line)
    for c in st["connections"]:
        for r in c["readers"]:
            if r["name"] == "dev-reader":
                if r["received"] < last:
                    sys.exit(f"reader counters went back {last} -> {r['received']}: reader was re-created")
                last = r["received"]
        if c["name"] == "extra":
            saw_extra = saw_extra or any(g["name"] == "extra-out" and g["sent"] > 0 for g in c["writerGroups"])
if last < 300:
    sys.exit(f"status shows only {last} received")
if not saw_extra:
    sys.exit("the added connection never published")
print(f"delivered {len(counts)} values in order ({counts[0]}..{counts[-1]})")
PYEOF

# 6. The connection added on reload delivered the routed counter as UADP.
for ((i = 0; i < 30; i++)); do kill -0 $SUB_EXTRA 2>/dev/null || break; sleep 0.1; done
[ "$(wc -l <"$TMP/extra.out")" -ge 5 ] || fail "extra connection: $(cat "$TMP/extra.out" "$TMP/extra.err")"
grep -q '"encoding":"UADP","from":"127.0.0.1:[0-9]*","publisherId":9,"writerGroupId":30' "$TMP/extra.out" \
    || fail "extra connection output: $(head -2 "$TMP/extra.out")"

if [ $failures -ne 0 ]; then
    echo "--- gateway log"; cat "$TMP/gw.err"
    echo "$failures failure(s)"
    exit 1
fi
echo "OK: uagate run (route, reload, stop)"
