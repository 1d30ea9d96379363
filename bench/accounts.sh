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
start_mariadb
start_ours sqlite 8080 "sqlite://$WORK/letao.db"

# The bench user, registered through the API with the code from the outbox.
curl -fsS -H 'Content-Type: application/json' -d '{"mobile":"13900000001"}' http://127.0.0.1:8080/sms >/dev/null
code=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readlines()[-1])["params"][0])' "$WORK/sqlite-outbox.jsonl")
curl -fsS -H 'Content-Type: application/json' \
  -d "{\"username\":\"bench_user\",\"password\":\"bench-password-1\",\"mobile\":\"13900000001\",\"smscode\":\"$code\"}" \
  http://127.0.0.1:8080/register >/dev/null
OURS_TOKEN=$(curl -fsS -H 'Content-Type: application/json' \
  -d '{"username":"bench_user","password":"bench-password-1"}' http://127.0.0.1:8080/login |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
export OURS_TOKEN

EXTRA_URLS="ours-login http://127.0.0.1:8080/login $ROOT/bench/wrk/login.lua
ours-user-me http://127.0.0.1:8080/user/me $ROOT/bench/wrk/bearer.lua" \
  ONLY="koa-login koa-user-me ours-login ours-user-me" \
  DB_PORT=$DB_PORT KEEP_DB=1 OUT_DIR="$OUT" "$PEERS/bench.sh" | tee "$OUT/summary.txt"

log "p99 of /oneCategory while logins saturate the CPU"
timeout 40 wrk -t1 -c32 -d25s -s bench/wrk/login.lua http://127.0.0.1:8080/login >"$OUT/under-load-login.wrk" 2>&1 &
login_wrk=$!
sleep 5
timeout 30 wrk -t1 -c8 -d15s --latency http://127.0.0.1:8080/oneCategory >"$OUT/under-load-catalogue.wrk" 2>&1
wait "$login_wrk" || true
echo "--- /login during the run:"; grep -E "Requests/sec" "$OUT/under-load-login.wrk"
echo "--- /oneCategory while logins run:"; grep -E "Requests/sec|^ +(50|99)%" "$OUT/under-load-catalogue.wrk"
log "results in $OUT"
