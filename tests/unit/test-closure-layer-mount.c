/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "closure-layer-mount.h"
#include "test-util.h"

START_TEST(test_mount_options) {
        _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL;

        ck_assert_int_eq(closure_layer_mount_options("/run/confinement-layer/x/layer", "/nix", true, &a), 0);
        ck_assert_str_eq(a, "lowerdir=/run/confinement-layer/x/layer:/nix,redirect_dir=follow,metacopy=on");
        ck_assert_int_eq(closure_layer_mount_options("/l", "/", false, &b), 0);
        ck_assert_str_eq(b, "lowerdir=/l:/,redirect_dir=follow");
        /* separators of the option string are refused, not passed on */
        ck_assert_int_eq(closure_layer_mount_options("/l", "/a:b", false, &c), -EINVAL);
        ck_assert_int_eq(closure_layer_mount_options("/l,upperdir=/x", "/nix", false, &c), -EINVAL);
        ck_assert_ptr_null(c);
}
END_TEST

/* The layer itself needs trusted.* attributes: root, on a tmpfs of the
 * test's own, which has them whatever file system /tmp is. */
START_TEST(test_build) {
        _cleanup_free_ char *tmp = test_tmpfs_new(), *s = NULL;
        _cleanup_close_ int store_fd = -1, dir_fd = -1;
        const char *names[] = { "aaa-dir", "bbb-file", "ccc-link" };
        char value[64];
        struct stat st;
        bool has_file = false;
        ssize_t k;

        if (!tmp)
                return; /* skipped */
        test_mkdir_p(tmp, "/nix/store/aaa-dir/bin");
        test_write_file(tmp, "/nix/store/bbb-file", "#!/bin/sh\necho hi\n");
        test_chmod(tmp, "/nix/store/bbb-file", 0555);
        test_symlink(tmp, "/nix/store/ccc-link", "aaa-dir");
        test_mkdir_p(tmp, "/nix/store/ddd-outside");
        test_mkdir_p(tmp, "/layer");
        s = test_path(tmp, "/nix/store");
        store_fd = open(s, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        free(s);
        s = test_path(tmp, "/layer");
        dir_fd = open(s, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ck_assert_int_ge(store_fd, 0);
        ck_assert_int_ge(dir_fd, 0);
        ck_assert_int_eq(fsetxattr(dir_fd, "trusted.overlay.test", "", 0, 0), 0);

        ck_assert_int_eq(closure_layer_build(store_fd, "0123456789abcdef", dir_fd, names, 3, &has_file), 0);
        ck_assert(has_file);
        k = getxattr(s, "trusted.overlay.test", value, sizeof value);
        ck_assert_int_eq(k, 0);
        free(s);
        s = test_path(tmp, "/layer/0123456789abcdef");
        k = getxattr(s, "trusted.overlay.opaque", value, sizeof value);
        ck_assert_int_eq(k, 1);
        ck_assert_int_eq(value[0], 'y');
        free(s);
        s = test_path(tmp, "/layer/0123456789abcdef/aaa-dir");
        k = getxattr(s, "trusted.overlay.redirect", value, sizeof value);
        /* looked up in the store directory, the layer below */
        ck_assert_int_eq(k, (ssize_t) strlen("/aaa-dir"));
        ck_assert(memcmp(value, "/aaa-dir", (size_t) k) == 0);
        ck_assert_int_eq(lstat(s, &st), 0);
        ck_assert(S_ISDIR(st.st_mode));
        free(s);
        s = test_path(tmp, "/layer/0123456789abcdef/bbb-file");
        ck_assert_int_eq(lstat(s, &st), 0);
        ck_assert(S_ISREG(st.st_mode));
        ck_assert_int_eq(st.st_mode & 07777, 0555);
        ck_assert_int_eq(st.st_size, (off_t) strlen("#!/bin/sh\necho hi\n"));
        ck_assert_int_eq(st.st_blocks, 0); /* sparse: the data stays in the store */
        ck_assert_int_eq(getxattr(s, "trusted.overlay.metacopy", value, sizeof value), 0);
        free(s);
        s = test_path(tmp, "/layer/0123456789abcdef/ccc-link");
        k = readlink(s, value, sizeof value);
        ck_assert_int_eq(k, 7);
        ck_assert(memcmp(value, "aaa-dir", 7) == 0);
        /* nothing else of the store */
        ck_assert(!test_exists(tmp, "/layer/0123456789abcdef/ddd-outside"));
        closep(&store_fd);
        store_fd = -1;
        closep(&dir_fd);
        dir_fd = -1;
        test_tmpfs_remove(TAKE_PTR(tmp));
}
END_TEST

START_TEST(test_build_refuses) {
        _cleanup_free_ char *tmp = test_tmpfs_new(), *s = NULL;
        _cleanup_close_ int store_fd = -1, dir_fd = -1;
        const char *slash[] = { "aaa/bin" }, *missing[] = { "zzz-missing" }, *dotdot[] = { ".." };

        if (!tmp)
                return; /* skipped */
        test_mkdir_p(tmp, "/nix/store/aaa/bin");
        test_mkdir_p(tmp, "/l1");
        s = test_path(tmp, "/nix/store");
        store_fd = open(s, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        free(s);
        s = test_path(tmp, "/l1");
        dir_fd = open(s, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ck_assert_int_ge(dir_fd, 0);
        ck_assert_int_eq(closure_layer_build(store_fd, "a", dir_fd, slash, 1, NULL), -EINVAL);
        ck_assert_int_eq(closure_layer_build(store_fd, "b", dir_fd, missing, 1, NULL), -ENOENT);
        ck_assert_int_eq(closure_layer_build(store_fd, "c", dir_fd, dotdot, 1, NULL), -EINVAL);
        closep(&store_fd);
        store_fd = -1;
        closep(&dir_fd);
        dir_fd = -1;
        test_tmpfs_remove(TAKE_PTR(tmp));
}
END_TEST

static Suite *closure_layer_mount_suite(void) {
        Suite *s = suite_create("closure-layer-mount");
        TCase *tc = test_tcase_new("closure-layer-mount", false);

        tcase_add_test(tc, test_mount_options);
        tcase_add_test(tc, test_build);
        tcase_add_test(tc, test_build_refuses);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return test_run_suite(closure_layer_mount_suite());
}
