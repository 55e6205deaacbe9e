#!/usr/bin/env bash
# Offline filtering throughput, side by side: `sniff -r big.pcap -w out 'expr'` against
# `tcpdump -r big.pcap -w out 'expr'` on the same ~1 GB capture (made by repeating
# captures/mixed.pcap), best of three runs each. Checks that both wrote the same packets, then
# prints seconds and tcpdump/sniff ratios. Usage: bench/offline_bench.sh [MEGABYTES]
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-1024}
ninja -C build sniff tools/repeat_pcap >/dev/null
command -v tcpdump >/dev/null || { echo "tcpdump is needed (apt-get install tcpdump)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
big=$work/big.pcap
build/tools/repeat_pcap captures/mixed.pcap "$big" "$size"
cat "$big" > /dev/null  # into the page cache, so both read from memory
echo "capture: $(du -h "$big" | cut -f1), $(build/sniff -r "$big" -w - | wc -c) bytes"

best() {  # best wall time of three runs of "$@"
  local best_t=999999
  for _ in 1 2 3; do
    local s e
    s=$(date +%s.%N)
    "$@" 2>/dev/null
    e=$(date +%s.%N)
    best_t=$(echo "$s $e $best_t" | awk '{t = $2 - $1; print (t < $3) ? t : $3}')
  done
  echo "$best_t"
}

printf '%-40s %10s %10s %8s\n' filter sniff_s tcpdump_s ratio
for filter in 'tcp port 443' 'host 10.0.0.1 or net 192.168.0.0/16' 'udp and not port 53' 'ip6'; do
  ts=$(best build/sniff -r "$big" -w "$work/s.pcap" "$filter")
  tt=$(best tcpdump -r "$big" -w "$work/t.pcap" "$filter")
  # The same packets, byte for byte after the 24-byte file header.
  if ! cmp -s <(tail -c +25 "$work/s.pcap") <(tail -c +25 "$work/t.pcap"); then
    echo "outputs differ for '$filter'"; exit 1
  fi
  printf '%-40s %10.3f %10.3f %7.2fx\n' "$filter" "$ts" "$tt" "$(echo "$tt $ts" | awk '{print $1 / $2}')"
done
