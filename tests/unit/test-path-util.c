/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <limits.h>
#include <string.h>

#include "path-util.h"
#include "test-util.h"

static void assert_safe(const char *path) {
        const char *why = NULL;

        ck_assert_msg(path_check_safe(path, &why) == 0, "\"%s\" refused: %s", path, strempty(why));
        ck_assert_ptr_null(why);
}

static void assert_unsafe(const char *path, const char *expected_reason) {
        const char *why = NULL;

        ck_assert_int_eq(path_check_safe(path, &why), -EINVAL);
        ck_assert_ptr_nonnull(why);
        ck_assert_str_eq(why, expected_reason);
        /* The reason is optional. */
        ck_assert_int_eq(path_check_safe(path, NULL), -EINVAL);
}

START_TEST(test_check_safe_accepts) {
        assert_safe("/");
        assert_safe("/nix/store");
        assert_safe("/nix/store/0123456789abcdfghijklmnpqrsvwxyz-hello-2.12.1");
        assert_safe("/run/foo bar");             /* space: escaped when written */
        assert_safe("/a:b/c%d/e\\f");          /* likewise */
        assert_safe("/.hidden/..dots/...");      /* not "." or ".." */
        assert_safe("/a./b../c.d");
        assert_safe("/caf\xc3\xa9/\xe2\x82\xac/\xf0\x9f\x98\x80"); /* 2-, 3- and 4-byte UTF-8 */
        assert_safe("/\xf4\x8f\xbf\xbf");        /* U+10FFFF, the last code point */
}
END_TEST

START_TEST(test_check_safe_quotes) {
        /* systemd 255 and later drop quotes between PID 1 and sd-executor. */
        assert_unsafe("/srv/'g'", "contains a quote, which systemd 255 and later do not pass on intact");
        assert_unsafe("/srv/\"h\"", "contains a quote, which systemd 255 and later do not pass on intact");
}
END_TEST

START_TEST(test_check_safe_not_absolute) {
        assert_unsafe(NULL, "not an absolute path");
        assert_unsafe("", "not an absolute path");
        assert_unsafe("nix/store", "not an absolute path");
        assert_unsafe("./x", "not an absolute path");
        assert_unsafe("~/x", "not an absolute path");
}
END_TEST

START_TEST(test_check_safe_unnormalized) {
        assert_unsafe("/nix/", "ends in \"/\"");
        assert_unsafe("//", "ends in \"/\"");
        assert_unsafe("//nix", "contains \"//\"");
        assert_unsafe("/nix//store", "contains \"//\"");
        assert_unsafe("/.", "contains a \".\" component");
        assert_unsafe("/nix/./store", "contains a \".\" component");
        assert_unsafe("/nix/.", "contains a \".\" component");
        assert_unsafe("/..", "contains a \"..\" component");
        assert_unsafe("/nix/../etc", "contains a \"..\" component");
        assert_unsafe("/nix/store/..", "contains a \"..\" component");
}
END_TEST

START_TEST(test_check_safe_control_characters) {
        assert_unsafe("/a\tb", "contains a control character");
        assert_unsafe("/a\nb", "contains a control character");
        assert_unsafe("/a\rb", "contains a control character");
        assert_unsafe("/\x01", "contains a control character");
        assert_unsafe("/\x1b[31m", "contains a control character");
        assert_unsafe("/a\x7f", "contains a control character");
}
END_TEST

START_TEST(test_check_safe_invalid_utf8) {
        assert_unsafe("/\xff", "not valid UTF-8");
        assert_unsafe("/\x80", "not valid UTF-8");            /* a lone continuation byte */
        assert_unsafe("/\xc3", "not valid UTF-8");            /* truncated */
        assert_unsafe("/\xc3/x", "not valid UTF-8");
        assert_unsafe("/\xe2\x82", "not valid UTF-8");
        assert_unsafe("/\xc0\xaf", "not valid UTF-8");        /* overlong "/" */
        assert_unsafe("/\xe0\x80\xaf", "not valid UTF-8");    /* overlong, 3 bytes */
        assert_unsafe("/\xf0\x80\x80\xaf", "not valid UTF-8"); /* overlong, 4 bytes */
        assert_unsafe("/\xed\xa0\x80", "not valid UTF-8");    /* a surrogate, U+D800 */
        assert_unsafe("/\xf4\x90\x80\x80", "not valid UTF-8"); /* past U+10FFFF */
        assert_unsafe("/\xf8\x88\x80\x80\x80", "not valid UTF-8"); /* 5 bytes */
}
END_TEST

START_TEST(test_check_safe_length) {
        char name[NAME_MAX + 3], *long_path;
        size_t n;

        /* A component of NAME_MAX bytes is fine, one more is not. */
        name[0] = '/';
        memset(name + 1, 'a', NAME_MAX);
        name[NAME_MAX + 1] = '\0';
        assert_safe(name);
        name[NAME_MAX + 1] = 'a';
        name[NAME_MAX + 2] = '\0';
        assert_unsafe(name, "has a component longer than NAME_MAX");

        /* Multi-byte characters count in bytes: 128 × "é" is 256 bytes. */
        long_path = malloc(1 + 2 * 128 + 1);
        ck_assert_ptr_nonnull(long_path);
        long_path[0] = '/';
        for (size_t i = 0; i < 128; i++)
                memcpy(long_path + 1 + 2 * i, "\xc3\xa9", 2);
        long_path[1 + 2 * 128] = '\0';
        assert_unsafe(long_path, "has a component longer than NAME_MAX");
        long_path[1 + 2 * 127] = '\0';
        assert_safe(long_path);
        free(long_path);

        /* Mixed runs of ASCII and UTF-8 in one component add up. */
        long_path = malloc(1 + 250 + 6 + 1);
        ck_assert_ptr_nonnull(long_path);
        long_path[0] = '/';
        memset(long_path + 1, 'x', 250);
        memcpy(long_path + 251, "\xc3\xa9\xc3\xa9\xc3\xa9", 7);
        assert_unsafe(long_path, "has a component longer than NAME_MAX");
        free(long_path);

        /* PATH_MAX - 1 bytes is the most a path may have. */
        long_path = malloc(PATH_MAX + 1);
        ck_assert_ptr_nonnull(long_path);
        n = 0;
        while (n < PATH_MAX - 1) {
                long_path[n++] = '/';
                for (size_t i = 0; i < 100 && n < PATH_MAX - 1; i++)
                        long_path[n++] = 'b';
        }
        long_path[n] = '\0';
        ck_assert_uint_eq(strlen(long_path), PATH_MAX - 1);
        assert_safe(long_path);
        long_path[n] = 'b';
        long_path[n + 1] = '\0';
        assert_unsafe(long_path, "longer than PATH_MAX");
        free(long_path);
}
END_TEST

START_TEST(test_startswith) {
        ck_assert_str_eq(path_startswith("/nix/store/abc-foo", "/nix/store"), "abc-foo");
        ck_assert_str_eq(path_startswith("/nix/store/abc-foo/bin/sh", "/nix/store"), "abc-foo/bin/sh");
        ck_assert_str_eq(path_startswith("/nix/store", "/nix/store"), "");
        ck_assert_str_eq(path_startswith("/nix/store", "/"), "nix/store");
        ck_assert_str_eq(path_startswith("/", "/"), "");
        ck_assert_str_eq(path_startswith("/nix/store/abc", "/nix"), "store/abc");
        /* Only whole components. */
        ck_assert_ptr_null(path_startswith("/nix/storefoo", "/nix/store"));
        ck_assert_ptr_null(path_startswith("/nix/stor", "/nix/store"));
        ck_assert_ptr_null(path_startswith("/nix", "/nix/store"));
        ck_assert_ptr_null(path_startswith("/gnu/store/abc", "/nix/store"));
        ck_assert_ptr_null(path_startswith("nix/store/abc", "/"));
        ck_assert_ptr_null(path_startswith("", "/nix"));
}
END_TEST

START_TEST(test_prefix_root) {
        _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL;

        a = path_prefix_root(NULL, "/etc/foo");
        b = path_prefix_root("/", "/etc/foo");
        c = path_prefix_root("", "/etc/foo");
        d = path_prefix_root("/tmp/root", "/etc/foo");
        e = path_prefix_root("/tmp/root", "/");
        ck_assert_str_eq(a, "/etc/foo");
        ck_assert_str_eq(b, "/etc/foo");
        ck_assert_str_eq(c, "/etc/foo");
        ck_assert_str_eq(d, "/tmp/root/etc/foo");
        ck_assert_str_eq(e, "/tmp/root/");
}
END_TEST

START_TEST(test_is_root) {
        ck_assert(path_is_root(NULL));
        ck_assert(path_is_root(""));
        ck_assert(path_is_root("/"));
        ck_assert(!path_is_root("/tmp"));
        ck_assert(!path_is_root("//"));
}
END_TEST

static Suite *path_util_suite(void) {
        Suite *s = suite_create("path-util");
        TCase *tc;

        tc = test_tcase_new("path_check_safe", false);
        tcase_add_test(tc, test_check_safe_accepts);
        tcase_add_test(tc, test_check_safe_quotes);
        tcase_add_test(tc, test_check_safe_not_absolute);
        tcase_add_test(tc, test_check_safe_unnormalized);
        tcase_add_test(tc, test_check_safe_control_characters);
        tcase_add_test(tc, test_check_safe_invalid_utf8);
        tcase_add_test(tc, test_check_safe_length);
        suite_add_tcase(s, tc);

        tc = test_tcase_new("root", false);
        tcase_add_test(tc, test_startswith);
        tcase_add_test(tc, test_prefix_root);
        tcase_add_test(tc, test_is_root);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return test_run_suite(path_util_suite());
}
