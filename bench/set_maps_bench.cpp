// Set filters of 10, 1,000 and 100,000 hosts, side by side in one run, as four programs:
//  - map: sniff's eBPF socket filter with the set in a BPF hash map (what live capture and
//    --xdp-drop load);
//  - sorted: the set as a sorted range array searched without branches (what --emit-elf writes
//    into an object's .rodata);
//  - tree: the set as a comparison tree (sniff's eBPF without maps);
//  - cBPF: sniff's classic program, converted to eBPF by the kernel's rules (ebpf::from_cbpf: what
//    SO_ATTACH_FILTER runs; the kernel itself takes at most 4,096 classic instructions).
// For each: compile time (ms, the whole compile from text), load time (ms: maps created and filled,
// then BPF_PROG_LOAD with the verifier), instructions, map bytes, and ns per packet
// (BPF_PROG_TEST_RUN, `repeat` runs, best of `rounds`, mean over frames of which half carry a
// member address). Maps are forced for every set size here (from_ranges 2); sniff's own threshold
// (SetMapOptions::kDefaultFromRanges) keeps small sets as trees.
// A second table does the same for `ip6 host` lists of 10, 1,000 and 10,000 (either field: an
// either-tuple set of four prefix hashes, against the list as eBPF comparisons and as cBPF).
// Usage: set_maps_bench [REPEAT [ROUNDS]]
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "compiler/compile.hpp"
#include "ebpf/from_cbpf.hpp"
#include "ebpf/loader.hpp"

namespace {

constexpr std::uint32_t kSnaplen = 262144;

// Address i of a host list, spread over 10.0.0.0/8 (an odd multiplier: distinct, never adjacent
// enough to merge into ranges), as ebpf_bench and compile_scale spread them.
std::uint32_t spread_host(std::uint64_t i) { return (10u << 24) | static_cast<std::uint32_t>(((i + 1) * 2654435761u) & 0xffffff); }

std::string host_list(std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint32_t a = spread_host(i);
        out += fmt::format("{}host {}.{}.{}.{}", i ? " or " : "", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
    }
    return out;
}

// Ethernet + IPv4 + TCP from `src` to 192.0.2.1.
std::vector<std::uint8_t> frame(std::uint32_t src) {
    std::vector<std::uint8_t> b(54, 0);
    b[0] = 2, b[6] = 2, b[12] = 0x08, b[14] = 0x45, b[17] = 40, b[22] = 64, b[23] = 6;
    for (int i = 0; i < 4; ++i) b[26 + i] = static_cast<std::uint8_t>(src >> (24 - 8 * i));
    b[30] = 192, b[32] = 2, b[33] = 1;
    return b;
}

// IPv6 address i of an `ip6 host` list: 2001:db8:x:y::z with words 1 to 3 spread.
std::array<std::uint32_t, 4> spread_host6(std::uint64_t i) {
    const auto h = static_cast<std::uint32_t>((i + 1) * 2654435761u);
    return {0x20010db8u, h, static_cast<std::uint32_t>(i >> 32), static_cast<std::uint32_t>(i) ^ 0x5a5a0000u};
}

std::string host6_list(std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) {
        const auto a = spread_host6(i);
        out += fmt::format("{}ip6 host {:x}:{:x}:{:x}:{:x}:{:x}:{:x}:{:x}:{:x}", i ? " or " : "", a[0] >> 16, a[0] & 0xffff, a[1] >> 16,
                           a[1] & 0xffff, a[2] >> 16, a[2] & 0xffff, a[3] >> 16, a[3] & 0xffff);
    }
    return out;
}

// Ethernet + IPv6 + TCP from `src` to 2001:db8::1.
std::vector<std::uint8_t> frame6(const std::array<std::uint32_t, 4>& src) {
    std::vector<std::uint8_t> b(74, 0);
    b[0] = 2, b[6] = 2, b[12] = 0x86, b[13] = 0xdd, b[14] = 0x60, b[19] = 20, b[20] = 6, b[21] = 64;
    for (int w = 0; w < 4; ++w)
        for (int i = 0; i < 4; ++i) b[22 + 4 * w + i] = static_cast<std::uint8_t>(src[static_cast<std::size_t>(w)] >> (24 - 8 * i));
    b[38] = 0x20, b[39] = 0x01, b[40] = 0x0d, b[41] = 0xb8, b[53] = 1;
    return b;
}

double ms_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

struct Row {
    std::string variant;
    double compile_ms = 0, load_ms = 0, ns = 0;
    std::size_t insns = 0, map_bytes = 0;
    std::string note;
};

std::optional<Row> measure(const std::string& variant, const std::function<std::optional<ebpf::Filter>(std::string&)>& make, double compile_ms,
                           const std::vector<std::vector<std::uint8_t>>& frames, const std::vector<bool>& members, std::uint32_t repeat,
                           int rounds, std::string& why) {
    auto t0 = std::chrono::steady_clock::now();
    auto filter = make(why);
    if (!filter) return std::nullopt;
    Row row{variant, compile_ms + ms_since(t0)};
    row.insns = filter->insns.size();
    for (const ebpf::MapSpec& m : filter->maps) row.map_bytes += m.keys.size() + m.values.size();
    t0 = std::chrono::steady_clock::now();
    auto loaded = ebpf::load(*filter, ebpf::Hook::Socket, "set_bench");
    row.load_ms = ms_since(t0);
    if (!loaded) {
        why = fmt::format("{}: the kernel refuses it: {}", variant, loaded.error().message);
        return std::nullopt;
    }
    double sum = 0;
    for (std::size_t i = 0; i < frames.size(); ++i) {
        std::uint32_t best = UINT32_MAX;
        for (int r = 0; r < rounds; ++r) {
            auto run = ebpf::test_run(*loaded, frames[i], repeat);
            if (!run) {
                why = fmt::format("{}: test run failed: {}", variant, run.error().message);
                return std::nullopt;
            }
            if ((run->retval != 0) != members[i]) {
                why = fmt::format("{}: wrong answer on frame {}", variant, i);
                return std::nullopt;
            }
            best = std::min(best, run->duration_ns);
        }
        sum += best;
    }
    row.ns = sum / static_cast<double>(frames.size());
    return row;
}

}  // namespace

int main(int argc, char** argv) {
    const std::uint32_t repeat = argc > 1 ? static_cast<std::uint32_t>(std::atoi(argv[1])) : 1000;
    const int rounds = argc > 2 ? std::atoi(argv[2]) : 3;
    if (auto why = ebpf::bpf_unavailable()) {
        fmt::print("set_maps_bench: skipped: {}\n", *why);
        return 0;
    }
    fmt::print("Host-list filters as eBPF socket filters: the set in a hash map, as a sorted array (ELF objects), as a comparison "
               "tree, and sniff's classic program as the kernel converts it. BPF_PROG_TEST_RUN, repeat {}, best of {}, mean over 64 "
               "frames (32 from a member address).\n\n",
               repeat, rounds);
    const sniff::CompileOptions options{.dlt = 1, .snaplen = kSnaplen};
    std::vector<std::string> notes;
    for (const bool six : {false, true}) {
        fmt::print("{}| hosts | program | compile ms | load ms | instructions | map bytes | ns/packet | ns vs cBPF |\n|---:|---|---:|---:|---:|---:|---:|---:|\n",
                   six ? "\n`ip6 host` lists (either field):\n\n" : "");
        for (std::size_t n : {std::size_t{10}, std::size_t{1000}, std::size_t{six ? 10000u : 100000u}}) {
            const std::string text = six ? host6_list(n) : host_list(n);
            std::vector<std::vector<std::uint8_t>> frames;
            std::vector<bool> members;
            for (std::size_t i = 0; i < 64; ++i) {
                const bool member = i % 2 == 0;
                if (six) frames.push_back(frame6(member ? spread_host6(i * 7919 % n) : spread_host6(n + i)));
                else frames.push_back(frame(member ? spread_host(i * 7919 % n) : spread_host(n + i) ^ 1));
                members.push_back(member);
            }
            auto t0 = std::chrono::steady_clock::now();
            auto classic = sniff::compile(text, options);
            const double classic_ms = ms_since(t0);
            std::vector<Row> rows;
            auto ebpf_variant = [&](const char* name, sniff::SetMapOptions maps) {
                std::string why;
                auto row = measure(
                    name,
                    [&](std::string& w) -> std::optional<ebpf::Filter> {
                        auto f = sniff::compile_ebpf(text, options, ebpf::Hook::Socket, maps);
                        if (!f) w = fmt::format("{}: {}", name, f.error().message);
                        return f ? std::optional(std::move(*f)) : std::nullopt;
                    },
                    0, frames, members, repeat, rounds, why);
                if (row) rows.push_back(*row);
                else notes.push_back(fmt::format("{} hosts, {}", n, why));
            };
            if (six) {
                ebpf_variant("map (either-tuple hashes)", {.from_ranges = 2});
                ebpf_variant("list (eBPF comparisons)", {.from_ranges = sniff::SetMapOptions::kNever});
            } else {
                ebpf_variant("map (hash)", {.from_ranges = 2});
                ebpf_variant("sorted array", {.from_ranges = 2, .in_object = true});
                ebpf_variant("tree", {.from_ranges = sniff::SetMapOptions::kNever});
            }
            if (classic) {
                std::string why;
                auto row = measure(
                    "cBPF (kernel conversion)",
                    [&](std::string& w) -> std::optional<ebpf::Filter> {
                        auto converted = ebpf::from_cbpf(*classic);
                        if (!converted) w = "cBPF: " + converted.error();
                        return converted ? std::optional(ebpf::Filter{std::move(*converted), {}}) : std::nullopt;
                    },
                    classic_ms, frames, members, repeat, rounds, why);
                if (row) {
                    row->note = classic->size() > 4096 ? fmt::format(" ({} classic insns: over the kernel's 4,096)", classic->size())
                                                       : fmt::format(" ({} classic insns)", classic->size());
                    rows.push_back(*row);
                } else {
                    notes.push_back(fmt::format("{} hosts, {}", n, why));
                }
            }
            const double classic_ns = rows.empty() || rows.back().variant.rfind("cBPF", 0) != 0 ? 0 : rows.back().ns;
            for (const Row& r : rows)
                fmt::print("| {} | {}{} | {:.1f} | {:.1f} | {} | {} | {:.1f} | {} |\n", n, r.variant, r.note, r.compile_ms, r.load_ms, r.insns,
                           r.map_bytes, r.ns, classic_ns > 0 ? fmt::format("{:.2f}x", r.ns / classic_ns) : std::string("-"));
        }
    }
    fmt::print("\nCompile ms is the whole compile from text (parse, optimize, emit: sniff compiles the classic program on the way). "
               "The kernel reports each test run's mean in whole ns.\n");
    for (const auto& note : notes) fmt::print("- {}\n", note);
    return 0;
}
