/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Interns paths: each distinct string gets a dense number 0, 1, 2, … in
 * the order first seen. Open addressing, so that a 50 000-path system
 * closure is indexed in linear time. */

#include <stddef.h>
#include <sys/types.h>

typedef struct PathIndex {
        char **paths;    /* by number, owned */
        size_t n, allocated;
        size_t *slots;   /* number + 1, 0 for empty */
        size_t n_slots;  /* a power of two */
} PathIndex;

void path_index_done(PathIndex *x);
/* The number of path, adding a copy of it when new; -ENOMEM. */
ssize_t path_index_intern(PathIndex *x, const char *path);
/* The number of path, or -ENOENT. */
ssize_t path_index_find(const PathIndex *x, const char *path);
