#!/usr/bin/env bash
# Runs bench/server against bench/server_only, with the size of a server-only
# binary built with the reduced namespace 0 as well: builds bench_server_only
# a second time in BUILD_DIR-ns0-reduced (-DUG_NS0_REDUCED=ON, only that
# target), then runs BUILD_DIR/bench/server --reduced ... with the options given.
# Usage (from the source root): bash bench/server.sh BUILD_DIR [bench/server options]
# BUILD_DIR must be configured with the benchmarks (UG_BENCH is on by default).
set -eu
B=${1:?usage: bench/server.sh BUILD_DIR [-d SEC] [-c CLIENTS] [-m ITEMS] [-s SEC]}
shift
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc 2>/dev/null || echo 2)
cmake --build "$B" -j"$jobs" --target bench_server bench_server_only >/dev/null
R=$B-ns0-reduced
type=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$B/CMakeCache.txt")
cmake -S "$root" -B "$R" -DUG_NS0_REDUCED=ON -DCMAKE_BUILD_TYPE="${type:-RelWithDebInfo}" >/dev/null
cmake --build "$R" -j"$jobs" --target bench_server_only >/dev/null
exec "$B/bench/server" --reduced "$R/bench/server_only" "$@"
