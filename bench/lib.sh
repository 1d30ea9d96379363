# shellcheck shell=bash
# bench/lib.sh: what the benchmark scripts share on top of scripts/lib/
# (free ports, the private MariaDB, the simulator and the shop, all stopped
# by PID at exit): a MariaDB that ../shared/peers/bench.sh reuses
# (root/123456 over TCP), our release server in benchmark settings, wrk
# runs that fail the script when wrk fails, and runs of
# ../shared/peers/bench.sh checked the same way. Source it from a script
# that has `set -euo pipefail` and cd'd to the repository's root.
#
#   OUT                  results (OUT_DIR, default /tmp/letao-bench/<time>)
#   WORK                 scratch, removed at exit
#   need_tools           ../shared/peers/bench.sh, MariaDB and wrk (installed if missing)
#   need_wrk             wrk (installed if missing)
#   build_ours           cargo build --release -p letao-server
#   start_bench_mariadb  start_mariadb under WORK, root/123456 over TCP,
#                        database letao_rs; sets DB_PORT
#   maria [ARG...]       the mariadb client as root over the socket
#   start_ours NAME PORT URL [VAR=VALUE...]
#                        our release server on PORT (free_port) and database
#                        URL, warn-level logs to OUT/NAME.log, the outbox
#                        SMS backend under WORK, WeChat Pay at SIM_URL (when
#                        a simulator runs) notifying PORT; sets PID_OF[NAME]
#   token_of NAME PORT USERNAME MOBILE   registers USERNAME, prints a token
#   wrk_run LIMIT FILE WRK_ARG...        one wrk run, killed after LIMIT s,
#                        output to FILE; see wrk_wait
#   wrk_start LIMIT FILE WRK_ARG...      the same in the background; sets WRK_PID
#   wrk_wait PID FILE    fails the script when wrk exited non-zero (124: it
#                        ran out of time), printed no Requests/sec, or when
#                        a server started here died meanwhile
#   peers_bench          ../shared/peers/bench.sh with EXTRA_URLS and ONLY,
#                        on this MariaDB, with free ports for its own
#                        servers; its table to stdout and OUT/summary.txt;
#                        checked like wrk_wait for every target it ran

ROOT=$PWD
LOG_TAG=bench
# shellcheck source=scripts/lib/databases.sh
source "$ROOT/scripts/lib/databases.sh"
# shellcheck source=scripts/lib/services.sh
source "$ROOT/scripts/lib/services.sh"

PEERS=${PEERS:-$ROOT/../shared/peers}
OUT=${OUT_DIR:-/tmp/letao-bench/$(date +%Y%m%d-%H%M%S)}
# cargo takes an OUT_DIR in its environment for a change and rebuilds the
# whole workspace; bench.sh gets OUT_DIR passed explicitly.
unset OUT_DIR
make_workdir letao-bench-work /tmp
mkdir -p "$OUT"
declare -A PID_OF=()

need_wrk() {
  command -v wrk >/dev/null || install_packages wrk
}

need_tools() {
  [[ -x "$PEERS/bench.sh" ]] || die "no $PEERS/bench.sh"
  command -v mariadbd >/dev/null || die "mariadb-server is not installed (bash .ci/run installs it)"
  need_wrk
}

build_ours() {
  log "cargo build --release"
  cargo build --release --quiet -p letao-server
}

start_bench_mariadb() {
  start_mariadb "$WORK/mariadb"
  DB_PORT=$MARIADB_PORT
  # shellcheck disable=SC2119 # no arguments: SQL on stdin
  maria <<'SQL'
ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD('123456') OR unix_socket;
CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '123456';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
CREATE DATABASE letao_rs CHARACTER SET utf8mb4;
FLUSH PRIVILEGES;
SQL
}

# shellcheck disable=SC2120 # arguments are optional
maria() { mariadb_root "$@"; }

start_ours() {
  local name=$1 port=$2 url=$3
  shift 3
  # WeChat Pay at this run's simulator, if any, and back to this server,
  # rather than at the configuration's fixed ports.
  local pay=(LETAO__WECHAT_PAY__NOTIFY_URL="http://127.0.0.1:$port/pay/notify"
    LETAO__WECHAT_PAY__REFUND_NOTIFY_URL="http://127.0.0.1:$port/pay/refund_notify")
  [[ -z "${SIM_URL:-}" ]] || pay+=(LETAO__WECHAT_PAY__BASE_URL="$SIM_URL")
  start_shop "$name" "$port" "$OUT/$name.log" LETAO_ENV=development LETAO__DATABASE__URL="$url" \
    LETAO__SMS__OUTBOX="$WORK/$name-outbox.jsonl" LETAO__LOG__LEVEL=warn "${pay[@]}" "$@"
  # shellcheck disable=SC2034 # for the caller
  PID_OF[$name]=$SHOP_PID
}

token_of() {
  local name=$1 base="http://127.0.0.1:$2" user=$3 mobile=$4 code
  curl -fsS -H 'Content-Type: application/json' -d "{\"mobile\":\"$mobile\"}" "$base/sms" >/dev/null ||
    die "$name: POST /sms failed"
  code=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readlines()[-1])["params"][0])' \
    "$WORK/$name-outbox.jsonl") || die "$name: no code in the SMS outbox"
  curl -fsS -H 'Content-Type: application/json' \
    -d "{\"username\":\"$user\",\"password\":\"bench-password-1\",\"mobile\":\"$mobile\",\"smscode\":\"$code\"}" \
    "$base/register" >/dev/null || die "$name: POST /register failed"
  curl -fsS -H 'Content-Type: application/json' -d "{\"username\":\"$user\",\"password\":\"bench-password-1\"}" \
    "$base/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])' ||
    die "$name: POST /login gave no token"
}

wrk_start() {
  local limit=$1 file=$2
  shift 2
  timeout "$limit" wrk "$@" >"$file" 2>&1 &
  WRK_PID=$!
  track_job "$WRK_PID" wrk
}

wrk_wait() {
  local pid=$1 file=$2 status=0
  wait "$pid" || status=$?
  forget_pid "$pid"
  if ((status != 0)); then
    tail -n 5 "$file" >&2
    ((status == 124)) && die "wrk ran out of time (see $file)"
    die "wrk failed with exit status $status (see $file)"
  fi
  grep -q '^Requests/sec:' "$file" || { tail -n 5 "$file" >&2; die "wrk printed no Requests/sec (see $file)"; }
  assert_alive
}

wrk_run() {
  wrk_start "$@"
  wrk_wait "$WRK_PID" "$2"
}

peers_bench() {
  local koa_port ceil_port status=0 names=() name
  free_port koa_port
  free_port ceil_port
  EXTRA_URLS="${EXTRA_URLS:-}" ONLY="${ONLY:-}" DB_PORT=$DB_PORT KOA_PORT=$koa_port CEIL_PORT=$ceil_port \
    KEEP_DB=1 OUT_DIR="$OUT" "$PEERS/bench.sh" | tee "$OUT/summary.txt" || status=$?
  ((status == 0)) || die "$PEERS/bench.sh failed (exit status $status)"
  # bench.sh only logs a wrk run that failed: its table would show a dash.
  if [[ -n "${ONLY:-}" ]]; then
    read -ra names <<<"$ONLY"
  else
    names=(koa-oneCategory koa-twoCategory koa-banners koa-login koa-user-me ceiling-json ceiling-db)
    while read -r name _; do
      [[ -z "$name" || "$name" == \#* ]] || names+=("$name")
    done <<<"${EXTRA_URLS:-}"
  fi
  for name in "${names[@]}"; do
    grep -q '^Requests/sec:' "$OUT/$name.wrk" 2>/dev/null ||
      die "bench.sh's wrk run of $name failed (see $OUT/$name.wrk)"
  done
  assert_alive
}
