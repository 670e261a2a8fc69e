/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "macro.h"
#include "path-list.h"

void path_list_done(PathList *l) {
        for (size_t i = 0; i < l->n; i++)
                free(l->items[i]);
        free(l->items);
        *l = (PathList) {};
}

int path_list_consume(PathList *l, char *s) {
        if (!s)
                return -ENOMEM;
        if (GREEDY_REALLOC(l->items, l->allocated, l->n + 1, 16) < 0) {
                free(s);
                return -ENOMEM;
        }
        l->items[l->n++] = s;
        return 0;
}

int path_list_add(PathList *l, const char *s) {
        return path_list_consume(l, strdup(s));
}

static int compare_strings(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

void path_list_sort_unique(PathList *l) {
        size_t k = 0;

        if (l->n == 0)
                return;
        /* store-paths files come sorted: then this is one pass. */
        for (size_t i = 1; i < l->n; i++)
                if (strcmp(l->items[i - 1], l->items[i]) >= 0) {
                        qsort(l->items, l->n, sizeof *l->items, compare_strings);
                        break;
                }
        for (size_t i = 1; i < l->n; i++) {
                if (streq(l->items[i], l->items[k]))
                        free(l->items[i]);
                else
                        l->items[++k] = l->items[i];
        }
        l->n = k + 1;
}

bool path_list_contains(const PathList *l, const char *s) {
        return l->n > 0 && bsearch(&s, l->items, l->n, sizeof *l->items, compare_strings);
}
