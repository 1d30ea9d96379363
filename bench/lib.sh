# Shared by the benchmark scripts: a private MariaDB that
# ../shared/peers/bench.sh reuses (root/123456 on $DB_PORT), our release
# server, and cleanup of everything started (by PID).
# Source it from a script that has `set -euo pipefail` and cd'd to the root.

ROOT=$PWD
PEERS=${PEERS:-$ROOT/../shared/peers}
DB_PORT=${DB_PORT:-3307}
OUT=${OUT_DIR:-/tmp/letao-bench/$(date +%Y%m%d-%H%M%S)}
WORK=$(mktemp -d /tmp/letao-bench-work.XXXXXX)
mkdir -p "$OUT"
STARTED=()

log() { printf '[bench] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

cleanup() {
  local pid
  for pid in "${STARTED[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${STARTED[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

need_tools() {
  [[ -x "$PEERS/bench.sh" ]] || die "no $PEERS/bench.sh"
  command -v mariadbd >/dev/null || die "mariadb-server is not installed (bash .ci/run installs it)"
  command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
}

build_ours() {
  log "cargo build --release"
  cargo build --release --quiet -p letao-server
}

start_mariadb() {
  log "starting MariaDB on 127.0.0.1:$DB_PORT"
  mariadb-install-db --no-defaults --user="$(id -un)" --datadir="$WORK/db" \
    --auth-root-authentication-method=socket --skip-test-db >"$WORK/install.log" 2>&1
  mariadbd --no-defaults --user="$(id -un)" --datadir="$WORK/db" --socket="$WORK/sock" \
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
}

# start_ours NAME PORT DATABASE_URL [VAR=VALUE ...]: our release server with
# warn-level logs, the outbox SMS backend under $WORK, and the given settings.
start_ours() {
  local name=$1 port=$2 url=$3; shift 3
  env LETAO_ENV=development LETAO__SERVER__ADDR="127.0.0.1:$port" LETAO__DATABASE__URL="$url" \
    LETAO__SMS__OUTBOX="$WORK/$name-outbox.jsonl" LETAO__LOG__LEVEL=warn "$@" \
    "$ROOT/target/release/letao-server" >"$OUT/$name.log" 2>&1 &
  STARTED+=($!)
  for _ in $(seq 1 100); do
    curl -fsS -o /dev/null "http://127.0.0.1:$port/ready" 2>/dev/null && return 0
    sleep 0.1
  done
  cat "$OUT/$name.log" >&2
  die "$name did not start"
}

# token_of NAME PORT USERNAME MOBILE: registers USERNAME on server NAME
# (code from its outbox) and prints a token for it.
token_of() {
  local name=$1 port=$2 user=$3 mobile=$4 base="http://127.0.0.1:$2" code
  curl -fsS -H 'Content-Type: application/json' -d "{\"mobile\":\"$mobile\"}" "$base/sms" >/dev/null
  code=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readlines()[-1])["params"][0])' "$WORK/$name-outbox.jsonl")
  curl -fsS -H 'Content-Type: application/json' \
    -d "{\"username\":\"$user\",\"password\":\"bench-password-1\",\"mobile\":\"$mobile\",\"smscode\":\"$code\"}" \
    "$base/register" >/dev/null
  curl -fsS -H 'Content-Type: application/json' -d "{\"username\":\"$user\",\"password\":\"bench-password-1\"}" \
    "$base/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}

# maria SQL...: runs SQL as root on the private MariaDB.
maria() { mariadb --no-defaults -uroot --socket="$WORK/sock" "$@"; }
