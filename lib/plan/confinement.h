/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What one service will see: a spec resolved against the file system into
 * the list of bind mounts its drop-in gets. */

#include "diag.h"
#include "root.h"
#include "spec.h"
#include "string-arena.h"
#include "unit-info.h"

/* Where the read-only view of a store directory is mounted on the host:
 * STORE_VIEW_DIR + store directory, e.g. /run/confinement-view/nix/store. */
#define STORE_VIEW_DIR "/run/confinement-view"

/* closure-cache.h: the plan is given the run's caches, the writer of its
 * drop-in (dropin.h) needs not see them. */
struct ClosureCache;

typedef enum BindKind {
        BIND_FROM_VIEW, /* BindPaths= from the read-only view: read-only, linear */
        BIND_READ_ONLY, /* BindReadOnlyPaths= */
        BIND_WRITABLE,  /* BindPaths= */
        BIND_IN_LAYER,  /* a store path of the closure's overlay (closure-layer.h): no line of its own */
} BindKind;

typedef enum BindOrigin {
        BIND_ORIGIN_CLOSURE, /* a path of the closure */
        BIND_ORIGIN_BIN_SH,  /* binSh, at /bin/sh */
        BIND_ORIGIN_EXTRA,   /* bindReadOnlyPaths or bindPaths */
        BIND_ORIGIN_NEED,    /* a member of a need, or the store path one leads to (needs.h) */
        _BIND_ORIGIN_MAX,
} BindOrigin;

const char *bind_origin_to_string(BindOrigin o);

typedef struct Bind {
        BindKind kind;
        BindOrigin origin;
        char *source; /* as the booted system names it; both in the Confinement's strings */
        char *target;
        bool optional;
        const char *need; /* BIND_ORIGIN_NEED: "need:NAME" (static, needs.h); else NULL */
} Bind;

/* What "confinementctl paths" shows as b's origin: "closure", ...,
 * "need:dns". */
const char *bind_origin_name(const Bind *b);

typedef struct Confinement {
        char *unit;
        char *spec_file;
        ConfinementMode mode;
        char *store_dir;
        char *view_dir; /* NULL when no bind uses the view */
        Bind *binds;    /* sorted by target, no duplicates */
        StringArena strings; /* the binds' paths */
        size_t n_binds;
        size_t n_closure_paths;
        int unit_private_tmp; /* the unit's own PrivateTmp=, -1 when it sets none */
        /* The unit's own values of the mode's settings, which stand (NULL:
         * the mode's value), and what the strict profile of mode full
         * needs to know of its user. */
        char *unit_mode_settings[_MODE_SETTING_MAX];
        bool unit_runs_as_root;       /* no User= (or User=root/0) and no DynamicUser=yes */
        bool unit_sets_capabilities;  /* its own CapabilityBoundingSet= or AmbientCapabilities= */
        PathList unit_keys;           /* the [Service] settings the unit assigns, sorted */
        bool unit_forking;            /* Type=forking */
        /* The systemd the drop-in is for (systemd-version.h), 0: unknown:
         * settings newer than 252 are written only for one that has them. */
        unsigned systemd_version;
} Confinement;

Confinement *confinement_free(Confinement *c);
static inline void confinement_freep(Confinement **c) {
        confinement_free(*c);
}
#define _cleanup_confinement_ _cleanup_(confinement_freep)

char *store_view_path(const char *store_dir);

/* Computes the closure (every path of store-paths, or the closure of the
 * spec's roots in the reference graph), resolves symlinks and checks every
 * path under the cache's root. unit_info (NULL: not read) supplies the
 * unit's roots and what cannot work confined. Every problem is logged with
 * the spec file and key and kept in d. */
int confinement_resolve(struct ClosureCache *cache, const UnitInfo *unit_info, const char *unit, const Spec *spec,
                        Confinement **ret, Diag *d);

/* The same under root with caches of its own, without reading the unit. */
int confinement_build(Root *root, const char *unit, const Spec *spec, Confinement **ret, Diag *d);
