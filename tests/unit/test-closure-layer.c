/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "closure-layer.h"
#include "dropin.h"
#include "generator.h"
#include "test-util.h"

START_TEST(test_id) {
        const char *a[] = { "aaa-hello", "bbb-lib" }, *b[] = { "aaa-hello" }, *c[] = { "aaa-hellob", "bb-lib" };
        char x[CLOSURE_LAYER_ID_MAX], y[CLOSURE_LAYER_ID_MAX];

        closure_layer_id("/nix/store", a, 2, x);
        ck_assert_uint_eq(strlen(x), 64);
        ck_assert_uint_eq(strspn(x, "0123456789abcdef"), 64);
        closure_layer_id("/nix/store", a, 2, y);
        ck_assert_str_eq(x, y);
        closure_layer_id("/nix/store", b, 1, y);
        ck_assert_str_ne(x, y);
        closure_layer_id("/gnu/store", a, 2, y);
        ck_assert_str_ne(x, y);
        /* the names' boundaries count, not only their characters */
        closure_layer_id("/nix/store", c, 2, y);
        ck_assert_str_ne(x, y);
}
END_TEST

/* The ID before, 64-bit FNV-1a over the same input. */
static uint64_t fnv1a_id(const char *store_dir, const char *const *names, size_t n) {
        uint64_t h = UINT64_C(0xcbf29ce484222325);

        for (const char *p = store_dir;; p++) {
                h = (h ^ (unsigned char) *p) * UINT64_C(0x100000001b3);
                if (!*p)
                        break;
        }
        for (size_t i = 0; i < n; i++) {
                for (const char *p = names[i]; *p; p++)
                        h = (h ^ (unsigned char) *p) * UINT64_C(0x100000001b3);
                h = (h ^ '\n') * UINT64_C(0x100000001b3);
        }
        return h;
}

/* Two closures whose IDs collided under FNV-1a (issue 23: found in 13
 * CPU-minutes): the names differ in their first entry, the rest is the
 * same, so FNV's equal state after the first name stays equal. Their
 * SHA-256 IDs differ. */
START_TEST(test_id_old_collision) {
        const char *a[] = { "004rjvy7v1qv7rcaaaaaaaaaaaaaaaaa-coll", "1xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx-glibc",
                            "2yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy-probe" };
        const char *b[] = { "00b5xa2vzaj47p0aaaaaaaaaaaaaaaaa-coll", "1xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx-glibc",
                            "2yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy-probe" };
        char x[CLOSURE_LAYER_ID_MAX], y[CLOSURE_LAYER_ID_MAX];

        for (size_t n = 1; n <= ELEMENTSOF(a); n++) {
                ck_assert_uint_eq(fnv1a_id("/nix/store", a, n), fnv1a_id("/nix/store", b, n));
                closure_layer_id("/nix/store", a, n, x);
                closure_layer_id("/nix/store", b, n, y);
                ck_assert_str_ne(x, y);
        }
        /* and a known value: printf '/nix/store\0' | sha256sum */
        closure_layer_id("/nix/store", a, 0, x);
        ck_assert_str_eq(x, "410b61d87f0d410410ab67ddaa2a7d8eaf9db0f3d4264946ea0972712f98b061");
}
END_TEST

static int render_unit(FILE *f, const void *userdata) {
        return closure_layer_unit_render(userdata, f);
}

START_TEST(test_unit) {
        _cleanup_free_ char *text = NULL, *name = NULL, *source = NULL;
        ClosureLayerUnit u = {
                .id = "0123456789abcdef",
                .store_dir = "/nix/store",
                .list_path = "/run/systemd/generator/confinement-layer/0123456789abcdef",
                .helper = "/usr/lib/systemd/system-generators/confinement-generator",
                .n_paths = 2,
        };

        ck_assert_int_eq(closure_layer_unit_name(u.id, &name), 0);
        ck_assert_str_eq(name, "confinement-layer-0123456789abcdef.service");
        ck_assert_int_eq(closure_layer_store_source(u.id, u.store_dir, &source), 0);
        ck_assert_str_eq(source, "/run/confinement-layer/0123456789abcdef/root/store");
        text = test_render(render_unit, &u, 0);
        ck_assert_msg(test_has_line(text, "Type=oneshot"), "%s", text);
        ck_assert_msg(test_has_line(text, "RemainAfterExit=yes"), "%s", text);
        ck_assert_msg(test_has_line(text, "RequiresMountsFor=/nix/store /run/confinement-layer"), "%s", text);
        ck_assert_msg(test_has_line(text, "ExecStart=/usr/lib/systemd/system-generators/confinement-generator "
                                          "--closure-layer start /nix/store "
                                          "/run/systemd/generator/confinement-layer/0123456789abcdef "
                                          "/run/confinement-layer/0123456789abcdef"),
                      "%s", text);
        ck_assert_msg(test_has_line(text, "ExecStop=/usr/lib/systemd/system-generators/confinement-generator "
                                          "--closure-layer stop /run/confinement-layer/0123456789abcdef"),
                      "%s", text);
}
END_TEST

/* The generator: one unit per distinct closure, one bind per service. */
static void write_spec(const char *name, const char *content) {
        _cleanup_free_ char *p = NULL;

        ck_assert_int_ge(asprintf(&p, "/etc/confinement.d/%s", name), 0);
        test_write_file(test_root, p, content);
}

static char *read_file_dropin(const char *out, const char *unit) {
        _cleanup_free_ char *p = NULL;

        ck_assert_int_ge(asprintf(&p, "/%s.d/" DROPIN_NAME, unit), 0);
        return test_read_file(out, p);
}

START_TEST(test_generator) {
        _cleanup_free_ char *out = test_tmpdir_new(), *a = NULL, *b = NULL, *c = NULL, *listing = NULL,
                            *unit = NULL, *list = NULL, *list_name = NULL, *requires = NULL, *bind = NULL;
        const char *hello[] = { "aaa-hello", "bbb-lib" };
        char id[CLOSURE_LAYER_ID_MAX];

        test_store_path(test_root, "/nix/store/aaa-hello");
        test_store_path(test_root, "/nix/store/bbb-lib");
        test_store_path(test_root, "/nix/store/ccc-other");
        test_write_file(test_root, "/etc/closures/hello/store-paths", "/nix/store/aaa-hello\n/nix/store/bbb-lib\n");
        test_write_file(test_root, "/etc/closures/other/store-paths", "/nix/store/ccc-other\n");
        write_spec("a.service.json", "{\"closureInfo\": \"/etc/closures/hello\", \"bindMethod\": \"overlay\"}");
        write_spec("b.service.json", "{\"closureInfo\": \"/etc/closures/hello\", \"bindMethod\": \"overlay\"}");
        write_spec("c.service.json", "{\"closureInfo\": \"/etc/closures/other\", \"bindMethod\": \"overlay\"}");
        ck_assert_int_eq(generator_run(test_root, out, NULL), 0);

        closure_layer_id("/nix/store", hello, 2, id);
        ck_assert_int_ge(asprintf(&unit, "/confinement-layer-%s.service", id), 0);
        ck_assert_int_ge(asprintf(&list_name, "/" CLOSURE_LAYER_LISTS "/%s", id), 0);
        /* two closures: two units, two lists; no view mount */
        listing = test_list_dir(out, "/");
        ck_assert_msg(strstr(listing, unit + 1), "%s", listing);
        ck_assert_msg(!strstr(listing, ".mount"), "%s", listing);
        free(listing);
        listing = test_list_dir(out, "/" CLOSURE_LAYER_LISTS);
        ck_assert_uint_eq(strlen(listing), 2 * 64 + 1);
        list = test_read_file(out, list_name);
        ck_assert_str_eq(list, "aaa-hello\nbbb-lib\n");

        a = read_file_dropin(out, "a.service");
        b = read_file_dropin(out, "b.service");
        c = read_file_dropin(out, "c.service");
        ck_assert_int_ge(asprintf(&requires, "Requires=confinement-layer-%s.service", id), 0);
        ck_assert_int_ge(asprintf(&bind, "BindReadOnlyPaths=/run/confinement-layer/%s/root/store:/nix/store", id), 0);
        ck_assert_msg(test_has_line(a, requires), "%s", a);
        ck_assert_msg(test_has_line(a, bind), "%s", a);
        ck_assert_msg(strstr(b, unit + 1), "%s", b);
        ck_assert_msg(!strstr(c, unit + 1), "%s", c);
        ck_assert_uint_eq(test_count_lines_with_prefix(a, "BindPaths="), 0);
        ck_assert_uint_eq(test_count_lines_with_prefix(a, "BindReadOnlyPaths="), 2); /* the root's, the store's */
        ck_assert_uint_eq(test_count_lines_with_prefix(a, "RequiresMountsFor="), 0);
        test_tmpdir_remove(TAKE_PTR(out));
}
END_TEST

static Suite *closure_layer_suite(void) {
        Suite *s = suite_create("closure-layer");
        TCase *tc = test_tcase_new("closure-layer", false), *tg = test_tcase_new("generator", true);

        tcase_add_test(tc, test_id);
        tcase_add_test(tc, test_id_old_collision);
        tcase_add_test(tc, test_unit);
        suite_add_tcase(s, tc);
        tcase_add_test(tg, test_generator);
        suite_add_tcase(s, tg);
        return s;
}

int main(void) {
        return test_run_suite(closure_layer_suite());
}
