/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Reading nixpkgs closureInfo outputs: a directory holding
 * "store-paths" (every path of the closure, one a line) and
 * "registration" (nix-store --dump-db), read into a reference graph
 * (ref-graph.h). Reading is linear in paths plus references. */

#include "diag.h"
#include "path-list.h"
#include "ref-graph.h"
#include "root.h"

#define CLOSURE_STORE_PATHS "store-paths"
#define REGISTRATION_FILE "registration"

/* One closureInfo directory to read: under which root, and for whom (d:
 * its spec names the messages, with the key "closureInfo"; the first
 * problem is kept there). */
typedef struct ClosureSource {
        Root *root;
        const char *dir; /* the closureInfo directory, under root */
        Diag *d;
} ClosureSource;

/* Opens dir/file_name for reading: only a regular file that no
 * unprivileged user could change (path-trust.h). *ret_name is the file's
 * name for later messages. */
int closure_file_open(const ClosureSource *s, const char *file_name, char **ret_name, FILE **ret);

/* Appends the paths listed in dir/store-paths to paths. */
int closure_read_store_paths(const ClosureSource *s, PathList *paths);
/* Reads dir/registration into a new graph. */
int registration_read(const ClosureSource *s, RefGraph **ret);

/* The same from a stream already open; name (the file) and d's spec name
 * it in messages, with the line. */
int closure_parse_store_paths(FILE *f, const char *name, PathList *paths, Diag *d);
int registration_parse(FILE *f, const char *name, RefGraph **ret, Diag *d);
