/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "chase.h"
#include "macro.h"
#include "path-util.h"
#include "read-file.h"

/* path as the host names it, in *ret_full. Under another root, an
 * absolute symlink means a path under that root, not on the host: it is
 * resolved here, and 1 says that the open must follow no link. On the
 * host, 0: the kernel follows them. */
static int host_path(Root *root, const char *path, char **ret_full) {
        _cleanup_free_ char *resolved = NULL;
        int r;

        if (!root_is_host(root)) {
                r = chase_under_root(root, path, &resolved);
                if (r < 0)
                        return r;
                path = resolved;
        }
        *ret_full = root_prefix(root, path);
        if (!*ret_full)
                return -ENOMEM;
        return resolved ? 1 : 0;
}

int open_regular_file(Root *root, const char *path, FILE **ret) {
        _cleanup_free_ char *full = NULL;
        _cleanup_close_ int fd = -1;
        int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, r;
        struct stat st;
        FILE *f;

        assert(root);
        assert(path);
        assert(ret);

        r = host_path(root, path, &full);
        if (r < 0)
                return r;
        if (r > 0)
                flags |= O_NOFOLLOW;
        /* O_NONBLOCK: opening a FIFO for reading would wait for a writer. */
        fd = open(full, flags);
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

int open_directory(Root *root, const char *path, DIR **ret) {
        _cleanup_free_ char *full = NULL;
        int r;

        assert(root);
        assert(path);
        assert(ret);

        r = host_path(root, path, &full);
        if (r < 0)
                return r;
        return opendir_at(AT_FDCWD, full, r > 0 ? O_NOFOLLOW : 0, ret);
}

int opendir_at(int dirfd, const char *path, int flags, DIR **ret) {
        int fd, r;
        DIR *d;

        assert(path);
        assert(ret);

        fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | flags);
        if (fd < 0)
                return negative_errno();
        d = fdopendir(fd);
        if (!d) {
                r = negative_errno();
                close(fd);
                return r;
        }
        *ret = d;
        return 0;
}
