/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>
#include <string.h>

#include "strv.h"
#include "test-util.h"
#include "unit-search-path.h"

/* 252's answer on Debian 12 (split-usr build: /lib before /usr/lib). */
static char *answer_252[] = {
        (char *) "/etc/systemd/system.control",  (char *) "/run/systemd/system.control",
        (char *) "/run/systemd/transient",       (char *) "/run/systemd/generator.early",
        (char *) "/etc/systemd/system",          (char *) "/etc/systemd/system.attached",
        (char *) "/run/systemd/system",          (char *) "/run/systemd/system.attached",
        (char *) "/run/systemd/generator",       (char *) "/usr/local/lib/systemd/system",
        (char *) "/lib/systemd/system",          (char *) "/usr/lib/systemd/system",
        (char *) "/run/systemd/generator.late",  NULL,
};
/* What 262's libsystemd answers a binary built with 252's headers. */
static char *answer_user[] = { (char *) "/etc/systemd/user", NULL };
static char *answer_user_search[] = {
        (char *) "/home/u/.config/systemd/user", (char *) "/etc/systemd/user",
        (char *) "/run/systemd/user",            (char *) "/usr/lib/systemd/user",
        NULL,
};

static void assert_strv(char **l, const char *const *expected, size_t n) {
        size_t i = 0;

        for (; l[i] && i < n; i++)
                ck_assert_str_eq(l[i], expected[i]);
        ck_assert_ptr_null(l[i]);
        ck_assert_uint_eq(i, n);
}

static void build(const char *env, char **const *answers, size_t n, const GeneratorDirs *dirs, char ***ret,
                  char **ret_doubt) {
        ck_assert_int_eq(unit_search_path_build(env, answers, n, dirs, ret, ret_doubt), 0);
        ck_assert_ptr_nonnull(*ret);
}

START_TEST(test_search_path) {
        _cleanup_free_ char *doubt = NULL;
        char **l = NULL;
        bool etc = false;

        /* The library this test is linked with is the one of its headers. */
        ck_assert_int_eq(unsetenv("SYSTEMD_UNIT_PATH"), 0);
        ck_assert_int_eq(unit_search_path(NULL, &l, &doubt), 0);
        ck_assert_ptr_null(doubt);
        ck_assert_ptr_nonnull(l);
        ck_assert(unit_search_path_plausible(l));
        for (char **p = l; *p; p++) {
                ck_assert_msg(**p == '/', "%s", *p);
                etc = etc || strcmp(*p, "/etc/systemd/system") == 0;
        }
        ck_assert(etc);
        strv_free(l);
        strv_free(NULL);
}
END_TEST

START_TEST(test_search_path_plausible) {
        char *relative[] = { (char *) "run/systemd/transient", NULL };
        char *reordered[] = {
                (char *) "/run/systemd/transient", (char *) "/run/systemd/generator.early",
                (char *) "/run/systemd/system",    (char *) "/etc/systemd/system",
                (char *) "/run/systemd/generator", (char *) "/run/systemd/generator.late",
                NULL,
        };
        char *with_relative[ELEMENTSOF(answer_252) + 1];

        memcpy(with_relative, answer_252, sizeof answer_252);
        with_relative[ELEMENTSOF(answer_252) - 1] = (char *) "lib/systemd/system";
        with_relative[ELEMENTSOF(answer_252)] = NULL;

        ck_assert(unit_search_path_plausible(answer_252));
        ck_assert(!unit_search_path_plausible(NULL));
        ck_assert(!unit_search_path_plausible(answer_user));
        ck_assert(!unit_search_path_plausible(answer_user_search));
        ck_assert(!unit_search_path_plausible(relative));
        ck_assert(!unit_search_path_plausible(reordered));
        ck_assert(!unit_search_path_plausible(with_relative));
}
END_TEST

START_TEST(test_search_path_build) {
        _cleanup_(strv_freep) char **l = NULL;
        _cleanup_free_ char *doubt = NULL;

        /* The answer to our headers' value, as it is. */
        build(NULL, (char **const[]) { answer_252 }, 1, NULL, &l, &doubt);
        ck_assert_ptr_null(doubt);
        assert_strv(l, (const char *const *) answer_252, ELEMENTSOF(answer_252) - 1);
        strv_free(TAKE_PTR(l));

        /* 262 under a binary built with 252's headers: the user
         * configuration directory for our value, the system unit search
         * path for another one, taken. */
        build(NULL, (char **const[]) { answer_user, NULL, answer_user_search, answer_252, answer_user }, 5, NULL,
              &l, &doubt);
        ck_assert_ptr_null(doubt);
        assert_strv(l, (const char *const *) answer_252, ELEMENTSOF(answer_252) - 1);
        strv_free(TAKE_PTR(l));

        /* No value answers it, or two do: nothing is established. */
        build(NULL, (char **const[]) { answer_user, answer_user_search }, 2, NULL, &l, &doubt);
        ck_assert_ptr_nonnull(doubt);
        ck_assert_ptr_nonnull(strstr(doubt, "no plausible system unit search path"));
        ck_assert_ptr_null(l[0]);
        strv_free(TAKE_PTR(l));
        free(TAKE_PTR(doubt));
        build(NULL, (char **const[]) { NULL, answer_252, answer_252 }, 3, NULL, &l, &doubt);
        ck_assert_ptr_nonnull(doubt);
        strv_free(TAKE_PTR(l));
        free(TAKE_PTR(doubt));
        build(NULL, NULL, 0, NULL, &l, &doubt);
        ck_assert_ptr_nonnull(doubt);
        strv_free(TAKE_PTR(l));
        free(TAKE_PTR(doubt));

        /* The generator entries are where systemd said it wants them. */
        build(NULL, (char **const[]) { answer_252 }, 1,
              &(GeneratorDirs) { .normal = "/tmp/g", .early = "/tmp/e", .late = "/tmp/l" }, &l, &doubt);
        ck_assert_ptr_null(doubt);
        ck_assert_str_eq(l[3], "/tmp/e");
        ck_assert_str_eq(l[8], "/tmp/g");
        ck_assert_str_eq(l[12], "/tmp/l");
        strv_free(TAKE_PTR(l));
}
END_TEST

START_TEST(test_search_path_env) {
        _cleanup_(strv_freep) char **l = NULL;
        _cleanup_free_ char *doubt = NULL;
        char *with_env[ELEMENTSOF(answer_252) + 2] = { (char *) "/a", (char *) "/b" };

        memcpy(with_env + 2, answer_252, sizeof answer_252);

        /* $SYSTEMD_UNIT_PATH alone: no library needed. */
        build("/a::/b", NULL, 0, NULL, &l, &doubt);
        ck_assert_ptr_null(doubt);
        assert_strv(l, (const char *const[]) { "/a", "/b" }, 2);
        strv_free(TAKE_PTR(l));

        /* Empty: an empty path, as systemd has it. */
        build("", NULL, 0, NULL, &l, &doubt);
        ck_assert_ptr_null(doubt);
        ck_assert_ptr_null(l[0]);
        strv_free(TAKE_PTR(l));

        /* A trailing ":" appends the default; libsystemd put the entries
         * of the variable first too, and they are not repeated. */
        build("/a:/b:", (char **const[]) { with_env }, 1, NULL, &l, &doubt);
        ck_assert_ptr_null(doubt);
        assert_strv(l, (const char *const *) with_env, ELEMENTSOF(with_env) - 1);
        strv_free(TAKE_PTR(l));
        build("/a:/b:", (char **const[]) { answer_user, with_env }, 2, NULL, &l, &doubt);
        ck_assert_ptr_null(doubt);
        assert_strv(l, (const char *const *) with_env, ELEMENTSOF(with_env) - 1);
        strv_free(TAKE_PTR(l));
        /* ... and the default cannot be established. */
        build("/a:", (char **const[]) { answer_user }, 1, NULL, &l, &doubt);
        ck_assert_ptr_nonnull(doubt);
        assert_strv(l, (const char *const[]) { "/a" }, 1);
        strv_free(TAKE_PTR(l));
        free(TAKE_PTR(doubt));

        /* A relative entry is resolved against systemd's working directory. */
        build("/a:rel", NULL, 0, NULL, &l, &doubt);
        ck_assert_ptr_nonnull(doubt);
        ck_assert_ptr_nonnull(strstr(doubt, "\"rel\""));
        strv_free(TAKE_PTR(l));
}
END_TEST

static Suite *unit_search_path_suite(void) {
        Suite *s = suite_create("unit-search-path");
        TCase *tc = test_tcase_new("unit_search_path", false);

        tcase_add_test(tc, test_search_path);
        tcase_add_test(tc, test_search_path_plausible);
        tcase_add_test(tc, test_search_path_build);
        tcase_add_test(tc, test_search_path_env);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return test_run_suite(unit_search_path_suite());
}
