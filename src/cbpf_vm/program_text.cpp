// Parser for the decimal program text; errors name the line (instruction) at fault.
#include "cbpf_vm/program_text.hpp"

#include <fmt/format.h>

#include <charconv>
#include <vector>

namespace cbpf {
namespace {

std::vector<std::string_view> split_records(std::string_view text) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= text.size(); ++i) {
        if (i == text.size() || text[i] == '\n' || text[i] == ',') {
            std::string_view rec = text.substr(start, i - start);
            while (!rec.empty() && (rec.front() == ' ' || rec.front() == '\t' || rec.front() == '\r')) rec.remove_prefix(1);
            while (!rec.empty() && (rec.back() == ' ' || rec.back() == '\t' || rec.back() == '\r')) rec.remove_suffix(1);
            if (!rec.empty()) out.push_back(rec);
            start = i + 1;
        }
    }
    return out;
}

bool parse_fields(std::string_view rec, std::vector<std::uint64_t>& fields) {
    fields.clear();
    const char* p = rec.data();
    const char* end = rec.data() + rec.size();
    while (p < end) {
        while (p < end && (*p == ' ' || *p == '\t')) ++p;
        if (p == end) break;
        std::uint64_t v = 0;
        auto [next, ec] = std::from_chars(p, end, v);
        if (ec != std::errc{} || (next < end && *next != ' ' && *next != '\t')) return false;
        fields.push_back(v);
        p = next;
    }
    return true;
}

}  // namespace

std::expected<Program, std::string> parse_program_text(std::string_view text) {
    auto records = split_records(text);
    if (records.empty()) return std::unexpected("empty program text (expected tcpdump -ddd output)");
    std::vector<std::uint64_t> f;
    if (!parse_fields(records[0], f) || f.size() != 1)
        return std::unexpected(fmt::format("the first line must be the instruction count, found '{}'", records[0]));
    std::uint64_t count = f[0];
    if (count != records.size() - 1)
        return std::unexpected(fmt::format("the count says {} instructions but {} follow", count, records.size() - 1));
    Program prog;
    for (std::size_t i = 1; i < records.size(); ++i) {
        if (!parse_fields(records[i], f) || f.size() != 4)
            return std::unexpected(fmt::format("instruction {}: expected four numbers 'code jt jf k', found '{}'", i - 1, records[i]));
        if (f[0] > 0xffff || f[1] > 255 || f[2] > 255 || f[3] > 0xffffffffu)
            return std::unexpected(fmt::format("instruction {}: a field is out of range in '{}'", i - 1, records[i]));
        prog.push_back({static_cast<std::uint16_t>(f[0]), static_cast<std::uint8_t>(f[1]), static_cast<std::uint8_t>(f[2]),
                        static_cast<std::uint32_t>(f[3])});
    }
    return prog;
}

}  // namespace cbpf
