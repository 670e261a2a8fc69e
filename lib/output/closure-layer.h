/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* bindMethod "overlay": each closure as one directory of a read-only
 * overlayfs mount that serves every closure of a generator run
 * (layer-generation.h says how it is mounted and collected).
 *
 * Per distinct closure the generator writes the closure's store path
 * names (one a line) under the generation's directory. The generation's
 * unit runs the generator binary in its layer mode, which builds, on a
 * tmpfs of its own, one directory LAYER/ID per closure and mounts
 *
 *   overlay CLOSURE_LAYER_DIR/GEN/root  ro,lowerdir=LAYER:STORE-DIR,
 *                                       redirect_dir=follow[,metacopy=on]
 *
 * whose ID/ holds exactly the closure's paths, read from the store. Each
 * service with that closure binds it at the store directory with one
 * BindReadOnlyPaths=: its mount table stays a few dozen lines whatever
 * the closure's size.
 *
 * LAYER/ID, per store path NAME (lstat of STORE-DIR/NAME):
 *   directory     a directory with trusted.overlay.redirect=/NAME
 *                 and the store path's mode, owner and times
 *   regular file  a sparse file of its size, mode, owner and times with
 *                 trusted.overlay.metacopy and the redirect (metacopy=on)
 *   symlink       a copy of the symlink
 * LAYER/ID has trusted.overlay.opaque=y and the store directory's mode,
 * owner and times: nothing else of the store shows, neither paths
 * outside the closure nor paths added later. A redirect is looked up in
 * the layers below, here the store directory itself: no mount is crossed,
 * a store directly under / or on a file system of its own works.
 * trusted.* attributes need CAP_SYS_ADMIN to set; the layer is root's
 * (mode 0700 above it). Kernel features: redirect_dir (4.10), metacopy
 * (4.19); without them the mount fails, the unit fails and so does every
 * service that Requires= it: never an unconfined start. */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "confinement.h"
#include "sha256.h"

#define CLOSURE_LAYER_DIR "/run/confinement-layer"
/* The generator binary's first argument in its layer mode. */
#define CLOSURE_LAYER_MODE "--closure-layer"
/* In the generator's output directory: a directory per generation. */
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

/* A service's drop-in: the Requires= and After= of the unit that mounts
 * generation gen, and its one bind of the closure's directory in it at
 * the store directory. */
int closure_layer_dropin_unit(const char *gen, FILE *f);
int closure_layer_dropin_bind(const char *gen, const char *id, const char *store_dir, size_t n_paths, FILE *f);

/* The list of names as the generator writes it, one a line, in a new
 * string (NULL: out of memory). */
char *closure_layer_list(const char *const *names, size_t n);

/* Whether a and b (drop-ins, bind sources) are the same but for the
 * generation they name ("confinement-layer@GEN", CLOSURE_LAYER_DIR "/GEN"):
 * a generation's ID is a hash of every closure of its run, so another
 * closure anywhere changes it, while the closure's directory ID, the same
 * in either, shows the same paths. A unit whose drop-in differs only so
 * is confined as before. */
bool closure_layer_same_but_generation(const char *a, const char *b);

/* The source of the service's one bind: CLOSURE_LAYER_DIR/GEN/root/ID,
 * in the generation the service Requires=, never another. */
int closure_layer_source(const char *gen, const char *id, char **ret);
