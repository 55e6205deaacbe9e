#!/usr/bin/env bash
# XDP drop figures, side by side: the same frames through a veth pair while `sniff --xdp-drop -i
# ex1 EXPR` drops what matches in XDP, then while the same filter is attached as classic BPF
# (SO_ATTACH_FILTER) to a packet socket that reads what matches and discards it (`sniff -i ex1
# -w /dev/null EXPR`, sniff's AF_PACKET ring: the usual way to single packets out without XDP),
# then with nothing attached, in turn.
#
#   bench/xdp_drop_bench.sh [BUILD_DIR]     (default: build; needs BUILD_DIR/sniff, BUILD_DIR/tools/blast)
#
# What is measured. tools/blast sends 64-byte UDP frames (10.9.0.1 -> 10.9.0.2, destination ports
# 9 and 53 alternating) out of ex0 as fast as it can for a fixed time; a veth receives them on ex1
# in the sender's own softirq (veth_xmit -> the peer's NAPI or backlog, on the sender's CPU), so
# the cost of the receive path slows the sender down: frames per second sent is the throughput of
# the whole path. For each run:
#  - frames/s: frames blast sent per second;
#  - dropped/s: for --xdp-drop, sniff's own counter of dropped frames; for the packet socket,
#    the frames it received and discarded (the filter's matches), which the stack still gets;
#  - reached the stack/s: IPv4 packets the namespace's IP layer received (Ip InReceives of
#    /proc/net/snmp, counted in ip_rcv before any route lookup): what got past the filter to the
#    peer's network stack. No address is configured on ex1, so the stack discards them after
#    counting, without replies;
#  - sender CPU ns/frame: blast's user+system time plus ksoftirqd/0's, over frames sent (as in
#    ebpf_live_bench.sh: no IRQ time accounting here, so softirq work is charged to them).
# Rounds alternate (none, xdp, cbpf) because the shared VM's speed drifts; figures are medians
# over rounds, and the ratio is the median of the per-round ratios xdp/cbpf of frames/s.
#
# Environment: SECONDS_PER_RUN (default 2), REPEATS (default 3), FRAME_BYTES (default 64),
# XDP_MODE (auto, native or generic; default auto, which is native on veth). Needs root. Frames
# never leave the throw-away namespace.
set -euo pipefail
cd "$(dirname "$0")/.."

build=${1:-build}
seconds=${SECONDS_PER_RUN:-2}
repeats=${REPEATS:-3}
size=${FRAME_BYTES:-64}
xdp_mode=${XDP_MODE:-auto}
sniff=$(realpath "$build/sniff")
blast=$(realpath "$build/tools/blast")
for f in "$sniff" "$blast"; do
  [ -x "$f" ] || { echo "xdp_drop_bench: $f is missing; run: ninja -C $build sniff tools/blast" >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "xdp_drop_bench: needs root (network namespaces, packet sockets, bpf)" >&2; exit 1; }

# shellcheck source=bench/veth_lab.sh
. bench/veth_lab.sh
ksoftirqd=$(lab_ksoftirqd xdp_drop_bench) || exit 1
veth_lab_setup sniff-xbench ex0 ex1
hz=$(getconf CLK_TCK)
in_receives() { ip netns exec "$ns" awk '/^Ip: [0-9]/ {print $4}' /proc/net/snmp; }

# run KIND FILTER -> appends "sent dropped reached sender_ms" to $tmp/KIND.fig
run() {
  local kind=$1 filter=$2 pid="" err=$tmp/$1.err ready=""
  : >"$err"
  case $kind in
    xdp) ip netns exec "$ns" $pin_cap "$sniff" --xdp-drop --xdp-mode "$xdp_mode" -i ex1 "$filter" 2>"$err" & pid=$!; ready="attached to ex1" ;;
    cbpf) ip netns exec "$ns" $pin_cap "$sniff" -i ex1 -w /dev/null "$filter" 2>"$err" & pid=$!; ready="listening on ex1" ;;
  esac
  if [ -n "$pid" ]; then
    capture_pid=$pid
    for _ in $(seq 2400); do grep -q "$ready" "$err" && break; sleep 0.05; done
    grep -q "$ready" "$err" || { echo "xdp_drop_bench: $kind did not start within 120 s:" >&2; cat "$err" >&2; exit 1; }
  fi
  local k0 k1 r0 r1 sent sender_ms dropped=0
  r0=$(in_receives); k0=$(lab_ticks "$ksoftirqd")
  { TIMEFORMAT='%3U %3S'; time ip netns exec "$ns" $pin_send "$blast" ex0 "$seconds" "$size" >"$tmp/blast.out"; } 2>"$tmp/blast.time"
  k1=$(lab_ticks "$ksoftirqd"); r1=$(in_receives)
  sent=$(sed -n 's/^sent \([0-9]*\) .*/\1/p' "$tmp/blast.out")
  sender_ms=$(awk -v k=$((k1 - k0)) -v hz="$hz" '{ printf "%.0f", 1000 * ($1 + $2) + 1000 * k / hz }' "$tmp/blast.time")
  if [ -n "$pid" ]; then
    kill -INT "$pid"
    wait "$pid" || { echo "xdp_drop_bench: $kind failed:" >&2; cat "$err" >&2; exit 1; }
    capture_pid=""
    case $kind in
      xdp) dropped=$(sed -n 's/^\([0-9]*\) packets\? ([0-9]* bytes) dropped.*/\1/p' "$err") ;;
      cbpf) dropped=$(sed -n 's/^\([0-9]*\) packets\? captured.*/\1/p' "$err") ;;
    esac
  fi
  echo "$sent ${dropped:-0} $((r1 - r0)) $sender_ms" >>"$tmp/$kind.fig"
}

echo "xdp_drop_bench: ${seconds}s per run, ${repeats} rounds, ${size}-byte frames, $(nproc) CPUs, kernel $(uname -r), --xdp-mode $xdp_mode"
# 300 hosts (past the map threshold of 256), blast's source among them: every frame matches after a lookup.
list=$(lab_host_list 300 10.9.0.1)
for filter in "udp port 53" "udp" "$list"; do
  label=$filter
  [ "$filter" = "$list" ] && label="300-host list (blast's source among them)"
  rm -f "$tmp"/*.fig
  for _ in $(seq "$repeats"); do
    run none ""
    run xdp "$filter"
    run cbpf "$filter"
  done
  echo
  echo "### filter: \`$label\`"
  echo
  echo "| receiver | frames/s sent | dropped (or discarded)/s | reached the stack/s | sender CPU ns/frame |"
  echo "|---|---:|---:|---:|---:|"
  paste -d' ' "$tmp/none.fig" "$tmp/xdp.fig" "$tmp/cbpf.fig" | awk -v s="$seconds" "$lab_awk_median"'
    {
      for (k = 0; k < 3; k++) {
        pps[k, NR] = $(4 * k + 1) / s; drop[k, NR] = $(4 * k + 2) / s; reach[k, NR] = $(4 * k + 3) / s
        cpu[k, NR] = $(4 * k + 1) ? 1e6 * $(4 * k + 4) / $(4 * k + 1) : 0
      }
      ratio[NR] = pps[2, NR] ? pps[1, NR] / pps[2, NR] : 0
    }
    END {
      n = NR
      name[0] = "nothing attached"; name[1] = "sniff --xdp-drop (XDP)"; name[2] = "packet socket + cBPF, matches discarded"
      for (k = 0; k < 3; k++) {
        for (r = 1; r <= n; r++) { a[r] = pps[k, r]; b[r] = drop[k, r]; c[r] = reach[k, r]; d[r] = cpu[k, r] }
        printf "| %s | %.0f | %s | %.0f | %.0f |\n", name[k], median(a, n), k ? sprintf("%.0f", median(b, n)) : "—", median(c, n), median(d, n)
      }
      for (r = 1; r <= n; r++) a[r] = ratio[r]
      printf "\nframes/s, XDP over packet socket (median of per-round ratios): %.2f\n", median(a, n)
    }'
done
