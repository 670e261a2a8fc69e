/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The spec directories, searched like systemd's own *.d configuration:
 * earlier directories win by file name, and an empty file or a symlink to
 * /dev/null masks the file of that name in every later directory. */

#include <stdbool.h>
#include <stddef.h>

#include "path-list.h"
#include "root.h"

#define SPEC_SUFFIX ".json"

extern const char *const spec_dirs[];

typedef struct SpecEntry {
        char *name; /* "foo.service.json" */
        char *path; /* the winning file, as the booted system names it */
        bool masked;
        char *distrust; /* why the file or its directory cannot be trusted; NULL when it can */
        PathList shadowed; /* files of the same name in later directories, overridden or masked */
} SpecEntry;

typedef struct SpecEntries {
        SpecEntry *entries;
        size_t n, allocated;
} SpecEntries;

void spec_entries_done(SpecEntries *e);

/* Lists every *.json name in the spec directories under root, sorted by
 * name, each with the file that wins. Unreadable
 * directories are logged and skipped; a missing one is normal. A
 * directory or mask an unprivileged user could have planted is not
 * skipped: its entries carry the reason, so that their units fail closed. */
int spec_dirs_enumerate(Root *root, SpecEntries *ret);
