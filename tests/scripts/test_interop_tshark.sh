#!/bin/bash
# Interop with Wireshark's OPC UA dissector: a capture (dumpcap on lo, only
# the test's TCP port) of uagate's client and server talking, decoded by
# tshark with no malformed packet and no expert error.
#
# The server is `uagate run` with tests/interop/gateway.json (a copy with free
# ports). The traffic: uagate's own client (`uagate browse`, `read`, `write`,
# `call`) and, when node is installed, node-opcua's client.js (subscriptions,
# Publish, BrowseNext, TranslateBrowsePaths, the bad-input requests).
# Checks: `tshark -d tcp.port==PORT,opcua -Y '_ws.malformed ||
# _ws.expert.severity==error'` prints nothing; the capture holds HEL, ACK,
# OPN, MSG and CLO messages and the services OpenSecureChannel,
# CreateSession, ActivateSession, Browse, Read (requests and responses; with
# the CLI also Write and Call; with node also CreateSubscription,
# CreateMonitoredItems and Publish). The pcapng is kept in
# $UG_INTEROP_PCAP_DIR when that is set (CI artifacts).
#
# Skips (77) without tshark/dumpcap or the right to capture on lo.
# Run from the source root: bash tests/scripts/test_interop_tshark.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"
BUILD=${1:?usage: test_interop_tshark.sh BUILD_DIR}
UAGATE=$BUILD/uagate
INTEROP=$(cd "$(dirname "$0")/../interop" && pwd)
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

skip() { echo "SKIP: $*"; exit 77; }
[ -x "$UAGATE" ] || skip "$UAGATE not built"
"$UAGATE" help hash-password >/dev/null 2>&1 || skip "uagate was built without the OPC UA server"
command -v tshark >/dev/null 2>&1 || skip "tshark is not installed"
command -v dumpcap >/dev/null 2>&1 || skip "dumpcap is not installed (wireshark-common)"

ug_begin
export TMPDIR=$TMP
# Can this user capture on lo at all?
timeout 5 dumpcap -i lo -f "tcp port 9" -a duration:1 -q -w "$TMP/probe.pcapng" >/dev/null 2>"$TMP/probe.err" \
    || skip "cannot capture on lo: $(head -1 "$TMP/probe.err")"

HAVE_NODE=false
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 && bash "$INTEROP/setup.sh"; then
    HAVE_NODE=true
else
    echo "note: no node-opcua; the capture holds uagate's own client only"
fi
HAVE_CLI=false
"$UAGATE" help read >/dev/null 2>&1 && HAVE_CLI=true
$HAVE_NODE || $HAVE_CLI || skip "neither uagate's client commands nor node-opcua available"

P_UDP=$(free_port)
sed -e "s#opc.udp://127.0.0.1:48410#opc.udp://127.0.0.1:$P_UDP#g" \
    -e "s#opc.tcp://127.0.0.1:48480#opc.tcp://127.0.0.1:0#" "$INTEROP/gateway.json" >"$TMP/gateway.json"
grep -q "127.0.0.1:$P_UDP" "$TMP/gateway.json" || { echo "FAIL: could not rewrite gateway.json"; exit 1; }

"$UAGATE" run "$TMP/gateway.json" >"$TMP/gw.out" 2>"$TMP/gw.err" &
GW=$!
PIDS+=($GW)
wait_for "$TMP/gw.err" "opc.tcp listening on opc.tcp://" 15 || { echo "FAIL: gateway did not listen: $(tail -5 "$TMP/gw.err")"; exit 1; }
URL=$(sed -n 's/.*opc\.tcp listening on \(opc\.tcp:\/\/[^ ]*\).*/\1/p' "$TMP/gw.err" | head -1)
PORT=${URL##*:}
PORT=${PORT%%/*}
case $PORT in ''|*[!0-9]*) echo "FAIL: no port in '$URL'"; exit 1 ;; esac

PCAP=$TMP/opcua.pcapng
dumpcap -i lo -f "tcp port $PORT" -q -w "$PCAP" 2>"$TMP/dumpcap.err" &
DC=$!
PIDS+=($DC)
wait_for "$TMP/dumpcap.err" "Capturing on" 10 || { echo "FAIL: dumpcap did not start: $(cat "$TMP/dumpcap.err")"; exit 1; }
sleep 0.3

GWN="ns=1;s=Gateway"
if $HAVE_CLI; then
    "$UAGATE" browse "$URL" "$GWN" >"$TMP/browse.out" 2>&1 || fail "uagate browse: $(tail -3 "$TMP/browse.out")"
    "$UAGATE" read "$URL" "$GWN/Variables/setpoint" >"$TMP/read.out" 2>&1 || fail "uagate read: $(tail -3 "$TMP/read.out")"
    "$UAGATE" write "$URL" "$GWN/Variables/setpoint" 7.5 >"$TMP/write.out" 2>&1 || fail "uagate write: $(tail -3 "$TMP/write.out")"
    "$UAGATE" call "$URL" "$GWN" "$GWN/Echo" "captured" >"$TMP/call.out" 2>&1 || fail "uagate call: $(tail -3 "$TMP/call.out")"
    # A request that fails on the server side too (a Bad status in the capture).
    "$UAGATE" read "$URL" "ns=1;s=no/such/node" >/dev/null 2>&1 && fail "uagate read of an unknown node succeeded"
fi
if $HAVE_NODE; then
    node "$INTEROP/client.js" "$URL" --variable setpoint \
        --live "$GWN/field/field-in/device-reader/counter" --group "$GWN/device/device-out" \
        >"$TMP/node.json" 2>"$TMP/node.err" || fail "node client: $(grep 'FAIL' "$TMP/node.err")"
fi
sleep 0.5
kill -INT $DC
wait $DC 2>/dev/null
kill -TERM $GW
wait $GW 2>/dev/null

[ -n "${UG_INTEROP_PCAP_DIR:-}" ] && mkdir -p "$UG_INTEROP_PCAP_DIR" && cp "$PCAP" "$UG_INTEROP_PCAP_DIR/uagate-opcua.pcapng"

TS=(tshark -r "$PCAP" -d "tcp.port==$PORT,opcua")
"${TS[@]}" -Y '_ws.malformed || _ws.expert.severity==error' >"$TMP/bad.txt" 2>"$TMP/tshark.err" \
    || fail "tshark failed: $(grep -v 'Running as user' "$TMP/tshark.err" | head -3)"
if [ -s "$TMP/bad.txt" ]; then
    fail "tshark finds malformed packets or expert errors: $(head -5 "$TMP/bad.txt")"
    "${TS[@]}" -Y '_ws.malformed || _ws.expert.severity==error' -V 2>/dev/null | grep -i -B2 -A2 "malformed\|expert" | head -40
fi
"${TS[@]}" -T fields -e opcua.transport.type -e opcua.servicenodeid.numeric 2>/dev/null >"$TMP/fields.txt"
npkts=$(grep -c . "$TMP/fields.txt")
[ "$npkts" -gt 10 ] || fail "only $npkts OPC UA messages in the capture"
for t in HEL ACK OPN MSG CLO; do
    grep -q "^$t" "$TMP/fields.txt" || fail "no $t message in the capture"
done
# Binary encoding ids (NodeIds.csv): request, response.
want=("OpenSecureChannel 446 449" "CreateSession 461 464" "ActivateSession 467 470"
      "Browse 527 530" "Read 631 634" "CloseSession 473 476")
$HAVE_CLI && want+=("Write 673 676" "Call 712 715")
$HAVE_NODE && want+=("GetEndpoints 428 431" "BrowseNext 533 536" "TranslateBrowsePaths 554 557"
                     "CreateSubscription 787 790" "CreateMonitoredItems 751 754" "Publish 826 829")
for w in "${want[@]}"; do
    set -- $w
    for id in "$2" "$3"; do
        grep -qP "\t$id(,|$)" "$TMP/fields.txt" || fail "no $1 (encoding id $id) in the capture"
    done
done

if [ $failures -ne 0 ]; then
    echo "$failures failure(s)"
    exit 1
fi
echo "OK: tshark decodes $npkts OPC UA messages of uagate's client/server traffic, none malformed"
