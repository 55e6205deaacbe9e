#!/usr/bin/env bash
# Runs the google-benchmark binaries once and prints, per expression, libpcap's time divided by
# sniff's (above 1: sniff is faster), plus the median. Usage: bench/ratios.sh [min_time_seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
min_time=${1:-0.3}
ninja -C build bench/vm_bench bench/compile_bench >/dev/null
export SNIFF_SOURCE_ROOT=$PWD

# CSV rows: name,iterations,real_time,cpu_time,time_unit,...,label
ratio_table() {  # $1 = binary, $2 = sniff prefix, $3 = libpcap prefix
  "build/bench/$1" --benchmark_min_time="$min_time" --benchmark_format=csv 2>/dev/null |
    awk -F, -v ours="$2" -v theirs="$3" '
      /^"BM_/ { gsub(/"/, ""); split($1, n, "/"); t[n[1] "/" n[2]] = $4; label[n[2]] = $8 }
      END {
        count = 0
        for (i = 0; (ours "/" i) in t; i++) {
          r = t[theirs "/" i] / t[ours "/" i]; ratios[count++] = r
          printf "  %-45s %10.0f ns %10.0f ns  %5.2fx\n", label[i], t[ours "/" i], t[theirs "/" i], r
        }
        for (i = 1; i < count; i++) {  # insertion sort: mawk has no asort
          v = ratios[i]; j = i - 1
          while (j >= 0 && ratios[j] > v) { ratios[j + 1] = ratios[j]; j-- }
          ratios[j + 1] = v
        }
        m = count % 2 ? ratios[(count - 1) / 2] : (ratios[count / 2 - 1] + ratios[count / 2]) / 2
        printf "  median ratio (libpcap / sniff): %.2fx\n", m
      }'
}

echo "VM, whole mixed.pcap per iteration: sniff fast path vs libpcap bpf_filter (same libpcap-compiled program)"
ratio_table vm_bench BM_SniffFastRun BM_PcapRun
echo "VM: sniff reference interpreter vs libpcap bpf_filter"
ratio_table vm_bench BM_SniffRun BM_PcapRun
echo "Compile: sniff::compile vs pcap_compile (optimized)"
ratio_table compile_bench BM_SniffCompile BM_PcapCompile
