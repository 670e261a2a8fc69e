/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "root.h"

#define CHASE_MAX_LINKS 40

/* Resolves every symlink in path as the booted system would see it, with
 * root's directory as "/": absolute link targets and ".." stay inside it.
 * Returns the resolved path without the root prefix. -ENOENT (or another
 * lstat error) for a missing component, -ELOOP after CHASE_MAX_LINKS
 * links, -ENOTDIR for a file used as a directory. Directories are looked
 * at through root (root.h). */
int chase_under_root(Root *root, const char *path, char **ret_resolved);
