/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "alloc-util.h"
#include "closure-layer-mount.h"
#include "closure-layer.h"
#include "log.h"
#include "macro.h"
#include "path-util.h"

int closure_layer_mount_options(const char *layer, const char *store_dir, bool metacopy, char **ret) {
        assert(layer);
        assert(store_dir);
        assert(ret);
        /* ":" and "," separate options and layers; "\" escapes */
        if (strpbrk(layer, ":,\\") || strpbrk(store_dir, ":,\\"))
                return -EINVAL;
        return asprintf(ret, "lowerdir=%s:%s,redirect_dir=follow%s", layer, store_dir,
                        metacopy ? ",metacopy=on" : "") < 0
                       ? -ENOMEM
                       : 0;
}

static int copy_attributes(int fd, const struct stat *st) {
        struct timespec times[2] = { st->st_atim, st->st_mtim };

        if ((st->st_uid != 0 || st->st_gid != 0) && fchown(fd, st->st_uid, st->st_gid) < 0)
                return -errno;
        /* after chown, which clears setuid bits */
        if (fchmod(fd, st->st_mode & 07777) < 0)
                return -errno;
        if (futimens(fd, times) < 0)
                return -errno;
        return 0;
}

static int add_redirected(int fd, const char *redirect, bool metacopy, const struct stat *st) {
        if (metacopy && fsetxattr(fd, "trusted.overlay.metacopy", "", 0, 0) < 0)
                return -errno;
        if (fsetxattr(fd, "trusted.overlay.redirect", redirect, strlen(redirect), 0) < 0)
                return -errno;
        return copy_attributes(fd, st);
}

/* One store path into the layer's store directory; 1 for a regular file. */
static int add_entry(int store_fd, int layer_fd, const char *name) {
        _cleanup_free_ char *redirect = NULL;
        _cleanup_close_ int fd = -1;
        struct stat st;
        int r;

        if (!*name || strchr(name, '/') || streq(name, ".") || streq(name, ".."))
                return log_error_errno(-EINVAL, "Not a store path name: \"%s\".", name);
        if (fstatat(store_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return log_error_errno(-errno, "Cannot stat store path %s: %m", name);
        /* in the layer below: the store directory */
        if (asprintf(&redirect, "/%s", name) < 0)
                return log_oom();

        if (S_ISDIR(st.st_mode)) {
                if (mkdirat(layer_fd, name, 0700) < 0)
                        return log_error_errno(-errno, "Cannot create layer directory %s: %m", name);
                fd = openat(layer_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        return log_error_errno(-errno, "Cannot open layer directory %s: %m", name);
                r = add_redirected(fd, redirect, false, &st);
        } else if (S_ISREG(st.st_mode)) {
                fd = openat(layer_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
                if (fd < 0)
                        return log_error_errno(-errno, "Cannot create layer file %s: %m", name);
                r = ftruncate(fd, st.st_size) < 0 ? -errno : add_redirected(fd, redirect, true, &st);
                if (r >= 0)
                        r = 1;
        } else if (S_ISLNK(st.st_mode)) {
                char target[PATH_MAX];
                ssize_t k = readlinkat(store_fd, name, target, sizeof target - 1);
                struct timespec times[2] = { st.st_atim, st.st_mtim };

                if (k < 0)
                        return log_error_errno(-errno, "Cannot read store symlink %s: %m", name);
                target[k] = '\0';
                r = symlinkat(target, layer_fd, name) < 0 ||
                                    utimensat(layer_fd, name, times, AT_SYMLINK_NOFOLLOW) < 0
                            ? -errno
                            : 0;
        } else
                return log_error_errno(-EINVAL, "Store path %s is not a directory, file or symlink.", name);
        if (r < 0)
                return log_error_errno(r, "Cannot set up layer entry %s: %m", name);
        return r;
}

int closure_layer_build(int store_fd, const char *id, int dir_fd, const char *const *names, size_t n,
                        bool *ret_has_file) {
        _cleanup_close_ int layer_fd = -1;
        bool has_file = false;
        struct stat st;
        int r;

        assert(store_fd >= 0);
        assert(id);
        assert(dir_fd >= 0);
        assert(names || n == 0);

        if (fstat(store_fd, &st) < 0)
                return log_error_errno(-errno, "Cannot stat the store directory: %m");
        if (mkdirat(dir_fd, id, 0700) < 0)
                return log_error_errno(-errno, "Cannot create the layer's %s: %m", id);
        layer_fd = openat(dir_fd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (layer_fd < 0)
                return log_error_errno(-errno, "Cannot open the layer's %s: %m", id);
        /* Opaque: of the store below, only what is redirected to shows. */
        if (fsetxattr(layer_fd, "trusted.overlay.opaque", "y", 1, 0) < 0)
                return log_error_errno(-errno, "Cannot make the layer's %s opaque: %m", id);
        for (size_t i = 0; i < n; i++) {
                r = add_entry(store_fd, layer_fd, names[i]);
                if (r < 0)
                        return r;
                has_file = has_file || r > 0;
        }
        /* bound at the store directory: it looks like it */
        r = copy_attributes(layer_fd, &st);
        if (r < 0)
                return log_error_errno(r, "Cannot set the attributes of the layer's %s: %m", id);
        if (ret_has_file)
                *ret_has_file = has_file;
        return 0;
}

/* Detaches, deletes nothing: a service still running on the overlay keeps
 * it and its tmpfs alive in its own namespace until it stops. */
static int layer_stop(const char *dir) {
        _cleanup_free_ char *root = NULL;

        if (asprintf(&root, "%s/root", dir) < 0)
                return log_oom();
        if (umount2(root, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL && errno != ENOENT)
                return log_error_errno(-errno, "Cannot detach %s: %m", root);
        if (umount2(dir, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL && errno != ENOENT)
                return log_error_errno(-errno, "Cannot detach %s: %m", dir);
        /* the empty mount point on /run; something left in it stays */
        if (rmdir(dir) < 0 && errno != ENOENT && errno != ENOTEMPTY && errno != EBUSY)
                return log_error_errno(-errno, "Cannot remove %s: %m", dir);
        return 0;
}

static int read_names(int dir_fd, const char *name, char ***ret_names, size_t *ret_n) {
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_free_ char *line = NULL;
        char **names = NULL;
        size_t n = 0, allocated = 0, size = 0;
        ssize_t k;
        int fd;

        fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(-errno, "Cannot open the list %s: %m", name);
        f = fdopen(fd, "re");
        if (!f) {
                close(fd);
                return log_oom();
        }
        while ((k = getline(&line, &size, f)) > 0) {
                if (line[k - 1] == '\n')
                        line[--k] = '\0';
                if (GREEDY_REALLOC(names, allocated, n + 1, 256) < 0)
                        goto oom;
                names[n] = strdup(line);
                if (!names[n])
                        goto oom;
                n++;
        }
        *ret_names = names;
        *ret_n = n;
        return 0;
oom:
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        free(names);
        return log_oom();
}

static void names_free(char **names, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        free(names);
}

static bool is_closure_id(const char *s) {
        return strlen(s) == CLOSURE_LAYER_ID_MAX - 1 && strspn(s, "0123456789abcdef") == CLOSURE_LAYER_ID_MAX - 1;
}

/* The store directory, as the generator wrote it in LISTS/store-dir. */
static int read_store_dir(int lists_fd, char **ret) {
        char **lines = NULL;
        size_t n = 0;
        int r;

        r = read_names(lists_fd, "store-dir", &lines, &n);
        if (r < 0)
                return r;
        if (n != 1 || lines[0][0] != '/') {
                names_free(lines, n);
                log_error("Expected one absolute store directory in store-dir.");
                return -EINVAL;
        }
        *ret = lines[0];
        free(lines);
        return 0;
}

/* A closure whose layer could not be built (logged: a store path gone
 * since the generator ran) is left out under another name, which no
 * service binds: the services of that closure fail to start, the others
 * do not depend on it. */
static int leave_out(int layer_fd, const char *id) {
        _cleanup_free_ char *failed = NULL;

        if (asprintf(&failed, ".failed-%s", id) < 0)
                return log_oom();
        if (renameat(layer_fd, id, layer_fd, failed) < 0 && errno != ENOENT)
                return log_error_errno(-errno, "Cannot leave out the closure %s: %m", id);
        log_error("Left out closure %s: the services that bind it do not start.", id);
        return 0;
}

/* Every closure of the generation into layer_fd; *ret_has_file: a
 * regular file among them. Returns the number of closures built. */
static int build_all(int lists_fd, int store_fd, int layer_fd, bool *ret_has_file) {
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        int fd, n_closures = 0, r;

        fd = openat(lists_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0 || !(d = fdopendir(fd))) {
                if (fd >= 0)
                        close(fd);
                return log_error_errno(-errno, "Cannot read the generation's lists: %m");
        }
        *ret_has_file = false;
        while ((errno = 0, de = readdir(d))) {
                char **names = NULL;
                size_t n = 0;
                bool has_file = false;

                if (!is_closure_id(de->d_name))
                        continue;
                r = read_names(lists_fd, de->d_name, &names, &n);
                if (r < 0)
                        return r;
                r = closure_layer_build(store_fd, de->d_name, layer_fd, (const char *const *) names, n, &has_file);
                names_free(names, n);
                if (r < 0) {
                        r = leave_out(layer_fd, de->d_name);
                        if (r < 0)
                                return r;
                        continue;
                }
                *ret_has_file = *ret_has_file || has_file;
                n_closures++;
        }
        if (errno != 0)
                return log_error_errno(-errno, "Cannot read the generation's lists: %m");
        return n_closures;
}

static int layer_start_at(const char *lists, const char *dir) {
        _cleanup_free_ char *store_dir = NULL, *layer = NULL, *root = NULL, *options = NULL;
        _cleanup_close_ int lists_fd = -1, store_fd = -1, layer_fd = -1;
        const char *gen = path_startswith(dir, CLOSURE_LAYER_DIR);
        bool has_file = false;
        int n, r;

        if (!gen || !*gen || strchr(gen, '/'))
                return log_error_errno(-EINVAL, "Expected a directory under " CLOSURE_LAYER_DIR ", got %s.", dir);
        lists_fd = open(lists, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (lists_fd < 0)
                return log_error_errno(-errno,
                                       "Cannot open %s: %m; a generation the generator no longer writes "
                                       "does not start again.",
                                       lists);
        r = read_store_dir(lists_fd, &store_dir);
        if (r < 0)
                return r;
        store_fd = open(store_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (store_fd < 0)
                return log_error_errno(-errno, "Cannot open the store directory %s: %m", store_dir);

        r = layer_stop(dir);
        if (r < 0)
                return r;
        if (asprintf(&layer, "%s/layer", dir) < 0 || asprintf(&root, "%s/root", dir) < 0)
                return log_oom();
        if (mkdir(CLOSURE_LAYER_DIR, 0755) < 0 && errno != EEXIST)
                return log_error_errno(-errno, "Cannot create %s: %m", CLOSURE_LAYER_DIR);
        if (mkdir(dir, 0700) < 0 && errno != EEXIST)
                return log_error_errno(-errno, "Cannot create %s: %m", dir);
        /* A file system of its own: detached as a whole, freed by the
         * kernel when no overlay uses it any more. root's alone. */
        if (mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0700") < 0)
                return log_error_errno(-errno, "Cannot mount a tmpfs at %s: %m", dir);
        if (mkdir(layer, 0700) < 0 || mkdir(root, 0755) < 0)
                return log_error_errno(-errno, "Cannot create %s: %m", layer);
        layer_fd = open(layer, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (layer_fd < 0)
                return log_error_errno(-errno, "Cannot open %s: %m", layer);

        n = build_all(lists_fd, store_fd, layer_fd, &has_file);
        if (n < 0)
                return n;

        r = closure_layer_mount_options(layer, store_dir, has_file, &options);
        if (r < 0)
                return log_error_errno(r, "Cannot use %s or %s as an overlay layer: %m", layer, store_dir);
        if (mount("overlay", root, "overlay", MS_RDONLY | MS_NOSUID | MS_NODEV, options) < 0)
                return log_error_errno(-errno,
                                       "Cannot mount the closures' overlay (%s) at %s: %m; bindMethod "
                                       "\"overlay\" (the default) needs overlayfs with redirect_dir and metacopy "
                                       "(Linux 4.19). Set \"bindMethod\": \"view\" in the specs of the services "
                                       "that use it.",
                                       options, root);
        log_info("Mounted the %d closures of %s at %s.", n, store_dir, root);
        return 0;
}

static int layer_start(const char *lists, const char *dir) {
        int r = layer_start_at(lists, dir);

        /* nothing half-built stays mounted */
        if (r < 0)
                (void) layer_stop(dir);
        return r;
}

int closure_layer_run(int argc, char *argv[]) {
        assert(argv);
        if (argc == 4 && streq(argv[1], "start"))
                return layer_start(argv[2], argv[3]);
        if (argc == 3 && streq(argv[1], "stop"))
                return layer_stop(argv[2]);
        log_error("Usage: confinement-generator " CLOSURE_LAYER_MODE " start LISTS DIR | stop DIR");
        return -EINVAL;
}
