#!/bin/bash
# The OPC UA client commands `uagate browse|read|write|call` (gateway/
# cmd_client.c) against the server of `uagate run` on 127.0.0.1:
#   - usage errors exit 2 with a message (missing arguments, bad URL, bad
#     NodeId, unknown attribute, bad --timeout, --password without --user,
#     unknown option, unsupported --type, a value that does not parse)
#   - a refused connection and a server that never answers exit 1 naming the
#     status (the latter within the --timeout)
#   - browse (default Objects, and a given node), read (Value, an attribute by
#     name and by number, an array), write (type from the current value, a
#     String that looks like an array), call with typed arguments
#   - service errors exit 1 naming the status: unknown node, type mismatch,
#     a user name the server does not offer or accept
# Run from the source root: bash tests/scripts/test_client_cli.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"
BUILD=${1:?usage: test_client_cli.sh BUILD_DIR}
UAGATE=$BUILD/uagate
PY=/usr/bin/python3
[ -x "$UAGATE" ] || { echo "SKIP: $UAGATE not built"; exit 77; }
[ -x "$PY" ] || { echo "SKIP: $PY missing"; exit 77; }
"$UAGATE" read --help >/dev/null 2>&1 || { echo "SKIP: uagate has no client commands"; exit 77; }

ug_begin

# ua NAME CMD ARGS...: runs a client command; output in $TMP/NAME.out/.err, exit code in rc.
ua() {
    local name=$1
    shift
    timeout 30 "$UAGATE" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
    rc=$?
}
expect_rc() { # WANT NAME CMD ARGS...
    local want=$1
    shift
    ua "$@"
    [ "$rc" = "$want" ] || fail "$1: exit $rc, want $want: $(cat "$TMP/$1.out" "$TMP/$1.err")"
}
has() { grep -qF -- "$2" "$TMP/$1.out" || fail "$1: no '$2' in stdout: $(cat "$TMP/$1.out" "$TMP/$1.err")"; }
has_err() { grep -qE -- "$2" "$TMP/$1.err" || fail "$1: no /$2/ in stderr: $(cat "$TMP/$1.err")"; }

# --- usage, no server needed ---
expect_rc 0 help read --help
has help "usage: uagate read"
expect_rc 2 noargs read
expect_rc 2 nonode read opc.tcp://127.0.0.1:4840
expect_rc 2 scheme read http://127.0.0.1:4840 i=85
has_err scheme "not an opc.tcp:// URL"
expect_rc 2 badid read opc.tcp://127.0.0.1:4840 "ns=x;i=1"
has_err badid "bad NodeId"
expect_rc 2 badattr read opc.tcp://127.0.0.1:4840 i=85 NoSuchAttribute
has_err badattr "unknown attribute"
expect_rc 2 badattr0 read opc.tcp://127.0.0.1:4840 i=85 0
expect_rc 2 badtimeout read opc.tcp://127.0.0.1:4840 i=85 --timeout abc
has_err badtimeout "--timeout"
expect_rc 2 pwnouser browse opc.tcp://127.0.0.1:4840 --password x
expect_rc 2 unkopt browse opc.tcp://127.0.0.1:4840 --frobnicate
expect_rc 2 badtype write opc.tcp://127.0.0.1:4840 i=85 1 --type Bogus
expect_rc 2 extra browse opc.tcp://127.0.0.1:4840 i=85 i=86
expect_rc 2 callargs call opc.tcp://127.0.0.1:4840 i=85

# --- nobody listening: exit 1, a Bad status named ---
DEAD=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
expect_rc 1 refused read "opc.tcp://127.0.0.1:$DEAD" i=85 --timeout 2
has_err refused "cannot connect to opc.tcp://127.0.0.1:$DEAD: Bad[A-Za-z]+ \(0x8"

# --- a server that accepts but never says a word: BadTimeout within --timeout ---
"$PY" -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(4)
print(s.getsockname()[1], flush=True)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)
' >"$TMP/mute.port" &
PIDS+=($!)
wait_for "$TMP/mute.port" "^[0-9]" 5 || fail "mute server did not start"
MUTE=$(head -1 "$TMP/mute.port")
start=$(date +%s)
expect_rc 1 mute read "opc.tcp://127.0.0.1:$MUTE" i=85 --timeout 1
has_err mute "BadTimeout"
[ $(($(date +%s) - start)) -le 5 ] || fail "mute server: took $(($(date +%s) - start)) s with --timeout 1"

# --- the gateway's server ---
cat >"$TMP/gw.json" <<'JSON'
{ "name": "clitest", "server": { "url": "opc.tcp://127.0.0.1:0" },
  "variables": [ { "name": "setpoint", "dataType": "Double", "value": 21.5 },
                 { "name": "label", "dataType": "String", "value": "abc" } ] }
JSON
"$UAGATE" run "$TMP/gw.json" >"$TMP/gw.out" 2>"$TMP/gw.err" &
PIDS+=($!)
if ! wait_for "$TMP/gw.err" "^opc.tcp listening on " 5; then
    echo "SKIP: uagate run does not serve OPC UA: $(cat "$TMP/gw.err")"
    exit 77
fi
URL=$(sed -n 's/^opc.tcp listening on //p' "$TMP/gw.err")
G="ns=1;s=Gateway"
V="$G/Variables"

expect_rc 0 objects browse "$URL"
grep -qE '^i=2253 +Object +Server +"Server"$' "$TMP/objects.out" || fail "browse Objects: $(cat "$TMP/objects.out")"
expect_rc 0 vars browse "$URL" "$V"
grep -qE "^$V/setpoint +Variable +1:setpoint" "$TMP/vars.out" || fail "browse Variables: $(cat "$TMP/vars.out")"
expect_rc 1 browse_unknown browse "$URL" "ns=1;s=NoSuchNode"
has_err browse_unknown "BadNodeIdUnknown"

expect_rc 0 r1 read "$URL" "$V/setpoint"
has r1 "Double 21.5"
expect_rc 0 rdn read "$URL" "$V/setpoint" DisplayName
has rdn '"setpoint"'
expect_rc 0 rnc read "$URL" "$V/setpoint" 2
has rnc "Int32 2 (Variable)"
expect_rc 0 rns read "$URL" i=2255
has rns '"http://opcfoundation.org/UA/"'
expect_rc 1 runknown read "$URL" "ns=1;s=NoSuchNode"
has_err runknown "Read: BadNodeIdUnknown \(0x80340000\)"

expect_rc 0 w1 write "$URL" "$V/setpoint" 3.5
has w1 "written: Double 3.5"
expect_rc 0 r2 read "$URL" "$V/setpoint"
has r2 "Double 3.5"
expect_rc 2 wparse write "$URL" "$V/setpoint" abc
has_err wparse "not a Double value"
expect_rc 1 wtype write "$URL" "$V/setpoint" 5 --type Int32
has_err wtype "BadTypeMismatch"
expect_rc 0 wstr write "$URL" "$V/label" "[not an array]"
expect_rc 0 rstr read "$URL" "$V/label"
has rstr 'String "[not an array]"'

expect_rc 0 echo call "$URL" "$G" "$G/Echo" "String:hello"
has echo "hello"
expect_rc 1 callbad call "$URL" "$G" "ns=1;s=NoSuchMethod"
has_err callbad "Call: Bad"

# The gateway has no users configured: a user name cannot log in.
expect_rc 1 user read "$URL" i=2255 --user someone --password pw
has_err user "Bad(IdentityTokenRejected|UserAccessDenied|IdentityTokenInvalid)"

[ "$failures" = 0 ] || exit 1
echo "PASS"
