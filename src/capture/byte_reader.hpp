// Buffered reading of a capture from a file descriptor (a file, a pipe, stdin) with read(2) into
// one large buffer: no mapping, so a file that shrinks under the reader is an early end that can
// be reported, never a SIGBUS, and a file that grows is read to its new end.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "capture/file_identity.hpp"

namespace capture {

class ByteReader {
public:
    // Takes `fd` (closed on destruction when `owns`).
    ByteReader(int fd, bool owns);
    ByteReader(const ByteReader&) = delete;
    ByteReader& operator=(const ByteReader&) = delete;
    ~ByteReader();

    // At least `n` contiguous bytes from the current position, or fewer at the end of the input
    // or after a read error (then read_errno() is set). Valid until the next peek or read_some.
    std::span<const std::uint8_t> peek(std::size_t n) {
        if (end_ - begin_ >= n) return {buffer_.get() + begin_, n};
        return refill(n);
    }
    void consume(std::size_t n) {
        begin_ += n;
        offset_ += n;
    }
    // Copies up to `n` bytes (buffered ones first, then straight from the descriptor) and
    // consumes them: the stream behind the FILE handed to libpcap. 0 at the end, -1 on an error.
    ssize_t read_some(void* into, std::size_t n);

    std::uint64_t offset() const { return offset_; }  // of the next byte not consumed
    int read_errno() const { return read_errno_; }
    // Set for a regular file that is now shorter than when it was opened, e.g.
    // "the file shrank from 8128024 to 5080024 bytes while it was read".
    std::optional<std::string> shrinkage() const;
    // The input's identity, so outputs can refuse to overwrite it.
    const std::optional<FileIdentity>& identity() const { return identity_; }

private:
    std::span<const std::uint8_t> refill(std::size_t n);

    int fd_;
    bool owns_;
    std::unique_ptr<std::uint8_t[]> buffer_;
    std::size_t capacity_ = 0, begin_ = 0, end_ = 0;
    std::uint64_t offset_ = 0;
    int read_errno_ = 0;
    std::optional<FileIdentity> identity_;
    std::optional<off_t> size_at_open_;  // regular files only
};

}  // namespace capture
