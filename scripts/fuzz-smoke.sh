#!/usr/bin/env bash
# Runs every libFuzzer target in BUILD_DIR/fuzz for SECONDS each, seeding the
# corpus from the project's JSON examples and test vectors. Fails on a crash.
set -euo pipefail
build_dir=${1:-build/fuzz}
seconds=${2:-8}
root=$(cd "$(dirname "$0")/.." && pwd)
shopt -s nullglob
ran=0
for fuzzer in "$build_dir"/fuzz/*_fuzz; do
  [[ -x "$fuzzer" ]] || continue
  name=$(basename "$fuzzer")
  corpus="$build_dir/corpus/$name"
  mkdir -p "$corpus"
  for seed in "$root"/docs/examples/*.json "$root"/fuzz/seeds/"$name"/*; do
    [[ -f "$seed" ]] && cp "$seed" "$corpus/" 2>/dev/null || true
  done
  echo "fuzz: $name for ${seconds}s"
  "$fuzzer" "$corpus" -max_total_time="$seconds" -max_len=8192 -rss_limit_mb=2048 \
    -print_final_stats=0 >"$build_dir/$name.log" 2>&1 || {
      tail -50 "$build_dir/$name.log"; echo "fuzz: $name FAILED"; exit 1; }
  ran=$((ran + 1))
done
echo "fuzz: $ran targets ran without a crash"
