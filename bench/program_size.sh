#!/usr/bin/env bash
# Program size and instructions executed per packet, sniff beside libpcap's optimized output, over
# the differential suite's expressions x link types. Usage: bench/program_size.sh [BUILD_DIR] [--all]
# (--all also lists the cases where sniff is smaller). The summary comes first, then every case
# where sniff's program is larger.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true
ninja -C "$build" bench/program_size >/dev/null
export SNIFF_SOURCE_ROOT=$PWD
timeout 600 "$build/bench/program_size" "$@"
