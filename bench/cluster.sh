#!/usr/bin/env bash
# The load generator against a cluster on this machine: a throwaway ClickHouse (events) and
# PostgreSQL (accounts) on 127.0.0.1 under a temp dir, NODES Playlens nodes on them, and
# `playlens loadgen` spreading its viewers over the nodes (freshness probes sent to the first node
# and counted by the last). Everything shares this machine's cores.
#   bench/cluster.sh [extra serve options...]
# Env: NODES (2), VIEWERS ("500 1500"), DURATION (60s), TIME_SCALE (10), PORT (18200: nodes on
# PORT, PORT+1, ...). Needs Debian's clickhouse-server and postgresql (bash .ci/run installs them).
set -euo pipefail
source "$(dirname "$0")/common.sh"
nodes=${NODES:-2}
port=${PORT:-18200}
work=$(mktemp -d /tmp/playlens-cluster-XXXXXX)
chmod 755 "$work" # PostgreSQL runs as its own user and must reach its directory
pids=()
cleanup() {
  # every node, then ClickHouse, gone before the next run measures
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do stop_and_wait "$pid"; done
  [[ -n "${pg_ctl:-}" ]] && as_postgres "$pg_ctl" -D "$work/pg/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
as_postgres() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# ClickHouse: Debian's configuration, pointed at the temp dir, on loopback only
ch_http=$(free_port)
ch_tcp=$(free_port)
mkdir -p "$work/ch"
sed -e "s#<log>[^<]*</log>#<log>$work/ch/server.log</log>#" \
    -e "s#<errorlog>[^<]*</errorlog>#<errorlog>$work/ch/error.log</errorlog>#" \
    -e "s#<level>[^<]*</level>#<level>warning</level>#" \
    -e "s#<interserver_http_port>[^<]*</interserver_http_port>##" \
    -e "s#<listen_host>[^<]*</listen_host>##" \
    -e "s#<http_port>[^<]*</http_port>#<http_port>$ch_http</http_port><listen_host>127.0.0.1</listen_host>#" \
    -e "s#<tcp_port>[^<]*</tcp_port>#<tcp_port>$ch_tcp</tcp_port>#" \
    -e "s#<path>/var/lib/clickhouse/</path>#<path>$work/ch/data/</path>#" \
    -e "s#<tmp_path>[^<]*</tmp_path>#<tmp_path>$work/ch/tmp/</tmp_path>#" \
    -e "s#<user_files_path>[^<]*</user_files_path>#<user_files_path>$work/ch/user_files/</user_files_path>#" \
    -e "s#<format_schema_path>[^<]*</format_schema_path>#<format_schema_path>$work/ch/schemas/</format_schema_path>#" \
    -e "s#<users_config>[^<]*</users_config>#<users_config>$work/ch/users.xml</users_config>#" \
    /etc/clickhouse-server/config.xml > "$work/ch/config.xml"
sed -e 's#<ip>::/0</ip>#<ip>127.0.0.1</ip>#' /etc/clickhouse-server/users.xml > "$work/ch/users.xml"
/usr/sbin/clickhouse-server --config-file="$work/ch/config.xml" > "$work/ch/stdout.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$ch_http/ping" >/dev/null && break; sleep 0.5; done

# PostgreSQL: a cluster of its own, on loopback only
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
pg_ctl="$pg_bin/pg_ctl"
pg_port=$(free_port)
mkdir -p "$work/pg"
[[ $(id -u) == 0 ]] && chown postgres:postgres "$work/pg"
as_postgres "$pg_bin/initdb" -D "$work/pg/data" -U playlens -A trust -E UTF8 --no-locale >/dev/null
as_postgres "$pg_ctl" -D "$work/pg/data" -l "$work/pg/server.log" -w -o \
  "-p $pg_port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$work/pg" start >/dev/null
as_postgres "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U playlens playlens

store="clickhouse://127.0.0.1:$ch_http/playlens"
metadata="postgresql://playlens@127.0.0.1:$pg_port/playlens"
created=$("$root/bin/playlens" account create --metadata "$metadata" --key bench --name Bench \
  --email owner@bench.test --password bench-password --json)
player_key=$(sed -E 's/.*"productionPlayerKey":"([^"]+)".*/\1/' <<<"$created")
api_key=$(sed -E 's/.*"productionApiKey":"([^"]+)".*/\1/' <<<"$created")

urls=()
for i in $(seq 0 $((nodes - 1))); do
  node_port=$((port + i))
  mkdir -p "$work/node$i"
  [[ -d "$root/.cache/geo" ]] && ln -s "$root/.cache/geo" "$work/node$i/geo"
  "$root/bin/playlens" serve --data "$work/node$i" --port "$node_port" --store "$store" \
    --metadata "$metadata" --trusted-proxy 127.0.0.1/32 --rate-limit-production 100000000 "$@" \
    > "$work/node$i/server.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$node_port/healthz" >/dev/null && break; sleep 0.5; done
  curl -sf "http://127.0.0.1:$node_port/healthz" >/dev/null || { cat "$work/node$i/server.log" >&2; exit 1; }
  urls+=("http://127.0.0.1:$node_port")
done
echo "cluster: $nodes nodes on ClickHouse $(curl -s "http://127.0.0.1:$ch_http/?query=SELECT%20version()") and PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}')"
for viewers in ${VIEWERS:-500 1500}; do
  echo "== $viewers viewers over $nodes nodes"
  "$root/bin/playlens" loadgen --url "$(IFS=,; echo "${urls[*]}")" --key "$player_key" \
    --api-key "$api_key" --viewers "$viewers" --duration "${DURATION:-60s}" \
    --time-scale "${TIME_SCALE:-10}" 2>/dev/null || true
done
for i in $(seq 0 $((nodes - 1))); do
  ps -o rss= -p "${pids[$((i + 1))]}" | awk -v n="$i" '{printf "node %d RSS: %.0f MB\n", n, $1 / 1024}'
done
ps -o rss= -p "${pids[0]}" | awk '{printf "ClickHouse RSS: %.0f MB\n", $1 / 1024}'
