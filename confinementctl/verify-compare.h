/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* verify-compare.c: one drop-in's settings against the unit as the running
 * systemd has loaded it, for confinementctl verify (verify.c finds the
 * units and specs and reports). */

#include <stddef.h>

#include "bus.h"
#include "macro.h"
#include "path-list.h"

/* --- what the drop-in says ------------------------------------------------- */

typedef struct Assignment {
        char *section, *key, *value;
} Assignment;

typedef struct Assignments {
        Assignment *items;
        size_t n, allocated;
} Assignments;

void assignments_done(Assignments *a);
/* The assignments of the drop-in text, read back as systemd reads it; name
 * is for messages. Logged. */
int parse_dropin(const char *name, const char *text, Assignments *ret);

/* --- what verify found about one unit -------------------------------------- */

typedef struct Report {
        char *unit;
        const char *spec;
        const char *state;
        const char *color;
        int bits;
        PathList differences;
        PathList notes;
} Report;

void report_done(Report *r);
/* Adds a formatted line to l; -ENOMEM. */
int addf(PathList *l, const char *fmt, ...) _printf_(2, 3);

/* --- comparing ------------------------------------------------------------- */

/* Adds to rep what of the drop-in's assignment a the unit (props) lacks;
 * settings it cannot compare are skipped (logged at debug level). Bind
 * settings are left to verify_compare_binds(). 0 or -ENOMEM, not logged. */
int verify_compare_setting(const char *unit, const Assignment *a, const Props *props, Report *rep);
/* The drop-in's BindPaths= and BindReadOnlyPaths= against the unit's,
 * store_dir (may be NULL) telling stale binds from the unit's own. 0 or
 * -ENOMEM, not logged. */
int verify_compare_binds(const char *unit, const Assignments *a, const Props *props, const char *store_dir,
                  Report *rep);
