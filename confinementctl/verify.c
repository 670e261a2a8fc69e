/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* confinementctl verify: the running systemd's units against their specs.
 *
 * verify compares each unit as systemd has loaded it with what the
 * generator writes for the spec in effect now. What to expect is read from
 * the rendered drop-in itself, setting by setting, so that verify follows
 * whatever the generator writes; a setting it cannot compare is skipped
 * (logged at debug level). Two questions, answered separately:
 *   - is the drop-in in /run/systemd/generator the one the spec gives now?
 *     (if not, the spec changed since the last daemon-reload)
 *   - does the loaded unit carry every setting of that drop-in? (if not,
 *     another unit setting overrides it, or the unit was loaded before) */

#include <jansson.h>
#include <string.h>
#include <systemd/sd-bus.h>

#include "alloc-util.h"
#include "bus.h"
#include "closure-layer.h"
#include "ctl.h"
#include "dropin.h"
#include "log.h"
#include "macro.h"
#include "path-list.h"
#include "path-util.h"
#include "table.h"
#include "verify-compare.h"

/* verify's exit status: these bits ORed (EXIT_ERROR is 1). */
#define VERIFY_MISMATCH 2   /* a unit is not confined as its spec says, or its drop-in is outdated */
#define VERIFY_NO_SPEC 4    /* a unit is confined, but no spec confines it any more */
#define VERIFY_NOT_LOADED 8 /* a spec's unit (or no instance of a template) is loaded */
#define VERIFY_INVALID 16   /* a spec cannot be honoured: its unit is kept from starting */

/* How one entry's drop-in looks now and on disk, once per entry. */
typedef struct EntryCheck {
        bool done;
        int error;
        const EntryOutput *res; /* the verb's, borrowed */
        char *dropin_path;      /* in GENERATOR_DIR; NULL when nothing is written */
        Assignments assignments;
        bool outdated;     /* the drop-in on disk is not what the spec gives now */
        char *outdated_why;
} EntryCheck;

static void entry_check_done(EntryCheck *c) {
        free(c->dropin_path);
        assignments_done(&c->assignments);
        free(c->outdated_why);
}

static int entry_check(Ctl *ctl, const SpecEntry *e, EntryCheck *c) {
        _cleanup_free_ char *disk = NULL;
        const OutputFile *dropin;
        int r;

        if (c->done)
                return c->error;
        c->done = true;

        r = ctl_output(ctl, e, true, &c->res);
        if (r < 0)
                return c->error = r;
        dropin = entry_output_dropin(c->res);
        if (!dropin)
                return 0;
        if (asprintf(&c->dropin_path, GENERATOR_DIR "/%s", dropin->path) < 0)
                return c->error = log_oom();
        r = parse_dropin(c->dropin_path, dropin->text, &c->assignments);
        if (r < 0)
                return c->error = r;

        r = read_full_file(c->dropin_path, &disk);
        if (r == -ENOENT)
                r = asprintf(&c->outdated_why,
                             "%s does not exist: the spec is newer than the last daemon-reload (or "
                             "confinement-generator is not installed).",
                             c->dropin_path);
        else if (r < 0)
                r = asprintf(&c->outdated_why, "%s cannot be read: %s.", c->dropin_path, strerror(-r));
        else if (!closure_layer_same_but_generation(disk, dropin->text))
                r = asprintf(&c->outdated_why, "%s is outdated: the spec changed since the last daemon-reload.",
                             c->dropin_path);
        else
                r = 0;
        if (r < 0)
                return c->error = log_oom();
        c->outdated = c->outdated_why;
        return 0;
}

static bool is_confined(const Props *props) {
        const Prop *root = props_get(props, "RootDirectory"), *asserts = props_get(props, "Asserts");

        if (root && root->scalar && path_startswith(root->scalar, CONFINEMENT_ROOT_DIR))
                return true;
        for (size_t i = 0; asserts && i < asserts->list.n; i++)
                if (strstr(asserts->list.items[i], FAIL_CLOSED_PATH))
                        return true;
        return false;
}

typedef struct Verify {
        sd_bus *bus;
        Ctl ctl;
        EntryCheck *checks; /* by entry */
        LoadedUnits loaded;
        Report *reports;
        size_t n_reports, allocated_reports;
        PathList seen; /* units already reported */
} Verify;

static void verify_done(Verify *v) {
        for (size_t i = 0; v->checks && i < v->ctl.entries.n; i++)
                entry_check_done(&v->checks[i]);
        free(v->checks);
        for (size_t i = 0; i < v->n_reports; i++)
                report_done(&v->reports[i]);
        free(v->reports);
        loaded_units_done(&v->loaded);
        ctl_done(&v->ctl);
        path_list_done(&v->seen);
        sd_bus_flush_close_unref(v->bus);
}

static Report *new_report(Verify *v, const char *unit, const SpecEntry *e) {
        Report *r;

        if (GREEDY_REALLOC(v->reports, v->allocated_reports, v->n_reports + 1, 16) < 0)
                return NULL;
        r = &v->reports[v->n_reports];
        *r = (Report) { .unit = strdup(unit), .spec = e ? e->path : NULL };
        if (!r->unit)
                return NULL;
        v->n_reports++;
        return r;
}

static bool seen(Verify *v, const char *unit) {
        for (size_t i = 0; i < v->seen.n; i++)
                if (streq(v->seen.items[i], unit))
                        return true;
        return false;
}

/* PrivateUsers=no, the unit's own, stands (as in NixOS): what it gives up. */
static int warn_private_users(const Confinement *c, Report *rep) {
        const char *own = c ? c->unit_mode_settings[MODE_SETTING_PRIVATE_USERS] : NULL;

        if (!own || !(streq(own, "no") || streq(own, "false") || streq(own, "off") || streq(own, "0")))
                return 0;
        return addf(&rep->notes,
                    "warning: PrivateUsers=%s is the unit's own: its root is the host's root, which reaches "
                    "the host's files through /proc/1/root and can remount its binds writable (\"view\": the "
                    "store itself); a static user reaches the root of any unconfined process of the same user "
                    "through /proc/PID/root unless PrivatePIDs=yes (systemd 257; mode full writes it) hides them "
                    "(confinement.d(5), PRIVATEUSERS=NO).",
                    own) < 0
                       ? log_oom()
                       : 0;
}

/* The guard drop-in (confinement.d(5), or the same assertion in the unit
 * file): without it, a daemon-reload that could write nothing (a full
 * /run) leaves the unit free to start unconfined. */
static int warn_no_guard(const SpecEntry *e, const Props *props, Report *rep) {
        _cleanup_free_ char *spec_unit = NULL, *want = NULL;
        const Prop *asserts = props_get(props, "Asserts");
        const char *why;

        if (spec_entry_unit(e, &spec_unit, &why) < 0)
                return 0;
        if (asprintf(&want, "AssertPathExists=" GENERATOR_OUTPUT_DIR "/%s.d/" DROPIN_NAME, spec_unit) < 0)
                return log_oom();
        for (size_t i = 0; asserts && i < asserts->list.n; i++)
                if (streq(asserts->list.items[i], want))
                        return 0;
        return addf(&rep->notes,
                    "warning: no guard: %s is not asserted, so a daemon-reload that could write nothing (a full "
                    "/run) would let the unit start unconfined; \"confinementctl new --force\" writes "
                    "/etc/systemd/system/%s.d/" GUARD_DROPIN_NAME " (confinement.d(5), GUARD).",
                    want + strlen("AssertPathExists="), spec_unit) < 0
                       ? log_oom()
                       : 0;
}

/* One unit: how systemd has it against what its spec gives. explicit: the
 * user named it (an unconfined unit without spec is then reported too). */
static int verify_unit(Verify *v, const char *unit, bool explicit) {
        const SpecEntry *e = spec_entries_find_for_unit(&v->ctl.entries, unit);
        const LoadedUnit *lu = loaded_find(&v->loaded, unit);
        bool loaded = lu && streq(lu->load_state, "loaded");
        _cleanup_(props_done) Props props = {};
        EntryCheck *c = NULL;
        Report *rep;
        int r;

        if (seen(v, unit))
                return 0;
        if (path_list_add(&v->seen, unit) < 0)
                return log_oom();

        if (e) {
                c = &v->checks[e - v->ctl.entries.entries];
                r = entry_check(&v->ctl, e, c);
                if (r < 0)
                        return r;
                if (c->res->state == ENTRY_MASKED)
                        c = NULL;
        }

        if (loaded) {
                r = get_unit_props(v->bus, lu->object, &props);
                if (r < 0)
                        return r;
        }

        if (!c) {
                /* No spec confines it: it must not look confined. */
                if (loaded && is_confined(&props)) {
                        rep = new_report(v, unit, e);
                        if (!rep)
                                return log_oom();
                        rep->state = "no-spec";
                        rep->color = ANSI_RED;
                        rep->bits |= VERIFY_NO_SPEC;
                        return addf(&rep->differences,
                                    "confined, but %s; run \"confinementctl reload\" (or \"systemctl "
                                    "daemon-reload\") and restart it.",
                                    e ? "its spec is masked" : "no spec confines it") < 0
                                       ? log_oom()
                                       : 0;
                }
                if (!explicit)
                        return 0;
                rep = new_report(v, unit, e);
                if (!rep)
                        return log_oom();
                rep->state = e ? "masked" : "unconfined";
                rep->color = ANSI_GREY;
                if (!loaded && addf(&rep->notes, "not loaded.") < 0)
                        return log_oom();
                return 0;
        }

        rep = new_report(v, unit, e);
        if (!rep)
                return log_oom();
        if (c->outdated) {
                rep->bits |= VERIFY_MISMATCH;
                if (addf(&rep->differences, "%s", c->outdated_why) < 0)
                        return log_oom();
        }
        if (c->res->state == ENTRY_INVALID) {
                rep->bits |= VERIFY_INVALID;
                if (addf(&rep->notes, "%s", c->res->reason ?: "the spec cannot be honoured") < 0)
                        return log_oom();
        }

        /* The mode's settings the unit sets itself stand: say which. */
        for (size_t i = 0; c->res->confinement && i < _MODE_SETTING_MAX; i++)
                if (c->res->confinement->unit_mode_settings[i] &&
                    addf(&rep->notes, "%s=%s is the unit's own (the mode's value is a default).",
                         mode_setting_to_string(i), c->res->confinement->unit_mode_settings[i]) < 0)
                        return log_oom();

        r = warn_private_users(c->res->confinement, rep);
        if (r < 0)
                return r;

        if (loaded) {
                const Prop *reload = props_get(&props, "NeedDaemonReload");
                size_t before = rep->differences.n;
                const char *store_dir = c->res->confinement ? c->res->confinement->store_dir : NULL;

                for (size_t i = 0; i < c->assignments.n; i++) {
                        r = verify_compare_setting(unit, &c->assignments.items[i], &props, rep);
                        if (r < 0)
                                return log_oom();
                }
                r = verify_compare_binds(unit, &c->assignments, &props, store_dir, rep);
                if (r < 0)
                        return log_oom();
                if (rep->differences.n > before)
                        rep->bits |= VERIFY_MISMATCH;
                r = warn_no_guard(e, &props, rep);
                if (r < 0)
                        return r;
                if (reload && reload->scalar && streq(reload->scalar, "yes") &&
                    addf(&rep->notes, "its unit files changed since it was loaded (NeedDaemonReload=yes).") < 0)
                        return log_oom();
        } else {
                rep->bits |= VERIFY_NOT_LOADED;
                if (addf(&rep->notes, lu ? "not loaded (%s)." : "not loaded.", lu ? lu->load_state : "") < 0)
                        return log_oom();
        }

        if (rep->bits & VERIFY_INVALID)
                rep->state = "invalid", rep->color = ANSI_RED;
        else if (!loaded)
                rep->state = "not-loaded", rep->color = ANSI_GREY;
        else if (c->outdated)
                rep->state = "outdated", rep->color = ANSI_RED;
        else if (rep->bits & VERIFY_MISMATCH)
                rep->state = "differs", rep->color = ANSI_RED;
        else
                rep->state = "ok", rep->color = ANSI_GREEN;
        return 0;
}

/* Every loaded instance of template ("foo@.service") that its spec
 * confines; a report when there is none. */
static int verify_template(Verify *v, const char *template, const SpecEntry *e) {
        size_t prefix = strchr(template, '@') - template + 1;
        const char *suffix = strrchr(template, '.');
        bool any = false;
        int r;

        for (size_t i = 0; i < v->loaded.n; i++) {
                const char *name = v->loaded.items[i].name;
                size_t n = strlen(name);

                if (strncmp(name, template, prefix) != 0 || n <= prefix + strlen(suffix) ||
                    !streq(name + n - strlen(suffix), suffix))
                        continue;
                if (spec_entries_find_for_unit(&v->ctl.entries, name) != e)
                        continue; /* an instance with a spec of its own */
                any = true;
                r = verify_unit(v, name, e == NULL);
                if (r < 0)
                        return r;
        }
        if (!any && e) {
                EntryCheck *c = &v->checks[e - v->ctl.entries.entries];
                Report *rep;

                r = entry_check(&v->ctl, e, c);
                if (r < 0)
                        return r;
                if (c->res->state == ENTRY_MASKED)
                        return 0;
                rep = new_report(v, template, e);
                if (!rep)
                        return log_oom();
                rep->bits |= VERIFY_NOT_LOADED;
                rep->state = c->res->state == ENTRY_INVALID ? "invalid" : "not-loaded";
                rep->color = c->res->state == ENTRY_INVALID ? ANSI_RED : ANSI_GREY;
                if (c->res->state == ENTRY_INVALID)
                        rep->bits |= VERIFY_INVALID;
                if (c->outdated) {
                        rep->bits |= VERIFY_MISMATCH;
                        if (addf(&rep->differences, "%s", c->outdated_why) < 0)
                                return log_oom();
                }
                if (addf(&rep->notes, "no instance is loaded.") < 0)
                        return log_oom();
        }
        return 0;
}

static int print_reports(const Verify *v, int status) {
        if (arg_json) {
                json_t *units = json_array();

                if (!units)
                        return log_oom();
                for (size_t i = 0; i < v->n_reports; i++) {
                        const Report *rep = &v->reports[i];
                        json_t *diff = json_array(), *notes = json_array(), *o;

                        for (size_t k = 0; diff && k < rep->differences.n; k++)
                                json_array_append_new(diff, json_string(rep->differences.items[k]));
                        for (size_t k = 0; notes && k < rep->notes.n; k++)
                                json_array_append_new(notes, json_string(rep->notes.items[k]));
                        o = json_pack("{s:s, s:o, s:s, s:i, s:o, s:o}", "unit", rep->unit, "spec",
                                      rep->spec ? json_string(rep->spec) : json_null(), "state", rep->state,
                                      "status", rep->bits, "differences", diff, "notes", notes);
                        if (!o || json_array_append_new(units, o) < 0) {
                                json_decref(units);
                                return log_oom();
                        }
                }
                return json_print_new(json_pack("{s:i, s:o}", "status", status, "units", units));
        }

        {
                static const char *const headers[] = { "UNIT", "STATE", "SPEC" };
                _cleanup_table_ Table *t = table_new(ELEMENTSOF(headers), headers);
                int r = 0;

                if (!t)
                        return log_oom();
                for (size_t i = 0; i < v->n_reports && r >= 0; i++) {
                        r = table_add(t, v->reports[i].unit, NULL);
                        if (r >= 0)
                                r = table_add(t, v->reports[i].state, v->reports[i].color);
                        if (r >= 0)
                                r = table_add(t, v->reports[i].spec, NULL);
                }
                if (r < 0)
                        return log_oom();
                if (v->n_reports > 0 && table_print(t, stdout, arg_legend) < 0)
                        return log_oom();
        }
        for (size_t i = 0; i < v->n_reports; i++) {
                const Report *rep = &v->reports[i];
                if (rep->differences.n == 0 && rep->notes.n == 0)
                        continue;
                printf("\n%s%s%s:\n", ansi(rep->color), rep->unit, ansi(ANSI_NORMAL));
                for (size_t k = 0; k < rep->differences.n; k++)
                        printf("  %s\n", rep->differences.items[k]);
                for (size_t k = 0; k < rep->notes.n; k++)
                        printf("  %snote:%s %s\n", ansi(ANSI_GREY), ansi(ANSI_NORMAL), rep->notes.items[k]);
        }
        if (arg_legend) {
                static const char *const states[] = { "ok", "differs", "outdated", "no-spec", "not-loaded",
                                                      "invalid", "unconfined", "masked" };
                bool first = true;

                printf("%s%zu unit%s verified", v->n_reports ? "\n" : "", v->n_reports, v->n_reports == 1 ? "" : "s");
                for (size_t s = 0; s < ELEMENTSOF(states); s++) {
                        size_t n = 0;
                        for (size_t i = 0; i < v->n_reports; i++)
                                n += streq(v->reports[i].state, states[s]);
                        if (n > 0) {
                                printf("%s %zu %s", first ? ":" : ",", n, states[s]);
                                first = false;
                        }
                }
                printf(".\n");
        }
        return 0;
}

int verb_verify(int argc, char *argv[]) {
        _cleanup_(verify_done) Verify v = {};
        int r, status = 0;

        r = ctl_open(&v.ctl, CTL_ENTRIES);
        if (r < 0)
                return r;
        v.checks = calloc(v.ctl.entries.n ?: 1, sizeof *v.checks);
        if (!v.checks)
                return log_oom();
        r = bus_open(&v.bus);
        if (r >= 0)
                r = list_services(v.bus, "*.service", &v.loaded);
        if (r < 0)
                return r;

        if (argc == 0) {
                /* Every spec's units, then every other unit that looks confined. */
                for (size_t i = 0; i < v.ctl.entries.n; i++) {
                        const SpecEntry *e = &v.ctl.entries.entries[i];
                        _cleanup_free_ char *unit = NULL;
                        const char *why;

                        r = spec_entry_unit(e, &unit, &why);
                        if (r == -ENOMEM)
                                return log_oom();
                        if (r < 0)
                                continue; /* "confinementctl list" shows those */
                        if (strstr(unit, "@."))
                                r = verify_template(&v, unit, e);
                        else
                                r = verify_unit(&v, unit, false);
                        if (r < 0)
                                return r;
                        /* A masked spec's unit: only reported when confined. */
                }
                for (size_t i = 0; i < v.loaded.n; i++) {
                        r = verify_unit(&v, v.loaded.items[i].name, false);
                        if (r < 0)
                                return r;
                }
        } else
                for (int i = 0; i < argc; i++) {
                        _cleanup_free_ char *unit = NULL;

                        r = parse_unit_argument(argv[i], &unit);
                        if (r < 0)
                                return r;
                        if (strstr(unit, "@."))
                                r = verify_template(&v, unit, spec_entries_find_for_unit(&v.ctl.entries, unit));
                        else
                                r = verify_unit(&v, unit, true);
                        if (r < 0)
                                return r;
                }

        for (size_t i = 0; i < v.n_reports; i++)
                status |= v.reports[i].bits;
        r = print_reports(&v, status);
        if (r < 0)
                return r;
        return status;
}
