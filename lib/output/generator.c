/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <dirent.h>
#include <fcntl.h>
#include <string.h>

#include "alloc-util.h"
#include "dropin.h"
#include "generator.h"
#include "layer-generation.h"
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
        bool layers_mounted; /* an earlier run's generation is mounted (layers_mounted()) */
} Run;

/* dir/.../name under normal_fd: the directories are made when missing. */
static int write_one(Run *run, const OutputFile *f) {
        _cleanup_close_ int dir_fd = -1;
        const char *name = f->path, *slash;

        /* each directory made when missing, none through a symlink */
        while ((slash = strchr(name, '/'))) {
                _cleanup_free_ char *dir = strndup(name, (size_t) (slash - name));
                int fd;

                if (!dir)
                        return -ENOMEM;
                fd = open_subdirectory_at(dir_fd >= 0 ? dir_fd : run->normal_fd, dir);
                if (fd < 0)
                        return fd;
                if (dir_fd >= 0)
                        close(dir_fd);
                dir_fd = fd;
                name = slash + 1;
        }
        return write_file_atomic_at(dir_fd >= 0 ? dir_fd : run->normal_fd, name, f->text, f->size);
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

/* Says what becomes of o's unit; 0, or < 0 when its files are not
 * written (logged). */
static int entry_begin(Run *run, const EntryOutput *o) {
        int r;

        switch (o->state) {
        case ENTRY_IGNORED:
                log_warning("%s: %s; the file name must be UNIT.json for a service unit, skipping.", o->entry->path,
                            o->reason);
                return 0;
        case ENTRY_MASKED:
                log_debug("%s: masked, %s is not confined.", o->entry->path, o->unit);
                return 0;
        case ENTRY_VALID:
                r = write_unfinished(run, o);
                if (r < 0)
                        /* Nothing written: only the guard (confinement.d(5)) holds the unit. */
                        return log_error_errno(r, "%s: cannot write %s, %s may start unconfined unless its "
                                               "guard asserts the generator's drop-in: %m",
                                               o->entry->path, entry_output_dropin(o)->path, o->unit);
                return 0;
        default:
                return 0;
        }
}

/* o refused for a file that could not be written (r): the reason over the
 * unfinished drop-in, which stays if this fails. */
static int refuse_entry(Run *run, EntryOutput *o, const char *failed, int error) {
        _cleanup_free_ char *why = NULL;
        int r;

        log_error_errno(error, "%s: cannot write %s of %s: %m", o->entry->path, failed, o->unit);
        if (asprintf(&why, "%s: cannot write %s: %s.", o->entry->path, failed, strerror(-error)) < 0)
                return log_oom();
        r = entry_output_refuse(o, why);
        if (r < 0)
                return log_oom();
        r = write_one(run, entry_output_dropin(o));
        if (r < 0)
                log_error_errno(r, "%s: cannot write the reason to %s; %s will not start: %m", o->entry->path,
                                entry_output_dropin(o)->path, o->unit);
        else if (path_list_add(&run->written, entry_output_dropin(o)->path) < 0)
                return log_oom();
        else
                path_list_sort_unique(&run->written);
        return -EIO; /* fail-closed, and a failed run */
}

/* o's files, the drop-in last; what becomes of its unit logged. */
static int entry_write(Run *run, EntryOutput *o) {
        _cleanup_free_ char *failed_path = NULL;
        const OutputFile *failed = NULL;
        int r;

        if (o->state == ENTRY_MASKED || o->state == ENTRY_IGNORED)
                return 0;
        /* refused already, for its generation (write_generation) */
        if (path_list_contains(&run->written, entry_output_dropin(o)->path))
                return 0;
        r = write_files(run, o, &failed);
        if (r < 0 && failed && failed != entry_output_dropin(o)) {
                /* A layer or view that is not there: the unit must not start without it. */
                failed_path = strdup(failed->path);
                if (!failed_path)
                        return log_oom();
                return refuse_entry(run, o, failed_path, r);
        }
        if (r < 0 && failed && o->state == ENTRY_VALID)
                return log_error_errno(r, "%s: cannot write %s, %s will not start: %m", o->entry->path, failed->path,
                                       o->unit);
        if (r < 0)
                return log_error_errno(r, "%s: cannot write %s, %s may start unconfined: %m", o->entry->path,
                                       failed ? failed->path : "its drop-in", o->unit);
        if (o->state == ENTRY_VALID)
                log_debug("%s: %s confined to %zu closure paths.", o->entry->path, o->unit,
                          o->confinement->n_closure_paths);
        else
                log_error("%s: %s will not start until its spec is fixed.", o->entry->path, o->unit);
        return 0;
}

/* Generation g's files (layer-generation.h), before the drop-ins that
 * need it: when one cannot be written, each of its services is refused,
 * saying why. */
static int write_generation(Run *run, const OutputGeneration *g, EntryOutput *outs, size_t n) {
        int r = 0, ret = 0;

        for (size_t j = 0; j < g->n_files && r >= 0; j++) {
                r = write_one(run, &g->files[j]);
                if (r >= 0)
                        continue;
                log_error_errno(r, "Cannot write %s of generation %s, its services do not start: %m",
                                g->files[j].path, g->unit);
                for (size_t i = 0; i < n; i++)
                        if (outs[i].state == ENTRY_VALID && streq(outs[i].gen_id, g->id)) {
                                int k = refuse_entry(run, &outs[i], g->files[j].path, r);
                                if (k != -EIO && ret == 0)
                                        ret = k;
                        }
                if (ret == 0)
                        ret = -EIO;
        }
        return ret;
}

/* A generation of an earlier run may still be mounted: a directory under
 * CLOSURE_LAYER_DIR (each is removed when its generation stops). */
static bool layers_mounted(const Run *run) {
        _cleanup_free_ char *dir = root_prefix(&run->root, CLOSURE_LAYER_DIR);
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;

        d = dir ? opendir(dir) : NULL;
        if (!d)
                return false;
        while ((de = readdir(d)))
                if (de->d_name[0] != '.')
                        return true;
        return false;
}

/* With no generation this run, the template still, while an earlier one
 * is mounted (output_template()). */
static int write_template_alone(Run *run) {
        OutputFile f;
        int r;

        if (!run->layers_mounted)
                return 0;
        r = output_template(&run->output, &f);
        if (r < 0)
                return log_oom();
        r = write_one(run, &f);
        if (r < 0)
                log_error_errno(r, "Cannot write %s; a generation still mounted stays so: %m", f.path);
        free(f.path);
        free(f.text);
        return r < 0 ? r : 0;
}

/* Every entry rendered (output.h: two passes), then written: the
 * fail-closed drop-ins first, the generations, then each entry's files
 * with its drop-in last. */
static int generate_all(Run *run, const SpecEntries *entries) {
        EntryOutput *outs = NULL;
        OutputGeneration *gens = NULL;
        size_t n = 0, n_gens = 0;
        int r, ret = 0;

        outs = calloc(entries->n + 1, sizeof *outs);
        if (!outs)
                return log_oom();
        for (; n < entries->n; n++) {
                resolver_next_spec(&run->resolver, entries->n - n);
                r = output_entry(&run->output, &entries->entries[n], &outs[n]);
                if (r < 0) {
                        ret = log_error_errno(r, "%s: cannot render its output: %m", entries->entries[n].path);
                        goto finish;
                }
        }
        r = output_finish(&run->output, outs, n, &gens, &n_gens);
        if (r < 0) {
                ret = log_oom();
                goto finish;
        }

        for (size_t i = 0; i < n; i++) {
                r = entry_begin(run, &outs[i]);
                if (r < 0 && ret == 0)
                        ret = r;
        }
        for (size_t i = 0; i < n_gens; i++) {
                r = write_generation(run, &gens[i], outs, n);
                if (r < 0 && ret == 0)
                        ret = r;
        }
        if (n_gens == 0) {
                r = write_template_alone(run);
                if (r < 0 && ret == 0)
                        ret = r;
        }
        for (size_t i = 0; i < n; i++) {
                r = entry_write(run, &outs[i]);
                if (r < 0 && ret == 0)
                        ret = r;
        }
finish:
        for (size_t i = 0; i < n_gens; i++)
                output_generation_done(&gens[i]);
        free(gens);
        for (size_t i = 0; i < n; i++)
                entry_output_done(&outs[i]);
        free(outs);
        return ret;
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
        int r;

        run.normal_fd = open(normal_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (run.normal_fd < 0)
                return log_error_errno(errno, "Cannot open output directory %s: %m", normal_dir);

        r = spec_dirs_enumerate(&run.root, &entries);
        if (r < 0)
                return log_error_errno(r, "Cannot list spec directories: %m");
        run.layers_mounted = layers_mounted(&run);
        if (entries.n == 0 && !run.layers_mounted)
                return 0;

        r = resolver_init(&run.resolver, &run.root, dirs);
        if (r < 0)
                return r;
        /* The layer units run this binary. */
        run.helper = realpath("/proc/self/exe", NULL);
        if (!run.helper)
                return log_error_errno(errno, "Cannot find this binary's path: %m");
        run.output = OUTPUT_INIT(&run.resolver, normal_dir, run.helper);

        return generate_all(&run, &entries);
}
