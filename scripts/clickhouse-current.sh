#!/usr/bin/env bash
# Runs the ClickHouse tests (the event store contract and the API equivalence test) against the
# current ClickHouse engine instead of Debian's 18.16 server: chdb (ClickHouse embedded, from npm)
# behind scripts/chdb-http.js, the small HTTP front that speaks what Playlens' client sends.
#   scripts/clickhouse-current.sh
# Downloads the chdb npm package (about 550 MB) into .cache/chdb once.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
if [[ ! -d .cache/chdb/node_modules/chdb ]]; then
  mkdir -p .cache/chdb
  npm install --prefix .cache/chdb --no-audit --no-fund chdb@3.4.0 >&2
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
data=$(mktemp -d /tmp/playlens-chdb-XXXXXX)
NODE_PATH="$root/.cache/chdb/node_modules" node scripts/chdb-http.js "$port" "$data/db" > "$data/chdb.log" 2>&1 &
shim=$!
trap 'kill $shim 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$port/ping" >/dev/null && break; sleep 0.5; done
echo "clickhouse-current: $(curl -s "http://127.0.0.1:$port/" --data-binary 'SELECT version() AS v FORMAT JSONEachRow') on port $port"
./mvnw test -Dtest='ClickHouseEventStoreTest,ClickHouseEquivalenceTest,ClickHouseOutageTest' \
  -Dsurefire.failIfNoSpecifiedTests=false -Dplaylens.test.clickhouse.port="$port" -Dspotless.check.skip=true \
  || { echo "clickhouse-current: failed; chdb's log:"; tail -50 "$data/chdb.log"; exit 1; }
