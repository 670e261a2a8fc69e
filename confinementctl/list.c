/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* confinementctl list: every spec in effect. */

#include <jansson.h>
#include <string.h>

#include "ctl.h"
#include "log.h"
#include "spec.h"
#include "table.h"

typedef struct Listing {
        Root *root; /* the verb's, borrowed */
        const EntryOutput **items; /* the verb's, borrowed */
        size_t n;
} Listing;

static void listing_done(Listing *l) {
        free(l->items);
        *l = (Listing) { .root = l->root };
}

/* The mode a spec asks for, also when it cannot be honoured; -1 when it
 * cannot be read. */
static int spec_mode(Root *root, const EntryOutput *res) {
        _cleanup_spec_ Spec *spec = NULL;
        int saved, r;

        if (res->confinement)
                return (int) res->confinement->mode;
        if (res->state != ENTRY_INVALID || res->entry->distrust)
                return -1;
        saved = quiet_begin();
        r = spec_load(root, res->entry->path, &spec, NULL);
        quiet_end(saved);
        return r < 0 ? -1 : (int) spec->mode;
}

static json_t *json_string_or_null(const char *s) {
        return s ? json_string(s) : json_null();
}

/* The unit's own values of the mode's settings, which stand: an object. */
static json_t *unit_settings_json(const Confinement *c) {
        json_t *o = json_object();

        for (size_t i = 0; o && c && i < _MODE_SETTING_MAX; i++)
                if (c->unit_mode_settings[i] &&
                    json_object_set_new(o, mode_setting_to_string(i), json_string(c->unit_mode_settings[i])) < 0) {
                        json_decref(o);
                        return NULL;
                }
        return o;
}

/* "full-apivfs", or "full-apivfs (the unit's PrivateDevices=no)". */
static char *mode_text(int mode, const Confinement *c) {
        _cleanup_free_ char *own = NULL;
        bool first = true;
        char *s;
        size_t n = 0;
        FILE *f;

        if (mode < 0)
                return NULL;
        f = open_memstream(&own, &n);
        if (!f)
                return NULL;
        for (size_t i = 0; c && i < _MODE_SETTING_MAX; i++) {
                if (!c->unit_mode_settings[i])
                        continue;
                fprintf(f, "%s%s=%s", first ? "" : " ", mode_setting_to_string(i), c->unit_mode_settings[i]);
                first = false;
        }
        if (fclose(f) != 0)
                return NULL;
        if (!own || !*own)
                return strdup(confinement_mode_to_string(mode));
        return asprintf(&s, "%s (the unit's %s)", confinement_mode_to_string(mode), own) < 0 ? NULL : s;
}

static int print_json(const Listing *l) {
        json_auto_t *specs = NULL;

        specs = json_array();
        if (!specs)
                return log_oom();
        for (size_t i = 0; i < l->n; i++) {
                const EntryOutput *res = l->items[i];
                const Confinement *c = res->confinement;
                json_t *spec, *shadowed = json_array();
                int mode = spec_mode(l->root, res);

                if (!shadowed)
                        return log_oom();
                for (size_t k = 0; k < res->entry->shadowed.n; k++)
                        if (json_array_append_new(shadowed, json_string(res->entry->shadowed.items[k])) < 0) {
                                json_decref(shadowed);
                                return log_oom();
                        }
                spec = json_pack("{s:o, s:s, s:s, s:s, s:b, s:b, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
                                 "unit", json_string_or_null(res->unit),
                                 "name", res->entry->name,
                                 "file", res->entry->path,
                                 "state", entry_state_to_string(res->state),
                                 "valid", res->state == ENTRY_VALID || res->state == ENTRY_MASKED,
                                 "masked", res->state == ENTRY_MASKED,
                                 "shadowed", shadowed,
                                 "mode", json_string_or_null(mode >= 0 ? confinement_mode_to_string(mode) : NULL),
                                 "unitSettings", c ? unit_settings_json(c) : json_null(),
                                 "storeDir", json_string_or_null(c ? c->store_dir : NULL),
                                 "closurePaths", c ? json_integer((json_int_t) c->n_closure_paths) : json_null(),
                                 "binds", c ? json_integer((json_int_t) c->n_binds) : json_null(),
                                 "error",
                                 json_string_or_null(res->state == ENTRY_INVALID
                                                             ? res->reason ?: "the spec cannot be honoured"
                                                             : res->reason));
                if (!spec || json_array_append_new(specs, spec) < 0)
                        return log_oom();
        }
        return json_print_new(json_pack("{s:s, s:O}", "root", arg_root ?: "/", "specs", specs));
}

static int print_table(const Listing *l) {
        static const char *const headers[] = { "UNIT", "STATE", "MODE", "PATHS", "SPEC" };
        _cleanup_table_ Table *t = table_new(ELEMENTSOF(headers), headers);
        size_t count[_ENTRY_STATE_MAX] = {};
        int r = 0;

        if (!t)
                return log_oom();
        for (size_t i = 0; i < l->n && r >= 0; i++) {
                const EntryOutput *res = l->items[i];
                int mode = spec_mode(l->root, res);

                count[res->state]++;
                r = table_add(t, res->unit ?: res->entry->name, NULL);
                if (r >= 0)
                        r = table_add(t, entry_state_to_string(res->state), entry_state_color(res->state));
                if (r >= 0) {
                        _cleanup_free_ char *m = mode_text(mode, res->confinement);

                        r = mode >= 0 && !m ? -ENOMEM : table_add(t, m, NULL);
                }
                if (r >= 0 && res->confinement)
                        r = table_addf(t, NULL, "%zu", res->confinement->n_closure_paths);
                else if (r >= 0)
                        r = table_add(t, NULL, NULL);
                if (r >= 0)
                        r = table_add(t, res->entry->path, NULL);
                /* What it overrides or masks, one line each, under its file. */
                for (size_t k = 0; k < res->entry->shadowed.n && r >= 0; k++) {
                        for (int c = 0; c < 4 && r >= 0; c++)
                                r = table_add(t, "", NULL);
                        if (r >= 0)
                                r = table_addf(t, ANSI_GREY, "%s %s", res->state == ENTRY_MASKED ? "masks" : "overrides",
                                               res->entry->shadowed.items[k]);
                }
        }
        if (r < 0)
                return log_oom();

        if (l->n > 0 && table_print(t, stdout, arg_legend) < 0)
                return log_oom();
        if (!arg_legend)
                return 0;

        if (l->n > 0)
                putchar('\n');
        printf("%zu spec%s listed", l->n, l->n == 1 ? "" : "s");
        bool first = true;
        for (EntryState s = 0; s < _ENTRY_STATE_MAX; s++)
                if (count[s] > 0) {
                        printf("%s %zu %s", first ? ":" : ",", count[s], entry_state_to_string(s));
                        first = false;
                }
        printf(".\n");
        for (size_t i = 0; i < l->n; i++) {
                const EntryOutput *res = l->items[i];
                if (res->state == ENTRY_INVALID || res->state == ENTRY_IGNORED)
                        printf("%s%s%s: %s\n", ansi(entry_state_color(res->state)), res->unit ?: res->entry->name,
                               ansi(ANSI_NORMAL), res->reason ?: "the spec cannot be honoured");
        }
        return 0;
}

int verb_list(int argc, char *argv[]) {
        _cleanup_(ctl_done) Ctl ctl = {};
        _cleanup_(listing_done) Listing l = { .root = &ctl.root };
        int r;

        r = ctl_open(&ctl, CTL_ENTRIES);
        if (r < 0)
                return r;
        l.items = calloc(ctl.entries.n ?: 1, sizeof *l.items);
        if (!l.items)
                return log_oom();
        for (size_t i = 0; i < ctl.entries.n; i++) {
                r = ctl_output(&ctl, &ctl.entries.entries[i], true, &l.items[l.n]);
                if (r < 0)
                        return r;
                l.n++;
        }
        return arg_json ? print_json(&l) : print_table(&l);
}
