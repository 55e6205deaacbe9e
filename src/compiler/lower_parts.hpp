// Shared by the lowering files: the context a primitive is lowered in, and the builders each
// file offers. Internal to the compiler.
#pragma once

#include <array>
#include <expected>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "compiler/ast.hpp"
#include "compiler/ir.hpp"
#include "compiler/layout.hpp"

namespace sniff::lowering {

using ast::Dir;
using ast::Kind;
using Result = std::expected<ir::Pred, Diagnostic>;

struct Context {
    Layout& layout;         // encapsulations seen so far move it (vlan, mpls, pppoes)
    std::string_view text;  // the filter source, quoted in messages
    bool kernel_vlan = false;  // CompileOptions::kernel_vlan
    std::optional<std::uint32_t> netmask;  // CompileOptions::netmask
    std::string text_of(Span s) const { return std::string(text.substr(s.begin, s.end - s.begin)); }
};

// `side(true)` for the source, `side(false)` for the destination, combined as `dir` says.
ir::Pred by_direction(Dir dir, const std::function<ir::Pred(bool src)>& side);

// Hosts and networks (lower_address.cpp).
Result address(const Context& c, const ast::Qualifiers& q, Dir dir, Kind kind, const ast::Value& v);

// Ports and port ranges (lower_ports.cpp).
Result port(const Context& c, const ast::Qualifiers& q, Dir dir, const ast::Value& v);
Result port_range(const Context& c, const ast::Qualifiers& q, Dir dir, const ast::Value& v);

// The link layer and what it encapsulates (lower_link.cpp).
Result ether_host(const Context& c, const ast::Qualifiers& q, Dir dir, Kind kind, const ast::Value& v);
Result broadcast(const Context& c, const ast::Qualifiers& q);
Result multicast(const Context& c, const ast::Qualifiers& q);
Result protocol(const Context& c, const ast::Qualifiers& q, const ast::Value& v);
Result protochain(const Context& c, const ast::Qualifiers& q, const ast::Value& v);
Result gateway(const Context& c, const ast::Qualifiers& q, const ast::Value& v);
// An IPv4 host over IP, ARP and RARP (`proto` absent) or one of them (lower_address.cpp).
ir::Pred ipv4_host(const Context& c, std::optional<Proto> proto, Dir dir, std::uint32_t addr);
Result keyword(const Context& c, const ast::Keyword& k);
// Six bytes at `offset` into the link header (a MAC address), compared as libpcap does.
ir::Pred mac_at(const Context& c, std::uint32_t offset, const std::array<std::uint8_t, 6>& mac);

// DECnet hosts (lower_decnet.cpp): `decnet host 1.1`, `decnet src 50.764`.
Result decnet_address(const Context& c, const ast::Qualifiers& q, Dir dir, Kind kind, const ast::Value& v);

// 802.11 (lower_wlan.cpp): a MAC address in the field `dir` names; `at_offset` tested at the
// destination's offset for the frame type; `type`/`subtype`/`dir`.
Result wlan_host(const Context& c, Dir dir, const std::array<std::uint8_t, 6>& mac);
ir::Pred wlan_destination(const Context& c, const std::function<ir::Pred(std::uint32_t)>& at_offset);
Result wlan_frame(const Context& c, const ast::Keyword& k);

// 802.2 LLC and the LAN protocols (lower_llc.cpp): on Ethernet (802.3 frames), on LLC link types
// (FDDI, Token Ring, 802.11), and on the others (cooked, PPP, Cisco HDLC).
ir::Pred llc_sap(const Context& c, std::uint32_t sap);
ir::Pred lan_protocol(const Context& c, ast::Keyword::Which w);
ir::Pred llc_link_number(const Context& c, std::uint32_t number);
ir::Pred llc_link_protocol(const Context& c, ast::Keyword::Which w);
ir::Pred other_link_number(const Context& c, std::uint32_t number);
Result other_link_protocol(const Context& c, const ast::Keyword& k);
// `llc i`, `llc ui`, `llc rnr`…: `llc` and the frame kind its control byte says.
Result llc_frame_kind(const Context& c, const ast::Keyword& k);
// `l1`, `l2`, `iih`, `lsp`, `snp`, `csnp`, `psnp`: IS-IS and one of the PDU types the keyword names.
Result isis_pdu(const Context& c, const ast::Keyword& k);
// `iso proto N` (the NLPID: a number, \clnp, \esis or \isis) and `isis proto N` (the PDU type).
Result osi_protocol(const Context& c, const ast::Qualifiers& q, const ast::Value& v);

// Encapsulations (lower_encap.cpp); each moves where later primitives look.
Result vlan(const Context& c, const ast::Keyword& k, std::optional<std::uint32_t> id);
Result mpls(const Context& c, const ast::Keyword& k, std::optional<std::uint32_t> label);
Result pppoes(const Context& c, const ast::Keyword& k, std::optional<std::uint32_t> session);
Result geneve(const Context& c, const ast::Keyword& k, std::optional<std::uint32_t> vni);

// OpenBSD pf logs (lower_pflog.cpp): the pf keywords, refused on other link types, and
// `inbound`/`outbound` on PFLOG, which pf's direction field says.
bool is_pf_keyword(ast::Keyword::Which w);
Result pf_keyword(const Context& c, const ast::Keyword& k);
ir::Pred pflog_direction(bool outbound);

// ARCnet (lower_arcnet.cpp): addresses written `$1f` (libpcap's AID token), `broadcast` and
// `multicast` (destination 0).
bool is_arcnet_address(const ast::Value& v);
Result arcnet_host(const Context& c, const ast::Qualifiers& q, Dir dir, Kind kind, const ast::Value& v);
ir::Pred arcnet_broadcast(const Context& c);
// SS7 (lower_mtp.cpp): `fisu`, `lssu`, `msu`, the MTP3 routing label fields, and their `h` forms.
Result mtp(const Context& c, const ast::Keyword& k);
// `v relop k`, unsigned, for the SS7 and ATM fields (`opc > 5`, `vpi != 3`; lower_mtp.cpp).
ir::Pred field_relation(ast::RelOp op, ir::Value v, std::uint32_t k);
// SunATM (lower_atm.cpp): `lane`, the well-known circuits and signalling messages, `vpi`, `vci`.
Result atm(const Context& c, const ast::Keyword& k);
// On link types without a network layer (SS7, ERF), why `e` cannot be compiled there, if it is a
// primitive that needs one (lower_no_network.cpp).
std::optional<Diagnostic> needs_missing_network_layer(const Context& c, const ast::Expr& e);

}  // namespace sniff::lowering
