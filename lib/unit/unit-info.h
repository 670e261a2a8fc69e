/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What the generator needs to know of the unit it confines, read from the
 * unit's files the way systemd finds them: the unit file in the unit
 * search path (or its template's, for an instance), then its drop-ins in
 * every directory, in systemd's order. Specifiers stay as written. */

#include <stdbool.h>

#include "path-list.h"
#include "root.h"
#include "unit-lookup.h"
#include "unit-search-path.h"

/* The settings of a confinement mode that stay the unit's to choose, as
 * in NixOS's module (mkDefault there): the unit's own value stands. */
typedef enum ModeSetting {
        MODE_SETTING_MOUNT_API_VFS,
        MODE_SETTING_PRIVATE_DEVICES,
        MODE_SETTING_PRIVATE_TMP,
        MODE_SETTING_PRIVATE_USERS,
        MODE_SETTING_PROTECT_CONTROL_GROUPS,
        MODE_SETTING_PROTECT_KERNEL_MODULES,
        MODE_SETTING_PROTECT_KERNEL_TUNABLES,
        _MODE_SETTING_MAX,
} ModeSetting;

const char *mode_setting_to_string(ModeSetting s);

typedef struct UnitInfo {
        bool found;               /* a unit file exists and is not masked */
        PathList names;           /* every name systemd loads it under: the unit, its aliases */
        PathList files;           /* in the order systemd applies them */
        PathList exec_store_paths; /* named in the Exec*= settings in effect */
        PathList all_store_paths; /* named in any setting */
        char *root_directory, *root_directory_file;
        char *root_image, *root_image_file;
        char *root_directory_start_only_file; /* set when RootDirectoryStartOnly=yes */
        int private_tmp;          /* -1: not set */
        char *mode_settings[_MODE_SETTING_MAX]; /* the unit's own values, NULL: not set */
        /* "FILE:LINE: SETTING=VALUE" of the first command in effect that runs
         * with full privileges ("+" prefix), NULL when none does. */
        char *full_privilege_command;
        /* "FILE: SETTING=" of a drop-in that sorts after the generator's and
         * resets a setting the confinement is made of; NULL when none does. */
        char *confinement_reset;
        /* A drop-in outside the generator directories named as the
         * generator's, which would take its place; NULL when none is. */
        char *dropin_shadow_file;
        char *user;               /* User= as written, NULL: not set */
        bool dynamic_user;        /* DynamicUser=yes */
        bool forking;             /* Type=forking */
        bool sets_capabilities;   /* CapabilityBoundingSet= or AmbientCapabilities= */
        PathList service_keys;    /* every [Service] setting it assigns, sorted */
} UnitInfo;

void unit_info_done(UnitInfo *u);

/* Reads unit from the search path: its files (unit-lookup.h), then its
 * settings from them (unit-settings.h). A missing unit is not an error:
 * found stays false. */
int unit_info_load(UnitLookup *l, const char *unit, const char *store_dir, UnitInfo *ret);
