#!/usr/bin/env bash
# The committed StatusCode files must be exactly what tools/gen_status.py makes
# from the official StatusCode.csv. Runs from the source root (ctest sets the
# working directory); the schema sits next to the repository, in
# ../shared/opcua-schema. Skips (77) when the schema or Debian's python is absent.
set -u
root=$(pwd)
schema="$root/../shared/opcua-schema"
py=/usr/bin/python3

if [ ! -f "$schema/StatusCode.csv" ]; then
  echo "SKIP: no StatusCode.csv in $schema"
  exit 77
fi
if [ ! -x "$py" ]; then
  echo "SKIP: $py not found"
  exit 77
fi
for f in tools/gen_status.py include/uagate/status_codes.h types/status_names.c; do
  if [ ! -f "$root/$f" ]; then
    echo "FAIL: $f missing (run from the source root)"
    exit 1
  fi
done

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
mkdir -p "$out/include/uagate" "$out/types"

if ! "$py" "$root/tools/gen_status.py" "$schema" "$out"; then
  echo "FAIL: gen_status.py failed"
  exit 1
fi

rc=0
for f in include/uagate/status_codes.h types/status_names.c; do
  if ! diff -u "$root/$f" "$out/$f"; then
    echo "FAIL: $f differs from the generator's output (regenerate it)"
    rc=1
  fi
done
[ $rc -eq 0 ] && echo "OK: status_codes.h and status_names.c match $schema/StatusCode.csv"
exit $rc
