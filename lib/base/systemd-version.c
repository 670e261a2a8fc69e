/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "log.h"
#include "macro.h"
#include "systemd-version.h"

unsigned systemd_version_parse(const char *s) {
        unsigned long v = 0;

        assert(s);

        if (*s < '0' || *s > '9')
                return 0;
        for (; *s >= '0' && *s <= '9'; s++) {
                v = v * 10 + (unsigned long) (*s - '0');
                if (v > 100000) /* no version number, an overflow soon */
                        return 0;
        }
        return (unsigned) v;
}

unsigned systemd_version_from_maps(const char *path) {
        static const char marker[] = "/libsystemd-shared-";
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_free_ char *line = NULL;
        size_t allocated = 0;

        assert(path);

        f = fopen(path, "re");
        if (!f) {
                log_debug_errno(errno, "Cannot read %s, the running systemd's version is unknown: %m", path);
                return 0;
        }
        while (getline(&line, &allocated, f) >= 0) {
                const char *p = strstr(line, marker);
                unsigned v;

                if (!p)
                        continue;
                v = systemd_version_parse(p + strlen(marker));
                if (v > 0)
                        return v;
        }
        log_debug("%s maps no libsystemd-shared-NNN: PID 1 is no systemd we know, its version is unknown.", path);
        return 0;
}

unsigned systemd_version_probe(const Root *root) {
        const char *e = getenv(SYSTEMD_VERSION_ENV);

        assert(root);

        if (e) {
                unsigned v = systemd_version_parse(e);

                if (v == 0 && !streq(e, "0"))
                        log_error(SYSTEMD_VERSION_ENV "=%s: expected a systemd version number (e.g. 257) or 0 "
                                  "(unknown); the version counts as unknown.",
                                  e);
                return v;
        }
        if (!root_is_host(root))
                return 0;
        return systemd_version_from_maps("/proc/1/maps");
}
