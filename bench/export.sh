#!/usr/bin/env bash
# Export benchmark on a fresh data dir: generates EVENTS events over DAYS days for one account with
# `playlens generate`, starts the server, then streams every view of each media with
# /stats/medias/<id>/events.csv?limit=all (and .json) REPS times, printing rows/s per run; then the
# busiest media's export alone REPS times.
#   bench/export.sh [extra serve options...]
# Env: EVENTS (10m), DAYS (30), REPS (3), PORT (18094).
set -euo pipefail
source "$(dirname "$0")/common.sh"
port=${PORT:-18094}
bench_setup
"$root/bin/playlens" generate --data "$data" --account bench --events "${EVENTS:-10m}" --days "${DAYS:-30}"
bench_serve "$port" --rate-limit-production 100000000 "$@"
base="http://127.0.0.1:$port/stats/medias"
media=$(curl -sf -u owner@bench.test:bench-password "http://127.0.0.1:$port/admin/v1/accounts/bench/media" \
  | python3 -c 'import json,sys; print(" ".join(m["id"] for m in json.load(sys.stdin)["media"]))')
rows=0
for id in $media; do
  rows=$((rows + $(curl -sf -u owner@bench.test:bench-password "$base/$id/events.csv?limit=all" | tail -n +2 | wc -l)))
done
echo "$rows views in all over $(wc -w <<<"$media") media"
# One curl per run, asking for every media's export in turn over one kept-alive connection, as a
# client script would: a curl process per media added about 10 ms each of the client's own start-up.
for format in csv json; do
  urls=()
  for id in $media; do urls+=(-o /dev/null "$base/$id/events.$format?limit=all"); done
  for run in $(seq 1 "${REPS:-3}"); do
    started=$(date +%s.%N)
    curl -sf -u owner@bench.test:bench-password "${urls[@]}"
    python3 -c "r, s = $rows, $(date +%s.%N) - $started; print('$format run $run: %d views in %.2f s: %.0f rows/s' % (r, s, r / s))"
  done
done
# The busiest media alone: one long stream, without the fixed cost of each request.
busiest=$(for id in $media; do
  echo "$(curl -sf -u owner@bench.test:bench-password "$base/$id/events.csv?limit=all" | tail -n +2 | wc -l) $id"
done | sort -rn | head -1)
for run in $(seq 1 "${REPS:-3}"); do
  curl -sf -u owner@bench.test:bench-password -o /dev/null -w '%{time_total}\n' "$base/${busiest#* }/events.csv?limit=all" |
    python3 -c "import sys; s = float(sys.stdin.read()); print('busiest media (%s views) run $run: %.2f s: %.0f rows/s' % ('${busiest% *}', s, ${busiest% *} / s))"
done
ps -o rss= -p "$(cat "$data/pid")" | awk '{printf "server RSS: %.0f MB\n", $1 / 1024}'
