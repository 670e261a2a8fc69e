/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The system unit search path, as the system manager builds it. */

#include <stdbool.h>
#include <stddef.h>

/* Where the system manager's generators write (argv[1] to argv[3]): the
 * unit search path has them as its generator, early and late entries. */
typedef struct GeneratorDirs {
        const char *normal, *early, *late;
} GeneratorDirs;

/* systemd's own: /run/systemd/generator, .early and .late. */
extern const GeneratorDirs generator_dirs_default;

/* The system unit search path, as the system manager builds it
 * (systemd.unit(5)): $SYSTEMD_UNIT_PATH alone when it is set and does not
 * end in ":"; else its entries, then the default path, which only
 * libsystemd knows with the distribution's additions (NixOS adds its own).
 * libsystemd is asked with sd_path_lookup_strv(), but the numbering of
 * SD_PATH_* moved between 252 and 258 (every value after 39): a binary
 * built with 252's headers asking a newer library for the system unit
 * search path gets /etc/systemd/user. So an answer counts only when it
 * holds the entries every system manager has, in their documented order
 * (unit_search_path_plausible()); when the answer to the value of our
 * headers does not, the one value that answers such a path is taken, and
 * when no single value does, *ret_doubt says why the path cannot be
 * established: every spec must then fail closed with that reason. The
 * generator entries are replaced by dirs (NULL: the defaults). */
int unit_search_path(const GeneratorDirs *dirs, char ***ret, char **ret_doubt);

/* The same from its inputs, for tests: env is $SYSTEMD_UNIT_PATH (NULL:
 * unset), library the answers of libsystemd to try in order (NULL ends,
 * a NULL answer is a failed lookup; the first is the value of our
 * headers). */
int unit_search_path_build(const char *env, char **const *library, size_t n_library, const GeneratorDirs *dirs,
                           char ***ret, char **ret_doubt);

/* Whether l has the entries of every system manager's unit search path:
 * /run/systemd/transient, generator.early, /etc/systemd/system,
 * /run/systemd/system, generator and generator.late, in this order, and
 * only absolute entries. */
bool unit_search_path_plausible(char *const *l);
