/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* closureInfo outputs read once per generator run, however many specs
 * share them: a system closure of 50 000 paths is read once, not once per
 * spec. Only what was read successfully is kept; a failure is reported to
 * each spec that asks, naming that spec. */

#include "diag.h"
#include "path-index.h"
#include "path-list.h"
#include "ref-graph.h"
#include "store-cache.h"

typedef struct ClosureInfo {
        char *path;            /* the closureInfo directory */
        PathList store_paths;  /* "store-paths", sorted, unique */
        RefGraph *graph;       /* "registration", read on first use */
} ClosureInfo;

typedef struct ClosureCache {
        const char *root;
        PathIndex keys; /* closureInfo path -> entries[i] */
        ClosureInfo **entries;
        StoreCache store; /* the store entries closure paths name; .root as above */
} ClosureCache;

void closure_cache_done(ClosureCache *c);

int closure_cache_get(ClosureCache *c, const char *closure_info, const char *spec_file, ClosureInfo **ret, Diag *d);
int closure_info_get_graph(ClosureCache *c, ClosureInfo *ci, const char *spec_file, const RefGraph **ret, Diag *d);
