# shellcheck shell=bash
# scripts/lib/services.sh: the WeChat Pay simulator and the shop, run from
# their release binaries on free loopback ports and stopped by PID at exit
# (processes.sh).
#
#   SIM_BIN, LETAO_BIN  the binaries (default: the workspace's release
#                       build, see release_bin)
#   RUN_DIR             the folder they run in (default: the current one)
#   resolve_bin VAR NAME  VAR = the absolute path of $VAR, or of the release
#       build of NAME when VAR is empty; dies when it is not an executable
#   start_simulator LOG [OPTION...]
#       wechat-pay-sim --addr 127.0.0.1:<free port> OPTION..., output to
#       LOG; waits until GET /sim/orders answers. Sets SIM_PORT, SIM_URL
#       and SIM_PID.
#   start_shop NAME PORT LOG [VAR=VALUE...]
#       letao-server serve on 127.0.0.1:PORT with this environment plus the
#       given settings, output to LOG; waits until GET /ready answers. Sets
#       SHOP_PID and SHOP_PIDS[NAME]. PORT is the caller's (free_port),
#       which usually needs it first, for the notify URLs.
#   start_test_shop NAME LOG_LEVEL
#       what the release-build tests run against: a simulator (retry scale
#       0.01) and a shop (LETAO_ENV=test) on a new SQLite database with
#       demo data, an SMS outbox and a random JWT secret that starts with
#       NAME, each pointing at the other. Needs WORK (data) and OUT_DIR
#       (sim.log, server.log). Exports the LETAO_* settings, so that a
#       `letao-server` command run later works on the same shop. Sets
#       BASE_URL, SIM_URL, SERVER_PID and SIM_PID. LETAO__LOG__LEVEL, when
#       set, wins over LOG_LEVEL.

[[ -n "${_LETAO_LIB_SERVICES:-}" ]] && return 0
_LETAO_LIB_SERVICES=1
# shellcheck source=scripts/lib/processes.sh
source "$(dirname "${BASH_SOURCE[0]}")/processes.sh"

declare -A SHOP_PIDS=()

resolve_bin() {
  local _lib_path="${!1:-$(release_bin "$2")}"
  [[ -e "$_lib_path" ]] || die "$1: $_lib_path does not exist (cargo build --release -p $2)"
  _lib_path="$(realpath "$_lib_path")"
  [[ -x "$_lib_path" ]] || die "$1: $_lib_path is not executable"
  printf -v "$1" '%s' "$_lib_path"
}

start_simulator() {
  local logfile="$1"
  shift
  resolve_bin SIM_BIN wechat-pay-sim
  free_port SIM_PORT
  SIM_URL="http://127.0.0.1:$SIM_PORT"
  spawn wechat-pay-sim "$logfile" "${RUN_DIR:-$PWD}" "$SIM_BIN" --addr "127.0.0.1:$SIM_PORT" "$@"
  SIM_PID=$SPAWNED_PID
  wait_for_url wechat-pay-sim "$SIM_URL/sim/orders" "$SIM_PID"
}

start_shop() {
  local name="$1" port="$2" logfile="$3"
  shift 3
  resolve_bin LETAO_BIN letao-server
  spawn "letao-server $name" "$logfile" "${RUN_DIR:-$PWD}" \
    env LETAO__SERVER__ADDR="127.0.0.1:$port" "$@" "$LETAO_BIN" serve
  SHOP_PID=$SPAWNED_PID
  # shellcheck disable=SC2034 # for the caller
  SHOP_PIDS[$name]=$SHOP_PID
  wait_for_url "letao-server $name" "http://127.0.0.1:$port/ready" "$SHOP_PID"
}

start_test_shop() {
  local name="$1" level="$2" port
  : "${WORK:?start_test_shop needs WORK}" "${OUT_DIR:?start_test_shop needs OUT_DIR}"
  free_port port
  BASE_URL="http://127.0.0.1:$port"
  local RUN_DIR="$WORK"
  start_simulator "$OUT_DIR/sim.log" --retry-scale 0.01

  export LETAO_ENV=test
  export LETAO_CONFIG_DIR="$LETAO_REPO/config"
  export LETAO__SERVER__STATIC_DIR="$LETAO_REPO/static"
  export LETAO__SERVER__MEDIA_DIR="$WORK/media"
  export LETAO__DATABASE__URL="sqlite://$WORK/letao.db"
  export LETAO__DATABASE__DEMO_DATA=true
  export LETAO__SMS__BACKEND=outbox
  export LETAO__SMS__OUTBOX="$WORK/sms-outbox.jsonl"
  export LETAO__WECHAT_PAY__BASE_URL="$SIM_URL"
  export LETAO__WECHAT_PAY__NOTIFY_URL="$BASE_URL/pay/notify"
  export LETAO__WECHAT_PAY__REFUND_NOTIFY_URL="$BASE_URL/pay/refund_notify"
  # Paying on the phone: OAuth at the simulator, back to this shop.
  export LETAO__WECHAT_PAY__H5_DOMAIN="$BASE_URL"
  export LETAO__WECHAT__OAUTH_REDIRECT_URL="$BASE_URL/wechat/oauth/callback"
  export LETAO__WECHAT__OAUTH_BASE_URL="$SIM_URL"
  export LETAO__WECHAT__API_BASE_URL="$SIM_URL"
  LETAO__AUTH__JWT_SECRET="$name-$(python3 -c 'import secrets; print(secrets.token_hex(24))')" ||
    die "python3 could not make a JWT secret"
  export LETAO__AUTH__JWT_SECRET
  export LETAO__LOG__LEVEL="${LETAO__LOG__LEVEL:-$level}"
  start_shop "$name" "$port" "$OUT_DIR/server.log"
  # shellcheck disable=SC2034 # for the caller
  SERVER_PID=$SHOP_PID
}
