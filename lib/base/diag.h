/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A spec that cannot be honoured must say why twice: once in the log, and
 * once in the fail-closed drop-in that keeps its service from starting.
 * Diag keeps the first reason for the latter. */

#include "macro.h"

typedef struct Diag {
        char *reason; /* first error, "FILE: key "K": what was expected" */
} Diag;

void diag_done(Diag *d);

/* Logs "FILE: key "KEY": MESSAGE" (the key part only when key is set) at
 * error level, keeps it as the reason unless one is kept already, and
 * returns -abs(error), or -EINVAL when error is 0. -ENOMEM, a failed
 * call's r, is no fault of the file: returned as it is, with nothing
 * logged or kept (the run gives up). */
int diag_error(Diag *d, int error, const char *file, const char *key, const char *fmt, ...) _printf_(5, 6);
