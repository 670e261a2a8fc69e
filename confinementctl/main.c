/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* confinementctl: inspect, check and apply the confinement specs that
 * confinement-generator turns into drop-ins. */

#include <assert.h>
#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "ctl.h"
#include "log.h"
#include "macro.h"

#ifndef PROJECT_VERSION
#define PROJECT_VERSION "unknown"
#endif

const char *arg_root = NULL;
bool arg_json = false;
bool arg_legend = true;
bool arg_quiet = false;
bool arg_force = false;
const char *arg_unit_path = NULL;
bool arg_no_trust_check = false;
const char *arg_mode = NULL;
const char *arg_bin_sh = NULL;
PathList arg_bind = {};
PathList arg_bind_ro = {};
PathList arg_needs = {};

/* What a verb honours besides its arguments; any other option given with
 * it is a usage error (dispatch_verb()). */
typedef enum VerbFlags {
        VERB_ROOT = 1 << 0,           /* --root=, --unit-path= */
        VERB_JSON = 1 << 1,           /* --json */
        VERB_SPEC_OPTIONS = 1 << 2,   /* --mode=, --bin-sh=, --bind=, --bind-ro=, --needs= */
        VERB_NO_TRUST_CHECK = 1 << 3, /* --no-trust-check */
} VerbFlags;

#define VERB_ANY (-1)

/* As systemctl's and kmod's verb tables: a verb's name, how many arguments
 * it takes after its name (VERB_ANY: no upper bound), its flags and the
 * function that runs it. */
typedef struct Verb {
        const char *name;
        int min_args, max_args;
        VerbFlags flags;
        int (*run)(int argc, char *argv[]);
} Verb;

static const Verb verbs[] = {
        { "list",    0, 0,        VERB_ROOT | VERB_JSON,           verb_list },
        { "check",   0, VERB_ANY, VERB_ROOT | VERB_NO_TRUST_CHECK, verb_check },
        { "cat",     1, VERB_ANY, VERB_ROOT,                       verb_cat },
        { "paths",   1, 1,        VERB_ROOT | VERB_JSON,           verb_paths },
        { "verify",  0, VERB_ANY, VERB_JSON,                       verb_verify },
        { "reload",  0, 0,        0,                               verb_reload },
        { "new",     1, 1,        VERB_ROOT | VERB_SPEC_OPTIONS,   verb_new },
        { "refresh", 0, VERB_ANY, VERB_ROOT,                       verb_refresh },
};

/* As systemd's STATIC_DESTRUCTOR_REGISTER: the option lists go at exit,
 * whichever return main() takes. */
static void args_done(void) {
        path_list_done(&arg_bind);
        path_list_done(&arg_bind_ro);
        path_list_done(&arg_needs);
}

static void help(void) {
        printf("Usage: confinementctl [OPTIONS...] COMMAND ...\n"
               "\n"
               "Inspect, check and apply the confinement specs of confinement-generator.\n"
               "\n"
               "Commands:\n"
               "  list                 List the specs in effect, where they come from, what\n"
               "                       they override or mask, their mode and closure size\n"
               "  check [FILE...]      Validate the specs in effect, or the files given, as\n"
               "                       the generator does; fail on any error\n"
               "  cat UNIT...          Show the drop-in (and mount units) the generator\n"
               "                       writes for UNIT\n"
               "  paths UNIT           Show every path UNIT sees and where it comes from\n"
               "  verify [UNIT...]     Compare the running systemd's units with their specs\n"
               "  reload               Check, reload systemd, show whose confinement changed\n"
               "  new UNIT             Confine UNIT, whose Exec*= settings name store paths:\n"
               "                       write its spec and a closureInfo from the store\n"
               "  refresh [UNIT...]    Recompute the closures of the specs made by new\n"
               "\n"
               "Options:\n"
               "  -h --help            Show this help\n"
               "     --version         Show the version\n"
               "     --root=DIR        Read specs, closures, store paths and units under DIR\n"
               "                       (list, check, cat, paths; new, refresh write there)\n"
               "     --unit-path=DIR[:DIR...]\n"
               "                       Look units up in these directories only, not in\n"
               "                       systemd's unit search path (list, check, cat, paths)\n"
               "     --no-trust-check  check: do not refuse specs and closureInfo files an\n"
               "                       unprivileged user could change (a build sandbox)\n"
               "     --json            Print one JSON document (list, paths, verify)\n"
               "     --no-legend       Print no column headers and no summary\n"
               "     --no-pager        Accepted for compatibility; output is never paged\n"
               "  -q --quiet           check, reload: print errors only\n"
               "  -f --force           reload: reload even when a spec is invalid;\n"
               "                       new: replace an existing spec\n"
               "     --mode=MODE       new: full-apivfs (default), chroot-only or full\n"
               "     --bin-sh=PATH     new: the program bound at /bin/sh\n"
               "     --bind=[-]SRC[:DST]\n"
               "                       new: bind SRC writable (at DST; \"-\": optional)\n"
               "     --bind-ro=[-]SRC[:DST]\n"
               "                       new: the same, read-only\n"
               "     --needs=[-]NEED[,...]\n"
               "                       new: what the service needs of the host: dns, tls,\n"
               "                       users, time, locale, journal, dbus (\"-\": optional)\n"
               "\n"
               "See the confinementctl(1) man page for details.\n");
}

/* Whether any option of "new" was given. */
static bool spec_options_given(void) {
        return arg_mode || arg_bin_sh || arg_bind.n > 0 || arg_bind_ro.n > 0 || arg_needs.n > 0;
}

static const Verb *verb_find(const char *name) {
        assert(name);

        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (streq(name, verbs[i].name))
                        return &verbs[i];
        return NULL;
}

/* Logs and returns false unless v takes n arguments. */
static bool verb_check_args(const Verb *v, int n) {
        assert(v);

        if (n >= v->min_args && (v->max_args == VERB_ANY || n <= v->max_args))
                return true;
        if (v->min_args == v->max_args)
                log_error("\"%s\" expects %d argument%s, got %d.", v->name, v->min_args,
                          v->min_args == 1 ? "" : "s", n);
        else if (v->max_args == VERB_ANY)
                log_error("\"%s\" expects at least %d argument%s, got %d.", v->name, v->min_args,
                          v->min_args == 1 ? "" : "s", n);
        else
                log_error("\"%s\" expects at most %d argument%s, got %d.", v->name, v->max_args,
                          v->max_args == 1 ? "" : "s", n);
        return false;
}

/* Logs and returns false when an option was given that v does not honour. */
static bool verb_check_options(const Verb *v) {
        assert(v);

        if (arg_root && !(v->flags & VERB_ROOT)) {
                log_error("\"%s\" talks to the running systemd; --root= does not apply to it.", v->name);
                return false;
        }
        if (arg_unit_path && !(v->flags & VERB_ROOT)) {
                log_error("\"%s\" talks to the running systemd; --unit-path= does not apply to it.", v->name);
                return false;
        }
        if (arg_no_trust_check && !(v->flags & VERB_NO_TRUST_CHECK)) {
                log_error("--no-trust-check applies to \"check\" only.");
                return false;
        }
        if (spec_options_given() && !(v->flags & VERB_SPEC_OPTIONS)) {
                log_error("--mode=, --bin-sh=, --bind=, --bind-ro= and --needs= apply to \"new\" only.");
                return false;
        }
        if (arg_json && !(v->flags & VERB_JSON)) {
                log_error("\"%s\" has no JSON output.", v->name);
                return false;
        }
        return true;
}

/* argv[0] is the verb: finds it, checks its argument count and the options
 * given, and runs it. Returns what the verb returns (ctl.h), or -EINVAL. */
static int dispatch_verb(int argc, char *argv[]) {
        const Verb *v;

        if (argc < 1)
                return log_error_errno(EINVAL, "Expected a command; see confinementctl --help.");
        v = verb_find(argv[0]);
        if (!v)
                return log_error_errno(EINVAL, "Unknown command \"%s\"; see confinementctl --help.", argv[0]);
        if (!verb_check_args(v, argc - 1) || !verb_check_options(v))
                return -EINVAL;
        return v->run(argc - 1, argv + 1);
}

/* Returns 1 to go on with the verb at argv[optind], 0 when done (--help,
 * --version), a negative errno on bad usage (logged; getopt logs its own). */
static int parse_argv(int argc, char *argv[]) {
        enum {
                ARG_VERSION = 0x100,
                ARG_ROOT,
                ARG_JSON,
                ARG_NO_LEGEND,
                ARG_NO_PAGER,
                ARG_UNIT_PATH,
                ARG_NO_TRUST_CHECK,
                ARG_MODE,
                ARG_BIN_SH,
                ARG_BIND,
                ARG_BIND_RO,
                ARG_NEEDS,
        };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "root", required_argument, NULL, ARG_ROOT },
                { "json", no_argument, NULL, ARG_JSON },
                { "no-legend", no_argument, NULL, ARG_NO_LEGEND },
                { "no-pager", no_argument, NULL, ARG_NO_PAGER },
                { "unit-path", required_argument, NULL, ARG_UNIT_PATH },
                { "no-trust-check", no_argument, NULL, ARG_NO_TRUST_CHECK },
                { "quiet", no_argument, NULL, 'q' },
                { "force", no_argument, NULL, 'f' },
                { "mode", required_argument, NULL, ARG_MODE },
                { "bin-sh", required_argument, NULL, ARG_BIN_SH },
                { "bind", required_argument, NULL, ARG_BIND },
                { "bind-ro", required_argument, NULL, ARG_BIND_RO },
                { "needs", required_argument, NULL, ARG_NEEDS },
                {},
        };
        int c;

        assert(argv);

        while ((c = getopt_long(argc, argv, "hqf", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("confinementctl %s\n", PROJECT_VERSION);
                        return 0;
                case ARG_ROOT:
                        if (optarg[0] != '/')
                                return log_error("--root= expects an absolute path, got \"%s\".", optarg), -EINVAL;
                        /* "/" is the running system. */
                        arg_root = streq(optarg, "/") ? NULL : optarg;
                        break;
                case ARG_JSON:
                        arg_json = true;
                        break;
                case ARG_NO_LEGEND:
                        arg_legend = false;
                        break;
                case ARG_NO_PAGER:
                        break;
                case ARG_UNIT_PATH:
                        if (optarg[0] != '/')
                                return log_error("--unit-path= expects absolute paths, got \"%s\".", optarg), -EINVAL;
                        arg_unit_path = optarg;
                        break;
                case ARG_NO_TRUST_CHECK:
                        arg_no_trust_check = true;
                        break;
                case 'q':
                        arg_quiet = true;
                        break;
                case 'f':
                        arg_force = true;
                        break;
                case ARG_MODE:
                        arg_mode = optarg;
                        break;
                case ARG_BIN_SH:
                        arg_bin_sh = optarg;
                        break;
                case ARG_BIND:
                case ARG_BIND_RO:
                        if (path_list_add(c == ARG_BIND ? &arg_bind : &arg_bind_ro, optarg) < 0)
                                return log_oom();
                        break;
                case ARG_NEEDS:
                        /* "dns,-tls": checked where the spec is parsed */
                        for (const char *p = optarg; *p;) {
                                size_t n = strcspn(p, ",");
                                _cleanup_free_ char *name = strndup(p, n);

                                if (!name || path_list_add(&arg_needs, name) < 0)
                                        return log_oom();
                                p += n + (p[n] == ',');
                        }
                        break;
                default:
                        /* getopt said what is wrong. */
                        return -EINVAL;
                }
        return 1;
}

static int run(int argc, char *argv[]) {
        int r;

        /* A tool run by hand or by scripts: messages go to stderr. */
        log_setup("confinementctl", LOG_TARGET_CONSOLE);
        (void) atexit(args_done);
        log_parse_environment();

        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? EXIT_ERROR : EXIT_OK;

        /* The one place where a verb's result becomes the exit status. */
        r = dispatch_verb(argc - optind, argv + optind);
        if (r < 0)
                r = EXIT_ERROR;
        (void) fflush(stdout);
        if (ferror(stdout)) {
                log_error("Cannot write the output.");
                r = r ?: EXIT_ERROR;
        }
        return r;
}

int main(int argc, char *argv[]) {
        int r = run(argc, argv);

        log_close();
        return r;
}
