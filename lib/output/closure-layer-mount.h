/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The generator binary's layer mode (closure-layer.h says what the layer
 * is, layer-generation.h how a generation is mounted and collected): what
 * confinement-layer@GEN.service runs at start and stop. It runs as root at
 * unit start, not at generation: it reads the store, builds the layer with
 * trusted.overlay.* attributes on a tmpfs of its own and mounts the
 * overlay. */

#include <stdbool.h>
#include <stddef.h>

/* Builds the layer of names (each a store path's name, no "/") in dir_fd:
 * dir_fd/id, opaque, with the attributes of the store directory.
 * *ret_has_file: a regular file is among them. */
int closure_layer_build(int store_fd, const char *id, int dir_fd, const char *const *names, size_t n,
                        bool *ret_has_file);

/* "lowerdir=LAYER:STORE-DIR,redirect_dir=follow[,metacopy=on]" */
int closure_layer_mount_options(const char *layer, const char *store_dir, bool metacopy, char **ret);

/* The layer mode: "start LISTS DIR" mounts a tmpfs at DIR, builds
 * DIR/layer of every closure in LISTS (a generation's directory) and
 * mounts DIR/root over it; "stop DIR" detaches both, deleting nothing. */
int closure_layer_run(int argc, char *argv[]);
