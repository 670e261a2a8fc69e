/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "closure-layer.h"
#include "layer-generation.h"
#include "dropin.h"
#include "generator.h"
#include "test-util.h"

#define MOUNT_NIX "run-confinement\\x2dview-nix-store.mount"
#define MOUNT_GNU "run-confinement\\x2dview-gnu-store.mount"
/* No bindMethod: the default, the closure's overlay. */
#define SPEC "{\"closureInfo\": \"/etc/closures/hello\"}\n"
#define SPEC_VIEW "{\"closureInfo\": \"/etc/closures/hello\", \"bindMethod\": \"view\"}\n"

static char *out = NULL;

static void out_setup(void) {
        out = test_tmpdir_new();
}

static void out_teardown(void) {
        test_tmpdir_remove(out);
        out = NULL;
}

/* A root with a small store and one closure over it. */
static void make_root(void) {
        test_store_path(test_root, "/nix/store/aaa-hello");
        test_store_path(test_root, "/nix/store/bbb-lib");
        test_write_file(test_root, "/etc/closures/hello/store-paths", "/nix/store/aaa-hello\n/nix/store/bbb-lib\n");
}

/* The generation unit of make_root()'s one closure (to free). */
static char *hello_layer_unit(void) {
        const char *names[] = { "aaa-hello", "bbb-lib" };
        char id[CLOSURE_LAYER_ID_MAX], gen[CLOSURE_LAYER_ID_MAX];
        char *unit = NULL;

        closure_layer_id("/nix/store", names, ELEMENTSOF(names), id);
        ck_assert_int_eq(layer_generation_id("/nix/store", &(LayerClosure) { id, "aaa-hello\nbbb-lib\n" }, 1, gen), 0);
        ck_assert_int_eq(layer_generation_unit_name(gen, &unit), 0);
        return unit;
}

/* The top of the output directory, sorted: before, the layer lists, the
 * template and the generation's drop-in directory of make_root()'s
 * closure, after (to free). */
static char *with_hello_layer(const char *before, const char *after) {
        _cleanup_free_ char *unit = hello_layer_unit();
        char *s = NULL;

        ck_assert_int_ge(asprintf(&s, "%s" CLOSURE_LAYER_LISTS " " LAYER_GENERATION_TEMPLATE " %s.d%s", before, unit,
                                  after),
                         0);
        return s;
}

static void write_spec(const char *dir, const char *name, const char *content) {
        _cleanup_free_ char *p = NULL;

        ck_assert_int_ge(asprintf(&p, "%s/%s", dir, name), 0);
        test_write_file(test_root, p, content);
}

static void run(void) {
        ck_assert_int_eq(generator_run(test_root, out, NULL), 0);
}

static char *read_dropin(const char *unit) {
        _cleanup_free_ char *p = NULL;

        ck_assert_int_ge(asprintf(&p, "/%s.d/" DROPIN_NAME, unit), 0);
        return test_read_file(out, p);
}

static void assert_listing(const char *dir, const char *expected) {
        _cleanup_free_ char *names = test_list_dir(out, dir);

        ck_assert_str_eq(names, expected);
}

/* Confined with the default bindMethod: one bind of a closure's overlay,
 * after its layer unit. */
static void assert_confined(const char *unit) {
        _cleanup_free_ char *text = read_dropin(unit);

        ck_assert_msg(text, "no drop-in for %s", unit);
        ck_assert_msg(test_has_line(text, "RootDirectory=/run/confinement/%n"), "%s", text);
        ck_assert_msg(test_count_lines_with_prefix(text, "Requires=confinement-layer@") == 1, "%s", text);
        ck_assert_msg(test_count_lines_with_prefix(text, "BindReadOnlyPaths=" CLOSURE_LAYER_DIR "/") == 1, "%s", text);
        ck_assert_msg(test_count_lines_with_prefix(text, "BindPaths=/run/confinement-view/") == 0, "%s", text);
        ck_assert_msg(!strstr(text, FAIL_CLOSED_PATH), "%s", text);
}

static void assert_fail_closed(const char *unit, const char *fragment) {
        _cleanup_free_ char *text = read_dropin(unit);

        ck_assert_msg(text, "no drop-in for %s", unit);
        ck_assert_msg(test_has_line(text, "AssertPathExists=" FAIL_CLOSED_PATH), "%s", text);
        ck_assert_uint_eq(test_count_lines_with_prefix(text, "RootDirectory="), 0);
        ck_assert_uint_eq(test_count_lines_with_prefix(text, "Bind"), 0);
        ck_assert_msg(strstr(text, fragment), "no \"%s\" in:\n%s", fragment, text);
}

START_TEST(test_plain_template_instance) {
        _cleanup_free_ char *top = with_hello_layer("", " foo.service.d web@.service.d web@blue.service.d"),
                            *unit = hello_layer_unit(), *path = NULL, *layer = NULL;

        make_root();
        write_spec("/etc/confinement.d", "foo.service.json", SPEC);
        write_spec("/usr/lib/confinement.d", "web@.service.json", SPEC);
        write_spec("/run/confinement.d", "web@blue.service.json", SPEC);
        run();

        /* Each spec its own drop-in directory, named after the unit; one
         * layer unit for the closure they share, no view. */
        assert_listing("/", top);
        assert_listing("/foo.service.d", DROPIN_NAME);
        assert_confined("foo.service");
        assert_confined("web@.service");
        assert_confined("web@blue.service");

        layer = test_read_file(out, "/" LAYER_GENERATION_TEMPLATE);
        ck_assert_ptr_nonnull(layer);
        ck_assert(test_has_line(layer, "Type=oneshot"));
        ck_assert(test_has_line(layer, "RemainAfterExit=yes"));
        ck_assert(test_has_line(layer, "StopWhenUnneeded=yes"));
        /* each service's drop-in Requires= the generation */
        free(layer);
        layer = read_dropin("foo.service");
        ck_assert_int_ge(asprintf(&path, "Requires=%s", unit), 0);
        ck_assert_msg(test_has_line(layer, path), "%s", layer);
        ck_assert(!test_exists(out, "/" MOUNT_NIX));
}
END_TEST

START_TEST(test_modes) {
        _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL;

        make_root();
        write_spec("/etc/confinement.d", "a.service.json",
                   "{\"closureInfo\": \"/etc/closures/hello\", \"mode\": \"chroot-only\"}");
        write_spec("/etc/confinement.d", "b.service.json",
                   "{\"closureInfo\": \"/etc/closures/hello\", \"mode\": \"full\"}");
        write_spec("/etc/confinement.d", "c.service.json", SPEC);
        run();
        a = read_dropin("a.service");
        b = read_dropin("b.service");
        c = read_dropin("c.service");
        ck_assert(test_has_line(a, "MountAPIVFS=no"));
        ck_assert(test_has_line(b, "MountAPIVFS=yes"));
        ck_assert(test_has_line(b, "NoNewPrivileges=yes"));
        ck_assert(test_has_line(c, "MountAPIVFS=yes"));
        ck_assert(!test_has_line(c, "NoNewPrivileges=yes"));
}
END_TEST

START_TEST(test_masked) {
        _cleanup_free_ char *top = with_hello_layer("baz.service.d ", "");

        make_root();
        write_spec("/usr/lib/confinement.d", "foo.service.json", SPEC);
        test_symlink(test_root, "/etc/confinement.d/foo.service.json", "/dev/null");
        write_spec("/usr/lib/confinement.d", "bar.service.json", SPEC);
        write_spec("/run/confinement.d", "bar.service.json", "");
        write_spec("/usr/lib/confinement.d", "baz.service.json", SPEC);
        run();
        /* Masked: not confined, and no drop-in at all. */
        assert_listing("/", top);
        assert_confined("baz.service");
}
END_TEST

START_TEST(test_invalid_names_skipped) {
        _cleanup_free_ char *top = with_hello_layer("", " ok.service.d");

        make_root();
        write_spec("/etc/confinement.d", "foo.json", SPEC);
        write_spec("/etc/confinement.d", "foo.socket.json", SPEC);
        write_spec("/etc/confinement.d", "@.service.json", SPEC);
        write_spec("/etc/confinement.d", "@foo.service.json", SPEC);
        write_spec("/etc/confinement.d", "foo bar.service.json", SPEC);
        write_spec("/etc/confinement.d", "f%oo.service.json", SPEC);
        write_spec("/etc/confinement.d", ".service.json", SPEC);
        write_spec("/etc/confinement.d", "foo.service", SPEC);
        write_spec("/etc/confinement.d", "ok.service.json", SPEC);
        run();
        assert_listing("/", top);
}
END_TEST

START_TEST(test_none) {
        run();
        assert_listing("/", "");
        /* Spec directories without specs. */
        test_mkdir_p(test_root, "/etc/confinement.d");
        test_mkdir_p(test_root, "/usr/lib/confinement.d");
        run();
        assert_listing("/", "");
        /* The last spec gone while its generation is mounted: the template
         * alone, so that the instance loads, and stops as unneeded. */
        test_mkdir_p(test_root, CLOSURE_LAYER_DIR);
        run();
        assert_listing("/", "");
        test_mkdir_p(test_root, CLOSURE_LAYER_DIR "/0123456789abcdef");
        run();
        assert_listing("/", LAYER_GENERATION_TEMPLATE);
}
END_TEST

START_TEST(test_mount_unit_per_store_dir) {
        make_root();
        test_store_path(test_root, "/gnu/store/aaa-guile");
        test_write_file(test_root, "/etc/closures/guile/store-paths", "/gnu/store/aaa-guile\n");
        write_spec("/etc/confinement.d", "a.service.json", SPEC_VIEW);
        write_spec("/etc/confinement.d", "b.service.json", SPEC_VIEW);
        write_spec("/etc/confinement.d", "c.service.json",
                   "{\"closureInfo\": \"/etc/closures/guile\", \"storeDir\": \"/gnu/store\","
                   " \"bindMethod\": \"view\"}");
        write_spec("/etc/confinement.d", "d.service.json",
                   "{\"closureInfo\": \"/etc/closures/guile\", \"storeDir\": \"/gnu/store\","
                   " \"bindMethod\": \"view\"}");
        run();
        assert_listing("/", "a.service.d b.service.d c.service.d d.service.d " MOUNT_GNU " " MOUNT_NIX);
}
END_TEST

START_TEST(test_no_mount_unit_without_view) {
        _cleanup_free_ char *text = NULL;

        make_root();
        write_spec("/etc/confinement.d", "a.service.json",
                   "{\"closureInfo\": \"/etc/closures/hello\", \"bindMethod\": \"read-only\"}");
        /* A failed spec asks for no view either. */
        write_spec("/etc/confinement.d", "b.service.json", "{\"closureInfo\": \"/etc/closures/none\"}");
        run();
        assert_listing("/", "a.service.d b.service.d");
        text = read_dropin("a.service");
        ck_assert(test_has_line(text, "BindReadOnlyPaths=/nix/store/aaa-hello"));
        ck_assert(!test_count_lines_with_prefix(text, "RequiresMountsFor="));
}
END_TEST

START_TEST(test_bad_spec_fails_closed_alone) {
        make_root();
        write_spec("/etc/confinement.d", "a.service.json", SPEC);
        write_spec("/etc/confinement.d", "b.service.json", "{\"closureInfo\": \"/etc/closures/hello\", \"mode\": 3}");
        write_spec("/etc/confinement.d", "c.service.json", SPEC);
        run();
        assert_confined("a.service");
        assert_fail_closed("b.service", "/etc/confinement.d/b.service.json: key \"mode\"");
        assert_confined("c.service");
}
END_TEST

START_TEST(test_instance_overrides_template) {
        _cleanup_free_ char *t = NULL, *i = NULL;

        make_root();
        write_spec("/etc/confinement.d", "web@.service.json", SPEC);
        write_spec("/etc/confinement.d", "web@blue.service.json",
                   "{\"closureInfo\": \"/etc/closures/hello\", \"mode\": \"full\"}");
        run();
        t = read_dropin("web@.service");
        i = read_dropin("web@blue.service");
        ck_assert(!test_has_line(t, "NoNewPrivileges=yes"));
        ck_assert(test_has_line(i, "NoNewPrivileges=yes"));
}
END_TEST

START_TEST(test_same_output) {
        _cleanup_free_ char *out2 = test_tmpdir_new(), *a = NULL, *b = NULL, *c = NULL, *ma = NULL, *mb = NULL,
                            *unit = hello_layer_unit(), *path = NULL;

        make_root();
        write_spec("/etc/confinement.d", "foo.service.json",
                   "{\"closureInfo\": \"/etc/closures/hello\", \"bindReadOnlyPaths\": [\"/etc/closures\"]}");
        run();
        /* Again, into another directory, from store-paths in another order. */
        test_write_file(test_root, "/etc/closures/hello/store-paths", "/nix/store/bbb-lib\n/nix/store/aaa-hello\n");
        ck_assert_int_eq(generator_run(test_root, out2, NULL), 0);
        a = read_dropin("foo.service");
        b = test_read_file(out2, "/foo.service.d/" DROPIN_NAME);
        ck_assert_str_eq(a, b);
        /* The generation's directory of lists (its unit names it). */
        ck_assert_int_ge(asprintf(&path, "/" CLOSURE_LAYER_LISTS "/%s", unit + strlen("confinement-layer@")), 0);
        *strrchr(path, '.') = '\0';
        ma = test_list_dir(out, path);
        mb = test_list_dir(out2, path);
        ck_assert_ptr_nonnull(ma);
        ck_assert_str_eq(ma, mb);
        /* And over the same directory: the same bytes, nothing else left. */
        run();
        c = read_dropin("foo.service");
        ck_assert_str_eq(a, c);
        assert_listing("/foo.service.d", DROPIN_NAME);
        test_tmpdir_remove(TAKE_PTR(out2));
}
END_TEST

START_TEST(test_untrusted) {
        make_root();
        write_spec("/run/confinement.d", "foo.service.json", SPEC);
        write_spec("/run/confinement.d", "masked.service.json", "");
        test_chmod(test_root, "/run/confinement.d", 0777);
        run();
        /* Even a mask an unprivileged user could have planted does not count. */
        assert_fail_closed("foo.service", "refusing a spec an unprivileged user could change");
        assert_fail_closed("masked.service", "refusing a spec an unprivileged user could change");
}
END_TEST

START_TEST(test_unit_files) {
        _cleanup_free_ char *text = NULL;

        make_root();
        write_spec("/etc/confinement.d", "own-root.service.json", SPEC);
        write_spec("/etc/confinement.d", "tmp.service.json", SPEC);
        test_write_file(test_root, "/etc/systemd/system/own-root.service",
                        "[Service]\nExecStart=/nix/store/aaa-hello/bin/hello\nRootDirectory=/srv/root\n");
        test_write_file(test_root, "/etc/systemd/system/tmp.service",
                        "[Service]\nExecStart=/nix/store/aaa-hello/bin/hello\nPrivateTmp=no\n");
        run();
        assert_fail_closed("own-root.service", "sets its own RootDirectory=/srv/root");
        text = read_dropin("tmp.service");
        ck_assert(test_has_line(text, "# PrivateTmp=no as the unit sets it."));
        ck_assert(test_has_line(text, "InaccessiblePaths=-/tmp -/var/tmp"));
}
END_TEST

START_TEST(test_symlinks_under_root) {
        /* As NixOS lays it out: specs and closureInfo are symlinks into the
         * store, and must be followed under the root, not on the host. */
        make_root();
        test_write_file(test_root, "/nix/store/ccc-closure-info/store-paths", "/nix/store/aaa-hello\n");
        test_symlink(test_root, "/etc/closures/linked", "/nix/store/ccc-closure-info");
        test_write_file(test_root, "/nix/store/ddd-etc/confinement.d/foo.service.json",
                        "{\"closureInfo\": \"/etc/closures/linked\"}");
        test_symlink(test_root, "/etc/static", "/nix/store/ddd-etc");
        test_symlink(test_root, "/etc/confinement.d/foo.service.json", "/etc/static/confinement.d/foo.service.json");
        run();
        assert_confined("foo.service");
}
END_TEST

START_TEST(test_output_dir_symlink_refused) {
        _cleanup_free_ char *elsewhere = test_tmpdir_new(), *link = NULL, *listing = NULL;

        make_root();
        write_spec("/etc/confinement.d", "foo.service.json", SPEC);
        write_spec("/etc/confinement.d", "bar.service.json", SPEC);
        /* A symlink planted where a drop-in directory goes: not written
         * through; the run reports it, and the other units are done. */
        link = test_path(out, "/foo.service.d");
        ck_assert_int_eq(symlink(elsewhere, link), 0);
        ck_assert_int_lt(generator_run(test_root, out, NULL), 0);
        listing = test_list_dir(elsewhere, "/");
        ck_assert_str_eq(listing, "");
        assert_confined("bar.service");
        test_tmpdir_remove(TAKE_PTR(elsewhere));
}
END_TEST

/* A write that fails halfway (here the layer lists' directory, which a
 * full /run refuses as well) leaves the fail-closed drop-in, written
 * first, never nothing; the run fails (issue 23). */
START_TEST(test_failed_write_fails_closed) {
        _cleanup_free_ char *dropin = NULL;

        make_root();
        write_spec("/etc/confinement.d", "foo.service.json", SPEC);
        test_write_file(out, "/" CLOSURE_LAYER_LISTS, "not a directory");
        ck_assert_int_lt(generator_run(test_root, out, NULL), 0);
        dropin = read_dropin("foo.service");
        ck_assert_msg(strstr(dropin, "AssertPathExists=" FAIL_CLOSED_PATH "\n"), "%s", dropin);
        ck_assert_msg(strstr(dropin, "cannot write confinement-layer/"), "%s", dropin);
        ck_assert_msg(!strstr(dropin, "RootDirectory="), "%s", dropin);
}
END_TEST

START_TEST(test_output_dir_missing) {
        _cleanup_free_ char *missing = test_path(out, "/missing");

        ck_assert_int_eq(generator_run(test_root, missing, NULL), -ENOENT);
}
END_TEST

static Suite *generator_suite(void) {
        Suite *s = suite_create("generator");
        TCase *tc = test_tcase_new("generator_run", true);

        tcase_add_checked_fixture(tc, out_setup, out_teardown);
        tcase_add_test(tc, test_plain_template_instance);
        tcase_add_test(tc, test_modes);
        tcase_add_test(tc, test_masked);
        tcase_add_test(tc, test_invalid_names_skipped);
        tcase_add_test(tc, test_none);
        tcase_add_test(tc, test_mount_unit_per_store_dir);
        tcase_add_test(tc, test_no_mount_unit_without_view);
        tcase_add_test(tc, test_bad_spec_fails_closed_alone);
        tcase_add_test(tc, test_instance_overrides_template);
        tcase_add_test(tc, test_same_output);
        tcase_add_test(tc, test_untrusted);
        tcase_add_test(tc, test_unit_files);
        tcase_add_test(tc, test_symlinks_under_root);
        tcase_add_test(tc, test_output_dir_symlink_refused);
        tcase_add_test(tc, test_output_dir_missing);
        tcase_add_test(tc, test_failed_write_fails_closed);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return test_run_suite(generator_suite());
}
