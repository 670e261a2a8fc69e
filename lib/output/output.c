/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <string.h>

#include "alloc-util.h"
#include "dropin.h"
#include "layer-generation.h"
#include "log.h"
#include "output.h"
#include "path-list.h"

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

        for (size_t i = 0; i < o->n_layers; i++) {
                free(o->layers[i].list);
                free(o->layers[i].store_dir);
        }
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

static char *dropin_path(const char *unit) {
        char *p;
        return asprintf(&p, "%s.d/" DROPIN_NAME, unit) < 0 ? NULL : p;
}

/* The drop-in, with the layer add_layer() found (its ID costs a hash of
 * every closure path: once) in the generation output_finish() found. */
static int render_confined(FILE *f, const void *userdata) {
        const EntryOutput *o = userdata;

        if (!o->layer_id[0])
                return dropin_render_with_layer(o->confinement, NULL, f);
        assert(o->gen_id[0]);
        return dropin_render_with_layer(o->confinement,
                                        &(DropinLayer) { o->gen_id, o->layer_id, o->n_layer_paths }, f);
}

static int render_fail_closed(FILE *f, const void *userdata) {
        const EntryOutput *o = userdata;
        return dropin_render_fail_closed(o->entry->path, o->reason, f);
}

static int render_view_mount(FILE *f, const void *userdata) {
        return store_view_mount_render(userdata, f);
}

static int render_layer_template(FILE *f, const void *userdata) {
        const Output *out = userdata;
        _cleanup_free_ char *lists = NULL;

        if (asprintf(&lists, "%s/" CLOSURE_LAYER_LISTS, out->dir) < 0)
                return -ENOMEM;
        return layer_generation_template_render(out->helper, lists, f);
}

/* The closure's layer: the template of the generation units, once its ID
 * is known to be this closure's alone; the closure is kept for
 * output_finish(). 1 when the ID is another closure's (nothing is added:
 * the caller refuses), else 0. */
static int add_layer(Output *out, EntryOutput *o) {
        _cleanup_free_ const char **names = NULL;
        _cleanup_free_ char *list = NULL, *store_dir = NULL;
        const Confinement *c = o->confinement;
        size_t index = SIZE_MAX;
        int n, r;

        n = closure_layer_of(c, &names, o->layer_id);
        if (n <= 0)
                return n;
        o->n_layer_paths = (size_t) n;
        list = closure_layer_list(names, (size_t) n);
        if (!list)
                return -ENOMEM;
        for (size_t i = 0; i < out->n_layers && index == SIZE_MAX; i++)
                if (streq(out->layers[i].id, o->layer_id)) {
                        if (!streq(out->layers[i].list, list))
                                return 1;
                        index = i;
                }
        r = add_file(o, strdup(LAYER_GENERATION_TEMPLATE), render_layer_template, out);
        if (r < 0)
                return r;
        if (index == SIZE_MAX) {
                store_dir = strdup(c->store_dir);
                if (!store_dir || GREEDY_REALLOC(out->layers, out->allocated_layers, out->n_layers + 1, 8) < 0)
                        return -ENOMEM;
                index = out->n_layers++;
                memcpy(out->layers[index].id, o->layer_id, sizeof o->layer_id);
                out->layers[index].list = TAKE_PTR(list);
                out->layers[index].store_dir = TAKE_PTR(store_dir);
        }
        return 0;
}

int output_template(const Output *o, OutputFile *ret) {
        _cleanup_free_ char *path = strdup(LAYER_GENERATION_TEMPLATE), *text = NULL;
        size_t size;
        int r;

        assert(o);
        assert(ret);
        if (!path)
                return -ENOMEM;
        r = render_to_string(render_layer_template, o, &text, &size);
        if (r < 0)
                return r;
        *ret = (OutputFile) { .path = TAKE_PTR(path), .text = TAKE_PTR(text), .size = size };
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

/* The drop-in and the view's mount before the files o has. */
static int add_dropin(EntryOutput *o) {
        size_t k = o->n_files;
        int r;

        r = add_file(o, dropin_path(o->unit), render_confined, o);
        if (r >= 0 && o->confinement->view_dir)
                r = add_file(o, store_view_mount_name(o->confinement->store_dir), render_view_mount,
                             o->confinement->store_dir);
        if (r >= 0)
                files_to_front(o, k);
        return r;
}

/* A valid entry's files: the drop-in, the view's, the layer's; the
 * drop-in of a closure in the overlay names its generation, so
 * output_finish() adds it. */
static int add_confined(Output *out, EntryOutput *o) {
        _cleanup_(diag_done) Diag d = DIAG_INIT(o->entry->path);
        int r;

        r = add_layer(out, o);
        if (r == 0 && !o->layer_id[0])
                r = add_dropin(o);
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

void output_generation_done(OutputGeneration *g) {
        assert(g);
        free(g->unit);
        for (size_t i = 0; i < g->n_files; i++) {
                free(g->files[i].path);
                free(g->files[i].text);
        }
        free(g->files);
        *g = (OutputGeneration) {};
}

/* Adds path and text, both taken (and freed on failure). */
static int generation_add_file(OutputGeneration *g, char *path, char *text) {
        if (!path || !text || GREEDY_REALLOC(g->files, g->allocated_files, g->n_files + 1, 8) < 0) {
                free(path);
                free(text);
                return -ENOMEM;
        }
        g->files[g->n_files++] = (OutputFile) { .path = path, .text = text, .size = strlen(text) };
        return 0;
}

static char *generation_path(const char *gen, const char *name) {
        char *p;
        return asprintf(&p, CLOSURE_LAYER_LISTS "/%s/%s", gen, name) < 0 ? NULL : p;
}

static int render_generation_dropin(FILE *f, const void *userdata) {
        return layer_generation_dropin_render(userdata, f);
}

static bool in_overlay_of(const EntryOutput *e, const char *store_dir) {
        return e->state == ENTRY_VALID && e->layer_id[0] && streq(e->confinement->store_dir, store_dir);
}

/* store_dir's generation, and the drop-ins of its entries. */
static int generation_of(const Output *o, const char *store_dir, EntryOutput *entries, size_t n_entries,
                         OutputGeneration *g) {
        _cleanup_free_ LayerClosure *closures = NULL;
        _cleanup_free_ char *text = NULL, *store_line = NULL, *dropin = NULL;
        size_t n = 0;
        int r;

        closures = malloc((o->n_layers + 1) * sizeof *closures);
        if (!closures)
                return -ENOMEM;
        for (size_t i = 0; i < o->n_layers; i++)
                if (streq(o->layers[i].store_dir, store_dir))
                        closures[n++] = (LayerClosure) { o->layers[i].id, o->layers[i].list };
        r = layer_generation_id(store_dir, closures, n, g->id);
        if (r < 0)
                return r;
        r = layer_generation_unit_name(g->id, &g->unit);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n_entries; i++) {
                if (!in_overlay_of(&entries[i], store_dir))
                        continue;
                memcpy(entries[i].gen_id, g->id, sizeof g->id);
                r = add_dropin(&entries[i]);
                if (r < 0)
                        return r;
                g->n_services++;
        }

        if (asprintf(&store_line, "%s\n", store_dir) < 0)
                return -ENOMEM;
        r = generation_add_file(g, generation_path(g->id, LAYER_GENERATION_STORE_FILE), TAKE_PTR(store_line));
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = generation_add_file(g, generation_path(g->id, closures[i].id), strdup(closures[i].list));
        if (r < 0)
                return r;
        r = render_to_string(render_generation_dropin,
                             &(LayerGeneration) { .id = g->id, .store_dir = store_dir,
                                                  .n_services = g->n_services, .n_closures = n },
                             &text, NULL);
        if (r < 0)
                return r;
        if (asprintf(&dropin, "%s.d/" LAYER_GENERATION_DROPIN, g->unit) < 0)
                return -ENOMEM;
        return generation_add_file(g, TAKE_PTR(dropin), TAKE_PTR(text));
}

int output_finish(const Output *o, EntryOutput *entries, size_t n, OutputGeneration **ret, size_t *ret_n) {
        _cleanup_(path_list_done) PathList stores = {};
        OutputGeneration *gens = NULL;
        int r;

        assert(o);
        assert(entries || n == 0);
        assert(!ret || ret_n);
        for (size_t i = 0; i < o->n_layers; i++)
                if (path_list_add(&stores, o->layers[i].store_dir) < 0)
                        return -ENOMEM;
        path_list_sort_unique(&stores);
        gens = calloc(stores.n + 1, sizeof *gens);
        if (!gens)
                return -ENOMEM;
        for (size_t k = 0; k < stores.n; k++) {
                r = generation_of(o, stores.items[k], entries, n, &gens[k]);
                if (r < 0) {
                        for (size_t i = 0; i <= k; i++)
                                output_generation_done(&gens[i]);
                        free(gens);
                        return r;
                }
        }
        if (!ret) {
                for (size_t i = 0; i < stores.n; i++)
                        output_generation_done(&gens[i]);
                free(gens);
                return 0;
        }
        *ret = gens;
        *ret_n = stores.n;
        return 0;
}
