# A local S3-compatible server for the media tests, sourced by .ci/run:
# s3s-fs (the s3s project's file-system server, from crates.io), which
# checks every request's SigV4 signature (presigned URLs included) against
# one access key. Built once per machine into a folder of its own (some
# minutes on two cores; later runs reuse it), started on a free 127.0.0.1
# port over a folder of the caller's, with one bucket.
#
#   source tests/media/s3-server.sh
#   start_s3_server "$WORK/s3"   # sets S3_PID, exports TEST_S3_*
#   print_s3_exports             # the exports, for `eval`
#
# The caller stops S3_PID. Needs cargo and python3.

S3S_VERSION=0.14.1
S3S_ROOT="${LETAO_TOOLS_DIR:-$HOME/.cache/letao-tools}/s3s-fs-$S3S_VERSION"

s3_log() { printf '[s3] %s\n' "$*" >&2; }

# install_s3_server WORK_DIR: builds s3s-fs unless this machine has it.
install_s3_server() {
  [[ -x "$S3S_ROOT/bin/s3s-fs" ]] && return 0
  s3_log "building s3s-fs $S3S_VERSION from crates.io into $S3S_ROOT"
  mkdir -p "$1"
  # Unoptimised: it serves a few test objects, and a debug build is the
  # quicker one.
  CARGO_TARGET_DIR="$1/s3s-build" cargo install --debug --quiet --locked --root "$S3S_ROOT" \
    --version "$S3S_VERSION" --features binary s3s-fs >"$1/install.log" 2>&1 ||
    { cat "$1/install.log" >&2; s3_log "cargo install s3s-fs failed"; return 1; }
  rm -rf "$1/s3s-build"
}

# start_s3_server DIR: serves DIR/data on a free port with bucket
# letao-media and a fresh key; exports the TEST_S3_* variables the media
# tests read and sets S3_PID.
start_s3_server() {
  local dir=$1 port key secret
  install_s3_server "$dir" || return 1
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  key="letao-ci-$(python3 -c 'import secrets; print(secrets.token_hex(6))')"
  secret=$(python3 -c 'import secrets; print(secrets.token_hex(20))')
  # s3s-fs keeps a bucket as a folder of its root.
  mkdir -p "$dir/data/letao-media"
  s3_log "starting s3s-fs on 127.0.0.1:$port"
  "$S3S_ROOT/bin/s3s-fs" --host 127.0.0.1 --port "$port" --access-key "$key" \
    --secret-key "$secret" "$dir/data" >"$dir/s3s-fs.log" 2>&1 &
  S3_PID=$!
  for _ in $(seq 1 100); do
    if python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$port" 2>/dev/null; then
      export TEST_S3_ENDPOINT="http://127.0.0.1:$port" TEST_S3_BUCKET=letao-media \
        TEST_S3_REGION=us-east-1 TEST_S3_ACCESS_KEY_ID="$key" TEST_S3_SECRET_ACCESS_KEY="$secret"
      return 0
    fi
    kill -0 "$S3_PID" 2>/dev/null || break
    sleep 0.1
  done
  cat "$dir/s3s-fs.log" >&2
  s3_log "s3s-fs did not come up"
  return 1
}

print_s3_exports() {
  local var
  for var in TEST_S3_ENDPOINT TEST_S3_BUCKET TEST_S3_REGION TEST_S3_ACCESS_KEY_ID TEST_S3_SECRET_ACCESS_KEY; do
    printf 'export %s=%q\n' "$var" "${!var}"
  done
}
