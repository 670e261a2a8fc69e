/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Runs a program found in $PATH with fork() and execvp(), no shell, stdin
 * from /dev/null, and collects stdout (at most max_output bytes: more is
 * -EFBIG) and the start of stderr (64 KiB). */

#include <stdbool.h>
#include <stddef.h>

typedef struct SpawnResult {
        char *out; /* NUL-terminated */
        size_t out_size;
        char *err; /* NUL-terminated */
        int status; /* the exit status, 128 + signal, 127 when it could not be run */
} SpawnResult;

/* 0 whenever the program ran (look at ret->status), -errno when it could
 * not be started or its output not collected; not logged. */
int spawn_capture(char *const argv[], size_t max_output, SpawnResult *ret);
void spawn_result_done(SpawnResult *r);

/* The first line of stderr that starts with "error:", else the first
 * non-empty one; control characters replaced. */
const char *spawn_first_error_line(SpawnResult *r, char *buf, size_t size);
