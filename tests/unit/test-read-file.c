/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "read-file.h"
#include "test-util.h"

START_TEST(test_regular) {
        _cleanup_fclose_ FILE *f = NULL;
        char buf[16] = {};

        test_write_file(test_root, "/etc/x", "hello");
        ck_assert_int_eq(open_regular_file(test_fs(test_root), "/etc/x", &f), 0);
        ck_assert_uint_eq(fread(buf, 1, sizeof buf - 1, f), 5);
        ck_assert_str_eq(buf, "hello");
        /* Blocking again, as a plain fopen() would be. */
        ck_assert_int_eq(fcntl(fileno(f), F_GETFL) & O_NONBLOCK, 0);
}
END_TEST

START_TEST(test_no_root) {
        _cleanup_free_ char *full = NULL;
        _cleanup_fclose_ FILE *f = NULL, *g = NULL;

        test_write_file(test_root, "/etc/x", "hello");
        full = test_path(test_root, "/etc/x");
        ck_assert_int_eq(open_regular_file(test_fs(NULL), full, &f), 0);
        ck_assert_int_eq(open_regular_file(test_fs("/"), full, &g), 0);
}
END_TEST

START_TEST(test_missing) {
        FILE *f = NULL;

        ck_assert_int_eq(open_regular_file(test_fs(test_root), "/etc/none", &f), -ENOENT);
        ck_assert_ptr_null(f);
}
END_TEST

START_TEST(test_not_regular) {
        _cleanup_free_ char *fifo = NULL;
        FILE *f = NULL;

        test_mkdir_p(test_root, "/etc/dir");
        ck_assert_int_eq(open_regular_file(test_fs(test_root), "/etc/dir", &f), -EBADFD);

        /* A FIFO without a writer: refused at once, not waited on. */
        fifo = test_path(test_root, "/etc/fifo");
        ck_assert_int_eq(mkfifo(fifo, 0644), 0);
        ck_assert_int_eq(open_regular_file(test_fs(test_root), "/etc/fifo", &f), -EBADFD);

        /* A device feeds endless input. */
        ck_assert_int_eq(open_regular_file(test_fs(NULL), "/dev/zero", &f), -EBADFD);
        ck_assert_int_eq(open_regular_file(test_fs(NULL), "/dev/null", &f), -EBADFD);
        ck_assert_ptr_null(f);
}
END_TEST

START_TEST(test_symlink_in_root) {
        _cleanup_fclose_ FILE *f = NULL;
        int r;

        /* An absolute symlink below the root is followed under the root,
         * not on the host's file system (the host has no /data/x). */
        test_write_file(test_root, "/data/x", "inside the root");
        test_symlink(test_root, "/etc/link", "/data/x");
        r = open_regular_file(test_fs(test_root), "/etc/link", &f);
        ck_assert_msg(r == 0, "open_regular_file: %s", strerror(-r));
}
END_TEST

START_TEST(test_directory) {
        DIR *d = NULL;
        struct dirent *de;
        bool found = false;

        test_write_file(test_root, "/data/dir/x", "");
        test_symlink(test_root, "/etc/dirlink", "/data/dir");
        /* Through an absolute symlink, under the root. */
        ck_assert_int_eq(open_directory(test_fs(test_root), "/etc/dirlink", &d), 0);
        while ((de = readdir(d)))
                found = found || strcmp(de->d_name, "x") == 0;
        closedir(d);
        ck_assert(found);

        d = NULL;
        ck_assert_int_eq(open_directory(test_fs(test_root), "/data/none", &d), -ENOENT);
        ck_assert_int_eq(open_directory(test_fs(test_root), "/data/dir/x", &d), -ENOTDIR);
        ck_assert_ptr_null(d);
}
END_TEST

static Suite *read_file_suite(void) {
        Suite *s = suite_create("read-file");
        TCase *tc = test_tcase_new("open_regular_file", true);

        tcase_add_test(tc, test_regular);
        tcase_add_test(tc, test_no_root);
        tcase_add_test(tc, test_missing);
        tcase_add_test(tc, test_not_regular);
        tcase_add_test(tc, test_symlink_in_root);
        tcase_add_test(tc, test_directory);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return test_run_suite(read_file_suite());
}
