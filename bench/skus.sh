#!/usr/bin/env bash
# Sizes and the cart: `GET /products/{id}` of a product sold in 12 sizes
# beside `/banners` (both cached, in one run), then one buyer's `GET /cart`
# with 20 lines and `PUT /cart/lines/{id}` (every connection the same
# buyer: each write waits for the buyer's lock), at 64 connections, on
# SQLite and MariaDB.
#   bash bench/skus.sh          # DURATION=10 by default
# Loopback only; every wrk run is bounded by timeout.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
need_wrk
command -v mariadbd >/dev/null || die "mariadb-server is not installed (bash .ci/run installs it)"

DURATION=${DURATION:-10}
CONNS=${CONNS:-64}
build_ours
start_bench_mariadb

# summary NAME FILE: one line of the table from a wrk output.
summary() {
  python3 - "$2" "$1" <<'PY' | tee -a "$OUT/summary.txt"
import re, sys
text = open(sys.argv[1]).read()
rps = re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)
pct = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)", text, re.M))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
print(f"{sys.argv[2]:<24} {float(rps):>10,.0f} {pct.get('50', '-'):>9} {pct.get('99', '-'):>9} {errors.group(1) if errors else 0:>7}")
PY
}

run() { # name url [wrk args...]
  local name=$1 url=$2
  shift 2
  wrk_run 60 "$OUT/$name-warmup.wrk" -t2 -c"$CONNS" -d3s "$@" "$url"
  wrk_run $((DURATION + 60)) "$OUT/$name.wrk" -t2 -c"$CONNS" -d"${DURATION}s" --latency "$@" "$url"
  summary "$name" "$OUT/$name.wrk"
}

printf '%-24s %10s %9s %9s %7s\n' "target ($CONNS conns)" 'req/s' p50 p99 non-2xx | tee -a "$OUT/summary.txt"
for db in sqlite maria; do
  port=
  free_port port
  case $db in
    sqlite) url="sqlite://$WORK/skus.db" ;;
    maria) url="mysql://root:123456@127.0.0.1:$DB_PORT/letao_rs" ;;
  esac
  start_ours "$db" "$port" "$url"
  base="http://127.0.0.1:$port"
  token=$(token_of "$db" "$port" sku_bench 13900000005)
  LETAO__DATABASE__URL="$url" LETAO__LOG__LEVEL=warn "$ROOT/target/release/letao-server" grant-admin sku_bench >/dev/null
  # A product in 12 sizes.
  skus=$(python3 -c 'import json; print(json.dumps([{"size": str(s), "stock": 50} for s in range(35, 47)]))')
  product=$(curl -fsS -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d "{\"brandId\":1,\"name\":\"十二码跑鞋\",\"img\":\"/images/product1.svg\",\"price\":\"399.00\",\"oldPrice\":\"499.00\",\"skus\":$skus}" \
    "$base/admin/products" | python3 -c 'import json,sys; print(json.load(sys.stdin)["product"]["id"])')
  # 20 cart lines: the demo products' first sizes.
  sku_ids=$(curl -fsS "$base/products?pageSize=20" | python3 -c '
import json, sys, urllib.request
base = sys.argv[1]
for p in json.load(sys.stdin)["products"][:20]:
    detail = json.load(urllib.request.urlopen("%s/products/%d" % (base, p["id"])))
    print(detail["product"]["skus"][0]["id"])' "$base")
  for id in $sku_ids; do
    curl -fsS -X PUT -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
      -d '{"quantity":1}' "$base/cart/lines/$id" >/dev/null
  done
  lines=$(curl -fsS -H "Authorization: Bearer $token" "$base/cart" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["cart"]["lines"]))')
  [[ $lines == 20 ]] || die "$db: the cart has $lines lines, not 20"
  first=${sku_ids%%$'\n'*}
  export OURS_TOKEN=$token
  cat >"$WORK/put.lua" <<LUA
wrk.method = "PUT"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
wrk.body = '{"quantity":2}'
LUA
  run "$db-banners" "$base/banners"
  run "$db-product-12-sizes" "$base/products/$product"
  run "$db-cart-20-lines" "$base/cart" -s bench/wrk/bearer.lua
  run "$db-cart-put-line" "$base/cart/lines/$first" -s "$WORK/put.lua"
  stop_pid "${PID_OF[$db]}"
done
log "results in $OUT"
