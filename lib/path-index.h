/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Interns paths: each distinct string gets a dense number 0, 1, 2, … in
 * the order first seen. Open addressing, so that a 50 000-path system
 * closure is indexed in linear time. */

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A slot keeps part of the string's hash next to its number: probes
 * compare hashes before strings, and growing rehashes no string. */
typedef struct PathIndexSlot {
        uint32_t hash;
        uint32_t number; /* number + 1, 0 for empty */
} PathIndexSlot;

typedef struct PathIndexChunk PathIndexChunk;

typedef struct PathIndex {
        char **paths;    /* by number, owned (copies live in chunks) */
        size_t n, allocated;
        PathIndexSlot *slots;
        size_t n_slots;  /* a power of two */
        PathIndexChunk *chunks; /* the copies, a few large allocations instead of one per path */
} PathIndex;

void path_index_done(PathIndex *x);
/* The number of path, adding a copy of it when new; -ENOMEM. */
ssize_t path_index_intern(PathIndex *x, const char *path);
/* The number of path, or -ENOENT. */
ssize_t path_index_find(const PathIndex *x, const char *path);
/* The 64-bit hash the index uses, of the n bytes at s. */
uint64_t path_hash(const char *s, size_t n);
