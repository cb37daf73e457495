#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine: install, build, run the gateway.
#
# config/default.json: a simulated field device publishes UADP at 1 kHz to the
# multicast group 239.0.0.1:4840 on the loopback interface; the gateway
# subscribes, decodes, and bridges every DataSetMessage to JSON sent over UDP
# to 127.0.0.1:4841. The status view (every second) shows per group and reader
# the state, rate, last sequence number, errors and the decoded values; the
# first JSON messages are printed as they arrive at 127.0.0.1:4841.
#
# UAGATE_DURATION (default 10s) bounds the demo; `uagate run` alone runs until
# Ctrl-C, and `kill -HUP` reloads the file.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-debian.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc 2>/dev/null || echo 2)" --target uagate
UAGATE=./build/uagate
DURATION=${UAGATE_DURATION:-10s}

echo
echo "== uagate check config/default.json"
$UAGATE check config/default.json

# Multicast on lo works without the interface's MULTICAST flag (the sockets
# name lo explicitly); say what the machine has, for whoever debugs it.
if ip link show lo 2>/dev/null | grep -q MULTICAST; then
  echo "lo: MULTICAST flag set"
else
  echo "lo: no MULTICAST flag; multicast still flows on lo because the sockets select lo explicitly"
fi

echo
echo "== the first JSON messages leaving the gateway (uagate sub opc.udp://127.0.0.1:4841 --json)"
$UAGATE sub opc.udp://127.0.0.1:4841 --json --count 3 --duration 5s &
sub=$!
trap 'kill $sub 2>/dev/null || true' EXIT
echo "== uagate run config/default.json --duration $DURATION --status"
$UAGATE run config/default.json --duration "$DURATION" --status
wait $sub 2>/dev/null || true
