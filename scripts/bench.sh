#!/usr/bin/env bash
# Runs every benchmark. Results are recorded by hand in docs/BENCHMARKS.md,
# each with the command that produced it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
echo "== core: one full decision and one track() (native)"
build/native/bench/decision_bench --benchmark_repetitions=5 \
  --benchmark_report_aggregates_only=true

echo
scripts/bench-js.sh

echo
scripts/bench-server.sh
