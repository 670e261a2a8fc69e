/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "path-list.h"
#include "test-util.h"

static void assert_items(const PathList *l, const char *const *expected, size_t n) {
        ck_assert_uint_eq(l->n, n);
        for (size_t i = 0; i < n; i++)
                ck_assert_str_eq(l->items[i], expected[i]);
}

START_TEST(test_add_consume) {
        _cleanup_(path_list_done) PathList l = {};
        char *s = strdup("/b");

        ck_assert_ptr_nonnull(s);
        ck_assert_int_eq(path_list_add(&l, "/a"), 0);
        ck_assert_int_eq(path_list_consume(&l, s), 0);
        ck_assert_ptr_eq(l.items[1], s); /* owned, not copied */
        /* A failed allocation passed in is reported, not stored. */
        ck_assert_int_eq(path_list_consume(&l, NULL), -ENOMEM);
        assert_items(&l, (const char *[]) { "/a", "/b" }, 2);
}
END_TEST

START_TEST(test_grow) {
        _cleanup_(path_list_done) PathList l = {};
        char buf[32];

        for (unsigned i = 0; i < 1000; i++) {
                snprintf(buf, sizeof buf, "/p%04u", i);
                ck_assert_int_eq(path_list_add(&l, buf), 0);
        }
        ck_assert_uint_eq(l.n, 1000);
        ck_assert_uint_ge(l.allocated, 1000);
        ck_assert_str_eq(l.items[0], "/p0000");
        ck_assert_str_eq(l.items[999], "/p0999");
}
END_TEST

START_TEST(test_sort_unique) {
        _cleanup_(path_list_done) PathList l = {};
        const char *input[] = { "/c", "/a", "/b", "/a", "/c", "/c", "/a/b", "/" };

        for (size_t i = 0; i < ELEMENTSOF(input); i++)
                ck_assert_int_eq(path_list_add(&l, input[i]), 0);
        path_list_sort_unique(&l);
        assert_items(&l, (const char *[]) { "/", "/a", "/a/b", "/b", "/c" }, 5);

        /* Again: nothing changes. */
        path_list_sort_unique(&l);
        assert_items(&l, (const char *[]) { "/", "/a", "/a/b", "/b", "/c" }, 5);
}
END_TEST

START_TEST(test_sort_unique_sorted_input) {
        _cleanup_(path_list_done) PathList l = {};
        const char *input[] = { "/a", "/a", "/b", "/c", "/c" };

        for (size_t i = 0; i < ELEMENTSOF(input); i++)
                ck_assert_int_eq(path_list_add(&l, input[i]), 0);
        path_list_sort_unique(&l);
        assert_items(&l, (const char *[]) { "/a", "/b", "/c" }, 3);
}
END_TEST

START_TEST(test_sort_unique_small) {
        _cleanup_(path_list_done) PathList empty = {}, one = {}, same = {};

        path_list_sort_unique(&empty);
        ck_assert_uint_eq(empty.n, 0);

        ck_assert_int_eq(path_list_add(&one, "/x"), 0);
        path_list_sort_unique(&one);
        assert_items(&one, (const char *[]) { "/x" }, 1);

        for (unsigned i = 0; i < 5; i++)
                ck_assert_int_eq(path_list_add(&same, "/x"), 0);
        path_list_sort_unique(&same);
        assert_items(&same, (const char *[]) { "/x" }, 1);
}
END_TEST

START_TEST(test_contains) {
        _cleanup_(path_list_done) PathList l = {};

        ck_assert(!path_list_contains(&l, "/a"));
        ck_assert_int_eq(path_list_add(&l, "/nix/store/b"), 0);
        ck_assert_int_eq(path_list_add(&l, "/nix/store/a"), 0);
        ck_assert_int_eq(path_list_add(&l, "/nix/store/c"), 0);
        path_list_sort_unique(&l);
        ck_assert(path_list_contains(&l, "/nix/store/a"));
        ck_assert(path_list_contains(&l, "/nix/store/b"));
        ck_assert(path_list_contains(&l, "/nix/store/c"));
        ck_assert(!path_list_contains(&l, "/nix/store"));
        ck_assert(!path_list_contains(&l, "/nix/store/d"));
        ck_assert(!path_list_contains(&l, ""));
}
END_TEST

START_TEST(test_done) {
        PathList l = {};

        ck_assert_int_eq(path_list_add(&l, "/a"), 0);
        path_list_done(&l);
        ck_assert_ptr_null(l.items);
        ck_assert_uint_eq(l.n, 0);
        ck_assert_uint_eq(l.allocated, 0);
        /* Reusable, and done twice is fine. */
        ck_assert_int_eq(path_list_add(&l, "/b"), 0);
        path_list_done(&l);
        path_list_done(&l);
}
END_TEST

static Suite *path_list_suite(void) {
        Suite *s = suite_create("path-list");
        TCase *tc = test_tcase_new("path_list", false);

        tcase_add_test(tc, test_add_consume);
        tcase_add_test(tc, test_grow);
        tcase_add_test(tc, test_sort_unique);
        tcase_add_test(tc, test_sort_unique_sorted_input);
        tcase_add_test(tc, test_sort_unique_small);
        tcase_add_test(tc, test_contains);
        tcase_add_test(tc, test_done);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return test_run_suite(path_list_suite());
}
