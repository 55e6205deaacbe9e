// A FILE* that reads from a ByteReader, for libpcap (pcapng past sniff's fast path, and the rare
// formats sniff leaves to it): optional prefix bytes first (the pcapng section and interface
// blocks when libpcap takes over mid-file), then the reader. The position libpcap stands at is
// known without ftell()'s lseek(2), on pipes too.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <vector>

#include "capture/byte_reader.hpp"

namespace capture {

class CookieFile {
public:
    // The reader must outlive this object, and this object the FILE (which libpcap's pcap_close
    // closes; that does not close the reader's descriptor). Null if fopencookie failed.
    static std::unique_ptr<CookieFile> open(ByteReader& reader, std::vector<std::uint8_t> prefix = {});

    std::FILE* file() const { return file_; }
    // The file offset of the next byte libpcap will get from the FILE, once the prefix is
    // consumed: what the reader has handed over, less what the FILE still buffers.
    std::uint64_t offset() const;

    // fopencookie's callbacks.
    ssize_t read(char* into, std::size_t n);
    std::uint64_t handed_over() const { return reader_->offset(); }

private:
    CookieFile(ByteReader& reader, std::vector<std::uint8_t> prefix) : reader_(&reader), prefix_(std::move(prefix)) {}

    ByteReader* reader_;
    std::vector<std::uint8_t> prefix_;
    std::size_t prefix_done_ = 0;
    std::FILE* file_ = nullptr;
};

}  // namespace capture
