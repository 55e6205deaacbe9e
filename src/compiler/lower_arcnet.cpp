// ARCnet (DLT_ARCNET, DLT_ARCNET_LINUX): one-byte station addresses, the source at byte 0 of the
// link header and the destination at byte 1 (0 is broadcast), as libpcap's gen_ahostop reads them.
#include "compiler/lower_parts.hpp"

#include <fmt/format.h>

#include <cctype>

namespace sniff::lowering {
namespace {

constexpr std::uint32_t kSourceAt = 0, kDestinationAt = 1;

bool arcnet_link(const Context& c) { return c.layout.link().protocol_field == ProtocolField::ArcnetType; }

std::uint32_t hex_digit(char ch) {
    return std::isdigit(static_cast<unsigned char>(ch)) ? static_cast<std::uint32_t>(ch - '0')
                                                        : static_cast<std::uint32_t>(std::tolower(static_cast<unsigned char>(ch)) - 'a' + 10);
}

}  // namespace

bool is_arcnet_address(const ast::Value& v) { return v.text.size() >= 2 && v.text[0] == '$'; }

// The address is the value of its hex digits. libpcap 1.10.3 hands the '$' to pcap_ether_aton
// with them, which reads it as a digit: its programs test 0xd0 | the first digit (`$1f` tests
// 0xd1), a deliberate difference (README); tests compare with `ether[0] = 0x1f` and the like.
Result arcnet_host(const Context& c, const ast::Qualifiers& q, Dir dir, Kind kind, const ast::Value& v) {
    if (!arcnet_link(c))
        return error(v.span, fmt::format("ARCnet addresses are only supported on link types ARCNET and ARCNET_LINUX, not {}",
                                         c.layout.link().name));
    if (!q.proto || q.proto->value != Proto::Ether || kind != Kind::Host)
        return error(v.span, fmt::format("ARCnet address '{}' used in a non-ARCnet expression", v.text),
                     fmt::format("write 'ether host {0}', 'ether src {0}' or 'ether dst {0}'", v.text));
    if (ast::is_wlan_dir(dir))
        return error(q.dir->span, fmt::format("'{}' is not supported on link type {}", c.text_of(q.dir->span), c.layout.link().name),
                     "802.11 captures have link type IEEE802_11, IEEE802_11_RADIO, PRISM_HEADER or PPI");
    std::uint32_t address = 0;
    for (char ch : std::string_view(v.text).substr(1)) address = (address << 4) | hex_digit(ch);
    const Base& link = c.layout.link_header();
    return by_direction(dir, [&](bool src) { return ir::eq(link.load(src ? kSourceAt : kDestinationAt, 1), address); });
}

// `broadcast` and `multicast` alike: the destination is 0, ARCnet's broadcast address.
ir::Pred arcnet_broadcast(const Context& c) { return ir::eq(c.layout.link_header().load(kDestinationAt, 1), 0); }

}  // namespace sniff::lowering
