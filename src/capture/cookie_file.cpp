// fopencookie(3): glibc calls read_fn to fill the FILE's buffer and seek_fn(0, SEEK_CUR) for
// ftell(). A cookie stream must stay buffered: unbuffered, glibc reads it a byte at a time.
#include "capture/cookie_file.hpp"

#include <cerrno>
#include <cstring>

namespace capture {
namespace {

ssize_t read_fn(void* cookie, char* buf, std::size_t size) { return static_cast<CookieFile*>(cookie)->read(buf, size); }

int seek_fn(void* cookie, off64_t* offset, int whence) {
    // Only "where are we" is answered; libpcap never seeks a savefile it reads.
    if (whence != SEEK_CUR || *offset != 0) {
        errno = ESPIPE;
        return -1;
    }
    // What was handed to the FILE; glibc subtracts what it still buffers.
    *offset = static_cast<off64_t>(static_cast<CookieFile*>(cookie)->handed_over());
    return 0;
}

}  // namespace

std::unique_ptr<CookieFile> CookieFile::open(ByteReader& reader, std::vector<std::uint8_t> prefix) {
    std::unique_ptr<CookieFile> c(new CookieFile(reader, std::move(prefix)));
    cookie_io_functions_t io{read_fn, nullptr, seek_fn, nullptr};
    c->file_ = fopencookie(c.get(), "rb", io);
    if (!c->file_) return nullptr;
    // One call per 256 KiB rather than per 8 KiB.
    setvbuf(c->file_, nullptr, _IOFBF, 256 * 1024);
    return c;
}

ssize_t CookieFile::read(char* into, std::size_t n) {
    if (prefix_done_ < prefix_.size()) {
        const std::size_t k = std::min(n, prefix_.size() - prefix_done_);
        std::memcpy(into, prefix_.data() + prefix_done_, k);
        prefix_done_ += k;
        return static_cast<ssize_t>(k);
    }
    return reader_->read_some(into, n);
}

#ifndef __GLIBC__
#error "CookieFile::offset reads glibc's FILE fields"
#endif

std::uint64_t CookieFile::offset() const {
    // glibc's FILE fields are public (<bits/types/struct_FILE.h>); ftell() computes the same
    // difference, behind a lock and three indirect calls, which cost a fifth of reading pcapng.
    return reader_->offset() - static_cast<std::uint64_t>(file_->_IO_read_end - file_->_IO_read_ptr);
}

}  // namespace capture
