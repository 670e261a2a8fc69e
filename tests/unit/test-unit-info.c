/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "test-util.h"
#include "unit-info.h"

static char *const search_path[] = {
        (char *) "/etc/systemd/system",
        (char *) "/usr/lib/systemd/system",
        NULL,
};

/* The unit's files found (unit-lookup.c), then read (unit-settings.c). */
START_TEST(test_load) {
        _cleanup_(unit_lookup_done) UnitLookup l = UNIT_LOOKUP_INIT(test_fs(test_root), search_path);
        _cleanup_(unit_info_done) UnitInfo u = { .private_tmp = -1 };

        test_write_file(test_root, "/usr/lib/systemd/system/foo.service",
                        "[Service]\nExecStart=/nix/store/aaa-foo/bin/foo\nPrivateTmp=yes\n");
        test_write_file(test_root, "/etc/systemd/system/foo.service.d/10-x.conf", "[Service]\nUser=foo\n");
        ck_assert_int_eq(unit_info_load(&l, "foo.service", "/nix/store", &u), 0);
        ck_assert(u.found);
        ck_assert_uint_eq(u.files.n, 2);
        ck_assert_str_eq(u.files.items[0], "/usr/lib/systemd/system/foo.service");
        ck_assert_str_eq(u.files.items[1], "/etc/systemd/system/foo.service.d/10-x.conf");
        ck_assert_uint_eq(u.names.n, 1);
        ck_assert_uint_eq(u.exec_store_paths.n, 1);
        ck_assert_str_eq(u.exec_store_paths.items[0], "/nix/store/aaa-foo");
        ck_assert_int_eq(u.private_tmp, 1);
        ck_assert_str_eq(u.user, "foo");
}
END_TEST

START_TEST(test_missing) {
        _cleanup_(unit_lookup_done) UnitLookup l = UNIT_LOOKUP_INIT(test_fs(test_root), search_path);
        _cleanup_(unit_info_done) UnitInfo u = { .private_tmp = -1 };

        ck_assert_int_eq(unit_info_load(&l, "none.service", "/nix/store", &u), 0);
        ck_assert(!u.found);
        ck_assert_uint_eq(u.files.n, 0);
        ck_assert_int_eq(u.private_tmp, -1);
}
END_TEST

static Suite *unit_info_suite(void) {
        Suite *s = suite_create("unit-info");
        TCase *tc = test_tcase_new("unit_info_load", true);

        tcase_add_test(tc, test_load);
        tcase_add_test(tc, test_missing);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return test_run_suite(unit_info_suite());
}
