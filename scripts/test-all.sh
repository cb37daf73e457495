#!/usr/bin/env bash
# Installs what is needed, then builds and runs every test of uagate:
#   1. the normal build (gcc, warnings as errors) and its ctest suite;
#   2. the same suite under AddressSanitizer + UndefinedBehaviorSanitizer;
#   3. every libFuzzer target under ASan+UBSan for a fixed budget from a fixed
#      seed (tests/fuzz/run.sh: UG_FUZZ_RUNS, UG_FUZZ_SEED), capped at
#      UG_FUZZ_SECONDS (default 120), seeded with the test vectors.
# Ends with one line "tests: N passed, N failed". Exit 0 only if all passed.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=$(nproc 2>/dev/null || echo 2)
fuzz_seconds=${UG_FUZZ_SECONDS:-120}
passed=0
failed=0

bash scripts/setup-debian.sh || { echo "setup failed"; exit 1; }
# node-opcua for the interop tests (npm ci from the committed lockfile); with
# UG_INTEROP_REQUIRED the interop tests fail instead of skipping without it.
bash tests/interop/setup.sh || { echo "interop setup (npm ci) failed"; exit 1; }
export UG_INTEROP_REQUIRED=1

# run_ctest DIR LABEL: runs ctest in DIR, adds its counts to the totals.
run_ctest() {
  local dir=$1 label=$2 log
  log=$(mktemp)
  ctest --test-dir "$dir" --output-on-failure -j"$jobs" --timeout 600 2>&1 | tee "$log"
  local total fails
  total=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\2/p' "$log" | tail -1)
  fails=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\1/p' "$log" | tail -1)
  rm -f "$log"
  if [ -z "$total" ]; then
    echo "$label: ctest printed no summary"
    failed=$((failed + 1))
    return
  fi
  echo "$label: $((total - fails)) of $total passed"
  passed=$((passed + total - fails))
  failed=$((failed + fails))
}

build() { # build DIR CMAKE-ARGS...
  local dir=$1
  shift
  cmake -S "$root" -B "$dir" -DUG_WERROR=ON "$@" >/dev/null && cmake --build "$dir" -j"$jobs"
}

echo "== build (gcc, -Werror)"
if build build -DCMAKE_BUILD_TYPE=RelWithDebInfo; then
  run_ctest build "normal"
else
  echo "normal build FAILED"
  failed=$((failed + 1))
fi

echo "== build with ASan+UBSan"
if build build-asan -DUG_SANITIZE=ON -DUG_BENCH=OFF -DCMAKE_BUILD_TYPE=Debug; then
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 run_ctest build-asan "asan+ubsan"
else
  echo "sanitizer build FAILED"
  failed=$((failed + 1))
fi

echo "== fuzzing (${UG_FUZZ_RUNS:-2500000} runs per target from seed ${UG_FUZZ_SEED:-1}, at most ${fuzz_seconds}s, ASan+UBSan)"
if build build-fuzz -DCMAKE_C_COMPILER=clang -DUG_FUZZ=ON -DUG_SANITIZE=ON -DUG_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo; then
  for fz in build-fuzz/tests/fuzz_*; do
    [ -x "$fz" ] || continue
    name=$(basename "$fz")
    corpus=build-fuzz/corpus/$name
    mkdir -p "$corpus" build-fuzz/artifacts
    seeds=tests/fuzz/seeds/${name#fuzz_}
    if bash tests/fuzz/run.sh "$fz" "$corpus" "$seeds" "$fuzz_seconds" build-fuzz/artifacts/; then
      echo "fuzz $name: clean"
      passed=$((passed + 1))
    else
      echo "fuzz $name: FAILED (artifacts in build-fuzz/artifacts)"
      failed=$((failed + 1))
    fi
  done
else
  echo "fuzz build FAILED"
  failed=$((failed + 1))
fi

echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
