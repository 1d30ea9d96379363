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
ROOT=$PWD
PEERS=${PEERS:-$ROOT/../shared/peers}
DB_PORT=${DB_PORT:-3307}
OUT=${OUT_DIR:-/tmp/letao-bench/$(date +%Y%m%d-%H%M%S)}
WORK=$(mktemp -d /tmp/letao-bench-db.XXXXXX)
mkdir -p "$OUT"
STARTED=()
log() { printf '[bench] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
cleanup() {
  for pid in "${STARTED[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${STARTED[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[[ -x "$PEERS/bench.sh" ]] || die "no $PEERS/bench.sh"
command -v mariadbd >/dev/null || die "mariadb-server is not installed (bash .ci/run installs it)"
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

log "cargo build --release"
cargo build --release --quiet -p letao-server

log "starting MariaDB on 127.0.0.1:$DB_PORT"
mariadb-install-db --no-defaults --user="$(id -un)" --datadir="$WORK/data" \
  --auth-root-authentication-method=socket --skip-test-db >"$WORK/install.log" 2>&1
mariadbd --no-defaults --user="$(id -un)" --datadir="$WORK/data" --socket="$WORK/sock" \
  --port="$DB_PORT" --bind-address=127.0.0.1 --skip-name-resolve \
  --character-set-server=utf8mb4 --log-error="$WORK/err" >/dev/null 2>&1 &
STARTED+=($!)
for _ in $(seq 1 300); do
  mariadb-admin --no-defaults -uroot --socket="$WORK/sock" ping >/dev/null 2>&1 && break
  sleep 0.1
done
mariadb --no-defaults -uroot --socket="$WORK/sock" <<'SQL'
ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD('123456') OR unix_socket;
CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '123456';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
CREATE DATABASE letao_rs CHARACTER SET utf8mb4;
FLUSH PRIVILEGES;
SQL

start_ours() { # name port url ttl_ms
  local name=$1 port=$2 url=$3 ttl=$4
  LETAO_ENV=production LETAO__SERVER__ADDR="127.0.0.1:$port" LETAO__DATABASE__URL="$url" \
    LETAO__DATABASE__DEMO_DATA=true LETAO__CATALOGUE__CACHE_TTL_MS="$ttl" \
    LETAO__LOG__LEVEL=warn "$ROOT/target/release/letao-server" >"$OUT/$name.log" 2>&1 &
  STARTED+=($!)
  for _ in $(seq 1 100); do
    curl -fsS -o /dev/null "http://127.0.0.1:$port/ready" 2>/dev/null && return 0
    sleep 0.1
  done
  cat "$OUT/$name.log" >&2
  die "$name did not start"
}
rm -f "$WORK/letao.db"
start_ours sqlite 8080 "sqlite://$WORK/letao.db" 1000
start_ours mariadb 8081 "mysql://root:123456@127.0.0.1:$DB_PORT/letao_rs" 1000
start_ours mariadb-nocache 8082 "mysql://root:123456@127.0.0.1:$DB_PORT/letao_rs" 0

EXTRA_URLS="ours-sqlite-oneCategory http://127.0.0.1:8080/oneCategory
ours-sqlite-twoCategory http://127.0.0.1:8080/twoCategory?id=1
ours-maria-oneCategory http://127.0.0.1:8081/oneCategory
ours-maria-twoCategory http://127.0.0.1:8081/twoCategory?id=1
ours-nocache-oneCat http://127.0.0.1:8082/oneCategory
ours-nocache-twoCat http://127.0.0.1:8082/twoCategory?id=1
${EXTRA_URLS:-}" \
  DB_PORT=$DB_PORT KEEP_DB=1 OUT_DIR="$OUT" "$PEERS/bench.sh" | tee "$OUT/summary.txt"
log "results in $OUT"
