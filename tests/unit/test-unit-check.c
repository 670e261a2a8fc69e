/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "test-util.h"
#include "unit-check.h"

START_TEST(test_check) {
        UnitInfo u = { .private_tmp = -1 };
        Spec spec = { .file = (char *) "/etc/confinement.d/foo.service.json" };
        _cleanup_(diag_done) Diag d = DIAG_INIT(spec.file);

        ck_assert_int_eq(check_unit(&u, "foo.service", &spec, &d), 0);
        ck_assert_ptr_null(d.reason);

        u.full_privilege_command = (char *) "/etc/systemd/system/foo.service:3: ExecStart=+/bin/x";
        ck_assert_int_eq(check_unit(&u, "foo.service", &spec, &d), -EINVAL);
        ck_assert_ptr_nonnull(strstr(d.reason, "allowFullPrivilegeCommands"));
        spec.allow_full_privilege_commands = true;
        diag_done(&d);
        ck_assert_int_eq(check_unit(&u, "foo.service", &spec, &d), 0);

        u.root_directory = (char *) "/srv/root";
        u.root_directory_file = (char *) "/etc/systemd/system/foo.service";
        ck_assert_int_eq(check_unit(&u, "foo.service", &spec, &d), -EINVAL);
        ck_assert_str_eq(d.reason, "/etc/confinement.d/foo.service.json: foo.service sets its own "
                                   "RootDirectory=/srv/root in /etc/systemd/system/foo.service; confinement needs "
                                   "its own root.");
}
END_TEST

static Suite *unit_check_suite(void) {
        Suite *s = suite_create("unit-check");
        TCase *tc = test_tcase_new("check_unit", false);

        tcase_add_test(tc, test_check);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return test_run_suite(unit_check_suite());
}
