/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What cannot work confined, found in the unit's own files (unit-info.h)
 * and judged against its spec: a drop-in in the generator's place or
 * resetting the confinement after it, a full-privilege command the spec
 * does not accept, RootDirectoryStartOnly=, the unit's own root. 0, or
 * the reason in d and a negative errno. */

#include "diag.h"
#include "spec.h"
#include "unit-info.h"

int check_unit(const UnitInfo *u, const char *unit, const Spec *spec, Diag *d);
