#!/bin/bash
# Interop, a third-party client against uagate's server: node-opcua
# (tests/interop/client.js, the version pinned in tests/interop/package.json)
# drives `uagate run tests/interop/gateway.json` on loopback. A simulated
# device in the gateway publishes UADP over UDP unicast and the gateway's
# reader receives it, so the reader's field variables change live.
#
# Checks, anonymously and as the configured user: GetEndpoints, OpenSecureChannel,
# CreateSession/ActivateSession; ServerStatus and NamespaceArray; Browse of the
# Gateway tree with at most 2 references per answer (BrowseNext); Translate;
# Read of a Gateway variable's attributes, Write and read back, the written
# value arriving at the reader's field through PubSub; Call of Gateway/Echo;
# Bad status codes for an unknown node, a read-only field, wrong arguments;
# a subscription on a live reader field with Disable/Enable of the writer
# group in between (State 0 then 2, data changes after Enable). Then a wrong
# password is refused with BadUserAccessDenied, anonymous is refused when the
# configuration disallows it, and SIGTERM stops the gateway cleanly.
#
# Skips (77) without node/npm or when node-opcua cannot be installed, unless
# UG_INTEROP_REQUIRED=1 (CI), which turns those skips into failures.
# Run from the source root: bash tests/scripts/test_interop_server.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"
BUILD=${1:?usage: test_interop_server.sh BUILD_DIR}
UAGATE=$BUILD/uagate
INTEROP=$(cd "$(dirname "$0")/../interop" && pwd)
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

skip() {
    if [ "${UG_INTEROP_REQUIRED:-0}" = 1 ]; then echo "FAIL (UG_INTEROP_REQUIRED): $*"; exit 1; fi
    echo "SKIP: $*"
    exit 77
}
[ -x "$UAGATE" ] || skip "$UAGATE not built"
"$UAGATE" help hash-password >/dev/null 2>&1 || skip "uagate was built without the OPC UA server"
command -v node >/dev/null 2>&1 || skip "node is not installed (apt-get install nodejs npm)"
command -v npm >/dev/null 2>&1 || skip "npm is not installed (apt-get install npm)"
bash "$INTEROP/setup.sh"
case $? in
0) ;;
2) skip "node or npm missing" ;;
*) skip "npm ci of node-opcua failed (no access to the npm registry?)" ;;
esac

ug_begin
export TMPDIR=$TMP # node-opcua's PKI folders (client.js --pki) stay in TMP
P_UDP=$(free_port)

# The test's copy of gateway.json: a free UDP port, an ephemeral server port.
# $1: allowAnonymous.
make_cfg() {
    node -e '
const fs = require("fs");
const [src, udp, anon] = process.argv.slice(1);
const c = JSON.parse(fs.readFileSync(src, "utf8"));
c.server.url = "opc.tcp://127.0.0.1:0";
c.server.allowAnonymous = anon === "true";
for (const conn of c.connections) conn.address.url = "opc.udp://127.0.0.1:" + udp;
process.stdout.write(JSON.stringify(c, null, 2));
' "$INTEROP/gateway.json" "$P_UDP" "$1"
}
make_cfg true >"$TMP/gateway.json"
make_cfg false >"$TMP/gateway-noanon.json"
"$UAGATE" check "$INTEROP/gateway.json" >"$TMP/check.out" 2>&1 || fail "tests/interop/gateway.json does not validate: $(cat "$TMP/check.out")"

# start_gateway CFG NAME: starts `uagate run CFG`, sets GW (pid) and URL.
start_gateway() {
    "$UAGATE" run "$1" >"$TMP/$2.out" 2>"$TMP/$2.err" &
    GW=$!
    PIDS+=($GW)
    URL=
    if ! wait_for "$TMP/$2.err" "opc.tcp listening on opc.tcp://" 15; then
        fail "$2: no 'opc.tcp listening on' line in 15 s: $(tail -5 "$TMP/$2.err")"
        return 1
    fi
    URL=$(sed -n 's/.*opc\.tcp listening on \(opc\.tcp:\/\/[^ ]*\).*/\1/p' "$TMP/$2.err" | head -1)
    case $URL in
    opc.tcp://127.0.0.1:[1-9]*) ;;
    *) fail "$2: listening URL '$URL' is not opc.tcp://127.0.0.1:PORT"; return 1 ;;
    esac
}

# stop_gateway NAME: SIGTERM, exit 0 within 5 s, no error lines.
stop_gateway() {
    kill -TERM "$GW" 2>/dev/null
    local i
    for ((i = 0; i < 50; i++)); do kill -0 "$GW" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$GW" 2>/dev/null; then
        fail "$1: still running 5 s after SIGTERM"
        kill -KILL "$GW" 2>/dev/null
    else
        wait "$GW"
        local rc=$?
        [ $rc -eq 0 ] || fail "$1: exit $rc after SIGTERM: $(tail -5 "$TMP/$1.err")"
    fi
    grep -q "uagate: error" "$TMP/$1.err" && fail "$1 logged errors: $(grep 'uagate: error' "$TMP/$1.err" | head -5)"
}

GWN="ns=1;s=Gateway"
CLIENT_ARGS=(--variable setpoint --value 42.25
    --follow "$GWN/field/field-in/device-reader/setpoint"
    --live "$GWN/field/field-in/device-reader/counter"
    --group "$GWN/device/device-out"
    --changes 3 --timeout 10)

# check_report FILE IDENTITY: the report says every step passed and shows
# what the gateway contract promises.
check_report() {
    node - "$1" "$2" <<'JSEOF'
const fs = require("fs");
const [file, identity] = process.argv.slice(2);
const r = JSON.parse(fs.readFileSync(file, "utf8"));
const fails = [];
const want = (cond, msg) => { if (!cond) fails.push(msg); };
const step = (n) => r.steps.find((s) => s.name === n) || {};
want(r.ok === true, "report not ok: " + JSON.stringify(r.failed));
want(r.identity === identity, `identity ${r.identity}, want ${identity}`);
for (const n of ["connect", "server-status", "browse", "translate", "read", "write", "call-echo",
                 "bad-input", "subscription", "close"])
    want(step(n).ok === true, "step " + n + " missing or failed");
const st = step("server-status");
want(Array.isArray(st.namespaceArray) && st.namespaceArray[1] === "urn:uagate:interop",
     "namespace 1 is " + JSON.stringify(st.namespaceArray) + ", want urn:uagate:interop");
const b = step("browse");
want(b.gateway === "ns=1;s=Gateway", "Gateway node id " + b.gateway);
for (const c of ["Variables", "Echo", "device", "field"])
    want((b.gatewayChildren || []).includes(c), `Gateway has no child ${c}: ${JSON.stringify(b.gatewayChildren)}`);
want(b.browseNextCalls > 0, "no BrowseNext needed with 2 references per node");
const base = "ns=1;s=Gateway/field/field-in/device-reader/";
for (const f of ["counter", "temperature", "setpoint", "mode"])
    want((r.fields || []).includes(base + f), "no field variable " + base + f);
for (const f of ["counter", "temperature", "setpoint", "mode"])
    want((r.fields || []).includes("ns=1;s=Gateway/device/device-out/device-writer/" + f),
         "no writer field variable " + f);
const rd = step("read");
want(rd.dataType === "Double", "setpoint DataType " + rd.dataType);
const w = step("write");
want(w.written === 42.25 && w.readBack === 42.25, "write/read back " + JSON.stringify(w));
want(w.followed && w.followed.value === 42.25, "the reader's setpoint did not follow: " + JSON.stringify(w.followed));
const bad = step("bad-input");
want(bad.unknownNode === "BadNodeIdUnknown", "unknown node: " + bad.unknownNode);
want(/^Bad(NotWritable|UserAccessDenied)$/.test(bad.writeReadOnly || ""), "write to a field: " + bad.writeReadOnly);
const s = step("subscription");
want(s.states && s.states.before === 2 && s.states.afterDisable === 0 && s.states.afterEnable === 2,
     "group states " + JSON.stringify(s.states));
want(s.changesAfterEnable >= 3, "data changes after Enable: " + s.changesAfterEnable);
if (fails.length) { console.log(fails.join("\n")); process.exit(1); }
console.log(`${identity}: ${r.steps.length} steps, ${r.nodes} nodes, ${b.browseNextCalls} BrowseNext, ` +
            `${s.changes} data changes`);
JSEOF
}

# 1. Anonymous and as the user, against one gateway.
if start_gateway "$TMP/gateway.json" gw; then
    node "$INTEROP/client.js" "$URL" "${CLIENT_ARGS[@]}" >"$TMP/anon.json" 2>"$TMP/anon.err" \
        || fail "anonymous client: $(grep -v '^ ' "$TMP/anon.err" | tail -5)"
    out=$(check_report "$TMP/anon.json" anonymous) || fail "anonymous report: $out"
    [ -n "$out" ] && echo "$out"
    node "$INTEROP/client.js" "$URL" --user operator --password interop-secret "${CLIENT_ARGS[@]}" \
        >"$TMP/user.json" 2>"$TMP/user.err" || fail "user client: $(grep -v '^ ' "$TMP/user.err" | tail -5)"
    out=$(check_report "$TMP/user.json" "user operator") || fail "user report: $out"
    [ -n "$out" ] && echo "$out"
    # 2. A wrong password: ActivateSession answers BadUserAccessDenied.
    if node "$INTEROP/client.js" "$URL" --user operator --password wrong >"$TMP/wrong.json" 2>"$TMP/wrong.err"; then
        fail "a wrong password was accepted"
    else
        grep -q "FAIL: connect: .*BadUserAccessDenied" "$TMP/wrong.err" \
            || fail "wrong password: $(grep 'FAIL' "$TMP/wrong.err")"
    fi
    stop_gateway gw
fi

# 3. allowAnonymous false: anonymous is refused, the user still gets in.
if start_gateway "$TMP/gateway-noanon.json" gw2; then
    if node "$INTEROP/client.js" "$URL" >"$TMP/noanon.json" 2>"$TMP/noanon.err"; then
        fail "anonymous accepted with allowAnonymous false"
    else
        grep -q "FAIL: connect: " "$TMP/noanon.err" || fail "anonymous refused oddly: $(tail -3 "$TMP/noanon.err")"
    fi
    node "$INTEROP/client.js" "$URL" --user operator --password interop-secret "${CLIENT_ARGS[@]}" \
        >"$TMP/user2.json" 2>"$TMP/user2.err" || fail "user client (no anonymous): $(grep -v '^ ' "$TMP/user2.err" | tail -5)"
    stop_gateway gw2
fi

if [ $failures -ne 0 ]; then
    echo "--- gateway log"; tail -20 "$TMP/gw.err"
    echo "$failures failure(s)"
    exit 1
fi
echo "OK: node-opcua $(node -p 'require(process.argv[1] + "/node_modules/node-opcua/package.json").version' "$INTEROP") client against uagate's server"
