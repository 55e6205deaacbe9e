// The control-flow graph between the IR and the backends: basic blocks that assign prologue
// variables, load one value into the test register and end in one test with two successors.
// Plain vectors with integer ids, so every pass is a loop over ids and a 100,000-term filter
// costs memory, never stack. Both emitters (cBPF now, eBPF later) read this graph.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <unordered_map>
#include <vector>

#include "compiler/ir.hpp"

namespace sniff::cfg {

using BlockId = std::uint32_t;
using ValueId = std::uint32_t;
constexpr ValueId kNoValue = 0xffffffffu;

enum class ValueKind : std::uint8_t { Const, WireLength, IpHeaderLength, Var, Load, Arith };

// One value computed from the packet, hash-consed: two equal ValueNodes have one ValueId, so a
// fact learned about a value is found again wherever the same value is tested.
//  - Const: `k`; WireLength: the packet's length on the wire;
//  - IpHeaderLength: 4 * (packet[k] & 0x0f);
//  - Var: prologue variable `k` (a scratch slot, 0..15);
//  - Load: `size` bytes (1, 2 or 4), big-endian, at `k`, or at `index + k` when index is set;
//  - Arith: `lhs op rhs`, as ir::Arith.
struct ValueNode {
    ValueKind kind = ValueKind::Const;
    ir::ArithOp op = ir::ArithOp::Add;
    std::uint8_t size = 0;
    std::uint32_t k = 0;
    ValueId index = kNoValue, lhs = kNoValue, rhs = kNoValue;
    friend bool operator==(const ValueNode&, const ValueNode&) = default;
};

struct ValueNodeHash {
    std::size_t operator()(const ValueNode& v) const noexcept;
};

// The values of one graph, with the prologue variables each one reads (a bit per slot).
class Values {
public:
    ValueId intern(const ValueNode& node);
    ValueId from_ir(const ir::Value& v);
    const ValueNode& operator[](ValueId id) const { return nodes_[id]; }
    std::uint32_t vars(ValueId id) const { return vars_[id]; }
    // Whether computing the value can reject the packet: it loads packet bytes, or divides by zero.
    bool can_fail(ValueId id) const { return can_fail_[id]; }
    std::size_t size() const { return nodes_.size(); }
    // The constant `id` stands for, if it is one.
    std::optional<std::uint32_t> constant(ValueId id) const {
        if (nodes_[id].kind != ValueKind::Const) return std::nullopt;
        return nodes_[id].k;
    }

private:
    std::vector<ValueNode> nodes_;
    std::vector<std::uint32_t> vars_;
    std::vector<bool> can_fail_;
    std::unordered_map<ValueNode, ValueId, ValueNodeHash> ids_;
};

// Inclusive [first, second] ranges, sorted, disjoint and not adjacent (ir::InSet's).
using Ranges = std::vector<std::pair<std::uint32_t, std::uint32_t>>;
using SetId = std::uint32_t;
constexpr SetId kNoSet = 0xffffffffu;

// The sets a graph's set tests use, hash-consed like values: the same list of constants in two
// places (a set and the list's first member, or two protocol guards) is one SetId, so a fact
// learned from one test decides the other.
class Sets {
public:
    SetId intern(const Ranges& ranges);
    const Ranges& operator[](SetId id) const { return sets_[id]; }
    // Whether `v` is in set `id` (binary search).
    bool contains(SetId id, std::uint32_t v) const;

private:
    std::vector<Ranges> sets_;
    std::unordered_map<std::string, SetId> ids_;
};

// slot := value.
struct Assign {
    std::uint8_t slot;
    ValueId value;
};

enum class Exit : std::uint8_t {
    Test,    // register `op` rhs (or k), or register in `set`: jt when it holds, jf when not
    Goto,    // jt
    Chain,   // `chain` (protochain's walk, a loop the backends unroll): jt when found, jf when not
    Tuples,  // the values `tuple_words` are one of `tuple->members` (ir::TupleSet; eBPF only): jt, else jf
    Return,  // the filter's answer: `ret` bytes of the packet (0: rejected)
};

// A basic block: `assigns` run in order, then `load` goes into the test register (kNoValue: the
// register still holds what the block's predecessors left in it), then the exit. A load past
// the captured bytes, anywhere in a block, rejects the packet (returns 0), as in classic BPF.
struct Block {
    std::vector<Assign> assigns = {};
    ValueId load = kNoValue;
    Exit exit = Exit::Return;
    ir::CmpOp op = ir::CmpOp::Eq;  // Test: the register against `rhs`, or against `k` when rhs is kNoValue
    ValueId rhs = kNoValue;
    std::uint32_t k = 0;           // Test: the constant; Return: the answer in bytes
    SetId set = kNoSet;            // Test: a set test (op, rhs and k unused); backends test it as a tree
    BlockId jt = 0, jf = 0;
    std::optional<ir::ProtoChain> chain = std::nullopt;  // Chain only
    std::vector<ValueId> tuple_words = {};           // Tuples only: the words, in reading order
    std::shared_ptr<const ir::TupleSet> tuple = {};  // Tuples only: the members

    bool is_test() const { return exit == Exit::Test; }
};

// A whole filter. Blocks are in topological order: every edge goes from a lower id to a higher
// one, and `entry` is 0. Built by build(), changed by the passes, read by the emitters.
struct Graph {
    Values values;
    Sets sets;
    std::vector<Block> blocks;
    BlockId entry = 0;
};

// The successors of `b` (0, 1 or 2 of them; jt first).
inline int successors(const Block& b, BlockId out[2]) {
    switch (b.exit) {
        case Exit::Return: return 0;
        case Exit::Goto: out[0] = b.jt; return 1;
        default: out[0] = b.jt, out[1] = b.jf; return 2;
    }
}

// Keeps the blocks reachable from the entry, in their order, and renumbers them 0..n-1
// (topological order is kept: only edges that went forward remain).
void compact(Graph& g);

// Whether some path from the entry reaches a Return with a non-zero answer.
bool accepts_some(const Graph& g);

// The prologue variables the graph reads or assigns, as a bit set over slots.
std::uint32_t vars_used(const Graph& g);

}  // namespace sniff::cfg
