/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <stdarg.h>
#include <string.h>

#include "alloc-util.h"
#include "ctl.h"
#include "table.h"

typedef struct Cell {
        char *text;
        const char *color;
} Cell;

struct Table {
        size_t n_columns;
        char **headers;
        Cell *cells;
        size_t n_cells, allocated;
};

Table *table_free(Table *t) {
        if (!t)
                return NULL;
        for (size_t i = 0; t->headers && i < t->n_columns; i++)
                free(t->headers[i]);
        free(t->headers);
        for (size_t i = 0; i < t->n_cells; i++)
                free(t->cells[i].text);
        free(t->cells);
        free(t);
        return NULL;
}

Table *table_new(size_t n, const char *const *headers) {
        Table *t = calloc(1, sizeof *t);

        assert(headers);

        if (!t)
                return NULL;
        t->n_columns = n;
        t->headers = calloc(n, sizeof *t->headers);
        if (!t->headers)
                return table_free(t);
        for (size_t i = 0; i < n; i++)
                if (!(t->headers[i] = strdup(headers[i])))
                        return table_free(t);
        return t;
}

static int add_owned(Table *t, char *text, const char *color) {
        if (!text)
                return -ENOMEM;
        if (GREEDY_REALLOC(t->cells, t->allocated, t->n_cells + 1, 32) < 0) {
                free(text);
                return -ENOMEM;
        }
        t->cells[t->n_cells++] = (Cell) { text, color };
        return 0;
}

int table_add(Table *t, const char *text, const char *color) {
        assert(t);

        return add_owned(t, strdup(text ?: "-"), color);
}

int table_addf(Table *t, const char *color, const char *fmt, ...) {
        char *s;
        va_list ap;
        int r;

        assert(t);
        assert(fmt);

        va_start(ap, fmt);
        r = vasprintf(&s, fmt, ap);
        va_end(ap);
        return add_owned(t, r < 0 ? NULL : s, color);
}

size_t table_rows(const Table *t) {
        assert(t);

        return (t->n_cells + t->n_columns - 1) / t->n_columns;
}

/* Columns on a terminal: UTF-8 continuation bytes take no room. */
static size_t text_width(const char *s) {
        size_t n = 0;
        for (; *s; s++)
                n += ((unsigned char) *s & 0xC0) != 0x80;
        return n;
}

static void print_cell(FILE *f, const char *text, const char *color, size_t pad) {
        if (color && colors_enabled())
                fprintf(f, "%s%s%s", color, text, ANSI_NORMAL);
        else
                fputs(text, f);
        for (size_t i = 0; i < pad; i++)
                fputc(' ', f);
}

int table_print(const Table *t, FILE *f, bool header) {
        _cleanup_free_ size_t *width = NULL;
        size_t rows;

        assert(t);
        assert(f);

        width = calloc(t->n_columns, sizeof *width);
        rows = table_rows(t);
        if (!width)
                return -ENOMEM;
        for (size_t c = 0; c < t->n_columns; c++) {
                if (header)
                        width[c] = text_width(t->headers[c]);
                for (size_t r = 0; r < rows; r++) {
                        size_t i = r * t->n_columns + c;
                        if (i < t->n_cells && text_width(t->cells[i].text) > width[c])
                                width[c] = text_width(t->cells[i].text);
                }
        }

        if (header) {
                for (size_t c = 0; c < t->n_columns; c++) {
                        bool last = c + 1 == t->n_columns;
                        print_cell(f, t->headers[c], ANSI_UNDERLINE, 0);
                        if (!last)
                                /* Padding outside the underline, as systemctl does. */
                                fprintf(f, "%*s", (int) (width[c] - text_width(t->headers[c]) + 2), "");
                }
                fputc('\n', f);
        }
        for (size_t r = 0; r < rows; r++) {
                for (size_t c = 0; c < t->n_columns; c++) {
                        size_t i = r * t->n_columns + c;
                        bool last = c + 1 == t->n_columns;
                        const char *text = i < t->n_cells ? t->cells[i].text : "";

                        print_cell(f, text, i < t->n_cells ? t->cells[i].color : NULL,
                                   last ? 0 : width[c] - text_width(text) + 2);
                }
                fputc('\n', f);
        }
        return 0;
}
