#!/usr/bin/env bash
# Product reads at cache speed: `/products/1` and `/products?brandId=1`
# beside `/banners` (the cached home page) on SQLite and MariaDB, in one
# run of ../shared/peers/bench.sh (64 connections); `maria-nocache` is the
# same server with catalogue.cache_ttl_ms = 0, reading every product from
# MariaDB as before the product cache. Then two instances on one MariaDB
# under load at once (32 connections each) against one alone, and the RSS
# of each server.
#
#   bash bench/products.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

DURATION=${DURATION:-10}
need_tools
build_ours
start_bench_mariadb
MARIA="mysql://root:123456@127.0.0.1:$DB_PORT/letao_rs"
declare -A PORT=()
for name in sqlite maria maria-nocache maria-b; do free_port "PORT[$name]"; done
start_ours sqlite "${PORT[sqlite]}" "sqlite://$WORK/letao.db"
start_ours maria "${PORT[maria]}" "$MARIA"
start_ours maria-nocache "${PORT[maria-nocache]}" "$MARIA" LETAO__CATALOGUE__CACHE_TTL_MS=0

EXTRA_URLS=""
for name in sqlite maria maria-nocache; do
  port=${PORT[$name]}
  EXTRA_URLS+="$name-banners http://127.0.0.1:$port/banners
$name-product1 http://127.0.0.1:$port/products/1
$name-brand1 http://127.0.0.1:$port/products?brandId=1
"
done
ONLY=$(awk '{printf "%s ", $1}' <<<"$EXTRA_URLS")
peers_bench

# Share of /banners' rate.
awk '$1 ~ /-banners$/ { b[substr($1, 1, length($1) - 8)] = $2 }
     $1 ~ /-(product1|brand1)$/ { n = $1; sub(/-(product1|brand1)$/, "", n); r[$1] = $2; of[$1] = n }
     END { for (k in r) if (b[of[k]] > 0) printf "%-22s %5.1f%% of %s-banners\n", k, 100 * r[k] / b[of[k]], of[k] }' \
  "$OUT/results.txt" | sort | tee -a "$OUT/summary.txt"

# Two instances on one MariaDB: each alone, then both at once.
start_ours maria-b "${PORT[maria-b]}" "$MARIA"
PID_A=${PID_OF[maria]}
PID_B=${PID_OF[maria-b]}
A="http://127.0.0.1:${PORT[maria]}"
B="http://127.0.0.1:${PORT[maria-b]}"
rate() { awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$1"; }
p99() { awk '$1 == "99%" { print $2 }' "$1"; }
for path in /oneCategory /products/1; do
  tag=$(tr -dc 'a-zA-Z0-9' <<<"$path")
  wrk_run $((DURATION + 20)) "$OUT/one-$tag.wrk" -t2 -c64 -d"${DURATION}s" --latency "$A$path"
  wrk_start $((DURATION + 20)) "$OUT/two-a-$tag.wrk" -t1 -c32 -d"${DURATION}s" --latency "$A$path"
  wa=$WRK_PID
  wrk_run $((DURATION + 20)) "$OUT/two-b-$tag.wrk" -t1 -c32 -d"${DURATION}s" --latency "$B$path"
  wrk_wait "$wa" "$OUT/two-a-$tag.wrk"
  printf 'two instances %-13s one alone %7s req/s (p99 %s)   A+B at once %7s + %7s = %7s req/s (p99 %s, %s)\n' "$path" \
    "$(rate "$OUT/one-$tag.wrk")" "$(p99 "$OUT/one-$tag.wrk")" \
    "$(rate "$OUT/two-a-$tag.wrk")" "$(rate "$OUT/two-b-$tag.wrk")" \
    "$(( $(rate "$OUT/two-a-$tag.wrk") + $(rate "$OUT/two-b-$tag.wrk") ))" \
    "$(p99 "$OUT/two-a-$tag.wrk")" "$(p99 "$OUT/two-b-$tag.wrk")" | tee -a "$OUT/summary.txt"
done
for p in "A:$PID_A" "B:$PID_B"; do
  awk -v n="${p%%:*}" '/^VmRSS:/ { r = $2 } /^VmHWM:/ { h = $2 }
    END { printf "instance %s RSS %.1f MiB (peak %.1f MiB)\n", n, r / 1024, h / 1024 }' "/proc/${p#*:}/status" |
    tee -a "$OUT/summary.txt"
done
log "results in $OUT"
