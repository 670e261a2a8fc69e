/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* confinement-generator: a systemd generator (systemd.generator(7)) that
 * confines services to their runtime closure, from the specs in the
 * confinement.d directories. */

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "closure-layer-mount.h"
#include "closure-layer.h"
#include "generator.h"
#include "log.h"

static void help(void) {
        printf("Usage: confinement-generator [--root=DIR] NORMAL_DIR [EARLY_DIR LATE_DIR]\n"
               "\n"
               "Writes drop-ins into NORMAL_DIR that confine each service named by a spec in\n"
               "/etc/confinement.d, /run/confinement.d, /usr/local/lib/confinement.d and\n"
               "/usr/lib/confinement.d to its closure. systemd runs it at boot and at every\n"
               "daemon-reload.\n"
               "\n"
               "  --root=DIR   read specs, closures and store paths under DIR\n"
               "  -h --help    show this help\n");
}

int main(int argc, char *argv[]) {
        static const struct option options[] = {
                { "root", required_argument, NULL, 'r' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        GeneratorDirs dirs = generator_dirs_default;
        const char *root = NULL;
        int c, r;

        log_setup("confinement-generator", LOG_TARGET_AUTO);
        log_parse_environment();

        /* The units of bindMethod "overlay" run this binary to mount a
         * closure (closure-layer.h). */
        if (argc > 1 && streq(argv[1], CLOSURE_LAYER_MODE)) {
                r = closure_layer_run(argc - 1, argv + 1);
                log_close();
                return r < 0 ? 1 : 0;
        }

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'r':
                        root = optarg;
                        break;
                case 'h':
                        help();
                        return 0;
                default:
                        return 1;
                }

        /* systemd passes three directories; one is enough for tests. */
        if (argc - optind != 1 && argc - optind != 3) {
                log_error("Expected one or three arguments (NORMAL_DIR [EARLY_DIR LATE_DIR]), got %d.",
                          argc - optind);
                return 1;
        }
        if (root && root[0] != '/') {
                log_error("--root= expects an absolute path, got \"%s\".", root);
                return 1;
        }

        /* systemd reads the units generators write from the three
         * directories it passed: they are part of the unit search path.
         * Under --root the booted system's own are meant. */
        if (argc - optind == 3 && !root)
                dirs = (GeneratorDirs) {
                        .normal = argv[optind],
                        .early = argv[optind + 1],
                        .late = argv[optind + 2],
                };
        r = generator_run(root, argv[optind], &dirs);
        log_close();
        return r < 0 ? 1 : 0;
}
