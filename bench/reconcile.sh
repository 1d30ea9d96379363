#!/usr/bin/env bash
# Reconciliation benchmark: time and peak RSS of
#   letao-server reconcile --date D --bill-file PATH
# for a trade bill of ROWS payment rows against ROWS paid orders of that
# day, on SQLite and on MariaDB.
#   bash bench/reconcile.sh         (ROWS=100000 by default)
# D is yesterday (China time). The paid orders (order row with WeChat's
# payment facts, one line, `created` and `paid` events, as a notification
# leaves them) are inserted straight into each database; the bill is the
# `ALL` bill as WeChat sends it (UTF-8 BOM, CRLF, backtick fields, summary),
# one row per order with the same transaction id and amount, so every row
# must match: the command has to exit 0. Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
command -v mariadbd >/dev/null || die "mariadb-server is not installed (bash .ci/run installs it)"
[[ -x /usr/bin/time ]] || install_packages time

ROWS=${ROWS:-100000}
DATE=$(python3 -c 'import datetime as d; print((d.datetime.now(d.timezone.utc) + d.timedelta(hours=8)).date() - d.timedelta(days=1))')

log "cargo build --release"
cargo build --release --quiet -p letao-server
resolve_bin LETAO_BIN letao-server
start_bench_mariadb

# ours URL COMMAND...: the release binary with the environment the
# benchmark servers get (lib.sh's start_ours), warn-level logs.
ours() {
  local url=$1; shift
  env LETAO_ENV=development LETAO__DATABASE__URL="$url" LETAO__SMS__OUTBOX="$WORK/outbox.jsonl" \
    LETAO__LOG__LEVEL=warn "$LETAO_BIN" "$@"
}

# The orders (SQL for both backends) and the bill, from one generator.
python3 - "$ROWS" "$DATE" "$WORK/orders.sql" "$WORK/bill.csv" <<'PY'
import datetime, sys
rows, day = int(sys.argv[1]), datetime.date.fromisoformat(sys.argv[2])
appid, mch_id = "wx0000000000000000", "1900000000"
china_midnight = datetime.datetime.combine(day, datetime.time())  # China wall clock
created_at = china_midnight - datetime.timedelta(hours=8) + datetime.timedelta(minutes=1)  # UTC
created, expires = created_at.isoformat(" "), (created_at + datetime.timedelta(hours=2)).isoformat(" ")

def order(i):
    """Number, transaction id, amount (fen) and China payment time of order i."""
    paid = china_midnight + datetime.timedelta(seconds=60 + (i * 86000) // rows)
    return ("LT%s%016d" % (day.strftime("%Y%m%d") + "090000", i), "42%026d" % i, 100 + i % 9900, paid)

def yuan(fen):
    return "%s%d.%02d" % ("-" if fen < 0 else "", abs(fen) // 100, abs(fen) % 100)

def fee(fen):  # WeChat's 0.6%, half up, as the simulator's bills
    return (fen * 6 + 500) // 1000

with open(sys.argv[3], "w") as sql:
    sql.write("BEGIN;\n")
    for start in range(1, rows + 1, 500):
        ids = range(start, min(rows, start + 499) + 1)
        orders = [(i,) + order(i) for i in ids]
        sql.write("INSERT INTO payorder (id, appid, mch_id, nonce_str, body, out_trade_no, total_fee, "
                  "spbill_create_ip, trade_type, trade_state, user_id, total_fen, code_url, expires_at, "
                  "wx_transaction_id, paid_at, wx_time_end, wx_bank_type, cash_fen, wx_openid, "
                  "refund_pending, refunded_fen, created_at, updated_at) VALUES " + ",".join(
            "(%d,'%s','%s','n%d','bench','%s','%d','127.0.0.1','NATIVE','SUCCESS',NULL,%d,"
            "'weixin://wxpay/bizpayurl?pr=bench%d','%s','%s','%s','%s','CMC',%d,'oBench',0,0,'%s','%s')"
            % (i, appid, mch_id, i, no, fen, fen, i,
               expires,
               tx, (paid - datetime.timedelta(hours=8)).isoformat(" "), paid.strftime("%Y%m%d%H%M%S"),
               fen, created, (paid - datetime.timedelta(hours=8)).isoformat(" "))
            for i, no, tx, fen, paid in orders) + ";\n")
        sql.write("INSERT INTO order_item (order_id, product_id, name, unit_fen, quantity) VALUES "
                  + ",".join("(%d,1,'bench',%d,1)" % (i, fen) for i, _, _, fen, _ in orders) + ";\n")
        sql.write("INSERT INTO order_event (order_id, kind, detail, created_at) VALUES "
                  + ",".join("(%d,'created','%d','%s'),(%d,'paid','notify %s','%s')"
                             % (i, fen, created, i, tx, (paid - datetime.timedelta(hours=8)).isoformat(" "))
                             for i, _, tx, fen, paid in orders) + ";\n")
    sql.write("COMMIT;\n")

# The ALL bill: header, one backtick row per payment, summary header and row.
header = ("交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,"
          "付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,"
          "退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注")
total = fees = 0
with open(sys.argv[4], "w", encoding="utf-8", newline="") as bill:
    bill.write("\ufeff" + header + "\r\n")
    for i in range(1, rows + 1):
        no, tx, fen, paid = order(i)
        fields = [paid.strftime("%Y-%m-%d %H:%M:%S"), appid, mch_id, "0", "", tx, no, "oBench",
                  "NATIVE", "SUCCESS", "CMC", "CNY", yuan(fen), "0.00",
                  "0", "0", "0.00", "0.00", "", "",
                  "bench", "", yuan(fee(fen)), "0.60%", yuan(fen), "0.00", ""]
        bill.write(",".join("`" + f for f in fields) + "\r\n")
        total += fen
        fees += fee(fen)
    bill.write("总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\r\n")
    bill.write(",".join("`" + f for f in [str(rows), yuan(total), "0.00", "0.00", yuan(fees), yuan(total), "0.00"]) + "\r\n")
PY
log "bill of $DATE: $ROWS rows, $(du -h "$WORK/bill.csv" | cut -f1)"

run_backend() { # name url
  local name=$1 url=$2
  ours "$url" migrate >"$OUT/$name-migrate.log" 2>&1 || { cat "$OUT/$name-migrate.log" >&2; die "$name: migrate failed"; }
  log "$name: $ROWS paid orders"
  case "$url" in
    sqlite://*) python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(open(sys.argv[2]).read()); c.close()' \
      "${url#sqlite://}" "$WORK/orders.sql" ;;
    mysql://*) maria letao_rs <"$WORK/orders.sql" ;;
  esac
  log "$name: reconcile --date $DATE"
  local status=0
  /usr/bin/time -v -o "$OUT/$name.time" env LETAO_ENV=development LETAO__DATABASE__URL="$url" \
    LETAO__SMS__OUTBOX="$WORK/outbox.jsonl" LETAO__LOG__LEVEL=warn \
    "$LETAO_BIN" reconcile --date "$DATE" --bill-file "$WORK/bill.csv" \
    >"$OUT/$name.out" 2>"$OUT/$name.err" || status=$?
  local secs rss
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%.2f", s}' "$OUT/$name.time")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2 / 1024}' "$OUT/$name.time")
  printf '%-8s %8s %8s %8s   exit %s: %s\n' "$name" "$ROWS" "$secs" "$rss" "$status" \
    "$(head -n1 "$OUT/$name.out")" | tee -a "$OUT/results.txt"
  if ((status != 0)); then
    FAILED=1
    head -n 20 "$OUT/$name.out" "$OUT/$name.err" >&2
  fi
}

FAILED=0
printf '%-8s %8s %8s %8s   %s\n' backend rows seconds rss_MiB result | tee -a "$OUT/results.txt"
run_backend sqlite "sqlite://$WORK/letao.db"
run_backend mariadb "mysql://root:123456@127.0.0.1:$DB_PORT/letao_rs"
log "results in $OUT"
exit "$FAILED"
