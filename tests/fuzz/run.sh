#!/usr/bin/env bash
# run.sh FUZZER CORPUS SEEDS SECONDS ARTIFACT_PREFIX
# Runs one libFuzzer target for a bounded time. Seeds: the directory SEEDS if
# it exists, plus the project's vectors. Exit status: the fuzzer's (non-zero
# on a crash, a leak, a timeout or a sanitizer report).
set -u
fz=$1 corpus=$2 seeds=$3 secs=$4 art=$5
seed_dirs=()
[ -d "$seeds" ] && seed_dirs+=("$seeds")
for d in tests/vectors/open62541 tests/vectors/uagate tests/fuzz/regressions; do
  [ -d "$d" ] && seed_dirs+=("$d")
done
log=$(mktemp)
"$fz" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -print_final_stats=1 -artifact_prefix="$art" "$corpus" "${seed_dirs[@]}" >"$log" 2>&1
rc=$?
tail -n 20 "$log"
rm -f "$log"
exit $rc
