/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* confinementctl cat and paths: what the generator writes for one unit,
 * and what that unit will see. Nothing is written. */

#include <assert.h>
#include <jansson.h>
#include <string.h>

#include "closure-layer.h"
#include "ctl.h"
#include "layer-generation.h"
#include "log.h"
#include "macro.h"
#include "path-list.h"
#include "table.h"
#include "unit-file.h"

#define ANSI_BLUE "\x1B[0;1;34m"

/* The spec entry in effect for unit, masked ones included. -ENOENT
 * (logged) when no spec names it. */
static int entry_of_unit(Ctl *ctl, const char *unit, const SpecEntry **ret) {
        const SpecEntry *e = spec_entries_find_for_unit(&ctl->entries, unit);

        if (!e) {
                const char *at = strchr(unit, '@');
                if (at && at[1] != '.')
                        return log_error_errno(ENOENT, "No spec confines %s: none named %s.json or %.*s%s.json in %s%s.",
                                               unit, unit, (int) (at - unit + 1), unit, strrchr(unit, '.'),
                                               arg_root ? "the spec directories under " : "the spec directories",
                                               strempty(arg_root));
                return log_error_errno(ENOENT, "No spec confines %s: none named %s.json in %s%s.", unit, unit,
                                       arg_root ? "the spec directories under " : "the spec directories",
                                       strempty(arg_root));
        }
        *ret = e;
        return 0;
}

static void print_file(const char *path, const char *text, bool *first) {
        if (!*first)
                putchar('\n');
        *first = false;
        printf("%s# %s%s\n", ansi(ANSI_BLUE), path, ansi(ANSI_NORMAL));
        fputs(text, stdout);
}

static int print_once(PathList *printed, const char *path, const char *text, bool *first) {
        if (path_list_contains(printed, path))
                return 0;
        print_file(path, text, first);
        if (path_list_add(printed, path) < 0)
                return -ENOMEM;
        path_list_sort_unique(printed);
        return 0;
}

/* The closure's names in its generation, which the generation unit reads
 * (the generation's other files are every closure's). */
static int print_closure_list(const Ctl *ctl, const EntryOutput *o, PathList *printed, bool *first) {
        _cleanup_free_ char *path = NULL;

        if (!o->layer_id[0] || !o->gen_id[0])
                return 0;
        for (size_t i = 0; i < ctl->output.n_layers; i++) {
                if (!streq(ctl->output.layers[i].id, o->layer_id))
                        continue;
                if (asprintf(&path, GENERATOR_DIR "/" CLOSURE_LAYER_LISTS "/%s/%s", o->gen_id, o->layer_id) < 0)
                        return -ENOMEM;
                return print_once(printed, path, ctl->output.layers[i].list, first);
        }
        return 0;
}

int verb_cat(int argc, char *argv[]) {
        _cleanup_(ctl_done) Ctl ctl = {};
        _cleanup_(path_list_done) PathList printed = {};
        _cleanup_free_ const SpecEntry **asked = NULL;
        bool first = true;
        int r, ret = 0;

        r = ctl_open(&ctl, CTL_ENTRIES);
        if (r < 0)
                return r;
        asked = calloc((size_t) argc, sizeof *asked);
        if (!asked)
                return log_oom();
        for (int i = 0; i < argc; i++) {
                _cleanup_free_ char *unit = NULL;

                r = parse_unit_argument(argv[i], &unit);
                if (r >= 0)
                        r = entry_of_unit(&ctl, unit, &asked[i]);
                if (r < 0)
                        ret = r;
        }
        /* The entries asked for tell what is wrong with them; the others
         * are resolved quietly, in the generator's order. */
        r = ctl_output_each(&ctl, asked, (size_t) argc);
        if (r < 0)
                return r;

        for (int i = 0; i < argc; i++) {
                const EntryOutput *o;

                if (!asked[i])
                        continue;
                r = ctl_output(&ctl, asked[i], false, &o);
                if (r < 0)
                        return r;
                if (o->state == ENTRY_MASKED) {
                        log_info("%s: masked; %s is not confined and nothing is generated for it.", o->entry->path,
                                 o->unit);
                        continue;
                }
                /* Several units may name the same drop-in (instances), view
                 * or closure layer. */
                for (size_t k = 0; k < o->n_files; k++) {
                        _cleanup_free_ char *path = NULL;

                        if (asprintf(&path, GENERATOR_DIR "/%s", o->files[k].path) < 0)
                                return log_oom();
                        r = print_once(&printed, path, o->files[k].text, &first);
                        if (r < 0)
                                return log_oom();
                }
                r = print_closure_list(&ctl, o, &printed, &first);
                if (r < 0)
                        return log_oom();
        }
        return ret;
}

/* --- paths ----------------------------------------------------------------- */

typedef struct Row {
        const char *path, *source, *origin, *access;
        bool optional;
} Row;

static int compare_rows(const void *a, const void *b) {
        const Row *x = a, *y = b;
        int r = strcmp(x->path, y->path);
        return r != 0 ? r : strcmp(x->origin, y->origin);
}

/* What the mode adds, as systemd 252 mounts it under RootDirectory=
 * (systemd.exec(5): MountAPIVFS= mounts /proc, /sys, /dev and an empty
 * /run; PrivateDevices= makes /dev minimal; PrivateTmp= /tmp and /var/tmp,
 * which the unit's own PrivateTmp= decides when it sets one). */
#define MODE_ROW(p, s, a) ((Row) { .path = (p), .source = (s), .origin = "mode", .access = (a) })

/* Whether the mode's setting s is on: the unit's own value, else the mode's. */
static bool mode_setting_on(const Confinement *c, ModeSetting s) {
        if (c->unit_mode_settings[s])
                return unit_parse_boolean(c->unit_mode_settings[s]) != 0; /* "strict" and the like: on */
        return c->mode != CONFINEMENT_CHROOT_ONLY;
}

static const char *origin_of(const Confinement *c, ModeSetting s) {
        return c->unit_mode_settings[s] ? "unit" : "mode";
}

static size_t mode_rows(const Confinement *c, Row *rows) {
        bool private_tmp = c->unit_private_tmp >= 0 ? c->unit_private_tmp > 0 : c->mode != CONFINEMENT_CHROOT_ONLY;
        bool apivfs = mode_setting_on(c, MODE_SETTING_MOUNT_API_VFS);
        size_t n = 0;

        if (apivfs) {
                rows[n++] = mode_setting_on(c, MODE_SETTING_PRIVATE_DEVICES)
                                    ? (Row) { "/dev", "private /dev (PrivateDevices=yes)",
                                              origin_of(c, MODE_SETTING_PRIVATE_DEVICES), "rw", false }
                                    : (Row) { "/dev", "the host's /dev (the unit's PrivateDevices=no)", "unit", "rw",
                                              false };
                if (c->mode != CONFINEMENT_CHROOT_ONLY)
                        rows[n++] = MODE_ROW("/dev/shm", "private tmpfs (TemporaryFileSystem=/dev/shm)", "rw");
                rows[n++] = MODE_ROW("/proc", c->mode == CONFINEMENT_FULL
                                            ? "procfs, own processes only (ProtectProc=invisible, ProcSubset=pid)"
                                            : "procfs (MountAPIVFS=yes)", "rw");
                rows[n++] = MODE_ROW("/run", "empty tmpfs (MountAPIVFS=yes)", "rw");
                rows[n++] = mode_setting_on(c, MODE_SETTING_PROTECT_KERNEL_TUNABLES)
                                    ? (Row) { "/sys", "sysfs, read-only (ProtectKernelTunables=yes)",
                                              origin_of(c, MODE_SETTING_PROTECT_KERNEL_TUNABLES), "ro", false }
                                    : (Row) { "/sys", "sysfs (the unit's ProtectKernelTunables=no)", "unit", "rw",
                                              false };
                if (c->unit_mode_settings[MODE_SETTING_MOUNT_API_VFS])
                        for (size_t i = 0; i < n; i++)
                                if (streq(rows[i].origin, "mode") && !streq(rows[i].path, "/dev/shm"))
                                        rows[i].origin = "unit";
        }
        if (private_tmp) {
                const char *source = c->unit_private_tmp > 0 ? "private directory (the unit's PrivateTmp=yes)"
                                                             : "private directory (PrivateTmp=yes)";
                rows[n++] = (Row) { .path = "/tmp", .source = source, .origin = "unit", .access = "rw" };
                rows[n++] = (Row) { .path = "/var/tmp", .source = source, .origin = "unit", .access = "rw" };
                if (c->unit_private_tmp < 0)
                        rows[n - 1].origin = rows[n - 2].origin = "mode";
        }
        return n;
}

static int paths_json(const char *unit, const EntryOutput *res, const Row *rows, size_t n) {
        json_t *paths = json_array();

        if (!paths)
                return log_oom();
        for (size_t i = 0; i < n; i++) {
                json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:b}", "path", rows[i].path, "source", rows[i].source,
                                      "origin", rows[i].origin, "access", rows[i].access, "optional",
                                      rows[i].optional);
                if (!o || json_array_append_new(paths, o) < 0) {
                        json_decref(paths);
                        return log_oom();
                }
        }
        return json_print_new(json_pack("{s:s, s:s, s:s, s:s, s:I, s:o}", "unit", unit, "spec", res->entry->path,
                                        "mode", confinement_mode_to_string(res->confinement->mode), "storeDir",
                                        res->confinement->store_dir, "closurePaths",
                                        (json_int_t) res->confinement->n_closure_paths, "paths", paths));
}

static int paths_table(const char *unit, const EntryOutput *res, const char *layer_name, const Row *rows, size_t n) {
        static const char *const headers[] = { "PATH", "SOURCE", "ORIGIN", "ACCESS" };
        _cleanup_table_ Table *t = table_new(ELEMENTSOF(headers), headers);
        size_t closure = 0;
        int r = 0;

        if (!t)
                return log_oom();
        for (size_t i = 0; i < n && r >= 0; i++) {
                const char *color = streq(rows[i].origin, "closure") ? NULL
                                    : streq(rows[i].origin, "mode") ? ANSI_GREY
                                                                        : ANSI_YELLOW;
                closure += streq(rows[i].origin, "closure");
                r = table_add(t, rows[i].path, NULL);
                if (r >= 0)
                        r = table_add(t, rows[i].source, NULL);
                if (r >= 0)
                        r = table_add(t, rows[i].origin, color);
                if (r >= 0 && rows[i].optional)
                        r = table_addf(t, NULL, "%s, optional", rows[i].access);
                else if (r >= 0)
                        r = table_add(t, rows[i].access, rows[i].access[1] == 'w' ? ANSI_RED : NULL);
        }
        if (r < 0 || table_print(t, stdout, arg_legend) < 0)
                return log_oom();
        if (arg_legend)
                printf("\n%zu paths visible to %s: %zu from the closure, %zu others (mode %s, spec %s).\n", n, unit,
                       closure, n - closure, confinement_mode_to_string(res->confinement->mode), res->entry->path);
        if (arg_legend && layer_name)
                printf("Its store paths come through its closure's directory of the read-only overlay of "
                       "every closure, one bind at %s, which %s builds.\n", res->confinement->store_dir, layer_name);
        return 0;
}

int verb_paths(int argc, char *argv[]) {
        _cleanup_(ctl_done) Ctl ctl = {};
        _cleanup_(string_arena_done) StringArena strings = {};
        _cleanup_free_ char *unit = NULL, *overlay = NULL, *layer_name = NULL;
        _cleanup_free_ Row *rows = NULL;
        const EntryOutput *res;
        const SpecEntry *e = NULL;
        const Confinement *c;
        size_t n = 0;
        int r;

        r = parse_unit_argument(argv[0], &unit);
        if (r >= 0)
                r = ctl_open(&ctl, CTL_ENTRIES);
        if (r >= 0)
                r = entry_of_unit(&ctl, unit, &e);
        if (r >= 0)
                r = ctl_output(&ctl, e, false, &res);
        if (r < 0)
                return r;
        if (res->state == ENTRY_MASKED)
                return log_error_errno(ENOENT, "%s: masked; %s is not confined: it sees the whole system.",
                                       res->entry->path, unit);
        if (res->state != ENTRY_VALID)
                return log_error_errno(EINVAL, "%s: invalid; %s will not start until its spec is fixed.",
                                       res->entry->path, unit);
        c = res->confinement;
        assert(c); /* a valid entry has its confinement */

        /* bindMethod "overlay": the store paths' source is the closure's overlay. */
        if (res->layer_id[0] && (closure_layer_source(res->gen_id, res->layer_id, &overlay) < 0 ||
                                 layer_generation_unit_name(res->gen_id, &layer_name) < 0))
                return log_oom();

        rows = calloc(c->n_binds + 10, sizeof *rows);
        if (!rows)
                return log_oom();
        rows[n++] = (Row) { .path = "/", .source = "empty read-only tmpfs (TemporaryFileSystem=/:ro)", .origin = "root",
                            .access = "ro" };
        for (size_t i = 0; i < c->n_binds; i++) {
                const Bind *b = &c->binds[i];
                const char *source = b->source;

                if (b->kind == BIND_IN_LAYER) {
                        /* OVERLAY/NAME, where NAME is the store path's last component */
                        const char *name = strrchr(b->target, '/') + 1;
                        size_t k;
                        char *p;

                        assert(overlay); /* c has BIND_IN_LAYER binds */
                        k = strlen(overlay) + 1 + strlen(name) + 1;
                        p = string_arena_alloc(&strings, k);
                        if (!p)
                                return log_oom();
                        (void) snprintf(p, k, "%s/%s", overlay, name);
                        source = p;
                }
                rows[n++] = (Row) {
                        .path = b->target,
                        .source = source,
                        .origin = bind_origin_name(b),
                        .access = b->kind == BIND_WRITABLE ? "rw" : "ro",
                        .optional = b->optional,
                };
        }
        n += mode_rows(c, rows + n);
        qsort(rows, n, sizeof *rows, compare_rows);

        return arg_json ? paths_json(unit, res, rows, n) : paths_table(unit, res, layer_name, rows, n);
}
