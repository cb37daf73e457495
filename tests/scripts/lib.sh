# Sourced by tests/scripts/test_*.sh: the generic helpers the scripts used to
# define each for itself. Defines functions only; ug_begin sets the state.
# Broker start-up stays in the broker scripts.

# ug_begin: TMP (a fresh directory), PIDS (background processes the script
# adds to), failures (counted by fail); on exit the processes are killed and
# TMP removed.
ug_begin() {
    TMP=$(mktemp -d)
    PIDS=()
    failures=0
    trap ug_cleanup EXIT
}
ug_cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$TMP"
}

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# free_port: a UDP port on 127.0.0.1 the kernel just handed out (bound to port
# 0, then released), so concurrent test runs do not collide.
free_port() {
    "${PY:-python3}" -c 'import socket; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_for FILE PATTERN SECONDS: 0 once FILE holds PATTERN (grep), 1 on time-out.
wait_for() {
    local i
    for ((i = 0; i < $3 * 10; i++)); do
        grep -q "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}
