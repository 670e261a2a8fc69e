/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* bindMethod "overlay", one mount for every closure of a run (issue 24).
 *
 * A generation is what one generator run writes for one store directory:
 * every distinct closure of the services confined there. Its ID is a hash
 * of the store directory and of each closure's ID and list of names, so
 * that a changed closure anywhere is another generation after a
 * daemon-reload. The generator writes
 *
 *   confinement-layer@.service          the template, the same every run
 *   confinement-layer/GEN/store-dir     the store directory, one line
 *   confinement-layer/GEN/ID            each closure's names, one a line
 *   confinement-layer@GEN.service.d/generation.conf
 *                                       RequiresMountsFor= the store
 *
 * and each service's drop-in Requires= and starts After=
 * confinement-layer@GEN.service. It mounts a tmpfs of its own at
 * CLOSURE_LAYER_DIR/GEN, builds its layer (one opaque directory a
 * closure, closure-layer.h) in it and mounts
 *
 *   overlay CLOSURE_LAYER_DIR/GEN/root  ro,lowerdir=LAYER:STORE-DIR
 *
 * A service binds CLOSURE_LAYER_DIR/GEN/root/ID, of the generation it
 * Requires= and of no other, at the store directory. PID 1's mount table
 * holds two mounts per store directory whatever the number of closures;
 * the store directory itself is the lower layer, so a store directly
 * under / or on a file system of its own works too. A closure whose layer
 * cannot be built (a store path gone) is left out, logged: the services
 * that bind it fail to start, the others start.
 *
 * StopWhenUnneeded=yes: once no unit needs it (a daemon-reload made
 * another generation the services' one, or its services stopped), its
 * ExecStop detaches (MNT_DETACH) the overlay and the tmpfs. Nothing is
 * deleted: a service still running on it keeps both alive in its own
 * namespace, and the kernel frees them when the last one stops. A
 * generation left active longer (systemd rate-limits stops of unneeded
 * units) serves nobody new: no drop-in names it any more. */

#include <stdio.h>

#include "closure-layer.h"

#define LAYER_GENERATION_TEMPLATE "confinement-layer@.service"
#define LAYER_GENERATION_STORE_FILE "store-dir"
#define LAYER_GENERATION_DROPIN "generation.conf"

/* One closure of a generation: its ID and its names as
 * closure_layer_list() wrote them. */
typedef struct LayerClosure {
        const char *id;
        const char *list;
} LayerClosure;

/* The ID of the generation of these closures (any order) in store_dir. */
int layer_generation_id(const char *store_dir, const LayerClosure *closures, size_t n,
                        char ret[CLOSURE_LAYER_ID_MAX]);

/* confinement-layer@GEN.service */
int layer_generation_unit_name(const char *gen, char **ret);

/* The template. helper: the generator binary; lists_dir: where the
 * generator wrote confinement-layer/. */
int layer_generation_template_render(const char *helper, const char *lists_dir, FILE *f);

typedef struct LayerGeneration {
        const char *id;
        const char *store_dir;
        size_t n_services; /* that Requires= it */
        size_t n_closures;
} LayerGeneration;

/* confinement-layer@GEN.service.d/generation.conf */
int layer_generation_dropin_render(const LayerGeneration *g, FILE *f);
