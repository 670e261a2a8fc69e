/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* spec_parse() on arbitrary bytes: no crash, no leak, and what it accepts
 * is what spec.h promises (paths checked, enums in range, a store
 * directory); what it refuses has a reason in Diag. */

#include <string.h>

#include "fuzz.h"
#include "path-util.h"
#include "spec.h"

static void check_path(const char *p) {
        fuzz_assert(p);
        fuzz_assert(path_check_safe(p, NULL) == 0);
}

static void check_binds(const ExtraBind *b, size_t n) {
        fuzz_assert(n == 0 || b);
        for (size_t i = 0; i < n; i++) {
                check_path(b[i].source);
                check_path(b[i].target);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_spec_ Spec *s = NULL;
        Diag d = {};
        int r;

        fuzz_setup();
        if (size > SPEC_FILE_SIZE_MAX) /* spec_load() refuses these before parsing */
                return 0;

        r = spec_parse("/etc/confinement.d/fuzz.service.json", (const char *) data, size, &s, &d);
        if (r < 0) {
                fuzz_assert(!s);
                /* Every refusal but a failed allocation says why. */
                fuzz_assert(r == -ENOMEM || d.reason);
        } else {
                fuzz_assert(s);
                fuzz_assert(strcmp(s->file, "/etc/confinement.d/fuzz.service.json") == 0);
                fuzz_assert(confinement_mode_to_string(s->mode));
                fuzz_assert(bind_method_to_string(s->bind_method));
                fuzz_assert(unit_roots_to_string(s->unit_roots));
                fuzz_assert(s->n_closure_infos > 0);
                for (size_t i = 0; i < s->n_closure_infos; i++)
                        check_path(s->closure_infos[i]);
                for (size_t i = 0; i < s->n_packages; i++)
                        check_path(s->packages[i]);
                if (s->bin_sh)
                        check_path(s->bin_sh);
                check_binds(s->bind_read_only, s->n_bind_read_only);
                check_binds(s->bind_writable, s->n_bind_writable);
                check_path(s->store_dir);
                fuzz_assert(strcmp(s->store_dir, "/") != 0);
                (void) spec_names_roots(s);
        }
        diag_done(&d);
        return 0;
}
