/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Strings that live and die together, copied into a few large chunks
 * instead of one allocation each: an index of 50 000 store paths, or the
 * binds of one drop-in, are freed at once. */

#include <stddef.h>

typedef struct StringArenaChunk StringArenaChunk;

typedef struct StringArena {
        StringArenaChunk *chunks; /* the newest with room first */
} StringArena;

void string_arena_done(StringArena *a);
/* Room for n bytes, valid until string_arena_done(); NULL when out of
 * memory. */
char *string_arena_alloc(StringArena *a, size_t n);
/* A copy of the n bytes at s and a NUL; NULL when out of memory. */
char *string_arena_strndup(StringArena *a, const char *s, size_t n);
char *string_arena_strdup(StringArena *a, const char *s);
