/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>
#include <string.h>

#include "strv.h"
#include "test-util.h"

START_TEST(test_free) {
        char **l = calloc(3, sizeof *l);

        ck_assert_ptr_nonnull(l);
        l[0] = strdup("a");
        l[1] = strdup("b");
        ck_assert_ptr_nonnull(l[0]);
        ck_assert_ptr_nonnull(l[1]);
        strv_free(l); /* valgrind: nothing left */
        strv_free(NULL);
        {
                _cleanup_strv_free_ char **m = calloc(1, sizeof *m);
                ck_assert_ptr_nonnull(m);
        }
}
END_TEST

static Suite *strv_suite(void) {
        Suite *s = suite_create("strv");
        TCase *tc = test_tcase_new("strv", false);

        tcase_add_test(tc, test_free);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return test_run_suite(strv_suite());
}
