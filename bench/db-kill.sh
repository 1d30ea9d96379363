#!/usr/bin/env bash
# Database-kill benchmark: MariaDB killed with SIGKILL under load, restarted
# 3 s later, while the server keeps running. Reports the 500 replies (target
# 0), the 503 replies, and the seconds from MariaDB's restart to the first
# 200 of each kind of request (target < 2 s).
#
#   bash bench/db-kill.sh              # from anywhere; RUNS=3 kills by default
#   RUNS=1 DURATION=20 bash bench/db-kill.sh
#
# Starts a private MariaDB (bench/lib.sh, on a free port), the WeChat Pay
# simulator and our release server on it (catalogue cache off, so every
# read reaches the database), registers a buyer, then per run puts wrk
# load on it for DURATION seconds (default 20) with 16 connections in all:
# 6 on GET /products/1, 5 on GET /oneCategory, 5 on POST /order. At +5 s
# MariaDB gets SIGKILL; at +8 s it is started again on the same data.
# Every reply is logged with its time; the table is computed from those
# logs. Everything started is stopped by PID at the end. Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
need_wrk
command -v mariadbd >/dev/null || die "mariadb-server is not installed (bash .ci/run installs it)"

RUNS=${RUNS:-3}
DURATION=${DURATION:-20}
KILL_AT=5
DOWN_FOR=3
LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)

now_ms() { date +%s%3N; }
sleep_until() { # unix ms
  local left=$(($1 - $(now_ms)))
  ((left > 0)) && sleep "$(awk -v l="$left" 'BEGIN { printf "%.3f", l / 1000 }')"
  return 0
}

log "cargo build --release (letao-server, wechat-pay-sim)"
cargo build --release --quiet -p letao-server -p wechat-pay-sim
start_bench_mariadb
# restart_mariadb (scripts/lib/databases.sh) starts the same server again
# on the same data; mariadb_ready tells when it answers.

start_simulator "$OUT/sim.log" --retry-scale 0.001

free_port PORT
# shellcheck disable=SC2153 # set by free_port
BASE="http://127.0.0.1:$PORT"
start_ours dbkill "$PORT" "mysql://root:123456@127.0.0.1:$DB_PORT/letao_rs" \
  LETAO__CATALOGUE__CACHE_TTL_MS=0 \
  LETAO__WECHAT_PAY__BASE_URL="$SIM_URL" \
  LETAO__WECHAT_PAY__NOTIFY_URL="$BASE/pay/notify" \
  LETAO__ORDERS__EXPIRY_INTERVAL_SECS=3600
SERVER_PID=${PID_OF[dbkill]}

TOKEN=$(token_of dbkill "$PORT" kill_bench 13900000003)
maria letao_rs -e 'UPDATE sku SET stock = 100000000'

# One wrk script for the three kinds: METHOD and BODY from the environment;
# every reply is logged by its thread as "<unix ms> <status>" to REPLIES.<n>.
cat >"$WORK/replies.lua" <<'LUA'
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_usec; } letao_timeval;
int gettimeofday(letao_timeval *tv, void *tz);
]]
local tv = ffi.new("letao_timeval")
local function now_ms()
  ffi.C.gettimeofday(tv, nil)
  return tonumber(tv.tv_sec) * 1000 + math.floor(tonumber(tv.tv_usec) / 1000)
end
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end
local out
function init(args)
  out = assert(io.open(os.getenv("REPLIES") .. "." .. id, "w"))
  wrk.method = os.getenv("METHOD") or "GET"
  if wrk.method == "POST" then
    wrk.body = os.getenv("BODY")
    wrk.headers["Content-Type"] = "application/json"
    wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
  end
end
function response(status, headers, body)
  out:write(now_ms(), " ", status, "\n")
end
LUA

declare -A WRK_OUT=()
load() { # run: three wrk processes in the background, 16 connections in all
  local run=$1 kind conns path method body
  WRK_PIDS=()
  for kind in read list order; do
    case $kind in
      read) conns=6 path=/products/1 method=GET body="" ;;
      list) conns=5 path=/oneCategory method=GET body="" ;;
      order) conns=5 path=/order method=POST body='{"items":[{"productId":1,"size":"40","quantity":1}]}' ;;
    esac
    REPLIES="$WORK/replies-$run-$kind" METHOD=$method BODY="$body" TOKEN="$TOKEN" \
      wrk_start $((DURATION + 30)) "$OUT/wrk-$run-$kind.txt" -t1 -c"$conns" -d"${DURATION}s" --timeout 10s \
      -s "$WORK/replies.lua" "$BASE$path"
    WRK_PIDS+=("$WRK_PID")
    WRK_OUT[$WRK_PID]="$OUT/wrk-$run-$kind.txt"
  done
}

: >"$OUT/runs.txt"
for run in $(seq 1 "$RUNS"); do
  mariadb_ready || die "MariaDB is not up before run $run"
  log "run $run: ${DURATION}s of load; MariaDB killed at +${KILL_AT}s, restarted ${DOWN_FOR}s later"
  LOG_FROM=$(wc -l <"$OUT/dbkill.log")
  t0=$(now_ms)
  load "$run"
  sleep_until $((t0 + KILL_AT * 1000))
  kill_ms=$(now_ms)
  kill -KILL "$MARIADB_PID"
  wait "$MARIADB_PID" 2>/dev/null || true
  forget_pid "$MARIADB_PID"
  sleep_until $((kill_ms + DOWN_FOR * 1000))
  restart_ms=$(now_ms)
  restart_mariadb
  ready_ms=""
  for _ in $(seq 1 600); do
    if mariadb_ready; then ready_ms=$(now_ms); break; fi
    sleep 0.05
  done
  [[ -n $ready_ms ]] || die "MariaDB did not come back within 30 s"
  for pid in "${WRK_PIDS[@]}"; do wrk_wait "$pid" "${WRK_OUT[$pid]}"; done
  kill -0 "$SERVER_PID" || die "the server exited"
  echo "$run $kill_ms $restart_ms $ready_ms $LOG_FROM $(wc -l <"$OUT/dbkill.log")" >>"$OUT/runs.txt"
done

python3 - "$WORK" "$OUT" "$RUNS" "$LOADAVG" "$(nproc)" <<'PY' | tee "$OUT/summary.txt"
import collections, glob, re, sys
work, out, runs, loadavg, cpus = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]

def replies(run, kind):
    rows = []
    for path in glob.glob(f"{work}/replies-{run}-{kind}.*"):
        for line in open(path):
            t, s = line.split()
            rows.append((int(t), int(s)))
    return sorted(rows)

server_log = [re.sub(r"\x1b\[[0-9;]*m", "", l) for l in open(f"{out}/dbkill.log")]
print(f"MariaDB SIGKILLed under load, restarted 3 s later; {cpus} CPUs, load average before: {loadavg}")
print("wrk: 6 connections GET /products/1, 5 GET /oneCategory (cache off), 5 POST /order")
print(f"{'run':>3} {'kind':<6} {'200':>6} {'500':>5} {'503':>5} {'other':>6}  "
      f"{'first 200 after restart':>24}  {'after ready':>11}")
totals = collections.Counter()
for line in open(f"{out}/runs.txt"):
    run, kill, restart, ready, log_from, log_to = (int(x) for x in line.split())
    for kind in ("read", "list", "order"):
        rows = replies(run, kind)
        by = collections.Counter(s for _, s in rows)
        other = sum(n for s, n in by.items() if s not in (200, 500, 503))
        first = next((t for t, s in rows if s == 200 and t >= restart), None)
        since_restart = f"{(first - restart) / 1000:.2f} s" if first else "never"
        since_ready = f"{(first - ready) / 1000:.2f} s" if first else "-"
        print(f"{run:>3} {kind:<6} {by[200]:>6} {by[500]:>5} {by[503]:>5} {other:>6}  "
              f"{since_restart:>24}  {since_ready:>11}")
        totals.update({"200": by[200], "500": by[500], "503": by[503], "other": other})
    print(f"    MariaDB accepted connections {(ready - restart) / 1000:.2f} s after its restart")
    logged = collections.Counter()
    for l in server_log[log_from:log_to]:
        if " ERROR " in l or " WARN " in l:
            m = re.search(r'error[=:]\s*"?([^"\n]{0,150})', l)
            level = "ERROR" if " ERROR " in l else "WARN"
            logged[f"{level} {m.group(1).strip() if m else l.strip()[:90]}"] += 1
    for what, n in logged.most_common(6):
        print(f"    logged {n} x {what}")
print(f"all runs: {totals['200']} x 200, {totals['500']} x 500, {totals['503']} x 503, {totals['other']} other")
PY
log "results in $OUT"
