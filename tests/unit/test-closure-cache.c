/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "closure-cache.h"
#include "test-util.h"

#define SPEC_FILE "/etc/confinement.d/foo.service.json"

/* closure_cache_get() with whether the caller owns *ret in *owned. */
static int get(ClosureCache *c, const char *closure_info, bool keep, ClosureInfo **ret,
               bool *owned, Diag *d) {
        int r = closure_cache_get(c, closure_info, keep, ret, d);

        if (r >= 0)
                *owned = r > 0;
        return r < 0 ? r : 0;
}

static void cache_init(ClosureCache *c) {
        *c = CLOSURE_CACHE_INIT(test_fs(test_root));
}

START_TEST(test_keep) {
        _cleanup_(closure_cache_done) ClosureCache c;
        _cleanup_(diag_done) Diag d = DIAG_INIT(SPEC_FILE);
        ClosureInfo *a = NULL, *b = NULL;
        bool owned = true;

        cache_init(&c);
        test_write_file(test_root, "/c/store-paths", "/nix/store/bbb-b\n/nix/store/aaa-a\n\n/nix/store/bbb-b\n");
        ck_assert_int_eq(get(&c, "/c", true, &a, &owned, &d), 0);
        ck_assert(!owned);
        ck_assert_str_eq(a->path, "/c");
        /* Sorted and unique. */
        ck_assert_uint_eq(a->store_paths.n, 2);
        ck_assert_str_eq(a->store_paths.items[0], "/nix/store/aaa-a");
        ck_assert_str_eq(a->store_paths.items[1], "/nix/store/bbb-b");
        ck_assert_ptr_null(a->graph);

        /* Asked again, whether to keep or not: the same, read once. */
        test_write_file(test_root, "/c/store-paths", "/nix/store/ccc-changed\n");
        ck_assert_int_eq(get(&c, "/c", false, &b, &owned, &d), 0);
        ck_assert_ptr_eq(a, b);
        ck_assert(!owned);
        ck_assert_ptr_null(d.reason);
}
END_TEST

START_TEST(test_not_kept) {
        _cleanup_(closure_cache_done) ClosureCache c;
        _cleanup_(diag_done) Diag d = DIAG_INIT(SPEC_FILE);
        ClosureInfo *a = NULL, *b = NULL;
        bool owned = false;

        cache_init(&c);
        test_write_file(test_root, "/c/store-paths", "/nix/store/aaa-a\n");
        ck_assert_int_eq(get(&c, "/c", false, &a, &owned, &d), 0);
        ck_assert(owned);
        ck_assert_uint_eq(c.keys.n, 0);
        /* Not kept: read again, and the caller frees each. */
        ck_assert_int_eq(get(&c, "/c", false, &b, &owned, &d), 0);
        ck_assert(owned);
        ck_assert_ptr_ne(a, b);
        closure_info_free(a);
        closure_info_free(b);
        closure_info_free(NULL);
}
END_TEST

START_TEST(test_failure_not_kept) {
        _cleanup_(closure_cache_done) ClosureCache c;
        ClosureInfo *a = NULL;
        bool owned = false;

        cache_init(&c);
        for (unsigned i = 0; i < 2; i++) {
                /* Each spec that asks is told, by name. */
                char spec[64];

                snprintf(spec, sizeof spec, "/etc/confinement.d/s%u.service.json", i);
                _cleanup_(diag_done) Diag d = DIAG_INIT(spec);
                ck_assert_int_eq(get(&c, "/none", true, &a, &owned, &d), -ENOENT);
                ck_assert_ptr_nonnull(d.reason);
                ck_assert_msg(strncmp(d.reason, spec, strlen(spec)) == 0, "%s", d.reason);
        }
        ck_assert_uint_eq(c.keys.n, 0);
}
END_TEST

START_TEST(test_graph) {
        _cleanup_(closure_cache_done) ClosureCache c;
        _cleanup_(diag_done) Diag d = DIAG_INIT(SPEC_FILE);
        RefGraph *g = NULL, *h = NULL;
        ClosureInfo *ci = NULL;
        bool owned;

        cache_init(&c);
        test_write_file(test_root, "/c/store-paths", "/nix/store/aaa-a\n");
        test_write_file(test_root, "/c/registration", "/nix/store/aaa-a\nsha256:0\n1\n\n0\n");
        ck_assert_int_eq(get(&c, "/c", true, &ci, &owned, &d), 0);
        ck_assert_int_eq(closure_info_get_graph(&c, ci, &g, &d), 0);
        ck_assert_ptr_nonnull(g);
        ck_assert_uint_eq(g->index.n, 1);
        /* Read on first use only. */
        ck_assert_int_eq(closure_info_get_graph(&c, ci, &h, &d), 0);
        ck_assert_ptr_eq(g, h);
}
END_TEST

START_TEST(test_graph_missing) {
        _cleanup_(closure_cache_done) ClosureCache c;
        _cleanup_(diag_done) Diag d = DIAG_INIT(SPEC_FILE);
        RefGraph *g = NULL;
        ClosureInfo *ci = NULL;
        bool owned;

        cache_init(&c);
        test_write_file(test_root, "/c/store-paths", "/nix/store/aaa-a\n");
        ck_assert_int_eq(get(&c, "/c", true, &ci, &owned, &d), 0);
        ck_assert_int_eq(closure_info_get_graph(&c, ci, &g, &d), -ENOENT);
        ck_assert_str_eq(d.reason, SPEC_FILE ": key \"closureInfo\": /c/registration: cannot open: "
                                   "No such file or directory.");
}
END_TEST

static Suite *closure_cache_suite(void) {
        Suite *s = suite_create("closure-cache");
        TCase *tc = test_tcase_new("closure_cache", true);

        tcase_add_test(tc, test_keep);
        tcase_add_test(tc, test_not_kept);
        tcase_add_test(tc, test_failure_not_kept);
        tcase_add_test(tc, test_graph);
        tcase_add_test(tc, test_graph_missing);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return test_run_suite(closure_cache_suite());
}
