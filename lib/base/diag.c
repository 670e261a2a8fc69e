/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <stdarg.h>
#include <string.h>

#include "diag.h"
#include "log.h"

void diag_done(Diag *d) {
        free(d->reason);
        d->reason = NULL; /* the file stays */
}

int diag_error(Diag *d, int error, const char *key, const char *fmt, ...) {
        _cleanup_free_ char *msg = NULL, *full = NULL;
        va_list ap;
        int r;

        assert(d);
        assert(d->file);

        if (error == -ENOMEM)
                return error;
        if (error < 0)
                error = -error;
        if (error == 0)
                error = EINVAL;

        errno = error; /* for %m */
        va_start(ap, fmt);
        r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0)
                return log_oom();

        if (key)
                r = asprintf(&full, "%s: key \"%s\": %s", d->file, key, msg);
        else
                r = asprintf(&full, "%s: %s", d->file, msg);
        if (r < 0)
                return log_oom();

        log_error("%s", full);
        if (!d->reason)
                d->reason = TAKE_PTR(full);
        return -error;
}
