#!/usr/bin/env bash
# Notifications benchmark: payment notifications/s and p99 of
# POST /pay/v3/notify (RSA signature + AES-GCM resource) against
# POST /pay/notify (v2, MD5-signed XML), on SQLite and on MariaDB, in one run.
#   bash bench/notify.sh            (DURATION=10 ORDERS=5000 by default)
# Per backend, one server on v2 and one on v3, each on its own database with
# ORDERS unpaid orders inserted straight into it; the notifications are
# signed by the crates' own code (crates/wechat-pay-sim/examples/
# bench_notifications.rs, v3 with the simulator's platform key) just before
# their wrk run and sent in turn: the first round pays each order, later
# rounds are duplicates. Loopback only; every wrk run is bounded by timeout.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
need_wrk
command -v mariadbd >/dev/null || die "mariadb-server is not installed (bash .ci/run installs it)"

DURATION=${DURATION:-10}
ORDERS=${ORDERS:-5000}
# v3 timestamps are made when the notifications are signed; the shop
# refuses them 5 minutes later.
((DURATION <= 240)) || die "DURATION must stay under 240 s (v3 signatures expire after 5 minutes)"

log "cargo build --release"
cargo build --release --quiet -p letao-server -p wechat-pay-sim --example bench_notifications
start_bench_mariadb
maria -e 'CREATE DATABASE letao_v3 CHARACTER SET utf8mb4'

# The simulator makes (and keeps) the v3 keys, as in the README; the shop
# verifies notifications with the public half of its platform key.
start_simulator "$OUT/sim.log" --retry-scale 0.001 \
  --write-merchant-key "$WORK/sim-merchant-key.pem" --platform-private-key "$WORK/sim-platform-key.pem" \
  --write-public-key "$WORK/sim-wechatpay-pub.pem"
[[ -s "$WORK/sim-wechatpay-pub.pem" && -s "$WORK/sim-merchant-key.pem" ]] || die "the simulator wrote no keys (see $OUT/sim.log)"

# sql URL [QUERY]: run SQL on the server's database (standard input when no QUERY).
sql() {
  local url=$1; shift
  case "$url" in
    sqlite://*) python3 -c '
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], timeout=30)
if len(sys.argv) > 2:
    for r in c.execute(sys.argv[2]): print("\t".join(str(v) for v in r))
else:
    c.executescript(sys.stdin.read())
c.commit()' "${url#sqlite://}" "$@" ;;
    mysql://*)
      if (($#)); then
        maria -N "${url##*/}" -e "$1"
      else
        maria "${url##*/}"
      fi ;;
  esac
}

# ORDERS unpaid orders as POST /order leaves them (order row, one line of
# product 1, the `created` event), in one transaction.
seed_orders() { # url prefix
  local url=$1 prefix=$2 price
  price=$(sql "$url" 'SELECT price_fen FROM product WHERE id = 1')
  python3 - "$ORDERS" "$prefix" "$price" <<'PY' | sql "$url"
import datetime, sys
n, prefix, price = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None, microsecond=0)
created, expires = now.isoformat(" "), (now + datetime.timedelta(hours=2)).isoformat(" ")
stamp = (now + datetime.timedelta(hours=8)).strftime("%Y%m%d%H%M%S")
out = ["BEGIN;"]
for start in range(0, n, 500):
    ids = range(start + 1, min(n, start + 500) + 1)
    out.append("INSERT INTO payorder (id, appid, mch_id, nonce_str, body, out_trade_no, total_fee, "
               "spbill_create_ip, trade_type, trade_state, user_id, total_fen, code_url, expires_at, "
               "refund_pending, refunded_fen, created_at, updated_at) VALUES " + ",".join(
        "(%d,'wx0000000000000000','1900000000','n%d','bench','%s%s%016d','%d','127.0.0.1','NATIVE',"
        "'NOTPAY',NULL,%d,'weixin://wxpay/bizpayurl?pr=bench%d','%s',0,0,'%s','%s')"
        % (i, i, prefix, stamp, i, price, price, i, expires, created, created) for i in ids) + ";")
    out.append("INSERT INTO order_item (order_id, product_id, name, unit_fen, quantity) VALUES "
               + ",".join("(%d,1,'bench',%d,1)" % (i, price) for i in ids) + ";")
    out.append("INSERT INTO order_event (order_id, kind, detail, created_at) VALUES "
               + ",".join("(%d,'created','%d','%s')" % (i, price, created) for i in ids) + ";")
out.append("COMMIT;")
print("\n".join(out))
PY
}

run_one() { # backend api url
  local backend=$1 api=$2 url=$3 name="$1-$2" path=/pay/notify port
  local v3=()
  free_port port
  if [[ $api == v3 ]]; then
    path=/pay/v3/notify
    v3=(LETAO__WECHAT_PAY__API_VERSION=v3
      LETAO__WECHAT_PAY__MERCHANT_PRIVATE_KEY="$WORK/sim-merchant-key.pem"
      LETAO__WECHAT_PAY__MERCHANT_SERIAL=DEVSERIAL0001
      LETAO__WECHAT_PAY__PLATFORM_PUBLIC_KEY="$WORK/sim-wechatpay-pub.pem"
      LETAO__WECHAT_PAY__PLATFORM_PUBLIC_KEY_ID=PUB_KEY_ID_0119000000002026010100000000000001
      LETAO__WECHAT_PAY__REFUND_NOTIFY_URL="http://127.0.0.1:$port/pay/v3/refund_notify")
  fi
  start_ours "$name" "$port" "$url" \
    LETAO__WECHAT_PAY__BASE_URL="$SIM_URL" \
    LETAO__WECHAT_PAY__NOTIFY_URL="http://127.0.0.1:$port$path" \
    LETAO__ORDERS__EXPIRY_INTERVAL_SECS=3600 "${v3[@]}"
  log "$name: $ORDERS unpaid orders"
  seed_orders "$url" "LT"
  sql "$url" "SELECT out_trade_no, total_fen FROM payorder WHERE trade_state = 'NOTPAY' ORDER BY id" >"$WORK/$name-orders.txt"

  # Signed now: v3 timestamps must be fresh when they arrive.
  "$(release_bin examples/bench_notifications)" --api "$api" --out "$WORK/$name.lua" --threads 2 \
    --platform-private-key "$WORK/sim-platform-key.pem" <"$WORK/$name-orders.txt"
  log "$name: POST $path for ${DURATION}s"
  wrk_run $((DURATION + 20)) "$OUT/$name.wrk" -t2 -c32 -d"${DURATION}s" --latency -s "$WORK/$name.lua" \
    "http://127.0.0.1:$port$path"

  local orders paid_events paid_orders success
  orders=$(wc -l <"$WORK/$name-orders.txt")
  paid_events=$(sql "$url" "SELECT COUNT(*) FROM order_event WHERE kind = 'paid'")
  paid_orders=$(sql "$url" "SELECT COUNT(DISTINCT order_id) FROM order_event WHERE kind = 'paid'")
  success=$(sql "$url" "SELECT COUNT(*) FROM payorder WHERE trade_state = 'SUCCESS' AND wx_transaction_id IS NOT NULL")
  local requests check=ok
  requests=$(awk '/requests in/ {print $1}' "$OUT/$name.wrk")
  if [[ $paid_events != "$orders" || $paid_orders != "$orders" || $success != "$orders" ]]; then
    check="FAILED"
    FAILED=1
    ((${requests:-0} >= orders)) || check="FAILED (only ${requests:-0} requests: raise DURATION or lower ORDERS)"
  fi
  printf '%-8s %-3s %9s %9s %9s %8s %8s   %s/%s paid (%s events) %s\n' "$backend" "$api" \
    "$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$OUT/$name.wrk")" \
    "$(awk '$1 == "50%" {print $2}' "$OUT/$name.wrk")" \
    "$(awk '$1 == "99%" {print $2}' "$OUT/$name.wrk")" \
    "$(awk '/Non-2xx/ {n = $NF} END {print n + 0}' "$OUT/$name.wrk")" \
    "$(awk '/^Refused:/ {print $2}' "$OUT/$name.wrk")" \
    "$success" "$orders" "$paid_events" "$check" | tee -a "$OUT/results.txt"
}

FAILED=0
printf '%-8s %-3s %9s %9s %9s %8s %8s   %s\n' backend api req/s p50 p99 non-2xx refused \
  "check: orders paid (once each)" | tee -a "$OUT/results.txt"
run_one sqlite v2 "sqlite://$WORK/letao-v2.db"
run_one sqlite v3 "sqlite://$WORK/letao-v3.db"
run_one mariadb v2 "mysql://root:123456@127.0.0.1:$DB_PORT/letao_rs"
run_one mariadb v3 "mysql://root:123456@127.0.0.1:$DB_PORT/letao_v3"
echo "wrk -t2 -c32 -d${DURATION}s, $ORDERS orders per server; refused = non-2xx plus v2 FAIL replies" | tee -a "$OUT/results.txt"
log "results in $OUT"
exit "$FAILED"
