/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "path-util.h"

size_t utf8_sequence_length(const unsigned char *s) {
        size_t len;
        unsigned cp;

        if (s[0] < 0x80)
                return 1;
        if ((s[0] & 0xe0) == 0xc0) {
                len = 2;
                cp = s[0] & 0x1f;
        } else if ((s[0] & 0xf0) == 0xe0) {
                len = 3;
                cp = s[0] & 0x0f;
        } else if ((s[0] & 0xf8) == 0xf0) {
                len = 4;
                cp = s[0] & 0x07;
        } else
                return 0;

        for (size_t i = 1; i < len; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = (cp << 6) | (s[i] & 0x3f);
        }
        /* Overlong forms, surrogates and values past Unicode. */
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
                return 0;
        return len;
}

/* Printable ASCII but "/" and the quotes, which need a closer look. */
static const bool printable[256] = {
        [0x21] = true, [0x23 ... 0x26] = true, [0x28 ... 0x2e] = true, [0x30 ... 0x7e] = true,
};

#define BYTES(c) (0x0101010101010101ULL * (uint64_t) (c))
#define LOW_BITS BYTES(0x7f)
#define HIGH_BITS BYTES(0x80)

/* The high bit of each byte of w that is not printable as above, by
 * exact per-byte arithmetic (no carry crosses a byte: the high bits are
 * taken out first), so that the first such byte can be found at once. */
static uint64_t word_not_printable(uint64_t w) {
        uint64_t u = w & LOW_BITS;
        uint64_t ok = (u + BYTES(0x80 - 0x21))     /* >= 0x21 */
                & ~(u + BYTES(0x80 - 0x7f))         /* < 0x7f */
                & ~w                                /* ASCII */
                & ((u ^ BYTES('"')) + LOW_BITS)     /* != '"' */
                & ((u ^ BYTES('\'')) + LOW_BITS)    /* != '\'' */
                & ((u ^ BYTES('/')) + LOW_BITS);    /* != '/' */
        return ~ok & HIGH_BITS;
}

int path_check_safe(const char *path, const char **reason) {
        const char *why = NULL, *end = NULL;
        size_t component = 0, len;

        if (!path || path[0] != '/')
                why = "not an absolute path";
        else if ((len = strlen(path)) >= PATH_MAX)
                why = "longer than PATH_MAX";
        else if (len > 1 && path[len - 1] == '/')
                why = "ends in \"/\"";
        else if (path[len - 1] == '\\')
                /* Settings that take a whole path do not unescape. */
                why = "ends in a backslash, which a unit file reads as a continued line";
        else if (path[len - 1] == ' ')
                why = "ends in a space, which a unit file drops";
        else
                end = path + len;

        for (const char *p = path; !why && *p;) {
                size_t n;

                /* Printable ASCII other than "/" needs no decoding: skip runs
                 * of it, a word at a time while the string lasts. */
                if (printable[(unsigned char) *p]) {
                        const char *run = p;
                        uint64_t w;

                        for (; end - p >= 8; p += 8) {
                                uint64_t bad;

                                memcpy(&w, p, sizeof w);
                                bad = word_not_printable(w);
                                if (bad != 0) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
                                        p += __builtin_ctzll(bad) / 8;
#else
                                        p += __builtin_clzll(bad) / 8;
#endif
                                        break;
                                }
                        }
                        while (printable[(unsigned char) *p])
                                p++;
                        if ((component += p - run) > NAME_MAX)
                                why = "has a component longer than NAME_MAX";
                        continue;
                }
                if (*p == '/') {
                        if (p[1] == '/')
                                why = "contains \"//\"";
                        else if (p[1] == '.' && (p[2] == '/' || p[2] == '\0'))
                                why = "contains a \".\" component";
                        else if (p[1] == '.' && p[2] == '.' && (p[3] == '/' || p[3] == '\0'))
                                why = "contains a \"..\" component";
                        component = 0;
                        p++;
                        continue;
                }
                n = utf8_sequence_length((const unsigned char *) p);

                if (n == 0) {
                        why = "not valid UTF-8";
                        break;
                }
                if (n == 1 && ((unsigned char) *p < 0x20 || *p == 0x7f)) {
                        why = "contains a control character";
                        break;
                }
                /* systemd 255 and later pass settings to sd-executor
                 * serialized, and quotes do not survive that: a quoted
                 * bind path would start with another path bound. */
                if (*p == '"' || *p == '\'') {
                        why = "contains a quote, which systemd 255 and later do not pass on intact";
                        break;
                }
                if ((component += n) > NAME_MAX)
                        why = "has a component longer than NAME_MAX";
                p += n;
        }

        if (why) {
                if (reason)
                        *reason = why;
                return -EINVAL;
        }
        return 0;
}

const char *path_startswith(const char *path, const char *prefix) {
        size_t n = strlen(prefix);

        if (n == 1 && prefix[0] == '/')
                return path[0] == '/' ? path + 1 : NULL;
        if (strncmp(path, prefix, n) != 0)
                return NULL;
        if (path[n] == '\0')
                return path + n;
        if (path[n] != '/')
                return NULL;
        return path + n + 1;
}

bool path_is_root(const char *root) {
        return !root || root[0] == '\0' || (root[0] == '/' && root[1] == '\0');
}

char *path_prefix_root(const char *root, const char *path) {
        char *s;

        if (path_is_root(root))
                return strdup(path);
        if (asprintf(&s, "%s%s", root, path) < 0)
                return NULL;
        return s;
}
