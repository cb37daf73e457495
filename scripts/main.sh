#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine: install, build, run.
# For now uagate's main job decodes the bundled sample messages and the
# bundled capture and prints them. Later this runs the gateway itself.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-debian.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc 2>/dev/null || echo 2)" --target uagate
set +e
./build/uagate decode samples/messages/*.uadp samples/capture.pcapng
rc=$?
set -e
# Exit 1 means "some messages were malformed": the sample capture holds one on
# purpose, to show how uagate reports it.
[ $rc -le 1 ]
