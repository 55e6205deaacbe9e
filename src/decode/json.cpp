// JSON rendering: the same layer list as the text line, every field, in decode order. The
// top level repeats the usual questions (addresses, ports, protocol) so `jq .src` works.
#include "decode/json.hpp"

#include <fmt/format.h>

#include <iterator>

namespace decode {

void append_json_string(std::string& out, std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += '"';
    for (unsigned char ch : s) {
        switch (ch) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (ch < 0x20 || ch >= 0x7f) {
                    out += "\\u00";
                    out += kHex[ch >> 4];
                    out += kHex[ch & 0xf];
                } else {
                    out += static_cast<char>(ch);
                }
        }
    }
    out += '"';
}

namespace {

void append_value(std::string& out, const Value& v) {
    if (const auto* n = std::get_if<std::uint64_t>(&v)) fmt::format_to(std::back_inserter(out), "{}", *n);
    else if (const auto* s = std::get_if<std::string>(&v)) append_json_string(out, *s);
    else if (const auto* b = std::get_if<bool>(&v)) out += *b ? "true" : "false";
    else fmt::format_to(std::back_inserter(out), "{}", std::get<std::int64_t>(v));
}

}  // namespace

void append_json(std::string& out, const Decoded& d, const JsonPacketInfo& info) {
    auto it = std::back_inserter(out);
    fmt::format_to(it, "{{\"number\":{},\"time\":\"{}.{:06d}\",\"ts_sec\":{},\"ts_usec\":{},\"caplen\":{},\"len\":{}", info.number,
                   info.ts_sec, info.ts_usec, info.ts_sec, info.ts_usec, d.captured, d.wire_length);
    // Outermost network addresses and transport ports, when there are any.
    const Layer* net = nullptr;
    const Layer* transport = nullptr;
    for (const auto& l : d.layers) {
        if (!net && (l.protocol == "ipv4" || l.protocol == "ipv6" || l.protocol == "arp" || l.protocol == "rarp")) net = &l;
        if (net && !transport && l.has("sport")) transport = &l;
    }
    if (net) {
        bool arp = net->protocol == "arp" || net->protocol == "rarp";
        std::string_view src = net->text(arp ? "sender_ip" : "src"), dst = net->text(arp ? "target_ip" : "dst");
        if (!src.empty()) {
            out += ",\"src\":";
            append_json_string(out, src);
            out += ",\"dst\":";
            append_json_string(out, dst);
        }
    }
    if (transport) fmt::format_to(it, ",\"sport\":{},\"dport\":{}", transport->num("sport"), transport->num("dport"));
    if (!d.layers.empty()) {
        out += ",\"protocol\":";
        append_json_string(out, d.layers.back().protocol);
    }
    if (!d.truncated.empty()) {
        out += ",\"truncated\":";
        append_json_string(out, d.truncated);
    }
    out += ",\"layers\":[";
    for (std::size_t i = 0; i < d.layers.size(); ++i) {
        const Layer& l = d.layers[i];
        if (i) out += ',';
        // "layer", not "protocol": several layers have a protocol-number field of that name.
        out += "{\"layer\":";
        append_json_string(out, l.protocol);
        fmt::format_to(it, ",\"offset\":{}", l.offset);
        for (const auto& f : l.fields) {
            out += ',';
            append_json_string(out, f.key);
            out += ':';
            append_value(out, f.value);
        }
        out += '}';
    }
    out += "]}";
}

}  // namespace decode
