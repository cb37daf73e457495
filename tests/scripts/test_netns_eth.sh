#!/usr/bin/env bash
# opc.eth between network namespaces (issue 4 item 7).
#
#   h1 ── br0 (sw) ── h2      plain Linux bridge (no VLAN filtering here)
#
# Checks: frames sent with VID 100 / PCP 5 arrive at h2 with those values
# (recovered from PACKET_AUXDATA); the kernel filter drops other traffic to
# the same MAC (IPv4 multicast to 239.127.0.1 maps to 01-00-5e-7f-00-01 but
# has EtherType 0x0800) and UADP frames to another MAC, while that traffic
# demonstrably reaches h2; 100,000 frames arrive without loss at full rate.
# Every check runs with the io_uring and the epoll loop backend.
# Usage: bash test_netns_eth.sh BUILD_DIR. Exit 77 (skip) without root or
# without `ip netns`. Uses only addresses inside the namespaces it creates.
set -u
B=${1:?usage: test_netns_eth.sh BUILD_DIR}
PEER=$B/tests/transports_test_peer
if [ "$(id -u)" != 0 ]; then echo "skip: needs root (network namespaces, CAP_NET_RAW)"; exit 77; fi
if ! ip netns list >/dev/null 2>&1; then echo "skip: ip netns unavailable"; exit 77; fi
# Every peer run below is bounded by timeout: a hang fails a check, not the run.
if [ ! -x "$PEER" ]; then echo "FAIL: $PEER not built"; exit 1; fi

# Namespaces left by an earlier run that was killed outright (SIGKILL skips
# the trap): ours by prefix, removed only when their owner pid is gone.
for n in $(ip netns list | awk '{print $1}' | grep -E '^uge[0-9]+sw$'); do
  pid=${n#uge}; pid=${pid%sw}
  if ! kill -0 "$pid" 2>/dev/null; then
    for s in sw h1 h2; do ip netns del "uge$pid$s" 2>/dev/null; done
  fi
done

P=uge$$
SW=${P}sw H1=${P}h1 H2=${P}h2
TMP=$(mktemp -d)
cleanup() {
  jobs -p | xargs -r kill 2>/dev/null
  wait 2>/dev/null
  for n in $SW $H1 $H2; do ip netns del "$n" 2>/dev/null; done
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
wait_file() { for _ in $(seq 100); do [ -e "$1" ] && return 0; sleep 0.05; done; return 1; }

set -e
for n in $SW $H1 $H2; do ip netns add "$n"; in_ns "$n" ip link set lo up; done
in_ns $SW ip link add br0 type bridge mcast_snooping 0
in_ns $SW ip link set br0 up
i=1
for h in $H1 $H2; do
  ip link add "${P}p$i" netns $SW type veth peer name e0 netns "$h"
  in_ns $SW ip link set "${P}p$i" master br0 up
  in_ns "$h" ip addr add "10.79.0.$i/24" dev e0
  in_ns "$h" ip link set e0 up
  in_ns "$h" ip route add 224.0.0.0/4 dev e0
  i=$((i + 1))
done
set +e
sleep 1 # bridge ports forwarding

MAC=01-00-5e-7f-00-01
run_backend() {
  local be=$1 rc r
  export UG_LOOP_BACKEND=$be
  echo "--- backend $be"

  # 1. VID 100 / PCP 5 written by h1, recovered by h2.
  rm -f "$TMP/ready"
  in_ns $H2 timeout 60 "$PEER" recv "opc.eth://$MAC" -i e0 -n 1000 -V 100 -P 5 -t 10000 \
    -R "$TMP/ready" >"$TMP/r1" &
  r=$!
  wait_file "$TMP/ready"
  in_ns $H1 timeout 60 "$PEER" send "opc.eth://$MAC:100.5" -i e0 -n 1000 -r 5000 >/dev/null
  wait $r; rc=$?
  echo "    $(cat "$TMP/r1")"
  check "[$be] 1000 frames arrive with VID 100 and PCP 5" test $rc = 0

  # 2. Other EtherType to the same MAC, and UADP to another MAC: dropped in
  #    the kernel. The UDP receiver proves the IPv4 frames did reach h2.
  rm -f "$TMP/ready" "$TMP/ready2"
  in_ns $H2 timeout 60 "$PEER" recv "opc.eth://$MAC" -i e0 -x -t 3000 -R "$TMP/ready" \
    >"$TMP/r2" &
  r=$!
  in_ns $H2 timeout 60 "$PEER" recv "opc.udp://239.127.0.1:4840" -i e0 -n 200 -t 5000 \
    -R "$TMP/ready2" >"$TMP/r2u" &
  local ru=$!
  wait_file "$TMP/ready"
  wait_file "$TMP/ready2"
  in_ns $H1 timeout 60 "$PEER" send "opc.udp://239.127.0.1:4840" -i e0 -n 200 -r 2000 >/dev/null
  in_ns $H1 timeout 60 "$PEER" send "opc.eth://01-00-5e-7f-00-02:100.5" -i e0 -n 200 -r 2000 \
    >/dev/null
  wait $r; rc=$?
  wait $ru; local rcu=$?
  echo "    eth receiver: $(cat "$TMP/r2"); udp receiver: $(cat "$TMP/r2u")"
  check "[$be] IPv4 frames to the same MAC reached h2" test $rcu = 0
  check "[$be] the opc.eth receiver got none of them nor frames to another MAC" test $rc = 0

  # 3. 100,000 frames flat out, none lost. The receiver's socket buffer is
  #    64 MiB (SO_RCVBUFFORCE); the sender is not paced.
  rm -f "$TMP/ready"
  in_ns $H2 timeout 60 "$PEER" recv "opc.eth://$MAC" -i e0 -n 100000 -t 30000 -b 67108864 \
    -R "$TMP/ready" >"$TMP/r3" &
  r=$!
  wait_file "$TMP/ready"
  in_ns $H1 timeout 60 "$PEER" send "opc.eth://$MAC:100.5" -i e0 -n 100000 -s 64 >"$TMP/s3"
  wait $r; rc=$?
  echo "    sender: $(cat "$TMP/s3")"
  echo "    receiver: $(cat "$TMP/r3")"
  check "[$be] 100,000 frames at full rate, none lost" test $rc = 0
}

run_backend io_uring
run_backend epoll
exit $fail
