/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "unit-file.h"

static const char *skip_space(const char *s) {
        while (isspace((unsigned char) *s))
                s++;
        return s;
}

int unit_parse_boolean(const char *v) {
        static const char *const yes[] = { "1", "yes", "y", "true", "t", "on" };
        static const char *const no[] = { "0", "no", "n", "false", "f", "off" };

        for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
                if (strcasecmp(v, yes[i]) == 0)
                        return 1;
                if (strcasecmp(v, no[i]) == 0)
                        return 0;
        }
        return -EINVAL;
}

static char *strip(char *s) {
        char *e;

        while (isspace((unsigned char) *s))
                s++;
        e = s + strlen(s);
        while (e > s && isspace((unsigned char) e[-1]))
                *--e = '\0';
        return s;
}

static int parse_logical_line(char *l, const char *name, unsigned line, char **section, UnitFileAssignment cb,
                              void *userdata) {
        char *eq;

        if (*l == '\0' || *l == '#' || *l == ';')
                return 0;
        if (*l == '[') {
                size_t n = strlen(l);
                char *s;

                /* systemd warns and ignores what it cannot read; so do we,
                 * to see the unit exactly as systemd will. */
                if (n < 3 || l[n - 1] != ']') {
                        log_warning("%s:%u: invalid section header \"%.80s\", ignoring.", name, line, l);
                        return 0;
                }
                s = strndup(l + 1, n - 2);
                if (!s)
                        return -ENOMEM;
                free(*section);
                *section = s;
                return 0;
        }

        eq = strchr(l, '=');
        if (!eq) {
                log_warning("%s:%u: expected KEY=VALUE, a [Section] or a comment, got \"%.80s\", ignoring.", name,
                            line, l);
                return 0;
        }
        *eq = '\0';
        return cb(*section ?: "", strip(l), strip(eq + 1), line, userdata);
}

int unit_file_parse(FILE *f, const char *name, UnitFileAssignment cb, void *userdata) {
        _cleanup_free_ char *buf = NULL, *continued = NULL, *section = NULL;
        size_t allocated = 0, continued_len = 0;
        unsigned line = 0, first_line = 0;
        ssize_t n;
        int r;

        assert(f);
        assert(name);
        assert(cb);

        while ((errno = 0, n = getline(&buf, &allocated, f)) >= 0) {
                char *l;
                size_t len;
                bool more;

                line++;
                if ((size_t) n != strlen(buf))
                        return log_error_errno(EBADMSG, "%s:%u: contains a NUL byte.", name, line);
                /* As systemd's read_line(): the line without "\n" or "\r\n",
                 * and otherwise as written: continued lines are joined
                 * before white space is trimmed. */
                l = buf;
                len = (size_t) n;
                if (len > 0 && l[len - 1] == '\n')
                        l[--len] = '\0';
                if (len > 0 && l[len - 1] == '\r')
                        l[--len] = '\0';

                /* Comment lines are skipped everywhere, inside a
                 * continuation or not, and never continue one. */
                if (*skip_space(l) == '#' || *skip_space(l) == ';')
                        continue;

                /* A trailing backslash continues the line, unless it is
                 * itself escaped ("\\\\"); it becomes a space, as in systemd. */
                more = false;
                for (size_t i = 0; i < len; i++)
                        if (l[i] == '\\')
                                more = ++i == len;
                if (more)
                        l[len - 1] = ' ';

                if (continued || more) {
                        char *c;

                        if (continued_len + len > UNIT_FILE_LINE_MAX)
                                return log_error_errno(ENOBUFS, "%s:%u: continued line too long.", name, line);
                        c = realloc(continued, continued_len + len + 1);
                        if (!c)
                                return -ENOMEM;
                        if (!continued)
                                first_line = line;
                        continued = c;
                        memcpy(continued + continued_len, l, len + 1);
                        continued_len += len;
                        if (more)
                                continue;
                        r = parse_logical_line(strip(continued), name, first_line, &section, cb, userdata);
                        free(continued);
                        continued = NULL;
                        continued_len = 0;
                } else
                        r = parse_logical_line(strip(l), name, line, &section, cb, userdata);
                if (r < 0)
                        return r;
        }
        if (errno != 0)
                return log_error_errno(errno, "%s: cannot read: %m", name);
        if (continued)
                return parse_logical_line(strip(continued), name, first_line, &section, cb, userdata);
        return 0;
}
