#!/usr/bin/env bash
# Time from starting the release binary on an empty SQLite file (migrations
# and demo data included) to its first answered /oneCategory, N times.
#   bash bench/startup.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
cargo build --release --quiet -p letao-server
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
for i in $(seq 1 "$runs"); do
  dir=$(mktemp -d)
  start=$(date +%s%N)
  LETAO__SERVER__ADDR="127.0.0.1:$port" LETAO__DATABASE__URL="sqlite://$dir/letao.db" \
    LETAO__LOG__LEVEL=warn ./target/release/letao-server >/dev/null 2>&1 &
  pid=$!
  until curl -fsS -o /dev/null "http://127.0.0.1:$port/oneCategory" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { echo "server exited" >&2; exit 1; }
    sleep 0.005
  done
  end=$(date +%s%N)
  kill -TERM "$pid"; wait "$pid" || true
  rm -rf "$dir"
  echo "run $i: first response after $(( (end - start) / 1000000 )) ms"
done
