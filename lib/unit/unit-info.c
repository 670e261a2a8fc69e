/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <stdlib.h>

#include "macro.h"

#include "unit-info.h"
#include "unit-settings.h"

void unit_info_done(UnitInfo *u) {
        path_list_done(&u->names);
        path_list_done(&u->service_keys);
        path_list_done(&u->files);
        path_list_done(&u->exec_store_paths);
        path_list_done(&u->all_store_paths);
        free(u->root_directory);
        free(u->root_directory_file);
        free(u->root_image);
        free(u->root_image_file);
        free(u->root_directory_start_only_file);
        for (size_t i = 0; i < _MODE_SETTING_MAX; i++)
                free(u->mode_settings[i]);
        free(u->full_privilege_command);
        free(u->confinement_reset);
        free(u->dropin_shadow_file);
        free(u->user);
        *u = (UnitInfo) { .private_tmp = -1 };
}

int unit_info_load(UnitLookup *l, const char *unit, const char *store_dir, UnitInfo *ret) {
        _cleanup_(unit_info_done) UnitInfo u = { .private_tmp = -1 };
        int r;

        assert(l);
        assert(unit);
        assert(ret);

        r = unit_lookup_find(l, unit, &u.names, &u.files, &u.dropin_shadow_file);
        if (r < 0)
                return r;
        u.found = r > 0;
        r = unit_settings_read(l->root, &u.files, store_dir, &u);
        if (r < 0)
                return r;
        *ret = u;
        u = (UnitInfo) { .private_tmp = -1 };
        return 0;
}
