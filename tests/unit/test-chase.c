/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "chase.h"
#include "test-util.h"

static void assert_chase(const char *root, const char *path, const char *expected) {
        _cleanup_free_ char *resolved = NULL;
        int r;

        r = chase_under_root(test_fs(root), path, &resolved);
        ck_assert_msg(r == 0, "chase %s: %s", path, strerror(-r));
        ck_assert_str_eq(resolved, expected);
}

static void assert_chase_fails(const char *root, const char *path, int expected) {
        char *resolved = NULL;

        ck_assert_int_eq(chase_under_root(test_fs(root), path, &resolved), expected);
        ck_assert_ptr_null(resolved);
}

static void make_tree(void) {
        test_write_file(test_root, "/b/target", "x");
        test_write_file(test_root, "/file", "x");
        test_mkdir_p(test_root, "/a");
}

START_TEST(test_plain) {
        make_tree();
        assert_chase(test_root, "/", "/");
        assert_chase(test_root, "/b", "/b");
        assert_chase(test_root, "/b/target", "/b/target");
        assert_chase(test_root, "/a/./../b/./target", "/b/target");
        assert_chase(test_root, "//b//target", "/b/target");
}
END_TEST

START_TEST(test_absolute_symlink) {
        make_tree();
        test_symlink(test_root, "/a/abs", "/b/target");
        test_symlink(test_root, "/a/absdir", "/b");
        assert_chase(test_root, "/a/abs", "/b/target");
        assert_chase(test_root, "/a/absdir", "/b");
        assert_chase(test_root, "/a/absdir/target", "/b/target");
}
END_TEST

START_TEST(test_relative_symlink) {
        make_tree();
        test_symlink(test_root, "/a/rel", "../b/target");
        test_symlink(test_root, "/a/reldir", "../b");
        test_symlink(test_root, "/a/here", "rel");
        test_symlink(test_root, "/a/dot", "./reldir/./target");
        assert_chase(test_root, "/a/rel", "/b/target");
        assert_chase(test_root, "/a/reldir/target", "/b/target");
        assert_chase(test_root, "/a/here", "/b/target");
        assert_chase(test_root, "/a/dot", "/b/target");
}
END_TEST

START_TEST(test_dotdot_stays_in_root) {
        make_tree();
        /* However many "..", they stop at the root. */
        test_symlink(test_root, "/a/up", "../../../../../b/target");
        test_symlink(test_root, "/a/toroot", "/");
        assert_chase(test_root, "/../../b/target", "/b/target");
        assert_chase(test_root, "/a/up", "/b/target");
        assert_chase(test_root, "/a/toroot", "/");
        assert_chase(test_root, "/a/toroot/../b", "/b");
        /* ".." after a symlink is taken in the link's target. */
        test_symlink(test_root, "/a/deep", "/b/target/../../a");
        assert_chase_fails(test_root, "/a/deep", -ENOTDIR);
        test_mkdir_p(test_root, "/c/d");
        test_symlink(test_root, "/a/cd", "/c/d");
        assert_chase(test_root, "/a/cd/..", "/c");
}
END_TEST

START_TEST(test_absolute_link_not_to_host) {
        make_tree();
        /* /etc/passwd exists on the host, but not under the root. */
        test_symlink(test_root, "/a/host", "/etc/passwd");
        assert_chase_fails(test_root, "/a/host", -ENOENT);
        assert_chase_fails(test_root, "/etc/passwd", -ENOENT);
}
END_TEST

START_TEST(test_loops) {
        char from[32], to[32];

        make_tree();
        test_symlink(test_root, "/self", "self");
        test_symlink(test_root, "/loop1", "/loop2");
        test_symlink(test_root, "/loop2", "loop1");
        test_symlink(test_root, "/a/updown", "../a/updown");
        assert_chase_fails(test_root, "/self", -ELOOP);
        assert_chase_fails(test_root, "/loop1", -ELOOP);
        assert_chase_fails(test_root, "/loop2/x", -ELOOP);
        assert_chase_fails(test_root, "/a/updown", -ELOOP);

        /* CHASE_MAX_LINKS links are followed, one more is a loop. */
        for (unsigned i = 0; i < CHASE_MAX_LINKS + 1; i++) {
                snprintf(from, sizeof from, "/chain/l%u", i);
                snprintf(to, sizeof to, "l%u", i + 1);
                test_symlink(test_root, from, to);
        }
        snprintf(from, sizeof from, "/chain/l%u", CHASE_MAX_LINKS + 1);
        test_write_file(test_root, from, "end");
        assert_chase(test_root, "/chain/l1", from);
        assert_chase_fails(test_root, "/chain/l0", -ELOOP);
}
END_TEST

START_TEST(test_missing) {
        make_tree();
        test_symlink(test_root, "/a/dangling", "/b/nothing");
        assert_chase_fails(test_root, "/nothing", -ENOENT);
        assert_chase_fails(test_root, "/b/nothing", -ENOENT);
        assert_chase_fails(test_root, "/nothing/b/target", -ENOENT);
        assert_chase_fails(test_root, "/a/dangling", -ENOENT);
        assert_chase_fails(test_root, "/a/dangling/x", -ENOENT);
}
END_TEST

START_TEST(test_not_a_directory) {
        make_tree();
        test_symlink(test_root, "/a/flink", "/file");
        assert_chase_fails(test_root, "/file/x", -ENOTDIR);
        assert_chase_fails(test_root, "/b/target/x", -ENOTDIR);
        assert_chase_fails(test_root, "/a/flink/x", -ENOTDIR);
        assert_chase_fails(test_root, "/file/..", -ENOTDIR);
        assert_chase(test_root, "/a/flink", "/file");
}
END_TEST

START_TEST(test_invalid) {
        make_tree();
        assert_chase_fails(test_root, "b/target", -EINVAL);
        assert_chase_fails(test_root, "", -EINVAL);
        assert_chase_fails(test_root, NULL, -EINVAL);
}
END_TEST

START_TEST(test_no_root) {
        _cleanup_free_ char *link = NULL, *target = NULL;

        make_tree();
        /* Without a root, the host's own file system; the test root's
         * path holds no symlinks itself (mkdtemp under /tmp). */
        link = test_path(test_root, "/a/abs");
        target = test_path(test_root, "/b/target");
        ck_assert_int_eq(symlink(target, link), 0);
        assert_chase(NULL, link, target);
        assert_chase("/", link, target);
        assert_chase(NULL, "/", "/");
}
END_TEST

static Suite *chase_suite(void) {
        Suite *s = suite_create("chase");
        TCase *tc = test_tcase_new("chase_under_root", true);

        tcase_add_test(tc, test_plain);
        tcase_add_test(tc, test_absolute_symlink);
        tcase_add_test(tc, test_relative_symlink);
        tcase_add_test(tc, test_dotdot_stays_in_root);
        tcase_add_test(tc, test_absolute_link_not_to_host);
        tcase_add_test(tc, test_loops);
        tcase_add_test(tc, test_missing);
        tcase_add_test(tc, test_not_a_directory);
        tcase_add_test(tc, test_invalid);
        tcase_add_test(tc, test_no_root);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return test_run_suite(chase_suite());
}
