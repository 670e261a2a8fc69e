/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "macro.h"
#include "write-file.h"

static int write_all(int fd, const char *p, size_t n) {
        while (n > 0) {
                ssize_t k = write(fd, p, n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                p += k;
                n -= (size_t) k;
        }
        return 0;
}

int write_file_atomic_at(int dirfd, const char *name, const char *content, size_t size) {
        _cleanup_free_ char *tmp = NULL;
        _cleanup_close_ int fd = -1;
        uint64_t rnd;
        int r;

        assert(name);
        assert(content);

        if (strchr(name, '/'))
                return -EINVAL;
        for (unsigned attempt = 0;; attempt++) {
                if (getrandom(&rnd, sizeof rnd, GRND_NONBLOCK) != sizeof rnd)
                        rnd = ((uint64_t) getpid() << 32) ^ (uint64_t) attempt ^ (uintptr_t) &rnd;
                free(tmp);
                if (asprintf(&tmp, ".#%s.%016llx", name, (unsigned long long) rnd) < 0) {
                        tmp = NULL;
                        return -ENOMEM;
                }
                fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
                if (fd >= 0)
                        break;
                if (errno != EEXIST || attempt >= 16)
                        return negative_errno();
        }

        r = write_all(fd, content, size);
        if (r >= 0 && fchmod(fd, 0644) < 0)
                r = negative_errno();
        /* On the disk before it takes the old one's place: after a crash,
         * name holds the old content or the new, never an empty file. */
        if (r >= 0 && fsync(fd) < 0)
                r = negative_errno();
        if (r >= 0 && close(TAKE_FD(fd)) < 0)
                r = negative_errno();
        /* rename() replaces a symlink at name itself, never its target. */
        if (r >= 0 && renameat(dirfd, tmp, dirfd, name) < 0)
                r = negative_errno();
        if (r < 0) {
                (void) unlinkat(dirfd, tmp, 0);
                return r;
        }
        /* and the rename itself (a directory fd opened O_PATH cannot be
         * synced: EBADF, and tmpfs has nothing to sync, both ignored) */
        if (fsync(dirfd) < 0 && errno != EBADF && errno != EINVAL && errno != EROFS)
                return negative_errno();
        return 0;
}

int open_subdirectory_at(int dirfd, const char *name) {
        int fd;

        assert(name);

        if (strchr(name, '/'))
                return -EINVAL;
        if (mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST)
                return negative_errno();
        fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        return fd < 0 ? negative_errno() : fd;
}
