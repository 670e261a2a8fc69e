/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* confinementctl: inspect, check and apply the confinement specs that
 * confinement-generator turns into drop-ins. */

#include <getopt.h>
#include <string.h>

#include "ctl.h"
#include "log.h"

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

typedef struct Verb {
        const char *name;
        int min_args, max_args; /* after the verb; -1: any number */
        bool root;              /* honours --root= */
        bool json;              /* honours --json */
        bool spec_options;      /* honours --mode=, --bin-sh=, --bind=, --bind-ro= */
        int (*run)(int argc, char *argv[]);
} Verb;

static const Verb verbs[] = {
        { "list", 0, 0, true, true, false, verb_list },
        { "check", 0, -1, true, false, false, verb_check },
        { "cat", 1, -1, true, false, false, verb_cat },
        { "paths", 1, 1, true, true, false, verb_paths },
        { "verify", 0, -1, false, true, false, verb_verify },
        { "reload", 0, 0, false, false, false, verb_reload },
        { "new", 1, 1, true, false, true, verb_new },
        { "refresh", 0, -1, true, false, false, verb_refresh },
};

/* As systemd's STATIC_DESTRUCTOR_REGISTER: the option lists go at exit,
 * whichever return main() takes. */
static void args_done(void) {
        path_list_done(&arg_bind);
        path_list_done(&arg_bind_ro);
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
               "\n"
               "See the confinementctl(1) man page for details.\n");
}

int main(int argc, char *argv[]) {
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
                {},
        };
        const Verb *verb = NULL;
        bool spec_options = false;
        int c, n, r;

        /* A tool run by hand or by scripts: messages go to stderr. */
        log_setup("confinementctl", LOG_TARGET_CONSOLE);
        (void) atexit(args_done);
        log_parse_environment();

        while ((c = getopt_long(argc, argv, "hqf", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return EXIT_OK;
                case ARG_VERSION:
                        printf("confinementctl %s\n", PROJECT_VERSION);
                        return EXIT_OK;
                case ARG_ROOT:
                        if (optarg[0] != '/') {
                                log_error("--root= expects an absolute path, got \"%s\".", optarg);
                                return EXIT_ERROR;
                        }
                        /* "/" is the running system. */
                        arg_root = strcmp(optarg, "/") == 0 ? NULL : optarg;
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
                        if (optarg[0] != '/') {
                                log_error("--unit-path= expects absolute paths, got \"%s\".", optarg);
                                return EXIT_ERROR;
                        }
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
                        spec_options = true;
                        break;
                case ARG_BIN_SH:
                        arg_bin_sh = optarg;
                        spec_options = true;
                        break;
                case ARG_BIND:
                case ARG_BIND_RO:
                        if (path_list_add(c == ARG_BIND ? &arg_bind : &arg_bind_ro, optarg) < 0)
                                return log_oom(), EXIT_ERROR;
                        spec_options = true;
                        break;
                default:
                        /* getopt said what is wrong. */
                        return EXIT_ERROR;
                }

        if (optind >= argc) {
                log_error("Expected a command; see confinementctl --help.");
                return EXIT_ERROR;
        }
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (strcmp(argv[optind], verbs[i].name) == 0)
                        verb = &verbs[i];
        if (!verb) {
                log_error("Unknown command \"%s\"; see confinementctl --help.", argv[optind]);
                return EXIT_ERROR;
        }

        n = argc - optind - 1;
        if (n < verb->min_args || (verb->max_args >= 0 && n > verb->max_args)) {
                if (verb->min_args == verb->max_args)
                        log_error("\"%s\" expects %d argument%s, got %d.", verb->name, verb->min_args,
                                  verb->min_args == 1 ? "" : "s", n);
                else if (verb->max_args < 0)
                        log_error("\"%s\" expects at least %d argument%s, got %d.", verb->name, verb->min_args,
                                  verb->min_args == 1 ? "" : "s", n);
                else
                        log_error("\"%s\" expects at most %d argument%s, got %d.", verb->name, verb->max_args,
                                  verb->max_args == 1 ? "" : "s", n);
                return EXIT_ERROR;
        }
        if (arg_root && !verb->root) {
                log_error("\"%s\" talks to the running systemd; --root= does not apply to it.", verb->name);
                return EXIT_ERROR;
        }
        if (arg_unit_path && !verb->root) {
                log_error("\"%s\" talks to the running systemd; --unit-path= does not apply to it.", verb->name);
                return EXIT_ERROR;
        }
        if (arg_no_trust_check && strcmp(verb->name, "check") != 0) {
                log_error("--no-trust-check applies to \"check\" only.");
                return EXIT_ERROR;
        }
        if (spec_options && !verb->spec_options) {
                log_error("--mode=, --bin-sh=, --bind= and --bind-ro= apply to \"new\" only.");
                return EXIT_ERROR;
        }
        if (arg_json && !verb->json) {
                log_error("\"%s\" has no JSON output.", verb->name);
                return EXIT_ERROR;
        }

        r = verb->run(n, argv + optind + 1);
        (void) fflush(stdout);
        if (ferror(stdout)) {
                log_error("Cannot write the output.");
                r = r ?: EXIT_ERROR;
        }
        log_close();
        return r;
}
