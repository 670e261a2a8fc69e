/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
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

int closure_layer_mount_options(const char *layer, const char *store_parent, bool metacopy, char **ret) {
        assert(layer);
        assert(store_parent);
        assert(ret);
        /* ":" and "," separate options and layers; "\" escapes */
        if (strpbrk(layer, ":,\\") || strpbrk(store_parent, ":,\\"))
                return -EINVAL;
        return asprintf(ret, "lowerdir=%s:%s,redirect_dir=follow%s", layer, store_parent,
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
static int add_entry(int store_fd, const char *store_name, int layer_fd, const char *name) {
        _cleanup_free_ char *redirect = NULL;
        _cleanup_close_ int fd = -1;
        struct stat st;
        int r;

        if (!*name || strchr(name, '/') || streq(name, ".") || streq(name, ".."))
                return log_error_errno(-EINVAL, "Not a store path name: \"%s\".", name);
        if (fstatat(store_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return log_error_errno(-errno, "Cannot stat store path %s: %m", name);
        if (asprintf(&redirect, "/%s/%s", store_name, name) < 0)
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

int closure_layer_build(int store_fd, const char *store_name, int dir_fd, const char *const *names, size_t n,
                        bool *ret_has_file) {
        _cleanup_close_ int layer_fd = -1;
        bool has_file = false;
        struct stat st;
        int r;

        assert(store_fd >= 0);
        assert(store_name);
        assert(dir_fd >= 0);
        assert(names || n == 0);

        if (fstat(store_fd, &st) < 0)
                return log_error_errno(-errno, "Cannot stat the store directory: %m");
        if (mkdirat(dir_fd, store_name, 0700) < 0)
                return log_error_errno(-errno, "Cannot create the layer's %s: %m", store_name);
        layer_fd = openat(dir_fd, store_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (layer_fd < 0)
                return log_error_errno(-errno, "Cannot open the layer's %s: %m", store_name);
        /* Opaque: of the store below, only what is redirected to shows. */
        if (fsetxattr(layer_fd, "trusted.overlay.opaque", "y", 1, 0) < 0)
                return log_error_errno(-errno, "Cannot make the layer's %s opaque: %m", store_name);
        for (size_t i = 0; i < n; i++) {
                r = add_entry(store_fd, store_name, layer_fd, names[i]);
                if (r < 0)
                        return r;
                has_file = has_file || r > 0;
        }
        r = copy_attributes(layer_fd, &st);
        if (r < 0)
                return log_error_errno(r, "Cannot set the attributes of the layer's %s: %m", store_name);
        if (ret_has_file)
                *ret_has_file = has_file;
        return 0;
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        (void) st;
        (void) ftw;
        return (type == FTW_DP ? rmdir(path) : unlink(path)) < 0 ? -1 : 0;
}

static int layer_stop(const char *dir) {
        _cleanup_free_ char *root = NULL;

        if (asprintf(&root, "%s/root", dir) < 0)
                return log_oom();
        if (umount2(root, UMOUNT_NOFOLLOW) < 0 && errno != EINVAL && errno != ENOENT)
                return log_error_errno(-errno, "Cannot unmount %s: %m", root);
        if (nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) < 0 && errno != ENOENT)
                return log_error_errno(-errno, "Cannot remove %s: %m", dir);
        return 0;
}

static int read_names(const char *list, char ***ret_names, size_t *ret_n) {
        _cleanup_fclose_ FILE *f = fopen(list, "re");
        _cleanup_free_ char *line = NULL;
        char **names = NULL;
        size_t n = 0, allocated = 0, size = 0;
        ssize_t k;

        if (!f)
                return log_error_errno(-errno, "Cannot open %s: %m", list);
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

static int layer_start(const char *store_dir, const char *list, const char *dir) {
        _cleanup_free_ char *parent = NULL, *layer = NULL, *root = NULL, *options = NULL;
        _cleanup_close_ int store_fd = -1, parent_fd = -1, dir_fd = -1, layer_fd = -1;
        char **names = NULL;
        size_t n = 0;
        struct stat st_store, st_parent;
        bool has_file = false;
        const char *store_name = closure_layer_store_name(store_dir);
        int r;

        if (store_dir[0] != '/' || store_name == store_dir + 1 || !*store_name)
                return log_error_errno(-EINVAL, "Expected an absolute store directory below /, got %s.", store_dir);
        parent = strndup(store_dir, (size_t) (store_name - 1 - store_dir));
        if (!parent)
                return log_oom();
        store_fd = open(store_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (store_fd < 0)
                return log_error_errno(-errno, "Cannot open the store directory %s: %m", store_dir);
        parent_fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (parent_fd < 0 || fstat(store_fd, &st_store) < 0 || fstat(parent_fd, &st_parent) < 0)
                return log_error_errno(-errno, "Cannot open %s: %m", parent);
        /* An overlay layer does not cross mounts: the store would show as
         * its parent's empty directory. Refused, not worked around. */
        if (st_store.st_dev != st_parent.st_dev)
                return log_error_errno(-EXDEV,
                                       "The store directory %s is a file system of its own; bindMethod "
                                       "\"overlay\" (the default) needs it on the same file system as %s. "
                                       "Set \"bindMethod\": \"view\" in the specs of the services that use it.",
                                       store_dir, parent);

        r = layer_stop(dir);
        if (r < 0)
                return r;
        if (asprintf(&layer, "%s/layer", dir) < 0 || asprintf(&root, "%s/root", dir) < 0)
                return log_oom();
        if (mkdir(CLOSURE_LAYER_DIR, 0755) < 0 && errno != EEXIST)
                return log_error_errno(-errno, "Cannot create %s: %m", CLOSURE_LAYER_DIR);
        /* root's alone: nothing else may touch the layer */
        if (mkdir(dir, 0700) < 0 || mkdir(layer, 0700) < 0 || mkdir(root, 0755) < 0)
                return log_error_errno(-errno, "Cannot create %s: %m", dir);
        layer_fd = open(layer, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (layer_fd < 0)
                return log_error_errno(-errno, "Cannot open %s: %m", layer);

        r = read_names(list, &names, &n);
        if (r < 0)
                return r;
        r = closure_layer_build(store_fd, store_name, layer_fd, (const char *const *) names, n, &has_file);
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        free(names);
        if (r < 0)
                return r;

        r = closure_layer_mount_options(layer, parent, has_file, &options);
        if (r < 0)
                return log_error_errno(r, "Cannot use %s or %s as an overlay layer: %m", layer, parent);
        if (mount("overlay", root, "overlay", MS_RDONLY | MS_NOSUID | MS_NODEV, options) < 0)
                return log_error_errno(-errno,
                                       "Cannot mount the closure's overlay (%s) at %s: %m; bindMethod "
                                       "\"overlay\" (the default) needs overlayfs with redirect_dir and metacopy "
                                       "(Linux 4.19). Set \"bindMethod\": \"view\" in the specs of the services "
                                       "that use it.",
                                       options, root);
        log_info("Mounted the %zu paths of the closure at %s.", n, root);
        return 0;
}

int closure_layer_run(int argc, char *argv[]) {
        assert(argv);
        if (argc == 5 && streq(argv[1], "start"))
                return layer_start(argv[2], argv[3], argv[4]);
        if (argc == 3 && streq(argv[1], "stop"))
                return layer_stop(argv[2]);
        log_error("Usage: confinement-generator " CLOSURE_LAYER_MODE " start STORE-DIR LIST DIR | stop DIR");
        return -EINVAL;
}
