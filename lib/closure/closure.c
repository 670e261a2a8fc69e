/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "chase.h"
#include "closure.h"
#include "closure-read.h"
#include "store-path.h"

void closure_done(Closure *c) {
        free(c->paths);
        for (size_t i = 0; i < c->n_read; i++)
                closure_info_free(c->read[i]);
        free(c->read);
}

static int compare_refs(const void *a, const void *b) {
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* Sorts the closure's paths and drops repeats (several closureInfos may
 * list the same path). */
static void closure_sort_unique(Closure *c) {
        size_t k = 0;

        if (c->n == 0)
                return;
        qsort(c->paths, c->n, sizeof *c->paths, compare_refs);
        for (size_t i = 1; i < c->n; i++)
                if (!streq(c->paths[i], c->paths[k]))
                        c->paths[++k] = c->paths[i];
        c->n = k + 1;
}

bool closure_contains(const Closure *c, const char *path) {
        return c->n > 0 && bsearch(&path, c->paths, c->n, sizeof *c->paths, compare_refs);
}

/* One spec's closure being computed: its closureInfos, in the spec's
 * order, and its roots. */
typedef struct Job {
        ClosureCache *cache;
        const Spec *spec;
        ClosureInfo **cis;
        PathList roots;
        Closure *closure;
        Diag *d;
} Job;

static void job_done(Job *j) {
        free(j->cis);
        path_list_done(&j->roots);
}

/* A root must be in the universe, the union of store-paths. */
static int add_root(Job *j, const char *key, const char *path, const char *named_by) {
        for (size_t i = 0; i < j->spec->n_closure_infos; i++)
                if (path_list_contains(&j->cis[i]->store_paths, path))
                        return path_list_add(&j->roots, path);
        return diag_error(j->d, 0, key,
                          "%s names %s, which is not in the store-paths of closureInfo.", named_by, path);
}

static int collect_roots(Job *j, const PathList *unit_paths) {
        const Spec *spec = j->spec;
        char key[64];
        int r;

        for (size_t i = 0; i < spec->n_packages; i++) {
                _cleanup_free_ char *store_path = NULL;

                (void) snprintf(key, sizeof key, "packages[%zu]", i);
                r = store_path_of(spec->packages[i], spec->store_dir, &store_path);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return diag_error(j->d, 0, key,
                                          "expected a path in the store directory %s, got %s.", spec->store_dir,
                                          spec->packages[i]);
                r = add_root(j, key, store_path, spec->packages[i]);
                if (r < 0)
                        return r;
        }

        if (unit_paths)
                for (size_t i = 0; i < unit_paths->n; i++) {
                        r = add_root(j, "unitRoots", unit_paths->items[i], "the unit");
                        if (r < 0)
                                return r;
                }

        /* binSh is always a root; that it lies in the store is checked
         * where it is bound. */
        if (spec->bin_sh) {
                _cleanup_free_ char *resolved = NULL, *store_path = NULL;

                if (chase_under_root(j->cache->root, spec->bin_sh, &resolved) >= 0 &&
                    store_path_of(resolved, spec->store_dir, &store_path) >= 0) {
                        r = add_root(j, "binSh", store_path, spec->bin_sh);
                        if (r < 0)
                                return r;
                }
        }
        path_list_sort_unique(&j->roots);
        return 0;
}

/* The roots that closureInfo ci lists, as nodes of its graph g: *ret_n
 * of them in nodes (room for every root). */
static int root_nodes(Job *j, const ClosureInfo *ci, const RefGraph *g, size_t *nodes, size_t *ret_n) {
        size_t n = 0;

        for (size_t k = 0; k < j->roots.n; k++) {
                ssize_t v;

                if (!path_list_contains(&ci->store_paths, j->roots.items[k]))
                        continue;
                v = path_index_find(&g->index, j->roots.items[k]);
                if (v < 0)
                        return diag_error(j->d, 0, "closureInfo",
                                          "%s/" CLOSURE_STORE_PATHS " lists %s, but its " REGISTRATION_FILE
                                          " does not.",
                                          ci->path, j->roots.items[k]);
                nodes[n++] = (size_t) v;
        }
        *ret_n = n;
        return 0;
}

/* The closure of the roots in each closureInfo's reference graph, as paths
 * borrowed from the graphs (which live as long as the closureInfos),
 * sorted and each once. */
static int closure_of_roots(Job *j) {
        Closure *closure = j->closure;
        size_t allocated = 0;
        bool sorted = true;
        int r;

        for (size_t i = 0; i < j->spec->n_closure_infos; i++) {
                _cleanup_free_ size_t *nodes = malloc((j->roots.n ?: 1) * sizeof *nodes), *found = NULL;
                RefGraph *g;
                size_t n_nodes = 0, n_found = 0;

                if (!nodes)
                        return -ENOMEM;
                for (size_t k = 0; k < j->roots.n; k++)
                        if (path_list_contains(&j->cis[i]->store_paths, j->roots.items[k]))
                                n_nodes++;
                if (n_nodes == 0)
                        continue;

                /* Checks that every registered path is in store-paths. */
                r = closure_info_get_graph(j->cache, j->cis[i], &g, j->d);
                if (r < 0)
                        return r;
                r = root_nodes(j, j->cis[i], g, nodes, &n_nodes);
                if (r < 0)
                        return r;

                r = ref_graph_closure_nodes(g, nodes, n_nodes, &found, &n_found);
                if (r >= 0)
                        r = ref_graph_sort_nodes(g, found, n_found);
                if (r < 0)
                        return r;
                sorted = sorted && closure->n == 0;
                if (GREEDY_REALLOC(closure->paths, allocated, closure->n + n_found, 1) < 0)
                        return -ENOMEM;
                for (size_t k = 0; k < n_found; k++)
                        closure->paths[closure->n++] = g->index.paths[found[k]];
        }
        /* The paths of one graph are sorted and distinct; of several, merged here. */
        if (!sorted)
                closure_sort_unique(closure);
        return 0;
}

/* The closure as every path of the closureInfos' store-paths. */
static int closure_borrow(Job *j) {
        Closure *c = j->closure;
        size_t n = 0, k = 0;
        bool sorted = true;

        for (size_t i = 0; i < j->spec->n_closure_infos; i++)
                n += j->cis[i]->store_paths.n;
        c->paths = malloc((n ?: 1) * sizeof *c->paths);
        if (!c->paths)
                return -ENOMEM;
        for (size_t i = 0; i < j->spec->n_closure_infos; i++) {
                const PathList *l = &j->cis[i]->store_paths;

                for (size_t m = 0; m < l->n; m++) {
                        c->paths[k] = l->items[m];
                        sorted = sorted && (k == 0 || strcmp(c->paths[k - 1], c->paths[k]) < 0);
                        k++;
                }
        }
        c->n = n;
        if (!sorted)
                closure_sort_unique(c);
        return 0;
}

int closure_compute(ClosureCache *cache, const Spec *spec, const PathList *unit_paths, bool unit_installed,
                    Closure *closure, Diag *d) {
        assert(cache);
        assert(spec);
        assert(closure);
        assert(d);

        diag_set_file(d, spec->file);
        _cleanup_(job_done) Job j = {
                .cache = cache,
                .spec = spec,
                .cis = calloc(spec->n_closure_infos ?: 1, sizeof(ClosureInfo *)),
                .closure = closure,
                .d = d,
        };
        int r;

        closure->read = calloc(spec->n_closure_infos ?: 1, sizeof *closure->read);
        if (!j.cis || !closure->read)
                return -ENOMEM;
        for (size_t i = 0; i < spec->n_closure_infos; i++) {
                /* Roots are looked up in what is usually one system closure
                 * shared by many specs: keep it. */
                r = closure_cache_get(cache, spec->closure_infos[i], spec_names_roots(spec), &j.cis[i], d);
                if (r < 0)
                        return r;
                if (r > 0)
                        closure->read[closure->n_read++] = j.cis[i];
        }

        if (!spec_names_roots(spec))
                return closure_borrow(&j);

        if (spec->unit_roots != UNIT_ROOTS_NONE && spec->n_packages == 0 && !unit_installed)
                return diag_error(d, 0, "unitRoots",
                                  "\"%s\" takes the roots from the unit's files, but the unit is not installed "
                                  "(yet); install it and reload, or name roots with \"packages\".",
                                  unit_roots_to_string(spec->unit_roots));
        r = collect_roots(&j, unit_paths);
        if (r < 0)
                return r;
        return closure_of_roots(&j);
}
