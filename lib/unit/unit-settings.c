/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "dropin-name.h"
#include "log.h"
#include "read-file.h"
#include "store-path.h"
#include "unit-file.h"
#include "unit-settings.h"

static const char *const exec_settings[] = {
        "ExecCondition", "ExecStart",  "ExecStartPre", "ExecStartPost",
        "ExecReload",    "ExecStop",   "ExecStopPost",
};
#define N_EXEC_SETTINGS ELEMENTSOF(exec_settings)

static const char *const mode_setting_names[_MODE_SETTING_MAX] = {
        [MODE_SETTING_MOUNT_API_VFS] = "MountAPIVFS",
        [MODE_SETTING_PRIVATE_DEVICES] = "PrivateDevices",
        [MODE_SETTING_PRIVATE_TMP] = "PrivateTmp",
        [MODE_SETTING_PRIVATE_USERS] = "PrivateUsers",
        [MODE_SETTING_PROTECT_CONTROL_GROUPS] = "ProtectControlGroups",
        [MODE_SETTING_PROTECT_KERNEL_MODULES] = "ProtectKernelModules",
        [MODE_SETTING_PROTECT_KERNEL_TUNABLES] = "ProtectKernelTunables",
};

const char *mode_setting_to_string(ModeSetting s) {
        return s >= 0 && s < _MODE_SETTING_MAX ? mode_setting_names[s] : NULL;
}

/* The settings the confinement is made of: a drop-in after the generator's
 * that empties one of them undoes the confinement. */
static const char *const structural_settings[] = {
        "RootDirectory", "RootImage", "TemporaryFileSystem", "BindPaths", "BindReadOnlyPaths",
};

typedef struct Collector {
        UnitInfo *info;
        const char *file;
        bool after_ours; /* file is a drop-in that sorts after the generator's */
        const char *store_dir;
        PathList exec_values[N_EXEC_SETTINGS]; /* an empty assignment resets */
        /* "FILE:LINE: KEY=VALUE" of the full-privilege commands of each */
        PathList exec_full_privilege[N_EXEC_SETTINGS];
} Collector;

static void collector_done(Collector *c) {
        for (size_t i = 0; i < N_EXEC_SETTINGS; i++) {
                path_list_done(&c->exec_values[i]);
                path_list_done(&c->exec_full_privilege[i]);
        }
}

/* Whether a command line runs with full privileges: "+" among the
 * prefixes systemd reads before the program ("-", "@", ":", "+", "!", and
 * since 257 "|"). */
static bool command_has_full_privilege(const char *value) {
        for (const char *p = value; *p && strchr("-@:+!|", *p); p++)
                if (*p == '+')
                        return true;
        return false;
}

static int set_value(char **value, const char *v) {
        char *a = NULL;

        if (*v && !(a = strdup(v)))
                return -ENOMEM;
        free(*value);
        *value = a;
        return 0;
}

static int set_string(char **value, char **file, const char *v, const char *f) {
        char *a = NULL, *b = NULL;

        if (*v) {
                a = strdup(v);
                b = strdup(f);
                if (!a || !b) {
                        free(a);
                        free(b);
                        return -ENOMEM;
                }
        }
        free(*value);
        free(*file);
        *value = a;
        *file = b;
        return 0;
}

static int collect_assignment(const char *section, const char *key, const char *value, unsigned line,
                              void *userdata) {
        Collector *c = userdata;
        UnitInfo *u = c->info;
        int r;

        r = store_paths_extract(value, c->store_dir, &u->all_store_paths);
        if (r < 0)
                return r;
        if (!streq(section, "Service"))
                return 0;
        r = path_list_add(&u->service_keys, key);
        if (r < 0)
                return r;

        for (size_t i = 0; i < N_EXEC_SETTINGS; i++)
                if (streq(key, exec_settings[i])) {
                        char *origin;

                        if (*value == '\0') {
                                path_list_done(&c->exec_values[i]);
                                path_list_done(&c->exec_full_privilege[i]);
                                return 0;
                        }
                        if (command_has_full_privilege(value)) {
                                if (asprintf(&origin, "%s:%u: %s=%s", c->file, line, key, value) < 0)
                                        return -ENOMEM;
                                r = path_list_consume(&c->exec_full_privilege[i], origin);
                                if (r < 0)
                                        return r;
                        }
                        return path_list_add(&c->exec_values[i], value);
                }

        for (size_t i = 0; i < ELEMENTSOF(structural_settings); i++)
                if (c->after_ours && *value == '\0' && streq(key, structural_settings[i]) &&
                    !u->confinement_reset) {
                        if (asprintf(&u->confinement_reset, "%s:%u: %s=", c->file, line, key) < 0) {
                                u->confinement_reset = NULL;
                                return -ENOMEM;
                        }
                }

        if (streq(key, "PrivateTmp")) {
                r = unit_parse_boolean(value);
                u->private_tmp = r < 0 ? -1 : r;
        }
        for (ModeSetting s = 0; s < _MODE_SETTING_MAX; s++)
                if (streq(key, mode_setting_names[s]))
                        return set_value(&u->mode_settings[s], value);
        if (streq(key, "User"))
                return set_value(&u->user, value);
        if (streq(key, "Type")) {
                u->forking = streq(value, "forking");
                return 0;
        }
        if (streq(key, "DynamicUser")) {
                u->dynamic_user = unit_parse_boolean(value) > 0;
                return 0;
        }
        if (streq(key, "CapabilityBoundingSet") || streq(key, "AmbientCapabilities")) {
                u->sets_capabilities = true;
                return 0;
        }

        if (streq(key, "RootDirectory"))
                return set_string(&u->root_directory, &u->root_directory_file, value, c->file);
        if (streq(key, "RootImage"))
                return set_string(&u->root_image, &u->root_image_file, value, c->file);
        if (streq(key, "RootDirectoryStartOnly")) {
                free(u->root_directory_start_only_file);
                u->root_directory_start_only_file = unit_parse_boolean(value) > 0 ? strdup(c->file) : NULL;
                return unit_parse_boolean(value) > 0 && !u->root_directory_start_only_file ? -ENOMEM : 0;
        }
        return 0;
}

static int parse_file(Root *root, const char *file, bool after_ours, Collector *c) {
        _cleanup_fclose_ FILE *f = NULL;
        int r;

        r = open_regular_file(root, file, &f);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return log_warning_errno(r, "%s: cannot read, ignoring: %m", file);
        c->file = file;
        c->after_ours = after_ours;
        return unit_file_parse(f, file, collect_assignment, c);
}

/* What the collector found in the unit's files, once all are read: the
 * first full-privilege command, the store paths the commands name. */
static int collector_finish(Collector *c) {
        UnitInfo *u = c->info;
        int r;

        for (size_t i = 0; i < N_EXEC_SETTINGS && !u->full_privilege_command; i++)
                if (c->exec_full_privilege[i].n > 0) {
                        u->full_privilege_command = strdup(c->exec_full_privilege[i].items[0]);
                        if (!u->full_privilege_command)
                                return -ENOMEM;
                }
        for (size_t i = 0; i < N_EXEC_SETTINGS; i++)
                for (size_t j = 0; j < c->exec_values[i].n; j++) {
                        r = store_paths_extract(c->exec_values[i].items[j], c->store_dir, &u->exec_store_paths);
                        if (r < 0)
                                return r;
                }
        path_list_sort_unique(&u->exec_store_paths);
        path_list_sort_unique(&u->all_store_paths);
        path_list_sort_unique(&u->service_keys);
        return 0;
}

int unit_settings_read(Root *root, const PathList *files, const char *store_dir, UnitInfo *u) {
        _cleanup_(collector_done) Collector c = { .info = u, .store_dir = store_dir };
        int r;

        assert(root);
        assert(files);
        assert(u);

        for (size_t i = 0; i < files->n; i++) {
                const char *name = strrchr(files->items[i], '/');

                /* The unit file comes first, then the drop-ins sorted by name. */
                r = parse_file(root, files->items[i], i > 0 && name && strcmp(name + 1, DROPIN_NAME) > 0, &c);
                if (r == -ENOMEM)
                        return r;
        }
        return collector_finish(&c);
}
