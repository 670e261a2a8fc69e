/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The file system one run looks at: the directory that stands for "/" of
 * the system that boots (path; NULL or "/" for the host's own), and what
 * the run has learned about its directories. Every reader in lib/ takes
 * one; whoever runs (the generator's run, a confinementctl verb) makes one
 * per run and everything else borrows it, so that the root is held once.
 *
 * Cost: the lstat() of each directory met is kept, by its path under the
 * root, so that the directories every file lies in (the root's /nix/store,
 * /etc, …) are looked at once per run, not once per file. Only
 * directories: what a link points to is read each time. This assumes that
 * the directories do not change while the Root is in use (one run); drop
 * what was learned with root_done() when they may have. */

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "path-index.h"

typedef struct Root {
        const char *path;   /* borrowed; NULL or "/" for none */
        bool trust_all;     /* path-trust.h: files count as trusted (confinementctl --no-trust-check) */
        PathIndex dirs;     /* the directories met, by path under the root */
        struct stat *stats; /* by number in dirs */
        size_t allocated;
} Root;

/* Forgets what was learned; path and trust_all stay. */
void root_done(Root *r);

/* Whether r stands for the host's own "/". */
bool root_is_host(const Root *r);

/* path (absolute, under the root) as a path on the host; NULL for ENOMEM. */
char *root_prefix(const Root *r, const char *path);

/* lstat() of path under the root; full is root_prefix(r, path), which
 * callers that need it anyway pass in. */
int root_lstat(Root *r, const char *path, const char *full, struct stat *ret);
