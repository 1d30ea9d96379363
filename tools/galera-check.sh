#!/usr/bin/env bash
# Galera check: proves that a three-node MariaDB Galera cluster works as the
# shop's scale-out database, with two letao-server instances taking orders
# through two different nodes while nodes are killed and rejoin.
#
#   bash tools/galera-check.sh              # run as root, from anywhere
#   bash tools/galera-check.sh --strict     # also fail on any HTTP 500 reply
#   bash tools/galera-check.sh --keep-logs  # keep the temporary folder (logs)
#
# Needs Debian and root: installs mariadb-server, mariadb-client, galera-4,
# rsync, wrk, iproute2 and curl with apt-get when missing (a temporary
# /usr/sbin/policy-rc.d keeps the packages from starting system servers).
# Uses target/release/letao-server and wechat-pay-sim, building them first
# when either is missing. Everything runs on 127.0.0.1 on free ports under a
# temporary folder and is stopped by PID at exit. Takes about 3 minutes on
# 2 cores, plus the build when it runs. Knobs (environment): DURATION
# (seconds per measured run, two runs per setup, default 8), PHASE (seconds per kill phase,
# default 20), CONNS (wrk connections in all, default 32), PHASE_PRODUCTS
# ("all", the default: each order takes one unit of a random size of a
# random product; "1": every order takes the first size of product 1).
#
# What it does:
#  1. bootstraps node 1 (--wsrep-new-cluster), creates the database and its
#     account, starts the WeChat Pay simulator and server A on node 1,
#     registers and logs in a user, and measures POST /order on that
#     single-node cluster;
#  2. joins nodes 2 and 3 (full SST by rsync), starts server B on node 2 and
#     measures the same load through A alone, then through A and B, on
#     product 1 (one hot row) and spread over every product;
#  3. restarts B behind tools/galera/failover-proxy.py (node 2, else node 3);
#  4. phase 1: orders through A and B; node 3 (used by neither) is killed
#     with SIGKILL and restarted as soon as the other two have dropped it;
#  5. phase 2: orders through A and B; node 2 (B's node) is killed; the two
#     survivors are checked after the load, then node 2 is restarted;
#  6. phase 3: orders through A and B; nodes 2 and 3 are killed together,
#     so node 1 is a minority and must refuse queries; both are restarted
#     during the load and the cluster must become whole again by itself;
#  7. checks after every phase: each acknowledged order (out_trade_no of a
#     200 reply) is in payorder on every node alive; for every product the
#     initial stock minus the units held by orders not CLOSED equals its
#     stock, on every node; every node holds the same rows (COUNT and
#     CHECKSUM TABLE of payorder, order_item, order_event, product, user);
#     killed nodes rejoin (IST or SST) and reach Synced with
#     wsrep_cluster_size=3; both servers, never restarted, take orders at
#     the end. HTTP 500 replies are counted and reported with the errors the
#     servers logged; they fail the check only with --strict.
# Exit status 0 when every check passed, 1 otherwise (with the reasons).
set -euo pipefail
STRICT=0
KEEP_LOGS=0
for arg in "$@"; do
  case $arg in
    --strict) STRICT=1 ;;
    --keep-logs) KEEP_LOGS=1 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $arg (try --help)" >&2; exit 2 ;;
  esac
done
cd "$(dirname "$0")/.."
ROOT=$PWD
DURATION=${DURATION:-8}
PHASE=${PHASE:-20}
CONNS=${CONNS:-32}
PHASE_PRODUCTS=${PHASE_PRODUCTS:-all}
HALF=$((CONNS / 2))
T_START=$(date +%s)
LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)

log() { printf '[galera %s] %s\n' "$(date +%T)" "$*" >&2; }
FAILURES=()
fail() { log "CHECK FAILED: $*"; FAILURES+=("$*"); }
die() { log "error: $*"; exit 1; }

WORK=$(mktemp -d /tmp/letao-galera.XXXXXX)
chmod 755 "$WORK"
STARTED=()
POLICY_RC_CREATED=""

forget() { # PID: no longer ours to stop (it ended, or was killed on purpose)
  local keep=() p
  for p in "${STARTED[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
  STARTED=("${keep[@]}")
}

cleanup() {
  local rc=$? pid
  for pid in "${STARTED[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${STARTED[@]}"; do
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  [[ -n "$POLICY_RC_CREATED" ]] && rm -f /usr/sbin/policy-rc.d
  if [[ $KEEP_LOGS == 1 ]]; then
    log "logs kept in $WORK"
  else
    rm -rf "$WORK"
  fi
  log "the check took $(($(date +%s) - T_START)) s"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------------ install
[[ $(id -u) == 0 ]] || die "run as root (the nodes run as the mysql user; packages may need installing)"
GALERA_LIB=/usr/lib/galera/libgalera_smm.so
want=()
command -v mariadbd >/dev/null 2>&1 || want+=(mariadb-server)
command -v mariadb >/dev/null 2>&1 || want+=(mariadb-client)
[[ -e $GALERA_LIB ]] || want+=(galera-4)
command -v rsync >/dev/null 2>&1 || want+=(rsync)
command -v wrk >/dev/null 2>&1 || want+=(wrk)
command -v ss >/dev/null 2>&1 || want+=(iproute2) # wsrep_sst_rsync checks its port with ss
command -v curl >/dev/null 2>&1 || want+=(curl)
if ((${#want[@]})); then
  log "installing ${want[*]}"
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    POLICY_RC_CREATED=1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${want[@]}" >"$WORK/apt.log" 2>&1 ||
    { tail -20 "$WORK/apt.log" >&2; die "apt-get install failed"; }
fi
id mysql >/dev/null 2>&1 || die "no mysql user (the mariadb-server package makes it)"
if [[ ! -x target/release/letao-server || ! -x target/release/wechat-pay-sim ]]; then
  log "cargo build --release (letao-server, wechat-pay-sim)"
  cargo build --release --quiet -p letao-server -p wechat-pay-sim
fi
SERVER_BIN=$ROOT/target/release/letao-server
SIM_BIN=$ROOT/target/release/wechat-pay-sim

# ------------------------------------------------------------------ helpers
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
now_ms() { date +%s%3N; }
sleep_until() { # unix ms
  local left=$(($1 - $(now_ms)))
  ((left > 0)) && sleep "$(awk -v l="$left" 'BEGIN { printf "%.3f", l / 1000 }')"
  return 0
}
secs_since() { awk -v a="$1" -v b="$(now_ms)" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; }

wait_for() { # description seconds command...
  local what=$1 secs=$2; shift 2
  for _ in $(seq 1 $((secs * 10))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  die "$what: not within ${secs}s"
}

DB_PASS="letao-galera-$(date +%s)"
declare -A CPORT GPORT IPORT SPORT NODE_PID
GCOMM=""
for n in 1 2 3; do
  CPORT[$n]=$(free_port) GPORT[$n]=$(free_port) IPORT[$n]=$(free_port) SPORT[$n]=$(free_port)
  GCOMM+="${GCOMM:+,}127.0.0.1:${GPORT[$n]}"
done

ndir() { echo "$WORK/n$1"; }

write_cnf() { # node
  local n=$1 d
  d=$(ndir "$n")
  mkdir -p "$d/data"
  cat >"$d/my.cnf" <<CNF
[mariadbd]
user = mysql
datadir = $d/data
socket = $d/sock
port = ${CPORT[$n]}
bind-address = 127.0.0.1
pid-file = $d/mariadbd.pid
log-error = $d/error.log
skip-name-resolve
character-set-server = utf8mb4
collation-server = utf8mb4_unicode_ci
max-connections = 300
innodb-buffer-pool-size = 64M
# A crash of the process (SIGKILL) loses nothing handed to the OS, so the
# position recovered at restart is exact and the node can catch up by IST.
innodb-flush-log-at-trx-commit = 2
# Galera's requirements
binlog-format = ROW
default-storage-engine = InnoDB
innodb-autoinc-lock-mode = 2
wsrep-on = ON
wsrep-provider = $GALERA_LIB
wsrep-cluster-name = letao-galera-check
wsrep-cluster-address = gcomm://$GCOMM
wsrep-node-name = node$n
wsrep-node-address = 127.0.0.1
wsrep-node-incoming-address = 127.0.0.1:${CPORT[$n]}
wsrep-provider-options = "base_port=${GPORT[$n]};gmcast.listen_addr=tcp://127.0.0.1:${GPORT[$n]};ist.recv_addr=127.0.0.1:${IPORT[$n]};gcache.size=128M"
wsrep-sst-method = rsync
wsrep-sst-receive-address = 127.0.0.1:${SPORT[$n]}
wsrep-slave-threads = 2
CNF
  chown -R mysql:mysql "$d"
}

start_node() { # node [extra mariadbd options]
  local n=$1; shift
  mariadbd --defaults-file="$(ndir "$n")/my.cnf" "$@" >>"$(ndir "$n")/stdout.log" 2>&1 &
  NODE_PID[$n]=$!
  STARTED+=($!)
}

sql() { # node mariadb-args...
  local n=$1; shift
  mariadb --no-defaults -uroot --socket="$(ndir "$n")/sock" -N -B "$@"
}
wsrep() { # node variable: a status value, or nothing when the node does not answer
  sql "$1" -e "SHOW GLOBAL STATUS LIKE '$2'" 2>/dev/null | cut -f2
}
synced() { # node size
  [[ $(wsrep "$1" wsrep_local_state_comment) == Synced && $(wsrep "$1" wsrep_cluster_size) == "$2" ]]
}
wait_synced() { # node size seconds
  local n=$1 size=$2 secs=$3
  for _ in $(seq 1 $((secs * 5))); do
    synced "$n" "$size" && return 0
    kill -0 "${NODE_PID[$n]}" 2>/dev/null || { tail -30 "$(ndir "$n")/error.log" >&2; die "node $n exited"; }
    sleep 0.2
  done
  tail -30 "$(ndir "$n")/error.log" >&2
  die "node $n not Synced in a cluster of $size within ${secs}s (state: $(wsrep "$n" wsrep_local_state_comment))"
}

kill_node() { # node: SIGKILL, as a crash of that machine's database would
  local n=$1
  kill -KILL "${NODE_PID[$n]}"
  wait "${NODE_PID[$n]}" 2>/dev/null || true
  forget "${NODE_PID[$n]}"
  log "node $n killed (SIGKILL, pid ${NODE_PID[$n]})"
}

declare -A RESTART_MS ERRLOG_LINES
restart_node() { # node: recover its position and start it again (no wait)
  local n=$1 d pos
  d=$(ndir "$n")
  RESTART_MS[$n]=$(now_ms)
  ERRLOG_LINES[$n]=$(wc -l <"$d/error.log")
  # What mysqld_safe and the systemd unit do (galera_recovery): read the last
  # committed position from InnoDB, so the node can ask for IST.
  mariadbd --defaults-file="$d/my.cnf" --wsrep-recover --log-error="$d/recover.log" >/dev/null 2>&1 || true
  pos=$(sed -n 's/.*WSREP: Recovered position: *\([^ ]*\).*/\1/p' "$d/recover.log" | tail -1)
  log "node $n: recovered position ${pos:-none}; restarting"
  if [[ -n $pos ]]; then start_node "$n" --wsrep-start-position="$pos"; else start_node "$n"; fi
}
rejoined() { # node: after wait_synced; sets REJOIN (how and how long)
  local n=$1 d how ws
  d=$(ndir "$n")
  tail -n +"$((ERRLOG_LINES[$n] + 1))" "$d/error.log" >"$d/error.since-restart"
  if grep -q 'IST received' "$d/error.since-restart"; then
    ws=$(sed -n 's/.*Receiving IST: *\([0-9]*\) writesets.*/\1/p' "$d/error.since-restart" | head -1)
    how="IST, $ws writesets"
  elif grep -q 'state transfer needed: no' "$d/error.since-restart"; then
    how="no transfer: it already held every writeset"
  else
    how="SST by rsync"
  fi
  REJOIN="$(secs_since "${RESTART_MS[$n]}")s from restart to Synced ($how)"
  log "node $n rejoined: $REJOIN"
}

live_nodes() {
  local n
  for n in 1 2 3; do [[ -n ${NODE_PID[$n]:-} ]] && kill -0 "${NODE_PID[$n]}" 2>/dev/null && printf '%s ' "$n"; done
  return 0
}

converge() { # wait until every live node has applied the same last writeset
  local n seen
  for _ in $(seq 1 300); do
    seen=""
    for n in $(live_nodes); do seen+="$(wsrep "$n" wsrep_last_committed) "; done
    [[ -n $seen && $(tr ' ' '\n' <<<"$seen" | grep . | sort -u | wc -l) == 1 ]] && return 0
    sleep 0.2
  done
  die "nodes did not converge: last_committed $seen"
}

TABLES="payorder order_item order_event product sku user"
check_data() { # label: orders, stock and identical tables on every live node
  local label=$1 n sums first="" dumps=() stocks=()
  converge
  for n in $(live_nodes); do
    sql "$n" letao -e 'SELECT out_trade_no FROM payorder' >"$WORK/check-$label-n$n-orders"
    sql "$n" letao -e "SELECT s.id, s.stock, (SELECT COALESCE(SUM(oi.quantity), 0) FROM order_item oi
        JOIN payorder o ON o.id = oi.order_id WHERE oi.sku_id = s.id AND o.trade_state <> 'CLOSED')
        FROM sku s ORDER BY s.id" >"$WORK/check-$label-n$n-stock"
    dumps+=("$WORK/check-$label-n$n-orders")
    stocks+=("$WORK/check-$label-n$n-stock")
    sums=$(for t in $TABLES; do
      printf '%s=%s/%s ' "$t" "$(sql "$n" letao -e "SELECT COUNT(*) FROM \`$t\`")" \
        "$(sql "$n" letao -e "CHECKSUM TABLE \`$t\`" | cut -f2)"
    done)
    log "$label, node $n: rows/checksum $sums"
    if [[ -z $first ]]; then
      first=$sums
    elif [[ $sums != "$first" ]]; then
      fail "$label: node $n holds other rows than node $(live_nodes | cut -d' ' -f1)"
    fi
  done
  cat "$WORK"/acks-* 2>/dev/null | sort -u >"$WORK/acked"
  python3 tools/galera/replies.py orders "$WORK/acked" "${dumps[@]}" | sed "s|^$WORK/check-|  |" >&2 ||
    fail "$label: acknowledged orders missing"
  python3 tools/galera/replies.py stock "$WORK/initial-stock" "${stocks[@]}" | sed "s|^$WORK/check-|  |" >&2 ||
    fail "$label: stock inconsistent"
}

wait_http() { wait_for "$1" 30 curl -fsS -o /dev/null "$1"; }

declare -A SRV_PORT SRV_PID TOKENS
: >"$WORK/server-A.log"
: >"$WORK/server-B.log"
start_server() { # name database-url
  local name=$1 url=$2 port
  port=${SRV_PORT[$name]:-$(free_port)}
  SRV_PORT[$name]=$port
  env LETAO_ENV=test LETAO__SERVER__ADDR="127.0.0.1:$port" LETAO__DATABASE__URL="$url" \
    LETAO__DATABASE__DEMO_DATA=true LETAO__SMS__OUTBOX="$WORK/$name-outbox.jsonl" \
    LETAO__WECHAT_PAY__BASE_URL="http://127.0.0.1:$SIM_PORT" \
    LETAO__WECHAT_PAY__NOTIFY_URL="http://127.0.0.1:$port/pay/notify" \
    LETAO__WECHAT_PAY__REFUND_NOTIFY_URL="http://127.0.0.1:$port/pay/refund_notify" \
    LETAO__ORDERS__EXPIRY_INTERVAL_SECS=3600 LETAO__LOG__LEVEL=warn \
    "$SERVER_BIN" >>"$WORK/server-$name.log" 2>&1 &
  SRV_PID[$name]=$!
  STARTED+=($!)
  wait_http "http://127.0.0.1:$port/ready"
  log "server $name (pid ${SRV_PID[$name]}) on 127.0.0.1:$port -> ${url/$DB_PASS/***}"
}
stop_server() { # name
  local pid=${SRV_PID[$1]}
  kill -TERM "$pid"
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  forget "$pid"
}
post() { # url json
  curl -fsS -H 'Content-Type: application/json' -d "$2" "$1"
}
login() { # server name
  TOKENS[$1]=$(post "http://127.0.0.1:${SRV_PORT[$1]}/login" '{"username":"galera_check","password":"galera-check-1"}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
}

# ------------------------------------------------------------------ loads
declare -A LOG_FROM LOG_TO LOAD_SECS
load() { # label seconds products name connections [name connections]: wrk in the background
  local label=$1 secs=$2 products=$3 name; shift 3
  if [[ $products == all ]]; then
    products=$(tr '\n' ' ' <"$WORK/skus")
  else
    local p pairs=""
    for p in $products; do pairs+="$(grep -m1 "^$p:" "$WORK/skus") "; done
    products=$pairs
  fi
  LOAD_SECS[$label]=$secs
  WRK_PIDS=()
  for name in A B; do LOG_FROM[$label-$name]=$(wc -l <"$WORK/server-$name.log"); done
  while (($#)); do
    env TOKEN="${TOKENS[$1]}" OUT="$WORK/replies-$label-$1" PRODUCTS="$products" \
      timeout $((secs + 30)) wrk -t"$(($2 >= CONNS ? 2 : 1))" -c"$2" -d"${secs}s" --timeout 20s \
      -s tools/galera/order-load.lua "http://127.0.0.1:${SRV_PORT[$1]}/order" >"$WORK/wrk-$label-$1.txt" 2>&1 &
    WRK_PIDS+=($!)
    STARTED+=($!)
    shift 2
  done
}
wait_load() { # label: wait for the load; collect acknowledged orders
  local label=$1 pid name
  for pid in "${WRK_PIDS[@]}"; do wait "$pid" || true; forget "$pid"; done
  for name in A B; do LOG_TO[$label-$name]=$(wc -l <"$WORK/server-$name.log"); done
  python3 tools/galera/replies.py acks "$WORK/replies-$label-A" "$WORK/replies-$label-B" >"$WORK/acks-$label"
}
count() { # label [seconds]: sets OK TOTAL E500 E503 OTHER RATE for both servers' replies
  eval "$(python3 tools/galera/replies.py count "${2:-${LOAD_SECS[$1]}}" "$WORK/replies-$1-A" "$WORK/replies-$1-B")"
}
errors_logged() { # label: what the servers logged at WARN or ERROR during that load
  local label=$1 name
  for name in A B; do
    ((LOG_TO[$label-$name] > LOG_FROM[$label-$name])) || continue
    sed -n "$((LOG_FROM[$label-$name] + 1)),${LOG_TO[$label-$name]}p" "$WORK/server-$name.log" |
      sed -E 's/\x1b\[[0-9;]*m//g' | grep -E ' (ERROR|WARN) ' |
      sed -E 's/^[^ ]+ +//; s/ +/ /; s/(request_id|out_trade_no)=[^ ]+ ?//g' |
      sort | uniq -c | sort -rn | head -8 | sed "s/^ */    $name: /; s/: \([0-9]*\) /: \1 x /"
  done
}

declare -A SUMMARY
measure() { # label description products name connections [name connections]
  # Two runs; the better one is the figure (the worse is shown too), since
  # other work on the machine only ever lowers a run.
  local label=$1 what=$2 products=$3 run best=0 worst="" all500=0 all503=0 other=""; shift 3
  for run in 1 2; do
    log "measuring: $what, run $run, ${DURATION}s"
    load "$label$run" "$DURATION" "$products" "$@"
    wait_load "$label$run"
    count "$label$run"
    log "  $OK orders acknowledged, $RATE orders/s, $E500 x 500, $E503 x 503, other: $OTHER"
    ((RATE > best)) && best=$RATE
    [[ -z $worst ]] || ((RATE < worst)) && worst=$RATE
    all500=$((all500 + E500)) all503=$((all503 + E503))
    [[ $OTHER == none ]] || other+="$OTHER "
  done
  SUMMARY[$label]=$(printf '%-46s %8s %8s %5s %5s  %s' "$what" "$best" "$worst" "$all500" "$all503" "${other:-none}")
}

# ------------------------------------------------------------------ node 1
for n in 1 2 3; do write_cnf "$n"; done
log "node 1: bootstrapping a new cluster on 127.0.0.1:${CPORT[1]} (gcomm ${GPORT[1]})"
mariadb-install-db --no-defaults --user=mysql --datadir="$(ndir 1)/data" \
  --auth-root-authentication-method=socket --skip-test-db >"$(ndir 1)/install.log" 2>&1 ||
  { cat "$(ndir 1)/install.log" >&2; die "mariadb-install-db failed"; }
start_node 1 --wsrep-new-cluster
wait_synced 1 1 60
sql 1 <<SQL
CREATE DATABASE letao CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER 'letao'@'127.0.0.1' IDENTIFIED BY '$DB_PASS';
GRANT ALL PRIVILEGES ON letao.* TO 'letao'@'127.0.0.1';
SQL
db_url() { echo "mysql://letao:$DB_PASS@127.0.0.1:$1/letao"; }

SIM_PORT=$(free_port)
"$SIM_BIN" --addr "127.0.0.1:$SIM_PORT" --retry-scale 0.001 >"$WORK/sim.log" 2>&1 &
STARTED+=($!)
wait_http "http://127.0.0.1:$SIM_PORT/sim/orders"

start_server A "$(db_url "${CPORT[1]}")"
post "http://127.0.0.1:${SRV_PORT[A]}/sms" '{"mobile":"13900000077"}' >/dev/null
CODE=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readlines()[-1])["params"][0])' "$WORK/A-outbox.jsonl")
post "http://127.0.0.1:${SRV_PORT[A]}/register" \
  "{\"username\":\"galera_check\",\"password\":\"galera-check-1\",\"mobile\":\"13900000077\",\"smscode\":\"$CODE\"}" >/dev/null
login A
# Enough stock for every load; the stock check starts from these numbers
# (stock is kept per SKU, a size of a product).
sql 1 letao -e 'UPDATE sku SET stock = 1000000'
sql 1 letao -e 'SELECT id, stock FROM sku ORDER BY id' >"$WORK/initial-stock"
# The SKUs a load orders: `product:sku`, every active one ("all"), or a
# product's first (the hot row of "product 1").
sql 1 letao -e "SELECT CONCAT(product_id, ':', id) FROM sku WHERE active ORDER BY id" >"$WORK/skus"
[[ $(sql 1 letao -e 'SELECT COUNT(*) FROM payorder') == 0 ]] || die "orders exist before the first load"

measure one "1 node (single-node cluster), 1 server" 1 A "$CONNS"

# ------------------------------------------------------------------ nodes 2, 3
JOINS=""
for n in 2 3; do
  log "node $n: joining gcomm://$GCOMM"
  t0=$(now_ms)
  start_node "$n"
  wait_synced "$n" "$n" 180
  JOINS+="node $n $(secs_since "$t0")s  "
  log "node $n Synced, cluster size $n (first join: full SST by rsync, $(secs_since "$t0")s)"
done
wait_synced 1 3 30

start_server B "$(db_url "${CPORT[2]}")"
login B
measure three1 "3 nodes, 1 server (node 1)" 1 A "$CONNS"
measure three2 "3 nodes, 2 servers (nodes 1, 2), product 1" 1 A "$HALF" B "$HALF"
measure spread2 "3 nodes, 2 servers (nodes 1, 2), all products" all A "$HALF" B "$HALF"
check_data measured

# ------------------------------------------------------------------ kill phases
PROXY_PORT=$(free_port)
python3 tools/galera/failover-proxy.py "127.0.0.1:$PROXY_PORT" "127.0.0.1:${CPORT[2]}" "127.0.0.1:${CPORT[3]}" \
  >"$WORK/proxy.log" 2>&1 &
STARTED+=($!)
wait_for proxy 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PROXY_PORT"
log "server B restarted behind the failover proxy 127.0.0.1:$PROXY_PORT (node 2, else node 3)"
stop_server B
start_server B "$(db_url "$PROXY_PORT")"
login B
PID_A=${SRV_PID[A]} PID_B=${SRV_PID[B]}

declare -A KILL_MS NOTE
dropped() { # node kill-ms: wait until the other two form a cluster of 2 without it
  local dead=$1 t0=$2 n
  local both
  for _ in $(seq 1 300); do
    both=1
    for n in 1 2 3; do
      [[ $n == "$dead" ]] && continue
      synced "$n" 2 || { both=0; break; }
    done
    if ((both)); then
      DROPPED=$(secs_since "$t0")
      log "node $dead dropped by the others ${DROPPED}s after the kill (both Synced, cluster size 2)"
      return 0
    fi
    sleep 0.2
  done
  die "the survivors did not form a cluster of 2 within 60s of the kill"
}

log "phase 1: ${PHASE}s of orders through A (node 1) and B (proxy: node 2); node 3 killed at +3s"
load phase1 "$PHASE" "$PHASE_PRODUCTS" A "$HALF" B "$HALF"
sleep 3
KILL_MS[phase1]=$(now_ms)
kill_node 3
dropped 3 "${KILL_MS[phase1]}"
NOTE[phase1]="killed at $(date -d @"${KILL_MS[phase1]:0:10}" +%T); node 3 dropped by the others after ${DROPPED}s; restarted at +$(secs_since "${KILL_MS[phase1]}")s"
restart_node 3
wait_synced 3 3 180
rejoined 3
NOTE[phase1]+="; rejoined: $REJOIN"
wait_load phase1
check_data phase1

log "phase 2: ${PHASE}s of orders through A (node 1) and B (proxy: node 2); node 2 killed at +3s"
load phase2 "$PHASE" "$PHASE_PRODUCTS" A "$HALF" B "$HALF"
sleep 3
KILL_MS[phase2]=$(now_ms)
kill_node 2
dropped 2 "${KILL_MS[phase2]}"
NOTE[phase2]="killed at $(date -d @"${KILL_MS[phase2]:0:10}" +%T); node 2 dropped by the others after ${DROPPED}s; restarted after the load"
wait_load phase2
check_data phase2-survivors
restart_node 2
wait_synced 2 3 180
rejoined 2
NOTE[phase2]+="; rejoined: $REJOIN"
check_data phase2

log "phase 3: ${PHASE}s of orders through A (node 1) and B (proxy: node 2, node 3); nodes 2 and 3 killed at +3s, restarted at +8s"
load phase3 "$PHASE" "$PHASE_PRODUCTS" A "$HALF" B "$HALF"
sleep 3
KILL_MS[phase3]=$(now_ms)
kill -KILL "${NODE_PID[2]}" "${NODE_PID[3]}"
for n in 2 3; do wait "${NODE_PID[$n]}" 2>/dev/null || true; forget "${NODE_PID[$n]}"; done
log "nodes 2 and 3 killed (SIGKILL) together"
for _ in $(seq 1 300); do
  [[ $(wsrep 1 wsrep_cluster_status) == non-Primary ]] && break
  sleep 0.2
done
[[ $(wsrep 1 wsrep_cluster_status) == non-Primary ]] || fail "phase 3: node 1 alone did not become non-Primary"
NOTE[phase3]="killed at $(date -d @"${KILL_MS[phase3]:0:10}" +%T); node 1 alone: $(wsrep 1 wsrep_cluster_status) after $(secs_since "${KILL_MS[phase3]}")s"
# What a minority node answers (the servers get the same).
MINORITY_ERR=$(sql 1 letao -e 'SELECT COUNT(*) FROM payorder' 2>&1 | grep -m1 '^ERROR' || true)
log "node 1 alone is $(wsrep 1 wsrep_cluster_status); a query there gets: $MINORITY_ERR"
sleep_until $((KILL_MS[phase3] + 8000))
restart_node 2
restart_node 3
NOTE[phase3]+="; nodes 2 and 3 restarted at +$(awk -v a="${KILL_MS[phase3]}" -v b="${RESTART_MS[2]}" 'BEGIN { printf "%.1f", (b - a) / 1000 }')s"
# pc.recovery (on by default): once every member of the last Primary
# component is back, they restore it without an operator.
for _ in $(seq 1 300); do
  [[ $(wsrep 1 wsrep_cluster_status) == Primary ]] && break
  sleep 0.2
done
if [[ $(wsrep 1 wsrep_cluster_status) == Primary ]]; then
  NOTE[phase3]+=", the cluster became Primary again by itself"
else
  log "node 1 still non-Primary 60s after the restarts: bootstrapping it by hand (pc.bootstrap=YES)"
  sql 1 -e "SET GLOBAL wsrep_provider_options='pc.bootstrap=YES'"
  NOTE[phase3]+=", Primary again only by hand (pc.bootstrap=YES on node 1)"
fi
wait_synced 1 3 120
wait_synced 2 3 180
wait_synced 3 3 180
for n in 2 3; do rejoined "$n"; NOTE[phase3]+="; node $n: $REJOIN"; done
NOTE[phase3]+="; Primary with 3 nodes at +$(secs_since "${KILL_MS[phase3]}")s"
wait_load phase3
check_data phase3

# ------------------------------------------------------------------ servers recovered?
for name in A B; do
  pid=${SRV_PID[$name]}
  want_pid=$([[ $name == A ]] && echo "$PID_A" || echo "$PID_B")
  [[ $pid == "$want_pid" ]] && kill -0 "$pid" 2>/dev/null ||
    fail "server $name is not the process started before the kills"
  if reply=$(curl -fsS -H "Authorization: Bearer ${TOKENS[$name]}" -H 'Content-Type: application/json' \
    -d '{"items":[{"productId":2,"size":"40","quantity":1}]}' "http://127.0.0.1:${SRV_PORT[$name]}/order" 2>&1); then
    python3 -c 'import json,sys; print(json.loads(sys.argv[1])["data"]["out_trade_no"])' "$reply" >"$WORK/acks-final-$name"
    log "server $name (pid $pid, never restarted) takes orders"
  else
    fail "server $name does not take orders after the kills: $reply"
  fi
done
check_data final

# ------------------------------------------------------------------ report
E500_ALL=0
for label in one1 one2 three11 three12 three21 three22 spread21 spread22 phase1 phase2 phase3; do
  count "$label"
  E500_ALL=$((E500_ALL + E500))
done
{
  echo
  echo "== Galera check, $(date -u +%FT%TZ): $(nproc) CPUs, MariaDB $(mariadbd --version | awk '{print $3}'), Galera $(wsrep 1 wsrep_provider_version)"
  echo "load average before the check: $LOADAVG (other work on the machine lowers every figure)"
  echo "POST /order (one unit per order), wrk ${CONNS} connections in all, 2 runs of ${DURATION}s per row"
  printf '%-46s %8s %8s %5s %5s  %s\n' setup orders/s '(worse)' 500s 503s other
  for label in one three1 three2 spread2; do echo "${SUMMARY[$label]}"; done
  echo "first joins (full SST by rsync): $JOINS"
  for label in one three1 three2 spread2; do
    for run in 1 2; do
      [[ -n $(errors_logged "$label$run") ]] || continue
      echo "  logged during \"$(cut -c1-46 <<<"${SUMMARY[$label]}" | sed 's/ *$//')\", run $run:"
      errors_logged "$label$run"
    done
  done
  for label in phase1 phase2 phase3; do
    count "$label"
    echo
    case $label in
      phase1) echo "phase 1: node 3 (no server on it) killed at +3s" ;;
      phase2) echo "phase 2: node 2 (server B's, through the proxy) killed at +3s" ;;
      phase3) echo "phase 3: nodes 2 and 3 killed together at +3s (node 1, server A's, left alone)" ;;
    esac
    echo "  ${PHASE}s, products: $PHASE_PRODUCTS; $OK orders acknowledged ($RATE/s), $E500 x 500, $E503 x 503, other: $OTHER"
    for name in A B; do
      echo "  $(python3 tools/galera/replies.py timeline "${KILL_MS[$label]}" "$name" "$WORK/replies-$label-$name")"
    done
    fold -s -w 100 <<<"${NOTE[$label]}" | sed 's/^/  /'
    if [[ -n $(errors_logged "$label") ]]; then
      echo "  logged by the servers during the phase:"
      errors_logged "$label"
    fi
  done
  echo "  a query on node 1 while alone: $MINORITY_ERR"
  echo "  proxy (node 2 = port ${CPORT[2]}, node 3 = port ${CPORT[3]}):"
  sed 's/^/    /' "$WORK/proxy.log"
  echo
  echo "HTTP 500 replies in all loads: $E500_ALL"
} | tee "$WORK/report.txt"

if ((STRICT && E500_ALL > 0)); then fail "$E500_ALL HTTP 500 replies (--strict)"; fi
if ((${#FAILURES[@]})); then
  log "FAILED: ${#FAILURES[@]} check(s):"
  printf '  - %s\n' "${FAILURES[@]}" >&2
  exit 1
fi
log "all checks passed"
