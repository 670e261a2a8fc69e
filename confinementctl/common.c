/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloc-util.h"
#include "bus.h"
#include "ctl.h"
#include "log.h"
#include "macro.h"
#include "strv.h"
#include "systemd-version.h"
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

static int ctl_resolver_init(Ctl *ctl) {
        char **path = NULL;
        int k;

        k = resolver_init(&ctl->resolver, &ctl->root, NULL);
        if (k < 0 || !arg_unit_path)
                return k;
        k = split_unit_path(arg_unit_path, &path);
        if (k == -ENOMEM)
                return log_oom();
        if (k < 0)
                return log_error_errno(k, "--unit-path= names no directory: \"%s\".", arg_unit_path);
        /* the directories given: no doubt about systemd's search path */
        resolver_set_search_path(&ctl->resolver, path);
        return 0;
}

/* The generator systemd runs, as it names itself in the units it writes:
 * realpath("/proc/self/exe") (/lib -> usr/lib on a merged /usr). This
 * build's (GENERATOR_PATH) if it is installed, else the first in systemd's
 * generator directories (a package's, when this build's prefix is another);
 * NULL when none is. */
static char *installed_generator(void) {
        static const char *const dirs[] = {
                "/run/systemd/system-generators",   "/etc/systemd/system-generators",
                "/usr/local/lib/systemd/system-generators", "/usr/lib/systemd/system-generators",
                "/lib/systemd/system-generators",
        };
        char *p = realpath(GENERATOR_PATH, NULL);

        for (size_t i = 0; !p && i < ELEMENTSOF(dirs); i++) {
                _cleanup_free_ char *candidate = NULL;

                if (asprintf(&candidate, "%s/confinement-generator", dirs[i]) < 0)
                        return NULL;
                p = realpath(candidate, NULL);
                if (p && streq(p, "/dev/null")) { /* masked: systemd runs none */
                        free(p);
                        p = NULL;
                }
        }
        return p;
}

int ctl_open(Ctl *ctl, CtlFlags flags) {
        int r;

        assert(ctl);

        *ctl = (Ctl) { .root = { .path = arg_root, .trust_all = arg_no_trust_check } };
        if (flags & CTL_ENTRIES) {
                r = spec_dirs_enumerate(&ctl->root, &ctl->entries);
                if (r < 0)
                        return log_error_errno(r, "Cannot list the spec directories: %m");
                ctl->outputs = calloc(ctl->entries.n ?: 1, sizeof *ctl->outputs);
                if (!ctl->outputs)
                        return log_oom();
        }
        r = ctl_resolver_init(ctl);
        if (r < 0)
                return r;
        /* On the running system, the generator as it names itself, for
         * the systemd that runs it: where PID 1's mappings (root's to read)
         * gave no version, the manager says it. */
        if (!arg_root) {
                ctl->helper = installed_generator();
                if (ctl->resolver.systemd_version == 0 && !getenv(SYSTEMD_VERSION_ENV))
                        ctl->resolver.systemd_version = bus_systemd_version();
        }
        ctl->output = OUTPUT_INIT(&ctl->resolver, GENERATOR_DIR, ctl->helper ?: GENERATOR_PATH);
        return 0;
}

void ctl_done(Ctl *ctl) {
        assert(ctl);

        for (size_t i = 0; i < ctl->n_outputs; i++)
                entry_output_done(&ctl->outputs[i]);
        free(ctl->outputs);
        output_done(&ctl->output);
        free(ctl->helper);
        resolver_done(&ctl->resolver);
        spec_entries_done(&ctl->entries);
        root_done(&ctl->root);
        *ctl = (Ctl) {};
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

/* The generator's message for a name it skips, as the list and check show it. */
static int explain_ignored(EntryOutput *o) {
        const SpecEntry *e = o->entry;
        char *reason;

        if (asprintf(&reason,
                     "%s: \"%.*s\" %s; the file name must be UNIT.json for a service unit, so the generator "
                     "skips it.",
                     e->path, (int) (strlen(e->name) - strlen(SPEC_SUFFIX)), e->name, o->reason) < 0)
                return -ENOMEM;
        free(o->reason);
        o->reason = reason;
        return 0;
}

static int ctl_output_next(Ctl *ctl, bool quiet) {
        EntryOutput *o = &ctl->outputs[ctl->n_outputs];
        int r, saved;

        saved = quiet ? quiet_begin() : -1;
        resolver_next_spec(&ctl->resolver, ctl->entries.n - ctl->n_outputs);
        r = output_entry(&ctl->output, &ctl->entries.entries[ctl->n_outputs], o);
        if (quiet)
                quiet_end(saved);
        if (r >= 0 && o->state == ENTRY_IGNORED)
                r = explain_ignored(o);
        if (r < 0)
                return log_oom();
        ctl->n_outputs++;
        return 0;
}

/* Once every entry is resolved: the drop-ins that name a generation. */
static int ctl_finish(Ctl *ctl) {
        if (ctl->finished)
                return 0;
        if (output_finish(&ctl->output, ctl->outputs, ctl->n_outputs, NULL, NULL) < 0)
                return log_oom();
        ctl->finished = true;
        return 0;
}

int ctl_output_all(Ctl *ctl, bool quiet) {
        int r;

        assert(ctl);
        assert(ctl->outputs);

        while (ctl->n_outputs < ctl->entries.n) {
                r = ctl_output_next(ctl, quiet);
                if (r < 0)
                        return r;
                /* The library logged why a spec is invalid; a name it skips is ours to tell. */
                if (!quiet && ctl->outputs[ctl->n_outputs - 1].state == ENTRY_IGNORED)
                        log_error("%s", ctl->outputs[ctl->n_outputs - 1].reason);
        }
        return ctl_finish(ctl);
}

static bool asked_for(const SpecEntry *e, const SpecEntry *const *asked, size_t n_asked) {
        for (size_t i = 0; i < n_asked; i++)
                if (asked[i] == e)
                        return true;
        return false;
}

int ctl_output_each(Ctl *ctl, const SpecEntry *const *asked, size_t n_asked) {
        int r;

        assert(ctl);
        assert(ctl->outputs);
        assert(asked || n_asked == 0);

        /* In the generator's order: a layer ID is the first closure's. */
        while (ctl->n_outputs < ctl->entries.n) {
                r = ctl_output_next(ctl, !asked_for(&ctl->entries.entries[ctl->n_outputs], asked, n_asked));
                if (r < 0)
                        return r;
        }
        return ctl_finish(ctl);
}

int ctl_output(Ctl *ctl, const SpecEntry *e, bool quiet, const EntryOutput **ret) {
        int r;

        assert(ctl);
        assert(e >= ctl->entries.entries && e < ctl->entries.entries + ctl->entries.n);
        assert(ret);

        r = ctl_output_each(ctl, &e, quiet ? 0 : 1);
        if (r < 0)
                return r;
        *ret = &ctl->outputs[e - ctl->entries.entries];
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
