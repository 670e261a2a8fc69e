/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "unit-info.h"
#include "unit-lookup.h"
#include "test-util.h"

static char *const search_path[] = {
        (char *) "/etc/systemd/system",
        (char *) "/run/systemd/system",
        (char *) "/usr/lib/systemd/system",
        NULL,
};

static void assert_same_list(const PathList *a, const PathList *b) {
        ck_assert_uint_eq(a->n, b->n);
        for (size_t i = 0; i < a->n; i++)
                ck_assert_str_eq(a->items[i], b->items[i]);
}

static void assert_same_string(const char *a, const char *b) {
        if (!a || !b)
                ck_assert_ptr_eq(a, b);
        else
                ck_assert_str_eq(a, b);
}

/* Loads unit probing name by name, and again through a fresh lookup that
 * lists the unit directories (as the generator does): the answers must be
 * the same. */
static void load(const char *unit, UnitInfo *u) {
        _cleanup_(unit_info_done) UnitInfo cached = { .private_tmp = -1 };
        _cleanup_(unit_lookup_done) UnitLookup probing = UNIT_LOOKUP_INIT(test_fs(test_root), search_path);
        _cleanup_(unit_lookup_done) UnitLookup listing = UNIT_LOOKUP_INIT(test_fs(test_root), search_path);

        probing.probe = true;
        *u = (UnitInfo) { .private_tmp = -1 };
        ck_assert_int_eq(unit_info_load(&probing, unit, "/nix/store", u), 0);
        ck_assert_int_eq(unit_info_load(&listing, unit, "/nix/store", &cached), 0);
        ck_assert_int_eq(u->found, cached.found);
        assert_same_list(&u->files, &cached.files);
        assert_same_list(&u->exec_store_paths, &cached.exec_store_paths);
        assert_same_list(&u->all_store_paths, &cached.all_store_paths);
        assert_same_string(u->root_directory, cached.root_directory);
        assert_same_string(u->root_directory_file, cached.root_directory_file);
        assert_same_string(u->root_image, cached.root_image);
        assert_same_string(u->root_image_file, cached.root_image_file);
        assert_same_string(u->root_directory_start_only_file, cached.root_directory_start_only_file);
        ck_assert_int_eq(u->private_tmp, cached.private_tmp);
        assert_same_list(&u->names, &cached.names);
        assert_same_string(u->full_privilege_command, cached.full_privilege_command);
        assert_same_string(u->confinement_reset, cached.confinement_reset);
        assert_same_string(u->dropin_shadow_file, cached.dropin_shadow_file);
}

static void assert_list(const PathList *l, const char *const *expected, size_t n) {
        for (size_t i = 0; i < l->n && i < n; i++)
                ck_assert_str_eq(l->items[i], expected[i]);
        ck_assert_uint_eq(l->n, n);
}

START_TEST(test_not_found) {
        _cleanup_(unit_info_done) UnitInfo u;

        load("foo.service", &u);
        ck_assert(!u.found);
        ck_assert_uint_eq(u.files.n, 0);
        ck_assert_ptr_null(u.root_directory);
        ck_assert_int_eq(u.private_tmp, -1);
}
END_TEST

START_TEST(test_unit_file) {
        _cleanup_(unit_info_done) UnitInfo u;

        test_write_file(test_root, "/usr/lib/systemd/system/foo.service",
                        "[Unit]\nDescription=uses /nix/store/ddd-doc/share\n"
                        "[Service]\n"
                        "ExecStartPre=-/nix/store/aaa-pre/bin/pre\n"
                        "ExecStart=@/nix/store/bbb-foo/bin/foo foo --config=/nix/store/ccc-conf/foo.conf\n"
                        "Environment=PATH=/nix/store/eee-path/bin\n"
                        "ExecReload=/nix/store/bbb-foo/bin/foo reload\n"
                        "ExecStop=/usr/bin/kill $MAINPID\n");
        load("foo.service", &u);
        ck_assert(u.found);
        assert_list(&u.files, (const char *[]) { "/usr/lib/systemd/system/foo.service" }, 1);
        /* Sorted, unique. */
        assert_list(&u.exec_store_paths,
                    (const char *[]) { "/nix/store/aaa-pre", "/nix/store/bbb-foo", "/nix/store/ccc-conf" }, 3);
        assert_list(&u.all_store_paths,
                    (const char *[]) { "/nix/store/aaa-pre", "/nix/store/bbb-foo", "/nix/store/ccc-conf",
                                       "/nix/store/ddd-doc", "/nix/store/eee-path" }, 5);
}
END_TEST

START_TEST(test_search_path_order) {
        _cleanup_(unit_info_done) UnitInfo u;

        test_write_file(test_root, "/usr/lib/systemd/system/foo.service", "[Service]\nExecStart=/nix/store/a-usr/bin/x\n");
        test_write_file(test_root, "/etc/systemd/system/foo.service", "[Service]\nExecStart=/nix/store/b-etc/bin/x\n");
        load("foo.service", &u);
        assert_list(&u.files, (const char *[]) { "/etc/systemd/system/foo.service" }, 1);
        assert_list(&u.exec_store_paths, (const char *[]) { "/nix/store/b-etc" }, 1);
}
END_TEST

START_TEST(test_dropins) {
        _cleanup_(unit_info_done) UnitInfo u;

        test_write_file(test_root, "/usr/lib/systemd/system/foo.service", "[Service]\nExecStart=/nix/store/a-x/bin/x\n");
        test_write_file(test_root, "/usr/lib/systemd/system/foo.service.d/10-a.conf", "[Service]\nPrivateTmp=yes\n");
        test_write_file(test_root, "/usr/lib/systemd/system/foo.service.d/30-c.conf", "[Service]\nPrivateTmp=no\n");
        /* /etc overrides a drop-in of the same name. */
        test_write_file(test_root, "/etc/systemd/system/foo.service.d/10-a.conf", "[Service]\nPrivateTmp=no\n");
        test_write_file(test_root, "/run/systemd/system/foo.service.d/20-b.conf",
                        "[Service]\nExecStart=\nExecStart=/nix/store/b-y/bin/y\n");
        /* Not drop-ins. */
        test_write_file(test_root, "/etc/systemd/system/foo.service.d/README", "[Service]\nRootImage=/x\n");
        test_write_file(test_root, "/etc/systemd/system/foo.service.d/.conf", "[Service]\nRootImage=/x\n");
        /* An empty drop-in contributes nothing. */
        test_write_file(test_root, "/etc/systemd/system/foo.service.d/40-empty.conf", "");
        load("foo.service", &u);
        assert_list(&u.files,
                    (const char *[]) { "/usr/lib/systemd/system/foo.service",
                                       "/etc/systemd/system/foo.service.d/10-a.conf",
                                       "/run/systemd/system/foo.service.d/20-b.conf",
                                       "/usr/lib/systemd/system/foo.service.d/30-c.conf" }, 4);
        /* "ExecStart=" resets: only b-y is executed, both are named. */
        assert_list(&u.exec_store_paths, (const char *[]) { "/nix/store/b-y" }, 1);
        assert_list(&u.all_store_paths, (const char *[]) { "/nix/store/a-x", "/nix/store/b-y" }, 2);
        ck_assert_int_eq(u.private_tmp, 0);
        ck_assert_ptr_null(u.root_image);
}
END_TEST

START_TEST(test_instance) {
        _cleanup_(unit_info_done) UnitInfo u, v;

        test_write_file(test_root, "/usr/lib/systemd/system/web@.service",
                        "[Service]\nExecStart=/nix/store/a-web/bin/web %i\n");
        test_write_file(test_root, "/etc/systemd/system/web@.service.d/10-t.conf", "[Service]\nPrivateTmp=yes\n");
        test_write_file(test_root, "/etc/systemd/system/web@blue.service.d/20-i.conf",
                        "[Service]\nExecStartPost=/nix/store/b-post/bin/post\n");
        load("web@blue.service", &u);
        ck_assert(u.found);
        assert_list(&u.files,
                    (const char *[]) { "/usr/lib/systemd/system/web@.service",
                                       "/etc/systemd/system/web@.service.d/10-t.conf",
                                       "/etc/systemd/system/web@blue.service.d/20-i.conf" }, 3);
        assert_list(&u.exec_store_paths, (const char *[]) { "/nix/store/a-web", "/nix/store/b-post" }, 2);
        ck_assert_int_eq(u.private_tmp, 1);

        /* An instance's own unit file wins over the template's. */
        test_write_file(test_root, "/etc/systemd/system/web@red.service", "[Service]\nExecStart=/nix/store/c-red/bin/r\n");
        load("web@red.service", &v);
        assert_list(&v.files,
                    (const char *[]) { "/etc/systemd/system/web@red.service",
                                       "/etc/systemd/system/web@.service.d/10-t.conf" }, 2);
}
END_TEST

START_TEST(test_prefix_dropins) {
        _cleanup_(unit_info_done) UnitInfo u;

        test_write_file(test_root, "/usr/lib/systemd/system/a-b-c.service", "[Service]\nExecStart=/bin/true\n");
        test_write_file(test_root, "/etc/systemd/system/service.d/10-all.conf", "[Service]\nPrivateTmp=yes\n");
        test_write_file(test_root, "/etc/systemd/system/a-.service.d/20-a.conf", "[Service]\nPrivateTmp=no\n");
        test_write_file(test_root, "/etc/systemd/system/a-b-.service.d/30-ab.conf", "[Service]\nRootImage=/img\n");
        test_write_file(test_root, "/etc/systemd/system/a-b-c.service.d/40-abc.conf", "[Service]\nX=1\n");
        test_write_file(test_root, "/etc/systemd/system/b-.service.d/50-not.conf", "[Service]\nRootDirectory=/x\n");
        load("a-b-c.service", &u);
        assert_list(&u.files,
                    (const char *[]) { "/usr/lib/systemd/system/a-b-c.service",
                                       "/etc/systemd/system/service.d/10-all.conf",
                                       "/etc/systemd/system/a-.service.d/20-a.conf",
                                       "/etc/systemd/system/a-b-.service.d/30-ab.conf",
                                       "/etc/systemd/system/a-b-c.service.d/40-abc.conf" }, 5);
        ck_assert_int_eq(u.private_tmp, 0);
        ck_assert_str_eq(u.root_image, "/img");
        ck_assert_str_eq(u.root_image_file, "/etc/systemd/system/a-b-.service.d/30-ab.conf");
        ck_assert_ptr_null(u.root_directory);
}
END_TEST

START_TEST(test_masked) {
        _cleanup_(unit_info_done) UnitInfo a, b;

        /* An empty unit file, or one linked to /dev/null, is masked: no unit. */
        test_write_file(test_root, "/usr/lib/systemd/system/foo.service", "[Service]\nExecStart=/bin/true\n");
        test_write_file(test_root, "/etc/systemd/system/foo.service", "");
        load("foo.service", &a);
        ck_assert(!a.found);
        ck_assert_uint_eq(a.files.n, 0);

        test_write_file(test_root, "/dev/null", "");
        test_write_file(test_root, "/usr/lib/systemd/system/bar.service", "[Service]\nExecStart=/bin/true\n");
        test_symlink(test_root, "/etc/systemd/system/bar.service", "/dev/null");
        load("bar.service", &b);
        ck_assert(!b.found);
}
END_TEST

START_TEST(test_masked_without_dev) {
        _cleanup_(unit_info_done) UnitInfo u;

        /* Regression: a /dev/null mask is recognised by name, also under a
         * root without /dev. */
        test_write_file(test_root, "/usr/lib/systemd/system/foo.service", "[Service]\nExecStart=/bin/true\n");
        test_symlink(test_root, "/etc/systemd/system/foo.service", "/dev/null");
        load("foo.service", &u);
        ck_assert_msg(!u.found, "masked unit read from %s", u.files.n > 0 ? u.files.items[0] : "?");
}
END_TEST

START_TEST(test_symlinks_under_root) {
        _cleanup_(unit_info_done) UnitInfo u;

        /* As NixOS lays it out: unit files and drop-ins link into the store. */
        test_write_file(test_root, "/nix/store/aaa-units/foo.service", "[Service]\nExecStart=/nix/store/b-x/bin/x\n");
        test_write_file(test_root, "/nix/store/aaa-units/override.conf", "[Service]\nRootDirectory=/srv\n");
        test_symlink(test_root, "/etc/systemd/system/foo.service", "/nix/store/aaa-units/foo.service");
        test_symlink(test_root, "/etc/systemd/system/foo.service.d/override.conf", "/nix/store/aaa-units/override.conf");
        load("foo.service", &u);
        ck_assert(u.found);
        /* The unit file: as the link resolves under the root. */
        ck_assert_str_eq(u.files.items[0], "/nix/store/aaa-units/foo.service");
        /* Regression: a drop-in symlinked within the root is followed within
         * the root, not on the host. */
        ck_assert_uint_eq(u.files.n, 2);
        ck_assert_str_eq(u.root_directory, "/srv");
}
END_TEST

START_TEST(test_symlinked_unit_dir) {
        _cleanup_(unit_info_done) UnitInfo u, v;

        /* As NixOS lays it out: a directory of the search path is itself a
         * link into the store (/etc/systemd/system -> /etc/static/... ->
         * /nix/store/...). The cache asks name by name there; load() checks
         * that its answers are those without the cache. */
        test_write_file(test_root, "/nix/store/ccc-system-units/foo.service", "[Service]\nPrivateTmp=no\n");
        test_write_file(test_root, "/nix/store/ccc-system-units/foo.service.d/x.conf", "[Service]\nPrivateTmp=yes\n");
        test_symlink(test_root, "/etc/static", "/nix/store/ccc-system-units");
        test_symlink(test_root, "/etc/systemd/system", "/etc/static");
        load("foo.service", &u);
        ck_assert(u.found);
        ck_assert_uint_eq(u.files.n, 2);
        ck_assert_int_eq(u.private_tmp, 1);
        load("bar.service", &v);
        ck_assert(!v.found);
}
END_TEST

/* systemd loads the drop-ins of every name of a unit: the spec's name may
 * be an alias, or the real name with drop-ins under an alias. */
START_TEST(test_aliases) {
        _cleanup_(unit_info_done) UnitInfo u, v;

        test_write_file(test_root, "/etc/systemd/system/rt9-real.service",
                        "[Service]\nExecStart=/bin/true\n[Install]\nAlias=rt9-alias.service\n");
        test_symlink(test_root, "/etc/systemd/system/rt9-alias.service", "rt9-real.service");
        test_symlink(test_root, "/usr/lib/systemd/system/not-an-alias.service", "/etc/systemd/system/other.service");
        test_write_file(test_root, "/etc/systemd/system/rt9-real.service.d/10-rdso.conf",
                        "[Service]\nRootDirectoryStartOnly=yes\n");
        test_write_file(test_root, "/etc/systemd/system/rt9-alias.service.d/20-plus.conf",
                        "[Service]\nExecStartPre=+/bin/true\n");
        load("rt9-alias.service", &u);
        assert_list(&u.names, (const char *[]) { "rt9-alias.service", "rt9-real.service" }, 2);
        assert_list(&u.files,
                    (const char *[]) { "/etc/systemd/system/rt9-real.service",
                                       "/etc/systemd/system/rt9-real.service.d/10-rdso.conf",
                                       "/etc/systemd/system/rt9-alias.service.d/20-plus.conf" }, 3);
        ck_assert_str_eq(u.root_directory_start_only_file, "/etc/systemd/system/rt9-real.service.d/10-rdso.conf");
        ck_assert_str_eq(u.full_privilege_command,
                         "/etc/systemd/system/rt9-alias.service.d/20-plus.conf:2: ExecStartPre=+/bin/true");

        /* The other way round. */
        load("rt9-real.service", &v);
        assert_list(&v.names, (const char *[]) { "rt9-alias.service", "rt9-real.service" }, 2);
        assert_same_list(&u.files, &v.files);
}
END_TEST

START_TEST(test_template_alias) {
        _cleanup_(unit_info_done) UnitInfo u;

        test_write_file(test_root, "/usr/lib/systemd/system/web@.service", "[Service]\nExecStart=/bin/true\n");
        test_symlink(test_root, "/etc/systemd/system/www@.service", "/usr/lib/systemd/system/web@.service");
        test_write_file(test_root, "/etc/systemd/system/www@blue.service.d/99-reset.conf",
                        "[Service]\nTemporaryFileSystem=\n");
        load("web@blue.service", &u);
        assert_list(&u.names, (const char *[]) { "web@blue.service", "www@blue.service" }, 2);
        ck_assert_str_eq(u.confinement_reset,
                         "/etc/systemd/system/www@blue.service.d/99-reset.conf:2: TemporaryFileSystem=");
}
END_TEST

/* A drop-in named as the generator's, outside the generator directories,
 * would take its place. */
START_TEST(test_dropin_shadow) {
        _cleanup_(unit_info_done) UnitInfo u, v;

        test_write_file(test_root, "/etc/systemd/system/r.service", "[Service]\nExecStart=/bin/a\n");
        load("r.service", &u);
        ck_assert_ptr_null(u.dropin_shadow_file);
        test_write_file(test_root, "/etc/systemd/system/r.service.d/50-confinement.conf", "[Service]\nX=1\n");
        load("r.service", &v);
        ck_assert_str_eq(v.dropin_shadow_file, "/etc/systemd/system/r.service.d/50-confinement.conf");
}
END_TEST

static Suite *unit_lookup_suite(void) {
        Suite *s = suite_create("unit-lookup");
        TCase *tc = test_tcase_new("unit_lookup", true);

        tcase_add_test(tc, test_not_found);
        tcase_add_test(tc, test_unit_file);
        tcase_add_test(tc, test_search_path_order);
        tcase_add_test(tc, test_dropins);
        tcase_add_test(tc, test_instance);
        tcase_add_test(tc, test_prefix_dropins);
        tcase_add_test(tc, test_masked);
        tcase_add_test(tc, test_masked_without_dev);
        tcase_add_test(tc, test_symlinks_under_root);
        tcase_add_test(tc, test_symlinked_unit_dir);
        tcase_add_test(tc, test_aliases);
        tcase_add_test(tc, test_template_alias);
        tcase_add_test(tc, test_dropin_shadow);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return test_run_suite(unit_lookup_suite());
}
