/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>

#include "alloc-util.h"
#include "macro.h"
#include "path-util.h"
#include "root.h"

void root_done(Root *r) {
        assert(r);

        path_index_done(&r->dirs);
        free(r->stats);
        *r = (Root) { .path = r->path, .trust_all = r->trust_all };
}

bool root_is_host(const Root *r) {
        assert(r);
        return path_is_root(r->path);
}

char *root_prefix(const Root *r, const char *path) {
        assert(r);
        return path_prefix_root(r->path, path);
}

int root_lstat(Root *r, const char *path, const char *full, struct stat *ret) {
        ssize_t i;

        assert(r);
        assert(path);
        assert(full);

        i = path_index_find(&r->dirs, path);
        if (i >= 0) {
                *ret = r->stats[i];
                return 0;
        }
        if (lstat(full, ret) < 0)
                return negative_errno();
        if (!S_ISDIR(ret->st_mode))
                return 0;

        /* Room first: a path interned has its stat. */
        if (GREEDY_REALLOC(r->stats, r->allocated, r->dirs.n + 1, 64) < 0)
                return -ENOMEM;
        i = path_index_intern(&r->dirs, path);
        if (i < 0)
                return (int) i;
        r->stats[i] = *ret;
        return 0;
}
