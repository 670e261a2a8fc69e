/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Lines of a closureInfo file, read in large blocks and handed out in
 * place: a system closure's registration has half a million lines, and
 * getline() on a stdio stream costs a copy and a read(2) every few
 * kilobytes for each of them. */

#include <stdbool.h>
#include <stdio.h>

#define LINE_READER_BLOCK ((size_t) 256 * 1024)

typedef struct LineReader {
        FILE *f;
        size_t block;      /* bytes asked of fread() at a time */
        char *buf;
        size_t allocated;  /* of buf */
        size_t start, end; /* the unread bytes */
        bool eof;
} LineReader;

/* block 0 for LINE_READER_BLOCK; tests use small ones. */
void line_reader_init(LineReader *r, FILE *f, size_t block);
void line_reader_done(LineReader *r);

/* The next line, its newline replaced by a NUL, valid until the next
 * call: 1 and the line and its length (which is less than strlen() where
 * the line holds a NUL byte), 0 at the end, or a negative errno. */
int line_reader_next(LineReader *r, char **ret_line, size_t *ret_length);
