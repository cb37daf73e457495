#!/bin/bash
# `uagate check`: the bundled configurations are valid; each bad configuration
# in tests/gateway/configs gives exactly the messages in its .expect file
# (FILE: $.json.path: what is wrong), exit 1; usage errors exit 2.
# Run from the source root: bash tests/scripts/test_gateway_check.sh BUILD_DIR
set -u
BUILD=${1:?usage: test_gateway_check.sh BUILD_DIR}
UAGATE=$BUILD/uagate
[ -x "$UAGATE" ] || { echo "SKIP: $UAGATE not built"; exit 77; }
"$UAGATE" check --help >/dev/null 2>&1 || { echo "SKIP: uagate has no check command"; exit 77; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
CFG=tests/gateway/configs

# Good files.
for f in config/default.json config/examples/*.json $CFG/good_*.json; do
    [ -e "$f" ] || continue
    "$UAGATE" check "$f" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    [ $rc -eq 0 ] || fail "$f: exit $rc, expected 0: $(cat "$TMP/err")"
    grep -q "^$f: OK (" "$TMP/out" || fail "$f: no OK line: $(cat "$TMP/out")"
done

# Bad files: exact messages.
n=0
for f in $CFG/bad_*.json; do
    n=$((n + 1))
    "$UAGATE" check "$f" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    [ $rc -eq 1 ] || fail "$f: exit $rc, expected 1"
    [ -s "$TMP/out" ] && fail "$f: printed on stdout: $(cat "$TMP/out")"
    if ! diff -u "${f%.json}.expect" "$TMP/err" >"$TMP/diff"; then
        fail "$f: messages differ from ${f%.json}.expect:"
        cat "$TMP/diff"
    fi
    # --quiet: same verdict, nothing printed.
    "$UAGATE" check --quiet "$f" >"$TMP/qout" 2>&1
    rc=$?
    [ $rc -eq 1 ] || fail "$f --quiet: exit $rc, expected 1"
    [ -s "$TMP/qout" ] && fail "$f --quiet printed: $(cat "$TMP/qout")"
done
[ $n -ge 5 ] || fail "only $n bad configurations found"

# The example from the documentation, word for word.
grep -qxF "$CFG/bad_duration.json: \$.connections[0].writerGroups[1].publishingInterval: \"1xs\" is not a duration (use e.g. \"1ms\", \"250us\")" \
    $CFG/bad_duration.expect || fail "bad_duration.expect lost the documented message"

# A bad URL: the message names the file, the path and the value (the reason
# after the colon comes from the transport layer).
sed 's#opc.udp://127.0.0.1:4840#opc.udp://127.0.0.1:99999#' $CFG/good_minimal.json >"$TMP/badurl.json"
"$UAGATE" check "$TMP/badurl.json" 2>"$TMP/err"
rc=$?
[ $rc -eq 1 ] || fail "bad url: exit $rc, expected 1"
grep -qF "$TMP/badurl.json: \$.connections[0].address.url: \"opc.udp://127.0.0.1:99999\" is not a transport address: " "$TMP/err" \
    || fail "bad url: message: $(cat "$TMP/err")"

# A missing file, several files at once, usage errors.
"$UAGATE" check "$TMP/none.json" 2>"$TMP/err"
[ $? -eq 1 ] || fail "missing file: exit code"
grep -q "^$TMP/none.json: unable to open" "$TMP/err" || fail "missing file: $(cat "$TMP/err")"
"$UAGATE" check $CFG/good_minimal.json $CFG/bad_duration.json >"$TMP/out" 2>"$TMP/err"
[ $? -eq 1 ] || fail "mixed files: exit code"
grep -q "good_minimal.json: OK" "$TMP/out" || fail "mixed files: good one not reported"
"$UAGATE" check >/dev/null 2>&1
[ $? -eq 2 ] || fail "no file: exit code, expected 2"
"$UAGATE" check --bogus x >/dev/null 2>&1
[ $? -eq 2 ] || fail "bad option: exit code, expected 2"

# `run` refuses a bad file and starts nothing.
timeout 10 "$UAGATE" run $CFG/bad_refs.json --duration 5s >"$TMP/out" 2>"$TMP/err"
rc=$?
[ $rc -eq 1 ] || fail "run bad config: exit $rc, expected 1"
grep -q "7 errors, nothing started" "$TMP/err" || fail "run bad config: $(cat "$TMP/err")"

# Durations.
for d in 1xs 1 ms -1ms 1.5.ms; do
    "$UAGATE" run $CFG/good_minimal.json --duration "$d" >/dev/null 2>"$TMP/err"
    [ $? -eq 2 ] || fail "--duration $d accepted"
done

# The "server" section and "opcua" sources: the documented messages.
grep -qxF "$CFG/bad_server.json: \$.server.url: \"http://0.0.0.0:4840\" is not an OPC UA endpoint URL: use opc.tcp://HOST:PORT" \
    $CFG/bad_server.expect || fail "bad_server.expect lost the url message"
grep -qF 'source.opcua.nodeId: "ns=x;s=C" is not a NodeId' $CFG/bad_opcua_source.expect \
    || fail "bad_opcua_source.expect lost the nodeId message"

# `uagate hash-password`: a hash the loader accepts, salted (two differ),
# usage errors exit 2.
if "$UAGATE" hash-password --help >/dev/null 2>&1; then
    h1=$("$UAGATE" hash-password 's3cret word') || fail "hash-password exit $?"
    h2=$(printf 's3cret word\n' | "$UAGATE" hash-password -) || fail "hash-password - exit $?"
    case "$h1" in pbkdf2-sha256\$*) ;; *) fail "hash-password printed '$h1'" ;; esac
    [ "$h1" != "$h2" ] || fail "two hashes of one password are equal (no salt?)"
    sed "s#\"server\": { \"enabled\": false }#\"server\": { \"enabled\": false, \"users\": [ { \"name\": \"op\", \"passwordHash\": \"$h1\" } ] }#" \
        $CFG/good_minimal.json >"$TMP/users.json"
    grep -q '"users"' "$TMP/users.json" || fail "could not make users.json"
    "$UAGATE" check "$TMP/users.json" >/dev/null 2>"$TMP/err" || fail "hash not accepted: $(cat "$TMP/err")"
    "$UAGATE" hash-password >/dev/null 2>&1; [ $? -eq 2 ] || fail "hash-password without argument: exit code"
    "$UAGATE" hash-password '' >/dev/null 2>&1; [ $? -eq 2 ] || fail "hash-password '': exit code"
    "$UAGATE" hash-password a b >/dev/null 2>&1; [ $? -eq 2 ] || fail "hash-password a b: exit code"
else
    fail "uagate has no hash-password command"
fi

# The JSON Schema: itself valid; the good files pass it; files whose errors
# are per-value (not cross-references) fail it. Needs python3 with jsonschema.
if python3 -c 'import jsonschema' 2>/dev/null; then
    python3 - config/uagate.schema.json $CFG <<'PYEOF' || fail "schema check"
import glob, json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
good = ["config/default.json"] + glob.glob("config/examples/*.json") + glob.glob(sys.argv[2] + "/good_*.json")
for f in good:
    errs = [e.message for e in v.iter_errors(json.load(open(f)))]
    if errs:
        sys.exit(f"{f}: schema says {errs[:3]}")
for f in ("bad_duration.json", "bad_types.json", "bad_server.json", "bad_opcua_source.json"):
    if not list(v.iter_errors(json.load(open(sys.argv[2] + "/" + f)))):
        sys.exit(f"{f} passes the schema")
PYEOF
else
    echo "note: python3 jsonschema missing, schema not checked"
fi

if [ $failures -ne 0 ]; then
    echo "$failures failure(s)"
    exit 1
fi
echo "OK: uagate check"
