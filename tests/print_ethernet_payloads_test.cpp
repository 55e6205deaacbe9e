// Printing parity for the Ethernet-payload protocols that plug in through src/decode/registry.cpp: frames
// built field by field from each protocol's RFC or IEEE layout, printed by sniff and by the
// installed tcpdump at default verbosity and at -v, line for line.
#include <gtest/gtest.h>

#include "tcpdump_oracle.hpp"

namespace {

using namespace testing_support;

}  // namespace
