/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Shared by the fuzz targets: each defines LLVMFuzzerTestOneInput(), which
 * libFuzzer calls (-Dfuzzing=true, clang) or replay-main.c calls on the
 * files of a corpus (a plain build: the corpora as regression tests).
 * A target calls abort() when a property it checks does not hold, so that
 * both report it as a crash. */

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parsers log every problem; at LOG_CRIT nothing they say is written, and
 * the formatting is skipped too. FUZZ_LOG_LEVEL=7 shows it all. */
static inline void fuzz_setup(void) {
        static int done;
        const char *e;
        int level;

        if (done)
                return;
        done = 1;
        log_setup(NULL, LOG_TARGET_CONSOLE);
        e = getenv("FUZZ_LOG_LEVEL");
        level = e ? log_level_from_string(e) : -EINVAL;
        log_set_max_level(level >= 0 ? level : LOG_CRIT);
}

/* A property of the library does not hold: say which, and crash. */
#define fuzz_assert(expr)                                                                     \
        do {                                                                                  \
                if (!(expr)) {                                                                \
                        fprintf(stderr, "%s:%d: property does not hold: %s\n", __FILE__,      \
                                __LINE__, #expr);                                             \
                        abort();                                                              \
                }                                                                             \
        } while (0)
