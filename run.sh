#!/usr/bin/env bash
# Builds sniff (installing what is missing) and runs it; with no arguments, filters a bundled capture.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
if [ $# -eq 0 ]; then
  set -- -r captures/mixed.pcap 'tcp port 443'
fi
exec build/sniff "$@"
