#!/usr/bin/env bash
# Schema-driven fuzzing of every operation of /openapi.json with schemathesis.
#
#   LETAO_BIN=target/release/letao-server SIM_BIN=target/release/wechat-pay-sim \
#   OUT_DIR=out/schemathesis bash tests/schemathesis/run.sh [schemathesis run args...]
#
# Creates a virtualenv under CI_TMP (or a new temporary folder) and installs
# the pinned schemathesis into it; starts wechat-pay-sim and letao-server on
# free 127.0.0.1 ports with a fresh SQLite database and SMS outbox
# (start_test_shop of scripts/lib/services.sh); registers
# a buyer and an owner (`letao-server grant-admin`) with codes read from the
# outbox; then runs every operation (examples, coverage, fuzzing and stateful
# phases) with the buyer's token, and the owner routes with the owner's.
# Checks: no 5xx, replies and their headers as the document declares (status
# codes, content types, schemas). Any finding fails the run (non-zero exit).
# Both servers are stopped by PID on exit.
#
# Optional: ST_VENV (an existing virtualenv to reuse), ST_SEED (default
# 1300, fixed so that a failure reproduces), ST_MAX_EXAMPLES
# (per operation and phase, default 240), ST_MIN_REQUESTS (default 10000:
# fewer generated test cases fail the run), KEEP_TMP=1.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SCHEMATHESIS_VERSION=4.32.5
LOG_TAG=schemathesis
# shellcheck source=scripts/lib/services.sh
source "$HERE/../../scripts/lib/services.sh"

resolve_bin LETAO_BIN letao-server
resolve_bin SIM_BIN wechat-pay-sim
command -v python3 >/dev/null || die "python3 is not installed"

make_workdir letao-schemathesis "${CI_TMP:-${TMPDIR:-/tmp}}"
OUT_DIR="${OUT_DIR:-$WORK/out}"
mkdir -p "$OUT_DIR"
OUT_DIR="$(cd "$OUT_DIR" && pwd)"

# --- schemathesis in a virtualenv --------------------------------------------
if [[ -n "${ST_VENV:-}" && -x "$ST_VENV/bin/schemathesis" ]]; then
  VENV="$ST_VENV"
else
  VENV="${ST_VENV:-$WORK/venv}"
  python3 -m venv "$VENV" 2>"$OUT_DIR/venv.log" ||
    die "python3 -m venv failed (apt-get install -y python3-venv): $(cat "$OUT_DIR/venv.log")"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" \
    >"$OUT_DIR/pip.log" 2>&1 || die "pip install schemathesis failed; see $OUT_DIR/pip.log"
fi
[[ "$("$VENV/bin/schemathesis" --version)" == *"$SCHEMATHESIS_VERSION"* ]] ||
  die "$VENV has schemathesis $("$VENV/bin/schemathesis" --version), not $SCHEMATHESIS_VERSION"

# --- WeChat Pay simulator and the shop ---------------------------------------
start_test_shop schemathesis warn
log "shop $BASE_URL (pid $SERVER_PID), simulator $SIM_URL (pid $SIM_PID), work dir $WORK"

# --- a buyer and an owner -----------------------------------------------------
# Registers USERNAME with MOBILE (the code read from the outbox), optionally
# grants it ROLE, and prints its token.
account() {
  local username="$1" mobile="$2" role="${3:-}"
  python3 - "$BASE_URL" "$LETAO__SMS__OUTBOX" "$username" "$mobile" register >"$WORK/register.out" \
    <"$HERE/account.py" || die "registering $username failed: $(cat "$WORK/register.out")"
  if [[ -n "$role" ]]; then
    (cd "$WORK" && "$LETAO_BIN" grant-admin "$username" --role "$role") >"$OUT_DIR/grant.log" 2>&1 ||
      die "grant-admin $username failed: $(cat "$OUT_DIR/grant.log")"
  fi
  python3 - "$BASE_URL" "$LETAO__SMS__OUTBOX" "$username" "$mobile" login <"$HERE/account.py" ||
    die "logging in $username failed"
}
USER_TOKEN="$(account fuzz_buyer 13700000001)"
ADMIN_TOKEN="$(account fuzz_owner 13700000002 admin)"
export LETAO_USER_TOKEN="$USER_TOKEN" LETAO_ADMIN_TOKEN="$ADMIN_TOKEN"

# --- the run -------------------------------------------------------------------
fetch() { python3 -c 'import sys, urllib.request; sys.stdout.buffer.write(urllib.request.urlopen(sys.argv[1]).read())' "$1"; }
fetch "$BASE_URL/openapi.json" >"$OUT_DIR/openapi.json" || die "GET /openapi.json failed"

started=$(date +%s)
# One worker: schemathesis's workers are threads, and Python 3.11 (Debian
# 12's) keeps one AST recursion counter per interpreter, so two threads
# parsing at once (Hypothesis reads a lambda's source to describe it) can
# fail with "AST constructor recursion depth mismatch" (CPython gh-106905),
# a failure of the tool, not of the shop.
set +e
(cd "$WORK" && "$VENV/bin/schemathesis" --config-file "$HERE/schemathesis.toml" run "$OUT_DIR/openapi.json" \
  --url "$BASE_URL" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance \
  --max-examples "${ST_MAX_EXAMPLES:-240}" \
  --phases examples,coverage,fuzzing,stateful \
  --workers 1 \
  --seed "${ST_SEED:-1300}" \
  --suppress-health-check too_slow,filter_too_much \
  --generation-database none \
  --request-timeout 20 \
  --no-color \
  --report junit,ndjson --report-dir "$OUT_DIR/report" \
  "$@") 2>&1 | tee "$OUT_DIR/schemathesis.log"
status=${PIPESTATUS[0]}
set -e
elapsed=$(($(date +%s) - started))

# The server must still be up and have logged no panic.
kill -0 "$SERVER_PID" 2>/dev/null || die "letao-server died during the run; see $OUT_DIR/server.log"
! grep -q "panicked" "$OUT_DIR/server.log" || die "letao-server panicked; see $OUT_DIR/server.log"

requests="$("$VENV/bin/python" "$HERE/count.py" "$OUT_DIR/report")" || die "could not count the requests"
log "$requests requests generated in ${elapsed}s"
[[ "$status" == 0 ]] || die "schemathesis found failures (exit $status); see $OUT_DIR/schemathesis.log"
((requests >= ${ST_MIN_REQUESTS:-10000})) || die "only $requests requests (at least ${ST_MIN_REQUESTS:-10000} wanted)"
