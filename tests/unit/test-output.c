/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "dropin.h"
#include "output.h"
#include "test-util.h"

typedef struct Run {
        SpecEntries entries;
        Resolver resolver;
        Output output;
} Run;

static void run_done(Run *r) {
        output_done(&r->output);
        resolver_done(&r->resolver);
        spec_entries_done(&r->entries);
}

static void run_open(Run *r) {
        ck_assert_int_eq(spec_dirs_enumerate(test_fs(test_root), &r->entries), 0);
        ck_assert_int_eq(resolver_init(&r->resolver, test_fs(test_root), NULL), 0);
        r->output = OUTPUT_INIT(&r->resolver, "/run/systemd/generator", "/usr/lib/systemd/system-generators/x");
}

static void make_root(void) {
        test_store_path(test_root, "/nix/store/aaa-hello");
        test_write_file(test_root, "/etc/c/store-paths", "/nix/store/aaa-hello\n");
        test_write_file(test_root, "/etc/confinement.d/a.service.json", "{\"closureInfo\": \"/etc/c\"}");
        test_write_file(test_root, "/etc/confinement.d/b.service.json",
                        "{\"closureInfo\": \"/etc/c\", \"bindMethod\": \"view\"}");
        test_write_file(test_root, "/etc/confinement.d/c.service.json", "{\"closureInfo\": \"/etc/none\"}");
        test_write_file(test_root, "/etc/confinement.d/d.service.json", "");
        test_write_file(test_root, "/etc/confinement.d/e.json", "{}");
}

START_TEST(test_states) {
        _cleanup_(run_done) Run r = {};
        static const EntryState states[] = { ENTRY_VALID, ENTRY_VALID, ENTRY_INVALID, ENTRY_MASKED, ENTRY_IGNORED };
        static const size_t n_files[] = { 3, 2, 1, 0, 0 };

        make_root();
        run_open(&r);
        ck_assert_uint_eq(r.entries.n, 5);
        for (size_t i = 0; i < r.entries.n; i++) {
                _cleanup_(entry_output_done) EntryOutput o = {};

                ck_assert_int_eq(output_entry(&r.output, &r.entries.entries[i], &o), 0);
                ck_assert_int_eq(o.state, states[i]);
                ck_assert_uint_eq(o.n_files, n_files[i]);
                ck_assert_ptr_eq(o.entry, &r.entries.entries[i]);
                if (o.n_files > 0) {
                        _cleanup_free_ char *path = NULL;

                        ck_assert_int_ge(asprintf(&path, "%s.d/" DROPIN_NAME, o.unit), 0);
                        ck_assert_str_eq(entry_output_dropin(&o)->path, path);
                        ck_assert_ptr_eq(entry_output_find(&o, path), entry_output_dropin(&o));
                }
        }
}
END_TEST

START_TEST(test_files) {
        _cleanup_(run_done) Run r = {};
        _cleanup_(entry_output_done) EntryOutput a = {}, b = {}, c = {};
        _cleanup_free_ char *unit = NULL, *list = NULL;

        make_root();
        run_open(&r);
        ck_assert_int_eq(output_entry(&r.output, &r.entries.entries[0], &a), 0);
        ck_assert_uint_eq(strlen(a.layer_id), 64);
        ck_assert_uint_eq(a.n_layer_paths, 1);
        ck_assert_int_ge(asprintf(&unit, "confinement-layer-%s.service", a.layer_id), 0);
        ck_assert_int_ge(asprintf(&list, "confinement-layer/%s", a.layer_id), 0);
        ck_assert_str_eq(a.files[1].path, unit);
        ck_assert_str_eq(a.files[2].path, list);
        ck_assert_str_eq(a.files[2].text, "aaa-hello\n");
        ck_assert_uint_eq(a.files[2].size, strlen("aaa-hello\n"));
        ck_assert_ptr_nonnull(strstr(a.files[1].text, "/usr/lib/systemd/system-generators/x --closure-layer"));
        ck_assert_ptr_nonnull(strstr(a.files[1].text, "/run/systemd/generator/confinement-layer/"));
        ck_assert_ptr_nonnull(strstr(a.files[0].text, unit));

        ck_assert_int_eq(output_entry(&r.output, &r.entries.entries[1], &b), 0);
        ck_assert_str_eq(b.layer_id, "");
        ck_assert_ptr_nonnull(strstr(b.files[1].path, ".mount"));

        ck_assert_int_eq(output_entry(&r.output, &r.entries.entries[2], &c), 0);
        ck_assert_ptr_nonnull(c.reason);
        ck_assert_ptr_nonnull(strstr(c.files[0].text, FAIL_CLOSED_PATH));
        ck_assert_ptr_nonnull(strstr(c.files[0].text, "/etc/none/store-paths"));
}
END_TEST

/* Two closures, one layer ID: the later one is refused, the same closure
 * again is not. */
START_TEST(test_layer_collision) {
        _cleanup_(run_done) Run r = {};
        _cleanup_(entry_output_done) EntryOutput a = {}, again = {}, other = {};

        make_root();
        run_open(&r);
        ck_assert_int_eq(output_entry(&r.output, &r.entries.entries[0], &a), 0);
        ck_assert_uint_eq(r.output.n_layers, 1);
        ck_assert_int_eq(output_entry(&r.output, &r.entries.entries[0], &again), 0);
        ck_assert_int_eq(again.state, ENTRY_VALID);
        ck_assert_uint_eq(again.n_files, 3);
        ck_assert_uint_eq(r.output.n_layers, 1);

        /* as if another closure had had that ID first */
        free(r.output.layers[0].list);
        r.output.layers[0].list = strdup("zzz-other\n");
        ck_assert_ptr_nonnull(r.output.layers[0].list);
        ck_assert_int_eq(output_entry(&r.output, &r.entries.entries[0], &other), 0);
        ck_assert_int_eq(other.state, ENTRY_INVALID);
        ck_assert_uint_eq(other.n_files, 1);
        ck_assert_ptr_null(other.confinement);
        ck_assert_ptr_nonnull(strstr(other.reason, "collides with another closure's"));
        ck_assert_ptr_nonnull(strstr(other.files[0].text, FAIL_CLOSED_PATH));
}
END_TEST

START_TEST(test_refuse) {
        _cleanup_(run_done) Run r = {};
        _cleanup_(entry_output_done) EntryOutput a = {};

        make_root();
        run_open(&r);
        ck_assert_int_eq(output_entry(&r.output, &r.entries.entries[0], &a), 0);
        ck_assert_int_eq(entry_output_refuse(&a, "/x.json: cannot write it."), 0);
        ck_assert_int_eq(a.state, ENTRY_INVALID);
        ck_assert_uint_eq(a.n_files, 1);
        ck_assert_str_eq(a.reason, "/x.json: cannot write it.");
        ck_assert_ptr_nonnull(strstr(a.files[0].text, "cannot write it."));
}
END_TEST

static Suite *output_suite(void) {
        Suite *s = suite_create("output");
        TCase *tc = test_tcase_new("output", true);

        tcase_add_test(tc, test_states);
        tcase_add_test(tc, test_files);
        tcase_add_test(tc, test_layer_collision);
        tcase_add_test(tc, test_refuse);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return test_run_suite(output_suite());
}
