/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Resolves every symlink in path as the booted system would see it, with
 * root (NULL or "/" for none) as "/": absolute link targets and ".." stay
 * inside root. Returns the resolved path without the root prefix.
 * -ENOENT (or another lstat error) for a missing component, -ELOOP after
 * CHASE_MAX_LINKS links, -ENOTDIR for a file used as a directory. */

#include <stdbool.h>
#include <sys/stat.h>

#include "path-index.h"

#define CHASE_MAX_LINKS 40

int chase_under_root(const char *root, const char *path, char **ret_resolved);

/* The lstat() of each directory met, by its path under root, so that the
 * directories every file lies in (the root's /nix/store, /etc, …) are
 * looked at once per generator run, not once per file. Only directories:
 * what a link points to is read each time. Assumes they do not change
 * while it is in use; it must always be used with the same root. */
typedef struct ChaseCache {
        PathIndex paths;
        struct stat *stats; /* by number in paths */
        size_t allocated;
        bool trust_all; /* path-trust.h: every path counts as trusted (confinementctl check --no-trust-check) */
} ChaseCache;

void chase_cache_done(ChaseCache *c);

/* lstat() of path under root (full: the two joined), through cache (NULL
 * for none). */
int chase_cache_lstat(ChaseCache *cache, const char *path, const char *full, struct stat *ret);

/* chase_under_root() through cache (NULL for none). */
int chase_under_root_cached(ChaseCache *cache, const char *root, const char *path, char **ret_resolved);
