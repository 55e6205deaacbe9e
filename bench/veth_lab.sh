# Sourced by live_bench.sh and ebpf_live_bench.sh: a throw-away network namespace `$ns` with a
# veth pair (`$1` 02:00:00:00:00:01, `$2` 02:00:00:00:00:02, both up, IPv6 off so nothing else
# is sent), a scratch directory `$tmp`, and an EXIT trap that stops the capture in
# `$capture_pid` (if any) and removes both. Also `$pin_send`/`$pin_cap`: the sender (and the veth
# receive path, which runs in its softirq) on CPU 0, the capture process on CPU 1, when there
# are two cores, so neither tool steals the other's core.
#   veth_lab_setup PREFIX IF_A IF_B
veth_lab_setup() {
  ns="$1-$$"
  tmp=$(mktemp -d)
  capture_pid=""
  trap veth_lab_cleanup EXIT
  ip netns add "$ns"
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 || true
  ip -n "$ns" link add name "$2" address 02:00:00:00:00:01 type veth peer name "$3" address 02:00:00:00:00:02
  ip -n "$ns" link set "$2" up
  ip -n "$ns" link set "$3" up
  pin_send=""; pin_cap=""
  if [ "$(nproc)" -ge 2 ]; then pin_send="taskset -c 0"; pin_cap="taskset -c 1"; fi
}

veth_lab_cleanup() {
  # A capture left running would keep the deleted namespace alive: stop it first.
  [ -n "$capture_pid" ] && kill -INT "$capture_pid" 2>/dev/null && wait "$capture_pid" 2>/dev/null || true
  # Retried: the unmount can be refused for a moment while a process that was inside is exiting.
  for _ in 1 2 3 4 5 6 7 8 9 10; do ip netns del "$ns" 2>/dev/null && break; sleep 0.5; done
  rm -rf "$tmp"
}

# lab_host_list N [FIRST]: `host A or host B …`, N addresses spread over 10.0.0.0/8 by an odd
# multiplier (distinct, never adjacent: bench/ebpf_bench spreads them the same way); with FIRST,
# that address is the first of the N (so a sender using it matches after a lookup).
lab_host_list() {
  local n=$1 out="" i a
  [ -n "${2:-}" ] && { out="host $2"; n=$((n - 1)); }
  for ((i = 0; i < n; i++)); do
    a=$(( ((i + 1) * 2654435761) & 0xffffff ))
    out+="${out:+ or }host 10.$((a >> 16)).$(((a >> 8) & 255)).$((a & 255))"
  done
  echo "$out"
}

# lab_ticks PID: the process's user + system time in clock ticks (proc(5), stat fields 14, 15).
lab_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# lab_ksoftirqd NAME: the pid of ksoftirqd/0, where the kernel defers the sender's softirq work
# (its CPU time is part of what a frame costs); exits with a message when there is none.
lab_ksoftirqd() {
  local pid
  pid=$(pgrep -x ksoftirqd/0 | head -1)
  [ -n "$pid" ] || { echo "$1: no ksoftirqd/0 found" >&2; exit 1; }
  echo "$pid"
}

# An awk function for the scripts' tables: median(v, n) of v[1..n] (sorts v in place).
# shellcheck disable=SC2034  # used by the scripts that source this file
lab_awk_median='
    function median(v, n,   i, j, t) {
      for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
      return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    }'
