/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "closure.h"
#include "test-util.h"

#define SPEC_FILE "/etc/confinement.d/foo.service.json"

/* A closureInfo /c of three paths: hello refers to lib, bash stands alone. */
static void make_closure_info(void) {
        test_write_file(test_root, "/c/store-paths", "/nix/store/aaa-hello\n/nix/store/bbb-bash\n/nix/store/ccc-lib\n");
        test_write_file(test_root, "/c/registration",
                        "/nix/store/aaa-hello\nsha256:0\n1\n\n1\n/nix/store/ccc-lib\n"
                        "/nix/store/bbb-bash\nsha256:0\n1\n\n0\n"
                        "/nix/store/ccc-lib\nsha256:0\n1\n\n0\n");
        test_write_file(test_root, "/d/store-paths", "/nix/store/ccc-lib\n/nix/store/ddd-data\n");
}

static Spec *spec_from(const char *json) {
        _cleanup_(diag_done) Diag d = {};
        Spec *s = NULL;

        ck_assert_msg(spec_parse(SPEC_FILE, json, strlen(json), &s, &d) == 0, "%s", strempty(d.reason));
        return s;
}

/* The closure of json's spec, its paths joined by " "; r and the reason as expected. */
static char *closure_of(const char *json, const PathList *unit_paths, bool unit_installed, int expected_r,
                        const char *expected_reason) {
        _cleanup_(closure_cache_done) ClosureCache cache = CLOSURE_CACHE_INIT(test_fs(test_root));
        _cleanup_(closure_done) Closure c = {};
        _cleanup_spec_ Spec *s = spec_from(json);
        _cleanup_(diag_done) Diag d = {};
        char *joined = NULL;
        size_t size = 0;
        FILE *f;
        int r;

        r = closure_compute(&cache, s, unit_paths, unit_installed, &c, &d);
        ck_assert_int_eq(r, expected_r);
        if (expected_reason)
                ck_assert_str_eq(strempty(d.reason), expected_reason);
        f = open_memstream(&joined, &size);
        ck_assert_ptr_nonnull(f);
        for (size_t i = 0; r >= 0 && i < c.n; i++)
                fprintf(f, "%s%s", i ? " " : "", c.paths[i]);
        ck_assert_int_eq(fclose(f), 0);
        return joined;
}

START_TEST(test_store_paths) {
        _cleanup_free_ char *one = NULL, *two = NULL;

        /* Without roots: every path of store-paths, of several closureInfos
         * merged, sorted and each once. */
        make_closure_info();
        one = closure_of("{\"closureInfo\": \"/c\"}", NULL, false, 0, NULL);
        ck_assert_str_eq(one, "/nix/store/aaa-hello /nix/store/bbb-bash /nix/store/ccc-lib");
        two = closure_of("{\"closureInfo\": [\"/d\", \"/c\"]}", NULL, false, 0, NULL);
        ck_assert_str_eq(two, "/nix/store/aaa-hello /nix/store/bbb-bash /nix/store/ccc-lib /nix/store/ddd-data");
}
END_TEST

START_TEST(test_roots) {
        _cleanup_(path_list_done) PathList unit_paths = {};
        _cleanup_free_ char *pkg = NULL, *unit = NULL, *missing = NULL, *not_installed = NULL;

        /* packages and the unit's store paths: their closure in the graph. */
        make_closure_info();
        pkg = closure_of("{\"closureInfo\": \"/c\", \"packages\": [\"/nix/store/aaa-hello/bin/hello\"]}", NULL,
                         false, 0, NULL);
        ck_assert_str_eq(pkg, "/nix/store/aaa-hello /nix/store/ccc-lib");

        ck_assert_int_eq(path_list_add(&unit_paths, "/nix/store/bbb-bash"), 0);
        unit = closure_of("{\"closureInfo\": \"/c\", \"unitRoots\": \"exec\"}", &unit_paths, true, 0, NULL);
        ck_assert_str_eq(unit, "/nix/store/bbb-bash");

        /* A root outside store-paths, a unit that is not installed. */
        missing = closure_of("{\"closureInfo\": \"/c\", \"packages\": [\"/nix/store/ddd-data\"]}", NULL, false,
                             -EINVAL, NULL);
        not_installed = closure_of("{\"closureInfo\": \"/c\", \"unitRoots\": \"exec\"}", NULL, false, -EINVAL, NULL);
}
END_TEST

START_TEST(test_contains) {
        const char *paths[] = { "/nix/store/a", "/nix/store/b" };
        Closure c = { .paths = paths, .n = 2 };
        Closure empty = {};

        ck_assert(closure_contains(&c, "/nix/store/b"));
        ck_assert(!closure_contains(&c, "/nix/store/c"));
        ck_assert(!closure_contains(&empty, "/nix/store/a"));
}
END_TEST

int main(void) {
        Suite *s = suite_create("closure");
        TCase *tc = test_tcase_new("closure", true);

        tcase_add_test(tc, test_store_paths);
        tcase_add_test(tc, test_roots);
        tcase_add_test(tc, test_contains);
        suite_add_tcase(s, tc);
        return test_run_suite(s);
}
