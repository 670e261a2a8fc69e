/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "chase.h"
#include "macro.h"
#include "path-util.h"

int chase_under_root(Root *root, const char *path, char **ret_resolved) {
        _cleanup_free_ char *done = NULL, *todo = NULL;
        size_t done_len = 0;
        unsigned links = 0;
        char *rest;
        int r;

        assert(root);
        assert(ret_resolved);

        if (!path || path[0] != '/')
                return -EINVAL;

        done = malloc(PATH_MAX);
        todo = strdup(path);
        if (!done || !todo)
                return -ENOMEM;
        done[0] = '\0';
        rest = todo;

        for (;;) {
                _cleanup_free_ char *full = NULL;
                char *component, *slash;
                struct stat st;
                size_t n;

                rest += strspn(rest, "/");
                if (*rest == '\0')
                        break;
                component = rest;
                slash = strchr(rest, '/');
                if (slash) {
                        *slash = '\0';
                        rest = slash + 1;
                } else
                        rest += strlen(rest);

                if (streq(component, "."))
                        continue;
                if (streq(component, "..")) {
                        char *last = strrchr(done, '/');
                        if (last)
                                *last = '\0';
                        done_len = strlen(done);
                        continue;
                }

                n = strlen(component);
                if (done_len + 1 + n >= PATH_MAX)
                        return -ENAMETOOLONG;
                done[done_len] = '/';
                memcpy(done + done_len + 1, component, n + 1);

                full = root_prefix(root, done);
                if (!full)
                        return -ENOMEM;
                r = root_lstat(root, done, full, &st);
                if (r < 0) {
                        done[done_len] = '\0';
                        return r;
                }

                if (S_ISLNK(st.st_mode)) {
                        _cleanup_free_ char *target = NULL, *next = NULL;
                        ssize_t k;

                        if (++links > CHASE_MAX_LINKS)
                                return -ELOOP;
                        target = malloc(PATH_MAX);
                        if (!target)
                                return -ENOMEM;
                        k = readlink(full, target, PATH_MAX - 1);
                        if (k < 0)
                                return negative_errno();
                        target[k] = '\0';

                        /* The link's target, then whatever was left. */
                        if (asprintf(&next, "%s/%s", target, rest) < 0)
                                return -ENOMEM;
                        if (target[0] == '/')
                                done_len = 0;
                        done[done_len] = '\0';
                        free(todo);
                        todo = TAKE_PTR(next);
                        rest = todo;
                        continue;
                }

                done_len += 1 + n;
                if (*rest != '\0' && !S_ISDIR(st.st_mode))
                        return -ENOTDIR;
        }

        if (done_len == 0)
                strcpy(done, "/");
        *ret_resolved = strdup(done);
        return *ret_resolved ? 0 : -ENOMEM;
}
