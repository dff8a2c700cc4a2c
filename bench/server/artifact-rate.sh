#!/usr/bin/env bash
# The rate of GET /v1/artifact/{site} (what every visitor's page may ask)
# beside GET /healthz (the HTTP layer alone) for one or more server builds,
# alternating builds over ROUNDS on this shared machine. Each run publishes
# docs/examples/artifact.json on a fresh database, then wrk (-t2 -c64, 5 s)
# asks for it revalidating (If-None-Match: 304) and in full (200).
#
# usage: bench/server/artifact-rate.sh ROUNDS SERVER [SERVER...]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../../scripts/lib/loopback-ports.sh
source "$root/scripts/lib/loopback-ports.sh"
rounds=${1:?usage: artifact-rate.sh ROUNDS SERVER [SERVER...]}
shift
(($# > 0)) || { echo "usage: artifact-rate.sh ROUNDS SERVER [SERVER...]" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/tessera-artifact-XXXXXX")
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

rate() { wrk -t2 -c64 -d5s "$@" | awk '/^Requests\/sec:/ { printf "%.0f", $2 }'; }

for round in $(seq "$rounds"); do
  for binary in "$@"; do
    db="$work/run.db"
    rm -f "$db" "$db-wal" "$db-shm"
    key=$("$binary" keys create --db "$db" --site demo --kind admin | tail -n 1)
    port=$(free_port)
    "$binary" serve --db "$db" --host 127.0.0.1 --port "$port" 2>"$work/server.log" &
    server_pid=$!
    wait_for_port "$port"
    base="http://127.0.0.1:$port"
    curl -sf -o /dev/null -X PUT -H "Authorization: Bearer $key" \
      -H 'Content-Type: application/json' \
      --data-binary @"$root/docs/examples/artifact.json" "$base/v1/admin/sites/demo/artifact"
    etag=$(curl -sf -D - -o /dev/null "$base/v1/artifact/demo" |
      awk 'tolower($1) == "etag:" { sub(/\r$/, "", $2); print $2 }')
    revalidated=$(rate -H "If-None-Match: $etag" "$base/v1/artifact/demo")
    full=$(rate "$base/v1/artifact/demo")
    health=$(rate "$base/healthz")
    kill "$server_pid"
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
    echo "round $round $binary: 304 $revalidated req/s, 200 $full req/s, healthz $health req/s"
  done
done
