/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "test-util.h"

/* stderr into a file while a test looks at what is logged. */
static int saved_stderr = -1;
static char *captured = NULL;

static void capture_start(void) {
        int fd;

        fflush(stderr);
        free(captured);
        captured = test_path(test_root, "/stderr");
        fd = open(captured, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        ck_assert_int_ge(fd, 0);
        saved_stderr = dup(STDERR_FILENO);
        ck_assert_int_ge(saved_stderr, 0);
        ck_assert_int_ge(dup2(fd, STDERR_FILENO), 0);
        close(fd);
}

/* Restores stderr; returns what was written (to free). */
static char *capture_end(void) {
        fflush(stderr);
        ck_assert_int_ge(dup2(saved_stderr, STDERR_FILENO), 0);
        close(saved_stderr);
        saved_stderr = -1;
        return test_read_file(test_root, "/stderr");
}

static int saved_level;

static void setup(void) {
        test_root_setup();
        saved_level = log_get_max_level();
}

static void teardown(void) {
        if (saved_stderr >= 0) {
                dup2(saved_stderr, STDERR_FILENO);
                close(saved_stderr);
                saved_stderr = -1;
        }
        free(captured);
        captured = NULL;
        log_set_max_level(saved_level);
        log_setup(NULL, LOG_TARGET_CONSOLE);
        test_root_teardown();
}

START_TEST(test_level_from_string) {
        ck_assert_int_eq(log_level_from_string("emerg"), LOG_EMERG);
        ck_assert_int_eq(log_level_from_string("alert"), LOG_ALERT);
        ck_assert_int_eq(log_level_from_string("crit"), LOG_CRIT);
        ck_assert_int_eq(log_level_from_string("err"), LOG_ERR);
        ck_assert_int_eq(log_level_from_string("error"), LOG_ERR);
        ck_assert_int_eq(log_level_from_string("warning"), LOG_WARNING);
        ck_assert_int_eq(log_level_from_string("notice"), LOG_NOTICE);
        ck_assert_int_eq(log_level_from_string("info"), LOG_INFO);
        ck_assert_int_eq(log_level_from_string("DEBUG"), LOG_DEBUG);
        ck_assert_int_eq(log_level_from_string("0"), 0);
        ck_assert_int_eq(log_level_from_string("7"), 7);
        ck_assert_int_eq(log_level_from_string("8"), -EINVAL);
        ck_assert_int_eq(log_level_from_string("77"), -EINVAL);
        ck_assert_int_eq(log_level_from_string("-1"), -EINVAL);
        ck_assert_int_eq(log_level_from_string("verbose"), -EINVAL);
        ck_assert_int_eq(log_level_from_string(""), -EINVAL);
        ck_assert_int_eq(log_level_from_string(NULL), -EINVAL);
}
END_TEST

START_TEST(test_console) {
        _cleanup_free_ char *out = NULL;

        log_setup(NULL, LOG_TARGET_CONSOLE);
        log_set_max_level(LOG_INFO);
        capture_start();
        ck_assert_int_eq(log_error("one %d", 1), 0);
        ck_assert_int_eq(log_info("two"), 0);
        ck_assert_int_eq(log_debug("not shown"), 0);
        ck_assert_int_eq(log_error_errno(ENOENT, "three: %m"), -ENOENT);
        ck_assert_int_eq(log_warning_errno(-EACCES, "four: %m"), -EACCES);
        ck_assert_int_eq(log_debug_errno(EPERM, "not shown: %m"), -EPERM);
        ck_assert_int_eq(log_oom(), -ENOMEM);
        out = capture_end();
        ck_assert_str_eq(out, "one 1\ntwo\nthree: No such file or directory\nfour: Permission denied\n"
                              "Out of memory.\n");
}
END_TEST

/* In a service whose stderr is the journal stream ($JOURNAL_STREAM names
 * it), stderr with the level. */
START_TEST(test_journal_stream) {
        _cleanup_free_ char *out = NULL;

        struct stat st;
        char stream[64];

        capture_start();
        ck_assert_int_eq(fstat(STDERR_FILENO, &st), 0);
        snprintf(stream, sizeof stream, "%llu:%llu", (unsigned long long) st.st_dev,
                 (unsigned long long) st.st_ino);
        ck_assert_int_eq(setenv("JOURNAL_STREAM", stream, 1), 0);
        log_setup(NULL, LOG_TARGET_AUTO);
        log_set_max_level(LOG_INFO);
        ck_assert_int_eq(log_error_errno(ENOENT, "one: %m"), -ENOENT);
        ck_assert_int_eq(log_info("two"), 0);
        log_close();
        ck_assert_int_eq(log_warning("three"), 0);
        out = capture_end();
        ck_assert_int_eq(unsetenv("JOURNAL_STREAM"), 0);
        ck_assert_str_eq(out, "<3>one: No such file or directory\n<6>two\nthree\n");
}
END_TEST

START_TEST(test_errno_kept) {
        _cleanup_free_ char *out = NULL;

        log_set_max_level(LOG_DEBUG);
        capture_start();
        errno = EXDEV;
        log_error_errno(ENOENT, "x: %m");
        ck_assert_int_eq(errno, EXDEV);
        out = capture_end();
        ck_assert_str_eq(out, "x: No such file or directory\n");
}
END_TEST

START_TEST(test_max_level) {
        log_set_max_level(LOG_WARNING);
        ck_assert_int_eq(log_get_max_level(), LOG_WARNING);
        log_set_max_level(LOG_DEBUG);
        ck_assert_int_eq(log_get_max_level(), LOG_DEBUG);
}
END_TEST

START_TEST(test_parse_environment) {
        /* Only the console target is tried here: never /dev/kmsg. */
        const char *old_level = getenv("SYSTEMD_LOG_LEVEL"), *old_target = getenv("SYSTEMD_LOG_TARGET");
        _cleanup_free_ char *saved_level_env = old_level ? strdup(old_level) : NULL;
        _cleanup_free_ char *saved_target_env = old_target ? strdup(old_target) : NULL;
        _cleanup_free_ char *out = NULL;

        setenv("SYSTEMD_LOG_TARGET", "console", 1);
        setenv("SYSTEMD_LOG_LEVEL", "debug", 1);
        log_parse_environment();
        ck_assert_int_eq(log_get_max_level(), LOG_DEBUG);
        setenv("SYSTEMD_LOG_LEVEL", "3", 1);
        log_parse_environment();
        ck_assert_int_eq(log_get_max_level(), LOG_ERR);

        /* Unknown values are logged and ignored. */
        capture_start();
        setenv("SYSTEMD_LOG_LEVEL", "loud", 1);
        setenv("SYSTEMD_LOG_TARGET", "journal", 1);
        log_set_max_level(LOG_WARNING);
        log_parse_environment();
        out = capture_end();
        ck_assert_int_eq(log_get_max_level(), LOG_WARNING);
        ck_assert_str_eq(out, "Unrecognised SYSTEMD_LOG_TARGET=journal, ignoring.\n"
                              "Unrecognised SYSTEMD_LOG_LEVEL=loud, ignoring.\n");

        if (saved_level_env)
                setenv("SYSTEMD_LOG_LEVEL", saved_level_env, 1);
        else
                unsetenv("SYSTEMD_LOG_LEVEL");
        if (saved_target_env)
                setenv("SYSTEMD_LOG_TARGET", saved_target_env, 1);
        else
                unsetenv("SYSTEMD_LOG_TARGET");
}
END_TEST

static Suite *log_suite(void) {
        Suite *s = suite_create("log");
        TCase *tc = test_tcase_new("log", false);

        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_level_from_string);
        tcase_add_test(tc, test_console);
        tcase_add_test(tc, test_journal_stream);
        tcase_add_test(tc, test_errno_kept);
        tcase_add_test(tc, test_max_level);
        tcase_add_test(tc, test_parse_environment);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return test_run_suite(log_suite());
}
