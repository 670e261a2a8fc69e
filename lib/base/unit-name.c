/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "unit-name.h"

#define LETTERS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define VALID_CHARS "0123456789" LETTERS ":-_.\\"

static bool span_is_valid(const char *s, size_t n, const char *extra) {
        for (size_t i = 0; i < n; i++)
                if (!strchr(VALID_CHARS, s[i]) && !(extra && strchr(extra, s[i])))
                        return false;
        return true;
}

int unit_name_classify_service(const char *name, UnitNameKind *ret_kind, const char **reason) {
        static const char suffix[] = ".service";
        const char *why = NULL, *at;
        size_t len, stem;
        UnitNameKind kind = UNIT_NAME_PLAIN;

        assert(name);

        len = strlen(name);
        if (len > UNIT_NAME_MAX)
                why = "is longer than 255 characters";
        else if (len <= strlen(suffix) || !streq(name + len - strlen(suffix), suffix))
                why = "is not a service unit name (\"NAME.service\")";
        else {
                stem = len - strlen(suffix);
                at = memchr(name, '@', stem);
                size_t prefix = at ? (size_t) (at - name) : stem;

                if (at == name)
                        why = "has an empty name before \"@\"";
                else if (!span_is_valid(name, prefix, NULL) ||
                         (at && !span_is_valid(at + 1, stem - prefix - 1, "@")))
                        why = "contains characters not allowed in unit names";
                else if (at)
                        kind = prefix + 1 == stem ? UNIT_NAME_TEMPLATE : UNIT_NAME_INSTANCE;
        }

        if (why) {
                if (reason)
                        *reason = why;
                return -EINVAL;
        }
        if (ret_kind)
                *ret_kind = kind;
        return 0;
}

char *unit_name_from_path(const char *path, const char *suffix) {
        size_t n = strlen(path);
        char *s, *t;

        assert(path);
        assert(suffix);

        while (*path == '/')
                path++, n--;
        while (n > 0 && path[n - 1] == '/')
                n--;

        s = malloc(n * 4 + strlen(suffix) + 2);
        if (!s)
                return NULL;
        t = s;
        if (n == 0)
                *t++ = '-';
        for (size_t i = 0; i < n; i++) {
                char c = path[i];

                if (c == '/')
                        *t++ = '-';
                else if (c == '-' || c == '\\' || !strchr(VALID_CHARS, c) || (i == 0 && c == '.'))
                        t += sprintf(t, "\\x%02x", (unsigned char) c);
                else
                        *t++ = c;
        }
        strcpy(t, suffix);
        return s;
}
