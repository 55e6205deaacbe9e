// fopencookie(3): glibc calls read_fn to fill the FILE's buffer and seek_fn(0, SEEK_CUR) for
// ftell(). A cookie stream must stay buffered: unbuffered, glibc reads it a byte at a time.
#include "capture/cookie_file.hpp"

#include <cerrno>

namespace capture {
namespace {

ssize_t read_fn(void* cookie, char* buf, std::size_t size) { return static_cast<ByteReader*>(cookie)->read_some(buf, size); }

int seek_fn(void* cookie, off64_t* offset, int whence) {
    // Only "where are we" is answered; libpcap never seeks a savefile it reads.
    if (whence != SEEK_CUR || *offset != 0) {
        errno = ESPIPE;
        return -1;
    }
    *offset = static_cast<off64_t>(static_cast<ByteReader*>(cookie)->offset());
    return 0;
}

}  // namespace

std::FILE* open_cookie_file(ByteReader& reader) {
    cookie_io_functions_t io{read_fn, nullptr, seek_fn, nullptr};
    std::FILE* f = fopencookie(&reader, "rb", io);
    // One call per 256 KiB rather than per 8 KiB.
    if (f) setvbuf(f, nullptr, _IOFBF, 256 * 1024);
    return f;
}

std::uint64_t cookie_file_offset(std::FILE* f, const ByteReader& reader) {
#ifdef __GLIBC__
    // glibc's FILE fields are public (<bits/types/struct_FILE.h>); ftell() computes the same
    // difference, behind a lock and three indirect calls, which cost a fifth of reading pcapng.
    return reader.offset() - static_cast<std::uint64_t>(f->_IO_read_end - f->_IO_read_ptr);
#else
    (void)reader;
    return static_cast<std::uint64_t>(std::ftell(f));
#endif
}

}  // namespace capture
