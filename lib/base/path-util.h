/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Checks that a path can be written into a unit file and read back by
 * systemd unchanged: absolute, normalized (no "//", ".", ".." or trailing
 * "/"), valid UTF-8, no control characters, no quotes (which systemd
 * 255 and later mangle), no trailing backslash (which would continue the
 * line), within PATH_MAX and NAME_MAX.
 * Returns 0, or -EINVAL and a static description in *reason. */
int path_check_safe(const char *path, const char **reason);

/* If path lies at or below prefix (both normalized, absolute), returns the
 * rest ("" when equal, else without leading "/"); NULL otherwise. */
const char *path_startswith(const char *path, const char *prefix);

/* Joins root (NULL or "/" means none) and an absolute path. */
char *path_prefix_root(const char *root, const char *path);

bool path_is_root(const char *root);

/* The length of the UTF-8 character at s, 0 when it is not valid UTF-8
 * (overlong forms and surrogates included). */
size_t utf8_sequence_length(const unsigned char *s);
