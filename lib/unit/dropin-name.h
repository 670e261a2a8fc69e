/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The file name of the generator's drop-in in UNIT.d/: the unit stage
 * looks for drop-ins that shadow it or sort after it (unit-info.h), the
 * plan names it in messages, the output stage writes it (dropin.h). */
#define DROPIN_NAME "50-confinement.conf"

/* The guard, a drop-in installed with the spec (confinementctl new) in
 * /etc/systemd/system/UNIT.d/: it asserts that the generator's drop-in
 * exists in its output directory, which systemd empties at every
 * daemon-reload. The generator puts the fail-closed drop-in there first
 * and the confinement in its place last (atomically, after what it
 * needs); when no write succeeds (a full /run), nothing is there and the
 * guard keeps the unit from starting: no write at reload time needed. */
#define GUARD_DROPIN_NAME "10-confinement-guard.conf"
#define GENERATOR_OUTPUT_DIR "/run/systemd/generator"
