/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What of a unit's settings matters to its confinement, read from its
 * files in the order systemd applies them: the store paths its Exec*=
 * settings name, its own values of the mode's settings, and what cannot
 * work confined (RootDirectory=, commands with full privileges, a drop-in
 * after the generator's that resets what the confinement is made of).
 * Specifiers stay as written. */

#include "path-list.h"
#include "root.h"
#include "unit-info.h"

/* Reads files (the unit file first, then its drop-ins sorted by name)
 * under root into u; store_dir: which paths are store paths. An
 * unreadable file is logged and skipped. 0 or -ENOMEM. */
int unit_settings_read(Root *root, const PathList *files, const char *store_dir, UnitInfo *u);
