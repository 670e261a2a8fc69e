/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>
#include <unistd.h>

#include "closure-cache.h"
#include "confinement.h"
#include "dropin.h"
#include "test-util.h"

#define SPEC_FILE "/etc/confinement.d/foo.service.json"
#define VIEW "/run/confinement-view/nix/store"
/* bindMethod "view", the method these tests check unless they say otherwise (the default is "overlay"). */
#define VIEW_METHOD "\"bindMethod\": \"view\", "

/* A fake store under the test root: plain store paths, symlinks in the
 * store (relative, absolute, out of it, to it, looping), and host-like
 * files outside it. */
static void make_store(void) {
        test_store_path(test_root, "/nix/store/aaa-hello");
        test_store_path(test_root, "/nix/store/bbb-bash");
        test_write_file(test_root, "/nix/store/bbb-bash/bin/sh", "#!/bin/false\n");
        test_store_path(test_root, "/nix/store/ccc-lib");
        test_symlink(test_root, "/nix/store/ddd-link", "ccc-lib");
        test_symlink(test_root, "/nix/store/eee-abs", "/nix/store/aaa-hello");
        test_symlink(test_root, "/nix/store/fff-out", "/etc");
        test_symlink(test_root, "/nix/store/ggg-store", "/nix/store");
        test_symlink(test_root, "/nix/store/hhh-loop", "hhh-loop2");
        test_symlink(test_root, "/nix/store/hhh-loop2", "/nix/store/hhh-loop");
        test_symlink(test_root, "/nix/store/iii-up", "../../etc");
        test_write_file(test_root, "/nix/store/jjj-file", "a store path may be a file");
        test_symlink(test_root, "/run/current-system/sw/bin/sh", "/nix/store/bbb-bash/bin/sh");
        test_write_file(test_root, "/bin/sh", "not from the store");
        test_write_file(test_root, "/etc/resolv.conf", "nameserver 127.0.0.1\n");
        test_mkdir_p(test_root, "/etc/ssl/certs");
        test_symlink(test_root, "/etc/ssl/link", "certs");
        test_mkdir_p(test_root, "/var/lib/web");
        test_write_file(test_root, "/c/store-paths", "/nix/store/aaa-hello\n/nix/store/ccc-lib\n");
        test_write_file(test_root, "/c/registration",
                        "/nix/store/aaa-hello\nsha256:0\n1\n\n2\n/nix/store/aaa-hello\n/nix/store/ccc-lib\n"
                        "/nix/store/ccc-lib\nsha256:0\n1\n\n0\n");
}

static void write_closure(const char *store_paths) {
        test_write_file(test_root, "/c/store-paths", store_paths);
}

static Spec *spec_from(const char *json) {
        _cleanup_(diag_done) Diag d = {};
        Spec *s = NULL;

        ck_assert_msg(spec_parse(SPEC_FILE, json, strlen(json), &s, &d) == 0, "%s", strempty(d.reason));
        return s;
}

static Confinement *build_ok(const char *json) {
        _cleanup_spec_ Spec *s = spec_from(json);
        _cleanup_(diag_done) Diag d = {};
        Confinement *c = NULL;

        ck_assert_msg(confinement_build(test_fs(test_root), "foo.service", s, &c, &d) == 0, "%s", strempty(d.reason));
        ck_assert_ptr_nonnull(c);
        ck_assert_ptr_null(d.reason);
        return c;
}

/* The reason (to free) the build failed with. */
static char *build_fail(const char *json) {
        _cleanup_spec_ Spec *s = spec_from(json);
        Confinement *c = NULL;
        Diag d = {};

        ck_assert_int_lt(confinement_build(test_fs(test_root), "foo.service", s, &c, &d), 0);
        ck_assert_ptr_null(c);
        ck_assert_ptr_nonnull(d.reason);
        return d.reason;
}

static void assert_build_fails(const char *json, const char *expected_reason) {
        _cleanup_free_ char *reason = build_fail(json);

        ck_assert_str_eq(reason, expected_reason);
}

static void assert_bind(const Confinement *c, size_t i, BindKind kind, BindOrigin origin, const char *source,
                        const char *target, bool optional) {
        ck_assert_uint_lt(i, c->n_binds);
        ck_assert_str_eq(c->binds[i].target, target);
        ck_assert_str_eq(c->binds[i].source, source);
        ck_assert_int_eq(c->binds[i].kind, kind);
        ck_assert_int_eq(c->binds[i].origin, origin);
        ck_assert_int_eq(c->binds[i].optional, optional);
}

START_TEST(test_view) {
        _cleanup_confinement_ Confinement *c = NULL;

        make_store();
        c = build_ok("{" VIEW_METHOD "\"closureInfo\": \"/c\", \"mode\": \"full\"}");
        ck_assert_str_eq(c->unit, "foo.service");
        ck_assert_str_eq(c->spec_file, SPEC_FILE);
        ck_assert_int_eq(c->mode, CONFINEMENT_FULL);
        ck_assert_str_eq(c->store_dir, "/nix/store");
        ck_assert_str_eq(c->view_dir, VIEW);
        ck_assert_uint_eq(c->n_closure_paths, 2);
        ck_assert_uint_eq(c->n_binds, 2);
        assert_bind(c, 0, BIND_FROM_VIEW, BIND_ORIGIN_CLOSURE, VIEW "/aaa-hello", "/nix/store/aaa-hello", false);
        assert_bind(c, 1, BIND_FROM_VIEW, BIND_ORIGIN_CLOSURE, VIEW "/ccc-lib", "/nix/store/ccc-lib", false);
}
END_TEST

START_TEST(test_read_only) {
        _cleanup_confinement_ Confinement *c = NULL;

        make_store();
        c = build_ok("{\"closureInfo\": \"/c\", \"bindMethod\": \"read-only\"}");
        /* No view: no mount unit to pull in. */
        ck_assert_ptr_null(c->view_dir);
        ck_assert_uint_eq(c->n_binds, 2);
        assert_bind(c, 0, BIND_READ_ONLY, BIND_ORIGIN_CLOSURE, "/nix/store/aaa-hello", "/nix/store/aaa-hello", false);
        assert_bind(c, 1, BIND_READ_ONLY, BIND_ORIGIN_CLOSURE, "/nix/store/ccc-lib", "/nix/store/ccc-lib", false);
}
END_TEST

START_TEST(test_store_dir) {
        _cleanup_confinement_ Confinement *c = NULL;

        test_store_path(test_root, "/gnu/store/aaa-guile");
        write_closure("/gnu/store/aaa-guile\n");
        c = build_ok("{" VIEW_METHOD "\"closureInfo\": \"/c\", \"storeDir\": \"/gnu/store\"}");
        ck_assert_str_eq(c->view_dir, "/run/confinement-view/gnu/store");
        assert_bind(c, 0, BIND_FROM_VIEW, BIND_ORIGIN_CLOSURE, "/run/confinement-view/gnu/store/aaa-guile",
                    "/gnu/store/aaa-guile", false);
}
END_TEST

START_TEST(test_symlinked_store_paths) {
        _cleanup_confinement_ Confinement *v = NULL, *r = NULL;
        const char *closure = "/nix/store/ddd-link\n/nix/store/eee-abs\n/nix/store/jjj-file\n";

        /* Bound from the fully resolved target, at their own paths. */
        make_store();
        write_closure(closure);
        v = build_ok("{" VIEW_METHOD "\"closureInfo\": \"/c\"}");
        ck_assert_uint_eq(v->n_binds, 3);
        assert_bind(v, 0, BIND_FROM_VIEW, BIND_ORIGIN_CLOSURE, VIEW "/ccc-lib", "/nix/store/ddd-link", false);
        assert_bind(v, 1, BIND_FROM_VIEW, BIND_ORIGIN_CLOSURE, VIEW "/aaa-hello", "/nix/store/eee-abs", false);
        assert_bind(v, 2, BIND_FROM_VIEW, BIND_ORIGIN_CLOSURE, VIEW "/jjj-file", "/nix/store/jjj-file", false);

        r = build_ok("{\"closureInfo\": \"/c\", \"bindMethod\": \"read-only\"}");
        assert_bind(r, 0, BIND_READ_ONLY, BIND_ORIGIN_CLOSURE, "/nix/store/ccc-lib", "/nix/store/ddd-link", false);
        assert_bind(r, 1, BIND_READ_ONLY, BIND_ORIGIN_CLOSURE, "/nix/store/aaa-hello", "/nix/store/eee-abs", false);
}
END_TEST

START_TEST(test_path_inside_store_path) {
        _cleanup_confinement_ Confinement *c = NULL;

        make_store();
        test_symlink(test_root, "/nix/store/aaa-hello/bin/link", "../../ccc-lib");
        write_closure("/nix/store/aaa-hello/bin\n/nix/store/aaa-hello/bin/link\n");
        c = build_ok("{" VIEW_METHOD "\"closureInfo\": \"/c\"}");
        assert_bind(c, 0, BIND_FROM_VIEW, BIND_ORIGIN_CLOSURE, VIEW "/aaa-hello/bin", "/nix/store/aaa-hello/bin",
                    false);
        assert_bind(c, 1, BIND_FROM_VIEW, BIND_ORIGIN_CLOSURE, VIEW "/ccc-lib", "/nix/store/aaa-hello/bin/link",
                    false);
}
END_TEST

START_TEST(test_symlink_out_of_store) {
        make_store();
        write_closure("/nix/store/aaa-hello\n/nix/store/fff-out\n");
        assert_build_fails("{\"closureInfo\": \"/c\"}",
                           SPEC_FILE ": key \"closureInfo\": closure path /nix/store/fff-out is a symlink to /etc, "
                           "outside the store directory /nix/store.");
        write_closure("/nix/store/iii-up\n");
        assert_build_fails("{\"closureInfo\": \"/c\"}",
                           SPEC_FILE ": key \"closureInfo\": closure path /nix/store/iii-up is a symlink to /etc, "
                           "outside the store directory /nix/store.");
        /* To the store directory itself: all of it. */
        write_closure("/nix/store/ggg-store\n");
        assert_build_fails("{\"closureInfo\": \"/c\", \"bindMethod\": \"read-only\"}",
                           SPEC_FILE ": key \"closureInfo\": closure path /nix/store/ggg-store is a symlink to "
                           "/nix/store, outside the store directory /nix/store.");
}
END_TEST

START_TEST(test_closure_path_errors) {
        make_store();
        write_closure("/nix/store/aaa-hello\n/nix/store/zzz-gone\n");
        assert_build_fails("{\"closureInfo\": \"/c\"}",
                           SPEC_FILE ": key \"closureInfo\": closure path /nix/store/zzz-gone does not exist.");
        write_closure("/nix/store/aaa-hello/bin/gone\n");
        assert_build_fails("{\"closureInfo\": \"/c\"}",
                           SPEC_FILE ": key \"closureInfo\": closure path /nix/store/aaa-hello/bin/gone cannot be "
                           "resolved: No such file or directory.");
        write_closure("/nix/store/hhh-loop\n");
        assert_build_fails("{\"closureInfo\": \"/c\"}",
                           SPEC_FILE ": key \"closureInfo\": closure path /nix/store/hhh-loop cannot be resolved: "
                           "Too many levels of symbolic links.");
        write_closure("/\n");
        assert_build_fails("{\"closureInfo\": \"/c\"}",
                           SPEC_FILE ": key \"closureInfo\": expected store paths, got /, which would expose all of "
                           "it.");
        write_closure("/nix/store\n");
        assert_build_fails("{\"closureInfo\": \"/c\"}",
                           SPEC_FILE ": key \"closureInfo\": expected store paths, got /nix/store, which would "
                           "expose all of it.");
        write_closure("\n\n");
        assert_build_fails("{\"closureInfo\": \"/c\"}",
                           SPEC_FILE ": key \"closureInfo\": expected a closure, got no store paths.");
        assert_build_fails("{\"closureInfo\": \"/none\"}",
                           SPEC_FILE ": key \"closureInfo\": /none/store-paths: cannot open: No such file or "
                           "directory.");
}
END_TEST

START_TEST(test_store_dir_missing) {
        test_write_file(test_root, "/c/store-paths", "/nix/store/aaa-hello\n");
        assert_build_fails("{\"closureInfo\": \"/c\"}",
                           SPEC_FILE ": key \"storeDir\": cannot open the store directory /nix/store: No such file "
                           "or directory.");
}
END_TEST

START_TEST(test_paths_outside_store) {
        _cleanup_confinement_ Confinement *c = NULL;

        /* A plain list of paths, no store: read-only binds, from the
         * resolved path. */
        make_store();
        write_closure("/etc/resolv.conf\n/etc/ssl/link\n/nix/store/aaa-hello\n");
        c = build_ok("{" VIEW_METHOD "\"closureInfo\": \"/c\"}");
        ck_assert_uint_eq(c->n_binds, 3);
        assert_bind(c, 0, BIND_READ_ONLY, BIND_ORIGIN_CLOSURE, "/etc/resolv.conf", "/etc/resolv.conf", false);
        assert_bind(c, 1, BIND_READ_ONLY, BIND_ORIGIN_CLOSURE, "/etc/ssl/certs", "/etc/ssl/link", false);
        assert_bind(c, 2, BIND_FROM_VIEW, BIND_ORIGIN_CLOSURE, VIEW "/aaa-hello", "/nix/store/aaa-hello", false);
        ck_assert_str_eq(c->view_dir, VIEW);
}
END_TEST

START_TEST(test_bin_sh) {
        _cleanup_confinement_ Confinement *a = NULL, *b = NULL, *r = NULL;

        make_store();
        write_closure("/nix/store/aaa-hello\n/nix/store/bbb-bash\n");
        a = build_ok("{" VIEW_METHOD "\"closureInfo\": \"/c\", \"binSh\": \"/nix/store/bbb-bash/bin/sh\"}");
        ck_assert_uint_eq(a->n_binds, 3);
        /* "/bin/sh" sorts first. */
        assert_bind(a, 0, BIND_FROM_VIEW, BIND_ORIGIN_BIN_SH, VIEW "/bbb-bash/bin/sh", "/bin/sh", false);
        assert_bind(a, 2, BIND_FROM_VIEW, BIND_ORIGIN_CLOSURE, VIEW "/bbb-bash", "/nix/store/bbb-bash", false);

        /* Through a symlink outside the store, as NixOS's /run/current-system. */
        b = build_ok("{" VIEW_METHOD "\"closureInfo\": \"/c\", \"binSh\": \"/run/current-system/sw/bin/sh\"}");
        assert_bind(b, 0, BIND_FROM_VIEW, BIND_ORIGIN_BIN_SH, VIEW "/bbb-bash/bin/sh", "/bin/sh", false);

        r = build_ok("{\"closureInfo\": \"/c\", \"binSh\": \"/run/current-system/sw/bin/sh\", "
                     "\"bindMethod\": \"read-only\"}");
        assert_bind(r, 0, BIND_READ_ONLY, BIND_ORIGIN_BIN_SH, "/nix/store/bbb-bash/bin/sh", "/bin/sh", false);
}
END_TEST

START_TEST(test_bin_sh_errors) {
        make_store();
        write_closure("/nix/store/aaa-hello\n");
        assert_build_fails("{\"closureInfo\": \"/c\", \"binSh\": \"/run/current-system/sw/bin/sh\"}",
                           SPEC_FILE ": key \"binSh\": expected a program in the closure, got "
                           "/run/current-system/sw/bin/sh (resolved: /nix/store/bbb-bash/bin/sh), whose store "
                           "path /nix/store/bbb-bash is not in the closure.");
        assert_build_fails("{\"closureInfo\": \"/c\", \"binSh\": \"/bin/sh\"}",
                           SPEC_FILE ": key \"binSh\": expected a program in the closure, got /bin/sh (resolved: "
                           "/bin/sh), outside /nix/store.");
        assert_build_fails("{\"closureInfo\": \"/c\", \"binSh\": \"/nix/store\"}",
                           SPEC_FILE ": key \"binSh\": expected a program in the closure, got /nix/store (resolved: "
                           "/nix/store), outside /nix/store.");
        assert_build_fails("{\"closureInfo\": \"/c\", \"binSh\": \"/usr/bin/sh\"}",
                           SPEC_FILE ": key \"binSh\": cannot resolve /usr/bin/sh: No such file or directory.");
}
END_TEST

START_TEST(test_extra_binds) {
        _cleanup_confinement_ Confinement *c = NULL;

        make_store();
        c = build_ok("{" VIEW_METHOD "\"closureInfo\": \"/c\","
                     " \"bindReadOnlyPaths\": [\"/etc/resolv.conf\", {\"source\": \"/etc/ssl/link\", \"target\": \"/ssl\"},"
                     "                         {\"source\": \"/etc/missing\", \"optional\": true}],"
                     " \"bindPaths\": [{\"source\": \"/var/lib/web\", \"target\": \"/var/lib/app\"},"
                     "                 {\"source\": \"/var/lib/missing\", \"optional\": true}]}");
        ck_assert_uint_eq(c->n_binds, 7);
        /* Sorted by target; sources as the spec names them. */
        assert_bind(c, 0, BIND_READ_ONLY, BIND_ORIGIN_EXTRA, "/etc/missing", "/etc/missing", true);
        assert_bind(c, 1, BIND_READ_ONLY, BIND_ORIGIN_EXTRA, "/etc/resolv.conf", "/etc/resolv.conf", false);
        assert_bind(c, 2, BIND_FROM_VIEW, BIND_ORIGIN_CLOSURE, VIEW "/aaa-hello", "/nix/store/aaa-hello", false);
        assert_bind(c, 3, BIND_FROM_VIEW, BIND_ORIGIN_CLOSURE, VIEW "/ccc-lib", "/nix/store/ccc-lib", false);
        assert_bind(c, 4, BIND_READ_ONLY, BIND_ORIGIN_EXTRA, "/etc/ssl/link", "/ssl", false);
        assert_bind(c, 5, BIND_WRITABLE, BIND_ORIGIN_EXTRA, "/var/lib/web", "/var/lib/app", false);
        assert_bind(c, 6, BIND_WRITABLE, BIND_ORIGIN_EXTRA, "/var/lib/missing", "/var/lib/missing", true);
        ck_assert_uint_eq(c->n_closure_paths, 2);
}
END_TEST

START_TEST(test_extra_bind_missing) {
        make_store();
        assert_build_fails("{\"closureInfo\": \"/c\", \"bindReadOnlyPaths\": [\"/etc/missing\"]}",
                           SPEC_FILE ": key \"bindReadOnlyPaths\": /etc/missing cannot be bound: No such file or "
                           "directory (set \"optional\": true to skip it when it is missing).");
        assert_build_fails("{\"closureInfo\": \"/c\", \"bindPaths\": [{\"source\": \"/var/lib/missing\", "
                           "\"optional\": false}]}",
                           SPEC_FILE ": key \"bindPaths\": /var/lib/missing cannot be bound: No such file or "
                           "directory (set \"optional\": true to skip it when it is missing).");
        assert_build_fails("{\"closureInfo\": \"/c\", \"bindPaths\": [\"/etc/resolv.conf/x\"]}",
                           SPEC_FILE ": key \"bindPaths\": /etc/resolv.conf/x cannot be bound: Not a directory (set "
                           "\"optional\": true to skip it when it is missing).");
}
END_TEST

START_TEST(test_duplicates_dropped) {
        _cleanup_confinement_ Confinement *c = NULL;

        make_store();
        /* The same closure twice, the same paths in two closureInfos, the
         * same extra bind twice (once optional): each bound once. */
        test_write_file(test_root, "/d/store-paths", "/nix/store/ccc-lib\n/nix/store/aaa-hello\n");
        c = build_ok("{" VIEW_METHOD "\"closureInfo\": [\"/c\", \"/d\", \"/c\"],"
                     " \"bindReadOnlyPaths\": [\"/etc/resolv.conf\", {\"source\": \"/etc/resolv.conf\", \"optional\": true},"
                     "                         \"/etc/resolv.conf\"]}");
        ck_assert_uint_eq(c->n_closure_paths, 2);
        ck_assert_uint_eq(c->n_binds, 3);
        assert_bind(c, 0, BIND_READ_ONLY, BIND_ORIGIN_EXTRA, "/etc/resolv.conf", "/etc/resolv.conf", false);
        assert_bind(c, 1, BIND_FROM_VIEW, BIND_ORIGIN_CLOSURE, VIEW "/aaa-hello", "/nix/store/aaa-hello", false);
        assert_bind(c, 2, BIND_FROM_VIEW, BIND_ORIGIN_CLOSURE, VIEW "/ccc-lib", "/nix/store/ccc-lib", false);
}
END_TEST

START_TEST(test_duplicate_targets) {
        make_store();
        assert_build_fails("{\"closureInfo\": \"/c\", \"bindReadOnlyPaths\": [\"/etc/resolv.conf\","
                           " {\"source\": \"/etc/ssl/certs\", \"target\": \"/etc/resolv.conf\"}]}",
                           SPEC_FILE ": key \"bindReadOnlyPaths\": /etc/resolv.conf is bound twice, from /etc/resolv.conf and from "
                           "/etc/ssl/certs.");
        /* A closure path again as an extra bind: from the view and from the store. */
        assert_build_fails("{" VIEW_METHOD "\"closureInfo\": \"/c\","
                           " \"bindReadOnlyPaths\": [\"/nix/store/aaa-hello\"]}",
                           SPEC_FILE ": key \"closureInfo\": /nix/store/aaa-hello is bound twice, from /nix/store/aaa-hello and from "
                           VIEW "/aaa-hello.");
        /* Something else at /bin/sh. */
        write_closure("/nix/store/bbb-bash\n");
        assert_build_fails("{" VIEW_METHOD "\"closureInfo\": \"/c\", \"binSh\": \"/nix/store/bbb-bash/bin/sh\","
                           " \"bindReadOnlyPaths\": [{\"source\": \"/bin/sh\", \"target\": \"/bin/sh\"}]}",
                           SPEC_FILE ": key \"binSh\": /bin/sh is bound twice, from /bin/sh and from " VIEW "/bbb-bash/bin/sh.");
}
END_TEST

START_TEST(test_duplicate_target_read_only_and_writable) {
        make_store();
        /* The same path read-only and writable: which? Refused. */
        assert_build_fails("{\"closureInfo\": \"/c\", \"bindReadOnlyPaths\": [\"/var/lib/web\"],"
                           " \"bindPaths\": [\"/var/lib/web\"]}",
                           SPEC_FILE ": key \"bindPaths\": /var/lib/web is bound twice, from /var/lib/web and from /var/lib/web.");
}
END_TEST

static void assert_same_confinement(const Confinement *a, const Confinement *b) {
        ck_assert_str_eq(a->unit, b->unit);
        ck_assert_str_eq(strempty(a->view_dir), strempty(b->view_dir));
        ck_assert_uint_eq(a->n_closure_paths, b->n_closure_paths);
        ck_assert_uint_eq(a->n_binds, b->n_binds);
        for (size_t i = 0; i < a->n_binds; i++)
                assert_bind(b, i, a->binds[i].kind, a->binds[i].origin, a->binds[i].source, a->binds[i].target,
                            a->binds[i].optional);
}

START_TEST(test_overlay_default) {
        _cleanup_confinement_ Confinement *c = NULL, *o = NULL;

        /* No bindMethod: the closure's overlay. Store paths are entries of
         * the layer (no view, no bind of their own); binSh and paths
         * outside the store stay read-only binds. */
        make_store();
        write_closure("/nix/store/aaa-hello\n/nix/store/bbb-bash\n/nix/store/ddd-link\n/etc/resolv.conf\n");
        c = build_ok("{\"closureInfo\": \"/c\", \"binSh\": \"/run/current-system/sw/bin/sh\"}");
        ck_assert_ptr_null(c->view_dir);
        ck_assert_uint_eq(c->n_closure_paths, 4);
        ck_assert_uint_eq(c->n_binds, 5);
        assert_bind(c, 0, BIND_READ_ONLY, BIND_ORIGIN_BIN_SH, "/nix/store/bbb-bash/bin/sh", "/bin/sh", false);
        assert_bind(c, 1, BIND_READ_ONLY, BIND_ORIGIN_CLOSURE, "/etc/resolv.conf", "/etc/resolv.conf", false);
        assert_bind(c, 2, BIND_IN_LAYER, BIND_ORIGIN_CLOSURE, "/nix/store/aaa-hello", "/nix/store/aaa-hello", false);
        assert_bind(c, 3, BIND_IN_LAYER, BIND_ORIGIN_CLOSURE, "/nix/store/bbb-bash", "/nix/store/bbb-bash", false);
        /* A symlink store path is a symlink in the layer, not its target. */
        assert_bind(c, 4, BIND_IN_LAYER, BIND_ORIGIN_CLOSURE, "/nix/store/ddd-link", "/nix/store/ddd-link", false);

        /* The same as naming it. */
        o = build_ok("{\"closureInfo\": \"/c\", \"binSh\": \"/run/current-system/sw/bin/sh\","
                     " \"bindMethod\": \"overlay\"}");
        assert_same_confinement(c, o);
}
END_TEST

START_TEST(test_sorted_and_stable) {
        _cleanup_confinement_ Confinement *a = NULL, *b = NULL;
        const char *json = "{\"closureInfo\": \"/c\", \"binSh\": \"/nix/store/bbb-bash/bin/sh\","
                           " \"bindPaths\": [\"/var/lib/web\"], \"bindReadOnlyPaths\": [\"/etc/resolv.conf\"]}";

        make_store();
        write_closure("/nix/store/ddd-link\n/nix/store/bbb-bash\n/nix/store/aaa-hello\n/nix/store/ccc-lib\n"
                      "/nix/store/aaa-hello\n/etc/ssl/certs\n");
        a = build_ok(json);
        for (size_t i = 1; i < a->n_binds; i++)
                ck_assert_msg(strcmp(a->binds[i - 1].target, a->binds[i].target) < 0, "%s before %s",
                              a->binds[i - 1].target, a->binds[i].target);
        ck_assert_uint_eq(a->n_closure_paths, 5);
        ck_assert_uint_eq(a->n_binds, 8);

        /* The same paths in another order, the same result. */
        write_closure("/etc/ssl/certs\n/nix/store/ccc-lib\n/nix/store/aaa-hello\n/nix/store/bbb-bash\n"
                      "/nix/store/ddd-link\n");
        b = build_ok(json);
        assert_same_confinement(a, b);

        /* And so the same drop-in, byte for byte. */
        {
                _cleanup_free_ char *ta = NULL, *tb = NULL;
                size_t na = 0, nb = 0;
                FILE *fa = open_memstream(&ta, &na), *fb = open_memstream(&tb, &nb);

                ck_assert_ptr_nonnull(fa);
                ck_assert_ptr_nonnull(fb);
                ck_assert_int_eq(dropin_render(a, fa), 0);
                ck_assert_int_eq(dropin_render(b, fb), 0);
                ck_assert_int_eq(fclose(fa), 0);
                ck_assert_int_eq(fclose(fb), 0);
                ck_assert_uint_eq(na, nb);
                ck_assert_mem_eq(ta, tb, na);
        }
}
END_TEST

START_TEST(test_roots) {
        _cleanup_confinement_ Confinement *a = NULL, *b = NULL;

        /* packages: the closure of the roots in the reference graph, not
         * every path in store-paths. */
        make_store();
        write_closure("/nix/store/aaa-hello\n/nix/store/bbb-bash\n/nix/store/ccc-lib\n");
        test_write_file(test_root, "/c/registration",
                        "/nix/store/aaa-hello\nsha256:0\n1\n\n1\n/nix/store/ccc-lib\n"
                        "/nix/store/bbb-bash\nsha256:0\n1\n\n0\n"
                        "/nix/store/ccc-lib\nsha256:0\n1\n\n0\n");
        a = build_ok("{" VIEW_METHOD "\"closureInfo\": \"/c\", \"packages\": [\"/nix/store/aaa-hello/bin/hello\"]}");
        ck_assert_uint_eq(a->n_closure_paths, 2);
        ck_assert_uint_eq(a->n_binds, 2);
        assert_bind(a, 0, BIND_FROM_VIEW, BIND_ORIGIN_CLOSURE, VIEW "/aaa-hello", "/nix/store/aaa-hello", false);
        assert_bind(a, 1, BIND_FROM_VIEW, BIND_ORIGIN_CLOSURE, VIEW "/ccc-lib", "/nix/store/ccc-lib", false);

        /* binSh is a root too. */
        b = build_ok("{" VIEW_METHOD "\"closureInfo\": \"/c\", \"packages\": [\"/nix/store/ccc-lib\"],"
                     " \"binSh\": \"/run/current-system/sw/bin/sh\"}");
        ck_assert_uint_eq(b->n_closure_paths, 2);
        assert_bind(b, 0, BIND_FROM_VIEW, BIND_ORIGIN_BIN_SH, VIEW "/bbb-bash/bin/sh", "/bin/sh", false);
        assert_bind(b, 1, BIND_FROM_VIEW, BIND_ORIGIN_CLOSURE, VIEW "/bbb-bash", "/nix/store/bbb-bash", false);
        assert_bind(b, 2, BIND_FROM_VIEW, BIND_ORIGIN_CLOSURE, VIEW "/ccc-lib", "/nix/store/ccc-lib", false);
}
END_TEST

START_TEST(test_roots_errors) {
        make_store();
        write_closure("/nix/store/aaa-hello\n/nix/store/ccc-lib\n");
        assert_build_fails("{\"closureInfo\": \"/c\", \"packages\": [\"/usr/bin/hello\"]}",
                           SPEC_FILE ": key \"packages[0]\": expected a path in the store directory /nix/store, got "
                           "/usr/bin/hello.");
        assert_build_fails("{\"closureInfo\": \"/c\", \"packages\": [\"/nix/store/ccc-lib\", \"/nix/store/bbb-bash\"]}",
                           SPEC_FILE ": key \"packages[1]\": /nix/store/bbb-bash names /nix/store/bbb-bash, which is "
                           "not in the store-paths of closureInfo.");
        /* store-paths and registration disagree. */
        test_write_file(test_root, "/c/registration", "/nix/store/aaa-hello\nsha256:0\n1\n\n0\n");
        assert_build_fails("{\"closureInfo\": \"/c\", \"packages\": [\"/nix/store/ccc-lib\"]}",
                           SPEC_FILE ": key \"closureInfo\": /c/store-paths lists /nix/store/ccc-lib, but its "
                           "registration does not.");
        write_closure("/nix/store/ccc-lib\n");
        test_write_file(test_root, "/c/registration",
                        "/nix/store/ccc-lib\nsha256:0\n1\n\n1\n/nix/store/aaa-hello\n"
                        "/nix/store/aaa-hello\nsha256:0\n1\n\n0\n");
        assert_build_fails("{\"closureInfo\": \"/c\", \"packages\": [\"/nix/store/ccc-lib\"]}",
                           SPEC_FILE ": key \"closureInfo\": /c/registration refers to /nix/store/aaa-hello, which "
                           "its store-paths does not list.");
        /* Checked once for the whole registration, reachable from the
         * roots or not. */
        test_write_file(test_root, "/c/registration",
                        "/nix/store/ccc-lib\nsha256:0\n1\n\n0\n/nix/store/zzz-extra\nsha256:0\n1\n\n0\n");
        assert_build_fails("{\"closureInfo\": \"/c\", \"packages\": [\"/nix/store/ccc-lib\"]}",
                           SPEC_FILE ": key \"closureInfo\": /c/registration refers to /nix/store/zzz-extra, which "
                           "its store-paths does not list.");
}
END_TEST

START_TEST(test_unit_info) {
        _cleanup_(closure_cache_done) ClosureCache cache = CLOSURE_CACHE_INIT(test_fs(test_root));
        _cleanup_(unit_info_done) UnitInfo u = { .private_tmp = -1 };
        _cleanup_spec_ Spec *exec = NULL, *plain = NULL;
        _cleanup_confinement_ Confinement *c = NULL, *p = NULL;
        _cleanup_(diag_done) Diag d = {}, e = {};
        Confinement *x = NULL;

        make_store();
        write_closure("/nix/store/aaa-hello\n/nix/store/bbb-bash\n/nix/store/ccc-lib\n");
        test_write_file(test_root, "/c/registration",
                        "/nix/store/aaa-hello\nsha256:0\n1\n\n1\n/nix/store/ccc-lib\n"
                        "/nix/store/bbb-bash\nsha256:0\n1\n\n0\n"
                        "/nix/store/ccc-lib\nsha256:0\n1\n\n0\n");

        /* unitRoots "exec": the store paths of the unit's Exec*= lines. */
        u.found = true;
        ck_assert_int_eq(path_list_add(&u.exec_store_paths, "/nix/store/aaa-hello"), 0);
        ck_assert_int_eq(path_list_add(&u.all_store_paths, "/nix/store/aaa-hello"), 0);
        ck_assert_int_eq(path_list_add(&u.all_store_paths, "/nix/store/bbb-bash"), 0);
        u.private_tmp = 0;
        exec = spec_from("{\"closureInfo\": \"/c\", \"unitRoots\": \"exec\"}");
        ck_assert_int_eq(confinement_resolve(&cache, &u, "foo.service", exec, &c, &d), 0);
        ck_assert_uint_eq(c->n_closure_paths, 2);
        ck_assert_str_eq(c->binds[0].target, "/nix/store/aaa-hello");
        ck_assert_str_eq(c->binds[1].target, "/nix/store/ccc-lib");
        ck_assert_int_eq(c->unit_private_tmp, 0);

        /* Without unit roots, the unit adds nothing. */
        plain = spec_from("{\"closureInfo\": \"/c\"}");
        ck_assert_int_eq(confinement_resolve(&cache, &u, "foo.service", plain, &p, &d), 0);
        ck_assert_uint_eq(p->n_closure_paths, 3);

        /* What cannot work confined. */
        u.root_directory = strdup("/srv/root");
        u.root_directory_file = strdup("/etc/systemd/system/foo.service");
        ck_assert_int_eq(confinement_resolve(&cache, &u, "foo.service", plain, &x, &e), -EINVAL);
        ck_assert_ptr_null(x);
        ck_assert_str_eq(e.reason, SPEC_FILE ": foo.service sets its own RootDirectory=/srv/root in "
                                   "/etc/systemd/system/foo.service; confinement needs its own root.");
}
END_TEST

START_TEST(test_unit_roots_of_missing_unit) {
        _cleanup_(closure_cache_done) ClosureCache cache = CLOSURE_CACHE_INIT(test_fs(test_root));
        _cleanup_(unit_info_done) UnitInfo u = { .private_tmp = -1 };
        _cleanup_spec_ Spec *s = NULL;
        _cleanup_(diag_done) Diag d = {};
        Confinement *c = NULL;

        make_store();
        s = spec_from("{\"closureInfo\": \"/c\", \"unitRoots\": \"exec\"}");
        ck_assert_int_eq(confinement_resolve(&cache, &u, "foo.service", s, &c, &d), -EINVAL);
        ck_assert_str_eq(d.reason, SPEC_FILE ": key \"unitRoots\": \"exec\" takes the roots from the unit's files, "
                                   "but the unit is not installed (yet); install it and reload, or name roots "
                                   "with \"packages\".");
}
END_TEST

START_TEST(test_unit_info_roots_not_in_closure) {
        _cleanup_(closure_cache_done) ClosureCache cache = CLOSURE_CACHE_INIT(test_fs(test_root));
        _cleanup_(unit_info_done) UnitInfo u = { .private_tmp = -1 };
        _cleanup_spec_ Spec *s = NULL;
        _cleanup_(diag_done) Diag d = {};
        Confinement *c = NULL;

        make_store();
        u.found = true;
        ck_assert_int_eq(path_list_add(&u.all_store_paths, "/nix/store/zzz-other"), 0);
        s = spec_from("{\"closureInfo\": \"/c\", \"unitRoots\": \"full\"}");
        ck_assert_int_eq(confinement_resolve(&cache, &u, "foo.service", s, &c, &d), -EINVAL);
        ck_assert_str_eq(d.reason, SPEC_FILE ": key \"unitRoots\": the unit names /nix/store/zzz-other, which is not "
                                   "in the store-paths of closureInfo.");
}
END_TEST

START_TEST(test_helpers) {
        _cleanup_free_ char *v = store_view_path("/nix/store");

        ck_assert_str_eq(v, VIEW);
        ck_assert_str_eq(bind_origin_to_string(BIND_ORIGIN_CLOSURE), "closure");
        ck_assert_str_eq(bind_origin_to_string(BIND_ORIGIN_BIN_SH), "binSh");
        ck_assert_str_eq(bind_origin_to_string(BIND_ORIGIN_EXTRA), "extra");
        ck_assert_str_eq(bind_origin_to_string(BIND_ORIGIN_NEED), "need");
        ck_assert_ptr_null(bind_origin_to_string(_BIND_ORIGIN_MAX));
        ck_assert_ptr_null(confinement_free(NULL));
}
END_TEST

START_TEST(test_duplicate_after_dropped_duplicate) {
        /* Regression: a duplicate dropped before a conflict on the same target
         * was freed twice. */
        make_store();
        assert_build_fails("{\"closureInfo\": \"/c\", \"bindReadOnlyPaths\": [\"/var/lib/web\", \"/var/lib/web\"],"
                           " \"bindPaths\": [\"/var/lib/web\"]}",
                           SPEC_FILE ": key \"bindPaths\": /var/lib/web is bound twice, from /var/lib/web and from /var/lib/web.");
}
END_TEST

/* The bind of c at target (NULL: none). */
static const Bind *find_bind(const Confinement *c, const char *target) {
        for (size_t i = 0; i < c->n_binds; i++)
                if (streq(c->binds[i].target, target))
                        return &c->binds[i];
        return NULL;
}

static void assert_need_bind(const Confinement *c, BindKind kind, const char *source, const char *target,
                             const char *origin) {
        const Bind *b = find_bind(c, target);

        ck_assert_msg(b, "no bind at %s", target);
        ck_assert_str_eq(b->source, source);
        ck_assert_int_eq(b->kind, kind);
        ck_assert_int_eq(b->origin, BIND_ORIGIN_NEED);
        ck_assert_str_eq(bind_origin_name(b), origin);
}

static void unlink_in_root(const char *path) {
        _cleanup_free_ char *p = test_path(test_root, path);

        ck_assert_int_eq(unlink(p), 0);
}

/* Debian's /etc: plain files, resolv.conf a link to resolved's stub. */
START_TEST(test_needs_debian) {
        _cleanup_confinement_ Confinement *c = NULL;
        size_t n;

        make_store();
        test_mkdir_p(test_root, "/run/systemd/resolve");
        test_write_file(test_root, "/run/systemd/resolve/stub-resolv.conf", "nameserver 127.0.0.53\n");
        unlink_in_root("/etc/resolv.conf");
        test_symlink(test_root, "/etc/resolv.conf", "../run/systemd/resolve/stub-resolv.conf");
        test_write_file(test_root, "/etc/hosts", "127.0.0.1 localhost\n");
        test_write_file(test_root, "/etc/nsswitch.conf", "hosts: files dns\n");
        test_write_file(test_root, "/etc/services", "");
        test_write_file(test_root, "/usr/share/zoneinfo/Europe/Berlin", "TZif");
        test_symlink(test_root, "/etc/localtime", "/usr/share/zoneinfo/Europe/Berlin");

        c = build_ok("{\"closureInfo\": \"/c\", \"needs\": [\"dns\", \"time\"]}");
        assert_need_bind(c, BIND_READ_ONLY, "/run/systemd/resolve/stub-resolv.conf", "/etc/resolv.conf", "need:dns");
        assert_need_bind(c, BIND_READ_ONLY, "/run/systemd/resolve/stub-resolv.conf",
                         "/run/systemd/resolve/stub-resolv.conf", "need:dns");
        assert_need_bind(c, BIND_READ_ONLY, "/etc/hosts", "/etc/hosts", "need:dns");
        assert_need_bind(c, BIND_READ_ONLY, "/etc/nsswitch.conf", "/etc/nsswitch.conf", "need:dns");
        assert_need_bind(c, BIND_READ_ONLY, "/etc/services", "/etc/services", "need:dns");
        assert_need_bind(c, BIND_READ_ONLY, "/usr/share/zoneinfo/Europe/Berlin", "/etc/localtime", "need:time");
        /* the optional members that do not exist are not there */
        ck_assert_ptr_null(find_bind(c, "/etc/host.conf"));
        ck_assert_ptr_null(find_bind(c, "/etc/protocols"));
        ck_assert_ptr_null(find_bind(c, "/usr/share/zoneinfo"));
        assert_need_bind(c, BIND_READ_ONLY, "/usr/share/zoneinfo/Europe/Berlin", "/usr/share/zoneinfo/Europe/Berlin",
                         "need:time");
        n = 0;
        for (size_t i = 0; i < c->n_binds; i++)
                n += c->binds[i].origin == BIND_ORIGIN_NEED;
        ck_assert_uint_eq(n, 8);
        ck_assert_uint_eq(c->n_binds, 10);
}
END_TEST

/* NixOS's /etc: links to /etc/static, itself a link into the store. */
START_TEST(test_needs_nixos) {
        _cleanup_confinement_ Confinement *c = NULL, *v = NULL;

        make_store();
        test_write_file(test_root, "/nix/store/sss-etc/etc/hosts", "127.0.0.1 localhost\n");
        test_write_file(test_root, "/nix/store/sss-etc/etc/nsswitch.conf", "hosts: files\n");
        test_write_file(test_root, "/nix/store/ttt-zoneinfo/share/zoneinfo/UTC", "TZif");
        test_symlink(test_root, "/etc/static", "/nix/store/sss-etc/etc");
        test_symlink(test_root, "/etc/hosts", "/etc/static/hosts");
        test_symlink(test_root, "/etc/nsswitch.conf", "/etc/static/nsswitch.conf");
        test_symlink(test_root, "/etc/zoneinfo", "/nix/store/ttt-zoneinfo/share/zoneinfo");
        test_symlink(test_root, "/etc/localtime", "/etc/zoneinfo/UTC");

        c = build_ok("{\"closureInfo\": \"/c\", \"needs\": [\"dns\", \"time\"]}");
        /* the store paths the links lead to join the closure's overlay */
        assert_need_bind(c, BIND_IN_LAYER, "/nix/store/sss-etc", "/nix/store/sss-etc", "need:dns");
        assert_need_bind(c, BIND_IN_LAYER, "/nix/store/ttt-zoneinfo", "/nix/store/ttt-zoneinfo", "need:time");
        /* the files from the store, not through /etc/static */
        assert_need_bind(c, BIND_READ_ONLY, "/nix/store/sss-etc/etc/hosts", "/etc/hosts", "need:dns");
        assert_need_bind(c, BIND_READ_ONLY, "/nix/store/ttt-zoneinfo/share/zoneinfo/UTC", "/etc/localtime",
                         "need:time");
        ck_assert_ptr_null(find_bind(c, "/etc/zoneinfo"));
        ck_assert_ptr_null(find_bind(c, "/etc/static"));
        ck_assert_ptr_null(find_bind(c, "/etc/static/hosts"));

        v = build_ok("{" VIEW_METHOD "\"closureInfo\": \"/c\", \"needs\": [\"dns\", \"time\"]}");
        assert_need_bind(v, BIND_FROM_VIEW, VIEW "/sss-etc", "/nix/store/sss-etc", "need:dns");
        assert_need_bind(v, BIND_FROM_VIEW, VIEW "/sss-etc/etc/hosts", "/etc/hosts", "need:dns");
}
END_TEST

START_TEST(test_needs_missing) {
        _cleanup_confinement_ Confinement *c = NULL;

        make_store();
        assert_build_fails("{\"closureInfo\": \"/c\", \"needs\": [\"dns\"]}",
                           SPEC_FILE ": key \"needs\": need \"dns\": /etc/hosts is missing (name the need \"-dns\" "
                           "to skip what is missing).");
        assert_build_fails("{\"closureInfo\": \"/c\", \"needs\": [\"tls\"]}",
                           SPEC_FILE ": key \"needs\": need \"tls\": /etc/ssl/certs/ca-certificates.crt is missing "
                           "(name the need \"-tls\" to skip what is missing).");
        /* optional: what exists is bound, as not to fail when it goes */
        c = build_ok("{\"closureInfo\": \"/c\", \"needs\": [\"-dns\", \"-tls\", \"-dbus\"]}");
        assert_need_bind(c, BIND_READ_ONLY, "/etc/resolv.conf", "/etc/resolv.conf", "need:dns");
        ck_assert(find_bind(c, "/etc/resolv.conf")->optional);
        ck_assert_ptr_null(find_bind(c, "/etc/hosts"));
        ck_assert_ptr_null(find_bind(c, "/etc/ssl/certs/ca-certificates.crt"));
        ck_assert(find_bind(c, "/run/dbus/system_bus_socket")->optional);
        confinement_free(c);
        /* a socket not made yet (at boot): bound as named, required; systemd
         * refuses the start while it is missing */
        c = build_ok("{\"closureInfo\": \"/c\", \"needs\": [\"dbus\"]}");
        assert_need_bind(c, BIND_READ_ONLY, "/run/dbus/system_bus_socket", "/run/dbus/system_bus_socket", "need:dbus");
        ck_assert(!find_bind(c, "/run/dbus/system_bus_socket")->optional);
        confinement_free(c);
        /* a link whose target is not made yet: bound as named */
        test_symlink(test_root, "/etc/localtime", "/run/tz/localtime");
        c = build_ok("{\"closureInfo\": \"/c\", \"needs\": [\"time\"]}");
        assert_need_bind(c, BIND_READ_ONLY, "/etc/localtime", "/etc/localtime", "need:time");
        ck_assert(!find_bind(c, "/etc/localtime")->optional);
        confinement_free(c);
        /* the same in an optional need: "-" (systemd skips it while missing) */
        c = build_ok("{\"closureInfo\": \"/c\", \"needs\": [\"-time\"]}");
        assert_need_bind(c, BIND_READ_ONLY, "/etc/localtime", "/etc/localtime", "need:time");
        ck_assert(find_bind(c, "/etc/localtime")->optional);
}
END_TEST

START_TEST(test_needs_untrusted) {
        _cleanup_free_ char *reason = NULL;

        make_store();
        test_write_file(test_root, "/etc/hosts", "127.0.0.1 localhost\n");
        test_write_file(test_root, "/etc/nsswitch.conf", "hosts: files\n");
        /* a source anyone may write */
        test_chmod(test_root, "/etc/hosts", 0666);
        reason = build_fail("{\"closureInfo\": \"/c\", \"needs\": [\"dns\"]}");
        ck_assert_msg(strstr(reason, "need \"dns\": refusing /etc/hosts, which an unprivileged user could change: "
                                     "/etc/hosts is writable by anyone (mode 0666)"),
                      "%s", reason);
        free(reason);
        /* a link through a directory anyone may write */
        test_chmod(test_root, "/etc/hosts", 0644);
        test_write_file(test_root, "/tmp-ish/hosts", "127.0.0.1 evil\n");
        test_chmod(test_root, "/tmp-ish", 0777);
        unlink_in_root("/etc/hosts");
        test_symlink(test_root, "/etc/hosts", "/tmp-ish/hosts");
        reason = build_fail("{\"closureInfo\": \"/c\", \"needs\": [\"-dns\"]}");
        ck_assert_msg(strstr(reason, "need \"dns\": refusing /etc/hosts, which an unprivileged user could replace: "
                                     "/tmp-ish is writable by anyone"),
                      "%s", reason);
}
END_TEST

static Suite *confinement_suite(void) {
        Suite *s = suite_create("confinement");
        TCase *tc;

        tc = test_tcase_new("closure", true);
        tcase_add_test(tc, test_view);
        tcase_add_test(tc, test_read_only);
        tcase_add_test(tc, test_overlay_default);
        tcase_add_test(tc, test_store_dir);
        tcase_add_test(tc, test_symlinked_store_paths);
        tcase_add_test(tc, test_path_inside_store_path);
        tcase_add_test(tc, test_symlink_out_of_store);
        tcase_add_test(tc, test_closure_path_errors);
        tcase_add_test(tc, test_store_dir_missing);
        tcase_add_test(tc, test_paths_outside_store);
        suite_add_tcase(s, tc);

        tc = test_tcase_new("binds", true);
        tcase_add_test(tc, test_bin_sh);
        tcase_add_test(tc, test_bin_sh_errors);
        tcase_add_test(tc, test_extra_binds);
        tcase_add_test(tc, test_extra_bind_missing);
        tcase_add_test(tc, test_duplicates_dropped);
        tcase_add_test(tc, test_duplicate_targets);
        tcase_add_test(tc, test_duplicate_target_read_only_and_writable);
        tcase_add_test(tc, test_sorted_and_stable);
        suite_add_tcase(s, tc);

        tc = test_tcase_new("needs", true);
        tcase_add_test(tc, test_needs_debian);
        tcase_add_test(tc, test_needs_nixos);
        tcase_add_test(tc, test_needs_missing);
        tcase_add_test(tc, test_needs_untrusted);
        suite_add_tcase(s, tc);

        tc = test_tcase_new("roots", true);
        tcase_add_test(tc, test_roots);
        tcase_add_test(tc, test_roots_errors);
        tcase_add_test(tc, test_unit_info);
        tcase_add_test(tc, test_unit_info_roots_not_in_closure);
        tcase_add_test(tc, test_unit_roots_of_missing_unit);
        tcase_add_test(tc, test_helpers);
        suite_add_tcase(s, tc);

        /* Last: while the bug is there it crashes (forked: this test only). */
        tc = test_tcase_new("bugs", true);
        tcase_add_test(tc, test_duplicate_after_dropped_duplicate);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return test_run_suite(confinement_suite());
}
