#!/usr/bin/env bash
# Time from starting the release binary on an empty SQLite file (migrations
# and demo data included) to its first answered /oneCategory, N times, on a
# free port; each server is stopped by PID before the next one starts.
#   bash bench/startup.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
LOG_TAG=startup
# shellcheck source=scripts/lib/processes.sh
source scripts/lib/processes.sh
runs=${1:-5}
cargo build --release --quiet -p letao-server
bin=$(release_bin letao-server)
free_port port
make_workdir letao-startup
for i in $(seq 1 "$runs"); do
  dir="$WORK/run-$i"
  mkdir "$dir"
  start=$(date +%s%N)
  LETAO__SERVER__ADDR="127.0.0.1:$port" LETAO__DATABASE__URL="sqlite://$dir/letao.db" \
    LETAO__LOG__LEVEL=warn "$bin" >"$dir.log" 2>&1 &
  pid=$!
  track_pid "$pid" letao-server "$dir.log"
  until curl -fsS -o /dev/null "http://127.0.0.1:$port/oneCategory" 2>/dev/null; do
    assert_alive
    (($(date +%s%N) - start < 60000000000)) || die "no answer within 60 s (log: $dir.log)"
    sleep 0.005
  done
  end=$(date +%s%N)
  stop_pid "$pid"
  rm -rf "$dir"
  echo "run $i: first response after $(((end - start) / 1000000)) ms"
done
