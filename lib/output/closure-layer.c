/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "closure-layer.h"
#include "log.h"
#include "macro.h"
#include "path-util.h"
#include "sha256.h"
#include "unit-escape.h"

void closure_layer_id(const char *store_dir, const char *const *names, size_t n, char ret[CLOSURE_LAYER_ID_MAX]) {
        Sha256 h;

        assert(store_dir);
        assert(names || n == 0);
        /* The store directory and its NUL, then each name and a line
         * break: no two lists hash the same input. */
        sha256_init(&h);
        sha256_update(&h, store_dir, strlen(store_dir) + 1);
        for (size_t i = 0; i < n; i++) {
                sha256_update(&h, names[i], strlen(names[i]));
                sha256_update(&h, "\n", 1);
        }
        sha256_final_hex(&h, ret);
}

int closure_layer_of(const Confinement *c, const char ***ret_names, char ret_id[CLOSURE_LAYER_ID_MAX]) {
        _cleanup_free_ const char **names = NULL;
        size_t n = 0;

        assert(c);
        assert(ret_id);
        for (size_t i = 0; i < c->n_binds; i++)
                n += c->binds[i].kind == BIND_IN_LAYER;
        if (n == 0) {
                if (ret_names)
                        *ret_names = NULL;
                return 0;
        }
        names = malloc(n * sizeof *names);
        if (!names)
                return -ENOMEM;
        n = 0;
        for (size_t i = 0; i < c->n_binds; i++)
                if (c->binds[i].kind == BIND_IN_LAYER) {
                        const char *name = path_startswith(c->binds[i].target, c->store_dir);
                        assert(name && *name);
                        names[n++] = name;
                }
        closure_layer_id(c->store_dir, names, n, ret_id);
        if (ret_names)
                *ret_names = TAKE_PTR(names);
        return (int) n;
}

int closure_layer_dropin_unit(const char *gen, FILE *f) {
        assert(gen);
        assert(f);
        fprintf(f,
                "\n[Unit]\n"
                "# The closure is a directory of the read-only overlay of the closures\n"
                "# this run confined in the store (its generation). Its unit mounts it\n"
                "# first; if it fails, the service does not start.\n"
                "Requires=confinement-layer@%s.service\n"
                "After=confinement-layer@%s.service\n",
                gen, gen);
        return ferror(f) ? -ENOMEM : 0;
}

int closure_layer_dropin_bind(const char *gen, const char *id, const char *store_dir, size_t n_paths, FILE *f) {
        _cleanup_free_ char *source = NULL, *e_source = NULL, *e_store = NULL;
        int r;

        assert(gen);
        assert(id);
        assert(store_dir);
        assert(f);
        r = closure_layer_source(gen, id, &source);
        if (r < 0)
                return r;
        e_source = unit_escape_word(source);
        e_store = unit_escape_word(store_dir);
        if (!e_source || !e_store)
                return -ENOMEM;
        fprintf(f,
                "# Its %zu store paths: one bind of the closure's directory of the\n"
                "# overlay, which shows nothing else of the store and cannot be written.\n"
                "# Without it the bind, and the start, fail.\n"
                "BindReadOnlyPaths=%s:%s\n",
                n_paths, e_source, e_store);
        return ferror(f) ? -ENOMEM : 0;
}

char *closure_layer_list(const char *const *names, size_t n) {
        size_t size = 1;
        char *list, *t;

        assert(names || n == 0);
        for (size_t i = 0; i < n; i++)
                size += strlen(names[i]) + 1;
        list = t = malloc(size);
        if (!list)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                t = stpcpy(t, names[i]);
                *t++ = '\n';
        }
        *t = '\0';
        return list;
}

/* The length of a generation ID after a mark at a and at b, both; else 0. */
static size_t generation_at(const char *a, const char *b) {
        static const char *const marks[] = { "confinement-layer@", CLOSURE_LAYER_DIR "/" };
        static const char hex[] = "0123456789abcdef";
        const size_t n = CLOSURE_LAYER_ID_MAX - 1;

        for (size_t k = 0; k < ELEMENTSOF(marks); k++) {
                size_t m = strlen(marks[k]);

                if (strncmp(a, marks[k], m) == 0 && strncmp(b, marks[k], m) == 0 && strspn(a + m, hex) == n &&
                    strspn(b + m, hex) == n)
                        return m + n;
        }
        return 0;
}

bool closure_layer_same_but_generation(const char *a, const char *b) {
        assert(a);
        assert(b);

        while (*a && *a == *b) {
                size_t skip = generation_at(a, b) ?: 1;

                a += skip;
                b += skip;
        }
        return *a == *b;
}

int closure_layer_source(const char *gen, const char *id, char **ret) {
        assert(gen);
        assert(id);
        assert(ret);
        return asprintf(ret, CLOSURE_LAYER_DIR "/%s/root/%s", gen, id) < 0 ? -ENOMEM : 0;
}
