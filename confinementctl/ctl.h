/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* confinementctl: a thin tool over the library, as kmod's tools are over
 * libkmod. main.c parses the options and dispatches the verbs from a verb
 * table (name, argument counts, options honoured); each verb group has a
 * file of its own (list.c, check.c, show.c: cat and paths, verify.c with
 * verify-compare.c: the per-setting comparers, reload.c, new.c: new and
 * refresh); bus.c talks to systemd, table.c prints tables, common.c holds
 * the rest they share (the verb's context Ctl, json_print_new() for every
 * --json). Functions return a negative errno and log once. */

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "confinement.h"
#include "diag.h"
#include "output.h"
#include "path-list.h"
#include "resolver.h"
#include "spec-dirs.h"

/* Where systemd runs generators: the normal output directory. */
#define GENERATOR_DIR "/run/systemd/generator"
/* Every confined unit's root: RootDirectory=/run/confinement/%n. */
#define CONFINEMENT_ROOT_DIR "/run/confinement"

/* Exit statuses shared by every verb; verify ORs its own bits (verify.c). */
#define EXIT_OK 0
#define EXIT_ERROR 1 /* an error, an invalid spec (check), bad usage */

/* The global options (main.c). */
extern const char *arg_root; /* NULL: the running system */
extern bool arg_json;
extern bool arg_legend;
extern bool arg_quiet;
extern bool arg_force;
extern const char *arg_unit_path;   /* NULL: systemd's unit search path */
extern bool arg_no_trust_check;     /* check: trust every file (a build sandbox) */
extern const char *arg_mode;   /* new: NULL for the default */
extern const char *arg_bin_sh; /* new */
extern PathList arg_bind;      /* new: "[-]SOURCE[:TARGET]" each */
extern PathList arg_bind_ro;
extern PathList arg_needs;     /* new: need names (needs.h), "-" for optional */

/* Verbs: each returns a negative errno (logged; run() exits with
 * EXIT_ERROR), or the exit status it chose (check: EXIT_ERROR for an
 * invalid spec; verify: its bits). */
int verb_list(int argc, char *argv[]);
int verb_check(int argc, char *argv[]);
int verb_cat(int argc, char *argv[]);
int verb_paths(int argc, char *argv[]);
int verb_verify(int argc, char *argv[]);
int verb_reload(int argc, char *argv[]);
int verb_new(int argc, char *argv[]);     /* new.c */
int verb_refresh(int argc, char *argv[]); /* new.c */

/* --- common.c ------------------------------------------------------------ */

/* Colours, as systemctl decides: $SYSTEMD_COLORS, else none with $NO_COLOR
 * or TERM=dumb, else only when stdout is a terminal. */
bool colors_enabled(void);
#define ANSI_NORMAL "\x1B[0m"
#define ANSI_RED "\x1B[0;1;31m"
#define ANSI_GREEN "\x1B[0;1;32m"
#define ANSI_YELLOW "\x1B[0;1;33m"
#define ANSI_GREY "\x1B[0;38;5;245m"
#define ANSI_UNDERLINE "\x1B[0;4m"
const char *ansi(const char *code); /* code, or "" without colours */

/* A service unit name from the command line: "foo" means "foo.service".
 * Logs and returns -EINVAL for anything but a service unit. */
int parse_unit_argument(const char *arg, char **ret);

/* One verb's context: the root it reads under (arg_root, every file
 * trusted with --no-trust-check), with CTL_ENTRIES the spec entries in
 * effect, the resolver, and what the generator writes for each entry,
 * computed once. On a running system the unit search path includes the
 * generator directories, which hold the drop-ins written at the last
 * daemon-reload; the generator itself never sees them (systemd empties
 * them before it runs generators), so they are left out here, or the old
 * drop-in would count as the unit's own RootDirectory=. Not to be copied
 * once open (the resolver points at the root). */
typedef enum CtlFlags {
        CTL_ENTRIES = 1 << 0,
} CtlFlags;

typedef struct Ctl {
        Root root;
        SpecEntries entries; /* CTL_ENTRIES */
        Resolver resolver;
        Output output;        /* paths in GENERATOR_DIR, layer units run helper */
        char *helper;         /* GENERATOR_PATH as the generator sees itself (realpath) */
        EntryOutput *outputs; /* by entry: the first n_outputs are computed */
        size_t n_outputs;
        bool finished;        /* output_finish() done: all n_outputs are whole */
} Ctl;

int ctl_open(Ctl *ctl, CtlFlags flags); /* logs */
void ctl_done(Ctl *ctl);

/* What the generator writes for e, one of ctl's entries (output.h): every
 * entry is resolved, the others quietly, in the generator's order (a
 * layer ID belongs to the first closure with it, a generation holds every
 * closure of its store directory). An ignored entry's
 * reason is the whole message. With quiet, the library's messages are
 * silenced. 0, or a logged -ENOMEM. */
int ctl_output(Ctl *ctl, const SpecEntry *e, bool quiet, const EntryOutput **ret);
/* Every entry, the library's messages only for those asked (NULL
 * entries in asked are none); then each entry's output is whole. 0, or a
 * logged -ENOMEM. Rendered once: a later call returns at once. */
int ctl_output_each(Ctl *ctl, const SpecEntry *const *asked, size_t n_asked);
/* The same for every entry, into ctl->outputs; unless quiet, an ignored
 * entry's reason is logged as an error (the library logs the others). */
int ctl_output_all(Ctl *ctl, bool quiet);

/* Silences the library's messages (a listing shows the reason itself)
 * unless debugging was asked for; returns what to pass to quiet_end(). */
int quiet_begin(void);
void quiet_end(int saved);

const char *entry_state_to_string(EntryState s);
const char *entry_state_color(EntryState s);

/* Prints doc, which it takes (NULL, as json_pack() returns on failure:
 * out of memory), on stdout as --json does: one document, indented by 2,
 * keys in insertion order, and a newline. Returns 0 or a logged -errno. */
int json_print_new(json_t *doc);

/* Reads a whole (small) file; -errno, not logged. */
int read_full_file(const char *path, char **ret);
