/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "log.h"

static int log_max_level = LOG_INFO;
static int kmsg_fd = -1;
static bool journal_stream = false;
static const char *log_ident = "confinement-generator";

static const char *const level_names[] = {
        [LOG_EMERG] = "emerg", [LOG_ALERT] = "alert", [LOG_CRIT] = "crit",
        [LOG_ERR] = "err",     [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
        [LOG_INFO] = "info",   [LOG_DEBUG] = "debug",
};

/* Whether stderr is the journal stream systemd gave a service: $JOURNAL_STREAM
 * is "DEVICE:INODE" of it, and is inherited by children whose stderr is
 * elsewhere, hence the comparison (as systemd's log.c does). */
static bool stderr_is_journal_stream(void) {
        const char *e = getenv("JOURNAL_STREAM");
        unsigned long long dev, ino;
        struct stat st;
        char *end;

        if (!e)
                return false;
        errno = 0;
        dev = strtoull(e, &end, 10);
        if (errno != 0 || end == e || *end != ':')
                return false;
        e = end + 1;
        ino = strtoull(e, &end, 10);
        if (errno != 0 || end == e || *end != '\0')
                return false;
        if (fstat(STDERR_FILENO, &st) < 0)
                return false;
        return (unsigned long long) st.st_dev == dev && (unsigned long long) st.st_ino == ino;
}

void log_setup(const char *ident, LogTarget target) {
        if (ident)
                log_ident = ident;
        log_close();
        if (target == LOG_TARGET_CONSOLE || (target == LOG_TARGET_AUTO && isatty(STDERR_FILENO)))
                return;
        /* A service's stderr that systemd connected to the journal: there the
         * journal knows the unit, which it may not for a kmsg line of a process
         * that has exited already (journalctl -u, systemctl status). */
        if (target == LOG_TARGET_AUTO && stderr_is_journal_stream()) {
                journal_stream = true;
                return;
        }
        /* systemd (251 and later) sets $SYSTEMD_SCOPE for the generators it
         * runs: without it, someone ran us by hand and reads stderr. */
        if (target == LOG_TARGET_AUTO && !getenv("SYSTEMD_SCOPE"))
                return;
        /* When kmsg cannot be opened (no /dev in a chroot, say), stderr it is. */
        kmsg_fd = open("/dev/kmsg", O_WRONLY | O_NOCTTY | O_CLOEXEC);
}

void log_close(void) {
        if (kmsg_fd >= 0)
                close(kmsg_fd);
        kmsg_fd = -1;
        journal_stream = false;
}

void log_set_max_level(int level) {
        log_max_level = level;
}

int log_get_max_level(void) {
        return log_max_level;
}

int log_level_from_string(const char *s) {
        if (!s || !*s)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(level_names); i++)
                if (strcasecmp(s, level_names[i]) == 0)
                        return (int) i;
        if (strcasecmp(s, "error") == 0)
                return LOG_ERR;
        if (s[0] >= '0' && s[0] <= '7' && s[1] == '\0')
                return s[0] - '0';
        return -EINVAL;
}

void log_parse_environment(void) {
        const char *e;
        int l;

        e = getenv("SYSTEMD_LOG_TARGET");
        if (e) {
                if (streq(e, "console"))
                        log_setup(NULL, LOG_TARGET_CONSOLE);
                else if (streq(e, "kmsg"))
                        log_setup(NULL, LOG_TARGET_KMSG);
                else if (!streq(e, "auto"))
                        log_warning("Unrecognised SYSTEMD_LOG_TARGET=%s, ignoring.", e);
        }

        e = getenv("SYSTEMD_LOG_LEVEL");
        if (!e)
                return;
        l = log_level_from_string(e);
        if (l < 0)
                log_warning("Unrecognised SYSTEMD_LOG_LEVEL=%s, ignoring.", e);
        else
                log_max_level = l;
}

int log_internal(int level, int error, const char *fmt, ...) {
        char buf[2048];
        va_list ap;
        int saved = errno;

        if (error < 0)
                error = -error;
        if (level > log_max_level)
                return -error;

        errno = error; /* for %m */
        va_start(ap, fmt);
        (void) vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);

        if (kmsg_fd >= 0) {
                char prefix[64];
                int n = snprintf(prefix, sizeof prefix, "<%d>%s[%d]: ",
                                 LOG_DAEMON | level, log_ident, (int) getpid());
                struct iovec iov[] = {
                        { .iov_base = prefix, .iov_len = (size_t) n },
                        { .iov_base = buf, .iov_len = strlen(buf) },
                        { .iov_base = (char *) "\n", .iov_len = 1 },
                };
                if (writev(kmsg_fd, iov, ELEMENTSOF(iov)) >= 0)
                        goto finish;
        }
        if (journal_stream)
                /* the level, as the journal reads it (SyslogLevelPrefix=yes) */
                (void) fprintf(stderr, "<%d>%s\n", level, buf);
        else
                (void) fprintf(stderr, "%s\n", buf);
finish:
        errno = saved;
        return -error;
}
