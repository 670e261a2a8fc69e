/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "macro.h"
#include "path-index.h"

void path_index_done(PathIndex *x) {
        string_arena_done(&x->strings);
        free(x->paths);
        free(x->slots);
        *x = (PathIndex) {};
}

/* Eight bytes at a time (store paths are 44 to 100 bytes long), then a
 * final mix so that the low bits, which pick the slot, depend on all. */
uint64_t path_hash(const char *s, size_t n) {
        uint64_t h = 0x9e3779b97f4a7c15ULL ^ n, w;

        for (; n >= 8; s += 8, n -= 8) {
                memcpy(&w, s, 8);
                h = (h ^ w) * 0xff51afd7ed558ccdULL;
                h ^= h >> 29;
        }
        if (n > 0) {
                w = 0;
                memcpy(&w, s, n);
                h = (h ^ w) * 0xff51afd7ed558ccdULL;
        }
        h ^= h >> 32;
        h *= 0xc4ceb9fe1a85ec53ULL;
        h ^= h >> 29;
        return h;
}

static PathIndexSlot *lookup_slot(const PathIndex *x, const char *path, uint32_t hash) {
        size_t mask = x->n_slots - 1, i = hash & mask;

        for (;; i = (i + 1) & mask) {
                PathIndexSlot *s = &x->slots[i];
                if (s->number == 0)
                        return s;
                if (s->hash == hash && streq(x->paths[s->number - 1], path))
                        return s;
        }
}

static int grow(PathIndex *x) {
        size_t n_slots = x->n_slots ? x->n_slots * 2 : 64, mask = n_slots - 1;
        PathIndexSlot *slots = calloc(n_slots, sizeof *slots);

        if (!slots)
                return -ENOMEM;
        /* Every string is distinct: only an empty slot is looked for. */
        for (size_t i = 0; i < x->n_slots; i++) {
                size_t j;

                if (x->slots[i].number == 0)
                        continue;
                for (j = x->slots[i].hash & mask; slots[j].number != 0; j = (j + 1) & mask)
                        ;
                slots[j] = x->slots[i];
        }
        free(x->slots);
        x->slots = slots;
        x->n_slots = n_slots;
        return 0;
}

ssize_t path_index_find(const PathIndex *x, const char *path) {
        size_t len = strlen(path);
        PathIndexSlot *slot;

        if (x->n_slots == 0)
                return -ENOENT;
        slot = lookup_slot(x, path, (uint32_t) path_hash(path, len));
        return slot->number ? (ssize_t) (slot->number - 1) : -ENOENT;
}

ssize_t path_index_intern(PathIndex *x, const char *path) {
        size_t len = strlen(path);
        uint32_t hash = (uint32_t) path_hash(path, len);
        PathIndexSlot *slot;
        char *copy;

        /* Keep the load factor under one half. */
        if ((x->n + 1) * 2 > x->n_slots && grow(x) < 0)
                return -ENOMEM;
        slot = lookup_slot(x, path, hash);
        if (slot->number)
                return (ssize_t) (slot->number - 1);
        if (x->n >= UINT32_MAX - 1)
                return -ENOMEM;

        if (GREEDY_REALLOC(x->paths, x->allocated, x->n + 1, 64) < 0)
                return -ENOMEM;
        copy = string_arena_strndup(&x->strings, path, len);
        if (!copy)
                return -ENOMEM;
        x->paths[x->n] = copy;
        *slot = (PathIndexSlot) { .hash = hash, .number = (uint32_t) ++x->n };
        return (ssize_t) (x->n - 1);
}
