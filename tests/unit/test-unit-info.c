/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "unit-info.h"
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

START_TEST(test_settings) {
        _cleanup_(unit_info_done) UnitInfo u, v;

        test_write_file(test_root, "/usr/lib/systemd/system/foo.service",
                        "[Unit]\nRootDirectory=/not/in/service\n"
                        "[Service]\n"
                        "RootDirectory=/srv/root\n"
                        "RootImage=/srv/image.raw\n"
                        "RootDirectoryStartOnly=yes\n"
                        "PrivateTmp=true\n");
        load("foo.service", &u);
        ck_assert_str_eq(u.root_directory, "/srv/root");
        ck_assert_str_eq(u.root_directory_file, "/usr/lib/systemd/system/foo.service");
        ck_assert_str_eq(u.root_image, "/srv/image.raw");
        ck_assert_str_eq(u.root_directory_start_only_file, "/usr/lib/systemd/system/foo.service");
        ck_assert_int_eq(u.private_tmp, 1);

        /* Drop-ins reset them. */
        test_write_file(test_root, "/etc/systemd/system/foo.service.d/reset.conf",
                        "[Service]\nRootDirectory=\nRootImage=\nRootDirectoryStartOnly=no\nPrivateTmp=bogus\n");
        load("foo.service", &v);
        ck_assert_ptr_null(v.root_directory);
        ck_assert_ptr_null(v.root_directory_file);
        ck_assert_ptr_null(v.root_image);
        ck_assert_ptr_null(v.root_directory_start_only_file);
        ck_assert_int_eq(v.private_tmp, -1);
}
END_TEST

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

static void build(const char *env, char **const *answers, size_t n, const GeneratorDirs *dirs, char ***ret,
                  char **ret_doubt) {
        ck_assert_int_eq(unit_search_path_build(env, answers, n, dirs, ret, ret_doubt), 0);
        ck_assert_ptr_nonnull(*ret);
}

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

START_TEST(test_full_privilege) {
        _cleanup_(unit_info_done) UnitInfo u, v, w;

        test_write_file(test_root, "/etc/systemd/system/p.service",
                        "[Service]\nExecStart=!/bin/a\nExecStartPost=-@+/bin/b b\n");
        load("p.service", &u);
        ck_assert_str_eq(u.full_privilege_command, "/etc/systemd/system/p.service:3: ExecStartPost=-@+/bin/b b");
        /* An empty assignment takes it away again. */
        test_write_file(test_root, "/etc/systemd/system/p.service.d/10-no.conf", "[Service]\nExecStartPost=\n");
        load("p.service", &v);
        ck_assert_ptr_null(v.full_privilege_command);
        test_write_file(test_root, "/etc/systemd/system/p.service.d/20-cond.conf",
                        "[Service]\nExecStop=|-/bin/s\nExecCondition=|+/bin/c\n");
        load("p.service", &w);
        ck_assert_str_eq(w.full_privilege_command,
                         "/etc/systemd/system/p.service.d/20-cond.conf:3: ExecCondition=|+/bin/c");
}
END_TEST

/* An empty assignment of a setting the confinement is made of counts only
 * in a drop-in that sorts after the generator's 50-confinement.conf. */
START_TEST(test_confinement_reset) {
        _cleanup_(unit_info_done) UnitInfo u, v, w;

        test_write_file(test_root, "/etc/systemd/system/r.service", "[Service]\nExecStart=/bin/a\nBindPaths=\n");
        test_write_file(test_root, "/etc/systemd/system/r.service.d/10-early.conf",
                        "[Service]\nRootDirectory=\nBindReadOnlyPaths=\n");
        load("r.service", &u);
        ck_assert_ptr_null(u.confinement_reset);
        ck_assert_ptr_null(u.dropin_shadow_file);
        test_write_file(test_root, "/usr/lib/systemd/system/r.service.d/99-override.conf",
                        "[Service]\nBindPaths=/a\nRootDirectory=\nTemporaryFileSystem=\n");
        load("r.service", &v);
        ck_assert_str_eq(v.confinement_reset, "/usr/lib/systemd/system/r.service.d/99-override.conf:3: RootDirectory=");
        /* One named as the generator's takes its place. */
        test_write_file(test_root, "/etc/systemd/system/r.service.d/50-confinement.conf", "[Service]\nX=1\n");
        load("r.service", &w);
        ck_assert_str_eq(w.dropin_shadow_file, "/etc/systemd/system/r.service.d/50-confinement.conf");
}
END_TEST

START_TEST(test_mode_settings) {
        _cleanup_(unit_info_done) UnitInfo u;

        test_write_file(test_root, "/etc/systemd/system/m.service",
                        "[Service]\nExecStart=/bin/a\nUser=web\nPrivateDevices=no\nProtectControlGroups=strict\n"
                        "PrivateUsers=yes\nAmbientCapabilities=CAP_NET_BIND_SERVICE\n");
        test_write_file(test_root, "/etc/systemd/system/m.service.d/10-x.conf", "[Service]\nPrivateUsers=\n");
        load("m.service", &u);
        ck_assert_str_eq(u.mode_settings[MODE_SETTING_PRIVATE_DEVICES], "no");
        ck_assert_str_eq(u.mode_settings[MODE_SETTING_PROTECT_CONTROL_GROUPS], "strict");
        ck_assert_ptr_null(u.mode_settings[MODE_SETTING_PRIVATE_USERS]);
        ck_assert_ptr_null(u.mode_settings[MODE_SETTING_MOUNT_API_VFS]);
        ck_assert_str_eq(u.user, "web");
        ck_assert(!u.dynamic_user);
        ck_assert(u.sets_capabilities);
        ck_assert_str_eq(mode_setting_to_string(MODE_SETTING_PROTECT_KERNEL_TUNABLES), "ProtectKernelTunables");
}
END_TEST

static Suite *unit_info_suite(void) {
        Suite *s = suite_create("unit-info");
        TCase *tc = test_tcase_new("unit_info_load", true);

        tcase_add_test(tc, test_not_found);
        tcase_add_test(tc, test_unit_file);
        tcase_add_test(tc, test_search_path_order);
        tcase_add_test(tc, test_search_path_plausible);
        tcase_add_test(tc, test_search_path_build);
        tcase_add_test(tc, test_search_path_env);
        tcase_add_test(tc, test_dropins);
        tcase_add_test(tc, test_instance);
        tcase_add_test(tc, test_prefix_dropins);
        tcase_add_test(tc, test_masked);
        tcase_add_test(tc, test_masked_without_dev);
        tcase_add_test(tc, test_symlinks_under_root);
        tcase_add_test(tc, test_symlinked_unit_dir);
        tcase_add_test(tc, test_settings);
        tcase_add_test(tc, test_search_path);
        tcase_add_test(tc, test_aliases);
        tcase_add_test(tc, test_template_alias);
        tcase_add_test(tc, test_full_privilege);
        tcase_add_test(tc, test_confinement_reset);
        tcase_add_test(tc, test_mode_settings);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return test_run_suite(unit_info_suite());
}
