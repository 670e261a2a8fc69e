/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "write-file.h"
#include "test-util.h"

static int open_root(void) {
        int fd = open(test_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        ck_assert_int_ge(fd, 0);
        return fd;
}

static void assert_listing(const char *dir, const char *expected) {
        _cleanup_free_ char *names = test_list_dir(test_root, dir);

        ck_assert_str_eq(names, expected);
}

START_TEST(test_write) {
        _cleanup_close_ int fd = open_root();
        _cleanup_free_ char *a = NULL, *b = NULL, *full = NULL;
        struct stat st;

        ck_assert_int_eq(write_file_atomic_at(fd, "foo.conf", "hello\n", 6), 0);
        a = test_read_file(test_root, "/foo.conf");
        ck_assert_str_eq(a, "hello\n");
        full = test_path(test_root, "/foo.conf");
        ck_assert_int_eq(stat(full, &st), 0);
        ck_assert_int_eq(st.st_mode & 07777, 0644);

        /* Replaced whole; no temporary file left behind. */
        ck_assert_int_eq(write_file_atomic_at(fd, "foo.conf", "bye", 3), 0);
        b = test_read_file(test_root, "/foo.conf");
        ck_assert_str_eq(b, "bye");
        assert_listing("/", "foo.conf");
}
END_TEST

START_TEST(test_write_mode_despite_umask) {
        _cleanup_close_ int fd = open_root();
        _cleanup_free_ char *full = test_path(test_root, "/foo.conf");
        mode_t old = umask(077);
        struct stat st;

        ck_assert_int_eq(write_file_atomic_at(fd, "foo.conf", "x", 1), 0);
        umask(old);
        ck_assert_int_eq(stat(full, &st), 0);
        ck_assert_int_eq(st.st_mode & 07777, 0644);
}
END_TEST

START_TEST(test_write_empty_and_binary) {
        _cleanup_close_ int fd = open_root();
        _cleanup_free_ char *a = NULL, *full = NULL;
        const char bin[] = { 'a', '\0', 'b' };
        char buf[8];
        int f;

        ck_assert_int_eq(write_file_atomic_at(fd, "empty", "", 0), 0);
        a = test_read_file(test_root, "/empty");
        ck_assert_str_eq(a, "");

        ck_assert_int_eq(write_file_atomic_at(fd, "bin", bin, sizeof bin), 0);
        full = test_path(test_root, "/bin");
        f = open(full, O_RDONLY | O_CLOEXEC);
        ck_assert_int_ge(f, 0);
        ck_assert_int_eq(read(f, buf, sizeof buf), 3);
        close(f);
        ck_assert_mem_eq(buf, bin, 3);
}
END_TEST

START_TEST(test_replaces_symlink) {
        _cleanup_close_ int fd = open_root();
        _cleanup_free_ char *target = NULL, *written = NULL, *full = NULL;
        struct stat st;

        /* A symlink planted at the name is replaced, its target untouched. */
        test_write_file(test_root, "/elsewhere/target", "precious");
        test_symlink(test_root, "/foo.conf", "elsewhere/target");
        ck_assert_int_eq(write_file_atomic_at(fd, "foo.conf", "new", 3), 0);
        target = test_read_file(test_root, "/elsewhere/target");
        ck_assert_str_eq(target, "precious");
        full = test_path(test_root, "/foo.conf");
        ck_assert_int_eq(lstat(full, &st), 0);
        ck_assert(S_ISREG(st.st_mode));
        written = test_read_file(test_root, "/foo.conf");
        ck_assert_str_eq(written, "new");

        /* A dangling one, whose target would be created by a plain open(). */
        test_symlink(test_root, "/bar.conf", "elsewhere/created");
        ck_assert_int_eq(write_file_atomic_at(fd, "bar.conf", "new", 3), 0);
        ck_assert(!test_exists(test_root, "/elsewhere/created"));
        assert_listing("/", "bar.conf elsewhere foo.conf");
        assert_listing("/elsewhere", "target");
}
END_TEST

START_TEST(test_refuses_slash) {
        _cleanup_close_ int fd = open_root();

        test_mkdir_p(test_root, "/sub");
        ck_assert_int_eq(write_file_atomic_at(fd, "sub/foo.conf", "x", 1), -EINVAL);
        ck_assert_int_eq(write_file_atomic_at(fd, "../foo.conf", "x", 1), -EINVAL);
        assert_listing("/sub", "");
}
END_TEST

START_TEST(test_failure_leaves_nothing) {
        _cleanup_close_ int fd = open_root();

        /* A directory at the name: rename() fails, the temporary file goes. */
        test_mkdir_p(test_root, "/foo.conf/inside");
        ck_assert_int_lt(write_file_atomic_at(fd, "foo.conf", "x", 1), 0);
        assert_listing("/", "foo.conf");
        assert_listing("/foo.conf", "inside");
}
END_TEST

START_TEST(test_subdirectory) {
        _cleanup_close_ int fd = open_root(), sub = -1, again = -1;
        _cleanup_free_ char *content = NULL;

        sub = open_subdirectory_at(fd, "foo.service.d");
        ck_assert_int_ge(sub, 0);
        ck_assert_int_eq(write_file_atomic_at(sub, "50-confinement.conf", "x", 1), 0);
        content = test_read_file(test_root, "/foo.service.d/50-confinement.conf");
        ck_assert_str_eq(content, "x");
        /* Existing already: opened as it is. */
        again = open_subdirectory_at(fd, "foo.service.d");
        ck_assert_int_ge(again, 0);
        assert_listing("/foo.service.d", "50-confinement.conf");
}
END_TEST

START_TEST(test_subdirectory_refuses_symlink) {
        _cleanup_close_ int fd = open_root();

        /* Nothing is written outside the directory given. */
        test_mkdir_p(test_root, "/elsewhere");
        test_symlink(test_root, "/foo.service.d", "elsewhere");
        test_symlink(test_root, "/bar.service.d", "missing");
        ck_assert_int_lt(open_subdirectory_at(fd, "foo.service.d"), 0);
        ck_assert_int_lt(open_subdirectory_at(fd, "bar.service.d"), 0);
        ck_assert(!test_exists(test_root, "/missing"));
        assert_listing("/elsewhere", "");
}
END_TEST

START_TEST(test_subdirectory_refuses_others) {
        _cleanup_close_ int fd = open_root();

        test_write_file(test_root, "/file.d", "a file");
        ck_assert_int_eq(open_subdirectory_at(fd, "file.d"), -ENOTDIR);
        ck_assert_int_eq(open_subdirectory_at(fd, "a/b"), -EINVAL);
        ck_assert(!test_exists(test_root, "/a"));
}
END_TEST

static Suite *write_file_suite(void) {
        Suite *s = suite_create("write-file");
        TCase *tc;

        tc = test_tcase_new("write_file_atomic_at", true);
        tcase_add_test(tc, test_write);
        tcase_add_test(tc, test_write_mode_despite_umask);
        tcase_add_test(tc, test_write_empty_and_binary);
        tcase_add_test(tc, test_replaces_symlink);
        tcase_add_test(tc, test_refuses_slash);
        tcase_add_test(tc, test_failure_leaves_nothing);
        suite_add_tcase(s, tc);

        tc = test_tcase_new("open_subdirectory_at", true);
        tcase_add_test(tc, test_subdirectory);
        tcase_add_test(tc, test_subdirectory_refuses_symlink);
        tcase_add_test(tc, test_subdirectory_refuses_others);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return test_run_suite(write_file_suite());
}
