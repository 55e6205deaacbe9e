// RESP, the Redis serialization protocol (TCP port 6379; redis.io "Redis serialization protocol
// specification", RESP2): simple strings (+), errors (-), integers (:), bulk strings ($length),
// arrays (*count) and inline commands (text ended by CR or LF). tcpdump prints every string in
// quotes, "empty", "null" or a complaint about the length, and stops at the first one cut short.
#include <fmt/format.h>

#include <climits>

#include "decode/protocols.hpp"

namespace decode::detail {
namespace {

// Reads the RESP items of [at, at + left) into `out`, as tcpdump words them.
class Parser {
public:
    Parser(const ByteReader& r, std::string& out) : r_(r), out_(out) {}

    // Bytes the item at `at` took, or -1 when the data ran out (the line ends with the marker).
    long item(std::size_t at, long left, int depth = 0) {
        if (left < 1 || !r_.has(at, 1)) return -1;
        switch (r_.u8(at)) {
            case '+': case '-': case ':': return line(at, left);
            case '$': return bulk_string(at, left);
            case '*': return array(at, left, depth);
            default: return inline_command(at, left);
        }
    }

private:
    // Quoted, with tcpdump's escapes for bytes that are not printable ASCII.
    void quoted(std::size_t at, std::size_t n) {
        out_ += " \"";
        for (std::size_t i = 0; i < n; ++i) {
            unsigned ch = r_.u8(at + i);
            if (ch & 0x80) {
                out_ += "M-";
                ch &= 0x7f;
            }
            if (ch < 0x20 || ch == 0x7f) {
                out_ += '^';
                out_ += static_cast<char>(ch ^ 0x40);
            } else {
                out_ += static_cast<char>(ch);
            }
        }
        out_ += '"';
    }

    long line(std::size_t at, long left) {
        std::size_t p = at + 1;
        long rest = left - 1;
        for (;;) {
            if (rest < 2 || !r_.has(p, 2)) return -1;
            if (r_.u8(p) == '\r' && r_.u8(p + 1) == '\n') break;
            ++p, --rest;
        }
        quoted(at + 1, p - at - 1);
        return static_cast<long>(p - at) + 2;
    }

    // The decimal length after the type byte, CR LF: >= 0, -1 (null), or tcpdump's error codes
    // -2 (ran out), -3 (too large), -4 (negative, not -1), -5 (not a number).
    long length(std::size_t& p, long& rest) {
        if (rest == 0) return -2;
        bool negative = false, digit = false, too_large = false;
        if (!r_.has(p, 1)) return -2;
        if (r_.u8(p) == '-') negative = true, ++p, --rest;
        long value = 0;
        for (;;) {
            if (rest == 0 || !r_.has(p, 1)) return -2;
            unsigned ch = r_.u8(p);
            if (ch < '0' || ch > '9') {
                if (!digit) return ++p, --rest, -5;
                break;
            }
            if (value > INT_MAX / 10 || (value * 10 == (INT_MAX / 10) * 10 && static_cast<int>(ch - '0') > INT_MAX % 10)) too_large = true;
            else value = value * 10 + (ch - '0');
            ++p, --rest, digit = true;
        }
        if (!r_.has(p, 1)) return -2;
        if (r_.u8(p) != '\r') return ++p, --rest, -5;
        ++p, --rest;
        if (rest == 0 || !r_.has(p, 1)) return -2;
        if (r_.u8(p) != '\n') return ++p, --rest, -5;
        ++p, --rest;
        if (negative) return too_large || value != 1 ? -4 : -1;
        return too_large ? -3 : value;
    }

    // Prints what a non-positive length means; false when the data ran out.
    bool special(long n) {
        switch (n) {
            case 0: out_ += " empty"; return true;
            case -1: out_ += " null"; return true;
            case -2: return false;
            case -3: out_ += " length too large"; return true;
            case -4: out_ += " length negative and not -1"; return true;
            default: out_ += " invalid"; return true;
        }
    }

    long bulk_string(std::size_t at, long left) {
        std::size_t p = at + 1;
        long rest = left - 1;
        long n = length(p, rest);
        if (n >= 0) {
            if (n == 0) {
                out_ += " empty";
            } else {
                if (rest < n || !r_.has(p, static_cast<std::size_t>(n))) return -1;
                quoted(p, static_cast<std::size_t>(n));
                p += static_cast<std::size_t>(n), rest -= n;
            }
            if (rest < 2 || !r_.has(p, 2)) return -1;
            p += 2, rest -= 2;
        } else if (!special(n)) {
            return -1;
        }
        return left - rest;
    }

    long array(std::size_t at, long left, int depth) {
        std::size_t p = at + 1;
        long rest = left - 1;
        long n = length(p, rest);
        if (n > 0) {
            if (depth > 64) return -1;
            for (long i = 0; i < n; ++i) {
                long used = item(p, rest, depth + 1);
                if (used < 0) return -1;
                p += static_cast<std::size_t>(used), rest -= used;
            }
        } else if (!special(n)) {
            return -1;
        }
        return left - rest;
    }

    long inline_command(std::size_t at, long left) {
        std::size_t p = at;
        long rest = left;
        auto skip_breaks = [&]() {
            while (rest > 0 && r_.has(p, 1) && (r_.u8(p) == '\r' || r_.u8(p) == '\n')) ++p, --rest;
        };
        skip_breaks();
        std::size_t start = p;
        for (;;) {
            if (rest < 1 || !r_.has(p, 1)) return -1;
            if (r_.u8(p) == '\r' || r_.u8(p) == '\n') break;
            ++p, --rest;
        }
        quoted(start, p - start);
        skip_breaks();
        return left - rest;
    }

    const ByteReader& r_;
    std::string& out_;
};

}  // namespace

void dissect_resp(Context& c, std::size_t o, std::size_t end) {
    Layer& l = c.add("resp", o);
    std::string text;
    Parser parser(c.r, text);
    long left = end > o ? static_cast<long>(end - o) : 0;
    std::size_t at = o;
    bool cut = false;
    for (int guard = 0; left > 0 && guard < 100000; ++guard) {
        long used = parser.item(at, left);
        if (used < 0) {
            cut = true;
            break;
        }
        at += static_cast<std::size_t>(used), left -= used;
    }
    l.set("items", std::move(text));
    if (cut) c.truncated("resp");
}

void print_resp(PrintContext& p, const Layer& l) {
    p.raw(": RESP");
    p.raw(p.text(l, "items"));
}

}  // namespace decode::detail
