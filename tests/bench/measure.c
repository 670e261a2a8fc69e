/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Runs a command RUNS times and prints, on one line,
 *   median wall ms, median CPU ms (user + system), maximum peak RSS KiB
 * with 0.01 ms resolution: /usr/bin/time's 10 ms steps are coarser than
 * what the generator-cost benchmark compares. Before each run, OUTDIR is
 * emptied (the command writes into it), outside the timed part.
 *
 * Usage: measure RUNS OUTDIR [VAR=VALUE...] COMMAND [ARG...]
 * The VAR=VALUE settings are made in the child, as env(1) would, without
 * the exec of env itself, which the floor does not pay either. */

#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *outdir;

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) st;
        (void) flag;
        if (ftw->level == 0)
                return 0; /* keep OUTDIR itself */
        return remove(path) < 0 ? -1 : 0;
}

static int compare_doubles(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return (x > y) - (x < y);
}

static double ms(const struct timeval *tv) {
        return (double) tv->tv_sec * 1e3 + (double) tv->tv_usec / 1e3;
}

int main(int argc, char *argv[]) {
        int runs, cmd = 3;
        double *walls, *cpus;
        long max_rss = 0;

        if (argc < 4 || (runs = atoi(argv[1])) < 1) {
                fprintf(stderr, "usage: measure RUNS OUTDIR [VAR=VALUE...] COMMAND [ARG...]\n");
                return 2;
        }
        outdir = argv[2];
        while (cmd < argc && strchr(argv[cmd], '='))
                cmd++;
        if (cmd == argc) {
                fprintf(stderr, "measure: no command\n");
                return 2;
        }
        walls = calloc((size_t) runs, sizeof *walls);
        cpus = calloc((size_t) runs, sizeof *cpus);
        if (!walls || !cpus)
                return 1;

        for (int i = 0; i < runs; i++) {
                struct timespec t0, t1;
                struct rusage ru;
                int status;
                pid_t pid;

                if (nftw(outdir, remove_entry, 64, FTW_DEPTH | FTW_PHYS) < 0) {
                        fprintf(stderr, "measure: cannot empty %s: %m\n", outdir);
                        return 1;
                }
                clock_gettime(CLOCK_MONOTONIC, &t0);
                pid = fork();
                if (pid < 0)
                        return 1;
                if (pid == 0) {
                        for (int k = 3; k < cmd; k++)
                                putenv(argv[k]);
                        execvp(argv[cmd], argv + cmd);
                        fprintf(stderr, "measure: cannot run %s: %m\n", argv[cmd]);
                        _exit(127);
                }
                if (wait4(pid, &status, 0, &ru) < 0)
                        return 1;
                clock_gettime(CLOCK_MONOTONIC, &t1);
                if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                        fprintf(stderr, "measure: %s failed\n", argv[cmd]);
                        return 1;
                }
                walls[i] = (double) (t1.tv_sec - t0.tv_sec) * 1e3 + (double) (t1.tv_nsec - t0.tv_nsec) / 1e6;
                cpus[i] = ms(&ru.ru_utime) + ms(&ru.ru_stime);
                if (ru.ru_maxrss > max_rss)
                        max_rss = ru.ru_maxrss;
        }
        qsort(walls, (size_t) runs, sizeof *walls, compare_doubles);
        qsort(cpus, (size_t) runs, sizeof *cpus, compare_doubles);
        printf("%.2f %.2f %ld\n", walls[runs / 2], cpus[runs / 2], max_rss);
        free(walls);
        free(cpus);
        return 0;
}
