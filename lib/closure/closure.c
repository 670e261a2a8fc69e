/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "closure.h"
#include "line-reader.h"
#include "ref-graph.h"
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
        if (r == -ENOMEM)
                return r;
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
