#!/usr/bin/env bash
# The fuzz smoke test that ./test.sh runs: builds the libFuzzer targets and runs each for about
# 20 seconds from the seeds alone (a throw-away corpus), and fails on any finding.
# Works without the shared corpus (seeds then come from captures/ only).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/fuzz_prepare.sh
work=$(mktemp -d "${TMPDIR:-/tmp}/sniff-fuzz-smoke.XXXXXX")
status=0
for t in filter_fuzz pcap_fuzz decode_fuzz bpf_fuzz; do
  scripts/fuzz_run_target.sh "$t" "${SNIFF_FUZZ_SMOKE_SECONDS:-20}" "$work/$t/corpus" "$work/$t/findings" || status=1
done
if [ $status -eq 0 ]; then
  rm -rf "$work"
  echo "fuzz smoke: no findings"
else
  echo "fuzz smoke: FINDINGS, inputs and logs kept in $work" >&2
fi
exit $status
