/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>
#include <sys/stat.h>

#include "root.h"
#include "test-util.h"

START_TEST(test_host) {
        _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL;

        ck_assert(root_is_host(&(Root) {}));
        ck_assert(root_is_host(&(Root) { .path = "/" }));
        ck_assert(!root_is_host(&(Root) { .path = "/srv/root" }));

        a = root_prefix(&(Root) {}, "/etc/x");
        b = root_prefix(&(Root) { .path = "/" }, "/etc/x");
        c = root_prefix(&(Root) { .path = "/srv/root" }, "/etc/x");
        ck_assert_str_eq(a, "/etc/x");
        ck_assert_str_eq(b, "/etc/x");
        ck_assert_str_eq(c, "/srv/root/etc/x");
}
END_TEST

static struct stat lstat_under(Root *r, const char *path) {
        _cleanup_free_ char *full = root_prefix(r, path);
        struct stat st;

        ck_assert_ptr_nonnull(full);
        ck_assert_int_eq(root_lstat(r, path, full, &st), 0);
        return st;
}

START_TEST(test_directories_kept) {
        _cleanup_(root_done) Root r = { .path = test_root, .trust_all = true };
        struct stat st;

        test_mkdir_p(test_root, "/d");
        test_write_file(test_root, "/f", "x");
        test_chmod(test_root, "/d", 0755);

        st = lstat_under(&r, "/d");
        ck_assert(S_ISDIR(st.st_mode));
        ck_assert_uint_eq(r.dirs.n, 1);

        /* A directory is looked at once per run: a change is not seen. */
        test_chmod(test_root, "/d", 0700);
        st = lstat_under(&r, "/d");
        ck_assert_uint_eq(st.st_mode & 07777, 0755);

        /* Anything else is looked at each time. */
        st = lstat_under(&r, "/f");
        ck_assert(S_ISREG(st.st_mode));
        ck_assert_uint_eq(r.dirs.n, 1);
        test_chmod(test_root, "/f", 0600);
        st = lstat_under(&r, "/f");
        ck_assert_uint_eq(st.st_mode & 07777, 0600);

        /* Forgotten with root_done(); the root and its trust stay. */
        root_done(&r);
        ck_assert_uint_eq(r.dirs.n, 0);
        ck_assert_str_eq(r.path, test_root);
        ck_assert(r.trust_all);
        st = lstat_under(&r, "/d");
        ck_assert_uint_eq(st.st_mode & 07777, 0700);
}
END_TEST

START_TEST(test_missing) {
        _cleanup_(root_done) Root r = { .path = test_root };
        _cleanup_free_ char *full = root_prefix(&r, "/none");
        struct stat st;

        /* Not kept: a missing directory may be made during the run. */
        ck_assert_int_eq(root_lstat(&r, "/none", full, &st), -ENOENT);
        ck_assert_uint_eq(r.dirs.n, 0);
        test_mkdir_p(test_root, "/none");
        ck_assert_int_eq(root_lstat(&r, "/none", full, &st), 0);
        ck_assert(S_ISDIR(st.st_mode));
}
END_TEST

static Suite *root_suite(void) {
        Suite *s = suite_create("root");
        TCase *tc = test_tcase_new("root", true);

        tcase_add_test(tc, test_host);
        tcase_add_test(tc, test_directories_kept);
        tcase_add_test(tc, test_missing);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return test_run_suite(root_suite());
}
