#!/usr/bin/env bash
# Paying on the phone: POST /order with tradeType JSAPI and H5 beside
# NATIVE, through the simulator on WeChat Pay API v3, in one run on SQLite;
# then every order placed is paid at the simulator and the time until the
# shop has recorded them all is measured (payments/s, notification path).
#   bash bench/phone-pay.sh
#   DURATION=2 CONNECTIONS=4 LETAO_BIN=... SIM_BIN=... bash bench/phone-pay.sh   # a smoke run
# LETAO_BIN and SIM_BIN skip the release build (any build: figures from a
# debug build say nothing). Loopback only; every wrk run is bounded by timeout.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
need_wrk

DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}
if [[ -z "${LETAO_BIN:-}" || -z "${SIM_BIN:-}" ]]; then
  log "cargo build --release"
  cargo build --release --quiet -p letao-server -p wechat-pay-sim
fi

# The simulator makes (and keeps) the v3 keys, as in the README.
start_simulator "$OUT/sim.log" --retry-scale 0.001 \
  --write-merchant-key "$WORK/sim-merchant-key.pem" --platform-private-key "$WORK/sim-platform-key.pem" \
  --write-public-key "$WORK/sim-wechatpay-pub.pem"
[[ -s "$WORK/sim-wechatpay-pub.pem" && -s "$WORK/sim-merchant-key.pem" ]] || die "the simulator wrote no keys (see $OUT/sim.log)"

DB="$WORK/letao.db"
PORT=
free_port PORT
BASE="http://127.0.0.1:$PORT"
start_ours phone "$PORT" "sqlite://$DB" \
  LETAO__WECHAT_PAY__API_VERSION=v3 \
  LETAO__WECHAT_PAY__MERCHANT_PRIVATE_KEY="$WORK/sim-merchant-key.pem" \
  LETAO__WECHAT_PAY__MERCHANT_SERIAL=DEVSERIAL0001 \
  LETAO__WECHAT_PAY__PLATFORM_PUBLIC_KEY="$WORK/sim-wechatpay-pub.pem" \
  LETAO__WECHAT_PAY__PLATFORM_PUBLIC_KEY_ID=PUB_KEY_ID_0119000000002026010100000000000001 \
  LETAO__WECHAT_PAY__NOTIFY_URL="$BASE/pay/v3/notify" \
  LETAO__WECHAT_PAY__REFUND_NOTIFY_URL="$BASE/pay/v3/refund_notify" \
  LETAO__WECHAT__OAUTH_REDIRECT_URL="$BASE/wechat/oauth/callback" \
  LETAO__WECHAT__OAUTH_BASE_URL="$SIM_URL" \
  LETAO__WECHAT__API_BASE_URL="$SIM_URL" \
  LETAO__ORDERS__EXPIRY_INTERVAL_SECS=3600
TOKEN=$(token_of phone "$PORT" phone_bench 13900000003)
python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("UPDATE sku SET stock = 100000000 WHERE product_id = 1"); c.commit()' "$DB"

# The buyer's openid, by the OAuth round trip a phone inside WeChat makes.
JAR="$WORK/cookies.txt"
url=$(curl -fsS -c "$JAR" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"next":"/"}' "$BASE/wechat/oauth/start" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["url"])') ||
  die "POST /wechat/oauth/start failed"
back=$(curl -sS -o /dev/null -w '%{redirect_url}' "${url%#wechat_redirect}&sim_user=bench")
[[ "$back" == "$BASE/wechat/oauth/callback?"* ]] || die "the OAuth stand-in did not send the browser back ($back)"
[[ "$(curl -sS -b "$JAR" -o /dev/null -w '%{http_code}' "$back")" == 302 ]] || die "the OAuth callback refused the round trip"

count_orders() { # trade_type state
  python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute("SELECT COUNT(*) FROM payorder WHERE trade_type = ? AND trade_state = ?", (sys.argv[2], sys.argv[3])).fetchone()[0])' "$DB" "$1" "$2"
}

for kind in NATIVE JSAPI H5; do
  cat >"$WORK/$kind.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $TOKEN"
wrk.body = '{"items":[{"productId":1,"size":"40","quantity":1}],"tradeType":"$kind"}'
LUA
  log "$kind: POST /order for ${DURATION}s, $CONNECTIONS connections"
  wrk_run $((DURATION + 20)) "$OUT/$kind-order.wrk" -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$WORK/$kind.lua" "$BASE/order"
done

# Pay every order at the simulator (as the buyer's phone would), then wait
# until the shop has recorded each payment from its notification.
for kind in NATIVE JSAPI H5; do
  wechat=$kind
  [[ $kind == H5 ]] && wechat=MWEB
  python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print("\n".join(r[0] for r in c.execute("SELECT out_trade_no FROM payorder WHERE trade_type = ? AND trade_state = ?", (sys.argv[2], "NOTPAY"))))' \
    "$DB" "$wechat" >"$WORK/$kind-nos.txt"
  placed=$(wc -l <"$WORK/$kind-nos.txt")
  start=$(date +%s.%N)
  python3 - "$SIM_URL" "$WORK/$kind-nos.txt" <<'PY' || die "paying at the simulator failed"
import json, sys, urllib.request
from concurrent.futures import ThreadPoolExecutor
sim, nos = sys.argv[1], [l.strip() for l in open(sys.argv[2]) if l.strip()]
def pay(no):
    req = urllib.request.Request(sim + "/sim/pay", data=json.dumps({"out_trade_no": no}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        r.read()
with ThreadPoolExecutor(8) as ex:
    list(ex.map(pay, nos))
PY
  for _ in $(seq 1 600); do
    [[ "$(count_orders "$wechat" SUCCESS)" -ge "$placed" ]] && break
    sleep 0.1
  done
  paid=$(count_orders "$wechat" SUCCESS)
  secs=$(python3 -c "import sys,time; print('%.2f' % (time.time() - float(sys.argv[1])))" "$start")
  ((paid == placed)) || die "$kind: $paid of $placed orders recorded paid"
  printf '%-6s place %7s req/s  p50 %8s  p99 %8s  non-2xx %s  |  %s paid in %ss (%s payments/s)\n' "$kind" \
    "$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$OUT/$kind-order.wrk")" \
    "$(awk '$1 == "50%" {print $2}' "$OUT/$kind-order.wrk")" \
    "$(awk '$1 == "99%" {print $2}' "$OUT/$kind-order.wrk")" \
    "$(awk '/Non-2xx/ {print $NF}' "$OUT/$kind-order.wrk")" \
    "$placed" "$secs" "$(python3 -c "print('%.0f' % ($placed / max($secs, 0.01)))")" | tee -a "$OUT/results.txt"
done
log "results in $OUT"
