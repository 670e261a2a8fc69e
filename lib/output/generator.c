/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <fcntl.h>
#include <string.h>

#include "alloc-util.h"
#include "dropin.h"
#include "generator.h"
#include "log.h"
#include "output.h"
#include "path-list.h"
#include "resolver.h"
#include "spec-dirs.h"
#include "write-file.h"

typedef struct Run {
        int normal_fd;
        Root root;        /* everything reads under it */
        Resolver resolver;
        Output output;    /* what the entries share */
        PathList written; /* the files written so far, relative to normal_fd */
        char *helper;     /* this binary, for the layer units */
} Run;

/* dir/name under normal_fd: the directory is made when missing. */
static int write_one(Run *run, const OutputFile *f) {
        _cleanup_free_ char *dir = NULL;
        _cleanup_close_ int dir_fd = -1;
        const char *slash = strrchr(f->path, '/');

        if (!slash)
                return write_file_atomic_at(run->normal_fd, f->path, f->text, f->size);
        dir = strndup(f->path, (size_t) (slash - f->path));
        if (!dir)
                return -ENOMEM;
        dir_fd = open_subdirectory_at(run->normal_fd, dir);
        if (dir_fd < 0)
                return dir_fd;
        return write_file_atomic_at(dir_fd, slash + 1, f->text, f->size);
}

static int render_unfinished(FILE *f, const void *userdata) {
        const EntryOutput *o = userdata;
        return dropin_render_fail_closed(o->entry->path, GENERATOR_UNFINISHED, f);
}

/* The fail-closed drop-in in the confinement's place until all of it is
 * written: a write failing on a full /run leaves the unit unable to start. */
static int write_unfinished(Run *run, const EntryOutput *o) {
        _cleanup_free_ char *text = NULL;
        const OutputFile *dropin = entry_output_dropin(o);
        int r;

        r = render_to_string(render_unfinished, o, &text, NULL);
        if (r < 0)
                return r;
        return write_one(run, &(OutputFile) { .path = dropin->path, .text = text, .size = strlen(text) });
}

/* Writes o's files, each path once per run, the drop-in last (the guard's
 * marker, confinement.d(5)); on failure *ret_failed is the file that could
 * not be written. */
static int write_files(Run *run, const EntryOutput *o, const OutputFile **ret_failed) {
        const OutputFile *dropin = entry_output_dropin(o);
        int r;

        for (size_t k = 0; k <= o->n_files; k++) {
                const OutputFile *f = k < o->n_files ? &o->files[k] : dropin;

                if (!f || (k < o->n_files && f == dropin) || path_list_contains(&run->written, f->path))
                        continue;
                r = write_one(run, f);
                if (r < 0) {
                        *ret_failed = f;
                        return r;
                }
                if (path_list_add(&run->written, f->path) < 0)
                        return -ENOMEM;
                path_list_sort_unique(&run->written);
        }
        return 0;
}

static int generate_one(Run *run, const SpecEntry *e) {
        _cleanup_(entry_output_done) EntryOutput o = {};
        const OutputFile *failed = NULL;
        int r;

        r = output_entry(&run->output, e, &o);
        if (r < 0)
                return log_error_errno(r, "%s: cannot render its output: %m", e->path);

        switch (o.state) {
        case ENTRY_IGNORED:
                log_warning("%s: %s; the file name must be UNIT.json for a service unit, skipping.", e->path,
                            o.reason);
                return 0;
        case ENTRY_MASKED:
                log_debug("%s: masked, %s is not confined.", e->path, o.unit);
                return 0;
        default:
                break;
        }

        if (o.state == ENTRY_VALID) {
                r = write_unfinished(run, &o);
                if (r < 0)
                        /* Nothing written: only the guard (confinement.d(5)) holds the unit. */
                        return log_error_errno(r, "%s: cannot write %s, %s may start unconfined unless its "
                                               "guard asserts the generator's drop-in: %m",
                                               e->path, entry_output_dropin(&o)->path, o.unit);
        }
        r = write_files(run, &o, &failed);
        if (r < 0 && failed && failed != entry_output_dropin(&o)) {
                /* A layer or view that is not there: the unit must not start without it. */
                _cleanup_free_ char *why = NULL;

                log_error_errno(r, "%s: cannot write %s of %s: %m", e->path, failed->path, o.unit);
                if (asprintf(&why, "%s: cannot write %s: %s.", e->path, failed->path, strerror(-r)) < 0)
                        return log_oom();
                r = entry_output_refuse(&o, why);
                if (r < 0)
                        return log_oom();
                /* the reason over the unfinished drop-in, which stays if this fails */
                r = write_one(run, entry_output_dropin(&o));
                if (r < 0)
                        log_error_errno(r, "%s: cannot write the reason to %s; %s will not start: %m", e->path,
                                        entry_output_dropin(&o)->path, o.unit);
                return -EIO; /* fail-closed, and a failed run */
        }
        if (r < 0 && failed && failed == entry_output_dropin(&o) && o.state == ENTRY_VALID)
                return log_error_errno(r, "%s: cannot write %s, %s will not start: %m", e->path, failed->path,
                                       o.unit);
        if (r < 0)
                return log_error_errno(r, "%s: cannot write %s, %s may start unconfined: %m", e->path,
                                       failed ? failed->path : "its drop-in", o.unit);
        if (o.state == ENTRY_VALID)
                log_debug("%s: %s confined to %zu closure paths.", e->path, o.unit, o.confinement->n_closure_paths);
        else
                log_error("%s: %s will not start until its spec is fixed.", e->path, o.unit);
        return 0;
}

static void run_done(Run *run) {
        output_done(&run->output);
        resolver_done(&run->resolver);
        root_done(&run->root);
        path_list_done(&run->written);
        free(run->helper);
        if (run->normal_fd >= 0)
                close(run->normal_fd);
}

int generator_run(const char *root, const char *normal_dir, const GeneratorDirs *dirs) {
        assert(normal_dir);

        _cleanup_(spec_entries_done) SpecEntries entries = {};
        _cleanup_(run_done) Run run = { .normal_fd = -1, .root.path = root };
        int r, ret = 0;

        run.normal_fd = open(normal_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (run.normal_fd < 0)
                return log_error_errno(errno, "Cannot open output directory %s: %m", normal_dir);

        r = spec_dirs_enumerate(&run.root, &entries);
        if (r < 0)
                return log_error_errno(r, "Cannot list spec directories: %m");
        if (entries.n == 0)
                return 0;

        r = resolver_init(&run.resolver, &run.root, dirs);
        if (r < 0)
                return r;
        /* The layer units run this binary. */
        run.helper = realpath("/proc/self/exe", NULL);
        if (!run.helper)
                return log_error_errno(errno, "Cannot find this binary's path: %m");
        run.output = OUTPUT_INIT(&run.resolver, normal_dir, run.helper);

        for (size_t i = 0; i < entries.n; i++) {
                resolver_next_spec(&run.resolver, entries.n - i);
                r = generate_one(&run, &entries.entries[i]);
                if (r < 0 && ret == 0)
                        ret = r;
        }
        return ret;
}
