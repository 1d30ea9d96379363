#!/usr/bin/env bash
# Catalogue benchmark: our server beside the original Koa server and a bare
# actix-web + diesel-async "ceiling", in one run of ../shared/peers/bench.sh.
#
# Starts a private MariaDB on 127.0.0.1 (root/123456, which bench.sh reuses),
# our release build three times (SQLite; MariaDB; MariaDB with the catalogue
# cache off), then bench.sh with our routes as EXTRA_URLS. Everything it
# started is stopped by PID at the end. Loopback only; each wrk run is
# bounded by bench.sh's timeouts.
#
#   bash bench/catalogue.sh                 # from the repository root
#   PEERS=/path/to/peers bash bench/catalogue.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

need_tools
build_ours
start_mariadb
start_ours sqlite 8080 "sqlite://$WORK/letao.db"
start_ours mariadb 8081 "mysql://root:123456@127.0.0.1:$DB_PORT/letao_rs"
start_ours mariadb-nocache 8082 "mysql://root:123456@127.0.0.1:$DB_PORT/letao_rs" LETAO__CATALOGUE__CACHE_TTL_MS=0

EXTRA_URLS="ours-sqlite-oneCategory http://127.0.0.1:8080/oneCategory
ours-sqlite-twoCategory http://127.0.0.1:8080/twoCategory?id=1
ours-maria-oneCategory http://127.0.0.1:8081/oneCategory
ours-maria-twoCategory http://127.0.0.1:8081/twoCategory?id=1
ours-nocache-oneCat http://127.0.0.1:8082/oneCategory
ours-nocache-twoCat http://127.0.0.1:8082/twoCategory?id=1
${EXTRA_URLS:-}" \
  DB_PORT=$DB_PORT KEEP_DB=1 OUT_DIR="$OUT" "$PEERS/bench.sh" | tee "$OUT/summary.txt"
log "results in $OUT"
