/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <fcntl.h>
#include <string.h>

#include "alloc-util.h"
#include "closure-layer.h"
#include "confinement.h"
#include "dropin.h"
#include "generator.h"
#include "layer-generation.h"
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

static int render_confined(FILE *f, const void *userdata) {
        return dropin_render(userdata, f);
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
        char *list;            /* its names, one a line */
        char *store_dir;
} Layer;

/* A service confined to a layer: it Requires= its generation. */
typedef struct LayerUser {
        char *unit;
        size_t layer;
} LayerUser;

typedef struct Run {
        int normal_fd;
        const char *normal_dir;
        Root root;           /* everything reads under it */
        Resolver resolver;
        PathList store_dirs; /* that need a view */
        Layer *layers;       /* distinct closures so far */
        size_t n_layers, allocated_layers;
        LayerUser *users;
        size_t n_users, allocated_users;
        PathList layer_stores; /* the store directories of layers */
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

/* c's closure among the run's layers, once per distinct closure; its
 * index in *ret, or -1 without a layer. -EEXIST: another closure has the
 * same ID. The lists and units are written at the end of the run
 * (write_generations()), when every closure is known. */
static int add_layer(Run *run, const Confinement *c, ssize_t *ret) {
        _cleanup_free_ const char **names = NULL;
        _cleanup_free_ char *list = NULL;
        char id[CLOSURE_LAYER_ID_MAX];
        size_t size;
        int n, r;

        *ret = -1;
        n = closure_layer_of(c, &names, id);
        if (n <= 0)
                return n;
        r = render_to_string(render_layer_list, &(NameList) { names, (size_t) n }, &list, &size);
        if (r < 0)
                return r;
        for (size_t i = 0; i < run->n_layers; i++)
                if (streq(run->layers[i].id, id)) {
                        if (!streq(run->layers[i].list, list))
                                return -EEXIST;
                        *ret = (ssize_t) i;
                        return 0;
                }

        r = path_list_add(&run->layer_stores, c->store_dir);
        if (r < 0)
                return r;
        if (GREEDY_REALLOC(run->layers, run->allocated_layers, run->n_layers + 1, 8) < 0)
                return -ENOMEM;
        memcpy(run->layers[run->n_layers].id, id, sizeof id);
        run->layers[run->n_layers].list = TAKE_PTR(list);
        run->layers[run->n_layers].store_dir = strdup(c->store_dir);
        if (!run->layers[run->n_layers].store_dir) {
                free(run->layers[run->n_layers].list);
                return -ENOMEM;
        }
        *ret = (ssize_t) run->n_layers++;
        return 0;
}

static int add_layer_user(Run *run, const char *unit, size_t layer) {
        char *copy = strdup(unit);

        if (!copy || GREEDY_REALLOC(run->users, run->allocated_users, run->n_users + 1, 8) < 0) {
                free(copy);
                return -ENOMEM;
        }
        run->users[run->n_users++] = (LayerUser) { copy, layer };
        return 0;
}

static int generate_one(Run *run, const SpecEntry *e) {
        _cleanup_confinement_ Confinement *c = NULL;
        _cleanup_free_ char *unit = NULL, *dropin_dir = NULL;
        _cleanup_(diag_done) Diag d = {};
        _cleanup_close_ int dir_fd = -1;
        const char *why;
        ssize_t layer = -1;
        int r;

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

        r = resolver_resolve(&run->resolver, e, unit, &c, &d);
        if (r >= 0) {
                r = add_layer(run, c, &layer);
                if (r == -EEXIST) {
                        /* Two closures, one hash: neither may see the other's. */
                        diag_error(&d, 0, e->path, "bindMethod",
                                   "the closure's overlay ID collides with another closure's; "
                                   "set \"bindMethod\": \"view\".");
                        r = -EINVAL;
                } else if (r < 0)
                        return log_error_errno(r, "%s: cannot add the closure overlay of %s: %m", e->path, unit);
        }
        if (r >= 0) {
                r = render_and_write(dir_fd, DROPIN_NAME, render_confined, c);
                if (r < 0)
                        return log_error_errno(r, "%s: cannot write %s/%s: %m", e->path, dropin_dir, DROPIN_NAME);
                if (c->view_dir) {
                        r = path_list_add(&run->store_dirs, c->store_dir);
                        if (r < 0)
                                return log_oom();
                }
                if (layer >= 0 && add_layer_user(run, unit, (size_t) layer) < 0)
                        return log_oom();
                log_debug("%s: %s confined to %zu closure paths.", e->path, unit, c->n_closure_paths);
                return 0;
        }

        r = render_and_write(dir_fd, DROPIN_NAME, render_fail_closed,
                             &(FailClosed) { .spec_file = e->path, .reason = d.reason });
        if (r < 0)
                return log_error_errno(r, "%s: cannot write %s/%s, %s may start unconfined: %m", e->path,
                                       dropin_dir, DROPIN_NAME, unit);
        log_error("%s: %s will not start until its spec is fixed.", e->path, unit);
        return 0;
}

static int render_template(FILE *f, const void *userdata) {
        const Run *run = userdata;
        _cleanup_free_ char *lists = NULL;

        if (asprintf(&lists, "%s/" CLOSURE_LAYER_LISTS, run->normal_dir) < 0)
                return -ENOMEM;
        return layer_generation_template_render(run->helper, lists, f);
}

static int render_generation_dropin(FILE *f, const void *userdata) {
        return layer_generation_dropin_render(userdata, f);
}

/* SERVICE.requires/confinement-layer@GEN.service, a link to the template. */
static int write_requires(Run *run, const char *unit, const char *gen_unit) {
        _cleanup_free_ char *dir = NULL, *target = NULL, *tmp = NULL;
        _cleanup_close_ int fd = -1;

        if (asprintf(&dir, "%s.requires", unit) < 0 ||
            asprintf(&target, "%s/" LAYER_GENERATION_TEMPLATE, run->normal_dir) < 0 ||
            asprintf(&tmp, ".%s.tmp", gen_unit) < 0)
                return -ENOMEM;
        fd = open_subdirectory_at(run->normal_fd, dir);
        if (fd < 0)
                return fd;
        (void) unlinkat(fd, tmp, 0);
        if (symlinkat(target, fd, tmp) < 0 || renameat(fd, tmp, fd, gen_unit) < 0) {
                int r = -errno;
                (void) unlinkat(fd, tmp, 0);
                return r;
        }
        return 0;
}

/* One store directory's generation: its lists, its drop-in, and the
 * Requires= of each of its services. */
static int write_generation(Run *run, const char *store_dir) {
        _cleanup_free_ LayerClosure *closures = NULL;
        _cleanup_free_ const char **services = NULL;
        _cleanup_free_ char *gen_dir = NULL, *gen_unit = NULL, *dropin_dir = NULL, *store_line = NULL;
        _cleanup_close_ int lists_fd = -1, gen_fd = -1, dropin_fd = -1;
        char gen[CLOSURE_LAYER_ID_MAX];
        size_t n = 0, n_services = 0;
        int r;

        closures = malloc(run->n_layers * sizeof *closures);
        services = malloc((run->n_users + 1) * sizeof *services);
        if (!closures || !services)
                return -ENOMEM;
        for (size_t i = 0; i < run->n_layers; i++)
                if (streq(run->layers[i].store_dir, store_dir))
                        closures[n++] = (LayerClosure) { run->layers[i].id, run->layers[i].list };
        r = layer_generation_id(store_dir, closures, n, gen);
        if (r < 0)
                return r;

        lists_fd = open_subdirectory_at(run->normal_fd, CLOSURE_LAYER_LISTS);
        if (lists_fd < 0)
                return lists_fd;
        gen_fd = open_subdirectory_at(lists_fd, gen);
        if (gen_fd < 0)
                return gen_fd;
        if (asprintf(&store_line, "%s\n", store_dir) < 0)
                return -ENOMEM;
        r = write_file_atomic_at(gen_fd, LAYER_GENERATION_STORE_FILE, store_line, strlen(store_line));
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                r = write_file_atomic_at(gen_fd, closures[i].id, closures[i].list, strlen(closures[i].list));
                if (r < 0)
                        return r;
        }

        r = layer_generation_unit_name(gen, &gen_unit);
        if (r < 0)
                return r;
        for (size_t i = 0; i < run->n_users; i++)
                if (streq(run->layers[run->users[i].layer].store_dir, store_dir))
                        services[n_services++] = run->users[i].unit;
        if (asprintf(&dropin_dir, "%s.d", gen_unit) < 0)
                return -ENOMEM;
        dropin_fd = open_subdirectory_at(run->normal_fd, dropin_dir);
        if (dropin_fd < 0)
                return dropin_fd;
        r = render_and_write(dropin_fd, LAYER_GENERATION_DROPIN, render_generation_dropin,
                             &(LayerGeneration) { .id = gen, .store_dir = store_dir, .services = services,
                                                  .n_services = n_services, .n_closures = n });
        if (r < 0)
                return r;
        for (size_t i = 0; i < n_services; i++) {
                r = write_requires(run, services[i], gen_unit);
                if (r < 0)
                        return log_error_errno(r, "Cannot write %s.requires/%s, %s does not start: %m",
                                               services[i], gen_unit, services[i]);
        }
        log_debug("Generation %s of %s: %zu closures, %zu services.", gen, store_dir, n, n_services);
        return 0;
}

/* After every spec: the template and each store directory's generation.
 * A service whose generation is not written does not start: its bind's
 * source is missing. */
static int write_generations(Run *run) {
        int r, ret = 0;

        if (run->n_layers == 0)
                return 0;
        path_list_sort_unique(&run->layer_stores);
        run->helper = realpath("/proc/self/exe", NULL);
        if (!run->helper)
                return log_error_errno(-errno, "Cannot find this binary for the overlay units: %m");
        r = render_and_write(run->normal_fd, LAYER_GENERATION_TEMPLATE, render_template, run);
        if (r < 0)
                return log_error_errno(r, "Cannot write " LAYER_GENERATION_TEMPLATE ": %m");
        for (size_t j = 0; j < run->layer_stores.n; j++) {
                r = write_generation(run, run->layer_stores.items[j]);
                if (r < 0) {
                        log_error_errno(r, "Cannot write the closures' overlay of %s: %m", run->layer_stores.items[j]);
                        if (ret == 0)
                                ret = r;
                }
        }
        return ret;
}

static void run_done(Run *run) {
        resolver_done(&run->resolver);
        root_done(&run->root);
        path_list_done(&run->store_dirs);
        for (size_t i = 0; i < run->n_layers; i++) {
                free(run->layers[i].list);
                free(run->layers[i].store_dir);
        }
        free(run->layers);
        for (size_t i = 0; i < run->n_users; i++)
                free(run->users[i].unit);
        free(run->users);
        path_list_done(&run->layer_stores);
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

        r = write_generations(&run);
        if (r < 0 && ret == 0)
                ret = r;

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
