#!/usr/bin/env bash
# A hand-run campaign of the random-filter differential test: COUNT filters per link type (100,000
# by default) from SEED (random by default), sniff optimized and -O against libpcap on sampled
# packets. Prints the figures per link type and each disagreement as a row for kFoundByTheGenerator.
# SNIFF_RANDOM_MIXED_ARITH=1 also draws arithmetic that mixes protocols (a known libpcap difference).
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-100000}
seed=${2:-$(od -An -N8 -tu8 /dev/urandom | tr -d ' ')}
build=${SNIFF_BUILD_DIR:-build}
[ -f "$build/build.ninja" ] || meson setup "$build" --buildtype=release >&2
ninja -C "$build" tests/random_filters_test >&2
echo "random filters: $count per link type, SNIFF_RANDOM_SEED=$seed"
start=$(date +%s)
status=0
SNIFF_SOURCE_ROOT="$PWD" SNIFF_RANDOM_COUNT="$count" SNIFF_RANDOM_SEED="$seed" \
  "$build/tests/random_filters_test" --gtest_filter='LinkTypes/*' > "$build/random_filters.log" 2>&1 || status=$?
grep -E '^(random filters|FOUND|note)' "$build/random_filters.log" || true
echo "$(grep -c '^FOUND' "$build/random_filters.log" || true) disagreeing filters; full log in $build/random_filters.log;" \
  "$(( $(date +%s) - start )) s"
exit "$status"
