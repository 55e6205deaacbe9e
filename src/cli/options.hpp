// Command-line options, spelled as tcpdump spells them (plus sniff's own long options).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cli {

struct Options {
    // What to do with the filter.
    int dump_level = 0;                     // -d, -dd, -ddd
    bool verify = false;                    // --verify: sniff VM vs libpcap vs kernel on every packet
    bool trace = false;                     // --trace: explain each verdict
    std::optional<std::string> bpf_file;    // --bpf FILE: a -ddd program instead of an expression
    std::optional<std::string> filter_file; // -F
    std::vector<std::string> expression;    // the filter, possibly in several words
    std::optional<std::string> link_type;   // -y
    std::uint32_t snaplen = 262144;         // -s (0 means the default)
    bool no_optimize = false;               // -O
    bool ebpf = false;                      // --ebpf: eBPF instead of classic BPF (-d, live capture)
    std::optional<std::string> hook;        // --hook socket|xdp|tc: which eBPF program (implies --ebpf)
    std::optional<std::string> emit_elf;    // --emit-elf FILE: write the eBPF program as an ELF object (implies --ebpf)

    // Where packets come from and go.
    std::optional<std::string> read_file;   // -r
    std::optional<std::string> write_file;  // -w
    std::optional<std::uint64_t> file_size_mb;    // -C: rotate -w after this many million bytes
    std::optional<std::uint32_t> file_count;      // -W: ring of files (-C) or number of files (-G)
    std::optional<std::uint32_t> rotate_seconds;  // -G: new -w file (strftime name) every N seconds
    std::optional<std::uint64_t> count;     // -c
    bool numeric = false;                   // -n (addresses are always numeric for now)

    // How each packet is printed (tcpdump's flags; counted ones may repeat: -tt, -vv, -xx).
    int timestamp_level = 0;                // -t none, -tt epoch, -ttt delta, -tttt date, -ttttt since first
    bool link_header = false;               // -e
    bool quiet = false;                     // -q
    int verbose = 0;                        // -v, -vv
    int hex = 0;                            // -x (-xx: with the link header)
    int hex_ascii = 0;                      // -X (-XX: with the link header)
    bool ascii = false;                     // -A
    bool packet_numbers = false;            // -#
    bool json = false;                      // --json: one JSON object per packet

    // Live capture.
    std::optional<std::string> interface;   // -i
    bool list_interfaces = false;           // -D
    bool no_promiscuous = false;            // -p
    std::string direction = "inout";        // -Q in|out|inout
    std::optional<std::uint32_t> buffer_kib;  // -B
    bool immediate = false;                 // --immediate-mode
    std::string backend = "af_packet";      // --backend af_packet|pcap
    std::optional<std::string> drop_user;   // -Z

    // XDP drop mode (xdp_drop_command.cpp): an XDP program on -i that drops what matches
    // (--xdp-drop) or what does not (--xdp-pass), attached through a BPF link.
    bool xdp_drop = false;                  // --xdp-drop
    bool xdp_pass = false;                  // --xdp-pass
    std::string xdp_mode = "auto";          // --xdp-mode auto|native|generic
};

// True when the command line holds a filter expression (not only blanks).
bool has_expression(const Options& o);

struct ParseOutcome {
    std::optional<Options> options;  // empty when the program should exit
    int exit_code = 0;
};

ParseOutcome parse_options(int argc, char** argv);

}  // namespace cli
