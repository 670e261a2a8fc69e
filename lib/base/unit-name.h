/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The unit names a spec file may carry, checked as systemd checks them
 * (src/basic/unit-name.c): only service units, plain, template or instance. */

typedef enum UnitNameKind {
        UNIT_NAME_PLAIN,    /* foo.service */
        UNIT_NAME_TEMPLATE, /* foo@.service */
        UNIT_NAME_INSTANCE, /* foo@bar.service */
} UnitNameKind;

#define UNIT_NAME_MAX 255

/* 0 and the kind for a valid service unit name (ret_kind may be NULL);
 * -EINVAL and a static description in *reason otherwise (reason may be
 * NULL). */
int unit_name_classify_service(const char *name, UnitNameKind *ret_kind, const char **reason);

/* "/run/foo bar" + ".mount" -> "run-foo\x20bar.mount", as systemd-escape
 * --path does. path must be absolute and normalized. NULL on OOM. */
char *unit_name_from_path(const char *path, const char *suffix);
