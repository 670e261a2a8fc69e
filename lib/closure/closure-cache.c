/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <string.h>

#include "alloc-util.h"
#include "closure-cache.h"
#include "closure-read.h"

void closure_info_free(ClosureInfo *ci) {
        if (!ci)
                return;
        free(ci->path);
        path_list_done(&ci->store_paths);
        ref_graph_free(ci->graph);
        free(ci);
}

void closure_cache_done(ClosureCache *c) {
        for (size_t i = 0; i < c->keys.n; i++)
                closure_info_free(c->entries[i]);
        free(c->entries);
        path_index_done(&c->keys);
        store_cache_done(&c->store);
        *c = CLOSURE_CACHE_INIT(c->root);
}

static int read_closure_info(ClosureCache *c, const char *path, ClosureInfo **ret, Diag *d) {
        ClosureInfo *ci;
        int r;

        ci = calloc(1, sizeof *ci);
        if (!ci || !(ci->path = strdup(path))) {
                free(ci);
                return -ENOMEM;
        }
        r = closure_read_store_paths(&(ClosureSource) { c->root, path, d }, &ci->store_paths);
        if (r < 0) {
                closure_info_free(ci);
                return r;
        }
        path_list_sort_unique(&ci->store_paths);
        *ret = ci;
        return 0;
}

int closure_cache_get(ClosureCache *c, const char *closure_info, bool keep, ClosureInfo **ret, Diag *d) {
        ClosureInfo *ci = NULL;
        ssize_t i;
        int r;

        assert(c);
        assert(closure_info);
        assert(ret);

        i = path_index_find(&c->keys, closure_info);
        if (i >= 0) {
                *ret = c->entries[i];
                return 0;
        }

        r = read_closure_info(c, closure_info, &ci, d);
        if (r < 0)
                return r;
        if (!keep) {
                *ret = ci;
                return 1;
        }
        if (GREEDY_REALLOC(c->entries, c->allocated, c->keys.n + 1, 8) < 0) {
                closure_info_free(ci);
                return -ENOMEM;
        }
        i = path_index_intern(&c->keys, closure_info);
        if (i < 0) {
                closure_info_free(ci);
                return -ENOMEM;
        }
        c->entries[i] = ci;
        *ret = ci;
        return 0;
}

/* Every registered path must be one store-paths lists: checked once per
 * closureInfo, so that the closure of any roots needs no check per path. */
static int check_registration(const ClosureInfo *ci, const RefGraph *g, Diag *d) {
        _cleanup_free_ bool *listed = calloc(g->index.n ?: 1, sizeof *listed);
        size_t n = 0;

        if (!listed)
                return -ENOMEM;
        for (size_t i = 0; i < ci->store_paths.n; i++) {
                ssize_t v = path_index_find(&g->index, ci->store_paths.items[i]);

                if (v >= 0 && !listed[v]) {
                        listed[v] = true;
                        n++;
                }
        }
        for (size_t v = 0; n < g->index.n && v < g->index.n; v++)
                if (!listed[v])
                        return diag_error(d, 0, "closureInfo",
                                          "%s/" REGISTRATION_FILE " refers to %s, which its " CLOSURE_STORE_PATHS
                                          " does not list.",
                                          ci->path, g->index.paths[v]);
        return 0;
}

int closure_info_get_graph(ClosureCache *c, ClosureInfo *ci, RefGraph **ret, Diag *d) {
        _cleanup_ref_graph_ RefGraph *g = NULL;
        int r;

        assert(c);
        assert(ci);
        assert(ret);

        if (!ci->graph) {
                r = registration_read(&(ClosureSource) { c->root, ci->path, d }, &g);
                if (r < 0)
                        return r;
                r = check_registration(ci, g, d);
                if (r < 0)
                        return r;
                ci->graph = TAKE_PTR(g);
        }
        *ret = ci->graph;
        return 0;
}
