/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc-util.h"
#include "systemd-version.h"
#include "test-util.h"

START_TEST(test_parse) {
        ck_assert_uint_eq(systemd_version_parse("252"), 252);
        ck_assert_uint_eq(systemd_version_parse("257.9-1~deb13u1"), 257);
        ck_assert_uint_eq(systemd_version_parse("262~rc1"), 262);
        ck_assert_uint_eq(systemd_version_parse("257.so"), 257);
        ck_assert_uint_eq(systemd_version_parse("0"), 0);
        ck_assert_uint_eq(systemd_version_parse(""), 0);
        ck_assert_uint_eq(systemd_version_parse("v257"), 0);
        ck_assert_uint_eq(systemd_version_parse(" 257"), 0);
        ck_assert_uint_eq(systemd_version_parse("99999999999999999999"), 0);
}
END_TEST

/* Lines as /proc/1/maps has them on Debian, Fedora and NixOS, around
 * others that are not systemd's. */
START_TEST(test_from_maps) {
        static const char *const cases[][2] = {
                { "7f00-7f10 r--p 00000000 08:01 1 /usr/lib/systemd/systemd\n"
                  "7f10-7f20 r-xp 00001000 08:01 2 /usr/lib/x86_64-linux-gnu/systemd/libsystemd-core-257.so\n"
                  "7f20-7f30 r-xp 00001000 08:01 3 /usr/lib/x86_64-linux-gnu/systemd/libsystemd-shared-257.so\n",
                  "257" },
                { "7f20-7f30 r-xp 00001000 fd:00 3 /usr/lib64/systemd/libsystemd-shared-256.11-1.fc41.so\n", "256" },
                { "7f20-7f30 r-xp 00001000 00:1f 3 "
                  "/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-systemd-257.5/lib/systemd/libsystemd-shared-257.so\n",
                  "257" },
                /* an upgraded package before daemon-reexec: the running one */
                { "7f20-7f30 r-xp 00001000 08:01 3 /usr/lib/x86_64-linux-gnu/systemd/libsystemd-shared-252.so "
                  "(deleted)\n",
                  "252" },
                /* PID 1 that is no systemd, or a name without a number */
                { "7f00-7f10 r-xp 00000000 08:01 1 /sbin/init\n"
                  "7f10-7f20 r-xp 00000000 08:01 2 /usr/lib/libsystemd.so.0.35.0\n",
                  "0" },
                { "7f10-7f20 r-xp 00000000 08:01 2 /usr/lib/libsystemd-shared-.so\n", "0" },
                { "", "0" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                test_write_file(test_root, "/maps", cases[i][0]);
                _cleanup_free_ char *path = test_path(test_root, "/maps");
                ck_assert_uint_eq(systemd_version_from_maps(path), (unsigned) atoi(cases[i][1]));
        }
        _cleanup_free_ char *missing = test_path(test_root, "/missing");
        ck_assert_uint_eq(systemd_version_from_maps(missing), 0);
}
END_TEST

/* The environment first; a root (not the host) without it: unknown. */
START_TEST(test_probe) {
        Root *root = test_fs(test_root);

        ck_assert_int_eq(setenv(SYSTEMD_VERSION_ENV, "257", 1), 0);
        ck_assert_uint_eq(systemd_version_probe(root), 257);
        ck_assert_uint_eq(systemd_version_probe(test_fs(NULL)), 257);
        ck_assert_int_eq(setenv(SYSTEMD_VERSION_ENV, "0", 1), 0);
        ck_assert_uint_eq(systemd_version_probe(test_fs(NULL)), 0);
        ck_assert_int_eq(setenv(SYSTEMD_VERSION_ENV, "yes", 1), 0);
        ck_assert_uint_eq(systemd_version_probe(test_fs(NULL)), 0);
        ck_assert_int_eq(unsetenv(SYSTEMD_VERSION_ENV), 0);
        ck_assert_uint_eq(systemd_version_probe(root), 0);
        /* the host: what PID 1 maps, if this test may read it */
        ck_assert_uint_eq(systemd_version_probe(test_fs(NULL)), systemd_version_from_maps("/proc/1/maps"));
}
END_TEST

static Suite *systemd_version_suite(void) {
        Suite *s = suite_create("systemd-version");
        TCase *tc = test_tcase_new("systemd-version", true);

        tcase_add_test(tc, test_parse);
        tcase_add_test(tc, test_from_maps);
        tcase_add_test(tc, test_probe);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return test_run_suite(systemd_version_suite());
}
