/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Every path path_check_safe() accepts, written into a unit file as the
 * generator writes it, reads back as the same path:
 *  - as a word of a list setting (unit_escape_word(): BindPaths=,
 *    RequiresMountsFor=), also as "SOURCE:TARGET" and with the "-" of an
 *    optional bind, read back with unit_file_parse(), unit_extract_word()
 *    and unit_unescape_specifiers(), in that order, as systemd does;
 *  - as a whole value (unit_escape_specifiers(): RootDirectory=,
 *    AssertPathExists=), read back with unit_file_parse() and
 *    unit_unescape_specifiers().
 * And the escaped text has no line break and no lone "%". */

#include <string.h>

#include "fuzz.h"
#include "path-util.h"
#include "unit-escape.h"
#include "unit-file.h"

#define WORD_SEPARATORS ":" " \t\n"

typedef struct Found {
        const char *key;
        char *value;
        size_t n;
} Found;

static int on_assignment(const char *section, const char *key, const char *value, unsigned line, void *userdata) {
        Found *found = userdata;

        if (strcmp(section, "Service") == 0 && strcmp(key, found->key) == 0) {
                found->n++;
                free(found->value);
                found->value = strdup(value);
                fuzz_assert(found->value);
        }
        return 0;
}

/* The value of key as unit_file_parse() reads text back; NULL when it
 * does not, or not exactly once. */
static char *read_back(const char *text, const char *key) {
        Found found = { .key = key };
        FILE *f = fmemopen((void *) text, strlen(text), "r");
        int r;

        fuzz_assert(f);
        r = unit_file_parse(f, "fuzz.service", on_assignment, &found);
        fclose(f);
        if (r < 0 || found.n != 1) {
                fprintf(stderr, "unit_file_parse() of \"%s\": %d, %zu assignments of %s=\n", text, r, found.n, key);
                free(found.value);
                return NULL;
        }
        return found.value;
}

static void check_escaped_text(const char *e) {
        fuzz_assert(!strpbrk(e, "\n\r"));
        for (const char *p = e; *p; p++)
                if (*p == '%') {
                        fuzz_assert(p[1] == '%');
                        p++;
                }
}

/* The next word of *p as systemd reads a BindPaths= word; NULL when it
 * cannot be read. */
static char *next_word(const char **p, char *ret_separator) {
        _cleanup_free_ char *word = NULL;
        char *plain = NULL;

        if (!*p || unit_extract_word(p, WORD_SEPARATORS, &word, ret_separator) < 0)
                return NULL;
        if (unit_unescape_specifiers(word, &plain) < 0)
                return NULL;
        return plain;
}

#define fuzz_assert_same(got, path)                                                                   \
        do {                                                                                          \
                if (!(got) || strcmp((got), (path)) != 0) {                                           \
                        fprintf(stderr, "round trip of \"%s\" gave \"%s\"\n", (path), strempty(got)); \
                        fuzz_assert(!"round trip");                                                   \
                }                                                                                     \
        } while (0)

static void roundtrip_word(const char *path) {
        _cleanup_free_ char *e = NULL, *text = NULL, *value = NULL, *first = NULL, *second = NULL;
        const char *p;
        char sep = 1;

        e = unit_escape_word(path);
        fuzz_assert(e);
        check_escaped_text(e);

        /* BindPaths=PATH */
        fuzz_assert(asprintf(&text, "[Service]\nBindPaths=%s\n", e) >= 0);
        value = read_back(text, "BindPaths");
        fuzz_assert_same(value, e);
        p = value;
        first = next_word(&p, &sep);
        fuzz_assert_same(first, path);
        fuzz_assert(sep == '\0' && !p);

        /* BindPaths=-PATH:PATH, as an optional bind with a target. */
        free(text), free(value), free(first);
        text = value = first = NULL;
        fuzz_assert(asprintf(&text, "[Service]\nBindPaths=-%s:%s\n", e, e) >= 0);
        value = read_back(text, "BindPaths");
        fuzz_assert(value && value[0] == '-');
        p = value + 1;
        first = next_word(&p, &sep);
        fuzz_assert_same(first, path);
        fuzz_assert(sep == ':');
        second = next_word(&p, &sep);
        fuzz_assert_same(second, path);
        fuzz_assert(sep == '\0' && !p);
}

static void roundtrip_whole(const char *path) {
        _cleanup_free_ char *e = NULL, *text = NULL, *value = NULL, *plain = NULL;

        e = unit_escape_specifiers(path);
        fuzz_assert(e);
        check_escaped_text(e);

        fuzz_assert(asprintf(&text, "[Service]\nRootDirectory=%s\n", e) >= 0);
        value = read_back(text, "RootDirectory");
        fuzz_assert_same(value, e);
        fuzz_assert(unit_unescape_specifiers(value, &plain) == 0);
        fuzz_assert_same(plain, path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_free_ char *path = NULL;

        fuzz_setup();
        if (size > 8192 || memchr(data, '\0', size))
                return 0;
        path = strndup((const char *) data, size);
        if (!path || path_check_safe(path, NULL) < 0)
                return 0;

        roundtrip_word(path);
        roundtrip_whole(path);
        return 0;
}
