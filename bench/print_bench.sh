#!/usr/bin/env bash
# Printing speed: `sniff -r big.pcap > /dev/null` against `tcpdump -n -r big.pcap > /dev/null`.
# big.pcap is captures/mixed.pcap's records repeated (pcap records simply follow the 24-byte
# file header, so concatenating them yields a valid file). Usage: bench/print_bench.sh [COPIES] [SNIFF]
set -euo pipefail
cd "$(dirname "$0")/.."
copies=${1:-300}
sniff=${2:-build/sniff}
command -v tcpdump >/dev/null || { echo "print_bench: tcpdump is not installed" >&2; exit 1; }
[ -x "$sniff" ] || { echo "print_bench: $sniff is missing (./run.sh builds it)" >&2; exit 1; }

big=$(mktemp --suffix=.pcap)
trap 'rm -f "$big"' EXIT
{
  head -c 24 captures/mixed.pcap
  for _ in $(seq "$copies"); do tail -c +25 captures/mixed.pcap; done
} > "$big"
packets=$((copies * 1000))

# Best of three runs each, in seconds (TZ fixed so both print the same clock).
best() {
  local best_s=""
  for _ in 1 2 3; do
    local start end s
    start=$(date +%s.%N)
    TZ=UTC "$@" > /dev/null 2>&1
    end=$(date +%s.%N)
    s=$(echo "$end - $start" | bc -l)
    if [ -z "$best_s" ] || [ "$(echo "$s < $best_s" | bc -l)" = 1 ]; then best_s=$s; fi
  done
  echo "$best_s"
}

sniff_s=$(best "$sniff" -r "$big")
tcpdump_s=$(best tcpdump -n -r "$big")
printf '%d packets (%s)\n' "$packets" "$(du -h "$big" | cut -f1)"
printf 'sniff   -r big.pcap     %6.3f s  (%4.0f ns/packet)\n' "$sniff_s" "$(echo "$sniff_s * 1000000000 / $packets" | bc -l)"
printf 'tcpdump -n -r big.pcap  %6.3f s  (%4.0f ns/packet)\n' "$tcpdump_s" "$(echo "$tcpdump_s * 1000000000 / $packets" | bc -l)"
printf 'ratio tcpdump/sniff: %.2fx (above 1: sniff is faster)\n' "$(echo "$tcpdump_s / $sniff_s" | bc -l)"
