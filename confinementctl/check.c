/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* confinementctl check: validate specs exactly as the generator does. The
 * library logs each problem as "FILE: key "KEY": what was expected". */

#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "ctl.h"
#include "log.h"
#include "macro.h"
#include "path-util.h"
#include "spec.h"
#include "unit-info.h"

typedef struct Counts {
        size_t n[_ENTRY_STATE_MAX];
        size_t total;
} Counts;

static void report(const char *file, const char *unit, EntryState state, const Confinement *c, Counts *counts) {
        counts->n[state]++;
        counts->total++;
        if (arg_quiet)
                return;
        printf("%s: ", file);
        if (unit)
                printf("%s: ", unit);
        printf("%s%s%s", ansi(entry_state_color(state)), entry_state_to_string(state), ansi(ANSI_NORMAL));
        if (c)
                printf(", %s, %zu closure path%s", confinement_mode_to_string(c->mode), c->n_closure_paths,
                       c->n_closure_paths == 1 ? "" : "s");
        else if (state == ENTRY_MASKED)
                printf(", not confined");
        else if (state == ENTRY_INVALID)
                printf(", will not start");
        printf(".\n");
}

static int check_in_effect(Counts *counts) {
        _cleanup_(ctl_done) Ctl ctl = {};
        int r;

        /* --no-trust-check: a spec directory owned by nobody counts. */
        r = ctl_open(&ctl, CTL_ENTRIES);
        if (r < 0)
                return r;

        for (size_t i = 0; i < ctl.entries.n; i++) {
                const EntryOutput *o;

                r = ctl_output(&ctl, &ctl.entries.entries[i], false, &o);
                if (r < 0)
                        return r;
                /* The library logged why a spec is invalid; a name it skips is ours to tell. */
                if (o->state == ENTRY_IGNORED)
                        log_error("%s", o->reason);
                report(o->entry->path, o->unit, o->state, o->confinement, counts);
        }
        return 0;
}

/* As spec-dirs.c: an empty file or a link to /dev/null masks. */
static bool file_is_mask(const char *path) {
        char target[PATH_MAX];
        struct stat st;
        ssize_t k;

        k = readlink(path, target, sizeof target - 1);
        if (k > 0) {
                target[k] = '\0';
                if (streq(target, "/dev/null"))
                        return true;
        }
        if (stat(path, &st) < 0)
                return false;
        return (S_ISREG(st.st_mode) && st.st_size == 0) || S_ISCHR(st.st_mode);
}

/* One file given on the command line: read where it is, as a spec
 * directory's file would be (trust included), named after its file name;
 * its closures, store paths and unit are looked up under --root. */
static int check_file(Resolver *resolver, const char *file, Counts *counts) {
        _cleanup_(root_done) Root here = { .trust_all = arg_no_trust_check }; /* the host's */
        _cleanup_(unit_info_done) UnitInfo info = { .private_tmp = -1 };
        _cleanup_confinement_ Confinement *c = NULL;
        _cleanup_free_ char *path = NULL, *unit = NULL;
        _cleanup_spec_ Spec *spec = NULL;
        _cleanup_(diag_done) Diag d = {};
        const char *name = strrchr(file, '/'), *why;
        int r;

        name = name ? name + 1 : file;
        if (file[0] == '/')
                path = strdup(file);
        else {
                _cleanup_free_ char *cwd = getcwd(NULL, 0);
                if (!cwd)
                        return log_error_errno(errno, "Cannot get the current directory: %m");
                if (asprintf(&path, "%s/%s", cwd, file) < 0)
                        path = NULL;
        }
        if (!path)
                return log_oom();

        {
                size_t n = strlen(name), k = strlen(SPEC_SUFFIX);
                SpecEntry e = { .name = (char *) name, .path = path };

                if (n <= k || !streq(name + n - k, SPEC_SUFFIX)) {
                        log_error("%s: expected a file named UNIT.json, after the service unit it confines.", file);
                        report(file, NULL, ENTRY_IGNORED, NULL, counts);
                        return 0;
                }
                r = spec_entry_unit(&e, &unit, &why);
                if (r == -ENOMEM)
                        return log_oom();
                if (r < 0) {
                        log_error("%s: \"%.*s\" %s; the file name must be UNIT.json for a service unit.", file,
                                  (int) (n - k), name, why);
                        report(file, NULL, ENTRY_IGNORED, NULL, counts);
                        return 0;
                }
        }

        if (file_is_mask(path)) {
                report(file, unit, ENTRY_MASKED, NULL, counts);
                return 0;
        }

        /* What resolver_resolve() does, with the file read where it is;
         * with --no-trust-check, whoever owns it. */
        r = spec_load(&here, path, &spec, &d);
        if (r >= 0) {
                r = unit_info_load(&resolver->units, unit, spec->store_dir, &info);
                if (r >= 0 && !info.found)
                        log_warning("%s: %s does not exist (yet); confining it all the same.", file, unit);
        }
        if (r >= 0)
                r = confinement_resolve(&resolver->cache, &info, unit, spec, &c, &d);
        if (r == -ENOMEM)
                return log_oom();
        report(file, unit, r >= 0 ? ENTRY_VALID : ENTRY_INVALID, c, counts);
        return 0;
}

int verb_check(int argc, char *argv[]) {
        Counts counts = {};
        int r = 0;

        if (argc == 0)
                r = check_in_effect(&counts);
        else {
                _cleanup_(ctl_done) Ctl ctl = {};

                r = ctl_open(&ctl, 0);
                for (int i = 0; i < argc && r >= 0; i++)
                        r = check_file(&ctl.resolver, argv[i], &counts);
        }
        if (r < 0)
                return r;

        if (!arg_quiet && arg_legend) {
                bool first = true;

                if (counts.total == 0)
                        printf("No specs found.\n");
                else {
                        printf("%zu spec%s checked", counts.total, counts.total == 1 ? "" : "s");
                        for (EntryState s = 0; s < _ENTRY_STATE_MAX; s++)
                                if (counts.n[s] > 0) {
                                        printf("%s %zu %s", first ? ":" : ",", counts.n[s], entry_state_to_string(s));
                                        first = false;
                                }
                        printf(".\n");
                }
        }
        return counts.n[ENTRY_INVALID] + counts.n[ENTRY_IGNORED] > 0 ? EXIT_ERROR : EXIT_OK;
}
