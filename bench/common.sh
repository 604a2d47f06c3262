# Shared by the bench scripts (sourced): a fresh data dir with a bench account, and a server on it.
#   bench_setup                 makes $data (removed on exit) with account "bench"; sets
#                               PLAYLENS_KEY (exported, its production player key) and api_key
#   bench_serve PORT [opts...]  starts `playlens serve` on $data and waits for /healthz
#   bench_stop                  stops that server and waits until it has exited (also on exit)
#   stop_and_wait PID           stops a process and waits until it has exited
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[[ -f "$root/target/playlens.jar" ]] || "$root/mvnw" -q -f "$root/pom.xml" package -DskipTests -Dspotless.check.skip=true

bench_setup() {
  data=$(mktemp -d /tmp/playlens-bench-XXXXXX)
  trap 'kill $(jobs -p) 2>/dev/null || true; bench_stop; rm -rf "$data"' EXIT
  local created
  created=$("$root/bin/playlens" account create --data "$data" --key bench --name Bench \
    --email owner@bench.test --password bench-password --retention "${RETENTION:-30d}" --json)
  PLAYLENS_KEY=$(sed -E 's/.*"productionPlayerKey":"([^"]+)".*/\1/' <<<"$created")
  api_key=$(sed -E 's/.*"productionApiKey":"([^"]+)".*/\1/' <<<"$created")
  export PLAYLENS_KEY
  [[ -d "$root/.cache/geo" ]] && ln -s "$root/.cache/geo" "$data/geo"
  return 0
}

# Stops a process and waits for it to exit: a server still sealing and checkpointing on its way
# out would take the cores from whatever runs next.
stop_and_wait() {
  local pid=$1
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 600); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.5; done
  echo "bench: process $pid did not stop within 5 minutes; killing it" >&2
  kill -9 "$pid" 2>/dev/null || true
}

bench_stop() {
  local pid
  pid=$(cat "$data/pid" 2>/dev/null) || return 0
  stop_and_wait "$pid"
}

bench_serve() {
  local port=$1
  shift
  "$root/bin/playlens" serve --data "$data" --port "$port" "$@" > "$data/server.log" 2>&1 &
  echo $! > "$data/pid"
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && return 0; sleep 0.5; done
  echo "bench: the server did not start; its log:" >&2
  cat "$data/server.log" >&2
  return 1
}
