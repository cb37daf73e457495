#!/usr/bin/env bash
# Installs the Debian 12 packages uagate needs to build, test, fuzz and
# benchmark. Idempotent: run it as often as you like. Needs root (or sudo).
set -euo pipefail

pkgs=(
  build-essential cmake pkg-config clang libclang-rt-14-dev
  libcunit1-dev libpcap-dev liburing-dev libssl-dev libjansson-dev
  libmosquitto-dev mosquitto mosquitto-clients libqpid-proton11-dev rabbitmq-server python3-qpid-proton
  python3 valgrind tcpdump tshark iproute2 gnuplot-nox
)

# Node.js and npm for the node-opcua interop tests (tests/interop): Debian's
# packages unless the machine already has a node with npm (a vendor build of
# nodejs ships npm inside it and conflicts with Debian's npm package).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  pkgs+=(nodejs npm)
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#pkgs[@]} packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
# tshark: no setuid dumpcap, and no debconf question about it.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
echo "setup: installing ${missing[*]}"
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -q
$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}"
