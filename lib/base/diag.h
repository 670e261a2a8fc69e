/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A spec that cannot be honoured must say why twice: once in the log, and
 * once in the fail-closed drop-in that keeps its service from starting.
 * Diag keeps the first reason for the latter. */

#include "macro.h"

typedef struct Diag {
        const char *file; /* the spec file every message names, borrowed */
        char *reason;     /* first error, "FILE: key "K": what was expected" */
} Diag;

#define DIAG_INIT(f) ((Diag) { .file = (f) })

void diag_done(Diag *d);

/* Logs "FILE: key "KEY": MESSAGE" (FILE: d's, the key part only when key
 * is set) at error level, keeps it as the reason unless one is kept
 * already, and returns -abs(error), or -EINVAL when error is 0. -ENOMEM, a
 * failed call's r, is no fault of the file: returned as it is, with
 * nothing logged or kept (the run gives up). */
int diag_error(Diag *d, int error, const char *key, const char *fmt, ...) _printf_(4, 5);

/* Where a Diag is first given a spec to speak of: d's file, unless it has
 * one already. */
static inline void diag_set_file(Diag *d, const char *file) {
        if (d && !d->file)
                d->file = file;
}
