/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <dirent.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "alloc-util.h"
#include "log.h"
#include "path-trust.h"
#include "path-util.h"
#include "read-file.h"
#include "spec-dirs.h"

const char *const spec_dirs[] = {
        "/etc/confinement.d",
        "/run/confinement.d",
        "/usr/local/lib/confinement.d",
        "/usr/lib/confinement.d",
        NULL,
};

void spec_entries_done(SpecEntries *e) {
        for (size_t i = 0; i < e->n; i++) {
                free(e->entries[i].name);
                free(e->entries[i].path);
                free(e->entries[i].distrust);
                path_list_done(&e->entries[i].shadowed);
        }
        free(e->entries);
        *e = (SpecEntries) {};
}

static bool has_suffix(const char *s, const char *suffix) {
        size_t n = strlen(s), k = strlen(suffix);
        return n > k && streq(s + n - k, suffix);
}

typedef enum MaskKind {
        NOT_MASKED,
        MASKED_BY_LINK,  /* a symlink to /dev/null */
        MASKED_BY_FILE,  /* an empty file (or a device node) */
} MaskKind;

/* As systemd's null_or_empty_path(); /dev/null is recognised by name, so
 * that it works under a root without /dev. */
static MaskKind entry_mask_kind(int dirfd, const char *name) {
        char target[PATH_MAX];
        struct stat st;
        ssize_t k;

        k = readlinkat(dirfd, name, target, sizeof target - 1);
        if (k > 0) {
                target[k] = '\0';
                if (streq(target, "/dev/null"))
                        return MASKED_BY_LINK;
        }
        if (fstatat(dirfd, name, &st, 0) < 0)
                return NOT_MASKED;
        return (S_ISREG(st.st_mode) && st.st_size == 0) || S_ISCHR(st.st_mode) ? MASKED_BY_FILE : NOT_MASKED;
}

/* The reason not to trust path, NULL when it can be trusted (or cannot be
 * checked: a missing file is reported when it is read). */
static int distrust_reason(Root *root, const char *path, char **ret) {
        _cleanup_free_ char *reason = NULL;
        int r;

        r = path_check_trusted(root, path, &reason);
        if (r == -ENOMEM)
                return r;
        *ret = r == -EPERM ? TAKE_PTR(reason) : NULL;
        return 0;
}

static int find_entry(const SpecEntries *e, const char *name) {
        for (size_t i = 0; i < e->n; i++)
                if (streq(e->entries[i].name, name))
                        return (int) i;
        return -1;
}

static int add_dir(Root *root, const char *dir, SpecEntries *e) {
        _cleanup_closedir_ DIR *d = NULL;
        _cleanup_free_ char *dir_distrust = NULL;
        struct dirent *de;
        int r;

        r = open_directory(root, dir, &d);
        if (r == -ENOENT)
                return 0;
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0)
                return log_warning_errno(r, "%s: cannot read spec directory, ignoring: %m", dir);
        r = distrust_reason(root, dir, &dir_distrust);
        if (r < 0)
                return log_oom();

        while ((errno = 0, de = readdir(d))) {
                _cleanup_free_ char *name = NULL, *path = NULL, *distrust = NULL;
                MaskKind mask;
                int k;

                if (de->d_name[0] == '.' || !has_suffix(de->d_name, SPEC_SUFFIX))
                        continue;
                k = find_entry(e, de->d_name);
                if (k >= 0) {
                        /* An earlier directory has it: it overrides or masks this one. */
                        char *shadowed;
                        if (asprintf(&shadowed, "%s/%s", dir, de->d_name) < 0 ||
                            path_list_consume(&e->entries[k].shadowed, shadowed) < 0)
                                return log_oom();
                        continue;
                }

                name = strdup(de->d_name);
                if (!name || asprintf(&path, "%s/%s", dir, de->d_name) < 0)
                        return log_oom();
                mask = entry_mask_kind(dirfd(d), de->d_name);
                if (dir_distrust)
                        distrust = strdup(dir_distrust);
                else if (mask == MASKED_BY_FILE && distrust_reason(root, path, &distrust) < 0)
                        return log_oom();
                if (dir_distrust && !distrust)
                        return log_oom();
                if (GREEDY_REALLOC(e->entries, e->allocated, e->n + 1, 16) < 0)
                        return log_oom();
                e->entries[e->n++] = (SpecEntry) {
                        .name = TAKE_PTR(name),
                        .path = TAKE_PTR(path),
                        .masked = mask != NOT_MASKED,
                        .distrust = TAKE_PTR(distrust),
                };
        }
        if (errno != 0)
                return log_warning_errno(errno, "%s: cannot read spec directory: %m", dir);
        return 0;
}

static int compare_entries(const void *a, const void *b) {
        return strcmp(((const SpecEntry *) a)->name, ((const SpecEntry *) b)->name);
}

int spec_dirs_enumerate(Root *root, SpecEntries *ret) {
        SpecEntries e = {};
        int r;

        assert(root);
        assert(ret);

        for (const char *const *dir = spec_dirs; *dir; dir++) {
                r = add_dir(root, *dir, &e);
                if (r == -ENOMEM) {
                        spec_entries_done(&e);
                        return r;
                }
        }
        if (e.n > 0)
                qsort(e.entries, e.n, sizeof *e.entries, compare_entries);
        *ret = e;
        return 0;
}
