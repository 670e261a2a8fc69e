/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The closure of one service: every path of its spec's closureInfos'
 * store-paths, or the closure of the spec's roots (packages, the unit's
 * store paths, binSh) in their reference graphs (ref-graph.h). The
 * closureInfos are read through the run's cache (closure-cache.h). */

#include <stdbool.h>
#include <stddef.h>

#include "closure-cache.h"
#include "diag.h"
#include "path-list.h"
#include "spec.h"

/* The closure: sorted, unique paths, borrowed from the closureInfos'
 * store-paths or reference graphs. */
typedef struct Closure {
        const char **paths;
        size_t n;
        ClosureInfo **read; /* closureInfos read for this spec alone */
        size_t n_read;
} Closure;

void closure_done(Closure *c);

/* Computes spec's closure into *closure (zeroed; closure_done() frees it,
 * on failure too). unit_paths: the store paths the unit's files name, the
 * roots spec's unitRoots asks for (NULL: none asked, or the unit was not
 * read); unit_installed: the unit was read and found. Every problem is
 * logged with the spec file and key and kept in d. */
int closure_compute(ClosureCache *cache, const Spec *spec, const PathList *unit_paths, bool unit_installed,
                    Closure *closure, Diag *d);

/* Whether path is one of the closure's paths. */
bool closure_contains(const Closure *c, const char *path);
