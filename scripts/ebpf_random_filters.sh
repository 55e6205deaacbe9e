#!/usr/bin/env bash
# A hand-run campaign of the eBPF differential test's random filters: COUNT filters per link type
# (2,000 by default) from SEED (random by default), each compiled to eBPF for the socket filter
# (and XDP and TC on Ethernet), loaded and test-run against the reference VM on sampled packets.
# Prints the figures per link type and hook; a disagreement or a refused program fails the run
# and names the filter and seed.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-2000}
seed=${2:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
build=${SNIFF_BUILD_DIR:-build}
[ -f "$build/build.ninja" ] || meson setup "$build" --buildtype=release >&2
ninja -C "$build" tests/ebpf_differential_test >&2
echo "eBPF random filters: $count per link type, SNIFF_EBPF_SEED=$seed"
start=$(date +%s)
status=0
SNIFF_SOURCE_ROOT="$PWD" SNIFF_EBPF_RANDOM="$count" SNIFF_EBPF_SEED="$seed" \
  "$build/tests/ebpf_differential_test" --gtest_filter='*RandomFilters*' > "$build/ebpf_random_filters.log" 2>&1 || status=$?
grep -E '^link type|Failure|returned|refused' "$build/ebpf_random_filters.log" | head -200 || true
echo "full log in $build/ebpf_random_filters.log; $(( $(date +%s) - start )) s"
exit "$status"
