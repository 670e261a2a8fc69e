/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>
#include <sys/stat.h>

#include "chase.h"
#include "macro.h"
#include "path-trust.h"
#include "path-util.h"

static int check_one(ChaseCache *cache, const char *root, const char *path, char **ret_reason) {
        _cleanup_free_ char *full = path_prefix_root(root, path);
        struct stat st;
        int r;

        if (!full)
                return -ENOMEM;
        r = chase_cache_lstat(cache, path, full, &st);
        if (r < 0)
                return r;
        if (st.st_uid != 0 && st.st_uid != geteuid())
                r = asprintf(ret_reason, "%s is owned by uid %u, not by root", path, (unsigned) st.st_uid);
        else if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX)))
                r = asprintf(ret_reason, "%s is writable by %s (mode %04o)", path,
                             st.st_mode & S_IWOTH ? "anyone" : "its group", (unsigned) (st.st_mode & 07777));
        else
                return 0;
        return r < 0 ? -ENOMEM : -EPERM;
}

int path_check_trusted(const char *root, const char *path, char **ret_reason) {
        return path_check_trusted_cached(NULL, root, path, ret_reason);
}

int path_check_trusted_cached(ChaseCache *cache, const char *root, const char *path, char **ret_reason) {
        _cleanup_free_ char *resolved = NULL;
        int r;

        if (cache && cache->trust_all)
                return 0;
        r = chase_under_root_cached(cache, root, path, &resolved);
        if (r < 0)
                return r;

        /* "/", then each prefix of the resolved path. */
        r = check_one(cache, root, "/", ret_reason);
        for (char *p = resolved + 1; r >= 0 && *p; p++) {
                if (*p != '/')
                        continue;
                *p = '\0';
                r = check_one(cache, root, resolved, ret_reason);
                *p = '/';
        }
        if (r >= 0 && strcmp(resolved, "/") != 0)
                r = check_one(cache, root, resolved, ret_reason);
        return r;
}
