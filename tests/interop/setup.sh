#!/usr/bin/env bash
# Installs node-opcua (the version pinned in package.json, exactly as recorded
# in package-lock.json) into tests/interop/node_modules with `npm ci`, when
# node_modules is missing or was installed from another lockfile. Idempotent and
# safe to run from several tests at once (a lock serialises the installs).
# Needs node >= 18 and npm (scripts/setup-debian.sh installs Debian's nodejs and
# npm) and access to the npm registry the first time. About 13 s, 71 MB.
#
# Exit status: 0 when node_modules matches the lockfile, 2 when node or npm is
# missing, 1 when npm ci failed (its output is on stderr).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here" || exit 1

command -v node >/dev/null 2>&1 || { echo "setup: node is not installed" >&2; exit 2; }
command -v npm >/dev/null 2>&1 || { echo "setup: npm is not installed" >&2; exit 2; }

stamp=node_modules/.uagate-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
current() { [ -f "$stamp" ] && [ -f node_modules/node-opcua/package.json ] && [ "$(cat "$stamp")" = "$want" ]; }

current && exit 0
# The lock lives outside the tree (npm ci deletes node_modules; no stray file
# in the source tree), one per checkout.
exec 9>"${TMPDIR:-/tmp}/uagate-interop-setup.$(echo "$here" | sha256sum | cut -c1-12).lock"
flock 9
# Another test may have installed it while this one waited for the lock.
current && exit 0
echo "setup: npm ci in $here" >&2
start=$(date +%s)
if ! npm ci --no-audit --no-fund --loglevel=error >&2; then
    echo "setup: npm ci failed" >&2
    exit 1
fi
echo "$want" >"$stamp"
echo "setup: node-opcua $(node -p 'require("node-opcua/package.json").version') installed in $(($(date +%s) - start)) s" >&2
