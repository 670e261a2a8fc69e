/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A confinement spec (format version 1): what one JSON file in a
 * confinement.d directory says about one service unit. */

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "needs.h"
#include "root.h"

#define SPEC_FILE_SIZE_MAX ((size_t) 1024 * 1024)
/* A spec nests three levels deep; anything much deeper is not a spec. */
#define SPEC_DEPTH_MAX 16
#define SPEC_DEFAULT_STORE_DIR "/nix/store"

typedef enum ConfinementMode {
        CONFINEMENT_FULL_APIVFS,
        CONFINEMENT_CHROOT_ONLY,
        CONFINEMENT_FULL,
        _CONFINEMENT_MODE_MAX,
} ConfinementMode;

/* How the closure's store paths come into the service (key "bindMethod"). */
typedef enum BindMethod {
        BIND_METHOD_VIEW,      /* one BindPaths= per path, from the read-only view of the store */
        BIND_METHOD_READ_ONLY, /* one BindReadOnlyPaths= per path (NixOS's way) */
        BIND_METHOD_OVERLAY,   /* one read-only overlay of the closure, one bind (closure-layer.h) */
        _BIND_METHOD_MAX,
} BindMethod;

/* The default: start cost independent of the closure's size (docs/one-mount.md). */
#define SPEC_DEFAULT_BIND_METHOD BIND_METHOD_OVERLAY

typedef enum UnitRoots {
        UNIT_ROOTS_NONE, /* the unit's files add no roots */
        UNIT_ROOTS_EXEC, /* store paths named in its Exec*= settings (NixOS's default) */
        UNIT_ROOTS_FULL, /* store paths named anywhere in its files (NixOS's fullUnit) */
        _UNIT_ROOTS_MAX,
} UnitRoots;

typedef struct ExtraBind {
        char *source;
        char *target;
        bool optional;
} ExtraBind;

typedef struct Spec {
        char *file; /* as the booted system names it, for messages */
        ConfinementMode mode;
        char **closure_infos;
        size_t n_closure_infos;
        char *bin_sh; /* NULL: no /bin/sh */
        ExtraBind *bind_read_only;
        size_t n_bind_read_only;
        ExtraBind *bind_writable;
        size_t n_bind_writable;
        char *store_dir;
        BindMethod bind_method;
        char **packages; /* roots: paths in the store */
        size_t n_packages;
        UnitRoots unit_roots;
        /* The unit's "+" commands (ExecStart=+...) run outside the
         * confinement with every privilege: refused unless this is set. */
        bool allow_full_privilege_commands;
        NeedSet needs; /* key "needs" (needs.h) */
} Spec;

const char *confinement_mode_to_string(ConfinementMode m);
const char *bind_method_to_string(BindMethod m);
const char *unit_roots_to_string(UnitRoots r);

/* Whether the closure is that of roots in the reference graph, rather than
 * every path of store-paths. */
bool spec_names_roots(const Spec *s);

Spec *spec_free(Spec *s);
static inline void spec_freep(Spec **s) {
        spec_free(*s);
}
#define _cleanup_spec_ _cleanup_(spec_freep)

/* Parses a spec from memory; file names it in messages. Every problem is
 * logged with file and key, the first kept in d. */
int spec_parse(const char *file, const char *text, size_t size, Spec **ret, Diag *d);

/* Reads and parses file under root: only a regular file no unprivileged
 * user could change (path-trust.h). */
int spec_load(Root *root, const char *file, Spec **ret, Diag *d);
