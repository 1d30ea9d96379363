#!/usr/bin/env bash
# wechat-pay-sim driven by wechatpayv3, the most used WeChat Pay v3 Python
# SDK, as a merchant uses it, in public-key and in platform-certificate mode.
#
#   SIM_BIN=target/release/wechat-pay-sim OUT_DIR=out/sdk bash tests/sdk/run.sh
#
# Creates a virtualenv under CI_TMP (or a new temporary folder) and installs
# the pinned wechatpayv3 from PyPI into it; failing to do so fails the run
# (nothing is skipped). Then, for each mode, starts the simulator on a free
# 127.0.0.1 port with keys written under the work folder and runs driver.py:
# Native pay, query, close, the paid notification through the SDK's
# callback() (a SIGNTEST probe before it refused), refund and refund query
# (and its notification), and a gzip trade bill whose SHA1 must match (a
# corrupted one caught). The simulator's log must hold no ANSI
# colour codes. Each simulator is stopped by PID.
#
# Optional: SDK_VENV (an existing virtualenv with the pinned SDK), KEEP_TMP=1.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
SDK_VERSION=2.0.4

die() {
  echo "sdk/run.sh: $*" >&2
  exit 1
}
say() { echo "sdk/run.sh: $*" >&2; }

SIM_BIN="${SIM_BIN:-$REPO/target/release/wechat-pay-sim}"
SIM_BIN="$(realpath "$SIM_BIN")" || die "SIM_BIN: no such file"
[[ -x "$SIM_BIN" ]] || die "SIM_BIN is not executable: $SIM_BIN"
command -v python3 >/dev/null || die "python3 is not installed"

TMP_ROOT="${CI_TMP:-${TMPDIR:-/tmp}}"
WORK="$(mktemp -d "$TMP_ROOT/letao-sdk.XXXXXX")"
OUT_DIR="${OUT_DIR:-$WORK/out}"
mkdir -p "$OUT_DIR"
OUT_DIR="$(cd "$OUT_DIR" && pwd)"
SIM_PID=""

stop_sim() {
  [[ -n "$SIM_PID" ]] || return 0
  if kill -0 "$SIM_PID" 2>/dev/null; then
    kill -TERM "$SIM_PID" 2>/dev/null || true
    for _ in $(seq 50); do
      kill -0 "$SIM_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$SIM_PID" 2>/dev/null || true
  fi
  wait "$SIM_PID" 2>/dev/null || true
  SIM_PID=""
}

cleanup() {
  local status=$?
  stop_sim
  if [[ "${KEEP_TMP:-}" == 1 ]]; then
    say "kept $WORK"
  else
    rm -rf "$WORK"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- the SDK in a virtualenv --------------------------------------------------
sdk_version() { "$1/bin/python" -c 'import importlib.metadata as m; print(m.version("wechatpayv3"))' 2>/dev/null; }
if [[ -n "${SDK_VENV:-}" && "$(sdk_version "$SDK_VENV")" == "$SDK_VERSION" ]]; then
  VENV="$SDK_VENV"
else
  VENV="${SDK_VENV:-$WORK/venv}"
  python3 -m venv "$VENV" 2>"$OUT_DIR/venv.log" ||
    die "python3 -m venv failed (apt-get install -y python3-venv): $(cat "$OUT_DIR/venv.log")"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "wechatpayv3==$SDK_VERSION" \
    >"$OUT_DIR/pip.log" 2>&1 || die "pip install wechatpayv3==$SDK_VERSION failed; see $OUT_DIR/pip.log"
fi
[[ "$(sdk_version "$VENV")" == "$SDK_VERSION" ]] ||
  die "$VENV has wechatpayv3 '$(sdk_version "$VENV")', not $SDK_VERSION"

# --- one simulator per mode ---------------------------------------------------
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

APIV3_KEY="sdk-apiv3-key-0123456789abcdefgh"
MERCHANT_SERIAL="5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
PUBLIC_KEY_ID="PUB_KEY_ID_0119000000002026010100000000000042"

run_mode() {
  local mode="$1" port url
  local flags=(--apiv3-key "$APIV3_KEY" --merchant-serial "$MERCHANT_SERIAL"
    --write-merchant-key "$WORK/merchant-key.pem"
    --platform-private-key "$WORK/platform-key.pem" --write-public-key "$WORK/wechatpay-pub.pem"
    --public-key-id "$PUBLIC_KEY_ID" --retry-scale 0.01)
  [[ "$mode" == certificate ]] && flags+=(--platform-cert-mode)
  port="$(free_port)"
  url="http://127.0.0.1:$port"
  # stdout is a file here: the log must come out without colour codes.
  (cd "$WORK" && exec "$SIM_BIN" --addr "127.0.0.1:$port" "${flags[@]}") >"$OUT_DIR/sim-$mode.log" 2>&1 &
  SIM_PID=$!
  for _ in $(seq 300); do
    kill -0 "$SIM_PID" 2>/dev/null || die "wechat-pay-sim ($mode) exited during start-up; see $OUT_DIR/sim-$mode.log"
    python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$url/sim/orders" \
      2>/dev/null && break
    sleep 0.2
  done
  say "$mode mode: simulator $url (pid $SIM_PID)"
  local driver_args=(--sim-url "$url" --mode "$mode" --merchant-key "$WORK/merchant-key.pem"
    --merchant-serial "$MERCHANT_SERIAL" --apiv3-key "$APIV3_KEY")
  [[ "$mode" == public-key ]] &&
    driver_args+=(--public-key "$WORK/wechatpay-pub.pem" --public-key-id "$PUBLIC_KEY_ID")
  if ! "$VENV/bin/python" "$HERE/driver.py" "${driver_args[@]}" 2>&1 | tee "$OUT_DIR/driver-$mode.log"; then
    stop_sim
    die "wechatpayv3 $SDK_VERSION failed against the simulator in $mode mode; see $OUT_DIR"
  fi
  stop_sim
  ! grep -q $'\x1b' "$OUT_DIR/sim-$mode.log" ||
    die "the simulator wrote ANSI colour codes into its log file ($OUT_DIR/sim-$mode.log)"
  grep -q "/v3/pay/transactions/native" "$OUT_DIR/sim-$mode.log" ||
    die "the simulator did not log the requests ($OUT_DIR/sim-$mode.log)"
}

run_mode public-key
run_mode certificate
say "wechatpayv3 $SDK_VERSION: public-key and certificate modes passed"
