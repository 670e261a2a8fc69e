/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "closure-read.h"
#include "test-util.h"

#define SPEC_FILE "/etc/confinement.d/foo.service.json"
#define NAME "/etc/closures/foo/store-paths"

/* Parses text (size bytes) as store-paths; returns the result, the
 * reason in *ret_reason (to free) on failure. */
static int parse(const char *text, size_t size, PathList *paths, char **ret_reason) {
        _cleanup_fclose_ FILE *f = fmemopen((void *) text, size, "r");
        Diag d = DIAG_INIT(SPEC_FILE);
        int r;

        ck_assert_ptr_nonnull(f);
        r = closure_parse_store_paths(f, NAME, paths, &d);
        if (ret_reason)
                *ret_reason = d.reason;
        else
                diag_done(&d);
        return r;
}

static void assert_bad(const char *text, const char *expected_reason) {
        _cleanup_(path_list_done) PathList paths = {};
        _cleanup_free_ char *reason = NULL;

        ck_assert_int_eq(parse(text, strlen(text), &paths, &reason), -EINVAL);
        ck_assert_ptr_nonnull(reason);
        ck_assert_str_eq(reason, expected_reason);
}

START_TEST(test_parse) {
        _cleanup_(path_list_done) PathList paths = {};
        const char *text = "/nix/store/bbb-b\n"
                           "/nix/store/aaa-a\n"
                           "\n"
                           "/nix/store/ccc-c with space\n"
                           "\n"
                           "\n"
                           "/nix/store/aaa-a\n"
                           "/nix/store/ddd-d"; /* no newline at the end */

        ck_assert_int_eq(parse(text, strlen(text), &paths, NULL), 0);
        /* As listed: the caller sorts and deduplicates. */
        ck_assert_uint_eq(paths.n, 5);
        ck_assert_str_eq(paths.items[0], "/nix/store/bbb-b");
        ck_assert_str_eq(paths.items[1], "/nix/store/aaa-a");
        ck_assert_str_eq(paths.items[2], "/nix/store/ccc-c with space");
        ck_assert_str_eq(paths.items[3], "/nix/store/aaa-a");
        ck_assert_str_eq(paths.items[4], "/nix/store/ddd-d");
}
END_TEST

START_TEST(test_parse_appends) {
        _cleanup_(path_list_done) PathList paths = {};

        ck_assert_int_eq(path_list_add(&paths, "/already"), 0);
        ck_assert_int_eq(parse("/nix/store/a\n", 13, &paths, NULL), 0);
        ck_assert_uint_eq(paths.n, 2);
        ck_assert_str_eq(paths.items[0], "/already");
        ck_assert_str_eq(paths.items[1], "/nix/store/a");
}
END_TEST

START_TEST(test_parse_empty) {
        _cleanup_(path_list_done) PathList paths = {};

        ck_assert_int_eq(parse("", 0, &paths, NULL), 0);
        ck_assert_int_eq(parse("\n\n\n", 3, &paths, NULL), 0);
        ck_assert_uint_eq(paths.n, 0);
}
END_TEST

START_TEST(test_parse_bad_lines) {
        /* Each names the file and the line, under the spec's key "closureInfo". */
        assert_bad("/nix/store/a\nnix/store/b\n",
                   SPEC_FILE ": key \"closureInfo\": " NAME ":2: expected an absolute, normalized path, got "
                   "\"nix/store/b\": not an absolute path.");
        assert_bad("\n\n\n/nix/store/a/\n",
                   SPEC_FILE ": key \"closureInfo\": " NAME ":4: expected an absolute, normalized path, got "
                   "\"/nix/store/a/\": ends in \"/\".");
        assert_bad("/nix/store/a\r\n",
                   SPEC_FILE ": key \"closureInfo\": " NAME ":1: expected an absolute, normalized path, got "
                   "\"/nix/store/a\r\": contains a control character.");
        assert_bad("/nix/store/../etc\n",
                   SPEC_FILE ": key \"closureInfo\": " NAME ":1: expected an absolute, normalized path, got "
                   "\"/nix/store/../etc\": contains a \"..\" component.");
        assert_bad("/nix//store/a\n",
                   SPEC_FILE ": key \"closureInfo\": " NAME ":1: expected an absolute, normalized path, got "
                   "\"/nix//store/a\": contains \"//\".");
        assert_bad("/nix/store/a\n /nix/store/b\n",
                   SPEC_FILE ": key \"closureInfo\": " NAME ":2: expected an absolute, normalized path, got "
                   "\" /nix/store/b\": not an absolute path.");
        assert_bad("/nix/store/\xff\n",
                   SPEC_FILE ": key \"closureInfo\": " NAME ":1: expected an absolute, normalized path, got "
                   "\"/nix/store/\xff\": not valid UTF-8.");
}
END_TEST

START_TEST(test_parse_nul) {
        _cleanup_(path_list_done) PathList paths = {};
        _cleanup_free_ char *reason = NULL;
        const char text[] = "/nix/store/a\n/nix/store/b\0/etc\n";

        ck_assert_int_eq(parse(text, sizeof text - 1, &paths, &reason), -EINVAL);
        ck_assert_str_eq(reason, SPEC_FILE ": key \"closureInfo\": " NAME ":2: contains a NUL byte.");
}
END_TEST

START_TEST(test_read) {
        _cleanup_(path_list_done) PathList paths = {};
        _cleanup_(diag_done) Diag d = DIAG_INIT(SPEC_FILE);

        test_write_file(test_root, NAME, "/nix/store/a\n/nix/store/b\n");
        ck_assert_int_eq(closure_read_store_paths(&(ClosureSource) { test_fs(test_root), "/etc/closures/foo", &d }, &paths), 0);
        ck_assert_ptr_null(d.reason);
        ck_assert_uint_eq(paths.n, 2);
}
END_TEST

static char *read_fail(const char *closure_info, int expected) {
        _cleanup_(path_list_done) PathList paths = {};
        Diag d = DIAG_INIT(SPEC_FILE);

        ck_assert_int_eq(closure_read_store_paths(&(ClosureSource) { test_fs(test_root), closure_info, &d }, &paths), expected);
        ck_assert_ptr_nonnull(d.reason);
        return d.reason;
}

START_TEST(test_read_missing) {
        _cleanup_free_ char *a = NULL, *b = NULL;

        a = read_fail("/etc/closures/none", -ENOENT);
        ck_assert_str_eq(a, SPEC_FILE ": key \"closureInfo\": /etc/closures/none/store-paths: cannot open: "
                            "No such file or directory.");
        /* The directory exists, store-paths does not. */
        test_mkdir_p(test_root, "/etc/closures/foo");
        b = read_fail("/etc/closures/foo", -ENOENT);
        ck_assert_str_eq(b, SPEC_FILE ": key \"closureInfo\": " NAME ": cannot open: No such file or directory.");
}
END_TEST

START_TEST(test_read_not_regular) {
        _cleanup_free_ char *reason = NULL;

        test_mkdir_p(test_root, NAME);
        reason = read_fail("/etc/closures/foo", -EBADFD);
        ck_assert_str_eq(reason, SPEC_FILE ": key \"closureInfo\": " NAME ": expected a regular file.");
}
END_TEST

START_TEST(test_read_untrusted) {
        _cleanup_free_ char *a = NULL, *b = NULL;
        _cleanup_(diag_done) Diag d = DIAG_INIT(SPEC_FILE);

        test_write_file(test_root, NAME, "/nix/store/a\n");
        test_chmod(test_root, NAME, 0646);
        a = read_fail("/etc/closures/foo", -EPERM);
        ck_assert_str_eq(a, SPEC_FILE ": key \"closureInfo\": refusing " NAME ", which an unprivileged user could "
                            "change: " NAME " is writable by anyone (mode 0646).");

        test_chmod(test_root, NAME, 0644);
        test_chmod(test_root, "/etc/closures", 0770);
        b = read_fail("/etc/closures/foo", -EPERM);
        ck_assert_str_eq(b, SPEC_FILE ": key \"closureInfo\": refusing " NAME ", which an unprivileged user could "
                            "change: /etc/closures is writable by its group (mode 0770).");

        /* A missing file is reported as such, not as untrusted. */
        test_chmod(test_root, "/etc/closures", 0755);
        {
                _cleanup_free_ char *name = NULL;
                _cleanup_fclose_ FILE *f = NULL;

                ck_assert_int_eq(closure_file_open(&(ClosureSource) { test_fs(test_root), "/etc/none", &d }, "store-paths", &name, &f),
                                 -ENOENT);
                ck_assert_str_eq(d.reason, SPEC_FILE ": key \"closureInfo\": /etc/none/store-paths: cannot open: "
                                           "No such file or directory.");
        }
}
END_TEST

START_TEST(test_read_symlinked_closure_info) {
        _cleanup_(path_list_done) PathList paths = {};
        _cleanup_(diag_done) Diag d = DIAG_INIT(SPEC_FILE);
        int r;

        /* As NixOS lays it out, the closureInfo named in the spec is a
         * symlink into the store: followed under the root, so that the trust
         * check and the open see the same file (the host has no
         * /nix/store/xyz-closure-info). */
        test_write_file(test_root, "/nix/store/xyz-closure-info/store-paths", "/nix/store/aaa-a\n");
        test_symlink(test_root, "/etc/closures/foo", "/nix/store/xyz-closure-info");
        r = closure_read_store_paths(&(ClosureSource) { test_fs(test_root), "/etc/closures/foo", &d }, &paths);
        ck_assert_msg(r == 0, "%s", strempty(d.reason));
        ck_assert_uint_eq(paths.n, 1);
}
END_TEST

static Suite *closure_suite(void) {
        Suite *s = suite_create("closure");
        TCase *tc;

        tc = test_tcase_new("parse", false);
        tcase_add_test(tc, test_parse);
        tcase_add_test(tc, test_parse_appends);
        tcase_add_test(tc, test_parse_empty);
        tcase_add_test(tc, test_parse_bad_lines);
        tcase_add_test(tc, test_parse_nul);
        suite_add_tcase(s, tc);

        tc = test_tcase_new("read", true);
        tcase_add_test(tc, test_read);
        tcase_add_test(tc, test_read_missing);
        tcase_add_test(tc, test_read_not_regular);
        tcase_add_test(tc, test_read_untrusted);
        tcase_add_test(tc, test_read_symlinked_closure_info);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return test_run_suite(closure_suite());
}
