/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Everything needed to turn spec files into confinements, shared across
 * the specs of a run: the run's root (borrowed), the unit search path and
 * what it holds, the closureInfo and store caches. The generator and
 * confinementctl resolve specs the same way through it. */

#include "closure-cache.h"
#include "confinement.h"
#include "spec-dirs.h"
#include "spec-entry.h"
#include "unit-info.h"

typedef struct Resolver {
        char **search_path;      /* the unit search path */
        char *search_path_doubt; /* why search_path may not be systemd's; NULL when it is */
        UnitLookup units;        /* what search_path holds, under the root */
        ClosureCache cache;      /* the closureInfos and store entries, under the root */
        /* The systemd the units are for (systemd-version.h), 0: unknown;
         * every confinement of the run gets it. */
        unsigned systemd_version;
} Resolver;

/* root: the run's, borrowed (root.h). dirs: where the generators write, as
 * systemd passed them (NULL: the defaults, also right under a root). When
 * the unit search path cannot be established, every spec fails closed with
 * the reason. The systemd version is probed here (systemd_version_probe());
 * a caller that knows better may set it before the first spec. */
int resolver_init(Resolver *r, Root *root, const GeneratorDirs *dirs);
/* Replaces the search path by path (taken over): directories named by the
 * user, about which there is no doubt. */
void resolver_set_search_path(Resolver *r, char **path);
/* Before each spec of a run: how many are left, this one included. */
void resolver_next_spec(Resolver *r, size_t specs_left);
void resolver_done(Resolver *r);

/* Loads the spec of e, reads its unit and resolves both. On failure d
 * says why (also for an untrusted spec). */
int resolver_resolve(Resolver *r, const SpecEntry *e, const char *unit, Confinement **ret, Diag *d);
