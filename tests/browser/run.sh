#!/usr/bin/env bash
# Real-browser tests of the storefront and the owner console.
#
#   LETAO_BIN=target/release/letao-server SIM_BIN=target/release/wechat-pay-sim \
#   OUT_DIR=out/browser bash tests/browser/run.sh [node --test args...]
#
# Starts wechat-pay-sim and letao-server on free 127.0.0.1 ports with a fresh
# SQLite database and SMS outbox under a temporary folder (start_test_shop of
# scripts/lib/services.sh), runs the tests in headless Debian chromium, and
# stops both servers (by PID) on exit.
# Screenshots, server/simulator logs and the test report go under OUT_DIR.
# Exit status: 0 when every test passed; non-zero on any failure, including
# a missing or broken node, npm or chromium.
#
# Optional: CHROMIUM (default /usr/bin/chromium), LETAO_BROWSER_ROUND=1 (only
# what the first backend round serves), KEEP_TMP=1 (keep the temporary folder).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LOG_TAG=browser
# shellcheck source=scripts/lib/services.sh
source "$HERE/../../scripts/lib/services.sh"

: "${LETAO_BIN:?set LETAO_BIN to the letao-server release binary}"
: "${SIM_BIN:?set SIM_BIN to the wechat-pay-sim binary}"
: "${OUT_DIR:?set OUT_DIR to the folder for screenshots and logs}"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
resolve_bin LETAO_BIN letao-server
resolve_bin SIM_BIN wechat-pay-sim

mkdir -p "$OUT_DIR"
OUT_DIR="$(cd "$OUT_DIR" && pwd)"
# Screenshots and browser logs of an earlier run would mislead.
rm -rf "$OUT_DIR/screenshots" "$OUT_DIR"/browser-*.log

# The tools must run: a missing browser is a failure, never a skip.
command -v node >/dev/null || die "node is not installed (Node 20+ is required)"
command -v npm >/dev/null || die "npm is not installed"
command -v python3 >/dev/null || die "python3 is not installed"
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' ||
  die "node $(node --version) is too old (20+ is required)"
[[ -x "$CHROMIUM" ]] || die "chromium not found at $CHROMIUM (apt-get install -y chromium)"
if command -v fc-list >/dev/null && [[ -z "$(fc-list :lang=zh 2>/dev/null)" ]]; then
  log "no Chinese font installed; screenshots will show boxes (apt-get install -y fonts-wqy-microhei)"
fi
"$CHROMIUM" --headless --no-sandbox --disable-gpu --version >"$OUT_DIR/chromium-version.txt" 2>&1 ||
  die "chromium at $CHROMIUM does not run: $(cat "$OUT_DIR/chromium-version.txt")"

make_workdir letao-browser

# --- WeChat Pay simulator and the shop ------------------------------------
start_test_shop browser-tests info
log "shop $BASE_URL (pid $SERVER_PID), simulator $SIM_URL (pid $SIM_PID), work dir $WORK"

# --- the tests ------------------------------------------------------------
cd "$HERE"
LOCK_SUM="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [[ ! -f node_modules/.lock-sha256 || "$(cat node_modules/.lock-sha256)" != "$LOCK_SUM" ]]; then
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund >"$OUT_DIR/npm-ci.log" 2>&1 ||
    die "npm ci failed; see $OUT_DIR/npm-ci.log"
  echo "$LOCK_SUM" >node_modules/.lock-sha256
fi

export LETAO_BASE_URL="$BASE_URL" SIM_BASE_URL="$SIM_URL" LETAO_SMS_OUTBOX="$LETAO__SMS__OUTBOX"
export LETAO_DB_PATH="$WORK/letao.db" LETAO_WORK_DIR="$WORK" LETAO_BIN OUT_DIR CHROMIUM

set +e
node --test --test-concurrency=1 --test-reporter=spec \
  --test-reporter=junit --test-reporter-destination=stdout \
  --test-reporter-destination="$OUT_DIR/junit.xml" \
  "$@" tests/*.test.js 2>&1 | tee "$OUT_DIR/test.log"
status=${PIPESTATUS[0]}
set -e
[[ "$status" == 0 ]] || log "browser tests failed (exit $status); screenshots and logs in $OUT_DIR"
exit "$status"
