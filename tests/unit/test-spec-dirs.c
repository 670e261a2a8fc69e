/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "spec-dirs.h"
#include "test-util.h"

#define SPEC "{\"closureInfo\": \"/c\"}\n"

static const SpecEntry *find(const SpecEntries *e, const char *name) {
        for (size_t i = 0; i < e->n; i++)
                if (strcmp(e->entries[i].name, name) == 0)
                        return &e->entries[i];
        ck_abort_msg("no entry %s", name);
}

static void enumerate(SpecEntries *e) {
        ck_assert_int_eq(spec_dirs_enumerate(test_fs(test_root), e), 0);
}

START_TEST(test_dirs) {
        /* The order is the precedence; it is systemd's for *.d directories. */
        ck_assert_str_eq(spec_dirs[0], "/etc/confinement.d");
        ck_assert_str_eq(spec_dirs[1], "/run/confinement.d");
        ck_assert_str_eq(spec_dirs[2], "/usr/local/lib/confinement.d");
        ck_assert_str_eq(spec_dirs[3], "/usr/lib/confinement.d");
        ck_assert_ptr_null(spec_dirs[4]);
}
END_TEST

START_TEST(test_none) {
        _cleanup_(spec_entries_done) SpecEntries e = {};

        enumerate(&e);
        ck_assert_uint_eq(e.n, 0);
}
END_TEST

START_TEST(test_precedence) {
        _cleanup_(spec_entries_done) SpecEntries e = {};
        const SpecEntry *x;

        test_write_file(test_root, "/usr/lib/confinement.d/all.service.json", SPEC);
        test_write_file(test_root, "/usr/local/lib/confinement.d/all.service.json", SPEC);
        test_write_file(test_root, "/run/confinement.d/all.service.json", SPEC);
        test_write_file(test_root, "/etc/confinement.d/all.service.json", SPEC);
        test_write_file(test_root, "/usr/lib/confinement.d/lib.service.json", SPEC);
        test_write_file(test_root, "/usr/local/lib/confinement.d/lib.service.json", SPEC);
        test_write_file(test_root, "/usr/lib/confinement.d/usr.service.json", SPEC);
        test_write_file(test_root, "/run/confinement.d/run.service.json", SPEC);
        test_write_file(test_root, "/usr/lib/confinement.d/run.service.json", SPEC);

        enumerate(&e);
        ck_assert_uint_eq(e.n, 4);

        x = find(&e, "all.service.json");
        ck_assert_str_eq(x->path, "/etc/confinement.d/all.service.json");
        ck_assert(!x->masked);
        ck_assert_ptr_null(x->distrust);
        /* The files it overrides, in the order of the directories. */
        ck_assert_uint_eq(x->shadowed.n, 3);
        ck_assert_str_eq(x->shadowed.items[0], "/run/confinement.d/all.service.json");
        ck_assert_str_eq(x->shadowed.items[1], "/usr/local/lib/confinement.d/all.service.json");
        ck_assert_str_eq(x->shadowed.items[2], "/usr/lib/confinement.d/all.service.json");

        x = find(&e, "lib.service.json");
        ck_assert_str_eq(x->path, "/usr/local/lib/confinement.d/lib.service.json");
        ck_assert_uint_eq(x->shadowed.n, 1);
        ck_assert_str_eq(x->shadowed.items[0], "/usr/lib/confinement.d/lib.service.json");

        x = find(&e, "run.service.json");
        ck_assert_str_eq(x->path, "/run/confinement.d/run.service.json");
        ck_assert_uint_eq(x->shadowed.n, 1);

        x = find(&e, "usr.service.json");
        ck_assert_str_eq(x->path, "/usr/lib/confinement.d/usr.service.json");
        ck_assert_uint_eq(x->shadowed.n, 0);
}
END_TEST

START_TEST(test_mask_dev_null) {
        _cleanup_(spec_entries_done) SpecEntries e = {};
        const SpecEntry *x;

        test_symlink(test_root, "/etc/confinement.d/foo.service.json", "/dev/null");
        test_write_file(test_root, "/usr/lib/confinement.d/foo.service.json", SPEC);
        /* A mask later than the file it would mask masks nothing. */
        test_write_file(test_root, "/etc/confinement.d/bar.service.json", SPEC);
        test_symlink(test_root, "/run/confinement.d/bar.service.json", "/dev/null");
        /* A mask with nothing to mask is still a mask. */
        test_symlink(test_root, "/run/confinement.d/baz.service.json", "/dev/null");

        enumerate(&e);
        ck_assert_uint_eq(e.n, 3);
        x = find(&e, "foo.service.json");
        ck_assert(x->masked);
        ck_assert_ptr_null(x->distrust);
        ck_assert_str_eq(x->path, "/etc/confinement.d/foo.service.json");
        ck_assert_uint_eq(x->shadowed.n, 1);
        ck_assert_str_eq(x->shadowed.items[0], "/usr/lib/confinement.d/foo.service.json");
        x = find(&e, "bar.service.json");
        ck_assert(!x->masked);
        ck_assert_str_eq(x->path, "/etc/confinement.d/bar.service.json");
        ck_assert(find(&e, "baz.service.json")->masked);
}
END_TEST

START_TEST(test_mask_empty_file) {
        _cleanup_(spec_entries_done) SpecEntries e = {};
        const SpecEntry *x;

        test_write_file(test_root, "/run/confinement.d/foo.service.json", "");
        test_write_file(test_root, "/usr/lib/confinement.d/foo.service.json", SPEC);
        /* One byte is not empty: a spec (a bad one). */
        test_write_file(test_root, "/run/confinement.d/nl.service.json", "\n");

        enumerate(&e);
        x = find(&e, "foo.service.json");
        ck_assert(x->masked);
        ck_assert_ptr_null(x->distrust);
        ck_assert_str_eq(x->path, "/run/confinement.d/foo.service.json");
        ck_assert(!find(&e, "nl.service.json")->masked);
}
END_TEST

START_TEST(test_not_masked_by_other_links) {
        _cleanup_(spec_entries_done) SpecEntries e = {};

        /* A symlink to a spec is a spec, and only "/dev/null" by name masks. */
        test_write_file(test_root, "/usr/share/specs/foo.json", SPEC);
        test_symlink(test_root, "/etc/confinement.d/foo.service.json", "../../usr/share/specs/foo.json");
        test_symlink(test_root, "/etc/confinement.d/null.service.json", "/dev/null/");
        enumerate(&e);
        ck_assert(!find(&e, "foo.service.json")->masked);
        ck_assert(!find(&e, "null.service.json")->masked);
}
END_TEST

START_TEST(test_only_json) {
        _cleanup_(spec_entries_done) SpecEntries e = {};
        static const char *const ignored[] = {
                "foo.service", "foo.service.json~", "foo.service.json.bak", "foo.json.orig", "README",
                ".hidden.service.json", ".json", "json", "foo.JSON",
        };

        for (size_t i = 0; i < ELEMENTSOF(ignored); i++) {
                _cleanup_free_ char *p = NULL;
                ck_assert_int_ge(asprintf(&p, "/etc/confinement.d/%s", ignored[i]), 0);
                test_write_file(test_root, p, SPEC);
        }
        test_write_file(test_root, "/etc/confinement.d/foo.service.json", SPEC);
        /* Any *.json is listed; whether its name is a unit is for the caller. */
        test_write_file(test_root, "/etc/confinement.d/foo.json", SPEC);

        enumerate(&e);
        ck_assert_uint_eq(e.n, 2);
        ck_assert_str_eq(e.entries[0].name, "foo.json");
        ck_assert_str_eq(e.entries[1].name, "foo.service.json");
}
END_TEST

START_TEST(test_sorted) {
        _cleanup_(spec_entries_done) SpecEntries e = {};
        static const char *const names[] = {
                "z.service.json", "a@.service.json", "a@b.service.json", "m.service.json", "a.service.json",
                "B.service.json", "a-b.service.json",
        };
        static const char *const sorted[] = {
                "B.service.json", "a-b.service.json", "a.service.json", "a@.service.json", "a@b.service.json",
                "m.service.json", "z.service.json",
        };

        /* Spread over the directories, so that no one readdir() order helps. */
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                _cleanup_free_ char *p = NULL;
                ck_assert_int_ge(asprintf(&p, "%s/%s", spec_dirs[i % 4], names[i]), 0);
                test_write_file(test_root, p, SPEC);
        }
        enumerate(&e);
        ck_assert_uint_eq(e.n, ELEMENTSOF(sorted));
        for (size_t i = 0; i < e.n; i++)
                ck_assert_str_eq(e.entries[i].name, sorted[i]);
}
END_TEST

START_TEST(test_unreadable_dir_skipped) {
        _cleanup_(spec_entries_done) SpecEntries e = {};

        /* /etc/confinement.d is a file: logged and skipped, the others read. */
        test_write_file(test_root, "/etc/confinement.d", "not a directory");
        test_write_file(test_root, "/usr/lib/confinement.d/foo.service.json", SPEC);
        enumerate(&e);
        ck_assert_uint_eq(e.n, 1);
        ck_assert_str_eq(e.entries[0].path, "/usr/lib/confinement.d/foo.service.json");
}
END_TEST

START_TEST(test_distrust) {
        _cleanup_(spec_entries_done) SpecEntries e = {};
        const SpecEntry *x;

        /* A directory anyone can write to: its entries, masks included,
         * carry the reason, so that their units fail closed. */
        test_write_file(test_root, "/run/confinement.d/foo.service.json", SPEC);
        test_write_file(test_root, "/run/confinement.d/empty.service.json", "");
        test_chmod(test_root, "/run/confinement.d", 0777);
        /* A mask file anyone can write to, in a trusted directory. */
        test_write_file(test_root, "/etc/confinement.d/mask.service.json", "");
        test_chmod(test_root, "/etc/confinement.d/mask.service.json", 0666);
        /* A spec file anyone can write to is refused when loaded, not here. */
        test_write_file(test_root, "/etc/confinement.d/spec.service.json", SPEC);
        test_chmod(test_root, "/etc/confinement.d/spec.service.json", 0666);

        enumerate(&e);
        ck_assert_uint_eq(e.n, 4);
        x = find(&e, "foo.service.json");
        ck_assert_ptr_nonnull(x->distrust);
        ck_assert_str_eq(x->distrust, "/run/confinement.d is writable by anyone (mode 0777)");
        x = find(&e, "empty.service.json");
        ck_assert(x->masked);
        ck_assert_ptr_nonnull(x->distrust);
        x = find(&e, "mask.service.json");
        ck_assert(x->masked);
        ck_assert_ptr_nonnull(x->distrust);
        ck_assert_str_eq(x->distrust, "/etc/confinement.d/mask.service.json is writable by anyone (mode 0666)");
        x = find(&e, "spec.service.json");
        ck_assert(!x->masked);
        ck_assert_ptr_null(x->distrust);
}
END_TEST

START_TEST(test_done) {
        SpecEntries e = {};

        test_write_file(test_root, "/etc/confinement.d/foo.service.json", SPEC);
        enumerate(&e);
        spec_entries_done(&e);
        ck_assert_ptr_null(e.entries);
        ck_assert_uint_eq(e.n, 0);
        spec_entries_done(&e);
}
END_TEST

static Suite *spec_dirs_suite(void) {
        Suite *s = suite_create("spec-dirs");
        TCase *tc = test_tcase_new("spec_dirs_enumerate", true);

        tcase_add_test(tc, test_dirs);
        tcase_add_test(tc, test_none);
        tcase_add_test(tc, test_precedence);
        tcase_add_test(tc, test_mask_dev_null);
        tcase_add_test(tc, test_mask_empty_file);
        tcase_add_test(tc, test_not_masked_by_other_links);
        tcase_add_test(tc, test_only_json);
        tcase_add_test(tc, test_sorted);
        tcase_add_test(tc, test_unreadable_dir_skipped);
        tcase_add_test(tc, test_distrust);
        tcase_add_test(tc, test_done);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return test_run_suite(spec_dirs_suite());
}
