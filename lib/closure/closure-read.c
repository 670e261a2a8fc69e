/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
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

int closure_parse_store_paths(FILE *f, const char *name, PathList *paths, Diag *d) {
        assert(f);
        assert(name);
        assert(paths);

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
                        return diag_error(d, 0, "closureInfo", "%s:%zu: contains a NUL byte.", name,
                                          lineno);
                if (path_check_safe(line, &why) < 0)
                        return diag_error(d, 0, "closureInfo",
                                          "%s:%zu: expected an absolute, normalized path, got \"%s\": %s.", name,
                                          lineno, line, why);
                if (paths->n >= REF_GRAPH_PATHS_MAX)
                        return diag_error(d, E2BIG, "closureInfo", "%s:%zu: more than %d paths.", name,
                                          lineno, REF_GRAPH_PATHS_MAX);
                r = path_list_add(paths, line);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return diag_error(d, r, "closureInfo", "%s: cannot read: %m.", name);
        return 0;
}

int closure_file_open(const ClosureSource *s, const char *file_name, char **ret_name, FILE **ret) {
        _cleanup_free_ char *name = NULL, *distrust = NULL;
        int r;

        assert(s);
        assert(file_name);
        assert(ret_name);
        assert(ret);

        if (asprintf(&name, "%s/%s", s->dir, file_name) < 0)
                return -ENOMEM;
        r = path_check_trusted(s->root, name, &distrust);
        if (r == -EPERM)
                return diag_error(s->d, r, "closureInfo",
                                  "refusing %s, which an unprivileged user could change: %s.", name, distrust);
        if (r == -ENOMEM)
                return r;
        /* Any other failure (a missing file) is reported by the open. */
        r = open_regular_file(s->root, name, ret);
        if (r == -EBADFD)
                return diag_error(s->d, r, "closureInfo", "%s: expected a regular file.", name);
        if (r < 0)
                return diag_error(s->d, r, "closureInfo", "%s: cannot open: %m.", name);
        *ret_name = TAKE_PTR(name);
        return 0;
}

int closure_read_store_paths(const ClosureSource *s, PathList *paths) {
        _cleanup_free_ char *name = NULL;
        _cleanup_fclose_ FILE *f = NULL;
        int r;

        assert(paths);

        r = closure_file_open(s, CLOSURE_STORE_PATHS, &name, &f);
        if (r < 0)
                return r;
        return closure_parse_store_paths(f, name, paths, s->d);
}

/* The registration (nix-store --dump-db): the reference graph. */

typedef struct Edge {
        size_t from, to;
} Edge;

/* The parser and what it has read so far: the records as edges between
 * interned paths, and which paths have a record of their own. */
typedef struct Parser {
        LineReader reader;
        const char *name;
        Diag *d;
        char *line;
        size_t lineno;
        RefGraph *graph;
        Edge *edges;
        size_t n_edges, allocated_edges;
        bool *defined; /* by node number: registered */
        size_t allocated_defined;
} Parser;

static void parser_done(Parser *p) {
        line_reader_done(&p->reader);
        ref_graph_free(p->graph);
        free(p->edges);
        free(p->defined);
}

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
                                    : diag_error(p->d, r, "closureInfo", "%s: cannot read: %m.",
                                                 p->name);
        p->lineno++;
        if (n != strlen(p->line))
                return diag_error(p->d, 0, "closureInfo", "%s:%zu: contains a NUL byte.", p->name,
                                  p->lineno);
        return 0;
}

static int fail(Parser *p, const char *expected) {
        return diag_error(p->d, 0, "closureInfo", "%s:%zu: expected %s, got \"%.80s\".", p->name,
                          p->lineno, expected, p->line);
}

static int expect_line(Parser *p, const char *expected) {
        int r = next_line(p);
        if (r == -ENODATA)
                return diag_error(p->d, 0, "closureInfo",
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
                return diag_error(p->d, E2BIG, "closureInfo", "%s:%zu: more than %d paths.",
                                  p->name, p->lineno, REF_GRAPH_PATHS_MAX);
        return i;
}

static int push_edge(Parser *p, size_t from, size_t to) {
        if (GREEDY_REALLOC(p->edges, p->allocated_edges, p->n_edges + 1, 256) < 0)
                return -ENOMEM;
        p->edges[p->n_edges++] = (Edge) { from, to };
        return 0;
}

/* Marks node self as registered; a path registered twice is an error. */
static int define_node(Parser *p, size_t self) {
        size_t known = p->allocated_defined;

        if (GREEDY_REALLOC(p->defined, p->allocated_defined, self + 1, 64) < 0)
                return -ENOMEM;
        memset(p->defined + known, 0, (p->allocated_defined - known) * sizeof *p->defined);
        if (p->defined[self])
                return fail(p, "each path registered once");
        p->defined[self] = true;
        return 0;
}

/* One record, whose first line (the path) is p->line: the NAR hash and
 * size, the deriver, the number of references and the references. */
static int parse_record(Parser *p) {
        uint64_t count = 0, size = 0;
        ssize_t self;
        int r;

        self = intern_path(p, &p->graph->index);
        if (self < 0)
                return (int) self;
        r = define_node(p, (size_t) self);
        if (r < 0)
                return r;

        if ((r = expect_line(p, "a NAR hash")) < 0)
                return r;
        if (p->line[0] == '\0')
                return fail(p, "a NAR hash");
        if ((r = expect_line(p, "a NAR size")) < 0 || (r = parse_number(p, "a NAR size", &size)) < 0)
                return r;
        if ((r = expect_line(p, "a deriver or an empty line")) < 0)
                return r;
        if ((r = expect_line(p, "a number of references")) < 0 ||
            (r = parse_number(p, "a number of references", &count)) < 0)
                return r;
        if (count > REF_GRAPH_PATHS_MAX)
                return fail(p, "at most 1000000 references");
        for (uint64_t i = 0; i < count; i++) {
                ssize_t to;

                if ((r = expect_line(p, "a reference")) < 0)
                        return r;
                to = intern_path(p, &p->graph->index);
                if (to < 0)
                        return (int) to;
                r = push_edge(p, (size_t) self, (size_t) to);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The compact adjacency arrays, once every path is known: edges of one
 * record are consecutive and records come in order of their first line,
 * but a path may be referenced before it is registered, so each edge is
 * placed by its source. */
static int build_adjacency(Parser *p) {
        RefGraph *g = p->graph;
        _cleanup_free_ size_t *fill = NULL;

        for (size_t i = 0; i < g->index.n; i++)
                if (i >= p->allocated_defined || !p->defined[i])
                        return diag_error(p->d, 0, "closureInfo",
                                          "%s: a path refers to %s, which is not registered.", p->name,
                                          g->index.paths[i]);

        g->ref_start = calloc(g->index.n + 1, sizeof *g->ref_start);
        g->refs = malloc((p->n_edges ?: 1) * sizeof *g->refs);
        fill = calloc(g->index.n + 1, sizeof *fill);
        if (!g->ref_start || !g->refs || !fill)
                return -ENOMEM;
        for (size_t i = 0; i < p->n_edges; i++)
                g->ref_start[p->edges[i].from + 1]++;
        for (size_t i = 0; i < g->index.n; i++)
                g->ref_start[i + 1] += g->ref_start[i];
        memcpy(fill, g->ref_start, g->index.n * sizeof *fill);
        for (size_t i = 0; i < p->n_edges; i++)
                g->refs[fill[p->edges[i].from]++] = p->edges[i].to;
        return 0;
}

/* Records first, as edges between interned paths; the compact adjacency
 * arrays once every path is known, since references may come first. */
int registration_parse(FILE *f, const char *name, RefGraph **ret, Diag *d) {
        _cleanup_(parser_done) Parser p = { .name = name, .d = d, .line = nothing };
        int r;

        assert(f);
        assert(name);
        assert(ret);

        line_reader_init(&p.reader, f, 0);
        p.graph = calloc(1, sizeof *p.graph);
        if (!p.graph)
                return -ENOMEM;

        while ((r = next_line(&p)) != -ENODATA) {
                if (r < 0)
                        return r;
                if (p.line[0] == '\0')
                        continue; /* tolerate blank lines between records */
                r = parse_record(&p);
                if (r < 0)
                        return r;
        }
        r = build_adjacency(&p);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(p.graph);
        return 0;
}

int registration_read(const ClosureSource *s, RefGraph **ret) {
        _cleanup_free_ char *name = NULL;
        _cleanup_fclose_ FILE *f = NULL;
        int r;

        assert(s);
        assert(ret);

        r = closure_file_open(s, REGISTRATION_FILE, &name, &f);
        if (r < 0)
                return r;
        return registration_parse(f, name, ret, s->d);
}
