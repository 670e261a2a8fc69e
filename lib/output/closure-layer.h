/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* bindMethod "overlay": a closure as one read-only overlayfs mount.
 *
 * Per distinct closure the generator writes a oneshot unit,
 * confinement-layer-ID.service, and the closure's store path names (one a
 * line) in its output directory. The unit runs the generator binary in
 * its layer mode, which builds a metadata layer on root's tmpfs under
 * CLOSURE_LAYER_DIR/ID and mounts
 *
 *   overlay CLOSURE_LAYER_DIR/ID/root  ro,lowerdir=LAYER:STORE-PARENT,
 *                                      redirect_dir=follow[,metacopy=on]
 *
 * whose STORE-NAME/ holds exactly the closure's paths, read from the store.
 * Each service with that closure binds ROOT/STORE-NAME at the store
 * directory with one BindReadOnlyPaths= (Requires=, After= the unit): its
 * mount table stays a few dozen lines whatever the closure's size.
 *
 * The layer, per store path NAME (lstat of STORE-DIR/NAME):
 *   directory     a directory with trusted.overlay.redirect=/STORE-NAME/NAME
 *                 and the store path's mode, owner and times
 *   regular file  a sparse file of its size, mode, owner and times with
 *                 trusted.overlay.metacopy and the redirect (metacopy=on)
 *   symlink       a copy of the symlink
 * in LAYER/STORE-NAME, which has trusted.overlay.opaque=y: nothing else
 * of the store shows, neither paths outside the closure nor paths added
 * later. trusted.* attributes need CAP_SYS_ADMIN to set; the layer is
 * root's (mode 0700 above it). Kernel features: redirect_dir (4.10),
 * metacopy (4.19); without them the mount fails, the unit fails and so
 * does every service that Requires= it: never an unconfined start. A
 * store that is a file system of its own (st_dev differs from its
 * parent's) is refused: an overlay layer does not cross mounts. */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "confinement.h"
#include "sha256.h"

#define CLOSURE_LAYER_DIR "/run/confinement-layer"
/* The generator binary's first argument in its layer mode. */
#define CLOSURE_LAYER_MODE "--closure-layer"
/* In the generator's output directory: the names of each closure. */
#define CLOSURE_LAYER_LISTS "confinement-layer"

/* 64 hex digits and a NUL */
#define CLOSURE_LAYER_ID_MAX SHA256_HEX_MAX

/* The ID of a closure: SHA-256 of the store directory and the sorted
 * names. The layer unit's name, so collision-resistant: a layer unit
 * still active from before a daemon-reload is another closure's only if
 * its list is another (the 64-bit FNV-1a before it was not: two closures
 * with one ID were found in minutes, and the second kept the first's
 * overlay across a reload). The generator still compares the lists of
 * closures with the same ID within a run and fails closed on a
 * difference. */
void closure_layer_id(const char *store_dir, const char *const *names, size_t n, char ret[CLOSURE_LAYER_ID_MAX]);

/* The names (after STORE-DIR/) of c's BIND_IN_LAYER binds, sorted, as
 * pointers into c, and the ID of that closure. Returns their number: 0
 * when c has no overlay (another bindMethod). */
int closure_layer_of(const Confinement *c, const char ***ret_names, char ret_id[CLOSURE_LAYER_ID_MAX]);

/* A service's drop-in: the [Unit] section that pulls the unit in, and its
 * one bind of the overlay's store at the store directory. */
int closure_layer_dropin_unit(const char *id, FILE *f);
int closure_layer_dropin_bind(const char *id, const char *store_dir, size_t n_paths, FILE *f);

/* The list of names as the generator writes it: one a line. */
int closure_layer_list_render(const char *const *names, size_t n, FILE *f);

typedef struct ClosureLayerUnit {
        const char *id;
        const char *store_dir;
        const char *list_path; /* the names, as closure_layer_list_render() wrote them */
        const char *helper;    /* the generator binary */
        size_t n_paths;
} ClosureLayerUnit;

/* confinement-layer-ID.service */
int closure_layer_unit_name(const char *id, char **ret);
int closure_layer_unit_render(const ClosureLayerUnit *u, FILE *f);

/* "/nix/store" -> "store": the store directory's last component. */
const char *closure_layer_store_name(const char *store_dir);

/* The source of the service's one bind: CLOSURE_LAYER_DIR/ID/root/STORE-NAME. */
int closure_layer_store_source(const char *id, const char *store_dir, char **ret);
