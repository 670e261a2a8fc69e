/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>

#include "macro.h"
#include "needs.h"

/* What each need binds. Required members are on every system that
 * offers the service at all (systemd 252+, glibc); optional ones depend on
 * the distribution or on a daemon that may not run (nscd, userdb), and are
 * skipped when missing. Sockets are runtime members (needs.h): at boot the
 * generator runs before any socket exists. Keep in step with
 * confinement.d(5). */

static const NeedMember dns_members[] = {
        { "/etc/resolv.conf", false, false },
        { "/etc/hosts", false, false },
        { "/etc/nsswitch.conf", false, false },
        { "/etc/host.conf", true, false },
        { "/etc/services", true, false },
        { "/etc/protocols", true, false },
        /* nscd or nsncd (NixOS's glibc resolves through it) */
        { "/run/nscd/socket", true, true },
};

static const NeedMember tls_members[] = {
        /* the bundle where Debian's and nixpkgs' OpenSSL, GnuTLS and curl
         * look by default (NixOS: a link through /etc/static into the store) */
        { "/etc/ssl/certs/ca-certificates.crt", false, false },
        { "/etc/ssl/cert.pem", true, false },             /* NixOS, Alpine, LibreSSL's default */
        { "/etc/pki/tls/certs/ca-bundle.crt", true, false }, /* Fedora */
        { "/usr/share/ca-certificates", true, false },    /* Debian: what /etc/ssl/certs' hashed links point to */
};

static const NeedMember users_members[] = {
        { "/etc/passwd", false, false },
        { "/etc/group", false, false },
        { "/etc/nsswitch.conf", false, false },
        { "/run/nscd/socket", true, true },
        /* nss-systemd's userdb sockets: the names of DynamicUser= */
        { "/run/systemd/userdb", true, true },
};

static const NeedMember time_members[] = {
        /* and the zone file it points to; not the whole zone database */
        { "/etc/localtime", false, false },
};

static const NeedMember locale_members[] = {
        { "/usr/lib/locale", true, false },
        { "/etc/locale.conf", true, false },
        { "/etc/default/locale", true, false }, /* Debian */
        /* NixOS: LOCALE_ARCHIVE names glibcLocales' archive in the store;
         * the module adds it to the closure (data/nixos/confinement.nix) */
        { "/run/current-system/sw/lib/locale/locale-archive", true, false },
};

static const NeedMember journal_members[] = {
        { "/run/systemd/journal/socket", false, true },
        { "/run/systemd/journal/stdout", false, true },
        { "/run/systemd/journal/dev-log", false, true },
        { "/dev/log", false, true },
};

static const NeedMember dbus_members[] = {
        { "/run/dbus/system_bus_socket", false, true },
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
