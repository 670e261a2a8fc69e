/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "layer-generation.h"
#include "test-util.h"

START_TEST(test_id) {
        LayerClosure ab[] = { { "0000000000000001", "aaa\n" }, { "0000000000000002", "bbb\n" } },
                     ba[] = { { "0000000000000002", "bbb\n" }, { "0000000000000001", "aaa\n" } },
                     a[] = { { "0000000000000001", "aaa\n" } };
        char x[CLOSURE_LAYER_ID_MAX], y[CLOSURE_LAYER_ID_MAX];
        _cleanup_free_ char *name = NULL;

        ck_assert_int_eq(layer_generation_id("/nix/store", ab, 2, x), 0);
        ck_assert_int_eq(layer_generation_id("/nix/store", ba, 2, y), 0);
        ck_assert_str_eq(x, y); /* any order */
        ck_assert_int_eq(layer_generation_id("/nix/store", a, 1, y), 0);
        ck_assert_str_ne(x, y);
        ck_assert_int_eq(layer_generation_id("/gnu/store", ab, 2, y), 0);
        ck_assert_str_ne(x, y);
        ck_assert_int_eq(layer_generation_unit_name(x, &name), 0);
        ck_assert(strncmp(name, "confinement-layer@", 18) == 0);
}
END_TEST

static int render_template(FILE *f, const void *userdata) {
        (void) userdata;
        return layer_generation_template_render("/usr/lib/systemd/system-generators/confinement-generator",
                                                "/run/systemd/generator/confinement-layer", f);
}

START_TEST(test_template) {
        _cleanup_free_ char *text = test_render(render_template, NULL, 0);

        ck_assert_msg(test_has_line(text, "Type=oneshot"), "%s", text);
        ck_assert_msg(test_has_line(text, "RemainAfterExit=yes"), "%s", text);
        ck_assert_msg(test_has_line(text, "StopWhenUnneeded=yes"), "%s", text);
        ck_assert_msg(test_has_line(text, "StartLimitIntervalSec=0"), "%s", text);
        ck_assert_msg(test_has_line(text, "ExecStart=/usr/lib/systemd/system-generators/confinement-generator "
                                          "--closure-layer start /run/systemd/generator/confinement-layer/%i "
                                          "/run/confinement-layer/%i"),
                      "%s", text);
        ck_assert_msg(test_has_line(text, "ExecStop=/usr/lib/systemd/system-generators/confinement-generator "
                                          "--closure-layer stop /run/confinement-layer/%i"),
                      "%s", text);
}
END_TEST

static int render_dropin(FILE *f, const void *userdata) {
        return layer_generation_dropin_render(userdata, f);
}

START_TEST(test_dropin) {
        LayerGeneration g = { .id = "0123456789abcdef", .store_dir = "/nix/store", .n_services = 2,
                              .n_closures = 1 };
        _cleanup_free_ char *text = test_render(render_dropin, &g, 0);

        ck_assert_msg(test_has_line(text, "RequiresMountsFor=/nix/store"), "%s", text);
        /* the services order themselves after it (closure_layer_dropin_unit) */
        ck_assert_msg(!strstr(text, "Before="), "%s", text);
}
END_TEST

static Suite *layer_generation_suite(void) {
        Suite *s = suite_create("layer-generation");
        TCase *tc = test_tcase_new("layer-generation", false);

        tcase_add_test(tc, test_id);
        tcase_add_test(tc, test_template);
        tcase_add_test(tc, test_dropin);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return test_run_suite(layer_generation_suite());
}
