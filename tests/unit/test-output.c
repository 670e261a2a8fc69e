/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "closure-layer.h"
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

/* Every entry of the run, both passes. */
static void output_all(Run *r, EntryOutput *outs, OutputGeneration **gens, size_t *n_gens) {
        for (size_t i = 0; i < r->entries.n; i++)
                ck_assert_int_eq(output_entry(&r->output, &r->entries.entries[i], &outs[i]), 0);
        ck_assert_int_eq(output_finish(&r->output, outs, r->entries.n, gens, n_gens), 0);
}

static void outs_done(EntryOutput *outs, size_t n) {
        for (size_t i = 0; i < n; i++)
                entry_output_done(&outs[i]);
}

START_TEST(test_states) {
        _cleanup_(run_done) Run r = {};
        static const EntryState states[] = { ENTRY_VALID, ENTRY_VALID, ENTRY_INVALID, ENTRY_MASKED, ENTRY_IGNORED };
        static const size_t n_files[] = { 2, 2, 1, 0, 0 };
        EntryOutput outs[5] = {};

        make_root();
        run_open(&r);
        ck_assert_uint_eq(r.entries.n, 5);
        output_all(&r, outs, NULL, NULL);
        for (size_t i = 0; i < r.entries.n; i++) {
                const EntryOutput *o = &outs[i];

                ck_assert_int_eq(o->state, states[i]);
                ck_assert_uint_eq(o->n_files, n_files[i]);
                ck_assert_ptr_eq(o->entry, &r.entries.entries[i]);
                if (o->n_files > 0) {
                        _cleanup_free_ char *path = NULL;

                        ck_assert_int_ge(asprintf(&path, "%s.d/" DROPIN_NAME, o->unit), 0);
                        ck_assert_str_eq(entry_output_dropin(o)->path, path);
                        ck_assert_ptr_eq(entry_output_find(o, path), entry_output_dropin(o));
                }
        }
        outs_done(outs, 5);
}
END_TEST

START_TEST(test_files) {
        _cleanup_(run_done) Run r = {};
        _cleanup_free_ char *source = NULL, *requires = NULL;
        EntryOutput outs[5] = {};
        const EntryOutput *a = &outs[0], *b = &outs[1], *c = &outs[2];
        OutputGeneration *gens = NULL;
        size_t n_gens = 0;

        make_root();
        run_open(&r);
        /* before the second pass: the template, not yet the drop-in */
        ck_assert_int_eq(output_entry(&r.output, &r.entries.entries[0], &outs[0]), 0);
        ck_assert_uint_eq(a->n_files, 1);
        ck_assert_str_eq(a->gen_id, "");
        entry_output_done(&outs[0]);
        output_done(&r.output);

        output_all(&r, outs, &gens, &n_gens);
        ck_assert_uint_eq(strlen(a->layer_id), 64);
        ck_assert_uint_eq(a->n_layer_paths, 1);
        /* the template of the generation units; the drop-in binds the closure's directory */
        ck_assert_str_eq(a->files[1].path, "confinement-layer@.service");
        ck_assert_ptr_nonnull(strstr(a->files[1].text, "/usr/lib/systemd/system-generators/x --closure-layer"));
        ck_assert_ptr_nonnull(strstr(a->files[1].text, "/run/systemd/generator/confinement-layer/%i"));
        /* the generation: the store directory, the closure's list, its drop-in */
        ck_assert_uint_eq(n_gens, 1);
        ck_assert_str_eq(a->gen_id, gens[0].id);
        ck_assert_int_eq(closure_layer_source(gens[0].id, a->layer_id, &source), 0);
        ck_assert_ptr_nonnull(strstr(a->files[0].text, source));
        ck_assert_int_ge(asprintf(&requires, "Requires=%s", gens[0].unit), 0);
        ck_assert_ptr_nonnull(strstr(a->files[0].text, requires));
        ck_assert_uint_eq(gens[0].n_services, 1);
        ck_assert_uint_eq(gens[0].n_files, 3);
        ck_assert_str_eq(gens[0].files[0].text, "/nix/store\n");
        ck_assert_str_eq(gens[0].files[1].text, "aaa-hello\n");
        ck_assert_ptr_nonnull(strstr(gens[0].files[1].path, a->layer_id));
        ck_assert_ptr_nonnull(strstr(gens[0].files[2].text, "RequiresMountsFor=/nix/store"));
        output_generation_done(&gens[0]);
        free(gens);

        ck_assert_str_eq(b->layer_id, "");
        ck_assert_ptr_nonnull(strstr(b->files[1].path, ".mount"));

        ck_assert_ptr_nonnull(c->reason);
        ck_assert_ptr_nonnull(strstr(c->files[0].text, FAIL_CLOSED_PATH));
        ck_assert_ptr_nonnull(strstr(c->files[0].text, "/etc/none/store-paths"));
        outs_done(outs, 5);
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
        ck_assert_uint_eq(again.n_files, 1); /* the template; the drop-in comes with output_finish() */
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
