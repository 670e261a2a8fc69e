/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* closureInfo outputs read once per generator run, however many specs
 * share them: a system closure of 50 000 paths is read once, not once per
 * spec. Only what is asked for with keep is kept (closures of roots: a
 * system closure shared by many specs); a closureInfo bound whole is read
 * for its spec and dropped after it, so that memory stays that of the
 * largest spec, not of all of them. Failures are not kept: each spec that
 * asks is told, by name. */

#include <stdbool.h>

#include "diag.h"
#include "path-index.h"
#include "path-list.h"
#include "ref-graph.h"
#include "root.h"
#include "store-cache.h"

typedef struct ClosureInfo {
        char *path;            /* the closureInfo directory */
        PathList store_paths;  /* "store-paths", sorted, unique */
        RefGraph *graph;       /* "registration", read on first use */
} ClosureInfo;

typedef struct ClosureCache {
        Root *root;     /* the run's, borrowed: every file is read under it */
        PathIndex keys; /* closureInfo path -> entries[i] */
        ClosureInfo **entries;
        size_t allocated;
        StoreCache store; /* the store entries closure paths name */
} ClosureCache;

#define CLOSURE_CACHE_INIT(r) ((ClosureCache) { .root = (r), .store = STORE_CACHE_INIT(r) })

void closure_cache_done(ClosureCache *c);

/* The closureInfo at path closure_info, for d's spec (in messages). 0 when the cache owns *ret (kept, with keep, or cached
 * already); 1 when the caller does, and frees it with
 * closure_info_free(). */
int closure_cache_get(ClosureCache *c, const char *closure_info, bool keep, ClosureInfo **ret, Diag *d);
void closure_info_free(ClosureInfo *ci);
int closure_info_get_graph(ClosureCache *c, ClosureInfo *ci, RefGraph **ret, Diag *d);
