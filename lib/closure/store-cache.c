/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc-util.h"
#include "chase.h"
#include "log.h"
#include "macro.h"
#include "path-util.h"
#include "read-file.h"
#include "store-cache.h"

struct StoreDir {
        char *path;
        int fd;
        bool listed;           /* names holds every symlink, present every other entry */
        uint64_t *present;     /* after listing: hashes of the entries not in names, 0 for empty */
        size_t n_present_slots; /* a power of two */
        size_t list_after;     /* questions past which listing is cheaper */
        size_t names_at_spec;  /* names.n when the current spec began */
        bool warm;             /* the current spec began with names known */
        PathIndex names;       /* entries asked about or listed */
        unsigned char *types;  /* StoreEntryType by number in names */
        size_t allocated_types;
};

static void store_dir_free(StoreDir *s) {
        if (!s)
                return;
        free(s->path);
        if (s->fd >= 0)
                close(s->fd);
        path_index_done(&s->names);
        free(s->types);
        free(s->present);
        free(s);
}

void store_cache_done(StoreCache *c) {
        for (size_t i = 0; i < c->n_dirs; i++)
                store_dir_free(c->dirs[i]);
        free(c->dirs);
        *c = STORE_CACHE_INIT(c->root);
}

/* The number of entries, estimated without listing: a directory's link
 * count is 2 plus its subdirectories (store paths are mostly directories)
 * where the file system keeps it (ext4 up to 65 000, then 1); else its size
 * over 32 bytes an entry (ext4 and btrfs take more per name, tmpfs 20). A
 * third of that in questions costs about what one listing does. */
static size_t list_threshold(int fd) {
        struct stat st;
        size_t entries;

        if (fstat(fd, &st) < 0)
                return STORE_CACHE_LIST_AFTER;
        entries = st.st_nlink > 2 ? (size_t) st.st_nlink - 2 : (size_t) st.st_size / 32;
        return MAX(entries / 3, (size_t) STORE_CACHE_LIST_AFTER);
}

static int store_dir_open(Root *root, const char *store_dir, StoreDir **ret) {
        _cleanup_free_ char *resolved = NULL, *full = NULL;
        StoreDir *s;
        int r;

        r = chase_under_root(root, store_dir, &resolved);
        if (r < 0)
                return r;
        full = root_prefix(root, resolved);
        if (!full)
                return -ENOMEM;
        s = calloc(1, sizeof *s);
        if (!s)
                return -ENOMEM;
        s->fd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        s->path = strdup(store_dir);
        if (s->fd < 0 || !s->path) {
                r = s->fd < 0 ? negative_errno() : -ENOMEM;
                store_dir_free(s);
                return r;
        }
        s->list_after = list_threshold(s->fd);
        *ret = s;
        return 0;
}

static int remember(StoreDir *s, const char *name, StoreEntryType type) {
        ssize_t i = path_index_intern(&s->names, name);

        if (i < 0)
                return (int) i;
        if (GREEDY_REALLOC(s->types, s->allocated_types, (size_t) i + 1, 256) < 0)
                return -ENOMEM;
        s->types[i] = (unsigned char) type;
        return 0;
}

/* readlinkat() tells all three apart (a symlink, EINVAL for anything
 * else, ENOENT) and costs a quarter less than fstatat(), which fills a
 * struct stat this does not need. */
static int stat_entry(StoreDir *s, const char *name, StoreEntryType *ret) {
        char c;

        if (readlinkat(s->fd, name, &c, 1) >= 0)
                *ret = STORE_ENTRY_SYMLINK;
        else if (errno == EINVAL)
                *ret = STORE_ENTRY_OTHER;
        else if (errno == ENOENT)
                *ret = STORE_ENTRY_MISSING;
        else
                return negative_errno();
        return 0;
}

/* The set of entries a listing found that are no symlinks, as 64-bit
 * hashes: one cache line to look at, where a table of 50 000 names costs
 * a miss for the slot, the pointer and the string. A collision (about one
 * in 10^10 for a 50 000-entry store) could only take a missing path for
 * present, and then systemd fails the unit's start on the missing bind. */
static uint64_t *present_slot(uint64_t *slots, size_t n_slots, uint64_t h) {
        size_t mask = n_slots - 1;

        for (size_t i = h & mask;; i = (i + 1) & mask)
                if (slots[i] == 0 || slots[i] == h)
                        return &slots[i];
}

static uint64_t present_hash(const char *name) {
        uint64_t h = path_hash(name, strlen(name));
        return h ?: 1; /* 0 marks an empty slot */
}

static int present_add(StoreDir *s, size_t *n, const char *name) {
        uint64_t h = present_hash(name);

        if ((*n + 1) * 2 > s->n_present_slots) {
                size_t k = s->n_present_slots ? s->n_present_slots * 2 : 4096;
                uint64_t *slots = calloc(k, sizeof *slots);

                if (!slots)
                        return -ENOMEM;
                for (size_t i = 0; i < s->n_present_slots; i++)
                        if (s->present[i] != 0)
                                *present_slot(slots, k, s->present[i]) = s->present[i];
                free(s->present);
                s->present = slots;
                s->n_present_slots = k;
        }
        uint64_t *slot = present_slot(s->present, s->n_present_slots, h);
        *n += *slot == 0;
        *slot = h;
        return 0;
}

static bool present_contains(const StoreDir *s, const char *name) {
        return s->n_present_slots > 0 && *present_slot(s->present, s->n_present_slots, present_hash(name)) != 0;
}

static int list_all(StoreDir *s) {
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        size_t n_present = 0;
        int r;

        /* Afresh, should an earlier listing have failed half way. */
        free(s->present);
        s->present = NULL;
        s->n_present_slots = 0;

        r = opendir_at(s->fd, ".", 0, &d);
        if (r < 0)
                return r;
        while ((errno = 0, de = readdir(d))) {
                StoreEntryType type = STORE_ENTRY_MISSING;

                if (de->d_name[0] == '.' && (de->d_name[1] == '\0' || (de->d_name[1] == '.' && de->d_name[2] == '\0')))
                        continue;
                if (de->d_type == DT_UNKNOWN) {
                        r = stat_entry(s, de->d_name, &type);
                        if (r < 0)
                                return r;
                } else
                        type = de->d_type == DT_LNK ? STORE_ENTRY_SYMLINK : STORE_ENTRY_OTHER;
                if (type == STORE_ENTRY_SYMLINK || path_index_find(&s->names, de->d_name) >= 0)
                        r = remember(s, de->d_name, type);
                else
                        r = present_add(s, &n_present, de->d_name);
                if (r < 0)
                        return r;
        }
        if (errno != 0)
                return negative_errno();
        s->listed = true;
        return 0;
}

int store_cache_lookup(StoreCache *c, const char *store_dir, const char *name, StoreEntryType *ret) {
        StoreDir *s = NULL;
        ssize_t i;
        int r;

        /* Once per closure path: no asserts on the way. */

        for (size_t k = 0; k < c->n_dirs && !s; k++)
                if (streq(c->dirs[k]->path, store_dir))
                        s = c->dirs[k];
        if (!s) {
                if (GREEDY_REALLOC(c->dirs, c->allocated_dirs, c->n_dirs + 1, 4) < 0)
                        return -ENOMEM;
                r = store_dir_open(c->root, store_dir, &s);
                if (r < 0)
                        return r;
                assert(s);
                c->dirs[c->n_dirs++] = s;
        }

        i = path_index_find(&s->names, name);
        if (i < 0 && !s->listed && s->names.n >= s->list_after) {
                r = list_all(s);
                if (r < 0)
                        return r;
                i = path_index_find(&s->names, name); /* a symlink now has its name there */
        }
        if (i >= 0) {
                assert(s->types); /* every name interned has its type */
                *ret = (StoreEntryType) s->types[i];
                return 0;
        }
        if (s->listed) {
                *ret = present_contains(s, name) ? STORE_ENTRY_OTHER : STORE_ENTRY_MISSING;
                return 0;
        }

        r = stat_entry(s, name, ret);
        if (r < 0)
                return r;
        return remember(s, name, *ret);
}

void store_cache_next_spec(StoreCache *c, size_t specs_left) {
        assert(c);

        for (size_t k = 0; k < c->n_dirs; k++) {
                StoreDir *s = c->dirs[k];
                size_t added = s->names.n - s->names_at_spec;
                bool judge = s->warm; /* the first spec's names are all new */
                int r;

                s->names_at_spec = s->names.n;
                s->warm = s->names.n > 0;
                if (s->listed || !judge || s->names.n + added * specs_left < s->list_after)
                        continue;
                /* On failure the questions go one by one, as before. */
                r = list_all(s);
                if (r < 0)
                        log_debug_errno(r, "Cannot list %s, asking entry by entry: %m", s->path);
        }
}
