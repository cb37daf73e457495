#!/usr/bin/env bash
# mqtt:// and mqtts:// transport against a real mosquitto broker (issue 6
# item 1). Starts one broker on 127.0.0.1 with three listeners on free ports:
# anonymous, password (mosquitto_passwd) and TLS (a CA and a server
# certificate for 127.0.0.1/localhost made here with openssl); persistence on,
# so persistent sessions survive the broker restarts the tests make through
# a small control script. Runs tests/transports/test_mqtt.c with the ports in
# UG_MQTT_* variables; stops the broker (SIGTERM to its PID) on exit.
# Usage: bash test_mqtt.sh BUILD_DIR. Exit 77 (skip) without mosquitto.
set -u
B=${1:?usage: test_mqtt.sh BUILD_DIR}
PROG=$B/tests/transports_test_mqtt
for tool in mosquitto mosquitto_passwd mosquitto_sub mosquitto_pub openssl; do
  if ! command -v "$tool" >/dev/null; then
    echo "skip: $tool not installed (apt-get install mosquitto mosquitto-clients openssl)"
    exit 77
  fi
done
if [ ! -x "$PROG" ]; then echo "FAIL: $PROG not built"; exit 1; fi

D=$(mktemp -d /tmp/ug-mqtt.XXXXXX)
cleanup() {
  if [ -f "$D/ctl.sh" ]; then bash "$D/ctl.sh" stop; fi
  if [ -z "${UG_MQTT_KEEP:-}" ]; then rm -rf "$D"; else echo "kept $D"; fi
}
trap cleanup EXIT

free_port() {
  # Bound by the kernel (port 0) and released at once; each call differs.
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# Five distinct ports: anonymous, password, TLS, TLS with client
# certificates, and one nothing listens on.
ports=()
while [ ${#ports[@]} -lt 5 ]; do
  p=$(free_port)
  case " ${ports[*]} " in *" $p "*) ;; *) ports+=("$p") ;; esac
done
P_ANON=${ports[0]} P_PW=${ports[1]} P_TLS=${ports[2]} P_MTLS=${ports[3]} P_DEAD=${ports[4]}

(
  cd "$D" || exit 1
  openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 \
    -subj /CN=uagate-test-ca 2>/dev/null &&
  openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr \
    -subj /CN=localhost 2>/dev/null &&
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >san.ext &&
  openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
    -out server.crt -days 2 -extfile san.ext 2>/dev/null &&
  openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.crt -days 2 \
    -subj /CN=unrelated-ca 2>/dev/null &&
  openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr \
    -subj /CN=uagate-client 2>/dev/null &&
  openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
    -out client.crt -days 2 2>/dev/null &&
  mosquitto_passwd -b -c passwd uagate 'pa ss:w0rd' >/dev/null
) || { echo "FAIL: cannot make the certificates or the password file"; exit 1; }

cat >"$D/mosquitto.conf" <<EOF
per_listener_settings true
user root
persistence true
persistence_location $D/
# The restart test leaves more than the default 1000 messages queued for an
# offline persistent subscriber.
max_queued_messages 100000
log_dest file $D/mosquitto.log
log_type all
listener $P_ANON 127.0.0.1
allow_anonymous true
listener $P_PW 127.0.0.1
allow_anonymous false
password_file $D/passwd
listener $P_TLS 127.0.0.1
allow_anonymous true
cafile $D/ca.crt
certfile $D/server.crt
keyfile $D/server.key
listener $P_MTLS 127.0.0.1
allow_anonymous true
cafile $D/ca.crt
certfile $D/server.crt
keyfile $D/server.key
require_certificate true
EOF

# ctl.sh start|stop: the tests restart the broker through this.
cat >"$D/ctl.sh" <<EOF
#!/usr/bin/env bash
up() { (exec 3<>/dev/tcp/127.0.0.1/$P_ANON) 2>/dev/null; }
case "\$1" in
start)
  mosquitto -c $D/mosquitto.conf >>$D/mosquitto.out 2>&1 &
  echo \$! >$D/broker.pid
  for _ in \$(seq 100); do up && exit 0; sleep 0.05; done
  echo "broker did not start" >&2; exit 1 ;;
stop)
  [ -f $D/broker.pid ] || exit 0
  pid=\$(cat $D/broker.pid); rm -f $D/broker.pid
  kill -TERM "\$pid" 2>/dev/null || exit 0
  for _ in \$(seq 100); do kill -0 "\$pid" 2>/dev/null || exit 0; sleep 0.05; done
  kill -KILL "\$pid" 2>/dev/null; exit 0 ;;
esac
EOF
bash "$D/ctl.sh" start || { cat "$D/mosquitto.out" "$D/mosquitto.log" 2>/dev/null; exit 1; }

export UG_MQTT_PORT=$P_ANON UG_MQTT_PW_PORT=$P_PW UG_MQTT_TLS_PORT=$P_TLS
export UG_MQTT_DEAD_PORT=$P_DEAD UG_MQTT_MTLS_PORT=$P_MTLS
export UG_MQTT_CERT=$D/client.crt UG_MQTT_KEY=$D/client.key UG_MQTT_CA=$D/ca.crt UG_MQTT_OTHER_CA=$D/other.crt
export UG_MQTT_DIR=$D UG_MQTT_USER=uagate UG_MQTT_PASSWORD='pa ss:w0rd' UG_MQTT_CTL="bash $D/ctl.sh"
"$PROG"
rc=$?
if [ $rc -ne 0 ]; then
  echo "---- broker log (tail)"
  tail -n 40 "$D/mosquitto.log" 2>/dev/null
fi
exit $rc
