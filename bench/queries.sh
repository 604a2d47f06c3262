#!/usr/bin/env bash
# Query benchmark on a fresh data dir: generates EVENTS events over DAYS days for one account with
# `playlens generate`, starts the server, and runs bench/queries.py once cold and REPS times warm;
# with LOAD_RATE, once more while wrk offers that many single-event heartbeats/s to the same account
# (so its queries fold in events the sealer has not folded yet, as under live traffic).
#   bench/queries.sh [extra serve options...]      e.g. bench/queries.sh --store-threads 2
# Env: EVENTS (10m), DAYS (30), REPS (20), PORT (18093), LOAD_RATE (unset: no load pass),
#      CONNECTIONS (64, for the load).
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
if [[ -n "${LOAD_RATE:-}" ]]; then
  command -v wrk >/dev/null || { echo "bench: wrk is needed for LOAD_RATE (apt-get install wrk)" >&2; exit 1; }
  conns=${CONNECTIONS:-64}
  echo "== warm, while wrk offers $LOAD_RATE single-event requests/s ($conns connections)"
  RATE=$LOAD_RATE THREADS=1 wrk -t1 -c"$conns" -d10m -s "$root/bench/collect-heartbeat.lua" \
    "http://127.0.0.1:$port/v1/collect" > "$data/wrk.log" 2>&1 &
  sleep 5
  python3 "$root/bench/queries.py" "http://127.0.0.1:$port" "$api_key" "${REPS:-20}"
  kill %% 2>/dev/null || true
  curl -s "http://127.0.0.1:$port/metrics" | grep -E "^playlens_events_accepted_total"
fi
ps -o rss= -p "$(cat "$data/pid")" | awk '{printf "server RSS: %.0f MB\n", $1 / 1024}'
