/* SPDX-License-Identifier: LGPL-2.1-or-later */
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
#define SPECIAL_WORD "% \t:\"'\\"

static char *escape(const char *s, bool word) {
        const char *special = word ? SPECIAL_WORD : SPECIAL_SPECIFIER;
        char *r = malloc(strlen(s) * 2 + 1), *t = r;

        if (!r)
                return NULL;
        for (;;) {
                size_t n = strcspn(s, special);

                memcpy(t, s, n);
                t += n;
                s += n;
                if (*s == '\0')
                        break;
                *t++ = *s == '%' ? '%' : '\\';
                *t++ = *s++;
        }
        *t = '\0';
        return r;
}

char *unit_escape_word(const char *s) {
        return escape(s, true);
}

void unit_escape_word_to(FILE *f, const char *s) {
        for (;;) {
                size_t n = strcspn(s, SPECIAL_WORD);

                fwrite_unlocked(s, 1, n, f);
                s += n;
                if (*s == '\0')
                        return;
                fputc_unlocked(*s == '%' ? '%' : '\\', f);
                fputc_unlocked(*s++, f);
        }
}

char *unit_escape_specifiers(const char *s) {
        return escape(s, false);
}

int unit_extract_word(const char **p, const char *separators, char **ret, char *ret_separator) {
        const char *s = *p;
        char *w, *t, quote = 0;

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
