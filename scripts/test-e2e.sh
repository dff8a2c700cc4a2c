#!/usr/bin/env bash
# Browser end-to-end tests: the demo store in Debian's Chromium, driven by
# playwright-core (tests/e2e), against a real tessera-server on a free
# loopback port with a temporary database. The server is killed by PID when
# the tests end. Outputs (e.g. build/e2e/landing.png) go to build/e2e/.
#
#   scripts/test-e2e.sh                 builds first (make build)
#   TESSERA_SKIP_BUILD=1 scripts/...    uses what is built (make test does)
#   TESSERA_SERVER=path scripts/...     another tessera-server binary
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if [[ "${TESSERA_SKIP_BUILD:-}" != 1 ]]; then
  make -s build
fi
server=${TESSERA_SERVER:-build/native/server/tessera-server}
for need in "$server" js-wrapper/dist/tessera_core.wasm /usr/bin/chromium; do
  if [[ ! -e "$need" ]]; then
    echo "test-e2e: $need is missing (make build; scripts/install-deps.sh)" >&2
    exit 1
  fi
done

(cd tests/e2e && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
  npm ci --no-audit --no-fund --loglevel=error >/dev/null)

out="$root/build/e2e"
mkdir -p "$out"
work=$(mktemp -d "$out/run.XXXXXX")
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# The SDK as published and a copy of the demo store with its own config.js.
mkdir -p "$work/sdk"
# -p keeps the times that tell the server its .br/.gz forms are current.
cp -Rp js-wrapper/src js-wrapper/dist js-wrapper/snippet "$work/sdk/"
cp -R demo-site "$work/site"
db="$work/tessera.db"
write_key=$("$server" keys create --db "$db" --site demo --kind write | tail -n 1)
admin_key=$("$server" keys create --db "$db" --site demo --kind admin | tail -n 1)
printf 'window.TESSERA_DEMO = { writeKey: "%s" };\n' "$write_key" >"$work/site/config.js"

# The allowed origins are set once the port is known (SIGHUP, below).
echo '{}' >"$work/serve.json"
"$server" serve --db "$db" --host 127.0.0.1 --port 0 --no-fsync \
  --sdk-dir "$work/sdk" --site-dir "$work/site" --config "$work/serve.json" \
  --access-log "$work/access.log" 2>"$work/server.log" &
server_pid=$!
port=""
for _ in $(seq 1 100); do
  port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$work/server.log")
  [[ -n "$port" ]] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    cat "$work/server.log" >&2
    echo "test-e2e: the server did not start" >&2
    exit 1
  fi
  sleep 0.1
done
[[ -n "$port" ]] || { echo "test-e2e: no port in the server log" >&2; exit 1; }
base="http://127.0.0.1:$port"

# Pages on http://localhost:$port are another origin than the API on
# 127.0.0.1 (one server for both): the cross-origin tests need it allowed.
printf '{"allowed-origins": "http://localhost:%s"}\n' "$port" >"$work/serve.json"
kill -HUP "$server_pid"
for _ in $(seq 1 100); do
  grep -q 'reloaded the configuration: 1 allowed origin' "$work/server.log" && break
  sleep 0.1
done
grep -q 'reloaded the configuration: 1 allowed origin' "$work/server.log" ||
  { cat "$work/server.log" >&2; echo "test-e2e: the allowed origin was not applied" >&2; exit 1; }

status=$(curl -sS -o "$work/publish.json" -w '%{http_code}' -X PUT \
  "$base/v1/admin/sites/demo/artifact" -H "Authorization: Bearer $admin_key" \
  -H 'Content-Type: application/json' --data-binary @docs/examples/artifact.json)
if [[ "$status" != 200 ]]; then
  echo "test-e2e: publishing the artifact answered $status: $(cat "$work/publish.json")" >&2
  exit 1
fi

echo "test-e2e: tessera-server on $base (pid $server_pid)"
set +e
(cd tests/e2e && TESSERA_E2E_BASE="$base" TESSERA_E2E_ADMIN_KEY="$admin_key" \
  TESSERA_E2E_WRITE_KEY="$write_key" TESSERA_E2E_OUT="$out" \
  TESSERA_E2E_ACCESS_LOG="$work/access.log" TESSERA_E2E_SITE_DIR="$work/site" \
  timeout 600 node --test --test-concurrency=1)
rc=$?
set -e
if ((rc != 0)); then
  echo "test-e2e: failed; server log:" >&2
  tail -n 20 "$work/server.log" >&2
fi
exit "$rc"
