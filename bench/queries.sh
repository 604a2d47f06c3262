#!/usr/bin/env bash
# Query benchmark on a fresh data dir: generates EVENTS events over DAYS days for one account with
# `playlens generate`, starts the server, and runs bench/queries.py once cold and REPS times warm.
#   bench/queries.sh [extra serve options...]      e.g. bench/queries.sh --store-threads 2
# Env: EVENTS (10m), DAYS (30), REPS (20), PORT (18093).
set -euo pipefail
source "$(dirname "$0")/common.sh"
port=${PORT:-18093}
RETENTION=30d; (( ${DAYS:-30} > 30 )) && RETENTION=365d
bench_setup
"$root/bin/playlens" generate --data "$data" --account bench --events "${EVENTS:-10m}" --days "${DAYS:-30}"
bench_serve "$port" --rate-limit-production 100000000 "$@"
echo "== cold: each call once after the start"
python3 "$root/bench/queries.py" "http://127.0.0.1:$port" "$api_key" 1 | tail -4
echo "== warm: each call ${REPS:-20} times"
python3 "$root/bench/queries.py" "http://127.0.0.1:$port" "$api_key" "${REPS:-20}"
ps -o rss= -p "$(cat "$data/pid")" | awk '{printf "server RSS: %.0f MB\n", $1 / 1024}'
