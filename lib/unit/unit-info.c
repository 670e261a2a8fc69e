/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <systemd/sd-path.h>

#include "alloc-util.h"
#include "chase.h"
#include "dropin-name.h"
#include "log.h"
#include "path-index.h"
#include "path-util.h"
#include "read-file.h"
#include "store-path.h"
#include "unit-file.h"
#include "unit-info.h"

static const char *const exec_settings[] = {
        "ExecCondition", "ExecStart",  "ExecStartPre", "ExecStartPost",
        "ExecReload",    "ExecStop",   "ExecStopPost",
};
#define N_EXEC_SETTINGS ELEMENTSOF(exec_settings)

void strv_free(char **l) {
        if (!l)
                return;
        for (char **p = l; *p; p++)
                free(*p);
        free(l);
}

static const char *const mode_setting_names[_MODE_SETTING_MAX] = {
        [MODE_SETTING_MOUNT_API_VFS] = "MountAPIVFS",
        [MODE_SETTING_PRIVATE_DEVICES] = "PrivateDevices",
        [MODE_SETTING_PRIVATE_TMP] = "PrivateTmp",
        [MODE_SETTING_PRIVATE_USERS] = "PrivateUsers",
        [MODE_SETTING_PROTECT_CONTROL_GROUPS] = "ProtectControlGroups",
        [MODE_SETTING_PROTECT_KERNEL_MODULES] = "ProtectKernelModules",
        [MODE_SETTING_PROTECT_KERNEL_TUNABLES] = "ProtectKernelTunables",
};

const char *mode_setting_to_string(ModeSetting s) {
        return s >= 0 && s < _MODE_SETTING_MAX ? mode_setting_names[s] : NULL;
}

/* The settings the confinement is made of: a drop-in after the generator's
 * that empties one of them undoes the confinement. */
static const char *const structural_settings[] = {
        "RootDirectory", "RootImage", "TemporaryFileSystem", "BindPaths", "BindReadOnlyPaths",
};

void unit_info_done(UnitInfo *u) {
        path_list_done(&u->names);
        path_list_done(&u->service_keys);
        path_list_done(&u->files);
        path_list_done(&u->exec_store_paths);
        path_list_done(&u->all_store_paths);
        free(u->root_directory);
        free(u->root_directory_file);
        free(u->root_image);
        free(u->root_image_file);
        free(u->root_directory_start_only_file);
        for (size_t i = 0; i < _MODE_SETTING_MAX; i++)
                free(u->mode_settings[i]);
        free(u->full_privilege_command);
        free(u->confinement_reset);
        free(u->dropin_shadow_file);
        free(u->user);
        *u = (UnitInfo) { .private_tmp = -1 };
}

const GeneratorDirs generator_dirs_default = {
        .normal = "/run/systemd/generator",
        .early = "/run/systemd/generator.early",
        .late = "/run/systemd/generator.late",
};

/* The entries every system manager's search path has, in this order
 * (systemd.unit(5), 252 to 262): no other path libsystemd answers has
 * them all. */
static const char *const search_path_anchors[] = {
        "/run/systemd/transient", "/run/systemd/generator.early", "/etc/systemd/system",
        "/run/systemd/system",    "/run/systemd/generator",       "/run/systemd/generator.late",
};

bool unit_search_path_plausible(char *const *l) {
        size_t i = 0;

        if (!l)
                return false;
        for (; *l; l++) {
                if (**l != '/')
                        return false;
                if (i < ELEMENTSOF(search_path_anchors) && streq(*l, search_path_anchors[i]))
                        i++;
        }
        return i == ELEMENTSOF(search_path_anchors);
}

/* Appends s (or, for a generator entry, its place in dirs) unless it is
 * there already; systemd drops duplicates too. */
static int search_path_add(PathList *l, const char *s, const GeneratorDirs *dirs) {
        if (streq(s, generator_dirs_default.normal))
                s = dirs->normal;
        else if (streq(s, generator_dirs_default.early))
                s = dirs->early;
        else if (streq(s, generator_dirs_default.late))
                s = dirs->late;
        for (size_t i = 0; i < l->n; i++)
                if (streq(l->items[i], s))
                        return 0;
        return path_list_add(l, s);
}

/* The entries of $SYSTEMD_UNIT_PATH, split at ":" (empty ones dropped, as
 * systemd does); 1 when the default path is to be appended. */
static int split_env(const char *env, PathList *ret, char **ret_doubt) {
        size_t n = strlen(env);
        bool append = n > 0 && env[n - 1] == ':';

        for (const char *p = env; *p;) {
                size_t k = strcspn(p, ":");

                if (k > 0) {
                        _cleanup_free_ char *e = strndup(p, k);
                        int r;

                        if (!e)
                                return -ENOMEM;
                        if (*e != '/') {
                                /* systemd makes it absolute against its own
                                 * working directory, which we cannot see. */
                                if (!*ret_doubt &&
                                    asprintf(ret_doubt,
                                             "$SYSTEMD_UNIT_PATH has the relative entry \"%s\", which the "
                                             "generator cannot resolve as systemd does",
                                             e) < 0)
                                        return -ENOMEM;
                        } else {
                                r = path_list_add(ret, e);
                                if (r < 0)
                                        return r;
                        }
                }
                p += k;
                if (*p == ':')
                        p++;
        }
        return append;
}

/* answer without the $SYSTEMD_UNIT_PATH entries libsystemd put first,
 * when it is plausible. */
static char *const *library_default(char *const *answer, const PathList *env) {
        if (!answer)
                return NULL;
        for (size_t i = 0; i < env->n && answer[0] && streq(answer[0], env->items[i]); i++)
                answer++;
        return unit_search_path_plausible(answer) ? answer : NULL;
}

int unit_search_path_build(const char *env, char **const *library, size_t n_library, const GeneratorDirs *dirs,
                           char ***ret, char **ret_doubt) {
        _cleanup_(path_list_done) PathList l = {}, from_env = {};
        _cleanup_free_ char *doubt = NULL;
        char *const *found = NULL;
        size_t n_found = 0;
        int r, append = 1;

        assert(ret);
        assert(ret_doubt);
        dirs = dirs ?: &generator_dirs_default;

        if (env) {
                append = split_env(env, &from_env, &doubt);
                if (append < 0)
                        return append;
                for (size_t i = 0; i < from_env.n; i++) {
                        r = search_path_add(&l, from_env.items[i], dirs);
                        if (r < 0)
                                return r;
                }
        }
        if (append) {
                /* The answer to the value of our headers first; else the
                 * one other value that answers the system unit search path. */
                found = n_library > 0 ? library_default(library[0], &from_env) : NULL;
                for (size_t i = 1; !found && i < n_library; i++)
                        if (library_default(library[i], &from_env))
                                n_found++;
                for (size_t i = 1; !found && n_found == 1 && i < n_library; i++)
                        found = library_default(library[i], &from_env);
                if (found && n_found == 1)
                        log_notice("libsystemd answers the system unit search path to another SD_PATH_* value "
                                   "than the headers this program was built with (a newer libsystemd): taking "
                                   "that answer; a rebuild against the installed libsystemd is due.");
                if (!found && !doubt &&
                    asprintf(&doubt,
                             "libsystemd answers no plausible system unit search path (%zu values of SD_PATH_* "
                             "answer one with /etc/systemd/system, /run/systemd/system and the generator "
                             "directories in systemd's order); was the generator built against another "
                             "libsystemd's headers?",
                             n_found) < 0)
                        return -ENOMEM;
                for (char *const *p = found; p && *p; p++) {
                        r = search_path_add(&l, *p, dirs);
                        if (r < 0)
                                return r;
                }
        }

        /* A NULL-terminated copy of the list's items, owned by the caller. */
        char **v = reallocarray(l.items, l.n + 1, sizeof *v);
        if (!v)
                return -ENOMEM;
        v[l.n] = NULL;
        l = (PathList) {};
        *ret = v;
        *ret_doubt = TAKE_PTR(doubt);
        return 0;
}

/* Values of SD_PATH_* asked when the one of our headers does not answer
 * the system unit search path: 252 has 52, 262 some more. */
#define SD_PATH_SCAN_MAX 128

int unit_search_path(const GeneratorDirs *dirs, char ***ret, char **ret_doubt) {
        char **answers[SD_PATH_SCAN_MAX + 1] = {};
        const char *env = getenv("SYSTEMD_UNIT_PATH");
        size_t n = 0;
        int r;

        assert(ret);
        assert(ret_doubt);

        /* Without a trailing ":", $SYSTEMD_UNIT_PATH is the whole path. */
        if (!env || (*env && env[strlen(env) - 1] == ':')) {
                if (sd_path_lookup_strv(SD_PATH_SYSTEMD_SEARCH_SYSTEM_UNIT, NULL, &answers[n]) < 0)
                        answers[n] = NULL;
                n++;
                if (!unit_search_path_plausible(answers[0]))
                        for (uint64_t v = 0; v < SD_PATH_SCAN_MAX; v++) {
                                if (v == SD_PATH_SYSTEMD_SEARCH_SYSTEM_UNIT)
                                        continue;
                                if (sd_path_lookup_strv(v, NULL, &answers[n]) < 0)
                                        answers[n] = NULL;
                                n++;
                        }
        }
        r = unit_search_path_build(env, answers, n, dirs, ret, ret_doubt);
        for (size_t i = 0; i < n; i++)
                strv_free(answers[i]);
        return r;
}

typedef struct Collector {
        UnitInfo *info;
        const char *file;
        bool after_ours; /* file is a drop-in that sorts after the generator's */
        const char *store_dir;
        PathList exec_values[N_EXEC_SETTINGS]; /* an empty assignment resets */
        /* "FILE:LINE: KEY=VALUE" of the full-privilege commands of each */
        PathList exec_full_privilege[N_EXEC_SETTINGS];
} Collector;

static void collector_done(Collector *c) {
        for (size_t i = 0; i < N_EXEC_SETTINGS; i++) {
                path_list_done(&c->exec_values[i]);
                path_list_done(&c->exec_full_privilege[i]);
        }
}

/* Whether a command line runs with full privileges: "+" among the
 * prefixes systemd reads before the program ("-", "@", ":", "+", "!", and
 * since 257 "|"). */
static bool command_has_full_privilege(const char *value) {
        for (const char *p = value; *p && strchr("-@:+!|", *p); p++)
                if (*p == '+')
                        return true;
        return false;
}

static int set_value(char **value, const char *v) {
        char *a = NULL;

        if (*v && !(a = strdup(v)))
                return -ENOMEM;
        free(*value);
        *value = a;
        return 0;
}

static int set_string(char **value, char **file, const char *v, const char *f) {
        char *a = NULL, *b = NULL;

        if (*v) {
                a = strdup(v);
                b = strdup(f);
                if (!a || !b) {
                        free(a);
                        free(b);
                        return -ENOMEM;
                }
        }
        free(*value);
        free(*file);
        *value = a;
        *file = b;
        return 0;
}

static int collect_assignment(const char *section, const char *key, const char *value, unsigned line,
                              void *userdata) {
        Collector *c = userdata;
        UnitInfo *u = c->info;
        int r;

        r = store_paths_extract(value, c->store_dir, &u->all_store_paths);
        if (r < 0)
                return r;
        if (!streq(section, "Service"))
                return 0;
        r = path_list_add(&u->service_keys, key);
        if (r < 0)
                return r;

        for (size_t i = 0; i < N_EXEC_SETTINGS; i++)
                if (streq(key, exec_settings[i])) {
                        char *origin;

                        if (*value == '\0') {
                                path_list_done(&c->exec_values[i]);
                                path_list_done(&c->exec_full_privilege[i]);
                                return 0;
                        }
                        if (command_has_full_privilege(value)) {
                                if (asprintf(&origin, "%s:%u: %s=%s", c->file, line, key, value) < 0)
                                        return -ENOMEM;
                                r = path_list_consume(&c->exec_full_privilege[i], origin);
                                if (r < 0)
                                        return r;
                        }
                        return path_list_add(&c->exec_values[i], value);
                }

        for (size_t i = 0; i < ELEMENTSOF(structural_settings); i++)
                if (c->after_ours && *value == '\0' && streq(key, structural_settings[i]) &&
                    !u->confinement_reset) {
                        if (asprintf(&u->confinement_reset, "%s:%u: %s=", c->file, line, key) < 0) {
                                u->confinement_reset = NULL;
                                return -ENOMEM;
                        }
                }

        if (streq(key, "PrivateTmp")) {
                r = unit_parse_boolean(value);
                u->private_tmp = r < 0 ? -1 : r;
        }
        for (ModeSetting s = 0; s < _MODE_SETTING_MAX; s++)
                if (streq(key, mode_setting_names[s]))
                        return set_value(&u->mode_settings[s], value);
        if (streq(key, "User"))
                return set_value(&u->user, value);
        if (streq(key, "DynamicUser")) {
                u->dynamic_user = unit_parse_boolean(value) > 0;
                return 0;
        }
        if (streq(key, "CapabilityBoundingSet") || streq(key, "AmbientCapabilities")) {
                u->sets_capabilities = true;
                return 0;
        }

        if (streq(key, "RootDirectory"))
                return set_string(&u->root_directory, &u->root_directory_file, value, c->file);
        if (streq(key, "RootImage"))
                return set_string(&u->root_image, &u->root_image_file, value, c->file);
        if (streq(key, "RootDirectoryStartOnly")) {
                free(u->root_directory_start_only_file);
                u->root_directory_start_only_file = unit_parse_boolean(value) > 0 ? strdup(c->file) : NULL;
                return unit_parse_boolean(value) > 0 && !u->root_directory_start_only_file ? -ENOMEM : 0;
        }
        return 0;
}

static int parse_file(Root *root, const char *file, bool after_ours, Collector *c) {
        _cleanup_fclose_ FILE *f = NULL;
        int r;

        r = open_regular_file(root, file, &f);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return log_warning_errno(r, "%s: cannot read, ignoring: %m", file);
        c->file = file;
        c->after_ours = after_ours;
        return unit_file_parse(f, file, collect_assignment, c);
}

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

/* What the collector found in the unit's files, once all are read: the
 * first full-privilege command, the store paths the commands name. */
static int collector_finish(Collector *c) {
        UnitInfo *u = c->info;
        int r;

        for (size_t i = 0; i < N_EXEC_SETTINGS && !u->full_privilege_command; i++)
                if (c->exec_full_privilege[i].n > 0) {
                        u->full_privilege_command = strdup(c->exec_full_privilege[i].items[0]);
                        if (!u->full_privilege_command)
                                return -ENOMEM;
                }
        for (size_t i = 0; i < N_EXEC_SETTINGS; i++)
                for (size_t j = 0; j < c->exec_values[i].n; j++) {
                        r = store_paths_extract(c->exec_values[i].items[j], c->store_dir, &u->exec_store_paths);
                        if (r < 0)
                                return r;
                }
        path_list_sort_unique(&u->exec_store_paths);
        path_list_sort_unique(&u->all_store_paths);
        path_list_sort_unique(&u->service_keys);
        return 0;
}

/* The unit's file (or its template's), every name it is loaded under and
 * the drop-ins of them all, in u. */
static int find_unit(UnitLookup *l, const char *unit, UnitInfo *u) {
        _cleanup_free_ char *main_file = NULL;
        const char *at = strchr(unit, '@'), *dot = strrchr(unit, '.');
        int r;

        r = find_unit_file(l, unit, &main_file);
        if (r == 0 && at && at + 1 != dot) {
                _cleanup_free_ char *template = NULL;
                if (asprintf(&template, "%.*s%s", (int) (at - unit + 1), unit, dot) < 0)
                        return -ENOMEM;
                r = find_unit_file(l, template, &main_file);
        }
        if (r <= 0)
                return r;
        u->found = true;
        r = path_list_add(&u->files, main_file);
        if (r < 0)
                return r;
        r = find_unit_names(l, unit, main_file, &u->names);
        if (r < 0)
                return r;
        return find_dropins(l, &u->names, &u->files, &u->dropin_shadow_file);
}

int unit_info_load(UnitLookup *l, const char *unit, const char *store_dir, UnitInfo *ret) {
        _cleanup_(unit_info_done) UnitInfo u = { .private_tmp = -1 };
        _cleanup_(collector_done) Collector c = { .info = &u, .store_dir = store_dir };
        int r;

        assert(l);
        assert(l->root);
        assert(l->search_path);
        assert(unit);
        assert(ret);

        r = find_unit(l, unit, &u);
        if (r < 0)
                return r;
        for (size_t i = 0; i < u.files.n; i++) {
                const char *name = strrchr(u.files.items[i], '/');

                /* The unit file comes first, then the drop-ins sorted by name. */
                r = parse_file(l->root, u.files.items[i], i > 0 && name && strcmp(name + 1, DROPIN_NAME) > 0, &c);
                if (r == -ENOMEM)
                        return r;
        }
        r = collector_finish(&c);
        if (r < 0)
                return r;
        *ret = u;
        u = (UnitInfo) { .private_tmp = -1 };
        return 0;
}
