/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "dropin-name.h"
#include "unit-check.h"

int check_unit(const UnitInfo *u, const char *unit, const Spec *spec, Diag *d) {
        if (u->dropin_shadow_file)
                return diag_error(d, 0, NULL,
                                  "%s has a drop-in %s named as the generator's, which would take the place of the "
                                  "confinement.",
                                  unit, u->dropin_shadow_file);
        if (u->confinement_reset)
                return diag_error(d, 0, NULL,
                                  "%s resets the confinement (%s) in a drop-in that sorts after the "
                                  "generator's " DROPIN_NAME ": it would run unconfined.",
                                  unit, u->confinement_reset);
        if (u->full_privilege_command && !spec->allow_full_privilege_commands)
                return diag_error(d, 0, NULL,
                                  "%s runs a command with full privileges (%s), outside the confinement; set "
                                  "\"allowFullPrivilegeCommands\": true in the spec to accept that.",
                                  unit, u->full_privilege_command);
        if (u->root_directory_start_only_file)
                return diag_error(d, 0, NULL,
                                  "%s sets RootDirectoryStartOnly=yes in %s, which cannot work confined: the "
                                  "binds would apply to every command.",
                                  unit, u->root_directory_start_only_file);
        if (u->root_directory)
                return diag_error(d, 0, NULL,
                                  "%s sets its own RootDirectory=%s in %s; confinement needs its own root.", unit,
                                  u->root_directory, u->root_directory_file);
        if (u->root_image)
                return diag_error(d, 0, NULL,
                                  "%s sets its own RootImage=%s in %s; confinement needs its own root.", unit,
                                  u->root_image, u->root_image_file);
        return 0;
}
