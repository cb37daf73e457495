#!/usr/bin/env bash
# The gateway between network namespaces (issue 5 item 8).
#
#   pu ──┐                 pu (publisher): 10.83.0.1/24 on e0
#   gw ──┼── br0 (sw)      gw (gateway):   10.83.0.2/24 on e0
#   co ──┘                 co (consumer):  10.83.0.3/24 on e0
#
# 1. UDP multicast, two `uagate run` (device in pu, gateway in gw) and
#    `uagate sub` in co: UADP in -> JSON out delivers every counter value in
#    order (two runs of the device: each run's values consecutive, none
#    lost or repeated); a writer with keyFrameCount 4 sends key and delta
#    frames (seen on the wire) and the gateway reconstructs the whole dataset
#    for every JSON message; stopping the device puts the reader in Error
#    (--status-json), restarting it brings Operational back; two SIGHUP
#    reloads while traffic flows (a group added, another changed in place,
#    then the added one removed) lose nothing on the unaffected route.
# 2. opc.eth with VLAN 100 / PCP 5, three `uagate run`: device (eth, tagged)
#    -> gateway (eth in, UDP multicast UADP out) -> consumer; the tag is on
#    the wire as configured; every DataSetMessage arrives, no gap.
# 3. Chunking, three `uagate run`: a 66 KB dataset (7400 Double fields)
#    published with maxNetworkMessageSize 1400, reassembled by the gateway,
#    published again in 4000-byte chunks, reassembled by the consumer: every
#    message arrives and the reconstructed dataset is consistent.
# Usage: bash test_gateway_netns.sh BUILD_DIR. Exit 77 (skip) without root,
# `ip netns` or python3. Uses only addresses inside its own namespaces.
set -u
B=${1:?usage: test_gateway_netns.sh BUILD_DIR}
UAGATE=$B/uagate
PY=/usr/bin/python3
if [ "$(id -u)" != 0 ]; then echo "skip: needs root (network namespaces)"; exit 77; fi
if ! ip netns list >/dev/null 2>&1; then echo "skip: ip netns unavailable"; exit 77; fi
[ -x "$PY" ] || { echo "skip: $PY missing"; exit 77; }
[ -x "$UAGATE" ] || { echo "skip: $UAGATE not built"; exit 77; }
"$UAGATE" run --help >/dev/null 2>&1 || { echo "skip: uagate has no run command"; exit 77; }

# Namespaces left by an earlier run that was killed outright (SIGKILL skips
# the trap): ours by prefix, removed only when their owner pid is gone.
for n in $(ip netns list | awk '{print $1}' | grep -E '^ugg[0-9]+sw$'); do
  pid=${n#ugg}; pid=${pid%sw}
  if ! kill -0 "$pid" 2>/dev/null; then
    for s in sw pu gw co; do ip netns del "ugg$pid$s" 2>/dev/null; done
  fi
done

P=ugg$$
SW=${P}sw PU=${P}pu GW=${P}gw CO=${P}co
TMP=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  for n in $SW $PU $GW $CO; do ip netns del "$n" 2>/dev/null; done
  if [ -n "${UG_KEEP_TMP:-}" ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail=0
check() { # name, then a command; prints PASS/FAIL
  local name=$1; shift
  if "$@"; then echo "PASS: $name"; else echo "FAIL: $name"; fail=1; fi
}
in_ns() { local n=$1; shift; ip netns exec "$n" "$@"; }
# wait_for FILE PATTERN SECONDS
wait_for() {
  local i
  for ((i = 0; i < $3 * 20; i++)); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}
# stop PID: SIGTERM, then wait up to 5 s; returns the exit status (124: hung)
stop() {
  kill -TERM "$1" 2>/dev/null
  local i
  for ((i = 0; i < 100; i++)); do kill -0 "$1" 2>/dev/null || break; sleep 0.05; done
  if kill -0 "$1" 2>/dev/null; then kill -KILL "$1"; wait "$1" 2>/dev/null; return 124; fi
  wait "$1"
}
# run_bg NS NAME CONFIG ARGS...: `uagate run` in NS, output in $TMP/NAME.{out,err}
run_bg() {
  local ns=$1 name=$2 cfg=$3; shift 3
  # A simple command, not the in_ns function: `ip netns exec` execs uagate,
  # so $! is uagate itself and signals reach it.
  ip netns exec "$ns" "$UAGATE" run "$cfg" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
  LAST=$!
  PIDS+=($LAST)
}
# pyq FILE EXPR: evaluates EXPR over `st`, the last status line of FILE
pyq() {
  $PY - "$1" "$2" <<'PYEOF'
import json, sys
lines = [l for l in open(sys.argv[1]) if l.startswith("{")]
st = json.loads(lines[-1]) if lines else {"connections": []}
def reader(name):
    for c in st["connections"]:
        for r in c["readers"]:
            if r["name"] == name:
                return r
    return {}
def group(name):
    for c in st["connections"]:
        for g in c["writerGroups"]:
            if g["name"] == name:
                return g
    return {}
print(eval(sys.argv[2]))
PYEOF
}

set -e
for n in $SW $PU $GW $CO; do ip netns add "$n"; in_ns "$n" ip link set lo up; done
# No snooping: the bridge floods multicast to every port, so a join never
# races the first datagrams (snooping itself is test_netns_udp's subject).
in_ns $SW ip link add br0 type bridge mcast_snooping 0
in_ns $SW ip link set br0 up
i=1
for h in $PU $GW $CO; do
  ip link add "${P}p$i" netns $SW type veth peer name e0 netns "$h"
  in_ns $SW ip link set "${P}p$i" master br0 up
  in_ns "$h" ip addr add "10.83.0.$i/24" dev e0
  in_ns "$h" ip link set e0 up
  in_ns "$h" ip route add 224.0.0.0/4 dev e0
  i=$((i + 1))
done
set +e
sleep 1 # bridge ports forwarding

CFG=tests/gateway/configs
for f in netns_device.json netns_gateway.json netns_gateway_reload.json netns_eth_device.json \
         netns_eth_gateway.json netns_eth_consumer.json; do
  [ -f "$CFG/$f" ] || { echo "FAIL: $CFG/$f missing (run from the source root)"; exit 1; }
done

PARTS=${UG_NETNS_PARTS:-123} # a subset for debugging, e.g. UG_NETNS_PARTS=3
udp_drops() { # NS: the UDP receive-buffer drops counted in that namespace
  in_ns "$1" awk '/^Udp:/ { if (!h) { for (i = 1; i <= NF; i++) c[$i] = i; h = 1 } else print $c["RcvbufErrors"] }' /proc/net/snmp
}

# ---------------------------------------------------------------- 1. UDP --
if [[ $PARTS == *1* ]]; then
echo "--- 1. UDP multicast: route UADP -> JSON, delta frames, timeout, reload"
cp "$CFG/netns_gateway.json" "$TMP/gateway.json"
check "configurations validate" in_ns $GW "$UAGATE" check -q "$CFG/netns_device.json" "$TMP/gateway.json" \
  "$CFG/netns_gateway_reload.json"
ip netns exec $CO "$UAGATE" sub opc.udp://239.83.0.2:4841 -I e0 --json >"$TMP/json.out" 2>"$TMP/json.err" &
SUB=$!; PIDS+=($SUB)
# The device's own traffic, seen from the gateway's namespace: key/delta frames.
ip netns exec $GW "$UAGATE" sub opc.udp://239.83.0.1:4840 -I e0 --json >"$TMP/wire.out" 2>"$TMP/wire.err" &
WIRE=$!; PIDS+=($WIRE)
run_bg $GW gw "$TMP/gateway.json" --status-json
GWP=$LAST
wait_for "$TMP/gw.err" "running" 5 || echo "gateway did not start: $(cat "$TMP/gw.err")"
sleep 0.3
run_bg $PU dev1 "$CFG/netns_device.json" --duration 3s --status-json
DEV=$LAST
sleep 1
cp "$CFG/netns_gateway_reload.json" "$TMP/gateway.json"
kill -HUP $GWP
wait_for "$TMP/gw.err" "reloaded" 5
sleep 0.7
cp "$CFG/netns_gateway.json" "$TMP/gateway.json"
kill -HUP $GWP
wait $DEV; rc=$?
check "device run 1 exits 0" test $rc = 0
SENT1=$(pyq "$TMP/dev1.out" 'group("g").get("sent", -1)')
sleep 1 # > messageReceiveTimeout (300ms): the readers go Error
check "reader in Error after the device stopped (receive timeout)" \
  test "$(pyq "$TMP/gw.out" 'reader("dev-reader").get("state")')" = Error
check "timeout counted" test "$(pyq "$TMP/gw.out" 'reader("dev-reader").get("timeouts", 0) >= 1')" = True
run_bg $PU dev2 "$CFG/netns_device.json" --duration 1500ms --status-json
DEV=$LAST
sleep 0.6
check "reader Operational again after the device restarted" \
  test "$(pyq "$TMP/gw.out" 'reader("dev-reader").get("state")')" = Operational
wait $DEV; rc=$?
check "device run 2 exits 0" test $rc = 0
SENT2=$(pyq "$TMP/dev2.out" 'group("g").get("sent", -1)')
sleep 0.5
stop $GWP; rc=$?
check "gateway stops cleanly on SIGTERM" test $rc = 0
sleep 0.2
stop $SUB; stop $WIRE
check "two reloads applied" test "$(grep -c 'reloaded' "$TMP/gw.err")" = 2
check "reloads updated json-slow in place, twice" \
  test "$(grep -c 'reload: writer group json/json-slow updated in place' "$TMP/gw.err")" = 2
check "reloads left the unaffected connections, groups and datasets alone" \
  bash -c "! grep -E 'reload: (writer group json/json-out |reader group field/|connection (field|json) |published dataset s?out )' '$TMP/gw.err'"
echo "    device sent $SENT1 + $SENT2 NetworkMessages on group g"
check "every value in order through the gateway, nothing lost across reloads" \
  $PY - "$TMP/json.out" "$SENT1" "$SENT2" <<'PYEOF'
import json, sys
sent = [int(sys.argv[2]), int(sys.argv[3])]
runs, seqs = [], []
for line in open(sys.argv[1]):
    m = json.loads(line)
    for d in m["messages"]:
        if d["dataSetWriterId"] != 21:
            continue
        c = d["fields"]["count"]
        if not runs or c < runs[-1][-1]:
            runs.append([])
        runs[-1].append(c)
        seqs.append(d["sequenceNumber"])
ok = True
if len(runs) != 2:
    print(f"    expected two runs of the counter, got {len(runs)}: {[(r[0], r[-1], len(r)) for r in runs]}")
    sys.exit(1)
for i, r in enumerate(runs):
    bad = [(a, b) for a, b in zip(r, r[1:]) if b != a + 1]
    print(f"    run {i + 1}: {len(r)} values {r[0]}..{r[-1]}, device sent {sent[i]}")
    if bad:
        print(f"    run {i + 1}: lost / repeated / reordered at {bad[:5]}"); ok = False
    if r[0] != 0 or r[-1] != sent[i] - 1:
        print(f"    run {i + 1}: expected 0..{sent[i] - 1}"); ok = False
badseq = [(a, b) for a, b in zip(seqs, seqs[1:]) if b != (a + 1) % 65536]
if badseq:
    print(f"    JSON writer sequence numbers jump at {badseq[:5]}"); ok = False
sys.exit(0 if ok else 1)
PYEOF
check "key and delta frames on the wire (keyFrameCount 4)" \
  $PY - "$TMP/wire.out" <<'PYEOF'
import json, sys
kinds = {}
for line in open(sys.argv[1]):
    m = json.loads(line)
    if m.get("writerGroupId") != 5:
        continue
    for d in m.get("messages", []):
        k = d.get("messageType", "?")
        kinds[k] = kinds.get(k, 0) + 1
print(f"    writer 6 message types seen: {kinds}")
sys.exit(0 if kinds.get("ua-keyframe", 0) > 10 and kinds.get("ua-deltaframe", 0) > 20 else 1)
PYEOF
check "delta frames reconstructed: every JSON message has the whole dataset" \
  $PY - "$TMP/json.out" <<'PYEOF'
import json, sys
n, bad, seen_key, prev = 0, [], False, None
for line in open(sys.argv[1]):
    m = json.loads(line)
    for d in m["messages"]:
        if d["dataSetWriterId"] != 23:
            continue
        f = d["fields"]
        if not seen_key:
            seen_key = f.get("k") == 42.5
            if not seen_key:
                continue
        n += 1
        if set(f) != {"count", "square", "k"} or f["k"] != 42.5 or f["square"] not in (0, 10):
            bad.append(f)
        if prev is not None and f["count"] != prev + 1 and f["count"] != 0:
            bad.append(("count", prev, f["count"]))
        prev = f["count"]
print(f"    {n} reconstructed datasets, {len(bad)} bad {bad[:3]}")
sys.exit(0 if n > 100 and not bad else 1)
PYEOF

fi

# ---------------------------------------------------------------- 2. eth --
if [[ $PARTS == *2* ]]; then
echo "--- 2. opc.eth with VLAN 100 / PCP 5 through the gateway, three processes"
TCPD=
if command -v tcpdump >/dev/null; then
  ip netns exec $GW tcpdump -i e0 -n -e -l -p -c 50 vlan 100 \
    >"$TMP/eth.tcpdump" 2>"$TMP/eth.tcpdump.err" &
  TCPD=$!; PIDS+=($TCPD)
  wait_for "$TMP/eth.tcpdump.err" "listening on" 5
fi
run_bg $CO econ "$CFG/netns_eth_consumer.json" --status-json
ECON=$LAST
run_bg $GW egw "$CFG/netns_eth_gateway.json" --status-json
EGW=$LAST
wait_for "$TMP/egw.err" "running" 5
wait_for "$TMP/econ.err" "running" 5
sleep 0.3
run_bg $PU edev "$CFG/netns_eth_device.json" --duration 2s --status-json
wait $LAST; rc=$?
check "eth device exits 0" test $rc = 0
ESENT=$(pyq "$TMP/edev.out" 'group("eth-g").get("sent", -1)')
sleep 0.5
stop $EGW; rc=$?
stop $ECON; rc2=$?
check "eth: gateway and consumer stop cleanly" test $rc = 0 -a $rc2 = 0
GREC=$(pyq "$TMP/egw.out" 'reader("eth-reader").get("received", -1)')
CREC=$(pyq "$TMP/econ.out" 'reader("bridged").get("received", -1)')
CLAST=$(pyq "$TMP/econ.out" 'reader("bridged")["values"].get("count")')
CGAPS=$(pyq "$TMP/econ.out" 'reader("bridged").get("gaps", -1) + reader("bridged").get("dropped", -1)')
echo "    device sent $ESENT, gateway received $GREC, consumer received $CREC (last count $CLAST, gaps+dropped $CGAPS)"
check "eth: the gateway received every frame" test "$GREC" = "$ESENT"
check "eth: the consumer received every DataSetMessage, the last value is the last sent" \
  test "$CREC" = "$ESENT" -a "$CLAST" = "$((ESENT - 1))" -a "$CGAPS" = 0
if [ -n "$TCPD" ]; then
  stop $TCPD
  check "eth: frames carry VLAN 100, PCP 5 on the wire" grep -q "vlan 100, p 5, ethertype .*0xb62c" "$TMP/eth.tcpdump"
else
  echo "    (tcpdump not installed: the tag on the wire is not checked)"
fi

fi

# ------------------------------------------------------------- 3. chunks --
if [[ $PARTS == *3* ]]; then
echo "--- 3. 66 KB datasets in chunks through the gateway, three processes"
$PY - "$TMP" <<'PYEOF'
import json, sys
d = sys.argv[1]
N = 7400  # 7400 Variant Doubles: 66,600 bytes of fields
fields = [{"name": f"f{i}", "dataType": "Double"} for i in range(N)]
dev = {"name": "big-device", "server": {"enabled": False},
       "publishedDataSets": [{"name": "big", "fields": [
           dict(f, source={"simulator": "counter", "offset": i}) for i, f in enumerate(fields)]}],
       "connections": [{"name": "field", "publisherId": 11,
           "address": {"url": "opc.udp://239.83.0.4:4844", "networkInterface": "e0"},
           "writerGroups": [{"name": "big-g", "writerGroupId": 1, "publishingInterval": "100ms",
               "maxNetworkMessageSize": 1400,
               "dataSetWriters": [{"name": "bw", "dataSetWriterId": 1, "dataSetName": "big"}]}]}]}
meta = {"fields": fields}
gw = {"name": "big-gateway", "server": {"enabled": False}, "statusInterval": "1s",
      "publishedDataSets": [{"name": "big-out", "fields": fields}],
      "connections": [
          {"name": "field", "address": {"url": "opc.udp://239.83.0.4:4844", "networkInterface": "e0"},
           "readerGroups": [{"name": "rg", "dataSetReaders": [{"name": "big-reader", "publisherId": 11,
               "writerGroupId": 1, "dataSetWriterId": 1, "dataSetMetaData": meta}]}]},
          {"name": "out", "publisherId": 12,
           "address": {"url": "opc.udp://239.83.0.5:4845", "networkInterface": "e0"},
           "writerGroups": [{"name": "big-out-g", "writerGroupId": 2, "publishingInterval": "1h",
               "maxNetworkMessageSize": 4000,
               "dataSetWriters": [{"name": "bow", "dataSetWriterId": 2, "dataSetName": "big-out"}]}]}],
      "routes": [{"name": "big", "from": "big-reader", "to": "big-out", "publishOnReceive": True}]}
con = {"name": "big-consumer", "server": {"enabled": False}, "statusInterval": "1s",
       "connections": [{"name": "in", "address": {"url": "opc.udp://239.83.0.5:4845", "networkInterface": "e0"},
           "readerGroups": [{"name": "rg", "dataSetReaders": [{"name": "big-in", "publisherId": 12,
               "writerGroupId": 2, "dataSetWriterId": 2, "dataSetMetaData": meta}]}]}]}
for name, c in (("bdev", dev), ("bgw", gw), ("bcon", con)):
    json.dump(c, open(f"{d}/{name}.json", "w"))
PYEOF
check "chunk configurations validate" in_ns $GW "$UAGATE" check -q "$TMP/bdev.json" "$TMP/bgw.json" "$TMP/bcon.json"
run_bg $CO bcon "$TMP/bcon.json" --status-json
BCON=$LAST
run_bg $GW bgw "$TMP/bgw.json" --status-json
BGW=$LAST
wait_for "$TMP/bgw.err" "running" 10
wait_for "$TMP/bcon.err" "running" 10
sleep 0.3
run_bg $PU bdev "$TMP/bdev.json" --duration 3s --status-json
wait $LAST; rc=$?
check "chunk device exits 0" test $rc = 0
BSENT=$(pyq "$TMP/bdev.out" 'group("big-g").get("sent", -1)')
sleep 0.5
stop $BGW; rc=$?
stop $BCON; rc2=$?
check "chunks: gateway and consumer stop cleanly" test $rc = 0 -a $rc2 = 0
BGREC=$(pyq "$TMP/bgw.out" 'reader("big-reader").get("received", -1)')
BCREC=$(pyq "$TMP/bcon.out" 'reader("big-in").get("received", -1)')
echo "    device sent $BSENT chunked NetworkMessages, gateway reassembled $BGREC, consumer $BCREC"
check "chunks: the gateway reassembled every dataset" test "$BGREC" -gt 0 -a "$BGREC" = "$BSENT"
check "chunks: the consumer reassembled every dataset" test "$BCREC" = "$BSENT"
check "chunks: the last dataset is complete and consistent (f_i = i + n for one n)" \
  $PY - "$TMP/bcon.out" "$BSENT" <<'PYEOF'
import json, sys
lines = [l for l in open(sys.argv[1]) if l.startswith("{")]
st = json.loads(lines[-1])
r = [r for c in st["connections"] for r in c["readers"] if r["name"] == "big-in"][0]
v = r["values"]
ns = {float(v[f"f{i}"]) - i for i in range(7400)}
print(f"    consumer: {len(v)} fields, n = {sorted(ns)[:3]}, decode errors {r['decodeErrors']}, gaps {r['gaps']}")
sys.exit(0 if len(v) == 7400 and ns == {int(sys.argv[2]) - 1} and r["gaps"] == 0 else 1)
PYEOF
echo "    UDP receive-buffer drops: gateway namespace $(udp_drops $GW), consumer namespace $(udp_drops $CO)"
fi

if [ $fail != 0 ]; then
  for f in gw dev1 egw econ bgw bcon; do echo "--- $f.err"; tail -20 "$TMP/$f.err"; done
fi
exit $fail
