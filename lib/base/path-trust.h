/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "chase.h"

/* Files that decide a security boundary must not be plantable by an
 * unprivileged user. As sshd's StrictModes does, every component of the
 * resolved path, from "/" down, must be owned by root (or by the user
 * running us, for tests) and not writable by group or others. A sticky
 * directory writable by others (/nix/store is root:nixbld 1775) is
 * accepted: nobody but the owner can replace what it holds, and what it
 * holds is checked in turn. */

/* 0 when trusted; -EPERM with *ret_reason (to free) naming the component
 * and what is wrong; another negative errno when it cannot be checked.
 * 0 without looking when root says trust_all. */
int path_check_trusted(Root *root, const char *path, char **ret_reason);

/* The standard for the source of a bind the spec asks for: every
 * directory above the resolved path as above, the source itself owned by
 * anyone (a service's state directory may be its user's) unless it lies in
 * a sticky directory others may write, where it must be root's. A source
 * that does not exist (an optional bind) has its nearest existing parent
 * checked as a whole. Returns as path_check_trusted(), but looks also when
 * root says trust_all: that covers the files a spec is made of, not what
 * it binds. */
int path_check_trusted_source(Root *root, const char *path, char **ret_reason);
