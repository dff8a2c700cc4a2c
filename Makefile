# The commands a newcomer uses. Each installs what it needs first.
#   make build   native server + core, and the wasm SDK
#   make test    every test suite (C++ incl. PostgreSQL, fuzz smoke, JS, browser)
#   make bench   benchmarks (results go in docs/BENCHMARKS.md by hand)
#   make demo    the server with the SDK and demo site on http://127.0.0.1:8080
SHELL := /bin/bash
JOBS ?= 2
FUZZ_SECONDS ?= 8
NATIVE := build/native
export NODE_PATH := /usr/share/nodejs

.PHONY: all deps build native wasm test test-native test-js test-e2e fuzz-build fuzz-smoke bench demo clean

all: build

deps:
	@scripts/install-deps.sh

native: deps
	cmake --preset native-release >/dev/null
	cmake --build --preset native-release -j $(JOBS)

# The wasm core lands in js-wrapper/dist/; the wrapper's build step then
# minifies the loader and bundles the browser entry (js-wrapper/scripts).
wasm: deps
	cmake --preset wasm >/dev/null
	cmake --build --preset wasm -j $(JOBS)
	cd js-wrapper && npm ci --no-audit --no-fund --loglevel=error && node scripts/build.mjs

build: native wasm

# The store suite also runs against PostgreSQL on 127.0.0.1 (started here).
test-native: native
	@uri=$$(scripts/start-postgres.sh) && \
	  TESSERA_TEST_POSTGRES_URI="$$uri" ctest --test-dir $(NATIVE) --output-on-failure -j $(JOBS)

fuzz-build: deps
	cmake --preset fuzz >/dev/null
	cmake --build --preset fuzz -j $(JOBS)

# Runs each libFuzzer target briefly; FUZZ_SECONDS=600 make fuzz-smoke for a
# real campaign. Corpora live in build/fuzz/corpus/<target>.
fuzz-smoke: fuzz-build
	@scripts/fuzz-smoke.sh build/fuzz $(FUZZ_SECONDS)

test-js: build
	@scripts/test-js.sh

# The demo store in Debian's Chromium against a real server (tests/e2e).
test-e2e: build
	@TESSERA_SKIP_BUILD=1 scripts/test-e2e.sh

test: test-native fuzz-smoke test-js test-e2e

bench: native wasm
	@scripts/bench.sh

demo: build
	@scripts/demo.sh

clean:
	rm -rf build
