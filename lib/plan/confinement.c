/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc-util.h"
#include "chase.h"
#include "closure.h"
#include "closure-cache.h"
#include "confinement.h"
#include "unit-check.h"
#include "dropin-name.h"
#include "needs.h"
#include "path-trust.h"
#include "path-util.h"
#include "store-path.h"

Confinement *confinement_free(Confinement *c) {
        if (!c)
                return NULL;
        string_arena_done(&c->strings);
        free(c->binds);
        free(c->unit);
        free(c->spec_file);
        free(c->store_dir);
        free(c->view_dir);
        for (size_t i = 0; i < _MODE_SETTING_MAX; i++)
                free(c->unit_mode_settings[i]);
        path_list_done(&c->unit_keys);
        free(c);
        return NULL;
}

const char *bind_origin_to_string(BindOrigin o) {
        static const char *const names[_BIND_ORIGIN_MAX] = {
                [BIND_ORIGIN_CLOSURE] = "closure",
                [BIND_ORIGIN_BIN_SH] = "binSh",
                [BIND_ORIGIN_EXTRA] = "extra",
                [BIND_ORIGIN_NEED] = "need",
        };
        return o >= 0 && o < _BIND_ORIGIN_MAX ? names[o] : NULL;
}

const char *bind_origin_name(const Bind *b) {
        assert(b);
        return b->need ?: bind_origin_to_string(b->origin);
}

char *store_view_path(const char *store_dir) {
        assert(store_dir);

        char *s;
        return asprintf(&s, STORE_VIEW_DIR "%s", store_dir) < 0 ? NULL : s;
}

/* One confinement being planned: the run's caches (root, store,
 * closureInfos), the spec and the binds so far. */
typedef struct Planner {
        ClosureCache *cache;
        const Spec *spec;
        Confinement *c;
        size_t allocated; /* of c->binds */
        Diag *d;
} Planner;

/* b's source and target live in c->strings (NULL when copying them there
 * failed). */
static int add_bind(Planner *p, Bind b) {
        Confinement *c = p->c;

        if (!b.source || !b.target)
                return -ENOMEM;
        if (GREEDY_REALLOC(c->binds, p->allocated, c->n_binds + 1, 64) < 0)
                return -ENOMEM;
        c->binds[c->n_binds++] = b;
        return 0;
}

/* A copy of s in the confinement's strings. */
static char *keep(Planner *p, const char *s) {
        return string_arena_strdup(&p->c->strings, s);
}

/* VIEW_DIR/REST, where the caller checked that resolved lies below the
 * store directory as REST. Once per closure path: no printf. */
static char *view_source(Planner *p, const char *rest) {
        const char *view_dir = p->c->view_dir;
        size_t n, k;
        char *source;

        assert(view_dir);
        n = strlen(view_dir);
        k = strlen(rest);
        source = string_arena_alloc(&p->c->strings, n + 1 + k + 1);
        if (source) {
                memcpy(source, view_dir, n);
                source[n] = '/';
                memcpy(source + n + 1, rest, k + 1);
        }
        return source;
}

/* A store path (or a path in one) as the bind it needs: from the view, or
 * read-only from the store itself. */
static int add_store_bind(Planner *p, BindOrigin origin, const char *resolved, const char *target) {
        const Spec *spec = p->spec;
        const char *rest;

        if (spec->bind_method == BIND_METHOD_OVERLAY) {
                /* A store path proper is an entry of the closure's overlay,
                 * which shows it as it is (a symlink as a symlink); anything
                 * else (binSh, a path in a store path) a read-only bind. */
                rest = path_startswith(target, spec->store_dir);
                if ((origin == BIND_ORIGIN_CLOSURE || origin == BIND_ORIGIN_NEED) && rest && *rest && !strchr(rest, '/'))
                        return add_bind(p, (Bind) { BIND_IN_LAYER, origin, keep(p, target), keep(p, target), false, NULL });
        }
        if (spec->bind_method != BIND_METHOD_VIEW)
                return add_bind(p, (Bind) { BIND_READ_ONLY, origin, keep(p, resolved), keep(p, target), false, NULL });

        rest = path_startswith(resolved, spec->store_dir);
        if (!rest)
                return -EINVAL;
        return add_bind(p, (Bind) { BIND_FROM_VIEW, origin, view_source(p, rest), keep(p, target), false, NULL });
}

/* The check of every bind source outside the store, whatever list (a
 * closure's store-paths, bindPaths, bindReadOnlyPaths) it came from:
 * systemd follows links in the source at every start, so whoever may
 * replace a directory on the way chooses what is bound. */
static int check_bind_source(Planner *p, const char *key, const char *source) {
        _cleanup_free_ char *why = NULL;
        int r;

        r = path_check_trusted_source(p->cache->root, source, &why);
        if (r == -ENOMEM)
                return r;
        if (r == -EPERM)
                return diag_error(p->d, 0, key,
                                  "refusing to bind %s, which an unprivileged user could replace: %s.", source, why);
        return 0;
}

/* "/", the store directory or one of its ancestors (/nix): all of the
 * store, paths outside the closure and the store's database with it. */
static bool exposes_store(const Spec *spec, const char *path) {
        return path_startswith(spec->store_dir, path) != NULL;
}

static int add_closure_path(Planner *p, const char *path) {
        _cleanup_free_ char *resolved = NULL;
        const Spec *spec = p->spec;
        const char *why, *name;
        StoreEntryType type = STORE_ENTRY_SYMLINK;
        int r;

        if (exposes_store(spec, path))
                return diag_error(p->d, 0, "closureInfo",
                                  "expected store paths, got %s, which would expose all of %s.", path,
                                  spec->store_dir);

        /* A store path proper is looked up in the per-run cache; only a
         * symlink, or a path elsewhere, is resolved component by component. */
        name = path_startswith(path, spec->store_dir);
        if (name && !strchr(name, '/')) {
                r = store_cache_lookup(&p->cache->store, spec->store_dir, name, &type);
                if (r < 0)
                        return diag_error(p->d, r, "storeDir",
                                          "cannot open the store directory %s: %m.", spec->store_dir);
                if (type == STORE_ENTRY_MISSING)
                        return diag_error(p->d, ENOENT, "closureInfo",
                                          "closure path %s does not exist.", path);
        }
        if (type == STORE_ENTRY_OTHER)
                /* No symlink: the path itself, checked (path_check_safe())
                 * where store-paths, registration or the spec was read. */
                return add_store_bind(p, BIND_ORIGIN_CLOSURE, path, path);

        r = chase_under_root(p->cache->root, path, &resolved);
        if (r < 0)
                return diag_error(p->d, r, "closureInfo", "closure path %s cannot be resolved: %m.",
                                  path);
        if (path_check_safe(resolved, &why) < 0)
                return diag_error(p->d, 0, "closureInfo",
                                  "closure path %s resolves to a path that cannot be written safely: %s.", path,
                                  why);

        if (!name) {
                /* A plain list of paths outside any store: read-only binds,
                 * checked as the spec's own binds are. */
                if (exposes_store(spec, resolved))
                        return diag_error(p->d, 0, "closureInfo",
                                          "closure path %s resolves to %s, which would expose all of %s.", path,
                                          resolved, spec->store_dir);
                r = check_bind_source(p, "closureInfo", path);
                if (r < 0)
                        return r;
                return add_bind(p, (Bind) { BIND_READ_ONLY, BIND_ORIGIN_CLOSURE, keep(p, resolved), keep(p, path), false, NULL });
        }

        /* A store symlink pointing out of the store would expose host files. */
        if (!path_startswith(resolved, spec->store_dir) || streq(resolved, spec->store_dir))
                return diag_error(p->d, 0, "closureInfo",
                                  "closure path %s is a symlink to %s, outside the store directory %s.", path,
                                  resolved, spec->store_dir);
        return add_store_bind(p, BIND_ORIGIN_CLOSURE, resolved, path);
}

static int add_bin_sh(Planner *p, const Closure *closure) {
        _cleanup_free_ char *resolved = NULL, *store_path = NULL;
        const Spec *spec = p->spec;
        const char *rest;
        int r;

        r = chase_under_root(p->cache->root, spec->bin_sh, &resolved);
        if (r < 0)
                return diag_error(p->d, r, "binSh", "cannot resolve %s: %m.", spec->bin_sh);

        rest = path_startswith(resolved, spec->store_dir);
        if (!rest || *rest == '\0')
                return diag_error(p->d, 0, "binSh",
                                  "expected a program in the closure, got %s (resolved: %s), outside %s.",
                                  spec->bin_sh, resolved, spec->store_dir);
        if (asprintf(&store_path, "%s/%.*s", spec->store_dir, (int) strcspn(rest, "/"), rest) < 0)
                return -ENOMEM;
        if (!closure_contains(closure, store_path))
                return diag_error(p->d, 0, "binSh",
                                  "expected a program in the closure, got %s (resolved: %s), whose store path "
                                  "%s is not in the closure.",
                                  spec->bin_sh, resolved, store_path);

        return add_store_bind(p, BIND_ORIGIN_BIN_SH, resolved, "/bin/sh");
}

/* The spec's bindReadOnlyPaths (kind BIND_READ_ONLY) or bindPaths
 * (BIND_WRITABLE). */
static int add_extra_binds(Planner *p, BindKind kind) {
        const Spec *spec = p->spec;
        const char *key = kind == BIND_WRITABLE ? "bindPaths" : "bindReadOnlyPaths";
        const ExtraBind *binds = kind == BIND_WRITABLE ? spec->bind_writable : spec->bind_read_only;
        size_t n = kind == BIND_WRITABLE ? spec->n_bind_writable : spec->n_bind_read_only;
        int r;

        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *resolved = NULL;

                r = check_bind_source(p, key, binds[i].source);
                if (r < 0)
                        return r;
                if (!binds[i].optional) {
                        r = chase_under_root(p->cache->root, binds[i].source, &resolved);
                        if (r < 0)
                                return diag_error(p->d, r, key,
                                                  "%s cannot be bound: %m (set \"optional\": true to skip it "
                                                  "when it is missing).",
                                                  binds[i].source);
                }
                r = add_bind(p, (Bind) { kind, BIND_ORIGIN_EXTRA, keep(p, binds[i].source), keep(p, binds[i].target),
                                         binds[i].optional, NULL });
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The store path a need's member leads into joins the closure, at its own
 * path; the member is bound from its file there. */
static int add_need_store_bind(Planner *p, NeedId id, const char *resolved, const char *rest, const char *target) {
        _cleanup_free_ char *store_path = NULL;
        int r;

        if (asprintf(&store_path, "%s/%.*s", p->spec->store_dir, (int) strcspn(rest, "/"), rest) < 0)
                return -ENOMEM;
        r = add_store_bind(p, BIND_ORIGIN_NEED, store_path, store_path);
        if (r < 0)
                return r;
        p->c->binds[p->c->n_binds - 1].need = need_origin_string(id);
        r = add_store_bind(p, BIND_ORIGIN_NEED, resolved, target);
        if (r < 0)
                return r;
        p->c->binds[p->c->n_binds - 1].need = need_origin_string(id);
        return 0;
}

/* A need's file itself (resolved) must be root's and not writable by
 * others, as any system file; a socket is writable by everyone who may
 * connect, by design. -EPERM with *ret_reason. */
static int check_need_file(Root *root, const char *resolved, char **ret_reason) {
        _cleanup_free_ char *full = root_prefix(root, resolved);
        struct stat st;
        int r;

        if (!full)
                return -ENOMEM;
        r = root_lstat(root, resolved, full, &st);
        if (r < 0)
                return r;
        if (S_ISSOCK(st.st_mode))
                return 0;
        if (st.st_uid != 0 && st.st_uid != geteuid())
                r = asprintf(ret_reason, "%s is owned by uid %u, not by root", resolved, (unsigned) st.st_uid);
        else if (st.st_mode & (S_IWGRP | S_IWOTH))
                r = asprintf(ret_reason, "%s is writable by %s (mode %04o)", resolved,
                             st.st_mode & S_IWOTH ? "anyone" : "its group", (unsigned) (st.st_mode & 07777));
        else
                return 0;
        return r < 0 ? -ENOMEM : -EPERM;
}

/* A member as named, resolved by systemd at each start: a runtime member
 * (needs.h), or a link whose target is made at run time (systemd-resolved's
 * stub behind /etc/resolv.conf, at boot). What exists was checked. */
static int add_need_as_named(Planner *p, NeedId id, const NeedMember *m, bool optional) {
        return add_bind(p, (Bind) { BIND_READ_ONLY, BIND_ORIGIN_NEED, keep(p, m->path), keep(p, m->path), optional,
                                    need_origin_string(id) });
}

/* One member of a need: refused when an unprivileged user could change it
 * or a link on its way, skipped when missing and optional, else bound
 * read-only from where its links lead, and that file also at its own path
 * (localtime's zone file). */
static int add_need_member(Planner *p, NeedId id, const NeedMember *m, bool need_optional) {
        _cleanup_free_ char *resolved = NULL, *why = NULL, *full = NULL;
        const Spec *spec = p->spec;
        const char *name = need_to_string(id), *origin = need_origin_string(id), *rest, *unsafe;
        bool optional = m->optional || need_optional;
        struct stat st;
        int r;

        /* Also for a missing member: its nearest existing parent. */
        r = path_check_trusted_source(p->cache->root, m->path, &why);
        if (r == -ENOMEM)
                return r;
        if (r == -EPERM)
                return diag_error(p->d, 0, "needs",
                                  "need \"%s\": refusing %s, which an unprivileged user could replace: %s.", name,
                                  m->path, why);
        r = chase_under_root(p->cache->root, m->path, &resolved);
        if (r == -ENOENT) {
                /* a dangling link (into /run, at boot) counts as there */
                full = root_prefix(p->cache->root, m->path);
                if (!full)
                        return -ENOMEM;
                if (m->runtime || (root_lstat(p->cache->root, m->path, full, &st) >= 0 && S_ISLNK(st.st_mode)))
                        return add_need_as_named(p, id, m, optional);
        }
        if (r == -ENOENT && optional)
                return 0;
        if (r == -ENOENT)
                return diag_error(p->d, r, "needs",
                                  "need \"%s\": %s is missing (name the need \"-%s\" to skip what is missing).",
                                  name, m->path, name);
        if (r < 0)
                return diag_error(p->d, r, "needs", "need \"%s\": %s cannot be resolved: %m.", name,
                                  m->path);
        if (path_check_safe(resolved, &unsafe) < 0)
                return diag_error(p->d, 0, "needs",
                                  "need \"%s\": %s resolves to a path that cannot be written safely: %s.", name,
                                  m->path, unsafe);
        r = check_need_file(p->cache->root, resolved, &why);
        if (r == -EPERM)
                return diag_error(p->d, 0, "needs",
                                  "need \"%s\": refusing %s, which an unprivileged user could change: %s.", name,
                                  m->path, why);
        if (r < 0)
                return r == -ENOMEM ? r
                                    : diag_error(p->d, r, "needs", "need \"%s\": cannot look at %s: %m.",
                                                 name, resolved);
        if (m->runtime)
                return add_need_as_named(p, id, m, optional);

        rest = path_startswith(resolved, spec->store_dir);
        if (rest && *rest)
                return add_need_store_bind(p, id, resolved, rest, m->path);

        r = add_bind(p, (Bind) { BIND_READ_ONLY, BIND_ORIGIN_NEED, keep(p, resolved), keep(p, m->path), optional,
                                 origin });
        if (r >= 0 && !streq(resolved, m->path))
                r = add_bind(p, (Bind) { BIND_READ_ONLY, BIND_ORIGIN_NEED, keep(p, resolved), keep(p, resolved),
                                         optional, origin });
        return r;
}

/* Every member of the spec's needs (needs.h). */
static int add_needs(Planner *p) {
        const NeedSet *set = &p->spec->needs;
        int r;

        for (NeedId id = 0; id < _NEED_MAX; id++) {
                const NeedMember *members;
                size_t n = 0;

                if (!need_set_has(set, id))
                        continue;
                members = need_members(id, &n);
                for (size_t i = 0; i < n; i++) {
                        r = add_need_member(p, id, &members[i], need_set_optional(set, id));
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

static int compare_binds(const void *a, const void *b) {
        const Bind *x = a, *y = b;
        int r;

        r = strcmp(x->target, y->target);
        if (r != 0)
                return r;
        r = strcmp(x->source, y->source);
        if (r != 0)
                return r;
        if (x->kind != y->kind)
                return x->kind < y->kind ? -1 : 1;
        return (int) x->optional - (int) y->optional;
}

/* The spec key a bind comes from, for messages. */
static const char *bind_key(const Bind *b) {
        switch (b->origin) {
        case BIND_ORIGIN_BIN_SH:
                return "binSh";
        case BIND_ORIGIN_EXTRA:
                return b->kind == BIND_WRITABLE ? "bindPaths" : "bindReadOnlyPaths";
        case BIND_ORIGIN_NEED:
                return "needs";
        default:
                return "closureInfo";
        }
}

/* Sorted output is byte-identical for the same input; one target can
 * only be bound once. */
static int sort_binds(Confinement *c, const Spec *spec, Diag *d) {
        size_t k = 0;

        if (c->n_binds == 0)
                return 0;
        /* Closure paths come sorted; sort only when the extra binds broke that. */
        for (size_t i = 1; i < c->n_binds; i++)
                if (compare_binds(&c->binds[i - 1], &c->binds[i]) > 0) {
                        qsort(c->binds, c->n_binds, sizeof *c->binds, compare_binds);
                        break;
                }
        /* Conflicts first, while every entry is still in place. */
        for (size_t i = 1; i < c->n_binds; i++) {
                const Bind *a = &c->binds[i - 1], *b = &c->binds[i];

                if (streq(a->target, b->target) && (!streq(a->source, b->source) || a->kind != b->kind))
                        return diag_error(d, 0, bind_key(b), "%s is bound twice, from %s and from %s.",
                                          b->target, a->source, b->source);
        }
        for (size_t i = 1; i < c->n_binds; i++) {
                Bind *prev = &c->binds[k], *b = &c->binds[i];

                if (!streq(prev->target, b->target)) {
                        c->binds[++k] = *b;
                        continue;
                }
                prev->optional = prev->optional && b->optional;
        }
        c->n_binds = k + 1;
        return 0;
}

/* The store paths the unit's files name, as spec's unitRoots asks (NULL:
 * none asked, or the unit not read). */
static const PathList *unit_roots_of(const UnitInfo *u, const Spec *spec) {
        if (!u || spec->unit_roots == UNIT_ROOTS_NONE)
                return NULL;
        return spec->unit_roots == UNIT_ROOTS_EXEC ? &u->exec_store_paths : &u->all_store_paths;
}

/* A confinement of spec for unit, with what it needs of unit_info (NULL:
 * not read), and no binds yet. */
static int confinement_new(const UnitInfo *unit_info, const char *unit, const Spec *spec, Confinement **ret) {
        _cleanup_confinement_ Confinement *c = calloc(1, sizeof *c);

        if (!c)
                return -ENOMEM;
        c->unit = strdup(unit);
        c->spec_file = strdup(spec->file);
        c->store_dir = strdup(spec->store_dir);
        c->mode = spec->mode;
        c->unit_private_tmp = unit_info ? unit_info->private_tmp : -1;
        c->unit_runs_as_root = true;
        if (!c->unit || !c->spec_file || !c->store_dir)
                return -ENOMEM;
        if (unit_info) {
                for (size_t i = 0; i < _MODE_SETTING_MAX; i++)
                        if (unit_info->mode_settings[i] &&
                            !(c->unit_mode_settings[i] = strdup(unit_info->mode_settings[i])))
                                return -ENOMEM;
                c->unit_runs_as_root = !unit_info->dynamic_user &&
                                       (!unit_info->user || streq(unit_info->user, "root") ||
                                        streq(unit_info->user, "0"));
                c->unit_sets_capabilities = unit_info->sets_capabilities;
                c->unit_forking = unit_info->forking;
                for (size_t i = 0; i < unit_info->service_keys.n; i++)
                        if (path_list_add(&c->unit_keys, unit_info->service_keys.items[i]) < 0)
                                return -ENOMEM;
        }
        if (spec->bind_method == BIND_METHOD_VIEW) {
                c->view_dir = store_view_path(spec->store_dir);
                if (!c->view_dir)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(c);
        return 0;
}

/* Every bind of the closure, binSh and the spec's own binds, sorted. */
static int plan_binds(Planner *p, const Closure *closure) {
        int r;

        p->c->n_closure_paths = closure->n;
        for (size_t i = 0; i < closure->n; i++) {
                r = add_closure_path(p, closure->paths[i]);
                if (r < 0)
                        return r;
        }
        if (p->spec->bin_sh) {
                r = add_bin_sh(p, closure);
                if (r < 0)
                        return r;
        }
        r = add_extra_binds(p, BIND_READ_ONLY);
        if (r < 0)
                return r;
        r = add_extra_binds(p, BIND_WRITABLE);
        if (r < 0)
                return r;
        r = add_needs(p);
        if (r < 0)
                return r;
        return sort_binds(p->c, p->spec, p->d);
}

int confinement_resolve(ClosureCache *cache, const UnitInfo *unit_info, const char *unit, const Spec *spec,
                        Confinement **ret, Diag *d) {
        _cleanup_confinement_ Confinement *c = NULL;
        _cleanup_(closure_done) Closure closure = {};
        bool uses_view = false;
        int r;

        assert(cache);
        assert(unit);
        assert(spec);
        assert(ret);
        assert(d);

        diag_set_file(d, spec->file);

        if (unit_info) {
                r = check_unit(unit_info, unit, spec, d);
                if (r < 0)
                        return r;
        }
        r = confinement_new(unit_info, unit, spec, &c);
        if (r < 0)
                return r;

        r = closure_compute(cache, spec, unit_roots_of(unit_info, spec), unit_info && unit_info->found, &closure,
                            d);
        if (r < 0)
                return r;
        if (closure.n == 0)
                return diag_error(d, 0, "closureInfo", "expected a closure, got no store paths.");
        r = plan_binds(&(Planner) { .cache = cache, .spec = spec, .c = c, .d = d }, &closure);
        if (r < 0)
                return r;

        /* No view when nothing is bound from it: no mount unit to pull in. */
        for (size_t i = 0; i < c->n_binds; i++)
                uses_view = uses_view || c->binds[i].kind == BIND_FROM_VIEW;
        if (!uses_view) {
                free(c->view_dir);
                c->view_dir = NULL;
        }

        *ret = TAKE_PTR(c);
        return 0;
}

int confinement_build(Root *root, const char *unit, const Spec *spec, Confinement **ret, Diag *d) {
        assert(root);
        assert(unit);
        assert(spec);
        assert(ret);

        _cleanup_(closure_cache_done) ClosureCache cache = CLOSURE_CACHE_INIT(root);
        return confinement_resolve(&cache, NULL, unit, spec, ret, d);
}
