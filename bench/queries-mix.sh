#!/usr/bin/env bash
# `playlens bench queries` on a fresh data dir of EVENTS generated events over DAYS days: the mix of
# api.video, Wistia and dashboard calls, p50/p95/p99 per family beside the SQL of the same questions.
#   bench/queries-mix.sh [extra serve options...]
# Env: EVENTS (10m), DAYS (30), REPS (20).
set -euo pipefail
source "$(dirname "$0")/common.sh"
bench_setup
"$root/bin/playlens" generate --data "$data" --account bench --events "${EVENTS:-10m}" --days "${DAYS:-30}" \
  | tr '\r' '\n' | tail -3
"$root/bin/playlens" bench queries --data "$data" --account bench --reps "${REPS:-20}" --days "${DAYS:-30}" "$@"
