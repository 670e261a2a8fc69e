/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What one service will see: a spec resolved against the file system into
 * the list of bind mounts its drop-in gets. */

#include "diag.h"
#include "spec.h"

/* Where the read-only view of a store directory is mounted on the host:
 * STORE_VIEW_DIR + store directory, e.g. /run/confinement-view/nix/store. */
#define STORE_VIEW_DIR "/run/confinement-view"

typedef enum BindKind {
        BIND_FROM_VIEW, /* BindPaths= from the read-only view: read-only, linear */
        BIND_READ_ONLY, /* BindReadOnlyPaths= */
        BIND_WRITABLE,  /* BindPaths= */
} BindKind;

typedef struct Bind {
        BindKind kind;
        char *source; /* as the booted system names it */
        char *target;
        bool optional;
} Bind;

typedef struct Confinement {
        char *unit;
        char *spec_file;
        ConfinementMode mode;
        char *store_dir;
        char *view_dir; /* NULL when no bind uses the view */
        Bind *binds;    /* sorted by target, no duplicates */
        size_t n_binds;
        size_t n_closure_paths;
} Confinement;

Confinement *confinement_free(Confinement *c);
static inline void confinement_freep(Confinement **c) {
        confinement_free(*c);
}
#define _cleanup_confinement_ _cleanup_(confinement_freep)

char *store_view_path(const char *store_dir);

/* Reads the closure, resolves symlinks and checks every path under root
 * (NULL or "/" for none). Every problem is logged with the spec file and
 * key and kept in d. */
int confinement_build(const char *root, const char *unit, const Spec *spec, Confinement **ret, Diag *d);
