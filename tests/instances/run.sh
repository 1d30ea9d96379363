#!/usr/bin/env bash
# Two release servers on one MariaDB or PostgreSQL database, tested as one
# shop (see two_instances.py). Called by .ci/run after the release build:
#
#   bash tests/instances/run.sh mysql    "$TEST_MYSQL_URL"
#   bash tests/instances/run.sh postgres "$TEST_POSTGRES_URL"
#
# The URL names an account that may create databases; a fresh database is
# created for the run and dropped at the end. Starts the simulator and the
# two servers A and B (scripts/lib/services.sh) on free 127.0.0.1 ports,
# A first (it migrates and seeds), with the notifications of every order
# sent to B; stops them by PID at exit, and shows the end of their logs
# when the run fails. Needs the release builds of letao-server and
# wechat-pay-sim (or LETAO_BIN, SIM_BIN), python3 and the mariadb or psql
# client. KEEP_TMP=1 keeps the work folder (logs, SMS outbox).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LOG_TAG=instances
# shellcheck source=scripts/lib/services.sh
source "$HERE/../../scripts/lib/services.sh"

[[ $# == 2 && ($1 == mysql || $1 == postgres) ]] || { echo "usage: $0 mysql|postgres ADMIN_URL" >&2; exit 2; }
KIND=$1
ADMIN_URL=$2
resolve_bin LETAO_BIN letao-server
resolve_bin SIM_BIN wechat-pay-sim
command -v python3 >/dev/null || die "python3 is not installed"
if [[ $KIND == mysql ]]; then
  command -v mariadb >/dev/null || die "the mariadb client is not installed"
else
  command -v psql >/dev/null || die "psql is not installed"
fi
checks() { python3 "$HERE/two_instances.py" "$@"; }

make_workdir letao-two
RUN_DIR=$WORK

show_logs() {
  ((EXIT_STATUS != 0)) || return 0
  local name
  for name in sim a b; do
    [[ -s "$WORK/$name.log" ]] || continue
    log "--- $name.log (end) ---"
    tail -c 3000 "$WORK/$name.log" >&2
  done
}
on_exit show_logs

DB_URL=$(checks create "$KIND" "$ADMIN_URL") || die "could not create the database"
on_exit checks drop "$KIND" "$ADMIN_URL" "$DB_URL"

start_simulator "$WORK/sim.log" --retry-scale 0.001
free_port PORT_A
free_port PORT_B
export INSTANCE_A="http://127.0.0.1:$PORT_A" INSTANCE_B="http://127.0.0.1:$PORT_B" SIM_URL LETAO_BIN
export LETAO_ENV=test
export LETAO_CONFIG_DIR="$LETAO_REPO/config"
export LETAO__SERVER__STATIC_DIR="$LETAO_REPO/static"
export LETAO__SERVER__MEDIA_DIR="$WORK/media"
export LETAO__DATABASE__URL="$DB_URL"
export LETAO__SMS__BACKEND=outbox
export LETAO__SMS__OUTBOX="$WORK/outbox.jsonl"
export LETAO__AUTH__JWT_SECRET=two-instances-share-this-secret-0123456789
export LETAO__WECHAT_PAY__BASE_URL="$SIM_URL"
# Every order's notification goes to B, whichever instance placed it.
export LETAO__WECHAT_PAY__NOTIFY_URL="$INSTANCE_B/pay/notify"
export LETAO__WECHAT_PAY__REFUND_NOTIFY_URL="$INSTANCE_B/pay/refund_notify"
export LETAO__ORDERS__TTL_SECS=3
export LETAO__ORDERS__EXPIRY_INTERVAL_SECS=1
export LETAO__RECONCILE__DAILY_AT=00:00
export LETAO__CATALOGUE__CACHE_TTL_MS=500
export LETAO__LOG__LEVEL=info

# A migrates and seeds first; B finds the database ready.
start_shop a "$PORT_A" "$WORK/a.log"
start_shop b "$PORT_B" "$WORK/b.log"
(cd "$WORK" && checks check "$KIND" "$ADMIN_URL" "$DB_URL")
assert_alive
log "$KIND: two instances behave as one shop (${SECONDS} s)"
