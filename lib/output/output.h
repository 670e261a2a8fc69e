/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What is written for one spec entry, decided in one place: the generator
 * writes these files, confinementctl cat shows them, reload and verify
 * compare them with what is on disk. Nothing here writes.
 *
 * Per entry, in this order (paths relative to the output directory):
 *   UNIT.d/50-confinement.conf        the drop-in: confining, or fail-closed
 *   run-confinement\x2dview-*.mount   the store's view (bindMethod "view")
 *   confinement-layer@.service        the template of the units that mount
 *                                     a generation's overlay (bindMethod
 *                                     "overlay", layer-generation.h)
 * and nothing for a masked entry or a file name that names no service. A
 * file shared by several entries (a layer, a view) is returned for each:
 * whoever writes skips the paths written already.
 *
 * Two passes: output_entry() resolves each entry of the run in order,
 * output_finish() then knows every closure of each store directory, so
 * each generation, renders the drop-ins that name theirs and the
 * generations' own files (their lists, their drop-ins). */

#include <stdbool.h>
#include <stddef.h>

#include "closure-layer.h"
#include "confinement.h"
#include "resolver.h"
#include "spec-dirs.h"

typedef enum EntryState {
        ENTRY_VALID,   /* the unit is confined */
        ENTRY_INVALID, /* refused: the fail-closed drop-in keeps the unit from starting */
        ENTRY_MASKED,  /* nothing generated */
        ENTRY_IGNORED, /* no service unit name: skipped */
        _ENTRY_STATE_MAX,
} EntryState;

typedef struct OutputFile {
        char *path; /* relative to the output directory */
        char *text;
        size_t size;
} OutputFile;

typedef struct EntryOutput {
        const SpecEntry *entry;   /* borrowed */
        char *unit;               /* the unit the file name confines; NULL when ignored */
        EntryState state;
        Confinement *confinement; /* ENTRY_VALID */
        /* ENTRY_INVALID: the first reason (NULL: none was kept; the drop-in
         * then says why generically); ENTRY_IGNORED: why the file name
         * names no service unit. */
        char *reason;
        char layer_id[CLOSURE_LAYER_ID_MAX]; /* "" when the closure has no overlay */
        char gen_id[CLOSURE_LAYER_ID_MAX];   /* its generation's, after output_finish() */
        size_t n_layer_paths;
        OutputFile *files;
        size_t n_files, allocated_files;
} EntryOutput;

void entry_output_done(EntryOutput *o);

typedef struct OutputLayer {
        char id[CLOSURE_LAYER_ID_MAX];
        char *list;      /* its names, one a line */
        char *store_dir;
} OutputLayer;

/* What the entries of one run share: closures with the same layer ID must
 * be the same closure, or the later one is refused (the ID is a hash). */
typedef struct Output {
        Resolver *resolver; /* the run's, borrowed */
        const char *dir;    /* the output directory, as the layer units name their lists */
        const char *helper; /* the generator binary, which the layer units run */
        OutputLayer *layers;
        size_t n_layers, allocated_layers;
} Output;

#define OUTPUT_INIT(r, d, h) ((Output) { .resolver = (r), .dir = (d), .helper = (h) })

/* Forgets the layers; resolver, dir and helper stay. */
void output_done(Output *o);

/* Resolves e (masked, untrusted and badly named entries included) and
 * renders what is written for it into *ret, in the order above, except
 * the drop-in of a closure in the overlay: output_finish() adds it. A
 * spec that cannot be honoured is not an error: ENTRY_INVALID with the
 * fail-closed drop-in. Entries must come in the run's order (the first of
 * two colliding layer IDs wins). Returns 0, or -ENOMEM (not logged). */
int output_entry(Output *o, const SpecEntry *e, EntryOutput *ret);

/* Turns o into a refusal: its files are dropped and replaced by the
 * fail-closed drop-in with reason (o->entry's file named in it), for a
 * unit whose confinement cannot be written whole. 0 or -ENOMEM. */
int entry_output_refuse(EntryOutput *o, const char *reason);

/* The file of o at path, NULL when none; the drop-in's path. */
const OutputFile *entry_output_find(const EntryOutput *o, const char *path);
const OutputFile *entry_output_dropin(const EntryOutput *o);

/* The template of the generation units alone, for a run with no closure
 * in an overlay while a generation of an earlier run may still be mounted:
 * with it, that instance loads again after the daemon-reload and stops as
 * unneeded (detaching its mounts) instead of staying "not-found" and
 * mounted. *ret is the caller's to free (path and text). 0 or -ENOMEM. */
int output_template(const Output *o, OutputFile *ret);

/* One store directory's generation, after every entry of the run: */
typedef struct OutputGeneration {
        char id[CLOSURE_LAYER_ID_MAX];
        char *unit;        /* confinement-layer@ID.service */
        size_t n_services; /* that Requires= it */
        OutputFile *files; /* confinement-layer/ID/{store-dir,CLOSURE...}, its drop-in */
        size_t n_files, allocated_files;
} OutputGeneration;

void output_generation_done(OutputGeneration *g);

/* After output_entry() of every entry of the run, in its order: the
 * generations of o's layers, one per store directory sorted by it, into
 * *ret (NULL: not wanted), and the drop-ins of the entries in them. Then
 * every entry that is not masked or ignored has its drop-in first.
 * 0 or -ENOMEM. */
int output_finish(const Output *o, EntryOutput *entries, size_t n, OutputGeneration **ret, size_t *ret_n);
