// The decoded layers as one tcpdump-style line (without timestamp or dumps).
#pragma once

#include <string>

#include "decode/layers.hpp"

namespace decode {

struct TextOptions {
    int verbose = 0;           // -v, -vv: header fields, checksums
    bool link_header = false;  // -e: MAC addresses and EtherType
    bool quiet = false;        // -q: protocol and length only
    // -x, -X or -A: the bytes are dumped after the line anyway, so payloads nothing decodes are
    // not hex-dumped in it (tcpdump's ndo_suppress_default_print).
    bool suppress_default_print = false;
};

void append_text(std::string& out, const Decoded& packet, const TextOptions& options);

}  // namespace decode
