/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Interns paths: each distinct string gets a dense number 0, 1, 2, … in
 * the order first seen. Open addressing, so that a 50 000-path system
 * closure is indexed in linear time. */

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "string-arena.h"

/* A slot keeps part of the string's hash next to its number: probes
 * compare hashes before strings, and growing rehashes no string. */
typedef struct PathIndexSlot {
        uint32_t hash;
        uint32_t number; /* number + 1, 0 for empty */
} PathIndexSlot;

typedef struct PathIndex {
        char **paths;    /* by number, the copies in strings */
        size_t n, allocated;
        PathIndexSlot *slots;
        size_t n_slots;  /* a power of two */
        StringArena strings; /* the copies */
} PathIndex;

void path_index_done(PathIndex *x);
/* The number of path, adding a copy of it when new; -ENOMEM. */
ssize_t path_index_intern(PathIndex *x, const char *path);
/* The number of path, or -ENOENT. */
ssize_t path_index_find(const PathIndex *x, const char *path);
/* The 64-bit hash the index uses, of the n bytes at s. */
uint64_t path_hash(const char *s, size_t n);
