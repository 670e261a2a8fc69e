/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>
#include <sys/stat.h>

#include "spec.h"
#include "test-util.h"

#define FILE_NAME "/etc/confinement.d/foo.service.json"

static Spec *parse_ok(const char *text) {
        _cleanup_(diag_done) Diag d = {};
        Spec *s = NULL;
        int r;

        r = spec_parse(FILE_NAME, text, strlen(text), &s, &d);
        ck_assert_msg(r == 0, "%s: %s", text, strempty(d.reason));
        ck_assert_ptr_nonnull(s);
        ck_assert_ptr_null(d.reason);
        return s;
}

/* Parses text, expects failure, and returns the reason kept (to free). */
static char *parse_fail(const char *text) {
        Diag d = {};
        Spec *s = NULL;

        ck_assert_int_eq(spec_parse(FILE_NAME, text, strlen(text), &s, &d), -EINVAL);
        ck_assert_ptr_null(s);
        ck_assert_msg(d.reason, "no reason for %s", text);
        return d.reason;
}

static void assert_fails_with(const char *text, const char *expected_reason) {
        _cleanup_free_ char *reason = parse_fail(text);

        ck_assert_str_eq(reason, expected_reason);
}

static void assert_fails_containing(const char *text, const char *fragment) {
        _cleanup_free_ char *reason = parse_fail(text);

        ck_assert_msg(strncmp(reason, FILE_NAME ": ", strlen(FILE_NAME ": ")) == 0, "reason \"%s\" names no file",
                      reason);
        ck_assert_msg(strstr(reason, fragment), "reason \"%s\" lacks \"%s\"", reason, fragment);
}

START_TEST(test_defaults) {
        _cleanup_spec_ Spec *s = parse_ok("{\"closureInfo\": \"/etc/closures/foo\"}");

        ck_assert_str_eq(s->file, FILE_NAME);
        ck_assert_int_eq(s->mode, CONFINEMENT_FULL_APIVFS);
        ck_assert_uint_eq(s->n_closure_infos, 1);
        ck_assert_str_eq(s->closure_infos[0], "/etc/closures/foo");
        ck_assert_ptr_null(s->bin_sh);
        ck_assert_uint_eq(s->n_bind_read_only, 0);
        ck_assert_uint_eq(s->n_bind_writable, 0);
        ck_assert_str_eq(s->store_dir, SPEC_DEFAULT_STORE_DIR);
        ck_assert_str_eq(s->store_dir, "/nix/store");
        ck_assert_int_eq(s->bind_method, BIND_METHOD_OVERLAY);
        ck_assert_int_eq(s->bind_method, SPEC_DEFAULT_BIND_METHOD);
        ck_assert_uint_eq(s->n_packages, 0);
        ck_assert_int_eq(s->unit_roots, UNIT_ROOTS_NONE);
        ck_assert(!spec_names_roots(s));
}
END_TEST

START_TEST(test_every_key) {
        _cleanup_spec_ Spec *s = parse_ok(
                "{\n"
                "  \"version\": 1,\n"
                "  \"mode\": \"full\",\n"
                "  \"closureInfo\": [\"/etc/closures/a\", \"/etc/closures/b\"],\n"
                "  \"binSh\": \"/run/current-system/sw/bin/sh\",\n"
                "  \"bindReadOnlyPaths\": [\"/etc/resolv.conf\", {\"source\": \"/etc/ssl/certs\", \"optional\": true}],\n"
                "  \"bindPaths\": [{\"source\": \"/var/lib/web\", \"target\": \"/srv/web\", \"optional\": false}],\n"
                "  \"storeDir\": \"/gnu/store\",\n"
                "  \"bindMethod\": \"read-only\",\n"
                "  \"packages\": [\"/gnu/store/abc-hello\", \"/gnu/store/def-bash/bin/sh\"],\n"
                "  \"unitRoots\": \"exec\"\n"
                "}\n");

        ck_assert_int_eq(s->mode, CONFINEMENT_FULL);
        ck_assert_uint_eq(s->n_closure_infos, 2);
        ck_assert_str_eq(s->closure_infos[0], "/etc/closures/a");
        ck_assert_str_eq(s->closure_infos[1], "/etc/closures/b");
        ck_assert_str_eq(s->bin_sh, "/run/current-system/sw/bin/sh");

        ck_assert_uint_eq(s->n_bind_read_only, 2);
        ck_assert_str_eq(s->bind_read_only[0].source, "/etc/resolv.conf");
        ck_assert_str_eq(s->bind_read_only[0].target, "/etc/resolv.conf");
        ck_assert(!s->bind_read_only[0].optional);
        ck_assert_str_eq(s->bind_read_only[1].source, "/etc/ssl/certs");
        ck_assert_str_eq(s->bind_read_only[1].target, "/etc/ssl/certs");
        ck_assert(s->bind_read_only[1].optional);

        ck_assert_uint_eq(s->n_bind_writable, 1);
        ck_assert_str_eq(s->bind_writable[0].source, "/var/lib/web");
        ck_assert_str_eq(s->bind_writable[0].target, "/srv/web");
        ck_assert(!s->bind_writable[0].optional);

        ck_assert_str_eq(s->store_dir, "/gnu/store");
        ck_assert_int_eq(s->bind_method, BIND_METHOD_READ_ONLY);
        ck_assert_uint_eq(s->n_packages, 2);
        ck_assert_str_eq(s->packages[0], "/gnu/store/abc-hello");
        ck_assert_str_eq(s->packages[1], "/gnu/store/def-bash/bin/sh");
        ck_assert_int_eq(s->unit_roots, UNIT_ROOTS_EXEC);
        ck_assert(spec_names_roots(s));
}
END_TEST

START_TEST(test_enums) {
        static const struct {
                const char *json;
                ConfinementMode mode;
                BindMethod method;
                UnitRoots roots;
        } v[] = {
                { "{\"closureInfo\":\"/c\",\"mode\":\"full-apivfs\",\"bindMethod\":\"view\",\"unitRoots\":\"none\"}",
                  CONFINEMENT_FULL_APIVFS, BIND_METHOD_VIEW, UNIT_ROOTS_NONE },
                { "{\"closureInfo\":\"/c\",\"mode\":\"chroot-only\",\"bindMethod\":\"read-only\",\"unitRoots\":\"full\"}",
                  CONFINEMENT_CHROOT_ONLY, BIND_METHOD_READ_ONLY, UNIT_ROOTS_FULL },
                /* Later keys do not disturb earlier ones. */
                { "{\"mode\":\"full\",\"bindMethod\":\"view\",\"unitRoots\":\"exec\",\"closureInfo\":\"/c\"}",
                  CONFINEMENT_FULL, BIND_METHOD_VIEW, UNIT_ROOTS_EXEC },
                { "{\"bindMethod\":\"read-only\",\"mode\":\"full-apivfs\",\"closureInfo\":\"/c\"}",
                  CONFINEMENT_FULL_APIVFS, BIND_METHOD_READ_ONLY, UNIT_ROOTS_NONE },
                { "{\"closureInfo\":\"/c\",\"bindMethod\":\"overlay\",\"mode\":\"chroot-only\"}",
                  CONFINEMENT_CHROOT_ONLY, BIND_METHOD_OVERLAY, UNIT_ROOTS_NONE },
        };

        for (size_t i = 0; i < ELEMENTSOF(v); i++) {
                _cleanup_spec_ Spec *s = parse_ok(v[i].json);

                ck_assert_int_eq(s->mode, v[i].mode);
                ck_assert_int_eq(s->bind_method, v[i].method);
                ck_assert_int_eq(s->unit_roots, v[i].roots);
                ck_assert_int_eq(spec_names_roots(s), v[i].roots != UNIT_ROOTS_NONE);
        }

        ck_assert_str_eq(confinement_mode_to_string(CONFINEMENT_FULL_APIVFS), "full-apivfs");
        ck_assert_str_eq(confinement_mode_to_string(CONFINEMENT_CHROOT_ONLY), "chroot-only");
        ck_assert_str_eq(confinement_mode_to_string(CONFINEMENT_FULL), "full");
        ck_assert_ptr_null(confinement_mode_to_string(_CONFINEMENT_MODE_MAX));
        ck_assert_ptr_null(confinement_mode_to_string((ConfinementMode) -1));
        ck_assert_str_eq(bind_method_to_string(BIND_METHOD_VIEW), "view");
        ck_assert_str_eq(bind_method_to_string(BIND_METHOD_READ_ONLY), "read-only");
        ck_assert_str_eq(bind_method_to_string(BIND_METHOD_OVERLAY), "overlay");
        ck_assert_ptr_null(bind_method_to_string(_BIND_METHOD_MAX));
        ck_assert_str_eq(unit_roots_to_string(UNIT_ROOTS_NONE), "none");
        ck_assert_str_eq(unit_roots_to_string(UNIT_ROOTS_EXEC), "exec");
        ck_assert_str_eq(unit_roots_to_string(UNIT_ROOTS_FULL), "full");
        ck_assert_ptr_null(unit_roots_to_string(_UNIT_ROOTS_MAX));
}
END_TEST

START_TEST(test_closure_info_string_or_list) {
        _cleanup_spec_ Spec *a = parse_ok("{\"closureInfo\": \"/c/one\"}");
        _cleanup_spec_ Spec *b = parse_ok("{\"closureInfo\": [\"/c/one\"]}");
        _cleanup_spec_ Spec *c = parse_ok("{\"closureInfo\": [\"/c/one\", \"/c/two\", \"/c/one\"]}");

        ck_assert_uint_eq(a->n_closure_infos, 1);
        ck_assert_uint_eq(b->n_closure_infos, 1);
        ck_assert_str_eq(a->closure_infos[0], b->closure_infos[0]);
        /* As written: duplicates are harmless, the closure is a set. */
        ck_assert_uint_eq(c->n_closure_infos, 3);
        ck_assert_str_eq(c->closure_infos[2], "/c/one");
}
END_TEST

START_TEST(test_extra_binds) {
        _cleanup_spec_ Spec *s = parse_ok(
                "{\"closureInfo\": \"/c\", \"bindPaths\": ["
                "\"/var/lib/a\","
                "{\"source\": \"/var/lib/b\"},"
                "{\"target\": \"/srv/c\", \"source\": \"/var/lib/c\"},"
                "{\"source\": \"/var/lib/d\", \"optional\": true},"
                "{\"optional\": false, \"source\": \"/var/lib/e\"}"
                "], \"bindReadOnlyPaths\": []}");

        ck_assert_uint_eq(s->n_bind_read_only, 0);
        ck_assert_uint_eq(s->n_bind_writable, 5);
        ck_assert_str_eq(s->bind_writable[0].source, "/var/lib/a");
        ck_assert_str_eq(s->bind_writable[0].target, "/var/lib/a");
        ck_assert_str_eq(s->bind_writable[1].source, "/var/lib/b");
        ck_assert_str_eq(s->bind_writable[1].target, "/var/lib/b");
        ck_assert(!s->bind_writable[1].optional);
        ck_assert_str_eq(s->bind_writable[2].source, "/var/lib/c");
        ck_assert_str_eq(s->bind_writable[2].target, "/srv/c");
        ck_assert(s->bind_writable[3].optional);
        ck_assert(!s->bind_writable[4].optional);
}
END_TEST

START_TEST(test_bin_sh_null) {
        _cleanup_spec_ Spec *s = parse_ok("{\"closureInfo\": \"/c\", \"binSh\": null}");

        ck_assert_ptr_null(s->bin_sh);
}
END_TEST

START_TEST(test_unicode_and_odd_paths) {
        _cleanup_spec_ Spec *s = parse_ok(
                "{\"closureInfo\": \"/c/caf\\u00e9\", \"bindReadOnlyPaths\": [\"/etc/a b:c%d\"]}");

        ck_assert_str_eq(s->closure_infos[0], "/c/caf\xc3\xa9");
        ck_assert_str_eq(s->bind_read_only[0].source, "/etc/a b:c%d");
}
END_TEST

START_TEST(test_errors_exact) {
        /* The whole message: file, key, what was expected, what was found. */
        assert_fails_with("{\"closureInfo\": \"/c\", \"mode\": \"fulll\"}",
                          FILE_NAME ": key \"mode\": expected \"full-apivfs\", \"chroot-only\" or \"full\", got \"fulll\".");
        assert_fails_with("{\"closureInfo\": \"/c\", \"mode\": 1}",
                          FILE_NAME ": key \"mode\": expected \"full-apivfs\", \"chroot-only\" or \"full\", got an integer.");
        assert_fails_with("{}", FILE_NAME ": key \"closureInfo\": missing; expected the path of a closureInfo output "
                                "(or a list of them).");
        assert_fails_with("{\"closureInfo\": []}",
                          FILE_NAME ": key \"closureInfo\": expected at least one path, got an empty list.");
        assert_fails_with("{\"closureInfo\": \"c\"}",
                          FILE_NAME ": key \"closureInfo\": expected an absolute, normalized path without control "
                                    "characters, got \"c\": not an absolute path.");
        assert_fails_with("{\"closureInfo\": [\"/c\", \"/d/\"]}",
                          FILE_NAME ": key \"closureInfo[1]\": expected an absolute, normalized path without control "
                                    "characters, got \"/d/\": ends in \"/\".");
        assert_fails_with("[]", FILE_NAME ": expected a JSON object, got an array.");
        assert_fails_with("{\"closureInfo\": \"/c\", \"version\": 2}",
                          FILE_NAME ": key \"version\": expected 1 (the only format version).");
        assert_fails_with("{\"closureInfo\": \"/c\", \"storeDir\": \"/\"}",
                          FILE_NAME ": key \"storeDir\": expected a store directory, got \"/\".");
        assert_fails_with("{\"closureInfo\": \"/c\", \"bindPaths\": [{\"source\": \"/a\", \"opt\": true}]}",
                          FILE_NAME ": key \"bindPaths[0].opt\": unknown key; expected \"source\", \"target\" or "
                                    "\"optional\".");
}
END_TEST

/* Every way to get a key wrong, by the fragment its message must hold. */
static const struct {
        const char *json;
        const char *fragment;
} bad_specs[] = {
        { "", "invalid JSON" },
        { "{", "line 1, column 1: invalid JSON" },
        { "{\"closureInfo\": \"/c\",}", "invalid JSON" },
        { "{\"closureInfo\": \"/c\"} {}", "invalid JSON: end of file expected" },
        { "\"/c\"", "invalid JSON" },
        { "42", "invalid JSON" },
        { "[{\"closureInfo\": \"/c\"}]", "expected a JSON object, got an array" },
        { "{\"closureInfo\": \"/c\", \"mode\": \"full\", \"mode\": \"full\"}", "duplicate object key near '\"mode\"'" },
        { "{\"closureInfo\": \"/c\\u0000x\"}", "invalid JSON" },
        { "{\"closureInfo\": \"/c\xff\"}", "invalid JSON" },
        { "{\"closureInfo\": \"/c\", \"version\": \"1\"}", "key \"version\": expected 1" },
        { "{\"closureInfo\": \"/c\", \"version\": 1.0}", "key \"version\": expected 1" },
        { "{\"closureInfo\": \"/c\", \"version\": 0}", "key \"version\": expected 1" },
        { "{\"closureInfo\": \"/c\", \"version\": null}", "key \"version\": expected 1" },
        { "{\"closureInfo\": \"/c\", \"mode\": \"FULL\"}", "key \"mode\": expected" },
        { "{\"closureInfo\": \"/c\", \"mode\": null}", "key \"mode\": expected \"full-apivfs\", \"chroot-only\" or \"full\", got null" },
        { "{\"closureInfo\": \"/c\", \"mode\": [\"full\"]}", "key \"mode\": expected \"full-apivfs\", \"chroot-only\" or \"full\", got an array" },
        { "{\"closureInfo\": 42}", "key \"closureInfo\": expected a path or a list of paths, got an integer" },
        { "{\"closureInfo\": {\"path\": \"/c\"}}", "key \"closureInfo\": expected a path or a list of paths, got an object" },
        { "{\"closureInfo\": [42]}", "key \"closureInfo[0]\": expected a path (a string), got an integer" },
        { "{\"closureInfo\": [\"/c\", [\"/d\"]]}", "key \"closureInfo[1]\": expected a path (a string), got an array" },
        { "{\"closureInfo\": \"/c//d\"}", "key \"closureInfo\": expected an absolute, normalized path without control characters, got \"/c//d\": contains \"//\"" },
        { "{\"closureInfo\": \"/c/./d\"}", "contains a \".\" component" },
        { "{\"closureInfo\": \"/c/../d\"}", "contains a \"..\" component" },
        { "{\"closureInfo\": \"/c\\td\"}", "contains a control character" },
        { "{\"closureInfo\": \"/c\\u001bd\"}", "contains a control character" },
        { "{\"closureInfo\": \"/c\\u007f\"}", "contains a control character" },
        { "{\"closureInfo\": \"/c\", \"binSh\": 1}", "key \"binSh\": expected a path (a string), got an integer" },
        { "{\"closureInfo\": \"/c\", \"binSh\": false}", "key \"binSh\": expected a path (a string), got a boolean" },
        { "{\"closureInfo\": \"/c\", \"binSh\": \"sh\"}", "key \"binSh\": expected an absolute, normalized path" },
        { "{\"closureInfo\": \"/c\", \"binSh\": \"/bin/sh\\n\"}", "key \"binSh\": expected an absolute, normalized path without control characters" },
        { "{\"closureInfo\": \"/c\", \"bindReadOnlyPaths\": \"/etc/a\"}", "key \"bindReadOnlyPaths\": expected a list, got a string" },
        { "{\"closureInfo\": \"/c\", \"bindReadOnlyPaths\": {\"source\": \"/a\"}}", "key \"bindReadOnlyPaths\": expected a list, got an object" },
        { "{\"closureInfo\": \"/c\", \"bindPaths\": [1.5]}", "key \"bindPaths[0]\": expected a path or an object {\"source\", \"target\", \"optional\"}, got a number" },
        { "{\"closureInfo\": \"/c\", \"bindPaths\": [\"/a\", null]}", "key \"bindPaths[1]\": expected a path or an object" },
        { "{\"closureInfo\": \"/c\", \"bindPaths\": [\"a\"]}", "key \"bindPaths[0]\": expected an absolute, normalized path" },
        { "{\"closureInfo\": \"/c\", \"bindPaths\": [{}]}", "key \"bindPaths[0]\": expected an object with a \"source\" path, got none" },
        { "{\"closureInfo\": \"/c\", \"bindPaths\": [{\"target\": \"/a\"}]}", "key \"bindPaths[0]\": expected an object with a \"source\" path" },
        { "{\"closureInfo\": \"/c\", \"bindPaths\": [{\"source\": 1}]}", "key \"bindPaths[0].source\": expected a path (a string), got an integer" },
        { "{\"closureInfo\": \"/c\", \"bindPaths\": [{\"source\": \"/a\", \"target\": \"b\"}]}", "key \"bindPaths[0].target\": expected an absolute, normalized path" },
        { "{\"closureInfo\": \"/c\", \"bindReadOnlyPaths\": [{\"source\": \"/a\", \"optional\": \"yes\"}]}", "key \"bindReadOnlyPaths[0].optional\": expected true or false, got a string" },
        { "{\"closureInfo\": \"/c\", \"bindReadOnlyPaths\": [{\"source\": \"/a\", \"optional\": 1}]}", "key \"bindReadOnlyPaths[0].optional\": expected true or false, got an integer" },
        { "{\"closureInfo\": \"/c\", \"bindReadOnlyPaths\": [\"/a\", {\"source\": \"/a\", \"Target\": \"/b\"}]}", "key \"bindReadOnlyPaths[1].Target\": unknown key" },
        { "{\"closureInfo\": \"/c\", \"storeDir\": 5}", "key \"storeDir\": expected a path (a string), got an integer" },
        { "{\"closureInfo\": \"/c\", \"storeDir\": \"nix/store\"}", "key \"storeDir\": expected an absolute, normalized path" },
        { "{\"closureInfo\": \"/c\", \"storeDir\": \"/nix/store/\"}", "key \"storeDir\": expected an absolute, normalized path" },
        { "{\"closureInfo\": \"/c\", \"storeDir\": \"/nix/st@re\"}", "key \"storeDir\": expected a path of letters, digits and \"/._+-\", got \"/nix/st@re\"" },
        { "{\"closureInfo\": \"/c\", \"storeDir\": \"/nix store\"}", "key \"storeDir\": expected a path of letters, digits" },
        { "{\"closureInfo\": \"/c\", \"storeDir\": \"/nix:store\"}", "key \"storeDir\": expected a path of letters, digits" },
        { "{\"closureInfo\": \"/c\", \"storeDir\": \"/nix%store\"}", "key \"storeDir\": expected a path of letters, digits" },
        { "{\"closureInfo\": \"/c\", \"storeDir\": \"/st\\u00f6re\"}", "key \"storeDir\": expected a path of letters, digits" },
        { "{\"closureInfo\": \"/c\", \"bindMethod\": \"ro\"}", "key \"bindMethod\": expected \"overlay\", \"view\" or \"read-only\", got \"ro\"" },
        { "{\"closureInfo\": \"/c\", \"bindMethod\": true}", "key \"bindMethod\": expected \"overlay\", \"view\" or \"read-only\", got a boolean" },
        { "{\"closureInfo\": \"/c\", \"packages\": \"/nix/store/a\"}", "key \"packages\": expected a list of paths, got a string" },
        { "{\"closureInfo\": \"/c\", \"packages\": [\"nix\"]}", "key \"packages[0]\": expected an absolute, normalized path" },
        { "{\"closureInfo\": \"/c\", \"unitRoots\": \"all\"}", "key \"unitRoots\": expected \"none\", \"exec\" or \"full\", got \"all\"" },
        { "{\"closureInfo\": \"/c\", \"unitRoots\": true}", "key \"unitRoots\": expected \"none\", \"exec\" or \"full\", got a boolean" },
        { "{\"closureInfo\": \"/c\", \"mdoe\": \"full\"}", "key \"mdoe\": unknown key; expected one of \"version\"" },
        { "{\"closureInfo\": \"/c\", \"ClosureInfo\": \"/c\"}", "key \"ClosureInfo\": unknown key" },
        { "{\"closureInfo\": \"/c\", \"\": 1}", "key \"\": unknown key" },
        { "{\"mode\": \"full\"}", "key \"closureInfo\": missing" },
};

START_TEST(test_bad) {
        assert_fails_containing(bad_specs[_i].json, bad_specs[_i].fragment);
}
END_TEST

static char *nested(unsigned depth) {
        /* {"closureInfo": [[…["/c"]…]]}, depth levels in all. */
        char *s = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&s, &size);

        ck_assert_ptr_nonnull(f);
        fputs("{\"closureInfo\": ", f);
        for (unsigned i = 1; i < depth; i++)
                fputc('[', f);
        fputs("\"/c\"", f);
        for (unsigned i = 1; i < depth; i++)
                fputc(']', f);
        fputc('}', f);
        ck_assert_int_eq(fclose(f), 0);
        return s;
}

START_TEST(test_depth) {
        _cleanup_free_ char *ok = nested(SPEC_DEPTH_MAX), *deep = nested(SPEC_DEPTH_MAX + 1);
        _cleanup_free_ char *huge = nested(100000), *a = NULL, *b = NULL, *c = NULL, *d = NULL;

        /* At the limit the parser sees it (and finds a wrong type); past it, it does not. */
        a = parse_fail(ok);
        ck_assert_msg(strstr(a, "key \"closureInfo[0]\": expected a path (a string), got an array"), "%s", a);
        b = parse_fail(deep);
        ck_assert_str_eq(b, FILE_NAME ": expected a spec, got JSON nested deeper than 16 levels.");
        c = parse_fail(huge);
        ck_assert_str_eq(c, FILE_NAME ": expected a spec, got JSON nested deeper than 16 levels.");

        /* Brackets in strings, escaped quotes among them, do not count: the
         * parser sees this and finds the unknown key. */
        d = parse_fail("{\"closureInfo\": \"/c\", \"[[[[[[[[[[[[[[[[[[[[[[[[{{{{{{{{{{{{{{{{{{{{{\\\"[[[[[[[\": 1}");
        ck_assert_msg(strstr(d, "unknown key"), "%s", d);
}
END_TEST

START_TEST(test_first_reason_kept) {
        _cleanup_(diag_done) Diag d = {};
        Spec *s = NULL;
        const char *text = "{\"mode\": \"bad\"}";

        ck_assert_int_eq(spec_parse(FILE_NAME, text, strlen(text), &s, &d), -EINVAL);
        ck_assert_ptr_nonnull(d.reason);
        ck_assert_msg(strstr(d.reason, "key \"mode\""), "%s", d.reason);
        /* A second failure keeps the first reason. */
        text = "{}";
        ck_assert_int_eq(spec_parse("/other.json", text, strlen(text), &s, &d), -EINVAL);
        ck_assert_msg(strstr(d.reason, "key \"mode\""), "%s", d.reason);
        /* And no Diag at all is fine. */
        ck_assert_int_eq(spec_parse(FILE_NAME, text, strlen(text), &s, NULL), -EINVAL);
}
END_TEST

START_TEST(test_size_not_strlen) {
        /* The text is size bytes, not up to a NUL. */
        const char text[] = "{\"closureInfo\": \"/c\"}GARBAGE";
        _cleanup_(diag_done) Diag d = {};
        _cleanup_spec_ Spec *s = NULL;

        ck_assert_int_eq(spec_parse(FILE_NAME, text, strlen("{\"closureInfo\": \"/c\"}"), &s, &d), 0);
        ck_assert_str_eq(s->closure_infos[0], "/c");
}
END_TEST

/* spec_load(): the file under the root. */

START_TEST(test_load) {
        _cleanup_(diag_done) Diag d = {};
        _cleanup_spec_ Spec *s = NULL;

        test_write_file(test_root, FILE_NAME, "{\"closureInfo\": \"/c\", \"mode\": \"chroot-only\"}\n");
        ck_assert_int_eq(spec_load(test_fs(test_root), FILE_NAME, &s, &d), 0);
        ck_assert_str_eq(s->file, FILE_NAME); /* as the booted system names it */
        ck_assert_int_eq(s->mode, CONFINEMENT_CHROOT_ONLY);
}
END_TEST

static char *load_fail(const char *file, int expected) {
        Diag d = {};
        Spec *s = NULL;

        ck_assert_int_eq(spec_load(test_fs(test_root), file, &s, &d), expected);
        ck_assert_ptr_null(s);
        ck_assert_ptr_nonnull(d.reason);
        return d.reason;
}

START_TEST(test_load_missing) {
        _cleanup_free_ char *reason = load_fail(FILE_NAME, -ENOENT);

        ck_assert_str_eq(reason, FILE_NAME ": cannot open: No such file or directory.");
}
END_TEST

START_TEST(test_load_not_regular) {
        _cleanup_free_ char *reason = NULL;

        test_mkdir_p(test_root, FILE_NAME);
        reason = load_fail(FILE_NAME, -EBADFD);
        ck_assert_str_eq(reason, FILE_NAME ": expected a regular file.");
}
END_TEST

START_TEST(test_load_size_limit) {
        _cleanup_free_ char *text = malloc(SPEC_FILE_SIZE_MAX + 1), *reason = NULL;
        _cleanup_(diag_done) Diag d = {};
        _cleanup_spec_ Spec *s = NULL;
        const char json[] = "{\"closureInfo\": \"/c\"}";

        /* Exactly the limit: read and parsed. */
        ck_assert_ptr_nonnull(text);
        memset(text, ' ', SPEC_FILE_SIZE_MAX + 1);
        memcpy(text, json, strlen(json));
        test_write_file_n(test_root, FILE_NAME, text, SPEC_FILE_SIZE_MAX);
        ck_assert_int_eq(spec_load(test_fs(test_root), FILE_NAME, &s, &d), 0);

        /* One byte more: refused. */
        test_write_file_n(test_root, FILE_NAME, text, SPEC_FILE_SIZE_MAX + 1);
        reason = load_fail(FILE_NAME, -EFBIG);
#define TOO_BIG FILE_NAME ": expected at most 1048576 bytes"
        ck_assert_msg(strncmp(reason, TOO_BIG, strlen(TOO_BIG)) == 0, "%s", reason);
#undef TOO_BIG
}
END_TEST

START_TEST(test_load_untrusted) {
        _cleanup_free_ char *a = NULL, *b = NULL;

        test_write_file(test_root, FILE_NAME, "{\"closureInfo\": \"/c\"}");
        test_chmod(test_root, FILE_NAME, 0666);
        a = load_fail(FILE_NAME, -EPERM);
        ck_assert_str_eq(a, FILE_NAME ": refusing a spec an unprivileged user could change: " FILE_NAME
                            " is writable by anyone (mode 0666).");

        test_chmod(test_root, FILE_NAME, 0644);
        test_chmod(test_root, "/etc/confinement.d", 0775);
        b = load_fail(FILE_NAME, -EPERM);
        ck_assert_str_eq(b, FILE_NAME ": refusing a spec an unprivileged user could change: /etc/confinement.d "
                            "is writable by its group (mode 0775).");
}
END_TEST

START_TEST(test_load_symlink_in_root) {
        _cleanup_(diag_done) Diag d = {};
        _cleanup_spec_ Spec *s = NULL;
        int r;

        /* NixOS links /etc entries to the store: under a root, the link
         * must be followed under the root, never to the host's file. */
        test_write_file(test_root, "/specs/foo.json", "{\"closureInfo\": \"/c\"}");
        test_symlink(test_root, FILE_NAME, "/specs/foo.json");
        r = spec_load(test_fs(test_root), FILE_NAME, &s, &d);
        ck_assert_msg(r == 0, "%s", strempty(d.reason));
        ck_assert_str_eq(s->closure_infos[0], "/c");
}
END_TEST

START_TEST(test_needs) {
        _cleanup_spec_ Spec *none = parse_ok("{\"closureInfo\": \"/c\"}");
        _cleanup_spec_ Spec *s = parse_ok("{\"closureInfo\": \"/c\", \"needs\": [\"dns\", \"-tls\", \"journal\"]}");
        _cleanup_spec_ Spec *empty = parse_ok("{\"closureInfo\": \"/c\", \"needs\": []}");

        ck_assert_uint_eq(none->needs.mask, 0);
        ck_assert_uint_eq(empty->needs.mask, 0);
        ck_assert_uint_eq(s->needs.mask, 1u << NEED_DNS | 1u << NEED_TLS | 1u << NEED_JOURNAL);
        ck_assert_uint_eq(s->needs.optional_mask, 1u << NEED_TLS);

        assert_fails_with("{\"closureInfo\": \"/c\", \"needs\": \"dns\"}",
                          FILE_NAME ": key \"needs\": expected a list of needs (\"dns\", \"tls\", \"users\", \"time\", "
                          "\"locale\", \"journal\" or \"dbus\"), got a string.");
        assert_fails_with("{\"closureInfo\": \"/c\", \"needs\": [\"dns\", 1]}",
                          FILE_NAME ": key \"needs[1]\": expected a need (\"dns\", \"tls\", \"users\", \"time\", "
                          "\"locale\", \"journal\" or \"dbus\"), got an integer.");
        assert_fails_with("{\"closureInfo\": \"/c\", \"needs\": [\"dnss\"]}",
                          FILE_NAME ": key \"needs[0]\": expected a need (\"dns\", \"tls\", \"users\", \"time\", "
                          "\"locale\", \"journal\" or \"dbus\", optional with a leading \"-\"), got \"dnss\".");
        assert_fails_with("{\"closureInfo\": \"/c\", \"needs\": [\"dns\", \"-dns\"]}",
                          FILE_NAME ": key \"needs[1]\": need \"dns\" is named twice.");
        assert_fails_containing("{\"closureInfo\": \"/c\", \"needs\": [\"--dns\"]}", "got \"--dns\"");
        assert_fails_containing("{\"closureInfo\": \"/c\", \"needs\": [\"-\"]}", "got \"-\"");
}
END_TEST

static Suite *spec_suite(void) {
        Suite *s = suite_create("spec");
        TCase *tc;

        tc = test_tcase_new("spec_parse", false);
        tcase_add_test(tc, test_defaults);
        tcase_add_test(tc, test_every_key);
        tcase_add_test(tc, test_enums);
        tcase_add_test(tc, test_closure_info_string_or_list);
        tcase_add_test(tc, test_extra_binds);
        tcase_add_test(tc, test_bin_sh_null);
        tcase_add_test(tc, test_unicode_and_odd_paths);
        tcase_add_test(tc, test_errors_exact);
        tcase_add_loop_test(tc, test_bad, 0, ELEMENTSOF(bad_specs));
        tcase_add_test(tc, test_depth);
        tcase_add_test(tc, test_first_reason_kept);
        tcase_add_test(tc, test_size_not_strlen);
        tcase_add_test(tc, test_needs);
        suite_add_tcase(s, tc);

        tc = test_tcase_new("spec_load", true);
        tcase_add_test(tc, test_load);
        tcase_add_test(tc, test_load_missing);
        tcase_add_test(tc, test_load_not_regular);
        tcase_add_test(tc, test_load_size_limit);
        tcase_add_test(tc, test_load_untrusted);
        tcase_add_test(tc, test_load_symlink_in_root);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return test_run_suite(spec_suite());
}
