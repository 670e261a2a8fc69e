/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Growing an array as elements are appended, in the style of systemd's
 * GREEDY_REALLOC(): the allocation doubles, so that n appends cost O(n). */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

/* Makes room in *p (of *allocated elements of size bytes) for need
 * elements: nothing when there is room, else first elements at first and
 * twice as many as before after that (need, if that is more). 0, or
 * -ENOMEM with *p and *allocated untouched (also when need elements
 * could never fit in memory). */
static inline int greedy_realloc(void **p, size_t *allocated, size_t need, size_t first, size_t size) {
        size_t k;
        void *q;

        if (need <= *allocated)
                return 0;
        if (*allocated > SIZE_MAX / 2 || need > SIZE_MAX / size)
                return -ENOMEM;
        k = *allocated ? *allocated * 2 : first;
        if (k < need)
                k = need;
        q = reallocarray(*p, k, size);
        if (!q)
                return -ENOMEM;
        *p = q;
        *allocated = k;
        return 0;
}

/* GREEDY_REALLOC(array, allocated, need, first): greedy_realloc() for a
 * typed array variable and its size_t count of allocated elements, with
 * the test for room inline (appends are hot). Evaluates need and
 * allocated twice. */
#define GREEDY_REALLOC(array, allocated, need, first)                                                              \
        ((need) <= (allocated) ? 0 : greedy_realloc((void **) &(array), &(allocated), (need), (first), sizeof *(array)))
