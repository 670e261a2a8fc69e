/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>
#include <string.h>

#include "unit-escape.h"

static char *escape(const char *s, const char *backslashed) {
        char *r = malloc(strlen(s) * 2 + 1), *t = r;

        if (!r)
                return NULL;
        for (; *s; s++) {
                if (*s == '%')
                        *t++ = '%';
                else if (backslashed && strchr(backslashed, *s))
                        *t++ = '\\';
                *t++ = *s;
        }
        *t = '\0';
        return r;
}

char *unit_escape_word(const char *s) {
        return escape(s, " \t:\"'\\");
}

char *unit_escape_specifiers(const char *s) {
        return escape(s, NULL);
}
