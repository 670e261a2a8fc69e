/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "path-util.h"
#include "store-path.h"

#define STORE_NAME_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-._?="

int store_path_of(const char *path, const char *store_dir, char **ret) {
        const char *rest = path_startswith(path, store_dir);
        size_t n;
        char *s;

        if (!rest || *rest == '\0')
                return -EINVAL;
        n = strcspn(rest, "/");
        if (strspn(rest, STORE_NAME_CHARS) < n)
                return -EINVAL;
        if (asprintf(&s, "%s/%.*s", store_dir, (int) n, rest) < 0)
                return -ENOMEM;
        *ret = s;
        return 0;
}

int store_paths_extract(const char *text, const char *store_dir, PathList *out) {
        size_t k = strlen(store_dir);
        const char *p = text;
        int r;

        assert(text);
        assert(store_dir);
        assert(out);

        while ((p = strstr(p, store_dir))) {
                const char *name = p + k;
                size_t n;

                /* "/nix/store" inside "/foo/nix/store/…" is not a store path;
                 * after "=", a quote or white space it is. */
                if (p > text && (isalnum((unsigned char) p[-1]) || strchr("_.", p[-1]))) {
                        p = name;
                        continue;
                }
                p = name;
                if (*name != '/')
                        continue;
                n = strspn(name + 1, STORE_NAME_CHARS);
                if (n == 0 || (n == 1 && name[1] == '.') || (n == 2 && name[1] == '.' && name[2] == '.'))
                        continue;
                char *s;
                if (asprintf(&s, "%.*s", (int) (k + 1 + n), name - k) < 0)
                        return -ENOMEM;
                r = path_list_consume(out, s);
                if (r < 0)
                        return r;
                p = name + 1 + n;
        }
        return 0;
}
