/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* One generator run: every spec in effect under root (NULL or "/" for
 * none) becomes a drop-in in normal_dir, either confining its unit or, when
 * the spec cannot be honoured, keeping the unit from starting. Returns 0
 * when every output was written, else the first write error. Bad specs are
 * not errors of the run: they are logged and fail closed. */
#include "unit-info.h"

/* dirs: the three directories systemd passed (NULL: the defaults); they are
 * where systemd reads generated units from, so part of the unit search
 * path; normal_dir is where the output goes. */
int generator_run(const char *root, const char *normal_dir, const GeneratorDirs *dirs);
