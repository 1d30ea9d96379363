#!/usr/bin/env bash
# Accounts benchmark (SQLite, production argon2 costs):
#  1. logins/s and /user/me req/s + p99, ours beside the original Koa server,
#     in one run of ../shared/peers/bench.sh;
#  2. the argon2 limit: one hash per core (cargo run --example hash_rate);
#  3. the p99 of /oneCategory while logins saturate the CPU.
#   bash bench/accounts.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

need_tools
build_ours
log "argon2 rate (one core)"
cargo run --release --quiet -p letao-auth --example hash_rate | tee "$OUT/hash_rate.txt"
start_bench_mariadb
free_port PORT
# shellcheck disable=SC2153 # set by free_port
BASE="http://127.0.0.1:$PORT"
start_ours sqlite "$PORT" "sqlite://$WORK/letao.db"

# The bench user, registered through the API with the code from the outbox.
OURS_TOKEN=$(token_of sqlite "$PORT" bench_user 13900000001)
export OURS_TOKEN

EXTRA_URLS="ours-login $BASE/login $ROOT/bench/wrk/login.lua
ours-user-me $BASE/user/me $ROOT/bench/wrk/bearer.lua" \
  ONLY="koa-login koa-user-me ours-login ours-user-me" peers_bench

log "p99 of /oneCategory while logins saturate the CPU"
wrk_start 40 "$OUT/under-load-login.wrk" -t1 -c32 -d25s -s bench/wrk/login.lua "$BASE/login"
login_wrk=$WRK_PID
sleep 5
wrk_run 30 "$OUT/under-load-catalogue.wrk" -t1 -c8 -d15s --latency "$BASE/oneCategory"
wrk_wait "$login_wrk" "$OUT/under-load-login.wrk"
echo "--- /login during the run:"; grep -E "Requests/sec" "$OUT/under-load-login.wrk"
echo "--- /oneCategory while logins run:"; grep -E "Requests/sec|^ +(50|99)%" "$OUT/under-load-catalogue.wrk"
log "results in $OUT"
