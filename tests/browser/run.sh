#!/usr/bin/env bash
# Real-browser tests of the storefront and the owner console.
#
#   LETAO_BIN=target/release/letao-server SIM_BIN=target/release/wechat-pay-sim \
#   OUT_DIR=out/browser bash tests/browser/run.sh [node --test args...]
#
# Starts wechat-pay-sim and letao-server on free 127.0.0.1 ports with a fresh
# SQLite database and SMS outbox under a temporary folder, runs the tests in
# headless Debian chromium, and stops both servers (by PID) on exit.
# Screenshots, server/simulator logs and the test report go under OUT_DIR.
# Exit status: 0 when every test passed; non-zero on any failure, including
# a missing or broken node, npm or chromium.
#
# Optional: CHROMIUM (default /usr/bin/chromium), LETAO_BROWSER_ROUND=1 (only
# what the first backend round serves), KEEP_TMP=1 (keep the temporary folder).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"

die() {
  echo "run.sh: $*" >&2
  exit 1
}

: "${LETAO_BIN:?set LETAO_BIN to the letao-server release binary}"
: "${SIM_BIN:?set SIM_BIN to the wechat-pay-sim binary}"
: "${OUT_DIR:?set OUT_DIR to the folder for screenshots and logs}"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

LETAO_BIN="$(realpath "$LETAO_BIN")" || die "LETAO_BIN: no such file"
SIM_BIN="$(realpath "$SIM_BIN")" || die "SIM_BIN: no such file"
[[ -x "$LETAO_BIN" ]] || die "LETAO_BIN is not executable: $LETAO_BIN"
[[ -x "$SIM_BIN" ]] || die "SIM_BIN is not executable: $SIM_BIN"
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
  echo "run.sh: no Chinese font installed; screenshots will show boxes (apt-get install -y fonts-wqy-microhei)" >&2
fi
"$CHROMIUM" --headless --no-sandbox --disable-gpu --version >"$OUT_DIR/chromium-version.txt" 2>&1 ||
  die "chromium at $CHROMIUM does not run: $(cat "$OUT_DIR/chromium-version.txt")"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/letao-browser.XXXXXX")"
SIM_PID=""
SERVER_PID=""

stop() {
  local pid="$1"
  [[ -n "$pid" ]] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local status=$?
  stop "$SERVER_PID"
  stop "$SIM_PID"
  if [[ "${KEEP_TMP:-}" == 1 ]]; then
    echo "run.sh: kept $WORK" >&2
  else
    rm -rf "$WORK"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- WeChat Pay simulator and the shop ------------------------------------
source "$REPO/tests/lib/shop.sh"
start_shop_and_simulator browser-tests info
echo "run.sh: shop $BASE_URL (pid $SERVER_PID), simulator $SIM_URL (pid $SIM_PID), work dir $WORK"

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
[[ "$status" == 0 ]] || echo "run.sh: browser tests failed (exit $status); screenshots and logs in $OUT_DIR" >&2
exit "$status"
