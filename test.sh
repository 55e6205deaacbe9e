#!/usr/bin/env bash
# Builds sniff (installing what is missing) and runs the whole test suite: the VM, reader, random-filter and
# differential suites under AddressSanitizer and UBSan (no out-of-bounds read on any captured
# packet or corpus file), the differential suite without the shared corpus, a short libFuzzer
# run of each fuzz target (scripts/fuzz_smoke.sh, clang), then everything in the release build.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh --tests

sanitized_suites=(cbpf_vm fast_filter capture differential decode random_filters)
if [ ! -f build-asan/build.ninja ]; then
  meson setup build-asan -Dbuildtype=debugoptimized -Db_sanitize=address,undefined -Db_lundef=false -Dbench=disabled >&2
fi
ninja -C build-asan -j 2 sniff $(printf 'tests/%s_test ' "${sanitized_suites[@]}") >&2
SNIFF_SANITIZED=1 ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  meson test -C build-asan --no-rebuild --print-errorlogs --num-processes 2 "${sanitized_suites[@]}"

# The differential suite once more without the shared corpus, as on a clean clone without
# ../shared: other packets, other mutations (about 35 s of CPU).
SNIFF_CORPUS=none meson test -C build --no-rebuild --print-errorlogs --num-processes 2 differential

# About 20 seconds per fuzz target from the seeds; any crash or disagreement fails the run.
scripts/fuzz_smoke.sh >&2

exec meson test -C build --print-errorlogs --num-processes 2 "$@"
