/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <sys/stat.h>

#include "macro.h"
#include "path-util.h"
#include "read-file.h"

int open_regular_file(const char *root, const char *path, FILE **ret) {
        _cleanup_free_ char *full = path_prefix_root(root, path);
        _cleanup_close_ int fd = -1;
        struct stat st;
        FILE *f;

        if (!full)
                return -ENOMEM;
        /* O_NONBLOCK: opening a FIFO for reading would wait for a writer. */
        fd = open(full, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return negative_errno();
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (!S_ISREG(st.st_mode))
                return -EBADFD;
        if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0)
                return negative_errno();
        f = fdopen(fd, "re");
        if (!f)
                return -ENOMEM;
        TAKE_FD(fd);
        *ret = f;
        return 0;
}
