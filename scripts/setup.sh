#!/usr/bin/env bash
# Shared set-up for run.sh and test.sh: install missing Debian packages, configure and build.
# `setup.sh --tests` also installs every program the test suite runs (tcpdump as an oracle,
# iproute2 and procps for network namespaces, clang for the fuzz smoke, bpftool to look at the
# programs the eBPF tests load), so that no test is skipped on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(g++ meson ninja-build pkg-config ccache libpcap-dev libboost-dev libcli11-dev libfmt-dev
          libgtest-dev libgmock-dev libbenchmark-dev libbpf-dev libelf-dev)
if [ "${1:-}" = "--tests" ]; then
  packages+=(tcpdump iproute2 procps clang libclang-rt-dev bpftool)
fi
scripts/install_packages.sh "${packages[@]}"

if [ ! -f build/build.ninja ]; then
  meson setup build >&2
fi
# Two cores: one compile job per core, no more.
ninja -C build -j 2 >&2
