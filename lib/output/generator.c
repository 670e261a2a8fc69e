/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <fcntl.h>
#include <string.h>

#include "alloc-util.h"
#include "closure-layer.h"
#include "confinement.h"
#include "dropin.h"
#include "generator.h"
#include "log.h"
#include "path-list.h"
#include "resolver.h"
#include "spec-dirs.h"
#include "write-file.h"

static int render_and_write(int dirfd, const char *name, Renderer render, const void *userdata) {
        _cleanup_free_ char *buf = NULL;
        size_t size;
        int r;

        r = render_to_string(render, userdata, &buf, &size);
        if (r < 0)
                return r;
        return write_file_atomic_at(dirfd, name, buf, size);
}

typedef struct FailClosed {
        const char *spec_file;
        const char *reason;
} FailClosed;

/* A confinement and its closure layer as write_layer() found it. */
typedef struct Confined {
        const Confinement *c;
        const char *layer_id;
        size_t n_layer;
} Confined;

static int render_confined(FILE *f, const void *userdata) {
        const Confined *x = userdata;
        return dropin_render_with_layer(x->c, x->layer_id, x->n_layer, f);
}

static int render_fail_closed(FILE *f, const void *userdata) {
        const FailClosed *fc = userdata;
        return dropin_render_fail_closed(fc->spec_file, fc->reason, f);
}

static int render_view_mount(FILE *f, const void *userdata) {
        return store_view_mount_render(userdata, f);
}

typedef struct Layer {
        char id[CLOSURE_LAYER_ID_MAX];
        char *list; /* its names, one a line */
} Layer;

typedef struct Run {
        int normal_fd;
        const char *normal_dir;
        Root root;           /* everything reads under it */
        Resolver resolver;
        PathList store_dirs; /* that need a view */
        Layer *layers;       /* written so far */
        size_t n_layers, allocated_layers;
        char *helper;        /* this binary, for the layer units */
} Run;

typedef struct NameList {
        const char *const *names;
        size_t n;
} NameList;

static int render_layer_list(FILE *f, const void *userdata) {
        const NameList *l = userdata;
        return closure_layer_list_render(l->names, l->n, f);
}

static int render_layer_unit(FILE *f, const void *userdata) {
        return closure_layer_unit_render(userdata, f);
}

/* The unit that mounts c's closure as one overlay, and its list of names,
 * once per distinct closure; its ID in id. Returns the number of names (0:
 * no overlay). -EEXIST: another closure has the same ID. */
static int write_layer(Run *run, const Confinement *c, char id[CLOSURE_LAYER_ID_MAX]) {
        _cleanup_free_ const char **names = NULL;
        _cleanup_free_ char *list = NULL, *list_path = NULL, *unit = NULL, *list_name = NULL;
        _cleanup_close_ int lists_fd = -1;
        size_t size;
        int n, r;

        n = closure_layer_of(c, &names, id);
        if (n <= 0)
                return n;
        r = render_to_string(render_layer_list, &(NameList) { names, (size_t) n }, &list, &size);
        if (r < 0)
                return r;
        for (size_t i = 0; i < run->n_layers; i++)
                if (streq(run->layers[i].id, id))
                        return streq(run->layers[i].list, list) ? n : -EEXIST;

        if (!run->helper) {
                run->helper = realpath("/proc/self/exe", NULL);
                if (!run->helper)
                        return -errno;
        }
        lists_fd = open_subdirectory_at(run->normal_fd, CLOSURE_LAYER_LISTS);
        if (lists_fd < 0)
                return lists_fd;
        r = write_file_atomic_at(lists_fd, id, list, size);
        if (r < 0)
                return r;
        if (asprintf(&list_path, "%s/" CLOSURE_LAYER_LISTS "/%s", run->normal_dir, id) < 0)
                return -ENOMEM;
        r = closure_layer_unit_name(id, &unit);
        if (r < 0)
                return r;
        r = render_and_write(run->normal_fd, unit, render_layer_unit,
                             &(ClosureLayerUnit) { .id = id, .store_dir = c->store_dir, .list_path = list_path,
                                                   .helper = run->helper, .n_paths = (size_t) n });
        if (r < 0)
                return r;

        if (GREEDY_REALLOC(run->layers, run->allocated_layers, run->n_layers + 1, 8) < 0)
                return -ENOMEM;
        memcpy(run->layers[run->n_layers].id, id, CLOSURE_LAYER_ID_MAX);
        run->layers[run->n_layers++].list = TAKE_PTR(list);
        return n;
}

static int generate_one(Run *run, const SpecEntry *e) {
        _cleanup_confinement_ Confinement *c = NULL;
        _cleanup_free_ char *unit = NULL, *dropin_dir = NULL;
        _cleanup_(diag_done) Diag d = {};
        _cleanup_close_ int dir_fd = -1;
        char layer_id[CLOSURE_LAYER_ID_MAX] = "";
        int r, n_layer = 0;
        const char *why;

        unit = spec_entry_unit(e, &why);
        if (!unit) {
                log_warning("%s: %s; the file name must be UNIT.json for a service unit, skipping.", e->path, why);
                return 0;
        }
        /* A mask an unprivileged user could have planted does not count. */
        if (e->masked && !e->distrust) {
                log_debug("%s: masked, %s is not confined.", e->path, unit);
                return 0;
        }

        if (asprintf(&dropin_dir, "%s.d", unit) < 0)
                return log_oom();
        dir_fd = open_subdirectory_at(run->normal_fd, dropin_dir);
        if (dir_fd < 0)
                return log_error_errno(dir_fd, "%s: cannot create drop-in directory %s: %m", e->path, dropin_dir);

        /* Fail-closed first: whatever write fails below (a full /run),
         * this one stays, and the confinement takes its place atomically
         * only once all it needs is written. */
        r = render_and_write(dir_fd, DROPIN_NAME, render_fail_closed,
                             &(FailClosed) { .spec_file = e->path, .reason = GENERATOR_UNFINISHED });
        if (r < 0)
                /* Nothing written: only the guard (confinement.d(5)) holds it. */
                return log_error_errno(r, "%s: cannot write %s/%s, %s may start unconfined unless its guard "
                                       "drop-in asserts the confinement: %m",
                                       e->path, dropin_dir, DROPIN_NAME, unit);

        r = resolver_resolve(&run->resolver, e, unit, &c, &d);
        if (r >= 0) {
                r = n_layer = write_layer(run, c, layer_id);
                if (r == -EEXIST) {
                        /* Two closures, one hash: neither may see the other's. */
                        diag_error(&d, 0, e->path, "bindMethod",
                                   "the closure's overlay ID collides with another closure's; "
                                   "set \"bindMethod\": \"view\".");
                        r = -EINVAL;
                } else if (r < 0)
                        return log_error_errno(r, "%s: cannot write the closure overlay unit of %s, which will "
                                               "not start: %m",
                                               e->path, unit);
        }
        if (r >= 0) {
                r = render_and_write(dir_fd, DROPIN_NAME, render_confined,
                                     &(Confined) { c, layer_id, (size_t) n_layer });
                if (r < 0)
                        return log_error_errno(r, "%s: cannot write %s/%s, %s will not start: %m", e->path,
                                               dropin_dir, DROPIN_NAME, unit);
                if (c->view_dir) {
                        r = path_list_add(&run->store_dirs, c->store_dir);
                        if (r < 0)
                                return log_oom();
                }
                log_debug("%s: %s confined to %zu closure paths.", e->path, unit, c->n_closure_paths);
                return 0;
        }

        r = render_and_write(dir_fd, DROPIN_NAME, render_fail_closed,
                             &(FailClosed) { .spec_file = e->path, .reason = d.reason });
        if (r < 0)
                /* the first one stays, without the reason */
                return log_error_errno(r, "%s: cannot write %s/%s with the reason: %m", e->path, dropin_dir,
                                       DROPIN_NAME);
        log_error("%s: %s will not start until its spec is fixed.", e->path, unit);
        return 0;
}

static void run_done(Run *run) {
        resolver_done(&run->resolver);
        root_done(&run->root);
        path_list_done(&run->store_dirs);
        for (size_t i = 0; i < run->n_layers; i++)
                free(run->layers[i].list);
        free(run->layers);
        free(run->helper);
        if (run->normal_fd >= 0)
                close(run->normal_fd);
}

int generator_run(const char *root, const char *normal_dir, const GeneratorDirs *dirs) {
        assert(normal_dir);

        _cleanup_(spec_entries_done) SpecEntries entries = {};
        _cleanup_(run_done) Run run = { .normal_fd = -1, .normal_dir = normal_dir, .root.path = root };
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

        for (size_t i = 0; i < entries.n; i++) {
                resolver_next_spec(&run.resolver, entries.n - i);
                r = generate_one(&run, &entries.entries[i]);
                if (r < 0 && ret == 0)
                        ret = r;
        }

        path_list_sort_unique(&run.store_dirs);
        for (size_t i = 0; i < run.store_dirs.n; i++) {
                _cleanup_free_ char *name = store_view_mount_name(run.store_dirs.items[i]);

                if (!name)
                        return log_oom();
                r = render_and_write(run.normal_fd, name, render_view_mount, run.store_dirs.items[i]);
                if (r < 0) {
                        log_error_errno(r, "Cannot write %s: %m", name);
                        if (ret == 0)
                                ret = r;
                }
        }
        return ret;
}
