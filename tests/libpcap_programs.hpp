// libpcap's programs in the tests' terms: conversion both ways, link type names, and the rewrites
// that make libpcap's byte primitive and protochain comparable with sniff's (README, "Deliberate
// differences").
#pragma once

#include <pcap/pcap.h>

#include <optional>
#include <string>
#include <vector>

#include "cbpf_vm/program.hpp"

namespace testing_support {

cbpf::Program to_program(const bpf_program& p);
std::vector<bpf_insn> to_insns(const cbpf::Program& p);
// libpcap's name for a link type (EN10MB), or its number.
std::string link_type_name(int dlt);

// libpcap's protochain steps over AH by setting X to AH's length instead of adding it (so the
// walk restarts near the IP header). sniff adds it; to compare the rest, rewrite libpcap's AH
// step in place, same length, so no jump moves:
//   txa; add #1; tax; ldb [x+k]; add #2; mul #4; tax   (X = (P[X+1+k] + 2) * 4)
//   ldb [x+k+1]; add #2; mul #4; add x; tax; ja 0; ja 0   (X = X + (P[X+k+1] + 2) * 4)
void fix_protochain_auth_step(cbpf::Program& p);

// Whether `p` overwrites a header-length slot (one stored before the program's first test) with
// a constant or the packet length. libpcap 1.10 keeps variable link-header lengths (802.11,
// radiotap, PPI) in scratch slots, and a relation's temporaries can reuse them, after which
// loads read at a wrong offset (README, "Header lengths in scratch memory"): there is no correct
// libpcap program to compare with. pflog's header length is such a slot too.
bool overwrites_header_offset(const cbpf::Program& p);

// The text libpcap 1.10 compiles for an expression sniff compiles: `byte N & V` and `byte N | V`
// spelled `link[N] & V != 0` and `link[N] | V != 0`. libpcap 1.10's byte primitive does not load
// the byte for these two operators (its program tests whatever the accumulator held); sniff loads
// it, as libpcap does since. And `opc != 5` (the SS7 and ATM fields) spelled `not opc 5`: libpcap
// 1.10 compiles `!=` there as `=`. Every other text is returned unchanged.
std::string libpcap_spelling(const std::string& expr);

// Why a libpcap program is unusable as a reference, or nothing: libpcap 1.10 sometimes emits a
// program that reads a scratch slot it never wrote (pppoes after a radiotap header), which the
// kernel refuses. Programs over the kernel's 4096 instructions, and protochain's backward jumps,
// still run in bpf_filter, so they count as usable.
std::optional<std::string> unusable_reference(const cbpf::Program& p);

}  // namespace testing_support
