#!/usr/bin/env bash
# Installs every Debian package the build, tests, benchmarks and demo need.
# Idempotent and quick when everything is present: it asks dpkg first and only
# runs apt-get for what is missing. Uses sudo when not root.
set -euo pipefail

packages=(
  cmake ninja-build g++ make pkg-config git
  clang-14 libclang-rt-14-dev          # libFuzzer targets
  libgtest-dev libgmock-dev libbenchmark-dev
  nlohmann-json3-dev                  # server-side JSON (CLI config, CRM)
  libboost-dev libboost-system-dev    # Beast/Asio HTTP
  libsqlite3-dev sqlite3 libpq-dev libssl-dev openssl ca-certificates
  zlib1g-dev                          # gzip of large JSON answers
  libgoogle-perftools-dev             # tcmalloc for tessera-server
  postgresql                          # store tests (scripts/start-postgres.sh)
  emscripten binaryen nodejs npm      # the wasm SDK; Node 20+ for its tests
  brotli gzip
  chromium curl                       # browser end-to-end tests, make demo
  wrk nginx-light                     # server ingest benchmark (make bench)
)
if [[ "${TESSERA_DEPS_EXTRA:-}" != "" ]]; then
  read -r -a extra <<<"$TESSERA_DEPS_EXTRA"
  packages+=("${extra[@]}")
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
# npm on the machine may come from elsewhere (e.g. a newer bundled node).
if command -v npm >/dev/null 2>&1; then
  missing=("${missing[@]/npm}")
fi
if command -v node >/dev/null 2>&1; then
  missing=("${missing[@]/nodejs}")
fi
filtered=()
for p in "${missing[@]}"; do [[ -n "$p" ]] && filtered+=("$p"); done

if ((${#filtered[@]} == 0)); then
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
echo "install-deps: installing ${filtered[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${filtered[@]}"
