#!/usr/bin/env bash
# Search at two catalogue sizes: the demo catalogue grown to 300 products,
# and to ROWS (300,000 by default), on SQLite and MariaDB. The products
# added are copies of the 21 demo products (names numbered, same brands,
# the same 7 sizes with stock), written straight into the database; then
# `letao-server search rebuild` indexes them all, timed, with its peak
# memory (/usr/bin/time). Then, at 64 connections (`CONNS`, `DURATION`
# seconds each), one wrk run per URL and database:
#
#   /search?q=耐克 跑步鞋      words in Chinese (a brand and a name)
#   /search?q=nk&size=42      pinyin initials with the size filter
#   /search/suggest?q=nai     the search box's suggestions
#
# Prints requests/s and the latency percentiles of each, and the
# large catalogue's requests/s as a share of the small one's.
#
#   bash bench/search.sh              # ROWS=300000
#   ROWS=2000 bash bench/search.sh    # a quick run
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

ROWS=${ROWS:-300000}
SMALL=${SMALL:-300}
CONNS=${CONNS:-64}
DURATION=${DURATION:-10}
command -v mariadbd >/dev/null || die "mariadb-server is not installed (bash .ci/run installs it)"
need_wrk
build_ours
start_bench_mariadb
maria -e 'CREATE DATABASE letao_small CHARACTER SET utf8mb4; CREATE DATABASE letao_large CHARACTER SET utf8mb4'

MARIA="mysql://root:123456@127.0.0.1:$DB_PORT"
declare -A URL=(
  [sqlite-small]="sqlite://$WORK/small.db" [sqlite-large]="sqlite://$WORK/large.db"
  [maria-small]="$MARIA/letao_small" [maria-large]="$MARIA/letao_large"
)
declare -A PORT=() TOTAL=([sqlite-small]=$SMALL [maria-small]=$SMALL [sqlite-large]=$ROWS [maria-large]=$ROWS)
NAMES=(sqlite-small sqlite-large maria-small maria-large)
for name in "${NAMES[@]}"; do free_port "PORT[$name]"; done

# grow NAME: copies of the demo products up to TOTAL[NAME] products, each
# with the demo's sizes, 10 in stock each.
grow() {
  local name=$1 url=${URL[$1]} n=$((TOTAL[$1] - 21))
  ((n > 0)) || return 0
  log "$name: adding $n products"
  case "$url" in
    sqlite://*)
      python3 - "${url#sqlite://}" "$n" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], timeout=30)
n = int(sys.argv[2])
c.execute("""WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ?)
  INSERT INTO product (brand_id, name, img, price_fen, old_price_fen, sizes, stock, created_at)
  SELECT d.brand_id, d.name || ' ' || s.n, d.img, d.price_fen, d.old_price_fen, '', 0, CURRENT_TIMESTAMP
  FROM s JOIN product d ON d.id = (s.n % 21) + 1""", (n,))
c.execute("""INSERT INTO sku (product_id, size, code, stock, active, position)
  SELECT p.id, k.size, 'B' || p.id || '-' || k.size, 10, 1, k.position
  FROM product p JOIN sku k ON k.product_id = ((p.id - 1) % 21) + 1 WHERE p.id > 21""")
c.commit()
PY
      ;;
    mysql://*)
      maria "${url##*/}" -e "
        INSERT INTO product (brand_id, name, img, price_fen, old_price_fen, sizes, stock, created_at)
          SELECT d.brand_id, CONCAT(d.name, ' ', s.seq), d.img, d.price_fen, d.old_price_fen, '', 0, NOW()
          FROM seq_1_to_$n s JOIN product d ON d.id = (s.seq % 21) + 1;
        INSERT INTO sku (product_id, size, code, stock, active, position)
          SELECT p.id, k.size, CONCAT('B', p.id, '-', k.size), 10, 1, k.position
          FROM product p JOIN sku k ON k.product_id = ((p.id - 1) % 21) + 1 WHERE p.id > 21;
        ANALYZE TABLE product, sku;" >/dev/null
      ;;
  esac
}

printf '%-14s %9s %12s %12s\n' 'index' products 'rebuild s' 'peak RSS MB' | tee "$OUT/summary.txt"
for name in "${NAMES[@]}"; do
  # The first start migrates, fills in the demo catalogue and indexes it.
  start_ours "$name" "${PORT[$name]}" "${URL[$name]}"
  grow "$name"
  LETAO__DATABASE__URL="${URL[$name]}" LETAO__LOG__LEVEL=warn \
    /usr/bin/time -f '%e %M' -o "$OUT/$name-rebuild.time" "$LETAO_BIN" search rebuild >"$OUT/$name-rebuild.txt"
  read -r secs kib <"$OUT/$name-rebuild.time"
  printf '%-14s %9d %12s %12d\n' "$name" "${TOTAL[$name]}" "$secs" $((kib / 1024)) | tee -a "$OUT/summary.txt"
  if [[ $name == maria-* ]]; then maria "${URL[$name]##*/}" -e 'ANALYZE TABLE search_token' >/dev/null; fi
done

declare -A PATH_OF=(
  [words]="/search?q=%E8%80%90%E5%85%8B%20%E8%B7%91%E6%AD%A5%E9%9E%8B"
  [nk-42]="/search?q=nk&size=42"
  [suggest]="/search/suggest?q=nai"
)
printf '\n%-26s %10s %9s %9s %9s\n' "search, $CONNS conns" 'req/s' p50 p90 p99 | tee -a "$OUT/summary.txt"
declare -A RPS=()
for what in words nk-42 suggest; do
  for name in "${NAMES[@]}"; do
    url="http://127.0.0.1:${PORT[$name]}${PATH_OF[$what]}"
    curl -fsS "$url" >"$OUT/$name-$what.json" || die "$name: GET ${PATH_OF[$what]} failed"
    wrk_run 60 "$OUT/$name-$what-warmup.txt" -t2 -c"$CONNS" -d2s "$url"
    wrk_run $((DURATION + 60)) "$OUT/$name-$what.txt" -t2 -c"$CONNS" -d"${DURATION}s" --latency "$url"
    line=$(python3 - "$OUT/$name-$what.txt" "$name-$what" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
rps = re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
pct = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)", text, re.M))
note = f"  ({errors.group(1)} non-2xx)" if errors else ""
print(f"{sys.argv[2]:<26} {float(rps):>10,.0f} {pct.get('50', '-'):>9} {pct.get('90', '-'):>9} {pct.get('99', '-'):>9}{note}")
PY
    )
    tee -a "$OUT/summary.txt" <<<"$line"
    RPS[$name-$what]=$(awk '{gsub(",", "", $2); print $2}' <<<"$line")
  done
done

printf '\nlarge as a share of small (requests/s)\n' | tee -a "$OUT/summary.txt"
for db in sqlite maria; do
  for what in words nk-42 suggest; do
    awk -v a="${RPS[$db-large-$what]}" -v b="${RPS[$db-small-$what]}" -v n="$db-$what" \
      'BEGIN { printf "%-26s %9.0f%%\n", n, 100 * a / b }' | tee -a "$OUT/summary.txt"
  done
done
log "results in $OUT"
