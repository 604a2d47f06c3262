#!/usr/bin/env bash
# The load generator against a fresh data dir: `playlens loadgen` with freshness probes, at each
# number of viewers in VIEWERS, sessions played TIME_SCALE times faster than real time.
#   bench/loadgen.sh [extra serve options...]
# Env: VIEWERS ("500 1500"), DURATION (60s), TIME_SCALE (10), PORT (18095).
set -euo pipefail
source "$(dirname "$0")/common.sh"
port=${PORT:-18095}
bench_setup
bench_serve "$port" --trusted-proxy 127.0.0.1/32 --rate-limit-production 100000000 "$@"
for viewers in ${VIEWERS:-500 1500}; do
  echo "== $viewers viewers"
  "$root/bin/playlens" loadgen --url "http://127.0.0.1:$port" --key "$PLAYLENS_KEY" --api-key "$api_key" \
    --viewers "$viewers" --duration "${DURATION:-60s}" --time-scale "${TIME_SCALE:-10}" 2>/dev/null || true
done
ps -o rss= -p "$(cat "$data/pid")" | awk '{printf "server RSS: %.0f MB\n", $1 / 1024}'
