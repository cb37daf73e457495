#!/usr/bin/env bash
# uagate capture and uagate replay between two network namespaces (issue 4
# item 6).
#
#   A (e0, 10.78.0.1) ── veth ── B (e0, 10.78.0.2)
#
# Checks: `uagate replay samples/capture.pcapng --to opc.udp://239.0.0.1:4840`
# from A is recorded by `uagate capture -i e0 -w out.pcapng -c 7` in B; what
# capture printed equals `uagate decode out.pcapng`, and the messages equal
# those of the sample (decode --dump-json, network_message or error); the
# original 1 ms inter-frame timing survives (scaled by --speed); --rate with --loop sends the
# right number at the right pace; opc.eth:// with VID 100 PCP 5 arrives
# tagged (classic pcap output, capture stopped by SIGINT with its counts);
# the Lua dissector decodes what capture wrote (when tshark is installed).
# Usage: bash test_capture.sh BUILD_DIR. Exit 77 (skip) without root or
# without `ip netns`. Uses only addresses inside the namespaces it creates.
set -u
B=${1:?usage: test_capture.sh BUILD_DIR}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
U=$B/uagate
CAP=$SRC/samples/capture.pcapng
if [ "$(id -u)" != 0 ]; then echo "skip: needs root (network namespaces, CAP_NET_RAW)"; exit 77; fi
if ! ip netns list >/dev/null 2>&1; then echo "skip: ip netns unavailable"; exit 77; fi
if [ ! -x "$U" ]; then echo "FAIL: $U not built"; exit 1; fi
PY=/usr/bin/python3
[ -x $PY ] || PY=python3

# Namespaces left by a run killed outright (SIGKILL skips the trap).
for n in $(ip netns list | awk '{print $1}' | grep -E '^ugc[0-9]+a$'); do
  pid=${n#ugc}; pid=${pid%a}
  if ! kill -0 "$pid" 2>/dev/null; then
    for s in a b; do ip netns del "ugc$pid$s" 2>/dev/null; done
  fi
done

P=ugc$$
NA=${P}a NB=${P}b
TMP=$(mktemp -d)
cleanup() {
  jobs -p | xargs -r kill 2>/dev/null
  wait 2>/dev/null
  for n in $NA $NB; do ip netns del "$n" 2>/dev/null; done
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail=0
check() {
  local name=$1; shift
  if "$@"; then echo "PASS: $name"; else echo "FAIL: $name"; fail=1; fi
}
in_ns() { local n=$1; shift; ip netns exec "$n" "$@"; }
wait_listening() {
  for _ in $(seq 200); do grep -q "listening on" "$1" 2>/dev/null && return 0; sleep 0.05; done
  return 1
}

set -e
for n in $NA $NB; do ip netns add "$n"; in_ns "$n" ip link set lo up; done
in_ns $NA ip link add e0 type veth peer name e0 netns $NB
i=1
for n in $NA $NB; do
  in_ns "$n" ip addr add "10.78.0.$i/24" dev e0
  in_ns "$n" ip addr add "fd78::$i/64" dev e0 nodad
  in_ns "$n" ip link set e0 up
  in_ns "$n" ip route add 224.0.0.0/4 dev e0
  i=$((i + 1))
done
set +e
sleep 0.5

# The sample's messages, as decode sees them: one line per message.
messages() {
  "$U" decode --dump-json "$1" | $PY -c '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    print(json.dumps(o.get("network_message", {"error": o.get("error")}), sort_keys=True))'
}
messages "$CAP" >"$TMP/want"
check "sample has 7 UADP messages" test "$(wc -l <"$TMP/want")" = 7

# Median gap in seconds between consecutive messages of a capture (robust to
# a late wake-up or two on a busy VM, which a span would not be).
# Input: JSON Lines of `uagate decode --dump-json` or `uagate capture --dump-json`.
median_gap() {
  $PY -c '
import json, sys, datetime
t = []
for line in sys.stdin:
    s = json.loads(line)["time"]
    d = datetime.datetime.strptime(s[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    t.append(d.timestamp() + int(s[20:29]) / 1e9)
g = sorted(b - a for a, b in zip(t, t[1:]))
print("%.6f" % g[len(g) // 2])'
}
between() { $PY -c "import sys; sys.exit(0 if $2 <= $1 <= $3 else 1)"; }
# Timing is a benchmark figure, not a test (the machine is shared): a gap
# outside its band is reported, never failed. Order and content are checked.
timing() {
  local name=$1; shift
  if between "$@"; then echo "PASS: $name"; else echo "NOTE (timing, not a failure): $name"; fi
}

# 1. UDP multicast: capture -c 7 -w pcapng in B, replay with the original timing from A.
timeout 30 ip netns exec $NB "$U" capture -i e0 -w "$TMP/udp.pcapng" -c 7 >"$TMP/udp.txt" 2>"$TMP/udp.err" &
cpid=$!
check "capture is listening" wait_listening "$TMP/udp.err"
# --speed 0.25: 4 ms gaps, so a busy 2-core VM's wake-up delays (ms at
# times) stay well below the gap being measured.
in_ns $NA timeout 30 "$U" replay "$CAP" --to opc.udp://239.0.0.1:4840 -i e0 --speed 0.25 \
  >"$TMP/rep1" 2>&1
rrc=$?
wait $cpid
crc=$?
cat "$TMP/rep1"
check "replay exit 0" test $rrc = 0
check "replay summary: 7 sent, 0 errors" grep -q "7 message(s) sent, 0 error(s)" "$TMP/rep1"
check "replay reports timing error percentiles" grep -q "timing error p50 .* us p99 .* us" "$TMP/rep1"
check "capture stopped after 7 messages (exit 1: the sample's frame 8 is malformed)" test $crc = 1
check "capture counts on stderr" grep -q "7 UADP message(s), 1 malformed" "$TMP/udp.err"
"$U" decode "$TMP/udp.pcapng" >"$TMP/udp.dec"
check "capture printed what 'uagate decode' prints for its own pcapng" diff -u "$TMP/udp.dec" "$TMP/udp.txt"
messages "$TMP/udp.pcapng" >"$TMP/got"
check "recorded messages equal the sample's" diff -u "$TMP/want" "$TMP/got"
check "recorded as UDP/IPv4 from 10.78.0.1 to 239.0.0.1:4840" \
  test "$(grep -c 'UDP/IPv4 10.78.0.1:[0-9]* -> 239.0.0.1:4840' "$TMP/udp.txt")" = 7
s=$("$U" decode --dump-json "$TMP/udp.pcapng" | median_gap)
timing "original timing kept (1 ms gaps / 0.25): median gap 4 ms (got ${s} s)" "$s" 0.003 0.006

# 2. --rate and --loop, and capture --dump-json.
timeout 30 ip netns exec $NB "$U" capture -i e0 -c 21 --dump-json >"$TMP/rate.json" 2>"$TMP/rate.err" &
cpid=$!
check "capture --dump-json is listening" wait_listening "$TMP/rate.err"
in_ns $NA timeout 30 "$U" replay "$CAP" --to opc.udp://10.78.0.2:4841 --rate 500 --loop 3 >"$TMP/rep2" 2>&1
wait $cpid
cat "$TMP/rep2"
check "rate/loop: 21 sent" grep -q "21 message(s) sent, 0 error(s)" "$TMP/rep2"
check "capture --dump-json: 21 JSON lines to port 4841" \
  test "$(grep -c '"dst":"10.78.0.2:4841"' "$TMP/rate.json")" = 21
check "achieved rate reported" grep -q " msg/s over " "$TMP/rep2"
s=$(median_gap <"$TMP/rate.json")
timing "--rate 500: median gap 2 ms, rounds back to back (got ${s} s)" "${s:-0}" 0.0015 0.003
$PY -c '
import json, sys
a = [json.dumps(json.loads(l).get("network_message", {"error": json.loads(l).get("error")}), sort_keys=True)
     for l in open(sys.argv[1])]
print("\n".join(a))' "$TMP/rate.json" >"$TMP/got3"
cat "$TMP/want" "$TMP/want" "$TMP/want" >"$TMP/want3"
check "capture --dump-json messages equal the sample's, three rounds" diff -q "$TMP/want3" "$TMP/got3"

# 3. Ethernet with VID 100 PCP 5; classic pcap output; stopped by SIGINT.
ip netns exec $NB "$U" capture -i e0 -w "$TMP/eth.pcap" >"$TMP/eth.txt" 2>"$TMP/eth.err" &
cpid=$!
check "capture (eth) is listening" wait_listening "$TMP/eth.err"
in_ns $NA timeout 30 "$U" replay "$CAP" --to opc.eth://01-00-5e-7f-00-01:100.5 -i e0 --speed 0.5 \
  >"$TMP/rep3" 2>&1
cat "$TMP/rep3"
check "eth replay: 7 sent" grep -q "7 message(s) sent, 0 error(s)" "$TMP/rep3"
sleep 0.3
kill -INT $cpid
wait $cpid
crc=$?
check "SIGINT stops capture cleanly (exit 1: frame 8 malformed)" test $crc = 1
check "counts printed on SIGINT" grep -q "7 UADP message(s), 1 malformed" "$TMP/eth.err"
check "classic pcap written" test "$(head -c 4 "$TMP/eth.pcap" | xxd -p)" = "4d3cb2a1"
"$U" decode "$TMP/eth.pcap" >"$TMP/eth.dec"
check "every frame arrived tagged VID 100 PCP 5" \
  test "$(grep -c 'Ethernet/0xB62C .* -> 01:00:5e:7f:00:01 VLAN VID 100 PCP 5 DEI 0' "$TMP/eth.dec")" = 7
messages "$TMP/eth.pcap" >"$TMP/got"
check "recorded Ethernet messages equal the sample's" diff -u "$TMP/want" "$TMP/got"
s=$("$U" decode --dump-json "$TMP/eth.pcap" | median_gap)
timing "--speed 0.5: median gap 2 ms (got ${s} s)" "$s" 0.0015 0.003

# 4. Untagged Ethernet and UDP/IPv6 in one capture.
timeout 30 ip netns exec $NB "$U" capture -i e0 -c 14 >"$TMP/mix.txt" 2>"$TMP/mix.err" &
cpid=$!
check "capture (mixed) is listening" wait_listening "$TMP/mix.err"
in_ns $NA timeout 30 "$U" replay "$CAP" --to opc.eth://02-78-00-00-00-02 -i e0 --rate 1000 \
  >"$TMP/rep4" 2>&1
in_ns $NA timeout 30 "$U" replay "$CAP" --to "opc.udp://[fd78::2]:4842" --rate 1000 --spin-us 50 >>"$TMP/rep4" 2>&1
wait $cpid
check "untagged Ethernet and IPv6 replays: 7 + 7 sent" \
  test "$(grep -c '7 message(s) sent, 0 error(s)' "$TMP/rep4")" = 2
check "7 untagged Ethernet frames to 02:78:00:00:00:02" \
  test "$(grep -c 'Ethernet/0xB62C [0-9a-f:]* -> 02:78:00:00:00:02, ' "$TMP/mix.txt")" = 7
check "7 UDP/IPv6 datagrams from fd78::1" \
  test "$(grep -c 'UDP/IPv6 \[fd78::1\]:[0-9]* -> \[fd78::2\]:4842, ' "$TMP/mix.txt")" = 7

# 5. The dissector on what capture wrote.
if command -v tshark >/dev/null 2>&1; then
  for f in udp.pcapng eth.pcap; do
    tshark -X "lua_script:$SRC/tools/uadp.lua" -r "$TMP/$f" -V >"$TMP/$f.v" 2>&1
    check "tshark: 7 UADP messages in $f" \
      test "$(grep -c '^OPC UA PubSub UADP' "$TMP/$f.v")" = 7
    check "tshark: writer ids 11, 12, 13 in $f" grep -q "DataSetWriterId 13" "$TMP/$f.v"
    check "tshark: no Lua error in $f" bash -c "! grep -qi 'lua error' '$TMP/$f.v'"
  done
  check "tshark: VID 100 PCP 5 on every Ethernet frame" \
    test "$(grep -c '^802.1Q Virtual LAN, PRI: 5, DEI: 0, ID: 100$' "$TMP/eth.pcap.v")" = 7
else
  echo "note: tshark not installed, dissector checks on the recorded captures skipped"
fi

if [ $fail = 0 ]; then echo "test_capture: all checks passed"; fi
exit $fail
