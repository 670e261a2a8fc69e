/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-path.h>

#include "alloc-util.h"
#include "log.h"
#include "macro.h"
#include "path-list.h"
#include "path-util.h"
#include "strv.h"
#include "unit-search-path.h"

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
