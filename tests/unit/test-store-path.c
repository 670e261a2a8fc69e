/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "store-path.h"
#include "test-util.h"

static void assert_of(const char *path, const char *store_dir, const char *expected) {
        _cleanup_free_ char *s = NULL;

        ck_assert_int_eq(store_path_of(path, store_dir, &s), 0);
        ck_assert_str_eq(s, expected);
}

static void assert_not_of(const char *path, const char *store_dir) {
        char *s = NULL;

        ck_assert_int_eq(store_path_of(path, store_dir, &s), -EINVAL);
        ck_assert_ptr_null(s);
}

START_TEST(test_of) {
        assert_of("/nix/store/abc-foo", "/nix/store", "/nix/store/abc-foo");
        assert_of("/nix/store/abc-foo/bin/foo", "/nix/store", "/nix/store/abc-foo");
        assert_of("/gnu/store/abc-foo-1.0/share", "/gnu/store", "/gnu/store/abc-foo-1.0");
        assert_of("/nix/store/abc-a+b=c?d_e.f", "/nix/store", "/nix/store/abc-a+b=c?d_e.f");
        assert_not_of("/nix/store", "/nix/store");
        assert_not_of("/nix/storefoo/abc", "/nix/store");
        assert_not_of("/usr/bin/sh", "/nix/store");
        assert_not_of("/nix/store/abc foo/bin", "/nix/store");
        assert_not_of("/nix/store/abc:foo", "/nix/store");
        assert_not_of("/nix/store/caf\xc3\xa9", "/nix/store");
}
END_TEST

static char *extract(const char *text, const char *store_dir) {
        _cleanup_(path_list_done) PathList l = {};
        char *buf = NULL;
        size_t size = 0;
        FILE *f;

        ck_assert_int_eq(store_paths_extract(text, store_dir, &l), 0);
        f = open_memstream(&buf, &size);
        ck_assert_ptr_nonnull(f);
        for (size_t i = 0; i < l.n; i++)
                fprintf(f, "%s%s", i > 0 ? " " : "", l.items[i]);
        ck_assert_int_eq(fclose(f), 0);
        return buf;
}

static void assert_extract(const char *text, const char *expected) {
        _cleanup_free_ char *got = extract(text, "/nix/store");

        ck_assert_str_eq(got, expected);
}

START_TEST(test_extract) {
        assert_extract("", "");
        assert_extract("/usr/bin/true", "");
        assert_extract("/nix/store/abc-foo/bin/foo --flag", "/nix/store/abc-foo");
        assert_extract("@/nix/store/abc-foo/bin/foo foo", "/nix/store/abc-foo");
        assert_extract("-/nix/store/abc-foo/bin/foo", "/nix/store/abc-foo");
        assert_extract("/nix/store/a-x --config=/nix/store/b-y/etc \"/nix/store/c-z\" '/nix/store/d-w'",
                       "/nix/store/a-x /nix/store/b-y /nix/store/c-z /nix/store/d-w");
        assert_extract("PATH=/nix/store/p-bin/bin:/nix/store/q-bin/bin", "/nix/store/p-bin /nix/store/q-bin");
        /* Repeats are listed as found; callers sort. */
        assert_extract("/nix/store/a-x /nix/store/a-x", "/nix/store/a-x /nix/store/a-x");
        /* Not a store path: inside another path, the store itself, "." and "..". */
        assert_extract("/home/nix/store/a-x /foo_/nix/store/b-y x./nix/store/c-z", "");
        assert_extract("/nix/store /nix/store/ /nix/storea-x /nix/store/. /nix/store/..", "");
        assert_extract("/nix/store/...x", "/nix/store/...x");
}
END_TEST

START_TEST(test_extract_other_store) {
        _cleanup_free_ char *got = extract("/gnu/store/a-x /nix/store/b-y", "/gnu/store");

        ck_assert_str_eq(got, "/gnu/store/a-x");
}
END_TEST

static Suite *store_path_suite(void) {
        Suite *s = suite_create("store-path");
        TCase *tc = test_tcase_new("store_path", false);

        tcase_add_test(tc, test_of);
        tcase_add_test(tc, test_extract);
        tcase_add_test(tc, test_extract_other_store);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return test_run_suite(store_path_suite());
}
