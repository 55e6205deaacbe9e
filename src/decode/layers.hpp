// The result of decoding one packet: a list of protocol layers, each an ordered list of named
// fields. Plain data, rendered by text.cpp (tcpdump's lines) and json.cpp (one object per line).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace decode {

// Numbers, text (addresses are stored already formatted: both renderers want them as text) and
// booleans cover every field; JSON prints them as number, string and true/false. Signed
// numbers are rare (radio signal in dBm) and set with set_signed.
using Value = std::variant<std::uint64_t, std::string, bool, std::int64_t>;

struct Field {
    std::string_view key;  // always a string literal
    Value value;
};

struct Layer {
    std::string_view protocol;  // "ethernet", "vlan", "ipv4", "tcp", "dns"…, a string literal
    std::size_t offset = 0;     // where its header starts in the captured bytes
    std::vector<Field> fields;

    Layer& set(std::string_view key, std::uint64_t v) { fields.push_back({key, Value{v}}); return *this; }
    Layer& set(std::string_view key, std::string v) { fields.push_back({key, Value{std::move(v)}}); return *this; }
    Layer& set(std::string_view key, const char* v) { fields.push_back({key, Value{std::string(v)}}); return *this; }
    Layer& set_signed(std::string_view key, std::int64_t v) { fields.push_back({key, Value{v}}); return *this; }
    Layer& set_flag(std::string_view key, bool v) { fields.push_back({key, Value{v}}); return *this; }

    const Value* find(std::string_view key) const {
        // Keys are string literals, which the linker merges, so equal keys usually share their
        // address; lengths differ for most other keys, so the byte comparison is rare.
        for (const auto& f : fields)
            if (f.key.size() == key.size() &&
                (f.key.data() == key.data() || std::char_traits<char>::compare(f.key.data(), key.data(), key.size()) == 0))
                return &f.value;
        return nullptr;
    }
    bool has(std::string_view key) const { return find(key) != nullptr; }
    std::uint64_t num(std::string_view key, std::uint64_t fallback = 0) const {
        const Value* v = find(key);
        return v && std::holds_alternative<std::uint64_t>(*v) ? std::get<std::uint64_t>(*v) : fallback;
    }
    std::int64_t signed_num(std::string_view key) const {
        const Value* v = find(key);
        return v && std::holds_alternative<std::int64_t>(*v) ? std::get<std::int64_t>(*v) : 0;
    }
    std::string_view text(std::string_view key) const {
        const Value* v = find(key);
        return v && std::holds_alternative<std::string>(*v) ? std::string_view(std::get<std::string>(*v)) : std::string_view{};
    }
    bool flag(std::string_view key) const {
        const Value* v = find(key);
        return v && std::holds_alternative<bool>(*v) && std::get<bool>(*v);
    }
};

struct Decoded {
    std::vector<Layer> layers;
    // The protocol whose header or body ran past the captured bytes or broke its own rules
    // ("tcp" prints tcpdump's "[|tcp]"); empty when everything decoded.
    std::string_view truncated;
    // How many layers existed when `truncated` was set: the marker belongs after layer
    // truncated_depth - 1, so a printer that stops earlier (ICMP's quoted datagram at default
    // verbosity) does not print it.
    std::size_t truncated_depth = 0;
    std::size_t link_length = 0;  // bytes of the outermost link header (-x and -A skip them)
    // The captured bytes decoded: the caller's buffer, valid until it is reused. Printers that
    // dump undecoded data in hex (tcpdump's print_unknown_data) read them.
    std::span<const std::uint8_t> bytes;
    std::size_t captured = 0;
    std::uint32_t wire_length = 0;
    std::vector<std::vector<Field>> spare_fields;  // from earlier packets, so decoding rarely allocates

    Layer& add(std::string_view protocol, std::size_t offset) {
        layers.push_back(Layer{protocol, offset, {}});
        if (!spare_fields.empty()) {
            layers.back().fields = std::move(spare_fields.back());
            spare_fields.pop_back();
        } else {
            layers.back().fields.reserve(16);  // one allocation per layer rather than five
        }
        return layers.back();
    }
    // Empties the layer list for the next packet, keeping the field lists' memory for reuse.
    void clear_layers() {
        for (auto& l : layers) {
            l.fields.clear();
            spare_fields.push_back(std::move(l.fields));
        }
        layers.clear();
    }
    const Layer* find(std::string_view protocol) const {
        for (const auto& l : layers)
            if (l.protocol.data() == protocol.data() && l.protocol.size() == protocol.size()) return &l;
        for (const auto& l : layers)
            if (l.protocol == protocol) return &l;
        return nullptr;
    }
};

}  // namespace decode
