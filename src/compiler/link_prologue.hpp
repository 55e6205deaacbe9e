// What a filter runs before its predicate on link types whose header offsets only the packet
// gives: radiotap, PPI and Prism prefix lengths, and the 802.11 header length (QoS, padding).
#pragma once

#include <cstdint>
#include <vector>

#include "compiler/ir.hpp"
#include "compiler/link_type.hpp"

namespace sniff {

struct LinkSetup {
    // Computes the variables of `vars_used` (and those they depend on), nothing more.
    std::vector<ir::Assign> prologue;
    // Must hold for any packet to match (PPI: the frame inside is 802.11); true elsewhere.
    ir::Pred precondition = true;
};

LinkSetup link_setup(const LinkType& link, std::uint32_t vars_used);

}  // namespace sniff
