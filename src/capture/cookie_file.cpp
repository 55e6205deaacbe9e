// fopencookie(3): glibc calls read_fn to fill the FILE's buffer and seek_fn(0, SEEK_CUR) for
// ftell(), which subtracts what is still buffered.
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

}  // namespace capture
