# Sourced by test scripts that send multicast: when root, re-run the calling
# script inside a network namespace of its own (unshare -n) with only lo up,
# so that no datagram can leave the machine whatever a route says. Without
# root the script runs as it is (its sockets still select lo explicitly).
if [ -z "${UG_ISOLATED:-}" ] && [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null 2>&1; then
  export UG_ISOLATED=1
  exec unshare -n -- bash -c 'ip link set lo up && exec bash "$0" "$@"' "$0" "$@"
fi
