/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <dirent.h>
#include <stdio.h>

#include "chase.h"

/* Opens path under root (symlinks are resolved within it) for reading,
 * only if it is a regular file: a FIFO or a device planted where a spec or
 * closure file is expected must not hang the boot or feed it endless
 * input. -EBADFD when it is no regular file, else -errno of open(). */
int open_regular_file(Root *root, const char *path, FILE **ret);

/* The same for a directory to list. */
int open_directory(Root *root, const char *path, DIR **ret);

/* path (relative to dirfd, or absolute) opened as a directory to list,
 * with O_NOFOLLOW or other flags added; -errno. */
int opendir_at(int dirfd, const char *path, int flags, DIR **ret);
