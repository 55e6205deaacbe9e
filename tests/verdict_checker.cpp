// Sniff against libpcap on one filter and one link type (verdict_checker.hpp).
#include "verdict_checker.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <optional>

#include "cbpf_vm/dump.hpp"
#include "cbpf_vm/interpret.hpp"
#include "cbpf_vm/validate.hpp"
#include "compiler/compile.hpp"
#include "compiler/ir.hpp"
#include "compiler/link_type.hpp"
#include "libpcap_programs.hpp"

namespace testing_support {

LinkPackets load_packets(int dlt, std::size_t sample_size) {
    LinkPackets lp{dlt, testing_support::packets_for_link_type(dlt, true), {}};
    if (dlt == DLT_LOOP) {
        // No LOOP captures around: NULL ones with the address family in network byte order are.
        for (auto p : testing_support::packets_for_link_type(DLT_NULL, true)) {
            if (p.bytes.size() >= 4) std::reverse(p.bytes.begin(), p.bytes.begin() + 4);
            p.origin += " (as LOOP)";
            lp.all.push_back(std::move(p));
        }
    }
    // captures/ first (few, and written for these tests), then the corpus evenly spaced.
    std::vector<const StoredPacket*> own, corpus;
    const std::string corpus_dir = testing_support::shared_corpus_dir();
    for (const auto& p : lp.all) (!corpus_dir.empty() && p.origin.find("captures/") == std::string::npos ? corpus : own).push_back(&p);
    const std::size_t own_step = std::max<std::size_t>(1, own.size() / std::max<std::size_t>(1, sample_size / 2));
    for (std::size_t i = 0; i < own.size() && lp.sample.size() < sample_size / 2; i += own_step) lp.sample.push_back(*own[i]);
    const std::size_t room = sample_size - lp.sample.size();
    const std::size_t step = std::max<std::size_t>(1, corpus.size() / std::max<std::size_t>(1, room));
    for (std::size_t i = 0; i < corpus.size() && lp.sample.size() < sample_size; i += step) lp.sample.push_back(*corpus[i]);
    return lp;
}

// Checks one filter; returns false when sniff and libpcap disagree on it (reported).
bool Checker::check(const std::string& expr, std::mt19937_64& rng, const std::string& where, const char* reference) {
    // `byte N & V` as libpcap spells it now (README, "Deliberate differences").
    const std::string libpcap_expr = reference ? std::string(reference) : testing_support::libpcap_spelling(expr);
    const bool self_only = reference && !*reference;
    const int dlt = packets.dlt;
    auto fail = [&](const std::string& message) {
        ++counts.mismatches;
        if (reported++ < max_reports) ADD_FAILURE() << message << "\n  (" << where << ")";
    };
    auto ours = sniff::compile(expr, {dlt, kSnaplen});
    bpf_program bp1{};
    const bool pcap_ok = !self_only && pcap_compile(dead, &bp1, libpcap_expr.c_str(), 1, PCAP_NETMASK_UNKNOWN) == 0;
    const std::string pcap_error = pcap_ok ? "" : pcap_geterr(dead);
    std::optional<cbpf::Program> theirs_opt;
    if (pcap_ok) {
        theirs_opt = to_program(bp1);
        pcap_freecode(&bp1);
    }
    if (!ours) {
        const std::string& message = ours.error().message;
        // A value too large for its field (`ip proto 256`, `ether proto 0x10000`) is refused too,
        // where libpcap 1.10 compiles a test no packet passes (README, "Deliberate differences").
        if (message.find("on link type") != std::string::npos || message.find("rejects all packets") != std::string::npos ||
            message.find("is out of range") != std::string::npos || message.find("does not fit in") != std::string::npos) {
            // Deliberate (README): refused where libpcap refuses too or compiles a program that
            // never matches.
            ++counts.sniff_refuses_meaningless;
            last_acceptance = Acceptance::SniffRefusesMeaningless;
            if (!theirs_opt) return true;
            const auto insns = to_insns(*theirs_opt);
            for (const auto& p : packets.sample)
                if (bpf_filter(insns.data(), p.bytes.data(), p.wire_length, static_cast<u_int>(p.bytes.size())) != 0) {
                    ++counts.failing_filters;
                    fail(fmt::format("'{}' on {}: sniff refuses it ({}) but libpcap's program matches {} (caplen {})", expr,
                                     link_type_name(dlt), message, p.origin, p.bytes.size()));
                    return false;
                }
            return true;
        }
        last_acceptance = pcap_ok ? Acceptance::OnlyLibpcap : Acceptance::Neither;
        if (pcap_ok) {
            if (counts.only_sniff_refuses++ < 10)
                std::printf("note: sniff refuses what libpcap compiles on %s: '%s': %s\n", link_type_name(dlt).c_str(), expr.c_str(),
                            message.c_str());
        } else {
            ++counts.both_refuse;
        }
        return true;
    }
    last_acceptance = Acceptance::Both;
    auto ours_plain = sniff::compile(expr, {dlt, kSnaplen, false});
    if (!ours_plain) {
        fail(fmt::format("'{}' on {}: sniff compiles it but sniff -O refuses it: {}", expr, link_type_name(dlt),
                         ours_plain.error().message));
        return false;
    }
    // libpcap refuses protochain behind variable-length headers (802.11, pflog); sniff walks it there.
    const bool is_protochain = expr.find("protochain") != std::string::npos;
    if (is_protochain && (sniff::find_link_type(dlt)->wlan() || dlt == DLT_PFLOG)) {
        ++counts.beyond_libpcap;
        return true;
    }
    std::vector<cbpf::Program> theirs;
    bpf_program bp0{};
    const bool pcap_plain_ok = !self_only && pcap_compile(dead, &bp0, libpcap_expr.c_str(), 0, PCAP_NETMASK_UNKNOWN) == 0;
    std::optional<cbpf::Program> theirs_plain;
    if (pcap_plain_ok) {
        theirs_plain = to_program(bp0);
        pcap_freecode(&bp0);
    }
    if (self_only) {
        theirs = {*ours_plain, *ours_plain};
    } else if (!theirs_opt) {
        // libpcap's optimizer proves it matches nothing: then its -O program must match
        // nothing, and sniff's must agree with it (issue 11 will make sniff refuse these).
        if (pcap_error.find("rejects all packets") != std::string::npos && theirs_plain) {
            ++counts.libpcap_rejects_all;
            theirs = {*theirs_plain, *theirs_plain};
        } else {
            last_acceptance = Acceptance::OnlySniff;
            if (counts.only_libpcap_refuses++ < 10)
                std::printf("note: libpcap refuses what sniff compiles on %s: '%s': %s\n", link_type_name(dlt).c_str(), expr.c_str(),
                            pcap_error.c_str());
            return true;
        }
    } else {
        if (!theirs_plain) {
            fail(fmt::format("'{}' on {}: libpcap compiles it optimized but not with -O: {}", expr, link_type_name(dlt),
                             pcap_geterr(dead)));
            return false;
        }
        theirs = {*theirs_opt, *theirs_plain};
    }
    if (is_protochain)
        for (auto& t : theirs) fix_protochain_auth_step(t);
    // libpcap 1.10 sometimes emits a program that reads a scratch slot it never wrote; there is
    // nothing to match.
    auto problem0 = testing_support::unusable_reference(theirs[0]), problem1 = testing_support::unusable_reference(theirs[1]);
    if (problem0.has_value() != problem1.has_value()) {
        theirs[problem0 ? 0 : 1] = theirs[problem0 ? 1 : 0];
    } else if (problem0) {
        ++counts.libpcap_invalid;
        return true;
    }
    // libpcap loses its 802.11 header offset to a relation's temporary (README): nothing
    // correct to compare with but sniff -O, which every filter is compared with anyway.
    if (!self_only && (testing_support::overwrites_header_offset(theirs[0]) || testing_support::overwrites_header_offset(theirs[1]))) {
        ++counts.libpcap_lost_offset;
        theirs = {*ours_plain, *ours_plain};
    }
    ++counts.compared;

    // Packets: the fixed sample, a few more drawn for this filter, and mutations of some of
    // them towards every comparison of the four programs.
    std::vector<StoredPacket> extra;  // drawn for this filter
    const std::size_t n_extra = sanitized ? 8 : 48;
    for (std::size_t i = 0; i < n_extra && !packets.all.empty(); ++i)
        extra.push_back(packets.all[std::uniform_int_distribution<std::size_t>(0, packets.all.size() - 1)(rng)]);
    std::vector<cbpf::Program> all = theirs;
    all.push_back(*ours);
    all.push_back(*ours_plain);
    std::vector<StoredPacket> seeds = extra;
    for (std::size_t i = 0; i < packets.sample.size(); i += 8) seeds.push_back(packets.sample[i]);
    const std::vector<StoredPacket> mutated = testing_support::mutate_towards(seeds, all, sanitized ? 6 : 24, 1);

    const std::vector<bpf_insn> ref_insns[2] = {to_insns(theirs[0]), to_insns(theirs[1])};
    bool ok = true;
    for (const std::vector<StoredPacket>* set : std::initializer_list<const std::vector<StoredPacket>*>{&packets.sample, &extra, &mutated}) {
        for (const auto& p : *set) {
            const std::uint32_t mine = cbpf::run(*ours, p.bytes, p.wire_length);
            const std::uint32_t mine_plain = cbpf::run(*ours_plain, p.bytes, p.wire_length);
            ++counts.verdicts;
            counts.matched += mine != 0;
            if (mine != mine_plain) {
                fail(fmt::format("'{}' on {}, {} (caplen {}, len {}): sniff {} but sniff -O {}", expr, link_type_name(dlt), p.origin,
                                 p.bytes.size(), p.wire_length, mine, mine_plain));
                ok = false;
                break;
            }
            std::uint32_t ref[2];
            for (std::size_t v = 0; v < 2; ++v)
                ref[v] = bpf_filter(ref_insns[v].data(), p.bytes.data(), p.wire_length, static_cast<u_int>(p.bytes.size()));
            // A header chain longer than sniff unrolls: sniff rejects, libpcap walks on (README).
            if (is_protochain && testing_support::libpcap_loop_steps(theirs[0], p) > sniff::ir::kProtochainMaxHeaders) {
                ++counts.deeper_chains;
                if (mine != 0) {
                    fail(fmt::format("'{}' on {}, {}: the chain is deeper than sniff walks, but sniff returned {}", expr,
                                     link_type_name(dlt), p.origin, mine));
                    ok = false;
                    break;
                }
                continue;
            }
            // On packets cut short inside a header libpcap's optimized and -O programs can
            // disagree; either answer is libpcap's (README).
            if (ref[0] != ref[1]) {
                ++counts.libpcap_split;
                if (mine == ref[0] || mine == ref[1]) continue;
            }
            if (mine != ref[0]) {
                fail(fmt::format("'{}' on {}, {} (caplen {}, len {}): sniff {}, libpcap {} (-O: {})\nsniff program:\n{}", expr,
                                 link_type_name(dlt), p.origin, p.bytes.size(), p.wire_length, mine, ref[0], ref[1],
                                 cbpf::dump(*ours, 1)));
                ok = false;
                break;
            }
        }
        if (!ok) break;
    }
    if (!ok) ++counts.failing_filters;
    return ok;
}

}  // namespace testing_support
