/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Closures from nixpkgs closureInfo outputs: a directory holding
 * "store-paths" (every path of the closure, one a line) and
 * "registration" (nix-store --dump-db). */

#include "diag.h"
#include "path-list.h"

#define CLOSURE_STORE_PATHS "store-paths"

/* Appends the paths listed in root+closure_info/store-paths to paths.
 * spec_file names the spec in messages (with key "closureInfo"). */
int closure_read_store_paths(const char *root, const char *closure_info, const char *spec_file, PathList *paths,
                             Diag *d);

/* Refuses (-EPERM, logged with the spec file) a closureInfo file that an
 * unprivileged user could change (path-trust.h). */
int closure_file_check_trusted(const char *root, const char *file, const char *spec_file, Diag *d);

/* The same, from a stream already open; name is used in messages. */
int closure_parse_store_paths(FILE *f, const char *name, const char *spec_file, PathList *paths, Diag *d);
