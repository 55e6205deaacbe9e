#!/usr/bin/env bash
# Live eBPF figures, side by side: the same frames through a veth pair while sniff captures with
# its eBPF socket filter (`sniff --ebpf`, SO_ATTACH_BPF), then tcpdump with libpcap's classic
# program (SO_ATTACH_FILTER, which the kernel converts to eBPF), then nothing captures, in turn.
#
#   bench/ebpf_live_bench.sh [BUILD_DIR]     (default: build; needs BUILD_DIR/sniff, BUILD_DIR/tools/blast)
#
# What is measured. On a veth, a frame sent on one end is received on the other in the sender's
# own softirq (veth_xmit -> netif_rx -> the backlog run when the sender re-enables bottom halves),
# on the sender's CPU; the packet socket's filter runs there (packet_rcv -> run_filter). blast is
# pinned to CPU 0, the capture process to CPU 1. The kernel here has no IRQ time accounting
# (CONFIG_IRQ_TIME_ACCOUNTING off), so softirq work done in blast's context is charged to blast's
# system time, and softirq work the kernel defers is charged to ksoftirqd/0. The cost per frame
# is therefore (blast's user+system time + ksoftirqd/0's CPU time during the run) / frames sent,
# with a run without any capture as the zero: "over none" is what capturing with that filter adds
# per frame on the receive path, the filter included. The box is a shared VM whose speed drifts
# by tens of percent within a minute, so the runs are short and alternate (none, sniff, tcpdump,
# none, ...), and "over none" is the median over rounds of each run minus the no-capture run of
# its own round; the per-frame column is the median over runs. Other processes on CPU 0 do not
# count (they are neither blast nor ksoftirqd/0). Also reported: frames sent (blast sends as fast
# as it can for a fixed time, so a costlier receive path sends fewer), packets captured, kernel
# drops, and the capture process's own CPU per captured packet (CPU 1; user space and the
# syscalls that read packets, which differ between the two tools for reasons other than the
# filter).
#
# Environment: SECONDS_PER_RUN (default 2), REPEATS (default 7: rounds of none, sniff, tcpdump;
# counts add the rounds up), FRAME_BYTES (default 64),
# HOSTS (default 500: the host list's length). Needs root. Frames never leave the throw-away
# namespace. blast sends UDP 10.9.0.1 -> 10.9.0.2, destination ports 9 and 53 alternating.
set -euo pipefail
cd "$(dirname "$0")/.."

build=${1:-build}
seconds=${SECONDS_PER_RUN:-2}
repeats=${REPEATS:-7}
size=${FRAME_BYTES:-64}
hosts=${HOSTS:-500}
sniff=$(realpath "$build/sniff")
blast=$(realpath "$build/tools/blast")
for f in "$sniff" "$blast"; do
  [ -x "$f" ] || { echo "ebpf_live_bench: $f is missing; run: ninja -C $build sniff tools/blast" >&2; exit 1; }
done
command -v tcpdump >/dev/null || { echo "ebpf_live_bench: tcpdump is not installed" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "ebpf_live_bench: needs root (network namespaces, packet sockets, bpf)" >&2; exit 1; }

# shellcheck source=bench/veth_lab.sh
. bench/veth_lab.sh
ksoftirqd=$(lab_ksoftirqd ebpf_live_bench) || exit 1
veth_lab_setup sniff-ebench ex0 ex1
hz=$(getconf CLK_TCK)
field() { sed -n "s/^\([0-9]*\) packets\? $1.*/\1/p" "$2" | head -1; }

# run TOOL FILTER -> appends "sent captured dropped sender_ms capture_ticks" to $tmp/TOOL.fig
run() {
  local tool=$1 filter=$2 pid=""
  local err=$tmp/$tool.err
  : >"$err"
  case $tool in
    sniff) ip netns exec "$ns" $pin_cap "$sniff" --ebpf -i ex1 -w /dev/null "$filter" 2>"$err" & pid=$! ;;
    tcpdump) ip netns exec "$ns" $pin_cap tcpdump -i ex1 -w /dev/null "$filter" 2>"$err" & pid=$! ;;
  esac
  if [ -n "$pid" ]; then
    capture_pid=$pid
    for _ in $(seq 2400); do grep -q "listening on" "$err" && break; sleep 0.05; done
    grep -q "listening on" "$err" || { echo "ebpf_live_bench: $tool did not start within 120 s:" >&2; cat "$err" >&2; exit 1; }
  fi
  local k0 k1 sent
  k0=$(lab_ticks "$ksoftirqd")
  # bash's `time` gives blast's user and system seconds (getrusage of the finished child).
  { TIMEFORMAT='%3U %3S'; time ip netns exec "$ns" $pin_send "$blast" ex0 "$seconds" "$size" >"$tmp/blast.out"; } 2>"$tmp/blast.time"
  k1=$(lab_ticks "$ksoftirqd")
  sent=$(sed -n 's/^sent \([0-9]*\) .*/\1/p' "$tmp/blast.out")
  local sender_ms
  sender_ms=$(awk -v k=$((k1 - k0)) -v hz="$hz" '{ printf "%.0f", 1000 * ($1 + $2) + 1000 * k / hz }' "$tmp/blast.time")
  local cap_ticks=0 captured=0 dropped=0
  if [ -n "$pid" ]; then
    cap_ticks=$(lab_ticks "$pid")
    kill -INT "$pid"
    wait "$pid" || true
    capture_pid=""
    captured=$(field captured "$err"); dropped=$(field "dropped by kernel" "$err")
  fi
  echo "$sent ${captured:-0} ${dropped:-0} $sender_ms $cap_ticks" >>"$tmp/$tool.fig"
}

echo "ebpf_live_bench: ${seconds}s per run, ${repeats} runs each, ${size}-byte frames, $(nproc) CPUs, kernel $(uname -r), $(tcpdump --version 2>&1 | head -1)"
list=$(lab_host_list "$hosts")
for filter in "udp port 53" "tcp port 443" "$list"; do
  label=$filter
  [ "$filter" = "$list" ] && label="${hosts}-host list"
  rm -f "$tmp"/*.fig
  for _ in $(seq "$repeats"); do
    run none ""
    run sniff "$filter"
    run tcpdump "$filter"
  done
  echo
  echo "### filter: \`$label\`"
  echo
  echo "| capture | frames sent | captured | kernel drops | sender CPU ns/frame (median) | over none ns/frame (median of rounds) | capture process ns/captured |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  # Line r of each .fig file is round r: "sent captured dropped sender_ms capture_ticks".
  paste -d' ' "$tmp/none.fig" "$tmp/sniff.fig" "$tmp/tcpdump.fig" | awk -v hz="$hz" "$lab_awk_median"'
    {
      for (k = 0; k < 3; k++) {
        s = $(5 * k + 1); ns = s ? 1e6 * $(5 * k + 4) / s : 0
        per[k, NR] = ns; sent[k] += s; cap[k] += $(5 * k + 2); drop[k] += $(5 * k + 3); ticks[k] += $(5 * k + 5)
      }
      for (k = 1; k < 3; k++) over[k, NR] = per[k, NR] - per[0, NR]
    }
    END {
      n = NR
      name[0] = "none"; name[1] = "sniff --ebpf (SO_ATTACH_BPF)"; name[2] = "tcpdump (SO_ATTACH_FILTER)"
      for (k = 0; k < 3; k++) {
        for (r = 1; r <= n; r++) { a[r] = per[k, r]; b[r] = k ? over[k, r] : 0 }
        m = median(a, n); o = median(b, n)
        c = k && cap[k] ? sprintf("%.0f", 1e9 * ticks[k] / hz / cap[k]) : "—"
        if (k == 0) printf "| %s | %d | — | — | %.1f | 0 | — |\n", name[k], sent[k], m
        else printf "| %s | %d | %d | %d | %.1f | %.1f | %s |\n", name[k], sent[k], cap[k], drop[k], m, o, c
      }
    }'
  echo
  echo "per round, sender ns/frame (none sniff tcpdump):"
  paste -d' ' "$tmp/none.fig" "$tmp/sniff.fig" "$tmp/tcpdump.fig" | awk '{ printf "  %.0f %.0f %.0f\n", 1e6 * $4 / $1, 1e6 * $9 / $6, 1e6 * $14 / $11 }' 
done
