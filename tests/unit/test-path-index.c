/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "path-index.h"
#include "test-util.h"

START_TEST(test_intern_find) {
        _cleanup_(path_index_done) PathIndex x = {};

        ck_assert_int_eq(path_index_find(&x, "/a"), -ENOENT);
        ck_assert_int_eq(path_index_intern(&x, "/a"), 0);
        ck_assert_int_eq(path_index_intern(&x, "/b"), 1);
        ck_assert_int_eq(path_index_intern(&x, "/a"), 0);
        ck_assert_int_eq(path_index_intern(&x, ""), 2);
        ck_assert_uint_eq(x.n, 3);
        ck_assert_int_eq(path_index_find(&x, "/a"), 0);
        ck_assert_int_eq(path_index_find(&x, "/b"), 1);
        ck_assert_int_eq(path_index_find(&x, ""), 2);
        ck_assert_int_eq(path_index_find(&x, "/c"), -ENOENT);
        ck_assert_int_eq(path_index_find(&x, "/a/"), -ENOENT);
        ck_assert_str_eq(x.paths[0], "/a");
        ck_assert_str_eq(x.paths[1], "/b");
}
END_TEST

START_TEST(test_copies) {
        _cleanup_(path_index_done) PathIndex x = {};
        char buf[] = "/nix/store/abc";

        ck_assert_int_eq(path_index_intern(&x, buf), 0);
        buf[1] = 'X';
        ck_assert_str_eq(x.paths[0], "/nix/store/abc");
        ck_assert_int_eq(path_index_find(&x, "/nix/store/abc"), 0);
        ck_assert_int_eq(path_index_find(&x, buf), -ENOENT);
}
END_TEST

START_TEST(test_many) {
        _cleanup_(path_index_done) PathIndex x = {};
        char buf[64];

        /* Enough to grow the table many times over. */
        for (unsigned i = 0; i < 5000; i++) {
                snprintf(buf, sizeof buf, "/nix/store/%08x-p", i * 2654435761u);
                ck_assert_int_eq(path_index_intern(&x, buf), (ssize_t) i);
        }
        ck_assert_uint_eq(x.n, 5000);
        ck_assert_uint_ge(x.n_slots, 2 * x.n);
        ck_assert_uint_eq(x.n_slots & (x.n_slots - 1), 0); /* a power of two */
        for (unsigned i = 0; i < 5000; i++) {
                snprintf(buf, sizeof buf, "/nix/store/%08x-p", i * 2654435761u);
                ck_assert_int_eq(path_index_find(&x, buf), (ssize_t) i);
                ck_assert_int_eq(path_index_intern(&x, buf), (ssize_t) i);
        }
        ck_assert_uint_eq(x.n, 5000);
        ck_assert_int_eq(path_index_find(&x, "/nix/store/none"), -ENOENT);
}
END_TEST

START_TEST(test_done) {
        PathIndex x = {};

        ck_assert_int_eq(path_index_intern(&x, "/a"), 0);
        path_index_done(&x);
        ck_assert_uint_eq(x.n, 0);
        ck_assert_uint_eq(x.n_slots, 0);
        ck_assert_int_eq(path_index_find(&x, "/a"), -ENOENT);
        ck_assert_int_eq(path_index_intern(&x, "/b"), 0);
        path_index_done(&x);
}
END_TEST

static Suite *path_index_suite(void) {
        Suite *s = suite_create("path-index");
        TCase *tc = test_tcase_new("path_index", false);

        tcase_add_test(tc, test_intern_find);
        tcase_add_test(tc, test_copies);
        tcase_add_test(tc, test_many);
        tcase_add_test(tc, test_done);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return test_run_suite(path_index_suite());
}
