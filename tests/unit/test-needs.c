/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "needs.h"
#include "path-util.h"
#include "test-util.h"

START_TEST(test_names) {
        static const char *const names[_NEED_MAX] = { "dns", "tls", "users", "time", "locale", "journal", "dbus" };

        for (NeedId id = 0; id < _NEED_MAX; id++) {
                _cleanup_free_ char *origin = NULL;

                ck_assert_str_eq(need_to_string(id), names[id]);
                ck_assert_int_eq(need_from_string(names[id]), (int) id);
                ck_assert_int_ge(asprintf(&origin, "need:%s", names[id]), 0);
                ck_assert_str_eq(need_origin_string(id), origin);
                ck_assert_ptr_nonnull(strstr(need_names_expected(), names[id]));
        }
        ck_assert_ptr_null(need_to_string(_NEED_MAX));
        ck_assert_ptr_null(need_origin_string(_NEED_MAX));
        ck_assert_int_eq(need_from_string("-dns"), -EINVAL);
        ck_assert_int_eq(need_from_string("DNS"), -EINVAL);
        ck_assert_int_eq(need_from_string(""), -EINVAL);
}
END_TEST

/* Every member an absolute, normalized path the drop-in can carry, none
 * twice in a need, and each need with a required member (or, for locale,
 * none required: what exists differs on every distribution). */
START_TEST(test_members) {
        size_t n = 0;

        for (NeedId id = 0; id < _NEED_MAX; id++) {
                const NeedMember *m = need_members(id, &n);
                bool required = false;

                ck_assert_ptr_nonnull(m);
                ck_assert_uint_gt(n, 0);
                for (size_t i = 0; i < n; i++) {
                        const char *why;

                        ck_assert_msg(path_check_safe(m[i].path, &why) == 0, "%s: %s", m[i].path, why);
                        required = required || !m[i].optional;
                        for (size_t j = 0; j < i; j++)
                                ck_assert_str_ne(m[i].path, m[j].path);
                }
                ck_assert_msg(required || id == NEED_LOCALE, "need %s has no required member", need_to_string(id));
        }
        ck_assert_ptr_null(need_members(_NEED_MAX, &n));
}
END_TEST

START_TEST(test_set) {
        NeedSet s = { .mask = 1u << NEED_DNS | 1u << NEED_TLS, .optional_mask = 1u << NEED_TLS };

        ck_assert(need_set_has(&s, NEED_DNS));
        ck_assert(!need_set_optional(&s, NEED_DNS));
        ck_assert(need_set_has(&s, NEED_TLS));
        ck_assert(need_set_optional(&s, NEED_TLS));
        ck_assert(!need_set_has(&s, NEED_DBUS));
}
END_TEST

static Suite *needs_suite(void) {
        Suite *s = suite_create("needs");
        TCase *tc = test_tcase_new("table", false);

        tcase_add_test(tc, test_names);
        tcase_add_test(tc, test_members);
        tcase_add_test(tc, test_set);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return test_run_suite(needs_suite());
}
