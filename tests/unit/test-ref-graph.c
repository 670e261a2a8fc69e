/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "closure-read.h"
#include "ref-graph.h"
#include "test-util.h"

#define SPEC_FILE "/etc/confinement.d/foo.service.json"
#define NAME "/c/registration"
#define PREFIX SPEC_FILE ": key \"closureInfo\": "

/* One record of nix-store --dump-db. */
#define RECORD(path, refs) path "\nsha256:0000\n1024\n\n" refs
#define A "/nix/store/aaa-a"
#define B "/nix/store/bbb-b"
#define C "/nix/store/ccc-c"
#define D "/nix/store/ddd-d"

static int parse(const char *text, size_t size, RefGraph **ret, char **ret_reason) {
        _cleanup_fclose_ FILE *f = fmemopen((void *) text, size, "r");
        Diag d = DIAG_INIT(SPEC_FILE);
        int r;

        ck_assert_ptr_nonnull(f);
        r = registration_parse(f, NAME, ret, &d);
        if (ret_reason)
                *ret_reason = d.reason;
        else
                diag_done(&d);
        return r;
}

static RefGraph *parse_ok(const char *text) {
        _cleanup_free_ char *reason = NULL;
        RefGraph *g = NULL;

        ck_assert_msg(parse(text, strlen(text), &g, &reason) == 0, "%s", strempty(reason));
        ck_assert_ptr_nonnull(g);
        return g;
}

static void assert_bad(const char *text, const char *expected_reason) {
        _cleanup_free_ char *reason = NULL;
        RefGraph *g = NULL;

        ck_assert_int_lt(parse(text, strlen(text), &g, &reason), 0);
        ck_assert_ptr_null(g);
        ck_assert_ptr_nonnull(reason);
        ck_assert_str_eq(reason, expected_reason);
}

/* The closure of roots, sorted, joined by " ". */
static char *closure_of(const RefGraph *g, const char *const *roots, size_t n) {
        _cleanup_(path_list_done) PathList out = {};
        _cleanup_free_ size_t *nodes = calloc(n ?: 1, sizeof *nodes);
        char *buf = NULL;
        size_t size = 0;
        FILE *f;

        ck_assert_ptr_nonnull(nodes);
        for (size_t i = 0; i < n; i++) {
                ssize_t v = path_index_find(&g->index, roots[i]);
                ck_assert_int_ge(v, 0);
                nodes[i] = (size_t) v;
        }
        ck_assert_int_eq(ref_graph_closure(g, nodes, n, &out), 0);
        /* Each path once, without sorting. */
        {
                size_t before = out.n;
                path_list_sort_unique(&out);
                ck_assert_uint_eq(out.n, before);
        }
        f = open_memstream(&buf, &size);
        ck_assert_ptr_nonnull(f);
        for (size_t i = 0; i < out.n; i++)
                fprintf(f, "%s%s", i > 0 ? " " : "", out.items[i]);
        ck_assert_int_eq(fclose(f), 0);
        return buf;
}

static void assert_closure(const RefGraph *g, const char *const *roots, size_t n, const char *expected) {
        _cleanup_free_ char *got = closure_of(g, roots, n);

        ck_assert_str_eq(got, expected);
}

START_TEST(test_parse_and_closure) {
        _cleanup_ref_graph_ RefGraph *g = parse_ok(
                RECORD(A, "2\n" B "\n" A "\n")      /* a self-reference, as most store paths have */
                RECORD(B, "1\n" C "\n")
                RECORD(C, "1\n" B "\n")              /* a cycle */
                RECORD(D, "0\n"));

        ck_assert_uint_eq(g->index.n, 4);
        assert_closure(g, (const char *[]) { A }, 1, A " " B " " C);
        assert_closure(g, (const char *[]) { B }, 1, B " " C);
        assert_closure(g, (const char *[]) { C }, 1, B " " C);
        assert_closure(g, (const char *[]) { D }, 1, D);
        assert_closure(g, (const char *[]) { D, C, D }, 3, B " " C " " D);
        assert_closure(g, NULL, 0, "");
}
END_TEST

START_TEST(test_forward_references_and_blank_lines) {
        /* A path may be referred to before its own record, and blank lines
         * between records are tolerated; the deriver line may be set. */
        _cleanup_ref_graph_ RefGraph *g = parse_ok(
                "\n"
                A "\nsha256:1111\n42\n/nix/store/xxx-a.drv\n1\n" C "\n"
                "\n\n"
                RECORD(C, "0\n")
                "\n");

        assert_closure(g, (const char *[]) { A }, 1, A " " C);
}
END_TEST

START_TEST(test_empty) {
        _cleanup_ref_graph_ RefGraph *g = parse_ok("");

        ck_assert_uint_eq(g->index.n, 0);
        assert_closure(g, NULL, 0, "");
}
END_TEST

START_TEST(test_bad) {
        assert_bad(RECORD(A, "1\n" B "\n"),
                   PREFIX NAME ": a path refers to " B ", which is not registered.");
        assert_bad(RECORD(A, "0\n") RECORD(A, "0\n"),
                   PREFIX NAME ":6: expected each path registered once, got \"" A "\".");
        assert_bad(A "\n\n1024\n\n0\n",
                   PREFIX NAME ":2: expected a NAR hash, got \"\".");
        assert_bad(A "\nsha256:0000\nbig\n\n0\n",
                   PREFIX NAME ":3: expected a NAR size, got \"big\".");
        assert_bad(A "\nsha256:0000\n-1\n\n0\n",
                   PREFIX NAME ":3: expected a NAR size, got \"-1\".");
        assert_bad(A "\nsha256:0000\n1024\n\n1x\n",
                   PREFIX NAME ":5: expected a number of references, got \"1x\".");
        assert_bad(A "\nsha256:0000\n1024\n\n99999999999999999999999\n",
                   PREFIX NAME ":5: expected a number of references, got \"99999999999999999999999\".");
        assert_bad(A "\nsha256:0000\n1024\n\n1000001\n",
                   PREFIX NAME ":5: expected at most 1000000 references, got \"1000001\".");
        assert_bad(A "\nsha256:0000\n1024\n",
                   PREFIX NAME ":3: expected a deriver or an empty line, got the end of the file.");
        assert_bad(A "\nsha256:0000\n1024\n\n2\n" A "\n",
                   PREFIX NAME ":6: expected a reference, got the end of the file.");
        assert_bad("nix/store/aaa-a\n",
                   PREFIX NAME ":1: expected an absolute, normalized store path, got \"nix/store/aaa-a\".");
        assert_bad(RECORD(A, "1\n/nix/store/../etc\n"),
                   PREFIX NAME ":6: expected an absolute, normalized store path, got \"/nix/store/../etc\".");
}
END_TEST

START_TEST(test_bad_nul) {
        _cleanup_free_ char *reason = NULL;
        const char text[] = A "\nsha\0" "256\n";
        RefGraph *g = NULL;

        ck_assert_int_eq(parse(text, sizeof text - 1, &g, &reason), -EINVAL);
        ck_assert_str_eq(reason, PREFIX NAME ":2: contains a NUL byte.");
}
END_TEST

START_TEST(test_read) {
        _cleanup_ref_graph_ RefGraph *g = NULL;
        _cleanup_free_ char *reason = NULL;
        Diag d = DIAG_INIT(SPEC_FILE);

        test_write_file(test_root, "/c/registration", RECORD(A, "0\n"));
        ck_assert_int_eq(registration_read(&(ClosureSource) { test_fs(test_root), "/c", &d }, &g), 0);
        ck_assert_uint_eq(g->index.n, 1);
        ck_assert_ptr_null(d.reason);

        ck_assert_int_eq(registration_read(&(ClosureSource) { test_fs(test_root), "/none", &d }, &g), -ENOENT);
        reason = d.reason;
        ck_assert_str_eq(reason, PREFIX "/none/registration: cannot open: No such file or directory.");
}
END_TEST

START_TEST(test_read_trust_all) {
        Root *trusting = test_fs(test_root);
        _cleanup_ref_graph_ RefGraph *g = NULL;
        _cleanup_free_ char *reason = NULL;
        Diag d = DIAG_INIT(SPEC_FILE);

        /* A registration anyone could change: refused, unless the root
         * trusts all (confinementctl check --no-trust-check). */
        test_write_file(test_root, "/c/registration", RECORD(A, "0\n"));
        test_chmod(test_root, "/c/registration", 0666);
        ck_assert_int_eq(registration_read(&(ClosureSource) { test_fs(test_root), "/c", &d }, &g), -EPERM);
        reason = d.reason;
        d.reason = NULL;
        ck_assert_ptr_nonnull(strstr(reason, "which an unprivileged user could change"));
        trusting->trust_all = true;
        ck_assert_int_eq(registration_read(&(ClosureSource) { trusting, "/c", &d }, &g), 0);
        ck_assert_uint_eq(g->index.n, 1);
        ck_assert_ptr_null(d.reason);
}
END_TEST

START_TEST(test_sort_nodes) {
        _cleanup_ref_graph_ RefGraph *g = NULL;
        _cleanup_free_ char *text = NULL;
        char *t;
        size_t n = 0;

        /* 200 paths registered in an order that is not theirs: sorts by
         * comparing paths first, then (past 200 nodes sorted) by rank; the
         * order is the same either way. */
        text = malloc(200 * 64);
        ck_assert_ptr_nonnull(text);
        t = text;
        for (unsigned i = 0; i < 200; i++)
                t += sprintf(t, RECORD("/nix/store/%03u-p", "0\n"), (i * 83) % 200);
        g = parse_ok(text);
        ck_assert_uint_eq(g->index.n, 200);
        for (unsigned round = 0; round < 8; round++) {
                size_t nodes[60];

                n = 0;
                for (size_t v = round; v < g->index.n && n < ELEMENTSOF(nodes); v += 3)
                        nodes[n++] = v;
                ck_assert_int_eq(ref_graph_sort_nodes(g, nodes, n), 0);
                for (size_t i = 1; i < n; i++)
                        ck_assert_int_lt(strcmp(g->index.paths[nodes[i - 1]], g->index.paths[nodes[i]]), 0);
                ck_assert(round < 3 ? g->rank == NULL : g->rank != NULL);
        }
}
END_TEST

static Suite *ref_graph_suite(void) {
        Suite *s = suite_create("ref-graph");
        TCase *tc;

        tc = test_tcase_new("registration", false);
        tcase_add_test(tc, test_parse_and_closure);
        tcase_add_test(tc, test_forward_references_and_blank_lines);
        tcase_add_test(tc, test_empty);
        tcase_add_test(tc, test_sort_nodes);
        tcase_add_test(tc, test_bad);
        tcase_add_test(tc, test_bad_nul);
        suite_add_tcase(s, tc);

        tc = test_tcase_new("read", true);
        tcase_add_test(tc, test_read);
        tcase_add_test(tc, test_read_trust_all);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return test_run_suite(ref_graph_suite());
}
