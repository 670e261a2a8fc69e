/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "path-trust.h"
#include "test-util.h"

static void assert_trusted(const char *path) {
        _cleanup_free_ char *reason = NULL;

        ck_assert_msg(path_check_trusted(test_fs(test_root), path, &reason) == 0, "%s: %s", path, strempty(reason));
        ck_assert_ptr_null(reason);
}

static void assert_distrusted(const char *path, const char *expected_reason) {
        _cleanup_free_ char *reason = NULL;

        ck_assert_int_eq(path_check_trusted(test_fs(test_root), path, &reason), -EPERM);
        ck_assert_ptr_nonnull(reason);
        ck_assert_str_eq(reason, expected_reason);
}

START_TEST(test_trusted) {
        test_write_file(test_root, "/etc/confinement.d/foo.json", "{}");
        assert_trusted("/");
        assert_trusted("/etc");
        assert_trusted("/etc/confinement.d/foo.json");
        /* Read-only for everyone is fine too. */
        test_chmod(test_root, "/etc/confinement.d/foo.json", 0400);
        assert_trusted("/etc/confinement.d/foo.json");
}
END_TEST

START_TEST(test_writable) {
        test_write_file(test_root, "/etc/confinement.d/foo.json", "{}");
        test_chmod(test_root, "/etc/confinement.d/foo.json", 0646);
        assert_distrusted("/etc/confinement.d/foo.json", "/etc/confinement.d/foo.json is writable by anyone (mode 0646)");
        test_chmod(test_root, "/etc/confinement.d/foo.json", 0664);
        assert_distrusted("/etc/confinement.d/foo.json",
                          "/etc/confinement.d/foo.json is writable by its group (mode 0664)");
        test_chmod(test_root, "/etc/confinement.d/foo.json", 0644);
        /* Any directory on the way, the root of the tree included. */
        test_chmod(test_root, "/etc", 0777);
        assert_distrusted("/etc/confinement.d/foo.json", "/etc is writable by anyone (mode 0777)");
        test_chmod(test_root, "/etc", 0755);
        test_chmod(test_root, "/", 0775);
        assert_distrusted("/etc/confinement.d/foo.json", "/ is writable by its group (mode 0775)");
        test_chmod(test_root, "/", 0755);
}
END_TEST

START_TEST(test_sticky) {
        /* A sticky directory writable by others, as /nix/store (1775) and
         * /tmp (1777), is fine: what it holds is checked in turn. */
        test_write_file(test_root, "/nix/store/abc-closure/store-paths", "");
        test_chmod(test_root, "/nix/store", 01775);
        assert_trusted("/nix/store/abc-closure/store-paths");
        test_chmod(test_root, "/nix/store/abc-closure", 01777);
        assert_trusted("/nix/store/abc-closure/store-paths");
        /* Sticky is for directories only. */
        test_chmod(test_root, "/nix/store/abc-closure/store-paths", 01666);
        assert_distrusted("/nix/store/abc-closure/store-paths",
                          "/nix/store/abc-closure/store-paths is writable by anyone (mode 1666)");
}
END_TEST

START_TEST(test_owner) {
        _cleanup_free_ char *full = NULL;

        if (geteuid() != 0) {
                test_skip("test_owner: only root can give files away");
                return;
        }
        test_write_file(test_root, "/etc/foo.json", "{}");
        full = test_path(test_root, "/etc/foo.json");
        ck_assert_int_eq(lchown(full, 4242, 0), 0);
        assert_distrusted("/etc/foo.json", "/etc/foo.json is owned by uid 4242, not by root");
}
END_TEST

START_TEST(test_resolved_path_checked) {
        /* Through a symlink, the target's path is what counts. */
        test_write_file(test_root, "/srv/open/foo.json", "{}");
        test_chmod(test_root, "/srv/open", 0777);
        test_symlink(test_root, "/etc/foo.json", "/srv/open/foo.json");
        assert_distrusted("/etc/foo.json", "/srv/open is writable by anyone (mode 0777)");
        /* The symlink's own directory is checked only on the way to it. */
        test_write_file(test_root, "/usr/foo.json", "{}");
        test_symlink(test_root, "/var/open/link.json", "/usr/foo.json");
        test_chmod(test_root, "/var/open", 0777);
        assert_trusted("/var/open/link.json");
}
END_TEST

START_TEST(test_missing) {
        char *reason = NULL;

        ck_assert_int_eq(path_check_trusted(test_fs(test_root), "/etc/none", &reason), -ENOENT);
        ck_assert_ptr_null(reason);
}
END_TEST

START_TEST(test_trust_all) {
        Root *trusting = test_fs(test_root);
        char *reason = NULL;

        /* confinementctl check --no-trust-check: nothing is looked at. */
        trusting->trust_all = true;
        test_write_file(test_root, "/etc/foo.json", "{}");
        test_chmod(test_root, "/etc/foo.json", 0666);
        ck_assert_int_eq(path_check_trusted(trusting, "/etc/foo.json", &reason), 0);
        ck_assert_ptr_null(reason);
        /* Not even whether it exists: the open says that. */
        ck_assert_int_eq(path_check_trusted(trusting, "/etc/none", &reason), 0);
        ck_assert_ptr_null(reason);
        /* Any other root checks. */
        ck_assert_int_eq(path_check_trusted(test_fs(test_root), "/etc/foo.json", &reason), -EPERM);
        ck_assert_str_eq(reason, "/etc/foo.json is writable by anyone (mode 0666)");
        free(reason);
}
END_TEST

static int check_source(const char *path, char **reason) {
        return path_check_trusted_source(test_fs(test_root), path, reason);
}

/* A bind source: the directories above it as a spec's, itself anyone's. */
START_TEST(test_bind_source) {
        _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL;

        test_mkdir_p(test_root, "/var/lib/web");
        test_chmod(test_root, "/var/lib/web", 0777);
        ck_assert_int_eq(check_source("/var/lib/web", &a), 0);
        ck_assert_ptr_null(a);

        /* A parent others may write: they could swap the source for a link. */
        test_mkdir_p(test_root, "/srv/rt-user/data");
        test_chmod(test_root, "/srv/rt-user", 0775);
        ck_assert_int_eq(check_source("/srv/rt-user/data", &b), -EPERM);
        ck_assert_str_eq(b, "/srv/rt-user is writable by its group (mode 0775)");

        /* Reached through a link in such a directory. */
        test_symlink(test_root, "/srv/rt-user/link", "/var/lib/web");
        ck_assert_int_eq(check_source("/srv/rt-user/link", &c), -EPERM);
        ck_assert_str_eq(c, "/srv/rt-user is writable by its group (mode 0775)");

        /* Missing (optional): whoever may create it is checked. */
        ck_assert_int_eq(check_source("/srv/rt-user/absent/x", &d), -EPERM);
        ck_assert_str_eq(d, "/srv/rt-user is writable by its group (mode 0775)");
        ck_assert_int_eq(check_source("/var/lib/absent", &e), 0);
        ck_assert_ptr_null(e);
}
END_TEST

static Suite *path_trust_suite(void) {
        Suite *s = suite_create("path-trust");
        TCase *tc = test_tcase_new("path_check_trusted", true);

        tcase_add_test(tc, test_trusted);
        tcase_add_test(tc, test_bind_source);
        tcase_add_test(tc, test_writable);
        tcase_add_test(tc, test_sticky);
        tcase_add_test(tc, test_owner);
        tcase_add_test(tc, test_resolved_path_checked);
        tcase_add_test(tc, test_missing);
        tcase_add_test(tc, test_trust_all);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return test_run_suite(path_trust_suite());
}
