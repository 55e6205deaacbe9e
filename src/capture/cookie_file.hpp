// A FILE* that reads from a ByteReader, for libpcap (pcapng and the rare formats sniff leaves to
// it): the bytes sniff already looked at are read again, and the position libpcap stands at is
// known without ftell()'s lseek(2), on pipes too.
#pragma once

#include <cstdio>

#include "capture/byte_reader.hpp"

namespace capture {

// The reader must outlive the FILE; fclose() does not close the reader's descriptor.
std::FILE* open_cookie_file(ByteReader& reader);

// The file offset of the next byte `f` (from open_cookie_file) will return: what the reader has
// handed over, less what the FILE still buffers.
std::uint64_t cookie_file_offset(std::FILE* f, const ByteReader& reader);

}  // namespace capture
