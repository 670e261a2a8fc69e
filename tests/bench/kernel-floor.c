/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kernel floor of confining a service to N store paths: what the bind
 * mounts alone cost, without systemd.  In a fresh mount namespace
 * (unshare(CLONE_NEWNS), / made private, a fresh tmpfs over /tmp standing
 * for the service's root, as TemporaryFileSystem=/ gives), for each path: create the target
 * directory, bind-mount the path onto it, remount the bind read-only.
 * Timed with clock_gettime(CLOCK_MONOTONIC) around the loop.
 *
 * Usage: kernel-floor [-r RUNS] [-n N] [-q] STORE-PATHS
 *   STORE-PATHS  a file with one absolute path a line (closureInfo's
 *                store-paths); "-" for standard input
 *   -n N         only the first N paths (default: all)
 *   -r RUNS      repetitions, each in its own fresh mount namespace
 *                (default 5)
 *   -q           print only the median total in ms
 *
 * Prints one line per run: total ms and its split (mkdir, bind, remount),
 * then the median.  Must run as root (CAP_SYS_ADMIN).  Nothing outside the
 * private namespace changes: each run is a child process that exits.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The tmpfs goes over /tmp in the child's private namespace only: nothing is
 * created or left behind outside it. */
#define ROOT "/tmp"

static double now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int mkdir_p(char *path) {
        for (char *p = path + 1; *p; p++) {
                if (*p != '/')
                        continue;
                *p = '\0';
                if (mkdir(path, 0755) < 0 && errno != EEXIST) {
                        *p = '/';
                        return -1;
                }
                *p = '/';
        }
        if (mkdir(path, 0755) < 0 && errno != EEXIST)
                return -1;
        return 0;
}

/* One run in the calling process, which must already be a child: writes
 * "total mkdir bind remount" in ms to fd. */
static int run(char **paths, size_t n, int fd) {
        double t_mkdir = 0, t_bind = 0, t_remount = 0, t0, t1, t_start, t_end;
        char target[4096];

        if (unshare(CLONE_NEWNS) < 0) {
                perror("kernel-floor: unshare(CLONE_NEWNS)");
                return 1;
        }
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
                perror("kernel-floor: making / private");
                return 1;
        }
        if (mount("tmpfs", ROOT, "tmpfs", MS_NOSUID | MS_NODEV, "mode=755") < 0) {
                perror("kernel-floor: mounting a tmpfs on " ROOT);
                return 1;
        }

        t_start = now_ms();
        for (size_t i = 0; i < n; i++) {
                if ((size_t) snprintf(target, sizeof target, ROOT "%s", paths[i]) >= sizeof target) {
                        fprintf(stderr, "kernel-floor: path too long: %s\n", paths[i]);
                        return 1;
                }
                t0 = now_ms();
                if (mkdir_p(target) < 0) {
                        fprintf(stderr, "kernel-floor: mkdir %s: %m\n", target);
                        return 1;
                }
                t1 = now_ms();
                t_mkdir += t1 - t0;
                if (mount(paths[i], target, NULL, MS_BIND | MS_REC, NULL) < 0) {
                        fprintf(stderr, "kernel-floor: bind %s: %m\n", paths[i]);
                        return 1;
                }
                t0 = now_ms();
                t_bind += t0 - t1;
                if (mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0) {
                        fprintf(stderr, "kernel-floor: remount read-only %s: %m\n", target);
                        return 1;
                }
                t_remount += now_ms() - t0;
        }
        t_end = now_ms();
        dprintf(fd, "%.2f %.2f %.2f %.2f\n", t_end - t_start, t_mkdir, t_bind, t_remount);
        return 0;
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;

        return (x > y) - (x < y);
}

int main(int argc, char **argv) {
        size_t n_max = (size_t) -1, n = 0, cap = 0;
        char **paths = NULL, *line = NULL;
        size_t line_size = 0;
        int runs = 5, quiet = 0, opt;
        double *totals;
        FILE *in;
        ssize_t l;

        while ((opt = getopt(argc, argv, "n:r:qh")) >= 0)
                switch (opt) {
                case 'n':
                        n_max = strtoul(optarg, NULL, 10);
                        break;
                case 'r':
                        runs = atoi(optarg);
                        break;
                case 'q':
                        quiet = 1;
                        break;
                default:
                        fprintf(stderr, "usage: %s [-r RUNS] [-n N] [-q] STORE-PATHS|-\n", argv[0]);
                        return opt == 'h' ? 0 : 2;
                }
        if (optind != argc - 1 || runs < 1) {
                fprintf(stderr, "usage: %s [-r RUNS] [-n N] [-q] STORE-PATHS|-\n", argv[0]);
                return 2;
        }
        in = strcmp(argv[optind], "-") == 0 ? stdin : fopen(argv[optind], "re");
        if (!in) {
                fprintf(stderr, "kernel-floor: %s: %m\n", argv[optind]);
                return 1;
        }
        while (n < n_max && (l = getline(&line, &line_size, in)) > 0) {
                if (line[l - 1] == '\n')
                        line[--l] = '\0';
                if (l == 0)
                        continue;
                if (line[0] != '/') {
                        fprintf(stderr, "kernel-floor: not an absolute path: %s\n", line);
                        return 1;
                }
                if (n == cap) {
                        cap = cap ? 2 * cap : 1024;
                        paths = realloc(paths, cap * sizeof *paths);
                        if (!paths)
                                return 1;
                }
                paths[n++] = strdup(line);
        }
        if (n == 0) {
                fprintf(stderr, "kernel-floor: no paths\n");
                return 1;
        }

        totals = calloc(runs, sizeof *totals);
        if (!totals)
                return 1;
        for (int r = 0; r < runs; r++) {
                int p[2], status;
                char buf[256] = "";
                double m, b, rm;
                ssize_t k;
                pid_t pid;

                if (pipe2(p, O_CLOEXEC) < 0)
                        return 1;
                pid = fork();
                if (pid < 0)
                        return 1;
                if (pid == 0) {
                        close(p[0]);
                        _exit(run(paths, n, p[1]));
                }
                close(p[1]);
                k = read(p[0], buf, sizeof buf - 1);
                close(p[0]);
                if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || k <= 0)
                        return 1;
                buf[k] = '\0';
                if (sscanf(buf, "%lf %lf %lf %lf", &totals[r], &m, &b, &rm) != 4)
                        return 1;
                if (!quiet)
                        printf("run %d: %zu paths: %.2f ms (mkdir %.2f, bind %.2f, remount read-only %.2f)\n",
                               r + 1, n, totals[r], m, b, rm);
        }
        qsort(totals, runs, sizeof *totals, cmp_double);
        if (quiet)
                printf("%.2f\n", runs % 2 ? totals[runs / 2] : (totals[runs / 2 - 1] + totals[runs / 2]) / 2);
        else
                printf("median: %.2f ms\n", runs % 2 ? totals[runs / 2] : (totals[runs / 2 - 1] + totals[runs / 2]) / 2);
        return 0;
}
