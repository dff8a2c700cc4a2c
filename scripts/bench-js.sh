#!/usr/bin/env bash
# The SDK against its peers, in Node (docs/BENCHMARKS.md, "SDK vs peers"):
#   decision.bench.mjs  one page-view decision vs GrowthBook's evalCondition
#   bytes.bench.mjs     bytes sent for a 100-event session vs Segment's
#                       analytics-next
# Needs the wasm build in js-wrapper/dist (make wasm). Installs the peers
# exactly as pinned in bench/js/package-lock.json.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ ! -f "$root/js-wrapper/dist/tessera_core.wasm" ]; then
  echo "bench-js: js-wrapper/dist/tessera_core.wasm is missing; run 'make wasm' first" >&2
  exit 1
fi
cd "$root/bench/js"
npm ci --no-audit --no-fund --loglevel=error
echo "== SDK: one page-view decision (50 segments, 20 slots) vs GrowthBook evalCondition"
node decision.bench.mjs "$@"
echo
echo "== SDK: bytes sent for a 100-event session vs Segment analytics-next"
node bytes.bench.mjs
