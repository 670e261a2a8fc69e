/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

/* Writes content to dirfd/name under a temporary name, then renames it
 * into place: a reader sees the old file or the new one, never half of
 * one. The file is synced before the rename and the directory after
 * it, so that a crash leaves the old file or the new one too. Nothing is
 * opened through a symlink. */
int write_file_atomic_at(int dirfd, const char *name, const char *content, size_t size);

/* Creates (if needed) and opens the directory dirfd/name, refusing a
 * symlink there, so that nothing is written outside dirfd. */
int open_subdirectory_at(int dirfd, const char *name);
