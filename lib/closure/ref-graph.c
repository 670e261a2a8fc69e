/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "ref-graph.h"

RefGraph *ref_graph_free(RefGraph *g) {
        if (!g)
                return NULL;
        path_index_done(&g->index);
        free(g->ref_start);
        free(g->refs);
        free(g->rank);
        free(g->by_rank);
        free(g);
        return NULL;
}

int ref_graph_closure_nodes(const RefGraph *g, const size_t *roots, size_t n_roots, size_t **ret, size_t *ret_n) {
        _cleanup_free_ bool *seen = calloc(g->index.n ?: 1, sizeof *seen);
        _cleanup_free_ size_t *stack = malloc((g->index.n ?: 1) * sizeof *stack);
        _cleanup_free_ size_t *found = malloc((g->index.n ?: 1) * sizeof *found);
        size_t top = 0, n = 0;

        assert(g);
        assert(ret);
        assert(ret_n);

        if (!seen || !stack || !found)
                return -ENOMEM;
        /* An explicit stack: every node is pushed at most once, so it never
         * holds more than n entries, and cycles of any length end. */
        for (size_t i = 0; i < n_roots; i++)
                if (!seen[roots[i]]) {
                        seen[roots[i]] = true;
                        stack[top++] = roots[i];
                }
        while (top > 0) {
                size_t v = stack[--top];

                found[n++] = v;
                for (size_t e = g->ref_start[v]; e < g->ref_start[v + 1]; e++)
                        if (!seen[g->refs[e]]) {
                                seen[g->refs[e]] = true;
                                stack[top++] = g->refs[e];
                        }
        }
        *ret = TAKE_PTR(found);
        *ret_n = n;
        return 0;
}

static int compare_node_paths(const void *a, const void *b, void *userdata) {
        char *const *paths = userdata;
        return strcmp(paths[*(const size_t *) a], paths[*(const size_t *) b]);
}

static int rank_nodes(RefGraph *g) {
        size_t n = g->index.n;
        _cleanup_free_ size_t *rank = malloc((n ?: 1) * sizeof *rank), *by_rank = malloc((n ?: 1) * sizeof *by_rank);

        if (!rank || !by_rank)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                by_rank[i] = i;
        qsort_r(by_rank, n, sizeof *by_rank, compare_node_paths, g->index.paths);
        for (size_t r = 0; r < n; r++)
                rank[by_rank[r]] = r;
        g->rank = TAKE_PTR(rank);
        g->by_rank = TAKE_PTR(by_rank);
        return 0;
}

int ref_graph_sort_nodes(RefGraph *g, size_t *nodes, size_t n) {
        _cleanup_free_ uint64_t *bits = NULL;
        size_t words = (g->index.n + 63) / 64, k = 0;
        int r;

        assert(g);

        /* Ranking costs about one sort of all nodes: worth it once that
         * many were sorted one closure at a time. */
        if (!g->rank && g->sorted + n > g->index.n) {
                r = rank_nodes(g);
                if (r < 0)
                        return r;
        }
        g->sorted += n;
        if (!g->rank) {
                qsort_r(nodes, n, sizeof *nodes, compare_node_paths, g->index.paths);
                return 0;
        }
        bits = calloc(words ?: 1, sizeof *bits);
        if (!bits)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                bits[g->rank[nodes[i]] / 64] |= UINT64_C(1) << (g->rank[nodes[i]] % 64);
        for (size_t w = 0; w < words; w++)
                for (uint64_t b = bits[w]; b != 0; b &= b - 1)
                        nodes[k++] = g->by_rank[w * 64 + (size_t) __builtin_ctzll(b)];
        return 0;
}

int ref_graph_closure(const RefGraph *g, const size_t *roots, size_t n_roots, PathList *out) {
        _cleanup_free_ size_t *found = NULL;
        size_t n = 0;
        int r;

        assert(g);
        assert(out);

        r = ref_graph_closure_nodes(g, roots, n_roots, &found, &n);
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = path_list_add(out, g->index.paths[found[i]]);
        return r < 0 ? r : 0;
}
