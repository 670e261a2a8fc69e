/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A spec entry and the unit it confines: the file name is the unit's
 * ("foo.service.json" confines foo.service, "foo@.service.json" every
 * instance of foo@.service without a spec of its own). */

#include "spec-dirs.h"

/* The unit a spec file name confines ("foo.service.json" -> "foo.service").
 * -EINVAL with a static *reason when it is no service unit name, -ENOMEM. */
int spec_entry_unit(const SpecEntry *e, char **ret, const char **reason);

/* The spec in effect for unit: its own, else, for an instance, its
 * template's. NULL when none (masked entries are returned: check). */
const SpecEntry *spec_entries_find_for_unit(const SpecEntries *entries, const char *unit);
