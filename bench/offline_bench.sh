#!/usr/bin/env bash
# Offline filtering throughput, side by side: `sniff -r IN -w out 'expr'` against
# `tcpdump -r IN -w out 'expr'` on the same ~1 GB capture (captures/mixed.pcap repeated), best of
# three runs each, for three inputs: the pcap file, the same file through a pipe
# (`cat big.pcap | sniff -r -`), and the same packets as pcapng. Checks that both wrote the same
# packets, then prints seconds and tcpdump/sniff ratios (above 1: sniff is faster).
# Usage: bench/offline_bench.sh [MEGABYTES]; BASELINE=path/to/an/older/sniff adds its column.
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-1024}
ninja -C build sniff tools/repeat_pcap >/dev/null
command -v tcpdump >/dev/null || { echo "tcpdump is needed (apt-get install tcpdump)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
build/tools/repeat_pcap captures/mixed.pcap "$work/big.pcap" "$size"
build/tools/repeat_pcap --pcapng captures/mixed.pcap "$work/big.pcapng" "$size"
cat "$work/big.pcap" "$work/big.pcapng" > /dev/null  # into the page cache, so all read from memory
echo "capture: $(du -h "$work/big.pcap" | cut -f1) pcap, $(du -h "$work/big.pcapng" | cut -f1) pcapng, $(build/sniff -r "$work/big.pcap" -w - | wc -c) bytes"

best() {  # best wall time of three runs of the shell command "$1"
  local best_t=999999
  for _ in 1 2 3; do
    local s e
    s=$(date +%s.%N)
    bash -c "$1" 2>/dev/null || true
    e=$(date +%s.%N)
    best_t=$(echo "$s $e $best_t" | awk '{t = $2 - $1; print (t < $3) ? t : $3}')
  done
  echo "$best_t"
}

# How each tool reads the input: "$work/big.pcap" as a file, through a pipe, or the pcapng file.
reader() {  # reader INPUT TOOL -> a shell command prefix ending in "-r ..."
  case $1 in
    file) echo "$2 -r $work/big.pcap" ;;
    pipe) echo "cat $work/big.pcap | $2 -r -" ;;
    pcapng) echo "$2 -r $work/big.pcapng" ;;
  esac
}

baseline=${BASELINE:-}
if [ -n "$baseline" ]; then
  printf '%-7s %-36s %9s %9s %9s %8s %8s\n' input filter sniff_s tcpdump_s before_s ratio before
else
  printf '%-7s %-36s %9s %9s %8s\n' input filter sniff_s tcpdump_s ratio
fi
for input in file pipe pcapng; do
  for filter in 'tcp port 443' 'host 10.0.0.1 or net 192.168.0.0/16' 'udp and not port 53' 'ip6'; do
    ts=$(best "$(reader $input "$PWD/build/sniff") -w $work/s.pcap '$filter'")
    tt=$(best "$(reader $input tcpdump) -w $work/t.pcap '$filter'")
    # The same packets, byte for byte after the 24-byte file header.
    if ! cmp -s <(tail -c +25 "$work/s.pcap") <(tail -c +25 "$work/t.pcap"); then
      echo "outputs differ for '$filter' ($input)"; exit 1
    fi
    if [ -n "$baseline" ]; then
      tb=$(best "$(reader $input "$baseline") -w $work/b.pcap '$filter'")
      printf '%-7s %-36s %9.3f %9.3f %9.3f %7.2fx %7.2fx\n' $input "$filter" "$ts" "$tt" "$tb" \
        "$(echo "$tt $ts" | awk '{print $1 / $2}')" "$(echo "$tt $tb" | awk '{print $1 / $2}')"
    else
      printf '%-7s %-36s %9.3f %9.3f %7.2fx\n' $input "$filter" "$ts" "$tt" "$(echo "$tt $ts" | awk '{print $1 / $2}')"
    fi
  done
done
