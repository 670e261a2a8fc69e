/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "unit-name.h"
#include "test-util.h"

static void assert_kind(const char *name, UnitNameKind expected) {
        UnitNameKind kind = (UnitNameKind) -1;
        const char *why = NULL;

        ck_assert_msg(unit_name_classify_service(name, &kind, &why) == 0, "%s refused: %s", name, strempty(why));
        ck_assert_int_eq(kind, expected);
        /* Neither output is required. */
        ck_assert_int_eq(unit_name_classify_service(name, NULL, NULL), 0);
}

static void assert_invalid(const char *name, const char *expected_reason) {
        UnitNameKind kind = UNIT_NAME_INSTANCE;
        const char *why = NULL;

        ck_assert_int_eq(unit_name_classify_service(name, &kind, &why), -EINVAL);
        ck_assert_ptr_nonnull(why);
        ck_assert_str_eq(why, expected_reason);
        ck_assert_int_eq(kind, UNIT_NAME_INSTANCE); /* untouched on failure */
        ck_assert_int_eq(unit_name_classify_service(name, NULL, NULL), -EINVAL);
}

START_TEST(test_plain) {
        assert_kind("foo.service", UNIT_NAME_PLAIN);
        assert_kind("a.service", UNIT_NAME_PLAIN);
        assert_kind("systemd-journald.service", UNIT_NAME_PLAIN);
        assert_kind("foo.bar.service", UNIT_NAME_PLAIN);
        assert_kind("foo_bar:baz.service", UNIT_NAME_PLAIN);
        assert_kind("dev-disk-by\\x2dlabel.service", UNIT_NAME_PLAIN);
        assert_kind("-.service", UNIT_NAME_PLAIN);
}
END_TEST

START_TEST(test_template) {
        assert_kind("foo@.service", UNIT_NAME_TEMPLATE);
        assert_kind("getty@.service", UNIT_NAME_TEMPLATE);
        assert_kind("a.b-c@.service", UNIT_NAME_TEMPLATE);
}
END_TEST

START_TEST(test_instance) {
        assert_kind("foo@bar.service", UNIT_NAME_INSTANCE);
        assert_kind("getty@tty1.service", UNIT_NAME_INSTANCE);
        assert_kind("web@a\\x20b.service", UNIT_NAME_INSTANCE);
        /* systemd allows "@" in the instance. */
        assert_kind("foo@bar@baz.service", UNIT_NAME_INSTANCE);
        assert_kind("foo@@.service", UNIT_NAME_INSTANCE);
}
END_TEST

START_TEST(test_invalid) {
        assert_invalid("", "is not a service unit name (\"NAME.service\")");
        assert_invalid(".service", "is not a service unit name (\"NAME.service\")");
        assert_invalid("service", "is not a service unit name (\"NAME.service\")");
        assert_invalid("foo", "is not a service unit name (\"NAME.service\")");
        assert_invalid("foo.socket", "is not a service unit name (\"NAME.service\")");
        assert_invalid("foo.timer", "is not a service unit name (\"NAME.service\")");
        assert_invalid("foo.service.d", "is not a service unit name (\"NAME.service\")");
        assert_invalid("foo.servicex", "is not a service unit name (\"NAME.service\")");
        assert_invalid("foo.Service", "is not a service unit name (\"NAME.service\")");
        assert_invalid("@.service", "has an empty name before \"@\"");
        assert_invalid("@foo.service", "has an empty name before \"@\"");
        assert_invalid("foo bar.service", "contains characters not allowed in unit names");
        assert_invalid("foo/bar.service", "contains characters not allowed in unit names");
        assert_invalid("f\xc3\xb6o.service", "contains characters not allowed in unit names");
        assert_invalid("foo%.service", "contains characters not allowed in unit names");
        assert_invalid("fo\to.service", "contains characters not allowed in unit names");
        assert_invalid("foo*@.service", "contains characters not allowed in unit names");
        assert_invalid("foo@b r.service", "contains characters not allowed in unit names");
        assert_invalid("foo@b/r.service", "contains characters not allowed in unit names");
}
END_TEST

START_TEST(test_length) {
        char name[UNIT_NAME_MAX + 2];
        const size_t suffix = strlen(".service");

        /* 255 characters is the most systemd allows (UNIT_NAME_MAX there is 256, with the NUL). */
        memset(name, 'a', UNIT_NAME_MAX - suffix);
        strcpy(name + UNIT_NAME_MAX - suffix, ".service");
        ck_assert_uint_eq(strlen(name), 255);
        assert_kind(name, UNIT_NAME_PLAIN);

        memset(name, 'a', UNIT_NAME_MAX + 1 - suffix);
        strcpy(name + UNIT_NAME_MAX + 1 - suffix, ".service");
        ck_assert_uint_eq(strlen(name), 256);
        assert_invalid(name, "is longer than 255 characters");

        /* The same limit for an instance and a template. */
        memset(name, 'a', UNIT_NAME_MAX - suffix);
        name[10] = '@';
        strcpy(name + UNIT_NAME_MAX - suffix, ".service");
        assert_kind(name, UNIT_NAME_INSTANCE);
        name[10] = 'a';
        name[UNIT_NAME_MAX - suffix - 1] = '@';
        assert_kind(name, UNIT_NAME_TEMPLATE);
        memmove(name + 1, name, UNIT_NAME_MAX + 1);
        assert_invalid(name, "is longer than 255 characters");
}
END_TEST

/* Each expected name is what "systemd-escape --path --suffix=mount PATH"
 * prints (systemd 252). */
static const struct {
        const char *path;
        const char *expected;
} from_path_vectors[] = {
        { "/run/confinement-view/nix/store", "run-confinement\\x2dview-nix-store.mount" },
        { "/run/confinement-view/gnu/store", "run-confinement\\x2dview-gnu-store.mount" },
        { "/", "-.mount" },
        { "/nix", "nix.mount" },
        { "/run/foo bar", "run-foo\\x20bar.mount" },
        { "/run/tab\tx", "run-tab\\x09x.mount" },
        { "/.hidden", "\\x2ehidden.mount" },
        { "/run/.hidden", "run-.hidden.mount" },
        { "/run/\xc3\xbcn\xc3\xaf", "run-\\xc3\\xbcn\\xc3\\xaf.mount" },
        { "/run/a:b", "run-a:b.mount" },
        { "/run/a_b.c", "run-a_b.c.mount" },
        { "/run/a@b", "run-a\\x40b.mount" },
        { "/run/x%y", "run-x\\x25y.mount" },
        { "/run/a\\b", "run-a\\x5cb.mount" },
        { "/run/a+b=c", "run-a\\x2bb\\x3dc.mount" },
        { "/var/lib/my-app/data", "var-lib-my\\x2dapp-data.mount" },
};

START_TEST(test_from_path) {
        _cleanup_free_ char *name = unit_name_from_path(from_path_vectors[_i].path, ".mount");

        ck_assert_ptr_nonnull(name);
        ck_assert_str_eq(name, from_path_vectors[_i].expected);
}
END_TEST

START_TEST(test_from_path_suffix) {
        _cleanup_free_ char *a = unit_name_from_path("/run/foo", ".automount");
        _cleanup_free_ char *b = unit_name_from_path("/run/foo", "");

        ck_assert_str_eq(a, "run-foo.automount");
        ck_assert_str_eq(b, "run-foo");
}
END_TEST

static Suite *unit_name_suite(void) {
        Suite *s = suite_create("unit-name");
        TCase *tc;

        tc = test_tcase_new("classify", false);
        tcase_add_test(tc, test_plain);
        tcase_add_test(tc, test_template);
        tcase_add_test(tc, test_instance);
        tcase_add_test(tc, test_invalid);
        tcase_add_test(tc, test_length);
        suite_add_tcase(s, tc);

        tc = test_tcase_new("from_path", false);
        tcase_add_loop_test(tc, test_from_path, 0, ELEMENTSOF(from_path_vectors));
        tcase_add_test(tc, test_from_path_suffix);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return test_run_suite(unit_name_suite());
}
