#!/bin/bash
# Interop, uagate's client against a third-party server: `uagate browse`,
# `read`, `write`, `call` and a subscription (tests/clientserver/interop_sub.c
# on client.h; the CLI has no subscribe command) against node-opcua's
# tests/interop/server.js on loopback.
#
# Checks: browse of Objects (Server, Demo) and of Demo (its variables and the
# Add method, with node classes); read of every demo type; the Int32 counter
# advancing between two reads; write of Double, String and Boolean, each read
# back, with and without --type; a write to the read-only counter refused
# with BadNotWritable, a read of an unknown node with BadNodeIdUnknown; call
# Add(2.5, 4) = 6.5; the same read as a user (UserName token, clear text on
# SecurityPolicy None), and a wrong password refused (BadUserAccessDenied);
# a subscription on the counter delivering >= 3 changing values, and its
# session closed within 3 s.
#
# Skips (77) without node/npm or when node-opcua cannot be installed, unless
# UG_INTEROP_REQUIRED=1 (CI), which turns those skips into failures.
# Run from the source root: bash tests/scripts/test_interop_client.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"
BUILD=${1:?usage: test_interop_client.sh BUILD_DIR}
UAGATE=$BUILD/uagate
INTEROP=$(cd "$(dirname "$0")/../interop" && pwd)
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

skip() {
    if [ "${UG_INTEROP_REQUIRED:-0}" = 1 ]; then echo "FAIL (UG_INTEROP_REQUIRED): $*"; exit 1; fi
    echo "SKIP: $*"
    exit 77
}
[ -x "$UAGATE" ] || skip "$UAGATE not built"
"$UAGATE" help read >/dev/null 2>&1 || skip "uagate was built without the OPC UA client commands"
command -v node >/dev/null 2>&1 || skip "node is not installed (apt-get install nodejs npm)"
command -v npm >/dev/null 2>&1 || skip "npm is not installed (apt-get install npm)"
bash "$INTEROP/setup.sh"
case $? in
0) ;;
2) skip "node or npm missing" ;;
*) skip "npm ci of node-opcua failed (no access to the npm registry?)" ;;
esac
SUB=
for f in "$BUILD/tests/interop_sub" "$BUILD/interop_sub" "$BUILD/tests/clientserver/interop_sub"; do
    [ -x "$f" ] && SUB=$f && break
done

ug_begin
PORT=$(free_port) # a UDP port just released: free for TCP too in practice
node "$INTEROP/server.js" "$PORT" --user tester --password s3cret --pki "$TMP/pki" \
    >"$TMP/server.out" 2>"$TMP/server.err" &
PIDS+=($!)
wait_for "$TMP/server.out" "^ready $PORT" 60 || { echo "FAIL: server.js did not start: $(tail -5 "$TMP/server.err")"; exit 1; }
URL=opc.tcp://127.0.0.1:$PORT

# ua OUTFILE ARGS...: runs `uagate ARGS` with a 30 s limit, stdout+stderr to OUTFILE.
ua() {
    local out=$1
    shift
    timeout 30 "$UAGATE" "$@" >"$out" 2>&1
}
# expect_out FILE REGEX WHAT
expect_out() { grep -Eq -- "$2" "$1" || fail "$3: got: $(head -c 600 "$1")"; }

# 1. Browse.
ua "$TMP/b0" browse "$URL" || fail "browse Objects: $(cat "$TMP/b0")"
expect_out "$TMP/b0" '^i=2253 +Object +Server ' "browse Objects lists Server"
expect_out "$TMP/b0" '^ns=1;s=Demo +Object +1:Demo ' "browse Objects lists Demo"
ua "$TMP/b1" browse "$URL" "ns=1;s=Demo" || fail "browse Demo: $(cat "$TMP/b1")"
for v in Counter Double String Boolean; do
    expect_out "$TMP/b1" "^ns=1;s=$v +Variable +1:$v " "browse Demo lists $v"
done
expect_out "$TMP/b1" '^ns=1;s=Demo/Add +Method +1:Add ' "browse Demo lists Add"

# 2. Read every type; the counter moves.
ua "$TMP/r1" read "$URL" "ns=1;s=Double" || fail "read Double: $(cat "$TMP/r1")"
expect_out "$TMP/r1" '^Double 3\.25$' "read Double"
ua "$TMP/r2" read "$URL" "ns=1;s=String" || fail "read String: $(cat "$TMP/r2")"
expect_out "$TMP/r2" '^String "?hello"?$' "read String"
ua "$TMP/r3" read "$URL" "ns=1;s=Boolean" || fail "read Boolean: $(cat "$TMP/r3")"
expect_out "$TMP/r3" '^Boolean true$' "read Boolean"
ua "$TMP/r4" read "$URL" "ns=1;s=Counter" || fail "read Counter: $(cat "$TMP/r4")"
expect_out "$TMP/r4" '^Int32 [0-9]+$' "read Counter"
sleep 0.5
ua "$TMP/r5" read "$URL" "ns=1;s=Counter" || fail "read Counter again: $(cat "$TMP/r5")"
c1=$(sed -n 's/^Int32 \([0-9]*\)$/\1/p' "$TMP/r4")
c2=$(sed -n 's/^Int32 \([0-9]*\)$/\1/p' "$TMP/r5")
[ -n "$c1" ] && [ -n "$c2" ] && [ "$c2" -gt "$c1" ] || fail "the counter did not advance: $c1 -> $c2"
ua "$TMP/r6" read "$URL" "ns=1;s=Counter" DataType || fail "read DataType: $(cat "$TMP/r6")"
expect_out "$TMP/r6" '^NodeId i=6$' "DataType of Counter is Int32 (i=6)"
ua "$TMP/r7" read "$URL" "ns=1;s=Demo" BrowseName || fail "read BrowseName: $(cat "$TMP/r7")"
expect_out "$TMP/r7" '^QualifiedName 1:"?Demo"?$' "BrowseName of Demo"

# 3. Write and read back.
ua "$TMP/w1" write "$URL" "ns=1;s=Double" 6.5 || fail "write Double: $(cat "$TMP/w1")"
ua "$TMP/w1r" read "$URL" "ns=1;s=Double"
expect_out "$TMP/w1r" '^Double 6\.5$' "Double after write"
ua "$TMP/w2" write "$URL" "ns=1;s=String" "grüße aus uagate" || fail "write String: $(cat "$TMP/w2")"
ua "$TMP/w2r" read "$URL" "ns=1;s=String"
expect_out "$TMP/w2r" 'grüße aus uagate' "String after write"
ua "$TMP/w3" write "$URL" "ns=1;s=Boolean" false --type Boolean || fail "write Boolean: $(cat "$TMP/w3")"
ua "$TMP/w3r" read "$URL" "ns=1;s=Boolean"
expect_out "$TMP/w3r" '^Boolean false$' "Boolean after write"

# 4. Bad input: the server's status codes reach the CLI.
if ua "$TMP/e1" write "$URL" "ns=1;s=Counter" 5; then
    fail "a write to the read-only counter succeeded"
else
    expect_out "$TMP/e1" 'BadNotWritable|BadUserAccessDenied' "write to the counter"
fi
if ua "$TMP/e2" read "$URL" "ns=1;s=NoSuchNode"; then
    fail "a read of an unknown node succeeded"
else
    expect_out "$TMP/e2" 'BadNodeIdUnknown' "read of an unknown node"
fi

# 5. Call.
ua "$TMP/c1" call "$URL" "ns=1;s=Demo" "ns=1;s=Demo/Add" Double:2.5 Double:4 || fail "call Add: $(cat "$TMP/c1")"
expect_out "$TMP/c1" '^(0: )?Double 6\.5$' "Add(2.5, 4)"
if ua "$TMP/c2" call "$URL" "ns=1;s=Demo" "ns=1;s=Demo/Add" Double:2.5; then
    fail "Add with one argument succeeded"
else
    expect_out "$TMP/c2" 'BadArgumentsMissing|BadInvalidArgument' "Add with one argument"
fi

# 6. As a user; a wrong password is refused.
ua "$TMP/u1" read --user tester --password s3cret "$URL" "ns=1;s=Double" || fail "read as tester: $(cat "$TMP/u1")"
expect_out "$TMP/u1" '^Double 6\.5$' "read as tester"
if ua "$TMP/u2" read --user tester --password wrong "$URL" "ns=1;s=Double"; then
    fail "a wrong password was accepted"
else
    expect_out "$TMP/u2" 'BadUserAccessDenied|BadIdentityTokenRejected' "wrong password"
fi

# 7. Subscription.
if [ -n "$SUB" ]; then
    timeout 60 "$SUB" "$URL" "ns=1;s=Counter" --changes 3 --timeout 10 >"$TMP/sub.out" 2>&1 \
        || fail "subscription: $(tail -5 "$TMP/sub.out")"
    expect_out "$TMP/sub.out" '^change 3: Int32 [0-9]+$' "subscription data changes"
    expect_out "$TMP/sub.out" '^OK [0-9]+ changes' "subscription summary"
    timeout 60 "$SUB" "$URL" "ns=1;s=Counter" --user tester --password s3cret --changes 3 >"$TMP/sub2.out" 2>&1 \
        || fail "subscription as tester: $(tail -5 "$TMP/sub2.out")"
else
    echo "note: no interop_sub program in $BUILD; the counter is followed by reads instead of a subscription"
    prev=-1
    for i in 1 2 3; do
        ua "$TMP/p$i" read "$URL" "ns=1;s=Counter"
        v=$(sed -n 's/^Int32 \([0-9]*\)$/\1/p' "$TMP/p$i")
        [ -n "$v" ] && [ "$v" -gt "$prev" ] || fail "polled counter did not advance: $prev -> $v"
        prev=${v:-$prev}
        sleep 0.3
    done
fi

if [ $failures -ne 0 ]; then
    echo "--- server.js log"; tail -20 "$TMP/server.err"
    echo "$failures failure(s)"
    exit 1
fi
echo "OK: uagate's client against node-opcua $(node -p 'require(process.argv[1] + "/node_modules/node-opcua/package.json").version' "$INTEROP")"
