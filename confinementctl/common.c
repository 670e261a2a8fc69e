/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <jansson.h>
#include <string.h>
#include <strings.h>

#include "alloc-util.h"
#include "ctl.h"
#include "dropin.h"
#include "log.h"
#include "macro.h"
#include "unit-name.h"

bool colors_enabled(void) {
        static int cached = -1;
        const char *e;

        if (cached >= 0)
                return cached;
        e = getenv("SYSTEMD_COLORS");
        if (e) {
                /* A boolean, or a colour mode ("16", "256", "24bit"): on. */
                cached = !(strcasecmp(e, "0") == 0 || strcasecmp(e, "no") == 0 || strcasecmp(e, "false") == 0 ||
                           strcasecmp(e, "off") == 0 || strcasecmp(e, "n") == 0 || strcasecmp(e, "f") == 0);
                return cached;
        }
        e = getenv("TERM");
        cached = !getenv("NO_COLOR") && !(e && streq(e, "dumb")) && isatty(STDOUT_FILENO);
        return cached;
}

const char *ansi(const char *code) {
        return colors_enabled() ? code : "";
}

int parse_unit_argument(const char *arg, char **ret) {
        static const char *const types[] = {
                ".service", ".socket", ".target", ".device", ".mount", ".automount",
                ".swap", ".timer", ".path", ".slice", ".scope",
        };
        _cleanup_free_ char *unit = NULL;
        const char *dot = strrchr(arg, '.'), *why;
        bool typed = false;

        assert(arg);
        assert(ret);

        /* As systemctl: a name without a unit type is a service. */
        for (size_t i = 0; dot && i < ELEMENTSOF(types); i++)
                typed = typed || streq(dot, types[i]);
        if (typed)
                unit = strdup(arg);
        else if (asprintf(&unit, "%s.service", arg) < 0)
                unit = NULL;
        if (!unit)
                return log_oom();
        if (unit_name_classify_service(unit, NULL, &why) < 0)
                return log_error_errno(EINVAL, "\"%s\" %s; specs confine service units only.", unit, why);
        *ret = TAKE_PTR(unit);
        return 0;
}

/* "DIR:DIR..." as a list; empty entries are skipped. */
static int split_unit_path(const char *s, char ***ret) {
        _cleanup_free_ char *copy = strdup(s);
        char **l = NULL, *state = NULL;
        size_t n = 0, allocated = 0;

        if (!copy)
                return -ENOMEM;
        for (char *w = strtok_r(copy, ":", &state); w; w = strtok_r(NULL, ":", &state)) {
                if (GREEDY_REALLOC(l, allocated, n + 2, 8) < 0) {
                        strv_free(l);
                        return -ENOMEM;
                }
                l[n] = strdup(w);
                l[++n] = NULL;
                if (!l[n - 1]) {
                        strv_free(l);
                        return -ENOMEM;
                }
        }
        if (!l)
                return -EINVAL;
        *ret = l;
        return 0;
}

Root ctl_root(void) {
        return (Root) { .path = arg_root, .trust_all = arg_no_trust_check };
}

int ctl_resolver_init(Resolver *r, Root *root) {
        char **path = NULL;
        int k;

        assert(r);
        assert(root);

        k = resolver_init(r, root, NULL);
        if (k < 0 || !arg_unit_path)
                return k;
        k = split_unit_path(arg_unit_path, &path);
        if (k == -ENOMEM)
                return log_oom();
        if (k < 0)
                return log_error_errno(k, "--unit-path= names no directory: \"%s\".", arg_unit_path);
        /* the directories given: no doubt about systemd's search path */
        resolver_set_search_path(r, path);
        return 0;
}

int quiet_begin(void) {
        int saved = log_get_max_level();

        if (saved < LOG_DEBUG)
                log_set_max_level(LOG_CRIT);
        return saved;
}

void quiet_end(int saved) {
        log_set_max_level(saved);
}

static const char *const entry_state_names[_ENTRY_STATE_MAX] = {
        [ENTRY_VALID] = "valid",
        [ENTRY_INVALID] = "invalid",
        [ENTRY_MASKED] = "masked",
        [ENTRY_IGNORED] = "ignored",
};

const char *entry_state_to_string(EntryState s) {
        return s >= 0 && s < _ENTRY_STATE_MAX ? entry_state_names[s] : NULL;
}

const char *entry_state_color(EntryState s) {
        switch (s) {
        case ENTRY_VALID: return ANSI_GREEN;
        case ENTRY_INVALID: return ANSI_RED;
        case ENTRY_IGNORED: return ANSI_YELLOW;
        default: return ANSI_GREY;
        }
}

void resolved_done(Resolved *r) {
        assert(r);

        free(r->unit);
        confinement_free(r->confinement);
        free(r->reason);
        *r = (Resolved) {};
}

int resolve_entry(Resolver *resolver, const SpecEntry *e, bool quiet, Resolved *ret) {
        _cleanup_(diag_done) Diag d = {};
        _cleanup_free_ char *unit = NULL;
        Confinement *c = NULL;
        const char *why;
        int r, saved;

        assert(resolver);
        assert(e);
        assert(ret);

        *ret = (Resolved) { .entry = e };

        unit = spec_entry_unit(e, &why);
        if (!unit) {
                if (streq(why, "out of memory"))
                        return log_oom();
                ret->state = ENTRY_IGNORED;
                if (asprintf(&ret->reason,
                             "%s: \"%.*s\" %s; the file name must be UNIT.json for a service unit, so the generator "
                             "skips it.",
                             e->path, (int) (strlen(e->name) - strlen(SPEC_SUFFIX)), e->name, why) < 0)
                        return log_oom();
                return 0;
        }

        /* A mask an unprivileged user could have planted does not count. */
        if (e->masked && !e->distrust) {
                ret->state = ENTRY_MASKED;
                ret->unit = TAKE_PTR(unit);
                return 0;
        }

        saved = quiet ? quiet_begin() : -1;
        r = resolver_resolve(resolver, e, unit, &c, &d);
        if (quiet)
                quiet_end(saved);
        if (r == -ENOMEM)
                return log_oom();

        ret->unit = TAKE_PTR(unit);
        if (r >= 0) {
                ret->state = ENTRY_VALID;
                ret->confinement = c;
        } else {
                ret->state = ENTRY_INVALID;
                /* NULL as for the generator: the drop-in says why generically. */
                ret->reason = TAKE_PTR(d.reason);
        }
        return 0;
}

int load_entries(Root *root, SpecEntries *ret) {
        int r;

        assert(root);
        assert(ret);

        r = spec_dirs_enumerate(root, ret);
        if (r < 0)
                return log_error_errno(r, "Cannot list the spec directories: %m");
        return 0;
}

void rendered_done(Rendered *r) {
        assert(r);

        free(r->dropin_path);
        free(r->dropin);
        free(r->mount_path);
        free(r->mount);
        *r = (Rendered) {};
}

static int render_confined(FILE *f, const void *userdata) {
        return dropin_render(userdata, f);
}

static int render_fail_closed(FILE *f, const void *userdata) {
        const Resolved *res = userdata;
        return dropin_render_fail_closed(res->entry->path, res->reason, f);
}

static int render_view_mount(FILE *f, const void *userdata) {
        return store_view_mount_render(userdata, f);
}

int render_resolved(const Resolved *res, Rendered *ret) {
        _cleanup_(rendered_done) Rendered out = {};
        int r;

        assert(res);
        assert(ret);

        *ret = (Rendered) {};
        if (res->state != ENTRY_VALID && res->state != ENTRY_INVALID)
                return 0;

        if (asprintf(&out.dropin_path, GENERATOR_DIR "/%s.d/" DROPIN_NAME, res->unit) < 0)
                return log_oom();
        if (res->state == ENTRY_VALID)
                r = render_to_string(render_confined, res->confinement, &out.dropin, NULL);
        else
                r = render_to_string(render_fail_closed, res, &out.dropin, NULL);
        if (r < 0)
                return log_error_errno(r, "%s: cannot render the drop-in of %s: %m", res->entry->path, res->unit);

        if (res->state == ENTRY_VALID && res->confinement->view_dir) {
                _cleanup_free_ char *name = store_view_mount_name(res->confinement->store_dir);

                if (!name || asprintf(&out.mount_path, GENERATOR_DIR "/%s", name) < 0)
                        return log_oom();
                r = render_to_string(render_view_mount, res->confinement->store_dir, &out.mount, NULL);
                if (r < 0)
                        return log_error_errno(r, "Cannot render %s: %m", name);
        }

        /* Handed over: disarm the cleanup. */
        *ret = out;
        memset(&out, 0, sizeof out);
        return 0;
}

int read_full_file(const char *path, char **ret) {
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_free_ char *buf = NULL;
        size_t size = 0, allocated = 0;

        assert(path);
        assert(ret);

        f = fopen(path, "re");
        if (!f)
                return negative_errno();
        for (;;) {
                size_t k;

                /* At least 4096 bytes to read into, and one for the NUL. */
                if (GREEDY_REALLOC(buf, allocated, size + 4096 + 1, 8192 + 1) < 0)
                        return -ENOMEM;
                k = fread(buf + size, 1, allocated - 1 - size, f);
                size += k;
                if (k == 0)
                        break;
        }
        if (ferror(f))
                return -EIO;
        buf[size] = '\0';
        *ret = TAKE_PTR(buf);
        return 0;
}

int json_print_new(json_t *doc) {
        json_auto_t *d = doc;

        if (!d)
                return log_oom();
        if (json_dumpf(d, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0)
                return log_error_errno(EIO, "Cannot write the output.");
        putchar('\n');
        return 0;
}
