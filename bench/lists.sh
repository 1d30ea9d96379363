#!/usr/bin/env bash
# Lists at any table size: `/products?brandId=1` and `GET /admin/orders`
# (an admin's first page, no filter) with the demo catalogue and 20 more
# products in brand 1 and 20 orders,
# and with 300,000 more products in brand 1 and 300,000 orders, on SQLite
# and MariaDB, in one run of ../shared/peers/bench.sh (64 connections).
# The `-nocache` rows read every product page from the database
# (catalogue.cache_ttl_ms = 0); the others run with the default settings.
# The `-deep` rows are the deepest numbered page a list serves
# (`page=500&pageSize=20`: rows 9,981 to 10,000) of the large brand, from
# the database.
#
# Then the owner's order list with 300,000 orders at 16 connections (the
# staff of a shop) on SQLite, MariaDB and PostgreSQL, one wrk run each
# (`OWNER_CONNS`, `DURATION`): its requests/s and latency percentiles.
#
#   bash bench/lists.sh            # ROWS=300000 by default
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

ROWS=${ROWS:-300000}
need_tools
build_ours
start_bench_mariadb
maria -e 'CREATE DATABASE letao_small CHARACTER SET utf8mb4; CREATE DATABASE letao_large CHARACTER SET utf8mb4'
PG_PASS=bench-$RANDOM$RANDOM
# PostgreSQL runs as the postgres account, which must reach its folder.
chmod 755 "$WORK"
start_postgres "$WORK/postgres" "$PG_PASS" -c max_connections=200 -c shared_buffers=256MB
pg() { PGPASSWORD=$PG_PASS "$PG_BIN/psql" -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$POSTGRES_PORT" -U postgres "$@"; }
pg -c 'CREATE DATABASE letao_large'

MARIA="mysql://root:123456@127.0.0.1:$DB_PORT"
declare -A URL=(
  [sqlite-20]="sqlite://$WORK/small.db" [sqlite-big]="sqlite://$WORK/large.db"
  [maria-20]="$MARIA/letao_small" [maria-big]="$MARIA/letao_large"
  [pg-big]="postgres://postgres:$PG_PASS@127.0.0.1:$POSTGRES_PORT/letao_large"
)
declare -A PORT=()
for name in sqlite-20 sqlite-big maria-20 maria-big pg-big sqlite-big-nocache maria-big-nocache \
  sqlite-20-nocache maria-20-nocache; do
  free_port "PORT[$name]"
done

# seed NAME PRODUCTS ORDERS: that many copies of product 1 in brand 1 and
# paid orders of the admin, straight into the database, each with one line
# in `items` as the server writes it.
seed() {
  local name=$1 p=$2 n=$3 url=${URL[$1]}
  log "$name: seeding $p products and $n orders"
  case "$url" in
    sqlite://*)
      python3 - "${url#sqlite://}" "$p" "$n" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], timeout=30)
p, n = int(sys.argv[2]), int(sys.argv[3])
ITEMS = '[{"product_id":1,"name":"bench","unit_fen":19900,"quantity":1}]'
uid = c.execute('SELECT id FROM "user" WHERE username = ?', ("bench_admin",)).fetchone()[0]
c.execute("""WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ?)
  INSERT INTO product (brand_id, name, img, price_fen, old_price_fen, sizes, stock)
  SELECT 1, p.name || ' ' || s.n, p.img, p.price_fen, p.old_price_fen, p.sizes, p.stock
  FROM s, product p WHERE p.id = 1 AND ? > 0""", (max(p, 1), p))
c.execute("""WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ?)
  INSERT INTO payorder (appid, mch_id, nonce_str, body, out_trade_no, total_fee, spbill_create_ip,
    trade_type, trade_state, user_id, total_fen, paid_at, items)
  SELECT 'wx0000000000000000', '1900000000', 'n' || s.n, 'bench', printf('B%020d', s.n), '19900',
    '127.0.0.1', 'NATIVE', 'SUCCESS', ?, 19900, CURRENT_TIMESTAMP, ? FROM s""", (n, uid, ITEMS))
c.commit()
PY
      ;;
    mysql://*)
      maria "${url##*/}" -e "
        SET @uid = (SELECT id FROM \`user\` WHERE username = 'bench_admin');
        INSERT INTO product (brand_id, name, img, price_fen, old_price_fen, sizes, stock)
          SELECT 1, CONCAT(p.name, ' ', s.seq), p.img, p.price_fen, p.old_price_fen, p.sizes, p.stock
          FROM seq_1_to_$((p > 0 ? p : 1)) s, product p WHERE p.id = 1 AND $p > 0;
        INSERT INTO payorder (appid, mch_id, nonce_str, body, out_trade_no, total_fee, spbill_create_ip,
            trade_type, trade_state, user_id, total_fen, paid_at, items)
          SELECT 'wx0000000000000000', '1900000000', CONCAT('n', s.seq), 'bench', CONCAT('B', LPAD(s.seq, 20, '0')),
            '19900', '127.0.0.1', 'NATIVE', 'SUCCESS', @uid, 19900, NOW(6),
            '[{\"product_id\":1,\"name\":\"bench\",\"unit_fen\":19900,\"quantity\":1}]'
          FROM seq_1_to_$n s;
        ANALYZE TABLE product, payorder;" >/dev/null
      ;;
    postgres://*)
      pg -d "${url##*/}" -c "
        INSERT INTO product (brand_id, name, img, price_fen, old_price_fen, sizes, stock)
          SELECT 1, p.name || ' ' || s, p.img, p.price_fen, p.old_price_fen, p.sizes, p.stock
          FROM generate_series(1, $p) s, product p WHERE p.id = 1;
        INSERT INTO payorder (appid, mch_id, nonce_str, body, out_trade_no, total_fee, spbill_create_ip,
            trade_type, trade_state, user_id, total_fen, paid_at, items)
          SELECT 'wx0000000000000000', '1900000000', 'n' || s, 'bench', 'B' || lpad(s::text, 20, '0'),
            '19900', '127.0.0.1', 'NATIVE', 'SUCCESS',
            (SELECT id FROM \"user\" WHERE username = 'bench_admin'), 19900, now(),
            '[{\"product_id\":1,\"name\":\"bench\",\"unit_fen\":19900,\"quantity\":1}]'
          FROM generate_series(1, $n) s;
        ANALYZE product; ANALYZE payorder;" >/dev/null
      ;;
  esac
}

for name in sqlite-20 sqlite-big maria-20 maria-big pg-big; do
  start_ours "$name" "${PORT[$name]}" "${URL[$name]}"
  TOKEN=$(token_of "$name" "${PORT[$name]}" bench_admin 13900000003)
  LETAO__DATABASE__URL="${URL[$name]}" LETAO__LOG__LEVEL=warn \
    "$LETAO_BIN" grant-admin bench_admin --role admin >/dev/null
  # The small tables: the demo catalogue with 20 more products in brand 1
  # (which has 3 of its own: a first page of 20 is full on both sizes, so
  # both replies are the same size) and 20 orders.
  case $name in *-20) seed "$name" 20 20 ;; *) seed "$name" "$ROWS" "$ROWS" ;; esac
  # The same user id (the first user) in every database: one token serves all.
  export OURS_TOKEN=$TOKEN
done
for name in sqlite-big maria-big sqlite-20 maria-20; do
  start_ours "$name-nocache" "${PORT[$name-nocache]}" "${URL[$name]}" LETAO__CATALOGUE__CACHE_TTL_MS=0
done

for name in sqlite-20 sqlite-big maria-20 maria-big pg-big; do
  curl -fsS -H "Authorization: Bearer $OURS_TOKEN" "http://127.0.0.1:${PORT[$name]}/admin/orders" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(sys.argv[1], "orders total", d["total"], file=sys.stderr)' "$name"
done

EXTRA_URLS=""
for db in sqlite maria; do
  EXTRA_URLS+="$db-20-brand http://127.0.0.1:${PORT[$db-20]}/products?brandId=1
$db-300k-brand http://127.0.0.1:${PORT[$db-big]}/products?brandId=1
$db-20-brand-nc http://127.0.0.1:${PORT[$db-20-nocache]}/products?brandId=1
$db-300k-brand-nc http://127.0.0.1:${PORT[$db-big-nocache]}/products?brandId=1
$db-300k-deep http://127.0.0.1:${PORT[$db-big-nocache]}/products?brandId=1&page=500&pageSize=20
$db-20-orders http://127.0.0.1:${PORT[$db-20]}/admin/orders $ROOT/bench/wrk/bearer.lua
$db-300k-orders http://127.0.0.1:${PORT[$db-big]}/admin/orders $ROOT/bench/wrk/bearer.lua
"
done
ONLY=$(awk '{printf "%s ", $1}' <<<"$EXTRA_URLS")
peers_bench

# The owner's list at the staff's concurrency, on the three databases.
OWNER_CONNS=${OWNER_CONNS:-16}
DURATION=${DURATION:-10}
printf '\n%-22s %10s %9s %9s %9s\n' "owner's list, $OWNER_CONNS conns" 'req/s' p50 p90 p99 | tee -a "$OUT/summary.txt"
for name in sqlite-big maria-big pg-big; do
  url="http://127.0.0.1:${PORT[$name]}/admin/orders"
  wrk_run 60 "$OUT/$name-owner-warmup.txt" -t2 -c"$OWNER_CONNS" -d3s -s bench/wrk/bearer.lua "$url"
  wrk_run $((DURATION + 60)) "$OUT/$name-owner.txt" -t2 -c"$OWNER_CONNS" -d"${DURATION}s" --latency \
    -s bench/wrk/bearer.lua "$url"
  python3 - "$OUT/$name-owner.txt" "$name" <<'PY' | tee -a "$OUT/summary.txt"
import re, sys
text = open(sys.argv[1]).read()
rps = re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)
pct = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)", text, re.M))
print(f"{sys.argv[2] + '-orders':<22} {float(rps):>10,.0f} {pct.get('50', '-'):>9} {pct.get('90', '-'):>9} {pct.get('99', '-'):>9}")
PY
done
log "results in $OUT"
