/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Without libFuzzer: runs a fuzz target once on each file named, or on
 * each file of each directory named (a corpus), so that the checked-in
 * corpora are regression tests of any build, with any compiler and under
 * valgrind. A crash or a failed property aborts, as under libFuzzer. */

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "macro.h"

static int run_file(const char *path) {
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_free_ char *buf = NULL;
        size_t size = 0, allocated = 0;

        f = fopen(path, "re");
        if (!f) {
                fprintf(stderr, "%s: %s\n", path, strerror(errno));
                return -errno;
        }
        for (;;) {
                size_t k;

                if (size == allocated) {
                        char *b = realloc(buf, allocated = allocated ? allocated * 2 : 4096);
                        if (!b)
                                return -ENOMEM;
                        buf = b;
                }
                k = fread(buf + size, 1, allocated - size, f);
                size += k;
                if (k == 0)
                        break;
        }
        if (ferror(f)) {
                fprintf(stderr, "%s: read error\n", path);
                return -EIO;
        }
        (void) LLVMFuzzerTestOneInput((const uint8_t *) buf, size);
        return 0;
}

static int compare(const struct dirent **a, const struct dirent **b) {
        return strcmp((*a)->d_name, (*b)->d_name);
}

int main(int argc, char *argv[]) {
        size_t n_inputs = 0;

        if (argc < 2) {
                fprintf(stderr, "usage: %s FILE|DIRECTORY...\n", argv[0]);
                return 2;
        }
        for (int i = 1; i < argc; i++) {
                struct stat st;

                if (stat(argv[i], &st) < 0) {
                        fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
                        return 1;
                }
                if (S_ISDIR(st.st_mode)) {
                        struct dirent **entries;
                        int n = scandir(argv[i], &entries, NULL, compare);

                        if (n < 0) {
                                fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
                                return 1;
                        }
                        for (int j = 0; j < n; j++) {
                                _cleanup_free_ char *p = NULL;

                                if (entries[j]->d_name[0] != '.' &&
                                    asprintf(&p, "%s/%s", argv[i], entries[j]->d_name) >= 0 &&
                                    stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
                                        if (run_file(p) < 0)
                                                return 1;
                                        n_inputs++;
                                }
                                free(entries[j]);
                        }
                        free(entries);
                } else {
                        if (run_file(argv[i]) < 0)
                                return 1;
                        n_inputs++;
                }
        }
        if (n_inputs == 0) {
                fprintf(stderr, "%s: no inputs\n", argv[0]);
                return 1;
        }
        printf("%s: %zu inputs, no crash\n", argv[0], n_inputs);
        return 0;
}
