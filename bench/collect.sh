#!/usr/bin/env bash
# Measures /v1/collect on a fresh data dir: single-event requests and 100-event batches, with wrk
# on the same machine. Every 202 is a committed, durable write.
#   bench/collect.sh [extra serve options...]      e.g. bench/collect.sh --committers 1
# Env: CONNECTIONS (256), DURATION (15s); SINGLE_RATE (10000) and BATCH_RATE (1500) requests/s for
# the latency runs at a fixed load (half the targets: 20,000 single-event requests/s, 300,000
# events/s in 100-event batches).
set -euo pipefail
source "$(dirname "$0")/common.sh"
conns=${CONNECTIONS:-256}
duration=${DURATION:-15s}
port=${PORT:-18090}
command -v wrk >/dev/null || { echo "bench: wrk is needed (apt-get install wrk)" >&2; exit 1; }
bench_setup
bench_serve "$port" "$@"

url="http://127.0.0.1:$port/v1/collect"
run() { # name, script
  echo "== $1: capacity ($conns connections, $duration)"
  RATE=0 wrk -t2 -c"$conns" -d"$duration" --latency -s "$root/bench/$2" "$url" |
    grep -E "Requests/sec|50%|90%|99%|Non-2xx|Socket errors"
}
at_rate() { # name, script, requests/s
  echo "== $1: latency at $3 requests/s offered ($conns connections, $duration)"
  RATE=$3 THREADS=2 wrk -t2 -c"$conns" -d"$duration" --latency -s "$root/bench/$2" "$url" |
    grep -E "Requests/sec|50%|90%|99%|Non-2xx|Socket errors|Latency  "
}
RATE=0 wrk -t2 -c"$conns" -d20s -s "$root/bench/collect-new-session.lua" "$url" >/dev/null # JIT warm-up
run "single-event heartbeats of 20,000 ongoing sessions" collect-heartbeat.lua
run "single-event requests, each from a new session" collect-new-session.lua
run "100-event batches" collect-batch.lua
at_rate "single-event heartbeats" collect-heartbeat.lua "${SINGLE_RATE:-10000}"
at_rate "100-event batches" collect-batch.lua "${BATCH_RATE:-1500}"
curl -s "http://127.0.0.1:$port/metrics" |
  grep -E "^playlens_(events_accepted_total|batches_committed_total|commit_latency_seconds_(sum|count)|beacons_rejected_total)"
