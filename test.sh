#!/usr/bin/env bash
# Builds sniff (installing what is missing) and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
exec meson test -C build --print-errorlogs --num-processes 2 "$@"
