/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>
#include <string.h>

#include "resolver.h"
#include "systemd-version.h"
#include "test-util.h"

#define E(n) { .name = (char *) (n), .path = (char *) "/etc/confinement.d/" n }

static void make_root(void) {
        test_store_path(test_root, "/nix/store/aaa-hello");
        test_write_file(test_root, "/etc/c/store-paths", "/nix/store/aaa-hello\n");
}

START_TEST(test_resolve) {
        _cleanup_(resolver_done) Resolver r = {};
        _cleanup_(spec_entries_done) SpecEntries entries = {};
        _cleanup_confinement_ Confinement *c = NULL;
        _cleanup_(diag_done) Diag d = {};

        make_root();
        test_write_file(test_root, "/etc/confinement.d/foo.service.json", "{\"closureInfo\": \"/etc/c\"}");
        test_write_file(test_root, "/etc/systemd/system/foo.service",
                        "[Service]\nExecStart=/nix/store/aaa-hello/bin/hello\nPrivateTmp=yes\n");
        ck_assert_int_eq(spec_dirs_enumerate(test_fs(test_root), &entries), 0);
        ck_assert_uint_eq(entries.n, 1);

        ck_assert_int_eq(resolver_init(&r, test_fs(test_root), NULL), 0);
        ck_assert_ptr_nonnull(r.search_path);
        ck_assert_int_eq(resolver_resolve(&r, &entries.entries[0], "foo.service", &c, &d), 0);
        ck_assert_str_eq(c->unit, "foo.service");
        ck_assert_str_eq(c->spec_file, "/etc/confinement.d/foo.service.json");
        ck_assert_uint_eq(c->n_binds, 1);
        /* The unit was read. */
        ck_assert_int_eq(c->unit_private_tmp, 1);
        ck_assert_ptr_null(d.reason);
}
END_TEST

/* The run's systemd version reaches every confinement: from the
 * environment; under a root without it, unknown. */
START_TEST(test_resolve_systemd_version) {
        _cleanup_(spec_entries_done) SpecEntries entries = {};
        Diag d = {};

        make_root();
        test_write_file(test_root, "/etc/confinement.d/foo.service.json", "{\"closureInfo\": \"/etc/c\"}");
        ck_assert_int_eq(spec_dirs_enumerate(test_fs(test_root), &entries), 0);
        for (unsigned i = 0; i < 2; i++) {
                _cleanup_(resolver_done) Resolver r = {};
                _cleanup_confinement_ Confinement *c = NULL;

                if (i == 0)
                        ck_assert_int_eq(setenv(SYSTEMD_VERSION_ENV, "262", 1), 0);
                else
                        ck_assert_int_eq(unsetenv(SYSTEMD_VERSION_ENV), 0);
                ck_assert_int_eq(resolver_init(&r, test_fs(test_root), NULL), 0);
                ck_assert_uint_eq(r.systemd_version, i == 0 ? 262 : 0);
                ck_assert_int_eq(resolver_resolve(&r, &entries.entries[0], "foo.service", &c, &d), 0);
                ck_assert_uint_eq(c->systemd_version, i == 0 ? 262 : 0);
                diag_done(&d);
        }
}
END_TEST

START_TEST(test_resolve_errors) {
        _cleanup_(resolver_done) Resolver r = {};
        SpecEntry untrusted = E("foo.service.json"), missing = E("bar.service.json"), bad = E("baz.service.json");
        Confinement *c = NULL;

        make_root();
        untrusted.distrust = (char *) "/etc/confinement.d is writable by anyone (mode 0777)";
        test_write_file(test_root, "/etc/confinement.d/baz.service.json", "{\"closureInfo\": \"/etc/none\"}");
        ck_assert_int_eq(resolver_init(&r, test_fs(test_root), NULL), 0);
        {
                _cleanup_(diag_done) Diag d = {};
                ck_assert_int_eq(resolver_resolve(&r, &untrusted, "foo.service", &c, &d), -EPERM);
                ck_assert_str_eq(d.reason, "/etc/confinement.d/foo.service.json: refusing a spec an unprivileged "
                                           "user could change: /etc/confinement.d is writable by anyone (mode 0777).");
        }
        {
                _cleanup_(diag_done) Diag d = {};
                ck_assert_int_eq(resolver_resolve(&r, &missing, "bar.service", &c, &d), -ENOENT);
                ck_assert_str_eq(d.reason, "/etc/confinement.d/bar.service.json: cannot open: No such file or "
                                           "directory.");
        }
        {
                _cleanup_(diag_done) Diag d = {};
                ck_assert_int_eq(resolver_resolve(&r, &bad, "baz.service", &c, &d), -ENOENT);
                ck_assert_str_eq(d.reason, "/etc/confinement.d/baz.service.json: key \"closureInfo\": "
                                           "/etc/none/store-paths: cannot open: No such file or directory.");
        }
        ck_assert_ptr_null(c);
}
END_TEST

/* Without a unit search path it can establish, every spec fails closed:
 * whether the unit may be confined cannot be judged without its files. */
START_TEST(test_resolve_no_search_path) {
        _cleanup_(resolver_done) Resolver r = {};
        SpecEntry e = E("foo.service.json");
        _cleanup_(diag_done) Diag d = {};
        Confinement *c = NULL;

        make_root();
        test_write_file(test_root, "/etc/confinement.d/foo.service.json", "{\"closureInfo\": \"/etc/c\"}");
        /* systemd makes a relative entry absolute against its own
         * working directory, which the generator cannot see. */
        ck_assert_int_eq(setenv("SYSTEMD_UNIT_PATH", "/etc/systemd/system:relative:", 1), 0);
        ck_assert_int_eq(resolver_init(&r, test_fs(test_root), NULL), 0);
        ck_assert_int_eq(unsetenv("SYSTEMD_UNIT_PATH"), 0);
        ck_assert_ptr_nonnull(r.search_path_doubt);
        ck_assert_int_eq(resolver_resolve(&r, &e, "foo.service", &c, &d), -ENOENT);
        ck_assert_ptr_null(c);
        ck_assert_str_eq(d.reason, "/etc/confinement.d/foo.service.json: cannot establish how systemd finds "
                                   "foo.service: $SYSTEMD_UNIT_PATH has the relative entry \"relative\", which the "
                                   "generator cannot resolve as systemd does.");
}
END_TEST

START_TEST(test_resolve_shares_cache) {
        _cleanup_(resolver_done) Resolver r = {};
        SpecEntry a = E("a.service.json"), b = E("b.service.json");
        _cleanup_confinement_ Confinement *ca = NULL, *cb = NULL;
        _cleanup_(diag_done) Diag d = {};

        /* Two specs over one closure: the store is asked about once. */
        make_root();
        test_write_file(test_root, "/etc/confinement.d/a.service.json", "{\"closureInfo\": \"/etc/c\"}");
        test_write_file(test_root, "/etc/confinement.d/b.service.json",
                        "{\"closureInfo\": \"/etc/c\", \"bindMethod\": \"read-only\"}");
        ck_assert_int_eq(resolver_init(&r, test_fs(test_root), NULL), 0);
        ck_assert_int_eq(resolver_resolve(&r, &a, "a.service", &ca, &d), 0);
        ck_assert_int_eq(resolver_resolve(&r, &b, "b.service", &cb, &d), 0);
        ck_assert_uint_eq(r.cache.store.n_dirs, 1);
        ck_assert_str_eq(ca->binds[0].target, cb->binds[0].target);
        ck_assert_int_ne(ca->binds[0].kind, cb->binds[0].kind);
}
END_TEST

static Suite *resolver_suite(void) {
        Suite *s = suite_create("resolver");
        TCase *tc;

        tc = test_tcase_new("resolve", true);
        tcase_add_test(tc, test_resolve);
        tcase_add_test(tc, test_resolve_systemd_version);
        tcase_add_test(tc, test_resolve_errors);
        tcase_add_test(tc, test_resolve_shares_cache);
        tcase_add_test(tc, test_resolve_no_search_path);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return test_run_suite(resolver_suite());
}
