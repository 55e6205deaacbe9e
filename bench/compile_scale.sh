#!/usr/bin/env bash
# Program size and compile time of long filters, sniff beside libpcap (the pcap_compile tcpdump -d
# runs: optimized, Ethernet), for N = 10 to 100,000 terms of four shapes; the largest N whose
# program fits the kernel's 4,096 instructions; the growth exponent of sniff's compile time; and
# the instructions executed per packet of captures/mixed.pcap for host lists.
# libpcap is roughly cubic in N: its side of a shape stops at the first N over LIBPCAP_LIMIT
# seconds (60). Usage: bench/compile_scale.sh [BUILD_DIR]
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
ninja -C "$build" bench/compile_scale sniff >/dev/null || exit 1
tool=$build/bench/compile_scale
limit=${LIBPCAP_LIMIT:-60}
fit_budget=${FIT_BUDGET:-20}   # seconds one libpcap compile may take in the 4,096 search
read -r -a sizes <<< "${SIZES:-10 100 400 1000 2000 10000 100000}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

describe() {
  case $1 in
    host) echo "not (host A or host B or ...), distinct IPv4 addresses" ;;
    ip-host) echo "ip host A or ip host B or ..., distinct IPv4 addresses" ;;
    port) echo "port P or port Q or ..., distinct ports (repeating past 65,535 terms)" ;;
    net) echo "net X/24 or net Y/24 or ..., distinct /24 networks" ;;
  esac
}

# "INSTRUCTIONS SECONDS", or why there is none ("crash (signal 11)", "timeout", "refused").
measure() {  # $1 = sniff|libpcap, $2 = file, $3 = time limit in seconds
  local out rc
  out=$(timeout "$3" "$tool" "$1" "$2" 2>"$tmp/err"); rc=$?
  if [ $rc -eq 0 ]; then echo "$out"
  elif [ $rc -eq 124 ]; then echo "timeout"
  elif [ $rc -gt 128 ]; then echo "crash (signal $((rc - 128)))"
  else echo "refused: $(head -c 80 "$tmp/err")"; fi
}

# Exit status 0 when the N-term program fits 4,096 instructions, 1 when not, 2 when it cannot
# be told within the time limit.
fits() {  # $1 = sniff|libpcap, $2 = shape, $3 = N, $4 = time limit
  "$tool" filter "$2" "$3" > "$tmp/fit.txt"
  local r; r=$(measure "$1" "$tmp/fit.txt" "$4")
  case $r in
    [0-9]*) [ "${r%% *}" -le 4096 ] ;;
    *) return 2 ;;
  esac
}

# The largest N that fits, by doubling then bisection; "at least LO" when a compile ran too long.
largest_fit() {  # $1 = sniff|libpcap, $2 = shape, $3 = time limit per compile
  local lo=0 hi=0 n=1 s
  while [ "$hi" -eq 0 ]; do
    fits "$1" "$2" "$n" "$3"; s=$?
    [ $s -eq 2 ] && { echo "at least $lo (a compile of $n terms took over $3 s)"; return; }
    if [ $s -eq 0 ]; then lo=$n; n=$((n * 2)); else hi=$n; fi
  done
  while [ $((hi - lo)) -gt 1 ]; do
    n=$(((lo + hi) / 2))
    fits "$1" "$2" "$n" "$3"; s=$?
    [ $s -eq 2 ] && { echo "at least $lo, below $hi (a compile of $n terms took over $3 s)"; return; }
    if [ $s -eq 0 ]; then lo=$n; else hi=$n; fi
  done
  echo "$lo"
}

echo "compile_scale: sniff::compile against pcap_compile (optimized, EN10MB, snaplen 262144), in-process"
echo "times: the fastest of repeated compiles while they take under 0.2 s in all, else one compile"
# The libpcap side is the program tcpdump -d prints: check that once per shape at N = 10.
for shape in host ip-host port net; do
  "$tool" filter "$shape" 10 > "$tmp/check.txt"
  ours=$("$tool" libpcap "$tmp/check.txt" | cut -d' ' -f1)
  theirs=$(timeout 60 tcpdump -y EN10MB -d -F "$tmp/check.txt" 2>/dev/null | wc -l)
  if [ "$ours" = "$theirs" ]; then checked+=" $shape"
  else echo "warning: $shape, N = 10: pcap_compile gives $ours instructions, tcpdump -d $theirs"; fi
done
[ -n "${checked:-}" ] && echo "libpcap's instruction counts at N = 10 equal tcpdump -y EN10MB -d -F's for:$checked"

for shape in host ip-host port net; do
  echo
  echo "$(describe "$shape")"
  printf '%8s  %12s %11s  %12s %11s  %10s %10s\n' N "sniff insns" "sniff ms" "libpcap insns" "libpcap ms" "size s/l" "time s/l"
  libpcap_over=""
  t100="" tmax="" nmax=""
  for n in "${sizes[@]}"; do
    file=$tmp/$shape-$n.txt
    "$tool" filter "$shape" "$n" > "$file"
    ours=$(measure sniff "$file" 600)
    if [ -n "$libpcap_over" ]; then theirs="—"
    else
      theirs=$(measure libpcap "$file" "$limit")
      [ "$theirs" = timeout ] && { theirs="> $limit s"; libpcap_over=$n; }
    fi
    read -r oi ot <<< "$ours"
    read -r ti tt <<< "$theirs"
    if [[ $oi =~ ^[0-9]+$ ]]; then
      oms=$(awk -v t="$ot" 'BEGIN { printf "%.3f", t * 1000 }')
      [ "$n" = 100 ] && t100=$ot
      tmax=$ot nmax=$n
    else oi="$ours" oms=""; fi
    if [[ $ti =~ ^[0-9]+$ ]]; then
      tms=$(awk -v t="$tt" 'BEGIN { printf "%.1f", t * 1000 }')
    else ti="$theirs" tms=""; fi
    size_ratio="" time_ratio=""
    if [[ $oi =~ ^[0-9]+$ && $ti =~ ^[0-9]+$ ]]; then
      size_ratio=$(awk -v a="$oi" -v b="$ti" 'BEGIN { printf "%.2f", a / b }')
      time_ratio=$(awk -v a="$ot" -v b="$tt" 'BEGIN { printf "%.4f", a / b }')
    fi
    printf '%8s  %12s %11s  %12s %11s  %10s %10s\n' "$n" "$oi" "$oms" "$ti" "$tms" "$size_ratio" "$time_ratio"
  done
  if [ -n "$t100" ] && [ "$nmax" != 100 ]; then
    awk -v t1="$t100" -v t2="$tmax" -v n2="$nmax" \
      'BEGIN { printf "growth exponent of sniff'"'"'s compile time, N = 100 to %d: %.2f\n", n2, log(t2 / t1) / log(n2 / 100) }'
  fi
done

echo
echo "largest N whose program fits 4,096 instructions (libpcap: while one compile takes under $fit_budget s)"
for shape in host ip-host; do
  printf '  %-8s sniff: %s; libpcap: %s\n' "$shape" "$(largest_fit sniff "$shape" 600)" "$(largest_fit libpcap "$shape" "$fit_budget")"
done

# Instructions executed per packet of captures/mixed.pcap (the VM's trace): a set costs about
# log2(N / 8) + 8 tests, so the walk grows with log N; libpcap tests its lists member by member.
echo
echo "instructions executed per packet over captures/mixed.pcap (mean / most), not (host ...) lists"
printf '%8s  %16s  %16s\n' N sniff libpcap
for n in 10 100 1000 10000 100000; do
  file=$tmp/executed-$n.txt
  "$tool" filter host "$n" > "$file"
  ours=$("$tool" executed sniff "$file" captures/mixed.pcap | awk '{ print $1 " / " $2 }')
  theirs="—"
  [ "$n" -le 400 ] && theirs=$("$tool" executed libpcap "$file" captures/mixed.pcap | awk '{ print $1 " / " $2 }')
  printf '%8s  %16s  %16s\n' "$n" "$ours" "$theirs"
done
