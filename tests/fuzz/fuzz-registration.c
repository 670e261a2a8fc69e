/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* registration_parse() (nix-store --dump-db) on arbitrary bytes, then
 * closures in the graph it built: from each of the first nodes alone and
 * from all nodes at once. Checked: the arrays are consistent, a closure
 * holds its roots and each path once, and the closure of every node is
 * every node. */

#include <string.h>

#include "fuzz.h"
#include "path-util.h"
#include "closure-read.h"
#include "ref-graph.h"

/* Closures from single nodes are linear each: bound the quadratic part. */
#define SINGLE_ROOTS_MAX 16

static void check_closure(const RefGraph *g, const size_t *roots, size_t n_roots) {
        PathList out = {};

        fuzz_assert(ref_graph_closure(g, roots, n_roots, &out) == 0);
        fuzz_assert(out.n <= g->index.n);
        fuzz_assert(n_roots == 0 || out.n >= 1);

        /* Each once: sorting must not shrink it. */
        {
                size_t n = out.n;
                path_list_sort_unique(&out);
                fuzz_assert(out.n == n);
        }
        for (size_t i = 0; i < n_roots; i++)
                fuzz_assert(path_list_contains(&out, g->index.paths[roots[i]]));
        /* Closed under references. */
        for (size_t i = 0; i < out.n; i++) {
                ssize_t v = path_index_find(&g->index, out.items[i]);
                fuzz_assert(v >= 0);
                for (size_t e = g->ref_start[v]; e < g->ref_start[v + 1]; e++)
                        fuzz_assert(path_list_contains(&out, g->index.paths[g->refs[e]]));
        }
        path_list_done(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_ref_graph_ RefGraph *g = NULL;
        _cleanup_fclose_ FILE *f = NULL;
        Diag d = DIAG_INIT("fuzz.service.json");
        size_t n;
        int r;

        fuzz_setup();
        if (size == 0)
                f = fopen("/dev/null", "re");
        else
                f = fmemopen((void *) data, size, "r");
        if (!f)
                return 0;

        r = registration_parse(f, "/nix/store/fuzz-closure-info/registration", &g, &d);
        if (r < 0) {
                fuzz_assert(!g);
                fuzz_assert(r == -ENOMEM || d.reason);
                diag_done(&d);
                return 0;
        }
        fuzz_assert(g);
        fuzz_assert(!d.reason);

        n = g->index.n;
        fuzz_assert(g->ref_start[0] == 0);
        for (size_t i = 0; i < n; i++) {
                fuzz_assert(g->ref_start[i] <= g->ref_start[i + 1]);
                fuzz_assert(path_check_safe(g->index.paths[i], NULL) == 0);
                fuzz_assert(path_index_find(&g->index, g->index.paths[i]) == (ssize_t) i);
        }
        for (size_t e = 0; e < g->ref_start[n]; e++)
                fuzz_assert(g->refs[e] < n);

        for (size_t i = 0; i < n && i < SINGLE_ROOTS_MAX; i++)
                check_closure(g, &i, 1);

        {
                size_t *all = malloc((n ?: 1) * sizeof *all);
                PathList out = {};

                fuzz_assert(all);
                for (size_t i = 0; i < n; i++)
                        all[i] = n - 1 - i;
                check_closure(g, all, n);
                fuzz_assert(ref_graph_closure(g, all, n, &out) == 0);
                fuzz_assert(out.n == n);
                path_list_done(&out);
                /* No roots: an empty closure. */
                fuzz_assert(ref_graph_closure(g, all, 0, &out) == 0);
                fuzz_assert(out.n == 0);
                free(all);
        }
        return 0;
}
