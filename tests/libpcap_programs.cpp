// See libpcap_programs.hpp.
#include "libpcap_programs.hpp"

#include "cbpf_vm/validate.hpp"

#include <regex>

namespace testing_support {

cbpf::Program to_program(const bpf_program& p) {
    cbpf::Program out;
    for (u_int i = 0; i < p.bf_len; ++i) out.push_back({p.bf_insns[i].code, p.bf_insns[i].jt, p.bf_insns[i].jf, p.bf_insns[i].k});
    return out;
}

std::vector<bpf_insn> to_insns(const cbpf::Program& p) {
    std::vector<bpf_insn> out;
    for (const auto& in : p) out.push_back({in.code, in.jt, in.jf, in.k});
    return out;
}

std::string link_type_name(int dlt) {
    const char* name = pcap_datalink_val_to_name(dlt);
    return name ? name : std::to_string(dlt);
}

void fix_protochain_auth_step(cbpf::Program& p) {
    using namespace cbpf::op;
    for (std::size_t i = 0; i + 7 <= p.size(); ++i) {
        const auto& in = p;
        if (in[i].code != (MISC | TXA) || in[i + 1].code != (ALU | ADD | K) || in[i + 1].k != 1 || in[i + 2].code != (MISC | TAX) ||
            in[i + 3].code != (LD | B | IND) || in[i + 4].code != (ALU | ADD | K) || in[i + 4].k != 2 ||
            in[i + 5].code != (ALU | MUL | K) || in[i + 5].k != 4 || in[i + 6].code != (MISC | TAX))
            continue;
        const std::uint32_t k = in[i + 3].k;
        p[i] = cbpf::stmt(LD | B | IND, k + 1);
        p[i + 1] = cbpf::stmt(ALU | ADD | K, 2);
        p[i + 2] = cbpf::stmt(ALU | MUL | K, 4);
        p[i + 3] = cbpf::stmt(ALU | ADD | X, 0);
        p[i + 4] = cbpf::stmt(MISC | TAX, 0);
        p[i + 5] = cbpf::stmt(JMP | JA, 0);
        p[i + 6] = cbpf::stmt(JMP | JA, 0);
    }
}

std::string libpcap_spelling(const std::string& expr) {
    static const std::regex byte_bitwise(R"(\bbyte\s+([0-9A-Za-z]+)\s*([&|])\s*([0-9A-Za-z]+))");
    // libpcap 1.10 compiles `opc != 5` (and the other SS7 and ATM fields) as `opc 5`; sniff tests
    // inequality, which libpcap spells `not opc 5` (README, "Deliberate differences").
    static const std::regex field_unequal(R"(\b(h?(?:sio|opc|dpc|sls)|vpi|vci)\s*!=\s*([0-9A-Za-z]+))");
    return std::regex_replace(std::regex_replace(expr, byte_bitwise, "link[$1] $2 $3 != 0"), field_unequal, "not $1 $2");
}

bool overwrites_header_offset(const cbpf::Program& p) {
    using namespace cbpf::op;
    // The header lengths are stored first, before the program's first test and before any of a
    // relation's temporaries (a constant, the packet length), which come later: after the first
    // test, or right after the prologue when it has no test (pflog's header length) and the
    // filter starts with a relation.
    std::uint32_t header = 0, temporaries = 0;  // bit sets over slots
    bool tested = false;
    for (std::size_t i = 0; i < p.size(); ++i) {
        if (cls(p[i].code) == JMP) tested = true;
        if (p[i].code != ST) continue;
        const bool temporary = i > 0 && (p[i - 1].code == (LD | W | IMM) || p[i - 1].code == (LD | W | LEN));
        if (temporary) temporaries |= 1u << (p[i].k % 32);
        else if (!tested && temporaries == 0) header |= 1u << (p[i].k % 32);
    }
    return (header & temporaries) != 0;
}

std::optional<std::string> unusable_reference(const cbpf::Program& p) {
    auto v = cbpf::validate(p, {.allow_ancillary = true});
    if (!v && v.error().rule != "too-long" && v.error().rule != "jump-out-of-range") return cbpf::describe(v.error());
    return std::nullopt;
}

}  // namespace testing_support
