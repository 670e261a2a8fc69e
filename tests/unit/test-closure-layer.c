/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "closure-layer.h"
#include "dropin.h"
#include "generator.h"
#include "layer-generation.h"
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

START_TEST(test_source) {
        _cleanup_free_ char *source = NULL;

        /* the generation's own directory: never another generation's */
        ck_assert_int_eq(closure_layer_source("fedcba9876543210", "0123456789abcdef", &source), 0);
        ck_assert_str_eq(source, "/run/confinement-layer/fedcba9876543210/root/0123456789abcdef");
}
END_TEST

START_TEST(test_same_but_generation) {
        const char *g1 = "1111111111111111111111111111111111111111111111111111111111111111",
                   *g2 = "2222222222222222222222222222222222222222222222222222222222222222",
                   *c1 = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                   *c2 = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
        _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL, *d = NULL;

        /* the same closure in two generations: the same */
        ck_assert_int_ge(asprintf(&a, "Requires=confinement-layer@%s.service\nBindReadOnlyPaths=/run/confinement-layer/%s/root/%s:/nix/store\n", g1, g1, c1), 0);
        ck_assert_int_ge(asprintf(&b, "Requires=confinement-layer@%s.service\nBindReadOnlyPaths=/run/confinement-layer/%s/root/%s:/nix/store\n", g2, g2, c1), 0);
        ck_assert(closure_layer_same_but_generation(a, b));
        ck_assert(closure_layer_same_but_generation(a, a));
        /* another closure: not */
        ck_assert_int_ge(asprintf(&c, "Requires=confinement-layer@%s.service\nBindReadOnlyPaths=/run/confinement-layer/%s/root/%s:/nix/store\n", g2, g2, c2), 0);
        ck_assert(!closure_layer_same_but_generation(a, c));
        /* anything else, or a shorter ID: not */
        ck_assert(!closure_layer_same_but_generation("x", "y"));
        ck_assert(!closure_layer_same_but_generation("confinement-layer@12", "confinement-layer@34"));
        ck_assert(!closure_layer_same_but_generation(a, "Requires="));
        ck_assert_int_ge(asprintf(&d, "%sPrivateUsers=no\n", b), 0);
        ck_assert(!closure_layer_same_but_generation(a, d));
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
                            *list = NULL, *list_name = NULL, *bind = NULL, *source = NULL, *gen_dir = NULL,
                            *requires = NULL;
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
        /* one generation: one directory of two lists and the store */
        listing = test_list_dir(out, "/" CLOSURE_LAYER_LISTS);
        ck_assert_uint_eq(strlen(listing), CLOSURE_LAYER_ID_MAX - 1);
        ck_assert_int_ge(asprintf(&gen_dir, "/" CLOSURE_LAYER_LISTS "/%s", listing), 0);
        ck_assert_int_ge(asprintf(&requires, "Requires=confinement-layer@%s.service", listing), 0);
        ck_assert_int_eq(closure_layer_source(listing, id, &source), 0);
        free(listing);
        listing = test_list_dir(out, gen_dir);
        ck_assert_uint_eq(strlen(listing), 2 * CLOSURE_LAYER_ID_MAX + strlen("store-dir"));
        ck_assert_int_ge(asprintf(&list_name, "%s/%s", gen_dir, id), 0);
        list = test_read_file(out, list_name);
        ck_assert_str_eq(list, "aaa-hello\nbbb-lib\n");
        free(listing);
        listing = test_list_dir(out, "/");
        ck_assert_msg(strstr(listing, LAYER_GENERATION_TEMPLATE), "%s", listing);
        ck_assert_msg(!strstr(listing, ".mount"), "%s", listing);

        a = read_file_dropin(out, "a.service");
        b = read_file_dropin(out, "b.service");
        c = read_file_dropin(out, "c.service");
        ck_assert_int_ge(asprintf(&bind, "BindReadOnlyPaths=%s:/nix/store", source), 0);
        ck_assert_msg(test_has_line(a, bind), "%s", a);
        ck_assert_msg(test_has_line(b, bind), "%s", b);
        ck_assert_msg(!test_has_line(c, bind), "%s", c);
        /* each drop-in requires the generation it binds from */
        ck_assert_msg(test_has_line(a, requires), "%s", a);
        ck_assert_msg(test_has_line(c, requires), "%s", c);
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
        tcase_add_test(tc, test_source);
        tcase_add_test(tc, test_same_but_generation);
        suite_add_tcase(s, tc);
        tcase_add_test(tg, test_generator);
        suite_add_tcase(s, tg);
        return s;
}

int main(void) {
        return test_run_suite(closure_layer_suite());
}
