#!/usr/bin/env bash
# The gateway's forwarding benchmark (issue 5 targets). Prints figures,
# asserts nothing.
#
# 1. Forwarding rate: a device (`uagate run`, CPU 0) publishes one writer
#    group of N small DataSetMessages (one UInt32 counter each) per
#    NetworkMessage; the gateway (`uagate run`, pinned to CPU 1: one core)
#    has N readers, routes each to its own PublishedDataSet, and publishes
#    one NetworkMessage of N DataSetMessages per received one (the last
#    reader's route publishes on receive). The interval is swept downwards;
#    each step reports DataSetMessages/s in and out and whether it was
#    lossless (every DataSetMessage received: readers' received = N x the
#    device's NetworkMessages, no sequence gap, no socket drop), from the
#    processes' --status-json counters.
# 2. Added latency at 1 kHz: `uagate bench latency --role pub` sends 59-byte
#    UADP messages (send time inside) and measures the round trip through
#    (a) `uagate bench latency --role echo` (the transport alone, echoed
#    by a bare receive/send loop) and (b) the gateway (UADP in -> reader ->
#    route -> writer group -> UADP out, same layout back, RawData). The
#    difference of the percentiles is the gateway's added latency (one way:
#    the gateway sits on one leg of the round trip). Runs interleaved,
#    UG_BENCH_REPEAT times each, SCHED_FIFO when root.
# 3. Allocations per forwarded message: gdb attaches to a running gateway
#    forwarding at 1 kHz, counts every call of malloc/calloc/realloc for
#    UG_BENCH_ALLOC_SECONDS (no LD_PRELOAD: the real binary, routes and
#    transports included), then detaches. A SIGHUP reload inside a second
#    window is the positive control (it must allocate).
#
# Usage (from the source root): bash bench/gateway_forward.sh BUILD_DIR
# Environment: UG_BENCH_N (DataSetMessages per NetworkMessage, 50),
# UG_BENCH_SECONDS (per step, 5), UG_BENCH_REPEAT (latency runs, 3),
# UG_BENCH_ALLOC_SECONDS (5), UG_BENCH_PARTS (123).
set -u
B=${1:?usage: gateway_forward.sh BUILD_DIR}
case $B in /*) ;; *) B=$PWD/$B ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)
# As root: a network namespace of its own with only lo (nothing leaves the box).
. "$HERE/../tests/scripts/isolate.sh"
UAGATE=$B/uagate
PY=/usr/bin/python3
[ -x "$UAGATE" ] || { echo "$UAGATE not built"; exit 1; }
N=${UG_BENCH_N:-50}
SECS=${UG_BENCH_SECONDS:-5}
REPEAT=${UG_BENCH_REPEAT:-3}
ASECS=${UG_BENCH_ALLOC_SECONDS:-5}
PARTS=${UG_BENCH_PARTS:-123}
TMP=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
ROOT=0; [ "$(id -u)" = 0 ] && ROOT=1
CPUS=$(nproc)
pin() { # CPU: a taskset prefix when there are at least two CPUs
  if [ "$CPUS" -ge 2 ] && command -v taskset >/dev/null; then echo "taskset -c $1"; fi
}
wait_for() {
  local i
  for ((i = 0; i < $3 * 20; i++)); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  return 1
}
udp_drops() {
  awk '/^Udp:/ { if (!h) { for (i = 1; i <= NF; i++) c[$i] = i; h = 1 } else print $c["RcvbufErrors"] }' /proc/net/snmp
}
echo "uagate gateway forwarding benchmark — $(date -u +%FT%TZ), $(uname -r), $CPUS CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "binary: $UAGATE"

# ------------------------------------------------------ 1. forwarding rate --
if [[ $PARTS == *1* ]]; then
echo
echo "== 1. forwarding rate: $N DataSetMessages per NetworkMessage, gateway on one core (CPU 1), ${SECS}s per step"
$PY - "$TMP" "$N" <<'PYEOF'
import json, sys
d, n = sys.argv[1], int(sys.argv[2])
dev = {"name": "fwd-device", "statusInterval": "1s",
       "publishedDataSets": [{"name": f"d{i}", "fields": [
           {"name": "c", "dataType": "UInt32", "source": {"simulator": "counter", "offset": i}}]} for i in range(n)],
       "connections": [{"name": "field", "publisherId": 1, "address": {"url": "opc.udp://127.0.0.1:48610"},
           "writerGroups": [{"name": "fast", "writerGroupId": 1, "publishingInterval": "INTERVAL",
               "dataSetWriters": [{"name": f"w{i}", "dataSetWriterId": i + 1, "dataSetName": f"d{i}"}
                                  for i in range(n)]}]}]}
meta = {"fields": [{"name": "c", "dataType": "UInt32"}]}
gw = {"name": "fwd-gateway", "statusInterval": "1s",
      "publishedDataSets": [{"name": f"o{i}", "fields": [{"name": "c", "dataType": "UInt32"}]} for i in range(n)],
      "connections": [
          {"name": "field", "address": {"url": "opc.udp://127.0.0.1:48610"},
           "readerGroups": [{"name": "rg", "dataSetReaders": [
               {"name": f"r{i}", "publisherId": 1, "writerGroupId": 1, "dataSetWriterId": i + 1,
                "dataSetMetaData": meta} for i in range(n)]}]},
          {"name": "up", "publisherId": 2, "address": {"url": "opc.udp://127.0.0.1:48611"},
           "writerGroups": [{"name": "out", "writerGroupId": 2, "publishingInterval": "1h",
               "dataSetWriters": [{"name": f"ow{i}", "dataSetWriterId": i + 1, "dataSetName": f"o{i}"}
                                  for i in range(n)]}]}],
      "routes": [{"name": f"r{i}", "from": f"r{i}", "to": f"o{i}", "publishOnReceive": i == n - 1}
                 for i in range(n)]}
json.dump(dev, open(f"{d}/fdev.tmpl", "w"))
json.dump(gw, open(f"{d}/fgw.json", "w"))
PYEOF
# A sink for the gateway's output, so the sends do not bounce (ICMP).
$PY -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
s.bind(("127.0.0.1", 48611))
while True:
    s.recv(65536)
' &
PIDS+=($!)
printf "%10s %12s %12s %12s %8s %8s %8s  %s\n" interval "target DSM/s" "in DSM/s" "out DSM/s" gaps "sock.drop" "gw CPU%" verdict
for iv in 1ms 500us 250us 200us 150us 100us 75us 50us; do
  sed "s/INTERVAL/$iv/" "$TMP/fdev.tmpl" >"$TMP/fdev.json"
  d0=$(udp_drops)
  $(pin 1) "$UAGATE" run "$TMP/fgw.json" --status-json >"$TMP/fgw.out" 2>"$TMP/fgw.err" &
  GW=$!; PIDS+=($GW)
  wait_for "$TMP/fgw.err" running 10 || { echo "gateway did not start: $(cat "$TMP/fgw.err")"; break; }
  c0=$(awk '{ print $14 + $15 }' /proc/$GW/stat)
  t0=$(date +%s.%N)
  $(pin 0) "$UAGATE" run "$TMP/fdev.json" --duration "${SECS}s" --status-json >"$TMP/fdev.out" 2>"$TMP/fdev.err"
  t1=$(date +%s.%N)
  sleep 0.5
  c1=$(awk '{ print $14 + $15 }' /proc/$GW/stat)
  kill -TERM $GW; wait $GW
  d1=$(udp_drops)
  $PY - "$TMP/fdev.out" "$TMP/fgw.out" "$N" "$iv" "$((d1 - d0))" "$c0" "$c1" "$t0" "$t1" "$(getconf CLK_TCK)" <<'PYEOF'
import json, sys
def last(p):
    ls = [l for l in open(p) if l.startswith("{")]
    return json.loads(ls[-1])
dev, gw = last(sys.argv[1]), last(sys.argv[2])
n, iv, drops = int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
c0, c1, t0, t1, hz = int(sys.argv[6]), int(sys.argv[7]), float(sys.argv[8]), float(sys.argv[9]), int(sys.argv[10])
secs = t1 - t0
sent_nm = sum(g["sent"] for c in dev["connections"] for g in c["writerGroups"])
rd = [r for c in gw["connections"] for r in c["readers"]]
rx = sum(r["received"] for r in rd)
gaps = sum(r["gaps"] for r in rd)
out = sum(g["sent"] for c in gw["connections"] for g in c["writerGroups"]) * n
unit = {"ms": 1e-3, "us": 1e-6}[iv[-2:]]
target = n / (float(iv[:-2]) * unit)
# The device's own run time (its status uptime) is the measurement window.
up = dev["uptime"]
ok = rx == sent_nm * n and gaps == 0 and drops == 0
print(f"{iv:>10} {target:12.0f} {rx / up:12.0f} {out / up:12.0f} {gaps:8d} {drops:8d} "
      f"{100 * (c1 - c0) / hz / secs:8.0f}  {'lossless' if ok else 'LOSS: %d of %d DSMs missing' % (sent_nm * n - rx, sent_nm * n)}")
PYEOF
done
kill "${PIDS[-1]}" 2>/dev/null
fi

# ------------------------------------------------------ 2. added latency ----
if [[ $PARTS == *2* ]]; then
echo
FIFO=(); CHRT=()
if [ -n "${UG_BENCH_FIFO:-}" ] && [ $ROOT = 1 ] && command -v chrt >/dev/null; then FIFO=(--fifo 50); CHRT=(chrt -f 50); fi
echo "== 2. added one-way latency at 1 kHz, 59-byte UADP, ${REPEAT} x 10 s each, ${FIFO[*]:-no SCHED_FIFO}"
cat >"$TMP/lat_gw.json" <<'JSON'
{ "name": "lat-gateway", "statusInterval": "1s",
  "publishedDataSets": [ { "name": "echo", "fields": [
    { "name": "stamp", "dataType": "Int64" }, { "name": "seq", "dataType": "UInt32" },
    { "name": "f0", "dataType": "Int64" }, { "name": "f1", "dataType": "Int64" },
    { "name": "f2", "dataType": "Int64" }, { "name": "f3", "dataType": "Int64" } ] } ],
  "connections": [
    { "name": "in", "address": { "url": "opc.udp://127.0.0.1:48600" },
      "readerGroups": [ { "name": "rg", "dataSetReaders": [ { "name": "bench", "publisherId": 2234,
        "writerGroupId": 100, "dataSetWriterId": 1,
        "dataSetMetaData": { "fields": [
          { "name": "stamp", "dataType": "Int64" }, { "name": "seq", "dataType": "UInt32" },
          { "name": "f0", "dataType": "Int64" }, { "name": "f1", "dataType": "Int64" },
          { "name": "f2", "dataType": "Int64" }, { "name": "f3", "dataType": "Int64" } ] } } ] } ] },
    { "name": "out", "publisherId": 2234, "address": { "url": "opc.udp://127.0.0.1:48601" },
      "writerGroups": [ { "name": "back", "writerGroupId": 100, "publishingInterval": "1h",
        "dataSetWriters": [ { "name": "bw", "dataSetWriterId": 1, "dataSetName": "echo",
          "dataSetFieldContentMask": ["RawData"],
          "messageSettings": { "dataSetMessageContentMask": ["SequenceNumber"] } } ] } ] } ],
  "routes": [ { "name": "back", "from": "bench", "to": "echo", "publishOnReceive": true } ] }
JSON
PUB=("$UAGATE" bench latency --role pub --peer opc.udp://127.0.0.1:48600
     --listen opc.udp://127.0.0.1:48601 --duration 10s --rate 1000 "${FIFO[@]}")
for ((k = 1; k <= REPEAT; k++)); do
  $(pin 1) "$UAGATE" bench latency --role echo --listen opc.udp://127.0.0.1:48600 \
    --peer opc.udp://127.0.0.1:48601 --duration 11s "${FIFO[@]}" >/dev/null 2>&1 &
  E=$!; PIDS+=($E)
  sleep 0.3
  $(pin 0) "${PUB[@]}" >"$TMP/echo$k.txt" 2>&1
  wait $E
  $(pin 1) "${CHRT[@]}" "$UAGATE" run "$TMP/lat_gw.json" --duration 11s >/dev/null 2>"$TMP/lgw.err" &
  G=$!; PIDS+=($G)
  wait_for "$TMP/lgw.err" running 5
  $(pin 0) "${PUB[@]}" >"$TMP/gw$k.txt" 2>&1
  wait $G
done
$PY - "$TMP" "$REPEAT" <<'PYEOF'
import sys, statistics
d, rep = sys.argv[1], int(sys.argv[2])
cols = ["min", "p50", "p90", "p99", "p99.9", "max"]
def row(p):
    for l in open(p):
        w = l.split()
        if "rtt" in w:
            i = w.index("rtt")
            # loss reorder missed <name> rtt <rate> uagate count min p50 p90 p99 p99.9 max mean
            v = [float(x) for x in w[i + 3:i + 10]]
            return {"loss": int(w[0]), "count": int(v[0]), **dict(zip(cols, v[1:7]))}
    raise SystemExit(f"no result in {p}: {open(p).read()}")
print(f"{'run':>8} {'path':>9} {'count':>6} {'loss':>5} " + " ".join(f"{c:>8}" for c in cols) + "  (round trip, us)")
e, g = [], []
for k in range(1, rep + 1):
    for name, lst in (("echo", e), ("gw", g)):
        r = row(f"{d}/{name}{k}.txt")
        lst.append(r)
        print(f"{k:>8} {'echo' if name == 'echo' else 'gateway':>9} {r['count']:6d} {r['loss']:5d} "
              + " ".join(f"{r[c]:8.2f}" for c in cols))
print("median over runs of (gateway - echo), microseconds: the gateway's added one-way latency")
for c in ("min", "p50", "p90", "p99"):
    diffs = [b[c] - a[c] for a, b in zip(e, g)]
    print(f"  {c:>5}: {statistics.median(diffs):8.2f}   (per run: {', '.join(f'{x:.2f}' for x in diffs)})")
PYEOF
fi

# ------------------------------------------------------ 3. allocations -----
if [[ $PARTS == *3* ]]; then
echo
echo "== 3. allocations per forwarded message (gdb counts malloc/calloc/realloc in the running gateway)"
if ! command -v gdb >/dev/null; then
  echo "gdb not installed: skipped"
elif [ ! -f "$TMP/lat_gw.json" ]; then
  echo "needs part 2's configuration: run with UG_BENCH_PARTS containing 2"
else
  cat >"$TMP/count.gdb" <<'EOF'
set pagination off
set confirm off
handle SIGUSR1 stop print nopass
break malloc
break calloc
break realloc
commands 1-3
silent
continue
end
continue
info breakpoints
detach
quit
EOF
  hits() { grep -o 'already hit [0-9]* time' "$1" | awk '{ s += $3 } END { print s + 0 }'; }
  received() { $PY -c '
import json, sys
ls = [l for l in open(sys.argv[1]) if l.startswith("{")]
print(sum(r["received"] for c in json.loads(ls[-1])["connections"] for r in c["readers"]) if ls else 0)' "$1"; }
  "$UAGATE" run "$TMP/lat_gw.json" --status-json >"$TMP/agw.out" 2>"$TMP/agw.err" &
  G=$!; PIDS+=($G)
  wait_for "$TMP/agw.err" running 5
  "$UAGATE" bench latency --role pub --peer opc.udp://127.0.0.1:48600 --listen opc.udp://127.0.0.1:48601 \
    --duration 600s >/dev/null 2>&1 &
  P=$!; PIDS+=($P)
  sleep 2
  # Window 1: steady state.
  gdb -q -batch -x "$TMP/count.gdb" -p $G >"$TMP/gdb1.out" 2>&1 &
  D=$!
  wait_for "$TMP/gdb1.out" "^Breakpoint 3 at" 300
  sleep 1.2; r0=$(received "$TMP/agw.out")
  sleep "$ASECS"
  r1=$(received "$TMP/agw.out")
  kill -USR1 $G; wait $D
  h1=$(hits "$TMP/gdb1.out")
  # Window 2: the same with a SIGHUP reload inside (must count allocations).
  gdb -q -batch -x "$TMP/count.gdb" -p $G >"$TMP/gdb2.out" 2>&1 &
  D=$!
  wait_for "$TMP/gdb2.out" "^Breakpoint 3 at" 300
  sleep 1; kill -HUP $G; sleep 1
  kill -USR1 $G; wait $D
  h2=$(hits "$TMP/gdb2.out")
  kill -TERM $G; wait $G; kill $P 2>/dev/null; wait $P 2>/dev/null
  [ -n "${UG_BENCH_DEBUG:-}" ] && { tail -3 "$TMP/agw.out"; cat "$TMP/agw.err"; }
  fwd=$((r1 - r0))
  echo "steady state: $h1 allocation calls while the gateway forwarded ~$fwd DataSetMessages" \
       "(with its --status-json output) -> $($PY -c "print(f'{$h1 / max($fwd, 1):.4f}')") per message"
  echo "control: $h2 allocation calls in a window with one SIGHUP reload"
fi
fi
