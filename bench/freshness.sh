#!/usr/bin/env bash
# Measures freshness on a fresh data dir: the delay between /v1/collect acknowledging an event and
# /data/metrics counting it (bench/freshness.py), with and without wrk offering a steady load of
# single-event heartbeats (half the 20,000 requests/s ingest target by default).
#   bench/freshness.sh [extra serve options...]
# Env: SAMPLES (300), LOAD_RATE (10000 requests/s), CONNECTIONS (256), PORT (18091).
set -euo pipefail
source "$(dirname "$0")/common.sh"
conns=${CONNECTIONS:-256}
port=${PORT:-18091}
samples=${SAMPLES:-300}
command -v wrk >/dev/null || { echo "bench: wrk is needed (apt-get install wrk)" >&2; exit 1; }
bench_setup
bench_serve "$port" --rate-limit-production 1000000 "$@"
base="http://127.0.0.1:$port"

echo "== idle server"
python3 "$root/bench/freshness.py" "$base" "$PLAYLENS_KEY" "$api_key" "$samples" 0.05
echo "== while wrk offers ${LOAD_RATE:-10000} single-event requests/s ($conns connections)"
RATE=${LOAD_RATE:-10000} THREADS=2 wrk -t2 -c"$conns" -d10m -s "$root/bench/collect-heartbeat.lua" \
  "$base/v1/collect" > "$data/wrk.log" 2>&1 &
sleep 10
accepted() { curl -s "$base/metrics" | awk '/^playlens_events_accepted_total/ {print $2}'; }
before=$(accepted); started=$(date +%s.%N)
python3 "$root/bench/freshness.py" "$base" "$PLAYLENS_KEY" "$api_key" "$samples" 0.2
after=$(accepted); ended=$(date +%s.%N)
kill %% 2>/dev/null || true
awk -v a="$before" -v b="$after" -v s="$started" -v e="$ended" \
  'BEGIN { printf "events accepted while probing: %.0f/s\n", (b - a) / (e - s) }'
