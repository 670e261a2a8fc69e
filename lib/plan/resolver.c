/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <string.h>

#include "log.h"
#include "strv.h"
#include "resolver.h"
#include "systemd-version.h"
#include "unit-info.h"

int resolver_init(Resolver *r, Root *root, const GeneratorDirs *dirs) {
        int k;

        assert(r);
        assert(root);

        *r = (Resolver) { .cache = CLOSURE_CACHE_INIT(root) };
        k = unit_search_path(dirs, &r->search_path, &r->search_path_doubt);
        if (k < 0)
                return log_error_errno(k, "Cannot build the unit search path: %m");
        r->units = UNIT_LOOKUP_INIT(root, r->search_path);
        r->systemd_version = systemd_version_probe(root);
        if (r->search_path_doubt)
                log_error("Cannot establish how systemd finds units: %s; every spec fails closed.",
                          r->search_path_doubt);
        return 0;
}

void resolver_set_search_path(Resolver *r, char **path) {
        assert(r);
        assert(path);

        unit_lookup_done(&r->units);
        strv_free(r->search_path);
        r->search_path = path;
        r->units = UNIT_LOOKUP_INIT(r->cache.root, path);
        free(r->search_path_doubt);
        r->search_path_doubt = NULL;
}

void resolver_next_spec(Resolver *r, size_t specs_left) {
        assert(r);

        store_cache_next_spec(&r->cache.store, specs_left);
}

void resolver_done(Resolver *r) {
        closure_cache_done(&r->cache);
        unit_lookup_done(&r->units);
        strv_free(r->search_path);
        r->search_path = NULL;
        free(r->search_path_doubt);
        r->search_path_doubt = NULL;
}

int resolver_resolve(Resolver *r, const SpecEntry *e, const char *unit, Confinement **ret, Diag *d) {
        _cleanup_(unit_info_done) UnitInfo info = { .private_tmp = -1 };
        _cleanup_spec_ Spec *spec = NULL;
        int k;

        assert(r);
        assert(e);
        assert(unit);
        assert(ret);
        assert(d);

        diag_set_file(d, e->path);

        if (e->distrust)
                return diag_error(d, EPERM, NULL, "refusing a spec an unprivileged user could change: %s.",
                                  e->distrust);

        /* Whether the unit sets RootDirectoryStartOnly= or what its
         * ExecStart= names cannot be judged without its files. */
        if (r->search_path_doubt)
                return diag_error(d, ENOENT, NULL, "cannot establish how systemd finds %s: %s.", unit,
                                  r->search_path_doubt);

        k = spec_load(r->cache.root, e->path, &spec, d);
        if (k >= 0) {
                k = unit_info_load(&r->units, unit, spec->store_dir, &info);
                if (k >= 0 && !info.found)
                        /* Confined from its first start once installed. */
                        log_warning("%s: %s does not exist (yet); confining it all the same.", e->path, unit);
        }
        if (k >= 0)
                k = confinement_resolve(&r->cache, &info, unit, spec, ret, d);
        if (k >= 0)
                (*ret)->systemd_version = r->systemd_version;
        if (k == -ENOMEM && !d->reason)
                diag_error(d, ENOMEM, NULL, "out of memory.");
        return k;
}
