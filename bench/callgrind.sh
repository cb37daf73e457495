#!/usr/bin/env bash
# Instruction counts per operation of bench/codec under callgrind (repeatable
# where wall time is not). For each operation the program runs twice, with
# 1,000 and 11,000 iterations; the difference divided by 10,000 removes the
# start-up cost. usage: bench/callgrind.sh [BUILD_DIR] [OPERATION...]
set -euo pipefail
build=${1:-build}
shift || true
codec=$build/bench/codec
[ -x "$codec" ] || { echo "no $codec: build first (cmake --build $build)"; exit 2; }
command -v valgrind >/dev/null || { echo "valgrind is not installed"; exit 2; }
ops=("$@")
[ ${#ops[@]} -gt 0 ] || mapfile -t ops < <("$codec" --list)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
irs() { # irs OP N -> total instructions
  valgrind --tool=callgrind --callgrind-out-file="$tmp/out" "$codec" --only "$1" --iters "$2" >/dev/null 2>&1
  sed -n 's/^\(summary\|totals\): *\([0-9]*\).*/\2/p' "$tmp/out" | head -1
}
printf '%-26s %14s\n' operation instructions/op
for op in "${ops[@]}"; do
  a=$(irs "$op" 1000)
  b=$(irs "$op" 11000)
  printf '%-26s %14s\n' "$op" "$(( (b - a) / 10000 ))"
done
