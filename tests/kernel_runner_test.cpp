// The kernel leg: programs attached with SO_ATTACH_FILTER in a private namespace must keep
// exactly the bytes sniff's interpreter says, for crafted frames and for every sample packet.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>

#include "cbpf_vm/dump.hpp"
#include "cbpf_vm/interpret.hpp"
#include "cbpf_vm/kernel_runner.hpp"
#include "compiler/compile.hpp"
#include "packet_corpus.hpp"

namespace {

using namespace cbpf::op;

// Start the kernel leg or skip, printing why (missing privilege is the only acceptable reason).
std::optional<cbpf::KernelRunner> start_or_skip(const cbpf::Program& prog, std::string& reason) {
    auto k = cbpf::KernelRunner::start(prog);
    if (!k) {
        reason = k.error();
        return std::nullopt;
    }
    return std::move(*k);
}

std::vector<std::uint8_t> ipv4_frame(std::size_t size) {
    // Built whole, then cut: a frame shorter than its Ethernet header is a test case too.
    std::vector<std::uint8_t> f(std::max<std::size_t>(size, 15), 0);
    for (int i = 0; i < 6; ++i) { f[i] = 0x02; f[6 + i] = 0x04; }
    f[12] = 0x08;
    f[13] = 0x00;
    f[14] = 0x45;
    f.resize(size);
    return f;
}

TEST(KernelRunner, KeepsWhatTheProgramReturns) {
    // ldh [12]; jeq #0x800 → ret #40 ; ret #0
    cbpf::Program prog = {cbpf::stmt(LD | H | ABS, 12), cbpf::jump(JMP | JEQ | K, 0x800, 0, 1), cbpf::stmt(RET | K, 40),
                          cbpf::stmt(RET | K, 0)};
    std::string reason;
    auto kernel = start_or_skip(prog, reason);
    if (!kernel) {
        if (geteuid() != 0) GTEST_SKIP() << "kernel leg unavailable: " << reason;
        FAIL() << "kernel leg unavailable as root: " << reason;
    }
    EXPECT_EQ(kernel->run(ipv4_frame(60)), 40u);
    EXPECT_EQ(kernel->run(ipv4_frame(30)), 30u);  // shorter than the snap: kept whole
    auto arp = ipv4_frame(60);
    arp[13] = 0x06;
    EXPECT_EQ(kernel->run(arp), 0u);
    EXPECT_EQ(kernel->run(ipv4_frame(10)), std::nullopt);  // not even an Ethernet header
}

TEST(KernelRunner, RefusedProgramIsReported) {
    cbpf::Program bad = {cbpf::stmt(LD | W | ABS, 0)};  // no return: the kernel's checker refuses it
    auto k = cbpf::KernelRunner::start(bad);
    ASSERT_FALSE(k.has_value());
    if (geteuid() != 0) GTEST_SKIP() << k.error();
    EXPECT_NE(k.error().find("refused the program"), std::string::npos) << k.error();
}

// The kernel runs converted classic programs; it must agree with the reference on real packets.
TEST(KernelRunner, AgreesWithReferenceOnSamplePackets) {
    auto packets = testing_support::packets_for_link_type(1, true);
    const char* filters[] = {"tcp port 443", "host 10.0.0.1 or net 192.168.0.0/16", "ip6 and udp", "not arp and not port 53",
                             "src port 80 or dst net 2001:db8::/32"};
    std::size_t checked = 0, unsendable = 0;
    for (const char* expr : filters) {
        auto prog = sniff::compile(expr, {1, 96});  // a small snap also checks the trimming
        ASSERT_TRUE(prog) << expr;
        std::string reason;
        auto kernel = start_or_skip(*prog, reason);
        if (!kernel) {
            if (geteuid() != 0) GTEST_SKIP() << "kernel leg unavailable: " << reason;
            FAIL() << "kernel leg unavailable as root: " << reason;
        }
        for (const auto& p : packets) {
            auto got = kernel->run(p.bytes);
            if (!got) { ++unsendable; continue; }
            ++checked;
            std::uint32_t ref = cbpf::run(*prog, p.bytes, static_cast<std::uint32_t>(p.bytes.size()));
            std::uint32_t expected = std::min<std::uint32_t>(ref, static_cast<std::uint32_t>(p.bytes.size()));
            ASSERT_EQ(*got, expected) << expr << " on " << p.origin;
        }
    }
    std::printf("kernel agreed on %zu packets (%zu could not be sent on a veth)\n", checked, unsendable);
    EXPECT_GT(checked, 1000u);
}

}  // namespace
