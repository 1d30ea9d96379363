#!/usr/bin/env bash
# Orders benchmark: create-order and payment-notification throughput and
# p99 against the local WeChat Pay simulator, on SQLite and on MariaDB.
#   bash bench/orders.sh
# Loopback only; every wrk run is bounded by timeout.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
need_wrk
command -v mariadbd >/dev/null || die "mariadb-server is not installed (bash .ci/run installs it)"

DURATION=${DURATION:-10}
log "cargo build --release"
cargo build --release --quiet -p letao-server -p wechat-pay-sim
start_bench_mariadb
start_simulator "$OUT/sim.log" --retry-scale 0.001

run_backend() { # name url
  local name=$1 url=$2 port
  free_port port
  start_ours "$name" "$port" "$url" \
    LETAO__WECHAT_PAY__NOTIFY_URL="http://127.0.0.1:$port/pay/notify" \
    LETAO__ORDERS__EXPIRY_INTERVAL_SECS=3600
  local base="http://127.0.0.1:$port" token
  token=$(token_of "$name" "$port" order_bench 13900000002)
  # Enough stock for the whole run.
  case "$url" in
    sqlite://*) python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("UPDATE sku SET stock = 100000000 WHERE product_id = 1"); c.commit()' "${url#sqlite://}" ;;
    mysql://*) maria letao_rs -e 'UPDATE sku SET stock = 100000000 WHERE product_id = 1' ;;
  esac

  cat >"$WORK/order.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
wrk.body = '{"items":[{"productId":1,"size":"40","quantity":1}]}'
LUA
  log "$name: POST /order for ${DURATION}s"
  wrk_run $((DURATION + 20)) "$OUT/$name-order.wrk" -t2 -c32 -d"${DURATION}s" --latency -s "$WORK/order.lua" "$base/order"

  # One signed notification per order just created, sent in turn: the
  # first round pays each order, later rounds are duplicates.
  case "$url" in
    sqlite://*) python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print("\n".join(r[0] for r in c.execute("SELECT out_trade_no FROM payorder WHERE trade_state = '"'NOTPAY'"'")))' "${url#sqlite://}" >"$WORK/nos.txt" ;;
    mysql://*) maria letao_rs -N -e "SELECT out_trade_no FROM payorder WHERE trade_state = 'NOTPAY'" >"$WORK/nos.txt" ;;
  esac
  python3 - "$WORK/nos.txt" "$WORK/notify.lua" <<'PY'
import hashlib, sys
key = "letao-dev-wechat-pay-key-0000000"
nos = [l.strip() for l in open(sys.argv[1]) if l.strip()]
bodies = []
for i, no in enumerate(nos):
    f = {"appid": "wx0000000000000000", "mch_id": "1900000000", "nonce_str": "n%d" % i,
         "return_code": "SUCCESS", "result_code": "SUCCESS", "openid": "oBench", "trade_type": "NATIVE",
         "bank_type": "CMC", "total_fee": "100", "cash_fee": "100", "fee_type": "CNY",
         "transaction_id": "42%026d" % i, "out_trade_no": no, "time_end": "20260101120000"}
    s = "&".join("%s=%s" % (k, f[k]) for k in sorted(f)) + "&key=" + key
    f["sign"] = hashlib.md5(s.encode()).hexdigest().upper()
    bodies.append("<xml>" + "".join("<%s><![CDATA[%s]]></%s>" % (k, v, k) for k, v in f.items()) + "</xml>")
with open(sys.argv[2], "w") as out:
    out.write("bodies = {\n" + ",\n".join("[==[" + b + "]==]" for b in bodies) + "\n}\n")
    out.write('counter = 0\nrequest = function()\n  counter = counter + 1\n  local b = bodies[(counter % #bodies) + 1]\n'
              '  return wrk.format("POST", nil, {["Content-Type"] = "text/xml"}, b)\nend\n')
print("%d orders to notify" % len(nos), file=sys.stderr)
PY
  log "$name: POST /pay/notify for ${DURATION}s"
  wrk_run $((DURATION + 20)) "$OUT/$name-notify.wrk" -t2 -c32 -d"${DURATION}s" --latency -s "$WORK/notify.lua" "$base/pay/notify"
  local paid
  case "$url" in
    sqlite://*) paid=$(python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute("SELECT COUNT(*) FROM order_event WHERE kind = '"'paid'"'").fetchone()[0])' "${url#sqlite://}") ;;
    mysql://*) paid=$(maria letao_rs -N -e "SELECT COUNT(*) FROM order_event WHERE kind = 'paid'") ;;
  esac
  for kind in order notify; do
    printf '%-8s %-7s %9s req/s  p50 %8s  p99 %8s  errors %s\n' "$name" "$kind" \
      "$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$OUT/$name-$kind.wrk")" \
      "$(awk '$1 == "50%" {print $2}' "$OUT/$name-$kind.wrk")" \
      "$(awk '$1 == "99%" {print $2}' "$OUT/$name-$kind.wrk")" \
      "$(awk '/Non-2xx/ {print $NF}' "$OUT/$name-$kind.wrk")" | tee -a "$OUT/results.txt"
  done
  echo "$name: $(wc -l <"$WORK/nos.txt") orders created, $paid payments recorded (one per order)" | tee -a "$OUT/results.txt"
}

run_backend sqlite "sqlite://$WORK/letao.db"
run_backend mariadb "mysql://root:123456@127.0.0.1:$DB_PORT/letao_rs"
log "results in $OUT"
