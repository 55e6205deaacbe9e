// 1 MiB reads: about a thousand system calls per gigabyte (256 KiB measured the same). The
// buffer grows only for a record larger than it (DBUS allows 128 MiB).
#include "capture/byte_reader.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace capture {
namespace {

constexpr std::size_t kBufferBytes = 1 << 20;

}  // namespace

ByteReader::ByteReader(int fd, bool owns)
    : fd_(fd), owns_(owns), buffer_(new std::uint8_t[kBufferBytes]), capacity_(kBufferBytes) {
    struct stat st {};
    if (fstat(fd, &st) == 0) {
        identity_ = FileIdentity{st.st_dev, st.st_ino};
        if (S_ISREG(st.st_mode)) {
            size_at_open_ = st.st_size;
            // A file descriptor inherited as stdin may not be at its start.
            off_t at = lseek(fd, 0, SEEK_CUR);
            if (at > 0) offset_ = static_cast<std::uint64_t>(at);
        }
    }
}

ByteReader::~ByteReader() {
    if (owns_) ::close(fd_);
}

std::span<const std::uint8_t> ByteReader::refill(std::size_t n) {
    // Move what is left (less than one record) to the front, into a larger buffer if one record
    // needs it, so each read(2) asks for nearly a whole buffer.
    const std::size_t have = end_ - begin_;
    if (n > capacity_) {
        std::size_t bigger = capacity_;
        while (bigger < n) bigger *= 2;
        std::unique_ptr<std::uint8_t[]> b(new std::uint8_t[bigger]);
        std::memcpy(b.get(), buffer_.get() + begin_, have);
        buffer_ = std::move(b);
        capacity_ = bigger;
    } else if (begin_ > 0) {
        std::memmove(buffer_.get(), buffer_.get() + begin_, have);
    }
    begin_ = 0;
    end_ = have;
    while (end_ < n && read_errno_ == 0) {
        ssize_t got = ::read(fd_, buffer_.get() + end_, capacity_ - end_);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) read_errno_ = errno;
        if (got <= 0) break;
        end_ += static_cast<std::size_t>(got);
    }
    return {buffer_.get(), std::min(n, end_)};
}

ssize_t ByteReader::read_some(void* into, std::size_t n) {
    if (end_ > begin_) {
        const std::size_t k = std::min(n, end_ - begin_);
        std::memcpy(into, buffer_.get() + begin_, k);
        consume(k);
        return static_cast<ssize_t>(k);
    }
    // Straight into the caller's (large) buffer: no second copy.
    for (;;) {
        ssize_t got = ::read(fd_, into, n);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) read_errno_ = errno;
        if (got > 0) offset_ += static_cast<std::uint64_t>(got);
        return got;
    }
}

std::optional<std::string> ByteReader::shrinkage() const {
    if (!size_at_open_) return std::nullopt;
    struct stat st {};
    if (fstat(fd_, &st) != 0 || st.st_size >= *size_at_open_) return std::nullopt;
    return fmt::format("the file shrank from {} to {} bytes while it was read", *size_at_open_, st.st_size);
}

}  // namespace capture
