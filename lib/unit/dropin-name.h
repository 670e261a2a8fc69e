/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The file name of the generator's drop-in in UNIT.d/: the unit stage
 * looks for drop-ins that shadow it or sort after it (unit-info.h), the
 * plan names it in messages, the output stage writes it (dropin.h). */
#define DROPIN_NAME "50-confinement.conf"
