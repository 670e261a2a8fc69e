/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* confinementctl reload: check, reload systemd (the generator runs), and
 * tell whose confinement changed, from the generator's output before and
 * after. */

#include <dirent.h>
#include <string.h>

#include "bus.h"
#include "closure-layer.h"
#include "ctl.h"
#include "dropin.h"
#include "log.h"
#include "macro.h"
#include "path-list.h"

/* systemctl daemon-reload waits as long. */
#define RELOAD_TIMEOUT_USEC (5ULL * 60 * 1000 * 1000)

typedef struct Snapshot {
        PathList names; /* "foo.service" for a drop-in, the file name for a mount unit */
        PathList texts; /* in the same order */
} Snapshot;

static void snapshot_done(Snapshot *s) {
        path_list_done(&s->names);
        path_list_done(&s->texts);
}

static const char *snapshot_get(const Snapshot *s, const char *name) {
        for (size_t i = 0; i < s->names.n; i++)
                if (streq(s->names.items[i], name))
                        return s->texts.items[i];
        return NULL;
}

/* What the generator wrote at the last daemon-reload. */
static int snapshot_take(Snapshot *s) {
        _cleanup_closedir_ DIR *d = opendir(GENERATOR_DIR);
        struct dirent *de;
        int r;

        if (!d)
                return errno == ENOENT ? 0 : log_error_errno(errno, "Cannot read %s: %m", GENERATOR_DIR);
        while ((errno = 0, de = readdir(d))) {
                _cleanup_free_ char *path = NULL, *text = NULL, *name = NULL;
                size_t n = strlen(de->d_name);

                if (n > 2 && streq(de->d_name + n - 2, ".d")) {
                        if (asprintf(&path, GENERATOR_DIR "/%s/" DROPIN_NAME, de->d_name) < 0)
                                return log_oom();
                        name = strndup(de->d_name, n - 2);
                } else if (strncmp(de->d_name, "run-confinement\\x2dview-", 24) == 0) {
                        if (asprintf(&path, GENERATOR_DIR "/%s", de->d_name) < 0)
                                return log_oom();
                        name = strdup(de->d_name);
                } else
                        continue;
                if (!name)
                        return log_oom();
                r = read_full_file(path, &text);
                if (r == -ENOENT)
                        continue;
                if (r < 0)
                        return log_error_errno(r, "Cannot read %s: %m", path);
                if (path_list_consume(&s->names, TAKE_PTR(name)) < 0 ||
                    path_list_consume(&s->texts, TAKE_PTR(text)) < 0)
                        return log_oom();
        }
        return 0;
}

static int reload_manager(sd_bus *bus) {
        _cleanup_bus_error_ sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_bus_message_ sd_bus_message *m = NULL, *reply = NULL;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, SYSTEMD_DEST, SYSTEMD_PATH, MANAGER_IFACE, "Reload");
        if (r < 0)
                return log_oom();
        /* It answers once the reload is done: generators run, units reloaded. */
        r = sd_bus_call(bus, m, RELOAD_TIMEOUT_USEC, &error, &reply);
        if (r < 0)
                return bus_log_error(r, &error, "Cannot reload systemd");
        return 0;
}

/* The active units a changed drop-in applies to: the unit, or the
 * template's instances without a spec of their own. */
static int active_units(const LoadedUnits *loaded, const SpecEntries *entries, const char *unit, PathList *out) {
        const char *at = strchr(unit, '@');
        bool template = at && at[1] == '.';

        for (size_t i = 0; i < loaded->n; i++) {
                const LoadedUnit *u = &loaded->items[i];
                bool match;

                if (!streq(u->active_state, "active") && !streq(u->active_state, "activating") &&
                    !streq(u->active_state, "reloading"))
                        continue;
                if (template) {
                        const SpecEntry *e = spec_entries_find_for_unit(entries, u->name);
                        _cleanup_free_ char *name = NULL;
                        match = strncmp(u->name, unit, at - unit + 1) == 0 && strstr(u->name, strrchr(unit, '.'));
                        /* An instance with a spec of its own has its own drop-in. */
                        if (match && e && asprintf(&name, "%s" SPEC_SUFFIX, u->name) >= 0)
                                match = !streq(e->name, name);
                } else
                        match = streq(u->name, unit);
                if (match && path_list_add(out, u->name) < 0)
                        return log_oom();
        }
        return 0;
}

int verb_reload(int argc, char *argv[]) {
        _cleanup_(ctl_done) Ctl ctl = {};
        _cleanup_(snapshot_done) Snapshot before = {}, after = {};
        _cleanup_(loaded_units_done) LoadedUnits loaded = {};
        _cleanup_(path_list_done) PathList mismatched = {};
        _cleanup_bus_ sd_bus *bus = NULL;
        size_t invalid = 0, changed = 0;
        int r;

        /* As check: every spec in effect, the library logging each problem. */
        r = ctl_open(&ctl, CTL_ENTRIES);
        if (r < 0)
                return r;
        r = ctl_output_all(&ctl, false);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ctl.n_outputs; i++)
                invalid += ctl.outputs[i].state == ENTRY_INVALID || ctl.outputs[i].state == ENTRY_IGNORED;
        if (invalid > 0 && !arg_force)
                return log_error_errno(EINVAL,
                                       "Not reloading: %zu spec%s cannot be honoured (see above); their units would "
                                       "not start. Fix them, or reload with --force.",
                                       invalid, invalid == 1 ? "" : "s");

        r = bus_open(&bus);
        if (r >= 0)
                r = snapshot_take(&before);
        if (r >= 0)
                r = reload_manager(bus);
        if (r >= 0)
                r = snapshot_take(&after);
        if (r >= 0)
                r = list_services(bus, "*.service", &loaded);
        if (r < 0)
                return r;

        if (!arg_quiet)
                printf("Reloaded systemd.\n");

        /* What changed, in both directions. */
        for (int pass = 0; pass < 2; pass++) {
                const Snapshot *s = pass == 0 ? &after : &before;
                for (size_t i = 0; i < s->names.n; i++) {
                        const char *name = s->names.items[i];
                        const char *old = snapshot_get(&before, name), *new = snapshot_get(&after, name);
                        _cleanup_(path_list_done) PathList active = {};
                        bool mount = !strstr(name, ".service");
                        const char *what;

                        if (pass == 1 && new)
                                continue; /* seen in the first pass */
                        if (old && new && closure_layer_same_but_generation(old, new))
                                continue;
                        if (mount)
                                what = !old ? "new store view" : !new ? "store view no longer needed" : "store view changed";
                        else if (new && strstr(new, FAIL_CLOSED_PATH))
                                what = "refused: its spec cannot be honoured";
                        else
                                what = !old ? "now confined" : !new ? "no longer confined" : "confinement changed";
                        changed++;
                        if (!mount) {
                                r = active_units(&loaded, &ctl.entries, name, &active);
                                if (r < 0)
                                        return r;
                        }
                        if (arg_quiet)
                                continue;
                        printf("%s: %s", name, what);
                        if (active.n > 0) {
                                printf("; running, restart to apply:");
                                for (size_t k = 0; k < active.n; k++)
                                        printf(" %s", active.items[k]);
                        }
                        printf(".\n");
                }
        }
        if (!arg_quiet && changed == 0)
                printf("No confinement changed.\n");

        /* The generator's output should be what check rendered. */
        for (size_t i = 0; i < ctl.n_outputs; i++) {
                const EntryOutput *o = &ctl.outputs[i];
                const OutputFile *dropin = entry_output_dropin(o);
                const char *text;

                if (!dropin)
                        continue;
                text = snapshot_get(&after, o->unit);
                if ((!text || !streq(text, dropin->text)) && path_list_add(&mismatched, o->unit) < 0)
                        return log_oom();
        }
        if (mismatched.n > 0)
                return log_warning_errno(EBADE,
                                         "The generator wrote something else than confinementctl expects for %zu "
                                         "unit%s (first: %s); is confinement-generator installed, and the same "
                                         "version?",
                                         mismatched.n, mismatched.n == 1 ? "" : "s", mismatched.items[0]);
        return 0;
}
