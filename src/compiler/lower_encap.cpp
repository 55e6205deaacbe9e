// Encapsulations that move where later primitives look: VLAN (live, with the kernel's VLAN
// fields too), MPLS, PPPoE sessions and Geneve, with libpcap's offset rules.
#include "compiler/lower_parts.hpp"

#include <fmt/format.h>

namespace sniff::lowering {
namespace {

// The first `vlan` live on Ethernet (libpcap's gen_vlan_bpf_extensions): a tag the kernel took
// out is in its ancillary fields, and later primitives stay where they are; a tag still in the
// frame (the kernel strips only the outer one, and not on every path) is tested as offline and
// moves them 4 bytes on, whether or not it matched, as libpcap's offsets do.
ir::Pred kernel_vlan(const Context& c, std::optional<std::uint32_t> id) {
    constexpr std::uint32_t kAncillaryVlanTci = 0xfffff02c, kAncillaryVlanPresent = 0xfffff030;  // SKF_AD_OFF + 44, + 48
    Layout& l = c.layout;
    l.enter_kernel_vlan();
    // Byte loads, as libpcap emits them: the kernel gives the whole field whatever the size, and
    // libpcap's user-space filter (used until the kernel's takes over) knows only this form.
    const ir::Pred stripped = ir::eq(ir::load(kAncillaryVlanPresent, 1), 1);
    const ir::Pred shift = ir::set_vars({{kVlanProtocol, true, ir::arith(ir::ArithOp::Add, ir::var(kVlanProtocol), ir::constant(4))},
                                         {kVlanNetwork, true, ir::arith(ir::ArithOp::Add, ir::var(kVlanNetwork), ir::constant(4))}});
    std::vector<ir::Pred> kernel = {stripped}, in_frame = {ir::any({l.ethertype(0x8100), l.ethertype(0x88a8), l.ethertype(0x9100)})};
    if (id) {
        kernel.push_back(ir::eq(ir::arith(ir::ArithOp::And, ir::load(kAncillaryVlanTci, 1), ir::constant(0x0fff)), *id));
        in_frame.push_back(ir::eq(ir::arith(ir::ArithOp::And, l.nl(0, 2), ir::constant(0x0fff)), *id));
    }
    in_frame.push_back(shift);
    return ir::any({ir::all(std::move(kernel)),
                    ir::all({ir::negate(stripped), ir::any({ir::all(std::move(in_frame)), ir::all({shift, false})})})});
}

}  // namespace

// `vlan [id]`: an 802.1Q/802.1ad/QinQ tag (with that id); later primitives look 4 bytes on.
Result vlan(const Context& c, const ast::Keyword& k, std::optional<std::uint32_t> n) {
    // libpcap matches VLAN tags on Ethernet and in 802.11 data frames (not inside PPI).
    const LinkType& lt = c.layout.link();
    if (c.layout.in_pppoe()) return error(k.span, "'vlan' is not supported after 'pppoes'", "the rest of the frame is PPP, which has no VLAN tags");
    if (!(c.layout.mac() == MacHeader::Ethernet || (c.layout.wlan() && lt.prefix != LinkPrefix::Ppi)))
        return error(k.span, fmt::format("'vlan' is not supported on link type {}", lt.name), "it needs Ethernet or 802.11 frames");
    if (c.layout.mpls_depth() > 0) return error(k.span, "no VLAN match after MPLS", "put 'vlan' before 'mpls'");
    if (n && *n > 4095) return error(k.arg->span, fmt::format("VLAN id {} is out of range", *n), "VLAN ids are 0..4095");
    if (c.kernel_vlan && c.layout.vlan_depth() == 0 && lt.mac == MacHeader::Ethernet && !c.layout.in_geneve() &&
        c.layout.field() == ProtocolField::EtherType)
        return kernel_vlan(c, n);
    // 802.1Q, 802.1ad or the old QinQ EtherType, then (optionally) the 12-bit id.
    std::vector<ir::Pred> terms = {ir::any({c.layout.ethertype(0x8100), c.layout.ethertype(0x88a8), c.layout.ethertype(0x9100)})};
    if (n) terms.push_back(ir::eq(ir::arith(ir::ArithOp::And, c.layout.nl(0, 2), ir::constant(0x0fff)), *n));
    c.layout.skip_vlan_tag();
    return ir::all(std::move(terms));
}

// `mpls [label]`: a label (with that value); later primitives look past it.
Result mpls(const Context& c, const ast::Keyword& k, std::optional<std::uint32_t> n) {
    if (n && *n > 0xfffff) return error(k.arg->span, fmt::format("MPLS label {} is out of range", *n), "labels are 0..1048575");
    std::vector<ir::Pred> terms;
    if (c.layout.mpls_depth() == 0) {
        // The first label: the link layer says MPLS (unicast). libpcap's gen_mpls asks the link
        // type the last encapsulation switched to: after `pppoes` the frame is PPP, which numbers
        // MPLS 0x0281 as the PPP link type does; after `geneve` (or SunATM's `lane`) it is
        // Ethernet, whatever the outer link type.
        const int dlt = c.layout.link().dlt;
        const bool ppp = c.layout.field() == ProtocolField::PppProtocol && (dlt == 9 || c.layout.in_pppoe());
        const bool ethernet = !ppp && (dlt == 1 || dlt == 104 || c.layout.in_geneve() || c.layout.lanes() > 0);
        if (!ppp && !ethernet)
            return error(k.span, fmt::format("'mpls' is not supported on link type {}", c.layout.link().name));
        terms.push_back(c.layout.ethertype(ppp ? 0x0281 : 0x8847));
    } else {
        // A label below another: the one above is not the bottom of the stack.
        terms.push_back(ir::negate(ir::cmp(ir::CmpOp::AnySet, c.layout.nl_before(2, 1), ir::constant(1))));
    }
    if (n) terms.push_back(ir::eq(ir::arith(ir::ArithOp::And, c.layout.nl(0, 4), ir::constant(0xfffff000)), *n << 12));
    c.layout.skip_mpls_label();
    return ir::all(std::move(terms));
}

// `pppoes [id]`: a PPPoE session (with that id); the rest of the frame is PPP.
Result pppoes(const Context& c, const ast::Keyword& k, std::optional<std::uint32_t> n) {
    if (n && *n > 0xffff) return error(k.arg->span, fmt::format("PPPoE session id {} is out of range", *n), "ids are 0..65535");
    std::vector<ir::Pred> terms = {c.layout.ethertype(0x8864)};
    if (n) terms.push_back(ir::eq(ir::arith(ir::ArithOp::And, c.layout.nl(0, 4), ir::constant(0xffff)), *n));
    c.layout.enter_pppoe_session();
    return ir::all(std::move(terms));
}

// `geneve [vni]`: UDP to port 6081 carrying Geneve version 0 (with that VNI); later primitives
// look inside, at the Ethernet frame (protocol 0x6558) or packet (any other) it carries, whose
// offset depends on the Geneve options' length (libpcap's gen_geneve).
Result geneve(const Context& c, const ast::Keyword& k, std::optional<std::uint32_t> vni) {
    if (vni && *vni > 0xffffff) return error(k.arg->span, fmt::format("Geneve VNI {} is out of range", *vni), "VNIs are 0..16777215");
    constexpr std::uint32_t kGenevePort = 6081, kTransparentEthernet = 0x6558;
    using ir::ArithOp;
    Layout& l = c.layout;
    auto version_0 = [](ir::Value first_byte) { return ir::eq(ir::arith(ArithOp::And, std::move(first_byte), ir::constant(0xc0)), 0); };
    auto vni_is = [&](ir::Value word) { return ir::eq(ir::arith(ArithOp::And, std::move(word), ir::constant(0xffffff00)), *vni << 8); };
    // Over IPv4: a first fragment; the Geneve header 8 bytes into the UDP header.
    std::vector<ir::Pred> v4 = {l.ip(), ir::eq(l.nl(9, 1), kProtoUdp), l.ipv4_first_fragment(),
                                ir::eq(l.transport(2, 2), kGenevePort), version_0(l.transport(8, 1))};
    if (vni) v4.push_back(vni_is(l.transport(12, 4)));
    v4.push_back(ir::set_vars({{kGeneveHeader, true,
                                ir::arith(ArithOp::Add, l.transport_index(), ir::constant(l.network().k + 8))}}));
    // Over IPv6: UDP right after the fixed header.
    std::vector<ir::Pred> v6 = {l.ip6(), ir::eq(l.nl(6, 1), kProtoUdp), ir::eq(l.nl(42, 2), kGenevePort), version_0(l.nl(48, 1))};
    if (vni) v6.push_back(vni_is(l.nl(52, 4)));
    v6.push_back(ir::set_vars({{kGeneveHeader, true, l.network().plus(48).offset()}}));
    // The payload follows the 8-byte header and 4 * (byte 0 & 0x3f) bytes of options; its
    // protocol is an EtherType at byte 2, 0x6558 for an Ethernet frame.
    const ir::Value header = ir::var(kGeneveHeader), payload = ir::var(kGenevePayload);
    const ir::Pred ethernet = ir::eq(ir::load_indexed(header, 2, 2), kTransparentEthernet);
    ir::Value options = ir::arith(ArithOp::Lsh, ir::arith(ArithOp::And, ir::load_indexed(header, 0, 1), ir::constant(0x3f)), ir::constant(2));
    ir::Pred inner = ir::set_vars({
        {kGeneveProtocol, true, ir::arith(ArithOp::Add, header, ir::constant(2))},
        {kGenevePayload, true, ir::arith(ArithOp::Add, ir::arith(ArithOp::Add, header, ir::constant(8)), options)},
        {kGeneveNetwork, true, payload},
        {kGeneveProtocol, ethernet, ir::arith(ArithOp::Add, payload, ir::constant(12))},
        {kGeneveNetwork, ethernet, ir::arith(ArithOp::Add, payload, ir::constant(14))},
    });
    ir::Pred matched = ir::all({ir::any({ir::all(std::move(v4)), ir::all(std::move(v6))}), std::move(inner)});
    l.enter_geneve();
    return matched;
}

}  // namespace sniff::lowering
