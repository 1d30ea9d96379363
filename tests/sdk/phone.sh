#!/usr/bin/env bash
# Phone payments (JSAPI, H5) checked against two merchant SDKs: wechatpayv3
# (v3: JSAPI and H5 orders on the simulator, its JSAPI paySign compared with
# wechat-pay's and verified by the simulator's bridge) and wechatpy (v2: a
# JSAPI order, its MD5 paySign compared with wechat-pay's and verified by the
# bridge). wechatpy writes MD5 only; HMAC-SHA256 is a unit test of
# wechat-pay against SPEC §6's published vector.
#
#   cargo build --release -p wechat-pay-sim -p wechat-pay --example client_params
#   SIM_BIN=target/release/wechat-pay-sim PARAMS_BIN=target/release/examples/client_params \
#     OUT_DIR=out/sdk-phone bash tests/sdk/phone.sh
#
# Installs the pinned SDKs from PyPI into a virtualenv under CI_TMP (or a new
# temporary folder); failing to do so fails the run (nothing is skipped).
# SDK_VENV reuses a virtualenv that already has both pinned versions.
# The simulator runs in public-key mode on a free 127.0.0.1 port and is
# stopped by PID.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
V3_SDK=wechatpayv3==2.0.4
V2_SDK=wechatpy==1.8.18
LOG_TAG=sdk-phone
# shellcheck source=scripts/lib/services.sh
source "$HERE/../../scripts/lib/services.sh"

resolve_bin SIM_BIN wechat-pay-sim
resolve_bin PARAMS_BIN examples/client_params
command -v python3 >/dev/null || die "python3 is not installed"

make_workdir letao-sdk-phone "${CI_TMP:-${TMPDIR:-/tmp}}"
OUT_DIR="${OUT_DIR:-$WORK/out}"
mkdir -p "$OUT_DIR"
OUT_DIR="$(cd "$OUT_DIR" && pwd)"

# --- the SDKs in a virtualenv -------------------------------------------------
has_sdks() {
  "$1/bin/python" - "$V3_SDK" "$V2_SDK" 2>/dev/null <<'PY'
import importlib.metadata as m, sys
sys.exit(0 if all(m.version(n) == v for n, v in (a.split("==") for a in sys.argv[1:])) else 1)
PY
}
if [[ -n "${SDK_VENV:-}" ]] && has_sdks "$SDK_VENV"; then
  VENV="$SDK_VENV"
else
  VENV="$WORK/venv"
  python3 -m venv "$VENV" 2>"$OUT_DIR/venv.log" ||
    die "python3 -m venv failed (apt-get install -y python3-venv): $(cat "$OUT_DIR/venv.log")"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "$V3_SDK" "$V2_SDK" \
    >"$OUT_DIR/pip.log" 2>&1 || die "pip install $V3_SDK $V2_SDK failed; see $OUT_DIR/pip.log"
fi
has_sdks "$VENV" || die "$VENV does not have $V3_SDK and $V2_SDK"

# --- the simulator (public-key mode) ------------------------------------------
APIV3_KEY="sdk-apiv3-key-0123456789abcdefgh"
API_KEY="sdk-v2-api-key-0123456789abcdefg"
MERCHANT_SERIAL="5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
PUBLIC_KEY_ID="PUB_KEY_ID_0119000000002026010100000000000042"
RUN_DIR="$WORK" start_simulator "$OUT_DIR/sim.log" --apiv3-key "$APIV3_KEY" --api-key "$API_KEY" \
  --merchant-serial "$MERCHANT_SERIAL" --write-merchant-key "$WORK/merchant-key.pem" \
  --platform-private-key "$WORK/platform-key.pem" --write-public-key "$WORK/wechatpay-pub.pem" \
  --public-key-id "$PUBLIC_KEY_ID" --h5-domain shop.example.com --retry-scale 0.01
log "simulator $SIM_URL (pid $SIM_PID)"
(cd "$HERE" && "$VENV/bin/python" phone.py --sim-url "$SIM_URL" \
  --merchant-key "$WORK/merchant-key.pem" --merchant-serial "$MERCHANT_SERIAL" \
  --apiv3-key "$APIV3_KEY" --public-key "$WORK/wechatpay-pub.pem" --public-key-id "$PUBLIC_KEY_ID" \
  --api-key "$API_KEY" --params-bin "$PARAMS_BIN") 2>&1 | tee "$OUT_DIR/phone.log" ||
  die "the phone-payment SDK checks failed; see $OUT_DIR"
stop_pid "$SIM_PID"
log "$V3_SDK and $V2_SDK: JSAPI and H5 checks passed"
