// How the fuzz targets cut libFuzzer's bytes into their inputs: leading selector bytes, then a
// text up to the first NUL, then packet bytes. fuzz_seeds.cpp writes seeds in the same layout.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

namespace fuzz {

class InputCursor {
public:
    InputCursor(const std::uint8_t* data, std::size_t size) : bytes_(data, size) {}

    // The next byte, or 0 once the input is used up.
    std::uint8_t byte() {
        if (bytes_.empty()) return 0;
        std::uint8_t b = bytes_[0];
        bytes_ = bytes_.subspan(1);
        return b;
    }
    // Up to the first NUL (which is consumed), or everything left.
    std::string_view text() {
        const void* nul = std::memchr(bytes_.data(), 0, bytes_.size());
        std::size_t n = nul ? static_cast<const std::uint8_t*>(nul) - bytes_.data() : bytes_.size();
        std::string_view t(reinterpret_cast<const char*>(bytes_.data()), n);
        bytes_ = bytes_.subspan(nul ? n + 1 : n);
        return t;
    }
    std::span<const std::uint8_t> rest() const { return bytes_; }

private:
    std::span<const std::uint8_t> bytes_;
};

}  // namespace fuzz
