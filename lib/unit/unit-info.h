/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What the generator needs to know of the unit it confines, read from the
 * unit's files the way systemd finds them: the unit file in the unit
 * search path (or its template's, for an instance), then its drop-ins in
 * every directory, in systemd's order. Specifiers stay as written. */

#include <stdbool.h>

#include "path-list.h"
#include "root.h"

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
        bool sets_capabilities;   /* CapabilityBoundingSet= or AmbientCapabilities= */
        PathList service_keys;    /* every [Service] setting it assigns, sorted */
} UnitInfo;

void unit_info_done(UnitInfo *u);

void strv_free(char **l);
static inline void strv_freep(char ***l) {
        strv_free(*l);
}

/* Where the system manager's generators write (argv[1] to argv[3]): the
 * unit search path has them as its generator, early and late entries. */
typedef struct GeneratorDirs {
        const char *normal, *early, *late;
} GeneratorDirs;

/* systemd's own: /run/systemd/generator, .early and .late. */
extern const GeneratorDirs generator_dirs_default;

/* The system unit search path, as the system manager builds it
 * (systemd.unit(5)): $SYSTEMD_UNIT_PATH alone when it is set and does not
 * end in ":"; else its entries, then the default path, which only
 * libsystemd knows with the distribution's additions (NixOS adds its own).
 * libsystemd is asked with sd_path_lookup_strv(), but the numbering of
 * SD_PATH_* moved between 252 and 258 (every value after 39): a binary
 * built with 252's headers asking a newer library for the system unit
 * search path gets /etc/systemd/user. So an answer counts only when it
 * holds the entries every system manager has, in their documented order
 * (unit_search_path_plausible()); when the answer to the value of our
 * headers does not, the one value that answers such a path is taken, and
 * when no single value does, *ret_doubt says why the path cannot be
 * established: every spec must then fail closed with that reason. The
 * generator entries are replaced by dirs (NULL: the defaults). */
int unit_search_path(const GeneratorDirs *dirs, char ***ret, char **ret_doubt);

/* The same from its inputs, for tests: env is $SYSTEMD_UNIT_PATH (NULL:
 * unset), library the answers of libsystemd to try in order (NULL ends,
 * a NULL answer is a failed lookup; the first is the value of our
 * headers). */
int unit_search_path_build(const char *env, char **const *library, size_t n_library, const GeneratorDirs *dirs,
                           char ***ret, char **ret_doubt);

/* Whether l has the entries of every system manager's unit search path:
 * /run/systemd/transient, generator.early, /etc/systemd/system,
 * /run/systemd/system, generator and generator.late, in this order, and
 * only absolute entries. */
bool unit_search_path_plausible(char *const *l);

/* The unit search path of a run under its root, and what each directory
 * of it holds, listed once for many units instead of probing every
 * directory for every unit name: most directories are missing or hold
 * none of the units. Assumes the directories do not change while it is in
 * use (one run). */
typedef struct UnitDir UnitDir;
typedef struct UnitLink UnitLink;
typedef struct UnitLookup {
        Root *root;               /* the run's, borrowed */
        char *const *search_path; /* borrowed */
        UnitDir *dirs;            /* by index in the search path */
        size_t n;
        UnitLink *links; /* every symlink in the search path's directories */
        size_t n_links, allocated_links;
        bool links_listed;
        bool probe; /* ask for each name, listing no directory: what listing answers must equal */
} UnitLookup;

#define UNIT_LOOKUP_INIT(r, p) ((UnitLookup) { .root = (r), .search_path = (p) })

/* Forgets what was listed; root and search_path stay. */
void unit_lookup_done(UnitLookup *l);

/* Reads unit from the search path. A missing unit is not an error: found
 * stays false. The drop-ins are those of every name of the unit, as
 * systemd loads them: the name asked for, the name of the file it
 * resolves to, and every symlink in the search path to that file
 * (aliases, also those "systemctl enable" makes of Alias=), sorted
 * together by file name. */
int unit_info_load(UnitLookup *l, const char *unit, const char *store_dir, UnitInfo *ret);
