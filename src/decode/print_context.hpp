// Internal to src/decode: what a protocol's printer sees while text.cpp builds a packet's line,
// and the one way it reads a layer's fields. A printer reads fields with num(), text() and
// flag(); a field the dissector did not set (it was not in the captured bytes) throws
// MissingField, and the line ends there with tcpdump's "[|protocol]" marker. So no printer can
// print a value that was not in the packet (tcpdump's GET_ macros and their longjmp give the
// same guarantee). Fields that are optional by nature are tested with Layer::has() first.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>

#include "decode/hexdump.hpp"
#include "decode/layers.hpp"
#include "decode/text.hpp"

namespace decode::detail {

// Thrown by PrintContext's field reads when the layer lacks the field.
struct MissingField {
    std::string_view key;
};

class PrintContext {
public:
    PrintContext(std::string& out, const Decoded& packet, const TextOptions& options)
        : out_(out), d_(packet), o_(options) {}

    const TextOptions& options() const { return o_; }
    int verbose() const { return o_.verbose; }
    const Decoded& packet() const { return d_; }
    const Layer* previous() const { return i_ > 0 ? &d_.layers[i_ - 1] : nullptr; }
    const Layer* next() const { return i_ + 1 < d_.layers.size() ? &d_.layers[i_ + 1] : nullptr; }
    // The protocol the dissector found cut short ("" when none): its printer may end differently.
    std::string_view truncated() const { return d_.truncated; }

    template <class... A>
    void put(fmt::format_string<A...> f, A&&... a) { fmt::format_to(std::back_inserter(out_), f, std::forward<A>(a)...); }
    // A literal without arguments skips fmt altogether (none of them holds an escaped brace).
    void put(const char* s) { out_ += s; }
    void raw(std::string_view s) { out_ += s; }
    // Numbers on the hot path (ports, sequence numbers) skip format-string parsing.
    void number(std::uint64_t v) {
        char buf[24];
        out_.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
    }

    // The field's value; throws MissingField when the layer does not have it (as a number).
    std::uint64_t num(const Layer& l, std::string_view key) const {
        const Value* v = l.find(key);
        if (!v || !std::holds_alternative<std::uint64_t>(*v)) throw MissingField{key};
        return std::get<std::uint64_t>(*v);
    }
    std::string_view text(const Layer& l, std::string_view key) const {
        const Value* v = l.find(key);
        if (!v || !std::holds_alternative<std::string>(*v)) throw MissingField{key};
        return std::get<std::string>(*v);
    }
    bool flag(const Layer& l, std::string_view key) const {
        const Value* v = l.find(key);
        if (!v || !std::holds_alternative<bool>(*v)) throw MissingField{key};
        return std::get<bool>(*v);
    }
    // tcpdump's print_unknown_data: the captured part of [offset, offset + length) as "\n\t0x0000:
    // 0102 0304 …" lines of 16 bytes.
    void hex_dump(std::size_t offset, std::size_t length, bool ascii = false) {
        const auto& b = d_.bytes;
        if (offset >= b.size()) return;
        append_hex_dump(out_, b.subspan(offset, std::min(length, b.size() - offset)), ascii);
    }
    // tcpdump's ND_DEFAULTPRINT: the same dump with an ASCII column (hex_and_ascii_print),
    // unless -x, -X or -A dump the packet anyway.
    void default_print(std::size_t offset, std::size_t length) {
        if (!o_.suppress_default_print) hex_dump(offset, length, true);
    }
    // Nothing after this layer is printed (tcpdump's printer returns without calling the next).
    void stop() { stop_ = true; }
    // The printer prints all of its layer or nothing: when a field is missing, what it printed
    // is taken back before the marker (tcpdump's ICMP printer builds its text in a buffer first).
    void all_or_nothing() { all_or_nothing_ = true; }
    // The link header just printed (with -e) named its payload's type, so an IPv4 or IPv6 payload
    // drops its "IP "/"IP6 " prefix, as tcpdump prints it.
    void payload_named() { named_ = true; }

protected:
    std::string& out_;
    const Decoded& d_;
    const TextOptions& o_;
    std::size_t i_ = 0;
    bool stop_ = false;
    bool all_or_nothing_ = false;
    bool named_ = false;  // see payload_named()
};

// A protocol's text: appends to the line what tcpdump prints for the layer.
using Printer = void (*)(PrintContext&, const Layer&);

}  // namespace decode::detail
