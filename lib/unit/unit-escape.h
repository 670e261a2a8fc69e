/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Writing values into unit files so that systemd reads them back exactly,
 * on every version from 252 to 262. systemd expands specifiers ("%n") in
 * most settings, so every "%" is doubled; list settings such as BindPaths=
 * and RequiresMountsFor= are also split at white space and unquoted, and
 * BindPaths= splits each word at ":", so ":", "\" and the quoting
 * characters get a backslash. A word with white space is put in double
 * quotes: systemd 258 and later split these settings with C unescaping,
 * which rejects "\ " (and 252 to 257 read "\t" as "t"), while every
 * version keeps a space inside quotes. Control characters and quotes are
 * refused before (spec.c: systemd 255 and later lose quotes on the way to
 * sd-executor), so every path a spec may hold is written. */

/* For a word of a list setting (BindPaths=, RequiresMountsFor=, …). */
char *unit_escape_word(const char *s);
/* The same, written at buf, which has room for twice the length of s
 * and two quotes (once per closure path: no allocation); returns the end,
 * unterminated. */
char *unit_escape_word_into(char *buf, const char *s);

/* For a setting that takes its whole value as one path (RootDirectory=,
 * AssertPathExists=, Where=). */
char *unit_escape_specifiers(const char *s);

/* The reverse, as systemd's extract_first_word() with EXTRACT_UNQUOTE
 * reads a word: a backslash takes the next character literally, quotes
 * group, and any character of separators ends the word. On return *p
 * points past the separator (NULL at the end) and *ret_separator is the
 * separator met ('\0' at the end). -EINVAL for a dangling backslash or
 * an unterminated quote. */
int unit_extract_word(const char **p, const char *separators, char **ret, char *ret_separator);

/* "%%" -> "%"; -EINVAL for any other specifier. */
int unit_unescape_specifiers(const char *s, char **ret);
