/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <ftw.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#if HAVE_VALGRIND_VALGRIND_H
#include <valgrind/valgrind.h>
#endif

#include "alloc-util.h"
#include "log.h"
#include "path-util.h"
#include "test-util.h"

char *test_root = NULL;

/* Every temporary directory of a run lies in this one, which the runner
 * removes at the end: a test that fails in a forked child exits without
 * its teardown, and must not leave anything behind either. */
static char *test_base = NULL;

char *test_tmpdir_new(void) {
        char *dir = NULL;

        ck_assert_ptr_nonnull(test_base);
        ck_assert_int_ge(asprintf(&dir, "%s/root.XXXXXX", test_base), 0);
        ck_assert_msg(mkdtemp(dir), "mkdtemp: %m");
        /* mkdtemp() makes it 0700; the trust checks want no group or other
         * write access, which 0755 keeps. */
        ck_assert_int_eq(chmod(dir, 0755), 0);
        return dir;
}

static int remove_one(const char *path, _unused_ const struct stat *st, _unused_ int flag,
                      _unused_ struct FTW *ftw) {
        return remove(path) < 0 && errno != ENOENT ? -1 : 0;
}

static int remove_tree(const char *dir) {
        /* Only below the run's own directory: never anything else by mistake. */
        if (!test_base || strncmp(dir, test_base, strlen(test_base)) != 0 ||
            strncmp(test_base, "/tmp/confinement-test.", 22) != 0) {
                errno = EPERM;
                return -1;
        }
        return nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

void test_tmpdir_remove(char *dir) {
        if (!dir)
                return;
        ck_assert_msg(remove_tree(dir) == 0, "cannot remove %s: %m", dir);
        free(dir);
}

#define SKIPPED_MARK "skipped"

void test_skip(const char *fmt, ...) {
        _cleanup_free_ char *mark = NULL;
        va_list ap;
        int fd;

        fputs("SKIP: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        /* a file, not a variable: the test may run in a child of its own */
        ck_assert_ptr_nonnull(test_base);
        ck_assert_int_ge(asprintf(&mark, "%s/" SKIPPED_MARK, test_base), 0);
        fd = open(mark, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        ck_assert_msg(fd >= 0, "cannot create %s: %m", mark);
        close(fd);
}

char *test_tmpfs_new(void) {
        static bool unshared = false;
        char *dir;

        if (geteuid() != 0) {
                test_skip("needs root to mount a tmpfs of its own");
                return NULL;
        }
        if (!unshared) {
                if (unshare(CLONE_NEWNS) < 0) {
                        test_skip("cannot make a mount namespace: %m");
                        return NULL;
                }
                ck_assert_msg(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0, "cannot make / private: %m");
                unshared = true;
        }
        dir = test_tmpdir_new();
        ck_assert_msg(mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") == 0,
                      "cannot mount a tmpfs at %s: %m", dir);
        return dir;
}

void test_tmpfs_remove(char *dir) {
        if (!dir)
                return;
        ck_assert_msg(umount2(dir, MNT_DETACH) == 0, "cannot unmount %s: %m", dir);
        test_tmpdir_remove(dir);
}

void test_root_setup(void) {
        test_root = test_tmpdir_new();
}

void test_root_teardown(void) {
        test_tmpdir_remove(test_root);
        test_root = NULL;
}

char *test_path(const char *root, const char *path) {
        char *s = path_prefix_root(root, path);

        ck_assert_ptr_nonnull(s);
        return s;
}

void test_mkdir_p(const char *root, const char *path) {
        _cleanup_free_ char *full = test_path(root, path);

        for (char *p = full + 1;; p++) {
                if (*p != '/' && *p != '\0')
                        continue;
                char c = *p;
                *p = '\0';
                ck_assert_msg(mkdir(full, 0755) == 0 || errno == EEXIST, "mkdir %s: %m", full);
                *p = c;
                if (c == '\0')
                        break;
        }
}

static void mkdir_parent(const char *root, const char *path) {
        _cleanup_free_ char *parent = strdup(path);
        char *slash;

        ck_assert_ptr_nonnull(parent);
        slash = strrchr(parent, '/');
        ck_assert_ptr_nonnull(slash);
        if (slash == parent)
                return;
        *slash = '\0';
        test_mkdir_p(root, parent);
}

void test_write_file_n(const char *root, const char *path, const void *content, size_t size) {
        _cleanup_free_ char *full = test_path(root, path);
        _cleanup_close_ int fd = -1;

        mkdir_parent(root, path);
        fd = open(full, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
        ck_assert_msg(fd >= 0, "open %s: %m", full);
        ck_assert_msg(write(fd, content, size) == (ssize_t) size, "write %s: %m", full);
}

void test_write_file(const char *root, const char *path, const char *content) {
        test_write_file_n(root, path, content, strlen(content));
}

void test_symlink(const char *root, const char *path, const char *target) {
        _cleanup_free_ char *full = test_path(root, path);

        mkdir_parent(root, path);
        ck_assert_msg(symlink(target, full) == 0, "symlink %s -> %s: %m", full, target);
}

void test_chmod(const char *root, const char *path, mode_t mode) {
        _cleanup_free_ char *full = test_path(root, path);

        ck_assert_msg(chmod(full, mode) == 0, "chmod %s: %m", full);
}

char *test_read_file(const char *root, const char *path) {
        _cleanup_free_ char *full = test_path(root, path);
        _cleanup_fclose_ FILE *f = NULL;
        char *buf = NULL;
        size_t size = 0;
        FILE *out;
        char chunk[4096];
        size_t k;

        f = fopen(full, "re");
        if (!f) {
                ck_assert_msg(errno == ENOENT, "open %s: %m", full);
                return NULL;
        }
        out = open_memstream(&buf, &size);
        ck_assert_ptr_nonnull(out);
        while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
                ck_assert_uint_eq(fwrite(chunk, 1, k, out), k);
        ck_assert_msg(!ferror(f), "read %s: %m", full);
        ck_assert_int_eq(fclose(out), 0);
        return buf;
}

bool test_exists(const char *root, const char *path) {
        _cleanup_free_ char *full = test_path(root, path);
        struct stat st;

        return lstat(full, &st) == 0;
}

static int compare_strings(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

char *test_list_dir(const char *root, const char *dir) {
        _cleanup_free_ char *full = test_path(root, dir);
        struct dirent **names = NULL;
        char *buf = NULL;
        size_t size = 0;
        FILE *out;
        int n;

        n = scandir(full, &names, NULL, NULL);
        ck_assert_msg(n >= 0, "scandir %s: %m", full);
        out = open_memstream(&buf, &size);
        ck_assert_ptr_nonnull(out);
        {
                const char **v = calloc(n ?: 1, sizeof *v);
                size_t k = 0;

                ck_assert_ptr_nonnull(v);
                for (int i = 0; i < n; i++)
                        if (strcmp(names[i]->d_name, ".") != 0 && strcmp(names[i]->d_name, "..") != 0)
                                v[k++] = names[i]->d_name;
                qsort(v, k, sizeof *v, compare_strings);
                for (size_t i = 0; i < k; i++)
                        fprintf(out, "%s%s", i > 0 ? " " : "", v[i]);
                free(v);
        }
        ck_assert_int_eq(fclose(out), 0);
        for (int i = 0; i < n; i++)
                free(names[i]);
        free(names);
        return buf;
}

void test_store_path(const char *root, const char *store_path) {
        _cleanup_free_ char *file = NULL;
        const char *base = strrchr(store_path, '/'), *dash;

        ck_assert_ptr_nonnull(base);
        dash = strchr(base, '-');
        ck_assert_int_ge(asprintf(&file, "%s/bin/%s", store_path, dash ? dash + 1 : base + 1), 0);
        test_write_file(root, file, "#!/bin/false\n");
}

bool test_has_line(const char *text, const char *line) {
        size_t n = strlen(line);

        for (const char *p = text; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
                if (strncmp(p, line, n) == 0 && (p[n] == '\n' || p[n] == '\0'))
                        return true;
        return false;
}

size_t test_count_lines_with_prefix(const char *text, const char *prefix) {
        size_t k = 0, n = strlen(prefix);

        for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
                if (strncmp(p, prefix, n) == 0)
                        k++;
        return k;
}

char *test_render(TestRenderFunc render, const void *userdata, int expected_r) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f;

        f = open_memstream(&buf, &size);
        ck_assert_ptr_nonnull(f);
        ck_assert_int_eq(render(f, userdata), expected_r);
        ck_assert_int_eq(fclose(f), 0);
        ck_assert_uint_eq(strlen(buf), size);
        return buf;
}

/* test_fs()'s Roots of the running test. */
static Root **test_roots = NULL;
static size_t test_n_roots = 0, test_allocated_roots = 0;

Root *test_fs(const char *root) {
        Root *r;

        ck_assert_int_eq(GREEDY_REALLOC(test_roots, test_allocated_roots, test_n_roots + 1, 8), 0);
        r = calloc(1, sizeof *r);
        ck_assert_ptr_nonnull(r);
        r->path = root;
        test_roots[test_n_roots++] = r;
        return r;
}

static void test_fs_release(void) {
        for (size_t i = 0; i < test_n_roots; i++) {
                root_done(test_roots[i]);
                free(test_roots[i]);
        }
        free(test_roots);
        test_roots = NULL;
        test_n_roots = test_allocated_roots = 0;
}

TCase *test_tcase_new(const char *name, bool with_root) {
        TCase *tc = tcase_create(name);

        tcase_set_timeout(tc, 120);
        tcase_add_checked_fixture(tc, NULL, test_fs_release);
        if (with_root)
                tcase_add_checked_fixture(tc, test_root_setup, test_root_teardown);
        return tc;
}

static bool running_on_valgrind(void) {
#if HAVE_VALGRIND_VALGRIND_H
        return RUNNING_ON_VALGRIND;
#else
        return false;
#endif
}

int test_run_suite(Suite *s) {
        const char *e = getenv("SYSTEMD_LOG_LEVEL");
        SRunner *sr;
        bool skipped = false;
        int failed, level;

        /* Not log_parse_environment(): SYSTEMD_LOG_TARGET=kmsg must not reach
         * the kernel log from a test. */
        log_setup(NULL, LOG_TARGET_CONSOLE);
        level = e ? log_level_from_string(e) : -1;
        log_set_max_level(level >= 0 ? level : LOG_CRIT);

        /* Hermetic: files as the trust checks want them, and the unit search
         * path libsystemd's default rather than the caller's. */
        umask(022);
        unsetenv("SYSTEMD_UNIT_PATH");

        test_base = strdup("/tmp/confinement-test.XXXXXX");
        if (!test_base || !mkdtemp(test_base)) {
                fprintf(stderr, "Cannot create a temporary directory: %m\n");
                return EXIT_FAILURE;
        }

        sr = srunner_create(s);
        /* Each test in a child of its own, so that one crash fails one test;
         * but not under valgrind, where what check itself allocates would
         * count against every child. CK_FORK= decides when set. */
        if (!getenv("CK_FORK") && running_on_valgrind())
                srunner_set_fork_status(sr, CK_NOFORK);
        srunner_run_all(sr, CK_ENV);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);

        {
                _cleanup_free_ char *mark = NULL;

                if (asprintf(&mark, "%s/" SKIPPED_MARK, test_base) >= 0 && access(mark, F_OK) == 0 &&
                    failed == 0) {
                        fprintf(stderr, "Some checks could not run here (SKIP above): exit status 77.\n");
                        skipped = true;
                }
        }

        if (remove_tree(test_base) < 0) {
                fprintf(stderr, "Cannot remove %s: %m\n", test_base);
                failed++;
        }
        free(test_base);
        test_base = NULL;
        log_close();
        return failed > 0 ? EXIT_FAILURE : skipped ? 77 : EXIT_SUCCESS;
}
