/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>
#include <string.h>

#include "string-arena.h"

#define CHUNK_SIZE ((size_t) 64 * 1024)

struct StringArenaChunk {
        StringArenaChunk *next;
        size_t used, size;
        char data[];
};

void string_arena_done(StringArena *a) {
        while (a->chunks) {
                StringArenaChunk *next = a->chunks->next;
                free(a->chunks);
                a->chunks = next;
        }
}

char *string_arena_alloc(StringArena *a, size_t n) {
        StringArenaChunk *c = a->chunks;
        char *s;

        if (!c || c->size - c->used < n) {
                size_t size = n > CHUNK_SIZE / 4 ? n : CHUNK_SIZE;

                c = malloc(sizeof *c + size);
                if (!c)
                        return NULL;
                *c = (StringArenaChunk) { .size = size };
                /* A string larger than a quarter chunk gets a chunk of its
                 * own, behind the current one that still has room. */
                if (size != CHUNK_SIZE && a->chunks) {
                        c->next = a->chunks->next;
                        a->chunks->next = c;
                } else {
                        c->next = a->chunks;
                        a->chunks = c;
                }
        }
        s = c->data + c->used;
        c->used += n;
        return s;
}

char *string_arena_strndup(StringArena *a, const char *s, size_t n) {
        char *t = string_arena_alloc(a, n + 1);

        if (!t)
                return NULL;
        memcpy(t, s, n);
        t[n] = '\0';
        return t;
}

char *string_arena_strdup(StringArena *a, const char *s) {
        return string_arena_strndup(a, s, strlen(s));
}
