#!/usr/bin/env bash
# Shared set-up for run.sh and test.sh: install missing Debian packages, configure and build.
# `setup.sh --tests` also installs every program the test suite runs (tcpdump as an oracle,
# iproute2 and procps for network namespaces, clang for the fuzz smoke), so that no test is
# skipped on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(g++ meson ninja-build pkg-config ccache libpcap-dev libboost-dev libcli11-dev libfmt-dev
          libgtest-dev libgmock-dev libbenchmark-dev)
if [ "${1:-}" = "--tests" ]; then
  packages+=(tcpdump iproute2 procps clang libclang-rt-dev)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2
fi

if [ ! -f build/build.ninja ]; then
  meson setup build >&2
fi
# Two cores: one compile job per core, no more.
ninja -C build -j 2 >&2
