/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* A growable list of owned strings, sorted and deduplicated on demand. */
typedef struct PathList {
        char **items;
        size_t n, allocated;
} PathList;

void path_list_done(PathList *l);
/* Takes ownership of s, also on failure. */
int path_list_consume(PathList *l, char *s);
int path_list_add(PathList *l, const char *s);
void path_list_sort_unique(PathList *l);
/* After path_list_sort_unique(): binary search. */
bool path_list_contains(const PathList *l, const char *s);
