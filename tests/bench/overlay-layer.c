/* Prototype of the one-mount closure (issue 14): build the metadata layer
 * of a read-only overlayfs that shows exactly one closure under the store
 * directory, and mount it.
 *
 * Usage: overlay-layer [-q] [-n] [-r RUNS] STORE-PATHS STORE-DIR LAYER MOUNTPOINT
 *
 *   STORE-PATHS  a closureInfo's store-paths file (one absolute path a line)
 *   STORE-DIR    the store, e.g. /nix/store; its parent directory is the
 *                overlay's lower layer, so the store must be on the same
 *                file system as its parent (an overlay layer does not cross
 *                mounts)
 *   LAYER        an empty directory on a tmpfs (root's, under /run): gets
 *                LAYER/store, opaque, with one entry per closure path
 *   MOUNTPOINT   where the overlay goes; MOUNTPOINT/store is the closure
 *   -n           build the layer only, no mount
 *   -r RUNS      build RUNS times (LAYER/0, LAYER/1, ...), print each time
 *   -q           print only the median build time in ms
 *
 * The layer, per closure path NAME (lstat of STORE-DIR/NAME):
 *   directory     a directory with trusted.overlay.redirect=/store/NAME
 *                 (the store directory's name, whatever it is), the store
 *                 path's mode and times
 *   regular file  a sparse file of its size and mode with
 *                 trusted.overlay.metacopy (empty) and the redirect: the
 *                 data comes from the store (needs metacopy=on)
 *   symlink       a copy of the symlink
 * LAYER/store has trusted.overlay.opaque=y: nothing of the lower store
 * directory shows but these entries.  Mounted read-only, without an upper
 * layer: -o ro,lowerdir=LAYER:STORE-PARENT,redirect_dir=follow,metacopy=on
 * (metacopy=on only where the closure has a regular file; it needs kernel
 * 4.19, redirect_dir 4.10).  The trusted.* xattrs need CAP_SYS_ADMIN to set,
 * and the layer is root's: nothing else can redirect the overlay.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int fail(const char *what, const char *name) {
        int r = -errno;

        fprintf(stderr, "overlay-layer: %s %s: %s\n", what, name, strerror(errno));
        return r;
}

/* One closure path into the layer's store directory (fd). */
static int add_entry(int store_fd, int layer_fd, const char *store_name, const char *name) {
        char redirect[PATH_MAX];
        struct stat st;
        int n;

        if (fstatat(store_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return fail("lstat", name);
        n = snprintf(redirect, sizeof redirect, "/%s/%s", store_name, name);
        if (n < 0 || (size_t) n >= sizeof redirect)
                return -ENAMETOOLONG;
        struct timespec times[2] = { st.st_atim, st.st_mtim };

        if (S_ISDIR(st.st_mode)) {
                if (mkdirat(layer_fd, name, st.st_mode & 07777) < 0)
                        return fail("mkdir", name);
                int fd = openat(layer_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (fd < 0)
                        return fail("open", name);
                if (fsetxattr(fd, "trusted.overlay.redirect", redirect, (size_t) n, 0) < 0 ||
                    fchmod(fd, st.st_mode & 07777) < 0 ||
                    ((st.st_uid != 0 || st.st_gid != 0) && fchown(fd, st.st_uid, st.st_gid) < 0) ||
                    futimens(fd, times) < 0) {
                        int r = fail("set up", name);
                        close(fd);
                        return r;
                }
                close(fd);
        } else if (S_ISREG(st.st_mode)) {
                int fd = openat(layer_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0);
                if (fd < 0)
                        return fail("create", name);
                if (ftruncate(fd, st.st_size) < 0 ||
                    fsetxattr(fd, "trusted.overlay.metacopy", "", 0, 0) < 0 ||
                    fsetxattr(fd, "trusted.overlay.redirect", redirect, (size_t) n, 0) < 0 ||
                    fchmod(fd, st.st_mode & 07777) < 0 ||
                    ((st.st_uid != 0 || st.st_gid != 0) && fchown(fd, st.st_uid, st.st_gid) < 0) ||
                    futimens(fd, times) < 0) {
                        int r = fail("set up", name);
                        close(fd);
                        return r;
                }
                close(fd);
                return 1;
        } else if (S_ISLNK(st.st_mode)) {
                char target[PATH_MAX];
                ssize_t k = readlinkat(store_fd, name, target, sizeof target - 1);

                if (k < 0)
                        return fail("readlink", name);
                target[k] = 0;
                if (symlinkat(target, layer_fd, name) < 0)
                        return fail("symlink", name);
                if (utimensat(layer_fd, name, times, AT_SYMLINK_NOFOLLOW) < 0)
                        return fail("utimensat", name);
        } else {
                errno = EINVAL;
                return fail("not a directory, file or symlink:", name);
        }
        return 0;
}

/* Builds DIR/store from the names; returns >0 if a regular file is among them. */
static int build(char **names, size_t n_names, const char *store_dir, const char *dir) {
        const char *store_name = strrchr(store_dir, '/') + 1;
        struct stat st;
        int store_fd, dir_fd, layer_fd, r = 0, any_file = 0;

        store_fd = open(store_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (store_fd < 0)
                return fail("open", store_dir);
        if (fstat(store_fd, &st) < 0)
                return fail("stat", store_dir);
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return fail("mkdir", dir);
        dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd < 0)
                return fail("open", dir);
        if (mkdirat(dir_fd, store_name, 0755) < 0)
                return fail("mkdir store in", dir);
        layer_fd = openat(dir_fd, store_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (layer_fd < 0)
                return fail("open store in", dir);
        /* opaque: the lower store directory's other entries do not show */
        if (fsetxattr(layer_fd, "trusted.overlay.opaque", "y", 1, 0) < 0 ||
            fchmod(layer_fd, st.st_mode & 07777) < 0 || fchown(layer_fd, st.st_uid, st.st_gid) < 0)
                return fail("set up store in", dir);
        for (size_t i = 0; i < n_names && r >= 0; i++) {
                r = add_entry(store_fd, layer_fd, store_name, names[i]);
                if (r > 0)
                        any_file = 1;
        }
        struct timespec times[2] = { st.st_atim, st.st_mtim };
        if (r >= 0 && futimens(layer_fd, times) < 0)
                r = fail("utimensat store in", dir);
        close(layer_fd);
        close(dir_fd);
        close(store_fd);
        return r < 0 ? r : any_file;
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return (x > y) - (x < y);
}

int main(int argc, char **argv) {
        bool quiet = false, no_mount = false;
        int runs = 1, opt;

        while ((opt = getopt(argc, argv, "qnr:")) > 0)
                switch (opt) {
                case 'q': quiet = true; break;
                case 'n': no_mount = true; break;
                case 'r': runs = atoi(optarg); break;
                default: return 2;
                }
        if (argc - optind != 4 || runs < 1) {
                fprintf(stderr, "usage: %s [-q] [-n] [-r RUNS] STORE-PATHS STORE-DIR LAYER MOUNTPOINT\n", argv[0]);
                return 2;
        }
        const char *paths_file = argv[optind], *store_dir = argv[optind + 1],
                   *layer = argv[optind + 2], *mnt = argv[optind + 3];
        size_t store_len = strlen(store_dir), n_names = 0, cap = 0;
        char **names = NULL, *line = NULL;
        size_t line_cap = 0;
        ssize_t k;
        FILE *f;

        if (store_dir[0] != '/' || store_len < 2 || store_dir[store_len - 1] == '/') {
                fprintf(stderr, "overlay-layer: store directory must be absolute, without a trailing slash: %s\n", store_dir);
                return 2;
        }
        f = fopen(paths_file, "re");
        if (!f)
                return fail("open", paths_file), 1;
        while ((k = getline(&line, &line_cap, f)) > 0) {
                if (line[k - 1] == '\n')
                        line[--k] = 0;
                if (k == 0)
                        continue;
                if (strncmp(line, store_dir, store_len) != 0 || line[store_len] != '/' ||
                    strchr(line + store_len + 1, '/') || line[store_len + 1] == 0 || line[store_len + 1] == '.') {
                        fprintf(stderr, "overlay-layer: %s: not a store path under %s: %s\n", paths_file, store_dir, line);
                        return 1;
                }
                if (n_names == cap) {
                        cap = cap ? 2 * cap : 1024;
                        names = realloc(names, cap * sizeof *names);
                        if (!names)
                                return 1;
                }
                names[n_names] = strdup(line + store_len + 1);
                if (!names[n_names++])
                        return 1;
        }
        fclose(f);

        double *t = calloc((size_t) runs, sizeof *t);
        int any_file = 0;
        char dir[PATH_MAX];
        if (mkdir(layer, 0700) < 0 && errno != EEXIST)
                return fail("mkdir", layer), 1;
        for (int i = 0; i < runs; i++) {
                if (runs > 1)
                        snprintf(dir, sizeof dir, "%s/%d", layer, i);
                else
                        snprintf(dir, sizeof dir, "%s", layer);
                double t0 = now_ms();
                any_file = build(names, n_names, store_dir, dir);
                t[i] = now_ms() - t0;
                if (any_file < 0)
                        return 1;
                if (!quiet)
                        printf("build %zu paths: %.2f ms\n", n_names, t[i]);
        }
        qsort(t, (size_t) runs, sizeof *t, cmp_double);
        if (quiet)
                printf("%.2f\n", runs % 2 ? t[runs / 2] : (t[runs / 2 - 1] + t[runs / 2]) / 2);
        if (no_mount)
                return 0;

        char parent[PATH_MAX], options[2 * PATH_MAX + 128];
        snprintf(parent, sizeof parent, "%.*s", (int) (strrchr(store_dir, '/') - store_dir), store_dir);
        if (!parent[0])
                strcpy(parent, "/");
        snprintf(options, sizeof options, "lowerdir=%s:%s,redirect_dir=follow%s", dir, parent,
                 any_file ? ",metacopy=on" : "");
        if (mkdir(mnt, 0755) < 0 && errno != EEXIST)
                return fail("mkdir", mnt), 1;
        double t0 = now_ms();
        if (mount("overlay", mnt, "overlay", MS_RDONLY | MS_NOSUID | MS_NODEV, options) < 0)
                return fail("mount overlay with", options), 1;
        if (!quiet)
                printf("mount %s: %.2f ms (%s)\n", mnt, now_ms() - t0, options);
        return 0;
}
