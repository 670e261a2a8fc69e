/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "alloc-util.h"
#include "chase.h"
#include "dropin-name.h"
#include "log.h"
#include "path-index.h"
#include "path-util.h"
#include "read-file.h"
#include "unit-lookup.h"

/* Whether path under root is a symlink to /dev/null: recognised by name,
 * as spec-dirs.c does, so that it works under a root without /dev. */
static bool is_null_link(Root *root, const char *path) {
        _cleanup_free_ char *full = root_prefix(root, path);
        char target[16];
        ssize_t k;

        if (!full)
                return false;
        k = readlink(full, target, sizeof target - 1);
        if (k < 0)
                return false;
        target[k] = '\0';
        return streq(target, "/dev/null");
}

/* Resolves path under root; 1 with *ret for a non-empty regular file, 0
 * for a mask (empty, /dev/null), -ENOENT when there is nothing. */
static int resolve_unit_file(Root *root, const char *path, char **ret) {
        _cleanup_free_ char *resolved = NULL, *full = NULL;
        struct stat st;
        int r;

        if (is_null_link(root, path))
                return 0;
        r = chase_under_root(root, path, &resolved);
        if (r < 0)
                return r;
        full = root_prefix(root, resolved);
        if (!full)
                return -ENOMEM;
        if (streq(resolved, "/dev/null") || stat(full, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size == 0)
                return 0;
        *ret = TAKE_PTR(resolved);
        return 1;
}

typedef enum UnitDirState {
        UNIT_DIR_UNKNOWN,
        UNIT_DIR_MISSING, /* nothing can be found in it */
        UNIT_DIR_LISTED,  /* names holds every entry */
        UNIT_DIR_PROBE,   /* ask for each name, as without a cache */
} UnitDirState;

struct UnitDir {
        UnitDirState state;
        PathIndex names;
};

/* A symlink in a directory of the search path: a candidate alias. */
struct UnitLink {
        char *path;        /* DIR/NAME */
        char *name;        /* NAME */
        char *target_name; /* the last component of what it points to */
};

void unit_lookup_done(UnitLookup *c) {
        for (size_t i = 0; i < c->n; i++)
                path_index_done(&c->dirs[i].names);
        free(c->dirs);
        for (size_t i = 0; i < c->n_links; i++) {
                free(c->links[i].path);
                free(c->links[i].name);
                free(c->links[i].target_name);
        }
        free(c->links);
        *c = (UnitLookup) { .root = c->root, .search_path = c->search_path, .probe = c->probe };
}

static int list_unit_dir(Root *root, const char *dir, PathIndex *names) {
        _cleanup_closedir_ DIR *d = NULL;
        _cleanup_free_ char *full = root_prefix(root, dir);
        struct dirent *de;
        int r;

        if (!full)
                return -ENOMEM;
        r = opendir_at(AT_FDCWD, full, O_NOFOLLOW, &d);
        if (r < 0)
                return r;
        while ((errno = 0, de = readdir(d)))
                if (path_index_intern(names, de->d_name) < 0)
                        return -ENOMEM;
        return errno != 0 ? negative_errno() : 0;
}

/* Finds out once what dir (search_path[i]) is. Answers from the listing
 * must be those of asking name by name: the lookups below resolve
 * DIR/NAME both within root (chase_under_root()) and, for the /dev/null
 * link, with the kernel's resolution of ROOT/DIR/NAME. So a directory is
 * listed only when no component of it is a symlink (both resolutions
 * meet the same directory), and counted missing only when both fail to
 * reach it. Anything else is probed name by name. */
static int unit_dir_state(UnitLookup *l, size_t i, UnitDirState *ret) {
        _cleanup_free_ char *resolved = NULL, *full = NULL;
        const char *dir = l->search_path[i];
        UnitDir *u = &l->dirs[i];
        int r;

        if (u->state != UNIT_DIR_UNKNOWN) {
                *ret = u->state;
                return 0;
        }
        u->state = UNIT_DIR_PROBE;
        r = chase_under_root(l->root, dir, &resolved);
        if (r == -ENOMEM)
                return r;
        if (r >= 0 && streq(resolved, dir)) {
                r = list_unit_dir(l->root, dir, &u->names);
                if (r == -ENOMEM)
                        return r;
                if (r >= 0)
                        u->state = UNIT_DIR_LISTED;
                else
                        path_index_done(&u->names);
        } else if (r < 0) {
                full = root_prefix(l->root, dir);
                if (!full)
                        return -ENOMEM;
                if (access(full, F_OK) < 0 && (errno == ENOENT || errno == ENOTDIR))
                        u->state = UNIT_DIR_MISSING;
        }
        *ret = u->state;
        return 0;
}

/* 0 when search_path[i]/name is known not to exist, 1 when it may. */
static int unit_dir_may_have(UnitLookup *l, size_t i, const char *name) {
        UnitDirState state;
        int r;

        if (l->probe)
                return 1;
        if (!l->dirs) {
                size_t n = 0;

                while (l->search_path[n])
                        n++;
                l->dirs = calloc(n ?: 1, sizeof *l->dirs);
                if (!l->dirs)
                        return -ENOMEM;
                l->n = n;
        }
        assert(i < l->n);
        r = unit_dir_state(l, i, &state);
        if (r < 0)
                return r;
        if (state == UNIT_DIR_MISSING)
                return 0;
        if (state == UNIT_DIR_LISTED)
                return path_index_find(&l->dirs[i].names, name) >= 0;
        return 1;
}

/* The first unit file of that name in the search path; a mask there
 * counts as missing. */
static int find_unit_file(UnitLookup *l, const char *name, char **ret) {
        for (char *const *dir = l->search_path; *dir; dir++) {
                _cleanup_free_ char *path = NULL;
                int r;

                r = unit_dir_may_have(l, dir - l->search_path, name);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;
                if (asprintf(&path, "%s/%s", *dir, name) < 0)
                        return -ENOMEM;
                r = resolve_unit_file(l->root, path, ret);
                if (r == -ENOMEM || r >= 0)
                        return r;
        }
        return 0;
}

static bool is_generator_dir(const char *dir) {
        return streq(dir, "/run/systemd/generator") || streq(dir, "/run/systemd/generator.early") ||
               streq(dir, "/run/systemd/generator.late");
}

typedef struct Dropin {
        char *name, *path;
} Dropin;

static int compare_dropins(const void *a, const void *b) {
        return strcmp(((const Dropin *) a)->name, ((const Dropin *) b)->name);
}

/* The names whose NAME.d/ directories hold drop-ins for unit: the unit,
 * its template, its dash prefixes ("a-b-.service" for "a-b-c.service"),
 * and the type ("service"). */
static int dropin_names(const char *unit, PathList *names) {
        const char *dot = strrchr(unit, '.'), *at = strchr(unit, '@');
        int r;

        r = path_list_add(names, unit);
        if (r < 0)
                return r;
        if (at && at + 1 != dot) {
                char *t;
                if (asprintf(&t, "%.*s%s", (int) (at - unit + 1), unit, dot) < 0)
                        return -ENOMEM;
                r = path_list_consume(names, t);
                if (r < 0)
                        return r;
        }
        for (const char *p = unit; (p = strchr(p, '-')) && p < (at ?: dot); p++) {
                char *t;
                if (asprintf(&t, "%.*s%s", (int) (p - unit + 1), unit, dot) < 0)
                        return -ENOMEM;
                r = path_list_consume(names, t);
                if (r < 0)
                        return r;
        }
        return path_list_add(names, dot + 1);
}

/* The drop-ins found so far, by name: the first directory with a name
 * wins, which is how /etc overrides /usr/lib. */
typedef struct Dropins {
        Dropin *items;
        size_t n, allocated;
        char *shadow; /* a drop-in named as ours outside the generator directories */
} Dropins;

static void dropins_done(Dropins *x) {
        for (size_t i = 0; i < x->n; i++) {
                free(x->items[i].name);
                free(x->items[i].path);
        }
        free(x->items);
        free(x->shadow);
}

static int dropins_add(Dropins *x, const char *d, const char *name) {
        Dropin *p;

        for (size_t j = 0; j < x->n; j++)
                if (streq(x->items[j].name, name))
                        return 0;
        if (GREEDY_REALLOC(x->items, x->allocated, x->n + 1, 16) < 0)
                return -ENOMEM;
        p = &x->items[x->n];
        *p = (Dropin) { .name = strdup(name) };
        if (!p->name || asprintf(&p->path, "%s/%s", d, name) < 0) {
                free(p->name);
                return -ENOMEM;
        }
        x->n++;
        return 0;
}

/* The *.conf files of drop-in directory d, which lies in dir. */
static int scan_dropin_dir(UnitLookup *l, const char *dir, const char *d, Dropins *x) {
        _cleanup_closedir_ DIR *dp = NULL;
        struct dirent *de;
        int r;

        r = open_directory(l->root, d, &dp);
        if (r < 0)
                return r == -ENOMEM ? r : 0;
        while ((de = readdir(dp))) {
                size_t k = strlen(de->d_name);

                if (k <= 5 || !streq(de->d_name + k - 5, ".conf"))
                        continue;
                if (streq(de->d_name, DROPIN_NAME)) {
                        /* Our own output of an earlier run (confinementctl on a
                         * running system) is not the unit's: at boot the
                         * generator directories are empty. */
                        if (is_generator_dir(dir))
                                continue;
                        /* Anywhere else, one of that name takes its place. */
                        if (!x->shadow && asprintf(&x->shadow, "%s/%s", d, de->d_name) < 0) {
                                x->shadow = NULL;
                                return -ENOMEM;
                        }
                }
                r = dropins_add(x, d, de->d_name);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int find_dropins(UnitLookup *l, const PathList *units, PathList *files, char **ret_shadow) {
        _cleanup_(path_list_done) PathList names = {};
        _cleanup_(dropins_done) Dropins x = {};
        int r;

        /* The drop-in directories of every name, sorted together. */
        for (size_t i = 0; i < units->n; i++) {
                r = dropin_names(units->items[i], &names);
                if (r < 0)
                        return r;
        }
        path_list_sort_unique(&names);

        for (char *const *dir = l->search_path; *dir; dir++)
                for (size_t i = 0; i < names.n; i++) {
                        _cleanup_free_ char *d = NULL;

                        if (asprintf(&d, "%s/%s.d", *dir, names.items[i]) < 0)
                                return -ENOMEM;
                        r = unit_dir_may_have(l, dir - l->search_path, d + strlen(*dir) + 1);
                        if (r > 0)
                                r = scan_dropin_dir(l, *dir, d, &x);
                        if (r < 0)
                                return r;
                }

        if (x.n > 0)
                qsort(x.items, x.n, sizeof *x.items, compare_dropins);
        for (size_t i = 0; i < x.n; i++) {
                _cleanup_free_ char *resolved = NULL;

                /* A masked drop-in (empty or /dev/null) contributes nothing. */
                r = resolve_unit_file(l->root, x.items[i].path, &resolved);
                if (r == -ENOMEM)
                        return r;
                if (r > 0 && (r = path_list_add(files, x.items[i].path)) < 0)
                        return r;
        }
        *ret_shadow = TAKE_PTR(x.shadow);
        return 0;
}

/* Whether dir is one of the search path's directories. */
static bool in_search_path(char *const *search_path, const char *dir, size_t n) {
        for (char *const *d = search_path; *d; d++)
                if (strlen(*d) == n && strncmp(*d, dir, n) == 0)
                        return true;
        return false;
}

/* name as a name of unit: itself, or for an instance ("a@i.service") the
 * template alias "b@.service" as "b@i.service". 0 when it is none. */
static int add_alias(PathList *names, const char *unit, const char *name) {
        const char *at = strchr(unit, '@'), *dot = strrchr(unit, '.'), *nat = strchr(name, '@');
        const char *ndot = strrchr(name, '.');
        char *s;

        if (!dot || !ndot || !streq(ndot, dot))
                return 0;
        if (!at || at + 1 == dot) { /* a plain unit or a template: names of its kind */
                if (!nat != !at || (nat && nat + 1 != ndot))
                        return 0;
                return path_list_add(names, name);
        }
        if (!nat || nat + 1 != ndot)
                return 0;
        if (asprintf(&s, "%.*s%s", (int) (nat - name + 1), name, at + 1) < 0)
                return -ENOMEM;
        return path_list_consume(names, s);
}

/* Lists every symlink of the search path's directories once: the names
 * of units are looked for among them, for every unit. */
static int list_links(UnitLookup *c) {
        if (c->links_listed)
                return 0;
        for (char *const *dir = c->search_path; *dir; dir++) {
                _cleanup_free_ char *full = root_prefix(c->root, *dir);
                _cleanup_closedir_ DIR *d = NULL;
                struct dirent *de;

                if (!full)
                        return -ENOMEM;
                if (opendir_at(AT_FDCWD, full, 0, &d) < 0)
                        continue;
                while ((de = readdir(d))) {
                        char target[PATH_MAX];
                        const char *tbase;
                        UnitLink *l;
                        ssize_t k;

                        if (de->d_type != DT_LNK && de->d_type != DT_UNKNOWN)
                                continue;
                        k = readlinkat(dirfd(d), de->d_name, target, sizeof target - 1);
                        if (k < 0)
                                continue;
                        target[k] = '\0';
                        tbase = strrchr(target, '/');
                        tbase = tbase ? tbase + 1 : target;
                        if (GREEDY_REALLOC(c->links, c->allocated_links, c->n_links + 1, 16) < 0)
                                return -ENOMEM;
                        l = &c->links[c->n_links];
                        *l = (UnitLink) { .name = strdup(de->d_name), .target_name = strdup(tbase) };
                        if (asprintf(&l->path, "%s/%s", *dir, de->d_name) < 0)
                                l->path = NULL;
                        c->n_links++;
                        if (!l->name || !l->target_name || !l->path)
                                return -ENOMEM;
                }
        }
        c->links_listed = true;
        return 0;
}

/* Every name systemd loads unit under, whose file resolved to main_file:
 * the unit's own name, the file's name when it lies in the search path,
 * and every symlink in a directory of the search path to that file (an
 * alias; "systemctl enable" makes those of Alias=). A link counts when its
 * target's name is one of those names and it resolves to the same file. */
static int find_unit_names(UnitLookup *l, const char *unit, const char *main_file, PathList *names) {
        const char *base = strrchr(main_file, '/');
        int r;

        r = path_list_add(names, unit);
        if (r < 0)
                return r;
        if (base && in_search_path(l->search_path, main_file, (size_t) (base - main_file))) {
                r = add_alias(names, unit, base + 1);
                if (r < 0)
                        return r;
        }
        base = base ? base + 1 : main_file;

        r = list_links(l);
        if (r < 0)
                return r;
        for (size_t i = 0; i < l->n_links; i++) {
                const UnitLink *link = &l->links[i];
                _cleanup_free_ char *resolved = NULL;
                bool known = streq(link->target_name, base);

                for (size_t j = 0; j < names->n && !known; j++)
                        known = streq(link->target_name, names->items[j]);
                if (!known)
                        continue;
                r = resolve_unit_file(l->root, link->path, &resolved);
                if (r == -ENOMEM)
                        return r;
                if (r > 0 && streq(resolved, main_file)) {
                        r = add_alias(names, unit, link->name);
                        if (r < 0)
                                return r;
                }
        }
        path_list_sort_unique(names);
        return 0;
}

int unit_lookup_find(UnitLookup *l, const char *unit, PathList *names, PathList *files, char **ret_dropin_shadow) {
        _cleanup_free_ char *main_file = NULL;
        const char *at = strchr(unit, '@'), *dot = strrchr(unit, '.');
        int r;

        assert(l);
        assert(l->root);
        assert(l->search_path);
        assert(unit);
        assert(names);
        assert(files);
        assert(ret_dropin_shadow);

        r = find_unit_file(l, unit, &main_file);
        if (r == 0 && at && at + 1 != dot) {
                _cleanup_free_ char *template = NULL;
                if (asprintf(&template, "%.*s%s", (int) (at - unit + 1), unit, dot) < 0)
                        return -ENOMEM;
                r = find_unit_file(l, template, &main_file);
        }
        if (r <= 0)
                return r;
        r = path_list_add(files, main_file);
        if (r < 0)
                return r;
        r = find_unit_names(l, unit, main_file, names);
        if (r < 0)
                return r;
        r = find_dropins(l, names, files, ret_dropin_shadow);
        return r < 0 ? r : 1;
}
