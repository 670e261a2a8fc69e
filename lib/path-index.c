/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "path-index.h"

void path_index_done(PathIndex *x) {
        for (size_t i = 0; i < x->n; i++)
                free(x->paths[i]);
        free(x->paths);
        free(x->slots);
        *x = (PathIndex) {};
}

/* FNV-1a: store paths differ early (the hash part), so this spreads well. */
static uint64_t hash_string(const char *s) {
        uint64_t h = 0xcbf29ce484222325ULL;
        for (; *s; s++)
                h = (h ^ (unsigned char) *s) * 0x100000001b3ULL;
        return h;
}

static size_t *lookup_slot(size_t *slots, size_t n_slots, char *const *paths, const char *path) {
        size_t mask = n_slots - 1, i = hash_string(path) & mask;

        for (;; i = (i + 1) & mask)
                if (slots[i] == 0 || strcmp(paths[slots[i] - 1], path) == 0)
                        return &slots[i];
}

static int grow(PathIndex *x) {
        size_t n_slots = x->n_slots ? x->n_slots * 2 : 64;
        size_t *slots = calloc(n_slots, sizeof *slots);

        if (!slots)
                return -ENOMEM;
        for (size_t i = 0; i < x->n; i++)
                *lookup_slot(slots, n_slots, x->paths, x->paths[i]) = i + 1;
        free(x->slots);
        x->slots = slots;
        x->n_slots = n_slots;
        return 0;
}

ssize_t path_index_find(const PathIndex *x, const char *path) {
        size_t *slot;

        if (x->n_slots == 0)
                return -ENOENT;
        slot = lookup_slot(x->slots, x->n_slots, x->paths, path);
        return *slot ? (ssize_t) (*slot - 1) : -ENOENT;
}

ssize_t path_index_intern(PathIndex *x, const char *path) {
        size_t *slot;
        char *copy;

        /* Keep the load factor under one half. */
        if ((x->n + 1) * 2 > x->n_slots && grow(x) < 0)
                return -ENOMEM;
        slot = lookup_slot(x->slots, x->n_slots, x->paths, path);
        if (*slot)
                return (ssize_t) (*slot - 1);

        if (x->n == x->allocated) {
                size_t k = x->allocated ? x->allocated * 2 : 64;
                char **p = reallocarray(x->paths, k, sizeof *p);
                if (!p)
                        return -ENOMEM;
                x->paths = p;
                x->allocated = k;
        }
        copy = strdup(path);
        if (!copy)
                return -ENOMEM;
        x->paths[x->n] = copy;
        *slot = ++x->n;
        return (ssize_t) (x->n - 1);
}
