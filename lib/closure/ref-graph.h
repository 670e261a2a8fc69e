/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The reference graph of a store, as closure-read.h reads it from the
 * "registration" file of a closureInfo output, and closures in it.
 * Walking is linear in paths plus references. */

#include "path-index.h"
#include "path-list.h"

#define REF_GRAPH_PATHS_MAX 1000000

typedef struct RefGraph {
        PathIndex index;   /* path <-> node number */
        size_t *ref_start; /* references of node i: refs[ref_start[i] .. ref_start[i + 1]) */
        size_t *refs;
        /* Once many nodes were sorted by path: every node's place in path
         * order (rank) and the nodes in that order (by_rank). */
        size_t *rank, *by_rank;
        size_t sorted; /* nodes sorted by path so far */
} RefGraph;

RefGraph *ref_graph_free(RefGraph *g);
static inline void ref_graph_freep(RefGraph **g) {
        ref_graph_free(*g);
}
#define _cleanup_ref_graph_ _cleanup_(ref_graph_freep)

/* The numbers of every node reachable from the roots (node numbers),
 * roots included, each once, in no particular order: *ret, *ret_n of
 * them. Cycles are fine. */
int ref_graph_closure_nodes(const RefGraph *g, const size_t *roots, size_t n_roots, size_t **ret, size_t *ret_n);
/* Sorts nodes (n distinct node numbers) by their paths. By comparing paths
 * at first; once as many nodes were sorted as the graph has, every node is
 * ranked once, and a sort takes a pass over a bitmap of the ranks. */
int ref_graph_sort_nodes(RefGraph *g, size_t *nodes, size_t n);
/* The same as paths, appended to out. */
int ref_graph_closure(const RefGraph *g, const size_t *roots, size_t n_roots, PathList *out);
