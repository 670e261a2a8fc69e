/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "alloc-util.h"
#include "macro.h"
#include "spec-entry.h"
#include "unit-name.h"

int spec_entry_unit(const SpecEntry *e, char **ret, const char **reason) {
        _cleanup_free_ char *unit = NULL;
        int r;

        assert(e);
        assert(ret);
        assert(reason);

        unit = strndup(e->name, strlen(e->name) - strlen(SPEC_SUFFIX));
        if (!unit)
                return -ENOMEM;
        r = unit_name_classify_service(unit, NULL, reason);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(unit);
        return 0;
}

static const SpecEntry *find_by_name(const SpecEntries *entries, const char *name) {
        for (size_t i = 0; i < entries->n; i++)
                if (streq(entries->entries[i].name, name))
                        return &entries->entries[i];
        return NULL;
}

const SpecEntry *spec_entries_find_for_unit(const SpecEntries *entries, const char *unit) {
        _cleanup_free_ char *name = NULL, *template_name = NULL;
        const char *at, *dot;
        const SpecEntry *e;

        assert(entries);
        assert(unit);

        at = strchr(unit, '@');
        dot = strrchr(unit, '.');
        if (asprintf(&name, "%s" SPEC_SUFFIX, unit) < 0)
                return NULL;
        e = find_by_name(entries, name);
        if (e || !at || !dot || at + 1 == dot)
                return e;
        if (asprintf(&template_name, "%.*s%s" SPEC_SUFFIX, (int) (at - unit + 1), unit, dot) < 0)
                return NULL;
        return find_by_name(entries, template_name);
}
