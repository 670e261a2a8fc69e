/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The version of the systemd that runs the units the generator writes
 * for: a fact of the run, which decides only whether a setting newer than
 * systemd 252 is written (an unknown key would be logged for every unit).
 * 0 stands for "unknown": nothing version-dependent is written then. */

#include <stdbool.h>

#include "root.h"

/* The version as the generator and confinementctl take it from their
 * environment, before any probe: a number ("257"), or "0" for unknown.
 * For tests, and for a root (--root, a generator's root argument), whose
 * systemd is not the running one. */
#define SYSTEMD_VERSION_ENV "CONFINEMENT_SYSTEMD_VERSION"

/* The first systemd version with PrivatePIDs= (systemd.exec(5)). */
#define SYSTEMD_VERSION_PRIVATE_PIDS 257u

/* The leading decimal number of s ("257", "257.9-1", "262~rc1",
 * "systemd 262 (262.1-1)" after the word): 0 when s starts with none or
 * it is out of range. */
unsigned systemd_version_parse(const char *s);

/* The version in a /proc/PID/maps file: the number in the name of the
 * first mapping of libsystemd-shared-NNN (every systemd binary links it:
 * /usr/lib/x86_64-linux-gnu/systemd/libsystemd-shared-257.so on Debian,
 * libsystemd-shared-257.3-1.fc41.so on Fedora, a store path on NixOS).
 * 0 when the file cannot be read or maps none; the reason is logged at
 * debug level. */
unsigned systemd_version_from_maps(const char *path);

/* The version of the systemd the run's units are for: SYSTEMD_VERSION_ENV
 * when set (an invalid value is logged and counts as unknown); else, when
 * root is the host's own, the one PID 1 maps (/proc/1/maps: root only, and
 * no D-Bus, which a system generator cannot use while PID 1 waits for
 * it); else 0. */
unsigned systemd_version_probe(const Root *root);
