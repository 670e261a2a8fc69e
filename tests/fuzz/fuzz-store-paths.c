/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* closure_parse_store_paths() on a stream of arbitrary bytes: every path
 * it returns is one path_check_safe() accepts, a refusal says why, and the
 * list sorts, deduplicates and is searched as path-list.h promises. */

#include <string.h>

#include "closure-read.h"
#include "fuzz.h"
#include "path-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_fclose_ FILE *f = NULL;
        PathList paths = {};
        Diag d = DIAG_INIT("fuzz.service.json");
        int r;

        fuzz_setup();
        if (size == 0)
                f = fopen("/dev/null", "re");
        else
                f = fmemopen((void *) data, size, "r");
        if (!f)
                return 0;

        r = closure_parse_store_paths(f, "/nix/store/fuzz-closure-info/store-paths", &paths, &d);
        if (r < 0)
                fuzz_assert(r == -ENOMEM || d.reason);
        else
                fuzz_assert(!d.reason);

        for (size_t i = 0; i < paths.n; i++)
                fuzz_assert(path_check_safe(paths.items[i], NULL) == 0);

        if (r >= 0) {
                PathList before = {};

                for (size_t i = 0; i < paths.n; i++)
                        fuzz_assert(path_list_add(&before, paths.items[i]) == 0);

                path_list_sort_unique(&paths);
                fuzz_assert(paths.n <= before.n && (before.n == 0) == (paths.n == 0));
                for (size_t i = 1; i < paths.n; i++)
                        fuzz_assert(strcmp(paths.items[i - 1], paths.items[i]) < 0);
                /* Nothing lost by deduplication. */
                for (size_t i = 0; i < before.n; i++)
                        fuzz_assert(path_list_contains(&paths, before.items[i]));
                fuzz_assert(!path_list_contains(&paths, "relative"));
                path_list_done(&before);
        }

        path_list_done(&paths);
        diag_done(&d);
        return 0;
}
