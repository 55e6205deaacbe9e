// IR optimizer: removes tests whose outcome earlier tests on the same path already decide
// (after `ip` holds, `ether type = ip6` is false and a second `ether type = ip` is true).
// Only tests that already ran successfully are used as facts, so no packet-length check
// (a load past the captured bytes) is ever added or lost.
#pragma once

#include "compiler/ir.hpp"

namespace sniff {

ir::Pred optimize(const ir::Pred& pred);

}  // namespace sniff
