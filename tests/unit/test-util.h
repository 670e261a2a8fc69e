/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What every unit test needs and nothing more: a temporary root under /tmp
 * for the test case, files written into it, files read back, and a main()
 * that runs one suite with quiet logging. Every helper asserts, so that a
 * test never goes on from a half-built fixture. */

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "macro.h"
#include "root.h"

/* The temporary root of the running test, created by test_root_setup() and
 * removed with everything under it by test_root_teardown(): add both as a
 * checked fixture (test_tcase_new(..., true) does). */
extern char *test_root;
void test_root_setup(void);
void test_root_teardown(void);

/* A Root (root.h) for root (NULL: the host), new at each call so that it
 * looks at the files as they are now; released when the test ends. */
Root *test_fs(const char *root);

/* A new empty directory in the run's directory under /tmp (removed with
 * everything in it when the run ends); test_tmpdir_remove() removes it
 * earlier, with its contents, and frees the name. */
char *test_tmpdir_new(void);
void test_tmpdir_remove(char *dir);

/* root+path (root NULL: path as it is); never NULL. */
char *test_path(const char *root, const char *path);

/* Below root (NULL: none), with missing parent directories created. */
void test_mkdir_p(const char *root, const char *path);
void test_write_file(const char *root, const char *path, const char *content);
void test_write_file_n(const char *root, const char *path, const void *content, size_t size);
void test_symlink(const char *root, const char *path, const char *target);
void test_chmod(const char *root, const char *path, mode_t mode);

/* The contents of root+path, NUL-terminated; NULL when it does not exist. */
char *test_read_file(const char *root, const char *path);
/* Whether root+path exists (as lstat sees it). */
bool test_exists(const char *root, const char *path);
/* The names in root+dir, sorted, joined by " " ("" when empty). */
char *test_list_dir(const char *root, const char *dir);

/* A store path: a directory holding bin/NAME (NAME the part after the
 * hash), so that binSh and extra binds have something to point at. */
void test_store_path(const char *root, const char *store_path);

/* Whether text holds line as a whole line; how many lines start with prefix. */
bool test_has_line(const char *text, const char *line);
size_t test_count_lines_with_prefix(const char *text, const char *prefix);

/* What a render function writes to a stream, as a string. */
typedef int (*TestRenderFunc)(FILE *f, const void *userdata);
char *test_render(TestRenderFunc render, const void *userdata, int expected_r);

/* For a check that cannot run here (no root, no mount rights): says why on
 * stderr and marks the run, so that test_run_suite() returns 77 (meson's
 * skip) unless a test failed: a test that could not check never passes.
 * The calling test should return right after. */
void test_skip(const char *fmt, ...) _printf_(1, 2);

/* A new tmpfs of the test's own, mounted in a mount namespace of the
 * test process (so that trusted.* attributes and the like always work),
 * or NULL after test_skip() when that cannot be done (not root, no
 * CAP_SYS_ADMIN). test_tmpfs_remove() unmounts and removes it. */
char *test_tmpfs_new(void);
void test_tmpfs_remove(char *dir);

/* A test case with a generous timeout (valgrind is slow), and with
 * test_root as a checked fixture when with_root is set. */
TCase *test_tcase_new(const char *name, bool with_root);

/* main(): logs to stderr only (never /dev/kmsg), at SYSTEMD_LOG_LEVEL or
 * else quietly, with umask 022 and no unit path from the environment;
 * runs s (each test forked, except under valgrind) in a temporary
 * directory of its own, removes that, and returns the exit status. */
int test_run_suite(Suite *s);
