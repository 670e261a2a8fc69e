/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "unit-escape.h"
#include "test-util.h"

/* How BindPaths= splits its value: at white space, then each word at ":". */
#define WORD_SEPARATORS " \t\n:"

static void assert_escape_word(const char *s, const char *expected) {
        _cleanup_free_ char *e = unit_escape_word(s);

        ck_assert_ptr_nonnull(e);
        ck_assert_str_eq(e, expected);
}

static void assert_escape_specifiers(const char *s, const char *expected) {
        _cleanup_free_ char *e = unit_escape_specifiers(s);

        ck_assert_ptr_nonnull(e);
        ck_assert_str_eq(e, expected);
}

START_TEST(test_escape_word) {
        assert_escape_word("", "");
        assert_escape_word("/nix/store/0123abcd-hello-2.12.1", "/nix/store/0123abcd-hello-2.12.1");
        assert_escape_word("/a_b+c=d", "/a_b+c=d");
        /* White space: the word quoted, never "\ " (262 rejects it). */
        assert_escape_word("/run/foo bar", "\"/run/foo bar\"");
        assert_escape_word("/a\tb", "\"/a\tb\"");
        assert_escape_word(" ", "\" \"");
        assert_escape_word("/a b\\ c:d%", "\"/a b\\\\ c\\:d%%\"");
        assert_escape_word("/a:b", "/a\\:b");
        assert_escape_word("/a\"b", "/a\\\"b");
        assert_escape_word("/a'b", "/a\\'b");
        assert_escape_word("/a\\b", "/a\\\\b");
        assert_escape_word("/a%b", "/a%%b");
        assert_escape_word("/%n", "/%%n");
        assert_escape_word("%%", "%%%%");
        assert_escape_word(" :\\%", "\" \\:\\\\%%\"");
        assert_escape_word(":\\%", "\\:\\\\%%");
        /* Nothing else needs it: specifiers and quoting are all there is. */
        assert_escape_word("/a@b,c~d", "/a@b,c~d");
        assert_escape_word("/caf\xc3\xa9", "/caf\xc3\xa9");
}
END_TEST

START_TEST(test_escape_specifiers) {
        assert_escape_specifiers("", "");
        assert_escape_specifiers("/run/foo bar", "/run/foo bar");
        assert_escape_specifiers("/a\tb:c\"d'e\\f", "/a\tb:c\"d'e\\f");
        assert_escape_specifiers("/a%b", "/a%%b");
        assert_escape_specifiers("%n%%", "%%n%%%%");
}
END_TEST

START_TEST(test_unescape_specifiers) {
        _cleanup_free_ char *a = NULL, *b = NULL;
        char *c = NULL;

        ck_assert_int_eq(unit_unescape_specifiers("/a%%b%%%%", &a), 0);
        ck_assert_str_eq(a, "/a%b%%");
        ck_assert_int_eq(unit_unescape_specifiers("", &b), 0);
        ck_assert_str_eq(b, "");
        ck_assert_int_eq(unit_unescape_specifiers("/%n", &c), -EINVAL);
        ck_assert_int_eq(unit_unescape_specifiers("/a%", &c), -EINVAL);
        ck_assert_ptr_null(c);
}
END_TEST

START_TEST(test_extract_word) {
        const char *p = "a\\ b \"c d\":'e:f'\\:g\th";
        char *w, sep;

        ck_assert_int_eq(unit_extract_word(&p, WORD_SEPARATORS, &w, &sep), 0);
        ck_assert_str_eq(w, "a b");
        ck_assert_int_eq(sep, ' ');
        free(w);
        ck_assert_int_eq(unit_extract_word(&p, WORD_SEPARATORS, &w, &sep), 0);
        ck_assert_str_eq(w, "c d");
        ck_assert_int_eq(sep, ':');
        free(w);
        ck_assert_int_eq(unit_extract_word(&p, WORD_SEPARATORS, &w, &sep), 0);
        ck_assert_str_eq(w, "e:f:g");
        ck_assert_int_eq(sep, '\t');
        free(w);
        ck_assert_int_eq(unit_extract_word(&p, WORD_SEPARATORS, &w, &sep), 0);
        ck_assert_str_eq(w, "h");
        ck_assert_int_eq(sep, '\0');
        ck_assert_ptr_null(p);
        free(w);

        /* A backslash inside quotes takes the next character literally too. */
        p = "\"a\\\"b\"";
        ck_assert_int_eq(unit_extract_word(&p, WORD_SEPARATORS, &w, &sep), 0);
        ck_assert_str_eq(w, "a\"b");
        free(w);

        /* Two separators in a row: an empty word between them. */
        p = "::";
        ck_assert_int_eq(unit_extract_word(&p, ":", &w, &sep), 0);
        ck_assert_str_eq(w, "");
        ck_assert_str_eq(p, ":");
        free(w);
}
END_TEST

START_TEST(test_extract_word_invalid) {
        const char *p;
        char *w = NULL, sep = 'x';

        p = "abc\\";
        ck_assert_int_eq(unit_extract_word(&p, WORD_SEPARATORS, &w, &sep), -EINVAL);
        p = "\"abc";
        ck_assert_int_eq(unit_extract_word(&p, WORD_SEPARATORS, &w, &sep), -EINVAL);
        p = "'abc\\'";
        ck_assert_int_eq(unit_extract_word(&p, WORD_SEPARATORS, &w, &sep), -EINVAL);
        ck_assert_ptr_null(w);
        ck_assert_int_eq(sep, 'x');
}
END_TEST

/* What the generator writes, systemd reads back: escape, then undo
 * specifiers and split as BindPaths= does. */
static const char *const roundtrip_words[] = {
        "/nix/store/0123abcd-hello-2.12.1",
        "/run/foo bar",
        "/a\tb",
        "/a:b:c",
        "/a\"b\"",
        "/it's",
        "/back\\slash\\",
        "/100%",
        "/%n%i%%",
        " leading and trailing ",
        "\\:\"'% \t",
        "/caf\xc3\xa9",
        "",
};

START_TEST(test_roundtrip_word) {
        const char *s = roundtrip_words[_i];
        _cleanup_free_ char *escaped = NULL, *unspecified = NULL, *word = NULL;
        const char *p;
        char sep;

        escaped = unit_escape_word(s);
        ck_assert_ptr_nonnull(escaped);
        ck_assert_int_eq(unit_unescape_specifiers(escaped, &unspecified), 0);
        p = unspecified;
        ck_assert_int_eq(unit_extract_word(&p, WORD_SEPARATORS, &word, &sep), 0);
        ck_assert_str_eq(word, s);
        ck_assert_int_eq(sep, '\0');
}
END_TEST

START_TEST(test_roundtrip_bind) {
        /* "SOURCE:TARGET", each escaped, read back as two words. */
        const char *source = roundtrip_words[_i];
        const char *target = roundtrip_words[(_i + 1) % ELEMENTSOF(roundtrip_words)];
        _cleanup_free_ char *es = unit_escape_word(source), *et = unit_escape_word(target);
        _cleanup_free_ char *line = NULL, *unspecified = NULL, *a = NULL, *b = NULL;
        const char *p;
        char sep;

        ck_assert_ptr_nonnull(es);
        ck_assert_ptr_nonnull(et);
        ck_assert_int_ge(asprintf(&line, "%s:%s", es, et), 0);
        ck_assert_int_eq(unit_unescape_specifiers(line, &unspecified), 0);
        p = unspecified;
        ck_assert_int_eq(unit_extract_word(&p, WORD_SEPARATORS, &a, &sep), 0);
        ck_assert_int_eq(sep, ':');
        ck_assert_int_eq(unit_extract_word(&p, WORD_SEPARATORS, &b, &sep), 0);
        ck_assert_int_eq(sep, '\0');
        ck_assert_str_eq(a, source);
        ck_assert_str_eq(b, target);
}
END_TEST

START_TEST(test_roundtrip_specifiers) {
        const char *s = roundtrip_words[_i];
        _cleanup_free_ char *escaped = unit_escape_specifiers(s), *back = NULL;

        ck_assert_ptr_nonnull(escaped);
        ck_assert_int_eq(unit_unescape_specifiers(escaped, &back), 0);
        ck_assert_str_eq(back, s);
}
END_TEST

static Suite *unit_escape_suite(void) {
        Suite *s = suite_create("unit-escape");
        TCase *tc;

        tc = test_tcase_new("escape", false);
        tcase_add_test(tc, test_escape_word);
        tcase_add_test(tc, test_escape_specifiers);
        tcase_add_test(tc, test_unescape_specifiers);
        tcase_add_test(tc, test_extract_word);
        tcase_add_test(tc, test_extract_word_invalid);
        suite_add_tcase(s, tc);

        tc = test_tcase_new("roundtrip", false);
        tcase_add_loop_test(tc, test_roundtrip_word, 0, ELEMENTSOF(roundtrip_words));
        tcase_add_loop_test(tc, test_roundtrip_bind, 0, ELEMENTSOF(roundtrip_words));
        tcase_add_loop_test(tc, test_roundtrip_specifiers, 0, ELEMENTSOF(roundtrip_words));
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return test_run_suite(unit_escape_suite());
}
