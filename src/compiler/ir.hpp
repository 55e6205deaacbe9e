// Backend-neutral filter IR: boolean predicates over 32-bit values computed from the packet.
// Lowering produces it with concrete offsets; the cBPF and eBPF emitters and the optimizer consume it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <variant>
#include <vector>

namespace sniff::ir {

struct Arith;
struct Load;

struct Const {
    std::uint32_t value;
};
// The packet's length on the wire (`len`).
struct WireLength {};
// 4 * (packet[at] & 0x0f): an IPv4 header length, the classic way to find the transport header.
struct IpHeaderLength {
    std::uint32_t at;
};

// A per-packet variable the filter's prologue computes before the predicate runs (a header length
// that only the packet says, such as radiotap's or 802.11's). Read-only in the predicate.
struct Var {
    std::uint8_t slot;
};

using Value = std::variant<Const, WireLength, IpHeaderLength, Var, std::shared_ptr<Load>, std::shared_ptr<Arith>>;

// The Linux ancillary fields (SKF_AD_OFF + n, include/uapi/linux/filter.h) the lowering reads as
// loads at these offsets: the packet type, the interface index, and the VLAN tag the kernel took
// out of the frame and whether there was one.
constexpr std::uint32_t kAncillaryPktType = 0xfffff004u, kAncillaryIfindex = 0xfffff008u, kAncillaryVlanTci = 0xfffff02cu,
                        kAncillaryVlanPresent = 0xfffff030u;
constexpr bool is_kernel_metadata(std::uint32_t offset) {
    return offset == kAncillaryPktType || offset == kAncillaryIfindex || offset == kAncillaryVlanTci || offset == kAncillaryVlanPresent;
}
// Any other load at 2^31 or more is past every packet (it rejects it, as libpcap's bpf_filter
// and the reference VM have it). The backends reject there without loading: the kernel would
// read its negative offsets (SKF_NET_OFF, SKF_LL_OFF) or ancillary fields instead.
constexpr std::uint32_t kFirstImpossibleOffset = 0x80000000u;

// `size` bytes, big-endian, at `index + offset` (index absent: at `offset`).
// Reading past the captured bytes rejects the packet, whatever predicate contains the load.
struct Load {
    std::shared_ptr<Value> index;
    std::uint32_t offset;
    std::uint8_t size;  // 1, 2 or 4
};

enum class ArithOp { Add, Sub, Mul, Div, Mod, And, Or, Xor, Lsh, Rsh };

// The operation's code in a BPF ALU instruction (BPF_ADD…BPF_XOR, the same in classic BPF and
// eBPF: include/uapi/linux/bpf_common.h).
constexpr std::uint8_t bpf_alu_code(ArithOp op) {
    switch (op) {
        case ArithOp::Add: return 0x00;
        case ArithOp::Sub: return 0x10;
        case ArithOp::Mul: return 0x20;
        case ArithOp::Div: return 0x30;
        case ArithOp::Or: return 0x40;
        case ArithOp::And: return 0x50;
        case ArithOp::Lsh: return 0x60;
        case ArithOp::Rsh: return 0x70;
        case ArithOp::Mod: return 0x90;
        case ArithOp::Xor: return 0xa0;
    }
    return 0x00;
}

// Whether `a op b` equals `b op a`.
constexpr bool commutes(ArithOp op) {
    return op == ArithOp::Add || op == ArithOp::Mul || op == ArithOp::And || op == ArithOp::Or || op == ArithOp::Xor;
}

struct Arith {
    ArithOp op;
    Value lhs;
    Value rhs;
};

// Comparisons that every backend has natively; !=, < and <= are Not of these.
enum class CmpOp { Eq, Gt, Ge, AnySet /* (lhs & rhs) != 0 */ };

// The comparison's code in a BPF jump instruction (BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET: the same
// in classic BPF and eBPF, include/uapi/linux/bpf_common.h).
constexpr std::uint8_t bpf_jump_code(CmpOp op) {
    switch (op) {
        case CmpOp::Eq: return 0x10;
        case CmpOp::Gt: return 0x20;
        case CmpOp::Ge: return 0x30;
        case CmpOp::AnySet: return 0x40;
    }
    return 0x10;
}

struct Cmp {
    CmpOp op;
    Value lhs;
    Value rhs;
};

struct All;
struct Any;
struct Negation;

// The headers `protochain` steps over, as libpcap 1.10's gen_protochain does: on IPv6 hop-by-hop
// (0), destination options (60), routing (43) and fragment (44), each (length + 1) * 8 bytes
// long (the fragment header's length byte is reserved, but it is added all the same); AH (51)
// on IPv4 and IPv6, (length + 2) * 4 bytes. Nothing else is followed: not ESP, no-next-header
// (59), mobility (135), HIP (139), shim6 (140) or the experimental 253 and 254.
constexpr std::uint8_t kAuthHeader = 51;
constexpr std::uint8_t kExtensionHeaders[] = {0, 60, 43, 44};

// How many headers past the IP header sniff's `protochain` steps over. libpcap walks with a
// backward jump, as far as the packet goes; classic BPF has no loops (the kernel refuses them),
// so backends unroll this many steps, and a chain that needs more rejects the packet (README,
// "Deliberate differences"). Every step moves on at least 8 bytes, so all chains within the
// 8 * 64 bytes after the IP header are walked as libpcap walks them. 64 steps cost about
// 1,150 instructions on IPv6 and 650 on IPv4, so two unqualified protochains fit in the
// kernel's 4,096; a filter with more is unrolled to 32, then 16 headers (compile()).
constexpr unsigned kProtochainMaxHeaders = 64;
constexpr unsigned kProtochainMinHeaders = 16;

// True when protocol `target` appears in the header chain of a packet already known to be IPv4
// (`ipv6` false) or IPv6: the IP header's protocol, then the next-header field of each header
// in kExtensionHeaders (IPv6 only) and of AH (both), until a protocol that is `target` or is
// not followed. A chain that needs more than `max_headers` steps rejects the packet, as a
// header cut short does. The network header starts at `base + network` (`base` absent: at
// `network`). A loop in the program; backends unroll it.
struct ProtoChain {
    bool ipv6;
    std::uint8_t target;
    std::uint32_t network;
    std::optional<Var> base;
    unsigned max_headers;
};

struct SetVars;

// `value` lies in one of `ranges`: inclusive [first, second] pairs, sorted, disjoint and not
// adjacent (set compilation, src/compiler/sets.cpp, makes them from lists of equality tests).
// Backends test it as a balanced comparison tree, O(log n) tests per packet.
// With `tuple` set, the test is instead that the values `tuple->words` (computed in order) equal
// one of `tuple->members`, as a list of `all`s of equality tests on the same values would
// (`ip6 host a or ip6 host b …`, four 32-bit words each). A packet cut short inside the words
// gets the list's answer: word j is read (and a read past the packet rejects it) only when the
// words before it are a member's first j. Only set compilation for eBPF with maps makes these
// (sets.hpp); `value` is then the first word and `ranges` is empty.
//
// With `either`, `words` holds two fields of the same number of words (`ip6 host`: the source's
// four, then the destination's) and the test is that either field is a member, as the list
// `any(all(first == m), all(second == m))`, member after member, reads them: `members` keep the
// list's order (distinct, each half as long as `words`). A packet cut short inside the second
// field is then rejected at the first member whose words in it match up to the cut, unless an
// earlier member (or that one) is the first field.
struct TupleSet {
    std::vector<Value> words;
    // Distinct; sorted, each words.size() long (with `either`: in the list's order, each half as long).
    std::vector<std::vector<std::uint32_t>> members;
    bool either = false;
};
struct InSet {
    Value value;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> ranges;
    std::shared_ptr<const TupleSet> tuple = nullptr;
};

using Pred = std::variant<bool, Cmp, std::shared_ptr<All>, std::shared_ptr<Any>, std::shared_ptr<Negation>, ProtoChain,
                          std::shared_ptr<SetVars>, std::shared_ptr<InSet>>;

// Conjunction, evaluated left to right with short-circuit (guards come before the loads they protect).
struct All {
    std::vector<Pred> terms;
};
// Disjunction, left to right with short-circuit.
struct Any {
    std::vector<Pred> terms;
};
struct Negation {
    Pred operand;
};

// One prologue step: `slot := value` when `when` holds (skipped otherwise). A load past the
// captured bytes anywhere in the prologue rejects the packet, as in the predicate.
struct Assign {
    std::uint8_t slot;
    Pred when;
    Value value;
};

// Assignments made where the predicate reaches this point (an encapsulation such as Geneve moves
// the headers later primitives look at); always true. Reads of a variable after it see the new value.
struct SetVars {
    std::vector<Assign> steps;
};

// A whole filter: run `prologue` in order, then accept (returning `snaplen`) when `pred` holds.
struct Filter {
    Pred pred;
    std::uint32_t snaplen;
    std::vector<Assign> prologue = {};
};

// Builders that keep lowering code short and fold trivial cases.
Value constant(std::uint32_t v);
Value var(std::uint8_t slot);
Value load(std::uint32_t offset, std::uint8_t size);
Value load_indexed(Value index, std::uint32_t offset, std::uint8_t size);
Value arith(ArithOp op, Value lhs, Value rhs);
Pred cmp(CmpOp op, Value lhs, Value rhs);
Pred eq(Value lhs, std::uint32_t k);
Pred all(std::vector<Pred> terms);
Pred any(std::vector<Pred> terms);
Pred negate(Pred p);

Pred set_vars(std::vector<Assign> steps);

// Whether two values compute the same thing (structurally: the same loads and operations).
bool equal(const Value& a, const Value& b);

// The variables `p` reads or assigns, as a bit set over slots.
std::uint32_t vars_used(const Pred& p);
std::uint32_t vars_used(const Value& v);

// The most headers any `protochain` in `p` walks (0: none), and `p` with every walk cut to at
// most `depth` headers.
unsigned protochain_depth(const Pred& p);
Pred with_protochain_depth(const Pred& p, unsigned depth);

}  // namespace sniff::ir
