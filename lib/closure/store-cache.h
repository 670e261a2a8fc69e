/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What kind of entry each store path is, asked once per generator run:
 * every closure path must exist, and a symlink must be bound from its
 * target. Specs share most of their closures, and a few specs with large
 * closures ask about much of the store, so answers are kept, and once the
 * distinct questions pass a third of the store's entries (at least
 * STORE_CACHE_LIST_AFTER) the whole store directory is listed once instead
 * of asking entry by entry: on ext4 a listing costs about 0.35 µs an entry,
 * a question 1.2 µs (tests/bench/generator-cost.sh). */

#include <stdbool.h>

#include "path-index.h"
#include "root.h"

#define STORE_CACHE_LIST_AFTER 2048

typedef enum StoreEntryType {
        STORE_ENTRY_MISSING,
        STORE_ENTRY_SYMLINK,
        STORE_ENTRY_OTHER, /* a directory or a file */
} StoreEntryType;

typedef struct StoreDir StoreDir;

typedef struct StoreCache {
        Root *root; /* the run's, borrowed: every store is looked at under it */
        StoreDir **dirs;
        size_t n_dirs, allocated_dirs;
} StoreCache;

#define STORE_CACHE_INIT(r) ((StoreCache) { .root = (r) })

/* Forgets what it learned; the root stays. */
void store_cache_done(StoreCache *c);

/* The type of store_dir/name (name a single component) under the cache's
 * root. A negative errno when the store directory cannot be opened. */
int store_cache_lookup(StoreCache *c, const char *store_dir, const char *name, StoreEntryType *ret);

/* A new spec begins, with specs_left more to come (this one included).
 * Where the names the last spec added (not counting the first spec, whose
 * names are all new), as many again for each spec left, would pass the
 * point where a listing is cheaper, the store directory is listed now
 * rather than after that many questions one by one. */
void store_cache_next_spec(StoreCache *c, size_t specs_left);
