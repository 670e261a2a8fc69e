/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The I/O floor of a generator run: for each spec, read its spec file and
 * the files of its closureInfo and write them, unchanged, to an output
 * file of its own, with nothing parsed or checked. What any generator must
 * at least do; the benchmark compares ours with it.
 *
 * Usage: io-floor [--list DIR] OUTDIR (SPEC CLOSURE_FILE...) --- ...
 * Each group, ended by "---" or the end, makes one output file. With
 * --list, DIR (the store) is read through once first: the listing that
 * tells which store paths are symlinks, which a generator that checks
 * them must read (or stat each path it binds). */

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int copy(int out, const char *path) {
        static char buf[1 << 16];
        ssize_t n;
        int in = open(path, O_RDONLY | O_CLOEXEC);

        if (in < 0)
                return -1;
        while ((n = read(in, buf, sizeof buf)) > 0)
                if (write(out, buf, (size_t) n) != n) {
                        close(in);
                        return -1;
                }
        close(in);
        return n < 0 ? -1 : 0;
}

static int list(const char *path) {
        DIR *d = opendir(path);

        if (!d)
                return -1;
        while (readdir(d)) /* d_type of each entry comes with it */
                ;
        closedir(d);
        return 0;
}

int main(int argc, char *argv[]) {
        int out = -1, k = 0;
        char name[64];

        if (argc > 2 && strcmp(argv[1], "--list") == 0) {
                if (list(argv[2]) < 0) {
                        perror(argv[2]);
                        return 1;
                }
                argv += 2;
                argc -= 2;
        }
        if (argc < 2) {
                fprintf(stderr, "usage: io-floor [--list DIR] OUTDIR (FILE...) --- ...\n");
                return 2;
        }
        for (int i = 2; i < argc; i++) {
                if (strcmp(argv[i], "---") == 0) {
                        if (out >= 0)
                                close(out);
                        out = -1;
                        continue;
                }
                if (out < 0) {
                        snprintf(name, sizeof name, "%d.conf", k++);
                        out = openat(AT_FDCWD, argv[1], O_RDONLY | O_DIRECTORY);
                        if (out < 0) {
                                perror(argv[1]);
                                return 1;
                        }
                        int dir = out;
                        out = openat(dir, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
                        close(dir);
                        if (out < 0) {
                                perror(name);
                                return 1;
                        }
                }
                if (copy(out, argv[i]) < 0) {
                        perror(argv[i]);
                        return 1;
                }
        }
        if (out >= 0)
                close(out);
        return 0;
}
