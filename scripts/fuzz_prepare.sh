#!/usr/bin/env bash
# Shared set-up for fuzz.sh and fuzz_smoke.sh: install clang and libFuzzer if missing, build the
# fuzz targets into build-fuzz/ (clang, -Dfuzz=enabled), and write fresh seed corpora into
# build-fuzz/seeds/ from captures/ and, when present, the shared tcpdump corpus ($SNIFF_CORPUS,
# default ../shared/corpus/tcpdump-tests; read in place, never copied into the repository).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install_packages.sh clang libclang-rt-dev

if [ ! -f build-fuzz/build.ninja ]; then
  CC=clang CXX=clang++ meson setup build-fuzz -Dfuzz=enabled -Dtests=disabled -Dbench=disabled -Db_lundef=false >&2
fi
# Two cores: one compile job per core, no more.
ninja -C build-fuzz -j 2 fuzz/filter_fuzz fuzz/pcap_fuzz fuzz/decode_fuzz fuzz/bpf_fuzz fuzz/fuzz_seeds >&2

corpus="${SNIFF_CORPUS:-../shared/corpus/tcpdump-tests}"
sources=(captures)
if [ -d "$corpus" ]; then
  sources+=("$corpus")
else
  echo "fuzz: $corpus not found; seeds from captures/ only" >&2
fi
rm -rf build-fuzz/seeds
build-fuzz/fuzz/fuzz_seeds build-fuzz/seeds fuzz/seed_filters.txt "${sources[@]}" >&2
