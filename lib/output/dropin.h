/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Rendering what the generator writes: the drop-in of a confined unit,
 * the drop-in that keeps a unit with a bad spec from starting, and the
 * mount unit of a store view. */

#include <stdio.h>

#include "confinement.h"
#include "dropin-name.h"

/* Asserted by the fail-closed drop-in; nothing ever creates it. */
#define FAIL_CLOSED_PATH "/run/confinement-generator/invalid-spec"
/* The fail-closed drop-in's reason while the generator writes a unit's
 * confinement: it stays if a write fails. */
#define GENERATOR_UNFINISHED \
        "confinement-generator could not write all of the confinement (a full /run?); run systemctl daemon-reload"

/* c's drop-in; with bindMethod "overlay", as the generator writes it when
 * c's is the only closure confined in its store (its generation's alone). */
int dropin_render(const Confinement *c, FILE *f);

/* Where c's closure is in the overlay: its directory (ID, n_paths names,
 * as closure_layer_of() gave them, which costs a hash of every name) in
 * generation gen (layer-generation.h). */
typedef struct DropinLayer {
        const char *gen;
        const char *id;
        size_t n_paths;
} DropinLayer;

/* The same with c's layer (NULL: c has no overlay). */
int dropin_render_with_layer(const Confinement *c, const DropinLayer *layer, FILE *f);
int dropin_render_fail_closed(const char *spec_file, const char *reason, FILE *f);
int store_view_mount_render(const char *store_dir, FILE *f);
/* GUARD_DROPIN_NAME for unit, whose spec is spec_file. */
int dropin_render_guard(const char *unit, const char *spec_file, FILE *f);

/* What a renderer writes, in memory: a failed render gives nothing, so
 * that nothing half-rendered is ever written. ret_size may be NULL. */
typedef int (*Renderer)(FILE *f, const void *userdata);
int render_to_string(Renderer render, const void *userdata, char **ret, size_t *ret_size);

/* The mount unit's file name for a store directory's view. */
char *store_view_mount_name(const char *store_dir);
