#!/usr/bin/env bash
# Live capture side by side: tools/blast pushes frames through a veth pair inside a throw-away
# network namespace for a bounded time while sniff, then tcpdump, capture on the receiving end
# (written to /dev/null). For each: frames sent, frames the receiving veth saw, packets
# captured, received by filter and dropped by the kernel, and the capture process's CPU time.
#
#   bench/live_bench.sh [BUILD_DIR]        (default: build; needs BUILD_DIR/sniff, BUILD_DIR/tools/blast)
#
# Environment: SECONDS_PER_RUN (default 5, at most 60); REPEATS (default 2): runs per tool and
# configuration, alternating sniff and tcpdump so a busy moment on the box hits both alike; the
# summary line adds the runs up. Needs root (namespaces, packet sockets).
# No frame leaves the namespace: blast sends only on its veth, and the namespace is deleted on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

build=${1:-build}
seconds=${SECONDS_PER_RUN:-5}
repeats=${REPEATS:-2}
sniff=$(realpath "$build/sniff")
blast=$(realpath "$build/tools/blast")
for f in "$sniff" "$blast"; do
  [ -x "$f" ] || { echo "live_bench: $f is missing; run: ninja -C $build sniff tools/blast" >&2; exit 1; }
done
command -v tcpdump >/dev/null || { echo "live_bench: tcpdump is not installed" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "live_bench: needs root (network namespaces, packet sockets)" >&2; exit 1; }

# shellcheck source=bench/veth_lab.sh
. bench/veth_lab.sh
veth_lab_setup sniff-bench sx0 sx1
hz=$(getconf CLK_TCK)

rx_packets() { ip netns exec "$ns" cat /sys/class/net/sx1/statistics/rx_packets; }
field() { sed -n "s/^\([0-9]*\) packets\? $1.*/\1/p" "$2" | head -1; }

# run TOOL FRAME_BYTES BUFFER_KIB FILTER -> one line of figures
run() {
  local tool=$1 size=$2 kib=$3 filter=$4
  local bin=$sniff
  [ "$tool" = tcpdump ] && bin=tcpdump
  local args=(-i sx1 -w /dev/null)
  [ "$kib" != default ] && args+=(-B "$kib")
  [ -n "$filter" ] && args+=("$filter")
  local err=$tmp/$tool.err
  ip netns exec "$ns" $pin_cap "$bin" "${args[@]}" 2>"$err" &
  local pid=$!
  capture_pid=$pid
  # Usually milliseconds; seconds, even tens of seconds, when namespaces are being torn down
  # elsewhere on the box: opening a packet socket can wait for the RTNL lock (promiscuous mode)
  # or an RCU grace period (libpcap's rebinding, seen stuck in synchronize_rcu for over 30 s).
  for _ in $(seq 2400); do grep -q "listening on" "$err" && break; sleep 0.05; done
  grep -q "listening on" "$err" || { echo "live_bench: $tool did not start within 120 s (${args[*]}):" >&2; cat "$err" >&2; ps -o pid,stat,wchan:20,cmd -p "$pid" >&2 || true; exit 1; }
  local rx0 sent rx1 cpu
  rx0=$(rx_packets)
  sent=$(ip netns exec "$ns" $pin_send "$blast" sx0 "$seconds" "$size" | sed -n 's/^sent \([0-9]*\) .*/\1/p')
  rx1=$(rx_packets)
  # utime + stime of the capture process, in clock ticks (proc(5), fields 14 and 15).
  cpu=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  kill -INT "$pid"
  wait "$pid" || true
  capture_pid=""
  local captured received dropped
  captured=$(field captured "$err"); received=$(field "received by filter" "$err"); dropped=$(field "dropped by kernel" "$err")
  printf "%-8s %9s %10s %10s %10s %10s %9s %8.2f\n" "$tool" "$kib" "$sent" "$((rx1 - rx0))" "$captured" "$received" \
    "$dropped" "$(echo "scale=2; $cpu / $hz" | bc)"
  echo "$((rx1 - rx0)) $captured $dropped $cpu" >>"$tmp/$tool.fig"
}

echo "live_bench: ${seconds}s per run, ${repeats} runs per tool, $(nproc) CPUs, kernel $(uname -r), $(tcpdump --version 2>&1 | head -1)"
for config in "64|default|" "64|default|udp port 53" "1500|default|" "1500|default|udp port 53" "64|2048|" "1500|1024|"; do
  IFS='|' read -r size kib filter <<<"$config"
  echo
  echo "== ${size}-byte frames, -B ${kib}, filter '${filter:-none}'"
  printf "%-8s %9s %10s %10s %10s %10s %9s %8s\n" tool "-B KiB" sent "sx1 saw" captured "by filter" dropped "cpu s"
  rm -f "$tmp/sniff.fig" "$tmp/tcpdump.fig"
  for _ in $(seq "$repeats"); do
    run sniff "$size" "$kib" "$filter"
    run tcpdump "$size" "$kib" "$filter"
  done
  sum() { awk '{ for (i = 1; i <= NF; i++) t[i] += $i } END { print t[1], t[2], t[3], t[4] }' "$1"; }
  read -r ss sc sd scpu <<<"$(sum "$tmp/sniff.fig")"
  read -r ts tc td tcpu <<<"$(sum "$tmp/tcpdump.fig")"
  # The blast rate varies from run to run (the receive path runs in the sender's softirq, and the
  # box may be busy), so compare fractions and cost per packet rather than raw counts.
  awk -v ss="$ss" -v sc="$sc" -v sd="$sd" -v scpu="$scpu" -v ts="$ts" -v tc="$tc" -v td="$td" -v tcpu="$tcpu" -v hz="$hz" 'BEGIN {
    sk = ss ? 100 * sc / ss : 0; tk = ts ? 100 * tc / ts : 0;
    sdr = (sc + sd) ? 100 * sd / (sc + sd) : 0; tdr = (tc + td) ? 100 * td / (tc + td) : 0;
    sns = sc ? 1e9 * scpu / hz / sc : 0; tns = tc ? 1e9 * tcpu / hz / tc : 0;
    printf "sniff vs tcpdump: kept %.2f%% vs %.2f%% of what sx1 saw, dropped by kernel %.2f%% vs %.2f%%, cpu per captured packet %.0f ns vs %.0f ns\n",
      sk, tk, sdr, tdr, sns, tns }'
done
