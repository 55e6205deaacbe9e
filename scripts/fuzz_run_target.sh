#!/usr/bin/env bash
# Runs one libFuzzer target (built by fuzz_prepare.sh) for SECONDS at the lowest CPU priority:
#   fuzz_run_target.sh TARGET SECONDS CORPUS_DIR FINDINGS_DIR
# The corpus grows in CORPUS_DIR; crashes, timeouts and disagreements land in FINDINGS_DIR.
# Prints one summary line: target, seconds, executions, coverage, corpus size, findings.
set -euo pipefail
cd "$(dirname "$0")/.."
target=$1 seconds=$2 corpus=$3 findings=$4
mkdir -p "$corpus" "$findings"
log="$findings/$target-$(date +%Y%m%dT%H%M%S).log"

# Per-target limits. The filter input is capped at 512 bytes: deeper nesting and longer or-chains
# (thousands of terms) overflow the compiler's stack, a known issue handled elsewhere.
args=(-max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1
      -artifact_prefix="$findings/$target-")
case "$target" in
  filter_fuzz) args+=(-max_len=512 -dict=fuzz/filter.dict) ;;
  pcap_fuzz) args+=(-max_len=65536) ;;
  decode_fuzz) args+=(-max_len=4096) ;;
  bpf_fuzz) args+=(-max_len=4096) ;;
  *) echo "fuzz: unknown target '$target' (filter_fuzz pcap_fuzz decode_fuzz bpf_fuzz)" >&2; exit 2 ;;
esac

# Campaigns (fuzz.sh sets SNIFF_FUZZ_KEEP_GOING) go on after a finding: libFuzzer's fork mode
# runs the target in a child, keeps each crashing input and starts again.
if [ -n "${SNIFF_FUZZ_KEEP_GOING:-}" ]; then args+=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1); fi

# Host names in filters go to the resolver: without a network (a private namespace, where we may
# create one) a name that is not in /etc/hosts fails at once instead of waiting for DNS.
wrap=()
if [ "$target" = filter_fuzz ] && unshare -n true 2>/dev/null; then wrap=(unshare -n); fi

before=$(find "$findings" -maxdepth 1 -name "$target-*" ! -name '*.log' | wc -l)
rc=0
ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  nice -n 19 "${wrap[@]}" "build-fuzz/fuzz/$target" "${args[@]}" "$corpus" "build-fuzz/seeds/${target%_fuzz}" >"$log" 2>&1 || rc=$?
after=$(find "$findings" -maxdepth 1 -name "$target-*" ! -name '*.log' | wc -l)

last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
[ -n "$execs" ] || execs=$(sed -n 's/^#\([0-9]*\).*/\1/p' <<<"$last")  # fork mode: "#EXECS: cov: ..."
cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
units=$(find "$corpus" -type f | wc -l)
printf '%-12s %5ss  execs %-10s cov %-6s ft %-7s corpus %-6s findings %s (exit %s)  log %s\n' \
  "$target" "$seconds" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$units" "$((after - before))" "$rc" "$log"
grep -m1 -A3 -E '^FINDING|ERROR: (AddressSanitizer|UndefinedBehaviorSanitizer|libFuzzer)|runtime error' "$log" || true
[ "$rc" -eq 0 ] && [ "$after" -eq "$before" ]
