/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "path-util.h"
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
        }
        free(e->entries);
        *e = (SpecEntries) {};
}

static void closedirp(DIR **d) {
        if (*d)
                closedir(*d);
}

static bool has_suffix(const char *s, const char *suffix) {
        size_t n = strlen(s), k = strlen(suffix);
        return n > k && strcmp(s + n - k, suffix) == 0;
}

/* As systemd's null_or_empty_path(): a symlink to /dev/null (checked by
 * name, so it works under a root with no /dev) or an empty file. */
static bool entry_is_mask(int dirfd, const char *name) {
        char target[PATH_MAX];
        struct stat st;
        ssize_t k;

        k = readlinkat(dirfd, name, target, sizeof target - 1);
        if (k > 0) {
                target[k] = '\0';
                if (strcmp(target, "/dev/null") == 0)
                        return true;
        }
        if (fstatat(dirfd, name, &st, 0) < 0)
                return false;
        return (S_ISREG(st.st_mode) && st.st_size == 0) || S_ISCHR(st.st_mode);
}

static int find_entry(const SpecEntries *e, const char *name) {
        for (size_t i = 0; i < e->n; i++)
                if (strcmp(e->entries[i].name, name) == 0)
                        return (int) i;
        return -1;
}

static int add_dir(const char *root, const char *dir, SpecEntries *e) {
        _cleanup_free_ char *full = NULL;
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *de;

        full = path_prefix_root(root, dir);
        if (!full)
                return log_oom();
        d = opendir(full);
        if (!d) {
                if (errno == ENOENT)
                        return 0;
                return log_warning_errno(errno, "%s: cannot read spec directory, ignoring: %m", dir);
        }

        while ((errno = 0, de = readdir(d))) {
                _cleanup_free_ char *name = NULL, *path = NULL;
                SpecEntry *p;

                if (de->d_name[0] == '.' || !has_suffix(de->d_name, SPEC_SUFFIX))
                        continue;
                if (find_entry(e, de->d_name) >= 0)
                        continue; /* an earlier directory has it */

                name = strdup(de->d_name);
                if (!name || asprintf(&path, "%s/%s", dir, de->d_name) < 0)
                        return log_oom();
                p = reallocarray(e->entries, e->n + 1, sizeof *p);
                if (!p)
                        return log_oom();
                e->entries = p;
                e->entries[e->n++] = (SpecEntry) {
                        .name = TAKE_PTR(name),
                        .path = TAKE_PTR(path),
                        .masked = entry_is_mask(dirfd(d), de->d_name),
                };
        }
        if (errno != 0)
                return log_warning_errno(errno, "%s: cannot read spec directory: %m", dir);
        return 0;
}

static int compare_entries(const void *a, const void *b) {
        return strcmp(((const SpecEntry *) a)->name, ((const SpecEntry *) b)->name);
}

int spec_dirs_enumerate(const char *root, SpecEntries *ret) {
        SpecEntries e = {};
        int r;

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
