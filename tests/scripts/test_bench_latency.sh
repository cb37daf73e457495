#!/usr/bin/env bash
# `uagate bench latency` (issue 5 item 7): a loopback run with the bare floor
# prints its table and writes JSON with counts and no loss at 1 kHz; --plot
# writes the histograms (SVG with gnuplot, text without, and says so); as root
# the namespace path over opc.udp and opc.eth with VLAN/PCP, clean-up of the
# namespaces also on SIGINT, and the not-root message; bad options exit 2
# with a message. Latency values are never asserted: they are figures.
# Usage: bash test_bench_latency.sh BUILD_DIR (from the source root).
set -u
B=${1:?usage: test_bench_latency.sh BUILD_DIR}
U=$B/uagate
PY=/usr/bin/python3
if [ ! -x "$U" ]; then echo "FAIL: $U not built"; exit 1; fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

# check_json FILE RUNS [loss]: valid JSON, RUNS runs, each sent and received > 0
# (and no loss when the third argument is "noloss").
check_json() {
  "$PY" -m json.tool "$1" >/dev/null 2>"$TMP/json.err" || { fail "$1 is not JSON: $(cat "$TMP/json.err")"; return; }
  "$PY" - "$1" "$2" "${3:-}" <<'EOF' || fail "$1: contents"
import json, sys
d = json.load(open(sys.argv[1]))
runs = d["runs"]
assert len(runs) == int(sys.argv[2]), f"{len(runs)} runs, expected {sys.argv[2]}"
assert d["message_bytes"] > 0
for r in runs:
    name = f'{r["path"]} {r["mode"]} {r["impl"]}'
    assert r["sent"] > 0 and r["received"] > 0, f"{name}: sent {r['sent']} received {r['received']}"
    assert r["hist"]["count"] == r["received"], f"{name}: histogram count"
    if sys.argv[3] == "noloss":
        assert r["loss"] == 0, f"{name}: loss {r['loss']} of {r['sent']}"
    for k in ("p50_ns", "p99_ns", "p999_ns", "max_ns", "reordered", "duplicates", "missed"):
        assert k in r, f"{name}: no {k}"
EOF
}

# Namespaces of bench runs that have exited (each run first removes those of
# runs killed earlier, so after our runs any such one is ours).
ns_leftover() {
  ip netns list 2>/dev/null | awk '{print $1}' | while read -r n; do
    case $n in ugl*[pe]) p=${n#ugl}; p=${p%?}; kill -0 "$p" 2>/dev/null || echo "$n" ;; esac
  done
}

# ---- loopback, with the floor, JSON
"$U" bench latency --duration 1s --rate 1000 --floor --json "$TMP/lo.json" >"$TMP/lo.out" 2>"$TMP/lo.err"
rc=$?
cat "$TMP/lo.out"
if [ $rc != 0 ]; then fail "loopback run exit $rc: $(cat "$TMP/lo.err")"; else ok "loopback run"; fi
grep -Eq '^ *loss +reorder +missed +\(microseconds\) +count +min +p50 +p90 +p99 +p99\.9 +max' "$TMP/lo.out" \
  || fail "no table header"
for row in "udp-lo 1way 1k bare" "udp-lo 1way 1k uagate" "udp-lo rtt 1k bare" "udp-lo rtt 1k uagate"; do
  grep -Eq "^ *[0-9]+ +[0-9]+ +[0-9]+ $row +[1-9][0-9]* " "$TMP/lo.out" || fail "no row '$row' with a count"
done
check_json "$TMP/lo.json" 4 noloss

# ---- plots: SVG with gnuplot; without it the text histograms and a message
"$U" bench latency --duration 300ms --mode oneway --size 200 --plot "$TMP/plot" >"$TMP/p.out" 2>&1
rc=$?
[ $rc = 0 ] || fail "--plot run exit $rc: $(cat "$TMP/p.out")"
[ -s "$TMP/plot/udp-lo_1way_1k_uagate.hist" ] && [ -s "$TMP/plot/udp-lo_1way_1k_uagate.dat" ] \
  && [ -s "$TMP/plot/plot.gp" ] || fail "--plot wrote no histogram text"
"$PY" -m json.tool "$TMP/plot/udp-lo_1way_1k_uagate.json" >/dev/null || fail "--plot histogram JSON"
grep -q "200 bytes" "$TMP/p.out" || fail "--size 200 not used"
if command -v gnuplot >/dev/null; then
  grep -q '<svg' "$TMP/plot/udp-lo_1way_1k.svg" 2>/dev/null && grep -q '<svg' "$TMP/plot/udp-lo_1way_1k_hist.svg" \
    || fail "gnuplot installed but no SVG"
fi
env PATH=/nonexistent "$U" bench latency --duration 200ms --mode oneway --plot "$TMP/plot2" >"$TMP/p2.out" 2>&1
rc=$?
if [ $rc = 0 ] && grep -q "gnuplot is not installed" "$TMP/p2.out" && [ -s "$TMP/plot2/udp-lo_1way_1k_uagate.hist" ] \
  && ! ls "$TMP"/plot2/*.svg >/dev/null 2>&1; then ok "no gnuplot: text histograms and a message"
else fail "no gnuplot: exit $rc: $(cat "$TMP/p2.out")"; fi

# ---- two-machine mode, both ends here: an echo end until SIGINT, a publisher end
P1=$((49000 + $$ % 500 * 2)); P2=$((P1 + 1))
"$U" bench latency --role echo --listen "opc.udp://127.0.0.1:$P1" --peer "opc.udp://127.0.0.1:$P2" \
  >"$TMP/echo.out" 2>&1 &
epid=$!
for _ in $(seq 100); do grep -q "^echo: receiving" "$TMP/echo.out" && break; sleep 0.1; done
"$U" bench latency --role pub --peer "opc.udp://127.0.0.1:$P1" --listen "opc.udp://127.0.0.1:$P2" \
  --duration 500ms --json "$TMP/peer.json" >"$TMP/pub.out" 2>&1
rc=$?
kill -INT $epid 2>/dev/null
wait $epid
erc=$?
cat "$TMP/pub.out" "$TMP/echo.out"
[ $rc = 0 ] || fail "--role pub exit $rc"
[ $erc = 0 ] || fail "--role echo exit $erc after SIGINT"
grep -q "udp-peer rtt 1k uagate" "$TMP/pub.out" || fail "--role pub: no row"
check_json "$TMP/peer.json" 1 noloss
echoed=$(sed -n 's/^echoed \([0-9]*\) messages$/\1/p' "$TMP/echo.out")
got=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["runs"][0]["received"])' "$TMP/peer.json" 2>/dev/null)
[ -n "$echoed" ] && [ "$echoed" = "$got" ] || fail "echo end echoed '$echoed', publisher received '$got'"

# ---- bad options: exit 2 and a message naming the problem
bad() {  # expected-message-part args...
  local want=$1; shift
  "$U" "$@" >"$TMP/bad.out" 2>"$TMP/bad.err"
  local rc=$?
  if [ $rc != 2 ]; then fail "'$*' exit $rc, expected 2"
  elif ! grep -qi -- "$want" "$TMP/bad.err"; then fail "'$*': no '$want' in: $(cat "$TMP/bad.err")"
  else ok "'$*' -> 2"; fi
}
bad "not udp or eth" bench latency --transport tcp
bad "not lo or ns" bench latency --path wan
bad "not a rate" bench latency --rate fast
bad "not a rate" bench latency --rate 0
bad "message size" bench latency --size 10
bad "message size" bench latency --size 9000
bad "positive duration" bench latency --duration 5parsecs
bad "positive duration" bench latency --duration 0
bad "add --path ns" bench latency --transport eth
bad "eth only" bench latency --vlan 5
bad "needs --vlan" bench latency --transport eth --path ns --pcp 3
bad "VLAN id" bench latency --transport eth --path ns --vlan 4095
bad "priority 0..7" bench latency --transport eth --path ns --vlan 5 --pcp 8
bad "FIFO priority" bench latency --fifo 100
bad "online CPU" bench latency --cpu 9999
bad "not oneway" bench latency --mode sideways
bad "unknown option" bench latency --bogus
bad "missing value" bench latency --json
bad "unexpected argument" bench latency extra
bad "unknown benchmark" bench throughput
bad "which benchmark" bench
bad "needs --peer URL" bench latency --role pub
bad "not pub or echo" bench latency --role both
bad "for two machines" bench latency --peer opc.udp://127.0.0.1:1
bad "for one host" bench latency --role pub --path ns --peer opc.udp://127.0.0.1:1 --listen opc.udp://127.0.0.1:2
bad "needs one clock" bench latency --role pub --mode oneway --peer opc.udp://127.0.0.1:1 --listen opc.udp://127.0.0.1:2
bad "both be opc.udp" bench latency --role pub --peer opc.udp://127.0.0.1:1 --listen opc.eth://02-00-00-00-00-01
bad "needs --interface" bench latency --role echo --peer opc.eth://02-00-00-00-00-02 --listen opc.eth://02-00-00-00-00-01
bad "--peer:" bench latency --role echo --peer opc.udp://[::1 --listen opc.udp://127.0.0.1:2
"$U" bench latency --help | grep -q -- "--floor" || fail "bench latency --help"
"$U" --help | grep -q "bench" || fail "bench not in uagate --help"

# ---- namespaces (root)
if [ "$(id -u)" != 0 ] || ! ip netns list >/dev/null 2>&1; then
  echo "skip: namespace path needs root and ip netns (loopback parts ran)"
else
  "$U" bench latency --path ns --duration 1s --mode oneway --floor --json "$TMP/ns.json" >"$TMP/ns.out" 2>&1
  rc=$?
  cat "$TMP/ns.out"
  [ $rc = 0 ] || fail "namespace run exit $rc"
  grep -q "udp-ns 1way 1k uagate" "$TMP/ns.out" || fail "no udp-ns row"
  check_json "$TMP/ns.json" 2 noloss
  "$U" bench latency --path ns --transport eth --vlan 5 --pcp 3 --duration 500ms --floor \
    --json "$TMP/eth.json" >"$TMP/eth.out" 2>&1
  rc=$?
  cat "$TMP/eth.out"
  [ $rc = 0 ] || fail "opc.eth namespace run exit $rc"
  grep -q "VID 5, PCP 3" "$TMP/eth.out" || fail "VLAN not reported"
  check_json "$TMP/eth.json" 4 noloss
  "$PY" -c 'import json,sys; assert all(r["vlan"] and r["vid"] == 5 and r["pcp"] == 3 for r in json.load(open(sys.argv[1]))["runs"])' \
    "$TMP/eth.json" || fail "VLAN not in JSON"
  [ -z "$(ns_leftover)" ] || fail "namespaces left behind: $(ns_leftover)"

  # SIGINT: stops within a second, removes its namespaces, exit 130
  "$U" bench latency --path ns --duration 60s --mode oneway >"$TMP/int.out" 2>&1 &
  pid=$!
  # once measuring (the table header is out): setting up can take a while on a busy machine
  for _ in $(seq 100); do grep -q "count" "$TMP/int.out" && break; sleep 0.1; done
  sleep 0.5
  kill -INT $pid
  for _ in $(seq 50); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
  if kill -0 $pid 2>/dev/null; then fail "SIGINT: still running"; kill -KILL $pid; fi
  wait $pid
  rc=$?
  [ $rc = 130 ] || fail "SIGINT: exit $rc, expected 130"
  [ -z "$(ns_leftover)" ] || fail "SIGINT: namespaces left behind: $(ns_leftover)"

  if command -v setpriv >/dev/null && setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$U" 2>/dev/null; then
    setpriv --reuid=65534 --regid=65534 --clear-groups "$U" bench latency --path ns >"$TMP/nr.out" 2>&1
    rc=$?
    if [ $rc = 2 ] && grep -q "needs root" "$TMP/nr.out"; then ok "not root: message"
    else fail "not root: exit $rc: $(cat "$TMP/nr.out")"; fi
  else
    echo "skip: not-root message (no setpriv, or $U not reachable for uid 65534)"
  fi
fi

if [ $fails != 0 ]; then echo "$fails check(s) failed"; exit 1; fi
echo "all bench latency checks passed"
