// A FILE* that reads from a ByteReader, for libpcap (pcapng and the rare formats sniff leaves to
// it): the bytes sniff already looked at are read again, and ftell() is answered from the
// reader's count, with no lseek(2) per packet and on pipes too.
#pragma once

#include <cstdio>

#include "capture/byte_reader.hpp"

namespace capture {

// The reader must outlive the FILE; fclose() does not close the reader's descriptor.
std::FILE* open_cookie_file(ByteReader& reader);

}  // namespace capture
