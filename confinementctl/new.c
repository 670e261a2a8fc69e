/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* confinementctl new, refresh: confine a unit whose Exec*= settings name
 * store paths, with a closureInfo computed from the local store's database
 * (nix-store, or guix for a Guix store), as nixpkgs' closureInfo makes it:
 *
 *   /var/lib/confinement/closures/UNIT/store-paths   the closure, sorted
 *   /var/lib/confinement/closures/UNIT/registration  nix-store --dump-db format
 *   /etc/confinement.d/UNIT.json                     "unitRoots": "exec"
 *
 * A spec "made by new" is one in /etc/confinement.d whose only closureInfo
 * is that directory; refresh recomputes those. Everything is computed in
 * memory first and written atomically, so a failure writes nothing. */

#include <fcntl.h>
#include <jansson.h>
#include <string.h>
#include <sys/stat.h>

#include "alloc-util.h"
#include "chase.h"
#include "ctl.h"
#include "log.h"
#include "path-list.h"
#include "path-util.h"
#include "spawn.h"
#include "spec.h"
#include "store-path.h"
#include "unit-info.h"
#include "write-file.h"

#define CLOSURES_DIR "/var/lib/confinement/closures"
#define NEW_SPEC_DIR "/etc/confinement.d"
/* The registration of a 50 000-path system closure is about 19 MB. */
#define STORE_OUTPUT_MAX ((size_t) 256 * 1024 * 1024)
/* Store paths per nix-store --dump-db call, well within ARG_MAX. */
#define DUMP_DB_BATCH 500

typedef struct ClosureFiles {
        char *store_paths;
        size_t n_paths;
        char *registration;
        size_t registration_size;
} ClosureFiles;

static void closure_files_done(ClosureFiles *c) {
        free(c->store_paths);
        free(c->registration);
        *c = (ClosureFiles) {};
}

/* A growable string. */
typedef struct Text {
        char *s;
        size_t n, allocated;
} Text;

static int text_append(Text *t, const char *s, size_t n) {
        if (GREEDY_REALLOC(t->s, t->allocated, t->n + n + 1, 256) < 0)
                return -ENOMEM;
        memcpy(t->s + t->n, s, n);
        t->n += n;
        t->s[t->n] = '\0';
        return 0;
}

static char *text_take(Text *t, size_t *ret_size) {
        char *s = t->s ?: strdup("");
        *ret_size = t->n;
        *t = (Text) {};
        return s;
}

/* --- running the store's tools --------------------------------------------- */

/* Runs argv; its output in ret when it exits 0, else logs why. what names
 * the command in messages. */
static int run_store_tool(char *const argv[], const char *what, SpawnResult *ret) {
        char line[512];
        int r;

        r = spawn_capture(argv, STORE_OUTPUT_MAX, ret);
        if (r == -ENOMEM)
                return log_oom();
        if (r == -EFBIG)
                return log_error_errno(r, "%s: more than %zu MiB of output; refusing it.", what,
                                       STORE_OUTPUT_MAX / 1024 / 1024);
        if (r < 0)
                return log_error_errno(r, "Cannot run %s: %m", what);
        if (ret->status != 0) {
                log_error("%s failed (exit status %d): %s", what, ret->status,
                          spawn_first_error_line(ret, line, sizeof line));
                spawn_result_done(ret);
                return -EIO;
        }
        return 0;
}

/* Appends each line of out, which must be a store path of store_dir. */
static int parse_path_lines(const char *out, const char *store_dir, const char *what, PathList *ret) {
        for (const char *p = out; *p;) {
                const char *end = strchrnul(p, '\n');
                _cleanup_free_ char *line = strndup(p, (size_t) (end - p)), *sp = NULL;
                int r;

                if (!line)
                        return log_oom();
                if (*line) {
                        if (store_path_of(line, store_dir, &sp) < 0 || !streq(sp, line))
                                return log_error_errno(EINVAL, "%s printed \"%.200s\", not a store path of %s.", what,
                                                       line, store_dir);
                        r = path_list_add(ret, line);
                        if (r < 0)
                                return log_oom();
                }
                p = *end ? end + 1 : end;
        }
        return 0;
}

/* argv = prefix, then items, then NULL. */
static char **make_argv(const char *const *prefix, size_t n_prefix, char *const *items, size_t n_items) {
        char **argv = calloc(n_prefix + n_items + 1, sizeof *argv);

        if (!argv)
                return NULL;
        for (size_t i = 0; i < n_prefix; i++)
                argv[i] = (char *) prefix[i];
        for (size_t i = 0; i < n_items; i++)
                argv[n_prefix + i] = items[i];
        return argv;
}

typedef struct StoreKind {
        const char *store_dir;
        const char *tool;
        /* The closure of roots, sorted and unique. */
        int (*requisites)(const struct StoreKind *k, const PathList *roots, PathList *ret);
        /* The registration of every path of closure. */
        int (*registration)(const struct StoreKind *k, const PathList *closure, Text *ret);
} StoreKind;

static int requisites_run(const StoreKind *k, const char *const *prefix, size_t n_prefix, const char *what,
                          const PathList *roots, PathList *ret) {
        _cleanup_(spawn_result_done) SpawnResult out = {};
        _cleanup_free_ char **argv = make_argv(prefix, n_prefix, roots->items, roots->n);
        int r;

        if (!argv)
                return log_oom();
        r = run_store_tool(argv, what, &out);
        if (r < 0)
                return r;
        r = parse_path_lines(out.out, k->store_dir, what, ret);
        if (r < 0)
                return r;
        path_list_sort_unique(ret);
        if (ret->n == 0)
                return log_error_errno(EIO, "%s printed no store path.", what);
        return 0;
}

static int nix_requisites(const StoreKind *k, const PathList *roots, PathList *ret) {
        static const char *const prefix[] = { "nix-store", "--query", "--requisites" };
        return requisites_run(k, prefix, ELEMENTSOF(prefix), "nix-store --query --requisites", roots, ret);
}

static int nix_registration(const StoreKind *k, const PathList *closure, Text *ret) {
        static const char *const prefix[] = { "nix-store", "--dump-db" };

        for (size_t i = 0; i < closure->n; i += DUMP_DB_BATCH) {
                _cleanup_(spawn_result_done) SpawnResult out = {};
                size_t n = closure->n - i < DUMP_DB_BATCH ? closure->n - i : DUMP_DB_BATCH;
                _cleanup_free_ char **argv = make_argv(prefix, ELEMENTSOF(prefix), closure->items + i, n);
                int r;

                if (!argv)
                        return log_oom();
                r = run_store_tool(argv, "nix-store --dump-db", &out);
                if (r < 0)
                        return r;
                if (text_append(ret, out.out, out.out_size) < 0)
                        return log_oom();
                if (ret->n > 0 && ret->s[ret->n - 1] != '\n' && text_append(ret, "\n", 1) < 0)
                        return log_oom();
        }
        return 0;
}

static int guix_requisites(const StoreKind *k, const PathList *roots, PathList *ret) {
        static const char *const prefix[] = { "guix", "gc", "--requisites" };
        return requisites_run(k, prefix, ELEMENTSOF(prefix), "guix gc --requisites", roots, ret);
}

/* Guix has no --dump-db: one "guix gc --references" per path, written in
 * the registration format. The NAR hash and size are not needed to pick a
 * closure and are written as placeholders. */
static int guix_registration(const StoreKind *k, const PathList *closure, Text *ret) {
        for (size_t i = 0; i < closure->n; i++) {
                _cleanup_(path_list_done) PathList refs = {};
                _cleanup_(spawn_result_done) SpawnResult out = {};
                char *argv[] = { (char *) "guix", (char *) "gc", (char *) "--references", closure->items[i], NULL };
                _cleanup_free_ char *head = NULL;
                int r;

                r = run_store_tool(argv, "guix gc --references", &out);
                if (r < 0)
                        return r;
                r = parse_path_lines(out.out, k->store_dir, "guix gc --references", &refs);
                if (r < 0)
                        return r;
                path_list_sort_unique(&refs);
                if (asprintf(&head, "%s\nunknown\n0\n\n%zu\n", closure->items[i], refs.n) < 0 ||
                    text_append(ret, head, strlen(head)) < 0)
                        return log_oom();
                for (size_t j = 0; j < refs.n; j++)
                        if (text_append(ret, refs.items[j], strlen(refs.items[j])) < 0 || text_append(ret, "\n", 1) < 0)
                                return log_oom();
        }
        return 0;
}

static const StoreKind store_kinds[] = {
        { "/nix/store", "nix-store", nix_requisites, nix_registration },
        { "/gnu/store", "guix", guix_requisites, guix_registration },
};

static const StoreKind *store_kind_for_dir(const char *store_dir) {
        for (size_t i = 0; i < ELEMENTSOF(store_kinds); i++)
                if (streq(store_kinds[i].store_dir, store_dir))
                        return &store_kinds[i];
        return NULL;
}

static int closure_compute(const StoreKind *k, const PathList *roots, ClosureFiles *ret) {
        _cleanup_(path_list_done) PathList closure = {};
        Text paths = {}, reg = {};
        size_t ignored;
        int r;

        r = k->requisites(k, roots, &closure);
        if (r >= 0)
                r = k->registration(k, &closure, &reg);
        for (size_t i = 0; r >= 0 && i < closure.n; i++)
                if (text_append(&paths, closure.items[i], strlen(closure.items[i])) < 0 ||
                    text_append(&paths, "\n", 1) < 0)
                        r = log_oom();
        if (r < 0) {
                free(paths.s);
                free(reg.s);
                return r;
        }
        *ret = (ClosureFiles) { .n_paths = closure.n };
        ret->store_paths = text_take(&paths, &ignored);
        ret->registration = text_take(&reg, &ret->registration_size);
        if (!ret->store_paths || !ret->registration) {
                closure_files_done(ret);
                (void) log_oom();
                return -ENOMEM;
        }
        return 0;
}

/* --- the unit --------------------------------------------------------------- */

static int unit_load(Resolver *res, const char *unit, const char *store_dir, UnitInfo *ret) {
        int r = unit_info_load(&res->units, unit, store_dir, ret);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0)
                return log_error_errno(r, "Cannot read the unit files of %s: %m", unit);
        if (!ret->found)
                return log_error_errno(ENOENT, "Unit %s not found in the unit search path (or masked).", unit);
        return 0;
}

static int no_store_paths(const char *unit, const UnitInfo *u, const char *stores) {
        return log_error_errno(EINVAL,
                               "%s (%s) names no store path of %s in ExecStart=, ExecStartPre=, ExecStartPost=, "
                               "ExecReload=, ExecStop= or ExecStopPost=; nothing to confine it to.",
                               unit, u->files.items[0], stores);
}

/* The roots: the unit's Exec*= store paths and binSh's store path (under
 * root). */
static int collect_roots(Root *root, const UnitInfo *u, const char *store_dir, const char *bin_sh, PathList *ret) {
        for (size_t i = 0; i < u->exec_store_paths.n; i++)
                if (path_list_add(ret, u->exec_store_paths.items[i]) < 0)
                        return log_oom();
        if (bin_sh) {
                _cleanup_free_ char *resolved = NULL, *sp = NULL;
                int r = chase_under_root(root, bin_sh, &resolved);

                if (r == -ENOMEM)
                        return log_oom();
                if (r < 0)
                        return log_error_errno(r, "binSh %s: cannot resolve it: %m", bin_sh);
                if (store_path_of(resolved, store_dir, &sp) < 0)
                        return log_error_errno(EINVAL, "binSh %s resolves to %s, which is not in %s.", bin_sh, resolved,
                                               store_dir);
                if (path_list_consume(ret, TAKE_PTR(sp)) < 0)
                        return log_oom();
        }
        path_list_sort_unique(ret);
        return 0;
}

/* --- writing ---------------------------------------------------------------- */

/* Opens (creating it) the directory path under arg_root, one component at
 * a time, never through a symlink. */
static int open_dir_under_root(const char *path) {
        _cleanup_close_ int fd = open(arg_root ?: "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_free_ char *copy = strdup(path);
        char *save = NULL;

        if (fd < 0)
                return negative_errno();
        if (!copy)
                return -ENOMEM;
        for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
                int next = open_subdirectory_at(fd, c);
                if (next < 0)
                        return next;
                closep(&fd);
                fd = next;
        }
        return TAKE_FD(fd);
}

static int write_under_root(const char *dir, const char *name, const char *content, size_t size) {
        _cleanup_close_ int fd = open_dir_under_root(dir);
        int r;

        if (fd < 0)
                return log_error_errno(fd, "Cannot create %s: %m", dir);
        r = write_file_atomic_at(fd, name, content, size);
        if (r < 0)
                return log_error_errno(r, "Cannot write %s/%s: %m", dir, name);
        return 0;
}

static int write_closure(const char *unit, const ClosureFiles *c) {
        _cleanup_free_ char *dir = NULL;
        int r;

        if (asprintf(&dir, CLOSURES_DIR "/%s", unit) < 0)
                return log_oom();
        /* store-paths last: a generator run in between sees a registration
         * that covers more than store-paths, never less. */
        r = write_under_root(dir, "registration", c->registration, c->registration_size);
        if (r < 0)
                return r;
        return write_under_root(dir, "store-paths", c->store_paths, strlen(c->store_paths));
}

/* --- new -------------------------------------------------------------------- */

/* "[-]SOURCE[:TARGET]", as systemd's BindPaths=, to a spec entry. */
static json_t *bind_to_json(const char *arg) {
        bool optional = arg[0] == '-';
        const char *src = arg + optional, *colon = strchr(src, ':');
        _cleanup_free_ char *source = colon ? strndup(src, (size_t) (colon - src)) : strdup(src);
        json_t *o;

        if (!source)
                return NULL;
        if (!optional && !colon)
                return json_string(source);
        o = json_object();
        if (!o || json_object_set_new(o, "source", json_string(source)) < 0 ||
            (colon && json_object_set_new(o, "target", json_string(colon + 1)) < 0) ||
            (optional && json_object_set_new(o, "optional", json_true()) < 0)) {
                json_decref(o);
                return NULL;
        }
        return o;
}

static int add_binds(json_t *spec, const char *key, const PathList *args) {
        json_t *a;

        if (args->n == 0)
                return 0;
        a = json_array();
        if (!a || json_object_set_new(spec, key, a) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < args->n; i++)
                if (json_array_append_new(a, bind_to_json(args->items[i])) < 0)
                        return -ENOMEM;
        return 0;
}

/* --needs= as the spec's "needs", in the order given. */
static int add_needs(json_t *spec) {
        json_t *a;

        if (arg_needs.n == 0)
                return 0;
        a = json_array();
        if (!a || json_object_set_new(spec, "needs", a) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < arg_needs.n; i++)
                if (json_array_append_new(a, json_string(arg_needs.items[i])) < 0)
                        return -ENOMEM;
        return 0;
}

static int render_spec(const char *unit, const char *store_dir, char **ret) {
        json_t *spec = json_object();
        _cleanup_free_ char *closure = NULL, *text = NULL;
        int r = -ENOMEM;

        if (!spec || asprintf(&closure, CLOSURES_DIR "/%s", unit) < 0)
                goto finish;
        if (json_object_set_new(spec, "version", json_integer(1)) < 0 ||
            json_object_set_new(spec, "mode", json_string(arg_mode ?: "full-apivfs")) < 0 ||
            (!streq(store_dir, SPEC_DEFAULT_STORE_DIR) &&
             json_object_set_new(spec, "storeDir", json_string(store_dir)) < 0) ||
            json_object_set_new(spec, "closureInfo", json_string(closure)) < 0 ||
            json_object_set_new(spec, "unitRoots", json_string("exec")) < 0 ||
            (arg_bin_sh && json_object_set_new(spec, "binSh", json_string(arg_bin_sh)) < 0) ||
            add_binds(spec, "bindReadOnlyPaths", &arg_bind_ro) < 0 || add_binds(spec, "bindPaths", &arg_bind) < 0 ||
            add_needs(spec) < 0)
                goto finish;
        text = json_dumps(spec, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (!text || asprintf(ret, "%s\n", text) < 0)
                goto finish;
        r = 0;
finish:
        json_decref(spec);
        return r < 0 ? log_oom() : 0;
}

static int spec_file_of(const char *unit, char **ret) {
        return asprintf(ret, NEW_SPEC_DIR "/%s.json", unit) < 0 ? log_oom() : 0;
}

/* Refuses to replace an existing spec (or mask) without --force. */
static int check_not_exists(const char *spec_file) {
        _cleanup_free_ char *full = path_prefix_root(arg_root, spec_file);
        struct stat st;

        if (!full)
                return log_oom();
        if (lstat(full, &st) < 0) {
                if (errno == ENOENT)
                        return 0;
                return log_error_errno(errno, "Cannot look at %s: %m", spec_file);
        }
        if (arg_force)
                return 0;
        return log_error_errno(EEXIST, "%s exists; \"confinementctl new --force\" replaces it.", spec_file);
}

/* Finds the store the unit's Exec*= settings name: the first of
 * store_kinds with any. */
static int find_store(Resolver *res, const char *unit, const StoreKind **ret_kind, UnitInfo *ret_info) {
        for (size_t i = 0; i < ELEMENTSOF(store_kinds); i++) {
                _cleanup_(unit_info_done) UnitInfo u = { .private_tmp = -1 };
                int r = unit_load(res, unit, store_kinds[i].store_dir, &u);

                if (r < 0)
                        return r;
                if (u.exec_store_paths.n == 0) {
                        if (i + 1 < ELEMENTSOF(store_kinds))
                                continue;
                        (void) no_store_paths(unit, &u, "/nix/store or /gnu/store");
                        return -EINVAL;
                }
                *ret_kind = &store_kinds[i];
                *ret_info = u;
                u = (UnitInfo) { .private_tmp = -1 };
                return 0;
        }
        return -EINVAL; /* not reached: the last kind returns */
}

int verb_new(int argc, char *argv[]) {
        _cleanup_(ctl_done) Ctl ctl = {};
        _cleanup_(unit_info_done) UnitInfo info = { .private_tmp = -1 };
        _cleanup_(path_list_done) PathList roots = {};
        _cleanup_(closure_files_done) ClosureFiles closure = {};
        _cleanup_(diag_done) Diag d = {};
        _cleanup_spec_ Spec *parsed = NULL;
        _cleanup_free_ char *unit = NULL, *spec_file = NULL, *text = NULL, *name = NULL;
        const StoreKind *kind = NULL;
        int r;

        r = parse_unit_argument(argv[0], &unit);
        if (r >= 0)
                r = spec_file_of(unit, &spec_file);
        if (r >= 0)
                r = check_not_exists(spec_file);
        if (r >= 0)
                r = ctl_open(&ctl, 0);
        if (r >= 0)
                r = find_store(&ctl.resolver, unit, &kind, &info);
        if (r >= 0)
                r = collect_roots(&ctl.root, &info, kind->store_dir, arg_bin_sh, &roots);
        if (r < 0)
                return r;

        /* The spec is checked as the generator parses it before anything
         * is computed or written: a bad --mode or --bind fails here. */
        r = render_spec(unit, kind->store_dir, &text);
        if (r < 0)
                return r;
        r = spec_parse(spec_file, text, strlen(text), &parsed, &d);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0)
                return r; /* logged with the key */

        r = closure_compute(kind, &roots, &closure);
        if (r >= 0)
                r = write_closure(unit, &closure);
        if (r < 0)
                return r;
        if (asprintf(&name, "%s.json", unit) < 0)
                return log_oom();
        r = write_under_root(NEW_SPEC_DIR, name, text, strlen(text));
        if (r < 0)
                return r;

        printf("Wrote %s/%s/store-paths (%zu store path%s from %s) and registration.\n", CLOSURES_DIR, unit,
               closure.n_paths, closure.n_paths == 1 ? "" : "s", kind->tool);
        printf("Wrote %s (mode %s, roots: the store paths of the unit's Exec*= settings%s).\n", spec_file,
               confinement_mode_to_string(parsed->mode), arg_bin_sh ? " and binSh" : "");
        printf("Run \"systemctl daemon-reload\" to confine %s, and restart it if it runs.\n", unit);
        return 0;
}

/* --- refresh ---------------------------------------------------------------- */

static bool made_by_new(const Spec *s, const char *unit) {
        _cleanup_free_ char *dir = NULL;

        if (asprintf(&dir, CLOSURES_DIR "/%s", unit) < 0)
                return false;
        return s->n_closure_infos == 1 && streq(s->closure_infos[0], dir) && s->unit_roots == UNIT_ROOTS_EXEC;
}

/* Whether dir/name under arg_root holds exactly content. */
static bool file_has(const char *dir, const char *name, const char *content, size_t size) {
        _cleanup_free_ char *path = NULL, *full = NULL, *old = NULL;

        if (asprintf(&path, "%s/%s", dir, name) < 0)
                return false;
        full = path_prefix_root(arg_root, path);
        if (!full || read_full_file(full, &old) < 0)
                return false;
        return strlen(old) == size && memcmp(old, content, size) == 0;
}

/* 1 when the closure changed, 0 when it is up to date; explicit: the
 * user named the unit, so a spec not made by new is an error. */
static int refresh_one(Resolver *res, const char *unit, bool explicit) {
        _cleanup_(unit_info_done) UnitInfo info = { .private_tmp = -1 };
        _cleanup_(path_list_done) PathList roots = {};
        _cleanup_(closure_files_done) ClosureFiles closure = {};
        _cleanup_(diag_done) Diag d = {};
        _cleanup_spec_ Spec *spec = NULL;
        _cleanup_free_ char *spec_file = NULL, *full = NULL, *dir = NULL;
        const StoreKind *kind;
        int r, saved;

        r = spec_file_of(unit, &spec_file);
        if (r < 0)
                return r;
        full = path_prefix_root(arg_root, spec_file);
        if (!full)
                return log_oom();
        if (access(full, F_OK) < 0 && errno == ENOENT)
                return log_error_errno(ENOENT, "%s: no such spec; \"confinementctl new %s\" makes one.", spec_file,
                                       unit);
        /* Refreshing all: a spec that does not parse is not known to be
         * new's, and "confinementctl check" is what reports it. */
        saved = explicit ? -1 : quiet_begin();
        r = spec_load(res->cache.root, spec_file, &spec, &d);
        if (!explicit)
                quiet_end(saved);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0)
                return explicit ? r : 0; /* logged with the key */
        if (!made_by_new(spec, unit)) {
                if (explicit)
                        return log_error_errno(EINVAL,
                                               "%s was not made by \"confinementctl new\" (its closureInfo is not "
                                               CLOSURES_DIR "/%s alone, with \"unitRoots\": \"exec\"); nothing to refresh.",
                                               spec_file, unit);
                return 0;
        }
        kind = store_kind_for_dir(spec->store_dir);
        if (!kind)
                return log_error_errno(EINVAL, "%s: storeDir %s is neither /nix/store nor /gnu/store.", spec_file,
                                       spec->store_dir);

        r = unit_load(res, unit, kind->store_dir, &info);
        if (r < 0)
                return r;
        if (info.exec_store_paths.n == 0)
                return no_store_paths(unit, &info, kind->store_dir);
        r = collect_roots(res->cache.root, &info, kind->store_dir, spec->bin_sh, &roots);
        if (r >= 0)
                r = closure_compute(kind, &roots, &closure);
        if (r < 0)
                return r;

        if (asprintf(&dir, CLOSURES_DIR "/%s", unit) < 0)
                return log_oom();
        if (file_has(dir, "store-paths", closure.store_paths, strlen(closure.store_paths)) &&
            file_has(dir, "registration", closure.registration, closure.registration_size)) {
                printf("%s: up to date (%zu store path%s).\n", unit, closure.n_paths, closure.n_paths == 1 ? "" : "s");
                return 0;
        }
        r = write_closure(unit, &closure);
        if (r < 0)
                return r;
        printf("%s: wrote %s (%zu store path%s).\n", unit, dir, closure.n_paths, closure.n_paths == 1 ? "" : "s");
        return 1;
}

/* The units of the specs in /etc/confinement.d, sorted. */
static int list_spec_units(PathList *ret) {
        _cleanup_free_ char *full = path_prefix_root(arg_root, NEW_SPEC_DIR);
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;

        if (!full)
                return log_oom();
        d = opendir(full);
        if (!d) {
                if (errno == ENOENT)
                        return 0;
                return log_error_errno(errno, "Cannot list %s: %m", NEW_SPEC_DIR);
        }
        while ((errno = 0, de = readdir(d))) {
                size_t k = strlen(de->d_name);

                if (de->d_name[0] == '.' || k <= strlen(SPEC_SUFFIX) ||
                    !streq(de->d_name + k - strlen(SPEC_SUFFIX), SPEC_SUFFIX))
                        continue;
                if (path_list_consume(ret, strndup(de->d_name, k - strlen(SPEC_SUFFIX))) < 0)
                        return log_oom();
        }
        if (errno != 0)
                return log_error_errno(errno, "Cannot list %s: %m", NEW_SPEC_DIR);
        path_list_sort_unique(ret);
        return 0;
}

int verb_refresh(int argc, char *argv[]) {
        _cleanup_(ctl_done) Ctl ctl = {};
        _cleanup_(path_list_done) PathList units = {};
        bool explicit = argc > 0, failed = false, changed = false;
        int r;

        if (explicit) {
                for (int i = 0; i < argc; i++) {
                        char *u;
                        r = parse_unit_argument(argv[i], &u);
                        if (r < 0)
                                return r;
                        if (path_list_consume(&units, u) < 0)
                                return log_oom();
                }
        } else {
                r = list_spec_units(&units);
                if (r < 0)
                        return r;
        }
        r = ctl_open(&ctl, 0);
        if (r < 0)
                return r;

        for (size_t i = 0; i < units.n; i++) {
                r = refresh_one(&ctl.resolver, units.items[i], explicit);
                if (r == -ENOMEM)
                        return r;
                failed = failed || r < 0;
                changed = changed || r > 0;
        }
        if (changed)
                printf("Run \"systemctl daemon-reload\" to apply the new closures, and restart what runs.\n");
        return failed ? -EINVAL : 0; /* each failure logged */
}
