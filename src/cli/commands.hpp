// The things sniff can be asked to do; main() picks one from the options.
#pragma once

#include <string>

#include "cli/options.hpp"
#include "ebpf/maps.hpp"
#include "ebpf/program.hpp"

namespace cli {

int run_dump(const Options& o);            // -d without -r/-i: compile for -y and print
// An eBPF program as -d (instructions), -dd (C array) or -ddd (decimal: the count, then code, dst,
// src, off and imm of each instruction) print it.
std::string dump_ebpf_text(const ebpf::Filter& f, int level);
int run_offline(const Options& o);         // -r: filter a capture file
int run_live(const Options& o);            // -i: capture from an interface
int run_list_interfaces(const Options& o); // -D
int run_verify(const Options& o);          // --verify -r: sniff VM vs fast path vs libpcap vs kernel
int run_xdp_drop(const Options& o);        // --xdp-drop / --xdp-pass -i IF: filter in XDP, print counts
int run_emit_elf(const Options& o);        // --emit-elf FILE: the eBPF program as an ELF object

// Set by SIGINT/SIGTERM; loops stop at the next packet and write out what they have.
bool stop_requested();
// Ends the capture as a signal would (the output wants no more packets).
void request_stop();
void install_stop_handlers();

}  // namespace cli
