/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The spec key "needs": named sets of host files and sockets a confined
 * service commonly needs (name lookup, CA certificates, ...). This is the
 * one table of what each need binds; the spec stage parses the names
 * (spec.c), the plan stage resolves the members into read-only binds
 * (confinement.c), each member's symlinks followed under the run's root
 * with the trust checks of a bind source (path-trust.h). A member whose
 * chain ends in the store brings that store path into the closure and is
 * bound from its file there. Documented in confinement.d(5). */

#include <stdbool.h>
#include <stddef.h>

typedef enum NeedId {
        NEED_DNS,
        NEED_TLS,
        NEED_USERS,
        NEED_TIME,
        NEED_LOCALE,
        NEED_JOURNAL,
        NEED_DBUS,
        _NEED_MAX,
} NeedId;

/* A spec's needs: bit 1 << id set for each need named; in optional_mask
 * when it was named with a leading "-" (missing sources are skipped). */
typedef struct NeedSet {
        unsigned mask;
        unsigned optional_mask;
} NeedSet;

typedef struct NeedMember {
        const char *path;  /* absolute, normalized; where the service sees it */
        bool optional;     /* absent on many systems (a socket of a daemon that may not run): skipped then */
        /* Made at run time (a socket, by systemd or a daemon), possibly after
         * the generator runs at boot: bound as named, resolved by systemd at
         * each start, which refuses to start the unit while a required one
         * is missing; an optional one is bound with "-". */
        bool runtime;
} NeedMember;

/* "dns", ... ; NULL for an id out of range. */
const char *need_to_string(NeedId id);
/* "need:dns", ...: the origin "confinementctl paths" shows. */
const char *need_origin_string(NeedId id);
/* The id of name (without "-"), or -EINVAL. */
int need_from_string(const char *name);
/* "\"dns\", \"tls\", ... or \"dbus\"": for messages. */
const char *need_names_expected(void);

/* The members of id, *ret_n of them; NULL for an id out of range. */
const NeedMember *need_members(NeedId id, size_t *ret_n);

static inline bool need_set_has(const NeedSet *s, NeedId id) {
        return s->mask & (1u << id);
}
static inline bool need_set_optional(const NeedSet *s, NeedId id) {
        return s->optional_mask & (1u << id);
}
