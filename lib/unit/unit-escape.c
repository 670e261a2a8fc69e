/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "unit-escape.h"

/* Only these characters change: "%" is doubled and, in a word, the
 * others get a backslash. Everything else, UTF-8 included, is copied
 * as it is, in runs found with strcspn() (SSE4.2 in glibc), not
 * character by character: store paths have nothing to escape. */
#define SPECIAL_SPECIFIER "%"
#define SPECIAL_WORD "%:\"'\\"
#define WHITESPACE " \t"

/* Writes the escaped s at t (room for twice its length), returns the end. */
static char *escape_into(char *t, const char *s, const char *special) {
        for (;;) {
                size_t n = strcspn(s, special);

                memcpy(t, s, n);
                t += n;
                s += n;
                if (*s == '\0')
                        return t;
                *t++ = *s == '%' ? '%' : '\\';
                *t++ = *s++;
        }
}

/* A word with white space is quoted, not escaped: systemd 258 and later
 * split BindPaths= at white space with C unescaping (where "\ " is an
 * error), 252 to 257 with a backslash taking the next character; both
 * keep a quoted space and read "\\", "\:" and "%%" inside quotes alike
 * (measured on 252, 257 and 262 for each of these characters alone, in
 * pairs and at either end). */
static char *escape_word_into(char *t, const char *s) {
        bool quote = s[strcspn(s, WHITESPACE)] != '\0';

        if (quote)
                *t++ = '"';
        t = escape_into(t, s, SPECIAL_WORD);
        if (quote)
                *t++ = '"';
        return t;
}

static char *escape(const char *s, bool word) {
        char *r = malloc(strlen(s) * 2 + 3);

        if (!r)
                return NULL;
        *(word ? escape_word_into(r, s) : escape_into(r, s, SPECIAL_SPECIFIER)) = '\0';
        return r;
}

char *unit_escape_word(const char *s) {
        return escape(s, true);
}

char *unit_escape_word_into(char *buf, const char *s) {
        return escape_word_into(buf, s);
}

char *unit_escape_specifiers(const char *s) {
        return escape(s, false);
}

int unit_extract_word(const char **p, const char *separators, char **ret, char *ret_separator) {
        const char *s = *p;
        char *w, *t, quote = 0;

        assert(p);
        assert(separators);
        assert(ret);
        assert(ret_separator);

        w = malloc(strlen(s) + 1);
        if (!w)
                return -ENOMEM;
        t = w;
        for (;; s++) {
                if (*s == '\0') {
                        if (quote) {
                                free(w);
                                return -EINVAL;
                        }
                        *t = '\0';
                        *p = NULL;
                        *ret_separator = '\0';
                        *ret = w;
                        return 0;
                }
                if (*s == '\\') {
                        if (*++s == '\0') {
                                free(w);
                                return -EINVAL;
                        }
                        *t++ = *s;
                } else if (quote) {
                        if (*s == quote)
                                quote = 0;
                        else
                                *t++ = *s;
                } else if (*s == '"' || *s == '\'')
                        quote = *s;
                else if (strchr(separators, *s)) {
                        *t = '\0';
                        *ret_separator = *s;
                        *p = s + 1;
                        *ret = w;
                        return 0;
                } else
                        *t++ = *s;
        }
}

int unit_unescape_specifiers(const char *s, char **ret) {
        char *r = malloc(strlen(s) + 1), *t = r;

        if (!r)
                return -ENOMEM;
        for (; *s; s++) {
                if (*s == '%') {
                        if (s[1] != '%') {
                                free(r);
                                return -EINVAL;
                        }
                        s++;
                }
                *t++ = *s;
        }
        *t = '\0';
        *ret = r;
        return 0;
}
