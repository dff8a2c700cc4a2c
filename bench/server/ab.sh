#!/usr/bin/env bash
# Interleaved A/B of two tessera-server builds under the ingest benchmark's
# load (wrk on loopback posting docs/examples/signal.json with fresh ids),
# for changes too small to see in one run on this shared machine: the
# machine's load drifts between runs, so A and B alternate, each round on a
# fresh database, and the medians are compared.
#
# usage: bench/server/ab.sh SERVER_A SERVER_B [ROUNDS]
#
# Per run it prints the request rate and the server's CPU per request
# (utime + stime of the server process over the measured run, from
# /proc/PID/stat, divided by the requests wrk completed); CPU per request
# moves less with the machine's load than the rate does.
#
# Environment: AB_SECONDS (measured seconds per run, default 8),
# AB_CONNECTIONS (default 64), A_ENV / B_ENV (extra environment for one
# side, e.g. B_ENV="X=1"), A_ARGS / B_ARGS (extra `serve` flags).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../../scripts/lib/loopback-ports.sh
source "$root/scripts/lib/loopback-ports.sh"
server_a=${1:?usage: ab.sh SERVER_A SERVER_B [ROUNDS]}
server_b=${2:?usage: ab.sh SERVER_A SERVER_B [ROUNDS]}
rounds=${3:-6}
seconds=${AB_SECONDS:-8}
connections=${AB_CONNECTIONS:-64}
lua="$root/bench/server/post_signal.lua"
ticks_per_second=$(getconf CLK_TCK)

work=$(mktemp -d "${TMPDIR:-/tmp}/tessera-ab-XXXXXX")
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# One measured run; prints "RATE CPU_US_PER_REQUEST".
measure() {  # server binary, extra env, extra serve flags
  local binary=$1 extra_env=$2 extra_args=$3
  local db="$work/run.db"
  rm -f "$db" "$db-wal" "$db-shm"
  local key port
  # shellcheck disable=SC2086
  key=$(env $extra_env "$binary" keys create --db "$db" --site demo --kind write |
    tail -n 1)
  port=$(free_port)
  # shellcheck disable=SC2086  # the extra flags and variables are word lists
  env $extra_env "$binary" serve --db "$db" --host 127.0.0.1 --port "$port" \
    $extra_args 2>"$work/server.log" &
  server_pid=$!
  wait_for_port "$port"
  local url="http://127.0.0.1:$port/v1/signals"
  export SIGNAL_FILE="$root/docs/examples/signal.json" WRITE_KEY="$key"
  RUN_TAG="warm$RANDOM" wrk -t2 -c"$connections" -d2s -s "$lua" "$url" \
    >/dev/null
  local before after
  before=$(cpu_ticks "$server_pid")
  RUN_TAG="run$RANDOM" wrk -t2 -c"$connections" -d"${seconds}s" -s "$lua" \
    "$url" >"$work/wrk.txt"
  after=$(cpu_ticks "$server_pid")
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
  awk -v ticks=$((after - before)) -v hz="$ticks_per_second" '
    /requests in/ { requests = $1 }
    /^Requests\/sec:/ { rate = $2 }
    /Non-2xx/ { bad = $NF }
    END {
      if (bad > 0) { print "non-2xx responses: " bad > "/dev/stderr"; exit 1 }
      printf "%.0f %.2f\n", rate, ticks / hz * 1e6 / requests
    }' "$work/wrk.txt"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

: >"$work/a.txt"
: >"$work/b.txt"
for round in $(seq "$rounds"); do
  # Alternate which side goes first, so neither always meets the same drift.
  if ((round % 2)); then order="a b"; else order="b a"; fi
  for side in $order; do
    if [[ $side == a ]]; then
      result=$(measure "$server_a" "${A_ENV:-}" "${A_ARGS:-}")
    else
      result=$(measure "$server_b" "${B_ENV:-}" "${B_ARGS:-}")
    fi
    echo "$result" >>"$work/$side.txt"
    echo "round $round $side: $result req/s, µs CPU per request"
  done
done
rate_a=$(cut -d' ' -f1 "$work/a.txt" | median)
rate_b=$(cut -d' ' -f1 "$work/b.txt" | median)
cpu_a=$(cut -d' ' -f2 "$work/a.txt" | median)
cpu_b=$(cut -d' ' -f2 "$work/b.txt" | median)
echo "median A: $rate_a req/s, $cpu_a µs CPU per request"
echo "median B: $rate_b req/s, $cpu_b µs CPU per request"
awk -v ra="$rate_a" -v rb="$rate_b" -v ca="$cpu_a" -v cb="$cpu_b" \
  'BEGIN { printf "B/A: rate %.3f, CPU per request %.3f\n", rb / ra, cb / ca }'
