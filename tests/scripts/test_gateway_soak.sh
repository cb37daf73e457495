#!/usr/bin/env bash
# The gateway's soak, compressed (issue 5 item 8): a device publishes a
# writer group at 10 kHz (100 us), the gateway routes every DataSetMessage
# on (UADP in -> UADP out, publishOnReceive) to a consumer, for
# UG_SOAK_SECONDS (default 60). The gateway's VmRSS is sampled every 2 s.
# Asserted: after the warm-up (the first quarter, at least 10 s) the RSS
# does not grow by more than UG_SOAK_RSS_KB (default 1024 KiB); the gateway
# never dies and stops cleanly on SIGTERM; messages flowed (the gateway
# received at least 10% of what the device sent and the consumer got
# messages). The loss is reported, not asserted: the machine is shared.
# Usage: bash test_gateway_soak.sh BUILD_DIR. As root it runs in a network
# namespace of its own with only lo (tests/scripts/isolate.sh); otherwise
# on 127.0.0.1 with free ports.
set -u
B=${1:?usage: test_gateway_soak.sh BUILD_DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/isolate.sh"
UAGATE=$B/uagate
PY=/usr/bin/python3
[ -x "$PY" ] || { echo "skip: $PY missing"; exit 77; }
[ -x "$UAGATE" ] || { echo "skip: $UAGATE not built"; exit 77; }
"$UAGATE" run --help >/dev/null 2>&1 || { echo "skip: uagate has no run command"; exit 77; }
[ -r /proc/self/status ] || { echo "skip: no /proc"; exit 77; }
SECS=${UG_SOAK_SECONDS:-60}
BOUND_KB=${UG_SOAK_RSS_KB:-1024}
WARM=$((SECS / 4 > 10 ? SECS / 4 : 10))
[ "$SECS" -gt "$WARM" ] || { echo "FAIL: UG_SOAK_SECONDS=$SECS leaves no time after the ${WARM}s warm-up"; exit 1; }

TMP=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail=0
check() {
  local name=$1; shift
  if "$@"; then echo "PASS: $name"; else echo "FAIL: $name"; fail=1; fi
}
free_port() {
  $PY -c 'import socket; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_for() {
  local i
  for ((i = 0; i < $3 * 20; i++)); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}
last_status() { # FILE EXPR over st (the last status line), r(name), g(name)
  $PY - "$1" "$2" <<'PYEOF'
import json, sys
lines = [l for l in open(sys.argv[1]) if l.startswith("{")]
st = json.loads(lines[-1]) if lines else {"connections": []}
def r(name):
    return next((x for c in st["connections"] for x in c["readers"] if x["name"] == name), {})
def g(name):
    return next((x for c in st["connections"] for x in c["writerGroups"] if x["name"] == name), {})
print(eval(sys.argv[2]))
PYEOF
}
P_IN=$(free_port)
P_OUT=$(free_port)

cat >"$TMP/device.json" <<JSON
{ "name": "soak-device", "server": { "enabled": false }, "statusInterval": "1s",
  "publishedDataSets": [ { "name": "dev", "fields": [
    { "name": "counter", "dataType": "UInt32", "source": { "simulator": "counter" } },
    { "name": "wave", "dataType": "Double", "source": { "simulator": "sine", "period": "1s" } } ] } ],
  "connections": [ { "name": "field", "publisherId": 1,
    "address": { "url": "opc.udp://127.0.0.1:$P_IN" },
    "writerGroups": [ { "name": "fast", "writerGroupId": 1, "publishingInterval": "100us",
      "dataSetWriters": [ { "name": "w", "dataSetWriterId": 1, "dataSetName": "dev" } ] } ] } ] }
JSON
cat >"$TMP/gateway.json" <<JSON
{ "name": "soak-gateway", "server": { "enabled": false }, "statusInterval": "1s",
  "publishedDataSets": [ { "name": "out", "fields": [
    { "name": "counter", "dataType": "UInt32" }, { "name": "wave", "dataType": "Double" } ] } ],
  "connections": [
    { "name": "field", "address": { "url": "opc.udp://127.0.0.1:$P_IN" },
      "readerGroups": [ { "name": "rg", "dataSetReaders": [ { "name": "in", "publisherId": 1,
        "writerGroupId": 1, "dataSetWriterId": 1, "messageReceiveTimeout": "100ms",
        "dataSetMetaData": { "fields": [ { "name": "counter", "dataType": "UInt32" },
                                         { "name": "wave", "dataType": "Double" } ] } } ] } ] },
    { "name": "up", "publisherId": 2, "address": { "url": "opc.udp://127.0.0.1:$P_OUT" },
      "writerGroups": [ { "name": "out-g", "writerGroupId": 2, "publishingInterval": "1h",
        "dataSetWriters": [ { "name": "ow", "dataSetWriterId": 2, "dataSetName": "out" } ] } ] } ],
  "routes": [ { "name": "r", "from": "in", "to": "out", "publishOnReceive": true } ] }
JSON
cat >"$TMP/consumer.json" <<JSON
{ "name": "soak-consumer", "server": { "enabled": false }, "statusInterval": "1s",
  "connections": [ { "name": "in", "address": { "url": "opc.udp://127.0.0.1:$P_OUT" },
    "readerGroups": [ { "name": "rg", "dataSetReaders": [ { "name": "out", "publisherId": 2,
      "writerGroupId": 2, "dataSetWriterId": 2,
      "dataSetMetaData": { "fields": [ { "name": "counter", "dataType": "UInt32" },
                                       { "name": "wave", "dataType": "Double" } ] } } ] } ] } ] }
JSON
"$UAGATE" check -q "$TMP/device.json" "$TMP/gateway.json" "$TMP/consumer.json" \
  || { echo "FAIL: soak configurations do not validate"; "$UAGATE" check "$TMP/gateway.json"; exit 1; }

"$UAGATE" run "$TMP/consumer.json" --status-json >"$TMP/con.out" 2>"$TMP/con.err" &
CON=$!; PIDS+=($CON)
"$UAGATE" run "$TMP/gateway.json" --status-json >"$TMP/gw.out" 2>"$TMP/gw.err" &
GW=$!; PIDS+=($GW)
wait_for "$TMP/gw.err" running 5 || { echo "FAIL: gateway did not start: $(cat "$TMP/gw.err")"; exit 1; }
wait_for "$TMP/con.err" running 5
"$UAGATE" run "$TMP/device.json" --duration "$((SECS + 2))s" --status-json >"$TMP/dev.out" 2>"$TMP/dev.err" &
DEV=$!; PIDS+=($DEV)
echo "soak: ${SECS}s at 10 kHz, RSS sampled every 2 s, warm-up ${WARM}s, bound ${BOUND_KB} KiB"

rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
: >"$TMP/rss"
t0=$(date +%s)
alive=1
while :; do
  sleep 2
  t=$(($(date +%s) - t0))
  if ! kill -0 $GW 2>/dev/null; then alive=0; break; fi
  echo "$t $(rss $GW)" >>"$TMP/rss"
  [ $t -ge "$SECS" ] && break
done
check "the gateway ran the whole soak (no crash)" test $alive = 1
wait $DEV; rc=$?
check "the device exits 0" test $rc = 0
sleep 0.3
kill -TERM $GW
for ((i = 0; i < 100; i++)); do kill -0 $GW 2>/dev/null || break; sleep 0.05; done
wait $GW; rc=$?
check "the gateway stops cleanly on SIGTERM" test $rc = 0
kill -TERM $CON; wait $CON

SENT=$(last_status "$TMP/dev.out" 'g("fast").get("sent", 0)')
GREC=$(last_status "$TMP/gw.out" 'r("in").get("received", 0)')
GGAPS=$(last_status "$TMP/gw.out" 'r("in").get("gaps", 0)')
GOUT=$(last_status "$TMP/gw.out" 'g("out-g").get("sent", 0)')
CREC=$(last_status "$TMP/con.out" 'r("out").get("received", 0)')
echo "device sent $SENT; gateway received $GREC (gaps $GGAPS), sent $GOUT; consumer received $CREC"
$PY - "$SENT" "$GREC" "$CREC" <<'PYEOF'
import sys
s, g, c = (int(x) for x in sys.argv[1:])
if s:
    print(f"loss device->gateway {100 * (s - g) / s:.3f}%, device->consumer {100 * (s - c) / s:.3f}%")
PYEOF
check "messages flowed (gateway received >= 10% of sent, consumer > 0)" \
  test "$SENT" -gt 0 -a "$((GREC * 10))" -ge "$SENT" -a "$CREC" -gt 0
check "RSS does not grow after the warm-up" $PY - "$TMP/rss" "$WARM" "$BOUND_KB" <<'PYEOF'
import sys
pts = [tuple(int(x) for x in l.split()) for l in open(sys.argv[1]) if len(l.split()) == 2]
warm, bound = int(sys.argv[2]), int(sys.argv[3])
base = [r for t, r in pts if t <= warm]
after = [r for t, r in pts if t > warm]
if not base or not after:
    sys.exit(f"too few samples: {pts}")
ref = base[-1]
print(f"RSS KiB: start {pts[0][1]}, end of warm-up {ref}, after: min {min(after)} max {max(after)} "
      f"end {after[-1]} ({len(pts)} samples)")
sys.exit(0 if max(after) - ref <= bound else 1)
PYEOF
if [ $fail != 0 ]; then echo "--- gateway log"; tail -20 "$TMP/gw.err"; fi
exit $fail
