/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "string-arena.h"
#include "test-util.h"

START_TEST(test_copies_stay) {
        _cleanup_(string_arena_done) StringArena a = {};
        char *copies[3000], big[40000], expected[32];

        /* Enough small strings for several chunks, and strings larger than a
         * quarter chunk in between: every copy stays intact until the end. */
        memset(big, 'b', sizeof big - 1);
        big[sizeof big - 1] = '\0';
        for (size_t i = 0; i < ELEMENTSOF(copies); i++) {
                snprintf(expected, sizeof expected, "/nix/store/%05zu-p", i);
                copies[i] = i % 500 == 0 ? string_arena_strdup(&a, big) : string_arena_strdup(&a, expected);
                ck_assert_ptr_nonnull(copies[i]);
        }
        for (size_t i = 0; i < ELEMENTSOF(copies); i++) {
                snprintf(expected, sizeof expected, "/nix/store/%05zu-p", i);
                ck_assert_str_eq(copies[i], i % 500 == 0 ? big : expected);
        }
        ck_assert_str_eq(string_arena_strndup(&a, "abcdef", 3), "abc");
}
END_TEST

START_TEST(test_done_twice) {
        StringArena a = {};

        ck_assert_ptr_nonnull(string_arena_strdup(&a, "x"));
        string_arena_done(&a);
        ck_assert_ptr_null(a.chunks);
        string_arena_done(&a);
}
END_TEST

static Suite *string_arena_suite(void) {
        Suite *s = suite_create("string-arena");
        TCase *tc = test_tcase_new("string_arena", false);

        tcase_add_test(tc, test_copies_stay);
        tcase_add_test(tc, test_done_twice);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return test_run_suite(string_arena_suite());
}
