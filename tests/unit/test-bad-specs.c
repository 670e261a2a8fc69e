/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The table of bad specs: each row is one spec that cannot be honoured,
 * run through generator_run() over a root that is otherwise fine. Each must
 * give the fail-closed drop-in, saying why, with the file (and the key, for
 * a problem with one key), and none must make the run itself fail. */
#include <string.h>
#include <sys/stat.h>

#include "dropin.h"
#include "generator.h"
#include "spec.h"
#include "test-util.h"

#define GOOD "\"closureInfo\": \"/etc/c/good\""

/* A root in which the spec {"closureInfo": "/etc/c/good"} is fine, with
 * every broken closure, store entry and file the rows point at. */
static void make_root(void) {
        test_store_path(test_root, "/nix/store/aaa-hello");
        test_store_path(test_root, "/nix/store/bbb-bash");
        test_write_file(test_root, "/nix/store/bbb-bash/bin/sh", "#!/bin/false\n");
        test_symlink(test_root, "/nix/store/l-loop", "l-loop2");
        test_symlink(test_root, "/nix/store/l-loop2", "/nix/store/l-loop");
        test_symlink(test_root, "/nix/store/e-out", "/etc");
        test_write_file(test_root, "/bin/sh", "not from the store");
        test_write_file(test_root, "/etc/present", "x");

        test_write_file(test_root, "/etc/c/good/store-paths", "/nix/store/aaa-hello\n");
        test_write_file(test_root, "/etc/c/empty/store-paths", "\n\n");
        test_mkdir_p(test_root, "/etc/c/nosp");
        test_mkdir_p(test_root, "/etc/c/dirsp/store-paths");
        test_write_file(test_root, "/etc/c/open/store-paths", "/nix/store/aaa-hello\n");
        test_chmod(test_root, "/etc/c/open/store-paths", 0666);
        test_write_file(test_root, "/etc/c/badline/store-paths", "/nix/store/aaa-hello\nnix/store/rel\n");
        test_write_file_n(test_root, "/etc/c/nul/store-paths", "/nix/store/aaa-hello\n/nix/\0store\n", 31);
        test_write_file(test_root, "/etc/c/missing/store-paths", "/nix/store/aaa-hello\n/nix/store/zzz-gone\n");
        test_write_file(test_root, "/etc/c/loop/store-paths", "/nix/store/l-loop\n");
        test_write_file(test_root, "/etc/c/out/store-paths", "/nix/store/e-out\n");
        test_write_file(test_root, "/etc/c/slash/store-paths", "/\n/nix/store/aaa-hello\n");
        test_write_file(test_root, "/etc/c/store/store-paths", "/nix/store\n/nix/store/aaa-hello\n");
        test_write_file(test_root, "/etc/c/gnu/store-paths", "/gnu/store/aaa-guile\n");
}

static void setup_oversized(const char *spec) {
        _cleanup_free_ char *text = malloc(SPEC_FILE_SIZE_MAX + 2);
        const char json[] = "{" GOOD "}";

        /* Valid JSON, padded past the limit. */
        ck_assert_ptr_nonnull(text);
        memset(text, ' ', SPEC_FILE_SIZE_MAX + 1);
        memcpy(text, json, strlen(json));
        test_write_file_n(test_root, spec, text, SPEC_FILE_SIZE_MAX + 1);
}

static void setup_nested(const char *spec) {
        char text[256] = "{\"closureInfo\": ";

        for (unsigned i = 0; i < SPEC_DEPTH_MAX; i++)
                strcat(text, "[");
        strcat(text, "\"/etc/c/good\"");
        for (unsigned i = 0; i < SPEC_DEPTH_MAX; i++)
                strcat(text, "]");
        strcat(text, "}");
        test_write_file(test_root, spec, text);
}

static void setup_untrusted(const char *spec) {
        test_write_file(test_root, spec, "{" GOOD "}");
        test_chmod(test_root, spec, 0666);
}

static void setup_directory(const char *spec) {
        test_mkdir_p(test_root, spec);
}

static void setup_fifo(const char *spec) {
        _cleanup_free_ char *full = test_path(test_root, spec);

        /* Must not hang the boot waiting for a writer. */
        test_mkdir_p(test_root, "/etc/confinement.d");
        ck_assert_int_eq(mkfifo(full, 0644), 0);
}

static void setup_invalid_utf8(const char *spec) {
        test_write_file(test_root, spec, "{\"closureInfo\": \"/etc/c/\xff\"}");
}

static void setup_own_root(const char *spec) {
        test_write_file(test_root, spec, "{" GOOD "}");
        test_write_file(test_root, "/etc/systemd/system/own-root.service",
                        "[Service]\nExecStart=/nix/store/aaa-hello/bin/hello\nRootDirectory=/srv\n");
}

static void setup_start_only(const char *spec) {
        test_write_file(test_root, spec, "{" GOOD "}");
        test_write_file(test_root, "/etc/systemd/system/start-only.service",
                        "[Service]\nExecStart=/nix/store/aaa-hello/bin/hello\nRootDirectoryStartOnly=yes\n");
}

static void setup_unit(const char *spec, const char *unit, const char *lines) {
        _cleanup_free_ char *path = NULL, *text = NULL;

        test_write_file(test_root, spec, "{" GOOD "}");
        ck_assert_int_ge(asprintf(&path, "/etc/systemd/system/%s", unit), 0);
        ck_assert_int_ge(asprintf(&text, "[Service]\nExecStart=/nix/store/aaa-hello/bin/hello\n%s", lines), 0);
        test_write_file(test_root, path, text);
}

static void setup_full_privilege(const char *spec) {
        setup_unit(spec, "plus.service", "ExecStartPre=-+/nix/store/aaa-hello/bin/hello\n");
}

static void setup_reset(const char *spec) {
        setup_unit(spec, "reset.service", "");
        test_write_file(test_root, "/etc/systemd/system/reset.service.d/99-override.conf",
                        "[Service]\nRootDirectory=\nTemporaryFileSystem=\n");
}

static void setup_shadow(const char *spec) {
        setup_unit(spec, "shadow.service", "");
        test_write_file(test_root, "/etc/systemd/system/shadow.service.d/" DROPIN_NAME, "[Service]\nUser=x\n");
}

/* The spec names the alias; the drop-in is under the real name. */
static void setup_alias(const char *spec) {
        setup_unit(spec, "real.service", "[Install]\nAlias=alias.service\n");
        test_symlink(test_root, "/etc/systemd/system/alias.service", "real.service");
        test_write_file(test_root, "/etc/systemd/system/real.service.d/10-rdso.conf",
                        "[Service]\nRootDirectoryStartOnly=yes\n");
}

static void setup_bind_swappable(const char *spec) {
        test_write_file(test_root, spec,
                        "{" GOOD ", \"bindPaths\": [{\"source\": \"/srv/rt-user/data\", \"target\": \"/data\"}]}");
        test_mkdir_p(test_root, "/srv/rt-user/data");
        test_chmod(test_root, "/srv/rt-user", 0777);
}

typedef struct BadSpec {
        const char *name;         /* the unit is NAME.service */
        const char *json;         /* the spec; NULL when setup writes it */
        void (*setup)(const char *spec);
        const char *fragment;     /* what the reason must say, after "FILE: " */
} BadSpec;

static const BadSpec bad_specs[] = {
        /* The file as a whole. */
        { "bad-json", "{" GOOD ",", NULL, "invalid JSON" },
        { "trailing", "{" GOOD "} {}", NULL, "invalid JSON: end of file expected" },
        { "invalid-utf8", NULL, setup_invalid_utf8, "invalid JSON: unable to decode byte 0xff" },
        { "array", "[{" GOOD "}]", NULL, "expected a JSON object, got an array" },
        { "string", "\"/etc/c/good\"", NULL, "invalid JSON: '[' or '{' expected" },
        { "dup-key", "{" GOOD ", \"mode\": \"full\", \"mode\": \"full\"}", NULL,
          "duplicate object key near '\"mode\"'" },
        { "oversized", NULL, setup_oversized, "expected at most 1048576 bytes" },
        { "nested", NULL, setup_nested, "expected a spec, got JSON nested deeper than 16 levels" },
        { "untrusted", NULL, setup_untrusted, "refusing a spec an unprivileged user could change" },
        { "directory", NULL, setup_directory, "expected a regular file" },
        { "fifo", NULL, setup_fifo, "expected a regular file" },
        /* version */
        { "version-2", "{" GOOD ", \"version\": 2}", NULL, "key \"version\": expected 1" },
        { "version-string", "{" GOOD ", \"version\": \"1\"}", NULL, "key \"version\": expected 1" },
        { "version-real", "{" GOOD ", \"version\": 1.0}", NULL, "key \"version\": expected 1" },
        /* mode */
        { "mode-value", "{" GOOD ", \"mode\": \"fulll\"}", NULL,
          "key \"mode\": expected \"full-apivfs\", \"chroot-only\" or \"full\", got \"fulll\"" },
        { "mode-type", "{" GOOD ", \"mode\": true}", NULL,
          "key \"mode\": expected \"full-apivfs\", \"chroot-only\" or \"full\", got a boolean" },
        /* closureInfo in the spec */
        { "ci-missing", "{\"mode\": \"full\"}", NULL, "key \"closureInfo\": missing" },
        { "ci-type", "{\"closureInfo\": 42}", NULL,
          "key \"closureInfo\": expected a path or a list of paths, got an integer" },
        { "ci-empty-list", "{\"closureInfo\": []}", NULL,
          "key \"closureInfo\": expected at least one path, got an empty list" },
        { "ci-item-type", "{\"closureInfo\": [\"/etc/c/good\", {}]}", NULL,
          "key \"closureInfo[1]\": expected a path (a string), got an object" },
        { "ci-relative", "{\"closureInfo\": \"etc/c/good\"}", NULL,
          "key \"closureInfo\": expected an absolute, normalized path without control characters, got "
          "\"etc/c/good\": not an absolute path" },
        { "ci-unnormalized", "{\"closureInfo\": \"/etc/c/good/\"}", NULL,
          "key \"closureInfo\": expected an absolute, normalized path without control characters" },
        { "ci-control", "{\"closureInfo\": \"/etc/c/go\\u0007od\"}", NULL,
          "key \"closureInfo\": expected an absolute, normalized path without control characters" },
        /* closureInfo on disk */
        { "ci-dir-missing", "{\"closureInfo\": \"/etc/c/none\"}", NULL,
          "key \"closureInfo\": /etc/c/none/store-paths: cannot open: No such file or directory" },
        { "no-store-paths", "{\"closureInfo\": \"/etc/c/nosp\"}", NULL,
          "key \"closureInfo\": /etc/c/nosp/store-paths: cannot open: No such file or directory" },
        { "store-paths-dir", "{\"closureInfo\": \"/etc/c/dirsp\"}", NULL,
          "key \"closureInfo\": /etc/c/dirsp/store-paths: expected a regular file" },
        { "store-paths-open", "{\"closureInfo\": \"/etc/c/open\"}", NULL,
          "key \"closureInfo\": refusing /etc/c/open/store-paths, which an unprivileged user could change" },
        { "bad-line", "{\"closureInfo\": \"/etc/c/badline\"}", NULL,
          "key \"closureInfo\": /etc/c/badline/store-paths:2: expected an absolute, normalized path, got "
          "\"nix/store/rel\"" },
        { "nul-line", "{\"closureInfo\": \"/etc/c/nul\"}", NULL,
          "key \"closureInfo\": /etc/c/nul/store-paths:2: contains a NUL byte" },
        { "empty-closure", "{\"closureInfo\": \"/etc/c/empty\"}", NULL,
          "key \"closureInfo\": expected a closure, got no store paths" },
        { "missing-path", "{\"closureInfo\": \"/etc/c/missing\"}", NULL,
          "key \"closureInfo\": closure path /nix/store/zzz-gone does not exist" },
        { "loop", "{\"closureInfo\": \"/etc/c/loop\"}", NULL,
          "key \"closureInfo\": closure path /nix/store/l-loop cannot be resolved: Too many levels of symbolic links" },
        { "out", "{\"closureInfo\": \"/etc/c/out\"}", NULL,
          "key \"closureInfo\": closure path /nix/store/e-out is a symlink to /etc, outside the store directory" },
        { "slash", "{\"closureInfo\": \"/etc/c/slash\"}", NULL,
          "key \"closureInfo\": expected store paths, got /, which would expose all of /nix/store" },
        { "store-itself", "{\"closureInfo\": \"/etc/c/store\"}", NULL,
          "key \"closureInfo\": expected store paths, got /nix/store, which would expose all of /nix/store" },
        /* binSh */
        { "sh-type", "{" GOOD ", \"binSh\": 1}", NULL, "key \"binSh\": expected a path (a string), got an integer" },
        { "sh-relative", "{" GOOD ", \"binSh\": \"bin/sh\"}", NULL,
          "key \"binSh\": expected an absolute, normalized path" },
        { "sh-closure", "{" GOOD ", \"binSh\": \"/nix/store/bbb-bash/bin/sh\"}", NULL,
          "key \"binSh\": expected a program in the closure, got /nix/store/bbb-bash/bin/sh (resolved: "
          "/nix/store/bbb-bash/bin/sh), whose store path /nix/store/bbb-bash" },
        { "sh-store", "{" GOOD ", \"binSh\": \"/bin/sh\"}", NULL,
          "key \"binSh\": expected a program in the closure, got /bin/sh (resolved: /bin/sh), outside /nix/store" },
        { "sh-missing", "{" GOOD ", \"binSh\": \"/bin/none\"}", NULL,
          "key \"binSh\": cannot resolve /bin/none: No such file or directory" },
        /* bindReadOnlyPaths and bindPaths */
        { "ro-missing", "{" GOOD ", \"bindReadOnlyPaths\": [\"/etc/absent\"]}", NULL,
          "key \"bindReadOnlyPaths\": /etc/absent cannot be bound: No such file or directory" },
        { "rw-missing", "{" GOOD ", \"bindPaths\": [{\"source\": \"/var/absent\", \"optional\": false}]}", NULL,
          "key \"bindPaths\": /var/absent cannot be bound: No such file or directory" },
        { "ro-type", "{" GOOD ", \"bindReadOnlyPaths\": \"/etc/present\"}", NULL,
          "key \"bindReadOnlyPaths\": expected a list, got a string" },
        { "rw-item-type", "{" GOOD ", \"bindPaths\": [\"/etc/present\", true]}", NULL,
          "key \"bindPaths[1]\": expected a path or an object" },
        { "ro-unknown-key", "{" GOOD ", \"bindReadOnlyPaths\": [{\"source\": \"/etc/present\", \"readOnly\": true}]}",
          NULL, "key \"bindReadOnlyPaths[0].readOnly\": unknown key; expected \"source\", \"target\" or \"optional\"" },
        { "rw-no-source", "{" GOOD ", \"bindPaths\": [{\"target\": \"/etc/present\"}]}", NULL,
          "key \"bindPaths[0]\": expected an object with a \"source\" path, got none" },
        { "ro-optional-type", "{" GOOD ", \"bindReadOnlyPaths\": [{\"source\": \"/etc/present\", \"optional\": \"no\"}]}",
          NULL, "key \"bindReadOnlyPaths[0].optional\": expected true or false, got a string" },
        { "rw-target", "{" GOOD ", \"bindPaths\": [{\"source\": \"/etc/present\", \"target\": \"present\"}]}", NULL,
          "key \"bindPaths[0].target\": expected an absolute, normalized path" },
        { "ro-source-type", "{" GOOD ", \"bindReadOnlyPaths\": [{\"source\": [\"/etc/present\"]}]}", NULL,
          "key \"bindReadOnlyPaths[0].source\": expected a path (a string), got an array" },
        { "dup-target", "{" GOOD ", \"bindReadOnlyPaths\": [\"/etc/present\", {\"source\": \"/bin/sh\", \"target\": "
          "\"/etc/present\"}]}", NULL, "/etc/present is bound twice, from /bin/sh and from /etc/present" },
        /* storeDir */
        { "store-odd", "{" GOOD ", \"storeDir\": \"/nix/st@re\"}", NULL,
          "key \"storeDir\": expected a path of letters, digits and" },
        { "store-space", "{" GOOD ", \"storeDir\": \"/nix/my store\"}", NULL,
          "key \"storeDir\": expected a path of letters, digits and" },
        { "store-root", "{" GOOD ", \"storeDir\": \"/\"}", NULL, "key \"storeDir\": expected a store directory, got \"/\"" },
        { "store-type", "{" GOOD ", \"storeDir\": [\"/nix/store\"]}", NULL,
          "key \"storeDir\": expected a path (a string), got an array" },
        { "store-missing", "{\"closureInfo\": \"/etc/c/gnu\", \"storeDir\": \"/gnu/store\"}", NULL,
          "key \"storeDir\": cannot open the store directory /gnu/store: No such file or directory" },
        /* bindMethod, packages, unitRoots, unknown keys */
        { "method", "{" GOOD ", \"bindMethod\": \"ro\"}", NULL, "key \"bindMethod\": expected \"overlay\", \"view\" or \"read-only\", got \"ro\"" },
        { "packages-type", "{" GOOD ", \"packages\": \"/nix/store/aaa-hello\"}", NULL,
          "key \"packages\": expected a list of paths, got a string" },
        { "packages-closure", "{" GOOD ", \"packages\": [\"/nix/store/bbb-bash\"]}", NULL,
          "key \"packages[0]\": /nix/store/bbb-bash names /nix/store/bbb-bash, which is not in the store-paths" },
        { "packages-store", "{" GOOD ", \"packages\": [\"/usr/bin/hello\"]}", NULL,
          "key \"packages[0]\": expected a path in the store directory /nix/store, got /usr/bin/hello" },
        { "no-registration", "{" GOOD ", \"packages\": [\"/nix/store/aaa-hello\"]}", NULL,
          "key \"closureInfo\": /etc/c/good/registration: cannot open: No such file or directory" },
        { "roots", "{" GOOD ", \"unitRoots\": \"some\"}", NULL,
          "key \"unitRoots\": expected \"none\", \"exec\" or \"full\", got \"some\"" },
        { "unknown", "{" GOOD ", \"mdoe\": \"full\"}", NULL, "key \"mdoe\": unknown key; expected one of" },
        { "unknown-case", "{" GOOD ", \"BinSh\": null}", NULL, "key \"BinSh\": unknown key" },
        /* What the unit says. */
        { "own-root", NULL, setup_own_root, "own-root.service sets its own RootDirectory=/srv in" },
        { "start-only", NULL, setup_start_only, "start-only.service sets RootDirectoryStartOnly=yes in" },
        { "alias", NULL, setup_alias, "alias.service sets RootDirectoryStartOnly=yes in" },
        { "plus", NULL, setup_full_privilege, "plus.service runs a command with full privileges (/etc/systemd/system/plus.service:3: ExecStartPre=-+" },
        { "reset", NULL, setup_reset, "reset.service resets the confinement (/etc/systemd/system/reset.service.d/99-override.conf:2: RootDirectory=)" },
        { "shadow", NULL, setup_shadow, "shadow.service has a drop-in /etc/systemd/system/shadow.service.d/" },
        { "full-privilege-type", "{" GOOD ", \"allowFullPrivilegeCommands\": \"yes\"}", NULL,
          "key \"allowFullPrivilegeCommands\": expected true or false, got a string" },
        { "bind-swappable", NULL, setup_bind_swappable,
          "key \"bindPaths\": refusing to bind /srv/rt-user/data, which an unprivileged user could replace" },
};

START_TEST(test_bad_spec) {
        const BadSpec *row = &bad_specs[_i];
        _cleanup_free_ char *out = test_tmpdir_new(), *spec = NULL, *dropin_dir = NULL, *dropin = NULL;
        _cleanup_free_ char *text = NULL, *listing = NULL, *reason_prefix = NULL, *assert_prefix = NULL;
        const char *reason, *assertion;

        make_root();
        ck_assert_int_ge(asprintf(&spec, "/etc/confinement.d/%s.service.json", row->name), 0);
        if (row->setup)
                row->setup(spec);
        else
                test_write_file(test_root, spec, row->json);

        /* (3) A bad spec is no failure of the run. */
        ck_assert_int_eq(generator_run(test_root, out, NULL), 0);

        /* (1) The fail-closed drop-in, and nothing else: no view mounted for it. */
        ck_assert_int_ge(asprintf(&dropin_dir, "/%s.service.d", row->name), 0);
        ck_assert_int_ge(asprintf(&dropin, "%s/" DROPIN_NAME, dropin_dir), 0);
        listing = test_list_dir(out, "/");
        ck_assert_str_eq(listing, dropin_dir + 1);
        text = test_read_file(out, dropin);
        ck_assert_msg(text, "%s: no %s", row->name, dropin);
        ck_assert_msg(test_has_line(text, "AssertPathExists=" FAIL_CLOSED_PATH), "%s: not fail-closed:\n%s",
                      row->name, text);
        ck_assert_msg(test_count_lines_with_prefix(text, "RootDirectory=") == 0, "%s:\n%s", row->name, text);
        ck_assert_msg(test_count_lines_with_prefix(text, "Bind") == 0, "%s:\n%s", row->name, text);
        ck_assert_msg(test_count_lines_with_prefix(text, "[Service]") == 0, "%s:\n%s", row->name, text);

        /* (2) Why, naming the file (and the key): in the comment and in the
         * path asserted, which "systemctl status" shows. */
        ck_assert_int_ge(asprintf(&reason_prefix, "\n# %s: ", spec), 0);
        ck_assert_int_ge(asprintf(&assert_prefix, "\nAssertPathExists=" FAIL_CLOSED_PATH ": %s: ", spec), 0);
        reason = strstr(text, reason_prefix);
        assertion = strstr(text, assert_prefix);
        ck_assert_msg(reason, "%s: no reason naming %s in:\n%s", row->name, spec, text);
        ck_assert_msg(assertion, "%s: no assertion naming %s in:\n%s", row->name, spec, text);
        reason = strndupa(reason + 1, strcspn(reason + 1, "\n"));
        assertion = strndupa(assertion + 1, strcspn(assertion + 1, "\n"));
        ck_assert_msg(strstr(reason, row->fragment), "%s: no \"%s\" in \"%s\"", row->name, row->fragment, reason);
        ck_assert_msg(strstr(assertion, row->fragment), "%s: no \"%s\" in \"%s\"", row->name, row->fragment,
                      assertion);

        test_tmpdir_remove(TAKE_PTR(out));
}
END_TEST

START_TEST(test_good_spec_in_same_root) {
        /* The control: in the same root, the spec the rows break is fine. */
        _cleanup_free_ char *out = test_tmpdir_new(), *text = NULL;

        make_root();
        test_write_file(test_root, "/etc/confinement.d/good.service.json",
                        "{" GOOD ", \"version\": 1, \"mode\": \"full\", \"binSh\": null,"
                        " \"bindReadOnlyPaths\": [\"/etc/present\", {\"source\": \"/etc/absent\", \"optional\": true}],"
                        " \"bindPaths\": [], \"storeDir\": \"/nix/store\", \"bindMethod\": \"view\","
                        " \"unitRoots\": \"none\"}");
        ck_assert_int_eq(generator_run(test_root, out, NULL), 0);
        text = test_read_file(out, "/good.service.d/" DROPIN_NAME);
        ck_assert_ptr_nonnull(text);
        ck_assert_msg(test_has_line(text, "RootDirectory=/run/confinement/%n"), "%s", text);
        ck_assert_msg(!strstr(text, FAIL_CLOSED_PATH), "%s", text);
        test_tmpdir_remove(TAKE_PTR(out));
}
END_TEST

START_TEST(test_full_privilege_accepted) {
        /* The spec that says so accepts the unit's "+" commands. */
        _cleanup_free_ char *out = test_tmpdir_new(), *text = NULL;

        make_root();
        setup_full_privilege("/etc/confinement.d/plus.service.json");
        test_write_file(test_root, "/etc/confinement.d/plus.service.json",
                        "{" GOOD ", \"allowFullPrivilegeCommands\": true}");
        ck_assert_int_eq(generator_run(test_root, out, NULL), 0);
        text = test_read_file(out, "/plus.service.d/" DROPIN_NAME);
        ck_assert_ptr_nonnull(text);
        ck_assert_msg(test_has_line(text, "RootDirectory=/run/confinement/%n"), "%s", text);
        test_tmpdir_remove(TAKE_PTR(out));
}
END_TEST

START_TEST(test_rows) {
        /* At least 30 rows, each its own unit. */
        ck_assert_uint_ge(ELEMENTSOF(bad_specs), 30);
        for (size_t i = 0; i < ELEMENTSOF(bad_specs); i++)
                for (size_t j = i + 1; j < ELEMENTSOF(bad_specs); j++)
                        ck_assert_msg(strcmp(bad_specs[i].name, bad_specs[j].name) != 0, "%s twice",
                                      bad_specs[i].name);
}
END_TEST

static Suite *bad_specs_suite(void) {
        Suite *s = suite_create("bad-specs");
        TCase *tc = test_tcase_new("fail_closed", true);

        tcase_add_test(tc, test_rows);
        tcase_add_test(tc, test_good_spec_in_same_root);
        tcase_add_test(tc, test_full_privilege_accepted);
        tcase_add_loop_test(tc, test_bad_spec, 0, ELEMENTSOF(bad_specs));
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return test_run_suite(bad_specs_suite());
}
