/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <string.h>

#include "test-util.h"
#include "unit-settings.h"

/* The settings of the files given (NULL ends), in that order, under test_root. */
static void read_files(UnitInfo *u, const char *first, ...) {
        _cleanup_(path_list_done) PathList files = {};
        va_list ap;

        va_start(ap, first);
        for (const char *f = first; f; f = va_arg(ap, const char *))
                ck_assert_int_eq(path_list_add(&files, f), 0);
        va_end(ap);
        *u = (UnitInfo) { .private_tmp = -1 };
        ck_assert_int_eq(unit_settings_read(test_fs(test_root), &files, "/nix/store", u), 0);
}

START_TEST(test_settings) {
        _cleanup_(unit_info_done) UnitInfo u, v;

        test_write_file(test_root, "/usr/lib/systemd/system/foo.service",
                        "[Unit]\nRootDirectory=/not/in/service\n"
                        "[Service]\n"
                        "RootDirectory=/srv/root\n"
                        "RootImage=/srv/image.raw\n"
                        "RootDirectoryStartOnly=yes\n"
                        "PrivateTmp=true\n");
        read_files(&u, "/usr/lib/systemd/system/foo.service", NULL);
        ck_assert_str_eq(u.root_directory, "/srv/root");
        ck_assert_str_eq(u.root_directory_file, "/usr/lib/systemd/system/foo.service");
        ck_assert_str_eq(u.root_image, "/srv/image.raw");
        ck_assert_str_eq(u.root_directory_start_only_file, "/usr/lib/systemd/system/foo.service");
        ck_assert_int_eq(u.private_tmp, 1);

        /* Drop-ins reset them. */
        test_write_file(test_root, "/etc/systemd/system/foo.service.d/reset.conf",
                        "[Service]\nRootDirectory=\nRootImage=\nRootDirectoryStartOnly=no\nPrivateTmp=bogus\n");
        read_files(&v, "/usr/lib/systemd/system/foo.service", "/etc/systemd/system/foo.service.d/reset.conf", NULL);
        ck_assert_ptr_null(v.root_directory);
        ck_assert_ptr_null(v.root_directory_file);
        ck_assert_ptr_null(v.root_image);
        ck_assert_ptr_null(v.root_directory_start_only_file);
        ck_assert_int_eq(v.private_tmp, -1);
}
END_TEST

START_TEST(test_full_privilege) {
        _cleanup_(unit_info_done) UnitInfo u, v, w;

        test_write_file(test_root, "/etc/systemd/system/p.service",
                        "[Service]\nExecStart=!/bin/a\nExecStartPost=-@+/bin/b b\n");
        read_files(&u, "/etc/systemd/system/p.service", NULL);
        ck_assert_str_eq(u.full_privilege_command, "/etc/systemd/system/p.service:3: ExecStartPost=-@+/bin/b b");
        /* An empty assignment takes it away again. */
        test_write_file(test_root, "/etc/systemd/system/p.service.d/10-no.conf", "[Service]\nExecStartPost=\n");
        read_files(&v, "/etc/systemd/system/p.service", "/etc/systemd/system/p.service.d/10-no.conf", NULL);
        ck_assert_ptr_null(v.full_privilege_command);
        test_write_file(test_root, "/etc/systemd/system/p.service.d/20-cond.conf",
                        "[Service]\nExecStop=|-/bin/s\nExecCondition=|+/bin/c\n");
        read_files(&w, "/etc/systemd/system/p.service", "/etc/systemd/system/p.service.d/10-no.conf",
                   "/etc/systemd/system/p.service.d/20-cond.conf", NULL);
        ck_assert_str_eq(w.full_privilege_command,
                         "/etc/systemd/system/p.service.d/20-cond.conf:3: ExecCondition=|+/bin/c");
}
END_TEST

/* An empty assignment of a setting the confinement is made of counts only
 * in a drop-in that sorts after the generator's 50-confinement.conf. */
START_TEST(test_confinement_reset) {
        _cleanup_(unit_info_done) UnitInfo u, v;

        test_write_file(test_root, "/etc/systemd/system/r.service", "[Service]\nExecStart=/bin/a\nBindPaths=\n");
        test_write_file(test_root, "/etc/systemd/system/r.service.d/10-early.conf",
                        "[Service]\nRootDirectory=\nBindReadOnlyPaths=\n");
        read_files(&u, "/etc/systemd/system/r.service", "/etc/systemd/system/r.service.d/10-early.conf", NULL);
        ck_assert_ptr_null(u.confinement_reset);
        test_write_file(test_root, "/usr/lib/systemd/system/r.service.d/99-override.conf",
                        "[Service]\nBindPaths=/a\nRootDirectory=\nTemporaryFileSystem=\n");
        read_files(&v, "/etc/systemd/system/r.service", "/etc/systemd/system/r.service.d/10-early.conf",
                   "/usr/lib/systemd/system/r.service.d/99-override.conf", NULL);
        ck_assert_str_eq(v.confinement_reset, "/usr/lib/systemd/system/r.service.d/99-override.conf:3: RootDirectory=");
}
END_TEST

START_TEST(test_mode_settings) {
        _cleanup_(unit_info_done) UnitInfo u;

        test_write_file(test_root, "/etc/systemd/system/m.service",
                        "[Service]\nExecStart=/bin/a\nUser=web\nPrivateDevices=no\nProtectControlGroups=strict\n"
                        "PrivateUsers=yes\nAmbientCapabilities=CAP_NET_BIND_SERVICE\n");
        test_write_file(test_root, "/etc/systemd/system/m.service.d/10-x.conf", "[Service]\nPrivateUsers=\n");
        read_files(&u, "/etc/systemd/system/m.service", "/etc/systemd/system/m.service.d/10-x.conf", NULL);
        ck_assert_str_eq(u.mode_settings[MODE_SETTING_PRIVATE_DEVICES], "no");
        ck_assert_str_eq(u.mode_settings[MODE_SETTING_PROTECT_CONTROL_GROUPS], "strict");
        ck_assert_ptr_null(u.mode_settings[MODE_SETTING_PRIVATE_USERS]);
        ck_assert_ptr_null(u.mode_settings[MODE_SETTING_MOUNT_API_VFS]);
        ck_assert_str_eq(u.user, "web");
        ck_assert(!u.dynamic_user);
        ck_assert(!u.forking);
        ck_assert(u.sets_capabilities);
        ck_assert_str_eq(mode_setting_to_string(MODE_SETTING_PROTECT_KERNEL_TUNABLES), "ProtectKernelTunables");
}
END_TEST

/* Type=forking, which PrivatePIDs= does not support; the last one counts. */
START_TEST(test_forking) {
        _cleanup_(unit_info_done) UnitInfo a, b;

        test_write_file(test_root, "/etc/systemd/system/f.service", "[Service]\nType=forking\nExecStart=/bin/a\n");
        test_write_file(test_root, "/etc/systemd/system/f.service.d/10-x.conf", "[Service]\nType=notify\n");
        read_files(&a, "/etc/systemd/system/f.service", NULL);
        ck_assert(a.forking);
        read_files(&b, "/etc/systemd/system/f.service", "/etc/systemd/system/f.service.d/10-x.conf", NULL);
        ck_assert(!b.forking);
}
END_TEST

static Suite *unit_settings_suite(void) {
        Suite *s = suite_create("unit-settings");
        TCase *tc = test_tcase_new("unit_settings_read", true);

        tcase_add_test(tc, test_settings);
        tcase_add_test(tc, test_full_privilege);
        tcase_add_test(tc, test_confinement_reset);
        tcase_add_test(tc, test_mode_settings);
        tcase_add_test(tc, test_forking);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return test_run_suite(unit_settings_suite());
}
