# Shared by the release-build test stages (browser, schemathesis): starts
# the WeChat Pay simulator and the shop on SQLite, each on a free loopback
# port, and waits until both answer. The caller defines die() and REPO,
# WORK, OUT_DIR, SIM_BIN and LETAO_BIN, and stops SIM_PID and SERVER_PID
# (set here) when it exits.

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

wait_for() {
  local what="$1" url="$2" pid="$3"
  for _ in $(seq 300); do
    kill -0 "$pid" 2>/dev/null || die "$what exited during start-up; see its log in $OUT_DIR"
    if python3 - "$url" <<'PY' 2>/dev/null; then
import sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=2)
PY
      return 0
    fi
    sleep 0.2
  done
  die "$what did not answer $url within 60 s"
}

# start_shop_and_simulator NAME LOG_LEVEL: NAME prefixes the random JWT
# secret; LETAO__LOG__LEVEL, when set, wins over LOG_LEVEL.
start_shop_and_simulator() {
  local name="$1" level="$2"
  SIM_PORT="$(free_port)"
  PORT="$(free_port)"
  while [[ "$PORT" == "$SIM_PORT" ]]; do PORT="$(free_port)"; done
  BASE_URL="http://127.0.0.1:$PORT"
  SIM_URL="http://127.0.0.1:$SIM_PORT"

  (cd "$WORK" && exec "$SIM_BIN" --addr "127.0.0.1:$SIM_PORT" --retry-scale 0.01) >"$OUT_DIR/sim.log" 2>&1 &
  SIM_PID=$!

  export LETAO_ENV=test
  export LETAO_CONFIG_DIR="$REPO/config"
  export LETAO__SERVER__ADDR="127.0.0.1:$PORT"
  export LETAO__SERVER__STATIC_DIR="$REPO/static"
  export LETAO__SERVER__MEDIA_DIR="$WORK/media"
  export LETAO__DATABASE__URL="sqlite://$WORK/letao.db"
  export LETAO__DATABASE__DEMO_DATA=true
  export LETAO__SMS__BACKEND=outbox
  export LETAO__SMS__OUTBOX="$WORK/sms-outbox.jsonl"
  export LETAO__WECHAT_PAY__BASE_URL="$SIM_URL"
  export LETAO__WECHAT_PAY__NOTIFY_URL="$BASE_URL/pay/notify"
  export LETAO__WECHAT_PAY__REFUND_NOTIFY_URL="$BASE_URL/pay/refund_notify"
  export LETAO__AUTH__JWT_SECRET="$name-$(python3 -c 'import secrets; print(secrets.token_hex(24))')"
  export LETAO__LOG__LEVEL="${LETAO__LOG__LEVEL:-$level}"
  (cd "$WORK" && exec "$LETAO_BIN" serve) >"$OUT_DIR/server.log" 2>&1 &
  SERVER_PID=$!

  wait_for "wechat-pay-sim" "$SIM_URL/sim/orders" "$SIM_PID"
  wait_for "letao-server" "$BASE_URL/ready" "$SERVER_PID"
}
