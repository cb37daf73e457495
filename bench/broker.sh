#!/usr/bin/env bash
# Runs bench/broker against its own mosquitto and RabbitMQ (AMQP 1.0) on free
# loopback ports, stopped by PID afterwards (RabbitMQ's epmd too).
# Usage (from the source root): bash bench/broker.sh BUILD_DIR [broker options]
# Without RabbitMQ installed the AMQP rows are left out.
set -u
B=${1:?usage: bench/broker.sh BUILD_DIR [-n N] [-r RATE]}
shift
. "$(dirname "$0")/../tests/scripts/lib_brokers.sh"
command -v mosquitto >/dev/null || { echo "mosquitto is not installed"; exit 1; }
D=$(mktemp -d /tmp/ug-bench-brokers.XXXXXX)
cleanup() {
    brk_mosq_stop "$D/mosq"
    brk_rabbit_stop "$D/rmq"
    rm -rf "$D"
}
trap cleanup EXIT
MQ=$(brk_port)
# No per-client queue limit: a burst to a QoS 1 subscriber must not be cut at
# mosquitto's default of 1000 queued messages.
brk_mosq_init "$D/mosq" "$MQ" "max_queued_messages 0" "max_queued_bytes 0"
brk_mosq_start "$D/mosq" || exit 1
args=(-m "$MQ" -g "$B/uagate")
if [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]; then
    brk_rabbit_init "$D/rmq"
    brk_rabbit_start "$D/rmq" || exit 1
    args+=(-a "$RMQ_PORT")
fi
"$B/bench/broker" "${args[@]}" "$@"
