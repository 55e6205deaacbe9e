#!/usr/bin/env bash
# Fuzz campaigns: builds the libFuzzer targets (build-fuzz/), prepares seeds and runs each target
# given (all four by default) for MINUTES, one after another, at nice 19:
#   scripts/fuzz.sh MINUTES [filter_fuzz|pcap_fuzz|decode_fuzz|bpf_fuzz]...
# Corpora and findings stay outside git, in $SNIFF_FUZZ_DIR (default ~/.cache/sniff-fuzz):
# TARGET/corpus grows from run to run, TARGET/findings keeps the crashing inputs and logs.
# A campaign goes on after a finding (libFuzzer's fork mode). Reproduce a finding with: build-fuzz/fuzz/TARGET FILE
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 1 ] || ! [[ $1 =~ ^[0-9]+$ ]]; then
  echo "usage: scripts/fuzz.sh MINUTES [filter_fuzz|pcap_fuzz|decode_fuzz|bpf_fuzz]..." >&2
  exit 2
fi
minutes=$1
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(filter_fuzz pcap_fuzz decode_fuzz bpf_fuzz)
out="${SNIFF_FUZZ_DIR:-${HOME:-/tmp}/.cache/sniff-fuzz}"

scripts/fuzz_prepare.sh
export SNIFF_FUZZ_KEEP_GOING=1
status=0
for t in "${targets[@]}"; do
  scripts/fuzz_run_target.sh "$t" "$((minutes * 60))" "$out/$t/corpus" "$out/$t/findings" || status=1
done
echo "fuzz: corpora and findings in $out"
exit $status
