/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

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
                if (strcmp(c->paths[i], c->paths[k]) != 0)
                        c->paths[++k] = c->paths[i];
        c->n = k + 1;
}

bool closure_contains(const Closure *c, const char *path) {
        return c->n > 0 && bsearch(&path, c->paths, c->n, sizeof *c->paths, compare_refs);
}

/* A root must be in the universe, the union of store-paths. */
static int add_root(ClosureInfo **cis, size_t n_cis, const Spec *spec, const char *key, const char *path,
                    const char *named_by, PathList *roots, Diag *d) {
        for (size_t i = 0; i < n_cis; i++)
                if (path_list_contains(&cis[i]->store_paths, path))
                        return path_list_add(roots, path);
        return diag_error(d, 0, spec->file, key, "%s names %s, which is not in the store-paths of closureInfo.",
                          named_by, path);
}

static int collect_roots(const char *root, ClosureInfo **cis, size_t n_cis, const PathList *unit_paths,
                         const Spec *spec, PathList *roots, Diag *d) {
        char key[64];
        int r;

        for (size_t i = 0; i < spec->n_packages; i++) {
                _cleanup_free_ char *store_path = NULL;

                (void) snprintf(key, sizeof key, "packages[%zu]", i);
                r = store_path_of(spec->packages[i], spec->store_dir, &store_path);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return diag_error(d, 0, spec->file, key, "expected a path in the store directory %s, got %s.",
                                          spec->store_dir, spec->packages[i]);
                r = add_root(cis, n_cis, spec, key, store_path, spec->packages[i], roots, d);
                if (r < 0)
                        return r;
        }

        if (unit_paths)
                for (size_t i = 0; i < unit_paths->n; i++) {
                        r = add_root(cis, n_cis, spec, "unitRoots", unit_paths->items[i], "the unit", roots, d);
                        if (r < 0)
                                return r;
                }

        /* binSh is always a root; that it lies in the store is checked
         * where it is bound. */
        if (spec->bin_sh) {
                _cleanup_free_ char *resolved = NULL, *store_path = NULL;

                if (chase_under_root(root, spec->bin_sh, &resolved) >= 0 &&
                    store_path_of(resolved, spec->store_dir, &store_path) >= 0) {
                        r = add_root(cis, n_cis, spec, "binSh", store_path, spec->bin_sh, roots, d);
                        if (r < 0)
                                return r;
                }
        }
        path_list_sort_unique(roots);
        return 0;
}

/* The closure of the roots in each closureInfo's reference graph, as paths
 * borrowed from the graphs (which live as long as the closureInfos),
 * sorted and each once. */
static int closure_of_roots(ClosureCache *cache, ClosureInfo **cis, size_t n_cis, const Spec *spec,
                            const PathList *roots, Closure *closure, Diag *d) {
        size_t allocated = 0;
        bool sorted = true;
        int r;

        for (size_t i = 0; i < n_cis; i++) {
                _cleanup_free_ size_t *nodes = malloc((roots->n ?: 1) * sizeof *nodes), *found = NULL;
                RefGraph *g;
                size_t n_nodes = 0, n_found = 0;

                if (!nodes)
                        return -ENOMEM;
                for (size_t j = 0; j < roots->n; j++)
                        if (path_list_contains(&cis[i]->store_paths, roots->items[j]))
                                n_nodes++;
                if (n_nodes == 0)
                        continue;

                /* Checks that every registered path is in store-paths. */
                r = closure_info_get_graph(cache, cis[i], spec->file, &g, d);
                if (r < 0)
                        return r;
                n_nodes = 0;
                for (size_t j = 0; j < roots->n; j++) {
                        ssize_t v;

                        if (!path_list_contains(&cis[i]->store_paths, roots->items[j]))
                                continue;
                        v = path_index_find(&g->index, roots->items[j]);
                        if (v < 0)
                                return diag_error(d, 0, spec->file, "closureInfo",
                                                  "%s/" CLOSURE_STORE_PATHS " lists %s, but its " REGISTRATION_FILE
                                                  " does not.",
                                                  cis[i]->path, roots->items[j]);
                        nodes[n_nodes++] = (size_t) v;
                }

                r = ref_graph_closure_nodes(g, nodes, n_nodes, &found, &n_found);
                if (r >= 0)
                        r = ref_graph_sort_nodes(g, found, n_found);
                if (r < 0)
                        return r;
                sorted = sorted && closure->n == 0;
                if (closure->n + n_found > allocated) {
                        const char **p;

                        allocated = closure->n + n_found;
                        p = reallocarray(closure->paths, allocated ?: 1, sizeof *p);
                        if (!p)
                                return -ENOMEM;
                        closure->paths = p;
                }
                for (size_t j = 0; j < n_found; j++)
                        closure->paths[closure->n++] = g->index.paths[found[j]];
        }
        /* The paths of one graph are sorted and distinct; of several, merged here. */
        if (!sorted)
                closure_sort_unique(closure);
        return 0;
}

static int closure_borrow(Closure *c, const PathList *const *lists, size_t n_lists) {
        size_t n = 0, k = 0;
        bool sorted = true;

        for (size_t i = 0; i < n_lists; i++)
                n += lists[i]->n;
        c->paths = malloc((n ?: 1) * sizeof *c->paths);
        if (!c->paths)
                return -ENOMEM;
        for (size_t i = 0; i < n_lists; i++)
                for (size_t j = 0; j < lists[i]->n; j++) {
                        c->paths[k] = lists[i]->items[j];
                        sorted = sorted && (k == 0 || strcmp(c->paths[k - 1], c->paths[k]) < 0);
                        k++;
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

        _cleanup_free_ ClosureInfo **cis = calloc(spec->n_closure_infos ?: 1, sizeof *cis);
        _cleanup_free_ const PathList **lists = calloc(spec->n_closure_infos ?: 1, sizeof *lists);
        _cleanup_(path_list_done) PathList roots = {};
        int r;

        closure->read = calloc(spec->n_closure_infos ?: 1, sizeof *closure->read);
        if (!cis || !lists || !closure->read)
                return -ENOMEM;
        for (size_t i = 0; i < spec->n_closure_infos; i++) {
                bool owned;

                /* Roots are looked up in what is usually one system closure
                 * shared by many specs: keep it. */
                r = closure_cache_get(cache, spec->closure_infos[i], spec_names_roots(spec), spec->file, &cis[i],
                                      &owned, d);
                if (r < 0)
                        return r;
                if (owned)
                        closure->read[closure->n_read++] = cis[i];
                lists[i] = &cis[i]->store_paths;
        }

        if (!spec_names_roots(spec))
                return closure_borrow(closure, lists, spec->n_closure_infos);

        if (spec->unit_roots != UNIT_ROOTS_NONE && spec->n_packages == 0 && !unit_installed)
                return diag_error(d, 0, spec->file, "unitRoots",
                                  "\"%s\" takes the roots from the unit's files, but the unit is not installed "
                                  "(yet); install it and reload, or name roots with \"packages\".",
                                  unit_roots_to_string(spec->unit_roots));
        r = collect_roots(cache->root, cis, spec->n_closure_infos, unit_paths, spec, &roots, d);
        if (r < 0)
                return r;
        return closure_of_roots(cache, cis, spec->n_closure_infos, spec, &roots, closure, d);
}
