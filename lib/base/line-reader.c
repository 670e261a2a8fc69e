/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "line-reader.h"

void line_reader_init(LineReader *r, FILE *f, size_t block) {
        assert(r);
        assert(f);

        *r = (LineReader) { .f = f, .block = block ?: LINE_READER_BLOCK };
}

void line_reader_done(LineReader *r) {
        free(r->buf);
        *r = (LineReader) {};
}

/* Room for one more block behind the unread bytes, and a byte for the
 * NUL after a last line without a newline. */
static int make_room(LineReader *r) {
        size_t unread = r->end - r->start, want = unread + r->block + 1;
        char *b;

        if (r->start > 0) {
                memmove(r->buf, r->buf + r->start, unread);
                r->start = 0;
                r->end = unread;
        }
        if (want <= r->allocated)
                return 0;
        b = realloc(r->buf, want);
        if (!b)
                return -ENOMEM;
        r->buf = b;
        r->allocated = want;
        return 0;
}

int line_reader_next(LineReader *r, char **ret_line, size_t *ret_length) {
        /* Once per line of every closureInfo file: no asserts on the way. */
        for (;;) {
                char *line = NULL, *nl = NULL;
                size_t n;
                int k;

                if (r->end > r->start) {
                        line = r->buf + r->start;
                        nl = memchr(line, '\n', r->end - r->start);
                }
                if (nl || (r->eof && line)) {
                        if (!nl)
                                nl = r->buf + r->end; /* the last line, without newline: make_room() kept a byte */
                        *nl = '\0';
                        *ret_line = line;
                        *ret_length = (size_t) (nl - line);
                        r->start = nl < r->buf + r->end ? (size_t) (nl - r->buf) + 1 : r->end;
                        return 1;
                }
                if (r->eof)
                        return 0;

                k = make_room(r);
                if (k < 0)
                        return k;
                n = fread(r->buf + r->end, 1, r->block, r->f);
                r->end += n;
                if (n < r->block) {
                        if (ferror(r->f))
                                return errno > 0 ? -errno : -EIO;
                        r->eof = true;
                }
        }
}
