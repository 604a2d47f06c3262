#!/usr/bin/env bash
# Runs every benchmark, each on a fresh data dir, and writes bench/results.md: the machine, the
# versions, then each tool's output with the command that produced it. About 30 minutes with the
# defaults; QUICK=1 for a smoke run (1 million events, 5 s runs) that writes the same sections.
#   bench/all.sh
# Env: EVENTS (10m), DAYS (30), QUICK (unset).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
source "$root/scripts/jdk.sh"
jdk=$(pick_jdk)
if [[ -n "${QUICK:-}" ]]; then
  export EVENTS=${EVENTS:-1m} DURATION=5s REPS=2 VIEWERS=200 SAMPLES=30
fi
export EVENTS=${EVENTS:-10m} DAYS=${DAYS:-30}
command -v wrk >/dev/null || { echo "bench: wrk is needed (apt-get install wrk)" >&2; exit 1; }
./mvnw -q package -DskipTests -Dspotless.check.skip=true

out="$root/bench/results.md"
tmp=$(mktemp)
section() { # title, command as shown, command...
  local title=$1 shown=$2
  shift 2
  echo "bench: $title ..." >&2
  {
    printf '\n## %s\n\nCommand: `%s`\n\n```\n' "$title" "$shown"
    # without the servers' start-up log and the progress bars' redraws
    "$@" 2>&1 | tr '\r' '\n' | sed 's/\x1b\[[0-9;]*m//g' | grep -vE ' INFO |WARNING|^SLF4J|^\[[#.]+\]|^\s*$' || true
    printf '```\n'
  } >> "$tmp"
}

{
  echo "# Benchmark results"
  echo
  echo "Written by \`bench/all.sh\` on $(date -u +%Y-%m-%dT%H:%MZ); every figure below is this run's."
  echo "Earlier runs, their analysis and the bottlenecks found: \`bench/history.md\`."
  echo
  echo "| | |"
  echo "|---|---|"
  echo "| machine | $(nproc) CPUs ($(lscpu | sed -n 's/^Model name: *//p' | head -1)), $(free -g | awk '/^Mem:/ {print $2}') GiB, $(uname -sr) |"
  echo "| JDK | $("$jdk/bin/java" -version 2>&1 | head -1) |"
  echo "| Playlens | $(git rev-parse --short HEAD) ($(git log -1 --format=%cd --date=short)) |"
  echo "| DuckDB JDBC | $(grep -A1 '<artifactId>duckdb_jdbc' pom.xml | sed -n 's:.*<version>\(.*\)</version>.*:\1:p') |"
  echo "| ClickHouse, PostgreSQL (cluster run) | $(dpkg-query -W -f '${Version}' clickhouse-server 2>/dev/null || echo none), $(dpkg-query -W -f '${Version}' postgresql 2>/dev/null || echo none) |"
  echo "| wrk | $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2) |"
  echo "| events in the query and export stores | $EVENTS over $DAYS days (\`playlens generate\`) |"
} > "$tmp"

jmh_summary() { bench/jmh.sh -f 1 -wi 2 -i 3 | sed -n '/^Benchmark /,$p'; }

section "Collection: capacity and latency (wrk)" bench/collect.sh bench/collect.sh
section "Freshness, idle and under load (wrk + probes)" bench/freshness.sh bench/freshness.sh
section "Load generator: simulated viewers with freshness probes" bench/loadgen.sh bench/loadgen.sh
if [[ -x /usr/sbin/clickhouse-server ]] && compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
  section "Load generator against two nodes on ClickHouse and PostgreSQL" bench/cluster.sh bench/cluster.sh
else
  echo "bench: no ClickHouse or PostgreSQL installed: the cluster run is left out" >&2
fi
section "Queries: API and dashboard calls against the SQL" bench/queries-mix.sh bench/queries-mix.sh
section "Export: streamed CSV and JSON" bench/export.sh bench/export.sh
section "JMH micro-benchmarks" "bench/jmh.sh -f 1 -wi 2 -i 3" jmh_summary
mv "$tmp" "$out"
echo "bench: wrote $out" >&2
