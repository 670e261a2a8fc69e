/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "unit-file.h"
#include "test-util.h"

/* Every assignment as "LINE [SECTION] KEY=VALUE\n". */
static int collect(const char *section, const char *key, const char *value, unsigned line, void *userdata) {
        fprintf(userdata, "%u [%s] %s=%s\n", line, section, key, value);
        return 0;
}

static int parse(const char *text, size_t size, char **ret) {
        _cleanup_fclose_ FILE *f = fmemopen((void *) text, size, "r");
        char *buf = NULL;
        size_t n = 0;
        FILE *out;
        int r;

        ck_assert_ptr_nonnull(f);
        out = open_memstream(&buf, &n);
        ck_assert_ptr_nonnull(out);
        r = unit_file_parse(f, "/etc/systemd/system/foo.service", collect, out);
        ck_assert_int_eq(fclose(out), 0);
        *ret = buf;
        return r;
}

static void assert_parse(const char *text, const char *expected) {
        _cleanup_free_ char *got = NULL;

        ck_assert_int_eq(parse(text, strlen(text), &got), 0);
        ck_assert_str_eq(got, expected);
}

START_TEST(test_sections_and_assignments) {
        assert_parse("[Unit]\n"
                     "Description=Foo  bar \n"
                     "  After = network.target\t\n"
                     "\n"
                     "[Service]\n"
                     "ExecStart=/nix/store/abc-foo/bin/foo --x=1\n"
                     "Environment=A=B C=D\n"
                     "ExecStartPre=\n",
                     "2 [Unit] Description=Foo  bar\n"
                     "3 [Unit] After=network.target\n"
                     "6 [Service] ExecStart=/nix/store/abc-foo/bin/foo --x=1\n"
                     "7 [Service] Environment=A=B C=D\n"
                     "8 [Service] ExecStartPre=\n");
}
END_TEST

START_TEST(test_comments_and_garbage) {
        /* Comments, and lines systemd warns about and ignores. */
        assert_parse("# comment=1\n"
                     "; comment=2\n"
                     "   # indented=3\n"
                     "Orphan=before any section\n"
                     "[Service]\n"
                     "garbage without equals\n"
                     "[broken\n"
                     "[]\n"
                     "Type=simple\n",
                     "4 [] Orphan=before any section\n"
                     "9 [Service] Type=simple\n");
}
END_TEST

START_TEST(test_continuation) {
        /* Regression: a continuing backslash becomes a space, as in systemd's
         * config_parse(), and white space inside a continuation is kept:
         * only the joined line is trimmed. */
        assert_parse("[Service]\n"
                     "ExecStart=/bin/foo \\\n"
                     "    --bar \\\n"
                     "# a comment inside is skipped \\\n"
                     "; and this one\n"
                     "    --baz\n"
                     "Type=oneshot\n",
                     "2 [Service] ExecStart=/bin/foo      --bar      --baz\n"
                     "7 [Service] Type=oneshot\n");
        assert_parse("[Service]\nExecStart=/nix/store/a-x/bin/x\\\n/nix/store/b-y/etc\n",
                     "2 [Service] ExecStart=/nix/store/a-x/bin/x /nix/store/b-y/etc\n");
        /* A comment ending in a backslash continues nothing; a line ending in
         * a space after the backslash is not continued. */
        assert_parse("[Service]\n# a comment \\\nExecStart=/nix/store/aaa-foo/bin/foo\n",
                     "3 [Service] ExecStart=/nix/store/aaa-foo/bin/foo\n");
        assert_parse("[Service]\nExecStart=/bin/true \\ \nExecStartPost=/nix/store/ccc-x/bin/x\n",
                     "2 [Service] ExecStart=/bin/true \\\n3 [Service] ExecStartPost=/nix/store/ccc-x/bin/x\n");
        /* A section header can be continued too, as systemd allows. */
        assert_parse("[Ser\\\nvice]\nA=1\n", "3 [Ser vice] A=1\n");
}
END_TEST

START_TEST(test_continuation_at_eof) {
        /* Regression: a file ending in a continued line is read without
         * running past the buffer. */
        assert_parse("[Service]\nLast=a \\\n", "2 [Service] Last=a\n");
        assert_parse("[Service]\nLast=a\\", "2 [Service] Last=a\n");
}
END_TEST

START_TEST(test_no_trailing_newline) {
        assert_parse("[Service]\nType=simple", "2 [Service] Type=simple\n");
        assert_parse("", "");
}
END_TEST

START_TEST(test_nul) {
        _cleanup_free_ char *got = NULL;
        const char text[] = "[Service]\nExec\0Start=/x\n";

        ck_assert_int_eq(parse(text, sizeof text - 1, &got), -EBADMSG);
}
END_TEST

START_TEST(test_too_long) {
        const size_t half = UNIT_FILE_LINE_MAX / 2 + 16;
        _cleanup_free_ char *text = malloc(2 * (half + 3) + 1), *got = NULL;
        char *p = text;

        ck_assert_ptr_nonnull(text);
        for (unsigned i = 0; i < 2; i++) {
                memset(p, 'x', half);
                p += half;
                memcpy(p, " \\\n", 3);
                p += 3;
        }
        *p = '\0';
        ck_assert_int_eq(parse(text, strlen(text), &got), -ENOBUFS);
}
END_TEST

static int stop_at_second(_unused_ const char *section, _unused_ const char *key, _unused_ const char *value,
                          _unused_ unsigned line, void *userdata) {
        unsigned *n = userdata;
        return ++*n == 2 ? -EUCLEAN : 0;
}

START_TEST(test_callback_error) {
        const char text[] = "[Service]\nA=1\nB=2\nC=3\n";
        _cleanup_fclose_ FILE *f = fmemopen((void *) text, sizeof text - 1, "r");
        unsigned n = 0;

        ck_assert_int_eq(unit_file_parse(f, "x", stop_at_second, &n), -EUCLEAN);
        ck_assert_uint_eq(n, 2);
}
END_TEST

static Suite *unit_file_suite(void) {
        Suite *s = suite_create("unit-file");
        TCase *tc = test_tcase_new("unit_file_parse", false);

        tcase_add_test(tc, test_sections_and_assignments);
        tcase_add_test(tc, test_comments_and_garbage);
        tcase_add_test(tc, test_continuation);
        tcase_add_test(tc, test_continuation_at_eof);
        tcase_add_test(tc, test_no_trailing_newline);
        tcase_add_test(tc, test_nul);
        tcase_add_test(tc, test_too_long);
        tcase_add_test(tc, test_callback_error);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return test_run_suite(unit_file_suite());
}
