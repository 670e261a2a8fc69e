/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Logging for a generator: at boot there is no journal socket yet, so, as
 * systemd's own generators do, messages go to /dev/kmsg unless stderr is a
 * terminal. This is the only global state of the library. */

#include <syslog.h>

#include "macro.h"

typedef enum LogTarget {
        LOG_TARGET_AUTO,    /* a tty on stderr: stderr; in a service whose stderr
                               is the journal ($JOURNAL_STREAM): stderr with a
                               "<level>" prefix; run by systemd as a generator
                               ($SYSTEMD_SCOPE): kmsg; else (by hand) stderr */
        LOG_TARGET_CONSOLE, /* stderr */
        LOG_TARGET_KMSG,
} LogTarget;

void log_setup(const char *ident, LogTarget target);
void log_close(void);
void log_set_max_level(int level);
int log_get_max_level(void);
/* Reads SYSTEMD_LOG_LEVEL ("debug", "info", … or a number 0-7) and
 * SYSTEMD_LOG_TARGET ("console", "kmsg" or "auto"), as systemd's tools do. */
void log_parse_environment(void);
int log_level_from_string(const char *s);

/* Writes one message and returns -abs(error) (or 0 when error is 0), so
 * that callers can "return log_error_errno(r, ...)". %m prints error. */
int log_internal(int level, int error, const char *fmt, ...) _printf_(3, 4);

#define log_full_errno(level, error, ...) log_internal((level), (error), __VA_ARGS__)
#define log_debug(...) log_internal(LOG_DEBUG, 0, __VA_ARGS__)
#define log_info(...) log_internal(LOG_INFO, 0, __VA_ARGS__)
#define log_notice(...) log_internal(LOG_NOTICE, 0, __VA_ARGS__)
#define log_warning(...) log_internal(LOG_WARNING, 0, __VA_ARGS__)
#define log_error(...) log_internal(LOG_ERR, 0, __VA_ARGS__)
#define log_debug_errno(e, ...) log_internal(LOG_DEBUG, (e), __VA_ARGS__)
#define log_warning_errno(e, ...) log_internal(LOG_WARNING, (e), __VA_ARGS__)
#define log_error_errno(e, ...) log_internal(LOG_ERR, (e), __VA_ARGS__)
#define log_oom() log_internal(LOG_ERR, ENOMEM, "Out of memory.")
