/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "line-reader.h"
#include "test-util.h"

/* Every line of text as read with blocks of block bytes, joined with "|";
 * "" for none. */
static char *read_all(const char *text, size_t length, size_t block) {
        _cleanup_(line_reader_done) LineReader r = {};
        _cleanup_fclose_ FILE *f = fmemopen((void *) text, length, "r");
        char *out = NULL, *line;
        size_t n, size = 0, lines = 0;
        FILE *o = open_memstream(&out, &size);
        int k;

        ck_assert_ptr_nonnull(f);
        ck_assert_ptr_nonnull(o);
        line_reader_init(&r, f, block);
        while ((k = line_reader_next(&r, &line, &n)) > 0) {
                /* A NUL in the line: its length says so, strlen() does not. */
                fprintf(o, "%s%.*s", lines++ > 0 ? "|" : "", (int) n, line);
                if (n != strlen(line))
                        fputs("<NUL>", o);
        }
        ck_assert_int_eq(k, 0);
        fclose(o);
        return out;
}

START_TEST(test_lines) {
        static const size_t blocks[] = { 1, 2, 3, 7, 64, 0 };

        /* Lines across block boundaries, one longer than a block, blank
         * lines, and a last line with and without its newline. */
        for (size_t i = 0; i < ELEMENTSOF(blocks); i++) {
                _cleanup_free_ char *a = read_all("one\ntwo\n\nthree-is-longer\n", 25, blocks[i]);
                _cleanup_free_ char *b = read_all("one\nlast", 8, blocks[i]);
                _cleanup_free_ char *c = read_all("", 0, blocks[i]);
                _cleanup_free_ char *d = read_all("\n\n", 2, blocks[i]);
                _cleanup_free_ char *e = read_all("a\0b\nc\n", 6, blocks[i]);

                ck_assert_str_eq(a, "one|two||three-is-longer");
                ck_assert_str_eq(b, "one|last");
                ck_assert_str_eq(c, "");
                ck_assert_str_eq(d, "|");
                ck_assert_str_eq(e, "a<NUL>|c");
        }
}
END_TEST

START_TEST(test_long_line) {
        size_t n = 3 * LINE_READER_BLOCK + 17;
        _cleanup_free_ char *text = malloc(n + 1), *out = NULL;

        ck_assert_ptr_nonnull(text);
        memset(text, 'x', n);
        text[n] = '\n';
        out = read_all(text, n + 1, 0);
        ck_assert_uint_eq(strlen(out), n);
}
END_TEST

static Suite *line_reader_suite(void) {
        Suite *s = suite_create("line-reader");
        TCase *tc = test_tcase_new("line_reader", false);

        tcase_add_test(tc, test_lines);
        tcase_add_test(tc, test_long_line);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return test_run_suite(line_reader_suite());
}
