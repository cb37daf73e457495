#!/usr/bin/env bash
# `uagate run` bridging a UADP field network on 127.0.0.1 to real brokers
# (issue 6 items 3 and 4): one mosquitto (an anonymous and a password
# listener, persistence on) and one RabbitMQ with AMQP 1.0, each started once
# on free loopback ports and stopped by PID on exit (RabbitMQ's epmd too).
#
# One gateway: a UADP reader on UDP (fed by a simulated device, `uagate run`)
# routes to (a) JSON on MQTT at QoS 1 with a persistent session, (b) UADP on
# MQTT at QoS 0, (c) JSON on AMQP at least once; and an MQTT reader routes
# JSON set-points back to UADP on UDP. Checked by independent subscribers:
# mosquitto_sub (values in order, MQTT 5 content type, the retained
# $Metadata) and a Python proton receiver (values in order, subject,
# content-type; `uagate sub amqp://` when python3-qpid-proton is missing).
# Then: mosquitto restarted mid-stream (QoS 1: nothing lost, order kept, the
# gateway reconnects); a wrong password and an unreachable broker (a clear
# log line and retries, no crash).
# Usage (from the source root): bash tests/scripts/test_gateway_brokers.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_brokers.sh"
BUILD=${1:?usage: test_gateway_brokers.sh BUILD_DIR}
UAGATE=$BUILD/uagate
PY=/usr/bin/python3
for tool in mosquitto mosquitto_sub mosquitto_pub mosquitto_passwd; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed (apt-get install mosquitto mosquitto-clients)"; exit 77; }
done
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || { echo "SKIP: rabbitmq-server not installed"; exit 77; }
[ -x "$PY" ] || { echo "SKIP: $PY missing"; exit 77; }
[ -x "$UAGATE" ] || { echo "SKIP: $UAGATE not built"; exit 77; }
HAVE_PROTON=false
"$PY" -c 'import proton' 2>/dev/null && HAVE_PROTON=true

ug_begin
cleanup_all() {
    brk_mosq_stop "$TMP/mosq"
    brk_rabbit_stop "$TMP/rmq"
    ug_cleanup
}
trap cleanup_all EXIT

MQ=$(brk_port)
MQ_PW=$(brk_port)
DEAD=$(brk_port)
P_IN=$(free_port)
P_OUT=$(free_port)
mkdir -p "$TMP/mosq"
mosquitto_passwd -b -c "$TMP/mosq/passwd" uagate right-password >/dev/null
brk_mosq_init "$TMP/mosq" "$MQ" "listener $MQ_PW 127.0.0.1" "allow_anonymous false" \
    "password_file $TMP/mosq/passwd"
brk_mosq_start "$TMP/mosq" || exit 1
brk_rabbit_init "$TMP/rmq"
# RabbitMQ takes 5-15 s: start it now, wait for it before the gateway.
brk_rabbit_start "$TMP/rmq" >"$TMP/rmq-start.out" 2>&1 &
RMQ_START=$!

cat >"$TMP/device.json" <<JSON
{ "name": "device", "server": { "enabled": false },
  "publishedDataSets": [ { "name": "dev", "fields": [
    { "name": "counter", "dataType": "UInt32", "source": { "simulator": "counter" } },
    { "name": "wave", "dataType": "Double", "source": { "simulator": "sine", "amplitude": 2, "period": "500ms" } } ] } ],
  "connections": [ { "name": "device", "publisherId": 7,
    "address": { "url": "opc.udp://127.0.0.1:$P_IN" },
    "writerGroups": [ { "name": "g", "writerGroupId": 3, "publishingInterval": "10ms",
      "dataSetWriters": [ { "name": "w", "dataSetWriterId": 4, "dataSetName": "dev" } ] } ] } ] }
JSON

cat >"$TMP/gateway.json" <<JSON
{ "name": "gateway", "server": { "enabled": false }, "statusInterval": "500ms",
  "publishedDataSets": [
    { "name": "out", "fields": [ { "name": "count", "dataType": "UInt32", "promoted": true },
      { "name": "wave", "dataType": "Double" },
      { "name": "site", "dataType": "Double", "promoted": true,
        "source": { "simulator": "square", "offset": 42, "amplitude": 0 } } ] },
    { "name": "to-field", "fields": [ { "name": "setpoint", "dataType": "Double" } ] } ],
  "connections": [
    { "name": "field", "address": { "url": "opc.udp://127.0.0.1:$P_IN" },
      "readerGroups": [ { "name": "rg", "dataSetReaders": [ {
        "name": "dev-reader", "publisherId": 7, "writerGroupId": 3, "dataSetWriterId": 4,
        "dataSetMetaData": { "fields": [ { "name": "counter", "dataType": "UInt32" },
                                         { "name": "wave", "dataType": "Double" } ] } } ] } ] },
    { "name": "mqtt-json", "publisherId": "gw", "address": { "url": "mqtt://127.0.0.1:$MQ/unused" },
      "transportSettings": { "clientId": "ugtest-json-$$", "mqttVersion": "5" },
      "writerGroups": [ { "name": "json-out", "writerGroupId": 20, "publishingInterval": "1h", "keepAliveTime": "2h",
        "encoding": "JSON",
        "transportSettings": { "queueName": "ugt/json", "requestedDeliveryGuarantee": "AtLeastOnce" },
        "dataSetWriters": [ { "name": "jw", "dataSetWriterId": 21, "dataSetName": "out" } ] } ] },
    { "name": "mqtt-uadp", "publisherId": 30, "address": { "url": "mqtt://127.0.0.1:$MQ/ugt/uadp" },
      "writerGroups": [ { "name": "uadp-out", "writerGroupId": 30, "publishingInterval": "1h",
        "transportSettings": { "requestedDeliveryGuarantee": "BestEffort" },
        "dataSetWriters": [ { "name": "uw", "dataSetWriterId": 31, "dataSetName": "out" } ] } ] },
    { "name": "amqp-json", "publisherId": "gw-amqp", "address": { "url": "amqp://127.0.0.1:$RMQ_PORT/queue/ugt-json" },
      "writerGroups": [ { "name": "amqp-out", "writerGroupId": 40, "publishingInterval": "1h", "encoding": "JSON",
        "transportSettings": { "requestedDeliveryGuarantee": "AtLeastOnce" },
        "dataSetWriters": [ { "name": "aw", "dataSetWriterId": 41, "dataSetName": "out", "keyFrameCount": 5 } ] } ] },
    { "name": "mqtt-in", "address": { "url": "mqtt://127.0.0.1:$MQ/ugt/in" },
      "readerGroups": [ { "name": "in", "transportSettings": { "requestedDeliveryGuarantee": "AtLeastOnce" },
        "dataSetReaders": [ { "name": "setpoint-reader", "dataSetWriterId": 1,
          "dataSetMetaData": { "fields": [ { "name": "setpoint", "dataType": "Double" } ] } } ] } ] },
    { "name": "field-out", "publisherId": 50, "address": { "url": "opc.udp://127.0.0.1:$P_OUT" },
      "writerGroups": [ { "name": "down", "writerGroupId": 5, "publishingInterval": "1h",
        "dataSetWriters": [ { "name": "dw", "dataSetWriterId": 6, "dataSetName": "to-field" } ] } ] } ],
  "routes": [
    { "name": "up", "from": "dev-reader", "to": "out", "publishOnReceive": true,
      "fields": [ { "from": "counter", "to": "count" }, { "from": "wave" } ] },
    { "name": "down", "from": "setpoint-reader", "to": "to-field", "publishOnReceive": true } ] }
JSON
"$UAGATE" check "$TMP/device.json" "$TMP/gateway.json" >/dev/null || { fail "test configurations do not validate: $("$UAGATE" check "$TMP/gateway.json" 2>&1)"; exit 1; }

wait $RMQ_START || { cat "$TMP/rmq-start.out"; fail "RabbitMQ did not start"; exit 1; }

# 1. Independent subscribers first: a persistent QoS 1 session for the JSON
# topic (it must see what the broker queued for it across the restart), one
# for the UADP topic, the proton receiver for the AMQP queue.
mosquitto_sub -h 127.0.0.1 -p "$MQ" -V mqttv5 -q 1 -c -i "ugtest-sub-$$" -t ugt/json \
    -F '%t|%C|%r|%p' >"$TMP/json.out" 2>"$TMP/json.err" &
PIDS+=($!)
mosquitto_sub -h 127.0.0.1 -p "$MQ" -V mqttv5 -t ugt/uadp -F '%t|%C|%r|%x' >"$TMP/uadp.out" 2>"$TMP/uadp.err" &
PIDS+=($!)
cat >"$TMP/amqp_recv.py" <<'PYEOF'
import json, sys
from proton.handlers import MessagingHandler
from proton.reactor import Container, DurableSubscription
url, addr, out = sys.argv[1], sys.argv[2], sys.argv[3]
class R(MessagingHandler):
    def __init__(self):
        super().__init__()
        self.f = open(out, "w")
    def on_start(self, e):
        c = e.container.connect(url, allowed_mechs="ANONYMOUS")
        # The gateway's sender asks for a durable node; so must we.
        e.container.create_receiver(c, addr, options=DurableSubscription())
    def on_link_opened(self, e):
        if e.receiver:
            print("ready", flush=True)
    def on_message(self, e):
        m = e.message
        b = m.body
        b = bytes(b) if isinstance(b, (bytes, memoryview)) else str(b).encode()
        props = {str(k): (v if isinstance(v, (bool, int, float)) else str(v))
                 for k, v in (m.properties or {}).items()}
        self.f.write(json.dumps({"id": str(m.id), "subject": m.subject, "props": props,
                                 "contentType": m.content_type, "body": b.decode("utf-8", "replace")}) + "\n")
        self.f.flush()
Container(R()).run()
PYEOF
if $HAVE_PROTON; then
    "$PY" "$TMP/amqp_recv.py" "amqp://127.0.0.1:$RMQ_PORT" /queue/ugt-json "$TMP/amqp.out" >"$TMP/amqp.ready" 2>"$TMP/amqp.err" &
    PIDS+=($!)
    wait_for "$TMP/amqp.ready" ready 10 || fail "proton receiver not ready: $(cat "$TMP/amqp.err")"
else
    echo "note: python3-qpid-proton missing: AMQP checked with uagate sub"
    "$UAGATE" sub "amqp://127.0.0.1:$RMQ_PORT/queue/ugt-json" --json >"$TMP/amqp.sub" 2>"$TMP/amqp.err" &
    PIDS+=($!)
    sleep 1
fi
"$UAGATE" sub "opc.udp://127.0.0.1:$P_OUT" --json -n 3 >"$TMP/down.out" 2>"$TMP/down.err" &
SUB_DOWN=$!
PIDS+=($SUB_DOWN)
sleep 0.3

# 2. The gateway; it reports each broker connection.
"$UAGATE" run "$TMP/gateway.json" --status-json >"$TMP/gw.out" 2>"$TMP/gw.err" &
GW=$!
PIDS+=($GW)
for ((i = 0; i < 100; i++)); do
    [ "$(grep -c 'broker connected' "$TMP/gw.err")" -ge 4 ] && break
    sleep 0.1
done
[ "$(grep -c 'broker connected' "$TMP/gw.err")" -ge 4 ] || fail "gateway did not connect to the brokers: $(cat "$TMP/gw.err")"
sleep 0.3

# 3. Field traffic for 4 s; mosquitto restarted after 1.5 s, down ~0.7 s.
"$UAGATE" run "$TMP/device.json" --duration 4s >"$TMP/dev.out" 2>"$TMP/dev.err" &
DEV=$!
PIDS+=($DEV)
sleep 1.5
brk_mosq_stop "$TMP/mosq"
sleep 0.7
brk_mosq_start "$TMP/mosq" || fail "mosquitto did not restart"
STARTED_AT=$(date +%s%N)
for ((i = 0; i < 300; i++)); do
    [ "$(grep -c 'connection mqtt-json: broker connected' "$TMP/gw.err")" -ge 2 ] && break
    sleep 0.01
done
RECONNECT_MS=$((($(date +%s%N) - STARTED_AT) / 1000000))
echo "gateway reconnected ${RECONNECT_MS} ms after mosquitto was back (back-off capped at 1 s)"
[ "$RECONNECT_MS" -le 2500 ] || fail "reconnect took ${RECONNECT_MS} ms"

wait $DEV || fail "device exit $?: $(cat "$TMP/dev.err")"

# 4. Cloud to field: a JSON NetworkMessage published with mosquitto_pub, once
# the reader's connection is back (its session is clean: it subscribes anew).
for ((i = 0; i < 50; i++)); do
    [ "$(grep -c 'connection mqtt-in: broker connected' "$TMP/gw.err")" -ge 2 ] && break
    sleep 0.1
done
sleep 0.3
for v in 42.5 43.5 44.5; do
    mosquitto_pub -h 127.0.0.1 -p "$MQ" -q 1 -t ugt/in -m \
        "{\"MessageId\":\"m$v\",\"MessageType\":\"ua-data\",\"PublisherId\":\"cloud\",\"Messages\":[{\"DataSetWriterId\":1,\"Payload\":{\"setpoint\":$v}}]}" \
        || fail "mosquitto_pub failed"
    sleep 0.1
done
for ((i = 0; i < 50; i++)); do kill -0 $SUB_DOWN 2>/dev/null || break; sleep 0.1; done
# The QoS 1 queue drains; the subscribers get the rest.
sleep 2

# 5. Retained metadata: a subscriber that comes late gets it at once.
mosquitto_sub -h 127.0.0.1 -p "$MQ" -V mqttv5 -t 'ugt/json/$Metadata' -C 1 -W 3 -F '%r|%C|%p' >"$TMP/md_json.out" 2>&1 ||
    fail "no retained metadata on ugt/json/\$Metadata: $(cat "$TMP/md_json.out")"
mosquitto_sub -h 127.0.0.1 -p "$MQ" -V mqttv5 -t 'ugt/uadp/$Metadata' -C 1 -W 3 -F '%r|%C|%x' >"$TMP/md_uadp.out" 2>&1 ||
    fail "no retained metadata on ugt/uadp/\$Metadata: $(cat "$TMP/md_uadp.out")"
"$UAGATE" sub "mqtt://127.0.0.1:$MQ/ugt/uadp/%24Metadata" --json -d 1s >"$TMP/md_sub.out" 2>&1
grep -q '"metadata":{"dataSetWriterId":31,"name":"out".*"fields":\["count","wave","site"\]' "$TMP/md_sub.out" ||
    fail "uagate sub does not decode the UADP metadata: $(cat "$TMP/md_sub.out")"

# UADP payloads from mosquitto_sub, decoded by uagate decode one file each.
mkdir -p "$TMP/uadp"
"$PY" - "$TMP/uadp.out" "$TMP/uadp" <<'PYEOF' || fail "UADP over MQTT: properties"
import sys
n = 0
for line in open(sys.argv[1]):
    topic, ct, ret, hexp = line.rstrip("\n").split("|")
    assert topic == "ugt/uadp", topic
    assert ct == "application/opcua+uadp", f"content type {ct!r}"
    assert ret == "0", "data must never be retained"
    open(f"{sys.argv[2]}/{n:06d}.bin", "wb").write(bytes.fromhex(hexp))
    n += 1
print(f"UADP over MQTT: {n} messages")
PYEOF
if ls "$TMP/uadp/"*.bin >/dev/null 2>&1; then
    "$UAGATE" decode --dump-json "$TMP/uadp/"*.bin >"$TMP/uadp.json" 2>"$TMP/uadp.decode.err" ||
        fail "uagate decode of the UADP payloads: $(head -3 "$TMP/uadp.decode.err")"
fi

# 6. Every check on the collected output.
"$PY" - "$TMP" "$HAVE_PROTON" <<'PYEOF' || fail "broker delivery checks"
import json, sys, os
d, have_proton = sys.argv[1], sys.argv[2] == "true"
errors = []
def val(v):
    return v["Value"] if isinstance(v, dict) and "Value" in v else v
def in_order(name, counts, allow_dups, minimum):
    if len(counts) < minimum:
        errors.append(f"{name}: only {len(counts)} values (expected about 400)")
        return
    seen = []
    got = set()
    for c in counts:
        # QoS 1 is at-least-once: after a reconnect the client re-sends what
        # was in flight, so a value may come again later. Order is judged on
        # first deliveries; loss shows as a gap in them.
        if allow_dups and c in got:
            continue
        got.add(c)
        seen.append(c)
    bad = [(a, b) for a, b in zip(seen, seen[1:]) if b != a + 1]
    if bad:
        errors.append(f"{name}: {len(seen)} values, lost or out of order at {bad[:5]}")
    if seen[0] > 3:
        errors.append(f"{name}: first value {seen[0]}: the start was lost")
    print(f"{name}: {len(counts)} messages, {len(seen)} distinct values {seen[0]}..{seen[-1]}, in order")

# (a) JSON over MQTT, QoS 1 across the restart.
counts = []
for line in open(f"{d}/json.out"):
    topic, ct, ret, payload = line.rstrip("\n").split("|", 3)
    if topic != "ugt/json": errors.append(f"json: topic {topic}"); break
    if ct != "application/json": errors.append(f"json: content type {ct!r}"); break
    if ret != "0": errors.append("json: data sent retained"); break
    m = json.loads(payload)
    assert m["MessageType"] == "ua-data" and m["PublisherId"] == "gw", m
    for dsm in m["Messages"]:
        counts.append(val(dsm["Payload"]["count"]))
in_order("JSON/MQTT QoS 1 across a broker restart", counts, True, 300)

# (b) UADP over MQTT, QoS 0: values in order (a restart may lose some at QoS 0).
ucounts = []
if os.path.exists(f"{d}/uadp.json"):
    for line in open(f"{d}/uadp.json"):
        nm = json.loads(line)["network_message"]
        if nm["publisher_id"]["value"] != 30 or nm["group_header"]["writer_group_id"] != 30:
            errors.append(f"UADP/MQTT: header {nm}"); break
        for dsm in nm["dataset_messages"]:
            ucounts.append(dsm["fields"][0]["variant"]["value"])
if len(ucounts) < 100:
    errors.append(f"UADP/MQTT: {len(ucounts)} values decoded")
elif any(b <= a for a, b in zip(ucounts, ucounts[1:])):
    errors.append("UADP/MQTT: values out of order")
else:
    print(f"UADP/MQTT QoS 0: {len(ucounts)} values in order {ucounts[0]}..{ucounts[-1]}")

# (c) JSON over AMQP: subject, content-type, every value in order.
acounts, md, akeys, adeltas = [], 0, 0, 0
if have_proton:
    for line in open(f"{d}/amqp.out"):
        r = json.loads(line)
        if r["contentType"] != "application/json":
            errors.append(f"amqp: content-type {r['contentType']!r}"); break
        body = json.loads(r["body"])
        if r["subject"] == "ua-metadata":
            assert body["MessageType"] == "ua-metadata", body
            md += 1
            continue
        if r["subject"] != "ua-data":
            errors.append(f"amqp: subject {r['subject']!r}"); break
        # Promoted fields (Part 14 7.3.4.7) on every message, the constant
        # "site" also when a delta frame leaves it out of the body.
        p = r.get("props", {})
        for dsm in body["Messages"]:
            pl = dsm["Payload"]
            acounts.append(val(pl["count"]))
            if "site" in pl:
                akeys += 1
            else:
                adeltas += 1
            if p.get("count") != val(pl["count"]) or p.get("site") != 42.0:
                errors.append(f"amqp: promoted fields {p} for payload {pl}"); break
    if md < 1:
        errors.append("amqp: no ua-metadata message")
    if adeltas < 1 or akeys < 1:
        errors.append(f"amqp: {akeys} key frames, {adeltas} delta frames without site: keyFrameCount 5 not in effect")
    else:
        print(f"JSON/AMQP promoted fields: right on {akeys} key and {adeltas} delta frames")
else:
    for line in open(f"{d}/amqp.sub"):
        m = json.loads(line)
        for dsm in m.get("messages", []):
            acounts.append(dsm["fields"]["count"])
in_order("JSON/AMQP", acounts, True, 300)

# Retained metadata.
r, ct, payload = open(f"{d}/md_json.out").read().rstrip("\n").split("|", 2)
if r != "1": errors.append("ugt/json/$Metadata not retained")
if ct != "application/json": errors.append(f"metadata content type {ct!r}")
m = json.loads(payload)
if m.get("MessageType") != "ua-metadata" or [f["Name"] for f in m["MetaData"]["Fields"]] != ["count", "wave", "site"]:
    errors.append(f"metadata body {m}")
r, ct, _ = open(f"{d}/md_uadp.out").read().rstrip("\n").split("|", 2)
if r != "1" or ct != "application/opcua+uadp":
    errors.append(f"ugt/uadp/$Metadata: retained {r}, content type {ct!r}")

# Cloud to field.
down = [json.loads(l) for l in open(f"{d}/down.out")]
vals = [m["messages"][0]["fields"]["0"] for m in down]
if vals != [42.5, 43.5, 44.5] or any(m["publisherId"] != 50 or m["encoding"] != "UADP" for m in down):
    errors.append(f"cloud to field: {down}")
else:
    print("cloud to field: 3 JSON set-points from MQTT came out as UADP on UDP")

for e in errors: print("FAIL:", e)
sys.exit(1 if errors else 0)
PYEOF

# Reconnect: the JSON connection logged a second "broker connected" within
# 1 s of the broker coming back.
grep -q "connection mqtt-json: broker: BadConnectionClosed" "$TMP/gw.err" ||
    fail "the broker restart was not reported: $(grep mqtt-json "$TMP/gw.err")"
[ "$(grep -c 'connection mqtt-json: broker connected' "$TMP/gw.err")" -ge 2 ] ||
    fail "no reconnect after the broker restart: $(grep mqtt-json "$TMP/gw.err")"

kill -TERM $GW
wait $GW
rc=$?
[ $rc -eq 0 ] || fail "gateway exit $rc after SIGTERM"

# 7. Failures: wrong password, unreachable MQTT broker, unreachable AMQP
# broker. Each: a clear line naming the cause, retries, still running.
failure_case() { # name url settings expect
    cat >"$TMP/f.json" <<JSON
{ "name": "f", "server": { "enabled": false }, "publishedDataSets": [ { "name": "p", "fields": [
    { "name": "x", "dataType": "UInt32", "source": { "simulator": "counter" } } ] } ],
  "connections": [ { "name": "$1", "publisherId": 1, "address": { "url": "$2" }, $3
    "writerGroups": [ { "name": "g", "writerGroupId": 1, "publishingInterval": "50ms",
      "dataSetWriters": [ { "name": "w", "dataSetWriterId": 1, "dataSetName": "p" } ] } ] } ] }
JSON
    "$UAGATE" run "$TMP/f.json" >"$TMP/f.out" 2>"$TMP/f.err" &
    local pid=$!
    PIDS+=($pid)
    sleep 2.5
    kill -0 $pid 2>/dev/null || fail "$1: gateway died: $(cat "$TMP/f.err")"
    kill -TERM $pid 2>/dev/null
    wait $pid
    local rc=$?
    [ $rc -eq 0 ] || fail "$1: exit $rc"
    local n
    n=$(grep -c "connection $1: broker: $4.*retrying" "$TMP/f.err")
    [ "$n" -ge 2 ] || fail "$1: expected repeated '$4 ... retrying' lines, got: $(cat "$TMP/f.err")"
    grep -q "s3cret-pw" "$TMP/f.err" && fail "$1: the password was logged"
    echo "$1: $(grep -m1 "connection $1" "$TMP/f.err")"
}
failure_case mqtt-wrong-password "mqtt://127.0.0.1:$MQ_PW/ugt/x" \
    '"transportSettings": { "username": "uagate", "password": "s3cret-pw" },' BadUserAccessDenied
failure_case mqtt-unreachable "mqtt://127.0.0.1:$DEAD/ugt/x" '' BadCommunicationError
failure_case amqp-unreachable "amqp://127.0.0.1:$DEAD/queue/x" '' 'Bad[A-Za-z]*'

if [ $failures -ne 0 ]; then
    echo "--- gateway log"; cat "$TMP/gw.err"
    echo "$failures failure(s)"
    exit 1
fi
echo "OK: gateway to mosquitto and RabbitMQ (JSON, UADP, metadata, restart, failures, cloud to field)"
