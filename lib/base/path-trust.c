/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <string.h>
#include <sys/stat.h>

#include "chase.h"
#include "macro.h"
#include "path-trust.h"
#include "path-util.h"

static int lstat_under(Root *root, const char *path, struct stat *st) {
        _cleanup_free_ char *full = root_prefix(root, path);

        if (!full)
                return -ENOMEM;
        return root_lstat(root, path, full, st);
}

static bool is_trusted_owner(uid_t uid) {
        return uid == 0 || uid == geteuid();
}

static bool is_shared_sticky(const struct stat *st) {
        return S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX) && (st->st_mode & (S_IWGRP | S_IWOTH));
}

static int check_one(Root *root, const char *path, char **ret_reason) {
        struct stat st;
        int r;

        r = lstat_under(root, path, &st);
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

/* path_check_trusted() whatever root says of trust_all. */
static int check_trusted(Root *root, const char *path, char **ret_reason) {
        _cleanup_free_ char *resolved = NULL;
        int r;

        r = chase_under_root(root, path, &resolved);
        if (r < 0)
                return r;

        /* "/", then each prefix of the resolved path. */
        r = check_one(root, "/", ret_reason);
        for (char *p = resolved + 1; r >= 0 && *p; p++) {
                if (*p != '/')
                        continue;
                *p = '\0';
                r = check_one(root, resolved, ret_reason);
                *p = '/';
        }
        if (r >= 0 && !streq(resolved, "/"))
                r = check_one(root, resolved, ret_reason);
        return r;
}

int path_check_trusted(Root *root, const char *path, char **ret_reason) {
        assert(root);
        assert(path);

        if (root->trust_all)
                return 0;
        return check_trusted(root, path, ret_reason);
}

/* The directories above resolved (not resolved itself), from "/" down;
 * what lies in a sticky directory others may write must be root's, or
 * its owner could move it away and put a link in its place. */
static int check_above(Root *root, char *resolved, char **ret_reason) {
        struct stat st;
        bool sticky;
        int r;

        r = check_one(root, "/", ret_reason);
        if (r < 0)
                return r;
        r = lstat_under(root, "/", &st);
        if (r < 0)
                return r;
        sticky = is_shared_sticky(&st);
        for (char *p = resolved + 1;; p++) {
                bool last = *p == '\0';

                if (*p != '/' && !last)
                        continue;
                *p = '\0';
                r = lstat_under(root, resolved, &st);
                if (r >= 0 && sticky && !is_trusted_owner(st.st_uid))
                        r = asprintf(ret_reason,
                                     "%s is owned by uid %u and lies in a directory others may write (sticky): its "
                                     "owner could replace it",
                                     resolved, (unsigned) st.st_uid) < 0 ? -ENOMEM : -EPERM;
                else if (r >= 0 && !last)
                        r = check_one(root, resolved, ret_reason);
                if (!last)
                        *p = '/';
                if (r < 0 || last)
                        return r;
                sticky = is_shared_sticky(&st);
        }
}

int path_check_trusted_source(Root *root, const char *path, char **ret_reason) {
        _cleanup_free_ char *resolved = NULL, *missing = NULL;
        int r;

        assert(root);
        assert(path);

        r = chase_under_root(root, path, &resolved);
        if (r == -ENOENT) {
                /* Not there yet: whoever may create it must be root. */
                missing = strdup(path);
                if (!missing)
                        return -ENOMEM;
                for (;;) {
                        char *slash = strrchr(missing, '/');

                        if (!slash || slash == missing)
                                return check_trusted(root, "/", ret_reason);
                        *slash = '\0';
                        r = chase_under_root(root, missing, &resolved);
                        if (r != -ENOENT)
                                break;
                }
                if (r < 0)
                        return r;
                return check_trusted(root, resolved, ret_reason);
        }
        if (r < 0)
                return r;
        if (!streq(path, resolved)) {
                /* Reached through links: those too must be root's, where
                 * only root can change them. */
                _cleanup_free_ char *parent = strdup(path);
                char *slash = parent ? strrchr(parent, '/') : NULL;
                struct stat st;

                if (!parent)
                        return -ENOMEM;
                if (slash && slash != parent) {
                        *slash = '\0';
                        r = check_trusted(root, parent, ret_reason);
                        if (r < 0)
                                return r;
                }
                r = lstat_under(root, path, &st);
                if (r < 0)
                        return r;
                if (S_ISLNK(st.st_mode) && !is_trusted_owner(st.st_uid))
                        return asprintf(ret_reason, "%s is a link owned by uid %u, not by root", path,
                                        (unsigned) st.st_uid) < 0 ? -ENOMEM : -EPERM;
        }
        if (streq(resolved, "/"))
                return 0;
        return check_above(root, resolved, ret_reason);
}
