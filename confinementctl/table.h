/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The tables every verb prints, as systemctl prints its lists: a header
 * (left out with --no-legend), columns padded to their widest cell, the
 * last one not padded, colours only when colors_enabled(). */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "macro.h"

typedef struct Table Table;

/* A table of n columns with these headers. NULL on OOM. */
Table *table_new(size_t n, const char *const *headers);
Table *table_free(Table *t);
static inline void table_freep(Table **t) {
        table_free(*t);
}
#define _cleanup_table_ _cleanup_(table_freep)

/* Appends a cell to the current row (a row is full after n cells); text
 * NULL prints as "-". color is one of the ANSI_* codes or NULL. */
int table_add(Table *t, const char *text, const char *color);
int table_addf(Table *t, const char *color, const char *fmt, ...) _printf_(3, 4);
size_t table_rows(const Table *t);

int table_print(const Table *t, FILE *f, bool header);
