// The fast path must give the reference interpreter's verdict on every packet: for programs from
// sniff and libpcap over the captures and corpus, and for random programs on random packets.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <random>

#include "cbpf_vm/dump.hpp"
#include "cbpf_vm/fast_filter.hpp"
#include "cbpf_vm/interpret.hpp"
#include "cbpf_vm/validate.hpp"
#include "compiler/compile.hpp"
#include "packet_corpus.hpp"

namespace {

const char* const kFilters[] = {
    "tcp port 443", "port 53", "host 10.0.0.1", "net 192.168.0.0/16", "ip6 and udp", "not arp",
    "tcp and not port 22", "host 2001:db8::1", "src net 10.0.0.0/8 and dst port 80", "icmp or icmp6",
    "udp and (port 53 or port 123)", "len > 100 and tcp[13] & 2 != 0", "ip[6:2] & 0x1fff != 0",
    "tcp[tcpflags] & (tcp-syn|tcp-fin) != 0", "ether[0] & 1 = 1", "vlan and ip", "ip[2:2] / 4 > 100",
    "ip[0] & 0xf > 5", "udp[8:4] % 7 = 3", "ip[8] - 1 < 10",
};

cbpf::Program libpcap_program(const char* expr) {
    pcap_t* dead = pcap_open_dead(DLT_EN10MB, 262144);
    bpf_program bp{};
    cbpf::Program out;
    if (pcap_compile(dead, &bp, expr, 1, PCAP_NETMASK_UNKNOWN) == 0) {
        for (u_int i = 0; i < bp.bf_len; ++i) out.push_back({bp.bf_insns[i].code, bp.bf_insns[i].jt, bp.bf_insns[i].jf, bp.bf_insns[i].k});
        pcap_freecode(&bp);
    }
    pcap_close(dead);
    return out;
}

TEST(FastFilter, AgreesWithReferenceOnRealPrograms) {
    auto packets = testing_support::packets_for_link_type(DLT_EN10MB, true);
    std::size_t checked = 0;
    for (const char* expr : kFilters) {
        std::vector<cbpf::Program> programs;
        if (auto ours = sniff::compile(expr)) programs.push_back(*ours);  // some are beyond sniff's language for now
        programs.push_back(libpcap_program(expr));
        ASSERT_FALSE(programs.back().empty()) << expr;
        auto mutated = testing_support::mutate_towards(packets, programs, 200);
        for (const auto& prog : programs) {
            cbpf::FastFilter fast(prog);
            for (const auto* set : {&packets, &mutated})
                for (const auto& p : *set) {
                    ++checked;
                    ASSERT_EQ(fast.run(p.bytes, p.wire_length), cbpf::run(prog, p.bytes, p.wire_length))
                        << expr << " on " << p.origin << "\n" << cbpf::dump(prog, 1);
                }
        }
    }
    std::printf("%zu verdicts compared\n", checked);
}

// Random straight-line-and-forward-jump programs; every one must validate before it runs.
cbpf::Program random_program(std::mt19937_64& rng) {
    using namespace cbpf::op;
    auto pick = [&](std::uint64_t n) { return static_cast<std::uint32_t>(rng() % n); };
    const std::uint16_t loads[] = {LD | W | ABS, LD | H | ABS, LD | B | ABS, LD | W | IND, LD | H | IND, LD | B | IND,
                                   LD | W | IMM, LD | W | LEN, LDX | W | IMM, LDX | B | MSH, LDX | W | LEN};
    const std::uint16_t alus[] = {ADD, SUB, MUL, DIV, MOD, AND, OR, XOR, LSH, RSH};
    const std::uint16_t jumps[] = {JEQ, JGT, JGE, JSET};
    std::size_t n = 4 + pick(40);
    cbpf::Program prog;
    bool stored = false;
    for (std::size_t i = 0; i + 2 < n; ++i) {
        std::size_t left = n - i - 1;
        switch (pick(8)) {
            case 0: case 1: {
                std::uint16_t code = loads[pick(std::size(loads))];
                prog.push_back(cbpf::stmt(code, pick(4) == 0 ? pick(0x10000) : pick(80)));
                break;
            }
            case 2: {
                std::uint16_t op = alus[pick(std::size(alus))];
                bool x = pick(2);
                std::uint32_t k = (op == LSH || op == RSH) ? pick(32) : (op == DIV || op == MOD) ? 1 + pick(9) : static_cast<std::uint32_t>(rng());
                prog.push_back(cbpf::stmt(ALU | op | (x ? X : K), x ? 0 : k));
                break;
            }
            case 3: case 4: {
                std::uint16_t op = jumps[pick(std::size(jumps))];
                bool x = pick(3) == 0;
                std::uint32_t k = pick(2) ? pick(256) : static_cast<std::uint32_t>(rng());
                auto off = [&] { return static_cast<std::uint8_t>(pick(std::min<std::size_t>(left - 1, 255))); };
                prog.push_back(cbpf::jump(JMP | op | (x ? X : K), x ? 0 : k, off(), off()));
                break;
            }
            case 5: prog.push_back(cbpf::stmt(ST, pick(4))); stored = true; break;
            case 6:
                if (stored) prog.push_back(cbpf::stmt(LD | W | MEM, 0));
                else prog.push_back(cbpf::stmt(MISC | (pick(2) ? TAX : TXA), 0));
                break;
            default: prog.push_back(cbpf::stmt(pick(2) ? (RET | RET_A) : (ALU | NEG), 0)); break;
        }
    }
    prog.push_back(cbpf::stmt(RET | RET_A, 0));
    prog.push_back(cbpf::stmt(RET | K, 0xffff));
    return prog;
}

TEST(FastFilter, AgreesWithReferenceOnRandomPrograms) {
    std::mt19937_64 rng(20261126);
    std::size_t programs = 0;
    for (int round = 0; round < 4000; ++round) {
        cbpf::Program prog = random_program(rng);
        if (!cbpf::validate(prog)) continue;  // e.g. a scratch read the checker cannot prove written
        ++programs;
        cbpf::FastFilter fast(prog);
        for (int k = 0; k < 20; ++k) {
            std::vector<std::uint8_t> pkt(rng() % 100);
            for (auto& b : pkt) b = static_cast<std::uint8_t>(rng());
            std::uint32_t wire = static_cast<std::uint32_t>(pkt.size() + rng() % 3);
            ASSERT_EQ(fast.run(pkt, wire), cbpf::run(prog, pkt, wire)) << cbpf::dump(prog, 1);
        }
    }
    EXPECT_GT(programs, 1000u);
}

TEST(FastFilter, FusesLoadsWithTheirComparisons) {
    auto prog = sniff::compile("icmp");
    ASSERT_TRUE(prog);
    EXPECT_EQ(prog->size(), 6u);
    EXPECT_EQ(cbpf::FastFilter(*prog).decoded_size(), 4u);  // ldh+jeq, ldb+jeq, ret, ret
}

}  // namespace

namespace {

// Programs for files may be longer than 65,536 instructions (a list of 35,000 byte tests at
// changing offsets is about 70,000): jump targets past that must not wrap. They did, and `-r`
// looped for ever on such a filter (then a 4,500-host list; sets now make those small).
TEST(FastFilter, JumpsBeyondSixtyFiveThousandInstructions) {
    std::string text = "ether[0] = 0";
    for (int i = 1; i < 35000; ++i) text += fmt::format(" or ether[{}] = {}", i % 40, (i * 37 + i / 40) & 255);
    auto prog = sniff::compile(text);
    ASSERT_TRUE(prog) << prog.error().message;
    ASSERT_GT(prog->size(), 65536u);
    cbpf::FastFilter fast(*prog);
    std::size_t matched = 0;
    for (const auto& p : testing_support::packets_for_link_type(DLT_EN10MB, false)) {
        const std::uint32_t want = cbpf::run(*prog, p.bytes, p.wire_length);
        ASSERT_EQ(fast.run(p.bytes, p.wire_length), want) << p.origin;
        matched += want != 0;
    }
    EXPECT_GT(matched, 0u);
}

}  // namespace
