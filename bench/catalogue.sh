#!/usr/bin/env bash
# Catalogue benchmark: our server beside the original Koa server and a bare
# actix-web + diesel-async "ceiling", in one run of ../shared/peers/bench.sh.
#
# Starts a private MariaDB on 127.0.0.1 (root/123456, which bench.sh reuses),
# our release build three times (SQLite; MariaDB; MariaDB with the catalogue
# cache off), each on a free port, then bench.sh with our routes as
# EXTRA_URLS. Everything it started is stopped by PID at the end. Loopback
# only; each wrk run is bounded by bench.sh's timeouts.
#
#   bash bench/catalogue.sh                 # from the repository root
#   PEERS=/path/to/peers bash bench/catalogue.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

need_tools
build_ours
start_bench_mariadb
declare -A PORT=()
for name in sqlite mariadb mariadb-nocache; do free_port "PORT[$name]"; done
start_ours sqlite "${PORT[sqlite]}" "sqlite://$WORK/letao.db"
start_ours mariadb "${PORT[mariadb]}" "mysql://root:123456@127.0.0.1:$DB_PORT/letao_rs"
start_ours mariadb-nocache "${PORT[mariadb-nocache]}" "mysql://root:123456@127.0.0.1:$DB_PORT/letao_rs" \
  LETAO__CATALOGUE__CACHE_TTL_MS=0

EXTRA_URLS="ours-sqlite-oneCategory http://127.0.0.1:${PORT[sqlite]}/oneCategory
ours-sqlite-twoCategory http://127.0.0.1:${PORT[sqlite]}/twoCategory?id=1
ours-maria-oneCategory http://127.0.0.1:${PORT[mariadb]}/oneCategory
ours-maria-twoCategory http://127.0.0.1:${PORT[mariadb]}/twoCategory?id=1
ours-nocache-oneCat http://127.0.0.1:${PORT[mariadb-nocache]}/oneCategory
ours-nocache-twoCat http://127.0.0.1:${PORT[mariadb-nocache]}/twoCategory?id=1
${EXTRA_URLS:-}" peers_bench
log "results in $OUT"
