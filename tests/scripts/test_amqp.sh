#!/usr/bin/env bash
# The AMQP 1.0 transport against a real RabbitMQ (rabbitmq_amqp1_0 plugin) on
# 127.0.0.1 with free ports, started once for the whole run and stopped (with
# its epmd) on exit. Usage: test_amqp.sh BUILD_DIR (from the source root).
set -u
build=${1:?usage: test_amqp.sh BUILD_DIR}
rmq=/usr/lib/rabbitmq/bin/rabbitmq-server
prog="$build/tests/transports_test_amqp"
if [ ! -x "$rmq" ]; then
    echo "SKIP: rabbitmq-server is not installed (scripts/setup-debian.sh installs it)"
    exit 77
fi
if [ ! -x "$prog" ]; then
    echo "SKIP: $prog is not built (needs qpid-proton and CUnit)"
    exit 77
fi

free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
node_port=$(free_port); dist_port=$(free_port); epmd_port=$(free_port); tls_port=$(free_port)
dir=$(mktemp -d /tmp/ug-rabbitmq.XXXXXX)

# A test CA, a server certificate for 127.0.0.1/localhost, and a second CA
# that signed nothing (the wrong-CA case).
tls="$dir/tls"
mkdir -p "$tls"
(
    cd "$tls" &&
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=ug-test-ca &&
    openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other-ca.pem -days 2 -subj /CN=ug-other-ca &&
    openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=localhost &&
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > san.ext &&
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile san.ext
) > "$dir/openssl.out" 2>&1 || { echo "openssl failed"; cat "$dir/openssl.out"; rm -rf "$dir"; exit 1; }

cat > "$dir/env.sh" <<ENV
export HOME="$dir"
export RABBITMQ_NODENAME="ugtest$$@localhost"
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export RABBITMQ_NODE_PORT=$node_port
export RABBITMQ_DIST_PORT=$dist_port
export ERL_EPMD_ADDRESS=127.0.0.1
export ERL_EPMD_PORT=$epmd_port
export RABBITMQ_MNESIA_BASE="$dir/mnesia"
export RABBITMQ_LOG_BASE="$dir/log"
export RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins"
export RABBITMQ_CONFIG_FILE="$dir/rabbitmq"
export RABBITMQ_PID_FILE="$dir/rabbitmq.pid"
export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
ENV
echo '[rabbitmq_amqp1_0].' > "$dir/enabled_plugins"
cat > "$dir/rabbitmq.conf" <<CONF
listeners.tcp.default = 127.0.0.1:$node_port
loopback_users = none
amqp1_0.default_user = guest
listeners.ssl.default = 127.0.0.1:$tls_port
ssl_options.cacertfile = $tls/ca.pem
ssl_options.certfile = $tls/server.pem
ssl_options.keyfile = $tls/server.key
ssl_options.verify = verify_none
ssl_options.fail_if_no_peer_cert = false
CONF

# ctl.sh start|stop: used here and by the restart test.
cat > "$dir/ctl.sh" <<'CTL'
set -u
. "$(dirname "$0")/env.sh"
wait_port() { # port, want 1 (open) or 0 (closed), seconds
    local end=$((SECONDS + $3))
    while [ $SECONDS -lt $end ]; do
        if (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null; then [ "$2" = 1 ] && return 0
        else [ "$2" = 0 ] && return 0; fi
        sleep 0.2
    done
    return 1
}
case "$1" in
start)
    setsid /usr/lib/rabbitmq/bin/rabbitmq-server >> "$HOME/server.out" 2>&1 < /dev/null &
    wait_port "$RABBITMQ_NODE_PORT" 1 "${UG_AMQP_START_TIMEOUT:-30}" || { echo "rabbitmq did not open port $RABBITMQ_NODE_PORT"; tail -20 "$HOME/server.out"; exit 1; }
    ;;
stop)
    pid=$(cat "$RABBITMQ_PID_FILE" 2>/dev/null)
    [ -n "$pid" ] && kill "$pid" 2>/dev/null
    for _ in $(seq 1 150); do
        [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
    rm -f "$RABBITMQ_PID_FILE"
    wait_port "$RABBITMQ_NODE_PORT" 0 10
    ;;
esac
CTL

cleanup() {
    bash "$dir/ctl.sh" stop > /dev/null 2>&1
    # The broker leaves its epmd behind: find it by its port.
    epmd_pid=$(ss -Hltnp "sport = :$epmd_port" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
    [ -n "$epmd_pid" ] && kill "$epmd_pid" 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT

echo "starting RabbitMQ on 127.0.0.1:$node_port (dist $dist_port, epmd $epmd_port)"
bash "$dir/ctl.sh" start || exit 1
UG_AMQP_PORT=$node_port UG_AMQP_TLS_PORT=$tls_port UG_AMQP_TLS_DIR="$tls" UG_AMQP_CTL="$dir/ctl.sh" "$prog"
rc=$?
[ $rc -ne 0 ] && tail -30 "$dir"/log/*.log 2>/dev/null | grep -i -E "error|warn" | tail -10
exit $rc
