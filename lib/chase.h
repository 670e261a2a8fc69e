/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Resolves every symlink in path as the booted system would see it, with
 * root (NULL or "/" for none) as "/": absolute link targets and ".." stay
 * inside root. Returns the resolved path without the root prefix.
 * -ENOENT (or another lstat error) for a missing component, -ELOOP after
 * CHASE_MAX_LINKS links, -ENOTDIR for a file used as a directory. */

#define CHASE_MAX_LINKS 40

int chase_under_root(const char *root, const char *path, char **ret_resolved);
