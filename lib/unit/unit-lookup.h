/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "path-list.h"
#include "root.h"

/* The unit search path of a run under its root, and what each directory
 * of it holds, listed once for many units instead of probing every
 * directory for every unit name: most directories are missing or hold
 * none of the units. Assumes the directories do not change while it is in
 * use (one run). */
typedef struct UnitDir UnitDir;
typedef struct UnitLink UnitLink;
typedef struct UnitLookup {
        Root *root;               /* the run's, borrowed */
        char *const *search_path; /* borrowed */
        UnitDir *dirs;            /* by index in the search path */
        size_t n;
        UnitLink *links; /* every symlink in the search path's directories */
        size_t n_links, allocated_links;
        bool links_listed;
        bool probe; /* ask for each name, listing no directory: what listing answers must equal */
} UnitLookup;

#define UNIT_LOOKUP_INIT(r, p) ((UnitLookup) { .root = (r), .search_path = (p) })

/* Forgets what was listed; root and search_path stay. */
void unit_lookup_done(UnitLookup *l);

/* The files of unit: its unit file (or its template's) first, then the
 * drop-ins of every name of the unit, as systemd loads them (the name
 * asked for, the name of the file it resolves to, and every symlink in the
 * search path to that file: aliases, also those "systemctl enable" makes
 * of Alias=), sorted together by file name. Adds the names to names and
 * the files to files; *ret_dropin_shadow: a drop-in outside the generator
 * directories named as the generator's (NULL: none). 1 when the unit
 * exists (a mask counts as missing), 0 when not, or -errno. */
int unit_lookup_find(UnitLookup *l, const char *unit, PathList *names, PathList *files, char **ret_dropin_shadow);
