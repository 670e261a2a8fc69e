/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>

#include "spec-entry.h"
#include "test-util.h"

#define E(n) { .name = (char *) (n), .path = (char *) "/etc/confinement.d/" n }

START_TEST(test_spec_entry_unit) {
        static const struct {
                const char *name, *unit;
        } v[] = {
                { "foo.service.json", "foo.service" },
                { "foo@.service.json", "foo@.service" },
                { "foo@bar.service.json", "foo@bar.service" },
                { "foo.json", NULL },
                { "foo.socket.json", NULL },
                { "@.service.json", NULL },
                { "foo bar.service.json", NULL },
                { ".json", NULL },
        };

        for (size_t i = 0; i < ELEMENTSOF(v); i++) {
                SpecEntry e = { .name = (char *) v[i].name };
                const char *why = NULL;
                _cleanup_free_ char *unit = NULL;
                int r = spec_entry_unit(&e, &unit, &why);

                if (v[i].unit) {
                        ck_assert_int_eq(r, 0);
                        ck_assert_str_eq(unit, v[i].unit);
                } else {
                        ck_assert_int_eq(r, -EINVAL);
                        ck_assert_msg(!unit, "%s gave %s", v[i].name, unit);
                        ck_assert_ptr_nonnull(why);
                }
        }
}
END_TEST

START_TEST(test_find_for_unit) {
        SpecEntry entries[] = {
                E("foo.service.json"), E("web@.service.json"), E("web@red.service.json"), E("db@.service.json"),
        };
        SpecEntries e = { .entries = entries, .n = ELEMENTSOF(entries) };

        ck_assert_ptr_eq(spec_entries_find_for_unit(&e, "foo.service"), &entries[0]);
        /* An instance: its own spec, else its template's. */
        ck_assert_ptr_eq(spec_entries_find_for_unit(&e, "web@red.service"), &entries[2]);
        ck_assert_ptr_eq(spec_entries_find_for_unit(&e, "web@blue.service"), &entries[1]);
        ck_assert_ptr_eq(spec_entries_find_for_unit(&e, "web@.service"), &entries[1]);
        ck_assert_ptr_eq(spec_entries_find_for_unit(&e, "db@x.service"), &entries[3]);
        ck_assert_ptr_null(spec_entries_find_for_unit(&e, "bar.service"));
        ck_assert_ptr_null(spec_entries_find_for_unit(&e, "foo@x.service"));
        ck_assert_ptr_null(spec_entries_find_for_unit(&e, "web.service"));
}
END_TEST

static Suite *spec_entry_suite(void) {
        Suite *s = suite_create("spec-entry");
        TCase *tc = test_tcase_new("names", false);

        tcase_add_test(tc, test_spec_entry_unit);
        tcase_add_test(tc, test_find_for_unit);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return test_run_suite(spec_entry_suite());
}
