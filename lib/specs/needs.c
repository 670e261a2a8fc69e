/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>

#include "macro.h"
#include "needs.h"

/* What each need binds. Required members are on every system that
 * offers the service at all (systemd 252+, glibc); optional ones depend on
 * the distribution or on a daemon that may not run (nscd, userdb, resolved),
 * and are skipped when missing. Keep in step with confinement.d(5). */

static const NeedMember dns_members[] = {
        { "/etc/resolv.conf", false },
        { "/etc/hosts", false },
        { "/etc/nsswitch.conf", false },
        { "/etc/host.conf", true },
        { "/etc/services", true },
        { "/etc/protocols", true },
        /* nscd or nsncd (NixOS's glibc resolves through it) */
        { "/run/nscd/socket", true },
};

static const NeedMember tls_members[] = {
        /* the bundle where Debian's and nixpkgs' OpenSSL, GnuTLS and curl
         * look by default (NixOS: a link through /etc/static into the store) */
        { "/etc/ssl/certs/ca-certificates.crt", false },
        { "/etc/ssl/cert.pem", true },             /* NixOS, Alpine, LibreSSL's default */
        { "/etc/pki/tls/certs/ca-bundle.crt", true }, /* Fedora */
        { "/usr/share/ca-certificates", true },    /* Debian: what /etc/ssl/certs' hashed links point to */
};

static const NeedMember users_members[] = {
        { "/etc/passwd", false },
        { "/etc/group", false },
        { "/etc/nsswitch.conf", false },
        { "/run/nscd/socket", true },
        /* nss-systemd's userdb sockets: the names of DynamicUser= */
        { "/run/systemd/userdb", true },
};

static const NeedMember time_members[] = {
        { "/etc/localtime", false }, /* and the zone file it points to */
        { "/etc/zoneinfo", true },   /* NixOS: TZ= names */
        { "/usr/share/zoneinfo", true },
};

static const NeedMember locale_members[] = {
        { "/usr/lib/locale", true },
        { "/etc/locale.conf", true },
        { "/etc/default/locale", true }, /* Debian */
        /* NixOS: LOCALE_ARCHIVE names glibcLocales' archive in the store;
         * the module adds it to the closure (data/nixos/confinement.nix) */
        { "/run/current-system/sw/lib/locale/locale-archive", true },
};

static const NeedMember journal_members[] = {
        { "/run/systemd/journal/socket", false },
        { "/run/systemd/journal/stdout", false },
        { "/run/systemd/journal/dev-log", false },
        { "/dev/log", false },
};

static const NeedMember dbus_members[] = {
        { "/run/dbus/system_bus_socket", false },
};

typedef struct Need {
        const char *name, *origin;
        const NeedMember *members;
        size_t n;
} Need;

#define NEED(n, m) { n, "need:" n, m, ELEMENTSOF(m) }

static const Need needs[_NEED_MAX] = {
        [NEED_DNS] = NEED("dns", dns_members),
        [NEED_TLS] = NEED("tls", tls_members),
        [NEED_USERS] = NEED("users", users_members),
        [NEED_TIME] = NEED("time", time_members),
        [NEED_LOCALE] = NEED("locale", locale_members),
        [NEED_JOURNAL] = NEED("journal", journal_members),
        [NEED_DBUS] = NEED("dbus", dbus_members),
};

const char *need_to_string(NeedId id) {
        return id >= 0 && id < _NEED_MAX ? needs[id].name : NULL;
}

const char *need_origin_string(NeedId id) {
        return id >= 0 && id < _NEED_MAX ? needs[id].origin : NULL;
}

int need_from_string(const char *name) {
        for (size_t i = 0; i < _NEED_MAX; i++)
                if (streq(name, needs[i].name))
                        return (int) i;
        return -EINVAL;
}

const char *need_names_expected(void) {
        return "\"dns\", \"tls\", \"users\", \"time\", \"locale\", \"journal\" or \"dbus\"";
}

const NeedMember *need_members(NeedId id, size_t *ret_n) {
        if (id < 0 || id >= _NEED_MAX)
                return NULL;
        *ret_n = needs[id].n;
        return needs[id].members;
}
