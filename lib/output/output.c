/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <string.h>

#include "alloc-util.h"
#include "dropin.h"
#include "log.h"
#include "output.h"

void entry_output_done(EntryOutput *o) {
        assert(o);

        free(o->unit);
        confinement_free(o->confinement);
        free(o->reason);
        for (size_t i = 0; i < o->n_files; i++) {
                free(o->files[i].path);
                free(o->files[i].text);
        }
        free(o->files);
        *o = (EntryOutput) {};
}

void output_done(Output *o) {
        assert(o);

        for (size_t i = 0; i < o->n_layers; i++)
                free(o->layers[i].list);
        free(o->layers);
        o->layers = NULL;
        o->n_layers = o->allocated_layers = 0;
}

static void files_clear(EntryOutput *o) {
        for (size_t i = 0; i < o->n_files; i++) {
                free(o->files[i].path);
                free(o->files[i].text);
        }
        o->n_files = 0;
}

/* Adds path (taken) with what render writes; path is freed on failure. */
static int add_file(EntryOutput *o, char *path, Renderer render, const void *userdata) {
        _cleanup_free_ char *p = path, *text = NULL;
        size_t size;
        int r;

        if (!p)
                return -ENOMEM;
        r = render_to_string(render, userdata, &text, &size);
        if (r < 0)
                return r;
        if (GREEDY_REALLOC(o->files, o->allocated_files, o->n_files + 1, 4) < 0)
                return -ENOMEM;
        o->files[o->n_files++] = (OutputFile) { .path = TAKE_PTR(p), .text = TAKE_PTR(text), .size = size };
        return 0;
}

/* o's files from k on before the others, each group in its order. */
static void files_to_front(EntryOutput *o, size_t k) {
        for (size_t i = k; i < o->n_files; i++) {
                OutputFile f = o->files[i];

                memmove(o->files + (i - k) + 1, o->files + (i - k), k * sizeof *o->files);
                o->files[i - k] = f;
        }
}

static char *path_join2(const char *a, const char *b) {
        char *p;
        return asprintf(&p, "%s/%s", a, b) < 0 ? NULL : p;
}

static char *dropin_path(const char *unit) {
        char *p;
        return asprintf(&p, "%s.d/" DROPIN_NAME, unit) < 0 ? NULL : p;
}

/* The drop-in, with the layer add_layer() found (its ID costs a hash of
 * every closure path: once). */
static int render_confined(FILE *f, const void *userdata) {
        const EntryOutput *o = userdata;
        return dropin_render_with_layer(o->confinement, o->layer_id, o->n_layer_paths, f);
}

static int render_fail_closed(FILE *f, const void *userdata) {
        const EntryOutput *o = userdata;
        return dropin_render_fail_closed(o->entry->path, o->reason, f);
}

static int render_view_mount(FILE *f, const void *userdata) {
        return store_view_mount_render(userdata, f);
}

typedef struct NameList {
        const char *const *names;
        size_t n;
} NameList;

static int render_layer_list(FILE *f, const void *userdata) {
        const NameList *l = userdata;
        return closure_layer_list_render(l->names, l->n, f);
}

static int render_layer_unit(FILE *f, const void *userdata) {
        return closure_layer_unit_render(userdata, f);
}

/* The closure's layer: its unit and its list, once its ID is known to be
 * this closure's alone. 1 when the ID is another closure's (nothing is
 * added: the caller refuses), else 0. */
static int add_layer(Output *out, EntryOutput *o) {
        _cleanup_free_ const char **names = NULL;
        _cleanup_free_ char *list = NULL, *list_path = NULL, *unit = NULL;
        const Confinement *c = o->confinement;
        bool known = false;
        size_t size;
        int n, r;

        n = closure_layer_of(c, &names, o->layer_id);
        if (n <= 0)
                return n;
        o->n_layer_paths = (size_t) n;
        r = render_to_string(render_layer_list, &(NameList) { names, (size_t) n }, &list, &size);
        if (r < 0)
                return r;
        for (size_t i = 0; i < out->n_layers && !known; i++)
                if (streq(out->layers[i].id, o->layer_id)) {
                        if (!streq(out->layers[i].list, list))
                                return 1;
                        known = true;
                }

        if (asprintf(&list_path, "%s/" CLOSURE_LAYER_LISTS "/%s", out->dir, o->layer_id) < 0)
                return -ENOMEM;
        r = closure_layer_unit_name(o->layer_id, &unit);
        if (r < 0)
                return r;
        r = add_file(o, TAKE_PTR(unit), render_layer_unit,
                     &(ClosureLayerUnit) { .id = o->layer_id, .store_dir = c->store_dir, .list_path = list_path,
                                           .helper = out->helper, .n_paths = (size_t) n });
        if (r >= 0)
                r = add_file(o, path_join2(CLOSURE_LAYER_LISTS, o->layer_id), render_layer_list,
                             &(NameList) { names, (size_t) n });
        if (r < 0 || known)
                return r;

        if (GREEDY_REALLOC(out->layers, out->allocated_layers, out->n_layers + 1, 8) < 0)
                return -ENOMEM;
        memcpy(out->layers[out->n_layers].id, o->layer_id, sizeof o->layer_id);
        out->layers[out->n_layers++].list = TAKE_PTR(list);
        return 0;
}

int entry_output_refuse(EntryOutput *o, const char *reason) {
        assert(o);
        assert(o->entry);
        assert(o->unit);

        files_clear(o);
        o->confinement = confinement_free(o->confinement);
        o->layer_id[0] = '\0';
        o->n_layer_paths = 0;
        o->state = ENTRY_INVALID;
        if (reason && (!o->reason || !streq(o->reason, reason))) {
                char *copy = strdup(reason);
                if (!copy)
                        return -ENOMEM;
                free(o->reason);
                o->reason = copy;
        }
        return add_file(o, dropin_path(o->unit), render_fail_closed, o);
}

/* A valid entry's files: the drop-in, the view's, the layer's. */
static int add_confined(Output *out, EntryOutput *o) {
        _cleanup_(diag_done) Diag d = DIAG_INIT(o->entry->path);
        int r;

        size_t n_layer_files;

        /* The layer first, for its ID; the drop-in and the view go before
         * its files. */
        r = add_layer(out, o);
        if (r == 0) {
                n_layer_files = o->n_files;
                r = add_file(o, dropin_path(o->unit), render_confined, o);
                if (r >= 0 && o->confinement->view_dir)
                        r = add_file(o, store_view_mount_name(o->confinement->store_dir), render_view_mount,
                                     o->confinement->store_dir);
                if (r >= 0)
                        files_to_front(o, n_layer_files);
        }
        if (r <= 0)
                return r;

        /* Two closures, one hash: neither may see the other's. */
        (void) diag_error(&d, 0, "bindMethod",
                          "the closure's overlay ID collides with another closure's; "
                          "set \"bindMethod\": \"view\".");
        if (!d.reason)
                return -ENOMEM;
        return entry_output_refuse(o, d.reason);
}

int output_entry(Output *out, const SpecEntry *e, EntryOutput *ret) {
        _cleanup_(entry_output_done) EntryOutput o = { .entry = e };
        _cleanup_(diag_done) Diag d = {};
        const char *why;
        int r;

        assert(out);
        assert(out->resolver);
        assert(out->dir);
        assert(out->helper);
        assert(e);
        assert(ret);

        r = spec_entry_unit(e, &o.unit, &why);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                o.state = ENTRY_IGNORED;
                o.reason = strdup(why);
                if (!o.reason)
                        return -ENOMEM;
        } else if (e->masked && !e->distrust)
                /* A mask an unprivileged user could have planted does not count. */
                o.state = ENTRY_MASKED;
        else {
                r = resolver_resolve(out->resolver, e, o.unit, &o.confinement, &d);
                if (r == -ENOMEM)
                        return r;
                if (r >= 0) {
                        o.state = ENTRY_VALID;
                        r = add_confined(out, &o);
                } else {
                        o.state = ENTRY_INVALID;
                        o.reason = TAKE_PTR(d.reason);
                        r = add_file(&o, dropin_path(o.unit), render_fail_closed, &o);
                }
                if (r < 0)
                        return r;
        }

        *ret = o;
        o = (EntryOutput) {};
        return 0;
}

const OutputFile *entry_output_find(const EntryOutput *o, const char *path) {
        assert(o);
        assert(path);

        for (size_t i = 0; i < o->n_files; i++)
                if (streq(o->files[i].path, path))
                        return &o->files[i];
        return NULL;
}

const OutputFile *entry_output_dropin(const EntryOutput *o) {
        assert(o);

        /* always the first */
        if (o->n_files == 0 || o->state == ENTRY_MASKED || o->state == ENTRY_IGNORED)
                return NULL;
        return &o->files[0];
}
