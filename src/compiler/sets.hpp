// Set compilation on the IR: lists of the same test on different constants (hosts, nets, ports,
// protocol numbers) become set tests (ir::InSet), which backends test in O(log n).
#pragma once

#include <cstddef>
#include <cstdint>

#include "compiler/ir.hpp"

namespace sniff {

// `p` with every run of two or more adjacent `any` terms that have the same shape (they differ
// only in the constants of their equality tests, `x == c` or `x & prefix_mask == c`) replaced by
// `first or shape(sets)`: the first term as it was, then the shape with each varying test turned
// into a test of the union of its constants (nets become ranges of addresses). Runs of adjacent
// negations in an `all` are first read as the negation of an `any` (`not a and not b` is
// `not (a or b)`). A run is left alone unless the union means the same: no varying test under a
// `not`, and no `all` with two parts that vary.
//
// The first term stays in front because of packets cut short: after it came out false, every
// load the shape makes has succeeded once, so testing all the constants of one field before the
// next field rejects exactly the packets the list rejected, term by term (a list interleaves the
// fields: src == A, dst == A, src == B...).
//
// With `tuples_from` set, a list of at least that many members (the first one not counted) whose
// members are `all`s of equality tests on the same values (`ip6 host`, `ether host`: several
// words) becomes a tuple set (ir::TupleSet) instead of staying a list; only eBPF, which looks
// tuples up in maps, can take those. A list whose members test either of two fields alike
// (`ip6 host`, `ether host`: the source or the destination) becomes one either-tuple set
// (ir::TupleSet::either) of its members in order, when two or more words of a field vary.
struct SetOptions {
    std::size_t tuples_from = SIZE_MAX;
};
ir::Pred compile_sets(const ir::Pred& p, const SetOptions& options = {});

}  // namespace sniff
