/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Unit-file syntax as systemd reads it (src/shared/conf-parser.c):
 * [Section] headers, KEY=VALUE assignments with white space trimmed, "#"
 * and ";" comments, and lines continued by a trailing backslash (comment
 * lines inside a continuation are skipped). Values are passed on as
 * written: quoting is the business of each setting, and an empty value
 * (which resets a list) is passed on too. */

#include <stdio.h>

#define UNIT_FILE_LINE_MAX ((size_t) 1024 * 1024)

/* As systemd's parse_boolean(): 1, 0, or -EINVAL. */
int unit_parse_boolean(const char *v);

typedef int (*UnitFileAssignment)(const char *section, const char *key, const char *value, unsigned line,
                                  void *userdata);

/* Calls cb for each assignment, in order. name is for messages. A line
 * that is neither a section, an assignment nor a comment is logged and
 * ignored, as systemd does. Returns the first negative value of cb, or an
 * error for a NUL byte, an overlong line or a read error. */
int unit_file_parse(FILE *f, const char *name, UnitFileAssignment cb, void *userdata);
