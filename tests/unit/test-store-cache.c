/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "store-cache.h"
#include "test-util.h"

static StoreEntryType lookup(StoreCache *c, const char *store_dir, const char *name) {
        StoreEntryType t = (StoreEntryType) -1;

        ck_assert_int_eq(store_cache_lookup(c, store_dir, name, &t), 0);
        return t;
}

START_TEST(test_lookup) {
        _cleanup_(store_cache_done) StoreCache c = STORE_CACHE_INIT(test_fs(test_root));

        test_mkdir_p(test_root, "/nix/store/aaa-dir");
        test_write_file(test_root, "/nix/store/bbb-file", "x");
        test_symlink(test_root, "/nix/store/ccc-link", "aaa-dir");
        test_symlink(test_root, "/nix/store/ddd-dangling", "/nowhere");

        ck_assert_int_eq(lookup(&c, "/nix/store", "aaa-dir"), STORE_ENTRY_OTHER);
        ck_assert_int_eq(lookup(&c, "/nix/store", "bbb-file"), STORE_ENTRY_OTHER);
        ck_assert_int_eq(lookup(&c, "/nix/store", "ccc-link"), STORE_ENTRY_SYMLINK);
        ck_assert_int_eq(lookup(&c, "/nix/store", "ddd-dangling"), STORE_ENTRY_SYMLINK);
        ck_assert_int_eq(lookup(&c, "/nix/store", "eee-missing"), STORE_ENTRY_MISSING);
        ck_assert_uint_eq(c.n_dirs, 1);
}
END_TEST

START_TEST(test_answers_kept) {
        _cleanup_(store_cache_done) StoreCache c = STORE_CACHE_INIT(test_fs(test_root));

        test_mkdir_p(test_root, "/nix/store/aaa-dir");
        ck_assert_int_eq(lookup(&c, "/nix/store", "aaa-dir"), STORE_ENTRY_OTHER);
        ck_assert_int_eq(lookup(&c, "/nix/store", "bbb-late"), STORE_ENTRY_MISSING);
        /* Asked once per run: later changes are not seen. */
        test_mkdir_p(test_root, "/nix/store/bbb-late");
        ck_assert_int_eq(lookup(&c, "/nix/store", "bbb-late"), STORE_ENTRY_MISSING);
}
END_TEST

START_TEST(test_several_store_dirs) {
        _cleanup_(store_cache_done) StoreCache c = STORE_CACHE_INIT(test_fs(test_root));

        test_mkdir_p(test_root, "/nix/store/aaa-x");
        test_mkdir_p(test_root, "/gnu/store/aaa-x");
        test_symlink(test_root, "/gnu/store/bbb-y", "aaa-x");
        ck_assert_int_eq(lookup(&c, "/nix/store", "aaa-x"), STORE_ENTRY_OTHER);
        ck_assert_int_eq(lookup(&c, "/gnu/store", "bbb-y"), STORE_ENTRY_SYMLINK);
        ck_assert_int_eq(lookup(&c, "/nix/store", "bbb-y"), STORE_ENTRY_MISSING);
        ck_assert_uint_eq(c.n_dirs, 2);
}
END_TEST

START_TEST(test_store_dir_symlink) {
        _cleanup_(store_cache_done) StoreCache c = STORE_CACHE_INIT(test_fs(test_root));

        /* The store directory itself is resolved under the root. */
        test_mkdir_p(test_root, "/data/store/aaa-x");
        test_symlink(test_root, "/nix/store", "/data/store");
        ck_assert_int_eq(lookup(&c, "/nix/store", "aaa-x"), STORE_ENTRY_OTHER);
}
END_TEST

START_TEST(test_store_dir_missing) {
        _cleanup_(store_cache_done) StoreCache c = STORE_CACHE_INIT(test_fs(test_root));
        StoreEntryType t;

        ck_assert_int_eq(store_cache_lookup(&c, "/nix/store", "aaa-x", &t), -ENOENT);
        test_write_file(test_root, "/gnu/store", "a file");
        ck_assert_int_eq(store_cache_lookup(&c, "/gnu/store", "aaa-x", &t), -ENOTDIR);
        ck_assert_uint_eq(c.n_dirs, 0);
}
END_TEST

START_TEST(test_list_after_many_questions) {
        _cleanup_(store_cache_done) StoreCache c = STORE_CACHE_INIT(test_fs(test_root));
        const unsigned n = STORE_CACHE_LIST_AFTER + 10;
        char name[32];

        /* Every other entry exists, every fourth is a link. */
        for (unsigned i = 0; i < n; i += 2) {
                _cleanup_free_ char *p = NULL;

                ck_assert_int_ge(asprintf(&p, "/nix/store/%05u-p", i), 0);
                if (i % 4 == 0)
                        test_mkdir_p(test_root, p);
                else
                        test_symlink(test_root, p, "elsewhere");
        }
        test_mkdir_p(test_root, "/nix/store/zzz-never-asked");

        /* Past STORE_CACHE_LIST_AFTER questions the store is listed; answers
         * stay the same before and after. */
        for (unsigned round = 0; round < 2; round++)
                for (unsigned i = 0; i < n; i++) {
                        StoreEntryType expected = i % 2 ? STORE_ENTRY_MISSING :
                                                  i % 4 == 0 ? STORE_ENTRY_OTHER : STORE_ENTRY_SYMLINK;
                        snprintf(name, sizeof name, "%05u-p", i);
                        ck_assert_int_eq(lookup(&c, "/nix/store", name), expected);
                }
        ck_assert_int_eq(lookup(&c, "/nix/store", "zzz-never-asked"), STORE_ENTRY_OTHER);
        ck_assert_int_eq(lookup(&c, "/nix/store", "zzz-missing"), STORE_ENTRY_MISSING);
}
END_TEST

/* ask FIRST..LAST-1 of a store made by make_store(), all found */
static void ask(StoreCache *c, unsigned first, unsigned last) {
        char name[32];

        for (unsigned i = first; i < last; i++) {
                snprintf(name, sizeof name, "%05u-p", i);
                ck_assert_int_eq(lookup(c, "/nix/store", name), STORE_ENTRY_OTHER);
        }
}

static void make_store(unsigned entries) {
        for (unsigned i = 0; i < entries; i++) {
                _cleanup_free_ char *p = NULL;

                ck_assert_int_ge(asprintf(&p, "/nix/store/%05u-p", i), 0);
                test_mkdir_p(test_root, p);
        }
}

START_TEST(test_large_store_asked_one_by_one) {
        _cleanup_(store_cache_done) StoreCache c = STORE_CACHE_INIT(test_fs(test_root));

        /* A store of 6 744 directories: listing it pays off only past a third
         * of them, so 2 148 questions are asked one by one. */
        make_store(3 * STORE_CACHE_LIST_AFTER + 600);
        ask(&c, 0, STORE_CACHE_LIST_AFTER + 100);
        /* Not listed: an entry made after the questions is still found. */
        test_mkdir_p(test_root, "/nix/store/zzz-made-late");
        ck_assert_int_eq(lookup(&c, "/nix/store", "zzz-made-late"), STORE_ENTRY_OTHER);
}
END_TEST

START_TEST(test_listed_when_specs_keep_adding) {
        _cleanup_(store_cache_done) StoreCache c = STORE_CACHE_INIT(test_fs(test_root));

        /* 6 744 entries: listing pays off past 2 248 questions. Each spec asks
         * about 300 new names; after the second, 300 more for each of the 10
         * specs left would pass that: listed before the third. */
        make_store(3 * STORE_CACHE_LIST_AFTER + 600);
        store_cache_next_spec(&c, 12);
        ask(&c, 0, 300);
        store_cache_next_spec(&c, 11);
        ask(&c, 300, 600);
        store_cache_next_spec(&c, 10);
        test_mkdir_p(test_root, "/nix/store/zzz-made-late");
        ck_assert_int_eq(lookup(&c, "/nix/store", "zzz-made-late"), STORE_ENTRY_MISSING);
        ask(&c, 600, 900);
}
END_TEST

START_TEST(test_not_listed_when_specs_share) {
        _cleanup_(store_cache_done) StoreCache c = STORE_CACHE_INIT(test_fs(test_root));

        /* The first spec's 1 000 names are all new, whatever the others ask;
         * the next ones ask about the same names: no listing. */
        make_store(3 * STORE_CACHE_LIST_AFTER + 600);
        for (unsigned spec = 0; spec < 10; spec++) {
                store_cache_next_spec(&c, 100 - spec);
                ask(&c, 0, 1000);
        }
        test_mkdir_p(test_root, "/nix/store/zzz-made-late");
        ck_assert_int_eq(lookup(&c, "/nix/store", "zzz-made-late"), STORE_ENTRY_OTHER);
}
END_TEST

START_TEST(test_done) {
        StoreCache c = STORE_CACHE_INIT(test_fs(test_root));

        test_mkdir_p(test_root, "/nix/store/aaa-x");
        ck_assert_int_eq(lookup(&c, "/nix/store", "aaa-x"), STORE_ENTRY_OTHER);
        store_cache_done(&c);
        ck_assert_uint_eq(c.n_dirs, 0);
        ck_assert_ptr_null(c.dirs);
        store_cache_done(&c);
}
END_TEST

static Suite *store_cache_suite(void) {
        Suite *s = suite_create("store-cache");
        TCase *tc = test_tcase_new("store_cache_lookup", true);

        tcase_add_test(tc, test_lookup);
        tcase_add_test(tc, test_answers_kept);
        tcase_add_test(tc, test_several_store_dirs);
        tcase_add_test(tc, test_store_dir_symlink);
        tcase_add_test(tc, test_store_dir_missing);
        tcase_add_test(tc, test_list_after_many_questions);
        tcase_add_test(tc, test_large_store_asked_one_by_one);
        tcase_add_test(tc, test_listed_when_specs_keep_adding);
        tcase_add_test(tc, test_not_listed_when_specs_share);
        tcase_add_test(tc, test_done);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return test_run_suite(store_cache_suite());
}
