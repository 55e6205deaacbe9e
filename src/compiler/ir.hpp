// Backend-neutral filter IR: boolean predicates over 32-bit values computed from the packet.
// Lowering produces it with concrete offsets; the cBPF and eBPF emitters and the optimizer consume it.
#pragma once

#include <cstdint>
#include <memory>
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

using Value = std::variant<Const, WireLength, IpHeaderLength, std::shared_ptr<Load>, std::shared_ptr<Arith>>;

// `size` bytes, big-endian, at `index + offset` (index absent: at `offset`).
// Reading past the captured bytes rejects the packet, whatever predicate contains the load.
struct Load {
    std::shared_ptr<Value> index;
    std::uint32_t offset;
    std::uint8_t size;  // 1, 2 or 4
};

enum class ArithOp { Add, Sub, Mul, Div, Mod, And, Or, Xor, Lsh, Rsh };

struct Arith {
    ArithOp op;
    Value lhs;
    Value rhs;
};

// Comparisons that every backend has natively; !=, < and <= are Not of these.
enum class CmpOp { Eq, Gt, Ge, AnySet /* (lhs & rhs) != 0 */ };

struct Cmp {
    CmpOp op;
    Value lhs;
    Value rhs;
};

struct All;
struct Any;
struct Negation;

using Pred = std::variant<bool, Cmp, std::shared_ptr<All>, std::shared_ptr<Any>, std::shared_ptr<Negation>>;

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

// A whole filter: accept (returning `snaplen`) when `pred` holds.
struct Filter {
    Pred pred;
    std::uint32_t snaplen;
};

// Builders that keep lowering code short and fold trivial cases.
Value constant(std::uint32_t v);
Value load(std::uint32_t offset, std::uint8_t size);
Value load_indexed(Value index, std::uint32_t offset, std::uint8_t size);
Value arith(ArithOp op, Value lhs, Value rhs);
Pred cmp(CmpOp op, Value lhs, Value rhs);
Pred eq(Value lhs, std::uint32_t k);
Pred all(std::vector<Pred> terms);
Pred any(std::vector<Pred> terms);
Pred negate(Pred p);

}  // namespace sniff::ir
