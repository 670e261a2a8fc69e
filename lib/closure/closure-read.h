/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Reading nixpkgs closureInfo outputs: a directory holding
 * "store-paths" (every path of the closure, one a line) and
 * "registration" (nix-store --dump-db), read into a reference graph
 * (ref-graph.h). Reading is linear in paths plus references. */

#include "chase.h"
#include "diag.h"
#include "path-list.h"
#include "ref-graph.h"

#define CLOSURE_STORE_PATHS "store-paths"
#define REGISTRATION_FILE "registration"

/* Appends the paths listed in root+closure_info/store-paths to paths.
 * spec_file names the spec in messages (with key "closureInfo"). */
int closure_read_store_paths(const char *root, const char *closure_info, const char *spec_file, PathList *paths,
                             Diag *d);

/* Opens closure_info/file_name under root for reading: only a regular
 * file that no unprivileged user could change (path-trust.h). Failures
 * are logged with the spec file and key "closureInfo". *ret_name is the
 * file's name for later messages. */
int closure_file_open(const char *root, const char *closure_info, const char *file_name, const char *spec_file,
                      char **ret_name, FILE **ret, Diag *d);

/* closure_read_store_paths() and closure_file_open() with directories
 * looked at through cache (NULL for none). */
int closure_read_store_paths_cached(ChaseCache *cache, const char *root, const char *closure_info,
                                    const char *spec_file, PathList *paths, Diag *d);
int closure_file_open_cached(ChaseCache *cache, const char *root, const char *closure_info, const char *file_name,
                             const char *spec_file, char **ret_name, FILE **ret, Diag *d);

/* The same, from a stream already open; name is used in messages. */
int closure_parse_store_paths(FILE *f, const char *name, const char *spec_file, PathList *paths, Diag *d);

/* Parses a registration; name (file) and spec_file (with key
 * "closureInfo") name it in messages, with the line. */
int registration_parse(FILE *f, const char *name, const char *spec_file, RefGraph **ret, Diag *d);
int registration_read(const char *root, const char *closure_info, const char *spec_file, RefGraph **ret, Diag *d);
/* The same, with directories looked at through cache (NULL for none). */
int registration_read_cached(ChaseCache *cache, const char *root, const char *closure_info, const char *spec_file,
                             RefGraph **ret, Diag *d);
