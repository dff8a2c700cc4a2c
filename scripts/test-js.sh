#!/usr/bin/env bash
# Runs the JavaScript suites with Node's own test runner: the peer checks
# (our shared test vectors against the reference implementations) and the SDK.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
suites=()
for dir in tests/peers js-wrapper; do
  [[ -f "$root/$dir/package.json" ]] || continue
  (cd "$root/$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  suites+=("$dir")
done
if ((${#suites[@]} == 0)); then
  echo "test-js: no JS suites"
  exit 0
fi
for dir in "${suites[@]}"; do
  echo "test-js: $dir"
  (cd "$root/$dir" && node --test)
done
# The SDK's suites again, on the minified bundle browsers download.
echo "test-js: js-wrapper on dist/tessera.js"
(cd "$root/js-wrapper" && node --import ./scripts/on-bundle.mjs --test)
