#!/usr/bin/env bash
# The committed clientserver/ns0_gen.c must be exactly what tools/gen_ns0.py
# makes from the official Opc.Ua.NodeSet2.xml. Runs from the source root
# (ctest sets the working directory); the schema sits next to the repository,
# in ../shared/opcua-schema. Skips (77) when the schema or Debian's python is
# absent.
set -u
root=$(pwd)
schema="$root/../shared/opcua-schema"
py=/usr/bin/python3

if [ ! -f "$schema/Opc.Ua.NodeSet2.xml" ]; then
  echo "SKIP: no Opc.Ua.NodeSet2.xml in $schema"
  exit 77
fi
if [ ! -x "$py" ]; then
  echo "SKIP: $py not found"
  exit 77
fi
for f in tools/gen_ns0.py clientserver/ns0_gen.c; do
  if [ ! -f "$root/$f" ]; then
    echo "FAIL: $f missing (run from the source root)"
    exit 1
  fi
done

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
mkdir -p "$out/clientserver"

if ! "$py" "$root/tools/gen_ns0.py" "$schema" "$out"; then
  echo "FAIL: gen_ns0.py failed"
  exit 1
fi
if ! diff -u "$root/clientserver/ns0_gen.c" "$out/clientserver/ns0_gen.c" >/dev/null; then
  diff -u "$root/clientserver/ns0_gen.c" "$out/clientserver/ns0_gen.c" | head -40
  echo "FAIL: clientserver/ns0_gen.c differs from the generator's output (regenerate it)"
  exit 1
fi
echo "OK: clientserver/ns0_gen.c matches $schema/Opc.Ua.NodeSet2.xml"
