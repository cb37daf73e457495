#!/usr/bin/env bash
# run.sh FUZZER CORPUS SEEDS SECONDS ARTIFACT_PREFIX
# Runs one libFuzzer target for a bounded budget: UG_FUZZ_RUNS executions
# (default 2,500,000: 10 s to 90 s a target here) from a fixed random seed (UG_FUZZ_SEED,
# default 1), capped at SECONDS. With the seed and the run count fixed, a run
# over the same corpus is repeatable: CI fails only for a reason a developer
# can reproduce, never by the luck of the draw. Explore more with a new seed
# or a bigger budget (UG_FUZZ_RUNS=-1: until SECONDS). Seeds: the directory
# SEEDS if it exists, plus the project's vectors and regressions. Exit status:
# the fuzzer's (non-zero on a crash, a leak, a timeout or a sanitizer report).
set -u
fz=$1 corpus=$2 seeds=$3 secs=$4 art=$5
seed_dirs=()
[ -d "$seeds" ] && seed_dirs+=("$seeds")
for d in tests/vectors/open62541 tests/vectors/uagate tests/fuzz/regressions; do
  [ -d "$d" ] && seed_dirs+=("$d")
done
log=$(mktemp)
"$fz" -seed="${UG_FUZZ_SEED:-1}" -runs="${UG_FUZZ_RUNS:-2500000}" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -print_final_stats=1 -artifact_prefix="$art" "$corpus" "${seed_dirs[@]}" >"$log" 2>&1
rc=$?
tail -n 20 "$log"
rm -f "$log"
exit $rc
