// Program size and instructions executed per packet, sniff beside libpcap's optimized output, over
// the differential suite's expressions × link types (tests/differential_expressions.hpp).
// Usage: program_size [--all]   (run from the source tree, or set SNIFF_SOURCE_ROOT; --all also
// lists the cases where sniff is smaller)
#include <pcap/pcap.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "cbpf_vm/interpret.hpp"
#include "compiler/compile.hpp"
#include "differential_expressions.hpp"
#include "packet_corpus.hpp"

namespace {

constexpr std::uint32_t kSnaplen = 262144;

struct Case {
    std::string expr;
    int dlt;
    std::size_t sniff_size, pcap_size;
    double executed_ratio = 0;  // sniff's instructions executed / libpcap's, over the link type's packets
    bool executed = false;
};

std::string link_name(int dlt) {
    const char* name = pcap_datalink_val_to_name(dlt);
    return name ? name : std::to_string(dlt);
}

cbpf::Program to_program(const bpf_program& p) {
    cbpf::Program out;
    for (u_int i = 0; i < p.bf_len; ++i) out.push_back({p.bf_insns[i].code, p.bf_insns[i].jt, p.bf_insns[i].jf, p.bf_insns[i].k});
    return out;
}

// libpcap's protochain loops with a backward `ja` (bpf_filter sign-extends its offset); sniff's
// interpreter, like the kernel, has no backward jumps, so such programs are not traced.
bool has_backward_jump(const cbpf::Program& p) {
    return std::any_of(p.begin(), p.end(), [](const cbpf::Insn& in) {
        return in.code == (cbpf::op::JMP | cbpf::op::JA) && in.k >= 0x80000000u;
    });
}

double median(std::vector<double> v) {
    if (v.empty()) return NAN;
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double geomean(const std::vector<Case>& cases) {
    double log_sum = 0;
    for (const auto& c : cases) log_sum += std::log(double(c.sniff_size) / double(c.pcap_size));
    return cases.empty() ? NAN : std::exp(log_sum / double(cases.size()));
}

}  // namespace

int main(int argc, char** argv) {
    const bool list_smaller = argc > 1 && std::strcmp(argv[1], "--all") == 0;
    std::vector<const char*> expressions;
    auto add = [&](const auto& table) { expressions.insert(expressions.end(), std::begin(table), std::end(table)); };
    add(differential_cases::kExpressions);
    add(differential_cases::kArithmetic);
    add(differential_cases::kEthernetOnly);
    add(differential_cases::kWireless);

    std::vector<Case> cases;
    std::size_t sniff_refused = 0, pcap_refused = 0, both_refused = 0, untraced = 0, verdict_mismatches = 0;
    std::map<int, std::size_t> packets_per_link;
    for (int dlt : differential_cases::kLinkTypes) {
        const auto packets = testing_support::packets_for_link_type(dlt, false);  // captures/ only
        packets_per_link[dlt] = packets.size();
        pcap_t* dead = pcap_open_dead(dlt, kSnaplen);
        for (const char* expr : expressions) {
            auto ours = sniff::compile(expr, {dlt, kSnaplen});
            bpf_program bp{};
            const bool theirs_ok = pcap_compile(dead, &bp, expr, 1, PCAP_NETMASK_UNKNOWN) == 0;
            if (!ours || !theirs_ok) {
                ++(!ours && !theirs_ok ? both_refused : !ours ? sniff_refused : pcap_refused);
                if (theirs_ok) pcap_freecode(&bp);
                continue;
            }
            const cbpf::Program theirs = to_program(bp);
            Case c{expr, dlt, ours->size(), theirs.size()};
            if (!packets.empty() && has_backward_jump(theirs)) {
                ++untraced;
            } else if (!packets.empty()) {
                std::uint64_t ours_steps = 0, theirs_steps = 0;
                for (const auto& p : packets) {
                    ours_steps += cbpf::run_traced(*ours, p.bytes, p.wire_length).steps.size();
                    const auto t = cbpf::run_traced(theirs, p.bytes, p.wire_length);
                    theirs_steps += t.steps.size();
                    // The count is only meaningful if the trace ran libpcap's program as bpf_filter does.
                    const u_int verdict = bpf_filter(bp.bf_insns, p.bytes.data(), p.wire_length, static_cast<u_int>(p.bytes.size()));
                    if (t.result != verdict && verdict_mismatches++ < 10)
                        std::fprintf(stderr, "note: traced libpcap program for '%s' on %s returns %u on %s, bpf_filter %u\n", expr,
                                     link_name(dlt).c_str(), t.result, p.origin.c_str(), verdict);
                }
                c.executed = true;
                c.executed_ratio = double(ours_steps) / double(theirs_steps);
            }
            pcap_freecode(&bp);
            cases.push_back(std::move(c));
        }
        pcap_close(dead);
    }

    std::vector<const Case*> larger, smaller;
    std::size_t equal = 0;
    for (const auto& c : cases) {
        if (c.sniff_size > c.pcap_size) larger.push_back(&c);
        else if (c.sniff_size < c.pcap_size) smaller.push_back(&c);
        else ++equal;
    }
    std::printf("program size, sniff::compile against pcap_compile (optimize=1), snaplen %u\n", kSnaplen);
    std::printf("  %zu expressions x %zu link types: %zu pairs compiled by both; skipped %zu refused by sniff only, "
                "%zu by libpcap only, %zu by both\n",
                expressions.size(), std::size(differential_cases::kLinkTypes), cases.size(), sniff_refused, pcap_refused,
                both_refused);
    std::printf("  geometric mean of sniff/libpcap instructions: %.3f\n", geomean(cases));
    std::printf("  larger than libpcap: %zu (%.1f%%), smaller: %zu, equal: %zu\n", larger.size(),
                100.0 * double(larger.size()) / double(cases.size()), smaller.size(), equal);

    std::printf("\nper link type                 pairs  geomean  larger  smaller  equal  packets  median executed ratio\n");
    std::vector<double> all_executed;
    for (int dlt : differential_cases::kLinkTypes) {
        std::vector<Case> mine;
        std::vector<double> executed;
        std::size_t l = 0, s = 0, e = 0;
        for (const auto& c : cases) {
            if (c.dlt != dlt) continue;
            mine.push_back(c);
            (c.sniff_size > c.pcap_size ? l : c.sniff_size < c.pcap_size ? s : e)++;
            if (c.executed) executed.push_back(c.executed_ratio);
        }
        all_executed.insert(all_executed.end(), executed.begin(), executed.end());
        std::string ex = executed.empty() ? std::string("-") : std::to_string(median(executed)).substr(0, 5) + " (" +
                                                                     std::to_string(executed.size()) + " exprs)";
        std::printf("  %-26s %6zu  %7.3f  %6zu  %7zu  %5zu  %7zu  %s\n", link_name(dlt).c_str(), mine.size(), geomean(mine), l, s, e,
                    packets_per_link[dlt], ex.c_str());
    }
    std::printf("\ninstructions executed per packet (cbpf::run_traced over every packet of captures/ for the link type):\n");
    std::printf("  median over (expression, link type) of sniff executed / libpcap executed: %.3f (%zu pairs with packets; "
                "%zu libpcap programs with backward jumps not traced)\n",
                median(all_executed), all_executed.size(), untraced);
    if (verdict_mismatches)
        std::printf("  note: on %zu packets the traced libpcap program and bpf_filter disagree (a program reading a scratch slot it "
                    "never wrote, whose value bpf_filter leaves undefined; listed on standard error)\n",
                    verdict_mismatches);

    auto list = [](const char* title, const std::vector<const Case*>& v) {
        std::printf("\n%s (%zu): expression | link type | sniff | libpcap | ratio\n", title, v.size());
        for (const Case* c : v)
            std::printf("  %-60s %-20s %5zu %5zu  %.2f\n", c->expr.c_str(), link_name(c->dlt).c_str(), c->sniff_size, c->pcap_size,
                        double(c->sniff_size) / double(c->pcap_size));
    };
    // The same cases by expression, most link types first: what kind of filter is larger.
    std::map<std::string, std::vector<const Case*>> by_expr;
    for (const Case* c : larger) by_expr[c->expr].push_back(c);
    std::vector<std::pair<std::string, std::vector<const Case*>>> grouped(by_expr.begin(), by_expr.end());
    std::stable_sort(grouped.begin(), grouped.end(), [](const auto& a, const auto& b) { return a.second.size() > b.second.size(); });
    std::printf("\nlarger than libpcap, by expression (%zu expressions): expression | link types where larger | "
                "sizes on the first | largest ratio\n",
                grouped.size());
    for (const auto& [expr, v] : grouped) {
        double worst = 0;
        for (const Case* c : v) worst = std::max(worst, double(c->sniff_size) / double(c->pcap_size));
        std::printf("  %-60s %2zu  %s %zu/%zu  %.2f\n", expr.c_str(), v.size(), link_name(v[0]->dlt).c_str(), v[0]->sniff_size,
                    v[0]->pcap_size, worst);
    }
    list("larger than libpcap", larger);
    if (list_smaller) list("smaller than libpcap", smaller);
    return 0;
}
