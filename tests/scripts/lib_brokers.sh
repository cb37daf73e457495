# Sourced by scripts that need real brokers on loopback: mosquitto and
# RabbitMQ (AMQP 1.0 plugin), each on free ports of 127.0.0.1, started and
# stopped by PID. Defines functions only.
#
#   brk_port                      a free TCP port on 127.0.0.1
#   brk_mosq_init DIR PORT [LINE...]   write DIR/mosquitto.conf: one anonymous
#                                 listener on PORT, persistence in DIR, each
#                                 extra LINE appended (more listeners)
#   brk_mosq_start DIR / brk_mosq_stop DIR   start (waits for PORT) / SIGTERM
#   brk_rabbit_init DIR           ports in RMQ_PORT, RMQ_DIST, RMQ_EPMD; config
#   brk_rabbit_start DIR / brk_rabbit_stop DIR   start (waits for RMQ_PORT,
#                                 up to UG_AMQP_START_TIMEOUT s) / SIGTERM the
#                                 broker, then its epmd (found by its port)
# The caller's trap must call the stop functions.

brk_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# brk_wait_port PORT WANT(1 open, 0 closed) SECONDS
brk_wait_port() {
    local end=$((SECONDS + $3))
    while [ $SECONDS -lt $end ]; do
        if (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null; then
            [ "$2" = 1 ] && return 0
        else
            [ "$2" = 0 ] && return 0
        fi
        sleep 0.05
    done
    return 1
}

brk_mosq_init() {
    local dir=$1 port=$2
    shift 2
    mkdir -p "$dir"
    echo "$port" >"$dir/port"
    {
        echo "per_listener_settings true"
        # Started as root it would drop to user mosquitto and not read our files.
        echo "user root"
        echo "persistence true"
        echo "persistence_location $dir/"
        echo "max_queued_messages 100000"
        echo "log_dest file $dir/mosquitto.log"
        echo "listener $port 127.0.0.1"
        echo "allow_anonymous true"
        local l
        for l in "$@"; do echo "$l"; done
    } >"$dir/mosquitto.conf"
}

brk_mosq_start() {
    local dir=$1
    mosquitto -c "$dir/mosquitto.conf" >>"$dir/mosquitto.out" 2>&1 &
    echo $! >"$dir/mosquitto.pid"
    brk_wait_port "$(cat "$dir/port")" 1 5 || { echo "mosquitto did not start"; cat "$dir/mosquitto.out"; return 1; }
}

brk_mosq_stop() {
    local dir=$1 pid
    [ -f "$dir/mosquitto.pid" ] || return 0
    pid=$(cat "$dir/mosquitto.pid")
    rm -f "$dir/mosquitto.pid"
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.05; done
    kill -KILL "$pid" 2>/dev/null
    return 0
}

brk_rabbit_init() {
    local dir=$1
    mkdir -p "$dir"
    RMQ_PORT=$(brk_port)
    RMQ_DIST=$(brk_port)
    RMQ_EPMD=$(brk_port)
    cat >"$dir/env.sh" <<ENV
export HOME="$dir"
export RABBITMQ_NODENAME="ugbrk$$@localhost"
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export RABBITMQ_NODE_PORT=$RMQ_PORT
export RABBITMQ_DIST_PORT=$RMQ_DIST
export ERL_EPMD_ADDRESS=127.0.0.1
export ERL_EPMD_PORT=$RMQ_EPMD
export RABBITMQ_MNESIA_BASE="$dir/mnesia"
export RABBITMQ_LOG_BASE="$dir/log"
export RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins"
export RABBITMQ_CONFIG_FILE="$dir/rabbitmq"
export RABBITMQ_PID_FILE="$dir/rabbitmq.pid"
export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
ENV
    echo '[rabbitmq_amqp1_0].' >"$dir/enabled_plugins"
    cat >"$dir/rabbitmq.conf" <<CONF
listeners.tcp.default = 127.0.0.1:$RMQ_PORT
loopback_users = none
amqp1_0.default_user = guest
CONF
    echo "$RMQ_EPMD" >"$dir/epmd.port"
}

brk_rabbit_start() {
    local dir=$1
    (
        . "$dir/env.sh"
        setsid /usr/lib/rabbitmq/bin/rabbitmq-server >>"$dir/server.out" 2>&1 </dev/null &
    )
    brk_wait_port "$RMQ_PORT" 1 "${UG_AMQP_START_TIMEOUT:-40}" ||
        { echo "rabbitmq did not open port $RMQ_PORT"; tail -20 "$dir/server.out"; return 1; }
}

brk_rabbit_stop() {
    local dir=$1 pid epmd_pid
    [ -f "$dir/env.sh" ] || return 0
    pid=$(cat "$dir/rabbitmq.pid" 2>/dev/null)
    if [ -n "$pid" ]; then
        kill "$pid" 2>/dev/null
        for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        kill -9 "$pid" 2>/dev/null
        rm -f "$dir/rabbitmq.pid"
    fi
    # The broker leaves its epmd behind: find it by its port.
    epmd_pid=$(ss -Hltnp "sport = :$(cat "$dir/epmd.port")" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
    [ -n "$epmd_pid" ] && kill "$epmd_pid" 2>/dev/null
    return 0
}
