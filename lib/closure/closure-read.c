/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "closure-read.h"
#include "line-reader.h"
#include "path-trust.h"
#include "path-util.h"
#include "read-file.h"

int closure_parse_store_paths(FILE *f, const char *name, const char *spec_file, PathList *paths, Diag *d) {
        _cleanup_(line_reader_done) LineReader reader = {};
        size_t n, lineno = 0;
        char *line;
        int r;

        line_reader_init(&reader, f, 0);
        while ((r = line_reader_next(&reader, &line, &n)) > 0) {
                const char *why;

                lineno++;
                if (n == 0)
                        continue;
                if (n != strlen(line))
                        return diag_error(d, 0, spec_file, "closureInfo", "%s:%zu: contains a NUL byte.", name,
                                          lineno);
                if (path_check_safe(line, &why) < 0)
                        return diag_error(d, 0, spec_file, "closureInfo",
                                          "%s:%zu: expected an absolute, normalized path, got \"%s\": %s.", name,
                                          lineno, line, why);
                if (paths->n >= REF_GRAPH_PATHS_MAX)
                        return diag_error(d, E2BIG, spec_file, "closureInfo", "%s:%zu: more than %d paths.", name,
                                          lineno, REF_GRAPH_PATHS_MAX);
                r = path_list_add(paths, line);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return diag_error(d, r, spec_file, "closureInfo", "%s: cannot read: %m.", name);
        return 0;
}

int closure_file_open(const char *root, const char *closure_info, const char *file_name, const char *spec_file,
                      char **ret_name, FILE **ret, Diag *d) {
        return closure_file_open_cached(NULL, root, closure_info, file_name, spec_file, ret_name, ret, d);
}

int closure_file_open_cached(ChaseCache *cache, const char *root, const char *closure_info, const char *file_name,
                             const char *spec_file, char **ret_name, FILE **ret, Diag *d) {
        _cleanup_free_ char *name = NULL, *distrust = NULL;
        int r;

        if (asprintf(&name, "%s/%s", closure_info, file_name) < 0)
                return -ENOMEM;
        r = path_check_trusted_cached(cache, root, name, &distrust);
        if (r == -EPERM)
                return diag_error(d, r, spec_file, "closureInfo",
                                  "refusing %s, which an unprivileged user could change: %s.", name, distrust);
        if (r == -ENOMEM)
                return r;
        /* Any other failure (a missing file) is reported by the open. */
        r = open_regular_file_cached(cache, root, name, ret);
        if (r == -EBADFD)
                return diag_error(d, r, spec_file, "closureInfo", "%s: expected a regular file.", name);
        if (r < 0)
                return diag_error(d, r, spec_file, "closureInfo", "%s: cannot open: %m.", name);
        *ret_name = TAKE_PTR(name);
        return 0;
}

int closure_read_store_paths(const char *root, const char *closure_info, const char *spec_file, PathList *paths,
                             Diag *d) {
        return closure_read_store_paths_cached(NULL, root, closure_info, spec_file, paths, d);
}

int closure_read_store_paths_cached(ChaseCache *cache, const char *root, const char *closure_info,
                                    const char *spec_file, PathList *paths, Diag *d) {
        _cleanup_free_ char *name = NULL;
        _cleanup_fclose_ FILE *f = NULL;
        int r;

        r = closure_file_open_cached(cache, root, closure_info, CLOSURE_STORE_PATHS, spec_file, &name, &f, d);
        if (r < 0)
                return r;
        return closure_parse_store_paths(f, name, spec_file, paths, d);
}

/* The registration (nix-store --dump-db): the reference graph. */

typedef struct Edge {
        size_t from, to;
} Edge;

typedef struct Parser {
        LineReader reader;
        const char *name, *spec_file;
        Diag *d;
        char *line;
        size_t lineno;
} Parser;

/* What p->line is before the first line and after the last: never NULL,
 * for the messages. */
static char nothing[] = "";

/* The next line without its newline; -ENODATA at the end of the file. */
static int next_line(Parser *p) {
        size_t n;
        int r;

        r = line_reader_next(&p->reader, &p->line, &n);
        if (r == 0) {
                p->line = nothing;
                return -ENODATA;
        }
        if (r < 0)
                return r == -ENOMEM ? r
                                    : diag_error(p->d, r, p->spec_file, "closureInfo", "%s: cannot read: %m.",
                                                 p->name);
        p->lineno++;
        if (n != strlen(p->line))
                return diag_error(p->d, 0, p->spec_file, "closureInfo", "%s:%zu: contains a NUL byte.", p->name,
                                  p->lineno);
        return 0;
}

static int fail(Parser *p, const char *expected) {
        return diag_error(p->d, 0, p->spec_file, "closureInfo", "%s:%zu: expected %s, got \"%.80s\".", p->name,
                          p->lineno, expected, p->line);
}

static int expect_line(Parser *p, const char *expected) {
        int r = next_line(p);
        if (r == -ENODATA)
                return diag_error(p->d, 0, p->spec_file, "closureInfo",
                                  "%s:%zu: expected %s, got the end of the file.", p->name, p->lineno, expected);
        return r;
}

static int parse_number(Parser *p, const char *expected, uint64_t *ret) {
        char *end;

        if (p->line[0] < '0' || p->line[0] > '9')
                return fail(p, expected);
        errno = 0;
        *ret = strtoull(p->line, &end, 10);
        if (errno != 0 || *end != '\0')
                return fail(p, expected);
        return 0;
}

static ssize_t intern_path(Parser *p, PathIndex *index) {
        size_t known = index->n;
        ssize_t i;

        i = path_index_intern(index, p->line);
        /* Checked once, when first seen: most lines are references to
         * paths met before, the same string. */
        if (i >= 0 && (size_t) i == known && path_check_safe(p->line, NULL) < 0)
                return fail(p, "an absolute, normalized store path");
        if (i >= 0 && index->n > REF_GRAPH_PATHS_MAX)
                return diag_error(p->d, E2BIG, p->spec_file, "closureInfo", "%s:%zu: more than %d paths.",
                                  p->name, p->lineno, REF_GRAPH_PATHS_MAX);
        return i;
}

static int push_edge(Edge **edges, size_t *n, size_t *allocated, size_t from, size_t to) {
        if (GREEDY_REALLOC(*edges, *allocated, *n + 1, 256) < 0)
                return -ENOMEM;
        (*edges)[(*n)++] = (Edge) { from, to };
        return 0;
}

/* Records first, as edges between interned paths; the compact adjacency
 * arrays once every path is known, since references may come first. */
int registration_parse(FILE *f, const char *name, const char *spec_file, RefGraph **ret, Diag *d) {
        _cleanup_ref_graph_ RefGraph *g = NULL;
        _cleanup_free_ Edge *edges = NULL;
        _cleanup_free_ bool *defined = NULL;
        size_t n_edges = 0, allocated_edges = 0, allocated_defined = 0;
        Parser p = { .name = name, .spec_file = spec_file, .d = d, .line = nothing };
        int r;

        line_reader_init(&p.reader, f, 0);
        g = calloc(1, sizeof *g);
        if (!g)
                return -ENOMEM;

        for (;;) {
                uint64_t count = 0, size = 0;
                ssize_t self;

                r = next_line(&p);
                if (r == -ENODATA)
                        break;
                if (r < 0)
                        goto finish;
                if (p.line[0] == '\0')
                        continue; /* tolerate blank lines between records */

                self = intern_path(&p, &g->index);
                if (self < 0) {
                        r = (int) self;
                        goto finish;
                }
                if ((size_t) self >= allocated_defined) {
                        size_t k = (self + 1) * 2;
                        bool *b = reallocarray(defined, k, sizeof *b);
                        if (!b) {
                                r = -ENOMEM;
                                goto finish;
                        }
                        memset(b + allocated_defined, 0, (k - allocated_defined) * sizeof *b);
                        defined = b;
                        allocated_defined = k;
                }
                if (defined[self]) {
                        r = fail(&p, "each path registered once");
                        goto finish;
                }
                defined[self] = true;

                if ((r = expect_line(&p, "a NAR hash")) < 0)
                        goto finish;
                if (p.line[0] == '\0') {
                        r = fail(&p, "a NAR hash");
                        goto finish;
                }
                if ((r = expect_line(&p, "a NAR size")) < 0 || (r = parse_number(&p, "a NAR size", &size)) < 0)
                        goto finish;
                if ((r = expect_line(&p, "a deriver or an empty line")) < 0)
                        goto finish;
                if ((r = expect_line(&p, "a number of references")) < 0 ||
                    (r = parse_number(&p, "a number of references", &count)) < 0)
                        goto finish;
                if (count > REF_GRAPH_PATHS_MAX) {
                        r = fail(&p, "at most 1000000 references");
                        goto finish;
                }
                for (uint64_t i = 0; i < count; i++) {
                        ssize_t to;

                        if ((r = expect_line(&p, "a reference")) < 0)
                                goto finish;
                        to = intern_path(&p, &g->index);
                        if (to < 0) {
                                r = (int) to;
                                goto finish;
                        }
                        r = push_edge(&edges, &n_edges, &allocated_edges, (size_t) self, (size_t) to);
                        if (r < 0)
                                goto finish;
                }
        }

        for (size_t i = 0; i < g->index.n; i++)
                if (i >= allocated_defined || !defined[i]) {
                        r = diag_error(d, 0, spec_file, "closureInfo",
                                       "%s: a path refers to %s, which is not registered.", name,
                                       g->index.paths[i]);
                        goto finish;
                }

        g->ref_start = calloc(g->index.n + 1, sizeof *g->ref_start);
        g->refs = malloc((n_edges ?: 1) * sizeof *g->refs);
        if (!g->ref_start || !g->refs) {
                r = -ENOMEM;
                goto finish;
        }
        for (size_t i = 0; i < n_edges; i++)
                g->ref_start[edges[i].from + 1]++;
        for (size_t i = 0; i < g->index.n; i++)
                g->ref_start[i + 1] += g->ref_start[i];
        /* Edges of one record are consecutive and records come in order of
         * their first line, but a path may be referenced before it is
         * registered: place each edge by its source. */
        {
                _cleanup_free_ size_t *fill = calloc(g->index.n + 1, sizeof *fill);
                if (!fill) {
                        r = -ENOMEM;
                        goto finish;
                }
                memcpy(fill, g->ref_start, g->index.n * sizeof *fill);
                for (size_t i = 0; i < n_edges; i++)
                        g->refs[fill[edges[i].from]++] = edges[i].to;
        }

        *ret = TAKE_PTR(g);
        r = 0;
finish:
        line_reader_done(&p.reader);
        return r;
}

int registration_read(const char *root, const char *closure_info, const char *spec_file, RefGraph **ret, Diag *d) {
        return registration_read_cached(NULL, root, closure_info, spec_file, ret, d);
}

int registration_read_cached(ChaseCache *cache, const char *root, const char *closure_info, const char *spec_file,
                             RefGraph **ret, Diag *d) {
        _cleanup_free_ char *name = NULL;
        _cleanup_fclose_ FILE *f = NULL;
        int r;

        r = closure_file_open_cached(cache, root, closure_info, REGISTRATION_FILE, spec_file, &name, &f, d);
        if (r < 0)
                return r;
        return registration_parse(f, name, spec_file, ret, d);
}
