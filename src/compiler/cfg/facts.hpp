// What an edge of the graph implies about values the packet gave on every path to it: a range,
// known bits, and a few excluded constants per value. A value has an entry only when it was
// computed (all its loads succeeded) on every such path, so deciding a test from the facts never
// drops a load that could have rejected the packet.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "compiler/cfg/graph.hpp"

namespace sniff::cfg {

struct Known {
    std::uint32_t lo = 0, hi = 0xffffffffu;  // lo <= value <= hi
    std::uint32_t mask = 0, bits = 0;        // value & mask == bits
    std::array<std::uint32_t, 4> excluded{};  // value != excluded[i] for i < n_excluded
    std::uint8_t n_excluded = 0;
    SetId in_set = kNoSet, not_in_set = kNoSet;  // the value is (is not) in this set
    std::uint32_t some_of = 0;                     // value & some_of != 0 (0: not known)

    // Whether the facts rule out `v`.
    bool rules_out(std::uint32_t v) const;
};

// Facts about several values, sorted by ValueId. Capped in size (the oldest facts are not kept
// past kMaxFacts values), so a pass over a long filter stays linear.
class Facts {
public:
    static constexpr std::size_t kMaxFacts = 48;

    // `value_ranges`: also use ranges, known bits and what a value's kind says of it (a byte is
    // at most 255, `x & m` has no bit outside m). Off, only equality tests on the path decide
    // equality tests, as libpcap's optimizer does (`ip[0] = 1 and ip[0] = 2`, not
    // `len > 100 and len < 50`): compile() asks that way before it refuses a filter as matching
    // nothing, so that it refuses what libpcap refuses and nothing more.
    explicit Facts(bool value_ranges = true) : value_ranges_(value_ranges) {}
    bool value_ranges() const { return value_ranges_; }

    // `v` was computed successfully (no constraint yet, if it had none).
    Known& computed(ValueId v);
    const Known* find(ValueId v) const;
    // The test `v op k` (CmpOp semantics of ir::Cmp) came out `holds`. `values` says what v is
    // (a masked load also teaches the load's known bits).
    void learn(const Values& values, ValueId v, ir::CmpOp op, std::uint32_t k, bool holds);
    // What the facts decide about `v op k`, if anything.
    std::optional<bool> decide(const Values& values, ValueId v, ir::CmpOp op, std::uint32_t k) const;
    // The same for the set test `v in set`.
    void learn_set(const Sets& sets, ValueId v, SetId set, bool holds);
    std::optional<bool> decide_set(const Values& values, const Sets& sets, ValueId v, SetId set) const;
    // Forget every value that reads one of `slots` (a prologue variable was assigned).
    void forget_vars(const Values& values, std::uint32_t slots);
    // What holds on both this and `other` (a join of two paths).
    void meet(const Facts& other);

private:
    std::vector<std::pair<ValueId, Known>> facts_;
    bool value_ranges_ = true;
};

}  // namespace sniff::cfg
