#!/usr/bin/env bash
# Every generated corner of the grammar (tests/grammar_test.cpp: protocol qualifier × direction ×
# kind × value form, 86,388 texts) on every link type, compiled by sniff and libpcap and compared,
# instead of the sample `./test.sh` runs. Long: about 10 minutes per link type on one core.
# Usage: scripts/grammar_corners.sh [GTEST_FILTER]   (e.g. '*EN10MB*' for one link type)
set -euo pipefail
cd "$(dirname "$0")/.."
ninja -C build -j 2 tests/grammar_test >&2
SNIFF_GRAMMAR_CORNERS=all exec build/tests/grammar_test --gtest_filter="LinkTypes/Grammar.CornersAgreeWithLibpcap/${1:-*}"
