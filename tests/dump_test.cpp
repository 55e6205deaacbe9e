// cbpf::format_insn against libpcap's bpf_image for every 16-bit opcode, and cbpf::dump against the
// text tcpdump -d / -dd / -ddd prints (golden strings captured from tcpdump 4.99.3, libpcap 1.10.3).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <string>
#include <vector>

#include "cbpf_vm/dump.hpp"

namespace {

using namespace cbpf::op;
using cbpf::jump;
using cbpf::stmt;

std::string pcap_image(const cbpf::Insn& in, int index) {
    const bpf_insn insn{in.code, in.jt, in.jf, in.k};
    return bpf_image(&insn, index);  // a static buffer: copy before the next call
}

// k values that change how an operand prints: sign, hex width, and every ancillary name
// (SKF_AD_OFF + 4n, n = 0..15) plus the offsets just past and between them.
std::vector<std::uint32_t> interesting_k() {
    std::vector<std::uint32_t> ks = {0, 1, 2, 7, 14, 15, 16, 255, 4096, 0x7fffffff, 0x80000000,
                                     0xfffffffe, 0xffffffff, 0xffffefff, 0xfffff001, 0xfffff03f};
    for (std::uint32_t n = 0; n <= 17; ++n) ks.push_back(0xfffff000u + 4 * n);
    return ks;
}

struct Mismatch {
    cbpf::Insn insn;
    int index;
    std::string ours, theirs;
};

TEST(Dump, EveryOpcodeMatchesBpfImage) {
    const std::vector<std::uint32_t> ks = interesting_k();
    const std::pair<std::uint8_t, std::uint8_t> branches[] = {{0, 0}, {1, 2}, {255, 255}};
    const int indexes[] = {0, 7, 999, 1000};
    std::vector<Mismatch> mismatches;
    int compared = 0, named = 0;
    auto compare = [&](const cbpf::Insn& in, int index) {
        std::string theirs = pcap_image(in, index);
        std::string ours = cbpf::format_insn(in, static_cast<std::size_t>(index));
        ++compared;
        if (theirs.find("unimp") == std::string::npos) ++named;
        if (ours != theirs) mismatches.push_back({in, index, std::move(ours), std::move(theirs)});
    };
    for (std::uint32_t code = 0; code <= 0xffff; ++code) {
        const auto c = static_cast<std::uint16_t>(code);
        if (code <= 0xff) {
            // Every opcode byte, with each operand and branch shape.
            for (std::uint32_t k : ks)
                for (auto [jt, jf] : branches)
                    for (int index : indexes) compare(jump(c, k, jt, jf), index);
        } else {
            // Codes with high bits set are never valid: one operand shape is enough to see
            // that both print them as unimp, with branches for the jump class.
            for (int index : {7, 1000}) compare(jump(c, 0xfffff000, 1, 2), index);
        }
    }
    // One example per opcode, so a wrong class of opcodes reads as a short list.
    int reported = 0;
    for (std::size_t i = 0; i < mismatches.size() && reported < 40; ++i) {
        const auto& m = mismatches[i];
        if (i > 0 && mismatches[i - 1].insn.code == m.insn.code) continue;
        ++reported;
        ADD_FAILURE() << fmt::format("code {:#x} k {:#x} jt {} jf {} at {}:\n  sniff:   [{}]\n  libpcap: [{}]", m.insn.code,
                                     m.insn.k, m.insn.jt, m.insn.jf, m.index, m.ours, m.theirs);
    }
    EXPECT_EQ(mismatches.size(), 0u) << "of " << compared << " instructions compared";
    // Sanity: the sweep saw libpcap name real instructions (not only unimp lines).
    EXPECT_GT(named, 40 * static_cast<int>(ks.size() * std::size(branches) * std::size(indexes)));
}

// tcpdump -y EN10MB -d/-dd/-ddd icmp
constexpr const char* kIcmpD =
    "(000) ldh      [12]\n"
    "(001) jeq      #0x800           jt 2\tjf 5\n"
    "(002) ldb      [23]\n"
    "(003) jeq      #0x1             jt 4\tjf 5\n"
    "(004) ret      #262144\n"
    "(005) ret      #0\n";
constexpr const char* kIcmpDD =
    "{ 0x28, 0, 0, 0x0000000c },\n"
    "{ 0x15, 0, 3, 0x00000800 },\n"
    "{ 0x30, 0, 0, 0x00000017 },\n"
    "{ 0x15, 0, 1, 0x00000001 },\n"
    "{ 0x6, 0, 0, 0x00040000 },\n"
    "{ 0x6, 0, 0, 0x00000000 },\n";
constexpr const char* kIcmpDDD =
    "6\n"
    "40 0 0 12\n"
    "21 0 3 2048\n"
    "48 0 0 23\n"
    "21 0 1 1\n"
    "6 0 0 262144\n"
    "6 0 0 0\n";

// tcpdump -y EN10MB -d/-dd/-ddd 'tcp port 443' (ldxb, [x + k], jset)
constexpr const char* kTcp443D =
    "(000) ldh      [12]\n"
    "(001) jeq      #0x86dd          jt 2\tjf 8\n"
    "(002) ldb      [20]\n"
    "(003) jeq      #0x6             jt 4\tjf 19\n"
    "(004) ldh      [54]\n"
    "(005) jeq      #0x1bb           jt 18\tjf 6\n"
    "(006) ldh      [56]\n"
    "(007) jeq      #0x1bb           jt 18\tjf 19\n"
    "(008) jeq      #0x800           jt 9\tjf 19\n"
    "(009) ldb      [23]\n"
    "(010) jeq      #0x6             jt 11\tjf 19\n"
    "(011) ldh      [20]\n"
    "(012) jset     #0x1fff          jt 19\tjf 13\n"
    "(013) ldxb     4*([14]&0xf)\n"
    "(014) ldh      [x + 14]\n"
    "(015) jeq      #0x1bb           jt 18\tjf 16\n"
    "(016) ldh      [x + 16]\n"
    "(017) jeq      #0x1bb           jt 18\tjf 19\n"
    "(018) ret      #262144\n"
    "(019) ret      #0\n";
constexpr const char* kTcp443DD =
    "{ 0x28, 0, 0, 0x0000000c },\n"
    "{ 0x15, 0, 6, 0x000086dd },\n"
    "{ 0x30, 0, 0, 0x00000014 },\n"
    "{ 0x15, 0, 15, 0x00000006 },\n"
    "{ 0x28, 0, 0, 0x00000036 },\n"
    "{ 0x15, 12, 0, 0x000001bb },\n"
    "{ 0x28, 0, 0, 0x00000038 },\n"
    "{ 0x15, 10, 11, 0x000001bb },\n"
    "{ 0x15, 0, 10, 0x00000800 },\n"
    "{ 0x30, 0, 0, 0x00000017 },\n"
    "{ 0x15, 0, 8, 0x00000006 },\n"
    "{ 0x28, 0, 0, 0x00000014 },\n"
    "{ 0x45, 6, 0, 0x00001fff },\n"
    "{ 0xb1, 0, 0, 0x0000000e },\n"
    "{ 0x48, 0, 0, 0x0000000e },\n"
    "{ 0x15, 2, 0, 0x000001bb },\n"
    "{ 0x48, 0, 0, 0x00000010 },\n"
    "{ 0x15, 0, 1, 0x000001bb },\n"
    "{ 0x6, 0, 0, 0x00040000 },\n"
    "{ 0x6, 0, 0, 0x00000000 },\n";
constexpr const char* kTcp443DDD =
    "20\n"
    "40 0 0 12\n"
    "21 0 6 34525\n"
    "48 0 0 20\n"
    "21 0 15 6\n"
    "40 0 0 54\n"
    "21 12 0 443\n"
    "40 0 0 56\n"
    "21 10 11 443\n"
    "21 0 10 2048\n"
    "48 0 0 23\n"
    "21 0 8 6\n"
    "40 0 0 20\n"
    "69 6 0 8191\n"
    "177 0 0 14\n"
    "72 0 0 14\n"
    "21 2 0 443\n"
    "72 0 0 16\n"
    "21 0 1 443\n"
    "6 0 0 262144\n"
    "6 0 0 0\n";

// The program tcpdump prints for `icmp`, written out by hand.
const cbpf::Program kIcmp = {
    stmt(LD | H | ABS, 12), jump(JMP | JEQ | K, 0x800, 0, 3), stmt(LD | B | ABS, 23),
    jump(JMP | JEQ | K, 1, 0, 1), stmt(RET | K, 262144), stmt(RET | K, 0),
};

cbpf::Program pcap_program(const char* expr) {
    pcap_t* dead = pcap_open_dead(DLT_EN10MB, 262144);
    bpf_program fp{};
    cbpf::Program prog;
    if (pcap_compile(dead, &fp, expr, 1, PCAP_NETMASK_UNKNOWN) == 0) {
        for (u_int i = 0; i < fp.bf_len; ++i)
            prog.push_back({fp.bf_insns[i].code, fp.bf_insns[i].jt, fp.bf_insns[i].jf, fp.bf_insns[i].k});
        pcap_freecode(&fp);
    }
    pcap_close(dead);
    return prog;
}

struct Golden {
    const char* expr;
    const char* d;
    const char* dd;
    const char* ddd;
};

const Golden kGoldens[] = {
    {"icmp", kIcmpD, kIcmpDD, kIcmpDDD},
    {"tcp port 443", kTcp443D, kTcp443DD, kTcp443DDD},
};

TEST(Dump, HandWrittenProgramMatchesTcpdump) {
    EXPECT_EQ(cbpf::dump(kIcmp, 1), kIcmpD);
    EXPECT_EQ(cbpf::dump(kIcmp, 2), kIcmpDD);
    EXPECT_EQ(cbpf::dump(kIcmp, 3), kIcmpDDD);
    EXPECT_EQ(pcap_program("icmp"), kIcmp) << "libpcap no longer compiles icmp to the hand-written program";
}

TEST(Dump, LibpcapProgramsMatchTcpdump) {
    for (const Golden& g : kGoldens) {
        SCOPED_TRACE(g.expr);
        const cbpf::Program prog = pcap_program(g.expr);
        ASSERT_FALSE(prog.empty());
        EXPECT_EQ(cbpf::dump(prog, 1), g.d);
        EXPECT_EQ(cbpf::dump(prog, 2), g.dd);
        EXPECT_EQ(cbpf::dump(prog, 3), g.ddd);
    }
}

}  // namespace
