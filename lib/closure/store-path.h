/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Store paths named in text: STORE_DIR/NAME, where NAME is made of the
 * characters Nix allows in store path names. */

#include "path-list.h"

/* "/nix/store/abc-foo/bin/foo" -> "/nix/store/abc-foo"; -EINVAL when path
 * is not at or below a store path of store_dir. */
int store_path_of(const char *path, const char *store_dir, char **ret);

/* Appends every store path of store_dir named anywhere in text. */
int store_paths_extract(const char *text, const char *store_dir, PathList *out);
