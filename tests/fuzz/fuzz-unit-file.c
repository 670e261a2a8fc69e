/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* unit_file_parse() on arbitrary bytes, and with each value what the
 * generator does with the values of a unit's settings: store paths are
 * extracted from it, and it is split into words and unescaped. Checked:
 * keys and values come trimmed and on one line, the section as written. */

#include <ctype.h>
#include <string.h>

#include "fuzz.h"
#include "path-util.h"
#include "store-path.h"
#include "unit-escape.h"
#include "unit-file.h"

typedef struct State {
        unsigned last_line;
        size_t n_assignments;
} State;

static void check_trimmed(const char *s) {
        size_t n = strlen(s);

        fuzz_assert(!strpbrk(s, "\n"));
        fuzz_assert(n == 0 || (!isspace((unsigned char) s[0]) && !isspace((unsigned char) s[n - 1])));
}

static int on_assignment(const char *section, const char *key, const char *value, unsigned line, void *userdata) {
        State *st = userdata;
        PathList store_paths = {};
        const char *p;

        fuzz_assert(section && key && value);
        fuzz_assert(line > 0 && line >= st->last_line);
        st->last_line = line;
        st->n_assignments++;
        check_trimmed(key);
        check_trimmed(value);
        fuzz_assert(!strchr(key, '='));
        fuzz_assert(!strchr(section, '\n'));

        /* As unit-info.c does for the unit's roots. */
        fuzz_assert(store_paths_extract(value, "/nix/store", &store_paths) == 0);
        for (size_t i = 0; i < store_paths.n; i++) {
                char *top = NULL;

                fuzz_assert(strncmp(store_paths.items[i], "/nix/store/", 11) == 0);
                fuzz_assert(strstr(value, store_paths.items[i]));
                fuzz_assert(!strchr(store_paths.items[i] + 11, '/'));
                /* A store path is its own store path. */
                if (path_check_safe(store_paths.items[i], NULL) == 0) {
                        fuzz_assert(store_path_of(store_paths.items[i], "/nix/store", &top) == 0);
                        fuzz_assert(strcmp(top, store_paths.items[i]) == 0);
                        free(top);
                }
        }
        path_list_done(&store_paths);
        if (path_check_safe(value, NULL) == 0) {
                char *top = NULL;
                if (store_path_of(value, "/nix/store", &top) == 0) {
                        fuzz_assert(path_startswith(value, top));
                        free(top);
                }
        }

        /* Split as a list setting is, then unescape specifiers. */
        p = value;
        while (p) {
                char *word = NULL, *plain = NULL, sep = 0;
                size_t before = strlen(p);

                if (unit_extract_word(&p, " \t\n:", &word, &sep) < 0)
                        break;
                fuzz_assert(strlen(word) <= before);
                fuzz_assert(p || sep == '\0');
                fuzz_assert(!p || (sep != '\0' && strchr(" \t\n:", sep)));
                if (unit_unescape_specifiers(word, &plain) == 0) {
                        fuzz_assert(strlen(plain) <= strlen(word));
                        free(plain);
                }
                free(word);
        }
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_fclose_ FILE *f = NULL;
        State st = {};

        fuzz_setup();
        if (size == 0)
                f = fopen("/dev/null", "re");
        else
                f = fmemopen((void *) data, size, "r");
        if (!f)
                return 0;

        (void) unit_file_parse(f, "fuzz.service", on_assignment, &st);
        return 0;
}
