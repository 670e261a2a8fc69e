/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "closure.h"
#include "line-reader.h"
#include "path-util.h"
#include "read-file.h"
#include "ref-graph.h"

RefGraph *ref_graph_free(RefGraph *g) {
        if (!g)
                return NULL;
        path_index_done(&g->index);
        free(g->ref_start);
        free(g->refs);
        free(g->rank);
        free(g->by_rank);
        free(g);
        return NULL;
}

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
        if (*n == *allocated) {
                size_t k = *allocated ? *allocated * 2 : 256;
                Edge *e = reallocarray(*edges, k, sizeof *e);
                if (!e)
                        return -ENOMEM;
                *edges = e;
                *allocated = k;
        }
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

int ref_graph_closure_nodes(const RefGraph *g, const size_t *roots, size_t n_roots, size_t **ret, size_t *ret_n) {
        _cleanup_free_ bool *seen = calloc(g->index.n ?: 1, sizeof *seen);
        _cleanup_free_ size_t *stack = malloc((g->index.n ?: 1) * sizeof *stack);
        _cleanup_free_ size_t *found = malloc((g->index.n ?: 1) * sizeof *found);
        size_t top = 0, n = 0;

        if (!seen || !stack || !found)
                return -ENOMEM;
        /* An explicit stack: every node is pushed at most once, so it never
         * holds more than n entries, and cycles of any length end. */
        for (size_t i = 0; i < n_roots; i++)
                if (!seen[roots[i]]) {
                        seen[roots[i]] = true;
                        stack[top++] = roots[i];
                }
        while (top > 0) {
                size_t v = stack[--top];

                found[n++] = v;
                for (size_t e = g->ref_start[v]; e < g->ref_start[v + 1]; e++)
                        if (!seen[g->refs[e]]) {
                                seen[g->refs[e]] = true;
                                stack[top++] = g->refs[e];
                        }
        }
        *ret = TAKE_PTR(found);
        *ret_n = n;
        return 0;
}

static int compare_node_paths(const void *a, const void *b, void *userdata) {
        char *const *paths = userdata;
        return strcmp(paths[*(const size_t *) a], paths[*(const size_t *) b]);
}

static int rank_nodes(RefGraph *g) {
        size_t n = g->index.n;
        _cleanup_free_ size_t *rank = malloc((n ?: 1) * sizeof *rank), *by_rank = malloc((n ?: 1) * sizeof *by_rank);

        if (!rank || !by_rank)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                by_rank[i] = i;
        qsort_r(by_rank, n, sizeof *by_rank, compare_node_paths, g->index.paths);
        for (size_t r = 0; r < n; r++)
                rank[by_rank[r]] = r;
        g->rank = TAKE_PTR(rank);
        g->by_rank = TAKE_PTR(by_rank);
        return 0;
}

int ref_graph_sort_nodes(RefGraph *g, size_t *nodes, size_t n) {
        _cleanup_free_ uint64_t *bits = NULL;
        size_t words = (g->index.n + 63) / 64, k = 0;
        int r;

        /* Ranking costs about one sort of all nodes: worth it once that
         * many were sorted one closure at a time. */
        if (!g->rank && g->sorted + n > g->index.n) {
                r = rank_nodes(g);
                if (r < 0)
                        return r;
        }
        g->sorted += n;
        if (!g->rank) {
                qsort_r(nodes, n, sizeof *nodes, compare_node_paths, g->index.paths);
                return 0;
        }
        bits = calloc(words ?: 1, sizeof *bits);
        if (!bits)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                bits[g->rank[nodes[i]] / 64] |= UINT64_C(1) << (g->rank[nodes[i]] % 64);
        for (size_t w = 0; w < words; w++)
                for (uint64_t b = bits[w]; b != 0; b &= b - 1)
                        nodes[k++] = g->by_rank[w * 64 + (size_t) __builtin_ctzll(b)];
        return 0;
}

int ref_graph_closure(const RefGraph *g, const size_t *roots, size_t n_roots, PathList *out) {
        _cleanup_free_ size_t *found = NULL;
        size_t n = 0;
        int r;

        r = ref_graph_closure_nodes(g, roots, n_roots, &found, &n);
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = path_list_add(out, g->index.paths[found[i]]);
        return r < 0 ? r : 0;
}
