/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdint.h>

#include "alloc-util.h"
#include "test-util.h"

START_TEST(test_greedy_realloc) {
        _cleanup_free_ int *a = NULL;
        size_t allocated = 0;

        /* Nothing asked, nothing done. */
        size_t none = 0;

        ck_assert_int_eq(GREEDY_REALLOC(a, allocated, none, 4), 0);
        ck_assert_ptr_null(a);
        ck_assert_uint_eq(allocated, 0);

        /* first at first, then twice as many, or need if that is more. */
        ck_assert_int_eq(GREEDY_REALLOC(a, allocated, 1, 4), 0);
        ck_assert_ptr_nonnull(a);
        ck_assert_uint_eq(allocated, 4);
        for (int i = 0; i < 4; i++)
                a[i] = i;
        ck_assert_int_eq(GREEDY_REALLOC(a, allocated, 4, 4), 0);
        ck_assert_uint_eq(allocated, 4);
        ck_assert_int_eq(GREEDY_REALLOC(a, allocated, 5, 4), 0);
        ck_assert_uint_eq(allocated, 8);
        ck_assert_int_eq(GREEDY_REALLOC(a, allocated, 100, 4), 0);
        ck_assert_uint_eq(allocated, 100);
        for (int i = 0; i < 4; i++)
                ck_assert_int_eq(a[i], i);
}
END_TEST

START_TEST(test_greedy_realloc_overflow) {
        _cleanup_free_ int *p = malloc(sizeof *p);
        size_t allocated = SIZE_MAX / 2 + 1, none = 0;

        /* No doubling past SIZE_MAX; nothing changed on failure. */
        ck_assert_ptr_nonnull(p);
        ck_assert_int_eq(GREEDY_REALLOC(p, allocated, SIZE_MAX, 1), -ENOMEM);
        ck_assert_uint_eq(allocated, SIZE_MAX / 2 + 1);
        /* Nor room for more elements than memory could hold. */
        ck_assert_int_eq(GREEDY_REALLOC(p, none, SIZE_MAX / sizeof *p + 1, 1), -ENOMEM);
        ck_assert_uint_eq(none, 0);
}
END_TEST

int main(void) {
        Suite *s = suite_create("alloc-util");
        TCase *tc = test_tcase_new("alloc-util", false);

        tcase_add_test(tc, test_greedy_realloc);
        tcase_add_test(tc, test_greedy_realloc_overflow);
        suite_add_tcase(s, tc);
        return test_run_suite(s);
}
