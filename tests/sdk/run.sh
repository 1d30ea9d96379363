#!/usr/bin/env bash
# wechat-pay-sim driven by wechatpayv3, the most used WeChat Pay v3 Python
# SDK, as a merchant uses it, in public-key and in platform-certificate mode.
#
#   SIM_BIN=target/release/wechat-pay-sim OUT_DIR=out/sdk bash tests/sdk/run.sh
#
# Creates a virtualenv under CI_TMP (or a new temporary folder) and installs
# the pinned wechatpayv3 from PyPI into it; failing to do so fails the run
# (nothing is skipped). Then, for each mode, starts the simulator on a free
# 127.0.0.1 port (scripts/lib/services.sh) with keys written under the work
# folder and runs driver.py:
# Native pay, query, close, the paid notification through the SDK's
# callback() (a SIGNTEST probe before it refused), refund and refund query
# (and its notification), and a gzip trade bill whose SHA1 must match (a
# corrupted one caught). The simulator's log must hold no ANSI
# colour codes. Each simulator is stopped by PID.
#
# Optional: SDK_VENV (an existing virtualenv with the pinned SDK), KEEP_TMP=1.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SDK_VERSION=2.0.4
LOG_TAG=sdk
# shellcheck source=scripts/lib/services.sh
source "$HERE/../../scripts/lib/services.sh"

resolve_bin SIM_BIN wechat-pay-sim
command -v python3 >/dev/null || die "python3 is not installed"

make_workdir letao-sdk "${CI_TMP:-${TMPDIR:-/tmp}}"
OUT_DIR="${OUT_DIR:-$WORK/out}"
mkdir -p "$OUT_DIR"
OUT_DIR="$(cd "$OUT_DIR" && pwd)"

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
APIV3_KEY="sdk-apiv3-key-0123456789abcdefgh"
MERCHANT_SERIAL="5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
PUBLIC_KEY_ID="PUB_KEY_ID_0119000000002026010100000000000042"

run_mode() {
  local mode="$1"
  local flags=(--apiv3-key "$APIV3_KEY" --merchant-serial "$MERCHANT_SERIAL"
    --write-merchant-key "$WORK/merchant-key.pem"
    --platform-private-key "$WORK/platform-key.pem" --write-public-key "$WORK/wechatpay-pub.pem"
    --public-key-id "$PUBLIC_KEY_ID" --retry-scale 0.01)
  [[ "$mode" == certificate ]] && flags+=(--platform-cert-mode)
  # stdout is a file here: the log must come out without colour codes.
  RUN_DIR="$WORK" start_simulator "$OUT_DIR/sim-$mode.log" "${flags[@]}"
  log "$mode mode: simulator $SIM_URL (pid $SIM_PID)"
  local driver_args=(--sim-url "$SIM_URL" --mode "$mode" --merchant-key "$WORK/merchant-key.pem"
    --merchant-serial "$MERCHANT_SERIAL" --apiv3-key "$APIV3_KEY")
  [[ "$mode" == public-key ]] &&
    driver_args+=(--public-key "$WORK/wechatpay-pub.pem" --public-key-id "$PUBLIC_KEY_ID")
  "$VENV/bin/python" "$HERE/driver.py" "${driver_args[@]}" 2>&1 | tee "$OUT_DIR/driver-$mode.log" ||
    die "wechatpayv3 $SDK_VERSION failed against the simulator in $mode mode; see $OUT_DIR"
  # Stopped before its log is read, so that every line is in it.
  stop_pid "$SIM_PID"
  ! grep -q $'\x1b' "$OUT_DIR/sim-$mode.log" ||
    die "the simulator wrote ANSI colour codes into its log file ($OUT_DIR/sim-$mode.log)"
  grep -q "/v3/pay/transactions/native" "$OUT_DIR/sim-$mode.log" ||
    die "the simulator did not log the requests ($OUT_DIR/sim-$mode.log)"
}

run_mode public-key
run_mode certificate
log "wechatpayv3 $SDK_VERSION: public-key and certificate modes passed"
