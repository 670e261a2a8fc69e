/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The generator binary's layer mode (closure-layer.h says what the layer
 * is): what confinement-layer-ID.service runs at start and stop. It runs
 * as root at unit start, not at generation: it reads the store, builds the
 * layer with trusted.overlay.* attributes and mounts the overlay. */

#include <stdbool.h>
#include <stddef.h>

/* Builds the layer of names (each a store path's name, no "/") in dir_fd:
 * dir_fd/STORE-NAME. *ret_has_file: a regular file is among them. */
int closure_layer_build(int store_fd, const char *store_name, int dir_fd, const char *const *names, size_t n,
                        bool *ret_has_file);

/* "lowerdir=LAYER:STORE-PARENT,redirect_dir=follow[,metacopy=on]" */
int closure_layer_mount_options(const char *layer, const char *store_parent, bool metacopy, char **ret);

/* The layer mode: "start STORE-DIR LIST DIR" builds DIR/layer and mounts
 * DIR/root over it; "stop DIR" unmounts and removes DIR. */
int closure_layer_run(int argc, char *argv[]);
