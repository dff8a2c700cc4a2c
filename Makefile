# The commands a newcomer uses. Each installs what it needs first.
#   make build   native server + core, and the wasm SDK
#   make test    every test suite (C++, fuzz smoke, JS)
#   make bench   benchmarks (results go in docs/BENCHMARKS.md by hand)
#   make demo    the server with the SDK and demo site on http://127.0.0.1:8080
SHELL := /bin/bash
JOBS ?= 2
FUZZ_SECONDS ?= 8
NATIVE := build/native
export NODE_PATH := /usr/share/nodejs

.PHONY: all deps build native wasm test test-native test-js fuzz-build fuzz-smoke bench demo clean

all: build

deps:
	@scripts/install-deps.sh

native: deps
	cmake --preset native-release >/dev/null
	cmake --build --preset native-release -j $(JOBS)

wasm: deps
	@if [ -f wasm/CMakeLists.txt ]; then \
	  cmake --preset wasm >/dev/null && cmake --build --preset wasm -j $(JOBS); \
	else echo "wasm: not present yet"; fi

build: native wasm

test-native: native
	ctest --test-dir $(NATIVE) --output-on-failure -j $(JOBS)

fuzz-build: deps
	cmake --preset fuzz >/dev/null
	cmake --build --preset fuzz -j $(JOBS)

# Runs each libFuzzer target briefly; FUZZ_SECONDS=600 make fuzz-smoke for a
# real campaign. Corpora live in build/fuzz/corpus/<target>.
fuzz-smoke: fuzz-build
	@scripts/fuzz-smoke.sh build/fuzz $(FUZZ_SECONDS)

test-js: build
	@scripts/test-js.sh

test: test-native fuzz-smoke test-js

bench: native
	@scripts/bench.sh

demo: build
	@scripts/demo.sh

clean:
	rm -rf build
