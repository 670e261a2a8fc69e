/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hostile inputs: files an unprivileged user could have planted or
 * changed, symlinks, special files and inputs past every limit. For each
 * row the generator must exit 0 (a generator never stops the boot), log
 * and keep a message that names the file and says what is wrong, and
 * leave the unit unable to start (the fail-closed drop-in); a few rows are
 * controls that must stay confined, or file names that are no unit and
 * must produce nothing. */

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dropin.h"
#include "generator.h"
#include "test-util.h"

#define STORE "/nix/store"
#define HELLO STORE "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-hello"
#define OTHER STORE "/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-other"
#define SPEC "/etc/confinement.d/h.service.json"
#define SPEC_USR "/usr/lib/confinement.d/h.service.json"
#define DROPIN "/out/h.service.d/" DROPIN_NAME
#define NOBODY_UID 65534

typedef enum Expect {
        FAIL_CLOSED, /* the fail-closed drop-in, with the message */
        CONFINED,    /* a control: confined as usual */
        NOTHING,     /* no drop-in at all: not a service unit name */
} Expect;

typedef void (*Setup)(const char *root);

typedef struct Hostile {
        const char *name;
        Setup setup;
        Expect expect;
        const char *message; /* a fragment of the reason (FAIL_CLOSED) */
        bool needs_root;     /* chown to another user */
} Hostile;

/* A valid tree: one store path, its closureInfo with store-paths and a
 * registration, and a spec confining h.service to it. Each row then breaks
 * one thing. */
static void base(const char *root) {
        test_store_path(root, HELLO);
        test_store_path(root, OTHER);
        test_write_file(root, "/ci/store-paths", HELLO "\n");
        test_write_file(root, "/ci/registration", HELLO "\nsha256:0\n1\n\n0\n");
        test_write_file(root, SPEC, "{ \"closureInfo\": \"/ci\" }\n");
}

static void spec_text(const char *root, const char *text) {
        test_write_file(root, SPEC, text);
}

static void roots_spec(const char *root) {
        spec_text(root, "{ \"closureInfo\": \"/ci\", \"packages\": [\"" HELLO "/bin/hello\"] }\n");
}

static void chown_path(const char *root, const char *path, uid_t uid) {
        _cleanup_free_ char *full = test_path(root, path);
        ck_assert_msg(lchown(full, uid, (gid_t) -1) == 0, "chown %s: %m", full);
}

static void mkfifo_at(const char *root, const char *path) {
        _cleanup_free_ char *full = test_path(root, path);
        unlink(full);
        ck_assert_msg(mkfifo(full, 0644) == 0, "mkfifo %s: %m", full);
}

static void replace_by_symlink(const char *root, const char *path, const char *target) {
        _cleanup_free_ char *full = test_path(root, path);
        unlink(full);
        test_symlink(root, path, target);
}

static void replace_by_dir(const char *root, const char *path) {
        _cleanup_free_ char *full = test_path(root, path);
        unlink(full);
        test_mkdir_p(root, path);
}

static char *repeat(char c, size_t n) {
        char *s = malloc(n + 1);
        ck_assert_ptr_nonnull(s);
        memset(s, c, n);
        s[n] = '\0';
        return s;
}

/* Ownership and permissions, as sshd's StrictModes. */
static void spec_dir_world_writable(const char *r) { test_chmod(r, "/etc/confinement.d", 0777); }
static void spec_dir_group_writable(const char *r) { test_chmod(r, "/etc/confinement.d", 0775); }
static void spec_world_writable(const char *r) { test_chmod(r, SPEC, 0666); }
static void spec_group_writable(const char *r) { test_chmod(r, SPEC, 0664); }
static void spec_foreign_owner(const char *r) { chown_path(r, SPEC, NOBODY_UID); }
static void spec_dir_foreign_owner(const char *r) { chown_path(r, "/etc/confinement.d", NOBODY_UID); }
static void etc_world_writable(const char *r) { test_chmod(r, "/etc", 0777); }
static void root_world_writable(const char *r) { test_chmod(r, "/", 0777); }

static void spec_link_to_foreign_home(const char *r) {
        test_write_file(r, "/home/u/h.json", "{ \"closureInfo\": \"/ci\" }\n");
        chown_path(r, "/home/u", NOBODY_UID);
        replace_by_symlink(r, SPEC, "/home/u/h.json");
}

static void spec_link_into_world_writable_dir(const char *r) {
        test_write_file(r, "/srv/drop/h.json", "{ \"closureInfo\": \"/ci\" }\n");
        test_chmod(r, "/srv/drop", 0777);
        replace_by_symlink(r, SPEC, "/srv/drop/h.json");
}

static void spec_link_sticky_foreign_file(const char *r) {
        test_write_file(r, "/tmp/h.json", "{ \"closureInfo\": \"/ci\" }\n");
        test_chmod(r, "/tmp", 01777);
        chown_path(r, "/tmp/h.json", NOBODY_UID);
        replace_by_symlink(r, SPEC, "/tmp/h.json");
}

static void spec_link_sticky_root_file(const char *r) {
        test_write_file(r, "/tmp/h.json", "{ \"closureInfo\": \"/ci\" }\n");
        test_chmod(r, "/tmp", 01777);
        replace_by_symlink(r, SPEC, "/tmp/h.json");
}

static void mask_file_in_world_writable_dir(const char *r) {
        test_write_file(r, SPEC_USR, "{ \"closureInfo\": \"/ci\" }\n");
        test_write_file(r, SPEC, "");
        test_chmod(r, "/etc/confinement.d", 0777);
}

static void mask_link_in_world_writable_dir(const char *r) {
        test_write_file(r, SPEC_USR, "{ \"closureInfo\": \"/ci\" }\n");
        replace_by_symlink(r, SPEC, "/dev/null");
        test_chmod(r, "/etc/confinement.d", 0777);
}

static void mask_file_foreign_owner(const char *r) {
        test_write_file(r, SPEC_USR, "{ \"closureInfo\": \"/ci\" }\n");
        test_write_file(r, SPEC, "");
        chown_path(r, SPEC, NOBODY_UID);
}

static void closure_dir_world_writable(const char *r) { test_chmod(r, "/ci", 0777); }
static void store_paths_world_writable(const char *r) { test_chmod(r, "/ci/store-paths", 0666); }
static void store_paths_foreign_owner(const char *r) { chown_path(r, "/ci/store-paths", NOBODY_UID); }

static void registration_world_writable(const char *r) {
        roots_spec(r);
        test_chmod(r, "/ci/registration", 0666);
}

static void store_paths_link_to_foreign(const char *r) {
        test_write_file(r, "/home/u/sp", HELLO "\n");
        chown_path(r, "/home/u", NOBODY_UID);
        replace_by_symlink(r, "/ci/store-paths", "/home/u/sp");
}

/* Symlinks and special files. */
static void spec_symlink_loop(const char *r) {
        replace_by_symlink(r, SPEC, "/etc/confinement.d/loop");
        test_symlink(r, "/etc/confinement.d/loop", SPEC);
}

static void spec_dangling(const char *r) { replace_by_symlink(r, SPEC, "/nowhere/h.json"); }
static void spec_fifo(const char *r) { mkfifo_at(r, SPEC); }

static void spec_link_to_fifo(const char *r) {
        mkfifo_at(r, "/etc/fifo");
        replace_by_symlink(r, SPEC, "/etc/fifo");
}

static void spec_directory(const char *r) { replace_by_dir(r, SPEC); }
static void store_paths_fifo(const char *r) { mkfifo_at(r, "/ci/store-paths"); }
static void store_paths_directory(const char *r) { replace_by_dir(r, "/ci/store-paths"); }

static void registration_fifo(const char *r) {
        roots_spec(r);
        mkfifo_at(r, "/ci/registration");
}

static void closure_path_loop(const char *r) {
        test_symlink(r, STORE "/cccccccccccccccccccccccccccccccc-loop", STORE "/cccccccccccccccccccccccccccccccc-loop");
        test_write_file(r, "/ci/store-paths", HELLO "\n" STORE "/cccccccccccccccccccccccccccccccc-loop\n");
}

static void closure_path_long_chain(const char *r) {
        /* 41 links, one more than anyone follows. */
        for (int i = 0; i < 41; i++) {
                char link[128], target[128];
                snprintf(link, sizeof link, STORE "/dddddddddddddddddddddddddddddddd-link%d", i);
                snprintf(target, sizeof target, STORE "/dddddddddddddddddddddddddddddddd-link%d", i + 1);
                test_symlink(r, link, target);
        }
        test_symlink(r, STORE "/dddddddddddddddddddddddddddddddd-link41", HELLO);
        test_write_file(r, "/ci/store-paths", STORE "/dddddddddddddddddddddddddddddddd-link0\n");
}

static void closure_path_out_of_store(const char *r) {
        test_write_file(r, "/etc/shadow", "root:x:\n");
        test_symlink(r, STORE "/eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee-etc", "/etc");
        test_write_file(r, "/ci/store-paths", STORE "/eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee-etc\n");
}

static void closure_path_relative_escape(const char *r) {
        test_symlink(r, STORE "/ffffffffffffffffffffffffffffffff-up", "../../../../../../etc");
        test_write_file(r, "/ci/store-paths", STORE "/ffffffffffffffffffffffffffffffff-up\n");
}

static void closure_path_to_store_dir(const char *r) {
        test_symlink(r, STORE "/gggggggggggggggggggggggggggggggg-all", STORE);
        test_write_file(r, "/ci/store-paths", STORE "/gggggggggggggggggggggggggggggggg-all\n");
}

static void closure_path_dangling(const char *r) {
        test_symlink(r, STORE "/hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh-gone", STORE "/hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh-target");
        test_write_file(r, "/ci/store-paths", STORE "/hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh-gone\n");
}

static void closure_path_vanished(const char *r) {
        test_write_file(r, "/ci/store-paths", HELLO "\n" STORE "/iiiiiiiiiiiiiiiiiiiiiiiiiiiiiiii-vanished\n");
}

static void closure_lists_store_dir(const char *r) { test_write_file(r, "/ci/store-paths", STORE "\n"); }
static void closure_lists_root(const char *r) { test_write_file(r, "/ci/store-paths", "/\n"); }

static void bin_sh_loop(const char *r) {
        test_symlink(r, HELLO "/bin/sh", HELLO "/bin/sh");
        spec_text(r, "{ \"closureInfo\": \"/ci\", \"binSh\": \"" HELLO "/bin/sh\" }\n");
}

static void bin_sh_link_out_of_store(const char *r) {
        test_write_file(r, "/bin/busybox", "#!\n");
        test_symlink(r, HELLO "/bin/sh", "/bin/busybox");
        spec_text(r, "{ \"closureInfo\": \"/ci\", \"binSh\": \"" HELLO "/bin/sh\" }\n");
}

static void bin_sh_other_store_path(const char *r) {
        spec_text(r, "{ \"closureInfo\": \"/ci\", \"binSh\": \"" OTHER "/bin/other\" }\n");
}

static void closure_info_loop(const char *r) {
        test_symlink(r, "/cj", "/cj");
        spec_text(r, "{ \"closureInfo\": \"/cj\" }\n");
}

/* Limits. */
static void spec_over_1mib(const char *r) {
        _cleanup_free_ char *pad = repeat(' ', SPEC_FILE_SIZE_MAX);
        _cleanup_free_ char *text = NULL;
        ck_assert_int_ge(asprintf(&text, "{ \"closureInfo\": \"/ci\" }%s", pad), 0);
        spec_text(r, text);
}

static void spec_exactly_1mib(const char *r) {
        static const char json[] = "{ \"closureInfo\": \"/ci\" }";
        _cleanup_free_ char *pad = repeat(' ', SPEC_FILE_SIZE_MAX - strlen(json));
        _cleanup_free_ char *text = NULL;
        ck_assert_int_ge(asprintf(&text, "%s%s", json, pad), 0);
        ck_assert_uint_eq(strlen(text), SPEC_FILE_SIZE_MAX);
        spec_text(r, text);
}

static void nest(const char *r, size_t depth) {
        _cleanup_free_ char *open = repeat('[', depth), *close_ = repeat(']', depth), *text = NULL;
        ck_assert_int_ge(asprintf(&text, "{ \"closureInfo\": \"/ci\", \"bindPaths\": %s%s }", open, close_), 0);
        spec_text(r, text);
}

static void json_depth_17(const char *r) { nest(r, 16); }
static void json_depth_100000(const char *r) { nest(r, 100000); }

static void component_over_name_max(const char *r) {
        _cleanup_free_ char *name = repeat('x', 256), *text = NULL;
        ck_assert_int_ge(asprintf(&text, "{ \"closureInfo\": \"/ci/%s\" }", name), 0);
        spec_text(r, text);
}

static void path_over_path_max(const char *r) {
        _cleanup_free_ char *text = NULL;
        char path[4200] = "";
        while (strlen(path) < 4100)
                strcat(path, "/abcdefghij");
        ck_assert_int_ge(asprintf(&text, "{ \"closureInfo\": \"/ci\", \"binSh\": \"%s\" }", path), 0);
        spec_text(r, text);
}

static void store_paths_long_component(const char *r) {
        _cleanup_free_ char *name = repeat('y', 300), *text = NULL;
        ck_assert_int_ge(asprintf(&text, HELLO "\n" STORE "/%s\n", name), 0);
        test_write_file(r, "/ci/store-paths", text);
}

static void store_paths_over_a_million(const char *r) {
        _cleanup_free_ char *full = test_path(r, "/ci/store-paths");
        FILE *f = fopen(full, "we");
        ck_assert_ptr_nonnull(f);
        for (int i = 0; i <= 1000000; i++)
                fputs(HELLO "\n", f);
        ck_assert_int_eq(fclose(f), 0);
}

static void store_paths_nul(const char *r) {
        static const char text[] = HELLO "\n/nix/st\0re\n";
        test_write_file_n(r, "/ci/store-paths", text, sizeof text - 1);
}
static void store_paths_bad_utf8(const char *r) { test_write_file(r, "/ci/store-paths", STORE "/\xc3\x28-bad\n"); }
static void store_paths_overlong_utf8(const char *r) { test_write_file(r, "/ci/store-paths", STORE "/\xc0\xaf-slash\n"); }
static void store_paths_escape(const char *r) { test_write_file(r, "/ci/store-paths", STORE "/a\x1b[31m-red\n"); }
static void store_paths_cr(const char *r) { test_write_file(r, "/ci/store-paths", HELLO "\r\n"); }
static void store_paths_relative(const char *r) { test_write_file(r, "/ci/store-paths", "nix/store/x\n"); }
static void store_paths_dotdot(const char *r) { test_write_file(r, "/ci/store-paths", STORE "/../../etc\n"); }

static void registration(const char *r, const char *text) {
        roots_spec(r);
        test_write_file(r, "/ci/registration", text);
}

static void registration_huge_count(const char *r) { registration(r, HELLO "\nsha256:0\n1\n\n99999999999\n"); }
static void registration_truncated(const char *r) { registration(r, HELLO "\nsha256:0\n1\n"); }
static void registration_unregistered(const char *r) { registration(r, HELLO "\nsha256:0\n1\n\n1\n" OTHER "\n"); }
static void registration_twice(const char *r) {
        registration(r, HELLO "\nsha256:0\n1\n\n0\n" HELLO "\nsha256:0\n1\n\n0\n");
}
static void registration_bad_size(const char *r) { registration(r, HELLO "\nsha256:0\nbig\n\n0\n"); }
static void registration_empty_hash(const char *r) { registration(r, HELLO "\n\n1\n\n0\n"); }
static void registration_bad_reference(const char *r) { registration(r, HELLO "\nsha256:0\n1\n\n1\nrelative\n"); }
static void registration_self_reference(const char *r) { registration(r, HELLO "\nsha256:0\n1\n\n1\n" HELLO "\n"); }

static void registration_cycle(const char *r) {
        test_store_path(r, STORE "/cccccccccccccccccccccccccccccccc-c");
        test_write_file(r, "/ci/store-paths", HELLO "\n" OTHER "\n" STORE "/cccccccccccccccccccccccccccccccc-c\n");
        registration(r, HELLO "\nsha256:0\n1\n\n1\n" OTHER "\n"
                        OTHER "\nsha256:0\n1\n\n1\n" STORE "/cccccccccccccccccccccccccccccccc-c\n"
                        STORE "/cccccccccccccccccccccccccccccccc-c\nsha256:0\n1\n\n1\n" HELLO "\n");
}

static void root_outside_universe(const char *r) {
        spec_text(r, "{ \"closureInfo\": \"/ci\", \"packages\": [\"" OTHER "\"] }\n");
}

static void package_outside_store(const char *r) {
        spec_text(r, "{ \"closureInfo\": \"/ci\", \"packages\": [\"/usr/bin/env\"] }\n");
}

static void spec_control_char(const char *r) { spec_text(r, "{ \"closureInfo\": \"/ci\\u001b[1m\" }"); }
static void spec_del_char(const char *r) { spec_text(r, "{ \"closureInfo\": \"/ci\\u007f\" }"); }
static void spec_nul_char(const char *r) { spec_text(r, "{ \"closureInfo\": \"/ci\\u0000x\" }"); }
static void spec_newline_in_path(const char *r) {
        spec_text(r, "{ \"closureInfo\": \"/ci\", \"bindPaths\": [\"/var/x\\n[Service]\\nExecStartPre=/bin/sh\"] }");
}
static void spec_bad_utf8(const char *r) { spec_text(r, "{ \"closureInfo\": \"/ci\xff\" }"); }
static void spec_binary_garbage(const char *r) { test_write_file_n(r, SPEC, "\x7f" "ELF\x02\x01\x01\0\0\0", 10); }
static void spec_store_dir_root(const char *r) { spec_text(r, "{ \"closureInfo\": \"/ci\", \"storeDir\": \"/\" }"); }
static void spec_store_dir_odd(const char *r) {
        spec_text(r, "{ \"closureInfo\": \"/ci\", \"storeDir\": \"/nix/st ore\" }");
}
static void spec_bind_target_over_closure(const char *r) {
        spec_text(r, "{ \"closureInfo\": \"/ci\", \"bindPaths\": [{ \"source\": \"/etc\", \"target\": \"" HELLO "\" }] }");
        test_mkdir_p(r, "/etc");
}

/* Names that are no service unit: nothing is generated (and the valid
 * spec of the base is taken away). */
static void remove_spec(const char *r) {
        _cleanup_free_ char *full = test_path(r, SPEC);
        ck_assert_int_eq(unlink(full), 0);
}

static void name_socket(const char *r) {
        remove_spec(r);
        test_write_file(r, "/etc/confinement.d/h.socket.json", "{ \"closureInfo\": \"/ci\" }\n");
}

static void name_empty_prefix(const char *r) {
        remove_spec(r);
        test_write_file(r, "/etc/confinement.d/@.service.json", "{ \"closureInfo\": \"/ci\" }\n");
}

static void name_with_space(const char *r) {
        remove_spec(r);
        test_write_file(r, "/etc/confinement.d/a b.service.json", "{ \"closureInfo\": \"/ci\" }\n");
}

static void name_hidden(const char *r) {
        remove_spec(r);
        test_write_file(r, "/etc/confinement.d/.h.service.json", "{ \"closureInfo\": \"/ci\" }\n");
}

static const Hostile hostile[] = {
        { "spec-dir-world-writable", spec_dir_world_writable, FAIL_CLOSED, "/etc/confinement.d is writable by anyone", false },
        { "spec-dir-group-writable", spec_dir_group_writable, FAIL_CLOSED, "/etc/confinement.d is writable by its group", false },
        { "spec-world-writable", spec_world_writable, FAIL_CLOSED, SPEC " is writable by anyone", false },
        { "spec-group-writable", spec_group_writable, FAIL_CLOSED, SPEC " is writable by its group", false },
        { "spec-foreign-owner", spec_foreign_owner, FAIL_CLOSED, SPEC " is owned by uid 65534", true },
        { "spec-dir-foreign-owner", spec_dir_foreign_owner, FAIL_CLOSED, "/etc/confinement.d is owned by uid 65534", true },
        { "etc-world-writable", etc_world_writable, FAIL_CLOSED, "/etc is writable by anyone", false },
        { "root-world-writable", root_world_writable, FAIL_CLOSED, "/ is writable by anyone", false },
        { "spec-link-to-foreign-home", spec_link_to_foreign_home, FAIL_CLOSED, "/home/u is owned by uid 65534", true },
        { "spec-link-into-world-writable-dir", spec_link_into_world_writable_dir, FAIL_CLOSED, "/srv/drop is writable by anyone", false },
        { "spec-link-sticky-foreign-file", spec_link_sticky_foreign_file, FAIL_CLOSED, "/tmp/h.json is owned by uid 65534", true },
        { "control-spec-link-sticky-root-file", spec_link_sticky_root_file, CONFINED, NULL, false },
        { "mask-file-in-world-writable-dir", mask_file_in_world_writable_dir, FAIL_CLOSED, "writable by anyone", false },
        { "mask-link-in-world-writable-dir", mask_link_in_world_writable_dir, FAIL_CLOSED, "writable by anyone", false },
        { "mask-file-foreign-owner", mask_file_foreign_owner, FAIL_CLOSED, "owned by uid 65534", true },
        { "closure-dir-world-writable", closure_dir_world_writable, FAIL_CLOSED, "/ci is writable by anyone", false },
        { "store-paths-world-writable", store_paths_world_writable, FAIL_CLOSED, "/ci/store-paths is writable by anyone", false },
        { "store-paths-foreign-owner", store_paths_foreign_owner, FAIL_CLOSED, "/ci/store-paths is owned by uid 65534", true },
        { "registration-world-writable", registration_world_writable, FAIL_CLOSED, "/ci/registration is writable by anyone", false },
        { "store-paths-link-to-foreign", store_paths_link_to_foreign, FAIL_CLOSED, "/home/u is owned by uid 65534", true },
        { "spec-symlink-loop", spec_symlink_loop, FAIL_CLOSED, "Too many levels of symbolic links", false },
        { "spec-dangling", spec_dangling, FAIL_CLOSED, "cannot open: No such file or directory", false },
        { "spec-fifo", spec_fifo, FAIL_CLOSED, SPEC ": expected a regular file", false },
        { "spec-link-to-fifo", spec_link_to_fifo, FAIL_CLOSED, SPEC ": expected a regular file", false },
        { "spec-directory", spec_directory, FAIL_CLOSED, SPEC ": expected a regular file", false },
        { "store-paths-fifo", store_paths_fifo, FAIL_CLOSED, "/ci/store-paths: expected a regular file", false },
        { "store-paths-directory", store_paths_directory, FAIL_CLOSED, "/ci/store-paths: expected a regular file", false },
        { "registration-fifo", registration_fifo, FAIL_CLOSED, "/ci/registration: expected a regular file", false },
        { "closure-path-loop", closure_path_loop, FAIL_CLOSED, "Too many levels of symbolic links", false },
        { "closure-path-41-links", closure_path_long_chain, FAIL_CLOSED, "Too many levels of symbolic links", false },
        { "closure-path-out-of-store", closure_path_out_of_store, FAIL_CLOSED, "outside the store directory", false },
        { "closure-path-relative-escape", closure_path_relative_escape, FAIL_CLOSED, "outside the store directory", false },
        { "closure-path-to-store-dir", closure_path_to_store_dir, FAIL_CLOSED, "outside the store directory", false },
        { "closure-path-dangling", closure_path_dangling, FAIL_CLOSED, "cannot be resolved: No such file or directory", false },
        { "closure-path-vanished", closure_path_vanished, FAIL_CLOSED, "-vanished does not exist", false },
        { "closure-lists-store-dir", closure_lists_store_dir, FAIL_CLOSED, "which would expose all of", false },
        { "closure-lists-root", closure_lists_root, FAIL_CLOSED, "which would expose all of", false },
        { "bin-sh-loop", bin_sh_loop, FAIL_CLOSED, "key \"binSh\": cannot resolve", false },
        { "bin-sh-link-out-of-store", bin_sh_link_out_of_store, FAIL_CLOSED, "key \"binSh\": expected a program in the closure", false },
        { "bin-sh-other-store-path", bin_sh_other_store_path, FAIL_CLOSED, "is not in the closure", false },
        { "closure-info-loop", closure_info_loop, FAIL_CLOSED, "Too many levels of symbolic links", false },
        { "spec-over-1mib", spec_over_1mib, FAIL_CLOSED, "expected at most 1048576 bytes", false },
        { "control-spec-exactly-1mib", spec_exactly_1mib, CONFINED, NULL, false },
        { "json-depth-17", json_depth_17, FAIL_CLOSED, "nested deeper than 16 levels", false },
        { "json-depth-100000", json_depth_100000, FAIL_CLOSED, "nested deeper than 16 levels", false },
        { "component-over-name-max", component_over_name_max, FAIL_CLOSED, "component longer than NAME_MAX", false },
        { "path-over-path-max", path_over_path_max, FAIL_CLOSED, "longer than PATH_MAX", false },
        { "store-paths-long-component", store_paths_long_component, FAIL_CLOSED, "store-paths:2: expected an absolute", false },
        { "store-paths-over-a-million", store_paths_over_a_million, FAIL_CLOSED, "more than 1000000 paths", false },
        { "store-paths-nul", store_paths_nul, FAIL_CLOSED, "store-paths:2: contains a NUL byte", false },
        { "store-paths-bad-utf8", store_paths_bad_utf8, FAIL_CLOSED, "not valid UTF-8", false },
        { "store-paths-overlong-utf8", store_paths_overlong_utf8, FAIL_CLOSED, "not valid UTF-8", false },
        { "store-paths-escape-sequence", store_paths_escape, FAIL_CLOSED, "contains a control character", false },
        { "store-paths-carriage-return", store_paths_cr, FAIL_CLOSED, "contains a control character", false },
        { "store-paths-relative", store_paths_relative, FAIL_CLOSED, "not an absolute path", false },
        { "store-paths-dotdot", store_paths_dotdot, FAIL_CLOSED, "contains a \"..\" component", false },
        { "registration-huge-count", registration_huge_count, FAIL_CLOSED, "at most 1000000 references", false },
        { "registration-truncated", registration_truncated, FAIL_CLOSED, "got the end of the file", false },
        { "registration-unregistered", registration_unregistered, FAIL_CLOSED, "which is not registered", false },
        { "registration-twice", registration_twice, FAIL_CLOSED, "each path registered once", false },
        { "registration-bad-size", registration_bad_size, FAIL_CLOSED, "expected a NAR size", false },
        { "registration-empty-hash", registration_empty_hash, FAIL_CLOSED, "expected a NAR hash", false },
        { "registration-bad-reference", registration_bad_reference, FAIL_CLOSED, "registration:6: expected an absolute", false },
        { "control-registration-self-reference", registration_self_reference, CONFINED, NULL, false },
        { "control-registration-cycle", registration_cycle, CONFINED, NULL, false },
        { "root-outside-universe", root_outside_universe, FAIL_CLOSED, "which is not in the store-paths", false },
        { "package-outside-store", package_outside_store, FAIL_CLOSED, "key \"packages[0]\": expected a path in the store", false },
        { "spec-control-char", spec_control_char, FAIL_CLOSED, "contains a control character", false },
        { "spec-del-char", spec_del_char, FAIL_CLOSED, "contains a control character", false },
        { "spec-nul-char", spec_nul_char, FAIL_CLOSED, "invalid JSON", false },
        { "spec-newline-injection", spec_newline_in_path, FAIL_CLOSED, "contains a control character", false },
        { "spec-bad-utf8", spec_bad_utf8, FAIL_CLOSED, "invalid JSON", false },
        { "spec-binary-garbage", spec_binary_garbage, FAIL_CLOSED, "invalid JSON", false },
        { "store-dir-root", spec_store_dir_root, FAIL_CLOSED, "key \"storeDir\"", false },
        { "store-dir-space", spec_store_dir_odd, FAIL_CLOSED, "key \"storeDir\": expected a path of letters", false },
        { "bind-target-over-closure", spec_bind_target_over_closure, FAIL_CLOSED, "is bound twice", false },
        { "name-socket", name_socket, NOTHING, NULL, false },
        { "name-empty-prefix", name_empty_prefix, NOTHING, NULL, false },
        { "name-with-space", name_with_space, NOTHING, NULL, false },
        { "name-hidden", name_hidden, NOTHING, NULL, false },
};

START_TEST(test_hostile_input) {
        const Hostile *h = &hostile[_i];
        _cleanup_free_ char *dropin = NULL, *listing = NULL, *out = test_path(test_root, "/out");
        int r;

        if (h->needs_root && geteuid() != 0) {
                /* the whole test then exits 77: never a pass with a check left out */
                test_skip("%s: changing a file's owner needs root", h->name);
                return;
        }

        base(test_root);
        h->setup(test_root);
        test_mkdir_p(test_root, "/out");

        r = generator_run(test_root, out, NULL);
        ck_assert_msg(r == 0, "%s: generator_run() = %d, the generator must exit 0", h->name, r);

        dropin = test_read_file(test_root, DROPIN);
        switch (h->expect) {
        case NOTHING:
                ck_assert_msg(!dropin, "%s: a drop-in was written for a file that names no service", h->name);
                listing = test_list_dir(test_root, "/out");
                ck_assert_msg(streq(listing, ""), "%s: output written: %s", h->name, listing);
                break;
        case CONFINED:
                ck_assert_msg(dropin, "%s: no drop-in", h->name);
                ck_assert_msg(strstr(dropin, "RootDirectory=/run/confinement/%n"), "%s: not confined:\n%s", h->name,
                              dropin);
                ck_assert_msg(!strstr(dropin, FAIL_CLOSED_PATH), "%s: failed closed:\n%s", h->name, dropin);
                break;
        case FAIL_CLOSED:
                ck_assert_msg(dropin, "%s: no drop-in: the unit would start unconfined", h->name);
                ck_assert_msg(test_has_line(dropin, "AssertPathExists=" FAIL_CLOSED_PATH),
                              "%s: not the fail-closed drop-in:\n%s", h->name, dropin);
                ck_assert_msg(!strstr(dropin, "RootDirectory=") && !strstr(dropin, "Bind"),
                              "%s: half a confinement:\n%s", h->name, dropin);
                ck_assert_msg(strstr(dropin, h->message), "%s: the reason lacks \"%s\":\n%s", h->name, h->message,
                              dropin);
                /* The reason names the spec file the generator read. */
                ck_assert_msg(strstr(dropin, "/confinement.d/h.service.json"), "%s: no file named:\n%s", h->name,
                              dropin);
                break;
        }
}
END_TEST

static Suite *hostile_suite(void) {
        Suite *s = suite_create("hostile");
        TCase *tc = test_tcase_new("hostile", true);

        tcase_add_loop_test(tc, test_hostile_input, 0, (int) ELEMENTSOF(hostile));
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return test_run_suite(hostile_suite());
}
