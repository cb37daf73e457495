#!/usr/bin/env bash
# The committed generated type files must be exactly what tools/gen_types.py
# makes from the official Opc.Ua.Types.bsd and NodeIds.csv. Runs from the
# source root (ctest sets the working directory); the schema sits next to the
# repository, in ../shared/opcua-schema. Skips (77) when the schema or
# Debian's python is absent.
set -u
root=$(pwd)
schema="$root/../shared/opcua-schema"
py=/usr/bin/python3
files="include/uagate/ua_types_gen.h types/ua_types_gen.c include/uagate/ua_nodeids.h"

for f in Opc.Ua.Types.bsd NodeIds.csv; do
  if [ ! -f "$schema/$f" ]; then
    echo "SKIP: no $f in $schema"
    exit 77
  fi
done
if [ ! -x "$py" ]; then
  echo "SKIP: $py not found"
  exit 77
fi
for f in tools/gen_types.py $files; do
  if [ ! -f "$root/$f" ]; then
    echo "FAIL: $f missing (run from the source root)"
    exit 1
  fi
done

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

if ! "$py" "$root/tools/gen_types.py" "$schema" "$out"; then
  echo "FAIL: gen_types.py failed"
  exit 1
fi

rc=0
for f in $files; do
  if ! diff -u "$root/$f" "$out/$f" >"$out/diff" 2>&1; then
    head -40 "$out/diff"
    echo "FAIL: $f differs from the generator's output (run python3 tools/gen_types.py)"
    rc=1
  fi
done
[ $rc -eq 0 ] && echo "OK: ua_types_gen.h, ua_types_gen.c and ua_nodeids.h match $schema"
exit $rc
