// Which file an open descriptor or a name is, as the kernel sees it (st_dev, st_ino): the same
// file under another name, a symlink or a hard link has the same identity.
#pragma once

#include <sys/stat.h>

namespace capture {

struct FileIdentity {
    dev_t device = 0;
    ino_t inode = 0;
    friend bool operator==(const FileIdentity&, const FileIdentity&) = default;
};

}  // namespace capture
