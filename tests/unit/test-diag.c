/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "diag.h"
#include "test-util.h"

START_TEST(test_error) {
        _cleanup_(diag_done) Diag d = DIAG_INIT("/etc/x.json");

        ck_assert_int_eq(diag_error(&d, 0, "mode", "expected %s, got %d.", "a mode", 3), -EINVAL);
        ck_assert_str_eq(d.reason, "/etc/x.json: key \"mode\": expected a mode, got 3.");
}
END_TEST

START_TEST(test_no_key) {
        _cleanup_(diag_done) Diag d = DIAG_INIT("/etc/x.json");

        ck_assert_int_eq(diag_error(&d, -ENOENT, NULL, "cannot open: %m."), -ENOENT);
        ck_assert_str_eq(d.reason, "/etc/x.json: cannot open: No such file or directory.");
}
END_TEST

START_TEST(test_errno_sign) {
        _cleanup_(diag_done) Diag d = DIAG_INIT("f");

        /* Positive or negative in, negative out; %m the error given. */
        errno = EACCES;
        ck_assert_int_eq(diag_error(&d, EPERM, "k", "%m"), -EPERM);
        ck_assert_str_eq(d.reason, "f: key \"k\": Operation not permitted");
        /* The file is set once, where the spec is known; a later one does not replace it. */
        diag_set_file(&d, "g");
        ck_assert_str_eq(d.file, "f");
}
END_TEST

START_TEST(test_first_kept) {
        Diag d = DIAG_INIT("f");

        ck_assert_int_eq(diag_error(&d, 0, "a", "first"), -EINVAL);
        ck_assert_int_eq(diag_error(&d, 0, "b", "second"), -EINVAL);
        ck_assert_str_eq(d.reason, "f: key \"a\": first");
        diag_done(&d);
        ck_assert_ptr_null(d.reason);
        diag_done(&d);
        ck_assert_str_eq(d.file, "f");
        /* Done, it takes the next. */
        ck_assert_int_eq(diag_error(&d, 0, "c", "third"), -EINVAL);
        ck_assert_str_eq(d.reason, "f: key \"c\": third");
        diag_done(&d);
}
END_TEST

START_TEST(test_enomem) {
        _cleanup_(diag_done) Diag d = DIAG_INIT("f");

        /* A failed allocation passes through: no reason kept. */
        ck_assert_int_eq(diag_error(&d, -ENOMEM, "a", "cannot read: %m."), -ENOMEM);
        ck_assert_ptr_null(d.reason);
        ck_assert_int_eq(diag_error(&d, -EIO, "a", "cannot read: %m."), -EIO);
        ck_assert_str_eq(d.reason, "f: key \"a\": cannot read: Input/output error.");
}
END_TEST

static Suite *diag_suite(void) {
        Suite *s = suite_create("diag");
        TCase *tc = test_tcase_new("diag_error", false);

        tcase_add_test(tc, test_error);
        tcase_add_test(tc, test_no_key);
        tcase_add_test(tc, test_errno_sign);
        tcase_add_test(tc, test_first_kept);
        tcase_add_test(tc, test_enomem);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return test_run_suite(diag_suite());
}
